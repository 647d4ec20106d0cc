"""Mesure l'exportation du classeur du comité : 5 000 demandes classées, toutes feuilles.

Cible (issue 6) : moins de 3 s. Compare aussi xlsxwriter (retenu) à openpyxl pour la
feuille Classement, qui porte presque tout le temps (les autres feuilles ont au plus
17 lignes), avec la même mise en forme (tableau filtrable, en-tête figé, formats de
montants et de notes, couleurs par statut, trait de la ligne de financement).
Usage : python benchmarks/exportation.py [--demandes 5000] [--repetitions 5]
Les chiffres sont des médianes : la machine est partagée et bruyante.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
sys.path.insert(0, str(RACINE / "benchmarks"))


def classement_synthetique(n: int):
    from classement import donnees_synthetiques

    from evaluation.decision import classement, notation

    appel, demandes, notes = donnees_synthetiques(n, 5)
    demandes["titre"] = [f"Projet de coopération internationale n° {i}" for i in demandes["id"]]
    demandes["secteurs_secondaires"] = ""
    demandes["pays"] = "France"
    demandes["code_geographique"] = None
    demandes["municipalites_partenaires"] = None
    c = notation.cube(notes, demandes["id"], appel.poids)
    table = classement.classer(
        appel, demandes, notation.resultats(c, classement.reglages_notation(appel))
    )
    table["decision"] = ""
    table["justification"] = ""
    for a in (1, 2):
        table[f"accorde_an{a}"] = None
    return appel, table


def classement_openpyxl(table, appel) -> bytes:
    """La feuille Classement écrite par openpyxl : mêmes colonnes, mêmes formats, tableau
    filtrable, en-tête figé, couleurs par statut, trait de la ligne de financement, textes
    jamais évalués (data_type « s », quotePrefix) — le témoin de la comparaison."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from evaluation.decision import financement
    from evaluation.sorties import classeur as exportation
    from evaluation.sorties.neutralisation import dangereux

    en_tetes, lignes, formats = exportation.lignes_classement(appel, table)
    livre = Workbook()
    feuille = livre.active
    feuille.title = "Classement"
    haut = 4
    gras = Font(bold=True)
    for j, titre in enumerate(en_tetes, 1):
        feuille.cell(row=haut, column=j, value=titre).font = gras
    financees = (table["financement"] == financement.FINANCE).to_numpy().nonzero()[0]
    trait = Border(bottom=Side(style="thick", color="C00000"))
    for i, ligne in enumerate(lignes):
        for j, v in enumerate(ligne, 1):
            v = exportation.valeur_de_cellule(v)
            cellule = feuille.cell(row=haut + 1 + i, column=j)
            cellule.value = v
            if isinstance(v, str):
                cellule.data_type = "s"
                cellule.quotePrefix = dangereux(v)
            elif v is not None and en_tetes[j - 1] in formats:
                cellule.number_format = formats[en_tetes[j - 1]]
            if len(financees) and i == financees[-1]:
                cellule.border = trait
    fin = haut + max(len(lignes), 1)
    derniere = get_column_letter(len(en_tetes))
    feuille.add_table(
        Table(
            displayName="Classement",
            ref=f"A{haut}:{derniere}{fin}",
            tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True),
        )
    )
    feuille.freeze_panes = "C5"
    statut = get_column_letter(en_tetes.index("Statut") + 1)
    feuille.conditional_formatting.add(
        f"A{haut + 1}:{derniere}{fin}",
        FormulaRule(
            formula=[f'${statut}{haut + 1}="financé"'],
            fill=PatternFill(start_color="E2EFDA", end_color="E2EFDA", fill_type="solid"),
        ),
    )
    sortie = io.BytesIO()
    livre.save(sortie)
    return sortie.getvalue()


def classement_xlsxwriter(table, appel) -> bytes:
    """La feuille Classement seule, par le code de l'application (xlsxwriter)."""
    import xlsxwriter

    from evaluation.sorties import classeur as exportation

    sortie = io.BytesIO()
    livre = xlsxwriter.Workbook(sortie, exportation.OPTIONS_CLASSEUR)
    formats = exportation.Formats(livre)
    exportation._feuille_classement(
        livre, formats, appel, table, dt.date(2026, 11, 24), appel.poids
    )
    livre.close()
    return sortie.getvalue()


def mediane(fonction, repetitions: int) -> tuple[float, float, float]:
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        fonction()
        durees.append(time.perf_counter() - debut)
    return statistics.median(durees), min(durees), max(durees)


def main() -> None:
    from evaluation.sorties import classeur as exportation

    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--demandes", type=int, default=5000)
    parseur.add_argument("--repetitions", type=int, default=5)
    options = parseur.parse_args()
    appel, table = classement_synthetique(options.demandes)
    instant = dt.datetime(2026, 11, 24, 12, 0)
    contenu = exportation.classeur(
        appel, table, poids=appel.poids, auteur="mesure", instant=instant
    )
    med, bas, haut = mediane(
        lambda: exportation.classeur(
            appel, table, poids=appel.poids, auteur="mesure", instant=instant
        ),
        options.repetitions,
    )
    print(
        f"Classeur complet (xlsxwriter), {options.demandes} demandes, toutes feuilles : "
        f"médiane {med:.2f} s (min {bas:.2f}, max {haut:.2f} ; cible < 3 s) ; "
        f"{len(contenu) // 1024} Kio"
    )
    x = mediane(lambda: classement_xlsxwriter(table, appel), options.repetitions)[0]
    o = mediane(lambda: classement_openpyxl(table, appel), options.repetitions)[0]
    print(
        f"Feuille Classement seule ({options.demandes} lignes, mêmes colonnes et formats) : "
        f"xlsxwriter {x:.2f} s, openpyxl {o:.2f} s (médianes) : openpyxl/xlsxwriter = {o / x:.2f}"
    )


if __name__ == "__main__":
    main()
