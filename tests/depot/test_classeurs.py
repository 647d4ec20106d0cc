"""Mesure des classeurs avant lecture : une limite franchie d'une unité est refusée."""

from __future__ import annotations

import pytest

from evaluation.depot import classeurs
from evaluation.depot.classeurs import Etendue, Limites
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
    limites = Limites(caracteres_max=4_000, caracteres_par_cellule=0)
    refus = _refus("t.xlsx", hostiles.textes_partages("x" * 100, 50), limites)
    assert refus.code == "texte_trop_long"
    lire_feuilles("t.xlsx", hostiles.textes_partages("x" * 100, 25), limites)
    plus = Limites(caracteres_max=8_000, caracteres_par_cellule=0)
    lire_feuilles("t.xlsx", hostiles.textes_partages("x" * 100, 50), plus)


def test_texte_permis_croit_avec_les_cellules():
    """Chaque cellule ajoute 100 caractères permis : 50 cellules de 100 caractères passent
    sous 4 000 + 100 × 50 ; de 300 caractères (15 000 en tout), non."""
    limites = Limites(caracteres_max=4_000, caracteres_par_cellule=100)
    lire_feuilles("t.xlsx", hostiles.textes_partages("x" * 100, 50), limites)
    refus = _refus("t.xlsx", hostiles.textes_partages("x" * 300, 50), limites)
    assert refus.code == "texte_trop_long"
    assert "porterait" in refus.message and "permis" in refus.message


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


@pytest.mark.parametrize("casse", [str.upper, str.lower])
def test_colonne_la_plus_large_ailleurs_qu_en_derniere_ligne(casse):
    """La plus grande colonne (H, première ligne) n'est pas celle de la dernière ligne (B),
    en majuscules comme en minuscules : la mesure la trouve quand même, avant calamine."""
    lignes = [f'<row r="1">{"".join(hostiles.cellule(casse(c) + "1") for c in "ABCDEFGH")}</row>']
    lignes += [
        f'<row r="{i}">{hostiles.cellule(casse("A") + str(i))}'
        f"{hostiles.cellule(casse('B') + str(i))}</row>"
        for i in range(2, 6)
    ]
    contenu = hostiles.xlsx(hostiles.feuille_xml("".join(lignes)))
    for limites, code in (
        (Limites(colonnes_max=7), "trop_de_colonnes"),
        (Limites(cellules_max=39), "trop_de_cellules"),
    ):
        with pytest.raises(classeurs.FichierRefuse) as refus:
            classeurs._ouvrir_archive("f.xlsx", contenu, limites)  # la mesure seule
        assert refus.value.code == code
    ((_, grille),) = lire_feuilles("f.xlsx", contenu, Limites(colonnes_max=8, cellules_max=40))
    assert len(grille) == 5 and max(map(len, grille)) == 8


def test_limites_laissent_passer_50_000_demandes():
    """Ce que la mesure lit du classeur de 50 000 demandes et 200 000 lignes de budget
    (benchmarks/importation.py --demandes 50000 : 18 Mo, 159 Mo décompressés) passe les
    limites par défaut ; le même texte, plus long de 12 %, ne passe plus."""
    limites = Limites()
    demandes = Etendue(lignes=50_001, colonnes=26, cellules=1_045_076, caracteres=88_280_207)
    budget = Etendue(lignes=200_001, colonnes=5, cellules=1_000_005, caracteres=32_356_956)
    for etendue in (demandes, budget):
        classeurs.verifier_etendue("f.xlsx", "F", etendue, limites)
    # Les textes partagés du fichier, permis selon toutes ses cellules.
    permis = limites.texte_permis(2_045_081)
    classeurs.verifier_etendue("f.xlsx", "", Etendue(caracteres=89_385_633), limites, None, permis)
    assert limites.taille_max > 18_326_214 and limites.decompresse_max > 159 * 2**20
    # Le même texte sur une feuille dix fois plus petite : trop par cellule.
    assert classeurs.depasse(Etendue(cellules=104_507, caracteres=88_280_207), limites)
