"""Ce que coûte le processus de lecture isolé (evaluation/depot/lecture_isolee.py) à une
importation complète (lire, vérifier, stocker), et le pic de mémoire de ce processus seul.

Le classeur est celui de benchmarks/base_realiste.py : écrit comme Excel l'écrit, quatre
lignes de budget par demande et des milliers d'avertissements. L'importation telle qu'on
l'attend (la commande entière, face à une lecture nue) est une ligne de
benchmarks/parcours.py ; ici, l'importation en mémoire avec et sans processus isolé.

Cible (issue 12) : pic de mémoire du processus de lecture < 500 Mo.
Usage : python benchmarks/importation.py [--demandes 5000] [--repetitions 5] [--dossier D]
Les chiffres sont des médianes : la machine est partagée et bruyante.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from benchmarks import base_realiste  # noqa: E402


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
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--demandes", type=int, default=5000)
    p.add_argument("--repetitions", type=int, default=5)
    p.add_argument("--dossier", type=Path, default=base_realiste.DOSSIER, help="classeurs gardés")
    p.add_argument("--enfant", nargs=2, help=argparse.SUPPRESS)
    options = p.parse_args()
    if options.enfant:
        _enfant(*options.enfant)
        return
    chemin = base_realiste.assurer_fichier_import(options.demandes, options.dossier)
    print(
        f"Classeur : {options.demandes} demandes, {options.demandes * 4} lignes de budget, "
        f"{chemin.stat().st_size / 2**20:.1f} Mo (textes partagés, comme Excel)"
    )
    with tempfile.TemporaryDirectory() as dossier:
        base = Path(dossier) / "base.sqlite"
        _, avertissements = import_complet(chemin, base)  # échauffement (modules, répertoire)
        import_complet(chemin, base, isole=False)
        isolees, sur_place = [], []
        for _ in range(options.repetitions):  # entrelacées : la charge de la machine varie
            isolees.append(import_complet(chemin, base)[0])
            sur_place.append(import_complet(chemin, base, isole=False)[0])
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
    print(f"Import complet, lecture isolée : médiane {isolee:.2f} s")
    print(f"Import complet, lecture sur place (sans processus isolé) : médiane {locale:.2f} s")
    print(f"Coût du processus isolé : {isolee - locale:+.2f} s ({isolee / locale - 1:+.0%})")
    print(
        f"Pic de mémoire du processus d'import : {memoire['pic'] / 2**20:.0f} Mo, du processus "
        f"de lecture : {memoire['lecture'] / 2**20:.0f} Mo (cible < 500 Mo)"
    )


if __name__ == "__main__":
    main()
