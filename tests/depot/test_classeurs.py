"""Mesure des classeurs avant lecture : une limite franchie d'une unité est refusée."""

from __future__ import annotations

import pytest

from evaluation.depot import classeurs
from evaluation.depot.classeurs import Limites
from evaluation.depot.lecture import lire_feuilles
from tests.conftest import DONNEES
from tests.depot.test_fichiers_hostiles import _refus
from tests.donnees import hostiles


def _xlsx_de(lignes: int, colonnes: int) -> bytes:
    from openpyxl.utils import get_column_letter

    corps = "".join(
        f'<row r="{i}">'
        + "".join(hostiles.cellule(f"{get_column_letter(j)}{i}") for j in range(1, colonnes + 1))
        + "</row>"
        for i in range(1, lignes + 1)
    )
    return hostiles.xlsx(hostiles.feuille_xml(corps))


def _ods_de(lignes: int, colonnes: int) -> bytes:
    return hostiles.ods(
        hostiles.table("F", hostiles.ligne(hostiles.valeur_repetee(colonnes), lignes))
    )


def _csv_de(lignes: int, colonnes: int) -> bytes:
    return ("\n".join(";".join(["x"] * colonnes) for _ in range(lignes)) + "\n").encode()


FABRIQUES = {"xlsx": _xlsx_de, "ods": _ods_de, "csv": _csv_de}


@pytest.mark.parametrize("genre", FABRIQUES)
@pytest.mark.parametrize(
    ("lignes", "colonnes", "limites", "code"),
    [
        (6, 2, Limites(lignes_max=5), "trop_de_lignes"),
        (2, 6, Limites(colonnes_max=5), "trop_de_colonnes"),
        (4, 4, Limites(cellules_max=15), "trop_de_cellules"),
    ],
)
def test_limite_franchie_d_une_unite(genre, lignes, colonnes, limites, code):
    """Une ligne, une colonne ou une cellule de trop est refusée ; à la limite, c'est lu."""
    fabriquer = FABRIQUES[genre]
    assert _refus(f"f.{genre}", fabriquer(lignes, colonnes), limites).code == code
    if code == "trop_de_lignes":
        lire_feuilles(f"f.{genre}", fabriquer(lignes - 1, colonnes), limites)
    elif code == "trop_de_colonnes":
        lire_feuilles(f"f.{genre}", fabriquer(lignes, colonnes - 1), limites)
    else:
        lire_feuilles(f"f.{genre}", fabriquer(lignes, colonnes - 1), limites)  # 16 → 12


def test_texte_partage_compte_une_fois_par_cellule_qui_y_renvoie():
    """100 caractères partagés par 50 cellules : 5 000 copiés (un peu plus avec le balisage,
    que la mesure compte pour rester un majorant) ; par 25 cellules, la moitié."""
    limites = Limites(caracteres_max=4_000)
    refus = _refus("t.xlsx", hostiles.textes_partages("x" * 100, 50), limites)
    assert refus.code == "texte_trop_long"
    lire_feuilles("t.xlsx", hostiles.textes_partages("x" * 100, 25), limites)
    lire_feuilles("t.xlsx", hostiles.textes_partages("x" * 100, 50), Limites(caracteres_max=8_000))


def test_xls_a_la_limite_lu():
    """Le .xls valide (3 demandes) : 4 lignes, 24 colonnes ; refusé à 3 lignes permises."""
    contenu = (DONNEES / "formats" / "valide.xls").read_bytes()
    lire_feuilles("v.xls", contenu, Limites(lignes_max=9))
    assert _refus("v.xls", contenu, Limites(lignes_max=3)).code == "trop_de_lignes"


@pytest.mark.parametrize(("ligne", "colonne"), [(0, 0), (2, 1), (0, 3), (5, 0)])
def test_paquets_de_lignes_partent_de_a1(ligne, colonne, monkeypatch):
    """Une feuille dont la première cellule remplie est loin de A1 se lit comme
    `to_python(skip_empty_area=False)` la rend, même découpée en petits paquets."""
    import io

    import openpyxl
    import python_calamine

    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.title = "F"
    feuille.cell(ligne + 1, colonne + 1, "a")
    feuille.cell(ligne + 3, colonne + 3, 5)
    feuille.cell(ligne + 4, colonne + 1, "#N/A")  # cellule en erreur
    sortie = io.BytesIO()
    classeur.save(sortie)
    contenu = sortie.getvalue()
    monkeypatch.setattr(classeurs, "CELLULES_PAR_PAQUET", 3)
    _, [(nom, lignes, en_erreur)] = classeurs.grilles("f.xlsx", contenu, Limites())
    attendu = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(contenu))
        .get_sheet_by_name("F")
        .to_python(skip_empty_area=False)
    )
    attendu[ligne + 3][colonne] = classeurs.CelluleEnErreur("#N/A")
    assert (nom, lignes, en_erreur) == ("F", attendu, True)
