"""Le comité en séance, en règles pures (decision/comite.py, issue 16) : qui déclare, qui sort
de la salle, le quorum sans les membres en conflit. Règles de procédure du comité (usage des
comités de sélection : un membre en conflit sort et ne décide pas), non du texte de l'appel."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluation.decision import comite
from evaluation.decision.comite import (
    MEMBRE,
    Recusation,
    acceptation_valide,
    doit_declarer,
    qui_doit_sortir,
    quorum_atteint,
    refus_conflit,
    refus_quorum,
    textes_declarations,
)
from evaluation.socle.roles import ADMIN, ANALYSTE, EVALUATEUR, OBSERVATEUR, PRESIDENT

T = dt.datetime(2026, 11, 24, 9, 0)
CONFLITS = [
    {"demande_id": 7, "evaluateur": "luc@x.ca", "raison": "son employeur", "date": T},
    {"demande_id": 7, "evaluateur": "Jean Tremblay", "raison": "voisin", "date": T},
    {"demande_id": 8, "evaluateur": "ana@x.ca", "raison": "sa ville", "date": T},
    {"demande_id": 7, "evaluateur": "absent@x.ca", "raison": "associé", "date": T},
]


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        (PRESIDENT, True),
        (MEMBRE, True),
        (OBSERVATEUR, True),
        (ADMIN, True),
        (EVALUATEUR, False),
        (ANALYSTE, False),
        (None, False),
    ],
)
def test_qui_declare(role, attendu):
    assert doit_declarer(role) is attendu


def test_membre_est_le_role_de_l_agenda():
    assert MEMBRE == "membre"


@pytest.mark.parametrize(
    ("presents", "en_conflit", "quorum", "attendu"),
    [
        pytest.param(["a", "b", "c"], [], 3, True, id="tous-sans-conflit"),
        pytest.param(["a", "b", "c"], ["c"], 3, False, id="un-en-conflit-sous-le-quorum"),
        pytest.param(["a", "b", "c"], ["c"], 2, True, id="un-en-conflit-quorum-tenu"),
        pytest.param(["a", "b"], ["z"], 2, True, id="conflit-d-un-absent"),
        pytest.param([], [], 0, True, id="quorum-0-non-verifie"),
        pytest.param(["a"], ["a"], 0, True, id="quorum-0-meme-tous-en-conflit"),
        pytest.param(["a", " A "], [], 2, False, id="une-personne-nommee-deux-fois"),
        pytest.param(["Jean  Tremblay", "b"], ["jean tremblay"], 2, False, id="nom-sans-casse"),
        pytest.param([], [], 1, False, id="personne"),
    ],
)
def test_quorum_atteint(presents, en_conflit, quorum, attendu):
    assert quorum_atteint(presents, en_conflit, quorum) is attendu


def test_qui_doit_sortir_les_presents_en_conflit_sur_cette_demande():
    presents = ["p@x.ca", "jean tremblay", "luc@x.ca", "ana@x.ca"]
    assert qui_doit_sortir(7, presents, CONFLITS) == [
        Recusation("jean tremblay", "voisin", T),
        Recusation("luc@x.ca", "son employeur", T),
    ]
    # ana est en conflit sur une autre demande ; absent@x.ca n'est pas dans la salle.
    assert qui_doit_sortir(8, presents, CONFLITS) == [Recusation("ana@x.ca", "sa ville", T)]
    assert qui_doit_sortir(9, presents, CONFLITS) == []
    assert qui_doit_sortir(7, [], CONFLITS) == []


def test_qui_doit_sortir_nomme_une_fois():
    assert len(qui_doit_sortir(7, ["luc@x.ca", "LUC@x.ca"], CONFLITS)) == 1


def test_refus_quorum_dit_combien_et_qui_sort():
    message = refus_quorum(
        "T-001", ["p@x.ca", "luc@x.ca", "Jean Tremblay"], CONFLITS, 7, 2, {"luc@x.ca": "Luc"}
    )
    assert message == (
        "quorum non atteint pour T-001 : 1 membre présent sans conflit d'intérêts, 2 requis "
        "(réglage du comité) ; en conflit, hors de la salle : Luc, Jean Tremblay. Attendez le "
        "retour d'un membre ou reportez la décision."
    )
    assert refus_quorum("T-001", ["p@x.ca", "b@x.ca", "luc@x.ca"], CONFLITS, 7, 2) is None
    assert refus_quorum("T-001", [], CONFLITS, 7, 0) is None


def test_refus_conflit_nomme_la_demande_et_la_raison():
    message = refus_conflit("T-002", CONFLITS[0], "décider")
    assert message.startswith(
        "vous avez déclaré un conflit d'intérêts sur T-002 (son employeur) : vous ne pouvez "
        "pas décider sur cette demande."
    )


def test_textes_livres_nomment_l_appel():
    textes = textes_declarations("Programme d'essai")
    assert textes.interets.titre == "Déclaration générale d'intérêts"
    assert textes.confidentialite.titre == "Engagement de confidentialité"
    assert "« Programme d'essai »" in textes.interets.texte
    assert "« Programme d'essai »" in textes.confidentialite.texte
    assert "{appel}" not in textes.interets.texte + textes.confidentialite.texte


def test_des_textes_changes_se_reacceptent(tmp_path):
    """Une acceptation couvre les textes lus (leur empreinte) : changés, ils se
    réacceptent."""
    fichier = tmp_path / "declarations.toml"
    gabarit = (
        '[declaration_interets]\ntitre = "D"\ntexte = "{texte} {{appel}}"\n'
        '[engagement_confidentialite]\ntitre = "E"\ntexte = "confidentiel"\n'
    )
    fichier.write_text(gabarit.format(texte="Je déclare"), encoding="utf-8")
    avant = textes_declarations("A", fichier)
    assert avant.interets.texte == "Je déclare A"
    acceptees = [{"empreinte": avant.empreinte, "date": T}]
    assert acceptation_valide(acceptees, avant) == acceptees[0]
    assert textes_declarations("B", fichier).empreinte != avant.empreinte  # autre appel
    fichier.write_text(gabarit.format(texte="Je déclare tout"), encoding="utf-8")
    apres = textes_declarations("A", fichier)
    assert apres.empreinte != avant.empreinte
    assert acceptation_valide(acceptees, apres) is None
    assert acceptation_valide([], avant) is None


def test_recusations_de_la_seance_marque_les_presents():
    """Présent : inscrit à la séance (courriel ou nom, sans casse ni espaces) ; sinon il n'a
    pas siégé."""
    recusations = [
        {"demande_id": 1, "qui": "m1@x.ca", "raison": "a"},
        {"demande_id": 2, "qui": "Jean  Roy", "raison": "b"},
        {"demande_id": 2, "qui": "m2@x.ca", "raison": "c"},
    ]
    marquees = comite.recusations_de_la_seance(recusations, [" M1@x.ca", "jean roy"])
    assert [(r["qui"], r["present"]) for r in marquees] == [
        ("m1@x.ca", True),
        ("Jean  Roy", True),
        ("m2@x.ca", False),
    ]
    assert "present" not in recusations[0]
