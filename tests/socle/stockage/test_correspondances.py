"""Les correspondances de colonnes retenues (stockage/correspondances.py, issue 19, point 7),
sur SQLite et PostgreSQL : une ligne par appel et par forme de fichier, remplacée par la
suivante, effacée par une correspondance vide ; la migration 0019_correspondances descend
et remonte sans toucher au reste."""

import datetime as dt

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from evaluation.socle import stockage
from evaluation.socle.stockage import migration
from evaluation.socle.stockage.schema import metadonnees
from tests.socle.stockage.test_migration import moteur_brut  # noqa: F401 (fixture)

T = dt.datetime(2026, 11, 30, 9, 0)
ENTETES = ["No de demande", "Titre du projet", "Partenaire(s) étranger(s)"]
RELIE = {"Partenaire(s) étranger(s)": "partenaires_etrangers"}


def _retenir(c, appel_id, empreinte, relie, minute=0, auteur="analyste@x.ca"):
    stockage.retenir_correspondance(
        appel_id,
        empreinte,
        ENTETES,
        relie,
        date=T + dt.timedelta(minutes=minute),
        auteur=auteur,
        importation_id=None,
        connexion=c,
    )


def test_retenue_relue_par_appel_et_par_forme(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        _retenir(c, appel.id, "a" * 64, RELIE)
        _retenir(c, appel.id, "b" * 64, {"Intitulé": "titre"})
    with moteur.connect() as c:
        lues = stockage.lire_correspondances(appel.id, connexion=c)
        assert stockage.lire_correspondances("autre-appel", connexion=c) == {}
    assert set(lues) == {"a" * 64, "b" * 64}
    assert lues["a" * 64]["correspondance"] == RELIE
    assert lues["a" * 64]["entetes"] == ENTETES
    assert lues["a" * 64]["auteur"] == "analyste@x.ca"
    assert lues["a" * 64]["date"] == T


def test_la_derniere_remplace_et_la_vide_efface(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        _retenir(c, appel.id, "a" * 64, RELIE)
    with moteur.begin() as c:
        _retenir(c, appel.id, "a" * 64, {"Partenaire(s) étranger(s)": "resume"}, minute=5)
    with moteur.connect() as c:
        (ligne,) = stockage.lire_correspondances(appel.id, connexion=c).values()
    assert ligne["correspondance"] == {"Partenaire(s) étranger(s)": "resume"}
    assert ligne["date"] == T + dt.timedelta(minutes=5)
    with moteur.begin() as c:
        _retenir(c, appel.id, "a" * 64, {}, minute=9)
    with moteur.connect() as c:
        assert stockage.lire_correspondances(appel.id, connexion=c) == {}


def test_transaction_annulee_ne_laisse_rien(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        _retenir(c, appel.id, "a" * 64, RELIE)
    try:
        with moteur.begin() as c:
            _retenir(c, appel.id, "a" * 64, {"X": "titre"}, minute=1)
            raise RuntimeError("panne")
    except RuntimeError:
        pass
    with moteur.connect() as c:
        (ligne,) = stockage.lire_correspondances(appel.id, connexion=c).values()
    assert ligne["correspondance"] == RELIE


def test_migration_0019_descend_et_remonte(moteur_brut, appel):  # noqa: F811
    """0019_correspondances : descendre à 0018_pieces_jointes retire la table sans toucher
    au reste ; remonter la recrée, vide, à l'identique du schéma du code."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
        stockage.enregistrer_appel(appel, connexion=c)
        _retenir(c, appel.id, "a" * 64, RELIE)
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), "0018_pieces_jointes")
    with moteur.connect() as c:
        tables = set(sa.inspect(c).get_table_names())
        assert migration.revision_actuelle(c) == "0018_pieces_jointes"
        assert c.exec_driver_sql("SELECT id FROM appels").scalars().all() == [appel.id]
    assert "correspondances_colonnes" not in tables
    assert {"appels", "demandes", "pieces_jointes"} <= tables
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []
        assert migration.revision_actuelle(c) == migration.revision_cible()
        assert stockage.lire_correspondances(appel.id, connexion=c) == {}
