"""Notation, accord du panel : le CIC et l'alpha de Krippendorff du projet recalculés par deux
implémentations indépendantes (issue 21, point 4), pingouin (`intraclass_corr`) et le paquet
`krippendorff`, à 1e-9 près.

Ce que calcule `evaluation.decision.notation` et la ligne de référence qui lui répond :
- panel complet (chaque évaluateur a noté chaque demande notée) : `cic_2k`, CIC(2,k) de Shrout
  et Fleiss, effets aléatoires à deux facteurs, accord absolu, fidélité de la moyenne des k
  évaluateurs — la ligne « ICC(A,k) » de pingouin (McGraw et Wong 1996 ; « ICC2k » dans ses
  anciennes versions) ;
- panel incomplet : `cic_1`, CIC(1) à un facteur, fidélité d'un évaluateur — la ligne
  « ICC(1,1) » sur un plan équilibré ; pingouin ne calcule pas de plan déséquilibré (le k₀ du
  projet est vérifié à la main dans test_notation.py) ;
- `alpha_krippendorff_ordinal`, par critère, niveau ordinal — `krippendorff.alpha(...,
  level_of_measurement="ordinal")`, qui accepte aussi les notes manquantes.

Les références ne servent qu'ici (requirements-dev.txt) ; ce fichier complète test_notation.py
(valeurs publiées et calculées à la main) sans le toucher."""

from __future__ import annotations

import warnings
from fractions import Fraction

import krippendorff
import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from evaluation.decision import notation
from evaluation.decision.notation import Reglages

N = np.nan
TOLERANCE = {"rel": 1e-9, "abs": 1e-9}
CRITERES = ("pertinence", "coherence", "qualite-dossier", "structurant", "capacite", "visibilite")
POIDS = (25.0, 20.0, 15.0, 15.0, 15.0, 10.0)
REGLAGES = Reglages(poids=POIDS, echelle_min=0.0, echelle_max=10.0)


# --- Les références ------------------------------------------------------------------------


def _pingouin(x: np.ndarray) -> pd.Series:
    """Les six CIC de pingouin pour `x` (cibles × évaluateurs, complet), par « Type »."""
    n, k = x.shape
    longues = pd.DataFrame(
        [(d, e, x[d, e]) for d in range(n) for e in range(k)], columns=["demande", "eval", "note"]
    )
    # pingouin 0.7.0 appelle dropna(inplace=True), que pandas 3.1 déclare obsolète, et divise
    # par zéro pour son F quand l'accord est parfait : avertissements de la référence seule.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.Pandas4Warning)
        warnings.simplefilter("ignore", RuntimeWarning)
        table = pingouin.intraclass_corr(longues, targets="demande", raters="eval", ratings="note")
    return table.set_index("Type")["ICC"]


def _krippendorff(x: np.ndarray, **options) -> float:
    """L'alpha ordinal du paquet `krippendorff` pour `x` (unités × évaluateurs, NaN manquant).
    Le paquet attend évaluateurs × unités, et refuse (ValueError) ce que le projet dit non
    défini : une seule valeur en tout, ou aucune unité à deux valeurs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 quand rien ne varie
        try:
            return float(krippendorff.alpha(x.T, level_of_measurement="ordinal", **options))
        except ValueError:
            return float("nan")


def _denominateur_cic_2k_exact(x: np.ndarray) -> Fraction:
    """MS_lignes + (MS_colonnes − MS_erreur)/n en fractions exactes (Shrout et Fleiss)."""
    n, k = x.shape
    v = [[Fraction(float(a)) for a in ligne] for ligne in x]
    generale = sum(map(sum, v)) / (n * k)
    lignes = [sum(ligne) / k for ligne in v]
    colonnes = [sum(v[d][e] for d in range(n)) / n for e in range(k)]
    ss_l = k * sum((m - generale) ** 2 for m in lignes)
    ss_c = n * sum((m - generale) ** 2 for m in colonnes)
    ss_e = sum((a - generale) ** 2 for ligne in v for a in ligne) - ss_l - ss_c
    return ss_l / (n - 1) + (ss_c / (k - 1) - ss_e / ((n - 1) * (k - 1))) / n


def _meme_valeur(projet: float, reference: float) -> None:
    if np.isnan(reference):
        assert np.isnan(projet)
    else:
        assert projet == pytest.approx(reference, **TOLERANCE)


def _meme_cic_2k(x: np.ndarray, reference: pd.Series) -> None:
    """Le CIC(2,k) du projet est la ligne ICC(A,k), sauf quand le dénominateur vaut 0 ou moins
    en valeur exacte : non défini (voir test_cic_2k_denominateur_nul_ou_negatif_non_defini)."""
    if _denominateur_cic_2k_exact(x) <= 0:
        assert np.isnan(notation.cic_2k(x))
    else:
        _meme_valeur(notation.cic_2k(x), reference["ICC(A,k)"])


# --- Panels complets : cas nommés ----------------------------------------------------------

PANELS = {
    # Shrout et Fleiss (1979), tableau 2 : 6 cibles × 4 juges.
    "shrout-fleiss": [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ],
    "accord-parfait": [[80, 80, 80], [55, 55, 55], [91.5, 91.5, 91.5], [62, 62, 62]],
    # Le troisième note chaque demande 2 points plus bas : l'accord absolu le pénalise (la
    # cohérence, ICC(C,k), vaudrait 1).
    "un-plus-severe-de-2": [[80, 80, 78], [75, 75, 73], [70, 70, 68], [88, 88, 86], [64, 64, 62]],
    # Demandes semblables, évaluateurs en désaccord : le dénominateur de la formule publiée est
    # négatif, et l'ICC(A,k) de la référence vaut plus de 1 (13,65 et 5 pour les deux panels
    # suivants) ; le projet dit « non défini » (test plus bas).
    "desaccord": [[20, 80, 50], [75, 30, 55], [40, 45, 90], [60, 65, 10], [35, 70, 50]],
    "rangs-inverses": [[10, 90], [30, 70], [50, 50], [70, 30], [90, 10]],
    "extremes-0-et-100": [[0, 0, 100], [100, 100, 100], [0, 0, 0], [100, 0, 100], [0, 100, 0]],
    # Dénominateur nul en valeur exacte : non défini (voir plus bas).
    "quasi-constant": [[70, 70, 70.5], [70, 70, 70], [70.5, 70, 70], [70, 70.5, 70]],
    "note-unique": [[7, 7], [7, 7], [7, 7]],  # rien ne varie : non défini partout
    "petites-differences-sur-grand-nombre": [
        [1e6, 1e6 + 0.25, 1e6 + 0.5],
        [1e6 + 1, 1e6 + 1.25, 1e6 + 1],
        [1e6 + 2, 1e6 + 2, 1e6 + 2.5],
    ],
}


@pytest.mark.parametrize("nom", PANELS)
def test_cic_panel_complet_comme_pingouin(nom):
    x = np.array(PANELS[nom], dtype=float)
    reference = _pingouin(x)
    _meme_cic_2k(x, reference)
    # CIC(1) n'est retenu par `accord` que sur un panel incomplet ; sur un plan complet, c'est
    # la ligne ICC(1,1) (k₀ = k).
    _meme_valeur(notation.cic_1(x), reference["ICC(1,1)"])


def test_cic_un_plus_severe_que_les_autres():
    """Un écart constant de 2 points : ni accord parfait pour le projet (accord absolu), ni
    désaccord ; la référence en cohérence, elle, n'y voit rien."""
    x = np.array(PANELS["un-plus-severe-de-2"], dtype=float)
    reference = _pingouin(x)
    assert reference["ICC(C,k)"] == pytest.approx(1.0)
    assert 0.9 < notation.cic_2k(x) < 1
    assert notation.cic_2k(x) == pytest.approx(reference["ICC(A,k)"], **TOLERANCE)


def test_cic_2k_denominateur_nul_ou_negatif_non_defini():
    """Ici MS_lignes + (MS_colonnes − MS_erreur)/n vaut exactement 0 (1 111,1 + (0 − 4 444,4)/4) :
    le CIC(2,k) n'est pas défini. Calculé en flottants, ce zéro devient un reste d'arrondi, et
    pingouin répond environ −1,5 × 10¹⁶ ; le projet dit « non défini » (NaN), comme pour un
    dénominateur nul (correction de cette issue : il répondait la même valeur absurde). Même
    chose pour un panel à peine différent d'une note constante."""
    for x in (
        np.array([[0, 100, 0], [100, 0, 100], [0, 0, 100], [100, 100, 0]], dtype=float),
        np.array(PANELS["quasi-constant"], dtype=float),
    ):
        assert _denominateur_cic_2k_exact(x) == 0
        assert abs(_pingouin(x)["ICC(A,k)"]) > 1e12
        assert np.isnan(notation.cic_2k(x))
        # Le CIC(1) du même panel reste défini, comme celui de la référence.
        assert notation.cic_1(x) == pytest.approx(_pingouin(x)["ICC(1,1)"], **TOLERANCE)


@pytest.mark.parametrize("nom", ["desaccord", "rangs-inverses"])
def test_cic_2k_denominateur_negatif_non_defini_et_dit(nom):
    """Dénominateur négatif : la formule publiée (et pingouin) donne une « fidélité » au-dessus
    de 1, qu'un comité lirait comme un accord parfait ; le projet dit non défini, et la phrase
    de la page dit pourquoi (interprétation, docstring de `cic_2k`)."""
    x = np.array(PANELS[nom], dtype=float)
    assert _denominateur_cic_2k_exact(x) < 0
    assert _pingouin(x)["ICC(A,k)"] > 1
    assert np.isnan(notation.cic_2k(x))
    phrase = notation.accord_lisible(notation.Accord("CIC(2,k)", float("nan"), {}, indefini=True))
    assert "écarts entre évaluateurs sont aussi grands que les écarts entre demandes" in phrase


def test_accord_dit_non_mesurable_seulement_quand_les_notes_suffisent():
    """`accord` marque « non défini » un CIC qui manque alors que deux demandes ont chacune
    deux notes ; avec une seule demande notée, la raison reste le manque de notes."""
    desaccord = np.array(PANELS["desaccord"], dtype=float)
    reglages = notation.Reglages(poids=(100.0,), echelle_min=0.0, echelle_max=100.0)

    def cube(x):
        demandes = np.arange(len(x))
        return notation.Cube(demandes, np.array(["x", "y", "z"]), ("c",), x[:, :, None])

    assert notation.accord(cube(desaccord), reglages).indefini
    resultat = notation.accord(cube(desaccord[:1]), reglages)
    assert np.isnan(resultat.cic) and not resultat.indefini


@pytest.mark.parametrize("nom", PANELS)
def test_alpha_panel_complet_comme_krippendorff(nom):
    x = np.array(PANELS[nom], dtype=float)
    _meme_valeur(notation.alpha_krippendorff_ordinal(x), _krippendorff(x))


def test_alpha_echelle_entiere_sans_effet():
    """Le projet ne connaît que les valeurs observées ; donner au paquet toute l'échelle de
    l'appel (0 à 10 par pas de 0,5) ne change rien : une valeur que personne n'a donnée ne
    compte pas dans la distance ordinale."""
    x = np.array([[7, 7.5, 6], [3, 4, 4], [9, 8.5, 10], [5, 5, 2.5], [6, 7, 6.5]])
    alpha = notation.alpha_krippendorff_ordinal(x)
    assert alpha == pytest.approx(_krippendorff(x), **TOLERANCE)
    assert alpha == pytest.approx(
        _krippendorff(x, value_domain=np.arange(0, 10.5, 0.5)), **TOLERANCE
    )


# --- Panels tirés au hasard (graine fixe) --------------------------------------------------


@st.composite
def panels(tirage, pas: float = 0.5, maximum: int = 20, manquantes: bool = False):
    """n demandes × k évaluateurs, notes sur une grille (0 à `maximum` × `pas`), une fois sur
    deux une sévérité constante par évaluateur ; avec `manquantes`, une part des notes retirée.
    hypothesis tire la forme et une graine, numpy les notes : tirées par hypothesis seul, elles
    tombaient trop souvent toutes à 0 (un panel sur trois sans alpha défini)."""
    k = tirage(st.integers(2, 5))
    n = tirage(st.integers(3, 12))
    rng = np.random.default_rng(tirage(st.integers(0, 2**32 - 1)))
    valeurs = rng.integers(0, maximum + 1, size=(n, k)).astype(float)
    if tirage(st.booleans()):
        valeurs += rng.integers(-4, 5, size=k)
    if manquantes:
        part = tirage(st.sampled_from([0.1, 0.25, 0.4, 0.6]))
        valeurs[rng.random((n, k)) < part] = N
    return valeurs * pas


@seed(21)
@settings(deadline=None, max_examples=150, database=None)
@given(panels(pas=0.25, maximum=400))
def test_cic_tire_comme_pingouin(x):
    reference = _pingouin(x)
    _meme_cic_2k(x, reference)
    _meme_valeur(notation.cic_1(x), reference["ICC(1,1)"])


@seed(21)
@settings(deadline=None, max_examples=150, database=None)
@given(panels())
def test_alpha_tire_comme_krippendorff(x):
    _meme_valeur(notation.alpha_krippendorff_ordinal(x), _krippendorff(x))


@seed(21)
@settings(deadline=None, max_examples=150, database=None)
@given(panels(manquantes=True))
def test_alpha_tire_incomplet_comme_krippendorff(x):
    _meme_valeur(notation.alpha_krippendorff_ordinal(x), _krippendorff(x))


# --- Panels incomplets ---------------------------------------------------------------------


def test_alpha_panel_incomplet_comme_krippendorff():
    """Krippendorff (2011) : 4 observateurs × 12 unités, des valeurs manquantes, une unité à
    une seule valeur (ignorée par l'un comme par l'autre) ; 0,815 publié."""
    x = np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
            [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
        ]
    ).T
    alpha = notation.alpha_krippendorff_ordinal(x)
    assert alpha == pytest.approx(_krippendorff(x), **TOLERANCE)
    assert alpha == pytest.approx(0.815, abs=5e-4)


def test_cic_1_panel_incomplet_a_nombre_egal_d_evaluateurs():
    """Chaque demande a deux évaluateurs sur trois, pas toujours les mêmes : le CIC(1) à un
    facteur ignore qui a noté, c'est donc l'ICC(1,1) de pingouin sur les deux notes de chaque
    demande mises côte à côte (plan équilibré, k₀ = 2)."""
    x = np.array([[70, 74, N], [N, 55, 61], [82, N, 80], [66, 60, N], [N, 90, 85], [48, N, 57]])
    cote_a_cote = np.array([ligne[~np.isnan(ligne)] for ligne in x])
    assert notation.cic_1(x) == pytest.approx(_pingouin(cote_a_cote)["ICC(1,1)"], **TOLERANCE)


# --- De bout en bout : `accord` sur le cube des notes ---------------------------------------


def _longues(notes: np.ndarray) -> pd.DataFrame:
    """Notes en long d'après un cube demandes × évaluateurs × critères (NaN : pas de note)."""
    lignes = [
        (d + 1, f"e{e}@x.ca", critere, notes[d, e, c])
        for d in range(notes.shape[0])
        for e in range(notes.shape[1])
        for c, critere in enumerate(CRITERES)
        if not np.isnan(notes[d, e, c])
    ]
    return pd.DataFrame(lignes, columns=["demande_id", "evaluateur", "critere", "note"])


def _notes_de_panel(graine: int, demandes: int = 8, evaluateurs: int = 4) -> np.ndarray:
    """Des notes de 0 à 10 par pas de 0,5 autour d'une qualité propre à chaque demande, le
    dernier évaluateur 1 point plus sévère."""
    rng = np.random.default_rng(graine)
    qualite = rng.uniform(3, 8, size=(demandes, 1, len(CRITERES)))
    bruit = rng.normal(0, 1.2, size=(demandes, evaluateurs, len(CRITERES)))
    notes = qualite + bruit
    notes[:, -1, :] -= 1
    return np.clip(np.round(notes * 2) / 2, 0, 10)


def test_accord_panel_complet_comme_les_references():
    notes = _notes_de_panel(21)
    c = notation.cube(_longues(notes), range(1, 10), CRITERES)  # 9 : demande sans note
    a = notation.accord(c, REGLAGES)
    assert a.mesure == "CIC(2,k)"
    # Totaux sur 100 recalculés ici : Σ poids × note / 10.
    totaux = (notes * np.array(POIDS) / 10).sum(axis=2)
    assert a.cic == pytest.approx(_pingouin(totaux)["ICC(A,k)"], **TOLERANCE)
    for j, critere in enumerate(CRITERES):
        assert a.alpha_par_critere[critere] == pytest.approx(
            _krippendorff(notes[:, :, j]), **TOLERANCE
        )


def test_accord_panel_incomplet_alpha_comme_krippendorff():
    """Une évaluation manque (D3 par e1) : le projet passe au CIC(1), et l'alpha de chaque
    critère se calcule sur les notes présentes, comme le paquet avec ses valeurs manquantes."""
    notes = _notes_de_panel(7)
    notes[2, 1, :] = N
    c = notation.cube(_longues(notes), range(1, 9), CRITERES)
    a = notation.accord(c, REGLAGES)
    assert a.mesure == "CIC(1)"
    for j, critere in enumerate(CRITERES):
        assert a.alpha_par_critere[critere] == pytest.approx(
            _krippendorff(notes[:, :, j]), **TOLERANCE
        )


def test_accord_evaluation_incomplete_ecartee_comme_absente():
    """Une évaluation à qui manque un critère n'entre dans aucun calcul (`cube` la remet à
    NaN) : l'alpha des autres critères la traite en absente, pas en note partielle."""
    notes = _notes_de_panel(11)
    notes[4, 2, 0] = N  # D5 par e2 : pertinence sans note
    c = notation.cube(_longues(notes), range(1, 9), CRITERES)
    a = notation.accord(c, REGLAGES)
    attendu = notes.copy()
    attendu[4, 2, :] = N
    assert a.mesure == "CIC(1)"
    assert a.alpha_par_critere["coherence"] == pytest.approx(
        _krippendorff(attendu[:, :, 1]), **TOLERANCE
    )
    assert a.alpha_par_critere["coherence"] != pytest.approx(_krippendorff(notes[:, :, 1]))
