"""Financement : plafond (bonifié pour un projet conjoint) et montants par défaut, ligne de
financement dans les deux modes (dont deux années financières où la seconde s'épuise la
première), montants modifiés par la présidence et décisions du comité, journalisés et
verrouillables, sur SQLite et PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.decision import decisions, financement
from evaluation.decision.financement import (
    ATTENTE,
    FINANCE,
    LISTE_ATTENTE,
    REFUSE,
    RETENU,
    ErreurFinancement,
)
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes.attributions import verrouiller
from evaluation.socle import stockage
from evaluation.socle.formats import montant
from tests.conftest import DONNEES

VALIDE = DONNEES / "formats" / "valide.xlsx"
F, A = FINANCE, ATTENTE


def _annees(appel, nombre: int, enveloppe: tuple[int, ...]):
    return replace(
        appel,
        financement=replace(appel.financement, nombre_annees_max=nombre, enveloppe=enveloppe),
    )


def test_appel_livre(appel):
    f = appel.financement
    assert (f.plafond_annuel, f.bonification_projet_conjoint) == (2_500_000, 1_000_000)
    assert f.enveloppe == (75_000_000, 50_000_000)
    assert f.nombre_annees_max == 2
    assert (f.plafond(False), f.plafond(True)) == (2_500_000, 3_500_000)


# --- Plafonds et montants par défaut ------------------------------------------------------


@pytest.mark.parametrize(
    ("conjoint", "an1", "an2", "plafond", "attendus"),
    [
        pytest.param(False, 2_000_000, 1_000_000, 2_500_000, [2_000_000, 1_000_000], id="sous"),
        pytest.param(False, 2_500_000, 2_500_000, 2_500_000, [2_500_000, 2_500_000], id="egal"),
        pytest.param(False, 3_000_000, 2_600_000, 2_500_000, [2_500_000, 2_500_000], id="plafonne"),
        pytest.param(True, 3_000_000, 3_500_000, 3_500_000, [3_000_000, 3_500_000], id="bonifie"),
        pytest.param(True, 4_000_000, 9_000_000, 3_500_000, [3_500_000, 3_500_000], id="conj-pl"),
        pytest.param(None, 3_000_000, 0, 2_500_000, [2_500_000, 0], id="conjoint-inconnu"),
        pytest.param(False, None, None, 2_500_000, [0, 0], id="montants-absents"),
        pytest.param(False, 1_800_050, np.nan, 2_500_000, [1_800_050, 0], id="an2-nan"),
        pytest.param(True, "1500000", None, 3_500_000, [1_500_000, 0], id="texte-numerique"),
    ],
)
def test_plafonds_et_montants_par_defaut(appel, conjoint, an1, an2, plafond, attendus):
    demandes = pd.DataFrame(
        [{"projet_conjoint": conjoint, "montant_demande_an1": an1, "montant_demande_an2": an2}]
    )
    assert financement.plafonds(demandes, appel).tolist() == [plafond]
    defaut = financement.montants_par_defaut(demandes, appel)
    assert defaut.shape == (1, 2)
    assert defaut.dtype == np.int64
    assert defaut[0].tolist() == attendus


@pytest.mark.parametrize(
    ("nombre", "enveloppe", "colonnes"),
    [
        pytest.param(1, (75_000_000,), [[2_500_000], [3_000_000]], id="une-annee"),
        pytest.param(2, (75_000_000, 50_000_000), [[2_500_000, 9], [3_000_000, 0]], id="deux"),
        pytest.param(3, (1, 1, 1), [[2_500_000, 9], [3_000_000, 0]], id="trois-deux-connues"),
    ],
)
def test_montants_au_dela_des_annees_financees(appel, nombre, enveloppe, colonnes):
    """Une année que l'appel ne finance pas n'a pas de colonne ; au-delà des deux années que
    la demande connaît, rien non plus."""
    appel = _annees(appel, nombre, enveloppe)
    demandes = pd.DataFrame(
        {
            "projet_conjoint": [False, True],
            "montant_demande_an1": [2_600_000, 3_000_000],
            "montant_demande_an2": [9, None],
        }
    )
    assert financement.nombre_annees(appel) == min(nombre, 2)
    assert financement.montants_par_defaut(demandes, appel).tolist() == colonnes


def test_montants_recommandes_remplaces_par_les_modifications(appel):
    demandes = pd.DataFrame(
        {
            "id": [10, 20],
            "projet_conjoint": [False, True],
            "montant_demande_an1": [2_000_000, 3_000_000],
            "montant_demande_an2": [1_000_000, 3_000_000],
        }
    )
    modifications = [
        {"demande_id": 20, "annee": 2, "montant": 1_234_500},
        {"demande_id": 10, "annee": 1, "montant": 0},
        {"demande_id": 99, "annee": 1, "montant": 5},  # une demande absente : ignorée
        {"demande_id": 10, "annee": 3, "montant": 5},  # une année hors de l'appel : ignorée
    ]
    montants, retenues = financement.montants_recommandes(demandes, appel, modifications)
    assert montants.tolist() == [[0, 1_000_000], [3_000_000, 1_234_500]]
    assert set(retenues) == {(20, 2), (10, 1)}


# --- Ligne de financement -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("montants", "enveloppe", "stricte", "remplissage"),
    [
        pytest.param([], (100, 50), [], [], id="liste-vide"),
        pytest.param([[100, 50]], (100, 50), [F], [F], id="ajuste-exact"),
        pytest.param([[60, 20], [40, 30]], (100, 50), [F, F], [F, F], id="cumul-exact"),
        pytest.param([[101, 0]], (100, 50), [A], [A], id="un-cent-de-trop"),
        pytest.param(
            [[30, 20], [30, 20], [30, 20], [10, 0]],
            (100, 50),
            [F, F, A, A],
            [F, F, A, F],
            id="an2-s-epuise-d-abord",
        ),
        pytest.param(
            [[10, 30], [10, 30], [10, 0], [10, 20]],
            (100, 50),
            [F, A, A, A],
            [F, A, F, F],
            id="an2-saute-puis-remplit",
        ),
        pytest.param(
            [[60, 0], [50, 0], [40, 0], [30, 0]],
            (100, 50),
            [F, A, A, A],
            [F, A, F, A],
            id="an1-remplissage",
        ),
        pytest.param(
            [[0, 0], [200, 0], [0, 0]], (100, 50), [F, A, A], [F, A, F], id="montants-nuls"
        ),
        pytest.param([[30], [80], [20]], (100,), [F, A, A], [F, A, F], id="une-annee"),
        pytest.param(
            [[30, 10], [80, 10]], (100, 50, 999), [F, A], [F, A], id="enveloppe-plus-longue"
        ),
    ],
)
@pytest.mark.parametrize("mode", ["stricte", "remplissage"])
def test_ligne_de_financement(mode, montants, enveloppe, stricte, remplissage):
    attendus = stricte if mode == "stricte" else remplissage
    annees = len(montants[0]) if montants else 2
    m = np.array(montants, dtype=np.int64).reshape(len(montants), annees)
    ligne = financement.ligne_de_financement(m, enveloppe, mode)
    assert ligne.statuts.tolist() == attendus
    assert ligne.cumuls.shape == (len(montants), annees)
    assert ligne.cumuls.tolist() == np.cumsum(m, axis=0).tolist()
    finance = np.array(attendus) == F
    assert ligne.finances.tolist() == m[finance].sum(axis=0).tolist()
    assert ligne.restant.tolist() == (np.array(enveloppe[:annees]) - ligne.finances).tolist()
    assert (ligne.restant >= 0).all()
    positions = np.flatnonzero(finance)
    assert ligne.derniere_financee == (int(positions[-1]) if len(positions) else None)


def test_ligne_de_financement_mode_inconnu():
    with pytest.raises(ValueError, match="inconnu"):
        financement.ligne_de_financement(np.array([[1, 1]]), (10, 10), "glouton")


@settings(max_examples=200, deadline=None)
@given(
    montants=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=0, max_size=12),
    enveloppe=st.tuples(st.integers(0, 150), st.integers(0, 150)),
)
def test_propriete_ligne(montants, enveloppe):
    """Les deux modes tiennent dans chaque enveloppe ; « stricte » finance un début de
    liste, que « remplissage » finance aussi (puis il peut en financer d'autres)."""
    m = np.array(montants, dtype=np.int64).reshape(len(montants), 2)
    stricte = financement.ligne_de_financement(m, enveloppe, "stricte")
    remplissage = financement.ligne_de_financement(m, enveloppe, "remplissage")
    fs, fr = stricte.statuts == F, remplissage.statuts == F
    for ligne, f in ((stricte, fs), (remplissage, fr)):
        assert (m[f].sum(axis=0) <= np.array(enveloppe)).all()
        assert (ligne.restant >= 0).all()
    assert fs.tolist() == sorted(fs.tolist(), reverse=True)
    assert (fr | ~fs).all()  # chaque financée en mode strict l'est en remplissage


# --- Montants modifiés par la présidence (base) -------------------------------------------


@pytest.fixture
def demandes(moteur, appel):
    """valide.xlsx : T-001 (20 000 $ an 1, rien an 2), T-002 (conjoint, 30 000 $ par an),
    T-003 (18 000,50 $) ; {numéro: identifiant}."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


def _modifications(moteur, appel) -> list[dict]:
    with moteur.connect() as c:
        return stockage.lire_montants_recommandes(appel.id, connexion=c)


def _journal(moteur, appel, objet: str | None = None) -> pd.DataFrame:
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id)
    if objet is not None:
        journal = journal[journal["objet"] == objet]
    return journal.reset_index(drop=True)


def _lignes(moteur, table: str) -> int:
    with moteur.connect() as c:
        return c.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()


@pytest.mark.parametrize(
    ("numero", "annee", "nouveau", "raison", "message"),
    [
        pytest.param("T-001", 1, -1, "x", "négatif", id="negatif"),
        pytest.param("T-001", 1, 2_500_001, "", "dépasse le plafond", id="au-dessus-plafond"),
        pytest.param("T-002", 1, 3_500_001, "", "dépasse le plafond", id="conjoint-au-dessus"),
        pytest.param("T-001", 1, 1_999_999, "", "demande une raison", id="reduction-sans-raison"),
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
        pytest.param("T-001", 1, 2_500_000, id="hausse-au-plafond-sans-raison"),
        pytest.param("T-002", 2, 3_500_000, id="conjoint-au-plafond-bonifie"),
        pytest.param("T-001", 2, 1_000_000, id="an2-sans-demande"),
    ],
)
def test_modifier_montant_hausse_sans_raison(moteur, appel, demandes, numero, annee, nouveau):
    decisions.modifier_montant(
        appel, demandes[numero], annee, nouveau, "", moteur=moteur, auteur="p@x.ca"
    )
    (m,) = _modifications(moteur, appel)
    assert (m["demande_id"], m["annee"], m["montant"], m["raison"]) == (
        demandes[numero],
        annee,
        nouveau,
        None,
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
        appel, demandes["T-003"], 1, 1_800_050, "", moteur=moteur, auteur="p@x.ca"
    )
    assert _modifications(moteur, appel) == []
    assert _journal(moteur, appel).empty


def test_modifier_montant_an2_journalise_an2(moteur, appel, demandes):
    decisions.modifier_montant(
        appel, demandes["T-002"], 2, 2_000_000, "réduit", moteur=moteur, auteur="p@x.ca"
    )
    journal = _journal(moteur, appel)
    assert journal["objet"].tolist() == ["montant_recommande:an2"]
    assert journal.loc[0, "ancien"] == montant(3_000_000)


def test_modifier_montant_refuse_quand_les_decisions_sont_verrouillees(moteur, appel, demandes):
    verrouiller(appel.id, True, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    avant = len(_journal(moteur, appel))
    with pytest.raises(ErreurFinancement, match="verrouillées"):
        decisions.modifier_montant(
            appel, demandes["T-001"], 1, 2_500_000, "", moteur=moteur, auteur="p@x.ca"
        )
    assert _modifications(moteur, appel) == []
    assert len(_journal(moteur, appel)) == avant
    # Le verrou des évaluations, lui, ne bloque pas les montants.
    verrouiller(appel.id, False, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    verrouiller(appel.id, True, moteur=moteur, auteur="admin@x.ca")
    decisions.modifier_montant(
        appel, demandes["T-001"], 1, 2_500_000, "", moteur=moteur, auteur="p@x.ca"
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
    assert montants.tolist() == [[2_000_000, 0], [3_000_000, 1_000_000], [1_800_050, 0]]
    assert list(retenues) == [(demandes["T-002"], 2)]


# --- Décisions du comité (base) -----------------------------------------------------------


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
    _decider(appel, moteur, demandes["T-002"], RETENU, (3_500_000, 3_500_000), "bonifié")
    with pytest.raises(ErreurFinancement, match="au-dessus"):
        _decider(appel, moteur, demandes["T-002"], RETENU, (3_500_001, 0), "trop")


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


@pytest.mark.parametrize("mode", ["stricte", "remplissage"])
def test_ligne_de_financement_liste_python_vide(mode):
    ligne = financement.ligne_de_financement([], (100, 50), mode)
    assert ligne.statuts.tolist() == []
    assert ligne.finances.tolist() == [0, 0]
    assert ligne.restant.tolist() == [100, 50]
    assert ligne.derniere_financee is None


def test_verrouiller_les_decisions_fige_aussi_les_notes(moteur, appel):
    from evaluation.notes import attributions

    attributions.verrouiller(
        appel.id, True, moteur=moteur, auteur="pres@x.ca", quoi="decisions_verrouillees"
    )
    reglages = attributions.charger(appel.id, moteur=moteur).reglages
    assert reglages.decisions_verrouillees and reglages.verrouille
    attributions.verrouiller(
        appel.id, False, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees"
    )
    reglages = attributions.charger(appel.id, moteur=moteur).reglages
    assert not reglages.decisions_verrouillees and reglages.verrouille
