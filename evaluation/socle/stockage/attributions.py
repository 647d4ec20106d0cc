"""Lectures et écritures des attributions, des conflits d'intérêts et des réglages de la
campagne d'évaluation."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.demandes import _retirees
from evaluation.socle.stockage.moteur import _tuples
from evaluation.socle.stockage.schema import attributions, conflits, reglages_evaluation


def lire_reglages_evaluation(appel_id: str, *, connexion: Connection) -> dict | None:
    requete = sa.select(reglages_evaluation).where(reglages_evaluation.c.appel_id == appel_id)
    ligne = connexion.execute(requete).mappings().first()
    return dict(ligne) if ligne else None


def ecrire_reglages_evaluation(appel_id: str, valeurs: dict, *, connexion: Connection) -> None:
    table = reglages_evaluation
    if lire_reglages_evaluation(appel_id, connexion=connexion) is None:
        connexion.execute(table.insert().values(appel_id=appel_id, **valeurs))
    else:
        connexion.execute(table.update().where(table.c.appel_id == appel_id).values(**valeurs))


def lire_attributions(appel_id: str, *, connexion: Connection) -> list[tuple[int, str]]:
    """(demande_id, evaluateur) de chaque attribution stockée de l'appel."""
    requete = (
        sa.select(attributions.c.demande_id, attributions.c.evaluateur)
        .where(
            attributions.c.appel_id == appel_id,
            attributions.c.demande_id.not_in(_retirees(appel_id)),
        )
        .order_by(attributions.c.demande_id, attributions.c.evaluateur)
    )
    return [(int(d), e) for d, e in _tuples(requete, connexion)]


def ajouter_attributions(lignes: list[dict], *, connexion: Connection) -> None:
    if lignes:
        connexion.execute(attributions.insert(), lignes)


def retirer_attributions(paires: Iterable[tuple[int, str]], *, connexion: Connection) -> None:
    for demande_id, evaluateur in paires:
        connexion.execute(
            attributions.delete().where(
                attributions.c.demande_id == demande_id, attributions.c.evaluateur == evaluateur
            )
        )


def lire_conflits(appel_id: str, *, connexion: Connection) -> list[dict]:
    requete = (
        sa.select(conflits)
        .where(conflits.c.appel_id == appel_id)
        .order_by(conflits.c.demande_id, conflits.c.evaluateur)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def ajouter_conflit(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(conflits.insert().values(**valeurs))


def retirer_conflit(demande_id: int, evaluateur: str, *, connexion: Connection) -> None:
    connexion.execute(
        conflits.delete().where(
            conflits.c.demande_id == demande_id, conflits.c.evaluateur == evaluateur
        )
    )
