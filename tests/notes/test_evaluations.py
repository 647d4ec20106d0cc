"""Enregistrement des évaluations : brouillon et soumission, journal dans la même
transaction, écritures concurrentes (fils et processus) et processus tué en plein
enregistrement, sur SQLite et PostgreSQL ; les règles de saisie sont dans test_saisie.py."""

import os
import signal
import subprocess
import sys
import threading

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

VALIDE = DONNEES / "formats" / "valide.xlsx"


@pytest.fixture
def demandes(moteur, appel):
    """Les trois demandes de valide.xlsx importées ; {numéro: identifiant}."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


def _complete(appel, note=7.5) -> Saisie:
    return Saisie(notes={c.id: note for c in appel.criteres}, admissible=True)


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
        journal = stockage.lire_journal(connexion=c, demande_id=d)
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
        journal = stockage.lire_journal(connexion=c)
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
        journal = stockage.lire_journal(connexion=c)
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
