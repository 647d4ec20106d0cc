"""Le schéma tenu par Alembic : une base créée par la version livrée avant Alembic (9ff51cd)
se met à jour en place sans rien perdre ; les révisions mènent au schéma que le code décrit ;
deux serveurs qui démarrent ensemble ne se marchent pas dessus. Sur SQLite et PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from evaluation.decision import chargement
from evaluation.notes import evaluations
from evaluation.socle import stockage
from evaluation.socle.stockage import migration
from evaluation.socle.stockage.schema import metadonnees
from tests.conftest import DONNEES, RACINE_PROJET
from tests.filtrage import admettre

LUNDI = dt.datetime(2024, 5, 6, 9, 30)
TOML_REDUIT = None


def _schema_9ff51cd(moteur) -> None:
    """La base telle que la version 9ff51cd la créait (ses CREATE TABLE, tels quels)."""
    fichier = DONNEES / "schemas" / f"9ff51cd-{moteur.dialect.name}.sql"
    instructions = [
        i.strip()
        for i in "\n".join(
            ligne for ligne in fichier.read_text().splitlines() if not ligne.startswith("--")
        ).split(";")
        if i.strip()
    ]
    with moteur.begin() as c:
        for instruction in instructions:
            c.exec_driver_sql(instruction)


def _remplir_a_l_ancienne(moteur, appel) -> None:
    """Une demande évaluée, décidée, avec son journal, écrite en SQL brut dans les colonnes
    de 9ff51cd : ce qu'une base en service contient."""
    with moteur.begin() as c:
        ins = c.exec_driver_sql
        ins(
            "INSERT INTO appels (id, nom, configuration_toml, enregistre_le, archive) "
            "VALUES (%(id)s, %(nom)s, %(toml)s, %(d)s, %(f)s)"
            if moteur.dialect.name == "postgresql"
            else "INSERT INTO appels (id, nom, configuration_toml, enregistre_le, archive) "
            "VALUES (:id, :nom, :toml, :d, :f)",
            {"id": appel.id, "nom": appel.nom, "toml": appel.source_toml, "d": LUNDI, "f": False},
        )
    p = _param(moteur)
    with moteur.begin() as c:
        c.exec_driver_sql(
            "INSERT INTO importations (appel_id, date, auteur, fichiers, lignes_valides_seulement,"
            " nb_creees, nb_mises_a_jour, nb_inchangees, nb_ecartees, nb_lignes_budget, rapport)"
            f" VALUES ({p('a')}, {p('d')}, {p('au')}, {p('f')}, {p('l')}, 1, 0, 0, 0, 1, {p('r')})",
            {
                "a": appel.id,
                "d": LUNDI,
                "au": "admin@x.ca",
                "f": json.dumps(["demandes.xlsx"]),
                "l": False,
                "r": json.dumps({"creees": ["T-001"]}),
            },
        )
        c.exec_driver_sql(
            "INSERT INTO demandes (appel_id, no_demande, municipalite, region, titre, axe,"
            " secteur, montant_demande_an1, montant_demande_an2, cout_total, projet_conjoint,"
            " importation_id, cree_le, modifie_le)"
            f" VALUES ({p('a')}, 'T-001', 'Rimouski', '01', 'Jumelage', 1, 'innovation',"
            f" 2000000, 0, 4000000, {p('faux')}, 1, {p('d')}, {p('d')})",
            {"a": appel.id, "d": LUNDI, "faux": False},
        )
        c.exec_driver_sql(
            "INSERT INTO lignes_budget (demande_id, annee, categorie, montant)"
            " VALUES (1, 1, 'Déplacements', 1500000)"
        )
        c.exec_driver_sql(
            "INSERT INTO comptes (courriel, nom, role, hache_mot_de_passe, actif, cree_le,"
            f" modifie_le) VALUES ('eva@x.ca', 'Éva', 'evaluateur', 'x', {p('vrai')}, {p('d')},"
            f" {p('d')})",
            {"vrai": True, "d": LUNDI},
        )
        c.exec_driver_sql(
            "INSERT INTO evaluations (appel_id, demande_id, evaluateur, statut,"
            " commentaire_global, admissible, version, cree_le, modifie_le, soumise_le)"
            f" VALUES ({p('a')}, 1, 'eva@x.ca', 'soumise', 'Solide', {p('vrai')}, 3, {p('d')},"
            f" {p('d')}, {p('d')})",
            {"a": appel.id, "vrai": True, "d": LUNDI},
        )
        for critere in appel.criteres:
            c.exec_driver_sql(
                f"INSERT INTO notes (evaluation_id, critere, note) VALUES (1, {p('c')}, 8)",
                {"c": critere.id},
            )
        c.exec_driver_sql(
            "INSERT INTO decisions (appel_id, demande_id, decision, montant_an1, montant_an2,"
            f" justification, date, auteur) VALUES ({p('a')}, 1, 'retenu', 2000000, 0, NULL,"
            f" {p('d')}, 'pres@x.ca')",
            {"a": appel.id, "d": LUNDI},
        )
        c.exec_driver_sql(
            "INSERT INTO journal (date, auteur, appel_id, demande_id, evaluateur, objet, ancien,"
            f" nouveau) VALUES ({p('d')}, 'eva@x.ca', {p('a')}, 1, 'eva@x.ca', 'statut', NULL,"
            " 'soumise')",
            {"a": appel.id, "d": LUNDI},
        )


def _param(moteur):
    if moteur.dialect.name == "postgresql":
        return lambda nom: f"%({nom})s"
    return lambda nom: f":{nom}"


@pytest.fixture
def moteur_brut(request, moteur):
    """Un moteur sur une base vide, sans mise à jour du schéma (celui du fixture `moteur`
    l'a déjà faite : on repart d'une base vidée)."""
    metadonnees.drop_all(moteur)
    with moteur.begin() as c:
        c.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    return moteur


def test_base_de_la_version_9ff51cd_mise_a_jour_en_place(moteur_brut, appel):
    moteur = moteur_brut
    _schema_9ff51cd(moteur)
    _remplir_a_l_ancienne(moteur, appel)
    with moteur.connect() as c:
        assert migration.revision_actuelle(c) is None
    avant, apres = migration.mettre_a_jour(moteur)
    assert (avant, apres) == (None, migration.revision_cible())

    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
        stocke = stockage.lire_appel(appel.id, connexion=c)
        journal = stockage.lire_journal(connexion=c)
        lignes = stockage.lire_lignes_budget(appel.id, connexion=c)
    assert list(demandes["no_demande"]) == ["T-001"]
    assert demandes.iloc[0]["retiree_le"] is None or str(demandes.iloc[0]["retiree_le"]) in (
        "None",
        "NaT",
    )
    # 0007_depot : une demande d'avant la date de dépôt reçoit celle de sa création (le jour
    # de son importation), marquée présumée, comme une importation sans date de dépôt.
    assert demandes.iloc[0]["date_depot"] == LUNDI.date()
    assert bool(demandes.iloc[0]["date_depot_presumee"]) is True
    assert int(stocke["version"]) == 1
    assert list(lignes["montant"]) == [1_500_000]
    assert journal.iloc[0]["objet"] == "statut" and journal.iloc[0]["version"] is None
    statut, saisie, version = evaluations.lire_avec_version(1, "eva@x.ca", moteur=moteur)
    assert (statut, saisie.commentaire_global, version) == ("soumise", "Solide", 3)
    assert set(saisie.notes.values()) == {8}
    # 0008_resumes : l'évaluation reçoit le résumé de ses notes, que le classement lit.
    with moteur.connect() as c:
        resume = c.exec_driver_sql("SELECT notes_resumees FROM evaluations").scalar_one()
        par_resume = stockage.lire_notes_soumises(appel.id, connexion=c)
    assert resume.startswith("8.0;8.0;")
    assert sorted(par_resume["critere"]) == sorted(c.id for c in appel.criteres)
    assert set(par_resume["note"]) == {8.0}
    donnees = chargement.charger(appel, moteur=moteur)
    assert [d["decision"] for d in donnees.decisions] == ["retenu"]
    assert not donnees.evaluations["modifiee_apres_consultation"].astype(bool).any()
    # La base mise à jour s'écrit comme une neuve : une nouvelle version d'évaluation, et
    # une nouvelle version des données (la ligne du compteur existe).
    # Une base d'avant l'examen d'admissibilité : la demande reste « à établir » (aucun
    # examen n'est inventé à la mise à jour) ; l'analyste l'examine, puis elle se note.
    assert chargement.charger(appel, moteur=moteur).admissibilite == {}
    admettre(moteur, appel, [1])
    with moteur.connect() as c:
        version_donnees = stockage.version_donnees(connexion=c)
    saisie.commentaire_global = "Solide, budget vérifié"
    evaluations.enregistrer(
        appel, 1, "eva@x.ca", saisie, "soumise", moteur=moteur, version_attendue=3
    )
    assert evaluations.lire_avec_version(1, "eva@x.ca", moteur=moteur)[2] == 4
    with moteur.connect() as c:
        assert stockage.version_donnees(connexion=c) == version_donnees + 1
    # Une seconde mise à jour ne fait rien.
    assert migration.mettre_a_jour(moteur) == (apres, apres)


def test_revisions_menent_au_schema_du_code(moteur_brut):
    """Appliquées une à une sur une base vide, les révisions donnent exactement les tables,
    colonnes, index et contraintes que le code décrit (aucun écart pour Alembic)."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        ecarts = compare_metadata(MigrationContext.configure(c), metadonnees)
        assert migration.revision_actuelle(c) == migration.revision_cible()
    assert ecarts == []


def test_consensus_se_retire_et_revient(moteur_brut):
    """0011_consensus (issue 16, point 4) : descendre à 0010_comite retire la table
    `consensus` et son index, sans toucher au reste ; remonter la recrée à l'identique."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), "0010_comite")
    with moteur.connect() as c:
        tables = set(sa.inspect(c).get_table_names())
        assert migration.revision_actuelle(c) == "0010_comite"
    assert "consensus" not in tables
    assert {"decisions", "declarations_comite", "seances"} <= tables
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert "consensus" in sa.inspect(c).get_table_names()
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []


def test_modeles_lettres_se_retirent_et_reviennent(moteur_brut):
    """0014_modeles_lettres (issue 17, point 2) : descendre à 0013_conventions retire la table
    `modeles_lettres` et son index, sans toucher au reste ; remonter la recrée à
    l'identique."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), "0013_conventions")
    with moteur.connect() as c:
        tables = set(sa.inspect(c).get_table_names())
        assert migration.revision_actuelle(c) == "0013_conventions"
    assert "modeles_lettres" not in tables
    assert {"consensus", "decisions", "journal", "conventions"} <= tables
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert "modeles_lettres" in sa.inspect(c).get_table_names()
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []


def test_formulaire_se_retire_et_revient(moteur_brut, appel):
    """0017_formulaire (issue 18, point 3) : descendre à la révision d'avant retire les
    sept colonnes du formulaire de `demandes`, sans toucher au reste de la demande ;
    remonter les recrée, vides, à l'identique du schéma du code."""
    from alembic.script import ScriptDirectory

    champs = {
        "objectifs",
        "echeancier",
        "retombees",
        "visibilite",
        "ressources_humaines",
        "capacite_financiere",
        "resolution",
    }
    avant = ScriptDirectory(str(migration.DOSSIER_MIGRATIONS)).get_revision("0017_formulaire")
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        c.execute(
            stockage.demandes.insert().values(
                appel_id=appel.id,
                no_demande="F-001",
                municipalite="Rimouski",
                titre="Jumelage",
                objectifs="Un plan d'action",
                cree_le=LUNDI,
                modifie_le=LUNDI,
            )
        )
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), avant.down_revision)
    with moteur.connect() as c:
        colonnes = {col["name"] for col in sa.inspect(c).get_columns("demandes")}
        ligne = c.exec_driver_sql("SELECT no_demande, titre FROM demandes").one()
    assert not colonnes & champs
    assert {"no_demande", "titre", "date_depot", "resume"} <= colonnes
    assert tuple(ligne) == ("F-001", "Jumelage")
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert champs <= {col["name"] for col in sa.inspect(c).get_columns("demandes")}
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []
        (d,) = stockage.lire_demandes(appel.id, connexion=c).to_dict("records")
    assert d["no_demande"] == "F-001" and d["objectifs"] is None


def test_dimensions_des_demandes_se_retirent_et_reviennent(moteur_brut, appel):
    """0016_dimensions (issue 18, point 2) : descendre à 0014_modeles_lettres retire la
    colonne `demandes.dimensions` sans toucher aux demandes ; remonter la recrée, vide, et
    une demande y garde ses valeurs."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), "0014_modeles_lettres")
    with moteur.connect() as c:
        colonnes = {col["name"] for col in sa.inspect(c).get_columns("demandes")}
        assert migration.revision_actuelle(c) == "0014_modeles_lettres"
    assert "dimensions" not in colonnes and {"axe", "secteur", "titre"} <= colonnes
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        stockage.inserer_demandes(
            appel.id,
            [
                {
                    "no_demande": "D-1",
                    "dimensions": {"priorites": ["femmes", "environnement"]},
                    "cree_le": LUNDI,
                    "modifie_le": LUNDI,
                }
            ],
            connexion=c,
        )
    with moteur.connect() as c:
        lues = stockage.lire_demandes(appel.id, connexion=c)
    assert lues.iloc[0]["dimensions"] == {"priorites": ["femmes", "environnement"]}


def test_decisions_ministre_se_retire_et_revient(moteur_brut):
    """0012_decision_ministre (issue 17, point 1) : descendre à 0011_consensus retire la
    table `decisions_ministre` et son index, sans toucher aux recommandations du comité
    (`decisions`) ; remonter la recrée à l'identique."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), "0011_consensus")
    with moteur.connect() as c:
        tables = set(sa.inspect(c).get_table_names())
    assert "decisions_ministre" not in tables and {"decisions", "consensus"} <= tables
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert "decisions_ministre" in sa.inspect(c).get_table_names()
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []


def test_deux_serveurs_qui_demarrent_ensemble(moteur_brut, appel):
    """Deux démarrages simultanés sur une base de 9ff51cd : l'un met à jour, l'autre la
    trouve à jour ; aucun ne plante, rien ne se perd."""
    moteur = moteur_brut
    _schema_9ff51cd(moteur)
    _remplir_a_l_ancienne(moteur, appel)
    depart = threading.Barrier(2)
    resultats, erreurs = [], []

    def demarrer():
        depart.wait()
        try:
            resultats.append(migration.mettre_a_jour(moteur))
        except Exception as exc:  # le test dit lequel et pourquoi
            erreurs.append(exc)

    fils = [threading.Thread(target=demarrer, daemon=True) for _ in range(2)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(60)
    assert not any(f.is_alive() for f in fils), "un démarrage est resté bloqué"
    assert erreurs == []
    cible = migration.revision_cible()
    assert sorted(resultats, key=str) == sorted([(None, cible), (cible, cible)], key=str)
    with moteur.connect() as c:
        assert len(stockage.lire_demandes(appel.id, connexion=c)) == 1


def test_commande_base_mettre_a_jour(tmp_path):
    base = tmp_path / "ancienne.sqlite"
    moteur = sa.create_engine(f"sqlite:///{base}")
    _schema_9ff51cd(moteur)
    moteur.dispose()
    sortie = subprocess.run(
        [
            sys.executable,
            "-m",
            "evaluation",
            "--base",
            f"sqlite:///{base}",
            "base",
            "mettre-a-jour",
        ],
        cwd=RACINE_PROJET,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sortie.returncode == 0, sortie.stderr
    cible = migration.revision_cible()
    assert f"révision {cible}" in sortie.stdout
    assert "avant : aucune (base créée avant Alembic)" in sortie.stdout


def test_base_plus_ancienne_que_9ff51cd_completee_puis_mise_a_jour(moteur_brut, appel):
    """Une base d'avant l'issue 7 (sans appels.archive ni table des pondérations) : la version
    9ff51cd la complétait à chaque démarrage ; elle reçoit ce qui manque au schéma de
    référence avant d'être marquée 0001, puis mise à jour (et non marquée à jour telle
    quelle, pour planter ensuite)."""
    moteur = moteur_brut
    _schema_9ff51cd(moteur)
    _remplir_a_l_ancienne(moteur, appel)
    with moteur.begin() as c:
        c.exec_driver_sql("ALTER TABLE appels DROP COLUMN archive")
        c.exec_driver_sql("DROP TABLE ponderations")
    avant, apres = migration.mettre_a_jour(moteur)
    assert (avant, apres) == (None, migration.revision_cible())
    with moteur.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []
        assert [ligne[0] for ligne in stockage.lire_appels(connexion=c)] == [appel.id]
        assert stockage.appels_archives(connexion=c) == set()
        assert list(stockage.lire_demandes(appel.id, connexion=c)["no_demande"]) == ["T-001"]


def test_tables_d_une_autre_application_laissees_intactes(moteur_brut):
    """Une base PostgreSQL partagée où une autre application a sa table « journal » : ce
    n'est pas une base de l'application ; rien n'y est ajouté, ni colonne ni table."""
    moteur = moteur_brut
    with moteur.begin() as c:
        c.exec_driver_sql("CREATE TABLE journal (id INTEGER PRIMARY KEY, ligne TEXT)")
    with pytest.raises(stockage.BaseInutilisable, match="pas une base de l'application"):
        migration.mettre_a_jour(moteur)
    with moteur.connect() as c:
        inspecteur = sa.inspect(c)
        assert inspecteur.get_table_names() == ["journal"]
        assert [col["name"] for col in inspecteur.get_columns("journal")] == ["id", "ligne"]


@pytest.mark.parametrize("revision", ["0099", "zz_inconnue"])
def test_base_d_une_version_plus_recente_refusee_sans_y_toucher(moteur, revision):
    with moteur.begin() as c:
        c.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    with pytest.raises(stockage.BaseInutilisable, match=r"version plus\s+récente") as refus:
        migration.mettre_a_jour(moteur)
    assert f"« {revision} »" in str(refus.value)
    with moteur.connect() as c:
        assert migration.revision_actuelle(c) == revision


def test_tete_lue_dans_les_fichiers_egale_celle_d_alembic():
    from alembic.script import ScriptDirectory

    assert (
        migration.revision_cible()
        == ScriptDirectory(str(migration.DOSSIER_MIGRATIONS)).get_current_head()
    )
    assert migration.revision_cible() != migration.REVISION_REFERENCE


def test_base_a_jour_ouverte_sans_importer_alembic(tmp_path):
    """Alembic coûte près d'une seconde à importer : une base déjà à jour s'ouvre sans lui."""
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    stockage.creer_moteur(url).dispose()
    code = (
        "import sys\nfrom evaluation.socle.stockage import creer_moteur\n"
        f"creer_moteur({url!r}).dispose()\nprint('alembic' in sys.modules)"
    )
    sortie = subprocess.run(
        [sys.executable, "-c", code], cwd=RACINE_PROJET, capture_output=True, text=True
    )
    assert sortie.stdout.strip() == "False", sortie.stderr


def test_verrou_de_schema_prive(tmp_path):
    stockage.creer_moteur(f"sqlite:///{tmp_path / 'p.sqlite'}").dispose()
    assert (tmp_path / "p.sqlite.verrou-schema").stat().st_mode & 0o777 == 0o600


def _commande(base: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "evaluation", "--base", base, *arguments],
        cwd=RACINE_PROJET,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_commande_base_sur_une_base_neuve(tmp_path):
    sortie = _commande(f"sqlite:///{tmp_path / 'neuve.sqlite'}", "base", "mettre-a-jour")
    assert sortie.returncode == 0, sortie.stderr
    assert "avant : aucune (base neuve" in sortie.stdout


def test_fichier_qui_n_est_pas_une_base(tmp_path):
    fichier = tmp_path / "bruit.sqlite"
    fichier.write_bytes(bytes(range(256)) * 256)
    for arguments in (("base", "mettre-a-jour"), ("appels", "lister")):
        sortie = _commande(f"sqlite:///{fichier}", *arguments)
        assert sortie.returncode == 2
        assert "n'est pas une base SQLite" in sortie.stderr
        assert "Traceback" not in sortie.stderr


def test_commande_sur_une_base_plus_recente(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    moteur = stockage.creer_moteur(url)
    with moteur.begin() as c:
        c.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    moteur.dispose()
    sortie = _commande(url, "appels", "lister")
    assert sortie.returncode == 2
    assert "version plus récente" in " ".join(sortie.stderr.split())
    assert "Traceback" not in sortie.stderr and "CommandError" not in sortie.stderr


def test_demandeur_se_retire_et_revient(moteur_brut):
    """0015_demandeur (issue 18, point 1) : descendre à 0014_modeles_lettres retire
    `demandes.organisme`, `demandes.neq` et `comptes.neq` sans toucher aux lignes ;
    remonter les remet (vides) à l'identique du schéma du code."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
        c.execute(
            stockage.comptes.insert().values(
                courriel="oci@x.ca",
                role="evaluateur",
                actif=True,
                neq="1145678901",
                cree_le=LUNDI,
                modifie_le=LUNDI,
            )
        )
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), "0014_modeles_lettres")
    with moteur.connect() as c:
        inspection = sa.inspect(c)
        colonnes = {
            t: {x["name"] for x in inspection.get_columns(t)} for t in ("demandes", "comptes")
        }
        assert migration.revision_actuelle(c) == "0014_modeles_lettres"
        assert c.exec_driver_sql("SELECT courriel FROM comptes").scalars().all() == ["oci@x.ca"]
    assert not {"organisme", "neq"} & colonnes["demandes"]
    assert "neq" not in colonnes["comptes"] and "municipalite" in colonnes["comptes"]
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []
        assert migration.revision_actuelle(c) == migration.revision_cible()
        assert c.exec_driver_sql("SELECT neq FROM comptes").scalars().all() == [None]
