"""Les lettres aux demandeurs (issue 17, point 2) : une lettre par demande, tirée d'un modèle
DOCX que le ministère modifie dans Word (balises Jinja de docxtpl : « {{ titre }} »).

Quatre genres, un modèle chacun : acceptation (montant par année financière, conditions,
rapport à produire), liste d'attente, refus d'une demande inadmissible (les raisons de
l'examen d'admissibilité) et refus d'une demande sous la ligne de financement (la note de
chaque critère et les commentaires des évaluateurs, regroupés sans leur nom ; quand le
ministère refuse une demande que le comité recommandait, la lettre le dit plutôt que « sous
la ligne »). Chaque lettre est signée du nom de l'autorité qui a décidé et donne la raison
du ministère quand il a modifié la recommandation du comité. Un modèle de
refus par raison plutôt qu'un seul avec une condition : la personne qui modifie la lettre
dans Word n'a pas à toucher à une balise « {% if %} », et chaque lettre se relit telle
qu'elle partira.

Règles seulement (aucune base) : le contexte d'une lettre, son rendu en DOCX (une balise
inconnue est refusée, et aucune balise ne doit rester dans la lettre), l'archive ZIP, la
conversion en PDF par LibreOffice quand il est là, et la vérification d'un modèle
téléversé (un DOCX hostile est refusé comme un classeur hostile : voir
`evaluation.depot.classeurs`).

Le rendu se fait dans un environnement Jinja bac à sable, sans fonction globale (`range`),
avec une courte liste de filtres, sans affectation (`{% set %}`, `{% with %}`, une variable
de boucle qui porterait le nom d'une valeur de la lettre), sans opération sur un texte ou
une liste (`+`, `*`, `%`), des boucles seulement sur les listes de la lettre, sur deux
niveaux au plus ; chaque rendu est en outre borné en passages de boucle, en temps et en
taille (`Limites`) : un modèle téléversé ne peut ni lire le serveur ni faire tourner le
rendu sans fin.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree

from evaluation.appels import demandeur as demandeurs
from evaluation.appels.configuration import Appel
from evaluation.decision import financement
from evaluation.depot.classeurs import SIGNATURE_OLE, SIGNATURE_ZIP, FichierRefuse
from evaluation.notes import filtrage
from evaluation.socle.chemins import DONNEES
from evaluation.socle.formats import date as date_lisible
from evaluation.socle.formats import montant, nombre, note, pluriel, reglage
from evaluation.socle.texte import nettoyer

DOSSIER_MODELES = DONNEES / "modeles-lettres"

ACCEPTATION = "acceptation"
LISTE_ATTENTE = "liste-attente"
REFUS_INADMISSIBLE = "refus-inadmissible"
REFUS_SOUS_LA_LIGNE = "refus-sous-la-ligne"
GENRES = (ACCEPTATION, LISTE_ATTENTE, REFUS_INADMISSIBLE, REFUS_SOUS_LA_LIGNE)
LIBELLES_GENRES = {
    ACCEPTATION: "Acceptation",
    LISTE_ATTENTE: "Liste d'attente",
    REFUS_INADMISSIBLE: "Refus : demande inadmissible",
    REFUS_SOUS_LA_LIGNE: "Refus : sous la ligne de financement",
}
# Au pluriel, pour le journal et la page : « 2 acceptations ».
PLURIELS_GENRES = {
    ACCEPTATION: ("acceptation", "acceptations"),
    LISTE_ATTENTE: ("mise en liste d'attente", "mises en liste d'attente"),
    REFUS_INADMISSIBLE: ("refus (inadmissible)", "refus (inadmissibles)"),
    REFUS_SOUS_LA_LIGNE: ("refus (sous la ligne)", "refus (sous la ligne)"),
}

# Ce qu'un modèle peut employer : ces noms, et rien d'autre (une faute de frappe dans Word
# est refusée au téléversement, pas découverte dans une lettre envoyée).
VARIABLES = (
    "date",
    "organisme",
    "programme",
    "appel",
    "no_demande",
    "titre",
    "municipalite",
    # Le demandeur dans les mots de l'appel (`appels.demandeur`) : la municipalité
    # requérante, ou l'organisme requérant (son nom).
    "demandeur",
    "contact",
    "genre",
    "montants",
    "montant_total",
    "criteres",
    "total",
    "total_sur",
    "seuil",
    "commentaires",
    "raisons",
    "signataire",
    "raison_du_ministere",
    "refus_du_ministere",
)
# Les listes de la lettre, seules permises derrière « for » (et leurs éléments ne portent
# aucune liste : deux niveaux de boucle au plus).
LISTES = ("montants", "criteres", "commentaires", "raisons")
FILTRES_PERMIS = frozenset(
    {
        "upper",
        "lower",
        "capitalize",
        "title",
        "trim",
        "default",
        "d",
        "length",
        "count",
        "first",
        "last",
        "join",
        "e",
        "escape",
        "string",
    }
)
PROFONDEUR_BOUCLES_MAX = 2


@dataclass(frozen=True)
class Limites:
    """Ce qu'un modèle téléversé peut peser : un modèle de lettre fait quelques dizaines de
    Ko ; un logo en en-tête, quelques centaines. Même défense que pour les classeurs
    (`evaluation.depot.classeurs.Limites`), bornes d'un document de quelques pages."""

    taille_max: int = 5 * 1024 * 1024
    decompresse_max: int = 40 * 1024 * 1024
    ratio_max: float = 200.0
    membres_max: int = 300
    # Temps permis à LibreOffice : un démarrage (quelques secondes, davantage sur une
    # machine chargée), puis par lettre.
    pdf_delai: float = 90.0
    pdf_delai_par_lettre: float = 3.0
    # Le rendu d'une lettre : quelques centaines de passages de boucle et quelques
    # millisecondes pour une vraie lettre ; au-delà, le modèle est refusé.
    rendu_passages_max: int = 20_000
    rendu_delai: float = 10.0
    rendu_taille_max: int = 20 * 1024 * 1024


LIMITES = Limites()


class ErreurLettre(ValueError):
    """Un modèle qui ne se rend pas, une lettre qui garde une balise : le message dit quel
    modèle, quelle balise et quoi faire."""


class ConversionImpossible(RuntimeError):
    """La conversion en PDF n'a pas pu se faire (LibreOffice absent, trop lent ou en
    échec) ; le message le dit en français."""


# --- Les données d'une lettre ---------------------------------------------------------------


@dataclass(frozen=True)
class NoteCritere:
    libelle: str
    note: float | None  # la note retenue du critère (sur l'échelle de l'appel) ; None : aucune


@dataclass(frozen=True)
class Commentaire:
    critere: str  # le libellé du critère, ou « Appréciation générale »
    texte: str


@dataclass(frozen=True)
class Lettre:
    """Ce qu'une lettre dit d'une demande, sans base ni modèle : `genre` (GENRES),
    `montants` accordés par année en cents (acceptation), `raisons` de l'inadmissibilité,
    `notes` par critère, `total` et `commentaires` (refus sous la ligne)."""

    demande_id: int
    no_demande: str
    titre: str
    municipalite: str
    genre: str
    contact: str = ""
    montants: tuple[int, ...] = ()
    raisons: tuple[str, ...] = ()
    notes: tuple[NoteCritere, ...] = ()
    total: float | None = None
    commentaires: tuple[Commentaire, ...] = ()
    signataire: str = ""
    raison_du_ministere: str = ""
    refus_du_ministere: bool = False
    # Le nom du demandeur (`appels.demandeur`) ; vide : la municipalité.
    demandeur: str = ""


@dataclass(frozen=True)
class Issue:
    """L'issue d'une demande, d'où naît sa lettre : le genre, les montants accordés, le nom
    de l'autorité qui a décidé (`signataire`), la raison du ministère quand il a modifié la
    recommandation du comité, et `refus_du_ministere` : le comité avait recommandé la
    demande (retenue), le ministère l'a refusée."""

    genre: str
    montants: tuple[int, ...] = ()
    signataire: str = ""
    raison_du_ministere: str = ""
    refus_du_ministere: bool = False


@dataclass(frozen=True)
class SansLettre:
    """Une demande qui n'a pas de lettre : pas encore de décision."""

    demande_id: int
    no_demande: str
    titre: str
    statut: str


# --- L'issue de chaque demande ---------------------------------------------------------------


def issues_des_demandes(
    demandes: Iterable[Mapping],
    decisions: Iterable[Mapping],
    inadmissibles: Iterable[int],
) -> dict[int, Issue]:
    """L'issue de chaque demande qui en a une, d'où vient le genre de sa lettre. Le seul
    endroit où ce choix se fait.

    La décision du ministère (`decision.ministere.decision_finale`, source « ministere ») :
    l'appel dit que le ministère « conserve cependant la responsabilité de la sélection
    définitive des projets et de la détermination des sommes qui leur seront accordées » ;
    l'appelant (`decision.courrier.preparer`) ne passe que celles-là, jamais la seule
    recommandation du comité. Une demande que l'examen d'admissibilité a jugée inadmissible
    reçoit le refus « inadmissible », quelle que soit la décision. Une demande sans décision
    du ministère (ni inadmissible) n'a pas d'issue : pas de lettre.

    Un refus du ministère d'une demande que le comité avait recommandée (retenue) n'est pas
    un refus « sous la ligne » : `Issue.refus_du_ministere` (la lettre le dit et donne la
    raison du ministère, sans parler de l'enveloppe).

    `demandes` : id de chaque demande de l'appel ; `decisions` : demande_id, decision,
    montant_an1, montant_an2, et, facultatifs, autorite (le nom de l'autorité qui a décidé),
    raison_du_ministere (vide quand le ministère a approuvé la recommandation telle quelle),
    recommandation_du_comite (la décision que le comité avait recommandée) ;
    `inadmissibles` : demande_id jugées inadmissibles."""
    ids = {int(d["id"]) for d in demandes}
    ecartees = {int(d) for d in inadmissibles} & ids
    issues: dict[int, Issue] = {d: Issue(REFUS_INADMISSIBLE) for d in ecartees}
    genres = {
        financement.RETENU: ACCEPTATION,
        financement.LISTE_ATTENTE: LISTE_ATTENTE,
        financement.REFUSE: REFUS_SOUS_LA_LIGNE,
    }
    for d in decisions:
        demande_id = int(d["demande_id"])
        signataire = str(d.get("autorite") or "")
        if demande_id in ecartees:
            issues[demande_id] = Issue(REFUS_INADMISSIBLE, signataire=signataire)
            continue
        if demande_id not in ids:
            continue
        decision = str(d.get("decision") or "")
        genre = genres.get(decision)
        if genre is None:
            continue
        montants = (
            tuple(int(d.get(f"montant_an{a}") or 0) for a in (1, 2)) if genre == ACCEPTATION else ()
        )
        issues[demande_id] = Issue(
            genre,
            montants,
            signataire,
            str(d.get("raison_du_ministere") or ""),
            decision == financement.REFUSE
            and d.get("recommandation_du_comite") == financement.RETENU,
        )
    return issues


# --- Les lettres de l'appel -----------------------------------------------------------------

APPRECIATION_GENERALE = "Appréciation générale"


def commentaires_consolides(
    notes: pd.DataFrame, evaluations: pd.DataFrame, appel: Appel
) -> dict[int, tuple[Commentaire, ...]]:
    """Les commentaires des évaluations soumises de chaque demande, regroupés par critère
    (dans l'ordre de l'appel, l'appréciation générale en dernier), sans le nom de qui les a
    écrits : triés par leur texte, un texte répété une fois seulement.

    `notes` : stockage.lire_notes_completes (demande_id, evaluateur, critere, commentaire) ;
    `evaluations` : celles que le classement retient (demande_id, evaluateur, statut,
    commentaire_global), hors conflits d'intérêts (`chargement.lire_lourdes`)."""
    soumises = evaluations[evaluations["statut"] == "soumise"]
    cles = set(zip(soumises["demande_id"].astype(int), soumises["evaluateur"], strict=True))
    libelles = {c.id: c.libelle for c in appel.criteres}
    ordre = {c.id: i for i, c in enumerate(appel.criteres)}
    par_demande: dict[int, dict[tuple[int, str], set[str]]] = {}

    def ajouter(demande_id: int, rang: int, critere: str, texte: object) -> None:
        propre = _texte(texte)
        if propre:
            groupe = par_demande.setdefault(demande_id, {}).setdefault((rang, critere), set())
            groupe.add(propre)

    for d, e, critere, texte in zip(
        notes["demande_id"].astype(int),
        notes["evaluateur"],
        notes["critere"],
        notes["commentaire"],
        strict=True,
    ):
        if (d, e) in cles and critere in libelles:
            ajouter(d, ordre[critere], libelles[critere], texte)
    if "commentaire_global" in soumises:
        for d, texte in zip(
            soumises["demande_id"].astype(int), soumises["commentaire_global"], strict=True
        ):
            ajouter(d, len(ordre), APPRECIATION_GENERALE, texte)
    return {
        d: tuple(
            Commentaire(critere, texte)
            for (_, critere), textes in sorted(groupes.items())
            for texte in sorted(textes)
        )
        for d, groupes in par_demande.items()
    }


def raisons_inadmissibilite(etat: filtrage.Etat, appel: Appel) -> tuple[str, ...]:
    """Les raisons de l'examen d'admissibilité, une par condition à « non » (« « condition » :
    condition non remplie, raison ») ; sinon la raison de l'examen (un renversement par la
    présidence, un signalement réglé)."""
    reponses = etat.reponses or {}

    def pour_le_demandeur(raison: str) -> str:
        # Le « non » prérempli d'après une colonne du fichier : pas de nom de colonne
        # interne dans une lettre.
        if raison.startswith(filtrage.RAISON_DU_FICHIER):
            return "d'après les renseignements fournis avec la demande"
        return raison

    raisons = tuple(
        f"« {c.libelle} » : condition non remplie"
        + (f", {pour_le_demandeur(r)}" if (r := reponses[c.id].raison.strip()) else "")
        for c in appel.conditions
        if c.id in reponses and reponses[c.id].reponse == filtrage.NON
    )
    if raisons:
        return raisons
    return (etat.raison,) if etat.raison else ("demande jugée inadmissible à l'examen",)


def _ou_vide(valeur: object) -> str:
    if valeur is None or valeur is pd.NA or (isinstance(valeur, float) and valeur != valeur):
        return ""
    return str(valeur)


def assembler(
    appel: Appel,
    table: pd.DataFrame,
    decisions: Iterable[Mapping],
    admissibilite: Mapping[int, filtrage.Etat],
    commentaires: Mapping[int, tuple[Commentaire, ...]],
) -> tuple[list[Lettre], list[SansLettre]]:
    """Les lettres de l'appel, dans l'ordre du classement (`table` :
    `decision.classement.classement`), et les demandes sans lettre (sans décision).
    L'issue de chaque demande : `issues_des_demandes`."""
    inadmissibles = [d for d, e in admissibilite.items() if e.verdict == filtrage.INADMISSIBLE]
    # Une décision ne fait une lettre que sur une demande dont l'admissibilité est établie
    # (comme pour le suivi des conventions) : remise « à vérifier » depuis, elle attend.
    etablies = [
        x
        for x in decisions
        if filtrage.etat_de(admissibilite, int(x["demande_id"])).verdict == filtrage.ADMISSIBLE
    ]
    issues = issues_des_demandes(
        [{"id": d} for d in table["demande_id"].astype(int)], etablies, inadmissibles
    )
    lettres, sans = [], []
    for r in table.to_dict("records"):
        d = int(r["demande_id"])
        issue = issues.get(d)
        if issue is None:
            sans.append(
                SansLettre(d, _ou_vide(r["no_demande"]), _ou_vide(r.get("titre")), r["statut"])
            )
            continue
        notes, total, raisons, avis = (), None, (), ()
        if issue.genre == REFUS_SOUS_LA_LIGNE:
            notes = tuple(
                NoteCritere(
                    c.libelle,
                    None if pd.isna(r.get(f"note:{c.id}")) else float(r[f"note:{c.id}"]),
                )
                for c in appel.criteres
            )
            total = None if pd.isna(r.get("total")) else float(r["total"])
            avis = commentaires.get(d, ())
        elif issue.genre == REFUS_INADMISSIBLE:
            raisons = raisons_inadmissibilite(filtrage.etat_de(admissibilite, d), appel)
        lettres.append(
            Lettre(
                demande_id=d,
                no_demande=_ou_vide(r["no_demande"]),
                titre=_ou_vide(r.get("titre")),
                municipalite=_ou_vide(r.get("municipalite")),
                demandeur=demandeurs.noms(appel, [r])[0],
                genre=issue.genre,
                contact=_ou_vide(r.get("courriel")),
                montants=issue.montants,
                raisons=raisons,
                notes=notes,
                total=total,
                commentaires=avis,
                signataire=issue.signataire,
                raison_du_ministere=issue.raison_du_ministere,
                refus_du_ministere=issue.refus_du_ministere,
            )
        )
    return lettres, sans


# --- Le contexte d'une lettre ----------------------------------------------------------------


def _texte(valeur: object) -> str:
    """Un texte venu des données, tel qu'il ira dans la lettre : sans caractère de contrôle
    (invalide en XML), ni espaces superflus, ni balise Jinja qui ressemblerait à un oubli du
    modèle (« {{ » devient « { { »)."""
    if valeur is None or (isinstance(valeur, float) and valeur != valeur):
        return ""
    texte = nettoyer(valeur)
    for balise, neutre in (("{{", "{ {"), ("}}", "} }"), ("{%", "{ %"), ("%}", "% }")):
        while balise in texte:
            texte = texte.replace(balise, neutre)
    return texte


def periodes(appel: Appel) -> list[str]:
    """Les années financières de l'appel telles que le projet les nomme (« 2024-2025 »)."""
    return [f"{d.year}-{f.year}" for d, f in appel.financement.annees_financieres()]


def contexte(lettre: Lettre, appel: Appel, jour: dt.date) -> dict:
    """Les valeurs que le modèle emploie (`VARIABLES`), toutes présentes quel que soit le
    genre (une liste vide quand elle ne s'applique pas) : un modèle de refus qui nomme
    « montants » se rend quand même."""
    annees = periodes(appel)
    montants = [
        {"annee": annees[a] if a < len(annees) else f"année {a + 1}", "montant": montant(m)}
        for a, m in enumerate(lettre.montants)
        if m
    ]
    echelle = reglage(appel.echelle_max)
    criteres = [
        {
            "libelle": _texte(n.libelle),
            "note": note(n.note),
            "sur": echelle,
        }
        for n in lettre.notes
    ]
    return {
        "date": date_lisible(jour),
        "organisme": _texte(appel.organisme),
        "programme": _texte(appel.nom),
        "appel": _texte(appel.nom_court),
        "no_demande": _texte(lettre.no_demande),
        "titre": _texte(lettre.titre),
        "municipalite": _texte(lettre.municipalite),
        "demandeur": _texte(lettre.demandeur or lettre.municipalite),
        "contact": _texte(lettre.contact),
        "genre": LIBELLES_GENRES[lettre.genre],
        "montants": montants,
        "montant_total": montant(sum(lettre.montants)),
        "criteres": criteres,
        "total": note(lettre.total),
        "total_sur": "100",
        "seuil": reglage(appel.seuil_global),
        "commentaires": [
            {"critere": _texte(c.critere), "texte": _texte(c.texte)} for c in lettre.commentaires
        ],
        "raisons": [_texte(r) for r in lettre.raisons],
        "signataire": _texte(lettre.signataire),
        "raison_du_ministere": _texte(lettre.raison_du_ministere),
        "refus_du_ministere": lettre.refus_du_ministere,
    }


def lettre_exemple(appel: Appel, genre: str) -> Lettre:
    """Une lettre fictive, chaque liste remplie : de quoi rendre un modèle téléversé pour le
    vérifier (et le montrer) avant de le garder."""
    annees = len(appel.financement.annees_financieres())
    return Lettre(
        demande_id=0,
        no_demande="EX-001",
        titre="Projet d'exemple",
        municipalite="Municipalité d'exemple",
        demandeur="Organisme d'exemple" if appel.demandeur_organisme else "",
        genre=genre,
        contact="international@exemple.qc.ca",
        montants=tuple([appel.financement.plafond_annuel] * max(annees, 1)),
        raisons=("Condition d'exemple : raison donnée par l'analyste",),
        notes=tuple(NoteCritere(c.libelle, appel.echelle_max / 2) for c in appel.criteres),
        total=50.0,
        commentaires=(Commentaire(appel.criteres[0].libelle, "Commentaire d'exemple."),)
        if appel.criteres
        else (),
        signataire="Nom de l'autorité qui décide",
        raison_du_ministere="Raison d'exemple donnée par le ministère.",
        refus_du_ministere=genre == REFUS_SOUS_LA_LIGNE,
    )


# --- Le rendu -------------------------------------------------------------------------------


class _Environnement(SandboxedEnvironment):
    """Jinja en bac à sable : aucun attribut interne, aucune fonction globale, une courte
    liste de filtres, aucune opération sur un texte ou une liste (ni « + », ni « * », ni
    « % » : rien qui répète ou formate un texte), aucune affectation, des boucles seulement
    sur les listes de la lettre, deux niveaux au plus ; chaque rendu compte ses passages
    de boucle et son temps (`_Budget`)."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self.globals.clear()
        # Chaque filtre compte au budget du rendu et ne rend jamais un texte démesuré : des
        # « join » imbriqués doubleraient la lettre à chaque niveau.
        self.filters = {k: self._borner(v) for k, v in self.filters.items() if k in FILTRES_PERMIS}
        self._compiles: dict[str, object] = {}
        self.budget: _Budget | None = None

    def from_string(self, source, globals=None, template_class=None):
        # Le même modèle, rendu pour cent demandes, n'est compilé qu'une fois.
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiles:
            self._compiles[source] = super().from_string(source)
        return self._compiles[source]

    def _compter(self) -> None:
        if self.budget is not None:
            self.budget.compter()

    def _borner(self, filtre):
        @functools.wraps(filtre)
        def borne(*args, **kwargs):
            self._compter()
            resultat = filtre(*args, **kwargs)
            if isinstance(resultat, str) and len(resultat) > _TEXTE_FILTRE_MAX:
                raise SecurityError(
                    f"un filtre rend un texte de plus de {nombre(_TEXTE_FILTRE_MAX)} caractères"
                )
            return resultat

        return borne

    def call_binop(self, context, operator, left, right):
        self._compter()
        if operator == "**" or not all(_est_nombre(x) for x in (left, right)):
            raise SecurityError(
                f"l'opération « {operator} » n'est permise qu'entre deux nombres, jamais sur "
                "un texte ou une liste"
                if operator != "**"
                else "la puissance « ** » n'est pas permise"
            )
        resultat = super().call_binop(context, operator, left, right)
        if isinstance(resultat, int) and resultat.bit_length() > _BITS_MAX:
            raise SecurityError(f"l'opération « {operator} » donne un nombre démesuré")
        return resultat

    def getattr(self, obj, attribute):
        self._compter()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        self._compter()
        return super().getitem(obj, argument)

    def call(self, __context, __obj, *args, **kwargs):
        self._compter()
        return super().call(__context, __obj, *args, **kwargs)

    def _parse(self, source, name, filename):
        arbre = super()._parse(source, name, filename)
        _verifier_arbre(arbre)
        return arbre


_BITS_MAX = 256  # un montant, une note : loin en deçà
# Ce qu'un filtre peut rendre : tous les commentaires d'une demande joints tiennent en bien
# moins (une lettre entière en compte quelques milliers).
_TEXTE_FILTRE_MAX = 200_000


def _est_nombre(valeur: object) -> bool:
    return isinstance(valeur, int | float) and not isinstance(valeur, bool)


class _Budget:
    """Ce qu'un rendu peut dépenser : des passages de boucle (et d'accès aux valeurs) et du
    temps. Au-delà, SecurityError : le modèle ne tourne pas sans fin."""

    def __init__(self, limites: Limites) -> None:
        self.restants = limites.rendu_passages_max
        self.echeance = time.monotonic() + limites.rendu_delai
        self.limites = limites

    def compter(self) -> None:
        self.restants -= 1
        if self.restants < 0:
            raise SecurityError(
                f"le rendu dépasse {nombre(self.limites.rendu_passages_max)} passages de "
                "boucle et accès aux valeurs"
            )
        if self.restants % 256 == 0 and time.monotonic() > self.echeance:
            raise SecurityError(f"le rendu dépasse {nombre(self.limites.rendu_delai)} secondes")


class _Liste(list):
    """Une liste de la lettre, qui compte chaque passage d'une boucle sur elle."""

    def __init__(self, elements, budget: _Budget) -> None:
        super().__init__(elements)
        self._budget = budget

    def __iter__(self):
        for element in super().__iter__():
            self._budget.compter()
            yield element


_AFFECTATIONS = {
    nodes.Assign: "{% set %}",
    nodes.AssignBlock: "{% set %}",
    nodes.With: "{% with %}",
    nodes.FilterBlock: "{% filter %}",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}",
    nodes.Extends: "{% extends %}",
    nodes.Block: "{% block %}",
}


def _verifier_arbre(arbre: nodes.Node) -> None:
    """Ce qu'un modèle peut écrire : des valeurs, des conditions, des boucles sur les listes
    de la lettre (`LISTES`) sur deux niveaux, dont la variable ne porte le nom d'aucune
    valeur de la lettre. Ni affectation, ni macro, ni appel de fonction."""

    def parcourir(noeud: nodes.Node, profondeur: int) -> None:
        for enfant in noeud.iter_child_nodes():
            for type_, quoi in _AFFECTATIONS.items():
                if isinstance(enfant, type_):
                    raise SecurityError(
                        f"la balise « {quoi} » n'est pas permise : un modèle de lettre "
                        "n'affecte ni ne définit rien"
                    )
            if isinstance(enfant, nodes.Call):
                raise SecurityError("les appels de fonction ne sont pas permis")
            if isinstance(enfant, nodes.For):
                cible = enfant.iter
                permise = isinstance(cible, nodes.Name) and cible.name in LISTES
                if not permise or enfant.recursive:
                    raise SecurityError("une boucle « for » ne parcourt que " + ", ".join(LISTES))
                noms = [n.name for n in enfant.target.find_all(nodes.Name)]
                if isinstance(enfant.target, nodes.Name):
                    noms.append(enfant.target.name)
                for nom_ in noms:
                    if nom_ in VARIABLES or nom_ == "loop":
                        raise SecurityError(
                            f"la variable de boucle « {nom_} » porte le nom d'une valeur de "
                            "la lettre ; choisissez-en un autre, « {% for m in montants %} »"
                        )
                if profondeur + 1 > PROFONDEUR_BOUCLES_MAX:
                    raise SecurityError(
                        f"plus de {PROFONDEUR_BOUCLES_MAX} boucles « for » imbriquées"
                    )
                parcourir(enfant, profondeur + 1)
            else:
                parcourir(enfant, profondeur)

    parcourir(arbre, 0)


_INCONNUE = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def _message_inconnue(nom_modele: str, exc: UndefinedError) -> str:
    m = _INCONNUE.search(str(exc))
    balise = (m.group(1) or m.group(2)) if m else str(exc)
    return (
        f"Le modèle « {nom_modele} » emploie la balise « {balise} », que la lettre ne connaît "
        f"pas. Balises permises : {', '.join(VARIABLES)}. Corrigez-la dans Word (ou retirez-"
        "la) et téléversez le modèle de nouveau."
    )


_ATTRIBUT_INTERNE = re.compile(r"access to attribute '([^']+)' of '[^']+' object is unsafe")
_FILTRE = re.compile(r"No filter named '([^']+)'")


def _en_francais(message: str) -> str:
    """Les refus du bac à sable de Jinja, en français."""
    if m := _ATTRIBUT_INTERNE.search(message):
        return f"l'attribut interne « {m.group(1)} » n'est pas permis"
    return message.rstrip(".")


def _message_syntaxe(nom_modele: str, exc: TemplateSyntaxError) -> str:
    if m := _FILTRE.search(exc.message or ""):
        return (
            f"Le modèle « {nom_modele} » emploie le filtre « {m.group(1)} », qui n'est pas "
            f"permis (filtres permis : {', '.join(sorted(FILTRES_PERMIS))}). Retirez-le dans "
            "Word et téléversez le modèle de nouveau."
        )
    contexte_ = getattr(exc, "docx_context", None)
    pres = " ".join(" ".join(contexte_ or []).split())[:160]
    return (
        f"Le modèle « {nom_modele} » a une balise mal formée"
        + (f", près de « {pres} »" if pres else "")
        + ". Chaque balise s'écrit « {{ nom }} », chaque bloc « {% for x in liste %} … "
        "{% endfor %} ». Corrigez-la dans Word et téléversez le modèle de nouveau."
    )


def rendre(
    modele: bytes,
    donnees: Mapping,
    nom_modele: str,
    environnement: _Environnement | None = None,
    *,
    limites: Limites = LIMITES,
) -> bytes:
    """La lettre en DOCX : `modele` (DOCX à balises) rendu avec `donnees` (`contexte`).

    Refusée (ErreurLettre, message en français qui nomme le modèle et la balise) : une
    balise inconnue, une syntaxe Jinja fautive, ce que le bac à sable interdit, ou une
    balise restée dans la lettre (« {{ » ou « {% » coupés par Word, par exemple), une
    mention entre crochets restée du modèle (« [Nom du signataire] »), un rendu qui dépasse
    les bornes de `limites` (passages de boucle, temps, taille de la lettre).
    `environnement` : celui d'une génération entière, qui garde les modèles compilés."""
    from docxtpl import DocxTemplate

    environnement = environnement or _Environnement()
    budget = _Budget(limites)
    valeurs = {k: _Liste(v, budget) if isinstance(v, list) else v for k, v in donnees.items()}
    try:
        environnement.budget = budget
        gabarit = DocxTemplate(io.BytesIO(modele))
        gabarit.render(valeurs, jinja_env=environnement, autoescape=True)
        sortie = io.BytesIO()
        gabarit.save(sortie)
    except UndefinedError as exc:
        raise ErreurLettre(_message_inconnue(nom_modele, exc)) from None
    except TemplateSyntaxError as exc:
        raise ErreurLettre(_message_syntaxe(nom_modele, exc)) from None
    except SecurityError as exc:
        raise ErreurLettre(
            f"Le modèle « {nom_modele} » demande ce qu'un modèle de lettre ne peut pas faire "
            f"({_en_francais(str(exc))}). Gardez des balises simples : « {{{{ nom }}}} », et "
            f"« {{% for x in liste %}} » sur {', '.join(LISTES)}."
        ) from None
    except TemplateError as exc:
        raise ErreurLettre(f"Le modèle « {nom_modele} » ne se rend pas : {exc}.") from None
    except (zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError):
        raise ErreurLettre(
            f"Le modèle « {nom_modele} » n'est pas un document Word lisible (archive ou XML "
            "endommagé). Réenregistrez-le depuis Word et téléversez-le de nouveau."
        ) from None
    except (TypeError, ArithmeticError, RecursionError) as exc:
        raise ErreurLettre(
            f"Le modèle « {nom_modele} » ne se rend pas : une balise calcule sur des valeurs "
            f"qui ne s'y prêtent pas ({type(exc).__name__}). Gardez des balises simples : "
            "« {{ nom }} »."
        ) from None
    except MemoryError:
        raise ErreurLettre(
            f"Le modèle « {nom_modele} » produit une lettre démesurée : il n'a pas été rendu."
        ) from None
    finally:
        environnement.budget = None
    contenu = sortie.getvalue()
    with zipfile.ZipFile(io.BytesIO(contenu)) as zip_:
        taille = sum(i.file_size for i in zip_.infolist())
    if taille > limites.rendu_taille_max:
        raise ErreurLettre(
            f"La lettre tirée du modèle « {nom_modele} » pèserait {nombre(taille / 2**20, 1)} "
            f"Mo une fois décompressée, au-delà des {nombre(limites.rendu_taille_max / 2**20)} "
            "Mo permis : le modèle répète trop de texte. Simplifiez-le et téléversez-le de "
            "nouveau."
        )
    restes = balises_restantes(contenu)
    if restes:
        raise ErreurLettre(
            f"La lettre tirée du modèle « {nom_modele} » garde une balise non remplacée : "
            f"« {restes[0]} ». Dans Word, retapez la balise d'un seul trait (sans mise en "
            "forme au milieu) et téléversez le modèle de nouveau."
        )
    mentions = mentions_entre_crochets(contenu, donnees)
    if mentions:
        raise ErreurLettre(
            f"La lettre tirée du modèle « {nom_modele} » garde une mention à remplir : "
            f"« {mentions[0]} ». Remplacez-la dans Word par le texte voulu ou par une balise "
            f"(« {{{{ signataire }}}} » pour le nom de l'autorité qui a décidé ; balises "
            f"permises : {', '.join(VARIABLES)}) et téléversez le modèle de nouveau."
        )
    return contenu


def paragraphes(docx: bytes) -> list[str]:
    """Le texte d'un DOCX, paragraphe par paragraphe : en-têtes, corps (tableaux compris),
    pieds de page."""
    from docx import Document

    document = Document(io.BytesIO(docx))
    textes: list[str] = []

    def depuis(conteneur) -> None:
        for bloc in conteneur.iter_inner_content():  # dans l'ordre du document
            if hasattr(bloc, "rows"):
                for rangee in bloc.rows:
                    for cellule in rangee.cells:
                        depuis(cellule)
            else:
                textes.append(bloc.text)

    for section in document.sections:
        depuis(section.header)
    depuis(document)
    for section in document.sections:
        depuis(section.footer)
    return textes


_BALISE = re.compile(r"\{\{|\{%|%\}|\}\}|\{#|#\}")


# Le texte d'un passage (<w:t>), ou la fin d'un paragraphe, dans l'ordre du XML.
_MORCEAU_XML = re.compile(rb"<w:t(?: [^>]*)?>([^<]*)</w:t>|(</w:p>)")
_PARTIE_TEXTE = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")


def _paragraphes_xml(docx: bytes) -> list[str]:
    """Le texte de chaque paragraphe du corps, des en-têtes, des pieds et des notes d'un
    DOCX, lu dans le XML (plus rapide que de rouvrir le document)."""
    textes = []
    with zipfile.ZipFile(io.BytesIO(docx)) as zip_:
        for nom in zip_.namelist():
            if not _PARTIE_TEXTE.fullmatch(nom):
                continue
            paragraphes_, courant = [], []
            for texte, fin in _MORCEAU_XML.findall(zip_.read(nom)):
                if fin:
                    paragraphes_.append(b"".join(courant))
                    courant = []
                else:
                    courant.append(texte)
            paragraphes_.append(b"".join(courant))
            textes += [html.unescape(brut.decode("utf-8")) for brut in paragraphes_]
    return textes


def balises_restantes(docx: bytes) -> list[str]:
    """Les balises Jinja qui restent dans le texte d'un DOCX rendu (vide : aucune), un
    extrait par paragraphe qui en garde, autour de la première."""
    restes = []
    for p in _paragraphes_xml(docx):
        if m := _BALISE.search(p):
            debut = max(m.start() - 20, 0)
            restes.append(p[debut : m.end() + 20].strip())
    return restes


# « [Nom et fonction de la personne signataire] » : une mention à remplir laissée dans un
# modèle. Les élisions d'une citation (« […] », « [...] ») n'en sont pas.
_CROCHETS = re.compile(r"\[([^\[\]]*)\]")
_ELISION = re.compile(r"\s*(…|\.\.\.)?\s*")


def mentions_entre_crochets(docx: bytes, donnees: Mapping | None = None) -> list[str]:
    """Les mentions entre crochets (« [Nom du signataire] ») que le texte d'un DOCX rendu
    garde, sauf les élisions (« […] ») et celles qui viennent des données de la lettre
    (`donnees`, le contexte : un commentaire d'évaluateur peut en contenir)."""
    venues = _textes_des(donnees or {})
    restes = []
    for p in _paragraphes_xml(docx):
        for m in _CROCHETS.finditer(p):
            mention = m.group(0)
            if _ELISION.fullmatch(m.group(1)) or any(mention in t for t in venues):
                continue
            restes.append(mention)
    return restes


def _textes_des(valeur: object) -> list[str]:
    if isinstance(valeur, str):
        return [valeur]
    if isinstance(valeur, Mapping):
        return [t for v in valeur.values() for t in _textes_des(v)]
    if isinstance(valeur, list | tuple):
        return [t for v in valeur for t in _textes_des(v)]
    return []


def empreinte(contenu: bytes) -> str:
    """La version d'un modèle : les 12 premiers chiffres de son SHA-256."""
    return hashlib.sha256(contenu).hexdigest()[:12]


def modele_par_defaut(genre: str) -> bytes:
    """Le modèle livré (donnees/modeles-lettres/<genre>.docx)."""
    if genre not in GENRES:
        raise ErreurLettre(f"Genre de lettre « {genre} » inconnu ({', '.join(GENRES)}).")
    return (DOSSIER_MODELES / f"{genre}.docx").read_bytes()


# --- Les fichiers ---------------------------------------------------------------------------


def nom_de_fichier(no_demande: str, genre: str, extension: str = "docx") -> str:
    """« lettre-T-001-acceptation.docx » : le numéro de la demande, réduit aux lettres,
    chiffres, points, tirets et soulignés (un « / » ou un « .. » n'ouvre aucun dossier)."""
    propre = re.sub(r"[^A-Za-z0-9_-]+", "_", nettoyer(no_demande)).strip("_")[:80] or "demande"
    return f"lettre-{propre}-{genre}.{extension}"


def noms_uniques(lettres: Sequence[Lettre], extension: str = "docx") -> list[str]:
    """Un nom de fichier par lettre, sans doublon (deux numéros qui se réduisent au même
    nom prennent « -2 », « -3 »)."""
    vus: dict[str, int] = {}
    noms = []
    for lettre in lettres:
        nom = nom_de_fichier(lettre.no_demande, lettre.genre, extension)
        vus[nom] = vus.get(nom, 0) + 1
        if vus[nom] > 1:
            racine, _, ext = nom.rpartition(".")
            nom = f"{racine}-{vus[nom]}.{ext}"
        noms.append(nom)
    return noms


def archive(fichiers: Mapping[str, bytes]) -> bytes:
    """Les fichiers dans un ZIP, dans l'ordre donné."""
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as zip_:
        for nom, contenu in fichiers.items():
            zip_.writestr(nom, contenu)
    return sortie.getvalue()


# --- PDF ------------------------------------------------------------------------------------


def libreoffice() -> str | None:
    """Le chemin de LibreOffice (soffice), ou None s'il n'est pas installé ici."""
    return shutil.which("soffice") or shutil.which("libreoffice")


MESSAGE_SANS_LIBREOFFICE = (
    "LibreOffice n'est pas installé sur ce serveur : les lettres ne se convertissent pas en "
    "PDF ici. Téléchargez-les en DOCX (Word les enregistre en PDF), ou demandez à "
    "l'administration du serveur d'installer LibreOffice Writer (paquet Debian "
    "« libreoffice-writer »)."
)


# Le profil de LibreOffice pour la conversion : « Bloquer tout lien depuis des documents qui
# ne sont pas dans les emplacements de confiance » (Outils > Options > Sécurité > Options ;
# BlockUntrustedRefererLinks) : une image liée, un modèle attaché ne sont pas téléchargés
# pendant la conversion (défense en plus du refus des liens externes au téléversement).
_PROFIL_SANS_LIENS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop
 oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


def en_pdf(docx: Mapping[str, bytes], *, limites: Limites = LIMITES) -> dict[str, bytes]:
    """Chaque DOCX converti en PDF par LibreOffice (`soffice --headless --convert-to pdf`),
    en un seul lancement, dans un dossier temporaire et un profil à lui (deux conversions
    en même temps ne se gênent pas), qui bloque les liens vers l'extérieur (aucune image
    liée n'est téléchargée). Rend {nom.pdf: contenu}, dans l'ordre de `docx`.

    ConversionImpossible : LibreOffice absent, plus lent que le délai permis (le processus
    et ses enfants sont alors arrêtés), ou une lettre non convertie."""
    programme = libreoffice()
    if programme is None:
        raise ConversionImpossible(MESSAGE_SANS_LIBREOFFICE)
    if not docx:
        return {}
    delai = limites.pdf_delai + limites.pdf_delai_par_lettre * len(docx)
    with tempfile.TemporaryDirectory(prefix="lettres-") as dossier:
        racine = Path(dossier)
        entree, sortie, profil = racine / "docx", racine / "pdf", racine / "profil"
        entree.mkdir()
        sortie.mkdir()
        for nom, contenu in docx.items():
            (entree / nom).write_bytes(contenu)
        (profil / "user").mkdir(parents=True)
        (profil / "user" / "registrymodifications.xcu").write_text(_PROFIL_SANS_LIENS, "utf-8")
        commande = [
            programme,
            f"-env:UserInstallation={profil.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(sortie),
            *(str(entree / nom) for nom in docx),
        ]
        processus = subprocess.Popen(
            commande,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # un groupe à lui : arrêté en entier au délai
            env={**os.environ, "HOME": str(racine)},
        )
        try:
            _, erreurs = processus.communicate(timeout=delai)
        except subprocess.TimeoutExpired:
            os.killpg(processus.pid, signal.SIGKILL)
            processus.communicate()
            raise ConversionImpossible(
                f"LibreOffice n'a pas converti les {len(docx)} lettres en "
                f"{nombre(delai)} secondes : la conversion a été arrêtée. Réessayez quand le "
                "serveur est moins occupé, ou téléchargez les lettres en DOCX."
            ) from None
        pdf = {}
        manquantes = []
        for nom in docx:
            cible = sortie / (Path(nom).stem + ".pdf")
            if cible.is_file() and cible.stat().st_size:
                pdf[cible.name] = cible.read_bytes()
            else:
                manquantes.append(nom)
        if manquantes:
            fin = erreurs.decode("utf-8", "replace").strip()[-300:]
            raise ConversionImpossible(
                f"LibreOffice n'a pas converti {pluriel(len(manquantes), 'lettre')} "
                f"({', '.join(manquantes[:5])}{' …' if len(manquantes) > 5 else ''})"
                + (f" : {fin}" if fin else "")
                + ". Téléchargez les lettres en DOCX."
            )
        return pdf


def premiere_page_png(pdf: bytes, *, resolution: int = 80, delai: float = 30.0) -> bytes | None:
    """La première page d'un PDF en image PNG (pdftoppm, de poppler), pour l'aperçu d'une
    lettre ; None quand pdftoppm n'est pas installé ou n'a pas rendu l'image à temps."""
    programme = shutil.which("pdftoppm")
    if programme is None:
        return None
    with tempfile.TemporaryDirectory(prefix="apercu-") as dossier:
        source = Path(dossier) / "lettre.pdf"
        source.write_bytes(pdf)
        try:
            subprocess.run(
                [
                    programme,
                    "-png",
                    "-r",
                    str(resolution),
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(source),
                    str(Path(dossier) / "page"),
                ],
                capture_output=True,
                timeout=delai,
                check=True,
            )
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError):
            return None
        image = Path(dossier) / "page.png"
        return image.read_bytes() if image.is_file() else None


# --- Un modèle téléversé ---------------------------------------------------------------------


def _refus(nom: str, code: str, message: str) -> FichierRefuse:
    return FichierRefuse(nom, code, f"{nom} : {message}")


_TYPE_DOCX = b"wordprocessingml.document.main+xml"
# Le seul lien vers l'extérieur permis : l'hyperlien (Word ne le suit qu'au clic ;
# LibreOffice ne va pas le chercher à la conversion). Transitionnel et strict (ISO 29500).
_HYPERLIENS = frozenset(
    {
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        "http://purl.oclc.org/ooxml/officeDocument/relationships/hyperlink",
    }
)
# Un analyseur qui ne résout aucune entité, ne charge aucune DTD et ne va pas sur le réseau.
_ANALYSEUR = etree.XMLParser(
    resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
)


def _verifier_partie_xml(nom: str, partie: str, texte: bytes) -> None:
    """Une partie XML du document, lue par un analyseur sûr (quel que soit son encodage :
    UTF-8, UTF-16) : ni DTD ni entité déclarée ; dans une partie de relations (*.rels),
    aucune relation vers l'extérieur (TargetMode « External ») qui ne soit un hyperlien."""
    try:
        racine = etree.fromstring(texte, _ANALYSEUR)
    except etree.XMLSyntaxError:
        raise _refus(
            nom,
            "fichier_illisible",
            f"une partie du document ({partie}) n'est pas du XML lisible. Réenregistrez-le "
            "depuis Word et téléversez-le de nouveau.",
        ) from None
    arbre = racine.getroottree()
    if arbre.docinfo.doctype or arbre.docinfo.internalDTD is not None:
        raise _refus(
            nom,
            "archive_suspecte",
            f"une partie du document ({partie}) déclare des entités XML (DOCTYPE), ce "
            "qu'aucun document Word n'a. Il n'a pas été lu. Réenregistrez-le depuis Word.",
        )
    if not partie.endswith(".rels"):
        return
    for relation in racine.iter("{*}Relationship"):
        mode = (relation.get("TargetMode") or "").strip().casefold()
        if mode != "internal" and mode and relation.get("Type") not in _HYPERLIENS:
            raise _refus(
                nom,
                "lien_externe",
                f"le document va chercher un fichier à l'extérieur ({partie} : "
                f"« {(relation.get('Target') or '')[:80]} ») : image liée, modèle attaché ou "
                "document lié. Dans Word, insérez l'image dans le document (pas « lier au "
                "fichier ») et retirez le lien, puis téléversez-le de nouveau.",
            )


_ESPACE_RELATIONS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)


def _verifier_usage_des_hyperliens(nom: str, parties: Mapping[str, bytes]) -> None:
    """Un lien externe de type « hyperlien » n'est permis que s'il sert d'hyperlien : chaque
    référence à lui (attribut r:… d'une partie) est le r:id d'un élément w:hyperlink. Une
    image (a:blip r:link), un champ ou un objet qui pointerait sur une telle relation irait
    chercher son adresse à l'ouverture de la lettre."""
    for partie_rels, texte in parties.items():
        if not partie_rels.endswith(".rels") or "/_rels/" not in f"/{partie_rels}":
            continue
        externes = {
            r.get("Id")
            for r in etree.fromstring(texte, _ANALYSEUR).iter("{*}Relationship")
            if (r.get("TargetMode") or "").strip().casefold() == "external"
        }
        if not externes:
            continue
        dossier, _, fichier = partie_rels.rpartition("_rels/")
        source = parties.get(dossier + fichier.removesuffix(".rels"))
        if source is None:
            continue
        for element in etree.fromstring(source, _ANALYSEUR).iter():
            if not isinstance(element.tag, str):
                continue
            for attribut, valeur in element.attrib.items():
                espace = attribut[1:].split("}", 1)[0] if attribut.startswith("{") else ""
                if espace not in _ESPACE_RELATIONS or valeur not in externes:
                    continue
                hyperlien = etree.QName(element).localname == "hyperlink" and (
                    etree.QName(attribut).localname == "id"
                )
                if not hyperlien:
                    raise _refus(
                        nom,
                        "lien_externe",
                        f"un élément « {etree.QName(element).localname} » du document "
                        "emploie un lien vers l'extérieur comme image ou objet lié : il "
                        "serait chargé à l'ouverture de la lettre. Dans Word, insérez "
                        "l'image dans le document (pas « lier au fichier »), puis "
                        "téléversez-le de nouveau.",
                    )


def verifier_modele(
    nom: str,
    contenu: bytes,
    appel: Appel,
    genre: str,
    *,
    jour: dt.date | None = None,
    limites: Limites = LIMITES,
) -> bytes:
    """Un modèle téléversé, vérifié avant d'être gardé ; rend la lettre d'exemple qu'il
    produit (`lettre_exemple`). Comme un classeur téléversé (`depot.classeurs`) : le
    contenu décide du format, pas l'extension ; les tailles déclarées puis réelles de
    l'archive sont mesurées avant toute lecture.

    FichierRefuse (message en français) : vide, trop gros, pas un DOCX (PDF, .doc,
    document protégé par mot de passe, autre archive), bombe de décompression, document à
    macros (.docm renommé), lien vers un fichier extérieur ; ErreurLettre : le modèle ne
    se rend pas avec une lettre d'exemple (balise inconnue ou mal formée)."""
    taille = len(contenu)
    if not contenu.strip():
        raise _refus(nom, "fichier_vide", "le fichier est vide.")
    if taille > limites.taille_max:
        raise _refus(
            nom,
            "fichier_trop_gros",
            f"{nombre(taille / 2**20, 1)} Mo, au-delà des {nombre(limites.taille_max / 2**20)} "
            "Mo permis pour un modèle de lettre. Réduisez les images (Word : Fichier > "
            "Compresser les images) et téléversez-le de nouveau.",
        )
    if contenu.startswith(SIGNATURE_OLE):
        raise _refus(
            nom,
            "format_non_reconnu",
            "document Word 97-2003 (.doc) ou protégé par un mot de passe. Dans Word, retirez "
            "la protection puis Fichier > Enregistrer sous > Document Word (.docx).",
        )
    if not contenu.startswith(SIGNATURE_ZIP):
        raise _refus(
            nom,
            "format_non_reconnu",
            "ce n'est pas un document Word (.docx). Ouvrez le modèle dans Word, puis "
            "Fichier > Enregistrer sous > Document Word (.docx).",
        )
    bombe = _refus(
        nom,
        "archive_suspecte",
        f"le document se décompresserait en un volume anormal (plus de "
        f"{nombre(limites.decompresse_max / 2**20)} Mo ou taux de compression de plus de "
        f"{nombre(limites.ratio_max)} pour 1). Il n'a pas été lu. Réenregistrez-le depuis Word.",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as zip_:
            infos = zip_.infolist()
            if len(infos) > limites.membres_max:
                raise _refus(
                    nom,
                    "archive_suspecte",
                    f"l'archive compte plus de {limites.membres_max} parties, ce qu'aucun "
                    "modèle de lettre n'a. Réenregistrez-le depuis Word.",
                )
            noms = [i.filename for i in infos]
            if len(set(noms)) != len(noms):
                raise _refus(nom, "archive_suspecte", "archive ambiguë (deux parties de même nom).")
            if sum(i.file_size for i in infos) > limites.decompresse_max:
                raise bombe
            for info in infos:
                if info.file_size > 1_000_000 and info.file_size > limites.ratio_max * max(
                    info.compress_size, 1
                ):
                    raise bombe
            # Les tailles déclarées peuvent mentir : les parties sont décompressées par
            # morceaux, jamais au-delà de la limite.
            lues = 0
            parties: dict[str, bytes] = {}
            for info in infos:
                morceaux = []
                with zip_.open(info) as membre:
                    while morceau := membre.read(1 << 20):
                        lues += len(morceau)
                        if lues > limites.decompresse_max:
                            raise bombe
                        morceaux.append(morceau)
                if info.filename.endswith((".rels", ".xml")):
                    parties[info.filename] = b"".join(morceaux)
    except FichierRefuse:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError):
        raise _refus(
            nom,
            "fichier_illisible",
            "document endommagé ou incomplet (l'archive ne se lit pas). Réenregistrez-le "
            "depuis Word et téléversez-le de nouveau.",
        ) from None
    except NotImplementedError:
        raise _refus(
            nom, "fichier_illisible", "archive compressée d'une façon non prise en charge."
        ) from None
    types = parties.get("[Content_Types].xml", b"")
    minuscules = {n.casefold() for n in noms}
    if (
        b"macroEnabled" in types
        or any(n.endswith("vbaproject.bin") for n in minuscules)
        or any(n.startswith("word/activex/") for n in minuscules)
    ):
        raise _refus(
            nom,
            "macros",
            "document qui contient des macros (un .docm, peut-être renommé). Un modèle de "
            "lettre n'en a pas besoin : dans Word, Fichier > Enregistrer sous > Document "
            "Word (.docx), sans macros.",
        )
    if "word/document.xml" not in minuscules or _TYPE_DOCX not in types:
        quoi = (
            "un modèle Word (.dotx)"
            if b"wordprocessingml.template.main+xml" in types
            else "une archive qui n'est pas un document Word"
        )
        raise _refus(
            nom,
            "format_non_reconnu",
            f"{quoi}. Ouvrez-le dans Word, puis Fichier > Enregistrer sous > Document Word "
            "(.docx).",
        )
    for partie, texte in parties.items():
        _verifier_partie_xml(nom, partie, texte)
    _verifier_usage_des_hyperliens(nom, parties)
    exemple = lettre_exemple(appel, genre)
    return rendre(contenu, contexte(exemple, appel, jour or dt.date.today()), nom)


@dataclass
class Generation:
    """Des lettres rendues : {nom de fichier: DOCX}, le compte par genre, la version de
    chaque modèle employé."""

    fichiers: dict[str, bytes] = field(default_factory=dict)
    par_genre: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)


def generer(
    lettres: Sequence[Lettre],
    modeles: Mapping[str, bytes],
    appel: Appel,
    jour: dt.date,
    noms_modeles: Mapping[str, str] | None = None,
) -> Generation:
    """Une lettre DOCX par demande, chacune tirée du modèle de son genre (`modeles`) ;
    ErreurLettre à la première qui ne se rend pas (rien n'est rendu à moitié : l'appelant
    n'a rien)."""
    noms_modeles = noms_modeles or {}
    resultat = Generation()
    environnement = _Environnement()
    for lettre, nom in zip(lettres, noms_uniques(lettres), strict=True):
        modele = modeles[lettre.genre]
        resultat.fichiers[nom] = rendre(
            modele,
            contexte(lettre, appel, jour),
            noms_modeles.get(lettre.genre, f"{lettre.genre}.docx"),
            environnement,
        )
        resultat.par_genre[lettre.genre] = resultat.par_genre.get(lettre.genre, 0) + 1
        resultat.versions.setdefault(lettre.genre, empreinte(modele))
    return resultat


def resume_par_genre(par_genre: Mapping[str, int]) -> str:
    """« 2 acceptations, 1 mise en liste d'attente » (genres dans l'ordre de GENRES)."""
    morceaux = []
    for g in GENRES:
        n = par_genre.get(g, 0)
        if n:
            singulier, pluriel_ = PLURIELS_GENRES[g]
            morceaux.append(pluriel(n, singulier, pluriel_))
    return ", ".join(morceaux) or "aucune lettre"
