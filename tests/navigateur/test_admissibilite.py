"""Parcours réel dans Chromium (issue 15) : l'analyste examine une demande selon la liste de
l'appel, l'évaluateur signale un doute en notant, la présidence renverse l'examen."""

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import examens
from evaluation.notes.filtrage import ADMISSIBLE, INADMISSIBLE
from evaluation.socle import stockage
from tests.conftest import DONNEES
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
ANA, EVA, PRES = "ana@exemple.qc.ca", "eva@exemple.qc.ca", "pres@exemple.qc.ca"


@pytest.fixture
def moteur_serveur(base_serveur):
    """La base du serveur, avec les trois demandes du classeur valide, pas encore examinées."""
    appel = charger_appel()
    moteur = stockage.creer_moteur(base_serveur)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    yield moteur
    moteur.dispose()


def _deconnecter(page):
    page.get_by_role("button", name="Se déconnecter").click()
    attendre_fin(page)


def test_analyste_examine_evaluateur_signale_presidence_renverse(
    moteur_serveur, serveur, page, tmp_path
):
    appel = charger_appel()
    with moteur_serveur.connect() as c:
        premiere = int(stockage.lire_demandes(appel.id, connexion=c)["id"].iloc[0])

    # 1. L'analyste : les conditions que le fichier ne dit pas sont à vérifier ; il y répond.
    page.goto(f"{serveur}/admissibilite")
    attendre_fin(page)
    se_connecter(page, ANA)
    page.get_by_role("heading", name="Admissibilité").first.wait_for()
    for c in appel.conditions:
        groupe = page.get_by_role("radiogroup", name=c.libelle)
        groupe.get_by_text("oui", exact=True).click()
    page.screenshot(path=str(tmp_path / "examen.png"))
    page.get_by_role("button", name="Enregistrer l'examen").click()
    attendre_fin(page)
    page.get_by_text("enregistré : admissible").wait_for()
    assert examens.charger(appel.id, moteur=moteur_serveur).etat(premiere).verdict == ADMISSIBLE
    _deconnecter(page)

    # 2. L'évaluatrice : la demande examinée est la seule de sa liste ; elle signale un doute.
    page.goto(f"{serveur}/evaluation")
    attendre_fin(page)
    se_connecter(page, EVA)
    page.get_by_role("heading", name="Évaluation").first.wait_for()
    page.get_by_text("0 / 1 soumise").wait_for()
    page.get_by_text("Signaler un doute d'admissibilité").click()
    page.get_by_label("Raison du doute").fill("Le budget cite le programme PAFIRS.")
    page.get_by_label("Raison du doute").press("Enter")
    attendre_fin(page)
    page.get_by_role("button", name="Signaler le doute").click()
    attendre_fin(page)
    page.get_by_text("Doute d'admissibilité signalé").wait_for()
    (signalement,) = examens.charger(appel.id, moteur=moteur_serveur).ouverts(premiere)
    assert signalement["raison"] == "Le budget cite le programme PAFIRS."
    _deconnecter(page)

    # 3. La présidence voit le signalement et renverse l'examen, avec une raison.
    page.goto(f"{serveur}/admissibilite")
    attendre_fin(page)
    se_connecter(page, PRES)
    page.get_by_text("Le budget cite le programme PAFIRS.").wait_for()
    page.get_by_role("radiogroup", name="La demande devient").get_by_text(
        "inadmissible", exact=True
    ).click()
    page.get_by_label("Raison du renversement").fill("Financé par le PAFIRS 2024 (vérifié).")
    page.get_by_role("button", name="Renverser l'examen").click()
    attendre_fin(page)
    page.get_by_text("renversé : inadmissible").wait_for()
    page.screenshot(path=str(tmp_path / "renversement.png"))
    etat = examens.charger(appel.id, moteur=moteur_serveur).etat(premiere)
    assert (etat.verdict, etat.nature, etat.auteur) == (INADMISSIBLE, "renversement", PRES)
