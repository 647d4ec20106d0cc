"""La fiche d'une demande : résumé en libellés et valeurs lisibles (montants et dates à la
québécoise), budget ligne par ligne, avertissements d'importation."""

import datetime as dt
import math

import pandas as pd
import pytest

from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import fiche
from evaluation.socle import stockage
from tests.conftest import DONNEES

NBSP = "\u00a0"
LIBELLES = [
    "Municipalité requérante",
    "Région",
    "Projet conjoint",
    "Municipalités partenaires",
    "Partenaires étrangers",
    "Pays",
    "Axe",
    "Secteur principal",
    "Secteurs secondaires",
    "Début",
    "Fin",
    "Dépôt",
    "Montant demandé, année 1",
    "Montant demandé, année 2",
    "Total demandé",
    "Coût total du projet",
    "Contribution du demandeur",
    "Cofinancement externe",
    "Signataire",
]
AXE_2 = (
    "Axe 2 – Favoriser le développement de partenariats stratégiques et le transfert d'expertise"
)


def _dollars(texte: str) -> str:
    """« 21 500 $ » écrit avec des espaces ordinaires → avec des espaces insécables."""
    return texte.replace(" ", NBSP)


def _demande(**valeurs) -> dict:
    d = {
        "no_demande": "T-100",
        "municipalite": "Victoriaville",
        "region": "17",
        "projet_conjoint": True,
        "municipalites_partenaires": "Warwick; Kingsey Falls",
        "partenaires_etrangers": "Ville de Namur",
        "pays": "Belgique",
        "axe": 2,
        "secteur": "culture",
        "secteurs_secondaires": "innovation; Francophonie; Secteur maison",
        "date_debut": dt.date(2024, 4, 1),
        "date_fin": dt.date(2025, 3, 31),
        "montant_demande_an1": 2150000,
        "montant_demande_an2": 1234567,
        "cout_total": 10000000,
        "contribution_demandeur": 4000000,
        "cofinancement_externe": 50,
        "qualite_signataire": "élu",
        "avertissements": [],
    }
    d.update(valeurs)
    return d


# --- resume --------------------------------------------------------------------------------


def test_resume_complet(appel):
    lignes = fiche.resume(_demande(), appel)
    assert [libelle for libelle, _ in lignes] == LIBELLES
    assert dict(lignes) == {
        "Municipalité requérante": "Victoriaville",
        "Région": "17 – Centre-du-Québec",
        "Projet conjoint": "oui",
        "Municipalités partenaires": "Warwick; Kingsey Falls",
        "Partenaires étrangers": "Ville de Namur",
        "Pays": "Belgique",
        "Axe": AXE_2,
        "Secteur principal": "Culture",
        "Secteurs secondaires": "Innovation, Francophonie, Secteur maison",
        "Début": "1er avril 2024",
        "Fin": "31 mars 2025",
        "Dépôt": "—",
        "Montant demandé, année 1": _dollars("21 500 $"),
        "Montant demandé, année 2": _dollars("12 345,67 $"),
        "Total demandé": _dollars("33 845,67 $"),
        "Coût total du projet": _dollars("100 000 $"),
        "Contribution du demandeur": _dollars("40 000 $"),
        "Cofinancement externe": _dollars("0,50 $"),
        "Signataire": "élu",
    }


def test_resume_organisme(appel_organisme):
    """Un organisme : son nom et son NEQ, puis son siège ; ni projet conjoint ni
    municipalités partenaires (la bonification vise « plusieurs acteurs municipaux »)."""
    d = _demande(
        organisme="Solidarité Nord-Sud", neq="1145678901", municipalite="Rimouski", region="01"
    )
    lignes = fiche.resume(d, appel_organisme)
    libelles = [libelle for libelle, _ in lignes]
    assert libelles[:2] == ["Organisme requérant", "Siège"]
    assert "Municipalité requérante" not in libelles
    assert not {"Projet conjoint", "Municipalités partenaires"} & set(libelles)
    assert libelles[2:] == LIBELLES[4:]
    valeurs = dict(lignes)
    assert valeurs["Organisme requérant"] == "Solidarité Nord-Sud (NEQ 1145678901)"
    assert valeurs["Siège"] == "Rimouski, Bas-Saint-Laurent"


def test_resume_organisme_importe(moteur, appel_organisme):
    """Importé d'un classeur d'organismes, relu de la base : la fiche nomme l'organisme."""
    from tests.depot.test_validation import classeur_organismes

    verification = verifier_lot([("oci.xlsx", classeur_organismes())], appel_organisme)
    importer(verification, appel_organisme, moteur=moteur, lignes_valides_seulement=True)
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel_organisme.id, connexion=c)
    valeurs = dict(fiche.resume(_ligne(demandes, "Q-1"), appel_organisme))
    assert valeurs["Organisme requérant"] == "Solidarité Nord-Sud de Rimouski (NEQ 1145678901)"
    assert valeurs["Siège"] == "Rimouski, Bas-Saint-Laurent"


def test_resume_espaces_insecables(appel):
    valeurs = dict(fiche.resume(_demande(), appel))
    montant = valeurs["Montant demandé, année 1"]
    assert montant == "21\u00a0500\u00a0$"
    assert " " not in montant  # aucune espace ordinaire
    # Le tiret de la région est un demi-cadratin entouré d'espaces ordinaires.
    assert valeurs["Région"] == "17 \u2013 Centre-du-Québec"


CHAMPS_TEXTE = [
    "municipalite",
    "region",
    "municipalites_partenaires",
    "partenaires_etrangers",
    "pays",
    "secteur",
    "secteurs_secondaires",
    "qualite_signataire",
]
CHAMPS_TYPES = [
    "projet_conjoint",
    "axe",
    "date_debut",
    "date_fin",
    "montant_demande_an2",
    "cout_total",
    "contribution_demandeur",
    "cofinancement_externe",
]


@pytest.mark.parametrize("vide", [None, math.nan])
def test_resume_champs_vides(appel, vide):
    d = _demande(**dict.fromkeys(CHAMPS_TEXTE + CHAMPS_TYPES, vide))
    if isinstance(vide, float):
        d["secteurs_secondaires"] = None
    valeurs = dict(fiche.resume(d, appel))
    for libelle in LIBELLES:
        if libelle in ("Montant demandé, année 1", "Total demandé"):
            continue
        assert valeurs[libelle] == "—", libelle
    # Année 2 absente : le total est celui de l'année 1.
    assert valeurs["Total demandé"] == valeurs["Montant demandé, année 1"] == _dollars("21 500 $")


def test_resume_textes_vides(appel):
    valeurs = dict(fiche.resume(_demande(**dict.fromkeys(CHAMPS_TEXTE, "")), appel))
    for libelle in [
        "Municipalité requérante",
        "Région",
        "Municipalités partenaires",
        "Partenaires étrangers",
        "Pays",
        "Secteur principal",
        "Secteurs secondaires",
        "Signataire",
    ]:
        assert valeurs[libelle] == "—", libelle


def test_resume_champs_absents(appel):
    valeurs = dict(fiche.resume({"montant_demande_an1": 100}, appel))
    assert [libelle for libelle in valeurs] == LIBELLES
    assert valeurs["Municipalité requérante"] == "—"
    assert valeurs["Axe"] == valeurs["Secteur principal"] == valeurs["Secteurs secondaires"] == "—"
    assert valeurs["Total demandé"] == valeurs["Montant demandé, année 1"] == _dollars("1 $")


def test_resume_projet_non_conjoint_et_montants_flottants(appel):
    # Une colonne de montants qui contient des vides est lue en flottants par pandas.
    d = _demande(projet_conjoint=False, montant_demande_an1=3000000.0, montant_demande_an2=5.0e5)
    valeurs = dict(fiche.resume(d, appel))
    assert valeurs["Projet conjoint"] == "non"
    assert valeurs["Montant demandé, année 1"] == _dollars("30 000 $")
    assert valeurs["Total demandé"] == _dollars("35 000 $")


@pytest.mark.parametrize(
    ("region", "attendu"),
    [
        ("17", "17 – Centre-du-Québec"),
        ("01", "01 – Bas-Saint-Laurent"),
        ("02", "02 – Saguenay–Lac-Saint-Jean"),
        ("99", "99"),  # code inconnu : tel quel
    ],
)
def test_resume_region(appel, region, attendu):
    assert dict(fiche.resume(_demande(region=region), appel))["Région"] == attendu


@pytest.mark.parametrize(
    ("date_depot", "presumee", "attendu", "en_retard"),
    [
        (dt.date(2024, 2, 29), False, "Déposée le 29 février 2024, à temps (date limite : ", False),
        (dt.date(2024, 3, 1), False, "Déposée le 1er mars 2024, à temps (date limite : ", False),
        (
            dt.date(2024, 3, 2),
            False,
            "Déposée le 2 mars 2024, 1 jour après la date limite du 1er mars 2024 : dépôt en "
            "retard",
            True,
        ),
        (
            dt.date(2024, 3, 11),
            False,
            "Déposée le 11 mars 2024, 10 jours après la date limite",
            True,
        ),
        (
            dt.date(2024, 3, 11),
            True,
            "Date de dépôt absente du fichier : celle de l'importation (11 mars 2024)",
            False,
        ),
        (pd.Timestamp(2024, 3, 4), None, "Déposée le 4 mars 2024, 3 jours après", True),
        (None, False, "—", False),
        (pd.NaT, None, "—", False),
    ],
)
def test_resume_depot(appel, date_depot, presumee, attendu, en_retard):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : le 1er mars est à
    temps, chaque jour après compte ; une date présumée (celle de l'importation) est à
    vérifier, jamais un retard."""
    d = _demande(date_depot=date_depot, date_depot_presumee=presumee)
    valeur = dict(fiche.resume(d, appel))["Dépôt"]
    assert valeur.startswith(attendu), valeur
    assert ("dépôt en retard" in valeur) == en_retard


@pytest.mark.parametrize(
    ("axe", "attendu"),
    [
        (2, AXE_2),
        (2.0, AXE_2),  # colonne d'axes lue en flottants
        (
            1,
            "Axe 1 – Fournir un cadre stratégique à l'action internationale des villes et "
            "municipalités québécoises",
        ),
        (9, "Axe 9"),
        (None, "—"),
        (math.nan, "—"),
    ],
)
def test_libelle_axe(appel, axe, attendu):
    assert fiche.libelle_axe(appel, axe) == attendu
    assert dict(fiche.resume(_demande(axe=axe), appel))["Axe"] == attendu


@pytest.mark.parametrize(
    ("secteur", "attendu"),
    [
        ("mobilite-durable", "Mobilité durable"),  # identifiant
        ("Mobilité durable", "Mobilité durable"),  # libellé (tel que l'importation le stocke)
        ("Aérospatiale", "Aérospatiale"),  # inconnu : tel quel
        (None, "—"),
        ("", "—"),
    ],
)
def test_libelle_secteur(appel, secteur, attendu):
    assert fiche.libelle_secteur(appel, secteur) == attendu


@pytest.mark.parametrize(
    ("secondaires", "attendu"),
    [
        ("culture", "Culture"),
        (" cohesion-sociale ;Culture ; ", "Cohésion sociale, Culture"),
        ("Développement durable et carboneutralité", "Développement durable et carboneutralité"),
        (None, "—"),
        ("", "—"),
        (" ; ", "—"),
    ],
)
def test_resume_secteurs_secondaires(appel, secondaires, attendu):
    valeurs = dict(fiche.resume(_demande(secteurs_secondaires=secondaires), appel))
    assert valeurs["Secteurs secondaires"] == attendu


def test_resume_secteurs_secondaires_nan(appel):
    valeurs = dict(fiche.resume(_demande(secteurs_secondaires=math.nan), appel))
    assert valeurs["Secteurs secondaires"] == "—"


# --- Sur une demande importée (le chemin de la page Évaluation) ----------------------------


@pytest.fixture
def importee(moteur, appel):
    """(demandes, lignes de budget) d'un classeur importé : T-001 a une dépense non
    admissible (Salaires) et n'a ni montant d'année 2 ni secteurs secondaires."""

    def lire(nom: str):
        chemin = DONNEES / "problemes" / nom
        importer(verifier_lot([(chemin.name, chemin)], appel), appel, moteur=moteur)
        with moteur.connect() as c:
            return (
                stockage.lire_demandes(appel.id, connexion=c),
                stockage.lire_lignes_budget(appel.id, connexion=c),
            )

    return lire


def _ligne(demandes: pd.DataFrame, numero: str) -> dict:
    return demandes[demandes["no_demande"] == numero].iloc[0].to_dict()


def test_resume_d_une_demande_importee(appel, importee):
    demandes, _ = importee("depense-non-admissible.xlsx")
    valeurs = dict(fiche.resume(_ligne(demandes, "T-002"), appel))
    assert valeurs["Région"] == "05 – Estrie"
    assert valeurs["Axe"].startswith("Axe 1 – Fournir un cadre stratégique")
    assert valeurs["Secteurs secondaires"] == "Culture, Cohésion sociale"
    assert valeurs["Début"] == "1er juin 2024" and valeurs["Fin"] == "1er mars 2026"
    assert valeurs["Total demandé"] == _dollars("60 000 $")
    t1 = dict(fiche.resume(_ligne(demandes, "T-001"), appel))
    assert t1["Montant demandé, année 2"] == "—"
    assert t1["Total demandé"] == t1["Montant demandé, année 1"] == _dollars("20 000 $")
    assert t1["Municipalités partenaires"] == "—"
    t3 = dict(fiche.resume(_ligne(demandes, "T-003"), appel))
    assert t3["Montant demandé, année 1"] == _dollars("18 000,50 $")
    assert t3["Cofinancement externe"] == "—"


def test_resume_importee_sans_secteurs_secondaires(appel, importee):
    demandes, _ = importee("depense-non-admissible.xlsx")
    valeurs = dict(fiche.resume(_ligne(demandes, "T-001"), appel))
    assert valeurs["Secteurs secondaires"] == "—"


def test_budget_importe(importee):
    demandes, lignes = importee("depense-non-admissible.xlsx")
    t1 = int(_ligne(demandes, "T-001")["id"])
    t2 = int(_ligne(demandes, "T-002")["id"])
    table = fiche.budget(lignes[lignes["demande_id"] == t1])
    assert list(table.columns) == ["Année", "Catégorie", "Montant", "Admissible", "Description"]
    assert table.to_dict("records") == [
        {
            "Année": 1,
            "Catégorie": "Salaires",
            "Montant": _dollars("12 000 $"),
            "Admissible": "NON ADMISSIBLE",
            "Description": "Expertise portuaire",
        },
        {
            "Année": 1,
            "Catégorie": "Frais d'organisation logistique",
            "Montant": _dollars("8 000 $"),
            "Admissible": "oui",
            "Description": "Ateliers à Rimouski",
        },
    ]
    # Les lignes d'une autre demande (index qui ne commence pas à 0) : renumérotées.
    t2_table = fiche.budget(lignes[lignes["demande_id"] == t2])
    assert list(t2_table.index) == [0, 1, 2, 3, 4]
    assert list(t2_table["Année"]) == [1, 1, 1, 2, 2]
    assert t2_table.loc[1, "Montant"] == _dollars("300 $")
    assert set(t2_table["Admissible"]) == {"oui"}


def test_budget_de_la_fiche_en_quatre_colonnes(importee, appel):
    """La colonne de lecture est étroite (moins de la moitié de la page) : la dépense dit en
    une cellule la catégorie déclarée, sa description, un statut autre qu'« admissible » et
    la catégorie de l'appel quand elle diffère ; le retiré se lit de Montant et Compté."""
    demandes, lignes = importee("depense-non-admissible.xlsx")
    t1 = int(_ligne(demandes, "T-001")["id"])
    table = fiche.budget_de_la_fiche(lignes[lignes["demande_id"] == t1], appel)
    assert list(table.columns) == ["Année", "Dépense", "Montant", "Compté"]
    assert table.to_dict("records") == [
        {
            "Année": 1,
            "Dépense": "Salaires : Expertise portuaire — non admissible (catégorie de l'appel : "
            "Financement courant d'un organisme et rémunération de son personnel)",
            "Montant": _dollars("12 000 $"),
            "Compté": _dollars("0 $"),
        },
        {
            "Année": 1,
            "Dépense": "Frais d'organisation logistique : Ateliers à Rimouski (catégorie de "
            "l'appel : Frais d'organisation logistique directement liés à la réalisation du "
            "projet)",
            "Montant": _dollars("8 000 $"),
            "Compté": _dollars("8 000 $"),
        },
    ]
    vide = fiche.budget_de_la_fiche(lignes.iloc[0:0], appel)
    assert vide.empty and list(vide.columns) == list(table.columns)


def test_avertissements_importes(importee):
    demandes, _ = importee("sans-contribution.xlsx")
    assert fiche.avertissements(_ligne(demandes, "T-001")) == [
        "Ni contribution du demandeur ni cofinancement : l'appel « PAIVMQ 2023-2024 » attend "
        "l'une ou l'autre dans le montage financier."
    ]
    assert fiche.avertissements(_ligne(demandes, "T-002")) == []


def test_chaque_avertissement_montre_seul_commence_par_une_majuscule():
    """Toute la famille des constats de l'importation (écrits pour suivre « ligne 3 : ») :
    sur la fiche de l'évaluateur, chacun est une phrase."""
    d = {
        "avertissements": [
            {"message": "coût total (1 000 $) inférieur à la somme demandée"},
            "projet du 1er mai 2024 au 2 mai 2026 : hors de la période",
            {"message": "écart de 12 $"},
            {"message": "Déjà en majuscule."},
        ]
    }
    assert [a[:1] for a in fiche.avertissements(d)] == ["C", "P", "É", "D"]


# --- budget --------------------------------------------------------------------------------


def test_budget_lignes():
    lignes = pd.DataFrame(
        {
            "annee": [2, 1, 1],
            "categorie": ["Frais de visas", None, "Salaires"],
            "montant": [50, 2150000, 100000],
            "admissible": [True, None, False],
            "description": [None, "Catégorie inconnue", "Coordination"],
        },
        index=[7, 3, 12],
    )
    table = fiche.budget(lignes)
    assert list(table.columns) == ["Année", "Catégorie", "Montant", "Admissible", "Description"]
    assert list(table.index) == [0, 1, 2]
    assert list(table["Année"]) == [2, 1, 1]  # l'ordre reçu est gardé
    assert list(table["Catégorie"]) == ["Frais de visas", "", "Salaires"]
    assert list(table["Montant"]) == [_dollars("0,50 $"), _dollars("21 500 $"), _dollars("1 000 $")]
    assert list(table["Admissible"]) == ["oui", "à vérifier", "NON ADMISSIBLE"]
    assert list(table["Description"]) == ["", "Catégorie inconnue", "Coordination"]


def test_budget_admissible_nan():
    lignes = pd.DataFrame(
        {
            "annee": [1.0, 2.0],
            "categorie": ["A", "B"],
            "montant": [100.0, 200.0],
            "admissible": [math.nan, False],
            "description": ["x", "y"],
        }
    )
    table = fiche.budget(lignes)
    assert list(table["Admissible"]) == ["à vérifier", "NON ADMISSIBLE"]
    assert list(table["Année"]) == [1, 2]
    assert list(table["Montant"]) == [_dollars("1 $"), _dollars("2 $")]


def test_budget_vide():
    vide = pd.DataFrame(columns=["annee", "categorie", "montant", "admissible", "description"])
    table = fiche.budget(vide)
    assert table.empty
    assert list(table.columns) == ["Année", "Catégorie", "Montant", "Admissible", "Description"]


# --- avertissements ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("brut", "attendu"),
    [
        (
            [{"code": "a", "message": "premier"}, {"code": "b", "message": "second"}],
            ["Premier", "Second"],
        ),
        ([{"code": "sans_message"}], ["{'code': 'sans_message'}"]),
        (["texte brut", 3], ["Texte brut", "3"]),
        ([], []),
        (None, []),
        (math.nan, []),
        ("pas une liste", []),
    ],
)
def test_avertissements(brut, attendu):
    assert fiche.avertissements({"avertissements": brut}) == attendu


def test_avertissements_absents():
    assert fiche.avertissements({}) == []


def test_formulaire_sous_les_titres_du_gabarit(appel):
    """Les réponses au formulaire de l'appel, dans l'ordre et sous les titres du gabarit ;
    un champ vide (None, NaN, texte blanc) se dit « non fourni »."""
    d = {
        "objectifs": "Un plan d'action portuaire",
        "echeancier": math.nan,
        "retombees": "   ",
        "visibilite": "Conférence de presse",
        "resolution": "Résolution 2024-02-117",
    }
    assert fiche.formulaire(d, appel) == [
        ("Objectifs", "Un plan d'action portuaire"),
        ("Échéancier", "— (non fourni)"),
        ("Retombées attendues", "— (non fourni)"),
        ("Visibilité", "Conférence de presse"),
        ("Ressources humaines", "— (non fourni)"),
        ("Capacité financière", "— (non fourni)"),
        ("Résolution du conseil", "Résolution 2024-02-117"),
    ]


# --- Issue 18 : les dimensions déclarées par l'appel ----------------------------------------


@pytest.mark.parametrize(
    "demande",
    [
        # Une demande stockée (colonne JSON) et une ligne chargée pour classer (tuples).
        {"dimensions": {"priorites": ["environnement", "femmes"], "type-financement": []}},
        {"dimension:priorites": ("environnement", "femmes"), "dimension:type-financement": ()},
    ],
    ids=["stockee", "chargee"],
)
def test_resume_montre_chaque_dimension_et_rien_des_axes_absents(demande):
    from tests.dimensions import appel_avec_dimensions

    appel = appel_avec_dimensions(sans_axes_ni_secteurs=True)
    lignes = dict(fiche.resume(demande, appel))
    assert lignes["Priorités transversales"] == "Protection de l'environnement ; Droits des femmes"
    assert lignes["Type de financement"] == "—"
    assert {"Axe", "Secteur principal", "Secteurs secondaires"}.isdisjoint(lignes)
    assert fiche.classification(demande, appel) == [
        ("Priorités transversales", "Protection de l'environnement ; Droits des femmes"),
        ("Type de financement", "—"),
    ]


def test_resume_d_un_appel_avec_axes_garde_axe_et_secteurs_avant_les_dimensions():
    from tests.dimensions import appel_avec_dimensions

    appel = appel_avec_dimensions()
    libelles = [nom for nom, _ in fiche.resume({"axe": 1, "secteur": "innovation"}, appel)]
    i = libelles.index("Secteurs secondaires")
    assert libelles[i - 2 : i + 3] == [
        "Axe",
        "Secteur principal",
        "Secteurs secondaires",
        "Priorités transversales",
        "Type de financement",
    ]


def test_dimension_parmi_une_valeur_suffit():
    table = pd.DataFrame(
        {"dimension:priorites": [("environnement", "femmes"), ("jeunesse",), ()]}, index=[5, 6, 7]
    )
    assert fiche.dimension_parmi(table, "priorites", ["femmes"]).tolist() == [True, False, False]
    assert fiche.dimension_parmi(table, "priorites", ["femmes", "jeunesse"]).tolist() == [
        True,
        True,
        False,
    ]
    assert fiche.dimension_parmi(table, "autre", ["x"]).tolist() == [False, False, False]
