"""Issue 16 : qui a déclaré un conflit d'intérêts sur une demande n'en décide rien, quel que
soit son rôle (décision, montant recommandé, bonification, scénario adopté), et une décision
ne s'inscrit pas sans quorum de présents sans conflit quand l'appel en fixe un. Refusé côté
serveur (decision/decisions.py), sur SQLite et PostgreSQL.

Règle de procédure du comité (un membre en conflit sort de la salle et ne décide pas),
et réglage du comité pour le quorum ([comite] quorum) : l'appel n'en dit rien."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from evaluation.decision import decisions
from evaluation.decision.declarations import declarer_conflit
from evaluation.decision.financement import LISTE_ATTENTE, REFUSE, RETENU, ErreurFinancement
from evaluation.socle import stockage
from tests.decision.test_decisions import _scenario

PRESIDENCE = "presidence@x.ca"
MEMBRE = "membre@x.ca"
T = dt.datetime(2026, 11, 24, 9, 0)


def _conflit(appel, moteur, demande_id, qui, raison):
    declarer_conflit(appel, demande_id, qui, raison, moteur=moteur, auteur=qui, maintenant=T)


def _lignes(moteur, table) -> int:
    with moteur.connect() as c:
        return c.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()


def _objets_du_journal(moteur, appel) -> list[str]:
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id)
    return sorted(set(j["objet"]) - {"admissibilite:examen", "conflit"})


@pytest.fixture
def en_conflit(moteur, appel, demandes):
    """La présidence a déclaré un conflit sur T-001 et T-002 ; une personne sans compte
    (Jean Tremblay), sur T-001."""
    _conflit(appel, moteur, demandes["T-001"], PRESIDENCE, "sa sœur y travaille")
    _conflit(appel, moteur, demandes["T-002"], PRESIDENCE, "ancien employeur")
    _conflit(appel, moteur, demandes["T-001"], "Jean Tremblay", "voisin")
    return demandes


def test_decision_refusee_a_qui_est_en_conflit(moteur, appel, en_conflit):
    with pytest.raises(
        ErreurFinancement,
        match=r"conflit d'intérêts sur T-001 \(sa sœur y travaille\) : vous ne pouvez pas "
        "décider",
    ):
        decisions.enregistrer_decision(
            appel, en_conflit["T-001"], REFUSE, (), "x", moteur=moteur, auteur=PRESIDENCE
        )
    assert _lignes(moteur, "decisions") == 0
    assert _objets_du_journal(moteur, appel) == []
    # Même personne, autre casse : le même courriel.
    with pytest.raises(ErreurFinancement, match="T-001"):
        decisions.enregistrer_decision(
            appel, en_conflit["T-001"], REFUSE, (), "x", moteur=moteur, auteur="Presidence@X.ca"
        )
    # Un membre sans conflit décide ; la présidence décide d'une demande sans conflit.
    decisions.enregistrer_decision(
        appel, en_conflit["T-001"], REFUSE, (), "x", moteur=moteur, auteur=MEMBRE
    )
    decisions.enregistrer_decision(
        appel, en_conflit["T-003"], REFUSE, (), "x", moteur=moteur, auteur=PRESIDENCE
    )
    assert _lignes(moteur, "decisions") == 2


def test_montant_recommande_refuse_a_qui_est_en_conflit(moteur, appel, en_conflit):
    with pytest.raises(
        ErreurFinancement, match=r"T-001 \(sa sœur y travaille\) : vous ne pouvez pas modifier"
    ):
        decisions.modifier_montant(
            appel, en_conflit["T-001"], 1, 100_000, "x", moteur=moteur, auteur=PRESIDENCE
        )
    assert _lignes(moteur, "montants_recommandes") == 0
    decisions.modifier_montant(
        appel, en_conflit["T-001"], 1, 100_000, "x", moteur=moteur, auteur=MEMBRE
    )
    assert _lignes(moteur, "montants_recommandes") == 1


def test_bonification_refusee_a_qui_est_en_conflit(moteur, appel, en_conflit):
    with pytest.raises(
        ErreurFinancement, match=r"T-002 \(ancien employeur\) : vous ne pouvez pas fixer"
    ):
        decisions.fixer_bonification(
            appel, en_conflit["T-002"], 500_000, "x", moteur=moteur, auteur=PRESIDENCE
        )
    assert _lignes(moteur, "bonifications") == 0
    decisions.fixer_bonification(
        appel, en_conflit["T-002"], 500_000, "x", moteur=moteur, auteur=MEMBRE
    )
    assert _lignes(moteur, "bonifications") == 1


def test_scenario_qui_change_une_demande_en_conflit_refuse(moteur, appel, en_conflit):
    """T-002 retenue, T-001 en liste d'attente : la présidence, en conflit sur les deux, ne
    peut pas l'adopter ; le message nomme les deux demandes et leurs conflits."""
    with pytest.raises(ErreurFinancement) as refus:
        decisions.adopter_scenario(
            appel,
            _scenario(en_conflit),
            np.array([True, False, False]),
            "essai",
            moteur=moteur,
            auteur=PRESIDENCE,
        )
    assert str(refus.value) == (
        "ce scénario change la décision des demandes T-002 (conflit d'intérêts déclaré : "
        "ancien employeur), T-001 (conflit d'intérêts déclaré : sa sœur y travaille) : vous "
        "ne pouvez pas l'adopter. Un membre sans conflit l'adopte, ou retirez ces demandes du "
        "scénario."
    )
    assert _lignes(moteur, "decisions") == 0
    assert _objets_du_journal(moteur, appel) == []


def test_scenario_qui_ne_change_pas_les_demandes_en_conflit_adopte(moteur, appel, en_conflit):
    """Un membre adopte d'abord le scénario ; la présidence adopte ensuite un scénario qui
    laisse T-001 et T-002 comme elles sont : accepté. S'il change T-002 : refusé, T-002
    seule nommée."""
    choisies = np.array([True, False, False])
    decisions.adopter_scenario(
        appel, _scenario(en_conflit), choisies, "un", moteur=moteur, auteur=MEMBRE
    )
    assert (
        decisions.adopter_scenario(
            appel, _scenario(en_conflit), choisies, "deux", moteur=moteur, auteur=PRESIDENCE
        )
        == 2
    )
    with pytest.raises(ErreurFinancement, match=r"de la demande T-002 \(conflit") as refus:
        decisions.adopter_scenario(
            appel,
            _scenario(en_conflit),
            np.array([False, False, False]),
            "trois",
            moteur=moteur,
            auteur=PRESIDENCE,
        )
    assert "T-001" not in str(refus.value)
    with moteur.connect() as c:
        derniere = {
            int(x["demande_id"]): x["decision"]
            for x in stockage.lire_decisions(appel.id, connexion=c)
        }
    assert derniere == {en_conflit["T-002"]: RETENU, en_conflit["T-001"]: LISTE_ATTENTE}


# --- Quorum --------------------------------------------------------------------------------


PRESENTS = [PRESIDENCE, MEMBRE, "b@x.ca", "Jean Tremblay", "obs@x.ca"]


@pytest.fixture
def comptes_du_comite(moteur):
    """La présidence, deux membres et un observateur ont un compte ; Jean Tremblay, non."""
    from evaluation.socle.comptes import creer_compte

    for courriel, role in [
        (PRESIDENCE, "president"),
        (MEMBRE, "membre"),
        ("b@x.ca", "membre"),
        ("obs@x.ca", "observateur"),
    ]:
        creer_compte(courriel, role, "cheval agrafe batterie correcte", moteur=moteur, nom=courriel)


@pytest.mark.parametrize(
    ("quorum", "presents", "refus"),
    [
        pytest.param(
            3,
            PRESENTS,
            "quorum non atteint pour T-001 : 2 membres présents sans conflit d'intérêts, 3 requis",
            id="la-presidence-sort-sous-le-quorum",
        ),
        pytest.param(2, PRESENTS, None, id="quorum-tenu"),
        pytest.param(
            3,
            [MEMBRE, "Membre@X.ca", "b@x.ca"],
            "2 membres présents sans conflit",
            id="une-personne-nommee-deux-fois-compte-une-fois",
        ),
        pytest.param(
            2,
            [MEMBRE, "Jean Tremblay", "obs@x.ca", "Marie Roy"],
            "1 membre présent sans conflit",
            id="observateur-et-sans-compte-ne-votent-pas",
        ),
        pytest.param(3, None, "une décision s'inscrit en séance", id="sans-seance-ouverte"),
        pytest.param(0, [MEMBRE], None, id="quorum-0-non-verifie"),
        pytest.param(1, [], "0 membre présent sans conflit", id="personne"),
    ],
)
def test_quorum_avant_la_decision(
    moteur, appel, en_conflit, comptes_du_comite, quorum, presents, refus
):
    """« A quorum (number of members present without conflict, a call setting) is checked
    before a decision is recorded » (issue 16). Votent les comptes de la présidence et des
    membres (interprétation) ; la présidence, en conflit sur T-001, sort. Sans présents
    donnés ni séance ouverte, un appel à quorum refuse la décision."""
    a = replace(appel, quorum=quorum)

    def decider():
        decisions.enregistrer_decision(
            a, en_conflit["T-001"], REFUSE, (), "x", moteur=moteur, auteur=MEMBRE, presents=presents
        )

    if refus is None:
        decider()
        assert _lignes(moteur, "decisions") == 1
        return
    with pytest.raises(ErreurFinancement, match=refus):
        decider()
    assert _lignes(moteur, "decisions") == 0


def test_le_quorum_de_la_seance_ne_compte_que_les_comptes_actifs_inscrits_par_leur_compte(
    moteur, appel, en_conflit, comptes_du_comite
):
    """Présents lus de la séance ouverte : une personne sans compte dont le nom saisi est le
    courriel d'un membre ne vote pas ; un compte désactivé non plus (revue de l'issue 16).
    Quorum 2 : le membre seul par son compte ne suffit pas ; avec le second membre inscrit
    par son compte, si."""
    from evaluation.decision import conduite
    from evaluation.socle.comptes import modifier_compte
    from evaluation.socle.roles import PRESIDENT

    a = replace(appel, quorum=2)
    t2 = en_conflit["T-003"]
    sid = conduite.ouvrir(
        a,
        moteur=moteur,
        auteur=PRESIDENCE,
        role=PRESIDENT,
        ordre="rang",
        presents=[MEMBRE],
        sans_compte=[("B@X.CA", "stagiaire"), ("Presidence@x.ca", "invitée")],
    )

    def decider():
        decisions.enregistrer_decision(a, t2, REFUSE, (), "x", moteur=moteur, auteur=PRESIDENCE)

    with pytest.raises(ErreurFinancement, match="1 membre présent sans conflit"):
        decider()
    conduite.ajouter_presents(
        a, sid, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT, presents=["b@x.ca"]
    )
    modifier_compte("b@x.ca", moteur=moteur, auteur=PRESIDENCE, actif=False)
    with pytest.raises(ErreurFinancement, match="1 membre présent sans conflit"):
        decider()
    modifier_compte("b@x.ca", moteur=moteur, auteur=PRESIDENCE, actif=True)
    decider()
    assert _lignes(moteur, "decisions") == 1
