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

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import math
import os
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import BinaryIO

from evaluation.depot import classeurs
from evaluation.depot.classeurs import CelluleEnErreur, Feuille, FichierRefuse, Limites
from evaluation.socle.chemins import RACINE_PROJET
from evaluation.socle.formats import nombre

journal = logging.getLogger(__name__)


def designation(contenu: bytes) -> str:
    """Ce qui désigne un fichier téléversé dans le journal du serveur : sa taille et le début
    de son empreinte SHA-256, jamais son nom (il nomme souvent une personne ou une
    municipalité ; le README promet que les noms des fichiers importés n'y sont pas)."""
    return f"fichier de {len(contenu)} octets (SHA-256 {hashlib.sha256(contenu).hexdigest()[:12]})"


RACINE = RACINE_PROJET
# Le programme du processus de lecture ; son seul argument est la racine du projet.
PROGRAMME = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from evaluation.depot.lecture_isolee import principal; principal()"
)
FORMATS = ("xlsx", "xls", "ods", "csv")


Source = str | Path | bytes | BinaryIO


def octets(source: Source, limites: Limites, nom: str) -> bytes:
    """Le contenu d'un fichier (chemin, octets ou fichier ouvert), refusé au-delà de la
    taille permise sans être lu en entier."""
    if isinstance(source, bytes):
        contenu = source
    elif isinstance(source, str | Path):
        chemin = Path(source)
        taille = chemin.stat().st_size
        if taille > limites.taille_max:
            raise _trop_gros(nom, taille, limites)
        contenu = chemin.read_bytes()
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        contenu = source.read(limites.taille_max + 1)
    if len(contenu) > limites.taille_max:
        raise _trop_gros(nom, len(contenu), limites)
    return contenu


def _trop_gros(nom: str, taille: int, limites: Limites) -> FichierRefuse:
    return FichierRefuse(
        nom,
        "fichier_trop_gros",
        f"{nom} : fichier trop volumineux ({nombre(taille / 2**20, 1)} Mo ; limite "
        f"{nombre(limites.taille_max / 2**20)} Mo). Scindez-le ou retirez les feuilles "
        "inutiles.",
    )


def noms_uniques(noms: list[str]) -> list[str]:
    """Deux fichiers de même nom (de deux dossiers) restent distincts : « demande.xlsx (2) »."""
    vus: dict[str, int] = {}
    uniques = []
    for nom in noms:
        vus[nom] = vus.get(nom, 0) + 1
        uniques.append(nom if vus[nom] == 1 else f"{nom} ({vus[nom]})")
    return uniques


class Lancee:
    """Un fichier dont la lecture est lancée dès maintenant : le processus de lecture tourne
    pendant que l'appelant prépare la suite (la ligne de commande importe ses modules et
    ouvre la base ; un lot lit le fichier suivant pendant qu'il traite celui-ci). Un refus
    (taille, processus impossible à lancer) est gardé et levé par `feuilles()`. Ce module
    est léger : le lancer ne coûte que le temps de lire les octets."""

    def __init__(self, nom: str, source: Source, limites: Limites):
        self.nom, self.limites = nom, limites
        self._erreur: BaseException | None = None
        self._lecture: Lecture | None = None
        self._contenu: bytes | None = None
        try:
            contenu = octets(source, limites, nom)
            if limites.processus_isole:
                self._lecture = Lecture(nom, contenu, limites)
            else:
                self._contenu = contenu
        except Exception as exc:  # rendu par feuilles(), là où la lecture l'aurait levé
            self._erreur = exc

    def feuilles(self) -> tuple[str, Iterator[Feuille]]:
        """Comme `grilles` ; une seule fois."""
        if self._erreur is not None:
            erreur, self._erreur = self._erreur, None
            raise erreur
        if self._lecture is not None:
            return self._lecture.feuilles()
        contenu, self._contenu = self._contenu, None
        return classeurs.feuilles(self.nom, contenu, self.limites)

    def abandonner(self) -> None:
        """Arrête le processus s'il tourne encore (sans effet après `feuilles()` lues)."""
        if self._lecture is not None:
            self._lecture.arreter()


def grilles(nom: str, contenu: bytes, limites: Limites) -> tuple[str, Iterator[Feuille]]:
    """Le format et les feuilles visibles d'un fichier, lus dans le processus isolé (ou sur
    place si `limites.processus_isole` est faux). Les feuilles arrivent une à une : la
    première se traite pendant que le processus lit la suivante. Lève `FichierRefuse`,
    au départ ou en cours de route."""
    if not limites.processus_isole:
        return classeurs.feuilles(nom, contenu, limites)
    return Lecture(nom, contenu, limites).feuilles()


class Lecture:
    """Une lecture lancée : le processus lit le fichier dès la création de l'objet, pendant
    que l'appelant fait autre chose (la ligne de commande ouvre la base pendant ce temps) ;
    `feuilles()` en rend le résultat, `arreter()` l'abandonne. Lève `FichierRefuse` si le
    processus ne peut pas être lancé."""

    def __init__(self, nom: str, contenu: bytes, limites: Limites):
        self.nom = nom
        self.designation = designation(contenu)
        entete = json.dumps({"nom": nom, "limites": asdict(limites)}).encode()
        try:
            processus = subprocess.Popen(
                [sys.executable, "-I", "-c", PROGRAMME, str(RACINE)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            journal.error(
                "%s : processus de lecture impossible à lancer (%s)", self.designation, exc
            )
            raise FichierRefuse(
                nom,
                "lecture_impossible",
                f"{nom} : le serveur n'a pas pu lire le fichier pour l'instant (ressources "
                "épuisées). Réessayez dans quelques minutes ; si le problème persiste, "
                "signalez-le à l'équipe du tableau de bord.",
            ) from None
        # Le processus lit tout le fichier avant d'écrire quoi que ce soit.
        self.echange = _Echange(
            nom, processus, limites, len(entete).to_bytes(4, "big") + entete + contenu
        )
        self.echange.designation = self.designation

    def feuilles(self) -> tuple[str, Iterator[Feuille]]:
        try:
            genre, suite = interpreter(self.nom, self.echange.trames())
        except BaseException as exc:
            self.echange.arreter()
            _consigner_mal_forme(exc, self.designation)
            raise
        return genre, _jusqu_au_bout(suite, self.echange)

    def arreter(self) -> None:
        self.echange.arreter()


def _jusqu_au_bout(suite: Iterator[Feuille], echange: _Echange) -> Iterator[Feuille]:
    """Les feuilles ; à la fin, ou si la lecture s'arrête en route (refus, exception), le
    processus est arrêté et ses tubes fermés."""
    try:
        yield from suite
    except FichierRefuse as exc:
        _consigner_mal_forme(exc, echange.designation)
        raise
    finally:
        echange.arreter()


def _consigner_mal_forme(exc: BaseException, designation_: str) -> None:
    """Au journal du serveur, une réponse mal formée du processus de lecture (`_mal_forme`),
    le fichier désigné sans son nom."""
    if quoi := getattr(exc, "mal_forme", None):
        journal.error("%s : réponse mal formée du processus de lecture (%s)", designation_, quoi)


# Ce que le fil recueille d'avance, au plus, avant de laisser le processus attendre : sur
# 50 000 demandes, le processus finit bien avant que l'appelant ait tout traité, et sa
# sortie entière (110 Mo de JSON) aurait attendu en mémoire.
_AVANCE_MAX = 32 * 1024 * 1024


class _Echange:
    """Les échanges avec le processus de lecture : un fil d'exécution lui écrit le fichier
    et recueille sa sortie à mesure qu'il la produit (le processus ne s'arrête jamais sur un
    tube plein : il lit la feuille suivante pendant que l'appelant traite la précédente),
    sans jamais dépasser le délai ni la taille permise ; son journal (stderr) est vidé en
    même temps. `trames()` décode la sortie, trame par trame."""

    def __init__(self, nom: str, processus: subprocess.Popen, limites: Limites, entree: bytes):
        self.nom, self.processus, self.limites = nom, processus, limites
        # Le fichier au journal du serveur (`designation`), jamais par son nom.
        self.designation = "fichier"
        self.delai = limites.attente * limites.duree(len(entree))
        self.echeance = time.monotonic() + self.delai
        self.tampon = bytearray()
        self.erreurs = bytearray()
        self.lus = 0
        # None tant que la sortie coule ; « fin » (sortie fermée), « delai » ou « demesure ».
        self.etat: str | None = None
        self.condition = threading.Condition()
        with contextlib.suppress(OSError, AttributeError):
            # Un tube de 1 Mo (64 Ko par défaut) : le processus écrit un paquet de lignes
            # d'avance même quand le fil qui le recueille attend son tour (le GIL), au lieu
            # de s'arrêter tous les 64 Ko.
            fcntl.fcntl(processus.stdout.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
        self.fil = threading.Thread(
            target=self._pomper, args=(entree,), name=f"lecture {nom}", daemon=True
        )
        self.fil.start()

    def _pomper(self, entree: bytes) -> None:
        selecteur = selectors.DefaultSelector()
        stdin, stdout = self.processus.stdin, self.processus.stdout
        vue, envoye = memoryview(entree), 0
        os.set_blocking(stdin.fileno(), False)
        selecteur.register(stdin, selectors.EVENT_WRITE)
        selecteur.register(stdout, selectors.EVENT_READ)
        selecteur.register(self.processus.stderr, selectors.EVENT_READ)
        taille_max = _taille_max(self.limites)
        etat = "fin"
        try:
            while stdout in {c.fileobj for c in selecteur.get_map().values()}:
                reste = self.echeance - time.monotonic()
                if reste <= 0:
                    etat = "delai"
                    break
                if len(self.tampon) > _AVANCE_MAX:
                    # Assez d'avance : le processus attend (tube plein) que l'appelant lise.
                    with self.condition:
                        self.condition.wait(min(reste, 0.5))
                    continue
                for cle, _ in selecteur.select(reste):
                    if cle.fileobj is stdin:
                        try:
                            envoye += os.write(cle.fd, vue[envoye : envoye + (1 << 16)])
                        except BrokenPipeError:  # arrêté avant : son code de sortie le dira
                            envoye = len(vue)
                        if envoye >= len(vue):
                            selecteur.unregister(stdin)
                            stdin.close()
                        continue
                    donnees = os.read(cle.fd, 1 << 20)
                    if not donnees:
                        selecteur.unregister(cle.fileobj)
                    elif cle.fileobj is stdout:
                        with self.condition:
                            self.tampon += donnees
                            self.lus += len(donnees)
                            self.condition.notify_all()
                        if self.lus > taille_max:
                            etat = "demesure"
                            return
                    elif len(self.erreurs) < 100_000:
                        self.erreurs += donnees
        except (OSError, ValueError):  # tubes fermés par arreter() : plus rien à recueillir
            pass
        finally:
            del vue
            selecteur.close()
            if etat != "fin" and self.processus.poll() is None:
                self.processus.kill()
            with self.condition:
                self.etat = etat
                self.condition.notify_all()

    def _lire(self, n: int) -> bytes | None:
        """Les n octets suivants de la sortie, ou None si elle se ferme avant."""
        with self.condition:
            while True:
                if self.etat == "demesure":
                    raise ValueError("réponse démesurée")
                if self.etat == "delai":
                    raise _Delai
                if len(self.tampon) >= n:
                    morceau = bytes(self.tampon[:n])
                    del self.tampon[:n]
                    self.condition.notify_all()  # le fil attend peut-être de la place
                    return morceau
                if self.etat == "fin":
                    return None
                # Le fil arrête le processus à l'échéance ; la marge n'est qu'une garde.
                if not self.condition.wait(max(self.echeance - time.monotonic(), 0) + 5):
                    raise _Delai

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
            journal.warning("%s : lecture interrompue après %s s", self.designation, self.delai)
            self.arreter()
            raise _interruption(self.nom, f"la durée permise ({nombre(self.delai, 1)} s)") from None
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
                "%s : le processus de lecture a signalé : %s",
                self.designation,
                _fin(self.erreurs),
            )
        if code != 0:
            journal.warning("%s : processus de lecture arrêté (code %s)", self.designation, code)
            raise _interruption(self.nom, _cause(code))

    def arreter(self) -> None:
        """Arrête le processus s'il tourne encore, puis ferme ses tubes (sans effet la
        seconde fois)."""
        if self.processus.poll() is None:
            self.processus.kill()
        self.processus.wait()
        self.fil.join()
        for flux in (self.processus.stdin, self.processus.stdout, self.processus.stderr):
            flux.close()


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
    """Chaque feuille, complète dès que la suivante est annoncée (ou la fin)."""
    courante: Feuille | None = None
    while (brute := _suivante(nom, trames)) is not _FIN:
        t = _trame(nom, brute)
        if t == ["fin"]:
            # Jusqu'au bout : le code de sortie du processus est vérifié.
            if _suivante(nom, trames) is not _FIN:
                raise _mal_forme(nom, "trame après la fin")
            if courante is not None:
                yield courante
            return
        if len(t) == 4 and t[0] == "feuille" and isinstance(t[1], str) and _grille(t[2]):
            if courante is not None:
                yield courante
            courante = (t[1], t[2], t[3] is True)
        elif len(t) == 2 and t[0] == "suite" and courante is not None and _grille(t[1]):
            courante[1].extend(t[1])
        else:
            raise _mal_forme(nom, "feuille")
    raise _interruption(nom, "la mémoire permise")  # la sortie s'est arrêtée avant la fin


def _grille(lignes: object) -> bool:
    return isinstance(lignes, list) and all(type(ligne) is list for ligne in lignes)


def _mal_forme(nom: str, quoi: str) -> FichierRefuse:
    """Le refus d'une réponse mal formée ; `Lecture` la consigne au journal du serveur
    (`mal_forme` : ce qui était mal formé), le fichier désigné sans son nom."""
    refus = _interruption(nom, "ce que le serveur sait relire")
    refus.mal_forme = quoi
    return refus


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
    """Ce que la réponse peut peser (`Limites.reponse_max`) : la mémoire du serveur est
    bornée, quoi que renvoie le processus."""
    return limites.reponse_max


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
    """La mémoire que le processus se fixe à lui-même, avant de lire le fichier (et non
    par `preexec_fn`, que le serveur à plusieurs fils d'exécution ne peut pas employer)."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limites.memoire_max, limites.memoire_max))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # pas de vidage mémoire sur abandon


def _borner_calcul(limites: Limites, taille: int) -> None:
    """Le temps de calcul permis, selon la taille du fichier reçu (`Limites.duree`)."""
    import resource

    secondes = math.ceil(limites.duree(taille)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (secondes, secondes + 1))


def principal() -> None:
    """Lit l'en-tête (nom, limites) et le fichier sur l'entrée standard, écrit les trames sur
    la sortie standard : chaque feuille annoncée avec son premier paquet de lignes, puis ses
    autres paquets (« suite »)."""
    entree = sys.stdin.buffer
    entete = json.loads(entree.read(int.from_bytes(entree.read(4), "big")))
    nom, limites = entete["nom"], Limites(**entete["limites"])
    _borner(limites)
    contenu = entree.read()
    _borner_calcul(limites, len(contenu))
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
        genre, suite = classeurs.evenements(nom, contenu, limites)
        del contenu
        envoyer(["format", genre])
        for evenement in suite:
            if evenement[0] == "feuille":
                # Annoncée avant d'être lue : qui reçoit traite la précédente pendant que
                # celle-ci se lit.
                envoyer(["feuille", evenement[1], [], evenement[2]])
            else:
                envoyer(["suite", evenement[1]])
            del evenement
        envoyer(["fin"])
    except FichierRefuse as exc:
        sortie.write(trame(["refus", exc.code, exc.message]))
        sortie.flush()
