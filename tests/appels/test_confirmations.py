"""Les réglages du comité et les interprétations confirmés par l'administration : stockés,
journalisés, datés, et défaits par un changement du réglage ; sur SQLite et PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluation.appels import confirmations
from evaluation.appels.configuration import appel_depuis_toml
from evaluation.appels.confirmations import ConfirmationRefusee
from evaluation.appels.edition import sections, vers_toml
from evaluation.socle import stockage

ADMIN = "admin@x.ca"
LUNDI = dt.datetime(2024, 5, 6, 9, 30)


def _journal(moteur, appel):
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id)
    return j[j["objet"].str.startswith("confirmation:")].reset_index(drop=True)


def test_confirmer_journalise_et_date(moteur, appel):
    avant = {r.chemin for r in confirmations.reglages_non_confirmes(appel, moteur=moteur)}
    assert "evaluation.seuil_global" in avant
    n = confirmations.confirmer(
        appel,
        ["evaluation.seuil_global", "financement.premiere_annee_debut"],
        moteur=moteur,
        auteur=ADMIN,
        maintenant=LUNDI,
    )
    assert n == 2
    apres = {r.chemin for r in confirmations.reglages_non_confirmes(appel, moteur=moteur)}
    assert apres == avant - {"evaluation.seuil_global", "financement.premiere_annee_debut"}
    lues = confirmations.confirmations(appel.id, moteur=moteur)
    assert (lues["evaluation.seuil_global"]["auteur"], lues["evaluation.seuil_global"]["date"]) == (
        ADMIN,
        LUNDI,
    )
    journal = _journal(moteur, appel)
    assert journal["objet"].tolist() == [
        "confirmation:evaluation.seuil_global",
        "confirmation:financement.premiere_annee_debut",
    ]
    assert journal.loc[0, "nouveau"] == "60 (réglage du comité)"
    assert "lecture : la première année financière" in journal.loc[1, "nouveau"]
    # Confirmer de nouveau la même valeur : rien de neuf.
    assert (
        confirmations.confirmer(appel, ["evaluation.seuil_global"], moteur=moteur, auteur=ADMIN)
        == 0
    )
    assert len(_journal(moteur, appel)) == 2


def test_un_reglage_change_redevient_non_confirme(moteur, appel):
    confirmations.confirmer(appel, ["evaluation.seuil_global"], moteur=moteur, auteur=ADMIN)
    d = sections(appel)
    d["evaluation"]["seuil_global"] = 65.0
    change = appel_depuis_toml(vers_toml(d))
    restants = {r.chemin for r in confirmations.reglages_non_confirmes(change, moteur=moteur)}
    assert "evaluation.seuil_global" in restants
    # Revenu à 60, la confirmation d'origine vaut de nouveau.
    restants = {r.chemin for r in confirmations.reglages_non_confirmes(appel, moteur=moteur)}
    assert "evaluation.seuil_global" not in restants


@pytest.mark.parametrize(
    ("chemin", "message"),
    [
        ("financement.plafond_annuel", "fixé par le texte de l'appel"),
        ("evaluation.seuil", "n'est pas un réglage"),
    ],
)
def test_confirmation_refusee_rien_ecrit(moteur, appel, chemin, message):
    with pytest.raises(ConfirmationRefusee, match=message):
        confirmations.confirmer(
            appel, ["evaluation.seuil_global", chemin], moteur=moteur, auteur=ADMIN
        )
    assert confirmations.confirmations(appel.id, moteur=moteur) == {}
    assert _journal(moteur, appel).empty


def test_reglage_sans_source_a_sourcer_d_abord(moteur, appel):
    texte = appel.source_toml
    sans = appel_depuis_toml(texte[: texte.index("# La source de chaque réglage")])
    with pytest.raises(ConfirmationRefusee, match="ne dit pas sa source"):
        confirmations.confirmer(sans, ["evaluation.seuil_global"], moteur=moteur, auteur=ADMIN)
