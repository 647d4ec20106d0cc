"""Le dépôt d'une demande face à la date limite de l'appel : à temps, en retard (de combien
de jours), ou à vérifier.

L'appel : « L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » (`date_limite`
de [appel] dans la configuration).

Lecture retenue : l'appel « s'est terminé le 1er mars », le 1er mars en fait donc partie.
Une demande déposée le 1er mars 2024 est à temps ; déposée le 2 mars, elle a un jour de
retard. Le retard se compte en jours de calendrier (la date de dépôt n'a pas d'heure).

La date de dépôt vient du fichier importé (colonne « Date de dépôt ») ; quand le fichier
ne la donne pas, l'importation retient la sienne et la marque présumée. Une date présumée
dit quand la demande est entrée dans l'outil, pas quand la municipalité l'a déposée :
postérieure à la date limite, elle rend le dépôt « à vérifier », jamais « en retard ».

Fonctions pures : l'importation (avertissement), la fiche, le classement, le classeur et
la vérification d'admissibilité les appellent sur les mêmes valeurs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.socle.formats import date, pluriel

A_TEMPS, EN_RETARD, A_VERIFIER, INCONNU = "à temps", "en retard", "à vérifier", "inconnu"

# Interprétation : l'appel ne donne pas de date d'ouverture. Une date de dépôt plus de
# `OUVERTURE_MAX` avant la date limite n'est pas vraisemblable (l'appel 2023-2024 ne
# s'étend pas sur plus d'un an) : c'est une faute de saisie probable, à vérifier.
OUVERTURE_MAX = dt.timedelta(days=365)


def jours_de_retard(date_depot: dt.date | None, date_limite: dt.date | None) -> int | None:
    """Les jours de retard d'un dépôt : 0 s'il est à temps (le jour même de la date limite
    compris), n > 0 s'il est arrivé n jours après ; None si l'une des dates manque.

    « L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. »"""
    if _vide(date_depot) or _vide(date_limite):
        return None
    return max(0, (_jour(date_depot) - _jour(date_limite)).days)


@dataclass(frozen=True)
class Depot:
    """Le dépôt d'une demande : sa date, si elle est présumée, la date limite de l'appel."""

    date_depot: dt.date | None
    presumee: bool
    date_limite: dt.date | None

    @property
    def future(self) -> bool:
        """Une date de dépôt après aujourd'hui : une erreur de saisie, jamais un retard."""
        return self.date_depot is not None and _jour(self.date_depot) > aujourdhui()

    @property
    def jours(self) -> int | None:
        """Les jours entre la date limite et la date de dépôt (0 : à temps), ou None."""
        return jours_de_retard(self.date_depot, self.date_limite)

    @property
    def etat(self) -> str:
        """« à temps », « en retard », « à vérifier » (date présumée, postérieure à la date
        limite) ou « inconnu » (sans date de dépôt ou sans date limite)."""
        jours = self.jours
        if jours is None:
            return INCONNU
        if self.future:
            return A_VERIFIER
        if jours == 0:
            return A_TEMPS
        return A_VERIFIER if self.presumee else EN_RETARD

    @property
    def en_retard(self) -> bool:
        """Déposée après la date limite, d'après une date de dépôt venue du fichier."""
        return self.etat == EN_RETARD

    @property
    def jours_de_retard(self) -> int | None:
        """Les jours de retard d'une demande en retard ; None pour toute autre."""
        return self.jours if self.en_retard else None

    def court(self) -> str:
        """Pour une colonne : « à temps », « 3 jours de retard », « à vérifier », « — »."""
        etat = self.etat
        if etat == EN_RETARD:
            return pluriel(self.jours, "jour") + " de retard"
        if etat == A_VERIFIER:
            return "à vérifier (date future)" if self.future else "à vérifier (date présumée)"
        return "—" if etat == INCONNU else etat

    def texte(self) -> str:
        """La phrase de la fiche et de l'avertissement d'importation."""
        if _vide(self.date_depot):
            return "date de dépôt inconnue."
        depot = date(_jour(self.date_depot))
        if _vide(self.date_limite):
            return f"déposée le {depot} (l'appel ne fixe pas de date limite)."
        limite = date(_jour(self.date_limite))
        etat = self.etat
        if self.future:
            return (
                f"date de dépôt du {depot}, postérieure à aujourd'hui : vérifiez la date de "
                "dépôt réelle."
            )
        if etat == EN_RETARD:
            return (
                f"déposée le {depot}, {pluriel(self.jours, 'jour')} après la date limite du "
                f"{limite} : dépôt en retard, à trancher à la vérification d'admissibilité."
            )
        if etat == A_VERIFIER:
            return (
                f"date de dépôt absente du fichier : celle de l'importation ({depot}) a été "
                f"retenue, postérieure à la date limite du {limite} ; vérifiez la date de "
                "dépôt réelle."
            )
        presumee = " (date de l'importation)" if self.presumee else ""
        return f"déposée le {depot}{presumee}, à temps (date limite : {limite})."


def invraisemblance(
    date_depot: dt.date | None, date_limite: dt.date | None, aujourd_hui: dt.date
) -> str | None:
    """Pourquoi une date de dépôt n'est pas vraisemblable (None : elle l'est) : postérieure
    à aujourd'hui (un dépôt à venir n'a pas eu lieu), ou plus d'un an (`OUVERTURE_MAX`,
    interprétation) avant la date limite « L'appel à projets 2023-2024 s'est terminé le
    1er mars 2024. »."""
    if _vide(date_depot):
        return None
    jour = _jour(date_depot)
    if jour > aujourd_hui:
        return f"date de dépôt du {date(jour)} postérieure à aujourd'hui ({date(aujourd_hui)})"
    if not _vide(date_limite) and jour < _jour(date_limite) - OUVERTURE_MAX:
        return (
            f"date de dépôt du {date(jour)} plus d'un an avant la date limite du "
            f"{date(_jour(date_limite))}"
        )
    return None


def reponse_examen(
    d: Mapping, appel: Appel, aujourd_hui: dt.date | None = None
) -> tuple[bool | None, str]:
    """La réponse que le dépôt suggère à la condition « déposée au plus tard à la date
    limite » : (True, "") à temps ; (False, « déposée N jours après la date limite du … »)
    en retard ; (None, la raison) quand la date est présumée, inconnue ou invraisemblable.

    « L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » (lu comme la date
    limite de dépôt : interprétation). Une date présumée est celle de l'importation : au
    plus tard à la date limite, elle prouve le dépôt à temps (la demande était déjà reçue) ;
    après, elle ne prouve pas le retard, l'analyste vérifie la date réelle."""
    constat = depot(d, appel)
    if constat.date_depot is None:
        return None, "date de dépôt inconnue : vérifiez-la sur la demande reçue"
    if constat.date_limite is None:
        return None, "l'appel ne fixe pas de date limite"
    doute = invraisemblance(constat.date_depot, constat.date_limite, aujourd_hui or aujourdhui())
    if doute:
        return None, f"{doute} : vérifiez la date de dépôt réelle"
    if constat.presumee and constat.etat != A_TEMPS:
        return None, (
            f"date de dépôt présumée (celle de l'importation, le {date(constat.date_depot)}) : "
            "vérifiez la date de dépôt réelle"
        )
    if constat.etat == EN_RETARD:
        return False, (
            f"déposée {pluriel(constat.jours, 'jour')} après la date limite du "
            f"{date(constat.date_limite)}"
        )
    return True, ""


def aujourdhui() -> dt.date:
    """La date du jour (un point d'appui pour les tests)."""
    return dt.date.today()


def depot(d: Mapping, appel: Appel) -> Depot:
    """Le dépôt d'une demande (une ligne stockée ou des valeurs converties à l'import)."""
    valeur = d.get("date_depot")
    return Depot(
        None if _vide(valeur) else _jour(valeur),
        not _vide(d.get("date_depot_presumee")) and bool(d.get("date_depot_presumee")),
        appel.date_limite,
    )


def etats(demandes: pd.DataFrame, appel: Appel) -> pd.DataFrame:
    """Pour chaque demande d'un tableau (même index) : `etat_depot` (comme `Depot.etat`),
    `retard_depot` (jours de retard d'une demande en retard, vide sinon) et `depot` (comme
    `Depot.court`). En colonnes, sans objet par demande : le classement de 50 000 demandes
    le calcule à chaque lecture. Sans colonne date_depot (données antérieures), chaque
    dépôt est inconnu."""
    n = len(demandes)
    if appel.date_limite is None or "date_depot" not in demandes or n == 0:
        jours = np.full(n, np.nan)
    else:
        dates = pd.to_datetime(demandes["date_depot"], errors="coerce")
        jours = (dates - pd.Timestamp(appel.date_limite)).dt.days.to_numpy(dtype=float)
    presumees = np.array(
        [
            not _vide(p) and bool(p)
            for p in (
                demandes["date_depot_presumee"] if "date_depot_presumee" in demandes else [None] * n
            )
        ],
        dtype=bool,
    )
    inconnu = np.isnan(jours)
    if appel.date_limite is None or "date_depot" not in demandes or n == 0:
        futures = np.zeros(n, dtype=bool)
    else:
        futures = (dates > pd.Timestamp(aujourdhui())).to_numpy(dtype=bool)
    a_temps = ~inconnu & (np.nan_to_num(jours) <= 0)
    etat = np.select(
        [inconnu, futures, a_temps, presumees],
        [INCONNU, A_VERIFIER, A_TEMPS, A_VERIFIER],
        default=EN_RETARD,
    )
    en_retard = etat == EN_RETARD
    retard = pd.array(np.where(en_retard, np.nan_to_num(jours), 0).astype(np.int64), dtype="Int64")
    retard[~en_retard] = pd.NA
    court = np.select(
        [etat == INCONNU, futures, etat == A_VERIFIER, ~en_retard],
        ["—", "à vérifier (date future)", "à vérifier (date présumée)", etat],
        default="",
    ).astype(object)
    court[en_retard] = [
        pluriel(int(j), "jour") + " de retard" for j in np.nan_to_num(jours)[en_retard]
    ]
    return pd.DataFrame(
        {"etat_depot": etat.astype(object), "retard_depot": retard, "depot": court},
        index=demandes.index,
    )


def _vide(valeur: object) -> bool:
    if valeur is None:
        return True
    try:
        return bool(pd.isna(valeur))
    except (TypeError, ValueError):
        return False


def _jour(valeur) -> dt.date:
    if isinstance(valeur, pd.Timestamp | dt.datetime):
        return valeur.date()
    return valeur
