"""Le consensus (issue 16, point 4) : `consensus`, la note que la présidence inscrit en séance,
critère par critère, avec ses motifs ; en ajout seul, la dernière ligne d'un critère compte.

La table n'est créée que si elle n'existe pas (comme 0005).

Revision ID: 0011_consensus
Revises: 0010_comite
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_consensus"
down_revision = "0010_comite"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "consensus" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "consensus",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("critere", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Float(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_consensus_appel", "consensus", ["appel_id", "demande_id"])


def downgrade() -> None:
    op.drop_index("ix_consensus_appel", table_name="consensus")
    op.drop_table("consensus")
