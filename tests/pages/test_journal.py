"""La page Journal : chaque changement, filtrable, et téléchargeable en CSV."""

import io
import re

import pandas as pd
import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions, evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import formats, stockage
from evaluation.socle.mots_de_passe import hacher
from evaluation.socle.roles import ADMIN, EVALUATEUR, PRESIDENT
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.pages.conftest import compte_de_test, textes

pytestmark = pytest.mark.usefixtures("cadre_a_chaque_execution")

PAGE = "pages/journal.py"
VALIDE = DONNEES / "formats" / "valide.xlsx"
EVA = "eva@exemple.qc.ca"


@pytest.fixture
def appel():
    return charger_appel()


@pytest.fixture
def changements(base, appel, moteur) -> dict[str, int]:
    """Trois demandes, une évaluation soumise d'Éva et un conflit d'intérêts ; {numéro: id}."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    compte_de_test(base, EVALUATEUR, EVA, nom="Éva Lachance")
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(table["no_demande"], table["id"].astype(int), strict=True))
    saisie = Saisie(notes={c.id: 7.5 for c in appel.criteres}, admissible=True)
    evaluations.enregistrer(appel, ids["T-001"], EVA, saisie, SOUMISE, moteur=moteur)
    attributions.declarer_conflit(
        appel.id, ids["T-002"], EVA, "Frère du directeur général", moteur=moteur, auteur=EVA
    )
    return ids


def _journal(moteur, appel) -> pd.DataFrame:
    with moteur.connect() as c:
        return stockage.lire_journal(connexion=c, appel_id=appel.id)


def _compte(at) -> str:
    (ligne,) = [c.value for c in at.caption if " sur " in c.value and "changement" in c.value]
    return ligne


def _table(at) -> pd.DataFrame:
    (table,) = [d.value for d in at.dataframe]
    return table


def test_journal_vide(application, base):
    """Un compte inscrit sans passer par comptes.creer_compte (qui journalise sa création) :
    le seul moyen d'avoir un journal vide, la création du premier compte y figurant sinon."""
    moteur = stockage.creer_moteur(base)
    try:
        with moteur.begin() as c:
            stockage.creer_compte(
                {
                    "courriel": "admin@exemple.qc.ca",
                    "nom": "Admin",
                    "role": ADMIN,
                    "hache_mot_de_passe": hacher("cheval agrafe batterie correcte"),
                    "actif": True,
                },
                connexion=c,
            )
    finally:
        moteur.dispose()
    at = application(PAGE)
    assert at.title[0].value == "Journal"
    assert [i.value for i in at.info] == ["Aucun changement inscrit pour cet appel."]
    assert not at.multiselect and not at.dataframe
    assert not at.get("download_button")


def test_base_neuve_le_journal_montre_la_creation_du_compte(application):
    at = application(PAGE)
    assert _compte(at) == "1 changement sur 1."
    table = _table(at)
    assert table[["Auteur", "Objet", "Nouvelle valeur"]].values.tolist() == [
        ["admin@exemple.qc.ca", "Création de compte", ADMIN]
    ]


@pytest.mark.parametrize("role", [ADMIN, PRESIDENT])
def test_compte_filtre_et_telechargement(
    application, appel, moteur, changements, fichiers_servis, role
):
    at = application(PAGE, role=role)
    total = len(_journal(moteur, appel))
    # Création des comptes (2), notes, statut, admissibilité, conflit : bien plus que 5.
    assert total > 5
    assert _compte(at) == f"{total} changements sur {total}."
    assert len(_table(at)) == total

    categories = at.multiselect(key="journal_categories")
    assert {"Notes", "Conflits d'intérêts", "Comptes", "Statut"} <= set(categories.options)
    categories.set_value(["Conflits d'intérêts"]).run()
    assert not at.exception, at.exception
    assert _compte(at) == f"1 changement sur {total}."
    (ligne,) = _table(at).to_dict("records")
    assert (ligne["Demande"], ligne["Évaluateur"], ligne["Objet"]) == (
        "T-002",
        EVA,
        "Conflit d'intérêts",
    )
    assert ligne["Nouvelle valeur"] == "Frère du directeur général"

    # Le CSV remis au bouton suit le filtre, dans ses deux formes (issue 19).
    bouton = at.get("download_button")
    assert [b.proto.label for b in bouton] == [
        "Télécharger le journal (CSV, Excel (français))",
        "Télécharger le journal (CSV, données)",
    ]
    nom, contenu = fichiers_servis.lire(at, "journal_csv")
    assert nom == f"journal-{appel.id}.csv"
    csv = pd.read_csv(io.BytesIO(contenu), sep=";", encoding="utf-8-sig")
    assert list(csv["Objet"]) == ["Conflit d'intérêts"]
    assert list(csv["Demande"]) == ["T-002"]

    categories.set_value(["Notes", "Conflits d'intérêts"]).run()
    assert _compte(at) == f"{len(appel.criteres) + 1} changements sur {total}."
    _, contenu = fichiers_servis.lire(at, "journal_csv")
    csv = pd.read_csv(io.BytesIO(contenu), sep=";", encoding="utf-8-sig", dtype=str)
    assert len(csv) == len(appel.criteres) + 1
    assert set(csv.loc[csv["Objet"].str.startswith("Note"), "Nouvelle valeur"]) == {"7,5"}
    nom, contenu = fichiers_servis.lire(at, "journal_csv_donnees")
    assert nom == f"journal-{appel.id}_donnees.csv"
    assert not contenu.startswith(b"\xef\xbb\xbf")
    donnees = pd.read_csv(io.BytesIO(contenu), sep=",", encoding="utf-8", dtype=str)
    assert set(donnees.loc[donnees["Objet"].str.startswith("Note"), "Nouvelle valeur"]) == {"7.5"}
    # Dans les deux fichiers, l'horodatage ISO à la seconde (formats.date_heure_fichier).
    instants = _journal(moteur, appel)
    vues = {formats.date_heure_fichier(d) for d in instants["date"]}
    assert set(csv["Date"]) <= vues and set(donnees["Date"]) <= vues


def test_date_a_la_quebecoise_le_plus_recent_en_premier(application, appel, moteur, changements):
    """Issue 19 : la colonne Date se lit « 29 novembre 2026 à 17 h 22 » (formats.date_heure),
    pas « 2026-11-29 17:22:05 », et le tableau va du plus récent au plus ancien."""
    at = application(PAGE)
    assert not at.exception, at.exception
    dates = list(_table(at)["Date"])
    instants = sorted(_journal(moteur, appel)["date"], reverse=True)
    assert dates == [formats.date_heure(d) for d in instants]
    assert all(re.fullmatch(r"\d{1,2}(er)? [a-zéû]+ \d{4} à \d{1,2} h \d\d", d) for d in dates)


def test_filtre_par_auteur(application, appel, moteur, changements):
    at = application(PAGE)
    total = len(_journal(moteur, appel))
    journal = _journal(moteur, appel)
    par_eva = int((journal["auteur"] == EVA).sum())
    assert 0 < par_eva < total
    at.multiselect(key="journal_auteurs").set_value([EVA]).run()
    assert _compte(at) == f"{par_eva} changements sur {total}."
    assert set(_table(at)["Auteur"]) == {EVA}


def test_journal_sans_notes_individuelles_pour_l_observateur(application, changements):
    at = application(PAGE, role="observateur")
    assert "Cette page est réservée" in textes(at)
    assert not at.dataframe and not at.get("download_button")
