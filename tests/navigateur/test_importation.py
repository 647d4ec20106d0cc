"""Parcours réels dans Chromium : téléverser un classeur, lire le rapport, importer."""

import pytest

from tests.conftest import DONNEES
from tests.donnees.cas import CAS_PROBLEMES, chemin_probleme
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur


def _televerser(page, *chemins):
    with page.expect_file_chooser() as choix:
        page.locator(
            "[data-testid='stFileUploaderDropzone'][aria-label='Fichiers de demandes']"
        ).click()
    choix.value.set_files([str(c) for c in chemins])
    attendre_fin(page)
    page.get_by_text("Rapport de vérification").wait_for()
    attendre_fin(page)


def test_televerser_un_classeur_et_voir_le_rapport(serveur, page, tmp_path):
    # Première requête d'un serveur neuf, directement vers la page : elle passe quand même
    # par le cadre (app.py), qui demande la connexion, puis ouvre la page demandée.
    page.goto(f"{serveur}/importation")
    attendre_fin(page)
    se_connecter(page, "admin@exemple.qc.ca")
    page.get_by_role("heading", name="Importation des demandes").wait_for()
    page.get_by_test_id("stSidebar").get_by_text("Appel actif").wait_for()
    assert page.get_by_test_id("stSidebar").get_by_text("commun").count() == 0
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "axe-inconnu")
    _televerser(page, chemin_probleme(cas), DONNEES / "refus" / "pdf-deguise.xlsx")

    page.get_by_text(
        "feuille Demandes, ligne 3 (demande T-002), colonne « Axe » : axe « 7 » inconnu"
    ).wait_for()
    page.get_by_text("c'est un document PDF, pas un classeur").wait_for()
    page.get_by_text("Rien à importer pour l'instant").wait_for()
    page.screenshot(path=str(tmp_path / "rapport.png"), full_page=True)

    page.get_by_test_id("stCheckbox").get_by_text("Importer seulement les lignes valides").click()
    attendre_fin(page)
    page.get_by_role("button", name="Importer 2 demandes").click()
    attendre_fin(page)
    page.get_by_text("Importation n° 1 terminée : 2 demandes créées").wait_for()
    page.get_by_text("Demandes stockées après").wait_for()


def test_demo_depuis_l_accueil_puis_journal(serveur, base_serveur, page):
    """L'administration importe la démonstration depuis l'Accueil : 80 demandes stockées,
    que la page Importation annonce, avec une ligne au journal des importations."""
    import sqlalchemy as sa

    page.goto(serveur)
    attendre_fin(page)
    se_connecter(page, "admin@exemple.qc.ca")
    page.get_by_role("button", name="Importer les données de démonstration").click()
    attendre_fin(page)
    page.get_by_text("80 demandes de démonstration importées").wait_for()
    page.get_by_role("link", name="Importation").first.click()
    attendre_fin(page)
    page.get_by_text("80 demandes déjà stockées").wait_for()
    page.get_by_text("Journal des importations (1)").wait_for()
    moteur = sa.create_engine(base_serveur)
    try:
        with moteur.connect() as connexion:
            demandes = connexion.execute(sa.text("SELECT count(*) FROM demandes")).scalar()
    finally:
        moteur.dispose()
    assert demandes == 80


def test_telecharger_le_gabarit(serveur, page, tmp_path):
    from openpyxl import load_workbook

    page.goto(f"{serveur}/importation")
    attendre_fin(page)
    se_connecter(page, "admin@exemple.qc.ca")
    with page.expect_download() as telechargement:
        page.get_by_role("button", name="Télécharger le gabarit Excel").click()
    chemin = tmp_path / "gabarit.xlsx"
    telechargement.value.save_as(chemin)
    assert telechargement.value.suggested_filename == "gabarit-demandes-paivmq-2023-2024.xlsx"
    assert load_workbook(chemin).sheetnames[:3] == ["Demandes", "Budget", "Explications"]
