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
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict

from evaluation.depot import classeurs
from evaluation.depot.classeurs import CelluleEnErreur, Feuille, FichierRefuse, Limites
from evaluation.socle.chemins import RACINE_PROJET
from evaluation.socle.formats import nombre

journal = logging.getLogger(__name__)

RACINE = RACINE_PROJET
# Le programme du processus de lecture ; son seul argument est la racine du projet.
PROGRAMME = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from evaluation.depot.lecture_isolee import principal; principal()"
)
FORMATS = ("xlsx", "xls", "ods", "csv")


def grilles(nom: str, contenu: bytes, limites: Limites) -> tuple[str, Iterator[Feuille]]:
    """Le format et les feuilles visibles d'un fichier, lus dans le processus isolé (ou sur
    place si `limites.processus_isole` est faux). Les feuilles arrivent une à une : la
    première se traite pendant que le processus lit la suivante. Lève `FichierRefuse`,
    au départ ou en cours de route."""
    if not limites.processus_isole:
        return classeurs.feuilles(nom, contenu, limites)
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
    echange = _Echange(nom, processus, limites)
    try:
        # Le processus lit tout le fichier avant d'écrire quoi que ce soit.
        processus.stdin.write(len(entete).to_bytes(4, "big") + entete + contenu)
        processus.stdin.close()
    except BrokenPipeError:  # il s'est arrêté avant : son code de sortie dira pourquoi
        pass
    except BaseException:
        echange.arreter()
        raise
    try:
        genre, suite = interpreter(nom, echange.trames())
    except BaseException:
        echange.arreter()
        raise
    return genre, _jusqu_au_bout(suite, echange)


def _jusqu_au_bout(suite: Iterator[Feuille], echange: _Echange) -> Iterator[Feuille]:
    """Les feuilles ; à la fin, ou si la lecture s'arrête en route (refus, exception), le
    processus est arrêté et ses tubes fermés."""
    try:
        yield from suite
    finally:
        echange.arreter()


class _Echange:
    """Les trames que renvoie le processus de lecture, lues sans jamais dépasser le délai ni
    la taille permise ; son journal (stderr) est vidé en même temps, pour qu'il ne bloque pas."""

    def __init__(self, nom: str, processus: subprocess.Popen, limites: Limites):
        self.nom, self.processus, self.limites = nom, processus, limites
        self.echeance = time.monotonic() + limites.duree_max
        self.tampon = bytearray()
        self.erreurs = bytearray()
        self.lus = 0
        self.selecteur = selectors.DefaultSelector()
        self.selecteur.register(processus.stdout, selectors.EVENT_READ)
        self.selecteur.register(processus.stderr, selectors.EVENT_READ)

    def _lire(self, n: int) -> bytes | None:
        """Les n octets suivants de la sortie, ou None si elle se ferme avant."""
        while len(self.tampon) < n:
            if self.processus.stdout not in self._inscrits():  # sortie fermée avant
                return None
            reste = self.echeance - time.monotonic()
            if reste <= 0:
                raise _Delai
            for cle, _ in self.selecteur.select(reste):
                donnees = os.read(cle.fd, 1 << 20)
                if not donnees:
                    self.selecteur.unregister(cle.fileobj)
                elif cle.fileobj is self.processus.stdout:
                    self.tampon += donnees
                    self.lus += len(donnees)
                    if self.lus > _taille_max(self.limites):
                        raise ValueError("réponse démesurée")
                elif len(self.erreurs) < 100_000:
                    self.erreurs += donnees
        morceau = bytes(self.tampon[:n])
        del self.tampon[:n]
        return morceau

    def _inscrits(self) -> set:
        return {cle.fileobj for cle in self.selecteur.get_map().values()}

    def trames(self) -> Iterator[list]:
        """Chaque trame décodée ; à la fin de la sortie, le code de sortie du processus."""
        try:
            while True:
                longueur = self._lire(4)
                if longueur is None:
                    break
                trame = self._lire(int.from_bytes(longueur, "big"))
                if trame is None:
                    break
                yield json.loads(trame.decode("utf-8", "surrogatepass"), object_hook=_depuis_json)
        except _Delai:
            journal.warning("%s : lecture interrompue après %s s", self.nom, self.limites.duree_max)
            self.arreter()
            raise _interruption(
                self.nom, f"la durée permise ({nombre(self.limites.duree_max, 1)} s)"
            ) from None
        self._terminer()

    def _terminer(self) -> None:
        try:
            code = self.processus.wait(timeout=max(self.echeance - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            self.arreter()
            code = self.processus.returncode
        self.arreter()
        if self.erreurs:  # détails en anglais (calamine, Rust) : au journal seulement
            journal.info(
                "%s : le processus de lecture a signalé : %s", self.nom, _fin(self.erreurs)
            )
        if code != 0:
            journal.warning("%s : processus de lecture arrêté (code %s)", self.nom, code)
            raise _interruption(self.nom, _cause(code))

    def arreter(self) -> None:
        """Arrête le processus s'il tourne encore, puis ferme ses tubes (sans effet la
        seconde fois)."""
        if self.processus.poll() is None:
            self.processus.kill()
        self.processus.wait()
        for flux in (self.processus.stdin, self.processus.stdout, self.processus.stderr):
            flux.close()
        self.selecteur.close()


def _fin(erreurs: bytes, longueur: int = 2000) -> str:
    texte = bytes(erreurs).decode("utf-8", errors="replace")
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


class _Delai(Exception):
    """Le délai de lecture est écoulé."""


def interpreter(nom: str, trames: Iterator[list]) -> tuple[str, Iterator[Feuille]]:
    """Le format et les feuilles que décrivent les trames du processus : ["format", genre],
    puis ["feuille", nom, lignes, en erreur] pour chacune, puis ["fin"] ; ou, à tout moment,
    ["refus", code, message]."""
    premiere = _trame(nom, _suivante(nom, trames))
    if premiere[0] != "format" or len(premiere) != 2 or premiere[1] not in FORMATS:
        raise _mal_forme(nom, "première trame")
    return premiere[1], _feuilles(nom, trames)


def _trame(nom: str, brute: object) -> list:
    if not isinstance(brute, list) or not brute:
        raise _mal_forme(nom, "trame absente ou mal formée")
    if brute[0] == "refus" and len(brute) == 3 and all(isinstance(t, str) for t in brute[1:]):
        raise FichierRefuse(nom, brute[1], brute[2])
    return brute


_FIN = object()


def _suivante(nom: str, trames: Iterator[list]) -> object:
    """La trame suivante, `_FIN` après la dernière ; une trame indéchiffrable est refusée."""
    try:
        return next(trames, _FIN)
    except (ValueError, TypeError, RecursionError, UnicodeDecodeError) as exc:
        raise _mal_forme(nom, repr(exc)[:200]) from None


def _feuilles(nom: str, trames: Iterator[list]) -> Iterator[Feuille]:
    while (brute := _suivante(nom, trames)) is not _FIN:
        t = _trame(nom, brute)
        if t == ["fin"]:
            # Jusqu'au bout : le code de sortie du processus est vérifié.
            if _suivante(nom, trames) is not _FIN:
                raise _mal_forme(nom, "trame après la fin")
            return
        if not (
            len(t) == 4
            and t[0] == "feuille"
            and isinstance(t[1], str)
            and isinstance(t[2], list)
            and all(type(ligne) is list for ligne in t[2])
        ):
            raise _mal_forme(nom, "feuille")
        yield t[1], t[2], t[3] is True
    raise _interruption(nom, "la mémoire permise")  # la sortie s'est arrêtée avant la fin


def _mal_forme(nom: str, quoi: str) -> FichierRefuse:
    journal.error("%s : réponse mal formée du processus de lecture (%s)", nom, quoi)
    return _interruption(nom, "ce que le serveur sait relire")


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


def trame(objet: list) -> bytes:
    """Une trame : sa longueur sur 4 octets, puis l'objet en JSON, valeurs étiquetées."""
    donnees = json.dumps(objet, default=_en_json, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )
    return len(donnees).to_bytes(4, "big") + donnees


def _taille_max(limites: Limites) -> int:
    """Ce que la réponse peut peser : le texte permis plus une vingtaine d'octets par cellule
    (la mémoire du serveur est bornée, quoi que renvoie le processus)."""
    return 2 * limites.caracteres_max + 24 * limites.cellules_max + 1_000_000


def trames_de(octets: bytes) -> Iterator[list]:
    """Les trames contenues dans `octets` (pour relire une sortie déjà reçue, et les tests)."""
    i = 0
    while i + 4 <= len(octets):
        n = int.from_bytes(octets[i : i + 4], "big")
        yield json.loads(
            octets[i + 4 : i + 4 + n].decode("utf-8", "surrogatepass"), object_hook=_depuis_json
        )
        i += 4 + n


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
    """Lit l'en-tête (nom, limites) et le fichier sur l'entrée standard, écrit les trames sur
    la sortie standard, une feuille à la fois."""
    entree = sys.stdin.buffer
    entete = json.loads(entree.read(int.from_bytes(entree.read(4), "big")))
    nom, limites = entete["nom"], Limites(**entete["limites"])
    _borner(limites)
    contenu = entree.read()
    sortie = sys.stdout.buffer
    sys.stdout = sys.stderr  # rien d'autre que les trames ne doit atteindre le serveur
    ecrit = 0

    def envoyer(objet: list) -> None:
        nonlocal ecrit
        donnees = trame(objet)
        ecrit += len(donnees)
        if ecrit > _taille_max(limites):
            raise FichierRefuse(
                nom,
                "texte_trop_long",
                f"{nom} : le fichier, une fois lu, dépasserait ce que le serveur accepte de "
                "texte. Retirez les textes répétés ou scindez le fichier.",
            )
        sortie.write(donnees)
        sortie.flush()

    try:
        genre, suite = classeurs.feuilles(nom, contenu, limites)
        envoyer(["format", genre])
        for feuille, lignes, en_erreur in suite:
            envoyer(["feuille", feuille, lignes, en_erreur])
            del lignes
        envoyer(["fin"])
    except FichierRefuse as exc:
        sortie.write(trame(["refus", exc.code, exc.message]))
        sortie.flush()
