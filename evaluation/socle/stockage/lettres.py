"""Lectures et écritures des modèles des lettres aux demandeurs (issue 17, point 2) : une
table en ajout seul, dont la dernière ligne de chaque genre compte."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.financement import _dernieres
from evaluation.socle.stockage.schema import modeles_lettres


def lire_modeles_lettres(appel_id: str, *, connexion: Connection) -> dict[str, dict]:
    """Le dernier modèle inscrit de chaque genre de lettre de l'appel, par genre (contenu
    vide : le modèle livré)."""
    lignes = _dernieres(modeles_lettres, appel_id, ["genre"], connexion)
    return {ligne["genre"]: ligne for ligne in lignes}


def ajouter_modele_lettre(valeurs: dict, *, connexion: Connection) -> int:
    resultat = connexion.execute(modeles_lettres.insert().values(**valeurs))
    return int(resultat.inserted_primary_key[0])


def version_modeles_lettres(appel_id: str, *, connexion: Connection) -> int:
    """La version des modèles de l'appel : l'identifiant de la dernière ligne (0 : aucun
    modèle téléversé)."""
    requete = sa.select(sa.func.max(modeles_lettres.c.id)).where(
        modeles_lettres.c.appel_id == appel_id
    )
    return int(connexion.execute(requete).scalar() or 0)
