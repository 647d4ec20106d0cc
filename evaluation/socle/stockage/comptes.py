"""Lectures et écritures des comptes et des tentatives de connexion."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.evenements import apres_tentative
from evaluation.socle.stockage.moteur import maintenant
from evaluation.socle.stockage.schema import comptes, tentatives_connexion


def creer_compte(valeurs: dict, *, connexion: Connection) -> None:
    instant = maintenant()
    connexion.execute(comptes.insert().values(**valeurs, cree_le=instant, modifie_le=instant))


def lire_compte(courriel: str, *, connexion: Connection) -> dict | None:
    ligne = connexion.execute(sa.select(comptes).where(comptes.c.courriel == courriel)).first()
    return dict(ligne._mapping) if ligne else None


def lire_comptes(*, connexion: Connection) -> list[dict]:
    requete = sa.select(comptes).order_by(comptes.c.role, comptes.c.courriel)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def modifier_compte(courriel: str, valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(
        comptes.update()
        .where(comptes.c.courriel == courriel)
        .values(**valeurs, modifie_le=maintenant())
    )


def inscrire_tentative(
    courriel: str, date: dt.datetime, reussie: bool, *, connexion: Connection
) -> None:
    connexion.execute(
        tentatives_connexion.insert().values(courriel=courriel, date=date, reussie=reussie)
    )
    apres_tentative(courriel, reussie, connexion=connexion)


def echecs_depuis_derniere_reussite(
    courriel: str, *, connexion: Connection, limite: int = 50
) -> list[dt.datetime]:
    """Dates des dernières tentatives manquées, depuis la dernière connexion réussie."""
    requete = (
        sa.select(tentatives_connexion.c.date, tentatives_connexion.c.reussie)
        .where(tentatives_connexion.c.courriel == courriel)
        .order_by(tentatives_connexion.c.date.desc(), tentatives_connexion.c.id.desc())
        .limit(limite)
    )
    echecs = []
    for date, reussie in connexion.execute(requete):
        if reussie:
            break
        echecs.append(date)
    return echecs


def noms_des_comptes(*, connexion: Connection) -> dict[str, str]:
    """Courriel → nom affiché, pour dire qui a fait un changement."""
    requete = sa.select(comptes.c.courriel, comptes.c.nom)
    return {c: n or c for c, n in connexion.execute(requete)}
