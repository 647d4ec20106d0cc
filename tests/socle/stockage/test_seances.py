"""Les tables de la séance (evaluation/socle/stockage/seances.py), sur SQLite et PostgreSQL :
séance et sa version, présents (compte ou nom et fonction), demandes amenées, tri."""

import datetime as dt

import pytest
import sqlalchemy as sa

from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from tests.conftest import DONNEES

VALIDE = DONNEES / "formats" / "valide.xlsx"
LUNDI = dt.datetime(2026, 11, 30, 9, 0)


@pytest.fixture
def ids(moteur, appel):
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


def _ouvrir(moteur, appel) -> int:
    with moteur.begin() as c:
        return stockage.creer_seance(
            {"appel_id": appel.id, "ouverte_le": LUNDI, "ouverte_par": "p@x.ca", "ordre": "rang"},
            connexion=c,
        )


def test_seance_ouverte_version_et_etat_courant(moteur, appel, ids):
    with moteur.connect() as c:
        assert stockage.lire_seance_ouverte(appel.id, connexion=c) is None
        assert stockage.etat_courant(appel.id, connexion=c) is None
    sid = _ouvrir(moteur, appel)
    with moteur.begin() as c:
        assert stockage.etat_courant(appel.id, connexion=c) == (sid, None, 1)
        v = stockage.modifier_seance(sid, {"demande_courante": ids["T-002"]}, connexion=c)
        assert v == 2
    with moteur.connect() as c:
        assert stockage.etat_courant(appel.id, connexion=c) == (sid, ids["T-002"], 2)
        lue = stockage.lire_seance_ouverte(appel.id, connexion=c)
    assert (lue["ordre"], lue["ouverte_par"], lue["fermee_le"]) == ("rang", "p@x.ca", None)
    with moteur.begin() as c:
        stockage.modifier_seance(sid, {"fermee_le": LUNDI, "fermee_par": "p@x.ca"}, connexion=c)
    with moteur.connect() as c:
        assert stockage.etat_courant(appel.id, connexion=c) is None
        assert stockage.lire_seance_ouverte(appel.id, connexion=c) is None
        assert [s["id"] for s in stockage.lire_seances(appel.id, connexion=c)] == [sid]
        assert stockage.lire_seance(sid, connexion=c)["version"] == 3


def test_presences_compte_ou_nom_et_fonction(moteur, appel, ids):
    sid = _ouvrir(moteur, appel)
    commun = {"seance_id": sid, "date": LUNDI, "auteur": "p@x.ca"}
    with moteur.begin() as c:
        un = stockage.ajouter_presence({**commun, "courriel": "m@x.ca"}, connexion=c)
        stockage.ajouter_presence(
            {**commun, "nom": "Marie Roy", "fonction": "secrétaire"}, connexion=c
        )
    with moteur.connect() as c:
        lues = stockage.lire_presences(sid, connexion=c)
    assert [(p["courriel"], p["nom"], p["fonction"]) for p in lues] == [
        ("m@x.ca", None, None),
        (None, "Marie Roy", "secrétaire"),
    ]
    with moteur.begin() as c:
        assert stockage.retirer_presence(un, connexion=c)["courriel"] == "m@x.ca"
        assert stockage.retirer_presence(un, connexion=c) is None
    # Ni compte ni nom : refusé par la base elle-même.
    with pytest.raises(sa.exc.IntegrityError), moteur.begin() as c:
        stockage.ajouter_presence({**commun, "fonction": "secrétaire"}, connexion=c)


def test_discutees_et_triage_dans_l_ordre(moteur, appel, ids):
    sid = _ouvrir(moteur, appel)
    t1, t2 = ids["T-001"], ids["T-002"]
    with moteur.begin() as c:
        stockage.ajouter_discutee(
            {"seance_id": sid, "demande_id": t2, "moment": LUNDI}, connexion=c
        )
        stockage.ajouter_discutee(
            {"seance_id": sid, "demande_id": t1, "moment": LUNDI}, connexion=c
        )
        stockage.ajouter_triage(
            [
                {
                    "seance_id": sid,
                    "demande_id": t1,
                    "etat": "non discutée",
                    "date": LUNDI,
                    "auteur": "p@x.ca",
                },
                {
                    "seance_id": sid,
                    "demande_id": t1,
                    "etat": "ramenée",
                    "date": LUNDI,
                    "auteur": "m@x.ca",
                },
            ],
            connexion=c,
        )
        stockage.ajouter_triage([], connexion=c)
    with moteur.connect() as c:
        assert [x["demande_id"] for x in stockage.lire_discutees(sid, connexion=c)] == [t2, t1]
        assert [(x["etat"], x["auteur"]) for x in stockage.lire_triage(sid, connexion=c)] == [
            ("non discutée", "p@x.ca"),
            ("ramenée", "m@x.ca"),
        ]


def test_demande_supprimee_libere_la_demande_en_cours(moteur, appel, ids):
    """Une demande retirée de la base (réimportation) : la séance reste, sans demande en
    cours ; ses passages et son tri disparaissent avec elle."""
    sid = _ouvrir(moteur, appel)
    t1 = ids["T-001"]
    with moteur.begin() as c:
        stockage.modifier_seance(sid, {"demande_courante": t1}, connexion=c)
        stockage.ajouter_discutee(
            {"seance_id": sid, "demande_id": t1, "moment": LUNDI}, connexion=c
        )
        stockage.supprimer_demandes([t1], connexion=c)
    with moteur.connect() as c:
        assert stockage.etat_courant(appel.id, connexion=c) == (sid, None, 2)
        assert stockage.lire_discutees(sid, connexion=c) == []
