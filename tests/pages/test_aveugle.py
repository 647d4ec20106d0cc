"""L'évaluation à l'aveugle vue des pages : l'évaluatrice qui a vu les notes des autres est
prévenue ; si elle change ensuite une note, la présidence le voit en séance et au suivi, ou
la page refuse, selon le réglage du comité."""

from __future__ import annotations

import pytest

from evaluation.appels.configuration import appel_depuis_toml, charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import stockage
from evaluation.socle.roles import EVALUATEUR, PRESIDENT
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.pages.conftest import compte_de_test, textes

EVA = "evaluateur@exemple.qc.ca"


def _appel(reglage: str):
    livre = charger_appel()
    return appel_depuis_toml(
        livre.source_toml.replace(
            'notes_des_autres = "jamais"', 'notes_des_autres = "apres_soumission"'
        ).replace('apres_consultation = "signaler"', f'apres_consultation = "{reglage}"'),
        "test",
    )


@pytest.fixture(params=["signaler", "refuser"])
def jeu(request, base):
    appel = _appel(request.param)
    moteur = stockage.creer_moteur(base)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        d = int(stockage.lire_demandes(appel.id, connexion=c)["id"].iloc[0])
    autre = compte_de_test(base, EVALUATEUR, "autre@exemple.qc.ca", nom="Luc Autre")
    compte_de_test(base, EVALUATEUR, EVA, nom="Éva Luatrice")
    for qui, note in ((autre, 9.0), (EVA, 3.0)):
        saisie = Saisie(notes={c.id: note for c in appel.criteres}, admissible=True)
        evaluations.enregistrer(appel, d, qui, saisie, SOUMISE, moteur=moteur)
    moteur.dispose()
    return appel, d


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def test_note_relevee_apres_avoir_vu_les_autres(application, jeu, moteur):
    appel, d = jeu
    premier = appel.criteres[0]
    at = application("pages/evaluation.py", role=EVALUATEUR, courriel=EVA)
    at.selectbox(key="choix_demande").set_value(d)
    executer(at)
    assert [e.label for e in at.expander if e.label.startswith("Notes des autres")] == [
        "Notes des autres évaluateurs (1)"
    ]
    assert "si vous changez ensuite une note" in textes(at)
    with moteur.connect() as c:
        assert stockage.lire_consultation(d, EVA, connexion=c) is not None

    at.button(key="rouvrir").click()
    executer(at)
    if appel.apres_consultation == "refuser":
        # Rouvrir retirerait la note du calcul : refusé, l'évaluation reste soumise.
        assert "vous avez vu les notes des autres évaluateurs" in "\n".join(
            e.value for e in at.error
        )
        statut, saisie = evaluations.lire(d, EVA, moteur=moteur)
        assert (statut, saisie.notes[premier.id]) == (SOUMISE, 3)
        return
    at.select_slider(key=f"note::{d}::{premier.id}").set_value(10)
    executer(at)
    at.button(key="brouillon").click()
    executer(at)
    saisie = evaluations.lire(d, EVA, moteur=moteur)[1]
    assert saisie.notes[premier.id] == 10

    seance = application("pages/seance.py", role=PRESIDENT)
    alertes = "\n".join(w.value for w in seance.warning)
    assert "Modifiée après consultation des autres notes : Éva Luatrice" in alertes
    suivi = application("pages/suivi.py", role=PRESIDENT)
    assert "Modifiée après consultation des autres notes" in [s.value for s in suivi.subheader]
    (tableau,) = [t.value for t in suivi.dataframe if "Changement" in t.value.columns]
    assert tableau.iloc[0]["Évaluateur"] == "Éva Luatrice"
    assert f"Note · {premier.libelle} 3 → 10" in tableau.iloc[0]["Changement"]
