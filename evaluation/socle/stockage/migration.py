"""Le schéma de la base, tenu par Alembic : une base neuve est créée d'après le schéma puis
marquée à la dernière révision ; une base créée par une version livrée avant Alembic (sans
table alembic_version) est complétée jusqu'au schéma de référence, marquée à cette révision,
puis mise à jour ; une base versionnée est mise à jour. Rien ne se perd : chaque révision
ajoute, remplit ou renomme.

Deux serveurs qui démarrent ensemble sur une même base ne se marchent pas dessus : la mise à
jour se fait sous un verrou (verrou consultatif de PostgreSQL, verrou de fichier pour
SQLite), et le second trouve la base déjà à jour. Une base déjà à jour n'importe pas Alembic
(près d'une seconde au démarrage de chaque commande) : sa révision se lit en SQL et se compare
à la tête lue dans les fichiers des révisions.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from evaluation.socle.stockage.schema import metadonnees

DOSSIER_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
REVISION_REFERENCE = "0001"  # le schéma de la version livrée 9ff51cd, avant Alembic
# Tables que le stockage porte depuis sa première version (3ebdf51) : une base sans
# alembic_version qui les a toutes est une base de cette application d'avant Alembic.
TABLES_FONDATRICES = frozenset({"appels", "importations", "demandes", "lignes_budget"})
# Clé du verrou consultatif de PostgreSQL (un entier 64 bits propre à cette application).
CLE_VERROU = 0x45564131  # « EVA1 »

_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_PRECEDENTE = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


class BaseInutilisable(Exception):
    """Une base que cette version ne peut pas mettre à jour ; le message dit pourquoi et quoi
    faire."""


@functools.cache
def revisions_livrees() -> dict[str, str | None]:
    """Chaque révision livrée et celle qu'elle suit, lues dans les fichiers sans Alembic."""
    revisions = {}
    for fichier in sorted((DOSSIER_MIGRATIONS / "versions").glob("*.py")):
        texte = fichier.read_text(encoding="utf-8")
        revision, precedente = _REVISION.search(texte), _PRECEDENTE.search(texte)
        if revision and precedente:
            revisions[revision.group(1)] = precedente.group(1)
    return revisions


def revision_cible() -> str:
    """La dernière révision livrée : celle qu'aucune autre ne suit."""
    revisions = revisions_livrees()
    (tete,) = set(revisions) - set(revisions.values())
    return tete


@functools.cache
def scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(DOSSIER_MIGRATIONS))


def revision_actuelle(connexion: Connection) -> str | None:
    """La révision de la base (None : pas de table alembic_version)."""
    if not sa.inspect(connexion).has_table("alembic_version"):
        return None
    return connexion.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def base_vide(moteur: Engine) -> bool:
    """Vrai si la base n'a encore aucune table."""
    with moteur.connect() as connexion:
        return not sa.inspect(connexion).get_table_names()


def _configuration(connexion: Connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(DOSSIER_MIGRATIONS))
    config.attributes["connexion"] = connexion
    return config


def _verrou_fichier(chemin: str):
    """Le fichier du verrou de schéma à côté de la base, privé comme elle (0600)."""
    descripteur = os.open(f"{chemin}.verrou-schema", os.O_CREAT | os.O_RDWR, 0o600)
    return os.fdopen(descripteur, "r+")


@contextlib.contextmanager
def _sous_verrou(moteur: Engine) -> Iterator[Connection]:
    """Une transaction réservée à la mise à jour du schéma, qu'un seul processus tient à la
    fois."""
    if moteur.dialect.name == "postgresql":
        with moteur.begin() as connexion:
            connexion.execute(sa.text("SELECT pg_advisory_xact_lock(:cle)"), {"cle": CLE_VERROU})
            yield connexion
        return
    chemin = moteur.url.database
    if moteur.dialect.name != "sqlite" or not chemin or chemin == ":memory:":
        with moteur.begin() as connexion:
            yield connexion
        return
    with _verrou_fichier(chemin) as verrou:
        fcntl.flock(verrou, fcntl.LOCK_EX)
        try:
            with moteur.begin() as connexion:
                yield connexion
        finally:
            fcntl.flock(verrou, fcntl.LOCK_UN)


def _refuser_revision_inconnue(avant: str | None) -> None:
    if avant is not None and avant not in revisions_livrees():
        raise BaseInutilisable(
            f"la base porte la révision de schéma « {avant} », que cette version de "
            "l'application ne connaît pas : elle a été mise à jour par une version plus "
            "récente. Lancez la version la plus récente de l'application, ou restaurez une "
            "sauvegarde de la base faite avant."
        )


def _refuser_tables_etrangeres(tables: set[str]) -> None:
    """Des tables qui portent les noms de celles de l'application sans en être une base (une
    autre application dans la même base PostgreSQL) : rien n'y est touché."""
    manquantes = TABLES_FONDATRICES - tables
    if manquantes:
        communes = ", ".join(sorted(tables & set(metadonnees.tables)))
        raise BaseInutilisable(
            f"la base contient déjà des tables qui portent les noms de celles de "
            f"l'application ({communes}) mais pas toutes ses tables d'origine "
            f"({', '.join(sorted(manquantes))} manquent) : ce n'est pas une base de "
            "l'application. Rien n'y a été modifié. Donnez une base vide (ou, sur "
            "PostgreSQL, un schéma à part) dans EVALUATION_BASE."
        )


def _colonnes_de_reference() -> dict[str, set[str]]:
    """Les colonnes de chaque table du schéma de référence, tel que le crée la révision 0001
    (sur une base SQLite en mémoire)."""
    from alembic import command

    memoire = sa.create_engine("sqlite://")
    with memoire.begin() as c:
        command.upgrade(_configuration(c), REVISION_REFERENCE)
        inspecteur = sa.inspect(c)
        return {
            t: {col["name"] for col in inspecteur.get_columns(t)}
            for t in inspecteur.get_table_names()
            if t != "alembic_version"
        }


def _completer_jusqu_a_la_reference(connexion: Connection) -> None:
    """Une base d'avant 9ff51cd (sans alembic_version) reçoit les tables et les colonnes du
    schéma de référence qui lui manquent, comme le faisait la version livrée à chaque
    démarrage : une colonne ajoutée doit pouvoir rester vide ou avoir une valeur par défaut.
    Les définitions sont celles du code, bornées aux colonnes de la référence (les révisions
    suivantes ajoutent le reste)."""
    reference = _colonnes_de_reference()
    inspecteur = sa.inspect(connexion)
    presentes = set(inspecteur.get_table_names())
    dialecte = connexion.dialect
    for table in metadonnees.sorted_tables:
        colonnes_reference = reference.get(table.name)
        if colonnes_reference is None:
            continue
        if table.name not in presentes:
            copie = sa.Table(
                table.name,
                sa.MetaData(),
                *(c._copy() for c in table.columns if c.name in colonnes_reference),
            )
            copie.create(connexion)
            continue
        colonnes = {c["name"] for c in inspecteur.get_columns(table.name)}
        for colonne in table.columns:
            if colonne.name in colonnes or colonne.name not in colonnes_reference:
                continue
            if not (colonne.nullable or colonne.server_default is not None):
                raise BaseInutilisable(
                    f"la base, d'une version antérieure, n'a pas la colonne "
                    f"{table.name}.{colonne.name}, qui ne peut pas rester vide : elle ne peut "
                    "pas être mise à jour en place. Importez les demandes dans une base neuve."
                )
            definition = colonne.type.compile(dialect=dialecte)
            if colonne.server_default is not None:
                valeur = colonne.server_default.arg
                texte = (
                    valeur.compile(dialect=dialecte)
                    if hasattr(valeur, "compile")
                    else f"'{valeur}'"
                )
                definition += f" NOT NULL DEFAULT {texte}"
            connexion.exec_driver_sql(
                f'ALTER TABLE "{table.name}" ADD COLUMN "{colonne.name}" {definition}'
            )


def mettre_a_jour(moteur: Engine) -> tuple[str | None, str]:
    """Met le schéma de la base à la dernière révision ; renvoie (révision avant, après).

    Lève `BaseInutilisable` pour une base d'une version plus récente (révision inconnue) ou
    des tables d'une autre application, sans rien y écrire."""
    cible = revision_cible()
    with moteur.connect() as connexion:
        avant = revision_actuelle(connexion)
    if avant == cible:
        return avant, cible
    _refuser_revision_inconnue(avant)
    with _sous_verrou(moteur) as connexion:
        avant = revision_actuelle(connexion)
        _refuser_revision_inconnue(avant)
        if avant == cible:
            return avant, cible
        tables = set(sa.inspect(connexion).get_table_names())
        if avant is None and not tables & set(metadonnees.tables):
            # Base neuve : le schéma d'un coup, marqué à jour (les révisions n'ont rien à
            # y faire ; un test vérifie qu'elles mènent au même schéma).
            from alembic.migration import MigrationContext

            metadonnees.create_all(connexion)
            MigrationContext.configure(connexion).stamp(scripts(), "heads")
        else:
            from alembic import command

            config = _configuration(connexion)
            if avant is None:
                _refuser_tables_etrangeres(tables)
                _completer_jusqu_a_la_reference(connexion)
                command.stamp(config, REVISION_REFERENCE)
            command.upgrade(config, "heads")
        return avant, revision_actuelle(connexion)
