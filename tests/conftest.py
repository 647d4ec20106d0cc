"""Fixtures partagées : l'appel livré, le répertoire, des bases neuves (SQLite et PostgreSQL)."""

from __future__ import annotations

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


@pytest.fixture(params=["sqlite", "postgresql"])
def moteur(request, tmp_path):
    """Une base vide, une fois sur SQLite et une fois sur PostgreSQL (schéma jetable)."""
    if request.param == "sqlite":
        moteur = creer_moteur(f"sqlite:///{tmp_path / 'base.sqlite'}")
        yield moteur
        moteur.dispose()
        return
    raison = _postgres_ou_raison()
    if raison:
        if os.environ.get("CI"):
            pytest.fail(raison)
        pytest.skip(raison)
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    administrateur = sa.create_engine(URL_POSTGRES)
    with administrateur.begin() as c:
        c.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.engine.make_url(URL_POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"})
    moteur = creer_moteur(url.render_as_string(hide_password=False))
    yield moteur
    moteur.dispose()
    with administrateur.begin() as c:
        c.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    administrateur.dispose()


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
    debut = appel.financement.premiere_annee_debut
    demandes["Date de début"] = pd.Timestamp(debut + dt.timedelta(days=30))
    demandes["Date de fin"] = pd.Timestamp(debut + dt.timedelta(days=300))
    chemin = dossier / f"demandes-{appel.id}.xlsx"
    with pd.ExcelWriter(chemin, engine="openpyxl") as sortie:
        demandes.to_excel(sortie, sheet_name="Demandes", index=False)
        budget.to_excel(sortie, sheet_name="Budget", index=False)
    return chemin
