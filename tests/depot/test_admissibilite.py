"""La liste d'admissibilité pré-remplie d'après les données de la demande."""

import dataclasses
import datetime as dt
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
from evaluation.depot.admissibilite import constats_budget, constats_demande, preremplir
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


def test_bonification_d_un_centime_suffit_a_parler_de_projet_conjoint(appel):
    """Toute bonification positive fait de l'appel un appel qui bonifie les projets
    conjoints : le plafond d'une demande seule est alors celui « d'une seule ville »."""
    a = dataclasses.replace(
        appel, financement=dataclasses.replace(appel.financement, bonification_conjoint_max=1)
    )
    assert "une seule ville" in _plafond(a)
    assert "bonification maximale comprise" in _plafond(a, projet_conjoint=True)


# --- Plafond annuel, années, montage financier, période (constats_demande) ----------------
# Montants en cents, comme les valeurs lues d'un fichier. PAIVMQ : plafond de 25 000 $ par
# année, bonification conjointe maximale de 10 000 $ (réglage du comité), deux années
# financières, du 1er avril 2024 au 31 mars 2026.


def _par_code(a, **d) -> dict:
    return {c.code: c for c in constats_demande(d, a)}


def _appel_d_un_an(appel):
    return dataclasses.replace(
        appel,
        financement=dataclasses.replace(
            appel.financement, nombre_annees_max=1, enveloppe=(75_000_000,)
        ),
    )


MONTAGE = {"contribution_demandeur": 500_000, "cout_total": 10_000_000}


@pytest.mark.parametrize(("cle", "annee"), [("montant_demande_an1", 1), ("montant_demande_an2", 2)])
def test_plafond_de_25_000_par_annee_jusqu_au_dollar_pres(appel, cle, annee):
    """« La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par
    année dans le cas d'une initiative portée par une seule ville » : 25 000 $ tout juste
    passent ; 25 000,01 $ dépassent, et le constat nomme l'année et la cellule."""
    assert "plafond_depasse" not in _par_code(appel, **MONTAGE, **{cle: 2_500_000})
    constat = _par_code(appel, **MONTAGE, **{cle: 2_500_001})["plafond_depasse"]
    assert constat.cle == cle
    assert constat.message == (
        f"25\u00a0000,01\u00a0$ demandés pour l'année {annee} : au-dessus du plafond de "
        "25\u00a0000\u00a0$ par année (initiative portée par une seule ville). Le montant "
        "recommandé sera plafonné."
    )


def test_plafond_d_un_projet_conjoint_bonification_comprise(appel):
    """Projet conjoint : « peut permettre la bonification de la subvention », jusqu'à
    25 000 $ + 10 000 $ = 35 000 $ par année (plafond bonifié maximal du comité)."""
    conjoint = {**MONTAGE, "projet_conjoint": True}
    assert "plafond_depasse" not in _par_code(appel, **conjoint, montant_demande_an1=3_500_000)
    constat = _par_code(appel, **conjoint, montant_demande_an1=3_500_001)["plafond_depasse"]
    assert "au-dessus du plafond de 35\u00a0000\u00a0$ par année (projet conjoint" in (
        constat.message
    )


def test_montant_d_une_annee_que_l_appel_ne_finance_pas(appel):
    """« porte sur une ou deux années financières » : dans l'appel livré, l'année 2 est
    financée ; dans un appel d'un an, un montant en année 2 est signalé, pas une année 2
    vide ou à 0 $."""
    assert "annee_hors_appel" not in _par_code(appel, **MONTAGE, montant_demande_an2=1_000_000)
    un_an = _appel_d_un_an(appel)
    constat = _par_code(un_an, **MONTAGE, montant_demande_an2=1_000_000)["annee_hors_appel"]
    assert constat.cle == "montant_demande_an2"
    assert constat.message == (
        "montant demandé pour l'année 2, alors que l'appel finance au plus 1 année."
    )
    assert "plafond_depasse" not in _par_code(un_an, montant_demande_an2=9_000_000)
    for vide in (None, 0):
        assert _par_code(un_an, **MONTAGE, montant_demande_an1=1, montant_demande_an2=vide) == {}


def test_cout_total_egal_a_la_somme_demandee_passe(appel):
    """Coût total au moins égal à la somme demandée (années 1 et 2) : rien à dire ; un
    centime de moins, le montage est à vérifier."""
    d = {"contribution_demandeur": 1, "montant_demande_an1": 2_000_000}
    assert _par_code(appel, **d, cout_total=2_000_000) == {}
    d2 = {**d, "montant_demande_an2": 500_000}
    assert _par_code(appel, **d2, cout_total=2_500_000) == {}
    constat = _par_code(appel, **d2, cout_total=2_499_999)["cout_inferieur_demande"]
    assert (constat.cle, constat.message) == (
        "cout_total",
        "coût total (24\u00a0999,99\u00a0$) inférieur à la somme demandée "
        "(25\u00a0000\u00a0$) : vérifiez le montage financier.",
    )


@pytest.mark.parametrize(
    ("contribution", "cofinancement", "signale"),
    [(500_000, 0, False), (0, 500_000, False), (0, None, True), (None, 0, True)],
)
def test_contribution_ou_cofinancement_suffit(appel, contribution, cofinancement, signale):
    """« une contribution du demandeur ou la présence de cofinancement est attendue » :
    l'une ou l'autre suffit."""
    d = {"contribution_demandeur": contribution, "cofinancement_externe": cofinancement}
    assert ("sans_contribution" in _par_code(appel, **d)) is signale


@pytest.mark.parametrize(
    ("debut", "fin", "cle"),
    [
        (dt.date(2024, 4, 1), dt.date(2026, 3, 31), None),  # les deux bornes comprises
        (dt.date(2024, 5, 1), dt.date(2025, 6, 1), None),  # fin dans l'année 2
        (dt.date(2025, 4, 1), dt.date(2025, 4, 2), None),  # tout dans l'année 2
        (dt.date(2024, 3, 31), dt.date(2024, 12, 1), "date_debut"),
        (dt.date(2024, 4, 1), dt.date(2026, 4, 1), "date_fin"),
        (dt.date(2024, 5, 1), dt.date(2026, 4, 1), "date_fin"),
        (dt.date(2024, 3, 31), dt.date(2026, 4, 1), "date_debut"),
    ],
)
def test_projet_hors_de_la_periode_financee(appel, debut, fin, cle):
    """« porte sur une ou deux années financières débutant le 1er avril 2024 » : période
    financée du 1er avril 2024 au 31 mars 2026 (deux années financières), bornes
    comprises ; le constat vise la date fautive (le début s'il l'est)."""
    constat = _par_code(appel, **MONTAGE, date_debut=debut, date_fin=fin).get("hors_periode")
    if cle is None:
        assert constat is None
        return
    assert constat.cle == cle
    assert constat.message.endswith(
        " : hors de la période financée par l'appel (du 1er avril 2024 au 31 mars 2026)."
    )


def test_periode_d_un_appel_d_un_an(appel):
    un_an = _appel_d_un_an(appel)
    d = {**MONTAGE, "date_debut": dt.date(2024, 5, 1), "date_fin": dt.date(2025, 6, 1)}
    assert _par_code(un_an, **d)["hors_periode"].message == (
        "projet du 1er mai 2024 au 1er juin 2025 : hors de la période financée par l'appel "
        "(du 1er avril 2024 au 31 mars 2025)."
    )


# --- Lignes de budget (constats_budget) ---------------------------------------------------


def _ligne(montant, annee=1, categorie_id="logistique", admissible=True, categorie="X"):
    return {
        "annee": annee,
        "montant": montant,
        "categorie_id": categorie_id,
        "admissible": admissible,
        "categorie": categorie,
    }


def _budget(a, d, lignes, presentes=None):
    return [(c.code, c.cle, c.index_ligne) for c in constats_budget(d, lignes, a, presentes)]


def test_lignes_egales_aux_montants_demandes_rien_a_dire(appel):
    d = {"montant_demande_an1": 2_000_000, "montant_demande_an2": 500_000}
    lignes = [_ligne(1_200_000), _ligne(800_000), _ligne(300_000, 2), _ligne(200_000, 2)]
    assert _budget(appel, d, lignes) == []
    # Année 2 vide des deux côtés (montant absent, aucune ligne) : rien à comparer.
    assert _budget(appel, {"montant_demande_an1": 2_000_000}, lignes[:2]) == []


def test_ecart_entre_lignes_et_montant_demande(appel):
    """Le total des lignes d'une année doit égaler le montant demandé pour cette année."""
    d = {"montant_demande_an1": 2_000_000, "montant_demande_an2": 500_000}
    (constat,) = constats_budget(d, [_ligne(1_200_000), _ligne(800_000)], appel)
    assert (constat.code, constat.cle, constat.index_ligne) == (
        "budget_ecart",
        "montant_demande_an2",
        None,
    )
    assert constat.message == (
        "les lignes de budget de l'année 2 totalisent 0\u00a0$ alors que 5\u00a0000\u00a0$ sont "
        "demandés : corrigez le budget ou le montant demandé."
    )
    (constat,) = constats_budget({"montant_demande_an1": 1_000_000}, [_ligne(1_200_000)], appel)
    assert "l'année 1 totalisent 12\u00a0000\u00a0$ alors que 10\u00a0000\u00a0$" in (
        constat.message
    )
    sans_montant = constats_budget({}, [_ligne(300_000, 2)], appel)
    assert [(c.cle, c.message) for c in sans_montant] == [
        (
            "montant_demande_an2",
            "les lignes de budget de l'année 2 totalisent 3\u00a0000\u00a0$ alors que "
            "0\u00a0$ sont demandés : corrigez le budget ou le montant demandé.",
        )
    ]


def test_ecart_seulement_pour_les_colonnes_du_fichier(appel):
    """Une réimportation partielle sans la colonne de l'année 2 ne crée pas de fausse
    alerte ; avec la colonne, l'écart est dit."""
    d = {"montant_demande_an1": 1_000_000, "montant_demande_an2": 500_000}
    lignes = [_ligne(1_000_000)]
    assert _budget(appel, d, lignes, {"montant_demande_an1"}) == []
    attendu = [("budget_ecart", "montant_demande_an2", None)]
    assert _budget(appel, d, lignes, {"montant_demande_an1", "montant_demande_an2"}) == attendu
    assert _budget(appel, d, lignes) == attendu


def test_pas_d_ecart_pour_une_annee_que_l_appel_ne_finance_pas(appel):
    """Appel d'un an : le montant de l'année 2 est déjà signalé (annee_hors_appel) et ses
    dépenses bloquées (annee_invalide) ; l'écart ne le redit pas en invitant à ajouter des
    dépenses d'année 2."""
    d = {"montant_demande_an1": 1_000_000, "montant_demande_an2": 500_000}
    assert _budget(_appel_d_un_an(appel), d, [_ligne(1_000_000)]) == []
    assert _budget(appel, d, [_ligne(1_000_000)]) == [("budget_ecart", "montant_demande_an2", None)]


def test_depense_non_admissible_situee_sur_sa_ligne(appel):
    """« Les dépenses non admissibles sont les suivantes » : une ligne d'une catégorie non
    admissible est signalée ; une catégorie inconnue (admissibilité inconnue) ne l'est pas
    ici (la validation la dit inconnue)."""
    lignes = [
        _ligne(100_000),
        _ligne(50_000, categorie_id="fonctionnement", admissible=False, categorie="Salaires"),
        _ligne(50_000, categorie_id=None, admissible=None),
    ]
    d = {"montant_demande_an1": 200_000}
    (constat,) = constats_budget(d, lignes, appel)
    assert (constat.code, constat.cle, constat.index_ligne) == (
        "depense_non_admissible",
        "categorie",
        1,
    )
    assert constat.message == (
        "dépense non admissible (« Salaires », 500\u00a0$) : elle ne peut pas être financée "
        "par l'appel et ne compte pas dans le budget admissible."
    )


VISAS = "visas"  # catégorie « plafonnee = true » de l'appel livré


@pytest.mark.parametrize(
    ("montants", "index_signales"),
    [
        ([50_000], []),  # 500 $ tout juste : « jusqu'à concurrence de 500 $ »
        ([50_000, 10_000], [1]),  # la ligne qui fait passer au-dessus de 500 $
        ([30_000, 30_000, 10_000], [1]),  # une seule fois, à la ligne du dépassement
        ([49_999, 1], []),
        ([50_001], [0]),
    ],
)
def test_plafond_des_visas(appel, montants, index_signales):
    """« frais d'assurance voyage et de dédouanement (jusqu'à concurrence de 500 $) » : le
    constat tombe sur la ligne qui fait dépasser 500 $ au cumul, une fois."""
    lignes = [_ligne(m, categorie_id=VISAS) for m in montants]
    d = {"montant_demande_an1": sum(montants)}
    assert _budget(appel, d, lignes) == [("plafond_visas", "montant", i) for i in index_signales]


def test_plafond_des_visas_message_et_autres_categories(appel):
    lignes = [_ligne(30_000, categorie_id=VISAS), _ligne(30_000, categorie_id=VISAS)]
    (constat,) = constats_budget({"montant_demande_an1": 60_000}, lignes, appel)
    assert constat.message == (
        "frais de visas et de documents d'entrée de 600\u00a0$ pour la demande : au-dessus du "
        "plafond de 500\u00a0$ ; l'excédent est retranché du budget admissible."
    )
    # Une catégorie sans plafond : 600 $ de logistique ne sont pas des visas.
    assert _budget(appel, {"montant_demande_an1": 60_000}, [_ligne(60_000)]) == []


def test_portee_du_plafond_des_visas_demande_ou_annee(appel):
    """Interprétation (configuration) : 500 $ pour la demande entière (« demande »), ou
    500 $ par année (« annee »)."""
    lignes = [_ligne(30_000, 1, VISAS), _ligne(30_000, 2, VISAS)]
    d = {"montant_demande_an1": 30_000, "montant_demande_an2": 30_000}
    assert appel.portee_plafond_visas == "demande"
    assert _budget(appel, d, lignes) == [("plafond_visas", "montant", 1)]
    par_annee = dataclasses.replace(appel, portee_plafond_visas="annee")
    assert _budget(par_annee, d, lignes) == []
    meme_annee = [_ligne(30_000, 1, VISAS), _ligne(30_000, 1, VISAS)]
    (constat,) = constats_budget({"montant_demande_an1": 60_000}, meme_annee, par_annee)
    assert "de 600\u00a0$ pour l'année : au-dessus" in constat.message


# --- Pré-remplissage : valeurs relues de la base ------------------------------------------


def test_liste_de_valeurs_renseignee(appel):
    """Un champ à plusieurs valeurs, en liste : renseigné."""
    variante = dataclasses.replace(
        appel, conditions=(Condition("pays", "Pays", "pays", "renseigné"),)
    )
    assert preremplir({"pays": ["France", "Belgique"]}, variante)["pays"] is True


def test_entite_municipale_par_le_code_ou_le_nom(appel):
    """Un homonyme (deux Notre-Dame-de-Lourdes au répertoire) reconnu à l'import grâce à sa
    région porte son code géographique : entité municipale, même si son nom seul est
    ambigu. Un code manquant relu de la base (NaN) ne reconnaît rien : le nom décide."""
    homonyme = {"municipalite": "Notre-Dame-de-Lourdes", "code_geographique": "61045"}
    assert preremplir(homonyme, appel)["entite-municipale"] is True
    assert preremplir({**homonyme, "code_geographique": None}, appel)["entite-municipale"] is None
    regie = {"municipalite": "Régie intermunicipale de l'Estrie", "code_geographique": math.nan}
    assert preremplir(regie, appel)["entite-municipale"] is None
