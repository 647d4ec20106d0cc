"""Les catégories de dépense à confirmer : une ligne de budget dont la catégorie n'a pas été
reconnue à l'importation n'est jamais comptée admissible (voir
`decision.financement.genres_categories`). L'analyste la rattache à une catégorie de
l'appel, d'un coup pour toutes les lignes de l'appel qui portent le même libellé ;
journalisé, demande par demande."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.socle import stockage
from evaluation.socle.formats import pluriel
from evaluation.socle.stockage import Moteur

A_CONFIRMER = "catégorie à confirmer"


class ErreurCategorie(ValueError):
    """Un rattachement refusé ; le message dit pourquoi."""


def a_confirmer(appel: Appel, *, moteur: Moteur) -> pd.DataFrame:
    """Les libellés de catégorie à confirmer de l'appel (lignes de budget dont la catégorie
    n'est pas une de l'appel) : categorie (le libellé du fichier, None si vide), lignes,
    demandes, montant (en cents)."""
    with moteur.connect() as connexion:
        return stockage.libelles_a_confirmer(
            appel.id, [c.id for c in appel.categories], connexion=connexion
        )


def rattacher(
    appel: Appel,
    libelle: str | None,
    categorie_id: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> int:
    """Rattache à la catégorie `categorie_id` de l'appel toutes les lignes de budget de
    l'appel de libellé `libelle` dont la catégorie est à confirmer ; renvoie le nombre de
    lignes rattachées. Chaque demande touchée reçoit sa ligne de journal (ancien : « catégorie
    à confirmer », nouveau : la catégorie dans les mots de l'appel). Aucune ligne à
    rattacher (déjà fait par quelqu'un d'autre) : `ErreurCategorie`, rien n'est écrit."""
    categorie = next((c for c in appel.categories if c.id == categorie_id), None)
    if categorie is None:
        raise ErreurCategorie(f"catégorie « {categorie_id} » inconnue de l'appel.")
    instant = maintenant or stockage.maintenant()
    nom = "(sans libellé)" if libelle is None else f"« {libelle} »"
    genre = "admissible" if categorie.admissible else "non admissible"
    with stockage.ecriture(moteur, stockage.lignes_budget) as connexion:
        # Les décisions verrouillées figent ce qui les fonde : le budget admissible aussi.
        reglages = stockage.lire_reglages_evaluation(appel.id, connexion=connexion) or {}
        if reglages.get("decisions_verrouillees"):
            raise ErreurCategorie(
                "les décisions de cet appel sont verrouillées : le budget admissible ne change "
                "plus. L'administration peut rouvrir les décisions (page Classement)."
            )
        touchees = stockage.rattacher_categorie(
            appel.id,
            libelle,
            [c.id for c in appel.categories],
            categorie.id,
            categorie.admissible,
            connexion=connexion,
        )
        if not touchees:
            raise ErreurCategorie(
                f"aucune ligne de budget de libellé {nom} n'est à confirmer (déjà rattachée ?)."
            )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "categorie_depense",
                    f"{nom} : {A_CONFIRMER}",
                    f"{nom} → {categorie.libelle} ({genre}, "
                    f"{pluriel(n, 'ligne de budget', 'lignes de budget')})",
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
                for demande_id, n in touchees
            ],
            connexion=connexion,
        )
    return sum(n for _, n in touchees)
