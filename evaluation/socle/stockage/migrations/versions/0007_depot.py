"""Date de dépôt des demandes (issue 15) : `date_depot`, lue dans le fichier ou, à défaut,
celle de l'importation, et `date_depot_presumee`, vrai dans ce second cas.

Une demande déjà stockée reçoit la date de sa création (`cree_le`, le jour de son
importation), marquée présumée : la même règle qu'une importation sans date de dépôt.

Revision ID: 0007_depot
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_depot"
down_revision = "0006_montants"
branch_labels = None
depends_on = None

COLONNES = [
    sa.Column("date_depot", sa.Date(), nullable=True),
    sa.Column("date_depot_presumee", sa.Boolean(), nullable=True),
]


def upgrade() -> None:
    existantes = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("demandes")}
    for colonne in COLONNES:
        if colonne.name not in existantes:
            op.add_column("demandes", colonne)
    # date(…) en SQLite (le texte « 2024-03-15 10:00:00 » y est une date) ; CAST ailleurs.
    jour = "date(cree_le)" if op.get_bind().dialect.name == "sqlite" else "CAST(cree_le AS DATE)"
    op.execute(
        sa.text(
            f"UPDATE demandes SET date_depot = {jour}, date_depot_presumee = :vrai "
            "WHERE date_depot IS NULL"
        ).bindparams(vrai=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("demandes", recreate="never") as lot:
        for colonne in COLONNES:
            lot.drop_column(colonne.name)
