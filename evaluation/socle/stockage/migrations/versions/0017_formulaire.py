"""Le formulaire de l'appel (issue 18, point 3) : les champs que les critères d'évaluation
lisent, en texte libre dans `demandes` : `objectifs`, `echeancier`, `retombees`,
`visibilite`, `ressources_humaines`, `capacite_financiere`, `resolution`.

Une demande déjà stockée les garde vides (son fichier ne les avait pas) ; la réimporter
avec ces colonnes les remplit. Les colonnes ne sont ajoutées que si elles manquent (comme
0007).

Revision ID: 0017_formulaire
Revises: 0016_dimensions
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_formulaire"
down_revision = "0016_dimensions"
branch_labels = None
depends_on = None

CHAMPS = (
    "objectifs",
    "echeancier",
    "retombees",
    "visibilite",
    "ressources_humaines",
    "capacite_financiere",
    "resolution",
)


def upgrade() -> None:
    existantes = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("demandes")}
    for nom in CHAMPS:
        if nom not in existantes:
            op.add_column("demandes", sa.Column(nom, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("demandes", recreate="never") as lot:
        for nom in CHAMPS:
            lot.drop_column(nom)
