"""Le classeur s'imprime bien (issue 17, point 5) et porte le suivi des conventions (point 4).

Impression, lue par openpyxl : chaque feuille en paysage sur papier Lettre (le format du
papier de bureau au Québec), une page de large et autant qu'il faut en hauteur ; en-têtes du
tableau répétés ; zone d'impression ; nom de l'appel en en-tête, « Page &P de &N » en pied ;
dans Classement, les colonnes de détail repliées (cachées, niveau 1) ne s'impriment pas.
Puis relue par un second client : LibreOffice convertit le classeur en PDF, que pdfinfo et
pdftotext lisent (pages au format Lettre paysage, en-têtes répétés en page 2, aucune colonne
repliée imprimée, une seule page de large).

Le classement imprimé : le jeu de test_classeur.py (trois demandes) recopié en 123 demandes,
le nombre que l'issue cite (« The printed workbook puts 123 rows × 28 columns on one page »).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pandas as pd
import pytest
from openpyxl import load_workbook

from evaluation.decision import suivi_financier
from evaluation.sorties import classeur as exportation
from tests.conftest import manque
from tests.sorties.test_classeur import (  # noqa: F401 (fixture `jeu`)
    EN_TETES,
    HAUT,
    INSTANT,
    exporter,
    jeu,
)

D = dt.date
N_DEMANDES = 123
IMPRIMEES = [
    "Rang",
    "No de demande",
    "Titre",
    "Municipalité",
    "Région",
    "Axe",
    "Secteur",
    "Total",
    "Statut",
    "Recommandé an 1",
    "Accordé an 1",
    "Recommandé an 2",
    "Accordé an 2",
    "Recommandation du comité",
    "Décision du ministère",
    "Ministère an 1",
    "Ministère an 2",
]


def grand_classement(table: pd.DataFrame) -> pd.DataFrame:
    """Les trois demandes du jeu recopiées jusqu'à 123, titres longs, rangs suivis."""
    copies = pd.concat([table] * (N_DEMANDES // len(table) + 1), ignore_index=True)
    copies = copies.iloc[:N_DEMANDES].copy()
    copies["rang"] = range(1, N_DEMANDES + 1)
    copies["rang_appel"] = copies["rang"].astype("Int64")  # mêmes poids : pas de 2e rang
    copies["no_demande"] = [f"PAIVMQ-2024-{i:03d}" for i in range(1, N_DEMANDES + 1)]
    copies["titre"] = [
        f"Mission d'étude et de partage d'expertise numéro {i} en développement durable"
        for i in range(1, N_DEMANDES + 1)
    ]
    copies["municipalite"] = "Saint-Jean-sur-Richelieu"
    return copies


def suivi_du_jeu(appel) -> pd.DataFrame:
    """Deux dossiers au 1er septembre 2025 : A (signée, 25 000 $ versés sur 25 000 $, rapport
    en retard de 80 jours), B (sans convention ; titre qui commence comme une formule)."""
    dossiers = [
        {
            "demande_id": 1,
            "no_demande": "A",
            "titre": "Jumelage",
            "municipalite": "Rimouski",
            "date_fin": D(2025, 3, 15),
            "montants": (2_500_000,),
            "financee": True,
        },
        {
            "demande_id": 2,
            "no_demande": "B",
            "titre": '=HYPERLINK("http://x","Cliquez")',
            "municipalite": "Lévis",
            "date_fin": D(2026, 3, 1),
            "montants": (3_000_000, 2_000_050),
            "financee": True,
        },
    ]
    return suivi_financier.tableau(
        appel,
        dossiers,
        conventions={1: {"date_signature": D(2024, 6, 10), "echeance_rapport": None}},
        versements=[{"demande_id": 1, "annee": 1, "montant_verse": 2_500_000}],
        rapports={},
        au=D(2025, 9, 1),
    )


@pytest.fixture(scope="module")
def contenu(jeu) -> bytes:  # noqa: F811
    grand = type(jeu)(jeu.appel, grand_classement(jeu.table), jeu.donnees, jeu.evaluations, {})
    return exporter(grand, suivi=suivi_du_jeu(jeu.appel))


@pytest.fixture(scope="module")
def livre(contenu):
    return load_workbook(io.BytesIO(contenu))


# --- Réglages d'impression, lus par openpyxl ---------------------------------------------------


def test_chaque_feuille_en_paysage_lettre_une_page_de_large(livre):
    assert "Suivi des conventions" in livre.sheetnames
    for feuille in livre.worksheets:
        mise = feuille.page_setup
        assert mise.orientation == "landscape", feuille.title
        assert mise.paperSize == 1, feuille.title  # Lettre, 8½ × 11 po
        assert feuille.sheet_properties.pageSetUpPr.fitToPage, feuille.title
        # fitToWidth = 1 est la valeur par défaut du format : xlsxwriter l'omet.
        assert (mise.fitToWidth or 1, mise.fitToHeight) == (1, 0), feuille.title
        assert feuille.oddHeader.left.text == "PAIVMQ 2023-2024", feuille.title
        assert feuille.oddHeader.center.text == feuille.title
        assert feuille.oddFooter.right.text == "Page &P de &N"
        assert feuille.oddFooter.left.text.startswith("Programme d'appui")


def test_classement_titres_repetes_et_zone_d_impression(livre):
    f = livre["Classement"]
    assert f.print_title_rows == "$4:$4"
    assert str(f.print_area) == f"'Classement'!$A$1:$AW${HAUT + N_DEMANDES}"


def test_classement_seules_les_colonnes_gardees_s_impriment(livre):
    """43 colonnes : les 14 gardées restent visibles ; les autres, repliées (cachées, niveau
    1 du plan), ne s'impriment pas ; leurs données restent dans la feuille."""
    f = livre["Classement"]
    en_tetes = [c.value for c in f[HAUT]]
    assert en_tetes == EN_TETES
    visibles, cachees = [], []
    for j, titre in enumerate(en_tetes, 1):
        lettre = f.cell(row=HAUT, column=j).column_letter
        dimension = f.column_dimensions[lettre]
        # openpyxl regroupe les colonnes voisines de mêmes réglages sous la première
        groupe = next(
            (d for d in f.column_dimensions.values() if d.min is not None and d.min <= j <= d.max),
            dimension,
        )
        (cachees if groupe.hidden else visibles).append(titre)
        assert groupe.outlineLevel == (1 if groupe.hidden else 0), titre
    assert visibles == IMPRIMEES
    assert {"Pertinence", "Écart-type", "Non admissible an 1", "Justification du comité"} <= set(
        cachees
    )
    assert f.cell(row=HAUT + 1, column=en_tetes.index("Écart-type") + 1).value is not None
    # Le « + » d'un groupe replié est sur la colonne qui le suit (« Total » suit les notes).
    total = f.cell(row=HAUT, column=en_tetes.index("Total") + 1).column_letter
    assert f.column_dimensions[total].collapsed
    note = f.cell(row=HAUT - 1, column=en_tetes.index("Municipalité") + 1).value
    assert note == exportation.NOTE_REPLIEES


def test_classement_titres_longs_renvoyes_a_la_ligne(livre):
    f = livre["Classement"]
    titre = f.cell(row=HAUT + 1, column=EN_TETES.index("Titre") + 1)
    assert titre.alignment.wrap_text
    assert f.column_dimensions[titre.column_letter].width == pytest.approx(38, abs=1)
    # 75 caractères sur 38 de large (un peu plus de 38 caractères par ligne) : deux lignes
    # de 15 points ; une ligne au titre court garde sa hauteur.
    assert len(titre.value) == 75
    assert f.row_dimensions[HAUT + 1].height == 30


# --- La feuille « Suivi des conventions » -------------------------------------------------------


def test_feuille_suivi_des_conventions(livre):
    f = livre["Suivi des conventions"]
    assert f["A1"].value == "Suivi des conventions — PAIVMQ 2023-2024 — au 24 novembre 2026"
    assert f["A2"].value.startswith("Rapport financier et narratif dû 90 jours après")
    assert f["A3"].value == (
        "Rapports en retard : 1 (surlignés ; colonne « Rapport ») ; les plus anciens : "
        "A (80 jours)."
    )
    en_tetes = [c.value for c in f[4]]
    assert en_tetes == [
        "No de demande",
        "Titre",
        "Municipalité",
        "Convention signée le",
        "Prévu 2024-2025",
        "Versé 2024-2025",
        "Prévu 2025-2026",
        "Versé 2025-2026",
        "Total prévu",
        "Total versé",
        "Reste à verser",
        "Rapport dû le",
        "Échéance fixée par",
        "Rapport reçu le",
        "Rapport",
        "Retard (jours)",
        "Statut",
    ]
    a = {t: c for t, c in zip(en_tetes, f[5], strict=True)}
    b = {t: c for t, c in zip(en_tetes, f[6], strict=True)}
    assert a["Convention signée le"].value == dt.datetime(2024, 6, 10)
    assert a["Convention signée le"].number_format == "yyyy-mm-dd"
    assert (a["Prévu 2024-2025"].value, a["Versé 2024-2025"].value) == (25_000, 25_000)
    assert a["Prévu 2024-2025"].number_format == exportation.FORMAT_MONTANT
    assert a["Rapport dû le"].value == dt.datetime(2025, 6, 13)
    assert (a["Rapport"].value, a["Retard (jours)"].value) == ("en retard", 80)
    assert a["Statut"].value == "rapport en retard (80 jours)"
    assert b["Convention signée le"].value is None
    assert b["Prévu 2025-2026"].value == pytest.approx(20_000.50)
    assert b["Reste à verser"].value == pytest.approx(50_000.50)
    assert b["Statut"].value == "convention à signer"
    # Un titre qui commence comme une formule reste du texte inerte.
    assert b["Titre"].data_type == "s" and b["Titre"].quotePrefix
    assert f.print_title_rows == "$4:$4"
    assert str(f.print_area) == "'Suivi des conventions'!$A$1:$Q$6"
    assert list(f.tables) == ["Suivi_des_conventions"]


def test_sans_dossier_a_suivre_pas_de_feuille(jeu):  # noqa: F811
    vide = suivi_du_jeu(jeu.appel).iloc[0:0]
    assert "Suivi des conventions" not in load_workbook(io.BytesIO(exporter(jeu))).sheetnames
    contenu = exporter(jeu, suivi=vide)
    assert "Suivi des conventions" not in load_workbook(io.BytesIO(contenu)).sheetnames


# --- Relu par LibreOffice, en PDF -------------------------------------------------------------


def _texte(pdf, page: int) -> str:
    sortie = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return sortie.stdout


@pytest.fixture(scope="module")
def pdf(contenu, tmp_path_factory):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftotext"):
        manque("LibreOffice ou poppler-utils (pdftotext, pdfinfo) absent")
    dossier = tmp_path_factory.mktemp("pdf")
    (dossier / "classeur.xlsx").write_bytes(contenu)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{dossier / 'profil'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(dossier),
            str(dossier / "classeur.xlsx"),
        ],
        capture_output=True,
        check=True,
        timeout=240,
    )
    return dossier / "classeur.pdf"


def test_pdf_lettre_paysage_et_classement_lisible(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    lignes = dict(x.split(":", 1) for x in info.stdout.splitlines() if ":" in x)
    assert "792 x 612 pts (letter)" in lignes["Page size"]  # paysage : largeur 11 po
    pages = int(lignes["Pages"])
    textes = [_texte(pdf, p) for p in range(1, pages + 1)]
    classement = [
        t
        for t in textes
        if t.lstrip().startswith("PAIVMQ 2023-2024")
        and t.split("\n", 1)[0].rstrip().endswith("Classement")
    ]
    # 123 demandes : quelques pages (pas une seule, illisible, ni des dizaines).
    assert 3 <= len(classement) <= 8, len(classement)
    for t in classement:
        # Une page de large : la première et la dernière colonne gardées sur chaque page ;
        # les en-têtes répétés en haut de chaque page, la page 2 comprise.
        assert "No de demande" in t and "Décision" in t
        for repliee in ("Écart-type", "Non admissible", "Justification", "Cumul an"):
            assert repliee not in t
    assert "Classement — PAIVMQ 2023-2024 — 24 novembre 2026" in classement[0]
    assert "PAIVMQ-2024-123" in classement[-1]
    assert "Page 2 de" in classement[1]
    suivi = [t for t in textes if "Suivi des conventions — PAIVMQ" in t]
    assert len(suivi) == 1 and "Échéance fixée par" in suivi[0] and "Statut" in suivi[0]
    assert "rapport en retard (80 jours)" in suivi[0]
