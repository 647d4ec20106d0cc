"""Mots de passe : haché argon2, règle de verrouillage, ce qu'un mot de passe doit être."""

import datetime as dt
import re

import pytest

from evaluation.socle.comptes import aucun_compte, authentifier, creer_compte
from evaluation.socle.mots_de_passe import (
    DUREE_VERROUILLAGE,
    hacher,
    mot_de_passe_correct,
    problemes_mot_de_passe,
    verrouille_jusqu_a,
)
from evaluation.socle.roles import ErreurCompte
from tests.socle.test_comptes import MDP, T0


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


COURRIEL_MARIE, NOM_MARIE = "marie.cote@ville.qc.ca", "Marie Côté"


@pytest.mark.parametrize(
    "mot_de_passe",
    [
        "girafe radio tempête cerise",
        "cheval agrafe batterie correcte",  # celui des tests de pages et de navigateur
        "Q9x!mP2#vL7tR",
        "le chat mange la souris verte",
        "mariée en juin sous la pluie",  # « marie » dedans, mais bien d'autres lettres
        "douze lettre",  # exactement 12 caractères
        "x7" * 10 + "girafe radio tempête cerise " * 3 + "abcdefghijklmnopqrstuvwx",  # 128
    ],
)
def test_mot_de_passe_accepte(moteur_sqlite, mot_de_passe):
    assert len(mot_de_passe) <= 128
    assert problemes_mot_de_passe(mot_de_passe, courriel=COURRIEL_MARIE, nom=NOM_MARIE) == []
    compte = creer_compte(COURRIEL_MARIE, "evaluateur", mot_de_passe, moteur=moteur_sqlite)
    assert authentifier(compte.courriel, mot_de_passe, moteur=moteur_sqlite).reussie


@pytest.mark.parametrize(
    ("mot_de_passe", "message"),
    [
        ("court", "au moins 12 caractères"),
        ("onze carac.", "au moins 12 caractères"),
        ("x" * 129, "au plus 128 caractères"),
        (" espace au bout ", "pas d'espace au début ni à la fin"),
        ("tabulation\tcachée ici", "aucun caractère invisible ou de contrôle"),
        ("sans\u200bchasse ni trace", "aucun caractère invisible ou de contrôle"),
        ("nul\x00au milieu du mot", "aucun caractère invisible ou de contrôle"),
        ("marie.cote2024", "sans votre nom ni votre adresse courriel"),
        ("Cote-Marie-1999!", "sans votre nom ni votre adresse courriel"),
        ("MarieCote-ville!", "sans votre nom ni votre adresse courriel"),
        ("marie côté est la meilleure", "sans votre nom ni votre adresse courriel"),
        ("azertyuiop123", "il contient un mot de passe courant"),
        ("123456789012", "une suite \\(abcd, 1234\\)"),
        ("aaaaaaaaaaaa", "des caractères répétés"),
        ("abcdefghijklm", "une suite \\(abcd, 1234\\)"),
        ("P@ssw0rd2024!", "des lettres remplacées par des chiffres"),
        ("motdepasse123", "un mot trop courant ici"),
        ("Montreal2024!", "un mot trop courant ici"),
        ("Sherbrooke1990", "une date ou une année"),
        # Trouvés par la revue adverse : accents, mots collés, l33t et nom à l'envers.
        ("Montréal1234!", "plus difficile à deviner"),
        ("Québec2024!Québec", "plus difficile à deviner"),
        ("Liberté2024!!", "plus difficile à deviner"),
        ("Ministère2024!!", "plus difficile à deviner"),
        ("mot de passe de test", "plus difficile à deviner"),
        ("PAIVMQ-2023-2024", "plus difficile à deviner"),
        ("Summer2024!!!", "plus difficile à deviner"),
        ("C0t3-M@r13-vill3", "sans votre nom ni votre adresse courriel"),
        ("etoC eiraM 2024", "sans votre nom ni votre adresse courriel"),
    ],
)
def test_mot_de_passe_refuse(moteur_sqlite, mot_de_passe, message):
    with pytest.raises(ErreurCompte, match="mot de passe refusé : .*" + message) as refus:
        creer_compte(
            COURRIEL_MARIE, "evaluateur", mot_de_passe, moteur=moteur_sqlite, nom=NOM_MARIE
        )
    # Jamais les messages anglais de zxcvbn ; toujours quoi faire.
    assert not re.search(r"\b(the|is|common|password|add)\b", str(refus.value), re.I)
    assert aucun_compte(moteur=moteur_sqlite)


def test_plus_difficile_a_deviner_dit_quoi_faire():
    (probleme,) = problemes_mot_de_passe("soleil123456", courriel="a@b.ca")
    assert probleme.startswith("plus difficile à deviner : il contient ")
    assert probleme.endswith("choisissez plutôt quatre mots ou plus sans lien entre eux")


def test_importer_les_comptes_ne_calcule_aucun_hache():
    """Importer `comptes` (toute commande, toute page) ne calcule aucun haché argon2 : le
    haché de référence des courriels inconnus attend la première connexion."""
    import subprocess
    import sys

    from tests.conftest import RACINE_PROJET

    programme = (
        "import argon2\n"
        "def refus(*a, **k):\n"
        "    raise AssertionError('argon2 appelé à l importation')\n"
        "argon2.PasswordHasher.hash = argon2.PasswordHasher.verify = refus\n"
        "import evaluation.socle.comptes, evaluation.socle.mots_de_passe\n"
        "print('ok')\n"
    )
    resultat = subprocess.run(
        [sys.executable, "-c", programme],
        cwd=RACINE_PROJET,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resultat.stdout.strip() == "ok", resultat.stderr
