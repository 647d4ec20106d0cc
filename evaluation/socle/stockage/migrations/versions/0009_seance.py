"""Séance du comité (issue 16) : la séance (ordre, demande en cours que chaque écran suit,
version), ses présents (comptes ou personnes sans compte), les demandes amenées en cours et
le tri des demandes non discutées.

Revision ID: 0009_seance
Revises: 0008_resumes
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_seance"
down_revision = "0008_resumes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existantes = set(sa.inspect(op.get_bind()).get_table_names())
    if "seances" not in existantes:
        op.create_table(
            "seances",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("appel_id", sa.String(length=100), nullable=False),
            sa.Column("ouverte_le", sa.DateTime(), nullable=False),
            sa.Column("ouverte_par", sa.Text(), nullable=False),
            sa.Column("fermee_le", sa.DateTime(), nullable=True),
            sa.Column("fermee_par", sa.Text(), nullable=True),
            sa.Column("ordre", sa.String(length=30), nullable=False),
            sa.Column("demande_courante", sa.Integer(), nullable=True),
            sa.Column("version", sa.Integer(), server_default="1", nullable=False),
            sa.ForeignKeyConstraint(["demande_courante"], ["demandes.id"], ondelete="SET NULL"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_seances_appel", "seances", ["appel_id"])
    if "seance_presences" not in existantes:
        op.create_table(
            "seance_presences",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("seance_id", sa.Integer(), nullable=False),
            sa.Column("courriel", sa.Text(), nullable=True),
            sa.Column("nom", sa.Text(), nullable=True),
            sa.Column("fonction", sa.Text(), nullable=True),
            sa.Column("date", sa.DateTime(), nullable=False),
            sa.Column("auteur", sa.Text(), nullable=False),
            sa.CheckConstraint(
                "courriel IS NOT NULL OR nom IS NOT NULL", name="ck_seance_presences_qui"
            ),
            sa.ForeignKeyConstraint(["seance_id"], ["seances.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_seance_presences_seance", "seance_presences", ["seance_id"])
    for table in ("seance_discutees", "seance_triage"):
        if table in existantes:
            continue
        colonnes = (
            [sa.Column("moment", sa.DateTime(), nullable=False)]
            if table == "seance_discutees"
            else [
                sa.Column("etat", sa.String(length=20), nullable=False),
                sa.Column("date", sa.DateTime(), nullable=False),
                sa.Column("auteur", sa.Text(), nullable=False),
            ]
        )
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("seance_id", sa.Integer(), nullable=False),
            sa.Column("demande_id", sa.Integer(), nullable=False),
            *colonnes,
            sa.ForeignKeyConstraint(["seance_id"], ["seances.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(f"ix_{table}_seance", table, ["seance_id"])


def downgrade() -> None:
    for table in ("seance_triage", "seance_discutees", "seance_presences", "seances"):
        op.drop_index(f"ix_{table}_{'appel' if table == 'seances' else 'seance'}", table_name=table)
        op.drop_table(table)
