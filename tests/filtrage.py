"""Aide des tests : l'examen d'admissibilité (issue 15) fait d'un coup, comme l'analyste le
ferait demande par demande. Seule une demande jugée admissible s'attribue et se note : les
tests qui notent des demandes les font d'abord examiner."""

from __future__ import annotations

from evaluation.notes import examens
from evaluation.notes.filtrage import NON, OUI, Reponse
from evaluation.socle import stockage

ANALYSTE = "analyste@exemple.qc.ca"


def reponses_toutes(appel, reponse: str = OUI, raison: str = "") -> dict[str, Reponse]:
    return {c.id: Reponse(reponse, raison) for c in appel.conditions}


def admettre(moteur, appel, demande_ids=None, *, auteur: str = ANALYSTE) -> list[int]:
    """Juge admissibles (chaque condition « oui ») les demandes `demande_ids`, ou toutes
    les demandes de l'appel ; renvoie les identifiants examinés."""
    if demande_ids is None:
        with moteur.connect() as c:
            demande_ids = stockage.lire_demandes(appel.id, connexion=c)["id"].astype(int).tolist()
    oui = reponses_toutes(appel)
    examens.examiner_en_masse(appel, dict.fromkeys(demande_ids, oui), moteur=moteur, auteur=auteur)
    return list(demande_ids)


def ecarter(
    moteur, appel, demande_id: int, raison: str, condition: str | None = None, *, auteur=ANALYSTE
):
    """Juge la demande inadmissible : `condition` (la première de la liste par défaut) à
    « non » avec `raison`, les autres « oui »."""
    reponses = reponses_toutes(appel)
    cid = condition or appel.conditions[0].id
    reponses[cid] = Reponse(NON, raison)
    return examens.examiner(appel, demande_id, reponses, moteur=moteur, auteur=auteur)
