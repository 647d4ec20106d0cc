"""Les demandes présentées en tableau : pour un fichier (dollars à point décimal, dates ISO)
ou pour une personne (« 25 000 $ », « 1er avril 2024 »)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.depot.gabarit import COLONNES_DEMANDES, colonnes_demandes, libelles_champs
from evaluation.socle import formats
from evaluation.socle.champs import CHAMPS_MONTANT

CLES_SORTIE = [c.cle for c in COLONNES_DEMANDES] + ["code_geographique", "projet_conjoint"]


def cles_sortie(appel: Appel | None = None) -> list[str]:
    """Les colonnes d'un fichier de demandes, selon le type de demandeur de l'appel : pour
    un organisme, son nom et son NEQ après le numéro (`gabarit.colonnes_demandes`)."""
    return [c.cle for c in colonnes_demandes(appel)] + ["code_geographique", "projet_conjoint"]


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


def cles_apercu(appel: Appel | None = None) -> list[str]:
    """`CLES_APERCU`, avec le nom de l'organisme après le numéro pour un appel
    d'organismes."""
    if appel is None or not appel.demandeur_organisme:
        return CLES_APERCU
    return ["no_demande", "organisme", *CLES_APERCU[1:]]


def demandes_pour_personne(
    valeurs: list[dict],
    cles: list[str] = CLES_APERCU,
    regions: Mapping[str, str] | None = None,
    appel: Appel | None = None,
) -> pd.DataFrame:
    """Aperçu lisible (en-têtes du gabarit, montants « 25 000 $ ») de demandes converties ;
    les en-têtes suivent le type de demandeur de `appel` (« Municipalité du siège »)."""
    libelles = libelles_champs(appel)
    return pd.DataFrame(
        {
            libelles.get(cle, cle): [valeur_lisible(cle, v.get(cle), regions) for v in valeurs]
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
