"""Le stockage : tables SQLAlchemy, création du moteur, lectures et écritures.

SQLite (un fichier sous donnees/) par défaut ; toute URL SQLAlchemy par la variable
d'environnement EVALUATION_BASE ou l'option --base. C'est le seul module qui importe
sqlalchemy ; les fonctions reçoivent la connexion en argument nommé, et c'est l'appelant
qui tient la transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from evaluation.appels.configuration import Appel
from evaluation.socle import champs
from evaluation.socle.chemins import DONNEES

FICHIER_BASE = DONNEES / "evaluation.sqlite"
# Le type du moteur, pour les modules qui en reçoivent un sans importer sqlalchemy.
Moteur = Engine
VARIABLE_BASE = "EVALUATION_BASE"

metadonnees = sa.MetaData()

# Caractères de contrôle C0 (sauf tabulation et fins de ligne), DEL et C1 : invisibles,
# sans usage dans un texte saisi, et NUL est refusé par PostgreSQL (l'erreur, avec sa requête,
# a déjà atteint un visiteur anonyme).
_CONTROLES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def sans_controles(valeur: str) -> str:
    """Le texte sans ses caractères de contrôle (voir `_CONTROLES`)."""
    if valeur.isprintable():  # le cas courant, vérifié en C sans expression régulière
        return valeur
    return _CONTROLES.sub("", valeur) if _CONTROLES.search(valeur) else valeur


def _texte_sans_controles(valeur):
    return sans_controles(valeur) if type(valeur) is str else valeur


def _nettoyage_colonne(colonne: str, lignes: list[dict]):
    """Le nettoyage de `_SansControles` pour une colonne de texte écrite en masse, ou None
    quand aucune de ses valeurs n'a de caractère non imprimable : vérifié d'un coup (une
    jointure, un test en C) plutôt que valeur par valeur."""
    textes = [v for v in (ligne[colonne] for ligne in lignes) if type(v) is str]
    return None if "".join(textes).isprintable() else _texte_sans_controles


class _SansControles:
    """Tout texte lié à une requête (écrit, ou comparé dans un WHERE) perd ses caractères
    de contrôle : aucune saisie, d'aucune page ni d'aucun fichier, ne peut faire échouer une
    écriture ou une recherche sur l'une ou l'autre base."""

    def process_bind_param(self, valeur, dialect):
        return sans_controles(valeur) if isinstance(valeur, str) else valeur


class Texte(_SansControles, sa.types.TypeDecorator):
    impl = sa.Text
    cache_ok = True


class Code(_SansControles, sa.types.TypeDecorator):
    """Texte de longueur bornée (identifiants, codes, statuts)."""

    impl = sa.String
    cache_ok = True


appels = sa.Table(
    "appels",
    metadonnees,
    sa.Column("id", Code(100), primary_key=True),
    sa.Column("nom", Texte, nullable=False),
    sa.Column("configuration_toml", Texte, nullable=False),
    sa.Column("enregistre_le", sa.DateTime, nullable=False),
    # Un appel archivé se consulte encore mais ne se modifie plus.
    sa.Column("archive", sa.Boolean, nullable=False, server_default=sa.false()),
    # Augmente à chaque enregistrement de la configuration (modifications concurrentes).
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)

importations = sa.Table(
    "importations",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), sa.ForeignKey("appels.id"), nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte),
    sa.Column("fichiers", sa.JSON, nullable=False),
    sa.Column("lignes_valides_seulement", sa.Boolean, nullable=False),
    sa.Column("nb_creees", sa.Integer, nullable=False),
    sa.Column("nb_mises_a_jour", sa.Integer, nullable=False),
    sa.Column("nb_inchangees", sa.Integer, nullable=False),
    sa.Column("nb_ecartees", sa.Integer, nullable=False),
    sa.Column("nb_lignes_budget", sa.Integer, nullable=False),
    sa.Column("rapport", sa.JSON, nullable=False),
    # Importation retirée (ses demandes supprimées) : l'entrée reste, pour mémoire.
    sa.Column("retiree_le", sa.DateTime),
    sa.Column("retiree_par", Texte),
    sa.Column("raison_retrait", Texte),
)

# Colonnes d'une demande, dans l'ordre du gabarit ; les montants sont en cents. Tout texte
# venu d'un fichier est TEXT : PostgreSQL refuserait un VARCHAR(n) trop long en pleine
# importation ; seuls les codes que le programme produit (région, code géographique) ont
# une longueur fixe.
_TYPES_DEMANDE: dict[str, sa.types.TypeEngine] = {
    "no_demande": Texte,
    "municipalite": Texte,
    "code_geographique": Code(10),
    "region": Code(2),
    "municipalites_partenaires": Texte,
    "projet_conjoint": sa.Boolean,
    "partenaires_etrangers": Texte,
    "pays": Texte,
    "titre": Texte,
    "resume": Texte,
    "axe": sa.Integer,
    "secteur": Texte,
    "secteurs_secondaires": Texte,
    "date_debut": sa.Date,
    "date_fin": sa.Date,
    "cout_total": sa.BigInteger,
    "montant_demande_an1": sa.BigInteger,
    "montant_demande_an2": sa.BigInteger,
    "contribution_demandeur": sa.BigInteger,
    "cofinancement_externe": sa.BigInteger,
    "autre_financement_gouvernemental": sa.Boolean,
    "dossier_complet": sa.Boolean,
    "budget_detaille": sa.Boolean,
    "engagement_rapport": sa.Boolean,
    "qualite_signataire": Texte,
    "courriel": Texte,
}
# Dans l'ordre de socle.champs, qui les nomme pour les règles (une clé manquante ici échoue
# dès l'importation du module).
CHAMPS_DEMANDE = {nom: _TYPES_DEMANDE[nom] for nom in champs.CHAMPS_DEMANDE}
CHAMPS_MONTANT = champs.CHAMPS_MONTANT

demandes = sa.Table(
    "demandes",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), sa.ForeignKey("appels.id"), nullable=False),
    *(sa.Column(nom, genre) for nom, genre in CHAMPS_DEMANDE.items()),
    sa.Column("colonnes_supplementaires", sa.JSON(none_as_null=True)),
    sa.Column("avertissements", sa.JSON(none_as_null=True)),
    sa.Column("source_fichier", Texte),
    sa.Column("source_feuille", Texte),
    sa.Column("source_ligne", sa.Integer),
    sa.Column("importation_id", sa.Integer, sa.ForeignKey("importations.id")),
    sa.Column("cree_le", sa.DateTime, nullable=False),
    sa.Column("modifie_le", sa.DateTime, nullable=False),
    # Désistement : la demande sort du classement et des listes, son historique reste.
    sa.Column("retiree_le", sa.DateTime),
    sa.Column("retiree_par", Texte),
    sa.Column("raison_retrait", Texte),
    sa.UniqueConstraint("appel_id", "no_demande", name="uq_demande_numero"),
)

comptes = sa.Table(
    "comptes",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("courriel", Texte, nullable=False, unique=True),
    sa.Column("nom", Texte),
    sa.Column("role", Code(20), nullable=False),
    # Vide pour un compte qui ne se connecte que par OpenID Connect.
    sa.Column("hache_mot_de_passe", Texte),
    sa.Column("actif", sa.Boolean, nullable=False),
    sa.Column("municipalite", Texte),
    sa.Column("region", Code(2)),
    sa.Column("cree_le", sa.DateTime, nullable=False),
    sa.Column("modifie_le", sa.DateTime, nullable=False),
    # Vrai quand le mot de passe a été fixé par un autre que le titulaire : il le change à
    # sa prochaine connexion. Vide (bases antérieures) : faux.
    sa.Column("mot_de_passe_provisoire", sa.Boolean),
)

tentatives_connexion = sa.Table(
    "tentatives_connexion",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("courriel", Texte, nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("reussie", sa.Boolean, nullable=False),
    sa.Index("ix_tentatives_courriel_date", "courriel", "date"),
)

evaluations = sa.Table(
    "evaluations",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), sa.ForeignKey("appels.id"), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("evaluateur", Texte, nullable=False),
    sa.Column("statut", Code(20), nullable=False),
    sa.Column("commentaire_global", Texte),
    sa.Column("admissible", sa.Boolean),
    sa.Column("raison_inadmissibilite", Texte),
    sa.Column("admissibilite", sa.JSON(none_as_null=True)),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("cree_le", sa.DateTime, nullable=False),
    sa.Column("modifie_le", sa.DateTime, nullable=False),
    sa.Column("soumise_le", sa.DateTime),
    # Une note ou l'admissibilité changée après que l'évaluateur a vu les notes des autres
    # (voir consultations) : la présidence le voit.
    sa.Column("modifiee_apres_consultation", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("demande_id", "evaluateur", name="uq_evaluation_demande_evaluateur"),
)

# Première fois qu'un évaluateur a reçu les notes des autres pour une demande (évaluation à
# l'aveugle levée après soumission) : ce qu'il change ensuite n'est plus à l'aveugle.
consultations = sa.Table(
    "consultations",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("evaluateur", Texte, nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.UniqueConstraint("demande_id", "evaluateur", name="uq_consultation"),
)

notes = sa.Table(
    "notes",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "evaluation_id",
        sa.Integer,
        sa.ForeignKey("evaluations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("critere", Code(100), nullable=False),
    sa.Column("note", sa.Float),
    sa.Column("commentaire", Texte),
    sa.UniqueConstraint("evaluation_id", "critere", name="uq_note_critere"),
)

# Journal en ajout seul : qui a changé quoi, quand, ancienne et nouvelle valeur.
journal = sa.Table(
    "journal",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Column("appel_id", Code(100)),
    sa.Column("demande_id", sa.Integer),
    sa.Column("evaluateur", Texte),
    sa.Column("objet", Texte, nullable=False),
    sa.Column("ancien", Texte),
    sa.Column("nouveau", Texte),
    # Version de l'objet que le changement a produite (évaluation, configuration d'un appel) :
    # ce qui a changé depuis la version qu'une page avait lue.
    sa.Column("version", sa.Integer),
    sa.Index("ix_journal_demande", "demande_id"),
)

# Attributions stockées : elles ne servent que lorsque l'appel en fixe un nombre par demande
# (sinon chaque évaluateur évalue chaque demande).
attributions = sa.Table(
    "attributions",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("evaluateur", Texte, nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.UniqueConstraint("demande_id", "evaluateur", name="uq_attribution"),
)

# Conflits d'intérêts déclarés (par l'évaluateur ou par l'administration), avec leur raison.
conflits = sa.Table(
    "conflits",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("evaluateur", Texte, nullable=False),
    sa.Column("raison", Texte, nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.UniqueConstraint("demande_id", "evaluateur", name="uq_conflit"),
)

# Réglages de la campagne d'évaluation d'un appel (ce qui change en cours de route, pas la
# configuration de l'appel) : nombre d'évaluateurs par demande, verrouillage des notes.
reglages_evaluation = sa.Table(
    "reglages_evaluation",
    metadonnees,
    sa.Column("appel_id", Code(100), primary_key=True),
    sa.Column("evaluateurs_par_demande", sa.Integer),
    sa.Column("verrouille", sa.Boolean, nullable=False),
    sa.Column("decisions_verrouillees", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("modifie_le", sa.DateTime, nullable=False),
    sa.Column("modifie_par", Texte, nullable=False),
)

# Montant recommandé modifié par la présidence (le dernier par demande et année compte).
montants_recommandes = sa.Table(
    "montants_recommandes",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("annee", sa.Integer, nullable=False),
    sa.Column("montant", sa.BigInteger, nullable=False),
    sa.Column("raison", Texte),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
)

# Décisions du comité : chaque décision est une nouvelle ligne ; la dernière compte.
decisions = sa.Table(
    "decisions",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("decision", Code(30), nullable=False),
    sa.Column("montant_an1", sa.BigInteger, nullable=False),
    sa.Column("montant_an2", sa.BigInteger, nullable=False),
    sa.Column("justification", Texte),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
)

# Pondérations adoptées en cours de route (la dernière compte ; sinon celles de l'appel).
ponderations = sa.Table(
    "ponderations",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column("poids", sa.JSON, nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
)

_TYPES_LIGNE = {
    "annee": sa.Integer,
    "categorie": Texte,
    "categorie_id": Texte,
    "admissible": sa.Boolean,
    "description": Texte,
    "montant": sa.BigInteger,
}

CHAMPS_LIGNE = {nom: _TYPES_LIGNE[nom] for nom in champs.CHAMPS_LIGNE}

lignes_budget = sa.Table(
    "lignes_budget",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    *(sa.Column(nom, genre) for nom, genre in CHAMPS_LIGNE.items()),
    sa.Column("colonnes_supplementaires", sa.JSON(none_as_null=True)),
    sa.Column("source_fichier", Texte),
    sa.Column("source_ligne", sa.Integer),
    sa.Index("ix_lignes_budget_demande", "demande_id"),
)


def url_par_defaut() -> str:
    """EVALUATION_BASE si elle est définie, sinon le fichier SQLite sous donnees/."""
    return os.environ.get(VARIABLE_BASE) or f"sqlite:///{FICHIER_BASE}"


def url_masquee(url: str) -> str:
    """L'URL d'une base sans son mot de passe, pour un message."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(URL illisible)"


def creer_moteur(url: str | None = None) -> Engine:
    """Moteur SQLAlchemy prêt à l'emploi ; les tables sont créées au premier usage.

    SQLite : mode WAL (les lectures ne bloquent pas l'écriture), attente de 30 s quand
    un autre processus écrit, clés étrangères appliquées ; le fichier, son journal WAL et sa
    mémoire partagée ne sont lisibles que par leur propriétaire (0600).
    """
    url = url or url_par_defaut()
    if url.startswith("sqlite"):
        chemin = sa.engine.make_url(url).database
        fichier = None
        if chemin and chemin != ":memory:" and not chemin.startswith("file:"):
            fichier = Path(chemin)
            fichier.parent.mkdir(parents=True, exist_ok=True)
            _fichiers_prives(fichier)
        moteur = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(moteur, "connect")
        def _reglages_sqlite(connexion_dbapi, _):
            # pysqlite n'ouvre la transaction qu'au premier INSERT/UPDATE : les lectures qui
            # précèdent n'en feraient pas partie. SQLAlchemy émet donc BEGIN lui-même.
            connexion_dbapi.isolation_level = None
            curseur = connexion_dbapi.cursor()
            curseur.execute("PRAGMA journal_mode=WAL")
            curseur.execute("PRAGMA busy_timeout=30000")
            curseur.execute("PRAGMA foreign_keys=ON")
            curseur.close()
            if fichier is not None:
                _fichiers_prives(fichier)

        @sa.event.listens_for(moteur, "begin")
        def _debut_sqlite(connexion):
            connexion.exec_driver_sql("BEGIN")

    else:
        moteur = sa.create_engine(url, pool_pre_ping=True)
    metadonnees.create_all(moteur)
    _ajouter_colonnes_manquantes(moteur)
    return moteur


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


def _ajouter_colonnes_manquantes(moteur: Engine) -> None:
    """Une base créée par une version précédente reçoit les colonnes ajoutées depuis (celles
    qui peuvent l'être sans rien perdre : vides permises, ou valeur par défaut)."""
    inspecteur = sa.inspect(moteur)
    existantes = set(inspecteur.get_table_names())
    for table in metadonnees.sorted_tables:
        if table.name not in existantes:
            continue
        presentes = {c["name"] for c in inspecteur.get_columns(table.name)}
        for colonne in table.columns:
            if colonne.name in presentes:
                continue
            if not (colonne.nullable or colonne.server_default is not None):
                raise RuntimeError(
                    f"La base ne peut pas recevoir la colonne {table.name}.{colonne.name} "
                    "sans valeur par défaut : migration à écrire."
                )
            type_sql = colonne.type.compile(dialect=moteur.dialect)
            defaut = ""
            if colonne.server_default is not None:
                valeur = colonne.server_default.arg
                texte = (
                    valeur.compile(dialect=moteur.dialect)
                    if hasattr(valeur, "compile")
                    else f"'{valeur}'"
                )
                defaut = f" NOT NULL DEFAULT {texte}"
            with moteur.begin() as connexion:
                connexion.exec_driver_sql(
                    f"ALTER TABLE {table.name} ADD COLUMN {colonne.name} {type_sql}{defaut}"
                )


@contextlib.contextmanager
def ecriture(moteur: Engine, *tables: sa.Table) -> Iterator[Connection]:
    """Une transaction d'écriture qui réserve l'écriture dès son début : ce qu'elle lit
    ne peut plus changer sous elle avant qu'elle écrive (lire puis écrire sans perdre la
    modification d'un autre).

    SQLite : le verrou d'écriture est pris tout de suite (les autres écrivains attendent,
    jusqu'au délai de la base). PostgreSQL : `tables` sont verrouillées en écriture (les
    lectures continuent) ; sans table, les verrous de ligne de l'appelant suffisent."""
    with moteur.begin() as connexion:
        if connexion.dialect.name == "sqlite":
            connexion.execute(sa.text("UPDATE journal SET id = id WHERE 0 = 1"))
        else:
            for table in tables:
                connexion.execute(sa.text(f"LOCK TABLE {table.name} IN SHARE ROW EXCLUSIVE MODE"))
        yield connexion


# --- Appels ----------------------------------------------------------------------------


def enregistrer_appel(appel: Appel, *, connexion: Connection) -> None:
    """Enregistre (ou remplace) la configuration d'un appel."""
    existe = connexion.execute(sa.select(appels.c.id).where(appels.c.id == appel.id)).first()
    valeurs = {
        "nom": appel.nom,
        "configuration_toml": appel.source_toml,
        "enregistre_le": maintenant(),
    }
    if existe:
        connexion.execute(
            appels.update()
            .where(appels.c.id == appel.id)
            .values(**valeurs, version=appels.c.version + 1)
        )
    else:
        connexion.execute(appels.insert().values(id=appel.id, version=1, **valeurs))


def lire_appel(appel_id: str, *, connexion: Connection) -> dict | None:
    """L'appel stocké (id, nom, configuration_toml, enregistre_le, archive), ou None."""
    ligne = connexion.execute(sa.select(appels).where(appels.c.id == appel_id)).first()
    return dict(ligne._mapping) if ligne else None


def appels_archives(*, connexion: Connection) -> set[str]:
    return set(connexion.scalars(sa.select(appels.c.id).where(appels.c.archive)))


def marquer_archive(appel_id: str, archive: bool, *, connexion: Connection) -> None:
    connexion.execute(appels.update().where(appels.c.id == appel_id).values(archive=archive))


def compter_evaluations(appel_id: str, *, connexion: Connection) -> int:
    """Évaluations stockées (brouillons compris) de l'appel."""
    requete = (
        sa.select(sa.func.count())
        .select_from(evaluations)
        .where(evaluations.c.appel_id == appel_id)
    )
    return int(connexion.execute(requete).scalar_one())


def lire_appels(*, connexion: Connection) -> list[tuple[str, str, str]]:
    """(id, nom, configuration TOML) de chaque appel enregistré, par id."""
    lignes = connexion.execute(
        sa.select(appels.c.id, appels.c.nom, appels.c.configuration_toml).order_by(appels.c.id)
    )
    return [tuple(ligne) for ligne in lignes]


# --- Demandes ---------------------------------------------------------------------------


def _retirees(appel_id: str):
    """Les identifiants des demandes retirées (désistement) de l'appel, en sous-requête."""
    return sa.select(demandes.c.id).where(
        demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_not(None)
    )


def numeros_demandes(appel_id: str, *, connexion: Connection) -> set[str]:
    requete = sa.select(demandes.c.no_demande).where(demandes.c.appel_id == appel_id)
    return set(connexion.scalars(requete))


def compter_demandes(appel_id: str, *, connexion: Connection) -> int:
    """Les demandes actives de l'appel (sans les retirées par désistement)."""
    requete = (
        sa.select(sa.func.count())
        .select_from(demandes)
        .where(demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_(None))
    )
    return connexion.scalar(requete) or 0


def demandes_existantes(appel_id: str, *, connexion: Connection) -> dict[str, dict]:
    """Les demandes stockées de l'appel, par numéro, avec leurs lignes de budget."""
    resultat: dict[str, dict] = {}
    requete = sa.select(demandes).where(demandes.c.appel_id == appel_id)
    par_id = {}
    for ligne in connexion.execute(requete).mappings():
        d = dict(ligne)
        d["lignes_budget"] = []
        resultat[d["no_demande"]] = d
        par_id[d["id"]] = d
    if par_id:
        requete = (
            sa.select(lignes_budget)
            .join(demandes, demandes.c.id == lignes_budget.c.demande_id)
            .where(demandes.c.appel_id == appel_id)
            .order_by(lignes_budget.c.id)
        )
        for ligne in connexion.execute(requete).mappings():
            par_id[ligne["demande_id"]]["lignes_budget"].append(dict(ligne))
    return resultat


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


def creer_importation(journal: dict, *, connexion: Connection) -> int:
    """Inscrit une importation au journal ; renvoie son identifiant."""
    return connexion.execute(importations.insert().values(**journal)).inserted_primary_key[0]


def inserer_demandes(appel_id: str, lignes: list[dict], *, connexion: Connection) -> dict[str, int]:
    """Insère des demandes ; renvoie l'identifiant attribué à chaque numéro."""
    if not lignes:
        return {}
    _inserer_en_masse(
        demandes, [{"appel_id": appel_id, **ligne} for ligne in lignes], connexion=connexion
    )
    numeros = [ligne["no_demande"] for ligne in lignes]
    ids: dict[str, int] = {}
    for paquet in _par_paquets(numeros):
        requete = sa.select(demandes.c.no_demande, demandes.c.id).where(
            demandes.c.appel_id == appel_id, demandes.c.no_demande.in_(paquet)
        )
        ids.update({no: i for no, i in connexion.execute(requete)})
    return ids


def mettre_a_jour_demandes(lignes: list[dict], *, connexion: Connection) -> None:
    """Met à jour des demandes en place (même identifiant : ce qui s'y rattache reste).

    Chaque ligne ne porte que les champs à changer ; les lignes sont groupées par jeu de
    champs, une requête par groupe."""
    groupes: dict[tuple[str, ...], list[dict]] = {}
    for ligne in lignes:
        groupes.setdefault(tuple(sorted(c for c in ligne if c != "id")), []).append(ligne)
    for colonnes, groupe in groupes.items():
        requete = (
            demandes.update()
            .where(demandes.c.id == sa.bindparam("_id"))
            .values({c: sa.bindparam(c) for c in colonnes})
        )
        connexion.execute(
            requete, [{"_id": ligne["id"], **{c: ligne[c] for c in colonnes}} for ligne in groupe]
        )


def remplacer_lignes_budget(
    lignes_par_demande: dict[int, list[dict]], *, connexion: Connection
) -> int:
    """Remplace les lignes de budget des demandes données ; renvoie le nombre inséré."""
    ids = list(lignes_par_demande)
    for paquet in _par_paquets(ids):
        connexion.execute(lignes_budget.delete().where(lignes_budget.c.demande_id.in_(paquet)))
    nouvelles = [
        {"demande_id": i, **ligne} for i, lignes in lignes_par_demande.items() for ligne in lignes
    ]
    _inserer_en_masse(lignes_budget, nouvelles, connexion=connexion)
    return len(nouvelles)


def lire_demandes(
    appel_id: str, *, connexion: Connection, avec_retirees: bool = False
) -> pd.DataFrame:
    """Les demandes de l'appel, une ligne chacune, colonnes nommées par leurs clés ; sans
    les demandes retirées (désistement), sauf `avec_retirees`."""
    requete = (
        sa.select(demandes).where(demandes.c.appel_id == appel_id).order_by(demandes.c.no_demande)
    )
    if not avec_retirees:
        requete = requete.where(demandes.c.retiree_le.is_(None))
    lignes = connexion.execute(requete).mappings().all()
    colonnes = [c.name for c in demandes.columns]
    return pd.DataFrame([dict(ligne) for ligne in lignes], columns=colonnes)


def lire_demande(demande_id: int, *, connexion: Connection) -> dict | None:
    ligne = connexion.execute(sa.select(demandes).where(demandes.c.id == demande_id)).mappings()
    premiere = ligne.first()
    return dict(premiere) if premiere else None


def lire_lignes_budget(
    appel_id: str, *, connexion: Connection, demande_id: int | None = None
) -> pd.DataFrame:
    """Les lignes de budget de l'appel, ou de la seule demande `demande_id`."""
    requete = (
        sa.select(demandes.c.no_demande, lignes_budget)
        .join(demandes, demandes.c.id == lignes_budget.c.demande_id)
        .where(demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_(None))
        .order_by(demandes.c.no_demande, lignes_budget.c.annee, lignes_budget.c.id)
    )
    if demande_id is not None:
        requete = requete.where(lignes_budget.c.demande_id == demande_id)
    lignes = connexion.execute(requete).mappings().all()
    colonnes = ["no_demande", *(c.name for c in lignes_budget.columns)]
    return pd.DataFrame([dict(ligne) for ligne in lignes], columns=colonnes)


def marquer_retrait(demande_id: int, valeurs: dict[str, object], *, connexion: Connection) -> None:
    """Inscrit (ou efface, valeurs None) le désistement d'une demande."""
    connexion.execute(demandes.update().where(demandes.c.id == demande_id).values(**valeurs))


def lire_importation(importation_id: int, *, connexion: Connection) -> dict | None:
    ligne = connexion.execute(
        sa.select(importations).where(importations.c.id == importation_id)
    ).mappings()
    premiere = ligne.first()
    return dict(premiere) if premiere else None


def donnees_rattachees(ids: Sequence[int], *, connexion: Connection) -> dict[str, set[int]]:
    """Pour des demandes : celles qui ont une évaluation, une décision ou un montant
    recommandé modifié (ce qu'un retrait d'importation ferait disparaître)."""
    resultat: dict[str, set[int]] = {"évaluation": set(), "décision": set(), "montant": set()}
    for paquet in _par_paquets(list(ids)):
        for cle, table in (
            ("évaluation", evaluations),
            ("décision", decisions),
            ("montant", montants_recommandes),
        ):
            requete = sa.select(table.c.demande_id).where(table.c.demande_id.in_(paquet))
            resultat[cle].update(int(i) for i in connexion.scalars(requete))
    return resultat


def supprimer_demandes(ids: Sequence[int], *, connexion: Connection) -> None:
    """Supprime des demandes et ce qui s'y rattache (lignes de budget, attributions,
    conflits, consultations) ; le journal, lui, reste."""
    for paquet in _par_paquets(list(ids)):
        for table in (lignes_budget, attributions, conflits, consultations):
            connexion.execute(table.delete().where(table.c.demande_id.in_(paquet)))
        connexion.execute(demandes.delete().where(demandes.c.id.in_(paquet)))


def marquer_importation_retiree(
    importation_id: int, valeurs: dict[str, object], *, connexion: Connection
) -> None:
    connexion.execute(
        importations.update().where(importations.c.id == importation_id).values(**valeurs)
    )


def lire_importations(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    requete = (
        sa.select(importations)
        .where(importations.c.appel_id == appel_id)
        .order_by(importations.c.id.desc())
    )
    lignes = connexion.execute(requete).mappings().all()
    return pd.DataFrame(
        [dict(ligne) for ligne in lignes], columns=[c.name for c in importations.columns]
    )


def maintenant() -> dt.datetime:
    """L'heure locale à la seconde, pour les horodatages du journal."""
    return dt.datetime.now().replace(microsecond=0)


def finaliser_importation(importation_id: int, valeurs: dict, *, connexion: Connection) -> None:
    """Complète l'entrée du journal une fois les écritures faites (même transaction)."""
    connexion.execute(
        importations.update().where(importations.c.id == importation_id).values(**valeurs)
    )


# --- Comptes ------------------------------------------------------------------------------


def creer_compte(valeurs: dict, *, connexion: Connection) -> None:
    instant = maintenant()
    connexion.execute(comptes.insert().values(**valeurs, cree_le=instant, modifie_le=instant))


def lire_compte(courriel: str, *, connexion: Connection) -> dict | None:
    ligne = connexion.execute(sa.select(comptes).where(comptes.c.courriel == courriel)).first()
    return dict(ligne._mapping) if ligne else None


def lire_comptes(*, connexion: Connection) -> list[dict]:
    requete = sa.select(comptes).order_by(comptes.c.role, comptes.c.courriel)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def modifier_compte(courriel: str, valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(
        comptes.update()
        .where(comptes.c.courriel == courriel)
        .values(**valeurs, modifie_le=maintenant())
    )


def inscrire_tentative(
    courriel: str, date: dt.datetime, reussie: bool, *, connexion: Connection
) -> None:
    connexion.execute(
        tentatives_connexion.insert().values(courriel=courriel, date=date, reussie=reussie)
    )


def echecs_depuis_derniere_reussite(
    courriel: str, *, connexion: Connection, limite: int = 50
) -> list[dt.datetime]:
    """Dates des dernières tentatives manquées, depuis la dernière connexion réussie."""
    requete = (
        sa.select(tentatives_connexion.c.date, tentatives_connexion.c.reussie)
        .where(tentatives_connexion.c.courriel == courriel)
        .order_by(tentatives_connexion.c.date.desc(), tentatives_connexion.c.id.desc())
        .limit(limite)
    )
    echecs = []
    for date, reussie in connexion.execute(requete):
        if reussie:
            break
        echecs.append(date)
    return echecs


# --- Évaluations ------------------------------------------------------------------------


def id_demande(appel_id: str, no_demande: str, *, connexion: Connection) -> int | None:
    requete = sa.select(demandes.c.id).where(
        demandes.c.appel_id == appel_id, demandes.c.no_demande == no_demande
    )
    return connexion.scalar(requete)


def lire_evaluation(
    demande_id: int, evaluateur: str, *, connexion: Connection, verrouiller: bool = False
) -> dict | None:
    """L'évaluation et ses notes ({critère: (note, commentaire)}) ; `verrouiller` la réserve
    pour la transaction en cours (SELECT ... FOR UPDATE là où la base le permet)."""
    requete = sa.select(evaluations).where(
        evaluations.c.demande_id == demande_id, evaluations.c.evaluateur == evaluateur
    )
    if verrouiller:
        requete = requete.with_for_update()
    ligne = connexion.execute(requete).mappings().first()
    if ligne is None:
        return None
    evaluation = dict(ligne)
    requete = sa.select(notes.c.critere, notes.c.note, notes.c.commentaire).where(
        notes.c.evaluation_id == evaluation["id"]
    )
    evaluation["notes"] = {c: (n, m) for c, n, m in connexion.execute(requete)}
    return evaluation


def ecrire_evaluation(
    valeurs: dict, notes_par_critere: dict, evaluation_id: int | None, *, connexion: Connection
) -> int:
    """Crée ou remplace une évaluation et ses notes ; renvoie son identifiant."""
    if evaluation_id is None:
        evaluation_id = connexion.execute(
            evaluations.insert().values(**valeurs)
        ).inserted_primary_key[0]
    else:
        connexion.execute(
            evaluations.update().where(evaluations.c.id == evaluation_id).values(**valeurs)
        )
        connexion.execute(notes.delete().where(notes.c.evaluation_id == evaluation_id))
    if notes_par_critere:
        connexion.execute(
            notes.insert(),
            [
                {"evaluation_id": evaluation_id, "critere": c, "note": n, "commentaire": m}
                for c, (n, m) in notes_par_critere.items()
            ],
        )
    return evaluation_id


def ligne_journal(
    date: dt.datetime,
    auteur: str,
    objet: str,
    ancien: str | None,
    nouveau: str | None,
    *,
    appel_id: str | None = None,
    demande_id: int | None = None,
    evaluateur: str | None = None,
    version: int | None = None,
) -> dict:
    """Une ligne du journal, chaque colonne nommée (celles qui ne s'appliquent pas : None).
    `version` : celle de l'objet après le changement, quand l'objet en porte une."""
    return {
        "date": date,
        "auteur": auteur,
        "appel_id": appel_id,
        "demande_id": demande_id,
        "evaluateur": evaluateur,
        "objet": objet,
        "ancien": ancien,
        "nouveau": nouveau,
        "version": version,
    }


def inscrire_journal(lignes: list[dict], *, connexion: Connection) -> None:
    if lignes:
        connexion.execute(journal.insert(), lignes)


def lire_journal(
    *,
    connexion: Connection,
    demande_id: int | None = None,
    appel_id: str | None = None,
    objets: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Le journal dans l'ordre d'écriture ; `appel_id` garde l'appel et ce qui n'appartient
    à aucun appel (les comptes) ; `objets` ne garde que ces objets."""
    requete = sa.select(journal).order_by(journal.c.id)
    if objets is not None:
        requete = requete.where(journal.c.objet.in_(list(objets)))
    if demande_id is not None:
        requete = requete.where(journal.c.demande_id == demande_id)
    if appel_id is not None:
        requete = requete.where(
            sa.or_(journal.c.appel_id == appel_id, journal.c.appel_id.is_(None))
        )
    lignes = connexion.execute(requete).mappings().all()
    # dtype objet : une valeur absente reste None (pas NaN) dans « ancien » et « nouveau ».
    return pd.DataFrame(
        [dict(ligne) for ligne in lignes], columns=[c.name for c in journal.columns], dtype=object
    )


def journal_depuis_version(
    version: int,
    *,
    connexion: Connection,
    appel_id: str,
    demande_id: int | None = None,
    evaluateur: str | None = None,
) -> list[dict]:
    """Les lignes du journal d'un objet versionné (une évaluation : demande et évaluateur ;
    la configuration d'un appel : ni l'un ni l'autre) écrites après `version`."""
    requete = (
        sa.select(journal)
        .where(journal.c.appel_id == appel_id, journal.c.version > version)
        .order_by(journal.c.id)
    )
    for colonne, valeur in ((journal.c.demande_id, demande_id), (journal.c.evaluateur, evaluateur)):
        requete = requete.where(colonne.is_(None) if valeur is None else colonne == valeur)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def noms_des_comptes(*, connexion: Connection) -> dict[str, str]:
    """Courriel → nom affiché, pour dire qui a fait un changement."""
    requete = sa.select(comptes.c.courriel, comptes.c.nom)
    return {c: n or c for c, n in connexion.execute(requete)}


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


def lire_notes(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    """Chaque note stockée : no_demande, evaluateur, critere, note, statut, date."""
    requete = (
        sa.select(
            demandes.c.no_demande,
            evaluations.c.evaluateur,
            notes.c.critere,
            notes.c.note,
            evaluations.c.statut,
            evaluations.c.modifie_le.label("date"),
        )
        .join(evaluations, evaluations.c.id == notes.c.evaluation_id)
        .join(demandes, demandes.c.id == evaluations.c.demande_id)
        .where(evaluations.c.appel_id == appel_id, demandes.c.retiree_le.is_(None))
        .order_by(demandes.c.no_demande, evaluations.c.evaluateur, notes.c.critere)
    )
    lignes = connexion.execute(requete).mappings().all()
    colonnes = ["no_demande", "evaluateur", "critere", "note", "statut", "date"]
    return pd.DataFrame([dict(ligne) for ligne in lignes], columns=colonnes, dtype=object)


# --- Attributions, conflits, réglages de l'évaluation ---------------------------------


def lire_reglages_evaluation(appel_id: str, *, connexion: Connection) -> dict | None:
    requete = sa.select(reglages_evaluation).where(reglages_evaluation.c.appel_id == appel_id)
    ligne = connexion.execute(requete).mappings().first()
    return dict(ligne) if ligne else None


def ecrire_reglages_evaluation(appel_id: str, valeurs: dict, *, connexion: Connection) -> None:
    table = reglages_evaluation
    if lire_reglages_evaluation(appel_id, connexion=connexion) is None:
        connexion.execute(table.insert().values(appel_id=appel_id, **valeurs))
    else:
        connexion.execute(table.update().where(table.c.appel_id == appel_id).values(**valeurs))


def lire_attributions(appel_id: str, *, connexion: Connection) -> list[tuple[int, str]]:
    """(demande_id, evaluateur) de chaque attribution stockée de l'appel."""
    requete = (
        sa.select(attributions.c.demande_id, attributions.c.evaluateur)
        .where(
            attributions.c.appel_id == appel_id,
            attributions.c.demande_id.not_in(_retirees(appel_id)),
        )
        .order_by(attributions.c.demande_id, attributions.c.evaluateur)
    )
    return [(int(d), e) for d, e in connexion.execute(requete)]


def ajouter_attributions(lignes: list[dict], *, connexion: Connection) -> None:
    if lignes:
        connexion.execute(attributions.insert(), lignes)


def retirer_attributions(paires: Iterable[tuple[int, str]], *, connexion: Connection) -> None:
    for demande_id, evaluateur in paires:
        connexion.execute(
            attributions.delete().where(
                attributions.c.demande_id == demande_id, attributions.c.evaluateur == evaluateur
            )
        )


def lire_conflits(appel_id: str, *, connexion: Connection) -> list[dict]:
    requete = (
        sa.select(conflits)
        .where(conflits.c.appel_id == appel_id)
        .order_by(conflits.c.demande_id, conflits.c.evaluateur)
    )
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def ajouter_conflit(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(conflits.insert().values(**valeurs))


def retirer_conflit(demande_id: int, evaluateur: str, *, connexion: Connection) -> None:
    connexion.execute(
        conflits.delete().where(
            conflits.c.demande_id == demande_id, conflits.c.evaluateur == evaluateur
        )
    )


def lire_consultation(
    demande_id: int, evaluateur: str, *, connexion: Connection
) -> dt.datetime | None:
    """Quand l'évaluateur a reçu pour la première fois les notes des autres, ou None."""
    requete = sa.select(consultations.c.date).where(
        consultations.c.demande_id == demande_id, consultations.c.evaluateur == evaluateur
    )
    return connexion.scalar(requete)


def ajouter_consultation(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(consultations.insert().values(**valeurs))


def marquer_apres_consultation(evaluation_id: int, *, connexion: Connection) -> None:
    connexion.execute(
        evaluations.update()
        .where(evaluations.c.id == evaluation_id)
        .values(modifiee_apres_consultation=True)
    )


def lire_evaluations(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    """Chaque évaluation de l'appel (sans ses notes) : demande_id, evaluateur, statut, dates."""
    colonnes = [
        "id",
        "demande_id",
        "evaluateur",
        "statut",
        "admissible",
        "raison_inadmissibilite",
        "commentaire_global",
        "version",
        "modifie_le",
        "soumise_le",
        "modifiee_apres_consultation",
    ]
    requete = sa.select(*(evaluations.c[c] for c in colonnes)).where(
        evaluations.c.appel_id == appel_id, evaluations.c.demande_id.not_in(_retirees(appel_id))
    )
    return _en_table(requete, colonnes, connexion).astype(object)


# --- Financement et décisions -----------------------------------------------------------


def _dernieres(table: sa.Table, appel_id: str, cles: list[str], connexion: Connection) -> list:
    """La dernière ligne (plus grand id) de chaque groupe `cles` pour l'appel."""
    dernier = (
        sa.select(sa.func.max(table.c.id).label("id"))
        .where(table.c.appel_id == appel_id)
        .where(
            table.c.demande_id.not_in(_retirees(appel_id)) if "demande_id" in table.c else sa.true()
        )
        .group_by(*(table.c[c] for c in cles))
        .subquery()
    )
    requete = sa.select(table).join(dernier, dernier.c.id == table.c.id).order_by(table.c.id)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def lignes_depuis(
    table: sa.Table, apres_id: int, *, connexion: Connection, **egalites: object
) -> list[dict]:
    """Les lignes d'une table en ajout seul (montants, décisions, pondérations) écrites après
    la ligne `apres_id`, pour les colonnes `egalites` données ; l'identifiant de la dernière
    est la version de ce qu'elles décrivent."""
    requete = sa.select(table).where(table.c.id > apres_id).order_by(table.c.id)
    for colonne, valeur in egalites.items():
        requete = requete.where(table.c[colonne] == valeur)
    return [dict(ligne) for ligne in connexion.execute(requete).mappings()]


def derniere_ligne(table: sa.Table, *, connexion: Connection, **egalites: object) -> int:
    """L'identifiant de la dernière ligne (0 s'il n'y en a aucune) : la version."""
    requete = sa.select(sa.func.max(table.c.id))
    for colonne, valeur in egalites.items():
        requete = requete.where(table.c[colonne] == valeur)
    return int(connexion.scalar(requete) or 0)


def lire_montants_recommandes(appel_id: str, *, connexion: Connection) -> list[dict]:
    return _dernieres(montants_recommandes, appel_id, ["demande_id", "annee"], connexion)


def ajouter_montant_recommande(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(montants_recommandes.insert().values(**valeurs))


def lire_decisions(appel_id: str, *, connexion: Connection) -> list[dict]:
    return _dernieres(decisions, appel_id, ["demande_id"], connexion)


def ajouter_decision(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(decisions.insert().values(**valeurs))


def lire_ponderation(appel_id: str, *, connexion: Connection) -> dict | None:
    lignes = _dernieres(ponderations, appel_id, ["appel_id"], connexion)
    return lignes[-1] if lignes else None


def ajouter_ponderation(valeurs: dict, *, connexion: Connection) -> None:
    connexion.execute(ponderations.insert().values(**valeurs))


def inserer_evaluations_en_masse(
    lignes: list[dict], notes_par_evaluation: list[tuple], *, connexion: Connection
) -> None:
    """Écrit d'un coup des évaluations et leurs notes (demande_id, evaluateur, critère,
    note) : pour constituer une base de mesure ou de démonstration. Ne journalise rien ;
    le chemin des personnes reste evaluations.enregistrer."""
    _inserer_en_masse(evaluations, lignes, connexion=connexion)
    appels = {ligne["appel_id"] for ligne in lignes}
    requete = sa.select(evaluations.c.id, evaluations.c.demande_id, evaluations.c.evaluateur)
    requete = requete.where(evaluations.c.appel_id.in_(appels))
    ids = {(int(d), e): int(i) for i, d, e in connexion.execute(requete)}
    _inserer_en_masse(
        notes,
        [
            {"evaluation_id": ids[(int(d), e)], "critere": c, "note": n, "commentaire": None}
            for d, e, c, n in notes_par_evaluation
        ],
        connexion=connexion,
    )


def _en_table(requete, colonnes: list[str], connexion: Connection) -> pd.DataFrame:
    """Le résultat d'une requête en DataFrame, par tuples : construire le DataFrame depuis
    les objets Row de SQLAlchemy coûtait dix fois plus sur 400 000 lignes."""
    lignes = connexion.execute(requete).all()
    return pd.DataFrame.from_records([tuple(r) for r in lignes], columns=colonnes)


def lire_notes_soumises(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    """Les notes des évaluations soumises : demande_id, evaluateur, critere, note (ce dont
    le classement a besoin, sans jointure sur les demandes)."""
    requete = (
        sa.select(evaluations.c.demande_id, evaluations.c.evaluateur, notes.c.critere, notes.c.note)
        .join(evaluations, evaluations.c.id == notes.c.evaluation_id)
        .where(
            evaluations.c.appel_id == appel_id,
            evaluations.c.statut == "soumise",
            evaluations.c.demande_id.not_in(_retirees(appel_id)),
        )
    )
    return _en_table(requete, ["demande_id", "evaluateur", "critere", "note"], connexion)


def empreinte(appel_id: str, *, connexion: Connection) -> tuple:
    """Ce qui change dès qu'une donnée de l'appel change : le dernier changement journalisé
    (notes, attributions, conflits, comptes, montants, décisions, pondérations, réglages) et
    la dernière importation. Sert de clé de cache aux pages."""
    return (
        connexion.scalar(sa.select(sa.func.max(journal.c.id))),
        connexion.scalar(
            sa.select(sa.func.max(importations.c.id)).where(importations.c.appel_id == appel_id)
        ),
        connexion.scalar(sa.select(sa.func.count(demandes.c.id))),
    )


def lire_notes_completes(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    """Chaque note de chaque évaluation (tous statuts), avec son commentaire : demande_id,
    evaluateur, critere, note, commentaire."""
    requete = (
        sa.select(
            evaluations.c.demande_id,
            evaluations.c.evaluateur,
            notes.c.critere,
            notes.c.note,
            notes.c.commentaire,
        )
        .join(evaluations, evaluations.c.id == notes.c.evaluation_id)
        .where(
            evaluations.c.appel_id == appel_id,
            evaluations.c.demande_id.not_in(_retirees(appel_id)),
        )
    )
    return _en_table(
        requete, ["demande_id", "evaluateur", "critere", "note", "commentaire"], connexion
    )
