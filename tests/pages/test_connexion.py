"""La connexion : premier compte d'une base neuve, formulaire, verrouillage, déconnexion,
mot de passe provisoire remplacé avant toute page, changement de son mot de passe, et le
formulaire qui garde chaque adresse de page tant que personne n'est connecté."""

import pytest

from evaluation.socle import stockage
from evaluation.socle.comptes import (
    aucun_compte,
    authentifier,
    changer_mot_de_passe,
    creer_compte,
    desactiver_compte,
    modifier_compte,
    trouver_compte,
)
from evaluation.socle.mots_de_passe import ECHECS_MAX
from evaluation.socle.roles import ADMIN, EVALUATEUR
from evaluation.socle.stockage import creer_moteur
from pages.composants.connexion import CLE_COMPTE
from tests.pages.conftest import MOT_DE_PASSE, compte_de_test, textes

# Sans lui, les exécutions après la première lanceraient la page seule, sans app.py.
pytestmark = pytest.mark.usefixtures("cadre_a_chaque_execution")

TITRE_CONNEXION = "Évaluation des demandes"
# Le titre que chaque page montre une fois ouverte (l'accueil a celui du formulaire : on le
# reconnaît à ses métriques et à « Par où commencer »).
TITRES_PAGES = {
    "evaluation": "Évaluation",
    "suivi": "Suivi des évaluations",
    "importation": "Importation des demandes",
    "attributions": "Attributions et conflits d'intérêts",
    "comptes": "Comptes",
    "journal": "Journal",
}
PAGES = ["accueil", *TITRES_PAGES]
CLES_PREMIER_ADMIN = ("admin_courriel", "admin_nom", "admin_mot_de_passe", "admin_confirmation")


def _bouton(at, libelle: str):
    return next(b for b in at.button if b.label == libelle)


def _cles(at) -> set[str]:
    return {t.key for t in at.text_input}


def _connecte(at) -> bool:
    """Vrai si la barre latérale du cadre (nom, « Se déconnecter ») est là."""
    return any(b.key == "deconnexion" for b in at.button)


def _premier_admin(at, courriel, nom, mot_de_passe, confirmation):
    for cle, valeur in zip(
        CLES_PREMIER_ADMIN, (courriel, nom, mot_de_passe, confirmation), strict=True
    ):
        at.text_input(key=cle).set_value(valeur)
    _bouton(at, "Créer le compte et me connecter").click().run()
    assert not at.exception, at.exception
    return at


def _se_connecter(at, courriel, mot_de_passe):
    at.text_input(key="connexion_courriel").set_value(courriel)
    at.text_input(key="connexion_mot_de_passe").set_value(mot_de_passe)
    _bouton(at, "Se connecter").click().run()
    assert not at.exception, at.exception
    return at


def _formulaire_de_connexion(at) -> bool:
    return {"connexion_courriel", "connexion_mot_de_passe"} <= _cles(at) and any(
        b.label == "Se connecter" for b in at.button
    )


def _base_vide(base) -> bool:
    moteur = creer_moteur(base)
    try:
        return aucun_compte(moteur=moteur)
    finally:
        moteur.dispose()


# Base neuve : le premier compte d'administration


def test_base_neuve_demande_le_premier_administrateur(application):
    at = application(role=None)
    assert [t.value for t in at.title] == [TITRE_CONNEXION]
    assert "Base neuve : créez le premier compte d'administration" in textes(at)
    assert set(CLES_PREMIER_ADMIN) <= _cles(at)
    assert not _formulaire_de_connexion(at)
    assert not _connecte(at)


def test_premier_administrateur_confirmation_differente(application, base):
    at = application(role=None)
    _premier_admin(
        at, "admin@ville.qc.ca", "Ana", "un long trajet en voilier", "un autre mot de passe"
    )
    assert any("Les deux mots de passe diffèrent" in e.value for e in at.error)
    assert not _connecte(at)
    assert _base_vide(base)


def test_premier_administrateur_mot_de_passe_trop_court(application, base):
    at = application(role=None)
    _premier_admin(at, "admin@ville.qc.ca", "Ana", "court", "court")
    erreurs = [e.value for e in at.error]
    assert any("Compte non créé" in e and "au moins 12 caractères" in e for e in erreurs), erreurs
    assert not _connecte(at)
    assert _base_vide(base)


def test_premier_administrateur_valide_connecte(application, base):
    at = application(role=None)
    _premier_admin(
        at,
        "Ana@Ville.qc.ca",
        "Ana Tremblay",
        "un long trajet en voilier",
        "un long trajet en voilier",
    )
    assert not at.error
    assert _connecte(at)
    barre = [m.value for m in at.sidebar.markdown]
    assert "**Ana Tremblay**" in barre
    assert _bouton(at, "Se déconnecter").key == "deconnexion"
    assert "Administration" in [c.value for c in at.sidebar.caption]
    assert "Par où commencer" in [s.value for s in at.subheader]
    moteur = creer_moteur(base)
    try:
        compte = trouver_compte("ana@ville.qc.ca", moteur=moteur)
    finally:
        moteur.dispose()
    assert compte is not None and compte.role == ADMIN and compte.nom == "Ana Tremblay"


# Formulaire de connexion


def test_formulaire_de_connexion_des_qu_un_compte_existe(application, base):
    compte_de_test(base, EVALUATEUR)
    at = application(role=None)
    assert _formulaire_de_connexion(at)
    assert not set(CLES_PREMIER_ADMIN) & _cles(at)
    assert "Base neuve" not in textes(at)
    assert not _connecte(at)


def test_bon_mot_de_passe_connecte(application, base):
    courriel = compte_de_test(base, EVALUATEUR)
    at = _se_connecter(application(role=None), courriel, MOT_DE_PASSE)
    assert not at.error
    assert _connecte(at)
    assert "**Compte evaluateur**" in [m.value for m in at.sidebar.markdown]
    assert not _formulaire_de_connexion(at)


def test_mauvais_mot_de_passe(application, base):
    courriel = compte_de_test(base, EVALUATEUR)
    at = _se_connecter(application(role=None), courriel, "pas le bon mot de passe")
    assert [e.value for e in at.error] == ["Courriel ou mot de passe incorrect."]
    assert not _connecte(at)
    assert _formulaire_de_connexion(at)


def test_courriel_inconnu_meme_message(application, base):
    compte_de_test(base, EVALUATEUR)
    at = _se_connecter(application(role=None), "personne@exemple.qc.ca", MOT_DE_PASSE)
    assert [e.value for e in at.error] == ["Courriel ou mot de passe incorrect."]
    assert not _connecte(at)


def test_verrouillage_apres_echecs_repetes(application, base):
    courriel = compte_de_test(base, EVALUATEUR)
    at = application(role=None)
    for _ in range(ECHECS_MAX):
        _se_connecter(at, courriel, "pas le bon mot de passe")
        assert [e.value for e in at.error] == ["Courriel ou mot de passe incorrect."]
    _se_connecter(at, courriel, MOT_DE_PASSE)
    erreurs = [e.value for e in at.error]
    assert len(erreurs) == 1 and "verrouillé" in erreurs[0], erreurs
    assert not _connecte(at)


@pytest.mark.parametrize("maniere", ["modifier_compte", "desactiver_compte"])
def test_compte_desactive_deconnecte_a_la_prochaine_execution(application, base, maniere):
    courriel = compte_de_test(base, ADMIN, "autre-admin@exemple.qc.ca")
    at = application(role=EVALUATEUR)
    assert _connecte(at)
    evaluateur = "evaluateur@exemple.qc.ca"
    moteur = creer_moteur(base)
    try:
        if maniere == "modifier_compte":
            modifier_compte(evaluateur, moteur=moteur, auteur=courriel, actif=False)
        else:
            desactiver_compte(evaluateur, moteur=moteur)
    finally:
        moteur.dispose()
    at.run()
    assert not at.exception, at.exception
    assert not _connecte(at)
    assert any(f"Aucun compte actif pour {evaluateur}" in w.value for w in at.warning)
    assert _formulaire_de_connexion(at)
    # Le mot de passe, même bon, n'ouvre plus le compte.
    _se_connecter(at, evaluateur, MOT_DE_PASSE)
    assert not _connecte(at)
    assert [e.value for e in at.error] == [
        "Ce compte est désactivé : adressez-vous à l'administration."
    ]


def test_se_deconnecter_revient_au_formulaire(application):
    at = application(role=ADMIN)
    assert _connecte(at)
    at.button(key="deconnexion").click().run()
    assert not at.exception, at.exception
    assert not _connecte(at)
    assert _formulaire_de_connexion(at)
    assert not at.sidebar.markdown
    assert not at.metric
    # Une nouvelle exécution ne rouvre pas la session.
    at.run()
    assert not _connecte(at) and _formulaire_de_connexion(at)


# Chaque adresse de page est gardée par le formulaire


@pytest.mark.parametrize("page", PAGES)
def test_formulaire_sur_chaque_adresse(application, base, page):
    compte_de_test(base, ADMIN)
    at = application(f"pages/{page}.py", role=None)
    assert _formulaire_de_connexion(at)
    assert not _connecte(at)
    assert [t.value for t in at.title] == [TITRE_CONNEXION]
    assert not at.metric
    assert "Par où commencer" not in [s.value for s in at.subheader]
    assert not at.dataframe
    assert not at.file_uploader


@pytest.mark.parametrize("page", ["journal", "comptes"])
def test_connexion_ouvre_la_page_demandee(application, base, page):
    """Le formulaire montré à l'adresse d'une page mène à cette page une fois connecté."""
    courriel = compte_de_test(base, ADMIN)
    at = application(f"pages/{page}.py", role=None)
    _se_connecter(at, courriel, MOT_DE_PASSE)
    assert _connecte(at)
    assert [t.value for t in at.title] == [TITRES_PAGES[page]]


# Mot de passe provisoire : remplacé avant toute page

PROVISOIRE = "fixé par l'admin 2024"
NOUVEAU = "girafe radio tempête cerise"
PROVISOIRE_ACCUEIL = "Votre mot de passe a été fixé par l'administration"


def _compte_provisoire(base) -> str:
    """Un évaluateur dont l'administration a fixé le mot de passe (PROVISOIRE)."""
    compte_de_test(base, ADMIN)
    moteur = creer_moteur(base)
    try:
        creer_compte(
            "eva@exemple.qc.ca",
            EVALUATEUR,
            PROVISOIRE,
            moteur=moteur,
            nom="Éva Roy",
            auteur="admin@exemple.qc.ca",
        )
    finally:
        moteur.dispose()
    return "eva@exemple.qc.ca"


def _nouveau_mot_de_passe(at, nouveau, confirmation):
    at.text_input(key="provisoire_nouveau").set_value(nouveau)
    at.text_input(key="provisoire_confirmation").set_value(confirmation)
    _bouton(at, "Enregistrer et continuer").click().run()
    assert not at.exception, at.exception
    return at


def _lire(base, fonction):
    moteur = creer_moteur(base)
    try:
        return fonction(moteur)
    finally:
        moteur.dispose()


def test_mot_de_passe_provisoire_remplace_avant_toute_page(application, base):
    courriel = _compte_provisoire(base)
    at = application("pages/journal.py", role=None)
    _se_connecter(at, courriel, PROVISOIRE)
    assert not _connecte(at)
    assert PROVISOIRE_ACCUEIL in textes(at)
    assert not _formulaire_de_connexion(at)
    assert [t.value for t in at.title] == [TITRE_CONNEXION]
    assert not at.sidebar.markdown and not at.metric and not at.dataframe

    # Une exécution de plus (un autre clic, une autre adresse) n'ouvre toujours rien.
    at.switch_page("pages/evaluation.py").run()
    assert not _connecte(at) and PROVISOIRE_ACCUEIL in textes(at)

    refus = [
        (NOUVEAU, NOUVEAU + " !", "Les deux mots de passe diffèrent"),
        ("azertyuiop123", "azertyuiop123", "Mot de passe non changé : mot de passe refusé"),
        (PROVISOIRE, PROVISOIRE, "c'est celui que vous avez déjà"),
        ("eva roy 2024 !!", "eva roy 2024 !!", "sans votre nom"),
    ]
    for nouveau, confirmation, message in refus:
        _nouveau_mot_de_passe(at, nouveau, confirmation)
        erreurs = [e.value for e in at.error]
        assert len(erreurs) == 1 and message in erreurs[0], erreurs
        assert not _connecte(at)
    assert _lire(base, lambda m: trouver_compte(courriel, moteur=m)).mot_de_passe_provisoire

    _nouveau_mot_de_passe(at, NOUVEAU, NOUVEAU)
    assert not at.error
    assert _connecte(at)
    assert "**Éva Roy**" in [m.value for m in at.sidebar.markdown]
    assert [t.value for t in at.title] == ["Évaluation"]  # la page demandée s'ouvre
    assert not _lire(base, lambda m: trouver_compte(courriel, moteur=m)).mot_de_passe_provisoire
    assert _lire(base, lambda m: authentifier(courriel, NOUVEAU, moteur=m)).reussie
    assert not _lire(base, lambda m: authentifier(courriel, PROVISOIRE, moteur=m)).reussie
    with creer_moteur(base).connect() as c:
        journal = stockage.lire_journal(connexion=c)
    derniere = journal.iloc[-1]
    assert (derniere["auteur"], derniere["objet"], derniere["nouveau"]) == (
        courriel,
        "compte:mot_de_passe",
        "(changé)",
    )
    assert NOUVEAU not in " ".join(map(str, journal.to_numpy().ravel()))


def test_reinitialisation_ferme_les_sessions_ouvertes(application, base):
    """Un compte compromis : l'administration fixe un mot de passe provisoire. La session
    ouverte avec l'ancien (celle d'un intrus, peut-être) se termine à l'exécution suivante,
    sans recevoir le formulaire du nouveau mot de passe ; seul qui connaît le provisoire
    revient, et le remplace."""
    courriel = compte_de_test(base, EVALUATEUR, "eva@exemple.qc.ca")
    intrus = application(role=EVALUATEUR, courriel=courriel)
    assert _connecte(intrus)
    compte_de_test(base, ADMIN)
    moteur = creer_moteur(base)
    try:
        changer_mot_de_passe(courriel, PROVISOIRE, moteur=moteur, auteur="admin@exemple.qc.ca")
    finally:
        moteur.dispose()
    intrus.run()
    assert not _connecte(intrus)
    assert PROVISOIRE_ACCUEIL not in textes(intrus)
    assert "a changé depuis votre connexion : reconnectez-vous" in textes(intrus)
    assert _formulaire_de_connexion(intrus)

    _se_connecter(intrus, courriel, MOT_DE_PASSE)
    assert not _connecte(intrus) and PROVISOIRE_ACCUEIL not in textes(intrus)
    _se_connecter(intrus, courriel, PROVISOIRE)
    assert PROVISOIRE_ACCUEIL in textes(intrus)
    intrus.button(key="deconnexion_provisoire").click().run()
    assert not intrus.exception, intrus.exception
    assert _formulaire_de_connexion(intrus)
    assert PROVISOIRE_ACCUEIL not in textes(intrus)


def test_session_sans_empreinte_refusee(application, base):
    """Une session qui ne porte pas l'empreinte du mot de passe actuel n'ouvre rien."""
    courriel = compte_de_test(base, EVALUATEUR, "eva@exemple.qc.ca")
    at = application(role=None)
    at.session_state[CLE_COMPTE] = courriel
    at.run()
    assert not _connecte(at) and _formulaire_de_connexion(at)


def test_premier_administrateur_n_a_pas_de_mot_de_passe_provisoire(application, base):
    at = application(role=None)
    _premier_admin(
        at, "ana@ville.qc.ca", "Ana", "un long trajet en voilier", "un long trajet en voilier"
    )
    assert _connecte(at)
    assert PROVISOIRE_ACCUEIL not in textes(at)


# Changer son mot de passe (barre latérale)

CLES_MON_MDP = ("mon_mdp_actuel", "mon_mdp_nouveau", "mon_mdp_confirmation")


def _changer_le_mien(at, actuel, nouveau, confirmation):
    assert "Changer mon mot de passe" in [e.label for e in at.sidebar.expander]
    for cle, valeur in zip(CLES_MON_MDP, (actuel, nouveau, confirmation), strict=True):
        at.sidebar.text_input(key=cle).set_value(valeur)
    _bouton(at, "Changer le mot de passe").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("actuel", "nouveau", "confirmation", "message"),
    [
        ("pas le bon", NOUVEAU, NOUVEAU, "mot de passe actuel incorrect"),
        (MOT_DE_PASSE, NOUVEAU, "autre chose encore", "Les deux nouveaux mots de passe diffèrent"),
        (MOT_DE_PASSE, "court", "court", "au moins 12 caractères"),
        (MOT_DE_PASSE, MOT_DE_PASSE, MOT_DE_PASSE, "celui que vous avez déjà"),
    ],
)
def test_changer_son_mot_de_passe_refuse(application, base, actuel, nouveau, confirmation, message):
    at = application(role=EVALUATEUR)
    _changer_le_mien(at, actuel, nouveau, confirmation)
    erreurs = [e.value for e in at.sidebar.error]
    assert len(erreurs) == 1 and message in erreurs[0], erreurs
    assert not at.sidebar.success
    assert _connecte(at)
    courriel = "evaluateur@exemple.qc.ca"
    assert _lire(base, lambda m: authentifier(courriel, MOT_DE_PASSE, moteur=m)).reussie


def test_changer_son_mot_de_passe(application, base):
    at = application(role=EVALUATEUR)
    _changer_le_mien(at, MOT_DE_PASSE, NOUVEAU, NOUVEAU)
    assert [s.value for s in at.sidebar.success] == [
        "Mot de passe changé : il servira dès la prochaine connexion."
    ]
    assert _connecte(at)
    assert NOUVEAU not in textes(at) and MOT_DE_PASSE not in textes(at)
    courriel = "evaluateur@exemple.qc.ca"
    assert _lire(base, lambda m: authentifier(courriel, NOUVEAU, moteur=m)).reussie
    assert not _lire(base, lambda m: authentifier(courriel, MOT_DE_PASSE, moteur=m)).reussie
    assert not _lire(base, lambda m: trouver_compte(courriel, moteur=m)).mot_de_passe_provisoire
