"""La classe d'attaque « fichiers » : aucun fichier téléversé, si petit soit-il, n'arrête la
lecture ni n'y prend des gigaoctets. Chaque format déclare ou implique des dimensions ; elles
sont lues avant toute analyse, et la lecture elle-même tourne dans un processus borné."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time

import pytest

from evaluation.depot import lecture_isolee
from evaluation.depot.classeurs import CelluleEnErreur, Limites
from evaluation.depot.lecture import FichierRefuse, lire_feuilles, lire_fichier
from tests.conftest import DONNEES, RACINE_PROJET
from tests.donnees import hostiles
from tests.donnees.hostiles import CAS_HOSTILES

REFUS = DONNEES / "refus"
LIMITES = Limites()
# Codes attendus des fichiers de refus/ qui ne viennent pas de hostiles.py.
CODES_REFUS = {
    "bombe.xlsx": {"archive_suspecte"},
    "mot-de-passe.xlsx": {"protege_mot_de_passe"},
    "pdf-deguise.xlsx": {"format_non_reconnu"},
    "texte-deguise.xlsx": {"format_non_reconnu"},
    "vide.xlsx": {"fichier_vide"},
    "corrompu.xlsx": {"fichier_illisible"},
} | {c.nom: set(c.codes) for c in CAS_HOSTILES}
# Ce qu'une bibliothèque dirait en anglais, et qui ne doit jamais atteindre une personne.
ANGLAIS = re.compile(
    r"\b(?:Error|Exception|Traceback|Cannot|cannot|field larger|list index|calamine|"
    r"XmlError|zip file|invalid|unrecognized|panicked|UnicodeDecodeError)\b"
)


def _refus(nom: str, contenu: bytes, limites: Limites = LIMITES) -> FichierRefuse:
    with pytest.raises(FichierRefuse) as info:
        lire_fichier(nom, contenu, limites)
    return info.value


def _en_francais(refus: FichierRefuse, nom: str) -> None:
    assert refus.message.startswith(f"{nom} : "), refus.message
    assert not ANGLAIS.search(refus.message), refus.message
    assert len(refus.message) < 700  # une phrase qui dit quoi corriger, pas un vidage


@pytest.mark.parametrize("cas", CAS_HOSTILES, ids=lambda c: c.nom)
def test_chaque_fichier_hostile_est_refuse_en_francais(cas):
    refus = _refus(cas.nom, cas.fabriquer())
    assert refus.code in cas.codes, refus.message
    _en_francais(refus, cas.nom)


def test_refus_range_les_petits_cas_hostiles():
    """generer.py écrit chaque petit cas de hostiles.py dans refus/ ; les gros n'y sont pas."""
    gros = {c.nom for c in CAS_HOSTILES if not c.petit}
    assert {f.name for f in REFUS.iterdir()} == set(CODES_REFUS) - gros


@pytest.mark.parametrize("chemin", sorted(REFUS.iterdir()), ids=lambda c: c.name)
def test_chaque_fichier_de_refus_est_refuse(chemin):
    refus = _refus(chemin.name, chemin.read_bytes())
    assert refus.code in CODES_REFUS[chemin.name], refus.message
    _en_francais(refus, chemin.name)


@pytest.mark.parametrize(
    "nom", ["creuse-xfd1048576.xlsx", "ods-lignes-repetees.ods", "xls-iv65536.xls"]
)
def test_le_message_dit_quoi_supprimer(nom):
    refus = _refus(nom, (REFUS / nom).read_bytes())
    assert "« Demandes »" in refus.message
    assert "Supprimez les lignes" in refus.message or "supprimez les lignes" in refus.message


def test_cellule_isolee_nommee_dans_le_message():
    refus = _refus("c.xlsx", (REFUS / "creuse-xfd1048576.xlsx").read_bytes())
    assert "1\u00a0048\u00a0576 lignes (jusqu'à la cellule XFD1048576)" in refus.message
    assert "jusqu'à la ligne 1\u00a0048\u00a0576 et la colonne XFD" in refus.message


@pytest.mark.parametrize(
    "nom",
    [
        "creuse-x1048576.xlsx",
        "cellule-sans-reference.xlsx",
        "ods-repetitions-imbriquees.ods",
        "xls-dimensions.xls",
        "csv-colonnes.csv",
    ],
)
def test_meme_refus_sur_place_et_dans_le_processus_isole(nom):
    """La mesure est la même dans le processus isolé et sur place (benchmarks)."""
    contenu = (REFUS / nom).read_bytes()
    isole = _refus(nom, contenu)
    sur_place = _refus(nom, contenu, Limites(processus_isole=False))
    assert (isole.code, isole.message) == (sur_place.code, sur_place.message)


# --- Ce qui n'est pas à refuser ------------------------------------------------------------


def test_lignes_vides_repetees_de_libreoffice_acceptees():
    """LibreOffice écrit au bas de chaque feuille des lignes vides répétées jusqu'à la ligne
    1 048 576 : calamine ne les alloue pas, la mesure ne les compte pas."""
    (feuille,) = lire_feuilles("libre.ods", hostiles.lignes_vides_finales())
    assert feuille[1] == [
        ["No de demande", "Municipalité requérante", "Titre du projet"],
        ["T-001", "Rimouski", "Un titre"],
    ]


@pytest.mark.parametrize(
    "lignes", ['<row r="1048576"/>', '<row r="1048576" ht="30" customHeight="1"></row>']
)
def test_ligne_lointaine_sans_cellule_acceptee(lignes):
    """Une ligne mise en forme au bas de la feuille, sans cellule : calamine ne l'alloue
    pas. (Une cellule mise en forme sans valeur, elle, compte : la mesure est prudente.)"""
    contenu = hostiles.xlsx(hostiles.feuille_xml(hostiles.EN_TETE + lignes))
    ((_, grille),) = lire_feuilles("f.xlsx", contenu)
    assert len(grille) == 1


def test_dimension_declaree_demesuree_mais_cellules_proches_acceptee():
    """calamine ignore <dimension> ; la mesure aussi (seules les cellules comptent)."""
    contenu = hostiles.xlsx(
        hostiles.feuille_xml(hostiles.EN_TETE, avant='<dimension ref="A1:XFD1048576"/>')
    )
    ((_, grille),) = lire_feuilles("f.xlsx", contenu)
    assert len(grille) == 1 and len(grille[0]) == 3


def test_feuille_ods_vide_lue_sans_erreur():
    """Une feuille sans valeur (calamine lèverait IndexError sur sa grille vide)."""
    contenu = hostiles.ods(hostiles.table("Vide", hostiles.ligne(hostiles.vides(5000))))
    assert lire_feuilles("v.ods", contenu) == [("Vide", [])]


def test_feuille_masquee_demesuree_refusee_meme_si_inutile():
    """calamine lit toutes les feuilles d'un ods ou d'un xls à l'ouverture, masquées
    comprises : la mesure aussi."""
    refus = _refus("m.ods", (REFUS / "ods-feuille-masquee.ods").read_bytes())
    assert "« Cachée »" in refus.message


# --- Les limites, au bord ------------------------------------------------------------------


def _xlsx_de(lignes: int, colonnes: int) -> bytes:
    from openpyxl.utils import get_column_letter

    corps = "".join(
        f'<row r="{i}">'
        + "".join(hostiles.cellule(f"{get_column_letter(j)}{i}") for j in range(1, colonnes + 1))
        + "</row>"
        for i in range(1, lignes + 1)
    )
    return hostiles.xlsx(hostiles.feuille_xml(corps))


def _ods_de(lignes: int, colonnes: int) -> bytes:
    return hostiles.ods(
        hostiles.table("F", hostiles.ligne(hostiles.valeur_repetee(colonnes), lignes))
    )


def _csv_de(lignes: int, colonnes: int) -> bytes:
    return ("\n".join(";".join(["x"] * colonnes) for _ in range(lignes)) + "\n").encode()


FABRIQUES = {"xlsx": _xlsx_de, "ods": _ods_de, "csv": _csv_de}


@pytest.mark.parametrize("genre", FABRIQUES)
@pytest.mark.parametrize(
    ("lignes", "colonnes", "limites", "code"),
    [
        (6, 2, Limites(lignes_max=5), "trop_de_lignes"),
        (2, 6, Limites(colonnes_max=5), "trop_de_colonnes"),
        (4, 4, Limites(cellules_max=15), "trop_de_cellules"),
    ],
)
def test_limite_franchie_d_une_unite(genre, lignes, colonnes, limites, code):
    """Une ligne, une colonne ou une cellule de trop est refusée ; à la limite, c'est lu."""
    fabriquer = FABRIQUES[genre]
    assert _refus(f"f.{genre}", fabriquer(lignes, colonnes), limites).code == code
    if code == "trop_de_lignes":
        lire_feuilles(f"f.{genre}", fabriquer(lignes - 1, colonnes), limites)
    elif code == "trop_de_colonnes":
        lire_feuilles(f"f.{genre}", fabriquer(lignes, colonnes - 1), limites)
    else:
        lire_feuilles(f"f.{genre}", fabriquer(lignes, colonnes - 1), limites)  # 16 → 12


def test_texte_partage_compte_une_fois_par_cellule_qui_y_renvoie():
    """100 caractères partagés par 50 cellules : 5 000 copiés (un peu plus avec le balisage,
    que la mesure compte pour rester un majorant) ; par 25 cellules, la moitié."""
    limites = Limites(caracteres_max=4_000)
    refus = _refus("t.xlsx", hostiles.textes_partages("x" * 100, 50), limites)
    assert refus.code == "texte_trop_long"
    lire_feuilles("t.xlsx", hostiles.textes_partages("x" * 100, 25), limites)
    lire_feuilles("t.xlsx", hostiles.textes_partages("x" * 100, 50), Limites(caracteres_max=8_000))


def test_xls_a_la_limite_lu():
    """Le .xls valide (3 demandes) : 4 lignes, 24 colonnes ; refusé à 3 lignes permises."""
    contenu = (DONNEES / "formats" / "valide.xls").read_bytes()
    lire_feuilles("v.xls", contenu, Limites(lignes_max=9))
    assert _refus("v.xls", contenu, Limites(lignes_max=3)).code == "trop_de_lignes"


# --- Le processus isolé --------------------------------------------------------------------


def test_processus_qui_avorte_devient_un_refus(monkeypatch):
    """Un abandon (SIGABRT, comme celui de Rust quand l'allocation échoue) est un refus en
    français ; le processus qui lit n'en est pas affecté."""
    monkeypatch.setattr(lecture_isolee, "PROGRAMME", "import os; os.abort()")
    refus = _refus("a.xlsx", (DONNEES / "formats" / "valide.xlsx").read_bytes())
    assert refus.code == "lecture_interrompue"
    assert "la mémoire permise" in refus.message
    _en_francais(refus, "a.xlsx")


def test_depassement_de_memoire_reel_devient_un_refus():
    """Mesure désarmée (limites de taille immenses) : calamine tente d'allouer 1,2 Go pour la
    cellule X1048576 et se heurte à la limite de mémoire que le processus s'est fixée."""
    immenses = Limites(
        lignes_max=10**8, colonnes_max=10**5, cellules_max=10**12, memoire_max=300 * 2**20
    )
    debut = time.monotonic()
    refus = _refus("x.xlsx", (REFUS / "creuse-x1048576.xlsx").read_bytes(), immenses)
    assert refus.code == "lecture_interrompue"
    assert time.monotonic() - debut < 10
    # Le même fichier, lu sur place avec ces limites, aurait pris plus d'un gigaoctet ici.


def test_delai_depasse_devient_un_refus():
    refus = _refus(
        "d.xlsx", (DONNEES / "formats" / "valide.xlsx").read_bytes(), Limites(duree_max=0.01)
    )
    assert refus.code == "lecture_interrompue"
    assert "la durée permise (0 s)" in refus.message or "durée permise" in refus.message


def test_processus_de_lecture_leger():
    """Le processus n'importe ni pandas ni streamlit : il démarre vite."""
    resultat = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import evaluation.depot.lecture_isolee; "
            "print(sorted(m for m in ('pandas', 'streamlit', 'sqlalchemy', 'numpy') "
            "if m in sys.modules))",
            str(RACINE_PROJET),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert resultat.stdout.strip() == "[]"


def _relire(*trames: list) -> tuple[str, list]:
    genre, feuilles = lecture_isolee.interpreter(
        "f.xlsx", lecture_isolee.trames_de(b"".join(map(lecture_isolee.trame, trames)))
    )
    return genre, list(feuilles)


def test_grilles_transmises_sans_perte():
    """Dates, heures, durées, nombres, booléens, textes et cellules en erreur reviennent du
    processus tels quels, feuille par feuille."""
    grille = [
        [
            "texte « é » \u202f",
            1.5,
            3,
            True,
            None,
            dt.datetime(2024, 5, 1, 13, 30),
            dt.date(2024, 5, 1),
            dt.time(9, 15),
            dt.timedelta(days=2, seconds=5),
            CelluleEnErreur("#N/A"),
        ]
    ]
    assert _relire(
        ["format", "xlsx"], ["feuille", "F", grille, True], ["feuille", "G", [], False], ["fin"]
    ) == ("xlsx", [("F", grille, True), ("G", [], False)])


@pytest.mark.parametrize(
    "trames",
    [
        [["format", "xlsx"], ["feuille", "F", [[{"x": 1}]], False], ["fin"]],  # étiquette
        [["format", "pdf"], ["fin"]],
        [["format", "xlsx"], ["feuille", "F", "pas une grille", False], ["fin"]],
        [["format", "xlsx"], ["autre"], ["fin"]],
        [["format", "xlsx"], ["feuille", "F", [], False]],  # s'arrête avant la fin
        [["format", "xlsx"], ["fin"], ["feuille", "F", [], False]],
        [],
    ],
)
def test_reponse_forgee_refusee(trames):
    with pytest.raises(FichierRefuse) as info:
        _relire(*trames)
    assert info.value.code == "lecture_interrompue"


def test_refus_prononce_par_le_processus_transmis():
    with pytest.raises(FichierRefuse) as info:
        _relire(["format", "xlsx"], ["refus", "trop_de_lignes", "f.xlsx : trop long."])
    assert (info.value.code, info.value.message) == ("trop_de_lignes", "f.xlsx : trop long.")


@pytest.mark.parametrize(
    "programme",
    [
        # Une réponse démesurée : le serveur cesse de lire à la taille permise.
        "import sys; sys.stdin.buffer.read(); "
        "sys.stdout.buffer.write(b'\\x00\\xff\\xff\\xff' + b'[' * 3_000_000)",
        # Un processus qui se tait.
        "import sys; sys.stdin.buffer.read()",
        # Un processus qui ne lit pas le fichier et s'arrête en erreur.
        "raise SystemExit(3)",
    ],
)
def test_processus_qui_repond_mal_devient_un_refus(monkeypatch, programme):
    monkeypatch.setattr(lecture_isolee, "PROGRAMME", programme)
    limites = Limites(caracteres_max=100, cellules_max=100)
    refus = _refus("r.xlsx", (DONNEES / "formats" / "valide.xlsx").read_bytes(), limites)
    assert refus.code == "lecture_interrompue"
    _en_francais(refus, "r.xlsx")


# --- La ligne de commande ------------------------------------------------------------------


def _gros_cas(dossier) -> list:
    chemins = []
    for cas in CAS_HOSTILES:
        if not cas.petit:
            chemin = dossier / cas.nom
            chemin.write_bytes(cas.fabriquer())
            chemins.append(chemin)
    return chemins


# Lance une commande et écrit, dans le fichier donné, son code de sortie et son pic de
# mémoire (wait4 : le processus et ses descendants, le processus de lecture compris). Un
# lanceur à part : un processus lancé directement par pytest hériterait, à son exec, du pic
# de pytest lui-même (plusieurs centaines de Mo après toute la suite).
LANCEUR = """
import os, subprocess, sys
processus = subprocess.Popen(sys.argv[2:])
_, statut, usage = os.wait4(processus.pid, 0)
processus.returncode = os.waitstatus_to_exitcode(statut)
with open(sys.argv[1], "w") as f:
    f.write(f"{processus.returncode} {usage.ru_maxrss}")
"""


def _commande(arguments: list[str], dossier) -> tuple[int, str, str, float, int]:
    """(code de sortie, sortie, erreurs, durée, pic de mémoire en Ko) d'une commande."""
    mesure = dossier / "mesure.txt"
    debut = time.monotonic()
    resultat = subprocess.run(
        [
            sys.executable,
            "-c",
            LANCEUR,
            str(mesure),
            sys.executable,
            "-m",
            "evaluation",
            *arguments,
        ],
        cwd=RACINE_PROJET,
        capture_output=True,
        text=True,
        timeout=120,
    )
    duree = time.monotonic() - debut
    code, pic = map(int, mesure.read_text().split())
    return code, resultat.stdout, resultat.stderr, duree, pic


@pytest.fixture(scope="module")
def fichiers_refuses(tmp_path_factory):
    return sorted(REFUS.iterdir()) + _gros_cas(tmp_path_factory.mktemp("gros"))


def test_ligne_de_commande_refuse_chaque_fichier(fichiers_refuses, tmp_path):
    """`verifier F` : code 1, le refus en français, sans trace, en moins de 10 s et de
    500 Mo (processus de lecture compris)."""
    base = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    for chemin in fichiers_refuses:
        code, sortie, erreurs, duree, pic_ko = _commande(
            ["--base", base, "verifier", str(chemin)], tmp_path
        )
        assert code == 1, (chemin.name, sortie, erreurs)
        assert "Traceback" not in erreurs, (chemin.name, erreurs)
        assert f"{chemin.name} : fichier refusé" in sortie, sortie
        assert not ANGLAIS.search(sortie + erreurs), sortie + erreurs
        assert duree < 10, (chemin.name, duree)
        assert 20 * 1024 < pic_ko < 500 * 1024, (chemin.name, pic_ko)  # mesuré, et borné


@pytest.mark.parametrize("commande", [["importer"], ["notes", "importer"]])
def test_importer_et_notes_refusent_tout_le_lot(fichiers_refuses, tmp_path, commande):
    base = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    resultat = subprocess.run(
        [sys.executable, "-m", "evaluation", "--base", base, *commande]
        + [str(c) for c in fichiers_refuses],
        cwd=RACINE_PROJET,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert resultat.returncode == 1
    assert "Traceback" not in resultat.stderr, resultat.stderr
    assert not ANGLAIS.search(resultat.stdout + resultat.stderr), resultat.stdout
    for chemin in fichiers_refuses:
        assert f"{chemin.name} : " in resultat.stdout, chemin.name
    assert "créée" not in resultat.stdout and "changement(s) inscrit(s)" not in resultat.stdout
