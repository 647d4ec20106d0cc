"""Mutation des modules de règles : chaque mutant (une comparaison retournée, une constante
changée, un filtre ou un tri retiré…) est essayé seul contre les tests du module ; un mutant
que les tests laissent passer est une règle qu'ils ne vérifient pas.

    .venv/bin/python benchmarks/mutation.py                       # tous les modules
    .venv/bin/python benchmarks/mutation.py --modules notation,classement --max 40

Pourquoi un script à nous plutôt que mutmut ou cosmic-ray : mutmut 3 réécrit chaque module
en « trampolines » et lance les tests dans son propre dossier `mutants/`, ce qui casse les
chemins de données (`donnees/`, `tests/donnees/`) et le contrat d'imports qu'on vérifie ;
cosmic-ray demande une base de session et un ordonnanceur pour ce qu'une boucle fait ici.
Le script travaille sur des copies du dépôt (le dossier de travail n'est jamais touché),
tire ses mutants de l'arbre syntaxique (`ast`) et rend le taux par module, puis la liste
des survivants (fichier, ligne, mutation) à lire un par un : un survivant est soit un test à
écrire, soit un mutant équivalent à écrire dans `mutants_equivalents/<module>.toml` avec la raison
pour laquelle aucune entrée ne le distingue.

Ce qui le rend assez rapide pour une séance de travail (1 600 mutants en moins d'une heure
sur deux cœurs, au lieu de quatre à cinq heures) : les tests du module tournent d'abord une
fois sous coverage, un contexte par test, ce qui dit quels tests exécutent chaque ligne ;
chaque mutant ne joue que ceux-là (puis, s'il survit, le fichier de tests entier, qui seul
décide qu'il survit) ; les bibliothèques lourdes sont importées une fois et chaque mutant
tourne dans un enfant `fork` ; `--travaux` copies du dépôt jouent en parallèle. Trop long
pour la CI : ses chiffres vont dans les notes de clôture."""

from __future__ import annotations

import os

# Un enfant `fork` hérite des bibliothèques du parent : aucun fil de calcul d'OpenBLAS ne
# doit y être déjà lancé.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import ast
import contextlib
import copy
import importlib
import json
import random
import shutil
import signal
import sys
import tempfile
import time
import tomllib
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[1]
EQUIVALENTS = Path(__file__).resolve().with_name("mutants_equivalents")
PRECHARGEES = (
    "numpy",
    "pandas",
    "scipy.optimize",
    "scipy.stats",
    "sqlalchemy",
    "hypothesis",
    "openpyxl",
    "python_calamine",
    "argon2",
    "psycopg",
    "alembic",
    "coverage",
)
# hypothesis, importé d'avance, ne peut plus être réécrit par pytest : l'avertissement qui le
# dit (une erreur sous `filterwarnings = error`) ne concerne pas le module muté.
_AVERTISSEMENTS = ("-W", "ignore::pytest.PytestAssertRewriteWarning")

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

    def visit_ClassDef(self, noeud):
        noeud.body = [self.visit(n) for n in noeud.body]
        return noeud

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


def _precharger() -> None:
    """Importe une fois, dans le processus parent, les bibliothèques lourdes que les tests
    chargent : chaque enfant `fork` en hérite au lieu de les réimporter (une à deux secondes
    par mutant). Le projet lui-même n'est jamais importé ici : chaque enfant le lit de sa
    copie, mutant compris."""
    for nom in PRECHARGEES:
        with contextlib.suppress(ImportError):
            importlib.import_module(nom)


class _Contextes:
    """Greffon pytest du recensement : chaque test mesuré sous son propre contexte, pour
    savoir quels tests exécutent chaque ligne du module."""

    def __init__(self, couverture):
        self.couverture = couverture
        self.durees: dict[str, float] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self.couverture.switch_context(item.nodeid)
        yield

    def pytest_runtest_logreport(self, report):
        self.durees[report.nodeid] = self.durees.get(report.nodeid, 0.0) + report.duration


def _enfant(copie: Path, ids: list[str], carte: tuple[Path, Path] | None = None) -> int:
    """Fourche un enfant qui lance pytest dans `copie` sur `ids` ; rend son pid. Avec `carte`
    (fichier du module, fichier JSON de sortie), mesure quelles lignes chaque test exécute."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 3
    try:
        os.setpgid(0, 0)
        nul = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nul, 1)
        os.dup2(nul, 2)
        os.chdir(copie)
        sys.path[:] = [str(copie)] + [
            p for p in sys.path if p and Path(p).resolve() not in (RACINE, RACINE / "benchmarks")
        ]
        options = ["-x", "-q", "-p", "no:cacheprovider", *_AVERTISSEMENTS, *ids]
        # Pas d'échéance de hypothesis (200 ms) : sur une machine chargée, elle tuerait un
        # mutant par hasard. Un test qui fixe la sienne la garde.
        import hypothesis

        hypothesis.settings.register_profile("mutation", deadline=None)
        hypothesis.settings.load_profile("mutation")
        if carte is None:
            code = int(pytest.main(options))
        else:
            import coverage

            module, sortie = carte
            couverture = coverage.Coverage(data_file=None, include=[str(module)])
            couverture.start()
            greffon = _Contextes(couverture)
            code = int(pytest.main(options, plugins=[greffon]))
            couverture.stop()
            lignes = couverture.get_data().contexts_by_lineno(str(module))
            sortie.write_text(
                json.dumps(
                    {
                        "lignes": {str(n): sorted(c) for n, c in lignes.items()},
                        "durees": greffon.durees,
                    }
                )
            )
    except BaseException:
        if os.environ.get("MUTATION_DEBOGAGE"):
            import traceback

            Path(os.environ["MUTATION_DEBOGAGE"]).write_text(traceback.format_exc())
    finally:
        os._exit(code)


def _attendre(pid: int, delai: float) -> str:
    debut = time.monotonic()
    try:
        while True:
            fini, statut = os.waitpid(pid, os.WNOHANG)
            if fini:
                pid = 0
                return _etat(statut)
            if time.monotonic() - debut > delai:
                return "délai"
            time.sleep(0.02)
    finally:
        if pid:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _etat(statut: int) -> str:
    code = os.waitstatus_to_exitcode(statut)
    return {0: "survit", 5: "aucun test"}.get(code, "tué")


def _ecrire(fichier: Path, texte: str, horloge: list[int]) -> None:
    """Écrit la source et lui donne une date unique : le .pyc d'un autre mutant de même
    taille écrit dans la même seconde ne peut pas être relu à sa place."""
    fichier.write_text(texte, encoding="utf-8")
    horloge[0] += 1
    os.utime(fichier, (horloge[0], horloge[0]))


@dataclass
class _Tache:
    mutant: Mutant
    ids: list[str]
    complet: bool


def _campagne(
    copies: list[Path],
    chemin: str,
    original: str,
    taches: list[_Tache],
    tests: list[str],
    delai: float,
    rendre,
) -> None:
    """Joue les mutants sur les copies en parallèle. Un mutant qui survit aux seuls tests qui
    exécutent sa ligne est rejoué contre le fichier de tests entier avant d'être compté
    survivant (une fixture de module peut porter la ligne pour d'autres tests)."""
    file = deque(taches)
    libres = list(copies)
    en_cours: dict[int, tuple[Path, _Tache, float]] = {}
    horloge = [1_000_000_000]
    try:
        while file or en_cours:
            while file and libres:
                copie, tache = libres.pop(), file.popleft()
                _ecrire(copie / chemin, muter(original, tache.mutant.numero), horloge)
                en_cours[_enfant(copie, tache.ids)] = (copie, tache, time.monotonic())
            fini, statut = os.waitpid(-1, os.WNOHANG)
            if not fini:
                maintenant = time.monotonic()
                for pid, (_, _, debut) in list(en_cours.items()):
                    if maintenant - debut > delai:
                        with contextlib.suppress(ProcessLookupError):
                            os.killpg(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                        copie, tache, _ = en_cours.pop(pid)
                        _ecrire(copie / chemin, original, horloge)
                        libres.append(copie)
                        rendre(tache.mutant, "délai")
                time.sleep(0.02)
                continue
            if fini not in en_cours:
                continue
            copie, tache, _ = en_cours.pop(fini)
            _ecrire(copie / chemin, original, horloge)
            libres.append(copie)
            resultat = _etat(statut)
            if resultat == "survit" and not tache.complet:
                file.appendleft(_Tache(tache.mutant, tests, True))
            else:
                rendre(tache.mutant, resultat)
    finally:
        # Interrompue (Ctrl+C, SIGTERM), la campagne ne laisse aucun enfant tourner.
        for pid in en_cours:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _equivalents() -> list[dict]:
    """Les mutants équivalents, un fichier par module (`mutants_equivalents/<module>.toml`) :
    chaque `[[equivalent]]` porte la ligne telle qu'écrite, la mutation et la raison pour
    laquelle aucune entrée ne distingue le mutant de l'original."""
    entrees = []
    for fichier in sorted(EQUIVALENTS.glob("*.toml")):
        for e in tomllib.loads(fichier.read_text(encoding="utf-8")).get("equivalent", []):
            entrees.append({"module": fichier.stem, **e})
    return entrees


def _cle(module: str, source: str, mutant: Mutant) -> tuple[str, str, str]:
    """Un mutant se reconnaît par son module, sa ligne telle qu'écrite et sa mutation : la
    liste des équivalents survit aux lignes ajoutées plus haut."""
    texte = source.splitlines()[mutant.ligne - 1].strip() if mutant.ligne else ""
    return module, texte, mutant.quoi


_SOURCES: dict[str, str] = {}  # module → source jouée (celle de la copie, pas du dossier)


def _decrire(m: Mutant) -> str:
    chemin = MODULES[m.module][0]
    texte = _SOURCES[m.module].splitlines()[m.ligne - 1] if m.ligne else ""
    return f"{chemin}:{m.ligne}  {m.quoi}    | {texte.strip()}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--modules", default=",".join(MODULES), help="liste séparée par des virgules")
    p.add_argument("--max", type=int, default=0, help="au plus N mutants par module (tirés)")
    p.add_argument("--graine", type=int, default=2026, help="graine du tirage de --max")
    p.add_argument(
        "--travaux", type=int, default=os.cpu_count() or 1, help="mutants joués en même temps"
    )
    p.add_argument("--detail", action="store_true", help="imprime chaque mutant joué")
    args = p.parse_args(argv)
    noms = [n.strip() for n in args.modules.split(",") if n.strip()]
    inconnus = [n for n in noms if n not in MODULES]
    if inconnus:
        p.error(f"module inconnu : {', '.join(inconnus)} (connus : {', '.join(MODULES)})")
    # SIGTERM (kill) passe par les mêmes `finally` que Ctrl+C : enfants arrêtés, copies du
    # dépôt effacées.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    _precharger()
    equivalents = {(e["module"], e["ligne"], e["mutation"]): e for e in _equivalents()}
    reconnus: set[tuple[str, str, str]] = set()

    with tempfile.TemporaryDirectory(prefix="mutation-") as dossier:
        copies = []
        for i in range(max(1, args.travaux)):
            copie = Path(dossier) / f"depot{i}"
            shutil.copytree(
                RACINE,
                copie,
                ignore=shutil.ignore_patterns(
                    ".git", ".venv", "__pycache__", ".hypothesis", "*.sqlite"
                ),
            )
            copies.append(copie)
        bilan, survivants, equivalents_tues = [], [], []
        for nom in noms:
            chemin, tests = MODULES[nom]
            original = (copies[0] / chemin).read_text(encoding="utf-8")
            _SOURCES[nom] = original
            debut = time.monotonic()
            carte_json = Path(dossier) / f"{nom}.json"
            etat = _attendre(_enfant(copies[0], tests, (copies[0] / chemin, carte_json)), 3600)
            duree = time.monotonic() - debut
            if etat != "survit":
                print(f"{nom} : les tests échouent sans mutant ({etat}) ; module sauté")
                continue
            recensement = json.loads(carte_json.read_text())
            carte = {int(n): set(c) for n, c in recensement["lignes"].items()}
            # Les tests les plus rapides d'abord : `-x` s'arrête au premier échec, un mutant
            # que tue un test d'une seconde ne doit pas attendre une propriété d'une minute.
            durees = recensement["durees"]

            def par_duree(ids, durees=durees):
                return sorted(ids, key=lambda i: (durees.get(i, float("inf")), i))

            mutants = recenser(nom, original)
            if args.max and len(mutants) > args.max:
                mutants = sorted(
                    random.Random(f"{args.graine}:{nom}").sample(mutants, args.max),
                    key=lambda m: m.numero,
                )
            # Une ligne qu'aucun test n'exécute (ni à l'import ni pendant un test) : son mutant
            # survit sans qu'on le joue. Une ligne exécutée à l'import (contexte vide) touche
            # tous les tests : le fichier entier.
            taches, non_couverts = [], []
            for m in mutants:
                contextes = carte.get(m.ligne, set())
                if not contextes:
                    non_couverts.append(m)
                elif "" not in contextes:
                    taches.append(_Tache(m, par_duree(contextes), False))
                else:
                    taches.append(_Tache(m, par_duree(durees), True))
            comptes = {"tué": 0, "survit": 0, "délai": 0, "aucun test": 0, "équivalent": 0}

            def rendre(mutant, resultat, nom=nom, original=original, comptes=comptes, pourquoi=""):
                cle = _cle(nom, original, mutant)
                if cle in equivalents:
                    reconnus.add(cle)
                    if resultat == "survit":
                        resultat = "équivalent"
                    else:
                        equivalents_tues.append((mutant, resultat))
                comptes[resultat] += 1
                if resultat == "survit":
                    survivants.append(mutant)
                if args.detail:
                    print(
                        f"  {nom}:{mutant.ligne} {mutant.quoi} : {resultat}{pourquoi}", flush=True
                    )

            for m in non_couverts:
                rendre(m, "survit", pourquoi=" (aucun test n'exécute la ligne)")
            _campagne(copies, chemin, original, taches, tests, 3 * duree + 30, rendre)
            tues = comptes["tué"] + comptes["délai"]
            bilan.append(
                (
                    nom,
                    len(mutants),
                    tues,
                    comptes["équivalent"],
                    comptes["survit"],
                    time.monotonic() - debut,
                )
            )
            print(f"{nom} : {len(mutants)} mutants, {tues} tués, {comptes['survit']} survivants")
            for m in survivants[len(survivants) - comptes["survit"] :]:
                print(f"  survit {_decrire(m)}")
            sys.stdout.flush()

    print("\nmodule          mutants  tués  équivalents  survivants  taux    durée")
    for nom, n, tues, equiv, survit, duree in bilan:
        utiles = n - equiv
        taux = f"{100 * tues / utiles:5.1f} %" if utiles else "   — "
        print(f"{nom:<15} {n:>7} {tues:>5} {equiv:>12} {survit:>11}  {taux}  {duree:5.0f} s")
    print("(taux = tués ÷ (mutants − équivalents) ; un mutant en délai compte tué)")
    if survivants:
        print("\nSurvivants (un test à écrire, ou un mutant équivalent à justifier) :")
        for m in survivants:
            print(f"  {_decrire(m)}")
    if equivalents_tues:
        print("\nListés équivalents mais tués (à retirer de la liste) :")
        for m, resultat in equivalents_tues:
            print(f"  {MODULES[m.module][0]}:{m.ligne}  {m.quoi} : {resultat}")
    joues = {nom for nom, *_ in bilan}
    perimes = [e for cle, e in equivalents.items() if cle[0] in joues and cle not in reconnus]
    if perimes and not args.max:
        print("\nListés équivalents mais introuvables (ligne changée ? à mettre à jour) :")
        for e in perimes:
            print(f"  {e['module']} : {e['ligne']} ({e['mutation']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
