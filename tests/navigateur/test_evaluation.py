"""Parcours réel dans Chromium : un évaluateur se connecte, note au clavier, soumet,
recharge la page, se reconnecte et retrouve ses notes."""

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.socle import formats, stockage
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
EVA = "eva@exemple.qc.ca"


@pytest.fixture
def moteur_serveur(base_serveur):
    """La base du serveur, avec les trois demandes du classeur valide."""
    appel = charger_appel()
    moteur = stockage.creer_moteur(base_serveur)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles par l'analyste : elles se notent
    yield moteur
    moteur.dispose()


def _curseur(page, libelle: str):
    return page.locator("[data-testid='stSlider']").filter(has_text=libelle).get_by_role("slider")


def test_noter_au_clavier_soumettre_et_retrouver(moteur_serveur, serveur, page, tmp_path):
    appel = charger_appel()
    page.goto(f"{serveur}/evaluation")
    attendre_fin(page)
    se_connecter(page, EVA)
    page.get_by_role("heading", name="Évaluation").first.wait_for()
    page.get_by_text("0 / 3 soumises").wait_for()

    # Au clavier : Fin = la note la plus haute, puis une flèche à gauche par demi-point.
    touches = {c.libelle: ["End"] + ["ArrowLeft"] * i for i, c in enumerate(appel.criteres)}
    for libelle, suite in touches.items():
        curseur = _curseur(page, libelle)
        curseur.focus()
        for touche in suite:
            curseur.press(touche)
        attendre_fin(page)
    attendus = {c.id: 10 - 0.5 * i for i, c in enumerate(appel.criteres)}
    total = sum(c.poids * attendus[c.id] / 10 for c in appel.criteres)
    page.get_by_text(f"{formats.note(total)} / 100").wait_for()

    # Le panneau de notation est un fragment : ce qu'il a changé, la page le voit quand même
    # (l'avertissement avant de quitter la demande, qui se joue hors du fragment).
    page.get_by_text("Modifications non enregistrées.").wait_for()
    page.get_by_role("button", name="Suivante", exact=True).click()
    attendre_fin(page)
    page.get_by_text("a des modifications non enregistrées").wait_for()
    page.get_by_role("button", name="Rester sur cette demande").click()
    attendre_fin(page)
    assert _curseur(page, appel.criteres[0].libelle).get_attribute("aria-valuetext") == "10"

    page.screenshot(path=str(tmp_path / "evaluation.png"))
    page.get_by_role("button", name="Soumettre l'évaluation").click()
    attendre_fin(page)
    page.get_by_text("Évaluation soumise à").wait_for()
    page.get_by_text("1 / 3 soumises").wait_for()

    with moteur_serveur.connect() as c:
        premiere = int(stockage.lire_demandes(appel.id, connexion=c)["id"].iloc[0])
    statut, saisie = evaluations.lire(premiere, EVA, moteur=moteur_serveur)
    assert statut == "soumise"
    assert saisie.notes == attendus

    page.reload()
    attendre_fin(page)
    se_connecter(page, EVA)
    page.get_by_text("1 / 3 soumises").wait_for()
    # La session neuve ouvre la prochaine demande à faire ; la soumise est juste avant.
    page.get_by_role("button", name="Précédente").click()
    attendre_fin(page)
    page.get_by_text("Évaluation soumise. Vous pouvez la rouvrir").wait_for()
    for c in appel.criteres:
        assert _curseur(page, c.libelle).get_attribute("aria-valuetext") == (
            f"{attendus[c.id]:g}".replace(".", ",")
        )
