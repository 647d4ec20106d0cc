"""La décision qui vaut après le comité (evaluation/decision/ministere.py, issue 17).

L'appel : « Le ministère des Relations internationales et de la Francophonie conserve
cependant la responsabilité de la sélection définitive des projets et de la détermination des
sommes qui leur seront accordées. » La décision du ministère l'emporte donc sur la
recommandation du comité. Interprétations (dites dans le module) : il approuve ou modifie ;
une modification a une raison ; mêmes codes et mêmes plafonds que le comité."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluation.decision import ministere
from evaluation.decision.financement import DECISIONS, LISTE_ATTENTE, REFUSE, RETENU
from tests.conftest import DONNEES

CITATION_APPEL = (
    "conserve cependant la responsabilité de la sélection définitive des projets et de la "
    "détermination des sommes qui leur seront accordées"
)
PLAFOND = 2_500_000
J1, J2 = dt.datetime(2026, 11, 20, 10), dt.datetime(2026, 12, 1, 9)


def _comite(demande_id, decision, an1=0, an2=0, justification="", id_=None):
    return {
        "id": id_ or demande_id * 10,
        "demande_id": demande_id,
        "decision": decision,
        "montant_an1": an1,
        "montant_an2": an2,
        "justification": justification,
        "date": J1,
        "auteur": "presidence@x.ca",
    }


def _ministre(demande_id, decision, an1=0, an2=0, raison=None, comite_id=None):
    return {
        "id": 100 + demande_id,
        "demande_id": demande_id,
        "decision": decision,
        "montant_an1": an1,
        "montant_an2": an2,
        "raison": raison,
        "autorite": "Marie Ministre",
        "decision_comite_id": comite_id if comite_id is not None else demande_id * 10,
        "date": J2,
        "auteur": "ministre@x.ca",
    }


def test_la_citation_est_celle_de_l_appel():
    """Mot pour mot dans le texte de l'appel (copie de tests/donnees)."""
    texte = (DONNEES / "appel-paivmq-2023-2024.txt").read_text(encoding="utf-8")
    assert CITATION_APPEL in texte
    assert ministere.CITATION == CITATION_APPEL
    assert CITATION_APPEL in ministere.__doc__.replace("\n", " ")


def test_la_decision_du_ministere_l_emporte():
    finales = ministere.decision_finale(
        [
            _comite(1, RETENU, 2_000_000, 1_000_000, "bon projet"),
            _comite(2, LISTE_ATTENTE),
            _comite(3, REFUSE, justification="sous le seuil"),
        ],
        [
            _ministre(2, RETENU, 1_500_000, 0, "priorité régionale"),
            _ministre(3, REFUSE),
        ],
    )
    assert finales[1] == ministere.DecisionFinale(
        RETENU, (2_000_000, 1_000_000), ministere.COMITE, "bon projet", J1, "", "presidence@x.ca"
    )
    assert finales[2] == ministere.DecisionFinale(
        RETENU,
        (1_500_000, 0),
        ministere.MINISTERE,
        "priorité régionale",
        J2,
        "Marie Ministre",
        "ministre@x.ca",
    )
    assert finales[3].source == ministere.MINISTERE and finales[3].raison == ""
    assert finales[2].du_ministere and not finales[1].du_ministere


def test_sans_recommandation_ni_decision_rien():
    assert ministere.decision_finale([], []) == {}
    # Une décision du ministère sans recommandation vaut quand même.
    (finale,) = ministere.decision_finale([], [_ministre(7, REFUSE, raison="x")]).values()
    assert finale.source == ministere.MINISTERE


@pytest.mark.parametrize(
    ("comite", "ministre", "attendu"),
    [
        (_comite(1, RETENU, 10), None, ministere.A_DECIDER),
        (_comite(1, RETENU, 10), _ministre(1, RETENU, 10), ministere.APPROUVEE),
        (_comite(1, RETENU, 10), _ministre(1, RETENU, 9, raison="x"), ministere.MODIFIEE),
        (_comite(1, RETENU, 10), _ministre(1, REFUSE, raison="x"), ministere.MODIFIEE),
        (None, _ministre(1, REFUSE, raison="x"), ministere.MODIFIEE),
        # Le comité a changé sa recommandation (ligne 11) après la décision (sur la ligne 10).
        (
            _comite(1, RETENU, 10, id_=11),
            _ministre(1, RETENU, 10, comite_id=10),
            ministere.A_REVOIR,
        ),
    ],
)
def test_etat(comite, ministre, attendu):
    assert ministere.etat(comite, ministre) == attendu


# (décision, montants, raison, recommandation) permis ; plafond 25 000 $, deux années.
PERMIS = [
    (RETENU, (2_000_000, 1_000_000), "", _comite(1, RETENU, 2_000_000, 1_000_000)),
    (LISTE_ATTENTE, (), "", _comite(1, LISTE_ATTENTE)),
    (RETENU, (PLAFOND, PLAFOND), "plus", _comite(1, RETENU, 2_000_000)),
    (REFUSE, (0, 0), "hors priorités", _comite(1, RETENU, 2_000_000)),
    (RETENU, (0, 1), "an 2 seulement", None),
]
# Leurs jumeaux refusés, avec le motif attendu.
REFUSES = [
    ("accepté", (), "x", None, "décision « accepté » inconnue"),
    (REFUSE, (100, 0), "x", None, "seule une demande retenue reçoit un montant"),
    (RETENU, (-1, 0), "x", None, "ne peut pas être négatif"),
    (RETENU, (PLAFOND + 1, 0), "x", None, "dépasse le plafond"),
    (RETENU, (1, 2, 3), "x", None, "au plus deux années"),
    (REFUSE, (), "", _comite(1, RETENU, 10), "une modification de la recommandation du comité"),
    (REFUSE, (), "  ", _comite(1, RETENU, 10), "demande une raison"),
    (RETENU, (10, 0), "", None, "le comité n'a pas de recommandation"),
    # Interprétation : « la détermination des sommes qui leur seront accordées » ; retenir à
    # 0 $ ne détermine aucune somme.
    (RETENU, (0, 0), "symbolique", None, "une demande retenue reçoit un montant"),
    (RETENU, (), "symbolique", None, "une demande retenue reçoit un montant"),
    (RETENU, (0, 0), "", _comite(1, RETENU), "une demande retenue reçoit un montant"),
]


@pytest.mark.parametrize(("decision", "montants", "raison", "recommandation"), PERMIS)
def test_refus_rien_a_redire(decision, montants, raison, recommandation):
    assert ministere.refus(decision, montants, raison, recommandation, PLAFOND, 2) is None


@pytest.mark.parametrize(("decision", "montants", "raison", "recommandation", "motif"), REFUSES)
def test_refus(decision, montants, raison, recommandation, motif):
    assert motif in ministere.refus(decision, montants, raison, recommandation, PLAFOND, 2)


def test_une_seule_annee():
    assert "ne finance pas d'année 2" in ministere.refus(RETENU, (10, 10), "x", None, PLAFOND, 1)
    assert ministere.refus(RETENU, (10, 0), "x", None, PLAFOND, 1) is None


def test_memes_codes_que_le_comite():
    assert all(
        ministere.refus(d, (100,) if d == RETENU else (), "x", None, PLAFOND, 2) is None
        for d in DECISIONS
    )


def test_resume():
    assert ministere.resume(REFUSE, (0, 0), 2) == REFUSE
    assert ministere.resume(RETENU, (1_800_000, 0), 1).startswith("retenu (18")


@pytest.mark.parametrize(
    ("jour", "recommandation", "depot"),
    [
        (dt.date(2026, 11, 20), _comite(1, RETENU, 10), None),  # le jour même
        (dt.date(2026, 12, 1), _comite(1, RETENU, 10), dt.date(2026, 1, 1)),
        (dt.date(2026, 12, 1), None, dt.date(2026, 1, 1)),
        (dt.date(1999, 1, 1), None, None),  # rien à quoi la comparer
    ],
)
def test_date_de_decision_permise(jour, recommandation, depot):
    assert ministere.refus_date(jour, recommandation, depot) is None


@pytest.mark.parametrize(
    ("jour", "recommandation", "depot", "motif"),
    [
        (
            dt.date(2026, 11, 19),
            _comite(1, RETENU, 10),
            None,
            "précède la recommandation du comité (20 novembre 2026)",
        ),
        (dt.date(1999, 1, 1), _comite(1, REFUSE), dt.date(1998, 1, 1), "1er janvier 1999"),
        (dt.date(1999, 1, 1), None, dt.date(2026, 1, 1), "précède le dépôt de la demande"),
    ],
)
def test_date_de_decision_refusee(jour, recommandation, depot, motif):
    """Interprétation (ordre de la procédure) : le comité recommande, puis le ministère, qui
    « conserve cependant la responsabilité de la sélection définitive des projets », décide ;
    sa décision ne précède ni la recommandation ni (sans recommandation) le dépôt."""
    refus = ministere.refus_date(jour, recommandation, depot)
    assert refus is not None and motif in refus.replace("\u00a0", " "), refus
