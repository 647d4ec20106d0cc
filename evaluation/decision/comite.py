"""Le comité en séance, en règles pures (issue 16, point 3) : qui doit déclarer ses intérêts
et s'engager à la confidentialité avant la séance, qui doit sortir de la salle pour une
demande, et si le quorum est atteint sans les membres en conflit.

Rien ici ne lit ni n'écrit la base : `decision.declarations` enregistre les acceptations et
les conflits, `decision.decisions` refuse une décision d'un membre en conflit ou sans
quorum.

Usage des comités de sélection (NIH, panels de l'UE, HotCRP) : un membre en conflit sur
une demande quitte la salle pendant sa délibération et ne décide pas ; les présents sans
conflit forment le quorum. Règle de procédure du comité, non du texte de l'appel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from evaluation.socle.chemins import DONNEES
from evaluation.socle.formats import pluriel
from evaluation.socle.roles import ADMIN, MEMBRE, OBSERVATEUR, PRESIDENT

# Qui accepte la déclaration d'intérêts et l'engagement de confidentialité, une fois par
# appel, avant la séance et toute décision.
ROLES_COMITE = (PRESIDENT, MEMBRE, OBSERVATEUR, ADMIN)
LIBELLES_ROLES_COMITE = {
    PRESIDENT: "présidence",
    MEMBRE: "membre du comité",
    OBSERVATEUR: "observation",
    ADMIN: "administration",
}
SANS_COMPTE = "sans compte"
TEXTES_DECLARATIONS = DONNEES / "comite" / "declarations.toml"


def doit_declarer(role: str | None) -> bool:
    """Vrai si ce rôle accepte la déclaration d'intérêts et l'engagement de confidentialité
    avant d'ouvrir la séance ou de décider."""
    return role in ROLES_COMITE


@dataclass(frozen=True)
class Texte:
    titre: str
    texte: str


@dataclass(frozen=True)
class Textes:
    """La déclaration générale d'intérêts et l'engagement de confidentialité d'un appel."""

    interets: Texte
    confidentialite: Texte

    @property
    def empreinte(self) -> str:
        """Ce qu'une acceptation couvre : les deux textes tels qu'ils ont été lus."""
        morceaux = (self.interets, self.confidentialite)
        contenu = "\n\0".join(x for t in morceaux for x in (t.titre, t.texte))
        return hashlib.sha256(contenu.encode("utf-8")).hexdigest()


def textes_declarations(nom_appel: str, chemin: Path = TEXTES_DECLARATIONS) -> Textes:
    """Les deux textes (donnees/comite/declarations.toml), le nom de l'appel en place de
    « {appel} »."""
    donnees = tomllib.loads(chemin.read_text(encoding="utf-8"))

    def lu(cle: str) -> Texte:
        t = donnees[cle]
        return Texte(t["titre"], t["texte"].strip().replace("{appel}", nom_appel))

    return Textes(lu("declaration_interets"), lu("engagement_confidentialite"))


def acceptation_valide(acceptations: Iterable[Mapping], textes: Textes) -> Mapping | None:
    """La dernière acceptation qui couvre les textes actuels (None : à accepter, ou à
    accepter de nouveau parce que les textes ont changé)."""
    valides = [a for a in acceptations if a["empreinte"] == textes.empreinte]
    return valides[-1] if valides else None


# --- Conflits, récusations, quorum -------------------------------------------------------


def cle_personne(qui: str) -> str:
    """La forme sous laquelle deux mentions d'une personne se comparent (courriel ou nom
    saisi : sans casse ni espaces autour)."""
    return " ".join(str(qui).split()).casefold()


@dataclass(frozen=True)
class Recusation:
    """Une personne en conflit d'intérêts sur une demande : elle sort de la salle."""

    qui: str
    raison: str
    date: dt.datetime | None = None
    auteur: str | None = None


def _conflits_de(demande_id: int, conflits: Iterable[Mapping]) -> dict[str, Mapping]:
    return {
        cle_personne(c["evaluateur"]): c
        for c in conflits
        if int(c["demande_id"]) == int(demande_id)
    }


def qui_doit_sortir(
    demande_id: int, presents: Sequence[str], conflits: Iterable[Mapping]
) -> list[Recusation]:
    """Les présents (courriels des comptes, noms des personnes sans compte) en conflit
    d'intérêts sur cette demande, dans l'ordre des présents. `conflits` : lignes de la
    table des conflits (demande_id, evaluateur : courriel ou nom, raison, date, auteur)."""
    par_personne = _conflits_de(demande_id, conflits)
    sortent, vus = [], set()
    for p in presents:
        cle = cle_personne(p)
        if cle in par_personne and cle not in vus:
            vus.add(cle)
            c = par_personne[cle]
            sortent.append(Recusation(p, c["raison"], c.get("date"), c.get("auteur")))
    return sortent


# Qui compte au quorum (interprétation, réglage du comité : l'appel ne parle pas de quorum) :
# les comptes de la présidence et des membres du comité présents. Une personne sans compte
# (secrétaire, invité), un observateur, une analyste ou l'administration assistent sans voter.
ROLES_VOTANTS = (PRESIDENT, MEMBRE)


def votants(presents: Sequence[str], roles: Mapping[str, str]) -> list[str]:
    """Les présents qui comptent au quorum (`ROLES_VOTANTS`), chacun une fois. `presents` :
    courriels des comptes et noms des personnes sans compte ; `roles` : courriel → rôle."""
    par_cle = {cle_personne(c): r for c, r in roles.items()}
    gardes, vus = [], set()
    for p in presents:
        cle = cle_personne(p)
        if par_cle.get(cle) in ROLES_VOTANTS and cle not in vus:
            vus.add(cle)
            gardes.append(p)
    return gardes


def presents_qui_votent(presences: Iterable[Mapping], comptes: Iterable[Mapping]) -> list[str]:
    """Les courriels des présents qui comptent au quorum, lus de la séance : inscrits par
    leur compte (une personne sans compte ne vote pas, même si le nom saisi est le courriel
    d'un compte), compte actif de la présidence ou d'un membre du comité. Chacun une fois."""
    roles = {c["courriel"]: c["role"] for c in comptes if c.get("actif", True)}
    return votants([p["courriel"] for p in presences if p.get("courriel")], roles)


def quorum_atteint(presents: Sequence[str], en_conflit: Iterable[str], quorum: int) -> bool:
    """Vrai si les présents sans conflit sont au moins `quorum` (0 : non vérifié). Une
    personne nommée deux fois ne compte qu'une fois."""
    if quorum <= 0:
        return True
    exclus = {cle_personne(e) for e in en_conflit}
    restent = {cle_personne(p) for p in presents} - exclus
    return len(restent) >= quorum


def refus_quorum(
    no_demande: str,
    presents: Sequence[str],
    conflits: Iterable[Mapping],
    demande_id: int,
    quorum: int,
    noms: Mapping[str, str] | None = None,
) -> str | None:
    """Le refus d'une décision sans quorum (None s'il est atteint ou non vérifié)."""
    sortent = qui_doit_sortir(demande_id, presents, conflits)
    if quorum_atteint(presents, [s.qui for s in sortent], quorum):
        return None
    noms = noms or {}
    restent = len({cle_personne(p) for p in presents}) - len(sortent)
    message = (
        f"quorum non atteint pour {no_demande} : "
        f"{pluriel(restent, 'membre présent', 'membres présents')} sans conflit d'intérêts, "
        f"{quorum} requis (réglage du comité)"
    )
    if sortent:
        message += " ; en conflit, hors de la salle : " + ", ".join(
            noms.get(s.qui, s.qui) for s in sortent
        )
    return message + ". Attendez le retour d'un membre ou reportez la décision."


def recusations_de_la_seance(recusations: Iterable[Mapping], presents: Sequence[str]) -> list[dict]:
    """Les récusations du comité (`declarations.recusations_du_comite`), chacune marquée
    `present` : la personne était inscrite présente à cette séance (elle est sortie de la
    salle pendant la délibération) ou non (elle n'a pas siégé)."""
    ici = {cle_personne(p) for p in presents}
    return [{**r, "present": cle_personne(r["qui"]) in ici} for r in recusations]


def refus_conflit(no_demande: str, conflit: Mapping, action: str = "décider") -> str:
    """Le refus d'une écriture de la présidence ou d'un membre sur une demande où il a
    déclaré un conflit d'intérêts."""
    return (
        f"vous avez déclaré un conflit d'intérêts sur {no_demande} ({conflit['raison']}) : "
        f"vous ne pouvez pas {action} sur cette demande. Sortez de la salle pendant sa "
        "délibération ; la décision revient aux membres sans conflit."
    )
