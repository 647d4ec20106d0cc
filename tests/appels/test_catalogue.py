"""Quel appel est désigné (evaluation/appels/catalogue.py) : un identifiant stocké, un fichier
TOML, ou, sans choix, l'unique appel ouvert. Le même choix par la ligne de commande
(code de sortie, --appel) est dans tests/test_commandes.py."""

from __future__ import annotations

import shutil

import pytest

from evaluation.appels.catalogue import (
    AppelIntrouvable,
    appels_archives,
    appels_stockes,
    resoudre_appel,
)
from evaluation.appels.configuration import (
    APPEL_PAR_DEFAUT,
    ErreurAppel,
    appel_depuis_toml,
    charger_appel,
)
from evaluation.socle import stockage
from tests.conftest import RACINE_PROJET

MODELES = RACINE_PROJET / "donnees" / "modeles"
QSF = MODELES / "qsf-modele.toml"
FFQCD = MODELES / "ffqcd-2021-2022.toml"


def stocker(moteur, *chemins, archives=()):
    with moteur.begin() as c:
        for chemin in chemins:
            stockage.enregistrer_appel(charger_appel(chemin), connexion=c)
        for appel_id in archives:
            stockage.marquer_archive(appel_id, True, connexion=c)


def test_appels_stockes_par_identifiant(moteur_sqlite):
    assert appels_stockes(moteur_sqlite) == []
    stocker(moteur_sqlite, QSF, FFQCD)
    appels = appels_stockes(moteur_sqlite)
    assert [a.id for a in appels] == ["ffqcd-2021-2022", "qsf-modele"]
    assert appels[1] == charger_appel(QSF)


def test_appel_stocke_illisible_nomme_son_identifiant(moteur_sqlite):
    stocker(moteur_sqlite, QSF)
    with moteur_sqlite.begin() as c:
        c.execute(stockage.appels.update().values(configuration_toml='[appel]\nid = "x"\n'))
    with pytest.raises(ErreurAppel) as info:
        appels_stockes(moteur_sqlite)
    assert info.value.origine == "appel « qsf-modele » stocké"


def test_appels_archives(moteur_sqlite):
    assert appels_archives(moteur_sqlite) == set()
    stocker(moteur_sqlite, QSF, FFQCD, archives=["qsf-modele"])
    assert appels_archives(moteur_sqlite) == {"qsf-modele"}


# --- sans choix --------------------------------------------------------------------------


@pytest.mark.parametrize("choix", [None, ""])
def test_sans_appel_stocke_l_appel_livre(moteur_sqlite, choix):
    assert resoudre_appel(choix, moteur_sqlite) == charger_appel(APPEL_PAR_DEFAUT)


def test_l_unique_appel_stocke(moteur_sqlite):
    stocker(moteur_sqlite, QSF)
    assert resoudre_appel(None, moteur_sqlite).id == "qsf-modele"


def test_l_unique_appel_ouvert_parmi_des_archives(moteur_sqlite):
    stocker(moteur_sqlite, QSF, FFQCD, APPEL_PAR_DEFAUT, archives=["ffqcd-2021-2022", "qsf-modele"])
    assert resoudre_appel(None, moteur_sqlite).id == "paivmq-2023-2024"


def test_plusieurs_appels_ouverts_il_faut_choisir(moteur_sqlite):
    stocker(moteur_sqlite, QSF, FFQCD, APPEL_PAR_DEFAUT, archives=["qsf-modele"])
    with pytest.raises(AppelIntrouvable) as info:
        resoudre_appel(None, moteur_sqlite)
    assert str(info.value) == (
        "plusieurs appels ouverts sont stockés "
        "(ffqcd-2021-2022, paivmq-2023-2024, qsf-modele (archivé)) : précisez --appel ID."
    )


def test_tous_archives_pas_d_appel_livre_a_la_place(moteur_sqlite):
    """Des appels stockés, tous archivés : on n'importe pas en douce dans l'appel livré."""
    stocker(moteur_sqlite, QSF, archives=["qsf-modele"])
    with pytest.raises(AppelIntrouvable) as info:
        resoudre_appel(None, moteur_sqlite)
    assert str(info.value) == (
        "tous les appels sont archivés (qsf-modele (archivé)) : précisez --appel ID."
    )


# --- avec un choix -----------------------------------------------------------------------


def test_choix_d_un_appel_stocke_meme_archive(moteur_sqlite):
    stocker(moteur_sqlite, QSF, FFQCD, archives=["qsf-modele"])
    assert resoudre_appel("qsf-modele", moteur_sqlite).id == "qsf-modele"
    assert resoudre_appel("ffqcd-2021-2022", moteur_sqlite).id == "ffqcd-2021-2022"


def test_choix_d_un_fichier_toml(moteur_sqlite, tmp_path):
    stocker(moteur_sqlite, FFQCD)
    assert resoudre_appel(str(QSF), moteur_sqlite) == charger_appel(QSF)
    majuscules = tmp_path / "QSF.TOML"
    shutil.copy(QSF, majuscules)
    assert resoudre_appel(str(majuscules), moteur_sqlite).id == "qsf-modele"


def test_l_appel_stocke_passe_avant_le_fichier_de_meme_nom(moteur_sqlite, tmp_path, monkeypatch):
    """Un identifiant qui se lit aussi comme un fichier du dossier courant : l'appel stocké
    (sa version en base, peut-être modifiée depuis) l'emporte sur le fichier."""
    texte = FFQCD.read_text(encoding="utf-8").replace(
        'id = "ffqcd-2021-2022"', 'id = "ffqcd.toml"', 1
    )
    with moteur_sqlite.begin() as c:
        stockage.enregistrer_appel(appel_depuis_toml(texte), connexion=c)
    shutil.copy(QSF, tmp_path / "ffqcd.toml")
    monkeypatch.chdir(tmp_path)
    assert resoudre_appel("ffqcd.toml", moteur_sqlite).id == "ffqcd.toml"


@pytest.mark.parametrize("nom", ["absent.toml", "dossier.toml", "appel.txt"])
def test_choix_introuvable_enumere_les_appels_stockes(moteur_sqlite, tmp_path, monkeypatch, nom):
    """Ni fichier .toml existant (un dossier, une autre extension) ni appel stocké."""
    (tmp_path / "dossier.toml").mkdir()
    (tmp_path / "appel.txt").write_text(QSF.read_text(encoding="utf-8"), encoding="utf-8")
    stocker(moteur_sqlite, QSF, FFQCD)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AppelIntrouvable) as info:
        resoudre_appel(nom, moteur_sqlite)
    assert str(info.value) == (
        f"appel « {nom} » introuvable : ni appel stocké (stockés : ffqcd-2021-2022, qsf-modele) "
        "ni fichier .toml existant."
    )


def test_choix_introuvable_sans_appel_stocke(moteur_sqlite):
    with pytest.raises(AppelIntrouvable) as info:
        resoudre_appel("paivmq", moteur_sqlite)
    assert str(info.value) == (
        "appel « paivmq » introuvable : ni appel stocké (stockés : aucun) "
        "ni fichier .toml existant."
    )


def test_choix_demesure_cite_court(moteur_sqlite):
    with pytest.raises(AppelIntrouvable) as info:
        resoudre_appel("x" * 5000, moteur_sqlite)
    assert len(str(info.value)) < 200


def test_appel_introuvable_est_une_lookuperror():
    assert issubclass(AppelIntrouvable, LookupError)
