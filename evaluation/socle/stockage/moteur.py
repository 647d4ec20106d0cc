"""Le moteur (SQLite par défaut, toute URL SQLAlchemy sinon), ses réglages, les
transactions d'écriture, la mise à jour du schéma par Alembic, et les écritures en masse."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from evaluation.socle.chemins import DONNEES
from evaluation.socle.stockage.schema import (
    VERSION_GLOBALE,
    VERSION_LOURDE,
    _nettoyage_colonne,
    _SansControles,
    compteur_ecritures,
)

FICHIER_BASE = DONNEES / "evaluation.sqlite"


# Le type du moteur, pour les modules qui en reçoivent un sans importer sqlalchemy.
Moteur = Engine


VARIABLE_BASE = "EVALUATION_BASE"
# Le pool de connexions d'un processus vers PostgreSQL (ou un autre serveur) : `TAILLE`
# connexions gardées ouvertes, et au plus `DEBORDEMENT` de plus, ouvertes le temps d'un pic
# puis refermées. Un processus tient donc au plus TAILLE + DEBORDEMENT connexions ; la somme
# sur les serveurs (et la ligne de commande) doit rester sous `max_connections` du serveur
# PostgreSQL (README, « Déployer »). SQLite n'ouvre qu'un fichier : ces réglages l'ignorent.
VARIABLE_POOL_TAILLE = "EVALUATION_POOL_TAILLE"
VARIABLE_POOL_DEBORDEMENT = "EVALUATION_POOL_DEBORDEMENT"
POOL_TAILLE, POOL_DEBORDEMENT = 5, 10  # les défauts de SQLAlchemy : 15 connexions au plus
POOL_MAX = 1000  # borne de bon sens : au-delà, une faute de frappe plutôt qu'un réglage
# SQLite : combien de secondes une écriture attend qu'un autre processus ait fini la sienne
# avant « base occupée ».
ATTENTE_SQLITE_S = 30


def url_par_defaut() -> str:
    """EVALUATION_BASE si elle est définie, sinon le fichier SQLite sous donnees/."""
    return os.environ.get(VARIABLE_BASE) or f"sqlite:///{FICHIER_BASE}"


def url_masquee(url: str) -> str:
    """L'URL d'une base sans son mot de passe, pour un message."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(URL illisible)"


def sqlite_absente(url: str) -> str | None:
    """Le chemin du fichier d'une URL SQLite qui n'existe pas (None : il existe, ou l'URL ne
    nomme pas un fichier SQLite). Ouvrir le moteur créerait ce fichier, vide."""
    try:
        lue = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    chemin = lue.database
    if not lue.drivername.startswith("sqlite") or not chemin or chemin == ":memory:":
        return None
    if chemin.startswith("file:") or Path(chemin).exists():
        return None
    return chemin


def reglages_pool(environnement: Mapping[str, str] | None = None) -> dict[str, int]:
    """`pool_size` et `max_overflow` du moteur, lus dans EVALUATION_POOL_TAILLE (1 à 1000,
    5 par défaut) et EVALUATION_POOL_DEBORDEMENT (0 à 1000, 10 par défaut). Une valeur qui
    n'est pas un entier dans ces bornes lève `BaseInutilisable`, qui la nomme : une taille de
    0 ou un débordement de -1 voudraient dire « sans limite » pour SQLAlchemy, ce que le
    décompte des connexions ne permettrait plus."""
    from evaluation.socle.stockage.migration import BaseInutilisable

    environnement = os.environ if environnement is None else environnement
    reglages = {}
    for cle, variable, defaut, minimum in (
        ("pool_size", VARIABLE_POOL_TAILLE, POOL_TAILLE, 1),
        ("max_overflow", VARIABLE_POOL_DEBORDEMENT, POOL_DEBORDEMENT, 0),
    ):
        texte = environnement.get(variable, "").strip()
        if not texte:
            reglages[cle] = defaut
            continue
        try:
            valeur = int(texte)
        except ValueError:
            valeur = None
        if valeur is None or not minimum <= valeur <= POOL_MAX:
            raise BaseInutilisable(
                f"la variable {variable} vaut « {texte} » : un nombre entier de connexions de "
                f"{minimum} à {POOL_MAX} est attendu ({defaut} si elle n'est pas définie)."
            )
        reglages[cle] = valeur
    return reglages


def creer_moteur(url: str | None = None, *, mettre_a_jour_le_schema: bool = True) -> Engine:
    """Moteur SQLAlchemy prêt à l'emploi ; le schéma est mis à jour (Alembic, sous verrou :
    voir `migration`) à la création, sauf `mettre_a_jour_le_schema=False`. Une base qui ne
    peut pas être ouverte ou mise à jour lève `BaseInutilisable`, avec la raison en français
    (`diagnostic`).
    """
    from evaluation.socle.stockage.diagnostic import expliquer
    from evaluation.socle.stockage.migration import BaseInutilisable

    try:
        return _creer_moteur(url, mettre_a_jour_le_schema)
    except BaseInutilisable:
        raise
    except Exception as exc:
        raise BaseInutilisable(expliquer(exc)) from exc


def _creer_moteur(url: str | None, mettre_a_jour_le_schema: bool) -> Engine:
    """SQLite : mode WAL (les lectures ne bloquent pas l'écriture), attente de 30 s quand
    un autre processus écrit, clés étrangères appliquées ; le fichier, son journal WAL et sa
    mémoire partagée ne sont lisibles que par leur propriétaire (0600).

    Les deux moteurs taisent les paramètres des ordres SQL dans leurs erreurs
    (`hide_parameters`) : une IntegrityError sur `comptes` mettait sinon courriel, nom et
    empreinte du mot de passe dans la trace que journalise `erreurs.consigner`.
    """
    url = url or url_par_defaut()
    if url.startswith("sqlite"):
        chemin = sa.engine.make_url(url).database
        fichier = None
        if chemin and chemin != ":memory:" and not chemin.startswith("file:"):
            fichier = Path(chemin)
            fichier.parent.mkdir(parents=True, exist_ok=True)
            _fichiers_prives(fichier)
        moteur = sa.create_engine(
            url, connect_args={"timeout": ATTENTE_SQLITE_S}, hide_parameters=True
        )

        @sa.event.listens_for(moteur, "connect")
        def _reglages_sqlite(connexion_dbapi, _):
            # pysqlite n'ouvre la transaction qu'au premier INSERT/UPDATE : les lectures qui
            # précèdent n'en feraient pas partie. SQLAlchemy émet donc BEGIN lui-même.
            connexion_dbapi.isolation_level = None
            curseur = connexion_dbapi.cursor()
            curseur.execute("PRAGMA journal_mode=WAL")
            curseur.execute(f"PRAGMA busy_timeout={int(ATTENTE_SQLITE_S * 1000)}")
            curseur.execute("PRAGMA foreign_keys=ON")
            # Le contenu supprimé ou remplacé est écrasé sur place (purge des renseignements
            # personnels : `conservation.effacer_versions_mortes`).
            curseur.execute("PRAGMA secure_delete=ON")
            curseur.close()
            if fichier is not None:
                _fichiers_prives(fichier)

        @sa.event.listens_for(moteur, "begin")
        def _debut_sqlite(connexion):
            connexion.exec_driver_sql("BEGIN")

    else:
        moteur = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True, **reglages_pool())
        sa.event.listen(moteur, "handle_error", _sans_detail_postgresql)
    if mettre_a_jour_le_schema:
        from evaluation.socle.stockage.migration import mettre_a_jour

        mettre_a_jour(moteur)
    return moteur


# Les parties d'un message d'erreur de PostgreSQL qui citent des valeurs : DETAIL (« Key
# (courriel)=(…) already exists ») et CONTEXT (« COPY demandes, line 3: "…" », la ligne).
_PARTIES_AVEC_DONNEES = re.compile(r"\n(?:DETAIL|CONTEXT):.*?(?=\n[A-Z]+:|\Z)", re.S)


def sans_donnees(orig: BaseException) -> bool:
    """Retire du message d'une erreur du pilote PostgreSQL les parties qui citent des
    valeurs (DETAIL, CONTEXT), pour que la trace journalisée n'en porte aucune ; vrai s'il
    y en avait. Elles restent lisibles par le programme (`orig.diag`) ; les mots que lisent
    `base_occupee` et `reference_disparue` sont dans la première ligne."""
    texte = str(orig)
    epure = _PARTIES_AVEC_DONNEES.sub("", texte)
    if epure == texte:
        return False
    orig.args = (epure,)
    return True


def _sans_detail_postgresql(contexte) -> Exception | None:
    """L'erreur SQLAlchemy refaite sur le message du pilote épuré (`sans_donnees`)."""
    erreur = contexte.sqlalchemy_exception
    if not isinstance(erreur, sa.exc.DBAPIError) or not sans_donnees(contexte.original_exception):
        return None
    nouvelle = type(erreur)(
        erreur.statement,
        erreur.params,
        contexte.original_exception,
        hide_parameters=True,
        connection_invalidated=erreur.connection_invalidated,
        code=erreur.code,
        ismulti=erreur.ismulti,
    )
    return nouvelle.with_traceback(erreur.__traceback__)


def _fichiers_prives(base: Path) -> None:
    """Crée le fichier d'une base SQLite neuve en 0600 (quel que soit le umask, avant que
    SQLite ne l'ouvre) et resserre en 0600 la base, son -wal et son -shm quand ils sont plus
    ouverts et appartiennent à l'utilisateur courant (une base d'une version précédente,
    créée en 0644). Le fichier d'un autre propriétaire est laissé tel quel."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(base, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for fichier in (base, Path(f"{base}-wal"), Path(f"{base}-shm"), Path(f"{base}-journal")):
        try:
            etat = fichier.stat()
            if etat.st_mode & 0o077 and etat.st_uid == os.getuid():
                os.chmod(fichier, etat.st_mode & 0o700)
        except FileNotFoundError:
            continue


@contextlib.contextmanager
def ecriture(
    moteur: Engine, *tables: sa.Table, lourde: bool = True, versionnee: bool = True
) -> Iterator[Connection]:
    """Une transaction d'écriture qui réserve l'écriture dès son début : ce qu'elle lit
    ne peut plus changer sous elle avant qu'elle écrive (lire puis écrire sans perdre la
    modification d'un autre).

    SQLite : le verrou d'écriture est pris tout de suite (les autres écrivains attendent,
    jusqu'au délai de la base). PostgreSQL : `tables` sont verrouillées en écriture (les
    lectures continuent) ; sans table, les verrous de ligne de l'appelant suffisent.

    Une transaction qui aboutit augmente la version des données (`version_donnees`) en
    dernier, juste avant de valider : le verrou de cette ligne n'est tenu qu'un instant, et
    rien n'est pris après lui (pas d'interblocage possible). Une transaction annulée ne la
    change pas. `lourde=False` : la transaction n'écrit que décisions, montants recommandés,
    pondérations et journal ; la version des données lourdes (demandes, évaluations,
    attributions, comptes, appels) ne bouge pas (`versions_donnees`). `versionnee=False` :
    la transaction n'écrit rien qu'une page garde sous une version (tentatives de connexion,
    consultations des notes des autres et leur journal) ; aucune version ne bouge, et une
    connexion manquée ne fait rien recalculer."""
    with moteur.begin() as connexion:
        if connexion.dialect.name == "sqlite":
            connexion.execute(sa.text("UPDATE journal SET id = id WHERE 0 = 1"))
        else:
            for table in tables:
                connexion.execute(sa.text(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE"))
        yield connexion
        if not versionnee:
            return
        lignes = [VERSION_GLOBALE, VERSION_LOURDE] if lourde else [VERSION_GLOBALE]
        connexion.execute(
            compteur_ecritures.update()
            .where(compteur_ecritures.c.id.in_(lignes))
            .values(valeur=compteur_ecritures.c.valeur + 1)
        )


def version_donnees(*, connexion: Connection) -> int:
    """La version des données : elle change à chaque écriture validée (`ecriture`), par
    n'importe quel processus. À lire avant les données qu'on garde sous cette clé : ce qui
    s'écrit entre les deux lectures en donne une autre, et le calcul sera refait."""
    return versions_donnees(connexion=connexion)[0]


def versions_donnees(*, connexion: Connection) -> tuple[int, int]:
    """(version des données, version des données lourdes) : la seconde ne change pas quand
    une écriture ne touche que décisions, montants recommandés et pondérations
    (`ecriture(lourde=False)`). Une base sans la seconde ligne rend deux fois la première
    (toute écriture change alors les deux)."""
    requete = sa.select(compteur_ecritures.c.id, compteur_ecritures.c.valeur).where(
        compteur_ecritures.c.id.in_([VERSION_GLOBALE, VERSION_LOURDE])
    )
    lues = {int(i): int(v) for i, v in connexion.execute(requete)}
    globale = lues.get(VERSION_GLOBALE, 0)
    return globale, lues.get(VERSION_LOURDE, globale)


def reference_disparue(exc: BaseException) -> bool:
    """Vrai quand une écriture vise une ligne supprimée entre-temps (clé étrangère sans
    cible : une demande retirée pendant qu'on l'évaluait)."""
    if not isinstance(exc, sa.exc.IntegrityError):
        return False
    return "foreign key" in str(getattr(exc, "orig", exc)).casefold()


def base_occupee(exc: BaseException) -> bool:
    """Vrai pour une erreur passagère d'accès concurrent (SQLite verrouillée, conflit de
    sérialisation ou interblocage PostgreSQL) : l'opération peut être retentée."""
    if not isinstance(exc, sa.exc.OperationalError | sa.exc.IntegrityError):
        return False
    texte = str(getattr(exc, "orig", exc)).casefold()
    return any(
        m in texte
        for m in (
            "database is locked",
            "deadlock",
            "could not serialize",
            "duplicate key",
            "unique constraint",
        )
    )


def maintenant() -> dt.datetime:
    """L'heure locale à la seconde, pour les horodatages du journal."""
    return dt.datetime.now().replace(microsecond=0)


def _par_paquets(valeurs: Sequence, taille: int = 500) -> Iterable[Sequence]:
    for i in range(0, len(valeurs), taille):
        yield valeurs[i : i + taille]


def _inserer_en_masse(table: sa.Table, lignes: list[dict], *, connexion: Connection) -> None:
    """INSERT de nombreuses lignes par l'`executemany` du pilote.

    Même SQL et mêmes conversions de types que `connexion.execute(table.insert(), lignes)`
    (processeurs de liaison du dialecte : JSON, dates...), sans le traitement générique de
    SQLAlchemy ligne par ligne, qui coûtait ici quatre fois l'écriture elle-même."""
    if not lignes:
        return
    dialecte = connexion.dialect
    colonnes = list(lignes[0])
    compile = table.insert().compile(dialect=dialecte, column_keys=colonnes)
    processeurs = {
        c: _nettoyage_colonne(c, lignes)
        if isinstance(table.c[c].type, _SansControles)
        else table.c[c].type._cached_bind_processor(dialecte)
        for c in colonnes
    }
    if compile.positiontup is not None:  # style « ? » (sqlite) : paramètres dans l'ordre
        ordre = [(c, processeurs[c]) for c in compile.positiontup]
        parametres = [tuple([p(ligne[c]) if p else ligne[c] for c, p in ordre]) for ligne in lignes]
    else:
        parametres = [
            {c: (processeurs[c](v) if processeurs[c] else v) for c, v in ligne.items()}
            for ligne in lignes
        ]
    for paquet in _par_paquets(parametres, 5000):
        connexion.exec_driver_sql(compile.string, list(paquet))


def _tuples(requete, connexion: Connection) -> list[tuple]:
    """Les lignes d'une requête en tuples : tels que le pilote les rend quand aucune
    colonne n'a de conversion de résultat (entiers, textes, réels), sans passer par les
    objets Row de SQLAlchemy ; sinon convertis par SQLAlchemy comme d'habitude."""
    resultat = connexion.execute(requete)
    processeurs = getattr(resultat._metadata, "_processors", None)
    if processeurs is not None and not any(processeurs):
        lignes = resultat.cursor.fetchall()
        resultat.close()
        return lignes
    return [tuple(r) for r in resultat.all()]


def _booleens_en_entiers(requete) -> tuple[object, list[int]]:
    """La requête dont les colonnes booléennes sont lues comme des entiers (aucune
    conversion ligne à ligne par SQLAlchemy, que SQLite imposerait : 0/1 → bool), et leurs
    positions, pour les reconvertir en colonne entière."""
    colonnes = list(requete.selected_columns)
    booleennes = [i for i, c in enumerate(colonnes) if isinstance(c.type, sa.Boolean)]
    if not booleennes:
        return requete, []
    lues = [
        sa.type_coerce(c, sa.Integer).label(c.key) if i in booleennes else c
        for i, c in enumerate(colonnes)
    ]
    return requete.with_only_columns(*lues, maintain_column_froms=True), booleennes


def _en_booleens(serie: pd.Series) -> pd.Series:
    """0/1 (ou False/True) → booléens ; une valeur absente reste None (colonne objet),
    comme les rendrait SQLAlchemy."""
    absentes = serie.isna()
    vrais = serie.fillna(0).astype(bool)
    if not absentes.any():
        return vrais
    return vrais.astype(object).where(~absentes, None)


def _en_table(requete, colonnes: list[str], connexion: Connection) -> pd.DataFrame:
    """Le résultat d'une requête en DataFrame, par tuples : construire le DataFrame depuis
    les objets Row de SQLAlchemy coûtait dix fois plus sur 400 000 lignes.

    Quand aucune colonne n'a de conversion de résultat (entiers, textes, réels : les notes),
    les tuples viennent tels quels du pilote, sans passer par les objets Row ; sinon (dates
    et JSON sous SQLite), SQLAlchemy les convertit comme d'habitude. Les booléens sont lus
    en entiers et convertis par colonne (les évaluations : 0,35 → 0,1 s à 62 000 lignes)."""
    requete, booleennes = _booleens_en_entiers(requete)
    table = pd.DataFrame.from_records(_tuples(requete, connexion), columns=colonnes)
    for i in booleennes:
        table[colonnes[i]] = _en_booleens(table[colonnes[i]])
    return table
