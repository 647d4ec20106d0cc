"""Mesure la meilleure sélection (scipy.optimize.milp) et le bootstrap de la ligne.

Cibles (issue 5) : 5 000 demandes et 30 cibles en moins de 2 s ; bootstrap de 1 000
tirages pour 500 demandes × 5 évaluateurs en moins de 3 s.
Usage : python benchmarks/portefeuille.py [--demandes 5000] [--repetitions 5]
Les chiffres sont des médianes : la machine est partagée et bruyante.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))


def tableau(n: int, graine: int = 7):
    """Un classement synthétique : n demandes classées, deux années, 17 régions."""
    from evaluation.appels.configuration import Cible, charger_appel

    appel = charger_appel()
    hasard = np.random.default_rng(graine)
    an1 = hasard.integers(500_000, 2_500_001, n)
    an2 = np.where(hasard.random(n) < 0.5, hasard.integers(0, 2_500_001, n), 0)
    table = pd.DataFrame(
        {
            "demande_id": np.arange(1, n + 1),
            "no_demande": [f"B-{i:05d}" for i in range(1, n + 1)],
            "statut": "classé",
            "financement": "",
            "decision": "",
            "rang": np.arange(1, n + 1),
            "total": np.sort(hasard.uniform(60, 95, n))[::-1],
            "recommande_an1": an1,
            "recommande_an2": an2,
            "montant_demande_an1": an1,
            "montant_demande_an2": an2,
            "axe": 1 + hasard.integers(0, 3, n),
            "secteur": hasard.choice([s.id for s in appel.secteurs], n),
            "region": [f"{r:02d}" for r in 1 + hasard.integers(0, 17, n)],
        }
    )
    # Enveloppes à la taille du lot ; 30 cibles : 3 axes, 7 secteurs, 17 régions, 3 nombres.
    enveloppe = (int(an1.sum() * 0.3 / 100), int(an2.sum() * 0.3 / 100))
    cibles = [Cible("axe", str(a), part_min=20) for a in (1, 2, 3)]
    cibles += [Cible("secteur", s.id, part_max=25) for s in appel.secteurs]
    cibles += [Cible("region", r.code, part_max=12) for r in appel.regions]
    cibles += [Cible("axe", str(a), nombre_min=n // 20) for a in (1, 2, 3)]
    financement = dataclasses.replace(
        appel.financement, enveloppe=tuple(e * 100 for e in enveloppe)
    )
    appel = dataclasses.replace(appel, cibles=tuple(cibles), financement=financement)
    return appel, table


def main() -> None:
    from evaluation.decision import portefeuille

    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--demandes", type=int, default=5000)
    parseur.add_argument("--repetitions", type=int, default=5)
    options = parseur.parse_args()

    appel, table = tableau(options.demandes)
    durees = []
    for _ in range(options.repetitions):
        debut = time.perf_counter()
        choix = portefeuille.optimiser(table, appel)
        durees.append(time.perf_counter() - debut)
    print(
        f"Meilleure sélection, {options.demandes} demandes et {len(appel.cibles)} cibles : "
        f"médiane {statistics.median(durees):.2f} s (min {min(durees):.2f}, max "
        f"{max(durees):.2f} ; cible < 2 s) ; {int(choix.choisies.sum())} choisies, "
        f"{len(choix.manques)} cible(s) manquée(s)"
    )

    hasard = np.random.default_rng(3)
    n, e = 500, 5
    par_evaluateur = np.clip(hasard.normal(70, 10, (n, 1)) + hasard.normal(0, 8, (n, e)), 0, 100)
    montants = hasard.integers(500_000, 2_500_001, (n, 2))
    enveloppes = (int(montants[:, 0].sum() * 0.4), int(montants[:, 1].sum() * 0.4))
    durees = []
    for _ in range(options.repetitions):
        debut = time.perf_counter()
        portefeuille.bootstrap(par_evaluateur, montants, enveloppes, tirages=1000, graine=1)
        durees.append(time.perf_counter() - debut)
    print(
        f"Bootstrap, {n} demandes × {e} évaluateurs, 1 000 tirages : médiane "
        f"{statistics.median(durees):.2f} s (min {min(durees):.2f}, max {max(durees):.2f} ; "
        "cible < 3 s)"
    )


if __name__ == "__main__":
    main()
