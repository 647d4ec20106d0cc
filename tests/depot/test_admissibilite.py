"""La liste d'admissibilité pré-remplie d'après les données de la demande."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from evaluation.appels.configuration import Condition
from evaluation.depot.admissibilite import preremplir
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from tests.conftest import DONNEES

VALIDE = DONNEES / "formats" / "valide.xlsx"


def test_une_reponse_par_condition_sans_donnees_tout_est_a_trancher(appel):
    reponses = preremplir({}, appel)
    assert list(reponses) == [c.id for c in appel.conditions]
    assert set(reponses.values()) == {None}


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (True, True),
        (False, False),
        (np.True_, True),
        (np.False_, False),
        (None, None),
        (math.nan, None),
        (np.float64("nan"), None),
    ],
)
def test_booleen_attendu_vrai(appel, valeur, attendu):
    reponses = preremplir(
        {"dossier_complet": valeur, "budget_detaille": valeur, "engagement_rapport": valeur}, appel
    )
    assert reponses["dossier-complet"] is attendu
    assert reponses["budget-detaille"] is attendu
    assert reponses["engagement-rapport"] is attendu


@pytest.mark.parametrize(
    ("valeur", "attendu"), [(False, True), (True, False), (None, None), (math.nan, None)]
)
def test_booleen_attendu_faux(appel, valeur, attendu):
    """« Aucun autre financement » est remplie quand le champ dit non."""
    reponse = preremplir({"autre_financement_gouvernemental": valeur}, appel)
    assert reponse["aucun-autre-financement"] is attendu


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [("10043", True), ("0", True), ("", None), (None, None), (math.nan, None)],
)
def test_renseigne(appel, valeur, attendu):
    assert preremplir({"code_geographique": valeur}, appel)["municipalite-quebecoise"] is attendu


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        ("élu", True),
        ("ÉLU", True),
        ("Elu", True),
        ("Élus", True),
        ("Fonctionnaire", True),
        ("  DELEGUE ", True),
        ("délégués", True),
        ("maire", False),
        ("directeur général", False),
        ("", None),
        (None, None),
        (math.nan, None),
    ],
)
def test_qualite_permise_sans_casse_ni_accents(appel, valeur, attendu):
    assert preremplir({"qualite_signataire": valeur}, appel)["qualite-signataire"] is attendu


def test_condition_sans_champ_reste_a_trancher(appel):
    d = {
        "objectifs-concrets": True,
        "objectifs_concrets": True,
        "dossier_complet": True,
    }
    assert preremplir(d, appel)["objectifs-concrets"] is None
    variante = dataclasses.replace(
        appel,
        conditions=(
            Condition("jugee", "Jugée par l'évaluateur"),
            Condition("complet", "Complet", "dossier_complet", True),
        ),
    )
    assert preremplir(d, variante) == {"jugee": None, "complet": True}


def test_demandes_importees(moteur, appel):
    """Les demandes relues de la base (cellules vides en NaN) : tout est pré-rempli, sauf
    la condition que seul l'évaluateur juge ; une valeur manquante reste à trancher."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    lignes = table.to_dict("records")
    assert len(lignes) == 3
    for d in lignes:
        reponses = preremplir(d, appel)
        assert reponses.pop("objectifs-concrets") is None
        assert set(reponses.values()) == {True}, (d["no_demande"], reponses)
    # Une ligne de tableau pandas (Series) aux valeurs manquantes.
    ligne = pd.Series({"dossier_complet": False, "qualite_signataire": math.nan})
    reponses = preremplir(ligne, appel)
    assert reponses["dossier-complet"] is False
    assert reponses["qualite-signataire"] is None
