"""Cas de test des fichiers de demandes : en-têtes du gabarit et fichiers à problème.

Module de données pur (bibliothèque standard seulement). Chaque cas de ``CAS_PROBLEMES``
décrit ``problemes/<nom>.xlsx`` : le classeur de base (trois demandes valides, T-001 à
T-003, lignes 2 à 4) modifié par ``modifications`` — des quadruplets
(feuille, ligne Excel, en-tête, nouvelle valeur), où ``None`` vide la cellule et
``SUPPRIMER_COLONNE`` (avec la ligne ``None``) retire la colonne. ``feuille``, ``ligne`` et
``colonne`` disent où l'importateur doit signaler le problème ``code``.
"""

from datetime import date
from pathlib import Path

DOSSIER = Path(__file__).resolve().parent
SUPPRIMER_COLONNE = "SUPPRIMER_COLONNE"

ENTETES_DEMANDES = [
    "No de demande",
    "Municipalité requérante",
    "Région administrative",
    "Municipalités partenaires",
    "Partenaires étrangers",
    "Pays",
    "Titre du projet",
    "Résumé",
    "Axe",
    "Secteur principal",
    "Secteurs secondaires",
    "Date de début",
    "Date de fin",
    "Coût total du projet",
    "Montant demandé – année 1",
    "Montant demandé – année 2",
    "Contribution du demandeur",
    "Cofinancement externe",
    "Autre financement gouvernemental",
    "Dossier complet",
    "Budget détaillé",
    "Engagement à produire un rapport",
    "Qualité du signataire",
    "Courriel",
]
ENTETES_BUDGET = ["No de demande", "Année", "Catégorie de dépense", "Description", "Montant"]

# Lignes de la feuille Budget de base : 2-3 T-001 (an 1 : ressources 12 000, logistique
# 8 000) ; 4-6 T-002 an 1 (colloque 20 000, visas 300, maillage 9 700) ; 7-8 T-002 an 2
# (collaborations virtuelles 10 000, publication 20 000) ; 9 T-003 an 1 (accueil 18 000,50).

# Fichiers de formats/ qui contiennent exactement les trois demandes de base.
FORMATS_VALIDES = [
    "valide.xlsx",
    "valide.xlsm",
    "valide.xls",
    "valide.ods",
    "virgule-utf8.csv",
    "pointvirgule-bom.csv",
    "pointvirgule-cp1252.csv",
    "texte-unicode.txt",
    "desordonne.xlsx",
]
# Formulaire d'une seule demande (T-001) et budget seul, en CSV.
FORMULAIRE = "formulaire.xlsx"
BUDGET_CSV = "budget-pointvirgule.csv"
# Fichiers de refus/ que l'importateur doit refuser proprement (sans planter ni tout lire).
FICHIERS_REFUSES = [
    "bombe.xlsx",
    "mot-de-passe.xlsx",
    "pdf-deguise.xlsx",
    "texte-deguise.xlsx",
    "vide.xlsx",
    "corrompu.xlsx",
]


def _cas(nom, modifications, code, severite, ligne, colonne, feuille="Demandes", **extra):
    return {
        "nom": nom,
        "modifications": modifications,
        "code": code,
        "severite": severite,
        "feuille": feuille,
        "ligne": ligne,
        "colonne": colonne,
        **extra,
    }


AN1 = "Montant demandé – année 1"
BLOQUANT, AVERTISSEMENT = "bloquant", "avertissement"

# fmt: off
CAS_PROBLEMES = [
    _cas("colonne-manquante", [("Demandes", None, "Titre du projet", SUPPRIMER_COLONNE)],
         "colonne_manquante", BLOQUANT, 1, "Titre du projet"),
    _cas("valeur-manquante", [("Demandes", 3, "Titre du projet", None)],
         "valeur_manquante", BLOQUANT, 3, "Titre du projet"),
    # Les lignes budgétaires de T-002 (4 à 8) sont vidées : sinon elles deviendraient
    # des « demandes inconnues ».
    _cas("doublon",
         [("Demandes", 3, "No de demande", "T-001")]
         + [("Budget", n, col, None) for n in range(4, 9) for col in ENTETES_BUDGET],
         "doublon", BLOQUANT, 3, "No de demande"),
    _cas("axe-inconnu", [("Demandes", 3, "Axe", 7)],
         "axe_inconnu", BLOQUANT, 3, "Axe"),
    _cas("secteur-inconnu", [("Demandes", 3, "Secteur principal", "Agriculture")],
         "secteur_inconnu", BLOQUANT, 3, "Secteur principal"),
    _cas("region-inconnue", [("Demandes", 3, "Région administrative", "Région 42")],
         "region_inconnue", BLOQUANT, 3, "Région administrative"),
    _cas("montant-negatif", [("Demandes", 3, "Coût total du projet", "-5 000 $")],
         "montant_negatif", BLOQUANT, 3, "Coût total du projet"),
    _cas("montant-illisible", [("Demandes", 3, AN1, "vingt mille")],
         "montant_illisible", BLOQUANT, 3, AN1),
    _cas("date-illisible", [("Demandes", 3, "Date de début", "bientôt")],
         "date_illisible", BLOQUANT, 3, "Date de début"),
    _cas("dates-inversees", [("Demandes", 3, "Date de fin", date(2024, 1, 15))],
         "dates_inversees", BLOQUANT, 3, "Date de fin"),
    # La ligne 3 (logistique de T-001) passe à 20 000 : l'année 1 de T-001 reste
    # équilibrée une fois la ligne fautive écartée.
    _cas("annee-invalide", [("Budget", 2, "Année", 3), ("Budget", 3, "Montant", 20000)],
         "annee_invalide", BLOQUANT, 2, "Année", feuille="Budget"),
    _cas("demande-inconnue",
         [("Budget", 2, "No de demande", "T-999"), ("Budget", 3, "Montant", 20000)],
         "demande_inconnue", BLOQUANT, 2, "No de demande", feuille="Budget"),
    # Budget rééquilibré (ressources 20 000 + logistique 8 000) et cofinancement porté à
    # 7 000 pour que le montage financier reste juste.
    _cas("plafond-depasse",
         [("Demandes", 2, AN1, 28000), ("Demandes", 2, "Coût total du projet", 50000),
          ("Demandes", 2, "Cofinancement externe", 7000), ("Budget", 2, "Montant", 20000)],
         "plafond_depasse", AVERTISSEMENT, 2, AN1),
    _cas("cout-inferieur-demande", [("Demandes", 3, "Coût total du projet", 50000)],
         "cout_inferieur_demande", AVERTISSEMENT, 3, "Coût total du projet"),
    _cas("sans-contribution",
         [("Demandes", 2, "Contribution du demandeur", None),
          ("Demandes", 2, "Cofinancement externe", None)],
         "sans_contribution", AVERTISSEMENT, 2, "Contribution du demandeur"),
    _cas("autre-financement", [("Demandes", 2, "Autre financement gouvernemental", "oui")],
         "autre_financement", AVERTISSEMENT, 2, "Autre financement gouvernemental"),
    _cas("depense-non-admissible", [("Budget", 2, "Catégorie de dépense", "Salaires")],
         "depense_non_admissible", AVERTISSEMENT, 2, "Catégorie de dépense",
         feuille="Budget"),
    _cas("plafond-visas", [("Budget", 5, "Montant", 800), ("Budget", 6, "Montant", 9200)],
         "plafond_visas", AVERTISSEMENT, 5, "Montant", feuille="Budget"),
    _cas("budget-ecart", [("Budget", 3, "Montant", 7000)],
         "budget_ecart", AVERTISSEMENT, 2, AN1),
    _cas("municipalite-inconnue", [("Demandes", 4, "Municipalité requérante", "Gatinoville")],
         "municipalite_inconnue", AVERTISSEMENT, 4, "Municipalité requérante"),
    _cas("region-contradictoire", [("Demandes", 2, "Région administrative", "16")],
         "region_contradictoire", AVERTISSEMENT, 2, "Région administrative"),
]

CAS_SUGGESTIONS = [
    _cas("suggestion-secteur", [("Demandes", 4, "Secteur principal", "Mobilité durabe")],
         "secteur_inconnu", BLOQUANT, 4, "Secteur principal",
         suggestion="Mobilité durable"),
    _cas("suggestion-municipalite", [("Demandes", 3, "Municipalité requérante", "Sherbroke")],
         "municipalite_inconnue", AVERTISSEMENT, 3, "Municipalité requérante",
         suggestion="Sherbrooke"),
]
# fmt: on


def chemin_probleme(cas: dict) -> Path:
    """Chemin du classeur d'un cas de ``CAS_PROBLEMES`` ou de ``CAS_SUGGESTIONS``."""
    return DOSSIER / "problemes" / f"{cas['nom']}.xlsx"
