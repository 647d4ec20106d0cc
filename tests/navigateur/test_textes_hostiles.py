"""Dans Chromium, un titre, un résumé et une municipalité importés qui portent une image
Markdown vers une adresse, des liens, du HTML et des marques de Streamlit s'affichent comme
du texte : la page ne demande jamais l'adresse de l'image, n'a ni image ni lien venus des
données, et le texte se lit tel quel."""

import pytest

from tests.hostiles import MARKDOWN, remplir_base
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
EVA = "eva@exemple.qc.ca"
ADRESSE = "127.0.0.1:9"


@pytest.fixture
def base_hostile(base_serveur, tmp_path):
    return remplir_base(base_serveur, tmp_path, [MARKDOWN, "Projet " + MARKDOWN])


def test_aucune_requete_vers_l_adresse_de_l_image(base_hostile, serveur, page, tmp_path):
    requetes: list[str] = []
    page.on("request", lambda r: requetes.append(r.url))
    page.goto(f"{serveur}/evaluation")
    attendre_fin(page)
    se_connecter(page, EVA)
    page.get_by_role("heading", name="Évaluation").first.wait_for()
    attendre_fin(page)
    # Le titre de la demande, lu tel quel (après un deux-points, un gluon invisible).
    titre = page.locator("h4").filter(has_text="<img src=x onerror=alert(1)>")
    titre.first.wait_for()
    texte = titre.first.inner_text().replace("\u2060", "")
    assert "![x](http://127.0.0.1:9/x.png)" in texte
    assert "[lien](javascript:alert(1)) <img src=x onerror=alert(1)> **gras** $x$" in texte
    assert ":red[x] :material/home: :smile: http://127.0.0.1:9/nu" in texte
    page.get_by_text("**gras**").first.wait_for()  # le résumé, la fiche, la barre latérale
    # Chaque image de la page chargée ou refusée : une image vers l'adresse aurait fait sa
    # requête avant.
    page.wait_for_function("[...document.images].every((i) => i.complete)")
    page.screenshot(path=str(tmp_path / "evaluation.png"), full_page=True)

    images = page.eval_on_selector_all("img", "e => e.map(x => x.src)")
    liens = page.eval_on_selector_all("a", "e => e.map(x => x.href)")
    assert [s for s in images if ADRESSE in s] == []
    assert [h for h in liens if ADRESSE in h or h.startswith("javascript")] == []
    assert page.locator("[data-testid='stApp'] .katex").count() == 0
    # L'icône « home » n'est que celle du lien Accueil de la barre latérale.
    icones = page.eval_on_selector_all(
        "[data-testid='stMainBlockContainer'] span[role='img']", "e => e.map(x => x.textContent)"
    )
    assert "home" not in icones
    assert [r for r in requetes if ADRESSE in r] == []
