"""La frontière des pages : une erreur inattendue (base indisponible, bogue) ne montre ni
requête SQL, ni paramètres, ni trace ; la personne lit un message en français avec une
référence, que le journal du serveur détaille. Et la configuration livrée est sûre."""

from __future__ import annotations

import logging
import tomllib

import pytest
import sqlalchemy as sa

from evaluation.notes import evaluations
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, EVALUATEUR
from tests.conftest import RACINE_PROJET
from tests.filtrage import admettre
from tests.pages.conftest import textes


def _panne(*args, **kwargs):
    raise sa.exc.OperationalError(
        "SELECT comptes.hache_mot_de_passe FROM comptes WHERE comptes.courriel = %(c)s",
        {"c": "secret@exemple.qc.ca"},
        Exception("server closed the connection unexpectedly"),
    )


def _tout_le_texte(at) -> str:
    morceaux = [textes(at)]
    morceaux += [e.value for e in at.error] + [str(e.value) for e in at.exception]
    return "\n".join(morceaux)


def test_configuration_livree_sure():
    config = tomllib.loads((RACINE_PROJET / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["server"]["enableStaticServing"] is False
    assert config["global"]["developmentMode"] is False
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["disableDataExport"] is True
    assert config["client"]["allowedOrigins"] == []


def test_aucune_page_ne_compte_sur_la_magie():
    """La configuration coupe la « magie » de Streamlit (runner.magicEnabled) : elle
    recompilait chaque page à chaque exécution d'AppTest. Une expression nue dans un script
    (app.py, une page ; pas les modules importés de pages/composants, qu'elle ne touchait
    pas) ne s'afficherait donc plus : il n'y en a aucune."""
    import ast

    config = tomllib.loads((RACINE_PROJET / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["magicEnabled"] is False
    fichiers = [RACINE_PROJET / "app.py", *sorted((RACINE_PROJET / "pages").glob("*.py"))]
    nues = [
        f"{f.name}:{n.lineno}"
        for f in fichiers
        for n in ast.walk(ast.parse(f.read_text()))
        if isinstance(n, ast.Expr)
        and not isinstance(n.value, ast.Call | ast.Await | ast.Yield | ast.YieldFrom)
        and not (isinstance(n.value, ast.Constant) and isinstance(n.value.value, str))
    ]
    assert len(fichiers) > 10 and nues == []


def test_tableaux_sans_export_du_navigateur(application):
    """Le bouton « Download as CSV » des tableaux n'est pas neutralisé : il est fermé, même
    si un déploiement change la configuration."""
    import streamlit as st

    st.set_option("client.disableDataExport", False)
    application("pages/accueil.py", role=ADMIN)
    assert st.get_option("client.disableDataExport") is True


@pytest.mark.parametrize(
    ("page", "role"),
    [("pages/importation.py", ADMIN), ("pages/evaluation.py", EVALUATEUR)],
)
def test_erreur_de_base_dans_une_page(application, monkeypatch, caplog, page, role):
    at = application(page, role=role)
    monkeypatch.setattr(stockage, "lire_demandes", _panne)
    monkeypatch.setattr(stockage, "numeros_demandes", _panne)
    # La page Évaluation ne relit ses données que si la base a changé : la panne la
    # surprend dès la question « qu'est-ce qui a changé ? » (la version des données).
    monkeypatch.setattr(stockage, "version_donnees", _panne)
    monkeypatch.setattr(stockage, "versions_donnees", _panne)
    with caplog.at_level(logging.ERROR, logger="evaluation.pages"):
        at.run()
    assert not at.exception
    (message,) = [e.value for e in at.error if "erreur inattendue" in e.value]
    reference = message.split("référence ")[1][:6]
    assert message.startswith("Une erreur inattendue a interrompu cette action")
    tout = _tout_le_texte(at)
    for fuite in ("SELECT", "hache_mot_de_passe", "secret@exemple", "OperationalError", "%("):
        assert fuite not in tout
    assert any(reference in r.getMessage() and r.trace_epuree for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records)  # pas de trace brute (message compris)


def test_erreur_dans_un_rappel_de_bouton(application, monkeypatch, caplog, base):
    from evaluation.appels.configuration import charger_appel
    from evaluation.depot.importation import importer
    from evaluation.depot.verification import verifier_lot
    from tests.conftest import DONNEES

    appel = charger_appel()
    moteur = stockage.creer_moteur(base)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    moteur.dispose()
    at = application("pages/evaluation.py", role=EVALUATEUR)
    monkeypatch.setattr(evaluations, "enregistrer", _panne)
    at.button(key="brouillon").click()
    with caplog.at_level(logging.ERROR, logger="evaluation.pages"):
        at.run()
    assert not at.exception
    (message,) = [e.value for e in at.error if "erreur inattendue" in e.value]
    # En haut de la page, et un toast, visible là où la personne a cliqué, qui y renvoie
    # avec la même référence.
    reference = message.split("(référence ")[1].split(")")[0]
    assert [t.value for t in at.toast] == [
        f"Une erreur inattendue a interrompu cette action (référence {reference}) : "
        "détails en haut de la page."
    ]
    assert "SELECT" not in _tout_le_texte(at)
    assert any(
        getattr(r, "trace_epuree", None) for r in caplog.records if r.name == "evaluation.pages"
    )


def test_televersements_sans_filtre_du_navigateur(application):
    """Le navigateur refuserait un type de fichier en anglais (« files are not allowed ») :
    aucun téléversement ne restreint le type, et c'est la lecture qui refuse, en français."""
    at = application("pages/importation.py", role=ADMIN)
    # Les demandes, puis l'archive des pièces jointes (issue 18).
    assert [list(u.proto.type) for u in at.get("file_uploader")] == [[], []]
    at.get("file_uploader")[0].set_value(
        ("rapport.pdf", b"%PDF-1.7 un rapport annuel", "application/pdf")
    ).run()
    assert not at.exception
    assert "c'est un document PDF, pas un classeur" in textes(at)
    parametres = application("pages/parametres.py", role=ADMIN)
    assert all(not list(u.proto.type) for u in parametres.get("file_uploader"))
    lettres = application("pages/lettres.py", role=ADMIN)
    assert lettres.get("file_uploader")
    assert all(not list(u.proto.type) for u in lettres.get("file_uploader"))


@pytest.mark.parametrize("panne", ["version plus récente", "pas une base SQLite"])
def test_base_inutilisable_expliquee_des_la_premiere_page(base, tmp_path, panne):
    """Une base d'une version plus récente, ou un fichier qui n'est pas une base : la
    première page dit pourquoi et quoi faire, au lieu du message d'erreur générique."""
    from streamlit.testing.v1 import AppTest

    fichier = tmp_path / "app.sqlite"
    if panne == "version plus récente":
        moteur = stockage.creer_moteur(base)
        with moteur.begin() as c:
            c.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
        moteur.dispose()
    else:
        fichier.write_bytes(b"ceci n'est pas une base" * 500)
    at = AppTest.from_file(str(RACINE_PROJET / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    message = " ".join(" ".join(e.value for e in at.error).split())
    assert panne in message
    assert "erreur inattendue" not in message and "Traceback" not in message
    # L'adresse de la base n'est pas montrée à qui n'est pas encore connecté.
    assert "sqlite:" not in message and "postgresql" not in message
