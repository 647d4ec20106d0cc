"""Environnement d'Alembic : la connexion vient de `migration.mettre_a_jour` (jamais d'un
alembic.ini), le schéma de référence est `schema.metadonnees`."""

from alembic import context

from evaluation.socle.stockage.schema import metadonnees

connexion = context.config.attributes["connexion"]
context.configure(
    connection=connexion,
    target_metadata=metadonnees,
    # SQLite ne sait pas modifier une colonne en place : Alembic recopie la table.
    render_as_batch=connexion.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
