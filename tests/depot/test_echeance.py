"""Le dépôt face à la date limite : à temps le jour même, en retard du nombre de jours
après, à vérifier quand la date est présumée (celle de l'importation), inconnu sans date.

L'appel : « L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. »"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest

from evaluation.depot import echeance
from evaluation.depot.echeance import A_TEMPS, A_VERIFIER, EN_RETARD, INCONNU

LIMITE = dt.date(2024, 3, 1)

# (date de dépôt, présumée, état, jours de retard d'une demande en retard, texte court)
CAS = [
    pytest.param(dt.date(2024, 1, 15), False, A_TEMPS, None, "à temps", id="bien-avant"),
    pytest.param(dt.date(2024, 2, 29), False, A_TEMPS, None, "à temps", id="la-veille"),
    pytest.param(dt.date(2024, 3, 1), False, A_TEMPS, None, "à temps", id="le-jour-meme"),
    pytest.param(dt.date(2024, 3, 2), False, EN_RETARD, 1, "1 jour de retard", id="le-lendemain"),
    pytest.param(dt.date(2024, 3, 5), False, EN_RETARD, 4, "4 jours de retard", id="4-jours"),
    pytest.param(
        dt.date(2024, 4, 1), False, EN_RETARD, 31, "31 jours de retard", id="un-mois-apres"
    ),
    pytest.param(
        dt.datetime(2024, 3, 2, 0, 5), False, EN_RETARD, 1, "1 jour de retard", id="datetime"
    ),
    pytest.param(pd.Timestamp(2024, 3, 3), False, EN_RETARD, 2, "2 jours de retard", id="ts"),
    pytest.param(dt.date(2024, 3, 1), True, A_TEMPS, None, "à temps", id="presumee-a-temps"),
    pytest.param(
        dt.date(2024, 3, 15),
        True,
        A_VERIFIER,
        None,
        "à vérifier (date présumée)",
        id="presumee-apres",
    ),
    pytest.param(None, False, INCONNU, None, "—", id="sans-date"),
    pytest.param(pd.NaT, None, INCONNU, None, "—", id="nat"),
    pytest.param(dt.date(2024, 3, 5), None, EN_RETARD, 4, "4 jours de retard", id="presumee-nulle"),
    # Une date après aujourd'hui est une erreur de saisie, jamais « 27 000 jours de retard ».
    pytest.param(
        dt.date(2099, 1, 1), False, A_VERIFIER, None, "à vérifier (date future)", id="future"
    ),
]


@pytest.mark.parametrize(("date_depot", "presumee", "etat", "retard", "court"), CAS)
def test_depot_face_a_la_date_limite(appel, date_depot, presumee, etat, retard, court):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : le 1er mars fait
    partie de l'appel (à temps) ; chaque jour de calendrier après est un jour de retard.
    Une date présumée (le fichier n'en donnait pas : celle de l'importation) ne prouve pas
    un retard : postérieure à la date limite, le dépôt est à vérifier."""
    assert appel.date_limite == LIMITE
    d = echeance.depot({"date_depot": date_depot, "date_depot_presumee": presumee}, appel)
    assert d.etat == etat
    assert d.en_retard == (etat == EN_RETARD)
    assert d.jours_de_retard == retard
    assert d.court() == court


@pytest.mark.parametrize(
    ("date_depot", "limite", "jours"),
    [
        (dt.date(2024, 3, 1), dt.date(2024, 3, 1), 0),
        (dt.date(2024, 2, 1), dt.date(2024, 3, 1), 0),
        (dt.date(2024, 3, 2), dt.date(2024, 3, 1), 1),
        (dt.date(2025, 3, 1), dt.date(2024, 3, 1), 365),
        (None, dt.date(2024, 3, 1), None),
        (dt.date(2024, 3, 2), None, None),
    ],
)
def test_jours_de_retard(date_depot, limite, jours):
    """« s'est terminé le 1er mars 2024 » : 0 jusqu'au 1er mars compris, puis un par jour."""
    assert echeance.jours_de_retard(date_depot, limite) == jours


def test_appel_sans_date_limite(appel):
    """Un appel qui ne fixe pas de date limite : aucun dépôt n'est en retard ni à temps."""
    sans = replace(appel, date_limite=None)
    d = echeance.depot({"date_depot": dt.date(2030, 1, 1)}, sans)
    assert d.etat == INCONNU and not d.en_retard
    assert d.texte() == "déposée le 1er janvier 2030 (l'appel ne fixe pas de date limite)."
    table = echeance.etats(pd.DataFrame({"date_depot": [dt.date(2030, 1, 1)]}), sans)
    assert table["etat_depot"].tolist() == [INCONNU]


@pytest.mark.parametrize(
    ("date_depot", "presumee", "debut"),
    [
        (dt.date(2024, 3, 1), False, "déposée le 1er mars 2024, à temps (date limite : 1er mars"),
        (
            dt.date(2024, 3, 4),
            False,
            "déposée le 4 mars 2024, 3 jours après la date limite du 1er mars 2024 : dépôt en "
            "retard, à trancher à la vérification d'admissibilité.",
        ),
        (
            dt.date(2024, 3, 15),
            True,
            "date de dépôt absente du fichier : celle de l'importation (15 mars 2024) a été "
            "retenue, postérieure à la date limite du 1er mars 2024 ; vérifiez",
        ),
        (dt.date(2024, 2, 1), True, "déposée le 1er février 2024 (date de l'importation), à"),
        (None, False, "date de dépôt inconnue."),
    ],
)
def test_texte_du_depot(appel, date_depot, presumee, debut):
    """La phrase de la fiche et de l'avertissement d'importation dit la date, la date
    limite et les jours de retard (« s'est terminé le 1er mars 2024 »)."""
    texte = echeance.depot({"date_depot": date_depot, "date_depot_presumee": presumee}, appel)
    assert texte.texte().startswith(debut)


def test_etats_en_colonnes_egaux_au_calcul_par_demande(appel):
    """Le classement calcule les dépôts en colonnes : le même résultat, cas par cas, que
    `depot` (chaque cas du tableau CAS, dans un seul tableau)."""
    valeurs = [p.values[:2] for p in CAS]
    table = pd.DataFrame(
        {
            "date_depot": [v[0] for v in valeurs],
            "date_depot_presumee": [v[1] for v in valeurs],
        },
        index=range(10, 10 + len(valeurs)),
        dtype=object,
    )
    colonnes = echeance.etats(table, appel)
    assert list(colonnes.index) == list(table.index)
    for (date_depot, presumee), etat, retard, court in zip(
        valeurs,
        colonnes["etat_depot"],
        colonnes["retard_depot"],
        colonnes["depot"],
        strict=True,
    ):
        d = echeance.depot({"date_depot": date_depot, "date_depot_presumee": presumee}, appel)
        assert etat == d.etat
        assert (None if pd.isna(retard) else int(retard)) == d.jours_de_retard
        assert court == d.court()


def test_etats_sans_colonne_de_depot(appel):
    """Des demandes lues avant la date de dépôt (sans colonne) : chaque dépôt est inconnu."""
    colonnes = echeance.etats(pd.DataFrame({"no_demande": ["A", "B"]}), appel)
    assert colonnes["etat_depot"].tolist() == [INCONNU, INCONNU]
    assert colonnes["retard_depot"].isna().all()
    assert echeance.etats(pd.DataFrame({"date_depot": []}), appel).empty


@pytest.mark.parametrize(
    ("date_depot", "aujourd_hui", "doute"),
    [
        pytest.param(dt.date(2024, 2, 20), dt.date(2024, 6, 1), None, id="vraisemblable"),
        pytest.param(dt.date(2024, 6, 1), dt.date(2024, 6, 1), None, id="aujourd-hui"),
        pytest.param(
            dt.date(2024, 6, 2), dt.date(2024, 6, 1), "postérieure à aujourd'hui", id="demain"
        ),
        # 2024 est bissextile : le 2 mars 2023 est 365 jours avant le 1er mars 2024.
        pytest.param(dt.date(2023, 3, 2), dt.date(2024, 6, 1), None, id="un-an-pile"),
        pytest.param(
            dt.date(2023, 3, 1),
            dt.date(2024, 6, 1),
            "plus d'un an avant la date limite du 1er mars 2024",
            id="un-an-et-un-jour",
        ),
        pytest.param(None, dt.date(2024, 6, 1), None, id="sans-date"),
    ],
)
def test_date_de_depot_invraisemblable(date_depot, aujourd_hui, doute):
    """Interprétation (`OUVERTURE_MAX`, un an) : l'appel ne donne pas d'ouverture ; « L'appel
    à projets 2023-2024 s'est terminé le 1er mars 2024. » Une date à venir, ou plus d'un an
    avant la date limite, est une faute de saisie probable."""
    assert dt.timedelta(days=365) == echeance.OUVERTURE_MAX
    resultat = echeance.invraisemblance(date_depot, LIMITE, aujourd_hui)
    assert (resultat is None) == (doute is None)
    if doute:
        assert doute in resultat


@pytest.mark.parametrize(
    ("valeurs", "reponse", "raison"),
    [
        pytest.param({"date_depot": dt.date(2024, 3, 1)}, True, "", id="a-temps"),
        pytest.param(
            {"date_depot": dt.date(2024, 3, 11)},
            False,
            "déposée 10 jours après la date limite du 1er mars 2024",
            id="10-jours",
        ),
        pytest.param(
            {"date_depot": dt.date(2024, 3, 11), "date_depot_presumee": True},
            None,
            "date de dépôt présumée (celle de l'importation, le 11 mars 2024)",
            id="presumee",
        ),
        # Importée au plus tard à la date limite : la demande était reçue, donc à temps.
        pytest.param(
            {"date_depot": dt.date(2024, 3, 1), "date_depot_presumee": True},
            True,
            "",
            id="presumee-a-temps",
        ),
        pytest.param({"date_depot": None}, None, "date de dépôt inconnue", id="inconnue"),
        pytest.param(
            {"date_depot": dt.date(2025, 1, 1)}, None, "postérieure à aujourd'hui", id="a-venir"
        ),
    ],
)
def test_reponse_a_l_examen(appel, valeurs, reponse, raison):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : la réponse que le
    dépôt suggère à la condition « déposée au plus tard à la date limite »."""
    obtenue, texte = echeance.reponse_examen(valeurs, appel, dt.date(2024, 6, 1))
    assert obtenue is reponse
    assert raison in texte and bool(texte) == bool(raison)


def test_reponse_a_l_examen_sans_date_limite(appel):
    sans = replace(appel, date_limite=None)
    assert echeance.reponse_examen({"date_depot": dt.date(2024, 3, 1)}, sans) == (
        None,
        "l'appel ne fixe pas de date limite",
    )
