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

# L'objet des lignes du journal qui inscrivent un tirage.
OBJET = "tirage"
# La version de la règle, inscrite avec chaque tirage : une règle changée ne rejoue pas
# les tirages d'avant sous la nouvelle.
VERSION_REGLE = 1
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
                f"{no} : {len(avant)} montant(s) positif(s) attendu(s), un par année "
                f"financière (reçu : {list(m)})."
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
    (`classement.classement`) et la zone grise (`portefeuille.solidite`, même ordre que la
    table) : candidates, les demandes classées de la zone grise, avec leurs montants
    recommandés ; gardées, les demandes que la ligne finance hors de la zone grise (au-dessus
    d'elle) ; reste, l'enveloppe de chaque année moins leurs montants recommandés."""
    zone = np.asarray(zone_grise, dtype=bool)
    if len(zone) != len(table):
        raise ErreurTirage("la zone grise ne correspond pas au classement : rechargez la page.")
    annees = financement.nombre_annees(appel)
    classees = (table["statut"] == CLASSE).to_numpy()
    zone = zone & classees
    gardees = portefeuille.selection(table, portefeuille.LIGNE) & ~zone
    recommandes = np.column_stack(
        [
            pd.to_numeric(table[f"recommande_an{a + 1}"], errors="coerce")
            .fillna(0)
            .to_numpy(np.int64)
            for a in range(annees)
        ]
    ).reshape(len(table), annees)
    enveloppes = np.asarray(appel.financement.enveloppe[:annees], dtype=np.int64)
    restant = enveloppes - recommandes[gardees].sum(axis=0)
    candidates = {
        str(no): tuple(int(v) for v in recommandes[i])
        for i, no in zip(np.flatnonzero(zone), table["no_demande"].to_numpy()[zone], strict=True)
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


def rejouer(enregistrement: Mapping) -> list[str]:
    """Refait un tirage inscrit (candidates, montants, graine, reste, mode) et dit en quoi
    le résultat inscrit en diffère ; liste vide : conforme."""
    if enregistrement.get("version") != VERSION_REGLE:
        return [
            f"version de la règle {enregistrement.get('version')} : ce programme ne rejoue que "
            f"la version {VERSION_REGLE}."
        ]
    try:
        candidates = {str(no): m for no, m in enregistrement["candidates"]}
        refait = tirer(
            candidates,
            enregistrement["restant_avant"],
            enregistrement["graine"],
            enregistrement["mode"],
        )
    except (ErreurTirage, TypeError, ValueError) as exc:
        return [f"impossible de rejouer : {exc}"]
    ecarts = []
    for cle, attendu in (
        ("ordre", list(refait.ordre)),
        ("gagnantes", list(refait.gagnantes)),
        ("restant_apres", list(refait.restant_apres)),
    ):
        inscrit = list(enregistrement[cle])
        if inscrit != attendu:
            ecarts.append(
                f"{LIBELLES[cle]} inscrit(es) : {', '.join(map(str, inscrit)) or 'aucune'} ; "
                f"rejoué(es) : {', '.join(map(str, attendu)) or 'aucune'}."
            )
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

    def ecarts(self) -> list[str]:
        """Ce qui diffère entre l'inscrit et le rejeu (`rejouer`) ; vide : conforme."""
        return [self.erreur] if self.enregistrement is None else rejouer(self.enregistrement)


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
