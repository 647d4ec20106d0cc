"""Les mesures de benchmarks/ tournent encore sur un petit lot : un changement du domaine ou
des pages qui les casse (une fonction déplacée, une page qui lève) se voit ici, pas le jour
de mesurer. Les durées ne sont pas vérifiées ici ; elles ne se lisent que dans les scripts
eux-mêmes. La construction de la base et le calcul des cibles, eux, sont éprouvés."""

import os
import subprocess
import sys

import pytest

from benchmarks.parcours import (
    GO,
    LIGNES,
    Cible,
    Mesure,
    Passage,
    _raison,
    tableau_taille,
    tableau_tailles,
)
from tests.conftest import RACINE_PROJET, _postgres_ou_raison

MESURES = ["base_realiste", "exportation", "importation", "mutation", "parcours"]


@pytest.fixture(scope="module")
def dossier(tmp_path_factory):
    """Un dossier de bases pour le module : la base de 40 demandes n'est construite qu'une
    fois (base_realiste la reprend)."""
    return tmp_path_factory.mktemp("bases")


def _lancer(script: str, *arguments: str) -> subprocess.CompletedProcess:
    resultat = subprocess.run(
        [sys.executable, f"benchmarks/{script}.py", *arguments],
        cwd=RACINE_PROJET,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert resultat.returncode == 0, resultat.stderr[-3000:]
    assert "Traceback" not in resultat.stderr
    return resultat


def _rangees(sortie: str) -> dict[str, list[str]]:
    """Les rangées du tableau imprimé, par libellé : [médiane, plancher, ratio, pic, cible,
    atteinte]."""
    rangees = {}
    for ligne in sortie.splitlines():
        if ligne.startswith("| ") and not ligne.startswith("| mesure"):
            cellules = [c.strip() for c in ligne.strip().strip("|").split("|")]
            rangees[cellules[0]] = cellules[1:]
    return rangees


def test_le_parcours_mesure_chaque_ligne_du_tableau(dossier):
    options = []
    if raison := _postgres_ou_raison():
        if os.environ.get("CI"):
            pytest.fail(raison)
        options.append("--sans-postgresql")
    resultat = _lancer(
        "parcours", "--tailles", "40", "--repetitions", "1", "--dossier", str(dossier), *options
    )
    rangees = _rangees(resultat.stdout)
    attendues = [ligne for ligne in LIGNES if not (options and ligne.cle == "importer_postgresql")]
    assert set(rangees) == {ligne.libelle for ligne in attendues}, resultat.stdout
    for ligne in attendues:
        mediane, plancher, ratio, pic, cible, atteinte = rangees[ligne.libelle]
        assert mediane.endswith(" s"), (ligne.libelle, mediane)  # mesurée, pas en échec
        assert plancher.endswith(f"({ligne.plancher})"), (ligne.libelle, plancher)
        assert ratio.endswith(" ×") and pic.endswith(" Mo"), (ligne.libelle, ratio, pic)
        assert cible == ligne.cible.texte()
        assert atteinte in ("oui", "non", "—")
    assert "40 demandes × 15 évaluateurs" in resultat.stdout


@pytest.mark.parametrize("mesure", ["exportation", "importation"])
def test_la_mesure_tourne_et_imprime_ses_chiffres(mesure, dossier):
    resultat = _lancer(mesure, "--demandes", "40", "--repetitions", "1", "--dossier", str(dossier))
    assert "médiane" in resultat.stdout, resultat.stdout


def test_chaque_mesure_est_eprouvee():
    scripts = {p.stem for p in (RACINE_PROJET / "benchmarks").glob("*.py")} - {"__init__"}
    assert scripts == set(MESURES)


def _mesure(duree: float, plancher: float | None = None, pic: int = 100 * 2**20) -> Mesure:
    return Mesure([duree], [] if plancher is None else [plancher], [pic])


def test_une_cible_est_atteinte_seulement_sous_chacune_de_ses_bornes():
    cible = Cible(duree=3, ratio=3, pic=GO)
    assert cible.atteinte(_mesure(2.9, plancher=1.0))
    assert not cible.atteinte(_mesure(3.0, plancher=2.0))  # durée : strictement sous 3 s
    assert cible.atteinte(_mesure(1.5, plancher=0.5))  # ratio : 3 × tout juste permis
    assert not cible.atteinte(_mesure(1.5, plancher=0.49))
    assert not cible.atteinte(_mesure(1.0, plancher=1.0, pic=GO))
    assert not Cible(ratio=2).atteinte(_mesure(1.0))  # sans plancher, pas de ratio
    assert Cible().atteinte(_mesure(99.0)) is None


def test_une_ligne_en_echec_est_imprimee_avec_sa_raison():
    ligne = LIGNES[0]
    texte = tableau_taille({ligne.cle: Mesure(echec="délai dépassé (1 800 s)")}, [ligne])
    assert f"| {ligne.libelle} | échec : délai dépassé (1 800 s) |" in texte
    assert texte.rstrip().endswith("| non |")


def test_le_tableau_des_tailles_borne_le_rapport_a_douze_fois_pour_dix_fois_plus():
    ligne = LIGNES[0]
    par_taille = {
        5000: {ligne.cle: _mesure(10.0)},
        50_000: {ligne.cle: _mesure(120.0)},
    }
    assert "12,0 × (oui, ≤ 12 ×)" in tableau_tailles(par_taille, [ligne])
    par_taille[50_000] = {ligne.cle: _mesure(121.0)}
    assert "12,1 × (non, ≤ 12 ×)" in tableau_tailles(par_taille, [ligne])
    par_taille[50_000] = {ligne.cle: Mesure(echec="délai dépassé")}
    texte = tableau_tailles(par_taille, [ligne])
    assert "| échec |" in texte and texte.rstrip().endswith("| — |")


def test_la_raison_d_un_echec_est_le_probleme_rapporte_sinon_l_erreur():
    rapport = (
        "Appel : PAIVMQ\nf.xlsx : fichier refusé\n  Fichier refusé (1)\n"
        "    - f.xlsx : le fichier porterait 89 369 197 caractères de texte\nBilan : 0\n"
    )
    assert _raison(Passage(1.0, 0, 1, rapport, "")) == (
        "code de sortie 1 : f.xlsx : le fichier porterait 89 369 197 caractères de texte"
    )
    trace = "Traceback (most recent call last):\nValueError: base illisible\n"
    assert _raison(Passage(1.0, 0, 2, rapport, trace)) == (
        "code de sortie 2 : ValueError: base illisible"
    )


def test_mutation_recense_et_applique_chaque_mutant_seul():
    """benchmarks/mutation.py : chaque point de mutation du module jouet, dans l'ordre du
    parcours, donne un code qui ne diffère de l'original que par cette mutation ; ni la
    docstring ni l'annotation ne sont mutées."""
    from benchmarks import mutation as mu

    source = (
        "def f(x: int = 2):\n"
        "    '''Doc 3.'''\n"
        "    return x[x > 0].sort_values() if not ok(x) else x + 1\n"
    )
    points = [(m.ligne, m.quoi) for m in mu.recenser("jouet", source)]
    assert points == [
        (1, "2 → 3"),
        (3, "négation retirée"),
        (3, "0 → 1"),
        (3, "> → >="),
        (3, "filtre retiré"),
        (3, "tri retiré (sort_values)"),
        (3, "1 → 2"),
        (3, "+ → -"),
    ]
    corps = [mu.muter(source, i).splitlines()[-1].strip() for i in range(len(points))]
    assert corps[1] == "return x[x > 0].sort_values() if ok(x) else x + 1"
    assert corps[3] == "return x[x >= 0].sort_values() if not ok(x) else x + 1"
    assert corps[4] == "return x.sort_values() if not ok(x) else x + 1"
    assert corps[5] == "return x[x > 0] if not ok(x) else x + 1"
    assert corps[7] == "return x[x > 0].sort_values() if not ok(x) else x - 1"
    assert '"""Doc 3."""' in mu.muter(source, 0) and "def f(x: int=3)" in mu.muter(source, 0)


def test_mutation_joue_un_echantillon_et_tue_un_mutant_d_une_regle_testee():
    """La campagne entière (recensement sous coverage, enfants `fork`, deux copies en
    parallèle, rejeu des survivants contre le fichier entier) sur un petit échantillon : au
    moins un mutant est tué — un mutant jamais chargé (un .pyc périmé relu à sa place,
    une copie qui n'est pas celle qu'on mute) survivrait partout."""
    resultat = _lancer(
        "mutation", "--modules", "repartition", "--max", "6", "--travaux", "2", "--detail"
    )
    joues = [ligne for ligne in resultat.stdout.splitlines() if ligne.startswith("  repartition:")]
    assert len(joues) == 6, resultat.stdout
    assert any(ligne.endswith(": tué") for ligne in joues), resultat.stdout
    rangee = next(
        ligne.split() for ligne in resultat.stdout.splitlines() if ligne.startswith("repartition  ")
    )
    assert rangee[1] == "6" and int(rangee[2]) + int(rangee[4]) == 6, rangee
