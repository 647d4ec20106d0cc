"""Pour les tests de ce qui suit la décision du ministère (lettres, conventions) : la
décision du ministère inscrite telle que le comité l'a recommandée, directement dans la base
(le parcours de l'autorité, verrou compris, est testé dans tests/decision/
test_decisions_ministre.py)."""

import datetime as dt

from evaluation.socle import stockage

AUTORITE = "Marie Ministre"


def recommander(moteur, appel, demande_id, decision, an1=0, an2=0) -> None:
    """Une recommandation du comité inscrite directement (le 1er mai 2024, par la
    présidence), montants en cents."""
    with stockage.ecriture(moteur) as connexion:
        stockage.ajouter_decision(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "decision": decision,
                "montant_an1": an1,
                "montant_an2": an2,
                "justification": None,
                "date": dt.datetime(2024, 5, 1),
                "auteur": "president@exemple.qc.ca",
            },
            connexion=connexion,
        )


def approuver_les_recommandations(moteur, appel, *, date=dt.datetime(2024, 6, 1)) -> None:
    """Le ministère approuve chaque recommandation du comité, montants compris."""
    with stockage.ecriture(moteur) as connexion:
        recommandations = stockage.lire_decisions(appel.id, connexion=connexion)
        stockage.ajouter_decisions_ministre(
            [
                {
                    "appel_id": appel.id,
                    "demande_id": int(r["demande_id"]),
                    "decision": r["decision"],
                    "montant_an1": int(r["montant_an1"]),
                    "montant_an2": int(r["montant_an2"]),
                    "raison": None,
                    "autorite": AUTORITE,
                    "decision_comite_id": int(r["id"]) if r.get("id") is not None else None,
                    "date": date,
                    "auteur": "admin@exemple.qc.ca",
                }
                for r in recommandations
            ],
            connexion=connexion,
        )
