"""Mesure l'importation complète (lire, vérifier, stocker) de 5 000 demandes et 20 000
lignes de budget, comparée à une simple lecture `pandas.read_excel(engine="calamine")`.

Cibles (issue 2) : import complet ≤ 3 × la lecture nue, < 3 s, pic mémoire < 500 Mo.
Usage : python benchmarks/importation.py [--demandes 5000] [--repetitions 5]
Les chiffres sont des médianes : la machine est partagée et bruyante.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))


def generer(chemin: Path, n: int, lignes_par_demande: int = 4) -> None:
    """Classeur au format du gabarit : n demandes valides et n × 4 lignes de budget."""
    from openpyxl import Workbook

    from evaluation.appel import charger_appel
    from evaluation.gabarit import COLONNES_BUDGET, COLONNES_DEMANDES
    from evaluation.municipalites import repertoire

    appel = charger_appel()
    hasard = random.Random(5000)
    noms = {}
    for m in repertoire().municipalites:
        noms.setdefault(m.nom, []).append(m)
    municipalites = [ms[0] for ms in noms.values() if len(ms) == 1]
    categories = [c.libelle for c in appel.categories if c.admissible and not c.plafonnee]
    wb = Workbook(write_only=True)
    demandes = wb.create_sheet("Demandes")
    budget = wb.create_sheet("Budget")
    demandes.append([c.entete for c in COLONNES_DEMANDES])
    budget.append([c.entete for c in COLONNES_BUDGET])
    for i in range(1, n + 1):
        m = hasard.choice(municipalites)
        an1 = hasard.randrange(8_000, 25_000, 250)
        debut = dt.date(2024, 4, 1) + dt.timedelta(days=hasard.randrange(0, 200))
        numero = f"B-{i:05d}"
        demandes.append(
            [
                numero,
                m.nom,
                m.region_code,
                None,
                "Ville partenaire",
                "France",
                f"Projet international n° {i}",
                "Résumé du projet.",
                hasard.randint(1, 3),
                hasard.choice(appel.secteurs).libelle,
                None,
                debut,
                debut + dt.timedelta(days=300),
                an1 * 2,
                an1,
                None,
                an1,
                None,
                "non",
                "oui",
                "oui",
                "oui",
                "fonctionnaire",
                f"contact{i}@exemple.example",
            ]
        )
        parts = [an1 // lignes_par_demande] * (lignes_par_demande - 1)
        parts.append(an1 - sum(parts))
        for montant in parts:
            budget.append([numero, 1, hasard.choice(categories), "Dépense", montant])
    wb.save(chemin)


def lecture_nue(chemin: Path) -> float:
    import pandas as pd

    debut = time.perf_counter()
    pd.read_excel(chemin, sheet_name=["Demandes", "Budget"], engine="calamine")
    return time.perf_counter() - debut


def import_complet(chemin: Path, base: Path) -> float:
    from evaluation.appel import charger_appel
    from evaluation.importation import importer, verifier_lot
    from evaluation.municipalites import repertoire
    from evaluation.stockage import creer_moteur

    appel = charger_appel()
    repertoire()
    base.unlink(missing_ok=True)
    moteur = creer_moteur(f"sqlite:///{base}")
    debut = time.perf_counter()
    verification = verifier_lot([(chemin.name, chemin)], appel)
    rapport = importer(verification, appel, moteur=moteur)
    duree = time.perf_counter() - debut
    assert rapport.apres == len(rapport.creees), rapport
    moteur.dispose()
    return duree


def _enfant(chemin: str, base: str) -> None:
    """Un import dans un processus neuf, pour mesurer son pic de mémoire seul."""
    duree = import_complet(Path(chemin), Path(base))
    pic = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"duree": duree, "pic": pic}))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--demandes", type=int, default=5000)
    p.add_argument("--repetitions", type=int, default=5)
    p.add_argument("--enfant", nargs=2, help=argparse.SUPPRESS)
    options = p.parse_args()
    if options.enfant:
        _enfant(*options.enfant)
        return
    with tempfile.TemporaryDirectory() as dossier:
        chemin = Path(dossier) / "demandes.xlsx"
        base = Path(dossier) / "base.sqlite"
        generer(chemin, options.demandes)
        print(
            f"Classeur : {options.demandes} demandes, {options.demandes * 4} lignes de budget, "
            f"{chemin.stat().st_size / 2**20:.1f} Mo"
        )
        import_complet(chemin, base)  # échauffement (imports de modules, répertoire)
        nues, completes = [], []
        for _ in range(options.repetitions):
            nues.append(lecture_nue(chemin))
            completes.append(import_complet(chemin, base))
        nue, complete = statistics.median(nues), statistics.median(completes)
        resultat = subprocess.run(
            [sys.executable, __file__, "--enfant", str(chemin), str(base)],
            capture_output=True,
            text=True,
            check=True,
        )
        pic = json.loads(resultat.stdout.strip().splitlines()[-1])["pic"]
    print(f"Lecture nue (pandas + calamine), médiane de {options.repetitions} : {nue:.2f} s")
    print(f"Import complet (lire, vérifier, stocker), médiane : {complete:.2f} s")
    print(f"Rapport import / lecture nue : {complete / nue:.1f} × (cible ≤ 3 ×)")
    print(f"Pic de mémoire du processus d'import : {pic / 2**20:.0f} Mo (cible < 500 Mo)")


if __name__ == "__main__":
    main()
