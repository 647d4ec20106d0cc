"""Le journal en ajout seul : une ligne par changement, écrite dans la transaction du
changement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.evenements import apres_journal
from evaluation.socle.stockage.schema import journal


def ligne_journal(
    date: dt.datetime,
    auteur: str,
    objet: str,
    ancien: str | None,
    nouveau: str | None,
    *,
    appel_id: str | None = None,
    demande_id: int | None = None,
    evaluateur: str | None = None,
    version: int | None = None,
) -> dict:
    """Une ligne du journal, chaque colonne nommée (celles qui ne s'appliquent pas : None).
    `version` : celle de l'objet après le changement, quand l'objet en porte une."""
    return {
        "date": date,
        "auteur": auteur,
        "appel_id": appel_id,
        "demande_id": demande_id,
        "evaluateur": evaluateur,
        "objet": objet,
        "ancien": ancien,
        "nouveau": nouveau,
        "version": version,
    }


def inscrire_journal(lignes: list[dict], *, connexion: Connection) -> None:
    """Écrit les lignes ; leur événement structuré (`evenements`) part à la validation."""
    if lignes:
        connexion.execute(journal.insert(), lignes)
        apres_journal(lignes, connexion=connexion)


def lire_journal(
    *,
    connexion: Connection,
    demande_id: int | None = None,
    appel_id: str | None = None,
    objets: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Le journal dans l'ordre d'écriture ; `appel_id` garde l'appel et ce qui n'appartient
    à aucun appel (les comptes) ; `objets` ne garde que ces objets."""
    requete = sa.select(journal).order_by(journal.c.id)
    if objets is not None:
        requete = requete.where(journal.c.objet.in_(list(objets)))
    if demande_id is not None:
        requete = requete.where(journal.c.demande_id == demande_id)
    if appel_id is not None:
        requete = requete.where(
            sa.or_(journal.c.appel_id == appel_id, journal.c.appel_id.is_(None))
        )
    lignes = connexion.execute(requete).mappings().all()
    # dtype objet : une valeur absente reste None (pas NaN) dans « ancien » et « nouveau ».
    return pd.DataFrame(
        [dict(ligne) for ligne in lignes], columns=[c.name for c in journal.columns], dtype=object
    )


def journal_depuis_version(
    version: int,
    *,
    connexion: Connection,
    appel_id: str,
    demande_id: int | None = None,
    evaluateur: str | None = None,
) -> list[dict]:
    """Les lignes du journal d'un objet versionné (une évaluation : demande et évaluateur ;
    la configuration d'un appel : ni l'un ni l'autre) écrites après `version`."""
    requete = (
        sa.select(journal)
        .where(journal.c.appel_id == appel_id, journal.c.version > version)
        .order_by(journal.c.id)
    )
    for colonne, valeur in ((journal.c.demande_id, demande_id), (journal.c.evaluateur, evaluateur)):
        requete = requete.where(colonne.is_(None) if valeur is None else colonne == valeur)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]
