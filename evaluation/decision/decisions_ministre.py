"""Ce que le ministère inscrit après le comité (issue 17, point 1) : l'approbation ou la
modification de chaque recommandation du comité, une à une ou en lot. Chaque fonction lit
l'état, applique les règles de `decision.ministere`, et écrit avec le journal en une
transaction : tout ou rien ; une écriture d'après une vue périmée est refusée
(`socle.concurrence`).

L'appel : le ministère « conserve cependant la responsabilité de la sélection définitive des projets
et de la détermination des sommes ». Interprétations : l'autorité ministérielle (rôle
`autorite`), ou l'administration en son nom (les deux noms gardés : `autorite`, le nom saisi ;
`auteur`, le compte), décide sur les recommandations finales du comité, donc une fois ses
décisions verrouillées ; mêmes plafonds que le comité (`decisions._plafond_de`) ; seule une
demande jugée admissible est retenue (`decisions._refuser_retenue_inadmissible` : ni
inadmissible, ni « à établir ») ; la décision ne précède pas la recommandation du comité."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from evaluation.appels.configuration import Appel
from evaluation.decision import ministere
from evaluation.decision import suivi_financier as regles_suivi
from evaluation.decision.decisions import (
    _changements,
    _demande,
    _plafond_de,
    _refuser_retenue_inadmissible,
)
from evaluation.decision.financement import (
    RETENU,
    ErreurFinancement,
    FinancementPerime,
    nombre_annees,
)
from evaluation.socle import droits, stockage
from evaluation.socle.concurrence import verifier_version
from evaluation.socle.formats import date as date_lisible
from evaluation.socle.roles import ADMIN
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import trop_long


class ErreurDecisionMinistere(ErreurFinancement):
    """Une décision du ministère qui ne peut pas s'inscrire ; le message dit pourquoi."""


def version(decisions_ministre: list[dict], demande_id: int | None = None) -> int:
    """La version de la décision du ministère d'une demande (identifiant de sa dernière
    ligne, 0 sans décision) ; sans `demande_id`, celle de l'ensemble de l'appel."""
    return max(
        (
            int(d["id"])
            for d in decisions_ministre
            if demande_id is None or int(d["demande_id"]) == demande_id
        ),
        default=0,
    )


def _refuser_role(role: str | None) -> None:
    if not droits.peut_decider_pour_le_ministere(role):
        raise ErreurDecisionMinistere(
            "la décision du ministère revient à l'autorité ministérielle (ou à "
            "l'administration en son nom) : votre compte ne peut pas l'inscrire."
        )


def _verifier_saisie(autorite: str, raison: str, jour: dt.date | None, instant) -> str:
    nom = (autorite or "").strip()
    if not nom:
        raise ErreurDecisionMinistere(
            "le nom de l'autorité qui décide est exigé (champ « Autorité ») : inscrivez la "
            "personne qui a signé la décision."
        )
    for texte, quoi in ((nom, "Le nom de l'autorité"), (raison, "La raison")):
        if long := trop_long(texte, quoi):
            raise ErreurDecisionMinistere(long)
    if jour is not None and jour > instant.date():
        raise ErreurDecisionMinistere(
            f"la date de la décision ({date_lisible(jour)}) est dans l'avenir : inscrivez la "
            "date où l'autorité a décidé, aujourd'hui au plus tard."
        )
    return nom


def _exiger_verrou(appel_id: str, connexion) -> None:
    """Interprétation : le ministère décide sur les recommandations finales du comité, donc
    une fois les décisions du comité verrouillées par la présidence."""
    reglages = stockage.lire_reglages_evaluation(appel_id, connexion=connexion) or {}
    if not reglages.get("decisions_verrouillees"):
        raise ErreurDecisionMinistere(
            "les recommandations du comité ne sont pas encore verrouillées : le ministère "
            "décide sur les recommandations finales. Demandez à la présidence de verrouiller "
            "les décisions du comité (page Classement)."
        )


def _quand(instant: dt.datetime, jour: dt.date | None) -> dt.datetime:
    """La date de la décision : l'instant de l'inscription, ou le jour donné (à minuit)
    quand l'autorité a décidé avant."""
    if jour is None or jour == instant.date():
        return instant
    return dt.datetime.combine(jour, dt.time())


def _ligne_journal(
    appel: Appel,
    ligne: dict,
    avant: dict | None,
    recommandation: dict | None,
    *,
    role: str | None,
    instant: dt.datetime,
    groupee: bool = False,
) -> dict:
    annees = nombre_annees(appel)
    montants = (ligne["montant_an1"], ligne["montant_an2"])
    quoi = (
        "approuvée"
        if ministere.est_approbation(ligne["decision"], montants, recommandation)
        else "modifiée"
    )
    texte = (
        f"{quoi} : {ministere.resume(ligne['decision'], montants, annees)} ; autorité : "
        f"{ligne['autorite']}, décision du {date_lisible(ligne['date'].date())}"
    )
    if ligne["raison"]:
        texte += f" ; raison : {ligne['raison']}"
    if groupee:
        texte += " (approbation groupée)"
    if role == ADMIN:
        texte += " (inscrite par l'administration au nom de l'autorité)"
    return stockage.ligne_journal(
        instant,
        ligne["auteur"],
        "decision_ministre",
        ministere.resume(avant["decision"], (avant["montant_an1"], avant["montant_an2"]), annees)
        if avant
        else None,
        texte,
        appel_id=appel.id,
        demande_id=ligne["demande_id"],
    )


def _trop_payes(appel: Appel, d: dict, montants: tuple[int, int], connexion) -> list[str]:
    """L'avertissement d'une décision qui accorde moins que ce qui est déjà versé (liste
    vide : aucun). Pas un refus : le ministère « conserve […] la responsabilité […] de la
    détermination des sommes » ; le trop-payé est à régulariser (page Conventions)."""
    verses = regles_suivi.verses_par_annee(
        stockage.lire_versements(appel.id, connexion=connexion, demande_id=int(d["id"]))
    )
    if not (trop := regles_suivi.trop_payes(appel, montants, verses)):
        return []
    return [
        f"Attention : {d['no_demande']} a déjà reçu plus que ce que cette décision accorde "
        f"({regles_suivi.lecture_trop_payes(appel, trop)}) : le trop-payé est à régulariser "
        "(page Conventions et versements)."
    ]


def _decision_lisible(x: dict) -> str:
    return f"{x['decision']} par {x['autorite']}" + (f" ({x['raison']})" if x.get("raison") else "")


def decider(
    appel: Appel,
    demande_id: int,
    decision: str,
    montants: tuple[int, ...],
    raison: str,
    *,
    autorite: str,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    jour: dt.date | None = None,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
    recommandation_attendue: int | None = None,
) -> list[str]:
    """Inscrit la décision du ministère sur une demande : la recommandation du comité
    approuvée telle quelle, ou modifiée (autre décision, autres montants en cents par année)
    avec une `raison` (`ministere.refus`). `autorite` : le nom de l'autorité qui décide ;
    `jour` : la date de sa décision (aujourd'hui par défaut, jamais dans l'avenir).

    Refusée : à un compte qui n'est ni l'autorité ni l'administration (`role`) ; avant le
    verrouillage des décisions du comité ; pour une demande retirée ou hors de l'appel ; pour
    une demande qu'on retiendrait sans qu'elle soit jugée admissible (inadmissible ou « à
    établir ») ; « retenu » à 0 $ ; au-dessus du plafond de la demande.
    `version_attendue` (`version`, par demande) : refusée si le ministère a décidé depuis
    l'affichage ; `recommandation_attendue` (identifiant de la recommandation affichée, 0 :
    aucune) : refusée si le comité en a inscrit une autre depuis ; datée d'avant la
    recommandation du comité (`ministere.refus_date`). Journalisée (« decision_ministre »).

    Rend les avertissements (liste vide : aucun) : une décision qui accorde moins que ce
    qui est déjà versé pour une année s'inscrit (le ministère détermine les sommes), mais
    le trop-payé est dit (`suivi_financier.trop_payes`, interprétation)."""
    _refuser_role(role)
    instant = maintenant or stockage.maintenant()
    nom = _verifier_saisie(autorite, raison, jour, instant)
    annees = nombre_annees(appel)
    m = tuple(int(x) for x in montants) + (0,) * (2 - len(montants))
    with stockage.ecriture(
        moteur, stockage.decisions_ministre, stockage.decisions, lourde=False
    ) as connexion:
        _exiger_verrou(appel.id, connexion)
        d = _demande(appel.id, demande_id, connexion, ErreurDecisionMinistere)
        cles = {"appel_id": appel.id, "demande_id": demande_id}
        verifier_version(
            f"La décision du ministère sur {d['no_demande']}",
            stockage.derniere_ligne(stockage.decisions_ministre, connexion=connexion, **cles),
            version_attendue,
            lambda: _changements(
                stockage.decisions_ministre, version_attendue, cles, _decision_lisible, connexion
            ),
            feminin=True,
            erreur=FinancementPerime,
        )
        recommandation = next(
            (
                x
                for x in stockage.lire_decisions(appel.id, connexion=connexion)
                if int(x["demande_id"]) == demande_id
            ),
            None,
        )
        verifier_version(
            f"La recommandation du comité sur {d['no_demande']}",
            int(recommandation["id"]) if recommandation else 0,
            recommandation_attendue,
            lambda: _changements(
                stockage.decisions,
                recommandation_attendue,
                cles,
                lambda x: (
                    f"{x['decision']}"
                    + (f" ({x['justification']})" if x.get("justification") else "")
                ),
                connexion,
            ),
            feminin=True,
            erreur=FinancementPerime,
        )
        if motif := ministere.refus(
            decision, m, raison, recommandation, _plafond_de(appel, d, connexion), annees
        ):
            raise ErreurDecisionMinistere(f"{d['no_demande']} : {motif}")
        if motif := ministere.refus_date(
            _quand(instant, jour).date(), recommandation, d.get("date_depot")
        ):
            raise ErreurDecisionMinistere(f"{d['no_demande']} : {motif}")
        if decision == RETENU:
            _refuser_retenue_inadmissible([d], connexion)
        avertissements = _trop_payes(appel, d, m if decision == RETENU else (0, 0), connexion)
        avant = next(
            (
                x
                for x in stockage.lire_decisions_ministre(appel.id, connexion=connexion)
                if int(x["demande_id"]) == demande_id
            ),
            None,
        )
        ligne = {
            "appel_id": appel.id,
            "demande_id": demande_id,
            "decision": decision,
            "montant_an1": m[0],
            "montant_an2": m[1],
            "raison": (raison or "").strip() or None,
            "autorite": nom,
            "decision_comite_id": int(recommandation["id"]) if recommandation else None,
            "date": _quand(instant, jour),
            "auteur": auteur,
        }
        stockage.ajouter_decisions_ministre([ligne], connexion=connexion)
        stockage.inscrire_journal(
            [_ligne_journal(appel, ligne, avant, recommandation, role=role, instant=instant)],
            connexion=connexion,
        )
    return avertissements


def approuver(
    appel: Appel,
    demande_id: int,
    *,
    autorite: str,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    raison: str = "",
    jour: dt.date | None = None,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
    recommandation_attendue: int | None = None,
) -> list[str]:
    """Approuve telle quelle la recommandation du comité sur une demande (même décision,
    mêmes montants) ; `raison` facultative. Refusée s'il n'y a pas de recommandation, et
    comme `decider` ; rend ses avertissements."""
    with moteur.connect() as connexion:
        recommandation = next(
            (
                x
                for x in stockage.lire_decisions(appel.id, connexion=connexion)
                if int(x["demande_id"]) == demande_id
            ),
            None,
        )
        d = stockage.lire_demande(demande_id, connexion=connexion) or {}
    if recommandation is None:
        _refuser_role(role)
        raise ErreurDecisionMinistere(
            f"{d.get('no_demande', 'cette demande')} n'a pas de recommandation du comité à "
            "approuver : décidez-la avec une raison (« Modifier »)."
        )
    if recommandation_attendue is None:
        recommandation_attendue = int(recommandation["id"])
    return decider(
        appel,
        demande_id,
        recommandation["decision"],
        (int(recommandation["montant_an1"]), int(recommandation["montant_an2"])),
        raison,
        autorite=autorite,
        moteur=moteur,
        auteur=auteur,
        role=role,
        jour=jour,
        maintenant=maintenant,
        version_attendue=version_attendue,
        recommandation_attendue=recommandation_attendue,
    )


def approuver_en_lot(
    appel: Appel,
    demande_ids: Sequence[int] | None,
    *,
    autorite: str,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    raison: str = "",
    jour: dt.date | None = None,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
    version_recommandations_attendue: int | None = None,
) -> int:
    """Approuve telles quelles les recommandations du comité : celles des `demande_ids`, ou
    (None) toutes celles que le ministère n'a pas encore décidées. En une transaction, tout
    ou rien ; chaque décision journalisée ; rend le nombre inscrit.

    Refusée en entier : comme `decider` (rôle, verrou, demande retirée, inadmissible
    retenue, plafond, chacune nommée) ; si une demande choisie n'a pas de recommandation ;
    s'il n'y a rien à approuver ; si une décision du ministère (`version_attendue`,
    `version` sans demande) ou une recommandation du comité
    (`version_recommandations_attendue`, `financement.version_decision` sans demande) a été
    inscrite depuis l'affichage."""
    _refuser_role(role)
    instant = maintenant or stockage.maintenant()
    nom = _verifier_saisie(autorite, raison, jour, instant)
    annees = nombre_annees(appel)
    quand = _quand(instant, jour)
    with stockage.ecriture(
        moteur, stockage.decisions_ministre, stockage.decisions, lourde=False
    ) as connexion:
        _exiger_verrou(appel.id, connexion)
        cles = {"appel_id": appel.id}
        verifier_version(
            "L'ensemble des décisions du ministère",
            stockage.derniere_ligne(stockage.decisions_ministre, connexion=connexion, **cles),
            version_attendue,
            lambda: _changements(
                stockage.decisions_ministre, version_attendue, cles, _decision_lisible, connexion
            ),
            erreur=FinancementPerime,
        )
        verifier_version(
            "L'ensemble des recommandations du comité",
            stockage.derniere_ligne(stockage.decisions, connexion=connexion, **cles),
            version_recommandations_attendue,
            lambda: _changements(
                stockage.decisions,
                version_recommandations_attendue,
                cles,
                lambda x: x["decision"],
                connexion,
            ),
            erreur=FinancementPerime,
        )
        recommandations = {
            int(x["demande_id"]): x for x in stockage.lire_decisions(appel.id, connexion=connexion)
        }
        deja = {
            int(x["demande_id"]): x
            for x in stockage.lire_decisions_ministre(appel.id, connexion=connexion)
        }
        if demande_ids is None:
            ids = [d for d in recommandations if d not in deja]
            if not ids:
                raise ErreurDecisionMinistere(
                    "aucune recommandation du comité n'attend la décision du ministère."
                )
        else:
            ids = list(dict.fromkeys(int(d) for d in demande_ids))
            if not ids:
                raise ErreurDecisionMinistere(
                    "aucune demande choisie : cochez dans le tableau les recommandations à "
                    "approuver."
                )
        demandes = [_demande(appel.id, d, connexion, ErreurDecisionMinistere) for d in ids]
        if sans := [d["no_demande"] for d in demandes if int(d["id"]) not in recommandations]:
            raise ErreurDecisionMinistere(
                f"{', '.join(sans)} : pas de recommandation du comité à approuver ; "
                "retirez-les de la sélection, ou décidez-les une à une avec une raison."
            )
        lignes, journal = [], []
        for d in demandes:
            r = recommandations[int(d["id"])]
            m = (int(r["montant_an1"]), int(r["montant_an2"]))
            if motif := ministere.refus(
                r["decision"], m, raison, r, _plafond_de(appel, d, connexion), annees
            ):
                raise ErreurDecisionMinistere(
                    f"{d['no_demande']} : {motif} Rien n'a été inscrit ; décidez-la une à une."
                )
            if motif := ministere.refus_date(quand.date(), r, d.get("date_depot")):
                raise ErreurDecisionMinistere(f"{d['no_demande']} : {motif} Rien n'a été inscrit.")
            lignes.append(
                {
                    "appel_id": appel.id,
                    "demande_id": int(d["id"]),
                    "decision": r["decision"],
                    "montant_an1": m[0],
                    "montant_an2": m[1],
                    "raison": (raison or "").strip() or None,
                    "autorite": nom,
                    "decision_comite_id": int(r["id"]),
                    "date": quand,
                    "auteur": auteur,
                }
            )
            journal.append(
                _ligne_journal(
                    appel,
                    lignes[-1],
                    deja.get(int(d["id"])),
                    r,
                    role=role,
                    instant=instant,
                    groupee=True,
                )
            )
        _refuser_retenue_inadmissible(
            [d for d, ligne in zip(demandes, lignes, strict=True) if ligne["decision"] == RETENU],
            connexion,
        )
        stockage.ajouter_decisions_ministre(lignes, connexion=connexion)
        stockage.inscrire_journal(journal, connexion=connexion)
    return len(lignes)
