"""La page Conventions et versements (issue 17, point 4), lue et remplie comme le fait
l'administration ; la présidence la lit sans rien y inscrire.

Jeu : les demandes de valide.xlsx ; T-002 retenue à 30 000 $ puis 20 000 $ (fin du projet
déclarée : 1er mars 2026), T-001 retenue à 20 000 $ (fin : 15 mars 2025) ; T-003 refusée.
Le rapport de T-001 est dû 90 jours après la fin du projet (réglage du ministère : « s'engagent
à produire un rapport financier et narratif sur le projet financé », sans échéance dans
l'appel), le 13 juin 2025 : en retard de 80 jours le 1er septembre 2025, « aujourd'hui »
pour ces tests.
"""

import datetime as dt

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.decision.financement import REFUSE, RETENU
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, EVALUATEUR, OBSERVATEUR, PRESIDENT
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.ministere import approuver_les_recommandations, recommander
from tests.pages.conftest import rendu, sous_le_controle, textes

PAGE = "pages/conventions.py"
VALIDE = DONNEES / "formats" / "valide.xlsx"
NBSP = "\u00a0"
ECHEANCE_T001 = dt.date(2025, 6, 13)


@pytest.fixture
def ids(moteur):
    appel = charger_appel()
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(table["no_demande"], table["id"].astype(int), strict=True))
    recommander(moteur, appel, ids["T-002"], RETENU, 3_000_000, 2_000_000)
    recommander(moteur, appel, ids["T-001"], RETENU, 2_000_000)
    recommander(moteur, appel, ids["T-003"], REFUSE)
    approuver_les_recommandations(moteur, appel)
    return ids


MAINTENANT = dt.datetime(2025, 9, 1, 10, 0)  # le rapport de T-001 a 80 jours de retard


@pytest.fixture(autouse=True)
def au_1er_septembre_2025(monkeypatch):
    """« Aujourd'hui » fixé : la page et les inscriptions lisent `stockage.maintenant`."""
    monkeypatch.setattr(stockage, "maintenant", lambda: MAINTENANT)


def _retard() -> int:
    return (MAINTENANT.date() - ECHEANCE_T001).days


def _tableau(at, colonne: str):
    """Le tableau de la page qui a cette colonne (« Retard » : les rapports en retard ;
    « Statut » : tous les dossiers suivis)."""
    (tableau,) = [d.value for d in at.dataframe if colonne in d.value.columns]
    return tableau


def _journal(moteur) -> list[tuple[str, str]]:
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, objets=["convention", "versement", "rapport:recu"])
    return list(zip(j["objet"], j["nouveau"], strict=True))


def test_retards_en_haut_puis_le_tableau(application, ids):
    at = application(PAGE, role=ADMIN)
    assert at.title[0].value == "Conventions et versements"
    sous_titres = [s.value for s in at.subheader]
    assert sous_titres[0].startswith("Rapports en retard au ")
    assert sous_titres[:3] == [sous_titres[0], "Dossiers suivis", "Inscrire"]
    (alerte,) = at.error
    assert rendu(alerte.value) == (
        f"1 rapport financier et narratif en retard ; le plus ancien : T-001, {_retard()} jours "
        "de retard."
    )
    retards = _tableau(at, "Retard")
    assert retards["Demande"].tolist() == ["T-001"]
    assert retards["Rapport dû le"].tolist() == ["13 juin 2025"]
    suivi = _tableau(at, "Statut").set_index("Demande")
    assert suivi.index.tolist() == ["T-001", "T-002"]  # T-003, refusée, n'est pas suivie
    assert suivi.loc["T-002", "Prévu 2024-2025"] == f"30{NBSP}000{NBSP}$"
    assert suivi.loc["T-002", "Prévu 2025-2026"] == f"20{NBSP}000{NBSP}$"
    assert suivi.loc["T-001", "Prévu 2025-2026"] == f"0{NBSP}$"
    assert suivi.loc["T-002", "Convention signée le"] == "—"
    assert suivi.loc["T-002", "Statut"] == "convention à signer"
    assert suivi.loc["T-002", "Rapport dû le"] == "30 mai 2026"
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["Conventions signées"] == "0 sur 2"
    assert metriques["Reste à verser"] == f"70{NBSP}000{NBSP}$"
    assert "90 jours après la fin du projet" in textes(at)
    assert "réglage du ministère" in textes(at)


def test_convention_puis_versement_inscrits_et_journalises(application, ids, moteur):
    at = application(PAGE, role=ADMIN)
    at.selectbox(key="cv_demande").set_value(ids["T-002"]).run()
    t2 = ids["T-002"]
    at.date_input(key=f"cv_signature::{t2}").set_value(dt.date(2024, 6, 10))
    at.button(key="cv_enregistrer").click().run()
    assert not at.exception, at.exception
    assert sous_le_controle(at, "cv_enregistrer") == [
        "Convention de T-002 signée le 10 juin 2024 : inscrite."
    ]
    at.selectbox(key=f"vs_annee::{t2}").set_value(1)
    at.text_input(key=f"vs_montant::{t2}::1").input("12 500")
    at.date_input(key=f"vs_date::{t2}").set_value(dt.date(2024, 7, 2))
    at.button(key="vs_enregistrer").click().run()
    assert sous_le_controle(at, "vs_enregistrer") == [
        f"Versement de 12{NBSP}500{NBSP}$ à T-002 pour 2024-2025 : inscrit."
    ]
    suivi = _tableau(at, "Statut").set_index("Demande")
    assert suivi.loc["T-002", "Convention signée le"] == "10 juin 2024"
    assert suivi.loc["T-002", "Versé 2024-2025"] == f"12{NBSP}500{NBSP}$"
    assert suivi.loc["T-002", "Statut"] == "versements en cours"
    assert [o for o, _ in _journal(moteur)] == ["convention", "versement"]


def test_trop_paye_refuse_sous_le_bouton(application, ids, moteur):
    """« la détermination des sommes qui leur seront accordées » revient au ministère : un
    versement au-delà du montant accordé de l'année est refusé, et rien n'est écrit."""
    at = application(PAGE, role=ADMIN)
    t1 = ids["T-001"]
    at.date_input(key=f"cv_signature::{t1}").set_value(dt.date(2024, 6, 1))
    at.button(key="cv_enregistrer").click().run()
    at.text_input(key=f"vs_montant::{t1}::1").input("20 000,01")
    at.date_input(key=f"vs_date::{t1}").set_value(dt.date(2024, 7, 2))
    at.button(key="vs_enregistrer").click().run()
    (refus,) = sous_le_controle(at, "vs_enregistrer")
    assert refus.replace(NBSP, " ").startswith(
        "Refusé : T-001 : 20 000,01 $ porterait le total versé pour 2024-2025 à 20 000,01 $, "
        "au-delà des 20 000 $ accordés"
    )
    assert [o for o, _ in _journal(moteur)] == ["convention"]


def test_versement_sans_convention_refuse(application, ids):
    at = application(PAGE, role=ADMIN)
    t1 = ids["T-001"]
    at.date_input(key=f"vs_date::{t1}").set_value(dt.date(2024, 7, 2))
    at.button(key="vs_enregistrer").click().run()
    (refus,) = sous_le_controle(at, "vs_enregistrer")
    assert "aucune convention n'est signée pour cette demande" in refus


def test_rapport_recu_sort_de_la_liste_des_retards(application, ids, moteur):
    at = application(PAGE, role=ADMIN)
    t1 = ids["T-001"]
    at.date_input(key=f"cv_signature::{t1}").set_value(dt.date(2024, 6, 1))
    at.button(key="cv_enregistrer").click().run()
    at.date_input(key=f"rp_date::{t1}").set_value(dt.date(2025, 6, 20))
    at.button(key="rp_enregistrer").click().run()
    assert sous_le_controle(at, "rp_enregistrer") == [
        "Rapport de T-001 reçu le 20 juin 2025 : inscrit."
    ]
    assert next(s.value for s in at.success) == "Aucun rapport en retard."
    suivi = _tableau(at, "Statut").set_index("Demande")
    assert suivi.loc["T-001", "Rapport reçu le"] == "20 juin 2025"
    assert _journal(moteur)[-1] == (
        "rapport:recu",
        "reçu le 20 juin 2025 ; échéance 13 juin 2025 : reçu en retard de 7 j",
    )


@pytest.mark.parametrize("role", [PRESIDENT, OBSERVATEUR])
def test_presidence_et_observateur_lisent_sans_inscrire(application, ids, role):
    at = application(PAGE, role=role)
    assert _tableau(at, "Statut")["Demande"].tolist() == ["T-001", "T-002"]
    assert not [b for b in at.button if b.key and b.key.endswith("_enregistrer")]
    assert "Inscrire" not in [s.value for s in at.subheader]
    assert "L'administration inscrit conventions, versements et rapports" in textes(at)


def test_evaluateur_refuse(application, ids):
    at = application(PAGE, role=EVALUATEUR)
    assert "Cette page est réservée" in at.error[0].value
    assert not at.dataframe


def test_sans_demande_financee(application):
    at = application(PAGE, role=ADMIN)
    assert "Aucune demande financée pour l'instant" in at.info[0].value
    # Le suivi commence avec la décision du ministère, pas avec celle du comité (issue 19).
    assert "avec la décision du ministère (page Décision du ministère)" in at.info[0].value
    assert "Classement" not in at.info[0].value
    assert at.caption[0].value.startswith(
        "Pour chaque demande financée (retenue par la décision du ministère) : "
    )


def test_trop_paye_apres_decision_reduite_en_tout_premier(application, ids, moteur):
    """20 000 $ versés à T-001 en 2024-2025, puis le ministère réduit sa décision à 5 000 $
    (il « conserve […] la responsabilité […] de la détermination des sommes ») : la page
    met « Versements à régulariser » avant les rapports en retard, le statut dit
    « trop-payé à régulariser (15 000 $) » et le reste à verser n'est pas négatif.
    Interprétation (pratique du ministère) : signalé, pas refusé."""
    from evaluation.decision import conventions

    appel = charger_appel()
    t1 = ids["T-001"]
    options = {"moteur": moteur, "auteur": "admin@exemple.qc.ca", "role": ADMIN}
    conventions.enregistrer_convention(appel, t1, dt.date(2024, 6, 1), **options)
    conventions.enregistrer_versement(appel, t1, 1, 2_000_000, dt.date(2024, 9, 1), **options)
    with stockage.ecriture(moteur) as connexion:
        stockage.ajouter_decisions_ministre(
            [
                {
                    "appel_id": appel.id,
                    "demande_id": t1,
                    "decision": RETENU,
                    "montant_an1": 500_000,
                    "montant_an2": 0,
                    "raison": "Projet réduit",
                    "autorite": "Marie Ministre",
                    "decision_comite_id": None,
                    "date": dt.datetime(2024, 10, 1),
                    "auteur": "admin@exemple.qc.ca",
                }
            ],
            connexion=connexion,
        )
    at = application(PAGE, role=ADMIN)
    sous_titres = [s.value for s in at.subheader]
    assert sous_titres[0] == "Versements à régulariser"
    assert sous_titres[1].startswith("Rapports en retard au ")
    assert rendu(at.error[0].value) == (
        "1 dossier a reçu plus que ce que la décision du ministère accorde : trop-payé à "
        "récupérer, ou décision à revoir (page Décision du ministère)."
    )
    regulariser = _tableau(at, "Accordé")
    assert regulariser["Demande"].tolist() == ["T-001"]
    assert regulariser["Trop-payé"].tolist() == [f"15{NBSP}000{NBSP}$"]
    suivi = _tableau(at, "Convention signée le").set_index("Demande")
    assert suivi.loc["T-001", "Statut"] == f"trop-payé à régulariser (15{NBSP}000{NBSP}$)"
    assert suivi.loc["T-001", "Reste à verser"] == f"0{NBSP}$"
    assert suivi.loc["T-001", "Trop-payé"] == f"15{NBSP}000{NBSP}$"
