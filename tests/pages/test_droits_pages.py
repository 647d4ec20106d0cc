"""Chaque page vérifie elle-même le rôle (une adresse tapée à la main ne suffit pas), et le
menu de la barre latérale ne montre que les pages que le rôle ouvre."""

import pytest

from evaluation.socle.droits import ACCES_PAGES, message_refus
from evaluation.socle.roles import ROLES
from tests.pages.conftest import textes

pytestmark = pytest.mark.usefixtures("cadre_a_chaque_execution")

# Le titre (st.title) de chaque page une fois ouverte.
TITRES = {
    "accueil": "Évaluation des demandes",
    "admissibilite": "Admissibilité",
    "evaluation": "Évaluation",
    "suivi": "Suivi des évaluations",
    "classement": "Classement",
    "seance": "Séance du comité",
    "portefeuille": "Portefeuille",
    "importation": "Importation des demandes",
    "attributions": "Attributions et conflits d'intérêts",
    "comptes": "Comptes",
    "journal": "Journal",
    "parametres": "Paramètres de l'appel",
    "comparaison": "Comparaison des appels",
    "decision_ministere": "Décision du ministère",
    "lettres": "Lettres aux demandeurs",
    "conventions": "Conventions et versements",
}
# Le libellé de chaque page dans le menu (app.PAGES).
MENU = {
    "accueil": "Accueil",
    "admissibilite": "Admissibilité",
    "evaluation": "Évaluation",
    "suivi": "Suivi des évaluations",
    "classement": "Classement",
    "seance": "Séance du comité",
    "portefeuille": "Portefeuille",
    "importation": "Importation",
    "attributions": "Attributions et conflits",
    "comptes": "Comptes",
    "journal": "Journal",
    "parametres": "Paramètres de l'appel",
    "comparaison": "Comparaison des appels",
    "decision_ministere": "Décision du ministère",
    "lettres": "Lettres aux demandeurs",
    "conventions": "Conventions et versements",
}
REFUS = "Cette page est réservée"
CAS = [(page, role) for page in ACCES_PAGES for role in ROLES]


def test_chaque_page_a_son_titre_et_son_entree_de_menu():
    """Les tables de ce fichier suivent ACCES_PAGES : une page ajoutée sans elles échoue ici."""
    assert set(TITRES) == set(MENU) == set(ACCES_PAGES)


@pytest.mark.parametrize(("page", "role"), CAS, ids=[f"{p}-{r}" for p, r in CAS])
def test_page_ouverte_ou_refusee_selon_le_role(application, page, role):
    at = application(f"pages/{page}.py", role=role)
    assert not at.exception, at.exception
    titres = [t.value for t in at.title]
    refus = [e.value for e in at.error if REFUS in e.value]
    if role in ACCES_PAGES[page]:
        assert not refus, refus
        assert TITRES[page] in titres, titres
    else:
        assert refus == [message_refus(role, page)]
        assert TITRES[page] not in titres, titres
        # Rien de la page au-delà du refus : ni tableau, ni téléversement, ni métrique.
        assert not at.dataframe and not at.file_uploader and not at.metric
    # Le cadre (barre latérale) reste là, avec le compte connecté.
    assert "**Compte " + role + "**" in [m.value for m in at.sidebar.markdown]


@pytest.mark.parametrize("role", ROLES)
def test_menu_ne_liste_que_les_pages_ouvertes(application, role):
    at = application(role=role)
    liens = [lien.proto.label for lien in at.sidebar.get("page_link")]
    permises = [MENU[p] for p in ACCES_PAGES if role in ACCES_PAGES[p]]
    assert sorted(liens) == sorted(permises)
    # Le menu ne change pas d'une page à l'autre.
    at.switch_page("pages/accueil.py").run()
    assert sorted(lien.proto.label for lien in at.sidebar.get("page_link")) == sorted(permises)


@pytest.mark.parametrize(
    ("page", "role", "attendu"),
    [
        (
            "evaluation",
            "admin",
            "réservée aux évaluateurs. Votre compte a le rôle « administration »",
        ),
        (
            "comptes",
            "president",
            "réservée à l'administration. Votre compte a le rôle « présidence du comité »",
        ),
        (
            "suivi",
            "evaluateur",
            "réservée à l'administration et à la présidence du comité. Votre compte a le rôle "
            "« évaluation »",
        ),
        ("journal", "observateur", "Votre compte a le rôle « observation »"),
    ],
    ids=["evaluation-admin", "comptes-president", "suivi-evaluateur", "journal-observateur"],
)
def test_refus_dit_a_qui_la_page_est_reservee(application, page, role, attendu):
    at = application(f"pages/{page}.py", role=role)
    assert attendu in textes(at)
