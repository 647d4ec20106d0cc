"""Les contrats entre couches (pyproject.toml, [tool.importlinter]) tiennent, et ils
mordent : une règle qui lirait la base, un module du domaine qui importerait streamlit, un
module hors du stockage qui importerait sqlalchemy font échouer `lint-imports`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RACINE_PROJET

LINT = Path(sys.executable).with_name("lint-imports")


def _lint(racine: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=racine, capture_output=True, text=True, timeout=120
    )


def test_les_contrats_tiennent():
    resultat = _lint(RACINE_PROJET)
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "4 kept, 0 broken" in resultat.stdout


@pytest.mark.parametrize(
    ("module", "ligne", "contrat"),
    [
        (
            "evaluation/decision/notation.py",
            "from evaluation.socle import stockage  # noqa",
            "Les règles ne lisent ni n'écrivent la base",
        ),
        (
            "evaluation/notes/suivi.py",
            "from evaluation.notes import evaluations  # noqa",
            "Couches",
        ),
        ("evaluation/socle/texte.py", "import streamlit  # noqa", "n'importe jamais streamlit"),
        (
            "evaluation/depot/validation.py",
            "import sqlalchemy  # noqa",
            "sqlalchemy et alembic seulement dans le stockage",
        ),
    ],
)
def test_une_violation_fait_echouer_lint_imports(tmp_path, module, ligne, contrat):
    copie = tmp_path / "projet"
    for dossier in ("evaluation", "pages"):
        shutil.copytree(
            RACINE_PROJET / dossier, copie / dossier, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(RACINE_PROJET / "pyproject.toml", copie / "pyproject.toml")
    fichier = copie / module
    fichier.write_text(fichier.read_text() + f"\n{ligne}\n")
    resultat = _lint(copie)
    assert resultat.returncode != 0
    casses = [ligne for ligne in resultat.stdout.splitlines() if ligne.endswith("BROKEN")]
    assert any(contrat in c for c in casses), resultat.stdout
