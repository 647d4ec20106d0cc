"""Après la décision (issue 17, point 4) : `conventions` (date de signature, échéance du
rapport fixée par la convention), `versements` (chaque versement fait, par année financière)
et `rapports` (le rapport financier et narratif reçu), en ajout seul.

Les tables ne sont créées que si elles n'existent pas (comme 0005).

Revision ID: 0013_conventions
Revises: 0011_consensus
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_conventions"
down_revision = "0012_decision_ministre"
branch_labels = None
depends_on = None


def _colonnes_communes() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
    ]


def _fin() -> list:
    return [
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    existantes = set(sa.inspect(op.get_bind()).get_table_names())
    if "conventions" not in existantes:
        op.create_table(
            "conventions",
            *_colonnes_communes(),
            sa.Column("date_signature", sa.Date(), nullable=False),
            sa.Column("echeance_rapport", sa.Date(), nullable=True),
            *_fin(),
        )
        op.create_index("ix_conventions_appel", "conventions", ["appel_id", "demande_id"])
    if "versements" not in existantes:
        op.create_table(
            "versements",
            *_colonnes_communes(),
            sa.Column("annee", sa.Integer(), nullable=False),
            sa.Column("montant_prevu", sa.BigInteger(), nullable=False),
            sa.Column("montant_verse", sa.BigInteger(), nullable=False),
            sa.Column("date_versement", sa.Date(), nullable=False),
            *_fin(),
        )
        op.create_index("ix_versements_appel", "versements", ["appel_id", "demande_id"])
    if "rapports" not in existantes:
        op.create_table(
            "rapports",
            *_colonnes_communes(),
            sa.Column("date_recu", sa.Date(), nullable=False),
            sa.Column("echeance", sa.Date(), nullable=True),
            *_fin(),
        )
        op.create_index("ix_rapports_appel", "rapports", ["appel_id", "demande_id"])


def downgrade() -> None:
    for table in ("rapports", "versements", "conventions"):
        op.drop_index(f"ix_{table}_appel", table_name=table)
        op.drop_table(table)
