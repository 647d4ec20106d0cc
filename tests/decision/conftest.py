"""Fixtures partagées des tests de la décision : les trois demandes de valide.xlsx en base,
jugées admissibles par l'analyste, et une campagne d'évaluations soumises sur elles."""

from __future__ import annotations

import pytest

from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import BROUILLON, SOUMISE, Saisie
from evaluation.socle import stockage
from tests.conftest import DONNEES
from tests.filtrage import admettre, ecarter

VALIDE = DONNEES / "formats" / "valide.xlsx"


CRITERES = ("pertinence", "coherence", "qualite-dossier", "structurant", "capacite", "visibilite")


@pytest.fixture
def demandes(moteur, appel):
    """Les trois demandes de valide.xlsx : T-001 (20 000 $), T-002 (conjoint, 30 000 $ par
    an), T-003 (18 000,50 $), jugées admissibles ; {numéro: identifiant}."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


def _soumettre(appel, moteur, demande_id, evaluateur, notes, admissible=True, raison=""):
    if not isinstance(notes, list):
        notes = [notes] * len(CRITERES)
    saisie = Saisie(
        notes=dict(zip(CRITERES, notes, strict=True)),
        admissible=admissible,
        raison_inadmissibilite=raison,
    )
    evaluations.enregistrer(appel, demande_id, evaluateur, saisie, SOUMISE, moteur=moteur)


@pytest.fixture
def campagne(moteur, appel, demandes):
    """T-001 : 8 et 7 (75) ; T-002 : 9 et 6 (75, conjoint) ; T-003 : 5, 6 et 10, puis jugée
    inadmissible par l'analyste (« hors programme ») : les jugements des évaluateurs e1 et
    e3 n'y comptent pour rien ; un brouillon de e4 sur T-001."""
    t1, t2, t3 = demandes["T-001"], demandes["T-002"], demandes["T-003"]
    _soumettre(appel, moteur, t1, "e1@x.ca", 8.0)
    _soumettre(appel, moteur, t1, "e2@x.ca", 7.0)
    _soumettre(appel, moteur, t2, "e1@x.ca", 9.0)
    _soumettre(appel, moteur, t2, "e2@x.ca", 6.0)
    _soumettre(appel, moteur, t3, "e1@x.ca", 5.0, False, "hors programme")
    _soumettre(appel, moteur, t3, "e2@x.ca", 6.0)
    _soumettre(appel, moteur, t3, "e3@x.ca", 10.0, False, "déjà financé")
    brouillon = Saisie(notes={"pertinence": 0.0}, admissible=False, raison_inadmissibilite="x")
    evaluations.enregistrer(appel, t1, "e4@x.ca", brouillon, BROUILLON, moteur=moteur)
    ecarter(moteur, appel, t3, "hors programme", "objectifs-concrets")
    return demandes
