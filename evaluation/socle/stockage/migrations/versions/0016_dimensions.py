"""Les dimensions de classement d'une demande (issue 18, point 2) : `demandes.dimensions`, en
JSON, {id_dimension: [id_valeur, ...]} pour chaque dimension que l'appel déclare dans
[[dimensions]] (thème, priorités transversales, type de financement…).

Les demandes déjà stockées n'en ont pas (colonne vide) : leur appel n'en déclarait pas.

Revision ID: 0016_dimensions
Revises: 0014_modeles_lettres
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_dimensions"
down_revision = "0015_demandeur"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existantes = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("demandes")}
    if "dimensions" not in existantes:
        op.add_column("demandes", sa.Column("dimensions", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Sans recopie de la table (voir 0008) : sous SQLite, recopier `demandes` emporterait ce
    # qui s'y rattache par ON DELETE CASCADE.
    with op.batch_alter_table("demandes", recreate="never") as lot:
        lot.drop_column("dimensions")
