"""Le schéma de référence : celui que créait la version livrée 9ff51cd (avant Alembic).

Une base créée par cette version n'a pas de table alembic_version : `migration.mettre_a_jour`
la marque à cette révision, puis applique les suivantes.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appels",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("nom", sa.Text(), nullable=False),
        sa.Column("configuration_toml", sa.Text(), nullable=False),
        sa.Column("enregistre_le", sa.DateTime(), nullable=False),
        sa.Column("archive", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "comptes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("courriel", sa.Text(), nullable=False),
        sa.Column("nom", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("hache_mot_de_passe", sa.Text(), nullable=True),
        sa.Column("actif", sa.Boolean(), nullable=False),
        sa.Column("municipalite", sa.Text(), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("cree_le", sa.DateTime(), nullable=False),
        sa.Column("modifie_le", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("courriel"),
    )
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=True),
        sa.Column("demande_id", sa.Integer(), nullable=True),
        sa.Column("evaluateur", sa.Text(), nullable=True),
        sa.Column("objet", sa.Text(), nullable=False),
        sa.Column("ancien", sa.Text(), nullable=True),
        sa.Column("nouveau", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_journal_demande", "journal", ["demande_id"], unique=False)
    op.create_table(
        "ponderations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("poids", sa.JSON(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "reglages_evaluation",
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("evaluateurs_par_demande", sa.Integer(), nullable=True),
        sa.Column("verrouille", sa.Boolean(), nullable=False),
        sa.Column(
            "decisions_verrouillees", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.Column("modifie_le", sa.DateTime(), nullable=False),
        sa.Column("modifie_par", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("appel_id"),
    )
    op.create_table(
        "tentatives_connexion",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("courriel", sa.Text(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("reussie", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_tentatives_courriel_date", "tentatives_connexion", ["courriel", "date"], unique=False
    )
    op.create_table(
        "importations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=True),
        sa.Column("fichiers", sa.JSON(), nullable=False),
        sa.Column("lignes_valides_seulement", sa.Boolean(), nullable=False),
        sa.Column("nb_creees", sa.Integer(), nullable=False),
        sa.Column("nb_mises_a_jour", sa.Integer(), nullable=False),
        sa.Column("nb_inchangees", sa.Integer(), nullable=False),
        sa.Column("nb_ecartees", sa.Integer(), nullable=False),
        sa.Column("nb_lignes_budget", sa.Integer(), nullable=False),
        sa.Column("rapport", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appel_id"],
            ["appels.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "demandes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("no_demande", sa.Text(), nullable=True),
        sa.Column("municipalite", sa.Text(), nullable=True),
        sa.Column("code_geographique", sa.String(length=10), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("municipalites_partenaires", sa.Text(), nullable=True),
        sa.Column("projet_conjoint", sa.Boolean(), nullable=True),
        sa.Column("partenaires_etrangers", sa.Text(), nullable=True),
        sa.Column("pays", sa.Text(), nullable=True),
        sa.Column("titre", sa.Text(), nullable=True),
        sa.Column("resume", sa.Text(), nullable=True),
        sa.Column("axe", sa.Integer(), nullable=True),
        sa.Column("secteur", sa.Text(), nullable=True),
        sa.Column("secteurs_secondaires", sa.Text(), nullable=True),
        sa.Column("date_debut", sa.Date(), nullable=True),
        sa.Column("date_fin", sa.Date(), nullable=True),
        sa.Column("cout_total", sa.BigInteger(), nullable=True),
        sa.Column("montant_demande_an1", sa.BigInteger(), nullable=True),
        sa.Column("montant_demande_an2", sa.BigInteger(), nullable=True),
        sa.Column("contribution_demandeur", sa.BigInteger(), nullable=True),
        sa.Column("cofinancement_externe", sa.BigInteger(), nullable=True),
        sa.Column("autre_financement_gouvernemental", sa.Boolean(), nullable=True),
        sa.Column("dossier_complet", sa.Boolean(), nullable=True),
        sa.Column("budget_detaille", sa.Boolean(), nullable=True),
        sa.Column("engagement_rapport", sa.Boolean(), nullable=True),
        sa.Column("qualite_signataire", sa.Text(), nullable=True),
        sa.Column("courriel", sa.Text(), nullable=True),
        sa.Column("colonnes_supplementaires", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("avertissements", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("source_fichier", sa.Text(), nullable=True),
        sa.Column("source_feuille", sa.Text(), nullable=True),
        sa.Column("source_ligne", sa.Integer(), nullable=True),
        sa.Column("importation_id", sa.Integer(), nullable=True),
        sa.Column("cree_le", sa.DateTime(), nullable=False),
        sa.Column("modifie_le", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appel_id"],
            ["appels.id"],
        ),
        sa.ForeignKeyConstraint(
            ["importation_id"],
            ["importations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("appel_id", "no_demande", name="uq_demande_numero"),
    )
    op.create_table(
        "attributions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("evaluateur", sa.Text(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("demande_id", "evaluateur", name="uq_attribution"),
    )
    op.create_table(
        "conflits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("evaluateur", sa.Text(), nullable=False),
        sa.Column("raison", sa.Text(), nullable=False),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("demande_id", "evaluateur", name="uq_conflit"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=30), nullable=False),
        sa.Column("montant_an1", sa.BigInteger(), nullable=False),
        sa.Column("montant_an2", sa.BigInteger(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("evaluateur", sa.Text(), nullable=False),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("commentaire_global", sa.Text(), nullable=True),
        sa.Column("admissible", sa.Boolean(), nullable=True),
        sa.Column("raison_inadmissibilite", sa.Text(), nullable=True),
        sa.Column("admissibilite", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cree_le", sa.DateTime(), nullable=False),
        sa.Column("modifie_le", sa.DateTime(), nullable=False),
        sa.Column("soumise_le", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appel_id"],
            ["appels.id"],
        ),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("demande_id", "evaluateur", name="uq_evaluation_demande_evaluateur"),
    )
    op.create_table(
        "lignes_budget",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=True),
        sa.Column("categorie", sa.Text(), nullable=True),
        sa.Column("categorie_id", sa.Text(), nullable=True),
        sa.Column("admissible", sa.Boolean(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("montant", sa.BigInteger(), nullable=True),
        sa.Column("colonnes_supplementaires", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("source_fichier", sa.Text(), nullable=True),
        sa.Column("source_ligne", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lignes_budget_demande", "lignes_budget", ["demande_id"], unique=False)
    op.create_table(
        "montants_recommandes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("appel_id", sa.String(length=100), nullable=False),
        sa.Column("demande_id", sa.Integer(), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("montant", sa.BigInteger(), nullable=False),
        sa.Column("raison", sa.Text(), nullable=True),
        sa.Column("date", sa.DateTime(), nullable=False),
        sa.Column("auteur", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("critere", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Float(), nullable=True),
        sa.Column("commentaire", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "critere", name="uq_note_critere"),
    )


def downgrade() -> None:
    op.drop_table("notes")
    op.drop_table("montants_recommandes")
    op.drop_index("ix_lignes_budget_demande", table_name="lignes_budget")
    op.drop_table("lignes_budget")
    op.drop_table("evaluations")
    op.drop_table("decisions")
    op.drop_table("conflits")
    op.drop_table("attributions")
    op.drop_table("demandes")
    op.drop_table("importations")
    op.drop_index("ix_tentatives_courriel_date", table_name="tentatives_connexion")
    op.drop_table("tentatives_connexion")
    op.drop_table("reglages_evaluation")
    op.drop_table("ponderations")
    op.drop_index("ix_journal_demande", table_name="journal")
    op.drop_table("journal")
    op.drop_table("comptes")
    op.drop_table("appels")
