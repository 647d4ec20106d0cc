"""Lectures et écritures du comité (stockage/comite.py, issue 16) : les déclarations
acceptées et les conflits d'une demande, sur SQLite et PostgreSQL."""

import datetime as dt

from evaluation.socle import stockage
from tests.socle.stockage.conftest import _demande

T = dt.datetime(2026, 11, 24, 9, 0)


def _declaration(appel_id, courriel, jour, empreinte="e" * 64, interets="aucun"):
    return {
        "appel_id": appel_id,
        "courriel": courriel,
        "role": "president",
        "interets": interets,
        "empreinte": empreinte,
        "date": T + dt.timedelta(days=jour),
    }


def test_declarations_lues_par_appel_et_par_courriel_dans_l_ordre(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        # Écrites dans le désordre : la lecture les rend par date.
        stockage.ajouter_declaration(_declaration(appel.id, "p@x.ca", 2, "b" * 64), connexion=c)
        stockage.ajouter_declaration(_declaration(appel.id, "p@x.ca", 0, "a" * 64), connexion=c)
        stockage.ajouter_declaration(_declaration(appel.id, "o@x.ca", 1), connexion=c)
        stockage.ajouter_declaration(_declaration("autre-appel", "p@x.ca", 1), connexion=c)
    with moteur.connect() as c:
        toutes = stockage.lire_declarations(appel.id, connexion=c)
        de_p = stockage.lire_declarations(appel.id, connexion=c, courriel="p@x.ca")
        personne = stockage.lire_declarations(appel.id, connexion=c, courriel="z@x.ca")
    assert [(d["courriel"], d["date"]) for d in toutes] == [
        ("p@x.ca", T),
        ("o@x.ca", T + dt.timedelta(days=1)),
        ("p@x.ca", T + dt.timedelta(days=2)),
    ]
    assert [d["empreinte"] for d in de_p] == ["a" * 64, "b" * 64]
    assert de_p[0]["interets"] == "aucun" and de_p[0]["role"] == "president"
    assert personne == []


def test_declaration_sans_caracteres_de_controle(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        stockage.ajouter_declaration(
            _declaration(appel.id, "p@x.ca", 0, interets="Ville\x00 de Laval"), connexion=c
        )
    with moteur.connect() as c:
        (lue,) = stockage.lire_declarations(appel.id, connexion=c)
    assert lue["interets"] == "Ville de Laval"


def test_conflits_d_une_demande(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        ids = stockage.inserer_demandes(appel.id, [_demande("A-1"), _demande("A-2")], connexion=c)
        for demande, qui, jour in [
            ("A-1", "p@x.ca", 1),
            ("A-2", "eva", 0),
            ("A-1", "Jean Tremblay", 0),
        ]:
            stockage.ajouter_conflit(
                {
                    "appel_id": appel.id,
                    "demande_id": ids[demande],
                    "evaluateur": qui,
                    "raison": f"lien {qui}",
                    "date": T + dt.timedelta(days=jour),
                    "auteur": "p@x.ca",
                },
                connexion=c,
            )
    with moteur.connect() as c:
        a1 = stockage.lire_conflits_de_la_demande(ids["A-1"], connexion=c)
        a2 = stockage.lire_conflits_de_la_demande(ids["A-2"], connexion=c)
    assert [(x["evaluateur"], x["raison"]) for x in a1] == [
        ("Jean Tremblay", "lien Jean Tremblay"),
        ("p@x.ca", "lien p@x.ca"),
    ]
    assert [x["evaluateur"] for x in a2] == ["eva"]


# --- Notes de consensus (issue 16, point 4) ---------------------------------------------------


def _consensus(appel_id, demande_id, critere, note, minute, motifs="accord"):
    return {
        "appel_id": appel_id,
        "demande_id": demande_id,
        "critere": critere,
        "note": note,
        "justification": motifs,
        "date": T + dt.timedelta(minutes=minute),
        "auteur": "p@x.ca",
    }


def test_consensus_le_dernier_de_chaque_critere_compte(moteur, appel):
    """En ajout seul : la lecture rend la dernière note de chaque demande et critère ;
    l'historique garde les remplacées ; une demande retirée n'a plus de consensus lu ; un
    autre appel n'est pas lu."""
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        ids = stockage.inserer_demandes(
            appel.id, [_demande("A-1"), _demande("A-2"), _demande("A-3")], connexion=c
        )
        a1, a2, a3 = ids["A-1"], ids["A-2"], ids["A-3"]
        stockage.ajouter_consensus(
            [
                _consensus(appel.id, a1, "pertinence", 7.0, 0),
                _consensus(appel.id, a1, "coherence", 6.5, 0),
                _consensus(appel.id, a2, "pertinence", 5.0, 0),
                _consensus(appel.id, a3, "pertinence", 9.0, 0),
                _consensus("autre-appel", a1, "capacite", 1.0, 0),
            ],
            connexion=c,
        )
        stockage.ajouter_consensus(
            [_consensus(appel.id, a1, "pertinence", 8.5, 5, "revu\x00 en séance")], connexion=c
        )
        stockage.ajouter_consensus([], connexion=c)  # rien à inscrire : rien d'écrit
        stockage.marquer_retrait(a3, {"retiree_le": T, "retiree_par": "x"}, connexion=c)
    with moteur.connect() as c:
        lus = stockage.lire_consensus(appel.id, connexion=c)
        notes_seules = stockage.lire_consensus(appel.id, connexion=c, motifs=False)
        historique = stockage.lire_historique_consensus(a1, connexion=c)
    assert [set(x) for x in notes_seules] == [{"id", "demande_id", "critere", "note"}] * 3
    assert [x["note"] for x in notes_seules] == [x["note"] for x in lus]
    assert sorted((x["demande_id"], x["critere"], x["note"]) for x in lus) == sorted(
        [(a1, "pertinence", 8.5), (a1, "coherence", 6.5), (a2, "pertinence", 5.0)]
    )
    assert [x["note"] for x in historique if x["critere"] == "pertinence"] == [7.0, 8.5]
    assert historique[-1]["justification"] == "revu en séance"
    assert historique[-1]["date"] == T + dt.timedelta(minutes=5)
    assert len(historique) == 4  # l'autre appel garde sa ligne sur la même demande


def test_consensus_suit_la_demande_supprimee(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        a1 = stockage.inserer_demandes(appel.id, [_demande("A-1")], connexion=c)["A-1"]
        stockage.ajouter_consensus([_consensus(appel.id, a1, "pertinence", 7.0, 0)], connexion=c)
        stockage.supprimer_demandes([a1], connexion=c)
    with moteur.connect() as c:
        assert stockage.lire_consensus(appel.id, connexion=c) == []
        assert stockage.lire_historique_consensus(a1, connexion=c) == []
