"""Génère donnees/demo/demandes-demo.xlsx : 80 demandes fictives à l'appel PAIVMQ 2023-2024.

Le script est déterministe (random.Random(2024)) et n'utilise que la bibliothèque standard et
openpyxl. Les municipalités requérantes et partenaires sont réelles (répertoire du MAMH); les
projets, montants et personnes sont inventés.

Usage : python donnees/demo/generer_demo.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
import sys
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

ICI = Path(__file__).resolve().parent
sys.path.insert(0, str(ICI.parent.parent))
from evaluation.depot.gabarit import COLONNES_BUDGET, COLONNES_DEMANDES  # noqa: E402

DONNEES = ICI.parent
APPEL = DONNEES / "appels" / "paivmq-2023-2024.toml"
MUNICIPALITES = DONNEES / "municipalites_quebec.csv"
SORTIE = ICI / "demandes-demo.xlsx"

GRAINE = 2024
PREFIXE = "PAIVMQ-2024-"

# Les en-têtes sont ceux du gabarit : une seule définition, dans evaluation/depot/gabarit.py.
ENTETES_DEMANDES = [c.entete for c in COLONNES_DEMANDES]
ENTETES_BUDGET = [c.entete for c in COLONNES_BUDGET]

# Number of applications per administrative region (sum = 80, at least 2 each).
DEMANDES_PAR_REGION = {
    "01": 5, "02": 4, "03": 6, "04": 4, "05": 5, "06": 7, "07": 4, "08": 3, "09": 3,
    "10": 2, "11": 3, "12": 6, "13": 2, "14": 5, "15": 6, "16": 10, "17": 5,
}  # fmt: skip

NB_CONJOINTS = 15
NB_REGION_EN_NOM = 10

# Foreign partner pools: (city, country in French).
POOLS = {
    "europe_fr": [
        ("Bordeaux", "France"), ("Lyon", "France"), ("Nantes", "France"), ("Rennes", "France"),
        ("Poitiers", "France"), ("Angers", "France"), ("Grenoble", "France"),
        ("Strasbourg", "France"), ("Namur", "Belgique"), ("Liège", "Belgique"),
        ("Mons", "Belgique"), ("Lausanne", "Suisse"), ("Neuchâtel", "Suisse"),
    ],
    "afrique": [
        ("Dakar", "Sénégal"), ("Saint-Louis", "Sénégal"), ("Rabat", "Maroc"),
        ("Agadir", "Maroc"), ("Tunis", "Tunisie"), ("Sousse", "Tunisie"),
        ("Abidjan", "Côte d'Ivoire"), ("Cotonou", "Bénin"), ("Ouagadougou", "Burkina Faso"),
        ("Douala", "Cameroun"),
    ],
    "ameriques": [
        ("Puebla", "Mexique"), ("Guadalajara", "Mexique"), ("Querétaro", "Mexique"),
        ("Boston", "États-Unis"), ("Portland", "États-Unis"), ("Burlington", "États-Unis"),
        ("Lafayette", "États-Unis"), ("Medellín", "Colombie"), ("Valparaíso", "Chili"),
        ("Jacmel", "Haïti"),
    ],
    "innovation": [
        ("Eindhoven", "Pays-Bas"), ("Tampere", "Finlande"), ("Aarhus", "Danemark"),
        ("Barcelone", "Espagne"), ("Bologne", "Italie"), ("Grenoble", "France"),
        ("Lyon", "France"), ("Boston", "États-Unis"), ("Daejeon", "Corée du Sud"),
        ("Liège", "Belgique"),
    ],
    "nordique": [
        ("Oulu", "Finlande"), ("Umeå", "Suède"), ("Tromsø", "Norvège"), ("Tampere", "Finlande"),
        ("Reykjavik", "Islande"), ("Burlington", "États-Unis"),
    ],
    "littoral": [
        ("La Rochelle", "France"), ("Saint-Malo", "France"), ("Brest", "France"),
        ("Saint-Louis", "Sénégal"), ("Agadir", "Maroc"), ("Lafayette", "États-Unis"),
        ("Saint-Pierre", "France"),
    ],
    "durable": [
        ("Bruxelles", "Belgique"), ("Lausanne", "Suisse"), ("Rennes", "France"),
        ("Grenoble", "France"), ("Aarhus", "Danemark"), ("Ljubljana", "Slovénie"),
        ("Fribourg-en-Brisgau", "Allemagne"),
    ],
    "transport": [
        ("Grenoble", "France"), ("Nantes", "France"), ("Bordeaux", "France"),
        ("Strasbourg", "France"), ("Puebla", "Mexique"), ("Curitiba", "Brésil"),
        ("Medellín", "Colombie"),
    ],
    "talents": [
        ("Paris", "France"), ("Bruxelles", "Belgique"), ("Casablanca", "Maroc"),
        ("Tunis", "Tunisie"), ("Dakar", "Sénégal"), ("Abidjan", "Côte d'Ivoire"),
        ("Lyon", "France"),
    ],
}  # fmt: skip
POOLS["francophonie"] = POOLS["europe_fr"] + POOLS["afrique"] + [("Jacmel", "Haïti")]
POOLS["culture"] = POOLS["europe_fr"][:8] + POOLS["afrique"][:6] + POOLS["ameriques"][:3]
POOLS["prospection"] = POOLS["ameriques"][3:7] + POOLS["europe_fr"][:6] + [("Munich", "Allemagne")]

NOMS_PARTENAIRES = {
    "Bordeaux": "Bordeaux Métropole", "Lyon": "Métropole de Lyon", "Nantes": "Nantes Métropole",
    "Boston": "City of Boston", "Portland": "City of Portland (Maine)",
    "Burlington": "City of Burlington (Vermont)", "Lafayette": "Lafayette Consolidated Government",
    "Puebla": "Ayuntamiento de Puebla", "Guadalajara": "Gobierno de Guadalajara",
    "Querétaro": "Municipio de Querétaro", "Medellín": "Alcaldía de Medellín",
    "Valparaíso": "Municipalidad de Valparaíso", "Curitiba": "Prefeitura de Curitiba",
    "Saint-Louis": "Commune de Saint-Louis", "Rabat": "Commune de Rabat",
    "Agadir": "Commune d'Agadir", "Casablanca": "Commune de Casablanca",
    "Tunis": "Municipalité de Tunis", "Sousse": "Municipalité de Sousse",
    "Abidjan": "District autonome d'Abidjan", "Cotonou": "Mairie de Cotonou",
    "Ouagadougou": "Commune de Ouagadougou", "Douala": "Communauté urbaine de Douala",
    "Jacmel": "Mairie de Jacmel", "Eindhoven": "Gemeente Eindhoven",
    "Barcelone": "Ajuntament de Barcelona", "Bologne": "Comune di Bologna",
    "Daejeon": "Daejeon Metropolitan City", "Aarhus": "Aarhus Kommune",
    "Fribourg-en-Brisgau": "Stadt Freiburg im Breisgau", "Munich": "Landeshauptstadt München",
    "Saint-Pierre": "Mairie de Saint-Pierre (Saint-Pierre-et-Miquelon)",
    "Tromsø": "Tromsø kommune", "Umeå": "Umeå kommun",
}  # fmt: skip

# Countries whose nationals usually need a visa to visit Canada.
PAYS_VISA = {
    "Sénégal", "Maroc", "Tunisie", "Côte d'Ivoire", "Bénin", "Burkina Faso", "Cameroun",
    "Haïti", "Colombie",
}  # fmt: skip

AIMF = ("Association internationale des maires francophones (AIMF)", "France")
CGLU = ("Cités et Gouvernements Locaux Unis (CGLU)", "Espagne")
ICLEI = ("ICLEI – Gouvernements locaux pour la durabilité", "Brésil")
UITP = ("Union internationale des transports publics (UITP)", "Allemagne")
SCEWC = ("Fira de Barcelona – Smart City Expo World Congress", "Espagne")
UNESCO = ("Réseau des villes créatives de l'UNESCO", "France")
CJC = ("Centre Jacques-Cartier", "France")
OMS = ("Réseau mondial des villes et communautés amies des aînés (OMS)", "Suisse")

# Expense category ids from the call's [[depenses.admissibles]].
RP, LOG, ACC, VIS, EVT, VIR, MAI, DIF = (
    "ressources-professionnelles", "logistique", "accueil-partenaires", "visas",
    "evenements", "collaborations-virtuelles", "maillage", "diffusion",
)  # fmt: skip

# Project templates: {v} = applicant, {p} = first foreign partner city, {pays} = its country.
# "pool" draws foreign partners; "fixes" are fixed partners and "lieu" fills {p}.
GABARITS = [
    # Innovation
    {"pop": 5000, "secteur": "innovation", "axe": 2, "pool": "innovation",
     "titre": "Échange d'expertise en ville intelligente {v}{sep}{p}",
     "resume": "Mission d'étude et ateliers croisés avec {p} ({pays}) sur la gestion des données "
               "urbaines, les capteurs municipaux et la gouvernance numérique. Le projet vise à "
               "adapter deux solutions éprouvées aux services de {v}.",
     "cats": [RP, MAI, VIR, ACC, DIF], "sec": ["developpement-durable", "mobilite-durable"]},
    {"pop": 15000, "secteur": "innovation", "axe": 3, "fixes": [SCEWC], "lieu": "Barcelone",
     "evenement": "Participation à un événement",
     "titre": "Délégation de {v} au Smart City Expo World Congress",
     "resume": "Participation d'une délégation municipale et d'entreprises locales au Smart City "
               "Expo World Congress de Barcelone pour présenter les solutions numériques de la "
               "région et nouer des partenariats avec des villes européennes.",
     "cats": [EVT, MAI, RP, DIF, LOG], "sec": ["talents", "mobilite-durable"]},
    {"pop": 10000, "secteur": "innovation", "axe": 2, "pool": "innovation",
     "titre": "Laboratoire d'innovation municipale {v}{sep}{p}",
     "resume": "Création d'un laboratoire vivant commun avec {p} pour tester des services "
               "numériques aux citoyens (permis en ligne, signalements, données ouvertes), avec "
               "des ateliers en ligne et un séjour d'étude au Québec.",
     "cats": [VIR, RP, ACC, MAI, DIF], "sec": ["cohesion-sociale"]},
    {"pop": 5000, "secteur": "innovation", "axe": 1, "pool": "innovation",
     "titre": "Plan d'action international en innovation de {v}",
     "resume": "Élaboration, avec l'accompagnement d'une firme spécialisée, d'une stratégie "
               "internationale axée sur l'écosystème technologique local; étalonnage auprès de "
               "{p} ({pays}) et consultation des partenaires du milieu.",
     "cats": [RP, MAI, VIR, DIF], "sec": ["talents"]},
    {"secteur": "innovation", "axe": 2, "pool": "nordique",
     "titre": "Serres nordiques et rejets thermiques : partenariat {v}{sep}{p}",
     "resume": "Partage d'expertise avec {p} ({pays}) sur l'agriculture en environnement "
               "contrôlé et la valorisation des rejets thermiques industriels, en vue d'un projet "
               "pilote de serre municipale à {v}.",
     "cats": [RP, ACC, MAI, VIR, DIF], "sec": ["developpement-durable", "talents"]},
    # Attraction de talents et d'activités économiques
    {"pop": 3000, "secteur": "talents", "axe": 3, "pool": "talents",
     "evenement": "Participation à un événement",
     "titre": "Mission de recrutement international de {v} à {p}",
     "resume": "Participation aux Journées Québec à {p} avec les employeurs de la région afin de "
               "recruter des travailleuses et travailleurs qualifiés et de présenter la qualité de "
               "vie de {v}.",
     "cats": [EVT, MAI, LOG, DIF, RP], "sec": ["francophonie", "cohesion-sociale"]},
    {"pop": 5000, "secteur": "talents", "axe": 3, "pool": "prospection",
     "titre": "Attractivité économique de {v} : mission de prospection à {p}",
     "resume": "Mission de prospection d'investissements à {p} ({pays}) menée avec le service de "
               "développement économique; rencontres d'affaires ciblées dans les secteurs "
               "manufacturier et agroalimentaire.",
     "cats": [MAI, LOG, RP, DIF], "sec": ["innovation"]},
    {"secteur": "talents", "axe": 2, "pool": "afrique",
     "titre": "Accueil à {v} d'une délégation d'entrepreneurs de {p}",
     "resume": "Séjour au Québec d'une délégation d'entrepreneurs et d'élus de {p} ({pays}) : "
               "visites d'entreprises, journée de maillage et exploration de projets "
               "d'implantation à {v}.",
     "cats": [ACC, VIS, MAI, LOG, DIF], "sec": ["francophonie", "innovation"]},
    {"secteur": "talents", "axe": 1, "pool": "europe_fr",
     "titre": "Stratégie d'accueil des talents internationaux de {v}",
     "resume": "Démarche d'étalonnage avec {p} ({pays}) sur l'accueil des travailleurs étrangers "
               "et des étudiants internationaux, menant à une stratégie municipale d'attraction "
               "de talents adoptée par le conseil.",
     "cats": [RP, VIR, MAI, DIF], "sec": ["cohesion-sociale", "francophonie"]},
    {"secteur": "talents", "axe": 1, "pool": "europe_fr",
     "titre": "Vision internationale 2025-2030 de {v}",
     "resume": "Élaboration de la première vision internationale de la municipalité : diagnostic, "
               "ateliers avec les acteurs économiques, cégep et chambre de commerce, et "
               "étalonnage auprès de {p} ({pays}).",
     "cats": [RP, LOG, VIR, DIF], "sec": ["innovation", "culture"]},
    # Francophonie
    {"pop": 3000, "secteur": "francophonie", "axe": 3, "fixes": [AIMF], "lieu": "Paris",
     "evenement": "Participation à un événement",
     "titre": "{v} aux Assises de l'Association internationale des maires francophones",
     "resume": "Adhésion au réseau de l'AIMF et participation des élus et du personnel à ses "
               "Assises annuelles afin de partager les pratiques municipales francophones en "
               "matière de services aux citoyens.",
     "cats": [EVT, RP, DIF, VIR], "sec": ["cohesion-sociale"]},
    {"pop": 2000, "secteur": "francophonie", "axe": 2, "pool": "francophonie",
     "titre": "Jumelage francophone {v}{sep}{p}",
     "resume": "Renouvellement de l'entente de jumelage avec {p} ({pays}) : programme d'échanges "
               "entre services municipaux, accueil d'une délégation à l'automne et activités "
               "culturelles francophones ouvertes au public.",
     "cats": [ACC, VIS, MAI, LOG, DIF], "sec": ["culture", "cohesion-sociale"]},
    {"secteur": "francophonie", "axe": 3, "pool": "francophonie", "evenement": "Festival",
     "titre": "Artistes de {p} au festival francophone de {v}",
     "resume": "Volet international du festival local : accueil d'artistes et de programmateurs "
               "de {p} ({pays}), résidences de création et diffusion des spectacles dans la "
               "région.",
     "cats": [ACC, VIS, EVT, LOG, DIF], "sec": ["culture"]},
    {"secteur": "francophonie", "axe": 2, "pool": "afrique",
     "titre": "Coopération {v}{sep}{p} en gestion documentaire municipale",
     "resume": "Projet de coopération décentralisée avec {p} ({pays}) portant sur l'état civil et "
               "la gestion documentaire municipale : missions d'expertise, formation à distance "
               "et accueil de deux archivistes.",
     "cats": [RP, VIR, ACC, VIS, MAI], "sec": ["innovation", "cohesion-sociale"]},
    {"secteur": "francophonie", "axe": 3, "fixes": [CJC], "lieu": "Lyon", "evenement": "Colloque",
     "titre": "{v} aux Entretiens Jacques-Cartier",
     "resume": "Participation à une table ronde des Entretiens Jacques-Cartier à Lyon sur la "
               "vitalité des petites villes francophones et présentation de l'expérience de {v}.",
     "cats": [EVT, RP, DIF], "sec": ["culture"]},
    {"secteur": "francophonie", "axe": 1, "pool": "europe_fr",
     "titre": "Formation en diplomatie municipale des élus et gestionnaires de {v}",
     "resume": "Programme de formation sur l'action internationale municipale offert par une "
               "firme spécialisée, suivi d'ateliers d'échanges virtuels avec les élus de {p} "
               "({pays}).",
     "cats": [RP, VIR, LOG, DIF], "sec": ["cohesion-sociale"]},
    # Développement durable et carboneutralité
    {"pop": 3000, "secteur": "developpement-durable", "axe": 2, "pool": "durable",
     "titre": "Rénovation énergétique des bâtiments municipaux : échange {v}{sep}{p}",
     "resume": "Échange d'expertise avec {p} ({pays}) sur la rénovation énergétique du parc "
               "immobilier municipal et les réseaux de chaleur; deux ateliers techniques et un "
               "guide de bonnes pratiques.",
     "cats": [RP, MAI, ACC, VIR, DIF], "sec": ["innovation"]},
    {"pop": 5000, "secteur": "developpement-durable", "axe": 3, "fixes": [ICLEI],
     "lieu": "São Paulo", "evenement": "Conférence",
     "titre": "Participation de {v} au Congrès mondial d'ICLEI",
     "resume": "Présentation du plan climat de {v} au Congrès mondial d'ICLEI et participation "
               "aux ateliers sur l'adaptation aux changements climatiques; adhésion au réseau.",
     "cats": [EVT, RP, DIF, VIR], "sec": ["mobilite-durable"]},
    {"regions": ["01", "03", "09", "11", "12"], "secteur": "developpement-durable", "axe": 2,
     "pool": "littoral",
     "titre": "Érosion côtière et zones inondables : partenariat {v}{sep}{p}",
     "resume": "Partage de pratiques avec {p} ({pays}) sur l'érosion des berges et la gestion des "
               "zones inondables; accueil de spécialistes étrangers et visites de terrain.",
     "cats": [ACC, VIS, RP, MAI, DIF], "sec": ["cohesion-sociale"]},
    {"secteur": "developpement-durable", "axe": 1, "pool": "durable",
     "titre": "Feuille de route internationale carboneutre de {v}",
     "resume": "Élaboration d'une feuille de route internationale liée à la carboneutralité : "
               "étalonnage auprès de villes signataires de la Convention mondiale des maires, "
               "dont {p} ({pays}).",
     "cats": [RP, VIR, MAI, DIF], "sec": ["mobilite-durable", "innovation"]},
    {"secteur": "developpement-durable", "axe": 2, "pool": "durable",
     "titre": "Économie circulaire : mission d'étude de {v} à {p}",
     "resume": "Mission d'étude et accueil en retour sur la gestion des matières résiduelles et "
               "les écoparcs industriels; transfert d'expertise vers les entreprises de la "
               "région.",
     "cats": [MAI, ACC, LOG, RP, DIF], "sec": ["talents", "innovation"]},
    # Mobilité durable
    {"secteur": "mobilite-durable", "axe": 2, "pool": "nordique",
     "titre": "Mobilité active en hiver : échange {v}{sep}{p}",
     "resume": "Échange d'expertise avec {p} ({pays}) sur le déneigement des réseaux cyclables et "
               "la planification de la mobilité active en climat nordique; ateliers virtuels et "
               "séjour technique.",
     "cats": [VIR, ACC, MAI, RP, DIF], "sec": ["developpement-durable", "cohesion-sociale"]},
    {"pop": 20000, "secteur": "mobilite-durable", "axe": 2, "pool": "transport",
     "titre": "Électrification du transport collectif : partenariat {v}{sep}{p}",
     "resume": "Transfert d'expertise avec {p} ({pays}) sur l'électrification des autobus, la "
               "tarification sociale et l'intermodalité; visite technique et webinaires.",
     "cats": [RP, MAI, VIR, ACC, DIF], "sec": ["developpement-durable", "innovation"]},
    {"pop": 30000, "secteur": "mobilite-durable", "axe": 3, "fixes": [UITP], "lieu": "Hambourg",
     "evenement": "Participation à un événement",
     "titre": "{v} au Sommet mondial de l'UITP",
     "resume": "Participation au Sommet mondial de l'Union internationale des transports publics "
               "pour présenter le projet de transport collectif régional de {v} et rencontrer "
               "des exploitants européens.",
     "cats": [EVT, MAI, DIF, RP], "sec": ["innovation"]},
    {"pop": 5000, "secteur": "mobilite-durable", "axe": 1, "pool": "transport",
     "titre": "Plan de mobilité durable de {v} : veille et étalonnage international",
     "resume": "Veille internationale et étalonnage auprès de {p} ({pays}) pour nourrir le plan "
               "de mobilité durable de {v}; séminaire public de restitution.",
     "cats": [RP, VIR, EVT, DIF], "evenement": "Séminaire", "sec": ["developpement-durable"]},
    # Culture
    {"secteur": "culture", "axe": 3, "pool": "culture", "evenement": "Festival",
     "titre": "Rayonnement culturel de {v} à {p}",
     "resume": "Présence d'artistes et d'artisans de la région dans un festival de {p} ({pays}), "
               "en réciprocité avec l'accueil d'artistes étrangers à {v} l'été suivant.",
     "cats": [EVT, ACC, VIS, LOG, DIF], "sec": ["francophonie", "talents"]},
    {"secteur": "culture", "axe": 2, "pool": "europe_fr",
     "titre": "Patrimoine bâti et tourisme culturel : coopération {v}{sep}{p}",
     "resume": "Coopération avec {p} ({pays}) sur la mise en valeur du patrimoine bâti, "
               "l'interprétation et le tourisme culturel; échanges d'experts et publication "
               "d'un carnet de pratiques.",
     "cats": [RP, MAI, ACC, DIF], "sec": ["talents"]},
    {"pop": 10000, "secteur": "culture", "axe": 2, "fixes": [UNESCO], "pool": "europe_fr",
     "lieu": "Paris",
     "titre": "Candidature de {v} au Réseau des villes créatives de l'UNESCO",
     "resume": "Préparation du dossier de candidature de {v} au Réseau des villes créatives de "
               "l'UNESCO avec le mentorat d'une ville membre et consultation du milieu culturel.",
     "cats": [RP, VIR, MAI, DIF], "sec": ["talents", "cohesion-sociale"]},
    {"pop": 3000, "secteur": "culture", "axe": 3, "pool": "ameriques", "evenement": "Festival",
     "titre": "Délégation de {p} au festival international de {v}",
     "resume": "Accueil d'une délégation artistique et municipale de {p} ({pays}) dans le cadre "
               "du festival de {v}, avec des ateliers de création et une vitrine pour les "
               "diffuseurs.",
     "cats": [ACC, VIS, EVT, LOG, DIF], "sec": ["talents", "cohesion-sociale"]},
    {"secteur": "culture", "axe": 2, "pool": "europe_fr",
     "titre": "Bibliothèques et médiation culturelle : échange {v}{sep}{p}",
     "resume": "Échange entre les réseaux de bibliothèques de {v} et de {p} ({pays}) sur la "
               "médiation culturelle et la lecture publique; stage croisé de bibliothécaires.",
     "cats": [ACC, VIR, MAI, DIF], "sec": ["francophonie", "cohesion-sociale"]},
    # Cohésion sociale
    {"secteur": "cohesion-sociale", "axe": 2, "pool": "europe_fr",
     "titre": "Intégration des personnes immigrantes : échange {v}{sep}{p}",
     "resume": "Échange de pratiques avec {p} ({pays}) sur l'accueil et l'intégration des "
               "personnes immigrantes, la lutte contre le racisme et la participation citoyenne.",
     "cats": [MAI, ACC, VIR, RP, DIF], "sec": ["talents", "francophonie"]},
    {"pop": 10000, "secteur": "cohesion-sociale", "axe": 3, "fixes": [CGLU], "lieu": "Barcelone",
     "evenement": "Participation à un événement",
     "titre": "Adhésion de {v} à Cités et Gouvernements Locaux Unis",
     "resume": "Adhésion à CGLU et participation aux travaux de sa commission sur l'inclusion "
               "sociale; présentation des politiques de logement social et d'inclusion de {v}.",
     "cats": [EVT, RP, VIR, DIF], "sec": ["developpement-durable"]},
    {"secteur": "cohesion-sociale", "axe": 2, "fixes": [OMS], "pool": "europe_fr",
     "lieu": "Genève",
     "titre": "Municipalité amie des aînés : partenariat {v}{sep}{p}",
     "resume": "Échange d'expertise avec une ville membre du Réseau mondial des villes amies des "
               "aînés de l'OMS sur le vieillissement actif, l'habitation et la mobilité des "
               "aînés.",
     "cats": [VIR, ACC, MAI, RP, DIF], "sec": ["mobilite-durable"]},
    {"secteur": "cohesion-sociale", "axe": 1, "pool": "europe_fr",
     "titre": "Politique d'action internationale citoyenne de {v}",
     "resume": "Consultation citoyenne et élaboration d'une politique d'action internationale "
               "axée sur la cohésion sociale, avec l'appui méthodologique de {p} ({pays}).",
     "cats": [RP, LOG, VIR, DIF], "sec": ["francophonie"]},
    {"secteur": "cohesion-sociale", "axe": 2, "pool": "ameriques",
     "titre": "Jeunesse et sport inclusif : échanges {v}{sep}{p}",
     "resume": "Échanges de jeunes et d'intervenants avec {p} ({pays}) autour du sport inclusif "
               "et de la prévention; accueil d'une délégation et tournoi amical.",
     "cats": [ACC, VIS, LOG, MAI, DIF], "sec": ["culture"]},
]  # fmt: skip

CONCLUSIONS = [
    "Les résultats seront présentés au conseil municipal et aux partenaires régionaux.",
    "Un rapport bilan sera publié en français et en anglais.",
    "Le projet s'appuie sur la chambre de commerce et le cégep de la région.",
    "Les retombées seront mesurées par des indicateurs de suivi publiés en fin de projet.",
    "La démarche associe la MRC et les organismes de développement économique.",
]

DESCRIPTIONS = {
    RP: ["Honoraires de la firme d'accompagnement stratégique",
         "Services d'une consultante en relations internationales",
         "Traduction et interprétation des ateliers",
         "Animation des ateliers par une firme spécialisée",
         "Étude d'étalonnage réalisée par un consultant externe"],
    LOG: ["Location de salle et équipement audiovisuel", "Transport local de la délégation",
          "Service de traiteur pour la journée de travail",
          "Coordination logistique de la mission",
          "Interprétation simultanée et matériel de conférence"],
    ACC: ["Billets d'avion en classe économique de la délégation de {p}",
          "Hébergement de la délégation étrangère (4 nuits)",
          "Repas et déplacements au Québec des partenaires de {p}",
          "Séjour au Québec de deux experts de {p}"],
    VIS: ["Frais de visas de la délégation de {p}", "Assurance voyage des partenaires accueillis",
          "Documents d'entrée et assurance voyage des invités"],
    EVT: ["Frais d'inscription et kiosque à l'événement", "Organisation du séminaire de clôture",
          "Participation au colloque international",
          "Programmation du volet international de l'événement"],
    VIR: ["Plateforme de visioconférence et interprétation à distance",
          "Série d'ateliers virtuels avec les partenaires de {p}",
          "Licence d'un espace collaboratif en ligne"],
    MAI: ["Journée de maillage entre entreprises québécoises et étrangères",
          "Ateliers de partage d'expertise entre services municipaux",
          "Visites techniques et rencontres de maillage"],
    DIF: ["Rapport bilan bilingue et infographie", "Capsules vidéo sur les résultats du projet",
          "Diffusion des résultats sur le site municipal et dans les médias régionaux",
          "Conception d'une brochure de présentation des résultats"],
}  # fmt: skip

# A budget label that matches no category of the call: "catégorie à confirmer", never
# counted as eligible until an analyst maps it (page Importation).
A_CONFIRMER = ("Traiteur et réception", "Réception de clôture avec la délégation de {p}", 40000)

# Non-eligible lines (alias from [[depenses.non_admissibles]], description).
NON_ADMISSIBLES = [
    ("Salaires", "Salaire de la coordonnatrice municipale du projet"),
    ("Équipements", "Achat de bornes interactives permanentes"),
    ("Frais de déplacement des élus", "Billets d'avion du maire et de deux conseillers vers {p}"),
    ("Classe affaires", "Vol en classe affaires du maire de {p}"),
]

COURRIELS = ["international", "international", "relations.internationales", "developpement",
             "direction.generale", "cabinet"]  # fmt: skip


def texte(nom: str) -> str:
    """Municipality name for free text: the MAMH '--' becomes an en dash."""
    return nom.replace("--", "–")


def elider(phrase: str) -> str:
    """French elision and contraction after a substituted name: de Amos -> d'Amos, etc."""
    phrase = re.sub(r"\bde Les ", "des ", phrase)
    phrase = re.sub(r"\bde Le ", "du ", phrase)
    phrase = re.sub(r"\bà Les ", "aux ", phrase)
    phrase = re.sub(r"\bà Le ", "au ", phrase)
    return re.sub(r"\bde ([AEIOUÉÈÎÂ]|H[éè])", r"d'\1", phrase)


def slug(texte_brut: str) -> str:
    sans_accents = unicodedata.normalize("NFKD", texte_brut).encode("ascii", "ignore").decode()
    morceaux = "".join(c if c.isalnum() else "-" for c in sans_accents.lower()).split("-")
    return "-".join(m for m in morceaux if m)


def nom_partenaire(ville: str) -> str:
    if ville in NOMS_PARTENAIRES:
        return NOMS_PARTENAIRES[ville]
    return ("Ville d'" if ville[0] in "AEIOUÉÈ" else "Ville de ") + ville


def valeur(cents: int | None) -> int | float | None:
    """Cents to a cell value: an int when whole dollars, else a float with 2 decimals."""
    if cents is None:
        return None
    return cents // 100 if cents % 100 == 0 else round(cents / 100, 2)


def date_entre(rng: random.Random, debut: dt.date, fin: dt.date) -> dt.date:
    return debut + dt.timedelta(days=rng.randint(0, (fin - debut).days))


def arrondi(dollars: float, pas: int = 500) -> int:
    return round(dollars / pas) * pas


def charger_appel() -> dict:
    with APPEL.open("rb") as f:
        appel = tomllib.load(f)
    admissibles = {d["id"]: d for d in appel["depenses"]["admissibles"]}
    alias_non_admissibles = {a for d in appel["depenses"]["non_admissibles"] for a in d["alias"]}
    for alias, _ in NON_ADMISSIBLES:
        assert alias in alias_non_admissibles, alias
    return {
        "axes": [a["numero"] for a in appel["axes"]],
        "secteurs": {s["id"]: s["libelle"] for s in appel["secteurs"]},
        "admissibles": admissibles,
        "plafond": appel["financement"]["plafond_annuel"],
        # Plafond de la bonification (réglage du comité ; l'ancien nom est encore lu).
        "bonification": appel["financement"].get(
            "bonification_conjoint_max", appel["financement"].get("bonification_projet_conjoint", 0)
        ),
        "enveloppe": appel["financement"]["enveloppe"],
        "plafond_visas": appel["depenses"]["plafond_visas"],
        "regions": {r["code"]: r["nom"] for r in appel["regions"]},
        "date_limite": appel["appel"]["date_limite"],
    }


def charger_municipalites() -> dict[str, list[dict]]:
    """Municipalities by region code, most populous first.

    The regional government and names shared by several municipalities (e.g. two
    "L'Ange-Gardien") are left out so that every name in the workbook is unambiguous.
    """
    with MUNICIPALITES.open(encoding="utf-8", newline="") as f:
        lignes = list(csv.DictReader(f))
    homonymes = {nom for nom, nb in Counter(m["nom"] for m in lignes).items() if nb > 1}
    par_region: dict[str, list[dict]] = {}
    for ligne in lignes:
        if ligne["designation"] == "Gouvernement régional" or ligne["nom"] in homonymes:
            continue
        ligne["population"] = int(ligne["population"] or 0)
        par_region.setdefault(ligne["region_code"], []).append(ligne)
    for liste in par_region.values():
        liste.sort(key=lambda m: (-m["population"], m["nom"]))
    return par_region


def libelle_categorie(rng: random.Random, appel: dict, cat: str, evenement: str) -> str:
    """Mostly the short alias, sometimes another alias or the full label."""
    depense = appel["admissibles"][cat]
    tirage = rng.random()
    if tirage < 0.12:
        return depense["libelle"]
    if cat == EVT:
        return evenement
    if tirage < 0.2:
        return rng.choice(depense["alias"])
    return depense["alias"][0]


def repartir(rng: random.Random, total: int, n: int) -> list[int]:
    """Split total cents into n positive parts, rounded to 50 $ except the last."""
    if n == 1:
        return [total]
    while True:
        poids = [rng.uniform(1.0, 4.0) for _ in range(n)]
        somme = sum(poids)
        parts = [round(total * p / somme / 5000) * 5000 for p in poids[:-1]]
        dernier = total - sum(parts)
        if min(parts) >= 50000 and dernier >= 50000:
            return [*parts, dernier]


def generer() -> tuple[list[dict], list[dict], dict]:
    rng = random.Random(GRAINE)
    appel = charger_appel()
    municipalites = charger_municipalites()
    secteurs = appel["secteurs"]
    plafond = appel["plafond"] * 100
    plafond_conjoint = (appel["plafond"] + appel["bonification"]) * 100

    # Applicants: real municipalities, drawn among the larger ones of each region.
    requerantes = []
    for code, nombre in DEMANDES_PAR_REGION.items():
        candidates = municipalites[code]
        if len(candidates) == 1:
            requerantes += candidates * nombre
        else:
            bassin = [c for c in candidates if c["population"] >= 1000][: max(12, 3 * nombre)]
            requerantes += rng.sample(bassin, nombre)
    rng.shuffle(requerantes)
    n = len(requerantes)
    indices = list(range(n))

    # Templates: the least used one that fits the applicant's size and region.
    usage: Counter[int] = Counter()
    gabarits = []
    for m in requerantes:
        compatibles = [
            k
            for k, g in enumerate(GABARITS)
            if m["population"] >= g.get("pop", 0)
            and m["region_code"] in g.get("regions", [m["region_code"]])
        ]
        k = min(compatibles, key=lambda k: (usage[k], rng.random()))
        usage[k] += 1
        gabarits.append(GABARITS[k])

    # Project shape and special rows (special sets are disjoint).
    deux_ans = set(rng.sample(indices, n // 2))
    conjoints = set(
        rng.sample([i for i in indices if requerantes[i]["region_code"] != "13"], NB_CONJOINTS)
    )
    region_en_nom = set(rng.sample(indices, NB_REGION_EN_NOM))
    libres = [i for i in indices if i not in conjoints]
    speciaux: dict[str, list[int]] = {}

    def tirer(cle: str, nombre: int, filtre=None) -> None:
        bassin = [i for i in libres if filtre is None or filtre(i)]
        choisis = sorted(rng.sample(bassin, nombre))
        speciaux[cle] = choisis
        for i in choisis:
            libres.remove(i)

    tirer("au_dessus_plafond", 3)
    libres += sorted(conjoints)
    libres.sort()
    tirer("cout_inferieur", 2)
    tirer("sans_contribution", 3)
    tirer("autre_financement", 2)
    tirer("non_admissible", 4)
    pays_par_ligne: dict[int, list[tuple[str, str]]] = {}
    for i in indices:
        g = gabarits[i]
        partenaires = list(g.get("fixes", []))
        if "pool" in g:
            villes = rng.sample(POOLS[g["pool"]], 2)
            partenaires.append(villes[0])
            if not g.get("fixes") and rng.random() < 0.2:
                partenaires.append(villes[1])
        pays_par_ligne[i] = partenaires
    tirer("visas_plus_500", 2, lambda i: any(p[1] in PAYS_VISA for p in pays_par_ligne[i]))
    tirer("budget_ne_balance_pas", 2)
    tirer("dossier_incomplet", 4)
    tirer("budget_non_detaille", 3)
    tirer("sans_engagement", 2)
    # Dates de dépôt : un tirage à part, qui ne change rien au reste du jeu. Deux demandes
    # déposées le jour même de la date limite (à temps : l'appel « s'est terminé le
    # 1er mars 2024 ») et une déposée après (en retard).
    rng_depot = random.Random(GRAINE + 1)
    speciaux["depot_en_retard"] = sorted(rng_depot.sample(libres, 1))
    speciaux["depot_le_dernier_jour"] = sorted(
        rng_depot.sample([i for i in libres if i not in speciaux["depot_en_retard"]], 2)
    )
    date_limite = appel["date_limite"]

    def date_depot(i: int) -> dt.date:
        if i in speciaux["depot_en_retard"]:
            return date_limite + dt.timedelta(days=4)
        if i in speciaux["depot_le_dernier_jour"]:
            return date_limite
        return date_entre(rng_depot, dt.date(2024, 1, 15), date_limite - dt.timedelta(days=1))

    demandes, budget = [], []
    for i in indices:
        m = requerantes[i]
        g = gabarits[i]
        numero = f"{PREFIXE}{i + 1:03d}"
        conjoint = i in conjoints
        partenaires = pays_par_ligne[i]
        villes_pool = [p for p in partenaires if p not in g.get("fixes", [])]
        ville_p, pays_p = villes_pool[0] if villes_pool else (g["lieu"], partenaires[0][1])
        noms_etrangers = [
            p[0] if p in g.get("fixes", []) else nom_partenaire(p[0]) for p in partenaires
        ]
        pays = list(dict.fromkeys(p[1] for p in partenaires))

        # Joint projects: 1 to 3 other municipalities of the same region.
        partenaires_qc: list[str] = []
        if conjoint:
            bassin = [
                c
                for c in municipalites[m["region_code"]][:40]
                if c["nom"] != m["nom"] and c not in requerantes
            ]
            nb = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
            partenaires_qc = [c["nom"] for c in rng.sample(bassin, nb)]
            # The first joint project also names its MRC (an MRC counts as a municipal
            # entity of a joint project).
            avec_mrc = [j for j in sorted(conjoints) if "(TÉ)" not in requerantes[j]["mrc"]]
            if avec_mrc and i == avec_mrc[0]:
                partenaires_qc.append(f"MRC {m['mrc']}")

        valeurs = {"v": texte(m["nom"]), "p": ville_p, "pays": pays_p}
        composes = any(c in valeurs["v"] + ville_p for c in " –")
        valeurs["sep"] = " – " if composes else "–"
        titre = elider(g["titre"].format(**valeurs))
        resume = elider(g["resume"].format(**valeurs))
        if conjoint:
            resume += " Projet conjoint avec " + ", ".join(texte(c) for c in partenaires_qc) + "."
        if rng.random() < 0.6:
            resume += " " + rng.choice(CONCLUSIONS)
        if i in speciaux["autre_financement"]:
            resume += " Une aide complémentaire a été obtenue du Fonds régions et ruralité."

        sec_ids = [s for s in g["sec"] if rng.random() < 0.6]
        secondaires = "; ".join(secteurs[s] for s in sec_ids)

        # Dates and amounts (in cents).
        if i in deux_ans:
            debut = date_entre(rng, dt.date(2024, 4, 1), dt.date(2025, 1, 31))
            fin = date_entre(rng, dt.date(2025, 6, 30), dt.date(2026, 3, 31))
        else:
            debut = date_entre(rng, dt.date(2024, 4, 1), dt.date(2024, 10, 31))
            fin = date_entre(
                rng,
                max(debut + dt.timedelta(days=120), dt.date(2024, 11, 30)),
                dt.date(2025, 3, 31),
            )
        plafond_ligne = plafond_conjoint if conjoint else plafond

        def montant_annee(
            annee: int, conjoint: bool = conjoint, plafond_ligne: int = plafond_ligne
        ) -> int:
            if conjoint:
                base = (
                    rng.triangular(15000, 35000, 25000)
                    if annee == 1
                    else rng.triangular(10000, 35000, 22000)
                )
            else:
                base = (
                    rng.triangular(8000, 25000, 18500)
                    if annee == 1
                    else rng.triangular(8000, 25000, 16000)
                )
            cents = arrondi(base) * 100
            if rng.random() < 0.1:
                cents -= rng.randint(100, 49999)
            return max(800000, min(cents, plafond_ligne))

        an1 = montant_annee(1)
        if i in speciaux["au_dessus_plafond"]:
            an1 = [2800000, 2750000, 3000000][speciaux["au_dessus_plafond"].index(i)]
        an2 = montant_annee(2) if i in deux_ans else None
        demande_totale = an1 + (an2 or 0)

        if i in speciaux["sans_contribution"]:
            contribution = cofinancement = None
            cout = demande_totale
        else:
            contribution = arrondi(demande_totale / 100 * rng.uniform(0.15, 0.6), 100) * 100
            cofinancement = (
                0
                if rng.random() < 0.25
                else arrondi(demande_totale / 100 * rng.uniform(0.05, 0.4), 100) * 100
            )
            cout = demande_totale + contribution + cofinancement
            if i in speciaux["autre_financement"]:
                cout += rng.choice([500000, 750000, 1000000])
            if i in speciaux["cout_inferieur"]:
                cout = arrondi(demande_totale / 100 * rng.uniform(0.7, 0.85), 100) * 100

        courriel = f"{rng.choice(COURRIELS)}@{slug(m['designation'])}-{slug(m['nom'])}.example"
        demandes.append(
            {
                "No de demande": numero,
                "Municipalité requérante": m["nom"],
                "Région administrative": m["region_nom"]
                if i in region_en_nom
                else m["region_code"],
                "Municipalités partenaires": "; ".join(partenaires_qc) or None,
                "Partenaires étrangers": "; ".join(noms_etrangers),
                "Pays": "; ".join(pays),
                "Titre du projet": titre,
                "Résumé": resume,
                "Axe": g["axe"],
                "Secteur principal": secteurs[g["secteur"]],
                "Secteurs secondaires": secondaires or None,
                "Date de début": debut,
                "Date de fin": fin,
                "Coût total du projet": cout,
                "Montant demandé – année 1": an1,
                "Montant demandé – année 2": an2,
                "Contribution du demandeur": contribution,
                "Cofinancement externe": cofinancement,
                "Autre financement gouvernemental": "oui"
                if i in speciaux["autre_financement"]
                else "non",
                "Dossier complet": "non" if i in speciaux["dossier_incomplet"] else "oui",
                "Budget détaillé": "non" if i in speciaux["budget_non_detaille"] else "oui",
                "Engagement à produire un rapport": "non"
                if i in speciaux["sans_engagement"]
                else "oui",
                "Qualité du signataire": rng.choices(
                    ["fonctionnaire", "élu", "délégué"], weights=[55, 30, 15]
                )[0],
                "Courriel": courriel,
                "Date de dépôt": date_depot(i),
                "_region": m["region_code"],
                "_conjoint": conjoint,
            }
        )

        # Budget lines for each requested year.
        visa_possible = any(p[1] in PAYS_VISA for p in partenaires)
        cats_dispo = [c for c in g["cats"] if c != VIS or visa_possible]
        evenement = g.get("evenement", "Colloque")
        for annee, demande in ((1, an1), (2, an2)):
            if demande is None:
                continue
            cible = demande
            if annee == 1 and i in speciaux["budget_ne_balance_pas"]:
                cible += rng.choice([1, -1]) * rng.choice([250, 300, 350, 400, 450]) * 100
            nb = min(rng.choices([2, 3, 4, 5], weights=[50, 30, 13, 7])[0], len(cats_dispo))
            fixes: list[tuple[str, str, int]] = []
            if annee == 1 and i in speciaux["non_admissible"]:
                nb = min(nb, 4)
                cat, desc = NON_ADMISSIBLES[speciaux["non_admissible"].index(i)]
                fixes.append((cat, desc, rng.randrange(1500, 4001, 250) * 100))
                if i == speciaux["non_admissible"][0]:
                    fixes.append(A_CONFIRMER)
            choisies = rng.sample(cats_dispo, nb)
            if annee == 1 and i in speciaux["visas_plus_500"]:
                if VIS not in choisies:
                    choisies[-1] = VIS
                montant_visa = [85000, 120000][speciaux["visas_plus_500"].index(i)]
                choisies.remove(VIS)
                fixes.append(
                    (
                        "Frais de visas",
                        "Frais de visas et assurance voyage de la délégation de {p} (8 personnes)",
                        montant_visa,
                    )
                )
            elif VIS in choisies and len(choisies) > 1:
                choisies.remove(VIS)
                fixes.append(
                    (
                        libelle_categorie(rng, appel, VIS, evenement),
                        rng.choice(DESCRIPTIONS[VIS]),
                        rng.randrange(150, appel["plafond_visas"] + 1, 10) * 100,
                    )
                )
            reste = cible - sum(f[2] for f in fixes)
            parts = repartir(rng, reste, len(choisies))
            lignes = [
                (libelle_categorie(rng, appel, c, evenement), rng.choice(DESCRIPTIONS[c]), montant)
                for c, montant in zip(choisies, parts, strict=True)
            ]
            lignes += fixes
            rng.shuffle(lignes)
            for cat, desc, montant in lignes:
                budget.append(
                    {
                        "No de demande": numero,
                        "Année": annee,
                        "Catégorie de dépense": cat,
                        "Description": elider(desc.format(**valeurs)),
                        "Montant": montant,
                    }
                )
    verifier(demandes, budget, speciaux, appel)
    return demandes, budget, speciaux


def verifier(demandes: list[dict], budget: list[dict], speciaux: dict, appel: dict) -> None:
    """Internal consistency checks before writing."""
    assert len({d["Titre du projet"] for d in demandes}) == len(demandes), "titres en double"
    regions = Counter(d["_region"] for d in demandes)
    assert set(regions) == set(appel["regions"]) and min(regions.values()) >= 2
    assert {d["Secteur principal"] for d in demandes} == set(appel["secteurs"].values())
    assert {d["Axe"] for d in demandes} == set(appel["axes"])
    assert sum(d["Montant demandé – année 1"] for d in demandes) > appel["enveloppe"][0] * 100
    depassements = [
        d["No de demande"]
        for d in demandes
        if not d["_conjoint"]
        and max(d["Montant demandé – année 1"], d["Montant demandé – année 2"] or 0)
        > appel["plafond"] * 100
    ]
    assert len(depassements) == 3, depassements
    sommes = Counter()
    nb_lignes = Counter()
    for ligne in budget:
        sommes[ligne["No de demande"], ligne["Année"]] += ligne["Montant"]
        nb_lignes[ligne["No de demande"], ligne["Année"]] += 1
    ecarts = []
    for d in demandes:
        for annee in (1, 2):
            demande = d[f"Montant demandé – année {annee}"]
            cle = (d["No de demande"], annee)
            assert (demande is None) == (cle not in sommes), cle
            if demande is not None:
                assert 2 <= nb_lignes[cle] <= 5, cle
                if sommes[cle] != demande:
                    ecarts.append(cle)
    attendus = [(f"{PREFIXE}{i + 1:03d}", 1) for i in speciaux["budget_ne_balance_pas"]]
    assert ecarts == attendus, ecarts
    assert 250 <= len(budget) <= 350, len(budget)


def ecrire(demandes: list[dict], budget: list[dict]) -> None:
    classeur = Workbook()
    feuille_d = classeur.active
    feuille_d.title = "Demandes"
    feuille_b = classeur.create_sheet("Budget")
    argent = {
        "Coût total du projet",
        "Montant demandé – année 1",
        "Montant demandé – année 2",
        "Contribution du demandeur",
        "Cofinancement externe",
        "Montant",
    }
    dates = {"Date de début", "Date de fin", "Date de dépôt"}
    largeurs_max = {"Résumé": 70, "Titre du projet": 60, "Description": 60}
    for feuille, entetes, lignes in (
        (feuille_d, ENTETES_DEMANDES, demandes),
        (feuille_b, ENTETES_BUDGET, budget),
    ):
        feuille.append(entetes)
        for ligne in lignes:
            feuille.append([valeur(ligne[e]) if e in argent else ligne.get(e) for e in entetes])
        for col, entete in enumerate(entetes, start=1):
            lettre = get_column_letter(col)
            longueurs = [len(entete)]
            for (cellule,) in feuille.iter_rows(min_row=2, min_col=col, max_col=col):
                if entete in argent:
                    cellule.number_format = "#,##0.00"
                    longueurs.append(12)
                elif entete in dates:
                    cellule.number_format = "yyyy-mm-dd"
                    longueurs.append(10)
                elif cellule.value is not None:
                    if isinstance(cellule.value, str):
                        cellule.number_format = "@"
                    longueurs.append(len(str(cellule.value)))
            largeur = min(max(longueurs), largeurs_max.get(entete, 45)) + 2
            feuille.column_dimensions[lettre].width = largeur
        for cellule in feuille[1]:
            cellule.font = Font(bold=True)
            cellule.fill = PatternFill("solid", fgColor="DDE6F0")
            cellule.alignment = Alignment(vertical="center", wrap_text=True)
        feuille.row_dimensions[1].height = 32
        feuille.freeze_panes = "A2"
        feuille.auto_filter.ref = feuille.dimensions
    classeur.save(SORTIE)


def resumer(demandes: list[dict], budget: list[dict], speciaux: dict) -> None:
    appel = charger_appel()

    def numeros(cle: str) -> str:
        return ", ".join(f"{PREFIXE}{i + 1:03d}" for i in speciaux[cle])

    print(f"Fichier écrit : {SORTIE}")
    print(f"Demandes : {len(demandes)}  (lignes de budget : {len(budget)})")
    print(f"Projets conjoints : {sum(d['_conjoint'] for d in demandes)}")
    deux = sum(d["Montant demandé – année 2"] is not None for d in demandes)
    print(f"Projets sur deux ans : {deux}  (sur un an : {len(demandes) - deux})")
    print("Demandes par région :")
    regions = Counter(d["_region"] for d in demandes)
    for code, nom in appel["regions"].items():
        print(f"  {code} {nom} : {regions[code]}")
    for annee, enveloppe in zip((1, 2), appel["enveloppe"], strict=True):
        total = sum(d[f"Montant demandé – année {annee}"] or 0 for d in demandes) / 100
        print(
            f"Total demandé année {annee} : {total:,.2f} $ (enveloppe {enveloppe:,} $)".replace(
                ",", " "
            )
        )
    print("Demandes particulières :")
    libelles = {
        "au_dessus_plafond": "Au-dessus du plafond (ville seule)",
        "cout_inferieur": "Coût total inférieur au montant demandé",
        "sans_contribution": "Sans contribution ni cofinancement",
        "autre_financement": "Autre financement gouvernemental",
        "non_admissible": "Ligne de dépense non admissible",
        "visas_plus_500": "Frais de visas au-dessus de 500 $",
        "budget_ne_balance_pas": "Budget année 1 ≠ montant demandé",
        "dossier_incomplet": "Dossier complet = non",
        "budget_non_detaille": "Budget détaillé = non",
        "sans_engagement": "Engagement à produire un rapport = non",
        "depot_le_dernier_jour": "Déposée le jour de la date limite (à temps)",
        "depot_en_retard": "Déposée 4 jours après la date limite",
    }
    for cle, libelle in libelles.items():
        print(f"  {libelle} : {numeros(cle)}")


def main() -> None:
    demandes, budget, speciaux = generer()
    ecrire(demandes, budget)
    resumer(demandes, budget, speciaux)


if __name__ == "__main__":
    main()
