"""Parcours réel dans Chromium : le classeur creux (une seule cellule en XFD1048576, qui
arrêtait le serveur) téléversé sur la page Importation puis comme grille sur la page
Évaluation ; le refus s'affiche en français, une autre page s'ouvre, le serveur répond."""

import os
import urllib.request

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
CREUX = DONNEES / "refus" / "creuse-xfd1048576.xlsx"
REFUS = "s'étend sur 1\u00a0048\u00a0576 lignes (jusqu'à la cellule XFD1048576)"
# Où garder les captures pour les regarder (par défaut, le dossier temporaire du test).
CAPTURES = os.environ.get("EVALUATION_CAPTURES")


def _televerser(page, chemin, libelle: str) -> None:
    """Dépose `chemin` dans le téléverseur nommé `libelle` (pas « le premier » de la page : la
    page Évaluation en a plusieurs, et l'ordre où ils paraissent dépend du rendu)."""
    zone = page.locator(f"[data-testid='stFileUploaderDropzone'][aria-label='{libelle}']")
    zone.wait_for()
    with page.expect_file_chooser() as choix:
        zone.click()
    choix.value.set_files(str(chemin))
    attendre_fin(page)


def _capture(page, tmp_path, nom: str) -> None:
    dossier = CAPTURES or tmp_path
    page.screenshot(path=os.path.join(dossier, nom), full_page=True)


def _sante(serveur: str) -> bytes:
    with urllib.request.urlopen(f"{serveur}/_stcore/health", timeout=5) as reponse:
        return reponse.read()


@pytest.fixture
def demandes_serveur(base_serveur):
    appel = charger_appel()
    moteur = stockage.creer_moteur(base_serveur)
    importer(
        verifier_lot([("valide.xlsx", DONNEES / "formats" / "valide.xlsx")], appel),
        appel,
        moteur=moteur,
    )
    admettre(moteur, appel)  # seule une demande jugée admissible se note
    moteur.dispose()


def test_classeur_creux_refuse_sur_l_importation(serveur, page, tmp_path):
    page.goto(f"{serveur}/importation")
    attendre_fin(page)
    se_connecter(page, "admin@exemple.qc.ca")
    page.get_by_role("heading", name="Importation des demandes").wait_for()
    _televerser(page, CREUX, "Fichiers de demandes")
    page.get_by_text("Rapport de vérification").wait_for()
    page.get_by_text(REFUS, exact=False).first.wait_for()
    page.get_by_text("creuse-xfd1048576.xlsx — fichier refusé").wait_for()
    _capture(page, tmp_path, "importation-refus.png")

    page.get_by_role("link", name="Accueil").first.click()
    attendre_fin(page)
    assert "importation" not in page.url
    assert _sante(serveur) == b"ok"


def test_classeur_creux_refuse_comme_grille(demandes_serveur, serveur, page, tmp_path):
    page.goto(f"{serveur}/evaluation")
    attendre_fin(page)
    se_connecter(page, "eva@exemple.qc.ca")
    page.get_by_text("0 / 3 soumises").wait_for()
    # Le volet s'ouvre sans exécution du script : _televerser attend son téléverseur.
    page.get_by_text("Évaluer hors ligne (grille Excel)").click()
    _televerser(page, CREUX, "Grille remplie")
    alerte = page.get_by_test_id("stAlert").filter(has_text=REFUS)
    alerte.wait_for()
    assert alerte.inner_text().startswith("creuse-xfd1048576.xlsx : ")
    page.get_by_text("Rien n'est enregistré tant que ces problèmes restent.").wait_for()
    _capture(page, tmp_path, "grille-refus.png")

    page.get_by_role("link", name="Accueil").first.click()
    attendre_fin(page)
    assert "evaluation" not in page.url
    assert _sante(serveur) == b"ok"
