"""La saisie des évaluations : brouillon ou soumission, notes et commentaires par critère,
admissibilité, et le journal de chaque changement écrit dans la même transaction.

Aucun chemin n'écrit une note sans écrire le journal : `enregistrer` est le seul.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from dataclasses import dataclass

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.depot.validation import cle_numero
from evaluation.notes.attributions import admissibles, motif_refus
from evaluation.notes.grilles import CONSEIL_GRILLE, DEPUIS_GRILLE, LectureGrille
from evaluation.notes.repartition import (
    ROLE_EVALUATEUR,
    Attributions,
    _conflit_stocke,
    _reglages,
    conflits_evidents,
)
from evaluation.notes.saisie import (
    OBJET_APRES_CONSULTATION,
    OBJET_CONSULTATION,
    SOUMISE,
    ErreurEvaluation,
    EvaluationPerimee,
    EvaluationRefusee,
    Saisie,
    changements_de_saisie,
    problemes_saisie,
    saisie_stockee,
)
from evaluation.socle import stockage
from evaluation.socle.concurrence import (
    CONSEIL_PAGE,
    DEPUIS_PAGE,
    Changement,
    quand,
)
from evaluation.socle.journal import libelle_objet, valeur_lisible
from evaluation.socle.stockage import Moteur

ATTENTE_MAX = 10.0  # secondes de tentatives quand la base est occupée


@dataclass(frozen=True)
class AEnregistrer:
    """Une évaluation à écrire : pour qui, quelle demande, quoi, dans quel statut."""

    demande_id: int
    evaluateur: str
    saisie: Saisie
    statut: str
    # La version lue par la page ou la grille (0 : aucune évaluation encore) ; None : écrire
    # sur la dernière version, sans vue à protéger.
    version_attendue: int | None = None
    # D'où vient la vue, et quoi faire si elle est périmée (pour le message de refus).
    depuis: str = DEPUIS_PAGE
    conseil: str = CONSEIL_PAGE


def enregistrer(
    appel: Appel,
    demande_id: int,
    evaluateur: str,
    saisie: Saisie,
    statut: str,
    *,
    moteur: Moteur,
    auteur: str | None = None,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
) -> int:
    """Enregistre une évaluation (brouillon ou soumise) et le journal de ses changements en
    une transaction ; renvoie le nombre de changements inscrits.

    `version_attendue` : la version que la page a lue ; si l'évaluation a changé depuis (un
    autre onglet, une grille importée), lève `EvaluationPerimee` sans rien écrire."""
    return enregistrer_plusieurs(
        appel,
        [AEnregistrer(demande_id, evaluateur, saisie, statut, version_attendue)],
        moteur=moteur,
        auteur=auteur,
        maintenant=maintenant,
    )


def enregistrer_plusieurs(
    appel: Appel,
    lot: list[AEnregistrer],
    *,
    moteur: Moteur,
    auteur: str | None = None,
    maintenant: dt.datetime | None = None,
) -> int:
    """Enregistre un lot d'évaluations (une grille, par exemple) en une seule transaction :
    tout ou rien. Renvoie le nombre de changements inscrits au journal.

    Quand la base est occupée (autre écriture en cours), l'opération est retentée avec une
    attente croissante, au plus `ATTENTE_MAX` secondes, puis refusée avec un message clair.
    """
    for a in lot:
        if problemes := problemes_saisie(a.saisie, appel, a.statut):
            raise ErreurEvaluation(" ".join(problemes))
    debut = time.monotonic()
    attente = 0.02
    while True:
        try:
            with stockage.ecriture(moteur) as connexion:
                instant = maintenant or stockage.maintenant()
                return sum(
                    _enregistrer(appel, a, connexion, auteur or a.evaluateur, instant) for a in lot
                )
        except Exception as exc:
            if stockage.reference_disparue(exc):
                raise EvaluationRefusee(
                    "Évaluation non enregistrée : la demande a été retirée par l'administration "
                    "pendant l'enregistrement. Rechargez la page."
                ) from exc
            if not stockage.base_occupee(exc) or time.monotonic() - debut > ATTENTE_MAX:
                if stockage.base_occupee(exc):
                    raise ErreurEvaluation(
                        "La base est occupée par d'autres enregistrements : votre évaluation "
                        "n'a pas été enregistrée. Réessayez dans un instant."
                    ) from exc
                raise
            time.sleep(attente * (1 + random.random()))
            attente = min(attente * 2, 0.5)


def _enregistrer(appel: Appel, a: AEnregistrer, connexion, auteur: str, instant) -> int:
    demande_id, evaluateur, saisie, statut = a.demande_id, a.evaluateur, a.saisie, a.statut
    ancienne = stockage.lire_evaluation(
        demande_id, evaluateur, connexion=connexion, verrouiller=True
    )
    if refus := motif_refus(appel.id, demande_id, evaluateur, connexion=connexion):
        raise EvaluationRefusee(f"Évaluation non enregistrée : {refus}")
    notes = {
        cid: (saisie.notes.get(cid), saisie.commentaires.get(cid) or None)
        for cid in {*saisie.notes, *saisie.commentaires}
    }
    valeurs = {
        "appel_id": appel.id,
        "demande_id": demande_id,
        "evaluateur": evaluateur,
        "statut": statut,
        "commentaire_global": saisie.commentaire_global or None,
        "admissible": saisie.admissible,
        "raison_inadmissibilite": saisie.raison_inadmissibilite or None,
        "admissibilite": saisie.admissibilite or None,
        "version": (ancienne["version"] + 1) if ancienne else 1,
        "modifie_le": instant,
    }
    if ancienne is None:
        valeurs["cree_le"] = instant
    if statut == SOUMISE and (ancienne is None or ancienne["statut"] != SOUMISE):
        valeurs["soumise_le"] = instant
    changements = changements_de_saisie(ancienne, valeurs, notes)
    if ancienne is not None and not changements:
        return 0  # rien ne change : même d'après une vue périmée, rien ne peut se perdre
    stockee = ancienne["version"] if ancienne else 0
    if a.version_attendue is not None and stockee != a.version_attendue:
        demande = stockage.lire_demande(demande_id, connexion=connexion) or {}
        raise EvaluationPerimee(
            f"L'évaluation de {demande.get('no_demande', demande_id)}",
            changements_depuis(
                appel, demande_id, evaluateur, a.version_attendue, connexion=connexion
            ),
            feminin=True,
            depuis=a.depuis,
            conseil=a.conseil,
        )
    if apres := _apres_consultation(appel, ancienne, changements, connexion):
        valeurs["modifiee_apres_consultation"] = True
        changements.append((OBJET_APRES_CONSULTATION, None, apres))
    stockage.ecrire_evaluation(
        valeurs, notes, ancienne["id"] if ancienne else None, connexion=connexion
    )
    stockage.inscrire_journal(
        [
            stockage.ligne_journal(
                instant,
                auteur,
                objet,
                ancien,
                nouveau,
                appel_id=appel.id,
                demande_id=demande_id,
                evaluateur=evaluateur,
                version=valeurs["version"],
            )
            for objet, ancien, nouveau in changements
        ],
        connexion=connexion,
    )
    return len(changements)


def _apres_consultation(appel: Appel, ancienne: dict | None, changements, connexion) -> str:
    """Ce qui change dans les notes, l'admissibilité ou le statut (rouvrir retire les notes
    du calcul) d'une évaluation déjà soumise, une fois que son auteur a vu les notes des
    autres ("" sinon). Selon le réglage du comité (`apres_consultation`), c'est refusé ou
    signalé. Un conflit d'intérêts qu'il déclare alors suit la même règle
    (`attributions.declarer_conflit`).

    Interprétation : l'évaluation à l'aveugle protège ce qui compte dans le calcul (notes,
    admissibilité, présence de l'évaluation) ; un commentaire peut encore être précisé par
    une grille, sans rouvrir."""
    if ancienne is None or ancienne.get("soumise_le") is None:
        return ""
    notees = [
        (objet, avant, apres)
        for objet, avant, apres in changements
        if objet.startswith("note:")
        or objet == "admissible"
        # Rouvrir une évaluation soumise retire ses notes du calcul : c'est la changer.
        or (objet == "statut" and avant == SOUMISE)
    ]
    if not notees:
        return ""
    vue = stockage.lire_consultation(
        ancienne["demande_id"], ancienne["evaluateur"], connexion=connexion
    )
    if vue is None:
        return ""
    if appel.apres_consultation == "refuser":
        raise EvaluationRefusee(
            f"Évaluation non enregistrée : vous avez vu les notes des autres évaluateurs "
            f"{quand(vue)} ; vos notes, votre jugement d'admissibilité et votre soumission "
            "ne changent plus (réglage du comité pour cet appel). Pour corriger une erreur de "
            "saisie, adressez-vous à la présidence."
        )
    return " ; ".join(
        f"{libelle_objet(o, appel)} {valeur_lisible(o, a) or '(vide)'} → "
        f"{valeur_lisible(o, n) or '(vide)'}"
        for o, a, n in notees
    )


def noter_consultation(
    appel: Appel,
    demande_id: int,
    evaluateur: str,
    *,
    moteur: Moteur,
    maintenant: dt.datetime | None = None,
) -> bool:
    """Inscrit (une fois, journalisée) que l'évaluateur a reçu les notes des autres pour
    cette demande : ce qu'il changera ensuite à ses notes n'est plus à l'aveugle. Renvoie
    vrai la première fois."""
    with moteur.connect() as connexion:
        if stockage.lire_consultation(demande_id, evaluateur, connexion=connexion):
            return False
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.consultations, versionnee=False) as connexion:
        if stockage.lire_consultation(demande_id, evaluateur, connexion=connexion):
            return False
        stockage.ajouter_consultation(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "evaluateur": evaluateur,
                "date": instant,
            },
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    evaluateur,
                    OBJET_CONSULTATION,
                    None,
                    "notes des autres évaluateurs affichées",
                    appel_id=appel.id,
                    demande_id=demande_id,
                    evaluateur=evaluateur,
                )
            ],
            connexion=connexion,
        )
    return True


def changements_depuis(
    appel: Appel, demande_id: int, evaluateur: str, version: int, *, connexion
) -> list[Changement]:
    """Ce que le journal a inscrit pour l'évaluation après `version`, un changement par
    enregistrement (qui, quand, quelles valeurs)."""
    lignes = stockage.journal_depuis_version(
        version,
        connexion=connexion,
        appel_id=appel.id,
        demande_id=demande_id,
        evaluateur=evaluateur,
    )
    noms = stockage.noms_des_comptes(connexion=connexion)
    par_version: dict[int, list[dict]] = {}
    for ligne in lignes:
        par_version.setdefault(ligne["version"], []).append(ligne)
    return [
        Changement(
            groupe[0]["date"],
            noms.get(groupe[0]["auteur"], groupe[0]["auteur"]),
            " ; ".join(
                f"{libelle_objet(g['objet'], appel)} "
                f"{valeur_lisible(g['objet'], g['ancien']) or '(vide)'} → "
                f"{valeur_lisible(g['objet'], g['nouveau']) or '(vide)'}"
                for g in groupe
            ),
        )
        for _, groupe in sorted(par_version.items())
    ]


def lire(demande_id: int, evaluateur: str, *, moteur: Moteur) -> tuple[str, Saisie] | None:
    """(statut, saisie) de l'évaluation stockée, ou None."""
    lu = lire_avec_version(demande_id, evaluateur, moteur=moteur)
    return None if lu is None else lu[:2]


def lire_avec_version(
    demande_id: int, evaluateur: str, *, moteur: Moteur
) -> tuple[str, Saisie, int] | None:
    """(statut, saisie, version) de l'évaluation stockée, lus ensemble, ou None : la version
    à rendre à `enregistrer` pour ne rien écraser de plus récent."""
    with moteur.connect() as connexion:
        e = stockage.lire_evaluation(demande_id, evaluateur, connexion=connexion)
    if e is None:
        return None
    return e["statut"], saisie_stockee(e), int(e["version"])


def lire_les_siennes(
    appel_id: str, evaluateur: str, *, moteur: Moteur
) -> dict[int, tuple[str, Saisie, int]]:
    """demande_id → (statut, saisie, version) de chaque évaluation de `evaluateur` dans
    l'appel, lues d'un coup (la grille d'un évaluateur qui a 5 000 demandes)."""
    with moteur.connect() as connexion:
        lues = stockage.lire_evaluations_de(appel_id, evaluateur, connexion=connexion)
    return {int(e["demande_id"]): (e["statut"], saisie_stockee(e), int(e["version"])) for e in lues}


def importer_grille(
    lecture: LectureGrille,
    appel: Appel,
    *,
    moteur: Moteur,
    auteur: str | None = None,
    lignes_valides: bool = False,
) -> int:
    """Enregistre les lignes d'une grille sans problème bloquant, toutes ou aucune (une
    transaction) ; renvoie le nombre de changements inscrits au journal (0 pour une grille
    déjà importée). Les commentaires par critère et l'admissibilité déjà saisis sont gardés.
    `lignes_valides` : la grille porte des lignes refusées (chacune située) ; seules les
    autres sont enregistrées, à la demande de la personne.
    Lève `ErreurEvaluation` si l'enregistrement est refusé (voir `evaluations`)."""
    if lignes_valides:
        retenues = lecture.lignes_valides
    elif not lecture.sans_blocage:
        return 0
    else:
        retenues = lecture.lignes
    lot = []
    siennes: dict[str, dict[int, tuple[str, Saisie, int]]] = {}
    for ligne in retenues:
        if ligne.evaluateur not in siennes:
            siennes[ligne.evaluateur] = lire_les_siennes(appel.id, ligne.evaluateur, moteur=moteur)
        deja = siennes[ligne.evaluateur].get(ligne.demande_id)
        # Une copie par ligne : deux lignes de la même demande partent chacune du stocké.
        saisie = dataclasses.replace(deja[1]) if deja else Saisie()
        saisie.notes = {**saisie.notes, **ligne.notes}
        if ligne.commentaire:
            saisie.commentaire_global = ligne.commentaire
        lot.append(
            AEnregistrer(
                ligne.demande_id,
                ligne.evaluateur,
                saisie,
                ligne.statut,
                # Sans colonne Version, la version lue juste avant : ce qui est enregistré
                # entre cette lecture et l'écriture n'est pas écrasé non plus.
                version_attendue=ligne.version
                if ligne.version is not None
                else (deja[2] if deja else 0),
                depuis=DEPUIS_GRILLE,
                conseil=CONSEIL_GRILLE,
            )
        )
    return enregistrer_plusieurs(appel, lot, moteur=moteur, auteur=auteur)


def numeros_de_l_appel(appel: Appel, *, moteur: Moteur) -> dict[str, int]:
    """Numéro (clé sans casse, voir `validation.cle_numero`) → identifiant de chaque demande
    stockée de l'appel."""
    with moteur.connect() as connexion:
        table = stockage.lire_demandes(appel.id, connexion=connexion)
    return {cle_numero(n): int(i) for n, i in zip(table["no_demande"], table["id"], strict=True)}


# Ce que la liste d'un évaluateur montre de chaque demande, et ce que ses conflits évidents
# lisent (municipalités, région ; organisme et NEQ d'un appel d'organismes).
COLONNES_LISTE = [
    "id",
    "no_demande",
    "titre",
    "organisme",
    "neq",
    "municipalite",
    "municipalites_partenaires",
    "region",
    "axe",
    "secteur",
]


@dataclass(frozen=True)
class MesDemandes:
    """Ce que la page Évaluation lit pour un évaluateur : les demandes de l'appel en
    quelques colonnes (`COLONNES_LISTE`), ses évaluations (demande_id, evaluateur, statut,
    modifie_le) et l'état des attributions restreint à lui (ses attributions stockées, ses
    conflits déclarés ou évidents) ; `attributee(d, evaluateur)` y dit ce qu'il dirait dans
    l'état complet (`attributions.charger`)."""

    demandes: pd.DataFrame
    evaluations: pd.DataFrame
    attributions: Attributions


def charger_mes_demandes(appel_id: str, evaluateur: str, *, moteur: Moteur) -> MesDemandes:
    """Lit ce qui concerne `evaluateur` seul, et rien des autres : à 5 000 demandes × 15
    évaluateurs, l'état complet et toutes les évaluations coûtaient plusieurs secondes à
    chaque action de la page."""
    with moteur.connect() as connexion:
        table = stockage.lire_demandes_en_bref(appel_id, COLONNES_LISTE, connexion=connexion)
        # Seules les demandes jugées admissibles se notent (examen d'admissibilité).
        table = table[
            table["id"].astype(int).isin(admissibles(appel_id, connexion=connexion))
        ].reset_index(drop=True)
        compte = stockage.lire_compte(evaluateur, connexion=connexion)
        reglages = _reglages(stockage.lire_reglages_evaluation(appel_id, connexion=connexion))
        declares = stockage.lire_conflits_de(appel_id, evaluateur, connexion=connexion)
        stockees = (
            []
            if reglages.evaluateurs_par_demande is None
            else stockage.lire_attributions_de(appel_id, evaluateur, connexion=connexion)
        )
        siennes = stockage.lire_evaluations_en_bref(
            appel_id, connexion=connexion, evaluateur=evaluateur
        )
    actif = compte is not None and compte["role"] == ROLE_EVALUATEUR and compte["actif"]
    conflits = {}
    # Sans municipalité, région ni organisme au compte, aucune règle ne voit de conflit :
    # inutile de normaliser les noms des 5 000 demandes.
    if actif and (compte.get("municipalite") or compte.get("region") or compte.get("neq")):
        lieux = table[["id", "municipalite", "municipalites_partenaires", "region", "neq"]]
        for c in conflits_evidents(lieux.to_dict("records"), [compte]):
            conflits[(int(c.demande_id), evaluateur)] = c
    for ligne in declares:
        conflits[(int(ligne["demande_id"]), evaluateur)] = _conflit_stocke(ligne)
    etat = Attributions(
        reglages,
        tuple(int(d) for d in table["id"]),
        (evaluateur,) if actif else (),
        frozenset((d, evaluateur) for d in stockees),
        conflits,
    )
    return MesDemandes(table, siennes, etat)
