"""Conversion des cellules : montants, dates, oui/non, axes, secteurs, régions, catégories."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.depot.valeurs import (
    ValeurIllisible,
    Vocabulaire,
    lire_date,
    lire_entier,
    lire_montant,
    lire_neq,
    lire_oui_non,
)
from evaluation.socle import formats


@pytest.mark.parametrize(
    ("cellule", "cents"),
    [
        (25000, 2_500_000),
        (25000.5, 2_500_050),
        (0.1 + 0.2, 30),
        ("25000", 2_500_000),
        ("25000.50", 2_500_050),
        ("25 000 $", 2_500_000),
        ("25 000,50 $", 2_500_050),
        ("25\u00a0000,50\u00a0$", 2_500_050),
        ("25\u202f000,50 $", 2_500_050),
        ("25,000", 2_500_000),
        ("25,000.50", 2_500_050),
        ("1.234,56", 123_456),
        ("1.000.000", 100_000_000),
        ("12,5", 1_250),
        ("CAD 300", 30_000),
        ("-500", -50_000),
        ("(1 000)", -100_000),
        ("", None),
        (None, None),
        ("-", None),
        ("s/o", None),
    ],
)
def test_montant_lu(cellule, cents):
    assert lire_montant(cellule) == cents


@pytest.mark.parametrize("cellule", ["vingt mille", "25 000 $ environ", "1,2,3", "12.34.56", True])
def test_montant_illisible(cellule):
    with pytest.raises(ValeurIllisible, match="montant"):
        lire_montant(cellule)


@given(st.integers(min_value=0, max_value=10**12))
def test_montant_affiche_se_relit(cents):
    """Un montant écrit à la québécoise (« 25 000,50 $ ») se relit au cent près."""
    assert lire_montant(formats.montant(cents)) == cents
    assert lire_montant(formats.dollars(cents)) == cents


@pytest.mark.parametrize(
    ("cellule", "jour"),
    [
        (dt.date(2024, 4, 1), dt.date(2024, 4, 1)),
        (dt.datetime(2024, 4, 1, 0, 0), dt.date(2024, 4, 1)),
        (45383, dt.date(2024, 4, 1)),
        ("2024-04-01", dt.date(2024, 4, 1)),
        ("2024/04/01", dt.date(2024, 4, 1)),
        ("2024-04-01 00:00:00", dt.date(2024, 4, 1)),
        ("01/04/2024", dt.date(2024, 4, 1)),
        ("1/4/2024", dt.date(2024, 4, 1)),
        ("04/15/2024", dt.date(2024, 4, 15)),
        ("1er avril 2024", dt.date(2024, 4, 1)),
        ("1 avril 2024", dt.date(2024, 4, 1)),
        ("15 mars 2025", dt.date(2025, 3, 15)),
        ("31 décembre 2024", dt.date(2024, 12, 31)),
        ("1er sept. 2024", dt.date(2024, 9, 1)),
        ("01/04/24", dt.date(2024, 4, 1)),
        ("le 1er avril 2024", dt.date(2024, 4, 1)),
        ("45383", dt.date(2024, 4, 1)),
        ("", None),
    ],
)
def test_date_lue(cellule, jour):
    assert lire_date(cellule) == jour


@pytest.mark.parametrize("cellule", ["bientôt", "2024-13-45", "31 février 2024", "32/01/2024", 12])
def test_date_illisible(cellule):
    with pytest.raises(ValeurIllisible, match="date"):
        lire_date(cellule)


@pytest.mark.parametrize(
    ("cellule", "valeur"),
    [
        ("oui", True),
        ("Oui", True),
        ("o", True),
        ("yes", True),
        ("x", True),
        ("X", True),
        ("Vrai", True),
        (True, True),
        (1, True),
        ("non", False),
        ("N", False),
        ("no", False),
        ("faux", False),
        (False, False),
        (0, False),
        ("✓", True),
        ("N/A", None),
        ("?", None),
        ("", None),
        (None, None),
    ],
)
def test_oui_non(cellule, valeur):
    assert lire_oui_non(cellule) is valeur


def test_oui_non_illisible():
    with pytest.raises(ValeurIllisible, match="oui ou non"):
        lire_oui_non("peut-être")


@pytest.mark.parametrize(("cellule", "n"), [(1, 1), ("2", 2), (2.0, 2), ("Année 2", 2), ("", None)])
def test_entier(cellule, n):
    assert lire_entier(cellule) == n


@pytest.fixture(scope="module")
def vocabulaire(appel):
    return Vocabulaire(appel)


@pytest.mark.parametrize(
    ("cellule", "numero"),
    [
        (2, 2),
        (2.0, 2),
        ("2", 2),
        ("Axe 2", 2),
        ("axe 2", 2),
        ("Axe 2 – Favoriser le développement de partenariats", 2),
        ("2 - Favoriser", 2),
        ("Axe2", 2),
        ("Axe II", 2),
        ("Axe n° 2", 2),
        (
            "Fournir un cadre stratégique à l'action internationale des villes et municipalités "
            "québécoises",
            1,
        ),
    ],
)
def test_axe(vocabulaire, cellule, numero):
    assert vocabulaire.axe(cellule).numero == numero


@pytest.mark.parametrize("cellule", [7, "Axe 4", "Culture"])
def test_axe_inconnu(vocabulaire, cellule):
    with pytest.raises(ValeurIllisible, match="axe"):
        vocabulaire.axe(cellule)


@pytest.mark.parametrize(
    ("cellule", "code"),
    [
        ("16", "16"),
        (16, "16"),
        (16.0, "16"),
        ("1", "01"),
        ("Montérégie", "16"),
        ("MONTEREGIE", "16"),
        ("Montérégie (16)", "16"),
        ("16 - Montérégie", "16"),
        ("16 – Montérégie", "16"),
        ("Région 16", "16"),
        ("Saguenay–Lac-Saint-Jean", "02"),
        ("Saguenay-Lac-St-Jean", "02"),
        ("Gaspésie--Îles-de-la-Madeleine", "11"),
        ("Bas-St-Laurent", "01"),
        ("16.0", "16"),
        ("Gaspésie", "11"),
        ("Saguenay", "02"),
    ],
)
def test_region(vocabulaire, cellule, code):
    assert vocabulaire.region(cellule).code == code


@pytest.mark.parametrize("cellule", ["Région 42", "18", "Laval (16)", "Ontario"])
def test_region_inconnue(vocabulaire, cellule):
    with pytest.raises(ValeurIllisible, match="région"):
        vocabulaire.region(cellule)


@pytest.mark.parametrize(
    ("cellule", "libelle"),
    [
        ("Mobilité durable", "Mobilité durable"),
        ("Mobilite durable", "Mobilité durable"),
        ("MOBILITÉ DURABLE", "Mobilité durable"),
        ("  mobilité   durable ", "Mobilité durable"),
        ("Developpement durable et carboneutralite", "Développement durable et carboneutralité"),
        (
            "Attraction de talents et d’activités économiques",
            "Attraction de talents et d'activités économiques",
        ),
    ],
)
def test_secteur(vocabulaire, cellule, libelle):
    assert vocabulaire.secteur(cellule).libelle == libelle


def test_secteur_proche_suggere(vocabulaire):
    with pytest.raises(ValeurIllisible, match="vouliez-vous dire « Mobilité durable »") as info:
        vocabulaire.secteur("Mobilité durabe")
    assert info.value.suggestion == "Mobilité durable"


def test_secteur_lointain_sans_suggestion(vocabulaire):
    with pytest.raises(ValeurIllisible) as info:
        vocabulaire.secteur("Agriculture")
    assert info.value.suggestion is None
    assert "Innovation" in str(info.value)


@pytest.mark.parametrize(
    ("cellule", "identifiant", "admissible"),
    [
        ("Ressources professionnelles externes", "ressources-professionnelles", True),
        (
            "ressources professionnelles externes directement liées à la réalisation du projet",
            "ressources-professionnelles",
            True,
        ),
        ("Frais de visas", "visas", True),
        ("Salaires", "fonctionnement", False),
        ("Équipements", "equipements", False),
        ("Frais de déplacement des élus", "deplacement-elus", False),
        ("Frais d'organisation logistique directement liés", "logistique", True),
        ("frais de visa", "visas", True),
        ("Collaboration virtuelle", "collaborations-virtuelles", True),
        ("Salaire", "fonctionnement", False),
    ],
)
def test_categorie(vocabulaire, cellule, identifiant, admissible):
    categorie = vocabulaire.categorie(cellule)
    assert (categorie.id, categorie.admissible) == (identifiant, admissible)


@pytest.mark.parametrize(
    "cellule",
    [
        # « Frais de déplacement d'élus et de responsables municipaux » : non admissibles ;
        # ces débuts de « Déplacement et séjour de partenaires étrangers » (admissibles) ne
        # disent pas de qui : l'analyste tranche.
        "Déplacement et séjour",
        "Frais de déplacement et de séjour",
        "Ressources profession",
    ],
)
def test_debut_de_libelle_qui_ne_qualifie_pas_la_depense(vocabulaire, cellule):
    with pytest.raises(ValeurIllisible, match="catégorie de dépense"):
        vocabulaire.categorie(cellule)


def test_libelle_tronque_par_des_points_de_suspension(vocabulaire):
    assert vocabulaire.categorie("Frais de déplacement et de séjour au Québec…").id == (
        "accueil-partenaires"
    )


def test_categorie_inconnue(vocabulaire):
    with pytest.raises(ValeurIllisible, match="catégorie de dépense « Café » inconnue"):
        vocabulaire.categorie("Café")


@pytest.mark.parametrize(
    ("cellule", "qualite"),
    [
        ("élu", "élu"),
        ("Élue municipale", "élu"),
        ("Fonctionnaire", "fonctionnaire"),
        ("Déléguée", "délégué"),
        ("delegue par le conseil", "délégué"),
    ],
)
def test_qualite_signataire(vocabulaire, cellule, qualite):
    assert vocabulaire.qualite_signataire(cellule) == qualite


@pytest.mark.parametrize("cellule", [1.8e306, 10**15, "99999999999999999999 $"])
def test_montant_demesure_refuse(cellule):
    with pytest.raises(ValeurIllisible, match="montant démesuré"):
        lire_montant(cellule)


# --- NEQ (issue 18) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "cellule",
    [
        "1145678901",
        1145678901,
        1145678901.0,  # un nombre lu d'Excel
        "1145678901.0",  # ... recopié en texte (CSV)
        "1145678901,00",
        "1145 678 901",
        "114-567-8901",
        "1145\u2011678\u2011901",  # tirets insécables
        "1145.678.901",
        "\u00a01145\u00a0678\u202f901\u00a0",  # espaces insécables et fine
        "\t1145678901\n",
        "'1145678901",  # texte forcé dans Excel
        "NEQ : 1145678901",
        "N.E.Q. 1145678901",
        "\uff11\uff11\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11",  # pleine chasse
        "1145\u200b678901",  # espace de largeur nulle
        "\ufeff1145678901",  # BOM
        "\u202e1145678901\u202c",  # forçage de direction
        "1.145678901E+09",  # notation scientifique qui garde les dix chiffres
        "1,145678901e9",
    ],
)
def test_neq_lu(cellule):
    assert lire_neq(cellule) == "1145678901"


@pytest.mark.parametrize("cellule", [None, "", "   ", "-", "s/o", float("nan")])
def test_neq_vide(cellule):
    assert lire_neq(cellule) is None


@pytest.mark.parametrize(
    ("cellule", "pourquoi"),
    [
        ("114567890", "9 chiffres au lieu de 10"),
        (114567890, "9 chiffres au lieu de 10"),
        ("11456789012", "11 chiffres au lieu de 10"),
        ("1,14568E+09", "notation scientifique a perdu des chiffres"),
        ("1.14568e9", "notation scientifique a perdu des chiffres"),
        (1145678901.5, "numéro entier"),
        (float("inf"), "numéro entier"),
        (-1145678901, "négatif"),
        (True, "case à cocher"),
        ("ABC4567890", "« A », « B », « C »"),
        ("1145678901 inc.", "« c », « i », « n »"),
        ("\u0661\u0661\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661", "hors des chiffres"),
        ("114567890l", "« l »"),
        ("1145678901/2", "« / »"),
        (dt.date(2024, 1, 1), "dix chiffres"),
    ],
)
def test_neq_refuse(cellule, pourquoi):
    """Tout autre chose que dix chiffres est refusé, et le message dit quoi corriger."""
    with pytest.raises(ValeurIllisible, match="NEQ") as exc:
        lire_neq(cellule)
    assert pourquoi in str(exc.value)
    assert "dix chiffres" in str(exc.value) and "format Texte" in str(exc.value)


@given(st.integers(min_value=10**9, max_value=10**10 - 1))
def test_neq_nombre_ou_texte_meme_numero(n):
    """Un NEQ saisi en nombre, en flottant ou en texte groupé se lit pareil."""
    groupe = f"{str(n)[:4]} {str(n)[4:7]} {str(n)[7:]}"
    assert lire_neq(n) == lire_neq(float(n)) == lire_neq(groupe) == str(n)
