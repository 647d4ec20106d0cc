"""Financement : plafond (bonifié pour un projet conjoint) et montants par défaut, montants
recommandés, ligne de financement dans les deux modes (dont deux années financières où la
seconde s'épuise la première). Les montants modifiés par la présidence et les décisions du
comité, enregistrés en base, sont dans test_decisions.py."""

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

F, A = FINANCE, ATTENTE


def _annees(appel, nombre: int, enveloppe: tuple[int, ...]):
    return replace(
        appel,
        financement=replace(appel.financement, nombre_annees_max=nombre, enveloppe=enveloppe),
    )


def test_appel_livre(appel):
    f = appel.financement
    assert (f.plafond_annuel, f.bonification_projet_conjoint) == (2_500_000, 1_000_000)
    assert f.enveloppe == (75_000_000, 50_000_000)
    assert f.nombre_annees_max == 2
    assert (f.plafond(False), f.plafond(True)) == (2_500_000, 3_500_000)


# --- Plafonds et montants par défaut ------------------------------------------------------


@pytest.mark.parametrize(
    ("conjoint", "an1", "an2", "plafond", "attendus"),
    [
        pytest.param(False, 2_000_000, 1_000_000, 2_500_000, [2_000_000, 1_000_000], id="sous"),
        pytest.param(False, 2_500_000, 2_500_000, 2_500_000, [2_500_000, 2_500_000], id="egal"),
        pytest.param(False, 3_000_000, 2_600_000, 2_500_000, [2_500_000, 2_500_000], id="plafonne"),
        pytest.param(True, 3_000_000, 3_500_000, 3_500_000, [3_000_000, 3_500_000], id="bonifie"),
        pytest.param(True, 4_000_000, 9_000_000, 3_500_000, [3_500_000, 3_500_000], id="conj-pl"),
        pytest.param(None, 3_000_000, 0, 2_500_000, [2_500_000, 0], id="conjoint-inconnu"),
        pytest.param(False, None, None, 2_500_000, [0, 0], id="montants-absents"),
        pytest.param(False, 1_800_050, np.nan, 2_500_000, [1_800_050, 0], id="an2-nan"),
        pytest.param(True, "1500000", None, 3_500_000, [1_500_000, 0], id="texte-numerique"),
    ],
)
def test_plafonds_et_montants_par_defaut(appel, conjoint, an1, an2, plafond, attendus):
    demandes = pd.DataFrame(
        [{"projet_conjoint": conjoint, "montant_demande_an1": an1, "montant_demande_an2": an2}]
    )
    assert financement.plafonds(demandes, appel).tolist() == [plafond]
    defaut = financement.montants_par_defaut(demandes, appel)
    assert defaut.shape == (1, 2)
    assert defaut.dtype == np.int64
    assert defaut[0].tolist() == attendus


@pytest.mark.parametrize(
    ("nombre", "enveloppe", "colonnes"),
    [
        pytest.param(1, (75_000_000,), [[2_500_000], [3_000_000]], id="une-annee"),
        pytest.param(2, (75_000_000, 50_000_000), [[2_500_000, 9], [3_000_000, 0]], id="deux"),
        pytest.param(3, (1, 1, 1), [[2_500_000, 9], [3_000_000, 0]], id="trois-deux-connues"),
    ],
)
def test_montants_au_dela_des_annees_financees(appel, nombre, enveloppe, colonnes):
    """Une année que l'appel ne finance pas n'a pas de colonne ; au-delà des deux années que
    la demande connaît, rien non plus."""
    appel = _annees(appel, nombre, enveloppe)
    demandes = pd.DataFrame(
        {
            "projet_conjoint": [False, True],
            "montant_demande_an1": [2_600_000, 3_000_000],
            "montant_demande_an2": [9, None],
        }
    )
    assert financement.nombre_annees(appel) == min(nombre, 2)
    assert financement.montants_par_defaut(demandes, appel).tolist() == colonnes


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
    assert montants.tolist() == [[0, 1_000_000], [3_000_000, 1_234_500]]
    assert set(retenues) == {(20, 2), (10, 1)}


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


@pytest.mark.parametrize("mode", ["stricte", "remplissage"])
def test_ligne_de_financement_liste_python_vide(mode):
    ligne = financement.ligne_de_financement([], (100, 50), mode)
    assert ligne.statuts.tolist() == []
    assert ligne.finances.tolist() == [0, 0]
    assert ligne.restant.tolist() == [100, 50]
    assert ligne.derniere_financee is None
