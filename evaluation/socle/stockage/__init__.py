"""Le stockage : schéma, moteur et transactions, lectures et écritures rangées par sujet.

SQLite (un fichier sous donnees/) par défaut ; toute URL SQLAlchemy par la variable
d'environnement EVALUATION_BASE ou l'option --base. C'est le seul paquet qui importe
sqlalchemy (contrat vérifié par import-linter) ; les fonctions reçoivent la connexion en
argument nommé, et c'est l'appelant qui tient la transaction. Le paquet expose tout ce que
ses modules définissent : `stockage.lire_demandes(...)`, d'où qu'on l'appelle.
"""

from evaluation.socle.stockage import schema
from evaluation.socle.stockage.admissibilite import (  # noqa: F401
    ajouter_examen,
    ajouter_examens_en_masse,
    ajouter_signalement,
    lire_examen,
    lire_examens,
    lire_historique_examens,
    lire_signalement,
    lire_signalements,
    regler_signalement,
)
from evaluation.socle.stockage.appels import (  # noqa: F401
    appels_archives,
    compter_evaluations,
    compter_evaluations_soumises,
    enregistrer_appel,
    lire_appel,
    lire_appels,
    marquer_archive,
)
from evaluation.socle.stockage.apres_decision import (  # noqa: F401
    ajouter_convention,
    ajouter_rapport,
    ajouter_versement,
    lire_conventions,
    lire_rapports,
    lire_versements,
)
from evaluation.socle.stockage.attributions import (  # noqa: F401
    ajouter_attributions,
    ajouter_conflit,
    ecrire_reglages_evaluation,
    lire_attributions,
    lire_conflits,
    lire_reglages_evaluation,
    retirer_attributions,
    retirer_conflit,
)
from evaluation.socle.stockage.comite import (  # noqa: F401
    ajouter_consensus,
    ajouter_declaration,
    lire_conflits_de_la_demande,
    lire_consensus,
    lire_declarations,
    lire_historique_consensus,
)
from evaluation.socle.stockage.comptes import (  # noqa: F401
    creer_compte,
    echecs_depuis_derniere_reussite,
    inscrire_tentative,
    lire_compte,
    lire_comptes,
    modifier_compte,
    noms_des_comptes,
)
from evaluation.socle.stockage.conservation import (  # noqa: F401
    OBJET_PURGE,
    appliquer_purge,
    demandes_purgees,
    effacer_versions_mortes,
    lire_pour_purge,
)
from evaluation.socle.stockage.correspondances import (  # noqa: F401
    lire_correspondances,
    retenir_correspondance,
)
from evaluation.socle.stockage.demandes import (  # noqa: F401
    _retirees,
    compter_demandes,
    creer_importation,
    demandes_existantes,
    donnees_rattachees,
    finaliser_importation,
    id_demande,
    identites_demandes,
    inserer_demandes,
    libelles_a_confirmer,
    lire_demande,
    lire_demandes,
    lire_importation,
    lire_importations,
    lire_lignes_budget,
    marquer_importation_retiree,
    marquer_retrait,
    mettre_a_jour_demandes,
    neq_des_demandes,
    numeros_demandes,
    rattacher_categorie,
    remplacer_lignes_budget,
    sommes_budget,
    supprimer_demandes,
)
from evaluation.socle.stockage.evaluations import (  # noqa: F401
    COLONNES_EVALUATIONS,
    ajouter_consultation,
    ecrire_evaluation,
    inserer_evaluations_en_masse,
    lire_consultation,
    lire_evaluation,
    lire_evaluations,
    lire_notes,
    lire_notes_completes,
    lire_notes_soumises,
    lire_notes_soumises_par_jointure,
    marquer_apres_consultation,
    mettre_a_jour_resumes,
    notes_soumises_des_evaluations,
    resume_des_notes,
)
from evaluation.socle.stockage.evenements import configurer_journaux  # noqa: F401
from evaluation.socle.stockage.financement import (  # noqa: F401
    _dernieres,
    ajouter_bonification,
    ajouter_decision,
    ajouter_decisions_ministre,
    ajouter_montant_recommande,
    ajouter_ponderation,
    derniere_ligne,
    lignes_depuis,
    lire_bonifications,
    lire_decisions,
    lire_decisions_ministre,
    lire_historique_decisions,
    lire_historique_decisions_ministre,
    lire_montants_recommandes,
    lire_ponderation,
)
from evaluation.socle.stockage.journal import (  # noqa: F401
    inscrire_journal,
    journal_depuis_version,
    ligne_journal,
    lire_journal,
)
from evaluation.socle.stockage.lettres import (  # noqa: F401
    ajouter_modele_lettre,
    lire_modeles_lettres,
    version_modeles_lettres,
)
from evaluation.socle.stockage.migration import BaseInutilisable  # noqa: F401
from evaluation.socle.stockage.moteur import (  # noqa: F401
    FICHIER_BASE,
    VARIABLE_BASE,
    VARIABLE_POOL_DEBORDEMENT,
    VARIABLE_POOL_TAILLE,
    Moteur,
    _en_table,
    _fichiers_prives,
    _inserer_en_masse,
    _par_paquets,
    base_occupee,
    creer_moteur,
    ecriture,
    maintenant,
    reference_disparue,
    reglages_pool,
    sqlite_absente,
    url_masquee,
    url_par_defaut,
    version_donnees,
    versions_donnees,
)
from evaluation.socle.stockage.pieces import (  # noqa: F401
    ajouter_pieces,
    ids_par_numero,
    lire_contenu_piece,
    lire_piece,
    lire_pieces,
)
from evaluation.socle.stockage.reglages import (  # noqa: F401
    ajouter_confirmations,
    lire_confirmations,
    lire_ponderations,
)
from evaluation.socle.stockage.schema import (  # noqa: F401
    _CONTROLES,
    _TYPES_DEMANDE,
    _TYPES_LIGNE,
    CHAMPS_DEMANDE,
    CHAMPS_LIGNE,
    CHAMPS_MONTANT,
    Code,
    Texte,
    _nettoyage_colonne,
    _SansControles,
    _texte_sans_controles,
    appels,
    attributions,
    bonifications,
    comptes,
    compteur_ecritures,
    confirmations_reglages,
    conflits,
    consensus,
    consultations,
    conventions,
    correspondances_colonnes,
    decisions,
    decisions_ministre,
    declarations_comite,
    demandes,
    evaluations,
    examens_admissibilite,
    importations,
    journal,
    lignes_budget,
    metadonnees,
    modeles_lettres,
    montants_recommandes,
    notes,
    pieces_jointes,
    ponderations,
    rapports,
    reglages_evaluation,
    sans_controles,
    seance_discutees,
    seance_presences,
    seance_triage,
    signalements_admissibilite,
    tentatives_connexion,
    versements,
)
from evaluation.socle.stockage.seances import (  # noqa: F401
    ajouter_discutee,
    ajouter_presence,
    ajouter_triage,
    creer_seance,
    etat_courant,
    lire_discutees,
    lire_presences,
    lire_seance,
    lire_seance_ouverte,
    lire_seances,
    lire_triage,
    modifier_seance,
    retirer_presence,
)
from evaluation.socle.stockage.vues import (  # noqa: F401
    COLONNES_EVALUATION_EN_BREF,
    est_attribuee,
    lire_attributions_de,
    lire_conflits_de,
    lire_demandes_en_bref,
    lire_evaluations_de,
    lire_evaluations_en_bref,
    lire_notes_de_la_demande,
    lire_notes_en_colonnes,
)

# Le module `seances` (ci-dessus) porte le nom de sa table : importer le module a remplacé
# l'attribut du paquet ; `stockage.seances` reste la table, comme les autres.
seances = schema.seances
