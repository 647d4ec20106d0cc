"""Ce que le classement lit dans la base : rien d'un évaluateur en conflit d'intérêts."""

from __future__ import annotations

import pytest

from evaluation.decision import chargement, classement
from evaluation.decision.classement import SOUS_SEUIL
from evaluation.notes import attributions
from tests.decision.test_classement import SOUS_SEUIL_RAISON, _ligne


def test_conflit_declare_apres_soumission_exclut_l_evaluation(moteur, appel, campagne):
    t3 = campagne["T-003"]
    attributions.declarer_conflit(
        appel.id, t3, "e3@x.ca", "employé de la municipalité", moteur=moteur, auteur="admin@x.ca"
    )
    donnees = chargement.charger(appel, moteur=moteur)
    assert "e3@x.ca" not in set(donnees.notes["evaluateur"])
    table = classement.classement(appel, donnees)
    ligne = _ligne(table, t3)
    # Sans e3 : 1 jugement d'inadmissibilité sur 2, total (5 + 6)/2 × 10 = 55.
    assert ligne["statut"] == SOUS_SEUIL
    assert ligne["n_evaluations"] == 2
    assert ligne["total"] == pytest.approx(55.0)
    assert ligne["raison"] == SOUS_SEUIL_RAISON
