"""Nombres, montants et dates à la québécoise."""

import datetime as dt

import pytest

from evaluation.socle import formats

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("cents", "texte"),
    [
        (2_500_000, f"25{NBSP}000{NBSP}$"),
        (2_500_050, f"25{NBSP}000,50{NBSP}$"),
        (0, f"0{NBSP}$"),
        (123_456_789, f"1{NBSP}234{NBSP}567,89{NBSP}$"),
        (None, "—"),
    ],
)
def test_montant(cents, texte):
    assert formats.montant(cents) == texte


@pytest.mark.parametrize(
    ("cents", "texte"), [(2_500_050, "25000.50"), (5, "0.05"), (-100, "-1.00"), (None, "")]
)
def test_dollars(cents, texte):
    assert formats.dollars(cents) == texte


@pytest.mark.parametrize(
    ("jour", "texte"),
    [
        (dt.date(2024, 4, 1), "1er avril 2024"),
        (dt.date(2025, 3, 31), "31 mars 2025"),
        (dt.date(2024, 8, 2), "2 août 2024"),
    ],
)
def test_date(jour, texte):
    assert formats.date(jour) == texte


def test_pourcentage():
    assert formats.pourcentage(0.125) == f"12,5{NBSP}%"


@pytest.mark.parametrize(
    ("valeur", "texte"),
    [
        (95.125, "95,13"),  # la moitié vers le haut, pas au pair
        (71.25, "71,25"),
        (0.1 + 0.2 + 94.825, "95,13"),  # 95,12499999999999 en flottants : 95,125
        (82.5, "82,50"),
        (1234.5, f"1{NBSP}234,50"),
        (None, "—"),
        (float("nan"), "—"),
    ],
)
def test_note_deux_decimales_partout(valeur, texte):
    assert formats.DECIMALES_NOTES == 2
    assert formats.note(valeur) == texte


@pytest.mark.parametrize(
    ("valeur", "decimale", "texte"),
    [(95.125, ".", "95.13"), (95.125, ",", "95,13"), (1234.5, ".", "1234.50"), (None, ".", "")],
)
def test_note_fichier(valeur, decimale, texte):
    assert formats.note_fichier(valeur, decimale) == texte


def test_moins_zero_ne_s_ecrit_pas():
    assert formats.nombre(-0.001, 2) == "0,00"
    assert formats.nombre_fichier(-0.001) == "0.00"


def test_dollars_a_virgule():
    assert formats.dollars(2_500_050, ",") == "25000,50"


@pytest.mark.parametrize(
    ("instant", "texte"),
    [
        (dt.datetime(2026, 11, 29, 17, 25, 42), "29 novembre 2026 à 17 h 25"),
        (dt.datetime(2026, 12, 1, 9, 5), "1er décembre 2026 à 9 h 05"),
        (None, "—"),
    ],
)
def test_date_heure(instant, texte):
    assert formats.date_heure(instant) == texte


@pytest.mark.parametrize(
    ("instant", "texte"),
    [
        (dt.datetime(2026, 11, 29, 17, 22, 5), "2026-11-29 17:22:05"),
        (dt.datetime(2026, 12, 1, 9, 5, 0, 123456), "2026-12-01 09:05:00"),
        (None, ""),
    ],
)
def test_date_heure_fichier(instant, texte):
    assert formats.date_heure_fichier(instant) == texte


@pytest.mark.parametrize("cents", [1_800_000, 1_800_050, 5, 0, 75_000_000])
def test_montant_saisi_relu_par_le_lecteur_de_montants(cents):
    from evaluation.depot.valeurs import lire_montant

    assert lire_montant(formats.montant_saisi(cents)) == cents
    assert "." not in formats.montant_saisi(cents)


@pytest.mark.parametrize(
    ("valeur", "texte"), [(25, "25"), (7.5, "7,5"), (100 / 6, "16,67"), (0.5, "0,5"), (60.0, "60")]
)
def test_reglage_sans_zeros_inutiles(valeur, texte):
    assert formats.reglage(valeur) == texte


@pytest.mark.parametrize("valeur", [float("nan"), float("inf"), float("-inf"), None])
def test_valeur_absente_ou_infinie_jamais_nan_ni_exception(valeur):
    """Un calcul sans donnée (moyenne vide, division par zéro) s'écrit « — » à l'écran et
    vide dans un fichier, par chaque fonction, plutôt que « NaN » ou une exception (revue
    de l'issue 19)."""
    assert formats.nombre(valeur, 2) == "—"
    assert formats.note(valeur) == "—"
    assert formats.pourcentage(valeur) == "—"
    assert formats.note_fichier(valeur) == ""


def test_chaque_selecteur_de_date_prend_le_format_du_projet():
    """Issue 19 : chaque `st.date_input` des pages écrit ses dates `formats.FORMAT_DATE_SAISIE`
    (« 2026-11-29 »), une forme que Streamlit accepte (il refuse tout format libre)."""
    import ast

    from streamlit.elements.widgets.time_widgets import ALLOWED_DATE_FORMATS

    from evaluation.socle.chemins import RACINE_PROJET

    assert ALLOWED_DATE_FORMATS.match(formats.FORMAT_DATE_SAISIE)
    selecteurs, ecarts = 0, []
    for chemin in sorted((RACINE_PROJET / "pages").rglob("*.py")):
        for noeud in ast.walk(ast.parse(chemin.read_text(encoding="utf-8"))):
            if (
                isinstance(noeud, ast.Call)
                and isinstance(noeud.func, ast.Attribute)
                and noeud.func.attr == "date_input"
            ):
                selecteurs += 1
                choisi = next((k.value for k in noeud.keywords if k.arg == "format"), None)
                if not (isinstance(choisi, ast.Name) and choisi.id == "FORMAT_DATE_SAISIE"):
                    ecarts.append(f"{chemin.name}:{noeud.lineno}")
    assert selecteurs >= 10 and ecarts == []


def test_en_lignes_coupe_entre_les_mots_sans_rien_perdre():
    """Issue 19 : un axe long s'affiche en entier, sur plusieurs lignes, sans « … »."""
    from evaluation.socle.formats import en_lignes

    axe = "Axe 1 – Fournir un cadre stratégique à l'action internationale des villes"
    lignes = en_lignes(axe, 30)
    assert all(len(x) <= 30 for x in lignes)
    assert " ".join(lignes) == axe
    assert en_lignes("") == [""]


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [(7.125, "7,125"), (10.0, "10"), (0.5, "0,5"), (-0.5, "-0,5"), (100000.0, "100000")],
)
def test_un_nombre_saisi_se_cite_tel_quel_avec_la_virgule(valeur, attendu):
    """Issue 19 : une note citée dans un message (« 7,125 hors de l'échelle ») garde toutes
    ses décimales, virgule décimale, au lieu du « 7.125 » de `:g`."""
    assert formats.saisi(valeur) == attendu
