"""Les pièces jointes des demandes (issue 18, point 3) : `pieces_jointes`, les PDF d'une
archive ZIP importée avec les demandes, rangés par demande, en ajout seul.

La table n'est créée que si elle n'existe pas (comme 0005).

Revision ID: 0018_pieces_jointes
Revises: 0017_formulaire
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_pieces_jointes"
down_revision = "0017_formulaire"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "pieces_jointes" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "pieces_jointes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("nom_fichier", sa.Text(), nullable=False),
        sa.Column("taille", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("contenu", sa.LargeBinary(), nullable=False),
        sa.Column("importee_le", sa.DateTime(), nullable=False),
        sa.Column("importee_par", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pieces_jointes_demande", "pieces_jointes", ["demande_id"])


def downgrade() -> None:
    op.drop_index("ix_pieces_jointes_demande", table_name="pieces_jointes")
    op.drop_table("pieces_jointes")
