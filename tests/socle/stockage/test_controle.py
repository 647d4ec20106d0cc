"""`python -m evaluation base verifier` (issue 20, relecture d'exploitation) : la
configuration d'un serveur vérifiée avant son démarrage, parce que `/_stcore/health` répond
« ok » même quand la base est injoignable ou qu'une variable est invalide. Code de sortie et
message en français ; la ligne `ExecStartPre` de l'unité livrée et le point d'entrée de
l'image Docker la lancent avant Streamlit."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from evaluation.commandes import main
from evaluation.socle.stockage import migration
from tests.conftest import RACINE_PROJET

DEPLOIEMENT = RACINE_PROJET / "deploiement"
VARIABLES = (
    "EVALUATION_BASE",
    "EVALUATION_POOL_TAILLE",
    "EVALUATION_POOL_DEBORDEMENT",
    "STREAMLIT_SERVER_COOKIE_SECRET",
)


@pytest.fixture
def environnement(monkeypatch):
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def _url(moteur) -> str:
    return moteur.url.render_as_string(hide_password=False)


def _verifier(capsys, *avant: str) -> tuple[int, str, str]:
    code = main([*avant, "base", "verifier"])
    sortie = capsys.readouterr()
    return code, sortie.out, sortie.err


def test_une_configuration_valide_passe(moteur, environnement, capsys):
    environnement.setenv("EVALUATION_BASE", _url(moteur))
    code, sortie, erreur = _verifier(capsys)
    assert (code, erreur) == (0, "")
    assert "Configuration valide" in sortie and migration.revision_cible() in sortie


@pytest.mark.parametrize(
    ("variable", "valeur"),
    [("EVALUATION_POOL_TAILLE", "abc"), ("EVALUATION_POOL_DEBORDEMENT", "-1")],
)
def test_une_variable_du_pool_invalide_arrete(moteur, environnement, capsys, variable, valeur):
    environnement.setenv("EVALUATION_BASE", _url(moteur))
    environnement.setenv(variable, valeur)
    code, sortie, erreur = _verifier(capsys)
    assert (code, sortie) == (1, "")
    assert "le serveur ne doit pas démarrer" in erreur
    assert f"la variable {variable} vaut « {valeur} »" in erreur


@pytest.mark.parametrize(
    ("variable", "valeur"),
    [
        ("STREAMLIT_SERVER_COOKIE_SECRET", "SECRET_A_REMPLACER"),  # systemd/evaluation.env
        ("STREAMLIT_SERVER_COOKIE_SECRET", "a-remplacer"),  # docker/.env.exemple
        (
            "EVALUATION_BASE",
            "postgresql+psycopg://evaluation:MOT_DE_PASSE_A_REMPLACER@127.0.0.1:5432/evaluation",
        ),
    ],
)
def test_une_valeur_d_exemple_restee_arrete(moteur_sqlite, environnement, capsys, variable, valeur):
    """Les valeurs d'exemple des deux fichiers d'environnement livrés."""
    exemples = (DEPLOIEMENT / "systemd" / "evaluation.env.exemple").read_text(encoding="utf-8")
    exemples += (DEPLOIEMENT / "docker" / ".env.exemple").read_text(encoding="utf-8")
    assert valeur.split("@")[0].split(":")[-1] in exemples
    environnement.setenv(variable, valeur)
    code, _, erreur = _verifier(capsys, "--base", _url(moteur_sqlite))
    assert code == 1 and "MOT_DE_PASSE" not in erreur
    assert f"{variable} porte encore une valeur d'exemple" in erreur


def test_une_base_injoignable_arrete(environnement, capsys):
    with socket.socket() as s:  # un port où rien n'écoute
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://evaluation:secret-du-serveur@127.0.0.1:{port}/evaluation"
    environnement.setenv("EVALUATION_BASE", url)
    code, sortie, erreur = _verifier(capsys)
    assert (code, sortie) == (1, "")
    assert "le serveur de base de données ne répond pas" in erreur
    assert "secret-du-serveur" not in erreur and "***" in erreur
    assert "Connection refused" not in erreur  # le texte du pilote n'y est pas


def test_une_base_sqlite_absente_arrete_sans_rien_creer(tmp_path, environnement, capsys):
    absente = tmp_path / "absente.sqlite"
    code, _, erreur = _verifier(capsys, "--base", f"sqlite:///{absente}")
    assert code == 1 and f"la base SQLite {absente} n'existe pas" in erreur
    assert list(tmp_path.iterdir()) == []


def test_un_schema_en_retard_ou_en_avance_arrete(moteur, environnement, capsys):
    precedente = migration.revisions_livrees()[migration.revision_cible()]
    for revision, attendu in (
        (precedente, "lancez d'abord « python -m evaluation base mettre-a-jour »"),
        ("0099_futur", "ne connaît pas"),
    ):
        with moteur.begin() as c:
            c.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        code, _, erreur = _verifier(capsys, "--base", _url(moteur))
        assert code == 1 and revision in erreur and attendu in erreur


def _ligne(fichier: str, cle: str) -> list[str]:
    texte = (DEPLOIEMENT / "systemd" / fichier).read_text(encoding="utf-8")
    (ligne,) = [x for x in texte.splitlines() if x.startswith(f"{cle}=")]
    ligne = ligne.removeprefix(f"{cle}=").replace(
        "/opt/evaluation/.venv/bin/", f"{Path(sys.executable).parent}/"
    )
    return shlex.split(ligne)


def test_l_unite_verifie_avant_de_lancer_le_serveur(moteur_sqlite, tmp_path):
    """La ligne ExecStartPre de evaluation@.service, exécutée telle quelle (venv de l'essai) :
    code 0 sur une bonne configuration, non nul et la raison sur une mauvaise."""
    commande = _ligne("evaluation@.service", "ExecStartPre")
    assert commande[1:] == ["-m", "evaluation", "base", "verifier"]
    propre = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    bonne = {**propre, "EVALUATION_BASE": _url(moteur_sqlite)}
    for env, code_attendu in ((bonne, 0), ({**bonne, "EVALUATION_POOL_TAILLE": "abc"}, 1)):
        fait = subprocess.run(
            commande, cwd=RACINE_PROJET, env=env, capture_output=True, text=True, timeout=120
        )
        assert fait.returncode == code_attendu, fait.stderr
    assert "EVALUATION_POOL_TAILLE vaut « abc »" in fait.stderr
    assert "Traceback" not in fait.stderr


def test_l_image_docker_verifie_avant_de_lancer_le_serveur():
    texte = (DEPLOIEMENT / "docker" / "Dockerfile").read_text(encoding="utf-8")
    (cmd,) = [x for x in texte.splitlines() if x.startswith("CMD ")]
    assert ".venv/bin/python -m evaluation base verifier && exec .venv/bin/streamlit run" in cmd
