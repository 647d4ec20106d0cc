"""Neutralisation : le CSV téléchargé ne contient aucune cellule qui deviendrait une formule
dans un tableur (injection CSV), et reste lisible (UTF-8 avec BOM, « ; »)."""

import csv
import datetime as dt
import io
import string
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.socle.texte import visible
from evaluation.sorties import neutralisation
from evaluation.sorties.neutralisation import csv_sans_formules, neutraliser
from tests.sorties.test_classeur import HOSTILES, lire_csv

BOM = b"\xef\xbb\xbf"


def _lignes(donnees: bytes) -> list[list[str]]:
    texte = donnees.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(texte, newline=""), delimiter=";"))


def _pandas(donnees: bytes) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(donnees), sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )


@pytest.mark.parametrize(
    ("cellule", "attendue"),
    [
        ("=SOMME(A1:A9)", "'=SOMME(A1:A9)"),
        ('=HYPERLINK("http://x.example","clic")', '\'=HYPERLINK("http://x.example","clic")'),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("-", "'-"),
        ("=", "'="),
        # Des blancs ou la pleine chasse devant le signe : neutralisés aussi.
        (" =1+1", "' =1+1"),
        ("\u00a0\u00a0@SUM(A1)", "'\u00a0\u00a0@SUM(A1)"),
        ("\uff1d1+1", "'\uff1d1+1"),
        # Rien d'autre ne change.
        ("Projet solide", "Projet solide"),
        ("a=b+c", "a=b+c"),
        ("'=déjà neutre", "'=déjà neutre"),
        ("Québec; Lévis", "Québec; Lévis"),
        ('guillemets "doubles"', 'guillemets "doubles"'),
        ("ligne 1\nligne 2", "ligne 1\nligne 2"),
        ("", ""),
        ("25\u00a0000\u00a0$", "25\u00a0000\u00a0$"),
    ],
)
def test_cellule_neutralisee(cellule, attendue):
    table = pd.DataFrame({"Texte": [cellule], "Autre": ["x"]})
    donnees = csv_sans_formules(table)
    assert _lignes(donnees) == [["Texte", "Autre"], [attendue, "x"]]
    assert _pandas(donnees).to_dict("records") == [{"Texte": attendue, "Autre": "x"}]


def test_retour_chariot_en_tete_recoit_l_apostrophe():
    table = pd.DataFrame({"Texte": ["\r=1+1"], "Autre": ["x"]})
    texte = csv_sans_formules(table).decode("utf-8-sig")
    assert texte.startswith("Texte;Autre")
    assert "'\r=1+1" in texte
    assert "\n\r=1+1" not in texte  # jamais sans l'apostrophe


@pytest.mark.parametrize(
    ("cellule", "attendue"),
    [
        ("\r=1+1", "'\r=1+1"),
        ("très bien\r=1+1", "très bien\r=1+1"),
        ("ok\r@SUM(1)", "ok\r@SUM(1)"),
    ],
)
def test_retour_chariot_dans_une_cellule(cellule, attendue):
    table = pd.DataFrame({"Texte": [cellule], "Autre": ["x"]})
    donnees = csv_sans_formules(table)
    assert _lignes(donnees) == [["Texte", "Autre"], [attendue, "x"]]
    assert _pandas(donnees).to_dict("records") == [{"Texte": attendue, "Autre": "x"}]


def test_bom_separateur_et_texte():
    table = pd.DataFrame(
        {
            "Auteur": ["eva@x.ca", "luc@x.ca"],
            "Objet": ["Note · Pertinence et retombées", "Commentaire global"],
            "Nouvelle valeur": ["=1+1", "Très bien ; à revoir"],
        }
    )
    donnees = csv_sans_formules(table)
    assert donnees.startswith(BOM)
    assert not donnees[len(BOM) :].startswith(BOM)  # un seul BOM
    texte = donnees[len(BOM) :].decode("utf-8")  # UTF-8 strict, sans erreur
    premiere, deuxieme, troisieme = texte.splitlines()
    assert premiere == "Auteur;Objet;Nouvelle valeur"
    assert deuxieme == "eva@x.ca;Note · Pertinence et retombées;'=1+1"
    assert troisieme == 'luc@x.ca;Commentaire global;"Très bien ; à revoir"'
    assert _pandas(donnees).to_dict("records") == [
        {
            "Auteur": "eva@x.ca",
            "Objet": "Note · Pertinence et retombées",
            "Nouvelle valeur": "'=1+1",
        },
        {
            "Auteur": "luc@x.ca",
            "Objet": "Commentaire global",
            "Nouvelle valeur": "Très bien ; à revoir",
        },
    ]


def test_nombres_intacts():
    table = pd.DataFrame(
        {
            "entier": [-5, 12, 0],
            "flottant": [-2.5, 73.5, float("nan")],
            "texte": ["-5", "12", None],
        }
    )
    lignes = _lignes(csv_sans_formules(table))
    assert lignes == [
        ["entier", "flottant", "texte"],
        # Le nombre reste un nombre (virgule décimale : forme « Excel (français) ») ; le texte
        # « -5 » est neutralisé.
        ["-5", "-2,5", "'-5"],
        ["12", "73,5", "12"],
        ["0", "", ""],
    ]


def test_autres_valeurs_intactes():
    table = pd.DataFrame(
        {
            "jour": [dt.date(2024, 4, 1)],
            "vrai": [True],
            "objet": [None],
        },
        dtype=object,
    )
    assert _lignes(csv_sans_formules(table)) == [
        ["jour", "vrai", "objet"],
        ["2024-04-01", "True", ""],
    ]


def test_table_vide():
    donnees = csv_sans_formules(pd.DataFrame(columns=["Date", "Auteur"]))
    assert donnees.startswith(BOM)
    assert donnees[len(BOM) :].decode("utf-8").splitlines() == ["Date;Auteur"]
    assert _pandas(donnees).empty


def test_la_table_recue_n_est_pas_modifiee():
    table = pd.DataFrame({"a": ["=1", "+2", "ok"], "n": [1, 2, 3]})
    avant = table.copy()
    csv_sans_formules(table)
    pd.testing.assert_frame_equal(table, avant)


def test_plusieurs_colonnes_et_lignes():
    table = pd.DataFrame(
        {
            "Ancienne valeur": ["@moi", "texte", "-1"],
            "Nouvelle valeur": ["\tTab", "+1", "fin"],
            "Note": [7.5, -1.0, 10.0],
        }
    )
    relu = _pandas(csv_sans_formules(table))
    assert list(relu.columns) == ["Ancienne valeur", "Nouvelle valeur", "Note"]
    assert list(relu["Ancienne valeur"]) == ["'@moi", "texte", "'-1"]
    assert list(relu["Nouvelle valeur"]) == ["'\tTab", "'+1", "fin"]
    assert list(relu["Note"]) == ["7,5", "-1,0", "10,0"]


def test_csv_sans_formules_relu_par_le_module_csv():
    table = pd.DataFrame({"titre": [*HOSTILES, "Texte ordinaire"], "n": range(7)})
    lignes = lire_csv(csv_sans_formules(table))
    assert lignes[0] == ["titre", "n"]
    assert [ligne[0] for ligne in lignes[1:]] == ["'" + h for h in HOSTILES] + ["Texte ordinaire"]
    assert [ligne[1] for ligne in lignes[1:]] == [str(i) for i in range(7)]
    assert neutraliser(pd.DataFrame()).empty


# --- La règle jugée vite : mêmes verdicts que la règle complète ----------------------------------


def _dangereux_selon_la_regle(texte: str) -> bool:
    """La règle de l'en-tête du module, appliquée sans raccourci."""
    if not texte:
        return False
    if texte.startswith(("\t", "\r", "\n")):
        return True
    debut = visible(texte[:64]).lstrip()
    if not debut:
        return False
    signes = set("=+-@\u2212")
    return debut[0] in signes or unicodedata.normalize("NFKC", debut[0]) in signes


# Ce qui peut changer le premier caractère affiché : blancs, invisibles, forçages de
# direction, lettres hébraïques, marques combinantes (« = » + U+0338 compose « ≠ »), signes
# en pleine chasse ou en petite forme.
_PIEGES = (
    "=+-@\u2212\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b \t\r\n\u00a0\u202f"
    "\u200b\u200e\u200f\u202a\u202b\u202d\u202e\u2066\u2067\u2069\u061c\u00ad\ufeff"
    "\u0301\u0338\u05d0\u0627\u0661"
)
_TEXTES = st.text(st.sampled_from(_PIEGES) | st.characters(), max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(string.ascii_letters + string.digits), _TEXTES)
def test_une_lettre_ou_un_chiffre_ascii_en_tete_decide_seul(premier, suite):
    assert neutralisation.dangereux(premier + suite) is False
    assert _dangereux_selon_la_regle(premier + suite) is False


@settings(max_examples=400, deadline=None)
@given(_TEXTES)
def test_dangereux_suit_la_regle_complete(texte):
    assert neutralisation.dangereux(texte) == _dangereux_selon_la_regle(texte)


def test_textes_pour_classeur_en_bloc():
    ordinaires = ["Projet", "=1+1", "é" * 40]
    assert neutralisation.textes_pour_classeur(ordinaires) is ordinaires  # rien à refaire
    long = "a" * 40_000
    a_nettoyer = ["ok", "a\x00b\x1f", long, "\ufffefin"]
    attendu = [neutralisation.texte_pour_classeur(t) for t in a_nettoyer]
    assert neutralisation.textes_pour_classeur(a_nettoyer) == attendu
    assert attendu[1] == "ab" and attendu[3] == "fin"
    assert attendu[2].endswith(neutralisation.MARQUE_TRONQUE)
    assert neutralisation.textes_pour_classeur([]) == []


def test_colonne_de_milliers_de_lignes_jugee_par_valeur_distincte():
    """Un texte hostile répété, au milieu de textes ordinaires et de vides : chaque cellule
    qui le porte est neutralisée, les autres restent telles quelles, dans une colonne de
    textes (str) comme dans une colonne d'objets ou de valeurs mêlées."""
    valeurs = ["e01@x.ca", "=1+1", None, "ok", "=1+1", "-2"] * 500
    for colonne in (
        pd.Series(valeurs, dtype="str"),
        pd.Series(valeurs, dtype=object),
        pd.Series([*valeurs, 3], dtype=object),
    ):
        sortie = neutraliser(pd.DataFrame({"c": colonne}))["c"].tolist()
        attendu = ["e01@x.ca", "'=1+1", None, "ok", "'=1+1", "'-2"] * 500
        assert [None if pd.isna(v) else v for v in sortie[:3000]] == attendu
    table = pd.DataFrame({"c": pd.Categorical(["=1", "ok", "=1"])})
    assert neutraliser(table)["c"].tolist() == ["'=1", "ok", "'=1"]


def test_colonnes_de_meme_nom():
    table = pd.DataFrame([["=1", "+2", 3]], columns=["a", "a", "n"])
    assert _lignes(csv_sans_formules(table)) == [["a", "a", "n"], ["'=1", "'+2", "3"]]


def test_deux_formes_de_csv():
    """Issue 19 : « Excel (français) » (« ; », virgule décimale, BOM) et « données » (« , »,
    point décimal, sans BOM) ; la neutralisation des formules vaut pour les deux."""
    from evaluation.sorties.neutralisation import DONNEES, EXCEL

    table = pd.DataFrame({"Texte": ["=1+1", "ok"], "Note": [95.125, 7.5]})
    excel = csv_sans_formules(table, EXCEL)
    assert excel.startswith(BOM)
    assert excel[len(BOM) :].decode("utf-8").splitlines() == [
        "Texte;Note",
        "'=1+1;95,125",
        "ok;7,5",
    ]
    donnees = csv_sans_formules(table, DONNEES)
    assert not donnees.startswith(BOM)
    assert donnees.decode("utf-8").splitlines() == ["Texte,Note", "'=1+1,95.125", "ok,7.5"]
