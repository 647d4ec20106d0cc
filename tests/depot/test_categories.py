"""Catégories à confirmer : une ligne de budget de catégorie non reconnue n'est jamais
admissible ; l'analyste la rattache, pour toutes les lignes de l'appel du même libellé,
journalisé ; sur SQLite et PostgreSQL."""

from __future__ import annotations

import pytest

from evaluation.decision import chargement, classement, financement
from evaluation.depot import categories
from evaluation.socle import stockage
from tests.decision.conftest import demandes  # noqa: F401 (fixture)


def _rendre_inconnue(moteur, libelle: str, ancien: str) -> None:
    """Comme une importation qui n'aurait pas reconnu le libellé : catégorie non reconnue."""
    table = stockage.lignes_budget
    with moteur.begin() as c:
        c.execute(
            table.update()
            .where(table.c.categorie == ancien)
            .values(categorie=libelle, categorie_id=None, admissible=None)
        )


def _table(moteur, appel):
    return classement.classement(appel, chargement.charger(appel, moteur=moteur)).set_index(
        "demande_id"
    )


@pytest.mark.parametrize(
    ("categorie_id", "admissible_an1"),
    [
        pytest.param("logistique", 2_000_000, id="rattachee-a-une-admissible"),
        pytest.param("fonctionnement", 1_200_000, id="rattachee-a-une-non-admissible"),
    ],
)
def test_a_confirmer_puis_rattachee(moteur, appel, demandes, categorie_id, admissible_an1):  # noqa: F811
    """« Les dépenses admissibles sont les suivantes : […] » : une ligne dont la catégorie
    n'est pas reconnue n'en fait pas partie tant que l'analyste ne l'a pas rattachée."""
    t1 = demandes["T-001"]
    _rendre_inconnue(moteur, "Traiteur", "Frais d'organisation logistique")
    a_confirmer = categories.a_confirmer(appel, moteur=moteur)
    assert a_confirmer.to_dict("records") == [
        {"categorie": "Traiteur", "lignes": 1, "demandes": 1, "montant": 800_000}
    ]
    ligne = _table(moteur, appel).loc[t1]
    assert (ligne["admissible_an1"], ligne["a_confirmer_an1"]) == (1_200_000, 800_000)
    assert ligne["recommande_an1"] == 1_200_000  # jamais silencieusement admissible

    n = categories.rattacher(appel, "Traiteur", categorie_id, moteur=moteur, auteur="a@x.ca")
    assert n == 1
    assert categories.a_confirmer(appel, moteur=moteur).empty
    ligne = _table(moteur, appel).loc[t1]
    assert (ligne["admissible_an1"], ligne["a_confirmer_an1"]) == (admissible_an1, 0)
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id)
    (j,) = journal[journal["objet"] == "categorie_depense"].to_dict("records")
    assert j["demande_id"] == t1 and j["auteur"] == "a@x.ca"
    assert j["ancien"] == "« Traiteur » : catégorie à confirmer"
    libelle = next(c.libelle for c in appel.categories if c.id == categorie_id)
    assert libelle in j["nouveau"]


@pytest.mark.parametrize(
    ("libelle", "categorie_id", "message"),
    [
        pytest.param("Traiteur", "inexistante", "inconnue de l'appel", id="categorie-inconnue"),
        pytest.param("Absent", "logistique", "aucune ligne", id="libelle-sans-ligne"),
    ],
)
def test_rattachement_refuse(moteur, appel, demandes, libelle, categorie_id, message):  # noqa: F811
    _rendre_inconnue(moteur, "Traiteur", "Frais d'organisation logistique")
    with pytest.raises(categories.ErreurCategorie, match=message):
        categories.rattacher(appel, libelle, categorie_id, moteur=moteur, auteur="a@x.ca")
    assert len(categories.a_confirmer(appel, moteur=moteur)) == 1
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id)
    assert (journal["objet"] == "categorie_depense").sum() == 0


def test_sommes_sql_egales_aux_lignes_expliquees(moteur, appel, demandes):  # noqa: F811
    """Le budget admissible lu en SQL (classement) est celui que la fiche calcule ligne par
    ligne (`lignes_expliquees`)."""
    _rendre_inconnue(moteur, "Traiteur", "Frais d'organisation logistique")
    with moteur.connect() as c:
        lignes = stockage.lire_lignes_budget(appel.id, connexion=c)
    expliquees = financement.lignes_expliquees(lignes, appel)
    table = _table(moteur, appel)
    for demande_id, groupe in expliquees.groupby("demande_id"):
        for annee, g in groupe.groupby("annee"):
            ligne = table.loc[int(demande_id)]
            assert ligne[f"admissible_an{annee}"] == g["montant_admissible"].sum()
            assert ligne[f"budget_an{annee}"] == g["montant"].sum()


def test_rattachement_refuse_decisions_verrouillees(moteur, appel, demandes):  # noqa: F811
    """Les décisions verrouillées figent ce qui les fonde : rattacher une catégorie
    changerait le budget admissible, donc le montant recommandé ; refusé, rien n'est écrit."""
    from evaluation.notes import attributions

    _rendre_inconnue(moteur, "Traiteur", "Frais d'organisation logistique")
    attributions.verrouiller(
        appel.id, True, moteur=moteur, auteur="p@x.ca", quoi="decisions_verrouillees"
    )
    with pytest.raises(
        categories.ErreurCategorie, match="décisions de cet appel sont verrouillées"
    ):
        categories.rattacher(appel, "Traiteur", "logistique", moteur=moteur, auteur="a@x.ca")
    assert len(categories.a_confirmer(appel, moteur=moteur)) == 1
    attributions.verrouiller(
        appel.id, False, moteur=moteur, auteur="p@x.ca", quoi="decisions_verrouillees"
    )
    assert categories.rattacher(appel, "Traiteur", "logistique", moteur=moteur, auteur="a@x.ca")
