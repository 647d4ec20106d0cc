"""La page Décision du ministère (issue 17, point 1) : l'autorité approuve en lot les
recommandations du comité ; l'administration en modifie une, avec une raison, au nom de
l'autorité ; l'observateur est refusé ; rien ne s'inscrit avant le verrouillage des
recommandations. Le jeu est celui de test_classement.py (T-002 rang 1, 30 000 $ + 30 000 $ ;
T-001 rang 2, 20 000 $ ; T-003 sous le seuil) ; le comité recommande T-002 retenu et T-001
en liste d'attente."""

import pytest

from evaluation.decision import decisions, financement
from evaluation.decision.portefeuille import LIGNE, MINISTERE, NOTIONS
from evaluation.notes.attributions import verrouiller
from evaluation.socle import stockage
from evaluation.socle.droits import message_refus
from evaluation.socle.roles import ADMIN, AUTORITE, OBSERVATEUR, PRESIDENT
from tests.pages.conftest import bilan, compte_de_test, rendu
from tests.pages.test_classement import (
    dollars,
    erreurs,
    executer,
    journal,
    ligne,
    preparer,
    succes,
)

PAGE = "pages/decision_ministere.py"
PRESIDENCE = "president@exemple.qc.ca"


def _recommander(url, verrou=True):
    appel, ids = preparer(url)
    moteur = stockage.creer_moteur(url)
    try:
        decisions.enregistrer_decision(
            appel,
            ids["T-002"],
            financement.RETENU,
            (3_000_000, 3_000_000),
            "premier au classement",
            moteur=moteur,
            auteur=PRESIDENCE,
        )
        decisions.enregistrer_decision(
            appel,
            ids["T-001"],
            financement.LISTE_ATTENTE,
            (),
            "enveloppe épuisée",
            moteur=moteur,
            auteur=PRESIDENCE,
        )
        if verrou:
            verrouiller(
                appel.id, True, moteur=moteur, auteur=PRESIDENCE, quoi="decisions_verrouillees"
            )
    finally:
        moteur.dispose()
    return appel, ids


@pytest.fixture
def jeu(base):
    return _recommander(base)


def _ministere(moteur, appel) -> dict[int, tuple]:
    with moteur.connect() as c:
        lignes = stockage.lire_decisions_ministre(appel.id, connexion=c)
    return {
        int(x["demande_id"]): (
            x["decision"],
            x["montant_an1"],
            x["montant_an2"],
            x["raison"],
            x["autorite"],
            x["auteur"],
        )
        for x in lignes
    }


def _ouvrir(application, role):
    at = application(PAGE, role=role)
    assert at.title[0].value == "Décision du ministère"
    return at


def test_l_autorite_approuve_en_lot(application, jeu, moteur, base):
    appel, ids = jeu
    compte_de_test(base, AUTORITE, nom="Marie Ministre")
    at = _ouvrir(application, AUTORITE)
    assert not at.info  # pas « au nom de l'autorité » : c'est elle
    (tableau,) = [d for d in at.dataframe if d.key == "dm_tableau::0"]
    assert tableau.value["No"].tolist() == ["T-002", "T-001"]  # ordre du classement
    assert tableau.value["Recommandation du comité"].tolist() == [
        financement.RETENU,
        financement.LISTE_ATTENTE,
    ]
    assert tableau.value["État"].tolist() == ["à décider", "à décider"]
    # Pas de note individuelle d'évaluateur sur la page.
    assert not any(c for c in tableau.value.columns if "Pertinence" in c)
    assert at.text_input(key="dm_lot_autorite").value == "Marie Ministre"
    assert at.button(key="dm_approuver_selection").disabled  # rien de coché
    at.session_state["dm_tableau::0"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    executer(at)
    assert "Choisies : T-002, T-001 · à décider : 2." in [c.value for c in at.caption]
    at.button(key="dm_approuver_selection").click()
    executer(at)
    assert any("2 recommandations approuvées par Marie Ministre" in s for s in succes(at))
    courriel = f"{AUTORITE}@exemple.qc.ca"
    assert _ministere(moteur, appel) == {
        ids["T-002"]: (financement.RETENU, 3_000_000, 3_000_000, None, "Marie Ministre", courriel),
        ids["T-001"]: (financement.LISTE_ATTENTE, 0, 0, None, "Marie Ministre", courriel),
    }
    lignes = journal(moteur, appel, "decision_ministre")
    assert [a for a, _, _ in lignes] == [courriel, courriel]
    assert lignes[0][2].startswith(dollars("approuvée : retenu (30 000 $, 30 000 $) ; autorité"))
    # La sélection repart vide ; le tableau montre la décision.
    (tableau,) = [d for d in at.dataframe if d.key == "dm_tableau::1"]
    assert tableau.value["Décision du ministère"].tolist() == [
        financement.RETENU,
        financement.LISTE_ATTENTE,
    ]
    assert tableau.value["État"].tolist() == ["approuvée", "approuvée"]
    assert at.button(key="dm_approuver_toutes").disabled  # plus rien à décider
    # Le classement montre la décision du ministère à côté de la recommandation.
    at.switch_page("pages/classement.py").run()
    assert not at.exception, at.exception
    t2 = ligne(at, "Financées", "T-002")
    assert (t2["Recommandation du comité"], t2["Décision du ministère"]) == (
        financement.RETENU,
        financement.RETENU,
    )


def test_l_administration_modifie_au_nom_de_l_autorite(application, jeu, moteur):
    appel, ids = jeu
    at = _ouvrir(application, ADMIN)
    assert any("au nom de l'autorité ministérielle" in rendu(i.value) for i in at.info)
    at.selectbox(key="dm_demande").set_value(ids["T-001"])
    executer(at)
    at.radio(key=f"dm_decision::{ids['T-001']}").set_value(financement.RETENU)
    executer(at)
    at.text_input(key=f"dm_montant::{ids['T-001']}::0::{financement.RETENU}").input("15 000")
    at.text_input(key="dm_un_autorite").set_value("Marie Ministre")
    at.button(key="dm_modifier").click()
    executer(at)
    refus = (
        "Décision refusée : T-001 : une modification de la recommandation du comité demande "
        "une raison."
    )
    assert refus in erreurs(at)
    assert _ministere(moteur, appel) == {}
    at.text_area(key=f"dm_raison::{ids['T-001']}").set_value("Priorité régionale")
    at.button(key="dm_modifier").click()
    executer(at)
    assert any(
        s.startswith("Décision du ministère inscrite pour T-001 : retenu (15")
        and s.endswith("par Marie Ministre (au nom de l'autorité).")
        for s in succes(at)
    ), succes(at)
    assert _ministere(moteur, appel) == {
        ids["T-001"]: (
            financement.RETENU,
            1_500_000,
            0,
            "Priorité régionale",
            "Marie Ministre",
            f"{ADMIN}@exemple.qc.ca",
        )
    }
    (_, _, nouveau), *_ = journal(moteur, appel, "decision_ministre")
    assert nouveau.endswith("(inscrite par l'administration au nom de l'autorité)")
    # 30 000 $ (T-002, comité) + 15 000 $ (T-001, ministère) sur 40 000 $ : l'enveloppe est
    # dépassée ; la page le signale sans refuser.
    assert any(
        rendu(w.value)
        == dollars(
            "Les montants accordés par la décision qui vaut (du ministère, sinon du comité) "
            "dépassent l'enveloppe de l'appel en 2024-2025 (5 000 $ de plus)."
        )
        for w in at.warning
    ), [w.value for w in at.warning]
    # Issue 19 : le tableau « Financement », commun aux pages, met la décision du ministère
    # à côté de celles du comité et de la ligne de financement.
    b = bilan(at)
    assert b.loc[NOTIONS[MINISTERE], ["2024-2025", "Demandes"]].tolist() == [
        dollars("15 000 $"),
        "1",
    ]
    assert b.loc[NOTIONS[LIGNE], "2024-2025"] == dollars("30 000 $")


def test_decision_sous_le_deja_verse_avertit_dans_le_message(application, jeu, moteur):
    """30 000 $ déjà versés à T-002 en 2024-2025 ; le ministère la réduit à 10 000 $ : la
    décision s'inscrit (le ministère « conserve […] la responsabilité […] de la
    détermination des sommes »), et le message sous le bouton avertit du trop-payé.
    Interprétation (pratique du ministère) : avertir, pas refuser."""
    import datetime as dt

    from evaluation.decision import conventions
    from tests.ministere import approuver_les_recommandations

    appel, ids = jeu
    t2 = ids["T-002"]
    approuver_les_recommandations(moteur, appel, date=stockage.maintenant())
    options = {"moteur": moteur, "auteur": "admin@exemple.qc.ca", "role": ADMIN}
    conventions.enregistrer_convention(appel, t2, dt.date(2024, 6, 1), **options)
    conventions.enregistrer_versement(appel, t2, 1, 3_000_000, dt.date(2024, 9, 1), **options)
    at = _ouvrir(application, ADMIN)
    at.selectbox(key="dm_demande").set_value(t2)
    executer(at)
    at.text_input(key=f"dm_montant::{t2}::0::{financement.RETENU}").input("10 000")
    at.text_input(key="dm_un_autorite").set_value("Marie Ministre")
    at.text_area(key=f"dm_raison::{t2}").set_value("Projet réduit")
    at.button(key="dm_modifier").click()
    executer(at)
    (message,) = [rendu(s) for s in succes(at) if "T-002" in s]
    assert message.startswith("Décision du ministère inscrite pour T-002 : retenu (10"), message
    assert (
        dollars(
            "Attention : T-002 a déjà reçu plus que ce que cette décision accorde (30 000 $ déjà "
            "versés pour 2024-2025, plus que les 10 000 $ accordés) : le trop-payé est à "
            "régulariser (page Conventions et versements)."
        )
        in message
    )
    assert _ministere(moteur, appel)[t2][:3] == (financement.RETENU, 1_000_000, 3_000_000)


@pytest.mark.parametrize("role", [OBSERVATEUR, PRESIDENT])
def test_refusee_a_qui_n_est_pas_l_autorite(application, jeu, role):
    at = application(PAGE, role=role)
    assert [e.value for e in at.error] == [message_refus(role, "decision_ministere")]
    assert not at.dataframe and not at.metric and not at.table
    assert not [b for b in at.main.button if b.key.startswith("dm_")]


def test_rien_avant_le_verrou_du_comite(application, base, moteur):
    appel, _ = _recommander(base, verrou=False)
    at = _ouvrir(application, AUTORITE)
    assert any("pas encore verrouillées" in rendu(w.value) for w in at.warning)
    assert at.button(key="dm_approuver_toutes").disabled
    assert at.button(key="dm_modifier").disabled
    assert _ministere(moteur, appel) == {}
