"""Retirer des données : le désistement d'une demande (elle sort de partout, rien ne
s'efface, elle peut revenir) et le retrait d'une importation qui n'a rien d'évalué."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
import sqlalchemy as sa

from evaluation.decision import chargement, classement, decisions, financement
from evaluation.depot import retraits
from evaluation.depot.importation import importer
from evaluation.depot.retraits import OBJET_DESISTEMENT, OBJET_RETRAIT_IMPORTATION, RetraitRefuse
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions, evaluations
from evaluation.notes.saisie import BROUILLON, SOUMISE, EvaluationRefusee, Saisie
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.roles import EVALUATEUR
from tests.conftest import DONNEES
from tests.filtrage import admettre

ADMIN = "admin@exemple.qc.ca"
EVA = "eva@exemple.qc.ca"
LUNDI = dt.datetime(2026, 11, 30, 9, 5)
VALIDE = DONNEES / "formats" / "valide.xlsx"
DEMO = DONNEES.parent.parent / "donnees" / "demo" / "demandes-demo.xlsx"


def _importer(appel, moteur, fichiers):
    """Importe, puis fait juger admissibles les demandes (elles se notent)."""
    rapport = importer(verifier_lot([(f.name, f) for f in fichiers], appel), appel, moteur=moteur)
    admettre(moteur, appel, _nouvelles(appel, moteur))
    return rapport


def _nouvelles(appel, moteur) -> list[int]:
    from evaluation.notes import examens

    with moteur.connect() as c:
        ids = stockage.lire_demandes(appel.id, connexion=c)["id"].astype(int).tolist()
    deja = examens.charger(appel.id, moteur=moteur).etats
    return [i for i in ids if i not in deja]


@pytest.fixture
def base(moteur, appel):
    _importer(appel, moteur, [VALIDE])
    creer_compte(EVA, EVALUATEUR, "une phrase de passe assez longue 2026", moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    return moteur, dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


def _soumettre(appel, moteur, d, note=8):
    saisie = Saisie(notes={c.id: note for c in appel.criteres}, admissible=True)
    evaluations.enregistrer(appel, d, EVA, saisie, SOUMISE, moteur=moteur)


def _journal(moteur, objet):
    with moteur.connect() as c:
        return stockage.lire_journal(connexion=c, objets=[objet])


# --- Désistement --------------------------------------------------------------------------


def test_desistement_sort_la_demande_de_partout(base, appel):
    moteur, ids = base
    for d in ids.values():
        _soumettre(appel, moteur, d)
    decisions.enregistrer_decision(
        appel, ids["T-002"], financement.RETENU, (1_000_000, 0), "x", moteur=moteur, auteur=ADMIN
    )
    retraits.desister(
        appel,
        ids["T-002"],
        "La municipalité renonce",
        moteur=moteur,
        auteur=ADMIN,
        maintenant=LUNDI,
    )
    donnees = chargement.charger(appel, moteur=moteur)
    table = classement.classement(appel, donnees)
    assert sorted(table["no_demande"]) == ["T-001", "T-003"]
    assert ids["T-002"] not in set(donnees.notes["demande_id"].astype(int))
    assert ids["T-002"] not in {int(x["demande_id"]) for x in donnees.decisions}
    assert ids["T-002"] not in set(donnees.evaluations["demande_id"].astype(int))
    etat = attributions.charger(appel.id, moteur=moteur)
    assert ids["T-002"] not in etat.demandes
    with moteur.connect() as c:
        assert "T-002" not in set(stockage.lire_notes(appel.id, connexion=c)["no_demande"])
        toutes = stockage.lire_demandes(appel.id, connexion=c, avec_retirees=True)
        budget = stockage.lire_lignes_budget(appel.id, connexion=c)
    retiree = toutes.set_index("no_demande").loc["T-002"]
    assert (retiree["retiree_le"], retiree["retiree_par"]) == (LUNDI, ADMIN)
    assert retiree["raison_retrait"] == "La municipalité renonce"
    assert "T-002" not in set(budget["no_demande"])
    journal = _journal(moteur, OBJET_DESISTEMENT)
    assert journal[["ancien", "nouveau"]].values.tolist() == [
        ["active", "retirée : La municipalité renonce"]
    ]
    assert [r["no_demande"] for r in retraits.demandes_retirees(appel, moteur=moteur)] == ["T-002"]


def test_demande_retiree_ni_evaluee_ni_decidee(base, appel):
    moteur, ids = base
    d = ids["T-001"]
    retraits.desister(appel, d, "Doublon de T-003", moteur=moteur, auteur=ADMIN)
    with pytest.raises(EvaluationRefusee, match="retirée"):
        evaluations.enregistrer(appel, d, EVA, Saisie(), BROUILLON, moteur=moteur)
    with pytest.raises(financement.ErreurFinancement, match="retirée"):
        decisions.enregistrer_decision(
            appel, d, financement.REFUSE, (0, 0), "x", moteur=moteur, auteur=ADMIN
        )
    with pytest.raises(financement.ErreurFinancement, match="Rétablissez-la"):
        decisions.modifier_montant(appel, d, 1, 0, "x", moteur=moteur, auteur=ADMIN)


def test_retablir_ramene_la_demande_et_ses_notes(base, appel):
    moteur, ids = base
    d = ids["T-003"]
    _soumettre(appel, moteur, d, note=6)
    retraits.desister(appel, d, "Renonce", moteur=moteur, auteur=ADMIN)
    retraits.retablir(appel, d, "Renonciation annulée par courriel", moteur=moteur, auteur=ADMIN)
    donnees = chargement.charger(appel, moteur=moteur)
    assert d in set(donnees.notes["demande_id"].astype(int))
    journal = _journal(moteur, OBJET_DESISTEMENT)
    assert journal["nouveau"].tolist()[-1] == "rétablie : Renonciation annulée par courriel"
    assert retraits.demandes_retirees(appel, moteur=moteur) == []


@pytest.mark.parametrize(
    ("geste", "message"),
    [
        ("raison vide", "donnez la raison"),
        ("deux fois", "déjà retirée"),
        ("rétablir active", "n'est pas retirée"),
        ("autre appel", "n'existe pas dans l'appel"),
    ],
)
def test_desistement_refuse(base, appel, geste, message):
    moteur, ids = base
    d = ids["T-001"]
    with pytest.raises(RetraitRefuse, match=message):
        if geste == "raison vide":
            retraits.desister(appel, d, "  ", moteur=moteur, auteur=ADMIN)
        elif geste == "deux fois":
            retraits.desister(appel, d, "une", moteur=moteur, auteur=ADMIN)
            retraits.desister(appel, d, "deux", moteur=moteur, auteur=ADMIN)
        elif geste == "rétablir active":
            retraits.retablir(appel, d, "x", moteur=moteur, auteur=ADMIN)
        else:
            retraits.desister(appel, 10_000, "x", moteur=moteur, auteur=ADMIN)


def test_reimporter_une_demande_retiree_l_ecarte(base, appel):
    """Un fichier ne rétablit pas une demande retirée ni ne change ses données : elle est
    écartée, et le rapport le dit."""
    moteur, ids = base
    retraits.desister(appel, ids["T-001"], "Renonce", moteur=moteur, auteur=ADMIN)
    tableau = pd.read_excel(VALIDE, sheet_name="Demandes", engine="calamine")
    tableau.loc[tableau["No de demande"] == "T-001", "Titre du projet"] = "Titre changé"
    fichier = io.BytesIO()
    with pd.ExcelWriter(fichier, engine="openpyxl") as sortie:
        tableau.to_excel(sortie, sheet_name="Demandes", index=False)
    rapport = importer(
        verifier_lot([("modifie.xlsx", fichier.getvalue())], appel), appel, moteur=moteur
    )
    assert "T-001 (retirée : désistement)" in rapport.ecartees
    with moteur.connect() as c:
        toutes = stockage.lire_demandes(appel.id, connexion=c, avec_retirees=True)
        journal = stockage.lire_importations(appel.id, connexion=c)
    assert toutes.set_index("no_demande").loc["T-001", "titre"] != "Titre changé"
    assert int(journal.iloc[0]["nb_ecartees"]) == 1


# --- Retrait d'une importation ------------------------------------------------------------


def test_retirer_les_donnees_de_demonstration(base, appel):
    moteur, _ = base
    rapport = _importer(appel, moteur, [DEMO])
    assert len(rapport.creees) == 80
    supprimees = retraits.retirer_importation(
        appel,
        rapport.importation_id,
        "Démonstration importée par erreur",
        moteur=moteur,
        auteur=ADMIN,
        maintenant=LUNDI,
    )
    assert sorted(supprimees) == sorted(rapport.creees)
    with moteur.connect() as c:
        restantes = stockage.lire_demandes(appel.id, connexion=c, avec_retirees=True)
        importations = stockage.lire_importations(appel.id, connexion=c).set_index("id")
        budget = stockage.lire_lignes_budget(appel.id, connexion=c)
    assert sorted(restantes["no_demande"]) == ["T-001", "T-002", "T-003"]
    assert set(budget["no_demande"]) <= {"T-001", "T-002", "T-003"}
    assert importations.loc[rapport.importation_id, "retiree_le"] == LUNDI
    assert importations.loc[rapport.importation_id, "raison_retrait"] == (
        "Démonstration importée par erreur"
    )
    (ligne,) = _journal(moteur, OBJET_RETRAIT_IMPORTATION).to_dict("records")
    assert ligne["nouveau"].startswith("retirée : Démonstration importée par erreur ; 80 demandes")
    with pytest.raises(RetraitRefuse, match="déjà retirée"):
        retraits.retirer_importation(
            appel, rapport.importation_id, "encore", moteur=moteur, auteur=ADMIN
        )


def test_retrait_refuse_si_une_demande_est_evaluee(base, appel):
    moteur, _ = base
    rapport = _importer(appel, moteur, [DEMO])
    with moteur.connect() as c:
        d = stockage.id_demande(appel.id, rapport.creees[5], connexion=c)
    evaluations.enregistrer(appel, d, EVA, Saisie(), BROUILLON, moteur=moteur)
    with pytest.raises(RetraitRefuse, match=f"évaluation pour {rapport.creees[5]}"):
        retraits.retirer_importation(
            appel, rapport.importation_id, "erreur", moteur=moteur, auteur=ADMIN
        )
    with moteur.connect() as c:
        assert len(stockage.lire_demandes(appel.id, connexion=c)) == 83


def test_retrait_refuse_si_une_decision_ou_un_montant_existe(base, appel):
    moteur, _ = base
    rapport = _importer(appel, moteur, [DEMO])
    with moteur.connect() as c:
        d = stockage.id_demande(appel.id, rapport.creees[0], connexion=c)
    decisions.modifier_montant(appel, d, 1, 0, "réduit", moteur=moteur, auteur=ADMIN)
    with pytest.raises(RetraitRefuse, match="montant pour"):
        retraits.retirer_importation(
            appel, rapport.importation_id, "erreur", moteur=moteur, auteur=ADMIN
        )


def test_retrait_refuse_si_l_importation_a_mis_a_jour_des_demandes_anterieures(base, appel):
    moteur, _ = base
    rapport = _importer(appel, moteur, [DONNEES / "problemes" / "budget-ecart.xlsx"])
    assert rapport.mises_a_jour and not rapport.creees
    with pytest.raises(RetraitRefuse, match="a aussi mis à jour"):
        retraits.retirer_importation(
            appel, rapport.importation_id, "erreur", moteur=moteur, auteur=ADMIN
        )


def test_retrait_refuse_si_une_importation_suivante_a_modifie_ses_demandes(moteur, appel):
    premiere = _importer(appel, moteur, [VALIDE])
    tableau = pd.read_excel(VALIDE, sheet_name="Demandes", engine="calamine")
    tableau["Titre du projet"] = tableau["Titre du projet"] + " (révisé)"
    fichier = io.BytesIO()
    with pd.ExcelWriter(fichier, engine="openpyxl") as sortie:
        tableau.to_excel(sortie, sheet_name="Demandes", index=False)
    seconde = importer(
        verifier_lot([("revise.xlsx", fichier.getvalue())], appel), appel, moteur=moteur
    )
    assert len(seconde.mises_a_jour) == 3
    with pytest.raises(
        RetraitRefuse, match=f"puis modifiées par l'importation n° {seconde.importation_id}"
    ):
        retraits.retirer_importation(
            appel, premiere.importation_id, "erreur", moteur=moteur, auteur=ADMIN
        )
    with pytest.raises(RetraitRefuse, match="a aussi mis à jour 3 demandes créées avant elle"):
        retraits.retirer_importation(
            appel, seconde.importation_id, "erreur", moteur=moteur, auteur=ADMIN
        )


def test_retrait_d_importation_demande_une_raison(base, appel):
    moteur, _ = base
    rapport = _importer(appel, moteur, [DEMO])
    with pytest.raises(RetraitRefuse, match="donnez la raison"):
        retraits.retirer_importation(appel, rapport.importation_id, "", moteur=moteur, auteur=ADMIN)
    with pytest.raises(RetraitRefuse, match="aucune importation n° 999"):
        retraits.retirer_importation(appel, 999, "x", moteur=moteur, auteur=ADMIN)


def test_retrait_pendant_une_evaluation_ne_perd_rien_en_silence(moteur, appel, monkeypatch):
    """L'administration retire une importation pendant qu'une évaluatrice enregistre une
    évaluation de l'une de ses demandes : jamais les deux ne réussissent (l'évaluation
    serait effacée avec la demande) ; celle qui perd le dit."""
    import threading
    import time

    rapport = _importer(appel, moteur, [VALIDE])
    creer_compte(EVA, EVALUATEUR, "une phrase de passe assez longue 2026", moteur=moteur)
    with moteur.connect() as c:
        d = stockage.id_demande(appel.id, "T-001", connexion=c)
    supprimer = stockage.supprimer_demandes

    def lentement(ids, *, connexion):
        time.sleep(0.8)
        supprimer(ids, connexion=connexion)

    monkeypatch.setattr(stockage, "supprimer_demandes", lentement)
    issues = {}

    def retirer():
        try:
            issues["retrait"] = retraits.retirer_importation(
                appel, rapport.importation_id, "erreur", moteur=moteur, auteur=ADMIN
            )
        except RetraitRefuse as exc:
            issues["retrait"] = exc

    fil = threading.Thread(target=retirer)
    fil.start()
    time.sleep(0.3)
    try:
        evaluations.enregistrer(
            appel,
            d,
            EVA,
            Saisie(notes={c.id: 7 for c in appel.criteres}),
            SOUMISE,
            moteur=moteur,
        )
        issues["evaluation"] = "enregistrée"
    except EvaluationRefusee as exc:
        issues["evaluation"] = exc
    fil.join(30)
    retrait_reussi = isinstance(issues["retrait"], list)
    evaluation_reussie = issues["evaluation"] == "enregistrée"
    assert retrait_reussi != evaluation_reussie
    with moteur.connect() as c:
        restantes = c.execute(sa.select(sa.func.count()).select_from(stockage.evaluations)).scalar()
    assert restantes == (1 if evaluation_reussie else 0)


@pytest.mark.parametrize("geste", ["décision", "montant", "conflit", "désistement"])
def test_raison_ou_justification_trop_longue_refusee(base, appel, geste):
    from evaluation.notes import attributions, repartition
    from evaluation.socle.texte import SAISIE_MAX

    moteur, ids = base
    long = "r" * (SAISIE_MAX + 1)
    d = ids["T-001"]
    erreurs = (financement.ErreurFinancement, repartition.ErreurAttribution, RetraitRefuse)
    with pytest.raises(erreurs, match=f"{SAISIE_MAX} au plus"):
        if geste == "décision":
            decisions.enregistrer_decision(
                appel, d, financement.REFUSE, (0, 0), long, moteur=moteur, auteur=ADMIN
            )
        elif geste == "montant":
            decisions.modifier_montant(appel, d, 1, 0, long, moteur=moteur, auteur=ADMIN)
        elif geste == "conflit":
            attributions.declarer_conflit(appel.id, d, EVA, long, moteur=moteur, auteur=ADMIN)
        else:
            retraits.desister(appel, d, long, moteur=moteur, auteur=ADMIN)


def test_les_compteurs_ne_comptent_que_les_demandes_actives(base, appel):
    moteur, ids = base
    retraits.desister(appel, ids["T-001"], "Renonce", moteur=moteur, auteur=ADMIN)
    with moteur.connect() as c:
        assert stockage.compter_demandes(appel.id, connexion=c) == 2
    rapport = _importer(appel, moteur, [VALIDE])
    assert (rapport.avant, rapport.apres) == (2, 2)
