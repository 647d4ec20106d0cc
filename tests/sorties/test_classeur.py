"""Le classeur Excel du comité (evaluation/sorties/classeur.py), relu par openpyxl et par un second
tableur (LibreOffice) : feuilles, valeurs, formats, tableau filtrable, ligne de financement,
graphiques, paramètres ; textes hostiles (= + - @ tabulation retour chariot) gardés comme texte
inerte ; ni formule, ni lien externe, ni macro ; commande `exporter` ; CSV neutralisés.

Le jeu, sur une vraie base (valide.xlsx, enveloppe ramenée à 60 000 $ puis 35 000 $ ; poids
25, 20, 15, 15, 15, 10 ; total = Σ poids × note / 10) :

- T-002 (conjoint, 30 000 $ + 30 000 $) : 9 partout chez e1 et e2 → 90 : rang 1, financé ;
  décision « retenu » à 30 000 $ + 30 000 $ ;
- T-001 (20 000 $) : pertinence 10 (e1) et 5 (e2), 8 ailleurs → (25 × 7,5 + 75 × 8) / 10
  = 78,75 : rang 2, financé (cumul 50 000 $ sur 60 000 $), à discuter (étendue 5 en
  pertinence) ; décision « refusé » ;
- T-003 (18 000,50 $) : 7 partout → 70 : rang 3, liste d'attente (cumul 68 000,50 $) ;
  décision « retenu » à 18 000,50 $.

La ligne de financement passe donc sous T-001 : la ligne 6 du classeur (en-têtes en ligne 4).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from evaluation.appels.configuration import (
    Dimension,
    ValeurDimension,
    appel_depuis_toml,
    charger_appel,
)
from evaluation.commandes import main
from evaluation.decision import chargement, classement, decisions, financement, portefeuille
from evaluation.depot import echeance
from evaluation.depot.importation import importer
from evaluation.depot.municipalites import repertoire as charger_repertoire
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import stockage
from evaluation.sorties import classeur as exportation
from evaluation.sorties import neutralisation
from evaluation.sorties.classeur import ajouter_tableau
from evaluation.sorties.neutralisation import csv_sans_formules
from tests.conftest import DONNEES, RACINE_PROJET, manque
from tests.filtrage import admettre
from tests.ministere import approuver_les_recommandations

VALIDE = DONNEES / "formats" / "valide.xlsx"
APPEL_ID = "paivmq-2023-2024"
ENVELOPPE_LIVREE = "enveloppe = [750000, 500000]"
INSTANT = dt.datetime(2026, 11, 24, 14, 5)
AUTEUR = "presidence@exemple.qc.ca"
E1, E2 = "e1@exemple.qc.ca", "e2@exemple.qc.ca"

HYPERLIEN = '=HYPERLINK("http://x","Cliquez")'
# Ce qu'un tableur peut prendre pour une formule : = + - @ (pleine chasse comprise) après
# d'éventuels blancs, ou une tabulation, un retour chariot, un saut de ligne en tête.
DEBUT_FORMULE = re.compile(r"[\t\r\n]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20\u2212]")
HOSTILES = [HYPERLIEN, "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
# Les textes hostiles du jeu, posés sur la table du classement avant l'exportation.
TITRES = {"T-002": HYPERLIEN, "T-001": "+1+1", "T-003": "-2"}
MUNICIPALITES = {"T-002": "@SUM(A1)", "T-001": "\t=1", "T-003": "\r=1"}
# Commentaires d'évaluateurs (la saisie retire les blancs de tête : pas de tabulation ici).
COMMENTAIRE_GLOBAL = HYPERLIEN
COMMENTAIRES = {"pertinence": "+1+1", "coherence": "-2", "visibilite": "@SUM(A1)"}
JUSTIFICATION_T001 = "@SUM(A1)"
JUSTIFICATION_T003 = "Seul projet de l'Outaouais."

FEUILLES = ["Classement", "Budget", "Par axe", "Par secteur", "Par région", "Paramètres"]
FEUILLES_AVEC_EVALUATIONS = [*FEUILLES[:5], "Évaluations", "Paramètres"]
# La ligne de commande et la page y ajoutent les dépenses retirées du budget admissible, et,
# dès qu'une demande est retenue (T-002 et T-003 ici), le suivi des conventions (issue 17).
FEUILLES_COMMANDE = [*FEUILLES[:2], "Dépenses retirées", *FEUILLES[2:5], "Suivi des conventions"]
FEUILLES_COMMANDE += ["Paramètres"]
FEUILLES_COMMANDE_AVEC_EVALUATIONS = [*FEUILLES_COMMANDE[:7], "Évaluations", "Paramètres"]
CRITERES_COURTS = ["Pertinence", "Cohérence", "Qualité", "Caractère", "Capacité", "Visibilité"]
EN_TETES = [
    "Rang",
    "No de demande",
    "Titre",
    "Municipalité",
    "Région",
    "Axe",
    "Secteur",
    *CRITERES_COURTS,
    "Total",
    "Note (moyenne des évaluateurs)",
    "Note de consensus",
    "Évaluations",
    "Écart-type",
    "À discuter",
    "Statut",
    "Date de dépôt",
    "Dépôt",
    "Retard (jours)",
    "Part contribution du demandeur",
    "Part financement externe",
    "Demandé an 1",
    "Non admissible an 1",
    "À confirmer an 1",
    "Admissible an 1",
    "Recommandé an 1",
    "Accordé an 1",
    "Cumul an 1",
    "Demandé an 2",
    "Non admissible an 2",
    "À confirmer an 2",
    "Admissible an 2",
    "Recommandé an 2",
    "Accordé an 2",
    "Cumul an 2",
    "Bonification",
    "Recommandation du comité",
    "Justification du comité",
    "Écart à la recommandation",
    "Décision du ministère",
    "Ministère an 1",
    "Ministère an 2",
    "Raison du ministère",
    "Autorité",
    "Date de la décision du ministère",
]
COLONNES_MONTANT = [
    t
    for t in EN_TETES
    if re.match(
        r"(Demandé|Non admissible|À confirmer|Admissible|Recommandé|Accordé|Cumul|Ministère) an ", t
    )
    or t == "Bonification"
]
FORMAT_MONTANT = '#,##0 "$"'
HAUT = 4  # ligne des en-têtes de la feuille Classement


# --- Le jeu -----------------------------------------------------------------------------------


def appel_du_jeu():
    """L'appel livré, avec une enveloppe de 60 000 $ puis 35 000 $."""
    livre = charger_appel()
    assert ENVELOPPE_LIVREE in livre.source_toml
    return appel_depuis_toml(
        livre.source_toml.replace(ENVELOPPE_LIVREE, "enveloppe = [60000, 35000]"), "test"
    )


@dataclass
class Jeu:
    appel: object
    table: pd.DataFrame  # le classement, textes hostiles posés
    donnees: object
    evaluations: pd.DataFrame  # exportation.evaluations_pour_export
    ids: dict[str, int]


def construire(moteur, appel) -> Jeu:
    """Le jeu décrit en tête du module, sur `moteur` (base vide)."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent et se classent
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))

    def soumettre(no, evaluateur, note, pertinence=None, **champs):
        notes = {c.id: note for c in appel.criteres}
        if pertinence is not None:
            notes["pertinence"] = pertinence
        saisie = Saisie(notes=notes, admissible=True, **champs)
        evaluations.enregistrer(appel, ids[no], evaluateur, saisie, SOUMISE, moteur=moteur)

    soumettre(
        "T-002", E1, 9.0, commentaire_global=COMMENTAIRE_GLOBAL, commentaires=dict(COMMENTAIRES)
    )
    soumettre("T-002", E2, 9.0)
    soumettre("T-001", E1, 8.0, pertinence=10.0)
    soumettre("T-001", E2, 8.0, pertinence=5.0)
    soumettre("T-003", E1, 7.0)
    soumettre("T-003", E2, 7.0)
    # Projet conjoint : 5 000 $ de bonification fixés par la présidence (plafond 30 000 $).
    decisions.fixer_bonification(
        appel, ids["T-002"], 500_000, "trois municipalités", moteur=moteur, auteur=AUTEUR
    )
    decisions.enregistrer_decision(
        appel,
        ids["T-002"],
        financement.RETENU,
        (3_000_000, 3_000_000),
        "",
        recommandation=(financement.FINANCE, (3_000_000, 3_000_000)),
        moteur=moteur,
        auteur=AUTEUR,
    )
    decisions.enregistrer_decision(
        appel,
        ids["T-001"],
        financement.REFUSE,
        (),
        JUSTIFICATION_T001,
        recommandation=(financement.FINANCE, (2_000_000, 0)),
        moteur=moteur,
        auteur=AUTEUR,
    )
    decisions.enregistrer_decision(
        appel,
        ids["T-003"],
        financement.RETENU,
        (1_800_050, 0),
        JUSTIFICATION_T003,
        recommandation=(financement.ATTENTE, (1_800_050, 0)),
        moteur=moteur,
        auteur=AUTEUR,
    )
    donnees = chargement.charger(appel, moteur=moteur)
    table = classement.classement(appel, donnees)
    table["titre"] = table["no_demande"].map(TITRES)
    table["municipalite"] = table["no_demande"].map(MUNICIPALITES)
    with moteur.connect() as c:
        notes = stockage.lire_notes_completes(appel.id, connexion=c)
    numeros = {i: no for no, i in ids.items()}
    evals = exportation.evaluations_pour_export(notes, donnees.evaluations, numeros)
    return Jeu(appel, table, donnees, evals, ids)


def exporter(jeu: Jeu, *, avec_evaluations: bool = True, **options) -> bytes:
    return exportation.classeur(
        jeu.appel,
        jeu.table,
        poids=jeu.donnees.poids,
        auteur=options.pop("auteur", AUTEUR),
        instant=INSTANT,
        evaluations=jeu.evaluations if avec_evaluations else None,
        n_evaluations=len(jeu.donnees.evaluations),
        populations=portefeuille.populations_par_region(charger_repertoire().municipalites),
        **options,
    )


@pytest.fixture(scope="module")
def jeu(tmp_path_factory) -> Jeu:
    """Le jeu sur SQLite, une fois pour le module (les tests ne font que lire)."""
    moteur = stockage.creer_moteur(f"sqlite:///{tmp_path_factory.mktemp('jeu') / 'base.sqlite'}")
    try:
        return construire(moteur, appel_du_jeu())
    finally:
        moteur.dispose()


@pytest.fixture(scope="module")
def contenu(jeu) -> bytes:
    return exporter(jeu)


@pytest.fixture(scope="module")
def livre(contenu):
    return load_workbook(io.BytesIO(contenu))


def lignes_du_tableau(feuille, haut: int) -> list[dict]:
    """Les lignes sous les en-têtes de la ligne `haut`, en dictionnaires {en-tête: cellule}."""
    en_tetes = [c.value for c in feuille[haut]]
    return [
        dict(zip(en_tetes, ligne, strict=True))
        for ligne in feuille.iter_rows(min_row=haut + 1, max_row=feuille.max_row)
    ]


def valeurs(feuille, haut: int) -> list[dict]:
    return [{k: c.value for k, c in ligne.items()} for ligne in lignes_du_tableau(feuille, haut)]


def texte_ooxml(valeur):
    """Le texte tel qu'Excel, LibreOffice et calamine le lisent : OOXML écrit un caractère de
    contrôle « _xHHHH_ » (ECMA-376, ST_Xstring) ; openpyxl ne décode pas cet échappement, on
    le décode ici (le jeu n'a pas de « _x » littéral : voir test_un_x_litteral_reste_litteral)."""
    if not isinstance(valeur, str):
        return valeur
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), valeur)


def parametres(feuille) -> dict:
    """Le bloc « clé : valeur » en tête de la feuille (jusqu'à la première ligne vide)."""
    lu = {}
    for ligne in feuille.iter_rows(min_row=3):
        if not ligne[0].value:
            break
        lu[ligne[0].value] = ligne[1]
    return lu


def bloc(feuille, titre: str) -> list[list]:
    """Les lignes du tableau qui suit le titre `titre` (en-tête compris), jusqu'à la
    première ligne vide."""
    lignes, dedans = [], False
    for ligne in feuille.iter_rows(values_only=True):
        if ligne[0] == titre:
            dedans = True
            continue
        if dedans:
            if not ligne[0]:
                break
            lignes.append(list(ligne[:5]))
    return lignes


# --- Nom, feuilles ---------------------------------------------------------------------------


def test_nom_du_fichier(appel):
    assert (
        exportation.nom_fichier(appel, dt.date(2026, 11, 24))
        == "paivmq-2023-2024_classement_2026-11-24.xlsx"
    )


def test_feuilles_avec_et_sans_evaluations(jeu, livre):
    assert livre.sheetnames == FEUILLES_AVEC_EVALUATIONS
    sans = load_workbook(io.BytesIO(exporter(jeu, avec_evaluations=False)))
    assert sans.sheetnames == FEUILLES


# --- Classement --------------------------------------------------------------------------------


def test_titre_poids_et_ligne_de_financement_annoncee(livre):
    f = livre["Classement"]
    assert f["A1"].value == "Classement — PAIVMQ 2023-2024 — 24 novembre 2026"
    assert f["A2"].value == (
        "Poids : Pertinence 25, Cohérence 20, Qualité 15, Caractère 15, Capacité 15, "
        "Visibilité 10 ; seuil 60 / 100"
    )
    assert f["A3"].value == "Ligne de financement sous la ligne 6 (rang 2)."
    assert [c.value for c in f[HAUT]] == EN_TETES
    assert all(c.font.bold for c in f[HAUT])


def test_rangs_valeurs_et_montants_en_dollars(livre):
    lignes = valeurs(livre["Classement"], HAUT)
    assert [(r["Rang"], r["No de demande"]) for r in lignes] == [
        (1, "T-002"),
        (2, "T-001"),
        (3, "T-003"),
    ]
    t2, t1, t3 = lignes
    assert [t2["Total"], t1["Total"], t3["Total"]] == pytest.approx([90.0, 78.75, 70.0])
    assert [t1[c] for c in CRITERES_COURTS] == pytest.approx([7.5, 8, 8, 8, 8, 8])
    assert [r["Évaluations"] for r in lignes] == [2, 2, 2]
    assert [r["Statut"] for r in lignes] == ["financé", "financé", "liste d'attente"]
    assert [r["À discuter"] for r in lignes] == [None, "à discuter", None]
    assert [r["Région"] for r in lignes] == ["Estrie", "Bas-Saint-Laurent", "Outaouais"]
    assert [r["Axe"] for r in lignes] == [1, 2, 3]
    assert [r["Recommandation du comité"] for r in lignes] == ["retenu", "refusé", "retenu"]
    assert [r["Justification du comité"] for r in lignes] == [
        None,
        JUSTIFICATION_T001,
        JUSTIFICATION_T003,
    ]
    # Sans décision du ministère (issue 17), ses colonnes sont vides.
    assert [r["Décision du ministère"] for r in lignes] == [None, None, None]
    # Montants en dollars (les cents de la base divisés par 100), pas en cents.
    assert [r["Demandé an 1"] for r in lignes] == [30000, 20000, 18000.5]
    assert [r["Recommandé an 1"] for r in lignes] == [30000, 20000, 18000.5]
    assert [r["Cumul an 1"] for r in lignes] == [30000, 50000, 68000.5]
    assert [r["Demandé an 2"] for r in lignes] == [30000, None, None]
    assert [r["Recommandé an 2"] for r in lignes] == [30000, 0, 0]
    assert [r["Cumul an 2"] for r in lignes] == [30000, 30000, 30000]
    assert [r["Accordé an 1"] for r in lignes] == [30000, 0, 18000.5]
    assert [r["Accordé an 2"] for r in lignes] == [30000, 0, 0]
    # Chaque source du montage financier pour elle-même, en part du coût total : « une
    # contribution du demandeur ou la présence de cofinancement est attendue » ; « Si les
    # projets ont reçu un financement externe, cela représente un atout. »
    assert [r["Part contribution du demandeur"] for r in lignes] == pytest.approx(
        [20000 / 90000, 15000 / 40000, 11999.5 / 30000]
    )
    assert [r["Part financement externe"] for r in lignes] == pytest.approx(
        [10000 / 90000, 5000 / 40000, 0]
    )


@pytest.mark.parametrize(
    ("date_depot", "presumee", "date", "etat", "retard"),
    [
        (dt.date(2024, 2, 29), False, "29 février 2024", "à temps", None),
        (dt.date(2024, 3, 1), False, "1er mars 2024", "à temps", None),
        (dt.date(2024, 3, 4), False, "4 mars 2024", "3 jours de retard", 3),
        (dt.date(2024, 3, 20), True, "20 mars 2024 (présumée)", "à vérifier (date présumée)", None),
        (None, None, None, "—", None),
    ],
)
def test_colonnes_du_depot(jeu, date_depot, presumee, date, etat, retard):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : la feuille
    Classement dit la date de dépôt, l'état (à temps le 1er mars même) et les jours de
    retard, calculés par le classement."""
    avec_depot = jeu.table.assign(date_depot=date_depot, date_depot_presumee=presumee)
    depots = echeance.etats(avec_depot, jeu.appel)
    for colonne in depots.columns:
        avec_depot[colonne] = depots[colonne].to_numpy()
    contenu = exportation.classeur(
        jeu.appel, avec_depot, poids=jeu.donnees.poids, auteur=AUTEUR, instant=INSTANT
    )
    lignes = valeurs(load_workbook(io.BytesIO(contenu))["Classement"], HAUT)
    assert {(r["Date de dépôt"], r["Dépôt"], r["Retard (jours)"]) for r in lignes} == {
        (date, etat, retard)
    }


def test_formats_des_nombres(livre):
    for ligne in lignes_du_tableau(livre["Classement"], HAUT):
        for titre in COLONNES_MONTANT:
            if ligne[titre].value is not None:
                assert ligne[titre].number_format == FORMAT_MONTANT, titre
        for titre in CRITERES_COURTS:
            assert ligne[titre].number_format == "0.00", titre
        assert ligne["Écart-type"].number_format == "0.00"
        assert ligne["Total"].number_format == "0.00"
        assert ligne["Rang"].number_format == "General"
        assert ligne["Part financement externe"].number_format == "0.0 %"
        assert ligne["Part contribution du demandeur"].number_format == "0.0 %"
    budget = livre["Budget"]
    for ligne in lignes_du_tableau(budget, 3):
        assert {c.number_format for t, c in ligne.items() if t != "Année"} == {FORMAT_MONTANT}
    for nom in ("Par axe", "Par secteur", "Par région"):
        for ligne in lignes_du_tableau(livre[nom], 3):
            assert ligne["Demandé"].number_format == FORMAT_MONTANT
            assert ligne["Financé"].number_format == FORMAT_MONTANT
            assert ligne["Part de l'enveloppe"].number_format == "0.0 %"
            assert ligne["Taux de succès"].number_format in ("0.0 %", "General")  # vide : General


def test_tableau_filtrable_et_volets_figes(livre):
    f = livre["Classement"]
    assert list(f.tables) == ["Classement"]
    tableau = f.tables["Classement"]
    assert tableau.ref == "A4:AW7"  # en-têtes et les trois demandes, 49 colonnes
    assert tableau.autoFilter is not None and tableau.autoFilter.ref == "A4:AW7"
    assert [c.name for c in tableau.tableColumns] == EN_TETES
    assert f.freeze_panes == "C5"
    assert f.print_title_rows == "$4:$4"
    assert f.page_setup.orientation == "landscape"
    for nom, ref in (("Budget", "A3:G6"), ("Par_region", "A3:H20"), ("Evaluations", "A3:Q9")):
        (feuille,) = [w for w in livre.worksheets if nom in w.tables]
        assert feuille.tables[nom].ref == ref


def test_trait_de_la_ligne_de_financement(livre):
    f = livre["Classement"]
    ligne = HAUT + 2  # T-001, la dernière financée
    for cellule in f[ligne]:
        assert cellule.border.bottom.style == "thick", cellule.coordinate
        assert cellule.border.bottom.color.rgb.endswith("C00000")
    for autre in (HAUT + 1, HAUT + 3):
        assert {c.border.bottom.style for c in f[autre]} == {None}


def test_couleurs_par_statut(livre):
    regles = [
        (str(cf.sqref), r.type, r.formula, r.dxf.fill.bgColor.rgb[-6:])  # dxf uni : bgColor
        for cf in livre["Classement"].conditional_formatting
        for r in cf.rules
    ]
    assert regles == [
        ("A5:AW7", "expression", ['$T5="financé"'], "E2EFDA"),
        ("A5:AW7", "expression", ['$T5="liste d\'attente"'], "FCE4D6"),
        ("A5:AW7", "expression", ['$T5="sous le seuil"'], "EDEDED"),
        ("A5:AW7", "expression", ['$T5="non évalué"'], "EDEDED"),
        ("A5:AW7", "expression", ['$T5="inadmissible"'], "EDEDED"),
    ]


def test_decision_du_ministere_a_cote_de_la_recommandation(jeu):
    """Issue 17 : la décision du ministère à côté de la recommandation du comité ; sa raison
    (texte saisi) reste du texte ; le budget « accordé » suit la décision qui vaut."""
    table = jeu.table.copy()
    ministre = [
        {
            "id": 1,
            "demande_id": jeu.ids["T-001"],
            "decision": financement.RETENU,
            "montant_an1": 1_500_000,
            "montant_an2": 0,
            "raison": "=1+1",
            "autorite": "Marie Ministre",
            "decision_comite_id": None,
            "date": dt.datetime(2026, 12, 1, 10),
            "auteur": "ministre@x.ca",
        }
    ]
    classement.colonnes_ministere(table, jeu.donnees.decisions, ministre)
    contenu = exportation.classeur(
        jeu.appel, table, poids=jeu.donnees.poids, auteur=AUTEUR, instant=INSTANT
    )
    wb = load_workbook(io.BytesIO(contenu))
    t1 = next(
        r for r in lignes_du_tableau(wb["Classement"], HAUT) if r["No de demande"].value == "T-001"
    )
    assert t1["Recommandation du comité"].value == financement.REFUSE
    assert t1["Décision du ministère"].value == financement.RETENU
    assert t1["Ministère an 1"].value == 15000 and t1["Ministère an 2"].value == 0
    assert t1["Ministère an 1"].number_format == FORMAT_MONTANT
    assert t1["Raison du ministère"].value == "=1+1" and t1["Raison du ministère"].data_type == "s"
    assert t1["Autorité"].value == "Marie Ministre"
    assert t1["Date de la décision du ministère"].value == "1er décembre 2026"
    budget = valeurs(wb["Budget"], 3)
    # 48 000,50 $ recommandés par le comité, plus les 15 000 $ que le ministère accorde à T-001.
    assert budget[0]["Accordé (décisions)"] == 63000.5


# --- Budget, répartitions, graphiques ----------------------------------------------------------


def test_budget(livre):
    assert valeurs(livre["Budget"], 3) == [
        {
            "Année": "2024-2025",
            "Enveloppe": 60000,
            "Demandé": 68000.5,
            "Recommandé (ligne)": 50000,
            "Accordé (décisions)": 48000.5,
            "Restant (ligne)": 10000,
            "Restant (décisions)": 11999.5,
        },
        {
            "Année": "2025-2026",
            "Enveloppe": 35000,
            "Demandé": 30000,
            "Recommandé (ligne)": 30000,
            "Accordé (décisions)": 30000,
            "Restant (ligne)": 5000,
            "Restant (décisions)": 5000,
        },
        {
            "Année": "Total",
            "Enveloppe": 95000,
            "Demandé": 98000.5,
            "Recommandé (ligne)": 80000,
            "Accordé (décisions)": 78000.5,
            "Restant (ligne)": 15000,
            "Restant (décisions)": 16999.5,
        },
    ]


def test_graphique_sur_chaque_repartition(livre, contenu):
    for nom in livre.sheetnames:
        attendu = 1 if nom.startswith("Par ") else 0
        assert len(livre[nom]._charts) == attendu, nom
    with zipfile.ZipFile(io.BytesIO(contenu)) as z:
        graphiques = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(graphiques) == 3
    (graphique,) = livre["Par région"]._charts
    (serie,) = graphique.series
    assert serie.val.numRef.f == "'Par région'!$E$4:$E$20"  # la colonne Financé, 17 régions
    assert serie.cat.strRef.f == "'Par région'!$A$4:$A$20"  # les noms des régions
    assert serie.tx.strRef.f == "'Par région'!$E$3"  # titre de la série : l'en-tête « Financé »


def test_par_region_dix_sept_lignes(jeu, livre):
    lignes = valeurs(livre["Par région"], 3)
    assert len(lignes) == 17
    assert [r["Région"] for r in lignes] == [r.nom for r in jeu.appel.regions]
    par_nom = {r["Région"]: r for r in lignes}
    assert par_nom["Estrie"] | {"Part de l'enveloppe": None} == {
        "Région": "Estrie",
        "Demandes": 1,
        "Financées": 1,
        "Demandé": 60000,
        "Financé": 60000,
        "Part de l'enveloppe": None,
        "Note moyenne": 90,
        "Taux de succès": 1,
    }
    assert par_nom["Estrie"]["Part de l'enveloppe"] == pytest.approx(60000 / 95000)
    assert par_nom["Outaouais"]["Financé"] == 0 and par_nom["Outaouais"]["Demandé"] == 18000.5
    assert par_nom["Laval"]["Demandes"] == 0 and par_nom["Laval"]["Note moyenne"] is None


def test_par_axe_et_par_secteur(livre):
    axes = valeurs(livre["Par axe"], 3)
    assert [(r["Axe"], r["Demandes"], r["Financées"], r["Financé"]) for r in axes[:3]] == [
        ("Axe 1", 1, 1, 60000),
        ("Axe 2", 1, 1, 20000),
        ("Axe 3", 1, 0, 0),
    ]
    secteurs = {r["Secteur"]: r for r in valeurs(livre["Par secteur"], 3)}
    assert secteurs["Francophonie"]["Financé"] == 60000
    assert secteurs["Innovation"]["Financé"] == 20000
    assert secteurs["Mobilité durable"]["Demandé"] == 18000.5


# --- Évaluations, paramètres --------------------------------------------------------------------


def test_feuille_evaluations(livre):
    f = livre["Évaluations"]
    lignes = valeurs(f, 3)
    assert [(r["No de demande"], r["Évaluateur"], r["Statut"]) for r in lignes] == [
        ("T-001", E1, "soumise"),
        ("T-001", E2, "soumise"),
        ("T-002", E1, "soumise"),
        ("T-002", E2, "soumise"),
        ("T-003", E1, "soumise"),
        ("T-003", E2, "soumise"),
    ]
    assert [r["Total"] for r in lignes] == pytest.approx([85, 72.5, 90, 90, 70, 70])
    assert [r["Pertinence et retombées"] for r in lignes[:2]] == [10, 5]
    t2 = lignes[2]
    assert t2["Commentaire global"] == COMMENTAIRE_GLOBAL
    assert t2["Commentaire : Pertinence et retombées"] == COMMENTAIRES["pertinence"]
    assert t2["Commentaire : Cohérence avec les priorités du ministère"] == "-2"
    assert t2["Commentaire : Visibilité et rayonnement"] == "@SUM(A1)"
    assert lignes[3]["Commentaire global"] is None
    for ligne in lignes_du_tableau(f, 3):
        assert ligne["Total"].number_format == "0.00"
        assert ligne["Qualité du dossier"].number_format == "0.00"


def test_parametres_disent_comment_le_fichier_a_ete_produit(jeu, livre):
    p = parametres(livre["Paramètres"])
    assert livre["Paramètres"]["A1"].value == "Paramètres — PAIVMQ 2023-2024"
    assert p["Appel"].value == APPEL_ID
    assert p["Nom"].value == jeu.appel.nom
    assert p["Exporté le"].value == "24 novembre 2026 à 14 h 05"
    assert p["Exporté par"].value == AUTEUR
    assert p["Évaluations stockées"].value == 6
    assert p["Filtres appliqués"].value == "aucun (tout l'appel)"
    assert p["Seuil global"].value == "60 / 100"
    assert p["Agrégation des notes"].value == "moyenne"
    assert p["Échelle"].value == "0 à 10, pas de 0,5"
    poids = {c.libelle: p[f"Poids : {c.libelle}"].value for c in jeu.appel.criteres}
    assert list(poids.values()) == [25, 20, 15, 15, 15, 10]
    assert p["Départage"].value.startswith("note plus haute en « Pertinence et retombées »")
    assert p["Ligne de financement"].value == "stricte"
    assert (p["Plafond annuel"].value, p["Plafond annuel"].number_format) == (
        25000,
        FORMAT_MONTANT,
    )
    bonification = next(k for k in p if k.startswith("Bonification maximale"))
    assert p[bonification].value == 10000
    assert (p["Enveloppe 2024-2025"].value, p["Enveloppe 2025-2026"].value) == (60000, 35000)
    assert p["Enveloppe 2024-2025"].number_format == FORMAT_MONTANT
    assert p["À discuter"].value == "étendue ≥ 4 sur un critère ou ≥ 20 sur le total"
    assert p["Date limite de dépôt"].value.startswith(
        "1er mars 2024 : une demande déposée ce jour-là est à temps"
    )
    # « une ou deux années financières débutant le 1er avril 2024 et se terminant le
    # 31 mars 2025 » : la lecture retenue, dite comme une interprétation.
    assert p["Années financières"].value.startswith("Interprétation retenue : ")
    assert p["Années financières"].value.endswith(
        "année 1 : du 1er avril 2024 au 31 mars 2025 ; année 2 : du 1er avril 2025 au 31 mars 2026."
    )


def test_parametres_listent_la_source_de_chaque_reglage(jeu):
    """La feuille Paramètres dit la source de chaque réglage (la phrase de l'appel, le choix
    du comité, l'interprétation et sa lecture) et s'il est confirmé."""
    seuil = next(r for r in jeu.appel.reglages if r.chemin == "evaluation.seuil_global")
    confirmees = {
        seuil.chemin: {"empreinte": seuil.empreinte, "date": INSTANT, "auteur": "admin@x.ca"}
    }
    contenu = exportation.classeur(
        jeu.appel,
        jeu.table,
        poids=jeu.appel.poids,
        auteur=AUTEUR,
        instant=INSTANT,
        confirmations=confirmees,
    )
    lignes = bloc(load_workbook(io.BytesIO(contenu))["Paramètres"], "Sources des réglages")
    assert lignes[0] == ["Réglage", "Valeur", "Source", "Citation, lecture ou note", "Confirmation"]
    par_libelle = {ligne[0]: ligne for ligne in lignes[1:]}
    assert len(par_libelle) == len(jeu.appel.reglages)
    plafond = par_libelle["Plafond annuel"]
    assert plafond[2:] == [
        "texte de l'appel",
        "« La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par "
        "année dans le cas d’une initiative portée par une seule ville. »",
        "fixé par l'appel",
    ]
    annee = par_libelle["Début de la première année financière"]
    assert annee[2] == "interprétation" and "lecture retenue : la première année" in annee[3]
    assert annee[4] == "non confirmé"
    assert par_libelle["Seuil global (sur 100)"][2:5:2] == [
        "réglage du comité",
        "confirmé le 24 novembre 2026 par admin@x.ca",
    ]


def test_historique_des_poids_et_rang_sous_les_poids_de_l_appel(jeu):
    """Les poids changés après la notation : l'historique (qui, quand, pourquoi) et le rang
    sous les pondérations de l'appel, à côté du rang officiel."""
    table = jeu.table.copy()
    table["rang_appel"] = table["rang"].astype("Int64")
    classees = table["rang"].notna()
    table.loc[classees, "rang_appel"] = table.loc[classees, "rang"].astype(int)[::-1].to_numpy()
    historique = [
        {
            "date": INSTANT,
            "auteur": "admin@x.ca",
            "poids": {c.id: 100 / 6 for c in jeu.appel.criteres},
            "poids_avant": jeu.appel.poids,
            "raison": "Critères jugés d'égale importance",
            "apres_notation": True,
        }
    ]
    contenu = exportation.classeur(
        jeu.appel,
        table,
        poids=jeu.appel.poids,
        auteur=AUTEUR,
        instant=INSTANT,
        ponderations=historique,
    )
    wb = load_workbook(io.BytesIO(contenu))
    lignes = bloc(wb["Paramètres"], "Historique des pondérations")
    assert lignes[0] == ["Date", "Par", "Poids", "Raison", "Après la notation"]
    assert lignes[1][2:4] == [
        "Pertinence 25, Cohérence 20, Qualité 15, Caractère 15, Capacité 15, Visibilité 10",
        "pondérations de l'appel",
    ]
    assert lignes[2][:2] == ["24 novembre 2026 à 14 h 05", "admin@x.ca"]
    assert lignes[2][3:] == ["Critères jugés d'égale importance", "oui"]
    en_tetes = [c.value for c in wb["Classement"][4]]
    assert en_tetes[:3] == ["Rang", exportation.RANG_APPEL, "No de demande"]
    # Sans changement après la notation, pas de colonne en double.
    sans = exportation.classeur(
        jeu.appel, jeu.table, poids=jeu.appel.poids, auteur=AUTEUR, instant=INSTANT
    )
    en_tetes = [c.value for c in load_workbook(io.BytesIO(sans))["Classement"][4]]
    assert exportation.RANG_APPEL not in en_tetes


def test_parametres_nomment_les_filtres_et_les_poids_simules(jeu):
    poids = {c.id: 100 / 6 for c in jeu.appel.criteres} | {"pertinence": 30.0}
    contenu = exportation.classeur(
        jeu.appel,
        jeu.table.iloc[[2]],
        poids=poids,
        auteur=AUTEUR,
        instant=INSTANT,
        filtres="axe : 3",
    )
    wb = load_workbook(io.BytesIO(contenu))
    p = parametres(wb["Paramètres"])
    assert p["Filtres appliqués"].value == "axe : 3"
    assert p["Poids : Pertinence et retombées"].value == 30
    assert wb["Classement"]["A2"].value.startswith("Poids : Pertinence 30, Cohérence 16,67, ")
    assert [r["No de demande"] for r in valeurs(wb["Classement"], HAUT)] == ["T-003"]
    assert wb["Classement"]["A3"].value is None  # aucune financée : pas de trait
    assert wb["Classement"].tables["Classement"].ref == "A4:AW5"


def test_classement_vide(appel):
    """Aucune demande : un classeur lisible quand même, tableau d'une ligne vide."""
    moteur = stockage.creer_moteur("sqlite://")
    try:
        donnees = chargement.charger(appel, moteur=moteur)
        table = classement.classement(appel, donnees)
    finally:
        moteur.dispose()
    wb = load_workbook(
        io.BytesIO(
            exportation.classeur(appel, table, poids=donnees.poids, auteur="a", instant=INSTANT)
        )
    )
    assert wb.sheetnames == FEUILLES
    assert wb["Classement"].tables["Classement"].ref == "A4:AW5"
    assert wb["Classement"]["A5"].value is None


def test_feuille_formulaire_quand_des_demandes_y_ont_repondu(jeu):
    """Les réponses au formulaire de l'appel (issue 18) : une feuille « Formulaire », une
    ligne par demande, sous les titres du gabarit, après « Budget ». Un appel dont aucune
    demande n'y a répondu (le jeu : des exports d'avant le formulaire) n'en a pas."""
    assert exportation.colonnes_formulaire(jeu.table) is None
    table = jeu.table.copy()
    table["objectifs"] = None
    table.loc[0, "objectifs"] = "=Doter la ville d'un plan d'action"
    en_tetes, colonnes = exportation.colonnes_formulaire(table)
    assert colonnes[3][0] == "=Doter la ville d'un plan d'action"
    assert en_tetes[:4] == ["No de demande", "Titre", "Municipalité requérante", "Objectifs"]
    assert "Résolution du conseil" in en_tetes
    wb = load_workbook(io.BytesIO(exporter(replace(jeu, table=table))))
    assert wb.sheetnames[:3] == ["Classement", "Budget", "Formulaire"]
    (ligne,) = [
        r for r in valeurs(wb["Formulaire"], 3) if r["No de demande"] == table.loc[0, "no_demande"]
    ]
    # Un texte venu d'un fichier reste du texte, jamais une formule.
    assert ligne["Objectifs"] == "=Doter la ville d'un plan d'action"
    assert wb["Formulaire"].cell(4, 4).data_type == "s"


# --- Textes hostiles, formules, liens, macros ---------------------------------------------------


def cellules(livre):
    for feuille in livre.worksheets:
        for ligne in feuille.iter_rows():
            yield from ligne


def test_textes_hostiles_relus_comme_texte(livre):
    lignes = lignes_du_tableau(livre["Classement"], HAUT)
    for ligne in lignes:
        no = ligne["No de demande"].value
        for cellule, attendu in ((ligne["Titre"], TITRES[no]), (ligne["Municipalité"], None)):
            assert cellule.data_type == "s", cellule.coordinate
            assert cellule.quotePrefix, cellule.coordinate
            if attendu is not None:
                assert cellule.value == attendu
        assert ligne["Région"].quotePrefix is False  # un texte ordinaire, sans préfixe
    # Municipalités : identiques, retour chariot compris (écrit « _x000D_ »).
    municipalites = {r["No de demande"].value: texte_ooxml(r["Municipalité"].value) for r in lignes}
    assert municipalites["T-002"] == "@SUM(A1)"
    assert municipalites["T-001"] == "\t=1"
    assert municipalites["T-003"] == "\r=1"
    t1 = lignes[1]
    justification = t1["Justification du comité"]
    assert justification.value == JUSTIFICATION_T001 and justification.quotePrefix


def test_chaque_texte_dangereux_porte_le_prefixe(livre):
    """Partout dans le classeur : un texte qui commence par = + - @ ou une tabulation est une
    cellule de texte avec quotePrefix ; un texte ordinaire n'en a pas."""
    vus = 0
    for cellule in cellules(livre):
        if isinstance(cellule.value, str):
            assert cellule.data_type == "s", cellule.coordinate
            dangereux = bool(DEBUT_FORMULE.match(texte_ooxml(cellule.value)))
            assert bool(cellule.quotePrefix) == dangereux, (cellule.parent.title, cellule)
            vus += dangereux
    # 3 titres, 3 municipalités, 1 justification, 4 commentaires.
    assert vus == 11


def test_aucune_formule_aucun_lien_aucune_macro(livre, contenu):
    assert [c.coordinate for c in cellules(livre) if c.data_type == "f"] == []
    assert livre._external_links == []
    assert all(not f._hyperlinks for f in livre.worksheets)
    with zipfile.ZipFile(io.BytesIO(contenu)) as z:
        noms = z.namelist()
        assert not [n for n in noms if "vbaProject" in n or "externalLink" in n]
        types = z.read("[Content_Types].xml").decode()
        assert "macroEnabled" not in types and "vbaProject" not in types
        for nom in noms:
            if nom.startswith("xl/worksheets/") and nom.endswith(".xml"):
                xml = z.read(nom).decode()
                assert not re.search(r"<f[ >]", xml), nom  # aucun élément formule
                assert "<hyperlink" not in xml
        assert not [n for n in noms if n.endswith(".rels") and "External" in z.read(n).decode()]


def une_feuille(*cellules) -> object:
    """Écrit `cellules` ((valeur, format), une par ligne en colonne A) par exportation.ecrire
    dans un classeur xlsxwriter, et relit la feuille avec openpyxl."""
    import xlsxwriter

    sortie = io.BytesIO()
    livre = xlsxwriter.Workbook(sortie, exportation.OPTIONS_CLASSEUR)
    feuille, formats = livre.add_worksheet("F"), exportation.Formats(livre)
    for i, (valeur, nombre) in enumerate(cellules):
        exportation.ecrire(feuille, formats, i, 0, valeur, nombre)
    livre.close()
    return load_workbook(io.BytesIO(sortie.getvalue()))["F"]


@pytest.mark.parametrize(
    "texte", HOSTILES, ids=["hyperlien", "plus", "moins", "arobase", "tab", "cr"]
)
def test_ecrire_garde_le_texte(texte):
    cellule = une_feuille((texte, None))["A1"]
    assert (cellule.data_type, cellule.quotePrefix) == ("s", True)
    assert texte_ooxml(cellule.value) == texte
    assert exportation.textes_dangereux([texte, "Texte", 3]) == [texte]


def test_ecrire_un_texte_ordinaire_et_des_nombres():
    import numpy as np

    f = une_feuille(
        ("Sherbrooke", None),
        (np.int64(3), "0.0"),
        (float("nan"), "0.0"),
        (pd.NA, None),
        (np.float64(2.5), FORMAT_MONTANT),
        (np.bool_(True), None),
    )
    assert (f["A1"].value, f["A1"].quotePrefix) == ("Sherbrooke", False)
    assert (f["A2"].value, f["A2"].number_format) == (3, "0.0")
    assert (f["A3"].value, f["A3"].number_format) == (None, "General")
    assert f["A4"].value is None
    assert (f["A5"].value, f["A5"].number_format) == (2.5, FORMAT_MONTANT)
    assert f["A6"].value is True


def _cellules_ecrites(ecrivain) -> list[tuple]:
    """(valeur, type, format, préfixe, gras, trait) de la colonne A après `ecrivain(feuille,
    formats)` sur un classeur xlsxwriter neuf, relue par openpyxl (None : pas de cellule)."""
    import xlsxwriter

    sortie = io.BytesIO()
    livre = xlsxwriter.Workbook(sortie, exportation.OPTIONS_CLASSEUR)
    feuille, formats = livre.add_worksheet("F"), exportation.Formats(livre)
    ecrivain(feuille, formats)
    livre.close()
    relue = load_workbook(io.BytesIO(sortie.getvalue()))["F"]
    return [
        (
            c.value,
            c.data_type,
            c.number_format,
            bool(c.quotePrefix),
            c.font.b,
            c.border.bottom.style,
        )
        if c.has_style or c.value is not None
        else None
        for (c,) in relue.iter_rows(min_row=1, max_row=len(VALEURS_MELEES), max_col=1)
    ]


VALEURS_MELEES = [
    *HOSTILES,
    "Texte ordinaire",
    "",
    None,
    float("nan"),
    pd.NA,
    3,
    2.5,
    True,
    "a\x00b",
    "\x01",
    "=" + "a" * 40_000,
    "Émilie",
    " =1",
]


@pytest.mark.parametrize("nombre", [None, FORMAT_MONTANT])
def test_ecrire_colonne_comme_ecrire_cellule_par_cellule(nombre):
    """La colonne écrite d'un coup (un format par colonne) : mêmes cellules, mêmes types,
    mêmes formats, même préfixe que `ecrire` sur chaque cellule ; aucun vide écrit."""
    import numpy as np

    brutes = [*VALEURS_MELEES, np.int64(7), np.float64(np.nan), np.bool_(False)]

    def cellule_par_cellule(feuille, formats):
        for i, v in enumerate(brutes):
            exportation.ecrire(feuille, formats, i, 0, v, nombre)

    def par_colonne(feuille, formats):
        valeurs = exportation.colonne_de_cellules(brutes)
        exportation.ecrire_colonne(feuille, formats, 0, 0, valeurs, nombre)

    attendu = _cellules_ecrites(cellule_par_cellule)
    assert _cellules_ecrites(par_colonne) == attendu
    assert attendu[0][:4] == (HYPERLIEN, "s", "General", True)
    assert attendu[len(HOSTILES) + 6][:3] == (2.5, "n", nombre or "General")
    assert attendu[len(HOSTILES) + 1 : len(HOSTILES) + 5] == [None] * 4  # "", None, NaN, NA


def test_colonne_de_cellules():
    import numpy as np

    assert exportation.colonne_de_cellules(
        ["", "ok", float("nan"), None, pd.NA, np.int64(2), np.float64(1.5), "\x00", np.bool_(True)]
    ) == [None, "ok", None, None, None, 2, 1.5, None, True]


def test_evaluations_pour_export_par_colonnes():
    """Une ligne par évaluation, triée par demande puis évaluateur ; une note absente reste
    vide, une note sans évaluation connue est ignorée, une demande inconnue garde son id."""
    evaluations = pd.DataFrame(
        {
            "demande_id": [2, 1, 1, 3],
            "evaluateur": [E1, E2, E1, E1],
            "statut": ["soumise", "brouillon", "soumise", "soumise"],
            "commentaire_global": ["=1", None, "bien", None],
        }
    )
    notes = pd.DataFrame(
        {
            "demande_id": [1, 1, 1, 2, 9],
            "evaluateur": [E1, E1, E2, E1, E1],
            "critere": ["pertinence", "coherence", "pertinence", "pertinence", "pertinence"],
            "note": [8.0, 6.5, None, 9.0, 1.0],
            "commentaire": ["+1", None, "à voir", None, "perdue"],
        }
    )
    sortie = exportation.evaluations_pour_export(notes, evaluations, {1: "T-001", 2: "T-002"})
    assert sortie[["no_demande", "evaluateur", "statut"]].values.tolist() == [
        ["3", E1, "soumise"],
        ["T-001", E1, "soumise"],
        ["T-001", E2, "brouillon"],
        ["T-002", E1, "soumise"],
    ]

    def liste(colonne):
        return [None if pd.isna(v) else v for v in sortie[colonne]]

    assert liste("commentaire_global") == [None, "bien", None, "=1"]
    assert liste("note:pertinence") == [None, 8.0, None, 9.0]
    assert liste("note:coherence") == [None, 6.5, None, None]
    assert liste("commentaire:pertinence") == [None, "+1", "à voir", None]
    assert liste("commentaire:coherence") == [None] * 4
    assert "perdue" not in sortie.to_string()


def test_total_d_une_evaluation_incomplete_vide(jeu, appel):
    """Le total d'une évaluation est Σ poids × note / échelle maximale ; s'il lui manque une
    note (un brouillon), la cellule reste vide plutôt que de compter la note absente pour 0."""
    evals = jeu.evaluations.copy()
    evals.loc[evals.index[0], "note:pertinence"] = float("nan")
    en_tetes, colonnes, _ = exportation.colonnes_evaluations(jeu.appel, evals)
    totaux = colonnes[en_tetes.index("Total")]
    assert pd.isna(totaux[0])
    attendu = sum(
        c.poids * evals.iloc[1][f"note:{c.id}"] / jeu.appel.echelle_max for c in jeu.appel.criteres
    )
    assert totaux[1] == attendu == pytest.approx(72.5)


def test_un_x_litteral_reste_litteral(tmp_path):
    """« _x000D_ » tapé tel quel n'est pas un retour chariot : écrit « _x005F_x000D_ »,
    relu tel quel par calamine (openpyxl, qui ne décode qu'à moitié, ne le distinguerait pas)."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    chemin = tmp_path / "x.xlsx"
    livre = xlsxwriter.Workbook(str(chemin), exportation.OPTIONS_CLASSEUR | {"in_memory": False})
    feuille, formats = livre.add_worksheet("F"), exportation.Formats(livre)
    for i, texte in enumerate(["_x000D_ littéral", "\r=1", "a\rb"]):
        exportation.ecrire(feuille, formats, i, 0, texte)
    livre.close()
    relu = CalamineWorkbook.from_path(str(chemin)).get_sheet_by_name("F").to_python()
    assert [ligne[0] for ligne in relu] == ["_x000D_ littéral", "\r=1", "a\rb"]


def test_texte_trop_long_pour_excel_tronque_et_marque():
    """Excel refuse plus de 32 767 caractères par cellule : le texte est coupé, et le dit."""
    long = "=" + "a" * 40_000
    cellule = une_feuille((long, None))["A1"]
    assert len(cellule.value) == neutralisation.LONGUEUR_MAX_CELLULE
    assert cellule.value.startswith("=aaa") and cellule.quotePrefix
    assert cellule.value.endswith(neutralisation.MARQUE_TRONQUE)


def test_en_tetes_uniques_pour_le_tableau():
    assert exportation.en_tetes_uniques(["Qualité", "Total", "qualité", "Qualité"]) == [
        "Qualité",
        "Total",
        "qualité (2)",
        "Qualité (3)",
    ]


def test_deux_criteres_de_meme_premier_mot(jeu):
    """« Qualité du dossier » et « Qualité du partenariat » : deux colonnes distinctes, sinon
    Excel rejetterait le tableau."""
    appel = appel_du_jeu()
    toml = appel.source_toml.replace('libelle = "Capacité', 'libelle = "Qualité et capacité', 1)
    autre = appel_depuis_toml(toml, "test")
    assert [c.libelle.split(" ")[0] for c in autre.criteres].count("Qualité") == 2
    wb = load_workbook(
        io.BytesIO(
            exportation.classeur(
                autre, jeu.table, poids=jeu.donnees.poids, auteur=AUTEUR, instant=INSTANT
            )
        )
    )
    tableau = wb["Classement"].tables["Classement"]
    noms = [c.name for c in tableau.tableColumns]
    assert noms[7:13] == [
        "Pertinence",
        "Cohérence",
        "Qualité",
        "Caractère",
        "Qualité (2)",
        "Visibilité",
    ]


def test_retour_chariot_relu_tel_quel(livre):
    (t3,) = [r for r in lignes_du_tableau(livre["Classement"], HAUT) if r["Rang"].value == 3]
    assert texte_ooxml(t3["Municipalité"].value) == "\r=1"


def test_calamine_relit_chaque_texte_hostile_tel_quel(contenu, tmp_path):
    """Le lecteur de l'application (calamine) décode les échappements OOXML : chaque texte
    hostile du jeu revient identique, retour chariot et « _x… » littéral compris."""
    from python_calamine import CalamineWorkbook

    chemin = tmp_path / "classeur.xlsx"
    chemin.write_bytes(contenu)
    feuille = CalamineWorkbook.from_path(str(chemin)).get_sheet_by_name("Classement")
    lignes = feuille.to_python()
    en_tetes = lignes[HAUT - 1]
    relues = [dict(zip(en_tetes, ligne, strict=True)) for ligne in lignes[HAUT:]]
    assert {r["No de demande"]: r["Titre"] for r in relues} == TITRES
    assert {r["No de demande"]: r["Municipalité"] for r in relues} == MUNICIPALITES


def test_un_texte_hostile_ne_change_pas_la_structure(jeu):
    """Un secteur inconnu hostile devient une catégorie de « Par secteur » : texte inerte."""
    table = jeu.table.copy()
    table.loc[table["no_demande"] == "T-003", "secteur"] = "=1+1"
    wb = load_workbook(
        io.BytesIO(
            exportation.classeur(
                jeu.appel, table, poids=jeu.donnees.poids, auteur="-moi", instant=INSTANT
            )
        )
    )
    (cellule,) = [
        ligne["Secteur"]
        for ligne in lignes_du_tableau(wb["Par secteur"], 3)
        if ligne["Secteur"].value == "=1+1"
    ]
    assert cellule.data_type == "s" and cellule.quotePrefix
    exporte_par = parametres(wb["Paramètres"])["Exporté par"]
    assert (exporte_par.value, exporte_par.quotePrefix) == ("-moi", True)
    assert not [c for c in cellules(wb) if c.data_type == "f"]


# --- Sur SQLite et PostgreSQL -------------------------------------------------------------------


def test_classeur_de_bout_en_bout(moteur):
    jeu = construire(moteur, appel_du_jeu())
    wb = load_workbook(io.BytesIO(exporter(jeu)))
    assert wb.sheetnames == FEUILLES_AVEC_EVALUATIONS
    lignes = valeurs(wb["Classement"], HAUT)
    assert [r["No de demande"] for r in lignes] == ["T-002", "T-001", "T-003"]
    assert [r["Titre"] for r in lignes] == [HYPERLIEN, "+1+1", "-2"]
    assert [r["Cumul an 1"] for r in lignes] == [30000, 50000, 68000.5]
    assert len(valeurs(wb["Évaluations"], 3)) == 6
    assert parametres(wb["Paramètres"])["Évaluations stockées"].value == 6


# --- Ligne de commande ------------------------------------------------------------------------


@pytest.fixture
def base_cli(tmp_path):
    """Une base SQLite avec le jeu (appel stocké : la commande le retrouve seule)."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    moteur = stockage.creer_moteur(url)
    try:
        appel = appel_du_jeu()
        with stockage.ecriture(moteur) as connexion:
            stockage.enregistrer_appel(appel, connexion=connexion)
        construire(moteur, appel)
        # La feuille « Suivi des conventions » suit les demandes que le ministère a retenues.
        approuver_les_recommandations(moteur, appel)
    finally:
        moteur.dispose()
    return url


def test_commande_exporter(base_cli, tmp_path, capsys, heure_fixe):
    sortie = tmp_path / "comite.xlsx"
    assert main(["--base", base_cli, "exporter", "--sortie", str(sortie)]) == 0
    assert f"Classeur de l'appel {APPEL_ID} écrit dans {sortie} (3 demandes)." in (
        capsys.readouterr().out
    )
    wb = load_workbook(sortie)
    assert wb.sheetnames == FEUILLES_COMMANDE_AVEC_EVALUATIONS
    lignes = valeurs(wb["Classement"], HAUT)
    assert [(r["Rang"], r["No de demande"], r["Statut"]) for r in lignes] == [
        (1, "T-002", "financé"),
        (2, "T-001", "financé"),
        (3, "T-003", "liste d'attente"),
    ]
    p = parametres(wb["Paramètres"])
    assert p["Exporté par"].value.startswith("ligne de commande")
    assert p["Exporté le"].value == "30 novembre 2026 à 23 h 59"
    assert p["Enveloppe 2024-2025"].value == 60000
    commentaires = [r["Commentaire global"] for r in valeurs(wb["Évaluations"], 3)]
    assert HYPERLIEN in commentaires


def test_commande_exporter_sans_evaluations_nom_par_defaut(
    base_cli, tmp_path, monkeypatch, heure_fixe
):
    monkeypatch.chdir(tmp_path)
    assert main(["--base", base_cli, "exporter", "--sans-evaluations"]) == 0
    attendu = tmp_path / f"{APPEL_ID}_classement_2026-11-30.xlsx"
    assert load_workbook(attendu).sheetnames == FEUILLES_COMMANDE


@pytest.mark.parametrize("ou", ["dossier-absent", "dossier"])
def test_commande_exporter_chemin_impossible(base_cli, tmp_path, capsys, ou):
    (tmp_path / "dossier").mkdir()
    sortie = tmp_path / "absent" / "x.xlsx" if ou == "dossier-absent" else tmp_path / "dossier"
    assert main(["--base", base_cli, "exporter", "--sortie", str(sortie)]) == 2
    erreur = capsys.readouterr().err
    assert erreur.startswith(f"Impossible d'écrire {sortie} : ")
    assert "Traceback" not in erreur


def test_commande_exporter_appel_inconnu(base_cli, capsys):
    assert main(["--base", base_cli, "exporter", "--appel", "inconnu"]) == 2
    assert "appel « inconnu » introuvable" in capsys.readouterr().err


def test_module_exporter_en_sous_processus(base_cli, tmp_path):
    sortie = tmp_path / "sous-processus.xlsx"
    resultat = subprocess.run(
        [sys.executable, "-m", "evaluation", "exporter", "--sortie", str(sortie)],
        cwd=RACINE_PROJET,
        env={**os.environ, "EVALUATION_BASE": base_cli},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resultat.returncode == 0, resultat.stderr
    assert load_workbook(sortie)["Classement"]["B5"].value == "T-002"


# --- CSV neutralisés ---------------------------------------------------------------------------


def lire_csv(contenu: bytes) -> list[list[str]]:
    assert contenu.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_du_classement_et_des_repartitions(jeu):
    """Les CSV que le tableau de bord offre : classement (pour_fichier) et répartitions."""
    table = jeu.table.copy()
    table["no_demande"] = ["=1+1", "+T-001", "@T-003"]
    classement_csv = lire_csv(csv_sans_formules(classement.pour_fichier(table)))
    assert [r[1] for r in classement_csv[1:]] == ["'=1+1", "'+T-001", "'@T-003"]
    assert [r[0] for r in classement_csv[1:]] == ["1", "2", "3"]

    table["pays"] = [HYPERLIEN, "-2; France", "@SUM(A1)"]
    repartition = portefeuille.repartition(table, jeu.appel, "pays")
    lignes = lire_csv(csv_sans_formules(repartition))
    libelles = [r[0] for r in lignes[1:]]
    assert sorted(libelles) == sorted(["'" + HYPERLIEN, "'-2", "'@SUM(A1)", "France"])


# --- Un second tableur : LibreOffice ------------------------------------------------------------

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76,1"
# Toutes les feuilles (une par fichier : NOM-Feuille.csv), textes entre guillemets.
CSV_TOUTES = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true,false,false,-1"


def _manque(outil: str, paquet: str):
    manque(f"{outil} introuvable : apt-get install -y {paquet}")


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    """convertir(fichier, format, filtre_entree=None) → dossier des fichiers produits.

    Un profil LibreOffice propre à la session : deux conversions simultanées ailleurs sur la
    machine ne se disputent pas le profil par défaut."""
    if LIBREOFFICE is None:
        _manque("LibreOffice", "libreoffice-calc")
    profil = tmp_path_factory.mktemp("profil-libreoffice")

    def convertir(fichier: Path, vers: str, filtre_entree: str | None = None) -> Path:
        dossier = tmp_path_factory.mktemp(f"lo-{vers.split(':')[0]}")
        commande = [
            LIBREOFFICE,
            f"-env:UserInstallation={profil.as_uri()}",
            "--headless",
            "--norestore",
            *([f"--infilter={filtre_entree}"] if filtre_entree else []),
            "--convert-to",
            vers,
            "--outdir",
            str(dossier),
            str(fichier),
        ]
        resultat = subprocess.run(commande, capture_output=True, text=True, timeout=180)
        assert resultat.returncode == 0, resultat.stderr
        return dossier

    return convertir


@pytest.fixture(scope="module")
def fichier(contenu, tmp_path_factory) -> Path:
    chemin = tmp_path_factory.mktemp("classeur") / exportation.nom_fichier(
        charger_appel(), INSTANT.date()
    )
    chemin.write_bytes(contenu)
    return chemin


def test_libreoffice_csv_ordre_et_textes_litteraux(libreoffice, fichier):
    dossier = libreoffice(fichier, CSV_UTF8)
    texte = (dossier / f"{fichier.stem}.csv").read_text(encoding="utf-8")
    lignes = list(csv.reader(io.StringIO(texte, newline="")))
    assert lignes[0][0] == "Classement — PAIVMQ 2023-2024 — 24 novembre 2026"
    assert lignes[HAUT - 1] == EN_TETES
    donnees = lignes[HAUT:]
    assert [(r[0], r[1]) for r in donnees] == [("1", "T-002"), ("2", "T-001"), ("3", "T-003")]
    assert [r[2] for r in donnees] == [HYPERLIEN, "+1+1", "-2"]
    assert [r[3] for r in donnees[:2]] == ["@SUM(A1)", "\t=1"]
    # Du texte, pas des formules ni des nombres : entre guillemets dans le CSV (les nombres ne
    # le sont pas), et « Cliquez » n'apparaît que dans la formule restée littérale.
    for h in ('"=HYPERLINK(""http://x"",""Cliquez"")"', '"+1+1"', '"-2"', '"@SUM(A1)"'):
        assert h in texte
    assert texte.count("Cliquez") == 1
    assert [r[EN_TETES.index("Statut")] for r in donnees] == ["financé"] * 2 + ["liste d'attente"]
    total = EN_TETES.index("Total")
    assert [float(r[total].replace(",", ".")) for r in donnees] == [90.0, 78.75, 70.0]
    cumul = [r[EN_TETES.index("Cumul an 1")] for r in donnees]
    assert [re.sub(r"\D", "", c) for c in cumul] == ["30000", "50000", "68001"]  # affiché


def test_libreoffice_toutes_les_feuilles(libreoffice, fichier):
    dossier = libreoffice(fichier, CSV_TOUTES)
    noms = sorted(p.name for p in dossier.glob("*.csv"))
    assert noms == sorted(f"{fichier.stem}-{n}.csv" for n in FEUILLES_AVEC_EVALUATIONS)

    def lire(feuille):
        texte = (dossier / f"{fichier.stem}-{feuille}.csv").read_text(encoding="utf-8")
        return texte, list(csv.reader(io.StringIO(texte, newline="")))

    texte, evals = lire("Évaluations")
    assert [r[0] for r in evals[3:]] == ["T-001", "T-001", "T-002", "T-002", "T-003", "T-003"]
    t2 = evals[5]
    assert t2[evals[2].index("Commentaire global")] == HYPERLIEN
    assert t2[evals[2].index("Commentaire : Pertinence et retombées")] == "+1+1"
    assert '"-2"' in texte and texte.count("Cliquez") == 1
    _, regions = lire("Par région")
    assert len(regions) == 3 + 17
    _, params = lire("Paramètres")
    p = {r[0]: r[1] for r in params[2:]}
    assert p["Appel"] == APPEL_ID and p["Exporté le"] == "24 novembre 2026 à 14 h 05"
    assert p["Évaluations stockées"] == "6"


def test_libreoffice_reenregistre_sans_formule(libreoffice, fichier):
    """LibreOffice ouvre le classeur et le réenregistre : les textes hostiles y sont restés des
    textes (une formule évaluée serait enregistrée comme formule)."""
    dossier = libreoffice(fichier, "xlsx")
    wb = load_workbook(dossier / fichier.name)
    assert [c.coordinate for c in cellules(wb) if c.data_type == "f"] == []
    f = wb["Classement"]
    assert [f.cell(row=r, column=3).value for r in (5, 6, 7)] == [HYPERLIEN, "+1+1", "-2"]
    assert [f.cell(row=r, column=4).value for r in (5, 6)] == ["@SUM(A1)", "\t=1"]
    assert all(f.cell(row=r, column=3).data_type == "s" for r in (5, 6, 7))


def test_libreoffice_pdf(libreoffice, fichier):
    if shutil.which("pdftotext") is None:
        _manque("pdftotext", "poppler-utils")
    dossier = libreoffice(fichier, "pdf")
    texte = subprocess.run(
        ["pdftotext", "-layout", str(dossier / f"{fichier.stem}.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "Classement — PAIVMQ 2023-2024 — 24 novembre 2026" in texte
    assert "Ligne de financement sous la ligne 6 (rang 2)." in texte
    # Le titre de T-002 et le commentaire global (feuille Évaluations), restés littéraux.
    assert texte.count(HYPERLIEN) == 2 and texte.count("Cliquez") == 2
    assert "+1+1" in texte and "@SUM(A1)" in texte
    positions = [texte.index(no) for no in ("T-002", "T-001", "T-003")]
    assert positions == sorted(positions)
    for titre in ("Budget — PAIVMQ", "Par région — PAIVMQ", "Paramètres — PAIVMQ"):
        assert titre in texte
    assert "Financé — par région" in texte  # le titre du graphique


def test_libreoffice_lit_le_csv_neutralise_comme_du_texte(libreoffice, tmp_path):
    """Le CSV du tableau de bord ouvert dans LibreOffice (« ; », UTF-8) : aucune formule ;
    le même CSV sans neutralisation, lui, en donne (témoin)."""
    table = pd.DataFrame({"titre": [*HOSTILES, "=1+1"], "n": range(7)})
    neutre, brut = tmp_path / "neutre.csv", tmp_path / "brut.csv"
    neutre.write_bytes(csv_sans_formules(table))
    brut.write_bytes(table.to_csv(index=False, sep=";").encode("utf-8-sig"))
    lus = {}
    for chemin in (neutre, brut):
        dossier = libreoffice(chemin, "xlsx", filtre_entree="CSV:59,34,76,1")
        lus[chemin.stem] = [
            c for (c,) in load_workbook(dossier / f"{chemin.stem}.xlsx").active["A2:A8"]
        ]
    assert [c.data_type for c in lus["brut"]].count("f") >= 2  # le témoin : des formules
    assert [c.data_type for c in lus["neutre"]] == ["s"] * 7
    relus = [c.value for c in lus["neutre"]]
    assert relus[:5] == ["'" + h for h in HOSTILES[:5]] and relus[6] == "'=1+1"
    assert relus[5].startswith("'") and relus[5].endswith("=1")


def test_libreoffice_retour_chariot_relu_tel_quel(libreoffice, fichier):
    """Le classeur porte « _x000D_ » (l'échappement OOXML) ; Calc, lui, range tout
    retour chariot d'une cellule en saut de ligne : il montre « \n=1 », texte inerte."""
    dossier = libreoffice(fichier, CSV_UTF8)
    texte = (dossier / f"{fichier.stem}.csv").read_text(encoding="utf-8")
    t3 = list(csv.reader(io.StringIO(texte, newline="")))[HAUT + 2]
    assert t3[:3] == ["3", "T-003", "-2"]
    assert t3[3] in ("\r=1", "\n=1")


@pytest.mark.parametrize("vide", [None, float("nan")], ids=["None", "NaN"])
def test_secteur_absent_ecrit_tiret(jeu, vide):
    table = jeu.table.copy()
    table["secteur"] = table["secteur"].astype(object)
    table.loc[table["no_demande"] == "T-003", "secteur"] = vide
    wb = load_workbook(
        io.BytesIO(
            exportation.classeur(
                jeu.appel, table, poids=jeu.donnees.poids, auteur=AUTEUR, instant=INSTANT
            )
        )
    )
    secteurs = {r["No de demande"]: r["Secteur"] for r in valeurs(wb["Classement"], HAUT)}
    assert secteurs == {"T-002": "Francophonie", "T-001": "Innovation", "T-003": "—"}


def test_en_tetes_venus_de_la_configuration_marques_comme_texte(jeu):
    """Un libellé de critère qui commence comme une formule devient un en-tête de tableau
    (feuilles Classement et Évaluations) : marqué comme texte, comme toute autre cellule."""
    hostile = jeu.appel.source_toml.replace(
        'libelle = "Pertinence et retombées"', 'libelle = "=1+1 Pertinence"'
    )
    appel = appel_depuis_toml(hostile, "test")
    contenu = exporter(Jeu(appel, jeu.table, jeu.donnees, jeu.evaluations, jeu.ids))
    livre = load_workbook(io.BytesIO(contenu))
    entetes = [
        c
        for f in livre.worksheets
        for ligne in f.iter_rows()
        for c in ligne
        if isinstance(c.value, str) and c.value.startswith("=1+1")
    ]
    assert entetes, "le libellé hostile n'est écrit nulle part"
    assert all(c.data_type == "s" and c.quotePrefix for c in entetes), [
        (c.parent.title, c.coordinate) for c in entetes if not c.quotePrefix
    ]


# --- Tableaux Excel déclarés sans le contrôle cellule par cellule d'xlsxwriter -------------


def _paquet(ajouter, lignes: int, tableaux: list[tuple[int, int]]) -> dict[str, bytes]:
    """Les parties d'un classeur (hors propriétés horodatées) où `ajouter` déclare des
    tableaux de 4 colonnes sur les lignes (haut, fin) de `tableaux`."""
    import xlsxwriter

    sortie = io.BytesIO()
    livre = xlsxwriter.Workbook(sortie, {"in_memory": True})
    feuille = livre.add_worksheet("A")
    gras = livre.add_format({"bold": True})
    for i in range(lignes + 1):
        for j in range(4):
            feuille.write_number(i, j, i * 10 + j)
    for k, (haut, fin) in enumerate(tableaux):
        options = {
            "name": f"Tableau_{k}",
            "style": "Table Style Light 9",
            "columns": [{"header": f"c{j}", "header_format": gras} for j in range(4)],
        }
        ajouter(feuille, haut, fin, 3, options)
    livre.close()
    paquet = zipfile.ZipFile(sortie)
    return {n: paquet.read(n) for n in paquet.namelist() if not n.startswith("docProps")}


def _add_table(feuille, haut, fin, derniere, options):
    assert feuille.add_table(haut, 0, fin, derniere, options) == 0


@pytest.mark.parametrize("tableaux", [[(0, 1)], [(0, 2)], [(0, 5000)], [(2, 40), (42, 43)]])
def test_ajouter_tableau_ecrit_le_meme_classeur_qu_add_table(tableaux):
    fin = max(f for _, f in tableaux)
    assert _paquet(ajouter_tableau, fin, tableaux) == _paquet(_add_table, fin, tableaux)


@pytest.mark.parametrize("second", [(40, 50), (10, 20), (0, 5), (35, 45), (0, 60)])
def test_ajouter_tableau_refuse_un_chevauchement(second):
    with pytest.raises(ValueError, match="chevauche"):
        _paquet(ajouter_tableau, 60, [(5, 40), second])


def test_ajouter_tableau_refuse_les_options_qu_il_ne_sait_pas_etendre():
    import xlsxwriter

    feuille = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True}).add_worksheet()
    with pytest.raises(ValueError, match="total_row"):
        ajouter_tableau(feuille, 0, 10, 2, {"name": "T", "total_row": True})


def _recommandation_baissee(jeu: Jeu) -> pd.DataFrame:
    """T-003 retenue à 18 000,50 $ ; sa recommandation baissée depuis à 15 000 $ (issue 16 :
    « retenu at 18 000 $, recommendation lowered to 15 000 $ »)."""
    table = jeu.table.copy()
    table.loc[table["no_demande"] == "T-003", "recommande_an1"] = 1_500_000
    return table


def test_decision_qui_differe_de_la_recommandation_signalee(jeu):
    """Issue 16 : la colonne « Écart à la recommandation » signale la décision « retenu »
    dont le montant accordé n'est plus le recommandé ; les autres restent vides (T-002
    retenue au recommandé, T-001 refusée)."""
    livre = load_workbook(io.BytesIO(exporter(replace(jeu, table=_recommandation_baissee(jeu)))))
    lignes = valeurs(livre["Classement"], HAUT)
    assert [(r["No de demande"], r["Écart à la recommandation"]) for r in lignes] == [
        ("T-002", None),
        ("T-001", None),
        (
            "T-003",
            "montant accordé ≠ recommandation (accordé 18\u00a0000,50\u00a0$ + 0\u00a0$, "
            "recommandé 15\u00a0000\u00a0$ + 0\u00a0$)",
        ),
    ]
    assert [r["Accordé an 1"] for r in lignes][2] == 18000.5
    assert [r["Recommandé an 1"] for r in lignes][2] == 15000


def test_csv_du_classement_signale_l_ecart(jeu):
    """Le CSV du classement (commande `classement --format csv`, bouton de la page) porte la
    décision, le montant accordé et l'écart à la recommandation."""
    sortie = classement.pour_fichier(_recommandation_baissee(jeu))
    par_no = sortie.set_index("no_demande")
    assert par_no.loc["T-003", "decision"] == "retenu"
    assert par_no.loc["T-003", "montant_accorde_an1"] == "18000.50"
    assert par_no.loc["T-003", "ecart_recommandation"].startswith(
        "montant accordé ≠ recommandation (accordé 18\u00a0000,50\u00a0$"
    )
    assert par_no.loc["T-002", "ecart_recommandation"] == ""
    assert par_no.loc["T-001", ["decision", "montant_accorde_an1"]].tolist() == ["refusé", "0.00"]
    assert classement.pour_fichier(jeu.table)["ecart_recommandation"].tolist() == ["", "", ""]


# --- Dimensions déclarées (issue 18) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("titre", "pris", "attendu"),
    [
        ("Par thème", [], "Par thème"),
        ("Par priorités : transversales / QSF [2024]", [], "Par priorités transversales QSF"),
        ("Par région", ["Classement", "Par RÉGION"], "Par région (2)"),
        ("Par région", ["Par région", "Par région (2)"], "Par région (3)"),
        ("'Par x'", [], "Par x"),
        ("Par " + "x" * 40, ["Par " + "x" * 27], "Par " + "x" * 23 + " (2)"),
        ("*?:", [], "Dimension"),
        ("History", [], "History (2)"),
        ("Par\tligne\nnouvelle", [], "Par ligne nouvelle"),
    ],
)
def test_nom_de_feuille(titre, pris, attendu):
    """Un libellé de dimension est n'importe quel texte : le nom de feuille qu'on en tire est
    accepté par Excel (31 caractères, sans [ ] : * ? / \\, sans apostrophe aux bouts,
    distinct des autres sans égard à la casse, ni « History »)."""
    nom = exportation.nom_de_feuille(titre, pris)
    assert nom == attendu
    assert len(nom) <= 31
    assert not set("[]:*?/\\") & set(nom)


def test_une_feuille_par_dimension_declaree(jeu):
    """Un appel sans axes ni secteurs, qui déclare des priorités transversales (plusieurs
    par demande) et une dimension au libellé « Région » : pas de feuille Par axe ni Par
    secteur ; une feuille par dimension, nommée par son libellé, « (2) » s'il le faut ; les
    parts additionnées peuvent dépasser 100 %, et la feuille le dit."""
    priorites = Dimension(
        "priorites",
        "Priorités transversales",
        True,
        False,
        (ValeurDimension("jeunesse", "Jeunesse"), ValeurDimension("egalite", "Égalité")),
    )
    region = Dimension("zone", "Région", False, False, (ValeurDimension("nord", "Nord"),))
    appel = replace(jeu.appel, axes=(), secteurs=(), dimensions=(priorites, region))
    table = jeu.table.copy()
    par_demande = {"T-001": ("jeunesse", "egalite"), "T-002": ("jeunesse",), "T-003": ()}
    table["dimension:priorites"] = [par_demande[n] for n in table["no_demande"]]
    table["dimension:zone"] = [("nord",)] * len(table)
    wb = load_workbook(
        io.BytesIO(
            exportation.classeur(
                appel, table, poids=jeu.donnees.poids, auteur=AUTEUR, instant=INSTANT
            )
        )
    )
    assert wb.sheetnames == [
        "Classement",
        "Budget",
        "Par région",
        "Par priorités transversales",
        "Par région (2)",
        "Paramètres",
    ]
    feuille = wb["Par priorités transversales"]
    assert "Par_priorites" in feuille.tables
    lignes = {v["Priorités transversales"]: v for v in valeurs_de_feuille(feuille)}
    assert list(lignes) == ["Jeunesse", "Égalité", "(aucune)"]
    assert [lignes[k]["Demandes"] for k in lignes] == [2, 1, 1]
    assert "peuvent dépasser 100 %" in feuille["A2"].value
    assert "interprétation" in feuille["A2"].value
    assert len(feuille._charts) == 1
    autre = wb["Par région (2)"]
    assert [v["Région"] for v in valeurs_de_feuille(autre)] == ["Nord"]
    assert "dépasser" not in autre["A2"].value


def valeurs_de_feuille(feuille) -> list[dict]:
    return valeurs(feuille, 3)


def test_classement_d_un_appel_d_organismes(jeu):
    """Appel d'organismes (issue 18) : la colonne du demandeur est « Organisme », son NEQ à
    côté ; les notes par critère restent sous leurs en-têtes."""
    from tests.conftest import appel_d_organismes

    appel = appel_d_organismes(jeu.appel)
    table = jeu.table.copy()
    table["organisme"] = table["no_demande"].map(
        {"T-001": "Solidarité Nord-Sud", "T-002": "Carrefour Monde", "T-003": None}
    )
    table["neq"] = table["no_demande"].map(
        {"T-001": "1145678901", "T-002": "2245678901", "T-003": None}
    )
    livre = load_workbook(io.BytesIO(exporter(replace(jeu, appel=appel, table=table))))
    en_tetes = [c.value for c in livre["Classement"][HAUT]]
    debut = en_tetes.index("Titre")
    assert en_tetes[debut : debut + 6] == ["Titre", "Organisme", "NEQ", "Région", "Axe", "Secteur"]
    assert "Municipalité" not in en_tetes
    lignes = valeurs(livre["Classement"], HAUT)
    assert [(r["No de demande"], r["Organisme"], r["NEQ"]) for r in lignes] == [
        ("T-002", "Carrefour Monde", "2245678901"),
        ("T-001", "Solidarité Nord-Sud", "1145678901"),
        ("T-003", None, None),
    ]
    assert [lignes[1][c] for c in CRITERES_COURTS] == pytest.approx([7.5, 8, 8, 8, 8, 8])
