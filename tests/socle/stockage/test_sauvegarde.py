"""Sauvegarder et restaurer la base (issue 20, point 4) : l'aller-retour compare chaque table
(toutes les lignes, toutes les colonnes, les PDF des pièces jointes compris) de SQLite à
SQLite, de SQLite à PostgreSQL, de PostgreSQL à SQLite et de PostgreSQL à PostgreSQL, d'une
base remplie par les fonctions de l'application ; les refus ne modifient rien ; une
restauration interrompue laisse la base telle qu'elle était ; la ligne de commande."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile

import pytest
import sqlalchemy as sa

from evaluation.commandes import main
from evaluation.decision.decisions_ministre import approuver_en_lot
from evaluation.depot.importation import importer
from evaluation.depot.importation_pieces import importer_pieces
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.attributions import verrouiller
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.journal import libelle_objet
from evaluation.socle.roles import ADMIN, ANALYSTE, EVALUATEUR, PRESIDENT
from evaluation.socle.stockage import migration, sauvegarde
from evaluation.socle.stockage.schema import compteur_ecritures, metadonnees
from tests.conftest import DONNEES, RACINE_PROJET, base_vide
from tests.filtrage import admettre
from tests.ministere import recommander

VALIDE = DONNEES / "formats" / "valide.xlsx"
# Tous les octets, dont le nul : un PDF est binaire.
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
MOT_DE_PASSE = "Une phrase de passe assez longue 2026"


# --- Des bases ------------------------------------------------------------------------------


def _url(moteur) -> str:
    return moteur.url.render_as_string(hide_password=False)


def remplir(moteur, appel) -> None:
    """Une petite campagne, par les fonctions de l'application : le lot valide.xlsx importé
    et jugé admissible, des comptes, des évaluations soumises (notes, journal), les
    recommandations du comité et la décision du ministère, une pièce jointe."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)
    with moteur.connect() as c:
        ids = stockage.ids_par_numero(appel.id, connexion=c)
    creer_compte("admin@x.ca", ADMIN, MOT_DE_PASSE, moteur=moteur, nom="Alice Admin")
    creer_compte("eva@x.ca", EVALUATEUR, MOT_DE_PASSE, moteur=moteur, auteur="admin@x.ca")
    creer_compte("pres@x.ca", PRESIDENT, MOT_DE_PASSE, moteur=moteur, auteur="admin@x.ca")
    criteres = [c.id for c in appel.criteres]
    for numero, note in (("T-001", 8.0), ("T-002", 6.5), ("T-003", 9.5)):
        saisie = Saisie(notes=dict.fromkeys(criteres, note), admissible=True)
        evaluations.enregistrer(appel, ids[numero], "eva@x.ca", saisie, SOUMISE, moteur=moteur)
    recommander(moteur, appel, ids["T-001"], "retenu", 2_000_000)
    recommander(moteur, appel, ids["T-002"], "refusé")
    verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca", quoi="decisions_verrouillees")
    approuver_en_lot(
        appel,
        [ids["T-001"], ids["T-002"]],
        autorite="Marie Ministre",
        moteur=moteur,
        auteur="admin@x.ca",
        role=ADMIN,
        jour=dt.date(2024, 6, 1),
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("T-001 - Résolution.pdf", PDF)
    importer_pieces(
        appel, "pieces.zip", archive.getvalue(), moteur=moteur, auteur="ana@x.ca", role=ANALYSTE
    )


def colonnes_presentes(moteur) -> dict[str, set[str]]:
    """Les tables et colonnes que la base a vraiment (une base d'une révision antérieure
    n'a pas celles des révisions suivantes)."""
    inspection = sa.inspect(moteur)
    return {
        nom: {c["name"] for c in inspection.get_columns(nom)}
        for nom in inspection.get_table_names()
    }


def contenu(moteur, colonnes: dict[str, set[str]] | None = None) -> dict[str, list[tuple]]:
    """Chaque table de l'application (hors la version des données), toutes ses lignes dans
    l'ordre de la clé primaire, toutes ses colonnes (un BLOB en octets) — ou, avec
    `colonnes`, seulement ces tables et ces colonnes."""
    lu = {}
    with moteur.connect() as c:
        for table in metadonnees.sorted_tables:
            if table is compteur_ecritures or (colonnes is not None and table.name not in colonnes):
                continue
            lues = [k for k in table.columns if colonnes is None or k.name in colonnes[table.name]]
            lignes = c.execute(sa.select(*lues).order_by(*table.primary_key.columns)).all()
            lu[table.name] = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in ligne)
                for ligne in lignes
            ]
    return lu


def _versions(moteur) -> tuple[int, int]:
    with moteur.connect() as c:
        return stockage.versions_donnees(connexion=c)


# --- L'aller-retour -------------------------------------------------------------------------


@pytest.mark.parametrize("cible", ["sqlite", "postgresql"])
def test_aller_retour_identique_table_par_table(moteur, appel, tmp_path, cible):
    """La source (fixture `moteur` : SQLite, puis PostgreSQL) remplie, sauvegardée, restaurée
    dans une base neuve de l'autre moteur ou du même : chaque table revient à l'identique,
    plus une ligne de journal, la restauration ; la version des données est neuve ; la base
    restaurée accepte de nouvelles lignes (séquences recalées)."""
    remplir(moteur, appel)
    avant = contenu(moteur)
    vides = [t for t, lignes in avant.items() if not lignes]
    for table in (
        "appels",
        "demandes",
        "lignes_budget",
        "comptes",
        "evaluations",
        "notes",
        "decisions",
        "decisions_ministre",
        "examens_admissibilite",
        "pieces_jointes",
        "journal",
    ):
        assert table not in vides, table
    assert avant["pieces_jointes"][0][avant_colonne("pieces_jointes", "contenu")] == PDF

    fichier = tmp_path / "base.sauvegarde"
    faite = sauvegarde.sauvegarder(moteur, fichier)
    assert faite.source == moteur.dialect.name
    assert faite.revision == migration.revision_cible()
    assert faite.lignes["demandes"] == 3 and faite.lignes["pieces_jointes"] == 1
    assert oct(fichier.stat().st_mode & 0o777) == "0o600"

    with base_vide(cible, tmp_path) as restauree:
        versions_avant = _versions(restauree)
        rendu = sauvegarde.restaurer(restauree, fichier, auteur="ligne de commande (essai)")
        assert rendu.lignes["demandes"] == 3
        apres = contenu(restauree)
        assert (
            set(apres)
            == set(avant)
            == {t.name for t in metadonnees.sorted_tables} - {"compteur_ecritures"}
        )
        for table in avant:
            if table == "journal":
                continue
            assert apres[table] == avant[table], table
        *journal, restauration = apres["journal"]
        assert journal == avant["journal"]
        colonnes = [c.name for c in metadonnees.tables["journal"].columns]
        restauration = dict(zip(colonnes, restauration, strict=True))
        assert restauration["objet"] == sauvegarde.OBJET_RESTAURATION
        assert libelle_objet(restauration["objet"], appel) == "Base restaurée d'une sauvegarde"
        assert restauration["auteur"] == "ligne de commande (essai)"
        assert restauration["nouveau"] == "base.sauvegarde"
        # Ni les versions de la source, ni celles de la base avant : aucun cache ne survit.
        versions = _versions(restauree)
        assert versions != _versions(moteur) and versions != versions_avant
        # Les identifiants continuent après ceux de la sauvegarde.
        creer_compte("nouveau@x.ca", EVALUATEUR, MOT_DE_PASSE, moteur=restauree)
        with restauree.connect() as c:
            nouveau = stockage.lire_compte("nouveau@x.ca", connexion=c)
        assert nouveau["id"] > max(ligne[0] for ligne in avant["comptes"])


def avant_colonne(table: str, colonne: str) -> int:
    return [c.name for c in metadonnees.tables[table].columns].index(colonne)


def test_sauvegarde_sqlite_coherente_pendant_une_ecriture(moteur_sqlite, appel, tmp_path):
    """L'API de sauvegarde en ligne : une transaction d'écriture ouverte par un autre
    processus ne bloque pas la sauvegarde, et n'y entre pas (ni à moitié, ni du tout)."""
    remplir(moteur_sqlite, appel)
    autre = sqlite3.connect(moteur_sqlite.url.database, isolation_level=None)
    try:
        autre.execute("BEGIN IMMEDIATE")
        autre.execute("DELETE FROM notes")
        autre.execute("UPDATE demandes SET titre = 'à moitié écrit'")
        sauvegarde.sauvegarder(moteur_sqlite, tmp_path / "s.sauvegarde")
    finally:
        autre.execute("ROLLBACK")
        autre.close()
    with base_vide("sqlite", tmp_path) as restauree:
        sauvegarde.restaurer(restauree, tmp_path / "s.sauvegarde", auteur="x")
        apres = contenu(restauree)
    avant = contenu(moteur_sqlite)
    assert apres["notes"] == avant["notes"] and apres["demandes"] == avant["demandes"]


@pytest.mark.parametrize("cible", ["sqlite", "postgresql"])
def test_base_d_une_revision_anterieure_sauvegardee_puis_mise_a_jour(
    moteur, appel, tmp_path, cible
):
    """Sauvegarder avant de mettre à jour : une base que la version précédente a laissée (ici
    remplie, puis descendue d'une révision) est sauvegardée à sa révision, sans être mise à
    jour (PostgreSQL : au schéma de sa révision, créé par Alembic) ; à la restauration, la
    copie est mise à jour avant d'être versée, et chaque table revient ; le fichier lui-même
    n'est pas touché."""
    from alembic import command

    remplir(moteur, appel)
    precedente = migration.revisions_livrees()[migration.revision_cible()]
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), precedente)
    anciennes = colonnes_presentes(moteur)
    avant = contenu(moteur, anciennes)
    fichier = tmp_path / "ancienne.sauvegarde"
    faite = sauvegarde.sauvegarder(moteur, fichier)
    assert faite.revision == precedente
    with moteur.connect() as c:
        assert migration.revision_actuelle(c) == precedente  # la base n'a pas bougé
    octets = fichier.read_bytes()
    with base_vide(cible, tmp_path) as restauree:
        rendu = sauvegarde.restaurer(restauree, fichier, auteur="x")
        with restauree.connect() as c:
            assert migration.revision_actuelle(c) == migration.revision_cible()
        apres = contenu(restauree, anciennes)
        nouvelles = set(contenu(restauree)) - set(anciennes)
        assert all(contenu(restauree)[t] == [] for t in nouvelles)  # tables des révisions suivantes
    assert (rendu.revision_sauvegarde, rendu.revision) == (precedente, migration.revision_cible())
    for table in avant:
        attendu = avant[table]
        assert (apres[table][:-1] if table == "journal" else apres[table]) == attendu, table
    assert fichier.read_bytes() == octets


# --- Les refus : rien n'est modifié ---------------------------------------------------------


@pytest.fixture
def faite(moteur_sqlite, appel, tmp_path):
    remplir(moteur_sqlite, appel)
    fichier = tmp_path / "faite.sauvegarde"
    sauvegarde.sauvegarder(moteur_sqlite, fichier)
    return fichier


def _refus(moteur, fichier, attendu: str, **options) -> None:
    avant = contenu(moteur)
    with pytest.raises(sauvegarde.SauvegardeRefusee, match=attendu):
        sauvegarde.restaurer(moteur, fichier, auteur="x", **options)
    assert contenu(moteur) == avant


def test_refuse_ce_qui_n_est_pas_une_sauvegarde(moteur, moteur_sqlite, tmp_path, appel):
    texte = tmp_path / "notes.txt"
    texte.write_text("pas une base", encoding="utf-8")
    _refus(moteur, texte, "n'est pas une sauvegarde de l'application")
    _refus(moteur, tmp_path / "absent.sauvegarde", "introuvable")
    autre = tmp_path / "autre.sqlite"
    with sqlite3.connect(autre) as c:
        c.execute("CREATE TABLE t (x)")
    _refus(moteur, autre, "n'est pas une sauvegarde de l'application")
    # La base SQLite de l'application elle-même : pas une sauvegarde, et le message dit
    # comment en faire une.
    remplir(moteur_sqlite, appel)
    _refus(moteur, moteur_sqlite.url.database, "c'est une base de l'application.*sauvegarder")


def test_refuse_une_sauvegarde_endommagee(moteur, faite, tmp_path):
    tronquee = tmp_path / "tronquee.sauvegarde"
    tronquee.write_bytes(faite.read_bytes()[: 40 * 1024])
    _refus(moteur, tronquee, "endommagée")


def resceller(fichier) -> None:
    """L'empreinte d'une sauvegarde modifiée par le test refaite, comme si une autre version
    de l'application l'avait écrite ainsi."""
    with sqlite3.connect(fichier) as c:
        c.execute(
            "UPDATE sauvegarde SET valeur = ? WHERE cle = 'empreinte'",
            (sauvegarde.empreinte_du_contenu(c),),
        )


def test_refuse_une_sauvegarde_d_une_version_plus_recente(moteur, faite):
    with sqlite3.connect(faite) as c:
        c.execute("UPDATE alembic_version SET version_num = '0099_futur'")
    resceller(faite)
    _refus(moteur, faite, "version plus récente.*0099_futur")


def test_refuse_une_base_non_vide_sans_remplacer(moteur, faite, appel):
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    _refus(moteur, faite, "contient déjà des données.*demandes : 3.*--remplacer")
    sauvegarde.restaurer(moteur, faite, auteur="x", remplacer=True)
    with moteur.connect() as c:
        assert stockage.lire_compte("eva@x.ca", connexion=c) is not None


def test_restauration_interrompue_ne_laisse_rien(moteur, faite, appel, monkeypatch):
    """Une panne au milieu de la copie (ici à la table des notes, après les demandes et les
    évaluations) : la transaction est annulée, la base reste telle qu'elle était."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    avant, versions = contenu(moteur), _versions(moteur)
    copier = sauvegarde._copier_table

    def panne(table, source, cible):
        if table.name == "notes":
            raise OSError("disque plein")
        return copier(table, source, cible)

    monkeypatch.setattr(sauvegarde, "_copier_table", panne)
    with pytest.raises(OSError, match="disque plein"):
        sauvegarde.restaurer(moteur, faite, auteur="x", remplacer=True)
    assert contenu(moteur) == avant
    assert _versions(moteur) == versions


def test_sauvegarder_ne_remplace_qu_une_sauvegarde(moteur_sqlite, tmp_path, appel):
    remplir(moteur_sqlite, appel)
    precieux = tmp_path / "rapport.xlsx"
    precieux.write_bytes(b"ne pas effacer")
    with pytest.raises(sauvegarde.SauvegardeRefusee, match="n'est pas une sauvegarde"):
        sauvegarde.sauvegarder(moteur_sqlite, precieux)
    assert precieux.read_bytes() == b"ne pas effacer"
    with pytest.raises(sauvegarde.SauvegardeRefusee, match="la base elle-même"):
        sauvegarde.sauvegarder(moteur_sqlite, moteur_sqlite.url.database)
    with pytest.raises(sauvegarde.SauvegardeRefusee, match="n'existe pas"):
        sauvegarde.sauvegarder(moteur_sqlite, tmp_path / "absent" / "s.sauvegarde")
    fichier = tmp_path / "s.sauvegarde"
    sauvegarde.sauvegarder(moteur_sqlite, fichier)
    sauvegarde.sauvegarder(moteur_sqlite, fichier)  # une sauvegarde se remplace
    assert sorted(p.name for p in tmp_path.iterdir() if "partiel" in p.name) == []


# --- La ligne de commande -------------------------------------------------------------------


def test_commandes_sauvegarder_puis_restaurer(moteur, appel, tmp_path, capsys):
    """`base sauvegarder` et `base restaurer`, par `main` : codes de sortie, messages en
    français sans trace, journal au nom de la ligne de commande (date mise en forme)."""
    remplir(moteur, appel)
    fichier = tmp_path / "base.sauvegarde"
    assert main(["--base", _url(moteur), "base", "sauvegarder", str(fichier)]) == 0
    sortie = capsys.readouterr().out
    assert sortie.startswith(f"Sauvegarde écrite : {fichier} (3 demandes, 3 évaluations")
    assert "1 pièce jointe" in sortie and migration.revision_cible() in sortie

    assert main(["--base", _url(moteur), "base", "restaurer", str(fichier)]) == 1
    erreur = capsys.readouterr().err
    assert erreur.startswith("Restauration refusée ; rien n'a été modifié : la base contient")
    assert "Traceback" not in erreur

    with base_vide("postgresql" if moteur.dialect.name == "sqlite" else "sqlite", tmp_path) as b:
        code = main(["--base", _url(b), "base", "restaurer", str(fichier), "--auteur", "Léa"])
        assert code == 0, capsys.readouterr().err
        assert capsys.readouterr().out.startswith(f"Base restaurée depuis {fichier} (3 demandes")
        with b.connect() as c:
            derniere = stockage.lire_journal(connexion=c).iloc[-1]
        moteur_source = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[moteur.dialect.name]
        assert derniere["auteur"] == "Léa"
        assert derniere["nouveau"].startswith("base.sauvegarde : sauvegarde du ")
        assert " à " in derniere["nouveau"]  # la date écrite, pas AAAA-MM-JJ
        assert derniere["nouveau"].endswith(
            f"({moteur_source}, révision {migration.revision_cible()})"
        )

    (tmp_path / "faux.sauvegarde").write_bytes(b"PK\x03\x04 une archive")
    assert main(["--base", _url(moteur), "base", "restaurer", str(tmp_path / "faux.sauvegarde")])
    erreur = capsys.readouterr().err
    assert "n'est pas une sauvegarde de l'application" in erreur and "Traceback" not in erreur


def test_commande_en_sous_processus(moteur_sqlite, appel, tmp_path):
    """`python -m evaluation base sauvegarder` puis `base restaurer`, comme un opérateur."""
    remplir(moteur_sqlite, appel)
    fichier = tmp_path / "nuit.sauvegarde"
    cible = f"sqlite:///{tmp_path / 'restauree.sqlite'}"

    def lancer(*arguments):
        return subprocess.run(
            [sys.executable, "-m", "evaluation", *arguments],
            cwd=RACINE_PROJET,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(RACINE_PROJET)},
        )

    fait = lancer("--base", _url(moteur_sqlite), "base", "sauvegarder", str(fichier))
    assert fait.returncode == 0, fait.stderr
    fait = lancer("--base", cible, "base", "restaurer", str(fichier))
    assert fait.returncode == 0, fait.stderr
    assert "Base restaurée" in fait.stdout
    fait = lancer("--base", cible, "base", "restaurer", str(fichier))
    assert fait.returncode == 1 and "--remplacer" in fait.stderr and not fait.stdout
    restauree = stockage.creer_moteur(cible)
    try:
        assert contenu(restauree)["pieces_jointes"] == contenu(moteur_sqlite)["pieces_jointes"]
    finally:
        restauree.dispose()


def test_restaurer_une_sauvegarde_d_avant_une_purge(moteur, appel, tmp_path, capsys):
    """Issue 20 (B2) : la base porte une purge que la sauvegarde n'a pas (faite avant) :
    refusée, rien n'est modifié, le message nomme l'appel et dit quoi faire ; forcée par
    --malgre-purges, elle le dit et le journalise ; une sauvegarde d'après la purge passe."""
    from evaluation.depot.conservation import purger

    remplir(moteur, appel)
    avant_purge = tmp_path / "avant.sauvegarde"
    sauvegarde.sauvegarder(moteur, avant_purge)
    purger(appel, moteur=moteur, auteur="admin@x.ca", avant_echeance=True, raison="Essai")
    attendu = (
        f"purges de renseignements personnels que la sauvegarde n'a pas \\(appel {appel.id} : "
        "3 demandes purgées, purge du .*--malgre-purges.*appels purger " + appel.id
    )
    _refus(moteur, avant_purge, attendu, remplacer=True)

    base = ["--base", _url(moteur), "base", "restaurer", str(avant_purge), "--remplacer"]
    assert main(base) == 1
    erreur = capsys.readouterr().err
    assert erreur.startswith("Restauration refusée ; rien n'a été modifié : la base porte des")
    assert "Traceback" not in erreur

    assert main([*base, "--malgre-purges"]) == 0
    sorties = capsys.readouterr()
    assert sorties.out.startswith("Base restaurée depuis")
    assert f"Attention : les renseignements personnels de l'appel {appel.id}" in sorties.err
    assert f"appels purger {appel.id}" in sorties.err
    with moteur.connect() as c:
        assert stockage.demandes_purgees(appel.id, connexion=c) == {}
        derniere = stockage.lire_journal(connexion=c).iloc[-1]
    assert derniere["objet"] == sauvegarde.OBJET_RESTAURATION
    assert (
        f"malgré les purges de renseignements personnels des appels {appel.id}"
        in (derniere["nouveau"])
    )

    # Purge refaite, sauvegardée après : la restauration de cette sauvegarde-là passe.
    purger(appel, moteur=moteur, auteur="admin@x.ca", avant_echeance=True, raison="Essai")
    apres_purge = tmp_path / "apres.sauvegarde"
    sauvegarde.sauvegarder(moteur, apres_purge)
    fait = sauvegarde.restaurer(moteur, apres_purge, auteur="x", remplacer=True)
    assert fait.purges_ramenees == ()


def test_sauvegarder_sans_base_ne_cree_rien_et_les_messages_nomment_la_base(
    moteur_sqlite, appel, tmp_path, monkeypatch, capsys
):
    """Issue 20 (A1) : sans EVALUATION_BASE ni --base, `base sauvegarder` créait en silence
    une base SQLite vide (donnees/evaluation.sqlite) et la sauvegardait ; il refuse, ne crée
    rien, et nomme la base. Les deux commandes nomment la base visée (sans mot de passe)."""
    from evaluation.socle.stockage import moteur as module_moteur

    monkeypatch.delenv(stockage.VARIABLE_BASE, raising=False)
    absente = tmp_path / "donnees" / "evaluation.sqlite"
    monkeypatch.setattr(module_moteur, "FICHIER_BASE", absente)
    fichier = tmp_path / "b.sauvegarde"
    assert main(["base", "sauvegarder", str(fichier)]) == 1
    erreur = capsys.readouterr().err
    assert erreur.startswith(f"Sauvegarde refusée : la base SQLite {absente} n'existe pas")
    assert "EVALUATION_BASE (elle n'est pas définie)" in erreur
    assert not absente.exists() and not absente.parent.exists() and not fichier.exists()

    remplir(moteur_sqlite, appel)
    assert main(["--base", _url(moteur_sqlite), "base", "sauvegarder", str(fichier)]) == 0
    assert f"Base sauvegardée : {_url(moteur_sqlite)}." in capsys.readouterr().out
    assert main(["base", "restaurer", str(fichier)]) == 0
    assert f"Base visée : sqlite:///{absente}." in capsys.readouterr().out

    # Une URL à mot de passe (PostgreSQL, schéma jetable ; le serveur de test l'ignore) :
    # nommée sans lui.
    with base_vide("postgresql", tmp_path) as cible:
        url = cible.url.set(password="secret-de-test").render_as_string(hide_password=False)
        assert main(["--base", url, "base", "restaurer", str(fichier)]) == 0
        sortie = capsys.readouterr().out
        assert "secret-de-test" not in sortie
        assert "Base visée : postgresql+psycopg://postgres:***@127.0.0.1" in sortie


# --- Interruptions, empreinte, messages sans texte du pilote (relecture d'exploitation) -----

# Des mots des messages de SQLite, de psycopg et de la libc (« file is not a database »,
# « database disk image is malformed », « database is locked », « No such file »…).
ANGLAIS = re.compile(
    r"\b(file|database|locked|malformed|disk image|error|unable|is not|no such|denied)\b", re.I
)


def _restes(dossier) -> list[str]:
    """Ce qui, dans `dossier`, ressemble à une copie temporaire d'une sauvegarde."""
    return sorted(
        p.name
        for p in dossier.iterdir()
        if "partiel" in p.name or "restauration" in p.name or p.name.endswith("-journal")
    )


@pytest.fixture
def tmpdir_vide(tmp_path, monkeypatch):
    """Le dossier temporaire du système (TMPDIR) remplacé par un dossier vide, pour voir ce
    qu'une commande y laisse."""
    dossier = tmp_path / "tmpdir"
    dossier.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(dossier))
    return dossier


def test_sauvegarde_interrompue_ne_laisse_aucune_copie(moteur, appel, tmp_path, monkeypatch):
    """Un Ctrl+C quand la copie est complète (SQLite : après l'API de sauvegarde) ou au milieu
    de la copie (PostgreSQL : à la table des notes, après les demandes) : ni la sauvegarde, ni
    sa copie partielle, ni un journal de SQLite ne restent."""
    remplir(moteur, appel)
    dossier = tmp_path / "sauvegardes"
    dossier.mkdir()
    vues: list[list[str]] = []
    marquer, copier = sauvegarde._marquer, sauvegarde._copier_table

    def marquer_puis_ctrl_c(partiel, **k):
        marquer(partiel, **k)
        vues.append(_restes(dossier))
        raise KeyboardInterrupt

    def ctrl_c_aux_notes(table, source, cible):
        if table.name == "notes":
            vues.append(_restes(dossier))
            raise KeyboardInterrupt
        return copier(table, source, cible)

    pannes = [("_marquer", marquer_puis_ctrl_c)]
    if moteur.dialect.name != "sqlite":  # SQLite copie par son API, pas table par table
        pannes.append(("_copier_table", ctrl_c_aux_notes))
    for nom, panne in pannes:
        with monkeypatch.context() as m:
            m.setattr(sauvegarde, nom, panne)
            with pytest.raises(KeyboardInterrupt):
                sauvegarde.sauvegarder(moteur, dossier / "s.sauvegarde")
        assert list(dossier.iterdir()) == []
    # La copie partielle existait bien, à côté, sous un nom reconnaissable.
    assert vues and all(v and v[0].startswith(".s.sauvegarde.") for v in vues), vues
    assert vues[0][0].endswith(".partiel")


def test_restauration_interrompue_supprime_sa_copie(
    moteur, faite, appel, tmp_path, tmpdir_vide, monkeypatch
):
    """La copie de vérification d'une restauration (les renseignements personnels de toute
    la sauvegarde) est à côté de la sauvegarde, sous un nom reconnaissable, et disparaît
    quand la restauration est interrompue (Ctrl+C, exception) au milieu de la copie."""
    avant = sorted(p.name for p in faite.parent.iterdir())
    donnees = contenu(moteur)
    copier = sauvegarde._copier_table
    vues = []

    for interruption in (KeyboardInterrupt, OSError):

        def panne(table, source, cible, interruption=interruption):
            if table.name == "notes":
                vues.append(_restes(faite.parent))
                raise interruption
            return copier(table, source, cible)

        with monkeypatch.context() as m:
            m.setattr(sauvegarde, "_copier_table", panne)
            with pytest.raises(interruption):
                sauvegarde.restaurer(moteur, faite, auteur="x", remplacer=True)
        assert sorted(p.name for p in faite.parent.iterdir()) == avant
        assert list(tmpdir_vide.iterdir()) == []
    assert [len(v) for v in vues] == [1, 1]
    assert all(v[0].startswith(".faite.sauvegarde.restauration-") for v in vues), vues
    assert contenu(moteur) == donnees


def test_restauration_dans_le_dossier_temporaire_si_celui_de_la_sauvegarde_est_en_lecture_seule(
    faite, tmp_path, tmpdir_vide, monkeypatch
):
    """Le dossier de la sauvegarde refuse l'écriture (un montage en lecture seule) : la
    copie va dans TMPDIR, sous le même nom reconnaissable, et en est retirée."""
    creer = tempfile.mkdtemp
    vues = []

    def mkdtemp(prefix=None, dir=None):
        if dir is not None:
            raise PermissionError(30, "Read-only file system")
        dossier = creer(prefix=prefix)
        vues.append(os.path.basename(dossier))
        return dossier

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    with base_vide("sqlite", tmp_path, "cible.sqlite") as cible:
        sauvegarde.restaurer(cible, faite, auteur="x")
    assert len(vues) == 1 and vues[0].startswith(".faite.sauvegarde.restauration-")
    assert list(tmpdir_vide.iterdir()) == []


SCRIPT_SIGTERM = """
import os, signal, sys, time
from evaluation.commandes import main
from evaluation.socle.stockage import sauvegarde

quoi, base, fichier = sys.argv[1:]
def arret(*a, **k):
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
    raise SystemExit("SIGTERM sans effet")
if quoi == "sauvegarder":
    marquer = sauvegarde._marquer
    sauvegarde._marquer = lambda *a, **k: (marquer(*a, **k), arret())
else:
    sauvegarde._copier_table = arret
options = ["--remplacer"] if quoi == "restaurer" else []
sys.exit(main(["--base", base, "base", quoi, fichier, *options]))
"""


def test_un_arret_demande_sigterm_supprime_la_copie(moteur_sqlite, faite, tmp_path):
    """SIGTERM (systemd, `kill`, fin d'un cron) pendant `base sauvegarder` ou `base
    restaurer` : la commande s'arrête sur un message en français (code 130), et sa copie
    temporaire est supprimée (l'arrêt par défaut de Python ne passerait par aucun finally)."""
    dossier = faite.parent
    avant = sorted(p.name for p in dossier.iterdir())
    for quoi, fichier in (("sauvegarder", dossier / "nuit.sauvegarde"), ("restaurer", faite)):
        fait = subprocess.run(
            [sys.executable, "-c", SCRIPT_SIGTERM, quoi, _url(moteur_sqlite), str(fichier)],
            cwd=RACINE_PROJET,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(RACINE_PROJET)},
        )
        assert fait.returncode == 130, fait.stderr
        assert "interrompue" in fait.stderr and "Traceback" not in fait.stderr
        assert sorted(p.name for p in dossier.iterdir()) == avant


def _changer_un_octet(fichier, motif: bytes) -> None:
    octets = bytearray(fichier.read_bytes())
    position = octets.index(motif) + len(motif) // 2
    octets[position] ^= 0x01
    fichier.write_bytes(bytes(octets))


def test_un_octet_change_est_refuse(moteur, faite, capsys):
    """Un octet changé au milieu du PDF d'une pièce jointe : SQLite n'y voit rien (la
    vérification d'intégrité ne lit pas le contenu des lignes), l'empreinte SHA-256 si. Le
    refus nomme le fichier et dit quoi faire ; rien n'est modifié."""
    with sqlite3.connect(faite) as c:
        ((empreinte,),) = c.execute("SELECT valeur FROM sauvegarde WHERE cle = 'empreinte'")
        assert empreinte == sauvegarde.empreinte_du_contenu(c)
    _changer_un_octet(faite, bytes(range(64, 192)))
    with sqlite3.connect(faite) as c:
        assert c.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    _refus(moteur, faite, f"{re.escape(str(faite))} a été modifié ou abîmé.*SHA-256")
    assert main(["--base", _url(moteur), "base", "restaurer", str(faite)]) == 1
    erreur = capsys.readouterr().err
    assert "Prenez une autre copie de cette sauvegarde" in erreur
    assert "Traceback" not in erreur


def test_une_empreinte_retiree_est_refusee_une_sauvegarde_sans_empreinte_du_format_1_passe(
    moteur, faite, capsys
):
    with sqlite3.connect(faite) as c:
        c.execute("DELETE FROM sauvegarde WHERE cle = 'empreinte'")
    _refus(moteur, faite, "a été modifié ou abîmé")
    with sqlite3.connect(faite) as c:  # une sauvegarde écrite avant l'empreinte
        c.execute("UPDATE sauvegarde SET valeur = '1' WHERE cle = 'format'")
    code = main(["--base", _url(moteur), "base", "restaurer", str(faite), "--remplacer"])
    assert code == 0
    assert "n'a pas d'empreinte SHA-256" in capsys.readouterr().err


def test_la_sauvegarde_annonce_son_empreinte(moteur_sqlite, appel, tmp_path, capsys):
    fichier = tmp_path / "s.sauvegarde"
    assert main(["--base", _url(moteur_sqlite), "base", "sauvegarder", str(fichier)]) == 0
    with sqlite3.connect(fichier) as c:
        empreinte = sauvegarde.empreinte_du_contenu(c)
    assert f"Empreinte SHA-256 du contenu : {empreinte}" in capsys.readouterr().out


def _refus_en_francais(capsys, moteur, fichier) -> str:
    assert main(["--base", _url(moteur), "base", "restaurer", str(fichier)]) == 1
    erreur = capsys.readouterr().err
    assert "Traceback" not in erreur
    assert not ANGLAIS.search(erreur), erreur
    return erreur


def test_aucun_texte_anglais_du_pilote_dans_les_refus(moteur_sqlite, faite, tmp_path, capsys):
    """Un fichier qui commence comme une base SQLite mais n'en est pas une, une sauvegarde
    tronquée, une page abîmée : le refus est en français, sans le texte de SQLite."""
    faux = tmp_path / "faux.sauvegarde"
    faux.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    assert "n'est pas une sauvegarde" in _refus_en_francais(capsys, moteur_sqlite, faux)
    tronquee = tmp_path / "tronquee.sauvegarde"
    tronquee.write_bytes(faite.read_bytes()[: 40 * 1024])
    assert "endommagée" in _refus_en_francais(capsys, moteur_sqlite, tronquee)
    abimee = tmp_path / "abimee.sauvegarde"
    octets = bytearray(faite.read_bytes())
    taille_page = int.from_bytes(octets[16:18], "big")
    for page in range(2, len(octets) // taille_page):  # l'en-tête de chaque page b-tree
        octets[page * taille_page] = 0xFF
    abimee.write_bytes(bytes(octets))
    assert "endommagée" in _refus_en_francais(capsys, moteur_sqlite, abimee)


def test_base_verrouillee_refus_en_francais(faite, tmp_path, monkeypatch, capsys):
    """La base cible tenue en écriture par un autre processus (au-delà de l'attente), puis
    la sauvegarde elle-même verrouillée : « occupée » / « verrouillé », en français."""
    from evaluation.socle.stockage import moteur as module_moteur

    monkeypatch.setattr(module_moteur, "ATTENTE_SQLITE_S", 0.2)
    with base_vide("sqlite", tmp_path, "cible.sqlite") as cible:
        autre = sqlite3.connect(cible.url.database, isolation_level=None)
        try:
            autre.execute("BEGIN IMMEDIATE")
            erreur = _refus_en_francais(capsys, cible, faite)
        finally:
            autre.close()
    assert "la base SQLite est occupée" in erreur
    verrou = sqlite3.connect(faite, isolation_level=None)
    try:
        verrou.execute("BEGIN EXCLUSIVE")
        verrou.execute("UPDATE sauvegarde SET cle = cle")
        with base_vide("sqlite", tmp_path, "cible2.sqlite") as cible:
            erreur = _refus_en_francais(capsys, cible, faite)
    finally:
        verrou.close()
    assert "est verrouillé par un autre programme" in erreur
