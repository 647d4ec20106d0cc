"""Parcours réel dans Chromium : l'administration ouvre « Lettres aux demandeurs », lit
l'aperçu d'une lettre, génère les lettres et télécharge le ZIP des DOCX."""

import io
import os
import zipfile
from pathlib import Path

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.socle import stockage
from evaluation.sorties import lettres
from tests.navigateur.conftest import attendre_fin, se_connecter
from tests.sorties.test_lettres import construire_decisions, texte

pytestmark = pytest.mark.navigateur
ADMIN = "admin@exemple.qc.ca"


def test_apercu_puis_zip_des_lettres(base_serveur, serveur, page, tmp_path):
    appel = charger_appel()
    moteur = stockage.creer_moteur(base_serveur)
    try:
        construire_decisions(moteur, appel)
    finally:
        moteur.dispose()
    page.goto(f"{serveur}/lettres")
    attendre_fin(page)
    se_connecter(page, ADMIN)
    page.get_by_role("heading", name="Lettres aux demandeurs").first.wait_for()
    apercu = page.locator(".st-key-lettres_apercu_texte")
    apercu.get_by_text("Objet : Demande T-002").wait_for()
    apercu.get_by_text("année financière 2025-2026 : 25\u00a0000\u00a0$").wait_for()
    dossier = Path(os.environ.get("CAPTURES_LETTRES", tmp_path))
    # Streamlit fait défiler son propre conteneur : une fenêtre haute montre toute la page.
    page.set_viewport_size({"width": 1400, "height": 3400})
    attendre_fin(page)
    page.screenshot(path=str(dossier / "lettres.png"))

    page.get_by_role("button", name="Générer les lettres (DOCX)").click()
    attendre_fin(page)
    page.get_by_text("3 lettres générées en DOCX").wait_for()
    with page.expect_download() as telechargement:
        page.get_by_role("button", name="Télécharger le ZIP des DOCX").click()
    assert telechargement.value.suggested_filename.endswith("-docx.zip")
    chemin = tmp_path / "lettres.zip"
    telechargement.value.save_as(chemin)
    with zipfile.ZipFile(io.BytesIO(chemin.read_bytes())) as z:
        assert "lettre-T-003-acceptation.docx" in z.namelist()
        assert "18 000 $" in texte(z.read("lettre-T-003-acceptation.docx"))
    page.screenshot(path=str(dossier / "lettres-generees.png"))
    if lettres.libreoffice():  # la mise en page : la première page du PDF, en image
        page.get_by_text("Voir la mise en page").click()
        attendre_fin(page, 120_000)
        page.get_by_test_id("stImage").first.wait_for()
        page.screenshot(path=str(dossier / "lettres-pdf.png"))
