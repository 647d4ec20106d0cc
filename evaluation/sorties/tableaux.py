"""Les demandes présentées en tableau : pour un fichier (dollars à point décimal, dates ISO)
ou pour une personne (« 25 000 $ », « 1er avril 2024 »)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.depot.gabarit import (
    COLONNES_DEMANDES,
    PREFIXE_DIMENSION,
    colonnes_demandes,
    colonnes_sans_objet,
    libelles_champs,
)
from evaluation.socle import formats
from evaluation.socle.champs import CHAMPS_MONTANT

CLES_SORTIE = [c.cle for c in COLONNES_DEMANDES] + ["code_geographique", "projet_conjoint"]


def cles_sortie(appel: Appel | None = None) -> list[str]:
    """Les colonnes d'un fichier de demandes, selon le type de demandeur de l'appel : pour
    un organisme, son nom et son NEQ après le numéro (`gabarit.colonnes_demandes`), et sans
    « projet conjoint », qui ne concerne que des entités municipales."""
    conjoint = [] if appel is not None and appel.demandeur_organisme else ["projet_conjoint"]
    return [c.cle for c in colonnes_demandes(appel)] + ["code_geographique", *conjoint]


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


def libelles_dimension(appel: Appel | None, id_dimension: str, ids: object, vide: str = "—") -> str:
    """Les libellés des valeurs `ids` d'une dimension déclarée, joints par « ; » comme dans
    le gabarit ; `vide` si aucune. Une valeur que l'appel ne déclare plus garde son
    identifiant."""
    if not isinstance(ids, tuple | list) or not ids:
        return vide
    dimension = appel.dimension(id_dimension) if appel is not None else None
    if dimension is None:
        return " ; ".join(map(str, ids))
    return " ; ".join(dimension.libelle_valeur(str(i)) for i in ids)


def _libelles_dimension(appel: Appel | None, cle: str, valeur: object) -> str | None:
    """`libelles_dimension` d'une cellule de fichier (vide : «  ») ; None si `cle` n'est pas
    une dimension (« dimension:<id> »)."""
    if not cle.startswith(PREFIXE_DIMENSION):
        return None
    if isinstance(valeur, str):
        valeur = (valeur,)
    return libelles_dimension(appel, cle[len(PREFIXE_DIMENSION) :], valeur, vide="")


def avec_dimensions(demandes: pd.DataFrame, appel: Appel | None) -> pd.DataFrame:
    """Les demandes avec, pour chaque dimension que l'appel déclare, une colonne
    « dimension:<id> » : le tuple des identifiants de ses valeurs (vide si la demande n'en a
    pas). Lus dans la colonne JSON `dimensions` ; une valeur que l'appel ne déclare plus
    (configuration modifiée depuis l'importation) est gardée telle quelle."""
    if appel is None or not appel.dimensions:
        return demandes
    stockees = (
        demandes["dimensions"].tolist() if "dimensions" in demandes else [None] * len(demandes)
    )
    return demandes.assign(
        **{
            PREFIXE_DIMENSION + d.id: pd.Series(
                [
                    tuple(str(x) for x in (s.get(d.id) or ())) if isinstance(s, dict) else ()
                    for s in stockees
                ],
                index=demandes.index,
                dtype=object,
            )
            for d in appel.dimensions
        }
    )


def demandes_pour_fichier(
    demandes: pd.DataFrame, cles: list[str] = CLES_SORTIE, appel: Appel | None = None
) -> pd.DataFrame:
    """Une ligne par demande, colonnes nommées par les clés, valeurs en texte neutre ; une
    dimension déclarée par `appel` donne les libellés de ses valeurs (« ; » entre elles)."""
    demandes = avec_dimensions(demandes, appel)
    colonnes = {}
    for cle in cles:
        valeurs = demandes[cle].astype(object) if cle in demandes else [None] * len(demandes)
        colonnes[cle] = [
            texte
            if (texte := _libelles_dimension(appel, cle, v)) is not None
            else _cellule_fichier(cle, v)
            for v in valeurs
        ]
    return pd.DataFrame(colonnes, dtype=object)


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
    """`CLES_APERCU` selon l'appel : le nom de l'organisme après le numéro pour un appel
    d'organismes (sans « projet conjoint », qui ne concerne que des entités municipales),
    sans l'axe ni le secteur d'un appel qui n'en a pas, et ses dimensions déclarées après le
    secteur."""
    if appel is None:
        return CLES_APERCU
    retirees = colonnes_sans_objet(appel)
    if appel.demandeur_organisme:
        retirees |= {"projet_conjoint"}
    cles = []
    for cle in CLES_APERCU:
        if cle == "titre":
            cles += [PREFIXE_DIMENSION + d.id for d in appel.dimensions]
        if cle not in retirees:
            cles.append(cle)
    if appel.demandeur_organisme:
        cles.insert(1, "organisme")
    return cles


def demandes_pour_personne(
    valeurs: list[dict],
    cles: list[str] = CLES_APERCU,
    regions: Mapping[str, str] | None = None,
    appel: Appel | None = None,
) -> pd.DataFrame:
    """Aperçu lisible (en-têtes du gabarit, montants « 25 000 $ ») de demandes converties ;
    les en-têtes suivent le type de demandeur de `appel` (« Municipalité du siège »)."""
    libelles = libelles_champs(appel)
    if appel is not None:
        libelles |= {PREFIXE_DIMENSION + d.id: d.libelle for d in appel.dimensions}
    return pd.DataFrame(
        {
            libelles.get(cle, cle): [
                texte
                if (texte := _libelles_dimension(appel, cle, v.get(cle))) is not None
                else valeur_lisible(cle, v.get(cle), regions)
                for v in valeurs
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
