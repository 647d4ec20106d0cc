"""Cadre de l'application : configuration de page, appel actif, navigation."""

import streamlit as st

from evaluation.formats import montant
from pages.commun import CLE_APPEL, CLE_CADRE, CLE_PAGE_VOULUE, appel_actif, appels_disponibles

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
    appel = appel_actif()
    st.caption("Appel actif")
    st.markdown(f"**{appel.nom_court}**")
    st.caption(appel.nom)
    enveloppes = " · ".join(
        f"an {i} : {montant(e)}" for i, e in enumerate(appel.financement.enveloppe, 1)
    )
    st.caption(f"Enveloppe : {enveloppes}")

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
