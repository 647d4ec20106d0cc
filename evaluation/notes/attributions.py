"""Qui évalue quoi : répartition équilibrée de N évaluateurs par demande, conflits
d'intérêts (déclarés, ou évidents d'après la municipalité et la région du compte), et le
verrouillage des évaluations par la présidence.

Les règles sont dans `notes.repartition` (pures) ; ici, `charger` lit leur état dans la
base et les fonctions qui écrivent passent par `stockage`, journal compris, dans la même
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pandas as pd

from evaluation.appels.configuration import Appel, appel_depuis_toml
from evaluation.notes import filtrage
from evaluation.notes.repartition import (
    ROLE_EVALUATEUR,
    Attributions,
    ErreurAttribution,
    Repartition,
    _conflit_stocke,
    _reglages,
    conflits_evidents,
    repartir,
)
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, MEMBRE, OBSERVATEUR, PRESIDENT
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import trop_long


def admissibles(appel_id: str, *, connexion) -> frozenset[int]:
    """Les demandes jugées admissibles par l'examen (`notes.filtrage`) : les seules qui
    s'attribuent et se notent."""
    return filtrage.admissibles(
        filtrage.etats(stockage.lire_examens(appel_id, connexion=connexion))
    )


def _charger(
    appel_id: str,
    connexion,
    table: pd.DataFrame | None = None,
    admissibilite: Mapping[int, filtrage.Etat] | None = None,
) -> Attributions:
    """L'état des attributions ; seules les demandes jugées admissibles en font partie
    (« une évaluation de l'admissibilité avant la notation », issue 15). `admissibilite` :
    l'examen déjà lu (`filtrage.etats`), pour ne pas le relire."""
    if table is None:
        table = stockage.lire_demandes(appel_id, connexion=connexion)
    admises = (
        admissibles(appel_id, connexion=connexion)
        if admissibilite is None
        else filtrage.admissibles(admissibilite)
    )
    table = table[table["id"].astype(int).isin(admises)]
    colonnes = [
        c for c in ("municipalite", "municipalites_partenaires", "region", "neq") if c in table
    ]
    demandes = [
        {"id": int(i), **dict(zip(colonnes, lieux, strict=True))}
        for i, *lieux in zip(table["id"], *(table[c].tolist() for c in colonnes), strict=True)
    ]
    comptes = [
        c
        for c in stockage.lire_comptes(connexion=connexion)
        if c["role"] == ROLE_EVALUATEUR and c["actif"]
    ]
    conflits = {(c.demande_id, c.evaluateur): c for c in conflits_evidents(demandes, comptes)}
    for ligne in stockage.lire_conflits(appel_id, connexion=connexion):
        conflits[(int(ligne["demande_id"]), ligne["evaluateur"])] = _conflit_stocke(ligne)
    return Attributions(
        _reglages(stockage.lire_reglages_evaluation(appel_id, connexion=connexion)),
        tuple(d["id"] for d in demandes),
        tuple(sorted(c["courriel"] for c in comptes)),
        frozenset(stockage.lire_attributions(appel_id, connexion=connexion)),
        conflits,
    )


def charger(
    appel_id: str,
    *,
    moteur: Moteur,
    demandes: pd.DataFrame | None = None,
    admissibilite: Mapping[int, filtrage.Etat] | None = None,
) -> Attributions:
    """L'état des attributions de l'appel ; `demandes` (stockage.lire_demandes, déjà lu
    par la page) et `admissibilite` (l'examen déjà lu) évitent de les relire."""
    with moteur.connect() as connexion:
        return _charger(appel_id, connexion, demandes, admissibilite)


def motif_refus(
    appel_id: str, demande_id: int, evaluateur: str, *, connexion, modification: bool = True
) -> str | None:
    """Pourquoi `evaluateur` ne peut pas enregistrer d'évaluation de cette demande (None
    s'il le peut) ; lu dans la transaction de l'appelant, pour que la règle tienne même
    quand l'administration change une attribution au même moment."""
    if modification and appel_id in stockage.appels_archives(connexion=connexion):
        return "cet appel est archivé : plus aucune note ne peut changer."
    reglages = _reglages(stockage.lire_reglages_evaluation(appel_id, connexion=connexion))
    if modification and reglages.verrouille:
        return (
            "les évaluations de cet appel sont verrouillées par la présidence du comité : "
            "plus aucune note ne peut changer."
        )
    for ligne in stockage.lire_conflits_de(appel_id, evaluateur, connexion=connexion):
        if int(ligne["demande_id"]) == demande_id:
            return f"conflit d'intérêts déclaré sur cette demande ({ligne['raison']})."
    compte = stockage.lire_compte(evaluateur, connexion=connexion)
    demande = stockage.lire_demande(demande_id, connexion=connexion)
    if demande is None or demande["appel_id"] != appel_id:
        return "cette demande n'existe pas dans l'appel."
    if demande.get("retiree_le") is not None:
        return "cette demande a été retirée (désistement) : elle ne s'évalue plus."
    examen = stockage.lire_examen(demande_id, connexion=connexion)
    etat = filtrage.etat_depuis_ligne(examen) if examen else filtrage.NON_EXAMINEE
    if refus := filtrage.motif_refus_notation(etat):
        return refus
    if compte is not None and (not compte["actif"] or compte["role"] != ROLE_EVALUATEUR):
        return "seul un compte d'évaluateur actif enregistre des évaluations."
    if compte is not None:
        for c in conflits_evidents([demande], [compte]):
            return f"conflit d'intérêts : {c.raison}."
    if reglages.evaluateurs_par_demande is not None and not stockage.est_attribuee(
        demande_id, evaluateur, connexion=connexion
    ):
        return "cette demande ne vous est pas attribuée."
    return None


def _ecrire_reglages(appel_id, valeurs, connexion, auteur, instant) -> None:
    avant = _reglages(stockage.lire_reglages_evaluation(appel_id, connexion=connexion))
    nouveau = {
        "evaluateurs_par_demande": avant.evaluateurs_par_demande,
        "verrouille": avant.verrouille,
        "decisions_verrouillees": avant.decisions_verrouillees,
        **valeurs,
        "modifie_le": instant,
        "modifie_par": auteur,
    }
    stockage.ecrire_reglages_evaluation(appel_id, nouveau, connexion=connexion)
    lignes = []
    for cle, valeur in valeurs.items():
        ancien = getattr(avant, cle)
        if ancien != valeur:
            lignes.append(
                stockage.ligne_journal(
                    instant,
                    auteur,
                    f"reglage:{cle}",
                    None if ancien is None else str(ancien),
                    None if valeur is None else str(valeur),
                    appel_id=appel_id,
                )
            )
    stockage.inscrire_journal(lignes, connexion=connexion)


def verrouiller(
    appel_id: str,
    verrouille: bool,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
    quoi: str = "verrouille",
) -> None:
    """Verrouille (ou rouvre) les évaluations de l'appel (`quoi` = « verrouille ») ou ses
    décisions (« decisions_verrouillees ») ; journalisé. Verrouiller les décisions fige
    aussi les notes ; rouvrir les décisions ne rouvre pas les notes."""
    if quoi not in ("verrouille", "decisions_verrouillees"):
        raise ValueError(f"verrou « {quoi} » inconnu.")
    valeurs = {quoi: verrouille}
    if quoi == "decisions_verrouillees" and verrouille:
        valeurs["verrouille"] = True
    with stockage.ecriture(moteur, stockage.attributions) as connexion:
        _ecrire_reglages(
            appel_id,
            valeurs,
            connexion,
            auteur,
            maintenant or stockage.maintenant(),
        )


def _ecrire_attributions(appel_id, ajouts, retraits, connexion, auteur, instant) -> None:
    stockage.retirer_attributions(retraits, connexion=connexion)
    stockage.ajouter_attributions(
        [
            {
                "appel_id": appel_id,
                "demande_id": d,
                "evaluateur": e,
                "date": instant,
                "auteur": auteur,
            }
            for d, e in sorted(ajouts)  # ordre des id en base, que rien ne lit
        ],
        connexion=connexion,
    )
    stockage.inscrire_journal(
        [
            stockage.ligne_journal(
                instant,
                auteur,
                "attribution",
                None,
                "attribuée",
                appel_id=appel_id,
                demande_id=d,
                evaluateur=e,
            )
            for d, e in sorted(ajouts)
        ]
        + [
            stockage.ligne_journal(
                instant,
                auteur,
                "attribution",
                "attribuée",
                None,
                appel_id=appel_id,
                demande_id=d,
                evaluateur=e,
            )
            for d, e in sorted(retraits)
        ],
        connexion=connexion,
    )


def _commencees(appel_id: str, connexion) -> set[tuple[int, str]]:
    table = stockage.lire_evaluations(appel_id, connexion=connexion)
    return {(int(d), e) for d, e in zip(table["demande_id"], table["evaluateur"], strict=True)}


def appliquer_repartition(
    appel: Appel,
    n_par_demande: int | None,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> Repartition:
    """Choisit le mode de l'appel : chacun évalue tout (None), ou N évaluateurs par demande
    répartis automatiquement. Les évaluations déjà commencées gardent leur évaluateur.
    Tout est journalisé ; renvoie la répartition (et les demandes qui manquent
    d'évaluateurs)."""
    if n_par_demande is not None and n_par_demande < 1:
        raise ErreurAttribution("il faut au moins un évaluateur par demande.")
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.attributions) as connexion:
        etat = _charger(appel.id, connexion)
        commencees = _commencees(appel.id, connexion)
        imposees: dict[int, list[str]] = {}
        for d, e in commencees:
            imposees.setdefault(d, []).append(e)
        repartition = repartir(
            etat.demandes, etat.evaluateurs, n_par_demande, etat.conflits.values(), imposees
        )
        voulues = (
            set()
            if n_par_demande is None
            else {(d, e) for d, es in repartition.par_demande.items() for e in es}
        )
        _ecrire_attributions(
            appel.id,
            voulues - etat.stockees,
            etat.stockees - voulues,
            connexion,
            auteur,
            instant,
        )
        _ecrire_reglages(
            appel.id, {"evaluateurs_par_demande": n_par_demande}, connexion, auteur, instant
        )
    return repartition


def modifier_attributions(
    appel: Appel,
    ajouts: Iterable[tuple[int, str]],
    retraits: Iterable[tuple[int, str]],
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> None:
    """Corrections à la main de la répartition ; refuse tout l'ensemble si une seule ne
    tient pas (conflit, évaluation déjà commencée, évaluateur inconnu)."""
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.attributions) as connexion:
        etat = _charger(appel.id, connexion)
        if etat.reglages.evaluateurs_par_demande is None:
            raise ErreurAttribution(
                "chaque évaluateur évalue chaque demande : choisissez d'abord un nombre "
                "d'évaluateurs par demande."
            )
        commencees = _commencees(appel.id, connexion)
        ajouts, retraits = set(ajouts) - etat.stockees, set(retraits) & etat.stockees
        problemes = []
        evaluateurs = frozenset(etat.evaluateurs)
        for d, e in sorted(ajouts):
            if (d, e) in etat.conflits:
                problemes.append(
                    f"{e} ne peut pas évaluer la demande {d} : {etat.conflits[(d, e)].raison}."
                )
            elif d not in etat._demandes:
                problemes.append(f"la demande {d} n'existe pas dans l'appel.")
            elif e not in evaluateurs:
                problemes.append(f"{e} n'est pas un évaluateur actif de l'appel.")
        for d, e in sorted(retraits):
            if (d, e) in commencees:
                problemes.append(
                    f"{e} a déjà commencé l'évaluation de la demande {d} : son attribution "
                    "reste (ses notes ne sont jamais retirées)."
                )
        if problemes:
            raise ErreurAttribution(" ".join(problemes))
        _ecrire_attributions(appel.id, ajouts, retraits, connexion, auteur, instant)


def declarer_conflit(
    appel_id: str,
    demande_id: int,
    evaluateur: str,
    raison: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> None:
    """Inscrit un conflit d'intérêts (par l'évaluateur lui-même ou par l'administration) :
    l'évaluateur ne voit plus ni n'évalue cette demande. La raison est obligatoire."""
    raison = (raison or "").strip()
    if not raison:
        raise ErreurAttribution("un conflit d'intérêts se déclare avec sa raison.")
    if refus := trop_long(raison, "raison du conflit"):
        raise ErreurAttribution(refus)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.attributions) as connexion:
        demande = stockage.lire_demande(demande_id, connexion=connexion)
        if demande is None or demande["appel_id"] != appel_id:
            raise ErreurAttribution("cette demande n'existe pas dans l'appel.")
        if any(
            int(c["demande_id"]) == demande_id and c["evaluateur"] == evaluateur
            for c in stockage.lire_conflits(appel_id, connexion=connexion)
        ):
            raise ErreurAttribution("ce conflit d'intérêts est déjà inscrit.")
        if auteur == evaluateur:
            _conflit_apres_consultation(
                appel_id, demande_id, evaluateur, raison, instant, connexion
            )
        stockage.ajouter_conflit(
            {
                "appel_id": appel_id,
                "demande_id": demande_id,
                "evaluateur": evaluateur,
                "raison": raison,
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
                    "conflit",
                    None,
                    raison,
                    appel_id=appel_id,
                    demande_id=demande_id,
                    evaluateur=evaluateur,
                )
            ],
            connexion=connexion,
        )


def _conflit_apres_consultation(
    appel_id: str, demande_id: int, evaluateur: str, raison: str, instant, connexion
) -> None:
    """Un conflit déclaré par l'évaluateur lui-même retire sa note du calcul : s'il a déjà
    soumis, puis vu les notes des autres, c'est un changement de son évaluation après
    consultation, refusé ou signalé selon le réglage du comité (`apres_consultation`)."""
    evaluation = stockage.lire_evaluation(demande_id, evaluateur, connexion=connexion)
    if evaluation is None or evaluation["soumise_le"] is None:
        return
    vue = stockage.lire_consultation(demande_id, evaluateur, connexion=connexion)
    if vue is None:
        return
    stocke = stockage.lire_appel(appel_id, connexion=connexion)
    reglage = appel_depuis_toml(stocke["configuration_toml"]).apres_consultation if stocke else ""
    if reglage == "refuser":
        raise ErreurAttribution(
            "vous avez déjà soumis cette évaluation et vu les notes des autres évaluateurs : "
            "un conflit d'intérêts déclaré maintenant retirerait votre note du calcul, ce que "
            "le réglage du comité refuse. Déclarez-le à la présidence, qui le fera inscrire."
        )
    stockage.marquer_apres_consultation(evaluation["id"], connexion=connexion)
    stockage.inscrire_journal(
        [
            stockage.ligne_journal(
                instant,
                evaluateur,
                "modifiee_apres_consultation",
                None,
                f"conflit d'intérêts déclaré après consultation ({raison}) : note retirée",
                appel_id=appel_id,
                demande_id=demande_id,
                evaluateur=evaluateur,
            )
        ],
        connexion=connexion,
    )


# Issue 16 : la levée d'un conflit avec sa raison, au journal.
LEVEE = "conflit:levee"
# Les rôles du comité (decision.comite.ROLES_COMITE, que cette couche ne lit pas).
ROLES_DU_COMITE = (PRESIDENT, MEMBRE, OBSERVATEUR, ADMIN)


def _personne(qui: str) -> str:
    return " ".join(str(qui).split()).casefold()


def retirer_conflit(
    appel_id: str,
    demande_id: int,
    evaluateur: str,
    *,
    moteur: Moteur,
    auteur: str,
    motif: str = "",
    maintenant: dt.datetime | None = None,
) -> None:
    """Lève un conflit déclaré (l'administration seule) ; journalisé avec sa raison.

    Issue 16 : nul ne lève son propre conflit (une autre personne le fait) ; le conflit
    d'une personne du comité (présidence, membre, observation, administration, personne
    sans compte) ne se lève qu'avec une raison écrite (`motif`), journalisée (objet
    « conflit:levee », ancien : la raison du conflit, nouveau : celle de la levée) et reprise
    au procès-verbal de la séance. Celui d'un évaluateur se lève comme avant, la raison y
    est facultative (journalisée si donnée)."""
    motif = (motif or "").strip()
    if _personne(auteur) == _personne(evaluateur):
        raise ErreurAttribution(
            "vous ne pouvez pas lever votre propre conflit d'intérêts : une autre personne "
            "de l'administration doit le faire, avec la raison de la levée."
        )
    if refus := trop_long(motif, "raison de la levée"):
        raise ErreurAttribution(refus)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.attributions) as connexion:
        ligne = next(
            (
                c
                for c in stockage.lire_conflits(appel_id, connexion=connexion)
                if int(c["demande_id"]) == demande_id and c["evaluateur"] == evaluateur
            ),
            None,
        )
        if ligne is None:
            raise ErreurAttribution("aucun conflit déclaré pour cette demande et ce compte.")
        compte = stockage.lire_compte(evaluateur, connexion=connexion)
        if not motif and (compte is None or compte["role"] in ROLES_DU_COMITE):
            raise ErreurAttribution(
                "le conflit d'intérêts d'une personne du comité se lève avec une raison "
                "écrite : saisissez pourquoi il est levé (elle est inscrite au journal et au "
                "procès-verbal)."
            )
        stockage.retirer_conflit(demande_id, evaluateur, connexion=connexion)
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    LEVEE if motif else "conflit",
                    ligne["raison"],
                    motif or None,
                    appel_id=appel_id,
                    demande_id=demande_id,
                    evaluateur=evaluateur,
                )
            ],
            connexion=connexion,
        )
