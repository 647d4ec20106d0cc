"""Qui évalue quoi, en règles pures : répartition équilibrée de N évaluateurs par demande,
conflits d'intérêts évidents (d'après la municipalité, la région ou l'organisme du compte),
et l'état des attributions d'un appel (`Attributions`) tel que les pages et les règles le lisent.

Rien ici ne lit ni n'écrit la base : `notes.attributions` charge cet état et enregistre
les changements, journal compris."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from evaluation.socle.roles import EVALUATEUR
from evaluation.socle.texte import cle_nom_propre, noms_multiples, normaliser

ROLE_EVALUATEUR = EVALUATEUR


DECLARE, REGLE = "déclaré", "règle"


class ErreurAttribution(ValueError):
    """Une attribution ou un conflit qui ne peut pas être enregistré ; le message dit pourquoi."""


@dataclass(frozen=True)
class Conflit:
    demande_id: int
    evaluateur: str
    raison: str
    origine: str = REGLE
    auteur: str | None = None
    date: dt.datetime | None = None


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
    imposees: Mapping[int, Iterable[str]] | None = None,
) -> Repartition:
    """Attribue à chaque demande `n_par_demande` évaluateurs sans conflit, en équilibrant la
    charge (la moins chargée d'abord, puis l'ordre alphabétique : le résultat est stable).

    Sans `n_par_demande`, chaque évaluateur évalue chaque demande (hors conflits), comme le
    veut le réglage par défaut. Une demande qui n'a pas assez d'évaluateurs sans conflit
    reçoit ceux qui restent, et son manque est rapporté. `imposees` : évaluateurs gardés
    d'office (ceux qui ont déjà commencé une évaluation), comptés dans les N et la charge.
    """
    evaluateurs = sorted(set(evaluateurs))
    exclus = {(c.demande_id, c.evaluateur) for c in conflits}
    charge = dict.fromkeys(evaluateurs, 0)
    demandes = sorted(set(demandes))
    gardes = {
        d: sorted(
            e for e in set((imposees or {}).get(d, ())) if e in charge and (d, e) not in exclus
        )
        for d in demandes
    }
    for d in demandes:
        for e in gardes[d]:
            charge[e] += 1
    par_demande: dict[int, tuple[str, ...]] = {}
    manques: dict[int, int] = {}
    voulu = len(evaluateurs) if n_par_demande is None else n_par_demande
    for demande in demandes:
        possibles = [
            e for e in evaluateurs if (demande, e) not in exclus and e not in gardes[demande]
        ]
        choisis = (
            gardes[demande]
            + sorted(possibles, key=lambda e: (charge[e], e))[
                : max(voulu - len(gardes[demande]), 0)
            ]
        )
        for e in choisis[len(gardes[demande]) :]:
            charge[e] += 1
        par_demande[demande] = tuple(sorted(choisis))
        if len(choisis) < voulu:
            manques[demande] = voulu - len(choisis)
    return Repartition(par_demande, manques)


def _texte(valeur: object) -> str:
    """Le texte d'un champ ; vide pour None ou NaN (une cellule vide lue par pandas)."""
    return valeur if isinstance(valeur, str) else ""


def _neq(valeur: object) -> str:
    """Le NEQ d'un champ, chiffres seuls (« 1145 678 901 » et 1145678901 se valent) ; vide
    pour None ou NaN (une cellule vide lue par pandas), dont le texte n'a aucun chiffre."""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)  # 1145678901.0, lu d'une cellule : pas un onzième chiffre
    return "".join(c for c in str(valeur) if c.isascii() and c.isdigit())


def conflits_evidents(demandes: Iterable[Mapping], comptes: Iterable[Mapping]) -> list[Conflit]:
    """Conflits qu'une règle voit seule : l'évaluateur appartient à la municipalité
    requérante ou partenaire, ou à la région de la demande (selon son compte).

    Demande d'un organisme (elle porte un NEQ, appel `[demandeur] type = "organisme"`) :
    l'évaluateur rattaché à cet organisme (même NEQ) est en conflit, et la région reste.
    Interprétation : la municipalité du siège n'est pas le demandeur ; un évaluateur
    rattaché à cette municipalité n'est pas en conflit évident avec l'organisme.

    `demandes` : id, municipalite, municipalites_partenaires (« A; B »), region, neq ;
    `comptes` : courriel, municipalite, region, neq. Noms et codes se comparent tels qu'ils
    s'affichent (`texte.normaliser` : sans casse, accents ni caractère invisible, un forçage
    de direction remis dans l'ordre lu).

    Les comptes sont rangés d'avance par clé de municipalité et par région : chaque demande
    ne regarde que ceux qui peuvent la toucher (linéaire en demandes + conflits, pas
    demandes × comptes) ; une même municipalité n'est normalisée qu'une fois."""
    comptes = list(comptes)
    par_municipalite: dict[str, list[int]] = {}
    par_region: dict[str, list[int]] = {}
    par_neq: dict[str, list[int]] = {}
    for i, c in enumerate(comptes):
        if c.get("municipalite"):
            par_municipalite.setdefault(cle_nom_propre(c["municipalite"]), []).append(i)
        if c.get("region"):
            par_region.setdefault(normaliser(c["region"]), []).append(i)
        if neq := _neq(c.get("neq")):
            par_neq.setdefault(neq, []).append(i)
    cle_de: dict[str, str] = {}  # une municipalité revient d'une demande à l'autre
    conflits = []
    for d in demandes:
        neq = _neq(d.get("neq"))
        par_lieu: set[int] = set()
        if neq:
            par_lieu = set(par_neq.get(neq, ()))
        else:
            municipalites = [_texte(d.get("municipalite"))]
            municipalites += noms_multiples(_texte(d.get("municipalites_partenaires")))
            cles = set()
            for m in municipalites:
                if m.strip():
                    if m not in cle_de:
                        cle_de[m] = cle_nom_propre(m)
                    cles.add(cle_de[m])
            par_lieu = {i for cle in cles for i in par_municipalite.get(cle, ())}
        meme_region = par_region.get(normaliser(_texte(d.get("region"))), ()) if par_region else ()
        for i in sorted(par_lieu.union(meme_region)):
            c = comptes[i]
            if i in par_lieu and neq:
                raison = f"organisme de l'évaluateur (NEQ {neq}) : le demandeur"
            elif i in par_lieu:
                raison = f"municipalité de l'évaluateur ({c['municipalite']}) dans le projet"
            else:
                raison = f"région de l'évaluateur ({c['region']}) : celle de la demande"
            conflits.append(Conflit(d["id"], c["courriel"], raison))
    return conflits


@dataclass(frozen=True)
class Reglages:
    """Réglages de la campagne : None = chaque évaluateur évalue chaque demande."""

    evaluateurs_par_demande: int | None = None
    verrouille: bool = False
    modifie_le: dt.datetime | None = None
    modifie_par: str | None = None
    decisions_verrouillees: bool = False


@dataclass(frozen=True)
class Attributions:
    """L'état des attributions d'un appel, lu une fois : qui doit évaluer quoi, et pourquoi
    un évaluateur n'évalue pas une demande. `demandes` : les demandes jugées admissibles
    par l'examen d'admissibilité (les seules qui s'attribuent)."""

    reglages: Reglages
    demandes: tuple[int, ...]
    evaluateurs: tuple[str, ...]
    stockees: frozenset[tuple[int, str]]
    conflits: dict[tuple[int, str], Conflit] = field(default_factory=dict)

    @cached_property
    def _demandes(self) -> frozenset[int]:
        """Les demandes en ensemble, calculé une fois : `attribuee` est appelée demandes ×
        évaluateurs fois."""
        return frozenset(self.demandes)

    def attribuee(self, demande_id: int, evaluateur: str) -> bool:
        """Vrai si la demande est à évaluer par cet évaluateur (hors conflit)."""
        if (demande_id, evaluateur) in self.conflits or demande_id not in self._demandes:
            return False  # hors des demandes admissibles, rien ne s'attribue
        if self.reglages.evaluateurs_par_demande is None:
            return True
        return (demande_id, evaluateur) in self.stockees

    def demandes_de(self, evaluateur: str) -> list[int]:
        return [d for d in self.demandes if self.attribuee(d, evaluateur)]

    def evaluateurs_de(self, demande_id: int) -> list[str]:
        return [e for e in self.evaluateurs if self.attribuee(demande_id, e)]

    def nombres_attendus(self) -> dict[int, int]:
        """demande_id → nombre d'évaluations attendues (`len(evaluateurs_de(d))` pour
        chaque demande), compté sur les conflits et les attributions stockées plutôt que
        demande par demande et évaluateur par évaluateur."""
        evaluateurs = set(self.evaluateurs)
        if self.reglages.evaluateurs_par_demande is None:
            exclus = Counter(d for d, e in self.conflits if e in evaluateurs)
            return {d: len(evaluateurs) - exclus[d] for d in self.demandes}
        comptes = Counter(
            d
            for d, e in self.stockees
            if e in evaluateurs and (d, e) not in self.conflits and d in self._demandes
        )
        return {d: comptes[d] for d in self.demandes}

    def conflits_de(self, evaluateur: str) -> list[Conflit]:
        return [c for (_, e), c in sorted(self.conflits.items()) if e == evaluateur]


def _conflit_stocke(ligne: Mapping) -> Conflit:
    return Conflit(
        int(ligne["demande_id"]),
        ligne["evaluateur"],
        ligne["raison"],
        DECLARE,
        ligne["auteur"],
        ligne["date"],
    )


def _reglages(ligne: Mapping | None) -> Reglages:
    if ligne is None:
        return Reglages()
    return Reglages(
        ligne["evaluateurs_par_demande"],
        bool(ligne["verrouille"]),
        ligne["modifie_le"],
        ligne["modifie_par"],
        bool(ligne.get("decisions_verrouillees")),
    )


def changements_du_tableau(
    demande_ids: list[int],
    evaluateurs: list[str],
    lignes_modifiees: Mapping[int | str, Mapping[str, object]],
    stockees: Iterable[tuple[int, str]],
) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """(ajouts, retraits) d'après les cases cochées ou décochées d'un tableau d'attributions
    (une ligne par demande dans l'ordre de `demande_ids`, une colonne par évaluateur) ;
    `lignes_modifiees` : {indice de ligne: {colonne: valeur}} tel que l'éditeur le rend."""
    stockees = set(stockees)
    ajouts, retraits = set(), set()
    for indice, colonnes in lignes_modifiees.items():
        demande = demande_ids[int(indice)]
        for colonne, coche in colonnes.items():
            if colonne not in evaluateurs:
                continue
            paire = (demande, colonne)
            if coche and paire not in stockees:
                ajouts.add(paire)
            elif not coche and paire in stockees:
                retraits.add(paire)
    return ajouts, retraits
