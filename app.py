"""Cadre de l'application : configuration de page, connexion, appel actif, navigation.

Toutes les pages sont routables (une adresse tapée à la main arrive à la page, qui vérifie
le rôle et refuse au besoin) ; le menu, lui, ne montre que celles que le rôle ouvre.
"""

from pathlib import Path

import streamlit as st

from evaluation.socle.droits import peut_ouvrir
from evaluation.socle.formats import montant
from evaluation.socle.roles import LIBELLES_ROLES
from evaluation.socle.stockage import configurer_journaux
from evaluation.socle.texte import litteral
from pages.composants.commun import (
    CLE_APPEL,
    CLE_APPEL_COURANT,
    CLE_CADRE,
    CLE_PAGE_VOULUE,
    appels_archives,
    appels_disponibles,
    choisir_appel,
)
from pages.composants.connexion import (
    CLE_COMPTE_COURANT,
    afficher_connexion,
    changer_mon_mot_de_passe,
    compte_connecte,
    deconnecter,
)
from pages.composants.erreurs import afficher_erreur, afficher_erreur_differee
from pages.composants.francais import franciser_interface

# (fichier sous pages/, titre, icône) ; le nom du fichier est aussi l'adresse de la page.
PAGES = [
    ("accueil", "Accueil", ":material/home:"),
    ("admissibilite", "Admissibilité", ":material/fact_check:"),
    ("evaluation", "Évaluation", ":material/rate_review:"),
    ("suivi", "Suivi des évaluations", ":material/monitoring:"),
    ("classement", "Classement", ":material/leaderboard:"),
    ("seance", "Séance du comité", ":material/co_present:"),
    ("portefeuille", "Portefeuille", ":material/pie_chart:"),
    ("decision_ministere", "Décision du ministère", ":material/gavel:"),
    ("lettres", "Lettres aux demandeurs", ":material/mail:"),
    ("conventions", "Conventions et versements", ":material/request_quote:"),
    ("comparaison", "Comparaison des appels", ":material/compare_arrows:"),
    ("importation", "Importation", ":material/upload_file:"),
    ("attributions", "Attributions et conflits", ":material/assignment_ind:"),
    ("comptes", "Comptes", ":material/group:"),
    ("parametres", "Paramètres de l'appel", ":material/tune:"),
    ("journal", "Journal", ":material/history:"),
]

# Une ligne JSON par action sur la sortie d'erreur du serveur (evaluation/socle/stockage/
# evenements.py) : qui (identifiant du compte), quoi, à quel niveau, sans donnée personnelle.
configurer_journaux()

# Même si un déploiement change la configuration : le CSV des tableaux, écrit par le
# navigateur, ne neutralise aucune formule (voir .streamlit/config.toml).
st.set_option("client.disableDataExport", True)
st.set_page_config(
    page_title="Évaluation des demandes",
    # Un fichier du dépôt, envoyé au navigateur dans la page : une icône « :material/… »
    # serait téléchargée par le navigateur depuis fonts.gstatic.com.
    page_icon=Path(__file__).parent / "donnees" / "interface" / "icone-page.svg",
    layout="wide",
)

# Consignes des champs en français et texte désactivé lisible, sur toutes les pages et
# sur le formulaire de connexion.
franciser_interface()
st.session_state[CLE_CADRE] = True
pages = {
    nom: st.Page(f"pages/{nom}.py", title=titre, icon=icone, default=nom == "accueil")
    if nom == "accueil"
    else st.Page(f"pages/{nom}.py", title=titre, icon=icone, url_path=nom)
    for nom, titre, icone in PAGES
}
navigation = st.navigation(list(pages.values()), position="hidden")


def cadre() -> None:
    """Connexion, barre latérale et page demandée."""
    # Personne de connecté : le formulaire, à l'adresse demandée (qui s'ouvrira après).
    compte = compte_connecte()
    st.session_state[CLE_COMPTE_COURANT] = compte
    if compte is None:
        afficher_connexion()
        st.stop()

    appels = appels_disponibles()
    archives = appels_archives()
    with st.sidebar:
        st.markdown(f"**{litteral(compte.nom)}**")
        st.caption(LIBELLES_ROLES[compte.role].split(" (")[0])
        if st.button("Se déconnecter", icon=":material/logout:", key="deconnexion"):
            deconnecter()
            st.rerun()
        changer_mon_mot_de_passe(compte)
        st.divider()
        for nom, page in pages.items():
            if peut_ouvrir(compte.role, nom):
                st.page_link(page)
        st.divider()
        if len(appels) > 1:
            st.selectbox(
                "Appel à projets",
                options=sorted(appels, key=lambda i: (i in archives, i)),
                format_func=lambda i: appels[i].nom_court + (" (archivé)" if i in archives else ""),
                key=CLE_APPEL,
            )
        appel = choisir_appel(appels)
        st.session_state[CLE_APPEL_COURANT] = appel
        st.caption("Appel actif")
        st.markdown(
            f"**{litteral(appel.nom_court)}**" + (" · archivé" if appel.id in archives else "")
        )
        st.caption(litteral(appel.nom))
        annees = appel.financement.annees_financieres()
        # Une année par ligne : « 2024-2025 » n'est plus coupé au trait d'union (issue 19).
        enveloppes = "  \n".join(
            f"{debut.year}-{fin.year} : {montant(e)}"
            for (debut, fin), e in zip(annees, appel.financement.enveloppe, strict=True)
        )
        st.caption(f"Enveloppe par année financière :  \n{enveloppes}")

    if page_voulue := st.session_state.pop(CLE_PAGE_VOULUE, None):
        st.switch_page(page_voulue)
    afficher_erreur_differee()
    navigation.run()


try:
    cadre()
except Exception as exc:  # la frontière : trace au journal du serveur, message en français
    afficher_erreur(exc)
