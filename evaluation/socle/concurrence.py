"""Modifications concurrentes : une écriture faite d'après une vue périmée (un second onglet,
une page restée ouverte pendant qu'un autre membre enregistrait) est refusée, et le refus dit
ce qui a changé entre-temps, par qui et quand. Rien n'est écrasé sans que la personne l'ait vu.

Chaque chose modifiable porte une version : l'évaluation (son numéro de version), le montant
recommandé d'une année et la décision d'une demande (l'identifiant de leur dernière ligne,
ces tables ne faisant qu'ajouter), la configuration d'un appel (son numéro de version), les
pondérations adoptées (l'identifiant de leur dernière ligne). La page garde la version lue
et la rend à l'écriture, qui la compare, dans sa transaction, à la version stockée.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from evaluation.socle.formats import date_heure, pluriel


@dataclass(frozen=True)
class Changement:
    """Un changement fait depuis la version lue : qui, quand, quoi (en clair)."""

    date: dt.datetime
    auteur: str
    quoi: str


def quand(instant: dt.datetime) -> str:
    """« le 29 novembre 2026 à 14 h 03 »."""
    return f"le {date_heure(instant)}"


DEPUIS_PAGE = "l'ouverture de votre page"
CONSEIL_PAGE = (
    "rechargez pour voir la version enregistrée, puis refaites vos changements s'il le faut."
)


class ModificationConcurrente(Exception):
    """L'objet a changé depuis que la vue l'a lu ; `changements` dit comment."""

    def __init__(
        self,
        objet: str,
        changements: Sequence[Changement],
        *,
        feminin: bool = False,
        depuis: str = DEPUIS_PAGE,
        conseil: str = CONSEIL_PAGE,
    ):
        self.objet = objet
        self.feminin = feminin
        self.changements = tuple(changements)
        self.depuis = depuis
        self.conseil = conseil
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.changements:
            details = " ; ".join(
                f"{c.auteur}, {quand(c.date)} : {c.quoi}" for c in self.changements[-5:]
            )
            plus = len(self.changements) - 5
            if plus > 0:
                details = (
                    pluriel(plus, "changement plus ancien", "changements plus anciens")
                    + ", puis "
                    + details
                )
        else:
            details = "changement sans détail au journal"
        return (
            f"{self.objet} a été modifié{'e' if self.feminin else ''} depuis {self.depuis} "
            f"({details}). Rien de votre saisie n'a été enregistré et rien n'a été écrasé : "
            f"{self.conseil}"
        )

    def __str__(self) -> str:
        return self.message


def verifier_version(
    objet: str,
    stockee: int,
    attendue: int | None,
    changements: Callable[[], Sequence[Changement]],
    *,
    feminin: bool = False,
    erreur: type[ModificationConcurrente] = ModificationConcurrente,
) -> None:
    """Lève `ModificationConcurrente` si la version stockée n'est pas celle que la vue a lue.

    `attendue` None : l'appelant n'a pas de vue (ligne de commande, traitement par lot) et
    écrit sur la dernière version. `changements()` n'est appelé qu'en cas de refus ; `erreur`
    est la sous-classe propre au domaine (que ses pages attrapent déjà)."""
    if attendue is not None and int(stockee) != int(attendue):
        raise erreur(objet, changements(), feminin=feminin)
