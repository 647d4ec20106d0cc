"""Qui ouvre quelle page, le message de refus, et qui voit les notes des autres."""

import dataclasses

import pytest

from evaluation.socle.droits import (
    ACCES_PAGES,
    message_refus,
    peut_conduire_seance,
    peut_decider_pour_le_ministere,
    peut_gerer_conventions,
    peut_ouvrir,
    peut_ramener_en_seance,
    voit_notes_des_autres,
    voit_notes_en_seance,
)
from evaluation.socle.roles import (
    ADMIN,
    ANALYSTE,
    AUTORITE,
    EVALUATEUR,
    MEMBRE,
    OBSERVATEUR,
    PRESIDENT,
    ROLES,
)

# Écrit à la main (pas relu dans ACCES_PAGES) : une page qui s'ouvre à un rôle de trop
# fait échouer le test.
PERMIS = {
    "accueil": {ADMIN, PRESIDENT, EVALUATEUR, OBSERVATEUR, ANALYSTE, MEMBRE, AUTORITE},
    # L'analyste charge les fichiers de demandes et rattache les catégories (issue 15).
    "importation": {ADMIN, ANALYSTE},
    "evaluation": {EVALUATEUR},
    # L'analyste examine l'admissibilité ; la présidence règle et renverse (issue 15).
    "admissibilite": {ANALYSTE, PRESIDENT, ADMIN},
    "suivi": {ADMIN, PRESIDENT},
    # L'autorité ministérielle (issue 17) : classement, portefeuille, comparaison et sa page.
    "classement": {ADMIN, PRESIDENT, OBSERVATEUR, AUTORITE},
    # Les membres suivent la séance ; l'observateur aussi, sans notes individuelles (issue 16).
    "seance": {ADMIN, PRESIDENT, MEMBRE, OBSERVATEUR},
    "portefeuille": {ADMIN, PRESIDENT, OBSERVATEUR, AUTORITE},
    "attributions": {ADMIN},
    "journal": {ADMIN, PRESIDENT},
    "comptes": {ADMIN},
    "parametres": {ADMIN},
    "comparaison": {ADMIN, PRESIDENT, OBSERVATEUR, AUTORITE},
    "decision_ministere": {AUTORITE, ADMIN},
    # Les lettres aux demandeurs (issue 17, point 2) : administration et présidence.
    "lettres": {ADMIN, PRESIDENT},
    # Après la décision (issue 17) : l'administration inscrit, présidence et observateurs lisent.
    "conventions": {ADMIN, PRESIDENT, OBSERVATEUR},
}


@pytest.mark.parametrize("role", [*ROLES, None])
def test_seule_l_administration_inscrit_conventions_et_versements(role):
    assert peut_gerer_conventions(role) is (role == ADMIN)


def test_chaque_page_a_sa_regle():
    assert set(ACCES_PAGES) == set(PERMIS)


@pytest.mark.parametrize("page", sorted(PERMIS))
@pytest.mark.parametrize("role", ROLES)
def test_peut_ouvrir(role, page):
    assert peut_ouvrir(role, page) is (role in PERMIS[page])


@pytest.mark.parametrize("role", [*ROLES, None, ""])
def test_page_inconnue_ou_sans_role(role):
    assert not peut_ouvrir(role, "inconnue")
    assert not peut_ouvrir(None, "accueil")
    assert not peut_ouvrir("superviseur", "accueil")


@pytest.mark.parametrize(
    ("role", "page", "qui", "role_lisible"),
    [
        (EVALUATEUR, "comptes", "à l'administration", "évaluation"),
        (EVALUATEUR, "importation", "à l'administration et aux analystes", "évaluation"),
        (OBSERVATEUR, "suivi", "à l'administration et à la présidence du comité", "observation"),
        (OBSERVATEUR, "journal", "à l'administration et à la présidence du comité", "observation"),
        (PRESIDENT, "attributions", "à l'administration", "présidence du comité"),
        (ADMIN, "evaluation", "aux évaluateurs", "administration"),
        (PRESIDENT, "evaluation", "aux évaluateurs", "présidence du comité"),
        (None, "importation", "à l'administration et aux analystes", "aucun rôle"),
        (EVALUATEUR, "inconnue", "à personne", "évaluation"),
        (
            MEMBRE,
            "classement",
            "à l'administration et à la présidence du comité et aux observateurs et à "
            "l'autorité ministérielle",
            "membre du comité",
        ),
        (
            PRESIDENT,
            "decision_ministere",
            "à l'autorité ministérielle et à l'administration",
            "présidence du comité",
        ),
    ],
)
def test_message_refus_nomme_qui_peut_ouvrir(role, page, qui, role_lisible):
    message = message_refus(role, page)
    assert message.startswith(f"Cette page est réservée {qui}.")
    assert f"« {role_lisible} »" in message
    assert "demandez à l'administration" in message


def _voit_attendu(role, reglage, statut) -> bool:
    if role in (ADMIN, PRESIDENT):
        return True
    return role == EVALUATEUR and reglage == "apres_soumission" and statut == "soumise"


@pytest.mark.parametrize("statut", [None, "brouillon", "soumise"])
@pytest.mark.parametrize("reglage", ["jamais", "apres_soumission"])
@pytest.mark.parametrize("role", ROLES)
def test_voit_notes_des_autres(appel, role, reglage, statut):
    variante = dataclasses.replace(appel, notes_des_autres=reglage)
    assert voit_notes_des_autres(role, variante, statut) is _voit_attendu(role, reglage, statut)


def test_voit_notes_des_autres_cas_nommes(appel):
    ouvert = dataclasses.replace(appel, notes_des_autres="apres_soumission")
    assert appel.notes_des_autres == "jamais"
    assert not voit_notes_des_autres(EVALUATEUR, appel, "soumise")
    assert voit_notes_des_autres(EVALUATEUR, ouvert, "soumise")
    assert not voit_notes_des_autres(EVALUATEUR, ouvert, "brouillon")
    assert not voit_notes_des_autres(EVALUATEUR, ouvert, None)
    assert not voit_notes_des_autres(OBSERVATEUR, ouvert, "soumise")
    assert voit_notes_des_autres(PRESIDENT, appel, None)
    assert voit_notes_des_autres(ADMIN, appel, None)


@pytest.mark.parametrize("role", [*ROLES, None])
def test_decision_du_ministere(role):
    """Issue 17 : l'autorité ministérielle, ou l'administration en son nom ; ni la
    présidence ni les membres du comité, qui recommandent."""
    assert peut_decider_pour_le_ministere(role) is (role in (AUTORITE, ADMIN))


@pytest.mark.parametrize("role", [*ROLES, None])
def test_seance_conduite_ramener_et_notes(role):
    """La présidence (ou l'administration) conduit la séance ; tout membre du comité ramène
    une demande triée ; l'observateur suit sans voir les notes individuelles."""
    assert peut_conduire_seance(role) is (role in (PRESIDENT, ADMIN))
    assert peut_ramener_en_seance(role) is (role in (PRESIDENT, ADMIN, MEMBRE))
    assert voit_notes_en_seance(role) is (role in (PRESIDENT, ADMIN, MEMBRE))
    assert not voit_notes_en_seance(OBSERVATEUR) and peut_ouvrir(OBSERVATEUR, "seance")


@pytest.mark.parametrize("role", ROLES)
def test_lettres_generees_par_admin_et_presidence_modeles_par_admin(role):
    """Issue 17, point 2 : l'administration et la présidence génèrent les lettres ; seule
    l'administration remplace les modèles que le ministère modifie."""
    from evaluation.socle.droits import peut_generer_lettres, peut_modifier_modeles_lettres

    assert peut_generer_lettres(role) is (role in {ADMIN, PRESIDENT})
    assert peut_modifier_modeles_lettres(role) is (role == ADMIN)
