"""Les modèles des lettres aux demandeurs (issue 17, point 2) : `modeles_lettres`, le modèle
DOCX téléversé pour chaque genre de lettre d'un appel ; en ajout seul, la dernière ligne d'un
genre compte (contenu vide : retour au modèle livré).

La table n'est créée que si elle n'existe pas (comme 0005).

Revision ID: 0014_modeles_lettres
Revises: 0011_consensus
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_modeles_lettres"
down_revision = "0013_conventions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "modeles_lettres" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "modeles_lettres",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("genre", sa.String(length=30), nullable=False),
        sa.Column("nom_fichier", sa.Text(), nullable=True),
        sa.Column("contenu", sa.LargeBinary(), nullable=True),
        sa.Column("empreinte", sa.String(length=64), nullable=True),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_modeles_lettres_appel", "modeles_lettres", ["appel_id", "genre"])


def downgrade() -> None:
    op.drop_index("ix_modeles_lettres_appel", table_name="modeles_lettres")
    op.drop_table("modeles_lettres")
