"""Demandes tenues à l'écart du développement des règles, dont les montants ont été calculés
à la main d'après le texte de l'appel (PAIVMQ 2023-2024), puis passées par le chemin réel :
fichier Excel importé, examen d'admissibilité, classement, classeur du comité.

Les phrases de l'appel appliquées à la main :
- « La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par année
  dans le cas d'une initiative portée par une seule ville. »
- « Les dépenses admissibles sont les suivantes : Ressources professionnelles externes […] ;
  Frais d'organisation logistique […] ; Frais de déplacement et de séjour au Québec de
  partenaires étrangers ; Frais de délivrance de visas […], frais d'assurance voyage et de
  dédouanement (jusqu'à concurrence de 500 $) ; Frais liés à l'organisation d'un colloque […] ;
  Frais liés à des collaborations virtuelles ; Frais liés à l'organisation d'activités de
  maillage […] ; Frais liés à la publication et à la diffusion […]. »
- « Les dépenses non admissibles sont les suivantes : Dépenses relatives au financement
  courant d'un organisme et à la rémunération de son personnel ; […] frais de voyage en
  première classe ou en classe affaires […] ; Frais de déplacement d'élus et de responsables
  municipaux ; Coûts d'acquisition d'équipements pérennes ; […] »
- « La présentation d'un projet conjoint entre plusieurs acteurs municipaux peut permettre la
  bonification de la subvention. » (aucun montant : 0 $ tant que la présidence n'en fixe pas)

Interprétations du fichier livré, appliquées à la main aussi : le plafond de 500 $ des visas
vaut pour la demande entière, consommé d'abord en année 1 ; une dépense de catégorie non
reconnue n'est pas admissible tant que l'analyste ne l'a pas rattachée.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from evaluation.appels.configuration import charger_appel
from evaluation.decision import chargement, classement, decisions
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from tests.conftest import DONNEES, classeur
from tests.filtrage import admettre

# Par demande : (montant demandé an 1, an 2), lignes (année, catégorie, montant), puis les
# montants calculés à la main : admissible (an 1, an 2), recommandé (an 1, an 2), en dollars.
CAS = {
    # Salaires : rémunération du personnel, non admissible.
    "H-01": ((20_000, None), [(1, "Ressources professionnelles externes", 6_000),
                              (1, "Frais d'organisation logistique", 10_000),
                              (1, "Salaires", 4_000)], (16_000, 0), (16_000, 0)),
    # Demande au-dessus du plafond : 25 000 $.
    "H-02": ((30_000, None), [(1, "Colloque", 22_000), (1, "Activités de maillage", 9_000)],
             (31_000, 0), (25_000, 0)),
    # Visas sur deux ans : 400 $ en an 1, il reste 100 $ du plafond pour l'an 2 (300 $).
    "H-03": ((10_000, 8_000), [(1, "Frais de visas", 400),
                               (1, "Frais d'organisation logistique", 9_600),
                               (2, "Assurance voyage", 300),
                               (2, "Diffusion des résultats", 7_700)],
             (10_000, 7_800), (10_000, 7_800)),
    # Visas au-dessus de 500 $ dans une seule année.
    "H-04": ((6_000, None), [(1, "Frais de visas", 900),
                             (1, "Accueil de partenaires étrangers", 5_100)],
             (5_600, 0), (5_600, 0)),
    # Catégorie non reconnue (« Traiteur ») : pas admissible tant qu'elle n'est pas rattachée.
    "H-05": ((5_000, None), [(1, "Traiteur", 3_000), (1, "Frais d'organisation logistique", 2_000)],
             (2_000, 0), (2_000, 0)),
    # Déplacement d'élus et équipements pérennes : non admissibles.
    "H-06": ((17_000, None), [(1, "Déplacement d'élus", 5_000), (1, "Équipements", 2_000),
                              (1, "Activités de maillage", 10_000)],
             (10_000, 0), (10_000, 0)),
    # Projet conjoint sans bonification fixée : 25 000 $, pas 35 000 $.
    "H-07": ((28_000, None), [(1, "Colloque", 30_000)], (30_000, 0), (25_000, 0)),
    # Classe affaires : non admissible ; la demande égale le budget admissible.
    "H-08": ((12_000, None), [(1, "Collaborations virtuelles", 12_000),
                              (1, "Classe affaires", 1_500)], (12_000, 0), (12_000, 0)),
}  # fmt: skip


def _fichier() -> bytes:
    """Le classeur des demandes H-01 à H-08, bâti sur la première demande de valide.xlsx."""
    wb = load_workbook(DONNEES / "formats" / "valide.xlsx")
    entetes = [c.value for c in wb["Demandes"][1]]
    modele = dict(zip(entetes, [c.value for c in wb["Demandes"][2]], strict=True))
    demandes, budget = [entetes], [[c.value for c in wb["Budget"][1]]]
    for no, ((an1, an2), lignes, _, _) in CAS.items():
        d = dict(modele)
        d["No de demande"] = no
        d["Montant demandé – année 1"] = an1
        d["Montant demandé – année 2"] = an2
        d["Coût total du projet"] = 2 * sum(m for _, _, m in lignes)
        if no == "H-07":
            d["Municipalités partenaires"] = "MRC de La Mitis"
        if an2:
            d["Date de fin"] = d["Date de fin"].replace(year=2026)
        demandes.append([d[e] for e in entetes])
        budget += [[no, annee, cat, "", m] for annee, cat, m in lignes]
    return classeur({"Demandes": demandes, "Budget": budget})


@pytest.fixture
def table_et_moteur(tmp_path):
    appel = charger_appel()
    url = f"sqlite:///{tmp_path / 'main.sqlite'}"
    moteur = stockage.creer_moteur(url)
    lot = verifier_lot([("a-la-main.xlsx", io.BytesIO(_fichier()))], appel)
    importer(lot, appel, moteur=moteur)
    admettre(moteur, appel)
    donnees = chargement.charger(appel, moteur=moteur)
    table = classement.classement(appel, donnees)
    numeros = dict(zip(donnees.demandes["id"], donnees.demandes["no_demande"], strict=True))
    table["no"] = table["demande_id"].map(numeros)
    yield appel, moteur, table.set_index("no"), url
    moteur.dispose()


@pytest.mark.parametrize("no", sorted(CAS))
def test_montants_calcules_a_la_main(table_et_moteur, no):
    _, _, table, _ = table_et_moteur
    _, _, admissible, recommande = CAS[no]
    ligne = table.loc[no]
    assert (ligne["admissible_an1"] / 100, ligne["admissible_an2"] / 100) == admissible
    assert (ligne["recommande_an1"] / 100, ligne["recommande_an2"] / 100) == recommande


def test_projet_conjoint_avec_une_mrc_et_sa_bonification(table_et_moteur):
    """H-07 a une MRC pour partenaire : projet conjoint. La présidence fixe 5 000 $ de
    bonification : min(25 000 + 5 000, 28 000 demandés, 30 000 admissibles) = 28 000 $."""
    appel, moteur, table, _ = table_et_moteur
    assert bool(table.loc["H-07", "projet_conjoint"]) is True
    assert bool(table.loc["H-01", "projet_conjoint"]) is False
    decisions.fixer_bonification(
        appel,
        int(table.loc["H-07", "demande_id"]),
        500_000,
        "Trois MRC associées au colloque",
        moteur=moteur,
        auteur="presidence@exemple.qc.ca",
    )
    apres = classement.classement(appel, chargement.charger(appel, moteur=moteur))
    ligne = apres[apres["demande_id"] == table.loc["H-07", "demande_id"]].iloc[0]
    assert ligne["recommande_an1"] == 2_800_000


def test_la_ligne_de_commande_donne_les_memes_montants(table_et_moteur, capsys):
    """`classement --format csv` : demandé, retiré, budget admissible et recommandé de chaque
    demande, les mêmes que ceux calculés à la main."""
    import csv

    from evaluation.commandes import main

    *_, url = table_et_moteur
    assert main(["--base", url, "classement", "--format", "csv"]) == 0
    lignes = {r["no_demande"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    for no, ((an1, _), lignes_budget, (admissible1, _), (recommande1, _)) in CAS.items():
        ligne = lignes[no]
        assert float(ligne["montant_demande_an1"]) == an1
        assert float(ligne["budget_admissible_an1"]) == admissible1
        assert float(ligne["montant_recommande_an1"]) == recommande1
        retire = sum(m for a, _, m in lignes_budget if a == 1) - admissible1
        assert float(ligne["non_admissible_an1"]) == retire
