"""Parcours réels dans Chromium : ce que Streamlit écrirait en anglais (téléverseur, barre
d'outils des graphiques) est en français, et la limite affichée est celle de l'application."""

import pytest

from evaluation.socle.comptes import creer_compte
from pages.composants.francais import LOCALE_PLOTLY
from tests.navigateur.conftest import MOT_DE_PASSE, attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur


def test_le_televerseur_parle_francais_et_annonce_la_limite_de_l_application(
    serveur, page, tmp_path
):
    page.goto(f"{serveur}/importation")
    attendre_fin(page)
    se_connecter(page, "admin@exemple.qc.ca")
    zone = page.get_by_role("region", name="Fichiers de demandes")
    zone.get_by_role("button", name="Téléverser").wait_for()
    # Texte généré par CSS : absent du DOM, présent dans l'arbre d'accessibilité.
    assert "text: 50 Mo au plus par fichier" in zone.aria_snapshot()
    archive = page.get_by_role("region", name="Archive des pièces jointes (.zip)")
    assert "text: 50 Mo au plus par archive" in archive.aria_snapshot()
    texte = page.inner_text("[data-testid='stMain']")
    assert "MB per file" not in texte
    # « Upload » reste le nom du bouton pour axe-core (qui ne lit pas le contenu généré),
    # à taille nulle : rien ne s'en voit.
    anglais = zone.locator("button [data-testid='stMarkdownContainer'] > p")
    assert anglais.evaluate("e => getComputedStyle(e).fontSize") == "0px"
    zone.screenshot(path=str(tmp_path / "televerseur.png"))

    # Un fichier glissé au-dessus de la zone (sans le déposer).
    transfert = page.evaluate_handle(
        "() => { const t = new DataTransfer();"
        " t.items.add(new File(['x'], 'a.csv', {type: 'text/csv'})); return t; }"
    )
    page.locator("[data-testid='stFileUploaderDropzone']").first.dispatch_event(
        "dragenter", {"dataTransfer": transfert}
    )
    zone.get_by_text("Drag and drop files here").wait_for(state="attached")
    assert "text: Déposez les fichiers ici" in zone.aria_snapshot()
    assert "Drag and drop" not in page.inner_text("[data-testid='stMain']")


def test_la_barre_d_outils_des_graphiques_parle_francais(appel_evalue, serveur, page):
    _, moteur, _ = appel_evalue
    creer_compte("obs@exemple.qc.ca", "observateur", MOT_DE_PASSE, moteur=moteur)
    page.goto(f"{serveur}/portefeuille")
    attendre_fin(page)
    se_connecter(page, "obs@exemple.qc.ca")
    graphique = page.locator("[data-testid='stPlotlyChart']").nth(2)
    graphique.locator(".main-svg").first.wait_for()
    graphique.hover()
    graphique.locator(".modebar-btn[data-title='Télécharger le graphique (PNG)']").wait_for()
    titres = graphique.locator(".modebar-btn").evaluate_all(
        "boutons => boutons.map(b => b.getAttribute('data-title'))"
    )
    # « Fullscreen » : bouton ajouté par Streamlit, sans traduction possible (README).
    anglais = set(LOCALE_PLOTLY["dictionary"]) - {"Zoom"}
    assert titres and not anglais & set(titres), titres
