"""Les réglages de l'appel et leurs sources (issue 15) : confirmations de l'administration ;
raison, poids remplacés et moment (après la première évaluation soumise) de chaque
pondération adoptée.

Chaque ajout vérifie d'abord que la colonne ou la table n'existe pas (comme 0002).

Revision ID: 0005_reglages
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_reglages"
down_revision = "0004_filtrage"
branch_labels = None
depends_on = None

COLONNES = {
    "ponderations": [
        sa.Column("raison", sa.Text(), nullable=True),
        sa.Column("poids_avant", sa.JSON(), nullable=True),
        sa.Column("apres_notation", sa.Boolean(), nullable=False, server_default=sa.false()),
    ],
}


def _existantes(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    for table, colonnes in COLONNES.items():
        existantes = _existantes(table)
        for colonne in colonnes:
            if colonne.name not in existantes:
                op.add_column(table, colonne)
    if "confirmations_reglages" not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            "confirmations_reglages",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("appel_id", sa.String(length=100), nullable=False),
            sa.Column("chemin", sa.Text(), nullable=False),
            sa.Column("empreinte", sa.Text(), nullable=False),
            sa.Column("date", sa.DateTime(), nullable=False),
            sa.Column("auteur", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_confirmations_reglages_appel", "confirmations_reglages", ["appel_id"])


def downgrade() -> None:
    op.drop_index("ix_confirmations_reglages_appel", table_name="confirmations_reglages")
    op.drop_table("confirmations_reglages")
    for table, colonnes in COLONNES.items():
        with op.batch_alter_table(table, recreate="never") as lot:
            for colonne in colonnes:
                lot.drop_column(colonne.name)
