"""La décision du ministère (issue 17, point 1) : `decisions_ministre`, l'approbation ou la
modification de chaque recommandation du comité par l'autorité ministérielle (ou
l'administration en son nom) ; en ajout seul, la dernière ligne d'une demande compte.

La table n'est créée que si elle n'existe pas (comme 0005).

Revision ID: 0012_decision_ministre
Revises: 0011_consensus
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_decision_ministre"
down_revision = "0011_consensus"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "decisions_ministre" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "decisions_ministre",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=30), nullable=False),
        sa.Column("montant_an1", sa.BigInteger(), nullable=False),
        sa.Column("montant_an2", sa.BigInteger(), nullable=False),
        sa.Column("raison", sa.Text(), nullable=True),
        sa.Column("autorite", sa.Text(), nullable=False),
        sa.Column("decision_comite_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decisions_ministre_appel", "decisions_ministre", ["appel_id", "demande_id"])


def downgrade() -> None:
    op.drop_index("ix_decisions_ministre_appel", table_name="decisions_ministre")
    op.drop_table("decisions_ministre")
