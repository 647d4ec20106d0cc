"""L'examen d'admissibilité, les règles (evaluation/notes/filtrage.py) : verdict, raisons,
réponses pré-remplies d'après le fichier, refus de notation."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from evaluation.depot import echeance
from evaluation.notes import filtrage
from evaluation.notes.filtrage import (
    A_ETABLIR,
    A_VERIFIER,
    ADMISSIBLE,
    INADMISSIBLE,
    NON,
    OUI,
    Etat,
    Reponse,
)


def _reponses(appel, **exceptions) -> dict[str, Reponse]:
    """Chaque condition « oui », sauf `exceptions` (id avec _ au lieu de -)."""
    reponses = {c.id: Reponse(OUI) for c in appel.conditions}
    for cle, r in exceptions.items():
        reponses[cle.replace("_", "-")] = r
    return reponses


@pytest.mark.parametrize(
    ("exceptions", "attendu"),
    [
        pytest.param({}, ADMISSIBLE, id="tout-oui"),
        pytest.param(
            {"aucun_autre_financement": Reponse(NON, "PAFIRS 2024")},
            INADMISSIBLE,
            id="autre-programme",
        ),
        pytest.param(
            {"citoyens_residents": Reponse(NON, "porteur résidant en France")},
            INADMISSIBLE,
            id="citoyens-residents",
        ),
        pytest.param(
            {"partenaire_quebecois": Reponse(NON, "versement demandé au partenaire belge")},
            INADMISSIBLE,
            id="partenaire-quebecois",
        ),
        pytest.param({"entite_municipale": Reponse(A_VERIFIER)}, A_ETABLIR, id="a-verifier"),
        pytest.param(
            {"dossier_complet": Reponse(NON, "budget absent"), "budget_detaille": Reponse()},
            INADMISSIBLE,
            id="non-l-emporte-sur-a-verifier",
        ),
    ],
)
def test_verdict(appel, exceptions, attendu):
    """« Pour être admissibles, les projets doivent : faire l'objet d'un dossier complet […] ;
    ne pas recevoir de financement d'un autre programme gouvernemental […] » ; « Pour
    obtenir un soutien financier, les projets doivent être présentés par des citoyens
    canadiens ou des résidents permanents du Canada vivant au Québec. » ; « L'appui
    financier sera accordé au partenaire québécois du projet exclusivement. » : un seul
    « non » rend la demande inadmissible ; toutes « oui », admissible ; sinon à établir."""
    assert filtrage.verdict(_reponses(appel, **exceptions), appel) == attendu


def test_condition_sans_reponse_reste_a_etablir(appel):
    reponses = _reponses(appel)
    del reponses["partenaire-quebecois"]
    assert filtrage.verdict(reponses, appel) == A_ETABLIR
    assert filtrage.a_verifier(reponses, appel) == [
        "L'appui financier est versé au partenaire québécois du projet, exclusivement"
    ]


@pytest.mark.parametrize(
    ("reponse", "probleme"),
    [
        pytest.param(
            Reponse(NON, ""), "dites pourquoi la réponse est « non »", id="non-sans-raison"
        ),
        pytest.param(Reponse(NON, "   "), "dites pourquoi", id="non-raison-blanche"),
        pytest.param(Reponse("peut-être"), "réponse « peut-être » inconnue", id="inconnue"),
        pytest.param(Reponse(NON, "x" * 20_001), "caractères", id="raison-trop-longue"),
    ],
)
def test_problemes_examen(appel, reponse, probleme):
    """Une raison pour chaque « non » (issue 15 : « with a reason for every non »)."""
    problemes = filtrage.problemes_examen(_reponses(appel, dossier_complet=reponse), appel)
    assert len(problemes) == 1 and probleme in problemes[0]
    assert "Le dossier était complet lors du dépôt" in problemes[0]


def test_examen_complet_sans_probleme(appel):
    assert filtrage.problemes_examen(_reponses(appel), appel) == []
    assert filtrage.problemes_examen(_reponses(appel, dossier_complet=Reponse()), appel) == []
    assert filtrage.problemes_examen({"inventee": Reponse(OUI)}, appel) == [
        "condition « inventee » inconnue de la liste de l'appel."
    ]


def test_raisons_dans_l_ordre_de_la_liste(appel):
    reponses = _reponses(
        appel,
        partenaire_quebecois=Reponse(NON, "partenaire belge"),
        dossier_complet=Reponse(NON, " budget absent "),
    )
    assert filtrage.raisons(reponses, appel) == (
        "Le dossier était complet lors du dépôt : budget absent ; L'appui financier est "
        "versé au partenaire québécois du projet, exclusivement : partenaire belge"
    )


@pytest.mark.parametrize(
    ("demande", "condition", "attendu"),
    [
        pytest.param({"dossier_complet": True}, "dossier-complet", OUI, id="dossier-complet"),
        pytest.param({"dossier_complet": False}, "dossier-complet", NON, id="dossier-incomplet"),
        pytest.param(
            {"autre_financement_gouvernemental": True}, "aucun-autre-financement", NON, id="autre"
        ),
        pytest.param({}, "dossier-complet", A_VERIFIER, id="fichier-muet"),
        pytest.param({"municipalite": "MRC de Coaticook"}, "entite-municipale", OUI, id="mrc"),
        pytest.param({"municipalite": "Régie X"}, "entite-municipale", A_VERIFIER, id="regie"),
        pytest.param({"dossier_complet": True}, "citoyens-residents", A_VERIFIER, id="sans-champ"),
    ],
)
def test_reponses_suggerees(appel, demande, condition, attendu):
    """Pré-remplie d'après les champs importés (`champ`, `attendu`) ; un « non » suggéré
    porte sa raison, pour que l'examen s'enregistre tel quel."""
    r = filtrage.reponses_suggerees(demande, appel)[condition]
    assert r.reponse == attendu
    assert bool(r.raison) == (attendu == NON)


@pytest.mark.parametrize(
    ("etat", "refus"),
    [
        pytest.param(Etat(ADMISSIBLE), None, id="admissible"),
        pytest.param(Etat(INADMISSIBLE, "hors programme"), "jugée inadmissible", id="inadmissible"),
        pytest.param(filtrage.NON_EXAMINEE, "pas encore établie", id="non-examinee"),
        pytest.param(Etat(A_ETABLIR), "pas encore établie", id="a-etablir"),
    ],
)
def test_seule_une_demande_admissible_se_note(etat, refus):
    """Issue 15 : « Only screened-eligible applications are assigned and scored. »"""
    motif = filtrage.motif_refus_notation(etat)
    assert (motif is None) == (refus is None)
    if refus:
        assert refus in motif


def test_le_dernier_examen_compte():
    lignes = [
        {
            "id": 3,
            "demande_id": 1,
            "verdict": INADMISSIBLE,
            "raison": "r",
            "nature": "renversement",
        },
        {"id": 1, "demande_id": 1, "verdict": ADMISSIBLE, "raison": None, "nature": "examen"},
        {"id": 2, "demande_id": 2, "verdict": A_ETABLIR, "raison": None, "nature": "examen"},
    ]
    etats = filtrage.etats(lignes)
    assert etats[1].verdict == INADMISSIBLE and etats[1].nature == "renversement"
    assert etats[2].verdict == A_ETABLIR
    assert filtrage.admissibles(etats) == frozenset()
    assert filtrage.etat_de(etats, 9) is filtrage.NON_EXAMINEE


def test_reponses_aller_retour_json(appel):
    reponses = _reponses(appel, dossier_complet=Reponse(NON, "budget absent"))
    assert filtrage.reponses_depuis_json(filtrage.reponses_en_json(reponses)) == reponses


AUJOURD_HUI = dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("demande", "attendu", "raison"),
    [
        pytest.param({"date_depot": dt.date(2024, 2, 20)}, OUI, "", id="avant"),
        pytest.param({"date_depot": dt.date(2024, 3, 1)}, OUI, "", id="le-jour-meme"),
        pytest.param(
            {"date_depot": dt.date(2024, 3, 2)},
            NON,
            "déposée 1 jour après la date limite du 1er mars 2024",
            id="le-lendemain",
        ),
        pytest.param(
            {"date_depot": dt.date(2024, 3, 5)},
            NON,
            "déposée 4 jours après la date limite du 1er mars 2024",
            id="4-jours",
        ),
        pytest.param(
            {"date_depot": dt.date(2024, 3, 15), "date_depot_presumee": True},
            A_VERIFIER,
            "date de dépôt présumée",
            id="presumee",
        ),
        # Importée avant la date limite : la demande était déjà reçue, donc à temps.
        pytest.param(
            {"date_depot": dt.date(2024, 2, 15), "date_depot_presumee": True},
            OUI,
            "",
            id="presumee-avant",
        ),
        pytest.param({}, A_VERIFIER, "date de dépôt inconnue", id="inconnue"),
        pytest.param(
            {"date_depot": dt.date(2024, 7, 1)},
            A_VERIFIER,
            "postérieure à aujourd'hui",
            id="a-venir",
        ),
        pytest.param(
            {"date_depot": dt.date(2023, 3, 1)},
            A_VERIFIER,
            "plus d'un an avant la date limite",
            id="trop-tot",
        ),
    ],
)
def test_condition_du_depot_pre_remplie(appel, monkeypatch, demande, attendu, raison):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » (lu comme la date
    limite de dépôt, le 1er mars compris) : « oui » à temps, « non » en retard avec les jours,
    « à vérifier » avec sa raison quand la date est présumée, inconnue ou invraisemblable."""
    monkeypatch.setattr(echeance, "aujourdhui", lambda: AUJOURD_HUI)
    r = filtrage.reponses_suggerees(demande, appel)["depot-a-temps"]
    assert r.reponse == attendu
    assert raison in r.raison and bool(r.raison) == bool(raison)
    # Un « non » suggéré s'enregistre tel quel (sa raison est là).
    assert filtrage.problemes_examen({"depot-a-temps": r}, appel) == []


def test_champs_examines(appel):
    """Les champs que la liste lit, et la date de dépôt : ceux qui rouvrent l'examen."""
    champs = filtrage.champs_examines(appel)
    for champ in ("dossier_complet", "autre_financement_gouvernemental", "date_depot"):
        assert champ in champs
    assert "titre" not in champs and "montant_demande_an1" not in champs


@pytest.mark.parametrize(
    ("etat", "changes", "gardees", "raison"),
    [
        pytest.param(
            "admissible",
            {
                "autre_financement_gouvernemental": "Autre financement gouvernemental : non → oui",
                "dossier_complet": "Dossier complet : oui → non",
            },
            "sans-les-deux",
            "réimportée le 15 mars 2024 : Autre financement gouvernemental : non → oui ; "
            "Dossier complet : oui → non",
            id="auditeur-T-003",
        ),
        pytest.param(
            "admissible",
            {"date_depot": "Date de dépôt : 20 février 2024 → 4 mars 2024"},
            "sans-depot",
            "réimportée le 15 mars 2024 : Date de dépôt : 20 février 2024 → 4 mars 2024",
            id="date-de-depot",
        ),
        pytest.param("admissible", {}, None, None, id="rien-de-change"),
        pytest.param("jamais", {"dossier_complet": "x"}, None, None, id="jamais-examinee"),
    ],
)
def test_reouvrir(appel, etat, changes, gardees, raison):
    """« Pour être admissibles, les projets doivent : faire l'objet d'un dossier complet lors
    du dépôt; […] ne pas recevoir de financement d'un autre programme gouvernemental » : un
    examen fait sur l'ancien fichier ne vaut plus quand ces champs changent ; les réponses
    des conditions touchées sont à revoir, les autres restent."""
    depart = (
        filtrage.NON_EXAMINEE
        if etat == "jamais"
        else Etat(ADMISSIBLE, reponses=_reponses(appel), nature="examen")
    )
    rouvert = filtrage.reouvrir(depart, changes, appel, dt.date(2024, 3, 15))
    if raison is None:
        assert rouvert is None
        return
    reponses, texte = rouvert
    assert texte == raison
    retirees = {
        "sans-les-deux": {"aucun-autre-financement", "dossier-complet"},
        "sans-depot": {"depot-a-temps"},
    }[gardees]
    assert set(reponses) == {c.id for c in appel.conditions} - retirees
    assert filtrage.verdict(reponses, appel) == A_ETABLIR


def test_reponses_stockees_lues_a_la_demande():
    """Les réponses d'un examen stocké, en texte JSON (SQLite) ou déjà décodées
    (PostgreSQL), donnent les mêmes réponses ; un texte n'est décodé qu'à la lecture."""
    brut = {"depot-a-temps": {"reponse": "oui", "raison": ""}, "x": {"reponse": "non"}}
    en_texte = filtrage.ReponsesStockees(json.dumps(brut))
    assert en_texte._lues is None
    attendu = filtrage.reponses_depuis_json(brut)
    assert dict(en_texte) == attendu == dict(filtrage.ReponsesStockees(brut))
    assert en_texte["x"].reponse == "non"
    assert dict(filtrage.ReponsesStockees(None)) == {} == dict(filtrage.ReponsesStockees("null"))
    etat = filtrage.etat_depuis_ligne({"verdict": filtrage.A_ETABLIR, "reponses": json.dumps(brut)})
    assert etat.reponses == attendu


# --- l'examen qui reste à finir (avant le verrouillage des évaluations) ------------------------


def test_examens_inacheves(appel):
    """À établir (pas examinée, condition à vérifier) et signalements ouverts ; une demande
    admissible ou inadmissible sans signalement ouvert n'y est pas."""
    import pandas as pd

    demandes = pd.DataFrame(
        {
            "id": [5, 4, 3, 2, 1],
            "no_demande": ["T-005", "T-004", "T-003", "T-002", "T-001"],
            "titre": ["Cinq", "Quatre", "Trois", None, "Un"],
        }
    )
    premiere = appel.conditions[0]
    a_verifier = {c.id: Reponse(OUI) for c in appel.conditions} | {premiere.id: Reponse(A_VERIFIER)}
    etats = {
        1: Etat(ADMISSIBLE),
        2: Etat(A_ETABLIR, "", a_verifier),
        3: Etat(INADMISSIBLE, "hors Québec"),
        4: Etat(ADMISSIBLE),
        # 5 : pas encore examinée
    }
    signalements = [
        {"demande_id": 4, "regle_le": None},
        {"demande_id": 1, "regle_le": dt.datetime(2026, 11, 2)},  # réglé : plus rien à faire
        {"demande_id": 2, "regle_le": None},
    ]
    table = filtrage.examens_inacheves(demandes, etats, signalements, appel)
    assert list(table.columns) == ["demande_id", "no_demande", "titre", "raison"]
    assert table[["no_demande", "titre"]].values.tolist() == [
        ["T-002", ""],
        ["T-004", "Quatre"],
        ["T-005", "Cinq"],
    ]
    raisons = dict(zip(table["no_demande"], table["raison"], strict=True))
    assert raisons["T-002"] == (f"à vérifier : {premiere.libelle} ; {filtrage.SIGNALEMENT_OUVERT}")
    assert raisons["T-004"] == filtrage.SIGNALEMENT_OUVERT
    assert raisons["T-005"] == "pas encore examinée"
    assert filtrage.examens_inacheves(
        demandes, dict.fromkeys(range(1, 6), Etat(ADMISSIBLE)), [], appel
    ).empty
