"""Deux sessions sur la même chose (deux onglets d'une évaluatrice, deux membres du comité,
deux administrateurs) : la page ouverte la première ne peut plus écraser ce que l'autre
vient d'enregistrer ; elle le dit, et propose de recharger."""

from __future__ import annotations

import pytest

from evaluation.appels import parametres as parametres_appel
from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, EVALUATEUR, PRESIDENT
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.pages.conftest import textes

EVA = "evaluateur@exemple.qc.ca"


@pytest.fixture
def ids(base):
    appel = charger_appel()
    moteur = stockage.creer_moteur(base)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    moteur.dispose()
    return [int(i) for i in table["id"]]


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def erreurs(at) -> str:
    return "\n".join(e.value for e in at.error)


def test_deux_onglets_d_une_evaluatrice(application, ids, moteur):
    """L'onglet ancien garde ses curseurs, mais son enregistrement est refusé : le
    commentaire et la note de l'onglet récent restent. Il peut recharger, ou remplacer en
    connaissance de cause (le journal garde les deux)."""
    appel = charger_appel()
    premier = appel.criteres[0]
    d = ids[0]
    ancien = application("pages/evaluation.py", role=EVALUATEUR)
    recent = application("pages/evaluation.py", role=EVALUATEUR)

    recent.select_slider(key=f"note::{d}::{premier.id}").set_value(10)
    recent.text_area(key=f"global::{d}::").set_value("Commentaire de l'onglet récent")
    executer(recent)
    recent.button(key="brouillon").click()
    executer(recent)
    assert recent.success, textes(recent)

    ancien.select_slider(key=f"note::{d}::{premier.id}").set_value(3)
    executer(ancien)
    ancien.button(key="brouillon").click()
    executer(ancien)
    message = erreurs(ancien)
    assert "L'évaluation de T-001 a été modifiée depuis l'ouverture de votre page" in message
    assert f"Note · {premier.libelle} (vide) → 10" in message
    assert "Commentaire de l'onglet récent" in message
    _statut, saisie, version = evaluations.lire_avec_version(d, EVA, moteur=moteur)
    assert saisie.notes[premier.id] == 10
    assert saisie.commentaire_global == "Commentaire de l'onglet récent"

    # Recharger : la version enregistrée remplace les curseurs de l'onglet ancien.
    ancien.button(key="perimee_recharger").click()
    executer(ancien)
    assert ancien.select_slider(key=f"note::{d}::{premier.id}").value == 10
    assert ancien.text_area(key=f"global::{d}::").value == "Commentaire de l'onglet récent"
    assert "perimee_recharger" not in [b.key for b in ancien.button]

    # Le récent, à son tour ancien, peut remplacer en connaissance de cause.
    ancien.select_slider(key=f"note::{d}::{premier.id}").set_value(6)
    executer(ancien)
    ancien.button(key="brouillon").click()
    executer(ancien)
    recent.select_slider(key=f"note::{d}::{premier.id}").set_value(2)
    executer(recent)
    recent.button(key="brouillon").click()
    executer(recent)
    assert "a été modifiée depuis l'ouverture" in erreurs(recent)
    recent.button(key="perimee_remplacer").click()
    executer(recent)
    _, saisie, nouvelle = evaluations.lire_avec_version(d, EVA, moteur=moteur)
    assert saisie.notes[premier.id] == 2
    assert nouvelle == version + 2
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, demande_id=d)
    notes = journal[journal["objet"] == f"note:{premier.id}"]["nouveau"].tolist()
    assert notes == ["10", "6", "2"]


@pytest.fixture
def evaluees(ids, base):
    appel = charger_appel()
    moteur = stockage.creer_moteur(base)
    from tests.pages.conftest import compte_de_test

    compte_de_test(base, EVALUATEUR)
    for d in ids:
        evaluations.enregistrer(
            appel,
            d,
            EVA,
            Saisie(notes={c.id: 8 for c in appel.criteres}, admissible=True),
            SOUMISE,
            moteur=moteur,
        )
    moteur.dispose()
    return ids


def test_deux_membres_decident_la_meme_demande(application, evaluees, moteur):
    appel = charger_appel()
    d = evaluees[0]
    premiere = application("pages/classement.py", role=PRESIDENT)
    seconde = application("pages/classement.py", role=PRESIDENT)
    for at in (premiere, seconde):
        at.selectbox(key="dc_demande").set_value(d)
        executer(at)

    seconde.radio(key=f"dc_decision::{d}").set_value("refusé")
    seconde.text_area(key=f"dc_justification::{d}").set_value("Hors priorités")
    executer(seconde)
    seconde.button(key="dc_enregistrer").click()
    executer(seconde)

    premiere.radio(key=f"dc_decision::{d}").set_value("liste d'attente")
    premiere.text_area(key=f"dc_justification::{d}").set_value("À revoir")
    executer(premiere)
    premiere.button(key="dc_enregistrer").click()
    executer(premiere)
    assert "La décision sur T-001 a été modifiée depuis l'ouverture" in erreurs(premiere)
    assert "Hors priorités" in erreurs(premiere)
    with moteur.connect() as c:
        decisions = stockage.lire_decisions(appel.id, connexion=c)
    assert [x["decision"] for x in decisions] == ["refusé"]

    # Le refus vu, un second clic enregistre en connaissance de cause.
    premiere.button(key="dc_enregistrer").click()
    executer(premiere)
    with moteur.connect() as c:
        decisions = stockage.lire_decisions(appel.id, connexion=c)
    assert [x["decision"] for x in decisions] == ["liste d'attente"]


def test_deux_membres_en_seance(application, evaluees, moteur):
    appel = charger_appel()
    premiere = application("pages/seance.py", role=PRESIDENT)
    seconde = application("pages/seance.py", role=PRESIDENT)
    for at, texte in ((premiere, "À revoir"), (seconde, "Hors priorités")):
        next(t for t in at.text_input if t.key.startswith("seance_justif::")).set_value(texte)
        executer(at)
    seconde.button(key="seance_refuser").click()
    executer(seconde)
    premiere.button(key="seance_attente").click()
    executer(premiere)
    assert "a été modifiée depuis l'ouverture" in erreurs(premiere)
    with moteur.connect() as c:
        decisions = stockage.lire_decisions(appel.id, connexion=c)
    assert [x["decision"] for x in decisions] == ["refusé"]
    # La page s'est rafraîchie avec la décision enregistrée : le clic suivant passe.
    premiere.button(key="seance_attente").click()
    executer(premiere)
    with moteur.connect() as c:
        decisions = stockage.lire_decisions(appel.id, connexion=c)
    assert [x["decision"] for x in decisions] == ["liste d'attente"]


def test_deux_administrateurs_modifient_les_parametres(application, moteur):
    appel = charger_appel()
    parametres_appel.enregistrer(appel.source_toml, moteur=moteur, auteur="admin@exemple.qc.ca")
    cle = f"param_{appel.id}_"
    premier = application("pages/parametres.py", role=ADMIN)
    second = application("pages/parametres.py", role=ADMIN)

    second.text_area(key=cle + "description").set_value("Décrite par le second")
    second.button(key=f"FormSubmitter:{cle}formulaire-Enregistrer les paramètres").click()
    executer(second)
    assert parametres_appel.version_stockee(appel.id, moteur=moteur) == 2

    premier.text_input(key=cle + "nom_court").set_value("Nom du premier")
    premier.button(key=f"FormSubmitter:{cle}formulaire-Enregistrer les paramètres").click()
    executer(premier)
    assert "a été modifiée depuis l'ouverture de votre page" in erreurs(premier)
    assert "appel.description : " in erreurs(premier)
    assert "→ Décrite par le second" in erreurs(premier)
    with moteur.connect() as c:
        toml = stockage.lire_appel(appel.id, connexion=c)["configuration_toml"]
    assert "Décrite par le second" in toml and "Nom du premier" not in toml

    premier.button(key="param_recharger").click()
    executer(premier)
    assert premier.text_area(key=cle + "description").value == "Décrite par le second"
    premier.text_input(key=cle + "nom_court").set_value("Nom du premier")
    premier.button(key=f"FormSubmitter:{cle}formulaire-Enregistrer les paramètres").click()
    executer(premier)
    with moteur.connect() as c:
        toml = stockage.lire_appel(appel.id, connexion=c)["configuration_toml"]
    assert "Décrite par le second" in toml and "Nom du premier" in toml


def test_saisie_gardee_le_temps_d_une_autre_page_reste_sur_sa_version(application, ids, moteur):
    """Une note bougée sans enregistrer, un passage à l'Accueil, un autre onglet qui
    enregistre entre-temps : au retour, la saisie gardée est refusée au lieu d'effacer la
    note et le commentaire de l'autre onglet."""
    appel = charger_appel()
    c1, c2 = appel.criteres[0], appel.criteres[1]
    d = ids[0]
    ancien = application("pages/evaluation.py", role=EVALUATEUR)
    ancien.select_slider(key=f"note::{d}::{c1.id}").set_value(3)
    executer(ancien)
    ancien.switch_page("pages/accueil.py")
    executer(ancien)

    recent = application("pages/evaluation.py", role=EVALUATEUR)
    recent.select_slider(key=f"note::{d}::{c2.id}").set_value(9)
    recent.text_area(key=f"global::{d}::").set_value("Écrit par l'onglet récent")
    executer(recent)
    recent.button(key="brouillon").click()
    executer(recent)

    ancien.switch_page("pages/evaluation.py")
    executer(ancien)
    assert ancien.select_slider(key=f"note::{d}::{c1.id}").value == 3
    ancien.button(key="brouillon").click()
    executer(ancien)
    assert "L'évaluation de T-001 a été modifiée depuis l'ouverture" in erreurs(ancien)
    _, saisie, _ = evaluations.lire_avec_version(d, EVA, moteur=moteur)
    assert saisie.notes[c2.id] == 9
    assert saisie.commentaire_global == "Écrit par l'onglet récent"
