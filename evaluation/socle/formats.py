"""Écriture des nombres, montants et dates à la québécoise (« 25 000 $ », « 1er avril 2024 »,
« 29 novembre 2026 à 17 h 25 ») : la seule source des formats de ce que les pages montrent et
de ce que les fichiers et la ligne de commande écrivent (issue 19).

Une note (total sur 100, moyenne d'un critère, note d'un évaluateur, note de consensus)
s'écrit partout avec `DECIMALES_NOTES` décimales, arrondie au plus proche, la moitié vers le
haut : 95,125 donne « 95,13 » sur chaque page, dans le procès-verbal, le classeur, le CSV et
la ligne de commande (« 95.13 » dans un fichier « données »)."""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from decimal import ROUND_HALF_UP, Decimal

ESPACE_INSECABLE = "\u00a0"
# Deux décimales : un total sur 100 est la somme pondérée de moyennes de plusieurs
# évaluateurs ; une seule décimale confondrait des demandes que le comité départage
# (réglage du projet, issue 19).
DECIMALES_NOTES = 2
# Le format (printf) des champs de saisie de notes, de poids et de parts (`st.number_input`,
# `NumberColumn`) : « 7.5 », « 25 », sans décimales inutiles (« 7.50 », « 25.00 »). Le point
# décimal y reste : Streamlit n'offre pas la virgule dans ces champs.
FORMAT_NOTE_SAISIE = "%g"
# Le format des sélecteurs de date (`st.date_input`) : « 2026-11-29 ». Streamlit n'y accepte
# que AAAA/MM/JJ, JJ/MM/AAAA ou MM/JJ/AAAA (séparateur « / », « - » ou « . »), jamais le
# mois en lettres ; AAAA-MM-JJ est la seule forme tout en chiffres sans ambiguïté entre jour
# et mois (ISO 8601, recommandée par l'OQLF).
FORMAT_DATE_SAISIE = "YYYY-MM-DD"

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def arrondi(valeur: float | int, decimales: int = 0) -> Decimal:
    """`valeur` arrondie au plus proche, la moitié vers le haut (63,25 → 63,3), comme on
    l'attend d'un tableau de notes ; pas l'arrondi au pair de Python ni la représentation
    binaire : un total calculé 95,12499999999999 (somme de flottants) compte pour 95,125."""
    exacte = Decimal(repr(float(valeur))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)
    return exacte.quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)


def nombre(valeur: float | int, decimales: int = 0) -> str:
    """« 12 345 » ou « 12,5 » : espace insécable pour les milliers, virgule décimale, arrondi
    de `arrondi` (la moitié vers le haut). « — » pour une valeur absente ou infinie (un
    calcul sans donnée), jamais « NaN » ni une exception."""
    if _sans_nombre(valeur):
        return "—"
    texte = f"{arrondi(valeur, decimales):,.{decimales}f}"
    if texte.startswith("-") and not arrondi(valeur, decimales):
        texte = texte[1:]
    return texte.replace(",", ESPACE_INSECABLE).replace(".", ",")


def reglage(valeur: float | int) -> str:
    """Un réglage (poids, seuil, bornes et pas de l'échelle) tel qu'on le taperait :
    « 25 », « 7,5 », « 16,67 » — au plus deux décimales, sans zéros inutiles."""
    texte = nombre(valeur, 2)
    return texte.rstrip("0").rstrip(",") if "," in texte else texte


def saisi(valeur: float | int) -> str:
    """Un nombre tel qu'on l'a tapé, à la québécoise : toutes ses décimales, virgule décimale
    (« 7,125 », « 10 », « 0,5 ») — pour citer une note ou un pas dans un message sans
    l'arrondir. « — » pour une valeur absente ou infinie."""
    if _sans_nombre(valeur):
        return "—"
    texte = format(Decimal(repr(float(valeur))).normalize(), "f")
    return ("0" if texte == "-0" else texte).replace(".", ",")


def _absente(valeur: object) -> bool:
    return (
        valeur is None
        or (isinstance(valeur, float) and math.isnan(valeur))
        or (valeur is not None and str(valeur) in ("nan", "NaN", "<NA>", "NaT"))
    )


def _sans_nombre(valeur: object) -> bool:
    """Rien à écrire : valeur absente (`_absente`) ou infinie (un calcul sans donnée)."""
    return _absente(valeur) or not math.isfinite(float(valeur))


def note(valeur: float | None, vide: str = "—") -> str:
    """Une note à l'écran, partout la même : « 95,13 » (`DECIMALES_NOTES` décimales) ;
    `vide` pour une note absente."""
    if _sans_nombre(valeur):
        return vide
    return nombre(float(valeur), DECIMALES_NOTES)


def note_fichier(valeur: float | None, decimale: str = ".") -> str:
    """Une note pour un fichier ou la ligne de commande : « 95.13 » (ou « 95,13 » avec
    `decimale=","`, pour un CSV « Excel (français) »), sans séparateur de milliers ; vide
    pour une note absente."""
    return nombre_fichier(valeur, DECIMALES_NOTES, decimale)


def nombre_fichier(valeur: float | None, decimales: int = 2, decimale: str = ".") -> str:
    """« 1234.57 » : même arrondi que `nombre`, sans espace de milliers, pour un fichier."""
    if _sans_nombre(valeur):
        return ""
    texte = f"{arrondi(float(valeur), decimales):.{decimales}f}"
    if texte.startswith("-") and not arrondi(float(valeur), decimales):
        texte = texte[1:]
    return texte.replace(".", decimale)


def montant(cents: int | None) -> str:
    """Montant en cents → « 25 000 $ » (les cents ne s'affichent que s'ils existent)."""
    if cents is None:
        return "—"
    decimales = 0 if cents % 100 == 0 else 2
    return f"{nombre(cents / 100, decimales)}{ESPACE_INSECABLE}$"


def dollars(cents: int | None, decimale: str = ".") -> str:
    """Montant en cents → « 25000.50 » : dollars, point décimal (ou `decimale`), pour les
    fichiers et la CLI."""
    if cents is None:
        return ""
    signe = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{signe}{cents // 100}{decimale}{cents % 100:02d}"


def montant_saisi(cents: int | None) -> str:
    """La valeur de départ d'un champ de montant : « 25 000 » ou « 25 000,50 » (sans « $ »),
    que `evaluation.depot.valeurs.lire_montant` relit au même nombre de cents."""
    if cents is None:
        return ""
    return montant(cents).removesuffix(f"{ESPACE_INSECABLE}$")


def date(jour: dt.date | None) -> str:
    """`date(2024, 4, 1)` → « 1er avril 2024 »."""
    if jour is None:
        return "—"
    quantieme = "1er" if jour.day == 1 else str(jour.day)
    return f"{quantieme} {MOIS[jour.month - 1]} {jour.year}"


def heure(instant: dt.datetime | dt.time) -> str:
    """« 17 h 25 » ; « 9 h 05 »."""
    return f"{instant.hour} h {instant.minute:02d}"


def date_heure(instant: dt.datetime | None) -> str:
    """`datetime(2026, 11, 29, 17, 25)` → « 29 novembre 2026 à 17 h 25 »."""
    if instant is None or _absente(instant):
        return "—"
    return f"{date(instant.date())} à {heure(instant)}"


def date_heure_fichier(instant: dt.datetime | None) -> str:
    """`datetime(2026, 11, 29, 17, 22, 5)` → « 2026-11-29 17:22:05 » : l'horodatage d'un
    fichier (CSV, ligne de commande), qu'un tableur reconnaît comme une date et heure et
    qu'un programme relit (ISO 8601, à la seconde) ; vide pour un instant absent. Ce qu'une
    page montre s'écrit par `date_heure`."""
    if instant is None or _absente(instant):
        return ""
    return f"{instant:%Y-%m-%d %H:%M:%S}"


def pluriel(nombre_: int, singulier: str, pluriel_: str | None = None) -> str:
    """« 1 avertissement », « 19 avertissements », « 2 problèmes bloquants »."""
    mot = singulier if abs(nombre_) < 2 else (pluriel_ or singulier + "s")
    return f"{nombre_} {mot}"


def pourcentage(fraction: float, decimales: int = 1) -> str:
    """0.125 → « 12,5 % » ; « — » pour une part absente ou infinie."""
    if _sans_nombre(fraction):
        return "—"
    return f"{nombre(fraction * 100, decimales)}{ESPACE_INSECABLE}%"


def en_lignes(texte: str, largeur: int = 45) -> list[str]:
    """Un libellé long coupé en lignes d'au plus `largeur` caractères, entre les mots (un mot
    plus long reste entier) : les axes d'un graphique l'affichent en entier, sans « … »."""
    return textwrap.wrap(str(texte), largeur, break_long_words=False) or [""]
