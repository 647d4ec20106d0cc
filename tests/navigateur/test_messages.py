"""Parcours réel dans Chromium (issue 16, point 6) : sur la longue page Classement, le refus
d'une action paraît sous le bouton cliqué, dans la fenêtre visible, sans défilement ; le
verrouillage des décisions ouvre une fenêtre de confirmation, qu'« Annuler » referme et
que « Verrouiller quand même » confirme."""

import pytest

from evaluation.notes import attributions
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
PRES = "pres@exemple.qc.ca"
HAUTEUR = 1000  # px : la fenêtre du navigateur (fixture `page`)


def test_le_refus_parait_sous_le_bouton_et_le_verrou_demande_confirmation(
    appel_evalue, serveur, page, tmp_path
):
    appel, moteur, _ = appel_evalue
    page.goto(f"{serveur}/classement")
    attendre_fin(page)
    se_connecter(page, PRES)
    page.get_by_role("heading", name="Classement").first.wait_for()
    # La déclaration d'intérêts et l'engagement de confidentialité, avant toute décision.
    page.get_by_label("Vos intérêts").fill("aucun")
    page.get_by_text("J'accepte la déclaration générale d'intérêts").click()
    page.get_by_text("Je prends l'engagement de confidentialité").click()
    page.get_by_role("button", name="Accepter et signer").click()
    attendre_fin(page)

    # Un autre montant sans raison : refusé.
    champ = page.get_by_role("textbox", name="Montant recommandé ($)")
    champ.fill("1000")
    champ.press("Tab")
    attendre_fin(page)
    bouton = page.locator(".st-key-mt_enregistrer button")
    bouton.click()
    attendre_fin(page)
    message = page.get_by_test_id("stAlertContentError").filter(has_text="Montant refusé")
    message.wait_for()
    page.screenshot(path=str(tmp_path / "refus_sous_le_bouton.png"))

    b, m_ = bouton.bounding_box(), message.bounding_box()
    titre = page.get_by_role("heading", name="Classement").first.bounding_box()
    # Une longue page : le haut, où s'affichaient les messages, est à plus de 1 000 px.
    assert b["y"] - titre["y"] > 1000
    # Le message, sous le bouton, à moins de 300 px ; visible sans défiler.
    assert 0 <= m_["y"] - (b["y"] + b["height"]) < 300
    assert m_["y"] >= 0
    assert m_["y"] + m_["height"] <= HAUTEUR

    # Verrouiller les décisions : une fenêtre dit ce qui reste, « Annuler » la referme.
    page.locator(".st-key-verrouiller_decisions button").click()
    attendre_fin(page)
    fenetre = page.get_by_role("dialog")
    fenetre.get_by_text("3 demandes classées sans décision (sur 3)").wait_for()
    page.screenshot(path=str(tmp_path / "fenetre_verrou.png"))
    fenetre.get_by_role("button", name="Annuler").click()
    attendre_fin(page)
    fenetre.wait_for(state="detached")
    assert not attributions.charger(appel.id, moteur=moteur).reglages.decisions_verrouillees

    # Échap la referme aussi, pour de bon : l'action suivante ne la rouvre pas.
    page.locator(".st-key-verrouiller_decisions button").click()
    attendre_fin(page)
    fenetre.wait_for()
    page.keyboard.press("Escape")
    fenetre.wait_for(state="detached")
    attendre_fin(page)
    bouton.click()
    attendre_fin(page)
    assert fenetre.count() == 0

    # Rouverte, « Verrouiller quand même » verrouille ; le message paraît sous le verrou.
    page.locator(".st-key-verrouiller_decisions button").click()
    attendre_fin(page)
    fenetre.get_by_role("button", name="Verrouiller quand même").click()
    attendre_fin(page)
    fenetre.wait_for(state="detached")
    page.get_by_text("Décisions verrouillées (inscrit au journal)").wait_for()
    assert attributions.charger(appel.id, moteur=moteur).reglages.decisions_verrouillees
