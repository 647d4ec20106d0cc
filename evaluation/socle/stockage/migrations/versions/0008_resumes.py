"""Notes résumées (issue 14) : `evaluations.notes_resumees`, les notes d'une évaluation en une
ligne de texte, écrite avec elles, que le classement lit au lieu de la table des notes.

Les évaluations déjà stockées reçoivent le résumé de leurs notes.

Revision ID: 0008_resumes
Revises: 0007_depot
"""

import sqlalchemy as sa
from alembic import op

from evaluation.socle.stockage.evaluations import mettre_a_jour_resumes

revision = "0008_resumes"
down_revision = "0007_depot"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existantes = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("evaluations")}
    if "notes_resumees" not in existantes:
        op.add_column("evaluations", sa.Column("notes_resumees", sa.Text(), nullable=True))
    mettre_a_jour_resumes(None, connexion=op.get_bind())


def downgrade() -> None:
    # Sans recopie de la table : sous SQLite, recopier evaluations puis supprimer l'ancienne
    # emporterait ses notes et ses consultations (ON DELETE CASCADE, clés étrangères actives).
    with op.batch_alter_table("evaluations", recreate="never") as lot:
        lot.drop_column("notes_resumees")
