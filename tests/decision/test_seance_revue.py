"""Séance et comité (issue 16), revue extérieure : le quorum vaut pour chaque chemin de
décision (Classement sans présents passés, scénario adopté), la conduite de la séance est
refusée hors présidence, deux présidences ne se marchent pas dessus, la recherche résiste
aux saisies hostiles."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from evaluation.decision import conduite, decisions, seance
from evaluation.decision.financement import REFUSE, ErreurFinancement
from evaluation.decision.seance import ErreurSeance
from evaluation.socle.roles import MEMBRE, OBSERVATEUR, PRESIDENT
from tests.decision.test_decisions import _scenario

PRES, MEMB, OBS = "pres@x.ca", "membre@x.ca", "obs@x.ca"
T = dt.datetime(2026, 11, 30, 9, 0)


@pytest.fixture
def moteur(moteur_sqlite):  # léger : SQLite seulement
    return moteur_sqlite


def _ouvrir(appel, moteur, presents=(), sans_compte=()):
    return conduite.ouvrir(
        appel,
        moteur=moteur,
        auteur=PRES,
        role=PRESIDENT,
        ordre="rang",
        presents=list(presents),
        sans_compte=list(sans_compte),
        maintenant=T,
    )


# --- Quorum : contournements ----------------------------------------------------------------


def test_quorum_lu_dans_la_seance_quand_les_presents_ne_sont_pas_donnes(moteur, appel, demandes):
    """Séance ouverte, quorum 3, une seule personne présente : une décision venue sans
    `presents` (page Classement) est refusée, le domaine lisant les présents de la séance."""
    a = replace(appel, quorum=3)
    _ouvrir(a, moteur, presents=[PRES])
    with pytest.raises(ErreurFinancement, match="quorum"):
        decisions.enregistrer_decision(
            a, demandes["T-001"], REFUSE, (), "x", moteur=moteur, auteur=PRES
        )


def test_quorum_exige_pour_adopter_un_scenario(moteur, appel, demandes):
    """Même séance sans quorum : adopter un scénario (Portefeuille), qui décide toutes les
    classées d'un coup, est refusé."""
    a = replace(appel, quorum=3)
    _ouvrir(a, moteur, presents=[PRES])
    with pytest.raises(ErreurFinancement, match="quorum"):
        decisions.adopter_scenario(
            a,
            _scenario(demandes),
            np.array([True, True, False]),
            "essai",
            moteur=moteur,
            auteur=PRES,
        )


# --- Conflit déclaré après une décision ---------------------------------------------------


# --- Conflit : conduite de l'ordre du jour -----------------------------------------------


# --- Ce qui tient (attendus vérifiés) ------------------------------------------------------


@pytest.mark.parametrize("role", [MEMBRE, OBSERVATEUR, None, "evaluateur"])
def test_conduite_refusee_hors_presidence(moteur, appel, demandes, role):
    sid = _ouvrir(appel, moteur)
    for appelle in (
        lambda: conduite.aller_a(
            appel, sid, demandes["T-001"], moteur=moteur, auteur=MEMB, role=role
        ),
        lambda: conduite.choisir_ordre(appel, sid, "axe", moteur=moteur, auteur=MEMB, role=role),
        lambda: conduite.trier(
            appel, sid, [demandes["T-001"]], moteur=moteur, auteur=MEMB, role=role
        ),
        lambda: conduite.fermer(appel, sid, moteur=moteur, auteur=MEMB, role=role),
        lambda: conduite.ajouter_presents(
            appel, sid, moteur=moteur, auteur=MEMB, role=role, presents=["z"]
        ),
        lambda: _ouvrir_autre(appel, moteur, role),
    ):
        with pytest.raises(ErreurSeance):
            appelle()


def _ouvrir_autre(appel, moteur, role):
    return conduite.ouvrir(appel, moteur=moteur, auteur=MEMB, role=role, ordre="rang")


def test_observateur_ne_ramene_pas(moteur, appel, demandes):
    sid = _ouvrir(appel, moteur)
    conduite.trier(appel, sid, [demandes["T-001"]], moteur=moteur, auteur=PRES, role=PRESIDENT)
    with pytest.raises(ErreurSeance):
        conduite.ramener(appel, sid, demandes["T-001"], moteur=moteur, auteur=OBS, role=OBSERVATEUR)


def test_deux_presidences_version(moteur, appel, demandes):
    sid = _ouvrir(appel, moteur)
    v = conduite.seance_ouverte(appel.id, moteur=moteur).version
    conduite.aller_a(
        appel,
        sid,
        demandes["T-001"],
        moteur=moteur,
        auteur=PRES,
        role=PRESIDENT,
        version_attendue=v,
    )
    with pytest.raises(conduite.SeancePerimee):
        conduite.aller_a(
            appel,
            sid,
            demandes["T-002"],
            moteur=moteur,
            auteur="admin@x.ca",
            role=PRESIDENT,
            version_attendue=v,
        )
    with pytest.raises(conduite.SeancePerimee):
        conduite.choisir_ordre(
            appel,
            sid,
            "axe",
            moteur=moteur,
            auteur="admin@x.ca",
            role=PRESIDENT,
            version_attendue=v,
        )


# --- « Discutées » ------------------------------------------------------------------------


# --- Recherche -----------------------------------------------------------------------------


def _table():
    return pd.DataFrame(
        {
            "demande_id": [1, 2, 3],
            "no_demande": ["T-001", "T-002", "T-010"],
            "titre": ["Jumelage", None, "Accueil (été) [x]"],
            "municipalite": ["Rimouski", float("nan"), "Saint-Jérôme"],
        }
    )


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("nan", []),  # un titre manquant ne devient pas « nan »
        ("none", []),
        ("T-001", [1]),
        ("t 001", [1]),
        ("st-jerome", []),  # pas d'équivalence St / Saint, acceptable
        ("saint jerome", [3]),
        ("(été) [", [3]),
        (".*", []),
        ("", []),
        ("   ", []),
        ("a" * 100_000, []),
    ],
)
def test_chercher(texte, attendu):
    assert seance.chercher(_table(), texte) == attendu
