"""Ouvrir un fichier téléversé sans lui faire confiance : reconnaître son format à son contenu,
lire les dimensions que ses feuilles déclarent ou impliquent, et seulement ensuite le lire en
grilles de cellules.

calamine, qui lit les classeurs, alloue la grille entière d'une feuille, de A1 à sa dernière
cellule : une seule cellule en XFD1048576 lui demanderait 512 Go et arrêterait le processus
(abandon de Rust, qu'aucun `except` n'attrape). Chaque format est donc mesuré avant d'être
lu : les références des cellules d'un xlsx, les répétitions de lignes et de cellules d'un
ods, les enregistrements d'un xls, les lignes et colonnes d'un csv ; les feuilles masquées
comptent, calamine les lit aussi.

Ce module s'exécute dans le processus de lecture isolé (`lecture_isolee`) : il n'importe que
la bibliothèque standard, `formats`, `texte` et les lecteurs de classeurs, pour démarrer vite.
"""

from __future__ import annotations

import csv
import html
import io
import logging
import re
import struct
import xml.parsers.expat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from evaluation.socle.formats import nombre
from evaluation.socle.texte import citer

journal = logging.getLogger(__name__)

SIGNATURE_ZIP = b"PK\x03\x04"
SIGNATURE_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# « Texte Unicode » d'Excel : UTF-16 avec marque d'ordre, colonnes séparées par des tabulations.
_BOM_UTF16 = (b"\xff\xfe", b"\xfe\xff")
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")
_MORCEAU = 1 << 20

Feuille = tuple[str, list[list[object]], bool]


@dataclass(frozen=True)
class Limites:
    """Ce qu'un fichier téléversé peut peser, et ce que sa lecture peut coûter, avant d'être
    refusé.

    Dimensionnées pour le plus gros fichier attendu, 50 000 demandes et 200 000 lignes de
    budget (issue 14 ; 18 Mo, 159 Mo décompressés, 89 millions de caractères mesurés) :
    seuls le texte permis et le temps de calcul ont dû croître pour lui ; le reste (taille,
    décompression, lignes, colonnes, cellules, mémoire du processus de lecture) le laissait
    déjà passer. Le corpus hostile (tests/depot/test_fichiers_hostiles.py) reste refusé."""

    taille_max: int = 50 * 1024 * 1024
    decompresse_max: int = 300 * 1024 * 1024
    ratio_max: float = 200.0
    # 50 000 demandes de 4 lignes de budget chacune (200 000 lignes) doivent passer ; au-delà,
    # une feuille trahit des lignes mises en forme jusqu'au bas de la feuille.
    lignes_max: int = 250_000
    # Le gabarit a 24 colonnes ; un export du ministère, une centaine.
    colonnes_max: int = 1_000
    # Lignes × colonnes de la grille que calamine alloue (de A1 à la dernière cellule) :
    # 50 000 demandes × 24 colonnes font 1,2 million de cellules, 200 000 lignes de budget
    # × 5 colonnes, 1 million ; 2 millions (50 000 × 40 colonnes) laissent la place d'un
    # export plus large.
    cellules_max: int = 2_000_000
    # Texte de toutes les cellules d'une feuille une fois lu, répétitions comprises (un même
    # texte partagé par des milliers de cellules, xlsx, ou répété, ods, est copié autant de
    # fois) : 40 millions de caractères, plus 100 par cellule (`texte_permis`). Avant
    # l'issue 14, 40 millions en tout, que 50 000 demandes dépassaient : leur feuille
    # Demandes en mesure 88 millions pour 1 045 076 cellules, 85 en moyenne (résumés de 40
    # à 220 mots), 144 millions permis ; la même borne vaut pour les textes partagés du
    # fichier (89 millions, 244 permis pour ses 2 045 081 cellules). Un texte copié dans des
    # milliers de cellules, lui, en porte des milliers par cellule (30 000 × 2 000 cellules :
    # 60 millions, 40,2 permis) : refusé comme avant. Le processus de lecture lit les 50 000
    # demandes en moins de 320 Mo (paquets de lignes), sous sa limite de mémoire inchangée.
    caracteres_max: int = 40_000_000
    caracteres_par_cellule: int = 100
    # La limite d'Excel pour une cellule ; au-delà, dans un CSV, un guillemet n'est pas fermé.
    caracteres_cellule_max: int = 32_767
    # Un classeur compte une vingtaine de parties ; des milliers trahissent une archive forgée.
    membres_max: int = 2_000
    # Le processus de lecture isolé : mémoire (espace d'adressage), inchangée ; 50 000
    # demandes y tiennent en 320 Mo (elles échouent à 256 Mo).
    memoire_max: int = 448 * 1024 * 1024
    # Temps de calcul du processus (RLIMIT_CPU) : 8 s, plus 1 s par Mo du fichier, car la
    # lecture croît avec lui (8 s fixes avant l'issue 14, que 50 000 demandes dépassaient :
    # 18 Mo, 26 s permises, 8 s employées sur la machine partagée). Un fichier de 50 Mo, la
    # taille permise, a droit à 58 s.
    duree_max: float = 8.0
    duree_par_mo: float = 1.0
    # Le serveur attend le processus au plus `attente` fois ce temps de calcul, en temps réel :
    # sur une machine chargée, le processus attend aussi son tour (le temps réel y a valu
    # jusqu'à quatre fois le temps de calcul) ; le calcul lui-même reste borné par le noyau.
    attente: float = 3.0
    # Ce que le processus de lecture peut renvoyer au serveur, toutes feuilles comprises :
    # le classeur de 50 000 demandes en renvoie 115 Mo (mesuré). Chaque limite ci-dessus
    # borne une feuille ; celle-ci borne ce que le serveur reçoit et garde en mémoire pour
    # tout le fichier, quel que soit son format : un fichier forgé (un même texte partagé
    # par deux millions de cellules, dans une ou plusieurs feuilles) n'y coûte jamais plus
    # que le plus gros fichier attendu, à 1,4 fois près.
    reponse_max: int = 160 * 1024 * 1024
    # Faux seulement pour mesurer ce que coûte le processus isolé (benchmarks/importation.py).
    processus_isole: bool = True

    def texte_permis(self, cellules: int) -> int:
        """Le texte permis à une feuille (ou aux textes partagés d'un fichier) de
        `cellules` cellules."""
        return self.caracteres_max + self.caracteres_par_cellule * cellules

    def duree(self, taille: int) -> float:
        """Le temps de calcul permis pour lire un fichier de `taille` octets."""
        return self.duree_max + self.duree_par_mo * taille / 2**20


class FichierRefuse(Exception):
    """Un fichier qui n'est pas ce qu'il prétend être, ou trop dangereux pour être lu."""

    def __init__(self, fichier: str, code: str, message: str):
        super().__init__(message)
        self.fichier = fichier
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CelluleEnErreur:
    """Une cellule qu'Excel affiche en erreur (#N/A, #REF!…) : ni vide, ni une valeur."""

    code: str

    def __str__(self) -> str:
        return self.code


def lettres_colonne(j: int) -> str:
    """Lettres Excel de la colonne d'indice j (0 → A, 16383 → XFD)."""
    lettres = ""
    j += 1
    while j > 0:
        j, reste = divmod(j - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


def _index_colonne(lettres: bytes | str) -> int:
    """Indice (0 = A) d'une colonne écrite en lettres, majuscules ou minuscules."""
    n = 0
    for c in lettres.upper() if isinstance(lettres, str) else lettres.upper().decode():
        n = n * 26 + (ord(c) - 64)
    return n - 1


# --- Refus -------------------------------------------------------------------------------


def _illisible(nom: str, quoi: str = "classeur endommagé ou incomplet") -> FichierRefuse:
    return FichierRefuse(
        nom,
        "fichier_illisible",
        f"{nom} : {quoi} ; il n'a pas été lu. Ouvrez-le dans Excel ou LibreOffice, "
        "enregistrez-le de nouveau au format .xlsx et téléversez cette copie.",
    )


def _protege(nom: str) -> FichierRefuse:
    return FichierRefuse(
        nom,
        "protege_mot_de_passe",
        f"{nom} : classeur protégé par un mot de passe. Ouvrez-le dans Excel, retirez la "
        "protection (Fichier > Informations > Protéger le classeur) et téléversez-le de nouveau.",
    )


def _bombe(nom: str, limites: Limites) -> FichierRefuse:
    return FichierRefuse(
        nom,
        "archive_suspecte",
        f"{nom} : le classeur se décompresserait en un volume anormal (plus de "
        f"{nombre(limites.decompresse_max / 2**20)} Mo ou taux de compression de plus de "
        f"{nombre(limites.ratio_max)} pour 1). Il n'a pas été lu. Réenregistrez-le depuis Excel.",
    )


@dataclass
class Etendue:
    """Ce qu'une feuille implique une fois lue : la grille de A1 à sa dernière cellule
    (`lignes` × `colonnes`), les cellules que le lecteur garde en mémoire en la lisant,
    et le texte qu'elles portent, copies comprises."""

    lignes: int = 0
    colonnes: int = 0
    cellules: int = 0
    caracteres: int = 0
    # Comment la feuille a été mesurée, pour dire à la personne quoi corriger.
    repetitions: bool = False

    def etendre(self, ligne: int, colonne: int) -> None:
        """Une cellule (indices à partir de 0) agrandit la grille jusqu'à elle."""
        if ligne >= self.lignes:
            self.lignes = ligne + 1
        if colonne >= self.colonnes:
            self.colonnes = colonne + 1


def _coin(etendue: Etendue) -> str:
    return f"{lettres_colonne(max(etendue.colonnes, 1) - 1)}{max(etendue.lignes, 1)}"


def depasse(etendue: Etendue, limites: Limites) -> bool:
    """Vrai si la feuille dépasse l'une des limites (voir `verifier_etendue`)."""
    try:
        verifier_etendue("", "", etendue, limites)
    except FichierRefuse:
        return True
    return False


def verifier_etendue(
    nom: str,
    feuille: str,
    etendue: Etendue,
    limites: Limites,
    conseil: str | None = None,
    texte_permis: int | None = None,
) -> None:
    """Refuse une feuille plus grande que les limites, en disant quoi corriger. Le texte
    permis est celui de ses cellules (`Limites.texte_permis`), sauf `texte_permis`."""
    if texte_permis is None:
        texte_permis = limites.texte_permis(etendue.cellules)
    ou = f"la feuille « {citer(feuille)} »" if feuille else "le fichier"
    coin = _coin(etendue)
    jusqu_a = "" if etendue.repetitions else f" (jusqu'à la cellule {coin})"
    if conseil is None and etendue.repetitions:
        conseil = (
            "Des lignes ou des cellules y sont répétées jusqu'au bas ou au bout de la feuille "
            "(mises en forme ou recopiées) : supprimez les lignes et colonnes vides au-delà du "
            "tableau, enregistrez et téléversez de nouveau ; sinon, scindez le fichier."
        )
    elif conseil is None:
        conseil = (
            "Si le tableau est plus petit, une cellule remplie loin de lui l'agrandit : "
            "supprimez les lignes et les colonnes au-delà du tableau, jusqu'à la ligne "
            f"{nombre(max(etendue.lignes, 1))} et la colonne "
            f"{lettres_colonne(max(etendue.colonnes, 1) - 1)}, enregistrez et téléversez de "
            "nouveau ; sinon, scindez le fichier."
        )
    grille = etendue.lignes * etendue.colonnes
    if etendue.lignes > limites.lignes_max:
        code = "trop_de_lignes"
        quoi = f"s'étend sur {nombre(etendue.lignes)} lignes{jusqu_a}"
        limite = f"{nombre(limites.lignes_max)} permises"
    elif etendue.colonnes > limites.colonnes_max:
        code = "trop_de_colonnes"
        quoi = (
            f"s'étend sur {nombre(etendue.colonnes)} colonnes (jusqu'à la colonne "
            f"{lettres_colonne(etendue.colonnes - 1)})"
        )
        limite = f"{nombre(limites.colonnes_max)} permises"
    elif grille > limites.cellules_max:
        code = "trop_de_cellules"
        quoi = (
            f"couvre {nombre(etendue.lignes)} lignes × {nombre(etendue.colonnes)} colonnes"
            f"{jusqu_a}, soit {nombre(grille)} cellules"
        )
        limite = f"{nombre(limites.cellules_max)} permises"
    elif etendue.cellules > limites.cellules_max:
        code = "trop_de_cellules"
        quoi = f"déclare {nombre(etendue.cellules)} cellules"
        limite = f"{nombre(limites.cellules_max)} permises"
    elif etendue.caracteres > texte_permis:
        code = "texte_trop_long"
        quoi = f"porterait {nombre(etendue.caracteres)} caractères de texte une fois " + (
            "lue" if feuille else "lu"
        )
        limite = f"{nombre(texte_permis)} permis"
        conseil = (
            "Un même texte y est copié dans un très grand nombre de cellules, ou un texte "
            "démesuré s'y trouve : retirez-le, enregistrez et téléversez de nouveau."
        )
    else:
        return
    raise FichierRefuse(nom, code, f"{nom} : {ou} {quoi}, plus que les {limite}. {conseil}")


# --- Format ------------------------------------------------------------------------------


def reconnaitre(nom: str, contenu: bytes) -> str:
    """Le format réel du fichier (« zip », « xls » ou « csv »), d'après son contenu.

    Refuse ce qui n'est pas un classeur : un PDF renommé, un classeur protégé par mot de
    passe, un binaire nommé .csv."""
    extension = Path(nom).suffix.casefold()
    if not contenu.strip():
        raise FichierRefuse(nom, "fichier_vide", f"{nom} : le fichier est vide (aucune demande).")
    if contenu.startswith(SIGNATURE_ZIP):
        return "zip"
    if contenu.startswith(SIGNATURE_OLE):
        if (
            b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e"
            in contenu
        ):
            raise _protege(nom)
        return "xls"
    if contenu.startswith(b"%PDF"):
        raise FichierRefuse(
            nom,
            "format_non_reconnu",
            f"{nom} : c'est un document PDF, pas un classeur. Demandez le fichier Excel "
            "(.xlsx) ou saisissez la demande dans le gabarit.",
        )
    if extension in (".csv", ".txt"):
        if contenu.startswith(_BOM_UTF16):
            return "csv"
        debut = contenu[:4096]
        if debut.count(b"\x00") > max(2, len(debut) // 100):  # un binaire, pas un NUL égaré
            raise FichierRefuse(
                nom,
                "format_non_reconnu",
                f"{nom} : fichier binaire nommé {extension}, illisible comme texte. Enregistrez "
                "le tableau au format .xlsx ou en CSV (UTF-8) depuis Excel.",
            )
        return "csv"
    raise FichierRefuse(
        nom,
        "format_non_reconnu",
        f"{nom} : le contenu n'est pas un classeur ({extension or 'sans extension'} annoncé). "
        "Formats acceptés : .xlsx, .xlsm, .xls, .ods et .csv.",
    )


# --- Archives (xlsx, xlsm, ods) ------------------------------------------------------------


@dataclass
class _Archive:
    genre: str  # « xlsx » ou « ods »
    en_erreur: set[str] = field(default_factory=set)  # feuilles XML aux cellules #N/A…


def _ressemble_a_du_xml(debut: bytes) -> bool:
    """Une partie qu'un lecteur XML peut lire comme une feuille, quel que soit son nom (une
    relation forgée peut désigner « image1.png » comme feuille)."""
    return debut.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or _utf16(debut)


def _utf16(debut: bytes) -> bool:
    """Du XML en UTF-16 : la voie rapide, qui cherche des octets, n'y verrait rien."""
    return debut[:2] in _BOM_UTF16 or debut.startswith((b"<\x00", b"\x00<"))


def _morceaux(archive: zipfile.ZipFile, info: zipfile.ZipInfo, compteur: list[int], limites, nom):
    """Décompresse une partie par morceaux, sans jamais dépasser la limite décompressée
    (comptée sur toute l'archive, y compris les relectures)."""
    with archive.open(info) as membre:
        while morceau := membre.read(_MORCEAU):
            compteur[0] += len(morceau)
            if compteur[0] > limites.decompresse_max:
                raise _bombe(nom, limites)
            yield morceau


def _ouvrir_archive(nom: str, contenu: bytes, limites: Limites) -> _Archive:
    """Vérifie une archive avant qu'un lecteur l'ouvre : nombre de parties, tailles annoncées
    puis réelles (bombe de décompression), format, et dimensions de chaque feuille."""
    # Le répertoire central compte une entrée par partie : des centaines de milliers
    # d'entrées coûteraient des centaines de Mo avant même d'en lire une.
    if contenu.count(b"PK\x01\x02") > limites.membres_max:
        raise _trop_de_parties(nom, limites)
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            infos = archive.infolist()
            if len(infos) > limites.membres_max:
                raise _trop_de_parties(nom, limites)
            noms = {i.filename for i in infos}
            if len(noms) != len(infos):  # deux parties de même nom : laquelle serait lue ?
                raise _illisible(nom, "archive ambiguë (deux parties portent le même nom)")
            if sum(i.file_size for i in infos) > limites.decompresse_max:
                raise _bombe(nom, limites)
            for info in infos:
                if info.file_size > 1_000_000 and info.file_size > limites.ratio_max * max(
                    info.compress_size, 1
                ):
                    raise _bombe(nom, limites)
            resultat = _Archive(_genre_archive(nom, archive, noms))
            _mesurer_archive(nom, archive, infos, resultat, limites)
            return resultat
    except (FichierRefuse, MemoryError):
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError):
        raise _illisible(nom, "classeur endommagé ou incomplet (l'archive ne se lit pas)") from None
    except NotImplementedError:
        raise _illisible(nom, "archive compressée d'une façon non prise en charge") from None


def _trop_de_parties(nom: str, limites: Limites) -> FichierRefuse:
    return FichierRefuse(
        nom,
        "archive_suspecte",
        f"{nom} : l'archive compte plus de {nombre(limites.membres_max)} parties, ce qu'aucun "
        "classeur n'a. Elle n'a pas été lue. Réenregistrez le classeur depuis Excel.",
    )


def _genre_archive(nom: str, archive: zipfile.ZipFile, noms: set[str]) -> str:
    """Le format que calamine lira : il essaie xlsx avant ods (une archive qui porte les
    deux est mesurée des deux façons, voir `_mesurer_archive`)."""
    if "xl/workbook.xml" in noms:
        return "xlsx"
    if "xl/workbook.bin" in noms:
        raise FichierRefuse(
            nom,
            "format_non_reconnu",
            f"{nom} : classeur binaire Excel (.xlsb), non pris en charge. Dans Excel, "
            "Fichier > Enregistrer sous > Classeur Excel (.xlsx), puis téléversez cette copie.",
        )
    if "mimetype" in noms:
        with archive.open("mimetype") as f:
            if b"opendocument.spreadsheet" in f.read(200):
                return "ods"
    raise FichierRefuse(
        nom,
        "format_non_reconnu",
        f"{nom} : archive ZIP qui n'est pas un classeur Excel ou OpenDocument. "
        "Enregistrez le fichier au format .xlsx.",
    )


def _mesurer_archive(
    nom: str,
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    resultat: _Archive,
    limites: Limites,
) -> None:
    compteur = [0]
    for info in infos:
        # D'un ods, calamine ne lit que content.xml, toutes ses feuilles (masquées comprises).
        # Mesuré quel que soit le format annoncé : si calamine ne peut lire l'archive comme
        # un xlsx, il la lit comme un ods.
        if info.filename == "content.xml":
            mesure = _MesureOds(nom, limites)
            mesure.lire(_morceaux(archive, info, compteur, limites, nom))
    if resultat.genre == "ods" and not any(i.filename.startswith("xl/") for i in infos):
        return
    noms_feuilles = _feuilles_xml(archive)
    feuilles_par_chemin = {chemin: f for f, chemin in noms_feuilles.items()}
    # Les textes partagés d'abord : la mesure des feuilles en a besoin.
    partages = _TextesPartages()
    cellules = 0
    ordre = sorted(infos, key=lambda i: not i.filename.casefold().endswith("sharedstrings.xml"))
    for info in ordre:
        morceaux = _morceaux(archive, info, compteur, limites, nom)
        premier = next(morceaux, b"")
        if not _ressemble_a_du_xml(premier[:64]):
            for _ in morceaux:  # compté quand même : la taille réelle peut mentir
                pass
            continue
        if info.filename.casefold().endswith("sharedstrings.xml"):
            partages.lire(_chainer(premier, morceaux))
            # Plus que n'en permettrait le plus grand nombre de cellules : refusé tout de
            # suite ; sinon, une fois les cellules du fichier comptées (ci-dessous).
            plafond = limites.texte_permis(limites.cellules_max)
            verifier_etendue(nom, "", Etendue(caracteres=partages.total), limites, None, plafond)
            continue
        feuille = feuilles_par_chemin.get(info.filename, info.filename)
        mesure = _MesureXlsx(partages, canonique=not _utf16(premier[:64]))
        mesure.lire(_chainer(premier, morceaux))
        if mesure.en_erreur:
            resultat.en_erreur.add(info.filename)
        if not mesure.canonique:
            # Forme inhabituelle (cellules sans référence, préfixes...) : relue pas à pas,
            # comme calamine la lira.
            lente = _MesureXlsxLente(nom, feuille, partages, limites)
            lente.lire(_morceaux(archive, info, compteur, limites, nom))
            etendue = lente.etendue
        else:
            etendue = mesure.etendue
        verifier_etendue(nom, feuille, etendue, limites)
        cellules += etendue.cellules
    # calamine charge tous les textes partagés à l'ouverture, même ceux qu'aucune cellule
    # n'emploie : leur total a droit au texte de toutes les cellules du fichier.
    permis = limites.texte_permis(cellules)
    verifier_etendue(nom, "", Etendue(caracteres=partages.total), limites, None, permis)


def _chainer(premier: bytes, reste: Iterator[bytes]) -> Iterator[bytes]:
    if premier:
        yield premier
    yield from reste


def _decouper(morceaux: Iterator[bytes], avant: bytes = b"<") -> Iterator[bytes]:
    """Des morceaux qui ne coupent jamais une balise : chacun s'arrête avant sa dernière
    occurrence de `avant` (« < », ou « <c  » pour ne jamais couper une cellule), reprise au
    morceau suivant."""
    reste = b""
    for morceau in morceaux:
        donnees = reste + morceau
        coupure = donnees.rfind(avant)
        if coupure <= 0:
            reste = donnees
            if len(reste) > 16 * _MORCEAU:  # un texte de 16 Mo sans balise : on le passe
                yield reste
                reste = b""
            continue
        yield donnees[:coupure]
        reste = donnees[coupure:]
    if reste:
        yield reste


# -- xlsx : la voie rapide ------------------------------------------------------------------

# Excel, LibreOffice, openpyxl et xlsxwriter écrivent toutes les cellules ainsi : la référence
# en premier attribut, les lignes dans l'ordre. La voie rapide ne lit que ces références, par
# des recherches en C, sans objet Python par cellule ; toute autre forme envoie la feuille à
# la voie lente, qui suit le XML balise par balise.
_REF = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"')
_REF_SEULE = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
_DEUX_LETTRES = re.compile(rb'<c r="([A-Za-z]{2})[0-9]')
_C_AUTRE = re.compile(rb"<c[\t\n\r/>]")
_C_PREFIXE = re.compile(rb":c[\s/>]")
# Un attribut « r » écrit autrement que ` r="` (tabulation, espaces autour de =, apostrophes).
_R_AUTRE = re.compile(rb"[\t\n\r]r\s*=")
_R_ESPACE = re.compile(rb" r(?:\s+=|=')")
_PARTAGEE = re.compile(rb't="s"><v>([0-9]{1,10})</v>')
_MARQUE_ERREUR = b't="e"'
_SI = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")


def _superieur(m: int) -> bytes:
    """Motif d'un numéro de ligne plus grand que m (plus de chiffres, ou autant et plus grand)."""
    chiffres = str(m)
    motifs = [b"[0-9]{%d,}" % (len(chiffres) + 1)]
    for i, c in enumerate(chiffres):
        if c != "9":
            reste = len(chiffres) - i - 1
            motifs.append(chiffres[:i].encode() + b"[%d-9][0-9]{%d}" % (int(c) + 1, reste))
    return b"(?:" + b"|".join(motifs) + b')"'


@lru_cache(maxsize=64)
def _anomalie(ligne_max: int) -> re.Pattern:
    """Une référence que la voie rapide ne sait pas borner : à trois lettres, à zéros de tête
    (« A0007 »), ou sur une ligne plus loin que `ligne_max`. (Une référence illisible, elle,
    fait échouer calamine : le fichier est refusé de toute façon.)"""
    return re.compile(rb'<c r="(?:[A-Za-z]{3}|[A-Za-z]{1,2}(?:0|' + _superieur(ligne_max) + b"))")


@lru_cache(maxsize=32)
def _au_dela(lettre: int) -> re.Pattern:
    """Une référence à une lettre plus loin que la colonne `lettre` (0 = A), en majuscule ou
    en minuscule."""
    suivantes = bytes(range(65 + lettre + 1, 91)) + bytes(range(97 + lettre + 1, 123))
    return re.compile(rb'<c r="([' + re.escape(suivantes) + rb"])[0-9]")


def _plus_grande_lettre(donnees: bytes) -> int:
    """La plus grande colonne (0 = A) des références d'un morceau qui n'en a aucune à deux
    ou trois lettres. Candidate : la dernière cellule de la dernière ligne complète (une
    feuille rectangulaire finit chaque ligne à sa plus grande colonne) ; une recherche
    vérifie qu'aucune référence ne va plus loin, et recommence depuis celle qu'elle trouve.
    Une ou deux recherches d'ordinaire, là où lire chaque référence coûtait cinq fois plus
    (et qu'une borne à Z faisait relire toute feuille de plus de 76 923 lignes)."""
    fin = donnees.rfind(b"</row>")
    debut = donnees.rfind(b'<c r="', 0, fin if fin >= 0 else len(donnees)) + 6
    candidate = donnees[debut : debut + 1].upper() if debut >= 6 else b""
    lettre = candidate[0] - 65 if candidate and candidate.isalpha() else -1
    while lettre < 25:
        plus = _au_dela(lettre).search(donnees)
        if plus is None:
            break
        lettre = plus.group(1).upper()[0] - 65
    return max(lettre, 0)


@dataclass
class _TextesPartages:
    """Longueurs des textes partagés d'un xlsx (xl/sharedStrings.xml), que calamine charge
    tous, puis copie dans chaque cellule qui y renvoie."""

    longueurs: list[int] = field(default_factory=list)
    total: int = 0
    plus_long: int = 0

    def lire(self, morceaux: Iterator[bytes]) -> None:
        # Longueur d'un texte : les octets de son <si>, balises de mise en forme comprises
        # (un majorant du nombre de caractères). Découpé en C, sans boucle par texte.
        longueurs = self.longueurs
        for donnees in _decouper(morceaux, b"<si"):
            morceaux_si = _SI.split(donnees)
            if longueurs:  # la suite du texte précédent, s'il a été coupé
                longueurs[-1] += len(morceaux_si[0])
            longueurs.extend(map(len, morceaux_si[1:]))
        self.total = sum(self.longueurs)
        self.plus_long = max(self.longueurs, default=0)


@dataclass
class _MesureXlsx:
    """Mesure d'une feuille xlsx sous sa forme habituelle, morceau par morceau : la plus
    grande ligne est celle de la dernière cellule, à condition qu'aucune référence ne la
    dépasse (une recherche le vérifie) ; la plus grande colonne se lit parmi les colonnes à
    deux lettres, ou, sans elles, en cherchant une colonne au-delà de la plus grande vue
    (`_plus_grande_lettre`). En `exacte`, chaque référence est lue (plus lent) : pour une
    feuille désordonnée."""

    partages: _TextesPartages
    exacte: bool = False
    etendue: Etendue = field(default_factory=Etendue)
    canonique: bool = True
    en_erreur: bool = False
    _ligne_max: int = 0

    def lire(self, morceaux: Iterator[bytes]) -> None:
        # Une cellule n'est jamais coupée entre deux morceaux (ni, donc, une balise).
        for donnees in _decouper(morceaux, b"<c "):
            if _MARQUE_ERREUR in donnees:
                self.en_erreur = True
            if self.canonique:
                self._morceau(donnees)

    def _morceau(self, donnees: bytes) -> None:
        n = donnees.count(b'<c r="')
        # Chaque « <c » porte sa référence en premier, et aucun autre attribut « r » n'existe
        # (une cellule qui en porterait deux serait placée par le second).
        if (
            donnees.count(b"<c ") != n
            or donnees.count(b' r="') != n + donnees.count(b'<row r="')
            or _C_AUTRE.search(donnees)
            or _C_PREFIXE.search(donnees)
            or (
                (b"\t" in donnees or b"\n" in donnees or b"\r" in donnees)
                and _R_AUTRE.search(donnees)
            )
            or _R_ESPACE.search(donnees)
        ):
            self.canonique = False
            return
        if n == 0:
            return
        self.etendue.cellules += n
        if not self.exacte and self._bornes(donnees):
            pass
        elif not self._exacte(donnees):
            self.canonique = False
            return
        if self.partages.longueurs:
            self._partages(donnees)

    def _bornes(self, donnees: bytes) -> bool:
        debut = donnees.rfind(b'<c r="') + 6
        derniere = _REF_SEULE.match(donnees, debut)
        if derniere is None:
            return False
        ligne = max(self._ligne_max, int(derniere.group(2)))
        if _anomalie(ligne).search(donnees):
            return False
        self._ligne_max = ligne
        deux = _DEUX_LETTRES.findall(donnees)
        colonne = max(map(_index_colonne, set(deux))) if deux else _plus_grande_lettre(donnees)
        self.etendue.etendre(ligne - 1, colonne)
        return True

    def _exacte(self, donnees: bytes) -> bool:
        refs = _REF.findall(donnees)
        if len(refs) != donnees.count(b'<c r="'):  # une référence illisible : voie lente
            return False
        lettres, chiffres = zip(*refs, strict=True)
        ligne = max(map(int, set(chiffres)))
        if min(map(int, set(chiffres))) == 0:  # « A0 » : calamine soustrait 1 d'une ligne 0
            return False
        self.etendue.etendre(ligne - 1, max(map(_index_colonne, set(lettres))))
        return True

    def _partages(self, donnees: bytes) -> None:
        indices = _PARTAGEE.findall(donnees)
        longueurs = self.partages.longueurs
        if donnees.count(b't="s"') != len(indices):
            # Forme inhabituelle : chaque cellule est supposée porter le plus long texte.
            self.etendue.caracteres += donnees.count(b't="s"') * self.partages.plus_long
            return
        try:
            self.etendue.caracteres += sum(map(longueurs.__getitem__, map(int, indices)))
        except IndexError:  # renvoi à un texte qui n'existe pas : le plus long, par prudence
            self.etendue.caracteres += len(indices) * self.partages.plus_long


# -- xlsx : la voie lente -------------------------------------------------------------------


class _Arret(Exception):
    """Interrompt une lecture XML pas à pas dès qu'un refus est certain."""


def _lecteur_xml(debut: Callable, fin: Callable, texte: Callable | None = None):
    """Un lecteur expat qui refuse toute DTD : aucun classeur n'en porte, et une entité
    déclarée peut se déployer en gigaoctets."""
    lecteur = xml.parsers.expat.ParserCreate()

    def dtd(*_):
        raise _Arret("dtd")

    lecteur.StartDoctypeDeclHandler = dtd
    lecteur.EntityDeclHandler = dtd
    lecteur.StartElementHandler = debut
    lecteur.EndElementHandler = fin
    if texte is not None:
        lecteur.CharacterDataHandler = texte
    lecteur.buffer_text = True
    return lecteur


def _analyser(nom: str, feuille: str, lecteur, morceaux: Iterator[bytes]) -> None:
    try:
        for morceau in morceaux:
            lecteur.Parse(morceau, False)
        lecteur.Parse(b"", True)
    except _Arret as exc:
        if str(exc) == "dtd":
            raise _illisible(nom, "classeur au XML inhabituel (déclaration DTD)") from None
        raise
    except xml.parsers.expat.ExpatError:
        ou = f" (feuille « {citer(feuille)} »)" if feuille else ""
        raise _illisible(nom, f"classeur endommagé : XML mal formé{ou}") from None


_POSITION = re.compile(r"([A-Za-z]+)([0-9]+)")


class _MesureXlsxLente:
    """Suit les lignes et cellules comme calamine : une cellule sans référence prend la
    colonne qui suit la précédente, sur la ligne courante ; une ligne sans numéro suit la
    précédente. Toute cellule qui a un contenu agrandit la grille."""

    def __init__(self, nom: str, feuille: str, partages: _TextesPartages, limites: Limites):
        self.nom, self.feuille, self.limites = nom, feuille, limites
        self.partages = partages
        self.etendue = Etendue()
        self.ligne = self.colonne = 0
        self.cellule: tuple[int, int] | None = None
        self.partagee = False
        self.elements = 0
        self.plafond = 8 * limites.cellules_max + 1_000_000

    def _position(self, ref: str) -> tuple[int, int]:
        m = _POSITION.fullmatch(ref.strip())
        if m is None or int(m.group(2)) == 0:
            raise _illisible(
                self.nom, f"référence de cellule illisible « {citer(ref)} » dans le classeur"
            )
        return int(m.group(2)) - 1, _index_colonne(m.group(1))

    def debut(self, balise: str, attributs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.plafond:
            raise _Arret("elements")
        local = balise.rpartition(":")[2]
        if local == "row":
            ref = attributs.get("r")
            if ref is not None:
                if not re.fullmatch(r"[0-9]+", ref) or int(ref) == 0:
                    raise _illisible(self.nom, f"numéro de ligne illisible « {citer(ref)} »")
                self.ligne = int(ref) - 1
        elif local == "c":
            ref = attributs.get("r")
            if ref is not None:
                position = self._position(ref)
                self.colonne = position[1]
            else:
                position = (self.ligne, self.colonne)
            self.colonne += 1
            self.cellule = position
            self.partagee = attributs.get("t") == "s"
            self.etendue.cellules += 1
        elif self.cellule is not None:  # un contenu (<v>, <is>, <f>) : la cellule compte
            self.etendue.etendre(*self.cellule)
            if self.partagee:
                self.etendue.caracteres += self.partages.plus_long
            self.cellule = None

    def fin(self, balise: str) -> None:
        local = balise.rpartition(":")[2]
        if local == "row":
            self.ligne += 1
            self.colonne = 0
        elif local == "c":
            self.cellule = None

    def lire(self, morceaux: Iterator[bytes]) -> None:
        lecteur = _lecteur_xml(self.debut, self.fin)
        try:
            _analyser(self.nom, self.feuille, lecteur, morceaux)
        except _Arret:  # trop d'éléments : la grille est démesurée, quelle qu'elle soit
            self.etendue.cellules = max(self.etendue.cellules, self.limites.cellules_max + 1)


# -- ods -------------------------------------------------------------------------------------

_VALEURS_ODS = (
    "office:value",
    "office:string-value",
    "office:date-value",
    "office:time-value",
    "office:boolean-value",
)
_CELLULES_ODS = ("table:table-cell", "table:covered-table-cell")


def _repetitions(attributs: dict[str, str], cle: str) -> int:
    valeur = attributs.get(cle)
    if valeur is None:
        return 1
    try:
        return max(int(valeur), 0)
    except ValueError:  # calamine refusera le fichier ; 1 d'ici là
        return 1


class _MesureOds:
    """Suit content.xml comme calamine le lit : une cellule répétée n fois est copiée n fois ;
    des cellules vides ne comptent que suivies d'une cellule remplie ; des lignes vides ne
    comptent que suivies d'une ligne remplie (les lignes vides répétées que LibreOffice écrit
    au bas de chaque feuille ne coûtent donc rien) ; une ligne remplie répétée n fois l'est
    vraiment. Toutes les feuilles comptent, masquées comprises."""

    def __init__(self, nom: str, limites: Limites):
        self.nom, self.limites = nom, limites
        self.feuille = ""
        self.etendue = Etendue(repetitions=True)
        self.cumul = 0  # lignes déjà vues dans la feuille, répétitions comprises
        self.tables = 0
        # [répétitions, cellules écrites, vides en attente, largeur, texte] par ligne ouverte
        self.lignes: list[list[int]] = []
        self.cellules: list[list[int]] = []  # [répétitions, remplie, texte, écrite]
        self.elements = 0
        self.plafond = 8 * limites.cellules_max + 1_000_000

    def debut(self, balise: str, attributs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.plafond:
            self.etendue.cellules = self.limites.cellules_max + 1
            self._verifier()
        if balise in _CELLULES_ODS:
            # Une valeur, ou un texte même vide, remplit la cellule ; une formule seule la
            # fait écrire (calamine garde aussi les formules) sans agrandir la grille.
            remplie = any(c in attributs for c in _VALEURS_ODS) or (
                attributs.get("office:value-type") == "string"
            )
            formule = attributs.get("table:formula", "")
            texte = sum(len(attributs.get(c, "")) for c in _VALEURS_ODS[1:4]) + len(formule)
            repetitions = _repetitions(attributs, "table:number-columns-repeated")
            self.cellules.append([repetitions, remplie, texte, remplie or bool(formule)])
        elif balise == "table:table-row":
            repetitions = _repetitions(attributs, "table:number-rows-repeated")
            self.lignes.append([repetitions, 0, 0, 0, 0])
        elif balise == "table:table":
            if self.tables == 0 and not self.cellules:
                self._nouvelle_feuille(attributs.get("table:name", ""))
            self.tables += 1
        elif self.cellules and balise == "text:s":
            self.cellules[-1][2] += _repetitions(attributs, "text:c")
        elif self.cellules and balise == "text:p":
            self.cellules[-1][2] += 1

    def texte(self, donnees: str) -> None:
        if self.cellules:
            self.cellules[-1][2] += len(donnees)

    def fin(self, balise: str) -> None:
        if balise in _CELLULES_ODS and self.cellules:
            repetitions, remplie, texte, ecrite = self.cellules.pop()
            if self.lignes:
                ligne = self.lignes[-1]
                ligne[1] += ligne[2]  # les vides en attente sont écrites avant elle
                ligne[2] = 0
                if ecrite:
                    ligne[1] += repetitions
                    ligne[4] += texte * repetitions
                    if remplie:
                        ligne[3] = ligne[1]
                else:
                    ligne[2] = repetitions
        elif balise == "table:table-row" and self.lignes:
            repetitions, poussees, _, largeur, texte = self.lignes.pop()
            e = self.etendue
            e.cellules += poussees
            if largeur:
                e.lignes = self.cumul + repetitions
                e.colonnes = max(e.colonnes, largeur)
                e.caracteres += texte * repetitions
            self.cumul += repetitions
            if e.cellules > self.limites.cellules_max or e.lignes > self.limites.lignes_max:
                self._verifier()
        elif balise == "table:table":
            self.tables = max(self.tables - 1, 0)
            if self.tables == 0:
                self._verifier()

    def _nouvelle_feuille(self, nom_feuille: str) -> None:
        self._verifier()
        self.feuille = nom_feuille
        self.etendue = Etendue(repetitions=True)
        self.cumul = 0

    def _verifier(self) -> None:
        verifier_etendue(self.nom, self.feuille, self.etendue, self.limites)

    def lire(self, morceaux: Iterator[bytes]) -> None:
        lecteur = _lecteur_xml(self.debut, self.fin, self.texte)
        _analyser(self.nom, self.feuille, lecteur, morceaux)
        self._verifier()


# --- xls -------------------------------------------------------------------------------------

# Enregistrements BIFF qui placent une cellule (ligne et colonne en tête), d'après [MS-XLS] :
# NUMBER, LABEL, BOOLERR, RK, LABELSST, FORMULA, RSTRING.
_CELLULES_XLS = frozenset({0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006, 0x00D6})
_MULRK, _DIMENSIONS, _BOUNDSHEET, _SST, _EOF = 0x00BD, 0x0200, 0x0085, 0x00FC, 0x000A


def _mesurer_xls(nom: str, contenu: bytes, limites: Limites) -> None:
    """Lit les dimensions d'un .xls dans ses enregistrements BIFF : DIMENSIONS (calamine
    réserve la place qu'il annonce), les cellules (la grille va de A1 à la plus éloignée)
    et le nombre de textes partagés annoncé (réservé lui aussi)."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(contenu))
        flux_nom = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
        if flux_nom is None:
            raise FichierRefuse(
                nom,
                "format_non_reconnu",
                f"{nom} : document Office qui n'est pas un classeur Excel (un document Word "
                "renommé ?). Formats acceptés : .xlsx, .xlsm, .xls, .ods et .csv.",
            )
        flux = ole.openstream(flux_nom).read()
    except FichierRefuse:
        raise
    except Exception:  # olefile signale un conteneur OLE abîmé par plusieurs types
        raise _illisible(nom, "classeur .xls endommagé") from None
    feuilles: list[tuple[int, str]] = []
    for typ, debut, taille in _enregistrements(flux, 0):
        donnees = flux[debut : debut + taille]
        if typ == _BOUNDSHEET and taille >= 8:
            position = struct.unpack_from("<I", donnees)[0]
            feuilles.append((position, _nom_feuille_xls(donnees)))
        elif typ == _SST and taille >= 8:
            uniques = struct.unpack_from("<i", donnees, 4)[0]
            # Chaque texte prend au moins 3 octets : un nombre annoncé plus grand est forgé.
            if uniques < 0 or uniques > len(flux) // 3:
                raise _illisible(nom, "classeur .xls endommagé (table des textes incohérente)")
        elif typ == _EOF:
            break
    for position, feuille in feuilles:
        if position >= len(flux):
            raise _illisible(nom, "classeur .xls endommagé (feuille introuvable)")
        verifier_etendue(nom, feuille, _etendue_xls(flux, position, nom, feuille, limites), limites)


def _enregistrements(flux: bytes, debut: int) -> Iterator[tuple[int, int, int]]:
    """(type, début des données, taille) de chaque enregistrement BIFF à partir de `debut`."""
    i, n = debut, len(flux)
    while i + 4 <= n:
        typ, taille = struct.unpack_from("<HH", flux, i)
        yield typ, i + 4, taille
        i += 4 + taille


def _nom_feuille_xls(donnees: bytes) -> str:
    longueur = donnees[6] if len(donnees) > 6 else 0
    if len(donnees) > 7 and donnees[7] & 1:
        return donnees[8 : 8 + 2 * longueur].decode("utf-16-le", errors="replace")
    return donnees[8 : 8 + longueur].decode("latin-1")


def _etendue_xls(flux: bytes, position: int, nom: str, feuille: str, limites: Limites) -> Etendue:
    etendue = Etendue()
    for typ, debut, taille in _enregistrements(flux, position):
        if typ in _CELLULES_XLS and taille >= 4:
            ligne, colonne = struct.unpack_from("<HH", flux, debut)
            etendue.etendre(ligne, colonne)
            etendue.cellules += 1
        elif typ == _MULRK and taille >= 6:
            ligne, premiere = struct.unpack_from("<HH", flux, debut)
            derniere = struct.unpack_from("<H", flux, debut + taille - 2)[0]
            etendue.etendre(ligne, max(premiere, derniere))
            etendue.cellules += abs(derniere - premiere) + 1
        elif typ == _DIMENSIONS:
            annoncee = _dimensions_xls(flux[debut : debut + taille])
            if annoncee is not None:
                verifier_etendue(nom, feuille, annoncee, limites)
        elif typ == _EOF:
            break
    return etendue


def _dimensions_xls(donnees: bytes) -> Etendue | None:
    """La grille qu'annonce un enregistrement DIMENSIONS (première ligne, dernière + 1,
    première colonne, dernière + 1), comme calamine la calcule pour réserver sa place."""
    if len(donnees) == 14:
        premiere, derniere, colonne, fin = struct.unpack_from("<IIHH", donnees)
    elif len(donnees) == 10:
        premiere, derniere, colonne, fin = struct.unpack_from("<HHHH", donnees)
    else:
        return None
    if derniere < 1 or fin < 1:
        return None
    # Une dernière ligne avant la première : calamine calculerait une taille négative,
    # c'est-à-dire démesurée.
    lignes = derniere - premiere if derniere > premiere else 2**32
    colonnes = fin - colonne if fin > colonne else 2**16
    return Etendue(lignes=lignes, colonnes=colonnes)


# --- csv -------------------------------------------------------------------------------------


def _decoder_texte(contenu: bytes) -> str:
    if contenu.startswith(b"\xef\xbb\xbf"):
        return contenu[3:].decode("utf-8", errors="replace")
    if contenu.startswith(_BOM_UTF16):
        return contenu.decode("utf-16", errors="replace")
    try:
        return contenu.decode("utf-8")
    except UnicodeDecodeError:
        return contenu.decode("cp1252", errors="replace")


def _separateur(debut: str) -> str:
    """Le séparateur (; , tabulation |) qui donne le plus de lignes de même largeur."""
    echantillon = debut.splitlines()[:50]
    meilleur, score = ",", -1
    for separateur in (";", ",", "\t", "|"):
        try:
            largeurs = [len(r) for r in csv.reader(echantillon, delimiter=separateur) if any(r)]
        except csv.Error:
            continue
        if not largeurs:
            continue
        frequente = max(set(largeurs), key=largeurs.count)
        points = (largeurs.count(frequente) * frequente) if frequente > 1 else 0
        if points > score:
            meilleur, score = separateur, points
    return meilleur


def grille_csv(nom: str, contenu: bytes, limites: Limites) -> list[list[object]]:
    """Les lignes d'un CSV, refusé dès qu'il dépasse les limites de lignes, de colonnes,
    de cellules ou de taille d'une cellule."""
    texte = _decoder_texte(contenu)
    separateur = _separateur(texte[:65536])
    lignes: list[list[object]] = []
    largeur = 0
    ancienne = csv.field_size_limit(limites.caracteres_cellule_max)
    lecteur = csv.reader(io.StringIO(texte), delimiter=separateur)
    try:
        for ligne in lecteur:
            if len(lignes) >= limites.lignes_max:
                raise FichierRefuse(
                    nom,
                    "trop_de_lignes",
                    f"{nom} : le fichier compte plus de {nombre(limites.lignes_max)} lignes, la "
                    "limite. Supprimez les lignes vides sous le tableau, ou scindez le fichier.",
                )
            if len(ligne) > largeur:
                largeur = len(ligne)
                if largeur > limites.colonnes_max:
                    raise FichierRefuse(
                        nom,
                        "trop_de_colonnes",
                        f"{nom} : la ligne {nombre(lecteur.line_num)} compte "
                        f"{nombre(largeur)} colonnes, plus que les "
                        f"{nombre(limites.colonnes_max)} permises. Vérifiez le séparateur de "
                        "colonnes et supprimez les colonnes vides à droite du tableau.",
                    )
            if (len(lignes) + 1) * largeur > limites.cellules_max:
                verifier_etendue(
                    nom,
                    "",
                    Etendue(len(lignes) + 1, largeur),
                    limites,
                    "Vérifiez le séparateur de colonnes, supprimez les lignes et colonnes vides "
                    "du tableau, ou scindez le fichier.",
                )
            lignes.append(ligne)
    except csv.Error:
        raise FichierRefuse(
            nom,
            "fichier_illisible",
            f"{nom} : à partir de la ligne {nombre(lecteur.line_num)}, une cellule dépasse "
            f"{nombre(limites.caracteres_cellule_max)} caractères (la limite d'Excel) : un "
            "guillemet ouvert n'y est sans doute jamais fermé. Corrigez cette ligne, ou "
            "enregistrez de nouveau le fichier depuis Excel.",
        ) from None
    finally:
        csv.field_size_limit(ancienne)
    return lignes


# Ce qu'Excel écrit dans un CSV à la place d'une cellule en erreur, en anglais et en français
# (« Enregistrer sous… CSV » garde le texte affiché).
CODES_ERREUR_EXCEL = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#VALEUR!",
        "#NOM?",
        "#NOMBRE!",
        "#NUL!",
        "#PROPAGATION!",
        "#CALCUL!",
    }
)


def _erreurs_ecrites(grille: list[list[object]]) -> bool:
    """Remplace dans `grille` chaque texte qui est un code d'erreur d'Excel par une
    `CelluleEnErreur`, comme le fait la lecture d'un classeur : une cellule en erreur d'un
    CSV est dite telle quelle (facultative, elle est ignorée avec un avertissement ; la
    région manquante est tirée du répertoire) au lieu d'être lue comme une valeur inconnue.
    Vrai s'il y en avait une."""
    trouve = False
    for ligne in grille:
        for j, valeur in enumerate(ligne):
            if (
                isinstance(valeur, str)
                and "#" in valeur[:4]
                and valeur.strip().upper() in CODES_ERREUR_EXCEL
            ):
                ligne[j] = CelluleEnErreur(valeur.strip().upper())
                trouve = True
    return trouve


# --- Lecture par calamine --------------------------------------------------------------------

_CELLULE_ERREUR = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_REFERENCE = re.compile(rb'\br="([A-Za-z]+)(\d+)"')
_VALEUR = re.compile(rb"<v>([^<]*)</v>")


def _feuilles_xml(archive: zipfile.ZipFile) -> dict[str, str]:
    """Nom de feuille → chemin de son XML dans un classeur xlsx."""
    try:
        with archive.open("xl/workbook.xml") as f:
            classeur = f.read(_MORCEAU)
        with archive.open("xl/_rels/workbook.xml.rels") as f:
            liens = f.read(_MORCEAU)
    except KeyError:
        return {}
    cibles = {}
    for m in re.finditer(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>", liens):
        ident = re.search(rb'\bId="([^"]+)"', m.group(1))
        cible = re.search(rb'\bTarget="([^"]+)"', m.group(1))
        if ident and cible:
            cibles[ident.group(1).decode()] = html.unescape(cible.group(1).decode())
    chemins = {}
    for m in re.finditer(rb"<(?:[\w.-]+:)?sheet\b([^>]*)/?>", classeur):
        attributs = m.group(1)
        nom = re.search(rb'\bname="([^"]*)"', attributs)
        ident = re.search(rb'\br:id="([^"]*)"', attributs) or re.search(
            rb'\bid="([^"]*)"', attributs
        )
        if nom and ident and ident.group(1).decode() in cibles:
            cible = cibles[ident.group(1).decode()].lstrip("/")
            chemin = cible if cible.startswith("xl/") else f"xl/{cible}"
            chemins[html.unescape(nom.group(1).decode("utf-8", errors="replace"))] = chemin
    return chemins


def _erreurs_xlsx(contenu: bytes, membres: set[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Cellules en erreur des feuilles d'un xlsx (parmi `membres`, les XML où la mesure en a
    vu), que calamine rend comme des cellules vides."""
    if not membres:
        return {}
    resultat: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        for feuille, chemin in _feuilles_xml(archive).items():
            if chemin not in membres:
                continue
            xml_feuille = archive.read(chemin)
            erreurs = {}
            for m in _CELLULE_ERREUR.finditer(xml_feuille):
                ref = _REFERENCE.search(m.group(1))
                valeur = _VALEUR.search(m.group(2))
                if ref:
                    position = (int(ref.group(2)) - 1, _index_colonne(ref.group(1)))
                    erreurs[position] = valeur.group(1).decode() if valeur else "#ERREUR"
            resultat[feuille] = erreurs
    return resultat


# Cellules par paquet de lignes transmis par le processus de lecture : un paquet pèse
# quelques Mo une fois en JSON ; la feuille entière n'existe jamais en objets Python dans
# le processus (seulement dans la grille de calamine), ce qui borne sa mémoire.
CELLULES_PAR_PAQUET = 50_000

# Ce que rendent les générateurs ci-dessous : ("feuille", nom, en erreur) au début de chaque
# feuille visible, puis ("lignes", paquet de lignes) autant qu'il en faut.
Evenement = tuple


def _grilles_calamine(
    nom: str, contenu: bytes, en_erreur: set[str], limites: Limites
) -> Iterator[Evenement]:
    """Chaque feuille visible, l'une après l'autre, par paquets de lignes ; la ligne i est la
    ligne Excel i+1 (la grille part de A1, cellules vides comprises, comme
    `to_python(skip_empty_area=False)`)."""
    import python_calamine

    erreurs = _erreurs_xlsx(contenu, en_erreur)
    try:
        classeur = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(contenu))
        for meta in classeur.sheets_metadata:
            if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                continue
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            en_erreur_feuille = erreurs.get(meta.name, {})
            # Annoncée avant d'être lue : la feuille précédente est complète pour qui reçoit.
            yield "feuille", citer(meta.name), bool(en_erreur_feuille)
            feuille = classeur.get_sheet_by_name(meta.name)
            fin = feuille.end
            if fin is None:  # feuille vide : rien à lire (to_python échouerait)
                continue
            # Dernière garde : la grille que calamine rendrait, de A1 à sa fin.
            verifier_etendue(nom, meta.name, Etendue(fin[0] + 1, fin[1] + 1), limites)
            yield from _paquets(feuille, fin[1] + 1, en_erreur_feuille)
            del feuille
    except FichierRefuse:
        raise
    except python_calamine.PasswordError:
        raise _protege(nom) from None
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # calamine lève plusieurs types, et PanicException (Rust)
        # Le détail (en anglais) va au journal, jamais à la personne.
        journal.info("%s : calamine n'a pas lu le classeur (%r)", nom, exc)
        raise _illisible(nom) from None


def _paquets(feuille, largeur: int, erreurs: dict[tuple[int, int], str]) -> Iterator[Evenement]:
    """Les lignes d'une feuille calamine par paquets, cellules en erreur remises en place.

    `iter_rows` part de la ligne 1 mais de la première colonne remplie : les colonnes vides
    à gauche sont rajoutées, pour que la colonne j soit toujours la colonne Excel j+1."""
    gauche = [""] * (feuille.start[1] if feuille.start else 0)
    taille = max(1, CELLULES_PAR_PAQUET // max(largeur, 1))
    par_ligne: dict[int, list[tuple[int, str]]] = {}
    for (i, j), code in erreurs.items():
        par_ligne.setdefault(i, []).append((j, code))
    paquet: list[list[object]] = []
    for i, ligne in enumerate(feuille.iter_rows()):
        if gauche:
            ligne = gauche + ligne
        if par_ligne and i in par_ligne:
            for j, code in par_ligne[i]:
                if j < len(ligne):
                    ligne[j] = CelluleEnErreur(code)
        paquet.append(ligne)
        if len(paquet) >= taille:
            yield "lignes", paquet
            paquet = []
    if paquet:
        yield "lignes", paquet


@contextmanager
def _en_francais(nom: str) -> Iterator[None]:
    """Toute erreur de lecture devient `FichierRefuse`, avec un message en français, jamais
    l'erreur d'une bibliothèque (qui va au journal)."""
    try:
        yield
    except FichierRefuse:
        raise
    except MemoryError:
        raise FichierRefuse(
            nom, "lecture_interrompue", message_interruption(nom, "la mémoire permise")
        ) from None
    except RecursionError:
        raise _illisible(nom, "classeur à la structure démesurée") from None
    except Exception as exc:  # filet : un fichier hostile imprévu est refusé, en français
        journal.info("%s : lecture impossible (%r)", nom, exc, exc_info=True)
        raise _illisible(nom) from None


def _suivre(nom: str, evenements: Iterator[Evenement]) -> Iterator[Evenement]:
    with _en_francais(nom):
        yield from evenements


def evenements(nom: str, contenu: bytes, limites: Limites) -> tuple[str, Iterator[Evenement]]:
    """Le format du fichier, après avoir vérifié tout ce qu'il déclare, et ses feuilles
    visibles, lues une à une à mesure qu'on les demande, par paquets de lignes (voir
    `Evenement`). Lève `FichierRefuse`."""
    with _en_francais(nom):
        genre = reconnaitre(nom, contenu)
        if genre == "csv":
            grille = grille_csv(nom, contenu, limites)
            en_erreur = _erreurs_ecrites(grille)
            return "csv", iter([("feuille", "", en_erreur), ("lignes", grille)])
        if genre == "xls":
            _mesurer_xls(nom, contenu, limites)
            return "xls", _suivre(nom, _grilles_calamine(nom, contenu, set(), limites))
        archive = _ouvrir_archive(nom, contenu, limites)
        grilles_archive = _grilles_calamine(nom, contenu, archive.en_erreur, limites)
        return archive.genre, _suivre(nom, grilles_archive)


def assembler(suite: Iterator[Evenement]) -> Iterator[Feuille]:
    """Les feuilles entières, (nom, lignes, en erreur), à partir des paquets : chacune dès
    que la suivante est annoncée."""
    courante: Feuille | None = None
    for evenement in suite:
        if evenement[0] == "feuille":
            if courante is not None:
                yield courante
            courante = (evenement[1], [], evenement[2])
        else:
            courante[1].extend(evenement[1])
    if courante is not None:
        yield courante


def feuilles(nom: str, contenu: bytes, limites: Limites) -> tuple[str, Iterator[Feuille]]:
    """Le format du fichier, après avoir vérifié tout ce qu'il déclare, et ses feuilles
    visibles, lues une à une à mesure qu'on les demande. Lève `FichierRefuse`."""
    genre, suite = evenements(nom, contenu, limites)
    return genre, assembler(suite)


def grilles(nom: str, contenu: bytes, limites: Limites) -> tuple[str, list[Feuille]]:
    """Comme `feuilles`, toutes lues."""
    genre, suite = feuilles(nom, contenu, limites)
    return genre, list(suite)


def message_interruption(nom: str, quoi: str) -> str:
    return (
        f"{nom} : la lecture du fichier a dépassé {quoi} et a été interrompue ; rien n'en a "
        "été lu. Le fichier contient sans doute une zone démesurée (une cellule isolée très "
        "loin du tableau, des lignes ou colonnes mises en forme jusqu'au bout de la feuille). "
        "Supprimez les lignes et colonnes vides au-delà du tableau, enregistrez au format "
        ".xlsx et téléversez de nouveau."
    )
