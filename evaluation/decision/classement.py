"""Le classement : statut de chaque demande (inadmissible, admissibilité à établir, non
évalué, sous le seuil, classé), rang des classées avec le départage écrit dans l'appel,
ligne de financement, et la comparaison avec d'autres pondérations.

`classer` est une fonction sur des tableaux ; `charger` lit ce qu'il faut dans la base et
l'appelle : la page, la ligne de commande et les tests calculent le même classement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.decision import consensus, financement, ministere, notation
from evaluation.depot import echeance
from evaluation.notes import filtrage, repartition
from evaluation.socle import formats
from evaluation.socle.concurrence import ModificationConcurrente
from evaluation.sorties.tableaux import libelles_dimension

INADMISSIBLE, A_ETABLIR, NON_EVALUE, SOUS_SEUIL, CLASSE = (
    "inadmissible",
    "admissibilité à établir",
    "non évalué",
    "sous le seuil",
    "classé",
)
ORDRE_STATUTS = (CLASSE, SOUS_SEUIL, NON_EVALUE, A_ETABLIR, INADMISSIBLE)
LIBELLES_DEPARTAGE = {
    "projet_conjoint": "projet conjoint avant projet d'une seule municipalité",
    "part_financement_propre": "plus grande part du coût couverte par la contribution du demandeur",
    "financement_externe": "plus grande part du coût couverte par le financement externe",
    "no_demande": "numéro de demande",
}


# Le bruit des flottants : une moyenne pondérée de notes peut rendre 59,99999999999999 pour
# 60. Une note n'est sous un seuil que de plus d'un milliardième, et deux valeurs égales à
# 9 décimales sont à égalité (réglage de calcul, pas une règle de l'appel : aucune note ni
# aucune part du coût ne se lit à 9 décimales).
BRUIT = 1e-9
DECIMALES = 9


def _decroissante(valeurs) -> np.ndarray:
    """Clé de tri « la plus haute d'abord », à égalité au-delà de DECIMALES."""
    return -np.round(np.asarray(valeurs, dtype=float), DECIMALES)


class ErreurClassement(ValueError):
    """Une pondération ou un réglage refusé ; le message dit pourquoi."""


class PonderationPerimee(ModificationConcurrente, ErreurClassement):
    """Une autre pondération a été adoptée depuis que la page a lu la sienne."""


def regles_departage(appel: Appel) -> list[str]:
    """Le départage appliqué : celui de l'appel, le numéro de demande en dernier recours."""
    regles = list(appel.departage)
    return regles if "no_demande" in regles else [*regles, "no_demande"]


def libelle_regle(regle: str, appel: Appel) -> str:
    if regle.startswith("critere:"):
        critere = next((c for c in appel.criteres if c.id == regle[8:]), None)
        return f"note plus haute en « {critere.libelle if critere else regle[8:]} »"
    return LIBELLES_DEPARTAGE.get(regle, regle)


def reglages_notation(appel: Appel, poids: Mapping[str, float] | None = None):
    poids = poids or appel.poids
    return notation.Reglages(
        poids=tuple(float(poids[c.id]) for c in appel.criteres),
        echelle_min=appel.echelle_min,
        echelle_max=appel.echelle_max,
        agregation=appel.agregation,
        part_tronquee=appel.part_tronquee,
        ecart_critere=appel.ecart_critere_a_discuter,
        ecart_total=appel.ecart_total_a_discuter,
        regularisation=appel.regularisation_calibration,
    )


def statuts_admissibilite(
    appel: Appel, ids: np.ndarray, admissibilite: Mapping[int, filtrage.Etat] | None
) -> tuple[np.ndarray, list[str]]:
    """(verdict, raison) de chaque demande de `ids`, d'après l'examen d'admissibilité
    (`notes.filtrage`) : jamais d'après les évaluateurs. Une demande sans examen, ou dont
    une condition reste « à vérifier », est « à établir » : ni classée, ni financée.

    L'appel : « Pour être admissibles, les projets doivent : […] » (la liste de
    `[[admissibilite.conditions]]`), examinée par l'analyste avant la notation."""
    etats = admissibilite or {}
    verdicts, raisons = [], []
    for d in ids:
        etat = filtrage.etat_de(etats, int(d))
        verdicts.append(etat.verdict)
        raisons.append(filtrage.raison_affichee(etat, appel))
    return np.asarray(verdicts, dtype=object), raisons


def part_du_cout(demandes: pd.DataFrame, colonne: str) -> np.ndarray:
    """La part du coût total que couvre `colonne` (contribution du demandeur ou
    cofinancement externe), de 0 à 1 ; vide (NaN) sans coût total positif. Une source non
    renseignée compte pour 0.

    L'appel : « Dans le montage financier, une contribution du demandeur ou la présence de
    cofinancement est attendue. » et « Si les projets ont reçu un financement externe, cela
    représente un atout. » : les deux sources se lisent chacune pour elle-même, jamais
    additionnées."""
    cout = pd.to_numeric(demandes["cout_total"], errors="coerce").to_numpy(dtype=float)
    source = pd.to_numeric(demandes[colonne], errors="coerce").fillna(0).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cout > 0, source / cout, np.nan)


def classer(
    appel: Appel,
    demandes: pd.DataFrame,
    resultats: pd.DataFrame,
    admissibilite: Mapping[int, filtrage.Etat] | None = None,
    montants: np.ndarray | None = None,
) -> pd.DataFrame:
    """Le classement, dans l'ordre d'affichage : les classées par rang, puis les autres par
    statut et numéro.

    `demandes` : stockage.lire_demandes ; `resultats` : notation.resultats (index :
    demande_id) ; `admissibilite` : demande_id → état de l'examen d'admissibilité
    (`notes.filtrage.etats` ; une demande absente n'est pas encore examinée : « admissibilité
    à établir ») ; `montants` : (D, années) montants recommandés dans l'ordre de `demandes`
    (par défaut : la demande plafonnée).
    Colonnes ajoutées : statut, rang, raison, departage (la règle qui a départagé une
    demande de la précédente à total égal), recommande_anN, financement, cumul_anN."""
    ids = demandes["id"].astype(int).to_numpy()
    verdicts, raisons_admissibilite = statuts_admissibilite(appel, ids, admissibilite)
    table = demandes.reset_index(drop=True).copy()
    table["demande_id"] = ids
    r = resultats.reindex(ids)
    for colonne in r.columns:
        table[colonne] = r[colonne].to_numpy()
    table["n_evaluations"] = table["n_evaluations"].fillna(0).astype(int)
    table["part_financement_propre"] = part_du_cout(table, "contribution_demandeur")
    table["part_financement_externe"] = part_du_cout(table, "cofinancement_externe")
    table["projet_conjoint"] = table["projet_conjoint"].fillna(False).astype(bool)
    depots = echeance.etats(table, appel)
    for colonne in depots.columns:
        table[colonne] = depots[colonne].to_numpy()

    sous_minimum = np.zeros(len(table), dtype=bool)
    for c in appel.criteres:
        if c.minimum is not None:
            sous_minimum |= table[f"note:{c.id}"].to_numpy(dtype=float) < c.minimum - BRUIT
    total = table["total"].to_numpy(dtype=float)
    sous_le_seuil = total < appel.seuil_global - BRUIT
    statut = np.select(
        [
            verdicts == filtrage.INADMISSIBLE,
            verdicts != filtrage.ADMISSIBLE,
            table["n_evaluations"].to_numpy() == 0,
            sous_le_seuil | sous_minimum,
        ],
        [INADMISSIBLE, A_ETABLIR, NON_EVALUE, SOUS_SEUIL],
        default=CLASSE,
    )
    table["statut"] = statut
    table["raison"] = np.where(
        np.isin(statut, [INADMISSIBLE, A_ETABLIR]), raisons_admissibilite, ""
    )
    table.loc[table["statut"] == SOUS_SEUIL, "raison"] = np.where(
        sous_minimum[statut == SOUS_SEUIL] & ~sous_le_seuil[statut == SOUS_SEUIL],
        "sous le minimum d'un critère",
        f"total sous le seuil de {formats.reglage(appel.seuil_global)}",
    )

    # Clés de tri : classées d'abord, puis total et départage ; les autres par statut.
    cles = {"_ordre": table["statut"].map(ORDRE_STATUTS.index), "_total": _decroissante(total)}
    regles = []
    for regle in appel.departage:
        if regle.startswith("critere:"):
            cles[regle] = _decroissante(table[f"note:{regle[8:]}"])
        elif regle == "projet_conjoint":
            cles[regle] = ~table["projet_conjoint"].to_numpy()
        elif regle == "part_financement_propre":
            cles[regle] = _decroissante(table["part_financement_propre"])
        elif regle == "financement_externe":
            cles[regle] = _decroissante(table["part_financement_externe"])
        elif regle == "no_demande":
            cles[regle] = table["no_demande"].astype(str).to_numpy()
        regles.append(regle)
    if "no_demande" not in cles:  # toujours en dernier : le classement reste déterministe
        cles["no_demande"] = table["no_demande"].astype(str).to_numpy()
        regles.append("no_demande")
    tri = pd.DataFrame(cles)
    dedans = tri["_ordre"] == 0
    ordre = (
        tri[dedans]
        .sort_values([c for c in tri.columns if c != "_ordre"], kind="stable", na_position="last")
        .index.append(tri[~dedans].sort_values(["_ordre", "no_demande"], kind="stable").index)
    )
    table = table.loc[ordre].reset_index(drop=True)
    tri = tri.loc[ordre].reset_index(drop=True)

    classees = (table["statut"] == CLASSE).to_numpy()
    table["rang"] = pd.array(np.where(classees, np.cumsum(classees), 0), dtype="Int64")
    table.loc[~classees, "rang"] = pd.NA
    table["departage"] = _departage(tri, regles, classees, appel)

    if montants is None:
        montants = financement.montants_par_defaut(demandes.reset_index(drop=True), appel)
    montants = np.asarray(montants, dtype=np.int64)[np.asarray(ordre, dtype=np.int64)]
    annees = montants.shape[1]
    for a in range(annees):
        table[f"recommande_an{a + 1}"] = montants[:, a]
    ligne = financement.ligne_de_financement(
        montants[classees], appel.financement.enveloppe, appel.mode_ligne
    )
    table["financement"] = ""
    table.loc[classees, "financement"] = ligne.statuts
    for a in range(annees):
        cumul = np.zeros(len(table), dtype=np.int64)
        cumul[classees] = ligne.cumuls[:, a]
        table[f"cumul_an{a + 1}"] = pd.array(np.where(classees, cumul, 0), dtype="Int64")
        table.loc[~classees, f"cumul_an{a + 1}"] = pd.NA
    return table


def ligne_du_classement(table: pd.DataFrame, appel: Appel) -> financement.Ligne:
    """La ligne de financement d'un classement (`classer`) : statuts, cumuls, restant."""
    classees = table[table["statut"] == CLASSE]
    colonnes = [f"recommande_an{a + 1}" for a in range(financement.nombre_annees(appel))]
    montants = classees[colonnes].to_numpy(dtype=np.int64).reshape(len(classees), len(colonnes))
    return financement.ligne_de_financement(montants, appel.financement.enveloppe, appel.mode_ligne)


SANS_DECISION = "sans décision"
MONTANT_DIFFERENT = "montant accordé différent du recommandé"


def decisions_inachevees(table: pd.DataFrame, annees: int) -> pd.DataFrame:
    """Ce que le verrouillage des décisions figerait inachevé ou à revoir, dans l'ordre du
    classement : chaque demande classée sans décision du comité (`SANS_DECISION`), et
    chaque demande retenue dont un montant accordé diffère du montant recommandé de la même
    année (`MONTANT_DIFFERENT`). Colonnes demande_id, rang, no_demande, quoi, recommande,
    accorde (totaux des `annees` années, en cents ; accordé vide sans décision).

    `table` : le classement (`classement`), avec decision, recommande_anN et accorde_anN."""
    colonnes = ["demande_id", "rang", "no_demande", "quoi", "recommande", "accorde"]
    if table.empty:
        return pd.DataFrame(columns=colonnes)
    recommandes = [table[f"recommande_an{a}"].astype("Int64") for a in range(1, annees + 1)]
    accordes = [table[f"accorde_an{a}"].astype("Int64") for a in range(1, annees + 1)]
    sans = (table["statut"] == CLASSE) & (table["decision"].fillna("") == "")
    ecart = pd.Series(False, index=table.index)
    for r, a in zip(recommandes, accordes, strict=True):
        ecart |= (a.fillna(0) != r.fillna(0)).astype(bool)
    different = (table["decision"] == financement.RETENU) & ecart
    garde = sans | different
    choisies = table[garde]
    resultat = pd.DataFrame(
        {
            "demande_id": choisies["demande_id"].astype(int),
            "rang": choisies["rang"].astype("Int64"),
            "no_demande": choisies["no_demande"],
            "quoi": np.where(sans[garde], SANS_DECISION, MONTANT_DIFFERENT),
            "recommande": sum(r[garde].fillna(0) for r in recommandes).astype("Int64"),
            "accorde": sum(a[garde] for a in accordes).astype("Int64"),
        },
        columns=colonnes,
    )
    return resultat.sort_values(
        ["rang", "no_demande"], kind="stable", na_position="last"
    ).reset_index(drop=True)


def _departage(tri: pd.DataFrame, regles: list[str], classees: np.ndarray, appel) -> list[str]:
    """Pour chaque classée à total égal à la précédente : la première règle qui les
    sépare (vide sinon). Vectorisé : une comparaison par règle, pas par demande."""
    n = len(tri)
    resultat = np.full(n, "", dtype=object)
    if n < 2 or not regles:
        return list(resultat)
    total = tri["_total"].to_numpy()
    egales = np.zeros(n, dtype=bool)
    egales[1:] = (total[1:] == total[:-1]) & classees[1:] & classees[:-1]
    decidee = ~egales
    for regle in regles:
        cle = tri[regle].to_numpy()
        differe = np.zeros(n, dtype=bool)
        avant, apres = cle[:-1], cle[1:]
        differe[1:] = (avant != apres) & ~(pd.isna(avant) & pd.isna(apres))
        nouvelles = ~decidee & differe
        resultat[nouvelles] = libelle_regle(regle, appel)
        decidee |= nouvelles
    return list(resultat)


@dataclass(frozen=True)
class Donnees:
    """Ce que la base dit d'un appel pour le classer, lu une fois."""

    demandes: pd.DataFrame
    notes: pd.DataFrame  # en long : demande_id, evaluateur, critere, note
    evaluations: pd.DataFrame
    modifications: list[dict]
    decisions: list[dict]
    attendues: dict[int, int]  # demande_id → nombre d'évaluations attendues
    poids: dict[str, float]
    ponderation: dict | None
    reglages: repartition.Reglages
    # Les notes en cube (notation.cube, dans l'ordre des demandes), faites une fois au
    # chargement : classement, simulations, bootstrap et accord du panel le reprennent.
    cube: notation.Cube | None = field(default=None, compare=False, repr=False)
    # Chaque pondération adoptée, de la plus ancienne à la plus récente (qui, quand,
    # pourquoi), et les « pondérations de l'appel » (`poids_de_l_appel`) : None quand ce
    # sont celles en vigueur.
    ponderations: tuple[dict, ...] = ()
    poids_appel: dict[str, float] | None = None
    # Les lignes de budget additionnées par demande et année (`stockage.sommes_budget`) ;
    # None : budgets inconnus (le budget admissible n'est alors pas appliqué).
    sommes_budget: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    # Les bonifications fixées par la présidence (`stockage.lire_bonifications`).
    bonifications: list[dict] = field(default_factory=list)
    # demande_id → état de l'examen d'admissibilité (notes.filtrage) ; absente : pas encore
    # examinée.
    admissibilite: Mapping[int, filtrage.Etat] = field(default_factory=dict)
    # Les dernières notes de consensus inscrites en séance (`consensus.en_table`), None :
    # aucune lue.
    consensus: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    # Issue 17 : la dernière décision du ministère par demande
    # (`stockage.lire_decisions_ministre`) ; `decisions` ci-dessus sont les recommandations
    # du comité.
    decisions_ministre: list[dict] = field(default_factory=list)


def poids_de_l_appel(
    poids_en_vigueur: Mapping[str, float], ponderations: list[dict] | tuple[dict, ...]
) -> dict[str, float] | None:
    """Les poids fixés avant la notation : ceux que remplace le premier changement fait
    après la première évaluation soumise (`apres_notation`). None quand aucun changement ne
    l'a suivie : les poids en vigueur sont alors ceux de l'appel."""
    premier = next((p for p in ponderations if p.get("apres_notation")), None)
    if premier is None or not premier.get("poids_avant"):
        return None
    poids = dict(poids_en_vigueur)
    poids.update({k: float(v) for k, v in premier["poids_avant"].items() if k in poids})
    return None if poids == dict(poids_en_vigueur) else poids


def cube_des_notes(appel: Appel, donnees: Donnees) -> notation.Cube:
    """Le cube des notes soumises de `donnees`, dans l'ordre de `donnees.demandes`."""
    if donnees.cube is not None and donnees.cube.criteres == tuple(appel.poids):
        return donnees.cube
    return notation.cube(donnees.notes, donnees.demandes["id"].astype(int), appel.poids)


def rangs_calibres(total_calibre: pd.Series, statut: pd.Series) -> pd.Series:
    """Le rang qu'aurait chaque demande classée d'après son total calibré (effet évaluateur
    retiré, `notation.calibrer`), le plus haut premier, ex aequo au même rang ; vide pour
    une demande non classée (inadmissible, sous le seuil, incomplète), qui ne prend le rang
    de personne. Un repère montré à côté du rang officiel, qui ne le remplace pas
    (interprétation : l'appel ne parle pas de calibration)."""
    classees = total_calibre.where(statut == CLASSE)
    return classees.rank(ascending=False, method="min").astype("Int64")


def classement(
    appel: Appel, donnees: Donnees, poids: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Le classement complet d'un appel (voir `classer`) avec les poids en vigueur, ou
    `poids` pour une simulation ; ajoute `attendues` et la décision du comité."""
    r = reglages_notation(appel, poids or donnees.poids)
    resultats = notation.resultats(cube_des_notes(appel, donnees), r)
    # La note qui classe ([classement] note_retenue) : celle des évaluateurs, ou le
    # consensus de la séance ; les deux restent dans la table.
    resultats = consensus.appliquer(
        resultats, donnees.consensus, tuple(appel.poids), r, appel.note_retenue
    )
    montants_, admissibles = colonnes_montants(appel, donnees)
    montants, _ = financement.montants_recommandes(
        donnees.demandes,
        appel,
        donnees.modifications,
        admissibles,
        montants_["bonification"].to_numpy(dtype=np.int64),
    )
    table = classer(appel, donnees.demandes, resultats, donnees.admissibilite, montants)
    a_joindre = montants_.reindex(table["demande_id"].to_numpy())
    for colonne in a_joindre.columns:
        table[colonne] = a_joindre[colonne].to_numpy()
    table["attendues"] = table["demande_id"].map(donnees.attendues).fillna(0).astype(int)
    par_demande = {int(d["demande_id"]): d for d in donnees.decisions}
    table["decision"] = table["demande_id"].map(
        lambda d: par_demande[d]["decision"] if d in par_demande else ""
    )
    for a in (1, 2):
        table[f"accorde_an{a}"] = table["demande_id"].map(
            lambda d, a=a: par_demande[d][f"montant_an{a}"] if d in par_demande else pd.NA
        )
    table["justification"] = table["demande_id"].map(
        lambda d: (par_demande[d]["justification"] or "") if d in par_demande else ""
    )
    colonnes_ministere(table, donnees.decisions, donnees.decisions_ministre)
    table["rang_calibre"] = rangs_calibres(table["total_calibre"], table["statut"])
    # Le rang sous les pondérations de l'appel, à côté du rang officiel : le même tant que
    # les poids n'ont pas changé après la notation (une simulation n'en a pas besoin).
    if poids is None and donnees.poids_appel is not None:
        initial = classement(appel, replace(donnees, poids_appel=None), donnees.poids_appel)
        rangs = dict(zip(initial["demande_id"], initial["rang"], strict=True))
        table["rang_appel"] = table["demande_id"].map(rangs).astype("Int64")
    else:
        table["rang_appel"] = table["rang"].astype("Int64")
    return table


def colonnes_ministere(
    table: pd.DataFrame, recommandations: list[dict], decisions_ministre: list[dict]
) -> None:
    """Ajoute à `table` (par `demande_id`) la décision du ministère (issue 17) à côté de la
    recommandation du comité (`decision`, `accorde_anN`) : `decision_ministere`,
    `ministere_anN`, `raison_ministere`, `autorite_ministere`, `date_ministere`,
    `etat_ministere` (`ministere.etat`) ; et ce qui vaut (`ministere.decision_finale`) :
    `decision_finale`, `finale_anN`, `source_finale` (« ministere », « comite » ou "")."""
    ids = table["demande_id"].astype(int).to_numpy()
    finales = ministere.decision_finale(recommandations, decisions_ministre)
    du_ministere = {int(x["demande_id"]): x for x in decisions_ministre}
    du_comite = {int(x["demande_id"]): x for x in recommandations}
    table["decision_ministere"] = [
        du_ministere[d]["decision"] if d in du_ministere else "" for d in ids
    ]
    for a in (1, 2):
        table[f"ministere_an{a}"] = pd.array(
            [int(du_ministere[d][f"montant_an{a}"]) if d in du_ministere else pd.NA for d in ids],
            dtype="Int64",
        )
    table["raison_ministere"] = [(du_ministere.get(d) or {}).get("raison") or "" for d in ids]
    table["autorite_ministere"] = [(du_ministere.get(d) or {}).get("autorite") or "" for d in ids]
    table["date_ministere"] = [(du_ministere.get(d) or {}).get("date") for d in ids]
    table["etat_ministere"] = [
        ministere.etat(du_comite.get(d), du_ministere.get(d))
        if d in du_comite or d in du_ministere
        else ""
        for d in ids
    ]
    table["decision_finale"] = [finales[d].decision if d in finales else "" for d in ids]
    for a in (1, 2):
        table[f"finale_an{a}"] = pd.array(
            [finales[d].montants[a - 1] if d in finales else pd.NA for d in ids], dtype="Int64"
        )
    table["source_finale"] = [finales[d].source if d in finales else "" for d in ids]


def colonnes_montants(appel: Appel, donnees: Donnees) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Par demande (index : demande_id, dans l'ordre de `donnees.demandes`), ce que le
    montant recommandé met côte à côte : `bonification` (par année, fixée par la présidence,
    0 $ par défaut), `plafond` (plafond annuel + bonification), et pour chaque année N :
    `budget_anN` (toutes les lignes), `non_admissible_anN`, `a_confirmer_anN` (catégorie
    non reconnue), `exces_plafond_anN` (frais de visas au-delà du plafond), `admissible_anN`
    (le budget admissible). Sans budgets (`donnees.sommes_budget` None), ces colonnes sont
    vides. Rend aussi le budget admissible en tableau (D, années), ou None."""
    demandes = donnees.demandes
    ids = demandes["id"].astype(int).to_numpy()
    annees = financement.nombre_annees(appel)
    bonus = financement.bonifications_par_demande(demandes, donnees.bonifications, appel)
    colonnes: dict[str, object] = {
        "bonification": bonus,
        "plafond": financement.plafonds(demandes, appel, bonus),
    }
    admissibles = None
    if donnees.sommes_budget is not None:
        b = financement.budgets(donnees.sommes_budget, ids, annees)
        admissibles = financement.budget_admissible(b, appel)
        retenues = financement.plafonnees_retenues(
            b.plafonnee, appel.plafond_visas, appel.portee_plafond_visas
        )
    for a in range(annees):
        n = a + 1
        if admissibles is None:
            for cle in ("budget", "non_admissible", "a_confirmer", "exces_plafond", "admissible"):
                colonnes[f"{cle}_an{n}"] = pd.array([pd.NA] * len(ids), dtype="Int64")
            continue
        colonnes[f"budget_an{n}"] = b.total[:, a]
        colonnes[f"non_admissible_an{n}"] = b.non_admissible[:, a]
        colonnes[f"a_confirmer_an{n}"] = b.a_confirmer[:, a]
        colonnes[f"exces_plafond_an{n}"] = b.plafonnee[:, a] - retenues[:, a]
        colonnes[f"admissible_an{n}"] = admissibles[:, a]
    return pd.DataFrame(colonnes, index=pd.Index(ids, name="demande_id")), admissibles


def comparer(officiel: pd.DataFrame, simule: pd.DataFrame) -> pd.DataFrame:
    """Ce qui bouge d'un classement à l'autre : rang avant et après, déplacement (positif :
    monte), et les demandes qui franchissent la ligne de financement."""
    a = officiel.set_index("demande_id")[["no_demande", "rang", "financement", "total"]]
    b = simule.set_index("demande_id")[["rang", "financement", "total"]]
    t = a.merge(b, left_index=True, right_index=True, how="left", suffixes=("", "_simule"))
    t["deplacement"] = (t["rang"] - t["rang_simule"]).astype("Int64")
    t["franchit"] = np.select(
        [
            (t["financement"] == financement.FINANCE)
            & (t["financement_simule"] != financement.FINANCE),
            (t["financement"] != financement.FINANCE)
            & (t["financement_simule"] == financement.FINANCE),
        ],
        ["sort du financement", "entre dans le financement"],
        default="",
    )
    bouge = (t["deplacement"].fillna(0) != 0) | (t["franchit"] != "")
    return t[bouge].reset_index().sort_values("rang_simule", na_position="last")


def appel_aux_poids(appel: Appel, poids: Mapping[str, float]) -> Appel:
    """L'appel avec d'autres poids (pour afficher des totaux cohérents avec eux)."""
    return replace(
        appel, criteres=tuple(replace(c, poids=float(poids[c.id])) for c in appel.criteres)
    )


COLONNES_FICHIER = [
    "rang",
    "no_demande",
    "note",
    "note_evaluateurs",
    "note_consensus",
    "n_evaluations",
    "ecart_type",
    "statut",
    "montant_demande_an1",
    "montant_demande_an2",
    "non_admissible_an1",
    "non_admissible_an2",
    "budget_admissible_an1",
    "budget_admissible_an2",
    "montant_recommande_an1",
    "montant_recommande_an2",
    "cumul_an1",
    "cumul_an2",
    "decision",
    "montant_accorde_an1",
    "montant_accorde_an2",
    "ecart_recommandation",
    "decision_ministere",
    "montant_ministere_an1",
    "montant_ministere_an2",
]


def pour_fichier(
    table: pd.DataFrame, appel: Appel | None = None, decimale: str = ".", *, ecran: bool = False
) -> pd.DataFrame:
    """Le classement pour un fichier ou un terminal : colonnes nommées par leurs clés, notes
    (`formats.note_fichier`) et montants en dollars (« 25000.00 ») au séparateur décimal
    `decimale` (« , » pour le CSV « Excel (français) »), vide pour « sans objet ».
    Le statut dit « financé » ou « liste d'attente » pour une demande classée. `note` est
    celle qui classe ([classement] note_retenue) ; `note_evaluateurs` et `note_consensus`
    (« sans consensus » quand le consensus devait classer et manque) sont côte à côte.

    Avec `appel`, une colonne « dimension:<id> » par dimension qu'il déclare, en dernier :
    les libellés des valeurs de la demande, joints par « ; » (vide si aucune).

    `ecran` : les mêmes colonnes pour une personne devant un terminal (`classement --format
    texte`), écrites comme sur les pages : notes « 95,13 » (`formats.note`), montants
    « 18 000,50 $ » (`formats.montant`) ; `decimale` n'y sert pas."""
    if ecran:
        decimale = ","

    def nombre_ou_vide(v):
        return formats.note(v, "") if ecran else formats.note_fichier(v, decimale)

    def dollars_ou_vide(v):
        if v is None or pd.isna(v):
            return ""
        return formats.montant(int(v)) if ecran else formats.dollars(int(v), decimale)

    statut = np.where(table["statut"] == CLASSE, table["financement"], table["statut"])
    sortie = pd.DataFrame(
        {
            "rang": ["" if pd.isna(r) else str(int(r)) for r in table["rang"]],
            "no_demande": table["no_demande"].astype(str),
            "note": [nombre_ou_vide(v) for v in table["total"]],
            "note_evaluateurs": [
                nombre_ou_vide(v)
                for v in (
                    table["total_evaluateurs"] if "total_evaluateurs" in table else table["total"]
                )
            ],
            "note_consensus": [
                consensus.texte_consensus(v, c, decimale)
                for v, c in zip(
                    table["total_consensus"] if "total_consensus" in table else [None] * len(table),
                    table["note_classee"] if "note_classee" in table else [""] * len(table),
                    strict=True,
                )
            ],
            "n_evaluations": table["n_evaluations"].astype(int).astype(str),
            "ecart_type": [nombre_ou_vide(v) for v in table["ecart_type_total"]],
            "statut": statut,
        }
    )

    def colonne(cle: str) -> pd.Series | list:
        return table[cle] if cle in table else [None] * len(table)

    # Demandé, retiré (dépenses non admissibles, catégories à confirmer, excédent du plafond
    # des visas), budget admissible et recommandé, côte à côte comme sur les pages.
    for a in (1, 2):
        sortie[f"montant_demande_an{a}"] = [
            dollars_ou_vide(v) for v in colonne(f"montant_demande_an{a}")
        ]
        retire = [
            None
            if all(x is None or pd.isna(x) for x in parts)
            else sum(int(x) for x in parts if x is not None and not pd.isna(x))
            for parts in zip(
                colonne(f"non_admissible_an{a}"),
                colonne(f"a_confirmer_an{a}"),
                colonne(f"exces_plafond_an{a}"),
                strict=True,
            )
        ]
        sortie[f"non_admissible_an{a}"] = [dollars_ou_vide(v) for v in retire]
        sortie[f"budget_admissible_an{a}"] = [
            dollars_ou_vide(v) for v in colonne(f"admissible_an{a}")
        ]
        sortie[f"montant_recommande_an{a}"] = [
            dollars_ou_vide(v) for v in colonne(f"recommande_an{a}")
        ]
    for a in (1, 2):
        cle = f"cumul_an{a}"
        sortie[cle] = [
            dollars_ou_vide(v) for v in (table[cle] if cle in table else [None] * len(table))
        ]
    # La décision du comité et, issue 16, l'écart d'une décision « retenu » à la
    # recommandation en vigueur (`financement.mentions_d_ecart`).
    sortie["decision"] = [v or "" for v in colonne("decision")]
    for a in (1, 2):
        sortie[f"montant_accorde_an{a}"] = [dollars_ou_vide(v) for v in colonne(f"accorde_an{a}")]
    sortie["ecart_recommandation"] = (
        financement.mentions_d_ecart(table, 2) if "demande_id" in table else ""
    )
    # Issue 17 : `decision` est la recommandation du comité ; la décision du ministère suit.
    sortie["decision_ministere"] = [v or "" for v in colonne("decision_ministere")]
    for a in (1, 2):
        sortie[f"montant_ministere_an{a}"] = [
            dollars_ou_vide(v) for v in colonne(f"ministere_an{a}")
        ]
    dimensions = {
        "dimension:" + d.id: [
            libelles_dimension(appel, d.id, ids, vide="") for ids in colonne("dimension:" + d.id)
        ]
        for d in (appel.dimensions if appel is not None else ())
    }
    return sortie[COLONNES_FICHIER].assign(**dimensions)


def historique_poids(
    appel: Appel, ponderations: list[dict] | tuple[dict, ...], noms: Mapping[str, str] | None = None
) -> list[dict]:
    """L'historique des pondérations, pour une personne : d'abord celles de l'appel (son
    TOML, ou celles que remplace le premier changement), puis chaque changement (qui, quand,
    pourquoi, avant ou après la première évaluation soumise). `noms` : courriel → nom."""
    noms = noms or {}

    def texte(poids: Mapping[str, float]) -> str:
        return ", ".join(
            f"{c.libelle.split(' ')[0]} {formats.saisi(float(poids.get(c.id, c.poids)))}"
            for c in appel.criteres
        )

    premier = ponderations[0] if ponderations else None
    initiaux = (premier or {}).get("poids_avant") or appel.poids
    lignes = [
        {
            "date": None,
            "auteur": "",
            "poids": texte(initiaux),
            "raison": "pondérations de l'appel",
            "apres_notation": False,
        }
    ]
    for p in ponderations:
        lignes.append(
            {
                "date": p["date"],
                "auteur": noms.get(p["auteur"], p["auteur"]),
                "poids": texte(p["poids"]),
                "raison": p.get("raison") or "",
                "apres_notation": bool(p.get("apres_notation")),
            }
        )
    return lignes
