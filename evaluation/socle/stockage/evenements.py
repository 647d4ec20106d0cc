"""Journaux structurés du serveur : une ligne JSON par action, sur la sortie d'erreur (que
systemd range dans journald, et Docker dans les journaux du conteneur).

Chaque écriture au journal en base (`inscrire_journal`), chaque importation de demandes et
chaque tentative de connexion donnent un événement : qui (l'identifiant du compte, jamais
son courriel ni son nom), quoi (les objets du journal : « note:pertinence »,
« compte:role »…), où (appel, demande par son identifiant interne) et le niveau. Ni les
valeurs écrites (un nom, un commentaire, un montant), ni le courriel saisi à la connexion,
ni les noms des fichiers importés n'y paraissent : les faits détaillés restent dans le
journal en base, que seuls les rôles qui y ont droit lisent.

L'événement n'est émis qu'à la validation de la transaction (événement « commit » de
SQLAlchemy, juste avant le COMMIT : un COMMIT refusé par la base, rare, laisserait une
ligne de trop) : une écriture annulée n'en laisse pas. Sans `configurer_journaux()` (tests,
modules importés ailleurs), rien n'est affiché.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import traceback
import weakref
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.schema import comptes, importations

ACTIONS = logging.getLogger("evaluation.actions")
# Sans gestionnaire, Python afficherait les avertissements en texte brut (lastResort) dans
# un test ou une commande : rien ne sort tant que `configurer_journaux` n'a pas été appelé.
ACTIONS.addHandler(logging.NullHandler())

# Ce qu'une personne chargée de la sécurité veut voir passer : droits des comptes,
# mots de passe fixés, refus, verrouillages.
AVERTISSEMENTS = frozenset(
    {
        "compte:role",
        "compte:actif",
        "compte:mot_de_passe",
        "importation:retrait",
        "reglage:verrouille",
        "reglage:decisions_verrouillees",
    }
)
# Les événements d'une transaction en cours, par connexion (pas dans `connexion.info`, qui
# rouvrirait une connexion invalidée au moment de l'annulation).
_EN_ATTENTE: weakref.WeakKeyDictionary[Connection, list] = weakref.WeakKeyDictionary()
_MARQUE = "_evaluation_journal_structure"


def niveau(objets: Iterable[str]) -> int:
    """WARNING si un objet touche aux droits, aux mots de passe ou est un refus ; INFO sinon."""
    return (
        logging.WARNING
        if any(o in AVERTISSEMENTS or o.endswith(":refus") for o in objets)
        else logging.INFO
    )


RACINE = Path(__file__).resolve().parents[3]
# L'attribut d'un enregistrement qui porte une trace déjà épurée (`trace_sans_donnees`).
ATTRIBUT_TRACE = "trace_epuree"


def _fichier(chemin: str) -> str:
    """Le fichier d'un cadre, relatif au dépôt (ou au dossier des paquets installés)."""
    try:
        return Path(chemin).resolve().relative_to(RACINE).as_posix()
    except ValueError:
        _, _, apres = chemin.rpartition("site-packages/")
        return apres or chemin


def trace_sans_donnees(exc: BaseException) -> list[dict[str, object]]:
    """La trace de `exc` sans aucune donnée : pour elle et chacune de ses causes (`raise …
    from`, ou l'exception pendant laquelle elle est survenue), son type et, pour chaque
    cadre, le fichier, la ligne et la fonction. Ni le message de l'exception (« compte
    x@y.ca introuvable », la requête et les paramètres d'une erreur SQLAlchemy), ni les
    valeurs des variables, ni le texte des lignes de code."""
    chaine: list[dict[str, object]] = []
    vues: set[int] = set()
    courante: BaseException | None = exc
    while courante is not None and id(courante) not in vues:
        vues.add(id(courante))
        genre = type(courante)
        chaine.append(
            {
                "type": f"{genre.__module__}.{genre.__qualname__}",
                "cadres": [
                    f"{_fichier(cadre.f_code.co_filename)}:{ligne} {cadre.f_code.co_name}"
                    for cadre, ligne in traceback.walk_tb(courante.__traceback__)
                ],
            }
        )
        courante = courante.__cause__ or (
            None if courante.__suppress_context__ else courante.__context__
        )
    return chaine


class FormatJson(logging.Formatter):
    """Une ligne JSON par enregistrement : date (UTC), niveau, source, puis les champs de
    l'événement (`extra={"champs": {...}}`) ou, pour un autre journal du paquet, le
    message ; la trace d'une exception sans son message ni ses valeurs
    (`trace_sans_donnees`)."""

    def format(self, record: logging.LogRecord) -> str:
        ligne: dict[str, object] = {
            "date": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "niveau": record.levelname,
            "source": record.name,
        }
        champs = getattr(record, "champs", None)
        if isinstance(champs, dict):
            ligne.update(champs)
        else:
            ligne["message"] = record.getMessage()
        epuree = getattr(record, ATTRIBUT_TRACE, None)
        if epuree is not None:
            ligne["trace"] = epuree
        elif record.exc_info and record.exc_info[1] is not None:
            ligne["trace"] = trace_sans_donnees(record.exc_info[1])
        return json.dumps(ligne, ensure_ascii=False, default=str)


def _sortie_erreur() -> logging.Handler:
    """La sortie d'erreur du processus (descripteur 2, dupliqué) : journald sous systemd, le
    journal du conteneur sous Docker. Dupliqué, il ne suit pas un `sys.stderr` remplacé ni
    refermé plus tard (tests qui capturent la sortie)."""
    flux = open(os.dup(2), "w", encoding="utf-8", buffering=1)  # noqa: SIM115 (durée du processus)
    return logging.StreamHandler(flux)


def configurer_journaux(gestionnaire: logging.Handler | None = None) -> logging.Handler:
    """Envoie les journaux du paquet `evaluation` en JSON sur la sortie d'erreur ou
    `gestionnaire` : les actions dès le niveau INFO, les messages des autres modules comme
    avant, dès WARNING (leurs messages INFO nomment des fichiers téléversés, dont le nom peut
    être celui d'une personne). Une seconde fois, ne fait rien (le script Streamlit est
    réexécuté à chaque action)."""
    racine = logging.getLogger("evaluation")
    for existant in racine.handlers:
        if getattr(existant, _MARQUE, False):
            return existant
    gestionnaire = gestionnaire or _sortie_erreur()
    gestionnaire.setFormatter(FormatJson())
    setattr(gestionnaire, _MARQUE, True)
    racine.addHandler(gestionnaire)
    ACTIONS.setLevel(logging.INFO)
    return gestionnaire


def _courriel(auteur: str) -> str:
    """Le courriel d'un auteur écrit « courriel (précision) » par une page : l'importation
    de la démonstration depuis l'Accueil est au nom de « x@y.ca (démonstration) »."""
    return auteur.split(" (", 1)[0].strip()


def _identifiants(auteurs: set[str], connexion: Connection) -> dict[str, int]:
    """Auteur → identifiant de son compte, pour chaque auteur qui est un compte (son
    courriel, suivi ou non d'une précision entre parenthèses)."""
    if not auteurs:
        return {}
    requete = sa.select(comptes.c.courriel, comptes.c.id).where(
        comptes.c.courriel.in_(sorted({_courriel(a) for a in auteurs}))
    )
    ids = {courriel: int(i) for courriel, i in connexion.execute(requete)}
    return {a: ids[_courriel(a)] for a in auteurs if _courriel(a) in ids}


def _differer(connexion: Connection, evenements: list[tuple[int, dict]]) -> None:
    _EN_ATTENTE.setdefault(connexion, []).extend(evenements)


def apres_journal(lignes: list[dict], *, connexion: Connection) -> None:
    """Les événements de lignes écrites au journal : un par (auteur, appel, évaluateur) de
    l'écriture, avec ses objets dans l'ordre, le nombre de lignes et la demande (son
    identifiant s'il n'y en a qu'une, leur nombre sinon)."""
    if not ACTIONS.isEnabledFor(logging.INFO):
        return
    ids = _identifiants(
        {c for ligne in lignes for c in (ligne.get("auteur"), ligne.get("evaluateur")) if c},
        connexion,
    )
    groupes: dict[tuple, list[dict]] = {}
    for ligne in lignes:
        cle = (ligne.get("auteur"), ligne.get("appel_id"), ligne.get("evaluateur"))
        groupes.setdefault(cle, []).append(ligne)
    evenements = []
    for (auteur, appel_id, evaluateur), groupe in groupes.items():
        objets = list(dict.fromkeys(str(ligne["objet"]) for ligne in groupe))
        demandes = {ligne.get("demande_id") for ligne in groupe} - {None}
        champs: dict[str, object] = {
            "action": "journal",
            "compte": ids.get(auteur),
            "appel": appel_id,
            "objets": objets,
            "lignes": len(groupe),
        }
        if auteur and auteur not in ids:
            champs["auteur"] = "hors compte"  # la ligne de commande, un automate
        if evaluateur:
            champs["evaluateur_compte"] = ids.get(evaluateur)
        if len(demandes) == 1:
            champs["demande"] = int(next(iter(demandes)))
        elif demandes:
            champs["demandes"] = len(demandes)
        evenements.append((niveau(objets), champs))
    _differer(connexion, evenements)


def apres_tentative(courriel: str, reussie: bool, *, connexion: Connection) -> None:
    """L'événement d'une tentative de connexion : le compte (s'il existe), jamais le
    courriel saisi ; un échec est un avertissement."""
    if not ACTIONS.isEnabledFor(logging.INFO):
        return
    compte = _identifiants({courriel}, connexion).get(courriel)
    champs = {"action": "connexion", "compte": compte, "reussie": reussie}
    _differer(connexion, [(logging.INFO if reussie else logging.WARNING, champs)])


def apres_importation(importation_id: int, *, connexion: Connection) -> None:
    """L'événement d'une importation de demandes (inscrite à son propre journal, pas au
    journal des changements) : le compte, l'appel et les nombres, pas les fichiers (leurs
    noms peuvent nommer une personne)."""
    if not ACTIONS.isEnabledFor(logging.INFO):
        return
    ligne = (
        connexion.execute(sa.select(importations).where(importations.c.id == importation_id))
        .mappings()
        .first()
    )
    if ligne is None:
        return
    auteur = ligne["auteur"]
    champs: dict[str, object] = {
        "action": "importation",
        "compte": _identifiants({auteur}, connexion).get(auteur) if auteur else None,
        "appel": ligne["appel_id"],
        "importation": int(importation_id),
        "creees": ligne["nb_creees"],
        "mises_a_jour": ligne["nb_mises_a_jour"],
        "ecartees": ligne["nb_ecartees"],
    }
    if auteur and auteur.endswith("(démonstration)"):
        champs["demonstration"] = True
    _differer(connexion, [(logging.INFO, champs)])


@sa.event.listens_for(sa.engine.Engine, "commit")
def _valide(connexion: Connection) -> None:
    for niveau_, champs in _EN_ATTENTE.pop(connexion, ()):
        ACTIONS.log(niveau_, champs["action"], extra={"champs": champs})


@sa.event.listens_for(sa.engine.Engine, "rollback")
def _annule(connexion: Connection) -> None:
    _EN_ATTENTE.pop(connexion, None)
