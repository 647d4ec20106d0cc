"""Le README promet ce que l'application fait : limites de taille et séparateurs de CSV."""

import ast
import re
import tomllib

from evaluation.depot.classeurs import Limites
from evaluation.depot.pieces_jointes import LimitesPieces
from evaluation.socle.droits import peut_decider_pour_le_ministere, peut_ouvrir
from evaluation.socle.roles import OBSERVATEUR, ROLES
from evaluation.sorties import lettres
from tests.conftest import RACINE_PROJET as RACINE

README = (RACINE / "README.md").read_text(encoding="utf-8")
MO = 1024 * 1024


def _mo(motif: str) -> int:
    trouve = re.search(motif, README)
    assert trouve, motif
    return int(trouve.group(1))


def test_les_limites_du_readme_sont_celles_du_code():
    assert _mo(r"fichier de plus de (\d+) Mo") * MO == Limites().taille_max
    assert _mo(r"« (\d+) Mo au plus par\s+fichier »") * MO == Limites().taille_max
    assert _mo(r"archive de (\d+) Mo au\s+plus") * MO == LimitesPieces().archive_max
    assert _mo(r"autre archive refusés\), (\d+) Mo au plus") * MO == lettres.LIMITES.taille_max


def test_streamlit_ne_refuse_jamais_avant_l_application():
    configuration = tomllib.loads((RACINE / ".streamlit" / "config.toml").read_text())
    assert configuration["server"]["maxUploadSize"] * MO > Limites().taille_max


def test_les_separateurs_csv_du_readme_sont_ceux_de_la_page_et_du_code():
    source = (RACINE / "evaluation" / "depot" / "classeurs.py").read_text(encoding="utf-8")
    assert 'for separateur in (";", ",", "\\t", "|")' in source
    annonce = "virgule, point-virgule, tabulation ou barre verticale"
    assert annonce in " ".join(README.split())
    page = (RACINE / "pages" / "importation.py").read_text(encoding="utf-8")
    assert annonce in page


def test_les_limites_des_pieces_jointes_et_des_classeurs_sont_celles_du_code():
    pieces = LimitesPieces()
    assert _mo(r"(\d+) Mo une fois décompressée") * MO == pieces.total_max
    assert _mo(r"(\d+) Mo par PDF") * MO == pieces.piece_max
    assert _mo(r"taux de\s+compression de (\d+) pour 1") == pieces.ratio_max
    assert _mo(r"(\d+) Mo décompressés \(taux") * MO == Limites().decompresse_max
    assert _mo(r"décompressés \(taux ≤ (\d+):1\)") == Limites().ratio_max


def _sans_parentheses(texte: str) -> str:
    while (plus_court := re.sub(r"\([^()]*\)", "", texte)) != texte:
        texte = plus_court
    return texte


def test_qui_voit_quoi_du_readme_est_ce_que_les_droits_ouvrent():
    """Le tableau « Qui voit quoi » nomme, pour chaque rôle, exactement les pages que
    `peut_ouvrir` lui ouvre (titres de app.py ; « Suivi » et « Séance » en abrégé)."""
    source = (RACINE / "app.py").read_text(encoding="utf-8")
    pages = next(
        ast.literal_eval(n.value)
        for n in ast.parse(source).body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES"
    )
    abreges = {"Suivi des évaluations": "Suivi", "Séance du comité": "Séance"}
    section = README[README.index("### Qui voit quoi") : README.index("Chaque page vérifie")]
    vus = set()
    for ligne in section.splitlines():
        trouve = re.match(r"\| `(\w+)` \| (.*?) \| .* \|$", ligne)
        if not trouve:
            continue
        role = trouve.group(1)
        vus.add(role)
        nommees = {p.strip() for p in _sans_parentheses(trouve.group(2)).split(",")}
        ouvertes = {abreges.get(t, t) for nom, t, _ in pages if peut_ouvrir(role, nom)}
        assert nommees == ouvertes, role
    assert vus == set(ROLES)


def test_l_observateur_voit_les_montants_en_lecture_seule():
    """Décision (issue 19) : l'observateur assiste au comité et voit le même dossier, montants
    compris, sans rien inscrire ; le README le dit."""
    ligne = next(x for x in README.splitlines() if x.startswith("| `observateur`"))
    assert "voit les montants" in ligne and "lecture seule" in ligne
    assert peut_ouvrir(OBSERVATEUR, "classement")
    assert not peut_decider_pour_le_ministere(OBSERVATEUR)


def test_l_exemple_de_mot_de_passe_encode_se_lit_comme_le_mot_de_passe(tmp_path):
    """« Déployer » : le mot de passe d'exemple, encodé en pourcentage dans l'URL, est bien
    celui que SQLAlchemy lit (et son encodage celui de la commande donnée) ; la ligne, dans
    un fichier d'environnement lu par le shell comme à l'étape 6, ne change pas."""
    import subprocess
    import urllib.parse

    import sqlalchemy as sa

    texte = " ".join(README.split())
    (mot_de_passe,) = re.findall(r"Ainsi le mot de passe `([^`]+)` s'écrit", texte)
    (url,) = re.findall(r"EVALUATION_BASE=(postgresql\+psycopg://evaluation:\S+)", README)
    lue = sa.engine.make_url(url)
    assert lue.password == mot_de_passe and "$" in mot_de_passe
    assert (lue.host, lue.port, lue.database) == ("127.0.0.1", 5432, "evaluation")
    assert url.split(":")[2].split("@")[0] == urllib.parse.quote(mot_de_passe, safe="")
    fichier = tmp_path / "evaluation.env"
    fichier.write_text(f"EVALUATION_BASE={url}\n", encoding="utf-8")
    lu = subprocess.run(
        ["sh", "-c", f'set -a; . "{fichier}"; printf %s "$EVALUATION_BASE"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert lu.stdout == url
    # Le mot de passe brut, lui, ne passe pas le shell intact (« $x » remplacé).
    fichier.write_text(f"MDP={mot_de_passe}\n", encoding="utf-8")
    lu = subprocess.run(
        ["sh", "-c", f'set -a; . "{fichier}"; printf %s "$MDP"'],
        capture_output=True,
        text=True,
    )
    assert lu.stdout != mot_de_passe
