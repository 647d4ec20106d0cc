"""Lectures et écritures de la purge des renseignements personnels d'un appel (issue 20,
point 5) ; ce qui est retiré, et pourquoi, est décidé par `evaluation.depot.conservation`."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from evaluation.socle.stockage.schema import (
    demandes,
    importations,
    journal,
    lignes_budget,
    pieces_jointes,
)

# L'objet de la ligne de journal d'une purge (écrite par `evaluation.depot.conservation`).
OBJET_PURGE = "conservation:purge"


def traces_de_purge(connexion: Connection) -> dict[str, set[tuple[str, object]]]:
    """Appel → les traces de ses purges : ("demande", numéro) pour chaque demande dont les
    renseignements personnels ont été retirés, ("purge", date) pour chaque ligne de journal
    d'une purge. Une restauration compare celles de la base et celles de la sauvegarde."""
    traces: dict[str, set[tuple[str, object]]] = {}
    for appel_id, numero in connexion.execute(
        sa.select(demandes.c.appel_id, demandes.c.no_demande).where(
            demandes.c.renseignements_retires_le.is_not(None)
        )
    ):
        traces.setdefault(appel_id, set()).add(("demande", numero))
    for appel_id, date in connexion.execute(
        sa.select(journal.c.appel_id, journal.c.date).where(journal.c.objet == OBJET_PURGE)
    ):
        traces.setdefault(appel_id or "", set()).add(("purge", date))
    return traces


def lire_pour_purge(appel_id: str, champs: Sequence[str], *, connexion: Connection) -> dict:
    """Ce qu'une purge de l'appel examine : ses demandes (retirées comprises ; `champs`,
    colonnes supplémentaires, avertissements), les colonnes supplémentaires de leurs lignes de
    budget, leurs pièces jointes (sans le contenu), les rapports de ses importations et les
    valeurs de son journal."""
    ids = sa.select(demandes.c.id).where(demandes.c.appel_id == appel_id)
    c = demandes.c
    lues = connexion.execute(
        sa.select(
            c.id,
            c.no_demande,
            c.renseignements_retires_le,
            c.colonnes_supplementaires,
            c.avertissements,
            *(demandes.c[nom] for nom in champs),
        )
        .where(c.appel_id == appel_id)
        .order_by(c.no_demande)
    ).mappings()
    budget = connexion.execute(
        sa.select(lignes_budget.c.id, lignes_budget.c.colonnes_supplementaires).where(
            lignes_budget.c.demande_id.in_(ids),
            lignes_budget.c.colonnes_supplementaires.is_not(None),
        )
    ).mappings()
    pieces = connexion.execute(
        sa.select(
            pieces_jointes.c.id,
            pieces_jointes.c.demande_id,
            pieces_jointes.c.nom_fichier,
            pieces_jointes.c.taille,
        ).where(pieces_jointes.c.demande_id.in_(ids))
    ).mappings()
    rapports = connexion.execute(
        sa.select(importations.c.id, importations.c.rapport).where(
            importations.c.appel_id == appel_id
        )
    ).mappings()
    lignes_journal = connexion.execute(
        sa.select(journal.c.id, journal.c.ancien, journal.c.nouveau).where(
            sa.or_(journal.c.appel_id == appel_id, journal.c.demande_id.in_(ids))
        )
    ).mappings()
    return {
        "demandes": [dict(x) for x in lues],
        "lignes_budget": [dict(x) for x in budget],
        "pieces": [dict(x) for x in pieces],
        "importations": [dict(x) for x in rapports],
        "journal": [dict(x) for x in lignes_journal],
    }


def appliquer_purge(
    *,
    demandes_modifiees: Sequence[dict],
    lignes_budget_ids: Sequence[int],
    pieces_ids: Sequence[int],
    rapports: Sequence[dict],
    lignes_journal: Sequence[dict],
    connexion: Connection,
) -> None:
    """Écrit une purge décidée : chaque demande ({id, colonnes…}), les colonnes
    supplémentaires des lignes de budget effacées, les pièces supprimées, les rapports
    d'importation ({id, rapport}) et les lignes du journal ({id, ancien, nouveau}) réécrits.
    L'appelant tient la transaction (tout ou rien)."""
    for valeurs in demandes_modifiees:
        valeurs = dict(valeurs)
        demande_id = valeurs.pop("id")
        connexion.execute(demandes.update().where(demandes.c.id == demande_id).values(**valeurs))
    if lignes_budget_ids:
        connexion.execute(
            lignes_budget.update()
            .where(lignes_budget.c.id.in_(list(lignes_budget_ids)))
            .values(colonnes_supplementaires=None)
        )
    if pieces_ids:
        connexion.execute(pieces_jointes.delete().where(pieces_jointes.c.id.in_(list(pieces_ids))))
    for r in rapports:
        connexion.execute(
            importations.update().where(importations.c.id == r["id"]).values(rapport=r["rapport"])
        )
    for ligne in lignes_journal:
        connexion.execute(
            journal.update()
            .where(journal.c.id == ligne["id"])
            .values(ancien=ligne["ancien"], nouveau=ligne["nouveau"])
        )


def demandes_purgees(appel_id: str, *, connexion: Connection) -> dict[str, object]:
    """Numéro → moment de la purge, pour chaque demande de l'appel dont les renseignements
    personnels ont été retirés."""
    requete = sa.select(demandes.c.no_demande, demandes.c.renseignements_retires_le).where(
        demandes.c.appel_id == appel_id, demandes.c.renseignements_retires_le.is_not(None)
    )
    return {no: quand for no, quand in connexion.execute(requete)}


# Les tables qu'une purge réécrit (`appliquer_purge`), et dont les anciennes versions des
# lignes portent encore les valeurs retirées.
TABLES_PURGEES = (demandes, lignes_budget, pieces_jointes, importations, journal)


def _transactions_ouvertes(connexion) -> int:
    """Les autres sessions de la même base qui tiennent un instantané (`backend_xmin`) : tant
    qu'elles vivent, PostgreSQL garde les versions qu'elles peuvent lire, VACUUM FULL compris.
    Un compte sans `pg_read_all_stats` ne voit pas celles des autres rôles : au moins ce
    nombre."""
    return connexion.exec_driver_sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
    ).scalar_one()


def effacer_versions_mortes(moteur: Engine) -> str:
    """Après une purge validée : efface du disque les anciennes versions des lignes réécrites,
    et rend une phrase qui dit ce qui a été fait.

    PostgreSQL : un UPDATE ou un DELETE laisse l'ancienne version de la ligne dans le fichier
    de la table (ligne morte) jusqu'à ce que la place soit réutilisée ; `VACUUM FULL` réécrit
    chaque table (et ses index, sa table TOAST) dans un fichier neuf et supprime l'ancien. Il
    ne peut pas tourner dans une transaction (connexion en AUTOCOMMIT), et verrouille chaque
    table le temps de la réécrire (lectures comprises). Son échec (verrou, droits) n'annule
    pas la purge, déjà validée : la phrase le dit, avec l'ordre à faire à la main. (Un
    utilisateur qui n'est pas propriétaire d'une table la voit sautée, avec un simple
    avertissement du serveur : les tables doivent appartenir au compte de l'application.)
    Hors de portée : le journal WAL du serveur (recyclé plus tard, selon
    `checkpoint`/`wal_keep_size`), ses archives et répliques, et les sauvegardes prises avant
    la purge.

    SQLite : le moteur ouvre chaque connexion en `secure_delete` (`moteur.py`) : le contenu
    supprimé ou remplacé est écrasé de zéros dans la page même, à l'écriture. (La bibliothèque
    SQLite de Debian, celle de Python ici, est compilée avec SQLITE_SECURE_DELETE ; et la
    commande, seule sur la base, fermait en se terminant la dernière connexion, ce qui
    reporte le WAL dans la base et le supprime : c'est pourquoi l'opératrice n'a rien
    retrouvé. Avec des serveurs en marche, le WAL restait, avec les pages d'avant la purge ;
    une autre compilation de SQLite aurait laissé les valeurs dans l'espace libre des pages.
    Le pragma explicite ne dépend plus de la compilation.) Restent les copies des pages
    dans le journal WAL (`-wal`) : un `wal_checkpoint(TRUNCATE)` reporte les pages purgées
    dans la base et vide ce fichier. Si un autre processus lit à ce moment, le report est
    incomplet : la phrase le dit (le WAL est vidé au prochain report complet, au plus tard à
    la fermeture de la dernière connexion)."""
    if moteur.dialect.name == "postgresql":
        noms = [t.name for t in TABLES_PURGEES]
        try:
            with moteur.connect().execution_options(isolation_level="AUTOCOMMIT") as connexion:
                for nom in noms:
                    connexion.exec_driver_sql(f"VACUUM FULL {nom}")
                ouvertes = _transactions_ouvertes(connexion)
        except sa.exc.DBAPIError as exc:
            # La purge est validée : l'échec du nettoyage ne l'annule pas, il se dit.
            return (
                "Les anciennes versions des lignes n'ont pas pu être effacées du disque "
                f"(VACUUM FULL : {str(exc.orig).splitlines()[0]}) : faites « VACUUM FULL "
                f"{', '.join(noms)} » avec le propriétaire des tables."
            )
        if ouvertes:
            # VACUUM FULL recopie les versions mortes qu'une transaction ouverte peut encore
            # lire (une sauvegarde en cours, une requête longue d'un autre serveur).
            return (
                f"{ouvertes} autre{'s' if ouvertes > 1 else ''} transaction"
                f"{'s' if ouvertes > 1 else ''} ouverte{'s' if ouvertes > 1 else ''} sur la "
                "base pendant le nettoyage : les anciennes versions qu'elles pouvaient encore "
                "lire sont peut-être restées sur le disque ; faites « VACUUM FULL "
                f"{', '.join(noms)} » quand elles sont finies."
            )
        return (
            "Anciennes versions des lignes effacées du disque (VACUUM FULL des tables réécrites)."
        )
    if moteur.dialect.name == "sqlite":
        with moteur.connect().execution_options(isolation_level="AUTOCOMMIT") as connexion:
            occupe, _, _ = connexion.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if occupe:
            return (
                "Le journal WAL de SQLite n'a pas pu être vidé (un autre processus lit la "
                "base) : il le sera au prochain report complet."
            )
        return "Journal WAL de SQLite vidé ; les valeurs retirées ont été écrasées sur place."
    return ""
