"""La source de chaque réglage d'un appel : ce que le texte de l'appel fixe (« appel », avec
sa phrase citée), ce que le comité ou le ministère choisit (« comite »), ce que le texte
laisse ambigu (« interpretation », avec la lecture retenue).

Dans le TOML, une table `[sources]` nomme chaque réglage par son chemin pointé :

    [sources]
    "evaluation.seuil_global" = { source = "comite" }
    "financement.plafond_annuel" = { source = "appel", citation = "La subvention … 25 000 $ …" }
    "financement.premiere_annee_debut" = { source = "interpretation", lecture = "…" }

Les réglages qui doivent dire leur source sont ceux de `REGLAGES_SOURCES` (une ligne par
réglage : en ajouter un, c'est ajouter une ligne). Un chemin inconnu dans `[sources]` est une
erreur ; un réglage de la liste sans source est signalé (`sans_source`) : une erreur pour les
fichiers livrés (tests), un avertissement pour ceux d'un utilisateur (page Paramètres).

Les réglages « comite » et « interpretation » se confirment par l'administration
(`appels.confirmations`) ; une confirmation vaut pour une valeur (`Reglage.empreinte`) : le
réglage changé, elle ne vaut plus.

Un réglage « appel » n'a rien à confirmer tant qu'il garde la valeur avec laquelle sa source a
été déclarée (celle que la citation justifie). Règle retenue, la plus simple : dès qu'un
enregistrement change sa valeur (la source restant « appel »), il est « modifié : à
confirmer » jusqu'à ce que l'administration confirme la nouvelle valeur. Mécanisme, celui des
empreintes : l'enregistrement inscrit dans les confirmations, au nom de `VALEUR_CITEE`,
l'empreinte de la valeur déclarée (une fois : la première modification) ; un réglage « appel »
est à confirmer quand sa dernière confirmation existe et ne couvre pas sa valeur actuelle
(`modifie`). Revenu à la valeur citée, il ne l'est plus ; une source déclarée « appel » par
un enregistrement (elle ne l'était pas) prend pour valeur citée la valeur de ce moment.

Les réglages sont fixés avant la notation (`changements`, `refus_changement_reglages`) : dès
la première évaluation soumise, enregistrer une configuration où l'un d'eux change (valeur
ou source ; les deux listes de catégories de dépenses comprises) demande une raison écrite
et la confirmation explicite de l'administration. Règle de procédure, non du texte de
l'appel.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import tomli_w

if TYPE_CHECKING:
    from evaluation.appels.configuration import Appel

APPEL = "appel"
COMITE = "comite"
INTERPRETATION = "interpretation"
SOURCES = {
    APPEL: "texte de l'appel",
    COMITE: "réglage du comité",
    INTERPRETATION: "interprétation",
}
# Ce qu'une confirmation de l'administration doit couvrir avant que rangs et montants ne
# s'affichent sans bandeau.
A_CONFIRMER = (COMITE, INTERPRETATION)

# Les réglages qui doivent dire leur source : (chemin pointé dans le TOML, libellé). « * »
# désigne chaque critère de l'appel (par son identifiant). Ajouter un réglage : une ligne.
REGLAGES_SOURCES: tuple[tuple[str, str], ...] = (
    ("criteres.*.poids", "Poids"),
    ("criteres.*.minimum", "Note minimale"),
    ("criteres.*.champs", "Champs du formulaire lus"),
    ("evaluation.echelle_min", "Échelle : note la plus basse"),
    ("evaluation.echelle_max", "Échelle : note la plus haute"),
    ("evaluation.pas", "Échelle : pas"),
    ("evaluation.seuil_global", "Seuil global (sur 100)"),
    ("evaluation.agregation", "Agrégation des notes"),
    ("evaluation.part_tronquee", "Part tronquée (moyenne tronquée)"),
    ("evaluation.ecart_critere_a_discuter", "À discuter : étendue sur un critère"),
    ("evaluation.ecart_total_a_discuter", "À discuter : étendue du total"),
    ("evaluation.regularisation_calibration", "Rang calibré : lissage de l'effet évaluateur"),
    ("evaluation.notes_des_autres", "Notes des autres évaluateurs"),
    ("evaluation.apres_consultation", "Modification après consultation"),
    ("classement.departage", "Départage des ex æquo"),
    ("classement.mode_ligne", "Ligne de financement"),
    ("classement.objectif_selection", "Objectif de la meilleure sélection"),
    ("classement.note_retenue", "Note qui classe : des évaluateurs ou de consensus"),
    ("comite.quorum", "Quorum : membres présents sans conflit d'intérêts"),
    ("comite.tirage_zone_grise", "Tirage au sort dans la zone grise"),
    ("suivi.rapport_delai_jours", "Rapport financier et narratif : délai (jours)"),
    ("suivi.rapport_depuis", "Rapport financier et narratif : délai compté depuis"),
    ("conservation.mois_apres_cloture", "Conservation des renseignements personnels (mois)"),
    ("conservation.cloture", "Conservation : ce qui marque la fermeture de l'appel"),
    ("cibles", "Cibles d'équilibre du portefeuille"),
    ("financement.plafond_annuel", "Plafond annuel"),
    ("financement.nombre_annees_max", "Nombre d'années financières"),
    ("financement.premiere_annee_debut", "Début de la première année financière"),
    ("financement.enveloppe", "Enveloppe par année"),
    ("financement.bonification_conjoint_max", "Bonification maximale d'un projet conjoint"),
    ("financement.entites_conjoint_min", "Projet conjoint : nombre d'entités municipales"),
    ("financement.regroupements_municipaux", "Projet conjoint : regroupements reconnus"),
    ("financement.contribution_attendue", "Contribution du demandeur ou cofinancement attendu"),
    ("depenses.admissibles", "Catégories de dépenses admissibles"),
    ("depenses.non_admissibles", "Catégories de dépenses non admissibles"),
    ("depenses.plafond_visas", "Plafond des frais de visas et d'assurance"),
    ("depenses.portee_plafond_visas", "Portée du plafond des visas"),
    ("appel.date_limite", "Date limite de dépôt"),
    ("demandeur.type", "Type de demandeur"),
    ("dimensions", "Dimensions de classement"),
)
# Les règles qu'un appel déclare ou non (faux par défaut) : absentes du TOML, l'appel ne
# les a pas, et il n'y a rien à sourcer.
REGLES_DECLAREES = frozenset({"financement.contribution_attendue"})
# Les listes de catégories de dépenses : leur valeur est la liste triée des identifiants,
# « (plafonnée) » après celui d'une catégorie plafonnée, avec les autres noms qui la font
# reconnaître à l'importation (déplacer « Équipements » vers une catégorie admissible
# changerait les montants des demandes importées ensuite) ; le libellé seul n'en change
# aucun.
CATEGORIES_DEPENSES = {"depenses.admissibles": True, "depenses.non_admissibles": False}
# L'auteur de la ligne de confirmation qui garde la valeur citée d'un réglage « appel » avant
# sa première modification (voir le docstring du module).
VALEUR_CITEE = "(valeur citée de l'appel)"
_CLES_SOURCE = {"source", "citation", "lecture", "note"}
_ABSENT = object()


@dataclass(frozen=True)
class Source:
    """La source déclarée d'un réglage : `citation` (la phrase de l'appel, obligatoire pour
    « appel »), `lecture` (la lecture retenue, obligatoire pour « interpretation »), `note`
    (précision libre : « réglage du ministère »…)."""

    chemin: str
    source: str
    citation: str = ""
    lecture: str = ""
    note: str = ""

    @property
    def libelle(self) -> str:
        return SOURCES[self.source]

    @property
    def precision(self) -> str:
        """Ce qu'un lecteur lit à côté de la source : la citation, la lecture, la note."""
        morceaux = []
        if self.citation:
            morceaux.append(f"« {self.citation} »")
        if self.lecture:
            morceaux.append(f"lecture retenue : {self.lecture}")
        if self.note:
            morceaux.append(self.note)
        return " ; ".join(morceaux)


@dataclass(frozen=True)
class Reglage:
    """Un réglage de l'appel qui doit dire sa source : sa valeur (telle que le TOML l'écrit,
    ou la valeur par défaut que le programme applique) et sa source (None : non déclarée)."""

    chemin: str
    libelle: str
    valeur: Any
    source: Source | None

    @property
    def a_confirmer(self) -> bool:
        return self.source is not None and self.source.source in A_CONFIRMER

    @property
    def empreinte(self) -> str:
        """Ce qu'une confirmation couvre : la valeur, la source et la lecture retenue. Un
        changement de l'une d'elles demande une nouvelle confirmation."""
        return json.dumps(
            {
                "valeur": _canonique(self.valeur),
                "source": self.source.source if self.source else None,
                "lecture": self.source.lecture if self.source else "",
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    @property
    def valeur_lisible(self) -> str:
        return lisible(self.valeur)


def _canonique(valeur: Any) -> Any:
    """25 et 25.0 sont la même valeur ; une date s'écrit AAAA-MM-JJ."""
    if isinstance(valeur, bool):
        return valeur
    if isinstance(valeur, float) and valeur.is_integer():
        return int(valeur)
    if isinstance(valeur, dt.date):
        return valeur.isoformat()
    if isinstance(valeur, list | tuple):
        return [_canonique(v) for v in valeur]
    if isinstance(valeur, dict):
        return {str(k): _canonique(v) for k, v in valeur.items()}
    return valeur


def lisible(valeur: Any) -> str:
    """Une valeur de réglage pour une personne (« 25000 », « [750000, 500000] », une cible
    par morceau)."""
    valeur = _canonique(valeur)
    if valeur is None:
        return "(absent)"
    if isinstance(valeur, list):
        return " ; ".join(
            ", ".join(f"{k} {v}" for k, v in x.items()) if isinstance(x, dict) else str(x)
            for x in valeur
        )
    if isinstance(valeur, float):
        return f"{valeur:g}"
    return str(valeur)


def chemins_permis(ids_criteres: list[str]) -> dict[str, str]:
    """Chaque chemin qu'une table `[sources]` peut nommer, avec son libellé : « * » remplacé
    par l'identifiant de chaque critère."""
    chemins = {}
    for chemin, libelle in REGLAGES_SOURCES:
        if chemin.startswith("criteres.*."):
            for cid in ids_criteres:
                chemins[chemin.replace("*", cid, 1)] = libelle
        else:
            chemins[chemin] = libelle
    return chemins


def _aplatir(table: dict, prefixe: str, ou: list[tuple[str, Any]]) -> None:
    for cle, valeur in table.items():
        chemin = f"{prefixe}.{cle}" if prefixe else str(cle)
        if isinstance(valeur, dict) and "source" not in valeur:
            _aplatir(valeur, chemin, ou)
        else:
            ou.append((chemin, valeur))


def lire_sources(table: Any, ids_criteres: list[str], erreurs: list[str]) -> tuple[Source, ...]:
    """Les sources d'une table `[sources]` ; chaque écart devient une erreur en français.
    Les chemins s'écrivent entre guillemets (« "evaluation.seuil_global" = {…} ») ou en
    clés pointées (« evaluation.seuil_global = {…} ») : c'est le même chemin."""
    if not isinstance(table, dict):
        erreurs.append("[sources] : une table TOML est attendue.")
        return ()
    permis = chemins_permis(ids_criteres)
    entrees: list[tuple[str, Any]] = []
    _aplatir(table, "", entrees)
    sources, vus = [], set()
    for chemin, valeur in entrees:
        ou = f"[sources] « {chemin} »"
        if chemin not in permis:
            erreurs.append(f"{ou} : {_inconnu(chemin, permis, ids_criteres)}")
            continue
        if chemin in vus:
            erreurs.append(f"{ou} : source déclarée deux fois.")
            continue
        vus.add(chemin)
        if not isinstance(valeur, dict):
            erreurs.append(
                f'{ou} : une table {{ source = "appel" | "comite" | ... }} est attendue.'
            )
            continue
        inconnues = set(valeur) - _CLES_SOURCE
        if inconnues:
            erreurs.append(
                f"{ou} : clé inconnue « {sorted(inconnues)[0]} » "
                f"(clés permises : {', '.join(sorted(_CLES_SOURCE))})."
            )
        textes = {k: valeur.get(k, "") for k in _CLES_SOURCE}
        if not all(isinstance(v, str) for v in textes.values()):
            erreurs.append(f"{ou} : source, citation, lecture et note sont des textes.")
            continue
        textes = {k: v.strip() for k, v in textes.items()}
        source = textes["source"]
        if source not in SOURCES:
            erreurs.append(
                f"{ou} : source « {source} » inconnue ({', '.join(SOURCES)} : "
                "texte de l'appel, réglage du comité, interprétation d'un texte ambigu)."
            )
            continue
        if source == APPEL and not textes["citation"]:
            erreurs.append(f"{ou} : un réglage fixé par l'appel cite sa phrase (« citation »).")
            continue
        if source == INTERPRETATION and not textes["lecture"]:
            erreurs.append(
                f"{ou} : une interprétation dit la lecture retenue du texte (« lecture »)."
            )
            continue
        sources.append(
            Source(chemin, source, textes["citation"], textes["lecture"], textes["note"])
        )
    return tuple(sources)


def _inconnu(chemin: str, permis: dict[str, str], ids_criteres: list[str]) -> str:
    """Pourquoi un chemin de [sources] n'est pas permis, et ce qui l'était sans doute."""
    morceaux = chemin.split(".")
    if morceaux[0] == "criteres" and len(morceaux) == 3 and morceaux[1] not in ids_criteres:
        return (
            f"aucun critère « {morceaux[1]} » dans [[criteres]] : retirez cette ligne de "
            "[sources] (ou corrigez l'identifiant du critère)."
        )
    proches = difflib.get_close_matches(chemin, list(permis), n=1)
    autres = [c for c, _ in REGLAGES_SOURCES if not c.startswith("criteres.")]
    return (
        "ce n'est pas un réglage qui porte une source"
        + (f" (vouliez-vous dire « {proches[0]} » ?)" if proches else "")
        + ". Réglages permis : poids, minimum et champs du formulaire de chaque critère "
        + "(« criteres.<id>.poids », « criteres.<id>.minimum », « criteres.<id>.champs »), "
        + ", ".join(autres)
        + "."
    )


def _dans(donnees: dict, chemin: str) -> Any:
    """La valeur écrite dans le TOML à `chemin` (_ABSENT sinon) ; « criteres.<id>.<clé> »
    cherche le critère par son identifiant."""
    morceaux = chemin.split(".")
    if morceaux[0] == "criteres":
        for t in donnees.get("criteres", []):
            if isinstance(t, dict) and t.get("id") == morceaux[1]:
                return t.get(morceaux[2], _ABSENT)
        return _ABSENT
    valeur: Any = donnees
    for m in morceaux:
        if not isinstance(valeur, dict) or m not in valeur:
            return _ABSENT
        valeur = valeur[m]
    return valeur


def _par_defaut(appel: Appel, chemin: str) -> Any:
    """La valeur que le programme applique quand le TOML n'écrit pas le réglage."""
    morceaux = chemin.split(".")
    if morceaux[0] == "criteres":
        critere = next((c for c in appel.criteres if c.id == morceaux[1]), None)
        valeur = getattr(critere, morceaux[2], None) if critere else None
        # Un critère qui ne lit aucun champ du formulaire n'a rien à sourcer.
        return (list(valeur) or None) if isinstance(valeur, tuple) else valeur
    objet = appel.financement if morceaux[0] == "financement" else appel
    valeur = getattr(objet, morceaux[-1], None)
    if isinstance(valeur, tuple) and not valeur:
        return None
    return list(valeur) if isinstance(valeur, tuple) else valeur


def reglages(appel: Appel, donnees: dict) -> tuple[Reglage, ...]:
    """Les réglages de l'appel qui doivent dire leur source, avec leur valeur et leur
    source. Un réglage sans valeur (un minimum que le critère n'a pas, aucune cible, pas de
    date limite) n'est pas listé : il n'y a rien à sourcer."""
    sources = {s.chemin: s for s in appel.sources}
    resultat = []
    for chemin, libelle in chemins_permis([c.id for c in appel.criteres]).items():
        if chemin in CATEGORIES_DEPENSES:
            valeur = valeur_categories(appel, CATEGORIES_DEPENSES[chemin])
            if valeur:
                resultat.append(Reglage(chemin, libelle, valeur, sources.get(chemin)))
            continue
        valeur = _dans(donnees, chemin)
        if valeur is _ABSENT:
            valeur = _par_defaut(appel, chemin)
            if chemin in REGLES_DECLAREES and not valeur:
                continue  # règle que l'appel ne déclare pas : rien à sourcer
        if valeur is None:
            continue
        if chemin.startswith("criteres."):
            critere = next(c for c in appel.criteres if c.id == chemin.split(".")[1])
            libelle = f"{libelle} : {critere.libelle}"
        resultat.append(Reglage(chemin, libelle, valeur, sources.get(chemin)))
    return tuple(resultat)


def valeur_categories(appel: Appel, admissible: bool) -> list[str]:
    """Les catégories de dépenses admissibles (ou non) de l'appel, triées par identifiant,
    « (plafonnée) » après celui d'une catégorie plafonnée."""
    return sorted(
        c.id
        + (" (plafonnée)" if c.plafonnee else "")
        + (f" : {' ; '.join(sorted(c.alias))}" if c.alias else "")
        for c in appel.categories
        if c.admissible is admissible
    )


def sans_source(appel: Appel) -> list[Reglage]:
    """Les réglages de la liste qui ne disent pas leur source."""
    return [r for r in appel.reglages if r.source is None]


def non_confirmes(appel: Appel, confirmations: dict[str, dict]) -> list[Reglage]:
    """Les réglages « comite » et « interpretation » que l'administration n'a pas confirmés
    dans leur valeur actuelle. `confirmations` : chemin → dernière confirmation
    ({"empreinte", "date", "auteur"})."""
    return [
        r
        for r in appel.reglages
        if (r.a_confirmer and (confirmations.get(r.chemin) or {}).get("empreinte") != r.empreinte)
        or modifie(r, confirmations)
    ]


def modifie(r: Reglage, confirmations: Mapping[str, dict]) -> bool:
    """Un réglage « appel » dont la valeur n'est plus celle que sa citation justifie, ni
    une valeur que l'administration a confirmée (voir le docstring du module)."""
    derniere = confirmations.get(r.chemin)
    return (
        r.source is not None
        and r.source.source == APPEL
        and derniere is not None
        and derniere["empreinte"] != r.empreinte
    )


def etat_confirmation(
    r: Reglage,
    confirmations: Mapping[str, dict] | None,
    date: Callable[[dt.datetime], str],
    *,
    non_confirme: str = "non confirmé",
) -> str:
    """Ce qu'un tableau des sources dit de la confirmation d'un réglage (page Paramètres,
    procès-verbal, classeur). `confirmations` None : inconnues (tout ce qui se confirme est
    alors dit non confirmé)."""
    if r.source is None:
        return "sans source"
    derniere = (confirmations or {}).get(r.chemin)
    if r.source.source == APPEL:
        if derniere is None or (
            derniere["auteur"] == VALEUR_CITEE and derniere["empreinte"] == r.empreinte
        ):
            return "fixé par l'appel"
        if derniere["empreinte"] != r.empreinte:
            return "modifié : à confirmer"
        return f"modifié, confirmé le {date(derniere['date'])} par {derniere['auteur']}"
    if derniere is None or derniere["empreinte"] != r.empreinte:
        return non_confirme
    return f"confirmé le {date(derniere['date'])} par {derniere['auteur']}"


def description_bandeau(r: Reglage) -> str:
    """Un réglage non confirmé dans le bandeau : « Plafond annuel = 40000 (texte de l'appel,
    modifié : à confirmer) », « Seuil global (sur 100) = 60 (réglage du comité) »."""
    source = r.source.libelle if r.source else "sans source"
    if r.source is not None and r.source.source == APPEL:
        source += ", modifié : à confirmer"
    return f"{r.libelle} = {r.valeur_lisible} ({source})"


def sources_elaguees(donnees: dict) -> dict:
    """La table `[sources]` d'une configuration éditée, sans les chemins des critères qui
    n'y sont plus (un critère retiré ou renommé dans la page) : le reste est gardé tel
    quel, une faute reste une erreur nommée par la validation."""
    table = donnees.get("sources")
    if not isinstance(table, dict):
        return donnees
    ids = {t.get("id") for t in donnees.get("criteres", []) if isinstance(t, dict)}
    entrees: list[tuple[str, Any]] = []
    _aplatir(table, "", entrees)
    gardees = {
        chemin: valeur
        for chemin, valeur in entrees
        if not (chemin.startswith("criteres.") and chemin.split(".")[1] not in ids)
    }
    return (
        {**donnees, "sources": gardees}
        if gardees
        else {k: v for k, v in donnees.items() if k != "sources"}
    )


def sources_en_toml(table: dict) -> str:
    """La table `[sources]` écrite comme dans les fichiers livrés : une ligne par réglage,
    chemin entre guillemets, table en ligne ; tomli_w écrit (et échappe) chaque texte."""
    entrees: list[tuple[str, Any]] = []
    _aplatir(table, "", entrees)
    lignes = ["[sources]"]
    for chemin, valeur in entrees:
        cle = _toml(chemin)
        if isinstance(valeur, dict):
            corps = ", ".join(f"{k} = {_toml(v)}" for k, v in valeur.items())
            lignes.append(f"{cle} = {{ {corps} }}")
        else:
            lignes.append(f"{cle} = {_toml(valeur)}")
    return "\n".join(lignes) + "\n"


def _toml(valeur: Any) -> str:
    """Une valeur (ou une clé) en TOML, écrite par tomli_w."""
    return tomli_w.dumps({"x": valeur}).removeprefix("x = ").rstrip("\n")


def refus_changement_poids(soumises: int, raison: str, confirme: bool) -> str:
    """Pourquoi un changement de poids est refusé ("" s'il est permis). Règle de procédure,
    non du texte de l'appel (qui ne pondère pas ses critères) : les poids sont fixés avant la
    notation ; dès la première évaluation soumise (`soumises` ≥ 1), un changement demande une
    raison écrite et la confirmation explicite de l'administration. Avant, il est libre."""
    if soumises <= 0:
        return ""
    if not raison.strip():
        return (
            f"Évaluations déjà soumises : {soumises}. Les poids ont été fixés avant la "
            "notation ; les changer demande une raison écrite. Rien n'est changé."
        )
    if not confirme:
        return (
            f"Évaluations déjà soumises : {soumises}. Changer les poids demande la "
            "confirmation explicite de l'administration. Rien n'est changé."
        )
    return ""


@dataclass(frozen=True)
class ChangementReglage:
    """Un réglage sourcé qui change d'une configuration à l'autre (valeur ou source)."""

    chemin: str
    libelle: str
    ancien: Reglage | None
    nouveau: Reglage | None

    @property
    def avant(self) -> str:
        return _valeur_et_source(self.ancien, self.nouveau)

    @property
    def apres(self) -> str:
        return _valeur_et_source(self.nouveau, self.ancien)

    @property
    def texte(self) -> str:
        """« Plafond annuel : 25000 → 40000 » ; pour une liste (catégories de dépenses), ce
        qui en sort et ce qui y entre : « retiré : equipements ; ajouté : … »."""
        a = _canonique(self.ancien.valeur) if self.ancien else None
        n = _canonique(self.nouveau.valeur) if self.nouveau else None
        if self.chemin in CATEGORIES_DEPENSES and isinstance(a, list) and isinstance(n, list):
            morceaux = [
                f"{quoi} : {lisible([x for x in de if x not in dans])}"
                for quoi, de, dans in (("retiré", a, n), ("ajouté", n, a))
                if any(x not in dans for x in de)
            ]
            if morceaux:
                return f"{self.libelle} : {' ; '.join(morceaux)}"
        return f"{self.libelle} : {self.avant} → {self.apres}"

    @property
    def poids(self) -> bool:
        """Un poids de critère (journalisé et historisé comme pondération)."""
        return self.chemin.startswith("criteres.") and self.chemin.endswith(".poids")


def _valeur_et_source(r: Reglage | None, autre: Reglage | None) -> str:
    """La valeur lisible, et la source quand elle n'est pas la même de l'autre côté."""
    if r is None:
        return "(absent)"
    source = r.source.source if r.source else None
    if autre is not None and (autre.source.source if autre.source else None) != source:
        return f"{r.valeur_lisible} ({r.source.libelle if r.source else 'sans source'})"
    return r.valeur_lisible


def changements(ancien: Appel, nouveau: Appel) -> list[ChangementReglage]:
    """Les réglages sourcés (REGLAGES_SOURCES, les catégories de dépenses comprises) dont la
    valeur ou la source change de `ancien` à `nouveau`, dans l'ordre de la liste."""
    avant = {r.chemin: r for r in ancien.reglages}
    apres = {r.chemin: r for r in nouveau.reglages}
    resultat = []
    for chemin in [*apres, *(c for c in avant if c not in apres)]:
        a, n = avant.get(chemin), apres.get(chemin)
        if a is not None and n is not None and _meme(a, n):
            continue
        libelle = (n or a).libelle
        resultat.append(ChangementReglage(chemin, libelle, a, n))
    return resultat


def _meme(a: Reglage, n: Reglage) -> bool:
    return _canonique(a.valeur) == _canonique(n.valeur) and (
        a.source.source if a.source else None
    ) == (n.source.source if n.source else None)


def refus_changement_reglages(
    soumises: int, changes: list[ChangementReglage], raison: str, confirme: bool
) -> str:
    """Pourquoi enregistrer `changes` est refusé ("" si c'est permis), chaque réglage nommé
    (« libellé : avant → après »). Règle de procédure, non du texte de l'appel : les
    réglages sourcés (poids, seuil, départage, plafonds, catégories de dépenses…) sont
    fixés avant la notation ; dès la première évaluation soumise (`soumises` ≥ 1), les
    changer demande une raison écrite et la confirmation explicite de l'administration."""
    if soumises <= 0 or not changes:
        return ""
    liste = " ; ".join(c.texte for c in changes)
    if not raison.strip():
        return (
            f"Évaluations déjà soumises : {soumises}. Ces réglages ont été fixés avant la "
            f"notation ; les changer demande une raison écrite. Changements : {liste}. "
            "Rien n'est changé."
        )
    if not confirme:
        return (
            f"Évaluations déjà soumises : {soumises}. Changer ces réglages demande la "
            f"confirmation explicite de l'administration. Changements : {liste}. "
            "Rien n'est changé."
        )
    return ""
