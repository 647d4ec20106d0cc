"""Parcours réel dans Chromium (issue 18) : un appel créé d'après un modèle livré (QSF,
FFQCD) est importé, examiné, noté, classé et exporté, de bout en bout dans la page.

QSF : des organismes (nom, NEQ) pour demandeurs, des projets qui portent plusieurs
priorités transversales ; FFQCD : des collectivités, des projets sur plusieurs thèmes."""

from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from evaluation.appels.edition import modeles_fournis
from evaluation.notes import evaluations, examens
from evaluation.notes.filtrage import ADMISSIBLE
from evaluation.socle import formats, stockage
from tests.conftest import demandes_pour_appel
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
ADMIN, ANA, EVA = "admin@exemple.qc.ca", "ana@exemple.qc.ca", "eva@exemple.qc.ca"
CAPTURES = Path("/work/notes/captures18")
NOUVEAUX = {
    "qsf-modele": ("qsf-2026-2027", "QSF 2026-2027"),
    "ffqcd-2021-2022": ("ffqcd-2026-2027", "FFQCD 2026-2027"),
}


def _capture(page, tmp_path, nom: str) -> None:
    """La page entière : la zone principale de Streamlit défile en elle-même (full_page n'y
    voit que la fenêtre) ; la fenêtre s'allonge le temps de la capture."""
    taille = page.viewport_size
    # Le haut de la page, quel que soit le contrôle qui a fait défiler la zone principale.
    page.evaluate("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
    page.set_viewport_size({"width": taille["width"], "height": 2600})
    try:
        page.screenshot(path=str(tmp_path / nom))
        if CAPTURES.parent.is_dir():
            CAPTURES.mkdir(exist_ok=True)
            page.screenshot(path=str(CAPTURES / nom))
    finally:
        page.set_viewport_size(taille)


def _choisir(page, cle: str, option: str) -> None:
    """Choisit `option` dans la liste déroulante de clé `cle` (au clavier de la souris, par
    le rôle ARIA de l'option, jamais au pixel)."""
    liste = page.locator(f".st-key-{cle}").get_by_role("combobox")
    liste.scroll_into_view_if_needed()
    deja = liste.input_value() == option  # la valeur que la liste affiche
    liste.click()
    liste.press_sequentially(option[:12])  # la liste se filtre à la frappe
    page.get_by_role("option", name=option, exact=True).click()
    if not deja:  # l'option déjà choisie ne relance pas le script
        attendre_fin(page)
    expect(liste).to_have_value(option)


def _appel_actif(page, nom_court: str) -> None:
    """L'appel choisi dans la barre latérale, et la barre qui le dit."""
    _choisir(page, "appel_actif", nom_court)
    page.get_by_test_id("stSidebar").get_by_text(nom_court, exact=True).last.wait_for()


def _ouvrir(page, lien: str, titre: str) -> None:
    """Une autre page, par le lien de la barre latérale (la session et l'appel actif
    restent)."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=lien).click()
    attendre_fin(page)
    page.get_by_role("heading", name=titre).first.wait_for()
    attendre_fin(page)


def _deconnecter(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    attendre_fin(page)
    page.get_by_role("button", name="Se connecter").wait_for()


def _cellules(page, no_demande: str) -> list[str]:
    """Les cellules de la ligne de `no_demande` dans le tableau qui la montre, lues dans la
    table accessible que le tableau dessiné tient à jour (cachée aux yeux)."""
    ligne = page.locator("[data-testid='stDataFrame'] [role=row]").filter(
        has=page.get_by_role("gridcell", name=no_demande, exact=True, include_hidden=True)
    )
    cellules = ligne.locator("[role=gridcell]")
    cellules.first.wait_for(state="attached")
    return [t.strip() for t in cellules.all_text_contents()]


@pytest.mark.parametrize("modele", list(NOUVEAUX))
def test_creer_importer_examiner_noter_classer_exporter(
    modele, serveur, base_serveur, page, tmp_path
):
    identifiant, nom_court = NOUVEAUX[modele]
    source = modeles_fournis()[modele]
    qsf = source.demandeur_organisme
    assert qsf == (modele == "qsf-modele")
    multiple = next(d for d in source.dimensions if d.multiple)
    deux = " ; ".join(v.libelle for v in multiple.valeurs[:2])  # ce que porte T-001

    # 1. L'administration crée l'appel d'après le modèle ; il devient l'appel actif.
    page.goto(f"{serveur}/parametres")
    attendre_fin(page)
    se_connecter(page, ADMIN)
    page.get_by_role("heading", name="Paramètres de l'appel").wait_for()
    page.get_by_role("tab", name="Créer un appel").click()
    # Le choix par défaut : le clic ne relance pas le script ; le choix se voit coché.
    page.get_by_text("Un modèle livré").click()
    expect(page.get_by_role("radio", name="Un modèle livré")).to_be_checked()
    _choisir(page, "creer_source", f"{source.nom_court} — {source.nom}")
    page.get_by_role("textbox", name="Identifiant du nouvel appel").fill(identifiant)
    page.get_by_role("textbox", name="Nom", exact=True).fill(f"{nom_court} — appel de test")
    page.get_by_role("textbox", name="Nom court").first.fill(nom_court)
    page.get_by_role("button", name="Créer l'appel").click()
    attendre_fin(page)
    page.get_by_text(
        f"Appel « {nom_court} » créé d'après « {source.nom_court} » ; c'est maintenant "
        "l'appel actif."
    ).wait_for()
    page.get_by_test_id("stSidebar").get_by_text(nom_court, exact=True).last.wait_for()

    moteur = stockage.creer_moteur(base_serveur)
    try:
        from evaluation.appels.configuration import appel_depuis_toml

        with moteur.connect() as c:
            appel = appel_depuis_toml(
                stockage.lire_appel(identifiant, connexion=c)["configuration_toml"]
            )
        assert (appel.type_demandeur, appel.dimensions) == (
            source.type_demandeur,
            source.dimensions,
        )
        fichier = demandes_pour_appel(appel, tmp_path)

        # 2. Le classeur des demandes, téléversé et importé ; l'aperçu montre le demandeur.
        _ouvrir(page, "Importation", "Importation des demandes")
        with page.expect_file_chooser() as choix:
            page.locator(
                "[data-testid='stFileUploaderDropzone'][aria-label='Fichiers de demandes']"
            ).click()
        choix.value.set_files(str(fichier))
        attendre_fin(page)
        page.get_by_text("Rapport de vérification").wait_for()
        attendre_fin(page)
        page.get_by_text("Aperçu de ce qui sera enregistré").wait_for()
        if qsf:
            apercu = page.get_by_test_id("stDataFrame").filter(has_text="Organisme requérant")
            # La table accessible du tableau dessiné : présente, cachée aux yeux.
            apercu.get_by_text("Organisme de test 1", exact=True).wait_for(state="attached")
        conseil = "résolution du conseil d'administration" if qsf else "résolution du conseil,"
        page.get_by_text(conseil).wait_for()  # les pièces jointes, dans les mots de l'appel
        _capture(page, tmp_path, f"{modele}-importation.png")
        page.get_by_role("button", name="Importer 3 demandes").click()
        attendre_fin(page)
        page.get_by_text("Importation n° 1 terminée : 3 demandes créées").wait_for()
        with moteur.connect() as c:
            demandes = stockage.lire_demandes(identifiant, connexion=c)
        ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))
        assert sorted(ids) == ["T-001", "T-002", "T-003"]

        # 3. L'examen d'admissibilité de T-001, condition par condition.
        _ouvrir(page, "Admissibilité", "Admissibilité")
        _choisir(page, "adm_demande", "T-001 — admissibilité à établir")
        page.get_by_role("heading", name="T-001 —").wait_for()
        qui = page.locator("p").filter(has_text="Demandeur :")
        if qsf:
            qui.filter(has_text="Organisme de test 1").wait_for()
        _capture(page, tmp_path, f"{modele}-admissibilite.png")
        for c in appel.conditions:
            page.get_by_role("radiogroup", name=c.libelle).get_by_text("oui", exact=True).click()
        page.get_by_role("button", name="Enregistrer l'examen").click()
        attendre_fin(page)
        page.get_by_text("Examen de T-001 enregistré : admissible.").wait_for()
        etat = examens.charger(identifiant, moteur=moteur)
        assert etat.etat(ids["T-001"]).verdict == ADMISSIBLE
        assert etat.etat(ids["T-002"]).verdict != ADMISSIBLE
        _deconnecter(page)

        # 4. L'évaluatrice : la demande admise est la seule de sa liste ; elle la note au
        # clavier (Fin = 10, puis une flèche à gauche par demi-point) et la soumet.
        page.goto(f"{serveur}/evaluation")
        attendre_fin(page)
        se_connecter(page, EVA)
        _appel_actif(page, nom_court)
        page.get_by_role("heading", name="Évaluation").first.wait_for()
        page.get_by_text("0 / 1 soumises").wait_for()
        page.get_by_role("heading", name="T-001 ·").wait_for()
        page.get_by_text(deux).first.wait_for()  # plusieurs priorités (thèmes), jointes
        for i, c in enumerate(appel.criteres):
            curseur = (
                page.locator("[data-testid='stSlider']")
                .filter(has_text=c.libelle)
                .get_by_role("slider")
            )
            curseur.focus()
            curseur.press("End")
            for _ in range(i % 3):
                curseur.press("ArrowLeft")
            attendre_fin(page)
        attendues = {c.id: 10 - 0.5 * (i % 3) for i, c in enumerate(appel.criteres)}
        total = sum(c.poids * attendues[c.id] / 10 for c in appel.criteres)
        page.get_by_text(f"{formats.note(total)} / 100").first.wait_for()
        _capture(page, tmp_path, f"{modele}-evaluation.png")
        page.get_by_role("button", name="Soumettre l'évaluation").click()
        attendre_fin(page)
        page.get_by_text("Évaluation soumise à").wait_for()
        page.get_by_text("1 / 1 soumises").wait_for()
        statut, saisie = evaluations.lire(ids["T-001"], EVA, moteur=moteur)
        assert (statut, saisie.notes) == ("soumise", attendues)
        _deconnecter(page)

        # 5. Le classement : T-001 au premier rang, les deux autres hors classement
        # (admissibilité à établir) ; le filtre par dimension déclarée.
        page.goto(f"{serveur}/classement")
        attendre_fin(page)
        se_connecter(page, ADMIN)
        _appel_actif(page, nom_court)
        page.get_by_role("heading", name="Classement").first.wait_for()
        page.get_by_role("heading", name="Financées (1)").wait_for()
        page.get_by_role("heading", name="Hors classement (2)").wait_for()
        rangee = _cellules(page, "T-001")
        assert rangee[:3] == ["1", "1", "T-001"]  # rang, rang calibré à côté, numéro
        if qsf:
            assert rangee[3] == "Organisme de test 1"
        _capture(page, tmp_path, f"{modele}-classement.png")
        # T-003 seule porte la troisième valeur ; T-001 n'y est plus.
        filtre = page.locator(f".st-key-cl_dimension_{multiple.id}")
        filtre.get_by_role("combobox").click()
        page.get_by_role("option", name=multiple.valeurs[2].libelle, exact=True).click()
        attendre_fin(page)
        page.keyboard.press("Escape")
        page.get_by_role("heading", name="Financées (0)").wait_for()
        page.get_by_role("heading", name="Hors classement (2)").wait_for()
        page.get_by_role("gridcell", name="T-003", exact=True, include_hidden=True).wait_for(
            state="attached"
        )
        assert (
            page.get_by_role("gridcell", name="T-001", exact=True, include_hidden=True).count() == 0
        )

        # 6. Le classeur Excel de tout l'appel : le demandeur et les dimensions.
        page.get_by_role("button", name="Préparer le classeur Excel").click()
        attendre_fin(page)
        with page.expect_download() as telechargement:
            page.get_by_role("button", name="Télécharger").filter(has_text=".xlsx").click()
        nom = telechargement.value.suggested_filename
        assert nom.startswith(f"{identifiant}_classement_") and nom.endswith(".xlsx")
        chemin = tmp_path / nom
        telechargement.value.save_as(chemin)
    finally:
        moteur.dispose()

    feuille = load_workbook(chemin)["Classement"]
    rangees = list(feuille.iter_rows(values_only=True))
    (entete,) = [r for r in rangees if "No de demande" in r]
    colonne = {v: i for i, v in enumerate(entete) if v}
    premiere = rangees[rangees.index(entete) + 1]
    assert premiere[colonne["No de demande"]] == "T-001"
    assert premiere[0] == 1
    for d in appel.dimensions:
        assert d.libelle in colonne
    assert premiere[colonne[multiple.libelle]] == deux
    if qsf:
        assert premiere[colonne["Organisme"]] == "Organisme de test 1"
        assert str(premiere[colonne["NEQ"]]) == "1140000000"
        assert "Municipalité" not in colonne
    else:
        assert "Municipalité" in colonne and "NEQ" not in colonne
