"""Ce que le classement lit dans la base : demandes, lignes de budget additionnées par demande
et année (en SQL), notes soumises hors conflits d'intérêts, examens d'admissibilité,
montants modifiés, bonifications, décisions et pondération en vigueur, en une
`Donnees` que les règles de `decision.classement` prennent telle quelle."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.decision import classement, consensus, financement, notation
from evaluation.decision.classement import Donnees
from evaluation.notes import attributions, filtrage
from evaluation.socle import stockage
from evaluation.socle.stockage import Moteur
from evaluation.sorties.tableaux import avec_dimensions

# Ce que le classement, la séance et le classeur lisent d'une évaluation : toutes ses
# colonnes sauf ses dates et sa version, dont la conversion coûtait la moitié de la lecture.
COLONNES_LUES = tuple(
    c for c in stockage.COLONNES_EVALUATIONS if c not in {"version", "modifie_le", "soumise_le"}
)


@dataclass(frozen=True)
class Lues:
    """Ce que le classement lit des demandes, des évaluations et des attributions : ce qui
    ne change pas quand le comité inscrit une décision, modifie un montant recommandé ou
    une pondération (la version des données lourdes, `stockage.versions_donnees`). Une
    page le garde pendant une séance ; `charger` y ajoute ce que le comité écrit."""

    demandes: pd.DataFrame
    notes: pd.DataFrame
    evaluations: pd.DataFrame
    attendues: dict[int, int]
    reglages: object
    cube: notation.Cube
    admissibilite: dict[int, filtrage.Etat]
    # Les lignes de budget additionnées par demande et année, en SQL (`sommes_budget`).
    sommes_budget: pd.DataFrame | None = None


def lire_lourdes(
    appel: Appel, *, moteur: Moteur, notes_completes: pd.DataFrame | None = None
) -> Lues:
    """Lit les demandes, les notes soumises (hors conflits d'intérêts), l'examen
    d'admissibilité de chaque demande, les évaluations attendues, et met les notes en cube.

    `notes_completes` (stockage.lire_notes_completes, déjà lues pour la feuille
    Évaluations) : les notes soumises en sont tirées au lieu d'être relues (`soumises`)."""
    with moteur.connect() as connexion:
        demandes = stockage.lire_demandes(appel.id, connexion=connexion)
        sommes = stockage.sommes_budget(
            appel.id, financement.genres_categories(appel), connexion=connexion
        )
        evaluations = stockage.lire_evaluations(
            appel.id, connexion=connexion, colonnes=(*COLONNES_LUES, "notes_resumees")
        )
        if notes_completes is None:
            notes = stockage.notes_soumises_des_evaluations(
                evaluations, appel.id, connexion=connexion
            )
        else:
            notes = soumises(notes_completes, evaluations)
        evaluations = evaluations.drop(columns="notes_resumees")
        admissibilite = filtrage.etats(stockage.lire_examens(appel.id, connexion=connexion))
    etat = attributions.charger(
        appel.id, moteur=moteur, demandes=demandes, admissibilite=admissibilite
    )
    if etat.conflits:
        exclues = pd.MultiIndex.from_tuples(list(etat.conflits), names=["d", "e"])
        paires = pd.MultiIndex.from_arrays(
            [notes["demande_id"].astype(int), notes["evaluateur"]], names=["d", "e"]
        )
        notes = notes[~paires.isin(exclues)]
        paires = pd.MultiIndex.from_arrays(
            [evaluations["demande_id"].astype(int), evaluations["evaluateur"]], names=["d", "e"]
        )
        evaluations = evaluations[~paires.isin(exclues)]
    notes = notes.reset_index(drop=True)
    return Lues(
        avec_dimensions(demandes, appel),
        notes,
        evaluations,
        etat.nombres_attendus(),
        etat.reglages,
        notation.cube(notes, demandes["id"].astype(int), appel.poids),
        admissibilite,
        sommes,
    )


def charger(
    appel: Appel,
    *,
    moteur: Moteur,
    notes_completes: pd.DataFrame | None = None,
    lues: Lues | None = None,
) -> Donnees:
    """Lit les demandes, les notes soumises (hors conflits d'intérêts), les jugements
    d'admissibilité, les montants modifiés, les recommandations du comité et les décisions du
    ministère, la pondération en vigueur et les
    notes de consensus (une requête de plus, légère).

    `lues` : ce que `lire_lourdes` a déjà lu (gardé par une page tant que la version des
    données lourdes ne change pas) ; seuls montants, décisions et pondération sont relus.
    `notes_completes` : voir `lire_lourdes`."""
    if lues is None:
        lues = lire_lourdes(appel, moteur=moteur, notes_completes=notes_completes)
    with moteur.connect() as connexion:
        modifications = stockage.lire_montants_recommandes(appel.id, connexion=connexion)
        decisions = stockage.lire_decisions(appel.id, connexion=connexion)
        decisions_ministre = stockage.lire_decisions_ministre(appel.id, connexion=connexion)
        ponderations = stockage.lire_ponderations(appel.id, connexion=connexion)
        bonifications = stockage.lire_bonifications(appel.id, connexion=connexion)
        notes_consensus = stockage.lire_consensus(appel.id, connexion=connexion, motifs=False)
    ponderation = ponderations[-1] if ponderations else None
    poids = dict(appel.poids)
    if ponderation:
        poids.update({k: float(v) for k, v in ponderation["poids"].items() if k in poids})
    return Donnees(
        lues.demandes,
        lues.notes,
        lues.evaluations,
        modifications,
        decisions,
        lues.attendues,
        poids,
        ponderation,
        lues.reglages,
        lues.cube,
        tuple(ponderations),
        classement.poids_de_l_appel(poids, ponderations),
        lues.sommes_budget,
        bonifications,
        lues.admissibilite,
        consensus.en_table(notes_consensus),
        decisions_ministre,
    )


def soumises(notes_completes: pd.DataFrame, evaluations: pd.DataFrame) -> pd.DataFrame:
    """Les notes des évaluations soumises (demande_id, evaluateur, critere, note), tirées de
    toutes les notes de l'appel (`stockage.lire_notes_completes`) et de ses évaluations
    (`stockage.lire_evaluations`) : ce que `stockage.lire_notes_soumises` lirait, dans le
    même ordre."""
    soumises_ = evaluations[evaluations["statut"] == "soumise"]
    cles = pd.MultiIndex.from_arrays(
        [soumises_["demande_id"].astype(int), soumises_["evaluateur"].astype(object)]
    )
    paires = pd.MultiIndex.from_arrays(
        [notes_completes["demande_id"].astype(int), notes_completes["evaluateur"].astype(object)]
    )
    garde = paires.isin(cles)
    colonnes = ["demande_id", "evaluateur", "critere", "note"]
    return notes_completes.loc[garde, colonnes].reset_index(drop=True)
