"""AppTest sur l'application entière, avec une base neuve par test."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.socle.comptes import creer_compte, trouver_compte
from evaluation.socle.roles import ADMIN
from evaluation.socle.stockage import creer_moteur
from pages.composants.connexion import CLE_COMPTE, CLE_EMPREINTE
from tests.conftest import RACINE_PROJET

MOT_DE_PASSE = "cheval agrafe batterie correcte"

MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def base(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("EVALUATION_BASE", url)
    return url


def _empreinte(url: str, courriel: str) -> str:
    """L'empreinte du mot de passe actuel du compte, que porte une session ouverte."""
    moteur = creer_moteur(url)
    try:
        return trouver_compte(courriel, moteur=moteur).empreinte
    finally:
        moteur.dispose()


def ouvrir_session(at, url: str, courriel: str) -> None:
    """La session d'AppTest connectée à ce compte, comme après le formulaire."""
    at.session_state[CLE_COMPTE] = courriel
    at.session_state[CLE_EMPREINTE] = _empreinte(url, courriel)


def compte_de_test(url: str, role: str, courriel: str | None = None, **champs) -> str:
    """Crée (une fois) le compte `role@exemple.qc.ca` dans la base ; renvoie son courriel."""
    courriel = courriel or f"{role}@exemple.qc.ca"
    moteur = creer_moteur(url)
    try:
        if trouver_compte(courriel, moteur=moteur) is None:
            nom = champs.pop("nom", f"Compte {role}")
            creer_compte(courriel, role, MOT_DE_PASSE, moteur=moteur, nom=nom, **champs)
    finally:
        moteur.dispose()
    return courriel


@pytest.fixture
def moteur(base):
    """Un moteur sur la base de l'application (remplace, pour les pages, le `moteur`
    SQLite/PostgreSQL de tests/conftest.py)."""
    m = creer_moteur(base)
    yield m
    m.dispose()


@pytest.fixture
def application(base):
    """Ouvre l'application, connectée avec un compte du rôle voulu (None : personne)."""

    def ouvrir(page: str | None = None, role: str | None = ADMIN, courriel: str | None = None):
        at = AppTest.from_file(str(RACINE_PROJET / "app.py"), default_timeout=60)
        if role is not None:
            ouvrir_session(at, base, compte_de_test(base, role, courriel))
        at.run()
        assert not at.exception, at.exception
        if page:
            at.switch_page(page).run()
            assert not at.exception, at.exception
        return at

    return ouvrir


def compter_appels(monkeypatch, module, nom: str) -> list:
    """Remplace `module.nom` par une enveloppe qui compte ses appels ; renvoie la liste qui
    s'allonge d'un élément par appel (une lecture gardée en cache n'en ajoute pas)."""
    appels = []
    vraie = getattr(module, nom)

    def compter(*args, **kwargs):
        appels.append(1)
        return vraie(*args, **kwargs)

    monkeypatch.setattr(module, nom, compter)
    return appels


def fenetres(at: AppTest) -> list:
    """Les fenêtres (`st.dialog`) ouvertes : AppTest les range dans le bloc « event », où
    vont aussi les `st.html` qui ne portent que du style (la francisation de l'interface,
    à chaque exécution) — ceux-là ne sont pas des fenêtres."""
    from streamlit.testing.v1.element_tree import Block

    return [
        b
        for e in at._tree.children.values()
        if e.type == "event"
        for b in e.children.values()
        if isinstance(b, Block)
    ]


def rendu(source: str) -> str:
    """Le texte qu'une personne lit d'une source Markdown passée par `texte.litteral` : sans
    les barres obliques d'échappement ni les gluons (U+2060) invisibles."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source).replace("\u2060", "")


def textes(at: AppTest) -> str:
    """Tout le texte visible (markdown, légendes, alertes, titres d'expanders), tel qu'il se
    lit (voir `rendu`)."""
    morceaux = [m.value for m in at.markdown] + [c.value for c in at.caption]
    morceaux += [e.value for e in (*at.success, *at.info, *at.warning, *at.error)]
    morceaux += [e.label for e in at.expander]
    return rendu("\n".join(morceaux))


@pytest.fixture(autouse=True)
def cadre_a_chaque_execution(monkeypatch):
    """Chaque exécution d'AppTest passe par app.py, comme sur un serveur lancé.

    AppTest remet `PagesManager.uses_pages_directory` à None avant chaque exécution ; comme
    le projet a un dossier pages/, Streamlit le repasse à True et, dès la deuxième exécution
    (un clic, `switch_page`), lance la page seule à l'ancienne (MPA v1) : ni app.py, ni la
    connexion, ni la barre latérale. Un serveur, lui, le remet à False pour de bon au premier
    appel de st.navigation. Ce fixture le garde à False."""
    from streamlit.runtime.pages_manager import PagesManager

    initialiser = PagesManager.__init__

    def __init__(self, *args, **kwargs):
        initialiser(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", __init__)


class FichiersServis:
    """Les gestionnaires et les stockages de fichiers qu'AppTest crée à chaque exécution :
    un bouton de téléchargement y dépose ses octets (`url`), ou y inscrit la fonction qui
    les écrira au clic (`deferred_file_id`, données différées)."""

    def __init__(self) -> None:
        self.gestionnaires: list = []
        self.stockages: list = []

    def lire(self, at, cle: str) -> tuple[str, bytes]:
        """(nom du fichier, octets) du bouton `cle`, comme au clic de la personne."""
        (bouton,) = [b for b in at.get("download_button") if b.key == cle]
        if bouton.proto.deferred_file_id:
            adresse = self.gestionnaires[-1].execute_deferred(bouton.proto.deferred_file_id)
        else:
            adresse = bouton.proto.url
        fichier = self.stockages[-1].get_file(adresse.rsplit("/", 1)[-1])
        return fichier.filename, fichier.content


@pytest.fixture
def fichiers_servis(monkeypatch) -> FichiersServis:
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    servis = FichiersServis()

    class Gestionnaire(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            servis.gestionnaires.append(self)

    class Stockage(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            servis.stockages.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Gestionnaire)
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Stockage)
    return servis


@pytest.fixture(autouse=True)
def declarations_du_comite_acceptees(monkeypatch):
    """Les pages Séance et Classement exigent du comité la déclaration d'intérêts et
    l'engagement de confidentialité de l'appel (issue 16). Les tests des autres pages les
    tiennent pour acceptés, comme ils ouvrent une session sans le formulaire de connexion ;
    tests/pages/test_declarations.py rétablit l'exigence (`exiger_les_declarations`)."""
    from evaluation.decision import declarations

    monkeypatch.setattr(declarations, "acceptation", lambda *_, **__: {"tenue_pour_acceptee": 1})


def sous_le_controle(at: AppTest, cle: str) -> list[str]:
    """Les messages (succès, refus, information, avertissement) qui suivent immédiatement le
    contrôle `cle` dans l'ordre de lecture de la page (colonnes et conteneurs parcourus
    dans l'ordre), avant tout autre élément : là où la personne a cliqué (issue 16)."""

    def feuilles(bloc):
        enfants = getattr(bloc, "children", None)
        if not enfants:
            yield bloc
            return
        for enfant in enfants.values():
            yield from feuilles(enfant)

    suite = list(feuilles(at._tree))
    positions = [i for i, e in enumerate(suite) if getattr(e, "key", None) == cle]
    assert positions, f"aucun contrôle de clé « {cle} »"
    messages = []
    for element in suite[positions[0] + 1 :]:
        if getattr(element, "type", None) not in ("success", "error", "info", "warning"):
            break
        messages.append(rendu(element.value))
    return messages


def bilan(at: AppTest):
    """Le tableau « Financement » commun aux pages (issue 19) : ligne de financement,
    décisions du comité et du ministère, côte à côte ; None si la page ne le montre pas."""
    from evaluation.decision.portefeuille import BILAN

    for t in at.table:
        if t.value.index.name == BILAN:
            return t.value
    return None
