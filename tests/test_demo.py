"""Le jeu de démonstration (issue 18) : des demandes vraisemblables pour l'appel PAIVMQ
2023-2024, les situations que les règles doivent montrer, un générateur reproductible, et son
import dans une base neuve (examen d'après les fichiers compris) et en ligne de commande."""

import collections
import importlib.util
import json
import statistics

import pytest
from openpyxl import load_workbook

from evaluation.commandes import main
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import examens
from evaluation.notes.filtrage import INADMISSIBLE
from evaluation.socle import stockage
from evaluation.socle.champs import CHAMPS_FORMULAIRE
from tests.conftest import RACINE_PROJET

DOSSIER = RACINE_PROJET / "donnees" / "demo"
DEMO = DOSSIER / "demandes-demo.xlsx"
GRANDES_VILLES = {
    "Montréal", "Québec", "Laval", "Gatineau", "Longueuil", "Sherbrooke", "Saguenay", "Lévis",
    "Trois-Rivières",
}  # fmt: skip
# Champs du formulaire de l'appel (issue 18), lus comme champs du gabarit.
FORMULAIRE = CHAMPS_FORMULAIRE
# Les demandes que le premier examen d'après les fichiers juge inadmissibles, et pourquoi
# (l'appel : dossier complet au dépôt, pas d'autre programme gouvernemental, budget
# détaillé, engagement à produire un rapport ; la fin de l'appel lue comme date limite).
INADMISSIBLES = {
    "dossier-complet": {"PAIVMQ-2024-010", "PAIVMQ-2024-018", "PAIVMQ-2024-062",
                        "PAIVMQ-2024-071"},
    "aucun-autre-financement": {"PAIVMQ-2024-030", "PAIVMQ-2024-064"},
    "budget-detaille": {"PAIVMQ-2024-053", "PAIVMQ-2024-057"},
    "engagement-rapport": {"PAIVMQ-2024-075"},
    "depot-a-temps": {"PAIVMQ-2024-001"},
}  # fmt: skip


def _generateur():
    spec = importlib.util.spec_from_file_location("generer_demo", DOSSIER / "generer_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cellules(chemin) -> dict[str, list[tuple]]:
    classeur = load_workbook(chemin)
    return {f.title: list(f.iter_rows(values_only=True)) for f in classeur.worksheets}


@pytest.fixture(scope="module")
def verification(appel):
    return verifier_lot([(DEMO.name, DEMO)], appel)


@pytest.fixture(scope="module")
def valeurs(verification):
    return [d.valeurs for d in verification.demandes]


@pytest.fixture(scope="module")
def cellules():
    return _cellules(DEMO)


def _formulaire(demande) -> dict[str, object]:
    """Les champs du formulaire d'une demande vérifiée, lus comme colonnes du gabarit."""
    return {cle: demande.valeurs.get(cle) for cle in FORMULAIRE}


def test_demo_importable_sans_blocage(verification):
    assert verification.sans_blocage
    assert not [p for p in verification.problemes if p.bloque]
    gardees, lignes = verification.selection()
    assert len(gardees) == 80
    assert len(lignes) > 200


def test_demo_remplit_les_champs_du_formulaire(verification):
    """Les sept champs du formulaire sont remplis pour chaque demande, de textes propres à
    chacune (pas un gabarit répété), lus comme colonnes du gabarit (aucune n'est mise à
    part)."""
    formulaires = [_formulaire(d) for d in verification.demandes]
    for cle in FORMULAIRE:
        textes = [f[cle] for f in formulaires]
        assert all(isinstance(t, str) and len(t) > 40 for t in textes), cle
        assert len(set(textes)) >= 70, cle
    assert not [p for p in verification.problemes if p.code == "colonnes_supplementaires"]


def test_demo_couvre_l_appel(valeurs, appel):
    assert {v["region"] for v in valeurs} == {r.code for r in appel.regions}
    assert {v["axe"] for v in valeurs} == {1, 2, 3}
    assert {v["secteur"] for v in valeurs} == {s.libelle for s in appel.secteurs}
    assert all(v["code_geographique"] for v in valeurs), "municipalités réelles du répertoire"
    assert 10 <= sum(v["projet_conjoint"] for v in valeurs) <= 20
    deux_ans = sum(bool(v["montant_demande_an2"]) for v in valeurs)
    assert 25 <= deux_ans <= 55


def test_demo_les_grandes_villes_deposent(valeurs):
    """Les neuf plus grandes villes, les demandeurs les plus probables d'un tel appel."""
    assert {v["municipalite"] for v in valeurs} >= GRANDES_VILLES


def test_demo_population_mediane_des_demandeurs(valeurs, repertoire):
    """Seuils : médiane entre 10 000 et 60 000 habitants. Un projet international demande une
    personne qui le porte : les demandeurs probables sont les villes-centres des régions
    (Rimouski, Drummondville, Saint-Hyacinthe…), pas la municipalité médiane du Québec
    (environ 1 300 habitants) ; l'issue 18 reprochait une médiane de 7 719. Au-dessus de
    60 000, seules les grandes villes déposeraient, alors que l'appel invite « les villes des
    différentes régions »."""
    populations = [repertoire.par_code(v["code_geographique"]).population for v in valeurs]
    assert 10_000 <= statistics.median(populations) <= 60_000
    assert sum(p < 5_000 for p in populations) >= 5, "des villages aussi, à leur mesure"


def test_demo_villages_a_leur_mesure(valeurs, repertoire):
    """Une municipalité de moins de 5 000 habitants qui dépose seule demande peu (au plus
    12 000 $ par année) : un village ne porte pas un projet de grande ville."""
    for v in valeurs:
        population = repertoire.par_code(v["code_geographique"]).population
        if population < 5_000 and not v["projet_conjoint"]:
            assert max(v["montant_demande_an1"], v["montant_demande_an2"] or 0) <= 1_200_000, v[
                "no_demande"
            ]


def test_demo_projets_conjoints_avec_une_mrc(valeurs):
    """« Le projet proposé peut être porté par une ou plusieurs entités municipales. » : des
    projets conjoints avec une MRC, et un avec une communauté métropolitaine."""
    partenaires = [v["municipalites_partenaires"] or "" for v in valeurs if v["projet_conjoint"]]
    assert sum("MRC " in p for p in partenaires) >= 8
    assert any("Communauté métropolitaine de Montréal" in p for p in partenaires)


def test_demo_titres_uniques(valeurs):
    titres = [v["titre"] for v in valeurs]
    assert len(set(titres)) == len(titres) == 80


def test_demo_aucune_competence_non_municipale(cellules):
    """L'état civil n'est pas une compétence municipale au Québec : aucune cellule n'en parle."""
    for feuille, lignes in cellules.items():
        for ligne in lignes:
            for cellule in ligne:
                texte = str(cellule or "").casefold()
                assert "état civil" not in texte and "etat civil" not in texte, feuille


def test_demo_plafonds_respectes_sauf_les_cas_semes(valeurs, verification, appel):
    """« La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par
    année dans le cas d'une initiative portée par une seule ville. » ; un projet conjoint
    « peut permettre la bonification » (au plus le plafond bonifié, réglage du comité).
    Seules les trois demandes semées dépassent ; deux projets conjoints semés demandent plus
    de 25 000 $, sans dépasser le plafond bonifié."""
    f = appel.financement
    depassent = set()
    for v in valeurs:
        plafond = f.plafond_bonifie_max if v["projet_conjoint"] else f.plafond_annuel
        if max(v["montant_demande_an1"], v["montant_demande_an2"] or 0) > plafond:
            depassent.add(v["no_demande"])
    signales = {p.no_demande for p in verification.problemes if p.code == "plafond_depasse"}
    assert depassent == signales == {"PAIVMQ-2024-023", "PAIVMQ-2024-067", "PAIVMQ-2024-069"}
    bonifiees = {
        v["no_demande"]
        for v in valeurs
        if v["projet_conjoint"] and v["montant_demande_an1"] > f.plafond_annuel
    }
    assert bonifiees >= {"PAIVMQ-2024-068", "PAIVMQ-2024-079"}, "projets conjoints bonifiés"


def test_demo_depasse_l_enveloppe(valeurs, appel):
    for annee, enveloppe in enumerate(appel.financement.enveloppe, 1):
        demande = sum(v[f"montant_demande_an{annee}"] or 0 for v in valeurs)
        assert demande > enveloppe, f"année {annee}"


def test_demo_montre_chaque_avertissement(verification):
    codes = collections.Counter(p.code for p in verification.problemes)
    attendus = {
        "plafond_depasse": 3,
        "cout_inferieur_demande": 2,
        "sans_contribution": 3,
        "autre_financement": 2,
        "depense_non_admissible": 4,
        "plafond_visas": 2,
        "budget_ecart": 2,
        "depot_en_retard": 1,
        "hors_periode": 1,
        "categorie_inconnue": 1,  # « Traiteur et réception », à rattacher
        "municipalite_inconnue": 1,  # une régie intermunicipale que l'appel ne nomme pas
    }
    assert {c: codes[c] for c in attendus} == attendus


def test_demo_a_une_date_de_depot_par_demande_et_un_retard(verification, valeurs, appel):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : chaque demande du
    jeu a sa date de dépôt ; une seule est en retard (4 jours), et celles du 1er mars même
    sont à temps. (Le jeu réécrit pour l'issue 18 a renuméroté les demandes : le retard est
    la demande 001, auparavant 058.)"""
    assert all(v["date_depot"] for v in valeurs)
    assert sum(v["date_depot"] == appel.date_limite for v in valeurs) == 2
    retards = [p for p in verification.problemes if p.code == "depot_en_retard"]
    assert [p.no_demande for p in retards] == ["PAIVMQ-2024-001"]
    assert "4 jours après la date limite" in retards[0].message
    assert not any(
        p.code in ("date_depot_absente", "date_depot_vide") for p in verification.problemes
    )


def test_demo_importee_dans_une_base_neuve(verification, appel, moteur_sqlite):
    """L'import de la démonstration, puis l'examen d'après les fichiers (bouton de
    l'Accueil) : 80 demandes, les champs du formulaire conservés, et dix inadmissibles, chacune
    pour la raison que son fichier donne."""
    rapport = importer(verification, appel, moteur=moteur_sqlite, auteur="demo")
    assert len(rapport.creees) == 80
    ecrits = examens.examiner_d_apres_les_fichiers(appel, moteur=moteur_sqlite, auteur="demo")
    assert ecrits == 80
    with moteur_sqlite.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    numeros = dict(zip(table["id"].astype(int), table["no_demande"], strict=True))
    etats = examens.charger(appel.id, moteur=moteur_sqlite).etats
    inadmissibles = {numeros[i]: e for i, e in etats.items() if e.verdict == INADMISSIBLE}
    assert set(inadmissibles) == set().union(*INADMISSIBLES.values())
    for condition, attendus in INADMISSIBLES.items():
        for numero in attendus:
            assert inadmissibles[numero].reponses[condition].reponse == "non", numero
    for ligne in table.to_dict("records"):
        extras = ligne.get("colonnes_supplementaires") or {}
        if isinstance(extras, str):
            extras = json.loads(extras)
        assert not extras, ligne["no_demande"]
        for cle in FORMULAIRE:
            assert ligne.get(cle), (ligne["no_demande"], cle)


def test_demo_importee_en_ligne_de_commande(tmp_path, capsys):
    base = ["--base", f"sqlite:///{tmp_path / 'demo.sqlite'}"]
    assert main([*base, "importer", str(DEMO)]) == 0
    assert "80 demandes créées" in capsys.readouterr().out
    assert main([*base, "demandes", "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 81


def test_generateur_reproductible_et_fichier_a_jour(tmp_path):
    """Graine fixe : deux générations donnent les mêmes cellules, et ce sont celles du
    fichier livré (sinon : python donnees/demo/generer_demo.py)."""
    generateur = _generateur()
    for nom in ("a.xlsx", "b.xlsx"):
        demandes, budget, _ = generateur.generer()
        generateur.ecrire(demandes, budget, tmp_path / nom)
    premiere = _cellules(tmp_path / "a.xlsx")
    assert premiere == _cellules(tmp_path / "b.xlsx")
    assert premiere == _cellules(DEMO), "fichier livré périmé : régénérez-le"
