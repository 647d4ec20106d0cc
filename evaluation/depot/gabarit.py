"""Les colonnes canoniques d'une demande et d'une ligne de budget, leurs alias, et le
gabarit Excel que les demandeurs remplissent : leur partie d'abord (dont le formulaire que
les critères de l'appel lisent), puis celle que le ministère inscrit (numéro, date de
dépôt, dossier complet). Les colonnes du demandeur suivent le type de demandeur de l'appel
(`colonnes_demandes`) : entité municipale ou organisme."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, replace

from evaluation.appels.configuration import Appel
from evaluation.socle import formats
from evaluation.socle.texte import normaliser_entete
from evaluation.sorties.neutralisation import ecrire_cellule, ecrire_ligne

FEUILLE_DEMANDES = "Demandes"
FEUILLE_BUDGET = "Budget"
FEUILLE_EXPLICATIONS = "Explications"
FEUILLE_LISTES = "Listes"


@dataclass(frozen=True)
class Colonne:
    """Une colonne du gabarit : sa clé (nom stocké), son en-tête, son genre de valeur."""

    cle: str
    entete: str
    genre: str
    obligatoire: bool
    aide: str
    exemple: str
    alias: tuple[str, ...] = ()
    # Réservée au ministère (numéro, date de dépôt, constat du dossier complet) : hors de la
    # partie que le demandeur remplit ; lue quand un export du ministère la porte.
    ministere: bool = False


COLONNES_DEMANDES: tuple[Colonne, ...] = (
    Colonne(
        "no_demande",
        "No de demande",
        "texte",
        False,
        "Réservé au ministère : numéro unique de la demande dans l'appel. Laissé vide, il est "
        "attribué à l'importation (annoncé dans le rapport d'importation).",
        "PAIVMQ-2024-001",
        (
            "Numéro de la demande",
            "N° de demande",
            "N° demande",
            "N° de la demande",
            "No. de demande",
            "Numéro de projet",
            "No de projet",
            "Numéro de demande",
            "No",
            "N°",
            "No demande",
            "Numéro",
            "Identifiant",
            "ID",
            "Id demande",
            "Numéro de dossier",
            "No de dossier",
        ),
        ministere=True,
    ),
    Colonne(
        "municipalite",
        "Municipalité requérante",
        "municipalite",
        True,
        "Entité municipale qui dépose la demande : municipalité locale, comme dans le "
        "répertoire du MAMH, MRC ou territoire équivalent (« MRC de Coaticook »).",
        "Rimouski",
        (
            "Municipalité",
            "Ville",
            "Demandeur",
            "Municipalité demanderesse",
            "Requérant",
            "Organisme demandeur",
            "Ville requérante",
            "Nom de la municipalité",
            "Nom de la municipalité requérante",
            "Municipalité porteuse",
            "Entité municipale requérante",
            "MRC requérante",
        ),
    ),
    Colonne(
        "region",
        "Région administrative",
        "region",
        True,
        "Code (01 à 17) ou nom de la région. Peut rester vide si la municipalité est "
        "reconnue : la région est alors tirée du répertoire.",
        "01",
        (
            "Région",
            "Region admin",
            "Code de région",
            "Région administrative (code)",
            "No région",
            "Code région",
            "Code de la région",
            "N° de région",
        ),
    ),
    Colonne(
        "municipalites_partenaires",
        "Municipalités partenaires",
        "liste",
        False,
        "Autres entités municipales québécoises du projet (municipalités, MRC, régies "
        "intermunicipales, communautés métropolitaines), séparées par « ; ».",
        "Magog; Orford",
        (
            "Partenaires municipaux",
            "Municipalités associées",
            "Projet conjoint avec",
            "Municipalités participantes",
        ),
    ),
    Colonne(
        "partenaires_etrangers",
        "Partenaires étrangers",
        "texte",
        False,
        "Organisations ou villes partenaires hors Québec.",
        "Ville de Brest",
        ("Partenaire étranger", "Partenaires internationaux", "Partenaire international"),
    ),
    Colonne(
        "pays",
        "Pays",
        "liste",
        False,
        "Pays des partenaires étrangers, séparés par « ; ».",
        "France",
        ("Pays des partenaires", "Pays partenaire(s)", "Pays visés"),
    ),
    Colonne(
        "titre",
        "Titre du projet",
        "texte",
        True,
        "Titre court du projet.",
        "Jumelage maritime Rimouski-Brest",
        ("Titre", "Nom du projet", "Projet", "Intitulé", "Intitulé du projet"),
    ),
    Colonne(
        "resume",
        "Résumé",
        "texte",
        False,
        "Description du projet : ce qui sera fait, avec qui, où.",
        "Échange d'expertise entre les services portuaires de Rimouski et de Brest.",
        ("Description", "Résumé du projet", "Description du projet", "Sommaire"),
    ),
    Colonne(
        "axe",
        "Axe",
        "axe",
        True,
        "Numéro de l'axe de l'appel (1, 2 ou 3).",
        "2",
        ("Axe du programme", "Axe visé", "No axe", "Axe d'intervention"),
    ),
    Colonne(
        "secteur",
        "Secteur principal",
        "secteur",
        True,
        "Un des secteurs ciblés par l'appel.",
        "Innovation",
        (
            "Secteur",
            "Secteur ciblé",
            "Secteur visé",
            "Secteur d'activité",
            "Secteur d'intervention",
        ),
    ),
    Colonne(
        "secteurs_secondaires",
        "Secteurs secondaires",
        "secteurs",
        False,
        "Autres secteurs ciblés, séparés par « ; ».",
        "Culture; Cohésion sociale",
        ("Autres secteurs", "Secteur secondaire", "Secteurs complémentaires"),
    ),
    Colonne(
        "date_debut",
        "Date de début",
        "date",
        True,
        "Date de début du projet (AAAA-MM-JJ).",
        "2024-05-01",
        ("Début", "Début du projet", "Date début", "Date de début du projet"),
    ),
    Colonne(
        "date_fin",
        "Date de fin",
        "date",
        True,
        "Date de fin du projet (AAAA-MM-JJ).",
        "2025-03-15",
        ("Fin", "Fin du projet", "Date fin", "Date de fin du projet"),
    ),
    Colonne(
        "cout_total",
        "Coût total du projet",
        "montant",
        True,
        "Coût total du projet, toutes sources de financement confondues, en dollars.",
        "40000",
        ("Coût total", "Coût du projet", "Budget total", "Coût total du projet ($)"),
    ),
    Colonne(
        "montant_demande_an1",
        "Montant demandé – année 1",
        "montant",
        True,
        "Subvention demandée pour la première année financière (1er avril au 31 mars).",
        "20000",
        (
            "Montant demandé année 1",
            "Montant demandé an 1",
            "Montant année 1",
            "Subvention demandée année 1",
            "Montant demandé",
            "Aide demandée année 1",
            "Montant demandé 1re année",
            "Montant demandé première année",
            "Année 1",
        ),
    ),
    Colonne(
        "montant_demande_an2",
        "Montant demandé – année 2",
        "montant",
        False,
        "Subvention demandée pour la deuxième année financière, le cas échéant.",
        "",
        (
            "Montant demandé année 2",
            "Montant demandé an 2",
            "Montant année 2",
            "Subvention demandée année 2",
            "Aide demandée année 2",
            "Montant demandé 2e année",
            "Montant demandé deuxième année",
            "Année 2",
        ),
    ),
    Colonne(
        "contribution_demandeur",
        "Contribution du demandeur",
        "montant",
        False,
        "Part du coût assumée par la municipalité requérante.",
        "15000",
        (
            "Contribution",
            "Contribution de la municipalité",
            "Apport du demandeur",
            "Mise de fonds",
            "Contribution municipale",
            "Contribution de la municipalité requérante",
        ),
    ),
    Colonne(
        "cofinancement_externe",
        "Cofinancement externe",
        "montant",
        False,
        "Financement d'autres partenaires (hors programmes gouvernementaux).",
        "5000",
        (
            "Cofinancement",
            "Financement externe",
            "Autres partenaires financiers",
            "Autres sources de financement",
        ),
    ),
    Colonne(
        "autre_financement_gouvernemental",
        "Autre financement gouvernemental",
        "oui_non",
        False,
        "Le projet reçoit-il l'aide d'un autre programme gouvernemental ? (oui/non)",
        "non",
        (
            "Autre programme gouvernemental",
            "Financement gouvernemental",
            "Autre aide gouvernementale",
        ),
    ),
    Colonne(
        "dossier_complet",
        "Dossier complet",
        "oui_non",
        False,
        "Réservé au ministère : constat que le dossier était complet au dépôt (oui/non). "
        "Laissé vide, l'analyste l'inscrit à l'examen d'admissibilité.",
        "",
        ("Dossier complet au dépôt", "Complet"),
        ministere=True,
    ),
    Colonne(
        "budget_detaille",
        "Budget détaillé",
        "oui_non",
        False,
        "Un budget détaillé est-il joint ? (oui/non)",
        "oui",
        ("Budget détaillé joint", "Budget joint"),
    ),
    Colonne(
        "engagement_rapport",
        "Engagement à produire un rapport",
        "oui_non",
        False,
        "Le demandeur s'engage-t-il à produire un rapport financier et narratif ? (oui/non)",
        "oui",
        ("Engagement rapport", "Engagement à produire un rapport financier et narratif", "Rapport"),
    ),
    Colonne(
        "qualite_signataire",
        "Qualité du signataire",
        "qualite",
        False,
        "Élu, fonctionnaire ou délégué par les autorités locales.",
        "fonctionnaire",
        ("Signataire", "Statut du signataire", "Fonction du signataire"),
    ),
    Colonne(
        "courriel",
        "Courriel",
        "courriel",
        False,
        "Adresse de la personne responsable.",
        "international@rimouski.example",
        (
            "Adresse courriel",
            "Courriel du responsable",
            "Courriel de contact",
            "Email",
            "E-mail",
            "Adresse électronique",
            "Adresse courriel du responsable",
            "Courriel de la personne responsable",
        ),
    ),
    Colonne(
        "date_depot",
        "Date de dépôt",
        "date",
        False,
        "Réservé au ministère : date à laquelle la demande a été reçue (AAAA-MM-JJ). Vide : "
        "la date de l'importation est retenue, marquée présumée.",
        "",
        (
            "Date du dépôt",
            "Déposée le",
            "Date de dépôt de la demande",
            "Date de réception",
            "Reçue le",
            "Date de soumission",
        ),
        ministere=True,
    ),
    # Le formulaire de l'appel (issue 18). Les critères qui lisent chaque champ viennent de
    # la configuration de l'appel (`[[criteres]] champs`, avec la phrase de l'appel en
    # commentaire dans le TOML), jamais d'ici : un champ qu'aucun critère ne lit reste
    # facultatif. La résolution du conseil : aucun appel livré ne la fait lire par un
    # critère.
    Colonne(
        "objectifs",
        "Objectifs",
        "texte",
        False,
        "Objectifs concrets du projet pour l'action internationale de la municipalité et de "
        "sa région.",
        "Doter Rimouski d'un plan d'action portuaire international d'ici mars 2025.",
        ("Objectifs du projet", "Objectif", "Objectifs visés"),
    ),
    Colonne(
        "echeancier",
        "Échéancier",
        "texte",
        False,
        "Principales étapes du projet et leurs dates.",
        "Mai 2024 : mission à Brest ; octobre 2024 : accueil ; mars 2025 : bilan.",
        ("Échéancier du projet", "Calendrier", "Calendrier de réalisation"),
    ),
    Colonne(
        "retombees",
        "Retombées attendues",
        "texte",
        False,
        "Retombées escomptées pour la municipalité et sa région (économiques, sociales, "
        "culturelles...).",
        "Deux ententes de coopération portuaire ; 40 entreprises locales rencontrées.",
        ("Retombées", "Retombées escomptées", "Retombées prévues", "Résultats attendus"),
    ),
    Colonne(
        "visibilite",
        "Visibilité",
        "texte",
        False,
        "Visibilité prévue, mise en valeur du projet et de ses résultats, rayonnement du "
        "Québec à l'international.",
        "Conférence de presse conjointe ; page du projet sur le site de la Ville.",
        ("Plan de visibilité", "Visibilité prévue", "Rayonnement"),
    ),
    Colonne(
        "ressources_humaines",
        "Ressources humaines",
        "texte",
        False,
        "Personnes qui réaliseront le projet : fonctions, temps consacré, appuis externes.",
        "Conseillère aux relations internationales (2 jours par semaine) ; firme d'animation.",
        ("Équipe de projet", "Ressources humaines affectées", "Personnel affecté"),
    ),
    Colonne(
        "capacite_financiere",
        "Capacité financière",
        "texte",
        False,
        "Comment la municipalité financera sa part du projet (budget adopté, fonds réservé, "
        "partenaires confirmés).",
        "Contribution de 15 000 $ inscrite au budget 2024 de la Ville.",
        ("Capacité financière du demandeur", "Capacité de financement"),
    ),
    Colonne(
        "resolution",
        "Résolution du conseil",
        "texte",
        False,
        "Numéro et date de la résolution du conseil qui autorise la demande et désigne la "
        "personne qui la signe, s'il y en a une.",
        "Résolution 2024-02-117 du 12 février 2024",
        (
            "Résolution",
            "Résolution du conseil municipal",
            "No de résolution",
            "Numéro de résolution",
            "Résolution du conseil d'administration",
        ),
    ),
)


def _colonnes_organisme() -> tuple[Colonne, ...]:
    """Les colonnes d'une demande quand le demandeur est un organisme (`[demandeur] type =
    "organisme"`) : son nom, son NEQ, la municipalité et la région de son siège, au lieu de
    la municipalité requérante et de ses partenaires municipaux. Le projet conjoint « entre
    plusieurs acteurs municipaux » (bonification de l'appel PAIVMQ) ne concerne pas un
    organisme : pas de colonne « Municipalités partenaires »."""
    par_cle = {c.cle: c for c in COLONNES_DEMANDES}
    organisme = (
        Colonne(
            "organisme",
            "Organisme requérant",
            "organisme",
            True,
            "Nom de l'organisme qui dépose la demande, tel qu'inscrit au Registraire des "
            "entreprises.",
            "Solidarité Nord-Sud de Rimouski",
            (
                "Nom de l'organisme",
                "Nom de l'organisme requérant",
                "Organisme",
                "Organisme demandeur",
                "Organisme porteur",
                "Nom légal de l'organisme",
                "Raison sociale",
                "Demandeur",
                "Requérant",
                "OCI",
                "Nom de l'OCI",
            ),
        ),
        Colonne(
            "neq",
            "NEQ",
            "neq",
            True,
            "Numéro d'entreprise du Québec de l'organisme : dix chiffres (espaces et tirets "
            "permis). Mettez la colonne au format Texte.",
            "1145678901",
            (
                "Numéro d'entreprise du Québec",
                "N° d'entreprise du Québec",
                "No d'entreprise du Québec",
                "NEQ de l'organisme",
                "Numéro NEQ",
                "No NEQ",
                "N° NEQ",
                "Numéro d'entreprise",
            ),
        ),
        Colonne(
            "municipalite",
            "Municipalité du siège",
            "municipalite",
            True,
            "Municipalité du siège social de l'organisme, comme dans le répertoire du MAMH ; "
            "la région administrative en est tirée.",
            "Rimouski",
            (
                "Municipalité du siège social",
                "Ville du siège social",
                "Ville du siège",
                "Siège social",
                "Siège",
                "Municipalité",
                "Ville",
                "Municipalité requérante",
            ),
        ),
        Colonne(
            "region",
            "Région administrative",
            "region",
            True,
            "Région du siège de l'organisme : code (01 à 17) ou nom. Peut rester vide si la "
            "municipalité du siège est reconnue : la région est alors tirée du répertoire.",
            "01",
            (*par_cle["region"].alias, "Région du siège", "Région du siège social"),
        ),
    )
    contribution = par_cle["contribution_demandeur"]
    contribution = Colonne(
        contribution.cle,
        contribution.entete,
        contribution.genre,
        contribution.obligatoire,
        "Part du coût assumée par l'organisme requérant.",
        contribution.exemple,
        (
            *(a for a in contribution.alias if "municipal" not in a.casefold()),
            "Contribution de l'organisme",
        ),
    )
    # La résolution d'un organisme est celle de son conseil d'administration.
    resolution = par_cle["resolution"]
    resolution = replace(
        resolution,
        entete="Résolution du conseil d'administration",
        aide="Numéro et date de la résolution du conseil d'administration qui autorise la "
        "demande et désigne la personne qui la signe, s'il y en a une.",
        alias=(
            resolution.entete,
            *(a for a in resolution.alias if a != "Résolution du conseil d'administration"),
        ),
    )
    remplacees = {c.cle: c for c in (contribution, resolution)}
    propres = {"municipalite", "region", "municipalites_partenaires"}
    suite = tuple(remplacees.get(c.cle, c) for c in COLONNES_DEMANDES if c.cle not in propres)
    return (suite[0], *organisme, *suite[1:])


COLONNES_ORGANISME: tuple[Colonne, ...] = _colonnes_organisme()


COLONNES_BUDGET: tuple[Colonne, ...] = (
    Colonne(
        "no_demande",
        "No de demande",
        "texte",
        False,
        "Réservé au ministère : numéro de la demande à laquelle la dépense se rattache. "
        "Laissé vide, la dépense se rattache à la demande du même fichier (voir « Titre du "
        "projet »).",
        "PAIVMQ-2024-001",
        COLONNES_DEMANDES[0].alias,
        ministere=True,
    ),
    Colonne(
        "annee",
        "Année",
        "entier",
        True,
        "Année financière du projet : 1 ou 2.",
        "1",
        ("Année du projet", "An", "Année financière", "Exercice", "Année du budget"),
    ),
    Colonne(
        "categorie",
        "Catégorie de dépense",
        "categorie",
        True,
        "Catégorie de dépense de l'appel (liste déroulante).",
        "Ressources professionnelles externes",
        (
            "Catégorie",
            "Type de dépense",
            "Poste de dépense",
            "Nature de la dépense",
            "Poste budgétaire",
        ),
    ),
    Colonne(
        "description",
        "Description",
        "texte",
        False,
        "Précision sur la dépense.",
        "Honoraires de la firme d'animation",
        ("Détail", "Libellé", "Description de la dépense"),
    ),
    Colonne(
        "montant",
        "Montant",
        "montant",
        True,
        "Montant de la dépense en dollars.",
        "12000",
        (
            "Coût",
            "Montant de la dépense",
            "Somme",
            "Montant demandé",
            "Coût de la dépense",
            "Montant prévu",
        ),
    ),
    # Issue 18 : sans numéro (le ministère l'attribue), une dépense se rattache à sa demande
    # par le titre du projet, ou à la seule demande de son fichier.
    Colonne(
        "titre",
        "Titre du projet",
        "texte",
        False,
        "Si le fichier contient plusieurs demandes : le titre du projet, tel qu'écrit dans la "
        "feuille Demandes. Une seule demande : laissez vide.",
        "",
        ("Titre", "Projet", "Nom du projet", "Intitulé du projet"),
    ),
)

COLONNES_PAR_CLE = {c.cle: c for c in COLONNES_DEMANDES}
COLONNES_ORGANISME_PAR_CLE = {c.cle: c for c in COLONNES_ORGANISME}
_DEDUITS = {
    "code_geographique": "Code géographique",
    "projet_conjoint": "Projet conjoint",
    "date_depot_presumee": "Date de dépôt présumée (celle de l'importation)",
    "avertissements": "Avertissements",
    "dimensions": "Dimensions",
}
# Libellé de chaque champ stocké d'une demande, y compris ceux que l'import déduit (et
# ceux d'un demandeur organisme : nom et NEQ).
LIBELLES_CHAMPS = (
    {c.cle: c.entete for c in COLONNES_ORGANISME}
    | {c.cle: c.entete for c in COLONNES_DEMANDES}
    | _DEDUITS
)


def libelles_champs(appel: Appel | None = None) -> dict[str, str]:
    """Comme `LIBELLES_CHAMPS`, dans les mots du type de demandeur de l'appel (pour un
    organisme, `municipalite` est « Municipalité du siège »)."""
    if appel is None or not appel.demandeur_organisme:
        return LIBELLES_CHAMPS
    return LIBELLES_CHAMPS | {c.cle: c.entete for c in COLONNES_ORGANISME}


COLONNES_BUDGET_PAR_CLE = {c.cle: c for c in COLONNES_BUDGET}


# --- Les colonnes propres à un appel -----------------------------------------------------

PREFIXE_DIMENSION = "dimension:"
# Colonnes qui n'ont de sens que si l'appel déclare des axes, ou des secteurs.
_COLONNES_AXES = frozenset({"axe"})
_COLONNES_SECTEURS = frozenset({"secteur", "secteurs_secondaires"})
# Colonnes que seule une condition d'admissibilité lit (celles du PAIVMQ : « ne pas recevoir
# de financement d'un autre programme gouvernemental », « comporter un budget détaillé »,
# « s'engager à produire un rapport financier et narratif ») : sans condition de l'appel
# dont le `champ` est leur clé, aucune règle ne les lit et le gabarit ne les demande pas.
_COLONNES_DE_CONDITION = frozenset(
    {"autre_financement_gouvernemental", "budget_detaille", "engagement_rapport"}
)


def cle_dimension(id_dimension: str) -> str:
    """La clé d'une dimension déclarée dans une demande lue : « dimension:<id> »."""
    return PREFIXE_DIMENSION + id_dimension


def colonnes_dimensions(appel: Appel) -> tuple[Colonne, ...]:
    """Une colonne par dimension que l'appel déclare ([[dimensions]]) : en-tête = son
    libellé, aide = ses valeurs (et leur séparateur quand plusieurs sont permises)."""
    colonnes = []
    for d in appel.dimensions:
        valeurs = " ; ".join(v.libelle for v in d.valeurs)
        consigne = (
            "Une ou plusieurs valeurs, séparées par « ; »" if d.multiple else "Une seule valeur"
        )
        aide = f"{d.aide.rstrip('. ')}. " if d.aide else ""
        colonnes.append(
            Colonne(
                cle_dimension(d.id),
                d.libelle,
                "dimension",
                d.obligatoire,
                f"{aide}{consigne} parmi : {valeurs}.",
                " ; ".join(v.libelle for v in d.valeurs[: 2 if d.multiple else 1]),
            )
        )
    return tuple(colonnes)


def colonnes_demandes(appel: Appel | None = None) -> tuple[Colonne, ...]:
    """Les colonnes de la feuille Demandes pour cet appel : celles de son type de demandeur
    (entité municipale : `COLONNES_DEMANDES`, aussi sans appel ; organisme :
    `COLONNES_ORGANISME`), sans l'axe quand l'appel n'a pas d'axes ni les secteurs quand il
    n'a pas de secteurs, et une colonne par dimension déclarée (après les secteurs)."""
    if appel is None:
        return COLONNES_DEMANDES
    retirees = colonnes_sans_objet(appel)
    colonnes: list[Colonne] = []
    for c in COLONNES_ORGANISME if appel.demandeur_organisme else COLONNES_DEMANDES:
        if c.cle in retirees:
            continue
        if c.cle == "date_debut":
            colonnes.extend(colonnes_dimensions(appel))
        if c.cle == "qualite_signataire":
            c = _qualite_signataire(c, appel)
        colonnes.append(c)
    return tuple(colonnes)


def _prefixe_numero(appel: Appel) -> str:
    """Le début d'un numéro de demande d'exemple : le premier mot du nom court de l'appel
    (« PAIVMQ 2023-2024 » → « PAIVMQ »), sinon son identifiant."""
    mots = (appel.nom_court or appel.id).split()
    return "".join(ch for ch in mots[0].upper() if ch.isalnum() or ch == "-") or "DEMANDE"


# Les exemples et aides d'un demandeur organisme (issue 18) : rien de municipal.
_EXEMPLES_ORGANISME = {
    "organisme": "Organisme de coopération XYZ",
    "partenaires_etrangers": "Association villageoise de Kara",
    "pays": "Togo",
    "titre": "Eau potable à Kara",
    "resume": "Forage de deux puits et formation d'un comité de gestion de l'eau avec "
    "l'association partenaire.",
    "objectifs": "Donner accès à l'eau potable à 800 familles de Kara.",
    "retombees": "Deux puits en service ; un comité de l'eau formé ; 30 personnes "
    "sensibilisées au Québec.",
    "visibilite": "Soirées de sensibilisation au Québec ; page du projet sur le site de "
    "l'organisme.",
    "ressources_humaines": "Chargée de projet (3 jours par semaine) ; quatre volontaires ; "
    "animateur local.",
    "courriel": "projets@organisme-xyz.example",
}
_AIDES = {
    # (entité municipale, organisme)
    "objectifs": (
        "Objectifs concrets du projet pour l'action internationale de la municipalité et de "
        "sa région.",
        "Objectifs concrets du projet : ce qu'il changera pour les populations et les "
        "partenaires visés.",
    ),
    "retombees": (
        "Retombées escomptées pour la municipalité et sa région (économiques, sociales, "
        "culturelles...).",
        "Retombées escomptées pour les populations et les partenaires du projet, et pour "
        "l'organisme (sociales, économiques, culturelles...).",
    ),
    "capacite_financiere": (
        "Comment la municipalité financera sa part du projet (budget adopté, fonds réservé, "
        "partenaires confirmés).",
        "Comment l'organisme financera sa part du projet (fonds propres, campagnes de dons, "
        "partenaires confirmés).",
    ),
}


def exemples_de_l_appel(colonnes: tuple[Colonne, ...], appel: Appel) -> tuple[Colonne, ...]:
    """Les colonnes du gabarit avec des exemples et des aides tirés de l'appel (issue 18) :
    dates dans sa première année financière, numéro fait de son nom court, catégorie de
    dépense = sa première catégorie admissible, qualité du signataire = la première qu'il
    permet, demandeur et textes selon son type (entité municipale ou organisme). Rempli
    exactement avec ses exemples, le gabarit s'importe sans écart de date ni de catégorie."""
    debut, fin = appel.financement.annees_financieres()[0]
    an = debut.year
    organisme = appel.demandeur_organisme
    admissibles = [c.libelle for c in appel.categories if c.admissible]
    exemples = {
        "no_demande": f"{_prefixe_numero(appel)}-{an}-001",
        "date_debut": (debut + dt.timedelta(days=30)).isoformat(),
        "date_fin": (fin - dt.timedelta(days=16)).isoformat(),
        "echeancier": (
            f"Juin {an} : départ des volontaires ; novembre {an} : forages ; mars {an + 1} : bilan."
            if organisme
            else f"Mai {an} : mission à Brest ; octobre {an} : accueil ; mars {an + 1} : bilan."
        ),
        "capacite_financiere": (
            f"Contribution de 15 000 $ inscrite au budget {an} de l'organisme, adopté par son "
            "conseil d'administration."
            if organisme
            else f"Contribution de 15 000 $ inscrite au budget {an} de la Ville."
        ),
        "resolution": (
            f"Résolution CA-{an}-03 du 12 février {an}"
            if organisme
            else f"Résolution {an}-02-117 du 12 février {an}"
        ),
    }
    if not organisme:
        exemples["objectifs"] = (
            f"Doter Rimouski d'un plan d'action portuaire international d'ici mars {an + 1}."
        )
    else:
        exemples |= _EXEMPLES_ORGANISME
    if appel.qualites_signataire:
        exemples["qualite_signataire"] = appel.qualites_signataire[0]
    # La dépense d'exemple est toute la subvention de l'année 1 : le total de l'année égale
    # le montant demandé, comme la feuille Explications le demande.
    exemples["montant"] = COLONNES_PAR_CLE["montant_demande_an1"].exemple
    if admissibles:
        exemples["categorie"] = admissibles[0]
    aides = {cle: textes[1 if organisme else 0] for cle, textes in _AIDES.items()}
    if appel.qualites_signataire:
        aides["qualite_signataire"] = (
            "Qualité de la personne qui signe la demande, parmi celles que l'appel permet : "
            + ", ".join(appel.qualites_signataire)
            + "."
        )
    resultat = []
    for c in colonnes:
        if c.cle in exemples and c.exemple:
            c = replace(c, exemple=exemples[c.cle])
        if c.cle in aides:
            c = replace(c, aide=aides[c.cle])
        # L'exemple de description (des honoraires) ne va qu'avec des ressources
        # professionnelles ; sous une autre catégorie, il reste neutre.
        categorie = exemples.get("categorie", "").casefold()
        if c.cle == "description" and "ressources professionnelles" not in categorie:
            c = replace(c, exemple="Dépense prévue au projet")
        resultat.append(c)
    return tuple(resultat)


def _qualite_signataire(colonne: Colonne, appel: Appel) -> Colonne:
    """L'aide et l'exemple de « Qualité du signataire » tirés de la liste de l'appel
    ([admissibilite] qualites_signataire), pas des mots du PAIVMQ."""
    qualites = appel.qualites_signataire
    if not qualites:
        return replace(colonne, aide="Qualité de la personne qui signe.", exemple="")
    return replace(
        colonne,
        aide=f"Qualité de la personne qui signe, parmi : {', '.join(qualites)}.",
        exemple=colonne.exemple if colonne.exemple in qualites else qualites[0],
    )


def colonnes_sans_objet(appel: Appel) -> frozenset[str]:
    """Les clés du gabarit qu'un appel n'emploie pas (axe sans [[axes]], secteurs sans
    [[secteurs]], colonne qu'aucune de ses conditions d'admissibilité ne lit) : rien n'en est
    exigé ni stocké."""
    lues = {c.champ for c in appel.conditions}
    return (
        (_COLONNES_AXES if not appel.axes else frozenset())
        | (_COLONNES_SECTEURS if not appel.secteurs else frozenset())
        | (_COLONNES_DE_CONDITION - lues)
    )


RANG_GABARIT, RANG_ALIAS = 1, 2


def _index(colonnes: tuple[Colonne, ...]) -> dict[str, tuple[str, int]]:
    """En-tête normalisé → (clé, rang) : l'en-tête du gabarit passe avant un synonyme."""
    index: dict[str, tuple[str, int]] = {}
    for c in colonnes:
        for nom in (c.entete, c.cle.replace("_", " ")):
            index[normaliser_entete(nom)] = (c.cle, RANG_GABARIT)
    for c in colonnes:
        for nom in c.alias:
            index.setdefault(normaliser_entete(nom), (c.cle, RANG_ALIAS))
    return index


_INDEX_DEMANDES = _index(COLONNES_DEMANDES)
_INDEX_ORGANISME = _index(COLONNES_ORGANISME)
_INDEX_BUDGET = _index(COLONNES_BUDGET)


def correspondance_entete(
    entete: object, budget: bool = False, appel: Appel | None = None
) -> tuple[str, int] | None:
    """(clé canonique, rang) qu'un en-tête désigne, quels qu'en soient casse, accents, unités.
    Les en-têtes d'une demande dépendent du type de demandeur de `appel` (« Organisme
    demandeur » nomme l'organisme d'un appel d'organismes, la municipalité sinon)."""
    cle = normaliser_entete(entete)
    if not cle:  # « # », « — » : rien à reconnaître
        return None
    if budget:
        return _INDEX_BUDGET.get(cle)
    organisme = appel is not None and appel.demandeur_organisme
    return (_INDEX_ORGANISME if organisme else _INDEX_DEMANDES).get(cle)


def cle_entete(entete: object, budget: bool = False, appel: Appel | None = None) -> str | None:
    """La clé canonique qu'un en-tête désigne, ou None."""
    trouve = correspondance_entete(entete, budget, appel)
    return trouve[0] if trouve else None


def conflits_dimensions(appel: Appel) -> list[str]:
    """Les dimensions de `appel` dont le libellé (l'en-tête de sa colonne) est aussi un en-tête du
    gabarit ou l'un de ses synonymes (« Pays », « Titre du projet », « No de demande »,
    aux accents, à la casse et aux espaces près) : la colonne serait lue deux fois, l'une
    écrasant l'autre. Vide si aucune. Vérifié là où un appel est enregistré
    (`parametres.enregistrer_appel`) : la configuration ne connaît pas le gabarit, qui
    dépend d'elle."""
    erreurs = []
    for d in appel.dimensions:
        for nom in (d.libelle,):
            if trouve := correspondance_entete(nom, appel=appel):
                entete = (
                    COLONNES_ORGANISME_PAR_CLE.get(trouve[0]) if appel.demandeur_organisme else None
                )
                entete = entete or COLONNES_PAR_CLE.get(trouve[0])
                colonne = entete.entete if entete else trouve[0]
                erreurs.append(
                    f"[[dimensions]] « {d.id} » : « {nom} » nomme déjà la colonne « {colonne} » "
                    "du gabarit ; la colonne serait lue deux fois. Donnez à la dimension un "
                    "libellé qui ne soit pas un en-tête du gabarit."
                )
                break
    return erreurs


# --- Le formulaire de l'appel -------------------------------------------------------------


def critere_du_champ(col: Colonne, appel: Appel):
    """Le premier critère de l'appel qui lit ce champ du formulaire (`[[criteres]] champs`),
    ou None : aucun critère ne le lit, le champ est facultatif pour cet appel. Un champ lu
    est demandé (en-tête rouge) et l'importation avertit s'il est vide, sans bloquer (un
    export d'avant le formulaire reste importable)."""
    return next((c for c in appel.criteres if col.cle in c.champs), None)


def champs_demandes(appel: Appel) -> list[tuple[Colonne, object]]:
    """(colonne, critère) de chaque champ que le formulaire de l'appel demande au
    demandeur, dans l'ordre du gabarit."""
    return [
        (c, k) for c in colonnes_demandes(appel) if (k := critere_du_champ(c, appel)) is not None
    ]


def colonnes_du_gabarit(colonnes: tuple[Colonne, ...]) -> tuple[list[Colonne], list[Colonne]]:
    """(ce que le demandeur remplit, ce que le ministère inscrit), chacune dans l'ordre."""
    return [c for c in colonnes if not c.ministere], [c for c in colonnes if c.ministere]


DEMANDEUR = "À remplir par le demandeur"
RESERVE = "Réservé au ministère — laissez vide"


def explication_budget(appel: Appel) -> list[str]:
    """Ce que la feuille Budget doit contenir, en phrases pour une municipalité : ce que
    `admissibilite.constats_budget` compare (la somme des lignes de chaque année, toutes
    catégories, au montant demandé de cette année) et ce que le montant recommandé retient
    (les dépenses admissibles, les frais de visas jusqu'au plafond)."""
    f = appel.financement
    annees = f.annees_financieres()
    periodes = " ; ".join(
        f"l'année {i} va du {formats.date(debut)} au {formats.date(fin)}"
        for i, (debut, fin) in enumerate(annees, 1)
    )
    admissibles = [c.libelle for c in appel.categories if c.admissible]
    non_admissibles = [c.libelle for c in appel.categories if not c.admissible]
    plafonnees = [c.libelle for c in appel.categories if c.plafonnee]
    portee = "par demande" if appel.portee_plafond_visas == "demande" else "par année"
    egalites = " ; ".join(
        f"total de l'année {i} = « {COLONNES_PAR_CLE[f'montant_demande_an{i}'].entete} »"
        for i in range(1, len(annees) + 1)
        if f"montant_demande_an{i}" in COLONNES_PAR_CLE
    )
    part_demandeur = "de l'organisme" if appel.demandeur_organisme else "de la municipalité"
    phrases = [
        "La feuille Budget dit comment la subvention demandée sera dépensée : une ligne par "
        "dépense payée par la subvention, avec son année financière, sa catégorie et son "
        f"montant. Années financières (du 1er avril au 31 mars) : {periodes}.",
        "Le total des lignes de chaque année égale le montant demandé pour cette année "
        f"({egalites}). À l'importation, toutes les lignes de l'année sont additionnées, "
        "quelle que soit leur catégorie, et tout écart avec le montant demandé est signalé.",
        f"N'y inscrivez pas le coût total du projet : la part {part_demandeur} et celle des "
        "partenaires se déclarent dans « Contribution du demandeur » et « Cofinancement "
        "externe » (feuille Demandes), le coût complet dans « Coût total du projet ».",
        "Dépenses admissibles (liste déroulante de la colonne « Catégorie de dépense ») : "
        + "; ".join(admissibles)
        + ".",
    ]
    if non_admissibles:
        phrases.append(
            "Dépenses non admissibles, que la subvention ne paie pas : "
            + "; ".join(non_admissibles)
            + ". Inscrite au budget, une telle dépense est signalée et ne compte pas dans le "
            "montant recommandé."
        )
    if plafonnees:
        phrases.append(
            f"{'; '.join(plafonnees)} : jusqu'à {formats.montant(appel.plafond_visas)} {portee} ; "
            "l'excédent est signalé et retranché du budget admissible."
        )
    phrases.append(
        "Un fichier qui contient une seule demande : ses dépenses s'y rattachent d'elles-mêmes. "
        "Plusieurs demandes : inscrivez sur chaque ligne de dépense le « "
        f"{COLONNES_BUDGET_PAR_CLE['titre'].entete} » de sa demande, tel qu'écrit dans la "
        "feuille Demandes."
    )
    return phrases


# --- Le gabarit Excel -------------------------------------------------------------------

# Ligne des bandeaux (qui remplit quoi), puis ligne des en-têtes : la lecture trouve la
# ligne d'en-têtes d'elle-même (`lecture._meilleur_entete`).
LIGNE_BANDEAU, LIGNE_ENTETES = 1, 2


def construire_gabarit(appel: Appel) -> bytes:
    """Classeur vierge à remplir : feuilles Demandes et Budget avec listes déroulantes,
    feuille Explications ; les listes proviennent de la configuration de l'appel.

    Dans les feuilles Demandes et Budget, les colonnes que le demandeur remplit viennent
    d'abord, sous le bandeau « À remplir par le demandeur » ; celles que le ministère
    inscrit (numéro, date de dépôt, dossier complet) suivent, grisées, sous le bandeau
    « Réservé au ministère ». En rouge : ce que l'importation exige et ce que le formulaire
    de l'appel demande (`champs_demandes`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    # Les libellés viennent de la configuration de l'appel (un fichier TOML) : chaque texte
    # est écrit par la neutralisation, jamais comme une formule.
    classeur = Workbook()
    demandes = classeur.active
    demandes.title = FEUILLE_DEMANDES
    budget = classeur.create_sheet(FEUILLE_BUDGET)
    explications = classeur.create_sheet(FEUILLE_EXPLICATIONS)
    listes = classeur.create_sheet(FEUILLE_LISTES)
    listes.sheet_state = "hidden"

    valeurs_listes = {
        "axe": [f"{a.numero} – {a.libelle}" for a in appel.axes],
        "secteur": [s.libelle for s in appel.secteurs],
        "region": [f"{r.code} – {r.nom}" for r in appel.regions],
        "oui_non": ["oui", "non"],
        "qualite": list(appel.qualites_signataire),
        "categorie": [c.libelle for c in appel.categories if c.admissible],
        "annee": [str(i) for i in range(1, appel.financement.nombre_annees_max + 1)],
    } | {cle_dimension(d.id): [v.libelle for v in d.valeurs] for d in appel.dimensions}
    colonnes_appel = exemples_de_l_appel(colonnes_demandes(appel), appel)
    colonnes_budget = exemples_de_l_appel(COLONNES_BUDGET, appel)
    plages = {}
    # Un appel sans axes ni secteurs n'a pas ces listes (ni ces colonnes).
    remplies = {genre: valeurs for genre, valeurs in valeurs_listes.items() if valeurs}
    for j, (genre, valeurs) in enumerate(remplies.items(), 1):
        lettre = get_column_letter(j)
        ecrire_cellule(listes, 1, j, genre)
        for i, v in enumerate(valeurs, 2):
            ecrire_cellule(listes, i, j, v)
        plages[genre] = f"{FEUILLE_LISTES}!${lettre}$2:${lettre}${max(len(valeurs), 1) + 1}"

    demandees = {c.cle for c, _ in champs_demandes(appel)}
    gras = Font(bold=True, color="FFFFFF")
    fond = PatternFill("solid", fgColor="1F4E79")
    fond_obligatoire = PatternFill("solid", fgColor="9C2A00")
    fond_ministere = PatternFill("solid", fgColor="7F7F7F")
    cellules_ministere = PatternFill("solid", fgColor="EDEDED")
    premiere, derniere = LIGNE_ENTETES + 1, LIGNE_ENTETES + 999
    for feuille, colonnes in ((demandes, colonnes_appel), (budget, colonnes_budget)):
        du_demandeur, du_ministere = colonnes_du_gabarit(colonnes)
        ordre = du_demandeur + du_ministere
        for bandeau, debut, nombre, couleur in (
            (DEMANDEUR, 1, len(du_demandeur), fond),
            (RESERVE, len(du_demandeur) + 1, len(du_ministere), fond_ministere),
        ):
            if not nombre:
                continue
            cellule = ecrire_cellule(feuille, LIGNE_BANDEAU, debut, bandeau)
            cellule.font, cellule.fill = gras, couleur
            if nombre > 1:
                feuille.merge_cells(
                    start_row=LIGNE_BANDEAU,
                    start_column=debut,
                    end_row=LIGNE_BANDEAU,
                    end_column=debut + nombre - 1,
                )
        for j, col in enumerate(ordre, 1):
            cellule = ecrire_cellule(feuille, LIGNE_ENTETES, j, col.entete)
            cellule.font = gras
            if col.ministere:
                cellule.fill = fond_ministere
            elif col.obligatoire or col.cle in demandees:
                cellule.fill = fond_obligatoire
            else:
                cellule.fill = fond
            cellule.alignment = Alignment(wrap_text=True, vertical="center")
            lettre = get_column_letter(j)
            feuille.column_dimensions[lettre].width = max(14, min(40, len(col.entete) + 4))
            genre = col.genre if col.genre != "entier" else "annee"
            if col.genre == "dimension":
                # Une liste déroulante n'offre qu'une valeur : pour une dimension à plusieurs
                # valeurs, l'aide de la colonne (feuille Explications) dit de les séparer.
                dimension = appel.dimension(col.cle.removeprefix(PREFIXE_DIMENSION))
                genre = col.cle if dimension is not None and not dimension.multiple else ""
            if genre in plages:
                validation = DataValidation(
                    type="list", formula1=f"={plages[genre]}", allow_blank=True
                )
                # Une saisie hors liste reste permise : l'import la vérifie et la signale.
                validation.showErrorMessage = False
                validation.promptTitle = col.entete[:32]
                validation.prompt = col.aide[:250]
                validation.showInputMessage = True
                feuille.add_data_validation(validation)
                validation.add(f"{lettre}{premiere}:{lettre}{derniere}")
            for i in range(premiere, derniere + 1):
                if col.genre == "montant":
                    feuille.cell(i, j).number_format = '# ##0.00 "$"'
                elif col.genre == "date":
                    feuille.cell(i, j).number_format = "yyyy-mm-dd"
                elif col.genre == "neq":
                    # Au format Texte : Excel ne change pas un NEQ en 1,14568E+09.
                    feuille.cell(i, j).number_format = "@"
                if col.ministere:
                    feuille.cell(i, j).fill = cellules_ministere
        feuille.freeze_panes = f"A{premiere}"
        feuille.row_dimensions[LIGNE_ENTETES].height = 32

    ecrire_ligne(
        explications, 1, ["Feuille", "Colonne", "Obligatoire", "Contenu attendu", "Exemple"]
    )
    criteres = dict((c.cle, k) for c, k in champs_demandes(appel))
    i = 1
    for nom, colonnes in ((FEUILLE_DEMANDES, colonnes_appel), (FEUILLE_BUDGET, colonnes_budget)):
        du_demandeur, du_ministere = colonnes_du_gabarit(colonnes)
        for col in du_demandeur + du_ministere:
            i += 1
            if col.ministere:
                obligatoire = "réservé au ministère"
            elif col.obligatoire:
                obligatoire = "oui"
            elif col.cle in criteres and nom == FEUILLE_DEMANDES:
                obligatoire = f"oui (critère « {criteres[col.cle].libelle} »)"
            else:
                obligatoire = "non"
            ecrire_ligne(explications, i, [nom, col.entete, obligatoire, col.aide, col.exemple])
    for cellule in explications[1]:
        cellule.font = gras
        cellule.fill = fond
    for lettre, largeur in zip("ABCDE", (12, 34, 24, 90, 36), strict=True):
        explications.column_dimensions[lettre].width = largeur
    explications.freeze_panes = "A2"
    n = i + 2
    ecrire_cellule(explications, n, 1, "Appel").font = Font(bold=True)
    ecrire_cellule(explications, n, 2, appel.nom)
    ecrire_cellule(explications, n + 1, 1, "Plafond").font = Font(bold=True)
    ecrire_cellule(
        explications,
        n + 1,
        2,
        f"{formats.montant(appel.financement.plafond_annuel)} par année"
        + "".join(
            f" (l'appel : « {s.citation} »)"
            for s in appel.sources
            if s.chemin == "financement.plafond_annuel" and s.source == "appel" and s.citation
        )
        + ". Seules les dépenses admissibles comptent.",
    )
    ecrire_cellule(explications, n + 2, 1, "Colonnes").font = Font(bold=True)
    ecrire_cellule(
        explications,
        n + 2,
        2,
        "Les en-têtes en rouge sont à remplir : ceux que l'importation exige et ceux que "
        "les critères d'évaluation de l'appel lisent. Les colonnes grisées sont réservées au "
        "ministère : laissez-les vides (le numéro de la demande est attribué à sa "
        "réception). Les colonnes ajoutées sont conservées à part. Une ligne par demande "
        "(feuille Demandes) et une ligne par dépense (feuille Budget).",
    )
    for k, phrase in enumerate(explication_budget(appel)):
        if k == 0:
            ecrire_cellule(explications, n + 3, 1, "Budget").font = Font(bold=True)
        ecrire_cellule(explications, n + 3 + k, 2, phrase)

    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
