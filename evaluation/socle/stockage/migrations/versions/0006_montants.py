"""Montants admissibles (issue 15) : la bonification d'un projet conjoint, fixée demande par
demande par la présidence, avec sa raison (table en ajout seul, la dernière compte).

Revision ID: 0006_montants
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_montants"
down_revision = "0005_reglages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "bonifications" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "bonifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("montant", sa.BigInteger(), nullable=False),
        sa.Column("raison", sa.Text(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("bonifications")
