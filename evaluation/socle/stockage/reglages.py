"""Lectures et écritures des confirmations de réglages et de l'historique des pondérations :
des tables en ajout seul."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.financement import _dernieres
from evaluation.socle.stockage.schema import confirmations_reglages, ponderations


def lire_confirmations(appel_id: str, *, connexion: Connection) -> dict[str, dict]:
    """La dernière confirmation de chaque réglage de l'appel, par chemin."""
    lignes = _dernieres(confirmations_reglages, appel_id, ["chemin"], connexion)
    return {ligne["chemin"]: ligne for ligne in lignes}


def ajouter_confirmations(lignes: list[dict], *, connexion: Connection) -> None:
    if lignes:
        connexion.execute(confirmations_reglages.insert(), lignes)


def lire_ponderations(appel_id: str, *, connexion: Connection) -> list[dict]:
    """Chaque pondération adoptée pour l'appel, de la plus ancienne à la plus récente."""
    requete = (
        sa.select(ponderations)
        .where(ponderations.c.appel_id == appel_id)
        .order_by(ponderations.c.id)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]
