"""Lectures restreintes à ce qu'une page montre : les demandes en quelques colonnes, ce qui
concerne un seul évaluateur, les notes d'une seule demande, les notes de chaque évaluation
en colonnes. À 5 000 demandes × 15 évaluateurs, relire toute la table (400 000 notes) à
chaque action coûtait plusieurs secondes ; ces lectures en coûtent quelques centièmes.

Comme ailleurs dans le stockage, les demandes retirées (désistement) n'y paraissent pas.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.demandes import _retirees
from evaluation.socle.stockage.moteur import _en_table
from evaluation.socle.stockage.schema import attributions, conflits, demandes, evaluations, notes

COLONNES_EVALUATION_EN_BREF = ["demande_id", "evaluateur", "statut", "modifie_le"]


def lire_demandes_en_bref(
    appel_id: str, colonnes: Sequence[str], *, connexion: Connection
) -> pd.DataFrame:
    """Les demandes actives de l'appel, dans l'ordre des numéros, avec ces seules colonnes
    (noms de la table `demandes`)."""
    requete = (
        sa.select(*(demandes.c[c] for c in colonnes))
        .where(demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_(None))
        .order_by(demandes.c.no_demande)
    )
    return _en_table(requete, list(colonnes), connexion)


def lire_evaluations_en_bref(
    appel_id: str, *, connexion: Connection, evaluateur: str | None = None
) -> pd.DataFrame:
    """demande_id, evaluateur, statut, modifie_le de chaque évaluation de l'appel, ou de
    celles du seul `evaluateur` (sans leurs notes)."""
    requete = sa.select(*(evaluations.c[c] for c in COLONNES_EVALUATION_EN_BREF)).where(
        evaluations.c.appel_id == appel_id, evaluations.c.demande_id.not_in(_retirees(appel_id))
    )
    if evaluateur is not None:
        requete = requete.where(evaluations.c.evaluateur == evaluateur)
    return _en_table(requete, COLONNES_EVALUATION_EN_BREF, connexion)


def lire_attributions_de(appel_id: str, evaluateur: str, *, connexion: Connection) -> list[int]:
    """Les demandes attribuées à `evaluateur` (attributions stockées, mode N par demande)."""
    requete = (
        sa.select(attributions.c.demande_id)
        .where(
            attributions.c.appel_id == appel_id,
            attributions.c.evaluateur == evaluateur,
            attributions.c.demande_id.not_in(_retirees(appel_id)),
        )
        .order_by(attributions.c.demande_id)
    )
    return [int(d) for d in connexion.scalars(requete)]


def est_attribuee(demande_id: int, evaluateur: str, *, connexion: Connection) -> bool:
    """Vrai si une attribution (demande, évaluateur) est stockée : une recherche par l'index
    unique, là où relire les 70 000 attributions d'un gros appel coûtait 0,7 s à chaque
    enregistrement."""
    requete = sa.select(attributions.c.id).where(
        attributions.c.demande_id == demande_id, attributions.c.evaluateur == evaluateur
    )
    return connexion.scalar(requete.limit(1)) is not None


def lire_conflits_de(appel_id: str, evaluateur: str, *, connexion: Connection) -> list[dict]:
    """Les conflits d'intérêts déclarés de `evaluateur` dans l'appel."""
    requete = (
        sa.select(conflits)
        .where(conflits.c.appel_id == appel_id, conflits.c.evaluateur == evaluateur)
        .order_by(conflits.c.demande_id)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def lire_evaluations_de(appel_id: str, evaluateur: str, *, connexion: Connection) -> list[dict]:
    """Chaque évaluation de `evaluateur` dans l'appel, avec ses notes ({critère: (note,
    commentaire)}), comme `lire_evaluation` la rend pour une seule : deux requêtes pour
    toute une grille plutôt que deux par demande."""
    requete = sa.select(evaluations).where(
        evaluations.c.appel_id == appel_id, evaluations.c.evaluateur == evaluateur
    )
    par_id = {}
    for ligne in connexion.execute(requete).mappings():
        par_id[ligne["id"]] = dict(ligne) | {"notes": {}}
    requete = (
        sa.select(notes.c.evaluation_id, notes.c.critere, notes.c.note, notes.c.commentaire)
        .join(evaluations, evaluations.c.id == notes.c.evaluation_id)
        .where(evaluations.c.appel_id == appel_id, evaluations.c.evaluateur == evaluateur)
    )
    for i, critere, note, commentaire in connexion.execute(requete):
        par_id[i]["notes"][critere] = (note, commentaire)
    return list(par_id.values())


def lire_notes_de_la_demande(demande_id: int, *, connexion: Connection) -> pd.DataFrame:
    """Chaque note de la demande : evaluateur, critere, note, statut de l'évaluation."""
    colonnes = ["evaluateur", "critere", "note", "statut"]
    requete = (
        sa.select(evaluations.c.evaluateur, notes.c.critere, notes.c.note, evaluations.c.statut)
        .join(evaluations, evaluations.c.id == notes.c.evaluation_id)
        .where(evaluations.c.demande_id == demande_id)
        .order_by(evaluations.c.evaluateur, notes.c.critere)
    )
    return _en_table(requete, colonnes, connexion)


def lire_notes_en_colonnes(
    appel_id: str, criteres: Sequence[str], *, connexion: Connection, statut: str | None = None
) -> pd.DataFrame:
    """Une ligne par évaluation de l'appel (demande_id, evaluateur, statut), ou de ce seul
    `statut`, et une colonne par critère de `criteres` : sa note, vide quand elle manque
    (une évaluation sans aucune note a toutes ses colonnes vides). Le regroupement se fait
    dans la base, qui renvoie une ligne par évaluation plutôt qu'une par note."""
    par_critere = [
        sa.func.max(sa.case((notes.c.critere == c, notes.c.note))).label(f"c{i}")
        for i, c in enumerate(criteres)
    ]
    requete = (
        sa.select(
            evaluations.c.demande_id, evaluations.c.evaluateur, evaluations.c.statut, *par_critere
        )
        .select_from(evaluations)
        .outerjoin(notes, notes.c.evaluation_id == evaluations.c.id)
        .where(
            evaluations.c.appel_id == appel_id,
            evaluations.c.demande_id.not_in(_retirees(appel_id)),
        )
        .group_by(
            evaluations.c.id,
            evaluations.c.demande_id,
            evaluations.c.evaluateur,
            evaluations.c.statut,
        )
    )
    if statut is not None:
        requete = requete.where(evaluations.c.statut == statut)
    table = _en_table(requete, ["demande_id", "evaluateur", "statut", *criteres], connexion)
    return table.astype({c: float for c in criteres})
