"""Parcours réel dans Chromium : l'application ne fait sortir aucune requête de la machine
(icône de l'onglet, polices, icônes, graphiques), de la connexion aux pages connectées."""

from urllib.parse import urlsplit

import pytest

from evaluation.socle.comptes import creer_compte
from tests.navigateur.conftest import MOT_DE_PASSE, attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur


def test_aucune_requete_ne_quitte_le_serveur(appel_evalue, serveur, page):
    _, moteur, _ = appel_evalue
    creer_compte("obs@exemple.qc.ca", "observateur", MOT_DE_PASSE, moteur=moteur)
    hotes_externes = []

    def noter(requete):
        adresse = urlsplit(requete.url)
        if adresse.scheme in ("data", "blob"):
            return
        if adresse.hostname != "127.0.0.1":
            hotes_externes.append(requete.url)

    page.on("request", noter)
    page.goto(serveur)
    attendre_fin(page)
    page.get_by_label("Courriel").wait_for()
    se_connecter(page, "obs@exemple.qc.ca")
    page.get_by_role("heading", name="Évaluation des demandes").wait_for()
    icone = page.locator("link[rel='shortcut icon'], link[rel='icon']").first
    assert not icone.get_attribute("href").startswith("http"), icone.get_attribute("href")

    page.get_by_role("link", name="Portefeuille").first.click()
    attendre_fin(page)
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for()
    graphique = page.locator("[data-testid='stPlotlyChart']").first
    graphique.hover()  # la barre d'outils du graphique, sans exécution du script
    graphique.locator(".modebar-btn").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert hotes_externes == []
