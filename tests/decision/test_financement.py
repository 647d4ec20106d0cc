"""Financement : plafond (plus la bonification fixée), budget admissible et montants par
défaut, montants recommandés, ligne de financement dans les deux modes (dont deux années
financières où la seconde s'épuise la première). Les montants modifiés par la présidence et
les décisions du comité, enregistrés en base, sont dans test_decisions.py."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.decision import financement
from evaluation.decision.financement import (
    ATTENTE,
    FINANCE,
)
from evaluation.socle.formats import montant

F, A = FINANCE, ATTENTE


def _annees(appel, nombre: int, enveloppe: tuple[int, ...]):
    return replace(
        appel,
        financement=replace(appel.financement, nombre_annees_max=nombre, enveloppe=enveloppe),
    )


def test_appel_livre(appel):
    """« La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par année
    dans le cas d'une initiative portée par une seule ville. » La bonification n'est pas
    chiffrée par l'appel : 10 000 $ est le plafond que le comité se donne."""
    f = appel.financement
    assert (f.plafond_annuel, f.bonification_conjoint_max) == (2_500_000, 1_000_000)
    assert f.plafond_bonifie_max == 3_500_000
    assert f.entites_conjoint_min == 2
    assert "Communauté métropolitaine de Montréal" in f.regroupements_municipaux
    assert f.enveloppe == (75_000_000, 50_000_000)
    assert f.nombre_annees_max == 2
    assert (appel.plafond_visas, appel.portee_plafond_visas) == (50_000, "demande")


# --- Plafonds et montants par défaut ------------------------------------------------------


@pytest.mark.parametrize(
    ("conjoint", "bonus", "an1", "an2", "plafond", "attendus"),
    [
        pytest.param(False, 0, 2_000_000, 1_000_000, 2_500_000, [2_000_000, 1_000_000], id="sous"),
        pytest.param(False, 0, 2_500_000, 2_500_000, 2_500_000, [2_500_000, 2_500_000], id="egal"),
        pytest.param(
            False, 0, 3_000_000, 2_600_000, 2_500_000, [2_500_000, 2_500_000], id="plafonne"
        ),
        # Un projet conjoint n'est pas bonifié d'office : 0 $ tant que rien n'est fixé.
        pytest.param(True, 0, 3_000_000, 3_500_000, 2_500_000, [2_500_000, 2_500_000], id="conj"),
        pytest.param(
            True, 500_000, 4_000_000, 2_800_000, 3_000_000, [3_000_000, 2_800_000], id="bonifie"
        ),
        pytest.param(None, 0, 3_000_000, 0, 2_500_000, [2_500_000, 0], id="conjoint-inconnu"),
        pytest.param(False, 0, None, None, 2_500_000, [0, 0], id="montants-absents"),
        pytest.param(False, 0, 1_800_050, np.nan, 2_500_000, [1_800_050, 0], id="an2-nan"),
        pytest.param(True, 0, "1500000", None, 2_500_000, [1_500_000, 0], id="texte-numerique"),
    ],
)
def test_plafonds_et_montants_par_defaut(appel, conjoint, bonus, an1, an2, plafond, attendus):
    """« La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par
    année dans le cas d'une initiative portée par une seule ville. La présentation d'un
    projet conjoint entre plusieurs acteurs municipaux peut permettre la bonification de la
    subvention. » : plafond = 25 000 $ + la bonification fixée (0 $ par défaut)."""
    demandes = pd.DataFrame(
        [{"projet_conjoint": conjoint, "montant_demande_an1": an1, "montant_demande_an2": an2}]
    )
    assert financement.plafonds(demandes, appel, np.array([bonus])).tolist() == [plafond]
    defaut = financement.montants_par_defaut(demandes, appel, bonus=np.array([bonus]))
    assert defaut.shape == (1, 2)
    assert defaut.dtype == np.int64
    assert defaut[0].tolist() == attendus


# --- Budget admissible ----------------------------------------------------------------------


def _sommes(lignes: list[tuple]) -> pd.DataFrame:
    """(demande_id, annee, admissible, plafonnee, non_admissible, a_confirmer) → le tableau
    de `stockage.sommes_budget` (total : la somme des quatre)."""
    table = pd.DataFrame(
        lignes,
        columns=["demande_id", "annee", "admissible", "plafonnee", "non_admissible", "a_confirmer"],
    )
    table["total"] = table[["admissible", "plafonnee", "non_admissible", "a_confirmer"]].sum(axis=1)
    return table


# Chaque cas : lignes (année, admissible, plafonnée, non admissible, à confirmer), demande
# (an1, an2), portée du plafond des visas, budget admissible attendu, recommandé attendu.
CAS_BUDGET = [
    pytest.param(
        [(1, 2_000_000, 0, 400_000, 0)],
        (2_400_000, 0),
        "demande",
        [2_000_000, 0],
        [2_000_000, 0],
        id="salaires-retires",
    ),
    pytest.param(
        [(1, 1_000_000, 0, 0, 300_000)],
        (1_300_000, 0),
        "demande",
        [1_000_000, 0],
        [1_000_000, 0],
        id="categorie-a-confirmer-jamais-admissible",
    ),
    pytest.param(
        [(1, 1_000_000, 80_000, 0, 0)],
        (1_080_000, 0),
        "demande",
        [1_050_000, 0],
        [1_050_000, 0],
        id="visas-800-excedent-300-retranche",
    ),
    pytest.param(
        [(1, 1_000_000, 30_000, 0, 0), (2, 1_000_000, 40_000, 0, 0)],
        (1_030_000, 1_040_000),
        "demande",
        [1_030_000, 1_020_000],
        [1_030_000, 1_020_000],
        id="visas-par-demande-an1-d-abord",
    ),
    pytest.param(
        [(1, 1_000_000, 30_000, 0, 0), (2, 1_000_000, 40_000, 0, 0)],
        (1_030_000, 1_040_000),
        "annee",
        [1_030_000, 1_040_000],
        [1_030_000, 1_040_000],
        id="visas-par-annee",
    ),
    pytest.param(
        [(1, 1_000_000, 60_000, 0, 0), (2, 1_000_000, 60_000, 0, 0)],
        (1_060_000, 1_060_000),
        "annee",
        [1_050_000, 1_050_000],
        [1_050_000, 1_050_000],
        id="visas-par-annee-excedent-chaque-annee",
    ),
    pytest.param(
        [(1, 4_000_000, 0, 0, 0)],
        (4_000_000, 0),
        "demande",
        [4_000_000, 0],
        [2_500_000, 0],
        id="plafond-plus-petit-que-le-budget",
    ),
    pytest.param(
        [(1, 3_000_000, 0, 0, 0)],
        (1_500_000, 0),
        "demande",
        [3_000_000, 0],
        [1_500_000, 0],
        id="demande-plus-petite",
    ),
    pytest.param([], (1_500_000, 1_000_000), "demande", [0, 0], [0, 0], id="sans-budget"),
]


@pytest.mark.parametrize(("lignes", "demande", "portee", "admissible", "recommande"), CAS_BUDGET)
def test_budget_admissible_et_montant_recommande(
    appel, lignes, demande, portee, admissible, recommande
):
    """« Les dépenses admissibles sont les suivantes : […] Frais de délivrance de visas (le
    cas échéant) ou d'autres documents d'entrée et de séjour qui pourraient être exigés,
    frais d'assurance voyage et de dédouanement (jusqu'à concurrence de 500 $) » ; « Les
    dépenses non admissibles sont les suivantes : Dépenses relatives au financement courant
    d'un organisme et à la rémunération de son personnel ; […] Coûts d'acquisition
    d'équipements pérennes ». Recommandé = min(plafond, demande, budget admissible) de
    chaque année ; une catégorie non reconnue ne compte jamais ; la portée des 500 $ est une
    interprétation (`portee_plafond_visas`)."""
    appel = replace(appel, portee_plafond_visas=portee)
    sommes = _sommes([(7, *ligne) for ligne in lignes])
    demandes = pd.DataFrame(
        [
            {
                "id": 7,
                "projet_conjoint": False,
                "montant_demande_an1": demande[0],
                "montant_demande_an2": demande[1],
            }
        ]
    )
    b = financement.budgets(sommes, [7], 2)
    assert financement.budget_admissible(b, appel)[0].tolist() == admissible
    admissibles = financement.budget_admissible(b, appel)
    assert financement.montants_par_defaut(demandes, appel, admissibles)[0].tolist() == (recommande)


@pytest.mark.parametrize(
    ("plafonnee", "portee", "attendu"),
    [
        pytest.param([[50_000, 1]], "demande", [[50_000, 0]], id="demande-epuise-an1"),
        pytest.param([[20_000, 40_000]], "demande", [[20_000, 30_000]], id="demande-reste-an2"),
        pytest.param([[0, 70_000]], "demande", [[0, 50_000]], id="demande-tout-en-an2"),
        pytest.param([[50_001, 50_001]], "annee", [[50_000, 50_000]], id="annee-chacune"),
        pytest.param([[10, 20], [60_000, 0]], "demande", [[10, 20], [50_000, 0]], id="par-ligne"),
    ],
)
def test_plafond_des_visas(appel, plafonnee, portee, attendu):
    """« (jusqu'à concurrence de 500 $) » : la part des frais plafonnés comptée, pour la
    demande (consommée d'abord en année 1) ou pour chaque année (interprétation)."""
    retenue = financement.plafonnees_retenues(np.array(plafonnee), 50_000, portee)
    assert retenue.tolist() == attendu


def test_budgets_ignore_les_demandes_et_annees_absentes():
    sommes = _sommes([(1, 1, 10, 0, 0, 0), (9, 1, 99, 0, 0, 0), (1, 3, 5, 0, 0, 0)])
    b = financement.budgets(sommes, [2, 1], 2)
    assert b.admissible.tolist() == [[0, 0], [10, 0]]
    assert b.total.tolist() == [[0, 0], [10, 0]]


def test_budgets_sans_lignes_de_budget():
    """« une demande sans ligne de budget a un budget nul » : aussi quand l'appel n'a encore
    aucune ligne (`sommes` absent)."""
    b = financement.budgets(None, [3, 4], 2)
    for tableau in (b.total, b.admissible, b.plafonnee, b.non_admissible, b.a_confirmer):
        assert tableau.tolist() == [[0, 0], [0, 0]]


def test_genres_des_categories_de_l_appel(appel):
    """Les listes « dépenses admissibles / non admissibles » de l'appel, telles que le TOML
    les porte : visas plafonnés, salaires et équipements non admissibles."""
    genres = financement.genres_categories(appel)
    assert genres["visas"] == financement.PLAFONNEE
    assert genres["ressources-professionnelles"] == financement.ADMISSIBLE
    assert genres["fonctionnement"] == financement.NON_ADMISSIBLE
    assert genres["equipements"] == financement.NON_ADMISSIBLE
    assert "inconnue" not in genres


def test_lignes_expliquees(appel):
    """Chaque ligne, dans les mots de l'appel : ce qui compte et ce qui est retiré."""
    lignes = pd.DataFrame(
        [
            {"annee": 1, "categorie": "Salaires", "categorie_id": "fonctionnement", "montant": 400},
            {"annee": 1, "categorie": "Visas", "categorie_id": "visas", "montant": 40_000},
            {"annee": 2, "categorie": "Visas", "categorie_id": "visas", "montant": 30_000},
            {"annee": 1, "categorie": "Traiteur", "categorie_id": None, "montant": 700},
            {"annee": 2, "categorie": "Diffusion", "categorie_id": "diffusion", "montant": 900},
        ]
    )
    e = financement.lignes_expliquees(lignes, appel)
    assert e["genre"].tolist() == [
        "non admissible",
        "admissible jusqu'au plafond",
        "admissible jusqu'au plafond",
        financement.A_CONFIRMER,
        "admissible",
    ]
    assert e["montant_admissible"].tolist() == [0, 40_000, 10_000, 0, 900]
    assert e["montant_retire"].tolist() == [400, 0, 20_000, 700, 0]
    assert e["categorie_appel"].tolist()[0] == (
        "Financement courant d'un organisme et rémunération de son personnel"
    )
    par_annee = replace(appel, portee_plafond_visas="annee")
    e = financement.lignes_expliquees(lignes, par_annee)
    assert e["montant_admissible"].tolist() == [0, 40_000, 30_000, 0, 900]


def test_plafond_des_visas_s_epuise_en_annee_1_quel_que_soit_l_ordre_des_lignes(appel):
    """« frais d'assurance voyage et de dédouanement (jusqu'à concurrence de 500 $) », plafond
    pour la demande consommé d'abord en année 1 (interprétation, `portee_plafond_visas`) :
    l'explication ligne par ligne suit l'ordre des années, pas celui des lignes, et dit le
    même budget admissible que le classement (`budget_admissible`).

    À la main : l'année 1 prend ses 300 $ de visas (reste 200 $ du plafond) ; l'année 2
    n'en garde que 200 $ sur 400 $, 200 $ retirés. Budget admissible : an 1 = 1 000 $ de
    logistique + 300 $ = 1 300 $ ; an 2 = 200 $."""
    lignes = pd.DataFrame(
        [(2, "Assurance voyage", "visas", 40_000), (1, "Visas", "visas", 30_000),
         (1, "Logistique", "logistique", 100_000)],
        columns=["annee", "categorie", "categorie_id", "montant"],
        index=[12, 5, 9],  # des lignes tirées d'un tableau plus grand
    )  # fmt: skip
    e = financement.lignes_expliquees(lignes, appel)
    assert e["montant_admissible"].tolist() == [20_000, 30_000, 100_000]
    assert e["montant_retire"].tolist() == [20_000, 0, 0]
    # Les lignes reçues, dans leur ordre, et les quatre colonnes de l'explication : rien
    # d'autre (l'ancien index ne devient pas une colonne de la fiche ni du classeur).
    assert e.columns.tolist() == [
        "annee", "categorie", "categorie_id", "montant",
        "categorie_appel", "genre", "montant_admissible", "montant_retire",
    ]  # fmt: skip
    assert e["categorie"].tolist() == ["Assurance voyage", "Visas", "Logistique"]
    b = financement.budgets(
        _sommes([(7, 1, 100_000, 30_000, 0, 0), (7, 2, 0, 40_000, 0, 0)]), [7], 2
    )
    assert financement.budget_admissible(b, appel).tolist() == [[130_000, 20_000]]
    d = {"id": 7, "montant_demande_an1": 140_000, "montant_demande_an2": 40_000}
    v = financement.montants_de_la_demande(d, lignes, appel)
    assert (v["admissible_an1"], v["admissible_an2"], v["exces_plafond_an2"]) == (
        130_000,
        20_000,
        20_000,
    )


def test_ligne_sans_montant_lisible_ne_compte_pas(appel):
    """Une ligne dont le montant manque ou ne se lit pas vaut 0 $, comme dans le total que le
    classement additionne en SQL (`stockage.sommes_budget` : `coalesce(montant, 0)`) : ni
    admissible, ni retirée."""
    lignes = pd.DataFrame(
        [(1, "Logistique", "logistique", None), (1, "Salaires", "fonctionnement", "n/d")],
        columns=["annee", "categorie", "categorie_id", "montant"],
    )
    e = financement.lignes_expliquees(lignes, appel)
    assert e["montant_admissible"].tolist() == [0, 0]
    assert e["montant_retire"].tolist() == [0, 0]


def test_plafond_des_visas_par_demande_dans_le_classeur(appel):
    """« frais d'assurance voyage et de dédouanement (jusqu'à concurrence de 500 $) » : le
    plafond vaut pour chaque demande, même quand les lignes de tout l'appel sont expliquées
    d'un coup (feuille « Dépenses retirées » du classeur)."""
    lignes = pd.DataFrame(
        [
            {"demande_id": 1, "annee": 1, "categorie": "Visas", "categorie_id": "visas",
             "montant": 40_000},
            {"demande_id": 2, "annee": 1, "categorie": "Visas", "categorie_id": "visas",
             "montant": 40_000},
            {"demande_id": 1, "annee": 2, "categorie": "Visas", "categorie_id": "visas",
             "montant": 30_000},
        ]
    )  # fmt: skip
    e = financement.lignes_expliquees(lignes, appel)
    assert e["montant_admissible"].tolist() == [40_000, 40_000, 10_000]
    assert e["montant_retire"].tolist() == [0, 0, 20_000]


def test_regle_en_une_phrase(appel):
    phrase = financement.regle_en_une_phrase(appel)
    assert montant(2_500_000) in phrase and f"{montant(50_000)} par demande" in phrase
    assert f"au plus {montant(1_000_000)}" in phrase and "budget admissible" in phrase
    assert "par année" in financement.regle_en_une_phrase(
        replace(appel, portee_plafond_visas="annee")
    )


def test_montants_recommandes_remplaces_par_les_modifications(appel):
    demandes = pd.DataFrame(
        {
            "id": [10, 20],
            "projet_conjoint": [False, True],
            "montant_demande_an1": [2_000_000, 3_000_000],
            "montant_demande_an2": [1_000_000, 3_000_000],
        }
    )
    modifications = [
        {"demande_id": 20, "annee": 2, "montant": 1_234_500},
        {"demande_id": 10, "annee": 1, "montant": 0},
        {"demande_id": 99, "annee": 1, "montant": 5},  # une demande absente : ignorée
        {"demande_id": 10, "annee": 3, "montant": 5},  # une année hors de l'appel : ignorée
    ]
    montants, retenues = financement.montants_recommandes(demandes, appel, modifications)
    assert montants.tolist() == [[0, 1_000_000], [2_500_000, 1_234_500]]
    assert set(retenues) == {(20, 2), (10, 1)}


# --- Versions lues par les pages (modifications concurrentes) -----------------------------


def test_versions_des_montants_et_des_decisions():
    """La version d'un montant recommandé, d'une décision ou d'une bonification est
    l'identifiant de sa dernière modification, 0 si rien n'a été inscrit : c'est ce que
    l'écriture compare à la dernière ligne stockée (`stockage.derniere_ligne`, 0 sans
    ligne) ; une autre valeur refuserait la première modification comme concurrente."""
    modifications = [
        {"id": 3, "demande_id": 10, "annee": 1},
        {"id": 5, "demande_id": 10, "annee": 2},
        {"id": 8, "demande_id": 20, "annee": 1},
        {"id": 4, "demande_id": 10, "annee": 1},
    ]
    # La dernière de la demande 10 en année 1 : 4 (pas 5, l'année 2 ; pas 8, la demande 20).
    assert financement.version_montant(modifications, 10, 1) == 4
    assert financement.version_montant(modifications, 10, 2) == 5
    assert financement.version_montant(modifications, 20, 2) == 0  # jamais modifié
    assert financement.version_montants(modifications) == 8
    assert financement.version_montants([]) == 0
    decisions = [
        {"id": 2, "demande_id": 7},
        {"id": 6, "demande_id": 9},
        {"id": 3, "demande_id": 7},
    ]
    assert financement.version_decision(decisions, 7) == 3
    assert financement.version_decision(decisions, 11) == 0  # sans décision
    assert financement.version_decision(decisions) == 6  # toutes celles de l'appel
    assert financement.version_decision([]) == 0
    assert financement.version_bonification(decisions, 9) == 6


# --- Ligne de financement -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("montants", "enveloppe", "stricte", "remplissage"),
    [
        pytest.param([], (100, 50), [], [], id="liste-vide"),
        pytest.param([[100, 50]], (100, 50), [F], [F], id="ajuste-exact"),
        pytest.param([[60, 20], [40, 30]], (100, 50), [F, F], [F, F], id="cumul-exact"),
        pytest.param([[101, 0]], (100, 50), [A], [A], id="un-cent-de-trop"),
        pytest.param(
            [[30, 20], [30, 20], [30, 20], [10, 0]],
            (100, 50),
            [F, F, A, A],
            [F, F, A, F],
            id="an2-s-epuise-d-abord",
        ),
        pytest.param(
            [[10, 30], [10, 30], [10, 0], [10, 20]],
            (100, 50),
            [F, A, A, A],
            [F, A, F, F],
            id="an2-saute-puis-remplit",
        ),
        pytest.param(
            [[60, 0], [50, 0], [40, 0], [30, 0]],
            (100, 50),
            [F, A, A, A],
            [F, A, F, A],
            id="an1-remplissage",
        ),
        pytest.param(
            [[0, 0], [200, 0], [0, 0]], (100, 50), [F, A, A], [F, A, F], id="montants-nuls"
        ),
        pytest.param([[30], [80], [20]], (100,), [F, A, A], [F, A, F], id="une-annee"),
        pytest.param(
            [[30, 10], [80, 10]], (100, 50, 999), [F, A], [F, A], id="enveloppe-plus-longue"
        ),
    ],
)
@pytest.mark.parametrize("mode", ["stricte", "remplissage"])
def test_ligne_de_financement(mode, montants, enveloppe, stricte, remplissage):
    attendus = stricte if mode == "stricte" else remplissage
    annees = len(montants[0]) if montants else 2
    m = np.array(montants, dtype=np.int64).reshape(len(montants), annees)
    ligne = financement.ligne_de_financement(m, enveloppe, mode)
    assert ligne.statuts.tolist() == attendus
    assert ligne.cumuls.shape == (len(montants), annees)
    assert ligne.cumuls.tolist() == np.cumsum(m, axis=0).tolist()
    finance = np.array(attendus) == F
    assert ligne.finances.tolist() == m[finance].sum(axis=0).tolist()
    assert ligne.restant.tolist() == (np.array(enveloppe[:annees]) - ligne.finances).tolist()
    assert (ligne.restant >= 0).all()
    positions = np.flatnonzero(finance)
    assert ligne.derniere_financee == (int(positions[-1]) if len(positions) else None)


def test_ligne_de_financement_mode_inconnu():
    with pytest.raises(ValueError, match="inconnu"):
        financement.ligne_de_financement(np.array([[1, 1]]), (10, 10), "glouton")


@settings(max_examples=200, deadline=None)
@given(
    montants=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=0, max_size=12),
    enveloppe=st.tuples(st.integers(0, 150), st.integers(0, 150)),
)
def test_propriete_ligne(montants, enveloppe):
    """Les deux modes tiennent dans chaque enveloppe ; « stricte » finance un début de
    liste, que « remplissage » finance aussi (puis il peut en financer d'autres)."""
    m = np.array(montants, dtype=np.int64).reshape(len(montants), 2)
    stricte = financement.ligne_de_financement(m, enveloppe, "stricte")
    remplissage = financement.ligne_de_financement(m, enveloppe, "remplissage")
    fs, fr = stricte.statuts == F, remplissage.statuts == F
    for ligne, f in ((stricte, fs), (remplissage, fr)):
        assert (m[f].sum(axis=0) <= np.array(enveloppe)).all()
        assert (ligne.restant >= 0).all()
    assert fs.tolist() == sorted(fs.tolist(), reverse=True)
    assert (fr | ~fs).all()  # chaque financée en mode strict l'est en remplissage
    # « Ne rien financer » tiendrait dans l'enveloppe : la ligne s'arrête parce que la
    # première non financée ne tenait pas, pas avant ; en remplissage, aucune non financée
    # ne tenait dans ce qui restait après les financées qui la précèdent.
    env = np.array(enveloppe)
    if not fs.all():
        k = int(np.argmin(fs))
        assert (m[:k].sum(axis=0) + m[k] > env).any()
    for j in np.flatnonzero(~fr):
        assert (m[:j][fr[:j]].sum(axis=0) + m[j] > env).any()


@pytest.mark.parametrize("mode", ["stricte", "remplissage"])
def test_ligne_de_financement_liste_python_vide(mode):
    ligne = financement.ligne_de_financement([], (100, 50), mode)
    assert ligne.statuts.tolist() == []
    assert ligne.finances.tolist() == [0, 0]
    assert ligne.restant.tolist() == [100, 50]
    assert ligne.derniere_financee is None


@pytest.mark.parametrize(
    ("mode", "attendus", "restant"),
    [("stricte", [F, A, A], [70]), ("remplissage", [F, A, F], [50])],
)
def test_ligne_de_financement_d_un_vecteur_une_annee(mode, attendus, restant):
    """Un montant par demande (vecteur) : une seule année, face à la première enveloppe.
    À la main : 30 tient dans 100 ; 30 + 80 = 110 non ; en remplissage, 30 + 20 = 50."""
    ligne = financement.ligne_de_financement(np.array([30, 80, 20]), (100, 50), mode)
    assert ligne.statuts.tolist() == attendus
    assert ligne.cumuls.tolist() == [[30], [110], [130]]
    assert ligne.restant.tolist() == restant


@pytest.mark.parametrize("mode", ["stricte", "remplissage"])
def test_ligne_de_financement_aucune_demande_classee_appel_d_une_annee(mode):
    """Aucune demande classée dans un appel d'une année : le reste est l'enveloppe de cette
    seule année, pas celle des années que l'appel ne finance pas."""
    ligne = financement.ligne_de_financement(np.zeros((0, 1), dtype=np.int64), (100, 50), mode)
    assert ligne.statuts.tolist() == []
    assert ligne.finances.tolist() == [0]
    assert ligne.restant.tolist() == [100]


@pytest.mark.parametrize(
    ("conjoint", "fixee", "plafond_bonus", "attendue"),
    [
        (True, 500_000, 1_000_000, 500_000),
        # Réimportée sans ses partenaires : plus un projet conjoint, plus de bonification.
        (False, 500_000, 1_000_000, 0),
        (None, 500_000, 1_000_000, 0),
        # Plafond de bonification abaissé après coup : la bonification s'y range.
        (True, 500_000, 300_000, 300_000),
        (True, 500_000, 0, 0),
        (True, 0, 1_000_000, 0),
    ],
)
def test_bonification_telle_qu_elle_vaut_aujourd_hui(
    appel, conjoint, fixee, plafond_bonus, attendue
):
    """« La présentation d'un projet conjoint entre plusieurs acteurs municipaux peut
    permettre la bonification de la subvention » : la bonification fixée ne vaut que pour un
    projet conjoint, et jamais au-delà du plafond de bonification en vigueur."""
    reglage = replace(
        appel, financement=replace(appel.financement, bonification_conjoint_max=plafond_bonus)
    )
    demandes = pd.DataFrame({"id": [7, 8], "projet_conjoint": [conjoint, True]})
    bonus = financement.bonifications_par_demande(
        demandes, [{"demande_id": 7, "montant": fixee}], reglage
    )
    assert bonus.tolist() == [attendue, 0]


def test_montants_d_une_demande_seule(appel):
    """Une demande seule, d'après ses lignes (page Évaluation, plafond d'une modification) :
    « ne pourra pas excéder 25 000 $ par année » ; salaires non admissibles ; visas jusqu'à
    500 $ pour la demande ; une catégorie non reconnue ne compte pas."""
    lignes = pd.DataFrame(
        [(1, "Salaires", "fonctionnement", 400_000), (1, "Logistique", "logistique", 3_000_000),
         (2, "Visas", "visas", 80_000), (2, "Traiteur", None, 70_000)],
        columns=["annee", "categorie", "categorie_id", "montant"],
    )  # fmt: skip
    d = {"id": 1, "montant_demande_an1": 3_400_000, "montant_demande_an2": 150_000}
    v = financement.montants_de_la_demande(d, lignes, appel)
    assert (v["non_admissible_an1"], v["admissible_an1"], v["recommande_an1"]) == (
        400_000,
        3_000_000,
        2_500_000,
    )
    assert (v["exces_plafond_an2"], v["a_confirmer_an2"], v["admissible_an2"]) == (
        30_000,
        70_000,
        50_000,
    )
    assert v["recommande_an2"] == 50_000
    assert (
        financement.montants_de_la_demande(d, lignes, appel, bonus=500_000)["recommande_an1"]
        == 3_000_000
    )


def test_montants_d_une_demande_chaque_retrait_a_son_motif(appel):
    """« Les dépenses non admissibles sont les suivantes : Dépenses relatives au financement
    courant d'un organisme et à la rémunération de son personnel » : seules ces lignes vont
    dans « non admissible » ; une catégorie non reconnue (à confirmer) et l'excédent du
    plafond des visas (« jusqu'à concurrence de 500 $ ») ont chacun leur colonne. Une année
    sans ligne de budget n'a aucun budget admissible, donc rien de recommandé.

    À la main, année 1 : salaires 4 000 $ non admissibles ; traiteur 700 $ à confirmer ;
    visas 600 $ dont 100 $ au-delà des 500 $ ; admissible = 10 000 $ + 500 $ = 10 500 $ ;
    recommandé = min(25 000 $, 15 300 $ demandés, 10 500 $) = 10 500 $. Année 2 : 5 000 $
    demandés, aucune ligne, 0 $ recommandé."""
    lignes = pd.DataFrame(
        [(1, "Salaires", "fonctionnement", 400_000), (1, "Logistique", "logistique", 1_000_000),
         (1, "Traiteur", None, 70_000), (1, "Visas", "visas", 60_000)],
        columns=["annee", "categorie", "categorie_id", "montant"],
    )  # fmt: skip
    d = {"id": 1, "montant_demande_an1": 1_530_000, "montant_demande_an2": 500_000}
    assert financement.montants_de_la_demande(d, lignes, appel) == {
        "montant_demande_an1": 1_530_000,
        "non_admissible_an1": 400_000,
        "a_confirmer_an1": 70_000,
        "exces_plafond_an1": 10_000,
        "admissible_an1": 1_050_000,
        "montant_demande_an2": 500_000,
        "non_admissible_an2": 0,
        "a_confirmer_an2": 0,
        "exces_plafond_an2": 0,
        "admissible_an2": 0,
        "recommande_an1": 1_050_000,
        "recommande_an2": 0,
    }


# --- Montant accordé et recommandation (issue 16, « Decisions stay coherent ») -----------


def _decidee(decision, accorde, recommande):
    """Une ligne du classement : la décision, ses montants accordés et recommandés (cents)."""
    return {
        "demande_id": 7,
        "no_demande": "T-007",
        "decision": decision,
        "accorde_an1": accorde[0],
        "accorde_an2": accorde[1],
        "recommande_an1": recommande[0],
        "recommande_an2": recommande[1],
    }


@pytest.mark.parametrize(
    ("decision", "accorde", "recommande", "annees", "mention"),
    [
        pytest.param(
            "retenu", (1_800_000, 0), (1_500_000, 0), 1,
            "montant accordé ≠ recommandation (accordé 18\u00a0000\u00a0$, "
            "recommandé 15\u00a0000\u00a0$)",
            id="observe-dans-l-issue",
        ),
        pytest.param("retenu", (1_500_000, 0), (1_500_000, 0), 1, None, id="egal"),
        pytest.param(
            "retenu", (1_500_000, 1_000_000), (1_500_000, 900_000), 2,
            "montant accordé ≠ recommandation (accordé 15\u00a0000\u00a0$ + 10\u00a0000\u00a0$, "
            "recommandé 15\u00a0000\u00a0$ + 9\u00a0000\u00a0$)",
            id="seconde-annee",
        ),
        pytest.param(
            "retenu", (1_500_000, 1_000_000), (1_500_000, 900_000), 1, None,
            id="annee-hors-de-l-appel-ignoree",
        ),
        pytest.param(
            "retenu", (1_500_001, 0), (1_500_000, 0), 1,
            "montant accordé ≠ recommandation (accordé 15\u00a0000,01\u00a0$, "
            "recommandé 15\u00a0000\u00a0$)",
            id="un-cent",
        ),
        pytest.param("liste d'attente", (0, 0), (1_500_000, 0), 1, None, id="attente"),
        pytest.param("refusé", (0, 0), (1_500_000, 0), 1, None, id="refus"),
        pytest.param("", (pd.NA, pd.NA), (1_500_000, 0), 1, None, id="sans-decision"),
        pytest.param("retenu", (1_500_000, 0), (np.nan, 0), 1, None, id="recommande-inconnu"),
        # Une année sans montant accordé vaut 0 $ : rien à signaler face à 0 $ recommandé.
        pytest.param(
            "retenu", (1_500_000, np.nan), (1_500_000, 0), 2, None, id="an2-non-accorde-nul"
        ),
    ],
)  # fmt: skip
def test_ecarts_de_montant(decision, accorde, recommande, annees, mention):
    table = pd.DataFrame(
        [_decidee(decision, accorde, recommande), _decidee("retenu", (100, 0), (100, 0))]
    )
    table.loc[1, ["demande_id", "no_demande"]] = [8, "T-008"]
    ecarts = financement.ecarts_de_montant(table, annees)
    mentions = financement.mentions_d_ecart(table, annees)
    if mention is None:
        assert ecarts == {} and mentions == ["", ""]
        return
    assert list(ecarts) == [7]
    assert ecarts[7].no_demande == "T-007"
    assert ecarts[7].accorde == accorde[:annees]
    assert ecarts[7].mention == mention
    assert mentions == [mention, ""]


def test_ecarts_de_montant_sans_decision_ni_colonnes():
    assert financement.ecarts_de_montant(pd.DataFrame(), 2) == {}
    assert financement.mentions_d_ecart(pd.DataFrame({"demande_id": [1]}), 2) == [""]


def test_ecarts_de_montant_appel_d_une_annee_sans_recommande_an2():
    """Le classement d'un appel d'une année n'a pas de `recommande_an2` : l'écart de la
    première année se signale quand même, même si l'on demande deux années."""
    ligne = _decidee("retenu", (1_800_000, 0), (1_500_000, 0))
    del ligne["recommande_an2"]
    (ecart,) = financement.ecarts_de_montant(pd.DataFrame([ligne]), 2).values()
    assert (ecart.accorde, ecart.recommande) == ((1_800_000,), (1_500_000,))
