"""Où en sont les évaluations : la liste d'un évaluateur (à faire, brouillon, soumise) avec
ses filtres et sa progression, et l'avancement de chaque évaluateur pour la présidence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.notes.repartition import Attributions

A_FAIRE, BROUILLON, SOUMISE = "à faire", "brouillon", "soumise"
ETATS = (A_FAIRE, BROUILLON, SOUMISE)
COLONNES_LISTE = [
    "demande_id",
    "no_demande",
    "titre",
    "municipalite",
    "region",
    "axe",
    "secteur",
    "etat",
    "modifie_le",
]


def _etats(evaluations: pd.DataFrame, evaluateur: str) -> dict[int, tuple[str, object]]:
    propres = evaluations[evaluations["evaluateur"] == evaluateur]
    return {
        int(d): (s, m)
        for d, s, m in zip(
            propres["demande_id"], propres["statut"], propres["modifie_le"], strict=True
        )
    }


def liste_evaluateur(
    demandes: pd.DataFrame,
    evaluations: pd.DataFrame,
    attributions: Attributions,
    evaluateur: str,
) -> pd.DataFrame:
    """Les demandes à évaluer par `evaluateur`, dans l'ordre des numéros, avec leur état.

    `demandes` : la table des demandes de l'appel (stockage.lire_demandes) ;
    `evaluations` : stockage.lire_evaluations."""
    siennes = set(attributions.demandes_de(evaluateur))
    etats = _etats(evaluations, evaluateur)
    choisies = demandes[demandes["id"].astype(int).isin(siennes)]
    liste = pd.DataFrame(
        {
            "demande_id": choisies["id"].astype(int),
            "no_demande": choisies["no_demande"],
            "titre": choisies["titre"].fillna(""),
            "municipalite": choisies["municipalite"].fillna(""),
            "region": choisies["region"].fillna(""),
            "axe": choisies["axe"],
            "secteur": choisies["secteur"].fillna(""),
        }
    )
    liste["etat"] = [etats.get(d, (A_FAIRE, None))[0] for d in liste["demande_id"]]
    liste["modifie_le"] = [etats.get(d, (None, None))[1] for d in liste["demande_id"]]
    return liste[COLONNES_LISTE].sort_values("no_demande", kind="stable").reset_index(drop=True)


def filtrer(
    liste: pd.DataFrame,
    *,
    axes: Iterable[int] = (),
    secteurs: Iterable[str] = (),
    regions: Iterable[str] = (),
    etats: Iterable[str] = (),
) -> pd.DataFrame:
    """Les lignes qui passent chaque filtre non vide (un filtre vide laisse tout passer)."""
    garde = pd.Series(True, index=liste.index)
    for colonne, valeurs in (
        ("axe", axes),
        ("secteur", secteurs),
        ("region", regions),
        ("etat", etats),
    ):
        valeurs = list(valeurs)
        if valeurs:
            garde &= liste[colonne].isin(valeurs)
    return liste[garde].reset_index(drop=True)


def progression(liste: pd.DataFrame) -> tuple[int, int]:
    """(soumises, total) d'une liste d'évaluateur."""
    return int((liste["etat"] == SOUMISE).sum()), len(liste)


def voisines(ids: list[int], courante: int | None) -> tuple[int | None, int | None]:
    """Les demandes précédente et suivante de `courante` dans `ids` (None aux bouts)."""
    if courante not in ids:
        return None, (ids[0] if ids else None)
    i = ids.index(courante)
    return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None)


def avancement(
    attributions: Attributions, evaluations: pd.DataFrame, noms: dict[str, str] | None = None
) -> pd.DataFrame:
    """Par évaluateur : demandes attribuées, soumises, en brouillon, à faire, conflits."""
    lignes = []
    for e in attributions.evaluateurs:
        siennes = set(attributions.demandes_de(e))
        etats = _etats(evaluations, e)
        soumises = sum(1 for d in siennes if etats.get(d, ("",))[0] == SOUMISE)
        brouillons = sum(1 for d in siennes if etats.get(d, ("",))[0] == BROUILLON)
        lignes.append(
            {
                "evaluateur": e,
                "nom": (noms or {}).get(e, e),
                "attribuees": len(siennes),
                "soumises": soumises,
                "brouillons": brouillons,
                "a_faire": len(siennes) - soumises - brouillons,
                "conflits": len(attributions.conflits_de(e)),
            }
        )
    colonnes = ["evaluateur", "nom", "attribuees", "soumises", "brouillons", "a_faire", "conflits"]
    return pd.DataFrame(lignes, columns=colonnes)


def totaux(notes: pd.DataFrame, appel: Appel, statut: str = SOUMISE) -> pd.DataFrame:
    """Le total pondéré /100 de chaque évaluation complète : une ligne par demande (numéro),
    une colonne par évaluateur ; vide là où il n'y a pas d'évaluation de ce statut.

    `notes` : stockage.lire_notes (no_demande, evaluateur, critere, note, statut)."""
    choisies = notes[notes["statut"] == statut]
    if choisies.empty:
        return pd.DataFrame()
    poids = {c.id: c.poids / appel.echelle_max for c in appel.criteres}
    par_eval = choisies.pivot_table(
        index=["no_demande", "evaluateur"], columns="critere", values="note", aggfunc="first"
    )
    complets = par_eval.reindex(columns=list(poids)).dropna()
    total = sum(complets[c].astype(float) * p for c, p in poids.items())
    return total.unstack("evaluateur").round(1)


def modifiees_apres_consultation(
    journal: pd.DataFrame, numeros: Mapping[int, str], noms: Mapping[str, str]
) -> pd.DataFrame:
    """Les évaluations changées après que leur auteur a vu les notes des autres (journal
    filtré sur cet objet) : demande, évaluateur, date et ce qui a changé, la plus récente
    en premier. Pour la présidence, qui en tient compte en séance."""
    colonnes = ["Demande", "Évaluateur", "Date", "Changement"]
    if journal.empty:
        return pd.DataFrame(columns=colonnes)
    t = journal.iloc[::-1]
    return pd.DataFrame(
        {
            "Demande": [numeros.get(int(d), str(d)) for d in t["demande_id"]],
            "Évaluateur": [noms.get(e, e) for e in t["evaluateur"]],
            "Date": [f"{x:%Y-%m-%d %H:%M}" for x in t["date"]],
            "Changement": t["nouveau"].tolist(),
        },
        columns=colonnes,
    )
