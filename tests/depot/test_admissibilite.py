"""La liste d'admissibilité pré-remplie d'après les données de la demande."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from evaluation.appels.configuration import (
    Condition,
    ErreurAppel,
    appel_depuis_toml,
    charger_appel,
)
from evaluation.depot.admissibilite import constats_demande, preremplir
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from tests.conftest import DONNEES, RACINE_PROJET

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


# Issue 18 : une règle ne s'applique que si l'appel la déclare, et ses messages citent
# l'appel concerné (jamais le PAIVMQ en dur).
MODELES = RACINE_PROJET / "donnees" / "modeles"


def _modele(nom: str):
    return charger_appel(MODELES / nom)


def _codes(constats) -> set[str]:
    return {c.code for c in constats}


SANS_CONTRIBUTION_AVEC_AUTRE_AIDE = {
    "montant_demande_an1": 1_000_000,
    "contribution_demandeur": 0,
    "cofinancement_externe": 0,
    "autre_financement_gouvernemental": True,
}


def test_paivmq_declare_ses_deux_regles_et_les_cite(appel):
    """PAIVMQ : « ne pas recevoir de financement d'un autre programme gouvernemental » (une
    condition de [[admissibilite.conditions]]) et « une contribution du demandeur ou la
    présence de cofinancement est attendue » ([financement] contribution_attendue)."""
    assert appel.financement.contribution_attendue is True
    constats = constats_demande(dict(SANS_CONTRIBUTION_AVEC_AUTRE_AIDE), appel)
    par_code = {c.code: c.message for c in constats}
    assert {"sans_contribution", "autre_financement"} <= set(par_code)
    assert f"« {appel.nom_court} »" in par_code["sans_contribution"]
    assert "autre programme gouvernemental" in par_code["autre_financement"]
    assert f"« {appel.nom_court} »" in par_code["autre_financement"]


@pytest.mark.parametrize("modele", ["qsf-modele.toml", "ffqcd-2021-2022.toml"])
def test_un_appel_qui_ne_les_declare_pas_ne_les_applique_pas(modele):
    """Le FFQCD (géré à parité par deux gouvernements) et QSF ne disent rien d'un autre
    financement gouvernemental ni d'une contribution attendue : aucun signalement."""
    a = _modele(modele)
    assert a.financement.contribution_attendue is False
    assert all(c.champ != "autre_financement_gouvernemental" for c in a.conditions)
    codes = _codes(constats_demande(dict(SANS_CONTRIBUTION_AVEC_AUTRE_AIDE), a))
    assert not codes & {"sans_contribution", "autre_financement"}


def test_la_regle_suit_la_condition_et_non_le_nom_du_champ(appel):
    """Sans la condition « aucun-autre-financement », le champ seul ne déclenche rien ; la
    clé contribution_attendue absente vaut « non déclarée »."""
    sans = dataclasses.replace(
        appel,
        conditions=tuple(
            c for c in appel.conditions if c.champ != "autre_financement_gouvernemental"
        ),
        financement=dataclasses.replace(appel.financement, contribution_attendue=False),
    )
    codes = _codes(constats_demande(dict(SANS_CONTRIBUTION_AVEC_AUTRE_AIDE), sans))
    assert not codes & {"sans_contribution", "autre_financement"}


def test_contribution_attendue_se_lit_du_toml_et_dit_sa_source(appel):
    texte = appel.source_toml.replace("contribution_attendue = true", "")
    assert texte != appel.source_toml
    sans = appel_depuis_toml(texte)
    assert sans.financement.contribution_attendue is False
    assert "financement.contribution_attendue" not in {r.chemin for r in sans.reglages}
    reglage = next(r for r in appel.reglages if r.chemin == "financement.contribution_attendue")
    assert "une contribution du demandeur ou la présence de cofinancement est attendue" in (
        reglage.source.citation
    )
    with pytest.raises(ErreurAppel):
        appel_depuis_toml(
            appel.source_toml.replace(
                "contribution_attendue = true", 'contribution_attendue = "oui"'
            )
        )


def _plafond(a, **d) -> str:
    constats = constats_demande({"montant_demande_an1": 99_000_000, **d}, a)
    return next(c.message for c in constats if c.code == "plafond_depasse")


def test_libelle_du_plafond_suit_l_appel(appel, appel_organisme):
    """« une seule ville » : seulement pour un appel d'entités municipales qui bonifie les
    projets conjoints (PAIVMQ : « dans le cas d'une initiative portée par une seule ville »)."""
    assert "une seule ville" in _plafond(appel)
    assert "bonification maximale comprise" in _plafond(appel, projet_conjoint=True)
    organisme = _plafond(appel_organisme)
    assert "ville" not in organisme and "organisme" in organisme
    for modele in ("qsf-modele.toml", "ffqcd-2021-2022.toml"):
        a = _modele(modele)
        message = _plafond(a, projet_conjoint=True)
        assert "ville" not in message and "conjoint" not in message
        assert f"« {a.nom_court} »" in message
