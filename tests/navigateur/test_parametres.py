"""Parcours réel dans Chromium : l'administration crée l'appel de l'année suivante en
copiant le PAIVMQ, puis change deux poids dans le tableau des critères."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from evaluation.appels.configuration import appel_depuis_toml
from evaluation.socle import stockage
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
ADMIN = "admin@exemple.qc.ca"
HAUTEUR_LIGNE = 35  # pixels, en-tête compris, d'un st.data_editor


def valeur_affichee(tableau, ligne: int, colonne: int) -> str:
    """Texte de la cellule (ligne, colonne), lu dans la table accessible du tableau."""
    cellules = tableau.locator(f"[role=row][aria-rowindex='{ligne + 2}'] [role=gridcell]")
    return cellules.nth(colonne).inner_text()


def modifier_cellule(page, tableau, ligne: int, x: int, valeur: str, colonne: int = 0) -> None:
    """Tape `valeur` dans la cellule (ligne, colonne à `x` pixels du bord) du tableau.

    Le tableau est dessiné sur un canevas : le clic se fait au pixel. Sur une machine chargée,
    un clic peut tomber avant que le tableau ait fini de se dessiner ; la valeur est donc relue
    dans la table accessible du tableau, et la saisie reprise si elle n'a pas pris.
    """
    editeur = page.locator("#portal input, #portal textarea").first
    for _ in range(3):
        boite = tableau.bounding_box()
        y = boite["y"] + HAUTEUR_LIGNE * (ligne + 1) + HAUTEUR_LIGNE // 2
        page.mouse.click(boite["x"] + x, y)
        page.wait_for_timeout(200)
        page.keyboard.press("Enter")  # ouvre l'éditeur de la cellule
        try:
            editeur.wait_for(state="visible", timeout=5000)
        except PlaywrightTimeout:
            continue
        editeur.fill(valeur)
        page.keyboard.press("Enter")
        editeur.wait_for(state="hidden", timeout=5000)
        for _ in range(20):
            if valeur_affichee(tableau, ligne, colonne) == valeur:
                return
            page.wait_for_timeout(100)
    raise AssertionError(f"la cellule {ligne}, {colonne} ne montre pas {valeur!r}")


def test_copier_le_paivmq_puis_changer_un_poids(serveur, base_serveur, page, tmp_path):
    page.goto(f"{serveur}/parametres")
    attendre_fin(page)
    se_connecter(page, ADMIN)
    page.get_by_role("heading", name="Paramètres de l'appel").wait_for()

    page.get_by_role("tab", name="Créer un appel").click()
    page.get_by_text("Une copie d'un appel existant").click()
    attendre_fin(page)
    page.get_by_role("textbox", name="Identifiant du nouvel appel").fill("paivmq-2024-2025")
    page.get_by_role("textbox", name="Nom", exact=True).fill("PAIVMQ — appel 2024-2025")
    page.get_by_role("textbox", name="Nom court").first.fill("PAIVMQ 2024-2025")
    page.get_by_role("button", name="Créer l'appel").click()
    attendre_fin(page)
    page.screenshot(path=str(tmp_path / "apres_creation.png"), full_page=True)
    # Le message sous « Créer l'appel », dans l'onglet resté ouvert (issue 16) ; le nouvel
    # appel est l'appel actif, à modifier dans le premier onglet.
    page.get_by_text("Appel « PAIVMQ 2024-2025 » créé d'après « PAIVMQ 2023-2024 »").wait_for()
    page.get_by_role("tab", name="Modifier l'appel actif").click()
    # Le nom en titre ; l'identifiant n'est plus que dans l'aide (issue 19).
    page.get_by_test_id("stMain").get_by_text("PAIVMQ — appel 2024-2025", exact=True).wait_for()

    criteres = page.get_by_test_id("stDataFrame").first
    criteres.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # le tableau fini de dessiner avant le premier clic
    # La colonne Poids (80 px) suit la colonne des numéros de ligne (environ 33 px).
    modifier_cellule(page, criteres, 0, 75, "30")  # Pertinence : 25 → 30
    modifier_cellule(page, criteres, 5, 75, "5")  # Visibilité : 10 → 5
    page.screenshot(path=str(tmp_path / "parametres.png"), full_page=True)
    page.get_by_role("button", name="Enregistrer les paramètres").click()
    attendre_fin(page)
    page.get_by_text("Paramètres de « PAIVMQ 2024-2025 » enregistrés.").wait_for()

    moteur = stockage.creer_moteur(base_serveur)
    try:
        with moteur.connect() as c:
            nouveau = appel_depuis_toml(
                stockage.lire_appel("paivmq-2024-2025", connexion=c)["configuration_toml"]
            )
            journal = c.execute(
                stockage.journal.select().where(stockage.journal.c.appel_id == nouveau.id)
            ).all()
            assert stockage.lire_appel("paivmq-2023-2024", connexion=c) is None  # la source
    finally:
        moteur.dispose()
    assert nouveau.poids["pertinence"] == 30 and nouveau.poids["visibilite"] == 5
    assert nouveau.nom_court == "PAIVMQ 2024-2025"
    assert {(j.objet, j.ancien, j.nouveau, j.auteur) for j in journal} >= {
        ("poids:pertinence", "25", "30", ADMIN),
        ("poids:visibilite", "10", "5", ADMIN),
    }
