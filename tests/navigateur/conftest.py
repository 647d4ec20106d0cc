"""Un serveur Streamlit réel sur une base neuve, et Chromium (celui de Debian) pour le piloter."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from evaluation.notes.saisie import Saisie
from tests.conftest import manque

RACINE = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGUMENTS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def navigateur():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        manque(f"Chromium introuvable ({CHROMIUM}) : apt-get install -y chromium")
    try:
        from playwright import sync_api
    except ImportError:
        manque("Playwright absent : pip install -r requirements-dev.txt")
    with sync_api.sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=CHROMIUM, args=ARGUMENTS_CHROMIUM)
        yield navigateur
        navigateur.close()


MOT_DE_PASSE = "cheval agrafe batterie correcte"
COMPTES = {
    "admin@exemple.qc.ca": ("admin", "Alex Admin"),
    "eva@exemple.qc.ca": ("evaluateur", "Éva Luatrice"),
    "pres@exemple.qc.ca": ("president", "Paule Présidente"),
    "ana@exemple.qc.ca": ("analyste", "Ana Lyste"),
}


@pytest.fixture
def base_serveur(tmp_path):
    """URL de la base du serveur, avec un compte par rôle (mot de passe MOT_DE_PASSE)."""
    from evaluation.socle.comptes import creer_compte
    from evaluation.socle.stockage import creer_moteur

    url = f"sqlite:///{tmp_path / 'base.sqlite'}"
    moteur = creer_moteur(url)
    for courriel, (role, nom) in COMPTES.items():
        creer_compte(courriel, role, MOT_DE_PASSE, moteur=moteur, nom=nom)
    moteur.dispose()
    return url


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Garde sur le test le rapport de chaque phase : les fixtures qui ferment le serveur et
    les navigateurs savent ainsi si le test a échoué, et laissent alors leurs témoins."""
    rapport = yield
    setattr(item, f"rapport_{rapport.when}", rapport)
    return rapport


def _a_echoue(request) -> bool:
    rapport = getattr(request.node, "rapport_call", None)
    return rapport is not None and rapport.failed


@pytest.fixture
def serveur(request, tmp_path, base_serveur):
    """URL d'une application fraîche, sur sa propre base SQLite. Si le test échoue, la fin du
    journal du serveur (traces des erreurs rattrapées comprises) paraît dans son rapport."""
    port = _port_libre()
    env = {**os.environ, "EVALUATION_BASE": base_serveur}
    journal = tmp_path / "streamlit.log"
    sortie = journal.open("wb")
    processus = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=RACINE,
        env=env,
        stdout=sortie,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    limite = time.monotonic() + 60
    while time.monotonic() < limite:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    break
        except OSError:
            time.sleep(0.3)
    else:
        processus.kill()
        processus.wait()
        sortie.close()
        pytest.fail("Le serveur Streamlit n'a pas démarré : " + journal.read_text())
    yield url
    processus.terminate()
    try:
        processus.wait(timeout=10)
    except subprocess.TimeoutExpired:
        processus.kill()
        processus.wait()
    sortie.close()
    if _a_echoue(request):
        print("--- fin du journal du serveur Streamlit ---")
        print(journal.read_text(encoding="utf-8", errors="replace")[-6000:])


@pytest.fixture
def nouvelle_page(request, navigateur, tmp_path):
    """Fabrique de pages, chacune dans son propre contexte (ses propres témoins de
    connexion) : deux pages sont deux personnes. Si le test échoue, chaque page laisse une
    capture (dossier temporaire du test) et son texte visible dans le rapport, avant que
    son contexte ne soit fermé : un échec en CI se lit sans le rejouer."""
    contextes = []

    def ouvrir():
        contexte = navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-CA")
        contextes.append(contexte)
        return contexte.new_page()

    yield ouvrir
    for n, contexte in enumerate(contextes):
        if _a_echoue(request):
            for k, p in enumerate(contexte.pages):
                try:
                    p.screenshot(path=str(tmp_path / f"echec_{n}_{k}.png"), full_page=True)
                    texte = p.inner_text("body", timeout=5_000)
                except Exception as exc:  # le témoin ne doit pas masquer l'échec du test
                    texte = f"(page illisible : {exc})"
                print(f"--- page {n}.{k} ({p.url}) ---")
                print(texte[:4000])
        contexte.close()


@pytest.fixture
def page(nouvelle_page):
    return nouvelle_page()


def attendre_fin(page, delai: int = 30_000) -> None:
    """Attend que le script Streamlit ait fini de s'exécuter après une action."""
    page.wait_for_timeout(300)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=delai
    )


# Chaque passage de l'état du script (running, notRunning) avec son heure (horloge de la page).
# Observé sur tout le document : si Streamlit remonte son élément racine (reconnexion sous
# charge), l'observateur d'un seul élément ne verrait plus rien passer.
SUIVRE_ETATS = """() => {
  if (window.__etats) return;
  window.__etats = [];
  new MutationObserver((mutations) => mutations.forEach((m) => window.__etats.push(
    [m.target.getAttribute('data-test-script-state'), performance.now()]
  ))).observe(document.documentElement, {
    attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
}"""

# L'heure de la première fin d'exécution après `depuis` dont le début est aussi après, ou null.
_FIN_APRES = """(depuis) => {
  const e = window.__etats.filter(([, t]) => t >= depuis);
  const fin = e.findIndex(
    ([s], i) => s === 'notRunning' && e.slice(0, i).some(([r]) => r === 'running'));
  return fin < 0 ? null : e[fin][1];
}"""


def maintenant(page) -> float:
    """L'horloge de la page (ms), après avoir mis en place le suivi des exécutions."""
    page.evaluate(SUIVRE_ETATS)
    return page.evaluate("performance.now()")


def fin_d_execution(page, depuis: float, delai: int = 30_000) -> float:
    """Attend la fin d'une exécution commencée après `depuis` (horloge de la page) ; rend
    l'attente en secondes."""
    page.wait_for_function(f"({_FIN_APRES})({depuis}) !== null", timeout=delai)
    return (page.evaluate(_FIN_APRES, depuis) - depuis) / 1000


def apres_execution(page, geste, delai: int = 30_000) -> float:
    """Fait `geste()` puis attend la fin de l'exécution que ce geste a lancée : l'état du
    script passé à « running » puis revenu à « notRunning » après le geste — sans le délai
    fixe d'`attendre_fin`, qui rend la main trop tôt si l'exécution n'a pas encore commencé
    (machine chargée)."""
    depuis = maintenant(page)
    geste()
    return fin_d_execution(page, depuis, delai)


def noter_au_maximum_et_soumettre(page) -> None:
    """Chaque curseur de la demande ouverte au maximum, au clavier (Fin), puis « Soumettre
    l'évaluation » ; attend le message de la soumission."""
    for curseur in page.get_by_role("slider").all():
        curseur.focus()
        curseur.press("End")
        attendre_fin(page)
    page.get_by_role("button", name="Soumettre l'évaluation").click()
    attendre_fin(page)
    page.get_by_text("Évaluation soumise à").wait_for()


def se_connecter(page, courriel: str, mot_de_passe: str = MOT_DE_PASSE) -> None:
    """Remplit le formulaire de connexion affiché par la page et attend la page demandée."""
    page.get_by_label("Courriel").fill(courriel)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()
    attendre_fin(page)
    page.get_by_role("button", name="Se déconnecter").wait_for()
    attendre_fin(page)


@pytest.fixture
def appel_evalue(base_serveur):
    """Trois demandes notées par deux évaluateurs ; enveloppe de l'an 1 qui ne finance que
    la mieux classée, pour que la ligne de financement passe entre les deux premières."""
    from evaluation.appels.configuration import appel_depuis_toml, charger_appel
    from evaluation.depot.importation import importer
    from evaluation.depot.verification import verifier_lot
    from evaluation.notes import evaluations
    from evaluation.socle import stockage
    from evaluation.socle.comptes import creer_compte
    from tests.conftest import DONNEES
    from tests.filtrage import admettre

    livre = charger_appel()
    appel = appel_depuis_toml(
        livre.source_toml.replace("enveloppe = [750000, 500000]", "enveloppe = [30000, 30000]")
    )
    moteur = stockage.creer_moteur(base_serveur)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        table = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(table["no_demande"], table["id"].astype(int), strict=True))
    admettre(moteur, appel)  # seule une demande jugée admissible se note
    for i, courriel in enumerate(("e1@exemple.qc.ca", "e2@exemple.qc.ca")):
        creer_compte(courriel, "evaluateur", MOT_DE_PASSE, moteur=moteur)
        for numero, note in (("T-001", 9.0), ("T-002", 8.0 - i), ("T-003", 7.0)):
            saisie = Saisie(notes={c.id: note for c in appel.criteres})
            evaluations.enregistrer(appel, ids[numero], courriel, saisie, "soumise", moteur=moteur)
    yield appel, moteur, ids
    moteur.dispose()
