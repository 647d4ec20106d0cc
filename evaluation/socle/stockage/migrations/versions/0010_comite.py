"""Le comité (issue 16, point 3) : `declarations_comite`, les déclarations d'intérêts et
engagements de confidentialité acceptés par la présidence, les membres, les observateurs et
l'administration, une fois par appel. Les conflits sur une demande gardent la table
`conflits`.

La table n'est créée que si elle n'existe pas (comme 0005).

Revision ID: 0010_comite
Revises: 0009_seance
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_comite"
down_revision = "0009_seance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "declarations_comite" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "declarations_comite",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("courriel", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("interets", sa.Text(), nullable=True),
        sa.Column("empreinte", sa.String(length=64), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_declarations_comite_appel", "declarations_comite", ["appel_id", "courriel"])


def downgrade() -> None:
    op.drop_index("ix_declarations_comite_appel", table_name="declarations_comite")
    op.drop_table("declarations_comite")
