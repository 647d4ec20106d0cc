"""Parcours réel dans Chromium : l'administration crée l'appel de l'année suivante en
copiant le PAIVMQ, puis change deux poids dans le tableau des critères."""

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from evaluation.appels.configuration import appel_depuis_toml
from evaluation.socle import stockage
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
ADMIN = "admin@exemple.qc.ca"

# La cellule choisie du tableau : sa ligne et sa colonne dans la table accessible que
# glide-data-grid tient sous son canevas (aria-rowindex, en-tête = 1 ; aria-colindex).
CHOISIE = """(t) => {
  const c = t.querySelector("tbody [role=gridcell][aria-selected=true]");
  return c && [+c.closest("[role=row]").getAttribute("aria-rowindex"),
               +c.getAttribute("aria-colindex")];
}"""


def cellule(tableau, ligne: int, colonne: str):
    """La cellule (ligne, colonne nommée par son en-tête) de la table accessible du tableau."""
    indice = tableau.get_by_role(
        "columnheader", name=colonne, exact=True, include_hidden=True
    ).get_attribute("aria-colindex")
    return tableau.locator(
        f"[role=row][aria-rowindex='{ligne + 2}'] [role=gridcell][aria-colindex='{indice}']"
    )


def modifier_cellule(page, tableau, ligne: int, colonne: str, valeur: str) -> None:
    """Tape `valeur` dans la cellule (ligne, colonne) du tableau, au clavier : le focus sur la
    cellule dans la table accessible (le canevas n'a pas de cellules à viser), les flèches
    jusqu'à elle tant que la cellule choisie n'est pas la bonne (le premier focus du tableau
    choisit parfois sa voisine), Entrée ouvre l'éditeur, la saisie, Entrée la valide. La
    valeur est relue dans la table accessible."""
    cible = cellule(tableau, ligne, colonne)
    voulue = [ligne + 2, int(cible.get_attribute("aria-colindex"))]
    poignee = tableau.element_handle()
    choisie = None
    for _ in range(10):
        if choisie is None:
            # Le focus sur la cellule la choisit, parfois un instant plus tard. Redonné à
            # l'élément déjà actif (après Échap, ou une table accessible refaite), il ne
            # choisirait rien : la cellule le perd d'abord.
            cible.evaluate("(e) => e.blur()")
            cible.focus()
            attendue, avant = voulue, None
        else:
            page.keyboard.press(
                ("ArrowDown" if choisie[0] < voulue[0] else "ArrowUp")
                if choisie[0] != voulue[0]
                else ("ArrowRight" if choisie[1] < voulue[1] else "ArrowLeft")
            )
            attendue, avant = None, choisie
        with contextlib.suppress(PlaywrightTimeout):  # la cellule choisie relue ci-dessous
            page.wait_for_function(
                f"([t, attendue, avant]) => {{ const c = ({CHOISIE})(t);"
                " return attendue ? String(c) === String(attendue)"
                " : c !== null && String(c) !== String(avant); }",
                arg=[poignee, attendue, avant],
                timeout=2_000,
            )
        choisie = tableau.evaluate(CHOISIE)
        if choisie == voulue:
            break
    else:
        raise AssertionError(f"cellule {voulue} jamais choisie au clavier (dernière : {choisie})")
    page.keyboard.press("Enter")  # ouvre l'éditeur de la cellule choisie
    editeur = page.locator("#portal input, #portal textarea").first
    editeur.fill(valeur)
    editeur.press("Enter")
    editeur.wait_for(state="hidden")
    # Le tableau est dans le formulaire des paramètres : la saisie ne relance pas le script
    # (attendre_fin le dirait) ; la valeur se lit là où l'utilisateur la voit.
    expect(cible).to_have_text(valeur)


def test_copier_le_paivmq_puis_changer_un_poids(serveur, base_serveur, page, tmp_path):
    page.goto(f"{serveur}/parametres")
    attendre_fin(page)
    se_connecter(page, ADMIN)
    page.get_by_role("heading", name="Paramètres de l'appel").wait_for()

    page.get_by_role("tab", name="Créer un appel").click()
    page.get_by_text("Une copie d'un appel existant").click()
    attendre_fin(page)
    page.get_by_role("textbox", name="Identifiant du nouvel appel").fill("paivmq-2024-2025")
    page.get_by_role("textbox", name="Nom", exact=True).fill("PAIVMQ — appel 2024-2025")
    page.get_by_role("textbox", name="Nom court").first.fill("PAIVMQ 2024-2025")
    page.get_by_role("button", name="Créer l'appel").click()
    attendre_fin(page)
    page.screenshot(path=str(tmp_path / "apres_creation.png"), full_page=True)
    # Le message sous « Créer l'appel », dans l'onglet resté ouvert (issue 16) ; le nouvel
    # appel est l'appel actif, à modifier dans le premier onglet.
    page.get_by_text("Appel « PAIVMQ 2024-2025 » créé d'après « PAIVMQ 2023-2024 »").wait_for()
    page.get_by_role("tab", name="Modifier l'appel actif").click()
    # Le nom en titre ; l'identifiant n'est plus que dans l'aide (issue 19).
    page.get_by_test_id("stMain").get_by_text("PAIVMQ — appel 2024-2025", exact=True).wait_for()

    criteres = page.get_by_test_id("stDataFrame").first
    # Les lignes du tableau, dans l'ordre des critères de l'appel copié.
    assert cellule(criteres, 0, "Critère").inner_text().startswith("Pertinence")
    assert cellule(criteres, 5, "Critère").inner_text().startswith("Visibilité")
    modifier_cellule(page, criteres, 0, "Poids", "30")  # Pertinence : 25 → 30
    modifier_cellule(page, criteres, 5, "Poids", "5")  # Visibilité : 10 → 5
    page.screenshot(path=str(tmp_path / "parametres.png"), full_page=True)
    page.get_by_role("button", name="Enregistrer les paramètres").click()
    attendre_fin(page)
    page.get_by_text("Paramètres de « PAIVMQ 2024-2025 » enregistrés.").wait_for()

    moteur = stockage.creer_moteur(base_serveur)
    try:
        with moteur.connect() as c:
            nouveau = appel_depuis_toml(
                stockage.lire_appel("paivmq-2024-2025", connexion=c)["configuration_toml"]
            )
            journal = c.execute(
                stockage.journal.select().where(stockage.journal.c.appel_id == nouveau.id)
            ).all()
            assert stockage.lire_appel("paivmq-2023-2024", connexion=c) is None  # la source
    finally:
        moteur.dispose()
    assert nouveau.poids["pertinence"] == 30 and nouveau.poids["visibilite"] == 5
    assert nouveau.nom_court == "PAIVMQ 2024-2025"
    assert {(j.objet, j.ancien, j.nouveau, j.auteur) for j in journal} >= {
        ("poids:pertinence", "25", "30", ADMIN),
        ("poids:visibilite", "10", "5", ADMIN),
    }
