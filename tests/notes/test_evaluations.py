"""Enregistrement des évaluations : brouillon et soumission, journal dans la même
transaction, écritures concurrentes (fils et processus) et processus tué en plein
enregistrement, sur SQLite et PostgreSQL ; les règles de saisie sont dans test_saisie.py."""

import os
import signal
import subprocess
import sys
import threading

import pandas as pd
import pytest

from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.attributions import (
    appliquer_repartition,
    charger,
    declarer_conflit,
    verrouiller,
)
from evaluation.notes.evaluations import AEnregistrer
from evaluation.notes.saisie import (
    BROUILLON,
    SOUMISE,
    ErreurEvaluation,
    EvaluationRefusee,
    Saisie,
)
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from tests.conftest import DONNEES, RACINE_PROJET
from tests.filtrage import admettre

VALIDE = DONNEES / "formats" / "valide.xlsx"


@pytest.fixture
def demandes(moteur, appel):
    """Les trois demandes de valide.xlsx importées ; {numéro: identifiant}."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


def _complete(appel, note=7.5) -> Saisie:
    return Saisie(notes={c.id: note for c in appel.criteres}, admissible=True)


def _sans_examen(journal):
    """Le journal sans l'examen d'admissibilité que le fixture `demandes` a fait."""
    return journal[journal["objet"] != "admissibilite:examen"]


def test_brouillon_puis_soumission_journalises(moteur, appel, demandes):
    d = demandes["T-001"]
    brouillon = Saisie(notes={"pertinence": 6.0}, commentaires={"pertinence": "à préciser"})
    assert evaluations.enregistrer(appel, d, "eva@x.ca", brouillon, BROUILLON, moteur=moteur) == 3
    statut, relue = evaluations.lire(d, "eva@x.ca", moteur=moteur)
    assert statut == BROUILLON and relue.notes == {"pertinence": 6.0}
    assert relue.commentaires == {"pertinence": "à préciser"}
    assert evaluations.enregistrer(appel, d, "eva@x.ca", brouillon, BROUILLON, moteur=moteur) == 0
    finale = _complete(appel, 8.0)
    finale.commentaire_global = "Projet solide."
    evaluations.enregistrer(appel, d, "eva@x.ca", finale, SOUMISE, moteur=moteur)
    assert evaluations.lire(d, "eva@x.ca", moteur=moteur)[0] == SOUMISE
    with moteur.connect() as c:
        journal = _sans_examen(stockage.lire_journal(connexion=c, demande_id=d))
    lignes = {
        (o, a, n)
        for o, a, n in zip(journal["objet"], journal["ancien"], journal["nouveau"], strict=True)
    }
    assert ("note:pertinence", "6", "8") in lignes
    assert ("statut", "brouillon", "soumise") in lignes
    assert ("commentaire:pertinence", "à préciser", None) in lignes
    assert set(journal["auteur"]) == {"eva@x.ca"}


def test_saisie_invalide_n_ecrit_rien(moteur, appel, demandes):
    with pytest.raises(ErreurEvaluation, match="hors de l'échelle"):
        evaluations.enregistrer(
            appel,
            demandes["T-001"],
            "eva@x.ca",
            Saisie(notes={"pertinence": 12.0}),
            BROUILLON,
            moteur=moteur,
        )
    assert evaluations.lire(demandes["T-001"], "eva@x.ca", moteur=moteur) is None


def test_vingt_fils_en_meme_temps(moteur, appel, demandes):
    """20 évaluateurs enregistrent en même temps : chaque enregistrement une seule fois, le
    journal correspond, aucune erreur « base verrouillée » n'atteint personne."""
    erreurs, changements = [], []

    def evaluateur(k: int) -> None:
        try:
            total = 0
            for tour in range(4):
                for d in demandes.values():
                    saisie = Saisie(notes={c.id: float((tour + k) % 11) for c in appel.criteres})
                    total += evaluations.enregistrer(
                        appel, d, f"e{k}@x.ca", saisie, BROUILLON, moteur=moteur
                    )
            changements.append(total)
        except Exception as exc:
            erreurs.append(repr(exc))

    fils = [threading.Thread(target=evaluateur, args=(k,)) for k in range(20)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=120)
    assert erreurs == []
    with moteur.connect() as c:
        nb = c.exec_driver_sql("SELECT count(*) FROM evaluations").scalar()
        journal = _sans_examen(stockage.lire_journal(connexion=c))
    assert nb == 20 * len(demandes)
    assert len(journal) == sum(changements)
    for k in range(20):
        for d in demandes.values():
            _, saisie = evaluations.lire(d, f"e{k}@x.ca", moteur=moteur)
            assert set(saisie.notes.values()) == {float((3 + k) % 11)}


def _url(moteur) -> str:
    return moteur.url.render_as_string(hide_password=False)


def test_quatre_processus_en_meme_temps(moteur, appel, demandes):
    processus = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.ecrivain", _url(moteur), f"p{k}@x.ca", "5"],
            cwd=RACINE_PROJET,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(4)
    ]
    totaux = []
    for p in processus:
        sortie, erreur = p.communicate(timeout=180)
        assert p.returncode == 0, erreur
        totaux.append(int(sortie.strip().splitlines()[-1]))
    with moteur.connect() as c:
        nb = c.exec_driver_sql("SELECT count(*) FROM evaluations").scalar()
        journal = _sans_examen(stockage.lire_journal(connexion=c))
    assert nb == 4 * len(demandes)
    assert len(journal) == sum(totaux)


def test_processus_tue_en_plein_enregistrement(moteur, appel, demandes):
    """Tué entre l'écriture des notes et la validation : l'ancienne valeur reste, entière."""
    d = min(demandes.values())
    ancienne = Saisie(notes={c.id: 4.0 for c in appel.criteres})
    evaluations.enregistrer(appel, d, "k@x.ca", ancienne, BROUILLON, moteur=moteur)
    with moteur.connect() as c:
        journal_avant = len(stockage.lire_journal(connexion=c, demande_id=d))
    processus = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.ecrivain",
            _url(moteur),
            "k@x.ca",
            "1",
            "--pause-dans-la-transaction",
        ],
        cwd=RACINE_PROJET,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert processus.stdout.readline().strip() == "DANS-LA-TRANSACTION"
        os.kill(processus.pid, signal.SIGKILL)
        processus.wait(timeout=30)
    finally:
        processus.stdout.close()
        processus.stderr.close()
    _, relue = evaluations.lire(d, "k@x.ca", moteur=moteur)
    assert relue.notes == ancienne.notes
    with moteur.connect() as c:
        assert len(stockage.lire_journal(connexion=c, demande_id=d)) == journal_avant


# --- Refus : conflit d'intérêts, attribution, verrouillage ------------------------------

MDP = "un mot de passe solide"


def _evaluations_et_journal(moteur) -> tuple[int, list[str]]:
    """Nombre d'évaluations stockées, et objets du journal qui portent sur une évaluation."""
    with moteur.connect() as c:
        nb = c.exec_driver_sql("SELECT count(*) FROM evaluations").scalar()
        journal = stockage.lire_journal(connexion=c)
    champs = ("statut", "admissible", "raison_inadmissibilite", "admissibilite")
    return nb, [
        o for o in journal["objet"] if o.startswith(("note:", "commentaire")) or o in champs
    ]


@pytest.mark.parametrize("origine", ["déclaré", "règle"])
def test_evaluateur_en_conflit_refuse_rien_n_est_ecrit(moteur, appel, demandes, origine):
    d = demandes["T-002"]  # Sherbrooke, partenaires Magog et Orford
    if origine == "déclaré":
        creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur)
        declarer_conflit(appel.id, d, "eva@x.ca", "mon employeur", moteur=moteur, auteur="eva@x.ca")
        attendu = r"conflit d'intérêts déclaré .*mon employeur"
    else:
        creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur, municipalite="Magog")
        attendu = r"conflit d'intérêts : municipalité de l'évaluateur \(Magog\)"
    for statut, saisie in (
        (BROUILLON, Saisie(notes={"pertinence": 5.0})),
        (SOUMISE, _complete(appel)),
    ):
        with pytest.raises(EvaluationRefusee, match=attendu):
            evaluations.enregistrer(appel, d, "eva@x.ca", saisie, statut, moteur=moteur)
    assert evaluations.lire(d, "eva@x.ca", moteur=moteur) is None
    assert _evaluations_et_journal(moteur) == (0, [])
    # Les autres demandes restent ouvertes à cet évaluateur.
    assert (
        evaluations.enregistrer(
            appel, demandes["T-001"], "eva@x.ca", _complete(appel), SOUMISE, moteur=moteur
        )
        > 0
    )


def test_mode_n_evaluateur_non_attribue_refuse(moteur, appel, demandes):
    for courriel in ("eva@x.ca", "luc@x.ca"):
        creer_compte(courriel, "evaluateur", MDP, moteur=moteur)
    appliquer_repartition(appel, 1, moteur=moteur, auteur="admin@x.ca")
    etat = charger(appel.id, moteur=moteur)
    a_eva = etat.demandes_de("eva@x.ca")
    pas_a_eva = [d for d in demandes.values() if d not in a_eva]
    assert a_eva and pas_a_eva
    with pytest.raises(EvaluationRefusee, match="ne vous est pas attribuée"):
        evaluations.enregistrer(
            appel, pas_a_eva[0], "eva@x.ca", _complete(appel), SOUMISE, moteur=moteur
        )
    assert _evaluations_et_journal(moteur) == (0, [])
    assert (
        evaluations.enregistrer(
            appel, a_eva[0], "eva@x.ca", _complete(appel), SOUMISE, moteur=moteur
        )
        > 0
    )
    # Un compte sans attribution du tout n'évalue rien en mode N.
    with pytest.raises(EvaluationRefusee, match="ne vous est pas attribuée"):
        evaluations.enregistrer(
            appel, a_eva[0], "autre@x.ca", _complete(appel), SOUMISE, moteur=moteur
        )


def test_verrouillage_refuse_toute_modification(moteur, appel, demandes):
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur)
    d1, d2 = demandes["T-001"], demandes["T-002"]
    evaluations.enregistrer(appel, d1, "eva@x.ca", _complete(appel, 8.0), SOUMISE, moteur=moteur)
    avant = _evaluations_et_journal(moteur)
    verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca")
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c)
    assert list(journal["objet"]).count("reglage:verrouille") == 1
    tentatives = [
        (d2, Saisie(notes={"pertinence": 5.0}), BROUILLON),  # nouveau brouillon
        (d2, _complete(appel), SOUMISE),  # nouvelle soumission
        (d1, _complete(appel, 8.0), BROUILLON),  # rouvrir une évaluation soumise
        (d1, _complete(appel, 9.0), SOUMISE),  # changer une note soumise
    ]
    for d, saisie, statut in tentatives:
        with pytest.raises(EvaluationRefusee, match="verrouillées"):
            evaluations.enregistrer(appel, d, "eva@x.ca", saisie, statut, moteur=moteur)
    assert _evaluations_et_journal(moteur) == avant
    statut, saisie = evaluations.lire(d1, "eva@x.ca", moteur=moteur)
    assert statut == SOUMISE and set(saisie.notes.values()) == {8.0}
    assert evaluations.lire(d2, "eva@x.ca", moteur=moteur) is None

    verrouiller(appel.id, False, moteur=moteur, auteur="pres@x.ca")
    assert (
        evaluations.enregistrer(
            appel, d1, "eva@x.ca", _complete(appel, 8.0), BROUILLON, moteur=moteur
        )
        == 1
    )
    assert evaluations.lire(d1, "eva@x.ca", moteur=moteur)[0] == BROUILLON
    evaluations.enregistrer(
        appel, d2, "eva@x.ca", Saisie(notes={"pertinence": 5.0}), BROUILLON, moteur=moteur
    )
    assert evaluations.lire(d2, "eva@x.ca", moteur=moteur)[0] == BROUILLON


def test_lot_tout_ou_rien(moteur, appel, demandes):
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur)
    declarer_conflit(
        appel.id, demandes["T-003"], "eva@x.ca", "ancien poste", moteur=moteur, auteur="eva@x.ca"
    )
    bons = [
        AEnregistrer(demandes["T-001"], "eva@x.ca", _complete(appel), SOUMISE),
        AEnregistrer(demandes["T-002"], "eva@x.ca", _complete(appel, 6.0), SOUMISE),
    ]
    en_conflit = AEnregistrer(demandes["T-003"], "eva@x.ca", _complete(appel), SOUMISE)
    with pytest.raises(EvaluationRefusee, match="ancien poste"):
        evaluations.enregistrer_plusieurs(appel, [*bons, en_conflit], moteur=moteur)
    assert _evaluations_et_journal(moteur) == (0, [])
    invalide = AEnregistrer(
        demandes["T-003"], "luc@x.ca", Saisie(notes={"pertinence": 12.0}), BROUILLON
    )
    with pytest.raises(ErreurEvaluation, match="hors de l'échelle"):
        evaluations.enregistrer_plusieurs(appel, [*bons, invalide], moteur=moteur)
    assert _evaluations_et_journal(moteur) == (0, [])
    changements = evaluations.enregistrer_plusieurs(appel, bons, moteur=moteur, auteur="adm@x.ca")
    nb, objets = _evaluations_et_journal(moteur)
    assert nb == 2 and len(objets) == changements > 0
    assert evaluations.lire(demandes["T-002"], "eva@x.ca", moteur=moteur)[0] == SOUMISE


# --- Ce que la page Évaluation lit pour un évaluateur --------------------------------------

MDP = "un mot de passe solide"


@pytest.fixture
def hachage_rapide(monkeypatch):
    """argon2 au plus léger : ces comptes ne se connectent jamais."""
    from argon2 import PasswordHasher

    from evaluation.socle import mots_de_passe

    monkeypatch.setattr(
        mots_de_passe, "_hacheur", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.mark.parametrize("par_demande", [None, 2])
def test_mes_demandes_disent_ce_que_dit_l_etat_complet(
    moteur, appel, demandes, hachage_rapide, par_demande
):
    """Pour chaque compte (sans lieu, en conflit par sa municipalité ou sa région, en conflit
    déclaré, désactivé, inconnu), l'état restreint à l'évaluateur attribue, exclut et
    liste exactement ce que l'état complet (`attributions.charger`) attribue, exclut et
    liste ; il ne lit les évaluations de personne d'autre."""
    from evaluation.notes import suivi
    from evaluation.socle.comptes import desactiver_compte

    eva, luc, reg, zoe, parti = "eva@x.ca", "luc@x.ca", "reg@x.ca", "zoe@x.ca", "parti@x.ca"
    creer_compte(eva, "evaluateur", MDP, moteur=moteur)
    creer_compte(luc, "evaluateur", MDP, moteur=moteur, municipalite="Magog")  # T-002
    creer_compte(reg, "evaluateur", MDP, moteur=moteur, region="07")  # T-003 (Gatineau)
    creer_compte(zoe, "evaluateur", MDP, moteur=moteur)
    creer_compte(parti, "evaluateur", MDP, moteur=moteur, region="01")  # T-001, désactivé
    declarer_conflit(
        appel.id, demandes["T-001"], zoe, "ma sœur y travaille", moteur=moteur, auteur=zoe
    )
    evaluations.enregistrer(appel, demandes["T-002"], eva, _complete(appel), SOUMISE, moteur=moteur)
    evaluations.enregistrer(
        appel, demandes["T-001"], luc, Saisie(notes={"pertinence": 3.0}), BROUILLON, moteur=moteur
    )
    if par_demande is not None:
        appliquer_repartition(appel, par_demande, moteur=moteur, auteur="admin@x.ca")
    desactiver_compte(parti, moteur=moteur)
    complet = charger(appel.id, moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
        toutes = stockage.lire_evaluations(appel.id, connexion=c)
    vus = set()
    for e in (eva, luc, reg, zoe, parti, "inconnu@x.ca"):
        mes = evaluations.charger_mes_demandes(appel.id, e, moteur=moteur)
        assert mes.attributions.reglages == complet.reglages
        attendues = [d for d in demandes.values() if complet.attribuee(d, e)]
        assert [d for d in demandes.values() if mes.attributions.attribuee(d, e)] == attendues
        assert mes.attributions.conflits_de(e) == complet.conflits_de(e)
        assert set(mes.evaluations["evaluateur"]) <= {e}
        attendue = suivi.liste_evaluateur(table, toutes, complet, e)
        liste = suivi.liste_evaluateur(mes.demandes, mes.evaluations, mes.attributions, e)
        for colonne in ("demande_id", "no_demande", "titre", "region", "axe", "secteur", "etat"):
            assert list(liste[colonne]) == list(attendue[colonne]), (e, colonne)
        assert [pd.Timestamp(x) for x in liste["modifie_le"]] == [
            pd.Timestamp(x) for x in attendue["modifie_le"]
        ]
        vus.add(tuple(attendues))
    assert len(vus) >= 3  # des listes qui diffèrent : conflits de règle et déclarés


def test_mes_demandes_disent_le_verrouillage(moteur, appel, demandes):
    verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca")
    mes = evaluations.charger_mes_demandes(appel.id, "eva@x.ca", moteur=moteur)
    assert mes.attributions.reglages.verrouille
    assert list(mes.demandes.columns) == evaluations.COLONNES_LISTE
    assert sorted(mes.demandes["no_demande"]) == ["T-001", "T-002", "T-003"]


def test_lire_les_siennes_comme_une_a_une(moteur, appel, demandes):
    eva = "eva@x.ca"
    evaluations.enregistrer(appel, demandes["T-001"], eva, _complete(appel), SOUMISE, moteur=moteur)
    brouillon = Saisie(notes={"pertinence": 4.0}, commentaires={"pertinence": "à voir"})
    evaluations.enregistrer(appel, demandes["T-002"], eva, brouillon, BROUILLON, moteur=moteur)
    complete = _complete(appel, 6.0)
    complete.commentaires = {"coherence": "solide"}
    evaluations.enregistrer(appel, demandes["T-002"], eva, complete, SOUMISE, moteur=moteur)
    evaluations.enregistrer(
        appel, demandes["T-003"], "luc@x.ca", _complete(appel), SOUMISE, moteur=moteur
    )
    siennes = evaluations.lire_les_siennes(appel.id, eva, moteur=moteur)
    assert set(siennes) == {demandes["T-001"], demandes["T-002"]}
    for d, lu in siennes.items():
        assert lu == evaluations.lire_avec_version(d, eva, moteur=moteur)
    assert siennes[demandes["T-002"]][2] == 2
