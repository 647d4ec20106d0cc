"""Le quorum du comité en pages (issue 16, revue extérieure) : l'écran et le serveur le
comptent de même (présidence et membres), sur chaque chemin de décision (Séance,
Classement, scénario du Portefeuille), et le Portefeuille exige la déclaration du comité.
Jeu de tests/pages/test_classement.py : T-002 rang 1, T-001 rang 2, T-003 sous le seuil."""

from __future__ import annotations

import pytest

from evaluation.decision import conduite, declarations, seance
from evaluation.decision.declarations import acceptation as vraie_acceptation
from evaluation.socle import stockage
from evaluation.socle.roles import OBSERVATEUR, PRESIDENT
from tests.pages.conftest import compte_de_test, textes
from tests.pages.test_classement import preparer

PRESIDENCE = "president@exemple.qc.ca"
OBS = "observateur@exemple.qc.ca"


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def _avec_quorum(base, appel, quorum):
    from evaluation.appels.configuration import appel_depuis_toml

    assert "quorum = 0" in appel.source_toml
    a = appel_depuis_toml(appel.source_toml.replace("quorum = 0", f"quorum = {quorum}"), "test")
    assert a.quorum == quorum
    m = stockage.creer_moteur(base)
    try:
        with stockage.ecriture(m) as c:
            stockage.enregistrer_appel(a, connexion=c)
    finally:
        m.dispose()
    return a


@pytest.fixture
def jeu(base):
    return preparer(base)


def test_le_quorum_affiche_est_celui_de_la_decision(application, base, jeu, moteur):
    """Quorum 2 ; présents : la présidence et un observateur, qui ne vote pas : l'écran
    dit le quorum manqué et « Retenir » est refusé (le même compte aux deux endroits)."""
    appel, _ = jeu
    compte_de_test(base, PRESIDENT, nom="Paule Présidente")
    compte_de_test(base, OBSERVATEUR, nom="Olivier Observateur")
    a = _avec_quorum(base, appel, 2)
    at = application(None, role=PRESIDENT)
    sid = conduite.ouvrir(
        a,
        moteur=moteur,
        auteur=PRESIDENCE,
        role=PRESIDENT,
        ordre=seance.RANG,
        presents=[PRESIDENCE, OBS],
    )
    conduite.aller_a(a, sid, jeu[1]["T-002"], moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT)
    at.switch_page("pages/seance.py")
    executer(at)
    affiche_atteint = "Quorum : 2 présents sans conflit, 2 requis (réglage du comité)." in textes(
        at
    )
    at.button(key="seance_retenir").click()
    executer(at)
    refus = [e.value for e in at.error if "quorum" in e.value]
    assert affiche_atteint == (not refus), (affiche_atteint, refus)


def test_une_personne_sans_compte_ne_compte_pas_au_quorum(application, base, jeu, moteur):
    """Quorum 2 ; présents : la présidence et « Marie Roy, secrétaire du comité » (sans
    compte) : seuls les comptes de la présidence et des membres votent, la décision est
    refusée (interprétation, réglage du comité)."""
    appel, ids = jeu
    compte_de_test(base, PRESIDENT, nom="Paule Présidente")
    a = _avec_quorum(base, appel, 2)
    at = application(None, role=PRESIDENT)
    sid = conduite.ouvrir(
        a,
        moteur=moteur,
        auteur=PRESIDENCE,
        role=PRESIDENT,
        ordre=seance.RANG,
        presents=[PRESIDENCE],
        sans_compte=[("Marie Roy", "secrétaire du comité")],
    )
    conduite.aller_a(a, sid, ids["T-002"], moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT)
    at.switch_page("pages/seance.py")
    executer(at)
    at.button(key="seance_retenir").click()
    executer(at)
    assert [e.value for e in at.error if "quorum" in e.value]


def test_classement_refuse_sans_quorum_pendant_la_seance(application, base, jeu, moteur):
    """Séance ouverte, quorum 3, la présidence seule présente : la page Classement
    (« Décision du comité ») refuse aussi la décision."""
    appel, _ = jeu
    compte_de_test(base, PRESIDENT, nom="Paule Présidente")
    a = _avec_quorum(base, appel, 3)
    conduite.ouvrir(
        a,
        moteur=moteur,
        auteur=PRESIDENCE,
        role=PRESIDENT,
        ordre=seance.RANG,
        presents=[PRESIDENCE],
    )
    at = application("pages/classement.py", role=PRESIDENT)
    at.text_area(key=f"dc_justification::{at.selectbox(key='dc_demande').value}").input("x")
    at.button(key="dc_enregistrer").click()
    executer(at)
    with moteur.connect() as c:
        inscrites = stockage.lire_decisions(a.id, connexion=c)
    assert not inscrites, "décision inscrite sans quorum par la page Classement"


def test_portefeuille_exige_la_declaration_pour_adopter(application, base, jeu, monkeypatch):
    """Tant que la présidence n'a pas signé la déclaration d'intérêts de l'appel, le
    Portefeuille ne lui offre pas « Adopter ce scénario » (comme la Séance et le
    Classement), mais le formulaire de la déclaration."""
    monkeypatch.setattr(declarations, "acceptation", vraie_acceptation)
    at = application("pages/portefeuille.py", role=PRESIDENT)
    at.button(key="pf_optimiser").click()
    executer(at)
    cles = {b.key for b in at.button}
    libelles = {b.label for b in at.button}
    assert not any("dopter" in (x or "") for x in (*cles, *libelles)), sorted(
        x for x in (*cles, *libelles) if x
    )
