"""Le gabarit : en-têtes canoniques, alias reconnus, classeur téléchargeable."""

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from evaluation.depot.gabarit import (
    COLONNES_BUDGET,
    COLONNES_DEMANDES,
    LIGNE_BANDEAU,
    LIGNE_ENTETES,
    champs_demandes,
    cle_entete,
    colonnes_demandes,
    colonnes_du_gabarit,
    construire_gabarit,
)
from evaluation.depot.importation import importer
from evaluation.depot.lecture import FichierRefuse, lire_fichier
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from evaluation.socle.probleme import INFORMATION
from tests.conftest import (
    DEMANDE_MUNICIPALE,
    DEPENSES_MUNICIPALES,
    DONNEES,
    depenses,
    gabarit_rempli,
)
from tests.dimensions import appel_avec_dimensions, demande
from tests.dimensions import gabarit_rempli as gabarit_dimensions
from tests.donnees.cas import ENTETES_BUDGET, ENTETES_DEMANDES

GABARIT_LIVRE = DONNEES.parent.parent / "donnees" / "gabarit-demandes.xlsx"
# Le formulaire de l'appel (issue 18), ajouté en bloc à la fin.
ENTETES_FORMULAIRE = [
    "Objectifs",
    "Échéancier",
    "Retombées attendues",
    "Visibilité",
    "Ressources humaines",
    "Capacité financière",
    "Résolution du conseil",
]
# Les fichiers de test (tests/donnees) n'ont ni la colonne facultative « Date de dépôt »
# (issue 15 : leur importation retient la date du jour) ni le formulaire (issue 18).
ENTETES_GABARIT = [*ENTETES_DEMANDES, "Date de dépôt", *ENTETES_FORMULAIRE]
RESERVEES = ["No de demande", "Dossier complet", "Date de dépôt"]


def test_en_tetes_canoniques():
    assert [c.entete for c in COLONNES_DEMANDES] == ENTETES_GABARIT
    assert [c.entete for c in COLONNES_BUDGET] == [*ENTETES_BUDGET, "Titre du projet"]


@pytest.mark.parametrize(
    ("entete", "cle"),
    [
        ("No de demande", "no_demande"),
        ("NUMÉRO DE LA DEMANDE", "no_demande"),
        ("Numéro de la demande", "no_demande"),
        ("No", "no_demande"),
        ("no_demande", "no_demande"),
        ("Titre", "titre"),
        ("Region administrative", "region"),
        ("  Région   administrative ", "region"),
        ("Coût total du projet ($)", "cout_total"),
        ("Montant demandé - année 1 ($)", "montant_demande_an1"),
        ("Montant demandé – année 2", "montant_demande_an2"),
        ("montant_demande_an2", "montant_demande_an2"),
        ("Autre financement gouvernemental?", "autre_financement_gouvernemental"),
        ("Secteur", "secteur"),
        ("Courriel", "courriel"),
        ("E-mail", "courriel"),
        ("Date de dépôt", "date_depot"),
        ("Date de réception", "date_depot"),
        ("Déposée le", "date_depot"),
        ("Note interne", None),
    ],
)
def test_en_tete_reconnu(entete, cle):
    assert cle_entete(entete) == cle


@pytest.mark.parametrize(
    ("entete", "cle"), [("Année", "annee"), ("Catégorie", "categorie"), ("Montant ($)", "montant")]
)
def test_en_tete_budget_reconnu(entete, cle):
    assert cle_entete(entete, budget=True) == cle


def test_gabarit_construit(appel):
    """Ce que le demandeur remplit d'abord ; ce que le ministère inscrit (numéro, dossier
    complet, date de dépôt) ensuite, sous son propre bandeau."""
    wb = load_workbook(io.BytesIO(construire_gabarit(appel)))
    assert wb.sheetnames[:3] == ["Demandes", "Budget", "Explications"]
    entetes = [c.value for c in wb["Demandes"][LIGNE_ENTETES]]
    demandeur = [e for e in ENTETES_GABARIT if e not in RESERVEES]
    assert entetes == demandeur + RESERVEES
    bandeaux = [c.value for c in wb["Demandes"][LIGNE_BANDEAU]]
    assert bandeaux[0] == "À remplir par le demandeur"
    assert bandeaux[len(demandeur)] == "Réservé au ministère — laissez vide"
    assert [c.value for c in wb["Budget"][LIGNE_ENTETES]] == [
        "Année",
        "Catégorie de dépense",
        "Description",
        "Montant",
        "Titre du projet",
        "No de demande",
    ]
    listes = {
        str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
        for v in wb["Demandes"].data_validations.dataValidation
    }
    lettres = {e: get_column_letter(i) for i, e in enumerate(entetes, 1)}
    for entete in ("Axe", "Secteur principal", "Région administrative", "Dossier complet"):
        assert lettres[entete] in listes, entete
    explications = {
        r[1]: r[2] for r in wb["Explications"].iter_rows(min_row=2, values_only=True) if r[0]
    }
    assert set(ENTETES_GABARIT) <= set(explications)
    assert {explications[e] for e in RESERVEES} == {"réservé au ministère"}
    assert explications["Objectifs"] == "oui (critère « Pertinence et retombées »)"
    assert explications["Résolution du conseil"] == "non"
    secteurs = [r[1] for r in wb["Listes"].iter_rows(min_row=2, values_only=True) if r[1]]
    assert secteurs == [s.libelle for s in appel.secteurs]


def test_gabarit_livre_a_jour(appel):
    """donnees/gabarit-demandes.xlsx est celui que le code construit pour l'appel livré."""
    livre = load_workbook(GABARIT_LIVRE)
    construit = load_workbook(io.BytesIO(construire_gabarit(appel)))
    for nom in construit.sheetnames:
        valeurs = lambda f: [list(r) for r in f.iter_rows(values_only=True)]  # noqa: E731
        assert valeurs(livre[nom]) == valeurs(construit[nom]), nom


def test_gabarit_vierge_ne_contient_aucune_demande(appel):
    with pytest.raises(FichierRefuse, match="aucune demande"):
        lire_fichier("gabarit.xlsx", construire_gabarit(appel))


def test_gabarit_rempli_avec_les_listes_s_importe(appel):
    """Les valeurs des listes déroulantes (« 2 – Favoriser… », « 01 – Bas-Saint-Laurent »)
    sont reconnues à l'import."""
    listes = load_workbook(io.BytesIO(construire_gabarit(appel)))["Listes"]
    demande = {
        **DEMANDE_MUNICIPALE,
        "Axe": listes["A3"].value,
        "Région administrative": listes["C2"].value,
        "Montant demandé – année 1": 10000,
    }
    budget = [
        {"Année": listes["G2"].value, "Catégorie de dépense": listes["F2"].value, "Montant": 10000}
    ]
    contenu = gabarit_rempli(appel, [demande], budget)
    verification = verifier_lot([("rempli.xlsx", contenu)], appel)
    assert [p.code for p in verification.problemes if p.severite != "information"] == []
    (d,) = verification.demandes
    assert (d.valeurs["axe"], d.valeurs["region"]) == (2, "01")


def test_gabarit_rempli_par_une_municipalite_s_importe_sans_ecart(moteur, appel):
    """Issue 18, « Done when » : le gabarit, rempli comme une municipalité le remplit (ses
    seules colonnes, un budget qui égale la subvention demandée par année), s'importe sans
    aucun écart ni avertissement. Seules deux informations : le numéro que l'importation
    attribue (le ministère le donne) et la date de dépôt, celle de l'importation."""
    contenu = gabarit_rempli(appel, [DEMANDE_MUNICIPALE], depenses(DEPENSES_MUNICIPALES))
    verification = verifier_lot([("rimouski.xlsx", contenu)], appel)
    assert [(p.code, p.message) for p in verification.problemes if p.severite != INFORMATION] == []
    assert {p.code for p in verification.problemes} == {"numero_attribue", "date_depot_vide"}

    rapport = importer(verification, appel, moteur=moteur)
    assert rapport.creees == ["PAIVMQ-2023-2024-001"]
    assert rapport.numeros_attribues == [
        "PAIVMQ-2023-2024-001 : « Jumelage maritime Rimouski-Brest » (rimouski.xlsx, ligne 3)"
    ]
    with moteur.connect() as c:
        (d,) = stockage.lire_demandes(appel.id, connexion=c).to_dict("records")
        lignes = stockage.lire_lignes_budget(appel.id, connexion=c)
    assert d["objectifs"] == DEMANDE_MUNICIPALE["Objectifs"]
    assert d["capacite_financiere"] == DEMANDE_MUNICIPALE["Capacité financière"]
    assert d["resolution"] == DEMANDE_MUNICIPALE["Résolution du conseil"]
    assert pd.isna(d["dossier_complet"])  # constat de l'analyste, à l'examen d'admissibilité
    assert not [a for a in d["avertissements"] if a["severite"] != INFORMATION]
    assert int(lignes["montant"].sum()) == int(d["montant_demande_an1"]) == 2_000_000


def test_explications_du_budget_disent_ce_que_l_importation_compare(appel):
    """La feuille Explications dit ce que la feuille Budget contient : la subvention demandée
    répartie par année financière (la somme des lignes d'une année, toutes catégories, est
    comparée au montant demandé de cette année : `admissibilite.constats_budget`), pas le
    coût total ; les dépenses non admissibles de l'appel et le plafond des visas (« jusqu'à
    concurrence de 500 $ »)."""
    wb = load_workbook(io.BytesIO(construire_gabarit(appel)))
    textes = " ".join(
        str(v) for r in wb["Explications"].iter_rows(values_only=True) for v in r if v
    )
    assert "total de l'année 1 = « Montant demandé – année 1 »" in textes
    assert "du 1er avril 2024 au 31 mars 2025" in textes
    assert "N'y inscrivez pas le coût total du projet" in textes
    for c in appel.categories:
        assert c.libelle in textes
    assert "jusqu'à 500\u00a0$ par demande" in textes


def test_le_formulaire_suit_les_criteres_de_l_appel(appel):
    """Chaque champ demandé nomme le critère qui le lit (`[[criteres]] champs` du TOML, plus
    rien dans le code) ; la phrase de l'appel :
    - « La pertinence du projet et de ses objectifs ainsi que les retombées escomptées »
      (objectifs, retombées) ;
    - « Les justificatifs de la demande et la qualité des documents présentés (description
      du projet, montage financier, échéancier, etc.) » (résumé, échéancier) ;
    - « La capacité de l'organisme demandeur à réaliser le projet sur le plan des
      ressources financières et humaines » (ressources humaines, capacité financière) ;
    - « La visibilité prévue, la mise en valeur du projet et des résultats ainsi que le
      rayonnement du Québec à l'international » (visibilité).
    La résolution du conseil : interprétation, l'appel ne la demande pas (facultative). Un
    appel qui ne déclare pas un critère ne demande pas ses champs."""
    import dataclasses

    demandes = {c.cle: k.id for c, k in champs_demandes(appel)}
    assert demandes == {
        "resume": "qualite-dossier",
        "objectifs": "pertinence",
        "echeancier": "qualite-dossier",
        "retombees": "pertinence",
        "visibilite": "visibilite",
        "ressources_humaines": "capacite",
        "capacite_financiere": "capacite",
    }
    sans_capacite = dataclasses.replace(
        appel, criteres=tuple(k for k in appel.criteres if k.id != "capacite")
    )
    assert {c.cle for c, _ in champs_demandes(sans_capacite)} == set(demandes) - {
        "ressources_humaines",
        "capacite_financiere",
    }


@pytest.mark.parametrize(
    ("modele", "demandes"),
    [
        (
            "qsf-modele",
            {"partenaires_etrangers": "partenariat", "objectifs": "partenariat"}
            | {"retombees": "retombees"},
        ),
        (
            "ffqcd-2021-2022",
            {"objectifs": "themes", "partenaires_etrangers": "cooperation"}
            | {"retombees": "retombees", "echeancier": "faisabilite"}
            | {"ressources_humaines": "faisabilite", "capacite_financiere": "faisabilite"},
        ),
    ],
)
def test_le_formulaire_des_modeles_vient_de_leurs_criteres(modele, demandes):
    """Issue 18 : QSF et FFQCD n'ont aucun critère du PAIVMQ ; leur gabarit demande en rouge
    les champs que LEURS critères lisent (réglage du comité : les textes ne décrivent pas de
    formulaire), et rien d'autre."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.appels.edition import DOSSIER_MODELES

    modele_appel = charger_appel(DOSSIER_MODELES / f"{modele}.toml")
    assert {c.cle: k.id for c, k in champs_demandes(modele_appel)} == demandes
    wb = load_workbook(io.BytesIO(construire_gabarit(modele_appel)))
    rouges = {
        c.value for c in wb["Demandes"][LIGNE_ENTETES] if c.fill.fgColor.rgb.endswith("9C2A00")
    }
    assert {col.entete for col, _ in champs_demandes(modele_appel)} <= rouges
    assert "Visibilité" not in rouges


def test_le_gabarit_n_annonce_aucune_bonification():
    """« peut permettre la bonification de la subvention » : l'appel ne chiffre rien ; le
    gabarit livré ne promet donc aucun montant de bonification."""
    from openpyxl import load_workbook

    from evaluation.socle.chemins import DONNEES

    livre = load_workbook(DONNEES / "gabarit-demandes.xlsx")
    textes = [
        str(c.value).casefold()
        for f in livre.worksheets
        for ligne in f.iter_rows()
        for c in ligne
        if c.value is not None
    ]
    assert not [t for t in textes if "bonifi" in t or "10000" in t or "10 000" in t]
    assert any("25\u00a0000\u00a0$ par année" in t for t in textes)


def test_le_gabarit_cite_l_appel_mot_pour_mot(appel):
    """La feuille d'explications cite la phrase du plafond telle que l'appel l'écrit (sa
    source déclarée), sans la retoucher, et n'annonce aucune bonification : « peut permettre
    la bonification de la subvention » ne donne aucun montant."""
    import re

    def sans_blancs(texte: str) -> str:
        return re.sub(r"\s+", " ", texte).strip()

    texte_appel = (DONNEES / "appel-paivmq-2023-2024.txt").read_text(encoding="utf-8")
    wb = load_workbook(io.BytesIO(construire_gabarit(appel)))
    cellules = [str(c) for f in wb for r in f.iter_rows(values_only=True) for c in r if c]
    (plafond,) = [c for c in cellules if "La subvention demandée" in c]
    citation = plafond[plafond.index("« ") + 2 : plafond.index(" »")]
    assert "ce montant" not in plafond
    assert citation.startswith("La subvention demandée pour un projet retenu")
    assert sans_blancs(citation) in sans_blancs(texte_appel)
    assert not any("bonification" in c.lower() and "$" in c for c in cellules)


# --- Issue 18 : les dimensions que l'appel déclare ------------------------------------------


def _colonne(feuille, entete: str) -> str:
    (lettre,) = [c.column_letter for c in feuille[LIGNE_ENTETES] if c.value == entete]
    return lettre


def test_gabarit_une_colonne_par_dimension_declaree():
    """Chaque dimension déclarée a sa colonne (en-tête = libellé), rouge si obligatoire ; son
    aide dit ses valeurs et, si elle en permet plusieurs, de les séparer par « ; » ; la
    feuille Listes porte ses valeurs ; une dimension à une valeur a sa liste déroulante."""
    appel = appel_avec_dimensions()
    wb = load_workbook(io.BytesIO(construire_gabarit(appel)))
    demandes = wb["Demandes"]
    entetes = [c.value for c in demandes[LIGNE_ENTETES]]
    assert entetes.index("Secteurs secondaires") + 1 == entetes.index("Priorités transversales")
    assert entetes.index("Type de financement") + 1 == entetes.index("Date de début")
    priorites, financement = (
        demandes[f"{_colonne(demandes, e)}{LIGNE_ENTETES}"]
        for e in ("Priorités transversales", "Type de financement")
    )
    assert priorites.fill.fgColor.rgb.endswith("1F4E79")  # facultative
    assert financement.fill.fgColor.rgb.endswith("9C2A00")  # obligatoire
    explications = {
        r[1]: r for r in wb["Explications"].iter_rows(min_row=2, values_only=True) if r[0]
    }
    assert explications["Priorités transversales"][2:4] == (
        "non",
        "Les priorités que le projet sert. Une ou plusieurs valeurs, séparées par « ; » parmi : "
        "Protection de l'environnement ; Droits des femmes ; Jeunesse.",
    )
    assert explications["Type de financement"][2:4] == (
        "oui",
        "Une seule valeur parmi : Soutien à la mission globale ; Projets ponctuels.",
    )
    listes = {
        colonne[0].value: [c.value for c in colonne[1:] if c.value]
        for colonne in wb["Listes"].iter_cols()
    }
    assert listes["dimension:type-financement"] == [
        "Soutien à la mission globale",
        "Projets ponctuels",
    ]
    assert listes["dimension:priorites"] == [
        "Protection de l'environnement",
        "Droits des femmes",
        "Jeunesse",
    ]
    validations = {
        str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
        for v in demandes.data_validations.dataValidation
    }
    lettre_listes = next(
        c.column_letter for c in wb["Listes"][1] if c.value == "dimension:type-financement"
    )
    assert validations[_colonne(demandes, "Type de financement")] == (
        f"=Listes!${lettre_listes}$2:${lettre_listes}$3"
    )
    # Plusieurs valeurs ne tiennent pas dans une liste déroulante : l'aide le dit.
    assert _colonne(demandes, "Priorités transversales") not in validations


def test_gabarit_d_un_appel_sans_axes_ni_secteurs():
    """Un appel sans [[axes]] ni [[secteurs]] n'a ni colonne ni liste pour eux."""
    appel = appel_avec_dimensions(sans_axes_ni_secteurs=True)
    wb = load_workbook(io.BytesIO(construire_gabarit(appel)))
    entetes = [c.value for c in wb["Demandes"][LIGNE_ENTETES]]
    assert {"Axe", "Secteur principal", "Secteurs secondaires"}.isdisjoint(entetes)
    assert {"Priorités transversales", "Type de financement", "Titre du projet"} <= set(entetes)
    explications = {r[1] for r in wb["Explications"].iter_rows(min_row=2, values_only=True)}
    assert {"Axe", "Secteur principal"}.isdisjoint(explications)
    assert {c.value for c in wb["Listes"][1]}.isdisjoint({"axe", "secteur"})


def test_gabarit_rempli_d_un_appel_a_dimensions_s_importe_sans_ecart():
    """Le gabarit rempli comme un demandeur le ferait (valeurs des listes) s'importe sans
    autre constat que les informations."""
    for sans in (False, True):
        appel = appel_avec_dimensions(sans_axes_ni_secteurs=sans)
        contenu = gabarit_dimensions(
            appel,
            [demande(appel, "Q-1", **{"dimension:priorites": "Droits des femmes ; Jeunesse"})],
        )
        verification = verifier_lot([("rempli.xlsx", contenu)], appel)
        assert [p.message for p in verification.problemes if p.severite != "information"] == []
        (d,) = verification.demandes
        assert d.valeurs["dimensions"] == {
            "priorites": ["femmes", "jeunesse"],
            "type-financement": ["ponctuel"],
        }


# --- Le demandeur organisme (issue 18) ------------------------------------------------------

ENTETES_ORGANISME_DEBUT = [
    "No de demande",
    "Organisme requérant",
    "NEQ",
    "Municipalité du siège",
    "Région administrative",
]


def test_colonnes_selon_le_type_de_demandeur(appel, appel_organisme):
    assert colonnes_demandes() == COLONNES_DEMANDES
    # Mêmes colonnes pour l'appel livré ; seule l'aide du signataire suit sa liste.
    assert [c.cle for c in colonnes_demandes(appel)] == [c.cle for c in COLONNES_DEMANDES]
    organisme = colonnes_demandes(appel_organisme)
    assert [c.entete for c in organisme][:5] == ENTETES_ORGANISME_DEBUT
    par_cle = {c.cle: c for c in organisme}
    assert par_cle["organisme"].obligatoire and par_cle["neq"].obligatoire
    assert par_cle["municipalite"].entete == "Municipalité du siège"
    # La bonification d'un projet conjoint vise « plusieurs acteurs municipaux ».
    assert "municipalites_partenaires" not in par_cle
    # Le reste du formulaire ne change pas.
    communes = [c.cle for c in COLONNES_DEMANDES if c.cle not in ("municipalite", "region")]
    assert [c.cle for c in organisme if c.cle in communes] == [
        c for c in communes if c != "municipalites_partenaires"
    ]


def test_gabarit_d_organismes(appel_organisme):
    wb = load_workbook(io.BytesIO(construire_gabarit(appel_organisme)))
    entetes = [c.value for c in wb["Demandes"][LIGNE_ENTETES]]
    du_demandeur, du_ministere = colonnes_du_gabarit(colonnes_demandes(appel_organisme))
    assert entetes == [c.entete for c in du_demandeur + du_ministere]
    # Le numéro, réservé au ministère, passe à la fin : l'organisme vient en tête.
    assert entetes[:4] == ENTETES_ORGANISME_DEBUT[1:]
    assert entetes[-3:] == ["No de demande", "Dossier complet", "Date de dépôt"]
    # La résolution d'un organisme est celle de son conseil d'administration.
    assert "Résolution du conseil d'administration" in entetes
    assert "Résolution du conseil" not in entetes
    assert "Municipalités partenaires" not in entetes
    assert "Municipalité requérante" not in entetes
    # Le NEQ est au format Texte : Excel n'en fait pas 1,14568E+09.
    lettre_neq = chr(ord("A") + entetes.index("NEQ"))
    assert wb["Demandes"][f"{lettre_neq}{LIGNE_ENTETES + 1}"].number_format == "@"
    # Les listes déroulantes suivent leurs colonnes (la région, décalée par le NEQ).
    listes = {
        str(v.sqref).split(":")[0][0]: v.formula1
        for v in wb["Demandes"].data_validations.dataValidation
    }
    region = chr(ord("A") + entetes.index("Région administrative"))
    assert listes[region].startswith("=Listes!$C$")
    assert [r[2] for r in wb["Listes"].iter_rows(min_row=2, max_row=2, values_only=True)] == [
        f"{appel_organisme.regions[0].code} – {appel_organisme.regions[0].nom}"
    ]
    explications = [r[1] for r in wb["Explications"].iter_rows(min_row=2, values_only=True)]
    assert {"Organisme requérant", "NEQ", "Municipalité du siège"} <= set(explications)


@pytest.mark.parametrize(
    ("entete", "cle"),
    [
        ("Organisme requérant", "organisme"),
        ("Nom de l'organisme", "organisme"),
        ("Organisme demandeur", "organisme"),
        ("NEQ", "neq"),
        ("Numéro d'entreprise du Québec", "neq"),
        ("NEQ de l'organisme", "neq"),
        ("No NEQ", "neq"),
        ("Municipalité du siège", "municipalite"),
        ("Ville du siège social", "municipalite"),
        ("Municipalité requérante", "municipalite"),  # l'ancien modèle QSF
        ("Région du siège", "region"),
        ("Municipalités partenaires", None),
    ],
)
def test_en_tete_d_organisme_reconnu(appel_organisme, entete, cle):
    assert cle_entete(entete, appel=appel_organisme) == cle


def test_organisme_demandeur_nomme_la_municipalite_d_un_appel_municipal(appel):
    """Sans changer les fichiers de municipalités : « Organisme demandeur » y reste un
    synonyme de la municipalité requérante, et « NEQ » n'y est pas une colonne."""
    assert cle_entete("Organisme demandeur", appel=appel) == "municipalite"
    assert cle_entete("Organisme demandeur") == "municipalite"
    assert cle_entete("NEQ", appel=appel) is None


def test_gabarit_d_organismes_rempli_s_importe(appel_organisme):
    """Le gabarit d'organismes, rempli comme un OCI le ferait (NEQ espacé, région vide,
    valeurs des listes), s'importe sans écart."""
    wb = load_workbook(io.BytesIO(construire_gabarit(appel_organisme)))
    entetes = [c.value for c in wb["Demandes"][LIGNE_ENTETES]]
    valeurs = {
        "No de demande": "Q-1",
        "Organisme requérant": "Solidarité Nord-Sud de Rimouski",
        "NEQ": "1145 678 901",
        "Municipalité du siège": "Rimouski",
        "Titre du projet": "Eau potable à Kara",
        "Axe": wb["Listes"]["A3"].value,
        "Secteur principal": "Culture",
        "Date de début": "2024-05-01",
        "Date de fin": "2025-01-31",
        "Coût total du projet": 30000,
        "Montant demandé – année 1": 10000,
        "Contribution du demandeur": 20000,
        "Qualité du signataire": appel_organisme.qualites_signataire[0],
        "Courriel": "a@b.example",
    }
    # Les réponses au formulaire que les critères de l'appel demandent.
    valeurs |= {c.entete: f"Réponse : {c.entete}" for c, _ in champs_demandes(appel_organisme)}
    ligne = LIGNE_ENTETES + 1
    for entete, valeur in valeurs.items():
        wb["Demandes"].cell(ligne, entetes.index(entete) + 1).value = valeur
    budget = [c.value for c in wb["Budget"][LIGNE_ENTETES]]
    for entete, valeur in {
        "No de demande": "Q-1",
        "Année": "1",
        "Catégorie de dépense": wb["Listes"]["F2"].value,
        "Description": "x",
        "Montant": 10000,
    }.items():
        wb["Budget"].cell(ligne, budget.index(entete) + 1).value = valeur
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("oci.xlsx", sortie.getvalue())], appel_organisme)
    assert [p.code for p in verification.problemes if p.severite != "information"] == []
    (d,) = verification.demandes
    assert (d.valeurs["neq"], d.valeurs["region"], d.valeurs["axe"]) == ("1145678901", "01", 2)


def _rempli_de_ses_exemples(appel_) -> bytes:
    """Le gabarit de l'appel, une demande et une dépense remplies EXACTEMENT avec les
    exemples de sa feuille Explications."""
    wb = load_workbook(io.BytesIO(construire_gabarit(appel_)))
    for feuille, colonne, _, _, exemple in wb["Explications"].iter_rows(
        min_row=2, values_only=True
    ):
        if feuille not in ("Demandes", "Budget") or not exemple:
            continue
        entetes = [c.value for c in wb[feuille][LIGNE_ENTETES]]
        wb[feuille].cell(LIGNE_ENTETES + 1, entetes.index(colonne) + 1).value = exemple
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


@pytest.mark.parametrize("modele", ["qsf-modele", "ffqcd-2021-2022"])
def test_gabarit_rempli_de_ses_exemples_sans_ecart_de_date_ni_de_categorie(modele):
    """Issue 18 : les exemples viennent de l'appel — dates dans sa première année
    financière, première catégorie admissible, numéro fait de son nom court, demandeur de
    son type. Suivre l'exemple ne déclenche ni avertissement de date ni catégorie inconnue,
    et rien de municipal ne reste dans le gabarit d'un organisme."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.appels.edition import DOSSIER_MODELES

    modele_appel = charger_appel(DOSSIER_MODELES / f"{modele}.toml")
    contenu = _rempli_de_ses_exemples(modele_appel)
    verification = verifier_lot([(f"{modele}.xlsx", contenu)], modele_appel)
    # Avant : « hors_periode » (dates du PAIVMQ), « categorie_inconnue », « qualite_inconnue »,
    # « budget_ecart ». Aucun écart, sauf l'information de la date de dépôt vide.
    assert [p.code for p in verification.problemes] == ["date_depot_vide"]
    (enregistrement,) = verification.demandes
    d = enregistrement.valeurs
    prefixe = modele_appel.nom_court.split()[0].upper()
    assert d["no_demande"].startswith(prefixe + "-")
    debut, fin = modele_appel.financement.annees_financieres()[0]
    assert debut <= d["date_debut"] <= d["date_fin"] <= fin
    textes = " ".join(
        str(v)
        for r in load_workbook(io.BytesIO(contenu))["Explications"].iter_rows(values_only=True)
        for v in r
        if v
    )
    assert "PAIVMQ" not in textes and "Ressources professionnelles externes" not in textes
    if modele_appel.demandeur_organisme:
        assert d["organisme"] == "Organisme de coopération XYZ"
        for municipal in ("de la municipalité", "la Ville", "site de la Ville"):
            assert municipal not in textes


# --- Colonnes propres aux conditions d'un appel (issue 18) ------------------------------------

COLONNES_PAIVMQ = {
    "autre_financement_gouvernemental": "Autre financement gouvernemental",
    "budget_detaille": "Budget détaillé",
    "engagement_rapport": "Engagement à produire un rapport",
}
MODELES = DONNEES.parent.parent / "donnees" / "modeles"


@pytest.mark.parametrize("modele", ["qsf-modele.toml", "ffqcd-2021-2022.toml"])
def test_gabarit_sans_les_colonnes_qu_aucune_condition_ne_lit(appel, modele):
    """PAIVMQ : « ne pas recevoir de financement d'un autre programme gouvernemental ;
    comporter un budget détaillé » et « s'engager à produire un rapport financier et
    narratif » sont des conditions de sa liste, qui lisent ces colonnes ; QSF et le FFQCD
    n'en ont aucune : leur gabarit ne les demande pas, et un fichier qui les porte les voit
    mises à part (rien n'en est stocké)."""
    from evaluation.appels.configuration import charger_appel

    assert set(COLONNES_PAIVMQ) <= {c.cle for c in colonnes_demandes(appel)}
    autre = charger_appel(MODELES / modele)
    assert set(COLONNES_PAIVMQ).isdisjoint(c.cle for c in colonnes_demandes(autre))
    wb = load_workbook(io.BytesIO(construire_gabarit(autre)))
    entetes = {c.value for c in wb["Demandes"][LIGNE_ENTETES]}
    assert entetes.isdisjoint(COLONNES_PAIVMQ.values())
    assert "Qualité du signataire" in entetes


def test_colonne_presente_si_et_seulement_si_une_condition_la_lit(appel):
    """Retirer la condition « budget-detaille » retire sa seule colonne."""
    import dataclasses

    sans = dataclasses.replace(
        appel, conditions=tuple(c for c in appel.conditions if c.champ != "budget_detaille")
    )
    cles = {c.cle for c in colonnes_demandes(sans)}
    assert "budget_detaille" not in cles
    assert {"autre_financement_gouvernemental", "engagement_rapport"} <= cles


def test_aide_de_la_qualite_du_signataire_suit_la_liste_de_l_appel(appel):
    from evaluation.appels.configuration import charger_appel

    for a in (appel, charger_appel(MODELES / "qsf-modele.toml")):
        (colonne,) = [c for c in colonnes_demandes(a) if c.cle == "qualite_signataire"]
        assert all(q in colonne.aide for q in a.qualites_signataire)
        assert colonne.exemple in a.qualites_signataire
    qsf = charger_appel(MODELES / "qsf-modele.toml")
    (colonne,) = [c for c in colonnes_demandes(qsf) if c.cle == "qualite_signataire"]
    assert "fonctionnaire" not in colonne.aide.lower() and "élu" not in colonne.aide.lower()
