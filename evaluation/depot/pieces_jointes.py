"""Les pièces jointes des demandes (issue 18, point 3) : lire une archive ZIP de PDF sans lui
faire confiance, et dire pour chaque PDF à quelle demande il se rattache.

Format de l'archive (décidé ici, documenté dans le README) : chaque PDF porte le numéro de
sa demande au début de son nom (« PAIVMQ-2024-001.pdf », « PAIVMQ-2024-001 - Résolution.pdf »,
« PAIVMQ-2024-001_budget.pdf »), ou est rangé dans un dossier qui porte ce numéro
(« PAIVMQ-2024-001/Résolution.pdf ») ; un dossier qui englobe tout (l'archive d'un dossier)
est permis. Le numéro se compare comme à l'importation des demandes (`texte.cle_identifiant`,
la clé de `validation.cle_numero` : sans casse, tirets typographiques et pleine chasse
ramenés).

Une archive hostile est refusée en entier, jamais à moitié lue : bombe de décompression
(taille décompressée annoncée puis réelle, taux de compression, entrées qui se chevauchent),
chemins qui sortent de l'archive (« ../ », chemin absolu, lecteur Windows, barre oblique
inverse), liens symboliques et fichiers spéciaux, chiffrement, archive dans l'archive,
fichier qui n'est pas un PDF (signature « %PDF- », pas l'extension), PDF vide ou tronqué
(sans « %%EOF » final), noms en double, numéro inconnu de l'appel, trop de fichiers, fichier
trop gros. Les fichiers cachés et les métadonnées de macOS (« __MACOSX/ », « .DS_Store »,
« Thumbs.db ») sont écartés, et le compte rendu les nomme.

Les noms : UTF-8 quand l'archive le déclare, ou quand les octets du nom sont de l'UTF-8
valide (macOS n'en dit rien) ; sinon la page de code de Windows en français (CP850, qui
s'accorde avec CP437 de la norme ZIP sur « é », « è », « ç », « É » et donne aussi « À »,
« È », « Ê »). Mis en forme normale composée (NFC : macOS écrit « é » en deux caractères).

Règle pure : ni base, ni streamlit ; ne lève jamais sur une archive (les refus sont rendus).
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from evaluation.socle.formats import nombre
from evaluation.socle.texte import citer, cle_identifiant, invisibles, suggerer

_MO = 1024 * 1024
_MORCEAU = 1 << 20
SIGNATURE_ZIP = b"PK\x03\x04"
SIGNATURE_ZIP_VIDE = b"PK\x05\x06"  # aussi la fin du répertoire central
SIGNATURE_CENTRALE = b"PK\x01\x02"
_FIN_CENTRALE = 22  # octets fixes de la fin du répertoire central, avant le commentaire
# Le commentaire d'archive : Windows et macOS n'en écrivent pas ; au-delà, refusé.
COMMENTAIRE_MAX = 4096
# Une archive dans l'archive : ZIP, RAR, 7z, gzip, bzip2, xz (tar : « ustar » à l'octet 257).
_ARCHIVES = (
    SIGNATURE_ZIP,
    SIGNATURE_ZIP_VIDE,
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
)
_BUREAUTIQUE = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".docm", ".xlsm")
_EN_TETE_PDF = re.compile(rb"%PDF-[0-9]\.[0-9]")
_FIN_PDF = b"%%EOF"
# La norme PDF place « %%EOF » à la fin ; les lecteurs le cherchent dans le dernier Kio.
_FIN_CHERCHEE = 1024
_CONTROLES = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LECTEUR_WINDOWS = re.compile(r"^[A-Za-z]:")
# Les sosies de la barre oblique et de la barre inverse : pleine chasse (／ ＼), division
# (∕ ∖), fraction (⁄), symboles mathématiques (⧸ ⧹ ⧵), petite barre inverse (﹨) ; et tout
# caractère que NFKC ramène à « / » ou « \\ ». Refusés dans un nom : ils ne sont pas des
# dossiers pour zipfile, mais le sont pour un lecteur humain ou un outil qui normalise.
_SOSIES_SEPARATEURS = frozenset("／＼∕∖⁄⧸⧹⧵﹨⟋⟍")
_CHIFFRES = re.compile(r"\d+")
_LETTRES = re.compile(r"[^\W\d_]+")
# Méthodes acceptées : stockée et Deflate (celle de Windows, de macOS et de 7-Zip par défaut),
# que ce module décompresse lui-même en bornant la sortie. bzip2 et LZMA sont refusés : le
# zipfile de Python 3.11 les décompresse sans borne de sortie (543 octets de bzip2 → 1 Go).
_METHODES = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_NOMS_METHODES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "Deflate64", 99: "AES"}
_FICHIERS_SYSTEME = {"thumbs.db", "desktop.ini", "ehthumbs.db"}
EN_TETE_LOCAL = 30  # octets fixes d'un en-tête local de ZIP, avant le nom
# Numéro le plus proche suggéré pour les premiers numéros inconnus seulement : chercher parmi
# 5 000 numéros coûte quelques centièmes de seconde, pour chacun de 2 000 fichiers, des minutes.
SUGGESTIONS_MAX = 20


# Ce qu'une demande peut garder en pièces jointes, versions remplacées comprises : une
# réimportation aux octets changés ajoute une version, sans cette borne la base grossirait
# sans fin (interprétation : aucune limite n'est fixée par un appel).
PIECES_MAX_PAR_DEMANDE = 20
VOLUME_MAX_PAR_DEMANDE = 100 * _MO


@dataclass(frozen=True)
class LimitesPieces:
    """Ce qu'une archive de pièces jointes peut peser, annoncé en Mo dans la page et le
    README. L'archive entre dans le téléversement de Streamlit (`server.maxUploadSize`,
    60 Mo) ; un PDF de 20 Mo est une résolution numérisée de plusieurs dizaines de pages ;
    le total décompressé borne ce que le serveur garde en mémoire le temps de l'importation
    (interprétation : aucune limite n'est fixée par un appel)."""

    archive_max: int = 50 * _MO
    piece_max: int = 20 * _MO
    total_max: int = 200 * _MO
    # Un PDF est déjà compressé : zippé, il gagne rarement plus de 10 pour 1. Au-delà de
    # 100 pour 1, quelle que soit la taille annoncée, c'est une bombe de décompression.
    ratio_max: float = 100.0
    # Entrées de l'archive, dossiers et fichiers écartés compris.
    fichiers_max: int = 2_000
    nom_max: int = 255
    chemin_max: int = 1_024
    # Par demande, versions comprises (vérifié à l'écriture, contre la base).
    pieces_par_demande: int = PIECES_MAX_PAR_DEMANDE
    volume_par_demande: int = VOLUME_MAX_PAR_DEMANDE

    def en_mo(self, octets: int) -> str:
        return nombre(octets / _MO, 0 if octets % _MO == 0 else 1)


@dataclass(frozen=True)
class Refus:
    """Un refus : l'archive, le fichier dans l'archive (None : l'archive entière), un code
    stable et le message complet (qui nomme l'un et l'autre et dit quoi faire)."""

    archive: str
    membre: str | None
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Piece:
    """Un PDF accepté : sa demande (le numéro tel que stocké), son nom, son contenu."""

    chemin: str
    no_demande: str
    nom_fichier: str
    contenu: bytes = field(repr=False)
    sha256: str

    @property
    def taille(self) -> int:
        return len(self.contenu)


@dataclass
class LectureArchive:
    """Ce que l'archive contient : les PDF acceptés, les fichiers écartés (chemin, raison) et
    les refus. Rien ne s'importe si un seul refus reste (tout ou rien)."""

    archive: str
    pieces: list[Piece] = field(default_factory=list)
    ecartes: list[tuple[str, str]] = field(default_factory=list)
    refus: list[Refus] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        return not self.refus and bool(self.pieces)


class _Fatal(Exception):
    """Un refus qui arrête la lecture de toute l'archive (bombe, archive illisible)."""

    def __init__(self, refus: Refus):
        super().__init__(refus.message)
        self.refus = refus


def _refus(archive: str, membre: str | None, code: str, quoi: str, faire: str) -> Refus:
    lieu = f"{archive}, fichier « {citer(membre, 80)} »" if membre is not None else archive
    return Refus(archive, membre, code, f"{lieu} : {quoi}. {faire}")


def _bombe(archive: str, membre: str | None, limites: LimitesPieces) -> _Fatal:
    return _Fatal(
        _refus(
            archive,
            membre,
            "archive_suspecte",
            "l'archive se décompresserait en un volume anormal (plus de "
            f"{limites.en_mo(limites.total_max)} Mo en tout, plus de "
            f"{limites.en_mo(limites.piece_max)} Mo pour un fichier, ou un taux de compression "
            f"de plus de {nombre(limites.ratio_max)} pour 1) ; elle n'a pas été lue",
            "Recréez l'archive à partir des PDF eux-mêmes (clic droit sur le dossier, "
            "« Compresser » ou « Envoyer vers > Dossier compressé »).",
        )
    )


def decoder_nom(info: zipfile.ZipInfo) -> str:
    """Le nom d'une entrée tel que son auteur l'a écrit (voir le docstring du module), en
    NFC ; le caractère nul éventuel est gardé (zipfile le coupe : le nom est alors refusé)."""
    nom = info.orig_filename
    if not info.flag_bits & 0x800 and not nom.isascii():
        brut = nom.encode("cp437")
        try:
            nom = brut.decode("utf-8")
        except UnicodeDecodeError:
            nom = brut.decode("cp850")
    return unicodedata.normalize("NFC", nom)


def _probleme_de_chemin(nom: str, limites: LimitesPieces) -> tuple[str, str] | None:
    """(code, description) si le chemin est refusé, None s'il est sûr."""
    if _CONTROLES.search(nom):
        return "nom_illisible", "son nom contient un caractère de contrôle ou nul"
    if caches := invisibles(nom):
        # Un forçage de direction (U+202E) ferait lire « …fdp.exe » comme « …exe.pdf ».
        return (
            "nom_illisible",
            f"son nom contient un caractère invisible ou de direction ({', '.join(caches)})",
        )
    if sosies := sorted(
        {c for c in nom if c in _SOSIES_SEPARATEURS or unicodedata.normalize("NFKC", c) in "/\\"}
        - {"/", "\\"}
    ):
        return (
            "chemin_sosie",
            "son nom contient un caractère qui ressemble à une barre oblique ("
            + ", ".join(f"« {c} » U+{ord(c):04X}" for c in sosies)
            + ") et ferait croire à un dossier",
        )
    if "\\" in nom:
        return (
            "chemin_antislash",
            "son chemin contient une barre oblique inverse (\\), que certains outils lisent "
            "comme un dossier (et « ..\\ » comme une sortie de l'archive)",
        )
    if nom.startswith("/") or _LECTEUR_WINDOWS.match(nom):
        return "chemin_absolu", "son chemin est absolu (il désigne un endroit hors de l'archive)"
    if ".." in nom.split("/"):
        return "chemin_traversee", "son chemin remonte hors de l'archive (« .. »)"
    if len(nom) > limites.chemin_max or any(len(p) > limites.nom_max for p in nom.split("/")):
        return "nom_trop_long", f"son nom dépasse {limites.nom_max} caractères"
    return None


def cle_nom(nom: str) -> str:
    """La clé qui décide si deux noms de pièces sont le même : forme de compatibilité (NFKC :
    « ａ.pdf » pleine chasse = « a.pdf ») et sans casse."""
    return unicodedata.normalize("NFKC", nom).casefold()


def nom_de_telechargement(nom: str) -> str:
    """Le nom sous lequel une pièce est servie au navigateur : le dernier segment, sans
    caractère de contrôle ni invisible (retirés), les sosies de barre oblique remplacés par
    « _ », toujours terminé par « .pdf »."""
    base = re.split(r"[/\\]", nom)[-1]
    propre = "".join(
        "_" if c in _SOSIES_SEPARATEURS or unicodedata.normalize("NFKC", c) in "/\\" else c
        for c in base
        if not _CONTROLES.match(c) and not invisibles(c)
    ).strip(" .")
    if not propre.casefold().endswith(".pdf"):
        propre = f"{propre or 'piece'}.pdf"
    return propre


def _type_refuse(info: zipfile.ZipInfo) -> str | None:
    """« lien symbolique » ou « fichier spécial » d'après les attributs de l'entrée."""
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode:
        genre = stat.S_IFMT(mode)
        if genre == stat.S_IFLNK:
            return "lien symbolique"
        if genre not in (0, stat.S_IFREG, stat.S_IFDIR):
            return "fichier spécial (périphérique, tube ou socket)"
    if info.external_attr & 0x400:  # FILE_ATTRIBUTE_REPARSE_POINT : lien de Windows
        return "lien symbolique"
    return None


def _ecarte(parties: list[str]) -> str | None:
    """La raison d'écarter un fichier caché ou de métadonnées, None sinon."""
    if any(p == "__MACOSX" for p in parties):
        return "métadonnées de macOS (__MACOSX)"
    if any(p.startswith(".") for p in parties):
        return "fichier caché"
    base = parties[-1]
    if base.casefold() in _FICHIERS_SYSTEME:
        return "fichier système de Windows"
    if base.startswith("~$"):
        return "fichier temporaire de Microsoft Office"
    return None


def _sans_chevauchement(archive: str, infos: list[zipfile.ZipInfo]) -> None:
    """Deux entrées qui partagent les mêmes octets compressés (la bombe « qui se chevauche »
    de Fifield : des milliers d'entrées pour un seul bloc) : refusé. Python 3.11 ne le
    vérifie pas."""
    fin = -1
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.header_offset < fin:
            raise _Fatal(
                _refus(
                    archive,
                    None,
                    "archive_suspecte",
                    "des entrées de l'archive se chevauchent (une archive forgée pour se "
                    "décompresser en un volume démesuré) ; elle n'a pas été lue",
                    "Recréez l'archive à partir des PDF eux-mêmes.",
                )
            )
        fin = info.header_offset + EN_TETE_LOCAL + info.compress_size


class _Endommage(Exception):
    """Une entrée dont les octets ne se décompressent pas ou ne correspondent pas à leur
    somme de contrôle."""


def _contenu(
    brut: bytes,
    info: zipfile.ZipInfo,
    nom: str,
    compteur: list[int],
    limites: LimitesPieces,
    nom_archive: str,
) -> bytes:
    """Les octets d'une entrée stockée ou Deflate, décompressés ici par morceaux d'au plus
    1 Mo (`max_length` de zlib) : la lecture s'arrête dès que la sortie dépasserait la taille
    annoncée, la limite d'un fichier ou, pour toute l'archive, le total permis — jamais plus
    d'un morceau au-delà, quoi que l'en-tête annonce. La taille réelle et la somme de contrôle
    (CRC-32) doivent correspondre à l'en-tête."""
    debut = info.header_offset
    if brut[debut : debut + 4] != SIGNATURE_ZIP:
        raise _Endommage
    longueur_nom, longueur_extra = struct.unpack_from("<HH", brut, debut + 26)
    debut += EN_TETE_LOCAL + longueur_nom + longueur_extra
    comprime = brut[debut : debut + info.compress_size]
    if len(comprime) != info.compress_size:
        raise _Endommage
    borne = min(info.file_size, limites.piece_max)
    if info.compress_type == zipfile.ZIP_STORED:
        sortie = comprime
    else:
        morceaux = []
        lus = 0
        decompresseur = zlib.decompressobj(-zlib.MAX_WBITS)
        reste = comprime
        while not decompresseur.eof:
            morceau = decompresseur.decompress(reste, _MORCEAU)
            reste = decompresseur.unconsumed_tail
            if not morceau and not reste:
                break
            lus += len(morceau)
            if lus > borne or compteur[0] + lus > limites.total_max:
                # Plus d'octets que l'en-tête n'en annonce : une bombe qui ment sur sa taille.
                raise _bombe(nom_archive, nom, limites)
            morceaux.append(morceau)
        if not decompresseur.eof:
            raise _Endommage
        sortie = b"".join(morceaux)
    if len(sortie) > borne or compteur[0] + len(sortie) > limites.total_max:
        raise _bombe(nom_archive, nom, limites)
    if len(sortie) != info.file_size or zlib.crc32(sortie) != info.CRC:
        raise _Endommage
    compteur[0] += len(sortie)
    return sortie


def _probleme_de_pdf(contenu: bytes, nom: str) -> tuple[str, str, str] | None:
    """(code, description, quoi faire) si le contenu n'est pas un PDF entier."""
    base = nom.rsplit("/", 1)[-1]
    if not contenu:
        return "pdf_vide", "le fichier est vide", "Joignez le PDF complet."
    if contenu.startswith(_ARCHIVES) or contenu[257:262] == b"ustar":
        if contenu.startswith(SIGNATURE_ZIP) and base.casefold().endswith(_BUREAUTIQUE):
            return (
                "pas_un_pdf",
                "c'est un document de bureautique (Word, Excel…), pas un PDF",
                "Ouvrez-le et enregistrez-le en PDF (Fichier > Enregistrer sous > PDF).",
            )
        return (
            "archive_imbriquee",
            "c'est une archive dans l'archive",
            "Décompressez-la et placez ses PDF directement dans l'archive téléversée.",
        )
    if not contenu.startswith(b"%PDF-"):
        return (
            "pas_un_pdf",
            "ce n'est pas un PDF (son contenu ne commence pas par la signature « %PDF- », "
            "quelle que soit son extension)",
            "Enregistrez le document en PDF et remplacez-le dans l'archive.",
        )
    if not _EN_TETE_PDF.match(contenu):
        return (
            "pdf_endommage",
            "l'en-tête du PDF est endommagé (version illisible après « %PDF- »)",
            "Exportez le PDF de nouveau depuis le logiciel qui l'a produit.",
        )
    if _FIN_PDF not in contenu[-_FIN_CHERCHEE:]:
        return (
            "pdf_tronque",
            "le PDF est tronqué ou incomplet (il ne se termine pas par la marque « %%EOF »)",
            "Le téléchargement ou la numérisation a sans doute été interrompu : exportez-le "
            "de nouveau et remplacez-le dans l'archive.",
        )
    if not base.casefold().endswith(".pdf"):
        return (
            "extension",
            "c'est un PDF dont le nom ne finit pas par « .pdf »",
            "Renommez-le avec l'extension .pdf (il serait sinon téléchargé sous un autre type).",
        )
    return None


def _bornes(cle: str) -> Iterable[str]:
    """La clé entière, puis chacun de ses débuts qui s'arrête avant un caractère qui n'est
    ni lettre ni chiffre, du plus long au plus court : « t-001 - résolution » donne
    « t-001 - résolution », « t-001 - », « t-001 », « t »."""
    yield cle
    for i in range(len(cle) - 1, 0, -1):
        if not cle[i].isalnum():
            debut = cle[:i].rstrip()
            if debut:
                yield debut


def numero_exemple(numeros: Iterable[str], id_appel: str = "") -> str:
    """Un numéro de demande de l'appel pour les exemples de nommage (« QSF-2026-001.pdf ») :
    le premier des numéros stockés, sinon l'identifiant de l'appel suivi de « -001 »
    (la série que l'importation attribuerait), sinon « numéro de la demande »."""
    numeros = sorted(n for n in numeros if str(n).strip())
    if numeros:
        return numeros[0]
    return f"{id_appel.upper()}-001" if id_appel else "numéro de la demande"


def forme(cle: str) -> str:
    """La forme d'une clé de numéro : chaque suite de chiffres devient « 9 », chaque suite de
    lettres « a » (« t-001-a » → « a-9-a », « paivmq-2024-001 » → « a-9-9 »)."""
    return _LETTRES.sub("a", _CHIFFRES.sub("9", cle))


def formes_des_numeros(numeros: Iterable[str]) -> frozenset[str]:
    """Les formes des numéros de l'appel qui comptent au moins un chiffre."""
    return frozenset(f for f in map(forme, numeros) if "9" in f)


def _numero_du_texte(
    texte: str, numeros: dict[str, str], formes: frozenset[str]
) -> tuple[str | None, str | None]:
    """(numéro connu, None), (None, début qui ressemble à un numéro sans en être un connu)
    ou (None, None). Du début le plus long au plus court ; le premier début qui a la forme
    d'un numéro de l'appel décide : pas de repli sur un préfixe plus court (« T-001-B » n'est
    pas « T-001 » quand l'appel a des numéros comme « T-001-A »)."""
    for debut in _bornes(cle_identifiant(texte)):
        if debut in numeros:
            return numeros[debut], None
        if forme(debut) in formes:
            return None, debut
    return None, None


@dataclass(frozen=True)
class Rattachement:
    """À quelle demande va un fichier : `numero`, ou un refus (`code`, `detail`)."""

    numero: str | None
    code: str | None = None
    detail: str = ""


def rattacher(
    parties: list[str], numeros: dict[str, str], formes: frozenset[str] | None = None
) -> Rattachement:
    """La règle de rattachement (README, « Pièces jointes des demandes ») :

    - le nom du fichier (sans extension) qui commence par un numéro connu le rattache ;
    - le nom qui commence par quelque chose qui a la forme d'un numéro de l'appel sans en
      être un est refusé (« numéro inconnu »), sans repli sur un préfixe plus court ;
    - sinon le dossier le plus proche qui porte un numéro connu le rattache (un dossier de
      forme « numéro » mais inconnu : refusé de même) ;
    - le nom et le dossier portent chacun un numéro connu et ils diffèrent : refusé
      (« numéros contradictoires »).
    `numeros` : clé → numéro tel que stocké."""
    if formes is None:
        formes = formes_des_numeros(numeros)
    base = parties[-1]
    tige = base[: -len(".pdf")] if base.casefold().endswith(".pdf") else base
    du_nom, nom_inconnu = _numero_du_texte(tige, numeros, formes)
    if nom_inconnu is not None:
        return Rattachement(None, "numero_inconnu", nom_inconnu)
    du_dossier, dossier_inconnu = None, None
    for dossier in reversed(parties[:-1]):
        du_dossier, dossier_inconnu = _numero_du_texte(dossier, numeros, formes)
        if du_dossier is not None or dossier_inconnu is not None:
            break
    if du_nom is not None:
        if du_dossier is not None and du_dossier != du_nom:
            return Rattachement(
                None,
                "numeros_contradictoires",
                f"le nom du fichier porte le numéro « {du_nom} » mais il est rangé dans le "
                f"dossier de la demande « {du_dossier} »",
            )
        return Rattachement(du_nom)
    if du_dossier is not None:
        return Rattachement(du_dossier)
    return Rattachement(None, "numero_inconnu", dossier_inconnu or "")


def numero_du_chemin(parties: list[str], numeros: dict[str, str]) -> str | None:
    """Le numéro de demande (tel que stocké) auquel le fichier se rattache selon `rattacher`,
    None s'il est refusé ; `numeros` : clé → numéro."""
    return rattacher(parties, numeros).numero


def lire_archive(
    nom_archive: str,
    contenu: bytes,
    numeros: Iterable[str],
    limites: LimitesPieces | None = None,
) -> LectureArchive:
    """Lit l'archive `contenu` (téléversée sous le nom `nom_archive`) contre les numéros des
    demandes de l'appel. Ne lève jamais sur une archive : chaque problème est un `Refus`
    (un par fichier fautif, ou un seul pour l'archive entière quand elle ne se lit pas)."""
    limites = limites or LimitesPieces()
    numeros = list(numeros)
    lecture = LectureArchive(nom_archive)
    try:
        _lire(lecture, contenu, {cle_identifiant(n): n for n in numeros}, limites)
    except _Fatal as exc:
        lecture.pieces.clear()
        lecture.refus = [exc.refus]
    except MemoryError:
        lecture.pieces.clear()
        lecture.refus = [_refus_memoire(nom_archive)]
    if not lecture.refus and not lecture.pieces:
        lecture.refus.append(
            _refus(
                nom_archive,
                None,
                "archive_sans_pdf",
                "l'archive ne contient aucun PDF",
                "Placez dans l'archive les PDF nommés par numéro de demande "
                f"(« {numero_exemple(numeros)} - Résolution.pdf »).",
            )
        )
    return lecture


def _lire(lecture: LectureArchive, contenu: bytes, numeros: dict[str, str], limites) -> None:
    nom_archive = lecture.archive
    if len(contenu) > limites.archive_max:
        raise _Fatal(
            _refus(
                nom_archive,
                None,
                "archive_trop_grosse",
                f"l'archive pèse {limites.en_mo(len(contenu))} Mo, plus que la limite de "
                f"{limites.en_mo(limites.archive_max)} Mo",
                "Répartissez les PDF dans plusieurs archives et téléversez-les l'une après "
                "l'autre.",
            )
        )
    if not contenu.startswith((SIGNATURE_ZIP, SIGNATURE_ZIP_VIDE)):
        raise _Fatal(
            _refus(
                nom_archive,
                None,
                "pas_une_archive",
                "ce n'est pas une archive ZIP (signature absente)",
                "Compressez les PDF au format .zip (clic droit, « Compresser » ou « Envoyer "
                "vers > Dossier compressé ») et téléversez cette archive.",
            )
        )
    # Le répertoire central compte une entrée par fichier : des centaines de milliers
    # d'entrées coûteraient des centaines de Mo avant même d'en lire une. On ne compte que
    # dans le répertoire central (pas dans le commentaire ni dans les données).
    fin, debut_central, commentaire = _fin_du_repertoire(contenu)
    if commentaire > COMMENTAIRE_MAX:
        raise _Fatal(
            _refus(
                nom_archive,
                None,
                "commentaire_trop_long",
                f"le commentaire de l'archive compte {nombre(commentaire)} octets, plus que "
                f"les {nombre(COMMENTAIRE_MAX)} permis ; elle n'a pas été lue",
                "Recréez l'archive à partir des PDF eux-mêmes (clic droit sur le dossier, "
                "« Compresser » ou « Envoyer vers > Dossier compressé »), sans commentaire.",
            )
        )
    if contenu.count(SIGNATURE_CENTRALE, debut_central, fin) > limites.fichiers_max:
        raise _Fatal(_trop_de_fichiers(nom_archive, limites))
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            infos = archive.infolist()
            if len(infos) > limites.fichiers_max:
                raise _Fatal(_trop_de_fichiers(nom_archive, limites))
            if sum(i.file_size for i in infos) > limites.total_max:
                raise _bombe(nom_archive, None, limites)
            _sans_chevauchement(nom_archive, infos)
            _lire_entrees(lecture, contenu, infos, numeros, limites)
    except _Fatal:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError):
        raise _Fatal(
            _refus(
                nom_archive,
                None,
                "archive_illisible",
                "l'archive est endommagée ou incomplète (elle ne se lit pas)",
                "Recréez-la et téléversez-la de nouveau.",
            )
        ) from None


def _fin_du_repertoire(contenu: bytes) -> tuple[int, int, int]:
    """(début de la fin du répertoire central, début du répertoire central, longueur du
    commentaire) : l'enregistrement de fin est le dernier « PK\\x05\\x06 » dont la longueur
    de commentaire mène exactement à la fin de l'archive (un commentaire peut contenir la
    signature). Introuvable : (longueur, 0, 0), et zipfile dira l'archive illisible."""
    position = len(contenu)
    plancher = max(0, len(contenu) - _FIN_CENTRALE - 0xFFFF)
    while (position := contenu.rfind(SIGNATURE_ZIP_VIDE, plancher, position)) >= 0:
        if position + _FIN_CENTRALE <= len(contenu):
            taille, _decalage, commentaire = struct.unpack_from("<IIH", contenu, position + 12)
            if position + _FIN_CENTRALE + commentaire == len(contenu):
                debut = 0 if taille == 0xFFFFFFFF else max(0, position - taille)
                return position, debut, commentaire
    return len(contenu), 0, 0


def _refus_memoire(nom_archive: str) -> Refus:
    return _refus(
        nom_archive,
        None,
        "memoire_insuffisante",
        "le serveur a manqué de mémoire en lisant l'archive ; rien n'a été importé",
        "Répartissez les PDF dans plusieurs archives plus petites et téléversez-les l'une "
        "après l'autre.",
    )


def _trop_de_fichiers(nom_archive: str, limites: LimitesPieces) -> Refus:
    return _refus(
        nom_archive,
        None,
        "trop_de_fichiers",
        f"l'archive compte plus de {nombre(limites.fichiers_max)} fichiers et dossiers",
        "Répartissez les PDF dans plusieurs archives et téléversez-les l'une après l'autre.",
    )


def _lire_entrees(lecture, brut: bytes, infos, numeros: dict[str, str], limites) -> None:
    nom_archive = lecture.archive
    compteur = [0]
    inconnus = 0
    formes = formes_des_numeros(numeros)
    exemple = numero_exemple(numeros.values())
    vues: dict[tuple[str, str], str] = {}
    chemins_vus: set[str] = set()

    def refuser(membre: str, code: str, quoi: str, faire: str) -> None:
        lecture.refus.append(_refus(nom_archive, membre, code, quoi, faire))

    for info in infos:
        nom = decoder_nom(info)
        if probleme := _probleme_de_chemin(nom, limites):
            refuser(
                nom,
                probleme[0],
                probleme[1],
                "Recréez l'archive à partir d'un dossier qui contient les PDF (clic droit, "
                "« Compresser » ou « Envoyer vers > Dossier compressé »).",
            )
            continue
        if genre := _type_refuse(info):
            refuser(
                nom,
                "lien_symbolique" if genre == "lien symbolique" else "fichier_special",
                f"c'est un {genre}, pas un fichier",
                "Placez dans l'archive le PDF lui-même, pas un lien vers lui.",
            )
            continue
        if info.flag_bits & 0x1:
            refuser(
                nom,
                "chiffre",
                "le fichier est chiffré (archive protégée par un mot de passe)",
                "Recréez l'archive sans mot de passe.",
            )
            continue
        if info.compress_type not in _METHODES:
            methode = _NOMS_METHODES.get(info.compress_type, f"n° {info.compress_type}")
            refuser(
                nom,
                "compression",
                f"le fichier est compressé par une méthode non prise en charge ({methode}) ; "
                "seules la compression standard (Deflate) et l'absence de compression sont "
                "acceptées",
                "Recompressez l'archive avec la compression standard (Deflate), p. ex. "
                "Envoyer vers > Dossier compressé de Windows (ou « Compresser » sur macOS).",
            )
            continue
        parties = [p for p in nom.split("/") if p not in ("", ".")]
        if not parties or info.is_dir():
            continue
        if raison := _ecarte(parties):
            lecture.ecartes.append((nom, raison))
            continue
        if info.file_size > limites.piece_max:
            refuser(
                nom,
                "piece_trop_grosse",
                f"le fichier pèse {limites.en_mo(info.file_size)} Mo, plus que la limite de "
                f"{limites.en_mo(limites.piece_max)} Mo par pièce",
                "Réduisez-le (numérisation en 150 ppp, « Réduire la taille du fichier » "
                "d'Acrobat) ou scindez-le en plusieurs PDF.",
            )
            continue
        if info.file_size > limites.ratio_max * max(info.compress_size, 1):
            raise _bombe(nom_archive, nom, limites)
        try:
            octets = _contenu(brut, info, nom, compteur, limites, nom_archive)
        except (_Endommage, zlib.error, struct.error):
            refuser(
                nom,
                "fichier_endommage",
                "le fichier est endommagé dans l'archive (sa somme de contrôle ne correspond pas)",
                "Recréez l'archive et téléversez-la de nouveau.",
            )
            continue
        if probleme := _probleme_de_pdf(octets, nom):
            refuser(nom, *probleme)
            continue
        rattachement = rattacher(parties, numeros, formes)
        numero = rattachement.numero
        if rattachement.code == "numeros_contradictoires":
            refuser(
                nom,
                "numeros_contradictoires",
                rattachement.detail,
                "Renommez le fichier d'après le numéro de sa demande ou rangez-le dans le "
                "dossier de cette demande.",
            )
            continue
        if numero is None:
            inconnus += 1
            proche = (
                suggerer(parties[-1].rsplit(".", 1)[0], numeros.values(), 0.7)
                if inconnus <= SUGGESTIONS_MAX
                else None
            )
            refuser(
                nom,
                "numero_inconnu",
                "aucune demande de l'appel ne porte le numéro de ce fichier"
                + (f" (vouliez-vous dire « {proche} » ?)" if proche else ""),
                f"Nommez le PDF d'après le numéro de sa demande (« {exemple}.pdf » ou "
                f"« {exemple} - Résolution.pdf ») ou rangez-le dans un dossier qui porte "
                "ce numéro ; importez d'abord la demande si elle manque.",
            )
            continue
        base = parties[-1]
        cle = (numero, cle_nom(base))
        if nom in chemins_vus:
            refuser(
                nom,
                "nom_en_double",
                "ce chemin figure deux fois dans l'archive (deux fichiers différents sous le "
                "même nom)",
                "Recréez l'archive à partir d'un dossier : il ne peut pas contenir deux "
                "fichiers du même nom.",
            )
            continue
        if cle in vues:
            refuser(
                nom,
                "nom_en_double",
                f"la demande {numero} a déjà un fichier de ce nom dans l'archive "
                f"(« {citer(vues[cle], 80)} »)",
                "Donnez à chaque pièce d'une demande un nom distinct.",
            )
            continue
        chemins_vus.add(nom)
        vues[cle] = nom
        lecture.pieces.append(Piece(nom, numero, base, octets, hashlib.sha256(octets).hexdigest()))
