"""Le moteur : tables créées au premier usage, SQLite en mode WAL, URL de la base ; les
lectures en tables."""

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


def _ecrire(connexion, objet: str = "essai") -> None:
    stockage.inscrire_journal(
        [stockage.ligne_journal(stockage.maintenant(), "x@x.ca", objet, None, "1")],
        connexion=connexion,
    )


# --- Lectures en tables --------------------------------------------------------------------


def test_en_table_garde_les_conversions_des_types(moteur):
    """Les colonnes sans conversion (entiers, textes, réels) viennent du pilote telles
    quelles ; une date ou un booléen reste une date et un booléen (SQLite les stocke en
    texte et en entier)."""
    with stockage.ecriture(moteur) as c:
        _ecrire(c)
    journal = stockage.journal
    with moteur.connect() as c:
        simples = stockage._en_table(
            sa.select(journal.c.id, journal.c.objet), ["id", "objet"], connexion=c
        )
        convertis = stockage._en_table(
            sa.select(journal.c.date, journal.c.objet), ["date", "objet"], connexion=c
        )
    assert simples["objet"].tolist() == ["essai"] and simples["id"].dtype == "int64"
    assert convertis["date"].dtype.kind == "M"
