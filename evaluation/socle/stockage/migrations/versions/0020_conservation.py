"""La conservation des renseignements personnels (issue 20, point 5) :
`demandes.renseignements_retires_le`, le moment où la purge de l'appel (`python -m evaluation
appels purger ID`) a retiré les renseignements personnels de la demande (vide : jamais). Une
réimportation la reconnaît et ne les fait pas revenir.

La colonne n'est ajoutée que si elle manque (comme 0017).

Revision ID: 0020_conservation
Revises: 0019_correspondances
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_conservation"
down_revision = "0019_correspondances"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existantes = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("demandes")}
    if "renseignements_retires_le" not in existantes:
        op.add_column(
            "demandes", sa.Column("renseignements_retires_le", sa.DateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("demandes", recreate="never") as lot:
        lot.drop_column("renseignements_retires_le")
