"""Les champs d'une demande et d'une ligne de budget, tels que le stockage les garde : une
seule liste de noms, que le schéma type et que les règles (comparer, afficher, exporter)
parcourent sans dépendre de la base."""

# Les champs du formulaire, dans l'ordre de la fiche d'une demande.
CHAMPS_FORMULAIRE = (
    "objectifs",
    "echeancier",
    "retombees",
    "visibilite",
    "ressources_humaines",
    "capacite_financiere",
    "resolution",
)
CHAMPS_DEMANDE = (
    "no_demande",
    # Demandeur organisme (issue 18) : son nom et son NEQ ; `municipalite` et `region`
    # portent alors la municipalité et la région de son siège. Vides pour une entité
    # municipale.
    "organisme",
    "neq",
    "municipalite",
    "code_geographique",
    "region",
    "municipalites_partenaires",
    "projet_conjoint",
    "partenaires_etrangers",
    "pays",
    "titre",
    "resume",
    "axe",
    "secteur",
    "secteurs_secondaires",
    "date_debut",
    "date_fin",
    "cout_total",
    "montant_demande_an1",
    "montant_demande_an2",
    "contribution_demandeur",
    "cofinancement_externe",
    "autre_financement_gouvernemental",
    "dossier_complet",
    "budget_detaille",
    "engagement_rapport",
    "qualite_signataire",
    "courriel",
    # Date de dépôt : celle du fichier, sinon celle de l'importation (alors « présumée »).
    "date_depot",
    "date_depot_presumee",
    # Le formulaire de l'appel (issue 18) : ce que les critères d'évaluation lisent.
    *CHAMPS_FORMULAIRE,
    # Les dimensions que l'appel déclare ([[dimensions]]) : {id_dimension: [id_valeur, ...]},
    # toujours une liste, ids de valeurs canoniques (issue 18).
    "dimensions",
)
# Les montants, en cents.
CHAMPS_MONTANT = (
    "cout_total",
    "montant_demande_an1",
    "montant_demande_an2",
    "contribution_demandeur",
    "cofinancement_externe",
)
CHAMPS_LIGNE = ("annee", "categorie", "categorie_id", "admissible", "description", "montant")
