"""Lectures et écritures des pièces jointes des demandes (issue 18, point 3) : une table en
ajout seul ; la dernière ligne d'un nom de fichier d'une demande compte."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.schema import demandes, pieces_jointes

# Tout sauf le contenu : une liste de pièces ne charge pas leurs Mo.
_SANS_CONTENU = [c for c in pieces_jointes.c if c.name != "contenu"]


def lire_pieces(
    appel_id: str, *, connexion: Connection, demande_id: int | None = None
) -> list[dict]:
    """Chaque pièce stockée des demandes de l'appel (ou d'une demande), sans son contenu,
    avec le numéro de sa demande (`no_demande`), dans l'ordre d'écriture."""
    requete = (
        sa.select(*_SANS_CONTENU, demandes.c.no_demande)
        .join(demandes, demandes.c.id == pieces_jointes.c.demande_id)
        .where(demandes.c.appel_id == appel_id)
        .order_by(pieces_jointes.c.id)
    )
    if demande_id is not None:
        requete = requete.where(pieces_jointes.c.demande_id == demande_id)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def lire_piece(piece_id: int, appel_id: str, *, connexion: Connection) -> dict | None:
    """La pièce `piece_id` d'une demande de l'appel, sans son contenu (None : aucune pièce de
    cet identifiant dans cet appel) : de quoi vérifier l'accès avant de lire ses Mo."""
    requete = (
        sa.select(*_SANS_CONTENU)
        .join(demandes, demandes.c.id == pieces_jointes.c.demande_id)
        .where(pieces_jointes.c.id == piece_id, demandes.c.appel_id == appel_id)
    )
    ligne = connexion.execute(requete).mappings().first()
    return dict(ligne) if ligne else None


def lire_contenu_piece(piece_id: int, *, connexion: Connection) -> dict | None:
    """La pièce `piece_id`, contenu compris (None : aucune pièce de cet identifiant)."""
    requete = sa.select(pieces_jointes).where(pieces_jointes.c.id == piece_id)
    ligne = connexion.execute(requete).mappings().first()
    return dict(ligne) if ligne else None


def ajouter_pieces(lignes: Sequence[dict], *, connexion: Connection) -> list[int]:
    """Écrit les pièces, une à une (une pièce pèse jusqu'à 20 Mo : pas d'insertion groupée
    qui les garderait toutes dans une seule requête) ; renvoie leurs identifiants."""
    ids = []
    for ligne in lignes:
        resultat = connexion.execute(pieces_jointes.insert().values(**ligne))
        ids.append(int(resultat.inserted_primary_key[0]))
    return ids


def ids_par_numero(appel_id: str, *, connexion: Connection) -> dict[str, int]:
    """Numéro → identifiant de chaque demande de l'appel (retirées comprises)."""
    requete = sa.select(demandes.c.no_demande, demandes.c.id).where(demandes.c.appel_id == appel_id)
    return {no: int(i) for no, i in connexion.execute(requete)}
