"""L'évaluation à l'aveugle tient : un évaluateur qui a vu les notes des autres puis change
ses notes soumises est refusé, ou signalé à la présidence, selon le réglage du comité."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from evaluation.appels.configuration import ErreurAppel, appel_depuis_toml
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations, suivi
from evaluation.notes.saisie import (
    BROUILLON,
    OBJET_APRES_CONSULTATION,
    OBJET_CONSULTATION,
    SOUMISE,
    EvaluationRefusee,
    Saisie,
)
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.roles import EVALUATEUR
from tests.conftest import DONNEES
from tests.filtrage import admettre

EVA = "eva@exemple.qc.ca"
LUNDI = dt.datetime(2026, 11, 30, 9, 5)


@pytest.fixture
def base(moteur, appel):
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    creer_compte(EVA, EVALUATEUR, "une phrase de passe assez longue 2026", moteur=moteur)
    with moteur.connect() as c:
        ids = [int(i) for i in stockage.lire_demandes(appel.id, connexion=c)["id"]]
    return moteur, ids


def _saisie(appel, note, commentaire="", admissible=True):
    return Saisie(
        notes={c.id: note for c in appel.criteres},
        commentaire_global=commentaire,
        admissible=admissible,
    )


def _soumise_puis_consultee(appel, moteur, d):
    evaluations.enregistrer(appel, d, EVA, _saisie(appel, 3), SOUMISE, moteur=moteur)
    assert evaluations.noter_consultation(appel, d, EVA, moteur=moteur, maintenant=LUNDI)


def _journal(moteur, d, objet):
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, demande_id=d, objets=[objet])
    return j["nouveau"].tolist()


def test_reglage_par_defaut_signaler(appel):
    assert appel.apres_consultation == "signaler"
    refus = appel.source_toml.replace(
        'apres_consultation = "signaler"', 'apres_consultation = "refuser"'
    )
    assert appel_depuis_toml(refus, "t").apres_consultation == "refuser"
    with pytest.raises(ErreurAppel, match="apres_consultation = « parfois » inconnu"):
        appel_depuis_toml(
            appel.source_toml.replace(
                'apres_consultation = "signaler"', 'apres_consultation = "parfois"'
            ),
            "t",
        )


def test_consultation_inscrite_une_fois(base, appel):
    moteur, ids = base
    d = ids[0]
    evaluations.enregistrer(appel, d, EVA, _saisie(appel, 3), SOUMISE, moteur=moteur)
    with moteur.connect() as c:
        versions = stockage.versions_donnees(connexion=c)
    assert evaluations.noter_consultation(appel, d, EVA, moteur=moteur, maintenant=LUNDI)
    assert not evaluations.noter_consultation(appel, d, EVA, moteur=moteur)
    with moteur.connect() as c:
        # Rien qu'une page garde sous une version : aucun calcul gardé n'est à refaire.
        assert stockage.versions_donnees(connexion=c) == versions
        assert stockage.lire_consultation(d, EVA, connexion=c) == LUNDI
        assert stockage.lire_consultation(ids[1], EVA, connexion=c) is None
    assert _journal(moteur, d, OBJET_CONSULTATION) == ["notes des autres évaluateurs affichées"]


def test_note_changee_apres_consultation_signalee(base, appel):
    """3 → 10 après avoir vu les autres : permis, journalisé, l'évaluation porte la marque."""
    moteur, ids = base
    d = ids[0]
    _soumise_puis_consultee(appel, moteur, d)
    evaluations.enregistrer(appel, d, EVA, _saisie(appel, 10), SOUMISE, moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_evaluations(appel.id, connexion=c)
    marquee = table.set_index("demande_id")["modifiee_apres_consultation"]
    assert bool(marquee[d]) is True
    (changement,) = _journal(moteur, d, OBJET_APRES_CONSULTATION)
    premier = appel.criteres[0]
    assert f"Note · {premier.libelle} 3 → 10" in changement
    numeros = {d: "T-001"}
    vue = suivi.modifiees_apres_consultation(
        _journal_complet(moteur, d), numeros, {EVA: "Éva Luatrice"}
    )
    assert vue.iloc[0]["Demande"] == "T-001" and vue.iloc[0]["Évaluateur"] == "Éva Luatrice"
    assert "3 → 10" in vue.iloc[0]["Changement"]


def _journal_complet(moteur, d):
    with moteur.connect() as c:
        return stockage.lire_journal(connexion=c, demande_id=d, objets=[OBJET_APRES_CONSULTATION])


def test_note_changee_apres_consultation_refusee_si_le_comite_le_veut(base, appel):
    moteur, ids = base
    d = ids[0]
    strict = dataclasses.replace(appel, apres_consultation="refuser")
    _soumise_puis_consultee(strict, moteur, d)
    with pytest.raises(EvaluationRefusee, match="vous avez vu les notes des autres évaluateurs"):
        evaluations.enregistrer(strict, d, EVA, _saisie(strict, 10), SOUMISE, moteur=moteur)
    with pytest.raises(
        EvaluationRefusee, match=r"votre jugement d.admissibilité et votre soumission ne changent"
    ):
        evaluations.enregistrer(
            strict,
            d,
            EVA,
            Saisie(
                notes={c.id: 3 for c in strict.criteres},
                admissible=False,
                raison_inadmissibilite="hors programme",
            ),
            SOUMISE,
            moteur=moteur,
        )
    assert evaluations.lire(d, EVA, moteur=moteur)[1].notes[strict.criteres[0].id] == 3
    # Un commentaire se précise encore (une grille le fait sans rouvrir).
    evaluations.enregistrer(
        strict, d, EVA, _saisie(strict, 3, "Précision du budget"), SOUMISE, moteur=moteur
    )
    statut, saisie = evaluations.lire(d, EVA, moteur=moteur)
    assert (statut, saisie.commentaire_global) == (SOUMISE, "Précision du budget")
    assert _journal(moteur, d, OBJET_APRES_CONSULTATION) == []


def test_sans_consultation_ou_avant_soumission_rien_a_signaler(base, appel):
    """Un brouillon jamais soumis, ou une évaluation soumise dont l'auteur n'a rien vu,
    change librement."""
    moteur, ids = base
    evaluations.enregistrer(appel, ids[0], EVA, _saisie(appel, 3), BROUILLON, moteur=moteur)
    evaluations.noter_consultation(appel, ids[0], EVA, moteur=moteur)
    evaluations.enregistrer(appel, ids[0], EVA, _saisie(appel, 9), SOUMISE, moteur=moteur)
    evaluations.enregistrer(appel, ids[1], EVA, _saisie(appel, 3), SOUMISE, moteur=moteur)
    evaluations.enregistrer(appel, ids[1], EVA, _saisie(appel, 9), SOUMISE, moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_evaluations(appel.id, connexion=c)
    assert not table["modifiee_apres_consultation"].astype(bool).any()
    assert _journal(moteur, ids[0], OBJET_APRES_CONSULTATION) == []


def _soumise_et_consultee(appel, moteur, d, note=2):
    evaluations.enregistrer(appel, d, EVA, _saisie(appel, note), SOUMISE, moteur=moteur)
    evaluations.noter_consultation(appel, d, EVA, moteur=moteur)


def _stocker(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)


def test_rouvrir_apres_consultation_refuse_si_le_comite_le_veut(base, appel):
    """Rouvrir retire la note du calcul (seules les soumises comptent) : après avoir vu les
    autres, c'est changer son évaluation."""
    moteur, ids = base
    strict = dataclasses.replace(appel, apres_consultation="refuser")
    _soumise_et_consultee(strict, moteur, ids[0])
    with pytest.raises(EvaluationRefusee, match="votre soumission ne changent plus"):
        evaluations.enregistrer(strict, ids[0], EVA, _saisie(strict, 2), BROUILLON, moteur=moteur)
    assert evaluations.lire(ids[0], EVA, moteur=moteur)[0] == SOUMISE


def test_rouvrir_apres_consultation_signale(base, appel):
    moteur, ids = base
    _soumise_et_consultee(appel, moteur, ids[0])
    evaluations.enregistrer(appel, ids[0], EVA, _saisie(appel, 2), BROUILLON, moteur=moteur)
    (changement,) = _journal(moteur, ids[0], OBJET_APRES_CONSULTATION)
    assert "Statut de l'évaluation soumise → brouillon" in changement


def test_conflit_declare_apres_consultation(base, appel):
    """Se déclarer en conflit après avoir vu les autres retire sa note : refusé ou signalé
    comme tout autre changement ; l'administration, elle, peut toujours l'inscrire."""
    from evaluation.notes import attributions, repartition

    moteur, ids = base
    strict = appel_depuis_toml(
        appel.source_toml.replace(
            'apres_consultation = "signaler"', 'apres_consultation = "refuser"'
        ),
        "t",
    )
    _stocker(moteur, strict)
    _soumise_et_consultee(strict, moteur, ids[0])
    with pytest.raises(repartition.ErreurAttribution, match="retirerait votre note du calcul"):
        attributions.declarer_conflit(strict.id, ids[0], EVA, "voisin", moteur=moteur, auteur=EVA)
    attributions.declarer_conflit(
        strict.id, ids[0], EVA, "voisin", moteur=moteur, auteur="admin@exemple.ca"
    )

    _stocker(moteur, appel)
    _soumise_et_consultee(appel, moteur, ids[1])
    attributions.declarer_conflit(appel.id, ids[1], EVA, "parent", moteur=moteur, auteur=EVA)
    with moteur.connect() as c:
        table = stockage.lire_evaluations(appel.id, connexion=c).set_index("demande_id")
    assert bool(table.loc[ids[1], "modifiee_apres_consultation"])
    (changement,) = _journal(moteur, ids[1], OBJET_APRES_CONSULTATION)
    assert changement == "conflit d'intérêts déclaré après consultation (parent) : note retirée"
