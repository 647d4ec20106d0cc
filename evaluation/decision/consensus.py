"""La note de consensus (issue 16, point 4) : ce que la présidence inscrit en séance, critère
par critère avec ses motifs, à côté des notes de chaque évaluateur et de leur note agrégée ;
et la note qui classe selon `[classement] note_retenue`.

Réglage du comité, non du texte de l'appel (qui ne parle ni de séance ni de consensus) :
usage des comités de pairs (NIH, Commission européenne), où chacun note seul, puis le comité
s'accorde en séance sur une note de consensus et en écrit les motifs.

- « moyenne » (par défaut) : la note des évaluateurs classe ; un consensus inscrit est
  montré à côté, sans changer ni note ni rang.
- « consensus » : une demande qui a une note de consensus sur chaque critère de l'appel est
  classée sur elles (notes par critère, total pondéré, minimum d'un critère, départage) ;
  les autres gardent la note des évaluateurs et sont « sans consensus ».

Les deux notes restent visibles partout où la note classe (Classement, Séance, fichier du
classement, classeur, procès-verbal). Règles sur des tableaux : rien n'est lu ni écrit ici.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from evaluation.appels.configuration import NOTES_RETENUES, Appel
from evaluation.decision import notation
from evaluation.socle import formats
from evaluation.socle.texte import trop_long

MOYENNE, CONSENSUS = NOTES_RETENUES
# La note qui classe une demande (colonne `note_classee`).
PAR_EVALUATEURS, PAR_CONSENSUS, SANS_CONSENSUS = "évaluateurs", "consensus", "sans consensus"
COLONNES_CONSENSUS = ("id", "demande_id", "critere", "note", "justification", "date", "auteur")


class ErreurConsensus(ValueError):
    """Une note de consensus refusée ; le message dit pourquoi et quoi faire."""


def en_table(lignes: Sequence[Mapping]) -> pd.DataFrame:
    """Les dernières notes de consensus (`stockage.lire_consensus`) en tableau long : id,
    demande_id, critere, note, justification, date, auteur (vides quand la lecture ne les a
    pas pris)."""
    table = pd.DataFrame(list(lignes), columns=list(COLONNES_CONSENSUS))
    table["id"] = table["id"].astype(np.int64)
    table["demande_id"] = table["demande_id"].astype(np.int64)
    table["note"] = table["note"].astype(float)
    return table


def appliquer(
    resultats: pd.DataFrame,
    consensus: pd.DataFrame | None,
    criteres: Sequence[str],
    r: notation.Reglages,
    note_retenue: str = MOYENNE,
) -> pd.DataFrame:
    """Les résultats (`notation.resultats`, index demande_id) avec, par critère,
    `evaluateurs:<id>` (la note des évaluateurs) et `consensus:<id>` (NaN sans consensus),
    `total_evaluateurs`, `total_consensus` (NaN tant qu'un critère n'a pas de consensus),
    `consensus_complet` et `note_classee` (« évaluateurs », « consensus » ou « sans
    consensus »).

    `note_retenue` « consensus » : `note:<id>` et `total` d'une demande au consensus complet
    deviennent ceux du consensus (le classement les lit) ; « moyenne » : ils ne changent
    pas. Vectorisé : une indexation, pas de boucle par demande."""
    if note_retenue not in NOTES_RETENUES:
        raise ErreurConsensus(
            f"note retenue « {note_retenue} » inconnue ({', '.join(NOTES_RETENUES)})."
        )
    criteres = tuple(criteres)
    ids = resultats.index.to_numpy(dtype=np.int64)
    valeurs = np.full((len(ids), len(criteres)), np.nan)
    if consensus is not None and len(consensus):
        i_d = pd.Index(ids).get_indexer(consensus["demande_id"].to_numpy(dtype=np.int64))
        i_c = pd.Index(criteres).get_indexer(consensus["critere"].astype(str))
        garde = (i_d >= 0) & (i_c >= 0)
        valeurs[i_d[garde], i_c[garde]] = consensus["note"].to_numpy(dtype=float)[garde]
    complet = ~np.isnan(valeurs).any(axis=1) if criteres else np.zeros(len(ids), dtype=bool)
    total_consensus = notation.totaux(valeurs, np.array(r.poids), r.echelle_max)
    sortie = resultats.copy()
    agregees = sortie[[f"note:{c}" for c in criteres]].to_numpy(dtype=float)
    for j, c in enumerate(criteres):
        sortie[f"evaluateurs:{c}"] = agregees[:, j]
        sortie[f"consensus:{c}"] = valeurs[:, j]
    sortie["total_evaluateurs"] = sortie["total"].to_numpy(dtype=float)
    sortie["total_consensus"] = np.where(complet, total_consensus, np.nan)
    sortie["consensus_complet"] = complet
    if note_retenue == CONSENSUS:
        for j, c in enumerate(criteres):
            sortie[f"note:{c}"] = np.where(complet, valeurs[:, j], agregees[:, j])
        sortie["total"] = np.where(complet, total_consensus, sortie["total_evaluateurs"])
        sortie["note_classee"] = np.where(complet, PAR_CONSENSUS, SANS_CONSENSUS)
    else:
        sortie["note_classee"] = PAR_EVALUATEURS
    return sortie


def refus(appel: Appel, notes: Mapping[str, float], justification: str | None) -> str | None:
    """Pourquoi une note de consensus ne peut pas s'inscrire (None si elle le peut) : aucun
    critère, critère inconnu, note absente, hors de l'échelle de l'appel ou hors pas (comme
    les notes des évaluateurs), motifs absents ou trop longs."""
    if not notes:
        return "donnez une note de consensus pour au moins un critère."
    criteres = {c.id: c for c in appel.criteres}
    problemes = []
    for cid, note in notes.items():
        if cid not in criteres:
            problemes.append(f"critère « {cid} » inconnu de l'appel")
            continue
        libelle = criteres[cid].libelle
        if note is None or not isinstance(note, int | float) or math.isnan(note):
            problemes.append(f"{libelle} : note manquante")
        elif not appel.echelle_min <= note <= appel.echelle_max:
            problemes.append(
                f"{libelle} : {formats.saisi(note)} hors de l'échelle "
                f"({formats.saisi(appel.echelle_min)} à {formats.saisi(appel.echelle_max)})"
            )
        elif not _sur_le_pas(float(note), appel):
            problemes.append(
                f"{libelle} : {formats.saisi(note)} n'est pas un multiple de "
                f"{formats.saisi(appel.pas)}"
            )
    if problemes:
        return " ; ".join(problemes) + "."
    if not (justification or "").strip():
        return (
            "écrivez les motifs du consensus (ce sur quoi le comité s'est accordé) : ils "
            "accompagnent la note au procès-verbal."
        )
    return trop_long(justification, "Les motifs du consensus")


def _sur_le_pas(note: float, appel: Appel) -> bool:
    pas = (note - appel.echelle_min) / appel.pas
    return abs(pas - round(pas)) <= 1e-9


def valeur_proposee(note: float | None, appel: Appel) -> float:
    """La note que le formulaire propose : celle des évaluateurs ramenée au pas le plus
    proche de l'échelle (la moyenne 7,25 sur un pas de 0,5 propose 7,5 ; arrondi au pas
    supérieur à mi-chemin) ; le bas de l'échelle sans note."""
    if note is None or (isinstance(note, float) and math.isnan(note)):
        return appel.echelle_min
    pas = math.floor((float(note) - appel.echelle_min) / appel.pas + 0.5 + 1e-9)
    proposee = appel.echelle_min + pas * appel.pas
    return round(min(max(proposee, appel.echelle_min), appel.echelle_max), 6)


NOTE_DE_CONSENSUS = "Note de consensus"
_AGREGATIONS = {
    "moyenne": "moyenne",
    "mediane": "médiane",
    "moyenne_tronquee": "moyenne tronquée",
}


def libelle_note_evaluateurs(appel: Appel) -> str:
    """« Note (moyenne des évaluateurs) », ou la médiane, la moyenne tronquée : le nom de
    la note des évaluateurs selon `[evaluation] agregation`."""
    return f"Note ({_AGREGATIONS.get(appel.agregation, appel.agregation)} des évaluateurs)"


def texte_consensus(total: float | None, note_classee: str, decimale: str = ".") -> str:
    """Le total de consensus pour une cellule de fichier (`formats.note_fichier`) : le
    nombre, « sans consensus » quand la règle « consensus » classe la demande sur la note
    des évaluateurs faute de consensus complet, vide sinon."""
    if total is not None and not pd.isna(total):
        return formats.note_fichier(float(total), decimale)
    return SANS_CONSENSUS if note_classee == SANS_CONSENSUS else ""


def regle_lisible(appel: Appel) -> str:
    """La règle de la note qui classe, en une phrase, pour le bandeau des règles."""
    if appel.note_retenue == CONSENSUS:
        return (
            "Note qui classe : la note de consensus de la séance quand chaque critère en a "
            "une ; sinon la note des évaluateurs (« sans consensus ») ; réglage du comité."
        )
    return (
        "Note qui classe : la note des évaluateurs ; une note de consensus inscrite en séance "
        "est montrée à côté, sans changer le rang (réglage du comité)."
    )


def derniers(historique: Sequence[Mapping]) -> pd.DataFrame:
    """La dernière note de chaque critère dans l'historique d'une demande
    (`stockage.lire_historique_consensus`, du plus ancien au plus récent), en tableau comme
    `en_table`."""
    table = en_table(historique)
    return table.sort_values("id").drop_duplicates("critere", keep="last").sort_values("id")


def de_la_demande(consensus: pd.DataFrame | None, demande_id: int) -> pd.DataFrame:
    """Les dernières notes de consensus d'une demande (vide sans consensus)."""
    if consensus is None or not len(consensus):
        return pd.DataFrame(columns=list(COLONNES_CONSENSUS))
    return consensus[consensus["demande_id"] == int(demande_id)]


def version(consensus: pd.DataFrame | None, demande_id: int) -> int:
    """La version du consensus d'une demande telle qu'une page l'a lu : l'identifiant de sa
    dernière ligne (0 : aucun), ce que `decisions.enregistrer_consensus` compare."""
    lignes = de_la_demande(consensus, demande_id)
    return int(lignes["id"].max()) if len(lignes) else 0
