"""Le demandeur organisme (issue 18, point 1) : `demandes.organisme` (nom de l'organisme
requérant) et `demandes.neq` (son numéro d'entreprise du Québec) ; `comptes.neq`,
l'organisme auquel un évaluateur est rattaché (conflit d'intérêts évident).

Colonnes vides pour ce qui existe déjà (une entité municipale n'a ni nom d'organisme ni
NEQ). Chaque colonne n'est ajoutée que si elle manque (comme 0008).

Revision ID: 0015_demandeur
Revises: 0014_modeles_lettres
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_demandeur"
down_revision = "0014_modeles_lettres"
branch_labels = None
depends_on = None

_AJOUTS = {
    "demandes": (("organisme", sa.Text()), ("neq", sa.String(length=10))),
    "comptes": (("neq", sa.String(length=10)),),
}


def upgrade() -> None:
    inspection = sa.inspect(op.get_bind())
    for table, colonnes in _AJOUTS.items():
        existantes = {c["name"] for c in inspection.get_columns(table)}
        for nom, genre in colonnes:
            if nom not in existantes:
                op.add_column(table, sa.Column(nom, genre, nullable=True))


def downgrade() -> None:
    # Sans recopie de la table : sous SQLite, recopier `demandes` puis supprimer l'ancienne
    # emporterait ses lignes de budget et ses évaluations (ON DELETE CASCADE).
    for table, colonnes in _AJOUTS.items():
        with op.batch_alter_table(table, recreate="never") as lot:
            for nom, _ in colonnes:
                lot.drop_column(nom)
