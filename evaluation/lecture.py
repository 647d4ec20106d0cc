"""Lecture des fichiers de demandes (xlsx, xlsm, xls, ods, csv, formulaires d'une demande)
en tableaux canoniques ; contrôles de sûreté avant toute analyse.

C'est le seul module qui ouvre des classeurs. Les valeurs restent brutes (texte, nombre,
date) : leur conversion et leur validation appartiennent à `validation`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import python_calamine

from evaluation.gabarit import COLONNES_BUDGET, COLONNES_DEMANDES, Colonne, cle_entete
from evaluation.texte import nettoyer, normaliser

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
    decompresse_max: int = 400 * 1024 * 1024
    ratio_max: float = 200.0


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
        f"{nom} : fichier trop volumineux ({taille / 2**20:.1f} Mo ; limite "
        f"{limites.taille_max / 2**20:.0f} Mo). Scindez-le ou retirez les feuilles inutiles.",
    )


def reconnaitre_format(nom: str, contenu: bytes, limites: Limites = Limites()) -> str:
    """Le format réel du fichier (« xlsx », « xls », « ods », « csv »), d'après son contenu.

    Refuse ce qui n'est pas un classeur : un PDF renommé, un classeur protégé par mot de
    passe, une archive qui se décompresserait en gigaoctets (vérifiée sans la décompresser
    entièrement en mémoire).
    """
    extension = Path(nom).suffix.casefold()
    if not contenu.strip():
        raise FichierRefuse(nom, "fichier_vide", f"{nom} : le fichier est vide (aucune demande).")
    if contenu.startswith(SIGNATURE_ZIP):
        _verifier_archive(nom, contenu, limites)
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            noms = set(archive.namelist())
            if "mimetype" in noms and b"opendocument.spreadsheet" in archive.read("mimetype"):
                return "ods"
            if "xl/workbook.xml" in noms or "xl/workbook.bin" in noms:
                return "xlsx"
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
        return "xls"
    if contenu.startswith(b"%PDF"):
        raise FichierRefuse(
            nom,
            "format_non_reconnu",
            f"{nom} : c'est un document PDF, pas un classeur. Demandez le fichier Excel "
            "(.xlsx) ou saisissez la demande dans le gabarit.",
        )
    if extension == ".csv" or extension == ".txt":
        if contenu.startswith(_BOM_UTF16):
            return "csv"
        if b"\x00" in contenu[:4096]:
            raise FichierRefuse(
                nom, "format_non_reconnu", f"{nom} : fichier binaire nommé .csv, illisible."
            )
        return "csv"
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


def _verifier_archive(nom: str, contenu: bytes, limites: Limites) -> None:
    """Refuse une bombe de décompression d'après les tailles annoncées, puis vérifie ces
    tailles en décompressant par morceaux, sans jamais dépasser la limite."""
    bombe = FichierRefuse(
        nom,
        "archive_suspecte",
        f"{nom} : le classeur se décompresserait en un volume anormal (plus de "
        f"{limites.decompresse_max / 2**20:.0f} Mo ou taux de compression de plus de "
        f"{limites.ratio_max:.0f} pour 1). Il n'a pas été lu. Réenregistrez-le depuis Excel.",
    )
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
                with archive.open(info) as membre:
                    while morceau := membre.read(1 << 20):
                        lu += len(morceau)
                        if lu > limites.decompresse_max:
                            raise bombe
    except FichierRefuse:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise FichierRefuse(
            nom,
            "fichier_illisible",
            f"{nom} : classeur endommagé ou incomplet ({exc}). Réenregistrez-le depuis Excel.",
        ) from None
    except NotImplementedError:
        raise FichierRefuse(
            nom,
            "fichier_illisible",
            f"{nom} : archive compressée d'une façon non prise en charge. Réenregistrez le "
            "classeur depuis Excel au format .xlsx.",
        ) from None


# --- Grilles -----------------------------------------------------------------------------


def _grilles_classeur(nom: str, contenu: bytes) -> list[tuple[str, list[list[object]]]]:
    """(nom de feuille, lignes) pour chaque feuille visible ; la ligne i est la ligne Excel i+1."""
    try:
        classeur = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(contenu))
        grilles = []
        for meta in classeur.sheets_metadata:
            if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                continue
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            feuille = classeur.get_sheet_by_name(meta.name)
            grilles.append((meta.name, _depuis_origine(feuille)))
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


def _depuis_origine(feuille) -> list[list[object]]:
    lignes = feuille.to_python(skip_empty_area=False)
    debut = feuille.start
    if debut and (debut[0] or debut[1]) and len(lignes) and lignes[0] and lignes[0][0] is not None:
        # Certaines versions ne rendent que la zone utilisée : on rétablit l'origine A1.
        lignes = [[None] * debut[1] + list(ligne) for ligne in lignes]
        lignes = [[] for _ in range(debut[0])] + lignes
    return lignes


def _grille_csv(nom: str, contenu: bytes) -> list[list[object]]:
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
        return [list(r) for r in csv.reader(io.StringIO(texte), delimiter=meilleur)]
    except csv.Error as exc:
        raise FichierRefuse(nom, "fichier_illisible", f"{nom} : CSV illisible ({exc}).") from None


# --- Repérage des en-têtes ---------------------------------------------------------------


def _vide(valeur: object) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _correspondances(
    ligne: list[object], budget: bool, manuelles: Mapping[str, str]
) -> dict[str, tuple[int, str]]:
    trouvees: dict[str, tuple[int, str]] = {}
    for j, valeur in enumerate(ligne):
        if _vide(valeur) or not isinstance(valeur, str):
            continue
        entete = nettoyer(valeur)
        cle = manuelles.get(entete) or cle_entete(entete, budget=budget)
        if cle and cle not in trouvees:
            trouvees[cle] = (j, entete)
    return trouvees


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


def _formulaire(grille: list[list[object]]) -> dict[str, tuple[int, object]] | None:
    """Un formulaire d'une demande : libellés en colonne A, valeurs à droite."""
    champs: dict[str, tuple[int, object]] = {}
    for i, ligne in enumerate(grille[:200]):
        if not ligne or _vide(ligne[0]):
            continue
        cle = cle_entete(nettoyer(ligne[0]))
        if cle and cle not in champs:
            valeur = next((v for v in ligne[1:] if not _vide(v)), None)
            champs[cle] = (i, valeur)
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


def _tableau(
    nom: str,
    feuille: str,
    grille: list[list[object]],
    genre: str,
    i_entete: int,
    colonnes: dict[str, tuple[int, str]],
) -> Tableau:
    entete = grille[i_entete]
    indices_canoniques = {j for j, _ in colonnes.values()}
    supplementaires = [
        (j, nettoyer(v))
        for j, v in enumerate(entete)
        if j not in indices_canoniques and not _vide(v)
    ]
    tableau = Tableau(
        nom,
        feuille,
        genre,
        i_entete + 1,
        colonnes,
        entetes_supplementaires=[e for _, e in supplementaires],
    )
    j_numero = colonnes.get("no_demande", (None,))[0]
    identite = [colonnes[c][0] for c in ("titre", "municipalite", "categorie") if c in colonnes]
    paires = [(cle, j) for cle, (j, _) in colonnes.items()]
    j_max = max(j for _, j in paires)
    for i in range(i_entete + 1, len(grille)):
        ligne = grille[i]
        remplies = _remplies(ligne)
        if not remplies:
            continue
        if _est_ligne_total(ligne, identite):
            tableau.lignes_ignorees.append((i + 1, "ligne de total"))
            continue
        if (
            len(remplies) == 1
            and tableau.enregistrements
            and _est_note(ligne[remplies[0]], remplies[0] == j_numero)
        ):
            tableau.lignes_ignorees.append(
                (i + 1, f"une seule cellule remplie (« {nettoyer(ligne[remplies[0]])[:60]} »)")
            )
            continue
        if len(ligne) > j_max:
            tableau.enregistrements.append({cle: ligne[j] for cle, j in paires})
        else:
            n = len(ligne)
            tableau.enregistrements.append(
                {cle: (ligne[j] if j < n else None) for cle, j in paires}
            )
        tableau.supplementaires.append(
            {e: ligne[j] for j, e in supplementaires if j < len(ligne) and not _vide(ligne[j])}
            if supplementaires
            else {}
        )
        tableau.lignes.append(i + 1)
    return tableau


def lire_fichier(
    nom: str,
    source: str | Path | bytes | BinaryIO,
    limites: Limites = Limites(),
    correspondances: Mapping[str, str] | None = None,
) -> FichierLu:
    """Lit un fichier de demandes ; lève `FichierRefuse` (avec un message) s'il ne peut l'être.

    `correspondances` associe des en-têtes du fichier à des clés canoniques, quand la
    personne a relié à la main une colonne que le nom ne permettait pas de reconnaître.
    """
    manuelles = dict(correspondances or {})
    contenu = _octets(source, limites, nom)
    genre_fichier = reconnaitre_format(nom, contenu, limites)
    if genre_fichier == "csv":
        grilles = [(Path(nom).stem, _grille_csv(nom, contenu))]
    else:
        grilles = _grilles_classeur(nom, contenu)

    tableaux: list[Tableau] = []
    remarques: list[str] = []
    trouves: dict[str, tuple[int, Tableau]] = {}
    for feuille, grille in grilles:
        repere = _meilleur_entete(grille, manuelles)
        if repere is None:
            continue
        genre, i_entete, colonnes = repere
        nom_feuille = normaliser(feuille)
        prioritaire = nom_feuille in ("demandes", "budget") and nom_feuille == genre
        tableau = _tableau(nom, feuille, grille, genre, i_entete, colonnes)
        poids = len(colonnes) + (1000 if prioritaire else 0)
        if genre not in trouves or poids > trouves[genre][0]:
            if genre in trouves:
                remarques.append(
                    f"Feuille « {trouves[genre][1].feuille} » ignorée : la feuille "
                    f"« {feuille} » correspond mieux au gabarit."
                )
            trouves[genre] = (poids, tableau)
        else:
            remarques.append(f"Feuille « {feuille} » ignorée : un seul tableau de {genre} est lu.")

    if "demandes" not in trouves and grilles:
        feuille, grille = grilles[0]
        champs = _formulaire(grille)
        if champs:
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
            trouves["demandes"] = (0, tableau)

    tableaux = [t for _, t in sorted(trouves.values(), key=lambda p: p[1].genre != "demandes")]
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


def colonnes_attendues(genre: str) -> tuple[Colonne, ...]:
    return COLONNES_BUDGET if genre == "budget" else COLONNES_DEMANDES
