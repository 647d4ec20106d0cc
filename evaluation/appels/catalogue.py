"""Quels appels existent (fichiers livrés, appels stockés) et lequel est actif."""

from __future__ import annotations

from pathlib import Path

from evaluation.appels.configuration import (
    APPEL_PAR_DEFAUT,
    Appel,
    appel_depuis_toml,
    charger_appel,
)
from evaluation.socle import stockage
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import citer


class AppelIntrouvable(LookupError):
    """Le choix d'appel ne désigne ni un appel stocké ni un fichier TOML lisible."""


def appels_stockes(moteur: Moteur) -> list[Appel]:
    with moteur.connect() as connexion:
        lignes = stockage.lire_appels(connexion=connexion)
    return [appel_depuis_toml(toml, f"appel « {i} » stocké") for i, _, toml in lignes]


def appels_archives(moteur: Moteur) -> set[str]:
    with moteur.connect() as connexion:
        return stockage.appels_archives(connexion=connexion)


def resoudre_appel(choix: str | None, moteur: Moteur) -> Appel:
    """L'appel désigné par `choix` : identifiant d'un appel stocké ou chemin d'un TOML.

    Sans choix : l'unique appel stocké ouvert (non archivé) ; aucun stocké, l'appel livré
    par défaut ; plusieurs, une erreur qui les énumère.
    """
    stockes = appels_stockes(moteur)
    if choix:
        trouve = next((a for a in stockes if a.id == choix), None)
        if trouve:
            return trouve
        chemin = Path(choix)
        if chemin.suffix.casefold() == ".toml" and chemin.is_file():
            return charger_appel(chemin)
        connus = ", ".join(a.id for a in stockes) or "aucun"
        raise AppelIntrouvable(
            f"appel « {citer(choix)} » introuvable : ni appel stocké (stockés : {connus}) "
            "ni fichier .toml existant."
        )
    if not stockes:
        return charger_appel(APPEL_PAR_DEFAUT)
    archives = appels_archives(moteur)
    ouverts = [a for a in stockes if a.id not in archives]
    if len(ouverts) == 1:
        return ouverts[0]
    noms = ", ".join(a.id + (" (archivé)" if a.id in archives else "") for a in stockes)
    quoi = "plusieurs appels ouverts sont stockés" if ouverts else "tous les appels sont archivés"
    raise AppelIntrouvable(f"{quoi} ({noms}) : précisez --appel ID.")
