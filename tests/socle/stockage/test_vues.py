"""Les lectures restreintes (stockage/vues.py) rendent ce que les lectures complètes rendent,
filtré : un évaluateur, une demande, les notes en colonnes ; les demandes retirées n'y
sont pas. Sur SQLite et PostgreSQL."""

import datetime as dt

import pandas as pd
import pytest

from evaluation.socle import stockage
from tests.socle.stockage.conftest import _demande

T = dt.datetime(2026, 11, 24, 9, 0)


def _evaluation(appel_id, demande_id, evaluateur, statut, version=1):
    return {
        "appel_id": appel_id,
        "demande_id": demande_id,
        "evaluateur": evaluateur,
        "statut": statut,
        "version": version,
        "cree_le": T,
        "modifie_le": T,
    }


@pytest.fixture
def base(moteur, appel):
    """A-1, A-2, A-3 (A-3 retirée) ; eva et luc notent ; attributions et conflits.

    Notes d'eva : A-1 soumise complète (6 critères), A-2 soumise sans « visibilite » et
    avec « capacite » vide, A-3 soumise (retirée). Luc : A-1 en brouillon, une note. Zoé :
    A-2 en brouillon, sans note."""
    criteres = [c.id for c in appel.criteres]
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        ids = stockage.inserer_demandes(
            appel.id,
            [_demande("A-2", titre="Deux"), _demande("A-1", titre="Un"), _demande("A-3")],
            connexion=c,
        )
        stockage.marquer_retrait(ids["A-3"], {"retiree_le": T, "retiree_par": "x"}, connexion=c)
        lignes = [
            _evaluation(appel.id, ids["A-1"], "eva", "soumise"),
            _evaluation(appel.id, ids["A-2"], "eva", "soumise"),
            _evaluation(appel.id, ids["A-3"], "eva", "soumise"),
            _evaluation(appel.id, ids["A-1"], "luc", "brouillon"),
            _evaluation(appel.id, ids["A-2"], "zoe", "brouillon"),  # sans aucune note
        ]
        notes = [(ids["A-1"], "eva", k, float(i)) for i, k in enumerate(criteres)]
        notes += [(ids["A-2"], "eva", k, 5.0) for k in criteres[:-1] if k != "capacite"]
        notes += [(ids["A-2"], "eva", "capacite", None)]
        notes += [(ids["A-3"], "eva", k, 9.0) for k in criteres]
        notes += [(ids["A-1"], "luc", criteres[0], 2.5)]
        stockage.inserer_evaluations_en_masse(lignes, notes, connexion=c)
        stockage.ajouter_attributions(
            [
                {"appel_id": appel.id, "demande_id": d, "evaluateur": e, "date": T, "auteur": "a"}
                for d, e in [(ids["A-1"], "eva"), (ids["A-2"], "luc"), (ids["A-3"], "eva")]
            ],
            connexion=c,
        )
        for d, e in [(ids["A-2"], "eva"), (ids["A-1"], "luc")]:
            stockage.ajouter_conflit(
                {
                    "appel_id": appel.id,
                    "demande_id": d,
                    "evaluateur": e,
                    "raison": "lien",
                    "date": T,
                    "auteur": e,
                },
                connexion=c,
            )
    return ids


def test_demandes_en_bref(moteur, appel, base):
    with moteur.connect() as c:
        bref = stockage.lire_demandes_en_bref(appel.id, ["id", "no_demande", "titre"], connexion=c)
        complet = stockage.lire_demandes(appel.id, connexion=c)
    assert list(bref.columns) == ["id", "no_demande", "titre"]
    assert list(bref["no_demande"]) == ["A-1", "A-2"]  # dans l'ordre, sans la retirée
    assert list(bref["titre"]) == ["Un", "Deux"]
    assert list(bref["id"]) == list(complet["id"])


def test_evaluations_en_bref(moteur, appel, base):
    with moteur.connect() as c:
        toutes = stockage.lire_evaluations_en_bref(appel.id, connexion=c)
        eva = stockage.lire_evaluations_en_bref(appel.id, connexion=c, evaluateur="eva")
    assert list(toutes.columns) == stockage.COLONNES_EVALUATION_EN_BREF
    assert sorted(zip(toutes["demande_id"], toutes["evaluateur"], strict=True)) == sorted(
        [(base["A-1"], "eva"), (base["A-2"], "eva"), (base["A-1"], "luc"), (base["A-2"], "zoe")]
    )
    assert set(eva["evaluateur"]) == {"eva"} and len(eva) == 2
    assert pd.Timestamp(eva["modifie_le"].iloc[0]) == pd.Timestamp(T)


def test_attributions_et_conflits_d_un_evaluateur(moteur, appel, base):
    with moteur.connect() as c:
        assert stockage.lire_attributions_de(appel.id, "eva", connexion=c) == [base["A-1"]]
        assert stockage.lire_attributions_de(appel.id, "luc", connexion=c) == [base["A-2"]]
        assert stockage.lire_attributions_de(appel.id, "personne", connexion=c) == []
        (conflit,) = stockage.lire_conflits_de(appel.id, "eva", connexion=c)
        assert stockage.lire_conflits_de("autre-appel", "eva", connexion=c) == []
    assert (conflit["demande_id"], conflit["raison"]) == (base["A-2"], "lien")


def test_notes_d_une_demande(moteur, appel, base):
    with moteur.connect() as c:
        a1 = stockage.lire_notes_de_la_demande(base["A-1"], connexion=c)
        complet = stockage.lire_notes(appel.id, connexion=c)
    attendu = complet[complet["no_demande"] == "A-1"]
    assert sorted(zip(a1["evaluateur"], a1["critere"], a1["note"], a1["statut"], strict=True)) == (
        sorted(
            zip(
                attendu["evaluateur"],
                attendu["critere"],
                attendu["note"],
                attendu["statut"],
                strict=True,
            )
        )
    )
    assert len(a1) == len(appel.criteres) + 1


def test_notes_en_colonnes(moteur, appel, base):
    criteres = [c.id for c in appel.criteres]
    with moteur.connect() as c:
        soumises = stockage.lire_notes_en_colonnes(
            appel.id, criteres, connexion=c, statut="soumise"
        )
        brouillons = stockage.lire_notes_en_colonnes(
            appel.id, criteres, connexion=c, statut="brouillon"
        )
    assert list(soumises.columns) == ["demande_id", "evaluateur", "statut", *criteres]
    par_demande = soumises.set_index("demande_id")
    assert sorted(par_demande.index) == sorted([base["A-1"], base["A-2"]])  # A-3 retirée
    assert list(par_demande.loc[base["A-1"], criteres]) == [float(i) for i in range(6)]
    a2 = par_demande.loc[base["A-2"]]
    assert pd.isna(a2["capacite"]) and pd.isna(a2["visibilite"]) and a2["pertinence"] == 5.0
    brouillons = brouillons.set_index("evaluateur")
    assert sorted(brouillons.index) == ["luc", "zoe"] and set(brouillons["statut"]) == {"brouillon"}
    assert brouillons.loc["luc", criteres[0]] == 2.5
    assert brouillons.loc["luc", criteres[1:]].isna().all()
    assert brouillons.loc["zoe", criteres].isna().all()
    with moteur.connect() as c:
        toutes = stockage.lire_notes_en_colonnes(appel.id, criteres, connexion=c)
    assert sorted(zip(toutes["evaluateur"], toutes["statut"], strict=True)) == [
        ("eva", "soumise"),
        ("eva", "soumise"),
        ("luc", "brouillon"),
        ("zoe", "brouillon"),
    ]


def test_est_attribuee(moteur, appel, base):
    with moteur.connect() as c:
        assert stockage.est_attribuee(base["A-1"], "eva", connexion=c)
        assert stockage.est_attribuee(base["A-2"], "luc", connexion=c)
        assert not stockage.est_attribuee(base["A-2"], "eva", connexion=c)
        assert not stockage.est_attribuee(base["A-1"], "luc", connexion=c)


def test_evaluations_d_un_evaluateur_avec_leurs_notes(moteur, appel, base):
    with moteur.connect() as c:
        lues = stockage.lire_evaluations_de(appel.id, "eva", connexion=c)
        une_a_une = [stockage.lire_evaluation(d, "eva", connexion=c) for d in base.values()]
        assert stockage.lire_evaluations_de(appel.id, "personne", connexion=c) == []
    assert sorted(lues, key=lambda e: e["id"]) == sorted(une_a_une, key=lambda e: e["id"])
    assert {len(e["notes"]) for e in lues} == {len(appel.criteres), len(appel.criteres) - 1}
