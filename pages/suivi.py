"""Suivi des évaluations : l'avancement de chaque évaluateur, les totaux de chaque
évaluation soumise, et le verrouillage des notes par la présidence."""

import pandas as pd
import streamlit as st

from evaluation.notes import attributions, suivi
from evaluation.notes.saisie import MODIFIEE_APRES_CONSULTATION, OBJET_APRES_CONSULTATION
from evaluation.socle import stockage
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.formats import date, nombre, pluriel
from evaluation.socle.roles import ADMIN
from evaluation.socle.texte import litteral
from pages.composants.commun import appel_actif, moteur
from pages.composants.connexion import exiger_acces

compte = exiger_acces("suivi")
appel = appel_actif()
m = moteur()

with m.connect() as connexion:
    demandes = stockage.lire_demandes(appel.id, connexion=connexion)
    table_evaluations = stockage.lire_evaluations(appel.id, connexion=connexion)
    notes = stockage.lire_notes(appel.id, connexion=connexion)
    apres_consultation = stockage.lire_journal(
        connexion=connexion, appel_id=appel.id, objets=[OBJET_APRES_CONSULTATION]
    )
etat = attributions.charger(appel.id, moteur=m, demandes=demandes)
noms = {c.courriel: c.nom for c in lister_comptes(moteur=m)}

st.title("Suivi des évaluations")
avancement = suivi.avancement(etat, table_evaluations, noms)
attendues = int(avancement["attribuees"].sum())
faites = int(avancement["soumises"].sum())
c1, c2, c3 = st.columns(3)
c1.metric("Demandes", len(demandes))
c2.metric("Évaluateurs actifs", len(etat.evaluateurs))
c3.metric("Évaluations soumises", f"{faites} / {attendues}")
st.progress(faites / attendues if attendues else 0.0, text=f"{faites} / {attendues} soumises")
mode = etat.reglages.evaluateurs_par_demande
st.caption(
    "Chaque évaluateur évalue chaque demande (hors conflits d'intérêts)."
    if mode is None
    else f"{pluriel(mode, 'évaluateur')} par demande, répartis par l'administration."
)

with st.container(border=True):
    if etat.reglages.verrouille:
        quand = etat.reglages.modifie_le
        st.markdown(
            ":material/lock: **Évaluations verrouillées**"
            + (
                f" le {date(quand.date())} à {quand:%H h %M} par "
                f"{litteral(etat.reglages.modifie_par)}"
                if quand
                else ""
            )
            + " : plus aucune note ne peut changer."
        )
        if compte.role == ADMIN:
            if st.button("Déverrouiller les évaluations", key="deverrouiller"):
                attributions.verrouiller(appel.id, False, moteur=m, auteur=compte.courriel)
                st.rerun()
        else:
            st.caption("Seule l'administration peut les rouvrir.")
    else:
        st.markdown(
            "**Évaluations ouvertes.** Verrouillez-les avant la séance du comité : les "
            "évaluateurs ne pourront plus modifier ni rouvrir leurs évaluations."
        )
        if st.button("Verrouiller les évaluations", key="verrouiller", type="primary"):
            attributions.verrouiller(appel.id, True, moteur=m, auteur=compte.courriel)
            st.rerun()

st.subheader("Par évaluateur")
if avancement.empty:
    st.info("Aucun compte d'évaluateur actif : créez-en dans la page Comptes.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Évaluateur": avancement["nom"],
                "Courriel": avancement["evaluateur"],
                "Attribuées": avancement["attribuees"],
                "Soumises": avancement["soumises"],
                "Brouillons": avancement["brouillons"],
                "À faire": avancement["a_faire"],
                "Conflits": avancement["conflits"],
                "Avancement": 100
                * avancement["soumises"]
                / avancement["attribuees"].where(avancement["attribuees"] > 0),
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Avancement": st.column_config.ProgressColumn(
                "Avancement", format="%.0f %%", min_value=0, max_value=100
            )
        },
    )

st.subheader("Totaux des évaluations soumises (sur 100)")
totaux = suivi.totaux(notes, appel)
if totaux.empty:
    st.caption("Aucune évaluation soumise pour l'instant.")
else:
    st.dataframe(
        totaux.rename(columns=noms)
        .rename_axis(index="Demande", columns=None)
        .map(lambda v: "" if pd.isna(v) else nombre(v, 1)),
        width="stretch",
    )

if not apres_consultation.empty:
    st.subheader(MODIFIEE_APRES_CONSULTATION.capitalize())
    st.caption(
        "Ces évaluateurs ont changé une note ou leur jugement d'admissibilité après avoir vu "
        "les notes des autres : l'évaluation n'était plus à l'aveugle."
    )
    numeros = dict(zip(demandes["id"].astype(int), demandes["no_demande"], strict=True))
    st.dataframe(
        suivi.modifiees_apres_consultation(apres_consultation, numeros, noms),
        hide_index=True,
        width="stretch",
    )
