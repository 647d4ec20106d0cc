"""Issue 19, « Done when » : le total, un montant et une date de la même demande, rendus par
chaque page (AppTest), chaque fichier (CSV du Classement, du Portefeuille et du Journal
dans leurs deux formes, classeur xlsx, procès-verbal HTML) et la ligne de commande, écrits
pareil partout.

Le jeu : T-003 (valide.xlsx, 18 000,50 $ demandés la première année) notée par deux
évaluateurs, 10 partout sauf la capacité (poids 15) : 6,5 et 7. Totaux de chacun : 94,75 et
95,5 ; total de la demande : (94,75 + 95,5) / 2 = 95,125, que l'arrondi au pair ou une seule
décimale écriraient 95,12 ou 95,1 ; l'arrondi du projet (la moitié vers le haut, deux
décimales) écrit 95,13 partout.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.commandes import main
from evaluation.decision import chargement, classement, decisions, financement
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import formats, journal, stockage
from evaluation.socle.roles import ADMIN, EVALUATEUR, PRESIDENT
from evaluation.sorties import proces_verbal, proces_verbaux
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.pages.conftest import compte_de_test, textes

VALIDE = DONNEES / "formats" / "valide.xlsx"
EVA, LUC = "eva@exemple.qc.ca", "luc@exemple.qc.ca"
NO = "T-003"
TOTAL = "95,13"  # 95,125 arrondi la moitié vers le haut, deux décimales
TOTAL_FICHIER = "95.13"
MONTANT = formats.montant(1_800_050)  # « 18 000,50 $ »
JOUR_SEANCE = dt.datetime(2026, 11, 29, 17, 25)


def _notes(appel, capacite: float) -> dict[str, float]:
    return {c.id: (capacite if c.id == "capacite" else 10.0) for c in appel.criteres}


@pytest.fixture
def jeu(base):
    """La base de l'application : les trois demandes de valide.xlsx, T-003 notée 95,125."""
    appel = charger_appel()
    moteur = stockage.creer_moteur(base)
    try:
        importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
        admettre(moteur, appel)
        for courriel, nom in ((EVA, "Éva Lachance"), (LUC, "Luc Gagnon")):
            compte_de_test(base, EVALUATEUR, courriel, nom=nom)
        with moteur.connect() as c:
            table = stockage.lire_demandes(appel.id, connexion=c)
        ids = dict(zip(table["no_demande"], table["id"].astype(int), strict=True))
        depot = table.set_index("no_demande").loc[NO, "date_depot"]
        for courriel, capacite in ((EVA, 6.5), (LUC, 7.0)):
            saisie = Saisie(notes=_notes(appel, capacite), admissible=True)
            evaluations.enregistrer(appel, ids[NO], courriel, saisie, SOUMISE, moteur=moteur)
        donnees = chargement.charger(appel, moteur=moteur)
        calcul = classement.classement(appel, donnees)
        # Retenue au montant recommandé : le procès-verbal liste les recommandations.
        ligne = calcul.set_index("no_demande").loc[NO]
        recommandes = tuple(int(ligne[f"recommande_an{a}"]) for a in (1, 2))
        decisions.enregistrer_decision(
            appel,
            ids[NO],
            financement.RETENU,
            recommandes,
            "Retenue.",
            moteur=moteur,
            auteur="p@x.ca",
        )
        donnees = chargement.charger(appel, moteur=moteur)
        calcul = classement.classement(appel, donnees)
    finally:
        moteur.dispose()
    ligne = calcul.set_index("no_demande").loc[NO]
    assert ligne["total"] == pytest.approx(95.125)
    assert int(ligne["recommande_an1"]) == 1_800_050
    return appel, ids, donnees, calcul, dt.date.fromisoformat(str(depot)[:10])


def _montant_retenu(valeur: str) -> str:
    """Le montant de la première année dans « retenu (18 000,50 $, 0 $) : … » du journal."""
    return re.search(r"\((\d[\d\u00a0]*(?:,\d\d)?\u00a0\$)", valeur)[1]


def _cellule(table, colonne: str) -> str:
    return str(table.loc[table["No"] == NO, colonne].iloc[0])


def test_le_total_le_montant_et_la_date_de_t003_partout(
    application, base, jeu, fichiers_servis, capsys
):
    appel, ids, donnees, calcul, depot = jeu
    date = formats.date(depot)
    vus: dict[str, tuple] = {}

    # --- Pages --------------------------------------------------------------------------
    at = application("pages/classement.py", role=PRESIDENT)
    (financees,) = [
        d.value
        for d in at.dataframe
        if {"No", "Total", "Recommandé an 1"} <= set(d.value.columns) and NO in set(d.value["No"])
    ]
    vus["page Classement"] = (_cellule(financees, "Total"), _cellule(financees, "Recommandé an 1"))

    excel = fichiers_servis.lire(at, "cl_csv")[1].decode("utf-8-sig")
    (r,) = [r for r in csv.DictReader(io.StringIO(excel), delimiter=";") if r["no_demande"] == NO]
    vus["CSV Excel (français)"] = (r["note"], r["montant_recommande_an1"])
    donnees_csv = fichiers_servis.lire(at, "cl_csv_donnees")[1].decode("utf-8")
    (r,) = [r for r in csv.DictReader(io.StringIO(donnees_csv)) if r["no_demande"] == NO]
    vus["CSV données"] = (r["note"], r["montant_recommande_an1"])

    at = application("pages/seance.py", role=PRESIDENT)
    metriques = {m.label: m.value for m in at.metric}
    recommande = re.search(r"(\d[\d\u00a0]*(?:,\d\d)?\u00a0\$) \(2024-2025\)", textes(at))
    vus["page Séance"] = (metriques["Total"].removesuffix(" / 100"), recommande[1])

    at = application("pages/suivi.py", role=ADMIN)
    (totaux,) = [
        d.value for d in at.dataframe if set(d.value.columns) == {"Éva Lachance", "Luc Gagnon"}
    ]
    vus["page Suivi (total de chaque évaluateur)"] = tuple(sorted(totaux.loc[NO].tolist()))

    at = application("pages/admissibilite.py", role=ADMIN)
    at.selectbox(key="adm_demande").set_value(ids[NO]).run()
    assert not at.exception, at.exception
    depot_lu = re.search(r"Dépôt :[^\n]*?(\d+(?:er)? \w+ \d{4})", textes(at))
    vus["page Admissibilité (dépôt)"] = (depot_lu[1],)

    # La répartition par axe du Portefeuille : T-003, seule demande notée de son axe, y
    # donne la note moyenne ; son montant retenu, le financé.
    axe = f"Axe {int(calcul.set_index('no_demande').loc[NO, 'axe'])}"
    at = application("pages/portefeuille.py", role=PRESIDENT)
    (axes,) = [d.value for d in at.dataframe if {"Axe", "Note moyenne"} <= set(d.value.columns)]
    ligne_axe = axes.set_index("Axe").loc[axe]
    vus["page Portefeuille (axe)"] = (ligne_axe["Note moyenne"], ligne_axe["Financé"])
    for cle, nom, separateur, encodage in (
        ("pf_csv", "CSV Portefeuille Excel (français)", ";", "utf-8-sig"),
        ("pf_csv_donnees", "CSV Portefeuille données", ",", "utf-8"),
    ):
        texte = fichiers_servis.lire(at, cle)[1].decode(encodage)
        (r,) = [r for r in csv.DictReader(io.StringIO(texte), delimiter=separateur)
                if r["Axe"] == axe]  # fmt: skip
        vus[nom] = (r["Note moyenne"], r["Financé ($)"])

    # Le Journal : la recommandation de T-003 (son montant, écrit à l'inscription) et sa
    # date, à la québécoise sur la page, horodatage ISO dans les deux CSV.
    moteur = stockage.creer_moteur(base)
    try:
        with moteur.connect() as c:
            brut = stockage.lire_journal(connexion=c, appel_id=appel.id)
    finally:
        moteur.dispose()
    (instant,) = brut.loc[
        (brut["objet"] == "decision") & (brut["demande_id"] == ids[NO]), "date"
    ].tolist()
    objet = journal.libelle_objet("decision", appel)
    at = application("pages/journal.py", role=ADMIN)
    (lignes_journal,) = [d.value for d in at.dataframe]
    (r,) = lignes_journal[
        (lignes_journal["Demande"] == NO) & (lignes_journal["Objet"] == objet)
    ].to_dict("records")
    montant_journal = _montant_retenu(r["Nouvelle valeur"])
    vus["page Journal"] = (r["Date"], montant_journal)
    for cle, nom, separateur, encodage in (
        ("journal_csv", "CSV Journal Excel (français)", ";", "utf-8-sig"),
        ("journal_csv_donnees", "CSV Journal données", ",", "utf-8"),
    ):
        texte = fichiers_servis.lire(at, cle)[1].decode(encodage)
        (r,) = [r for r in csv.DictReader(io.StringIO(texte), delimiter=separateur)
                if r["Demande"] == NO and r["Objet"] == objet]  # fmt: skip
        vus[nom] = (r["Date"], _montant_retenu(r["Nouvelle valeur"]))

    # --- Fichiers -------------------------------------------------------------------------
    moteur = stockage.creer_moteur(base)
    try:
        octets = proces_verbaux.classeur_du_comite(
            appel, donnees, calcul, moteur=moteur, auteur="p@x.ca", instant=JOUR_SEANCE,
            avec_evaluations=True,
        )  # fmt: skip
        contenu = proces_verbaux.contenu_de_la_seance(
            appel, donnees, calcul, moteur=moteur, seance_id=None, jour=JOUR_SEANCE.date(),
            auteur="Paule Présidente",
        )  # fmt: skip
    finally:
        moteur.dispose()
    feuille = openpyxl.load_workbook(io.BytesIO(octets))["Classement"]
    lignes = list(feuille.iter_rows())
    (entete,) = [i for i, r in enumerate(lignes) if any(c.value == "Total" for c in r)]
    titres = [c.value for c in lignes[entete]]
    (t003,) = [r for r in lignes[entete + 1 :] if r[titres.index("No de demande")].value == NO]

    def lu(titre: str):
        return t003[titres.index(titre)]

    total, recommande = lu("Total"), lu("Recommandé an 1")
    # Ce qu'Excel affiche : la valeur au format de la cellule (« 0.00 », « #,##0 "$" »).
    assert total.number_format == "0.00"
    vus["classeur xlsx"] = (
        formats.note(total.value),
        formats.montant(round(recommande.value * 100)),
    )
    vus["classeur xlsx (dépôt)"] = (lu("Date de dépôt").value.removesuffix(" (présumée)"),)

    html = proces_verbal.proces_verbal(contenu)
    (rangee,) = [r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{NO}<" in r]
    cellules = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td.*?</td>", rangee)]
    vus["procès-verbal HTML"] = (next(c for c in cellules if re.fullmatch(r"\d+,\d+", c)),)
    assert f"Séance du {formats.date(JOUR_SEANCE.date())}" in html

    # --- Ligne de commande ----------------------------------------------------------------
    capsys.readouterr()
    assert main(["--base", base, "classement", "--format", "csv"]) == 0
    (r,) = [
        r for r in csv.DictReader(io.StringIO(capsys.readouterr().out)) if r["no_demande"] == NO
    ]
    vus["CLI csv (données, par défaut)"] = (r["note"], r["montant_recommande_an1"])
    assert main(["--base", base, "classement", "--format", "csv", "--csv", "excel"]) == 0
    sortie = capsys.readouterr().out
    assert sortie.startswith("\ufeff")
    (r,) = [
        r
        for r in csv.DictReader(io.StringIO(sortie.removeprefix("\ufeff")), delimiter=";")
        if r["no_demande"] == NO
    ]
    vus["CLI csv --csv excel"] = (r["note"], r["montant_recommande_an1"])
    # En texte, pour une personne : comme les pages.
    assert main(["--base", base, "classement", "--format", "texte"]) == 0
    (ligne_texte,) = [
        ligne for ligne in capsys.readouterr().out.splitlines() if f" {NO} " in f" {ligne} "
    ]
    vus["CLI texte"] = (
        re.search(r"(?<![\d.,])95[.,]\d+", ligne_texte)[0],
        re.search(r"18[\u00a0 ]?000[.,]50(?:\u00a0\$)?", ligne_texte)[0],
    )
    # `notes exporter` : la note d'Éva en capacité (6,5), à deux décimales ; l'heure en ISO
    # dans le CSV, à la québécoise en texte.
    assert main(["--base", base, "notes", "exporter", "--format", "csv"]) == 0
    (r,) = [
        r
        for r in csv.DictReader(io.StringIO(capsys.readouterr().out))
        if (r["no_demande"], r["evaluateur"], r["critere"]) == (NO, EVA, "capacite")
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["date"]), r["date"]
    vus["CLI notes exporter csv (note d'Éva en capacité)"] = (r["note"],)
    assert main(["--base", base, "notes", "exporter", "--format", "texte"]) == 0
    (ligne_texte,) = [
        ligne
        for ligne in capsys.readouterr().out.splitlines()
        if NO in ligne and EVA in ligne and " capacite " in ligne
    ]
    assert re.search(r"\d{1,2}(er)? [a-zéû]+ \d{4} à \d{1,2} h \d\d", ligne_texte), ligne_texte
    vus["CLI notes exporter texte (note d'Éva en capacité)"] = (
        re.search(r"\s(6[.,]\d+)\s", ligne_texte)[1],
    )

    # --- Comparaison ----------------------------------------------------------------------
    nbsp = formats.ESPACE_INSECABLE
    attendus = {
        "page Classement": (TOTAL, MONTANT),
        "CSV Excel (français)": (TOTAL, "18000,50"),
        "CSV données": (TOTAL_FICHIER, "18000.50"),
        "page Séance": (TOTAL, MONTANT),
        "page Suivi (total de chaque évaluateur)": ("94,75", "95,50"),
        "page Admissibilité (dépôt)": (date,),
        "page Portefeuille (axe)": (TOTAL, MONTANT),
        "CSV Portefeuille Excel (français)": (TOTAL, "18000,50"),
        "CSV Portefeuille données": (TOTAL_FICHIER, "18000.50"),
        "page Journal": (formats.date_heure(instant), MONTANT),
        "CSV Journal Excel (français)": (formats.date_heure_fichier(instant), MONTANT),
        "CSV Journal données": (formats.date_heure_fichier(instant), MONTANT),
        "classeur xlsx": (TOTAL, MONTANT),
        "classeur xlsx (dépôt)": (date,),
        "procès-verbal HTML": (TOTAL,),
        "CLI csv (données, par défaut)": (TOTAL_FICHIER, "18000.50"),
        "CLI csv --csv excel": (TOTAL, "18000,50"),
        "CLI texte": (TOTAL, MONTANT),
        "CLI notes exporter csv (note d'Éva en capacité)": ("6.50",),
        "CLI notes exporter texte (note d'Éva en capacité)": ("6,50",),
    }
    assert vus == attendus, "\n".join(f"{k}: {v}" for k, v in vus.items())
    assert f"18{nbsp}000,50{nbsp}$" == MONTANT
