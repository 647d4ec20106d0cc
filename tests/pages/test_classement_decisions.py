"""La page Classement, issue 16 (« Decisions stay coherent ») : plusieurs demandes choisies
dans le tableau et décidées ensemble avec une raison ; après un montant recommandé modifié,
une demande retenue à l'ancien montant montre les deux et propose de mettre la décision à
jour. Le jeu est celui de test_classement.py (T-002 rang 1, financée, 30 000 $ + 30 000 $ ;
T-001 rang 2, liste d'attente, 20 000 $ ; T-003 sous le seuil)."""

import pytest
from streamlit.testing.v1.element_tree import Button

from evaluation.decision import decisions, financement
from evaluation.socle.roles import OBSERVATEUR, PRESIDENT
from tests.pages.conftest import rendu, textes
from tests.pages.test_classement import (
    PAGE,
    _decisions_stockees,
    _montant,
    dollars,
    erreurs,
    executer,
    journal,
    preparer,
    succes,
)


@pytest.fixture
def jeu(base):
    return preparer(base)


@pytest.fixture
def appel(jeu):
    return jeu[0]


@pytest.fixture
def ids(jeu):
    return jeu[1]


@pytest.fixture
def ouvrir(application, jeu):
    def ouvrir_page(role=PRESIDENT):
        at = application(PAGE, role=role)
        assert at.title[0].value == "Classement"
        return at

    return ouvrir_page


PRESIDENCE = "president@exemple.qc.ca"


def _choisir(at, lignes: list[int], tour: int = 0):
    """Coche les lignes `lignes` du tableau des décisions groupées (AppTest écrit la
    sélection d'un `st.dataframe` dans l'état de session, sous sa clé)."""
    at.session_state[f"lot_tableau::{tour}"] = {
        "selection": {"rows": lignes, "columns": [], "cells": []}
    }
    return executer(at)


def _juste_apres(at, cle: str):
    """L'élément qui suit le bouton `cle` dans son conteneur : le message sous le bouton."""
    a_voir = [at.main]
    while a_voir:
        bloc = a_voir.pop()
        enfants = list(getattr(bloc, "children", {}).values())
        for i, e in enumerate(enfants):
            if isinstance(e, Button) and e.key == cle:
                return enfants[i + 1] if i + 1 < len(enfants) else None
        a_voir.extend(enfants)
    raise AssertionError(f"bouton {cle} introuvable")


def avertissements(at) -> list[str]:
    return [rendu(w.value) for w in at.warning]


# --- Décisions groupées ---------------------------------------------------------------------


def test_tableau_des_classees_a_cocher(ouvrir):
    at = ouvrir(PRESIDENT)
    (tableau,) = [d for d in at.dataframe if d.key == "lot_tableau::0"]
    assert tableau.value["No"].tolist() == ["T-002", "T-001"]  # les classées, par rang
    # Issue 19 : « financé » est la position au classement ; la décision a sa colonne.
    assert tableau.value["Position au classement"].tolist() == ["financé", "liste d'attente"]
    assert tableau.value["Décision du comité"].tolist() == ["", ""]
    assert "Recommandation" not in tableau.value.columns
    bouton = at.button(key="lot_enregistrer")
    assert bouton.label == "Choisissez des demandes dans le tableau" and bouton.disabled
    assert "Choisies : aucune." in [c.value for c in at.caption]


def test_decider_plusieurs_demandes_avec_une_raison(ouvrir, appel, ids, moteur):
    at = ouvrir(PRESIDENT)
    _choisir(at, [1, 0])
    assert "Choisies : T-002, T-001." in [c.value for c in at.caption]
    bouton = at.button(key="lot_enregistrer")
    assert bouton.label == "Décider 2 demandes choisies" and not bouton.disabled

    # Sans raison : refusé, sous le bouton, rien d'écrit ; la sélection reste.
    at.radio(key="lot_decision").set_value(financement.RETENU)
    at.button(key="lot_enregistrer").click()
    executer(at)
    refus = (
        "Décisions refusées : une décision groupée demande une justification, la même pour "
        "toutes les demandes choisies."
    )
    assert refus in erreurs(at)
    assert rendu(_juste_apres(at, "lot_enregistrer").value) == refus
    assert _decisions_stockees(moteur, appel) == {}
    assert at.button(key="lot_enregistrer").label == "Décider 2 demandes choisies"

    at.text_area(key="lot_justification").set_value("Deux projets régionaux complémentaires")
    at.button(key="lot_enregistrer").click()
    executer(at)
    message = "Décision « retenu » inscrite pour 2 demandes : T-002, T-001."
    assert message in succes(at)
    assert rendu(_juste_apres(at, "lot_enregistrer").value) == message
    raison = "Deux projets régionaux complémentaires"
    assert _decisions_stockees(moteur, appel) == {
        ids["T-002"]: ("retenu", 3_000_000, 3_000_000, raison),
        ids["T-001"]: ("retenu", 2_000_000, 0, raison),
    }
    assert [n for _, _, n in journal(moteur, appel, "decision")] == [
        dollars(f"retenu (30 000 $, 30 000 $) : {raison} (décision groupée)"),
        dollars(f"retenu (20 000 $, 0 $) : {raison} (décision groupée)"),
    ]
    # La sélection repart vide, le tableau montre les décisions.
    (tableau,) = [d for d in at.dataframe if d.key == "lot_tableau::1"]
    assert tableau.value["Décision du comité"].tolist() == ["retenu", "retenu"]
    assert at.button(key="lot_enregistrer").disabled


def test_decisions_groupees_refusees_en_conflit(ouvrir, appel, ids, moteur):
    """La présidence a déclaré un conflit sur T-001 : le lot T-002 + T-001 est refusé en
    entier, T-001 nommée sous le bouton."""
    from evaluation.decision.declarations import declarer_conflit

    declarer_conflit(appel, ids["T-001"], PRESIDENCE, "sa sœur y travaille", moteur=moteur,
                     auteur=PRESIDENCE)  # fmt: skip
    at = ouvrir(PRESIDENT)
    _choisir(at, [0, 1])
    at.radio(key="lot_decision").set_value(financement.REFUSE)
    at.text_area(key="lot_justification").set_value("hors priorités")
    at.button(key="lot_enregistrer").click()
    executer(at)
    (erreur,) = [e for e in erreurs(at) if e.startswith("Décisions refusées")]
    assert erreur.startswith(
        "Décisions refusées : vous avez déclaré un conflit d'intérêts sur T-001 (sa sœur y "
        "travaille)"
    )
    assert _decisions_stockees(moteur, appel) == {}


def test_observateur_ne_decide_pas_en_lot(ouvrir):
    at = ouvrir(OBSERVATEUR)
    assert not [d for d in at.dataframe if (d.key or "").startswith("lot_tableau")]
    assert "lot_enregistrer" not in {b.key for b in at.button}


# --- Montant recommandé modifié après une décision -----------------------------------------


def _retenir_t002(appel, ids, moteur):
    decisions.enregistrer_decision(
        appel, ids["T-002"], financement.RETENU, (3_000_000, 3_000_000), "",
        recommandation=(financement.FINANCE, (3_000_000, 3_000_000)),
        moteur=moteur, auteur=PRESIDENCE,
    )  # fmt: skip


AVERTISSEMENT = (
    "T-002 : décision « retenu » à 30 000 $ + 30 000 $ ; montant recommandé en vigueur : "
    "20 000 $ + 30 000 $. Mettre la décision à jour au nouveau montant ?"
)


def test_montant_modifie_apres_la_decision_mise_a_jour(ouvrir, appel, ids, moteur):
    """Retenue à 30 000 $, la recommandation baissée à 20 000 $ : les deux montants sous le
    contrôle du montant, et la décision mise à jour d'un clic (justifiée, journalisée)."""
    _retenir_t002(appel, ids, moteur)
    at = ouvrir(PRESIDENT)
    assert "mt_maj_decision" not in {b.key for b in at.button}
    _montant(at, ids["T-002"], 1, 20000.0, "Volet promotion retiré")
    assert dollars(AVERTISSEMENT) in avertissements(at)
    # Le contrôle de la décision le dit aussi, avec le montant de la décision.
    assert dollars(
        "Montant recommandé : 20 000 $ + 30 000 $ · position au classement : financé · "
        "décision du comité : retenu (30 000 $ + 30 000 $)"
    ) in textes(at)
    at.button(key="mt_maj_decision").click()
    executer(at)
    assert _decisions_stockees(moteur, appel)[ids["T-002"]] == (
        "retenu",
        2_000_000,
        3_000_000,
        "Montant accordé mis au montant recommandé modifié (Volet promotion retiré)",
    )
    assert journal(moteur, appel, "decision")[-1][2] == dollars(
        "retenu (20 000 $, 30 000 $) : Montant accordé mis au montant recommandé modifié "
        "(Volet promotion retiré)"
    )
    assert dollars("Décision de T-002 mise à jour : retenu à 20 000 $ + 30 000 $.") in [
        rendu(x) for x in succes(at)
    ]
    assert "mt_maj_decision" not in {b.key for b in at.button}
    assert not any("≠" in w for w in avertissements(at))


def test_montant_modifie_apres_la_decision_gardee(ouvrir, appel, ids, moteur):
    """« Garder la décision » : rien n'est écrit, la proposition se retire, l'écart reste
    signalé au contrôle de la décision."""
    _retenir_t002(appel, ids, moteur)
    at = ouvrir(PRESIDENT)
    _montant(at, ids["T-002"], 1, 20000.0, "Volet promotion retiré")
    at.button(key="mt_garder_decision").click()
    executer(at)
    assert _decisions_stockees(moteur, appel)[ids["T-002"]][:3] == ("retenu", 3_000_000, 3_000_000)
    assert "mt_maj_decision" not in {b.key for b in at.button}
    assert dollars(AVERTISSEMENT) not in avertissements(at)
    assert dollars(
        "montant accordé ≠ recommandation (accordé 30 000 $ + 30 000 $, recommandé "
        "20 000 $ + 30 000 $)"
    ) in avertissements(at)
    assert len(journal(moteur, appel, "decision")) == 1


# --- Ce qu'une décision ne refait pas (issue 14) ---------------------------------------------


def test_une_decision_ne_refait_ni_le_bootstrap_ni_l_accord_du_panel(
    ouvrir, appel, ids, moteur, monkeypatch
):
    """Le bootstrap de la ligne et l'accord du panel ne dépendent que des notes, des
    pondérations, des statuts, des rangs et des montants recommandés : une décision inscrite
    en séance ne les refait pas (quelques secondes à 5 000 demandes) ; un montant recommandé
    changé refait le bootstrap, pas l'accord."""
    from evaluation.decision import notation, portefeuille
    from tests.pages.conftest import compter_appels

    tirages = compter_appels(monkeypatch, portefeuille, "solidite")
    accords = compter_appels(monkeypatch, notation, "accord")
    at = ouvrir()
    assert (len(tirages), len(accords)) == (1, 1)
    decisions.enregistrer_decision(
        appel,
        ids["T-001"],
        financement.LISTE_ATTENTE,
        (0, 0),
        "En attente d'une confirmation de la municipalité.",
        moteur=moteur,
        auteur=PRESIDENCE,
    )
    executer(at)
    assert _decisions_stockees(moteur, appel)[ids["T-001"]][0] == financement.LISTE_ATTENTE
    assert (len(tirages), len(accords)) == (1, 1)
    decisions.modifier_montant(
        appel, ids["T-002"], 1, 2_500_000, "Budget révisé.", moteur=moteur, auteur=PRESIDENCE
    )
    executer(at)
    assert (len(tirages), len(accords)) == (2, 1)
