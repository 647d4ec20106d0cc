"""Écriture des nombres, montants et dates à la québécoise (« 25 000 $ », « 1er avril 2024 »)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

ESPACE_INSECABLE = "\u00a0"

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


def nombre(valeur: float | int, decimales: int = 0) -> str:
    """« 12 345 » ou « 12,5 » : espace insécable pour les milliers, virgule décimale.

    Arrondi au plus proche, la moitié vers le haut (63,25 → « 63,3 »), comme on l'attend
    d'un tableau de notes ; pas l'arrondi au pair de Python."""
    arrondi = Decimal(repr(float(valeur))).quantize(
        Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP
    )
    texte = f"{arrondi:,.{decimales}f}"
    return texte.replace(",", ESPACE_INSECABLE).replace(".", ",")


def montant(cents: int | None) -> str:
    """Montant en cents → « 25 000 $ » (les cents ne s'affichent que s'ils existent)."""
    if cents is None:
        return "—"
    decimales = 0 if cents % 100 == 0 else 2
    return f"{nombre(cents / 100, decimales)}{ESPACE_INSECABLE}$"


def dollars(cents: int | None) -> str:
    """Montant en cents → « 25000.50 » : dollars, point décimal, pour les fichiers et la CLI."""
    if cents is None:
        return ""
    signe = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{signe}{cents // 100}.{cents % 100:02d}"


def date(jour: dt.date | None) -> str:
    """`date(2024, 4, 1)` → « 1er avril 2024 »."""
    if jour is None:
        return "—"
    quantieme = "1er" if jour.day == 1 else str(jour.day)
    return f"{quantieme} {MOIS[jour.month - 1]} {jour.year}"


def pluriel(nombre_: int, singulier: str, pluriel_: str | None = None) -> str:
    """« 1 avertissement », « 19 avertissements », « 2 problèmes bloquants »."""
    mot = singulier if abs(nombre_) < 2 else (pluriel_ or singulier + "s")
    return f"{nombre_} {mot}"


def pourcentage(fraction: float, decimales: int = 1) -> str:
    """0.125 → « 12,5 % »."""
    return f"{nombre(fraction * 100, decimales)}{ESPACE_INSECABLE}%"
