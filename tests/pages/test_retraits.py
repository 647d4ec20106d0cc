"""Désistements et retraits depuis la page Importation (administration) : la demande
retirée quitte le classement ; la démonstration importée par erreur s'en va d'un geste."""

from __future__ import annotations

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, PRESIDENT
from tests.conftest import DONNEES

DEMO = DONNEES.parent.parent / "donnees" / "demo" / "demandes-demo.xlsx"


@pytest.fixture
def importees(base):
    appel = charger_appel()
    moteur = stockage.creer_moteur(base)
    rapports = [
        importer(verifier_lot([(f.name, f)], appel), appel, moteur=moteur)
        for f in (DONNEES / "formats" / "valide.xlsx", DEMO)
    ]
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    moteur.dispose()
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True)), rapports


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def _soumettre(at, formulaire: str):
    (bouton,) = [b for b in at.button if b.key.startswith(f"FormSubmitter:{formulaire}")]
    bouton.click()
    return executer(at)


def test_desistement_puis_retablissement(application, importees, moteur):
    ids, _ = importees
    at = application("pages/importation.py", role=ADMIN)
    assert "Désistements et retraits" in [s.value for s in at.subheader]
    (choix,) = [s for s in at.selectbox if s.label == "Demande"]
    choix.set_value(ids["T-002"])
    at.text_input(key="raison_desistement").set_value("La municipalité renonce")
    _soumettre(at, "form_desistement")
    assert [s.value for s in at.success] == ["Désistement inscrit : T-002 sort du classement."]

    classement = application("pages/classement.py", role=PRESIDENT)
    tout = "\n".join(str(t.value.to_dict()) for t in classement.dataframe)
    assert "T-001" in tout and "T-002" not in tout

    (choix,) = [s for s in at.selectbox if s.label == "Demande à rétablir"]
    assert choix.options == [next(o for o in choix.options if o.startswith("T-002"))]
    at.text_input(key="raison_retablir").set_value("Annulé")
    _soumettre(at, "form_retablir")
    assert [s.value for s in at.success] == ["T-002 est rétablie."]


def test_retirer_l_importation_de_demonstration(application, importees, moteur):
    _, (_, demo) = importees
    at = application("pages/importation.py", role=ADMIN)
    (choix,) = [s for s in at.selectbox if s.label == "Importation"]
    choix.set_value(demo.importation_id)
    at.text_input(key="raison_retrait_importation").set_value("Démonstration par erreur")
    _soumettre(at, "form_retrait_importation")
    assert [e.value for e in at.error] == [
        "Cochez la confirmation : le retrait supprime des demandes."
    ]
    with moteur.connect() as c:
        assert len(stockage.lire_demandes(charger_appel().id, connexion=c)) == 83
    at.checkbox(key="confirmer_retrait_importation").check()
    (choix,) = [s for s in at.selectbox if s.label == "Importation"]
    choix.set_value(demo.importation_id)
    at.text_input(key="raison_retrait_importation").set_value("Démonstration par erreur")
    _soumettre(at, "form_retrait_importation")
    (message,) = [s.value for s in at.success]
    assert message.startswith(f"Importation n° {demo.importation_id} retirée : 80 demandes")
    with moteur.connect() as c:
        assert len(stockage.lire_demandes(charger_appel().id, connexion=c)) == 3
