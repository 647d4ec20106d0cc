"""Des mots simples (issue 19, point 4) : les chaînes que lit l'utilisateur, littéraux des
pages et messages d'`evaluation/` (docstrings exclues), n'ont pas de pluriel paresseux
« demande(s) » ; et les pages ne montrent les noms techniques des statistiques (CIC,
Krippendorff, HiGHS…) ni « panel » que dans une aide (`help=`), jamais dans un libellé."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent

PLURIEL_PARESSEUX = re.compile(r"\w\((?:s|es|e|nt|x)\)")
JARGON = re.compile(
    r"\bCIC\b|Krippendorff|HiGHS|\bscipy\b|\bindulgence\b|\bcalibration\b|\bpanel\b",
    re.IGNORECASE,
)

# Ce que le fichier d'un demandeur peut écrire (en-têtes reconnus à l'importation), pas un
# texte de l'application.
PERMIS = {("evaluation/depot/gabarit.py", "Pays partenaire(s)")}


def _chaines(fichier: Path, hors_aides: bool) -> list[tuple[int, str]]:
    """(ligne, texte) de chaque littéral de `fichier`, docstrings exclues ; avec `hors_aides`,
    sans ceux qui sont dans la valeur d'un argument `help=` ni ceux d'une comparaison."""
    arbre = ast.parse(fichier.read_text(encoding="utf-8"))
    exclus: set[int] = set()
    for noeud in ast.walk(arbre):
        corps = getattr(noeud, "body", None)
        if (
            isinstance(corps, list)
            and corps
            and isinstance(corps[0], ast.Expr)
            and isinstance(corps[0].value, ast.Constant)
        ):
            exclus.add(id(corps[0].value))
        if hors_aides and isinstance(noeud, ast.keyword) and noeud.arg == "help":
            exclus.update(id(n) for n in ast.walk(noeud.value))
        # Une valeur comparée (`accord.mesure == "CIC(2,k)"`) n'est pas un texte affiché.
        if hors_aides and isinstance(noeud, ast.Compare):
            exclus.update(id(n) for n in [noeud.left, *noeud.comparators])
    return [
        (n.lineno, n.value)
        for n in ast.walk(arbre)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in exclus
    ]


def _fichiers(*dossiers: str) -> list[Path]:
    return sorted(f for d in dossiers for f in (RACINE / d).rglob("*.py"))


def _nom(fichier: Path) -> str:
    return fichier.relative_to(RACINE).as_posix()


def test_le_filet_attrape_un_pluriel_et_du_jargon_hors_aide(tmp_path):
    """Le parcours lui-même : un pluriel paresseux et du jargon hors aide sont vus, le jargon
    d'une aide ne l'est pas."""
    essai = tmp_path / "essai.py"
    essai.write_text(
        '"""Docstring : CIC(1), demande(s)."""\n'
        'st.metric("Accord du panel", 1, help="CIC(1) : 1 = parfait")\n'
        'st.caption(f"{n} demande(s) bouge(nt).")\n',
        encoding="utf-8",
    )
    vues = [t for _, t in _chaines(essai, hors_aides=True)]
    assert [t for t in vues if JARGON.search(t)] == ["Accord du panel"]
    assert [t for t in vues if PLURIEL_PARESSEUX.search(t)] == [" demande(s) bouge(nt)."]


@pytest.mark.parametrize("fichier", _fichiers("pages", "evaluation"), ids=_nom)
def test_pas_de_pluriel_paresseux(fichier):
    relatif = fichier.relative_to(RACINE).as_posix()
    fautes = [
        f"{relatif}:{ligne} : {texte!r}"
        for ligne, texte in _chaines(fichier, hors_aides=False)
        if PLURIEL_PARESSEUX.search(texte) and (relatif, texte) not in PERMIS
    ]
    assert fautes == [], "Utilisez evaluation.socle.formats.pluriel ou tournez la phrase."


@pytest.mark.parametrize("fichier", _fichiers("pages"), ids=_nom)
def test_le_jargon_reste_dans_les_aides(fichier):
    relatif = fichier.relative_to(RACINE).as_posix()
    fautes = [
        f"{relatif}:{ligne} : {texte!r}"
        for ligne, texte in _chaines(fichier, hors_aides=True)
        if JARGON.search(texte)
    ]
    assert fautes == [], "Un mot simple dans le libellé, le nom technique dans help=."


def test_les_descriptions_des_appels_ont_l_espace_avant_le_point_virgule():
    """Issue 19, point 7 : « région ; retombées », comme le reste de l'interface (les
    citations du texte de l'appel, dans [sources], restent telles qu'écrites)."""
    import tomllib

    for fichier in sorted((RACINE / "donnees" / "appels").glob("*.toml")):
        donnees = tomllib.loads(fichier.read_text(encoding="utf-8"))
        textes = [
            valeur
            for critere in donnees.get("criteres", [])
            for cle, valeur in critere.items()
            if isinstance(valeur, str) and cle != "id"
        ]
        fautifs = [t for t in textes if re.search(r"\S;", t)]
        assert not fautifs, (fichier.name, fautifs)


@pytest.mark.parametrize("fichier", _fichiers("pages"), ids=_nom)
def test_l_heure_passe_par_formats(fichier):
    """Issue 19, point 4 : « 4 h 18 » partout (formats.heure, formats.date_heure), jamais
    « 04 h 18 » écrit par strftime dans une page."""
    fautifs = [(ligne, t) for ligne, t in _chaines(fichier, False) if re.search(r"%H|%I", t)]
    source = fichier.read_text(encoding="utf-8")
    fautifs += [m.group() for m in re.finditer(r"\{[^{}]*:%H[^{}]*\}", source)]
    assert not fautifs, fautifs
