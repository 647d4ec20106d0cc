"""Fixtures partagées des tests de la décision : les trois demandes de valide.xlsx en base,
jugées admissibles par l'analyste, et une campagne d'évaluations soumises sur elles."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

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


LOGISTIQUE = ("logistique", "Frais d'organisation logistique")
VISAS = ("visas", "Frais de visas")


def ajouter_depenses(
    moteur, appel, demande_id: int, par_annee: dict[int, int], categorie=LOGISTIQUE
) -> None:
    """Ajoute à une demande importée une ligne de budget par année de `par_annee` (année →
    montant en cents) dans `categorie` (identifiant de l'appel, libellé déclaré ; par défaut
    la logistique, admissible), ses autres lignes gardées : pour un test qui recommande ou
    accorde plus que le budget admissible que valide.xlsx lui donne (T-001 : 20 000 $ en
    année 1, rien en année 2)."""
    with stockage.ecriture(moteur) as c:
        table = stockage.lignes_budget
        gardees = [
            {k: v for k, v in ligne.items() if k not in {"id", "demande_id"}}
            for ligne in c.execute(
                sa.select(table).where(table.c.demande_id == demande_id).order_by(table.c.id)
            ).mappings()
        ]
        # Toutes les lignes écrites ensemble portent les mêmes clés.
        ajoutees = [
            {
                "colonnes_supplementaires": None,
                "source_fichier": None,
                "source_ligne": None,
                "annee": annee,
                "categorie": categorie[1],
                "categorie_id": categorie[0],
                "admissible": True,
                "description": "Ajoutée par le test",
                "montant": montant,
            }
            for annee, montant in par_annee.items()
        ]
        stockage.remplacer_lignes_budget({demande_id: gardees + ajoutees}, connexion=c)


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
