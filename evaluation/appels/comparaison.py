"""Comparer des appels (ou les années d'un même programme) : volume, financement, enveloppe
utilisée, répartitions côte à côte, municipalités financées plusieurs années de suite.

Chaque appel arrive avec son classement (classement.classement) ; « financée » veut dire
retenue par la décision qui vaut quand l'appel en a (celle du ministère, sinon la
recommandation du comité : `ministere.decision_finale`, issue 17), sinon financée à la ligne
de financement.

Deux programmes ne déclarent pas les mêmes dimensions (issue 18) : leurs dimensions sont
appariées par libellé, et leurs valeurs aussi (sans égard aux accents, à la casse ni aux
espaces et à la ponctuation : `texte.normaliser`). Une dimension qu'un seul appel déclare
reste à part, et l'on dit lesquels ne l'ont pas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.decision import portefeuille
from evaluation.notes.fiche import libelle_axe
from evaluation.socle import formats
from evaluation.socle.texte import cle_souple, normaliser

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


def financement_par_appel(appels: Sequence[tuple[Appel, pd.DataFrame]]) -> pd.DataFrame:
    """Issue 19 : pour chaque appel, du plus ancien au plus récent, une ligne par façon de
    compter « financé », nommée comme dans les autres pages (`portefeuille.NOTIONS`) : sous
    la ligne de financement (d'après le classement), accordé par décision du comité, par
    décision du ministère. Demandes, montant (cents, toutes années), part de l'enveloppe de
    l'appel ; None / NaN quand rien n'est encore décidé de cette façon."""
    lignes = []
    for appel, table in chronologiques(appels):
        enveloppe = int(sum(appel.financement.enveloppe))
        for quoi in (portefeuille.LIGNE, portefeuille.RECOMMANDATIONS, portefeuille.MINISTERE):
            inscrit = len(table) > 0 and portefeuille.inscrites(table, quoi)
            finance = int(portefeuille.montants(table, appel, quoi).sum()) if inscrit else None
            lignes.append(
                {
                    "appel": appel.nom_court,
                    "quoi": portefeuille.NOTIONS[quoi],
                    "demandes": int(portefeuille.selection(table, quoi).sum()) if inscrit else None,
                    "finance": finance,
                    "part_utilisee": finance / enveloppe
                    if finance is not None and enveloppe
                    else np.nan,
                }
            )
    return pd.DataFrame(lignes, columns=["appel", "quoi", "demandes", "finance", "part_utilisee"])


# Les libellés sous lesquels l'axe, le secteur et la région de chaque appel s'apparient
# aux dimensions des autres (une dimension « Secteur » déclarée ailleurs rejoint le secteur).
LIBELLES_RESERVES = {"axe": "Axe", "secteur": "Secteur", "region": "Région"}
# La clé des demandes sans valeur (« (aucune) ») : aucun libellé normalisé ne la donne.
CLE_AUCUNE = "\0aucune"


@dataclass(frozen=True)
class DimensionComparee:
    """Une dimension telle que la comparaison la voit : `cle`, son libellé normalisé ;
    `libelle`, celui du premier appel (chronologique) qui la déclare ; `ids`, appel_id → id
    de la dimension dans cet appel ; `absente`, le nom court des appels qui ne l'ont pas."""

    cle: str
    libelle: str
    ids: dict[str, str]
    absente: tuple[str, ...]

    @property
    def commune(self) -> bool:
        return not self.absente


def _dimensions_d_un_appel(appel: Appel) -> dict[str, str]:
    """id → libellé des dimensions de classement de l'appel (voir `portefeuille.dimensions_de`),
    l'axe, le secteur et la région sous leurs `LIBELLES_RESERVES`."""
    return {
        id_: LIBELLES_RESERVES.get(id_, libelle)
        for id_, libelle in portefeuille.dimensions_de(appel).items()
    }


def dimensions_comparees(appels: Sequence[tuple[Appel, pd.DataFrame]]) -> list[DimensionComparee]:
    """Les dimensions des appels, appariées par libellé normalisé, dans l'ordre où elles
    paraissent (appels du plus ancien au plus récent, dimensions dans l'ordre de chacun).
    Deux dimensions d'un même appel au même libellé normalisé restent deux (la seconde est
    distinguée par son id) : on n'additionne pas deux classements différents."""
    ordre = chronologiques(appels)
    trouvees: dict[str, tuple[str, dict[str, str]]] = {}
    for appel, _ in ordre:
        for id_, libelle in _dimensions_d_un_appel(appel).items():
            cle = normaliser(libelle) or f"#{id_}"
            if appel.id in trouvees.get(cle, ("", {}))[1]:
                cle = f"{cle}#{id_}"
            trouvees.setdefault(cle, (libelle, {}))[1][appel.id] = id_
    return [
        DimensionComparee(
            cle,
            libelle,
            ids,
            tuple(a.nom_court for a, _ in ordre if a.id not in ids),
        )
        for cle, (libelle, ids) in trouvees.items()
    ]


def _dimension(
    appels: Sequence[tuple[Appel, pd.DataFrame]], dimension: DimensionComparee | str
) -> DimensionComparee:
    if isinstance(dimension, DimensionComparee):
        return dimension
    toutes = dimensions_comparees(appels)
    trouvee = next((d for d in toutes if d.cle == normaliser(dimension)), None)
    trouvee = trouvee or next((d for d in toutes if dimension in d.ids.values()), None)
    if trouvee is None:
        raise ValueError(
            f"dimension « {dimension} » inconnue des appels comparés "
            f"({', '.join(d.libelle for d in toutes)})."
        )
    return trouvee


def repartitions(
    appels: Sequence[tuple[Appel, pd.DataFrame]], dimension: DimensionComparee | str
) -> pd.DataFrame:
    """Format long : une ligne par appel et par catégorie de la dimension (une
    `DimensionComparee`, ou son libellé, ou l'id qu'elle a dans un des appels), avec
    demandes, financées, montant financé (cents) et part de l'enveloppe de l'appel. Les
    appels qui ne déclarent pas la dimension n'y ont pas de ligne (`absente` le dit).

    `libelle` : le libellé de la catégorie dans son appel ; `cle` : le libellé normalisé qui
    apparie les valeurs d'un appel à l'autre ; `categorie` : le libellé commun (celui du
    premier appel qui l'a). « Axe 1 » d'un programme n'est pas « Axe 1 » d'un autre : l'axe
    s'apparie par son libellé complet. Les demandes sans valeur : « (aucune) »."""
    dimension = _dimension(appels, dimension)
    morceaux = []
    for appel, table in chronologiques(appels):
        id_ = dimension.ids.get(appel.id)
        if id_ is None:
            continue
        r = portefeuille.repartition(table, appel, id_, selon=selon(table))
        if id_ == "axe":
            r["libelle"] = [
                portefeuille.AUCUNE
                if code == portefeuille.AUCUNE_VALEUR
                else libelle_axe(appel, code)
                for code in r.index
            ]
        r = r[["libelle", "demandes", "financees", "finance", "part_enveloppe"]].copy()
        r.insert(
            1,
            "cle",
            [
                CLE_AUCUNE
                if code == portefeuille.AUCUNE_VALEUR
                else (normaliser(libelle) or f"#{code}")
                for code, libelle in zip(r.index, r["libelle"], strict=True)
            ],
        )
        r.insert(0, "appel", appel.nom_court)
        morceaux.append(r)
    colonnes = ["appel", "libelle", "cle", "categorie", "demandes", "financees", "finance"]
    colonnes += ["part_enveloppe"]
    if not morceaux:
        return pd.DataFrame(columns=colonnes)
    longue = pd.concat(morceaux, ignore_index=True)
    premiers = longue.drop_duplicates("cle").set_index("cle")["libelle"]
    longue["categorie"] = longue["cle"].map(premiers)
    return longue[colonnes]


def repartitions_pour_fichier(
    longue: pd.DataFrame, libelle: str, decimale: str = "."
) -> pd.DataFrame:
    """Les `repartitions` d'une dimension (de libellé `libelle`) pour un CSV : montant
    financé en dollars (« 18000.50 », `formats.dollars`) et part de l'enveloppe en pour cent
    à une décimale, comme la page, au séparateur décimal `decimale` (« , » pour le CSV
    « Excel (français) ») ; vide pour une part absente."""
    return pd.DataFrame(
        {
            "Appel": longue["appel"].astype(str).to_numpy(),
            f"{libelle} (dans l'appel)": longue["libelle"].astype(str).to_numpy(),
            f"{libelle} (apparié)": longue["categorie"].astype(str).to_numpy(),
            "Demandes": longue["demandes"].astype(int).astype(str).to_numpy(),
            "Financées": longue["financees"].astype(int).astype(str).to_numpy(),
            "Financé ($)": [formats.dollars(int(v), decimale) for v in longue["finance"]],
            "Part de l'enveloppe (%)": [
                "" if pd.isna(v) else formats.nombre_fichier(100 * float(v), 1, decimale)
                for v in longue["part_enveloppe"]
            ],
        }
    )


def cote_a_cote(longue: pd.DataFrame, valeur: str = "finance") -> pd.DataFrame:
    """Catégories en lignes (appariées par `cle` quand la table en a une, affichées sous
    leur `categorie`), appels en colonnes (dans l'ordre chronologique reçu)."""
    if longue.empty:
        return pd.DataFrame()
    ordre_appels = list(dict.fromkeys(longue["appel"]))
    cle = "cle" if "cle" in longue else "libelle"
    ordre_lignes = list(dict.fromkeys(longue[cle]))
    large = (
        longue.pivot_table(index=cle, columns="appel", values=valeur, aggfunc="sum", fill_value=0)
        .reindex(index=ordre_lignes, columns=ordre_appels)
        .fillna(0)
    )
    if cle == "cle":
        noms = longue.drop_duplicates("cle").set_index("cle")["categorie"]
        large.index = pd.Index([noms[c] for c in large.index], name="libelle")
    large.columns.name = "appel"
    return large


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
