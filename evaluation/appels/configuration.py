"""La configuration d'un appel à projets, lue d'un fichier TOML et validée.

Axes, secteurs, critères et pondérations, plafonds, enveloppe, dépenses admissibles
et régions sont des données : un autre appel est un autre fichier TOML.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evaluation.appels import reglages as _reglages
from evaluation.appels.reglages import Reglage, Source
from evaluation.socle.champs import CHAMPS_FORMULAIRE as _CHAMPS_DU_FORMULAIRE
from evaluation.socle.chemins import DONNEES
from evaluation.socle.formats import date, pluriel
from evaluation.socle.texte import compacter

DOSSIER_APPELS = DONNEES / "appels"
APPEL_PAR_DEFAUT = DOSSIER_APPELS / "paivmq-2023-2024.toml"
TOLERANCE_POIDS = 1e-6


class ErreurAppel(ValueError):
    """Configuration d'appel invalide ; `problemes` liste chaque erreur en français."""

    def __init__(self, origine: str, problemes: list[str]):
        self.origine = origine
        self.problemes = problemes
        detail = "\n".join(f"- {p}" for p in problemes)
        super().__init__(f"Configuration d'appel invalide ({origine}) :\n{detail}")


@dataclass(frozen=True)
class Axe:
    numero: int
    libelle: str


@dataclass(frozen=True)
class Secteur:
    id: str
    libelle: str
    alias: tuple[str, ...] = ()


# Le demandeur (issue 18) : une entité municipale du répertoire (municipalité locale, MRC ou
# territoire équivalent) ou un organisme (nom, NEQ, municipalité et région de son siège). Le
# gabarit, la validation, la fiche de la demande et les conflits d'intérêts suivent ce type.
TYPES_DEMANDEUR = ("entite_municipale", "organisme")
# Dimensions qu'un appel ne déclare pas dans [[dimensions]] : l'axe et le secteur ont leurs
# sections ([[axes]], [[secteurs]]), la région vient du répertoire ; « secteur_secondaire »,
# « pays » et « type » sont les répartitions d'appoint du Portefeuille.
DIMENSIONS_RESERVEES = ("axe", "secteur", "region", "secteur_secondaire", "pays", "type")
_ID_DIMENSION = re.compile(r"[a-z][a-z0-9_-]{0,39}")


@dataclass(frozen=True)
class ValeurDimension:
    id: str
    libelle: str
    alias: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dimension:
    """Une dimension de classement que l'appel déclare (thème, priorité transversale, type
    de financement…) : une valeur par demande, ou plusieurs quand `multiple` (une demande
    sert alors chacune de ses valeurs)."""

    id: str
    libelle: str
    multiple: bool
    obligatoire: bool
    valeurs: tuple[ValeurDimension, ...]
    aide: str = ""

    def valeur(self, id_valeur: str) -> ValeurDimension | None:
        return next((v for v in self.valeurs if v.id == id_valeur), None)

    def libelle_valeur(self, id_valeur: str) -> str:
        v = self.valeur(id_valeur)
        return v.libelle if v else id_valeur


@dataclass(frozen=True)
class Critere:
    id: str
    libelle: str
    description: str
    poids: float
    note_basse: str
    note_moyenne: str
    note_haute: str
    minimum: float | None = None
    # Les champs du formulaire que ce critère lit (`champs = ["objectifs", "retombees"]`,
    # issue 18) : le gabarit les demande (en-tête rouge) et l'importation avertit d'une
    # réponse vide. Clés permises : `CHAMPS_FORMULAIRE`.
    champs: tuple[str, ...] = ()


# Les champs du formulaire qu'un critère peut lire (`[[criteres]] champs`) : les sept du
# formulaire du gabarit (`socle.champs.CHAMPS_FORMULAIRE`), le résumé du projet et ses
# partenaires étrangers.
CHAMPS_FORMULAIRE: tuple[str, ...] = ("resume", *_CHAMPS_DU_FORMULAIRE, "partenaires_etrangers")


@dataclass(frozen=True)
class CategorieDepense:
    id: str
    libelle: str
    admissible: bool
    alias: tuple[str, ...] = ()
    plafonnee: bool = False


@dataclass(frozen=True)
class Region:
    code: str
    nom: str


@dataclass(frozen=True)
class Financement:
    """Règles de financement ; tous les montants sont en cents.

    « La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par année
    dans le cas d'une initiative portée par une seule ville. La présentation d'un projet
    conjoint entre plusieurs acteurs municipaux peut permettre la bonification de la
    subvention. » L'appel ne chiffre pas la bonification : `bonification_conjoint_max` est
    un plafond que le comité se donne (réglage du comité) ; la bonification d'une demande
    vaut 0 $ tant que la présidence ne l'a pas fixée (avec une raison, journalisée).
    « Plusieurs acteurs municipaux » : au moins `entites_conjoint_min` entités municipales,
    la requérante comprise (interprétation : municipalités locales du répertoire, MRC et
    territoires équivalents, et les régies intermunicipales et communautés métropolitaines
    nommées dans `regroupements_municipaux`)."""

    plafond_annuel: int
    bonification_conjoint_max: int
    nombre_annees_max: int
    premiere_annee_debut: dt.date
    enveloppe: tuple[int, ...]
    entites_conjoint_min: int = 2
    regroupements_municipaux: tuple[str, ...] = ()
    # Vrai si l'appel attend une contribution du demandeur ou un cofinancement (PAIVMQ :
    # « une contribution du demandeur ou la présence de cofinancement est attendue ») :
    # sinon, un montage sans l'un ni l'autre n'est pas signalé.
    contribution_attendue: bool = False

    @property
    def plafond_bonifie_max(self) -> int:
        """Le plafond annuel le plus haut qu'une demande puisse atteindre (plafond plus la
        bonification maximale), en cents."""
        return self.plafond_annuel + self.bonification_conjoint_max

    def annees_financieres(self) -> list[tuple[dt.date, dt.date]]:
        """(début, fin) de chaque année financière de l'appel (1er avril au 31 mars)."""
        return list(_annees_financieres(self.premiere_annee_debut, self.nombre_annees_max))


@functools.lru_cache(maxsize=64)
def _annees_financieres(debut: dt.date, nombre: int) -> tuple[tuple[dt.date, dt.date], ...]:
    annees = []
    for i in range(nombre):
        d = debut.replace(year=debut.year + i)
        annees.append((d, d.replace(year=d.year + 1) - dt.timedelta(days=1)))
    return tuple(annees)


def lecture_annees_financieres(financement: Financement) -> str:
    """La lecture retenue des années financières, en une phrase, marquée comme une
    interprétation : la page Paramètres, le classeur et le procès-verbal la montrent telle
    quelle.

    L'appel PAIVMQ dit : « L'engagement financier du gouvernement du Québec […] porte sur une
    ou deux années financières débutant le 1er avril 2024 et se terminant le 31 mars 2025. »
    La phrase ne nomme qu'une année financière (2024-2025) tout en en permettant deux.
    Lecture retenue : chaque année financière court du 1er avril au 31 mars ; l'année 1 est
    celle que l'appel nomme (du 1er avril 2024 au 31 mars 2025), l'année 2, le cas échéant,
    la suivante (du 1er avril 2025 au 31 mars 2026). Les dates viennent de la configuration
    (`premiere_annee_debut`, `nombre_annees_max`)."""
    annees = financement.annees_financieres()
    periodes = " ; ".join(
        f"année {i} : du {date(debut)} au {date(fin)}" for i, (debut, fin) in enumerate(annees, 1)
    )
    if len(annees) < 2:
        return f"Interprétation retenue : une seule année financière ({periodes})."
    return (
        "Interprétation retenue : les années financières se suivent, d'un an chacune ; la "
        f"première est celle que l'appel nomme, les suivantes s'y ajoutent ; {periodes}."
    )


@dataclass(frozen=True)
class Condition:
    """Une condition d'admissibilité de la liste que l'évaluateur confirme.

    `champ` et `attendu` disent comment la pré-remplir d'après la demande : un booléen
    attendu (« dossier_complet » vrai), « renseigné » (le champ est rempli), « permise »
    (la valeur est dans la liste de l'appel, pour la qualité du signataire), « entité
    municipale » (le nom est celui d'une municipalité ou d'une MRC du répertoire).
    `citation` : la phrase de l'appel d'où vient la condition, montrée à l'analyste.
    `source` : « appel » (défaut : la condition est ce que la citation dit) ou
    « interpretation » (le texte ne la pose pas en ces mots : `lecture`, obligatoire, dit la
    lecture retenue, et `citation`, facultative, la phrase en appui). La page Admissibilité
    montre « L'appel : « … » » pour la première, « Lecture retenue : … » pour la seconde."""

    id: str
    libelle: str
    champ: str | None = None
    attendu: bool | str | None = None
    citation: str | None = None
    source: str = "appel"
    lecture: str | None = None

    @property
    def interpretation(self) -> bool:
        return self.source == _reglages.INTERPRETATION


NOTES_DES_AUTRES = ("jamais", "apres_soumission")
# Une évaluation soumise dont l'auteur a vu les notes des autres, puis change une note ou son
# jugement d'admissibilité : « signaler » (permis, journalisé, montré à la présidence comme
# « modifiée après consultation des autres notes ») ou « refuser ». Réglage du comité :
# l'appel n'en dit rien.
APRES_CONSULTATION = ("signaler", "refuser")


@dataclass(frozen=True)
class Cible:
    """Une cible d'équilibre du portefeuille : part de l'enveloppe (en %) ou nombre de
    demandes financées, au moins et/ou au plus, pour une valeur d'une dimension (« * » :
    chaque valeur)."""

    dimension: str
    valeur: str
    part_min: float | None = None
    part_max: float | None = None
    nombre_min: int | None = None
    nombre_max: int | None = None

    @property
    def libelle(self) -> str:
        bornes = []
        if self.part_min is not None:
            bornes.append(f"au moins {self.part_min:g} % de l'enveloppe")
        if self.part_max is not None:
            bornes.append(f"au plus {self.part_max:g} % de l'enveloppe")
        if self.nombre_min is not None:
            bornes.append(f"au moins {_financees(self.nombre_min)}")
        if self.nombre_max is not None:
            bornes.append(f"au plus {_financees(self.nombre_max)}")
        return f"{self.qui} : " + " et ".join(bornes)

    @property
    def qui(self) -> str:
        """« chaque région », « région 05 », « axe 2 » : le début du libellé."""
        nom = NOMS_DIMENSIONS.get(self.dimension, self.dimension)
        return "chaque " + nom if self.valeur == "*" else f"{nom} {self.valeur}"


# Le nom, dans un texte, des dimensions réservées (leur identifiant n'a pas d'accent).
NOMS_DIMENSIONS = {"secteur_secondaire": "secteur secondaire", "region": "région"}


def _financees(n: int) -> str:
    return pluriel(n, "demande financée", "demandes financées")


@dataclass(frozen=True)
class Appel:
    id: str
    nom: str
    nom_court: str
    organisme: str
    description: str
    date_limite: dt.date | None
    axes: tuple[Axe, ...]
    secteurs: tuple[Secteur, ...]
    criteres: tuple[Critere, ...]
    echelle_min: float
    echelle_max: float
    pas: float
    seuil_global: float
    financement: Financement
    plafond_visas: int
    categories: tuple[CategorieDepense, ...]
    qualites_signataire: tuple[str, ...]
    regions: tuple[Region, ...]
    conditions: tuple[Condition, ...] = ()
    notes_des_autres: str = "jamais"
    apres_consultation: str = "signaler"
    agregation: str = "moyenne"
    part_tronquee: float = 0.2
    ecart_critere_a_discuter: float = 4.0
    ecart_total_a_discuter: float = 20.0
    regularisation_calibration: float = 2.0
    departage: tuple[str, ...] = ()
    mode_ligne: str = "stricte"
    objectif_selection: str = "classement"
    # La note qui classe ([classement] note_retenue, réglage du comité) : « moyenne » (la note
    # des évaluateurs, agrégée selon [evaluation] agregation) ou « consensus » (la note que la
    # présidence inscrit en séance, critère par critère, quand elle existe). Issue 16.
    note_retenue: str = "moyenne"
    # Nombre de membres présents sans conflit d'intérêts sur la demande pour qu'une décision
    # s'inscrive ([comite] quorum, réglage du comité) ; 0 : non vérifié. Issue 16.
    quorum: int = 0
    # Tirage au sort dans la zone grise ([comite] tirage_zone_grise, réglage du comité ;
    # l'appel n'en dit rien) : faux, aucun tirage. Issue 16.
    tirage_zone_grise: bool = False
    # Le suivi après la décision (issue 17, [suivi], réglages du ministère) : l'échéance du
    # « rapport financier et narratif » que l'appel exige sans la dater. Voir `Suivi`.
    rapport_delai_jours: int = 90
    rapport_depuis: str = "fin_projet"
    # La conservation des renseignements personnels ([conservation], réglages du ministère ;
    # l'appel n'en dit rien) : combien de mois après la fermeture de l'appel (None : aucune
    # durée fixée, la purge ne se fait qu'avant l'échéance, avec une raison), et ce qui marque
    # la fermeture (None : « fin_financement »). Voir `evaluation.appels.conservation`.
    mois_apres_cloture: int | None = None
    cloture: str | None = None
    cibles: tuple[Cible, ...] = ()
    # La source déclarée de chaque réglage ([sources], voir appels.reglages) et les réglages
    # qui doivent en dire une, avec leur valeur.
    sources: tuple[Source, ...] = ()
    reglages: tuple[Reglage, ...] = field(default=(), repr=False, compare=False)
    portee_plafond_visas: str = "demande"
    type_demandeur: str = "entite_municipale"
    dimensions: tuple[Dimension, ...] = ()
    source_toml: str = field(default="", repr=False, compare=False)

    @property
    def poids(self) -> dict[str, float]:
        return {c.id: c.poids for c in self.criteres}

    def valeurs_echelle(self) -> list[float]:
        """Chaque note permise, de echelle_min à echelle_max par pas."""
        n = round((self.echelle_max - self.echelle_min) / self.pas)
        return [round(self.echelle_min + i * self.pas, 6) for i in range(n + 1)]

    def region(self, code: str) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)

    def dimension(self, id_dimension: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.id == id_dimension), None)

    @property
    def demandeur_organisme(self) -> bool:
        return self.type_demandeur == "organisme"


# Schéma : clé → (types acceptés, obligatoire). Une clé inconnue est une erreur :
# une faute de frappe dans « poids » ne doit pas passer inaperçue.
_TEXTE = (str,)
_NOMBRE = (int, float)
_SCHEMA_APPEL = {
    "id": (_TEXTE, True),
    "nom": (_TEXTE, True),
    "nom_court": (_TEXTE, False),
    "organisme": (_TEXTE, False),
    "description": (_TEXTE, False),
    "date_limite": ((dt.date,), False),
}
_SCHEMA_AXE = {"numero": ((int,), True), "libelle": (_TEXTE, True)}
_SCHEMA_SECTEUR = {"id": (_TEXTE, True), "libelle": (_TEXTE, True), "alias": ((list,), False)}
_SCHEMA_EVALUATION = {
    "echelle_min": (_NOMBRE, True),
    "echelle_max": (_NOMBRE, True),
    "pas": (_NOMBRE, True),
    "seuil_global": (_NOMBRE, True),
    "notes_des_autres": (_TEXTE, False),
    "apres_consultation": (_TEXTE, False),
    "agregation": (_TEXTE, False),
    "part_tronquee": (_NOMBRE, False),
    "ecart_critere_a_discuter": (_NOMBRE, False),
    "ecart_total_a_discuter": (_NOMBRE, False),
    "regularisation_calibration": (_NOMBRE, False),
}
_SCHEMA_CLASSEMENT = {
    "departage": ((list,), False),
    "mode_ligne": (_TEXTE, False),
    "objectif_selection": (_TEXTE, False),
    "note_retenue": (_TEXTE, False),
}
# Le comité en séance (issue 16) : quorum des membres présents sans conflit.
# Le tirage au sort dans la zone grise (issue 16) : permis ou non.
_SCHEMA_COMITE = {"quorum": ((int,), False), "tirage_zone_grise": ((bool,), False)}
# Le suivi après la décision (issue 17). L'appel : « Les organisations dont les projets auront
# été sélectionnés s'engagent à produire un rapport financier et narratif sur le projet financé
# faisant notamment état des retombées escomptées. » Il ne dit ni quand, ni à partir de quoi :
# l'échéance est un réglage du ministère, `rapport_delai_jours` jours après la fin du projet
# (« fin_projet » : la date de fin que la demande déclare, à défaut la fin de la dernière
# année financière accordée) ou après la fin de la dernière année financière accordée
# (« fin_financement »). Une convention signée peut fixer une autre date (page Conventions).
_SCHEMA_SUIVI = {"rapport_delai_jours": ((int,), False), "rapport_depuis": (_TEXTE, False)}
RAPPORT_DEPUIS = ("fin_projet", "fin_financement")
# La conservation des renseignements personnels (issue 20, Loi 25) : l'appel ne fixe aucune
# durée ; réglages du ministère. `cloture` : ce qui marque la fermeture de l'appel,
# « fin_financement » (la fin de la dernière année financière de l'appel) ou « date_limite »
# (la date limite de dépôt, [appel] date_limite).
_SCHEMA_CONSERVATION = {"mois_apres_cloture": ((int,), False), "cloture": (_TEXTE, False)}
CLOTURES = ("fin_financement", "date_limite")
CONSERVATION_MOIS_MAX = 1200
LIBELLES_RAPPORT_DEPUIS = {
    "fin_projet": "la fin du projet déclarée dans la demande (à défaut, la fin de la "
    "dernière année financière accordée)",
    "fin_financement": "la fin de la dernière année financière accordée",
}
RAPPORT_DELAI_MAX = 3660  # dix ans : au-delà, une faute de frappe
AGREGATIONS = ("moyenne", "mediane", "moyenne_tronquee")
# Le plafond des frais de visas et d'assurance (« jusqu'à concurrence de 500 $ ») vaut pour
# la demande entière (« demande ») ou pour chaque année (« annee ») : interprétation, l'appel
# ne le précise pas.
PORTEES_PLAFOND_VISAS = ("demande", "annee")
MODES_LIGNE = ("stricte", "remplissage")
# L'objectif de « Calculer la meilleure sélection » (page Portefeuille), réglage du comité :
# « classement » respecte l'ordre du classement et ne s'en écarte que pour une cible
# d'équilibre ; « note_montant » maximise Σ note × montant recommandé. L'appel ne fixe
# aucune méthode : le ministère « conserve cependant la responsabilité de la sélection
# définitive des projets ».
OBJECTIFS_SELECTION = ("classement", "note_montant")
LIBELLES_OBJECTIF_SELECTION = {
    "classement": "respecter le classement, puis les cibles d'équilibre",
    "note_montant": "la plus grande somme note × montant recommandé",
}
# La note qui classe ([classement] note_retenue), réglage du comité : l'appel ne parle ni de
# séance ni de consensus. Usage des comités de pairs (NIH, Commission européenne) : chacun
# note seul, puis le comité s'accorde en séance sur une note de consensus, avec ses motifs.
# « moyenne » : la note des évaluateurs (agrégée selon [evaluation] agregation) classe, un
# consensus inscrit est montré à côté ; « consensus » : la note de consensus classe la
# demande qui en a une sur chaque critère, les autres gardent celle des évaluateurs.
NOTES_RETENUES = ("moyenne", "consensus")
LIBELLES_NOTE_RETENUE = {
    "moyenne": "la note des évaluateurs (le consensus est montré à côté)",
    "consensus": "la note de consensus de la séance, sinon celle des évaluateurs",
}
# Règles de départage permises, en plus de « critere:<id> » (note plus haute d'abord).
# « part_financement_propre » : la part du coût que le demandeur assume lui-même (sa
# contribution seule ; avant l'issue 15, le cofinancement externe y était compté) ;
# « financement_externe » : la part couverte par le cofinancement externe, « un atout »
# selon l'appel.
REGLES_DEPARTAGE = (
    "projet_conjoint",
    "part_financement_propre",
    "financement_externe",
    "no_demande",
)
# Le départage d'un appel qui n'en écrit pas : celui d'avant l'issue 15, inchangé (un appel
# ancien se classe dans le même ordre de règles ; l'ajout de financement_externe est le
# choix de chaque comité, écrit dans son fichier).
DEPARTAGE_PAR_DEFAUT = ("projet_conjoint", "part_financement_propre", "no_demande")
_SCHEMA_CRITERE = {
    "id": (_TEXTE, True),
    "libelle": (_TEXTE, True),
    "description": (_TEXTE, True),
    "poids": (_NOMBRE, True),
    "note_basse": (_TEXTE, True),
    "note_moyenne": (_TEXTE, True),
    "note_haute": (_TEXTE, True),
    "minimum": (_NOMBRE, False),
    "champs": ((list,), False),
}
_SCHEMA_FINANCEMENT = {
    "plafond_annuel": (_NOMBRE, True),
    "bonification_conjoint_max": (_NOMBRE, False),
    # L'ancien nom (jusqu'à l'issue 15) : lu comme plafond de la bonification.
    "bonification_projet_conjoint": (_NOMBRE, False),
    "entites_conjoint_min": ((int,), False),
    "regroupements_municipaux": ((list,), False),
    "contribution_attendue": ((bool,), False),
    "nombre_annees_max": ((int,), True),
    "premiere_annee_debut": ((dt.date,), True),
    "enveloppe": ((list,), True),
}
_SCHEMA_DEPENSES = {
    "plafond_visas": (_NOMBRE, True),
    "portee_plafond_visas": (_TEXTE, False),
    "admissibles": ((list,), True),
    "non_admissibles": ((list,), True),
}
_SCHEMA_CATEGORIE = {
    "id": (_TEXTE, True),
    "libelle": (_TEXTE, True),
    "alias": ((list,), False),
    "plafonnee": ((bool,), False),
}
_SCHEMA_ADMISSIBILITE = {"qualites_signataire": ((list,), True), "conditions": ((list,), False)}
_SCHEMA_CONDITION = {
    "id": (_TEXTE, True),
    "libelle": (_TEXTE, True),
    "champ": (_TEXTE, False),
    "attendu": ((bool, str), False),
    "citation": (_TEXTE, False),
    "source": (_TEXTE, False),
    "lecture": (_TEXTE, False),
}
# La source d'une condition : ce que la citation dit, ou une lecture retenue (le comité ne
# pose pas de condition d'admissibilité que le texte ne fonde pas).
SOURCES_CONDITION = (_reglages.APPEL, _reglages.INTERPRETATION)
_ATTENDUS_TEXTE = ("renseigné", "permise", "entité municipale", "à temps")
_SCHEMA_REGION = {"code": (_TEXTE, True), "nom": (_TEXTE, True)}
_SCHEMA_DEMANDEUR = {"type": (_TEXTE, False)}
_SCHEMA_DIMENSION = {
    "id": (_TEXTE, True),
    "libelle": (_TEXTE, True),
    "multiple": ((bool,), False),
    "obligatoire": ((bool,), False),
    "aide": (_TEXTE, False),
    "valeurs": ((list,), True),
}
_SCHEMA_VALEUR_DIMENSION = {
    "id": (_TEXTE, True),
    "libelle": (_TEXTE, True),
    "alias": ((list,), False),
}
_SECTIONS = {
    "appel": dict,
    "axes": list,
    "secteurs": list,
    "evaluation": dict,
    "criteres": list,
    "financement": dict,
    "depenses": dict,
    "admissibilite": dict,
    "regions": list,
    "classement": dict,
    "cibles": list,
    "sources": dict,
    "comite": dict,
    "suivi": dict,
    "conservation": dict,
    "demandeur": dict,
    "dimensions": list,
}
_SECTIONS_FACULTATIVES = {
    "classement",
    "cibles",
    "sources",
    "comite",
    "suivi",
    "conservation",
    "demandeur",
    "dimensions",
    # Issue 18 : un programme sans axes ni secteurs (Québec sans frontières : objectifs,
    # priorités transversales et type de financement) les déclare en [[dimensions]].
    "axes",
    "secteurs",
}
_SCHEMA_CIBLE = {
    "dimension": (_TEXTE, True),
    "valeur": ((str, int), True),
    "part_min": (_NOMBRE, False),
    "part_max": (_NOMBRE, False),
    "nombre_min": ((int,), False),
    "nombre_max": ((int,), False),
}


def _champs_critere(champs: list, ou: str, erreurs: list[str]) -> tuple[str, ...]:
    """Les champs du formulaire qu'un critère lit ; un champ inconnu, répété ou qui n'est pas
    un texte devient une erreur nommée."""
    lus: list[str] = []
    for champ in champs:
        if not isinstance(champ, str) or champ not in CHAMPS_FORMULAIRE:
            proches = difflib.get_close_matches(str(champ), CHAMPS_FORMULAIRE, n=1)
            erreurs.append(
                f"{ou} : champ du formulaire « {champ} » inconnu"
                + (f" (vouliez-vous dire « {proches[0]} » ?)" if proches else "")
                + f". Champs permis dans « champs » : {', '.join(CHAMPS_FORMULAIRE)}."
            )
        elif champ in lus:
            erreurs.append(f"{ou} : le champ « {champ} » est nommé deux fois dans « champs ».")
        else:
            lus.append(champ)
    return tuple(lus)


def _verifier(
    table: Any, schema: dict[str, tuple[tuple[type, ...], bool]], ou: str, erreurs: list[str]
) -> dict:
    """Les clés connues et bien typées de `table` ; chaque écart devient une erreur nommée."""
    if not isinstance(table, dict):
        erreurs.append(f"{ou} : une table TOML est attendue.")
        return {}
    for cle in table:
        if cle not in schema:
            connues = ", ".join(sorted(schema))
            erreurs.append(f"{ou} : clé inconnue « {cle} » (clés permises : {connues}).")
    bonnes = {}
    for cle, (types, obligatoire) in schema.items():
        if cle not in table:
            if obligatoire:
                erreurs.append(f"{ou} : clé obligatoire « {cle} » manquante.")
            continue
        valeur = table[cle]
        if isinstance(valeur, bool) and bool not in types:
            erreurs.append(f"{ou} : « {cle} » doit être {_nom_type(types)}, pas un booléen.")
        elif not isinstance(valeur, types):
            erreurs.append(f"{ou} : « {cle} » doit être {_nom_type(types)}.")
        elif probleme := _hors_bornes(valeur):
            erreurs.append(f"{ou} : « {cle} » {probleme}.")
        elif cle in _NON_VIDES and isinstance(valeur, str) and not valeur.strip():
            erreurs.append(f"{ou} : « {cle} » ne peut pas être vide.")
        else:
            bonnes[cle] = valeur
    return bonnes


# Aucun montant, poids, note ni nombre d'une configuration d'appel n'approche un milliard ;
# au-delà (ou infini, ou « nan »), c'est une erreur de saisie qui ferait planter les calculs.
NOMBRE_MAX = 1_000_000_000
ANNEES_FINANCEES_MAX = 10
CRANS_MAX = 1000
ANNEES_PERMISES = (1900, 2200)


# Un libellé, un nom ou une description de quelques milliers de caractères au plus : au-delà,
# c'est un fichier qui n'est pas une configuration (et chaque page le relirait).
TEXTE_MAX = 10_000
_NON_VIDES = {"id", "nom", "libelle"}


def _hors_bornes(valeur: object) -> str:
    """Ce qui ne va pas dans un nombre, une date ou un texte de la configuration ("" s'il
    va)."""
    if isinstance(valeur, bool):
        return ""
    if isinstance(valeur, str):
        if len(valeur) > TEXTE_MAX:
            return f"compte {len(valeur)} caractères : {TEXTE_MAX} au plus"
        return ""
    if isinstance(valeur, int | float):
        if not math.isfinite(valeur):
            return f"vaut {valeur} : un nombre fini est attendu"
        if abs(valeur) > NOMBRE_MAX:
            return f"vaut {valeur:g} : au plus {NOMBRE_MAX:,} en valeur absolue".replace(",", " ")
        return ""
    if isinstance(valeur, dt.datetime):
        return "doit être une date (AAAA-MM-JJ), sans heure ni fuseau"
    premiere, derniere = ANNEES_PERMISES
    if isinstance(valeur, dt.date) and not premiere <= valeur.year <= derniere:
        return f"vaut {valeur.isoformat()} : une date entre {premiere} et {derniere} est attendue"
    return ""


def _nom_type(types: tuple[type, ...]) -> str:
    noms = {
        str: "un texte",
        int: "un nombre",
        float: "un nombre",
        bool: "vrai ou faux",
        list: "une liste",
        dt.date: "une date (AAAA-MM-JJ)",
    }
    return " ou ".join(dict.fromkeys(noms[t] for t in types))


def _liste(donnees: dict, cle: str, erreurs: list[str], facultative: bool = False) -> list:
    valeur = donnees.get(cle, [])
    if facultative and cle not in donnees:
        return []
    if not isinstance(valeur, list) or not valeur:
        erreurs.append(f"[[{cle}]] : au moins un élément est attendu.")
        return []
    return valeur


def _uniques(valeurs: list, quoi: str, erreurs: list[str]) -> None:
    vus = set()
    for v in valeurs:
        if v in vus:
            erreurs.append(f"{quoi} « {v} » en double.")
        vus.add(v)


def _noms_univoques(noms: list[tuple[str, str]], quoi: str, erreurs: list[str]) -> None:
    """Un libellé ou alias qui désigne deux éléments rendrait l'import arbitraire."""
    vus: dict[str, str] = {}
    for ident, nom in noms:
        cle = compacter(nom)
        if cle in vus and vus[cle] != ident:
            erreurs.append(
                f"« {nom} » désigne deux {quoi}s (« {vus[cle]} » et « {ident} ») : un libellé "
                "ou un alias ne peut servir qu'une fois."
            )
        vus.setdefault(cle, ident)


def _cents(dollars: float) -> int:
    return round(dollars * 100)


def regions_lues(donnees: dict) -> list[Region]:
    """Les régions bien formées de la configuration (pour valider ce qui s'y réfère)."""
    return [
        Region(t["code"], t["nom"])
        for t in donnees.get("regions", [])
        if isinstance(t, dict) and isinstance(t.get("code"), str) and isinstance(t.get("nom"), str)
    ]


# Une configuration d'appel fait quelques kilo-octets ; au-delà, ce n'en est pas une.
TAILLE_MAX_TOML = 512 * 1024
_POSITION_TOML = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")
_ERREURS_TOML = (
    ("Invalid value", "valeur illisible (texte sans guillemets ? nombre mal écrit ?)"),
    ("Expected '=' after a key", "« = » attendu après le nom d'une clé"),
    ("Cannot declare", "table déclarée deux fois"),
    ("Cannot overwrite a value", "clé déclarée deux fois"),
    ("Unterminated string", "texte sans guillemet fermant"),
    ("Unclosed array", "liste sans crochet fermant"),
    ("Illegal character", "caractère interdit (caractère de contrôle ?)"),
    ("Expected newline", "fin de ligne attendue après une valeur"),
    ("Invalid initial character for a key", "nom de clé mal formé"),
    ("Invalid date", "date invalide (AAAA-MM-JJ)"),
)


def erreur_toml(message: str) -> str:
    """Le message de tomllib (en anglais) dit en français, avec sa ligne et sa colonne."""
    quoi = next((fr for en, fr in _ERREURS_TOML if message.startswith(en)), "syntaxe non reconnue")
    position = _POSITION_TOML.search(message)
    if position and position.group(1):
        ou = f"ligne {position.group(1)}, colonne {position.group(2)}"
    else:
        ou = "à la fin du fichier"
    return (
        f"syntaxe TOML invalide ({ou}) : {quoi}. Ouvrez le fichier dans un éditeur de texte "
        "en UTF-8 et corrigez cette ligne, ou repartez d'un TOML exporté par la page."
    )


def appel_depuis_toml(texte: str, origine: str = "TOML") -> Appel:
    """Lit et valide une configuration d'appel ; lève `ErreurAppel` avec toutes les erreurs."""
    texte = texte.removeprefix("\ufeff")  # un TOML enregistré « UTF-8 avec BOM » par Windows
    if len(texte) > TAILLE_MAX_TOML:
        raise ErreurAppel(
            origine,
            [
                f"fichier de {len(texte) // 1024} Ko : une configuration d'appel en fait "
                f"quelques-uns (limite {TAILLE_MAX_TOML // 1024} Ko). Vérifiez le fichier choisi."
            ],
        )
    try:
        donnees = tomllib.loads(texte)
    except tomllib.TOMLDecodeError as exc:
        raise ErreurAppel(origine, [erreur_toml(str(exc))]) from None
    except RecursionError:
        raise ErreurAppel(
            origine, ["tableaux imbriqués trop profondément : ce n'est pas une configuration."]
        ) from None
    erreurs: list[str] = []
    for cle in donnees:
        if cle not in _SECTIONS:
            erreurs.append(
                f"section inconnue [{cle}] (sections permises : {', '.join(_SECTIONS)})."
            )
    for section, genre in _SECTIONS.items():
        if section not in donnees and section in _SECTIONS_FACULTATIVES:
            continue
        if section not in donnees and genre is list:
            erreurs.append(f"[[{section}]] : au moins un élément est attendu (aucun n'est donné).")
        elif section not in donnees:
            erreurs.append(f"section [{section}] manquante.")
        elif not isinstance(donnees[section], genre):
            erreurs.append(f"[{section}] n'a pas la forme attendue.")
    if erreurs:
        raise ErreurAppel(origine, erreurs)

    entete = _verifier(donnees["appel"], _SCHEMA_APPEL, "[appel]", erreurs)
    if isinstance(entete.get("id"), str) and not entete["id"].strip():
        erreurs.append("[appel] : l'identifiant « id » ne peut pas être vide.")

    axes = []
    for i, t in enumerate(_liste(donnees, "axes", erreurs, facultative=True), 1):
        t = _verifier(t, _SCHEMA_AXE, f"[[axes]] n° {i}", erreurs)
        if isinstance(t.get("numero"), int) and isinstance(t.get("libelle"), str):
            axes.append(Axe(t["numero"], t["libelle"]))
    _uniques([a.numero for a in axes], "Numéro d'axe", erreurs)

    secteurs = []
    for i, t in enumerate(_liste(donnees, "secteurs", erreurs, facultative=True), 1):
        t = _verifier(t, _SCHEMA_SECTEUR, f"[[secteurs]] n° {i}", erreurs)
        if {"id", "libelle"} <= t.keys():
            secteurs.append(Secteur(t["id"], t["libelle"], tuple(t.get("alias", []))))
    _uniques([s.id for s in secteurs], "Identifiant de secteur", erreurs)
    _noms_univoques(
        [(s.id, n) for s in secteurs for n in (s.libelle, *s.alias)], "secteur", erreurs
    )

    evaluation = _verifier(donnees["evaluation"], _SCHEMA_EVALUATION, "[evaluation]", erreurs)
    criteres = []
    for i, t in enumerate(_liste(donnees, "criteres", erreurs), 1):
        nom = f"[[criteres]] n° {i}" + (
            f" (« {t['id']} »)" if isinstance(t, dict) and "id" in t else ""
        )
        t = _verifier(t, _SCHEMA_CRITERE, nom, erreurs)
        if set(k for k, (_, req) in _SCHEMA_CRITERE.items() if req) <= t.keys():
            criteres.append(
                Critere(
                    t["id"],
                    t["libelle"],
                    t["description"],
                    float(t["poids"]),
                    t["note_basse"],
                    t["note_moyenne"],
                    t["note_haute"],
                    float(t["minimum"]) if "minimum" in t else None,
                    _champs_critere(t.get("champs", []), nom, erreurs),
                )
            )
    _uniques([c.id for c in criteres], "Identifiant de critère", erreurs)
    for c in criteres:
        if c.poids <= 0:
            erreurs.append(f"Critère « {c.id} » : le poids doit être positif (lu : {c.poids:g}).")
    total = sum(c.poids for c in criteres)
    if (
        criteres
        and len(criteres) == len(donnees["criteres"])
        and abs(total - 100) > TOLERANCE_POIDS
    ):
        detail = " + ".join(f"{c.poids:g}" for c in criteres)
        erreurs.append(
            f"Les poids des critères doivent totaliser 100 points ({detail} = {total:g})."
        )
    if {"echelle_min", "echelle_max", "pas", "seuil_global"} <= evaluation.keys():
        bas, haut, pas = evaluation["echelle_min"], evaluation["echelle_max"], evaluation["pas"]
        if not bas < haut:
            erreurs.append("[evaluation] : echelle_min doit être inférieure à echelle_max.")
        if not 0 < pas <= (haut - bas):
            erreurs.append("[evaluation] : le pas doit être positif et tenir dans l'échelle.")
        elif (haut - bas) / pas > CRANS_MAX:
            erreurs.append(
                f"[evaluation] : de {bas:g} à {haut:g} par pas de {pas:g}, l'échelle aurait "
                f"plus de {CRANS_MAX} crans : un curseur ne se lirait plus. Agrandissez le pas."
            )
        if not 0 <= evaluation["seuil_global"] <= 100:
            erreurs.append("[evaluation] : seuil_global est une note sur 100 (entre 0 et 100).")
        for c in criteres:
            if c.minimum is not None and not bas <= c.minimum <= haut:
                erreurs.append(
                    f"Critère « {c.id} » : le minimum {c.minimum:g} sort de l'échelle "
                    f"{bas:g} à {haut:g}."
                )

    fin = _verifier(donnees["financement"], _SCHEMA_FINANCEMENT, "[financement]", erreurs)
    financement = None
    if not [k for k, (_, req) in _SCHEMA_FINANCEMENT.items() if req and k not in fin]:
        enveloppe = fin["enveloppe"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in enveloppe):
            erreurs.append("[financement] : l'enveloppe est une liste de montants en dollars.")
            enveloppe = []
        elif bornes := [p for p in map(_hors_bornes, enveloppe) if p]:
            erreurs.append(f"[financement] : un montant de l'enveloppe {bornes[0]}.")
            enveloppe = []
        if not 1 <= fin["nombre_annees_max"] <= ANNEES_FINANCEES_MAX:
            erreurs.append(
                f"[financement] : nombre_annees_max doit valoir de 1 à {ANNEES_FINANCEES_MAX}."
            )
        elif len(enveloppe) != fin["nombre_annees_max"]:
            erreurs.append(
                f"[financement] : l'enveloppe doit donner un montant par année financière "
                f"({fin['nombre_annees_max']} attendus, {len(enveloppe)} lus)."
            )
        if any(v <= 0 for v in enveloppe):
            erreurs.append("[financement] : chaque enveloppe annuelle doit être positive.")
        if "bonification_conjoint_max" in fin and "bonification_projet_conjoint" in fin:
            erreurs.append(
                "[financement] : bonification_conjoint_max remplace "
                "bonification_projet_conjoint ; gardez-en une seule."
            )
        bonus = fin.get("bonification_conjoint_max", fin.get("bonification_projet_conjoint", 0))
        for cle, valeur in (("plafond_annuel", fin["plafond_annuel"]), ("bonification", bonus)):
            if isinstance(valeur, int | float) and valeur < 0:
                erreurs.append(f"[financement] : {cle} ne peut pas être négatif.")
        entites_min = fin.get("entites_conjoint_min", 2)
        if entites_min < 2:
            erreurs.append(
                "[financement] : entites_conjoint_min compte la requérante ; un projet "
                "conjoint en réunit au moins 2."
            )
        regroupements = fin.get("regroupements_municipaux", [])
        if not all(isinstance(n, str) and n.strip() for n in regroupements):
            erreurs.append(
                "[financement] : regroupements_municipaux est une liste de noms (régies "
                "intermunicipales, communautés métropolitaines)."
            )
            regroupements = []
        financement = Financement(
            _cents(fin["plafond_annuel"]),
            _cents(bonus),
            fin["nombre_annees_max"],
            fin["premiere_annee_debut"],
            tuple(_cents(v) for v in enveloppe),
            entites_min,
            tuple(n.strip() for n in regroupements),
            fin.get("contribution_attendue", False) is True,
        )

    dep = _verifier(donnees["depenses"], _SCHEMA_DEPENSES, "[depenses]", erreurs)
    if isinstance(dep.get("plafond_visas"), int | float) and dep["plafond_visas"] < 0:
        erreurs.append("[depenses] : plafond_visas ne peut pas être négatif.")
    portee_visas = dep.get("portee_plafond_visas", "demande")
    if portee_visas not in PORTEES_PLAFOND_VISAS:
        erreurs.append(
            f"[depenses] : portee_plafond_visas = « {portee_visas} » inconnue "
            f"({', '.join(PORTEES_PLAFOND_VISAS)})."
        )
    categories = []
    for cle, admissible in (("admissibles", True), ("non_admissibles", False)):
        for i, t in enumerate(dep.get(cle, []) if isinstance(dep.get(cle), list) else [], 1):
            t = _verifier(t, _SCHEMA_CATEGORIE, f"[[depenses.{cle}]] n° {i}", erreurs)
            if {"id", "libelle"} <= t.keys():
                categories.append(
                    CategorieDepense(
                        t["id"],
                        t["libelle"],
                        admissible,
                        tuple(t.get("alias", [])),
                        bool(t.get("plafonnee", False)),
                    )
                )
    _uniques([c.id for c in categories], "Identifiant de catégorie de dépense", erreurs)
    _noms_univoques(
        [(c.id, n) for c in categories for n in (c.libelle, *c.alias)], "dépense", erreurs
    )

    adm = _verifier(donnees["admissibilite"], _SCHEMA_ADMISSIBILITE, "[admissibilite]", erreurs)
    conditions = []
    for i, t in enumerate(adm.get("conditions", []), 1):
        t = _verifier(t, _SCHEMA_CONDITION, f"[[admissibilite.conditions]] n° {i}", erreurs)
        if {"id", "libelle"} <= t.keys():
            attendu = t.get("attendu")
            if isinstance(attendu, str) and attendu not in _ATTENDUS_TEXTE:
                erreurs.append(
                    f"[[admissibilite.conditions]] « {t['id']} » : attendu = « {attendu} » "
                    f"inconnu (true, false, {', '.join(_ATTENDUS_TEXTE)})."
                )
            if (attendu is None) != ("champ" not in t):
                erreurs.append(
                    f"[[admissibilite.conditions]] « {t['id']} » : « champ » et « attendu » "
                    "vont ensemble (les deux, ou aucun pour une condition jugée sans données)."
                )
            source = t.get("source", _reglages.APPEL)
            if source not in SOURCES_CONDITION:
                erreurs.append(
                    f"[[admissibilite.conditions]] « {t['id']} » : source = « {source} » "
                    f"inconnue ({', '.join(SOURCES_CONDITION)})."
                )
            elif source == _reglages.INTERPRETATION and not t.get("lecture", "").strip():
                erreurs.append(
                    f"[[admissibilite.conditions]] « {t['id']} » : une interprétation dit sa "
                    "lecture retenue (ajoutez lecture = « … »)."
                )
            elif source == _reglages.APPEL and "lecture" in t:
                erreurs.append(
                    f"[[admissibilite.conditions]] « {t['id']} » : « lecture » va avec "
                    "source = « interpretation » (ajoutez-la, ou retirez la lecture)."
                )
            conditions.append(
                Condition(
                    t["id"],
                    t["libelle"],
                    t.get("champ"),
                    attendu,
                    t.get("citation"),
                    source,
                    t.get("lecture"),
                )
            )
    _uniques([c.id for c in conditions], "Identifiant de condition d'admissibilité", erreurs)
    agregation = evaluation.get("agregation", "moyenne")
    if agregation not in AGREGATIONS:
        erreurs.append(
            f"[evaluation] : agregation = « {agregation} » inconnue ({', '.join(AGREGATIONS)})."
        )
    part_tronquee = float(evaluation.get("part_tronquee", 0.2))
    if not 0 <= part_tronquee < 0.5:
        erreurs.append("[evaluation] : part_tronquee est une part de 0 à 0,5 (exclu).")
    for cle in ("ecart_critere_a_discuter", "ecart_total_a_discuter"):
        if cle in evaluation and evaluation[cle] <= 0:
            erreurs.append(f"[evaluation] : {cle} doit être positif.")
    if evaluation.get("regularisation_calibration", 2.0) < 0:
        erreurs.append("[evaluation] : regularisation_calibration ne peut pas être négative.")
    classement = _verifier(
        donnees.get("classement", {}), _SCHEMA_CLASSEMENT, "[classement]", erreurs
    )
    ids_criteres = [c.id for c in criteres]
    departage = classement.get(
        "departage",
        [f"critere:{ids_criteres[0]}", *DEPARTAGE_PAR_DEFAUT] if ids_criteres else [],
    )
    for regle in departage:
        if not isinstance(regle, str) or not (
            regle in REGLES_DEPARTAGE
            or (regle.startswith("critere:") and regle.removeprefix("critere:") in ids_criteres)
        ):
            erreurs.append(
                f"[classement] : règle de départage « {regle} » inconnue (« critere:<id> » "
                f"d'un critère de l'appel, ou {', '.join(REGLES_DEPARTAGE)})."
            )
    mode_ligne = classement.get("mode_ligne", "stricte")
    if mode_ligne not in MODES_LIGNE:
        erreurs.append(
            f"[classement] : mode_ligne = « {mode_ligne} » inconnu ({', '.join(MODES_LIGNE)})."
        )
    objectif_selection = classement.get("objectif_selection", "classement")
    if objectif_selection not in OBJECTIFS_SELECTION:
        erreurs.append(
            f"[classement] : objectif_selection = « {objectif_selection} » inconnu "
            f"({', '.join(OBJECTIFS_SELECTION)})."
        )
    note_retenue = classement.get("note_retenue", "moyenne")
    if note_retenue not in NOTES_RETENUES:
        erreurs.append(
            f"[classement] : note_retenue = « {note_retenue} » inconnue : écrivez « moyenne » "
            "(la note des évaluateurs classe) ou « consensus » (la note de consensus de la "
            "séance classe)."
        )
    comite = _verifier(donnees.get("comite", {}), _SCHEMA_COMITE, "[comite]", erreurs)
    quorum = comite.get("quorum", 0)
    if isinstance(quorum, bool) or not isinstance(quorum, int) or quorum < 0:
        erreurs.append(
            "[comite] : quorum est un nombre entier de membres, 0 ou plus (0 : non vérifié)."
        )
        quorum = 0
    # Un type fautif est déjà nommé par _verifier (« doit être un booléen »).
    tirage_zone_grise = bool(comite.get("tirage_zone_grise", False))
    suivi = _verifier(donnees.get("suivi", {}), _SCHEMA_SUIVI, "[suivi]", erreurs)
    rapport_delai_jours = suivi.get("rapport_delai_jours", 90)
    if not 0 <= rapport_delai_jours <= RAPPORT_DELAI_MAX:
        erreurs.append(
            f"[suivi] : rapport_delai_jours vaut {rapport_delai_jours} : un nombre de jours "
            f"de 0 à {RAPPORT_DELAI_MAX} est attendu (délai du rapport financier et narratif)."
        )
        rapport_delai_jours = 90
    rapport_depuis = suivi.get("rapport_depuis", "fin_projet")
    if rapport_depuis not in RAPPORT_DEPUIS:
        erreurs.append(
            f"[suivi] : rapport_depuis = « {rapport_depuis} » inconnu : écrivez « fin_projet » "
            "(la fin du projet déclarée dans la demande) ou « fin_financement » (la fin de la "
            "dernière année financière accordée)."
        )
        rapport_depuis = "fin_projet"
    mois_apres_cloture, cloture = _conservation_lue(donnees, entete, erreurs)
    demandeur = _verifier(donnees.get("demandeur", {}), _SCHEMA_DEMANDEUR, "[demandeur]", erreurs)
    type_demandeur = demandeur.get("type", "entite_municipale")
    if type_demandeur not in TYPES_DEMANDEUR:
        erreurs.append(
            f"[demandeur] : type = « {type_demandeur} » inconnu : écrivez "
            "« entite_municipale » (municipalité locale, MRC ou territoire équivalent du "
            "répertoire) ou « organisme » (nom, NEQ, municipalité du siège)."
        )
        type_demandeur = "entite_municipale"
    dimensions = _dimensions_lues(donnees, erreurs)
    cibles = []
    for i, t in enumerate(donnees.get("cibles", []), 1):
        ou = f"[[cibles]] n° {i}"
        t = _verifier(t, _SCHEMA_CIBLE, ou, erreurs)
        if not {"dimension", "valeur"} <= t.keys():
            continue
        dimension, valeur = t["dimension"], str(t["valeur"])
        valeurs_permises = {
            "axe": {str(a.numero) for a in axes},
            "secteur": {s.id for s in secteurs},
            "region": {r.code for r in regions_lues(donnees)},
        } | {d.id: {v.id for v in d.valeurs} for d in dimensions}
        if dimension not in valeurs_permises:
            erreurs.append(
                f"{ou} : dimension « {dimension} » inconnue ({', '.join(valeurs_permises)})."
            )
            continue
        if valeur != "*" and valeur not in valeurs_permises[dimension]:
            erreurs.append(f"{ou} : {dimension} « {valeur} » inconnu de l'appel.")
        bornes = [t.get(k) for k in ("part_min", "part_max", "nombre_min", "nombre_max")]
        if all(b is None for b in bornes):
            erreurs.append(f"{ou} : aucune borne (part_min, part_max, nombre_min, nombre_max).")
        for k in ("part_min", "part_max"):
            if k in t and not 0 <= t[k] <= 100:
                erreurs.append(f"{ou} : {k} est un pourcentage de 0 à 100.")
        for k in ("nombre_min", "nombre_max"):
            if k in t and t[k] < 0:
                erreurs.append(f"{ou} : {k} ne peut pas être négatif.")
        if t.get("part_min", 0) > t.get("part_max", 100) or t.get("nombre_min", 0) > t.get(
            "nombre_max", 10**9
        ):
            erreurs.append(f"{ou} : le minimum dépasse le maximum.")
        cibles.append(
            Cible(
                dimension,
                valeur,
                *(float(t[k]) if k in t else None for k in ("part_min", "part_max")),
                *(t.get(k) for k in ("nombre_min", "nombre_max")),
            )
        )
    notes_des_autres = evaluation.get("notes_des_autres", "jamais")
    if notes_des_autres not in NOTES_DES_AUTRES:
        erreurs.append(
            f"[evaluation] : notes_des_autres = « {notes_des_autres} » inconnu "
            f"({', '.join(NOTES_DES_AUTRES)})."
        )
    apres_consultation = evaluation.get("apres_consultation", "signaler")
    if apres_consultation not in APRES_CONSULTATION:
        erreurs.append(
            f"[evaluation] : apres_consultation = « {apres_consultation} » inconnu "
            f"({', '.join(APRES_CONSULTATION)})."
        )
    regions = []
    for i, t in enumerate(_liste(donnees, "regions", erreurs), 1):
        t = _verifier(t, _SCHEMA_REGION, f"[[regions]] n° {i}", erreurs)
        if {"code", "nom"} <= t.keys():
            regions.append(Region(t["code"], t["nom"]))
    _uniques([r.code for r in regions], "Code de région", erreurs)
    sources = _reglages.lire_sources(donnees.get("sources", {}), [c.id for c in criteres], erreurs)

    if erreurs or financement is None:
        raise ErreurAppel(origine, erreurs or ["[financement] incomplet."])
    appel = Appel(
        id=entete["id"],
        nom=entete["nom"],
        nom_court=entete.get("nom_court", entete["id"]),
        organisme=entete.get("organisme", ""),
        description=entete.get("description", ""),
        date_limite=entete.get("date_limite"),
        axes=tuple(axes),
        secteurs=tuple(secteurs),
        criteres=tuple(criteres),
        echelle_min=float(evaluation["echelle_min"]),
        echelle_max=float(evaluation["echelle_max"]),
        pas=float(evaluation["pas"]),
        seuil_global=float(evaluation["seuil_global"]),
        financement=financement,
        plafond_visas=_cents(dep["plafond_visas"]),
        categories=tuple(categories),
        qualites_signataire=tuple(adm.get("qualites_signataire", [])),
        regions=tuple(regions),
        conditions=tuple(conditions),
        notes_des_autres=notes_des_autres,
        apres_consultation=apres_consultation,
        agregation=agregation,
        part_tronquee=part_tronquee,
        ecart_critere_a_discuter=float(evaluation.get("ecart_critere_a_discuter", 4.0)),
        ecart_total_a_discuter=float(evaluation.get("ecart_total_a_discuter", 20.0)),
        regularisation_calibration=float(evaluation.get("regularisation_calibration", 2.0)),
        departage=tuple(departage),
        mode_ligne=mode_ligne,
        objectif_selection=objectif_selection,
        note_retenue=note_retenue,
        quorum=quorum,
        tirage_zone_grise=tirage_zone_grise,
        rapport_delai_jours=rapport_delai_jours,
        rapport_depuis=rapport_depuis,
        mois_apres_cloture=mois_apres_cloture,
        cloture=cloture,
        cibles=tuple(cibles),
        sources=sources,
        portee_plafond_visas=portee_visas,
        type_demandeur=type_demandeur,
        dimensions=dimensions,
        source_toml=texte,
    )
    return replace(appel, reglages=_reglages.reglages(appel, donnees))


def _conservation_lue(
    donnees: dict, entete: dict, erreurs: list[str]
) -> tuple[int | None, str | None]:
    """[conservation] : la durée (mois après la fermeture) et ce qui marque la fermeture."""
    table = _verifier(
        donnees.get("conservation", {}), _SCHEMA_CONSERVATION, "[conservation]", erreurs
    )
    mois = table.get("mois_apres_cloture")
    if mois is not None and (isinstance(mois, bool) or not 0 <= mois <= CONSERVATION_MOIS_MAX):
        erreurs.append(
            f"[conservation] : mois_apres_cloture vaut {mois} : un nombre de mois de 0 à "
            f"{CONSERVATION_MOIS_MAX} est attendu (durée de conservation des renseignements "
            "personnels après la fermeture de l'appel)."
        )
        mois = None
    cloture = table.get("cloture")
    if cloture is not None and cloture not in CLOTURES:
        erreurs.append(
            f"[conservation] : cloture = « {cloture} » inconnue : écrivez « fin_financement » "
            "(la fin de la dernière année financière de l'appel) ou « date_limite » (la date "
            "limite de dépôt, [appel] date_limite)."
        )
        cloture = None
    if cloture == "date_limite" and entete.get("date_limite") is None:
        erreurs.append(
            "[conservation] : cloture = « date_limite », mais [appel] ne donne pas de "
            "date_limite : ajoutez-la, ou écrivez « fin_financement »."
        )
        cloture = None
    return mois, cloture


# Plafonds d'une configuration (interprétation, issue 18) : une dimension est une liste de
# choix qu'une personne lit et remplit dans le gabarit ; au-delà, le classement, la
# comparaison et les rapports de validation coûtent sans limite (4 900 dimensions : 36 s
# par affichage du classement ; 10 000 valeurs : 79 Ko par valeur inconnue citée).
MAX_DIMENSIONS = 20
MAX_VALEURS_DIMENSION = 200
# Un libellé ou un identifiant de valeur s'écrit dans une cellule et se sépare par « ; ».
_SEPARATEURS_INTERDITS = re.compile(r"[;\n\r]")


def _dimensions_lues(donnees: dict, erreurs: list[str]) -> tuple[Dimension, ...]:
    """Les dimensions que déclare [[dimensions]] ; chaque erreur nomme la dimension.

    Refusé (chaque fois nommé) : plus de `MAX_DIMENSIONS` dimensions ou de
    `MAX_VALEURS_DIMENSION` valeurs par dimension ; un identifiant, libellé ou alias de
    valeur qui contient « ; » (le séparateur des choix multiples) ou un saut de ligne ; deux
    dimensions de même libellé aux accents, à la casse et aux espaces près ; un libellé ou
    alias de valeur qui désigne deux valeurs, de la même dimension ou de deux dimensions
    (une cellule doit se lire d'une seule façon). Les en-têtes du gabarit : voir
    `gabarit.conflits_dimensions`, appelé où l'appel est enregistré."""
    dimensions = []
    declarees = donnees.get("dimensions", [])
    if isinstance(declarees, list) and len(declarees) > MAX_DIMENSIONS:
        erreurs.append(
            f"[[dimensions]] : {len(declarees)} dimensions déclarées ; un appel en a au plus "
            f"{MAX_DIMENSIONS} (chacune est une colonne du gabarit et un filtre du "
            "classement). Regroupez-les."
        )
        return ()
    for i, t in enumerate(declarees, 1):
        ou = f"[[dimensions]] n° {i}" + (
            f" (« {t['id']} »)" if isinstance(t, dict) and isinstance(t.get("id"), str) else ""
        )
        t = _verifier(t, _SCHEMA_DIMENSION, ou, erreurs)
        if not {"id", "libelle", "valeurs"} <= t.keys():
            continue
        if t["id"] in DIMENSIONS_RESERVEES:
            erreurs.append(
                f"{ou} : « {t['id']} » est réservé (l'axe et le secteur ont leurs sections "
                "[[axes]] et [[secteurs]] ; la région vient du répertoire ; secteur_secondaire, "
                "pays et type sont des répartitions du Portefeuille). Choisissez un autre "
                "identifiant."
            )
            continue
        if not _ID_DIMENSION.fullmatch(t["id"]):
            erreurs.append(
                f"{ou} : identifiant « {t['id']} » : minuscules sans accent, chiffres, « - » "
                "ou « _ », 40 caractères au plus, en commençant par une lettre."
            )
            continue
        if len(t["valeurs"]) > MAX_VALEURS_DIMENSION:
            erreurs.append(
                f"{ou} : {len(t['valeurs'])} valeurs ; une dimension en a au plus "
                f"{MAX_VALEURS_DIMENSION} (c'est une liste de choix du gabarit). Regroupez-les."
            )
            continue
        valeurs = []
        for j, v in enumerate(t["valeurs"], 1):
            v = _verifier(v, _SCHEMA_VALEUR_DIMENSION, f"{ou}, valeur n° {j}", erreurs)
            if {"id", "libelle"} <= v.keys():
                textes = [v["id"], v["libelle"], *v.get("alias", [])]
                if fautifs := [x for x in textes if _SEPARATEURS_INTERDITS.search(x)]:
                    erreurs.append(
                        f"{ou}, valeur n° {j} : « {fautifs[0].strip()[:60]} » contient « ; » "
                        "ou un saut de ligne, qui séparent les choix d'une cellule : la "
                        "valeur se lirait comme plusieurs. Retirez-les de l'identifiant, du "
                        "libellé et des alias."
                    )
                    continue
                valeurs.append(ValeurDimension(v["id"], v["libelle"], tuple(v.get("alias", []))))
        if not valeurs:
            erreurs.append(f"{ou} : au moins une valeur est attendue dans « valeurs ».")
        _uniques([v.id for v in valeurs], f"{ou} : identifiant de valeur", erreurs)
        _noms_univoques(
            [(v.id, n) for v in valeurs for n in (v.id, v.libelle, *v.alias)], t["id"], erreurs
        )
        dimensions.append(
            Dimension(
                t["id"],
                t["libelle"],
                bool(t.get("multiple", False)),
                bool(t.get("obligatoire", False)),
                tuple(valeurs),
                t.get("aide", ""),
            )
        )
    _uniques([d.id for d in dimensions], "Identifiant de dimension", erreurs)
    _noms_univoques(
        [(d.id, n) for d in dimensions for n in (d.id, d.libelle)], "dimension", erreurs
    )
    _alias_croises(dimensions, erreurs)
    return tuple(dimensions)


def _alias_croises(dimensions: list[Dimension], erreurs: list[str]) -> None:
    """Un alias d'une valeur qui nomme une valeur d'une autre dimension : la même cellule se
    lirait autrement selon la colonne où on la copie ; refusé."""
    noms: dict[str, list[tuple[str, str]]] = {}
    for d in dimensions:
        for v in d.valeurs:
            for n in dict.fromkeys(compacter(x) for x in (v.id, v.libelle, *v.alias)):
                noms.setdefault(n, []).append((d.id, v.id))
    for d in dimensions:
        for v in d.valeurs:
            for alias in v.alias:
                autres = [x for x in noms.get(compacter(alias), []) if x[0] != d.id]
                if autres:
                    autre_d, autre_v = autres[0]
                    erreurs.append(
                        f"alias « {alias} » de la valeur « {v.id} » (dimension « {d.id} ») : "
                        f"il nomme aussi la valeur « {autre_v} » de la dimension "
                        f"« {autre_d} ». Un alias ne nomme qu'une valeur : retirez-le."
                    )


def charger_appel(chemin: str | Path = APPEL_PAR_DEFAUT) -> Appel:
    """Lit un fichier d'appel TOML ; lève `ErreurAppel` s'il est invalide ou illisible."""
    chemin = Path(chemin)
    try:
        texte = chemin.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ErreurAppel(chemin.name, [f"fichier illisible : {exc}"]) from None
    return appel_depuis_toml(texte, chemin.name)


def appels_fournis() -> list[Path]:
    """Les fichiers d'appel livrés dans donnees/appels/."""
    return sorted(DOSSIER_APPELS.glob("*.toml"))
