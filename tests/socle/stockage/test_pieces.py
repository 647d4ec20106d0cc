"""Lectures et écritures des pièces jointes (stockage/pieces.py, issue 18, point 3), sur
SQLite et PostgreSQL : le contenu revient octet pour octet, les listes ne le chargent pas,
une demande supprimée emporte ses pièces ; la migration 0018_pieces_jointes descend et
remonte."""

import datetime as dt
import hashlib

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from evaluation.socle import stockage
from evaluation.socle.stockage import migration
from evaluation.socle.stockage.schema import metadonnees
from tests.socle.stockage.conftest import _demande
from tests.socle.stockage.test_migration import moteur_brut  # noqa: F401 (fixture)

T = dt.datetime(2026, 11, 30, 9, 0)
# Tous les octets, dont le nul et ceux qu'un texte refuserait : un PDF est binaire.
BINAIRE = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def _piece(demande_id: int, nom: str, contenu: bytes, minute: int = 0) -> dict:
    return {
        "demande_id": demande_id,
        "nom_fichier": nom,
        "taille": len(contenu),
        "sha256": hashlib.sha256(contenu).hexdigest(),
        "contenu": contenu,
        "importee_le": T + dt.timedelta(minutes=minute),
        "importee_par": "analyste@x.ca",
    }


def _base(moteur, appel) -> dict[str, int]:
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        return stockage.inserer_demandes(appel.id, [_demande("A-1"), _demande("A-2")], connexion=c)


def test_contenu_relu_octet_pour_octet(moteur, appel):
    ids = _base(moteur, appel)
    with moteur.begin() as c:
        (piece_id,) = stockage.ajouter_pieces(
            [_piece(ids["A-1"], "A-1 - Résolution.pdf", BINAIRE)], connexion=c
        )
    with moteur.connect() as c:
        lue = stockage.lire_contenu_piece(piece_id, connexion=c)
        assert stockage.lire_contenu_piece(piece_id + 1, connexion=c) is None
    assert bytes(lue["contenu"]) == BINAIRE
    assert lue["nom_fichier"] == "A-1 - Résolution.pdf"
    assert lue["sha256"] == hashlib.sha256(BINAIRE).hexdigest()


def test_une_piece_lue_sans_contenu_dans_son_appel_seulement(moteur, appel):
    """`lire_piece` : de quoi vérifier l'accès (demande, nom) sans charger les Mo ; une
    pièce d'un autre appel, ou inconnue, n'est pas trouvée."""
    ids = _base(moteur, appel)
    with moteur.begin() as c:
        (piece_id,) = stockage.ajouter_pieces(
            [_piece(ids["A-1"], "A-1 - Résolution.pdf", BINAIRE)], connexion=c
        )
    with moteur.connect() as c:
        lue = stockage.lire_piece(piece_id, appel.id, connexion=c)
        assert stockage.lire_piece(piece_id, "autre-appel", connexion=c) is None
        assert stockage.lire_piece(piece_id + 1, appel.id, connexion=c) is None
    assert "contenu" not in lue
    assert (lue["demande_id"], lue["nom_fichier"]) == (ids["A-1"], "A-1 - Résolution.pdf")


def test_liste_sans_contenu_par_appel_et_par_demande(moteur, appel):
    ids = _base(moteur, appel)
    with moteur.begin() as c:
        stockage.ajouter_pieces(
            [
                _piece(ids["A-1"], "a.pdf", BINAIRE, 0),
                _piece(ids["A-2"], "b.pdf", b"%PDF-1.4\n%%EOF", 1),
                _piece(ids["A-1"], "c.pdf", b"%PDF-1.5\n%%EOF", 2),
            ],
            connexion=c,
        )
    with moteur.connect() as c:
        toutes = stockage.lire_pieces(appel.id, connexion=c)
        de_a1 = stockage.lire_pieces(appel.id, connexion=c, demande_id=ids["A-1"])
        ailleurs = stockage.lire_pieces("autre-appel", connexion=c)
        assert stockage.ids_par_numero(appel.id, connexion=c) == ids
    assert [(p["no_demande"], p["nom_fichier"]) for p in toutes] == [
        ("A-1", "a.pdf"),
        ("A-2", "b.pdf"),
        ("A-1", "c.pdf"),
    ]
    assert all("contenu" not in p for p in toutes)
    assert [p["nom_fichier"] for p in de_a1] == ["a.pdf", "c.pdf"]
    assert ailleurs == []


def test_suppression_d_une_demande_emporte_ses_pieces(moteur, appel):
    ids = _base(moteur, appel)
    with moteur.begin() as c:
        stockage.ajouter_pieces(
            [_piece(ids["A-1"], "a.pdf", BINAIRE), _piece(ids["A-2"], "b.pdf", BINAIRE)],
            connexion=c,
        )
        stockage.supprimer_demandes([ids["A-1"]], connexion=c)
    with moteur.connect() as c:
        assert [p["nom_fichier"] for p in stockage.lire_pieces(appel.id, connexion=c)] == ["b.pdf"]


def test_migration_0018_descend_et_remonte(moteur_brut):  # noqa: F811
    """0018_pieces_jointes : descendre à 0017_formulaire retire la table et son index,
    sans toucher au reste ; remonter la recrée à l'identique du schéma du code."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), "0017_formulaire")
    with moteur.connect() as c:
        tables = set(sa.inspect(c).get_table_names())
        assert migration.revision_actuelle(c) == "0017_formulaire"
    assert "pieces_jointes" not in tables
    assert {"demandes", "journal", "modeles_lettres"} <= tables
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert "pieces_jointes" in sa.inspect(c).get_table_names()
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []
