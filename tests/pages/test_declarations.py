"""La déclaration du comité dans les pages (issue 16, pages/composants/declarations.py) : tant
que la présidence ou l'administration n'a pas accepté, pour l'appel, la déclaration générale
d'intérêts et l'engagement de confidentialité, la Séance et les contrôles de décision du
Classement lui sont refusés, avec le formulaire à accepter ; et une décision refusée (conflit
d'intérêts déclaré) s'affiche sous son bouton.

Le jeu est celui de test_classement (voir son en-tête) : T-002 rang 1, T-001 rang 2.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1.element_tree import Block

from evaluation.decision import declarations
from evaluation.decision.declarations import acceptation as vraie_acceptation
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, OBSERVATEUR, PRESIDENT
from tests.pages.conftest import rendu, textes
from tests.pages.test_classement import preparer

SEANCE, CLASSEMENT = "pages/seance.py", "pages/classement.py"
BOUTONS_SEANCE = ("seance_retenir", "seance_attente", "seance_refuser")
PRESIDENCE = "president@exemple.qc.ca"


@pytest.fixture
def jeu(base):
    return preparer(base)


@pytest.fixture
def exiger_les_declarations(monkeypatch):
    """Rétablit l'exigence que tests/pages/conftest.py lève pour les autres tests."""
    monkeypatch.setattr(declarations, "acceptation", vraie_acceptation)


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def cles_boutons(at) -> set[str]:
    return {b.key for b in at.button}


def _accepter(at, cle: str, interets: str = "aucun", cocher: bool = True):
    at.text_area(key=f"{cle}_interets").set_value(interets)
    at.checkbox(key=f"{cle}_interets_ok").set_value(cocher)
    at.checkbox(key=f"{cle}_confidentialite_ok").set_value(cocher)
    at.button(key=f"{cle}_accepter").click()
    return executer(at)


def _declarations(moteur, appel) -> list[dict]:
    with moteur.connect() as c:
        return stockage.lire_declarations(appel.id, connexion=c)


@pytest.mark.usefixtures("exiger_les_declarations")
def test_seance_refusee_jusqu_a_la_declaration(application, jeu, moteur):
    appel, _ = jeu
    at = application(SEANCE, role=PRESIDENT)
    texte = textes(at)
    assert "D'ici là, la séance et les décisions vous sont refusées." in texte
    assert "Déclaration générale d'intérêts" in texte
    assert "Engagement de confidentialité" in texte
    assert f"« {appel.nom} »" in texte  # le texte nomme l'appel
    assert not set(BOUTONS_SEANCE) & cles_boutons(at)
    # Le titre de la page seulement : ni la demande ni ses notes.
    assert [t.value for t in at.title] == ["Séance du comité"] and not at.header

    # Les cases non cochées : refusé, sous le bouton, rien d'écrit.
    at = _accepter(at, "decl_seance", cocher=False)
    (erreur,) = at.error
    assert rendu(erreur.value).startswith(
        "Déclaration non enregistrée : cochez « déclaration générale d'intérêts » et "
        "« engagement de confidentialité »"
    )
    assert _dans_le_meme_bloc_apres(at, "decl_seance_accepter", erreur)
    assert _declarations(moteur, appel) == []

    at = _accepter(at, "decl_seance", "Conseillère à Rimouski")
    assert set(BOUTONS_SEANCE) <= cles_boutons(at)
    assert "decl_seance_accepter" not in cles_boutons(at)
    (d,) = _declarations(moteur, appel)
    assert (d["courriel"], d["role"], d["interets"]) == (
        PRESIDENCE,
        PRESIDENT,
        "Conseillère à Rimouski",
    )
    assert d["date"] is not None
    # Acceptée une fois pour l'appel : une nouvelle session n'a plus rien à signer.
    at = application(SEANCE, role=PRESIDENT)
    assert set(BOUTONS_SEANCE) <= cles_boutons(at)


@pytest.mark.usefixtures("exiger_les_declarations")
@pytest.mark.parametrize("role", [PRESIDENT, ADMIN])
def test_classement_sans_controles_de_decision_jusqu_a_la_declaration(
    application, jeu, moteur, role
):
    at = application(CLASSEMENT, role=role)
    assert "Montants et décisions" not in [s.value for s in at.subheader]
    assert not {"dc_enregistrer", "mt_enregistrer"} & cles_boutons(at)
    assert "D'ici là, la séance et les décisions vous sont refusées." in textes(at)
    at = _accepter(at, "decl")
    assert "Montants et décisions" in [s.value for s in at.subheader]
    assert {"dc_enregistrer", "mt_enregistrer"} <= cles_boutons(at)


@pytest.mark.usefixtures("exiger_les_declarations")
def test_observateur_sans_controle_de_decision_n_a_rien_a_signer_au_classement(application, jeu):
    at = application(CLASSEMENT, role=OBSERVATEUR)
    assert "decl_accepter" not in cles_boutons(at)
    assert "D'ici là" not in textes(at)


def test_decision_refusee_sous_son_bouton(application, jeu, moteur):
    """La présidence déclare un conflit sur T-002 (formulaire du Classement), puis tente
    d'en décider : le refus, côté serveur, s'affiche sous « Enregistrer la décision »."""
    appel, ids = jeu
    at = application(CLASSEMENT, role=PRESIDENT)
    at.selectbox(key="conflit_comite_demande").set_value(ids["T-002"])
    executer(at)
    at.text_input(key=f"conflit_comite_raison::{ids['T-002']}").set_value("ancien employeur")
    at.button(key="conflit_comite_declarer").click()
    executer(at)
    assert any("Conflit d'intérêts déclaré" in s.value for s in at.success)
    assert "Vos conflits déclarés : T-002 (ancien employeur" in textes(at)

    at.selectbox(key="dc_demande").set_value(ids["T-002"])
    executer(at)
    at.button(key="dc_enregistrer").click()
    executer(at)
    (erreur,) = [e for e in at.error if "Décision refusée" in e.value]
    assert rendu(erreur.value).startswith(
        "Décision refusée : vous avez déclaré un conflit d'intérêts sur T-002 (ancien "
        "employeur) : vous ne pouvez pas décider sur cette demande."
    )
    assert _dans_le_meme_bloc_apres(at, "dc_enregistrer", erreur)
    with moteur.connect() as c:
        assert stockage.lire_decisions(appel.id, connexion=c) == []


def _dans_le_meme_bloc_apres(at, cle_bouton: str, element) -> bool:
    """Vrai si `element` suit le bouton `cle_bouton` dans le même bloc de la page (le même
    conteneur, plus bas) : le message est là où la personne a cliqué."""

    def chercher(bloc):
        enfants = list(bloc.children.values())
        for i, enfant in enumerate(enfants):
            if getattr(enfant, "key", None) == cle_bouton and enfant.type == "button":
                return enfants, i
            if isinstance(enfant, Block):
                trouve = chercher(enfant)
                if trouve:
                    return trouve
        return None

    trouve = chercher(at.main)
    assert trouve is not None, cle_bouton
    enfants, i = trouve
    return any(e is element or e.proto == element.proto for e in enfants[i + 1 :])
