"""Qui évalue quoi : répartition équilibrée de N évaluateurs par demande, et conflits
d'intérêts (déclarés, ou évidents d'après la municipalité et la région du compte).

Fonctions pures sur des données ; le stockage des attributions viendra avec la page
d'administration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evaluation.texte import cle_nom_propre


@dataclass(frozen=True)
class Conflit:
    demande_id: int
    evaluateur: str
    raison: str


@dataclass(frozen=True)
class Repartition:
    """Évaluateurs de chaque demande, et les demandes qui n'en ont pas assez."""

    par_demande: dict[int, tuple[str, ...]]
    manques: dict[int, int]

    def charge(self) -> dict[str, int]:
        """Nombre de demandes attribuées à chaque évaluateur."""
        compte: dict[str, int] = {}
        for evaluateurs in self.par_demande.values():
            for e in evaluateurs:
                compte[e] = compte.get(e, 0) + 1
        return compte


def repartir(
    demandes: Iterable[int],
    evaluateurs: Iterable[str],
    n_par_demande: int | None = None,
    conflits: Iterable[Conflit] = (),
) -> Repartition:
    """Attribue à chaque demande `n_par_demande` évaluateurs sans conflit, en équilibrant la
    charge (la moins chargée d'abord, puis l'ordre alphabétique : le résultat est stable).

    Sans `n_par_demande`, chaque évaluateur évalue chaque demande (hors conflits), comme le
    veut le réglage par défaut. Une demande qui n'a pas assez d'évaluateurs sans conflit
    reçoit ceux qui restent, et son manque est rapporté.
    """
    evaluateurs = sorted(set(evaluateurs))
    exclus = {(c.demande_id, c.evaluateur) for c in conflits}
    charge = dict.fromkeys(evaluateurs, 0)
    par_demande: dict[int, tuple[str, ...]] = {}
    manques: dict[int, int] = {}
    voulu = len(evaluateurs) if n_par_demande is None else n_par_demande
    for demande in sorted(set(demandes)):
        possibles = [e for e in evaluateurs if (demande, e) not in exclus]
        choisis = sorted(possibles, key=lambda e: (charge[e], e))[:voulu]
        for e in choisis:
            charge[e] += 1
        par_demande[demande] = tuple(sorted(choisis))
        if len(choisis) < voulu:
            manques[demande] = voulu - len(choisis)
    return Repartition(par_demande, manques)


def conflits_evidents(demandes: Iterable[Mapping], comptes: Iterable[Mapping]) -> list[Conflit]:
    """Conflits qu'une règle voit seule : l'évaluateur appartient à la municipalité
    requérante ou partenaire, ou à la région de la demande (selon son compte).

    `demandes` : id, municipalite, municipalites_partenaires (« A; B »), region ;
    `comptes` : courriel, municipalite, region.
    """
    conflits = []
    for d in demandes:
        municipalites = [d.get("municipalite") or ""]
        municipalites += (d.get("municipalites_partenaires") or "").split(";")
        cles = {cle_nom_propre(m) for m in municipalites if m.strip()}
        for c in comptes:
            if c.get("municipalite") and cle_nom_propre(c["municipalite"]) in cles:
                conflits.append(
                    Conflit(
                        d["id"],
                        c["courriel"],
                        f"municipalité de l'évaluateur ({c['municipalite']}) dans le projet",
                    )
                )
            elif c.get("region") and c["region"] == d.get("region"):
                conflits.append(
                    Conflit(
                        d["id"],
                        c["courriel"],
                        f"région de l'évaluateur ({c['region']}) : celle de la demande",
                    )
                )
    return conflits
