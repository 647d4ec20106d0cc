"""Modifications concurrentes : une écriture faite d'après une vue périmée (second onglet,
page restée ouverte) est refusée, dit qui a changé quoi et quand, et n'écrase rien. Sur
SQLite et sur PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import pytest

from evaluation.appels import edition
from evaluation.appels import parametres as parametres_appel
from evaluation.appels.edition import ParametresPerimes
from evaluation.decision import chargement, classement, decisions, financement
from evaluation.decision.financement import FinancementPerime
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import BROUILLON, SOUMISE, ErreurEvaluation, EvaluationPerimee, Saisie
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.concurrence import Changement, ModificationConcurrente, quand
from evaluation.socle.formats import montant
from evaluation.socle.roles import EVALUATEUR, PRESIDENT
from tests.conftest import DONNEES
from tests.filtrage import admettre

MOT_DE_PASSE = "une phrase de passe assez longue 2026"
EVA = "eva@exemple.qc.ca"
PRES = "pres@exemple.qc.ca"
LUNDI = dt.datetime(2026, 11, 30, 9, 5)
MARDI = dt.datetime(2026, 12, 1, 14, 3)


@pytest.fixture
def base(moteur, appel):
    """Les trois demandes du classeur valide, une évaluatrice et une présidente."""
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    creer_compte(EVA, EVALUATEUR, MOT_DE_PASSE, moteur=moteur, nom="Éva Luatrice")
    creer_compte(PRES, PRESIDENT, MOT_DE_PASSE, moteur=moteur, nom="Paule Présidente")
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    return moteur, [int(i) for i in demandes["id"]]


def _saisie(appel, note: float, commentaire: str = "") -> Saisie:
    return Saisie(
        notes={c.id: note for c in appel.criteres},
        commentaire_global=commentaire,
    )


def _stockee(moteur, demande_id):
    return evaluations.lire_avec_version(demande_id, EVA, moteur=moteur)


# --- Le message ---------------------------------------------------------------------------


def test_message_dit_qui_quand_quoi():
    exc = ModificationConcurrente(
        "Cette évaluation",
        [Changement(MARDI, "Éva Luatrice", "Note · Pertinence 3 → 10")],
        feminin=True,
    )
    assert str(exc).startswith("Cette évaluation a été modifiée depuis l'ouverture")
    assert "Éva Luatrice, le 1er décembre 2026 à 14 h 03 : Note · Pertinence 3 → 10" in str(exc)
    assert "Rien de votre saisie n'a été enregistré" in str(exc)
    masculin = ModificationConcurrente("Le montant", [Changement(MARDI, "X", "1 $")])
    assert "Le montant a été modifié depuis" in str(masculin)


def test_message_garde_les_cinq_derniers_changements():
    changements = [Changement(LUNDI + dt.timedelta(minutes=i), "X", f"c{i}") for i in range(8)]
    texte = str(ModificationConcurrente("Cette évaluation", changements, feminin=True))
    assert "3 changements plus anciens, puis" in texte
    assert "c7" in texte and "c3" in texte and "c2" not in texte
    assert quand(LUNDI) == "le 30 novembre 2026 à 9 h 05"


# --- Évaluations --------------------------------------------------------------------------


def test_evaluation_vue_perimee_refusee_sans_rien_ecraser(base, appel):
    """Deux onglets d'une évaluatrice : l'ancien ne peut pas effacer le commentaire et la
    note que le récent vient d'enregistrer."""
    moteur, ids = base
    d = ids[0]
    evaluations.enregistrer(appel, d, EVA, _saisie(appel, 3), BROUILLON, moteur=moteur)
    _, _, version_onglet_1 = _stockee(moteur, d)
    _, _, version_onglet_2 = _stockee(moteur, d)
    evaluations.enregistrer(
        appel,
        d,
        EVA,
        _saisie(appel, 8, "Très solide"),
        BROUILLON,
        moteur=moteur,
        version_attendue=version_onglet_2,
        maintenant=MARDI,
    )
    with moteur.connect() as c:
        journal_avant = len(stockage.lire_journal(connexion=c))
    with pytest.raises(EvaluationPerimee) as refus:
        evaluations.enregistrer(
            appel,
            d,
            EVA,
            _saisie(appel, 5),
            BROUILLON,
            moteur=moteur,
            version_attendue=version_onglet_1,
        )
    assert isinstance(refus.value, ErreurEvaluation)
    message = str(refus.value)
    assert "Éva Luatrice, le 1er décembre 2026 à 14 h 03" in message
    premier = appel.criteres[0]
    assert f"Note · {premier.libelle} 3 → 8" in message
    assert "Commentaire global (vide) → Très solide" in message
    _statut, saisie, version = _stockee(moteur, d)
    assert saisie.commentaire_global == "Très solide"
    assert saisie.notes[premier.id] == 8
    assert version == version_onglet_2 + 1
    with moteur.connect() as c:
        assert len(stockage.lire_journal(connexion=c)) == journal_avant


def test_evaluation_a_jour_enregistree_et_version_suivante(base, appel):
    moteur, ids = base
    d = ids[1]
    assert _stockee(moteur, d) is None
    evaluations.enregistrer(
        appel, d, EVA, _saisie(appel, 4), BROUILLON, moteur=moteur, version_attendue=0
    )
    _, _, version = _stockee(moteur, d)
    assert version == 1
    evaluations.enregistrer(
        appel, d, EVA, _saisie(appel, 6), SOUMISE, moteur=moteur, version_attendue=1
    )
    statut, saisie, version = _stockee(moteur, d)
    assert (statut, version) == (SOUMISE, 2)
    assert saisie.notes[appel.criteres[0].id] == 6


def test_premiere_evaluation_creee_entre_temps_refusee(base, appel):
    """Une page ouverte avant toute évaluation (version 0) ne remplace pas celle qu'un
    autre onglet a créée depuis."""
    moteur, ids = base
    d = ids[2]
    evaluations.enregistrer(appel, d, EVA, _saisie(appel, 7), BROUILLON, moteur=moteur)
    with pytest.raises(EvaluationPerimee):
        evaluations.enregistrer(
            appel, d, EVA, _saisie(appel, 2), BROUILLON, moteur=moteur, version_attendue=0
        )
    assert _stockee(moteur, d)[1].notes[appel.criteres[0].id] == 7


def test_sans_version_attendue_ecrit_sur_la_derniere(base, appel):
    """La ligne de commande et les traitements par lot n'ont pas de vue à protéger."""
    moteur, ids = base
    d = ids[0]
    evaluations.enregistrer(appel, d, EVA, _saisie(appel, 3), BROUILLON, moteur=moteur)
    evaluations.enregistrer(appel, d, EVA, _saisie(appel, 9), BROUILLON, moteur=moteur)
    assert _stockee(moteur, d)[1].notes[appel.criteres[0].id] == 9


def test_deux_ecritures_simultanees_une_seule_passe(base, appel):
    """Deux onglets lisent la même version et enregistrent au même moment : l'un passe,
    l'autre est refusé ; aucune des deux saisies n'est perdue sans que personne le sache."""
    moteur, ids = base
    d = ids[0]
    evaluations.enregistrer(appel, d, EVA, _saisie(appel, 3), BROUILLON, moteur=moteur)
    _, _, version = _stockee(moteur, d)
    depart = threading.Barrier(2)
    issues: list[str] = []

    def onglet(note):
        depart.wait()
        try:
            evaluations.enregistrer(
                appel,
                d,
                EVA,
                _saisie(appel, note),
                BROUILLON,
                moteur=moteur,
                version_attendue=version,
            )
            issues.append(f"ok:{note}")
        except EvaluationPerimee:
            issues.append(f"refus:{note}")

    fils = [threading.Thread(target=onglet, args=(n,)) for n in (5, 9)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(30)
    assert sorted(i.split(":")[0] for i in issues) == ["ok", "refus"]
    gagnante = float(next(i for i in issues if i.startswith("ok")).split(":")[1])
    _, saisie, nouvelle = _stockee(moteur, d)
    assert saisie.notes[appel.criteres[0].id] == gagnante
    assert nouvelle == version + 1


# --- Montants, décisions, scénario --------------------------------------------------------


def test_montant_vue_perimee_refusee(base, appel):
    moteur, ids = base
    d = ids[0]
    with moteur.connect() as c:
        vue = financement.version_montant(
            stockage.lire_montants_recommandes(appel.id, connexion=c), d, 1
        )
    assert vue == 0
    decisions.modifier_montant(
        appel,
        d,
        1,
        1_500_000,
        "Budget de déplacement réduit",
        moteur=moteur,
        auteur=PRES,
        version_attendue=vue,
        maintenant=MARDI,
    )
    with pytest.raises(FinancementPerime) as refus:
        decisions.modifier_montant(
            appel, d, 1, 1_000_000, "autre", moteur=moteur, auteur=PRES, version_attendue=vue
        )
    assert isinstance(refus.value, financement.ErreurFinancement)
    assert f"Paule Présidente, le 1er décembre 2026 à 14 h 03 : {montant(1_500_000)}" in str(
        refus.value
    )
    assert "Budget de déplacement réduit" in str(refus.value)
    with moteur.connect() as c:
        stockes = stockage.lire_montants_recommandes(appel.id, connexion=c)
    assert [m["montant"] for m in stockes] == [1_500_000]
    # L'autre année a sa propre version : elle n'est pas touchée par ce changement.
    if financement.nombre_annees(appel) > 1:
        decisions.modifier_montant(
            appel, d, 2, 0, "aucune 2e année", moteur=moteur, auteur=PRES, version_attendue=0
        )
    nouvelle = financement.version_montant(stockes, d, 1)
    decisions.modifier_montant(
        appel, d, 1, 1_000_000, "x", moteur=moteur, auteur=PRES, version_attendue=nouvelle
    )


def test_decision_vue_perimee_refusee(base, appel):
    moteur, ids = base
    d = ids[1]
    decisions.enregistrer_decision(
        appel,
        d,
        financement.REFUSE,
        (0, 0),
        "Hors priorités",
        moteur=moteur,
        auteur=PRES,
        version_attendue=0,
        maintenant=MARDI,
    )
    with pytest.raises(FinancementPerime) as refus:
        decisions.enregistrer_decision(
            appel,
            d,
            financement.LISTE_ATTENTE,
            (0, 0),
            "En attente",
            moteur=moteur,
            auteur=PRES,
            version_attendue=0,
        )
    assert "La décision sur" in str(refus.value) and "a été modifiée" in str(refus.value)
    assert f"refusé ({montant(0)}) : Hors priorités" in str(refus.value)
    with moteur.connect() as c:
        decisions_stockees = stockage.lire_decisions(appel.id, connexion=c)
    assert [x["decision"] for x in decisions_stockees] == [financement.REFUSE]
    decisions.enregistrer_decision(
        appel,
        d,
        financement.LISTE_ATTENTE,
        (0, 0),
        "En attente",
        moteur=moteur,
        auteur=PRES,
        version_attendue=financement.version_decision(decisions_stockees, d),
    )
    # Une décision sur une autre demande n'a pas de version commune avec celle-ci.
    decisions.enregistrer_decision(
        appel,
        ids[2],
        financement.REFUSE,
        (0, 0),
        "x",
        moteur=moteur,
        auteur=PRES,
        version_attendue=0,
    )


def test_scenario_calcule_avant_une_decision_refuse(base, appel):
    moteur, ids = base
    for d in ids:
        evaluations.enregistrer(appel, d, EVA, _saisie(appel, 8), SOUMISE, moteur=moteur)
    donnees = chargement.charger(appel, moteur=moteur)
    table = classement.classement(appel, donnees)
    vue = financement.version_decision(donnees.decisions)
    decisions.enregistrer_decision(
        appel, ids[0], financement.REFUSE, (0, 0), "Désistement annoncé", moteur=moteur, auteur=PRES
    )
    choisies = np.ones(len(table), dtype=bool)
    with pytest.raises(FinancementPerime) as refus:
        decisions.adopter_scenario(
            appel, table, choisies, "essai", moteur=moteur, auteur=PRES, version_attendue=vue
        )
    assert "Désistement annoncé" in str(refus.value)
    with moteur.connect() as c:
        assert len(stockage.lire_decisions(appel.id, connexion=c)) == 1
    donnees = chargement.charger(appel, moteur=moteur)
    n = decisions.adopter_scenario(
        appel,
        table,
        choisies,
        "essai",
        moteur=moteur,
        auteur=PRES,
        version_attendue=financement.version_decision(donnees.decisions),
    )
    assert n == 3


# --- Configuration de l'appel et pondérations ----------------------------------------------


def test_parametres_vue_perimee_refusee(moteur, appel):
    creer_compte(PRES, PRESIDENT, MOT_DE_PASSE, moteur=moteur, nom="Paule Présidente")
    parametres_appel.enregistrer(appel.source_toml, moteur=moteur, auteur=PRES)
    vue = parametres_appel.version_stockee(appel.id, moteur=moteur)
    assert vue == 1
    premier = appel.criteres[0].id
    donnees = edition.sections(appel)
    donnees["criteres"][0]["poids"] += 5
    donnees["criteres"][1]["poids"] -= 5
    donnees["appel"]["description"] = "Nouvelle description"
    parametres_appel.enregistrer(
        edition.vers_toml(donnees),
        moteur=moteur,
        auteur=PRES,
        version_attendue=vue,
        maintenant=MARDI,
    )
    assert parametres_appel.version_stockee(appel.id, moteur=moteur) == 2
    autre = edition.sections(appel)
    autre["appel"]["nom_court"] = "Autre nom"
    with pytest.raises(ParametresPerimes) as refus:
        parametres_appel.enregistrer(
            edition.vers_toml(autre), moteur=moteur, auteur=PRES, version_attendue=vue
        )
    message = str(refus.value)
    assert "Paule Présidente, le 1er décembre 2026 à 14 h 03" in message
    assert f"poids {premier} 25 → 30" in message
    assert "appel.description : Soutien aux projets" in message
    assert "→ Nouvelle description" in message
    with moteur.connect() as c:
        stocke = stockage.lire_appel(appel.id, connexion=c)
    assert "Nouvelle description" in stocke["configuration_toml"]
    assert "Autre nom" not in stocke["configuration_toml"]


def test_ponderation_vue_perimee_refusee(moteur, appel):
    poids = dict(appel.poids)
    ids = list(poids)
    poids[ids[0]] += 5
    poids[ids[1]] -= 5
    decisions.adopter_poids(appel, poids, moteur=moteur, auteur=PRES, version_attendue=0)
    autres = dict(appel.poids)
    autres[ids[2]] += 5
    autres[ids[3]] -= 5
    with pytest.raises(classement.PonderationPerimee) as refus:
        decisions.adopter_poids(appel, autres, moteur=moteur, auteur=PRES, version_attendue=0)
    assert isinstance(refus.value, classement.ErreurClassement)
    assert f"{ids[0]} {poids[ids[0]]:g}" in str(refus.value)
    donnees = chargement.charger(appel, moteur=moteur)
    assert donnees.poids == {k: float(v) for k, v in poids.items()}


def test_scenario_montre_avant_un_changement_de_montant_refuse(base, appel):
    """Un autre membre ramène un montant recommandé à 0 $ pendant que la présidente regarde
    le scénario : l'adopter accorderait ce qu'elle n'a pas vu."""
    moteur, ids = base
    for d in ids:
        evaluations.enregistrer(appel, d, EVA, _saisie(appel, 8), SOUMISE, moteur=moteur)
    donnees = chargement.charger(appel, moteur=moteur)
    table = classement.classement(appel, donnees)
    vues = (
        financement.version_decision(donnees.decisions),
        financement.version_montants(donnees.modifications),
    )
    decisions.modifier_montant(
        appel, ids[0], 1, 0, "Budget retiré", moteur=moteur, auteur=PRES, maintenant=MARDI
    )
    with pytest.raises(FinancementPerime) as refus:
        decisions.adopter_scenario(
            appel,
            table,
            np.ones(len(table), dtype=bool),
            "essai",
            moteur=moteur,
            auteur=PRES,
            version_attendue=vues[0],
            version_montants_attendue=vues[1],
        )
    assert "Un montant recommandé de l'appel a été modifié" in str(refus.value)
    assert f"année 1 : {montant(0)} (Budget retiré)" in str(refus.value)
    with moteur.connect() as c:
        assert stockage.lire_decisions(appel.id, connexion=c) == []
