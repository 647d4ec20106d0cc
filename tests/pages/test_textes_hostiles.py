"""Chaque famille de pages affiche le texte des fichiers et des personnes tel quel (classe
« text ») : une base dont les titres, résumés, municipalités, partenaires, commentaires,
justifications, noms d'évaluateurs, nom d'appel et libellé de secteur portent une image
Markdown vers une adresse, des liens, du HTML, du gras, du LaTeX, une couleur, une icône,
un émoji et une adresse nue (tests/hostiles.py), importée par le vrai chemin.

Sur chaque page, toute source que Streamlit lit comme du Markdown (markdown, légendes,
alertes, titres, libellés d'expander, de métrique, de bouton, de curseur, options de
st.radio, aides) ne porte aucune de ces marques sans échappement ; le texte hostile y
paraît bien, échappé (`texte.litteral`) ; les graphiques plotly n'ont pas de HTML actif.
"""

from __future__ import annotations

import json

import pytest

from evaluation.socle.roles import ADMIN, EVALUATEUR, PRESIDENT
from evaluation.socle.texte import citer, litteral
from tests.hostiles import EVALUATEURS, MARKDOWN, classeur_de_demandes, marques_actives
from tests.hostiles import remplir_base as remplir
from tests.pages.conftest import MIME_XLSX

TITRE = "Projet " + MARKDOWN
# Les champs de proto que Streamlit rend en Markdown (corps, libellés, aides, options de
# st.radio) ; les options d'une liste déroulante sont du texte brut, pas du Markdown.
CHAMPS_MARKDOWN = {"body", "label", "help", "text", "options", "captions"}
TEXTE_BRUT = {"selectbox", "multiselect"}


@pytest.fixture
def base_hostile(base, tmp_path):
    appel, ids = remplir(base, tmp_path, [MARKDOWN, TITRE])
    return appel, ids


def _chaines(message, nom_type: str):
    """Les chaînes des champs Markdown d'un proto, sous-messages compris."""
    for champ, valeur in message.ListFields():
        repete = hasattr(valeur, "__iter__") and not isinstance(valeur, str | bytes)
        repete = repete and not hasattr(valeur, "ListFields")
        valeurs = list(valeur) if repete else [valeur]
        if champ.message_type is not None:
            for sous in valeurs:
                if hasattr(sous, "ListFields"):
                    yield from _chaines(sous, nom_type)
        elif champ.name in CHAMPS_MARKDOWN and not (
            champ.name == "options" and nom_type in TEXTE_BRUT
        ):
            yield from valeurs


def sources_markdown(at) -> list[str]:
    """Chaque source que Streamlit interprète comme du Markdown dans la page rendue."""
    sources = []
    for noeud in at._tree:
        proto = getattr(noeud, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            sources += [s for s in _chaines(proto, noeud.type) if isinstance(s, str)]
    return sources


def graphiques(at) -> list[str]:
    return [n.proto.spec for n in at._tree if getattr(n, "type", "") == "plotly_chart"]


def verifier(at, *textes: str) -> list[str]:
    """Aucune marque active ; chaque texte de `textes` paraît échappé dans une source."""
    assert not at.exception, at.exception
    sources = sources_markdown(at)
    actives = {s: marques_actives(s) for s in sources if marques_actives(s)}
    assert actives == {}
    for texte in textes:
        # Un message peut ne citer qu'un extrait de la valeur (40 caractères, `texte.citer`).
        formes = (litteral(texte), litteral(citer(texte)))
        assert any(f in s for s in sources for f in formes), texte
    for spec in graphiques(at):
        assert "<img" not in spec and "<a " not in spec
    return sources


def ouvrir(application, page: str, role: str, **kwargs):
    at = application(f"pages/{page}.py", role=role, **kwargs)
    assert not at.exception, at.exception
    return at


def test_cadre_et_accueil(application, base_hostile):
    appel, _ = base_hostile
    at = ouvrir(application, "accueil", ADMIN)
    verifier(at, appel.nom, appel.nom_court)


def test_evaluation(application, base_hostile):
    """Titre, résumé, fiche, avertissements de l'importation (qui citent la municipalité),
    libellé de secteur."""
    eva = next(iter(EVALUATEURS))
    at = ouvrir(application, "evaluation", EVALUATEUR, courriel=eva)
    sources = verifier(at, MARKDOWN)
    assert any(s.startswith("#### ") and litteral(MARKDOWN) in s for s in sources)


@pytest.mark.parametrize("page", ["classement", "suivi", "portefeuille"])
def test_classement_suivi_portefeuille(application, base_hostile, page):
    appel, _ = base_hostile
    at = ouvrir(application, page, PRESIDENT)
    verifier(at, appel.nom_court)


def test_seance(application, base_hostile):
    """Titre, municipalité, commentaires et noms des évaluateurs, tableau des notes
    (st.table lit aussi le Markdown de ses cellules)."""
    at = ouvrir(application, "seance", PRESIDENT)
    verifier(at, MARKDOWN, EVALUATEURS["luc@exemple.qc.ca"])
    # Le tableau des notes (les autres : montants de la demande, dépenses retirées).
    (tableau,) = [
        t
        for t in at.table
        if litteral(EVALUATEURS["luc@exemple.qc.ca"]) in [str(i) for i in t.value.index]
    ]
    index = [str(i) for i in tableau.value.index]
    assert all(marques_actives(i) == [] for i in index)


def test_attributions_journal_parametres_comparaison(application, base_hostile):
    appel, _ = base_hostile
    for page in ("attributions", "journal", "parametres", "comparaison"):
        at = ouvrir(application, page, ADMIN)
        verifier(at)
    at = ouvrir(application, "attributions", ADMIN)
    verifier(at, EVALUATEURS["luc@exemple.qc.ca"])
    at = ouvrir(application, "parametres", ADMIN)
    verifier(at, appel.nom)


def test_importation_rapport(application, base, tmp_path):
    """Le rapport cite le nom du fichier et les valeurs des cellules : texte, pas Markdown."""
    fichier = classeur_de_demandes(tmp_path, [MARKDOWN, TITRE], None)
    at = ouvrir(application, "importation", ADMIN)
    nom = "![x](http:127.0.0.1:9 x.png) **gras**.xlsx"
    televersement = next(u for u in at.get("file_uploader"))
    televersement.set_value((nom, fichier.read_bytes(), MIME_XLSX))
    at.run()
    verifier(at, nom, MARKDOWN)


def test_graphique_du_portefeuille_echappe(application, base_hostile):
    at = ouvrir(application, "portefeuille", PRESIDENT)
    at.selectbox(key="pf_dim").set_value("secteur").run()
    specs = graphiques(at)
    assert any("&lt;img src=x onerror=alert(1)&gt;" in s for s in specs)
    assert all("<img" not in json.loads(s).__repr__() for s in specs)


def test_lettres_aux_demandeurs(application, base_hostile):
    """L'aperçu de la lettre (titre, municipalité, courriel, commentaires des évaluateurs)
    et la liste des demandes sans lettre : du texte, pas du Markdown."""
    at = ouvrir(application, "lettres", ADMIN)
    verifier(at, MARKDOWN)
