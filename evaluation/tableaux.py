"""Les demandes présentées en tableau : pour un fichier (dollars à point décimal, dates ISO)
ou pour une personne (« 25 000 $ », « 1er avril 2024 »)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from evaluation import formats
from evaluation.gabarit import COLONNES_DEMANDES, LIBELLES_CHAMPS
from evaluation.stockage import CHAMPS_MONTANT

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


_DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def neutraliser(table: pd.DataFrame) -> pd.DataFrame:
    """La même table où aucun texte ne peut devenir une formule dans un tableur : une cellule
    qui commence par = + - @ tabulation ou retour chariot reçoit une apostrophe devant
    (recommandation OWASP contre l'injection CSV)."""

    def neutre(valeur: object) -> object:
        if isinstance(valeur, str) and valeur.startswith(_DEBUTS_FORMULE):
            return "'" + valeur
        return valeur

    return table.map(neutre) if not table.empty else table


def csv_sans_formules(table: pd.DataFrame) -> bytes:
    """CSV pour Excel (« ; », UTF-8 avec BOM) d'une table neutralisée (voir `neutraliser`)."""
    # Fin de ligne \r\n : un « \r » seul dans une cellule la fait alors mettre entre
    # guillemets, au lieu de commencer une ligne que le tableur lirait sans protection.
    return (
        neutraliser(table).to_csv(index=False, sep=";", lineterminator="\r\n").encode("utf-8-sig")
    )
