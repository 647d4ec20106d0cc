"""Le financement : montant recommandé par année (la demande, plafonnée ; modifiable par la
présidence), la ligne de financement face à l'enveloppe de chaque année, et les décisions
du comité. Les montants sont en cents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.socle.concurrence import ModificationConcurrente

CLES_DEMANDE = ("montant_demande_an1", "montant_demande_an2")
FINANCE, ATTENTE = "financé", "liste d'attente"
RETENU, LISTE_ATTENTE, REFUSE = "retenu", "liste d'attente", "refusé"
DECISIONS = (RETENU, LISTE_ATTENTE, REFUSE)


class ErreurFinancement(ValueError):
    """Un montant ou une décision refusé ; le message dit pourquoi."""


class FinancementPerime(ModificationConcurrente, ErreurFinancement):
    """Le montant ou la décision a changé depuis que la page l'a lu : rien n'est écrit."""


def version_montant(modifications: list[dict], demande_id: int, annee: int) -> int:
    """La version du montant recommandé d'une année (identifiant de sa dernière
    modification, 0 s'il n'a jamais été modifié), d'après ce que la page a lu."""
    return max(
        (
            int(m["id"])
            for m in modifications
            if int(m["demande_id"]) == demande_id and int(m["annee"]) == annee
        ),
        default=0,
    )


def version_montants(modifications: list[dict]) -> int:
    """La version de l'ensemble des montants recommandés modifiés de l'appel."""
    return max((int(m["id"]) for m in modifications), default=0)


def version_decision(decisions: list[dict], demande_id: int | None = None) -> int:
    """La version de la décision d'une demande (identifiant de la dernière, 0 sans
    décision) ; sans `demande_id`, celle de l'ensemble des décisions de l'appel."""
    return max(
        (
            int(d["id"])
            for d in decisions
            if demande_id is None or int(d["demande_id"]) == demande_id
        ),
        default=0,
    )


def nombre_annees(appel: Appel) -> int:
    return min(appel.financement.nombre_annees_max, len(CLES_DEMANDE))


def _cents(serie: pd.Series) -> np.ndarray:
    return pd.to_numeric(serie, errors="coerce").fillna(0).astype(np.int64).to_numpy()


def plafonds(demandes: pd.DataFrame, appel: Appel) -> np.ndarray:
    """(D,) : le plafond annuel de chaque demande (bonifié pour un projet conjoint)."""
    f = appel.financement
    conjoint = demandes["projet_conjoint"].fillna(False).astype(bool).to_numpy()
    return np.where(conjoint, f.plafond(True), f.plafond(False)).astype(np.int64)


def montants_par_defaut(demandes: pd.DataFrame, appel: Appel) -> np.ndarray:
    """(D, années) : la demande de chaque année, plafonnée ; rien au-delà des années que
    l'appel finance."""
    plafond = plafonds(demandes, appel)
    annees = nombre_annees(appel)
    colonnes = [np.minimum(_cents(demandes[c]), plafond) for c in CLES_DEMANDE[:annees]]
    return np.column_stack(colonnes) if colonnes else np.zeros((len(demandes), 0), np.int64)


def montants_recommandes(
    demandes: pd.DataFrame, appel: Appel, modifications: list[dict]
) -> tuple[np.ndarray, dict[tuple[int, int], dict]]:
    """(D, années) : les montants par défaut, remplacés par les modifications stockées
    (les dernières), et ces modifications par (demande_id, année)."""
    montants = montants_par_defaut(demandes, appel).copy()
    position = {int(i): k for k, i in enumerate(demandes["id"])}
    retenues = {}
    for m in modifications:
        k = position.get(int(m["demande_id"]))
        if k is not None and 1 <= m["annee"] <= montants.shape[1]:
            montants[k, m["annee"] - 1] = m["montant"]
            retenues[(int(m["demande_id"]), int(m["annee"]))] = m
    return montants, retenues


@dataclass(frozen=True)
class Ligne:
    """La ligne de financement : statut de chaque demande classée, cumuls, reste par année."""

    statuts: np.ndarray  # FINANCE ou ATTENTE, dans l'ordre reçu
    cumuls: np.ndarray  # (n, années) : cumul des montants recommandés dans l'ordre
    finances: np.ndarray  # (années,) : total financé
    restant: np.ndarray  # (années,) : enveloppe − financé

    @property
    def derniere_financee(self) -> int | None:
        """Position (dans l'ordre reçu) de la dernière demande financée avant la ligne."""
        positions = np.flatnonzero(self.statuts == FINANCE)
        return int(positions[-1]) if len(positions) else None


def ligne_de_financement(
    montants: np.ndarray, enveloppes: tuple[int, ...] | np.ndarray, mode: str = "stricte"
) -> Ligne:
    """En descendant le classement (`montants` : (n, années) dans l'ordre du rang), une
    demande est financée tant que les montants cumulés tiennent dans l'enveloppe de
    **chaque** année. « stricte » : la première qui ne tient pas et toutes les suivantes
    vont en liste d'attente. « remplissage » : celle qui ne tient pas est sautée, et l'on
    continue avec les suivantes, plus petites peut-être."""
    enveloppes = np.asarray(enveloppes, dtype=np.int64)
    montants = np.asarray(montants, dtype=np.int64)
    if montants.ndim != 2:
        montants = (
            montants.reshape(len(montants), -1)
            if montants.size
            else np.zeros((0, len(enveloppes)), dtype=np.int64)
        )
    enveloppes = enveloppes[: montants.shape[1]]
    cumuls = np.cumsum(montants, axis=0)
    if mode == "stricte":
        tient = (cumuls <= enveloppes).all(axis=1)
        premiere = int(np.argmin(tient)) if not tient.all() else len(tient)
        finance = np.arange(len(montants)) < premiere
    elif mode == "remplissage":
        finance = np.zeros(len(montants), dtype=bool)
        restant = enveloppes.copy()
        for i, m in enumerate(montants):  # glouton : une décision dépend des précédentes
            if (m <= restant).all():
                finance[i] = True
                restant -= m
    else:
        raise ValueError(f"mode de ligne « {mode} » inconnu (stricte, remplissage).")
    finances = montants[finance].sum(axis=0)
    return Ligne(np.where(finance, FINANCE, ATTENTE), cumuls, finances, enveloppes - finances)


# --- Modifications de la présidence et décisions ------------------------------------------
