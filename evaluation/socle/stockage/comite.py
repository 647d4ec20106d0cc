"""Lectures et écritures du comité (issue 16) : les déclarations d'intérêts et engagements
de confidentialité acceptés, les conflits d'intérêts déclarés sur une demande (la table
`conflits`, commune aux évaluateurs et au comité) et les notes de consensus inscrites en
séance (table `consensus`, en ajout seul)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.financement import _dernieres
from evaluation.socle.stockage.schema import conflits, consensus, declarations_comite


def ajouter_declaration(valeurs: dict, *, connexion: Connection) -> None:
    """Inscrit une acceptation (appel_id, courriel, role, interets, empreinte, date)."""
    connexion.execute(declarations_comite.insert().values(**valeurs))


def lire_declarations(
    appel_id: str, *, connexion: Connection, courriel: str | None = None
) -> list[dict]:
    """Les acceptations de l'appel (de `courriel` seulement, s'il est donné), des plus
    anciennes aux plus récentes."""
    requete = sa.select(declarations_comite).where(declarations_comite.c.appel_id == appel_id)
    if courriel is not None:
        requete = requete.where(declarations_comite.c.courriel == courriel)
    requete = requete.order_by(declarations_comite.c.date, declarations_comite.c.id)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def lire_conflits_de_la_demande(demande_id: int, *, connexion: Connection) -> list[dict]:
    """Les conflits d'intérêts déclarés sur une demande, toutes personnes confondues."""
    requete = (
        sa.select(conflits)
        .where(conflits.c.demande_id == demande_id)
        .order_by(conflits.c.date, conflits.c.id)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def ajouter_consensus(lignes: list[dict], *, connexion: Connection) -> None:
    """Inscrit une note de consensus par critère (appel_id, demande_id, critere, note,
    justification, date, auteur) : une inscription de la présidence en ajoute une par
    critère."""
    if lignes:
        connexion.execute(consensus.insert(), lignes)


def lire_consensus(appel_id: str, *, connexion: Connection, motifs: bool = True) -> list[dict]:
    """La dernière note de consensus de chaque demande et critère de l'appel (les demandes
    retirées n'en ont plus), dans l'ordre d'inscription : une requête, quel que soit le
    nombre de demandes. `motifs=False` : seulement id, demande_id, critere et note (ce que
    le classement lit ; motifs, date et auteur coûtent le plus à lire)."""
    colonnes = (
        None
        if motifs
        else [consensus.c.id, consensus.c.demande_id, consensus.c.critere, consensus.c.note]
    )
    return _dernieres(consensus, appel_id, ["demande_id", "critere"], connexion, colonnes)


def lire_historique_consensus(demande_id: int, *, connexion: Connection) -> list[dict]:
    """Chaque note de consensus inscrite sur une demande, de la plus ancienne à la plus
    récente (les remplacées comprises)."""
    requete = (
        sa.select(consensus).where(consensus.c.demande_id == demande_id).order_by(consensus.c.id)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]
