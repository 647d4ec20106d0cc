"""Ligne de commande : `python -m evaluation [--base URL] COMMANDE ...`.

Codes de sortie : 0 importable (avertissements permis), 1 problème bloquant ou fichier
refusé, 2 erreur d'utilisation.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import re
import sys
from decimal import Decimal
from pathlib import Path

# Chaque commande importe ce qu'elle emploie, au moment de s'exécuter : `--help` et
# `COMMANDE --help` n'importent ni pandas, ni sqlalchemy, ni argon2, ni les lecteurs de
# classeurs (tests/test_commandes.py le vérifie), et `importer` lance la lecture de ses
# fichiers avant d'importer le reste.
from evaluation.socle.roles import ROLES

SORTIE_OK, SORTIE_PROBLEME, SORTIE_USAGE = 0, 1, 2
# Les codes de `decision.financement.DECISIONS`, recopiés : `--help` n'importe pas pandas
# (tests/test_commandes.py vérifie qu'ils restent les mêmes).
DECISIONS = ("retenu", "liste d'attente", "refusé")


def _positif(texte: str) -> float:
    try:
        valeur = float(texte.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre attendu, lu « {texte} »") from None
    if valeur <= 0:
        raise argparse.ArgumentTypeError(f"nombre positif attendu, lu « {texte} »")
    return valeur


def _dollars(texte: str) -> int:
    """« 25000 », « 25 000 », « 25000,50 », « 25000.50 $ » → cents (jamais négatif), lus en
    `Decimal` (jamais en flottant). Refusés, avec un message : un séparateur de milliers
    ambigu (« 25,000 », « 25.000 » : 25 000 $ ou 25 $ ?) et plus de deux décimales
    (« 0.285 »). Les milliers se séparent par une espace, à la québécoise."""
    propre = texte.replace("$", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if propre.startswith("-"):
        raise argparse.ArgumentTypeError(f"montant positif ou nul attendu, lu « {texte} »")
    if re.fullmatch(r"\d+[.,]\d{3}", propre):
        raise argparse.ArgumentTypeError(
            f"montant ambigu « {texte} » : séparateur de milliers ou décimales ? Écrivez les "
            "milliers sans séparateur ou avec une espace (25000 ou « 25 000 »), et au plus "
            "deux décimales après la virgule ou le point (25000,50)."
        )
    if re.fullmatch(r"\d+[.,]\d{3,}", propre):
        raise argparse.ArgumentTypeError(
            f"montant « {texte} » : au plus deux décimales (des cents), ex. 25000,50."
        )
    if not re.fullmatch(r"\d+([.,]\d{1,2})?", propre):
        raise argparse.ArgumentTypeError(
            f"montant en dollars attendu (ex. 25000, « 25 000 » ou 25000,50), lu « {texte} »"
        )
    return int(Decimal(propre.replace(",", ".")) * 100)


def _jour(texte: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date AAAA-MM-JJ attendue, lu « {texte} »") from None


class _Format(argparse.HelpFormatter):
    """L'aide en français : « Usage : » au lieu de « usage: », et chaque titre de section
    suivi d'une espace insécable et du deux-points (« Options : »)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "Usage\u00a0: " if prefix is None else prefix)

    def start_section(self, heading):
        super().start_section(f"{heading}\u00a0" if heading else heading)


# Les refus d'argparse les plus courants, en français (argparse les écrit en anglais, sans
# catalogue de traduction livré) ; un message inconnu reste tel quel.
_ERREURS = tuple(
    (re.compile(motif), francais)
    for motif, francais in (
        (r"the following arguments are required: (.*)", r"arguments obligatoires absents : \1"),
        (r"unrecognized arguments: (.*)", r"arguments non reconnus : \1"),
        (
            r"argument (.+?): invalid choice: (.*) \(choose from (.*)\)",
            r"argument \1 : choix invalide, \2 (choix possibles : \3)",
        ),
        (r"argument (.+?): expected one argument", r"argument \1 : une valeur est attendue"),
        (
            r"argument (.+?): expected at least one argument",
            r"argument \1 : au moins une valeur est attendue",
        ),
        (r"argument (.+?): invalid \S+ value: (.*)", r"argument \1 : valeur invalide, \2"),
        (r"ambiguous option: (\S+) could match (.*)", r"option ambiguë : \1 peut désigner \2"),
        (r"argument (.+?): (.*)", r"argument \1 : \2"),
    )
)


def _en_francais(message: str) -> str:
    for motif, francais in _ERREURS:
        if trouve := motif.fullmatch(message):
            return trouve.expand(francais)
    return message


class _Analyseur(argparse.ArgumentParser):
    """Le programme et chaque sous-commande : aide et refus en français (`_Format`, titres
    « Arguments positionnels » et « Options », « -h, --help » qui « affiche cette aide et
    quitte »)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Format)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "Arguments positionnels"
        self._optionals.title = "Options"
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help="affiche cette aide et quitte",
        )

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(SORTIE_USAGE, f"{self.prog} : erreur : {_en_francais(message)}\n")


def _analyseur() -> argparse.ArgumentParser:
    p = _Analyseur(
        prog="python -m evaluation",
        description="Tableau de bord d'évaluation des demandes : import et consultation.",
        epilog="Codes de sortie : 0 importable (avertissements permis), 1 problème bloquant ou "
        "fichier refusé, 2 erreur d'utilisation.",
    )
    p.add_argument("--base", help="URL SQLAlchemy de la base (défaut : EVALUATION_BASE ou SQLite)")
    sous = p.add_subparsers(dest="commande", required=True, parser_class=_Analyseur)

    def options_fichiers(q):
        q.add_argument(
            "fichiers",
            nargs="+",
            metavar="FICHIER",
            help="classeurs .xlsx, .xlsm, .xls, .ods, fichiers .csv ou .txt",
        )
        q.add_argument("--appel", help="identifiant d'un appel stocké ou fichier .toml")
        q.add_argument(
            "--colonne",
            action="append",
            default=[],
            metavar="EN-TÊTE=CLÉ",
            help="relie un en-tête du fichier à une colonne du gabarit (ex. « Intitulé=titre » ;"
            " « Intitulé= » le met de côté) ; l'emporte sur la correspondance retenue pour les "
            "fichiers de même forme",
        )
        q.add_argument(
            "--taille-max",
            type=_positif,
            default=50,
            metavar="MO",
            help="taille maximale d'un fichier, en Mo (50 par défaut)",
        )

    v = sous.add_parser("verifier", help="vérifie des fichiers sans rien enregistrer")
    options_fichiers(v)
    i = sous.add_parser("importer", help="vérifie et enregistre des fichiers")
    options_fichiers(i)
    i.add_argument(
        "--lignes-valides",
        action="store_true",
        help="importe les demandes valides même si le fichier porte des problèmes bloquants",
    )
    i.add_argument("--auteur", help="nom de la personne qui importe (journal)")
    i.add_argument(
        "--pieces",
        metavar="ARCHIVE.zip",
        help="archive ZIP des pièces jointes (PDF nommés par numéro de demande), vérifiée "
        "avant l'importation et enregistrée après (voir `pieces importer`)",
    )
    d = sous.add_parser("demandes", help="liste les demandes stockées")
    d.add_argument(
        "--format",
        choices=("csv", "texte"),
        default="texte",
        help="csv : toutes les colonnes, montants en dollars à point décimal ; texte : aperçu",
    )
    d.add_argument("--appel", help="identifiant de l'appel")
    k = sous.add_parser("classement", help="imprime le classement et la ligne de financement")
    k.add_argument(
        "--format",
        choices=("csv", "texte"),
        default="texte",
        help="csv : colonnes rang, no_demande, note, n_evaluations, ecart_type, statut, "
        "montant_demande_an1/2, non_admissible_an1/2 (dépenses retirées du budget "
        "admissible), budget_admissible_an1/2, montant_recommande_an1/2, cumul_an1/2, "
        "decision (recommandation du comité), montant_accorde_an1/2, ecart_recommandation, "
        "decision_ministere, montant_ministere_an1/2 (notes à deux décimales, arrondies la "
        "moitié vers le haut) ; texte : aligné",
    )
    k.add_argument(
        "--csv",
        choices=("donnees", "excel"),
        default="donnees",
        help="forme du CSV : donnees (par défaut : « , », point décimal, UTF-8, ce qu'attend "
        "un programme qui lit la sortie) ; excel (« ; », virgule décimale, UTF-8 avec BOM, "
        "pour l'ouvrir dans Excel en français : … > classement.csv)",
    )
    k.add_argument("--appel", help="identifiant de l'appel")
    x = sous.add_parser("exporter", help="écrit le classeur Excel du comité")
    x.add_argument("--sortie", help="fichier .xlsx (par défaut : appel_classement_date.xlsx)")
    x.add_argument("--appel", help="identifiant de l'appel")
    x.add_argument(
        "--sans-evaluations",
        action="store_true",
        help="omet la feuille Évaluations (notes et commentaires de chaque évaluateur)",
    )
    c = sous.add_parser("comptes", help="gère les comptes (mot de passe lu sur l'entrée)")
    sc = c.add_subparsers(dest="action", required=True, parser_class=_Analyseur)
    a = sc.add_parser("ajouter", help="crée un compte ; le mot de passe est lu sur l'entrée")
    a.add_argument("courriel", metavar="COURRIEL")
    a.add_argument("--role", required=True, choices=ROLES, help="rôle du compte")
    a.add_argument("--nom", help="nom affiché")
    a.add_argument(
        "--municipalite",
        help="municipalité de la personne, nom ou code géographique du répertoire "
        "(conflits d'intérêts)",
    )
    a.add_argument("--region", help="code de sa région (01 à 17) ou son nom")
    a.add_argument(
        "--neq",
        help="NEQ (dix chiffres) de l'organisme auquel la personne est rattachée : conflit "
        "avec ses demandes dans un appel d'organismes",
    )
    r = sc.add_parser(
        "reinitialiser",
        help="fixe un mot de passe provisoire (lu sur l'entrée), à changer à la connexion",
    )
    r.add_argument("courriel", metavar="COURRIEL")
    sc.add_parser("lister", help="liste les comptes")
    dz = sc.add_parser("desactiver", help="désactive un compte (son historique reste)")
    dz.add_argument("courriel", metavar="COURRIEL")
    n = sous.add_parser("notes", help="grilles de notes hors ligne")
    sn = n.add_subparsers(dest="action", required=True, parser_class=_Analyseur)
    ni = sn.add_parser("importer", help="importe des grilles de notes remplies")
    ni.add_argument("fichiers", nargs="+", metavar="FICHIER", help="grilles .xlsx, .ods, .csv")
    ni.add_argument(
        "--evaluateur", metavar="COURRIEL", help="évaluateur des lignes sans colonne « Évaluateur »"
    )
    ni.add_argument("--appel", help="identifiant de l'appel")
    ne = sn.add_parser("exporter", help="imprime chaque note stockée")
    ne.add_argument("--format", choices=("csv", "texte"), default="csv")
    ne.add_argument("--appel", help="identifiant de l'appel")
    ap = sous.add_parser("appels", help="liste, importe ou exporte la configuration des appels")
    sa = ap.add_subparsers(dest="action", required=True, parser_class=_Analyseur)
    sa.add_parser("lister", help="liste les appels stockés et les modèles livrés")
    ai = sa.add_parser("importer", help="crée ou modifie un appel d'après un fichier TOML")
    ai.add_argument("fichier", metavar="FICHIER.toml")
    ai.add_argument(
        "--raison",
        default="",
        metavar="TEXTE",
        help="raison écrite d'un changement de réglage après la première évaluation soumise",
    )
    ai.add_argument(
        "--confirmer",
        action="store_true",
        help="confirme, au nom de l'administration, un changement de réglage après la "
        "première évaluation soumise (avec --raison)",
    )
    ae = sa.add_parser("exporter", help="écrit la configuration TOML d'un appel stocké")
    ae.add_argument("identifiant", metavar="ID")
    ae.add_argument("--sortie", metavar="FICHIER.toml", help="fichier à écrire (défaut : écran)")
    pu = sa.add_parser(
        "purger",
        help="retire les renseignements personnels des demandes d'un appel (coordonnées, "
        "équipe, résolution, colonnes hors gabarit, pièces jointes) à l'échéance de leur "
        "conservation ([conservation] de l'appel) ; garde notes, décisions et montants",
    )
    pu.add_argument("identifiant", metavar="ID")
    pu.add_argument(
        "--simulation",
        action="store_true",
        help="dit ce qui serait retiré (demandes, champs, pièces, octets) sans rien écrire",
    )
    pu.add_argument(
        "--avant-echeance",
        action="store_true",
        help="purge avant l'échéance de conservation (avec --raison)",
    )
    pu.add_argument("--raison", default="", metavar="TEXTE", help="raison d'une purge anticipée")
    b = sous.add_parser(
        "base", help="tient le schéma de la base à jour (Alembic), la sauvegarde et la restaure"
    )
    sb = b.add_subparsers(dest="action", required=True, parser_class=_Analyseur)
    sb.add_parser(
        "mettre-a-jour", help="applique les révisions du schéma (fait aussi à chaque démarrage)"
    )
    sb.add_parser(
        "verifier",
        help="vérifie la configuration d'un serveur avant son démarrage (variables, base "
        "joignable, schéma à jour) sans rien écrire ; code 1 et la raison sinon",
    )
    bs = sb.add_parser(
        "sauvegarder",
        help="copie toute la base (SQLite ou PostgreSQL) dans un fichier de sauvegarde, "
        "cohérente même pendant que les serveurs tournent",
    )
    bs.add_argument(
        "fichier",
        metavar="FICHIER",
        help="fichier à écrire (remplacé seulement s'il est déjà une sauvegarde)",
    )
    br = sb.add_parser(
        "restaurer",
        help="remplace le contenu de la base par une sauvegarde, tout ou rien (une sauvegarde "
        "SQLite se restaure dans PostgreSQL, et l'inverse)",
    )
    br.add_argument("fichier", metavar="FICHIER", help="sauvegarde faite par « base sauvegarder »")
    br.add_argument(
        "--remplacer",
        action="store_true",
        help="remplace une base qui contient déjà des données (sinon, refusé)",
    )
    br.add_argument(
        "--malgre-purges",
        action="store_true",
        help="restaure une sauvegarde faite avant une purge des renseignements personnels "
        "(sinon, refusé) ; la purge est alors à refaire",
    )
    br.add_argument("--auteur", help="nom de la personne qui restaure (journal)")
    t = sous.add_parser("tirage", help="tirages au sort dans la zone grise (issue 16)")
    st = t.add_subparsers(dest="action", required=True, parser_class=_Analyseur)
    tv = st.add_parser(
        "verifier",
        help="rejoue chaque tirage inscrit au journal (graine, candidates, reste de "
        "l'enveloppe) et dit s'il est conforme ; code 1 si l'un diffère",
    )
    tv.add_argument("--appel", help="identifiant de l'appel (défaut : tous les appels)")
    dc = sous.add_parser(
        "decisions", help="décisions après le comité : celle du ministère (issue 17)"
    )
    sdc = dc.add_subparsers(dest="groupe", required=True, parser_class=_Analyseur)
    mi = sdc.add_parser(
        "ministre",
        help="inscrit la décision du ministère sur les recommandations du comité, au nom de "
        "l'autorité (comme l'administration)",
    )
    smi = mi.add_subparsers(dest="action", required=True, parser_class=_Analyseur)

    def options_ministre(q):
        q.add_argument("--appel", help="identifiant de l'appel")
        q.add_argument(
            "--autorite", required=True, metavar="NOM", help="nom de l'autorité qui décide"
        )
        q.add_argument(
            "--date",
            type=_jour,
            metavar="AAAA-MM-JJ",
            help="date de la décision (défaut : aujourd'hui)",
        )

    ma = smi.add_parser(
        "approuver",
        help="approuve telles quelles les recommandations du comité (tout ou rien) : celles "
        "des --demande données, ou toutes celles qui attendent la décision du ministère",
    )
    options_ministre(ma)
    ma.add_argument(
        "--demande",
        action="append",
        default=[],
        metavar="NO",
        help="numéro de demande (répétable ; défaut : toutes celles à décider)",
    )
    ma.add_argument("--note", default="", help="note facultative jointe à chaque approbation")
    mm = smi.add_parser(
        "modifier",
        help="inscrit une autre décision ou d'autres montants que la recommandation, avec une "
        "raison",
    )
    options_ministre(mm)
    mm.add_argument("--demande", required=True, metavar="NO", help="numéro de la demande")
    mm.add_argument("--decision", required=True, choices=DECISIONS, help="décision du ministère")
    mm.add_argument(
        "--montant",
        action="append",
        type=_dollars,
        default=[],
        metavar="DOLLARS",
        help="montant accordé par année financière, en dollars (répétable : an 1, puis an 2)",
    )
    mm.add_argument("--raison", required=True, help="raison de la modification")
    pj = sous.add_parser(
        "pieces", help="pièces jointes des demandes : archive ZIP de PDF (issue 18)"
    )
    spj = pj.add_subparsers(dest="action", required=True, parser_class=_Analyseur)
    pji = spj.add_parser(
        "importer",
        help="vérifie une archive ZIP de PDF nommés par numéro de demande et l'enregistre "
        "(tout ou rien)",
    )
    pji.add_argument("archive", metavar="ARCHIVE.zip", help="archive ZIP des PDF")
    pji.add_argument("--appel", help="identifiant de l'appel")
    pji.add_argument("--auteur", help="nom de la personne qui importe (journal)")
    pjl = spj.add_parser("lister", help="liste les pièces jointes stockées (dernière version)")
    pjl.add_argument("--appel", help="identifiant de l'appel")
    g = sous.add_parser("gabarit", help="écrit le gabarit Excel de l'appel")
    g.add_argument("--sortie", required=True, metavar="FICHIER.xlsx", help="classeur à écrire")
    g.add_argument("--appel", help="identifiant d'un appel stocké ou fichier .toml")
    return p


def _correspondances(
    options: list[str], fichiers: list[str], appel=None
) -> dict[str, dict[str, str]]:
    from evaluation.depot.gabarit import COLONNES_BUDGET, COLONNES_DEMANDES, colonnes_dimensions
    from evaluation.depot.verification import TOUS_LES_FICHIERS
    from evaluation.socle.texte import citer

    cles = {c.cle for c in (*COLONNES_DEMANDES, *COLONNES_BUDGET)}
    # Les dimensions que l'appel déclare (« dimension:<id> », issue 18).
    cles |= {c.cle for c in colonnes_dimensions(appel)} if appel is not None else set()
    relie = {}
    for option in options:
        entete, egal, cle = option.partition("=")
        cle = cle.strip()
        # « EN-TÊTE= » : la colonne est mise de côté (une correspondance retenue ne s'y
        # applique pas).
        if not entete.strip() or not egal or (cle and cle not in cles):
            raise ValueError(
                f"--colonne « {option} » : écrivez EN-TÊTE=CLÉ (ou EN-TÊTE= pour mettre la "
                "colonne de côté), la clé étant l'une de : " + ", ".join(sorted(cles))
            )
        relie[entete.strip()] = cle
    par_cle: dict[str, list[str]] = {}
    for entete, cle in relie.items():
        if cle:
            par_cle.setdefault(cle, []).append(entete)
    for cle, entetes in par_cle.items():
        if len(entetes) > 1:
            # Le même refus que la page Importation : un champ ne se lit que dans une colonne.
            noms = " et ".join(f"« {citer(e)} »" for e in entetes)
            raise ValueError(
                f"--colonne : les colonnes {noms} désignent toutes le champ {cle} ; un champ ne "
                "se lit que dans une seule colonne. Gardez une seule de ces options."
            )
    return {TOUS_LES_FICHIERS: relie} if relie else {}


def _lire_mot_de_passe() -> str:
    """Le mot de passe, jamais en argument : saisi deux fois au terminal, sinon la première
    ligne de l'entrée standard (pour un script : echo ... | python -m evaluation ...)."""
    from evaluation.socle.roles import ErreurCompte

    if sys.stdin.isatty():
        premier = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmez le mot de passe : ") != premier:
            raise ErreurCompte("les deux saisies du mot de passe diffèrent.")
        return premier
    return sys.stdin.readline().rstrip("\r\n")


def _exporter(options, appel, moteur) -> int:
    """Le classeur du comité, comme la page l'offre à l'administration (feuille Évaluations
    comprise, sauf --sans-evaluations)."""
    from evaluation.decision.chargement import charger as charger_donnees
    from evaluation.decision.classement import classement
    from evaluation.decision.conventions import suivi as suivi_des_conventions
    from evaluation.decision.portefeuille import populations_par_region
    from evaluation.depot.municipalites import repertoire
    from evaluation.socle import stockage
    from evaluation.sorties import classeur as exportation

    instant = stockage.maintenant()
    # Les notes lues une fois : toutes pour la feuille Évaluations, les soumises en sont
    # tirées pour le classement (400 000 notes à 5 000 demandes).
    with moteur.connect() as connexion:
        notes = stockage.lire_notes_completes(appel.id, connexion=connexion)
        confirmees = stockage.lire_confirmations(appel.id, connexion=connexion)
        lignes_budget = stockage.lire_lignes_budget(appel.id, connexion=connexion)
    donnees = charger_donnees(appel, moteur=moteur, notes_completes=notes)
    table = classement(appel, donnees)
    numeros = dict(
        zip(donnees.demandes["id"].astype(int), donnees.demandes["no_demande"], strict=True)
    )
    evaluations = (
        None
        if options.sans_evaluations
        else exportation.evaluations_pour_export(notes, donnees.evaluations, numeros)
    )
    contenu = exportation.classeur(
        appel,
        table,
        poids=donnees.poids,
        auteur=_auteur_cli(),
        instant=instant,
        evaluations=evaluations,
        n_evaluations=len(donnees.evaluations),
        populations=populations_par_region(repertoire().municipalites),
        confirmations=confirmees,
        ponderations=donnees.ponderations,
        lignes_budget=lignes_budget,
        suivi=suivi_des_conventions(appel, moteur=moteur, au=instant.date()).tableau,
    )
    sortie = Path(options.sortie or exportation.nom_fichier(appel, instant.date()))
    try:
        sortie.write_bytes(contenu)
    except OSError as exc:
        print(f"Impossible d'écrire {sortie} : {exc.strerror}.", file=sys.stderr)
        return SORTIE_USAGE
    print(f"Classeur de l'appel {appel.id} écrit dans {sortie} ({len(table)} demandes).")
    return SORTIE_OK


def _auteur_cli() -> str:
    """Qui agit en ligne de commande, pour le journal (l'utilisateur du système)."""
    try:
        return f"ligne de commande ({getpass.getuser()})"
    except (KeyError, OSError):
        return "ligne de commande"


def _comptes(options, moteur) -> int:
    from evaluation.socle.comptes import (
        changer_mot_de_passe,
        creer_compte,
        desactiver_compte,
        lister_comptes,
    )
    from evaluation.socle.roles import ErreurCompte

    try:
        if options.action == "ajouter":
            compte = creer_compte(
                options.courriel,
                options.role,
                _lire_mot_de_passe(),
                moteur=moteur,
                nom=options.nom,
                municipalite=options.municipalite,
                region=options.region,
                auteur=_auteur_cli(),
                neq=options.neq,
            )
            print(
                f"Compte créé : {compte.courriel} ({compte.role}) ; son mot de passe est "
                "provisoire, à changer à la première connexion."
            )
        elif options.action == "reinitialiser":
            changer_mot_de_passe(
                options.courriel, _lire_mot_de_passe(), moteur=moteur, auteur=_auteur_cli()
            )
            print(
                f"Mot de passe provisoire fixé pour {options.courriel.strip()} : à changer à "
                "la prochaine connexion."
            )
        elif options.action == "desactiver":
            compte = desactiver_compte(options.courriel, moteur=moteur, auteur=_auteur_cli())
            print(f"Compte désactivé : {compte.courriel}.")
        else:
            comptes = lister_comptes(moteur=moteur)
            if not comptes:
                print("Aucun compte.")
            for c in comptes:
                etat = "actif" if c.actif else "désactivé"
                print(f"{c.courriel}\t{c.role}\t{etat}\t{c.nom}")
    except ErreurCompte as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return SORTIE_PROBLEME
    return SORTIE_OK


def _introuvables(absents: list[str]) -> str:
    """« Fichier introuvable : a.xlsx », « Fichiers introuvables : a.xlsx, b.xlsx »."""
    return ("Fichier introuvable : " if len(absents) == 1 else "Fichiers introuvables : ") + (
        ", ".join(absents)
    )


def _notes(options, appel, moteur) -> int:
    from evaluation.notes import attributions
    from evaluation.notes.evaluations import importer_grille, numeros_de_l_appel
    from evaluation.notes.grilles import lire_grille
    from evaluation.notes.saisie import ErreurEvaluation
    from evaluation.socle import formats, stockage
    from evaluation.socle.comptes import lister_comptes
    from evaluation.socle.formats import pluriel
    from evaluation.sorties.neutralisation import texte_csv
    from evaluation.sorties.tableaux import en_texte

    if options.action == "exporter":
        with moteur.connect() as connexion:
            table = stockage.lire_notes(appel.id, connexion=connexion)
        # Issue 19 : une note à deux décimales arrondie la moitié vers le haut, « 7.50 » dans
        # le CSV et « 7,50 » à l'écran ; l'heure en ISO dans le CSV, à la québécoise à l'écran.
        if options.format == "csv":
            table["note"] = table["note"].map(formats.note_fichier)
            table["date"] = table["date"].map(formats.date_heure_fichier)
            sys.stdout.write(texte_csv(table))
        else:
            table["note"] = table["note"].map(lambda v: formats.note(v, ""))
            table["date"] = table["date"].map(lambda d: formats.date_heure(d) if d else "")
            print(en_texte(table, a_droite=("note",)) if len(table) else "Aucune note stockée.")
        return SORTIE_OK
    absents = [f for f in options.fichiers if not Path(f).is_file()]
    if absents:
        print(_introuvables(absents), file=sys.stderr)
        return SORTIE_USAGE
    numeros = numeros_de_l_appel(appel, moteur=moteur)
    comptes = lister_comptes(moteur=moteur)
    code = SORTIE_OK
    for fichier in options.fichiers:
        lecture = lire_grille(
            Path(fichier).name,
            Path(fichier),
            appel,
            demandes_par_numero=numeros,
            comptes=comptes,
            evaluateur_par_defaut=options.evaluateur,
            attributions=attributions.charger(appel.id, moteur=moteur),
        )
        for p in lecture.problemes:
            lieu = p.emplacement
            print(f"{p.fichier}{', ' + lieu if lieu else ''} : {p.message}")
        if not lecture.sans_blocage:
            print(f"{Path(fichier).name} : rien n'est enregistré tant que ces problèmes restent.")
            code = SORTIE_PROBLEME
            continue
        try:
            changements = importer_grille(lecture, appel, moteur=moteur, auteur=_auteur_cli())
        except ErreurEvaluation as exc:
            print(f"{Path(fichier).name} : {exc} Rien n'est enregistré.", file=sys.stderr)
            code = SORTIE_PROBLEME
            continue
        print(
            f"{Path(fichier).name} : {pluriel(len(lecture.lignes), 'ligne lue', 'lignes lues')}, "
            f"{pluriel(changements, 'changement inscrit', 'changements inscrits')} au journal."
        )
    return code


def _appels(options, moteur) -> int:
    from evaluation.appels.configuration import ErreurAppel
    from evaluation.appels.edition import ParametresRefuses, modeles_fournis
    from evaluation.appels.parametres import importer_toml
    from evaluation.socle import stockage

    if options.action == "lister":
        with moteur.connect() as connexion:
            stockes = stockage.lire_appels(connexion=connexion)
            archives = stockage.appels_archives(connexion=connexion)
            nombres = {i: stockage.compter_demandes(i, connexion=connexion) for i, _, _ in stockes}
        lignes = [
            {
                "Identifiant": i,
                "État": "archivé" if i in archives else "ouvert",
                "Demandes": str(nombres[i]),
                "Nom": nom,
            }
            for i, nom, _ in stockes
        ]
        if lignes:
            import pandas as pd

            from evaluation.sorties.tableaux import en_texte

            print(en_texte(pd.DataFrame(lignes), a_droite=("Demandes",)))
        else:
            print("Aucun appel stocké.")
        modeles = [m for m in modeles_fournis().values() if m.id not in nombres]
        if modeles:
            print("\nModèles livrés (page Paramètres de l'appel pour en créer un appel) :")
            for m in modeles:
                print(f"  {m.id} : {m.nom}")
        return SORTIE_OK
    if options.action == "purger":
        return _purger(options, moteur)
    if options.action == "exporter":
        with moteur.connect() as connexion:
            ligne = stockage.lire_appel(options.identifiant, connexion=connexion)
        if ligne is None:
            print(f"Erreur : appel « {options.identifiant} » introuvable.", file=sys.stderr)
            return SORTIE_USAGE
        if not options.sortie:
            sys.stdout.write(ligne["configuration_toml"])
            return SORTIE_OK
        try:
            Path(options.sortie).write_text(ligne["configuration_toml"], encoding="utf-8")
        except OSError as exc:
            print(f"Impossible d'écrire {options.sortie} : {exc.strerror}.", file=sys.stderr)
            return SORTIE_USAGE
        print(f"Configuration de l'appel {options.identifiant} écrite dans {options.sortie}.")
        return SORTIE_OK
    chemin = Path(options.fichier)
    try:
        contenu = chemin.read_bytes()
    except OSError as exc:
        print(f"Impossible de lire {chemin} : {exc.strerror}.", file=sys.stderr)
        return SORTIE_USAGE
    try:
        appel, cree = importer_toml(
            contenu,
            chemin.name,
            moteur=moteur,
            auteur=_auteur_cli(),
            raison=options.raison,
            confirmer=options.confirmer,
        )
    except (ErreurAppel, ParametresRefuses) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return SORTIE_PROBLEME
    print(f"Appel {appel.id} {'créé' if cree else 'mis à jour'} : {appel.nom}.")
    return SORTIE_OK


def _purger(options, moteur) -> int:
    """`appels purger ID` : la purge des renseignements personnels (issue 20, point 5)."""
    from evaluation.appels.catalogue import AppelIntrouvable, appels_stockes
    from evaluation.appels.configuration import ErreurAppel
    from evaluation.depot.conservation import PurgeRefusee, purger

    try:
        appel = next((a for a in appels_stockes(moteur) if a.id == options.identifiant), None)
    except (AppelIntrouvable, ErreurAppel) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return SORTIE_USAGE
    if appel is None:
        print(f"Erreur : appel « {options.identifiant} » introuvable.", file=sys.stderr)
        return SORTIE_USAGE
    try:
        bilan = purger(
            appel,
            moteur=moteur,
            auteur=_auteur_cli(),
            avant_echeance=options.avant_echeance,
            raison=options.raison,
            simulation=options.simulation,
        )
    except PurgeRefusee as exc:
        print(f"Purge refusée : {exc}", file=sys.stderr)
        return SORTIE_PROBLEME
    print(bilan.texte())
    return SORTIE_OK


LECTURES_ANTICIPEES = 2


def main(argv: list[str] | None = None, *, processus_dedie: bool = False) -> int:
    """La commande de `argv` ; `processus_dedie` quand le processus ne sert qu'à elle
    (`python -m evaluation`)."""
    options = _analyseur().parse_args(argv)
    lancees: list = []
    if options.commande in ("verifier", "importer"):
        absents = [f for f in options.fichiers if not Path(f).is_file()]
        if absents:
            print(_introuvables(absents), file=sys.stderr)
            return SORTIE_USAGE
        # Les processus de lecture des deux premiers fichiers tournent pendant que le reste
        # s'importe et que la base s'ouvre (plus d'une seconde pour 5 000 demandes) ; les
        # suivants sont lancés au fil du lot, deux à la fois au plus (verification.lire_lot),
        # pas un processus par fichier d'un dossier de centaines de fichiers.
        from evaluation.depot.lecture_isolee import Lancee, noms_uniques

        if processus_dedie:
            import gc

            # Le processus se termine sitôt l'importation faite : le ramasse-miettes n'y
            # libérerait rien (voir verification.ramasse_miettes_suspendu).
            gc.disable()
        limites = _limites(options)
        noms = noms_uniques([Path(f).name for f in options.fichiers])
        for k, (nom, fichier) in enumerate(zip(noms, options.fichiers, strict=True)):
            source = Lancee(nom, Path(fichier), limites) if k < LECTURES_ANTICIPEES else None
            lancees.append((nom, source or Path(fichier)))
    try:
        return _ouvrir_et_executer(options, lancees)
    finally:
        for _, lancee in lancees:
            if not isinstance(lancee, Path):
                lancee.abandonner()


def _limites(options):
    from evaluation.depot.classeurs import Limites

    return Limites(taille_max=int(options.taille_max * 1024 * 1024))


def _ouvrir_et_executer(options, lancees: list) -> int:
    from evaluation.socle import stockage

    if options.commande == "base" and options.action == "verifier":
        return _verifier_base(options)
    if options.commande == "base" and options.action == "sauvegarder":
        # Ouvrir une base SQLite absente la créerait, vide : sauvegarder ne crée rien.
        url = options.base or stockage.url_par_defaut()
        if absente := stockage.sqlite_absente(url):
            print(
                f"Sauvegarde refusée : la base SQLite {absente} n'existe pas ; rien n'a été "
                f"créé ni écrit. Nommez la base à sauvegarder : --base URL avant « base », ou "
                f"la variable {stockage.VARIABLE_BASE}"
                + (" (elle n'est pas définie)." if not options.base else "."),
                file=sys.stderr,
            )
            return SORTIE_PROBLEME
    try:
        moteur = stockage.creer_moteur(
            options.base, mettre_a_jour_le_schema=options.commande != "base"
        )
    except Exception as exc:  # URL invalide, serveur injoignable : message, pas de trace
        # Importé ici seulement : la chaîne de l'importation (gabarit, lecture, validation)
        # coûtait 0,2 s à chaque commande qui n'importe rien.
        from evaluation.depot.verification import message_erreur

        print(
            "Base de données inutilisable "
            f"({stockage.url_masquee(options.base or stockage.url_par_defaut())}) : "
            f"{exc if isinstance(exc, stockage.BaseInutilisable) else message_erreur(exc)}",
            file=sys.stderr,
        )
        return SORTIE_USAGE
    try:
        return _executer(options, moteur, lancees)
    finally:
        moteur.dispose()


def _verifier_base(options) -> int:
    """`base verifier` : la configuration d'un serveur, avant son démarrage (ExecStartPre de
    l'unité systemd, point d'entrée de l'image Docker) ; rien n'est créé ni écrit."""
    from evaluation.socle.stockage import BaseInutilisable
    from evaluation.socle.stockage.controle import verifier_configuration

    try:
        bilan = verifier_configuration(options.base)
    except BaseInutilisable as exc:
        print(f"Configuration refusée, le serveur ne doit pas démarrer : {exc}", file=sys.stderr)
        return SORTIE_PROBLEME
    print(bilan)
    return SORTIE_OK


def _base_visee(moteur) -> str:
    """La base d'une commande, pour ses messages (URL sans mot de passe)."""
    return moteur.url.render_as_string(hide_password=True)


def _base(options, moteur) -> int:
    if options.action == "sauvegarder":
        return _sauvegarder(options, moteur)
    if options.action == "restaurer":
        return _restaurer(options, moteur)
    from evaluation.socle.stockage import migration
    from evaluation.socle.stockage.diagnostic import expliquer

    try:
        neuve = migration.base_vide(moteur)
        avant, apres = migration.mettre_a_jour(moteur)
    except Exception as exc:
        print(f"Mise à jour du schéma impossible : {expliquer(exc)}", file=sys.stderr)
        return SORTIE_USAGE
    if avant:
        depart = avant
    elif neuve:
        depart = "aucune (base neuve, créée à l'instant)"
    else:
        depart = "aucune (base créée avant Alembic)"
    print(f"Base à jour : révision {apres} (avant : {depart}).")
    return SORTIE_OK


SORTIE_INTERROMPUE = 130  # comme un shell après Ctrl+C


@contextlib.contextmanager
def _arret_comme_ctrl_c():
    """SIGTERM (systemd, `kill`, fin d'un cron) levé comme un Ctrl+C pendant une sauvegarde
    ou une restauration : leurs `finally` suppriment la copie temporaire (renseignements
    personnels) au lieu d'un arrêt sec qui la laisserait sur le disque."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrompre(numero, _cadre):
        raise KeyboardInterrupt

    precedent = signal.signal(signal.SIGTERM, interrompre)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, precedent)


def _sauvegarder(options, moteur) -> int:
    from evaluation.socle import formats
    from evaluation.socle.stockage import sauvegarde
    from evaluation.socle.stockage.diagnostic import erreur_systeme, expliquer

    try:
        with _arret_comme_ctrl_c():
            fait = sauvegarde.sauvegarder(moteur, options.fichier)
    except KeyboardInterrupt:
        print(
            f"Sauvegarde interrompue : {options.fichier} n'a pas été écrit, et sa copie "
            "partielle a été supprimée.",
            file=sys.stderr,
        )
        return SORTIE_INTERROMPUE
    except sauvegarde.SauvegardeRefusee as exc:
        print(f"Sauvegarde refusée ({_base_visee(moteur)}) : {exc}", file=sys.stderr)
        return SORTIE_PROBLEME
    except OSError as exc:
        print(
            f"Sauvegarde impossible : {options.fichier} : {erreur_systeme(exc)}.",
            file=sys.stderr,
        )
        return SORTIE_PROBLEME
    except Exception as exc:  # serveur perdu en cours de route : rien n'a été écrit
        print(f"Sauvegarde impossible : {expliquer(exc)}", file=sys.stderr)
        return SORTIE_PROBLEME
    print(
        f"Sauvegarde écrite : {fait.fichier} ({_contenu(fait)}, révision de schéma "
        f"{fait.revision}, {formats.date_heure(fait.creee_le)}).\n"
        f"Empreinte SHA-256 du contenu : {fait.empreinte} (vérifiée à la restauration).\n"
        f"Base sauvegardée : {_base_visee(moteur)}."
    )
    return SORTIE_OK


def _contenu(fait) -> str:
    from evaluation.socle import formats

    return ", ".join(
        [
            formats.pluriel(fait.lignes.get("demandes", 0), "demande"),
            formats.pluriel(fait.lignes.get("evaluations", 0), "évaluation"),
            formats.pluriel(fait.lignes.get("comptes", 0), "compte"),
            formats.pluriel(fait.lignes.get("pieces_jointes", 0), "pièce jointe", "pièces jointes"),
            formats.pluriel(fait.total, "ligne") + " en tout",
        ]
    )


def _restaurer(options, moteur) -> int:
    from evaluation.socle import formats
    from evaluation.socle.stockage import BaseInutilisable, sauvegarde
    from evaluation.socle.stockage.diagnostic import expliquer

    moteurs = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

    def description(lue) -> str:
        return (
            f"{Path(options.fichier).name} : sauvegarde du {formats.date_heure(lue.creee_le)} "
            f"({moteurs.get(lue.source, lue.source)}, révision {lue.revision_sauvegarde})"
        )

    try:
        with _arret_comme_ctrl_c():
            fait = sauvegarde.restaurer(
                moteur,
                options.fichier,
                auteur=options.auteur or _auteur_cli(),
                remplacer=options.remplacer,
                malgre_purges=options.malgre_purges,
                description=description,
            )
    except KeyboardInterrupt:
        print(
            "Restauration interrompue et annulée ; rien n'a été modifié, et la copie de "
            "vérification a été supprimée.",
            file=sys.stderr,
        )
        print(f"Base visée : {_base_visee(moteur)}.", file=sys.stderr)
        return SORTIE_INTERROMPUE
    except sauvegarde.SauvegardeRefusee as exc:
        print(f"Restauration refusée ; rien n'a été modifié : {exc}", file=sys.stderr)
        print(f"Base visée : {_base_visee(moteur)}.", file=sys.stderr)
        return SORTIE_PROBLEME
    except BaseInutilisable as exc:
        print(f"Restauration refusée ; rien n'a été modifié : {exc}", file=sys.stderr)
        print(f"Base visée : {_base_visee(moteur)}.", file=sys.stderr)
        return SORTIE_PROBLEME
    except Exception as exc:  # la transaction est annulée : la base reste telle quelle
        print(
            f"La restauration a échoué et a été annulée ; rien n'a été modifié : {expliquer(exc)}",
            file=sys.stderr,
        )
        return SORTIE_PROBLEME
    mise_a_jour = (
        f", mise à jour de la révision {fait.revision_sauvegarde} à {fait.revision}"
        if fait.revision_sauvegarde != fait.revision
        else ""
    )
    print(
        f"Base restaurée depuis {fait.fichier} ({_contenu(fait)}{mise_a_jour}).\n"
        f"Base visée : {_base_visee(moteur)}."
    )
    if not fait.empreinte:
        print(
            "Attention : cette sauvegarde, d'une version précédente de l'application, n'a pas "
            "d'empreinte SHA-256 : son contenu n'a pas pu être vérifié. Faites-en une nouvelle "
            "sauvegarde maintenant.",
            file=sys.stderr,
        )
    for appel_id in fait.purges_ramenees:
        print(
            f"Attention : les renseignements personnels de l'appel {appel_id}, purgés après "
            "cette sauvegarde, sont revenus. Refaites la purge maintenant : « python -m "
            f"evaluation appels purger {appel_id} » (avec --avant-echeance et --raison si "
            "l'échéance n'est pas atteinte).",
            file=sys.stderr,
        )
    return SORTIE_OK


def _executer(options, moteur, lancees: list) -> int:
    """La commande demandée, sur un moteur ouvert (fermé par `main`)."""
    if options.commande == "base":
        return _base(options, moteur)
    if options.commande == "comptes":
        return _comptes(options, moteur)
    if options.commande == "appels":
        return _appels(options, moteur)
    if options.commande == "tirage":
        return _tirage(options, moteur)
    from evaluation.appels.catalogue import AppelIntrouvable, resoudre_appel
    from evaluation.appels.configuration import ErreurAppel

    try:
        appel = resoudre_appel(getattr(options, "appel", None), moteur)
    except (AppelIntrouvable, ErreurAppel) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return SORTIE_USAGE

    if options.commande == "notes":
        return _notes(options, appel, moteur)

    if options.commande == "decisions":
        return _decisions_ministre(options, appel, moteur)

    if options.commande == "pieces":
        return _pieces(options, appel, moteur)

    if options.commande == "gabarit":
        from evaluation.depot.gabarit import construire_gabarit

        try:
            Path(options.sortie).write_bytes(construire_gabarit(appel))
        except OSError as exc:
            print(f"Impossible d'écrire {options.sortie} : {exc.strerror}.", file=sys.stderr)
            return SORTIE_USAGE
        print(f"Gabarit de l'appel {appel.id} écrit dans {options.sortie}.")
        return SORTIE_OK

    if options.commande == "exporter":
        return _exporter(options, appel, moteur)

    if options.commande == "classement":
        return _classement(options, appel, moteur)

    if options.commande == "demandes":
        return _demandes(options, appel, moteur)

    return _verifier_ou_importer(options, appel, moteur, lancees)


def _tirage(options, moteur) -> int:
    from evaluation.decision.tirages import verifier
    from evaluation.socle import formats
    from evaluation.socle.formats import pluriel

    verifications = verifier(moteur=moteur, appel_id=options.appel)
    if not verifications:
        print(
            "Aucun tirage au sort inscrit"
            + (f" pour l'appel {options.appel}." if options.appel else ".")
        )
        return SORTIE_OK
    for v in verifications:
        t = v.tirage
        graine = (t.enregistrement or {}).get("graine", "?")
        entete = (
            f"Appel {t.appel_id}, tirage n° {t.numero} du {formats.date_heure(t.date)} "
            f"par {t.auteur} (graine {graine}, {t.origine_graine})"
            + (f", raison : {t.raison}" if t.raison else "")
        )
        if v.conforme:
            print(f"{entete} : conforme.")
        else:
            print(f"{entete} : NON CONFORME.")
            for ecart in v.ecarts:
                print(f"  - {ecart}")
    differents = sum(not v.conforme for v in verifications)
    print(
        f"{pluriel(len(verifications), 'tirage rejoué', 'tirages rejoués')}, "
        + (
            f"{pluriel(differents, 'non conforme', 'non conformes')}."
            if differents
            else ("conforme." if len(verifications) == 1 else "tous conformes.")
        )
    )
    return SORTIE_PROBLEME if differents else SORTIE_OK


def _decisions_ministre(options, appel, moteur) -> int:
    """`decisions ministre approuver|modifier` : au nom de l'autorité, comme
    l'administration (rôle admin) ; l'auteur inscrit est l'utilisateur du système."""
    from evaluation.decision import decisions_ministre
    from evaluation.decision.financement import ErreurFinancement
    from evaluation.socle import stockage
    from evaluation.socle.formats import pluriel
    from evaluation.socle.roles import ADMIN

    with moteur.connect() as connexion:
        table = stockage.lire_demandes(appel.id, connexion=connexion)
    ids = dict(zip(table["no_demande"].astype(str), table["id"].astype(int), strict=True))
    voulues = options.demande if isinstance(options.demande, list) else [options.demande]
    if inconnues := [no for no in voulues if no.strip() not in ids]:
        print(
            f"Erreur : {', '.join(inconnues)} : aucune demande de ce numéro dans l'appel "
            f"{appel.id} (voir `python -m evaluation demandes`).",
            file=sys.stderr,
        )
        return SORTIE_USAGE
    commun = {
        "autorite": options.autorite,
        "jour": options.date,
        "moteur": moteur,
        "auteur": _auteur_cli(),
        "role": ADMIN,
    }
    try:
        if options.action == "approuver":
            n = decisions_ministre.approuver_en_lot(
                appel,
                [ids[no.strip()] for no in voulues] if voulues else None,
                raison=options.note,
                **commun,
            )
            print(
                pluriel(
                    n, "recommandation du comité approuvée", "recommandations du comité approuvées"
                )
                + f" par {options.autorite.strip()} (inscrit au journal)."
            )
        else:
            avertissements = decisions_ministre.decider(
                appel,
                ids[options.demande.strip()],
                options.decision,
                tuple(options.montant),
                options.raison,
                **commun,
            )
            print(
                f"Décision du ministère inscrite pour {options.demande.strip()} : "
                f"{options.decision} (inscrit au journal)."
            )
            for avertissement in avertissements:
                print(avertissement, file=sys.stderr)
    except ErreurFinancement as exc:
        print(f"Refusé ; rien n'a été enregistré : {exc}", file=sys.stderr)
        return SORTIE_PROBLEME
    return SORTIE_OK


MANQUE_DE_MEMOIRE = (
    "{archive} : le manque de mémoire a interrompu la lecture de l'archive ; rien n'a été "
    "importé. Répartissez les PDF dans plusieurs archives plus petites et importez-les l'une "
    "après l'autre."
)


def _pieces(options, appel, moteur) -> int:
    """`pieces importer ARCHIVE.zip` (au nom de l'administration, tout ou rien, journalisé)
    et `pieces lister`."""
    from evaluation.depot.importation_pieces import PiecesRefusees, en_vigueur, importer_pieces
    from evaluation.socle import stockage
    from evaluation.socle.roles import ADMIN

    if options.action == "lister":
        with moteur.connect() as connexion:
            lignes = stockage.lire_pieces(appel.id, connexion=connexion)
        pieces = en_vigueur(lignes)
        if not pieces:
            print(f"Aucune pièce jointe stockée pour l'appel {appel.id}.")
        for x in sorted(pieces.values(), key=lambda x: (x["no_demande"], x["nom_fichier"])):
            print(f"{x['no_demande']}\t{x['nom_fichier']}\t{x['taille']}\t{x['sha256']}")
        return SORTIE_OK
    chemin = Path(options.archive)
    if not chemin.is_file():
        print(f"Fichier introuvable : {options.archive}", file=sys.stderr)
        return SORTIE_USAGE
    try:
        compte_rendu = importer_pieces(
            appel,
            chemin.name,
            chemin.read_bytes(),
            moteur=moteur,
            auteur=options.auteur or _auteur_cli(),
            role=ADMIN,
        )
    except PiecesRefusees as exc:
        print("Archive refusée ; aucune pièce n'a été importée :", file=sys.stderr)
        for refus in exc.lecture.refus:
            print(f"- {refus.message}", file=sys.stderr)
        return SORTIE_PROBLEME
    except MemoryError:
        print(MANQUE_DE_MEMOIRE.format(archive=chemin.name), file=sys.stderr)
        return SORTIE_PROBLEME
    print(compte_rendu.texte())
    return SORTIE_OK


def _classement(options, appel, moteur) -> int:
    from evaluation.decision.chargement import charger as charger_classement
    from evaluation.decision.classement import classement, pour_fichier
    from evaluation.sorties.neutralisation import EXCEL, decimale_csv, texte_csv_forme
    from evaluation.sorties.tableaux import en_texte

    forme = getattr(options, "csv", None) or "donnees"
    # En texte, pour une personne : notes « 95,13 » et montants « 18 000,50 $ », comme les
    # pages (issue 19) ; en CSV, la forme choisie (« données » par défaut : point décimal).
    ecran = options.format != "csv"
    table = pour_fichier(
        classement(appel, charger_classement(appel, moteur=moteur)),
        appel,
        decimale_csv(forme),
        ecran=ecran,
    )
    if options.format == "csv":
        # L'indicateur d'ordre des octets (BOM) dit UTF-8 à Excel, comme le fichier de la page.
        sys.stdout.write(("\ufeff" if forme == EXCEL else "") + texte_csv_forme(table, forme))
    elif table.empty:
        print(f"Aucune demande stockée pour l'appel {appel.id}.")
    else:
        montants = (
            "note",
            "note_evaluateurs",
            "note_consensus",
            "ecart_type",
            *(c for c in table.columns if "an" in c[-3:]),
        )
        print(en_texte(table, a_droite=("rang", "n_evaluations", *montants)))
    return SORTIE_OK


def _demandes(options, appel, moteur) -> int:
    from evaluation.depot.gabarit import libelles_champs
    from evaluation.socle import stockage
    from evaluation.socle.champs import CHAMPS_MONTANT
    from evaluation.sorties.neutralisation import texte_csv
    from evaluation.sorties.tableaux import (
        avec_dimensions,
        cles_apercu,
        cles_sortie,
        demandes_pour_fichier,
        demandes_pour_personne,
        en_texte,
    )

    with moteur.connect() as connexion:
        table = stockage.lire_demandes(appel.id, connexion=connexion)
    if options.format == "csv":
        sys.stdout.write(texte_csv(demandes_pour_fichier(table, cles_sortie(appel), appel)))
    elif table.empty:
        print(f"Aucune demande stockée pour l'appel {appel.id}.")
    else:
        table = avec_dimensions(table, appel)
        enregistrements = table.astype(object).where(table.notna(), None).to_dict("records")
        for e in enregistrements:
            titre = e.get("titre") or ""
            e["titre"] = titre if len(titre) <= 45 else titre[:44] + "…"
        cles = cles_apercu(appel)
        sortie = demandes_pour_personne(enregistrements, cles, appel=appel)
        libelles = libelles_champs(appel)
        montants = tuple(libelles[c] for c in cles if c in CHAMPS_MONTANT)
        print(en_texte(sortie, a_droite=montants))
    return SORTIE_OK


def _verifier_ou_importer(options, appel, moteur, lancees: list) -> int:
    from evaluation.depot import correspondances as correspondances_colonnes
    from evaluation.depot.gabarit import colonnes_dimensions, libelles_champs
    from evaluation.depot.importation import DecisionsVerrouillees, importer
    from evaluation.depot.rapport import texte_importation, texte_verification
    from evaluation.depot.verification import message_erreur, verifier_lot
    from evaluation.socle import stockage

    try:
        correspondances = _correspondances(options.colonne, options.fichiers, appel)
    except ValueError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return SORTIE_USAGE
    with moteur.connect() as connexion:
        numeros = stockage.numeros_demandes(appel.id, connexion=connexion)
        identites = stockage.identites_demandes(appel.id, connexion=connexion)
        neq = stockage.neq_des_demandes(appel.id, connexion=connexion)
        retenues = stockage.lire_correspondances(appel.id, connexion=connexion)
        purgees = set(stockage.demandes_purgees(appel.id, connexion=connexion))
    memoire = correspondances_colonnes.valides(
        {empreinte: r["correspondance"] for empreinte, r in retenues.items()}, appel
    )
    verification = verifier_lot(
        lancees,
        appel,
        numeros_stockes=numeros,
        identites_stockees=identites,
        neq_stockes=neq,
        limites=_limites(options),
        correspondances=correspondances,
        memoire=memoire,
    )
    valides = getattr(options, "lignes_valides", False)
    print(f"Appel : {appel.nom_court} ({appel.id})")
    libelles = libelles_champs(appel) | {c.cle: c.entete for c in colonnes_dimensions(appel)}
    for tableau in (t for f in verification.lus for t in f.tableaux if t.memorisee):
        print(
            f"{correspondances_colonnes.ou(tableau.fichier, tableau.feuille)} : correspondance "
            "retenue pour les fichiers de même forme, appliquée : "
            + correspondances_colonnes.decrire(tableau.memorisee, libelles)
            + " (--colonne « EN-TÊTE=CLÉ » ou « EN-TÊTE= » pour la changer)."
        )
    print(texte_verification(verification, valides, purgees))
    code = SORTIE_OK if verification.sans_blocage else SORTIE_PROBLEME
    if options.commande == "verifier":
        return code
    gardees, lignes = verification.selection(valides)
    if not gardees and not lignes:
        print("Rien à importer.")
        return SORTIE_PROBLEME
    archive = None
    if options.pieces:
        # L'archive est vérifiée avant d'écrire quoi que ce soit, contre les numéros stockés
        # et ceux du lot : une archive refusée n'importe ni les demandes ni les pièces.
        from evaluation.depot.pieces_jointes import lire_archive

        chemin = Path(options.pieces)
        if not chemin.is_file():
            print(f"Fichier introuvable : {options.pieces}", file=sys.stderr)
            return SORTIE_USAGE
        try:
            archive = (chemin.name, chemin.read_bytes())
            lecture = lire_archive(
                *archive, numeros | {d.no_demande for d in gardees if d.no_demande}
            )
        except MemoryError:
            print(MANQUE_DE_MEMOIRE.format(archive=chemin.name), file=sys.stderr)
            return SORTIE_PROBLEME
        if lecture.refus:
            print(
                "Archive des pièces jointes refusée ; rien n'a été importé (ni demandes ni "
                "pièces) :",
                file=sys.stderr,
            )
            for refus in lecture.refus:
                print(f"- {refus.message}", file=sys.stderr)
            return SORTIE_PROBLEME
    try:
        rapport = importer(
            verification,
            appel,
            moteur=moteur,
            lignes_valides_seulement=valides,
            auteur=options.auteur,
            correspondances=correspondances,
        )
    except DecisionsVerrouillees as exc:  # un refus voulu, pas une panne
        print(f"Importation refusée ; rien n'a été enregistré : {exc}", file=sys.stderr)
        return SORTIE_PROBLEME
    except Exception as exc:  # la transaction est annulée : rien n'a été écrit
        print(
            "L'importation a échoué et a été annulée ; rien n'a été enregistré : "
            + message_erreur(exc),
            file=sys.stderr,
        )
        return SORTIE_PROBLEME
    print(texte_importation(rapport))
    for (fichier, feuille), relie in rapport.correspondances_retenues.items():
        nom = correspondances_colonnes.ou(fichier, feuille)
        print(
            f"{nom} : correspondance retenue pour les prochains fichiers de même forme : "
            + correspondances_colonnes.decrire(relie, libelles)
            + "."
            if relie
            else f"{nom} : correspondance retenue pour les fichiers de cette forme effacée."
        )
    if archive is not None:
        from evaluation.depot.importation_pieces import PiecesRefusees, importer_pieces
        from evaluation.socle.roles import ADMIN

        try:
            compte_rendu = importer_pieces(
                appel,
                *archive,
                moteur=moteur,
                auteur=options.auteur or _auteur_cli(),
                role=ADMIN,
            )
        except PiecesRefusees as exc:
            print(
                "Les demandes sont importées, mais les pièces jointes ont été refusées ; "
                "aucune pièce n'a été importée :",
                file=sys.stderr,
            )
            for refus in exc.lecture.refus:
                print(f"- {refus.message}", file=sys.stderr)
            return SORTIE_PROBLEME
        print(compte_rendu.texte())
    return code


def lancer() -> None:
    """Le point d'entrée de `python -m evaluation`."""
    try:
        sys.exit(main(processus_dedie=True))
    except BrokenPipeError:  # « ... demandes | head » : le lecteur a fermé, rien à signaler
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
