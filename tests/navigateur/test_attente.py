"""L'attente des parcours (`attendre_fin`, tests/navigateur/conftest.py) dans Chromium : elle
rend la main sur la page que l'exécution demandée a dessinée, même au bout d'une chaîne
d'exécutions, et un geste qui ne relance pas le script la fait échouer en le disant."""

import pytest

from tests.navigateur.conftest import MOT_DE_PASSE, attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
ADMIN = "admin@exemple.qc.ca"


def test_la_connexion_rend_la_main_sur_la_page_demandee(serveur, page):
    """Se connecter enchaîne trois exécutions (envoi du formulaire, `st.rerun`, puis
    `st.switch_page` vers la page demandée) et stApp repasse à « notRunning » entre elles :
    une seule attente après le clic doit suffire à trouver la page demandée, sans autre
    attente (l'ancienne, 300 ms puis « notRunning », rendait la main entre deux)."""
    page.goto(f"{serveur}/parametres")
    attendre_fin(page)
    page.get_by_label("Courriel").fill(ADMIN)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    attendre_fin(page)
    assert page.get_by_role("heading", name="Paramètres de l'appel").count() == 1
    assert page.get_by_role("button", name="Se déconnecter").count() == 1
    assert page.get_by_role("button", name="Se connecter").count() == 0
    etat = page.get_by_test_id("stApp").get_attribute("data-test-script-state")
    assert etat == "notRunning"


def test_un_geste_sans_execution_echoue_en_le_disant(serveur, page):
    """Un onglet s'ouvre dans le navigateur, sans exécution du script : attendre une
    exécution après ce geste échoue, avec un message qui dit quoi faire."""
    page.goto(f"{serveur}/parametres")
    attendre_fin(page)
    se_connecter(page, ADMIN)
    page.get_by_role("tab", name="Créer un appel").click()
    with pytest.raises(AssertionError, match="aucune exécution de Streamlit demandée"):
        attendre_fin(page, delai=3_000)
    # Ce que l'utilisateur voit : l'onglet ouvert.
    page.get_by_text("Une copie d'un appel existant").wait_for()
