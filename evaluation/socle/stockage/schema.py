"""Le schéma : les tables, et les types de texte qui retirent les caractères de contrôle de
tout ce qui est écrit ou cherché."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa

from evaluation.socle import champs

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
    "organisme": Texte,
    # Numéro d'entreprise du Québec : dix chiffres, sans espace (`depot.valeurs.lire_neq`).
    "neq": Code(10),
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
    "date_depot": sa.Date,
    # Vrai quand le fichier ne donnait pas la date de dépôt : c'est celle de l'importation.
    "date_depot_presumee": sa.Boolean,
    # Le formulaire de l'appel (issue 18, migration 0017_formulaire).
    "objectifs": Texte,
    "echeancier": Texte,
    "retombees": Texte,
    "visibilite": Texte,
    "ressources_humaines": Texte,
    "capacite_financiere": Texte,
    "resolution": Texte,
    "dimensions": sa.JSON(none_as_null=True),
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
    # Conservation échue (issue 20, point 5) : quand la purge de l'appel a retiré les
    # renseignements personnels de la demande (vide : jamais). Voir evaluation.depot.conservation.
    sa.Column("renseignements_retires_le", sa.DateTime),
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
    # L'organisme (NEQ) auquel l'évaluateur est rattaché : conflit d'intérêts évident avec
    # les demandes de cet organisme (appel dont le demandeur est un organisme, issue 18).
    sa.Column("neq", Code(10)),
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
    # Les notes de l'évaluation en une ligne de texte (`stockage.evaluations.resume_des_notes`),
    # écrite avec elles : le classement lit 60 000 évaluations au lieu de 360 000 notes. La
    # table notes reste la référence (commentaires par critère, exportations).
    sa.Column("notes_resumees", Texte),
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


# La version des données : chaque transaction d'écriture (`moteur.ecriture`) l'augmente de un
# juste avant de valider, dans la même transaction (ligne 1). Les pages la lisent avant les
# données pour garder un calcul tant qu'elle ne bouge pas, quel que soit le serveur qui écrit :
# contrairement au plus grand identifiant d'une table, elle ne peut pas être dépassée par une
# transaction plus récente validée avant une plus ancienne. La ligne 2 (VERSION_LOURDE) ne
# bouge pas pour une écriture qui ne touche que décisions, montants recommandés et
# pondérations : les demandes et les notes lues restent gardées pendant une séance.
VERSION_GLOBALE = 1
VERSION_LOURDE = 2
compteur_ecritures = sa.Table(
    "compteur_ecritures",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("valeur", sa.BigInteger, nullable=False),
)


def valeur_initiale_du_compteur() -> int:
    """Un départ tiré au hasard : une autre base (recréée, restaurée d'une autre) sous la même
    URL ne retombe pas sur les versions qu'un serveur en marche a déjà en cache."""
    return secrets.randbits(40)


@sa.event.listens_for(compteur_ecritures, "after_create")
def _premiere_version(table, connexion, **_) -> None:
    connexion.execute(
        table.insert(),
        [
            {"id": VERSION_GLOBALE, "valeur": valeur_initiale_du_compteur()},
            {"id": VERSION_LOURDE, "valeur": valeur_initiale_du_compteur()},
        ],
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


# Bonification d'un projet conjoint fixée par la présidence (par année, avec sa raison ; la
# dernière par demande compte ; sans ligne : 0 $). Issue 15.
bonifications = sa.Table(
    "bonifications",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("montant", sa.BigInteger, nullable=False),
    sa.Column("raison", Texte, nullable=False),
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


# Décisions du ministère (issue 17, point 1) : l'autorité (ou l'administration en son nom)
# approuve ou modifie la recommandation du comité (table `decisions`). En ajout seul, comme
# `decisions` : la dernière ligne d'une demande compte, l'historique reste. `autorite` : le
# nom de l'autorité tel que saisi ; `auteur` : le compte qui l'a inscrite ;
# `decision_comite_id` : la recommandation (ligne de `decisions`) sur laquelle elle porte.
decisions_ministre = sa.Table(
    "decisions_ministre",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("decision", Code(30), nullable=False),
    sa.Column("montant_an1", sa.BigInteger, nullable=False),
    sa.Column("montant_an2", sa.BigInteger, nullable=False),
    sa.Column("raison", Texte),
    sa.Column("autorite", Texte, nullable=False),
    sa.Column("decision_comite_id", sa.Integer),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Index("ix_decisions_ministre_appel", "appel_id", "demande_id"),
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
    # Un changement fait après la première évaluation soumise : sa raison écrite, et les
    # poids qu'il remplace (ceux du premier sont les « pondérations de l'appel »).
    sa.Column("raison", Texte),
    sa.Column("poids_avant", sa.JSON(none_as_null=True)),
    sa.Column("apres_notation", sa.Boolean, nullable=False, server_default=sa.false()),
)


# Réglages de l'appel (« comite », « interpretation ») confirmés par l'administration : une
# ligne par confirmation ; la dernière d'un chemin compte, et ne vaut que pour l'empreinte
# (valeur, source, lecture) qu'elle porte.
confirmations_reglages = sa.Table(
    "confirmations_reglages",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column("chemin", Texte, nullable=False),
    sa.Column("empreinte", Texte, nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Index("ix_confirmations_reglages_appel", "appel_id"),
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


# Examens d'admissibilité (issue 15) : chaque examen de l'analyste, renversement de la
# présidence ou règlement d'un signalement est une nouvelle ligne ; la dernière compte.
# `reponses` : {condition: {"reponse": "oui" | "non" | "à vérifier", "raison": …}}.
examens_admissibilite = sa.Table(
    "examens_admissibilite",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("nature", Code(20), nullable=False),
    sa.Column("verdict", Code(20), nullable=False),
    sa.Column("reponses", sa.JSON(none_as_null=True)),
    sa.Column("raison", Texte),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Index("ix_examens_admissibilite_demande", "demande_id"),
)


# Doutes d'un évaluateur sur l'admissibilité d'une demande, avec leur raison ; réglés par
# l'analyste ou la présidence (suite, raison, qui, quand).
signalements_admissibilite = sa.Table(
    "signalements_admissibilite",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("evaluateur", Texte, nullable=False),
    sa.Column("raison", Texte, nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("suite", Code(40)),
    sa.Column("raison_suite", Texte),
    sa.Column("regle_le", sa.DateTime),
    sa.Column("regle_par", Texte),
)


# --- Comité (issue 16, point 3) : déclarations d'intérêts et engagements de confidentialité --
# Une ligne par acceptation, datée : la présidence, les membres, les observateurs et
# l'administration acceptent, une fois par appel, la déclaration générale d'intérêts (avec
# les intérêts qu'ils déclarent) et l'engagement de confidentialité. `empreinte` : celle des
# textes acceptés (donnees/comite/declarations.toml) ; des textes changés se réacceptent.
# Les conflits d'une demande précise restent dans `conflits` (courriel ou nom de la personne).
declarations_comite = sa.Table(
    "declarations_comite",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column("courriel", Texte, nullable=False),
    sa.Column("role", Code(20), nullable=False),
    sa.Column("interets", Texte),
    sa.Column("empreinte", Code(64), nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Index("ix_declarations_comite_appel", "appel_id", "courriel"),
)


# --- Consensus (issue 16, point 4) -------------------------------------------------------
# La note de consensus que la présidence inscrit en séance, critère par critère, avec ses
# motifs. En ajout seul : chaque inscription ajoute une ligne par critère (mêmes motifs, même
# date) ; la dernière ligne d'un critère compte, l'historique reste. La version d'une demande
# (concurrence) est l'identifiant de sa dernière ligne, comme pour les décisions.
consensus = sa.Table(
    "consensus",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("critere", Code(100), nullable=False),
    sa.Column("note", sa.Float, nullable=False),
    sa.Column("justification", Texte, nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Index("ix_consensus_appel", "appel_id", "demande_id"),
)


# --- Modèles des lettres aux demandeurs (issue 17, point 2) ---------------------------------
# Le modèle DOCX qu'un appel emploie pour chaque genre de lettre, téléversé par
# l'administration. En ajout seul : la dernière ligne d'un genre compte ; `contenu` vide :
# retour au modèle livré (donnees/modeles-lettres/). Dans la base plutôt que dans un dossier :
# sauvegardé avec le reste, le même pour chaque serveur, journalisé dans la transaction.
modeles_lettres = sa.Table(
    "modeles_lettres",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column("genre", Code(30), nullable=False),
    sa.Column("nom_fichier", Texte),
    sa.Column("contenu", sa.LargeBinary),
    sa.Column("empreinte", Code(64)),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Index("ix_modeles_lettres_appel", "appel_id", "genre"),
)


# --- Séance du comité (issue 16, ordre du jour) -------------------------------------------
# Une séance par réunion : qui l'a ouverte et quand, l'ordre choisi, la demande en cours (que
# chaque écran suit), sa fermeture. `version` augmente à chaque changement de la ligne : un
# clic fait d'après un écran périmé (deux personnes à la présidence) est refusé.
seances = sa.Table(
    "seances",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column("ouverte_le", sa.DateTime, nullable=False),
    sa.Column("ouverte_par", Texte, nullable=False),
    sa.Column("fermee_le", sa.DateTime),
    sa.Column("fermee_par", Texte),
    sa.Column("ordre", Code(30), nullable=False),
    sa.Column("demande_courante", sa.Integer, sa.ForeignKey("demandes.id", ondelete="SET NULL")),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Index("ix_seances_appel", "appel_id"),
)


# Les présents : un compte (courriel), ou une personne sans compte (nom et fonction).
seance_presences = sa.Table(
    "seance_presences",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "seance_id", sa.Integer, sa.ForeignKey("seances.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("courriel", Texte),
    sa.Column("nom", Texte),
    sa.Column("fonction", Texte),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.CheckConstraint("courriel IS NOT NULL OR nom IS NOT NULL", name="ck_seance_presences_qui"),
    sa.Index("ix_seance_presences_seance", "seance_id"),
)


# Chaque fois qu'une demande devient la demande en cours d'une séance ouverte.
seance_discutees = sa.Table(
    "seance_discutees",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "seance_id", sa.Integer, sa.ForeignKey("seances.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("moment", sa.DateTime, nullable=False),
    sa.Index("ix_seance_discutees_seance", "seance_id"),
)


# Le tri : « non discutée » (suit le classement) ou « ramenée » ; en ajout seul, la dernière
# ligne d'une demande compte.
seance_triage = sa.Table(
    "seance_triage",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "seance_id", sa.Integer, sa.ForeignKey("seances.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("etat", Code(20), nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Index("ix_seance_triage_seance", "seance_id"),
)


# --- Après la décision (issue 17, point 4) : conventions, versements, rapports ------------
# En ajout seul, comme les décisions : la dernière ligne d'une demande compte pour la
# convention et le rapport ; chaque versement est une ligne. La version d'une demande
# (concurrence) est l'identifiant de sa dernière ligne dans chaque table.
# La convention signée : sa date, et l'échéance du rapport qu'elle fixe (vide : celle que
# calcule la règle, `decision.suivi_financier.echeance_rapport`).
conventions = sa.Table(
    "conventions",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("date_signature", sa.Date, nullable=False),
    sa.Column("echeance_rapport", sa.Date),
    sa.Column("note", Texte),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Index("ix_conventions_appel", "appel_id", "demande_id"),
)


# Un versement fait : l'année financière de l'appel (1, 2…), le montant versé (cents), sa
# date, et le montant prévu pour cette année au moment de l'inscription (pour mémoire).
versements = sa.Table(
    "versements",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("annee", sa.Integer, nullable=False),
    sa.Column("montant_prevu", sa.BigInteger, nullable=False),
    sa.Column("montant_verse", sa.BigInteger, nullable=False),
    sa.Column("date_versement", sa.Date, nullable=False),
    sa.Column("note", Texte),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Index("ix_versements_appel", "appel_id", "demande_id"),
)


# Le rapport financier et narratif reçu : sa date de réception, et l'échéance qui valait ce
# jour-là (pour mémoire : le réglage ou la convention peuvent changer ensuite).
rapports = sa.Table(
    "rapports",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("appel_id", Code(100), nullable=False),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("date_recu", sa.Date, nullable=False),
    sa.Column("echeance", sa.Date),
    sa.Column("note", Texte),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte, nullable=False),
    sa.Index("ix_rapports_appel", "appel_id", "demande_id"),
)


# --- Pièces jointes des demandes (issue 18, point 3) ---------------------------------------
# Les PDF d'une archive ZIP importée avec les demandes (résolution du conseil, lettres
# d'appui…), vérifiés par `evaluation.depot.pieces_jointes`. Dans la base plutôt que dans un
# dossier : plusieurs serveurs d'application partagent la base, pas leurs disques ; les
# pièces sont sauvegardées avec le reste et écrites dans la transaction qui les journalise.
# En ajout seul : une pièce réimportée sous le même nom avec un autre contenu ajoute une
# ligne (la dernière compte, l'ancienne reste) ; la même pièce, même empreinte, n'ajoute rien.
pieces_jointes = sa.Table(
    "pieces_jointes",
    metadonnees,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "demande_id", sa.Integer, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("nom_fichier", Texte, nullable=False),
    sa.Column("taille", sa.Integer, nullable=False),
    sa.Column("sha256", Code(64), nullable=False),
    sa.Column("contenu", sa.LargeBinary, nullable=False),
    sa.Column("importee_le", sa.DateTime, nullable=False),
    sa.Column("importee_par", Texte, nullable=False),
    sa.Index("ix_pieces_jointes_demande", "demande_id"),
)


# --- Correspondances de colonnes retenues (issue 19, point 7) ------------------------------
# La correspondance colonnes du fichier → champs du gabarit que l'analyste a décidée pour une
# forme de fichier (l'empreinte de l'ensemble de ses en-têtes normalisés,
# `evaluation.depot.correspondances.empreinte_entetes`), par appel : le fichier suivant de
# même forme la reprend d'avance. Écrite dans la transaction de l'importation qui l'a
# employée ; la dernière remplace la précédente.
correspondances_colonnes = sa.Table(
    "correspondances_colonnes",
    metadonnees,
    sa.Column("appel_id", Code(100), sa.ForeignKey("appels.id"), primary_key=True),
    sa.Column("empreinte", Code(64), primary_key=True),
    # Les en-têtes du fichier, tels qu'écrits : de quoi montrer la forme reconnue.
    sa.Column("entetes", sa.JSON(none_as_null=True), nullable=False),
    # En-tête → clé du gabarit.
    sa.Column("correspondance", sa.JSON(none_as_null=True), nullable=False),
    sa.Column("date", sa.DateTime, nullable=False),
    sa.Column("auteur", Texte),
    sa.Column("importation_id", sa.Integer),
)
