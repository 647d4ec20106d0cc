"""Comparer des appels (evaluation/appels/comparaison.py) : ce qui compte comme financé, l'ordre
chronologique, les municipalités financées plusieurs années de suite, les tableaux côte à
côte, les dimensions de deux programmes et leurs valeurs appariées par libellé (issue 18).
Le parcours complet (deux appels stockés, page Comparaison) est dans
tests/pages/test_parametres.py."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from evaluation.appels import comparaison
from evaluation.appels.configuration import (
    Dimension,
    ValeurDimension,
    appel_depuis_toml,
    charger_appel,
)
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


# --- Dimensions appariées par libellé (issue 18) ----------------------------------------------


def _dimension(id_, libelle, valeurs, multiple=False):
    return Dimension(
        id_, libelle, multiple, False, tuple(ValeurDimension(i, lib) for i, lib in valeurs)
    )


def programmes():
    """Deux programmes : « PAIVMQ » (axes, secteurs, et des priorités transversales déclarées)
    et « QSF », plus récent, sans axes ni secteurs, dont les priorités s'écrivent autrement
    (casse, accents, espaces) sous d'autres ids, et qui déclare aussi un type de
    financement."""
    paivmq = replace(
        appel_de(2023, "PAIVMQ"),
        dimensions=(
            _dimension(
                "priorites",
                "Priorités transversales",
                [("jeunesse", "Jeunesse"), ("egalite", "Égalité femmes-hommes")],
                multiple=True,
            ),
        ),
    )
    qsf = replace(
        appel_de(2024, "QSF"),
        axes=(),
        secteurs=(),
        dimensions=(
            _dimension(
                "prio",
                "PRIORITES   transversales",
                [("j", "jeunesse"), ("e", "Egalite femmes hommes"), ("c", "Climat")],
                multiple=True,
            ),
            _dimension("type", "Type de financement", [("mission", "Mission globale")]),
        ),
    )
    return paivmq, qsf


def classement_de(valeurs: dict[str, list[tuple[str, ...]]], financees: int):
    """Un classement réduit : `financees` premières demandes financées à la ligne (1 000 $
    chacune, an 1), avec leurs valeurs de dimensions (`dimension:<id>`)."""
    n = len(next(iter(valeurs.values())))
    return pd.DataFrame(
        {
            "municipalite": [f"M{i}" for i in range(n)],
            "statut": [classement.CLASSE] * n,
            "financement": [financement.FINANCE] * financees
            + [financement.ATTENTE] * (n - financees),
            "decision": [""] * n,
            "recommande_an1": [100_000] * n,
            "recommande_an2": [0] * n,
            "montant_demande_an1": [100_000] * n,
            "montant_demande_an2": [0] * n,
            "total": [80.0] * n,
            "axe": [1] * n,
            "secteur": ["culture"] * n,
            "region": ["05"] * n,
            **{f"dimension:{k}": v for k, v in valeurs.items()},
        }
    )


def test_dimensions_appariees_par_libelle():
    """« Priorités transversales » et « PRIORITES   transversales » sont une dimension (accents,
    casse, espaces) ; l'axe et le secteur, que QSF n'a pas, et le type de financement, que
    seul QSF déclare, sont montrés comme absents des autres."""
    paivmq, qsf = programmes()
    paires = [(qsf, classement_de({"prio": [()]}, 0)), (paivmq, classement_de({"p": [()]}, 0))]
    dims = comparaison.dimensions_comparees(paires)
    assert [d.libelle for d in dims] == [
        "Axe",
        "Secteur",
        "Région",
        "Priorités transversales",
        "Type de financement",
    ]
    par_libelle = {d.libelle: d for d in dims}
    priorites = par_libelle["Priorités transversales"]
    assert priorites.ids == {paivmq.id: "priorites", qsf.id: "prio"}
    assert priorites.commune
    assert par_libelle["Axe"].absente == ("QSF",)
    assert par_libelle["Type de financement"].absente == ("PAIVMQ",)
    assert par_libelle["Région"].commune


def test_deux_dimensions_d_un_appel_au_meme_libelle_restent_deux():
    paivmq, _ = programmes()
    doublon = replace(
        paivmq,
        dimensions=(
            *paivmq.dimensions,
            _dimension("autres", "priorités-transversales", [("x", "X")]),
        ),
    )
    dims = comparaison.dimensions_comparees([(doublon, pd.DataFrame())])
    assert [d.ids for d in dims if "priorit" in d.cle] == [
        {doublon.id: "priorites"},
        {doublon.id: "autres"},
    ]


def test_valeurs_appariees_par_libelle_cote_a_cote():
    """Jeunesse et Égalité s'apparient d'un programme à l'autre malgré casse, accents et
    ponctuation ; Climat n'existe que dans QSF ; les demandes sans priorité sont
    « (aucune) ». Une demande à deux priorités compte dans chacune."""
    paivmq, qsf = programmes()
    paires = [
        (paivmq, classement_de({"priorites": [("jeunesse", "egalite"), ("egalite",), ()]}, 3)),
        (qsf, classement_de({"prio": [("j",), ("c", "e"), ("e",), ()]}, 4)),
    ]
    longue = comparaison.repartitions(paires, "Priorités transversales")
    assert set(longue.columns) >= {"appel", "libelle", "cle", "categorie", "financees"}
    large = comparaison.cote_a_cote(longue, "financees")
    assert list(large.columns) == ["PAIVMQ", "QSF"]
    assert large.to_dict("index") == {
        "Jeunesse": {"PAIVMQ": 1, "QSF": 1},
        "Égalité femmes-hommes": {"PAIVMQ": 2, "QSF": 2},
        "(aucune)": {"PAIVMQ": 1, "QSF": 1},
        "Climat": {"PAIVMQ": 0, "QSF": 1},
    }
    # Le libellé de chaque appel reste dans la table longue.
    qsf_lignes = longue[longue["appel"] == "QSF"].set_index("cle")
    assert qsf_lignes.loc["jeunesse", "libelle"] == "jeunesse"
    assert qsf_lignes.loc["jeunesse", "categorie"] == "Jeunesse"


def test_une_dimension_d_un_seul_appel():
    """Le type de financement n'a de lignes que pour QSF ; l'id d'une dimension dans un des
    appels la nomme aussi ; une dimension inconnue est refusée en le disant."""
    paivmq, qsf = programmes()
    paires = [
        (paivmq, classement_de({"priorites": [()]}, 1)),
        (qsf, classement_de({"prio": [()], "type": [("mission",)]}, 1)),
    ]
    longue = comparaison.repartitions(paires, "type")
    assert set(longue["appel"]) == {"QSF"}
    assert longue.set_index("cle").loc["mission globale", "financees"] == 1
    axes = comparaison.repartitions(paires, "axe")
    assert set(axes["appel"]) == {"PAIVMQ"}
    with pytest.raises(ValueError, match="dimension « thème » inconnue des appels comparés"):
        comparaison.repartitions(paires, "thème")
