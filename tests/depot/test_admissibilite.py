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
    variante = dataclasses.replace(
        appel, conditions=(Condition("code", "Code", "code_geographique", "renseigné"),)
    )
    assert preremplir({"code_geographique": valeur}, variante)["code"] is attendu


@pytest.mark.parametrize(
    ("municipalite", "code", "attendu"),
    [
        pytest.param("Sherbrooke", "43027", True, id="municipalite-reconnue-a-l-import"),
        pytest.param("Ville de Lévis", None, True, id="municipalite-du-repertoire"),
        pytest.param("MRC de Coaticook", None, True, id="mrc"),
        pytest.param("MRC du Granit", None, True, id="mrc-article-du"),
        pytest.param("MRC de L'Islet", None, True, id="mrc-apostrophe"),
        pytest.param("Municipalité régionale de comté de Bellechasse", None, True, id="mrc-long"),
        pytest.param("Gatineau (TÉ)", None, True, id="territoire-equivalent"),
        pytest.param("Régie intermunicipale de l'Estrie", None, None, id="regie-a-verifier"),
        pytest.param("MRC de Nulle-Part", None, None, id="mrc-inconnue-a-verifier"),
        pytest.param("", None, None, id="vide"),
    ],
)
def test_entite_municipale(appel, municipalite, code, attendu):
    """« Le projet proposé peut être porté par une ou plusieurs entités municipales. » et
    « Pour être admissible, le demandeur : être une ville ou une municipalité du Québec ».
    Interprétation : une MRC ou un territoire équivalent du répertoire est reconnue ; une
    entité que le répertoire ne connaît pas est à vérifier (jamais « non » d'office)."""
    d = {"municipalite": municipalite, "code_geographique": code}
    assert preremplir(d, appel)["entite-municipale"] is attendu


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
        # Jugées par l'analyste seul : rien dans le fichier ne les dit.
        for jugee in ("objectifs-concrets", "citoyens-residents", "partenaire-quebecois"):
            assert reponses.pop(jugee) is None
        # Le fichier n'a pas de colonne « Date de dépôt » : la date de l'importation, présumée,
        # ne prouve pas le dépôt à temps (à vérifier).
        assert d["date_depot_presumee"]
        assert reponses.pop("depot-a-temps") is None
        assert set(reponses.values()) == {True}, (d["no_demande"], reponses)
    # Une ligne de tableau pandas (Series) aux valeurs manquantes.
    ligne = pd.Series({"dossier_complet": False, "qualite_signataire": math.nan})
    reponses = preremplir(ligne, appel)
    assert reponses["dossier-complet"] is False
    assert reponses["qualite-signataire"] is None


def test_dossier_complet_d_un_gabarit_de_demandeur_reste_a_l_analyste(appel):
    """« faire l'objet d'un dossier complet lors du dépôt » est un constat du ministère : le
    gabarit le réserve au ministère, le demandeur ne le remplit pas ; sans valeur dans le
    fichier, la condition n'est pas pré-remplie et l'analyste l'inscrit à l'examen."""
    from tests.conftest import (
        DEMANDE_MUNICIPALE,
        DEPENSES_MUNICIPALES,
        depenses,
        gabarit_rempli,
    )

    contenu = gabarit_rempli(appel, [DEMANDE_MUNICIPALE], depenses(DEPENSES_MUNICIPALES))
    (d,) = verifier_lot([("rimouski.xlsx", contenu)], appel).demandes
    assert d.valeurs["dossier_complet"] is None
    reponses = preremplir(d.valeurs, appel)
    assert reponses["dossier-complet"] is None
    assert reponses["engagement-rapport"] is True  # le demandeur s'y engage, lui
