"""Comparer des appels (evaluation/appels/comparaison.py) : ce qui compte comme financé, l'ordre
chronologique, les municipalités financées plusieurs années de suite, les tableaux côte à
côte. Le parcours complet (deux appels stockés, page Comparaison) est dans
tests/pages/test_parametres.py."""

from __future__ import annotations

import pandas as pd

from evaluation.appels import comparaison
from evaluation.appels.configuration import appel_depuis_toml, charger_appel
from evaluation.decision import classement, financement


def appel_de(annee: int, nom_court: str):
    texte = (
        charger_appel()
        .source_toml.replace(
            "premiere_annee_debut = 2024-04-01", f"premiere_annee_debut = {annee}-04-01"
        )
        .replace('nom_court = "PAIVMQ 2023-2024"', f'nom_court = "{nom_court}"')
        .replace('id = "paivmq-2023-2024"', f'id = "{nom_court.lower()}"')
    )
    return appel_depuis_toml(texte)


def table(financees: list[str], autres: list[str], decisions: dict[str, str] | None = None):
    """Un classement réduit : les municipalités financées à la ligne, puis les autres."""
    noms = financees + autres
    decisions = decisions or {}
    return pd.DataFrame(
        {
            "municipalite": noms,
            "statut": [classement.CLASSE] * len(noms),
            "financement": [financement.FINANCE] * len(financees)
            + [financement.ATTENTE] * len(autres),
            "decision": [decisions.get(n, "") for n in noms],
        }
    )


def test_selon_les_decisions_des_qu_il_y_en_a():
    assert comparaison.selon(table(["A"], ["B"])) == "ligne"
    assert comparaison.selon(table(["A"], ["B"], {"B": financement.RETENU})) == "decisions"


def test_municipalites_financees_plusieurs_annees():
    paires = [
        (appel_de(2025, "P2025"), table(["Laval", "Gaspé"], ["Rimouski"])),
        (appel_de(2022, "P2022"), table(["Laval", "Rimouski"], ["Gaspé"])),
        (appel_de(2023, "P2023"), table(["Laval"], ["Gaspé", "Rimouski"])),
        # En 2024, les décisions comptent : Rimouski retenue hors ligne, Laval refusée.
        (
            appel_de(2024, "P2024"),
            table(
                ["Laval"],
                ["Rimouski"],
                {"Laval": financement.REFUSE, "Rimouski": financement.RETENU},
            ),
        ),
    ]
    r = comparaison.municipalites_recurrentes(paires)
    assert r.to_dict("records") == [
        {
            "municipalite": "Laval",
            "appels_finances": 3,
            "appels": "P2022, P2023, P2025",
            "annees_consecutives": 2,
        },
        {
            "municipalite": "Rimouski",
            "appels_finances": 2,
            "appels": "P2022, P2024",
            "annees_consecutives": 1,
        },
    ]


def test_cote_a_cote_garde_l_ordre_des_appels_et_des_categories():
    longue = pd.DataFrame(
        {
            "appel": ["B", "B", "A"],
            "libelle": ["Axe 2", "Axe 1", "Thème X"],
            "finance": [10, 20, 5],
        }
    )
    large = comparaison.cote_a_cote(longue)
    assert list(large.columns) == ["B", "A"]
    assert list(large.index) == ["Axe 2", "Axe 1", "Thème X"]
    assert large.loc["Thème X"].tolist() == [0, 5]


def test_la_decision_du_ministere_fait_le_finance():
    """Issue 17 : « financée » suit la décision du ministère quand il a décidé
    (`decision_finale`), sinon la recommandation du comité ; la colonne Selon le dit."""
    t = table(["Laval"], ["Gaspé"], {"Laval": financement.RETENU, "Gaspé": financement.REFUSE})
    assert comparaison.libelle_selon(t) == comparaison.SELON_COMITE
    assert comparaison.libelle_selon(table(["A"], ["B"])) == comparaison.SELON_LIGNE
    t["decision_ministere"] = ["", financement.RETENU]
    t["decision_finale"] = [financement.RETENU, financement.RETENU]
    assert comparaison.selon(t) == "decisions"
    assert comparaison.libelle_selon(t) == comparaison.SELON_MINISTERE
    paires = [(appel_de(2024, "P2024"), t), (appel_de(2025, "P2025"), table(["Gaspé"], []))]
    recurrentes = comparaison.municipalites_recurrentes(paires)
    # Gaspé, refusée par le comité mais retenue par le ministère en 2024, puis en 2025.
    assert recurrentes["municipalite"].tolist() == ["Gaspé"]
    assert recurrentes["annees_consecutives"].tolist() == [2]
