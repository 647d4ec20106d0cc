"""Mesure l'importation complète (lire, vérifier, stocker) de 5 000 demandes et 20 000
lignes de budget, comparée à une simple lecture `pandas.read_excel(engine="calamine")`,
avec et sans le processus de lecture isolé (evaluation/depot/lecture_isolee.py).

Le classeur est réaliste : écrit comme Excel l'écrit (textes partagés, par xlsxwriter),
titres et résumés de longueurs variées, dates et montants, et des milliers d'avertissements
(partenaire inconnu, autre financement, dépense non admissible, contribution absente,
région contradictoire) que la vérification doit produire.

Cibles (issues 2 et 12) : import complet ≤ 3 × la lecture nue, < 3 s, pic mémoire < 500 Mo.
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

MOTS = [
    "coopération",
    "échanges",
    "jeunesse",
    "culture",
    "patrimoine",
    "innovation",
    "économie",
    "circulaire",
    "mobilité",
    "durable",
    "tourisme",
    "francophonie",
    "numérique",
    "agriculture",
    "urbaine",
    "résilience",
    "climatique",
    "formation",
    "entrepreneuriat",
    "jumelage",
    "mission",
    "partenaires",
    "expertise",
]


def _texte(hasard: random.Random, mots: int) -> str:
    return " ".join(hasard.choice(MOTS) for _ in range(mots)).capitalize() + "."


def generer(chemin: Path, n: int, lignes_par_demande: int = 4) -> None:
    """Classeur au format du gabarit : n demandes et n × 4 lignes de budget, écrit avec des
    textes partagés comme par Excel ; environ une demande sur deux porte un avertissement."""
    import xlsxwriter

    from evaluation.appels.configuration import charger_appel
    from evaluation.depot.gabarit import COLONNES_BUDGET, COLONNES_DEMANDES
    from evaluation.depot.municipalites import repertoire

    appel = charger_appel()
    hasard = random.Random(5000)
    noms: dict[str, list] = {}
    for m in repertoire().municipalites:
        noms.setdefault(m.nom, []).append(m)
    municipalites = [ms[0] for ms in noms.values() if len(ms) == 1]
    admissibles = [c.libelle for c in appel.categories if c.admissible and not c.plafonnee]
    classeur = xlsxwriter.Workbook(str(chemin))
    date = classeur.add_format({"num_format": "yyyy-mm-dd"})
    demandes = classeur.add_worksheet("Demandes")
    budget = classeur.add_worksheet("Budget")
    demandes.write_row(0, 0, [c.entete for c in COLONNES_DEMANDES])
    budget.write_row(0, 0, [c.entete for c in COLONNES_BUDGET])
    ligne_budget = 1
    for i in range(1, n + 1):
        m = hasard.choice(municipalites)
        an1 = hasard.randrange(8_000, 25_000, 250)
        debut = dt.date(2024, 4, 1) + dt.timedelta(days=hasard.randrange(0, 200))
        numero = f"B-{i:05d}"
        tirage = hasard.random()
        partenaire = "Villeinconnue" if tirage < 0.15 else hasard.choice(municipalites).nom
        region = "16" if 0.15 <= tirage < 0.2 and m.region_code != "16" else m.region_code
        contribution = None if 0.2 <= tirage < 0.3 else an1
        autre = "oui" if 0.3 <= tirage < 0.5 else "non"
        valeurs = [
            numero,
            m.nom,
            region,
            partenaire,
            "Ville partenaire",
            "France",
            _texte(hasard, hasard.randint(4, 12)),
            _texte(hasard, hasard.randint(40, 220)),
            hasard.randint(1, 3),
            hasard.choice(appel.secteurs).libelle,
            None,
            None,
            None,
            an1 * 2,
            an1,
            None,
            contribution,
            None,
            autre,
            "oui",
            "oui",
            "oui",
            "fonctionnaire",
            f"contact{i}@exemple.example",
        ]
        demandes.write_row(i, 0, valeurs)
        demandes.write_datetime(i, 11, dt.datetime.combine(debut, dt.time()), date)
        demandes.write_datetime(
            i, 12, dt.datetime.combine(debut, dt.time()) + dt.timedelta(300), date
        )
        parts = [an1 // lignes_par_demande] * (lignes_par_demande - 1)
        parts.append(an1 - sum(parts))
        for montant in parts:
            categorie = "Salaires" if hasard.random() < 0.1 else hasard.choice(admissibles)
            budget.write_row(ligne_budget, 0, [numero, 1, categorie, _texte(hasard, 5), montant])
            ligne_budget += 1
    classeur.close()


def lecture_nue(chemin: Path) -> float:
    import pandas as pd

    debut = time.perf_counter()
    pd.read_excel(chemin, sheet_name=["Demandes", "Budget"], engine="calamine")
    return time.perf_counter() - debut


def import_complet(chemin: Path, base: Path, isole: bool = True) -> tuple[float, int]:
    """(durée, nombre d'avertissements) d'une importation complète dans une base neuve."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.depot.importation import importer
    from evaluation.depot.lecture import Limites
    from evaluation.depot.municipalites import repertoire
    from evaluation.depot.verification import verifier_lot
    from evaluation.socle.probleme import AVERTISSEMENT
    from evaluation.socle.stockage import creer_moteur

    appel = charger_appel()
    repertoire()
    base.unlink(missing_ok=True)
    moteur = creer_moteur(f"sqlite:///{base}")
    debut = time.perf_counter()
    verification = verifier_lot(
        [(chemin.name, chemin)], appel, limites=Limites(processus_isole=isole)
    )
    rapport = importer(verification, appel, moteur=moteur)
    duree = time.perf_counter() - debut
    assert rapport.apres == len(rapport.creees), rapport
    moteur.dispose()
    return duree, sum(p.severite == AVERTISSEMENT for p in verification.problemes)


def _pic_propre() -> int:
    """Le pic de mémoire (octets) de ce processus depuis son exec (VmHWM). ru_maxrss, lui,
    hérite à l'exec du pic du processus qui l'a lancé."""
    for ligne in Path("/proc/self/status").read_text().splitlines():
        if ligne.startswith("VmHWM:"):
            return int(ligne.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _enfant(chemin: str, base: str) -> None:
    """Un import dans un processus neuf, pour mesurer son pic de mémoire seul."""
    duree, _ = import_complet(Path(chemin), Path(base))
    print(json.dumps({"duree": duree, "pic": _pic_propre()}))


# Un lanceur minuscule : le processus de lecture qu'il lance n'hérite pas d'un gros pic, et
# wait4 rend le sien.
_LANCEUR = """
import os, subprocess, sys
processus = subprocess.Popen(sys.argv[1:], stdin=sys.stdin, stdout=subprocess.DEVNULL)
_, statut, usage = os.wait4(processus.pid, 0)
print(usage.ru_maxrss * 1024)
"""


def pic_lecture(chemin: Path) -> int:
    """Le pic de mémoire (octets) du processus de lecture isolé, seul, sur ce fichier."""
    from dataclasses import asdict

    from evaluation.depot.lecture import Limites
    from evaluation.depot.lecture_isolee import PROGRAMME

    entete = json.dumps({"nom": chemin.name, "limites": asdict(Limites())}).encode()
    resultat = subprocess.run(
        [sys.executable, "-c", _LANCEUR, sys.executable, "-I", "-c", PROGRAMME, str(RACINE)],
        input=len(entete).to_bytes(4, "big") + entete + chemin.read_bytes(),
        capture_output=True,
        check=True,
    )
    return int(resultat.stdout)


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
            f"{chemin.stat().st_size / 2**20:.1f} Mo (textes partagés, comme Excel)"
        )
        _, avertissements = import_complet(chemin, base)  # échauffement (modules, répertoire)
        import_complet(chemin, base, isole=False)
        nues, isolees, sur_place = [], [], []
        for _ in range(options.repetitions):  # entrelacées : la charge de la machine varie
            nues.append(lecture_nue(chemin))
            isolees.append(import_complet(chemin, base)[0])
            sur_place.append(import_complet(chemin, base, isole=False)[0])
        nue = statistics.median(nues)
        isolee, locale = statistics.median(isolees), statistics.median(sur_place)
        resultat = subprocess.run(
            [sys.executable, __file__, "--enfant", str(chemin), str(base)],
            capture_output=True,
            text=True,
            check=True,
        )
        memoire = json.loads(resultat.stdout.strip().splitlines()[-1])
        memoire["lecture"] = pic_lecture(chemin)
    print(f"Avertissements produits par la vérification : {avertissements}")
    print(f"Lecture nue (pandas + calamine), médiane de {options.repetitions} : {nue:.2f} s")
    print(
        f"Import complet (lire, vérifier, stocker), lecture isolée : {isolee:.2f} s, "
        f"soit {isolee / nue:.1f} × la lecture nue (cible ≤ 3 ×, < 3 s)"
    )
    print(
        f"Import complet, lecture sur place (sans processus isolé) : {locale:.2f} s, "
        f"soit {locale / nue:.1f} ×"
    )
    print(f"Coût du processus isolé : {isolee - locale:+.2f} s ({isolee / locale - 1:+.0%})")
    print(
        f"Pic de mémoire du processus d'import : {memoire['pic'] / 2**20:.0f} Mo, du processus "
        f"de lecture : {memoire['lecture'] / 2**20:.0f} Mo (cible < 500 Mo)"
    )


if __name__ == "__main__":
    main()
