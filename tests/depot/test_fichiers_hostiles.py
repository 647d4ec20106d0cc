"""La classe d'attaque « fichiers » : aucun fichier téléversé, si petit soit-il, n'arrête la
lecture ni n'y prend des gigaoctets. Chaque format déclare ou implique des dimensions ; elles
sont lues avant toute analyse, et la lecture elle-même tourne dans un processus borné."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from evaluation.depot.classeurs import Limites
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


def _commande(arguments: list[str], dossier) -> tuple[int, str, str, int]:
    """(code de sortie, sortie, erreurs, pic de mémoire en Ko) d'une commande."""
    mesure = dossier / "mesure.txt"
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
    code, pic = map(int, mesure.read_text().split())
    return code, resultat.stdout, resultat.stderr, pic


@pytest.fixture(scope="module")
def fichiers_refuses(tmp_path_factory):
    return sorted(REFUS.iterdir()) + _gros_cas(tmp_path_factory.mktemp("gros"))


def test_ligne_de_commande_refuse_chaque_fichier(fichiers_refuses, tmp_path):
    """`verifier F` : code 1, le refus en français, sans trace, sous 500 Mo (processus de
    lecture compris), et sans s'enliser : la commande est interrompue après 120 s (une bombe
    lue en entier prend des minutes ; le refus, une à trois secondes), une borne contre
    l'enlisement, pas une mesure de vitesse : aucune assertion ne porte sur la durée."""
    base = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    for chemin in fichiers_refuses:
        code, sortie, erreurs, pic_ko = _commande(
            ["--base", base, "verifier", str(chemin)], tmp_path
        )
        assert code == 1, (chemin.name, sortie, erreurs)
        assert "Traceback" not in erreurs, (chemin.name, erreurs)
        assert f"{chemin.name} : fichier refusé" in sortie, sortie
        assert not ANGLAIS.search(sortie + erreurs), sortie + erreurs
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
    assert "créée" not in resultat.stdout
    assert not re.search(r"inscrits? au journal", resultat.stdout)
