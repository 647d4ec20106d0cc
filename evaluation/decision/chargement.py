"""Ce que le classement lit dans la base : demandes, notes soumises hors conflits d'intérêts,
jugements d'admissibilité, montants modifiés, décisions et pondération en vigueur, en une
`Donnees` que les règles de `decision.classement` prennent telle quelle."""

from __future__ import annotations

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.decision import notation
from evaluation.decision.classement import Donnees
from evaluation.notes import attributions
from evaluation.socle import stockage
from evaluation.socle.stockage import Moteur

# Ce que le classement, la séance et le classeur lisent d'une évaluation : ni ses dates ni
# sa version, dont la conversion coûtait la moitié de la lecture.
COLONNES_LUES = (
    "id",
    "demande_id",
    "evaluateur",
    "statut",
    "admissible",
    "raison_inadmissibilite",
    "commentaire_global",
    "modifiee_apres_consultation",
)


def charger(appel: Appel, *, moteur: Moteur) -> Donnees:
    """Lit les demandes, les notes soumises (hors conflits d'intérêts), les jugements
    d'admissibilité, les montants modifiés, les décisions et la pondération en vigueur."""
    with moteur.connect() as connexion:
        demandes = stockage.lire_demandes(appel.id, connexion=connexion)
        notes = stockage.lire_notes_soumises(appel.id, connexion=connexion)
        evaluations = stockage.lire_evaluations(
            appel.id, connexion=connexion, colonnes=COLONNES_LUES
        )
        modifications = stockage.lire_montants_recommandes(appel.id, connexion=connexion)
        decisions = stockage.lire_decisions(appel.id, connexion=connexion)
        ponderation = stockage.lire_ponderation(appel.id, connexion=connexion)
    etat = attributions.charger(appel.id, moteur=moteur, demandes=demandes)
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
    poids = dict(appel.poids)
    if ponderation:
        poids.update({k: float(v) for k, v in ponderation["poids"].items() if k in poids})
    attendues = etat.nombres_attendus()
    notes = notes.reset_index(drop=True)
    return Donnees(
        demandes,
        notes,
        evaluations,
        modifications,
        decisions,
        attendues,
        poids,
        ponderation,
        etat.reglages,
        notation.cube(notes, demandes["id"].astype(int), appel.poids),
    )
