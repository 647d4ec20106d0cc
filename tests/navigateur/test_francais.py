"""Parcours réels dans Chromium : ce que Streamlit écrirait en anglais (téléverseur, barre
d'outils des graphiques) est en français, et la limite affichée est celle de l'application."""

import pytest

from evaluation.socle.comptes import creer_compte
from pages.composants.francais import LOCALE_PLOTLY
from tests.navigateur.conftest import (
    MOT_DE_PASSE,
    attendre_fin,
    noter_au_maximum_et_soumettre,
    se_connecter,
)

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


# Le contraste de deux couleurs CSS (WCAG 2.1), la couleur de fond étant celle du premier
# ancêtre qui en a une (les champs de Streamlit sont transparents sur leur cadre).
_CONTRASTE = """e => {
  const rgba = c => {
    const v = c.match(/[\\d.]+/g).map(Number);
    return v.length > 3 ? v : [...v, 1];
  };
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let fond = e, couleur = 'rgb(255, 255, 255)';
  while (fond) {
    const c = getComputedStyle(fond).backgroundColor;
    if (c && rgba(c)[3] > 0) { couleur = c; break; }
    fond = fond.parentElement;
  }
  const style = getComputedStyle(e);
  const [r, g, b, a] = rgba(style.webkitTextFillColor || style.color);
  const f = rgba(couleur);
  // Le texte translucide se lit mélangé à son fond.
  const texte = [r * a + f[0] * (1 - a), g * a + f[1] * (1 - a), b * a + f[2] * (1 - a)];
  const [l1, l2] = [lum(texte), lum(f)];
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}"""


def _consigne(page, champ) -> tuple[str, str]:
    """(consigne affichée, texte du DOM) sous le champ `champ` (un localisateur)."""
    consignes = champ.locator("[data-testid='InputInstructions']")
    consignes.wait_for()
    avant = consignes.evaluate("e => getComputedStyle(e, '::before').content")
    return avant.strip('"'), consignes.inner_text()


def test_les_consignes_des_champs_et_le_texte_desactive(serveur, base_serveur, page, tmp_path):
    """Issue 19, point 1 : ni « Press Enter to submit form » sous les champs du formulaire
    de connexion, ni « Press Ctrl+Enter to apply » sous une zone de texte ; la consigne est
    en français (le compteur de caractères reste celui de Streamlit). Point 4 : le
    commentaire d'une évaluation soumise, désactivé, se lit (contraste d'au moins 4,5:1)."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.depot.importation import importer
    from evaluation.depot.verification import verifier_lot
    from evaluation.socle import stockage
    from tests.conftest import DONNEES
    from tests.filtrage import admettre

    appel = charger_appel()
    moteur = stockage.creer_moteur(base_serveur)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    admettre(moteur, appel)
    moteur.dispose()

    page.goto(f"{serveur}/evaluation")
    attendre_fin(page)
    courriel = page.locator("[data-testid='stTextInput']").filter(has_text="Courriel")
    courriel.locator("input").fill("eva@exemple.qc.ca")
    affichee, dom = _consigne(page, courriel)
    assert affichee == "Entrée pour envoyer", affichee
    assert "Press" not in dom, dom
    texte = page.inner_text("[data-testid='stMain']")
    assert "Press Enter" not in texte
    page.screenshot(path=str(tmp_path / "connexion.png"))
    # Entrée envoie toujours le formulaire (rien de désactivé).
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_label("Mot de passe").press("Enter")
    attendre_fin(page)
    page.get_by_role("button", name="Se déconnecter").wait_for()
    attendre_fin(page)

    zone = page.locator("[data-testid='stTextArea']").first
    zone.locator("textarea").fill("Dossier clair, échéancier réaliste.")
    affichee, dom = _consigne(page, zone)
    assert affichee == "Ctrl+Entrée pour appliquer", affichee
    assert dom == "35/10000", dom
    assert "Press Ctrl+Enter" not in page.inner_text("[data-testid='stMain']")
    zone.screenshot(path=str(tmp_path / "zone.png"))
    zone.locator("textarea").press("Control+Enter")
    attendre_fin(page)

    noter_au_maximum_et_soumettre(page)
    commentaire = page.locator("[data-testid='stTextArea'] textarea").first
    assert commentaire.is_disabled()
    assert commentaire.input_value() == "Dossier clair, échéancier réaliste."
    contraste = commentaire.evaluate(_CONTRASTE)
    assert contraste >= 4.5, contraste
    page.screenshot(path=str(tmp_path / "soumise.png"), full_page=True)
