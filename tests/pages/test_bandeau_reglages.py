"""Le bandeau des réglages non confirmés (pages/composants/commun.py, `bandeau_reglages`) :
chaque page qui montre un rang ou un montant (Classement, Séance, Portefeuille, Comparaison
des appels) dit quels réglages du comité et quelles interprétations l'administration n'a pas
confirmés ; confirmés, le bandeau disparaît ; un réglage changé le fait revenir."""

from __future__ import annotations

import pytest

from evaluation.appels import confirmations
from evaluation.appels.edition import sections, vers_toml
from evaluation.appels.parametres import enregistrer
from evaluation.socle.roles import ADMIN, PRESIDENT
from tests.pages.conftest import rendu
from tests.pages.test_classement import preparer

PAGES = [
    ("pages/classement.py", PRESIDENT),
    ("pages/seance.py", PRESIDENT),
    ("pages/portefeuille.py", PRESIDENT),
    ("pages/comparaison.py", ADMIN),
]
NON_CONFIRMES = "Réglages non confirmés par l'administration"


def bandeaux(at) -> list[str]:
    """Chaque bandeau : son résumé (court, pour un projecteur), puis le détail qui se déplie
    (un réglage par ligne)."""
    resumes = [rendu(w.value) for w in at.warning if NON_CONFIRMES in rendu(w.value)]
    details = [
        "\n".join(rendu(m.value) for m in e.markdown)
        for e in at.expander
        if "Réglages à confirmer" in rendu(e.label)
    ]
    assert len(resumes) == len(details)
    assert all(len(r) < 300 for r in resumes)  # le détail n'est pas dans le résumé
    return [f"{r}\n{d}" for r, d in zip(resumes, details, strict=True)]


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("page", "role"), PAGES, ids=lambda p: str(p).split("/")[-1])
def test_bandeau_jusqu_a_la_confirmation(application, base, moteur, page, role):
    appel, _ = preparer(base)
    at = application(page, role=role)
    (bandeau,) = bandeaux(at)
    assert "Seuil global (sur 100) = 60 (réglage du comité)" in bandeau
    assert "Début de la première année financière = 2024-04-01 (interprétation)" in bandeau
    assert "Plafond annuel" not in bandeau  # fixé par le texte de l'appel
    # L'administration confirme tout sauf le seuil : il reste seul au bandeau.
    a_confirmer = [r.chemin for r in appel.reglages if r.a_confirmer]
    confirmations.confirmer(
        appel,
        [c for c in a_confirmer if c != "evaluation.seuil_global"],
        moteur=moteur,
        auteur="admin@exemple.qc.ca",
    )
    (bandeau,) = bandeaux(executer(at))
    # La comparaison nomme l'appel devant son bandeau.
    assert bandeau.removeprefix("PAIVMQ 2023-2024 : ").startswith(f"{NON_CONFIRMES} : 1 ")
    assert "Seuil global (sur 100) = 60" in bandeau
    confirmations.confirmer(
        appel, ["evaluation.seuil_global"], moteur=moteur, auteur="admin@exemple.qc.ca"
    )
    assert bandeaux(executer(at)) == []


def test_un_reglage_change_ramene_le_bandeau(application, base, moteur):
    appel, _ = preparer(base)
    confirmations.confirmer(
        appel,
        [r.chemin for r in appel.reglages if r.a_confirmer],
        moteur=moteur,
        auteur="admin@exemple.qc.ca",
    )
    at = application("pages/classement.py", role=PRESIDENT)
    assert bandeaux(at) == []
    d = sections(appel)
    d["classement"]["mode_ligne"] = "remplissage"
    enregistrer(  # la notation a commencé : raison et confirmation (tests/appels)
        vers_toml(d),
        moteur=moteur,
        auteur="admin@exemple.qc.ca",
        raison="Choix du comité",
        confirmer=True,
    )
    (bandeau,) = bandeaux(executer(at))
    assert bandeau.startswith(f"{NON_CONFIRMES} : 1 ")
    assert "Ligne de financement = remplissage (réglage du comité)" in bandeau


def test_plafond_de_l_appel_modifie_dans_le_bandeau(application, base, moteur):
    """« La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par
    année » : le plafond porté à 40 000 $ (avec raison et confirmation) n'est plus la valeur
    citée ; le bandeau le nomme jusqu'à ce que l'administration confirme la valeur."""
    appel, _ = preparer(base)
    confirmations.confirmer(
        appel,
        [r.chemin for r in appel.reglages if r.a_confirmer],
        moteur=moteur,
        auteur="admin@exemple.qc.ca",
    )
    d = sections(appel)
    d["financement"]["plafond_annuel"] = 40000
    change = enregistrer(
        vers_toml(d),
        moteur=moteur,
        auteur="admin@exemple.qc.ca",
        raison="Bonification décidée",
        confirmer=True,
    )
    at = application("pages/classement.py", role=PRESIDENT)
    (bandeau,) = bandeaux(at)
    assert "valeur de l'appel modifiée" in bandeau
    assert "Plafond annuel = 40000 (texte de l'appel, modifié : à confirmer)" in bandeau
    confirmations.confirmer(
        change, ["financement.plafond_annuel"], moteur=moteur, auteur="admin@exemple.qc.ca"
    )
    assert bandeaux(executer(at)) == []
