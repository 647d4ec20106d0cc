"""Notation : le cube des notes, l'agrégation (moyenne, médiane, moyenne tronquée), le total
pondéré, la dispersion et le drapeau « à discuter », la calibration des évaluateurs et
l'accord du panel, chaque statistique vérifiée contre des valeurs calculées à la main ou
publiées (Shrout et Fleiss 1979 ; Krippendorff 2011)."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.decision import notation
from evaluation.decision.notation import Reglages

N = np.nan
CRITERES = ("pertinence", "coherence", "qualite-dossier", "structurant", "capacite", "visibilite")
POIDS = (25.0, 20.0, 15.0, 15.0, 15.0, 10.0)
REGLAGES = Reglages(poids=POIDS, echelle_min=0.0, echelle_max=10.0)


def _longues(notes: dict[tuple[int, str], list[float] | float]) -> pd.DataFrame:
    """Notes en long d'après {(demande, évaluateur): six notes, ou une note pour tous}."""
    lignes = []
    for (d, e), valeurs in notes.items():
        if not isinstance(valeurs, list):
            valeurs = [valeurs] * len(CRITERES)
        lignes += [(d, e, c, v) for c, v in zip(CRITERES, valeurs, strict=True)]
    return pd.DataFrame(lignes, columns=["demande_id", "evaluateur", "critere", "note"])


def test_appel_livre_aux_memes_criteres(appel):
    """Les constantes de ce fichier sont celles de l'appel livré."""
    assert tuple(c.id for c in appel.criteres) == CRITERES
    assert tuple(c.poids for c in appel.criteres) == POIDS
    assert (appel.echelle_min, appel.echelle_max) == (0.0, 10.0)


# --- Cube ---------------------------------------------------------------------------------


def test_cube_forme_et_valeurs():
    notes = _longues({(1, "b@x.ca"): [1, 2, 3, 4, 5, 6], (2, "a@x.ca"): 7.0})
    c = notation.cube(notes, [2, 1, 3], CRITERES)
    assert c.demandes.tolist() == [2, 1, 3]
    assert c.evaluateurs.tolist() == ["a@x.ca", "b@x.ca"]  # triés
    assert c.criteres == CRITERES
    assert c.notes.shape == (3, 2, 6)
    assert c.notes[1, 1].tolist() == [1, 2, 3, 4, 5, 6]
    assert c.notes[0, 0].tolist() == [7.0] * 6
    assert np.isnan(c.notes[0, 1]).all() and np.isnan(c.notes[1, 0]).all()
    # La demande 3 n'a aucune note : elle garde sa ligne, vide.
    assert np.isnan(c.notes[2]).all()
    assert c.completes.tolist() == [[True, False], [False, True], [False, False]]


def test_cube_critere_inconnu_ignore():
    notes = _longues({(1, "a@x.ca"): 5.0})
    inconnu = pd.DataFrame([(1, "a@x.ca", "budget", 9.0)], columns=notes.columns)
    c = notation.cube(pd.concat([notes, inconnu]), [1], CRITERES)
    assert c.notes.shape == (1, 1, 6)
    assert c.notes[0, 0].tolist() == [5.0] * 6


def test_cube_critere_inconnu_sans_avertissement():
    notes = _longues({(1, "a@x.ca"): 5.0})
    inconnu = pd.DataFrame([(1, "a@x.ca", "budget", 9.0)], columns=notes.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = notation.cube(pd.concat([notes, inconnu]), [1], CRITERES)
    assert c.notes[0, 0].tolist() == [5.0] * 6


def test_cube_demande_hors_liste_ignoree():
    notes = _longues({(1, "a@x.ca"): 5.0, (99, "z@x.ca"): 9.0})
    c = notation.cube(notes, [1], CRITERES)
    assert c.evaluateurs.tolist() == ["a@x.ca"]
    assert c.notes.shape == (1, 1, 6)


def test_cube_evaluation_incomplete_ecartee():
    """Une évaluation à qui il manque un critère n'entre dans aucun calcul."""
    notes = _longues({(1, "a@x.ca"): 8.0, (1, "b@x.ca"): 2.0})
    notes = notes[~((notes["evaluateur"] == "b@x.ca") & (notes["critere"] == "visibilite"))]
    c = notation.cube(notes, [1], CRITERES)
    assert np.isnan(c.notes[0, 1]).all()
    assert c.completes.tolist() == [[True, False]]
    r = notation.resultats(c, REGLAGES)
    assert r.loc[1, "n_evaluations"] == 1
    assert r.loc[1, "total"] == pytest.approx(80.0)  # les notes 2 de b ne comptent pas


def test_cube_note_manquante_none_ou_nan():
    notes = _longues({(1, "a@x.ca"): [8, 8, 8, 8, 8, None]})
    c = notation.cube(notes, [1], CRITERES)
    assert not c.completes.any()


# --- Agrégation ---------------------------------------------------------------------------


def _une_colonne(*valeurs: float) -> np.ndarray:
    """(1, E, 1) : une demande, un critère, E évaluateurs."""
    return np.array(valeurs, dtype=float).reshape(1, -1, 1)


@pytest.mark.parametrize(
    ("valeurs", "methode", "part", "attendu"),
    [
        # moyenne
        ((1, 2, 3, 4, 10), "moyenne", 0.2, 4.0),
        ((1, N, 3), "moyenne", 0.2, 2.0),
        ((7.5,), "moyenne", 0.2, 7.5),
        # médiane
        ((1, 2, 3, 4, 10), "mediane", 0.2, 3.0),
        ((1, 2, 3, 10), "mediane", 0.2, 2.5),
        ((N, 1, 9, N), "mediane", 0.2, 5.0),
        # moyenne tronquée : k = plancher(part × n) valeurs retirées à chaque bout
        ((1, 2, 3, 4, 10), "moyenne_tronquee", 0.2, 3.0),  # 5 valeurs : k = 1 → (2+3+4)/3
        ((10, 1, 4, 3, 2), "moyenne_tronquee", 0.2, 3.0),  # l'ordre ne compte pas
        ((1, 2, 9), "moyenne_tronquee", 0.2, 4.0),  # 3 valeurs : k = 0 → moyenne
        ((5, N, 1, 9, 3, 7), "moyenne_tronquee", 0.2, 5.0),  # 5 notes et un NaN : (3+5+7)/3
        ((1, 2, 3, 4, 10), "moyenne_tronquee", 0.4, 3.0),  # k = 2 : la médiane
        ((0, 1, 2, 3, 4, 5, 6, 7, 8, 100), "moyenne_tronquee", 0.2, 4.5),  # k = 2 : 2..7
        ((1, 2, 3, 4, 10), "moyenne_tronquee", 0.0, 4.0),  # part nulle : moyenne
    ],
)
def test_agreger_valeurs_a_la_main(valeurs, methode, part, attendu):
    resultat = notation.agreger(_une_colonne(*valeurs), methode, part)
    assert resultat.shape == (1, 1)
    assert resultat[0, 0] == pytest.approx(attendu)


@pytest.mark.parametrize("methode", notation.AGREGATIONS)
def test_agreger_sans_note_rend_nan_sans_avertir(methode):
    """Une demande sans note : NaN, et aucun RuntimeWarning (les avertissements sont des
    erreurs dans cette suite)."""
    notes = np.array([[[N, N], [N, N]], [[4.0, 6.0], [8.0, N]]])  # (2 demandes, 2 éval., 2 crit.)
    resultat = notation.agreger(notes, methode, 0.2)
    assert resultat.shape == (2, 2)
    assert np.isnan(resultat[0]).all()
    assert resultat[1].tolist() == pytest.approx([6.0, 6.0])


def test_agreger_par_demande_et_par_critere():
    notes = np.array(
        [
            [[1.0, 10.0], [3.0, 10.0], [8.0, 4.0]],
            [[5.0, 5.0], [N, N], [6.0, 7.0]],
        ]
    )
    assert notation.agreger(notes, "moyenne") == pytest.approx(np.array([[4, 8], [5.5, 6]]))
    assert notation.agreger(notes, "mediane") == pytest.approx(np.array([[3, 10], [5.5, 6]]))


def test_agreger_part_tronquee_par_defaut_20_pour_cent():
    """Sans part donnée, 20 % retirés à chaque bout : 5 notes → k = 1, (2 + 3 + 10)/3 = 5
    (à 40 %, k = 2 et il ne resterait que la médiane, 3)."""
    assert notation.agreger(_une_colonne(1, 2, 3, 10, 20), "moyenne_tronquee")[0, 0] == 5.0


def test_agreger_tronquee_qui_ne_laisse_aucune_note_rend_nan():
    """Part 0,5 sur 4 notes : k = 2 à chaque bout, il ne reste rien → NaN, pas 0 (la
    configuration refuse une part ≥ 0,5 ; la fonction ne rend pas pour autant un faux 0)."""
    assert np.isnan(notation.agreger(_une_colonne(1, 2, 3, 4), "moyenne_tronquee", 0.5)[0, 0])


def test_agreger_methode_inconnue():
    with pytest.raises(ValueError, match="inconnue"):
        notation.agreger(_une_colonne(1, 2), "mode")


# --- Totaux -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notes", "attendu"),
    [
        ([10, 10, 10, 10, 10, 10], 100.0),
        ([0, 0, 0, 0, 0, 0], 0.0),
        ([6, 6, 6, 6, 6, 6], 60.0),
        ([10, 5, 5, 5, 5, 5], 62.5),  # 25 + 10 + 7,5 × 3 + 5
        ([8, 6, 7, 5, 9, 4], 67.5),  # 20 + 12 + 10,5 + 7,5 + 13,5 + 4
        ([8, 6, 7, 5, 9, N], N),
    ],
)
def test_totaux(notes, attendu):
    total = notation.totaux(np.array(notes, dtype=float), np.array(POIDS), 10.0)
    if np.isnan(attendu):
        assert np.isnan(total)
    else:
        assert total == pytest.approx(attendu)


def test_totaux_vectorises():
    notes = np.array([[[10.0] * 6, [5.0] * 6], [[0.0] * 6, [N] * 6]])
    t = notation.totaux(notes, np.array(POIDS), 10.0)
    assert t.shape == (2, 2)
    assert t[0].tolist() == [100.0, 50.0]
    assert t[1, 0] == 0.0 and np.isnan(t[1, 1])


def test_totaux_autre_echelle():
    assert notation.totaux(np.array([4.0, 2.0]), np.array([50.0, 50.0]), 5.0) == 60.0


# --- Résultats ----------------------------------------------------------------------------

NOTES_RESULTATS = {
    # Demande 1 : pertinence 8, 6, 4 (étendue 4, écart-type 2) ; totaux 67,5 / 62,5 / 57,5.
    (1, "a@x.ca"): [8, 6, 7, 5, 9, 4],
    (1, "b@x.ca"): [6, 6, 7, 5, 9, 4],
    (1, "c@x.ca"): [4, 6, 7, 5, 9, 4],
    # Demande 2 : pertinence 8, 6, 4,5 (étendue 3,5) ; totaux 67,5 / 62,5 / 58,75.
    (2, "a@x.ca"): [8, 6, 7, 5, 9, 4],
    (2, "b@x.ca"): [6, 6, 7, 5, 9, 4],
    (2, "c@x.ca"): [4.5, 6, 7, 5, 9, 4],
    # Demande 3 : aucune étendue de critère ≥ 4, mais totaux 100 et 80 (étendue 20).
    (3, "a@x.ca"): [10, 10, 10, 10, 10, 10],
    (3, "b@x.ca"): [8, 7.5, 8, 8, 8, 9],
    # Demande 4 : totaux 100 et 80,5 (étendue 19,5).
    (4, "a@x.ca"): [10, 10, 10, 10, 10, 10],
    (4, "b@x.ca"): [8, 7.5, 8, 8, 8, 9.5],
    # Demande 5 : une seule évaluation ; demande 6 : aucune.
    (5, "c@x.ca"): [7, 7, 7, 7, 7, 7],
}


@pytest.fixture
def resultats_main():
    c = notation.cube(_longues(NOTES_RESULTATS), [1, 2, 3, 4, 5, 6], CRITERES)
    return notation.resultats(c, REGLAGES)


def test_resultats_colonnes(resultats_main):
    r = resultats_main
    assert r.index.name == "demande_id" and r.index.tolist() == [1, 2, 3, 4, 5, 6]
    for critere in CRITERES:
        for prefixe in ("note", "ecart_type", "etendue"):
            assert f"{prefixe}:{critere}" in r.columns
    for colonne in ("n_evaluations", "total", "ecart_type_total", "etendue_total"):
        assert colonne in r.columns
    assert r["n_evaluations"].tolist() == [3, 3, 2, 2, 1, 0]


def test_resultats_total_a_la_main(resultats_main):
    r = resultats_main
    # Demande 1 : moyennes 6, 6, 7, 5, 9, 4 → 25×6/10 + 20×6/10 + 15×7/10 + 15×5/10
    # + 15×9/10 + 10×4/10 = 15 + 12 + 10,5 + 7,5 + 13,5 + 4 = 62,5.
    assert r.loc[1, "total"] == pytest.approx(62.5)
    assert r.loc[1, "note:pertinence"] == pytest.approx(6.0)
    # Demande 2 : pertinence (8 + 6 + 4,5)/3 = 6,1667 → 62,5 + 2,5 × 0,1667 = 62,9167.
    assert r.loc[2, "note:pertinence"] == pytest.approx(18.5 / 3)
    assert r.loc[2, "total"] == pytest.approx(62.5 + 2.5 * (0.5 / 3))
    # Demande 3 : moyennes 9, 8,75, 9, 9, 9, 9,5 → 22,5 + 17,5 + 13,5 × 3 + 9,5 = 90.
    assert r.loc[3, "total"] == pytest.approx(90.0)
    assert r.loc[5, "total"] == pytest.approx(70.0)
    assert np.isnan(r.loc[6, "total"])


def test_resultats_dispersion_a_la_main(resultats_main):
    r = resultats_main
    # Pertinence de la demande 1 : 8, 6, 4 → écart-type (ddof = 1) 2, étendue 4.
    assert r.loc[1, "ecart_type:pertinence"] == pytest.approx(2.0)
    assert r.loc[1, "etendue:pertinence"] == pytest.approx(4.0)
    assert r.loc[1, "ecart_type:coherence"] == 0.0 and r.loc[1, "etendue:coherence"] == 0.0
    # Totaux de la demande 1 : 67,5 / 62,5 / 57,5 → écart-type 5, étendue 10.
    assert r.loc[1, "ecart_type_total"] == pytest.approx(5.0)
    assert r.loc[1, "etendue_total"] == pytest.approx(10.0)
    # Demande 2 : pertinence 8, 6, 4,5 → s² = ((8−6,1667)² + (6−6,1667)² + (4,5−6,1667)²)/2.
    moyenne = 18.5 / 3
    s2 = ((8 - moyenne) ** 2 + (6 - moyenne) ** 2 + (4.5 - moyenne) ** 2) / 2
    assert r.loc[2, "ecart_type:pertinence"] == pytest.approx(np.sqrt(s2))
    assert r.loc[2, "etendue:pertinence"] == pytest.approx(3.5)
    assert r.loc[3, "ecart_type_total"] == pytest.approx(np.sqrt(200.0))  # 100 et 80
    assert r.loc[3, "etendue_total"] == pytest.approx(20.0)
    # Une seule note : écart-type indéfini, étendue nulle ; aucune note : NaN.
    assert np.isnan(r.loc[5, "ecart_type:pertinence"]) and np.isnan(r.loc[5, "ecart_type_total"])
    assert r.loc[5, "etendue:pertinence"] == 0.0 and r.loc[5, "etendue_total"] == 0.0
    assert np.isnan(r.loc[6, "ecart_type_total"]) and np.isnan(r.loc[6, "etendue_total"])


def test_resultats_a_discuter_aux_seuils(resultats_main):
    r = resultats_main
    assert r.loc[1, "a_discuter"]  # étendue 4 sur un critère : au seuil, donc signalée
    assert not r.loc[2, "a_discuter"]  # étendue 3,5 ; total 8,75
    assert r.loc[3, "a_discuter"]  # étendue du total exactement 20
    assert not r.loc[4, "a_discuter"]  # 19,5
    assert not r.loc[5, "a_discuter"] and not r.loc[6, "a_discuter"]


@pytest.mark.parametrize(
    ("ecart_critere", "ecart_total", "attendus"),
    [
        (4.0, 20.0, [True, False, True, False, False, False]),
        (3.5, 20.0, [True, True, True, False, False, False]),
        (4.5, 20.0, [False, False, True, False, False, False]),
        (4.5, 19.5, [False, False, True, True, False, False]),
        (4.5, 10.0, [True, False, True, True, False, False]),
        (2.5, 10.0, [True, True, True, True, False, False]),  # demande 3 : coherence 2,5
        # Seuils bas : la demande 5 (une note, étendues 0) et la 6 (aucune note, étendues
        # non définies) ne sont jamais à discuter.
        (0.5, 20.0, [True, True, True, True, False, False]),
        (4.5, 0.5, [True, True, True, True, False, False]),
    ],
)
def test_resultats_seuils_de_discussion_reglables(ecart_critere, ecart_total, attendus):
    c = notation.cube(_longues(NOTES_RESULTATS), [1, 2, 3, 4, 5, 6], CRITERES)
    r = notation.resultats(
        c, replace(REGLAGES, ecart_critere=ecart_critere, ecart_total=ecart_total)
    )
    assert r["a_discuter"].tolist() == attendus


@pytest.mark.parametrize(
    ("methode", "pertinence"),
    [("moyenne", 5.6), ("mediane", 5.0), ("moyenne_tronquee", 6.0)],
)
def test_resultats_selon_agregation(methode, pertinence):
    """Cinq évaluateurs, pertinence 0, 4, 5, 9, 10 : moyenne 5,6, médiane 5, tronquée à la
    part par défaut des réglages (20 %, k = 1) (4 + 5 + 9)/3 = 6 — à 40 %, ce serait la
    médiane ; les autres critères à 5 valent 37,5 points."""
    notes = {(1, f"e{i}@x.ca"): [p, 5, 5, 5, 5, 5] for i, p in enumerate([0, 4, 5, 9, 10])}
    c = notation.cube(_longues(notes), [1], CRITERES)
    r = notation.resultats(c, replace(REGLAGES, agregation=methode))
    assert r.loc[1, "note:pertinence"] == pytest.approx(pertinence)
    assert r.loc[1, "total"] == pytest.approx(2.5 * pertinence + 37.5)


def test_resultats_sans_aucune_note():
    notes = pd.DataFrame(columns=["demande_id", "evaluateur", "critere", "note"])
    c = notation.cube(notes, [1, 2], CRITERES)
    assert c.notes.shape == (2, 0, 6)
    r = notation.resultats(c, REGLAGES)
    assert r["n_evaluations"].tolist() == [0, 0]
    assert r["total"].isna().all() and not r["a_discuter"].any()


# --- Calibration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("demandes", "evaluateurs", "regularisation"),
    [(5, 4, 2.0), (10, 4, 2.0), (5, 3, 1.0), (20, 6, 2.0), (3, 2, 0.5), (8, 4, 0.0)],
)
def test_calibrer_evaluateur_genereux(demandes, evaluateurs, regularisation):
    """Un évaluateur note chaque demande 10 points au-dessus des autres (plan complet).

    Moindres carrés pénalisés : la qualité absorbe la moyenne des sévérités, donc le
    minimum impose Σ sévérité = 0 et donne sévérité_e = n/(n + λ) × (t_e − t̄), avec n le
    nombre de demandes notées par chacun et t le décalage vrai (10, 0, …, 0) : la sévérité
    du généreux vaut 10 × (E − 1)/E × n/(n + λ), celle des autres −10/E × n/(n + λ)."""
    rng = np.random.default_rng(7)
    qualite = rng.uniform(40, 90, size=demandes)
    decalage = np.zeros(evaluateurs)
    decalage[0] = 10.0
    x = qualite[:, None] + decalage[None, :]
    estimee, severite = notation.calibrer(x, regularisation)
    retrecissement = demandes / (demandes + regularisation)
    attendue = retrecissement * (decalage - decalage.mean())
    assert severite == pytest.approx(attendue, abs=1e-6)
    assert severite.sum() == pytest.approx(0.0, abs=1e-6)
    # La qualité retrouvée est la vraie, décalée de la part de sévérité non retrouvée.
    assert estimee - qualite == pytest.approx(np.full(demandes, decalage.mean()), abs=1e-6)
    assert np.argsort(-estimee).tolist() == np.argsort(-qualite).tolist()


def test_calibrer_retrecissement_vers_zero_avec_peu_de_notes():
    """La même indulgence est moins corrigée quand l'évaluateur a noté peu de demandes :
    n/(n + λ) croît vers 1 avec n."""
    severites = []
    for n in (1, 2, 5, 50):
        x = np.tile([50.0, 50.0], (n, 1)) + np.arange(n)[:, None]
        x[:, 0] += 10.0
        severites.append(notation.calibrer(x, 2.0)[1][0])
    attendues = [5.0 * n / (n + 2.0) for n in (1, 2, 5, 50)]
    assert severites == pytest.approx(attendues, abs=1e-6)
    assert severites == sorted(severites)


def test_calibrer_bruit_severite_proche():
    """Avec du bruit, la sévérité du généreux reste proche de la valeur attendue."""
    rng = np.random.default_rng(2024)
    d, e = 60, 5
    decalage = np.array([10.0, 0, 0, 0, 0])
    x = rng.uniform(40, 90, size=d)[:, None] + decalage + rng.normal(0, 2, size=(d, e))
    _, severite = notation.calibrer(x, 2.0)
    assert severite[0] == pytest.approx(8.0 * d / (d + 2.0), abs=1.0)
    assert np.abs(severite[1:] + 2.0 * d / (d + 2.0)).max() < 1.0


def test_calibrer_demande_sans_note_et_evaluateur_sans_note():
    x = np.array([[60.0, 70.0, N], [N, N, N], [50.0, 60.0, N]])
    qualite, severite = notation.calibrer(x, 2.0)
    assert np.isnan(qualite[1]) and not np.isnan(qualite[[0, 2]]).any()
    assert severite[2] == 0.0
    assert severite[1] - severite[0] == pytest.approx(10.0 * 2 / (2 + 2.0))


def test_calibrer_un_seul_evaluateur_ne_corrige_rien():
    """Un seul évaluateur : aucune comparaison possible, sévérité 0 (la pénalité seule :
    (n + λ − n) s = 0) et total calibré = total brut ; NaN pour la demande sans note."""
    qualite, severite = notation.calibrer(np.array([[60.0], [70.0], [N]]), 2.0)
    assert severite.tolist() == [0.0]
    assert qualite[:2].tolist() == [60.0, 70.0] and np.isnan(qualite[2])


def test_indulgence_sans_aucune_note():
    """Avant toute note, le tableau des évaluateurs est vide (et ne plante pas)."""
    notes = pd.DataFrame(columns=["demande_id", "evaluateur", "critere", "note"])
    c = notation.cube(notes, [1, 2], CRITERES)
    t = notation.indulgence(c, REGLAGES)
    assert t.empty and t.index.name == "evaluateur"
    assert t.columns.tolist() == ["n_evaluations", "ecart_moyen", "ecart_type", "severite"]
    # Sans évaluateur, la calibration ne rend aucune sévérité, et des qualités NaN.
    qualite, severite = notation.calibrer(np.empty((2, 0)))
    assert severite.shape == (0,) and np.isnan(qualite).all()


# Qualités vraies 85, 80, …, 60 (rangs 1 à 6) ; « doux » ajoute 10, « dur » retire 10 ; x et
# y notent tout, dur les demandes paires, doux les impaires. La moyenne brute inverse
# chaque paire (81,7 < 83,3 ; 71,7 < 73,3 ; 61,7 < 63,3), la calibration les remet.
QUALITES_VRAIES = [85, 80, 75, 70, 65, 60]
PLAN_PARTIEL = {
    (d + 1, e): (q + (-10 if d % 2 == 0 else 10) if e == "biais@x.ca" else q)
    for d, q in enumerate(QUALITES_VRAIES)
    for e in ("biais@x.ca", "x@x.ca", "y@x.ca")
}


def _plan_partiel_long() -> pd.DataFrame:
    """Le plan partiel en notes : chaque critère à total/10 (notes au pas de 0,5)."""
    notes = {}
    for (d, e), total in PLAN_PARTIEL.items():
        evaluateur = ("dur@x.ca" if d % 2 == 1 else "doux@x.ca") if e == "biais@x.ca" else e
        notes[(d, evaluateur)] = total / 10
    return _longues(notes)


def test_calibration_redresse_une_attribution_partielle():
    c = notation.cube(_plan_partiel_long(), [1, 2, 3, 4, 5, 6], CRITERES)
    assert c.completes.sum(axis=1).tolist() == [3] * 6
    assert not c.completes.all()  # chaque demande n'a que 3 des 4 évaluateurs
    r = notation.resultats(c, REGLAGES)
    vrai = list(range(1, 7))
    brut = r["total"].sort_values(ascending=False, kind="stable").index.tolist()
    calibre = r["total_calibre"].sort_values(ascending=False, kind="stable").index.tolist()
    assert brut == [2, 1, 4, 3, 6, 5]
    assert calibre == vrai
    # Le total calibré est la qualité estimée par `calibrer` sur les totaux par évaluateur.
    par_eval = notation.totaux(c.notes, np.array(POIDS), 10.0)
    assert r["total_calibre"].to_numpy() == pytest.approx(notation.calibrer(par_eval, 2.0)[0])


def test_indulgence_a_la_main():
    """Totaux : demande 1 → a 60, b 70, c 80 (panel 70) ; demande 2 → a 50, b 50 (panel 50).
    Écarts : a −10 et 0 ; b 0 et 0 ; c +10."""
    notes = {(1, "a@x.ca"): 6.0, (1, "b@x.ca"): 7.0, (1, "c@x.ca"): 8.0}
    notes |= {(2, "a@x.ca"): 5.0, (2, "b@x.ca"): 5.0}
    c = notation.cube(_longues(notes), [1, 2, 3], CRITERES)
    t = notation.indulgence(c, REGLAGES)
    assert t.index.name == "evaluateur"
    assert t.index.tolist() == ["a@x.ca", "b@x.ca", "c@x.ca"]
    assert t["n_evaluations"].tolist() == [2, 2, 1]
    assert t["ecart_moyen"].tolist() == pytest.approx([-5.0, 0.0, 10.0])
    assert t.loc["a@x.ca", "ecart_type"] == pytest.approx(np.sqrt(50.0))  # −10 et 0
    assert t.loc["b@x.ca", "ecart_type"] == 0.0
    assert np.isnan(t.loc["c@x.ca", "ecart_type"])
    par_eval = notation.totaux(c.notes, np.array(POIDS), 10.0)
    assert t["severite"].to_numpy() == pytest.approx(notation.calibrer(par_eval, 2.0)[1])
    assert t.loc["a@x.ca", "severite"] < t.loc["b@x.ca", "severite"]
    assert t.loc["b@x.ca", "severite"] < t.loc["c@x.ca", "severite"]


def test_indulgence_ecart_moyen_est_une_moyenne_au_panel_moyen():
    """Issue 21, constat 6 : « Écart moyen au comité » est la moyenne des écarts de
    l'évaluateur à la moyenne du panel ; des données asymétriques, où moyenne et médiane
    diffèrent, le distinguent d'une médiane (de ses écarts ou du panel).

    Totaux : demande 1 → a 50, b 80, c 80 (panel 70 ; la médiane serait 80) ; demandes 2 et
    3 → a et b notent pareil (60, puis 70). Écarts de a : −20, 0, 0 → moyenne −20/3 (médiane
    0) ; de b : +10, 0, 0 → 10/3 ; de c : +10. Avec le panel médian, a vaudrait −10."""
    notes = {(1, "a@x.ca"): 5.0, (1, "b@x.ca"): 8.0, (1, "c@x.ca"): 8.0}
    notes |= {(2, "a@x.ca"): 6.0, (2, "b@x.ca"): 6.0, (3, "a@x.ca"): 7.0, (3, "b@x.ca"): 7.0}
    c = notation.cube(_longues(notes), [1, 2, 3], CRITERES)
    t = notation.indulgence(c, REGLAGES)
    assert t["n_evaluations"].tolist() == [3, 3, 1]
    assert t["ecart_moyen"].tolist() == pytest.approx([-20 / 3, 10 / 3, 10.0])
    # Écart-type de a : ((−40/3)² + 2 × (20/3)²)/2 = 400/3.
    assert t.loc["a@x.ca", "ecart_type"] == pytest.approx(np.sqrt(400 / 3))


# --- Accord du panel ----------------------------------------------------------------------

# Shrout et Fleiss (1979), tableau 2 : 6 cibles × 4 juges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)


def test_cic_2k_shrout_fleiss():
    """Tableau 4 de l'article : ICC(2,4) = 0,62 (BMS 11,24 ; JMS 32,49 ; EMS 1,02)."""
    assert notation.cic_2k(SHROUT_FLEISS) == pytest.approx(0.620, abs=5e-4)
    # Formule avec les carrés moyens de l'article : (BMS − EMS)/(BMS + (JMS − EMS)/n).
    bms, jms, ems = 11.2417, 32.4861, 1.0194
    attendu = (bms - ems) / (bms + (jms - ems) / 6)
    assert notation.cic_2k(SHROUT_FLEISS) == pytest.approx(attendu, rel=1e-4)


def test_cic_1_shrout_fleiss():
    """ICC(1,1) = 0,17 dans l'article : (BMS − WMS)/(BMS + (k − 1) WMS), WMS = 6,26."""
    assert notation.cic_1(SHROUT_FLEISS) == pytest.approx(0.166, abs=5e-4)
    bms, wms = 11.2417, 6.2639
    attendu = (bms - wms) / (bms + 3 * wms)
    assert notation.cic_1(SHROUT_FLEISS) == pytest.approx(attendu, rel=1e-4)


def test_cic_1_plan_desequilibre_a_la_main():
    """Cibles [1, 3] et [4, 5, 6] (la troisième, une seule note, n'entre pas).
    N = 5, moyenne générale 19/5 = 3,8 ; moyennes 2 et 5.
    MS entre = 2 (2 − 3,8)² + 3 (5 − 3,8)² = 6,48 + 4,32 = 10,8 (1 degré de liberté).
    MS dedans = (1 + 1 + 1 + 0 + 1)/(5 − 2) = 4/3.
    k₀ = (N − Σ nᵢ²/N)/(n − 1) = (5 − 13/5)/1 = 2,4.
    CIC(1) = (10,8 − 4/3)/(10,8 + 1,4 × 4/3) = (142/15)/(190/15) = 71/95 ≈ 0,7474."""
    x = np.array([[1, 3, N], [4, 5, 6], [7, N, N]])
    assert notation.cic_1(x) == pytest.approx(71 / 95)
    assert notation.cic_1(x[:2]) == pytest.approx(71 / 95)


@pytest.mark.parametrize(
    "x",
    [
        np.array([[1.0, 2.0]]),  # une seule cible
        np.array([[1.0, N], [2.0, N]]),  # une note par cible
        np.array([[3.0, 3.0], [3.0, 3.0]]),  # aucune variance
    ],
)
def test_cic_1_indefini(x):
    assert np.isnan(notation.cic_1(x))


def test_cic_2k_deux_demandes_deux_evaluateurs_a_la_main():
    """Le plus petit panel mesurable : [[2, 4], [6, 10]]. Moyenne 5,5 ; moyennes des lignes
    3 et 8, des colonnes 4 et 7. SS lignes = 2 × (6,25 + 6,25) = 25 ; SS colonnes =
    2 × (2,25 + 2,25) = 9 ; SS total = 12,25 + 2,25 + 0,25 + 20,25 = 35 ; SS erreur = 1.
    BMS = 25, JMS = 9, EMS = 1 ; CIC = (25 − 1)/(25 + (9 − 1)/2) = 24/29."""
    assert notation.cic_2k(np.array([[2.0, 4.0], [6.0, 10.0]])) == pytest.approx(24 / 29)


def test_cic_2k_ne_depend_pas_de_l_unite():
    """Les notes de Shrout et Fleiss divisées par 1 000 : mêmes rapports de carrés moyens,
    même 0,62 (le seuil d'arrondi du dénominateur suit l'ordre de grandeur des notes)."""
    assert notation.cic_2k(SHROUT_FLEISS / 1000) == pytest.approx(0.620, abs=5e-4)
    assert notation.cic_2k(SHROUT_FLEISS * 1e6) == pytest.approx(0.620, abs=5e-4)


@pytest.mark.parametrize(
    "x",
    [
        # Toutes les notes égales : dénominateur exactement nul.
        np.array([[3.0, 3.0], [3.0, 3.0]]),
        # Dénominateur nul en valeur exacte, résidu d'arrondi d'environ 1e-13 en flottants
        # (sans le seuil : un CIC de −5 × 10¹³).
        np.array([[70, 70, 70.5], [70, 70, 70], [70.5, 70, 70], [70, 70.5, 70]]),
        # Dénominateur négatif : évaluateurs en désaccord sur des demandes semblables.
        np.array([[1.0, 2.0], [2.0, 1.0]]),
    ],
)
def test_cic_2k_denominateur_nul_ou_negatif(x):
    assert np.isnan(notation.cic_2k(x))


@pytest.mark.parametrize(
    "x",
    [np.array([[1.0, 2.0]]), np.array([[1.0], [2.0]]), np.array([[1.0, 2.0], [N, 3.0]])],
)
def test_cic_2k_indefini(x):
    assert np.isnan(notation.cic_2k(x))


def test_cic_2k_accord_parfait():
    x = np.array([[1.0, 1.0, 1.0], [5.0, 5.0, 5.0], [9.0, 9.0, 9.0]])
    assert notation.cic_2k(x) == pytest.approx(1.0)
    assert notation.cic_1(x) == pytest.approx(1.0)


# Krippendorff (2011), « Computing Krippendorff's alpha-reliability » : 4 observateurs ×
# 12 unités, valeurs 1 à 5 ; alpha ordinal = 0,815.
KRIPPENDORFF = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],  # A
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],  # B
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],  # C
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],  # D
    ]
).T


def test_alpha_krippendorff_exemple_publie():
    assert KRIPPENDORFF.shape == (12, 4)
    assert notation.alpha_krippendorff_ordinal(KRIPPENDORFF) == pytest.approx(0.815, abs=5e-4)


def test_alpha_krippendorff_accord_parfait():
    x = np.array([[1.0, 1.0, N], [2.0, 2.0, 2.0], [5.0, N, 5.0], [3.0, 3.0, 3.0]])
    assert notation.alpha_krippendorff_ordinal(x) == pytest.approx(1.0)


def test_alpha_krippendorff_petit_cas_a_la_main():
    """Unités (1, 2), (2, 3), (1, 1), (3, 3), et (2, ·) qui n'a qu'une valeur (ignorée).
    Coïncidences o = [[2, 1, 0], [1, 0, 1], [0, 1, 2]] ; n_c = 3, 2, 3 ; n = 8.
    δ ordinal : δ₁₂ = δ₂₃ = (3 + 2)/2 = 2,5 ; δ₁₃ = 3 + 2 + 3 − (3 + 3)/2 = 5.
    Observé Σ o δ² = 4 × 6,25 = 25 ; attendu Σ n_c n_k δ² = 2 (6 × 6,25 × 2 + 9 × 25) = 600.
    α = 1 − 7 × 25/600 = 17/24 ≈ 0,7083 (l'alpha nominal, lui, vaudrait 1/3)."""
    x = np.array([[1.0, 2.0], [2.0, 3.0], [1.0, 1.0], [3.0, 3.0], [2.0, N]])
    assert notation.alpha_krippendorff_ordinal(x) == pytest.approx(17 / 24)
    assert notation.alpha_krippendorff_ordinal(x[:4]) == pytest.approx(17 / 24)


def test_alpha_krippendorff_deux_valeurs():
    """(1, 1), (1, 2), (2, 2) : o₁₂ = o₂₁ = 1, n_c = 3, 3 ; α = 1 − 5 × 2/(2 × 9) = 4/9."""
    x = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 2.0]])
    assert notation.alpha_krippendorff_ordinal(x) == pytest.approx(4 / 9)


def test_alpha_krippendorff_invariant_par_transformation_monotone():
    """Ordinal : seules les positions comptent, pas les écarts entre valeurs."""
    carre = np.where(np.isnan(KRIPPENDORFF), N, KRIPPENDORFF**2 + 7)
    assert notation.alpha_krippendorff_ordinal(carre) == pytest.approx(
        notation.alpha_krippendorff_ordinal(KRIPPENDORFF)
    )


@pytest.mark.parametrize(
    "x",
    [
        np.array([[3.0, 3.0], [3.0, 3.0]]),
        np.array([[1.0, N], [2.0, N]]),
        np.full((2, 2), N),
        # Le 5 n'est que dans une unité à une seule note : il ne compte pas, reste un
        # seul 3 apparié, aucun désaccord possible (attendu nul).
        np.array([[3.0, 3.0], [5.0, N]]),
    ],
)
def test_alpha_krippendorff_indefini(x):
    assert np.isnan(notation.alpha_krippendorff_ordinal(x))


def test_accord_panel_complet_cic_2k():
    """Les quatre juges de Shrout et Fleiss sur six demandes, chaque critère à juge/10 × 10 :
    le total par évaluateur vaut 10 × note, le CIC(2,k) est donc celui de l'article."""
    notes = {(d + 1, f"j{j}@x.ca"): float(SHROUT_FLEISS[d, j]) for d in range(6) for j in range(4)}
    c = notation.cube(_longues(notes), [1, 2, 3, 4, 5, 6, 7], CRITERES)  # 7 : sans note
    a = notation.accord(c, REGLAGES)
    assert a.mesure == "CIC(2,k)"
    assert a.cic == pytest.approx(0.620, abs=5e-4)
    assert not a.indefini  # une valeur : rien à expliquer
    assert set(a.alpha_par_critere) == set(CRITERES)
    alpha = notation.alpha_krippendorff_ordinal(SHROUT_FLEISS)
    assert a.alpha_par_critere["pertinence"] == pytest.approx(alpha)


def test_accord_non_mesurable_des_deux_demandes_a_deux_notes():
    """Deux demandes notées chacune par deux évaluateurs (le minimum) en désaccord croisé
    (totaux 10 et 20, puis 20 et 10) : les notes suffisent, le CIC est pourtant non défini
    (dénominateur négatif), et la page le dit « non mesurable »."""
    notes = {(1, "a@x.ca"): 1.0, (1, "b@x.ca"): 2.0, (2, "a@x.ca"): 2.0, (2, "b@x.ca"): 1.0}
    a = notation.accord(notation.cube(_longues(notes), [1, 2], CRITERES), REGLAGES)
    assert a.mesure == "CIC(2,k)" and np.isnan(a.cic)
    assert a.indefini
    assert notation.accord_lisible(a).startswith("— : non mesurable")


@pytest.mark.parametrize(
    ("notes", "mesure"),
    [
        ({}, "CIC(1)"),  # aucune note : pas de « mêmes évaluateurs » à invoquer
        ({(1, "a@x.ca"): 7.0}, "CIC(2,k)"),  # une note : un même panel (d'un évaluateur)
        ({(1, "a@x.ca"): 7.0, (2, "a@x.ca"): 5.0}, "CIC(2,k)"),
    ],
)
def test_accord_pas_assez_de_notes(notes, mesure):
    """Trop peu de notes : pas de valeur, et ce n'est pas un CIC « non mesurable » (la page
    dit qu'il faut au moins deux demandes notées par au moins deux évaluateurs)."""
    longues = (
        _longues(notes)
        if notes
        else pd.DataFrame(columns=["demande_id", "evaluateur", "critere", "note"])
    )
    a = notation.accord(notation.cube(longues, [1, 2], CRITERES), REGLAGES)
    assert a.mesure == mesure
    assert np.isnan(a.cic) and not a.indefini
    assert notation.accord_lisible(a).startswith("— : il faut au moins deux demandes")


def test_accord_panel_partiel_cic_1():
    c = notation.cube(_plan_partiel_long(), [1, 2, 3, 4, 5, 6], CRITERES)
    a = notation.accord(c, REGLAGES)
    assert a.mesure == "CIC(1)"
    par_eval = notation.totaux(c.notes, np.array(POIDS), 10.0)
    assert a.cic == pytest.approx(notation.cic_1(par_eval))
    assert 0 < a.cic < 1


# --- Boîtes à moustaches ---------------------------------------------------------------------


def test_boites_comme_plotly_les_calcule():
    """Quartiles au rang n × p − ½ (interpolation linéaire de plotly), moustaches jusqu'à la
    note la plus éloignée à moins de 1,5 écart interquartile, valeurs isolées au-delà ;
    les groupes dans l'ordre où ils paraissent, les notes manquantes ignorées."""
    notes = pd.DataFrame(
        {
            "evaluateur": ["b"] * 9 + ["a"] * 6,
            "critere": ["x"] * 15,
            "note": [0, 5, 5, 5, 6, 6, 6, 7, 10, 1, 2, 3, 4, 100, np.nan],
        }
    )
    b = notation.boites(notes, ["evaluateur", "critere"], "note")
    assert b["evaluateur"].tolist() == ["b", "a"]
    # b (9 notes) : Q1 au rang 1,75 → 5 ; médiane 6 ; Q3 au rang 6,25 → 6,25 ; bornes
    # 5 − 1,875 et 6,25 + 1,875 : moustaches 5 et 7 ; 0 et 10 isolés.
    assert b.iloc[0, 2:].tolist() == [5.0, 6.0, 6.25, 5.0, 7.0, [0.0, 10.0]]
    # a (5 notes) : Q1 au rang 0,75 → 1,75 ; Q3 au rang 3,25 → 4 + ¼ × 96 = 28 ; la moustache
    # haute ne descend pas sous la boîte.
    assert b.iloc[1, 2:].tolist() == [1.75, 3.0, 28.0, 1.0, 28.0, [100.0]]


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.sampled_from("xy"), st.integers(0, 20)),
        min_size=1,
        max_size=60,
    )
)
def test_boites_groupe_par_groupe(lignes):
    """Les mêmes boîtes qu'un calcul groupe par groupe sur les seules notes du groupe."""
    notes = pd.DataFrame(lignes, columns=["e", "c", "note"]).assign(note=lambda t: t.note / 2)
    b = notation.boites(notes, ["e", "c"], "note")
    assert list(zip(b["e"], b["c"], strict=True)) == list(
        dict.fromkeys(zip(notes["e"], notes["c"], strict=True))
    )
    for _, ligne in b.iterrows():
        v = np.sort(notes.loc[(notes.e == ligne.e) & (notes.c == ligne.c), "note"].to_numpy())
        q1, q2, q3 = np.percentile(v, [25, 50, 75], method="hazen")
        dedans = v[(v >= q1 - 1.5 * (q3 - q1)) & (v <= q3 + 1.5 * (q3 - q1))]
        bas, haut = min(q1, dedans.min()), max(q3, dedans.max())
        assert [ligne.q1, ligne.mediane, ligne.q3, ligne.bas, ligne.haut] == [q1, q2, q3, bas, haut]
        assert ligne.hors == sorted(set(v[(v < bas) | (v > haut)].tolist()))


# --- Calibration : un cas calculé à la main ----------------------------------------------

# Totaux sur 100 de trois évaluateurs (A, B, C) ; C note chaque demande 2 points plus bas.
# D1 à D3 : notées par les trois ; D4 : par C seul (69), la demande à une seule évaluation.
TOTAUX_CALIBRATION = np.array(
    [
        [80.0, 80.0, 78.0],
        [75.0, 75.0, 73.0],
        [70.0, 70.0, 68.0],
        [np.nan, np.nan, 69.0],
    ]
)


def test_calibration_calculee_a_la_main():
    """Modèle `note = qualité + sévérité + bruit`, sévérité pénalisée λ Σ s² (λ = 2).

    À la main : sur D1 à D3, plan complet, les équations des sévérités deviennent
    (3 + λ) s − (Σ s) 1 = 3 (t − t̄), t = (0, 0, −2) l'écart de chacun, t̄ = −2/3 ; en les
    sommant, λ Σ s = 0, donc s = (2, 2, −4) / 5 = (0,4 ; 0,4 ; −0,8). D4 ajoute la même
    quantité de part et d'autre de l'équation de C : s ne change pas. Qualité = moyenne de
    (note − s) : D1 à D3 = leur moyenne brute (Σ s = 0), D4 = 69 + 0,8 = 69,8. La demande
    vue par le seul évaluateur sévère passe ainsi devant D3 (69,33), derrière elle en brut."""
    qualite, severite = notation.calibrer(TOTAUX_CALIBRATION, regularisation=2.0)
    assert severite == pytest.approx([0.4, 0.4, -0.8])
    # λ = 2 est aussi la valeur par défaut (celle des réglages de l'appel).
    assert notation.calibrer(TOTAUX_CALIBRATION)[1] == pytest.approx([0.4, 0.4, -0.8])
    assert qualite == pytest.approx([238 / 3, 223 / 3, 208 / 3, 69.8])
    brut = np.nanmean(TOTAUX_CALIBRATION, axis=1)
    assert brut[3] < brut[2] and qualite[3] > qualite[2]


def test_total_calibre_d_une_demande_a_une_seule_evaluation():
    """Issue 21, constat 3 : le « total calibré » que la page affiche pour une demande notée
    par un seul évaluateur est sa note corrigée de la sévérité de cet évaluateur, ni divisé
    ni manquant. Le cas à la main ci-dessus, passé par les notes (chaque critère à total/10,
    les poids font 100) : D4, notée 69 par le seul C (sévérité −0,8), vaut 69,8."""
    notes = {
        (d + 1, e): total / 10
        for d, ligne in enumerate(TOTAUX_CALIBRATION)
        for e, total in zip(("a@x.ca", "b@x.ca", "c@x.ca"), ligne, strict=True)
        if not np.isnan(total)
    }
    c = notation.cube(_longues(notes), [1, 2, 3, 4], CRITERES)
    r = notation.resultats(c, REGLAGES)
    assert r["n_evaluations"].tolist() == [3, 3, 3, 1]
    assert r.loc[4, "total"] == pytest.approx(69.0)
    assert r.loc[4, "total_calibre"] == pytest.approx(69.8)
    assert r["total_calibre"].tolist() == pytest.approx([238 / 3, 223 / 3, 208 / 3, 69.8])


def test_accord_lisible_dit_pourquoi_il_n_y_a_pas_de_valeur():
    """Issue 19 : « — » seul (ou « un même comité a noté chaque demande ») ne s'explique
    pas ; un seul évaluateur par demande rend l'accord incalculable, et on le dit."""
    from evaluation.decision.notation import Accord, accord_lisible

    sans = accord_lisible(Accord("CIC(2,k)", float("nan"), {}))
    assert sans == (
        "— : il faut au moins deux demandes notées chacune par au moins deux évaluateurs "
        "pour le calculer."
    )
    assert accord_lisible(Accord("CIC(2,k)", 0.734, {})) == (
        "0,73 (les mêmes évaluateurs ont noté chaque demande)"
    )
    assert accord_lisible(Accord("CIC(1)", 0.5, {})) == (
        "0,50 (chaque demande a ses propres évaluateurs)"
    )
