"""Parcours réel dans Chromium : un observateur ouvre le portefeuille et voit ses
graphiques (jauges du budget, barres, arbre axe → secteur)."""

import pytest

from evaluation.socle.comptes import creer_compte
from tests.navigateur.conftest import MOT_DE_PASSE, attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur


def test_le_portefeuille_montre_ses_graphiques(appel_evalue, serveur, page, tmp_path):
    _, moteur, _ = appel_evalue
    creer_compte("obs@exemple.qc.ca", "observateur", MOT_DE_PASSE, moteur=moteur)
    page.goto(f"{serveur}/portefeuille")
    attendre_fin(page)
    se_connecter(page, "obs@exemple.qc.ca")
    page.get_by_role("heading", name="Portefeuille").first.wait_for()
    graphiques = page.locator("[data-testid='stPlotlyChart']")
    graphiques.nth(3).wait_for()  # deux jauges, les barres, l'arbre
    assert graphiques.count() >= 4
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()
    page.get_by_text("Axe 1", exact=True).first.wait_for()
    page.get_by_role("heading", name="Solidité de la ligne de financement").wait_for()
    assert page.get_by_role("heading", name="Les évaluateurs du comité").count() == 0
    page.screenshot(path=str(tmp_path / "portefeuille.png"), full_page=True)
