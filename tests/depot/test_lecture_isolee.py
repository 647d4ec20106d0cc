"""Le processus de lecture isolé : s'il avorte, déborde, tarde ou répond mal, c'est un refus
en français ; les grilles en reviennent sans perte."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from evaluation.depot import lecture_isolee
from evaluation.depot.classeurs import CelluleEnErreur, Limites
from evaluation.depot.lecture import FichierRefuse
from tests.conftest import DONNEES, RACINE_PROJET
from tests.depot.test_fichiers_hostiles import REFUS, _en_francais, _refus


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
    refus = _refus("x.xlsx", (REFUS / "creuse-x1048576.xlsx").read_bytes(), immenses)
    assert refus.code == "lecture_interrompue"
    assert "la mémoire permise" in refus.message
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


def test_feuille_transmise_par_paquets():
    """Une feuille arrive annoncée, puis par paquets de lignes (« suite ») : elle est rendue
    entière, dès que la suivante est annoncée."""
    assert _relire(
        ["format", "xlsx"],
        ["feuille", "F", [], True],
        ["suite", [["a", 1]]],
        ["suite", [["b", 2], ["c", 3]]],
        ["feuille", "G", [["x"]], False],
        ["suite", [["y"]]],
        ["fin"],
    ) == ("xlsx", [("F", [["a", 1], ["b", 2], ["c", 3]], True), ("G", [["x"], ["y"]], False)])


def test_lecture_isolee_egale_lecture_sur_place():
    """Le classeur valide, lu par le processus (par paquets) ou sur place : mêmes feuilles."""
    from evaluation.depot import classeurs

    contenu = (DONNEES / "formats" / "valide.xlsx").read_bytes()
    genre, feuilles = lecture_isolee.grilles("v.xlsx", contenu, Limites())
    assert (genre, list(feuilles)) == classeurs.grilles("v.xlsx", contenu, Limites())


@pytest.mark.parametrize(
    "trames",
    [
        [["format", "xlsx"], ["suite", [["a"]]], ["fin"]],  # suite sans feuille annoncée
        [["format", "xlsx"], ["feuille", "F", [], False], ["suite", "x"], ["fin"]],
        [["format", "xlsx"], ["feuille", "F", [], False], ["suite", [["a"]], 1], ["fin"]],
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


def test_delai_croit_avec_la_taille_du_fichier(monkeypatch):
    """Le serveur attend le processus `attente` fois le temps de calcul permis, qui croît
    avec la taille du fichier : un processus qui répond en 1 s est refusé sous un délai
    fixe de 0,3 s, et attendu quand chaque Mo en ajoute."""
    reponse = b"".join(map(lecture_isolee.trame, (["format", "xlsx"], ["fin"])))
    monkeypatch.setattr(
        lecture_isolee,
        "PROGRAMME",
        f"import sys, time; sys.stdin.buffer.read(); time.sleep(1); "
        f"sys.stdout.buffer.write({reponse!r})",
    )
    contenu = b"x" * (1 << 20)  # 1 Mo
    fixe = Limites(duree_max=0.1, duree_par_mo=0, attente=3)
    assert fixe.duree(len(contenu)) == 0.1
    refus = _refus("f.xlsx", contenu, fixe)
    assert (refus.code, "durée permise (0,3 s)" in refus.message) == ("lecture_interrompue", True)
    croissant = Limites(duree_max=0.1, duree_par_mo=2, attente=3)
    assert croissant.duree(len(contenu)) == 2.1
    genre, feuilles = lecture_isolee.grilles("f.xlsx", contenu, croissant)
    assert (genre, list(feuilles)) == ("xlsx", [])


@pytest.mark.parametrize(
    "programme",
    [
        # Arrêté en erreur (WARNING « processus de lecture arrêté »).
        "raise SystemExit(3)",
        # Une réponse mal formée (ERROR « réponse mal formée »).
        "import sys; sys.stdin.buffer.read(); sys.stdout.buffer.write(b'\\x00\\x00\\x00\\x02[]')",
    ],
)
def test_le_journal_du_serveur_ne_nomme_pas_le_fichier(monkeypatch, caplog, programme):
    """Issue 20 (A3) : le README promet que les noms des fichiers importés ne sont jamais au
    journal du serveur ; un refus de lecture y désigne le fichier par sa taille et son
    empreinte. Le refus montré à la personne, lui, nomme son fichier."""
    monkeypatch.setattr(lecture_isolee, "PROGRAMME", programme)
    contenu = (DONNEES / "formats" / "valide.xlsx").read_bytes()
    nom = "Demande Zorglubine Quidam.xlsx"
    with caplog.at_level("INFO", logger=lecture_isolee.__name__):
        refus = _refus(nom, contenu, Limites(caracteres_max=100, cellules_max=100))
    assert nom in refus.message
    messages = [r.getMessage() for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert messages
    assert not any("Zorglubine" in m for m in messages)
    assert all(m.startswith(lecture_isolee.designation(contenu)) for m in messages)
    assert lecture_isolee.designation(contenu).startswith(f"fichier de {len(contenu)} octets")
