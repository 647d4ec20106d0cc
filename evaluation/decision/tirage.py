"""Le tirage au sort dans la zone grise (issue 16, point 7) : parmi les demandes dont
l'intervalle de rang franchit la ligne de financement (`portefeuille.solidite`), le reste
de l'enveloppe va à celles que le sort désigne.

Réglage du comité (`[comite] tirage_zone_grise`, faux par défaut) : l'appel ne prévoit
aucun tirage au sort. Modèle, et non source : le tirage au sort partiel du Fonds national
suisse (FNS), pratiqué depuis 2021 entre les demandes de qualité équivalente autour de la
ligne.

Tout ici est pur et rejouable : un tirage se refait d'après ce qui a été inscrit (graine,
candidates et leurs montants, reste de l'enveloppe, mode de la ligne) ; le bootstrap qui a
désigné les candidates, lui, est aléatoire, et c'est la liste inscrite qui fait foi.
Montants en cents.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.appels.configuration import MODES_LIGNE, Appel
from evaluation.decision import financement, portefeuille
from evaluation.decision.classement import CLASSE
from evaluation.socle.formats import montant

# L'objet des lignes du journal qui inscrivent un tirage.
OBJET = "tirage"
# La version de la règle, inscrite avec chaque tirage : une règle changée ne rejoue pas
# les tirages d'avant sous la nouvelle.
# Version 2 : candidates sans décision, réservé d'après les décisions retenues (`preparer`),
# graine saisie ou générée, raison d'un nouveau tirage. L'ordre et les gagnantes se
# calculent comme en version 1 (`tirer`) : les deux se rejouent.
VERSION_REGLE = 2
VERSIONS_REJOUABLES = (1, 2)
# Une graine est un entier de 0 à 2**63 − 1 (celles que l'on génère : secrets.randbits(63)).
GRAINE_MAX = 2**63 - 1


class ErreurTirage(ValueError):
    """Un tirage refusé ou un enregistrement illisible ; le message est pour la personne."""


@dataclass(frozen=True)
class Tirage:
    """Un tirage : `candidates` dans l'ordre canonique (numéro de demande), `ordre` celui que
    le sort a donné, `gagnantes` celles que le reste de l'enveloppe finance (dans l'ordre
    tiré), `restant_avant`/`restant_apres` par année financière, `montants` ceux de chaque
    candidate par année (recommandés au moment du tirage)."""

    graine: int
    candidates: tuple[str, ...]
    montants: tuple[tuple[int, ...], ...]
    restant_avant: tuple[int, ...]
    ordre: tuple[str, ...]
    gagnantes: tuple[str, ...]
    restant_apres: tuple[int, ...]
    mode: str
    version: int = VERSION_REGLE
    graine_saisie: bool = False
    raison: str = ""

    def enregistrement(self) -> dict:
        """Ce que le journal garde du tirage, pour le rejouer (`rejouer`)."""
        return {
            "version": self.version,
            "graine": self.graine,
            "mode": self.mode,
            "candidates": [
                [no, list(m)] for no, m in zip(self.candidates, self.montants, strict=True)
            ],
            "restant_avant": list(self.restant_avant),
            "ordre": list(self.ordre),
            "gagnantes": list(self.gagnantes),
            "restant_apres": list(self.restant_apres),
            "graine_saisie": bool(self.graine_saisie),
            "raison": self.raison,
        }


def verifier_graine(graine: object) -> int:
    """La graine saisie, entière de 0 à 2**63 − 1 ; sinon `ErreurTirage` qui dit quoi faire."""
    if isinstance(graine, str):
        texte = graine.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        if not texte.isdigit():
            raise ErreurTirage(
                f"graine « {graine.strip()} » : un nombre entier positif est attendu (chiffres "
                "seulement), ou laissez le champ vide pour en générer une."
            )
        graine = int(texte)
    if isinstance(graine, bool) or not isinstance(graine, (int, np.integer)):
        raise ErreurTirage("la graine est un nombre entier positif.")
    if not 0 <= int(graine) <= GRAINE_MAX:
        raise ErreurTirage(f"la graine est un entier de 0 à {GRAINE_MAX}.")
    return int(graine)


def ordre_tire(candidates: Sequence[str], graine: int) -> list[str]:
    """L'ordre que le sort donne aux candidates : une permutation de numpy
    (`Generator(PCG64(graine)).permutation`) des candidates triées par numéro de demande.
    Le tri d'abord : le résultat ne dépend que de la graine et de l'ensemble des
    candidates, pas de l'ordre où la table les présente."""
    canon = sorted(set(candidates))
    suite = np.random.Generator(np.random.PCG64(verifier_graine(graine)))
    return [canon[i] for i in suite.permutation(len(canon))]


def tirer(
    candidates: Mapping[str, Sequence[int]],
    restant: Sequence[int],
    graine: int,
    mode: str = "remplissage",
) -> Tirage:
    """Tire au sort l'ordre des candidates (`ordre_tire`), puis les parcourt dans cet ordre
    en finançant chacune dont les montants (par année) tiennent dans ce qui reste de
    l'enveloppe **chaque** année, comme la ligne de financement.

    Interprétation (l'appel ne prévoit aucun tirage ; réglage du comité) : une candidate qui
    ne tient pas est traitée comme à la ligne (`appel.mode_ligne`, voir
    `financement.ligne_de_financement`) : « remplissage », elle est sautée et l'on continue
    avec les suivantes ; « stricte », elle et toutes celles tirées après restent en liste
    d'attente.

    `candidates` : numéro de demande → montants recommandés par année (cents) ;
    `restant` : l'enveloppe de chaque année moins ce que financent déjà les demandes
    au-dessus de la zone grise (`preparer`)."""
    if mode not in MODES_LIGNE:
        raise ErreurTirage(f"mode de ligne « {mode} » inconnu ({', '.join(MODES_LIGNE)}).")
    graine = verifier_graine(graine)
    avant = tuple(int(r) for r in restant)
    canon = sorted(candidates)
    montants = {no: tuple(int(v) for v in candidates[no]) for no in canon}
    for no, m in montants.items():
        if len(m) != len(avant) or any(v < 0 for v in m):
            raise ErreurTirage(
                f"{no} : un montant positif attendu par année financière, soit {len(avant)} "
                f"(reçu : {list(m)})."
            )
    ordre = ordre_tire(canon, graine)
    reste = np.array(avant, dtype=np.int64)
    gagnantes = []
    for no in ordre:
        m = np.array(montants[no], dtype=np.int64)
        if (m <= reste).all():
            gagnantes.append(no)
            reste -= m
        elif mode == "stricte":
            break
    return Tirage(
        graine=graine,
        candidates=tuple(canon),
        montants=tuple(montants[no] for no in canon),
        restant_avant=avant,
        ordre=tuple(ordre),
        gagnantes=tuple(gagnantes),
        restant_apres=tuple(int(r) for r in reste),
        mode=mode,
    )


def preparer(
    table: pd.DataFrame, zone_grise: Sequence[bool] | np.ndarray, appel: Appel
) -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Les candidates d'un tirage et le reste de l'enveloppe, d'après le classement
    (`classement.classement`, avec ses colonnes `decision` et `accorde_anN`) et la zone
    grise (`portefeuille.solidite`, même ordre que la table).

    Interprétation (l'appel ne prévoit aucun tirage ; issue 16 : « la présidence peut tirer
    au sort le reste de l'enveloppe ») :

    - candidates : les demandes classées de la zone grise **sans décision** du comité, avec
      leurs montants recommandés ; une demande déjà retenue, mise en liste d'attente ou
      refusée n'est pas tirée ;
    - réservé, par année financière : les montants accordés de **toutes** les décisions
      « retenu » (où qu'elles soient classées), plus les montants recommandés des demandes
      sans décision que la ligne finance et qui sont classées **strictement au-dessus** de
      la zone grise (rang meilleur que celui de la mieux classée de la zone grise) ; celles
      que la ligne finance sous la zone grise (ligne « remplissage ») ne gardent rien
      devant les candidates ;
    - reste : l'enveloppe moins le réservé, jamais sous 0.

    Ainsi, les gagnantes inscrites plus les retenues déjà décidées ne dépassent jamais
    l'enveloppe (quand les retenues seules ne la dépassent pas déjà)."""
    zone = np.asarray(zone_grise, dtype=bool)
    if len(zone) != len(table):
        raise ErreurTirage("la zone grise ne correspond pas au classement : rechargez la page.")
    annees = financement.nombre_annees(appel)
    n = len(table)
    classees = (table["statut"] == CLASSE).to_numpy()
    zone = zone & classees
    decision = (
        table["decision"].fillna("").astype(str).to_numpy()
        if "decision" in table
        else np.full(n, "", dtype=object)
    )
    sans_decision = decision == ""
    retenues = decision == financement.RETENU
    rangs = pd.to_numeric(table["rang"], errors="coerce").to_numpy(dtype=float)
    meilleur = np.nanmin(rangs[zone]) if zone.any() else -np.inf
    au_dessus = classees & ~zone & (rangs < meilleur)
    gardees = portefeuille.selection(table, portefeuille.LIGNE) & sans_decision & au_dessus

    def colonnes(prefixe: str) -> np.ndarray:
        if n == 0:
            return np.zeros((0, annees), dtype=np.int64)
        return np.column_stack(
            [
                pd.to_numeric(table[f"{prefixe}{a + 1}"], errors="coerce")
                .fillna(0)
                .to_numpy(np.int64)
                if f"{prefixe}{a + 1}" in table
                else np.zeros(n, dtype=np.int64)
                for a in range(annees)
            ]
        ).reshape(n, annees)

    recommandes = colonnes("recommande_an")
    accordes = colonnes("accorde_an")
    enveloppes = np.asarray(appel.financement.enveloppe[:annees], dtype=np.int64)
    reserve = recommandes[gardees].sum(axis=0) + accordes[retenues].sum(axis=0)
    restant = np.maximum(enveloppes - reserve, 0)
    tirees = zone & sans_decision
    candidates = {
        str(no): tuple(int(v) for v in recommandes[i])
        for i, no in zip(
            np.flatnonzero(tirees), table["no_demande"].to_numpy()[tirees], strict=True
        )
    }
    return candidates, tuple(int(r) for r in restant)


def lire_enregistrement(texte: str) -> dict:
    """L'enregistrement d'un tirage lu dans le journal (JSON) ; `ErreurTirage` s'il est
    illisible ou incomplet."""
    try:
        donnees = json.loads(texte)
    except (TypeError, ValueError):
        raise ErreurTirage("enregistrement illisible (JSON attendu).") from None
    manquent = {
        "version",
        "graine",
        "mode",
        "candidates",
        "restant_avant",
        "ordre",
        "gagnantes",
        "restant_apres",
    } - set(donnees if isinstance(donnees, dict) else {})
    if manquent:
        raise ErreurTirage(f"enregistrement incomplet : {', '.join(sorted(manquent))} manquant.")
    return donnees


def _liste(valeurs) -> str:
    return ", ".join(map(str, valeurs)) or "aucune"


def _montants(valeurs) -> str:
    return ", ".join(montant(int(v)) for v in valeurs) or "aucun"


def _hors_de_l_appel(enregistrement: Mapping, appel: Appel) -> list[str]:
    """Ce qu'un enregistrement inscrit et que l'appel ne permet pas : un reste de
    l'enveloppe plus grand que l'enveloppe de l'année, un montant de candidate au-dessus du
    plafond annuel le plus haut qu'une demande puisse atteindre (« ne pourra pas excéder
    25 000 $ par année », plus la bonification maximale d'un projet conjoint, réglage du
    comité : l'enregistrement ne dit pas quelle candidate est conjointe)."""
    ecarts = []
    enveloppes = appel.financement.enveloppe
    for a, reste in enumerate(enregistrement["restant_avant"]):
        if a < len(enveloppes) and int(reste) > enveloppes[a]:
            ecarts.append(
                f"reste de l'enveloppe avant le tirage, année {a + 1} : {montant(int(reste))}, "
                f"plus que l'enveloppe de l'appel ({montant(enveloppes[a])})."
            )
    plafond = appel.financement.plafond_bonifie_max
    for no, montants in enregistrement["candidates"]:
        if any(int(v) > plafond for v in montants):
            ecarts.append(
                f"{no} : montants {_montants(montants)}, au-dessus du plafond de "
                f"{montant(plafond)} par année de l'appel."
            )
    return ecarts


def rejouer(enregistrement: Mapping, appel: Appel | None = None) -> list[str]:
    """Refait un tirage inscrit (candidates, montants, graine, reste, mode) et dit en quoi
    le résultat inscrit en diffère ; liste vide : conforme. `appel` donné, l'enregistrement
    doit aussi tenir dans l'appel (`_hors_de_l_appel` : reste au plus l'enveloppe, montants
    au plus le plafond)."""
    if enregistrement.get("version") not in VERSIONS_REJOUABLES:
        return [
            f"version de la règle {enregistrement.get('version')} : ce programme ne rejoue que "
            f"les versions {', '.join(map(str, VERSIONS_REJOUABLES))}."
        ]
    try:
        candidates = {str(no): m for no, m in enregistrement["candidates"]}
        refait = tirer(
            candidates,
            enregistrement["restant_avant"],
            enregistrement["graine"],
            enregistrement["mode"],
        )
        ecarts = _hors_de_l_appel(enregistrement, appel) if appel is not None else []
    except (ErreurTirage, TypeError, ValueError) as exc:
        return [f"impossible de rejouer : {exc}"]
    for cle, attendu, texte in (
        ("ordre", list(refait.ordre), _liste),
        ("gagnantes", list(refait.gagnantes), _liste),
        ("restant_apres", list(refait.restant_apres), _montants),
    ):
        inscrit = list(enregistrement[cle])
        if inscrit != attendu:
            try:
                lu = texte(inscrit)
            except (TypeError, ValueError):
                lu = ", ".join(map(str, inscrit))
            ecarts.append(f"{LIBELLES[cle]} : inscrit {lu} ; rejoué {texte(attendu)}.")
    return ecarts


@dataclass(frozen=True)
class TirageInscrit:
    """Un tirage lu dans le journal : son numéro dans l'appel (1, 2, … dans l'ordre
    d'écriture), quand, par qui, et l'enregistrement (None s'il est illisible : `erreur`
    dit pourquoi)."""

    appel_id: str
    numero: int
    date: dt.datetime
    auteur: str
    texte: str
    enregistrement: dict | None
    erreur: str = ""

    def ecarts(self, appel: Appel | None = None) -> list[str]:
        """Ce qui diffère entre l'inscrit et le rejeu (`rejouer`, et l'appel s'il est
        donné) ; vide : conforme."""
        if self.enregistrement is None:
            return [self.erreur]
        return rejouer(self.enregistrement, appel)

    @property
    def graine_saisie(self) -> bool | None:
        """Vrai : graine saisie par la présidence ; faux : générée ; None : non inscrit
        (tirage d'avant la version 2)."""
        valeur = (self.enregistrement or {}).get("graine_saisie")
        return None if valeur is None else bool(valeur)

    @property
    def origine_graine(self) -> str:
        """« saisie », « générée », ou « non inscrite » (tirage d'avant la version 2)."""
        return {True: "saisie", False: "générée"}.get(self.graine_saisie, "non inscrite")

    @property
    def raison(self) -> str:
        """La raison d'un nouveau tirage (vide pour le premier de l'appel)."""
        return str((self.enregistrement or {}).get("raison") or "")


def inscrits(journal: pd.DataFrame) -> list[TirageInscrit]:
    """Les tirages des lignes du journal d'objet « tirage » (colonnes du journal, dans
    l'ordre d'écriture), numérotés 1, 2, … dans chaque appel."""
    rangs: dict[str, int] = {}
    resultat = []
    for ligne in journal.to_dict("records"):
        appel = str(ligne["appel_id"])
        rangs[appel] = rangs.get(appel, 0) + 1
        texte = ligne["nouveau"] or ""
        try:
            enregistrement, erreur = lire_enregistrement(texte), ""
        except ErreurTirage as exc:
            enregistrement, erreur = None, str(exc)
        resultat.append(
            TirageInscrit(
                appel, rangs[appel], ligne["date"], ligne["auteur"], texte, enregistrement, erreur
            )
        )
    return resultat


def tenus_entre(
    faits: Sequence[TirageInscrit], debut: dt.datetime, fin: dt.datetime | None
) -> list[TirageInscrit]:
    """Les tirages faits pendant une séance (de `debut` à `fin` ; None : séance ouverte)."""
    return [t for t in faits if t.date >= debut and (fin is None or t.date <= fin)]


LIBELLES = {
    "ordre": "ordre tiré",
    "gagnantes": "gagnantes",
    "restant_apres": "reste de l'enveloppe après le tirage",
}
