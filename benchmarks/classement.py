"""Mesure le calcul du classement : 5 000 demandes × 15 évaluateurs × 6 critères.

Cibles (issue 4) : résultats, calibration et classement en moins de 200 ms ; réexécution
de la page Classement dans AppTest en moins de 2 s (base SQLite de la même taille).
Usage : python benchmarks/classement.py [--demandes 5000] [--evaluateurs 15]
        [--repetitions 7] [--sans-page]
Les chiffres sont des médianes : la machine est partagée et bruyante.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))


def donnees_synthetiques(n: int, k: int, graine: int = 4):
    """Demandes et notes en long : chaque évaluateur a sa sévérité, chaque projet sa
    qualité ; quelques évaluations manquent (conflits, attributions partielles)."""
    from evaluation.appels.configuration import charger_appel

    appel = charger_appel()
    hasard = np.random.default_rng(graine)
    ids = np.arange(1, n + 1)
    demandes = pd.DataFrame(
        {
            "id": ids,
            "no_demande": [f"B-{i:05d}" for i in ids],
            "municipalite": [f"Municipalité {i % 700}" for i in ids],
            "region": [f"{1 + i % 17:02d}" for i in ids],
            "axe": 1 + ids % 3,
            "secteur": "culture",
            "projet_conjoint": hasard.random(n) < 0.2,
            "cout_total": hasard.integers(2_000_000, 9_000_000, n),
            "contribution_demandeur": hasard.integers(0, 1_000_000, n),
            "cofinancement_externe": hasard.integers(0, 1_000_000, n),
            "montant_demande_an1": hasard.integers(500_000, 3_500_000, n),
            "montant_demande_an2": hasard.integers(0, 3_000_000, n),
        }
    )
    qualite = hasard.normal(6.5, 1.5, n)
    severite = hasard.normal(0, 0.8, k)
    criteres = [c.id for c in appel.criteres]
    d, e, c = np.meshgrid(np.arange(n), np.arange(k), np.arange(len(criteres)), indexing="ij")
    brut = qualite[d] + severite[e] + hasard.normal(0, 1, d.shape)
    notes = np.clip(np.round(brut * 2) / 2, appel.echelle_min, appel.echelle_max)
    garde = np.repeat(hasard.random((n, k)) > 0.1, len(criteres)).reshape(d.shape)
    longues = pd.DataFrame(
        {
            "demande_id": ids[d[garde]],
            "evaluateur": np.array([f"e{j:02d}@exemple.qc.ca" for j in range(k)])[e[garde]],
            "critere": np.array(criteres)[c[garde]],
            "note": notes[garde],
        }
    )
    return appel, demandes, longues


def mesurer_calcul(appel, demandes, notes, repetitions: int) -> list[float]:
    from evaluation.decision import classement, notation

    reglages = classement.reglages_notation(appel)
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        c = notation.cube(notes, demandes["id"], appel.poids)
        resultats = notation.resultats(c, reglages)  # calibration comprise
        classement.classer(appel, demandes, resultats)
        durees.append(time.perf_counter() - debut)
    return durees


def base_de_la_meme_taille(chemin: Path, appel, demandes: pd.DataFrame, notes: pd.DataFrame):
    """Une base SQLite avec ces demandes et ces notes soumises (écrites en masse)."""
    from evaluation.socle import stockage

    moteur = stockage.creer_moteur(f"sqlite:///{chemin}")
    maintenant = stockage.maintenant()
    with stockage.ecriture(moteur) as connexion:
        stockage.enregistrer_appel(appel, connexion=connexion)
        lignes = demandes.drop(columns=["id"]).to_dict("records")
        for ligne in lignes:
            ligne.update(cree_le=maintenant, modifie_le=maintenant)
            ligne["projet_conjoint"] = bool(ligne["projet_conjoint"])
        stockage.inserer_demandes(appel.id, lignes, connexion=connexion)
        ids = stockage.demandes_existantes(appel.id, connexion=connexion)
        par_numero = {n: v["id"] for n, v in ids.items()}
        numero = dict(zip(demandes["id"], demandes["no_demande"], strict=True))
        evaluations = notes[["demande_id", "evaluateur"]].drop_duplicates()
        stockage.inserer_evaluations_en_masse(
            [
                {
                    "appel_id": appel.id,
                    "demande_id": par_numero[numero[d]],
                    "evaluateur": e,
                    "statut": "soumise",
                    "version": 1,
                    "cree_le": maintenant,
                    "modifie_le": maintenant,
                    "soumise_le": maintenant,
                }
                for d, e in zip(evaluations["demande_id"], evaluations["evaluateur"], strict=True)
            ],
            [
                (par_numero[numero[d]], e, c, float(v))
                for d, e, c, v in zip(
                    notes["demande_id"],
                    notes["evaluateur"],
                    notes["critere"],
                    notes["note"],
                    strict=True,
                )
            ],
            connexion=connexion,
        )
    moteur.dispose()


def mesurer_page(url: str, repetitions: int) -> tuple[float, list[float]]:
    from streamlit.testing.v1 import AppTest

    from evaluation.socle.comptes import creer_compte
    from evaluation.socle.stockage import creer_moteur
    from pages.composants.connexion import CLE_COMPTE

    moteur = creer_moteur(url)
    creer_compte("pres@exemple.qc.ca", "president", "tambour lichen aviron perle", moteur=moteur)
    moteur.dispose()
    os.environ["EVALUATION_BASE"] = url
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=120)
    at.session_state[CLE_COMPTE] = "pres@exemple.qc.ca"
    at.run()
    debut = time.perf_counter()
    at.switch_page("pages/classement.py").run()
    premiere = time.perf_counter() - debut
    assert not at.exception, at.exception
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        at.run()
        durees.append(time.perf_counter() - debut)
        assert not at.exception, at.exception
    return premiere, durees


def main() -> None:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--demandes", type=int, default=5000)
    parseur.add_argument("--evaluateurs", type=int, default=15)
    parseur.add_argument("--repetitions", type=int, default=7)
    parseur.add_argument("--sans-page", action="store_true", help="ne mesure que le calcul")
    options = parseur.parse_args()
    appel, demandes, notes = donnees_synthetiques(options.demandes, options.evaluateurs)
    print(
        f"{options.demandes} demandes × {options.evaluateurs} évaluateurs × "
        f"{len(appel.criteres)} critères : {len(notes)} notes"
    )
    durees = mesurer_calcul(appel, demandes, notes, options.repetitions)
    print(
        f"Résultats + calibration + classement : médiane {statistics.median(durees) * 1000:.0f} ms "
        f"(min {min(durees) * 1000:.0f}, max {max(durees) * 1000:.0f} ; cible < 200 ms)"
    )
    if options.sans_page:
        return
    with tempfile.TemporaryDirectory() as dossier:
        chemin = Path(dossier) / "mesure.sqlite"
        debut = time.perf_counter()
        base_de_la_meme_taille(chemin, appel, demandes, notes)
        print(f"Base SQLite de mesure écrite en {time.perf_counter() - debut:.1f} s")
        premiere, reexecutions = mesurer_page(f"sqlite:///{chemin}", options.repetitions)
        print(
            f"Page Classement (AppTest) : première ouverture {premiere:.2f} s ; réexécution "
            f"médiane {statistics.median(reexecutions):.2f} s (min {min(reexecutions):.2f}, "
            f"max {max(reexecutions):.2f} ; cible < 2 s)"
        )


if __name__ == "__main__":
    main()
