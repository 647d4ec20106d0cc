"""Des appels qui déclarent leurs dimensions de classement (issue 18, point 2), et leur gabarit
rempli comme le remplirait un demandeur : pour les tests du gabarit, de la validation, de
l'importation, du chargement, du classement, des sorties et des pages."""

from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import load_workbook

from evaluation.appels.configuration import Appel, appel_depuis_toml, charger_appel
from evaluation.depot.gabarit import (
    COLONNES_BUDGET,
    FEUILLE_BUDGET,
    FEUILLE_DEMANDES,
    LIGNE_ENTETES,
    champs_demandes,
    colonnes_demandes,
    construire_gabarit,
)

# Une dimension à plusieurs valeurs (facultative), une à une valeur (obligatoire).
DIMENSIONS = """
[[dimensions]]
id = "priorites"
libelle = "Priorités transversales"
multiple = true
aide = "Les priorités que le projet sert"
valeurs = [
  { id = "environnement", libelle = "Protection de l'environnement" },
  { id = "femmes", libelle = "Droits des femmes", alias = ["Égalité entre les genres"] },
  { id = "jeunesse", libelle = "Jeunesse" },
]

[[dimensions]]
id = "type-financement"
libelle = "Type de financement"
obligatoire = true
valeurs = [
  { id = "mission", libelle = "Soutien à la mission globale" },
  { id = "ponctuel", libelle = "Projets ponctuels" },
]
"""


def _sans(texte: str, section: str) -> str:
    return re.sub(rf"\[\[{section}\]\]\n(?:[^\[\n][^\n]*\n|\n)*", "", texte)


def appel_avec_dimensions(sans_axes_ni_secteurs: bool = False) -> Appel:
    """L'appel livré avec les deux dimensions de `DIMENSIONS` ; sans ses axes, ses secteurs
    et ses cibles (dont celle par axe) si `sans_axes_ni_secteurs`, sous un autre
    identifiant."""
    texte = charger_appel().source_toml
    if sans_axes_ni_secteurs:
        for section in ("axes", "secteurs", "cibles"):
            texte = _sans(texte, section)
        assert "[[axes]]" not in texte and "[[secteurs]]" not in texte
        texte = texte.replace('id = "paivmq-2023-2024"', 'id = "qsf-essai"', 1)
    appel = appel_depuis_toml(texte + DIMENSIONS, "essai")
    assert bool(appel.axes) is not sans_axes_ni_secteurs
    return appel


def demande(appel: Appel, numero: str, **valeurs) -> dict:
    """Les cellules d'une demande complète pour `appel`, par clé du gabarit (une dimension :
    « dimension:<id> ») ; `valeurs` remplace ou ajoute des cellules."""
    debut = appel.financement.premiere_annee_debut
    cellules = {
        "no_demande": numero,
        "municipalite": "Rimouski",
        "region": "01",
        "partenaires_etrangers": "Ville de Brest",
        "pays": "France",
        "titre": f"Projet {numero}",
        "resume": "Échanges d'expertise entre deux villes.",
        "date_debut": debut + dt.timedelta(days=30),
        "date_fin": debut + dt.timedelta(days=300),
        "cout_total": 40000,
        "montant_demande_an1": 20000,
        "contribution_demandeur": 15000,
        "cofinancement_externe": 5000,
        "autre_financement_gouvernemental": "non",
        "dossier_complet": "oui",
        "budget_detaille": "oui",
        "engagement_rapport": "oui",
        "qualite_signataire": appel.qualites_signataire[0],
        "courriel": "international@rimouski.example",
        "date_depot": appel.date_limite - dt.timedelta(days=5) if appel.date_limite else None,
        "dimension:type-financement": "Projets ponctuels",
    }
    # Les réponses au formulaire que les critères de l'appel demandent (issue 18, point 3).
    for colonne, _ in champs_demandes(appel):
        cellules[colonne.cle] = f"{colonne.entete} du projet {numero}."
    if appel.axes:
        cellules["axe"] = appel.axes[0].numero
    if appel.secteurs:
        cellules["secteur"] = appel.secteurs[0].libelle
    cellules.update(valeurs)
    return cellules


def gabarit_rempli(appel: Appel, demandes: list[dict]) -> bytes:
    """Le gabarit de l'appel (`construire_gabarit`) rempli : une ligne par demande sous les
    en-têtes qu'il porte (ligne `LIGNE_ENTETES`), une ligne de budget par demande (son
    montant de l'année 1, dans la première catégorie admissible), rattachée par son numéro.
    Le numéro, la date de dépôt et le dossier complet y sont écrits comme le ministère les
    inscrit. Une clé sans colonne dans le gabarit est une erreur."""
    classeur = load_workbook(io.BytesIO(construire_gabarit(appel)))
    feuille = classeur[FEUILLE_DEMANDES]
    entetes = [c.value for c in feuille[LIGNE_ENTETES]]
    par_cle = {c.cle: entetes.index(c.entete) + 1 for c in colonnes_demandes(appel)}
    for i, d in enumerate(demandes, LIGNE_ENTETES + 1):
        for cle, valeur in d.items():
            if valeur is not None:
                feuille.cell(i, par_cle[cle], valeur)
    budget = classeur[FEUILLE_BUDGET]
    entetes = [c.value for c in budget[LIGNE_ENTETES]]
    par_cle = {c.cle: entetes.index(c.entete) + 1 for c in COLONNES_BUDGET}
    categorie = next(c.libelle for c in appel.categories if c.admissible)
    for i, d in enumerate(demandes, LIGNE_ENTETES + 1):
        for cle, valeur in (
            ("no_demande", d["no_demande"]),
            ("annee", 1),
            ("categorie", categorie),
            ("description", "Honoraires"),
            ("montant", d["montant_demande_an1"]),
        ):
            budget.cell(i, par_cle[cle], valeur)
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


# Trois demandes : Q-1 sert l'environnement et les femmes (ponctuel), Q-2 la jeunesse
# (mission globale), Q-3 aucune priorité (ponctuel).
CELLULES = {
    "Q-1": {
        "dimension:priorites": "Protection de l'environnement ; Droits des femmes",
        "dimension:type-financement": "Projets ponctuels",
    },
    "Q-2": {
        "dimension:priorites": "Jeunesse",
        "dimension:type-financement": "Soutien à la mission globale",
    },
    "Q-3": {"dimension:type-financement": "Projets ponctuels"},
}
# Notes sur 10 à chaque critère, par demande et par évaluateur : Q-1 90, Q-2 80, Q-3 70.
NOTES = {"Q-1": 9.0, "Q-2": 8.0, "Q-3": 7.0}


def importer_et_noter(moteur, appel: Appel, evaluateurs=("e1@x.ca", "e2@x.ca")) -> dict:
    """Le gabarit de l'appel rempli des trois demandes de `CELLULES`, importé, jugé
    admissible et noté (`NOTES`) ; {numéro: identifiant}."""
    from evaluation.depot.importation import importer
    from evaluation.depot.verification import verifier_lot
    from evaluation.notes import evaluations
    from evaluation.notes.saisie import SOUMISE, Saisie
    from evaluation.socle import stockage
    from tests.filtrage import admettre

    contenu = gabarit_rempli(
        appel, [demande(appel, no, **cellules) for no, cellules in CELLULES.items()]
    )
    verification = verifier_lot([("demandes.xlsx", contenu)], appel)
    assert [p.message for p in verification.problemes if p.severite != "information"] == []
    importer(verification, appel, moteur=moteur)
    admettre(moteur, appel)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(table["no_demande"], table["id"].astype(int), strict=True))
    for no, note in NOTES.items():
        for evaluateur in evaluateurs:
            saisie = Saisie(notes={c.id: note for c in appel.criteres}, admissible=True)
            evaluations.enregistrer(appel, ids[no], evaluateur, saisie, SOUMISE, moteur=moteur)
    return ids
