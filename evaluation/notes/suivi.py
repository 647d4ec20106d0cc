"""Où en sont les évaluations : la liste d'un évaluateur (à faire, brouillon, soumise) avec
ses filtres et sa progression, et l'avancement de chaque évaluateur pour la présidence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.notes.repartition import Attributions
from evaluation.socle import formats

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


def noms_distincts(noms: Mapping[str, str]) -> dict[str, str]:
    """Courriel → nom affiché, deux personnes du même nom distinguées par leur courriel
    (« Marie Roy (m.roy@…) ») : une colonne par évaluateur ne peut pas porter deux fois le
    même en-tête."""
    compte: dict[str, int] = {}
    for nom in noms.values():
        compte[nom] = compte.get(nom, 0) + 1
    return {c: (f"{n} ({c})" if compte[n] > 1 else n) for c, n in noms.items()}


def _par_evaluateur(paires: Iterable[tuple[int, str]]) -> dict[str, set[int]]:
    groupes: dict[str, set[int]] = {}
    for d, e in paires:
        groupes.setdefault(e, set()).add(d)
    return groupes


def demandes_attribuees(attributions: Attributions) -> dict[str, set[int]]:
    """Les demandes à évaluer par chaque évaluateur de `attributions.evaluateurs`, selon la
    règle de `Attributions.attribuee` (hors conflit ; mode par défaut : toutes les demandes,
    mode N : ses attributions stockées), calculées par ensembles en un passage : appeler
    `attribuee` demande par demande parcourait le tuple des demandes à chaque appel
    (n × n × k comparaisons)."""
    en_conflit = _par_evaluateur(attributions.conflits)
    if attributions.reglages.evaluateurs_par_demande is None:
        toutes = set(attributions.demandes)
        return {e: toutes - en_conflit.get(e, set()) for e in attributions.evaluateurs}
    stockees = _par_evaluateur(attributions.stockees)
    return {e: stockees.get(e, set()) - en_conflit.get(e, set()) for e in attributions.evaluateurs}


def demandes_de(attributions: Attributions, evaluateur: str) -> set[int]:
    """Les demandes à évaluer par `evaluateur` (voir `demandes_attribuees`), qu'il soit ou
    non parmi les évaluateurs actifs de `attributions`."""
    en_conflit = {d for d, e in attributions.conflits if e == evaluateur}
    if attributions.reglages.evaluateurs_par_demande is None:
        return set(attributions.demandes) - en_conflit
    return {d for d, e in attributions.stockees if e == evaluateur} - en_conflit


def liste_evaluateur(
    demandes: pd.DataFrame,
    evaluations: pd.DataFrame,
    attributions: Attributions,
    evaluateur: str,
) -> pd.DataFrame:
    """Les demandes à évaluer par `evaluateur`, dans l'ordre des numéros, avec leur état.

    `demandes` : la table des demandes de l'appel (stockage.lire_demandes) ;
    `evaluations` : stockage.lire_evaluations."""
    siennes = demandes_de(attributions, evaluateur)
    propres = evaluations[evaluations["evaluateur"] == evaluateur]
    propres = propres.set_index(propres["demande_id"].astype(int))
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
    etats = propres["statut"].astype(object).reindex(liste["demande_id"])
    liste["etat"] = etats.fillna(A_FAIRE).to_numpy()
    liste["modifie_le"] = propres["modifie_le"].reindex(liste["demande_id"]).to_numpy()
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
    """Par évaluateur : demandes attribuées, soumises, en brouillon, à faire, conflits.

    `evaluations` : une ligne par évaluation, avec demande_id, evaluateur, statut
    (stockage.lire_notes_en_colonnes ou lire_evaluations_en_bref)."""
    siennes = demandes_attribuees(attributions)
    conflits = _par_evaluateur(attributions.conflits)
    lignes = []
    for e in attributions.evaluateurs:
        propres = evaluations[evaluations["evaluateur"] == e]
        statuts = propres.loc[propres["demande_id"].astype(int).isin(siennes[e]), "statut"]
        soumises = int((statuts == SOUMISE).sum())
        brouillons = int((statuts == BROUILLON).sum())
        lignes.append(
            {
                "evaluateur": e,
                "nom": (noms or {}).get(e, e),
                "attribuees": len(siennes[e]),
                "soumises": soumises,
                "brouillons": brouillons,
                "a_faire": len(siennes[e]) - soumises - brouillons,
                "conflits": len(conflits.get(e, ())),
            }
        )
    colonnes = ["evaluateur", "nom", "attribuees", "soumises", "brouillons", "a_faire", "conflits"]
    return pd.DataFrame(lignes, columns=colonnes)


def totaux(par_evaluation: pd.DataFrame, appel: Appel, numeros: Mapping[int, str]) -> pd.DataFrame:
    """Le total pondéré /100 de chaque évaluation complète : une ligne par demande (numéro),
    une colonne par évaluateur, dans l'ordre ; vide là où il n'y en a pas. Une évaluation à
    qui manque une note n'a pas de total.

    `par_evaluation` : une ligne par évaluation (demande_id, evaluateur) et une colonne par
    critère de l'appel (stockage.lire_notes_en_colonnes, déjà filtrée sur un statut) ;
    `numeros` : demande_id → numéro."""
    poids = {c.id: c.poids / appel.echelle_max for c in appel.criteres}
    complets = par_evaluation.dropna(subset=list(poids))
    if complets.empty:
        return pd.DataFrame()
    total = sum(complets[c].astype(float) * p for c, p in poids.items())
    index = pd.MultiIndex.from_arrays(
        [complets["demande_id"].astype(int).map(numeros), complets["evaluateur"]],
        names=["no_demande", "evaluateur"],
    )
    return (
        pd.Series(total.to_numpy(), index=index)
        .unstack("evaluateur")
        .sort_index()
        .sort_index(axis=1)
    )


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
            "Date": [formats.date_heure(x) for x in t["date"]],
            "Changement": t["nouveau"].tolist(),
        },
        columns=colonnes,
    )


def evaluations_inachevees(
    attributions: Attributions,
    evaluations: pd.DataFrame,
    demandes: pd.DataFrame,
    noms: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Ce que le verrouillage des évaluations figerait inachevé : chaque évaluation
    attribuée (hors conflit, voir `demandes_attribuees`) qui n'est pas soumise, en
    brouillon ou pas commencée (« à faire »). Une ligne par (évaluateur, demande) :
    evaluateur, nom, demande_id, no_demande, titre, etat ; triées par nom puis numéro.

    `evaluations` : une ligne par évaluation (demande_id, evaluateur, statut) ;
    `demandes` : id, no_demande, titre des demandes de l'appel."""
    colonnes = ["evaluateur", "nom", "demande_id", "no_demande", "titre", "etat"]
    siennes = demandes_attribuees(attributions)
    paires = pd.DataFrame(
        [(e, d) for e in attributions.evaluateurs for d in siennes[e]],
        columns=["evaluateur", "demande_id"],
    )
    if paires.empty:
        return pd.DataFrame(columns=colonnes)
    statuts = (
        evaluations.assign(demande_id=evaluations["demande_id"].astype(int))
        .drop_duplicates(["evaluateur", "demande_id"], keep="last")
        .set_index(["evaluateur", "demande_id"])["statut"]
        .astype(object)
    )
    paires["etat"] = statuts.reindex(pd.MultiIndex.from_frame(paires)).fillna(A_FAIRE).to_numpy()
    paires = paires[paires["etat"] != SOUMISE]
    fiches = demandes.assign(id=demandes["id"].astype(int)).set_index("id")
    paires["no_demande"] = paires["demande_id"].map(fiches["no_demande"]).fillna("")
    paires["titre"] = paires["demande_id"].map(fiches["titre"]).fillna("")
    paires["nom"] = paires["evaluateur"].map(lambda e: (noms or {}).get(e, e))
    return paires.sort_values(["nom", "evaluateur", "no_demande"], kind="stable").reset_index(
        drop=True
    )[colonnes]
