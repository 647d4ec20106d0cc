"""Deux serveurs Streamlit sur une base PostgreSQL, nginx devant (issue 20, point 1).

Ce qui est lancé est ce qui est livré dans deploiement/ : la configuration nginx
(`nginx/evaluation.conf`, réécrite sans TLS sur des ports de boucle, chaque substitution
comptée), la commande des migrations (`ExecStart` de `systemd/evaluation-schema.service`,
exécutée une fois) et celle des serveurs (`ExecStart` de `systemd/evaluation@.service`, le
port à la place de %i), avec les variables de `systemd/evaluation.env.exemple`.

Puis deux Chromium par le mandataire : l'administration téléverse un classeur, un
évaluateur soumet sur un serveur, la présidence voit la soumission au classement sur
l'autre ; un serveur arrêté, une session neuve va à l'autre et rien d'enregistré n'est
perdu. Chaque session est rattachée à son serveur par l'en-tête X-Amont (décommenté pour
l'essai) et par les journaux structurés des serveurs (identifiant du compte connecté).
"""

from __future__ import annotations

import http.client
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import DONNEES, URL_POSTGRES, _postgres_ou_raison, manque
from tests.navigateur.conftest import (
    COMPTES,
    MOT_DE_PASSE,
    RACINE,
    _a_echoue,
    _port_libre,
    attendre_fin,
    noter_au_maximum_et_soumettre,
    se_connecter,
)

DEPLOIEMENT = RACINE / "deploiement"
TEMOIN = "evaluation_amont"
ADMIN, EVA, PRES = "admin@exemple.qc.ca", "eva@exemple.qc.ca", "pres@exemple.qc.ca"


# --- La configuration livrée, rendue essayable ---------------------------------------------


def substituer(texte: str, remplacements: list[tuple[str, str]]) -> str:
    """Chaque `ancien` doit être dans le texte : une ligne renommée dans le fichier livré
    fait échouer l'essai au lieu d'éprouver autre chose que ce qui est livré."""
    for ancien, nouveau in remplacements:
        assert ancien in texte, f"« {ancien} » absent de la configuration livrée"
        texte = texte.replace(ancien, nouveau)
    return texte


def nginx_d_essai(ports_amont: tuple[int, int], port: int, port_http: int, dossier: Path) -> str:
    """deploiement/nginx/evaluation.conf sans TLS : amont sur les ports d'essai, écoute sur
    la boucle, journaux dans `dossier`, en-tête X-Amont décommenté ; les lignes ssl_* et
    l'écoute IPv6 retirées (et comptées)."""
    texte = substituer(
        (DEPLOIEMENT / "nginx" / "evaluation.conf").read_text(encoding="utf-8"),
        [
            ("server 127.0.0.1:8501 ", f"server 127.0.0.1:{ports_amont[0]} "),
            ("server 127.0.0.1:8502 ", f"server 127.0.0.1:{ports_amont[1]} "),
            ("listen 443 ssl;", f"listen 127.0.0.1:{port};"),
            ("listen 80;", f"listen 127.0.0.1:{port_http};"),
            ("/var/log/nginx/", f"{dossier}/"),
            ("# essai : add_header X-Amont", "add_header X-Amont"),
        ],
    )
    gardees, retirees = [], []
    for ligne in texte.splitlines():
        nue = ligne.strip()
        (retirees if nue.startswith(("ssl_", "listen [::]")) else gardees).append(ligne)
    assert sum(r.strip().startswith("ssl_certificate") for r in retirees) == 2, retirees
    assert sum(r.strip().startswith("listen [::]") for r in retirees) == 2, retirees
    return "\n".join(gardees) + "\n"


def nginx_principal(dossier: Path, site: Path) -> Path:
    """Le fichier principal (ce que /etc/nginx/nginx.conf est sur Debian) : le site inclus
    dans le bloc http, tout le reste dans `dossier`."""
    for d in ("corps", "mandataire", "fastcgi", "uwsgi", "scgi"):
        (dossier / d).mkdir(exist_ok=True)
    utilisateur = "user root;\n" if os.geteuid() == 0 else ""  # dossiers d'essai privés
    principal = dossier / "nginx.conf"
    principal.write_text(
        f"{utilisateur}worker_processes 1;\npid {dossier}/nginx.pid;\n"
        f"error_log {dossier}/erreurs.log;\nevents {{ worker_connections 512; }}\n"
        "http {\n"
        f"    client_body_temp_path {dossier}/corps;\n"
        f"    proxy_temp_path {dossier}/mandataire;\n"
        f"    fastcgi_temp_path {dossier}/fastcgi;\n"
        f"    uwsgi_temp_path {dossier}/uwsgi;\n"
        f"    scgi_temp_path {dossier}/scgi;\n"
        f"    include {site};\n"
        "}\n",
        encoding="utf-8",
    )
    return principal


def commande_d_unite(fichier: str, port: int | None = None) -> list[str]:
    """La ligne ExecStart d'une unité livrée, le venv et le port de l'essai à la place de
    /opt/evaluation/.venv et de %i."""
    texte = (DEPLOIEMENT / "systemd" / fichier).read_text(encoding="utf-8")
    (ligne,) = [x for x in texte.splitlines() if x.startswith("ExecStart=")]
    commande = substituer(
        ligne.removeprefix("ExecStart="),
        [("/opt/evaluation/.venv/bin/", f"{Path(sys.executable).parent}/")],
    )
    if port is not None:
        commande = substituer(commande, [("%i", str(port))])
    return shlex.split(commande)


def environnement(url: str) -> dict[str, str]:
    """Les variables du fichier d'environnement livré, avec les valeurs de l'essai."""
    exemple = (DEPLOIEMENT / "systemd" / "evaluation.env.exemple").read_text(encoding="utf-8")
    cles = {
        ligne.split("=", 1)[0]
        for ligne in exemple.splitlines()
        if ligne.strip() and not ligne.startswith("#")
    }
    valeurs = {"EVALUATION_BASE": url, "STREAMLIT_SERVER_COOKIE_SECRET": uuid.uuid4().hex * 2}
    assert cles == set(valeurs), cles
    return {**os.environ, **valeurs}


# --- Base, serveurs, mandataire ------------------------------------------------------------


@pytest.fixture
def base_postgres():
    """Une base PostgreSQL neuve (CREATE DATABASE), supprimée après l'essai."""
    if raison := _postgres_ou_raison():
        manque(raison)
    import sqlalchemy as sa

    nom = f"essai_deux_serveurs_{uuid.uuid4().hex[:10]}"
    administrateur = sa.create_engine(URL_POSTGRES, isolation_level="AUTOCOMMIT")
    with administrateur.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{nom}"'))
    url = sa.engine.make_url(URL_POSTGRES).set(database=nom)
    yield url.render_as_string(hide_password=False)
    with administrateur.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)'))
    administrateur.dispose()


def _attendre_sante(url: str, processus: subprocess.Popen, journal: Path) -> None:
    limite = time.monotonic() + 90
    while time.monotonic() < limite:
        if processus.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} ne répond pas : " + journal.read_text(errors="replace")[-3000:])


class Deploiement:
    """Deux serveurs et nginx ; chaque processus arrêté à la fin, ses journaux laissés
    dans le rapport si l'essai échoue."""

    def __init__(self, dossier: Path, url_base: str):
        self.dossier = dossier
        self.env = environnement(url_base)
        self.processus: dict[str, subprocess.Popen] = {}
        self.journaux: dict[str, Path] = {}
        self.ports: dict[str, int] = {}
        self.attendre: dict[str, tuple[str, subprocess.Popen]] = {}
        self.moteur = None

    def lancer(self, nom: str, commande: list[str]) -> subprocess.Popen:
        journal = self.dossier / f"{nom}.log"
        with journal.open("wb") as sortie:
            processus = subprocess.Popen(
                commande, cwd=RACINE, env=self.env, stdout=sortie, stderr=subprocess.STDOUT
            )
        self.processus[nom], self.journaux[nom] = processus, journal
        return processus

    def serveur(self, nom: str) -> None:
        port = _port_libre()
        self.ports[nom] = port
        processus = self.lancer(nom, commande_d_unite("evaluation@.service", port))
        self.attendre[nom] = (f"http://127.0.0.1:{port}", processus)

    def arreter(self, nom: str) -> None:
        processus = self.processus[nom]
        processus.terminate()
        try:
            processus.wait(timeout=20)
        except subprocess.TimeoutExpired:
            processus.kill()
            processus.wait()

    def evenements(self, nom: str) -> list[dict]:
        """Les lignes JSON (journaux structurés) du journal d'un serveur."""
        lignes = []
        for ligne in self.journaux[nom].read_text(encoding="utf-8", errors="replace").splitlines():
            if ligne.startswith("{"):
                lignes.append(json.loads(ligne))
        return lignes


def _nginx() -> str:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        manque("nginx introuvable : apt-get install -y nginx")
    return nginx


@pytest.fixture
def deploiement(request, tmp_path, base_postgres):
    nginx = _nginx()
    d = Deploiement(tmp_path, base_postgres)
    try:
        migrations = subprocess.run(
            commande_d_unite("evaluation-schema.service"),
            cwd=RACINE,
            env=d.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrations.returncode == 0, migrations.stdout + migrations.stderr
        assert "avant : aucune (base neuve" in migrations.stdout, migrations.stdout

        from evaluation.socle.comptes import creer_compte
        from evaluation.socle.stockage import creer_moteur

        moteur = creer_moteur(base_postgres)
        for courriel, (role, nom) in COMPTES.items():
            creer_compte(courriel, role, MOT_DE_PASSE, moteur=moteur, nom=nom)
        d.moteur = moteur

        d.serveur("a")
        d.serveur("b")
        for nom, (url, processus) in d.attendre.items():
            _attendre_sante(url, processus, d.journaux[nom])

        d.port = _port_libre()
        d.port_http = _port_libre()
        site = tmp_path / "evaluation.conf"
        site.write_text(
            nginx_d_essai((d.ports["a"], d.ports["b"]), d.port, d.port_http, tmp_path),
            encoding="utf-8",
        )
        principal = nginx_principal(tmp_path, site)
        base_nginx = [
            nginx,
            "-c",
            str(principal),
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "erreurs.log"),
        ]
        verification = subprocess.run(
            [*base_nginx, "-t"], capture_output=True, text=True, timeout=30
        )
        assert verification.returncode == 0, verification.stderr
        d.lancer("nginx", [*base_nginx, "-g", "daemon off;"])
        d.url = f"http://127.0.0.1:{d.port}"
        _attendre_sante(d.url, d.processus["nginx"], tmp_path / "erreurs.log")
        yield d
    finally:
        for nom in list(d.processus):
            d.arreter(nom)
        if d.moteur is not None:
            d.moteur.dispose()
        if _a_echoue(request):
            for nom, journal in d.journaux.items():
                print(f"--- fin du journal {nom} ---")
                print(journal.read_text(encoding="utf-8", errors="replace")[-4000:])
            erreurs = tmp_path / "erreurs.log"
            if erreurs.exists():
                print("--- erreurs de nginx ---")
                print(erreurs.read_text(errors="replace")[-4000:])


# --- Requêtes directes au mandataire --------------------------------------------------------


def requete(url: str, chemin: str, temoin: str | None = None, methode: str = "GET"):
    """(statut, en-têtes, corps) ; sans suivre de redirection."""
    entetes = {"Cookie": f"{TEMOIN}={temoin}"} if temoin else {}
    connexion = http.client.HTTPConnection(url.removeprefix("http://"), timeout=10)
    try:
        connexion.request(methode, chemin, headers=entetes)
        reponse = connexion.getresponse()
        return reponse.status, reponse.headers, reponse.read()
    finally:
        connexion.close()


def servi_par(x_amont: str) -> str:
    """Le serveur qui a répondu : le dernier de $upstream_addr (« a, b » quand nginx a
    d'abord essayé un serveur arrêté)."""
    return x_amont.split(",")[-1].strip()


def cles_par_serveur(d: Deploiement) -> dict[str, str]:
    """Pour chaque serveur, une valeur du témoin d'affinité que nginx y envoie."""
    adresses = {f"127.0.0.1:{p}": nom for nom, p in d.ports.items()}
    cles: dict[str, str] = {}
    for i in range(200):
        cle = f"essai-{i}"
        statut, entetes, _ = requete(d.url, "/_stcore/health", cle)
        assert statut == 200
        cles.setdefault(adresses[entetes["X-Amont"]], cle)
        if len(cles) == 2:
            return cles
    pytest.fail(f"tout va au même serveur : {cles}")


def verifier_le_mandataire(d: Deploiement) -> None:
    # Sans témoin : nginx en pose un, et les requêtes suivantes restent sur le même serveur.
    statut, entetes, corps = requete(d.url, "/_stcore/health")
    assert (statut, corps) == (200, b"ok")
    (temoin,) = [c for c in entetes.get_all("Set-Cookie") if c.startswith(f"{TEMOIN}=")]
    assert temoin.startswith(f"{TEMOIN}=") and "HttpOnly" in temoin and "Secure" in temoin
    valeur = temoin.split(";")[0].split("=", 1)[1]
    premier = entetes["X-Amont"]
    for _ in range(6):
        _, suivants, _ = requete(d.url, "/_stcore/health", valeur)
        assert suivants["X-Amont"] == premier
        assert not any(  # posé une fois
            c.startswith(f"{TEMOIN}=") for c in suivants.get_all("Set-Cookie") or []
        )

    # En-têtes de sécurité (README, « Déployer »), sur la page comme sur une erreur.
    for chemin in ("/", "/_stcore/metrics"):
        _, entetes, _ = requete(d.url, chemin)
        assert "frame-ancestors 'none'" in entetes["Content-Security-Policy"]
        assert entetes["X-Frame-Options"] == "DENY"
        assert entetes["X-Content-Type-Options"] == "nosniff"
        assert entetes["Referrer-Policy"] == "same-origin"
        assert entetes["Strict-Transport-Security"].startswith("max-age=")
        assert "nginx/" not in entetes.get("Server", "")

    # Les mesures internes : publiques sur le serveur, fermées au mandataire.
    direct, _, _ = requete(f"http://127.0.0.1:{d.ports['a']}", "/_stcore/metrics")
    assert direct == 200
    assert requete(d.url, "/_stcore/metrics")[0] == 404

    # HTTP redirigé vers HTTPS.
    statut, entetes, _ = requete(f"http://127.0.0.1:{d.port_http}", "/evaluation?x=1")
    assert statut == 301 and entetes["Location"].startswith("https://")
    assert entetes["Location"].endswith("/evaluation?x=1")

    # Un téléversement de plus de 60 Mo : refusé par nginx dès l'en-tête (413).
    connexion = http.client.HTTPConnection(f"127.0.0.1:{d.port}", timeout=10)
    try:
        connexion.putrequest("PUT", "/_stcore/upload_file/session/fichier")
        connexion.putheader("Content-Length", str(61 * 1024 * 1024))
        connexion.endheaders()
        assert connexion.getresponse().status == 413
    finally:
        connexion.close()


# --- Le parcours -----------------------------------------------------------------------------


def ouvrir(nouvelle_page, d: Deploiement, cle: str, chemin: str, amont: str, refus_csp: list):
    """Une personne (contexte neuf) dont le témoin d'affinité vise un serveur ; la réponse
    de la page dit quel serveur l'a servie."""
    page = nouvelle_page()
    page.context.add_cookies([{"name": TEMOIN, "value": cle, "url": d.url}])
    page.on(
        "console",
        lambda m: refus_csp.append(m.text) if "Content Security Policy" in m.text else None,
    )
    reponse = page.goto(f"{d.url}{chemin}")
    assert servi_par(reponse.headers["x-amont"]) == f"127.0.0.1:{d.ports[amont]}"
    attendre_fin(page)
    return page


def _connexions(d: Deploiement, nom: str) -> set[int]:
    return {e["compte"] for e in d.evenements(nom) if e.get("action") == "connexion"}


@pytest.mark.navigateur
def test_deux_serveurs_derriere_nginx(deploiement, nouvelle_page, tmp_path):
    from evaluation.appels.configuration import charger_appel
    from evaluation.notes import evaluations
    from evaluation.socle import stockage
    from tests.filtrage import admettre

    d = deploiement
    debut = time.monotonic()
    verifier_le_mandataire(d)
    cles = cles_par_serveur(d)
    refus_csp: list[str] = []
    appel = charger_appel()
    with d.moteur.connect() as c:
        ids = {
            courriel: int(stockage.lire_compte(courriel, connexion=c)["id"])
            for courriel in (ADMIN, EVA, PRES)
        }

    # L'administration téléverse un classeur par le mandataire (serveur a).
    admin = ouvrir(nouvelle_page, d, cles["a"], "/importation", "a", refus_csp)
    se_connecter(admin, ADMIN)
    with admin.expect_file_chooser() as choix:
        admin.locator(
            "[data-testid='stFileUploaderDropzone'][aria-label='Fichiers de demandes']"
        ).click()
    choix.value.set_files(str(DONNEES / "formats" / "valide.xlsx"))
    attendre_fin(admin)
    admin.get_by_text("Rapport de vérification").wait_for()
    attendre_fin(admin)
    admin.get_by_role("button", name="Importer 3 demandes").click()
    attendre_fin(admin)
    admin.get_by_text("Importation n° 1 terminée : 3 demandes créées").wait_for()
    admettre(d.moteur, appel)  # l'examen d'admissibilité, fait d'un coup

    # La présidence, sur le serveur b : rien de classé encore.
    pres = ouvrir(nouvelle_page, d, cles["b"], "/classement", "b", refus_csp)
    se_connecter(pres, PRES)
    pres.get_by_role("heading", name="Financées (0)").wait_for()
    pres.get_by_role("heading", name="Hors classement (3)").wait_for()

    # L'évaluateur, sur le serveur a, note au clavier et soumet.
    eva = ouvrir(nouvelle_page, d, cles["a"], "/evaluation", "a", refus_csp)
    se_connecter(eva, EVA)
    eva.get_by_text("0 / 3 soumises").wait_for()
    noter_au_maximum_et_soumettre(eva)
    eva.get_by_text("1 / 3 soumises").wait_for()

    # La présidence (serveur b) relance sa page : la soumission faite sur a y est classée.
    pres.get_by_test_id("stSidebar").get_by_role("link", name="Classement").click()
    attendre_fin(pres)
    pres.get_by_role("heading", name="Financées (1)").wait_for()
    pres.get_by_role("heading", name="Hors classement (2)").wait_for()

    # Les journaux des serveurs : chaque connexion sur le serveur de sa session.
    assert _connexions(d, "a") == {ids[ADMIN], ids[EVA]}
    assert _connexions(d, "b") == {ids[PRES]}
    soumissions = [
        e
        for e in d.evenements("a")
        if e.get("action") == "journal" and "statut" in e.get("objets", [])
    ]
    assert [e["compte"] for e in soumissions] == [ids[EVA]]
    importations = [e for e in d.evenements("a") if e.get("action") == "importation"]
    assert [(e["compte"], e["creees"]) for e in importations] == [(ids[ADMIN], 3)]
    journaux = "".join(j.read_text(errors="replace") for j in d.journaux.values())
    assert "@exemple.qc.ca" not in journaux  # aucun courriel dans les journaux du serveur

    # Un navigateur sans témoin reçoit celui de nginx, le garde, et le serveur de sa page est
    # celui que ce témoin désigne.
    libre = nouvelle_page()
    reponse = libre.goto(d.url)
    attendre_fin(libre)
    (temoin,) = [c for c in libre.context.cookies() if c["name"] == TEMOIN]
    _, entetes, _ = requete(d.url, "/_stcore/health", temoin["value"])
    assert servi_par(reponse.headers["x-amont"]) == entetes["X-Amont"]

    # Le serveur a s'arrête : une session neuve qui le visait va à b, et tout y est.
    d.arreter("a")
    reprise = ouvrir(nouvelle_page, d, cles["a"], "/evaluation", "b", refus_csp)
    se_connecter(reprise, EVA)
    reprise.get_by_text("1 / 3 soumises").wait_for()
    reprise.get_by_role("button", name="Précédente").click()
    attendre_fin(reprise)
    reprise.get_by_text("Évaluation soumise. Vous pouvez la rouvrir").wait_for()
    assert ids[EVA] in _connexions(d, "b")
    # Une session neuve sans témoin aussi (le nouveau témoin vise un serveur vivant).
    statut, entetes, _ = requete(d.url, "/_stcore/health")
    assert statut == 200 and servi_par(entetes["X-Amont"]) == f"127.0.0.1:{d.ports['b']}"
    # La présidence, restée sur b, continue.
    pres.get_by_test_id("stSidebar").get_by_role("link", name="Classement").click()
    attendre_fin(pres)
    pres.get_by_role("heading", name="Financées (1)").wait_for()

    with d.moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    assert sorted(demandes["no_demande"]) == ["T-001", "T-002", "T-003"]
    lues = [evaluations.lire(int(i), EVA, moteur=d.moteur) for i in demandes["id"]]
    soumises = [
        saisie for lu in lues if lu is not None for statut, saisie in [lu] if statut == "soumise"
    ]
    assert [s.notes for s in soumises] == [{c.id: appel.echelle_max for c in appel.criteres}]
    assert refus_csp == []
    print(f"parcours à deux serveurs : {time.monotonic() - debut:.1f} s")


# --- Ce qui ne demande ni navigateur ni serveur -----------------------------------------------


def test_configuration_livree_en_tls(tmp_path):
    """Le fichier livré, avec TLS, sur un certificat autosigné : nginx l'accepte, négocie
    TLS 1.2 ou plus, redirige HTTP et pose HSTS (l'amont absent : 502, en-têtes compris)."""
    import ssl

    nginx = _nginx()
    openssl = shutil.which("openssl")
    if openssl is None:
        manque("openssl introuvable : apt-get install -y openssl")
    certificat, cle = tmp_path / "site.pem", tmp_path / "site.key"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=evaluation.exemple.gouv.qc.ca"),
            *("-keyout", str(cle), "-out", str(certificat)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port, port_http = _port_libre(), _port_libre()
    texte = substituer(
        (DEPLOIEMENT / "nginx" / "evaluation.conf").read_text(encoding="utf-8"),
        [
            ("/etc/ssl/certs/evaluation.exemple.gouv.qc.ca.pem", str(certificat)),
            ("/etc/ssl/private/evaluation.exemple.gouv.qc.ca.key", str(cle)),
            ("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
            ("listen 80;", f"listen 127.0.0.1:{port_http};"),
            ("/var/log/nginx/", f"{tmp_path}/"),
        ],
    )
    site = tmp_path / "evaluation.conf"
    # IPv6 peut manquer sur la machine d'essai : seules ses deux lignes d'écoute partent.
    site.write_text(
        "\n".join(x for x in texte.splitlines() if not x.strip().startswith("listen [::]")),
        encoding="utf-8",
    )
    commande = [nginx, "-c", str(nginx_principal(tmp_path, site)), "-p", str(tmp_path)]
    commande += ["-e", str(tmp_path / "erreurs.log")]
    verification = subprocess.run([*commande, "-t"], capture_output=True, text=True, timeout=30)
    assert verification.returncode == 0, verification.stderr
    processus = subprocess.Popen([*commande, "-g", "daemon off;"])
    try:
        contexte = ssl.create_default_context(cafile=str(certificat))
        contexte.check_hostname = False
        limite = time.monotonic() + 20
        while True:
            connexion = http.client.HTTPSConnection("127.0.0.1", port, context=contexte, timeout=5)
            try:
                connexion.request("GET", "/_stcore/health")
                reponse = connexion.getresponse()
                version = connexion.sock.version()
                break
            except OSError:
                if time.monotonic() > limite:
                    raise
                time.sleep(0.2)
            finally:
                connexion.close()
        assert reponse.status == 502  # aucun serveur Streamlit derrière
        assert version in ("TLSv1.2", "TLSv1.3")
        assert reponse.headers["Strict-Transport-Security"].startswith("max-age=")
        assert reponse.headers["X-Frame-Options"] == "DENY"
        statut, entetes, _ = requete(f"http://127.0.0.1:{port_http}", "/classement")
        assert statut == 301 and entetes["Location"] == "https://127.0.0.1/classement"
    finally:
        processus.terminate()
        processus.wait(timeout=20)


def test_unites_systemd_acceptees_par_systemd_analyze(tmp_path):
    """`systemd-analyze verify` lit les unités livrées sans rien signaler (chemins de
    /opt/evaluation remplacés par ceux du dépôt, qui existent)."""
    outil = shutil.which("systemd-analyze")
    if outil is None:
        manque("systemd-analyze absent (paquet systemd)")
    curl = shutil.which("curl") or "/bin/true"
    for nom in ("evaluation@.service", "evaluation-schema.service", "evaluation.target"):
        texte = (DEPLOIEMENT / "systemd" / nom).read_text(encoding="utf-8")
        texte = texte.replace("/opt/evaluation/.venv/bin/", f"{Path(sys.executable).parent}/")
        texte = texte.replace("/opt/evaluation", str(RACINE)).replace("/usr/bin/curl", curl)
        (tmp_path / nom).write_text(texte, encoding="utf-8")
    resultat = subprocess.run(
        [
            outil,
            "verify",
            "evaluation@8501.service",
            "evaluation-schema.service",
            "evaluation.target",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (resultat.returncode, resultat.stderr) == (0, ""), resultat.stderr
