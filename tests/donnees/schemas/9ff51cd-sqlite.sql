-- Schéma créé par la version livrée 9ff51cd (metadonnees.create_all), avant Alembic.
-- Produit une fois depuis `git show 9ff51cd:evaluation/stockage.py` ; sert au test de
-- mise à jour en place (tests/socle/stockage/test_migration.py).
CREATE TABLE appels (
	id VARCHAR(100) NOT NULL, 
	nom TEXT NOT NULL, 
	configuration_toml TEXT NOT NULL, 
	enregistre_le DATETIME NOT NULL, 
	archive BOOLEAN DEFAULT 0 NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE comptes (
	id INTEGER NOT NULL, 
	courriel TEXT NOT NULL, 
	nom TEXT, 
	role VARCHAR(20) NOT NULL, 
	hache_mot_de_passe TEXT, 
	actif BOOLEAN NOT NULL, 
	municipalite TEXT, 
	region VARCHAR(2), 
	cree_le DATETIME NOT NULL, 
	modifie_le DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (courriel)
);
CREATE TABLE journal (
	id INTEGER NOT NULL, 
	date DATETIME NOT NULL, 
	auteur TEXT NOT NULL, 
	appel_id VARCHAR(100), 
	demande_id INTEGER, 
	evaluateur TEXT, 
	objet TEXT NOT NULL, 
	ancien TEXT, 
	nouveau TEXT, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_journal_demande ON journal (demande_id);
CREATE TABLE ponderations (
	id INTEGER NOT NULL, 
	appel_id VARCHAR(100) NOT NULL, 
	poids JSON NOT NULL, 
	date DATETIME NOT NULL, 
	auteur TEXT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE reglages_evaluation (
	appel_id VARCHAR(100) NOT NULL, 
	evaluateurs_par_demande INTEGER, 
	verrouille BOOLEAN NOT NULL, 
	decisions_verrouillees BOOLEAN DEFAULT 0 NOT NULL, 
	modifie_le DATETIME NOT NULL, 
	modifie_par TEXT NOT NULL, 
	PRIMARY KEY (appel_id)
);
CREATE TABLE tentatives_connexion (
	id INTEGER NOT NULL, 
	courriel TEXT NOT NULL, 
	date DATETIME NOT NULL, 
	reussie BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_tentatives_courriel_date ON tentatives_connexion (courriel, date);
CREATE TABLE importations (
	id INTEGER NOT NULL, 
	appel_id VARCHAR(100) NOT NULL, 
	date DATETIME NOT NULL, 
	auteur TEXT, 
	fichiers JSON NOT NULL, 
	lignes_valides_seulement BOOLEAN NOT NULL, 
	nb_creees INTEGER NOT NULL, 
	nb_mises_a_jour INTEGER NOT NULL, 
	nb_inchangees INTEGER NOT NULL, 
	nb_ecartees INTEGER NOT NULL, 
	nb_lignes_budget INTEGER NOT NULL, 
	rapport JSON NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(appel_id) REFERENCES appels (id)
);
CREATE TABLE demandes (
	id INTEGER NOT NULL, 
	appel_id VARCHAR(100) NOT NULL, 
	no_demande TEXT, 
	municipalite TEXT, 
	code_geographique VARCHAR(10), 
	region VARCHAR(2), 
	municipalites_partenaires TEXT, 
	projet_conjoint BOOLEAN, 
	partenaires_etrangers TEXT, 
	pays TEXT, 
	titre TEXT, 
	resume TEXT, 
	axe INTEGER, 
	secteur TEXT, 
	secteurs_secondaires TEXT, 
	date_debut DATE, 
	date_fin DATE, 
	cout_total BIGINT, 
	montant_demande_an1 BIGINT, 
	montant_demande_an2 BIGINT, 
	contribution_demandeur BIGINT, 
	cofinancement_externe BIGINT, 
	autre_financement_gouvernemental BOOLEAN, 
	dossier_complet BOOLEAN, 
	budget_detaille BOOLEAN, 
	engagement_rapport BOOLEAN, 
	qualite_signataire TEXT, 
	courriel TEXT, 
	colonnes_supplementaires JSON, 
	avertissements JSON, 
	source_fichier TEXT, 
	source_feuille TEXT, 
	source_ligne INTEGER, 
	importation_id INTEGER, 
	cree_le DATETIME NOT NULL, 
	modifie_le DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_demande_numero UNIQUE (appel_id, no_demande), 
	FOREIGN KEY(appel_id) REFERENCES appels (id), 
	FOREIGN KEY(importation_id) REFERENCES importations (id)
);
CREATE TABLE attributions (
	id INTEGER NOT NULL, 
	appel_id VARCHAR(100) NOT NULL, 
	demande_id INTEGER NOT NULL, 
	evaluateur TEXT NOT NULL, 
	date DATETIME NOT NULL, 
	auteur TEXT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_attribution UNIQUE (demande_id, evaluateur), 
	FOREIGN KEY(demande_id) REFERENCES demandes (id) ON DELETE CASCADE
);
CREATE TABLE conflits (
	id INTEGER NOT NULL, 
	appel_id VARCHAR(100) NOT NULL, 
	demande_id INTEGER NOT NULL, 
	evaluateur TEXT NOT NULL, 
	raison TEXT NOT NULL, 
	date DATETIME NOT NULL, 
	auteur TEXT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_conflit UNIQUE (demande_id, evaluateur), 
	FOREIGN KEY(demande_id) REFERENCES demandes (id) ON DELETE CASCADE
);
CREATE TABLE decisions (
	id INTEGER NOT NULL, 
	appel_id VARCHAR(100) NOT NULL, 
	demande_id INTEGER NOT NULL, 
	decision VARCHAR(30) NOT NULL, 
	montant_an1 BIGINT NOT NULL, 
	montant_an2 BIGINT NOT NULL, 
	justification TEXT, 
	date DATETIME NOT NULL, 
	auteur TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(demande_id) REFERENCES demandes (id) ON DELETE CASCADE
);
CREATE TABLE evaluations (
	id INTEGER NOT NULL, 
	appel_id VARCHAR(100) NOT NULL, 
	demande_id INTEGER NOT NULL, 
	evaluateur TEXT NOT NULL, 
	statut VARCHAR(20) NOT NULL, 
	commentaire_global TEXT, 
	admissible BOOLEAN, 
	raison_inadmissibilite TEXT, 
	admissibilite JSON, 
	version INTEGER NOT NULL, 
	cree_le DATETIME NOT NULL, 
	modifie_le DATETIME NOT NULL, 
	soumise_le DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_evaluation_demande_evaluateur UNIQUE (demande_id, evaluateur), 
	FOREIGN KEY(appel_id) REFERENCES appels (id), 
	FOREIGN KEY(demande_id) REFERENCES demandes (id) ON DELETE CASCADE
);
CREATE TABLE lignes_budget (
	id INTEGER NOT NULL, 
	demande_id INTEGER NOT NULL, 
	annee INTEGER, 
	categorie TEXT, 
	categorie_id TEXT, 
	admissible BOOLEAN, 
	description TEXT, 
	montant BIGINT, 
	colonnes_supplementaires JSON, 
	source_fichier TEXT, 
	source_ligne INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(demande_id) REFERENCES demandes (id) ON DELETE CASCADE
);
CREATE INDEX ix_lignes_budget_demande ON lignes_budget (demande_id);
CREATE TABLE montants_recommandes (
	id INTEGER NOT NULL, 
	appel_id VARCHAR(100) NOT NULL, 
	demande_id INTEGER NOT NULL, 
	annee INTEGER NOT NULL, 
	montant BIGINT NOT NULL, 
	raison TEXT, 
	date DATETIME NOT NULL, 
	auteur TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(demande_id) REFERENCES demandes (id) ON DELETE CASCADE
);
CREATE TABLE notes (
	id INTEGER NOT NULL, 
	evaluation_id INTEGER NOT NULL, 
	critere VARCHAR(100) NOT NULL, 
	note FLOAT, 
	commentaire TEXT, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_note_critere UNIQUE (evaluation_id, critere), 
	FOREIGN KEY(evaluation_id) REFERENCES evaluations (id) ON DELETE CASCADE
);
