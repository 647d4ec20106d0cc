"""Les mesures de benchmarks/ tournent encore sur un petit lot : un changement du domaine qui
les casse (un mot de passe refusé, une fonction déplacée) se voit ici, pas le jour de mesurer.
Les durées ne sont pas vérifiées ici ; elles ne se lisent que dans les scripts eux-mêmes."""

import subprocess
import sys

import pytest

from tests.conftest import RACINE_PROJET

MESURES = ["classement", "exportation", "importation", "portefeuille"]


@pytest.mark.parametrize("mesure", MESURES)
def test_la_mesure_tourne_et_imprime_ses_chiffres(mesure):
    resultat = subprocess.run(
        [sys.executable, f"benchmarks/{mesure}.py", "--demandes", "40", "--repetitions", "1"],
        cwd=RACINE_PROJET,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resultat.returncode == 0, resultat.stderr[-2000:]
    assert "Traceback" not in resultat.stderr
    assert "médiane" in resultat.stdout, resultat.stdout


def test_chaque_mesure_est_eprouvee():
    scripts = {p.stem for p in (RACINE_PROJET / "benchmarks").glob("*.py")} - {"__init__"}
    assert scripts == set(MESURES)
