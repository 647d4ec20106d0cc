"""Lectures et écritures de la configuration des appels."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.moteur import maintenant
from evaluation.socle.stockage.schema import appels, evaluations

if TYPE_CHECKING:  # le socle ne dépend pas des étapes : l'appel n'y est qu'un type
    from evaluation.appels.configuration import Appel


def enregistrer_appel(appel: Appel, *, connexion: Connection) -> None:
    """Enregistre (ou remplace) la configuration d'un appel."""
    existe = connexion.execute(sa.select(appels.c.id).where(appels.c.id == appel.id)).first()
    valeurs = {
        "nom": appel.nom,
        "configuration_toml": appel.source_toml,
        "enregistre_le": maintenant(),
    }
    if existe:
        connexion.execute(
            appels.update()
            .where(appels.c.id == appel.id)
            .values(**valeurs, version=appels.c.version + 1)
        )
    else:
        connexion.execute(appels.insert().values(id=appel.id, version=1, **valeurs))


def lire_appel(appel_id: str, *, connexion: Connection) -> dict | None:
    """L'appel stocké (id, nom, configuration_toml, enregistre_le, archive), ou None."""
    ligne = connexion.execute(sa.select(appels).where(appels.c.id == appel_id)).first()
    return dict(ligne._mapping) if ligne else None


def appels_archives(*, connexion: Connection) -> set[str]:
    return set(connexion.scalars(sa.select(appels.c.id).where(appels.c.archive)))


def marquer_archive(appel_id: str, archive: bool, *, connexion: Connection) -> None:
    connexion.execute(appels.update().where(appels.c.id == appel_id).values(archive=archive))


def compter_evaluations(appel_id: str, *, connexion: Connection) -> int:
    """Évaluations stockées (brouillons compris) de l'appel."""
    requete = (
        sa.select(sa.func.count())
        .select_from(evaluations)
        .where(evaluations.c.appel_id == appel_id)
    )
    return int(connexion.execute(requete).scalar_one())


def compter_evaluations_soumises(appel_id: str, *, connexion: Connection) -> int:
    """Évaluations de l'appel soumises, ou soumises puis rouvertes : dès la première, la
    notation a commencé (les poids ne changent plus sans raison ni confirmation)."""
    requete = (
        sa.select(sa.func.count())
        .select_from(evaluations)
        .where(evaluations.c.appel_id == appel_id)
        .where(sa.or_(evaluations.c.statut == "soumise", evaluations.c.soumise_le.is_not(None)))
    )
    return int(connexion.execute(requete).scalar_one())


def lire_appels(*, connexion: Connection) -> list[tuple[str, str, str]]:
    """(id, nom, configuration TOML) de chaque appel enregistré, par id."""
    lignes = connexion.execute(
        sa.select(appels.c.id, appels.c.nom, appels.c.configuration_toml).order_by(appels.c.id)
    )
    return [tuple(ligne) for ligne in lignes]
