"""Parcours réel dans Chromium : la présidence voit la ligne de financement au classement,
puis consigne une décision en séance."""

import pytest

from evaluation import evaluations, stockage
from evaluation.appel import appel_depuis_toml, charger_appel
from evaluation.comptes import creer_compte
from evaluation.importation import importer, verifier_lot
from tests.conftest import DONNEES
from tests.navigateur.conftest import MOT_DE_PASSE, attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
PRES = "pres@exemple.qc.ca"


@pytest.fixture
def appel_evalue(base_serveur):
    """Trois demandes notées par deux évaluateurs ; enveloppe de l'an 1 qui ne finance que
    la mieux classée, pour que la ligne de financement passe entre les deux premières."""
    livre = charger_appel()
    appel = appel_depuis_toml(
        livre.source_toml.replace("enveloppe = [750000, 500000]", "enveloppe = [30000, 30000]")
    )
    moteur = stockage.creer_moteur(base_serveur)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        table = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(table["no_demande"], table["id"].astype(int), strict=True))
    for i, courriel in enumerate(("e1@exemple.qc.ca", "e2@exemple.qc.ca")):
        creer_compte(courriel, "evaluateur", MOT_DE_PASSE, moteur=moteur)
        for numero, note in (("T-001", 9.0), ("T-002", 8.0 - i), ("T-003", 7.0)):
            saisie = evaluations.Saisie(notes={c.id: note for c in appel.criteres})
            evaluations.enregistrer(appel, ids[numero], courriel, saisie, "soumise", moteur=moteur)
    yield appel, moteur, ids
    moteur.dispose()


def test_ligne_de_financement_puis_decision_en_seance(appel_evalue, serveur, page, tmp_path):
    appel, moteur, ids = appel_evalue
    page.goto(f"{serveur}/classement")
    attendre_fin(page)
    se_connecter(page, PRES)
    page.get_by_role("heading", name="Classement").first.wait_for()
    page.get_by_role("heading", name="Financées (1)").wait_for()
    page.get_by_test_id("stAlertContentError").get_by_text("Ligne de financement").wait_for()
    page.get_by_role("heading", name="Liste d'attente (2)").wait_for()
    page.screenshot(path=str(tmp_path / "classement.png"))

    page.get_by_role("link", name="Séance du comité").click()
    attendre_fin(page)
    page.get_by_text("1 / 3").wait_for()
    page.get_by_role("heading", name="1. T-001").wait_for()
    page.get_by_role("button", name="Retenir (montant recommandé)").click()
    attendre_fin(page)
    page.get_by_text("T-001 : retenu.").wait_for()

    with moteur.connect() as c:
        decisions = stockage.lire_decisions(appel.id, connexion=c)
    assert [(d["demande_id"], d["decision"], d["auteur"]) for d in decisions] == [
        (ids["T-001"], "retenu", PRES)
    ]
