"""Les rôles, le compte et le résultat d'une connexion : des valeurs
(evaluation/socle/roles.py)."""

import dataclasses

import pytest

from evaluation.socle.roles import (
    ADMIN,
    ANALYSTE,
    AUTORITE,
    EVALUATEUR,
    LIBELLES_ROLES,
    MEMBRE,
    OBSERVATEUR,
    PRESIDENT,
    ROLES,
    Compte,
    Connexion,
    ErreurCompte,
)


def test_roles_tels_que_stockes_en_base():
    """Les comptes stockés portent ces chaînes : en changer une rend les comptes existants
    inutilisables. L'ordre est celui des listes de choix : la page Comptes propose le rang 2,
    l'évaluation, par défaut."""
    assert ROLES == (
        "admin",
        "president",
        "evaluateur",
        "observateur",
        "analyste",
        "membre",
        "autorite",
    )
    assert (ADMIN, PRESIDENT, EVALUATEUR, OBSERVATEUR, ANALYSTE, MEMBRE, AUTORITE) == ROLES


def test_chaque_role_a_son_libelle():
    """« Nom (ce que le rôle permet) » : les pages et les refus n'en gardent que le nom."""
    assert tuple(LIBELLES_ROLES) == ROLES
    assert LIBELLES_ROLES[ADMIN].startswith("Administration (")
    assert LIBELLES_ROLES[PRESIDENT].startswith("Présidence du comité (")
    assert LIBELLES_ROLES[EVALUATEUR].startswith("Évaluation (")
    assert LIBELLES_ROLES[OBSERVATEUR].startswith("Observation (")
    assert "pas de notes individuelles" in LIBELLES_ROLES[OBSERVATEUR]
    assert LIBELLES_ROLES[MEMBRE].startswith("Membre du comité (suit la séance")
    assert "ne consigne pas les décisions" in LIBELLES_ROLES[MEMBRE]
    assert LIBELLES_ROLES[AUTORITE] == (
        "Autorité ministérielle (approuve ou modifie les recommandations du comité)"
    )


@pytest.mark.parametrize("role", ROLES)
def test_libelle_role_du_compte(role):
    compte = Compte("a@b.ca", "Ana", role, True)
    assert compte.libelle_role == LIBELLES_ROLES[role]


def test_libelle_d_un_role_inconnu_refuse():
    with pytest.raises(KeyError):
        _ = Compte("a@b.ca", "Ana", "superviseur", True).libelle_role


def test_compte_par_defaut_sans_lieu_ni_mot_de_passe_provisoire():
    compte = Compte("a@b.ca", "Ana", EVALUATEUR, True)
    assert compte.municipalite is None and compte.region is None
    assert compte.mot_de_passe_provisoire is False
    assert compte.empreinte == ""


def test_empreinte_ignoree_en_comparaison_et_cachee():
    """Deux lectures du même compte sont égales quel que soit le mot de passe ; l'empreinte du
    haché n'apparaît pas dans un journal ou une trace qui afficherait le compte."""
    un = Compte("a@b.ca", "Ana", ADMIN, True, "Rimouski", "01", empreinte="empreinte-secrete-1")
    autre = dataclasses.replace(un, empreinte="empreinte-secrete-2")
    assert un == autre and hash(un) == hash(autre)
    assert "empreinte-secrete" not in repr(un)
    assert "Rimouski" in repr(un)


@pytest.mark.parametrize(
    "champ, valeur",
    [
        ("courriel", "x@b.ca"),
        ("nom", "Bob"),
        ("role", PRESIDENT),
        ("actif", False),
        ("municipalite", "Gaspé"),
        ("region", "11"),
        ("mot_de_passe_provisoire", True),
    ],
)
def test_les_autres_champs_distinguent_deux_comptes(champ, valeur):
    compte = Compte("a@b.ca", "Ana", ADMIN, True, "Rimouski", "01")
    assert compte != dataclasses.replace(compte, **{champ: valeur})


def test_compte_immuable():
    compte = Compte("a@b.ca", "Ana", EVALUATEUR, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        compte.role = ADMIN  # type: ignore[misc]


def test_connexion_reussie_seulement_avec_un_compte():
    compte = Compte("a@b.ca", "Ana", EVALUATEUR, True)
    ouverte = Connexion(compte, "")
    refusee = Connexion(None, "Courriel ou mot de passe incorrect.")
    assert ouverte.reussie is True and ouverte.compte is compte
    assert refusee.reussie is False and refusee.message == "Courriel ou mot de passe incorrect."


def test_erreur_compte_est_une_valueerror():
    """Les appelants qui attrapent ValueError (formulaires, ligne de commande) l'attrapent."""
    assert issubclass(ErreurCompte, ValueError)
    assert str(ErreurCompte("adresse courriel invalide")) == "adresse courriel invalide"
