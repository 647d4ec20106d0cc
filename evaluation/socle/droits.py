"""Qui peut ouvrir quelle page, et qui voit les notes de qui.

Les pages appellent ces règles côté serveur : masquer une entrée du menu ne suffit pas, une
page ouverte par son adresse vérifie elle-même le rôle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evaluation.socle.roles import (
    ADMIN,
    ANALYSTE,
    AUTORITE,
    EVALUATEUR,
    LIBELLES_ROLES,
    MEMBRE,
    OBSERVATEUR,
    PRESIDENT,
)

if TYPE_CHECKING:  # le socle ne dépend pas des étapes : l'appel n'y est qu'un type
    from evaluation.appels.configuration import Appel

TOUS = (ADMIN, PRESIDENT, EVALUATEUR, OBSERVATEUR, ANALYSTE, MEMBRE, AUTORITE)
# Page (nom du fichier sous pages/) → rôles qui l'ouvrent.
ACCES_PAGES: dict[str, tuple[str, ...]] = {
    "accueil": TOUS,
    "importation": (ADMIN, ANALYSTE),
    "evaluation": (EVALUATEUR,),
    "admissibilite": (ANALYSTE, PRESIDENT, ADMIN),
    "suivi": (ADMIN, PRESIDENT),
    # L'autorité ministérielle (issue 17) voit le classement, le portefeuille et la
    # comparaison des appels, sans les notes individuelles, et décide sur sa page.
    "classement": (ADMIN, PRESIDENT, OBSERVATEUR, AUTORITE),
    # Les membres suivent la séance ; l'observateur aussi, sans les notes individuelles.
    "seance": (ADMIN, PRESIDENT, MEMBRE, OBSERVATEUR),
    "portefeuille": (ADMIN, PRESIDENT, OBSERVATEUR, AUTORITE),
    "attributions": (ADMIN,),
    "journal": (ADMIN, PRESIDENT),
    "comptes": (ADMIN,),
    "parametres": (ADMIN,),
    "comparaison": (ADMIN, PRESIDENT, OBSERVATEUR, AUTORITE),
    "decision_ministere": (AUTORITE, ADMIN),
    # Issue 17, point 2 : les lettres aux demandeurs, après la décision.
    "lettres": (ADMIN, PRESIDENT),
    # Après la décision (issue 17) : l'administration inscrit, la présidence et les
    # observateurs suivent (`GERER_CONVENTIONS`).
    "conventions": (ADMIN, PRESIDENT, OBSERVATEUR),
}
# « réservée à … » : la préposition suit le nom.
DESTINATAIRES = {
    ADMIN: "à l'administration",
    PRESIDENT: "à la présidence du comité",
    EVALUATEUR: "aux évaluateurs",
    OBSERVATEUR: "aux observateurs",
    ANALYSTE: "aux analystes",
    MEMBRE: "aux membres du comité",
    AUTORITE: "à l'autorité ministérielle",
}


def peut_ouvrir(role: str | None, page: str) -> bool:
    return role in ACCES_PAGES.get(page, ())


def message_refus(role: str | None, page: str) -> str:
    """Le refus montré à qui ouvre une page que son rôle n'ouvre pas."""
    permis = [DESTINATAIRES[r] for r in ACCES_PAGES.get(page, ())]
    qui = " et ".join(permis) if permis else "à personne"
    role_lisible = LIBELLES_ROLES.get(role, "aucun rôle").split(" (")[0].lower()
    return (
        f"Cette page est réservée {qui}. Votre compte a le rôle « {role_lisible} » : "
        "demandez à l'administration si vous pensez devoir y accéder."
    )


# Qui rattache une catégorie de dépense non reconnue à une catégorie de l'appel (page
# Importation) : l'analyste, qui charge les fichiers et examine l'admissibilité, et
# l'administration.
RATTACHER_CATEGORIES = (ANALYSTE, ADMIN)


# Qui inscrit la décision du ministère (issue 17) : l'autorité ministérielle, ou
# l'administration en son nom (les deux noms sont gardés).
DECIDER_POUR_LE_MINISTERE = (AUTORITE, ADMIN)


def peut_decider_pour_le_ministere(role: str | None) -> bool:
    return role in DECIDER_POUR_LE_MINISTERE


def peut_rattacher_categories(role: str | None) -> bool:
    return role in RATTACHER_CATEGORIES


def voit_notes_des_autres(role: str, appel: Appel, propre_statut: str | None) -> bool:
    """La présidence et l'administration voient toutes les notes ; un évaluateur, seulement
    si l'appel l'ouvre et après avoir soumis la sienne ; un observateur, jamais (il voit les
    classements, pas les notes individuelles)."""
    if role in (ADMIN, PRESIDENT):
        return True
    if role == EVALUATEUR:
        return appel.notes_des_autres == "apres_soumission" and propre_statut == "soumise"
    return False


# La séance du comité (issue 16) : la présidence (ou l'administration) l'ouvre, la ferme,
# note les présences, choisit l'ordre, avance et trie ; tout membre du comité peut ramener
# une demande triée ; seuls les membres, la présidence et l'administration voient les notes
# de chaque évaluateur (l'observateur voit les notes retenues, jamais les individuelles).
CONDUIRE_SEANCE = (PRESIDENT, ADMIN)
RAMENER_EN_SEANCE = (PRESIDENT, ADMIN, MEMBRE)
NOTES_EN_SEANCE = (PRESIDENT, ADMIN, MEMBRE)


def peut_conduire_seance(role: str | None) -> bool:
    return role in CONDUIRE_SEANCE


def peut_ramener_en_seance(role: str | None) -> bool:
    return role in RAMENER_EN_SEANCE


def voit_notes_en_seance(role: str | None) -> bool:
    """Les notes et commentaires de chaque évaluateur, en séance : pas pour l'observateur,
    qui ne voit nulle part les notes individuelles."""
    return role in NOTES_EN_SEANCE


# Les lettres aux demandeurs (issue 17, point 2) : l'administration et la présidence les
# génèrent ; seule l'administration remplace les modèles (ceux que le ministère modifie).
GENERER_LETTRES = (ADMIN, PRESIDENT)
MODIFIER_MODELES_LETTRES = (ADMIN,)


def peut_generer_lettres(role: str | None) -> bool:
    return role in GENERER_LETTRES


def peut_modifier_modeles_lettres(role: str | None) -> bool:
    return role in MODIFIER_MODELES_LETTRES


# Conventions, versements et rapports (issue 17, point 4) : l'administration les inscrit (elle
# tient les dossiers et les paiements du ministère) ; la présidence et les observateurs
# consultent le suivi, sans rien y inscrire : le comité recommande, il ne paie pas.
GERER_CONVENTIONS = (ADMIN,)


def peut_gerer_conventions(role: str | None) -> bool:
    return role in GERER_CONVENTIONS
