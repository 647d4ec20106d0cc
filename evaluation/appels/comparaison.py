"""Comparer des appels (ou les années d'un même programme) : volume, financement, enveloppe
utilisée, répartitions côte à côte, municipalités financées plusieurs années de suite.

Chaque appel arrive avec son classement (classement.classement) ; « financée » veut dire
retenue par la décision qui vaut quand l'appel en a (celle du ministère, sinon la
recommandation du comité : `ministere.decision_finale`, issue 17), sinon financée à la ligne
de financement.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.decision import portefeuille
from evaluation.notes.fiche import libelle_axe
from evaluation.socle.texte import cle_souple

SELON_MINISTERE = "décisions du ministère"
SELON_COMITE = "recommandations du comité"
SELON_LIGNE = "ligne de financement"


def _inscrites(table: pd.DataFrame, colonne: str) -> bool:
    return colonne in table and bool((table[colonne].fillna("") != "").any())


def selon(table: pd.DataFrame) -> str:
    """Les décisions comptent dès qu'une recommandation du comité ou une décision du
    ministère est enregistrée ; avant, la ligne."""
    if _inscrites(table, "decision") or _inscrites(table, "decision_ministere"):
        return portefeuille.DECISIONS
    return portefeuille.LIGNE


def libelle_selon(table: pd.DataFrame) -> str:
    """Ce qui fait « financée » pour un appel, en clair : « décisions du ministère » dès que
    le ministère a décidé d'une demande (les autres gardent la recommandation du comité),
    « recommandations du comité », ou « ligne de financement »."""
    if _inscrites(table, "decision_ministere"):
        return SELON_MINISTERE
    if selon(table) == portefeuille.DECISIONS:
        return SELON_COMITE
    return SELON_LIGNE


def annee_de(appel: Appel) -> int:
    """L'année d'un appel : celle où commence sa première année financière."""
    return appel.financement.premiere_annee_debut.year


def chronologiques(appels: Sequence[tuple[Appel, pd.DataFrame]]):
    return sorted(appels, key=lambda p: (annee_de(p[0]), p[0].id))


def synthese(appels: Sequence[tuple[Appel, pd.DataFrame]]) -> pd.DataFrame:
    """Une ligne par appel, du plus ancien au plus récent (montants en cents)."""
    lignes = []
    for appel, table in chronologiques(appels):
        quoi = selon(table)
        choisies = portefeuille.selection(table, quoi) if len(table) else np.array([], bool)
        finance = int(portefeuille.montants(table, appel, quoi).sum()) if len(table) else 0
        enveloppe = int(sum(appel.financement.enveloppe))
        lignes.append(
            {
                "appel_id": appel.id,
                "appel": appel.nom_court,
                "annee": annee_de(appel),
                "demandes": len(table),
                "evaluees": int(pd.to_numeric(table["total"], errors="coerce").notna().sum())
                if len(table)
                else 0,
                "financees": int(choisies.sum()),
                "taux_succes": choisies.mean() if len(table) else np.nan,
                "enveloppe": enveloppe,
                "finance": finance,
                "part_utilisee": finance / enveloppe if enveloppe else np.nan,
                "selon": libelle_selon(table),
            }
        )
    return pd.DataFrame(
        lignes,
        columns=[
            "appel_id",
            "appel",
            "annee",
            "demandes",
            "evaluees",
            "financees",
            "taux_succes",
            "enveloppe",
            "finance",
            "part_utilisee",
            "selon",
        ],
    )


def repartitions(appels: Sequence[tuple[Appel, pd.DataFrame]], dimension: str) -> pd.DataFrame:
    """Format long : une ligne par appel et par catégorie (axe ou thème, secteur, région),
    avec demandes, financées, montant financé (cents) et part de l'enveloppe de l'appel.
    Les appels n'ont pas les mêmes axes : chaque catégorie garde le libellé de son appel."""
    morceaux = []
    for appel, table in chronologiques(appels):
        r = portefeuille.repartition(table, appel, dimension, selon=selon(table))
        if dimension == "axe":
            # « Axe 1 » d'un programme n'est pas « Axe 1 » d'un autre : le libellé les distingue.
            r["libelle"] = [libelle_axe(appel, code) for code in r.index]
        r = r[["libelle", "demandes", "financees", "finance", "part_enveloppe"]].copy()
        r.insert(0, "appel", appel.nom_court)
        morceaux.append(r)
    if not morceaux:
        return pd.DataFrame(
            columns=["appel", "libelle", "demandes", "financees", "finance", "part_enveloppe"]
        )
    return pd.concat(morceaux, ignore_index=True)


def cote_a_cote(longue: pd.DataFrame, valeur: str = "finance") -> pd.DataFrame:
    """Catégories en lignes, appels en colonnes (dans l'ordre chronologique reçu)."""
    if longue.empty:
        return pd.DataFrame()
    ordre_appels = list(dict.fromkeys(longue["appel"]))
    ordre_lignes = list(dict.fromkeys(longue["libelle"]))
    return (
        longue.pivot_table(
            index="libelle", columns="appel", values=valeur, aggfunc="sum", fill_value=0
        )
        .reindex(index=ordre_lignes, columns=ordre_appels)
        .fillna(0)
    )


def municipalites_recurrentes(
    appels: Sequence[tuple[Appel, pd.DataFrame]], minimum: int = 2
) -> pd.DataFrame:
    """Les municipalités (requérantes) financées dans au moins `minimum` appels : combien,
    lesquels, et la plus longue suite d'années consécutives financées."""
    par_municipalite: dict[str, dict[str, int]] = {}
    for appel, table in chronologiques(appels):
        if table.empty:
            continue
        choisies = portefeuille.selection(table, selon(table))
        for nom in table.loc[choisies, "municipalite"].dropna().astype(str):
            nom = nom.strip()
            if nom:
                par_municipalite.setdefault(nom, {})[appel.nom_court] = annee_de(appel)
    lignes = []
    for nom, financements in par_municipalite.items():
        if len(financements) < minimum:
            continue
        annees = sorted(set(financements.values()))
        suite = plus_longue = 1
        for avant, apres in pairwise(annees):
            suite = suite + 1 if apres == avant + 1 else 1
            plus_longue = max(plus_longue, suite)
        lignes.append(
            {
                "municipalite": nom,
                "appels_finances": len(financements),
                "appels": ", ".join(financements),
                "annees_consecutives": plus_longue,
            }
        )
    lignes.sort(
        key=lambda x: (
            -x["annees_consecutives"],
            -x["appels_finances"],
            cle_souple(x["municipalite"]),
        )
    )
    colonnes = ["municipalite", "appels_finances", "appels", "annees_consecutives"]
    return pd.DataFrame(lignes, columns=colonnes)
