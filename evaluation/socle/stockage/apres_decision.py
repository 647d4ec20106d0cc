"""Lectures et écritures du suivi après la décision (issue 17, point 4) : conventions
signées, versements faits, rapports financiers et narratifs reçus. Tables en ajout seul ;
la dernière convention et le dernier rapport d'une demande comptent, chaque versement
compte."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.financement import _dernieres
from evaluation.socle.stockage.schema import conventions, rapports, versements


def ajouter_convention(valeurs: dict, *, connexion: Connection) -> None:
    """Inscrit une convention (appel_id, demande_id, date_signature, echeance_rapport,
    note, date, auteur) ; elle remplace la précédente de la demande."""
    connexion.execute(conventions.insert().values(**valeurs))


def lire_conventions(appel_id: str, *, connexion: Connection) -> list[dict]:
    """La dernière convention inscrite de chaque demande de l'appel (demandes retirées
    exclues)."""
    return _dernieres(conventions, appel_id, ["demande_id"], connexion)


def ajouter_versement(valeurs: dict, *, connexion: Connection) -> None:
    """Inscrit un versement (appel_id, demande_id, annee, montant_prevu, montant_verse,
    date_versement, note, date, auteur)."""
    connexion.execute(versements.insert().values(**valeurs))


def lire_versements(
    appel_id: str, *, connexion: Connection, demande_id: int | None = None
) -> list[dict]:
    """Chaque versement inscrit de l'appel (de la demande, si elle est donnée), dans l'ordre
    d'inscription."""
    requete = sa.select(versements).where(versements.c.appel_id == appel_id)
    if demande_id is not None:
        requete = requete.where(versements.c.demande_id == demande_id)
    return [dict(x) for x in connexion.execute(requete.order_by(versements.c.id)).mappings()]


def ajouter_rapport(valeurs: dict, *, connexion: Connection) -> None:
    """Inscrit la réception d'un rapport (appel_id, demande_id, date_recu, echeance, note,
    date, auteur) ; elle remplace la précédente de la demande."""
    connexion.execute(rapports.insert().values(**valeurs))


def lire_rapports(appel_id: str, *, connexion: Connection) -> list[dict]:
    """La dernière réception de rapport inscrite de chaque demande de l'appel."""
    return _dernieres(rapports, appel_id, ["demande_id"], connexion)
