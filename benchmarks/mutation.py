"""Mutation des modules de règles : chaque mutant (une comparaison retournée, une constante
changée, un filtre ou un tri retiré…) est essayé seul contre les tests du module ; un mutant
que les tests laissent passer est une règle qu'ils ne vérifient pas.

    .venv/bin/python benchmarks/mutation.py                       # tous les modules
    .venv/bin/python benchmarks/mutation.py --modules notation,classement --max 40

Pourquoi un script à nous plutôt que mutmut ou cosmic-ray : mutmut 3 réécrit chaque module
en « trampolines » et lance les tests dans son propre dossier `mutants/`, ce qui casse les
chemins de données (`donnees/`, `tests/donnees/`) et le contrat d'imports qu'on vérifie ;
cosmic-ray demande une base de session et un ordonnanceur pour ce qu'une boucle fait ici.
Le script travaille sur une copie du dépôt (le dossier de travail n'est jamais touché),
retire ses mutants de l'arbre syntaxique (`ast`) et rend le taux par module, puis la liste
des survivants (fichier, ligne, mutation) à lire un par un : un survivant est soit un test à
écrire, soit un mutant équivalent à dire (aucune entrée ne le distingue). Trop lent pour la
CI (une à trois heures pour tout) : ses chiffres vont dans les notes de clôture."""

from __future__ import annotations

import argparse
import ast
import copy
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]

# Module de règles → les tests qui le reflètent (un fichier par module, comme tests/).
MODULES = {
    "notation": ("evaluation/decision/notation.py", ["tests/decision/test_notation.py"]),
    "classement": ("evaluation/decision/classement.py", ["tests/decision/test_classement.py"]),
    "financement": ("evaluation/decision/financement.py", ["tests/decision/test_financement.py"]),
    "portefeuille": (
        "evaluation/decision/portefeuille.py",
        ["tests/decision/test_portefeuille.py"],
    ),
    "validation": ("evaluation/depot/validation.py", ["tests/depot/test_validation.py"]),
    "admissibilite": ("evaluation/depot/admissibilite.py", ["tests/depot/test_admissibilite.py"]),
    "attributions": ("evaluation/notes/attributions.py", ["tests/notes/test_attributions.py"]),
    "repartition": ("evaluation/notes/repartition.py", ["tests/notes/test_repartition.py"]),
}

COMPARAISONS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
OPERATIONS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
SYMBOLES = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
}
TRIS = {"sort_values", "sort_index", "sorted", "sort", "nlargest", "nsmallest"}


@dataclass(frozen=True)
class Mutant:
    module: str
    numero: int  # rang du point de mutation dans le parcours de l'arbre
    ligne: int
    quoi: str


def _est_docstring(parent: ast.AST | None, noeud: ast.AST) -> bool:
    return (
        isinstance(parent, ast.Expr)
        and isinstance(noeud, ast.Constant)
        and isinstance(noeud.value, str)
    )


class _Mutateur(ast.NodeTransformer):
    """Parcourt l'arbre dans un ordre fixe ; en mode recensement, note chaque point de
    mutation ; sinon, applique la seule mutation `cible`."""

    def __init__(self, cible: int | None = None):
        self.cible = cible
        self.points: list[tuple[int, str]] = []
        self.dans_annotation = False

    def _point(self, noeud: ast.AST, quoi: str) -> bool:
        self.points.append((getattr(noeud, "lineno", 0), quoi))
        return len(self.points) - 1 == self.cible

    # Les annotations de type, les décorateurs et les docstrings ne sont pas des règles.
    def visit_FunctionDef(self, noeud):
        noeud.args = self.visit(noeud.args)
        noeud.body = [self.visit(n) for n in noeud.body]
        return noeud

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_arg(self, noeud):
        return noeud

    def visit_AnnAssign(self, noeud):
        if noeud.value is not None:
            noeud.value = self.visit(noeud.value)
        return noeud

    def visit_Expr(self, noeud):
        if isinstance(noeud.value, ast.Constant) and isinstance(noeud.value.value, str):
            return noeud
        return self.generic_visit(noeud)

    def visit_Compare(self, noeud):
        self.generic_visit(noeud)
        for i, op in enumerate(noeud.ops):
            autre = COMPARAISONS.get(type(op))
            if autre and self._point(noeud, f"{SYMBOLES[type(op)]} → {SYMBOLES[autre]}"):
                noeud.ops[i] = autre()
        return noeud

    def visit_BinOp(self, noeud):
        self.generic_visit(noeud)
        autre = OPERATIONS.get(type(noeud.op))
        texte = isinstance(noeud.left, (ast.Constant, ast.JoinedStr)) and isinstance(
            getattr(noeud.left, "value", None), str
        )
        if (
            autre
            and not texte
            and self._point(noeud, f"{SYMBOLES[type(noeud.op)]} → {SYMBOLES[autre]}")
        ):
            noeud.op = autre()
        return noeud

    def visit_BoolOp(self, noeud):
        self.generic_visit(noeud)
        if self._point(noeud, "and → or" if isinstance(noeud.op, ast.And) else "or → and"):
            noeud.op = ast.Or() if isinstance(noeud.op, ast.And) else ast.And()
        return noeud

    def visit_UnaryOp(self, noeud):
        self.generic_visit(noeud)
        if isinstance(noeud.op, (ast.Not, ast.Invert)) and self._point(noeud, "négation retirée"):
            return noeud.operand
        return noeud

    def visit_Constant(self, noeud):
        v = noeud.value
        if isinstance(v, bool):
            if self._point(noeud, f"{v} → {not v}"):
                return ast.copy_location(ast.Constant(not v), noeud)
        elif isinstance(v, int):
            if self._point(noeud, f"{v} → {v + 1}"):
                return ast.copy_location(ast.Constant(v + 1), noeud)
        elif isinstance(v, float):
            nouveau = v * 2 if v else 1.0
            if self._point(noeud, f"{v} → {nouveau}"):
                return ast.copy_location(ast.Constant(nouveau), noeud)
        return noeud

    def visit_Subscript(self, noeud):
        self.generic_visit(noeud)
        filtre = isinstance(noeud.ctx, ast.Load) and isinstance(
            noeud.slice, (ast.Compare, ast.BoolOp, ast.UnaryOp)
        )
        if filtre and self._point(noeud, "filtre retiré"):
            return noeud.value
        return noeud

    def visit_Call(self, noeud):
        self.generic_visit(noeud)
        f = noeud.func
        nom = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
        if nom in TRIS:
            if isinstance(f, ast.Attribute):
                if self._point(noeud, f"tri retiré ({nom})"):
                    return f.value
            elif noeud.args and self._point(noeud, f"tri retiré ({nom})"):
                return noeud.args[0]
        return noeud


def recenser(module: str, source: str) -> list[Mutant]:
    m = _Mutateur()
    m.visit(ast.parse(source))
    return [Mutant(module, i, ligne, quoi) for i, (ligne, quoi) in enumerate(m.points)]


def muter(source: str, numero: int) -> str:
    arbre = _Mutateur(numero).visit(copy.deepcopy(ast.parse(source)))
    return ast.unparse(ast.fix_missing_locations(arbre))


def _lancer(copie: Path, tests: list[str], delai: float) -> tuple[str, float]:
    debut = time.monotonic()
    try:
        r = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=copie,
            capture_output=True,
            timeout=delai,
        )
    except subprocess.TimeoutExpired:
        return "délai", time.monotonic() - debut
    etat = {0: "survit", 5: "aucun test"}.get(r.returncode, "tué")
    return etat, time.monotonic() - debut


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--modules", default=",".join(MODULES), help="liste séparée par des virgules")
    p.add_argument("--max", type=int, default=0, help="au plus N mutants par module (tirés)")
    p.add_argument("--graine", type=int, default=2026, help="graine du tirage de --max")
    args = p.parse_args(argv)
    noms = [n.strip() for n in args.modules.split(",") if n.strip()]
    inconnus = [n for n in noms if n not in MODULES]
    if inconnus:
        p.error(f"module inconnu : {', '.join(inconnus)} (connus : {', '.join(MODULES)})")

    with tempfile.TemporaryDirectory(prefix="mutation-") as dossier:
        copie = Path(dossier) / "depot"
        shutil.copytree(
            RACINE,
            copie,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "__pycache__", ".hypothesis", "*.sqlite"
            ),
        )
        bilan, survivants = [], []
        for nom in noms:
            chemin, tests = MODULES[nom]
            fichier = copie / chemin
            original = fichier.read_text(encoding="utf-8")
            etat, duree = _lancer(copie, tests, 1800)
            if etat != "survit":
                print(f"{nom} : les tests échouent sans mutant ({etat}) ; module sauté")
                continue
            delai = 3 * duree + 30
            mutants = recenser(nom, original)
            if args.max and len(mutants) > args.max:
                mutants = sorted(
                    random.Random(f"{args.graine}:{nom}").sample(mutants, args.max),
                    key=lambda m: m.numero,
                )
            comptes = {"tué": 0, "survit": 0, "délai": 0, "aucun test": 0}
            try:
                for mutant in mutants:
                    fichier.write_text(muter(original, mutant.numero), encoding="utf-8")
                    resultat, _ = _lancer(copie, tests, delai)
                    comptes[resultat] += 1
                    if resultat == "survit":
                        survivants.append(mutant)
                    print(f"  {nom}:{mutant.ligne} {mutant.quoi} : {resultat}", flush=True)
            finally:
                fichier.write_text(original, encoding="utf-8")
            tues = comptes["tué"] + comptes["délai"]
            bilan.append((nom, len(mutants), tues, comptes["survit"]))

    print("\nmodule          mutants  tués  survivants  taux")
    for nom, n, tues, survit in bilan:
        taux = f"{100 * tues / n:5.1f} %" if n else "   — "
        print(f"{nom:<15} {n:>7} {tues:>5} {survit:>11}  {taux}")
    if survivants:
        print("\nSurvivants (un test à écrire, ou un mutant équivalent à justifier) :")
        for m in survivants:
            print(f"  {MODULES[m.module][0]}:{m.ligne}  {m.quoi}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
