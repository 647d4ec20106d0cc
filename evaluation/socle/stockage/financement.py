"""Lectures et écritures des montants recommandés modifiés, des décisions et des
pondérations : des tables en ajout seul, dont la dernière ligne compte."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.demandes import _retirees
from evaluation.socle.stockage.schema import (
    bonifications,
    decisions,
    decisions_ministre,
    montants_recommandes,
    ponderations,
)


def _dernieres(
    table: sa.Table, appel_id: str, cles: list[str], connexion: Connection, colonnes=None
) -> list:
    """La dernière ligne (plus grand id) de chaque groupe `cles` pour l'appel (ses
    `colonnes`, toutes par défaut)."""
    dernier = (
        sa.select(sa.func.max(table.c.id).label("id"))
        .where(table.c.appel_id == appel_id)
        .where(
            table.c.demande_id.not_in(_retirees(appel_id)) if "demande_id" in table.c else sa.true()
        )
        .group_by(*(table.c[c] for c in cles))
        .subquery()
    )
    requete = (
        sa.select(*(table.c if colonnes is None else colonnes))
        .join(dernier, dernier.c.id == table.c.id)
        .order_by(table.c.id)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def lignes_depuis(
    table: sa.Table, apres_id: int, *, connexion: Connection, **egalites: object
) -> list[dict]:
    """Les lignes d'une table en ajout seul (montants, décisions, pondérations) écrites après
    la ligne `apres_id`, pour les colonnes `egalites` données ; l'identifiant de la dernière
    est la version de ce qu'elles décrivent."""
    requete = sa.select(table).where(table.c.id > apres_id).order_by(table.c.id)
    for colonne, valeur in egalites.items():
        requete = requete.where(table.c[colonne] == valeur)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def derniere_ligne(table: sa.Table, *, connexion: Connection, **egalites: object) -> int:
    """L'identifiant de la dernière ligne (0 s'il n'y en a aucune) : la version."""
    requete = sa.select(sa.func.max(table.c.id))
    for colonne, valeur in egalites.items():
        requete = requete.where(table.c[colonne] == valeur)
    return int(connexion.scalar(requete) or 0)


def lire_montants_recommandes(appel_id: str, *, connexion: Connection) -> list[dict]:
    return _dernieres(montants_recommandes, appel_id, ["demande_id", "annee"], connexion)


def ajouter_montant_recommande(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(montants_recommandes.insert().values(**valeurs))


def lire_decisions(appel_id: str, *, connexion: Connection) -> list[dict]:
    return _dernieres(decisions, appel_id, ["demande_id"], connexion)


def lire_historique_decisions(
    appel_id: str,
    *,
    connexion: Connection,
    depuis=None,
    jusqu_a=None,
    demande_id: int | None = None,
) -> list[dict]:
    """Chaque décision inscrite, remplacées comprises, toutes colonnes (demande_id,
    decision, montant_an1, montant_an2, justification, date, auteur...), dans l'ordre
    d'inscription ; bornes de date incluses."""
    c = decisions.c
    requete = sa.select(decisions).where(c.appel_id == appel_id)
    if depuis is not None:
        requete = requete.where(c.date >= depuis)
    if jusqu_a is not None:
        requete = requete.where(c.date <= jusqu_a)
    if demande_id is not None:
        requete = requete.where(c.demande_id == demande_id)
    return [dict(x) for x in connexion.execute(requete.order_by(c.id)).mappings()]


def ajouter_decision(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(decisions.insert().values(**valeurs))


def lire_decisions_ministre(appel_id: str, *, connexion: Connection) -> list[dict]:
    """La dernière décision du ministère de chaque demande de l'appel (issue 17), toutes
    colonnes (id, demande_id, decision, montant_an1, montant_an2, raison, autorite,
    decision_comite_id, date, auteur) ; une demande retirée n'en a plus."""
    return _dernieres(decisions_ministre, appel_id, ["demande_id"], connexion)


def lire_historique_decisions_ministre(
    appel_id: str, *, connexion: Connection, demande_id: int | None = None
) -> list[dict]:
    """Chaque décision du ministère inscrite, remplacées comprises, dans l'ordre
    d'inscription."""
    c = decisions_ministre.c
    requete = sa.select(decisions_ministre).where(c.appel_id == appel_id)
    if demande_id is not None:
        requete = requete.where(c.demande_id == demande_id)
    return [dict(x) for x in connexion.execute(requete.order_by(c.id)).mappings()]


def ajouter_decisions_ministre(valeurs: list[dict], *, connexion: Connection) -> None:
    """Inscrit des décisions du ministère (une ligne par demande), dans la transaction de
    l'appelant."""
    if valeurs:
        connexion.execute(decisions_ministre.insert(), valeurs)


def lire_ponderation(appel_id: str, *, connexion: Connection) -> dict | None:
    lignes = _dernieres(ponderations, appel_id, ["appel_id"], connexion)
    return lignes[-1] if lignes else None


def ajouter_ponderation(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(ponderations.insert().values(**valeurs))


def lire_bonifications(appel_id: str, *, connexion: Connection) -> list[dict]:
    """La dernière bonification fixée de chaque demande de l'appel (sans ligne : 0 $)."""
    return _dernieres(bonifications, appel_id, ["demande_id"], connexion)


def ajouter_bonification(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(bonifications.insert().values(**valeurs))
