"""Sauvegarder et restaurer la base (issue 20, point 4) : `python -m evaluation base
sauvegarder FICHIER` et `base restaurer FICHIER`.

Le format : **un fichier SQLite**, quelle que soit la base sauvegardée, qui contient toutes
les tables de l'application (toutes les lignes, toutes les colonnes, les PDF des pièces
jointes compris), la table `alembic_version` (la révision du schéma), une petite table
`sauvegarde` (format, date, moteur d'origine) et, dans son en-tête, l'identifiant
d'application `ID_APPLICATION` qui le distingue d'une base ordinaire.

- **SQLite** : la copie est faite par l'API de sauvegarde en ligne de SQLite
  (`sqlite3.Connection.backup`, en une étape) : une image cohérente de la base, prise sous
  un verrou de lecture, pendant que les serveurs continuent de lire et d'écrire (mode WAL).
- **PostgreSQL** : chaque table est lue, dans l'ordre des clés étrangères, dans une seule
  transaction `REPEATABLE READ READ ONLY` (une seule image de la base, même si des
  évaluations s'enregistrent pendant la copie), et écrite dans le fichier SQLite.

Pourquoi pas `pg_dump -Fc` / `pg_restore` pour PostgreSQL : ils sont présents ici, mais ils
ne connaissent pas l'application. Un format unique (1) restaure une sauvegarde SQLite dans
PostgreSQL et l'inverse : c'est le chemin d'un ministère qui passe d'un serveur sur SQLite
à plusieurs serveurs sur PostgreSQL ; (2) porte la révision du schéma, lue avant d'écrire
quoi que ce soit : une sauvegarde d'une version plus récente est refusée, une plus ancienne
est mise à jour (Alembic, sur une copie) avant d'être versée ; (3) ne dépend ni de la
version de `pg_dump` (qui refuse un serveur plus récent que lui) ni des droits de
propriétaire des objets, et sauvegarde le schéma PostgreSQL que nomme l'URL (`search_path`)
sans rien d'autre ; (4) se lit avec n'importe quel outil SQLite. `pg_dump` reste le bon
outil pour sauvegarder le serveur PostgreSQL entier (rôles, autres bases) : le README le dit.

Restaurer : le fichier est vérifié (en-tête SQLite, identifiant d'application, intégrité,
révision connue) sur une copie temporaire, la copie est mise à la révision du code, puis la
base cible est vidée et remplie **dans une seule transaction** : une erreur, un arrêt en
cours de route, et la base reste telle qu'elle était ; les serveurs en marche voient
l'ancienne base ou la nouvelle, jamais un mélange. Une base cible qui contient déjà des
données est refusée sans `remplacer=True`. La version des données (`compteur_ecritures`)
repart d'une valeur tirée au hasard : aucun serveur ne garde en cache ce qu'il avait lu de
l'ancienne base. La restauration est inscrite au journal restauré (objet `base:restauration`).

Une base cible qui porte des purges de renseignements personnels (demandes dont les
renseignements ont été retirés, lignes de journal `conservation:purge`) que la sauvegarde n'a
pas est refusée sans `malgre_purges=True` (`PurgesAbsentes`) : restaurer une sauvegarde
d'avant la purge ramènerait ces renseignements et effacerait la trace de la purge. Forcée,
la restauration le dit (`CompteRendu.purges_ramenees`, journal) : la purge est à refaire.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from evaluation.socle import formats
from evaluation.socle.stockage import migration
from evaluation.socle.stockage.conservation import traces_de_purge
from evaluation.socle.stockage.diagnostic import erreur_systeme
from evaluation.socle.stockage.journal import inscrire_journal, ligne_journal
from evaluation.socle.stockage.moteur import creer_moteur, ecriture, maintenant
from evaluation.socle.stockage.schema import (
    VERSION_GLOBALE,
    VERSION_LOURDE,
    compteur_ecritures,
    metadonnees,
    valeur_initiale_du_compteur,
)

# 2 : le fichier porte l'empreinte SHA-256 de son contenu (`empreinte`), vérifiée à la
# restauration. Une sauvegarde au format 1 (sans empreinte) se restaure encore, et la
# restauration dit qu'elle n'a pas pu être vérifiée.
FORMAT = 2
# « EVAS » : l'identifiant d'application de l'en-tête SQLite (PRAGMA application_id), propre
# aux sauvegardes de cette application.
ID_APPLICATION = 0x45564153
TABLE_INFOS = "sauvegarde"
OBJET_RESTAURATION = "base:restauration"
ENTETE_SQLITE = b"SQLite format 3\x00"
PAQUET = 200  # lignes copiées à la fois (les pièces jointes pèsent jusqu'à quelques Mo)


class SauvegardeRefusee(Exception):
    """Une sauvegarde ou une restauration refusée ; le message dit pourquoi et quoi faire.
    Rien n'a été écrit."""


@dataclass(frozen=True)
class CompteRendu:
    """Ce qu'une sauvegarde contient, ou ce qu'une restauration a versé."""

    fichier: Path
    revision: str
    source: str  # « sqlite » ou « postgresql » : le moteur de la base sauvegardée
    creee_le: dt.datetime
    lignes: dict[str, int] = field(default_factory=dict)
    # Restauration : la révision de la sauvegarde, quand elle a été mise à jour.
    revision_sauvegarde: str | None = None
    # Restauration forcée (`malgre_purges`) : les appels dont la base portait des purges que
    # la sauvegarde n'a pas ; leurs renseignements personnels sont revenus.
    purges_ramenees: tuple[str, ...] = ()
    # L'empreinte SHA-256 du contenu (hexadécimal) ; vide pour une sauvegarde au format 1,
    # qui n'en a pas (sa restauration n'a pas pu vérifier le contenu).
    empreinte: str = ""

    @property
    def total(self) -> int:
        return sum(self.lignes.values())


def tables() -> list[sa.Table]:
    """Les tables de l'application, dans l'ordre des clés étrangères (une table après celles
    qu'elle référence)."""
    return list(metadonnees.sorted_tables)


# ---------------------------------------------------------------------------- sauvegarder


def sauvegarder(moteur: Engine, fichier: str | Path) -> CompteRendu:
    """Écrit toute la base dans `fichier` (format : voir le module). Le fichier n'apparaît
    qu'une fois complet (écrit à côté sous un nom temporaire, puis renommé), lisible par son
    seul propriétaire (0600 : il contient des renseignements personnels). Un fichier qui
    existe déjà n'est remplacé que s'il est lui-même une sauvegarde."""
    fichier = Path(fichier)
    _refuser_destination(moteur, fichier)
    partiel = fichier.with_name(f".{fichier.name}.{secrets.token_hex(4)}{SUFFIXE_PARTIEL}")
    os.close(os.open(partiel, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        if moteur.dialect.name == "sqlite":
            _copier_sqlite(moteur, partiel)
        else:
            _copier_serveur(moteur, partiel)
        compte_rendu = _marquer(partiel, source=moteur.dialect.name, fichier=fichier)
        with open(partiel, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(partiel, fichier)
        _synchroniser_dossier(fichier.parent)
    finally:
        # Interrompue (erreur, Ctrl+C, arrêt demandé) : la copie à moitié écrite, pleine de
        # renseignements personnels, et les fichiers de SQLite à côté d'elle disparaissent.
        for reste in (partiel, *_fichiers_annexes(partiel)):
            reste.unlink(missing_ok=True)
    return compte_rendu


# Les fichiers temporaires, à côté de la sauvegarde, sous un nom qui les fait reconnaître :
# « .NOM.xxxxxxxx.partiel » (une sauvegarde en cours d'écriture) et
# « .NOM.restauration-xxxxxxxx/ » (la copie vérifiée d'une restauration). Ils disparaissent à
# la fin, même interrompue ; seul un arrêt brutal (SIGKILL, panne de courant) en laisse : ils
# contiennent des renseignements personnels, supprimez-les (README, « Sauvegarder »).
SUFFIXE_PARTIEL = ".partiel"
PREFIXE_RESTAURATION = ".restauration-"


def _fichiers_annexes(base: Path) -> tuple[Path, ...]:
    return tuple(Path(f"{base}{s}") for s in ("-journal", "-wal", "-shm", ".verrou-schema"))


def _refuser_destination(moteur: Engine, fichier: Path) -> None:
    if not fichier.parent.is_dir():
        raise SauvegardeRefusee(
            f"le dossier {fichier.parent} n'existe pas : créez-le, ou donnez un fichier dans "
            "un dossier existant."
        )
    if moteur.dialect.name == "sqlite" and moteur.url.database not in (None, "", ":memory:"):
        base = Path(moteur.url.database)
        if fichier.exists() and base.exists() and fichier.resolve() == base.resolve():
            raise SauvegardeRefusee(
                f"{fichier} est la base elle-même : donnez un autre fichier pour la sauvegarde."
            )
    if fichier.is_dir():
        raise SauvegardeRefusee(f"{fichier} est un dossier : donnez un nom de fichier.")
    if fichier.exists() and not _porte_l_identifiant(fichier):
        raise SauvegardeRefusee(
            f"{fichier} existe et n'est pas une sauvegarde de l'application : il n'est pas "
            "remplacé. Donnez un autre nom de fichier."
        )


def _porte_l_identifiant(fichier: Path) -> bool:
    try:
        with open(fichier, "rb") as f:
            entete = f.read(100)
    except OSError:
        return False
    return (
        len(entete) == 100
        and entete.startswith(ENTETE_SQLITE)
        and int.from_bytes(entete[68:72], "big") == ID_APPLICATION
    )


def _copier_sqlite(moteur: Engine, partiel: Path) -> None:
    """L'API de sauvegarde en ligne, en une étape (pages=-1) : une image cohérente, même
    pendant que d'autres processus écrivent (ils attendent au plus la durée de la copie)."""
    cible = sqlite3.connect(partiel)
    try:
        with (
            moteur.connect() as connexion,
            _lecture_tenue(connexion.connection.driver_connection) as source,
        ):
            source.backup(cible)
        if _revision_sqlite(cible) is None:
            raise SauvegardeRefusee(
                "la base n'a pas de schéma versionné (vide, ou créée avant Alembic) : lancez "
                "d'abord « python -m evaluation base mettre-a-jour »."
            )
    finally:
        cible.close()


@contextlib.contextmanager
def _lecture_tenue(source: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """`source` dans une transaction de lecture ouverte (une première lecture, qui attend
    le délai de la connexion puis lève « database is locked » si un autre processus tient la
    base) : l'API de sauvegarde de Python, elle, réessaie sans fin tant que la source est
    verrouillée, sans qu'un Ctrl+C ni un SIGTERM ne l'arrête."""
    source.execute("BEGIN")
    try:
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield source
    finally:
        source.execute("ROLLBACK")


def _copier_serveur(moteur: Engine, partiel: Path) -> None:
    """PostgreSQL (ou un autre serveur) : chaque table lue dans une seule transaction en
    lecture répétable, écrite dans un fichier SQLite au même schéma. La base est sauvegardée
    à sa révision, sans être mise à jour : une base qu'une version précédente a laissée
    (sauvegarder avant de mettre à jour) est copiée au schéma de sa révision, créé par les
    révisions Alembic."""
    cible = sa.create_engine(f"sqlite:///{partiel}")
    try:
        with (
            moteur.connect().execution_options(isolation_level="REPEATABLE READ") as source,
            source.begin(),
        ):
            if moteur.dialect.name == "postgresql":
                source.exec_driver_sql("SET TRANSACTION READ ONLY")
            revision = migration.revision_actuelle(source)
            if revision not in migration.revisions_livrees():
                raise SauvegardeRefusee(
                    f"la base est à la révision de schéma « {revision or 'aucune'} », que cette "
                    "version de l'application ne connaît pas "
                    + (
                        "(base vide, ou créée avant Alembic) : lancez d'abord « python -m "
                        "evaluation base mettre-a-jour »."
                        if revision is None
                        else "(une version plus récente l'a mise à jour) : sauvegardez-la "
                        "avec cette version-là."
                    )
                )
            with cible.begin() as ecrite:
                if revision == migration.revision_cible():
                    _copier_au_schema_du_code(revision, source, ecrite)
                else:
                    _copier_a_la_revision(revision, source, ecrite)
    finally:
        cible.dispose()


def _copier_au_schema_du_code(revision: str, source: Connection, ecrite: Connection) -> None:
    metadonnees.create_all(ecrite)
    ecrite.execute(compteur_ecritures.delete())  # les valeurs de la base suivent
    ecrite.exec_driver_sql(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
    )
    ecrite.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (revision,))
    for table in tables():
        _copier_table(table, source, ecrite)


def _copier_a_la_revision(revision: str, source: Connection, ecrite: Connection) -> None:
    """Le schéma de `revision` créé dans le fichier par les révisions Alembic, puis chaque
    table copiée d'après les tables lues dans les deux bases (celles du code ont des colonnes
    que la base n'a pas encore)."""
    from alembic import command

    command.upgrade(migration._configuration(ecrite), revision)
    ecrites = sa.MetaData()
    ecrites.reflect(ecrite)
    lues = sa.MetaData()
    lues.reflect(source, only=[t for t in ecrites.tables if t != "alembic_version"])
    for table in reversed(ecrites.sorted_tables):
        if table.name != "alembic_version":
            ecrite.execute(table.delete())  # ce que les révisions ont pu y mettre
    for table in ecrites.sorted_tables:
        if table.name == "alembic_version":
            continue
        lue = lues.tables[table.name]
        absentes = sorted(set(lue.columns.keys()) - set(table.columns.keys()))
        if absentes:
            raise SauvegardeRefusee(
                f"la table {table.name} de la base a des colonnes que le schéma de sa révision "
                f"« {revision} » n'a pas ({', '.join(absentes)}) : elles ne seraient pas "
                "sauvegardées. Mettez d'abord la base à jour (« python -m evaluation base "
                "mettre-a-jour »)."
            )
        requete = sa.select(lue).order_by(*(lue.primary_key.columns or lue.columns))
        resultat = source.execution_options(yield_per=PAQUET).execute(requete)
        for paquet in resultat.mappings().partitions():
            ecrite.execute(table.insert(), [dict(ligne) for ligne in paquet])


def _copier_table(table: sa.Table, source: Connection, cible: Connection) -> int:
    """Toutes les lignes de `table`, par paquets (la mémoire reste bornée, même pour les
    pièces jointes), dans l'ordre de la clé primaire ; renvoie le nombre de lignes."""
    requete = sa.select(table).order_by(*table.primary_key.columns)
    resultat = source.execution_options(yield_per=PAQUET).execute(requete)
    n = 0
    for paquet in resultat.mappings().partitions():
        cible.execute(table.insert(), [dict(ligne) for ligne in paquet])
        n += len(paquet)
    return n


def _marquer(partiel: Path, *, source: str, fichier: Path) -> CompteRendu:
    """Marque le fichier comme une sauvegarde (identifiant d'application, table des
    informations, empreinte du contenu), seul (journal DELETE : pas de -wal à côté) ; compte
    ses lignes."""
    creee_le = maintenant()
    connexion = sqlite3.connect(partiel, isolation_level=None)
    try:
        connexion.execute("PRAGMA journal_mode=DELETE")
        connexion.execute(f"PRAGMA application_id={ID_APPLICATION}")
        connexion.execute(f"DROP TABLE IF EXISTS {TABLE_INFOS}")
        connexion.execute(f"CREATE TABLE {TABLE_INFOS} (cle TEXT PRIMARY KEY, valeur TEXT)")
        connexion.executemany(
            f"INSERT INTO {TABLE_INFOS} VALUES (?, ?)",
            [
                ("format", str(FORMAT)),
                ("creee_le", creee_le.isoformat()),
                ("source", source),
            ],
        )
        empreinte = empreinte_du_contenu(connexion)
        connexion.execute(f"INSERT INTO {TABLE_INFOS} VALUES ('empreinte', ?)", (empreinte,))
        revision = _revision_sqlite(connexion)
        lignes = _compter(connexion)
    finally:
        connexion.close()
    return CompteRendu(fichier, revision or "", source, creee_le, lignes, empreinte=empreinte)


def _valeur(h, valeur) -> None:
    """Une valeur dans l'empreinte, avec son type et sa longueur (« 1 » et 1, « ab »+« c » et
    « a »+« bc » ne se confondent pas)."""
    if valeur is None:
        h.update(b"N;")
    elif isinstance(valeur, int):
        h.update(b"I%d;" % valeur)
    elif isinstance(valeur, float):
        h.update(b"F" + valeur.hex().encode() + b";")
    else:
        octets = valeur.encode("utf-8", "surrogatepass") if isinstance(valeur, str) else valeur
        h.update(b"S" if isinstance(valeur, str) else b"B")
        h.update(b"%d:" % len(octets))
        h.update(bytes(octets))


def empreinte_du_contenu(connexion: sqlite3.Connection) -> str:
    """L'empreinte SHA-256 (hexadécimal) du contenu d'une sauvegarde : le schéma (chaque
    table et index, leur SQL), chaque ligne de chaque table dans l'ordre de sa clé primaire,
    chaque valeur, et les informations de la sauvegarde (sauf l'empreinte elle-même). Un octet
    changé dans une donnée, un PDF ou le schéma la change ; elle ne dépend pas de la place des
    lignes dans le fichier."""
    h = hashlib.sha256(b"evaluation-sauvegarde/1;")
    objets = connexion.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
        "ORDER BY type, name"
    ).fetchall()
    for genre, nom, sql in objets:
        for valeur in (genre, nom, sql):
            _valeur(h, valeur)
    for _, nom, _ in (o for o in objets if o[0] == "table" and o[1] != TABLE_INFOS):
        colonnes = connexion.execute(f'PRAGMA table_info("{nom}")').fetchall()
        cles = [c[1] for c in sorted(colonnes, key=lambda c: c[5]) if c[5]]
        ordre = ", ".join(f'"{c}"' for c in (cles or [c[1] for c in colonnes]))
        _valeur(h, nom)
        for ligne in connexion.execute(f'SELECT * FROM "{nom}" ORDER BY {ordre}'):
            h.update(b"(")
            for valeur in ligne:
                _valeur(h, valeur)
    for cle, valeur in connexion.execute(
        f"SELECT cle, valeur FROM {TABLE_INFOS} WHERE cle != 'empreinte' ORDER BY cle"
    ):
        _valeur(h, cle)
        _valeur(h, valeur)
    return h.hexdigest()


def _revision_sqlite(connexion: sqlite3.Connection) -> str | None:
    try:
        ligne = connexion.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return ligne[0] if ligne else None


def _compter(connexion: sqlite3.Connection) -> dict[str, int]:
    presentes = {
        n for (n,) in connexion.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    return {
        t.name: connexion.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
        for t in tables()
        if t.name in presentes
    }


def _synchroniser_dossier(dossier: Path) -> None:
    with contextlib.suppress(OSError):
        descripteur = os.open(dossier, os.O_RDONLY)
        try:
            os.fsync(descripteur)
        finally:
            os.close(descripteur)


# ----------------------------------------------------------------------------- restaurer


@contextlib.contextmanager
def ouvrir_sauvegarde(fichier: str | Path) -> Iterator[tuple[Engine, CompteRendu]]:
    """Une copie temporaire de la sauvegarde `fichier`, vérifiée et mise à la révision du
    code, ouverte ; le fichier lui-même n'est jamais modifié. `SauvegardeRefusee` : ce n'est
    pas une sauvegarde de l'application (ou elle est endommagée), ou elle vient d'une version
    plus récente."""
    fichier = Path(fichier)
    if not fichier.is_file():
        raise SauvegardeRefusee(f"{fichier} : fichier introuvable.")
    pas_une_sauvegarde = (
        f"{fichier} n'est pas une sauvegarde de l'application (faite par « python -m "
        "evaluation base sauvegarder »)"
    )
    try:
        with open(fichier, "rb") as f:
            entete = f.read(100)
    except OSError as exc:
        raise SauvegardeRefusee(
            f"{fichier} : lecture impossible ({erreur_systeme(exc)})."
        ) from None
    if not entete.startswith(ENTETE_SQLITE):
        raise SauvegardeRefusee(pas_une_sauvegarde + ".")
    with _dossier_de_travail(fichier) as dossier:
        copie = dossier / "sauvegarde.sqlite"
        infos, revision = _copier_et_verifier(fichier, copie, pas_une_sauvegarde)
        if revision not in migration.revisions_livrees():
            raise SauvegardeRefusee(
                f"{fichier} a été faite par une version plus récente de l'application (révision "
                f"de schéma « {revision} », inconnue de cette version, qui s'arrête à "
                f"« {migration.revision_cible()} ») : restaurez-la avec cette version-là ou "
                "une plus récente."
            )
        try:
            moteur = creer_moteur(f"sqlite:///{copie}")  # met la copie à la révision du code
        except migration.BaseInutilisable as exc:
            raise SauvegardeRefusee(
                f"{fichier} : mise à jour du schéma impossible : {exc}"
            ) from None
        try:
            with moteur.connect() as c:
                lignes = {
                    t.name: c.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                    for t in tables()
                }
            yield (
                moteur,
                CompteRendu(
                    fichier,
                    migration.revision_cible(),
                    infos.get("source", "?"),
                    _date(infos.get("creee_le")),
                    lignes,
                    revision_sauvegarde=revision,
                    empreinte=infos.get("empreinte", ""),
                ),
            )
        finally:
            moteur.dispose()


@contextlib.contextmanager
def _dossier_de_travail(fichier: Path) -> Iterator[Path]:
    """Un dossier privé (0700) pour la copie d'une restauration, à côté de la sauvegarde
    (« .NOM.restauration-xxxxxxxx », reconnaissable, sur le même disque qu'elle), ou dans le
    dossier temporaire si celui de la sauvegarde est en lecture seule ; supprimé avec tout ce
    qu'il contient à la sortie, même sur une erreur ou un Ctrl+C."""
    prefixe = f".{fichier.name}{PREFIXE_RESTAURATION}"
    try:
        dossier = Path(tempfile.mkdtemp(prefix=prefixe, dir=fichier.parent))
    except OSError:
        dossier = Path(tempfile.mkdtemp(prefix=prefixe))
    try:
        yield dossier
    finally:
        shutil.rmtree(dossier, ignore_errors=True)


def _copier_et_verifier(fichier: Path, copie: Path, refus: str) -> tuple[dict[str, str], str]:
    """Copie le fichier (ouvert en lecture seule) et en vérifie l'identifiant d'application,
    l'intégrité, le format et la révision ; renvoie (informations, révision)."""
    try:
        cible = sqlite3.connect(copie)
        try:
            source = sqlite3.connect(f"file:{fichier}?mode=ro", uri=True, isolation_level=None)
            try:
                with _lecture_tenue(source):
                    source.backup(cible)
            finally:
                source.close()
            (identifiant,) = cible.execute("PRAGMA application_id").fetchone()
            tables_presentes = {
                n for (n,) in cible.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if identifiant != ID_APPLICATION:
                if tables_presentes >= migration.TABLES_FONDATRICES:
                    raise SauvegardeRefusee(
                        f"{refus} : c'est une base de l'application. Pour la reprendre, "
                        "sauvegardez-la d'abord : « python -m evaluation --base "
                        f"sqlite:///{fichier} base sauvegarder FICHIER »."
                    )
                raise SauvegardeRefusee(refus + ".")
            verification = [r for (r,) in cible.execute("PRAGMA quick_check")]
            if verification != ["ok"]:
                # Le détail de SQLite (anglais, numéros de pages) ne dit rien à l'opératrice.
                raise SauvegardeRefusee(
                    f"{fichier} est une sauvegarde endommagée (la vérification d'intégrité de "
                    "SQLite a échoué) : rien n'a été restauré. Prenez une autre sauvegarde."
                )
            infos = dict(cible.execute(f"SELECT cle, valeur FROM {TABLE_INFOS}").fetchall())
            revision = _revision_sqlite(cible)
            calculee = empreinte_du_contenu(cible) if "empreinte" in infos else None
        finally:
            cible.close()
    except sqlite3.DatabaseError as exc:
        raise SauvegardeRefusee(_refus_sqlite(fichier, refus, exc)) from None
    except OSError as exc:
        raise SauvegardeRefusee(
            f"{fichier} : copie de vérification impossible ({erreur_systeme(exc)}) ; rien n'a "
            "été restauré."
        ) from None
    format_ = int(infos.get("format", "0") or 0) if infos.get("format", "").isdigit() else 0
    if format_ > FORMAT:
        raise SauvegardeRefusee(
            f"{fichier} est dans un format de sauvegarde plus récent ({infos['format']}) que "
            f"celui que cette version lit ({FORMAT}) : restaurez-la avec une version plus "
            "récente de l'application."
        )
    if (format_ >= 2 and calculee is None) or calculee != infos.get("empreinte"):
        raise SauvegardeRefusee(
            f"{fichier} a été modifié ou abîmé depuis la sauvegarde : son contenu ne "
            "correspond plus à son empreinte SHA-256. Rien n'a été restauré. Prenez une autre "
            "copie de cette sauvegarde (celle d'origine, hors de cette machine) ou une autre "
            "sauvegarde."
        )
    if not revision or not tables_presentes >= migration.TABLES_FONDATRICES:
        raise SauvegardeRefusee(refus + " : les tables de l'application y manquent.")
    return infos, revision


def _refus_sqlite(fichier: Path, refus: str, exc: sqlite3.DatabaseError) -> str:
    """Le refus d'un fichier que SQLite n'a pas pu lire, en français (le texte de SQLite,
    anglais, n'y est pas)."""
    texte = str(exc).casefold()
    if "locked" in texte or "busy" in texte:
        return (
            f"{fichier} est verrouillé par un autre programme (une copie ou une sauvegarde en "
            "cours ?) : rien n'a été restauré. Réessayez quand il aura fini."
        )
    if "disk is full" in texte or "no space" in texte:
        return (
            f"{fichier} : le disque est plein pendant la copie de vérification (à côté de la "
            "sauvegarde) ; rien n'a été restauré. Libérez de la place, puis réessayez."
        )
    return f"{refus}, ou elle est endommagée : rien n'a été restauré."


def _date(texte: str | None) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(texte or "")
    except ValueError:
        return dt.datetime.min


class BaseNonVide(SauvegardeRefusee):
    """La base cible contient déjà des données, et le remplacement n'a pas été demandé."""


class PurgesAbsentes(SauvegardeRefusee):
    """La base cible porte des purges de renseignements personnels que la sauvegarde n'a
    pas, et la restauration n'a pas été forcée (`malgre_purges`)."""


def purges_absentes(base: Connection, sauvegarde: Connection) -> dict[str, set]:
    """Appel → les traces de purge de la base que la sauvegarde n'a pas (voir
    `traces_de_purge`) ; vide si la sauvegarde a toutes celles de la base."""
    dans_la_sauvegarde = traces_de_purge(sauvegarde)
    absentes = {
        appel_id: traces - dans_la_sauvegarde.get(appel_id, set())
        for appel_id, traces in traces_de_purge(base).items()
    }
    return {appel_id: traces for appel_id, traces in absentes.items() if traces}


def _texte_purges(absentes: dict[str, set]) -> str:
    details = []
    for appel_id, traces in sorted(absentes.items()):
        demandes_ = sum(1 for genre, _ in traces if genre == "demande")
        dates = sorted(d for genre, d in traces if genre == "purge")
        detail = formats.pluriel(demandes_, "demande purgée", "demandes purgées")
        if dates:
            detail += ", purge du " + ", du ".join(formats.date_heure(d) for d in dates)
        details.append(f"appel {appel_id or '(sans appel)'} : {detail}")
    commandes = " ; ".join(
        f"« python -m evaluation appels purger {a} »" for a in sorted(absentes) if a
    )
    return (
        "la base porte des purges de renseignements personnels que la sauvegarde n'a pas ("
        + " ; ".join(details)
        + ") : la sauvegarde a été faite avant la purge ; la restaurer ramènerait ces "
        "renseignements et effacerait la trace de la purge. Restaurez plutôt une sauvegarde "
        "faite après la purge. Si vous devez restaurer celle-ci, ajoutez --malgre-purges, puis "
        f"refaites aussitôt la purge : {commandes} (avec --avant-echeance et --raison si "
        "l'échéance n'est pas atteinte)."
    )


def lignes_presentes(connexion: Connection) -> dict[str, int]:
    """Le nombre de lignes de chaque table qui en a (hors la version des données, que toute
    base a dès sa création)."""
    comptes = {
        t.name: connexion.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        for t in tables()
        if t is not compteur_ecritures
    }
    return {nom: n for nom, n in comptes.items() if n}


def restaurer(
    moteur: Engine,
    fichier: str | Path,
    *,
    auteur: str,
    remplacer: bool = False,
    malgre_purges: bool = False,
    description: Callable[[CompteRendu], str] | None = None,
) -> CompteRendu:
    """Remplace le contenu de la base de `moteur` par la sauvegarde `fichier`, tout ou rien
    (voir le module) ; la base est d'abord mise à la révision du code (créée si elle est
    vide). `BaseNonVide` si elle contient déjà des données et que `remplacer` est faux ;
    `SauvegardeRefusee` pour un fichier qui n'est pas une sauvegarde, endommagé, ou d'une
    version plus récente. `PurgesAbsentes` si la base porte des purges de renseignements
    personnels que la sauvegarde n'a pas et que `malgre_purges` est faux. `description` : le
    texte du journal, d'après ce que la sauvegarde porte (l'appelant met la date en forme) ;
    par défaut, le nom du fichier."""
    with ouvrir_sauvegarde(fichier) as (sauvegarde, compte_rendu):
        migration.mettre_a_jour(moteur)
        with (
            ecriture(moteur, *tables(), versionnee=False) as connexion,
            sauvegarde.connect() as source,
        ):
            presentes = lignes_presentes(connexion)
            if presentes and not remplacer:
                raise BaseNonVide(_texte_non_vide(presentes))
            absentes = purges_absentes(connexion, source)
            if absentes and not malgre_purges:
                raise PurgesAbsentes(_texte_purges(absentes))
            compte_rendu = replace(compte_rendu, purges_ramenees=tuple(sorted(absentes)))
            for table in reversed(tables()):
                connexion.execute(table.delete())
            for table in tables():
                if table is not compteur_ecritures:
                    _copier_table(table, source, connexion)
            _recaler_sequences(connexion)
            # Une nouvelle version des données : aucun cache d'un serveur en marche ne survit.
            connexion.execute(
                compteur_ecritures.insert(),
                [
                    {"id": VERSION_GLOBALE, "valeur": valeur_initiale_du_compteur()},
                    {"id": VERSION_LOURDE, "valeur": valeur_initiale_du_compteur()},
                ],
            )
            inscrire_journal(
                [
                    ligne_journal(
                        maintenant(),
                        auteur,
                        OBJET_RESTAURATION,
                        None,
                        (description(compte_rendu) if description else Path(fichier).name)
                        + (
                            " ; malgré les purges de renseignements personnels des appels "
                            f"{', '.join(compte_rendu.purges_ramenees)}, que la sauvegarde "
                            "n'avait pas (à refaire)"
                            if compte_rendu.purges_ramenees
                            else ""
                        ),
                    )
                ],
                connexion=connexion,
            )
    return compte_rendu


def _texte_non_vide(presentes: dict[str, int]) -> str:
    principales = {"demandes": "demandes", "evaluations": "évaluations", "comptes": "comptes"}
    detail = ", ".join(
        f"{nom} : {presentes[t]}" for t, nom in principales.items() if presentes.get(t)
    ) or ", ".join(f"{t} : {n}" for t, n in sorted(presentes.items())[:3])
    return (
        f"la base contient déjà des données ({detail}) : la restauration les remplacerait "
        "toutes. Ajoutez --remplacer pour les remplacer par la sauvegarde (sauvegardez "
        "d'abord la base actuelle), ou restaurez dans une base vide."
    )


def _recaler_sequences(connexion: Connection) -> None:
    """PostgreSQL : les séquences des identifiants repartent après le plus grand identifiant
    restauré (sinon la prochaine insertion heurterait une ligne restaurée). SQLite le fait de
    lui-même."""
    if connexion.dialect.name != "postgresql":
        return
    for table in tables():
        (colonne,) = table.primary_key.columns if len(table.primary_key.columns) == 1 else (None,)
        if colonne is None or colonne.autoincrement is not True:
            continue
        connexion.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence(:table, :colonne), "
                f'COALESCE(MAX("{colonne.name}"), 1), MAX("{colonne.name}") IS NOT NULL) '
                f'FROM "{table.name}"'
            ),
            {"table": table.name, "colonne": colonne.name},
        )
