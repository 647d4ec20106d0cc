"""Une évaluation en règles pures : ce qu'une personne a saisi (`Saisie`), ce qui empêche
de l'enregistrer ou de la soumettre, le total pondéré, et ce qui change d'une version à
l'autre (pour le journal). `notes.evaluations` l'enregistre."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from evaluation.appels.configuration import Appel
from evaluation.socle.concurrence import ModificationConcurrente
from evaluation.socle.formats import saisi
from evaluation.socle.texte import trop_long

BROUILLON, SOUMISE = "brouillon", "soumise"


OBJET_CONSULTATION = "consultation_des_autres_notes"


OBJET_APRES_CONSULTATION = "modifiee_apres_consultation"


MODIFIEE_APRES_CONSULTATION = "modifiée après consultation des autres notes"


STATUTS = (BROUILLON, SOUMISE)


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
                f"{criteres[cid].libelle} : {saisi(note)} hors de l'échelle "
                f"({saisi(appel.echelle_min)} à {saisi(appel.echelle_max)})."
            )
        elif (
            abs(
                (note - appel.echelle_min) / appel.pas
                - round((note - appel.echelle_min) / appel.pas)
            )
            > 1e-9
        ):
            problemes.append(
                f"{criteres[cid].libelle} : {saisi(note)} n'est pas un multiple de "
                f"{saisi(appel.pas)}."
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


def changements_de_saisie(ancienne: dict | None, valeurs: dict, notes: dict) -> list[tuple]:
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


def saisie_stockee(e: dict) -> Saisie:
    """La saisie d'une évaluation telle que le stockage la rend (notes {critère: (note,
    commentaire)})."""
    return Saisie(
        notes={c: n for c, (n, _) in e["notes"].items()},
        commentaires={c: m for c, (_, m) in e["notes"].items() if m},
        commentaire_global=e["commentaire_global"] or "",
        admissibilite=e["admissibilite"] or {},
        admissible=e["admissible"],
        raison_inadmissibilite=e["raison_inadmissibilite"] or "",
    )
