"""Le schéma de la base, tenu par Alembic : une base neuve est créée d'après le schéma puis
marquée à la dernière révision ; une base créée par la version livrée avant Alembic (sans
table alembic_version) est marquée à la révision de référence, puis mise à jour ; une base
versionnée est mise à jour. Rien ne se perd : chaque révision ajoute, remplit ou renomme.

Deux serveurs qui démarrent ensemble sur une même base ne se marchent pas dessus : la mise à
jour se fait sous un verrou (verrou consultatif de PostgreSQL, verrou de fichier pour
SQLite), et le second trouve la base déjà à jour.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from evaluation.socle.stockage.schema import metadonnees

DOSSIER_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
REVISION_REFERENCE = "0001"  # le schéma de la version livrée 9ff51cd, avant Alembic
# Clé du verrou consultatif de PostgreSQL (un entier 64 bits propre à cette application).
CLE_VERROU = 0x45564131  # « EVA1 »


@functools.cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory(str(DOSSIER_MIGRATIONS))


def revision_cible() -> str:
    """La dernière révision livrée."""
    return scripts().get_current_head()


def revision_actuelle(connexion: Connection) -> str | None:
    """La révision de la base (None : pas de table alembic_version)."""
    return MigrationContext.configure(connexion).get_current_revision()


def _configuration(connexion: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(DOSSIER_MIGRATIONS))
    config.attributes["connexion"] = connexion
    return config


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
    with open(f"{chemin}.verrou-schema", "a") as verrou:
        fcntl.flock(verrou, fcntl.LOCK_EX)
        try:
            with moteur.begin() as connexion:
                yield connexion
        finally:
            fcntl.flock(verrou, fcntl.LOCK_UN)


def mettre_a_jour(moteur: Engine) -> tuple[str | None, str]:
    """Met le schéma de la base à la dernière révision ; renvoie (révision avant, après)."""
    with _sous_verrou(moteur) as connexion:
        avant = revision_actuelle(connexion)
        tables = set(sa.inspect(connexion).get_table_names())
        if avant is None and not tables & set(metadonnees.tables):
            # Base neuve : le schéma d'un coup, marqué à jour (les révisions n'ont rien à
            # y faire ; un test vérifie qu'elles mènent au même schéma).
            metadonnees.create_all(connexion)
            MigrationContext.configure(connexion).stamp(scripts(), "heads")
        else:
            config = _configuration(connexion)
            if avant is None:
                command.stamp(config, REVISION_REFERENCE)
            command.upgrade(config, "heads")
        return avant, revision_actuelle(connexion)
