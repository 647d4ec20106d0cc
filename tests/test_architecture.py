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


def _contrats() -> list[dict]:
    import tomllib

    with open(RACINE_PROJET / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]["contracts"]


def _modules_du_domaine() -> set[str]:
    """Chaque module de evaluation/ (hors paquets, __main__ et fichiers d'Alembic)."""
    modules = set()
    for fichier in (RACINE_PROJET / "evaluation").rglob("*.py"):
        relatif = fichier.relative_to(RACINE_PROJET).with_suffix("")
        if relatif.name in ("__init__", "__main__") or "migrations" in relatif.parts:
            continue
        modules.add(".".join(relatif.parts))
    return modules


def test_chaque_module_du_domaine_a_sa_couche():
    """Un module ajouté sans être rangé dans une couche échapperait aux contrats, qui nomment
    les modules un à un : il doit y être rangé (le paquet du stockage compte pour les siens)."""
    couches = next(c for c in _contrats() if c["type"] == "layers")["layers"]
    ranges = {m.strip() for couche in couches for m in couche.split(":")}
    hors = {
        m
        for m in _modules_du_domaine()
        if m not in ranges and not any(m.startswith(f"{r}.") for r in ranges)
    }
    assert hors == set(), f"modules hors de toute couche dans pyproject.toml : {sorted(hors)}"


def test_chaque_regle_est_tenue_hors_de_la_base():
    """La couche des règles et la liste des modules à qui la base est interdite sont la même."""
    contrats = _contrats()
    couches = next(c for c in contrats if c["type"] == "layers")["layers"]
    regles = {m.strip() for m in couches[2].split(":")}
    interdit = next(
        c for c in contrats if "evaluation.socle.stockage" in c.get("forbidden_modules", [])
    )
    assert regles == set(interdit["source_modules"])


def test_importer_les_regles_ne_charge_ni_la_base_ni_streamlit():
    """« Même indirectement » vaut aussi pour les __init__.py des paquets, que les contrats ne
    voient pas : importer toutes les règles ne charge ni sqlalchemy, ni alembic, ni streamlit."""
    couches = next(c for c in _contrats() if c["type"] == "layers")["layers"]
    regles = sorted(m.strip() for m in couches[2].split(":"))
    code = (
        "import importlib, sys\n"
        f"for m in {regles!r}: importlib.import_module(m)\n"
        "print(sorted(n for n in ('sqlalchemy', 'alembic', 'streamlit') if n in sys.modules))"
    )
    sortie = subprocess.run(
        [sys.executable, "-c", code], cwd=RACINE_PROJET, capture_output=True, text=True, timeout=120
    )
    assert sortie.returncode == 0, sortie.stderr
    assert sortie.stdout.strip() == "[]"


def _imports(fichier: Path) -> set[str]:
    import ast

    noms = set()
    for noeud in ast.walk(ast.parse(fichier.read_text(encoding="utf-8"))):
        if isinstance(noeud, ast.Import):
            noms.update(a.name for a in noeud.names)
        elif isinstance(noeud, ast.ImportFrom) and noeud.module and not noeud.level:
            noms.add(noeud.module)
    return noms


def test_ce_que_les_contrats_ne_voient_pas():
    """import-linter n'analyse que des paquets : app.py et les fichiers d'Alembic (dossier
    sans __init__.py) sont lus ici. streamlit jamais dans evaluation/, sqlalchemy et alembic
    seulement dans le stockage."""
    fautes = []
    for fichier in sorted((RACINE_PROJET / "evaluation").rglob("*.py")):
        racines = {n.split(".")[0] for n in _imports(fichier)}
        relatif = fichier.relative_to(RACINE_PROJET)
        if "streamlit" in racines:
            fautes.append(f"{relatif} importe streamlit")
        if racines & {"sqlalchemy", "alembic"} and relatif.parts[:3] != (
            "evaluation",
            "socle",
            "stockage",
        ):
            fautes.append(f"{relatif} importe sqlalchemy ou alembic")
    for fichier in [RACINE_PROJET / "app.py", *sorted((RACINE_PROJET / "pages").rglob("*.py"))]:
        if {n.split(".")[0] for n in _imports(fichier)} & {"sqlalchemy", "alembic"}:
            fautes.append(f"{fichier.relative_to(RACINE_PROJET)} importe sqlalchemy ou alembic")
    assert fautes == []
