"""Aucune formule venue des données dans un fichier que le projet écrit : CSV de la ligne de
commande et des pages, classeur du comité (xlsxwriter), grille hors ligne et gabarit
(openpyxl). Chaque écrivain passe par ce module ; tests/sorties/test_exports_hostiles.py en tient
l'inventaire et relit chaque fichier avec openpyxl et LibreOffice.

La règle suit l'OWASP (« CSV Injection ») : « ensure that no cells begin with any of the
following characters: Equals to (=), Plus (+), Minus (-), At (@), Tab (0x09), Carriage
return (0x0D) », et, pour qu'un tableur lise le champ comme du texte, « Prepend each cell
field with a single quote ». L'ASVS (V1.2.10) demande la même apostrophe pour les classeurs
XLSX et ODF.

Ce qui est neutralisé ici, et pourquoi plus que la liste de l'OWASP :

- un texte dont le premier caractère visible est = + - @, après des blancs (espace,
  tabulation, retour chariot, saut de ligne, espace insécable…) ou des caractères
  invisibles : certains tableurs retirent les blancs de tête avant d'interpréter la cellule ;
- les mêmes signes en pleine chasse ou en petite forme (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫, ramenés par
  NFKC) et le signe moins U+2212 : un tableur en langue asiatique, ou sa correction
  automatique, les prend pour = + - @ ;
- un texte qui commence par une tabulation, un retour chariot ou un saut de ligne, même
  suivi d'un texte ordinaire (règle de l'OWASP).

Un texte neutralisé reste lisible : « -1+1 » s'écrit « '-1+1 » dans un CSV, et reste
« -1+1 » dans un classeur, en cellule de texte marquée du préfixe d'apostrophe
(quotePrefix) que les tableurs affichent sans l'évaluer, même après une modification de la
cellule. Les nombres (int, float) restent des nombres ; seul le texte est en cause.
"""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

from evaluation.socle.texte import visible

_SIGNES_FORMULE = frozenset("=+-@\u2212")
_BLANCS_DE_TETE = ("\t", "\r", "\n")
# Une lettre ou un chiffre ASCII en tête décide seul : il reste en tête de ce qu'un tableur
# affiche (ni blanc, ni invisible, ni déplacé par un forçage de direction qui le suit, ni
# composé en signe par NFC) ; tests/sorties/test_neutralisation.py le vérifie sur des textes
# tirés au hasard. Le cas de presque tout texte, jugé sans `visible` ni NFKC.
_ALNUM_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
# Excel refuse une cellule de plus de 32 767 caractères (le classeur ne s'ouvre plus).
LONGUEUR_MAX_CELLULE = 32_767
MARQUE_TRONQUE = " […] (texte tronqué : limite d'Excel par cellule)"
# Interdits par XML 1.0 : openpyxl refuse de les écrire, xlsxwriter les code en _xHHHH_.
_INTERDITS_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def dangereux(valeur: object) -> bool:
    """Vrai pour un texte qu'un tableur pourrait prendre pour une formule (voir l'en-tête)."""
    if not isinstance(valeur, str) or not valeur:
        return False
    if valeur[0] in _ALNUM_ASCII:
        return False
    if valeur.startswith(_BLANCS_DE_TETE):
        return True
    debut = visible(valeur[:64]).lstrip()
    if not debut:
        return False
    premier = debut[0]
    return premier in _SIGNES_FORMULE or unicodedata.normalize("NFKC", premier) in _SIGNES_FORMULE


def neutraliser_texte(valeur: object) -> object:
    """La valeur d'une cellule de CSV : un texte dangereux reçoit une apostrophe devant ;
    toute autre valeur est rendue telle quelle."""
    return "'" + valeur if dangereux(valeur) else valeur


def neutraliser(table: pd.DataFrame) -> pd.DataFrame:
    """La même table (en-têtes compris) où aucun texte ne peut devenir une formule dans un
    tableur ; la table reçue n'est pas modifiée."""
    sortie = table.rename(columns=lambda c: neutraliser_texte(c) if isinstance(c, str) else c)
    if sortie.empty:
        return sortie
    sortie = sortie.copy(deep=False)
    for j in range(sortie.shape[1]):
        colonne = sortie.iloc[:, j]
        genre = colonne.dtype
        if isinstance(genre, pd.StringDtype) or (
            pd.api.types.is_object_dtype(genre)
            and pd.api.types.infer_dtype(colonne) in ("string", "empty")
        ):
            sortie.isetitem(j, _neutraliser_textes(colonne))
        elif not (
            pd.api.types.is_numeric_dtype(genre)
            or pd.api.types.is_datetime64_any_dtype(genre)
            or pd.api.types.is_timedelta64_dtype(genre)
        ):  # valeurs mêlées, catégories... : cellule par cellule, types déduits après coup
            sortie.isetitem(j, sortie.iloc[:, [j]].map(neutraliser_texte).iloc[:, 0])
    return sortie


def _neutraliser_textes(colonne: pd.Series) -> pd.Series:
    """Une colonne de textes (et de vides) : chaque valeur distincte n'est jugée qu'une fois
    (un évaluateur, un statut reviennent sur des milliers de lignes), et seules les cellules
    dangereuses sont réécrites."""
    hostiles = {v for v in pd.unique(colonne) if dangereux(v)}
    if not hostiles:
        return colonne
    touchees = colonne.isin(hostiles).to_numpy()
    sortie = colonne.copy()
    sortie[touchees] = ["'" + v for v in colonne[touchees]]
    return sortie


# Les deux formes d'un CSV offert (issue 19) : « Excel (français) », que le tableur d'un poste
# en français ouvre d'un double clic (« ; », virgule décimale, UTF-8 avec BOM pour les
# accents), et « données », pour un programme ou un tableur réglé autrement (« , », point
# décimal, UTF-8 sans BOM, RFC 4180).
EXCEL = "excel"
DONNEES = "donnees"
FORMES_CSV = {EXCEL: "Excel (français)", DONNEES: "données"}
_SEPARATEURS = {EXCEL: (";", ","), DONNEES: (",", ".")}


def decimale_csv(forme: str) -> str:
    """Le séparateur décimal d'un CSV de cette forme : « , » pour Excel, « . » sinon."""
    return _SEPARATEURS[forme][1]


def texte_csv(table: pd.DataFrame, separateur: str = ",", decimale: str = ".") -> str:
    """Le CSV d'une table neutralisée, sans index. Fin de ligne \\r\\n (RFC 4180) : un « \\r »
    seul dans une cellule la fait alors mettre entre guillemets, au lieu de commencer une
    ligne que le tableur lirait sans protection. `decimale` vaut pour les colonnes de
    nombres ; une colonne déjà écrite en texte garde son écriture."""
    return neutraliser(table).to_csv(
        index=False, sep=separateur, decimal=decimale, lineterminator="\r\n"
    )


def texte_csv_forme(table: pd.DataFrame, forme: str = DONNEES) -> str:
    """`texte_csv` avec le séparateur et la décimale de la forme (`FORMES_CSV`)."""
    separateur, decimale = _SEPARATEURS[forme]
    return texte_csv(table, separateur, decimale)


def csv_sans_formules(table: pd.DataFrame, forme: str = EXCEL) -> bytes:
    """Les octets d'un CSV d'une table neutralisée, dans la forme voulue : « Excel
    (français) » par défaut (« ; », virgule décimale, UTF-8 avec BOM), « données » (« , »,
    point décimal, UTF-8)."""
    texte = texte_csv_forme(table, forme)
    return texte.encode("utf-8-sig" if forme == EXCEL else "utf-8")


def texte_pour_classeur(texte: str) -> str:
    """Un texte qu'un classeur accepte : sans caractère interdit par XML, ramené à la limite
    d'Excel (marqué comme tronqué)."""
    texte = _INTERDITS_XML.sub("", texte)
    if len(texte) > LONGUEUR_MAX_CELLULE:
        return texte[: LONGUEUR_MAX_CELLULE - len(MARQUE_TRONQUE)] + MARQUE_TRONQUE
    return texte


def textes_pour_classeur(textes: list[str]) -> list[str]:
    """`texte_pour_classeur` sur chaque texte d'une colonne : un seul passage de l'expression
    sur la colonne jointe quand aucun texte n'a rien à retirer ni à couper (le cas courant),
    et la liste reçue elle-même est alors rendue."""
    if not textes:
        return textes
    if _INTERDITS_XML.search("\n".join(textes)) is None and (
        max(map(len, textes)) <= LONGUEUR_MAX_CELLULE
    ):
        return textes
    return [texte_pour_classeur(t) for t in textes]


def ecrire_cellule(feuille, ligne: int, colonne: int, valeur: object):
    """Écrit `valeur` dans la cellule (ligne, colonne) d'une feuille openpyxl, comptées à
    partir de 1, et rend la cellule. Un texte reste une cellule de texte (openpyxl ferait une
    formule de « =… ») ; s'il est dangereux, il porte en plus le préfixe d'apostrophe."""
    cellule = feuille.cell(ligne, colonne)
    if isinstance(valeur, str):
        texte = texte_pour_classeur(valeur)
        cellule.value = texte
        cellule.data_type = "s"
        if dangereux(texte):
            cellule.quotePrefix = True
    else:
        cellule.value = valeur
    return cellule


def ecrire_ligne(feuille, ligne: int, valeurs: list) -> None:
    """Écrit `valeurs` dans la ligne `ligne` (comptée de 1) d'une feuille openpyxl, à partir
    de la colonne A, chacune par `ecrire_cellule` ; None laisse la cellule vide. Remplace
    `feuille.append`, qui ferait une formule d'un texte commençant par « = »."""
    for j, valeur in enumerate(valeurs, 1):
        if valeur is not None and not (isinstance(valeur, float) and math.isnan(valeur)):
            ecrire_cellule(feuille, ligne, j, valeur)
