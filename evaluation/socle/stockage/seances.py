"""Lectures et écritures de la séance du comité (issue 16) : la séance (ordre, demande en
cours, version), ses présents, les demandes amenées en cours et le tri des demandes non
discutées. Le journal s'écrit dans la même transaction, par l'appelant."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.schema import (
    seance_discutees,
    seance_presences,
    seance_triage,
    seances,
)


def creer_seance(valeurs: dict, *, connexion: Connection) -> int:
    """Inscrit une séance ouverte (appel_id, ouverte_le, ouverte_par, ordre) ; rend son id."""
    resultat = connexion.execute(seances.insert().values(version=1, **valeurs))
    return int(resultat.inserted_primary_key[0])


def lire_seance(seance_id: int, *, connexion: Connection) -> dict | None:
    ligne = connexion.execute(sa.select(seances).where(seances.c.id == seance_id)).mappings()
    ligne = ligne.first()
    return dict(ligne) if ligne else None


def lire_seance_ouverte(appel_id: str, *, connexion: Connection) -> dict | None:
    """La séance ouverte de l'appel (la plus récente s'il y en avait plusieurs), ou None."""
    requete = (
        sa.select(seances)
        .where(seances.c.appel_id == appel_id, seances.c.fermee_le.is_(None))
        .order_by(seances.c.id.desc())
        .limit(1)
    )
    ligne = connexion.execute(requete).mappings().first()
    return dict(ligne) if ligne else None


def lire_seances(appel_id: str, *, connexion: Connection) -> list[dict]:
    """Les séances de l'appel, de la plus ancienne à la plus récente."""
    requete = sa.select(seances).where(seances.c.appel_id == appel_id).order_by(seances.c.id)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def etat_courant(appel_id: str, *, connexion: Connection) -> tuple[int, int | None, int] | None:
    """(séance, demande en cours, version) de la séance ouverte, ou None : la lecture bon
    marché que chaque écran refait toutes les deux secondes (une ligne, trois colonnes)."""
    requete = (
        sa.select(seances.c.id, seances.c.demande_courante, seances.c.version)
        .where(seances.c.appel_id == appel_id, seances.c.fermee_le.is_(None))
        .order_by(seances.c.id.desc())
        .limit(1)
    )
    ligne = connexion.execute(requete).first()
    if ligne is None:
        return None
    return int(ligne[0]), None if ligne[1] is None else int(ligne[1]), int(ligne[2])


def modifier_seance(seance_id: int, valeurs: dict, *, connexion: Connection) -> int:
    """Change la séance et augmente sa version ; rend la nouvelle version."""
    connexion.execute(
        seances.update()
        .where(seances.c.id == seance_id)
        .values(version=seances.c.version + 1, **valeurs)
    )
    return int(connexion.scalar(sa.select(seances.c.version).where(seances.c.id == seance_id)) or 0)


def ajouter_presence(valeurs: dict, *, connexion: Connection) -> int:
    """Un présent : `courriel` (un compte) ou `nom` et `fonction` (sans compte)."""
    return int(
        connexion.execute(seance_presences.insert().values(**valeurs)).inserted_primary_key[0]
    )


def retirer_presence(presence_id: int, *, connexion: Connection) -> dict | None:
    """Retire un présent ; rend la ligne retirée (None si elle n'existait plus)."""
    ligne = (
        connexion.execute(sa.select(seance_presences).where(seance_presences.c.id == presence_id))
        .mappings()
        .first()
    )
    if ligne is None:
        return None
    connexion.execute(seance_presences.delete().where(seance_presences.c.id == presence_id))
    return dict(ligne)


def lire_presences(seance_id: int, *, connexion: Connection) -> list[dict]:
    requete = (
        sa.select(seance_presences)
        .where(seance_presences.c.seance_id == seance_id)
        .order_by(seance_presences.c.id)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def ajouter_discutee(valeurs: dict, *, connexion: Connection) -> None:
    """La demande devient la demande en cours (seance_id, demande_id, moment)."""
    connexion.execute(seance_discutees.insert().values(**valeurs))


def lire_discutees(seance_id: int, *, connexion: Connection) -> list[dict]:
    """Chaque passage d'une demande en cours, dans l'ordre."""
    requete = (
        sa.select(seance_discutees)
        .where(seance_discutees.c.seance_id == seance_id)
        .order_by(seance_discutees.c.id)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def ajouter_triage(lignes: list[dict], *, connexion: Connection) -> None:
    """Des lignes de tri (seance_id, demande_id, etat, date, auteur)."""
    if lignes:
        connexion.execute(seance_triage.insert(), lignes)


def lire_triage(seance_id: int, *, connexion: Connection) -> list[dict]:
    """Toutes les lignes de tri de la séance, dans l'ordre (la dernière d'une demande
    compte)."""
    requete = (
        sa.select(seance_triage)
        .where(seance_triage.c.seance_id == seance_id)
        .order_by(seance_triage.c.id)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]
