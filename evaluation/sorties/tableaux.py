"""Les demandes présentées en tableau : pour un fichier (dollars à point décimal, dates ISO)
ou pour une personne (« 25 000 $ », « 1er avril 2024 »)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from evaluation.depot.gabarit import COLONNES_DEMANDES, LIBELLES_CHAMPS
from evaluation.socle import formats
from evaluation.socle.champs import CHAMPS_MONTANT

CLES_SORTIE = [c.cle for c in COLONNES_DEMANDES] + ["code_geographique", "projet_conjoint"]
CLES_APERCU = [
    "no_demande",
    "municipalite",
    "region",
    "axe",
    "secteur",
    "titre",
    "montant_demande_an1",
    "montant_demande_an2",
    "cout_total",
    "projet_conjoint",
]


def _cellule_fichier(cle: str, valeur: object) -> str:
    if valeur is None or (isinstance(valeur, float) and pd.isna(valeur)):
        return ""
    if cle in CHAMPS_MONTANT:
        return formats.dollars(int(valeur))
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, dt.date | pd.Timestamp):
        return valeur.isoformat()[:10]
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    return str(valeur)


def demandes_pour_fichier(demandes: pd.DataFrame, cles: list[str] = CLES_SORTIE) -> pd.DataFrame:
    """Une ligne par demande, colonnes nommées par les clés, valeurs en texte neutre."""
    return pd.DataFrame(
        {cle: [_cellule_fichier(cle, v) for v in demandes[cle].astype(object)] for cle in cles},
        dtype=object,
    )


def valeur_lisible(cle: str, valeur: object, regions: Mapping[str, str] | None = None) -> str:
    """Une valeur de demande pour une personne : « 25 000 $ », « 1er avril 2024 », « oui »,
    « 16 – Montérégie » (quand `regions` donne le nom de chaque code)."""
    if valeur is None or (isinstance(valeur, float) and pd.isna(valeur)):
        return ""
    if cle in CHAMPS_MONTANT:
        return formats.montant(int(valeur))
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, dt.date):
        return formats.date(valeur)
    if cle == "region" and regions and valeur in regions:
        return f"{valeur} – {regions[valeur]}"
    return _cellule_fichier(cle, valeur)


def demandes_pour_personne(
    valeurs: list[dict],
    cles: list[str] = CLES_APERCU,
    regions: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Aperçu lisible (en-têtes du gabarit, montants « 25 000 $ ») de demandes converties."""
    return pd.DataFrame(
        {
            LIBELLES_CHAMPS.get(cle, cle): [
                valeur_lisible(cle, v.get(cle), regions) for v in valeurs
            ]
            for cle in cles
        },
        dtype=object,
    )


def en_texte(table: pd.DataFrame, a_droite: tuple[str, ...] = ()) -> str:
    """Tableau en texte brut pour un terminal : texte aligné à gauche, colonnes `a_droite`
    (les montants) alignées à droite."""
    colonnes = list(table.columns)
    cellules = [[str(v) for v in table[c]] for c in colonnes]
    largeurs = [
        max([len(c), *map(len, valeurs)]) for c, valeurs in zip(colonnes, cellules, strict=True)
    ]

    def ligne(valeurs):
        return "  ".join(
            v.rjust(w) if c in a_droite else v.ljust(w)
            for c, v, w in zip(colonnes, valeurs, largeurs, strict=True)
        ).rstrip()

    return "\n".join([ligne(colonnes), *(ligne(r) for r in zip(*cellules, strict=True))])
