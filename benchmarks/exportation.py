"""Pourquoi le classeur du comité s'écrit avec xlsxwriter : la feuille Classement écrite par
xlsxwriter (le code de l'application) et par openpyxl, à mise en forme égale (tableau
filtrable, en-tête figé, formats de montants et de notes, couleurs par statut, trait de la
ligne de financement), sur le classement de la base réaliste (benchmarks/base_realiste.py).

Le classeur complet tel qu'on l'attend (la commande `exporter` entière, face aux mêmes
cellules écrites simplement) est une ligne de benchmarks/parcours.py.
Usage : python benchmarks/exportation.py [--demandes 5000] [--repetitions 5] [--dossier D]
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

from benchmarks import base_realiste  # noqa: E402


def classement_de_la_base(demandes: int, dossier: Path):
    """L'appel et son classement, lus dans la base réaliste de cette taille."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.decision.chargement import charger
    from evaluation.decision.classement import classement
    from evaluation.socle.stockage import creer_moteur

    manifeste = base_realiste.base(demandes, dossier=dossier)
    appel = charger_appel()
    moteur = creer_moteur(manifeste["url"])
    table = classement(appel, charger(appel, moteur=moteur))
    moteur.dispose()
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
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--demandes", type=int, default=5000)
    parseur.add_argument("--repetitions", type=int, default=5)
    parseur.add_argument("--dossier", type=Path, default=base_realiste.DOSSIER)
    options = parseur.parse_args()
    appel, table = classement_de_la_base(options.demandes, options.dossier)
    x = mediane(lambda: classement_xlsxwriter(table, appel), options.repetitions)[0]
    o = mediane(lambda: classement_openpyxl(table, appel), options.repetitions)[0]
    print(
        f"Feuille Classement seule ({len(table)} lignes, mêmes colonnes et formats) : "
        f"xlsxwriter médiane {x:.2f} s, openpyxl {o:.2f} s : openpyxl/xlsxwriter = {o / x:.2f}"
    )


if __name__ == "__main__":
    main()
