"""Le moteur : tables créées au premier usage, SQLite en mode WAL, URL de la base."""

import sqlalchemy as sa

from evaluation.socle import stockage


def test_tables_creees_au_premier_usage(moteur):
    noms = set(sa.inspect(moteur).get_table_names())
    assert {"appels", "demandes", "lignes_budget", "importations"} <= noms


def test_sqlite_en_mode_wal(moteur_sqlite):
    with moteur_sqlite.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_url_par_defaut(monkeypatch, tmp_path):
    monkeypatch.delenv(stockage.VARIABLE_BASE, raising=False)
    assert stockage.url_par_defaut().endswith("donnees/evaluation.sqlite")
    monkeypatch.setenv(stockage.VARIABLE_BASE, f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert stockage.url_par_defaut() == f"sqlite:///{tmp_path / 'x.sqlite'}"
