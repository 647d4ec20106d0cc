"""Le jeu de démonstration : ce que l'issue en attend, et son import en ligne de commande."""

import collections

import pytest

from evaluation.commandes import main
from evaluation.depot.verification import verifier_lot
from tests.conftest import RACINE_PROJET

DEMO = RACINE_PROJET / "donnees" / "demo" / "demandes-demo.xlsx"


@pytest.fixture(scope="module")
def verification(appel):
    return verifier_lot([(DEMO.name, DEMO)], appel)


def test_demo_importable_sans_blocage(verification):
    assert verification.sans_blocage
    gardees, lignes = verification.selection()
    assert len(gardees) == 80
    assert len(lignes) > 200


def test_demo_couvre_l_appel(verification, appel):
    valeurs = [d.valeurs for d in verification.demandes]
    assert {v["region"] for v in valeurs} == {r.code for r in appel.regions}
    assert {v["axe"] for v in valeurs} == {1, 2, 3}
    assert {v["secteur"] for v in valeurs} == {s.libelle for s in appel.secteurs}
    assert all(v["code_geographique"] for v in valeurs), "municipalités réelles du répertoire"
    assert 5 <= sum(v["projet_conjoint"] for v in valeurs) < 80
    deux_ans = sum(bool(v["montant_demande_an2"]) for v in valeurs)
    assert 10 <= deux_ans <= 70


def test_demo_depasse_l_enveloppe(verification, appel):
    for annee, enveloppe in enumerate(appel.financement.enveloppe, 1):
        demande = sum(d.valeurs[f"montant_demande_an{annee}"] or 0 for d in verification.demandes)
        assert demande > enveloppe, f"année {annee}"


def test_demo_montre_chaque_avertissement(verification):
    codes = collections.Counter(p.code for p in verification.problemes)
    for code in (
        "plafond_depasse",
        "cout_inferieur_demande",
        "sans_contribution",
        "autre_financement",
        "depense_non_admissible",
        "plafond_visas",
        "budget_ecart",
        "depot_en_retard",
    ):
        assert codes[code] >= 1, code


def test_demo_a_une_date_de_depot_par_demande_et_un_retard(verification, appel):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : chaque demande du
    jeu a sa date de dépôt ; une seule est en retard (4 jours), et celles du 1er mars même
    sont à temps."""
    valeurs = [d.valeurs for d in verification.demandes]
    assert all(v["date_depot"] for v in valeurs)
    assert sum(v["date_depot"] == appel.date_limite for v in valeurs) >= 1
    retards = [p for p in verification.problemes if p.code == "depot_en_retard"]
    assert [p.no_demande for p in retards] == ["PAIVMQ-2024-058"]
    assert "4 jours après la date limite" in retards[0].message
    assert not any(
        p.code in ("date_depot_absente", "date_depot_vide") for p in verification.problemes
    )


def test_demo_importee_en_ligne_de_commande(tmp_path, capsys):
    base = ["--base", f"sqlite:///{tmp_path / 'demo.sqlite'}"]
    assert main([*base, "importer", str(DEMO)]) == 0
    assert "80 demandes créées" in capsys.readouterr().out
    assert main([*base, "demandes", "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 81
