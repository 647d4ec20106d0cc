"""Le journal des changements présenté à une personne : objets nommés en clair, numéros de
demande plutôt qu'identifiants internes, filtres par auteur, évaluateur, objet, demande et
période."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # le socle ne dépend pas des étapes : l'appel n'y est qu'un type
    from evaluation.appels.configuration import Appel


OBJETS = {
    "statut": "Statut de l'évaluation",
    "commentaire_global": "Commentaire global",
    "admissible": "Jugement d'admissibilité",
    "raison_inadmissibilite": "Raison de l'inadmissibilité",
    "admissibilite": "Liste d'admissibilité",
    "admissibilite:examen": "Examen d'admissibilité",
    "admissibilite:renversement": "Examen d'admissibilité renversé par la présidence",
    "admissibilite:signalement": "Doute d'admissibilité signalé",
    "admissibilite:reglement": "Signalement d'admissibilité réglé",
    "admissibilite:reouverture": "Examen d'admissibilité rouvert par une réimportation",
    "consultation_des_autres_notes": "Notes des autres consultées",
    "modifiee_apres_consultation": "Modifiée après consultation des autres notes",
    "desistement": "Désistement",
    "importation:retrait": "Retrait d'une importation",
    "attribution": "Attribution",
    "conflit": "Conflit d'intérêts",
    "conflit:levee": "Conflit d'intérêts levé",
    "reglage:verrouille": "Verrouillage des évaluations",
    "reglage:evaluateurs_par_demande": "Évaluateurs par demande",
    "reglage:decisions_verrouillees": "Verrouillage des décisions",
    "montant_recommande:an1": "Montant recommandé, année 1",
    "montant_recommande:an2": "Montant recommandé, année 2",
    # Issue 17 : ce que le comité inscrit est sa recommandation ; le ministère décide.
    "decision": "Recommandation du comité",
    "decision_ministre": "Décision du ministère",
    "consensus": "Note de consensus (séance)",
    "ponderation": "Pondérations",
    "ponderation:raison": "Raison du changement de pondérations",
    "compte": "Création de compte",
    "compte:role": "Rôle du compte",
    "compte:actif": "Compte actif",
    "compte:nom": "Nom du compte",
    "compte:municipalite": "Municipalité du compte",
    "compte:region": "Région du compte",
    "compte:neq": "Organisme (NEQ) du compte",
    "compte:mot_de_passe": "Mot de passe du compte",
    "seance:ouverture": "Ouverture de la séance",
    "seance:fermeture": "Fermeture de la séance",
    "seance:presence": "Présence à la séance",
    "seance:ordre": "Ordre de la séance",
    "seance:demande_courante": "Demande en cours à la séance",
    "seance:triage": "Demande non discutée (suit le classement)",
    "seance:ramenee": "Demande ramenée à la discussion",
    "tirage": "Tirage au sort dans la zone grise",
    "lettres": "Lettres aux demandeurs générées",
    "lettres:modele": "Modèle de lettre aux demandeurs",
    # Après la décision (issue 17, point 4).
    "convention": "Convention signée",
    "versement": "Versement",
    "rapport:recu": "Rapport financier et narratif reçu",
    # Pièces jointes des demandes (issue 18, point 3).
    "piece_jointe": "Pièce jointe importée",
    "piece_jointe:refus": "Archive de pièces jointes refusée",
    # Issue 20 : `python -m evaluation base restaurer` (stockage/sauvegarde.py).
    "base:restauration": "Base restaurée d'une sauvegarde",
}
# Les genres de lettre, tels que le journal les nomme (evaluation.sorties.lettres.GENRES).
GENRES_LETTRES = {
    "acceptation": "acceptation",
    "liste-attente": "liste d'attente",
    "refus-inadmissible": "refus (inadmissible)",
    "refus-sous-la-ligne": "refus (sous la ligne)",
}
# Les objets de la catégorie « Financement et décisions » (hors montants recommandés).
DECISIONS = ("decision", "decision_ministre", "tirage")
COLONNES = [
    "Date",
    "Auteur",
    "Demande",
    "Évaluateur",
    "Objet",
    "Ancienne valeur",
    "Nouvelle valeur",
]


def libelle_objet(objet: str, appel: Appel) -> str:
    """« note:pertinence » → « Note · Pertinence et retombées »."""
    if objet in OBJETS:
        return OBJETS[objet]
    genre, _, critere = objet.partition(":")
    libelles = {c.id: c.libelle for c in appel.criteres}
    if genre == "note":
        return f"Note · {libelles.get(critere, critere)}"
    if genre == "commentaire":
        return f"Commentaire · {libelles.get(critere, critere)}"
    if genre == "confirmation":
        reglage = next((r for r in appel.reglages if r.chemin == critere), None)
        return f"Confirmation du réglage · {reglage.libelle if reglage else critere}"
    if genre == "reglage":  # un réglage sourcé de la configuration (« reglage:<chemin> »)
        reglage = next((r for r in appel.reglages if r.chemin == critere), None)
        return f"Réglage · {reglage.libelle}" if reglage else objet
    return objet


def valeur_lisible(objet: str, valeur: object, decimale: str = ",") -> str:
    """Une valeur du journal pour une personne : « oui »/« non », virgule décimale pour une
    note (`decimale` : « . » pour un CSV « données »), liste d'admissibilité en clair ; le
    texte saisi reste tel quel."""
    if valeur is None or (isinstance(valeur, float) and pd.isna(valeur)):
        return ""
    texte = str(valeur)
    if texte in ("True", "False"):
        return "oui" if texte == "True" else "non"
    if objet.startswith("note:"):
        return texte.replace(".", decimale)
    if objet == "tirage" and texte.startswith("{"):
        try:
            t = json.loads(texte)
            return (
                f"graine {t['graine']} ; candidates "
                + ", ".join(str(c[0]) for c in t["candidates"])
                + " ; ordre tiré "
                + ", ".join(map(str, t["ordre"]))
                + " ; gagnantes "
                + (", ".join(map(str, t["gagnantes"])) or "aucune")
            )
        except (ValueError, KeyError, TypeError, IndexError):
            return texte
    if objet == "lettres" and texte.startswith("{"):
        try:
            g = json.loads(texte)
            return (
                f"{g['format'].upper()} · "
                + " ; ".join(f"{GENRES_LETTRES.get(k, k)} : {n}" for k, n in g["par_genre"].items())
                + " · modèles "
                + ", ".join(f"{GENRES_LETTRES.get(k, k)} {v}" for k, v in g["modeles"].items())
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return texte
    if objet == "admissibilite" and texte.startswith("{"):
        try:
            reponses = json.loads(texte)
        except ValueError:
            return texte
        clair = {True: "oui", False: "non", None: "à vérifier"}
        return " ; ".join(f"{c} : {clair.get(r, r)}" for c, r in reponses.items())
    return texte


def categorie(objet: str) -> str:
    """Famille d'un objet pour le filtre : notes, commentaires, évaluation, admissibilité,
    attributions, conflits, réglages, financement et décisions, conventions et versements,
    comptes, lettres aux demandeurs, pièces jointes."""
    if objet.startswith("note:"):
        return "Notes"
    if objet.startswith("commentaire"):
        return "Commentaires"
    if objet in ("admissible", "raison_inadmissibilite") or objet.startswith("admissibilite"):
        return "Admissibilité"
    if objet in ("statut", "consultation_des_autres_notes", "modifiee_apres_consultation"):
        return "Statut"
    if objet == "attribution":
        return "Attributions"
    if objet == "conflit" or objet.startswith("conflit:"):
        return "Conflits d'intérêts"
    if objet.startswith(("reglage:", "ponderation", "confirmation:")):
        return "Réglages"
    if objet.startswith("montant_recommande") or objet in DECISIONS:
        return "Financement et décisions"
    if objet in ("convention", "versement") or objet.startswith("rapport:"):
        return "Conventions et versements"
    if objet.startswith("compte"):
        return "Comptes"
    if objet == "lettres" or objet.startswith("lettres:"):
        return "Lettres aux demandeurs"
    if objet in ("desistement", "importation:retrait"):
        return "Retraits"
    if objet.startswith("piece_jointe"):
        return "Pièces jointes"
    return "Autres"


def filtrer(
    journal: pd.DataFrame,
    *,
    auteurs: list[str] = (),
    evaluateurs: list[str] = (),
    categories: list[str] = (),
    demandes: list[int] = (),
    debut: dt.date | None = None,
    fin: dt.date | None = None,
) -> pd.DataFrame:
    """Les lignes qui passent chaque filtre non vide ; `fin` est incluse."""
    garde = pd.Series(True, index=journal.index)
    if auteurs:
        garde &= journal["auteur"].isin(auteurs)
    if evaluateurs:
        garde &= journal["evaluateur"].isin(evaluateurs)
    if categories:
        garde &= journal["objet"].map(categorie).isin(categories)
    if demandes:
        garde &= journal["demande_id"].isin(demandes)
    dates = pd.to_datetime(journal["date"])
    if debut is not None:
        garde &= dates >= pd.Timestamp(debut)
    if fin is not None:
        garde &= dates < pd.Timestamp(fin + dt.timedelta(days=1))
    return journal[garde]


def lisible(
    journal: pd.DataFrame,
    appel: Appel,
    numeros: Mapping[int, str],
    *,
    date: Callable[[dt.datetime], str] | None = None,
    decimale: str = ",",
) -> pd.DataFrame:
    """Le journal pour une personne, le plus récent en premier. La colonne Date garde ses
    instants, ou les écrit par `date` : `formats.date_heure` sur la page (« 29 novembre 2026
    à 17 h 22 »), `formats.date_heure_fichier` dans un CSV (« 2026-11-29 17:22:05 ») ; ce
    module, du socle comme formats, ne l'importe pas. `decimale` : le séparateur décimal
    des notes (`valeur_lisible`)."""
    if journal.empty:
        return pd.DataFrame(columns=COLONNES)
    table = journal.iloc[::-1]
    return pd.DataFrame(
        {
            "Date": [d if date is None else date(d) for d in table["date"]],
            "Auteur": table["auteur"].tolist(),
            "Demande": [
                "" if d is None or pd.isna(d) else numeros.get(int(d), str(d))
                for d in table["demande_id"]
            ],
            "Évaluateur": table["evaluateur"].fillna("").tolist(),
            "Objet": [libelle_objet(o, appel) for o in table["objet"]],
            "Ancienne valeur": [
                valeur_lisible(o, v, decimale)
                for o, v in zip(table["objet"], table["ancien"], strict=True)
            ],
            "Nouvelle valeur": [
                valeur_lisible(o, v, decimale)
                for o, v in zip(table["objet"], table["nouveau"], strict=True)
            ],
        }
    ).reset_index(drop=True)
