"""La conservation des renseignements personnels (issue 20, point 5), sur SQLite et
PostgreSQL : une base remplie par les fonctions du projet (importation avec coordonnées,
colonnes hors gabarit et pièce jointe, examens, évaluations, décisions) ; la purge ne laisse
aucune trace des valeurs retirées dans aucune table (journal compris), garde notes,
décisions, montants et classement, refuse avant l'échéance, et sa simulation n'écrit rien.
La migration 0020_conservation descend et remonte."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from openpyxl import load_workbook

from evaluation.appels.configuration import ErreurAppel, appel_depuis_toml
from evaluation.commandes import main
from evaluation.decision import decisions
from evaluation.decision.chargement import charger
from evaluation.decision.classement import classement
from evaluation.depot import conservation
from evaluation.depot.conservation import (
    OBJET_PURGE,
    PurgeRefusee,
    echeance,
    fermeture,
    mention_retrait,
    purger,
)
from evaluation.depot.importation import importer
from evaluation.depot.importation_pieces import PiecesRefusees, importer_pieces
from evaluation.depot.rapport import resume_importation, texte_importation, texte_purgees
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import formats, stockage
from evaluation.socle.roles import ANALYSTE
from evaluation.socle.stockage import migration
from evaluation.socle.stockage.schema import metadonnees
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.socle.stockage.test_migration import moteur_brut  # noqa: F401 (fixture)

VALIDE = DONNEES / "formats" / "valide.xlsx"
ECHUE = dt.date(2027, 4, 1)  # PAIVMQ : fin du financement le 31 mars 2026, plus 12 mois
MENTION = "retiré (conservation échue le 1er avril 2027)"
# Les valeurs distinctives : aucune ne doit rester nulle part après la purge.
ANCIEN_COURRIEL = "ancien.zorglub@rimouski.example"
COURRIEL = "zorglub.courriel@rimouski.example"
EQUIPE = "Quidam Zorglubesque, chargé de projet, 12 ans à la Ville ; deux volontaires du comité"
RESOLUTION = "Résolution 2024-ZX-117 désignant Quidam Zorglubesque comme signataire"
TELEPHONE = "418-555-0199"
PERSONNE = "Zorglubine Quidam"
COURRIEL_INVALIDE = "pas-un-courriel-zorglub"
NOM_PIECE = "T-001 - CV Zorglubine.pdf"
PDF = b"%PDF-1.7\n% ZORGLUB-CONTENU-PDF\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
CHERCHES = ("zorglub", TELEPHONE)


def _classeur(courriel: str) -> bytes:
    """valide.xlsx, T-001 avec courriel, équipe, résolution et deux colonnes hors gabarit
    (téléphone, personne-ressource) ; T-003 avec un courriel invalide (un avertissement qui
    le cite)."""
    wb = load_workbook(VALIDE)
    f = wb["Demandes"]
    n = f.max_column
    for k, entete in enumerate(
        ("Ressources humaines", "Résolution du conseil", "Téléphone", "Personne-ressource"), 1
    ):
        f.cell(1, n + k, entete)
    for k, valeur in enumerate((EQUIPE, RESOLUTION, TELEPHONE, PERSONNE), 1):
        f.cell(2, n + k, valeur)
    colonne = [c.value for c in f[1]].index("Courriel") + 1
    f.cell(2, colonne, courriel)
    f.cell(4, colonne, COURRIEL_INVALIDE)
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def _importer(moteur, appel, courriel=COURRIEL):
    with moteur.connect() as c:
        numeros = stockage.numeros_demandes(appel.id, connexion=c)
        identites = stockage.identites_demandes(appel.id, connexion=c)
    lot = verifier_lot(
        [("demandes.xlsx", _classeur(courriel))],
        appel,
        numeros_stockes=numeros,
        identites_stockees=identites,
    )
    return importer(lot, appel, moteur=moteur, auteur="analyste@x.ca")


def _zip(*entrees) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        for nom, contenu in entrees:
            z.writestr(nom, contenu)
    return tampon.getvalue()


@pytest.fixture
def rempli(moteur, appel) -> dict[str, int]:
    """Importée deux fois (le courriel de T-001 changé : le rapport garde l'ancien), une
    pièce jointe, toutes admissibles, deux évaluations soumises chacune, deux décisions."""
    _importer(moteur, appel, ANCIEN_COURRIEL)
    rapport = _importer(moteur, appel)
    assert [c.no_demande for c in rapport.mises_a_jour] == ["T-001"]
    with moteur.connect() as c:
        ids = stockage.ids_par_numero(appel.id, connexion=c)
    admettre(moteur, appel)
    importer_pieces(
        appel, "pieces.zip", _zip((NOM_PIECE, PDF)), moteur=moteur, auteur="a@x.ca", role=ANALYSTE
    )
    for k, (numero, demande_id) in enumerate(sorted(ids.items())):
        for e, evaluateur in enumerate(("eva1@x.ca", "eva2@x.ca")):
            note = float(5 + (k + e) % 5)
            saisie = Saisie(
                notes={c.id: note for c in appel.criteres},
                commentaire_global=f"Évaluation de {numero}.",
            )
            evaluations.enregistrer(appel, demande_id, evaluateur, saisie, SOUMISE, moteur=moteur)
    decisions.enregistrer_decision(
        appel,
        ids["T-001"],
        decisions.RETENU,
        (2_000_000,),
        "Projet solide.",
        moteur=moteur,
        auteur="presidence@x.ca",
    )
    decisions.enregistrer_decision(
        appel, ids["T-002"], "refusé", (), "Hors priorités.", moteur=moteur, auteur="p@x.ca"
    )
    return ids


def _traces(moteur) -> list[str]:
    """Chaque cellule, de chaque table, où paraît une valeur cherchée : textes, JSON et
    octets (contenu des pièces)."""
    trouvees = []
    with moteur.connect() as c:
        for table in metadonnees.sorted_tables:
            for ligne in c.execute(sa.select(table)).mappings():
                for colonne, valeur in ligne.items():
                    if isinstance(valeur, bytes | memoryview):
                        texte = bytes(valeur).decode("latin-1")
                    elif isinstance(valeur, dict | list):
                        texte = json.dumps(valeur, ensure_ascii=False)
                    elif isinstance(valeur, str):
                        texte = valeur
                    else:
                        continue
                    if any(x.casefold() in texte.casefold() for x in CHERCHES):
                        i = min(texte.casefold().find(x.casefold()) % len(texte) for x in CHERCHES)
                        trouvees.append(
                            f"{table.name}.{colonne} : {texte[max(0, i - 80) : i + 40]}"
                        )
    return trouvees


def _etat(moteur, appel) -> dict:
    """Ce que la purge garde : notes, décisions, montants, budget, classement."""
    with moteur.connect() as c:
        notes = stockage.lire_notes_completes(appel.id, connexion=c)
        decisions_ = stockage.lire_decisions(appel.id, connexion=c)
        demandes = stockage.lire_demandes(appel.id, connexion=c)
        budget = stockage.lire_lignes_budget(appel.id, connexion=c)
        examens = stockage.lire_examens(appel.id, connexion=c)
    table = classement(appel, charger(appel, moteur=moteur))
    garde = ["no_demande", "titre", "municipalite", "resume", "objectifs", "qualite_signataire"]
    garde += list(stockage.CHAMPS_MONTANT)
    return {
        "notes": notes,
        "decisions": pd.DataFrame(decisions_) if isinstance(decisions_, list) else decisions_,
        "demandes": demandes[garde],
        "budget": budget.drop(columns=["colonnes_supplementaires"]),
        "examens": pd.DataFrame(examens) if isinstance(examens, list) else examens,
        "classement": table.drop(
            columns=[
                c
                for c in (
                    *conservation.CHAMPS_PERSONNELS,
                    "colonnes_supplementaires",
                    "avertissements",
                    "renseignements_retires_le",
                )
                if c in table
            ]
        ),
    }


def test_purge_ne_laisse_aucune_trace_et_garde_le_reste(moteur, appel, rempli):
    assert len(_traces(moteur)) >= 8  # la base porte bien les valeurs cherchées
    avant = _etat(moteur, appel)
    bilan = purger(appel, moteur=moteur, auteur="admin@x.ca", aujourd_hui=ECHUE)
    assert _traces(moteur) == []
    apres = _etat(moteur, appel)
    for cle in avant:
        pd.testing.assert_frame_equal(avant[cle], apres[cle], obj=cle)
    assert bilan.demandes == 3
    assert bilan.champs == {"courriel": 2, "ressources_humaines": 1, "resolution": 1}
    assert (bilan.pieces, bilan.octets) == (1, len(PDF))
    with moteur.connect() as c:
        t1 = stockage.lire_demande(rempli["T-001"], connexion=c)
        t2 = stockage.lire_demande(rempli["T-002"], connexion=c)
        assert stockage.lire_pieces(appel.id, connexion=c) == []
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id, objets=[OBJET_PURGE])
    # Les champs retirés le disent ; ce qui était vide le reste.
    assert (t1["courriel"], t1["ressources_humaines"], t1["resolution"]) == (MENTION,) * 3
    assert t1["colonnes_supplementaires"] is None
    assert t2["courriel"] == MENTION and t2["ressources_humaines"] is None
    assert t1["renseignements_retires_le"] is not None
    # Journalisée : qui, quand, combien ; aucune valeur.
    (ligne,) = journal.to_dict("records")
    assert ligne["auteur"] == "admin@x.ca"
    assert "3 demandes" in ligne["nouveau"] and f"({len(PDF)} octets)" in ligne["nouveau"]
    assert "1er avril 2027" in ligne["nouveau"]
    # Lisible dans le classement.
    table = classement(appel, charger(appel, moteur=moteur))
    assert list(table.set_index("no_demande")["courriel"].loc[["T-001", "T-002"]]) == [MENTION] * 2
    # Une seconde purge ne touche plus rien.
    deuxieme = purger(appel, moteur=moteur, auteur="admin@x.ca", aujourd_hui=ECHUE)
    assert (deuxieme.demandes, deuxieme.deja_purgees, deuxieme.pieces) == (0, 3, 0)


def test_refusee_avant_l_echeance_sauf_avec_une_raison(moteur, appel, rempli):
    veille = ECHUE - dt.timedelta(days=1)
    with pytest.raises(PurgeRefusee, match="échoit le 1er avril 2027"):
        purger(appel, moteur=moteur, auteur="a@x.ca", aujourd_hui=veille)
    with pytest.raises(PurgeRefusee, match="raison écrite"):
        purger(appel, moteur=moteur, auteur="a@x.ca", aujourd_hui=veille, avant_echeance=True)
    assert len(_traces(moteur)) >= 8  # rien n'a été retiré
    purger(
        appel,
        moteur=moteur,
        auteur="a@x.ca",
        aujourd_hui=veille,
        avant_echeance=True,
        raison="Demande d'accès et de rectification : retrait demandé par la Ville.",
    )
    assert _traces(moteur) == []
    with moteur.connect() as c:
        t1 = stockage.lire_demande(rempli["T-001"], connexion=c)
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id, objets=[OBJET_PURGE])
    assert t1["courriel"] == "retiré le 31 mars 2027 (avant l'échéance de conservation)"
    assert "avant l'échéance, raison : Demande d'accès" in journal.iloc[0]["nouveau"]


def test_sans_duree_fixee_pas_d_echeance(moteur, appel, rempli):
    sans = replace(appel, mois_apres_cloture=None)
    assert echeance(sans) is None
    with pytest.raises(PurgeRefusee, match="ne fixe aucune durée de conservation"):
        purger(sans, moteur=moteur, auteur="a@x.ca", aujourd_hui=dt.date(2099, 1, 1))


def _photo(moteur) -> dict[str, list]:
    with moteur.connect() as c:
        return {
            t.name: sorted(map(repr, c.execute(sa.select(t)).all()))
            for t in metadonnees.sorted_tables
        }


def test_simulation_n_ecrit_rien(moteur, appel, rempli):
    avant = _photo(moteur)
    bilan = purger(
        appel, moteur=moteur, auteur="a@x.ca", simulation=True, aujourd_hui=dt.date(2026, 12, 1)
    )
    assert _photo(moteur) == avant
    texte = bilan.texte()
    assert texte.startswith("Simulation : rien n'est écrit.")
    assert "Demandes touchées : 3." in texte
    assert "Courriel : 2" in texte and f"Pièces jointes supprimées : 1 ({len(PDF)} octets)" in texte
    assert "La purge serait refusée : la conservation" in texte
    assert not any(x.casefold() in texte.casefold() for x in CHERCHES)


def test_reimportation_apres_purge_ne_ressuscite_rien(moteur, appel, rempli, monkeypatch):
    # La purge datée du jour de l'échéance (la date qu'elle inscrit dans les demandes).
    monkeypatch.setattr(stockage, "maintenant", lambda: dt.datetime(2027, 4, 1, 10, 0))
    purger(appel, moteur=moteur, auteur="a@x.ca", aujourd_hui=ECHUE)
    rapport = _importer(moteur, appel)
    assert rapport.creees == [] and rapport.mises_a_jour == []
    # Issue 20 (A4) : les purgées ne sont pas des écartées (le fichier les dit importables) ;
    # une phrase, la raison vraie (à l'échéance), les numéros.
    assert rapport.ecartees == []
    motif = "renseignements personnels retirés le 1er avril 2027, à l'échéance de leur "
    motif += "conservation (le 1er avril 2027)"
    assert rapport.purgees == {motif: ["T-001", "T-002", "T-003"]}
    assert ", 3 purgées laissées telles quelles ;" in resume_importation(rapport)
    assert texte_purgees(rapport) == (
        f"3 demandes purgées laissées telles quelles ({motif}) : elles ne se réimportent pas "
        "et les coordonnées ne reviennent pas. Numéros : T-001, T-002, T-003."
    )
    with pytest.raises(PiecesRefusees) as refus:
        importer_pieces(
            appel, "p.zip", _zip((NOM_PIECE, PDF)), moteur=moteur, auteur="a", role=ANALYSTE
        )
    assert "ne se réimportent pas" in refus.value.lecture.refus[0].message
    assert _traces(moteur) == []


def test_commande_purger(moteur, appel, rempli, capsys):
    url = moteur.url.render_as_string(hide_password=False)
    assert main(["--base", url, "appels", "purger", appel.id, "--simulation"]) == 0
    sortie = capsys.readouterr().out
    assert sortie.startswith("Simulation : rien n'est écrit.")
    assert main(["--base", url, "appels", "purger", appel.id]) == 1
    assert "Purge refusée" in capsys.readouterr().err
    assert len(_traces(moteur)) >= 8
    assert main(["--base", url, "appels", "purger", "inconnu"]) == 2
    capsys.readouterr()
    commande = ["--base", url, "appels", "purger", appel.id, "--avant-echeance"]
    assert main([*commande, "--raison", "Essai."]) == 0
    assert "Demandes touchées : 3." in capsys.readouterr().out
    assert _traces(moteur) == []


def test_reglage_lu_et_source():
    from evaluation.appels.configuration import charger_appel

    appel = charger_appel()
    assert (appel.mois_apres_cloture, appel.cloture) == (12, "fin_financement")
    assert (fermeture(appel), echeance(appel)) == (dt.date(2026, 3, 31), ECHUE)
    sources = {r.chemin: r.source.source for r in appel.reglages if r.source}
    assert sources["conservation.mois_apres_cloture"] == "comite"
    assert sources["conservation.cloture"] == "comite"
    date_limite = appel_depuis_toml(
        appel.source_toml.replace('cloture = "fin_financement"', 'cloture = "date_limite"')
    )
    assert fermeture(date_limite) == dt.date(2024, 3, 1)
    assert echeance(date_limite) == dt.date(2025, 3, 2)
    for fautif, message in (
        ("mois_apres_cloture = -1", "un nombre de mois de 0 à"),
        ('cloture = "fin"', "cloture = « fin » inconnue"),
    ):
        cle = fautif.split(" =")[0]
        texte = "\n".join(
            fautif if ligne.startswith(f"{cle} =") else ligne
            for ligne in appel.source_toml.splitlines()
        )
        with pytest.raises(ErreurAppel, match=message):
            appel_depuis_toml(texte)


def test_mention_retrait():
    assert mention_retrait(ECHUE, ECHUE) == MENTION
    assert mention_retrait(None, dt.date(2026, 12, 1)) == (
        "retiré le 1er décembre 2026 (avant l'échéance de conservation)"
    )


def test_migration_0020_descend_et_remonte(moteur_brut, appel):  # noqa: F811
    """0020_conservation : descendre à 0019_correspondances retire la colonne sans toucher
    aux demandes ; remonter la rajoute, vide, à l'identique du schéma du code."""
    moteur = moteur_brut
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    importer(verifier_lot([("demandes.xlsx", _classeur(COURRIEL))], appel), appel, moteur=moteur)
    purger(appel, moteur=moteur, auteur="a", aujourd_hui=ECHUE)
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), "0019_correspondances")
    with moteur.connect() as c:
        assert migration.revision_actuelle(c) == "0019_correspondances"
        colonnes = {x["name"] for x in sa.inspect(c).get_columns("demandes")}
        assert c.exec_driver_sql("SELECT count(*) FROM demandes").scalar() == 3
    assert "renseignements_retires_le" not in colonnes
    with moteur.begin() as c:
        command.upgrade(migration._configuration(c), "heads")
    with moteur.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), metadonnees) == []
        assert migration.revision_actuelle(c) == "0020_conservation"
        assert stockage.demandes_purgees(appel.id, connexion=c) == {}


def test_exportation_apres_purge_dit_ce_qui_est_retire(moteur, appel, rempli, tmp_path, capsys):
    """Le classeur du comité s'exporte après la purge : les réponses retirées du formulaire
    y disent « retiré (conservation échue le …) », les autres restent."""
    purger(appel, moteur=moteur, auteur="a@x.ca", aujourd_hui=ECHUE)
    sortie = tmp_path / "classement.xlsx"
    url = moteur.url.render_as_string(hide_password=False)
    assert main(["--base", url, "exporter", "--appel", appel.id, "--sortie", str(sortie)]) == 0
    capsys.readouterr()
    wb = load_workbook(sortie, read_only=True)
    cellules = [
        str(v) for f in wb.worksheets for ligne in f.iter_rows(values_only=True) for v in ligne if v
    ]
    wb.close()
    assert MENTION in cellules
    assert "Jumelage maritime Rimouski-Brest" in cellules
    assert not any(x.casefold() in c.casefold() for c in cellules for x in CHERCHES)


def test_probleme_de_courriel_efface_sous_tout_en_tete(appel):
    """Un courriel invalide sous un en-tête relié à la main (« Adresse perso ») : le
    problème cite une valeur qui n'a jamais été stockée ; son code suffit à l'effacer."""
    effaceur = conservation._Effaceur(set(), appel)
    probleme = {
        "code": "courriel_invalide",
        "colonne": "Adresse perso",
        "message": f"adresse courriel invalide « {COURRIEL_INVALIDE} ».",
    }
    assert effaceur.json([probleme])[0]["message"] == conservation.RETIRE
    autre = {"code": "plafond_depasse", "colonne": "Montant", "message": "25 000 $ dépassé."}
    assert effaceur.json([autre]) == [autre]


def test_effaceur_forme_la_plus_longue_et_formes_longues(appel):
    """Chaque copie d'une valeur retirée, entière ou coupée comme un message la cite, devient
    RETIRE ; une valeur longue (au-delà de l'ancre) seulement si elle suit en entier ; un
    préfixe commun ne suffit pas."""
    longue = "Chargée de projet : " + "expérience " * 19 + "de terrain"
    effaceur = conservation._Effaceur({COURRIEL, "a@b.example.com", longue, "oui"}, appel)
    r = conservation.RETIRE
    assert effaceur.texte(f"Écrire à {COURRIEL}, ou a@b.example.com.") == f"Écrire à {r}, ou {r}."
    assert effaceur.texte(f"« {longue} »") == f"« {r} »"
    assert effaceur.texte(longue[:-5]) == longue[:-5]
    assert effaceur.texte(f"cité : {longue[:57]}…") == f"cité : {r}"
    assert effaceur.texte("oui, vu.") == "oui, vu."  # trop court pour être cherché


def _octets_sur_disque(moteur, tables) -> bytes | None:
    """Le contenu brut des fichiers des tables : la base SQLite et son journal WAL, ou, sur
    PostgreSQL, les fichiers des tables (lus par `pg_read_binary_file` après un CHECKPOINT,
    ce qui demande un superutilisateur : None sinon)."""
    if moteur.dialect.name == "sqlite":
        base = Path(moteur.url.database)
        fichiers = (base, base.with_name(f"{base.name}-wal"))
        return b"".join(f.read_bytes() for f in fichiers if f.exists())
    with moteur.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        requete = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        if not c.exec_driver_sql(requete).scalar():
            return None
        c.exec_driver_sql("CHECKPOINT")
        return b"".join(
            c.execute(
                sa.text("SELECT pg_read_binary_file(pg_relation_filepath(:t))"), {"t": t}
            ).scalar()
            for t in tables
        )


def test_purge_efface_les_anciennes_versions_du_disque(moteur, appel, rempli):
    """Issue 20 (B1) : après la purge, les valeurs retirées ne restent ni dans les lignes
    mortes de PostgreSQL (VACUUM FULL, hors transaction) ni dans le fichier SQLite ou son
    journal WAL (secure_delete, wal_checkpoint(TRUNCATE))."""
    ordres = []

    def espion(connexion, curseur, sql, *_):
        ordres.append((sql, connexion.get_execution_options().get("isolation_level")))

    sa.event.listen(moteur, "before_cursor_execute", espion)
    avant = _octets_sur_disque(moteur, ["demandes"])
    if avant is not None:
        assert COURRIEL.encode() in avant  # le test lit bien le disque
    bilan = purger(appel, moteur=moteur, auteur="admin@x.ca", aujourd_hui=ECHUE)
    if moteur.dialect.name == "postgresql":
        vacuums = [(sql, niveau) for sql, niveau in ordres if sql.startswith("VACUUM FULL")]
        assert [sql for sql, _ in vacuums] == [
            f"VACUUM FULL {t}"
            for t in ("demandes", "lignes_budget", "pieces_jointes", "importations", "journal")
        ]
        # (PostgreSQL refuserait d'ailleurs VACUUM dans une transaction.)
        assert {niveau for _, niveau in vacuums} == {"AUTOCOMMIT"}
        assert "VACUUM FULL" in bilan.texte()
    else:
        assert "WAL de SQLite vidé" in bilan.texte()
    apres = _octets_sur_disque(moteur, ["demandes", "journal", "importations"])
    # Une autre session de la base (un autre test, une autre aide sur la même base `test`)
    # garde les versions qu'elle peut lire : le bilan le dit (test suivant), le disque n'est
    # alors pas encore propre.
    if apres is not None and "transaction" not in bilan.texte():
        assert b"zorglub" not in apres.lower()


def test_transaction_ouverte_pendant_le_nettoyage_le_dit(moteur, appel, rempli):
    """Une transaction ouverte ailleurs (une sauvegarde en REPEATABLE READ, une requête
    longue d'un autre serveur) retient les anciennes versions : VACUUM FULL les recopie. Le
    bilan ne dit pas « effacées du disque » ; il dit quoi refaire, et quand."""
    if moteur.dialect.name != "postgresql":
        pytest.skip("VACUUM FULL : PostgreSQL seulement")
    autre = sa.create_engine(moteur.url)
    try:
        with autre.connect() as lectrice:
            lectrice.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            lectrice.exec_driver_sql("SELECT 1").scalar()  # l'instantané est pris
            bilan = purger(appel, moteur=moteur, auteur="admin@x.ca", aujourd_hui=ECHUE)
    finally:
        autre.dispose()
    texte = bilan.texte()
    assert "ouverte" in texte and "transaction" in texte, texte
    assert "effacées du disque (VACUUM FULL des tables réécrites)" not in texte
    assert "VACUUM FULL demandes, lignes_budget, pieces_jointes, importations, journal" in texte
    assert _traces(moteur) == []


def test_reimportation_apres_purge_anticipee_le_dit(moteur, appel, rempli, capsys):
    """Issue 20 (A4) : une purge faite avant l'échéance n'est pas dite « à l'échéance » ; la
    commande importer ne dit pas « 3 importables, 0 écartée » puis « 3 écartées », ni la
    même phrase par demande."""
    purger(
        appel,
        moteur=moteur,
        auteur="a@x.ca",
        avant_echeance=True,
        raison="Demande de la Ville",
        aujourd_hui=dt.date(2026, 6, 2),
    )
    with moteur.connect() as c:
        jour = next(iter(stockage.demandes_purgees(appel.id, connexion=c).values())).date()
    rapport = _importer(moteur, appel)
    ((motif, numeros),) = rapport.purgees.items()
    assert numeros == ["T-001", "T-002", "T-003"]
    assert motif == (
        f"renseignements personnels retirés le {formats.date(jour)}, avant l'échéance de leur "
        "conservation (le 1er avril 2027)"
    )
    texte = texte_importation(rapport)
    assert texte.count("retirés le") == 1
    assert "Écartées" not in texte and "0 écartée, 3 purgées laissées" in texte


def test_vacuum_impossible_ne_defait_pas_la_purge(moteur, appel, rempli):
    """Issue 20 (B1) : la purge est validée avant le VACUUM FULL ; s'il échoue (ici, une
    table verrouillée par un autre et un délai de verrou court), la purge reste faite et le
    compte rendu dit quoi faire."""
    if moteur.dialect.name != "postgresql":
        pytest.skip("VACUUM FULL : PostgreSQL seulement")

    @sa.event.listens_for(moteur, "before_cursor_execute")
    def _vacuum_refuse(connexion, curseur, sql, *_):
        if sql.startswith("VACUUM FULL"):
            curseur.execute("SET lock_timeout = '1ms'")
            curseur.execute("SELECT 1/0")

    bilan = purger(appel, moteur=moteur, auteur="admin@x.ca", aujourd_hui=ECHUE)
    assert "n'ont pas pu être effacées du disque" in bilan.texte()
    assert "VACUUM FULL demandes, lignes_budget" in bilan.texte()
    assert _traces(moteur) == []


def test_verification_apres_purge_ne_compte_pas_les_purgees_comme_importables(
    moteur, appel, rempli, tmp_path, capsys
):
    """Relecture d'exploitation (point 8) : la vérification d'un fichier qui porte des
    demandes purgées les compte à part, comme l'importation (« purgées laissées telles
    quelles »), pas parmi les importables ; la commande verifier et la commande importer
    disent le même nombre."""
    purger(
        appel,
        moteur=moteur,
        auteur="a@x.ca",
        avant_echeance=True,
        raison="Essai",
        aujourd_hui=dt.date(2026, 6, 2),
    )
    fichier = tmp_path / "demandes.xlsx"
    fichier.write_bytes(_classeur(COURRIEL))
    url = moteur.url.render_as_string(hide_password=False)
    main(["--base", url, "verifier", "--appel", appel.id, str(fichier)])
    sortie = capsys.readouterr().out
    assert "Bilan : 0 demande importable, 3 purgées laissées telles quelles, 0 écartée" in sortie
    assert "Purgées dans la base (T-001, T-002, T-003)" in sortie
    main(["--base", url, "importer", "--appel", appel.id, str(fichier)])
    sortie = capsys.readouterr().out
    assert "0 demande importable, 3 purgées laissées telles quelles" in sortie
    assert "3 purgées laissées telles quelles" in sortie.split("Bilan", 2)[-1]
