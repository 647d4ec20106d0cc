"""Parcours réel dans Chromium (issue 17) : l'autorité ministérielle se connecte, approuve en
lot les recommandations verrouillées du comité, et voit sa décision au Classement."""

import pytest

from evaluation.decision import decisions, financement
from evaluation.notes.attributions import verrouiller
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.formats import montant
from tests.navigateur.conftest import MOT_DE_PASSE, attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
MINISTRE = "ministre@exemple.qc.ca"
PRES = "pres@exemple.qc.ca"


def test_l_autorite_approuve_en_lot_puis_voit_le_classement(appel_evalue, serveur, page, tmp_path):
    appel, moteur, ids = appel_evalue
    creer_compte(MINISTRE, "autorite", MOT_DE_PASSE, moteur=moteur, nom="Marie Ministre")
    decisions.enregistrer_decision(
        appel, ids["T-001"], financement.RETENU, (2_000_000, 0), "premier", moteur=moteur,
        auteur=PRES,
    )  # fmt: skip
    for no in ("T-002", "T-003"):
        decisions.enregistrer_decision(
            appel, ids[no], financement.LISTE_ATTENTE, (), "enveloppe", moteur=moteur, auteur=PRES
        )
    verrouiller(appel.id, True, moteur=moteur, auteur=PRES, quoi="decisions_verrouillees")

    page.goto(f"{serveur}/decision_ministere")
    attendre_fin(page)
    se_connecter(page, MINISTRE)
    page.get_by_role("heading", name="Décision du ministère").wait_for()
    page.get_by_text("Choisies : aucune · à décider : 3.").wait_for()
    # Haute fenêtre : la page entière dans les captures (le cadre de Streamlit défile seul).
    page.set_viewport_size({"width": 1400, "height": 2000})
    assert page.locator(".st-key-dm_lot_autorite input").input_value() == "Marie Ministre"
    page.screenshot(path=str(tmp_path / "decision_ministere_avant.png"), full_page=True)
    page.get_by_role("button", name="Approuver toutes les recommandations à décider (3)").click()
    attendre_fin(page)
    page.get_by_text("3 recommandations approuvées par Marie Ministre").wait_for()
    page.screenshot(path=str(tmp_path / "decision_ministere_apres.png"), full_page=True)

    with moteur.connect() as c:
        lignes = stockage.lire_decisions_ministre(appel.id, connexion=c)
    assert sorted((x["demande_id"], x["decision"], x["autorite"]) for x in lignes) == sorted(
        [
            (ids["T-001"], financement.RETENU, "Marie Ministre"),
            (ids["T-002"], financement.LISTE_ATTENTE, "Marie Ministre"),
            (ids["T-003"], financement.LISTE_ATTENTE, "Marie Ministre"),
        ]
    )

    page.get_by_role("link", name="Classement").click()
    attendre_fin(page)
    page.get_by_role("heading", name="Classement").first.wait_for()
    # Le tableau « Financement » en tête de page (issue 19) : la ligne des décisions du
    # ministère porte ce qu'il a accordé en 2024-2025, sur l'enveloppe de l'appel.
    ministere = page.get_by_role("row").filter(has_text="Accordé par décision du ministère")
    ministere.first.wait_for()
    assert montant(2_000_000) in ministere.first.inner_text()
    enveloppe = page.get_by_role("row").filter(has_text="Enveloppe").first
    assert montant(3_000_000) in enveloppe.inner_text()
    page.screenshot(path=str(tmp_path / "classement_apres.png"), full_page=True)
