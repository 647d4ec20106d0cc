"""Règles de saisie d'une évaluation : notes, admissibilité, textes, total pondéré, sans base."""

import pytest

from evaluation.notes.saisie import (
    BROUILLON,
    SOUMISE,
    Saisie,
    problemes_saisie,
    total_pondere,
)
from tests.notes.test_evaluations import _complete


@pytest.mark.parametrize(
    ("notes", "statut", "message"),
    [
        ({"pertinence": 11.0}, BROUILLON, "hors de l'échelle"),
        ({"pertinence": 7.3}, BROUILLON, "multiple de 0,5"),
        ({"inconnu": 5.0}, BROUILLON, "critère « inconnu » inconnu"),
        ({"pertinence": 5.0}, SOUMISE, "note manquante pour"),
        ({}, "archivee", "statut « archivee » inconnu"),
    ],
)
def test_saisie_refusee(appel, notes, statut, message):
    problemes = problemes_saisie(Saisie(notes=notes), appel, statut)
    assert any(message in p for p in problemes), problemes


def test_inadmissible_sans_raison(appel):
    saisie = _complete(appel)
    saisie.admissible = False
    assert problemes_saisie(saisie, appel, SOUMISE) == [
        "une demande jugée inadmissible demande une raison."
    ]
    saisie.raison_inadmissibilite = "autre programme gouvernemental"
    assert problemes_saisie(saisie, appel, SOUMISE) == []


def test_total_pondere(appel):
    assert total_pondere(_complete(appel, 10.0).notes, appel) == pytest.approx(100)
    notes = {c.id: 5.0 for c in appel.criteres} | {"pertinence": 10.0}
    assert total_pondere(notes, appel) == pytest.approx(62.5)
    assert total_pondere({"pertinence": 5.0}, appel) is None


def _complete_avec_admissibilite(appel) -> Saisie:
    saisie = _complete(appel)
    saisie.admissibilite = {c.id: True for c in appel.conditions}
    return saisie


def test_admissibilite_exigee_a_la_soumission(appel):
    saisie = _complete(appel)
    saisie.admissible = None
    saisie.admissibilite = {"dossier-complet": True, "aucun-autre-financement": False}
    restantes = [
        c.libelle
        for c in appel.conditions
        if c.id not in ("dossier-complet", "aucun-autre-financement")
    ]
    # Les dix conditions de l'appel livré (dont le dépôt à temps et les phrases de l'appel
    # ajoutées par l'issue 15), moins les deux répondues.
    assert len(restantes) == 8
    assert problemes_saisie(saisie, appel, SOUMISE, exiger_admissibilite=True) == [
        "admissibilité à confirmer : " + " ; ".join(restantes) + ".",
        "dites si la demande est admissible.",
    ]
    # Sans l'exiger (grille hors ligne), ou pour un brouillon : rien à redire.
    assert problemes_saisie(saisie, appel, SOUMISE) == []
    assert problemes_saisie(saisie, appel, BROUILLON, exiger_admissibilite=True) == []


def test_admissibilite_complete_acceptee(appel):
    saisie = _complete_avec_admissibilite(appel)
    assert problemes_saisie(saisie, appel, SOUMISE, exiger_admissibilite=True) == []
    # « Non » est une réponse : seule l'absence de réponse est signalée.
    saisie.admissibilite = {c.id: False for c in appel.conditions}
    saisie.admissible = False
    saisie.raison_inadmissibilite = "dossier incomplet"
    assert problemes_saisie(saisie, appel, SOUMISE, exiger_admissibilite=True) == []
    saisie.admissibilite["budget-detaille"] = None
    assert problemes_saisie(saisie, appel, SOUMISE, exiger_admissibilite=True) == [
        "admissibilité à confirmer : Le projet comporte un budget détaillé."
    ]


def test_texte_saisi_trop_long_refuse(appel):
    """Un collage de 30 Mo dans un commentaire alourdirait la base, le journal et chaque
    page : 10 000 caractères au plus par commentaire, raison ou justification."""
    from evaluation.notes.saisie import Saisie, problemes_saisie
    from evaluation.socle.texte import SAISIE_MAX

    critere = appel.criteres[0]
    juste = Saisie(commentaires={critere.id: "x" * SAISIE_MAX}, commentaire_global="y" * SAISIE_MAX)
    assert problemes_saisie(juste, appel, "brouillon") == []
    trop = Saisie(commentaires={critere.id: "x" * (SAISIE_MAX + 1)})
    (probleme,) = problemes_saisie(trop, appel, "brouillon")
    assert probleme.startswith(f"commentaire « {critere.libelle} » : 10001 caractères")
    assert "10000 au plus" in probleme
    (probleme,) = problemes_saisie(
        Saisie(commentaire_global="z" * (SAISIE_MAX + 1)), appel, "brouillon"
    )
    assert probleme.startswith("commentaire global")
