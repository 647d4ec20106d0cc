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
    """Chaque champ demandé nomme le critère qui le lit ; la phrase de l'appel :
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
