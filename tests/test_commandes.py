"""La ligne de commande : codes de sortie, rapport, liste des demandes."""

import argparse
import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation import commandes
from evaluation.commandes import main
from tests.conftest import DONNEES, RACINE_PROJET
from tests.donnees.cas import CAS_PROBLEMES, chemin_probleme

VALIDE = str(DONNEES / "formats" / "valide.xlsx")
PROBLEME = str(chemin_probleme(next(c for c in CAS_PROBLEMES if c["nom"] == "axe-inconnu")))
AVERTISSEMENT = str(
    chemin_probleme(next(c for c in CAS_PROBLEMES if c["nom"] == "plafond-depasse"))
)


@pytest.fixture
def base(tmp_path):
    return ["--base", f"sqlite:///{tmp_path / 'cli.sqlite'}"]


def test_verifier_fichier_valide(base, capsys):
    assert main([*base, "verifier", VALIDE]) == 0
    sortie = capsys.readouterr().out
    assert "3 demandes importables" in sortie


def test_un_lot_de_fichiers_lu_deux_a_la_fois(base, capsys, monkeypatch, tmp_path):
    """Un dossier de fichiers en ligne de commande : deux processus de lecture au plus en
    même temps, pas un par fichier (des centaines de processus, de descripteurs et
    d'échéances qui courent dès le lancement)."""
    from evaluation.depot import lecture_isolee, verification

    en_cours, maximum = set(), [0]

    class Espion(lecture_isolee.Lancee):
        def __init__(self, nom, source, limites):
            super().__init__(nom, source, limites)
            en_cours.add(nom)
            maximum[0] = max(maximum[0], len(en_cours))

        def abandonner(self):
            en_cours.discard(self.nom)
            super().abandonner()

    monkeypatch.setattr(lecture_isolee, "Lancee", Espion)
    monkeypatch.setattr(verification, "Lancee", Espion)
    fichiers = []
    for i in range(6):
        fichier = tmp_path / f"lot{i}.xlsx"
        fichier.write_bytes(Path(VALIDE).read_bytes())
        fichiers.append(str(fichier))
    main([*base, "verifier", *fichiers])  # mêmes numéros dans chaque fichier : en double
    assert maximum[0] == 2
    sortie = capsys.readouterr().out
    assert all(f"lot{i}.xlsx" in sortie for i in range(6))


def test_verifier_avertissement_reste_importable(base, capsys):
    assert main([*base, "verifier", AVERTISSEMENT]) == 0
    assert (
        "ligne 2 (demande T-001), colonne « Montant demandé – année 1 »" in capsys.readouterr().out
    )


def test_verifier_probleme_bloquant(base, capsys):
    assert main([*base, "verifier", PROBLEME]) == 1
    sortie = capsys.readouterr().out
    assert (
        "feuille Demandes, ligne 3 (demande T-002), colonne « Axe » : axe « 7 » inconnu" in sortie
    )


def test_verifier_fichier_refuse(base, capsys):
    assert main([*base, "verifier", str(DONNEES / "refus" / "pdf-deguise.xlsx")]) == 1
    assert "c'est un document PDF" in capsys.readouterr().out


def test_verifier_n_ecrit_rien(base, capsys):
    main([*base, "verifier", VALIDE])
    main([*base, "demandes"])
    assert "Aucune demande stockée" in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments",
    [
        ["verifier"],
        ["inconnue"],
        ["verifier", "/nulle/part.xlsx"],
        ["demandes", "--format", "pdf"],
        ["importer", VALIDE, "--appel", "pas-un-appel"],
        ["importer", VALIDE, "--colonne", "x=y"],
    ],
)
def test_erreur_d_utilisation(base, arguments, capsys):
    with pytest.raises(SystemExit) as info:
        code = main([*base, *arguments])
        raise SystemExit(code)
    assert info.value.code == 2


def test_importer_puis_lister(base, capsys):
    assert main([*base, "importer", VALIDE, "--auteur", "analyste"]) == 0
    assert "3 demandes créées" in capsys.readouterr().out
    assert main([*base, "demandes", "--format", "csv"]) == 0
    lignes = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [ligne["no_demande"] for ligne in lignes] == ["T-001", "T-002", "T-003"]
    t3 = lignes[2]
    assert t3["montant_demande_an1"] == "18000.50"
    assert t3["date_debut"] == "2024-09-01"
    assert t3["region"] == "07"
    assert lignes[1]["municipalites_partenaires"] == "Magog; Orford"
    assert main([*base, "demandes"]) == 0
    assert "T-002" in capsys.readouterr().out


def test_importer_bloque_puis_lignes_valides(base, capsys):
    assert main([*base, "importer", PROBLEME]) == 1
    assert "Rien à importer" in capsys.readouterr().out
    assert main([*base, "importer", PROBLEME, "--lignes-valides"]) == 1
    sortie = capsys.readouterr().out
    assert "2 demandes créées" in sortie
    assert "seules les lignes valides" in sortie


def test_reimport_liste_les_changements(base, capsys, tmp_path):
    from openpyxl import load_workbook

    main([*base, "importer", VALIDE])
    wb = load_workbook(VALIDE)
    wb["Demandes"]["O2"] = 21000
    wb["Budget"]["E3"] = 9000
    modifie = tmp_path / "v2.xlsx"
    wb.save(modifie)
    capsys.readouterr()
    assert main([*base, "importer", str(modifie)]) == 0
    sortie = capsys.readouterr().out
    assert "1 mise à jour" in sortie
    assert "Montant demandé – année 1 : 20\u00a0000\u00a0$ → 21\u00a0000\u00a0$" in sortie


def test_colonne_reliee_a_la_main(base, capsys, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(VALIDE)
    wb["Demandes"]["G1"] = "Intitulé choisi"
    chemin = tmp_path / "renomme.xlsx"
    wb.save(chemin)
    assert main([*base, "verifier", str(chemin)]) == 1
    assert "colonne obligatoire « Titre du projet » introuvable" in capsys.readouterr().out
    assert main([*base, "verifier", str(chemin), "--colonne", "Intitulé choisi=titre"]) == 0


def test_deux_colonnes_pour_un_meme_champ_refusees(base, capsys, tmp_path):
    """Comme la page Importation : deux --colonne vers le même champ sont refusées (code 2),
    avec les deux en-têtes nommés ; rien n'est lu (revue de l'issue 19)."""
    args = [*base, "verifier", str(VALIDE), "--colonne", "Pays=titre", "--colonne", "Résumé=titre"]
    assert main(args) == 2
    erreur = capsys.readouterr().err
    assert "« Pays » et « Résumé » désignent toutes le champ titre" in erreur


def test_module_executable(tmp_path):
    """`python -m evaluation` tourne comme commande, avec EVALUATION_BASE."""
    env = {**os.environ, "EVALUATION_BASE": f"sqlite:///{tmp_path / 'm.sqlite'}"}
    resultat = subprocess.run(
        [sys.executable, "-m", "evaluation", "importer", VALIDE],
        cwd=RACINE_PROJET,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert (tmp_path / "m.sqlite").exists()


# Ce qu'une aide n'a pas à charger : chacun coûte de 0,1 à 0,6 s au démarrage.
LOURDS = (
    "pandas",
    "numpy",
    "sqlalchemy",
    "alembic",
    "scipy",
    "argon2",
    "zxcvbn",
    "openpyxl",
    "xlsxwriter",
    "python_calamine",
    "plotly",
    "streamlit",
)
_AIDE = """
import runpy, sys
sys.argv = ["evaluation", *sys.argv[1:]]
try:
    runpy.run_module("evaluation", run_name="__main__")
except SystemExit as fin:
    assert fin.code == 0, fin.code
print(sorted(m for m in {lourds!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "arguments",
    [
        ["--help"],
        ["importer", "--help"],
        ["verifier", "--help"],
        ["classement", "--help"],
        ["exporter", "--help"],
        ["comptes", "ajouter", "--help"],
        ["notes", "importer", "--help"],
        ["appels", "lister", "--help"],
        ["base", "mettre-a-jour", "--help"],
        ["base", "sauvegarder", "--help"],
        ["base", "restaurer", "--help"],
        ["tirage", "verifier", "--help"],
        ["decisions", "ministre", "approuver", "--help"],
        ["decisions", "ministre", "modifier", "--help"],
        ["pieces", "importer", "--help"],
    ],
)
def test_aide_sans_modules_lourds(arguments):
    """`python -m evaluation [COMMANDE] --help` répond sans importer pandas, sqlalchemy,
    argon2... (l'aide de chaque commande est affichée avant qu'elle importe quoi que ce
    soit)."""
    resultat = subprocess.run(
        [sys.executable, "-c", _AIDE.format(lourds=LOURDS), *arguments],
        cwd=RACINE_PROJET,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert "Usage\u00a0: python -m evaluation" in resultat.stdout
    assert resultat.stderr.strip().splitlines()[-1] == "[]", resultat.stderr
    # Issue 19 : l'aide du programme et de chaque sous-commande est en français.
    for anglais in ANGLAIS_D_ARGPARSE:
        assert anglais not in resultat.stdout, anglais
    assert "Options\u00a0:" in resultat.stdout
    assert re.search(r"-h, --help +affiche cette aide et quitte", resultat.stdout)


# Ce qu'argparse écrit de lui-même, en anglais (Python 3.11 à 3.13).
ANGLAIS_D_ARGPARSE = (
    "usage:",
    "options:",
    "optional arguments",
    "positional arguments",
    "show this help",
)


def test_aide_de_chaque_commande_en_francais():
    """Chaque analyseur, programme et sous-commandes à toute profondeur, écrit son aide et
    son usage sans un mot d'argparse en anglais."""

    def analyseurs(a):
        yield a
        for action in a._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sous in action.choices.values():
                    yield from analyseurs(sous)

    tous = list(analyseurs(commandes._analyseur()))
    assert len(tous) > 25
    for a in tous:
        texte = a.format_help() + a.format_usage()
        for anglais in ANGLAIS_D_ARGPARSE:
            assert anglais not in texte, (a.prog, anglais)
        assert "Options\u00a0:" in texte and "affiche cette aide et quitte" in texte, a.prog


@pytest.mark.parametrize(
    ("arguments", "attendu"),
    [
        (["zz"], "erreur : argument commande : choix invalide, 'zz' (choix possibles : "),
        (["classement", "--format", "x"], "argument --format : choix invalide, 'x'"),
        (
            ["decisions", "ministre", "modifier", "--autorite", "A"],
            "erreur : arguments obligatoires absents : --demande, --decision, --raison",
        ),
        (["demandes", "--inconnue"], "erreur : arguments non reconnus : --inconnue"),
        (["classement", "--appel"], "erreur : argument --appel : une valeur est attendue"),
    ],
)
def test_refus_d_argparse_en_francais(arguments, attendu, capsys):
    with pytest.raises(SystemExit) as fin:
        main(arguments)
    assert fin.value.code == 2
    erreur = capsys.readouterr().err
    assert erreur.startswith("Usage\u00a0: python -m evaluation")
    assert attendu in erreur
    for anglais in (*ANGLAIS_D_ARGPARSE, "invalid choice", "required", "unrecognized"):
        assert anglais not in erreur


def test_gabarit_dans_un_dossier_absent(base, capsys):
    assert main([*base, "gabarit", "--sortie", "/dossier/absent/g.xlsx"]) == 2
    assert "Impossible d'écrire /dossier/absent/g.xlsx" in capsys.readouterr().err


def test_gabarit_ecrit(base, tmp_path, capsys):
    assert main([*base, "gabarit", "--sortie", str(tmp_path / "g.xlsx")]) == 0
    assert (tmp_path / "g.xlsx").stat().st_size > 1000


def test_colonne_reliee_sans_egard_a_la_casse(base, capsys, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(VALIDE)
    wb["Demandes"]["G1"] = "Intitulé choisi"
    chemin = tmp_path / "renomme.xlsx"
    wb.save(chemin)
    assert main([*base, "verifier", str(chemin), "--colonne", "intitule CHOISI=titre"]) == 0


def test_mot_de_passe_de_la_base_masque(capsys):
    code = main(["--base", "postgresql+psycopg://agent:secret@127.0.0.1:1/x", "demandes"])
    assert code == 2
    erreur = capsys.readouterr().err
    assert "secret" not in erreur and "agent:***@127.0.0.1" in erreur


def test_sortie_coupee_sans_trace(tmp_path):
    """« demandes --format csv | head -1 » : pas de BrokenPipeError à l'écran."""
    env = {**os.environ, "EVALUATION_BASE": f"sqlite:///{tmp_path / 'p.sqlite'}"}
    demo = str(RACINE_PROJET / "donnees" / "demo" / "demandes-demo.xlsx")
    subprocess.run(
        [sys.executable, "-m", "evaluation", "importer", demo],
        cwd=RACINE_PROJET,
        env=env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    processus = subprocess.Popen(
        [sys.executable, "-m", "evaluation", "demandes", "--format", "csv"],
        cwd=RACINE_PROJET,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    processus.stdout.readline()
    processus.stdout.close()
    _, erreur = processus.communicate(timeout=60)
    processus.stderr.close()
    assert b"Traceback" not in erreur


def test_liste_texte_lisible(base, capsys):
    main([*base, "importer", VALIDE])
    capsys.readouterr()
    assert main([*base, "demandes"]) == 0
    lignes = capsys.readouterr().out.splitlines()
    assert lignes[0].startswith("No de demande  ")
    assert lignes[3].startswith("T-003  ") and "18\u00a0000,50\u00a0$" in lignes[3]


def test_correspondances_inscrites_au_journal(base, tmp_path, capsys):
    from openpyxl import load_workbook

    from evaluation.socle import stockage

    wb = load_workbook(VALIDE)
    wb["Demandes"]["G1"] = "Intitulé choisi"
    chemin = tmp_path / "renomme.xlsx"
    wb.save(chemin)
    assert main([*base, "importer", str(chemin), "--colonne", "Intitulé choisi=titre"]) == 0
    with stockage.creer_moteur(base[1]).connect() as c:
        journal = stockage.lire_importations("paivmq-2023-2024", connexion=c)
    assert journal.iloc[0]["rapport"]["correspondances"] == {"*": {"Intitulé choisi": "titre"}}


def test_comptes_en_ligne_de_commande(base, tmp_path):
    """Le mot de passe passe par l'entrée standard, jamais par un argument."""
    env = {**os.environ, "EVALUATION_BASE": base[1]}

    def commande(*arguments, entree=""):
        return subprocess.run(
            [sys.executable, "-m", "evaluation", "comptes", *arguments],
            cwd=RACINE_PROJET,
            env=env,
            input=entree,
            capture_output=True,
            text=True,
            timeout=60,
        )

    cree = commande(
        "ajouter",
        "eva@exemple.ca",
        "--role",
        "evaluateur",
        "--nom",
        "Éva",
        entree="un mot de passe solide\n",
    )
    assert cree.returncode == 0, cree.stderr
    assert commande("ajouter", "x@exemple.ca", "--role", "admin", entree="court\n").returncode == 1
    assert commande("ajouter", "x@exemple.ca", "--role", "chef").returncode == 2
    liste = commande("lister")
    assert "eva@exemple.ca\tevaluateur\tactif\tÉva" in liste.stdout
    assert commande("desactiver", "eva@exemple.ca").returncode == 0
    assert "désactivé" in commande("lister").stdout
    assert commande("desactiver", "personne@exemple.ca").returncode == 1
    # Rattaché à un organisme (NEQ, issue 18) ; un NEQ illisible est refusé en français.
    oci = commande(
        "ajouter",
        "oci@exemple.ca",
        "--role",
        "evaluateur",
        "--neq",
        "1145 678 901",
        entree="un mot de passe solide\n",
    )
    assert oci.returncode == 0, oci.stderr
    from evaluation.socle.comptes import trouver_compte
    from evaluation.socle.stockage import creer_moteur

    moteur = creer_moteur(base[1])
    try:
        assert trouver_compte("oci@exemple.ca", moteur=moteur).neq == "1145678901"
    finally:
        moteur.dispose()
    refuse = commande(
        "ajouter",
        "z@exemple.ca",
        "--role",
        "evaluateur",
        "--neq",
        "1,14568E+09",
        entree="un mot de passe solide\n",
    )
    assert refuse.returncode == 1 and "NEQ « 1,14568E+09 » invalide" in refuse.stderr


# --- appels : lister, importer, exporter ; --appel par défaut ------------------------------

MODELE_QSF = RACINE_PROJET / "donnees" / "modeles" / "qsf-modele.toml"
APPEL_LIVRE = RACINE_PROJET / "donnees" / "appels" / "paivmq-2023-2024.toml"


def test_appels_lister_importer_exporter(base, capsys, tmp_path):
    assert main([*base, "appels", "lister"]) == 0
    sortie = capsys.readouterr().out
    assert "Aucun appel stocké." in sortie and "qsf-modele : Québec sans frontières" in sortie
    assert main([*base, "appels", "importer", str(MODELE_QSF)]) == 0
    assert "Appel qsf-modele créé" in capsys.readouterr().out
    assert main([*base, "appels", "importer", str(MODELE_QSF)]) == 0
    assert "Appel qsf-modele mis à jour" in capsys.readouterr().out
    exporte = tmp_path / "exporte.toml"
    assert main([*base, "appels", "exporter", "qsf-modele", "--sortie", str(exporte)]) == 0
    assert exporte.read_text(encoding="utf-8") == MODELE_QSF.read_text(encoding="utf-8")
    assert main([*base, "appels", "exporter", "qsf-modele"]) == 0
    assert capsys.readouterr().out.endswith(MODELE_QSF.read_text(encoding="utf-8"))
    assert main([*base, "appels", "lister"]) == 0
    lignes = capsys.readouterr().out.splitlines()
    assert lignes[0].split() == ["Identifiant", "État", "Demandes", "Nom"]
    assert lignes[1].split()[:3] == ["qsf-modele", "ouvert", "0"]


def test_appels_erreurs(base, capsys, tmp_path):
    assert main([*base, "appels", "exporter", "inconnu"]) == 2
    assert "appel « inconnu » introuvable" in capsys.readouterr().err
    assert main([*base, "appels", "importer", str(tmp_path / "absent.toml")]) == 2
    faux = tmp_path / "faux.toml"
    faux.write_text('[appel]\nid = "x"\n', encoding="utf-8")
    assert main([*base, "appels", "importer", str(faux)]) == 1
    erreur = capsys.readouterr().err
    assert "faux.toml" in erreur and "section [evaluation] manquante" in erreur


def test_appel_par_defaut_l_unique_appel_ouvert(base, capsys):
    from evaluation.appels.parametres import archiver
    from evaluation.socle import stockage

    assert main([*base, "appels", "importer", str(MODELE_QSF)]) == 0
    assert main([*base, "appels", "importer", str(APPEL_LIVRE)]) == 0
    capsys.readouterr()
    assert main([*base, "classement"]) == 2
    erreur = capsys.readouterr().err
    assert "plusieurs appels ouverts sont stockés (paivmq-2023-2024, qsf-modele)" in erreur
    assert "--appel" in erreur
    moteur = stockage.creer_moteur(base[1])
    try:
        archiver("qsf-modele", True, moteur=moteur, auteur="test")
    finally:
        moteur.dispose()
    assert main([*base, "importer", VALIDE]) == 0  # dans l'unique appel ouvert
    capsys.readouterr()
    assert main([*base, "demandes", "--appel", "qsf-modele"]) == 0
    assert "Aucune demande stockée pour l'appel qsf-modele." in capsys.readouterr().out
    assert main([*base, "demandes"]) == 0
    assert "T-001" in capsys.readouterr().out
    assert main([*base, "appels", "lister"]) == 0
    assert "qsf-modele        archivé" in capsys.readouterr().out


def test_appels_importer_changement_de_reglage_apres_la_notation(base, capsys, tmp_path):
    """« La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par
    année » : après la première évaluation soumise, importer une configuration qui porte le
    plafond à 40 000 $ sort en 1 avec le message nommant le réglage ; avec --raison et
    --confirmer, le changement passe et est journalisé avec la raison."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.notes import evaluations
    from evaluation.notes.saisie import SOUMISE, Saisie
    from evaluation.socle import stockage
    from tests.filtrage import admettre

    assert main([*base, "appels", "importer", str(APPEL_LIVRE)]) == 0
    assert main([*base, "importer", VALIDE, "--appel", "paivmq-2023-2024"]) == 0
    appel = charger_appel(APPEL_LIVRE)
    moteur = stockage.creer_moteur(base[1])
    try:
        with moteur.connect() as c:
            demande_id = int(stockage.lire_demandes(appel.id, connexion=c)["id"].iloc[0])
        admettre(moteur, appel, [demande_id])
        saisie = Saisie(notes={k.id: 8.0 for k in appel.criteres}, admissible=True)
        evaluations.enregistrer(appel, demande_id, "e1@x.ca", saisie, SOUMISE, moteur=moteur)
        modifie = tmp_path / "paivmq.toml"
        modifie.write_text(
            APPEL_LIVRE.read_text(encoding="utf-8").replace(
                "plafond_annuel = 25000", "plafond_annuel = 40000"
            ),
            encoding="utf-8",
        )
        capsys.readouterr()
        assert main([*base, "appels", "importer", str(modifie)]) == 1
        erreur = capsys.readouterr().err
        assert "raison écrite" in erreur and "Plafond annuel : 25000 → 40000" in erreur
        arguments = [*base, "appels", "importer", str(modifie), "--raison", "Décision du MRIF"]
        assert main(arguments) == 1
        assert "confirmation explicite" in capsys.readouterr().err
        assert main([*arguments, "--confirmer"]) == 0
        assert "Appel paivmq-2023-2024 mis à jour" in capsys.readouterr().out
        with moteur.connect() as c:
            journal = stockage.lire_journal(connexion=c, appel_id=appel.id)
        (ligne,) = journal[journal["objet"] == "reglage:financement.plafond_annuel"].itertuples()
        assert (ligne.ancien, ligne.nouveau) == ("25000", "40000 (raison : Décision du MRIF)")
    finally:
        moteur.dispose()


def _inscrire_tirage(base, appel_id, enregistrement, date):
    import datetime as dt
    import json

    from evaluation.socle import stockage

    moteur = stockage.creer_moteur(base[1])
    try:
        with moteur.begin() as c:
            stockage.inscrire_journal(
                [
                    stockage.ligne_journal(
                        dt.datetime(2026, 11, 30, *date),
                        "presidence@x.ca",
                        "tirage",
                        None,
                        enregistrement
                        if isinstance(enregistrement, str)
                        else json.dumps(enregistrement),
                        appel_id=appel_id,
                    )
                ],
                connexion=c,
            )
    finally:
        moteur.dispose()


def test_tirage_verifier_rejoue_chaque_tirage(base, capsys):
    """Issue 16 : chaque tirage du journal est rejoué ; un tirage altéré (gagnantes
    changées) ou illisible est « NON CONFORME » et la commande sort avec le code 1 ;
    `--appel` ne garde que cet appel ; l'en-tête dit si la graine a été saisie ou générée,
    et la raison d'un nouveau tirage."""
    from dataclasses import replace

    from evaluation.decision.tirage import tirer

    assert main([*base, "tirage", "verifier"]) == 0
    assert capsys.readouterr().out.strip() == "Aucun tirage au sort inscrit."
    t = tirer({"T-001": (10, 0), "T-002": (30, 0), "T-003": (15, 0)}, (40, 0), 11, "remplissage")
    t = replace(t, graine_saisie=True)
    _inscrire_tirage(base, "A", t.enregistrement(), (10, 0))
    assert main([*base, "tirage", "verifier"]) == 0
    sortie = capsys.readouterr().out
    assert (
        "Appel A, tirage n° 1 du 30 novembre 2026 à 10 h 00 par presidence@x.ca "
        "(graine 11, saisie) : "
        "conforme." in sortie
    )
    assert "1 tirage rejoué, conforme." in sortie
    altere = {
        **t.enregistrement(),
        "gagnantes": ["T-003", "T-001"],
        "graine_saisie": False,
        "raison": "candidate oubliée",
    }
    _inscrire_tirage(base, "B", altere, (11, 0))
    _inscrire_tirage(base, "B", "{pas du json", (12, 0))
    assert main([*base, "tirage", "verifier"]) == 1
    sortie = capsys.readouterr().out
    assert (
        "Appel B, tirage n° 1 du 30 novembre 2026 à 11 h 00 par presidence@x.ca "
        "(graine 11, générée), "
        "raison : candidate oubliée : NON CONFORME." in sortie
    )
    assert "  - gagnantes : inscrit T-003, T-001 ; rejoué T-002, T-001." in sortie
    assert "Appel B, tirage n° 2" in sortie and "illisible" in sortie
    assert "3 tirages rejoués, 2 non conformes." in sortie
    assert main([*base, "tirage", "verifier", "--appel", "A"]) == 0
    assert "Appel B" not in capsys.readouterr().out
    assert main([*base, "tirage", "verifier", "--appel", "Z"]) == 0
    assert capsys.readouterr().out.strip() == "Aucun tirage au sort inscrit pour l'appel Z."


def test_decisions_du_ministere_en_ligne_de_commande(base, capsys):
    """Issue 17 : `decisions ministre approuver|modifier`, au nom de l'autorité ; refusé
    avant le verrouillage des recommandations du comité (code 1, rien d'écrit)."""
    from evaluation import commandes
    from evaluation.appels.configuration import charger_appel
    from evaluation.decision import decisions, financement
    from evaluation.notes.attributions import verrouiller
    from evaluation.socle import stockage
    from tests.filtrage import admettre

    assert commandes.DECISIONS == financement.DECISIONS
    assert main([*base, "importer", VALIDE, "--auteur", "analyste"]) == 0
    appel = charger_appel()
    moteur = stockage.creer_moteur(base[1])
    try:
        admettre(moteur, appel)
        with moteur.connect() as c:
            ids = dict(
                zip(
                    stockage.lire_demandes(appel.id, connexion=c)["no_demande"],
                    stockage.lire_demandes(appel.id, connexion=c)["id"].astype(int),
                    strict=True,
                )
            )
        for no in ("T-001", "T-002"):
            decisions.enregistrer_decision(
                appel, ids[no], financement.LISTE_ATTENTE, (), "x", moteur=moteur, auteur="p"
            )
        capsys.readouterr()
        approuver = [*base, "decisions", "ministre", "approuver", "--autorite", "Marie Ministre"]
        assert main(approuver) == 1
        assert "pas encore verrouillées" in capsys.readouterr().err
        verrouiller(appel.id, True, moteur=moteur, auteur="p", quoi="decisions_verrouillees")
        assert main([*approuver, "--demande", "T-009"]) == 2
        assert "T-009 : aucune demande de ce numéro" in capsys.readouterr().err
        assert main([*approuver, "--demande", "T-001"]) == 0
        assert "1 recommandation du comité approuvée par Marie Ministre" in (
            capsys.readouterr().out
        )
        modifier = [*base, "decisions", "ministre", "modifier", "--autorite", "Marie Ministre"]
        modifier += ["--demande", "T-002", "--decision", "retenu", "--montant", "15 000"]
        assert main([*modifier, "--raison", " "]) == 1
        assert "demande une raison" in capsys.readouterr().err
        assert main([*modifier, "--raison", "Priorité régionale"]) == 0
        with moteur.connect() as c:
            lignes = stockage.lire_decisions_ministre(appel.id, connexion=c)
        assert [(x["decision"], x["montant_an1"], x["autorite"]) for x in lignes] == [
            (financement.LISTE_ATTENTE, 0, "Marie Ministre"),
            (financement.RETENU, 1_500_000, "Marie Ministre"),
        ]
        assert lignes[1]["auteur"].startswith("ligne de commande")
        capsys.readouterr()
        assert main([*base, "classement", "--format", "csv"]) == 0
        csv_ = {r["no_demande"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
        assert (csv_["T-002"]["decision"], csv_["T-002"]["decision_ministere"]) == (
            financement.LISTE_ATTENTE,
            financement.RETENU,
        )
        assert csv_["T-002"]["montant_ministere_an1"] == "15000.00"
        assert csv_["T-003"]["decision_ministere"] == ""
    finally:
        moteur.dispose()


@pytest.mark.parametrize(
    ("texte", "cents"),
    [
        ("25000", 2_500_000),
        ("25 000", 2_500_000),
        ("25\u00a0000 $", 2_500_000),
        ("25000,50", 2_500_050),
        ("25000.50", 2_500_050),
        ("25000,5", 2_500_050),
        ("0.29", 29),
        ("0", 0),
    ],
)
def test_montant_en_dollars_lu_en_decimal(texte, cents):
    """Le montant de `decisions ministre modifier --montant` est lu en Decimal : milliers
    séparés par une espace (usage québécois), décimales après la virgule ou le point."""
    assert commandes._dollars(texte) == cents


@pytest.mark.parametrize(
    ("texte", "motif"),
    [
        ("25,000", "montant ambigu « 25,000 » : séparateur de milliers ou décimales"),
        ("25.000", "montant ambigu « 25.000 »"),
        ("0.285", "montant ambigu"),  # trois décimales : on ne devine pas 28 ¢
        ("25000,5050", "au plus deux décimales"),
        ("25,000,000", "montant en dollars attendu"),
        ("vingt", "montant en dollars attendu"),
        ("-5", "montant positif ou nul attendu"),
    ],
)
def test_montant_en_dollars_ambigu_refuse(texte, motif):
    """Interprétation (saisie sûre) : « 25,000 » se lisait 25 $ et « 0.285 » 28 ¢ ;
    un montant ambigu est refusé avec un message qui dit comment l'écrire."""
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(motif)):
        commandes._dollars(texte)


def test_colonne_reliee_a_une_dimension_de_l_appel():
    """Issue 18 : --colonne relie un en-tête à une dimension que l'appel déclare ; une
    dimension qu'il ne déclare pas est refusée, avec les clés permises."""
    from evaluation.commandes import _correspondances
    from tests.dimensions import appel_avec_dimensions

    appel = appel_avec_dimensions()
    assert _correspondances(["Thème=dimension:priorites"], [], appel) == {
        "*": {"Thème": "dimension:priorites"}
    }
    with pytest.raises(ValueError, match="dimension:type-financement"):
        _correspondances(["Thème=dimension:inconnue"], [], appel)


def _archive(tmp_path, nom: str, *entrees) -> str:
    import zipfile

    chemin = tmp_path / nom
    with zipfile.ZipFile(chemin, "w", zipfile.ZIP_DEFLATED) as z:
        for membre, contenu in entrees:
            z.writestr(membre, contenu)
    return str(chemin)


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_pieces_importer_tout_ou_rien_puis_lister(base, capsys, tmp_path):
    """`pieces importer ARCHIVE.zip` (issue 18) : une archive dont un fichier est refusé
    n'importe rien (code 1, chaque refus nommé) ; l'archive corrigée s'importe ; `pieces
    lister` donne la dernière version de chaque pièce."""
    assert main([*base, "importer", VALIDE]) == 0
    capsys.readouterr()
    refusee = _archive(tmp_path, "envoi.zip", ("T-001.pdf", PDF), ("T-002.pdf", b"GIF89a"))
    assert main([*base, "pieces", "importer", refusee]) == 1
    erreur = capsys.readouterr().err
    assert "Archive refusée ; aucune pièce n'a été importée" in erreur
    assert "envoi.zip, fichier « T-002.pdf » : ce n'est pas un PDF" in erreur
    assert main([*base, "pieces", "lister"]) == 0
    assert "Aucune pièce jointe stockée" in capsys.readouterr().out
    bonne = _archive(tmp_path, "envoi2.zip", ("T-001.pdf", PDF), ("T-002/Budget.pdf", PDF))
    assert main([*base, "pieces", "importer", bonne, "--auteur", "analyste"]) == 0
    assert "envoi2.zip : 2 pièces ajoutées" in capsys.readouterr().out
    assert main([*base, "pieces", "lister"]) == 0
    lignes = [ligne.split("\t")[:3] for ligne in capsys.readouterr().out.splitlines()]
    assert lignes == [["T-001", "T-001.pdf", str(len(PDF))], ["T-002", "Budget.pdf", str(len(PDF))]]
    assert main([*base, "pieces", "importer", str(tmp_path / "absente.zip")]) == 2


def test_pieces_importer_bzip2_et_manque_de_memoire_sans_trace(base, capsys, tmp_path, monkeypatch):
    """Revue 18b : une archive bzip2 est refusée (méthode) ; un manque de mémoire pendant
    l'importation donne un message en français, code 1, sans trace Python."""
    import io
    import zipfile

    from evaluation.depot import importation_pieces

    assert main([*base, "importer", VALIDE]) == 0
    capsys.readouterr()
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("T-001.pdf", PDF)
    bz2 = tmp_path / "bz2.zip"
    bz2.write_bytes(tampon.getvalue())
    assert main([*base, "pieces", "importer", str(bz2)]) == 1
    assert "compression standard (Deflate)" in capsys.readouterr().err

    def epuise(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(importation_pieces, "verifier_archive", epuise)
    bonne = _archive(tmp_path, "envoi.zip", ("T-001.pdf", PDF))
    assert main([*base, "pieces", "importer", bonne]) == 1
    erreur = capsys.readouterr().err
    assert "envoi.zip : le manque de mémoire a interrompu" in erreur
    assert "Traceback" not in erreur and "MemoryError" not in erreur


def test_importer_avec_les_pieces_jointes(base, capsys, tmp_path):
    """`importer FICHIER --pieces ARCHIVE.zip` : l'archive est vérifiée avant toute
    écriture, contre les numéros du fichier ; refusée, rien n'est importé ; acceptée, les
    demandes puis les pièces sont enregistrées."""
    refusee = _archive(tmp_path, "p.zip", ("T-001.pdf", PDF), ("T-009.pdf", PDF))
    assert main([*base, "importer", VALIDE, "--pieces", refusee]) == 1
    erreur = capsys.readouterr().err
    assert "rien n'a été importé (ni demandes ni pièces)" in erreur
    assert "p.zip, fichier « T-009.pdf » : aucune demande de l'appel" in erreur
    assert main([*base, "demandes"]) == 0
    assert "Aucune demande stockée" in capsys.readouterr().out
    bonne = _archive(tmp_path, "q.zip", ("T-001.pdf", PDF), ("T-003 - Plan.pdf", PDF))
    assert main([*base, "importer", VALIDE, "--pieces", bonne]) == 0
    sortie = capsys.readouterr().out
    assert "3 demandes créées" in sortie and "q.zip : 2 pièces ajoutées" in sortie


def test_demandes_d_un_appel_d_organismes_a_dimensions(base, tmp_path, capsys):
    """Issue 18 : `demandes` d'un appel QSF (organismes, sans axes ni secteurs, trois
    dimensions déclarées) : le CSV donne les libellés de chaque dimension (il plantait sur
    « dimension:objectif ») ; le texte nomme l'organisme et la « Municipalité du siège »,
    sans Axe, Secteur ni « Projet conjoint »."""
    from evaluation.appels.configuration import charger_appel
    from tests.conftest import demandes_pour_appel

    qsf = charger_appel(MODELE_QSF)
    fichier = demandes_pour_appel(qsf, tmp_path)
    assert main([*base, "appels", "importer", str(MODELE_QSF)]) == 0
    assert main([*base, "importer", "--appel", "qsf-modele", str(fichier)]) == 0
    capsys.readouterr()
    assert main([*base, "demandes", "--appel", "qsf-modele", "--format", "csv"]) == 0
    lignes = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [ligne["organisme"] for ligne in lignes][:1] == ["Organisme de test 1"]
    objectifs = qsf.dimension("objectif")
    attendu = " ; ".join(v.libelle for v in objectifs.valeurs[:2])
    assert lignes[0]["dimension:objectif"] == attendu
    assert "projet_conjoint" not in lignes[0] and "axe" not in lignes[0]
    assert main([*base, "demandes", "--appel", "qsf-modele"]) == 0
    texte = capsys.readouterr().out
    entete = texte.splitlines()[0]
    assert "Organisme requérant" in entete and "Municipalité du siège" in entete
    assert objectifs.libelle in entete
    for absent in ("Municipalité requérante", "Axe", "Secteur", "Projet conjoint"):
        assert absent not in entete
    assert objectifs.valeurs[0].libelle in texte


def test_correspondance_retenue_appliquee_et_dite(base, tmp_path, capsys):
    """Issue 19, point 7 : l'importation retient la correspondance de « --colonne » pour les
    fichiers de même forme ; le suivant la reprend d'avance et le dit ; « EN-TÊTE= » la
    remet de côté."""
    from evaluation.socle import stockage
    from tests.depot.test_correspondances import PARTENAIRES, export_partenaires

    mai, juin = tmp_path / "mai.xlsx", tmp_path / "juin.xlsx"
    mai.write_bytes(export_partenaires())
    juin.write_bytes(export_partenaires())
    relier = ["--colonne", f"{PARTENAIRES}=partenaires_etrangers"]
    assert main([*base, "importer", str(mai), *relier]) == 0
    assert (
        "mai.xlsx (feuille Demandes) : correspondance retenue pour les prochains fichiers de "
        "même forme : « Partenaire(s) étranger(s) » → « Partenaires étrangers »."
    ) in capsys.readouterr().out
    with stockage.creer_moteur(base[1]).begin() as c:
        c.execute(stockage.demandes.update().values(partenaires_etrangers=None))
    assert main([*base, "importer", str(juin)]) == 0
    sortie = capsys.readouterr().out
    assert (
        "juin.xlsx (feuille Demandes) : correspondance retenue pour les fichiers de même forme, "
        "appliquée : « Partenaire(s) étranger(s) » → « Partenaires étrangers »"
    ) in sortie
    with stockage.creer_moteur(base[1]).connect() as c:
        demandes = stockage.lire_demandes("paivmq-2023-2024", connexion=c)
    assert set(demandes["partenaires_etrangers"].dropna()) >= {"Ville de Brest"}
    assert main([*base, "verifier", str(juin), "--colonne", f"{PARTENAIRES}="]) == 0
    sortie = capsys.readouterr().out
    assert "appliquée" not in sortie
    assert "colonnes hors gabarit conservées à part (non évaluées) : « Partenaire(s)" in sortie
