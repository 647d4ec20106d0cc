"""La version des données (issue 14) : une ligne que chaque transaction d'écriture augmente
de un, lue par les pages comme clé de leurs caches (voir `schema.compteur_ecritures`).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from evaluation.socle.stockage.schema import (
    VERSION_GLOBALE,
    VERSION_LOURDE,
    valeur_initiale_du_compteur,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "compteur_ecritures" in sa.inspect(op.get_bind()).get_table_names():
        return
    table = op.create_table(
        "compteur_ecritures",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("valeur", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(
        table,
        [
            {"id": VERSION_GLOBALE, "valeur": valeur_initiale_du_compteur()},
            {"id": VERSION_LOURDE, "valeur": valeur_initiale_du_compteur()},
        ],
    )


def downgrade() -> None:
    op.drop_table("compteur_ecritures")
