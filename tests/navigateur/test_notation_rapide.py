"""Notation rapide dans Chromium : une demande entière (6 curseurs, 6 commentaires,
enregistrer) se note sans attendre la page à chaque geste (issue 19, point 5)."""

import os

import pytest

from evaluation.notes import evaluations
from evaluation.notes.saisie import Saisie
from evaluation.socle import formats
from tests.navigateur.conftest import (
    attendre_fin,
    fin_d_execution,
    maintenant,
    se_connecter,
    suivre_les_executions,
)

pytestmark = pytest.mark.navigateur
EVA = "eva@exemple.qc.ca"


def _attente(page, geste: str, depuis: float) -> tuple[str, float]:
    """L'attente après un geste ; « sans exécution » si la page n'en a demandé aucune en 10 s
    (un curseur déjà au maximum, un commentaire inchangé). L'attente ressentie est alors
    nulle ; la relecture de la base après l'enregistrement vérifie qu'aucune note ni aucun
    commentaire ne s'est perdu. Une exécution brève est comptée : le suivi lit l'état que
    le serveur annonce, pas l'attribut de stApp qu'elle peut ne pas changer."""
    try:
        return geste, fin_d_execution(page, depuis, delai=10_000)
    except AssertionError as erreur:
        if "aucune exécution de Streamlit demandée" not in str(erreur):
            raise
        return f"{geste} sans exécution", 0.0


def _noter_la_demande_ouverte(page, appel) -> list[tuple[str, float]]:
    """Six curseurs au clavier (Fin), six commentaires validés par Tab, puis « Enregistrer
    le brouillon » : l'attente après chaque geste (pas les frappes)."""
    attentes = []
    for i, c in enumerate(appel.criteres):
        curseur = (
            page.locator("[data-testid='stSlider']")
            .filter(has_text=c.libelle)
            .get_by_role("slider")
        )
        curseur.focus()
        depuis = maintenant(page)
        curseur.press("End")
        assert curseur.get_attribute("aria-valuetext") == formats.reglage(appel.echelle_max)
        attentes.append(_attente(page, "curseur", depuis))
        zone = page.get_by_role("textbox", name=f"Commentaire : {c.libelle}")
        zone.fill(f"Commentaire {i + 1} sur {c.libelle}.")
        depuis = maintenant(page)
        zone.press("Tab")
        attentes.append(_attente(page, "commentaire", depuis))
    depuis = maintenant(page)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    attentes.append(("enregistrer", fin_d_execution(page, depuis)))
    page.get_by_text("Brouillon enregistré à").wait_for()
    return attentes


def test_noter_une_demande_entiere_et_dire_l_attente(appel_evalue, serveur, page):
    """Les trois demandes de l'évaluatrice notées l'une après l'autre au clavier (6 curseurs,
    6 commentaires, enregistrer) : chaque note et chaque commentaire arrivent dans la base.
    L'attente après chaque geste est imprimée, pas vérifiée : une cible de vitesse se mesure
    hors des tests, sur une machine calme (guide du projet ; la cible de l'issue 19 est de
    moins de 5 s par demande : 3,7 s mesurées à charge faible, 8 à 10 s avec ou sans le
    fragment quand la machine porte une charge de 13 sur 2 cœurs)."""
    appel, moteur, ids = appel_evalue
    page.goto(f"{serveur}/evaluation")
    attendre_fin(page)
    se_connecter(page, EVA)
    page.get_by_text("0 / 3 soumises").wait_for()

    totaux = []
    for numero in ("T-001", "T-002", "T-003"):
        attentes = _noter_la_demande_ouverte(page, appel)
        statut, saisie = evaluations.lire(ids[numero], EVA, moteur=moteur)
        assert statut == "brouillon" and set(saisie.notes.values()) == {appel.echelle_max}
        assert len(saisie.commentaires) == len(appel.criteres)
        totaux.append(sum(t for _, t in attentes))
        print(numero, [(g, round(t, 2)) for g, t in attentes], f"total : {totaux[-1]:.2f} s")
        if numero != "T-003":
            suivante = f"T-00{int(numero[-1]) + 1}"
            page.get_by_role("button", name="Suivante", exact=True).click()
            # La demande suivante affichée, pas seulement une exécution finie : sous charge,
            # l'exécution de « Suivante » pouvait n'avoir pas commencé, et les curseurs de la
            # demande notée, déjà au maximum, ne relançaient rien (échec de CI, 1er décembre).
            page.get_by_role("heading", name=suivante).first.wait_for()
            attendre_fin(page)
    charge = os.getloadavg()[0] / (os.cpu_count() or 1)
    print(f"Attente par demande : {sorted(totaux)} s (charge {charge:.1f} par cœur)")


# Ce que l'écran coupe : un libellé de bouton en points de suspension, un tableau plus large
# que sa colonne (montants cachés à droite).
COUPES = """() => {
  const coupe = (el) => el.scrollWidth > el.clientWidth + 1
    && getComputedStyle(el).overflowX !== 'visible';
  const main = document.querySelector("[data-testid='stMain']");
  const boutons = [...main.querySelectorAll('button')].filter(
    (b) => [b, ...b.querySelectorAll('*')].some(coupe)).map((b) => b.innerText);
  const tableaux = [...main.querySelectorAll("[data-testid='stTable']")].filter(
    (t) => [t, ...t.querySelectorAll('*')].some(coupe)).map((t) => t.innerText.slice(0, 60));
  return [...boutons, ...tableaux];
}"""


def _rien_de_coupe(page, capture) -> None:
    page.screenshot(path=str(capture))
    assert page.evaluate(COUPES) == [], capture


@pytest.mark.parametrize(("largeur", "hauteur"), [(1366, 768), (1440, 900)])
def test_rien_de_coupe_sur_un_ecran_de_portable(
    appel_evalue, serveur, navigateur, tmp_path, largeur, hauteur
):
    """Boutons d'enregistrement, de la question avant de quitter et de la version périmée,
    budget et montants de la fiche : rien n'est coupé (captures dans le dossier du test)."""
    appel, moteur, ids = appel_evalue
    contexte = navigateur.new_context(viewport={"width": largeur, "height": hauteur})
    suivre_les_executions(contexte)
    try:
        page = contexte.new_page()
        page.goto(f"{serveur}/evaluation")
        attendre_fin(page)
        se_connecter(page, EVA)
        page.get_by_text("0 / 3 soumises").wait_for()
        curseur = page.locator("[data-testid='stSlider']").first.get_by_role("slider")
        curseur.focus()
        curseur.press("End")
        attendre_fin(page)
        page.get_by_text("Modifications non enregistrées.").wait_for()
        page.locator("[data-testid='stTable']").first.scroll_into_view_if_needed()
        _rien_de_coupe(page, tmp_path / f"budget-{largeur}.png")
        page.locator("[data-testid='stTable']").last.scroll_into_view_if_needed()
        _rien_de_coupe(page, tmp_path / f"montants-{largeur}.png")
        page.get_by_role("button", name="Enregistrer le brouillon").scroll_into_view_if_needed()
        _rien_de_coupe(page, tmp_path / f"boutons-{largeur}.png")

        page.get_by_role("button", name="Suivante", exact=True).click()
        attendre_fin(page)
        page.get_by_role("button", name="Rester sur cette demande").scroll_into_view_if_needed()
        _rien_de_coupe(page, tmp_path / f"question-{largeur}.png")
        page.get_by_role("button", name="Rester sur cette demande").click()
        attendre_fin(page)

        # Un autre onglet enregistre la même demande : la page propose de recharger ou de
        # remplacer.
        evaluations.enregistrer(
            appel, ids["T-001"], EVA, Saisie(notes={"pertinence": 5.0}), "brouillon", moteur=moteur
        )
        page.get_by_role("button", name="Enregistrer le brouillon").click()
        attendre_fin(page)
        page.get_by_role("button", name="Remplacer par mes valeurs").scroll_into_view_if_needed()
        _rien_de_coupe(page, tmp_path / f"perimee-{largeur}.png")
    finally:
        contexte.close()
