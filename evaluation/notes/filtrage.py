"""L'examen d'admissibilité, avant toute notation (issue 15) : les règles, sans base.

Comme un ministère le mène : un analyste examine chaque demande selon la liste de
l'appel (`[[admissibilite.conditions]]`), condition par condition : « oui », « non » (avec
une raison, toujours) ou « à vérifier ». Seule une demande jugée admissible est attribuée
et notée. Un évaluateur qui doute de l'admissibilité d'une demande le signale, avec une
raison ; l'analyste ou la présidence règle le signalement. La présidence peut renverser un
examen, avec une raison. Chaque examen est une nouvelle ligne : le dernier compte.

Le statut « inadmissible » du classement vient d'ici, jamais d'une majorité d'évaluateurs.
Une demande pas encore examinée (ou dont une condition reste « à vérifier ») a le statut
« admissibilité à établir » : elle n'est ni attribuée, ni notée, ni financée.

L'appel : « Pour être admissibles, les projets doivent : faire l'objet d'un dossier complet
lors du dépôt; avoir des objectifs concrets […]; ne pas recevoir de financement d'un autre
programme gouvernemental; comporter un budget détaillé. » ; « Pour être admissible, le
demandeur : être une ville ou une municipalité du Québec; […] » ; « Le projet proposé peut
être porté par une ou plusieurs entités municipales. » ; « Pour obtenir un soutien
financier, les projets doivent être présentés par des citoyens canadiens ou des résidents
permanents du Canada vivant au Québec. » ; « L'appui financier sera accordé au partenaire
québécois du projet exclusivement. »
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.depot.admissibilite import preremplir
from evaluation.depot.echeance import reponse_examen
from evaluation.depot.municipalites import Repertoire
from evaluation.socle.formats import date as date_fr
from evaluation.socle.roles import ADMIN, ANALYSTE, PRESIDENT
from evaluation.socle.texte import trop_long

# Réponse à une condition de la liste.
OUI, NON, A_VERIFIER = "oui", "non", "à vérifier"
# La raison d'un « non » prérempli d'après une colonne du fichier importé.
RAISON_DU_FICHIER = "d'après le fichier importé"
REPONSES = (OUI, NON, A_VERIFIER)

# Verdict d'une demande.
ADMISSIBLE, INADMISSIBLE, A_ETABLIR = "admissible", "inadmissible", "à établir"
VERDICTS = (ADMISSIBLE, INADMISSIBLE, A_ETABLIR)
LIBELLES_VERDICTS = {
    ADMISSIBLE: "admissible",
    INADMISSIBLE: "inadmissible",
    A_ETABLIR: "admissibilité à établir",
}

# Nature d'une ligne d'examen : l'examen de l'analyste, le renversement par la présidence,
# le règlement d'un signalement qui rend la demande inadmissible, la réouverture par une
# réimportation qui change un champ que la liste lit.
EXAMEN, RENVERSEMENT, REGLEMENT = "examen", "renversement", "règlement"
REOUVERTURE = "réouverture"

# Suite donnée à un signalement d'évaluateur.
MAINTENUE, ECARTEE = "admissibilité maintenue", "demande jugée inadmissible"
SUITES = (MAINTENUE, ECARTEE)

# Qui fait quoi. L'administration peut examiner (elle prépare la campagne, charge la
# démonstration) ; réglage du comité : l'appel ne dit pas qui examine.
PEUVENT_EXAMINER = (ANALYSTE, ADMIN)
PEUVENT_REGLER = (ANALYSTE, PRESIDENT)
PEUVENT_RENVERSER = (PRESIDENT,)


class ErreurFiltrage(ValueError):
    """Un examen, un signalement ou un renversement refusé ; le message dit pourquoi."""


@dataclass(frozen=True)
class Reponse:
    """La réponse à une condition : oui, non (avec sa raison) ou à vérifier."""

    reponse: str = A_VERIFIER
    raison: str = ""

    def en_json(self) -> dict:
        return (
            {"reponse": self.reponse, "raison": self.raison}
            if self.raison
            else {"reponse": self.reponse}
        )


def reponses_suggerees(
    demande: Mapping, appel: Appel, repertoire: Repertoire | None = None
) -> dict[str, Reponse]:
    """La liste pré-remplie d'après les champs importés (`champ` et `attendu` de chaque
    condition) : « oui » ou « non » quand le fichier le dit, « à vérifier » sinon. Un « non »
    suggéré porte sa raison (ce que dit le fichier) ; l'analyste la confirme ou la change.

    La condition du dépôt (`attendu = "à temps"`) : « oui » déposée au plus tard le 1er mars
    2024, « non » avec « déposée N jours après la date limite du … », « à vérifier » avec la
    raison quand la date est présumée, inconnue ou invraisemblable. L'appel : « L'appel à
    projets 2023-2024 s'est terminé le 1er mars 2024. »"""
    suggerees = preremplir(demande, appel, repertoire)
    reponses = {}
    for c in appel.conditions:
        valeur = suggerees.get(c.id)
        if c.attendu == "à temps":
            # Le dépôt dit sa raison : les jours de retard, ou pourquoi la date est à vérifier.
            valeur, raison = reponse_examen(demande, appel)
            reponses[c.id] = Reponse({True: OUI, False: NON}.get(valeur, A_VERIFIER), raison)
        elif valeur is True:
            reponses[c.id] = Reponse(OUI)
        elif valeur is False:
            reponses[c.id] = Reponse(NON, f"{RAISON_DU_FICHIER} ({c.champ})")
        else:
            reponses[c.id] = Reponse(A_VERIFIER)
    return reponses


def problemes_examen(reponses: Mapping[str, Reponse], appel: Appel) -> list[str]:
    """Ce qui empêche d'enregistrer un examen : une condition inconnue, une réponse qui n'est
    ni oui, ni non, ni à vérifier, un « non » sans raison, une raison trop longue."""
    problemes = []
    connues = {c.id: c for c in appel.conditions}
    for cid in reponses:
        if cid not in connues:
            problemes.append(f"condition « {cid} » inconnue de la liste de l'appel.")
    for c in appel.conditions:
        r = reponses.get(c.id, Reponse())
        if r.reponse not in REPONSES:
            problemes.append(
                f"« {c.libelle} » : réponse « {r.reponse} » inconnue (oui, non, à vérifier)."
            )
        elif r.reponse == NON and not r.raison.strip():
            problemes.append(f"« {c.libelle} » : dites pourquoi la réponse est « non ».")
        if refus := trop_long(r.raison, f"« {c.libelle} », raison"):
            problemes.append(refus)
    return problemes


def verdict(reponses: Mapping[str, Reponse], appel: Appel) -> str:
    """Inadmissible dès qu'une condition est « non » ; admissible quand toutes sont « oui » ;
    à établir sinon (une condition « à vérifier » ou sans réponse)."""
    valeurs = [reponses.get(c.id, Reponse()).reponse for c in appel.conditions]
    if NON in valeurs:
        return INADMISSIBLE
    if all(v == OUI for v in valeurs):
        return ADMISSIBLE
    return A_ETABLIR


def raisons(reponses: Mapping[str, Reponse], appel: Appel) -> str:
    """Les raisons d'une inadmissibilité : « condition : raison » pour chaque « non »."""
    return " ; ".join(
        f"{c.libelle} : {reponses[c.id].raison.strip()}"
        for c in appel.conditions
        if c.id in reponses and reponses[c.id].reponse == NON
    )


def a_verifier(reponses: Mapping[str, Reponse], appel: Appel) -> list[str]:
    """Les conditions qui restent à vérifier (leur libellé)."""
    return [
        c.libelle
        for c in appel.conditions
        if reponses.get(c.id, Reponse()).reponse not in (OUI, NON)
    ]


class ReponsesStockees(Mapping):
    """Les réponses d'un examen telles que stockées (texte JSON, ou déjà décodées), lues à
    la première consultation : le classement n'en a besoin que pour les demandes à
    établir, et les lire toutes coûtait 0,25 s à 5 000 demandes."""

    def __init__(self, brut) -> None:
        self._brut = brut
        self._lues: dict[str, Reponse] | None = None

    def _reponses(self) -> dict[str, Reponse]:
        if self._lues is None:
            brut = json.loads(self._brut) if isinstance(self._brut, str) else self._brut
            self._lues = reponses_depuis_json(brut if isinstance(brut, Mapping) else None)
        return self._lues

    def __getitem__(self, cle: str) -> Reponse:
        return self._reponses()[cle]

    def __iter__(self):
        return iter(self._reponses())

    def __len__(self) -> int:
        return len(self._reponses())

    def __repr__(self) -> str:
        return f"ReponsesStockees({self._reponses()!r})"


def reponses_depuis_json(brut: Mapping | None) -> dict[str, Reponse]:
    """Les réponses telles que stockées ({condition: {"reponse", "raison"}})."""
    return {
        cid: Reponse(str(v.get("reponse", A_VERIFIER)), str(v.get("raison") or ""))
        for cid, v in (brut or {}).items()
        if isinstance(v, Mapping)
    }


def reponses_en_json(reponses: Mapping[str, Reponse]) -> dict[str, dict]:
    return {cid: r.en_json() for cid, r in reponses.items()}


@dataclass(frozen=True)
class Etat:
    """Où en est l'admissibilité d'une demande : le dernier examen (ou renversement)."""

    verdict: str
    raison: str = ""
    reponses: Mapping[str, Reponse] | None = None
    nature: str = ""
    auteur: str = ""
    date: dt.datetime | None = None

    @property
    def libelle(self) -> str:
        return LIBELLES_VERDICTS[self.verdict]


NON_EXAMINEE = Etat(A_ETABLIR, "pas encore examinée")


def etat_depuis_ligne(ligne: Mapping) -> Etat:
    """L'état d'après une ligne de la table des examens (`stockage.lire_examens`)."""
    return Etat(
        ligne["verdict"],
        ligne.get("raison") or "",
        ReponsesStockees(ligne.get("reponses")),
        ligne.get("nature") or EXAMEN,
        ligne.get("auteur") or "",
        ligne.get("date"),
    )


def etats(lignes: Iterable[Mapping]) -> dict[int, Etat]:
    """demande_id → état, d'après les lignes d'examen ; la dernière (plus grand id) compte."""
    dernieres: dict[int, Mapping] = {}
    for ligne in sorted(lignes, key=lambda x: x["id"]):
        dernieres[int(ligne["demande_id"])] = ligne
    return {d: etat_depuis_ligne(ligne) for d, ligne in dernieres.items()}


def etat_de(etats_: Mapping[int, Etat], demande_id: int) -> Etat:
    return etats_.get(int(demande_id), NON_EXAMINEE)


def raison_affichee(etat: Etat, appel: Appel) -> str:
    """Ce que le classement dit d'une demande non admissible : les raisons de l'examen (ou
    du renversement), ou les conditions qui restent à vérifier."""
    if etat.verdict == ADMISSIBLE:
        return ""
    if etat.verdict == INADMISSIBLE or etat is NON_EXAMINEE:
        return etat.raison
    restantes = a_verifier(etat.reponses or {}, appel)
    if restantes:
        return "à vérifier : " + " ; ".join(restantes)
    return etat.raison


def admissibles(etats_: Mapping[int, Etat]) -> frozenset[int]:
    """Les demandes jugées admissibles : les seules qui s'attribuent et se notent."""
    return frozenset(d for d, e in etats_.items() if e.verdict == ADMISSIBLE)


def champs_examines(appel: Appel) -> tuple[str, ...]:
    """Les champs importés que la liste lit (`champ` de chaque condition), et la date de
    dépôt : quand une réimportation en change un, l'examen de la demande est rouvert."""
    champs = [c.champ for c in appel.conditions if c.champ]
    return tuple(dict.fromkeys([*champs, "date_depot"]))


def reouvrir(
    etat: Etat, champs_changes: Mapping[str, str], appel: Appel, jour: dt.date
) -> tuple[dict[str, Reponse], str] | None:
    """L'examen rouvert par une réimportation : les réponses gardées (sauf celles des
    conditions dont le champ a changé, à revoir d'après le nouveau fichier) et la raison
    « réimportée le … : <champ> : ancien → nouveau ». None quand il n'y a rien à rouvrir :
    demande jamais examinée, ou aucun champ lu par la liste n'a changé.

    L'appel : « Pour être admissibles, les projets doivent : faire l'objet d'un dossier
    complet lors du dépôt; […] ne pas recevoir de financement d'un autre programme
    gouvernemental » : un examen fait sur l'ancien fichier ne vaut plus pour le nouveau."""
    if etat is NON_EXAMINEE or not champs_changes:
        return None
    touchees = {c.id for c in appel.conditions if c.champ in champs_changes}
    gardees = {cid: r for cid, r in (etat.reponses or {}).items() if cid not in touchees}
    raison = f"réimportée le {date_fr(jour)} : " + " ; ".join(champs_changes.values())
    return gardees, raison


def motif_refus_notation(etat: Etat) -> str | None:
    """Pourquoi une demande ne se note pas encore (None : elle se note)."""
    if etat.verdict == ADMISSIBLE:
        return None
    if etat.verdict == INADMISSIBLE:
        return (
            f"cette demande a été jugée inadmissible ({etat.raison or 'sans raison inscrite'}) : "
            "elle ne se note pas."
        )
    return (
        "l'admissibilité de cette demande n'est pas encore établie par l'analyste : elle se "
        "notera une fois jugée admissible."
    )


def verifier_raison(raison: str, quoi: str) -> str:
    """La raison nettoyée, ou `ErreurFiltrage` si elle est vide ou trop longue."""
    raison = (raison or "").strip()
    if not raison:
        raise ErreurFiltrage(f"{quoi} : une raison est obligatoire.")
    if refus := trop_long(raison, f"{quoi}, raison"):
        raise ErreurFiltrage(refus)
    return raison


def resume_reponses(reponses: Mapping[str, Reponse], appel: Appel) -> str:
    """Les réponses en une ligne, pour le journal : « Le dossier… : oui ; … : non (raison) »."""
    morceaux = []
    for c in appel.conditions:
        r = reponses.get(c.id, Reponse())
        morceaux.append(
            f"{c.id} : {r.reponse}" + (f" ({r.raison.strip()})" if r.raison.strip() else "")
        )
    return " ; ".join(morceaux)


SIGNALEMENT_OUVERT = "doute signalé par un évaluateur, pas encore réglé"


def examens_inacheves(
    demandes: pd.DataFrame,
    etats_: Mapping[int, Etat],
    signalements: Iterable[Mapping],
    appel: Appel,
) -> pd.DataFrame:
    """L'examen d'admissibilité qui reste à finir, dans l'ordre des numéros : chaque demande
    dont l'admissibilité est à établir (pas encore examinée, ou une condition à vérifier :
    elle n'est ni attribuée ni notée) et chaque demande dont un signalement d'évaluateur
    n'est pas réglé. Colonnes demande_id, no_demande, titre, raison.

    `demandes` : id, no_demande, titre des demandes actives de l'appel ; `signalements` :
    ceux de l'appel (stockage.lire_signalements), réglés ou non."""
    ouverts = {int(s["demande_id"]) for s in signalements if s.get("regle_le") is None}
    lignes = []
    for d, no, titre in zip(demandes["id"], demandes["no_demande"], demandes["titre"], strict=True):
        d = int(d)
        etat = etat_de(etats_, d)
        raisons_ = []
        if etat.verdict == A_ETABLIR:
            raisons_.append(raison_affichee(etat, appel) or LIBELLES_VERDICTS[A_ETABLIR])
        if d in ouverts:
            raisons_.append(SIGNALEMENT_OUVERT)
        if raisons_:
            lignes.append((d, no, "" if pd.isna(titre) else titre, " ; ".join(raisons_)))
    table = pd.DataFrame(lignes, columns=["demande_id", "no_demande", "titre", "raison"])
    return table.sort_values("no_demande", kind="stable").reset_index(drop=True)
