"""Ce que la présidence et l'administration enregistrent pour le financement : un montant
recommandé modifié, une décision du comité, un scénario adopté comme décisions, une
pondération adoptée, une note de consensus inscrite en séance. Chaque fonction lit l'état,
applique les règles de `decision.financement`, `decision.classement` et `decision.consensus`,
et écrit avec le journal en une transaction ; une écriture d'après une vue périmée est
refusée (`socle.concurrence`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.appels.reglages import refus_changement_poids
from evaluation.decision import financement, portefeuille, tirage
from evaluation.decision.classement import ErreurClassement, PonderationPerimee
from evaluation.decision.comite import (
    cle_personne,
    presents_qui_votent,
    refus_conflit,
    refus_quorum,
    votants,
)
from evaluation.decision.consensus import ErreurConsensus
from evaluation.decision.consensus import refus as consensus_refus
from evaluation.decision.financement import (
    ATTENTE,
    DECISIONS,
    FINANCE,
    LISTE_ATTENTE,
    RETENU,
    ErreurFinancement,
    FinancementPerime,
    nombre_annees,
)
from evaluation.notes import filtrage
from evaluation.socle import droits, stockage
from evaluation.socle.concurrence import Changement, ModificationConcurrente, verifier_version
from evaluation.socle.formats import montant, pluriel, saisi
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import trop_long


def adopter_poids(
    appel: Appel,
    poids: Mapping[str, float],
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
    raison: str = "",
    confirme: bool = False,
) -> None:
    """Adopte de nouvelles pondérations pour l'appel (journalisé, daté) ; elles doivent
    couvrir chaque critère, être positives et totaliser 100. `version_attendue` :
    l'identifiant de la pondération en vigueur que la page a lue (0 : aucune) ;
    `PonderationPerimee` si une autre a été adoptée depuis.

    Les poids sont fixés avant la notation (`reglages.refus_changement_poids`) : dès la
    première évaluation soumise, il faut une `raison` écrite et la confirmation explicite de
    l'administration (`confirme`) ; les poids remplacés sont gardés (`poids_avant`), ceux
    du premier changement après la notation restent les « pondérations de l'appel »."""
    inconnus = set(poids) - set(appel.poids)
    manquants = set(appel.poids) - set(poids)
    if inconnus or manquants:
        raise ErreurClassement(
            "les pondérations doivent nommer chaque critère de l'appel, et eux seuls."
        )
    if any(p <= 0 for p in poids.values()):
        raise ErreurClassement("chaque poids doit être positif.")
    if abs(sum(poids.values()) - 100) > 1e-6:
        raise ErreurClassement(
            f"les poids doivent totaliser 100 (total : {saisi(sum(poids.values()))})."
        )
    if long := trop_long(raison, "La raison du changement de poids"):
        raise ErreurClassement(long)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.ponderations, lourde=False) as connexion:
        avant = stockage.lire_ponderation(appel.id, connexion=connexion)
        verifier_version(
            "La pondération de l'appel",
            int(avant["id"]) if avant else 0,
            version_attendue,
            lambda: _ponderations_depuis(appel, version_attendue, connexion),
            feminin=True,
            erreur=PonderationPerimee,
        )
        anciens = dict(appel.poids)
        if avant:
            anciens.update(avant["poids"])
        nouveaux = {c.id: float(poids[c.id]) for c in appel.criteres}
        if nouveaux == {k: float(v) for k, v in anciens.items()}:
            return
        soumises = stockage.compter_evaluations_soumises(appel.id, connexion=connexion)
        if refus := refus_changement_poids(soumises, raison, confirme):
            raise ErreurClassement(refus)
        stockage.ajouter_ponderation(
            {
                "appel_id": appel.id,
                "poids": nouveaux,
                "date": instant,
                "auteur": auteur,
                "raison": raison.strip() or None,
                "poids_avant": {c.id: float(anciens[c.id]) for c in appel.criteres},
                "apres_notation": soumises > 0,
            },
            connexion=connexion,
        )

        def texte(p):
            return ", ".join(f"{c.id} {saisi(float(p[c.id]))}" for c in appel.criteres)

        lignes = [
            stockage.ligne_journal(
                instant, auteur, "ponderation", texte(anciens), texte(nouveaux), appel_id=appel.id
            )
        ]
        if raison.strip():
            lignes.append(
                stockage.ligne_journal(
                    instant, auteur, "ponderation:raison", None, raison.strip(), appel_id=appel.id
                )
            )
        stockage.inscrire_journal(lignes, connexion=connexion)


def _ponderations_depuis(appel: Appel, version: int, connexion) -> list[Changement]:
    noms = stockage.noms_des_comptes(connexion=connexion)
    return [
        Changement(
            p["date"],
            noms.get(p["auteur"], p["auteur"]),
            ", ".join(f"{c.id} {saisi(float(p['poids'].get(c.id, 0)))}" for c in appel.criteres),
        )
        for p in stockage.lignes_depuis(
            stockage.ponderations, version, connexion=connexion, appel_id=appel.id
        )
    ]


def _demande(appel_id: str, demande_id: int, connexion, erreur=ErreurFinancement) -> dict:
    d = stockage.lire_demande(demande_id, connexion=connexion)
    if d is None or d["appel_id"] != appel_id:
        raise erreur("cette demande n'existe pas dans l'appel.")
    if d.get("retiree_le") is not None:
        raise erreur(
            f"{d['no_demande']} a été retirée (désistement) : elle ne reçoit plus ni montant "
            "ni décision. Rétablissez-la d'abord (page Importation) si le désistement est annulé."
        )
    return d


def _conflit_de(demande_id: int, auteur: str, connexion) -> dict | None:
    """Le conflit d'intérêts que `auteur` a déclaré sur la demande (None : aucun)."""
    cle = cle_personne(auteur)
    return next(
        (
            c
            for c in stockage.lire_conflits_de_la_demande(demande_id, connexion=connexion)
            if cle_personne(c["evaluateur"]) == cle
        ),
        None,
    )


def _refuser_si_conflit(
    d: dict, auteur: str, connexion, action: str, erreur=ErreurFinancement
) -> None:
    """Issue 16 : qui a déclaré un conflit d'intérêts sur une demande n'en décide rien
    (décision, montant, bonification, note de consensus), quel que soit son rôle ; refusé
    côté serveur."""
    if conflit := _conflit_de(int(d["id"]), auteur, connexion):
        raise erreur(refus_conflit(d["no_demande"], conflit, action))


def _refuser_retenue_inadmissible(demandes: Sequence[dict], connexion) -> None:
    """Seule une demande jugée admissible à l'examen d'admissibilité peut être retenue (par
    le comité comme par le ministère), même depuis une page affichée avant l'examen
    (vérifié dans la transaction qui écrit).

    L'appel : « Pour être admissibles, les projets doivent… » ; une demande jugée
    inadmissible ne se retient pas. Interprétation (pratique du ministère, voir
    `notes.filtrage`) : une demande dont l'admissibilité n'est pas établie (pas encore
    examinée, ou une condition « à vérifier ») n'est « ni attribuée, ni notée, ni
    financée » : elle ne se retient pas non plus tant que l'examen n'est pas achevé."""
    inadmissibles, a_etablir = [], []
    for d in demandes:
        examen = stockage.lire_examen(int(d["id"]), connexion=connexion)
        verdict = examen["verdict"] if examen is not None else filtrage.A_ETABLIR
        if verdict == filtrage.INADMISSIBLE:
            inadmissibles.append(f"{d['no_demande']} ({examen.get('raison') or 'inadmissible'})")
        elif verdict != filtrage.ADMISSIBLE:
            a_etablir.append(str(d["no_demande"]))
    if len(inadmissibles) == 1:
        raise ErreurFinancement(
            f"{inadmissibles[0]} a été jugée inadmissible à l'examen d'admissibilité : elle ne "
            "peut pas être retenue. Rechargez la page, ou faites revoir l'examen dans la page "
            "Admissibilité."
        )
    if inadmissibles:
        raise ErreurFinancement(
            f"{', '.join(inadmissibles)} ont été jugées inadmissibles à l'examen "
            "d'admissibilité : elles ne peuvent pas être retenues. Rechargez la page, ou "
            "faites revoir l'examen dans la page Admissibilité."
        )
    if len(a_etablir) == 1:
        raise ErreurFinancement(
            f"l'admissibilité de {a_etablir[0]} n'est pas encore établie (examen non fait, ou "
            "une condition « à vérifier ») : elle ne peut pas être retenue. Terminez d'abord "
            "l'examen d'admissibilité dans la page Admissibilité."
        )
    if a_etablir:
        raise ErreurFinancement(
            f"l'admissibilité de {', '.join(a_etablir)} n'est pas encore établie (examen non "
            "fait, ou une condition « à vérifier ») : elles ne peuvent pas être retenues. "
            "Terminez d'abord l'examen d'admissibilité dans la page Admissibilité."
        )


def _verrou_decisions(appel_id: str, connexion, erreur=ErreurFinancement) -> None:
    reglages = stockage.lire_reglages_evaluation(appel_id, connexion=connexion) or {}
    if reglages.get("decisions_verrouillees"):
        raise erreur(
            "les décisions de cet appel sont verrouillées : seule l'administration peut les "
            "rouvrir."
        )


def modifier_montant(
    appel: Appel,
    demande_id: int,
    annee: int,
    nouveau: int,
    raison: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
) -> None:
    """Change le montant recommandé d'une année, toujours avec une raison : jamais négatif,
    jamais au-dessus du plafond de la demande (« ne pourra pas excéder 25 000 $ par année »,
    plus la bonification fixée). Journalisé. `version_attendue` (voir `version_montant`) :
    refusé s'il a changé depuis."""
    instant = maintenant or stockage.maintenant()
    if not 1 <= annee <= nombre_annees(appel):
        raise ErreurFinancement(
            f"l'appel finance {pluriel(nombre_annees(appel), 'année', 'années')}."
        )
    if refus := trop_long(raison, "raison"):
        raise ErreurFinancement(refus)
    with stockage.ecriture(moteur, stockage.montants_recommandes, lourde=False) as connexion:
        _verrou_decisions(appel.id, connexion)
        d = _demande(appel.id, demande_id, connexion)
        _refuser_si_conflit(d, auteur, connexion, "modifier son montant recommandé")
        cles = {"appel_id": appel.id, "demande_id": demande_id, "annee": annee}
        verifier_version(
            f"Le montant recommandé de {d['no_demande']} (année {annee})",
            stockage.derniere_ligne(stockage.montants_recommandes, connexion=connexion, **cles),
            version_attendue,
            lambda: _changements(
                stockage.montants_recommandes,
                version_attendue,
                cles,
                lambda x: montant(x["montant"]) + (f" ({x['raison']})" if x["raison"] else ""),
                connexion,
            ),
            erreur=FinancementPerime,
        )
        plafond = _plafond_de(appel, d, connexion)
        if nouveau < 0:
            raise ErreurFinancement("un montant recommandé ne peut pas être négatif.")
        if nouveau > plafond:
            raise ErreurFinancement(
                f"{montant(nouveau)} dépasse le plafond de {montant(plafond)} par année."
            )
        if not (raison or "").strip():
            raise ErreurFinancement(
                "un montant recommandé autre que celui de la règle demande une raison."
            )
        avant = {
            m["annee"]: m["montant"]
            for m in stockage.lire_montants_recommandes(appel.id, connexion=connexion)
            if int(m["demande_id"]) == demande_id
        }.get(annee)
        if avant is None:
            avant = int(_montants_de_la_regle(appel, d, connexion)[annee - 1])
        if avant == nouveau:
            return
        stockage.ajouter_montant_recommande(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "annee": annee,
                "montant": nouveau,
                "raison": (raison or "").strip() or None,
                "date": instant,
                "auteur": auteur,
            },
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    f"montant_recommande:an{annee}",
                    montant(avant),
                    montant(nouveau) + (f" ({raison.strip()})" if (raison or "").strip() else ""),
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            ],
            connexion=connexion,
        )


def _montants_de_la_regle(appel: Appel, d: dict, connexion) -> list[int]:
    """Le montant recommandé par défaut de chaque année de la demande `d`, d'après ses
    lignes de budget et sa bonification (`financement.montants_de_la_demande`)."""
    lignes = stockage.lire_lignes_budget(appel.id, connexion=connexion, demande_id=int(d["id"]))
    bonus = _plafond_de(appel, d, connexion) - appel.financement.plafond_annuel
    valeurs = financement.montants_de_la_demande(d, lignes, appel, bonus)
    return [valeurs[f"recommande_an{a + 1}"] for a in range(nombre_annees(appel))]


def _plafond_de(appel: Appel, d: dict, connexion) -> int:
    """Le plafond annuel de la demande `d` : celui de l'appel plus sa bonification telle
    qu'elle vaut aujourd'hui (`financement.bonifications_par_demande` : seulement pour un
    projet encore conjoint, jamais au-dessus du plafond de bonification en vigueur), comme
    au classement."""
    bonus = financement.bonifications_par_demande(
        pd.DataFrame([d]), stockage.lire_bonifications(appel.id, connexion=connexion), appel
    )
    return appel.financement.plafond_annuel + int(bonus[0])


def fixer_bonification(
    appel: Appel,
    demande_id: int,
    nouveau: int,
    raison: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
) -> None:
    """Fixe la bonification par année d'un projet conjoint. Appel : « La présentation d'un
    projet conjoint entre plusieurs acteurs municipaux peut permettre la bonification de la
    subvention. » Sans montant dans l'appel : 0 $ par défaut, décidée par la présidence,
    demande par demande, avec une raison ; jamais au-dessus de `bonification_conjoint_max`
    (réglage du comité) ; seulement pour un projet conjoint. Journalisé.
    `version_attendue` : l'identifiant de la dernière bonification de la demande que la
    page a lue (0 : aucune)."""
    instant = maintenant or stockage.maintenant()
    maximum = appel.financement.bonification_conjoint_max
    if refus := trop_long(raison, "raison"):
        raise ErreurFinancement(refus)
    if not (raison or "").strip():
        raise ErreurFinancement("une bonification demande une raison.")
    if nouveau < 0:
        raise ErreurFinancement("une bonification ne peut pas être négative.")
    if nouveau > maximum:
        raise ErreurFinancement(
            f"{montant(nouveau)} dépasse la bonification maximale de {montant(maximum)} par "
            "année (réglage du comité)."
        )
    with stockage.ecriture(moteur, stockage.bonifications, lourde=False) as connexion:
        _verrou_decisions(appel.id, connexion)
        d = _demande(appel.id, demande_id, connexion)
        _refuser_si_conflit(d, auteur, connexion, "fixer sa bonification")
        if nouveau and not d.get("projet_conjoint"):
            raise ErreurFinancement(
                f"{d['no_demande']} n'est pas un projet conjoint (au moins "
                f"{appel.financement.entites_conjoint_min} entités municipales) : l'appel ne "
                "prévoit la bonification que pour « un projet conjoint entre plusieurs acteurs "
                "municipaux »."
            )
        cles = {"appel_id": appel.id, "demande_id": demande_id}
        verifier_version(
            f"La bonification de {d['no_demande']}",
            stockage.derniere_ligne(stockage.bonifications, connexion=connexion, **cles),
            version_attendue,
            lambda: _changements(
                stockage.bonifications,
                version_attendue,
                cles,
                lambda x: f"{montant(x['montant'])} ({x['raison']})",
                connexion,
            ),
            feminin=True,
            erreur=FinancementPerime,
        )
        avant = {
            int(b["demande_id"]): int(b["montant"])
            for b in stockage.lire_bonifications(appel.id, connexion=connexion)
        }.get(demande_id, 0)
        if avant == nouveau:
            return
        stockage.ajouter_bonification(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "montant": nouveau,
                "raison": raison.strip(),
                "date": instant,
                "auteur": auteur,
            },
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "bonification",
                    montant(avant),
                    f"{montant(nouveau)} ({raison.strip()})",
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            ],
            connexion=connexion,
        )


def enregistrer_decision(
    appel: Appel,
    demande_id: int,
    decision: str,
    montants: tuple[int, ...],
    justification: str,
    *,
    recommandation: tuple[str, tuple[int, ...]] | None = None,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
    presents: Sequence[str] | None = None,
) -> None:
    """Inscrit la décision du comité et le montant accordé par année. Un refus ou une mise
    en liste d'attente n'accorde rien ; un montant accordé reste entre 0 et le plafond.
    Une justification est exigée quand la décision s'écarte de la recommandation
    (`recommandation` : statut calculé et montants recommandés) ou en l'absence de
    recommandation. Journalisé ; l'historique des décisions est gardé.

    Issue 16 : refusée si `auteur` a déclaré un conflit d'intérêts sur la demande ; et,
    quand l'appel fixe un quorum, sans quorum (`_refuser_sans_quorum`). `presents`
    (courriels et noms) : ceux de la séance ouverte, lus dans la base s'ils ne sont pas
    donnés."""
    if decision not in DECISIONS:
        raise ErreurFinancement(f"décision « {decision} » inconnue ({', '.join(DECISIONS)}).")
    annees = nombre_annees(appel)
    montants = tuple(int(m) for m in montants) + (0,) * (2 - len(montants))
    if decision != RETENU and any(montants):
        raise ErreurFinancement("seule une demande retenue reçoit un montant.")
    if refus := trop_long(justification, "justification"):
        raise ErreurFinancement(refus)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.decisions, lourde=False) as connexion:
        _verrou_decisions(appel.id, connexion)
        d = _demande(appel.id, demande_id, connexion)
        _refuser_si_conflit(d, auteur, connexion, "décider")
        if decision == RETENU:
            _refuser_retenue_inadmissible([d], connexion)
        _refuser_sans_quorum(appel, [d], presents, connexion)
        cles = {"appel_id": appel.id, "demande_id": demande_id}
        verifier_version(
            f"La décision sur {d['no_demande']}",
            stockage.derniere_ligne(stockage.decisions, connexion=connexion, **cles),
            version_attendue,
            lambda: _changements(
                stockage.decisions, version_attendue, cles, _decision_lisible, connexion
            ),
            feminin=True,
            erreur=FinancementPerime,
        )
        plafond = _plafond_de(appel, d, connexion)
        for annee, m in enumerate(montants, 1):
            if m < 0:
                raise ErreurFinancement("un montant accordé ne peut pas être négatif.")
            if m > plafond or (annee > annees and m):
                raise ErreurFinancement(
                    f"{montant(m)} pour l'année {annee} : au-dessus de ce que l'appel permet "
                    f"({montant(plafond if annee <= annees else 0)})."
                )
        conforme = False
        if recommandation is not None:
            statut, recommandes = recommandation
            recommandes = tuple(recommandes) + (0,) * (2 - len(recommandes))
            conforme = (decision == RETENU and statut == FINANCE and recommandes == montants) or (
                decision == LISTE_ATTENTE and statut == ATTENTE
            )
        if not conforme and not (justification or "").strip():
            raise ErreurFinancement(
                "une décision qui s'écarte de la recommandation demande une justification."
            )
        avant = next(
            (
                x
                for x in stockage.lire_decisions(appel.id, connexion=connexion)
                if int(x["demande_id"]) == demande_id
            ),
            None,
        )
        stockage.ajouter_decision(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "decision": decision,
                "montant_an1": montants[0],
                "montant_an2": montants[1],
                "justification": (justification or "").strip() or None,
                "date": instant,
                "auteur": auteur,
            },
            connexion=connexion,
        )

        def resume(x):
            if x is None:
                return None
            texte = f"{x['decision']} ({montant(x['montant_an1'])}"
            texte += f", {montant(x['montant_an2'])})" if annees > 1 else ")"
            return texte

        nouvelle = {"decision": decision, "montant_an1": montants[0], "montant_an2": montants[1]}
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "decision",
                    resume(avant),
                    resume(nouvelle)
                    + (f" : {justification.strip()}" if (justification or "").strip() else ""),
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            ],
            connexion=connexion,
        )


def _verifier_versions_de_l_appel(
    appel_id: str, version_attendue: int | None, version_montants_attendue: int | None, connexion
) -> None:
    """Refuse une écriture sur plusieurs demandes (lot, scénario) d'après une vue périmée :
    une décision (`version_decision` sans demande) ou un montant recommandé
    (`version_montant` sans demande) inscrit depuis l'affichage ; les changements sont nommés."""
    cles = {"appel_id": appel_id}
    verifier_version(
        "L'ensemble des décisions de l'appel",
        stockage.derniere_ligne(stockage.decisions, connexion=connexion, **cles),
        version_attendue,
        lambda: _changements(
            stockage.decisions, version_attendue, cles, _decision_lisible, connexion
        ),
        erreur=FinancementPerime,
    )
    verifier_version(
        "Un montant recommandé de l'appel",
        stockage.derniere_ligne(stockage.montants_recommandes, connexion=connexion, **cles),
        version_montants_attendue,
        lambda: _changements(
            stockage.montants_recommandes,
            version_montants_attendue,
            cles,
            lambda x: (
                f"année {x['annee']} : {montant(x['montant'])}"
                + (f" ({x['raison']})" if x["raison"] else "")
            ),
            connexion,
        ),
        erreur=FinancementPerime,
    )


def enregistrer_decisions_en_lot(
    appel: Appel,
    demande_ids: Sequence[int],
    decision: str,
    justification: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
    version_montants_attendue: int | None = None,
    presents: Sequence[str] | None = None,
) -> int:
    """Issue 16, « Several applications can be selected in the table and decided together,
    with one reason » : la même décision pour chacune des demandes `demande_ids`, avec une
    seule justification, en une transaction : tout ou rien. « retenu » accorde à chacune son
    montant recommandé en vigueur (celui que la présidence a fixé, sinon celui de la règle) ;
    liste d'attente et refus n'accordent rien. La justification est toujours exigée
    (interprétation : une décision groupée dit pourquoi elle groupe). Chaque décision est
    journalisée ; renvoie le nombre écrit.

    Refusée en entier quand les décisions sont verrouillées, quand `auteur` a déclaré un
    conflit d'intérêts sur l'une des demandes (toutes nommées), sans quorum
    (`_refuser_sans_quorum`, `presents` comme pour `enregistrer_decision`), ou si une
    décision (`version_attendue`, `version_decision` sans demande) ou un montant recommandé
    (`version_montants_attendue`) a été inscrit depuis que la page les a lus."""
    if decision not in DECISIONS:
        raise ErreurFinancement(f"décision « {decision} » inconnue ({', '.join(DECISIONS)}).")
    ids = list(dict.fromkeys(int(d) for d in demande_ids))
    if not ids:
        raise ErreurFinancement(
            "aucune demande choisie : cochez dans le tableau les demandes à décider ensemble."
        )
    if refus := trop_long(justification, "justification"):
        raise ErreurFinancement(refus)
    if not (justification or "").strip():
        raise ErreurFinancement(
            "une décision groupée demande une justification, la même pour toutes les demandes "
            "choisies."
        )
    raison = justification.strip()
    annees = nombre_annees(appel)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.decisions, lourde=False) as connexion:
        _verrou_decisions(appel.id, connexion)
        _verifier_versions_de_l_appel(
            appel.id, version_attendue, version_montants_attendue, connexion
        )
        demandes = [_demande(appel.id, d, connexion) for d in ids]
        conflits = [(d, c) for d in demandes if (c := _conflit_de(int(d["id"]), auteur, connexion))]
        if conflits:
            raise ErreurFinancement(
                "vous avez déclaré un conflit d'intérêts sur "
                + ", ".join(f"{d['no_demande']} ({c['raison']})" for d, c in conflits)
                + " : vous ne pouvez pas en décider. Retirez "
                + ("ces demandes" if len(conflits) > 1 else "cette demande")
                + " de la sélection, ou laissez un membre sans conflit décider."
            )
        if decision == RETENU:
            _refuser_retenue_inadmissible(demandes, connexion)
        _refuser_sans_quorum(appel, demandes, presents, connexion)
        modifies = {
            (int(x["demande_id"]), int(x["annee"])): int(x["montant"])
            for x in stockage.lire_montants_recommandes(appel.id, connexion=connexion)
        }
        actuelles = {
            int(x["demande_id"]): x for x in stockage.lire_decisions(appel.id, connexion=connexion)
        }
        lignes, journal = [], []
        for d in demandes:
            demande_id = int(d["id"])
            m = [0, 0]
            if decision == RETENU:
                regle = _montants_de_la_regle(appel, d, connexion)
                m[:annees] = [modifies.get((demande_id, a + 1), regle[a]) for a in range(annees)]
            lignes.append(
                {
                    "appel_id": appel.id,
                    "demande_id": demande_id,
                    "decision": decision,
                    "montant_an1": m[0],
                    "montant_an2": m[1],
                    "justification": raison,
                    "date": instant,
                    "auteur": auteur,
                }
            )
            avant = actuelles.get(demande_id)
            journal.append(
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "decision",
                    _resume(avant, annees) if avant else None,
                    f"{_resume(lignes[-1], annees)} : {raison} (décision groupée)",
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            )
        for ligne in lignes:
            stockage.ajouter_decision(ligne, connexion=connexion)
        stockage.inscrire_journal(journal, connexion=connexion)
    return len(lignes)


def _resume(x: Mapping, annees: int) -> str:
    """« retenu (18 000 $) », « retenu (18 000 $, 10 000 $) » : comme `enregistrer_decision`
    l'écrit au journal."""
    texte = f"{x['decision']} ({montant(x['montant_an1'])}"
    return texte + (f", {montant(x['montant_an2'])})" if annees > 1 else ")")


def adopter_scenario(
    appel: Appel,
    table: pd.DataFrame,
    choisies: np.ndarray,
    nom: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
    version_montants_attendue: int | None = None,
    raisons: Mapping[int, str] | None = None,
) -> int:
    """Fait d'une sélection (la meilleure sous l'enveloppe, par exemple) les décisions du
    comité, en une transaction : retenu au montant recommandé pour les choisies, liste
    d'attente pour les autres classées. Chaque décision est journalisée et porte le nom du
    scénario en justification ; renvoie le nombre de décisions écrites.
    `version_attendue` (`version_decision` sans demande) : refusé si une décision a été
    inscrite depuis que la sélection a été montrée ; `version_montants_attendue`
    (`version_montant` sans demande) : de même pour un montant recommandé, que le scénario
    accorde tel qu'il était alors.

    Issue 16 : refusé si le scénario change la décision d'une demande sur laquelle `auteur`
    a déclaré un conflit d'intérêts (les demandes sont nommées). Et « Adopting a scenario
    asks a reason for each application that crosses the funding line against the
    ranking » : `raisons` (demande_id → raison) en donne une à chaque demande que le
    scénario retient sous la ligne ou écarte au-dessus (`portefeuille.contre_le_classement`) ;
    refusé, ces demandes nommées, s'il en manque une. Leur justification devient
    « Scénario adopté : <nom> : <raison> » ; les autres gardent le nom du scénario."""
    instant = maintenant or stockage.maintenant()
    annees = nombre_annees(appel)
    classees = (table["statut"] == "classé").to_numpy()
    raisons = {int(k): (v or "").strip() for k, v in (raisons or {}).items()}
    franchissent = portefeuille.contre_le_classement(table, choisies)
    sans_raison = [
        f"{no} ({sens})"
        for d, no, sens in zip(
            franchissent["demande_id"],
            franchissent["no_demande"],
            franchissent["sens"],
            strict=True,
        )
        if not raisons.get(int(d))
    ]
    refus_raisons = (
        "ce scénario fait passer la ligne de financement contre le classement à "
        + ", ".join(sans_raison)
        + " : donnez une raison pour "
        + ("chacune" if len(sans_raison) > 1 else "elle")
        + " avant de l'adopter."
        if sans_raison
        else next(
            (
                long
                for d, no in zip(
                    franchissent["demande_id"], franchissent["no_demande"], strict=True
                )
                if (long := trop_long(raisons[int(d)], f"La raison pour {no}"))
            ),
            None,
        )
    )
    justifications = {
        int(d): f"Scénario adopté : {nom} : {raisons[int(d)]}"
        for d in franchissent["demande_id"]
        if raisons.get(int(d))
    }
    with stockage.ecriture(moteur, stockage.decisions, lourde=False) as connexion:
        _verrou_decisions(appel.id, connexion)
        _verifier_versions_de_l_appel(
            appel.id, version_attendue, version_montants_attendue, connexion
        )
        lignes, journal = [], []
        for k in np.flatnonzero(classees):
            r = table.iloc[k]
            retenue = bool(choisies[k])
            m = [int(r[f"recommande_an{a + 1}"]) if retenue else 0 for a in range(annees)]
            m += [0] * (2 - len(m))
            decision = RETENU if retenue else LISTE_ATTENTE
            lignes.append(
                {
                    "appel_id": appel.id,
                    "demande_id": int(r["demande_id"]),
                    "decision": decision,
                    "montant_an1": m[0],
                    "montant_an2": m[1],
                    "justification": justifications.get(
                        int(r["demande_id"]), f"Scénario adopté : {nom}"
                    ),
                    "date": instant,
                    "auteur": auteur,
                }
            )
            journal.append(
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "decision",
                    r["decision"] or None,
                    f"{decision} ({' + '.join(montant(v) for v in m[:annees])}) : "
                    f"scénario « {nom} »"
                    + (
                        f" : {raisons[int(r['demande_id'])]}"
                        if int(r["demande_id"]) in justifications
                        else ""
                    ),
                    appel_id=appel.id,
                    demande_id=int(r["demande_id"]),
                )
            )
        _refuser_conflits_du_scenario(appel.id, lignes, table, auteur, connexion)
        _refuser_sans_quorum(
            appel,
            [
                {"id": int(d), "no_demande": no}
                for d, no in zip(
                    table["demande_id"].to_numpy()[classees],
                    table["no_demande"].to_numpy()[classees],
                    strict=True,
                )
            ],
            None,
            connexion,
        )
        # Après les versions, conflits et quorum : une vue périmée se dit d'abord.
        if refus_raisons:
            raise ErreurFinancement(refus_raisons)
        for ligne in lignes:
            stockage.ajouter_decision(ligne, connexion=connexion)
        stockage.inscrire_journal(journal, connexion=connexion)
    return len(lignes)


def _refuser_sans_quorum(
    appel: Appel, demandes: list[dict], presents: Sequence[str] | None, connexion
) -> None:
    """Issue 16, « A quorum (number of members present without conflict, a call setting) is
    checked before a decision is recorded » : quand l'appel fixe un quorum ([comite] quorum,
    réglage du comité), une décision ne s'inscrit qu'en séance ouverte, si les présents qui
    votent (`comite.votants` : présidence et membres du comité) sans conflit d'intérêts sur
    la demande sont au moins le quorum. Vaut pour chaque chemin : Séance, Classement,
    scénario adopté. `presents` : ceux de la séance ouverte, lus ici s'ils ne sont pas
    donnés."""
    if not appel.quorum:
        return
    if presents is None:
        seance = stockage.lire_seance_ouverte(appel.id, connexion=connexion)
        if seance is None:
            raise ErreurFinancement(
                f"l'appel fixe un quorum de {appel.quorum} (réglage du comité) : une décision "
                "s'inscrit en séance. Ouvrez la séance (page Séance, « Ouvrir la séance ») et "
                "inscrivez les présents, puis décidez."
            )
        qui_vote = presents_qui_votent(
            stockage.lire_presences(seance["id"], connexion=connexion),
            stockage.lire_comptes(connexion=connexion),
        )
    else:
        actifs = [c for c in stockage.lire_comptes(connexion=connexion) if c["actif"]]
        qui_vote = votants(list(presents), {c["courriel"]: c["role"] for c in actifs})
    noms = stockage.noms_des_comptes(connexion=connexion)
    # Un scénario décide toutes les classées : les conflits de l'appel lus une fois, pas
    # une requête par demande (refus_quorum ne garde que ceux de la demande).
    de_l_appel = (
        stockage.lire_conflits(appel.id, connexion=connexion) if len(demandes) > 1 else None
    )
    for d in demandes:
        conflits = (
            de_l_appel
            if de_l_appel is not None
            else stockage.lire_conflits_de_la_demande(int(d["id"]), connexion=connexion)
        )
        if refus := refus_quorum(
            d["no_demande"], qui_vote, conflits, int(d["id"]), appel.quorum, noms
        ):
            raise ErreurFinancement(refus)


def _refuser_conflits_du_scenario(
    appel_id: str, lignes: list[dict], table: pd.DataFrame, auteur: str, connexion
) -> None:
    """Refuse un scénario qui change la décision (ou le montant accordé) d'une demande où
    `auteur` a déclaré un conflit d'intérêts ; une demande dont la décision reste la même
    ne compte pas."""
    cle = cle_personne(auteur)
    en_conflit = {
        int(c["demande_id"]): c
        for c in stockage.lire_conflits(appel_id, connexion=connexion)
        if cle_personne(c["evaluateur"]) == cle
    }
    if not en_conflit:
        return
    actuelles = {
        int(x["demande_id"]): (x["decision"], int(x["montant_an1"]), int(x["montant_an2"]))
        for x in stockage.lire_decisions(appel_id, connexion=connexion)
    }
    numeros = dict(zip(table["demande_id"].astype(int), table["no_demande"], strict=True))
    touchees = [
        ligne["demande_id"]
        for ligne in lignes
        if ligne["demande_id"] in en_conflit
        and actuelles.get(ligne["demande_id"])
        != (ligne["decision"], ligne["montant_an1"], ligne["montant_an2"])
    ]
    if touchees:
        raise ErreurFinancement(
            "ce scénario change la décision "
            + ("des demandes " if len(touchees) > 1 else "de la demande ")
            + ", ".join(
                f"{numeros[d]} (conflit d'intérêts déclaré : {en_conflit[d]['raison']})"
                for d in touchees
            )
            + " : vous ne pouvez pas l'adopter. Un membre sans conflit l'adopte, ou retirez "
            "ces demandes du scénario."
        )


def _decision_lisible(x: dict) -> str:
    texte = f"{x['decision']} ({montant(x['montant_an1'])}"
    texte += f" + {montant(x['montant_an2'])})" if x["montant_an2"] else ")"
    return texte + (f" : {x['justification']}" if x["justification"] else "")


def _changements(table, version: int, cles: dict, decrire, connexion) -> list[Changement]:
    """Les lignes inscrites après `version` dans une table en ajout seul, en clair."""
    noms = stockage.noms_des_comptes(connexion=connexion)
    numeros = {}
    lignes = stockage.lignes_depuis(table, version, connexion=connexion, **cles)
    if "demande_id" not in cles:
        numeros = {
            int(x["demande_id"]): (
                stockage.lire_demande(int(x["demande_id"]), connexion=connexion) or {}
            ).get("no_demande", "")
            for x in lignes
        }
    return [
        Changement(
            x["date"],
            noms.get(x["auteur"], x["auteur"]),
            (f"{numeros[int(x['demande_id'])]} : " if numeros else "") + decrire(x),
        )
        for x in lignes
    ]


def inscrire_tirage(
    appel: Appel,
    numero: int,
    *,
    moteur: Moteur,
    auteur: str,
    presents: Sequence[str] | None = None,
    maintenant: dt.datetime | None = None,
) -> int:
    """Issue 16, point 7 : fait du tirage au sort n° `numero` de l'appel (journal, voir
    `decision.tirages`) des décisions du comité : les gagnantes retenues au montant inscrit
    avec le tirage, les autres candidates en liste d'attente ; justification « Tirage au
    sort n° …, graine … » ; rend le nombre de décisions inscrites.

    En une transaction, tout ou rien, avec les contrôles d'une décision : verrou, conflit
    d'intérêts de `auteur` sur l'une des candidates (toutes nommées), quorum
    (`_refuser_sans_quorum`). Refusé (`tirage.ErreurTirage`) : si un tirage plus récent l'a
    remplacé (seul le dernier tirage de l'appel fait foi) ; s'il ne se rejoue pas conforme
    (`tirage.rejouer`, avec l'enveloppe et le plafond de l'appel) ; si une candidate n'est
    plus une demande de l'appel, ou a reçu depuis le tirage une décision qui n'est pas
    celle du tirage ; si le montant d'une gagnante dépasse son plafond annuel
    (`_plafond_de`, comme `enregistrer_decision`) ; si les gagnantes plus les retenues
    déjà décidées dépasseraient l'enveloppe d'une année."""
    instant = maintenant or stockage.maintenant()
    annees = nombre_annees(appel)
    with stockage.ecriture(moteur, stockage.decisions, lourde=False) as connexion:
        journal = stockage.lire_journal(
            connexion=connexion, appel_id=appel.id, objets=[tirage.OBJET]
        )
        fait = next((t for t in tirage.inscrits(journal) if t.numero == numero), None)
        if fait is None:
            raise tirage.ErreurTirage(f"aucun tirage n° {numero} dans cet appel.")
        dernier = max(t.numero for t in tirage.inscrits(journal) if t.appel_id == appel.id)
        if numero < dernier:
            raise tirage.ErreurTirage(
                f"le tirage n° {numero} a été remplacé par le n° {dernier} : seul le dernier "
                "tirage de l'appel peut devenir décisions."
            )
        if ecarts := fait.ecarts(appel):
            raise tirage.ErreurTirage(
                f"le tirage n° {numero} ne se rejoue pas conforme "
                f"({' ; '.join(e.rstrip('.') for e in ecarts)}) : il "
                "ne devient pas décision."
            )
        _verrou_decisions(appel.id, connexion)
        e = fait.enregistrement
        table = stockage.lire_demandes(appel.id, connexion=connexion)
        ids = dict(zip(table["no_demande"].astype(str), table["id"].astype(int), strict=True))
        if absentes := [no for no, _ in e["candidates"] if no not in ids]:
            raise tirage.ErreurTirage(
                f"{', '.join(absentes)} n'est plus une demande de l'appel : le tirage "
                f"n° {numero} ne devient pas décision."
            )
        demandes = [_demande(appel.id, ids[no], connexion) for no, _ in e["candidates"]]
        conflits = [(d, c) for d in demandes if (c := _conflit_de(int(d["id"]), auteur, connexion))]
        if conflits:
            raise tirage.ErreurTirage(
                "vous avez déclaré un conflit d'intérêts sur "
                + ", ".join(f"{d['no_demande']} ({c['raison']})" for d, c in conflits)
                + " : vous ne pouvez pas inscrire ce tirage ; un membre sans conflit le peut."
            )
        try:
            _refuser_sans_quorum(appel, demandes, presents, connexion)
            _refuser_retenue_inadmissible(
                [d for d in demandes if d["no_demande"] in set(e["gagnantes"])], connexion
            )
        except ErreurFinancement as exc:
            raise tirage.ErreurTirage(str(exc)) from None
        actuelles = {
            int(x["demande_id"]): x for x in stockage.lire_decisions(appel.id, connexion=connexion)
        }
        gagnantes = set(e["gagnantes"])
        justification = f"Tirage au sort n° {numero}, graine {e['graine']}"
        if decidees := [
            d["no_demande"]
            for d in demandes
            if (x := actuelles.get(int(d["id"]))) and x.get("justification") != justification
        ]:
            raise tirage.ErreurTirage(
                f"{', '.join(decidees)} : décision inscrite depuis le tirage n° {numero} ; il ne "
                "devient pas décision (tirez de nouveau, avec une raison)."
            )
        periodes = [f"{d.year}-{f.year}" for d, f in appel.financement.annees_financieres()]
        modifies = {
            (int(x["demande_id"]), int(x["annee"])): int(x["montant"])
            for x in stockage.lire_montants_recommandes(appel.id, connexion=connexion)
        }
        for d, (no, montants) in zip(demandes, e["candidates"], strict=True):
            if no not in gagnantes:
                continue
            plafond = _plafond_de(appel, d, connexion)
            for a, v in enumerate(montants[:annees]):
                if int(v) > plafond:
                    raise tirage.ErreurTirage(
                        f"{no} : {montant(int(v))} en {periodes[a]} dépasse son plafond de "
                        f"{montant(plafond)} par année ; le tirage n° {numero} ne devient "
                        "pas décision."
                    )
            # Le montant tiré est le montant recommandé en vigueur : un enregistrement qui en
            # porte un autre (montant changé depuis, ou écrit à la main) ne devient pas décision.
            regle = _montants_de_la_regle(appel, d, connexion)
            recommande = [modifies.get((int(d["id"]), a + 1), regle[a]) for a in range(annees)]
            if [int(v) for v in montants[:annees]] != recommande:
                raise tirage.ErreurTirage(
                    f"{no} : le montant du tirage n° {numero} ("
                    + " + ".join(montant(int(v)) for v in montants[:annees])
                    + ") n'est pas son montant recommandé en vigueur ("
                    + " + ".join(montant(v) for v in recommande)
                    + ") ; tirez de nouveau, avec une raison."
                )
        ids_candidates = {int(d["id"]) for d in demandes}
        retenu = [0] * annees
        for x in actuelles.values():
            if x["decision"] == RETENU and int(x["demande_id"]) not in ids_candidates:
                for a in range(annees):
                    retenu[a] += int(x.get(f"montant_an{a + 1}") or 0)
        par_no = dict(e["candidates"])
        for a in range(annees):
            gagne = sum(int(par_no[no][a]) for no in gagnantes)
            enveloppe = appel.financement.enveloppe[a]
            if gagne and retenu[a] + gagne > enveloppe:
                raise tirage.ErreurTirage(
                    f"en {periodes[a]}, les gagnantes ({montant(gagne)}) et les demandes déjà "
                    f"retenues ({montant(retenu[a])}) dépasseraient l'enveloppe de "
                    f"{montant(enveloppe)} : le tirage n° {numero} ne devient pas décision "
                    "(tirez de nouveau, avec une raison)."
                )
        lignes = []
        for no, montants in e["candidates"]:
            retenue = no in gagnantes
            m = (*(int(x) for x in montants), 0, 0)[:2] if retenue else (0, 0)
            lignes.append(
                {
                    "appel_id": appel.id,
                    "demande_id": ids[no],
                    "decision": RETENU if retenue else LISTE_ATTENTE,
                    "montant_an1": m[0],
                    "montant_an2": m[1],
                    "justification": justification,
                    "date": instant,
                    "auteur": auteur,
                }
            )
        for ligne in lignes:
            stockage.ajouter_decision(ligne, connexion=connexion)
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "decision",
                    _resume(avant, annees)
                    if (avant := actuelles.get(ligne["demande_id"]))
                    else None,
                    f"{_resume(ligne, annees)} : {justification}",
                    appel_id=appel.id,
                    demande_id=ligne["demande_id"],
                )
                for ligne in lignes
            ],
            connexion=connexion,
        )
    return len(lignes)


class ConsensusPerime(ModificationConcurrente, ErreurConsensus):
    """Une autre note de consensus a été inscrite sur la demande depuis l'affichage."""


def enregistrer_consensus(
    appel: Appel,
    demande_id: int,
    notes_par_critere: Mapping[str, float],
    justification: str,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
    presents: Sequence[str] | None = None,
) -> None:
    """Inscrit la note de consensus de la séance sur une demande, critère par critère, avec
    ses motifs (issue 16, point 4 ; réglage du comité, voir `decision.consensus`). Une
    ligne par critère donné, en ajout seul : la dernière d'un critère compte, l'historique
    reste. Journalisé.

    Refusée : à qui ne conduit pas la séance (`droits.peut_conduire_seance` : présidence,
    administration) ; à qui a déclaré un conflit d'intérêts sur la demande ; quand les
    décisions de l'appel sont verrouillées ; pour une note hors de l'échelle ou du pas de
    l'appel, un critère inconnu, sans motifs (`consensus.refus`) ; sans quorum quand
    l'appel en fixe un, comme une décision (`_refuser_sans_quorum` : en séance ouverte,
    assez de présents sans conflit ; `presents` comme pour `enregistrer_decision`).
    `version_attendue` (`consensus.version`) : refusée si un autre consensus a été inscrit
    depuis."""
    if not droits.peut_conduire_seance(role):
        raise ErreurConsensus(
            "inscrire une note de consensus revient à la présidence du comité (ou à "
            "l'administration) : demandez-le à la personne qui préside."
        )
    notes = {str(k): v for k, v in notes_par_critere.items()}
    if refus := consensus_refus(appel, notes, justification):
        raise ErreurConsensus(refus)
    motifs = justification.strip()
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.consensus, lourde=False) as connexion:
        _verrou_decisions(appel.id, connexion, ErreurConsensus)
        d = _demande(appel.id, demande_id, connexion, ErreurConsensus)
        _refuser_si_conflit(d, auteur, connexion, "inscrire sa note de consensus", ErreurConsensus)
        try:
            _refuser_sans_quorum(appel, [d], presents, connexion)
        except ErreurFinancement as exc:
            raise ErreurConsensus(
                str(exc).replace("une décision", "une note de consensus")
            ) from None
        cles = {"appel_id": appel.id, "demande_id": demande_id}
        verifier_version(
            f"La note de consensus de {d['no_demande']}",
            stockage.derniere_ligne(stockage.consensus, connexion=connexion, **cles),
            version_attendue,
            lambda: _changements(
                stockage.consensus,
                version_attendue,
                cles,
                lambda x: f"{x['critere']} {saisi(float(x['note']))} ({x['justification']})",
                connexion,
            ),
            feminin=True,
            erreur=ConsensusPerime,
        )
        avant = {
            x["critere"]: float(x["note"])
            for x in stockage.lire_historique_consensus(demande_id, connexion=connexion)
        }
        ordre = [c.id for c in appel.criteres if c.id in notes]
        stockage.ajouter_consensus(
            [
                {
                    **cles,
                    "critere": c,
                    "note": float(notes[c]),
                    "justification": motifs,
                    "date": instant,
                    "auteur": auteur,
                }
                for c in ordre
            ],
            connexion=connexion,
        )

        def texte(valeurs: Mapping[str, float]) -> str | None:
            morceaux = [f"{c} {saisi(valeurs[c])}" for c in ordre if c in valeurs]
            return ", ".join(morceaux) or None

        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "consensus",
                    texte(avant),
                    f"{texte({c: float(notes[c]) for c in ordre})} : {motifs}",
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            ],
            connexion=connexion,
        )
