"""La décision du ministère après la recommandation du comité (issue 17, point 1) : des règles
sur des données, sans base.

L'appel : « Le ministère des Relations internationales et de la Francophonie conserve
cependant la responsabilité de la sélection définitive des projets et de la détermination des
sommes qui leur seront accordées. » Ce que le comité inscrit (table `decisions`) est donc sa
recommandation ; la décision qui compte (« financé ») est celle du ministère dès qu'il y en a
une, sinon la recommandation du comité (`decision_finale`).

Interprétations (l'appel ne dit que la phrase ci-dessus) :
- le ministère approuve la recommandation telle quelle, ou la modifie (autre décision, autres
  montants) ; une modification dit toujours pourquoi (`raison`) ;
- il décide avec les mêmes codes que le comité (`financement.DECISIONS`) et sous les mêmes
  plafonds annuels (celui de l'appel plus la bonification de la demande) ; seule une demande
  retenue reçoit un montant ;
- il décide sur les recommandations finales du comité : une fois les décisions du comité
  verrouillées (vérifié par `decision.decisions_ministre`).

Les montants sont en cents, par année financière (an 1, an 2), comme dans `decisions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evaluation.decision.financement import DECISIONS, RETENU
from evaluation.socle.formats import date as date_lisible
from evaluation.socle.formats import montant

MINISTERE, COMITE = "ministere", "comite"
SOURCES = {MINISTERE: "décision du ministère", COMITE: "recommandation du comité"}
CITATION = (
    "conserve cependant la responsabilité de la sélection définitive des projets et de la "
    "détermination des sommes qui leur seront accordées"
)

# L'état d'une demande face au ministère, pour la page et les exportations.
A_DECIDER, APPROUVEE, MODIFIEE, A_REVOIR = (
    "à décider",
    "approuvée",
    "modifiée",
    "recommandation changée depuis",
)


@dataclass(frozen=True)
class DecisionFinale:
    """Ce qui vaut pour une demande : la décision du ministère s'il y en a une (`source`
    « ministere »), sinon la recommandation du comité (« comite »).

    `decision` : « retenu », « liste d'attente » ou « refusé » ; `montants` : (an 1, an 2) en
    cents, (0, 0) hors « retenu », an 2 à 0 pour un appel d'une année ; `raison` : celle du
    ministère (modification), ou la justification du comité ; `date` : celle de la décision
    qui vaut ; `autorite` : le nom de l'autorité qui a décidé ("" pour le comité) ; `auteur` :
    le compte qui l'a inscrite."""

    decision: str
    montants: tuple[int, int]
    source: str
    raison: str
    date: dt.datetime | None
    autorite: str = ""
    auteur: str = ""

    @property
    def du_ministere(self) -> bool:
        return self.source == MINISTERE


def _montants(ligne: Mapping) -> tuple[int, int]:
    return (int(ligne.get("montant_an1") or 0), int(ligne.get("montant_an2") or 0))


def decision_finale(
    recommandations: Iterable[Mapping], decisions_ministre: Iterable[Mapping]
) -> dict[int, DecisionFinale]:
    """demande_id → la décision qui vaut.

    `recommandations` : les lignes de `stockage.lire_decisions` (la dernière recommandation
    du comité par demande : demande_id, decision, montant_an1, montant_an2, justification,
    date, auteur) ; `decisions_ministre` : celles de `stockage.lire_decisions_ministre` (la
    dernière décision du ministère par demande : mêmes colonnes, `raison` et `autorite` au
    lieu de `justification`). Une demande sans l'une ni l'autre n'est pas dans le résultat.

    L'appel : le ministère « conserve cependant la responsabilité de la sélection définitive des
    projets et de la détermination des sommes » : sa décision l'emporte sur la
    recommandation."""
    finales: dict[int, DecisionFinale] = {}
    for r in recommandations:
        finales[int(r["demande_id"])] = DecisionFinale(
            str(r["decision"]),
            _montants(r),
            COMITE,
            str(r.get("justification") or ""),
            r.get("date"),
            "",
            str(r.get("auteur") or ""),
        )
    for m in decisions_ministre:
        finales[int(m["demande_id"])] = DecisionFinale(
            str(m["decision"]),
            _montants(m),
            MINISTERE,
            str(m.get("raison") or ""),
            m.get("date"),
            str(m.get("autorite") or ""),
            str(m.get("auteur") or ""),
        )
    return finales


def est_approbation(
    decision: str, montants: tuple[int, ...], recommandation: Mapping | None
) -> bool:
    """Vrai si (`decision`, `montants`) reprend la recommandation du comité telle quelle."""
    if recommandation is None:
        return False
    m = (*(int(x) for x in montants), 0, 0)[:2]
    return decision == recommandation["decision"] and m == _montants(recommandation)


def etat(recommandation: Mapping | None, decision_ministre: Mapping | None) -> str:
    """« à décider », « approuvée », « modifiée », ou « recommandation changée depuis » quand
    le comité a inscrit une autre recommandation après la décision du ministère (décisions
    rouvertes puis changées)."""
    if decision_ministre is None:
        return A_DECIDER
    if (
        recommandation is not None
        and decision_ministre.get("decision_comite_id") is not None
        and int(decision_ministre["decision_comite_id"]) != int(recommandation["id"])
    ):
        return A_REVOIR
    if est_approbation(decision_ministre["decision"], _montants(decision_ministre), recommandation):
        return APPROUVEE
    return MODIFIEE


def refus(
    decision: str,
    montants: tuple[int, ...],
    raison: str,
    recommandation: Mapping | None,
    plafond: int,
    annees: int,
) -> str | None:
    """Pourquoi le ministère ne peut pas inscrire (`decision`, `montants`) sur une demande
    (None s'il le peut). `recommandation` : la dernière recommandation du comité (None :
    aucune) ; `plafond` : le plafond annuel de la demande (celui du comité) ; `annees` :
    celles que l'appel finance.

    Interprétations : mêmes codes et mêmes plafonds que le comité ; seule une demande
    retenue reçoit un montant, et une demande retenue en reçoit un (pas « retenu » à 0 $ :
    le ministère détermine « les sommes qui leur seront accordées ») ; une décision qui
    s'écarte de la recommandation (ou sans recommandation) est une modification et demande
    une raison."""
    if decision not in DECISIONS:
        return f"décision « {decision} » inconnue ({', '.join(DECISIONS)})."
    m = tuple(int(x) for x in montants) + (0,) * (2 - len(montants))
    if len(m) > 2:
        return "l'appel finance au plus deux années."
    if decision != RETENU and any(m):
        return "seule une demande retenue reçoit un montant."
    if decision == RETENU and not any(m):
        # Interprétation : l'appel confie au ministère « la détermination des sommes qui
        # leur seront accordées » ; une demande retenue à 0 $ n'a aucune somme déterminée.
        return (
            "une demande retenue reçoit un montant : inscrivez le montant accordé d'au moins "
            "une année, ou choisissez « liste d'attente » ou « refusé »."
        )
    for annee, v in enumerate(m, 1):
        if v < 0:
            return "un montant accordé ne peut pas être négatif."
        if annee > annees and v:
            return f"l'appel ne finance pas d'année {annee} : son montant doit être 0 $."
        if v > plafond:
            return (
                f"{montant(v)} pour l'année {annee} dépasse le plafond de {montant(plafond)} "
                "par année (le même que pour le comité)."
            )
    if not est_approbation(decision, m, recommandation) and not (raison or "").strip():
        if recommandation is None:
            return (
                "le comité n'a pas de recommandation sur cette demande : une décision du "
                "ministère demande alors une raison."
            )
        return "une modification de la recommandation du comité demande une raison."
    return None


def refus_date(
    jour: dt.date, recommandation: Mapping | None, depot: dt.date | None = None
) -> str | None:
    """Pourquoi la décision du ministère ne peut pas porter la date `jour` (None : elle le
    peut) : elle ne précède pas la recommandation du comité sur laquelle elle porte, ni
    (sans recommandation) le dépôt de la demande (`depot`).

    Interprétation (ordre de la procédure) : le comité recommande, puis le ministère, qui
    « conserve cependant la responsabilité de la sélection définitive des projets »,
    décide ; une décision antérieure à la recommandation est une erreur de saisie."""
    quand = recommandation.get("date") if recommandation is not None else None
    if isinstance(quand, dt.datetime):
        quand = quand.date()
    if isinstance(quand, dt.date) and jour < quand:
        return (
            f"la date de la décision ({date_lisible(jour)}) précède la recommandation du "
            f"comité ({date_lisible(quand)}) : le ministère décide après le comité. "
            "Vérifiez la date."
        )
    if isinstance(depot, dt.datetime):
        depot = depot.date()
    if recommandation is None and isinstance(depot, dt.date) and jour < depot:
        return (
            f"la date de la décision ({date_lisible(jour)}) précède le dépôt de la demande "
            f"({date_lisible(depot)}) : vérifiez la date."
        )
    return None


def resume(decision: str, montants: tuple[int, ...], annees: int) -> str:
    """« retenu (18 000 $) », « retenu (18 000 $, 10 000 $) », « refusé » : pour le journal
    et les messages."""
    if decision != RETENU:
        return decision
    return f"{decision} ({', '.join(montant(int(v)) for v in montants[:annees])})"
