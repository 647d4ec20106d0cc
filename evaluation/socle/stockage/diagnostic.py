"""Ce qui empêche d'ouvrir une base, dit en français avec ce qu'il faut faire : un fichier qui
n'est pas une base SQLite, une base en lecture seule, un dossier où rien ne s'écrit, un
serveur injoignable, une base d'une version plus récente. La ligne de commande et la
première page montrent ce message au lieu du texte du pilote."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from evaluation.socle.stockage.migration import BaseInutilisable


def _texte(exc: BaseException) -> str:
    origine = getattr(exc, "orig", None) or exc
    return " ".join(str(origine).split()).lower()


def expliquer(exc: BaseException) -> str:
    """La phrase qui explique `exc`, survenue en ouvrant ou en mettant à jour une base."""
    if isinstance(exc, BaseInutilisable):
        return str(exc)
    texte = _texte(exc)
    origine = getattr(exc, "orig", None) or exc
    if isinstance(origine, sqlite3.DatabaseError) and (
        "file is not a database" in texte or "malformed" in texte
    ):
        return (
            "le fichier n'est pas une base SQLite, ou il est endommagé. Vérifiez le chemin "
            "donné (--base ou EVALUATION_BASE) ; sinon, restaurez une sauvegarde."
        )
    if "readonly database" in texte or "read-only" in texte or isinstance(exc, PermissionError):
        return (
            "la base ou son dossier est en lecture seule (écrire y est refusé). Donnez le "
            "droit d'écriture, sur le fichier et sur son dossier, à l'utilisateur qui lance "
            "l'application."
        )
    if "unable to open database file" in texte or isinstance(exc, FileNotFoundError):
        return (
            "le fichier de la base ne peut pas être ouvert (dossier absent ou inaccessible). "
            "Vérifiez le chemin donné (--base ou EVALUATION_BASE)."
        )
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        return (
            "le serveur de base de données ne répond pas ou refuse la connexion "
            f"({type(origine).__name__}). Vérifiez qu'il est démarré, et l'adresse, "
            "l'utilisateur et la base de l'URL."
        )
    if isinstance(exc, sa.exc.ArgumentError | sa.exc.NoSuchModuleError):
        return (
            "l'URL de la base est illisible. Exemples : sqlite:///donnees/evaluation.sqlite, "
            "postgresql+psycopg://utilisateur@hote:5432/base."
        )
    message = " ".join(str(origine).split())[:300]
    return f"{type(origine).__name__} : {message}"
