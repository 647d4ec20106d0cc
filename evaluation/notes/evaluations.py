"""La saisie des évaluations : brouillon ou soumission, notes et commentaires par critère,
admissibilité, et le journal de chaque changement écrit dans la même transaction.

Aucun chemin n'écrit une note sans écrire le journal : `enregistrer` est le seul.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from dataclasses import dataclass, field

from evaluation.appels.configuration import Appel
from evaluation.notes.attributions import motif_refus
from evaluation.socle import stockage
from evaluation.socle.concurrence import (
    CONSEIL_PAGE,
    DEPUIS_PAGE,
    Changement,
    ModificationConcurrente,
    quand,
)
from evaluation.socle.journal import libelle_objet, valeur_lisible
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import trop_long

BROUILLON, SOUMISE = "brouillon", "soumise"
OBJET_CONSULTATION = "consultation_des_autres_notes"
OBJET_APRES_CONSULTATION = "modifiee_apres_consultation"
MODIFIEE_APRES_CONSULTATION = "modifiée après consultation des autres notes"
STATUTS = (BROUILLON, SOUMISE)
ATTENTE_MAX = 10.0  # secondes de tentatives quand la base est occupée


class ErreurEvaluation(ValueError):
    """Une évaluation qui ne peut pas être enregistrée ; le message dit pourquoi."""


class EvaluationRefusee(ErreurEvaluation):
    """L'évaluateur ne peut pas évaluer cette demande (conflit, attribution, verrouillage)."""


class EvaluationPerimee(ModificationConcurrente, ErreurEvaluation):
    """L'évaluation a changé depuis que la page (ou la grille) l'a lue : rien n'est écrit."""


@dataclass
class Saisie:
    """Ce qu'une personne a saisi pour une demande (notes sur l'échelle de l'appel)."""

    notes: dict[str, float | None] = field(default_factory=dict)
    commentaires: dict[str, str] = field(default_factory=dict)
    commentaire_global: str = ""
    admissibilite: dict[str, bool | None] = field(default_factory=dict)
    admissible: bool | None = None
    raison_inadmissibilite: str = ""

    def nettoyee(self) -> Saisie:
        """La même saisie sans blancs ni commentaires vides : deux saisies qui disent la même
        chose sont égales (pour savoir s'il reste des modifications à enregistrer)."""
        return Saisie(
            notes={c: n for c, n in self.notes.items() if n is not None},
            commentaires={c: m.strip() for c, m in self.commentaires.items() if m and m.strip()},
            commentaire_global=self.commentaire_global.strip(),
            admissibilite={c: r for c, r in self.admissibilite.items() if r is not None},
            admissible=self.admissible,
            raison_inadmissibilite=self.raison_inadmissibilite.strip()
            if self.admissible is False
            else "",
        )


def problemes_saisie(
    saisie: Saisie, appel: Appel, statut: str, *, exiger_admissibilite: bool = False
) -> list[str]:
    """Ce qui empêche d'enregistrer (brouillon) ou de soumettre : notes hors échelle ou hors
    pas, critère inconnu, note manquante à la soumission, inadmissibilité sans raison.

    `exiger_admissibilite` : la page demande aussi, à la soumission, chaque condition de la
    liste et le jugement d'ensemble (une grille hors ligne, elle, ne porte que les notes)."""
    problemes = []
    if statut not in STATUTS:
        problemes.append(f"statut « {statut} » inconnu ({', '.join(STATUTS)}).")
    libelles = {c.id: c.libelle for c in appel.criteres}
    for quoi, texte in (
        ("commentaire global", saisie.commentaire_global),
        ("raison de l'inadmissibilité", saisie.raison_inadmissibilite),
        *((f"commentaire « {libelles.get(c, c)} »", m) for c, m in saisie.commentaires.items()),
    ):
        if refus := trop_long(texte, quoi):
            problemes.append(refus)
    criteres = {c.id: c for c in appel.criteres}
    for cid, note in saisie.notes.items():
        if cid not in criteres:
            problemes.append(f"critère « {cid} » inconnu de l'appel.")
            continue
        if note is None:
            continue
        if not appel.echelle_min <= note <= appel.echelle_max:
            problemes.append(
                f"{criteres[cid].libelle} : {note:g} hors de l'échelle "
                f"({appel.echelle_min:g} à {appel.echelle_max:g})."
            )
        elif (
            abs(
                (note - appel.echelle_min) / appel.pas
                - round((note - appel.echelle_min) / appel.pas)
            )
            > 1e-9
        ):
            problemes.append(
                f"{criteres[cid].libelle} : {note:g} n'est pas un multiple de {appel.pas:g}."
            )
    if statut == SOUMISE:
        manquants = [c.libelle for c in appel.criteres if saisie.notes.get(c.id) is None]
        if manquants:
            problemes.append("note manquante pour : " + ", ".join(manquants) + ".")
        if saisie.admissible is False and not saisie.raison_inadmissibilite.strip():
            problemes.append("une demande jugée inadmissible demande une raison.")
        if exiger_admissibilite:
            sans_reponse = [
                c.libelle for c in appel.conditions if saisie.admissibilite.get(c.id) is None
            ]
            if sans_reponse:
                problemes.append("admissibilité à confirmer : " + " ; ".join(sans_reponse) + ".")
            if saisie.admissible is None:
                problemes.append("dites si la demande est admissible.")
    return problemes


def total_pondere(notes: dict[str, float | None], appel: Appel) -> float | None:
    """Σ poids × note / échelle max, sur 100 ; None tant qu'une note manque."""
    if any(notes.get(c.id) is None for c in appel.criteres):
        return None
    return sum(c.poids * notes[c.id] / appel.echelle_max for c in appel.criteres)


def _texte(valeur: object) -> str | None:
    if valeur is None:
        return None
    if isinstance(valeur, float):
        return f"{valeur:g}"
    if isinstance(valeur, dict | list):
        return json.dumps(valeur, ensure_ascii=False, sort_keys=True)
    return str(valeur)


def _vide_en_none(valeur: object) -> object:
    """« », {} et None disent tous « rien » ; False, lui, est une réponse."""
    return None if valeur in ("", {}) or valeur is None else valeur


def _changements(ancienne: dict | None, valeurs: dict, notes: dict) -> list[tuple]:
    """(objet, ancien, nouveau) de chaque champ qui change."""
    avant_notes = (ancienne or {}).get("notes", {})
    changes = []
    for critere in sorted(set(avant_notes) | set(notes)):
        n0, c0 = avant_notes.get(critere, (None, None))
        n1, c1 = notes.get(critere, (None, None))
        if n0 != n1:
            changes.append((f"note:{critere}", _texte(n0), _texte(n1)))
        if _vide_en_none(c0) != _vide_en_none(c1):
            changes.append((f"commentaire:{critere}", c0, c1))
    for champ in (
        "statut",
        "commentaire_global",
        "admissible",
        "raison_inadmissibilite",
        "admissibilite",
    ):
        avant, apres = _vide_en_none((ancienne or {}).get(champ)), _vide_en_none(valeurs.get(champ))
        if avant != apres:
            changes.append((champ, _texte(avant), _texte(apres)))
    return changes


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
    changements = _changements(ancienne, valeurs, notes)
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
    with stockage.ecriture(moteur, stockage.consultations) as connexion:
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
    return e["statut"], _saisie(e), int(e["version"])


def _saisie(e: dict) -> Saisie:
    return Saisie(
        notes={c: n for c, (n, _) in e["notes"].items()},
        commentaires={c: m for c, (_, m) in e["notes"].items() if m},
        commentaire_global=e["commentaire_global"] or "",
        admissibilite=e["admissibilite"] or {},
        admissible=e["admissible"],
        raison_inadmissibilite=e["raison_inadmissibilite"] or "",
    )
