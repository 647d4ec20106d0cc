"""Comparer des libellés saisis à la main : casse, accents, tirets et espaces ignorés."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_ESPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
# Caractères de contrôle (NUL, etc.) : invisibles, et refusés par PostgreSQL.
_CONTROLES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def sans_accents(texte: str) -> str:
    """Retire les diacritiques (« Montérégie » → « Monteregie »)."""
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


def normaliser(texte: object) -> str:
    """Forme de comparaison : minuscules sans accents, mots séparés par une espace.

    Tirets (y compris « -- » du répertoire), apostrophes et ponctuation deviennent
    des séparateurs, si bien que « Saint-Jean--sur-Richelieu » et « saint jean sur
    richelieu » se confondent.
    """
    if texte is None:
        return ""
    return _normaliser(str(texte))


@lru_cache(maxsize=65536)
def _normaliser(texte: str) -> str:
    brut = texte.casefold()
    if not brut.isascii():
        brut = sans_accents(brut).replace("œ", "oe").replace("æ", "ae")
    return _NON_ALNUM.sub(" ", brut).strip()


# Précisions entre parenthèses qui ne changent pas le sens d'un en-tête : « Coût ($) »,
# « Date (AAAA-MM-JJ) », « Région (code) ». « Montant demandé (total) », lui, n'est pas
# « Montant demandé » : la parenthèse reste.
_PRECISIONS = {
    "cad",
    "en",
    "dollars",
    "en dollars",
    "aaaa mm jj",
    "jj mm aaaa",
    "aaaa mm",
    "oui non",
    "o n",
    "code",
    "nom",
    "code ou nom",
    "obligatoire",
    "facultatif",
    "optionnel",
    "si applicable",
    "le cas echeant",
    "s il y a lieu",
    "texte",
    "nombre",
    "montant",
}


def _precision(match: re.Match) -> str:
    contenu = normaliser(match.group(0)[1:-1])
    sans_chiffres = re.sub(r"\d+", " ", contenu).split()
    if not sans_chiffres or " ".join(sans_chiffres) in _PRECISIONS:
        return " "
    return " " + contenu + " "


def normaliser_entete(texte: object) -> str:
    """Comme `normaliser`, sans les unités ou formats précisés entre parenthèses."""
    return normaliser(_PARENTHESES.sub(_precision, str(texte or "")))


def compacter(texte: object) -> str:
    """Clé sans aucun séparateur, pour les noms propres (« Saint-Lambert » = « St Lambert »)."""
    return normaliser(texte).replace(" ", "")


def citer(valeur: object, longueur: int = 40) -> str:
    """Une valeur de cellule telle qu'un message la cite : nettoyée et coupée (« … ») au-delà
    d'une quarantaine de caractères, pour qu'une cellule démesurée n'envahisse pas le rapport."""
    if isinstance(valeur, str) and len(valeur) > longueur * 8:
        valeur = valeur[: longueur * 8]  # nettoyer un texte de 100 Mo pour en citer 40 : non
    texte = nettoyer(valeur)
    return texte if len(texte) <= longueur else texte[: longueur - 1].rstrip() + "…"


_ABREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def cle_nom_propre(texte: object) -> str:
    """Clé compacte d'un nom de lieu, abréviations développées (« St-Georges »)."""
    return "".join(_ABREVIATIONS.get(m, m) for m in normaliser(texte).split(" "))


def cle_souple(texte: object) -> str:
    """Clé compacte qui confond singulier et pluriel (« frais de visa » = « Frais de visas »)."""
    return "".join(
        m[:-1] if len(m) > 3 and m[-1] in "sx" else m for m in normaliser(texte).split(" ")
    )


def nettoyer(valeur: object) -> str:
    """Texte d'une cellule sans espaces superflus ; chaîne vide pour une cellule vide."""
    if valeur is None:
        return ""
    if isinstance(valeur, str):
        return _nettoyer_texte(valeur)
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return _ESPACES.sub(" ", str(valeur)).strip()


@lru_cache(maxsize=65536)
def _nettoyer_texte(texte: str) -> str:
    return _ESPACES.sub(" ", _CONTROLES.sub("", texte)).strip()


def suggerer(saisie: str, candidats: Iterable[str], seuil: float = 0.8) -> str | None:
    """Le candidat le plus proche de la saisie (comparaison normalisée), s'il l'est assez."""
    par_cle: dict[str, str] = {}
    for candidat in candidats:
        par_cle.setdefault(normaliser(candidat), candidat)
    proches = difflib.get_close_matches(normaliser(saisie), list(par_cle), n=1, cutoff=seuil)
    return par_cle[proches[0]] if proches else None


_SEPARATEURS_LISTE = re.compile(r"[;\n]")


def liste(valeur: object) -> list[str]:
    """Découpe une cellule à valeurs multiples (« Magog; Orford ») en éléments non vides."""
    texte = valeur if isinstance(valeur, str) else nettoyer(valeur)
    return [e for e in map(nettoyer, _SEPARATEURS_LISTE.split(texte)) if e]
