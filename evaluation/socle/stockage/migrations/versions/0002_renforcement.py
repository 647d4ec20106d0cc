"""Renforcement (issue 12) : versions (appels, journal), désistements et retraits
d'importation, mot de passe provisoire, évaluation à l'aveugle (consultations).

Chaque ajout vérifie d'abord que la colonne n'existe pas : une base de développement qui
l'aurait reçue de l'ancien ajout automatique (`_ajouter_colonnes_manquantes`) se met à jour
sans erreur.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLONNES = {
    "appels": [sa.Column("version", sa.Integer(), nullable=False, server_default="1")],
    "importations": [
        sa.Column("retiree_le", sa.DateTime(), nullable=True),
        sa.Column("retiree_par", sa.Text(), nullable=True),
        sa.Column("raison_retrait", sa.Text(), nullable=True),
    ],
    "demandes": [
        sa.Column("retiree_le", sa.DateTime(), nullable=True),
        sa.Column("retiree_par", sa.Text(), nullable=True),
        sa.Column("raison_retrait", sa.Text(), nullable=True),
    ],
    "comptes": [sa.Column("mot_de_passe_provisoire", sa.Boolean(), nullable=True)],
    "evaluations": [
        sa.Column(
            "modifiee_apres_consultation",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
        )
    ],
    "journal": [sa.Column("version", sa.Integer(), nullable=True)],
}


def _existantes(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    for table, colonnes in COLONNES.items():
        existantes = _existantes(table)
        for colonne in colonnes:
            if colonne.name not in existantes:
                op.add_column(table, colonne)
    if "consultations" not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            "consultations",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("appel_id", sa.String(length=100), nullable=False),
            sa.Column("demande_id", sa.Integer(), nullable=False),
            sa.Column("evaluateur", sa.Text(), nullable=False),
            sa.Column("date", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("demande_id", "evaluateur", name="uq_consultation"),
        )


def downgrade() -> None:
    op.drop_table("consultations")
    for table, colonnes in COLONNES.items():
        with op.batch_alter_table(table, recreate="never") as lot:
            for colonne in colonnes:
                lot.drop_column(colonne.name)
