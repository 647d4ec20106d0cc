"""Les correspondances de colonnes retenues (issue 19, point 7) : `correspondances_colonnes`,
la correspondance colonnes → champs décidée à l'importation, par appel et par forme de
fichier (empreinte de ses en-têtes), reprise d'avance pour le fichier suivant de même forme.

La table n'est créée que si elle n'existe pas (comme 0005).

Revision ID: 0019_correspondances
Revises: 0018_pieces_jointes
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_correspondances"
down_revision = "0018_pieces_jointes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "correspondances_colonnes" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "correspondances_colonnes",
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("empreinte", sa.String(length=64), nullable=False),
        sa.Column("entetes", sa.JSON(), nullable=False),
        sa.Column("correspondance", sa.JSON(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=True),
        sa.Column("importation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["appel_id"], ["appels.id"]),
        sa.PrimaryKeyConstraint("appel_id", "empreinte"),
    )


def downgrade() -> None:
    op.drop_table("correspondances_colonnes")
