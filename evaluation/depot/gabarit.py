"""Les colonnes canoniques d'une demande et d'une ligne de budget, leurs alias, et le
gabarit Excel que les demandeurs remplissent. Les colonnes du demandeur suivent le type de
demandeur de l'appel (`colonnes_demandes`) : entité municipale ou organisme."""

from __future__ import annotations

import io
from dataclasses import dataclass

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


COLONNES_DEMANDES: tuple[Colonne, ...] = (
    Colonne(
        "no_demande",
        "No de demande",
        "texte",
        True,
        "Numéro unique de la demande dans l'appel.",
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
        "Description du projet et de ses objectifs.",
        "",
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
        "Le dossier était-il complet au dépôt ? (oui/non)",
        "oui",
        ("Dossier complet au dépôt", "Complet"),
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
        "Date à laquelle la demande a été déposée au ministère (AAAA-MM-JJ). Vide : la date "
        "de l'importation est retenue, marquée présumée.",
        "2024-02-20",
        (
            "Date du dépôt",
            "Déposée le",
            "Date de dépôt de la demande",
            "Date de réception",
            "Reçue le",
            "Date de soumission",
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
    propres = {"municipalite", "region", "municipalites_partenaires"}
    suite = tuple(
        contribution if c.cle == "contribution_demandeur" else c
        for c in COLONNES_DEMANDES
        if c.cle not in propres
    )
    return (suite[0], *organisme, *suite[1:])


COLONNES_ORGANISME: tuple[Colonne, ...] = _colonnes_organisme()


COLONNES_BUDGET: tuple[Colonne, ...] = (
    Colonne(
        "no_demande",
        "No de demande",
        "texte",
        True,
        "Numéro de la demande à laquelle la dépense se rattache.",
        "PAIVMQ-2024-001",
        COLONNES_DEMANDES[0].alias,
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
)

COLONNES_PAR_CLE = {c.cle: c for c in COLONNES_DEMANDES}
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
        colonnes.append(c)
    return tuple(colonnes)


def colonnes_sans_objet(appel: Appel) -> frozenset[str]:
    """Les clés du gabarit qu'un appel n'emploie pas (axe sans [[axes]], secteurs sans
    [[secteurs]]) : rien n'en est exigé ni stocké."""
    return (_COLONNES_AXES if not appel.axes else frozenset()) | (
        _COLONNES_SECTEURS if not appel.secteurs else frozenset()
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


# --- Le gabarit Excel -------------------------------------------------------------------


def construire_gabarit(appel: Appel) -> bytes:
    """Classeur vierge à remplir : feuilles Demandes et Budget avec listes déroulantes,
    feuille Explications ; les listes proviennent de la configuration de l'appel."""
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
    colonnes_appel = colonnes_demandes(appel)
    plages = {}
    # Un appel sans axes ni secteurs n'a pas ces listes (ni ces colonnes).
    remplies = {genre: valeurs for genre, valeurs in valeurs_listes.items() if valeurs}
    for j, (genre, valeurs) in enumerate(remplies.items(), 1):
        lettre = get_column_letter(j)
        ecrire_cellule(listes, 1, j, genre)
        for i, v in enumerate(valeurs, 2):
            ecrire_cellule(listes, i, j, v)
        plages[genre] = f"{FEUILLE_LISTES}!${lettre}$2:${lettre}${len(valeurs) + 1}"

    gras = Font(bold=True, color="FFFFFF")
    fond = PatternFill("solid", fgColor="1F4E79")
    fond_obligatoire = PatternFill("solid", fgColor="9C2A00")
    for feuille, colonnes in ((demandes, colonnes_appel), (budget, COLONNES_BUDGET)):
        for j, col in enumerate(colonnes, 1):
            cellule = ecrire_cellule(feuille, 1, j, col.entete)
            cellule.font = gras
            cellule.fill = fond_obligatoire if col.obligatoire else fond
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
                validation.promptTitle = col.entete
                validation.prompt = col.aide[:250]
                validation.showInputMessage = True
                feuille.add_data_validation(validation)
                validation.add(f"{lettre}2:{lettre}1000")
            if col.genre == "montant":
                for i in range(2, 1001):
                    feuille.cell(i, j).number_format = '# ##0.00 "$"'
            elif col.genre == "date":
                for i in range(2, 1001):
                    feuille.cell(i, j).number_format = "yyyy-mm-dd"
            elif col.genre == "neq":
                # Au format Texte : Excel ne change pas un NEQ en 1,14568E+09.
                for i in range(2, 1001):
                    feuille.cell(i, j).number_format = "@"
        feuille.freeze_panes = "A2"
        feuille.row_dimensions[1].height = 32

    ecrire_ligne(
        explications, 1, ["Feuille", "Colonne", "Obligatoire", "Contenu attendu", "Exemple"]
    )
    i = 1
    for nom, colonnes in ((FEUILLE_DEMANDES, colonnes_appel), (FEUILLE_BUDGET, COLONNES_BUDGET)):
        for col in colonnes:
            i += 1
            ecrire_ligne(
                explications,
                i,
                [nom, col.entete, "oui" if col.obligatoire else "non", col.aide, col.exemple],
            )
    for cellule in explications[1]:
        cellule.font = gras
        cellule.fill = fond
    for lettre, largeur in zip("ABCDE", (12, 34, 12, 90, 36), strict=True):
        explications.column_dimensions[lettre].width = largeur
    explications.freeze_panes = "A2"
    n = len(colonnes_appel) + len(COLONNES_BUDGET) + 3
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
        "Les en-têtes en rouge sont obligatoires. Les colonnes ajoutées sont conservées à "
        "part. Une ligne par demande (feuille Demandes) et une ligne par dépense (feuille "
        "Budget).",
    )

    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
