"""Connexion : formulaire local (ou OpenID Connect si la configuration le prévoit), premier
compte d'administration d'une base neuve, mot de passe provisoire à remplacer avant toute
page, changement de son propre mot de passe, déconnexion, et le contrôle d'accès des pages.

Pas une page : app.py et les pages s'en servent. Le compte connecté est relu dans la base
à chaque exécution : un compte désactivé ou changé de rôle l'est tout de suite.
"""

from __future__ import annotations

import streamlit as st

from evaluation.socle.comptes import (
    COURRIEL_MAX,
    aucun_compte,
    authentifier,
    changer_mot_de_passe,
    changer_son_mot_de_passe,
    creer_premier_administrateur,
    trouver_compte,
)
from evaluation.socle.droits import message_refus, peut_ouvrir
from evaluation.socle.mots_de_passe import EXIGENCES_MOT_DE_PASSE, LONGUEUR_MIN
from evaluation.socle.roles import Compte, ErreurCompte
from evaluation.socle.texte import litteral
from pages.composants.commun import moteur

CLE_COMPTE = "_compte_connecte"
CLE_EMPREINTE = "_empreinte_mot_de_passe"
CLE_COMPTE_COURANT = "_compte_courant"


def ouvrir_session(compte: Compte) -> None:
    """La session appartient à ce compte, tel que son mot de passe est maintenant."""
    st.session_state[CLE_COMPTE] = compte.courriel
    st.session_state[CLE_EMPREINTE] = compte.empreinte


def oidc_configure() -> bool:
    """Vrai si .streamlit/secrets.toml déclare une section [auth] (OpenID Connect)."""
    try:
        return "auth" in st.secrets
    except Exception:  # aucun fichier de secrets : la connexion locale s'applique
        return False


def _fournisseur_oidc() -> str | None:
    """Le nom du fournisseur quand [auth] en déclare plusieurs sous-sections ([auth.x])."""
    try:
        noms = [k for k, v in st.secrets["auth"].items() if hasattr(v, "keys")]
    except Exception:
        return None
    return noms[0] if noms else None


def compte_connecte() -> Compte | None:
    """Le compte de la session, relu dans la base (None s'il n'existe plus, est désactivé,
    ou n'a pas encore remplacé son mot de passe provisoire : `afficher_connexion` le
    demande alors)."""
    if oidc_configure():
        utilisateur = st.user.to_dict()
        courriel = utilisateur.get("email") if utilisateur.get("is_logged_in") else None
    else:
        courriel = st.session_state.get(CLE_COMPTE)
    if not courriel:
        return None
    compte = trouver_compte(courriel, moteur=moteur())
    if compte is None or not compte.actif:
        st.session_state.pop(CLE_COMPTE, None)
        st.session_state["_message_connexion"] = (
            f"Aucun compte actif pour {courriel} : demandez à l'administration de vous en "
            "créer un (ou de le réactiver)."
        )
        return None
    if oidc_configure():
        return compte
    if st.session_state.get(CLE_EMPREINTE) != compte.empreinte:
        # Mot de passe changé depuis l'ouverture de la session (réinitialisé par
        # l'administration, changé dans une autre session) : elle se termine.
        for cle in (CLE_COMPTE, CLE_EMPREINTE):
            st.session_state.pop(cle, None)
        st.session_state["_message_connexion"] = (
            "Le mot de passe de ce compte a changé depuis votre connexion : reconnectez-vous "
            "avec le nouveau."
        )
        return None
    if compte.mot_de_passe_provisoire:
        return None
    return compte


def compte_courant() -> Compte:
    """Le compte que le cadre a ouvert pour cette exécution."""
    return st.session_state[CLE_COMPTE_COURANT]


def deconnecter() -> None:
    for cle in list(st.session_state):
        del st.session_state[cle]
    if oidc_configure():
        st.logout()


def afficher_connexion() -> None:
    """La page montrée tant que personne n'est connecté."""
    st.title("Évaluation des demandes")
    if message := st.session_state.pop("_message_connexion", None):
        st.warning(litteral(message), icon=":material/person_off:")
    if oidc_configure():
        if st.user.to_dict().get("is_logged_in"):
            # Authentifiée par l'organisation, mais sans compte actif ici (message ci-dessus).
            st.button("Se déconnecter", key="deconnexion_oidc", on_click=st.logout)
            return
        st.markdown("Connectez-vous avec le compte de votre organisation.")
        if st.button("Se connecter", type="primary", key="connexion_oidc"):
            fournisseur = _fournisseur_oidc()
            st.login(fournisseur) if fournisseur else st.login()
        return
    if courriel := st.session_state.get(CLE_COMPTE):
        _remplacer_mot_de_passe_provisoire(courriel)
        return
    if aucun_compte(moteur=moteur()):
        _premier_administrateur()
        return
    st.markdown("Connectez-vous pour évaluer, classer ou consulter les demandes.")
    with st.form("connexion", border=True, width=480):
        courriel = st.text_input(
            "Courriel", key="connexion_courriel", autocomplete="username", max_chars=COURRIEL_MAX
        )
        mot_de_passe = st.text_input("Mot de passe", type="password", key="connexion_mot_de_passe")
        envoye = st.form_submit_button("Se connecter", type="primary")
    if envoye:
        resultat = authentifier(courriel, mot_de_passe, moteur=moteur())
        if resultat.reussie:
            ouvrir_session(resultat.compte)
            st.rerun()
        st.error(litteral(resultat.message), icon=":material/lock:")
    st.caption(
        "Mot de passe oublié ou compte verrouillé : l'administration vous fixe un mot de "
        "passe provisoire (page Comptes), à remplacer dès la connexion."
    )


def _remplacer_mot_de_passe_provisoire(courriel: str) -> None:
    """Connecté avec un mot de passe fixé par l'administration : le nouveau, avant toute
    page (le compte reste sans accès tant qu'il n'est pas enregistré)."""
    st.info(
        "Votre mot de passe a été fixé par l'administration : choisissez-en un nouveau, que "
        "vous seul connaîtrez, avant de continuer.",
        icon=":material/password:",
    )
    with st.form("mot_de_passe_provisoire", border=True, width=480):
        nouveau = st.text_input(
            "Nouveau mot de passe",
            type="password",
            key="provisoire_nouveau",
            autocomplete="new-password",
        )
        confirmation = st.text_input(
            "Confirmez le nouveau mot de passe", type="password", key="provisoire_confirmation"
        )
        st.caption(EXIGENCES_MOT_DE_PASSE)
        envoye = st.form_submit_button("Enregistrer et continuer", type="primary")
    if envoye:
        if nouveau != confirmation:
            st.error("Les deux mots de passe diffèrent : saisissez-les de nouveau.")
        else:
            try:
                changer_mot_de_passe(courriel, nouveau, moteur=moteur(), auteur=courriel)
            except ErreurCompte as exc:
                st.error(f"Mot de passe non changé : {exc}")
            else:
                ouvrir_session(trouver_compte(courriel, moteur=moteur()))
                st.rerun()
    if st.button("Se déconnecter", key="deconnexion_provisoire"):
        deconnecter()
        st.rerun()


def changer_mon_mot_de_passe(compte: Compte) -> None:
    """Dans la barre latérale : la personne connectée change son mot de passe (l'actuel,
    le nouveau deux fois) ; sans objet quand l'organisation gère la connexion."""
    if oidc_configure():
        return
    with (
        st.expander("Changer mon mot de passe", icon=":material/password:"),
        st.form("mon_mot_de_passe", border=False, clear_on_submit=True),
    ):
        actuel = st.text_input(
            "Mot de passe actuel",
            type="password",
            key="mon_mdp_actuel",
            autocomplete="current-password",
        )
        nouveau = st.text_input(
            "Nouveau mot de passe",
            type="password",
            key="mon_mdp_nouveau",
            autocomplete="new-password",
            help=EXIGENCES_MOT_DE_PASSE,
        )
        confirmation = st.text_input(
            "Confirmez le nouveau mot de passe", type="password", key="mon_mdp_confirmation"
        )
        if st.form_submit_button("Changer le mot de passe"):
            if nouveau != confirmation:
                st.error("Les deux nouveaux mots de passe diffèrent : saisissez-les de nouveau.")
                return
            try:
                changer_son_mot_de_passe(compte.courriel, actuel, nouveau, moteur=moteur())
            except ErreurCompte as exc:
                st.error(f"Mot de passe non changé : {exc}")
            else:
                # Cette session reste ouverte ; les autres sessions du compte se terminent.
                ouvrir_session(trouver_compte(compte.courriel, moteur=moteur()))
                st.success("Mot de passe changé : il servira dès la prochaine connexion.")


def _premier_administrateur() -> None:
    st.info(
        "Base neuve : créez le premier compte d'administration. Il servira à importer les "
        "demandes et à créer les comptes des évaluateurs et du comité.",
        icon=":material/shield_person:",
    )
    with st.form("premier_admin", border=True, width=480):
        courriel = st.text_input("Courriel", key="admin_courriel", max_chars=COURRIEL_MAX)
        nom = st.text_input("Nom", key="admin_nom")
        mot_de_passe = st.text_input(
            f"Mot de passe (au moins {LONGUEUR_MIN} caractères)",
            type="password",
            key="admin_mot_de_passe",
            help=EXIGENCES_MOT_DE_PASSE,
        )
        confirmation = st.text_input(
            "Confirmez le mot de passe", type="password", key="admin_confirmation"
        )
        envoye = st.form_submit_button("Créer le compte et me connecter", type="primary")
    if envoye:
        if mot_de_passe != confirmation:
            st.error("Les deux mots de passe diffèrent : saisissez-les de nouveau.")
            return
        try:
            compte = creer_premier_administrateur(courriel, mot_de_passe, moteur=moteur(), nom=nom)
        except ErreurCompte as exc:
            st.error(f"Compte non créé : {litteral(exc)}")
            return
        ouvrir_session(compte)
        st.rerun()


def exiger_acces(page: str) -> Compte:
    """À l'entrée de chaque page : le cadre est passé, quelqu'un est connecté, son rôle
    ouvre cette page ; sinon un refus, et la page s'arrête là (côté serveur)."""
    from pages.composants.commun import exiger_cadre

    exiger_cadre(f"pages/{page}.py")
    compte = st.session_state.get(CLE_COMPTE_COURANT)
    if compte is None:
        st.stop()
    if not peut_ouvrir(compte.role, page):
        st.error(message_refus(compte.role, page), icon=":material/block:")
        st.stop()
    return compte
