"""Classement : statuts et leur préséance, seuil et minimum par critère, chaque règle de
départage (seule, et dans l'ordre de l'appel), ligne de financement, comparaison de
pondérations et classement de bout en bout sur SQLite et PostgreSQL ;
propriétés (hypothesis) : le rang est une permutation, monter une note ne fait jamais
reculer, le financé tient dans l'enveloppe de chaque année."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from evaluation.appels.configuration import Dimension, ValeurDimension
from evaluation.decision import chargement, classement, decisions, financement, notation
from evaluation.decision.classement import (
    A_ETABLIR,
    CLASSE,
    INADMISSIBLE,
    NON_EVALUE,
    SOUS_SEUIL,
)
from evaluation.decision.financement import ATTENTE, FINANCE
from evaluation.notes import filtrage
from evaluation.notes.filtrage import Etat
from tests.decision.conftest import CRITERES, _soumettre

LIBELLE_PERTINENCE = "note plus haute en « Pertinence et retombées »"
LIBELLE_CONJOINT = classement.LIBELLES_DEPARTAGE["projet_conjoint"]
LIBELLE_PART = classement.LIBELLES_DEPARTAGE["part_financement_propre"]
LIBELLE_EXTERNE = classement.LIBELLES_DEPARTAGE["financement_externe"]
LIBELLE_NUMERO = classement.LIBELLES_DEPARTAGE["no_demande"]


def _demande(i: int, **champs) -> dict:
    return {
        "id": i,
        "no_demande": f"D-{i:03d}",
        "projet_conjoint": False,
        "cout_total": 10_000_000,
        "contribution_demandeur": 2_000_000,
        "cofinancement_externe": 0,
        "montant_demande_an1": 1_000_000,
        "montant_demande_an2": 1_000_000,
    } | champs


def _longues(notes: dict[int, dict[str, list[float] | float]]) -> pd.DataFrame:
    """{demande: {évaluateur: six notes, ou une note pour chaque critère}} → notes en long."""
    lignes = []
    for d, par_evaluateur in notes.items():
        for e, valeurs in par_evaluateur.items():
            if not isinstance(valeurs, list):
                valeurs = [valeurs] * len(CRITERES)
            lignes += [
                (d, e, c, v) for c, v in zip(CRITERES, valeurs, strict=True) if v is not None
            ]
    return pd.DataFrame(lignes, columns=["demande_id", "evaluateur", "critere", "note"])


def _resultats(appel, demandes: pd.DataFrame, notes: dict, poids=None) -> pd.DataFrame:
    c = notation.cube(_longues(notes), demandes["id"], [c.id for c in appel.criteres])
    return notation.resultats(c, classement.reglages_notation(appel, poids))


def _etats(demandes, inadmissibles=None) -> dict[int, Etat]:
    """L'examen d'admissibilité : chaque demande admissible, sauf `inadmissibles`
    (demande_id → raison), jugées inadmissibles par l'analyste."""
    ids = [int(d["id"]) for d in demandes] if isinstance(demandes, list) else demandes["id"]
    etats = {int(d): Etat(filtrage.ADMISSIBLE) for d in ids}
    for d, raison in (inadmissibles if inadmissibles is not None else {}).items():
        etats[int(d)] = Etat(filtrage.INADMISSIBLE, raison)
    return etats


def _classer(appel, demandes: list[dict], notes: dict, inadmissibles=None, montants=None):
    table = pd.DataFrame(demandes)
    return classement.classer(
        appel, table, _resultats(appel, table, notes), _etats(demandes, inadmissibles), montants
    )


def _ligne(table: pd.DataFrame, demande_id: int) -> pd.Series:
    return table.set_index("demande_id").loc[demande_id]


def _avec_minimum(appel, critere: str, minimum: float):
    return replace(
        appel,
        criteres=tuple(
            replace(c, minimum=minimum) if c.id == critere else c for c in appel.criteres
        ),
    )


def _avec_enveloppe(appel, enveloppe: tuple[int, ...], mode: str = "stricte"):
    return replace(
        appel, financement=replace(appel.financement, enveloppe=enveloppe), mode_ligne=mode
    )


def test_appel_livre(appel):
    assert tuple(c.id for c in appel.criteres) == CRITERES
    assert appel.seuil_global == 60
    assert appel.departage == (
        "critere:pertinence",
        "projet_conjoint",
        "financement_externe",
        "part_financement_propre",
        "no_demande",
    )


# --- Statuts ------------------------------------------------------------------------------

SOUS_SEUIL_RAISON = "total sous le seuil de 60"
SOUS_MINIMUM = "sous le minimum d'un critère"


@pytest.mark.parametrize(
    ("notes", "inadmissible", "minimum", "statut", "raison"),
    [
        pytest.param(None, True, None, INADMISSIBLE, "hors programme", id="inadm-non-evaluee"),
        pytest.param({"a": 9.0}, True, None, INADMISSIBLE, "hors programme", id="inadm-classable"),
        pytest.param({"a": 2.0}, True, None, INADMISSIBLE, "hors programme", id="inadm-sous-seuil"),
        pytest.param(None, False, None, NON_EVALUE, "", id="non-evaluee"),
        pytest.param(
            {"a": [9, 9, 9, 9, 9, None]}, False, None, NON_EVALUE, "", id="seulement-incomplete"
        ),
        pytest.param({"a": 5.0}, False, None, SOUS_SEUIL, SOUS_SEUIL_RAISON, id="sous-seuil"),
        pytest.param({"a": 6.0}, False, None, CLASSE, "", id="seuil-exact-60"),
        pytest.param({"a": 5.999}, False, None, SOUS_SEUIL, SOUS_SEUIL_RAISON, id="59.99"),
        pytest.param({"a": 5.5, "b": 6.5}, False, None, CLASSE, "", id="moyenne-60"),
        pytest.param({"a": 5.5, "b": 6.0}, False, None, SOUS_SEUIL, SOUS_SEUIL_RAISON, id="57.5"),
        pytest.param(
            {"a": [4.5, 10, 10, 10, 10, 10]},
            False,
            ("pertinence", 5.0),
            SOUS_SEUIL,
            SOUS_MINIMUM,
            id="sous-minimum",
        ),
        pytest.param(
            {"a": [5, 10, 10, 10, 10, 10]},
            False,
            ("pertinence", 5.0),
            CLASSE,
            "",
            id="minimum-exact",
        ),
        pytest.param(
            {"a": [4, 10, 10, 10, 10, 10], "b": [6, 10, 10, 10, 10, 10]},
            False,
            ("pertinence", 5.0),
            CLASSE,
            "",
            id="minimum-sur-la-moyenne",
        ),
        pytest.param(
            {"a": [10, 10, 10, 10, 10, 5.5]},
            False,
            ("visibilite", 6.0),
            SOUS_SEUIL,
            SOUS_MINIMUM,
            id="minimum-autre-critere",
        ),
        pytest.param(
            {"a": [4, 5, 5, 5, 5, 5]},
            False,
            ("pertinence", 5.0),
            SOUS_SEUIL,
            SOUS_SEUIL_RAISON,
            id="sous-seuil-et-minimum",
        ),
        pytest.param(
            # 10 + 14 + 10,5 + 10,5 + 9 + 6 = 60 : le seuil est atteint, seul le minimum manque.
            {"a": [4, 7, 7, 7, 6, 6]},
            False,
            ("pertinence", 5.0),
            SOUS_SEUIL,
            SOUS_MINIMUM,
            id="seuil-exact-sous-minimum",
        ),
        pytest.param(
            {"a": [4, 10, 10, 10, 10, 10]},
            True,
            ("pertinence", 5.0),
            INADMISSIBLE,
            "hors programme",
            id="inadm-et-minimum",
        ),
    ],
)
def test_statut_et_preseance(appel, notes, inadmissible, minimum, statut, raison):
    if minimum:
        appel = _avec_minimum(appel, *minimum)
    demandes = [_demande(1), _demande(2)]
    tout = {2: {"z": 8.0}}  # une demande classée, pour que la ligne de financement existe
    if notes:
        tout[1] = notes
    inadmissibles = pd.Series({1: "hors programme"}) if inadmissible else None
    table = _classer(appel, demandes, tout, inadmissibles)
    ligne = _ligne(table, 1)
    assert ligne["statut"] == statut
    assert ligne["raison"] == raison
    if statut == CLASSE:
        assert ligne["rang"] in (1, 2)
        assert ligne["financement"] in (FINANCE, ATTENTE)
    else:
        assert pd.isna(ligne["rang"]) and ligne["financement"] == ""
        assert pd.isna(ligne["cumul_an1"]) and pd.isna(ligne["cumul_an2"])


def test_raison_sous_le_seuil_ecrit_le_seuil_a_la_quebecoise(appel):
    """Issue 19 : un seuil de 62,5 se dit « 62,5 » (formats.reglage), pas « 62.5 »."""
    appel = replace(appel, seuil_global=62.5)
    table = _classer(appel, [_demande(1), _demande(2)], {1: {"a": 6.0}, 2: {"z": 8.0}}, None)
    assert _ligne(table, 1)["raison"] == "total sous le seuil de 62,5"


def test_seuil_exact_total(appel):
    table = _classer(appel, [_demande(1)], {1: {"a": 6.0}})
    assert _ligne(table, 1)["total"] == 60.0


def test_ordre_des_statuts(appel):
    """Les classées par rang, puis sous le seuil, non évaluées, inadmissibles (par numéro)."""
    demandes = [_demande(i) for i in range(1, 8)]
    notes = {
        1: {"a": 5.0},  # sous le seuil
        2: {"a": 7.0},  # classée 2
        3: {"a": 9.0},  # inadmissible
        5: {"a": 8.0},  # classée 1
        6: {"a": 4.0},  # sous le seuil
    }
    table = _classer(appel, demandes, notes, pd.Series({3: "r", 7: "r"}))
    assert table["demande_id"].tolist() == [5, 2, 1, 6, 4, 3, 7]
    assert table["statut"].tolist() == [
        CLASSE,
        CLASSE,
        SOUS_SEUIL,
        SOUS_SEUIL,
        NON_EVALUE,
        INADMISSIBLE,
        INADMISSIBLE,
    ]
    assert table["rang"].tolist()[:2] == [1, 2]
    assert table["rang"].isna().tolist() == [False, False, True, True, True, True, True]


def test_classer_sans_inadmissible_n_avertit_pas(appel):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = _classer(appel, [_demande(1)], {1: {"a": 8.0}})
    assert table["raison"].tolist() == [""]


def test_colonnes_ajoutees_par_le_classement(appel):
    """`classer` rend les colonnes des demandes et des résultats, plus celles que son
    docstring annonce (statut, rang, raison, départage, montants recommandés, financement,
    cumuls), les parts du montage financier et l'état du dépôt : aucune autre (ni « index »
    d'une table renumérotée), quel que soit l'index des demandes reçues."""
    demandes = pd.DataFrame([_demande(1), _demande(2)], index=[7, 3])
    r = _resultats(appel, demandes, {1: {"a": 8.0}})
    table = classement.classer(appel, demandes, r, _etats(demandes))
    assert set(table.columns) - set(demandes.columns) - set(r.columns) == {
        "demande_id",
        "statut",
        "rang",
        "raison",
        "departage",
        "recommande_an1",
        "recommande_an2",
        "financement",
        "cumul_an1",
        "cumul_an2",
        "part_financement_propre",
        "part_financement_externe",
        "depot",
        "etat_depot",
        "retard_depot",
    }
    assert table.index.tolist() == [0, 1]


def test_demande_absente_des_resultats_non_evaluee(appel):
    """Une demande que les résultats de la notation ne portent pas (aucune note lue) n'est
    pas évaluée : 0 évaluation, ni rang ni financement, jamais classée sans total."""
    demandes = pd.DataFrame([_demande(1), _demande(2)])
    r = _resultats(appel, demandes, {1: {"a": 8.0}, 2: {"a": 8.0}}).loc[[1]]
    table = classement.classer(appel, demandes, r, _etats(demandes))
    ligne = _ligne(table, 2)
    assert (ligne["statut"], ligne["n_evaluations"], ligne["financement"]) == (NON_EVALUE, 0, "")
    assert pd.isna(ligne["rang"])


def test_classer_sans_demande_classee(appel):
    table = _classer(appel, [_demande(1), _demande(2)], {1: {"a": 3.0}}, pd.Series({9: "x"}))
    assert table["statut"].tolist() == [SOUS_SEUIL, NON_EVALUE]
    assert table["financement"].tolist() == ["", ""]


# --- Départage ----------------------------------------------------------------------------

# Totaux égaux (68,5) : A pertinence 8 et cohérence 5, B pertinence 6 et cohérence 7,5.
HAUT_PERTINENCE = [8, 5, 7, 7, 7, 7]
BAS_PERTINENCE = [6, 7.5, 7, 7, 7, 7]
HAUT_VISIBILITE = [6, 7.5, 7, 7, 5, 10]  # 68,5 aussi, visibilité 10


@pytest.mark.parametrize(
    ("departage", "a", "b", "notes_a", "notes_b", "premiere", "libelle"),
    [
        pytest.param(
            None, {}, {}, HAUT_PERTINENCE, BAS_PERTINENCE, "A", LIBELLE_PERTINENCE, id="critere"
        ),
        pytest.param(
            None,
            {"projet_conjoint": True},
            {},
            7.0,
            7.0,
            "A",
            LIBELLE_CONJOINT,
            id="projet-conjoint",
        ),
        pytest.param(
            None,
            {"contribution_demandeur": 5_000_000},
            {"contribution_demandeur": 2_000_000},
            7.0,
            7.0,
            "A",
            LIBELLE_PART,
            id="part-financement-propre",
        ),
        pytest.param(
            None,
            {"contribution_demandeur": 1_000_000, "cofinancement_externe": 4_000_000},
            {"contribution_demandeur": 4_500_000, "cofinancement_externe": None},
            7.0,
            7.0,
            "A",
            LIBELLE_EXTERNE,
            id="financement-externe-avant-contribution",
        ),
        pytest.param(
            None,
            {"cofinancement_externe": 500_000},
            {"cofinancement_externe": 100_000, "contribution_demandeur": 9_000_000},
            7.0,
            7.0,
            "A",
            LIBELLE_EXTERNE,
            id="financement-externe-seul",
        ),
        pytest.param(
            ("part_financement_propre", "no_demande"),
            {"contribution_demandeur": 1_000_000, "cofinancement_externe": 4_000_000},
            {"contribution_demandeur": 4_500_000, "cofinancement_externe": None},
            7.0,
            7.0,
            "B",
            LIBELLE_PART,
            id="cofinancement-hors-contribution",
        ),
        pytest.param(
            ("financement_externe", "no_demande"),
            {"contribution_demandeur": 9_000_000, "cofinancement_externe": 0},
            {"contribution_demandeur": 0, "cofinancement_externe": 100_000},
            7.0,
            7.0,
            "B",
            LIBELLE_EXTERNE,
            id="contribution-hors-financement-externe",
        ),
        pytest.param(
            ("part_financement_propre", "no_demande"),
            {"contribution_demandeur": 1_000_000},
            {"cout_total": 0},
            7.0,
            7.0,
            "A",
            LIBELLE_PART,
            id="part-inconnue-en-dernier",
        ),
        pytest.param(
            ("financement_externe", "no_demande"),
            {"cofinancement_externe": 0},
            {"cout_total": 0, "cofinancement_externe": 5_000_000},
            7.0,
            7.0,
            "A",
            LIBELLE_EXTERNE,
            id="externe-inconnu-en-dernier",
        ),
        pytest.param(None, {}, {}, 7.0, 7.0, "B", LIBELLE_NUMERO, id="numero"),
        pytest.param(
            ("projet_conjoint",),
            {},
            {},
            7.0,
            7.0,
            "B",
            LIBELLE_NUMERO,
            id="numero-en-dernier-recours-meme-non-nomme",
        ),
        pytest.param(
            ("projet_conjoint", "no_demande"),
            {"projet_conjoint": None},
            {},
            7.0,
            7.0,
            "B",
            LIBELLE_NUMERO,
            id="conjoint-inconnu-n-est-pas-conjoint",
        ),
        pytest.param(
            None,
            {},
            {"projet_conjoint": True},
            HAUT_PERTINENCE,
            BAS_PERTINENCE,
            "A",
            LIBELLE_PERTINENCE,
            id="ordre-critere-avant-conjoint",
        ),
        pytest.param(
            ("projet_conjoint", "critere:pertinence", "no_demande"),
            {},
            {"projet_conjoint": True},
            HAUT_PERTINENCE,
            BAS_PERTINENCE,
            "B",
            LIBELLE_CONJOINT,
            id="ordre-conjoint-avant-critere",
        ),
        pytest.param(
            ("part_financement_propre", "projet_conjoint", "no_demande"),
            {"projet_conjoint": True},
            {"contribution_demandeur": 3_000_000},
            7.0,
            7.0,
            "B",
            LIBELLE_PART,
            id="ordre-part-avant-conjoint",
        ),
        pytest.param(
            ("critere:visibilite", "critere:pertinence", "no_demande"),
            {},
            {},
            HAUT_VISIBILITE,
            HAUT_PERTINENCE,
            "A",
            "note plus haute en « Visibilité et rayonnement »",
            id="autre-critere",
        ),
        pytest.param(
            ("no_demande",),
            {},
            {},
            HAUT_PERTINENCE,
            BAS_PERTINENCE,
            "B",
            LIBELLE_NUMERO,
            id="regle-absente-sans-effet",
        ),
        pytest.param(
            ("no_demande", "projet_conjoint"),
            {"projet_conjoint": True},
            {},
            7.0,
            7.0,
            "B",
            LIBELLE_NUMERO,
            id="numero-avant-conjoint",  # le comité a mis le numéro d'abord : il décide
        ),
    ],
)
def test_chaque_regle_de_departage(appel, departage, a, b, notes_a, notes_b, premiere, libelle):
    """A porte le numéro D-002, B le D-001 : sans autre règle, B passerait devant.

    Le départage est un réglage du comité (l'appel n'en fixe aucun). Le montage financier
    suit l'appel : « Si les projets ont reçu un financement externe, cela représente un
    atout. » (financement_externe, sa part du coût seule) et « une contribution du
    demandeur ou la présence de cofinancement est attendue » (part_financement_propre : la
    contribution du demandeur seule, le cofinancement n'y est plus additionné)."""
    if departage is not None:
        appel = replace(appel, departage=departage)
    demandes = [_demande(2, **a), _demande(1, **b)]
    table = _classer(appel, demandes, {2: {"e": notes_a}, 1: {"e": notes_b}})
    assert table["total"].iloc[0] == pytest.approx(table["total"].iloc[1])
    attendu = [2, 1] if premiere == "A" else [1, 2]
    assert table["demande_id"].tolist() == attendu
    assert table["rang"].tolist() == [1, 2]
    assert table["departage"].tolist() == ["", libelle]


def test_visibilite_totaux_egaux(appel):
    """Contrôle des notes du cas « autre-critere » : totaux égaux, visibilité 9 contre 7."""
    r = _resultats(
        appel,
        pd.DataFrame([_demande(1), _demande(2)]),
        {1: {"e": HAUT_VISIBILITE}, 2: {"e": HAUT_PERTINENCE}},
    )
    assert r.loc[1, "total"] == r.loc[2, "total"] == 68.5
    assert r.loc[1, "note:visibilite"] > r.loc[2, "note:visibilite"]


def test_departage_en_chaine(appel):
    """Trois demandes à 68,5 : A passe par la pertinence, B et C (même pertinence) par le
    projet conjoint ; D, seule à son total, n'a pas de règle."""
    demandes = [
        _demande(4),
        _demande(3, projet_conjoint=False),
        _demande(2, projet_conjoint=True),
        _demande(1),
    ]
    notes = {
        4: {"e": HAUT_PERTINENCE},
        3: {"e": BAS_PERTINENCE},
        2: {"e": BAS_PERTINENCE},
        1: {"e": 9.0},
    }
    table = _classer(appel, demandes, notes)
    assert table["demande_id"].tolist() == [1, 4, 2, 3]
    assert table["departage"].tolist() == ["", "", LIBELLE_PERTINENCE, LIBELLE_CONJOINT]


def test_pas_de_departage_entre_totaux_differents(appel):
    table = _classer(appel, [_demande(1), _demande(2)], {1: {"e": 7.0}, 2: {"e": 7.5}})
    assert table["departage"].tolist() == ["", ""]
    assert table["demande_id"].tolist() == [2, 1]


def test_departage_sur_moyenne_des_notes(appel):
    """La règle « critère » lit la note agrégée : pertinence 10 et 4 (moyenne 7, cohérence
    7,5) contre 9 et 9 (cohérence 5) ; totaux égaux, la seconde passe devant."""
    notes = {
        1: {"a": [10, 7.5, 7, 7, 7, 7], "b": [4, 7.5, 7, 7, 7, 7]},
        2: {"a": [9, 5, 7, 7, 7, 7], "b": [9, 5, 7, 7, 7, 7]},
    }
    table = _classer(appel, [_demande(1), _demande(2)], notes)
    assert table["total"].iloc[0] == pytest.approx(table["total"].iloc[1])
    assert table["demande_id"].tolist() == [2, 1]
    assert table["departage"].tolist() == ["", LIBELLE_PERTINENCE]


def _campagne_melee() -> tuple[list[dict], dict, pd.Series, np.ndarray]:
    demandes = [
        _demande(i, projet_conjoint=(i % 3 == 0), contribution_demandeur=1_000_000 * (i % 4))
        for i in range(1, 11)
    ]
    notes = {i: {"a": float(5 + (i * 7) % 5), "b": float(6 + (i * 3) % 4)} for i in range(1, 10)}
    montants = np.array([[100_000 * i, 50_000 * i] for i in range(1, 11)])
    return demandes, notes, pd.Series({4: "inadmissible"}), montants


@pytest.mark.parametrize("graine", [0, 1, 2, 3, 4])
def test_classement_stable_quel_que_soit_l_ordre_d_entree(appel, graine):
    demandes, notes, inadmissibles, montants = _campagne_melee()
    reference = _classer(appel, demandes, notes, inadmissibles, montants)
    ordre = np.random.default_rng(graine).permutation(len(demandes))
    melangees = [demandes[k] for k in ordre]
    table = _classer(appel, melangees, notes, inadmissibles, montants[ordre])
    colonnes = [
        "demande_id",
        "statut",
        "rang",
        "departage",
        "financement",
        "recommande_an1",
        "recommande_an2",
        "cumul_an1",
        "cumul_an2",
    ]
    pd.testing.assert_frame_equal(table[colonnes], reference[colonnes])


def test_classer_ne_modifie_pas_ses_entrees(appel):
    demandes, notes, inadmissibles, montants = _campagne_melee()
    table = pd.DataFrame(demandes)
    copie = table.copy()
    resultats = _resultats(appel, table, notes)
    avant = resultats.copy()
    classement.classer(appel, table, resultats, _etats(demandes, inadmissibles), montants.copy())
    pd.testing.assert_frame_equal(table, copie)
    pd.testing.assert_frame_equal(resultats, avant)


# --- Inadmissibilité : l'examen d'admissibilité, jamais une majorité d'évaluateurs --------


@pytest.mark.parametrize(
    ("etat", "notes", "statut", "raison"),
    [
        pytest.param(None, {"a": 8.0}, A_ETABLIR, "pas encore examinée", id="non-examinee-notee"),
        pytest.param(None, None, A_ETABLIR, "pas encore examinée", id="non-examinee"),
        pytest.param(
            "dossier-complet à vérifier",
            {"a": 8.0},
            A_ETABLIR,
            "à vérifier : Le dossier était complet lors du dépôt",
            id="une-condition-a-verifier",
        ),
        pytest.param(
            Etat(filtrage.INADMISSIBLE, "autre programme"),
            {"a": 9.0},
            INADMISSIBLE,
            "autre programme",
            id="inadmissible-meme-bien-notee",
        ),
        pytest.param(Etat(filtrage.ADMISSIBLE), {"a": 8.0}, CLASSE, "", id="admissible-classee"),
        pytest.param(Etat(filtrage.ADMISSIBLE), None, NON_EVALUE, "", id="admissible-non-notee"),
    ],
)
def test_statut_vient_de_l_examen(appel, etat, notes, statut, raison):
    """« Pour être admissibles, les projets doivent : […] » : l'analyste examine chaque
    demande selon la liste de l'appel avant la notation ; une demande pas encore examinée
    (ou dont une condition reste à vérifier) n'est ni classée, ni financée."""
    if etat == "dossier-complet à vérifier":
        reponses = {c.id: filtrage.Reponse(filtrage.OUI) for c in appel.conditions}
        reponses["dossier-complet"] = filtrage.Reponse(filtrage.A_VERIFIER)
        etat = Etat(filtrage.verdict(reponses, appel), "", reponses)
    demandes = pd.DataFrame([_demande(1), _demande(2)])
    tout = {2: {"z": 8.0}} | ({1: notes} if notes else {})
    etats = {2: Etat(filtrage.ADMISSIBLE)} | ({1: etat} if etat else {})
    table = classement.classer(appel, demandes, _resultats(appel, demandes, tout), etats)
    ligne = _ligne(table, 1)
    assert ligne["statut"] == statut
    assert ligne["raison"] == raison
    assert (ligne["financement"] != "") == (statut == CLASSE)


def test_les_jugements_des_evaluateurs_ne_rendent_pas_inadmissible(moteur, appel, demandes):
    """Trois évaluateurs sur trois jugent T-001 inadmissible dans leur évaluation (ancienne
    liste) : elle reste classée, l'analyste l'ayant jugée admissible. « L'évaluation de
    l'admissibilité » est celle de l'examen, pas un vote."""
    t1 = demandes["T-001"]
    for e in ("e1@x.ca", "e2@x.ca", "e3@x.ca"):
        _soumettre(appel, moteur, t1, e, 8.0, False, "hors programme")
    table = classement.classement(appel, chargement.charger(appel, moteur=moteur))
    assert _ligne(table, t1)["statut"] == CLASSE


# --- Ligne de financement dans le classement ----------------------------------------------


@pytest.mark.parametrize(
    ("mode", "enveloppe", "financees"),
    [
        # Montants classés (rang 1 à 5) : an1 2,5 M, 1 M, 2 M, 0,5 M, 2,5 M (conjoint, sans
        # bonification fixée : le plafond simple) ; an2 1 M, 0,6 M, 0, 0,5 M, 1 M.
        ("stricte", (100_000_000, 100_000_000), [True] * 5),
        ("stricte", (5_500_000, 10_000_000), [True, True, True, False, False]),
        ("remplissage", (5_500_000, 10_000_000), [True, True, True, False, False]),
        ("stricte", (5_000_000, 10_000_000), [True, True, False, False, False]),
        ("remplissage", (5_000_000, 10_000_000), [True, True, False, True, False]),
        ("stricte", (10_000_000, 1_600_000), [True, True, True, False, False]),
        ("remplissage", (10_000_000, 1_600_000), [True, True, True, False, False]),
        ("remplissage", (10_000_000, 1_500_000), [True, False, True, True, False]),
    ],
)
def test_colonnes_de_financement(appel, mode, enveloppe, financees):
    appel = _avec_enveloppe(appel, enveloppe, mode)
    demandes = [
        _demande(1, montant_demande_an1=3_000_000, montant_demande_an2=1_000_000),
        _demande(2, montant_demande_an1=1_000_000, montant_demande_an2=600_000),
        _demande(3, montant_demande_an1=2_000_000, montant_demande_an2=None),
        _demande(4, montant_demande_an1=500_000, montant_demande_an2=500_000),
        _demande(
            5, projet_conjoint=True, montant_demande_an1=4_000_000, montant_demande_an2=1_000_000
        ),
        _demande(6, montant_demande_an1=2_000_000),  # sous le seuil : ne consomme rien
        _demande(7),  # non évaluée
    ]
    notes = {1: {"e": 9.5}, 2: {"e": 9.0}, 3: {"e": 8.5}, 4: {"e": 8.0}, 5: {"e": 7.5}}
    notes[6] = {"e": 3.0}
    table = _classer(appel, demandes, notes)
    classees = table[table["statut"] == CLASSE]
    assert classees["demande_id"].tolist() == [1, 2, 3, 4, 5]
    an1 = [2_500_000, 1_000_000, 2_000_000, 500_000, 2_500_000]
    an2 = [1_000_000, 600_000, 0, 500_000, 1_000_000]
    assert classees["recommande_an1"].tolist() == an1
    assert classees["recommande_an2"].tolist() == an2
    assert classees["cumul_an1"].tolist() == np.cumsum(an1).tolist()
    assert classees["cumul_an2"].tolist() == np.cumsum(an2).tolist()
    assert (classees["financement"] == FINANCE).tolist() == financees
    autres = table[table["statut"] != CLASSE]
    assert autres["financement"].tolist() == ["", ""]
    assert autres["cumul_an1"].isna().all() and autres["cumul_an2"].isna().all()
    assert _ligne(table, 6)["recommande_an1"] == 2_000_000
    ligne = classement.ligne_du_classement(table, appel)
    assert ligne.statuts.tolist() == classees["financement"].tolist()
    for a, enveloppe_an in enumerate(enveloppe):
        finance = int(np.array(an1 if a == 0 else an2)[financees].sum())
        assert ligne.finances[a] == finance <= enveloppe_an
        assert ligne.restant[a] == enveloppe_an - finance


def test_montants_fournis_remplacent_les_demandes(appel):
    appel = _avec_enveloppe(appel, (1_000_000, 1_000_000))
    montants = np.array([[400_000, 0], [700_000, 100_000]])
    table = _classer(
        appel, [_demande(1), _demande(2)], {1: {"e": 9.0}, 2: {"e": 8.0}}, None, montants
    )
    assert table["recommande_an1"].tolist() == [400_000, 700_000]
    assert table["financement"].tolist() == [FINANCE, ATTENTE]
    assert table["cumul_an1"].tolist() == [400_000, 1_100_000]


# --- Comparaison de pondérations ----------------------------------------------------------


def test_comparer_autres_poids(appel):
    """A excelle en pertinence, B en visibilité ; l'enveloppe ne finance qu'une demande."""
    appel = _avec_enveloppe(appel, (1_000_000, 1_000_000))
    demandes = pd.DataFrame([_demande(1), _demande(2), _demande(3), _demande(4)])
    notes = {
        1: {"e": [10, 6, 6, 6, 6, 6]},  # 25 + 0,6 × 75 = 70 ; poids simulés : 10 + 24 + 30 = 64
        2: {"e": [6, 6, 6, 6, 6, 10]},  # 0,6 × 90 + 10 = 64 ; simulés : 30 + 50 = 80
        3: {"e": 5.0},  # sous le seuil dans les deux
        4: {"e": 6.5},  # 65 dans les deux
    }
    officiel = classement.classer(
        appel, demandes, _resultats(appel, demandes, notes), _etats(demandes)
    )
    poids = {c: 10.0 for c in CRITERES} | {"visibilite": 50.0}
    simule = classement.classer(
        classement.appel_aux_poids(appel, poids),
        demandes,
        _resultats(appel, demandes, notes, poids),
        _etats(demandes),
    )
    assert officiel["demande_id"].tolist()[:3] == [1, 4, 2]
    assert simule["demande_id"].tolist()[:3] == [2, 4, 1]
    assert _ligne(officiel, 1)["total"] == pytest.approx(70.0)
    assert _ligne(simule, 2)["total"] == pytest.approx(80.0)
    t = classement.comparer(officiel, simule)
    assert t["demande_id"].tolist() == [2, 1]  # par rang simulé ; 3 et 4 ne bougent pas
    par_id = t.set_index("demande_id")
    assert par_id.loc[2, "deplacement"] == 2 and par_id.loc[1, "deplacement"] == -2
    assert par_id.loc[2, "franchit"] == "entre dans le financement"
    assert par_id.loc[1, "franchit"] == "sort du financement"
    assert par_id.loc[1, "rang"] == 1 and par_id.loc[1, "rang_simule"] == 3


def test_comparer_n_avertit_pas(appel):
    demandes, notes, inadmissibles, montants = _campagne_melee()
    table = _classer(appel, demandes, notes, inadmissibles, montants)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert classement.comparer(table, table.copy()).empty


def test_comparer_memes_poids_rien_ne_bouge(appel):
    demandes, notes, inadmissibles, montants = _campagne_melee()
    table = _classer(appel, demandes, notes, inadmissibles, montants)
    assert classement.comparer(table, table.copy()).empty


def test_comparer_franchir_sans_changer_de_rang(appel):
    """Le même rang, mais des montants qui font passer la ligne : seul `franchit` change."""
    appel = _avec_enveloppe(appel, (1_000_000, 1_000_000))
    table = pd.DataFrame([_demande(1), _demande(2)])
    r = _resultats(appel, table, {1: {"e": 9.0}, 2: {"e": 8.0}})
    etats = _etats(table)
    avant = classement.classer(appel, table, r, etats, np.array([[600_000, 0], [600_000, 0]]))
    apres = classement.classer(appel, table, r, etats, np.array([[400_000, 0], [600_000, 0]]))
    t = classement.comparer(avant, apres)
    assert t["demande_id"].tolist() == [2]
    assert t["deplacement"].tolist() == [0]
    assert t["franchit"].tolist() == ["entre dans le financement"]


# --- De bout en bout (base) ---------------------------------------------------------------


def test_classement_de_bout_en_bout(moteur, appel, campagne):
    t1, t2, t3 = campagne["T-001"], campagne["T-002"], campagne["T-003"]
    table = classement.classement(appel, chargement.charger(appel, moteur=moteur))
    assert table["demande_id"].tolist() == [t2, t1, t3]
    assert table["statut"].tolist() == [CLASSE, CLASSE, INADMISSIBLE]
    assert table["rang"].tolist()[:2] == [1, 2]
    assert table["total"].tolist()[:2] == pytest.approx([75.0, 75.0])
    assert table["n_evaluations"].tolist() == [2, 2, 3]  # le brouillon de e4 ne compte pas
    assert table["departage"].tolist() == ["", LIBELLE_CONJOINT, ""]
    assert table["raison"].tolist()[2] == (
        "Les objectifs sont concrets par rapport à l'action internationale de la région : "
        "hors programme"
    )
    # T-002, projet conjoint sans bonification fixée : le plafond simple de 25 000 $ ; son
    # budget admissible (30 000 $ chaque année, visas de 300 $ sous le plafond) ne le borne pas.
    assert table["recommande_an1"].tolist() == [2_500_000, 2_000_000, 1_800_050]
    assert table["recommande_an2"].tolist() == [2_500_000, 0, 0]
    assert table["admissible_an1"].tolist() == [3_000_000, 2_000_000, 1_800_050]
    assert table["admissible_an2"].tolist() == [3_000_000, 0, 0]
    assert table["bonification"].tolist() == [0, 0, 0]
    assert table["financement"].tolist() == [FINANCE, FINANCE, ""]
    assert table["decision"].tolist() == ["", "", ""]
    assert table["rang_calibre"].tolist()[:2] == [1, 1]  # mêmes évaluateurs, mêmes écarts


def test_montants_et_decisions_repris(moteur, appel, campagne):
    t1, t2, t3 = campagne["T-001"], campagne["T-002"], campagne["T-003"]
    decisions.modifier_montant(
        appel, t1, 1, 1_500_000, "budget révisé", moteur=moteur, auteur="presidence@x.ca"
    )
    decisions.enregistrer_decision(
        appel,
        t2,
        financement.RETENU,
        (2_500_000, 2_500_000),
        "",
        recommandation=(FINANCE, (2_500_000, 2_500_000)),
        moteur=moteur,
        auteur="presidence@x.ca",
    )
    decisions.enregistrer_decision(
        appel, t3, financement.REFUSE, (), "inadmissible", moteur=moteur, auteur="p@x.ca"
    )
    table = classement.classement(appel, chargement.charger(appel, moteur=moteur))
    assert _ligne(table, t1)["recommande_an1"] == 1_500_000
    assert _ligne(table, t1)["cumul_an1"] == 4_000_000
    assert _ligne(table, t2)["decision"] == financement.RETENU
    assert _ligne(table, t2)["accorde_an1"] == 2_500_000
    assert _ligne(table, t2)["accorde_an2"] == 2_500_000
    assert _ligne(table, t2)["justification"] == ""
    assert _ligne(table, t3)["decision"] == financement.REFUSE
    assert _ligne(table, t3)["accorde_an1"] == 0
    assert _ligne(table, t3)["justification"] == "inadmissible"
    assert _ligne(table, t1)["decision"] == "" and pd.isna(_ligne(table, t1)["accorde_an1"])


def test_poids_adoptes_et_simules(moteur, appel, demandes):
    t1, t2 = demandes["T-001"], demandes["T-002"]
    _soumettre(appel, moteur, t1, "e1@x.ca", [10, 6, 6, 6, 6, 6])  # 70 ; 64 aux poids B
    _soumettre(appel, moteur, t2, "e1@x.ca", [6, 6, 6, 6, 6, 10])  # 64 ; 80 aux poids B
    poids_b = {c: 10.0 for c in CRITERES} | {"visibilite": 50.0}
    donnees = chargement.charger(appel, moteur=moteur)
    officiel = classement.classement(appel, donnees)
    assert officiel["demande_id"].tolist()[:2] == [t1, t2]
    simule = classement.classement(appel, donnees, poids_b)
    assert simule["demande_id"].tolist()[:2] == [t2, t1]
    assert _ligne(simule, t2)["total"] == pytest.approx(80.0)
    assert officiel["rang_appel"].tolist()[:2] == [1, 2]  # rien n'a changé : le même rang
    decisions.adopter_poids(
        appel,
        poids_b,
        moteur=moteur,
        auteur="admin@x.ca",
        raison="Visibilité sous-estimée",
        confirme=True,
    )
    donnees = chargement.charger(appel, moteur=moteur)
    assert donnees.poids == poids_b
    assert donnees.poids_appel == appel.poids
    adopte = classement.classement(appel, donnees)
    assert adopte["demande_id"].tolist()[:2] == [t2, t1]
    assert _ligne(adopte, t1)["total"] == pytest.approx(64.0)
    # Le classement sous les pondérations de l'appel reste à côté.
    assert (_ligne(adopte, t1)["rang"], _ligne(adopte, t1)["rang_appel"]) == (2, 1)
    assert (_ligne(adopte, t2)["rang"], _ligne(adopte, t2)["rang_appel"]) == (1, 2)
    # Une simulation ne le recalcule pas : elle rend son propre rang.
    simule = classement.classement(appel, donnees, appel.poids)
    assert simule["rang_appel"].tolist() == simule["rang"].astype("Int64").tolist()


# --- Propriétés ---------------------------------------------------------------------------

EVALUATEURS = ("a", "b", "c")
NOTES_POSSIBLES = (5.0, 6.0, 7.0, 8.0, 9.0, 10.0)  # peu de valeurs : beaucoup d'égalités


@st.composite
def campagnes(draw):
    """Des demandes, leurs notes (de 5 à 10 : beaucoup de classées, beaucoup d'égalités) et
    leurs inadmissibilités."""
    n = draw(st.integers(1, 9))
    ids = list(range(1, n + 1))
    numeros = draw(st.permutations(ids))
    demandes = []
    for i, no in zip(ids, numeros, strict=True):
        demandes.append(
            _demande(
                i,
                no_demande=f"D-{no:03d}",
                projet_conjoint=draw(st.booleans()),
                cout_total=draw(st.sampled_from([0, 4_000_000, 8_000_000])),
                contribution_demandeur=draw(st.sampled_from([0, 1_000_000, 2_000_000])),
                cofinancement_externe=draw(st.sampled_from([0, 1_000_000, None])),
                montant_demande_an1=draw(st.sampled_from([0, 800_000, 2_000_000, 4_000_000])),
                montant_demande_an2=draw(st.sampled_from([0, 500_000, 3_000_000, None])),
            )
        )
    notes: dict[int, dict[str, list[float]]] = {}
    note = st.sampled_from(NOTES_POSSIBLES)
    for i in ids:
        for e in EVALUATEURS:
            if draw(st.booleans()):
                notes.setdefault(i, {})[e] = draw(st.lists(note, min_size=6, max_size=6))
    inadmissibles = [i for i in ids if draw(st.integers(0, 5)) == 0]
    return demandes, notes, pd.Series({i: "r" for i in inadmissibles}, dtype=object)


# Variantes de l'appel : ordre du départage, agrégation, un minimum de 6 sur un critère.
VARIANTES = st.tuples(
    st.permutations(
        ["critere:pertinence", "projet_conjoint", "financement_externe", "part_financement_propre"]
    ),
    st.sampled_from(notation.AGREGATIONS),
    st.sampled_from([None, *CRITERES]),
)


def _variante(appel, variante):
    departage, agregation, minimum = variante
    a = replace(appel, departage=(*departage, "no_demande"), agregation=agregation)
    return _avec_minimum(a, minimum, 6.0) if minimum else a


PROPRIETES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPRIETES
@given(data=st.data())
def test_propriete_rang_est_une_permutation(appel, data):
    a = _variante(appel, data.draw(VARIANTES))
    demandes, notes, inadmissibles = data.draw(campagnes())
    table = _classer(a, demandes, notes, inadmissibles)
    assert sorted(table["demande_id"]) == [d["id"] for d in demandes]
    classees = table[table["statut"] == CLASSE]
    n = len(classees)
    assert table["statut"].iloc[:n].eq(CLASSE).all()  # les classées d'abord
    assert classees["rang"].tolist() == list(range(1, n + 1))
    assert table["rang"].iloc[n:].isna().all()
    totaux = classees["total"].to_numpy()
    assert (np.diff(totaux) <= 1e-9).all()  # total décroissant
    assert (classees["total"] >= a.seuil_global - 1e-9).all()


@PROPRIETES
@given(data=st.data())
def test_propriete_monter_une_note_ne_fait_pas_reculer(appel, data):
    a = _variante(appel, data.draw(VARIANTES))
    demandes, notes, inadmissibles = data.draw(campagnes())
    avant = _classer(a, demandes, notes, inadmissibles)
    classees = avant[avant["statut"] == CLASSE]
    assume(not classees.empty)
    cible = int(data.draw(st.sampled_from(classees["demande_id"].tolist())))
    evaluateur = data.draw(st.sampled_from(sorted(notes[cible])))
    k = data.draw(st.integers(0, len(CRITERES) - 1))
    assume(notes[cible][evaluateur][k] < 10.0)
    hausse = data.draw(st.sampled_from([0.5, 1.0, 2.0, 5.0]))
    montees = {d: {e: list(v) for e, v in par_e.items()} for d, par_e in notes.items()}
    montees[cible][evaluateur][k] = min(10.0, notes[cible][evaluateur][k] + hausse)
    apres = _classer(a, demandes, montees, inadmissibles)
    ligne = _ligne(apres, cible)
    assert ligne["statut"] == CLASSE
    assert ligne["rang"] <= _ligne(avant, cible)["rang"]
    assert ligne["total"] >= _ligne(avant, cible)["total"] - 1e-9


@PROPRIETES
@given(
    data=st.data(),
    mode=st.sampled_from(["stricte", "remplissage"]),
    enveloppe=st.tuples(st.integers(1, 12_000_000), st.integers(1, 8_000_000)),
)
def test_propriete_financement_dans_l_enveloppe(appel, data, mode, enveloppe):
    a = _avec_enveloppe(_variante(appel, data.draw(VARIANTES)), enveloppe, mode)
    demandes, notes, inadmissibles = data.draw(campagnes())
    table = _classer(a, demandes, notes, inadmissibles)
    classees = table[table["statut"] == CLASSE]
    finance = (classees["financement"] == FINANCE).to_numpy()
    assert set(table.loc[table["statut"] != CLASSE, "financement"]) <= {""}
    montants = classees[["recommande_an1", "recommande_an2"]].to_numpy(dtype=np.int64)
    totaux = montants[finance].sum(axis=0)
    assert (totaux <= np.array(enveloppe)).all()
    ligne = classement.ligne_du_classement(table, a)
    assert ligne.statuts.tolist() == classees["financement"].tolist()
    assert ligne.finances.tolist() == totaux.tolist()
    assert (ligne.restant >= 0).all()
    if mode == "stricte":
        # Les financées forment le haut du classement.
        assert finance.tolist() == sorted(finance.tolist(), reverse=True)
    # Une demande en attente ne tenait pas dans ce qui restait à son tour.
    restant = np.array(enveloppe, dtype=np.int64)
    for m, f in zip(montants, finance, strict=True):
        if f:
            restant -= m
        elif mode == "remplissage":
            assert (m > restant).any()


def test_classement_avant_toute_evaluation(moteur, appel, demandes):
    table = classement.classement(appel, chargement.charger(appel, moteur=moteur))
    assert table["no_demande"].tolist() == ["T-001", "T-002", "T-003"]
    assert table["statut"].tolist() == [NON_EVALUE] * 3
    assert table["rang"].isna().all()
    assert table["financement"].tolist() == ["", "", ""]


# --- Montage financier et dépôt, en colonnes du classement (issue 15) ------------------------


@pytest.mark.parametrize(
    ("champs", "propre", "externe"),
    [
        pytest.param({}, 0.2, 0.0, id="contribution-seule"),
        pytest.param(
            {"contribution_demandeur": 1_000_000, "cofinancement_externe": 4_000_000},
            0.1,
            0.4,
            id="deux-sources-separees",
        ),
        pytest.param(
            {"contribution_demandeur": None, "cofinancement_externe": 2_500_000},
            0.0,
            0.25,
            id="externe-seul",
        ),
        pytest.param({"cout_total": 0}, None, None, id="sans-cout"),
        pytest.param(
            {"cout_total": 1, "contribution_demandeur": 1, "cofinancement_externe": 0},
            1.0,
            0.0,
            id="cout-d-un-cent",
        ),
        pytest.param({"cout_total": None}, None, None, id="cout-inconnu"),
    ],
)
def test_parts_du_montage_financier(appel, champs, propre, externe):
    """« Dans le montage financier, une contribution du demandeur ou la présence de
    cofinancement est attendue. » et « Si les projets ont reçu un financement externe, cela
    représente un atout. » : deux parts du coût total, jamais additionnées."""
    table = _classer(appel, [_demande(1, **champs)], {1: {"e": 7.0}})
    for colonne, attendu in (
        ("part_financement_propre", propre),
        ("part_financement_externe", externe),
    ):
        valeur = table[colonne].iloc[0]
        if attendu is None:
            assert pd.isna(valeur), colonne
        else:
            assert valeur == pytest.approx(attendu), colonne


def test_depot_en_colonnes_du_classement(appel):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : le classement porte
    l'état du dépôt et les jours de retard de chaque demande, classée ou non."""
    import datetime as dt

    demandes = [
        _demande(1, date_depot=dt.date(2024, 3, 1), date_depot_presumee=False),
        _demande(2, date_depot=dt.date(2024, 3, 8), date_depot_presumee=False),
        _demande(3, date_depot=dt.date(2024, 3, 8), date_depot_presumee=True),
        _demande(4, date_depot=None, date_depot_presumee=None),
    ]
    table = _classer(appel, demandes, {1: {"e": 7.0}, 2: {"e": 8.0}, 3: {"e": 2.0}})
    par_id = table.set_index("demande_id")
    assert par_id["etat_depot"].to_dict() == {
        1: "à temps",
        2: "en retard",
        3: "à vérifier",
        4: "inconnu",
    }
    retards = [None if pd.isna(v) else int(v) for v in par_id.loc[[1, 2, 3, 4], "retard_depot"]]
    assert retards == [None, 7, None, None]
    assert par_id.loc[2, "depot"] == "7 jours de retard"


# --- ce que le verrouillage des décisions figerait ----------------------------------------


def _table_decisions(*lignes) -> pd.DataFrame:
    """(id, rang, statut, décision, recommandé an 1, an 2, accordé an 1, an 2) en cents."""
    colonnes = [
        "demande_id",
        "rang",
        "statut",
        "decision",
        "recommande_an1",
        "recommande_an2",
        "accorde_an1",
        "accorde_an2",
    ]
    table = pd.DataFrame(lignes, columns=colonnes)
    table["no_demande"] = [f"T-{d:03d}" for d in table["demande_id"]]
    table["rang"] = table["rang"].astype("Int64")
    for c in ("accorde_an1", "accorde_an2"):
        table[c] = table[c].astype("Int64")
    return table


@pytest.mark.parametrize(
    ("lignes", "annees", "attendues"),
    [
        pytest.param(
            [
                (1, 1, CLASSE, financement.RETENU, 100, 50, 100, 50),
                (2, 2, CLASSE, "", 100, 50, pd.NA, pd.NA),
                (3, None, classement.SOUS_SEUIL, "", 0, 0, pd.NA, pd.NA),  # hors classement
            ],
            2,
            [(2, classement.SANS_DECISION, 150, pd.NA)],
            id="classee-sans-decision",
        ),
        pytest.param(
            [
                (1, 1, CLASSE, financement.RETENU, 100, 50, 100, 40),  # an 2 seulement
                (2, 2, CLASSE, financement.RETENU, 100, 50, 90, 60),  # même total, autre partage
                (3, 3, CLASSE, financement.REFUSE, 100, 50, 0, 0),  # refus : pas un montant
                (4, 4, CLASSE, financement.LISTE_ATTENTE, 100, 50, 0, 0),
            ],
            2,
            [
                (1, classement.MONTANT_DIFFERENT, 150, 140),
                (2, classement.MONTANT_DIFFERENT, 150, 150),
            ],
            id="montant-retenu-different",
        ),
        pytest.param(
            # Un montant absent (accordé ou recommandé) vaut 0 $ : pas d'écart avec 0 $.
            [
                (1, 1, CLASSE, financement.RETENU, 100, 0, 100, pd.NA),
                (2, 2, CLASSE, financement.RETENU, 100, pd.NA, 100, 0),
                (3, 3, CLASSE, "", 100, pd.NA, pd.NA, pd.NA),
            ],
            2,
            [(3, classement.SANS_DECISION, 100, pd.NA)],
            id="montant-absent-vaut-zero",
        ),
        pytest.param(
            # Sur un an, l'an 2 ne compte pas.
            [(1, 1, CLASSE, financement.RETENU, 100, 50, 100, 0)],
            1,
            [],
            id="une-annee",
        ),
        pytest.param(
            # Ordre du classement, pas des identifiants ; une décision prise hors classement
            # dont le montant diffère est à revoir aussi.
            [
                (7, 2, CLASSE, "", 10, 0, pd.NA, pd.NA),
                (8, 1, CLASSE, "", 20, 0, pd.NA, pd.NA),
                (9, None, classement.SOUS_SEUIL, financement.RETENU, 0, 0, 500, 0),
            ],
            2,
            [
                (8, classement.SANS_DECISION, 20, pd.NA),
                (7, classement.SANS_DECISION, 10, pd.NA),
                (9, classement.MONTANT_DIFFERENT, 0, 500),
            ],
            id="ordre",
        ),
    ],
)
def test_decisions_inachevees(lignes, annees, attendues):
    table = classement.decisions_inachevees(_table_decisions(*lignes), annees)
    assert list(table.columns) == [
        "demande_id",
        "rang",
        "no_demande",
        "quoi",
        "recommande",
        "accorde",
    ]
    obtenues = [
        (d, q, r, a)
        for d, q, r, a in zip(
            table["demande_id"], table["quoi"], table["recommande"], table["accorde"], strict=True
        )
    ]
    assert len(obtenues) == len(attendues)
    for (d, q, r, a), (d2, q2, r2, a2) in zip(obtenues, attendues, strict=True):
        assert (d, q, r) == (d2, q2, r2)
        assert (pd.isna(a) and pd.isna(a2)) or a == a2
    assert list(table["no_demande"]) == [f"T-{x[0]:03d}" for x in attendues]


def test_decisions_inachevees_table_vide():
    assert classement.decisions_inachevees(_table_decisions(), 2).empty


def test_rang_calibre_du_plus_haut_parmi_les_seules_classees():
    """Le rang calibré suit le total calibré du plus haut au plus bas (totaux calculés à la
    main dans tests/decision/test_notation.py, `test_calibration_calculee_a_la_main`) ; une
    demande inadmissible ou sous le seuil, même au total calibré le plus haut, n'en prend
    aucun et ne décale personne."""
    totaux = pd.Series([238 / 3, 223 / 3, 208 / 3, 69.8, 95.0, 99.0])
    statuts = pd.Series([CLASSE, CLASSE, CLASSE, CLASSE, INADMISSIBLE, classement.SOUS_SEUIL])
    rangs = classement.rangs_calibres(totaux, statuts)
    assert rangs.tolist()[:4] == [1, 2, 4, 3]
    assert rangs.isna().tolist() == [False] * 4 + [True] * 2


# --- Le classement pour un fichier ou un terminal -----------------------------------------

NBSP = "\u00a0"


def _table_pour_fichier() -> pd.DataFrame:
    """Deux lignes de classement telles que `classement` les rend : une classée financée,
    retenue à un autre montant que le recommandé ; une sous le seuil, sans rien."""
    na = pd.NA
    return pd.DataFrame(
        {
            "demande_id": [1, 2],
            "rang": pd.array([1, na], dtype="Int64"),
            "no_demande": ["D-001", "D-002"],
            "total": [75.5, 50.0],
            "total_evaluateurs": [74.25, 50.0],
            "total_consensus": [75.5, np.nan],
            "note_classee": ["consensus", "sans consensus"],
            "n_evaluations": [3, 1],
            "ecart_type_total": [1.5, np.nan],
            "statut": [CLASSE, SOUS_SEUIL],
            "financement": [FINANCE, ""],
            "montant_demande_an1": pd.array([2_500_050, na], dtype="Int64"),
            "montant_demande_an2": pd.array([na, na], dtype="Int64"),
            "non_admissible_an1": pd.array([10_000, 0], dtype="Int64"),
            "a_confirmer_an1": pd.array([na, na], dtype="Int64"),
            "exces_plafond_an1": pd.array([5_000, na], dtype="Int64"),
            "non_admissible_an2": pd.array([na, na], dtype="Int64"),
            "a_confirmer_an2": pd.array([na, na], dtype="Int64"),
            "exces_plafond_an2": pd.array([na, na], dtype="Int64"),
            "admissible_an1": pd.array([2_000_000, na], dtype="Int64"),
            "admissible_an2": pd.array([na, na], dtype="Int64"),
            "recommande_an1": [2_000_000, 0],
            "recommande_an2": [0, 0],
            "cumul_an1": pd.array([2_000_000, na], dtype="Int64"),
            "cumul_an2": pd.array([0, na], dtype="Int64"),
            "decision": [financement.RETENU, ""],
            "accorde_an1": pd.array([1_500_000, na], dtype="Int64"),
            "accorde_an2": pd.array([0, na], dtype="Int64"),
            "decision_ministere": [financement.RETENU, ""],
            "ministere_an1": pd.array([1_500_000, na], dtype="Int64"),
            "ministere_an2": pd.array([na, na], dtype="Int64"),
            "dimension:zone": [("nord",), ()],
        }
    )


def test_pour_fichier_notes_et_montants_en_texte(appel):
    """Une cellule par valeur, en texte : notes à deux décimales, montants en dollars au
    point décimal (« 25000.50 »), vide pour « sans objet » ; le statut d'une classée dit
    « financé » ou « liste d'attente » ; le retiré additionne dépenses non admissibles,
    catégories à confirmer et excédent du plafond des visas (100 $ + 50 $ = 150 $), « 0.00 »
    s'il vaut zéro, vide si rien n'est connu ; une dimension déclarée donne ses libellés."""
    zone = Dimension("zone", "Région", False, False, (ValeurDimension("nord", "Nord"),))
    sortie = classement.pour_fichier(_table_pour_fichier(), replace(appel, dimensions=(zone,)))
    assert list(sortie.columns) == [*classement.COLONNES_FICHIER, "dimension:zone"]
    premiere, seconde = sortie.to_dict("records")
    assert premiere == {
        "rang": "1",
        "no_demande": "D-001",
        "note": "75.50",
        "note_evaluateurs": "74.25",
        "note_consensus": "75.50",
        "n_evaluations": "3",
        "ecart_type": "1.50",
        "statut": FINANCE,
        "montant_demande_an1": "25000.50",
        "montant_demande_an2": "",
        "non_admissible_an1": "150.00",
        "non_admissible_an2": "",
        "budget_admissible_an1": "20000.00",
        "budget_admissible_an2": "",
        "montant_recommande_an1": "20000.00",
        "montant_recommande_an2": "0.00",
        "cumul_an1": "20000.00",
        "cumul_an2": "0.00",
        "decision": financement.RETENU,
        "montant_accorde_an1": "15000.00",
        "montant_accorde_an2": "0.00",
        "ecart_recommandation": premiere["ecart_recommandation"],
        "decision_ministere": financement.RETENU,
        "montant_ministere_an1": "15000.00",
        "montant_ministere_an2": "",
        "dimension:zone": "Nord",
    }
    assert premiere["ecart_recommandation"] != ""  # retenue à 15 000 $ au lieu de 20 000 $
    assert seconde == {
        "rang": "",
        "no_demande": "D-002",
        "note": "50.00",
        "note_evaluateurs": "50.00",
        "note_consensus": "sans consensus",
        "n_evaluations": "1",
        "ecart_type": "",
        "statut": SOUS_SEUIL,
        "montant_demande_an1": "",
        "montant_demande_an2": "",
        "non_admissible_an1": "0.00",
        "non_admissible_an2": "",
        "budget_admissible_an1": "",
        "budget_admissible_an2": "",
        "montant_recommande_an1": "0.00",
        "montant_recommande_an2": "0.00",
        "cumul_an1": "",
        "cumul_an2": "",
        "decision": "",
        "montant_accorde_an1": "",
        "montant_accorde_an2": "",
        "ecart_recommandation": "",
        "decision_ministere": "",
        "montant_ministere_an1": "",
        "montant_ministere_an2": "",
        "dimension:zone": "",
    }


def test_pour_fichier_csv_excel_francais_et_terminal():
    """« Excel (français) » : virgule décimale, sans espace de milliers ; au terminal, comme
    sur les pages (« 25 000,50 $ », « 75,50 »). Une table sans note des évaluateurs, sans
    consensus, sans cumul ni identifiant (un classement d'avant l'issue 16) : la note des
    évaluateurs est le total, les autres cellules restent vides."""
    table = _table_pour_fichier().drop(
        columns=[
            "total_evaluateurs",
            "total_consensus",
            "note_classee",
            "cumul_an1",
            "demande_id",
            "a_confirmer_an1",
            "decision_ministere",
            "ministere_an1",
            "ministere_an2",
        ]
    )
    csv = classement.pour_fichier(table, decimale=",").iloc[0]
    assert (csv["note"], csv["note_evaluateurs"], csv["montant_demande_an1"]) == (
        "75,50",
        "75,50",
        "25000,50",
    )
    assert (csv["note_consensus"], csv["cumul_an1"], csv["cumul_an2"]) == ("", "", "0,00")
    assert csv["ecart_recommandation"] == ""
    assert csv["non_admissible_an1"] == "150,00"  # catégories à confirmer inconnues : 0 $
    assert (csv["decision_ministere"], csv["montant_ministere_an1"]) == ("", "")
    ecran = classement.pour_fichier(table, decimale=".", ecran=True).iloc[0]
    assert (ecran["note"], ecran["ecart_type"]) == ("75,50", "1,50")
    assert ecran["montant_demande_an1"] == f"25{NBSP}000,50{NBSP}$"
    assert ecran["non_admissible_an1"] == f"150{NBSP}$"
    assert "dimension:zone" not in ecran  # sans appel : aucune dimension


# --- Règles de départage, historique des pondérations, ministère, poids de l'appel --------


def test_regles_de_departage_finissent_par_le_numero(appel):
    """Réglage du comité : le départage de l'appel, le numéro de demande en dernier recours
    (une seule fois, même si l'appel le nomme ailleurs)."""
    assert classement.regles_departage(appel) == list(appel.departage)
    sans = replace(appel, departage=("projet_conjoint",))
    assert classement.regles_departage(sans) == ["projet_conjoint", "no_demande"]
    ailleurs = replace(appel, departage=("no_demande", "projet_conjoint"))
    assert classement.regles_departage(ailleurs) == ["no_demande", "projet_conjoint"]
    assert classement.libelle_regle("critere:coherence", appel) == (
        "note plus haute en « Cohérence avec les priorités du ministère »"
    )
    assert classement.libelle_regle("critere:disparu", appel) == "note plus haute en « disparu »"


def test_historique_des_ponderations():
    """D'abord les poids de l'appel (ceux que remplace le premier changement), puis chaque
    changement : qui (son nom s'il est connu), quand, pourquoi, et s'il suivait la première
    évaluation soumise. Un critère absent d'un changement garde le poids de l'appel."""
    from evaluation.appels.configuration import charger_appel

    appel = charger_appel()
    avant = {c.id: c.poids for c in appel.criteres} | {"pertinence": 30.0, "coherence": 15.0}
    premier = {
        "date": "2024-05-01",
        "auteur": "pres@x.ca",
        "poids": {c.id: 10.0 for c in appel.criteres} | {"visibilite": 50.0},
        "poids_avant": avant,
        "raison": "Visibilité sous-estimée",
        "apres_notation": 1,
    }
    second = {"date": "2024-05-02", "auteur": "autre@x.ca", "poids": {"pertinence": 12.5}}
    lignes = classement.historique_poids(appel, [premier, second], {"pres@x.ca": "Marie Roy"})
    assert lignes == [
        {
            "date": None,
            "auteur": "",
            "poids": "Pertinence 30, Cohérence 15, Qualité 15, Caractère 15, Capacité 15, "
            "Visibilité 10",
            "raison": "pondérations de l'appel",
            "apres_notation": False,
        },
        {
            "date": "2024-05-01",
            "auteur": "Marie Roy",
            "poids": "Pertinence 10, Cohérence 10, Qualité 10, Caractère 10, Capacité 10, "
            "Visibilité 50",
            "raison": "Visibilité sous-estimée",
            "apres_notation": True,
        },
        {
            "date": "2024-05-02",
            "auteur": "autre@x.ca",
            "poids": "Pertinence 12,5, Cohérence 20, Qualité 15, Caractère 15, Capacité 15, "
            "Visibilité 10",
            "raison": "",
            "apres_notation": False,
        },
    ]
    (seule,) = classement.historique_poids(appel, [])
    assert seule["poids"].startswith("Pertinence 25, Cohérence 20")


def test_poids_de_l_appel_ceux_d_avant_la_notation():
    """Les poids fixés avant la notation : ceux que remplace le premier changement fait
    après la première évaluation soumise ; aucun (None) si rien n'a changé après, ou si ce
    changement remettait les mêmes poids."""
    en_vigueur = {"pertinence": 10.0, "visibilite": 50.0}
    avant_notation = {"apres_notation": False, "poids_avant": {"pertinence": 40.0}}
    apres = {"apres_notation": True, "poids_avant": {"pertinence": 25, "ancien": 5}}
    assert classement.poids_de_l_appel(en_vigueur, []) is None
    assert classement.poids_de_l_appel(en_vigueur, [avant_notation]) is None
    assert classement.poids_de_l_appel(en_vigueur, [{"apres_notation": True}]) is None
    assert classement.poids_de_l_appel(en_vigueur, [avant_notation, apres]) == {
        "pertinence": 25.0,
        "visibilite": 50.0,
    }
    meme = {"apres_notation": True, "poids_avant": {"pertinence": 10.0}}
    assert classement.poids_de_l_appel(en_vigueur, [meme]) is None


def test_colonnes_du_ministere():
    """Issue 17 : à côté de la recommandation du comité, la décision du ministère et ce qui
    vaut. L'appel : le ministère « conserve cependant la responsabilité de la sélection
    définitive des projets et de la détermination des sommes » : sa décision l'emporte.
    Demande 1 : retenue par le comité, le ministère baisse l'an 1 ; 2 : recommandation seule ;
    3 : rien."""
    table = pd.DataFrame({"demande_id": [1, 2, 3]})
    comite = [
        {"id": 11, "demande_id": 1, "decision": financement.RETENU, "montant_an1": 2_000_000,
         "montant_an2": 500_000, "justification": "solide", "date": "2024-05-01"},
        {"id": 12, "demande_id": 2, "decision": financement.RETENU, "montant_an1": 1_000_000,
         "montant_an2": 0, "justification": None, "date": "2024-05-01"},
    ]  # fmt: skip
    ministere_ = [
        {"demande_id": 1, "decision": financement.RETENU, "montant_an1": 1_500_000,
         "montant_an2": 500_000, "raison": "crédits", "autorite": "La ministre",
         "date": "2024-06-01", "decision_comite_id": 11},
    ]  # fmt: skip
    classement.colonnes_ministere(table, comite, ministere_)
    assert table["decision_ministere"].tolist() == [financement.RETENU, "", ""]
    assert table["ministere_an1"].tolist() == [1_500_000, pd.NA, pd.NA]
    assert table["ministere_an2"].tolist() == [500_000, pd.NA, pd.NA]
    assert table["raison_ministere"].tolist() == ["crédits", "", ""]
    assert table["autorite_ministere"].tolist() == ["La ministre", "", ""]
    assert table["date_ministere"].iloc[0] == "2024-06-01"
    assert table["date_ministere"].iloc[1:].isna().all()
    assert table["etat_ministere"].tolist() == ["modifiée", "à décider", ""]
    assert table["decision_finale"].tolist() == [financement.RETENU, financement.RETENU, ""]
    assert table["finale_an1"].tolist() == [1_500_000, 1_000_000, pd.NA]
    assert table["finale_an2"].tolist() == [500_000, 0, pd.NA]
    assert table["source_finale"].tolist() == ["ministere", "comite", ""]


def _donnees(appel, demandes: list[dict], **champs) -> classement.Donnees:
    """Des Donnees sans notes ni décisions ; `champs` remplace ou ajoute."""
    vides = {
        "demandes": pd.DataFrame(demandes),
        "notes": pd.DataFrame(),
        "evaluations": pd.DataFrame(),
        "modifications": [],
        "decisions": [],
        "attendues": {},
        "poids": appel.poids,
        "ponderation": None,
        "reglages": None,
    }
    return classement.Donnees(**(vides | champs))


def test_colonnes_montants_sans_budgets(appel):
    """Budgets inconnus : les colonnes du budget admissible sont vides (pas zéro), pour
    chaque année, et aucun budget admissible ne borne le montant recommandé."""
    donnees = _donnees(appel, [_demande(1), _demande(2)])
    colonnes, admissibles = classement.colonnes_montants(appel, donnees)
    assert admissibles is None
    assert colonnes.index.tolist() == [1, 2]
    for a in (1, 2):
        for cle in ("budget", "non_admissible", "a_confirmer", "exces_plafond", "admissible"):
            assert colonnes[f"{cle}_an{a}"].isna().all()


def test_cube_des_notes_repris_seulement_s_il_porte_les_criteres_de_l_appel(appel):
    """Le cube des notes fait au chargement est repris tel quel quand il porte les critères
    de l'appel, dans leur ordre ; fait pour d'autres critères (ou un autre ordre), il est
    refait depuis les notes : le classement est le même qu'avec un cube neuf."""
    demandes = pd.DataFrame([_demande(1), _demande(2)])
    notes = _longues({1: {"a": HAUT_PERTINENCE}, 2: {"a": [9, 9, 9, 9, 9, 5]}})
    base = {
        "demandes": demandes,
        "notes": notes,
        "evaluations": pd.DataFrame(),
        "modifications": [],
        "decisions": [],
        "attendues": {1: 1, 2: 1},
        "poids": appel.poids,
        "ponderation": None,
        "reglages": None,
        "admissibilite": _etats(demandes),
    }
    colonnes = ["demande_id", "total", "rang"]
    neuf = classement.classement(appel, classement.Donnees(**base))[colonnes]
    assert neuf["demande_id"].tolist() == [2, 1]
    assert neuf["total"].tolist() == pytest.approx([86.0, 68.5])  # 0,9 × 90 + 5 ; 68,5
    criteres = list(appel.poids)
    for ordre in (criteres, criteres[::-1]):
        cube = notation.cube(notes, demandes["id"], ordre)
        avec = classement.classement(appel, classement.Donnees(**base, cube=cube))[colonnes]
        pd.testing.assert_frame_equal(avec, neuf)


# --- Le bruit des flottants (survivants de la campagne de mutation, issue 21) ---------------


def _classer_totaux(appel, totaux: dict[int, float], minimum=None, notes_pertinence=None):
    """Classe des demandes dont le total (et la note de pertinence) sont posés à la main,
    à la décimale près que ne donnerait aucune moyenne de notes."""
    if minimum is not None:
        appel = _avec_minimum(appel, "pertinence", minimum)
    demandes = pd.DataFrame([_demande(i) for i in totaux])
    resultats = _resultats(appel, demandes, {i: {"e": 8.0} for i in totaux})
    for i, total in totaux.items():
        resultats.loc[i, "total"] = total
    for i, note in (notes_pertinence or {}).items():
        resultats.loc[i, "note:pertinence"] = note
    return classement.classer(appel, demandes, resultats, _etats(demandes))


@pytest.mark.parametrize(
    ("ecart", "statut"),
    [
        (0.0, CLASSE),
        (1e-12, CLASSE),  # le bruit d'une moyenne : au seuil
        (classement.BRUIT, CLASSE),  # au bord du bruit, encore au seuil
        (1.5e-9, SOUS_SEUIL),  # au-delà : sous le seuil, et dit
        (0.1, SOUS_SEUIL),
    ],
)
def test_total_sous_le_seuil_au_dela_du_bruit(appel, ecart, statut):
    """« Sous le seuil » veut dire plus d'un milliardième sous le seuil du comité : le
    bruit d'une moyenne de notes (59,99999999999999 pour 60) ne fait pas tomber une
    demande, un écart réel si."""
    seuil = appel.seuil_global
    table = _classer_totaux(appel, {1: seuil - ecart, 2: 90.0})
    assert _ligne(table, 1)["statut"] == statut
    if statut == SOUS_SEUIL:
        assert _ligne(table, 1)["raison"] == f"total sous le seuil de {seuil:g}".replace(".", ",")


@pytest.mark.parametrize(
    ("ecart", "statut", "raison"),
    [
        (1e-12, CLASSE, ""),
        (classement.BRUIT, CLASSE, ""),
        (1.5e-9, SOUS_SEUIL, SOUS_MINIMUM),
    ],
)
def test_note_sous_le_minimum_au_dela_du_bruit(appel, ecart, statut, raison):
    """De même pour le minimum d'un critère : la raison dite est le minimum, pas le total
    (au-dessus du seuil)."""
    table = _classer_totaux(appel, {1: 80.0}, minimum=5.0, notes_pertinence={1: 5.0 - ecart})
    assert (_ligne(table, 1)["statut"], _ligne(table, 1)["raison"]) == (statut, raison)


def test_totaux_egaux_a_neuf_decimales_sont_a_egalite(appel):
    """Deux totaux qui ne diffèrent qu'à la dixième décimale sont à égalité : le départage
    décide (ici le numéro, D-001 avant D-002), pas le bruit ; à la neuvième, ils diffèrent."""
    egaux = _classer_totaux(appel, {2: 80.0 + 3e-10, 1: 80.0})
    assert egaux["demande_id"].tolist() == [1, 2]
    assert egaux["departage"].tolist() == ["", LIBELLE_NUMERO]
    differents = _classer_totaux(appel, {1: 80.0, 2: 80.0 + 3e-9})
    assert differents["demande_id"].tolist() == [2, 1]
    assert differents["departage"].tolist() == ["", ""]


def test_evaluations_attendues_d_une_demande_sans_assignation(appel):
    """« n / attendues » (Séance, Classement) : une demande assignée à trois évaluateurs en
    attend trois ; une demande qu'on n'a assignée à personne n'en attend aucune (0, pas une)."""
    demandes = [_demande(1), _demande(2)]
    donnees = _donnees(
        appel,
        demandes,
        notes=_longues({1: {"a": 8.0}}),
        attendues={1: 3},
        admissibilite=_etats(demandes),
    )
    table = classement.classement(appel, donnees).set_index("demande_id")
    assert table.loc[[1, 2], ["n_evaluations", "attendues"]].to_numpy().tolist() == [
        [1, 3],
        [0, 0],
    ]


def test_colonnes_montants_excedent_du_plafond_des_visas(appel):
    """« frais d'assurance voyage et de dédouanement (jusqu'à concurrence de 500 $) » :
    600 $ de visas en année 1 font 100 $ d'excédent, retirés du budget admissible
    (10 000 $ de logistique + 500 $) ; aucun en année 2."""
    sommes = pd.DataFrame(
        [
            {"demande_id": 1, "annee": 1, "total": 1_060_000, financement.ADMISSIBLE: 1_000_000,
             financement.PLAFONNEE: 60_000, financement.NON_ADMISSIBLE: 0, "a_confirmer": 0},
            {"demande_id": 1, "annee": 2, "total": 200_000, financement.ADMISSIBLE: 200_000,
             financement.PLAFONNEE: 0, financement.NON_ADMISSIBLE: 0, "a_confirmer": 0},
        ]
    )  # fmt: skip
    donnees = _donnees(appel, [_demande(1)], sommes_budget=sommes)
    colonnes, admissibles = classement.colonnes_montants(appel, donnees)
    assert colonnes.loc[1, ["exces_plafond_an1", "exces_plafond_an2"]].tolist() == [10_000, 0]
    assert admissibles.tolist() == [[1_050_000, 200_000]]
