"""Décisions consignées : pondération adoptée, montants modifiés par la présidence, décisions
du comité et scénario adopté, journalisés et verrouillables, sur SQLite et PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from evaluation.decision import decisions, financement, portefeuille
from evaluation.decision.classement import CLASSE, SOUS_SEUIL, ErreurClassement
from evaluation.decision.financement import (
    ATTENTE,
    FINANCE,
    LISTE_ATTENTE,
    REFUSE,
    RETENU,
    ErreurFinancement,
)
from evaluation.notes.attributions import verrouiller
from evaluation.socle import stockage
from evaluation.socle.formats import montant
from tests.decision.conftest import CRITERES
from tests.decision.test_financement import _annees
from tests.decision.test_portefeuille import _appel


def _modifications(moteur, appel) -> list[dict]:
    with moteur.connect() as c:
        return stockage.lire_montants_recommandes(appel.id, connexion=c)


def _journal(moteur, appel, objet: str | None = None) -> pd.DataFrame:
    """Le journal de l'appel, sans l'examen d'admissibilité que le fixture `demandes` a fait."""
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id)
    journal = journal[journal["objet"] != "admissibilite:examen"]
    if objet is not None:
        journal = journal[journal["objet"] == objet]
    return journal.reset_index(drop=True)


def _lignes(moteur, table: str) -> int:
    with moteur.connect() as c:
        return c.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()


# --- Pondération adoptée -----------------------------------------------------------------


TEXTE_POIDS_APPEL = (
    "pertinence 25, coherence 20, qualite-dossier 15, structurant 15, capacite 15, visibilite 10"
)


def test_adopter_poids_journalise(moteur, appel):
    poids = {
        "pertinence": 30,
        "coherence": 15,
        "qualite-dossier": 15,
        "structurant": 15,
        "capacite": 15,
        "visibilite": 10,
    }
    decisions.adopter_poids(appel, poids, moteur=moteur, auteur="presidence@x.ca")
    with moteur.connect() as c:
        stockee = stockage.lire_ponderation(appel.id, connexion=c)
    assert stockee["poids"] == {k: float(v) for k, v in poids.items()}
    assert stockee["auteur"] == "presidence@x.ca"
    journal = _journal(moteur, appel, "ponderation")
    assert len(journal) == 1
    assert journal.loc[0, "ancien"] == TEXTE_POIDS_APPEL
    assert journal.loc[0, "nouveau"] == (
        "pertinence 30, coherence 15, qualite-dossier 15, structurant 15, capacite 15, "
        "visibilite 10"
    )
    assert journal.loc[0, "auteur"] == "presidence@x.ca"
    # Les mêmes poids une seconde fois : rien de neuf.
    decisions.adopter_poids(appel, poids, moteur=moteur, auteur="presidence@x.ca")
    assert len(_journal(moteur, appel, "ponderation")) == 1
    # Retour aux poids de l'appel : une nouvelle ligne, l'ancien est le poids adopté.
    decisions.adopter_poids(appel, appel.poids, moteur=moteur, auteur="admin@x.ca")
    journal = _journal(moteur, appel, "ponderation")
    assert len(journal) == 2
    assert journal.loc[1, "ancien"] == journal.loc[0, "nouveau"]
    assert journal.loc[1, "nouveau"] == TEXTE_POIDS_APPEL
    with moteur.connect() as c:
        assert stockage.lire_ponderation(appel.id, connexion=c)["poids"] == appel.poids


def test_adopter_les_poids_de_l_appel_ne_journalise_rien(moteur, appel):
    decisions.adopter_poids(appel, appel.poids, moteur=moteur, auteur="p@x.ca")
    assert _journal(moteur, appel, "ponderation").empty
    with moteur.connect() as c:
        assert stockage.lire_ponderation(appel.id, connexion=c) is None


def test_adopter_poids_decimaux_a_100_pres(moteur, appel):
    poids = dict(zip(CRITERES, [16.7, 16.7, 16.6, 16.6, 16.7, 16.7], strict=True))
    decisions.adopter_poids(appel, poids, moteur=moteur, auteur="p@x.ca")
    with moteur.connect() as c:
        assert stockage.lire_ponderation(appel.id, connexion=c)["poids"] == poids


@pytest.mark.parametrize(
    ("modification", "message"),
    [
        pytest.param({"pertinence": 24}, "totaliser 100", id="somme-99"),
        pytest.param({"pertinence": 35}, "totaliser 100", id="somme-110"),
        pytest.param({"budget": 0.0001}, "chaque critère", id="critere-inconnu"),
        pytest.param({"visibilite": None}, "chaque critère", id="critere-manquant"),
        pytest.param({"pertinence": 35, "visibilite": 0}, "positif", id="poids-nul"),
        pytest.param({"pertinence": 40, "visibilite": -5}, "positif", id="poids-negatif"),
    ],
)
def test_adopter_poids_refuses(moteur, appel, modification, message):
    poids = dict(appel.poids)
    for k, v in modification.items():
        if v is None:
            del poids[k]
        else:
            poids[k] = v
    with pytest.raises(ErreurClassement, match=message):
        decisions.adopter_poids(appel, poids, moteur=moteur, auteur="p@x.ca")
    with moteur.connect() as c:
        assert stockage.lire_ponderation(appel.id, connexion=c) is None
    assert _journal(moteur, appel, "ponderation").empty


POIDS_B = {
    "pertinence": 30,
    "coherence": 15,
    "qualite-dossier": 15,
    "structurant": 15,
    "capacite": 15,
    "visibilite": 10,
}


@pytest.mark.parametrize(
    ("statut", "raison", "confirme", "refus"),
    [
        pytest.param(None, "", False, None, id="aucune-evaluation-libre"),
        pytest.param("brouillon", "", False, None, id="brouillon-seulement-libre"),
        pytest.param("soumise", "", True, "raison écrite", id="soumise-sans-raison"),
        pytest.param("soumise", "   ", True, "raison écrite", id="soumise-raison-blanche"),
        pytest.param("soumise", "Erreur de saisie", False, "confirmation", id="non-confirme"),
        pytest.param("soumise", "Erreur de saisie", True, None, id="raison-et-confirmation"),
    ],
)
def test_poids_fixes_avant_la_notation(moteur, appel, demandes, statut, raison, confirme, refus):
    """Règle de procédure (l'appel ne pondère pas ses critères : les poids sont un réglage
    du comité) : fixés avant la notation ; dès la première évaluation soumise, un changement
    demande une raison écrite et la confirmation de l'administration, journalisées."""
    from evaluation.notes import evaluations
    from evaluation.notes.saisie import BROUILLON, SOUMISE, Saisie

    if statut is not None:
        saisie = Saisie(notes=dict.fromkeys(CRITERES, 7.0), admissible=True)
        evaluations.enregistrer(
            appel,
            demandes["T-001"],
            "e1@x.ca",
            saisie,
            SOUMISE if statut == "soumise" else BROUILLON,
            moteur=moteur,
        )
    appeler = lambda: decisions.adopter_poids(  # noqa: E731
        appel, POIDS_B, moteur=moteur, auteur="admin@x.ca", raison=raison, confirme=confirme
    )
    if refus:
        with pytest.raises(ErreurClassement, match=refus):
            appeler()
        with moteur.connect() as c:
            assert stockage.lire_ponderations(appel.id, connexion=c) == []
        assert _journal(moteur, appel, "ponderation").empty
        return
    appeler()
    with moteur.connect() as c:
        (ligne,) = stockage.lire_ponderations(appel.id, connexion=c)
    assert ligne["apres_notation"] is (statut == "soumise")
    assert ligne["poids_avant"] == {k: float(v) for k, v in appel.poids.items()}
    assert ligne["raison"] == (raison.strip() or None)
    raisons = _journal(moteur, appel, "ponderation:raison")
    assert raisons["nouveau"].tolist() == ([raison] if raison else [])


# --- Montants modifiés par la présidence -------------------------------------------------


@pytest.mark.parametrize(
    ("numero", "annee", "nouveau", "raison", "message"),
    [
        pytest.param("T-001", 1, -1, "x", "négatif", id="negatif"),
        pytest.param("T-001", 1, 2_500_001, "", "dépasse le plafond", id="au-dessus-plafond"),
        # Un projet conjoint sans bonification fixée : le plafond simple.
        pytest.param("T-002", 1, 2_500_001, "x", "dépasse le plafond", id="conjoint-sans-bonus"),
        pytest.param("T-001", 1, 1_999_999, "", "demande une raison", id="reduction-sans-raison"),
        pytest.param("T-001", 1, 2_500_000, "", "demande une raison", id="hausse-sans-raison"),
        pytest.param("T-001", 1, 0, "   ", "demande une raison", id="raison-blanche"),
        pytest.param("T-003", 1, 1_800_000, None, "demande une raison", id="raison-none"),
        pytest.param("T-001", 3, 1_000_000, "x", "finance 2 année", id="annee-3"),
        pytest.param("T-001", 0, 1_000_000, "x", "finance 2 année", id="annee-0"),
    ],
)
def test_modifier_montant_refuse(moteur, appel, demandes, numero, annee, nouveau, raison, message):
    with pytest.raises(ErreurFinancement, match=message):
        decisions.modifier_montant(
            appel, demandes[numero], annee, nouveau, raison, moteur=moteur, auteur="p@x.ca"
        )
    assert _modifications(moteur, appel) == []
    assert _journal(moteur, appel).empty


def test_modifier_montant_demande_inconnue(moteur, appel, demandes):
    with pytest.raises(ErreurFinancement, match="n'existe pas"):
        decisions.modifier_montant(
            appel, max(demandes.values()) + 1, 1, 0, "x", moteur=moteur, auteur="p@x.ca"
        )
    autre = replace(appel, id="autre-appel")
    with pytest.raises(ErreurFinancement, match="n'existe pas"):
        decisions.modifier_montant(
            autre, demandes["T-001"], 1, 0, "x", moteur=moteur, auteur="p@x.ca"
        )


@pytest.mark.parametrize(
    ("numero", "annee", "nouveau"),
    [
        pytest.param("T-001", 1, 2_500_000, id="hausse-au-plafond"),
        pytest.param("T-002", 2, 2_000_000, id="conjoint-reduit"),
        pytest.param("T-001", 2, 1_000_000, id="an2-sans-demande"),
    ],
)
def test_modifier_montant_avec_raison(moteur, appel, demandes, numero, annee, nouveau):
    """La présidence fixe un autre montant que celui de la règle, toujours avec une raison,
    jusqu'au plafond (« ne pourra pas excéder 25 000 $ par année »)."""
    decisions.modifier_montant(
        appel, demandes[numero], annee, nouveau, " avis du comité ", moteur=moteur, auteur="p@x"
    )
    (m,) = _modifications(moteur, appel)
    assert (m["demande_id"], m["annee"], m["montant"], m["raison"]) == (
        demandes[numero],
        annee,
        nouveau,
        "avis du comité",
    )


def test_modifier_montant_reduction_journalisee(moteur, appel, demandes):
    t1 = demandes["T-001"]
    decisions.modifier_montant(
        appel, t1, 1, 1_500_000, "  budget révisé ", moteur=moteur, auteur="presidence@x.ca"
    )
    (m,) = _modifications(moteur, appel)
    assert m["montant"] == 1_500_000
    assert m["raison"] == "budget révisé"
    assert m["auteur"] == "presidence@x.ca"
    journal = _journal(moteur, appel)
    assert len(journal) == 1
    ligne = journal.loc[0]
    assert ligne["objet"] == "montant_recommande:an1"
    assert ligne["demande_id"] == t1
    assert ligne["auteur"] == "presidence@x.ca"
    assert ligne["ancien"] == montant(2_000_000)
    assert ligne["nouveau"] == f"{montant(1_500_000)} (budget révisé)"
    # Idempotent : le même montant ne réécrit rien.
    decisions.modifier_montant(
        appel, t1, 1, 1_500_000, "budget révisé", moteur=moteur, auteur="presidence@x.ca"
    )
    assert _lignes(moteur, "montants_recommandes") == 1
    assert len(_journal(moteur, appel)) == 1
    # Un second changement : l'ancien est le montant modifié, la dernière ligne compte.
    decisions.modifier_montant(
        appel, t1, 1, 1_000_000, "phase 2 reportée", moteur=moteur, auteur="presidence@x.ca"
    )
    (m,) = _modifications(moteur, appel)
    assert m["montant"] == 1_000_000
    assert _lignes(moteur, "montants_recommandes") == 2
    journal = _journal(moteur, appel, "montant_recommande:an1")
    assert journal["ancien"].tolist() == [montant(2_000_000), montant(1_500_000)]


def test_modifier_montant_egal_au_defaut_ne_journalise_rien(moteur, appel, demandes):
    decisions.modifier_montant(
        appel, demandes["T-003"], 1, 1_800_050, "x", moteur=moteur, auteur="p@x.ca"
    )
    assert _modifications(moteur, appel) == []
    assert _journal(moteur, appel).empty


def test_modifier_montant_an2_journalise_an2(moteur, appel, demandes):
    decisions.modifier_montant(
        appel, demandes["T-002"], 2, 2_000_000, "réduit", moteur=moteur, auteur="p@x.ca"
    )
    journal = _journal(moteur, appel)
    assert journal["objet"].tolist() == ["montant_recommande:an2"]
    assert journal.loc[0, "ancien"] == montant(2_500_000)


def test_modifier_montant_refuse_quand_les_decisions_sont_verrouillees(moteur, appel, demandes):
    verrouiller(appel.id, True, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    avant = len(_journal(moteur, appel))
    with pytest.raises(ErreurFinancement, match="verrouillées"):
        decisions.modifier_montant(
            appel, demandes["T-001"], 1, 2_500_000, "x", moteur=moteur, auteur="p@x.ca"
        )
    assert _modifications(moteur, appel) == []
    assert len(_journal(moteur, appel)) == avant
    # Le verrou des évaluations, lui, ne bloque pas les montants.
    verrouiller(appel.id, False, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    verrouiller(appel.id, True, moteur=moteur, auteur="admin@x.ca")
    decisions.modifier_montant(
        appel, demandes["T-001"], 1, 2_500_000, "x", moteur=moteur, auteur="p@x.ca"
    )
    assert len(_modifications(moteur, appel)) == 1


def test_montants_recommandes_depuis_la_base(moteur, appel, demandes):
    decisions.modifier_montant(
        appel, demandes["T-002"], 2, 1_000_000, "réduit", moteur=moteur, auteur="p@x.ca"
    )
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    montants, retenues = financement.montants_recommandes(
        table, appel, _modifications(moteur, appel)
    )
    assert montants.tolist() == [[2_000_000, 0], [2_500_000, 1_000_000], [1_800_050, 0]]
    assert list(retenues) == [(demandes["T-002"], 2)]


# --- Décisions du comité -----------------------------------------------------------------


def _decider(appel, moteur, demande_id, decision, montants, justification="", **kw):
    decisions.enregistrer_decision(
        appel, demande_id, decision, montants, justification, moteur=moteur, auteur="c@x.ca", **kw
    )


def _decisions(moteur, appel) -> list[dict]:
    with moteur.connect() as c:
        return stockage.lire_decisions(appel.id, connexion=c)


@pytest.mark.parametrize(
    ("decision", "montants", "justification", "recommandation", "message"),
    [
        pytest.param("accepté", (0, 0), "x", None, "inconnue", id="decision-inconnue"),
        pytest.param(REFUSE, (1, 0), "x", None, "seule une demande retenue", id="refus-montant"),
        pytest.param(
            LISTE_ATTENTE, (0, 5), "x", None, "seule une demande retenue", id="attente-montant"
        ),
        pytest.param(RETENU, (2_500_001, 0), "x", None, "au-dessus", id="an1-au-dessus"),
        pytest.param(RETENU, (0, 2_500_001), "x", None, "au-dessus", id="an2-au-dessus"),
        pytest.param(RETENU, (-1, 0), "x", None, "négatif", id="negatif"),
        pytest.param(RETENU, (1, 0, 1), "x", None, "au-dessus", id="annee-3"),
        pytest.param(RETENU, (2_000_000, 0), "", None, "justification", id="sans-recommandation"),
        pytest.param(
            RETENU,
            (1_500_000, 0),
            " ",
            (FINANCE, (2_000_000, 0)),
            "justification",
            id="montant-different",
        ),
        pytest.param(
            RETENU, (2_000_000, 0), "", (ATTENTE, (2_000_000, 0)), "justification", id="attente"
        ),
        pytest.param(
            LISTE_ATTENTE, (), "", (FINANCE, (2_000_000, 0)), "justification", id="financee"
        ),
        pytest.param(REFUSE, (), "", (ATTENTE, (2_000_000, 0)), "justification", id="refus"),
    ],
)
def test_decision_refusee(
    moteur, appel, demandes, decision, montants, justification, recommandation, message
):
    with pytest.raises(ErreurFinancement, match=message):
        _decider(
            appel,
            moteur,
            demandes["T-001"],
            decision,
            montants,
            justification,
            recommandation=recommandation,
        )
    assert _decisions(moteur, appel) == []
    assert _journal(moteur, appel).empty


def test_decision_au_plafond_bonifie(moteur, appel, demandes):
    """« La présentation d'un projet conjoint entre plusieurs acteurs municipaux peut
    permettre la bonification de la subvention » : sans bonification fixée, le plafond
    simple ; avec 5 000 $ fixés par la présidence, 30 000 $ par année, pas plus."""
    t2 = demandes["T-002"]
    with pytest.raises(ErreurFinancement, match="au-dessus"):
        _decider(appel, moteur, t2, RETENU, (2_500_001, 0), "sans bonification")
    decisions.fixer_bonification(appel, t2, 500_000, "trois villes", moteur=moteur, auteur="p@x")
    _decider(appel, moteur, t2, RETENU, (3_000_000, 3_000_000), "bonifié")
    with pytest.raises(ErreurFinancement, match="au-dessus"):
        _decider(appel, moteur, t2, RETENU, (3_000_001, 0), "trop")


def test_plafond_des_decisions_comme_au_classement(moteur, appel, demandes):
    """La bonification fixée ne vaut que pour un projet encore conjoint (« un projet
    conjoint entre plusieurs acteurs municipaux ») : réimporté sans ses partenaires, T-002
    retombe au plafond de 25 000 $, pour une décision comme pour un montant recommandé,
    comme au classement."""
    import sqlalchemy as sa

    t2 = demandes["T-002"]
    decisions.fixer_bonification(appel, t2, 500_000, "trois villes", moteur=moteur, auteur="p@x")
    with moteur.begin() as c:
        c.execute(
            sa.text("UPDATE demandes SET projet_conjoint = :f WHERE id = :d"), {"f": False, "d": t2}
        )
    with pytest.raises(ErreurFinancement, match="au-dessus"):
        _decider(appel, moteur, t2, RETENU, (3_000_000, 0), "plus conjoint")
    with pytest.raises(ErreurFinancement, match="dépasse le plafond de"):
        decisions.modifier_montant(appel, t2, 1, 3_000_000, "x", moteur=moteur, auteur="p@x")
    _decider(appel, moteur, t2, RETENU, (2_500_000, 0), "au plafond simple")


def test_decision_an2_refusee_pour_un_appel_d_une_annee(moteur, appel, demandes):
    un_an = _annees(appel, 1, (75_000_000,))
    with pytest.raises(ErreurFinancement, match="au-dessus"):
        _decider(un_an, moteur, demandes["T-001"], RETENU, (1_000_000, 1), "x")
    _decider(un_an, moteur, demandes["T-001"], RETENU, (1_000_000,), "x")
    (d,) = _decisions(moteur, appel)
    assert (d["montant_an1"], d["montant_an2"]) == (1_000_000, 0)


@pytest.mark.parametrize(
    ("decision", "montants", "recommandation"),
    [
        pytest.param(RETENU, (2_000_000, 0), (FINANCE, (2_000_000, 0)), id="retenu-conforme"),
        pytest.param(RETENU, (2_000_000,), (FINANCE, (2_000_000,)), id="montants-completes"),
        pytest.param(
            RETENU,
            (2_000_000, 0),
            (FINANCE, (np.int64(2_000_000), np.int64(0))),
            id="montants-numpy",
        ),
        pytest.param(LISTE_ATTENTE, (), (ATTENTE, (2_000_000, 0)), id="attente-conforme"),
        pytest.param(LISTE_ATTENTE, (0, 0), (ATTENTE, (2_000_000, 0)), id="attente-zeros"),
    ],
)
def test_decision_conforme_sans_justification(
    moteur, appel, demandes, decision, montants, recommandation
):
    _decider(appel, moteur, demandes["T-001"], decision, montants, recommandation=recommandation)
    (d,) = _decisions(moteur, appel)
    assert d["decision"] == decision
    assert d["justification"] is None
    attendus = (*montants, 0, 0)[:2]
    assert (d["montant_an1"], d["montant_an2"]) == attendus


def test_decisions_historique_et_journal(moteur, appel, demandes):
    t1, t2 = demandes["T-001"], demandes["T-002"]
    _decider(appel, moteur, t1, RETENU, (2_000_000, 0), recommandation=(FINANCE, (2_000_000, 0)))
    _decider(appel, moteur, t2, LISTE_ATTENTE, (), "  enveloppe épuisée  ")
    _decider(appel, moteur, t1, REFUSE, (), "dossier incomplet")
    assert _lignes(moteur, "decisions") == 3  # l'historique est gardé
    dernieres = {int(d["demande_id"]): d for d in _decisions(moteur, appel)}
    assert set(dernieres) == {t1, t2}
    assert dernieres[t1]["decision"] == REFUSE
    assert (dernieres[t1]["montant_an1"], dernieres[t1]["montant_an2"]) == (0, 0)
    assert dernieres[t1]["justification"] == "dossier incomplet"
    assert dernieres[t1]["auteur"] == "c@x.ca"
    assert dernieres[t2]["justification"] == "enveloppe épuisée"
    journal = _journal(moteur, appel, "decision")
    assert journal["demande_id"].tolist() == [t1, t2, t1]
    assert journal["ancien"].tolist()[:2] == [None, None]
    retenu = f"{RETENU} ({montant(2_000_000)}, {montant(0)})"
    assert journal.loc[0, "nouveau"] == retenu
    assert journal.loc[1, "nouveau"] == (
        f"{LISTE_ATTENTE} ({montant(0)}, {montant(0)}) : enveloppe épuisée"
    )
    assert journal.loc[2, "ancien"] == retenu
    assert journal.loc[2, "nouveau"] == f"{REFUSE} ({montant(0)}, {montant(0)}) : dossier incomplet"
    assert set(journal["auteur"]) == {"c@x.ca"}


def test_decision_refusee_quand_verrouillee(moteur, appel, demandes):
    t1 = demandes["T-001"]
    _decider(appel, moteur, t1, RETENU, (2_000_000, 0), "première")
    verrouiller(appel.id, True, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    with pytest.raises(ErreurFinancement, match="verrouillées"):
        _decider(appel, moteur, t1, REFUSE, (), "changement d'avis")
    (d,) = _decisions(moteur, appel)
    assert d["decision"] == RETENU
    assert len(_journal(moteur, appel, "decision")) == 1
    # Rouverte par l'administration : la décision peut changer.
    verrouiller(appel.id, False, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    _decider(appel, moteur, t1, REFUSE, (), "changement d'avis")
    assert _decisions(moteur, appel)[0]["decision"] == REFUSE


def test_decision_demande_d_un_autre_appel(moteur, appel, demandes):
    with pytest.raises(ErreurFinancement, match="n'existe pas"):
        _decider(replace(appel, id="autre"), moteur, demandes["T-001"], REFUSE, (), "x")


# --- Adopter un scénario comme décisions -------------------------------------------------


def _scenario(demandes, decisions=("", "", "")) -> pd.DataFrame:
    """T-002 (30 000 $ + 30 000 $) et T-001 (20 000 $) classées, T-002 au-dessus de la
    ligne, T-001 en liste d'attente ; T-003 sous le seuil."""
    return pd.DataFrame(
        {
            "demande_id": [demandes["T-002"], demandes["T-001"], demandes["T-003"]],
            "no_demande": ["T-002", "T-001", "T-003"],
            "statut": [CLASSE, CLASSE, SOUS_SEUIL],
            "rang": [1, 2, pd.NA],
            "financement": [FINANCE, ATTENTE, ""],
            "recommande_an1": [3_000_000, 2_000_000, 1_800_050],
            "recommande_an2": [3_000_000, 0, 0],
            "decision": list(decisions),
        }
    )


def _decisions_par_demande(moteur, appel) -> dict[int, tuple]:
    with moteur.connect() as c:
        lignes = stockage.lire_decisions(appel.id, connexion=c)
    return {
        int(d["demande_id"]): (
            d["decision"],
            d["montant_an1"],
            d["montant_an2"],
            d["justification"],
            d["auteur"],
        )
        for d in lignes
    }


def _journal_des_decisions(moteur, appel) -> list[list]:
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id)
    j = j[j["objet"] == "decision"]
    return j[["demande_id", "auteur", "ancien", "nouveau"]].values.tolist()


def test_adopter_scenario(moteur, appel, demandes):
    t1, t2, t3 = demandes["T-001"], demandes["T-002"], demandes["T-003"]
    n = decisions.adopter_scenario(
        appel,
        _scenario(demandes),
        np.array([True, False, False]),
        "essai",
        moteur=moteur,
        auteur="presidence@x.ca",
    )
    assert n == 2
    justification = "Scénario adopté : essai"
    assert _decisions_par_demande(moteur, appel) == {
        t2: (RETENU, 3_000_000, 3_000_000, justification, "presidence@x.ca"),
        t1: (LISTE_ATTENTE, 0, 0, justification, "presidence@x.ca"),
    }
    assert t3 not in _decisions_par_demande(moteur, appel)
    assert _journal_des_decisions(moteur, appel) == [
        [t2, "presidence@x.ca", None, "retenu (30\u00a0000\u00a0$ + 30\u00a0000\u00a0$) : "
         "scénario « essai »"],
        [t1, "presidence@x.ca", None, "liste d'attente (0\u00a0$ + 0\u00a0$) : scénario « essai »"],
    ]  # fmt: skip

    # Un second scénario remplace le premier ; l'ancienne décision est au journal. Il fait
    # passer la ligne à T-001 et T-002 contre le classement : une raison pour chacune.
    n = decisions.adopter_scenario(
        appel,
        _scenario(demandes, (RETENU, LISTE_ATTENTE, "")),
        np.array([False, True, False]),
        "autre",
        moteur=moteur,
        auteur="presidence@x.ca",
        raisons={t1: "cible régionale", t2: "cible régionale"},
    )
    assert n == 2
    d = _decisions_par_demande(moteur, appel)
    assert d[t2][:3] == (LISTE_ATTENTE, 0, 0)
    assert d[t1][:4] == (RETENU, 2_000_000, 0, "Scénario adopté : autre : cible régionale")
    assert [ancien for _, _, ancien, _ in _journal_des_decisions(moteur, appel)[2:]] == [
        RETENU,
        LISTE_ATTENTE,
    ]


def test_adopter_scenario_refuse_quand_les_decisions_sont_verrouillees(moteur, appel, demandes):
    verrouiller(appel.id, True, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    with pytest.raises(ErreurFinancement, match="verrouillées"):
        decisions.adopter_scenario(
            appel,
            _scenario(demandes),
            np.array([True, False, False]),
            "essai",
            moteur=moteur,
            auteur="presidence@x.ca",
        )
    assert _decisions_par_demande(moteur, appel) == {}
    assert _journal_des_decisions(moteur, appel) == []


def test_adopter_la_meilleure_selection(moteur, appel, demandes):
    """De bout en bout : l'optimisation choisit, l'adoption l'inscrit."""
    table = _scenario(demandes).assign(total=[82.5, 77.5, 50.0], axe=[1, 2, 3])
    a = _appel(appel, (4_000_000, 3_500_000))
    s = portefeuille.optimiser(table, a)
    assert s.choisies.tolist() == [True, False, False]
    decisions.adopter_scenario(a, table, s.choisies, "optimum", moteur=moteur, auteur="p@x.ca")
    assert {k: v[0] for k, v in _decisions_par_demande(moteur, appel).items()} == {
        demandes["T-002"]: RETENU,
        demandes["T-001"]: LISTE_ATTENTE,
    }


def test_les_ecritures_du_comite_ne_changent_pas_les_donnees_lourdes(moteur, appel, demandes):
    """Pondération, montant recommandé, décision, scénario adopté : chacune change la
    version des données (les pages refont leur classement), aucune celle des données
    lourdes (demandes et notes restent gardées pendant la séance). Une écriture de notes,
    elle, change les deux."""

    def versions():
        with moteur.connect() as c:
            return stockage.versions_donnees(connexion=c)

    globale, lourde = versions()
    poids = dict(appel.poids)
    premier, second = list(poids)[:2]
    poids[premier] += 5
    poids[second] -= 5
    decisions.adopter_poids(appel, poids, moteur=moteur, auteur="p@x.ca")
    assert versions() == (globale + 1, lourde)
    decisions.modifier_montant(
        appel, demandes["T-001"], 1, 1_500_000, "révisé", moteur=moteur, auteur="p@x.ca"
    )
    assert versions() == (globale + 2, lourde)
    _decider(appel, moteur, demandes["T-003"], REFUSE, (0, 0), "hors programme")
    assert versions() == (globale + 3, lourde)
    decisions.adopter_scenario(
        appel,
        _scenario(demandes),
        np.array([True, False, False]),
        "essai",
        moteur=moteur,
        auteur="p@x.ca",
    )
    assert versions() == (globale + 4, lourde)
    verrouiller(appel.id, True, moteur=moteur, auteur="p@x.ca")
    assert versions() == (globale + 5, lourde + 1)


# --- Bonification d'un projet conjoint ------------------------------------------------------


def _bonifications(moteur, appel) -> list[dict]:
    with moteur.connect() as c:
        return stockage.lire_bonifications(appel.id, connexion=c)


@pytest.mark.parametrize(
    ("numero", "nouveau", "raison", "message"),
    [
        pytest.param("T-002", 500_000, "", "raison", id="sans-raison"),
        pytest.param("T-002", 500_000, "   ", "raison", id="raison-blanche"),
        pytest.param("T-002", 1_000_001, "x", "bonification maximale", id="au-dessus-du-max"),
        pytest.param("T-002", -1, "x", "négative", id="negative"),
        pytest.param("T-001", 100, "x", "pas un projet conjoint", id="projet-d-une-seule-ville"),
    ],
)
def test_bonification_refusee(moteur, appel, demandes, numero, nouveau, raison, message):
    """« La présentation d'un projet conjoint entre plusieurs acteurs municipaux peut
    permettre la bonification de la subvention » : seulement un projet conjoint, avec une
    raison, jamais au-dessus du plafond que le comité s'est donné (10 000 $)."""
    with pytest.raises(ErreurFinancement, match=message):
        decisions.fixer_bonification(
            appel, demandes[numero], nouveau, raison, moteur=moteur, auteur="p@x.ca"
        )
    assert _bonifications(moteur, appel) == []
    assert _journal(moteur, appel).empty


def test_bonification_fixee_journalisee_et_reprise_au_classement(moteur, appel, demandes):
    from evaluation.decision import chargement, classement

    t2 = demandes["T-002"]
    decisions.fixer_bonification(
        appel, t2, 1_000_000, " trois villes ", moteur=moteur, auteur="presidence@x.ca"
    )
    (b,) = _bonifications(moteur, appel)
    assert (b["montant"], b["raison"]) == (1_000_000, "trois villes")
    journal = _journal(moteur, appel, "bonification")
    assert journal["ancien"].tolist() == [montant(0)]
    assert journal["nouveau"].tolist() == [f"{montant(1_000_000)} (trois villes)"]
    table = classement.classement(appel, chargement.charger(appel, moteur=moteur))
    ligne = table.set_index("demande_id").loc[t2]
    # 30 000 $ demandés et admissibles chaque année, plafond 25 000 $ + 10 000 $.
    assert (ligne["bonification"], ligne["plafond"]) == (1_000_000, 3_500_000)
    assert (ligne["recommande_an1"], ligne["recommande_an2"]) == (3_000_000, 3_000_000)
    # La même valeur : rien de neuf ; le retour à 0 $ est journalisé.
    decisions.fixer_bonification(appel, t2, 1_000_000, "idem", moteur=moteur, auteur="p@x.ca")
    assert len(_journal(moteur, appel, "bonification")) == 1
    decisions.fixer_bonification(appel, t2, 0, "revu", moteur=moteur, auteur="p@x.ca")
    assert _journal(moteur, appel, "bonification")["nouveau"].tolist()[-1] == (
        f"{montant(0)} (revu)"
    )


def test_bonification_perimee(moteur, appel, demandes):
    t2 = demandes["T-002"]
    decisions.fixer_bonification(appel, t2, 100, "a", moteur=moteur, auteur="p@x.ca")
    with pytest.raises(financement.FinancementPerime):
        decisions.fixer_bonification(
            appel, t2, 200, "b", moteur=moteur, auteur="q@x.ca", version_attendue=0
        )
