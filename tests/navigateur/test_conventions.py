"""Parcours de l'administration dans la page Conventions et versements (issue 17, point 4),
dans Chromium : les rapports en retard en haut, une convention inscrite, puis un versement
au-delà du montant accordé refusé sous son bouton."""

import pytest

from evaluation.decision.financement import RETENU
from evaluation.socle import stockage
from evaluation.socle.formats import date
from tests.ministere import approuver_les_recommandations, recommander
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur


@pytest.fixture
def financees(appel_evalue):
    """T-001 retenue à 20 000 $ la première année, recommandée puis approuvée par le
    ministère (projet fini le 15 mars 2025 : rapport dû
    le 13 juin 2025, en retard aujourd'hui) ; les autres ne sont pas décidées."""
    appel, moteur, ids = appel_evalue
    recommander(moteur, appel, ids["T-001"], RETENU, 2_000_000)
    approuver_les_recommandations(moteur, appel)
    return ids


def test_convention_puis_trop_paye_refuse(appel_evalue, financees, serveur, page):
    page.goto(f"{serveur}/conventions")
    se_connecter(page, "admin@exemple.qc.ca")
    page.get_by_role("heading", name="Conventions et versements").wait_for()
    alerte = page.get_by_text("1 rapport financier et narratif en retard")
    alerte.wait_for()
    assert "le plus ancien : T-001" in alerte.inner_text()

    page.get_by_role("button", name="Enregistrer la convention").click()
    attendre_fin(page)
    aujourd_hui = date(stockage.maintenant().date())
    page.get_by_text(f"Convention de T-001 signée le {aujourd_hui} : inscrite.").wait_for()
    page.get_by_text("1 sur 1").wait_for()  # conventions signées

    montant = page.get_by_role("textbox", name="Montant versé ($)")
    montant.fill("20000.01")
    montant.press("Tab")
    attendre_fin(page)
    page.get_by_role("button", name="Enregistrer le versement").click()
    attendre_fin(page)
    refus = page.get_by_text("au-delà des 20")
    refus.wait_for()
    assert refus.inner_text().startswith("Refusé : T-001 : 20")
    appel, moteur, _ = appel_evalue
    with moteur.connect() as c:
        assert stockage.lire_versements(appel.id, connexion=c) == []
        assert len(stockage.lire_conventions(appel.id, connexion=c)) == 1
