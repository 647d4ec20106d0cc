"""L'ordre du jour de la séance du comité (issue 16), en fonctions sur le tableau du
classement (`classement.classement`) : l'ordre de passage, la recherche d'une demande, le
tri d'un bloc « non discutées, suivent le classement », ce qui compte comme discuté, ce qui
rend une demande « à discuter » et de combien, et les totaux en cours face à l'enveloppe.

Rien ici ne lit la base : `decision.conduite` lit, appelle ces règles et écrit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.decision import financement
from evaluation.decision.classement import CLASSE
from evaluation.socle.texte import normaliser

# L'ordre de passage : choix de la présidence (comité), à l'ouverture ou en cours de séance.
RANG, A_DISCUTER_D_ABORD, ZONE_GRISE_D_ABORD, PAR_AXE = (
    "rang",
    "a_discuter",
    "zone_grise",
    "axe",
)
ORDRES = {
    RANG: "Rang",
    A_DISCUTER_D_ABORD: "À discuter d'abord",
    ZONE_GRISE_D_ABORD: "Zone grise d'abord",
    PAR_AXE: "Par axe",
}
# Le tri d'une demande : la dernière ligne compte.
NON_DISCUTEE, RAMENEE = "non discutée", "ramenée"


class ErreurSeance(ValueError):
    """Une action de séance refusée ; le message dit quoi faire."""


def ordre_de_passage(
    table: pd.DataFrame,
    ordre: str,
    *,
    zone_grise: Mapping[int, bool] | None = None,
    tout: bool = False,
) -> list[int]:
    """Les demande_id dans l'ordre choisi : les classées seulement (toutes si `tout`), le
    rang départageant toujours (tri stable sur l'ordre du classement).

    - « rang » : l'ordre du classement ;
    - « à discuter d'abord » : les demandes où les évaluateurs divergent (`a_discuter`),
      puis les autres ;
    - « zone grise d'abord » : celles dont l'intervalle de rang du bootstrap franchit la
      ligne de financement (`zone_grise`, demande_id → bool, `portefeuille.solidite`) ;
    - « par axe » : axe 1, puis 2…, une demande sans axe en dernier.

    Usage des panels (NIH, UE) : l'ordre de discussion suit les notes préliminaires ; le
    choix entre ces ordres est celui de la présidence (comité)."""
    if ordre not in ORDRES:
        raise ErreurSeance(f"ordre « {ordre} » inconnu : choisissez {', '.join(ORDRES.values())}.")
    t = table if tout else table[table["statut"] == CLASSE]
    ids = t["demande_id"].astype(int).to_numpy()
    position = np.arange(len(ids))
    if ordre == RANG:
        cle = np.zeros(len(ids))
    elif ordre == A_DISCUTER_D_ABORD:
        cle = np.where(t["a_discuter"].fillna(False).astype(bool).to_numpy(), 0, 1)
    elif ordre == ZONE_GRISE_D_ABORD:
        if zone_grise is None:
            raise ErreurSeance(
                "la zone grise n'est pas calculée : choisissez un autre ordre, ou ouvrez le "
                "Portefeuille pour la calculer."
            )
        cle = np.array([0 if zone_grise.get(int(d), False) else 1 for d in ids])
    else:
        axe = pd.to_numeric(t["axe"], errors="coerce").to_numpy(dtype=float)
        cle = np.where(np.isnan(axe), np.inf, axe)
    return [int(ids[k]) for k in np.lexsort((position, cle))]


def ordre_du_jour(ordre: Sequence[int], triage: Mapping[int, str]) -> list[int]:
    """L'ordre de passage sans les demandes triées « non discutées » (elles suivent le
    classement sans passer en séance)."""
    return [d for d in ordre if triage.get(d) != NON_DISCUTEE]


def etat_du_triage(lignes: Iterable[Mapping]) -> dict[int, str]:
    """demande_id → dernier état de tri (« non discutée » ou « ramenée »)."""
    etats: dict[int, str] = {}
    for ligne in lignes:
        etats[int(ligne["demande_id"])] = str(ligne["etat"])
    return etats


def triees(triage: Mapping[int, str]) -> list[int]:
    """Les demandes dont le dernier tri est « non discutée »."""
    return [d for d, e in triage.items() if e == NON_DISCUTEE]


def bloc(ordre: Sequence[int], debut: int, fin: int) -> list[int]:
    """Les demandes des positions `debut` à `fin` (à partir de 1, incluses) de l'ordre de
    passage : le bloc que la présidence marque « non discutées »."""
    if not ordre:
        raise ErreurSeance("aucune demande à trier dans cet ordre.")
    if not 1 <= debut <= fin <= len(ordre):
        raise ErreurSeance(
            f"choisissez un bloc entre les positions 1 et {len(ordre)}, la première avant la "
            f"dernière (reçu : {debut} à {fin})."
        )
    return list(ordre[debut - 1 : fin])


def voisine(
    ordre: Sequence[int], courante: int | None, pas: int, complet: Sequence[int] = ()
) -> int:
    """La demande à `pas` positions de `courante` dans l'ordre du jour `ordre` (bornée aux
    extrémités). Une demande en cours hors de l'ordre du jour (triée, ou amenée par la
    recherche) se situe d'après l'ordre `complet` : la suivante est la première de l'ordre
    du jour qui vient après elle."""
    if not ordre:
        raise ErreurSeance("l'ordre du jour est vide : ramenez une demande ou changez d'ordre.")
    if courante is None:
        return ordre[0] if pas >= 0 else ordre[-1]
    if courante in ordre:
        k = ordre.index(courante)
        return ordre[max(0, min(len(ordre) - 1, k + pas))]
    rang = {d: i for i, d in enumerate(complet)}
    ici = rang.get(courante, -1)
    apres = [d for d in ordre if rang.get(d, len(rang)) > ici]
    avant = [d for d in ordre if rang.get(d, len(rang)) < ici]
    if pas > 0:
        return apres[min(pas - 1, len(apres) - 1)] if apres else ordre[-1]
    return avant[max(len(avant) + pas, 0)] if avant else ordre[0]


def chercher(table: pd.DataFrame, texte: str, limite: int = 20) -> list[int]:
    """Les demandes dont le numéro, le titre ou la municipalité contient `texte`, sans
    égard aux accents ni à la casse ; un numéro exact vient en premier, puis l'ordre du
    tableau (le classement)."""
    cle = normaliser(texte)
    if not cle:
        return []
    numeros = table["no_demande"].fillna("").astype(str).map(normaliser)
    exacts = table[numeros == cle]
    champs = [c for c in ("no_demande", "titre", "municipalite") if c in table]
    contient = np.zeros(len(table), dtype=bool)
    for c in champs:
        contient |= (
            table[c]
            .fillna("")
            .astype(str)
            .map(normaliser)
            .str.contains(cle, regex=False)
            .to_numpy()
        )
    ids = [int(d) for d in exacts["demande_id"]]
    ids += [int(d) for d in table.loc[contient, "demande_id"] if int(d) not in ids]
    return ids[:limite]


# Interprétation (l'appel ne dit rien de la séance) : une demande amenée puis quittée en
# moins de ce temps, le temps de passer à la suivante ou de chercher plus loin, a été
# montrée, pas discutée ; une décision inscrite pendant la séance la fait compter quand même.
DUREE_DE_DISCUSSION = dt.timedelta(seconds=20)


def temps_en_cours(
    amenees: Sequence[tuple[int, dt.datetime]], fin: dt.datetime
) -> dict[int, dt.timedelta]:
    """Le temps cumulé pendant lequel chaque demande a été la demande en cours : d'un
    passage (demande_id, moment) au suivant, le dernier jusqu'à `fin` (fermeture de la
    séance, ou maintenant). Une horloge qui recule ne compte pas de temps négatif."""
    temps: dict[int, dt.timedelta] = {}
    for i, (d, debut) in enumerate(amenees):
        suite = amenees[i + 1][1] if i + 1 < len(amenees) else fin
        temps[int(d)] = temps.get(int(d), dt.timedelta(0)) + max(suite - debut, dt.timedelta(0))
    return temps


def discutees(
    amenees: Sequence[tuple[int, dt.datetime]],
    triage: Mapping[int, str],
    *,
    fin: dt.datetime,
    decidees: Iterable[int] = (),
    duree: dt.timedelta = DUREE_DE_DISCUSSION,
) -> list[int]:
    """Ce qui compte comme discuté en séance : une demande amenée comme demande en cours,
    restée à l'écran au moins `duree` en tout (`temps_en_cours`) ou décidée pendant la
    séance (`decidees`), et que le tri n'a pas retirée (« non discutée » en dernier). Une
    fois chacune, dans l'ordre où elles ont été amenées."""
    temps = temps_en_cours(amenees, fin)
    decidees = {int(d) for d in decidees}
    vues = list(dict.fromkeys(int(d) for d, _ in amenees))
    return [
        d for d in vues if triage.get(d) != NON_DISCUTEE and (temps[d] >= duree or d in decidees)
    ]


@dataclass(frozen=True)
class Divergence:
    """Ce qui rend une demande « à discuter » : un critère (ou le total) dont l'étendue des
    notes des évaluateurs atteint le seuil de l'appel."""

    libelle: str  # « Pertinence et retombées » ou « Total »
    etendue: float
    seuil: float
    sur: str  # « points » (échelle du critère) ou « / 100 »

    @property
    def depassement(self) -> float:
        return self.etendue - self.seuil


def divergences(r: Mapping, appel: Appel) -> list[Divergence]:
    """Pourquoi la demande `r` (une ligne du classement) est « à discuter » : chaque
    critère dont l'étendue des notes atteint `ecart_critere_a_discuter`, puis le total si
    son étendue atteint `ecart_total_a_discuter` (la règle de `notation.resultats`) ; du
    plus grand dépassement au plus petit. Vide pour une demande où les évaluateurs
    s'accordent. Seuils : réglages du comité (`[evaluation]` du TOML de l'appel)."""
    trouvees = []
    for c in appel.criteres:
        v = r.get(f"etendue:{c.id}")
        if v is not None and not pd.isna(v) and float(v) >= appel.ecart_critere_a_discuter:
            trouvees.append(
                Divergence(c.libelle, float(v), appel.ecart_critere_a_discuter, "points")
            )
    v = r.get("etendue_total")
    if v is not None and not pd.isna(v) and float(v) >= appel.ecart_total_a_discuter:
        trouvees.append(Divergence("Total", float(v), appel.ecart_total_a_discuter, "/ 100"))
    return sorted(trouvees, key=lambda x: -x.depassement / (x.seuil or 1))


@dataclass(frozen=True)
class TotalAnnee:
    """Une année financière : l'enveloppe, ce que les décisions « retenu » accordent, le
    cumul recommandé du classement jusqu'à la demande en cours."""

    periode: str
    enveloppe: int
    accorde: int
    cumul: int | None

    @property
    def restant(self) -> int:
        return self.enveloppe - self.accorde


def totaux_en_cours(table: pd.DataFrame, appel: Appel, demande_id: int) -> list[TotalAnnee]:
    """Par année de l'appel : l'enveloppe (« L'enveloppe disponible »), le total accordé
    par les décisions « retenu » déjà consignées, et le cumul recommandé du classement
    jusqu'à `demande_id` inclus (None hors classement)."""
    annees = financement.nombre_annees(appel)
    periodes = appel.financement.annees_financieres()[:annees]
    retenues = table[table["decision"].astype(str) == financement.RETENU]
    ligne = table[table["demande_id"].astype(int) == int(demande_id)]
    resultat = []
    for a in range(annees):
        accorde = int(
            pd.to_numeric(retenues[f"accorde_an{a + 1}"], errors="coerce").fillna(0).sum()
        )
        cumul = None
        if (
            len(ligne)
            and f"cumul_an{a + 1}" in ligne
            and not pd.isna(ligne.iloc[0][f"cumul_an{a + 1}"])
        ):
            cumul = int(ligne.iloc[0][f"cumul_an{a + 1}"])
        debut, fin = periodes[a]
        resultat.append(
            TotalAnnee(
                f"{debut.year}-{fin.year}", int(appel.financement.enveloppe[a]), accorde, cumul
            )
        )
    return resultat


def exemple_de_recherche(table: pd.DataFrame) -> str:
    """L'exemple du champ de recherche, tiré des demandes de l'appel (issue 19) : le numéro
    et la municipalité de la première demande qui les a, sinon un exemple générique."""
    for _, r in table.iterrows():
        no = str(r.get("no_demande") or "").strip()
        municipalite = str(r.get("municipalite") or "").strip()
        if no and municipalite:
            return f"Ex. : {no}, {municipalite}"
    return "Numéro, mot du titre ou municipalité"


def libelle_present(presence: Mapping, noms: Mapping[str, str]) -> str:
    """« Nom » pour un compte, « Nom (fonction) » pour une personne sans compte."""
    if presence.get("courriel"):
        return noms.get(presence["courriel"], presence["courriel"])
    fonction = (presence.get("fonction") or "").strip()
    return f"{presence['nom']} ({fonction})" if fonction else str(presence["nom"])
