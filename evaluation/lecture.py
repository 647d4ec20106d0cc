"""Lecture des fichiers de demandes (xlsx, xlsm, xls, ods, csv, formulaires d'une demande)
en tableaux canoniques ; contrôles de sûreté avant toute analyse.

C'est le seul module qui ouvre des classeurs. Les valeurs restent brutes (texte, nombre,
date) : leur conversion et leur validation appartiennent à `validation`.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import python_calamine

from evaluation.formats import nombre
from evaluation.gabarit import (
    COLONNES_BUDGET,
    COLONNES_DEMANDES,
    cle_entete,
    correspondance_entete,
)
from evaluation.texte import nettoyer, normaliser, normaliser_entete

SIGNATURE_ZIP = b"PK\x03\x04"
SIGNATURE_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# « Texte Unicode » d'Excel : UTF-16 avec marque d'ordre, colonnes séparées par des tabulations.
_BOM_UTF16 = (b"\xff\xfe", b"\xfe\xff")
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")
LIGNES_EXPLOREES = 30
MINIMUM_ENTETES = 3


@dataclass(frozen=True)
class Limites:
    """Ce qu'un fichier téléversé peut peser avant d'être refusé sans être lu."""

    taille_max: int = 50 * 1024 * 1024
    decompresse_max: int = 300 * 1024 * 1024
    ratio_max: float = 200.0
    # Un appel reçoit des centaines de demandes : 100 000 lignes par feuille laissent une
    # marge large, et bornent la mémoire qu'une feuille peut prendre une fois chargée.
    lignes_max: int = 100_000


class FichierRefuse(Exception):
    """Un fichier qui n'est pas ce qu'il prétend être, ou trop dangereux pour être lu."""

    def __init__(self, fichier: str, code: str, message: str):
        super().__init__(message)
        self.fichier = fichier
        self.code = code
        self.message = message


@dataclass
class Tableau:
    """Les enregistrements d'une feuille, sous leurs clés canoniques, avec leur position.

    `genre` vaut « demandes » ou « budget ». Pour un formulaire d'une demande, chaque champ
    est sur sa propre ligne : `lignes_champs` donne la ligne Excel de chaque clé.
    """

    fichier: str
    feuille: str
    genre: str
    ligne_entete: int
    colonnes: dict[str, tuple[int, str]]
    enregistrements: list[dict[str, object]] = field(default_factory=list)
    lignes: list[int] = field(default_factory=list)
    supplementaires: list[dict[str, object]] = field(default_factory=list)
    entetes_supplementaires: list[str] = field(default_factory=list)
    lignes_ignorees: list[tuple[int, str]] = field(default_factory=list)
    lignes_champs: dict[str, int] | None = None
    # Vrai si la feuille porte des cellules #N/A, #REF!... : la validation les cherche alors.
    cellules_en_erreur: bool = False

    @property
    def est_formulaire(self) -> bool:
        return self.lignes_champs is not None

    def emplacement(self, i: int, cle: str | None) -> tuple[int, str]:
        """(ligne Excel, en-tête tel qu'écrit dans le fichier) d'une cellule."""
        entete = self.colonnes[cle][1] if cle in self.colonnes else _entete_canonique(cle)
        if self.lignes_champs is not None:
            return self.lignes_champs.get(cle, self.ligne_entete), entete
        return self.lignes[i], entete


def _entete_canonique(cle: str | None) -> str:
    for colonnes in (COLONNES_DEMANDES, COLONNES_BUDGET):
        for c in colonnes:
            if c.cle == cle:
                return c.entete
    return cle or ""


@dataclass
class FichierLu:
    nom: str
    format: str
    tableaux: list[Tableau]
    remarques: list[str] = field(default_factory=list)


# --- Sûreté ------------------------------------------------------------------------------


def _octets(source: str | Path | bytes | BinaryIO, limites: Limites, nom: str) -> bytes:
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


def _examiner(nom: str, contenu: bytes, limites: Limites) -> tuple[str, set[str]]:
    """Le format réel du fichier (« xlsx », « xls », « ods », « csv »), d'après son contenu,
    et les feuilles XML qui portent des cellules en erreur.

    Refuse ce qui n'est pas un classeur : un PDF renommé, un classeur protégé par mot de
    passe, une archive qui se décompresserait en gigaoctets (vérifiée sans la décompresser
    entièrement en mémoire).
    """
    extension = Path(nom).suffix.casefold()
    if not contenu.strip():
        raise FichierRefuse(nom, "fichier_vide", f"{nom} : le fichier est vide (aucune demande).")
    if contenu.startswith(SIGNATURE_ZIP):
        en_erreur = _verifier_archive(nom, contenu, limites)
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            noms = set(archive.namelist())
            if "mimetype" in noms and b"opendocument.spreadsheet" in archive.read("mimetype"):
                return "ods", set()
            if "xl/workbook.xml" in noms or "xl/workbook.bin" in noms:
                return "xlsx", en_erreur
        raise FichierRefuse(
            nom,
            "format_non_reconnu",
            f"{nom} : archive ZIP qui n'est pas un classeur Excel ou OpenDocument. "
            "Enregistrez le fichier au format .xlsx.",
        )
    if contenu.startswith(SIGNATURE_OLE):
        if (
            b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e"
            in contenu
        ):
            raise _protege(nom)
        return "xls", set()
    if contenu.startswith(b"%PDF"):
        raise FichierRefuse(
            nom,
            "format_non_reconnu",
            f"{nom} : c'est un document PDF, pas un classeur. Demandez le fichier Excel "
            "(.xlsx) ou saisissez la demande dans le gabarit.",
        )
    if extension == ".csv" or extension == ".txt":
        if contenu.startswith(_BOM_UTF16):
            return "csv", set()
        debut = contenu[:4096]
        if debut.count(b"\x00") > max(2, len(debut) // 100):  # un binaire, pas un NUL égaré
            raise FichierRefuse(
                nom, "format_non_reconnu", f"{nom} : fichier binaire nommé .csv, illisible."
            )
        return "csv", set()
    raise FichierRefuse(
        nom,
        "format_non_reconnu",
        f"{nom} : le contenu n'est pas un classeur ({extension or 'sans extension'} annoncé). "
        "Formats acceptés : .xlsx, .xlsm, .xls, .ods et .csv.",
    )


def _protege(nom: str) -> FichierRefuse:
    return FichierRefuse(
        nom,
        "protege_mot_de_passe",
        f"{nom} : classeur protégé par un mot de passe. Ouvrez-le dans Excel, retirez la "
        "protection (Fichier > Informations > Protéger le classeur) et téléversez-le de nouveau.",
    )


_MARQUES_LIGNE = (b"<row", b":row")
_MARQUE_ERREUR = b't="e"'


def _trop_de_lignes(
    nom: str, lignes: int, limites: Limites, au_moins: bool = False
) -> FichierRefuse:
    maximum = nombre(limites.lignes_max)
    compte = f"plus de {maximum}" if au_moins else nombre(lignes)
    return FichierRefuse(
        nom,
        "trop_de_lignes",
        f"{nom} : une feuille compte {compte} lignes (limite {maximum}). Supprimez les lignes "
        "vides ou mises en forme sous le tableau, ou scindez le fichier.",
    )


def _verifier_archive(nom: str, contenu: bytes, limites: Limites) -> set[str]:
    """Refuse une bombe de décompression d'après les tailles annoncées, puis vérifie ces
    tailles en décompressant par morceaux, sans jamais dépasser la limite ; compte au passage
    les lignes de chaque feuille. Renvoie les feuilles (chemins XML) qui ont des cellules
    en erreur, que calamine ne distingue pas des cellules vides."""
    bombe = FichierRefuse(
        nom,
        "archive_suspecte",
        f"{nom} : le classeur se décompresserait en un volume anormal (plus de "
        f"{limites.decompresse_max / 2**20:.0f} Mo ou taux de compression de plus de "
        f"{limites.ratio_max:.0f} pour 1). Il n'a pas été lu. Réenregistrez-le depuis Excel.",
    )
    en_erreur: set[str] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            if total > limites.decompresse_max:
                raise bombe
            for info in infos:
                if info.file_size > 1_000_000 and info.file_size > limites.ratio_max * max(
                    info.compress_size, 1
                ):
                    raise bombe
            lu = 0
            for info in infos:
                feuille = info.filename.startswith("xl/worksheets/")
                lignes = 0
                fin_precedente = b""
                with archive.open(info) as membre:
                    while morceau := membre.read(1 << 20):
                        lu += len(morceau)
                        if lu > limites.decompresse_max:
                            raise bombe
                        if feuille:
                            # L'étendue déclarée (<dimension>) peut mentir : on compte.
                            lignes += sum(morceau.count(m) for m in _MARQUES_LIGNE)
                            if lignes > limites.lignes_max:
                                raise _trop_de_lignes(nom, lignes, limites, au_moins=True)
                            if _MARQUE_ERREUR in fin_precedente + morceau[:16] or (
                                _MARQUE_ERREUR in morceau
                            ):
                                en_erreur.add(info.filename)
                            fin_precedente = morceau[-16:]
    except FichierRefuse:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise FichierRefuse(
            nom,
            "fichier_illisible",
            f"{nom} : classeur endommagé ou incomplet (l'archive ne se lit pas jusqu'au bout). "
            "Réenregistrez-le depuis Excel.",
        ) from None
    except NotImplementedError:
        raise FichierRefuse(
            nom,
            "fichier_illisible",
            f"{nom} : archive compressée d'une façon non prise en charge. Réenregistrez le "
            "classeur depuis Excel au format .xlsx.",
        ) from None
    return en_erreur


# --- Grilles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CelluleEnErreur:
    """Une cellule qu'Excel affiche en erreur (#N/A, #REF!…) : ni vide, ni une valeur."""

    code: str

    def __str__(self) -> str:
        return self.code


_CELLULE_ERREUR = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_REFERENCE = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALEUR = re.compile(rb"<v>([^<]*)</v>")


def _colonne_index(lettres: bytes) -> int:
    n = 0
    for c in lettres:
        n = n * 26 + (c - 64)
    return n - 1


def _feuilles_xml(archive: zipfile.ZipFile) -> dict[str, str]:
    """Nom de feuille → chemin de son XML dans un classeur xlsx."""
    try:
        classeur = archive.read("xl/workbook.xml")
        liens = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    cibles = {}
    for m in re.finditer(rb"<Relationship\b([^>]*)>", liens):
        ident = re.search(rb'\bId="([^"]+)"', m.group(1))
        cible = re.search(rb'\bTarget="([^"]+)"', m.group(1))
        if ident and cible:
            cibles[ident.group(1).decode()] = cible.group(1).decode()
    chemins = {}
    for m in re.finditer(rb"<sheet\b([^>]*)/?>", classeur):
        attributs = m.group(1)
        nom = re.search(rb'\bname="([^"]*)"', attributs)
        ident = re.search(rb'\br:id="([^"]*)"', attributs) or re.search(
            rb'\bid="([^"]*)"', attributs
        )
        if nom and ident and ident.group(1).decode() in cibles:
            cible = cibles[ident.group(1).decode()].lstrip("/")
            chemin = cible if cible.startswith("xl/") else f"xl/{cible}"
            chemins[html.unescape(nom.group(1).decode("utf-8"))] = chemin
    return chemins


def _erreurs_xlsx(contenu: bytes, membres: set[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Cellules en erreur des feuilles d'un xlsx (parmi `membres`, les XML où
    `_verifier_archive` en a vu), que calamine rend comme des cellules vides."""
    if not membres:
        return {}
    resultat: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            for feuille, chemin in _feuilles_xml(archive).items():
                if chemin not in membres:
                    continue
                try:
                    xml = archive.read(chemin)
                except KeyError:
                    continue
                if b't="e"' not in xml:
                    continue
                erreurs = {}
                for m in _CELLULE_ERREUR.finditer(xml):
                    ref = _REFERENCE.search(m.group(1))
                    valeur = _VALEUR.search(m.group(2))
                    if ref:
                        position = (int(ref.group(2)) - 1, _colonne_index(ref.group(1)))
                        erreurs[position] = valeur.group(1).decode() if valeur else "#ERREUR"
                resultat[feuille] = erreurs
    except (zipfile.BadZipFile, OSError):
        return {}
    return resultat


def _grilles_classeur(
    nom: str, contenu: bytes, en_erreur: set[str]
) -> list[tuple[str, list[list[object]], bool]]:
    """(nom de feuille, lignes) pour chaque feuille visible ; la ligne i est la ligne Excel i+1
    (calamine rend la grille depuis A1, cellules vides comprises)."""
    erreurs = _erreurs_xlsx(contenu, en_erreur)
    try:
        classeur = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(contenu))
        grilles = []
        for meta in classeur.sheets_metadata:
            if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                continue
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            lignes = classeur.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            for (i, j), code in erreurs.get(meta.name, {}).items():
                if i < len(lignes) and j < len(lignes[i]):
                    lignes[i][j] = CelluleEnErreur(code)
            grilles.append((meta.name, lignes, bool(erreurs.get(meta.name))))
        return grilles
    except python_calamine.PasswordError:
        raise _protege(nom) from None
    except Exception as exc:  # calamine signale ses erreurs de lecture par plusieurs types
        raise FichierRefuse(
            nom,
            "fichier_illisible",
            f"{nom} : classeur illisible ({type(exc).__name__} : {exc}). Ouvrez-le dans Excel "
            "et réenregistrez-le au format .xlsx.",
        ) from None


def _grille_csv(nom: str, contenu: bytes, limites: Limites) -> list[list[object]]:
    if contenu.startswith(b"\xef\xbb\xbf"):
        texte = contenu[3:].decode("utf-8", errors="replace")
    elif contenu.startswith(_BOM_UTF16):
        texte = contenu.decode("utf-16", errors="replace")
    else:
        try:
            texte = contenu.decode("utf-8")
        except UnicodeDecodeError:
            texte = contenu.decode("cp1252", errors="replace")
    echantillon = texte.splitlines()[:50]
    meilleur, score = ",", -1
    for separateur in (";", ",", "\t", "|"):
        largeurs = [len(r) for r in csv.reader(echantillon, delimiter=separateur) if any(r)]
        if not largeurs:
            continue
        frequente = max(set(largeurs), key=largeurs.count)
        points = (largeurs.count(frequente) * frequente) if frequente > 1 else 0
        if points > score:
            meilleur, score = separateur, points
    try:
        lignes = [list(r) for r in csv.reader(io.StringIO(texte), delimiter=meilleur)]
    except csv.Error as exc:
        raise FichierRefuse(nom, "fichier_illisible", f"{nom} : CSV illisible ({exc}).") from None
    if len(lignes) > limites.lignes_max:
        raise _trop_de_lignes(nom, len(lignes), limites)
    return lignes


# --- Repérage des en-têtes ---------------------------------------------------------------


def _vide(valeur: object) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


RANG_MANUEL = 0

# Pour qu'une feuille soit lue comme un tableau, il faut plus que trois en-têtes reconnus :
# des colonnes qui identifient ce qu'elle contient (un tableau de synthèse « Région, Axe,
# Secteur » n'est pas une liste de demandes).
_IDENTITE = {
    "demandes": ({"no_demande", "municipalite", "titre"}, 2),
    "budget": ({"no_demande", "categorie", "montant"}, 2),
}


def _correspondances(
    ligne: list[object], budget: bool, manuelles: Mapping[str, str]
) -> dict[str, tuple[int, str]]:
    """Clé → (colonne, en-tête) ; à clé égale, une correspondance faite à la main l'emporte,
    puis l'en-tête exact du gabarit, puis un synonyme, puis la colonne la plus à gauche."""
    meilleures: dict[str, tuple[int, int, str]] = {}
    for j, valeur in enumerate(ligne):
        if not isinstance(valeur, str) or not valeur.strip():
            continue
        entete = nettoyer(valeur)
        manuelle = manuelles.get(normaliser_entete(entete))
        trouve = (manuelle, RANG_MANUEL) if manuelle else correspondance_entete(entete, budget)
        if not trouve:
            continue
        cle, rang = trouve
        if cle not in meilleures or (rang, j) < meilleures[cle][:2]:
            meilleures[cle] = (rang, j, entete)
    return {cle: (j, entete) for cle, (_, j, entete) in meilleures.items()}


def _meilleur_entete(
    grille: list[list[object]], manuelles: Mapping[str, str]
) -> tuple[str, int, dict[str, tuple[int, str]]] | None:
    meilleur = None
    for i, ligne in enumerate(grille[:LIGNES_EXPLOREES]):
        for genre in ("demandes", "budget"):
            trouvees = _correspondances(ligne, genre == "budget", manuelles)
            if len(trouvees) >= MINIMUM_ENTETES and (
                meilleur is None or len(trouvees) > len(meilleur[2])
            ):
                meilleur = (genre, i, trouvees)
    return meilleur


def _est_tableau(genre: str, colonnes: Mapping[str, object]) -> bool:
    """Assez d'en-têtes d'identité, ou assez d'en-têtes tout court : une feuille qui en
    reconnaît six est bien un tableau de demandes, même si son numéro ou son titre porte un
    nom inconnu (la colonne manquante est alors signalée, et peut être reliée à la main)."""
    cles, minimum = _IDENTITE[genre]
    return len(cles & set(colonnes)) >= minimum or len(colonnes) >= 6


def _formulaire(grille: list[list[object]]) -> dict[str, tuple[int, object]] | None:
    """Un formulaire d'une demande : libellés en colonne A, valeurs en colonne B."""
    champs: dict[str, tuple[int, object]] = {}
    for i, ligne in enumerate(grille[:200]):
        if not ligne or _vide(ligne[0]) or not isinstance(ligne[0], str):
            continue
        cle = cle_entete(nettoyer(ligne[0]))
        if cle and cle not in champs:
            champs[cle] = (i, ligne[1] if len(ligne) > 1 else None)
    return champs if len(champs) >= 5 else None


_MOTS_TOTAL = ("total", "sous total", "grand total", "somme")


def _est_ligne_total(ligne: list[object], identite: list[int]) -> bool:
    """Une ligne de total : un libellé « Total… » et aucune identité de demande ou de dépense.

    Les cellules d'identité (titre, municipalité, catégorie) sont regardées d'abord : une
    vraie demande en a, ce qui évite de normaliser toute la ligne."""
    for j in identite:
        if (
            j < len(ligne)
            and not _vide(ligne[j])
            and not normaliser(ligne[j]).startswith(_MOTS_TOTAL)
        ):
            return False
    return any(isinstance(v, str) and normaliser(v).startswith(_MOTS_TOTAL) for v in ligne)


def _remplies(ligne: list[object]) -> list[int]:
    """Indices des cellules remplies, en s'arrêtant à deux : c'est tout ce qu'on en fait."""
    trouvees = []
    for j, v in enumerate(ligne):
        if v is not None and v != "" and not (isinstance(v, str) and not v.strip()):
            trouvees.append(j)
            if len(trouvees) == 2:
                break
    return trouvees


def _est_note(valeur: object, dans_colonne_numero: bool) -> bool:
    """Une cellule seule sous le tableau : une note (« Source : … »), pas une demande, sauf
    si elle tient dans la colonne des numéros et ressemble à un numéro."""
    if not dans_colonne_numero:
        return True
    return isinstance(valeur, str) and len(valeur.split()) >= 3


def _raison_d_ignorer(
    ligne: list[object], identite: list[int], j_numero: int | None, apres_une_demande: bool
) -> str | None:
    """ "" pour une ligne vide, la raison d'ignorer une ligne, ou None pour un enregistrement."""
    remplies = _remplies(ligne)
    if not remplies:
        return ""
    if _est_ligne_total(ligne, identite):
        return "ligne de total"
    if (
        len(remplies) == 1
        and apres_une_demande
        and _est_note(ligne[remplies[0]], remplies[0] == j_numero)
    ):
        return f"une seule cellule remplie (« {nettoyer(ligne[remplies[0]])[:60]} »)"
    return _sans_identite(ligne, identite, j_numero)


def _sans_identite(ligne: list[object], identite: list[int], j_numero: int | None) -> str | None:
    """Pourquoi une ligne n'est pas une demande (ou une dépense), ou None si elle en est une.

    Sans numéro ni titre ni municipalité (ni catégorie), une ligne ne porte que des nombres :
    un total sans libellé, des zéros ou des formules d'un gabarit. Un numéro seul, sans rien
    d'autre que des zéros, est une ligne de gabarit prénumérotée."""
    n = len(ligne)
    if any(j < n and not _vide(ligne[j]) for j in identite):
        return None
    numero = j_numero is not None and j_numero < n and not _vide(ligne[j_numero])
    autres = [
        v
        for j, v in enumerate(ligne)
        if j != j_numero and not _vide(v) and not (isinstance(v, int | float) and v == 0)
    ]
    if not numero:
        return "aucun numéro, titre ni municipalité (total ou formules ?)"
    if not autres:
        return "numéro seul, sans aucune autre donnée (ligne de gabarit prénumérotée ?)"
    return None


def _tableau(
    nom: str,
    feuille: str,
    grille: list[list[object]],
    genre: str,
    i_entete: int,
    colonnes: dict[str, tuple[int, str]],
) -> Tableau:
    entete = grille[i_entete]
    largeur = max((len(ligne) for ligne in grille[i_entete:]), default=0)
    indices_canoniques = {j for j, _ in colonnes.values()}
    vus: dict[str, int] = {}
    supplementaires = []
    for j in range(largeur):
        if j in indices_canoniques:
            continue
        texte = nettoyer(entete[j]) if j < len(entete) and not _vide(entete[j]) else ""
        texte = texte or f"(colonne {_lettre(j)})"
        vus[texte] = vus.get(texte, 0) + 1
        supplementaires.append((j, texte if vus[texte] == 1 else f"{texte} ({vus[texte]})"))
    tableau = Tableau(nom, feuille, genre, i_entete + 1, colonnes)
    j_numero = colonnes.get("no_demande", (None,))[0]
    identite = [
        colonnes[c][0]
        for c in ("titre", "municipalite", "categorie", "description")
        if c in colonnes
    ]
    paires = [(cle, j) for cle, (j, _) in colonnes.items()]
    j_max = max(j for _, j in paires)
    avec_donnees: set[str] = set()
    j_titre = identite[0] if identite else None
    for i in range(i_entete + 1, len(grille)):
        ligne = grille[i]
        n = len(ligne)
        titre = ligne[j_titre] if j_titre is not None and j_titre < n else None
        ordinaire = (
            isinstance(titre, str)
            and titre.strip()
            and not titre[:16].casefold().lstrip().replace("-", " ").startswith(_MOTS_TOTAL)
            and j_numero is not None
            and j_numero < n
            and not _vide(ligne[j_numero])
        )
        if not ordinaire:  # ligne vide, total, note, ligne sans identité : les cas rares
            raison = _raison_d_ignorer(ligne, identite, j_numero, bool(tableau.enregistrements))
            if raison == "":
                continue
            if raison:
                tableau.lignes_ignorees.append((i + 1, raison))
                continue
        if n > j_max:
            tableau.enregistrements.append({cle: ligne[j] for cle, j in paires})
        else:
            tableau.enregistrements.append(
                {cle: (ligne[j] if j < n else None) for cle, j in paires}
            )
        extras = {}
        if supplementaires:
            extras = {e: ligne[j] for j, e in supplementaires if j < n and not _vide(ligne[j])}
            avec_donnees.update(extras)
        tableau.supplementaires.append(extras)
        tableau.lignes.append(i + 1)
    tableau.entetes_supplementaires = [
        e for _, e in supplementaires if e in avec_donnees or not e.startswith("(colonne ")
    ]
    return tableau


def _lettre(j: int) -> str:
    lettres = ""
    j += 1
    while j:
        j, reste = divmod(j - 1, 26)
        lettres = chr(65 + reste) + lettres
    return lettres


def _tableau_formulaire(nom: str, feuille: str, grille, champs) -> Tableau:
    tableau = Tableau(
        nom,
        feuille,
        "demandes",
        1,
        colonnes={cle: (1, nettoyer(grille[i][0])) for cle, (i, _) in champs.items()},
        lignes_champs={cle: i + 1 for cle, (i, _) in champs.items()},
    )
    tableau.enregistrements.append({cle: v for cle, (_, v) in champs.items()})
    tableau.supplementaires.append({})
    tableau.lignes.append(min(i for i, _ in champs.values()) + 1)
    return tableau


def lire_fichier(
    nom: str,
    source: str | Path | bytes | BinaryIO,
    limites: Limites = Limites(),
    correspondances: Mapping[str, str] | None = None,
) -> FichierLu:
    """Lit un fichier de demandes ; lève `FichierRefuse` (avec un message) s'il ne peut l'être.

    Chaque feuille visible dont la ligne d'en-têtes identifie des demandes (ou des lignes de
    budget) est lue. `correspondances` associe des en-têtes du fichier à des clés
    canoniques, quand la personne a relié à la main une colonne mal nommée.
    """
    manuelles = {normaliser_entete(e): cle for e, cle in (correspondances or {}).items()}
    contenu = _octets(source, limites, nom)
    genre_fichier, en_erreur = _examiner(nom, contenu, limites)
    if genre_fichier == "csv":
        # Un CSV n'a pas de feuille : son nom reste vide dans les messages.
        grilles = [("", _grille_csv(nom, contenu, limites), False)]
    else:
        grilles = _grilles_classeur(nom, contenu, en_erreur)

    tableaux: list[Tableau] = []
    remarques: list[str] = []
    employees: set[str] = set()
    for feuille, grille, en_erreur_feuille in grilles:
        repere = _meilleur_entete(grille, manuelles)
        if repere is None:
            continue
        genre, i_entete, colonnes = repere
        if not _est_tableau(genre, colonnes):
            entetes = ", ".join(e for _, e in colonnes.values())
            quoi = "dépenses" if genre == "budget" else "demandes"
            remarques.append(
                f"Feuille « {feuille} » ignorée : ses en-têtes ({entetes}) ne suffisent pas à "
                f"identifier des {quoi}."
            )
            continue
        employees.update(normaliser_entete(e) for _, e in colonnes.values())
        tableau = _tableau(nom, feuille, grille, genre, i_entete, colonnes)
        tableau.cellules_en_erreur = en_erreur_feuille
        tableaux.append(tableau)

    if not any(t.genre == "demandes" for t in tableaux) and grilles:
        feuille, grille, en_erreur_feuille = grilles[0]
        champs = _formulaire(grille)
        if champs:
            formulaire = _tableau_formulaire(nom, feuille, grille, champs)
            formulaire.cellules_en_erreur = en_erreur_feuille
            tableaux = [t for t in tableaux if t.feuille != feuille]
            tableaux.insert(0, formulaire)
            numero = formulaire.enregistrements[0].get("no_demande")
            for t in tableaux:
                if t.genre == "budget" and "no_demande" not in t.colonnes and not _vide(numero):
                    # La feuille Budget d'un formulaire se rattache à son unique demande.
                    t.colonnes["no_demande"] = (-1, "(numéro du formulaire)")
                    for e in t.enregistrements:
                        e["no_demande"] = numero

    for entete, cle in (correspondances or {}).items():
        if normaliser_entete(entete) not in employees:
            remarques.append(
                f"Correspondance « {entete} » → {cle} sans effet : aucun en-tête de ce nom."
            )
    tableaux.sort(key=lambda t: t.genre != "demandes")
    if not tableaux:
        raise FichierRefuse(
            nom,
            "tableau_introuvable",
            f"{nom} : aucun tableau de demandes reconnu. La ligne d'en-têtes doit porter les "
            "noms de colonnes du gabarit (No de demande, Municipalité requérante, Titre du "
            "projet...) ; téléchargez le gabarit depuis la page Importation.",
        )
    if all(not t.enregistrements for t in tableaux):
        raise FichierRefuse(
            nom, "fichier_vide", f"{nom} : aucune demande (le tableau n'a que sa ligne d'en-têtes)."
        )
    return FichierLu(nom, genre_fichier, tableaux, remarques)


def lire_feuilles(
    nom: str, source: str | Path | bytes | BinaryIO, limites: Limites = Limites()
) -> list[tuple[str, list[list[object]]]]:
    """(nom de feuille, lignes) de chaque feuille visible, avec les mêmes contrôles de sûreté
    que les fichiers de demandes ; pour les autres classeurs (grilles de notes)."""
    contenu = _octets(source, limites, nom)
    genre_fichier, en_erreur = _examiner(nom, contenu, limites)
    if genre_fichier == "csv":
        return [("", _grille_csv(nom, contenu, limites))]
    return [(f, g) for f, g, _ in _grilles_classeur(nom, contenu, en_erreur)]
