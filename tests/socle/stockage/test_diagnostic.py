"""Ce qui empêche d'ouvrir une base, dit en français avec ce qu'il faut faire."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from evaluation.socle.stockage.diagnostic import expliquer
from evaluation.socle.stockage.migration import BaseInutilisable


def _du_pilote(classe, message):
    return classe("SELECT 1", {}, sqlite3.OperationalError(message))


@pytest.mark.parametrize(
    ("erreur", "attendu"),
    [
        (
            sa.exc.DatabaseError("x", {}, sqlite3.DatabaseError("file is not a database")),
            "n'est pas une base SQLite",
        ),
        (
            _du_pilote(sa.exc.OperationalError, "attempt to write a readonly database"),
            "lecture seule",
        ),
        (PermissionError(1, "Operation not permitted"), "lecture seule"),
        (
            _du_pilote(sa.exc.OperationalError, "unable to open database file"),
            "ne peut pas être ouvert",
        ),
        (_du_pilote(sa.exc.OperationalError, "connection refused"), "ne répond pas"),
        (sa.exc.ArgumentError("Could not parse SQLAlchemy URL"), "URL de la base est illisible"),
        (BaseInutilisable("la base porte la révision « 9 »"), "la base porte la révision « 9 »"),
    ],
)
def test_chaque_cause_a_sa_phrase(erreur, attendu):
    assert attendu in expliquer(erreur)


def test_une_cause_inconnue_garde_son_nom_sans_la_requete_ni_le_texte_du_pilote():
    texte = expliquer(
        sa.exc.IntegrityError("INSERT INTO comptes …", {"mdp": "x"}, ValueError("duplicate y"))
    )
    assert texte.startswith("erreur inattendue de la base de données (ValueError)")
    assert "duplicate" not in texte and "INSERT" not in texte and "mdp" not in texte


@pytest.mark.parametrize(
    ("erreur", "attendu", "anglais"),
    [
        (_du_pilote(sa.exc.OperationalError, "database is locked"), "occupée", "locked"),
        (_du_pilote(sa.exc.OperationalError, "database or disk is full"), "plein", "full"),
        (_du_pilote(sa.exc.OperationalError, "disk I/O error"), "entrée-sortie", "I/O error"),
        (OSError(28, "No space left on device"), "plein", "No space"),
        (OSError(5, "Input/output error"), "entrée-sortie", "Input"),
        (OSError(30, "Read-only file system"), "lecture seule", "Read-only"),
    ],
)
def test_le_texte_anglais_du_pilote_et_du_systeme_n_atteint_pas_le_message(
    erreur, attendu, anglais
):
    texte = expliquer(erreur)
    assert attendu in texte and anglais not in texte
