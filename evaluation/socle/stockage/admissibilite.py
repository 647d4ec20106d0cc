"""Lectures et écritures de l'examen d'admissibilité (issue 15) : les examens, en ajout seul
(le dernier par demande compte), et les signalements des évaluateurs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.financement import _dernieres
from evaluation.socle.stockage.schema import examens_admissibilite, signalements_admissibilite


def lire_examens(appel_id: str, *, connexion: Connection) -> list[dict]:
    """Le dernier examen de chaque demande (non retirée) de l'appel ; ses réponses telles
    que stockées (texte JSON sous SQLite), que `filtrage.ReponsesStockees` ne décode qu'à
    la demande."""
    colonnes = [
        sa.type_coerce(c, sa.Text).label(c.name) if c.name == "reponses" else c
        for c in examens_admissibilite.c
    ]
    return _dernieres(examens_admissibilite, appel_id, ["demande_id"], connexion, colonnes)


def lire_examen(demande_id: int, *, connexion: Connection) -> dict | None:
    """Le dernier examen d'une demande, ou None."""
    requete = (
        sa.select(examens_admissibilite)
        .where(examens_admissibilite.c.demande_id == demande_id)
        .order_by(examens_admissibilite.c.id.desc())
        .limit(1)
    )
    ligne = connexion.execute(requete).mappings().first()
    return dict(ligne) if ligne else None


def lire_historique_examens(demande_id: int, *, connexion: Connection) -> list[dict]:
    """Tous les examens d'une demande, du plus ancien au plus récent."""
    requete = (
        sa.select(examens_admissibilite)
        .where(examens_admissibilite.c.demande_id == demande_id)
        .order_by(examens_admissibilite.c.id)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def ajouter_examen(valeurs: dict, *, connexion: Connection) -> int:
    resultat = connexion.execute(examens_admissibilite.insert().values(**valeurs))
    return int(resultat.inserted_primary_key[0])


def ajouter_examens_en_masse(lignes: list[dict], *, connexion: Connection) -> None:
    if lignes:
        connexion.execute(examens_admissibilite.insert(), lignes)


def lire_signalements(
    appel_id: str, *, connexion: Connection, ouverts: bool = False, demande_id: int | None = None
) -> list[dict]:
    """Les signalements de l'appel, du plus ancien au plus récent ; `ouverts` : ceux qui ne
    sont pas encore réglés."""
    t = signalements_admissibilite
    requete = sa.select(t).where(t.c.appel_id == appel_id).order_by(t.c.id)
    if ouverts:
        requete = requete.where(t.c.regle_le.is_(None))
    if demande_id is not None:
        requete = requete.where(t.c.demande_id == demande_id)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def lire_signalement(signalement_id: int, *, connexion: Connection) -> dict | None:
    t = signalements_admissibilite
    ligne = connexion.execute(sa.select(t).where(t.c.id == signalement_id)).mappings().first()
    return dict(ligne) if ligne else None


def ajouter_signalement(valeurs: dict, *, connexion: Connection) -> int:
    resultat = connexion.execute(signalements_admissibilite.insert().values(**valeurs))
    return int(resultat.inserted_primary_key[0])


def regler_signalement(signalement_id: int, valeurs: dict, *, connexion: Connection) -> None:
    t = signalements_admissibilite
    connexion.execute(t.update().where(t.c.id == signalement_id).values(**valeurs))
