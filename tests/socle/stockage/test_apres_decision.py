"""Lectures et écritures du suivi après la décision (stockage/apres_decision.py, issue 17,
point 4) : conventions, versements, rapports, sur SQLite et PostgreSQL ; la migration
0013_conventions descend et remonte."""

import datetime as dt

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from evaluation.socle import stockage
from evaluation.socle.stockage import migration
from evaluation.socle.stockage.schema import metadonnees
from tests.socle.stockage.conftest import _demande
from tests.socle.stockage.test_migration import moteur_brut  # noqa: F401 (fixture)

T = dt.datetime(2026, 11, 24, 9, 0)


def _base(moteur, appel) -> dict[str, int]:
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        return stockage.inserer_demandes(
            appel.id, [_demande("A-1"), _demande("A-2"), _demande("A-3")], connexion=c
        )


def _ligne(appel_id, demande_id, minute, **valeurs):
    return {
        "appel_id": appel_id,
        "demande_id": demande_id,
        "note": None,
        "date": T + dt.timedelta(minutes=minute),
        "auteur": "admin@x.ca",
        **valeurs,
    }


def test_la_derniere_convention_de_chaque_demande(moteur, appel):
    ids = _base(moteur, appel)
    with moteur.begin() as c:
        for demande, jour, minute in [("A-1", 1, 0), ("A-2", 5, 1), ("A-1", 3, 2)]:
            stockage.ajouter_convention(
                _ligne(
                    appel.id,
                    ids[demande],
                    minute,
                    date_signature=dt.date(2024, 6, jour),
                    echeance_rapport=None if demande == "A-1" else dt.date(2026, 1, 31),
                ),
                connexion=c,
            )
    with moteur.connect() as c:
        lues = {x["demande_id"]: x for x in stockage.lire_conventions(appel.id, connexion=c)}
        autre = stockage.lire_conventions("autre-appel", connexion=c)
    assert lues[ids["A-1"]]["date_signature"] == dt.date(2024, 6, 3)
    assert lues[ids["A-2"]]["echeance_rapport"] == dt.date(2026, 1, 31)
    assert set(lues) == {ids["A-1"], ids["A-2"]} and autre == []


def test_chaque_versement_compte_montants_au_dela_de_2_milliards_de_cents(moteur, appel):
    ids = _base(moteur, appel)
    gros = 3_000_000_000  # 30 millions de dollars, en cents : BIGINT
    with moteur.begin() as c:
        for demande, annee, verse, minute in [("A-1", 1, 100, 0), ("A-2", 2, gros, 1)]:
            stockage.ajouter_versement(
                _ligne(
                    appel.id,
                    ids[demande],
                    minute,
                    annee=annee,
                    montant_prevu=gros,
                    montant_verse=verse,
                    date_versement=dt.date(2024, 7, 1),
                ),
                connexion=c,
            )
        stockage.ajouter_versement(
            _ligne(
                appel.id,
                ids["A-1"],
                2,
                annee=1,
                montant_prevu=gros,
                montant_verse=200,
                date_versement=dt.date(2024, 8, 1),
                note="Solde\x00 2024-2025",
            ),
            connexion=c,
        )
    with moteur.connect() as c:
        tous = stockage.lire_versements(appel.id, connexion=c)
        a1 = stockage.lire_versements(appel.id, connexion=c, demande_id=ids["A-1"])
    assert [(v["demande_id"], v["montant_verse"]) for v in tous] == [
        (ids["A-1"], 100),
        (ids["A-2"], gros),
        (ids["A-1"], 200),
    ]
    assert [v["montant_verse"] for v in a1] == [100, 200]
    assert a1[1]["note"] == "Solde 2024-2025"  # caractère de contrôle retiré
    assert a1[1]["date_versement"] == dt.date(2024, 8, 1)


def test_le_dernier_rapport_recu_et_les_demandes_retirees(moteur, appel):
    ids = _base(moteur, appel)
    with moteur.begin() as c:
        for demande, jour, minute in [("A-1", 1, 0), ("A-1", 9, 1), ("A-3", 2, 2)]:
            stockage.ajouter_rapport(
                _ligne(
                    appel.id,
                    ids[demande],
                    minute,
                    date_recu=dt.date(2026, 2, jour),
                    echeance=dt.date(2026, 1, 31),
                ),
                connexion=c,
            )
        stockage.marquer_retrait(
            ids["A-3"],
            {"retiree_le": T, "retiree_par": "admin@x.ca", "raison_retrait": "désistement"},
            connexion=c,
        )
    with moteur.connect() as c:
        lus = stockage.lire_rapports(appel.id, connexion=c)
    # A-3 s'est désistée : son rapport n'est plus lu (comme ses décisions).
    assert [(x["demande_id"], x["date_recu"]) for x in lus] == [(ids["A-1"], dt.date(2026, 2, 9))]


def test_suppression_d_une_demande_emporte_son_suivi(moteur, appel):
    ids = _base(moteur, appel)
    with moteur.begin() as c:
        stockage.ajouter_convention(
            _ligne(appel.id, ids["A-1"], 0, date_signature=dt.date(2024, 6, 1)), connexion=c
        )
        stockage.ajouter_versement(
            _ligne(
                appel.id,
                ids["A-1"],
                1,
                annee=1,
                montant_prevu=1,
                montant_verse=1,
                date_versement=dt.date(2024, 6, 2),
            ),
            connexion=c,
        )
        stockage.supprimer_demandes([ids["A-1"]], connexion=c)
    with moteur.connect() as c:
        assert stockage.lire_conventions(appel.id, connexion=c) == []
        assert stockage.lire_versements(appel.id, connexion=c) == []


def test_migration_0013_descend_et_remonte(moteur_brut):  # noqa: F811
    """0013_conventions : descendre à 0011_consensus retire les trois tables et leurs index,
    sans toucher au reste ; remonter les recrée à l'identique du schéma du code."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), "0011_consensus")
    with moteur.connect() as c:
        tables = set(sa.inspect(c).get_table_names())
        assert migration.revision_actuelle(c) == "0011_consensus"
    assert not tables & {"conventions", "versements", "rapports"}
    assert {"decisions", "consensus"} <= tables
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert {"conventions", "versements", "rapports"} <= set(sa.inspect(c).get_table_names())
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []
