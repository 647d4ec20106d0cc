"""Comptes : rôles, mots de passe argon2, verrouillage après des échecs, tentatives inscrites."""

import datetime as dt

import pytest
import sqlalchemy as sa

from evaluation import stockage
from evaluation.comptes import (
    DUREE_VERROUILLAGE,
    ECHECS_MAX,
    ErreurCompte,
    authentifier,
    creer_compte,
    desactiver_compte,
    hacher,
    lister_comptes,
    mot_de_passe_correct,
    verrouille_jusqu_a,
)

MDP = "un mot de passe solide"
T0 = dt.datetime(2026, 11, 24, 9, 0)


def test_hache_argon2_et_verification():
    hache = hacher(MDP)
    assert hache.startswith("$argon2id$") and MDP not in hache
    assert mot_de_passe_correct(hache, MDP)
    assert not mot_de_passe_correct(hache, MDP + "x")
    assert not mot_de_passe_correct(None, MDP)
    assert not mot_de_passe_correct("pas un haché", MDP)


@pytest.mark.parametrize(
    ("minutes_des_echecs", "verrouille"),
    [
        ([1, 2, 3, 4], False),
        ([1, 2, 3, 4, 5], True),
        ([0, 1, 2, 3, 14], True),
        ([-20, 1, 2, 3, 4], False),  # le plus ancien est hors de la fenêtre de 15 minutes
    ],
)
def test_regle_de_verrouillage(minutes_des_echecs, verrouille):
    maintenant = T0 + dt.timedelta(minutes=14, seconds=30)
    echecs = [T0 + dt.timedelta(minutes=m) for m in minutes_des_echecs]
    fin = verrouille_jusqu_a(echecs, maintenant)
    assert (fin is not None) is verrouille
    if fin:
        assert fin == max(echecs) + DUREE_VERROUILLAGE


@pytest.mark.parametrize(
    ("courriel", "role", "mdp", "message"),
    [
        ("pas-un-courriel", "evaluateur", MDP, "adresse courriel invalide"),
        ("a@b.ca", "chef", MDP, "rôle « chef » inconnu"),
        ("a@b.ca", "evaluateur", "court", "au moins 10 caractères"),
        ("a@b.ca", "evaluateur", " espace au bout ", "pas d'espace"),
    ],
)
def test_creation_refusee(moteur_sqlite, courriel, role, mdp, message):
    with pytest.raises(ErreurCompte, match=message):
        creer_compte(courriel, role, mdp, moteur=moteur_sqlite)


def test_comptes_et_connexion(moteur):
    compte = creer_compte(
        "Marie@Exemple.CA ",
        "evaluateur",
        MDP,
        moteur=moteur,
        nom="Marie Tremblay",
        municipalite="Rimouski",
        region="01",
    )
    assert compte.courriel == "marie@exemple.ca"
    with pytest.raises(ErreurCompte, match="existe déjà"):
        creer_compte("marie@exemple.ca", "admin", MDP, moteur=moteur)
    assert [c.courriel for c in lister_comptes(moteur=moteur)] == ["marie@exemple.ca"]

    ouverte = authentifier("MARIE@exemple.ca", MDP, moteur=moteur, maintenant=T0)
    assert ouverte.reussie and ouverte.compte.role == "evaluateur"
    assert ouverte.compte.region == "01"
    refus = authentifier("marie@exemple.ca", "mauvais", moteur=moteur, maintenant=T0)
    inconnu = authentifier("personne@exemple.ca", "mauvais", moteur=moteur, maintenant=T0)
    assert not refus.reussie and refus.message == inconnu.message  # ne révèle pas qui existe


def test_verrouillage_apres_echecs_repetes(moteur):
    creer_compte("a@b.ca", "admin", MDP, moteur=moteur)
    for i in range(ECHECS_MAX):
        authentifier("a@b.ca", "faux", moteur=moteur, maintenant=T0 + dt.timedelta(seconds=i))
    bloque = authentifier("a@b.ca", MDP, moteur=moteur, maintenant=T0 + dt.timedelta(minutes=1))
    assert not bloque.reussie and "verrouillé" in bloque.message
    apres = T0 + DUREE_VERROUILLAGE + dt.timedelta(minutes=2)
    assert authentifier("a@b.ca", MDP, moteur=moteur, maintenant=apres).reussie
    with moteur.connect() as c:
        tentatives = (
            c.execute(
                sa.select(stockage.tentatives_connexion.c.reussie)
                .where(stockage.tentatives_connexion.c.courriel == "a@b.ca")
                .order_by(stockage.tentatives_connexion.c.id)
            )
            .scalars()
            .all()
        )
    assert tentatives == [False] * ECHECS_MAX + [False, True]


def test_compte_desactive(moteur):
    creer_compte("a@b.ca", "observateur", MDP, moteur=moteur)
    assert not desactiver_compte("a@b.ca", moteur=moteur).actif
    connexion = authentifier("a@b.ca", MDP, moteur=moteur, maintenant=T0)
    assert not connexion.reussie and "désactivé" in connexion.message
    with pytest.raises(ErreurCompte, match="aucun compte"):
        desactiver_compte("x@y.ca", moteur=moteur)
