"""Lire un fichier téléversé dans un processus à part, pour que rien ne puisse arrêter le
serveur ni la ligne de commande.

La mesure de `classeurs` refuse ce qu'un fichier déclare de démesuré ; ce processus est la
défense qui reste quand une forme imprévue lui échappe. Il fixe lui-même, dès son départ,
la mémoire (RLIMIT_AS) et le temps de calcul (RLIMIT_CPU) qu'il peut prendre ; le serveur
borne en plus sa durée. Un abandon (SIGABRT de Rust), un manque de mémoire ou un
dépassement de temps y deviennent un refus en français, et le serveur continue de servir.

Le processus est un interpréteur neuf en mode isolé (`-I`), pas une copie du serveur
(`fork` dans un serveur à plusieurs fils d'exécution est dangereux) : il n'importe que
`classeurs` et ses lecteurs, pas pandas ni streamlit. Il renvoie les grilles en JSON, les
valeurs qui ne sont pas du JSON (dates, durées, cellules en erreur) étiquetées : rien de ce
qu'il renvoie n'est exécuté ni « dépicklé ».
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from evaluation import classeurs
from evaluation.classeurs import CelluleEnErreur, Feuille, FichierRefuse, Limites
from evaluation.formats import nombre

journal = logging.getLogger(__name__)

RACINE = Path(__file__).resolve().parent.parent
# Le programme du processus de lecture ; son seul argument est la racine du projet.
PROGRAMME = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from evaluation.lecture_isolee import principal; principal()"
)
FORMATS = ("xlsx", "xls", "ods", "csv")


def grilles(nom: str, contenu: bytes, limites: Limites) -> tuple[str, list[Feuille]]:
    """Le format et les grilles des feuilles visibles d'un fichier, lus dans le processus
    isolé (ou sur place si `limites.processus_isole` est faux). Lève `FichierRefuse`."""
    if not limites.processus_isole:
        return classeurs.grilles(nom, contenu, limites)
    entete = json.dumps({"nom": nom, "limites": asdict(limites)}).encode()
    try:
        processus = subprocess.Popen(
            [sys.executable, "-I", "-c", PROGRAMME, str(RACINE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        journal.error("%s : processus de lecture impossible à lancer (%s)", nom, exc)
        raise FichierRefuse(
            nom,
            "lecture_impossible",
            f"{nom} : le serveur n'a pas pu lire le fichier pour l'instant (ressources "
            "épuisées). Réessayez dans quelques minutes ; si le problème persiste, "
            "signalez-le à l'équipe du tableau de bord.",
        ) from None
    try:
        sortie, erreurs = processus.communicate(
            len(entete).to_bytes(4, "big") + entete + contenu, timeout=limites.duree_max
        )
    except subprocess.TimeoutExpired:
        processus.kill()
        processus.communicate()
        journal.warning("%s : lecture interrompue après %s s", nom, limites.duree_max)
        raise _interruption(nom, f"la durée permise ({nombre(limites.duree_max, 1)} s)") from None
    finally:
        if processus.poll() is None:  # une exception imprévue ici : ne rien laisser tourner
            processus.kill()
            processus.wait()
    if erreurs:  # détails en anglais (calamine, Rust) : au journal seulement
        journal.info("%s : le processus de lecture a signalé : %s", nom, _fin(erreurs))
    if processus.returncode != 0:
        journal.warning("%s : processus de lecture arrêté (code %s)", nom, processus.returncode)
        raise _interruption(nom, _cause(processus.returncode))
    return decoder(nom, sortie, limites)


def _fin(erreurs: bytes, longueur: int = 2000) -> str:
    texte = erreurs.decode("utf-8", errors="replace")
    return texte if len(texte) <= longueur else "…" + texte[-longueur:]


def _cause(code: int) -> str:
    """Ce qui a arrêté le processus, d'après son code de sortie (négatif : un signal)."""
    if code == -24:  # SIGXCPU : le temps de calcul permis est épuisé
        return "la durée permise"
    if code == -9:  # SIGKILL : limite de temps dure, ou le système à court de mémoire
        return "la mémoire ou la durée permises"
    return "la mémoire permise"


def _interruption(nom: str, quoi: str) -> FichierRefuse:
    return FichierRefuse(nom, "lecture_interrompue", classeurs.message_interruption(nom, quoi))


# --- Encodage des grilles --------------------------------------------------------------------


def _en_json(valeur: object) -> dict:
    """Une valeur de cellule qui n'est pas du JSON, étiquetée."""
    if isinstance(valeur, dt.datetime):
        return {"dt": valeur.isoformat()}
    if isinstance(valeur, dt.date):
        return {"d": valeur.isoformat()}
    if isinstance(valeur, dt.time):
        return {"t": valeur.isoformat()}
    if isinstance(valeur, dt.timedelta):
        return {"td": [valeur.days, valeur.seconds, valeur.microseconds]}
    if isinstance(valeur, CelluleEnErreur):
        return {"e": valeur.code}
    raise TypeError(f"valeur de cellule inattendue : {type(valeur).__name__}")


def _depuis_json(objet: dict) -> object:
    """L'inverse de `_en_json` ; toute autre forme est refusée."""
    if len(objet) == 1:
        ((etiquette, valeur),) = objet.items()
        if (
            etiquette == "td"
            and isinstance(valeur, list)
            and len(valeur) == 3
            and all(type(v) is int for v in valeur)
        ):
            return dt.timedelta(days=valeur[0], seconds=valeur[1], microseconds=valeur[2])
        if isinstance(valeur, str):
            if etiquette == "dt":
                return dt.datetime.fromisoformat(valeur)
            if etiquette == "d":
                return dt.date.fromisoformat(valeur)
            if etiquette == "t":
                return dt.time.fromisoformat(valeur)
            if etiquette == "e":
                return CelluleEnErreur(valeur)
    raise ValueError("valeur étiquetée inconnue")


def encoder(reponse: list) -> bytes:
    """La réponse du processus : ["grilles", format, feuilles] ou ["refus", code, message].
    Le JSON n'y porte d'objets que les valeurs étiquetées."""
    return json.dumps(reponse, default=_en_json, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )


def _taille_max(limites: Limites) -> int:
    """Ce que la réponse peut peser : le texte permis plus une vingtaine d'octets par cellule
    (la mémoire du serveur est bornée, quoi que renvoie le processus)."""
    return 2 * limites.caracteres_max + 24 * limites.cellules_max + 1_000_000


def decoder(nom: str, sortie: bytes, limites: Limites) -> tuple[str, list[Feuille]]:
    """Les grilles que renvoie le processus de lecture, ou le refus qu'il a prononcé."""
    try:
        if len(sortie) > _taille_max(limites):
            raise ValueError("réponse démesurée")
        reponse = json.loads(sortie.decode("utf-8", "surrogatepass"), object_hook=_depuis_json)
        sorte, genre, feuilles = reponse
        if sorte == "refus" and isinstance(genre, str) and isinstance(feuilles, str):
            raise FichierRefuse(nom, genre, feuilles)
        if sorte != "grilles" or genre not in FORMATS or not isinstance(feuilles, list):
            raise ValueError("réponse mal formée")
        resultat: list[Feuille] = []
        for feuille, lignes, en_erreur in feuilles:
            if not (
                isinstance(feuille, str)
                and isinstance(lignes, list)
                and all(type(ligne) is list for ligne in lignes)
            ):
                raise ValueError("feuille mal formée")
            resultat.append((feuille, lignes, en_erreur is True))
        return genre, resultat
    except FichierRefuse:
        raise
    except (ValueError, TypeError, KeyError, RecursionError, UnicodeDecodeError) as exc:
        journal.error("%s : réponse illisible du processus de lecture (%s)", nom, exc)
        raise _interruption(nom, "ce que le serveur sait relire") from None


# --- Le processus de lecture -----------------------------------------------------------------


def _borner(limites: Limites) -> None:
    """Les limites que le processus se fixe à lui-même, avant de lire le fichier (et non
    par `preexec_fn`, que le serveur à plusieurs fils d'exécution ne peut pas employer)."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limites.memoire_max, limites.memoire_max))
    secondes = math.ceil(limites.duree_max) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (secondes, secondes + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # pas de vidage mémoire sur abandon


def principal() -> None:
    """Lit l'en-tête (nom, limites) et le fichier sur l'entrée standard, écrit la réponse en
    JSON sur la sortie standard."""
    entree = sys.stdin.buffer
    entete = json.loads(entree.read(int.from_bytes(entree.read(4), "big")))
    limites = Limites(**entete["limites"])
    _borner(limites)
    contenu = entree.read()
    sortie = sys.stdout.buffer
    sys.stdout = sys.stderr  # rien d'autre que la réponse ne doit atteindre le serveur
    try:
        genre, feuilles = classeurs.grilles(entete["nom"], contenu, limites)
        del contenu
        reponse = encoder(["grilles", genre, feuilles])
        del feuilles
        if len(reponse) > _taille_max(limites):
            raise FichierRefuse(
                entete["nom"],
                "texte_trop_long",
                f"{entete['nom']} : le fichier, une fois lu, dépasserait ce que le serveur "
                "accepte de texte. Retirez les textes répétés ou scindez le fichier.",
            )
    except FichierRefuse as exc:
        reponse = encoder(["refus", exc.code, exc.message])
    sortie.write(reponse)
    sortie.flush()
