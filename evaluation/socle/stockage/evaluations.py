"""Lectures et écritures des évaluations, de leurs notes et des consultations des notes des
autres."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.demandes import _retirees
from evaluation.socle.stockage.moteur import _en_table, _inserer_en_masse
from evaluation.socle.stockage.schema import consultations, demandes, evaluations, notes


def lire_evaluation(
    demande_id: int, evaluateur: str, *, connexion: Connection, verrouiller: bool = False
) -> dict | None:
    """L'évaluation et ses notes ({critère: (note, commentaire)}) ; `verrouiller` la réserve
    pour la transaction en cours (SELECT ... FOR UPDATE là où la base le permet)."""
    requete = sa.select(evaluations).where(
        evaluations.c.demande_id == demande_id, evaluations.c.evaluateur == evaluateur
    )
    if verrouiller:
        requete = requete.with_for_update()
    ligne = connexion.execute(requete).mappings().first()
    if ligne is None:
        return None
    evaluation = dict(ligne)
    requete = sa.select(notes.c.critere, notes.c.note, notes.c.commentaire).where(
        notes.c.evaluation_id == evaluation["id"]
    )
    evaluation["notes"] = {c: (n, m) for c, n, m in connexion.execute(requete)}
    return evaluation


def ecrire_evaluation(
    valeurs: dict, notes_par_critere: dict, evaluation_id: int | None, *, connexion: Connection
) -> int:
    """Crée ou remplace une évaluation et ses notes ; renvoie son identifiant."""
    if evaluation_id is None:
        evaluation_id = connexion.execute(
            evaluations.insert().values(**valeurs)
        ).inserted_primary_key[0]
    else:
        connexion.execute(
            evaluations.update().where(evaluations.c.id == evaluation_id).values(**valeurs)
        )
        connexion.execute(notes.delete().where(notes.c.evaluation_id == evaluation_id))
    if notes_par_critere:
        connexion.execute(
            notes.insert(),
            [
                {"evaluation_id": evaluation_id, "critere": c, "note": n, "commentaire": m}
                for c, (n, m) in notes_par_critere.items()
            ],
        )
    return evaluation_id


def lire_notes(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    """Chaque note stockée : no_demande, evaluateur, critere, note, statut, date."""
    requete = (
        sa.select(
            demandes.c.no_demande,
            evaluations.c.evaluateur,
            notes.c.critere,
            notes.c.note,
            evaluations.c.statut,
            evaluations.c.modifie_le.label("date"),
        )
        .join(evaluations, evaluations.c.id == notes.c.evaluation_id)
        .join(demandes, demandes.c.id == evaluations.c.demande_id)
        .where(evaluations.c.appel_id == appel_id, demandes.c.retiree_le.is_(None))
        .order_by(demandes.c.no_demande, evaluations.c.evaluateur, notes.c.critere)
    )
    lignes = connexion.execute(requete).mappings().all()
    colonnes = ["no_demande", "evaluateur", "critere", "note", "statut", "date"]
    return pd.DataFrame([dict(ligne) for ligne in lignes], columns=colonnes, dtype=object)


def lire_consultation(
    demande_id: int, evaluateur: str, *, connexion: Connection
) -> dt.datetime | None:
    """Quand l'évaluateur a reçu pour la première fois les notes des autres, ou None."""
    requete = sa.select(consultations.c.date).where(
        consultations.c.demande_id == demande_id, consultations.c.evaluateur == evaluateur
    )
    return connexion.scalar(requete)


def ajouter_consultation(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(consultations.insert().values(**valeurs))


def marquer_apres_consultation(evaluation_id: int, *, connexion: Connection) -> None:
    connexion.execute(
        evaluations.update()
        .where(evaluations.c.id == evaluation_id)
        .values(modifiee_apres_consultation=True)
    )


COLONNES_EVALUATIONS = (
    "id",
    "demande_id",
    "evaluateur",
    "statut",
    "admissible",
    "raison_inadmissibilite",
    "commentaire_global",
    "version",
    "modifie_le",
    "soumise_le",
    "modifiee_apres_consultation",
)


def lire_evaluations(
    appel_id: str, *, connexion: Connection, colonnes: Sequence[str] = COLONNES_EVALUATIONS
) -> pd.DataFrame:
    """Chaque évaluation de l'appel (sans ses notes) : demande_id, evaluateur, statut, dates ;
    ou ces seules `colonnes` (le classement se passe des dates, dont la conversion coûtait
    la moitié de cette lecture sous SQLite)."""
    colonnes = list(colonnes)
    requete = sa.select(*(evaluations.c[c] for c in colonnes)).where(
        evaluations.c.appel_id == appel_id, evaluations.c.demande_id.not_in(_retirees(appel_id))
    )
    return _en_table(requete, colonnes, connexion).astype(object)


def inserer_evaluations_en_masse(
    lignes: list[dict], notes_par_evaluation: list[tuple], *, connexion: Connection
) -> None:
    """Écrit d'un coup des évaluations et leurs notes (demande_id, evaluateur, critère,
    note) : pour constituer une base de mesure ou de démonstration. Ne journalise rien ;
    le chemin des personnes reste evaluations.enregistrer."""
    _inserer_en_masse(evaluations, lignes, connexion=connexion)
    appels = {ligne["appel_id"] for ligne in lignes}
    requete = sa.select(evaluations.c.id, evaluations.c.demande_id, evaluations.c.evaluateur)
    requete = requete.where(evaluations.c.appel_id.in_(appels))
    ids = {(int(d), e): int(i) for i, d, e in connexion.execute(requete)}
    _inserer_en_masse(
        notes,
        [
            {"evaluation_id": ids[(int(d), e)], "critere": c, "note": n, "commentaire": None}
            for d, e, c, n in notes_par_evaluation
        ],
        connexion=connexion,
    )


def lire_notes_soumises(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    """Les notes des évaluations soumises : demande_id, evaluateur, critere, note (ce dont
    le classement a besoin, sans jointure sur les demandes)."""
    requete = (
        sa.select(evaluations.c.demande_id, evaluations.c.evaluateur, notes.c.critere, notes.c.note)
        .join(evaluations, evaluations.c.id == notes.c.evaluation_id)
        .where(
            evaluations.c.appel_id == appel_id,
            evaluations.c.statut == "soumise",
            evaluations.c.demande_id.not_in(_retirees(appel_id)),
        )
    )
    return _en_table(requete, ["demande_id", "evaluateur", "critere", "note"], connexion)


def lire_notes_completes(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    """Chaque note de chaque évaluation (tous statuts), avec son commentaire : demande_id,
    evaluateur, critere, note, commentaire."""
    requete = (
        sa.select(
            evaluations.c.demande_id,
            evaluations.c.evaluateur,
            notes.c.critere,
            notes.c.note,
            notes.c.commentaire,
        )
        .join(evaluations, evaluations.c.id == notes.c.evaluation_id)
        .where(
            evaluations.c.appel_id == appel_id,
            evaluations.c.demande_id.not_in(_retirees(appel_id)),
        )
    )
    return _en_table(
        requete, ["demande_id", "evaluateur", "critere", "note", "commentaire"], connexion
    )
