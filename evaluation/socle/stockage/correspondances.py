"""Lectures et écritures des correspondances de colonnes retenues (issue 19, point 7) : une
ligne par appel et par forme de fichier ; la dernière importation de cette forme la
remplace, dans sa propre transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.schema import correspondances_colonnes as table


def lire_correspondances(appel_id: str, *, connexion: Connection) -> dict[str, dict]:
    """Empreinte → {entetes, correspondance, date, auteur, importation_id} de chaque forme
    de fichier dont l'appel a retenu une correspondance."""
    requete = sa.select(table).where(table.c.appel_id == appel_id)
    return {
        ligne["empreinte"]: {k: v for k, v in ligne.items() if k not in ("appel_id", "empreinte")}
        for ligne in connexion.execute(requete).mappings()
    }


def retenir_correspondance(
    appel_id: str,
    empreinte: str,
    entetes: Sequence[str],
    correspondance: Mapping[str, str],
    *,
    date: dt.datetime,
    auteur: str | None,
    importation_id: int | None,
    connexion: Connection,
) -> None:
    """Remplace la correspondance retenue pour cette forme de fichier ; une correspondance
    vide efface la précédente (l'analyste a tout remis de côté)."""
    connexion.execute(
        table.delete().where(table.c.appel_id == appel_id, table.c.empreinte == empreinte)
    )
    if not correspondance:
        return
    connexion.execute(
        table.insert().values(
            appel_id=appel_id,
            empreinte=empreinte,
            entetes=list(entetes),
            correspondance=dict(correspondance),
            date=date,
            auteur=auteur,
            importation_id=importation_id,
        )
    )
