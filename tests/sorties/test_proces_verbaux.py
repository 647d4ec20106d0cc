"""Le procès-verbal d'une séance lu de la base (evaluation/sorties/proces_verbaux.py), sur
SQLite et PostgreSQL. Le jeu : les trois demandes de valide.xlsx ; les pondérations changées
avant la notation (« Critères d'égale importance ») ; T-001 et T-002 notées, T-003 jugée
inadmissible par l'analyste (« hors programme ») ; une séance du 24 novembre 2026 où sont
présents la présidence, Membre Un et Marie Roy (sans compte, secrétaire du comité) ; Membre
Un déclare un conflit sur T-001, amenée en séance puis refusée.
"""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
import pytest
from openpyxl import load_workbook

from evaluation.decision import chargement, classement, conduite, decisions, seance
from evaluation.decision.declarations import declarer_conflit
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.roles import MEMBRE, PRESIDENT
from evaluation.sorties.proces_verbaux import contenu_de_la_seance, pdf_de_la_seance
from tests.decision.conftest import VALIDE, _soumettre
from tests.filtrage import ANALYSTE, admettre, ecarter

P, M = "p@x.ca", "m@x.ca"
MOT_DE_PASSE = "cheval agrafe batterie correcte"
OUVERTE = dt.datetime(2026, 11, 24, 9, 0)


@pytest.fixture
def seance_tenue(moteur, appel):
    creer_compte(P, PRESIDENT, MOT_DE_PASSE, moteur=moteur, nom="Paule Présidente")
    creer_compte(M, MEMBRE, MOT_DE_PASSE, moteur=moteur, nom="Membre Un")
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))
    egaux = {c.id: 100 / len(appel.criteres) for c in appel.criteres}
    decisions.adopter_poids(
        appel, egaux, moteur=moteur, auteur=P, raison="Critères d'égale importance"
    )
    for no in ("T-001", "T-002"):
        _soumettre(appel, moteur, ids[no], "e1@x.ca", 8.0)
        _soumettre(appel, moteur, ids[no], "e2@x.ca", 7.0)
    ecarter(moteur, appel, ids["T-003"], "hors programme", "objectifs-concrets")
    s = conduite.ouvrir(
        appel, moteur=moteur, auteur=P, role=PRESIDENT, ordre=seance.RANG, presents=[P, M],
        sans_compte=[("Marie Roy", "secrétaire du comité")], maintenant=OUVERTE,
    )  # fmt: skip
    declarer_conflit(
        appel, ids["T-001"], M, "beau-frère maire", moteur=moteur, auteur=P, maintenant=OUVERTE
    )
    conduite.aller_a(
        appel, s, ids["T-001"], moteur=moteur, auteur=P, role=PRESIDENT,
        maintenant=OUVERTE + dt.timedelta(minutes=1),
    )  # fmt: skip
    decisions.enregistrer_decision(
        appel, ids["T-001"], "refusé", (), "projet trop faible", moteur=moteur, auteur=P,
        maintenant=OUVERTE + dt.timedelta(minutes=5),
    )  # fmt: skip
    conduite.fermer(
        appel, s, moteur=moteur, auteur=P, role=PRESIDENT,
        maintenant=OUVERTE + dt.timedelta(minutes=10),
    )  # fmt: skip
    donnees = chargement.charger(appel, moteur=moteur)
    return s, ids, donnees, classement.classement(appel, donnees)


def test_contenu_lu_de_la_base(moteur, appel, seance_tenue):
    """Présents, récusations (présent : sorti de la salle), demandes discutées, décisions
    inscrites pendant la séance, pondérations et leur historique, inadmissibles avec leurs
    raisons et l'analyste, bloc de signature : la présidence qui a ouvert la séance, la
    secrétaire présente, le lieu saisi."""
    s, ids, donnees, table = seance_tenue
    c = contenu_de_la_seance(
        appel, donnees, table, moteur=moteur, seance_id=s, jour=OUVERTE.date(),
        auteur="Paule Présidente", lieu="  Québec ",
    )  # fmt: skip
    assert c.presents == ["Paule Présidente", "Membre Un", "Marie Roy (secrétaire du comité)"]
    (recusation,) = c.recusations
    assert (recusation["nom"], recusation["raison"], recusation["present"]) == (
        "Membre Un", "beau-frère maire", True
    )  # fmt: skip
    assert ids["T-001"] in c.discutees
    (inscrite,) = c.decisions_de_la_seance
    assert (inscrite["demande_id"], inscrite["decision"]) == (ids["T-001"], "refusé")
    assert [p["raison"] for p in c.ponderations] == ["Critères d'égale importance"]
    assert c.poids == pytest.approx({x.id: 100 / len(appel.criteres) for x in appel.criteres})
    (inadmissible,) = c.inadmissibles
    assert inadmissible.no_demande == "T-003"
    assert "hors programme" in inadmissible.raisons
    assert inadmissible.par == ANALYSTE  # pas de compte : son courriel
    assert c.signature.presidence == "Paule Présidente"
    assert c.signature.secretariat == "Marie Roy"
    assert c.signature.lieu == "Québec"
    # Le secrétariat saisi l'emporte ; sans séance, ni présents ni présidence.
    autre = contenu_de_la_seance(
        appel, donnees, table, moteur=moteur, seance_id=s, jour=OUVERTE.date(), auteur="P",
        secretariat="Luc Gagnon",
    )  # fmt: skip
    assert autre.signature.secretariat == "Luc Gagnon"
    sans = contenu_de_la_seance(
        appel, donnees, table, moteur=moteur, seance_id=None, jour=OUVERTE.date(), auteur="P"
    )
    assert (sans.presents, sans.signature.presidence, sans.decisions_de_la_seance) == (
        [], "", None
    )  # fmt: skip


def test_pdf_de_la_seance_et_son_classeur(moteur, appel, seance_tenue):
    """Le PDF/A joint le classeur du comité de tout l'appel, feuille Évaluations comprise,
    sous le nom que la page Classement lui donne."""
    s, _, donnees, table = seance_tenue
    c = contenu_de_la_seance(
        appel, donnees, table, moteur=moteur, seance_id=s, jour=OUVERTE.date(), auteur="P"
    )
    instant = dt.datetime(2026, 11, 24, 14, 0)
    octets = pdf_de_la_seance(c, donnees, moteur=moteur, auteur=P, instant=instant)
    lecteur = pikepdf.open(io.BytesIO(octets))
    assert lecteur.open_metadata()["pdfaid:part"] == "3"
    (nom,) = lecteur.attachments
    assert nom == f"{appel.id}_classement_2026-11-24.xlsx"
    livre = load_workbook(io.BytesIO(lecteur.attachments[nom].get_file().read_bytes()))
    assert {"Classement", "Évaluations", "Paramètres"} <= set(livre.sheetnames)
    numeros = {r[0].value for r in livre["Évaluations"].iter_rows(min_row=2) if r[0].value}
    assert {"T-001", "T-002"} <= numeros
