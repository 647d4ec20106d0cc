"""Parcours réel dans Chromium : la présidence voit la ligne de financement au classement,
puis consigne une décision en séance."""

import pytest

from evaluation.socle import stockage
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
PRES = "pres@exemple.qc.ca"


def test_ligne_de_financement_puis_decision_en_seance(appel_evalue, serveur, page, tmp_path):
    appel, moteur, ids = appel_evalue
    page.goto(f"{serveur}/classement")
    attendre_fin(page)
    se_connecter(page, PRES)
    page.get_by_role("heading", name="Classement").first.wait_for()
    page.get_by_role("heading", name="Financées (1)").wait_for()
    page.get_by_test_id("stAlertContentInfo").get_by_text("Ligne de financement").wait_for()
    page.get_by_role("heading", name="Liste d'attente (2)").wait_for()
    page.screenshot(path=str(tmp_path / "classement.png"))

    page.get_by_role("link", name="Séance du comité").click()
    attendre_fin(page)
    # Issue 16 : la déclaration d'intérêts et l'engagement de confidentialité d'abord.
    page.get_by_text("D'ici là, la séance et les décisions vous sont refusées.").wait_for()
    page.screenshot(path=str(tmp_path / "declaration.png"), full_page=True)
    page.get_by_label("Vos intérêts").fill("aucun")
    page.get_by_text("J'accepte la déclaration générale d'intérêts").click()
    page.get_by_text("Je prends l'engagement de confidentialité").click()
    page.get_by_role("button", name="Accepter et signer").click()
    attendre_fin(page)
    page.get_by_text("1 / 3").wait_for()
    page.get_by_role("heading", name="1. T-001").wait_for()
    page.get_by_role("button", name="Retenir (montant recommandé)").click()
    attendre_fin(page)
    page.get_by_text("T-001 : retenu.").wait_for()

    with moteur.connect() as c:
        decisions = stockage.lire_decisions(appel.id, connexion=c)
    assert [(d["demande_id"], d["decision"], d["auteur"]) for d in decisions] == [
        (ids["T-001"], "retenu", PRES)
    ]


def test_exporter_le_classeur_depuis_la_page(appel_evalue, serveur, page, tmp_path):
    from openpyxl import load_workbook

    appel, _, _ = appel_evalue
    page.goto(f"{serveur}/classement")
    attendre_fin(page)
    se_connecter(page, PRES)
    page.get_by_role("button", name="Préparer le classeur Excel").click()
    attendre_fin(page)
    with page.expect_download() as telechargement:
        page.get_by_role("button", name="Télécharger").filter(has_text=".xlsx").click()
    nom = telechargement.value.suggested_filename
    assert nom.startswith(f"{appel.id}_classement_") and nom.endswith(".xlsx")
    chemin = tmp_path / nom
    telechargement.value.save_as(chemin)
    classeur = load_workbook(chemin)
    assert classeur.sheetnames == [
        "Classement",
        "Budget",
        "Dépenses retirées",
        "Par axe",
        "Par secteur",
        "Par région",
        "Évaluations",
        "Paramètres",
    ]
    feuille = classeur["Classement"]
    assert [feuille.cell(row=r, column=2).value for r in (5, 6, 7)] == ["T-001", "T-002", "T-003"]
