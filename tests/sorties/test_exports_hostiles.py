"""Aucune formule venue des données dans un fichier que le projet écrit (classe « exports »).

L'inventaire `EXPORTS` nomme chaque chemin d'exportation : commandes de la ligne de commande
qui écrivent un fichier ou un CSV, boutons de téléchargement des pages. Chacun reçoit les
mêmes textes hostiles (tests/hostiles.py : = + - @, tabulation, retour chariot, saut de
ligne, blancs de tête, pleine chasse ＝ ＋ － ＠, petite forme ﹦, charges DDE) par le vrai
chemin des données (classeur importé, évaluations, décisions, comptes, appel configuré), puis
chaque fichier est relu par openpyxl et par LibreOffice : aucune formule, et chaque texte
hostile relu comme texte. Une exportation qui manque à l'inventaire (bouton
`download_button` d'une page, commande avec `--format csv` ou `--sortie`, écrivain de CSV ou
de classeur hors de evaluation/sorties/neutralisation.py) fait échouer un test.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from evaluation.commandes import _analyseur, main
from evaluation.decision import declarations
from evaluation.socle.roles import ADMIN, EVALUATEUR, PRESIDENT
from evaluation.socle.stockage import creer_moteur
from evaluation.socle.texte import nettoyer
from evaluation.sorties.neutralisation import dangereux
from tests.conftest import RACINE_PROJET, manque
from tests.hostiles import EVALUATEURS, FORMULES, NOMBRE_HOSTILE, remplir_base
from tests.pages.conftest import (  # noqa: F401
    cadre_a_chaque_execution,
    compte_de_test,
    ouvrir_session,
)

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
# Ce qu'un tableur prendrait pour une formule, écrit indépendamment de la neutralisation :
# = + - @ (pleine chasse et petite forme comprises, signe moins U+2212) après d'éventuels
# blancs, ou une tabulation, un retour chariot, un saut de ligne en tête.
FORMULE = re.compile(r"[\t\r\n]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212]")
# Les textes tels que l'importation les garde (blancs de tête retirés) : ceux que chaque
# fichier doit rendre comme texte.
STOCKES = list(dict.fromkeys(nettoyer(t) for t in FORMULES))


@dataclass(frozen=True)
class Export:
    """Un chemin d'exportation : où (commande ou bouton), son format, et les textes hostiles
    qu'il doit contenir (« titres » : titres des demandes ; « appel » : nom de l'appel ;
    « court » : son nom court ; « secteur » : libellé du premier secteur ; « numero » : le
    numéro hostile ; « evaluateur » : un nom d'évaluateur)."""

    nom: str
    format: str  # csv, csv;, xlsx, html, toml, pdf (son classeur joint est relu)
    contient: tuple[str, ...]
    commande: tuple[str, ...] = ()
    page: str = ""
    cle: str = ""
    role: str = ADMIN


EXPORTS = [
    Export("demandes --format csv", "csv", ("titres", "numero"), commande=("demandes",)),
    Export("classement --format csv", "csv", ("numero",), commande=("classement",)),
    Export("notes exporter --format csv", "csv", ("numero",), commande=("notes", "exporter")),
    Export("exporter", "xlsx", ("titres", "appel", "secteur", "numero"), commande=("exporter",)),
    Export("gabarit", "xlsx", ("appel", "secteur"), commande=("gabarit",)),
    Export("appels exporter", "toml", ("appel",), commande=("appels", "exporter")),
    Export("Classement : classeur", "xlsx", ("titres", "secteur", "numero"), page="classement",
           cle="telecharger_export", role=PRESIDENT),
    Export("Classement : CSV", "csv;", ("numero",), page="classement", cle="cl_csv"),
    Export("Classement : CSV données", "csv", ("numero",), page="classement",
           cle="cl_csv_donnees"),
    Export("Portefeuille : CSV", "csv;", ("secteur",), page="portefeuille", cle="pf_csv"),
    Export("Portefeuille : CSV données", "csv", ("secteur",), page="portefeuille",
           cle="pf_csv_donnees"),
    Export("Comparaison : CSV", "csv;", ("court",), page="comparaison", cle="comparaison_csv"),
    Export("Comparaison : CSV données", "csv", ("court",), page="comparaison",
           cle="comparaison_csv_donnees"),
    Export("Journal : CSV", "csv;", ("titres",), page="journal", cle="journal_csv"),
    Export("Journal : CSV données", "csv", ("titres",), page="journal",
           cle="journal_csv_donnees"),
    Export("Séance : procès-verbal", "html", ("titres", "evaluateur"), page="seance",
           cle="pv_telecharger", role=PRESIDENT),
    Export("Séance : procès-verbal PDF", "pdf", ("titres", "secteur", "numero"), page="seance",
           cle="pv_telecharger_pdf", role=PRESIDENT),
    Export("Évaluation : grille", "xlsx", ("titres", "numero"), page="evaluation",
           cle="telecharger_grille", role=EVALUATEUR),
    Export("Importation : gabarit", "xlsx", ("appel", "secteur"), page="importation",
           cle="gabarit"),
    Export("Paramètres : TOML", "toml", ("appel",), page="parametres", cle="exporter_toml"),
]  # fmt: skip


# --- L'inventaire se vérifie lui-même -------------------------------------------------------


# Le composant des CSV en deux formes (pages/composants/telechargements.py) : ses deux
# boutons ont les clés `cle` et `cle`_donnees de chaque page qui l'appelle.
COMPOSANT_CSV = "telechargements"


def _boutons_de_telechargement() -> set[tuple[str, str]]:
    """(page, clé) de chaque appel à `download_button` de app.py et de pages/, et des deux
    boutons de chaque appel à `telecharger_csv`."""
    trouves = set()
    for chemin in [RACINE_PROJET / "app.py", *sorted((RACINE_PROJET / "pages").rglob("*.py"))]:
        if chemin.stem == COMPOSANT_CSV:
            continue
        for noeud in ast.walk(ast.parse(chemin.read_text(encoding="utf-8"))):
            if (
                isinstance(noeud, ast.Call)
                and isinstance(noeud.func, ast.Name)
                and noeud.func.id == "telecharger_csv"
            ):
                cle = next((k.value for k in noeud.keywords if k.arg == "cle"), None)
                assert isinstance(cle, ast.Constant), f"{chemin.name} : telecharger_csv sans cle="
                trouves |= {(chemin.stem, cle.value), (chemin.stem, f"{cle.value}_donnees")}
            if (
                isinstance(noeud, ast.Call)
                and isinstance(noeud.func, ast.Attribute)
                and noeud.func.attr == "download_button"
            ):
                cle = next((k.value for k in noeud.keywords if k.arg == "key"), None)
                assert isinstance(cle, ast.Constant | ast.JoinedStr), (
                    f"{chemin.name} : download_button sans key="
                )
                valeur = cle.value if isinstance(cle, ast.Constant) else ast.unparse(cle)
                trouves.add((chemin.stem, valeur))
    return trouves


# Les documents Word des lettres aux demandeurs (issue 17) : pas de tableur qui prendrait un
# texte pour une formule ; leur classe hostile est l'injection de balises (Jinja, XML) dans
# le modèle ou les données, éprouvée par tests/sorties/test_lettres.py (textes « {{ … }} »
# neutralisés, modèles hostiles refusés, aucune balise restante dans une lettre rendue).
DOCUMENTS_WORD = {
    ("lettres", "f'lettres_zip_{format_}'"),
    ("lettres", "f'lettres_telecharger_{genre}'"),
}


# Les pièces jointes des demandes (issue 18) : rendues octet pour octet, en application/pdf,
# sous un nom nettoyé ; leur classe hostile (archives, noms, polyglottes) est éprouvée par
# tests/depot/test_pieces_jointes.py et tests/pages/test_evaluation.py.
PIECES_JOINTES = {("pieces_jointes", "f\"piece_telecharger_{piece['id']}\"")}


def test_chaque_bouton_de_telechargement_est_inventorie():
    inventaire = {(e.page, e.cle) for e in EXPORTS if e.page}
    assert _boutons_de_telechargement() == inventaire | DOCUMENTS_WORD | PIECES_JOINTES


def _commandes_qui_ecrivent(analyseur: argparse.ArgumentParser, prefixe=()) -> set[tuple]:
    """Les commandes qui écrivent un fichier (--sortie) ou proposent --format csv."""
    trouvees = set()
    for action in analyseur._actions:
        if isinstance(action, argparse._SubParsersAction):
            for nom, sous in action.choices.items():
                trouvees |= _commandes_qui_ecrivent(sous, (*prefixe, nom))
        elif "--sortie" in action.option_strings or (
            "--format" in action.option_strings and "csv" in (action.choices or ())
        ):
            trouvees.add(prefixe)
    return trouvees


def test_chaque_commande_qui_ecrit_un_fichier_est_inventoriee():
    inventaire = {e.commande for e in EXPORTS if e.commande}
    assert _commandes_qui_ecrivent(_analyseur()) == inventaire


ECRIVAINS = re.compile(r"\.to_csv\(|\.to_excel\(|Workbook\(|csv\.writer\(|\.append\(\[")


def test_chaque_ecrivain_passe_par_la_neutralisation():
    """Hors de evaluation/sorties/neutralisation.py, un module qui écrit un CSV ou un classeur
    importe la neutralisation ; aucun n'écrit de CSV lui-même ni n'ajoute une ligne
    openpyxl par `append` (qui ferait une formule de « =… »)."""
    fautifs = []
    modules = [m for d in ("evaluation", "pages") for m in (RACINE_PROJET / d).rglob("*.py")]
    for chemin in sorted([*modules, RACINE_PROJET / "app.py"]):
        if chemin.name == "neutralisation.py":
            continue
        texte = chemin.read_text(encoding="utf-8")
        for m in ECRIVAINS.finditer(texte):
            ligne = texte[: m.start()].count("\n") + 1
            if m.group() == ".append([" and not re.search(
                r"^\s*(from|import) openpyxl", texte, re.M
            ):
                continue  # une liste Python, pas une feuille de classeur
            if m.group() != "Workbook(" or "evaluation.sorties.neutralisation import" not in texte:
                fautifs.append(f"{chemin.name}:{ligne} {m.group()}")
    assert fautifs == []


# --- La base hostile et les fichiers qu'elle donne ------------------------------------------


@pytest.fixture(scope="module")
def base_hostile(tmp_path_factory):
    dossier = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{dossier / 'app.sqlite'}"
    appel, ids = remplir_base(url, dossier, FORMULES, NOMBRE_HOSTILE)
    moteur = creer_moteur(url)
    try:
        for role in (ADMIN, PRESIDENT):
            # La Séance s'ouvre après la déclaration du comité (issue 16).
            declarations.accepter(
                appel,
                compte_de_test(url, role),
                role,
                "aucun",
                interets_acceptes=True,
                confidentialite_acceptee=True,
                moteur=moteur,
            )
    finally:
        moteur.dispose()
    return url, appel, ids


def _fichiers_servis(monkeypatch) -> tuple[list, list]:
    """Les gestionnaires de fichiers qu'AppTest crée et leurs stockages : un bouton y dépose
    ses données, ou (données différées) la fonction qui les produit."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    gestionnaires, stockages = [], []

    class Gestionnaire(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            gestionnaires.append(self)

    class Stockage(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stockages.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Gestionnaire)
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Stockage)
    return gestionnaires, stockages


def _telecharger(e: Export, url: str, monkeypatch) -> bytes:
    """Les octets du bouton `e.cle` de la page, ouverte comme le rôle `e.role` l'ouvre."""
    monkeypatch.setenv("EVALUATION_BASE", url)
    gestionnaires, stockages = _fichiers_servis(monkeypatch)
    courriel = next(iter(EVALUATEURS)) if e.role == EVALUATEUR else compte_de_test(url, e.role)
    if e.page == "seance":
        # Les présents du procès-verbal sont ceux de la séance ouverte (issue 16) : les
        # évaluateurs aux noms hostiles, inscrits à l'ouverture. Ses décisions sont celles
        # inscrites pendant la séance : ouverte avant le jeu (le 1er janvier 2000), elle
        # compte toutes les décisions aux justifications hostiles.
        from evaluation.appels import catalogue
        from evaluation.decision import conduite, seance

        moteur = creer_moteur(url)
        appel = catalogue.appels_stockes(moteur)[0]
        if conduite.seance_ouverte(appel.id, moteur=moteur) is None:
            conduite.ouvrir(
                appel,
                moteur=moteur,
                auteur=courriel,
                role=PRESIDENT,
                ordre=seance.RANG,
                presents=list(EVALUATEURS),
                maintenant=dt.datetime(2000, 1, 1),
            )
    at = AppTest.from_file(str(RACINE_PROJET / "app.py"), default_timeout=90)
    ouvrir_session(at, url, courriel)
    at.run()
    at.switch_page(f"pages/{e.page}.py").run()
    assert not at.exception, at.exception
    if e.page == "classement":
        at.button(key="preparer_export").click().run()
    if e.page == "portefeuille":
        at.selectbox(key="pf_dim").set_value("secteur").run()
    assert not at.exception, at.exception
    boutons = [b for b in at.get("download_button") if b.key == e.cle]
    assert len(boutons) == 1, (e.nom, [b.key for b in at.get("download_button")], at.error)
    (bouton,) = boutons
    if bouton.proto.deferred_file_id:
        adresse = gestionnaires[-1].execute_deferred(bouton.proto.deferred_file_id)
    else:
        adresse = bouton.proto.url
    return stockages[-1].get_file(adresse.rsplit("/", 1)[-1]).content


def _executer(e: Export, url: str, appel_id: str, dossier: Path) -> bytes:
    """Ce que la commande écrit (fichier --sortie, ou sortie standard)."""
    sortie = dossier / f"{'-'.join(e.commande)}.{e.format}"
    arguments = {
        ("demandes",): ["demandes", "--format", "csv", "--appel", appel_id],
        ("classement",): ["classement", "--format", "csv", "--appel", appel_id],
        ("notes", "exporter"): ["notes", "exporter", "--format", "csv", "--appel", appel_id],
        ("exporter",): ["exporter", "--sortie", str(sortie), "--appel", appel_id],
        ("gabarit",): ["gabarit", "--sortie", str(sortie), "--appel", appel_id],
        ("appels", "exporter"): ["appels", "exporter", appel_id, "--sortie", str(sortie)],
    }[e.commande]
    tampon = io.StringIO()
    with contextlib.redirect_stdout(tampon):
        assert main(["--base", url, *arguments]) == 0
    return sortie.read_bytes() if sortie.exists() else tampon.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def produits(base_hostile, tmp_path_factory) -> dict[str, Path]:
    """Chaque exportation de l'inventaire, écrite dans un fichier : {nom: chemin}."""
    url, appel, _ = base_hostile
    dossier = tmp_path_factory.mktemp("exports")
    fichiers = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        from streamlit.runtime.pages_manager import PagesManager

        initialiser = PagesManager.__init__

        def __init__(self, *args, **kwargs):
            initialiser(self, *args, **kwargs)
            PagesManager.uses_pages_directory = False

        monkeypatch.setattr(PagesManager, "__init__", __init__)
        for i, e in enumerate(EXPORTS):
            if e.commande:
                contenu = _executer(e, url, appel.id, dossier)
            else:
                contenu = _telecharger(e, url, monkeypatch)
            extension = {"csv;": "csv"}.get(e.format, e.format)
            chemin = dossier / f"export{i:02d}.{extension}"
            chemin.write_bytes(contenu)
            fichiers[e.nom] = chemin
    return fichiers


# --- Lecture des fichiers produits ------------------------------------------------------------


def _cellules_csv(chemin: Path, separateur: str) -> list[str]:
    texte = chemin.read_bytes().decode("utf-8-sig")
    lignes = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    return [c for ligne in lignes for c in ligne]


class _Html(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.cellules: list[str] = []
        self.balises: set[str] = set()
        self._cellule: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.balises.add(tag)
        if tag in ("td", "li", "p", "strong"):
            self._cellule = []

    def handle_endtag(self, tag):
        if tag in ("td", "li", "p", "strong") and self._cellule is not None:
            self.cellules.append("".join(self._cellule))
            self._cellule = None

    def handle_data(self, data):
        if self._cellule is not None:
            self._cellule.append(data)


def _attendus(e: Export, appel, ids) -> set[str]:
    """Les textes hostiles que l'exportation `e` porte, tels qu'un tableur doit les relire."""
    attendus = set()
    if "titres" in e.contient:
        attendus |= set(STOCKES)
    if "appel" in e.contient:
        attendus.add(appel.nom)
    if "court" in e.contient:
        attendus.add(appel.nom_court)
    if "secteur" in e.contient:
        attendus.add(appel.secteurs[0].libelle)
    if "numero" in e.contient:
        attendus.add(NOMBRE_HOSTILE)
    if "evaluateur" in e.contient:
        attendus.add(EVALUATEURS["eva@exemple.qc.ca"])
    return attendus


@pytest.mark.parametrize("e", EXPORTS, ids=[e.nom for e in EXPORTS])
def test_relu_par_openpyxl_ou_son_lecteur(e, produits, base_hostile):
    """Chaque texte hostile est là, comme texte : préfixé d'une apostrophe dans un CSV et
    dans le procès-verbal, cellule de texte avec préfixe d'apostrophe (quotePrefix) dans un
    classeur ; aucune cellule n'est une formule, aucune ne commence comme une formule."""
    _, appel, ids = base_hostile
    chemin = produits[e.nom]
    attendus = _attendus(e, appel, ids)
    if e.format in ("csv", "csv;"):
        cellules = _cellules_csv(chemin, ";" if e.format == "csv;" else ",")
        assert [c for c in cellules if FORMULE.match(c)] == []
        assert {"'" + t for t in attendus} <= set(cellules)
    elif e.format in ("xlsx", "pdf"):
        if e.format == "pdf":  # le classeur du comité joint au procès-verbal
            import pikepdf

            with pikepdf.open(chemin) as lecteur:  # vivant tant qu'on lit ses objets
                (piece,) = lecteur.attachments.values()
                chemin = chemin.with_suffix(".xlsx")
                chemin.write_bytes(piece.get_file().read_bytes())
        livre = load_workbook(chemin)
        toutes = [c for f in livre.worksheets for r in f.iter_rows() for c in r]
        assert [c.coordinate for c in toutes if c.data_type == "f"] == []
        textes = [c for c in toutes if isinstance(c.value, str)]
        assert all(c.data_type == "s" for c in textes)
        assert [c.value for c in textes if FORMULE.match(c.value) and not c.quotePrefix] == []
        assert attendus <= {c.value for c in textes}
    elif e.format == "html":
        lu = _Html(chemin.read_text(encoding="utf-8"))
        assert not lu.balises & {"script", "img", "a", "iframe", "object"}
        assert [c for c in lu.cellules if FORMULE.match(c)] == []
        assert {"'" + t for t in attendus} <= set(lu.cellules)
    else:
        configuration = tomllib.loads(chemin.read_text(encoding="utf-8"))
        assert configuration["appel"]["nom"] == appel.nom
        assert configuration["appel"]["nom_court"] == appel.nom_court
        assert configuration["secteurs"][0]["libelle"] == appel.secteurs[0].libelle


def test_l_inventaire_porte_chaque_texte_hostile(base_hostile):
    """Le témoin : chaque texte hostile stocké est dangereux pour un tableur (sans quoi le
    test ci-dessus ne prouverait rien)."""
    _, appel, ids = base_hostile
    assert NOMBRE_HOSTILE in ids
    textes = [*STOCKES, appel.nom, appel.nom_court, appel.secteurs[0].libelle, NOMBRE_HOSTILE]
    assert all(dangereux(t) and FORMULE.match(t) for t in textes)


# --- Un second lecteur : LibreOffice -------------------------------------------------------------


@pytest.fixture(scope="module")
def relus_par_libreoffice(produits, tmp_path_factory) -> dict[str, Path]:
    """Chaque fichier ouvert par LibreOffice et réenregistré en xlsx, un appel à soffice par
    filtre d'entrée : {nom de l'export: classeur réenregistré}."""
    if LIBREOFFICE is None:
        manque("LibreOffice introuvable : apt-get install -y libreoffice-calc")
    profil = tmp_path_factory.mktemp("profil-libreoffice")
    sortie = tmp_path_factory.mktemp("relus")
    filtres = {
        "csv": "CSV:44,34,76,1",
        "csv;": "CSV:59,34,76,1",
        "html": "HTML (StarCalc)",
        "xlsx": None,
    }
    relus = {}
    for n, (format_, filtre) in enumerate(filtres.items()):
        lot = [e for e in EXPORTS if e.format == format_]
        dossier = sortie / f"lot{n}"  # pas de « ; » dans un chemin donné à LibreOffice
        commande = [
            LIBREOFFICE,
            f"-env:UserInstallation={profil.as_uri()}",
            "--headless",
            "--norestore",
            *([f"--infilter={filtre}"] if filtre else []),
            "--convert-to",
            "xlsx",
            "--outdir",
            str(dossier),
            *(str(produits[e.nom]) for e in lot),
        ]
        resultat = subprocess.run(commande, capture_output=True, text=True, timeout=300)
        assert resultat.returncode == 0, resultat.stderr
        for e in lot:
            relus[e.nom] = dossier / f"{produits[e.nom].stem}.xlsx"
    return relus


# Le PDF n'est pas un tableur ; son classeur joint est celui de « Classement : classeur »,
# relu par openpyxl ci-dessus.
TABLEURS = [e for e in EXPORTS if e.format not in ("toml", "pdf")]


@pytest.mark.parametrize("e", TABLEURS, ids=[e.nom for e in TABLEURS])
def test_relu_par_libreoffice(e, relus_par_libreoffice, base_hostile):
    """LibreOffice n'évalue aucun texte hostile : le classeur qu'il réenregistre n'a aucune
    formule, « =1+1 » ne s'y lit jamais 2, et chaque texte hostile s'y relit comme texte."""
    _, appel, ids = base_hostile
    livre = load_workbook(relus_par_libreoffice[e.nom])
    toutes = [c for f in livre.worksheets for r in f.iter_rows() for c in r]
    assert [c.coordinate for c in toutes if c.data_type == "f"] == []
    valeurs = {c.value for c in toutes if isinstance(c.value, str)}
    prefixe = "" if e.format == "xlsx" else "'"
    # Calc range un retour chariot de cellule en saut de ligne : comparés sans lui.
    relus = {v.replace("\r\n", "\n").replace("\r", "\n") for v in valeurs}
    assert {prefixe + t for t in _attendus(e, appel, ids)} <= relus
