"""Ce que le comité déclare (decision/declarations.py, issue 16) : la déclaration d'intérêts
et l'engagement de confidentialité, une fois par appel et datés, et les conflits d'intérêts
sur une demande, dans la table des conflits des évaluateurs ; sur SQLite et PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from evaluation.decision import declarations
from evaluation.decision.comite import Texte
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.roles import EVALUATEUR, OBSERVATEUR, PRESIDENT

T = dt.datetime(2026, 11, 24, 9, 0)
MOT_DE_PASSE = "cheval agrafe batterie correcte"


def _journal(moteur, appel, objet):
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id)
    return j[j["objet"] == objet].reset_index(drop=True)


def _accepter(appel, moteur, courriel="p@x.ca", role=PRESIDENT, interets="aucun", **cases):
    declarations.accepter(
        appel,
        courriel,
        role,
        interets,
        interets_acceptes=cases.get("interets_acceptes", True),
        confidentialite_acceptee=cases.get("confidentialite_acceptee", True),
        moteur=moteur,
        maintenant=T,
    )


def test_accepter_une_fois_par_appel_date_et_journalise(moteur, appel):
    assert declarations.acceptation(appel, "p@x.ca", moteur=moteur) is None
    _accepter(appel, moteur, interets=" Conseil de Rimouski ")
    lue = declarations.acceptation(appel, "p@x.ca", moteur=moteur)
    assert (lue["date"], lue["role"], lue["interets"]) == (T, PRESIDENT, "Conseil de Rimouski")
    assert lue["empreinte"] == declarations.textes(appel).empreinte
    # Pour cet appel et cette personne seulement.
    assert declarations.acceptation(appel, "o@x.ca", moteur=moteur) is None
    assert declarations.acceptation(replace(appel, id="autre"), "p@x.ca", moteur=moteur) is None
    journal = _journal(moteur, appel, "declaration_comite")
    assert journal[["auteur", "nouveau"]].values.tolist() == [
        [
            "p@x.ca",
            "Déclaration générale d'intérêts et engagement de confidentialité acceptés ; "
            "intérêts déclarés : Conseil de Rimouski",
        ]
    ]
    # Une seconde acceptation des mêmes textes n'écrit rien.
    _accepter(appel, moteur, interets="autre chose")
    with moteur.connect() as c:
        assert len(stockage.lire_declarations(appel.id, connexion=c)) == 1
    assert len(_journal(moteur, appel, "declaration_comite")) == 1


def test_des_textes_changes_se_reacceptent(moteur, appel, monkeypatch):
    _accepter(appel, moteur)
    vrais = declarations.textes(appel)
    changes = replace(vrais, confidentialite=Texte(vrais.confidentialite.titre, "Nouveau texte."))
    monkeypatch.setattr(declarations, "textes", lambda _appel: changes)
    assert declarations.acceptation(appel, "p@x.ca", moteur=moteur) is None
    _accepter(appel, moteur)
    assert declarations.acceptation(appel, "p@x.ca", moteur=moteur)["empreinte"] == (
        changes.empreinte
    )


@pytest.mark.parametrize(
    ("role", "interets", "cases", "message"),
    [
        pytest.param(
            PRESIDENT,
            "aucun",
            {"interets_acceptes": False},
            "cochez « déclaration générale d'intérêts »",
            id="declaration-non-cochee",
        ),
        pytest.param(
            PRESIDENT,
            "aucun",
            {"confidentialite_acceptee": False},
            "cochez « engagement de confidentialité »",
            id="confidentialite-non-cochee",
        ),
        pytest.param(PRESIDENT, "  ", {}, "« aucun »", id="interets-vides"),
        pytest.param(PRESIDENT, "x" * 10_001, {}, "10000 au plus", id="interets-trop-longs"),
        pytest.param(EVALUATEUR, "aucun", {}, "seuls la présidence", id="evaluateur"),
    ],
)
def test_accepter_refuse(moteur, appel, role, interets, cases, message):
    with pytest.raises(declarations.ErreurDeclaration, match=message):
        _accepter(appel, moteur, role=role, interets=interets, **cases)
    assert declarations.acceptation(appel, "p@x.ca", moteur=moteur) is None
    assert _journal(moteur, appel, "declaration_comite").empty


def test_conflits_du_comite_dans_la_table_des_conflits(moteur, appel, demandes):
    """Un compte du comité et une personne sans compte déclarent un conflit ; celui d'un
    évaluateur reste aux attributions et n'est pas une récusation du comité."""
    creer_compte("p@x.ca", PRESIDENT, MOT_DE_PASSE, moteur=moteur, nom="Paule Présidente")
    creer_compte("o@x.ca", OBSERVATEUR, MOT_DE_PASSE, moteur=moteur, nom="Olivier Observateur")
    creer_compte("e@x.ca", EVALUATEUR, MOT_DE_PASSE, moteur=moteur, nom="Éva")
    t1, t2 = demandes["T-001"], demandes["T-002"]
    declarations.declarer_conflit(
        appel, t1, "o@x.ca", "son employeur", moteur=moteur, auteur="o@x.ca", maintenant=T
    )
    declarations.declarer_conflit(
        appel, t2, "  Jean   Tremblay ", "voisin", moteur=moteur, auteur="p@x.ca", maintenant=T
    )
    declarations.declarer_conflit(
        appel, t1, "e@x.ca", "ancien emploi", moteur=moteur, auteur="e@x.ca", maintenant=T
    )
    with pytest.raises(declarations.ErreurDeclaration, match="déjà inscrit"):
        declarations.declarer_conflit(appel, t1, "o@x.ca", "x", moteur=moteur, auteur="o@x.ca")
    with pytest.raises(declarations.ErreurDeclaration, match="raison"):
        declarations.declarer_conflit(appel, t2, "p@x.ca", " ", moteur=moteur, auteur="p@x.ca")
    with pytest.raises(declarations.ErreurDeclaration, match="nommez"):
        declarations.declarer_conflit(appel, t2, " ", "x", moteur=moteur, auteur="p@x.ca")

    assert sorted(
        (x["demande_id"], x["qui"], x["nom"], x["role"], x["raison"], x["date"])
        for x in declarations.recusations_du_comite(appel.id, moteur=moteur)
    ) == sorted(
        [
            (t1, "o@x.ca", "Olivier Observateur", "observation", "son employeur", T),
            (t2, "Jean Tremblay", "Jean Tremblay", "sans compte", "voisin", T),
        ]
    )
    assert [c["evaluateur"] for c in declarations.conflits_de_la_demande(t1, moteur=moteur)] == [
        "o@x.ca",
        "e@x.ca",
    ]
    journal = _journal(moteur, appel, "conflit")
    assert sorted(journal["evaluateur"]) == ["Jean Tremblay", "e@x.ca", "o@x.ca"]


def test_une_decision_inscrite_avant_la_declaration_est_signalee(moteur, appel, demandes):
    """La présidence décide de T-001 le 1er, puis déclare un conflit sur elle le 2 : la
    récusation porte la décision antérieure. Celle d'une autre personne, ou d'après la
    déclaration, ou sur une autre demande, n'y est pas."""
    creer_compte("p@x.ca", PRESIDENT, MOT_DE_PASSE, moteur=moteur, nom="Paule Présidente")
    t1, t2 = demandes["T-001"], demandes["T-002"]
    premier, deux, trois = (dt.datetime(2026, 11, j, 10, 0) for j in (1, 2, 3))
    with stockage.ecriture(moteur, stockage.decisions, lourde=False) as c:
        for d, quand, qui in (
            (t1, premier, "P@x.ca"),
            (t1, premier, "autre@x.ca"),
            (t1, trois, "p@x.ca"),
            (t2, premier, "p@x.ca"),
        ):
            stockage.ajouter_decision(
                {
                    "appel_id": appel.id,
                    "demande_id": d,
                    "decision": "liste d'attente",
                    "montant_an1": 0,
                    "montant_an2": 0,
                    "date": quand,
                    "auteur": qui,
                },
                connexion=c,
            )
    declarations.declarer_conflit(
        appel, t1, "p@x.ca", "sa fille y travaille", moteur=moteur, auteur="p@x.ca", maintenant=deux
    )
    (r,) = declarations.recusations_du_comite(appel.id, moteur=moteur)
    assert r["decide_avant"] == [premier]
