"""Examen d'admissibilité avant la notation (issue 15) : les examens (historique, le dernier
compte) et les signalements des évaluateurs.

Revision ID: 0004_filtrage
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_filtrage"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existantes = set(sa.inspect(op.get_bind()).get_table_names())
    if "examens_admissibilite" not in existantes:
        op.create_table(
            "examens_admissibilite",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("appel_id", sa.String(length=100), nullable=False),
            sa.Column("demande_id", sa.Integer(), nullable=False),
            sa.Column("nature", sa.String(length=20), nullable=False),
            sa.Column("verdict", sa.String(length=20), nullable=False),
            sa.Column("reponses", sa.JSON(none_as_null=True), nullable=True),
            sa.Column("raison", sa.Text(), nullable=True),
            sa.Column("date", sa.DateTime(), nullable=False),
            sa.Column("auteur", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_examens_admissibilite_demande", "examens_admissibilite", ["demande_id"])
    if "signalements_admissibilite" not in existantes:
        op.create_table(
            "signalements_admissibilite",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("appel_id", sa.String(length=100), nullable=False),
            sa.Column("demande_id", sa.Integer(), nullable=False),
            sa.Column("evaluateur", sa.Text(), nullable=False),
            sa.Column("raison", sa.Text(), nullable=False),
            sa.Column("date", sa.DateTime(), nullable=False),
            sa.Column("suite", sa.String(length=40), nullable=True),
            sa.Column("raison_suite", sa.Text(), nullable=True),
            sa.Column("regle_le", sa.DateTime(), nullable=True),
            sa.Column("regle_par", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )


def downgrade() -> None:
    op.drop_table("signalements_admissibilite")
    op.drop_index("ix_examens_admissibilite_demande", table_name="examens_admissibilite")
    op.drop_table("examens_admissibilite")
