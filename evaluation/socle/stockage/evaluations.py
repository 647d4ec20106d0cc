"""Lectures et écritures des évaluations, de leurs notes et des consultations des notes des
autres."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.demandes import _retirees
from evaluation.socle.stockage.moteur import _en_table, _inserer_en_masse, _tuples
from evaluation.socle.stockage.schema import (
    consultations,
    demandes,
    evaluations,
    notes,
    sans_controles,
)


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
    valeurs = {
        **valeurs,
        "notes_resumees": resume_des_notes({c: n for c, (n, _) in notes_par_critere.items()}),
    }
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
    mettre_a_jour_resumes(set(ids.values()), connexion=connexion)


# --- Notes résumées ---------------------------------------------------------------------------
# Les notes d'une évaluation en une ligne de texte, écrite avec elles (ecrire_evaluation,
# inserer_evaluations_en_masse, la migration 0008) : « 4.0;3.5;nan|["capacite", …] », les
# valeurs (repr : relues à l'identique) puis, après la première barre, les critères en JSON.
# Lire 360 000 notes par une jointure coûtait 0,9 s à 5 000 demandes ; leurs 60 000 résumés,
# une lecture et un découpage en numpy.


def resume_des_notes(notes_par_critere: dict) -> str:
    """Le résumé des notes {critère: note ou None} d'une évaluation, les critères écrits
    comme la table des notes les écrit (sans caractère de contrôle : `sans_controles`)."""
    valeurs = ";".join("nan" if n is None else repr(float(n)) for n in notes_par_critere.values())
    criteres = [sans_controles(str(c)) for c in notes_par_critere]
    return f"{valeurs}|{json.dumps(criteres, ensure_ascii=False)}"


def mettre_a_jour_resumes(evaluation_ids, *, connexion: Connection) -> None:
    """Réécrit le résumé de ces évaluations (toutes si `evaluation_ids` est None) d'après la
    table des notes : après une écriture en masse des notes, et à la migration."""
    if evaluation_ids is None:
        evaluation_ids = connexion.scalars(sa.select(evaluations.c.id)).all()
    ids = sorted({int(i) for i in evaluation_ids})
    ecriture = (
        evaluations.update()
        .where(evaluations.c.id == sa.bindparam("cible"))
        .values(notes_resumees=sa.bindparam("resume"))
    )
    for debut in range(0, len(ids), 5000):
        paquet = ids[debut : debut + 5000]
        par_evaluation: dict[int, dict] = {i: {} for i in paquet}
        lecture = (
            sa.select(notes.c.evaluation_id, notes.c.critere, notes.c.note)
            .where(notes.c.evaluation_id.in_(paquet))
            .order_by(notes.c.evaluation_id, notes.c.id)
        )
        for evaluation_id, critere, note in connexion.execute(lecture):
            par_evaluation[int(evaluation_id)][critere] = note
        connexion.execute(
            ecriture,
            [{"cible": i, "resume": resume_des_notes(n)} for i, n in par_evaluation.items()],
        )


def _notes_depuis_resumes(demande_ids: list, evaluateurs: list, resumes: list) -> pd.DataFrame:
    """Les notes en colonnes (demande_id, evaluateur, critere, note), une ligne par note,
    d'après les résumés de ces évaluations : une lecture numpy par liste de critères."""
    groupes: dict[str, tuple[list[int], list[str]]] = {}
    for i, resume in enumerate(resumes):
        valeurs, _, cles = resume.partition("|")
        lignes, textes = groupes.setdefault(cles, ([], []))
        lignes.append(i)
        textes.append(valeurs)
    positions, codes, valeurs_lues, criteres = [], [], [], []
    for cles, (lignes, textes) in groupes.items():
        noms = json.loads(cles)
        if not noms:
            continue
        k = len(noms)
        positions.append(np.repeat(np.asarray(lignes, dtype=np.int64), k))
        codes.append(np.tile(np.arange(len(criteres), len(criteres) + k), len(lignes)))
        valeurs_lues.append(np.array(";".join(textes).split(";"), dtype=float))
        criteres.extend(noms)
    if not positions:
        return pd.DataFrame(
            {
                "demande_id": pd.Series(dtype="int64"),
                "evaluateur": pd.Series(dtype="str"),
                "critere": pd.Series(dtype="str"),
                "note": pd.Series(dtype="float64"),
            }
        )
    position = np.concatenate(positions)
    return pd.DataFrame(
        {
            "demande_id": np.asarray(demande_ids, dtype=np.int64)[position],
            "evaluateur": pd.array(evaluateurs, dtype="str").take(position),
            "critere": pd.array(criteres, dtype="str").take(np.concatenate(codes)),
            "note": np.concatenate(valeurs_lues),
        }
    )


def lire_notes_soumises(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    """Les notes des évaluations soumises : demande_id, evaluateur, critere, note (ce dont
    le classement a besoin, sans jointure sur les demandes), lues dans leurs résumés ; par
    la table des notes si une évaluation n'en a pas."""
    requete = sa.select(
        evaluations.c.demande_id, evaluations.c.evaluateur, evaluations.c.notes_resumees
    ).where(
        evaluations.c.appel_id == appel_id,
        evaluations.c.statut == "soumise",
        evaluations.c.demande_id.not_in(_retirees(appel_id)),
    )
    lignes = _tuples(requete, connexion)
    if any(resume is None for _, _, resume in lignes):
        return lire_notes_soumises_par_jointure(appel_id, connexion=connexion)
    if not lignes:
        return _notes_depuis_resumes([], [], [])
    demande_ids, evaluateurs, resumes = (list(colonne) for colonne in zip(*lignes, strict=True))
    return _notes_depuis_resumes(demande_ids, evaluateurs, resumes)


def notes_soumises_des_evaluations(
    lues: pd.DataFrame, appel_id: str, *, connexion: Connection
) -> pd.DataFrame:
    """`lire_notes_soumises`, tirées des évaluations déjà lues par `lire_evaluations` avec
    leurs colonnes statut et notes_resumees (sans seconde lecture des évaluations)."""
    soumises = lues[lues["statut"] == "soumise"]
    resumes = soumises["notes_resumees"]
    if resumes.isna().any():
        return lire_notes_soumises_par_jointure(appel_id, connexion=connexion)
    return _notes_depuis_resumes(
        soumises["demande_id"].tolist(), soumises["evaluateur"].tolist(), resumes.tolist()
    )


def lire_notes_soumises_par_jointure(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    """`lire_notes_soumises` par la table des notes : la référence des résumés."""
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
