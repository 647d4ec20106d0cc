"""Les 80 projets du jeu de démonstration, écrits à la main (voir README.md).

Chaque fiche nomme une municipalité réelle du répertoire du MAMH et un projet à sa mesure :
ce que la ville a de particulier (un festival, une industrie, un paysage) et un partenaire
étranger qui a une raison d'être là. Les projets, les montants et les personnes sont
inventés ; aucune de ces demandes n'a été déposée.

Champs d'une fiche : `v` municipalité requérante (nom du répertoire) ; `type` (un des
`TYPES` du générateur : il fixe les lignes de budget et les textes du formulaire) ; `axe` ;
`secteur` et `sec` (secteurs secondaires) par id de l'appel ; `titre` (unique) ; `resume` ;
`theme` (groupe nominal repris dans les textes du formulaire) ; `p` (le lieu partenaire,
repris dans les lignes de budget) ; `etr` (partenaires étrangers : nom, pays) ; `evt`
(l'événement, s'il y en a un) ; `qc` (autres entités municipales d'un projet conjoint) ;
`ans` (1 ou 2 années demandées ; tiré au sort si absent) ; `special` (situations forcées,
voir `SPECIAUX` dans le générateur).
"""

from __future__ import annotations

INN, TAL, FRA, DD, MOB, CUL, COH = (
    "innovation", "talents", "francophonie", "developpement-durable", "mobilite-durable",
    "culture", "cohesion-sociale",
)  # fmt: skip
STRAT, RESEAU, MISSION, RECRUTEMENT, ACCUEIL, EXPERTISE, EVENEMENT, FESTIVAL, AMITIE = (
    "strategie", "reseau", "mission", "recrutement", "accueil", "expertise", "evenement",
    "festival", "amitie",
)  # fmt: skip

AIMF = ("Association internationale des maires francophones (AIMF)", "France")
CGLU = ("Cités et Gouvernements Locaux Unis (CGLU)", "Espagne")


def F(v, type, axe, secteur, sec, titre, resume, theme, p, etr, **autres) -> dict:
    return {
        "v": v, "type": type, "axe": axe, "secteur": secteur, "sec": list(sec), "titre": titre,
        "resume": resume, "theme": theme, "p": p, "etr": list(etr), **autres,
    }  # fmt: skip


# fmt: off
FICHES = [
    # --- 01 Bas-Saint-Laurent ---------------------------------------------------------------
    F("Rimouski", EXPERTISE, 2, INN, [DD, TAL],
      "Technopole maritime : partenariat Rimouski–Brest en sciences de la mer",
      "Échanges entre les services municipaux, le port et les centres de recherche de Rimouski et "
      "de Brest sur la valorisation des sciences de la mer, l'accueil d'entreprises de "
      "l'économie bleue et l'aménagement du front de mer.",
      "l'économie bleue et l'aménagement du front de mer", "Brest",
      [("Brest métropole", "France")], ans=2, special=["plafond_depasse"]),
    F("Rivière-du-Loup", EXPERTISE, 2, DD, [INN],
      "Biométhanisation et transport au biogaz : échange Rivière-du-Loup–Lille",
      "Partage d'expérience avec la Métropole européenne de Lille sur l'utilisation du biométhane "
      "issu des matières organiques pour le transport collectif et les véhicules municipaux.",
      "la valorisation du biométhane", "Lille",
      [("Métropole européenne de Lille", "France")]),
    F("Matane", EXPERTISE, 2, TAL, [INN, DD],
      "Filière éolienne et formation : coopération entre La Matanie et Esbjerg",
      "La Ville de Matane et la MRC de La Matanie s'associent au port éolien d'Esbjerg pour "
      "comparer les parcours de formation des techniciens et l'accueil des entreprises de la "
      "filière éolienne.",
      "la filière éolienne et la formation de sa main-d'œuvre", "Esbjerg",
      [("Esbjerg Kommune", "Danemark")], qc=["MRC de La Matanie"], ans=2),
    F("Kamouraska", AMITIE, 2, FRA, [CUL],
      "Kamouraska et Cancale : amitié entre villages de la côte",
      "Échanges entre deux villages côtiers de taille semblable sur la mise en valeur du "
      "patrimoine bâti et de la culture maritime ; accueil de quatre représentants de Cancale à "
      "l'automne et activités ouvertes aux citoyens.",
      "la mise en valeur du patrimoine maritime", "Cancale",
      [("Commune de Cancale", "France")], qc=["MRC de Kamouraska"], ans=1),
    F("Trois-Pistoles", ACCUEIL, 3, CUL, [FRA],
      "Trois-Pistoles et le Pays basque : patrimoine des pêcheurs basques",
      "Accueil d'historiens et d'élus de Saint-Jean-de-Luz pour la mise en valeur du patrimoine "
      "des pêcheurs basques de l'île aux Basques, avec une journée publique d'interprétation.",
      "le patrimoine des pêcheurs basques", "Saint-Jean-de-Luz",
      [("Commune de Saint-Jean-de-Luz", "France")], ans=1, special=["sans_contribution"]),
    # --- 02 Saguenay–Lac-Saint-Jean ---------------------------------------------------------
    F("Saguenay", MISSION, 3, TAL, [INN],
      "La Vallée de l'aluminium de Saguenay au salon ALUMINIUM de Düsseldorf",
      "Présence de Saguenay et d'une dizaine de transformateurs de la région au salon mondial "
      "ALUMINIUM de Düsseldorf pour attirer des investisseurs et des sous-traitants.",
      "la transformation de l'aluminium", "Düsseldorf",
      [("Landeshauptstadt Düsseldorf", "Allemagne")], evt="le salon ALUMINIUM de Düsseldorf",
      mois=10,
      ans=1, special=["non_admissible:deplacement-elus"]),
    F("Saguenay", ACCUEIL, 3, TAL, [DD, CUL],
      "Escales de croisière sur le fjord : échange Saguenay–Bergen",
      "Accueil de responsables du port et de l'office de tourisme de Bergen sur la gestion des "
      "escales de croisière en milieu de fjord : capacité d'accueil, retombées locales, "
      "réduction des émissions à quai.",
      "les escales de croisière en milieu de fjord", "Bergen",
      [("Bergen kommune", "Norvège")], ans=2),
    F("Alma", EXPERTISE, 2, MOB, [CUL, DD],
      "Véloroute des Bleuets et Loire à Vélo : tourisme à vélo autour du lac",
      "Alma, la MRC de Lac-Saint-Jean-Est et Métabetchouan–Lac-à-la-Croix échangent avec la "
      "Mission Val de Loire sur la signalisation, les services aux cyclistes et la mesure de "
      "la fréquentation des grands itinéraires cyclables.",
      "le tourisme à vélo", "Tours",
      [("Mission Val de Loire", "France")],
      qc=["MRC de Lac-Saint-Jean-Est", "Métabetchouan--Lac-à-la-Croix"], ans=2),
    F("Roberval", FESTIVAL, 3, CUL, [TAL],
      "Nageurs étrangers à la Traversée internationale du lac Saint-Jean",
      "Volet international de la Traversée : accueil de nageurs et d'officiels d'Italie, "
      "rencontres avec l'organisation du marathon Capri–Naples et diffusion de l'événement en "
      "Europe.",
      "la nage en eau libre et l'accueil d'événements sportifs", "Naples",
      [("Comune di Napoli", "Italie")], evt="la Traversée internationale du lac Saint-Jean",
      mois=7, ans=1,
      invites="nageurs et officiels", pros="organisateurs"),
    F("Dolbeau-Mistassini", EXPERTISE, 2, TAL, [INN],
      "Bleuet sauvage : échange entre Dolbeau-Mistassini et Machias (Maine)",
      "Échanges entre deux capitales du bleuet sauvage sur la mise en marché, les festivals "
      "agroalimentaires et l'accueil de la main-d'œuvre saisonnière.",
      "la filière du bleuet sauvage", "Machias",
      [("Town of Machias (Maine)", "États-Unis")], ans=1, special=["autre_financement"]),
    # --- 03 Capitale-Nationale --------------------------------------------------------------
    F("Québec", EVENEMENT, 3, CUL, [TAL, DD],
      "Québec, hôte d'un séminaire international sur la gestion des centres historiques",
      "Séminaire de trois jours réunissant des gestionnaires de villes du patrimoine mondial sur "
      "la conservation des quartiers historiques habités, le tourisme et l'adaptation aux "
      "changements climatiques.",
      "la gestion des centres historiques habités", "Bordeaux",
      [("Ville de Bordeaux", "France"), ("Municipalité de Tunis", "Tunisie")],
      evt="le séminaire international sur les centres historiques", mois=10, ans=2),
    F("Québec", RECRUTEMENT, 3, TAL, [FRA],
      "Québec aux Journées Québec de Paris et de Bruxelles",
      "Participation de la Ville et d'employeurs de la région aux Journées Québec de Paris et de "
      "Bruxelles pour recruter des talents dans les métiers en pénurie et présenter la qualité "
      "de vie de la capitale.",
      "le recrutement international de talents", "Paris",
      [("France Travail", "France"), ("Actiris", "Belgique")],
      evt="les Journées Québec de Paris et de Bruxelles", mois=11, ans=2),
    F("Baie-Saint-Paul", FESTIVAL, 3, CUL, [TAL],
      "Artistes belges au Symposium international d'art contemporain de Baie-Saint-Paul",
      "Accueil en résidence de trois artistes de Wallonie au Symposium, rencontres avec le public "
      "et exposition de clôture, en réciprocité avec une résidence d'artistes de Charlevoix à "
      "Namur.",
      "les résidences d'artistes en art contemporain", "Namur",
      [("Ville de Namur", "Belgique")], evt="le Symposium international d'art contemporain", mois=8,
      ans=1),
    F("La Malbaie", EXPERTISE, 2, DD, [CUL, TAL],
      "Réserves de biosphère de Charlevoix et du mont Ventoux : tourisme et conservation",
      "La Malbaie et la MRC de Charlevoix-Est comparent avec la réserve de biosphère du mont "
      "Ventoux leurs pratiques d'écotourisme, de gestion de la fréquentation et de "
      "sensibilisation des visiteurs.",
      "l'écotourisme en réserve de biosphère", "la réserve du mont Ventoux",
      [("Syndicat mixte d'aménagement du mont Ventoux", "France")],
      qc=["MRC de Charlevoix-Est"], ans=2),
    F("Deschambault-Grondines", RESEAU, 3, CUL, [FRA],
      "Deschambault-Grondines à la rencontre des Plus Beaux Villages de la Terre",
      "Présentation de la démarche patrimoniale du village à la rencontre annuelle de la "
      "Fédération des Plus Beaux Villages de la Terre et échanges avec des villages français "
      "de même taille.",
      "la conservation du patrimoine villageois",
      "la Fédération des Plus Beaux Villages de la Terre",
      [("Les Plus Beaux Villages de France", "France")],
      evt="la rencontre de la Fédération des Plus Beaux Villages de la Terre", mois=9, ans=1),
    F("Saint-Laurent-de-l'Île-d'Orléans", EXPERTISE, 2, DD, [CUL],
      "Île d'Orléans et île de Ré : agrotourisme insulaire",
      "Trois municipalités de l'île d'Orléans et leur MRC échangent avec la Communauté de "
      "communes de l'île de Ré sur la protection des terres agricoles, la circulation "
      "touristique et les circuits courts.",
      "l'agrotourisme insulaire et la protection des terres agricoles", "l'île de Ré",
      [("Communauté de communes de l'île de Ré", "France")],
      qc=["Sainte-Pétronille", "Saint-Pierre-de-l'Île-d'Orléans", "MRC de L'Île-d'Orléans"],
      ans=1),
    # --- 04 Mauricie ------------------------------------------------------------------------
    F("Trois-Rivières", FESTIVAL, 3, CUL, [FRA],
      "Festival international de la poésie : résidences croisées Trois-Rivières–Namur",
      "Volet international du Festival : accueil de poètes de Belgique et de France, résidences "
      "croisées avec la Maison de la poésie de Namur et lectures dans les bibliothèques.",
      "la poésie francophone", "Namur",
      [("Maison de la poésie et de la langue française Wallonie-Bruxelles", "Belgique"),
       ("Marché de la Poésie", "France")],
      evt="le Festival international de la poésie", mois=10, invites="poètes", ans=2,
      special=["a_confirmer"]),
    F("Trois-Rivières", STRAT, 1, TAL, [CUL],
      "Première stratégie de relations internationales de Trois-Rivières",
      "Diagnostic des liens internationaux existants (université, port, festivals), "
      "consultation des partenaires et rédaction d'une stratégie internationale 2025-2029.",
      "l'action internationale de la ville", "Tours",
      [("Ville de Tours", "France")], ans=1),
    F("Shawinigan", EXPERTISE, 2, INN, [DD],
      "Reconversion de friches industrielles : échange Shawinigan–Le Creusot",
      "Échange avec la communauté urbaine Creusot Montceau sur la reconversion des sites "
      "industriels, l'accueil d'entreprises innovantes et la mémoire ouvrière.",
      "la reconversion des friches industrielles", "Le Creusot",
      [("Communauté urbaine Creusot Montceau", "France")], special=["cout_inferieur"]),
    F("La Tuque", EXPERTISE, 2, DD, [INN],
      "Forêt boréale et bioéconomie : échange La Tuque–Joensuu",
      "Joensuu, pôle de la bioéconomie forestière en Finlande, partage avec La Tuque ses "
      "pratiques de valorisation de la biomasse et de chauffage urbain au bois.",
      "la bioéconomie forestière", "Joensuu",
      [("Joensuun kaupunki", "Finlande")]),
    F("Saint-Tite", FESTIVAL, 3, CUL, [TAL],
      "Festival western de Saint-Tite : délégation de Cheyenne Frontier Days",
      "Accueil d'une délégation de Cheyenne (Wyoming) au Festival western : démonstrations, "
      "échanges entre organisateurs sur la sécurité et l'accueil de grands publics.",
      "l'organisation de grands festivals", "Cheyenne",
      [("City of Cheyenne (Wyoming)", "États-Unis")], evt="le Festival western de Saint-Tite",
      mois=9, ans=1, invites="cavaliers et artistes", pros="organisateurs"),
    # --- 05 Estrie --------------------------------------------------------------------------
    F("Sherbrooke", EXPERTISE, 2, TAL, [INN, COH],
      "Ville étudiante : accueil et rétention des étudiants internationaux, échange "
      "Sherbrooke–Grenoble",
      "Sherbrooke et Grenoble-Alpes Métropole comparent leurs services d'accueil aux étudiants "
      "internationaux et leurs mesures pour les retenir après les études.",
      "la rétention des étudiants internationaux", "Grenoble",
      [("Grenoble-Alpes Métropole", "France")], ans=2),
    F("Sherbrooke", RESEAU, 3, COH, [CUL],
      "Sherbrooke au Réseau mondial des villes apprenantes de l'UNESCO",
      "Candidature et participation de Sherbrooke au Réseau mondial UNESCO des villes "
      "apprenantes : présentation de ses programmes d'éducation des adultes et échanges avec "
      "des villes membres.",
      "l'apprentissage tout au long de la vie", "l'Institut de l'UNESCO",
      [("Institut de l'UNESCO pour l'apprentissage tout au long de la vie", "Allemagne")],
      evt="la conférence internationale des villes apprenantes", mois=9, ans=1),
    F("Magog", EXPERTISE, 2, DD, [CUL],
      "Lac Memphrémagog : qualité de l'eau d'un lac frontalier",
      "Magog, le canton de Potton et la MRC de Memphrémagog travaillent avec Newport (Vermont) "
      "à un suivi commun de la qualité de l'eau et à des règles d'aménagement des rives "
      "harmonisées.",
      "la protection d'un lac transfrontalier", "Newport",
      [("City of Newport (Vermont)", "États-Unis")],
      qc=["Potton", "MRC de Memphrémagog"], ans=2, special=["bonification"]),
    F("Granby", RECRUTEMENT, 3, TAL, [COH],
      "Granby recrute : mission de recrutement de main-d'œuvre en Colombie",
      "Mission de recrutement menée avec les employeurs manufacturiers de la région à Bogota, "
      "suivie d'un accompagnement à l'installation des familles à Granby.",
      "le recrutement et l'établissement de travailleurs étrangers", "Bogota",
      [("Alcaldía Mayor de Bogotá", "Colombie")], evt="le salon de l'emploi de Bogota", mois=6,
      ans=1),
    F("Coaticook", EXPERTISE, 2, TAL, [CUL],
      "Tourisme gourmand : la Vallée de la Coaticook et le Haut-Jura",
      "Coaticook et sa MRC échangent avec le parc naturel régional du Haut-Jura sur les routes "
      "gourmandes, la mise en marché des fromages fermiers et l'accueil agrotouristique.",
      "le tourisme gourmand", "Lajoux",
      [("Parc naturel régional du Haut-Jura", "France")], qc=["MRC de Coaticook"]),
    F("Lac-Mégantic", EXPERTISE, 2, DD, [CUL, TAL],
      "Réserves de ciel étoilé du mont Mégantic et du Pic du Midi",
      "Lac-Mégantic et la MRC du Granit comparent avec la réserve de ciel étoilé du Pic du Midi "
      "la réglementation de l'éclairage extérieur et l'astrotourisme.",
      "la lutte contre la pollution lumineuse et l'astrotourisme", "Bagnères-de-Bigorre",
      [("Syndicat mixte du Pic du Midi", "France")], qc=["MRC du Granit"], ans=2),
    # --- 06 Montréal ------------------------------------------------------------------------
    F("Montréal", EVENEMENT, 3, COH, [CUL],
      "Sommet de l'Observatoire international des maires sur le vivre ensemble",
      "Montréal accueille le sommet annuel de l'Observatoire : ateliers sur l'inclusion, la "
      "lutte contre le racisme et la participation citoyenne, avec des villes d'Europe et "
      "d'Afrique.",
      "le vivre-ensemble et l'inclusion", "Barcelone",
      [("Ajuntament de Barcelona", "Espagne"), ("Ville de Dakar", "Sénégal")],
      evt="le sommet de l'Observatoire international des maires sur le vivre ensemble",
      mois=11, ans=2,
      special=["plafond_depasse"]),
    F("Montréal", EXPERTISE, 2, MOB, [DD],
      "Rues partagées et piétonnisation : échange Montréal–Lyon",
      "Échange d'expertise entre les équipes de Montréal et de la Métropole de Lyon sur les "
      "rues partagées, les rues-écoles et l'évaluation des piétonnisations estivales.",
      "l'aménagement des rues partagées", "Lyon",
      [("Métropole de Lyon", "France")], ans=2),
    F("Dorval", EXPERTISE, 2, DD, [MOB],
      "Ville aéroportuaire : échange Dorval–Blagnac sur le bruit et l'aménagement",
      "Dorval et Blagnac, deux villes d'aéroport international, comparent leurs mesures contre "
      "le bruit, l'aménagement des abords et le dialogue avec les riverains.",
      "la cohabitation entre la ville et l'aéroport", "Blagnac",
      [("Mairie de Blagnac", "France")]),
    F("Pointe-Claire", EXPERTISE, 2, CUL, [COH],
      "Bibliothèque, tiers-lieu : Pointe-Claire s'inspire d'Helsinki",
      "La Ville prépare l'agrandissement de sa bibliothèque centrale : visite d'étude "
      "virtuelle, accueil de deux bibliothécaires d'Helsinki et ateliers avec les citoyens.",
      "les bibliothèques tiers-lieux", "Helsinki",
      [("Helsingin kaupunki", "Finlande")], special=["dossier_incomplet"]),
    # --- 07 Outaouais -----------------------------------------------------------------------
    F("Gatineau", EVENEMENT, 3, FRA, [CUL, TAL],
      "Forum des villes francophones des Amériques à Gatineau",
      "Gatineau réunit des villes francophones d'Amérique et d'Europe autour de la vitalité du "
      "français en milieu urbain minoritaire et majoritaire, avec l'AIMF.",
      "la vitalité du français en ville", "Lafayette",
      [AIMF, ("Lafayette Consolidated Government", "États-Unis")],
      evt="le Forum des villes francophones des Amériques", mois=9, ans=2,
      special=["non_admissible:premiere-classe"]),
    F("Gatineau", RECRUTEMENT, 3, TAL, [FRA, COH],
      "Gatineau aux Journées Québec de Tunis et de Casablanca",
      "Participation de Gatineau et d'employeurs de l'Outaouais aux Journées Québec au Maghreb "
      "pour recruter dans les métiers en pénurie et préparer l'accueil des nouveaux arrivants.",
      "le recrutement de talents francophones", "Tunis",
      [("Agence nationale pour l'emploi et le travail indépendant (ANETI)", "Tunisie"),
       ("Agence nationale de promotion de l'emploi et des compétences (ANAPEC)", "Maroc")],
      evt="les Journées Québec de Tunis et de Casablanca", mois=5, ans=1),
    F("Maniwaki", EXPERTISE, 2, DD, [TAL],
      "Forêt de proximité : la Vallée-de-la-Gatineau et les communes forestières de France",
      "Maniwaki et la MRC de La Vallée-de-la-Gatineau échangent avec la Fédération des communes "
      "forestières sur la gestion de forêts de proximité et les retombées locales du bois.",
      "la gestion municipale des forêts de proximité", "la Fédération des communes forestières",
      [("Fédération nationale des communes forestières", "France")],
      qc=["MRC de La Vallée-de-la-Gatineau"], ans=1),
    F("Chelsea", EXPERTISE, 2, MOB, [DD],
      "Mobilité active en milieu périurbain : Chelsea s'inspire de Houten",
      "Ateliers virtuels et séjour de deux urbanistes de Houten (Pays-Bas) pour nourrir le plan "
      "de mobilité active de Chelsea et le réseau de sentiers utilitaires.",
      "la mobilité active en milieu périurbain", "Houten",
      [("Gemeente Houten", "Pays-Bas")], ans=1, special=["sans_contribution"]),
    # --- 08 Abitibi-Témiscamingue -----------------------------------------------------------
    F("Rouyn-Noranda", FESTIVAL, 3, CUL, [FRA],
      "Cinéastes de Namur au Festival du cinéma international en Abitibi-Témiscamingue",
      "Accueil de cinéastes et de programmateurs du Festival international du film francophone "
      "de Namur, projections et classes de maître ouvertes au public.",
      "le cinéma francophone", "Namur",
      [("Festival international du film francophone de Namur", "Belgique")],
      evt="le Festival du cinéma international en Abitibi-Témiscamingue", mois=10,
      invites="cinéastes et programmateurs", ans=2,
      special=["depot_dernier_jour"]),
    F("Val-d'Or", ACCUEIL, 2, DD, [TAL],
      "Mines et communautés : accueil à Val-d'Or d'une délégation de Kédougou",
      "Accueil d'élus et de techniciens de Kédougou (Sénégal), région aurifère, sur le suivi "
      "environnemental des sites miniers et le dialogue entre mines et communautés.",
      "la cohabitation entre l'industrie minière et les communautés", "Kédougou",
      [("Commune de Kédougou", "Sénégal")], ans=1, special=["visas_plus_500"]),
    F("Amos", EXPERTISE, 2, DD, [INN],
      "Eau souterraine de l'esker : échange Amos–Évian",
      "Amos, dont l'eau potable vient de l'esker Saint-Mathieu–Berry, échange avec Évian-les-"
      "Bains sur la protection des impluviums et la gestion d'une eau souterraine "
      "exceptionnelle.",
      "la protection des eaux souterraines", "Évian-les-Bains",
      [("Ville d'Évian-les-Bains", "France")], ans=1, special=["depot_en_retard"]),
    # --- 09 Côte-Nord -----------------------------------------------------------------------
    F("Sept-Îles", EXPERTISE, 2, DD, [INN, TAL],
      "Port minéralier et transition énergétique : échange Sept-Îles–Narvik",
      "Deux villes portuaires du minerai de fer comparent la décarbonation des activités "
      "portuaires, l'électrification et l'accueil de la main-d'œuvre nordique.",
      "la décarbonation d'un port minéralier", "Narvik",
      [("Narvik kommune", "Norvège")], ans=2),
    F("Baie-Comeau", RECRUTEMENT, 3, TAL, [FRA],
      "Baie-Comeau aux Journées Québec de Bordeaux",
      "Participation de Baie-Comeau et d'employeurs de la Manicouagan aux Journées Québec de "
      "Bordeaux pour recruter des techniciens et des ouvriers spécialisés de l'aluminium et de "
      "la forêt.",
      "le recrutement de techniciens qualifiés", "Bordeaux",
      [("France Travail", "France")], evt="les Journées Québec de Bordeaux", mois=11, ans=1),
    F("Tadoussac", RESEAU, 3, DD, [CUL],
      "Tadoussac au congrès du Club des plus belles baies du monde",
      "Présentation de la démarche de Tadoussac pour l'observation responsable des baleines au "
      "congrès annuel du Club et échanges avec des baies membres.",
      "l'observation responsable des mammifères marins", "le Club des plus belles baies du monde",
      [("Club des plus belles baies du monde", "France")],
      evt="le congrès du Club des plus belles baies du monde", mois=10, ans=1),
    # --- 10 Nord-du-Québec ------------------------------------------------------------------
    F("Chibougamau", EXPERTISE, 2, COH, [DD],
      "Ville minière et nordique : échange Chibougamau–Kiruna",
      "Kiruna (Suède), qui déplace son centre-ville pour la mine, partage avec Chibougamau son "
      "expérience de planification urbaine et de dialogue avec les citoyens en ville minière.",
      "la planification urbaine en ville minière", "Kiruna",
      [("Kiruna kommun", "Suède")], ans=1, special=["budget_non_detaille"]),
    F("Lebel-sur-Quévillon", RECRUTEMENT, 3, TAL, [FRA],
      "Jamésie : Lebel-sur-Quévillon et Matagami aux Journées Québec de Bruxelles",
      "Deux villes de la Jamésie unissent leurs efforts pour recruter en Belgique des "
      "travailleurs pour les mines et la forêt et présenter la vie en milieu nordique.",
      "le recrutement de travailleurs en milieu nordique", "Bruxelles",
      [("Actiris", "Belgique")], evt="les Journées Québec de Bruxelles", mois=11,
      qc=["Matagami"], ans=1),
    # --- 11 Gaspésie–Îles-de-la-Madeleine ---------------------------------------------------
    F("Gaspé", ACCUEIL, 3, CUL, [FRA, TAL],
      "490e anniversaire du passage de Jacques Cartier : Gaspé accueille Saint-Malo",
      "Accueil d'une délégation de Saint-Malo pour le 490e anniversaire de l'arrivée de Jacques "
      "Cartier à Gaspé : activités commémoratives, maillage touristique et culturel.",
      "la mémoire commune et le tourisme culturel", "Saint-Malo",
      [("Ville de Saint-Malo", "France")], ans=1, special=["budget_ecart"]),
    F("Les Îles-de-la-Madeleine", EXPERTISE, 2, DD, [INN],
      "Énergie dans les îles : coopération avec Saint-Pierre-et-Miquelon",
      "Deux archipels non raccordés au réseau continental comparent leurs plans de transition "
      "énergétique : éolien, stockage et sobriété.",
      "la transition énergétique des territoires insulaires", "Saint-Pierre",
      [("Collectivité territoriale de Saint-Pierre-et-Miquelon", "France")], ans=2,
      qc=["Régie intermunicipale de l'énergie Gaspésie–Îles-de-la-Madeleine"],
      special=["partenaire_non_reconnu"]),
    F("Carleton-sur-Mer", EXPERTISE, 2, DD, [COH],
      "Érosion côtière en Baie-des-Chaleurs : échange avec l'île d'Oléron",
      "Carleton-sur-Mer, Maria et la MRC d'Avignon échangent avec l'île d'Oléron sur la "
      "recharge des plages, la relocalisation d'infrastructures et l'information des "
      "riverains.",
      "l'adaptation à l'érosion côtière", "l'île d'Oléron",
      [("Communauté de communes de l'île d'Oléron", "France")],
      qc=["Maria", "MRC d'Avignon"], ans=2),
    F("Percé", RESEAU, 3, CUL, [DD],
      "Géoparc mondial UNESCO de Percé : jumelage avec le géoparc des Causses du Quercy",
      "Participation à la conférence des géoparcs mondiaux et jumelage avec le géoparc des "
      "Causses du Quercy pour l'interprétation géologique et la formation des guides.",
      "l'interprétation géologique et le géotourisme", "le géoparc des Causses du Quercy",
      [("Géoparc mondial UNESCO des Causses du Quercy", "France")],
      evt="la conférence internationale des géoparcs mondiaux UNESCO", mois=9,
      qc=["MRC du Rocher-Percé"], ans=1, special=["hors_periode"]),
    # --- 12 Chaudière-Appalaches ------------------------------------------------------------
    F("Lévis", MISSION, 3, TAL, [INN],
      "Économie maritime : mission de Lévis à Saint-Nazaire",
      "Mission de Lévis et d'entreprises du chantier naval et de la sous-traitance maritime à "
      "Saint-Nazaire : rencontres d'affaires et visite des filières de construction navale.",
      "la construction navale et la sous-traitance maritime", "Saint-Nazaire",
      [("Saint-Nazaire Agglomération", "France")], evt="les rencontres maritimes de Saint-Nazaire",
      mois=6,
      ans=1),
    F("Lévis", STRAT, 1, TAL, [INN, CUL],
      "Stratégie d'attractivité internationale de Lévis 2025-2030",
      "Élaboration d'une stratégie d'attractivité internationale : diagnostic, consultation "
      "des entreprises et des établissements d'enseignement, étalonnage auprès de villes "
      "portuaires européennes.",
      "l'attractivité internationale de la ville", "Gand",
      [("Stad Gent", "Belgique")], ans=2),
    F("Saint-Georges", MISSION, 3, TAL, [INN],
      "Maillage manufacturier Beauce–Vendée",
      "Mission d'entreprises manufacturières beauceronnes en Vendée, territoire d'entrepreneurs "
      "comparable, pour des partenariats industriels et technologiques.",
      "le maillage entre entreprises manufacturières", "La Roche-sur-Yon",
      [("Département de la Vendée", "France")],
      evt="les rencontres d'affaires de La Roche-sur-Yon", mois=10,
      ans=1, special=["dossier_incomplet"]),
    F("Thetford Mines", EXPERTISE, 2, DD, [CUL],
      "Après l'amiante : Thetford Mines et le bassin minier de Lens",
      "Échange avec la communauté d'agglomération de Lens-Liévin, dont le bassin minier est "
      "inscrit au patrimoine mondial, sur la restauration des haldes et le tourisme "
      "industriel.",
      "la reconversion d'un territoire minier", "Lens",
      [("Communauté d'agglomération de Lens-Liévin", "France")], ans=2,
      special=["autre_financement"]),
    F("Montmagny", ACCUEIL, 3, CUL, [COH],
      "Grosse-Île et la mémoire irlandaise : Montmagny accueille Cobh",
      "Accueil d'une délégation de Cobh, port de départ de nombreux émigrants irlandais, pour "
      "des activités de mémoire liées à Grosse-Île et un projet de circuit touristique commun.",
      "la mémoire de l'immigration irlandaise", "Cobh",
      [("Cork County Council", "Irlande")], ans=1),
    F("Sainte-Marie", MISSION, 3, TAL, [INN],
      "Entreprises agroalimentaires de la Nouvelle-Beauce au SIAL Paris",
      "Présence d'un espace régional au SIAL Paris pour les transformateurs agroalimentaires de "
      "Sainte-Marie et de la Nouvelle-Beauce.",
      "l'exportation agroalimentaire", "Paris",
      [("Comexposium (SIAL Paris)", "France")], evt="le SIAL Paris", mois=10, ans=1,
      special=["sans_engagement"]),
    # --- 13 Laval ---------------------------------------------------------------------------
    F("Laval", EXPERTISE, 2, INN, [TAL],
      "Cité de la biotech : partenariat Laval–Évry en sciences de la vie",
      "Partenariat entre la Cité de la biotech de Laval et le biocluster Genopole d'Évry-"
      "Courcouronnes : accueil d'entreprises, mobilité de chercheurs et activités de maillage.",
      "les biotechnologies et les sciences de la vie", "Évry-Courcouronnes",
      [("Ville d'Évry-Courcouronnes", "France"), ("Genopole", "France")], ans=2,
      special=["plafond_depasse"]),
    F("Laval", STRAT, 1, COH, [TAL],
      "Cadre d'action internationale de Laval",
      "Élaboration du premier cadre d'action internationale de Laval, troisième ville du "
      "Québec : diagnostic, priorités et gouvernance, avec étalonnage auprès de Lausanne.",
      "l'action internationale d'une grande ville de banlieue", "Lausanne",
      [("Ville de Lausanne", "Suisse")], ans=1),
    # --- 14 Lanaudière ----------------------------------------------------------------------
    F("Terrebonne", EXPERTISE, 2, CUL, [TAL],
      "Île-des-Moulins : patrimoine meunier, échange Terrebonne–Moulins",
      "Échange sur la mise en valeur du patrimoine meunier et la programmation culturelle des "
      "sites historiques entre Terrebonne et la ville de Moulins.",
      "la mise en valeur du patrimoine industriel", "Moulins",
      [("Ville de Moulins", "France")], ans=2, special=["non_admissible:fonctionnement"]),
    F("Repentigny", EXPERTISE, 2, DD, [COH],
      "Inondations et espace de liberté des rivières : échange Repentigny–Nimègue",
      "Repentigny échange avec Nimègue (Pays-Bas), qui a redonné de l'espace au Waal, sur la "
      "gestion des zones inondables et l'aménagement des rives.",
      "la gestion des zones inondables", "Nimègue",
      [("Gemeente Nijmegen", "Pays-Bas")], ans=2, special=["depot_dernier_jour"]),
    F("Joliette", FESTIVAL, 3, CUL, [TAL],
      "Festival de Lanaudière : coproduction avec La Roque-d'Anthéron",
      "Coproduction d'un concert avec le festival international de piano de La Roque-"
      "d'Anthéron et accueil de jeunes pianistes européens à Joliette.",
      "la musique classique et les festivals", "La Roque-d'Anthéron",
      [("Commune de La Roque-d'Anthéron", "France")], evt="le Festival de Lanaudière", mois=7,
      invites="pianistes", ans=1,
      special=["cout_inferieur"]),
    F("Mascouche", STRAT, 1, TAL, [INN],
      "Plan d'action international de Mascouche",
      "Premier plan d'action international : portrait des entreprises exportatrices, "
      "consultation et choix de deux territoires prioritaires.",
      "l'internationalisation des entreprises locales", "Angers",
      [("Angers Loire Métropole", "France")], ans=1, special=["sans_contribution"]),
    F("Rawdon", RESEAU, 3, COH, [CUL],
      "Rawdon au programme des Cités interculturelles du Conseil de l'Europe",
      "Rawdon, qui accueille des citoyens de plus de 30 origines, adhère au programme des "
      "Cités interculturelles et en applique l'indice à ses politiques d'accueil.",
      "l'accueil et l'inclusion des nouveaux arrivants en milieu rural",
      "le programme des Cités interculturelles",
      [("Conseil de l'Europe – programme des Cités interculturelles", "France")],
      evt="la réunion du réseau des Cités interculturelles", mois=11, ans=1),
    # --- 15 Laurentides ---------------------------------------------------------------------
    F("Saint-Jérôme", EXPERTISE, 2, MOB, [INN, DD],
      "Transport électrique : échange Saint-Jérôme–Göteborg",
      "Saint-Jérôme, où l'on construit des autobus électriques, échange avec Göteborg sur "
      "l'électrification du transport collectif et les démonstrateurs urbains.",
      "l'électrification du transport collectif", "Göteborg",
      [("Göteborgs Stad", "Suède")], ans=2),
    F("Mirabel", MISSION, 3, TAL, [INN],
      "Grappe aérospatiale : mission de Mirabel à Toulouse",
      "Mission de Mirabel et de sous-traitants aérospatiaux à Toulouse : rencontres avec la "
      "métropole, les centres de formation et les donneurs d'ordre.",
      "l'industrie aérospatiale", "Toulouse",
      [("Toulouse Métropole", "France")], evt="les rencontres aéronautiques de Toulouse", mois=6,
      ans=2),
    F("Blainville", EXPERTISE, 2, COH, [MOB],
      "Municipalité amie des aînés : échange Blainville–Genève",
      "Échange avec la Ville de Genève, membre du réseau mondial des villes amies des aînés, "
      "sur l'habitation, la mobilité et la lutte contre l'isolement des aînés.",
      "le vieillissement actif", "Genève",
      [("Ville de Genève", "Suisse")], ans=1, special=["budget_non_detaille"]),
    F("Mont-Tremblant", EXPERTISE, 2, DD, [TAL],
      "Tourisme durable de montagne : échange Mont-Tremblant–Chamonix",
      "Échange avec Chamonix-Mont-Blanc sur la gestion de la fréquentation, le logement des "
      "travailleurs saisonniers et la mobilité sans voiture en station.",
      "le tourisme durable en montagne", "Chamonix",
      [("Commune de Chamonix-Mont-Blanc", "France")], special=["dossier_incomplet"]),
    F("Mont-Laurier", EXPERTISE, 2, INN, [DD, TAL],
      "Bois d'ingénierie : les Hautes-Laurentides et Épinal",
      "Mont-Laurier et la MRC d'Antoine-Labelle échangent avec Épinal, pôle de la construction "
      "en bois dans les Vosges, sur la filière et la construction municipale en bois.",
      "la construction en bois", "Épinal",
      [("Ville d'Épinal", "France")], qc=["MRC d'Antoine-Labelle"], ans=2),
    F("Val-David", FESTIVAL, 3, CUL, [TAL],
      "Céramistes de Vallauris au symposium 1001 Pots de Val-David",
      "Accueil de deux céramistes de Vallauris au symposium 1001 Pots : démonstrations, "
      "ateliers publics et exposition croisée.",
      "la céramique", "Vallauris",
      [("Ville de Vallauris", "France")], evt="le symposium 1001 Pots", mois=7,
      invites="céramistes", ans=1,
      special=["dossier_incomplet"]),
    # --- 16 Montérégie ----------------------------------------------------------------------
    F("Longueuil", STRAT, 1, TAL, [INN, COH],
      "Vision internationale de Longueuil 2025-2030",
      "Élaboration de la vision internationale de Longueuil : diagnostic, ateliers avec les "
      "entreprises de l'aérospatiale et les organismes, étalonnage auprès de Nantes.",
      "l'action internationale de la ville", "Nantes",
      [("Nantes Métropole", "France")], ans=2),
    F("Brossard", EXPERTISE, 2, MOB, [DD],
      "Quartiers de gare et REM : échange Brossard–Rennes",
      "Brossard et la Communauté métropolitaine de Montréal échangent avec Rennes Métropole sur "
      "l'aménagement des quartiers autour des stations de métro léger.",
      "l'aménagement axé sur le transport collectif", "Rennes",
      [("Rennes Métropole", "France")], qc=["Communauté métropolitaine de Montréal"], ans=2,
      special=["bonification"]),
    F("Saint-Jean-sur-Richelieu", FESTIVAL, 3, CUL, [TAL],
      "International de montgolfières : pilotes de Château-d'Œx",
      "Accueil de pilotes et d'organisateurs du festival international de ballons de "
      "Château-d'Œx (Suisse) et échanges sur la sécurité des grands rassemblements.",
      "l'organisation de festivals de montgolfières", "Château-d'Œx",
      [("Commune de Château-d'Œx", "Suisse")],
      evt="l'International de montgolfières de Saint-Jean-sur-Richelieu", mois=8, ans=1,
      invites="pilotes et organisateurs", pros="organisateurs"),
    F("Saint-Hyacinthe", EXPERTISE, 2, INN, [TAL],
      "Technopole agroalimentaire : échange Saint-Hyacinthe–Wageningen",
      "Partenariat entre la technopole agroalimentaire de Saint-Hyacinthe et Wageningen (Pays-"
      "Bas) : mobilité d'entreprises en démarrage, maillage et activités conjointes.",
      "l'innovation agroalimentaire", "Wageningen",
      [("Gemeente Wageningen", "Pays-Bas")], ans=2),
    F("Salaberry-de-Valleyfield", FESTIVAL, 3, TAL, [CUL],
      "Régates internationales de Valleyfield : accueil de pilotes européens",
      "Accueil de pilotes et d'officiels européens aux Régates, rencontres avec l'Union "
      "internationale motonautique et promotion touristique du canal de Beauharnois.",
      "l'accueil d'événements nautiques internationaux", "Monaco",
      [("Union internationale motonautique", "Monaco")], evt="les Régates de Valleyfield", mois=7,
      ans=1,
      invites="pilotes et officiels", pros="organisateurs"),
    F("Sorel-Tracy", EXPERTISE, 2, DD, [INN],
      "Terrains industriels riverains : échange Sorel-Tracy–Dunkerque",
      "Échange avec la Communauté urbaine de Dunkerque sur la reconversion des terrains "
      "industriels riverains et l'écologie industrielle.",
      "l'écologie industrielle en milieu portuaire", "Dunkerque",
      [("Communauté urbaine de Dunkerque", "France")], ans=1, special=["budget_ecart"]),
    F("Vaudreuil-Dorion", RESEAU, 3, COH, [CUL],
      "« Je suis… » : la médiation culturelle de Vaudreuil-Dorion au sein de CGLU",
      "Présentation de la démarche de médiation culturelle « Je suis… » aux villes de la "
      "commission culture de CGLU et accueil d'une ville pilote.",
      "la médiation culturelle et la participation citoyenne", "CGLU",
      [CGLU], evt="le sommet culture de CGLU", mois=9, ans=1),
    F("Boucherville", EXPERTISE, 2, DD, [INN],
      "Bâtiments municipaux carboneutres : échange Boucherville–Fribourg-en-Brisgau",
      "Échange d'expertise avec Fribourg-en-Brisgau sur la rénovation énergétique des bâtiments "
      "municipaux et les réseaux de chaleur de quartier.",
      "la rénovation énergétique des bâtiments municipaux", "Fribourg-en-Brisgau",
      [("Stadt Freiburg im Breisgau", "Allemagne")], ans=2,
      special=["non_admissible:equipements"]),
    F("Rougemont", AMITIE, 2, CUL, [TAL],
      "Route du cidre : Rougemont et le Pays d'Auge",
      "Rougemont et la MRC de Rouville échangent avec le Pays d'Auge sur les routes du cidre, "
      "l'appellation et l'accueil agrotouristique ; accueil de trois producteurs et élus "
      "normands.",
      "l'agrotourisme cidricole", "Lisieux",
      [("Communauté d'agglomération Lisieux Normandie", "France")], qc=["MRC de Rouville"],
      ans=1),
    F("Châteauguay", EXPERTISE, 2, COH, [TAL],
      "Accueil des personnes immigrantes : échange Châteauguay–Villeurbanne",
      "Échange de pratiques avec Villeurbanne sur l'accueil municipal des personnes "
      "immigrantes, l'interprétariat et la participation citoyenne.",
      "l'accueil des personnes immigrantes", "Villeurbanne",
      [("Ville de Villeurbanne", "France")], ans=1),
    # --- 17 Centre-du-Québec ----------------------------------------------------------------
    F("Drummondville", FESTIVAL, 3, CUL, [COH, FRA],
      "Mondial des cultures : ensembles du Sénégal et du Mexique",
      "Accueil de deux ensembles folkloriques du Sénégal et du Mexique au Mondial des cultures, "
      "ateliers dans les écoles et spectacles gratuits.",
      "les arts traditionnels du monde", "Saint-Louis",
      [("Commune de Saint-Louis", "Sénégal"), ("Ayuntamiento de Puebla", "Mexique")],
      evt="le Mondial des cultures de Drummondville", mois=7,
      invites="danseurs et musiciens", ans=2, special=["visas_plus_500"]),
    F("Victoriaville", EXPERTISE, 2, DD, [INN],
      "Économie circulaire : échange Victoriaville–Ljubljana",
      "Victoriaville, berceau du recyclage au Québec, échange avec Ljubljana, capitale verte "
      "européenne, sur le zéro déchet et les écocentres.",
      "l'économie circulaire et la réduction des déchets", "Ljubljana",
      [("Mestna občina Ljubljana", "Slovénie")], ans=2),
    F("Bécancour", EXPERTISE, 2, INN, [TAL, DD],
      "Filière batterie : échange Bécancour–Skellefteå",
      "Bécancour, hôte d'un parc industriel de la filière batterie, échange avec Skellefteå "
      "(Suède) sur l'accueil de grands projets industriels et de leur main-d'œuvre.",
      "l'accueil de la filière batterie", "Skellefteå",
      [("Skellefteå kommun", "Suède")], ans=2),
    F("Plessisville", FESTIVAL, 3, CUL, [TAL],
      "Capitales de l'érable : Plessisville accueille St. Albans (Vermont)",
      "Accueil de producteurs et d'organisateurs du Vermont Maple Festival au Festival de "
      "l'érable de Plessisville et échanges sur l'agrotourisme acéricole.",
      "l'agrotourisme acéricole", "St. Albans",
      [("City of St. Albans (Vermont)", "États-Unis")],
      evt="le Festival de l'érable de Plessisville", mois=5, ans=1,
      invites="producteurs et organisateurs", pros="organisateurs"),
]
# fmt: on
