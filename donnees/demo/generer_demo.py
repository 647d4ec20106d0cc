"""Génère donnees/demo/demandes-demo.xlsx : 80 demandes fictives à l'appel PAIVMQ 2023-2024.

D'où vient quoi (le détail est dans donnees/demo/README.md) :

- Les demandeurs sont de vraies municipalités du répertoire du MAMH
  (donnees/municipalites_quebec.csv : nom, désignation, MRC, région, population du décret).
  Chaque projet est écrit à la main dans `fiches.py`, à la mesure de la municipalité qui le
  porte : les neuf plus grandes villes y sont (Montréal, Québec, Laval, Gatineau, Longueuil,
  Sherbrooke, Saguenay, Lévis, Trois-Rivières), les villages ne portent que de petits projets
  (amitié entre villages, festival, réseau) ou s'associent à leur MRC.
- Ce script tire au sort, avec une graine fixe (`random.Random(GRAINE)`), ce que les fiches
  ne fixent pas : les montants (selon la taille de la municipalité, le genre de projet et le
  caractère conjoint), les dates, la contribution et le cofinancement, la ventilation du
  budget entre les catégories de dépenses propres au genre de projet, la date de dépôt, et
  les textes du formulaire (objectifs, échéancier, retombées, visibilité, ressources
  humaines, capacité financière, résolution du conseil), assemblés à partir de phrases
  propres au genre de projet et à la taille de la municipalité.
- Les situations que les règles doivent montrer sont FORCÉES sur des fiches choisies
  (`special` dans `fiches.py`, voir `SPECIAUX`), jamais laissées au hasard : le jeu montre
  toujours les mêmes cas, aux mêmes demandes.

Deux exécutions donnent les mêmes cellules. Le script vérifie le jeu avant de l'écrire
(`verifier`) et en affiche un résumé.

Usage : python donnees/demo/generer_demo.py [fichier.xlsx]
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
sys.path.insert(0, str(ICI))
from fiches import (  # noqa: E402
    ACCUEIL,
    AMITIE,
    EVENEMENT,
    EXPERTISE,
    FESTIVAL,
    FICHES,
    MISSION,
    RECRUTEMENT,
    RESEAU,
    STRAT,
)

from evaluation.depot.gabarit import (  # noqa: E402
    COLONNES_BUDGET,
    COLONNES_DEMANDES,
    COLONNES_PAR_CLE,
)
from evaluation.socle.champs import CHAMPS_FORMULAIRE  # noqa: E402
from evaluation.socle.formats import date as date_fr  # noqa: E402
from evaluation.socle.formats import montant  # noqa: E402

DONNEES = ICI.parent
APPEL = DONNEES / "appels" / "paivmq-2023-2024.toml"
MUNICIPALITES = DONNEES / "municipalites_quebec.csv"
SORTIE = ICI / "demandes-demo.xlsx"

GRAINE = 2024
PREFIXE = "PAIVMQ-2024-"

# Les champs du formulaire de l'appel (issue 18) : leurs en-têtes sont ceux du gabarit.
ENTETES_FORMULAIRE = {cle: COLONNES_PAR_CLE[cle].entete for cle in CHAMPS_FORMULAIRE}


def entetes_demandes() -> list[str]:
    """Les en-têtes du gabarit (une seule définition : evaluation/depot/gabarit.py)."""
    return [c.entete for c in COLONNES_DEMANDES]


ENTETES_BUDGET = [c.entete for c in COLONNES_BUDGET]

# Situations forcées (clé de `special` dans une fiche → ce qu'elle produit).
SPECIAUX = {
    "plafond_depasse": "Au-dessus du plafond de 25 000 $ (initiative d'une seule ville)",
    "bonification": "Projet conjoint qui demande plus de 25 000 $ (bonification possible)",
    "cout_inferieur": "Coût total inférieur au montant demandé",
    "sans_contribution": "Ni contribution du demandeur ni cofinancement",
    "autre_financement": "Autre financement gouvernemental (inadmissible)",
    "non_admissible": "Ligne de dépense non admissible",
    "a_confirmer": "Catégorie de dépense à rattacher (« Traiteur et réception »)",
    "visas_plus_500": "Frais de visas au-dessus de 500 $",
    "budget_ecart": "Budget de l'année 1 qui ne balance pas avec le montant demandé",
    "budget_non_detaille": "Budget détaillé = non (inadmissible)",
    "dossier_incomplet": "Dossier complet = non, résolution à venir (inadmissible)",
    "sans_engagement": "Engagement à produire un rapport = non (inadmissible)",
    "depot_en_retard": "Déposée 4 jours après la date limite (inadmissible)",
    "depot_dernier_jour": "Déposée le jour de la date limite (à temps)",
    "hors_periode": "Projet commencé avant le 1er avril 2024",
    "partenaire_non_reconnu": "Partenaire municipal que l'appel ne nomme pas (une régie)",
}
# Une régie intermunicipale ne compte pas parmi les entités d'un projet conjoint tant que
# l'appel ne la nomme pas (`regroupements_municipaux`) : la demande reste celle d'une ville.
NON_RECONNUS = ("Régie ",)
# Ce que le premier examen d'après les fichiers juge « non » (voir README).
INADMISSIBLES = (
    "autre_financement",
    "budget_non_detaille",
    "dossier_incomplet",
    "sans_engagement",
    "depot_en_retard",
)
MONTANTS_AU_DESSUS = [2_800_000, 3_000_000, 2_650_000]  # cents, dans l'ordre des fiches

# Pays dont les ressortissants ont en général besoin d'un visa pour venir au Canada.
PAYS_VISA = {"Sénégal", "Maroc", "Tunisie", "Colombie", "Mexique"}
# Genres de projets qui font venir des partenaires au Québec (frais de séjour, visas).
TYPES_ACCUEIL = {ACCUEIL, EXPERTISE, EVENEMENT, FESTIVAL, AMITIE}
# Genres de projets permis à une municipalité de moins de 5 000 habitants qui dépose seule.
TYPES_PETITS = {AMITIE, RESEAU, FESTIVAL, ACCUEIL}
PETITE_POPULATION = 5_000

# Catégories de dépenses admissibles de l'appel ([[depenses.admissibles]]).
RP, LOG, ACC, VIS, EVT, VIR, MAI, DIF = (
    "ressources-professionnelles", "logistique", "accueil-partenaires", "visas",
    "evenements", "collaborations-virtuelles", "maillage", "diffusion",
)  # fmt: skip

# Lignes de budget par genre de projet : (catégorie, descriptions possibles), la première
# catégorie est toujours présente. Les déplacements d'élus et de responsables municipaux ne
# sont pas admissibles (appel) : une mission à l'étranger ne budgète que l'inscription, la
# logistique sur place, l'accompagnement et la diffusion.
LIGNES = {
    EXPERTISE: [
        (MAI, ["Ateliers de partage d'expertise entre les services de {v} et de {p}",
               "Visites techniques et journée de maillage avec les partenaires du milieu"]),
        (ACC, ["Billets d'avion (classe économique) et séjour de {n} experts de {p}",
               "Hébergement et repas des experts de {p} ({j} nuits)"]),
        (VIR, ["Série d'ateliers virtuels avec {p} (plateforme et interprétation à distance)",
               "Visioconférences de suivi avec les équipes de {p}"]),
        (RP, ["Animation des ateliers techniques par une firme spécialisée",
              "Traduction des documents de travail et interprétation"]),
        (DIF, ["Guide de pratiques issu de l'échange (rédaction et mise en page)",
               "Diffusion des résultats : site Web, médias régionaux et séance publique"]),
        (VIS, ["Frais de visas et assurance voyage des experts de {p}"]),
    ],
    ACCUEIL: [
        (ACC, ["Billets d'avion (classe économique) de {n} représentants de {p}",
               "Hébergement et repas de la délégation de {p} ({j} nuits)"]),
        (MAI, ["Rencontres de maillage avec les organismes et entreprises de la région",
               "Journée de travail et visites de terrain avec la délégation"]),
        (LOG, ["Transport local, location de salle et accueil de la délégation",
               "Coordination logistique du séjour de la délégation"]),
        (RP, ["Interprétation et traduction (services externes)",
              "Conception du programme de visite par une firme spécialisée"]),
        (DIF, ["Captation vidéo et bilan public de la visite",
               "Exposition et publication sur le projet commun"]),
        (VIS, ["Frais de visas et assurance voyage de la délégation de {p}"]),
    ],
    MISSION: [
        (EVT, ["Inscription et espace régional à {evt}",
               "Kiosque partagé avec les entreprises à {evt}"]),
        (RP, ["Firme d'accompagnement : préparation de la mission et prise de rendez-vous",
              "Traduction du matériel promotionnel et des présentations"]),
        (MAI, ["Rencontres d'affaires ciblées avec les partenaires de {p}",
               "Activité de maillage entre les entreprises de la région et celles de {p}"]),
        (LOG, ["Salle de rencontre et interprète sur place",
               "Expédition du matériel promotionnel"]),
        (DIF, ["Bilan de mission diffusé aux entreprises et aux partenaires",
               "Capsules vidéo sur les résultats de la mission"]),
    ],
    RECRUTEMENT: [
        (EVT, ["Inscription et kiosque de la région à {evt}",
               "Espace employeurs partagé à {evt}"]),
        (LOG, ["Séance d'information sur la vie à {v} : salle et matériel",
               "Salles d'entrevue sur place et interprète"]),
        (RP, ["Firme d'accompagnement : présélection des candidatures",
              "Conseils en immigration aux employeurs participants (services externes)"]),
        (VIR, ["Entrevues et séances d'information virtuelles avec les candidats",
               "Plateforme d'entrevues à distance"]),
        (DIF, ["Capsules vidéo « Vivre à {v} » pour les candidats",
               "Bilan du recrutement diffusé aux employeurs"]),
    ],
    EVENEMENT: [
        (EVT, ["Organisation de {evt} (salles, programme, captation)",
               "Programme et animation des séances de {evt}"]),
        (ACC, ["Déplacement et séjour des conférenciers de {p}",
               "Billets d'avion (classe économique) et hébergement des délégations invitées"]),
        (RP, ["Interprétation simultanée des séances",
              "Coordination du programme par une firme spécialisée"]),
        (LOG, ["Accueil, transport local et signalisation de l'événement",
               "Location de salles et d'équipement audiovisuel"]),
        (DIF, ["Actes de {evt} et diffusion en ligne",
               "Plan de communication et relations de presse"]),
        (VIS, ["Frais de visas et assurance voyage des délégations invitées"]),
    ],
    FESTIVAL: [
        (ACC, ["Déplacement et séjour des {invites} de {p}",
               "Billets d'avion (classe économique) et hébergement des invités de {p}"]),
        (EVT, ["Programmation du volet international de {evt}",
               "Organisation des activités publiques du volet international"]),
        (LOG, ["Accueil technique et transport local des {invites} invités",
               "Location d'équipement pour le volet international"]),
        (MAI, ["Rencontres professionnelles entre {pros} d'ici et de {p}",
               "Classe de maître et rencontres avec les {invites} de la région"]),
        (DIF, ["Promotion du volet international au Québec et à {p}",
               "Captation et diffusion en ligne du volet international"]),
        (VIS, ["Frais de visas et assurance voyage des {invites} invités"]),
    ],
    RESEAU: [
        (EVT, ["Frais de participation à {evt}",
               "Inscription et présentation de {v} à {evt}"]),
        (RP, ["Préparation de la présentation et du dossier (services professionnels)",
              "Traduction du dossier de présentation"]),
        (VIR, ["Participation aux groupes de travail virtuels du réseau",
               "Webinaires d'échange avec les membres du réseau"]),
        (DIF, ["Diffusion des apprentissages auprès du conseil et des citoyens",
               "Capsule vidéo de présentation de {v}"]),
    ],
    STRAT: [
        (RP, ["Honoraires de la firme-conseil : diagnostic et rédaction de la stratégie",
              "Étude d'étalonnage international réalisée par un consultant externe"]),
        (LOG, ["Ateliers de consultation des partenaires du milieu (salles, animation)",
               "Organisation du forum de consultation"]),
        (VIR, ["Entretiens d'étalonnage à distance avec {p}",
               "Séances de travail virtuelles avec les responsables de {p}"]),
        (DIF, ["Mise en page, traduction et lancement public de la stratégie",
               "Publication du document et présentation publique"]),
    ],
    AMITIE: [
        (ACC, ["Séjour au Québec de {n} représentants de {p}",
               "Billets d'avion (classe économique) des invités de {p}"]),
        (LOG, ["Accueil des invités et activités citoyennes",
               "Transport local et réception communautaire"]),
        (VIR, ["Rencontres virtuelles entre les écoles et organismes des deux villages",
               "Échanges virtuels préparatoires"]),
        (DIF, ["Exposition photo et bulletin municipal spécial",
               "Diffusion dans les médias locaux"]),
    ],
}  # fmt: skip

# Lignes non admissibles forcées (id de [[depenses.non_admissibles]] → alias, description).
NON_ADMISSIBLES = {
    "deplacement-elus": ("Frais de déplacement des élus",
                         "Billets d'avion du maire et de deux conseillers vers {p}"),
    "premiere-classe": ("Classe affaires", "Vol en classe affaires du maire de {p}"),
    "fonctionnement": ("Salaires", "Salaire de la coordonnatrice municipale du projet"),
    "equipements": ("Équipements", "Achat de thermostats intelligents pour trois bâtiments"),
}  # fmt: skip
# Un libellé qui n'est aucune catégorie de l'appel : « catégorie à confirmer », jamais compté
# admissible avant qu'un analyste le rattache (page Importation).
A_CONFIRMER = ("Traiteur et réception", "Réception de clôture avec les invités de {p}", 45_000)


# --- Tailles -----------------------------------------------------------------------------


def taille(population: int) -> str:
    if population >= 100_000:
        return "grande"
    if population >= 20_000:
        return "moyenne"
    if population >= PETITE_POPULATION:
        return "petite"
    return "village"


# Montant de l'année 1 en dollars (triangulaire : bas, haut, mode), contribution du
# demandeur en part du montant demandé, probabilité d'un projet sur deux ans.
MONTANTS = {
    "grande": (16_000, 25_000, 23_000),
    "moyenne": (11_000, 25_000, 19_000),
    "petite": (7_000, 20_000, 13_000),
    "village": (3_000, 10_000, 6_000),
}
CONTRIBUTIONS = {
    "grande": (0.5, 1.2),
    "moyenne": (0.3, 0.8),
    "petite": (0.2, 0.5),
    "village": (0.1, 0.3),
}
DEUX_ANS = {"grande": 0.7, "moyenne": 0.5, "petite": 0.3, "village": 0.05}
FACTEUR_TYPE = {STRAT: 0.85, RESEAU: 0.6, AMITIE: 0.8, EVENEMENT: 1.1}

# --- Textes du formulaire ------------------------------------------------------------------

OBJECTIFS = {
    EXPERTISE: ["documenter les pratiques de {P} sur {theme}",
                "adapter au moins {k} de ces pratiques aux services de {V}",
                "former {m} employés municipaux et partenaires du milieu",
                "conclure avec {P} une entente de collaboration de trois ans",
                "présenter les résultats au conseil et aux partenaires régionaux"],
    ACCUEIL: ["accueillir une délégation de {n} personnes de {P} autour de {theme}",
              "tenir {k} rencontres de travail avec les organismes et entreprises de la région",
              "jeter les bases d'un partenariat durable avec {P}",
              "faire connaître aux citoyens les liens entre {V} et {P}"],
    MISSION: ["présenter l'offre de {V} à {evt}",
              "obtenir {m} rendez-vous d'affaires qualifiés pour les entreprises participantes",
              "accompagner {e} entreprises de la région",
              "suivre les occasions repérées dans les six mois qui suivent la mission"],
    RECRUTEMENT: ["présenter {V} et ses employeurs à {evt}",
                  "rencontrer {m} candidats dans les métiers en pénurie",
                  "accompagner {e} employeurs de la région dans leurs entrevues",
                  "préparer l'accueil et l'établissement des personnes recrutées"],
    EVENEMENT: ["réunir {m} participants de {k} pays autour de {theme}",
                "mettre en valeur l'expertise de {V} auprès de villes étrangères",
                "adopter une feuille de route commune avec les villes participantes",
                "ouvrir une partie du programme au grand public"],
    FESTIVAL: ["accueillir {n} {invites} de {P} à {evt}",
               "accroître le rayonnement international de {evt}",
               "créer des liens durables entre les {pros} d'ici et ceux de {P}",
               "offrir des activités gratuites aux citoyens et aux écoles"],
    RESEAU: ["présenter la démarche de {V} pour {theme}",
             "nouer des liens avec au moins {k} membres du réseau",
             "rapporter des pratiques applicables à {V}",
             "rendre compte au conseil des apprentissages et des suites possibles"],
    STRAT: ["doter {V} d'une stratégie internationale adoptée par le conseil",
            "consulter {m} partenaires du milieu (économie, culture, enseignement)",
            "étalonner la démarche auprès de {P}",
            "retenir des priorités, des territoires cibles et des indicateurs de suivi"],
    AMITIE: ["faire vivre l'amitié entre {V} et {P} autour de {theme}",
             "accueillir {n} représentants de {P}",
             "associer les citoyens et les organismes locaux aux activités"],
}  # fmt: skip

ETAPES = {
    EXPERTISE: ["lancement et ateliers virtuels avec {P}", "séjour des experts de {P}",
                "atelier de transfert avec les services municipaux", "bilan et rapport au conseil"],
    ACCUEIL: ["préparation du programme avec {P}", "accueil de la délégation",
              "suivi des rencontres", "bilan et diffusion"],
    MISSION: ["recrutement des entreprises participantes", "préparation des rendez-vous",
              "mission à {evt}", "suivi des occasions et bilan"],
    RECRUTEMENT: ["inscription des employeurs et affichage des postes",
                  "présélection des candidatures", "recrutement à {evt}",
                  "accueil des premières personnes recrutées et bilan"],
    EVENEMENT: ["comité organisateur et invitations", "programme et inscriptions",
                "tenue de {evt}", "actes et bilan"],
    FESTIVAL: ["choix des {invites} invités", "démarches de voyage et promotion",
               "volet international de {evt}", "bilan"],
    RESEAU: ["préparation de la présentation", "{evt}", "rapport au conseil"],
    STRAT: ["diagnostic", "consultations et étalonnage auprès de {P}", "rédaction",
            "adoption par le conseil et lancement"],
    AMITIE: ["programme conjoint avec {P}", "accueil des représentants de {P}",
             "activités citoyennes et bilan"],
}  # fmt: skip

RETOMBEES = {
    EXPERTISE: ["{k} pratiques adaptées aux services municipaux, sur {theme}",
                "un réseau de contacts durable entre les équipes de {V} et de {P}",
                "un guide public utile aux autres municipalités de la région",
                "une entente de collaboration qui prolonge le projet au-delà de la subvention"],
    ACCUEIL: ["{k} projets de collaboration repérés avec {P}",
              "des retombées touristiques et commerciales pendant la visite",
              "une entente d'amitié ou de coopération soumise au conseil",
              "une meilleure connaissance de {P} chez les organismes de la région"],
    MISSION: ["{m} rendez-vous d'affaires et au moins {k} occasions sérieuses à suivre",
              "des recrutements ou des investissements suivis sur douze mois",
              "une présence régionale mieux connue à {evt}",
              "des entreprises mieux préparées aux marchés étrangers"],
    RECRUTEMENT: ["{m} entrevues et au moins {k} embauches visées",
                  "des postes en pénurie pourvus chez les employeurs de la région",
                  "une trousse d'accueil des nouveaux arrivants mise à jour",
                  "une présence régionale mieux connue à {evt}"],
    EVENEMENT: ["{m} participants, dont une part venue de l'étranger",
                "des retombées économiques pour l'hôtellerie et la restauration",
                "une feuille de route adoptée par les villes participantes",
                "le positionnement de {V} comme ville hôte d'événements internationaux"],
    FESTIVAL: ["un public élargi (objectif : {public} personnes au volet international)",
               "des liens de coproduction avec {P}",
               "des retombées touristiques mesurées par l'office de tourisme",
               "des ateliers offerts gratuitement à {k} écoles"],
    RESEAU: ["l'adhésion de {V} à un réseau international actif",
             "{k} pratiques rapportées et présentées au conseil",
             "la reconnaissance internationale de la démarche de {V}"],
    STRAT: ["une stratégie adoptée, avec un plan d'action sur trois ans",
            "des priorités partagées avec {m} partenaires du milieu",
            "des indicateurs de suivi publiés chaque année"],
    AMITIE: ["des liens durables entre les citoyens de {V} et de {P}",
             "{k} activités ouvertes à la population",
             "des projets d'échange pour les écoles et les organismes"],
}  # fmt: skip

VISIBILITE = [
    "communiqué conjoint avec {P} au lancement et au bilan",
    "publications sur le site Web et les réseaux sociaux de {V}",
    "article dans le bulletin municipal distribué à tous les foyers",
    "entrevues dans les médias régionaux",
    "mention du soutien du ministère des Relations internationales et de la Francophonie sur "
    "tous les documents",
    "logo du gouvernement du Québec sur le matériel du projet",
    "présentation des résultats à la séance publique du conseil",
    "capsule vidéo diffusée au Québec et auprès des partenaires de {P}",
]
SERVICES = {
    "innovation": "du développement économique",
    "talents": "du développement économique",
    "francophonie": "de la culture",
    "developpement-durable": "de l'environnement",
    "mobilite-durable": "de l'urbanisme et de la mobilité",
    "culture": "de la culture",
    "cohesion-sociale": "du développement social",
}
RESSOURCES = {
    "grande": ["Le bureau des relations internationales pilote le projet avec "
               "le service {s} ; une chargée de projet y consacre environ {pct} % de son temps.",
               "Une équipe de {k} personnes du service {s}, appuyée par le bureau des relations "
               "internationales, mène le projet ; un comité directeur se réunit chaque mois."],
    "moyenne": ["Une conseillère du service {s} coordonne le projet ({pct} % de sa tâche), avec "
                "l'appui de la direction générale et d'un comité de suivi de {k} partenaires.",
                "Le service {s} désigne un chargé de projet ({pct} % de sa tâche) ; la "
                "direction des communications prépare la diffusion."],
    "petite": ["Le directeur du service {s} coordonne le projet avec une agente de "
               "communication ; un comité de {k} partenaires du milieu l'appuie.",
               "Une agente de développement ({pct} % de sa tâche) coordonne le projet, avec "
               "l'appui de la direction générale."],
    "village": ["La directrice générale coordonne le projet avec un comité de {k} bénévoles ; "
                "l'agente de développement de la MRC apporte son soutien.",
                "Le directeur général et une élue responsable du dossier coordonnent le projet, "
                "avec un comité de {k} citoyens."],
}  # fmt: skip
COFINANCEURS = {
    MISSION: ["des entreprises participantes", "la chambre de commerce"],
    RECRUTEMENT: ["des employeurs participants", "la chambre de commerce"],
    FESTIVAL: ["commanditaires privés du festival", "la caisse Desjardins locale"],
    EVENEMENT: ["partenaires privés de l'événement", "frais d'inscription des participants"],
    ACCUEIL: ["la chambre de commerce", "la caisse Desjardins locale"],
    EXPERTISE: ["entreprises partenaires", "la caisse Desjardins locale"],
    RESEAU: ["la caisse Desjardins locale"],
    STRAT: ["la chambre de commerce"],
    AMITIE: ["la caisse Desjardins locale", "comité de jumelage (activités de financement)"],
}
EXPERIENCE = {
    "grande": "La Ville gère chaque année plusieurs projets internationaux de cette taille.",
    "moyenne": "La Ville a déjà mené des projets subventionnés de taille comparable.",
    "petite": "La municipalité a déjà géré des projets subventionnés de taille comparable.",
    "village": "La municipalité réalise ce projet à l'échelle de ses moyens, avec sa MRC.",
}
FORMES_RESOLUTION = ["{a}-{mm}-{n:03d}", "CM-{a}-{n:04d}", "RES-{aa}-{n:03d}", "{aa}-{mm}-{n:03d}"]


# --- Outils ------------------------------------------------------------------------------


def texte(nom: str) -> str:
    """Le nom d'une municipalité dans un texte : le « -- » du MAMH devient un tiret « – »."""
    return nom.replace("--", "–")


def entite(nom: str) -> str:
    """Une entité municipale dans une phrase : « la MRC de … », « Maria »."""
    if nom.startswith(("MRC", "Communauté", "Régie")):
        return "la " + texte(nom)
    return texte(nom)


def slug(brut: str) -> str:
    sans_accents = unicodedata.normalize("NFKD", brut).encode("ascii", "ignore").decode()
    morceaux = "".join(c if c.isalnum() else "-" for c in sans_accents.lower()).split("-")
    return "-".join(m for m in morceaux if m)


def valeur(cents: int | None) -> int | float | None:
    """Des cents à la valeur d'une cellule : un entier en dollars ronds, sinon 2 décimales."""
    if cents is None:
        return None
    return cents // 100 if cents % 100 == 0 else round(cents / 100, 2)


def date_entre(rng: random.Random, debut: dt.date, fin: dt.date) -> dt.date:
    return debut + dt.timedelta(days=rng.randint(0, (fin - debut).days))


def arrondi(dollars: float, pas: int = 500) -> int:
    return round(dollars / pas) * pas


def mois(jour: dt.date) -> str:
    """« avril 2024 »."""
    return date_fr(jour).split(" ", 1)[1]


def phrase(texte_: str) -> str:
    return texte_[0].upper() + texte_[1:]


def elider(phrase_: str) -> str:
    """Élisions et contractions après un nom substitué : « de Amos » → « d'Amos », « à le
    salon » → « au salon », « de Le Creusot » → « du Creusot », « à les Journées » → « aux
    Journées »."""
    for avant, apres in (("à le", "au"), ("à les", "aux"), ("de le", "du"), ("de les", "des")):
        phrase_ = re.sub(rf"\b{avant} ", f"{apres} ", phrase_)
        phrase_ = re.sub(rf"\b{avant.replace(' l', ' L')} ", f"{apres} ", phrase_)
    return re.sub(r"\bde ([AEIOUYÉÈÊÎÂÔaeiouyéèêîâô])", r"d'\1", phrase_)


def nombre(n: int) -> str:
    """« 2 500 » (espace insécable avant les milliers)."""
    return f"{n:,}".replace(",", "\u00a0")


# Ordres de grandeur des nombres cités dans les textes, par genre de projet.
NOMBRES = {
    # m : personnes formées, rendez-vous, participants, partenaires consultés ;
    # k : petites quantités (pratiques, rencontres, pays) ; e : entreprises d'une mission.
    EXPERTISE: {"m": (8, 40), "k": (2, 5)},
    ACCUEIL: {"m": (10, 30), "k": (3, 8)},
    MISSION: {"m": (15, 60), "k": (3, 8), "e": (4, 15)},
    RECRUTEMENT: {"m": (40, 150), "k": (8, 30), "e": (5, 20)},
    EVENEMENT: {"m": (120, 400), "k": (5, 14)},
    FESTIVAL: {"m": (10, 30), "k": (3, 12)},
    RESEAU: {"m": (5, 15), "k": (3, 6)},
    STRAT: {"m": (15, 60), "k": (2, 4)},
    AMITIE: {"m": (5, 20), "k": (2, 5)},
}
PUBLIC = {"grande": (5_000, 30_000), "moyenne": (2_000, 15_000), "petite": (800, 6_000),
          "village": (300, 2_000)}  # fmt: skip


def charger_appel() -> dict:
    with APPEL.open("rb") as f:
        appel = tomllib.load(f)
    alias_non_admissibles = {d["id"]: set(d["alias"]) for d in appel["depenses"]["non_admissibles"]}
    for cle, (alias, _) in NON_ADMISSIBLES.items():
        assert alias in alias_non_admissibles[cle], alias
    financement = appel["financement"]
    return {
        "axes": [a["numero"] for a in appel["axes"]],
        "secteurs": {s["id"]: s["libelle"] for s in appel["secteurs"]},
        "admissibles": {d["id"]: d for d in appel["depenses"]["admissibles"]},
        "plafond": financement["plafond_annuel"] * 100,
        "plafond_conjoint": 100
        * (financement["plafond_annuel"] + financement["bonification_conjoint_max"]),
        "enveloppe": [e * 100 for e in financement["enveloppe"]],
        "plafond_visas": appel["depenses"]["plafond_visas"] * 100,
        "regions": {r["code"]: r["nom"] for r in appel["regions"]},
        "date_limite": appel["appel"]["date_limite"],
    }


def charger_municipalites() -> dict[str, dict]:
    """Les municipalités du répertoire par nom ; un nom porté par plusieurs (deux
    « Saint-Siméon ») n'est pas repris : chaque nom du jeu est sans ambiguïté."""
    with MUNICIPALITES.open(encoding="utf-8", newline="") as f:
        lignes = list(csv.DictReader(f))
    homonymes = {nom for nom, nb in Counter(m["nom"] for m in lignes).items() if nb > 1}
    par_nom = {}
    for ligne in lignes:
        if ligne["nom"] not in homonymes:
            ligne["population"] = int(ligne["population"] or 0)
            par_nom[ligne["nom"]] = ligne
    return par_nom


def libelle_categorie(rng: random.Random, appel: dict, cat: str, typ: str) -> str:
    """Le plus souvent l'alias court de la catégorie, parfois son libellé entier ou un autre
    alias, comme l'écriraient des municipalités différentes."""
    depense = appel["admissibles"][cat]
    tirage = rng.random()
    if tirage < 0.15:
        return depense["libelle"]
    if cat == EVT:
        return {FESTIVAL: "Festival", EVENEMENT: rng.choice(["Colloque", "Conférence"])}.get(
            typ, "Participation à un événement"
        )
    if tirage < 0.3:
        return rng.choice(depense["alias"])
    return depense["alias"][0]


def repartir(rng: random.Random, total: int, poids: list[float]) -> list[int]:
    """Partage `total` cents selon `poids` (bruités), en multiples de 50 $ sauf la dernière
    part ; chaque part vaut au moins 500 $."""
    if len(poids) == 1:
        return [total]
    while True:
        bruit = [p * rng.uniform(0.7, 1.3) for p in poids]
        somme = sum(bruit)
        parts = [round(total * b / somme / 5000) * 5000 for b in bruit[:-1]]
        dernier = total - sum(parts)
        if min(parts) >= 50000 and dernier >= 50000:
            return [*parts, dernier]


# --- Génération --------------------------------------------------------------------------


def _specials(fiche: dict) -> set[str]:
    return {s.split(":")[0] for s in fiche.get("special", [])}


def _formulaire(
    rng: random.Random, fiche: dict, m: dict, t: str, d: dict, valeurs: dict, qc: list[str]
) -> dict:
    """Les sept champs du formulaire, assemblés pour cette demande."""
    typ = fiche["type"]
    nombres = {cle: rng.randint(*bornes) for cle, bornes in NOMBRES[typ].items()}
    if typ == EVENEMENT:
        nombres["m"] = round(nombres["m"], -1)
    nombres.setdefault("e", nombres["k"])
    public = round(rng.randint(*PUBLIC[t]), -2)
    fmt = {**valeurs, **nombres, "public": nombre(public)}
    # Objectifs : le premier de la liste (le cœur du genre de projet), puis 1 ou 2 autres.
    reste = OBJECTIFS[typ][1:]
    choisis = [OBJECTIFS[typ][0], *rng.sample(reste, 1 if t == "village" else 2)]
    objectifs = " ".join(f"{i}. {phrase(o.format(**fmt))}." for i, o in enumerate(choisis, 1))
    # Échéancier : les étapes réparties entre le début et la fin du projet ; l'étape de
    # l'événement, s'il y en a un, à son mois.
    etapes = ETAPES[typ]
    debut, fin, evenement = d["debut"], d["fin"], d["evenement"]
    i_evt = next((i for i, e in enumerate(etapes) if "{evt}" in e), None)
    jours = []
    for i in range(len(etapes)):
        if evenement and i_evt is not None:
            if i == i_evt:
                jour = evenement
            elif i < i_evt:
                jour = debut + (evenement - debut) * i / max(i_evt, 1)
            else:
                n_apres = len(etapes) - 1 - i_evt
                jour = evenement + (fin - evenement) * (i - i_evt) / n_apres
        else:
            jour = debut + (fin - debut) * i / (len(etapes) - 1)
        jours.append(jour)
    jalons = [
        f"{phrase(mois(jour))} : {etape.format(**fmt)}"
        for jour, etape in zip(jours, etapes, strict=True)
    ]
    if evenement and d["an2"] and i_evt is not None:
        jalons.insert(
            -1, f"{phrase(mois(evenement.replace(year=evenement.year + 1)))} : deuxième édition"
        )
    echeancier = " ; ".join(jalons) + "."
    retombees = " ; ".join(
        r.format(**fmt) for r in rng.sample(RETOMBEES[typ], 2 if t == "village" else 3)
    )
    visibilite = " ; ".join(v.format(**fmt) for v in rng.sample(VISIBILITE, rng.randint(2, 4)))
    # Un territoire équivalent (Nord-du-Québec, par exemple) n'a pas de MRC qui prête une
    # agente de développement.
    sans_mrc = m["mrc"].endswith("(TÉ)")
    modeles = RESSOURCES[t][1:] if t == "village" and sans_mrc else RESSOURCES[t]
    rh = rng.choice(modeles).format(
        k=rng.randint(3, 8), pct=rng.choice([20, 25, 30, 40, 50]), s=SERVICES[fiche["secteur"]]
    )
    if typ == MISSION:
        rh += " Les entreprises participantes paient leurs propres déplacements."
    if typ == RECRUTEMENT:
        rh += " Les employeurs participants paient leurs propres déplacements."
    if qc:
        entites = [valeurs["V"], *(entite(q) for q in qc)]
        rh += f" Un comité conjoint réunit {', '.join(entites[:-1])} et {entites[-1]}."
    # Capacité financière : les montants du montage.
    if d["contribution"] is None:
        capacite = (
            "Aucune contribution en argent n'est prévue : la municipalité fournit le personnel "
            "et les locaux."
        )
    else:
        capacite = f"Contribution de {valeurs['V']} : {montant(d['contribution'])}"
        capacite += (
            rng.choice([" inscrits au budget 2024", " prévus au budget de fonctionnement", ""])
            + "."
        )
        if d["cofinancement"]:
            source = rng.choice(COFINANCEURS[typ])
            capacite += f" Cofinancement : {montant(d['cofinancement'])} ({source})."
        if d["autre_financement"]:
            capacite += (
                f" Aide du Fonds régions et ruralité (volet 2) : {montant(d['autre_financement'])}."
            )
    experience = EXPERIENCE[t]
    if sans_mrc:
        experience = experience.replace(", avec sa MRC", ", avec ses voisins")
    capacite += " " + experience
    champs = {
        "Objectifs": objectifs,
        "Échéancier": echeancier,
        "Retombées attendues": phrase(retombees) + ".",
        "Visibilité": phrase(visibilite) + ".",
        "Ressources humaines": rh,
        "Capacité financière": capacite,
        "Résolution du conseil": _resolution(rng, fiche, m, d, qc),
    }
    return {cle: elider(v) for cle, v in champs.items()}


def _numero_resolution(rng: random.Random, nom: str, jour: dt.date) -> str:
    forme = FORMES_RESOLUTION[sum(map(ord, nom)) % len(FORMES_RESOLUTION)]
    return forme.format(
        a=jour.year, aa=jour.year % 100, mm=f"{jour.month:02d}", n=rng.randint(12, 480)
    )


def _resolution(rng: random.Random, fiche: dict, m: dict, d: dict, qc: list[str]) -> str:
    if "dossier_incomplet" in _specials(fiche):
        seance = d["date_depot"] + dt.timedelta(days=rng.randint(6, 20))
        return (
            f"À venir : le conseil l'adoptera à sa séance du {date_fr(seance)} ; la demande "
            "est déposée sans la résolution."
        )
    jour = d["date_depot"] - dt.timedelta(days=rng.randint(5, 40))
    numero = _numero_resolution(rng, m["nom"], jour)
    conseil = "du conseil municipal" if m["designation"] != "Ville" else "du conseil de ville"
    if not qc:
        return (
            f"Résolution {numero} {conseil}, adoptée le {date_fr(jour)} : le conseil autorise le "
            "dépôt de la demande et désigne la personne signataire."
        )
    autres = []
    for q in qc:
        jour_q = d["date_depot"] - dt.timedelta(days=rng.randint(5, 45))
        autres.append(f"{texte(q)} ({_numero_resolution(rng, q, jour_q)}, {date_fr(jour_q)})")
    return (
        f"Résolutions concordantes : {texte(m['nom'])} ({numero}, {date_fr(jour)}) ; "
        + " ; ".join(autres)
        + ". Les conseils autorisent le dépôt et désignent la requérante."
    )


def generer() -> tuple[list[dict], list[dict], dict[str, list[str]]]:
    """Les lignes des feuilles Demandes et Budget (montants en cents) et, par situation
    forcée, les numéros des demandes qui la portent."""
    rng = random.Random(GRAINE)
    appel = charger_appel()
    municipalites = charger_municipalites()
    fiches = list(FICHES)
    rng.shuffle(fiches)  # numéros dans un ordre quelconque, pas par région
    region_en_nom = set(rng.sample(range(len(fiches)), 10))
    rng_depot = random.Random(GRAINE + 1)
    speciaux: dict[str, list[str]] = {cle: [] for cle in SPECIAUX}
    au_dessus = iter(MONTANTS_AU_DESSUS)
    demandes, budget = [], []
    for i, fiche in enumerate(fiches):
        numero = f"{PREFIXE}{i + 1:03d}"
        m = municipalites[fiche["v"]]
        t = taille(m["population"])
        typ = fiche["type"]
        qc = list(fiche.get("qc", []))
        conjoint = any(not q.startswith(NON_RECONNUS) for q in qc)
        special = _specials(fiche)
        for s in special:
            speciaux[s].append(numero)
        valeurs = {
            "V": texte(m["nom"]),
            "v": texte(m["nom"]),
            "P": fiche["p"],
            "p": fiche["p"],
            "theme": fiche["theme"],
            "evt": fiche.get("evt", "le projet"),
            "invites": fiche.get("invites", "artistes"),
            "pros": fiche.get("pros", "diffuseurs"),
            "n": rng.randint(2, 4) if t == "village" else rng.randint(3, 8),
            "j": rng.randint(3, 7),
        }

        # Montants (cents).
        bas, haut, mode = MONTANTS[t]
        facteur = FACTEUR_TYPE.get(typ, 1.0) * (rng.uniform(1.15, 1.4) if conjoint else 1.0)
        plafond = appel["plafond_conjoint"] if conjoint else appel["plafond"]
        an1 = min(arrondi(rng.triangular(bas, haut, mode) * facteur) * 100, plafond)
        if "plafond_depasse" in special:
            an1 = next(au_dessus)
        if "bonification" in special:
            assert conjoint, fiche["titre"]
            an1 = rng.randrange(28_000, plafond // 100 + 1, 500) * 100
        ans = fiche.get("ans") or (2 if rng.random() < DEUX_ANS[t] else 1)
        an2 = None
        if ans == 2:
            an2 = min(arrondi(an1 / 100 * rng.uniform(0.6, 1.0)) * 100, plafond)
        demande_totale = an1 + (an2 or 0)

        autre = None
        if "sans_contribution" in special:
            contribution = cofinancement = None
            cout = demande_totale
        else:
            lo, hi = CONTRIBUTIONS[t]
            contribution = arrondi(demande_totale / 100 * rng.uniform(lo, hi), 100) * 100
            cofinancement = (
                0
                if rng.random() < 0.3
                else arrondi(demande_totale / 100 * rng.uniform(0.05, 0.35), 100) * 100
            )
            cout = demande_totale + contribution + cofinancement
            if "autre_financement" in special:
                autre = rng.choice([500_000, 750_000, 1_000_000])
                cout += autre
            if "cout_inferieur" in special:
                # Le coût saisi est celui de la seule part municipale : erreur fréquente.
                cout = contribution + cofinancement
                assert cout < demande_totale, numero

        # Dates : autour de l'événement quand il y en a un (son mois est dans la fiche).
        evenement = None
        if "mois" in fiche:
            annee = 2024 if fiche["mois"] >= 5 else 2025
            evenement = dt.date(annee, fiche["mois"], rng.randint(5, 25))
            debut = max(dt.date(2024, 4, 1), evenement - dt.timedelta(days=rng.randint(60, 150)))
        else:
            debut = date_entre(rng, dt.date(2024, 4, 1), dt.date(2024, 9, 30))
        if "hors_periode" in special:
            debut = dt.date(2024, 3, 18)
        if ans == 2:
            fin = date_entre(rng, dt.date(2025, 10, 31), dt.date(2026, 3, 31))
            if evenement:  # la deuxième édition de l'événement tient dans le projet
                fin = max(fin, evenement.replace(year=evenement.year + 1) + dt.timedelta(days=30))
        else:
            plus_tot = max(debut + dt.timedelta(days=150), dt.date(2024, 11, 30))
            if evenement:
                plus_tot = max(plus_tot, evenement + dt.timedelta(days=30))
            fin = date_entre(rng, min(plus_tot, dt.date(2025, 3, 1)), dt.date(2025, 3, 31))
        limite = appel["date_limite"]
        if "depot_en_retard" in special:
            depot = limite + dt.timedelta(days=4)
        elif "depot_dernier_jour" in special:
            depot = limite
        else:
            depot = date_entre(rng_depot, dt.date(2024, 1, 15), limite - dt.timedelta(days=1))

        d = {
            "debut": debut,
            "fin": fin,
            "evenement": evenement,
            "an2": an2,
            "contribution": contribution,
            "cofinancement": cofinancement,
            "autre_financement": autre,
            "date_depot": depot,
        }
        resume = fiche["resume"]
        if autre:
            resume += (
                " Le projet reçoit aussi une aide du Fonds régions et ruralité (volet 2) pour "
                "les mêmes activités."
            )
        etrangers = fiche["etr"]
        pays = list(dict.fromkeys(p for _, p in etrangers))
        if t in ("grande", "moyenne"):
            qualite = rng.choices(["fonctionnaire", "élu", "délégué"], weights=[70, 20, 10])[0]
        else:
            qualite = rng.choices(["fonctionnaire", "élu", "délégué"], weights=[45, 45, 10])[0]
        locaux = {
            "grande": ["relations.internationales", "bri", "affaires.internationales"],
            "moyenne": ["developpement.economique", "international", "cabinet"],
            "petite": ["direction.generale", "developpement", "communications"],
            "village": ["dg", "info", "direction"],
        }[t]
        courriel = f"{rng.choice(locaux)}@{slug(m['designation'])}-{slug(m['nom'])}.example"
        ligne = {
            "No de demande": numero,
            "Municipalité requérante": m["nom"],
            "Région administrative": m["region_nom"] if i in region_en_nom else m["region_code"],
            "Municipalités partenaires": "; ".join(qc) or None,
            "Partenaires étrangers": "; ".join(nom for nom, _ in etrangers),
            "Pays": "; ".join(pays),
            "Titre du projet": fiche["titre"],
            "Résumé": resume,
            "Axe": fiche["axe"],
            "Secteur principal": appel["secteurs"][fiche["secteur"]],
            "Secteurs secondaires": "; ".join(appel["secteurs"][s] for s in fiche["sec"]) or None,
            "Date de début": debut,
            "Date de fin": fin,
            "Coût total du projet": cout,
            "Montant demandé – année 1": an1,
            "Montant demandé – année 2": an2,
            "Contribution du demandeur": contribution,
            "Cofinancement externe": cofinancement,
            "Autre financement gouvernemental": "oui" if autre else "non",
            "Dossier complet": "non" if "dossier_incomplet" in special else "oui",
            "Budget détaillé": "non" if "budget_non_detaille" in special else "oui",
            "Engagement à produire un rapport": "non" if "sans_engagement" in special else "oui",
            "Qualité du signataire": qualite,
            "Courriel": courriel,
            "Date de dépôt": depot,
            **_formulaire(rng, fiche, m, t, d, valeurs, qc),
            "_population": m["population"],
            "_region": m["region_code"],
            "_conjoint": conjoint,
            "_type": typ,
            "_special": sorted(special),
        }
        demandes.append(ligne)
        budget += _budget(rng, appel, fiche, numero, an1, an2, valeurs, special)
    verifier(demandes, budget, speciaux, appel)
    return demandes, budget, speciaux


def _budget(rng, appel, fiche, numero, an1, an2, valeurs, special) -> list[dict]:
    """Les lignes de la feuille Budget : comment la subvention demandée sera dépensée, par
    année ; leur somme égale le montant demandé de l'année (sauf écart forcé)."""
    typ = fiche["type"]
    visas = typ in TYPES_ACCUEIL and any(p in PAYS_VISA for _, p in fiche["etr"])
    pool = [(c, descs) for c, descs in LIGNES[typ] if c != VIS]
    lignes = []
    non_admissible = next(
        (s.split(":")[1] for s in fiche.get("special", []) if s.startswith("non_admissible:")),
        None,
    )
    for annee, demande in ((1, an1), (2, an2)):
        if demande is None:
            continue
        cible = demande
        if annee == 1 and "budget_ecart" in special:
            cible += rng.choice([1, -1]) * rng.choice([250, 300, 350, 400, 450]) * 100
        fixes: list[tuple[str, str, int]] = []
        if "budget_non_detaille" in special:
            cat, _ = pool[0]
            fixes.append(
                (libelle_categorie(rng, appel, cat, typ),
                 "Montant global du projet (ventilation à venir)", cible)
            )  # fmt: skip
            choisies = []
        else:
            maximum = max(2, min(5, cible // 300_000))
            nb = min(rng.choices([3, 4, 5], weights=[45, 35, 20])[0], maximum, len(pool))
            choisies = [pool[0], *rng.sample(pool[1:], nb - 1)]
            if annee == 1 and non_admissible:
                alias, desc = NON_ADMISSIBLES[non_admissible]
                fixes.append((alias, desc, rng.randrange(1500, 4001, 250) * 100))
            if annee == 1 and "a_confirmer" in special:
                fixes.append(A_CONFIRMER)
            if visas and (annee == 1 or rng.random() < 0.5):
                if annee == 1 and "visas_plus_500" in special:
                    montant_visas = rng.choice([85_000, 120_000])
                else:
                    montant_visas = rng.randrange(150, 451, 10) * 100
                    if annee == 2 or rng.random() < 0.3:
                        montant_visas = 0  # pas de visas cette année-là
                if montant_visas:
                    cat_visas = next(d for c, d in LIGNES[typ] if c == VIS)
                    fixes.append(
                        (libelle_categorie(rng, appel, VIS, typ), cat_visas[0], montant_visas)
                    )
        reste = cible - sum(f[2] for f in fixes)
        poids = [3.0] + [1.5] * (len(choisies) - 1)
        parts = repartir(rng, reste, poids) if choisies else []
        lignes_annee = [
            (libelle_categorie(rng, appel, c, typ), rng.choice(descs), part)
            for (c, descs), part in zip(choisies, parts, strict=True)
        ] + fixes
        rng.shuffle(lignes_annee)
        for cat, desc, montant_ in lignes_annee:
            lignes.append(
                {
                    "No de demande": numero,
                    "Année": annee,
                    "Catégorie de dépense": cat,
                    "Description": elider(desc.format(**valeurs)),
                    "Montant": montant_,
                }
            )
    return lignes


def verifier(demandes: list[dict], budget: list[dict], speciaux: dict, appel: dict) -> None:
    """Vérifications du jeu avant de l'écrire (elles échouent plutôt que d'écrire un jeu
    qui ne montre pas ce que le README promet)."""
    assert len(demandes) == 80
    assert len({d["Titre du projet"] for d in demandes}) == 80, "titres en double"
    regions = Counter(d["_region"] for d in demandes)
    assert set(regions) == set(appel["regions"]) and min(regions.values()) >= 2
    assert {d["Secteur principal"] for d in demandes} == set(appel["secteurs"].values())
    assert {d["Axe"] for d in demandes} == set(appel["axes"])
    for annee, enveloppe in zip((1, 2), appel["enveloppe"], strict=True):
        total = sum(d[f"Montant demandé – année {annee}"] or 0 for d in demandes)
        assert total > enveloppe, (annee, total)
    for d in demandes:
        plafond = appel["plafond_conjoint"] if d["_conjoint"] else appel["plafond"]
        plus_haut = max(d["Montant demandé – année 1"], d["Montant demandé – année 2"] or 0)
        depasse = "plafond_depasse" in d["_special"]
        assert (plus_haut > plafond) == depasse, d["No de demande"]
        if d["_population"] < PETITE_POPULATION and not d["_conjoint"]:
            assert d["_type"] in TYPES_PETITS, d["Titre du projet"]
            assert plus_haut <= 1_200_000, d["No de demande"]
        tout = " ".join(str(v) for v in d.values()).casefold()
        assert "état civil" not in tout and "etat civil" not in tout
    sommes: Counter = Counter()
    for ligne in budget:
        sommes[ligne["No de demande"], ligne["Année"]] += ligne["Montant"]
    ecarts = []
    for d in demandes:
        for annee in (1, 2):
            demande = d[f"Montant demandé – année {annee}"]
            cle = (d["No de demande"], annee)
            assert (demande is None) == (cle not in sommes), cle
            if demande is not None and sommes[cle] != demande:
                ecarts.append(d["No de demande"])
    assert ecarts == speciaux["budget_ecart"], ecarts
    attendus = {
        "plafond_depasse": 3, "autre_financement": 2, "non_admissible": 4, "visas_plus_500": 2,
        "budget_ecart": 2, "dossier_incomplet": 4, "budget_non_detaille": 2,
        "sans_engagement": 1, "depot_en_retard": 1, "depot_dernier_jour": 2, "bonification": 2,
    }  # fmt: skip
    for cle, nombre in attendus.items():
        assert len(speciaux[cle]) == nombre, cle
    inadmissibles = {n for cle in INADMISSIBLES for n in speciaux[cle]}
    assert len(inadmissibles) == sum(len(speciaux[c]) for c in INADMISSIBLES), "chevauchement"


def ecrire(demandes: list[dict], budget: list[dict], chemin: Path = SORTIE) -> None:
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
    larges = {"Résumé": 70, "Titre du projet": 60, "Description": 60}
    larges |= dict.fromkeys(ENTETES_FORMULAIRE.values(), 60)
    for feuille, entetes, lignes in (
        (feuille_d, entetes_demandes(), demandes),
        (feuille_b, ENTETES_BUDGET, budget),
    ):
        feuille.append(entetes)
        for ligne in lignes:
            feuille.append([valeur(ligne.get(e)) if e in argent else ligne.get(e) for e in entetes])
        for col, entete in enumerate(entetes, start=1):
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
            largeur = min(max(longueurs), larges.get(entete, 45)) + 2
            feuille.column_dimensions[get_column_letter(col)].width = largeur
        for cellule in feuille[1]:
            cellule.font = Font(bold=True)
            cellule.fill = PatternFill("solid", fgColor="DDE6F0")
            cellule.alignment = Alignment(vertical="center", wrap_text=True)
        feuille.row_dimensions[1].height = 32
        feuille.freeze_panes = "A2"
        feuille.auto_filter.ref = feuille.dimensions
    # Date fixe : le fichier ne change pas d'une génération à l'autre sans raison.
    classeur.properties.created = classeur.properties.modified = dt.datetime(2024, 3, 4, 9, 0)
    classeur.save(chemin)


def resumer(demandes: list[dict], budget: list[dict], speciaux: dict, chemin: Path) -> None:
    appel = charger_appel()
    print(f"Fichier écrit : {chemin}")
    print(f"Demandes : {len(demandes)}  (lignes de budget : {len(budget)})")
    populations = sorted(d["_population"] for d in demandes)
    print(f"Population médiane des demandeurs : {populations[len(populations) // 2]:,}")
    print(f"Projets conjoints : {sum(d['_conjoint'] for d in demandes)}")
    deux = sum(d["Montant demandé – année 2"] is not None for d in demandes)
    print(f"Projets sur deux ans : {deux}  (sur un an : {len(demandes) - deux})")
    regions = Counter(d["_region"] for d in demandes)
    for code, nom in appel["regions"].items():
        print(f"  {code} {nom} : {regions[code]}")
    for annee, enveloppe in zip((1, 2), appel["enveloppe"], strict=True):
        total = sum(d[f"Montant demandé – année {annee}"] or 0 for d in demandes)
        print(f"Total demandé année {annee} : {montant(total)} (enveloppe {montant(enveloppe)})")
    print("Situations forcées :")
    for cle, libelle in SPECIAUX.items():
        print(f"  {libelle} : {', '.join(speciaux[cle])}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    chemin = Path(argv[0]) if argv else SORTIE
    demandes, budget, speciaux = generer()
    ecrire(demandes, budget, chemin)
    resumer(demandes, budget, speciaux, chemin)


if __name__ == "__main__":
    main()
