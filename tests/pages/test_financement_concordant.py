"""Issue 19 : « financé », « restant » disent la même chose d'une page à l'autre.

Avant, pour les mêmes données, Classement montrait la ligne de financement (« Financées »,
« Restant »), Séance les décisions du comité (« Reste ») puis la ligne juste dessous,
Portefeuille les deux, Comparaison la décision qui vaut toutes années confondues
(« Financé »), Décision du ministère la décision qui vaut par année (« Financé 2024-2025 »).
Maintenant un seul tableau « Financement » (`portefeuille.bilan`) met côte à côte la ligne de
financement (d'après le classement), les décisions du comité et celles du ministère ; la
comparaison des appels reprend les mêmes libellés, toutes années.

Le jeu (test_decision_ministere._recommander) : T-002 sous la ligne de financement
(30 000 $ + 30 000 $), retenue par le comité aux mêmes montants ; T-001 en liste d'attente,
que le comité met en liste d'attente et que le ministère retient à 5 000 $ en 2024-2025.
Enveloppe : 40 000 $ puis 35 000 $. Calculé à la main :

- sous la ligne : 30 000 $, 30 000 $, 60 000 $ en tout, 1 demande ; restant 10 000 $, 5 000 $ ;
- comité : 30 000 $, 30 000 $, 60 000 $, 1 demande ; restant 10 000 $, 5 000 $ ;
- ministère : 5 000 $, 0 $, 5 000 $, 1 demande ; restant 35 000 $, 35 000 $.
"""

import datetime as dt

import pytest

from evaluation.decision import decisions_ministre, financement
from evaluation.decision.portefeuille import (
    ENVELOPPE,
    LIGNE,
    MINISTERE,
    NOTIONS,
    RECOMMANDATIONS,
    RESTANTS,
    TOUTES_ANNEES,
)
from evaluation.socle import stockage
from evaluation.socle.roles import AUTORITE, OBSERVATEUR, PRESIDENT
from tests.pages.conftest import bilan
from tests.pages.test_classement import dollars
from tests.pages.test_decision_ministere import _recommander

PAGES = {
    "pages/classement.py": PRESIDENT,
    "pages/seance.py": PRESIDENT,
    "pages/portefeuille.py": OBSERVATEUR,
    "pages/decision_ministere.py": AUTORITE,
}
ATTENDU = {
    ENVELOPPE: ["40 000 $", "35 000 $", "75 000 $", ""],
    NOTIONS[LIGNE]: ["30 000 $", "30 000 $", "60 000 $", "1"],
    NOTIONS[RECOMMANDATIONS]: ["30 000 $", "30 000 $", "60 000 $", "1"],
    NOTIONS[MINISTERE]: ["5 000 $", "0 $", "5 000 $", "1"],
    RESTANTS[LIGNE]: ["10 000 $", "5 000 $", "15 000 $", ""],
    RESTANTS[RECOMMANDATIONS]: ["10 000 $", "5 000 $", "15 000 $", ""],
    RESTANTS[MINISTERE]: ["35 000 $", "35 000 $", "70 000 $", ""],
}


@pytest.fixture
def jeu(base):
    appel, ids = _recommander(base)
    moteur = stockage.creer_moteur(base)
    try:
        decisions_ministre.decider(
            appel,
            ids["T-001"],
            financement.RETENU,
            (500_000, 0),
            "Seul projet de la région",
            autorite="Aurélie Autorité",
            moteur=moteur,
            auteur="autorite@exemple.qc.ca",
            role=AUTORITE,
            jour=dt.date.today(),
        )
    finally:
        moteur.dispose()
    return appel, ids


def test_meme_libelle_meme_montant_sur_toutes_les_pages(application, jeu):
    vus = {}
    for page, role in PAGES.items():
        at = application(page, role=role)
        assert not at.exception, at.exception
        b = bilan(at)
        assert b is not None, f"{page} : pas de tableau « Financement »"
        vus[page] = b
    premier = next(iter(vus.values()))
    assert list(premier.columns) == ["2024-2025", "2025-2026", TOUTES_ANNEES, "Demandes"]
    for quoi, valeurs in ATTENDU.items():
        assert premier.loc[quoi].tolist() == [dollars(v) for v in valeurs], quoi
    for page, b in vus.items():
        assert b.equals(premier), page

    # La comparaison des appels : mêmes libellés, les montants « Toutes années ».
    at = application("pages/comparaison.py", role=OBSERVATEUR)
    (finance,) = [d.value for d in at.dataframe if "Financement" in d.value.columns]
    for _, ligne in finance.iterrows():
        quoi = ligne["Financement"]
        assert ligne["Montant, toutes années"] == premier.loc[quoi, TOUTES_ANNEES], quoi
        assert ligne["Demandes"] == premier.loc[quoi, "Demandes"], quoi
    assert set(finance["Financement"]) == {
        NOTIONS[LIGNE],
        NOTIONS[RECOMMANDATIONS],
        NOTIONS[MINISTERE],
    }
    # Plus de « Financées » ni de « Financé » sans dire selon quoi, ni de « Reste ».
    for d in at.dataframe:
        assert not {"Financées", "Financé", "Selon"} & set(d.value.columns)
