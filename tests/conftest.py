"""Fixtures partagées : l'appel livré, le répertoire, des bases neuves (SQLite et PostgreSQL)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import uuid
from pathlib import Path

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.depot.municipalites import repertoire as charger_repertoire
from evaluation.socle.stockage import creer_moteur

RACINE_PROJET = Path(__file__).resolve().parent.parent
DONNEES = RACINE_PROJET / "tests" / "donnees"
URL_POSTGRES = os.environ.get(
    "EVALUATION_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def appel():
    return charger_appel()


def appel_d_organismes(appel):
    """L'appel livré, dont le demandeur est un organisme (`[demandeur] type = "organisme"`,
    issue 18) : mêmes axes, secteurs et règles, autres colonnes du demandeur."""
    from evaluation.appels.configuration import appel_depuis_toml

    assert "[demandeur]" not in appel.source_toml
    return appel_depuis_toml(appel.source_toml + '\n[demandeur]\ntype = "organisme"\n')


@pytest.fixture(scope="session")
def appel_organisme(appel):
    return appel_d_organismes(appel)


@pytest.fixture(scope="session")
def repertoire():
    return charger_repertoire()


@pytest.fixture
def moteur_sqlite(tmp_path):
    moteur = creer_moteur(f"sqlite:///{tmp_path / 'base.sqlite'}")
    yield moteur
    moteur.dispose()


def _postgres_ou_raison() -> str | None:
    import sqlalchemy as sa

    try:
        moteur = sa.create_engine(URL_POSTGRES, connect_args={"connect_timeout": 3})
        with moteur.connect():
            pass
        moteur.dispose()
    except Exception as exc:  # serveur absent : le test le dit, et .ci/run en démarre un
        return f"PostgreSQL injoignable ({URL_POSTGRES}) : {type(exc).__name__}"
    return None


INSTANT_FIXE = dt.datetime(2026, 11, 30, 23, 59, 58)


@pytest.fixture
def heure_fixe(monkeypatch):
    """L'heure que lisent les exports (`stockage.maintenant`), fixée deux secondes avant
    minuit : un nom de fichier ou un « Exporté le » attendu ne dépend plus du jour où le test
    tourne, ni d'un passage de minuit pendant le test."""
    from evaluation.socle import stockage

    monkeypatch.setattr(stockage, "maintenant", lambda: INSTANT_FIXE)
    return INSTANT_FIXE


def manque(raison: str):
    """Un outil de la machine manque (PostgreSQL, LibreOffice, Chromium…) : le test est
    ignoré sur un poste, mais échoue en intégration continue (`CI` défini, ce que fait
    `.ci/run`), où `.ci/run` l'installe ; un test ignoré en CI ne vérifierait rien."""
    if os.environ.get("CI"):
        pytest.fail(raison)
    pytest.skip(raison)


@contextlib.contextmanager
def base_vide(dialecte: str, dossier: Path, nom: str | None = None):
    """Une base neuve, SQLite (fichier `nom` dans `dossier`, un nom unique par défaut) ou
    PostgreSQL (schéma jetable, supprimé à la sortie)."""
    if dialecte == "sqlite":
        moteur = creer_moteur(f"sqlite:///{dossier / (nom or f'{uuid.uuid4().hex}.sqlite')}")
        try:
            yield moteur
        finally:
            moteur.dispose()
        return
    if raison := _postgres_ou_raison():
        manque(raison)
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    administrateur = sa.create_engine(URL_POSTGRES)
    with administrateur.begin() as c:
        c.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.engine.make_url(URL_POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"})
    moteur = creer_moteur(url.render_as_string(hide_password=False))
    try:
        yield moteur
    finally:
        moteur.dispose()
        with administrateur.begin() as c:
            c.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        administrateur.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def moteur(request, tmp_path):
    """Une base vide, une fois sur SQLite et une fois sur PostgreSQL (schéma jetable)."""
    with base_vide(request.param, tmp_path, "base.sqlite") as moteur:
        yield moteur


def classeur(feuilles: dict[str, list[list[object]]]) -> bytes:
    """Un classeur xlsx en mémoire : {nom de feuille: lignes}."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for nom, lignes in feuilles.items():
        feuille = wb.create_sheet(nom)
        for ligne in lignes:
            feuille.append(ligne)
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


@pytest.fixture
def base_valide() -> Path:
    return DONNEES / "formats" / "valide.xlsx"


def demandes_pour_appel(appel, dossier: Path) -> Path:
    """Les trois demandes de tests/donnees/formats/valide.xlsx (T-001 à T-003), adaptées à
    `appel` : ses premiers axes et secteurs, sa première qualité de signataire, des dates
    dans sa première année financière. Pour importer dans un appel créé d'après un modèle."""
    import datetime as dt

    import pandas as pd

    source = DONNEES / "formats" / "valide.xlsx"
    demandes = pd.read_excel(source, sheet_name="Demandes", engine="calamine")
    budget = pd.read_excel(source, sheet_name="Budget", engine="calamine")
    n = len(demandes)
    if appel.axes:
        demandes["Axe"] = [appel.axes[i % len(appel.axes)].numero for i in range(n)]
    else:
        demandes = demandes.drop(columns=["Axe"])
    if appel.secteurs:
        demandes["Secteur principal"] = [
            appel.secteurs[i % len(appel.secteurs)].libelle for i in range(n)
        ]
        demandes["Secteurs secondaires"] = None
    else:
        demandes = demandes.drop(columns=["Secteur principal", "Secteurs secondaires"])
    # Issue 18 : chaque dimension déclarée, la première valeur (et la suivante, pour une
    # dimension à plusieurs valeurs : « ; » entre les deux).
    for d in appel.dimensions:
        libelles = [v.libelle for v in d.valeurs]
        demandes[d.libelle] = [
            " ; ".join(libelles[i % len(libelles) : i % len(libelles) + (2 if d.multiple else 1)])
            for i in range(n)
        ]
    if appel.demandeur_organisme:
        demandes = demandes.rename(columns={"Municipalité requérante": "Municipalité du siège"})
        demandes = demandes.drop(columns=["Municipalités partenaires"])
        demandes.insert(1, "Organisme requérant", [f"Organisme de test {i + 1}" for i in range(n)])
        demandes.insert(2, "NEQ", [f"114{i:07d}" for i in range(n)])
    admissibles = [c.libelle for c in appel.categories if c.admissible and not c.plafonnee]
    connues = {n for c in appel.categories for n in (c.libelle, *c.alias)}
    if admissibles:
        budget["Catégorie de dépense"] = [
            c if c in connues else admissibles[0] for c in budget["Catégorie de dépense"]
        ]
    demandes["Qualité du signataire"] = appel.qualites_signataire[0]
    # Sans les colonnes qu'aucune condition de l'appel ne lit (le gabarit ne les a pas).
    from evaluation.depot.gabarit import LIBELLES_CHAMPS, colonnes_sans_objet

    sans_objet = [LIBELLES_CHAMPS[c] for c in colonnes_sans_objet(appel) if c in LIBELLES_CHAMPS]
    demandes = demandes.drop(columns=[c for c in sans_objet if c in demandes])
    debut = appel.financement.premiere_annee_debut
    demandes["Date de début"] = pd.Timestamp(debut + dt.timedelta(days=30))
    demandes["Date de fin"] = pd.Timestamp(debut + dt.timedelta(days=300))
    chemin = dossier / f"demandes-{appel.id}.xlsx"
    with pd.ExcelWriter(chemin, engine="openpyxl") as sortie:
        demandes.to_excel(sortie, sheet_name="Demandes", index=False)
        budget.to_excel(sortie, sheet_name="Budget", index=False)
    return chemin


# Une demande telle qu'une municipalité la remplit dans le gabarit (issue 18) : seulement
# les colonnes du demandeur, par en-tête ; « Axe » et « Région » comme les listes
# déroulantes les proposent.
DEMANDE_MUNICIPALE = {
    "Municipalité requérante": "Rimouski",
    "Région administrative": "01 – Bas-Saint-Laurent",
    "Partenaires étrangers": "Ville de Brest",
    "Pays": "France",
    "Titre du projet": "Jumelage maritime Rimouski-Brest",
    "Résumé": "Échange d'expertise entre les services portuaires de Rimouski et de Brest.",
    "Axe": "2 – Favoriser le développement de partenariats stratégiques et le transfert "
    "d'expertise",
    "Secteur principal": "Innovation",
    "Date de début": "2024-05-01",
    "Date de fin": "2025-03-15",
    "Coût total du projet": 40000,
    "Montant demandé – année 1": 20000,
    "Contribution du demandeur": 15000,
    "Cofinancement externe": 5000,
    "Autre financement gouvernemental": "non",
    "Budget détaillé": "oui",
    "Engagement à produire un rapport": "oui",
    "Qualité du signataire": "fonctionnaire",
    "Courriel": "international@rimouski.example",
    "Objectifs": "Doter Rimouski d'un plan d'action portuaire international d'ici mars 2025.",
    "Échéancier": "Mai 2024 : mission à Brest ; octobre 2024 : accueil ; mars 2025 : bilan.",
    "Retombées attendues": "Deux ententes de coopération portuaire.",
    "Visibilité": "Conférence de presse conjointe ; page du projet sur le site de la Ville.",
    "Ressources humaines": "Conseillère aux relations internationales, deux jours par semaine.",
    "Capacité financière": "Contribution de 15 000 $ inscrite au budget 2024 de la Ville.",
    "Résolution du conseil": "Résolution 2024-02-117 du 12 février 2024",
}
# Ses dépenses : (année, catégorie, description, montant), 20 000 $ en année 1.
DEPENSES_MUNICIPALES = [
    (
        1,
        "Ressources professionnelles externes directement liées à la réalisation du projet",
        "Firme d'animation",
        12000,
    ),
    (
        1,
        "Frais d'organisation logistique directement liés à la réalisation du projet",
        "Salles et interprètes",
        8000,
    ),
]


def gabarit_rempli(appel, demandes: list[dict], depenses: list[dict]) -> bytes:
    """Le gabarit de `appel` (`gabarit.construire_gabarit`) rempli comme un demandeur le
    remplit : chaque valeur sous l'en-tête qu'il nomme, sous la ligne d'en-têtes, sans
    jamais toucher aux colonnes réservées au ministère (le test échoue s'il le tente)."""
    from openpyxl import load_workbook

    from evaluation.depot import gabarit

    wb = load_workbook(io.BytesIO(gabarit.construire_gabarit(appel)))
    for nom, lignes, colonnes in (
        (gabarit.FEUILLE_DEMANDES, demandes, gabarit.COLONNES_DEMANDES),
        (gabarit.FEUILLE_BUDGET, depenses, gabarit.COLONNES_BUDGET),
    ):
        feuille = wb[nom]
        reservees = {c.entete for c in colonnes if c.ministere}
        position = {
            c.value: c.column for c in feuille[gabarit.LIGNE_ENTETES] if c.value is not None
        }
        for i, valeurs in enumerate(lignes, gabarit.LIGNE_ENTETES + 1):
            for entete, valeur in valeurs.items():
                assert entete not in reservees, f"{entete} : réservé au ministère"
                feuille.cell(i, position[entete]).value = valeur
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def depenses(lignes, titre: str | None = None) -> list[dict]:
    """Les lignes de la feuille Budget, par en-tête ; `titre` : le « Titre du projet » de
    chacune (un fichier de plusieurs demandes)."""
    return [
        {"Année": a, "Catégorie de dépense": c, "Description": d, "Montant": m}
        | ({"Titre du projet": titre} if titre else {})
        for a, c, d, m in lignes
    ]
