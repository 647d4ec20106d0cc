"""Ce qui empêche d'ouvrir une base, dit en français avec ce qu'il faut faire : un fichier qui
n'est pas une base SQLite, une base en lecture seule, un dossier où rien ne s'écrit, un
serveur injoignable, une base d'une version plus récente. La ligne de commande et la
première page montrent ce message au lieu du texte du pilote."""

from __future__ import annotations

import errno
import sqlite3

import sqlalchemy as sa

from evaluation.socle.stockage.migration import BaseInutilisable


def _texte(exc: BaseException) -> str:
    origine = getattr(exc, "orig", None) or exc
    return " ".join(str(origine).split()).lower()


# Les erreurs du système, en français : `OSError.strerror` est le texte anglais de la libc
# (« No space left on device »), qui n'atteint jamais un message.
_ERREURS_SYSTEME = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "accès refusé (droits du fichier ou de son dossier)",
    errno.EPERM: "opération non permise (droits du fichier ou de son dossier)",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota de disque dépassé",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EEXIST: "le fichier existe déjà",
}


def erreur_systeme(exc: OSError) -> str:
    """`exc` (une erreur du système de fichiers) dite en français, sans le texte de la libc."""
    if exc.errno in _ERREURS_SYSTEME:
        return _ERREURS_SYSTEME[exc.errno]
    nom = errno.errorcode.get(exc.errno or 0)
    return f"erreur du système ({nom})" if nom else f"erreur du système ({type(exc).__name__})"


def _code_du_serveur(origine: BaseException) -> str:
    """Le code SQLSTATE d'une erreur de PostgreSQL (psycopg), lisible dans toutes les langues."""
    code = getattr(origine, "sqlstate", None) or getattr(origine, "pgcode", None)
    return f", code SQLSTATE {code}" if isinstance(code, str) and code else ""


def expliquer(exc: BaseException) -> str:
    """La phrase qui explique `exc`, survenue en ouvrant ou en mettant à jour une base ;
    jamais le texte (anglais) du pilote ni du système."""
    if isinstance(exc, BaseInutilisable):
        return str(exc)
    texte = _texte(exc)
    origine = getattr(exc, "orig", None) or exc
    if "database is locked" in texte or "database table is locked" in texte:
        return (
            "la base SQLite est occupée : un autre processus y écrit (ou la tient verrouillée) "
            "depuis plus de 30 secondes. Réessayez quand il aura fini (hors des heures de "
            "saisie pour une restauration)."
        )
    if (
        "disk is full" in texte
        or "no space left" in texte
        or _code_du_serveur(origine).endswith("53100")
    ):
        return "le disque de la base est plein : libérez de la place, puis réessayez."
    if "disk i/o error" in texte:
        return (
            "erreur d'entrée-sortie du disque de la base : vérifiez le disque, puis restaurez "
            "une sauvegarde si la base est endommagée."
        )
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
    if isinstance(origine, OSError) and origine.errno is not None:
        return erreur_systeme(origine) + "."
    # Une cause inconnue : son nom (et le code du serveur), pas son texte, anglais et qui
    # peut citer des valeurs.
    return (
        f"erreur inattendue de la base de données ({type(origine).__name__}"
        f"{_code_du_serveur(origine)}). Réessayez ; si elle revient, signalez-la avec ce nom."
    )
