"""Mesure l'exportation du classeur du comité : 5 000 demandes classées, toutes feuilles.

Cible (issue 6) : moins de 3 s. Compare aussi openpyxl (retenu) à xlsxwriter pour la
feuille Classement, avec la même mise en forme (tableau filtrable, en-tête figé, formats
de montants et de notes, couleurs par statut, trait de la ligne de financement).
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

    from evaluation import classement, notation

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


def classement_xlsxwriter(table, appel) -> bytes:
    """La feuille Classement écrite par xlsxwriter : mêmes colonnes, mêmes formats, tableau
    filtrable, en-tête figé, couleurs par statut, textes jamais évalués (quote_prefix)."""
    import xlsxwriter

    from evaluation import exportation

    en_tetes, lignes, formats = exportation.lignes_classement(appel, table)
    sortie = io.BytesIO()
    livre = xlsxwriter.Workbook(sortie, {"in_memory": True, "strings_to_formulas": False})
    feuille = livre.add_worksheet("Classement")
    par_format = {f: livre.add_format({"num_format": f}) for f in set(formats.values())}
    prefixe = livre.add_format({"quote_prefix": True})
    vert = livre.add_format({"bg_color": "#E2EFDA"})
    for i, ligne in enumerate(lignes, 4):
        for j, v in enumerate(ligne):
            if v is None or (isinstance(v, float) and v != v):
                continue
            if isinstance(v, str):
                dangereux = v.startswith(exportation.DEBUTS_FORMULE)
                feuille.write_string(i, j, v, prefixe if dangereux else None)
            else:
                feuille.write_number(i, j, float(v), par_format.get(formats.get(en_tetes[j])))
    feuille.add_table(
        3, 0, 3 + len(lignes), len(en_tetes) - 1, {"columns": [{"header": t} for t in en_tetes]}
    )
    feuille.freeze_panes(4, 2)
    statut = chr(ord("A") + en_tetes.index("Statut"))
    feuille.conditional_format(
        4,
        0,
        3 + len(lignes),
        len(en_tetes) - 1,
        {"type": "formula", "criteria": f'=${statut}5="financé"', "format": vert},
    )
    livre.close()
    return sortie.getvalue()


def main() -> None:
    from evaluation import exportation

    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--demandes", type=int, default=5000)
    parseur.add_argument("--repetitions", type=int, default=5)
    options = parseur.parse_args()
    appel, table = classement_synthetique(options.demandes)
    instant = dt.datetime(2026, 11, 24, 12, 0)
    durees = []
    for _ in range(options.repetitions):
        debut = time.perf_counter()
        contenu = exportation.classeur(
            appel, table, poids=appel.poids, auteur="mesure", instant=instant
        )
        durees.append(time.perf_counter() - debut)
    print(
        f"Classeur complet (openpyxl), {options.demandes} demandes : médiane "
        f"{statistics.median(durees):.2f} s (min {min(durees):.2f}, max {max(durees):.2f} ; "
        f"cible < 3 s) ; {len(contenu) // 1024} Kio"
    )
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        print("xlsxwriter absent (requirements-dev.txt) : comparaison non faite.")
        return
    from openpyxl import Workbook

    durees_x, durees_o = [], []
    for _ in range(options.repetitions):
        debut = time.perf_counter()
        classement_xlsxwriter(table, appel)
        durees_x.append(time.perf_counter() - debut)
        debut = time.perf_counter()
        livre = Workbook()
        exportation._feuille_classement(livre, appel, table, instant.date(), appel.poids)
        livre.save(io.BytesIO())
        durees_o.append(time.perf_counter() - debut)
    print(
        f"Feuille Classement seule, mêmes colonnes et formats : openpyxl "
        f"{statistics.median(durees_o):.2f} s, xlsxwriter {statistics.median(durees_x):.2f} s "
        "(médianes)"
    )


if __name__ == "__main__":
    main()
