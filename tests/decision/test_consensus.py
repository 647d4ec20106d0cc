"""La note de consensus et la note qui classe (decision/consensus.py, issue 16, point 4).

Réglage du comité ([classement] note_retenue), non du texte de l'appel, qui ne parle ni de
séance ni de consensus : usage des comités de pairs (NIH, Commission européenne), notation
individuelle puis consensus en séance. « moyenne » : la note des évaluateurs classe, le
consensus est montré à côté ; « consensus » : le consensus classe la demande qui en a un
sur chaque critère, les autres gardent la note des évaluateurs (« sans consensus »)."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from evaluation.decision import consensus, notation
from evaluation.decision.consensus import (
    CONSENSUS,
    MOYENNE,
    PAR_CONSENSUS,
    PAR_EVALUATEURS,
    SANS_CONSENSUS,
    ErreurConsensus,
)

CRITERES = ("a", "b")
REGLAGES = notation.Reglages(poids=(60.0, 40.0), echelle_min=0.0, echelle_max=10.0)


def _resultats(notes: dict[int, tuple[float, float]]) -> pd.DataFrame:
    """Des résultats de notation réduits à ce que la règle lit : note:<id> et total."""
    ids = list(notes)
    valeurs = np.array([notes[d] for d in ids], dtype=float)
    table = {f"note:{c}": valeurs[:, j] for j, c in enumerate(CRITERES)}
    table["total"] = notation.totaux(valeurs, np.array(REGLAGES.poids), REGLAGES.echelle_max)
    return pd.DataFrame(table, index=pd.Index(ids, name="demande_id"))


def _consensus(lignes: list[tuple[int, str, float]]) -> pd.DataFrame:
    return consensus.en_table(
        [
            {
                "id": i,
                "demande_id": d,
                "critere": c,
                "note": n,
                "justification": "accord",
                "date": None,
                "auteur": "p@x.ca",
            }
            for i, (d, c, n) in enumerate(lignes, 1)
        ]
    )


EVALUATEURS = {1: (8.0, 6.0), 2: (5.0, 5.0), 3: (7.0, 7.0)}  # totaux 72, 50, 70
COMPLET_1 = [(1, "a", 4.0), (1, "b", 4.0)]  # consensus complet : 40
PARTIEL_2 = [(2, "a", 9.0)]  # un seul critère : pas de consensus complet
INCONNUS = [(3, "zzz", 1.0), (99, "a", 1.0)]  # critère ou demande inconnus : ignorés

# (règle, notes de consensus, attendu par demande : (note a, total, note_classee)).
CAS = [
    (
        MOYENNE,
        [],
        {1: (8.0, 72.0, PAR_EVALUATEURS), 2: (5.0, 50.0, PAR_EVALUATEURS)},
    ),
    (
        MOYENNE,
        COMPLET_1 + PARTIEL_2,
        {1: (8.0, 72.0, PAR_EVALUATEURS), 2: (5.0, 50.0, PAR_EVALUATEURS)},
    ),
    (
        CONSENSUS,
        [],
        {1: (8.0, 72.0, SANS_CONSENSUS), 2: (5.0, 50.0, SANS_CONSENSUS)},
    ),
    (
        CONSENSUS,
        COMPLET_1 + PARTIEL_2,
        {1: (4.0, 40.0, PAR_CONSENSUS), 2: (5.0, 50.0, SANS_CONSENSUS)},
    ),
    (
        CONSENSUS,
        COMPLET_1 + INCONNUS,
        {1: (4.0, 40.0, PAR_CONSENSUS), 3: (7.0, 70.0, SANS_CONSENSUS)},
    ),
]


@pytest.mark.parametrize(("regle", "lignes", "attendu"), CAS)
def test_note_qui_classe(regle, lignes, attendu):
    """Le consensus ne classe qu'avec « consensus » et sur une demande au consensus complet ;
    un consensus partiel, un critère ou une demande inconnus ne changent rien."""
    sortie = consensus.appliquer(
        _resultats(EVALUATEURS), _consensus(lignes), CRITERES, REGLAGES, regle
    )
    for d, (note_a, total, classee) in attendu.items():
        ligne = sortie.loc[d]
        assert ligne["note:a"] == pytest.approx(note_a)
        assert ligne["total"] == pytest.approx(total)
        assert ligne["note_classee"] == classee


@pytest.mark.parametrize("regle", [MOYENNE, CONSENSUS])
def test_les_deux_notes_restent_visibles(regle):
    """Quelle que soit la règle, la note des évaluateurs et celle du consensus sont toutes
    deux dans la table ; le total du consensus n'existe qu'au consensus complet."""
    sortie = consensus.appliquer(
        _resultats(EVALUATEURS), _consensus(COMPLET_1 + PARTIEL_2), CRITERES, REGLAGES, regle
    )
    assert sortie.loc[1, "evaluateurs:a"] == 8.0
    assert sortie.loc[1, "total_evaluateurs"] == pytest.approx(72.0)
    assert sortie.loc[1, "consensus:a"] == 4.0
    assert sortie.loc[1, "total_consensus"] == pytest.approx(40.0)
    assert bool(sortie.loc[1, "consensus_complet"]) is True
    assert sortie.loc[2, "consensus:a"] == 9.0
    assert math.isnan(sortie.loc[2, "consensus:b"])
    assert math.isnan(sortie.loc[2, "total_consensus"])
    assert bool(sortie.loc[2, "consensus_complet"]) is False
    assert math.isnan(sortie.loc[3, "consensus:a"])


def test_total_du_consensus_suit_les_poids():
    """Le total du consensus est pondéré comme celui des évaluateurs (Σ poids × note / max)."""
    autres = replace(REGLAGES, poids=(10.0, 90.0))
    sortie = consensus.appliquer(
        _resultats(EVALUATEURS),
        _consensus([(1, "a", 10.0), (1, "b", 0.0)]),
        CRITERES,
        autres,
        CONSENSUS,
    )
    assert sortie.loc[1, "total"] == pytest.approx(10.0)


def test_sans_table_de_consensus():
    sortie = consensus.appliquer(_resultats(EVALUATEURS), None, CRITERES, REGLAGES, CONSENSUS)
    assert list(sortie["note_classee"]) == [SANS_CONSENSUS] * 3
    assert list(sortie["total"]) == pytest.approx([72.0, 50.0, 70.0])


def test_regle_inconnue_refusee():
    with pytest.raises(ErreurConsensus, match="note retenue « mediane » inconnue"):
        consensus.appliquer(_resultats(EVALUATEURS), None, CRITERES, REGLAGES, "mediane")


# --- Ce qui peut s'inscrire ------------------------------------------------------------------

PERMIS = [
    ({"pertinence": 0.0}, "motifs"),
    ({"pertinence": 10.0, "coherence": 7.5}, "motifs"),
    ({"pertinence": 7}, "  motifs  "),
]
REFUSES = [
    ({}, "motifs", "au moins un critère"),
    ({"inconnu": 5.0}, "motifs", "critère « inconnu » inconnu de l'appel"),
    ({"pertinence": 10.5}, "motifs", r"10,5 hors de l'échelle \(0 à 10\)"),
    ({"pertinence": -0.5}, "motifs", r"-0,5 hors de l'échelle"),
    ({"pertinence": 7.25}, "motifs", r"7,25 n'est pas un multiple de 0,5"),
    ({"pertinence": float("nan")}, "motifs", "note manquante"),
    ({"pertinence": None}, "motifs", "note manquante"),
    ({"pertinence": 7.0}, "   ", "écrivez les motifs du consensus"),
    ({"pertinence": 7.0}, None, "écrivez les motifs du consensus"),
    ({"pertinence": 7.0}, "x" * 10_001, "10001 caractères, 10000 au plus"),
]


@pytest.mark.parametrize(("notes", "motifs"), PERMIS)
def test_consensus_permis(appel, notes, motifs):
    assert consensus.refus(appel, notes, motifs) is None


@pytest.mark.parametrize(("notes", "motifs", "message"), REFUSES)
def test_consensus_refuse(appel, notes, motifs, message):
    refus = consensus.refus(appel, notes, motifs)
    assert refus is not None
    assert re.search(message, refus)


@pytest.mark.parametrize(
    ("moyenne", "proposee"),
    [(7.25, 7.5), (7.2, 7.0), (7.0, 7.0), (9.9, 10.0), (0.1, 0.0), (None, 0.0), (np.nan, 0.0)],
)
def test_valeur_proposee_au_pas_de_l_echelle(appel, moyenne, proposee):
    assert consensus.valeur_proposee(moyenne, appel) == proposee


def test_valeur_proposee_dans_l_echelle(appel):
    a = replace(appel, echelle_min=1.0, echelle_max=5.0, pas=1.0)
    assert consensus.valeur_proposee(5.6, a) == 5.0
    assert consensus.valeur_proposee(0.2, a) == 1.0


def test_version_d_une_demande():
    table = _consensus(COMPLET_1 + PARTIEL_2)
    assert consensus.version(table, 1) == 2
    assert consensus.version(table, 2) == 3
    assert consensus.version(table, 7) == 0
    assert consensus.version(None, 1) == 0


@pytest.mark.parametrize(
    ("regle", "dit"), [(MOYENNE, "sans changer le rang"), (CONSENSUS, "« sans consensus »")]
)
def test_regle_lisible(appel, regle, dit):
    assert dit in consensus.regle_lisible(replace(appel, note_retenue=regle))


def test_derniers_d_un_historique():
    """La dernière note de chaque critère, dans l'ordre d'inscription."""
    historique = [
        {"id": 1, "demande_id": 5, "critere": "a", "note": 7.0, "justification": "un"},
        {"id": 2, "demande_id": 5, "critere": "b", "note": 6.0, "justification": "un"},
        {"id": 3, "demande_id": 5, "critere": "a", "note": 8.5, "justification": "deux"},
    ]
    table = consensus.derniers(historique)
    assert list(zip(table["critere"], table["note"], table["justification"], strict=True)) == [
        ("b", 6.0, "un"),
        ("a", 8.5, "deux"),
    ]
    assert consensus.derniers([]).empty
