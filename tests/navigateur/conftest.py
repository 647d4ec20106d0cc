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
        suivre_les_executions(contexte)
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


# Le suivi des exécutions du script, posé dans chaque document avant Streamlit (script
# d'initialisation du contexte). L'attribut `data-test-script-state` de stApp (running,
# notRunning) ne suffit pas : vu dans Chromium 156 avec Streamlit 1.67, une exécution brève
# (un curseur, un commentaire) passe sans que l'attribut change, React rendant d'un coup
# « running » puis « notRunning ». Le suivi lit donc, sur la connexion WebSocket de Streamlit,
# l'état que le serveur annonce : chaque demande d'exécution envoyée (BackMsg.rerun_script,
# champ 11 ; is_auto_rerun, champ 6 de ClientState, pour les relances minutées d'un fragment),
# chaque début d'exécution reçu (ForwardMsg.new_session, champ 4) et chaque fin
# (ForwardMsg.script_finished, champ 6 ; 2 = FINISHED_EARLY_FOR_RERUN, une autre suit). Une fin
# compte quand Streamlit l'a traitée et React rendue : une tâche après le message, puis une
# tâche de MessageChannel, file où l'ordonnanceur de React a déjà posé son rendu. Le dernier
# geste de l'utilisateur (événement de confiance : touche, pointeur, saisie) sert d'origine ;
# pas « change », qui suit la touche Entrée d'un formulaire après que Streamlit a déjà envoyé
# sa demande (vu dans Chromium : l'attente partait alors d'après la demande).
SUIVI_DES_EXECUTIONS = """(() => {
  if (window.__suivi) return;
  const s = window.__suivi = {geste: 0, quoi: 'chargement', demandes: [], evenements: [],
                               traites: 0};
  const varint = (b, i) => {
    let v = 0, m = 1;
    for (;;) { const x = b[i++]; v += (x & 0x7f) * m; if (x < 0x80) return [v, i]; m *= 128; }
  };
  const champs = (b) => {
    const r = []; let i = 0;
    while (i < b.length) {
      let cle, v, l; [cle, i] = varint(b, i);
      const t = cle & 7;
      if (t === 0) [v, i] = varint(b, i);
      else if (t === 2) { [l, i] = varint(b, i); v = b.subarray(i, i + l); i += l; }
      else if (t === 1) i += 8; else if (t === 5) i += 4; else break;
      r.push([Math.floor(cle / 8), v]);
    }
    return r;
  };
  for (const type of ['pointerdown', 'keydown', 'input']) {
    window.addEventListener(type, (e) => {
      if (e.isTrusted) { s.geste = performance.now(); s.quoi = type + (e.key ? ' ' + e.key : ''); }
    }, true);
  }
  const Origine = window.WebSocket;
  window.WebSocket = class extends Origine {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => {
        if (!(e.data instanceof ArrayBuffer)) return;
        let quoi = null;
        for (const [n, v] of champs(new Uint8Array(e.data))) {
          if (n === 4) quoi = 'debut';
          else if (n === 6) quoi = v === 2 ? 'relance' : 'fin';
        }
        if (quoi === null) return;
        const rang = s.evenements.push([performance.now(), quoi]);
        setTimeout(() => {
          const c = new MessageChannel();
          c.port1.onmessage = () => { s.traites = Math.max(s.traites, rang); c.port1.close(); };
          c.port2.postMessage(0);
        }, 0);
      });
    }
    send(d) {
      try {
        const b = d instanceof ArrayBuffer ? new Uint8Array(d)
          : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
        for (const [n, v] of champs(b)) {
          if (n === 11) s.demandes.push(
            [performance.now(), champs(v).some(([m, x]) => m === 6 && x === 1)]);
        }
      } catch (erreur) { /* le suivi ne doit jamais gêner l'envoi */ }
      return super.send(d);
    }
  };
  // L'heure de la fin de l'exécution attendue, ou null : depuis `depuis` (le dernier geste
  // par défaut), une demande d'exécution de la page (pas une relance minutée) ; après la
  // dernière, un début reçu ; le dernier événement reçu est une fin, traitée et rendue ; et
  // stApp le dit (notRunning).
  s.fin = (depuis) => {
    const origine = depuis ?? s.geste;
    const demandes = s.demandes.filter(([t, auto]) => t >= origine && !auto);
    const e = s.evenements;
    if (!demandes.length || !e.length || s.traites < e.length) return null;
    const derniere = demandes[demandes.length - 1][0];
    const [t, quoi] = e[e.length - 1];
    if (quoi !== 'fin' || !e.some(([u, q]) => q === 'debut' && u >= derniere)) return null;
    const app = document.querySelector("[data-testid='stApp']");
    return app && app.getAttribute('data-test-script-state') === 'notRunning' ? t : null;
  };
  s.bilan = (depuis) => {
    const origine = depuis ?? s.geste;
    const app = document.querySelector("[data-testid='stApp']");
    return {maintenant: performance.now(), origine, geste: s.quoi,
            demandes: s.demandes.filter(([t]) => t >= origine),
            evenements: s.evenements.filter(([t]) => t >= origine),
            etat: app && app.getAttribute('data-test-script-state')};
  };
})()"""


def suivre_les_executions(contexte) -> None:
    """Pose le suivi des exécutions dans chaque document du contexte (à faire avant d'ouvrir
    une page : `attendre_fin` en a besoin)."""
    contexte.add_init_script(SUIVI_DES_EXECUTIONS)


def _expliquer(page, depuis: float | None, delai: int) -> str:
    b = page.evaluate("(d) => window.__suivi && window.__suivi.bilan(d ?? undefined)", depuis)
    if b is None:
        return "page sans le suivi des exécutions (contexte ouvert sans suivre_les_executions)"
    il_y_a = lambda t: f"il y a {(b['maintenant'] - t) / 1000:.1f} s"  # noqa: E731
    origine = f"depuis le dernier geste ({b['geste']}, {il_y_a(b['origine'])})"
    if depuis is not None:
        origine = f"depuis l'instant donné ({il_y_a(depuis)})"
    demandes = [t for t, auto in b["demandes"] if not auto]
    if not demandes:
        return (
            f"aucune exécution de Streamlit demandée {origine} en {delai / 1000:.0f} s : ce "
            "geste ne relance pas le script ; attendez plutôt ce que l'utilisateur doit voir"
        )
    recus = ", ".join(f"{q} {il_y_a(t)}" for t, q in b["evenements"]) or "rien"
    return (
        f"exécution demandée {il_y_a(demandes[-1])} et pas finie en {delai / 1000:.0f} s "
        f"(reçu du serveur {origine} : {recus} ; état de stApp : {b['etat']})"
    )


def fin_d_execution(page, depuis: float | None = None, delai: int = 30_000) -> float:
    """Attend la fin de l'exécution demandée par la page après `depuis` (horloge de la page,
    `maintenant`), ou après le dernier geste de l'utilisateur si `depuis` est None : demandée,
    commencée après la demande, finie, rendue. Rend l'attente en secondes depuis `depuis` (ou
    depuis le geste). Échoue, en disant ce qui manque, après `delai` ms."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        # Le prédicat rend [fin, origine] d'un coup : relue après coup, la fin pourrait déjà
        # être suivie du début d'une autre exécution (relance minutée d'un fragment).
        fin, origine = page.wait_for_function(
            """(d) => { const s = window.__suivi; const f = s && s.fin(d ?? undefined);
                        return f != null && [f, d ?? s.geste]; }""",
            arg=depuis,
            timeout=delai,
            polling=50,
        ).json_value()
    except PlaywrightTimeout:
        raise AssertionError(_expliquer(page, depuis, delai)) from None
    return (fin - origine) / 1000


def attendre_fin(page, delai: int = 30_000) -> None:
    """Attend que l'exécution du script que le dernier geste (ou le chargement de la page) a
    demandée soit finie et rendue — sans délai fixe : ni trop tôt si l'exécution n'a pas
    encore commencé, ni en vain si elle a été trop brève pour se voir dans stApp. Un geste qui
    ne relance pas le script (onglet, volet, saisie pas encore validée) fait échouer l'attente
    au bout de `delai` ms avec un message qui le dit : attendre alors ce que l'utilisateur
    doit voir."""
    fin_d_execution(page, None, delai)


def attendre_repos(page, delai: int = 30_000) -> None:
    """Attend que la page soit au repos : plus aucune exécution en cours, quelle qu'en soit
    la cause (relance minutée d'un fragment comprise), la dernière finie et rendue. Pour un
    geste qui ne relance rien mais que fausserait une exécution en cours (téléchargement)."""
    fin_d_execution(page, 0, delai)


def maintenant(page) -> float:
    """L'horloge de la page (ms), origine pour `fin_d_execution`."""
    return page.evaluate("performance.now()")


def apres_execution(page, geste, delai: int = 30_000) -> float:
    """Fait `geste()` puis attend la fin de l'exécution qu'il a demandée ; rend l'attente en
    secondes."""
    depuis = maintenant(page)
    geste()
    return fin_d_execution(page, depuis, delai)


def noter_au_maximum_et_soumettre(page) -> None:
    """Chaque curseur de la demande ouverte au maximum, au clavier (Fin), puis « Soumettre
    l'évaluation » ; attend le message de la soumission. Les curseurs sont attendus avant
    d'être comptés : sans le délai fixe de l'ancienne attente, la liste pouvait être lue
    avant qu'ils paraissent, vide (test à deux serveurs, 1er décembre)."""
    curseurs = page.get_by_role("slider")
    curseurs.first.wait_for()
    attendre_repos(page)  # la page faite : tous ses curseurs dessinés
    for curseur in curseurs.all():
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
