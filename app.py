"""Cadre de l'application : configuration de page, appel actif, navigation."""

import streamlit as st

from evaluation.formats import montant
from pages.commun import (
    CLE_APPEL,
    CLE_APPEL_COURANT,
    CLE_CADRE,
    CLE_PAGE_VOULUE,
    appels_disponibles,
    choisir_appel,
)

st.set_page_config(
    page_title="Évaluation des demandes",
    page_icon=":material/fact_check:",
    layout="wide",
)

st.session_state[CLE_CADRE] = True
appels = appels_disponibles()
with st.sidebar:
    if len(appels) > 1:
        st.selectbox(
            "Appel à projets",
            options=list(appels),
            format_func=lambda i: appels[i].nom_court,
            key=CLE_APPEL,
        )
    appel = choisir_appel(appels)
    st.session_state[CLE_APPEL_COURANT] = appel
    st.caption("Appel actif")
    st.markdown(f"**{appel.nom_court}**")
    st.caption(appel.nom)
    annees = appel.financement.annees_financieres()
    enveloppes = " · ".join(
        f"{debut.year}-{fin.year} : {montant(e)}"
        for (debut, fin), e in zip(annees, appel.financement.enveloppe, strict=True)
    )
    st.caption(f"Enveloppe par année financière : {enveloppes}")

navigation = st.navigation(
    [
        st.Page("pages/accueil.py", title="Accueil", icon=":material/home:", default=True),
        st.Page(
            "pages/importation.py",
            title="Importation",
            icon=":material/upload_file:",
            url_path="importation",
        ),
    ]
)
if page_voulue := st.session_state.pop(CLE_PAGE_VOULUE, None):
    st.switch_page(page_voulue)
navigation.run()
