"""Attributions et conflits : qui évalue quelles demandes (toutes, ou N par demande
réparties automatiquement puis corrigées à la main), et les conflits d'intérêts."""

import pandas as pd
import streamlit as st

from evaluation.notes import attributions, repartition
from evaluation.socle import stockage
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.formats import date, pluriel
from evaluation.socle.texte import SAISIE_MAX, litteral
from pages.composants.commun import appel_actif, moteur
from pages.composants.connexion import exiger_acces
from pages.composants.messages import REFUS, SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message

compte = exiger_acces("attributions")
appel = appel_actif()
m = moteur()

with m.connect() as connexion:
    demandes = stockage.lire_demandes(appel.id, connexion=connexion)
etat = attributions.charger(appel.id, moteur=m, demandes=demandes)
noms = {c.courriel: c.nom for c in lister_comptes(moteur=m)}
numeros = dict(zip(demandes["id"].astype(int), demandes["no_demande"], strict=True))

st.title("Attributions et conflits d'intérêts")
if demandes.empty or not etat.evaluateurs:
    st.info(
        "Il faut des demandes importées et au moins un compte d'évaluateur actif (page "
        "Comptes) pour attribuer les évaluations."
    )
    st.stop()

TOUS, PARTIEL = "Chaque évaluateur évalue chaque demande", "Un nombre d'évaluateurs par demande"
mode_actuel = etat.reglages.evaluateurs_par_demande
with st.container(border=True):
    st.markdown("**Répartition**")
    mode = st.radio(
        "Mode",
        [TOUS, PARTIEL],
        index=0 if mode_actuel is None else 1,
        key="attrib_mode",
        label_visibility="collapsed",
    )
    n = None
    if mode == PARTIEL:
        n = st.number_input(
            "Évaluateurs par demande",
            min_value=1,
            max_value=len(etat.evaluateurs),
            value=min(mode_actuel or min(3, len(etat.evaluateurs)), len(etat.evaluateurs)),
            key="attrib_n",
        )
    st.caption(
        "La répartition équilibre la charge entre les évaluateurs actifs et évite les conflits "
        "d'intérêts ; une évaluation déjà commencée garde son évaluateur. Chaque changement "
        "est inscrit au journal."
    )
    if st.button("Appliquer la répartition", key="attrib_appliquer", type="primary"):
        try:
            resultat = attributions.appliquer_repartition(
                appel, None if n is None else int(n), moteur=m, auteur=compte.courriel
            )
        except repartition.ErreurAttribution as exc:
            annoncer("attrib_appliquer", REFUS, f"Répartition refusée : {exc}")
        else:
            texte = "Répartition appliquée."
            if resultat.manques:
                texte += (
                    f" {pluriel(len(resultat.manques), 'demande')} n'ont pas assez "
                    "d'évaluateurs sans conflit : "
                    + ", ".join(numeros[d] for d in sorted(resultat.manques))
                    + "."
                )
            annoncer("attrib_appliquer", SUCCES, texte)
        st.rerun()
    afficher_message("attrib_appliquer")

charge = {e: len(etat.demandes_de(e)) for e in etat.evaluateurs}
st.markdown(
    "**Charge** : "
    + " · ".join(
        f"{litteral(noms.get(e, e))} : {pluriel(n_, 'demande')}" for e, n_ in charge.items()
    )
)

if mode_actuel is not None:
    st.subheader("Attributions, demande par demande")
    st.caption(
        "Cochez ou décochez, puis enregistrez. Une case en conflit d'intérêts ou une "
        "évaluation déjà commencée ne peut pas être changée : l'enregistrement le dit."
    )
    ids = [int(i) for i in demandes["id"]]
    tableau = pd.DataFrame(
        {
            "No": demandes["no_demande"],
            "Municipalité": demandes["municipalite"].fillna(""),
            **{e: [(d, e) in etat.stockees for d in ids] for e in etat.evaluateurs},
        }
    )
    st.data_editor(
        tableau,
        key="attrib_tableau",
        hide_index=True,
        width="stretch",
        disabled=["No", "Municipalité"],
        column_config={
            e: st.column_config.CheckboxColumn(noms.get(e, e), help=litteral(e))
            for e in etat.evaluateurs
        },
    )
    if st.button("Enregistrer les attributions", key="attrib_enregistrer"):
        modifs = st.session_state["attrib_tableau"].get("edited_rows", {})
        ajouts, retraits = repartition.changements_du_tableau(
            ids, list(etat.evaluateurs), modifs, etat.stockees
        )
        try:
            attributions.modifier_attributions(
                appel, ajouts, retraits, moteur=m, auteur=compte.courriel
            )
        except repartition.ErreurAttribution as exc:
            annoncer("attrib_enregistrer", REFUS, f"Rien n'est enregistré : {exc}")
        else:
            annoncer(
                "attrib_enregistrer",
                SUCCES,
                f"{pluriel(len(ajouts), 'attribution ajoutée', 'attributions ajoutées')}, "
                f"{pluriel(len(retraits), 'retirée', 'retirées')}.",
            )
        del st.session_state["attrib_tableau"]
        st.rerun()
    afficher_message("attrib_enregistrer")

st.subheader("Conflits d'intérêts")
conflits = sorted(
    etat.conflits.values(), key=lambda c: (numeros.get(c.demande_id, ""), c.evaluateur)
)
if conflits:
    st.dataframe(
        pd.DataFrame(
            {
                "Demande": [numeros.get(c.demande_id, c.demande_id) for c in conflits],
                "Évaluateur": [noms.get(c.evaluateur, c.evaluateur) for c in conflits],
                "Raison": [c.raison for c in conflits],
                "Origine": [
                    "règle (municipalité ou région du compte)"
                    if c.origine == repartition.REGLE
                    else f"déclaré par {c.auteur}"
                    + (f" le {date(c.date.date())}" if c.date else "")
                    for c in conflits
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("Aucun conflit d'intérêts.")

g, d_ = st.columns(2)
with g.container(border=True):
    st.markdown("**Inscrire un conflit**")
    demande_conflit = st.selectbox(
        "Demande", list(numeros), format_func=numeros.get, key="conflit_demande"
    )
    evaluateur_conflit = st.selectbox(
        "Évaluateur",
        list(etat.evaluateurs),
        format_func=lambda e: f"{noms.get(e, e)} ({e})",
        key="conflit_evaluateur",
    )
    raison = st.text_input("Raison", key="conflit_raison", max_chars=SAISIE_MAX)
    if st.button("Inscrire le conflit", key="conflit_inscrire"):
        try:
            attributions.declarer_conflit(
                appel.id,
                demande_conflit,
                evaluateur_conflit,
                raison,
                moteur=m,
                auteur=compte.courriel,
            )
        except repartition.ErreurAttribution as exc:
            annoncer("conflit_inscrire", REFUS, f"Conflit non inscrit : {exc}")
        else:
            annoncer("conflit_inscrire", SUCCES, "Conflit d'intérêts inscrit.")
        st.rerun()
    afficher_message("conflit_inscrire")
declares = [c for c in conflits if c.origine == repartition.DECLARE]
with d_.container(border=True):
    st.markdown("**Lever un conflit déclaré**")
    if not declares:
        st.caption(
            "Aucun conflit déclaré. Ceux d'une règle se lèvent en corrigeant la municipalité, "
            "la région ou l'organisme (NEQ) du compte (page Comptes)."
        )
    else:
        choisi = st.selectbox(
            "Conflit",
            range(len(declares)),
            format_func=lambda i: (
                f"{numeros.get(declares[i].demande_id)} · "
                f"{noms.get(declares[i].evaluateur, declares[i].evaluateur)}"
            ),
            key="conflit_lever",
        )
        motif = st.text_input(
            "Raison de la levée",
            key="conflit_motif",
            max_chars=SAISIE_MAX,
            help="Obligatoire pour le conflit d'une personne du comité : elle est inscrite au "
            "journal et au procès-verbal de la séance. Nul ne lève son propre conflit.",
        )
        if st.button("Lever ce conflit", key="conflit_retirer"):
            c = declares[choisi]
            try:
                attributions.retirer_conflit(
                    appel.id,
                    c.demande_id,
                    c.evaluateur,
                    moteur=m,
                    auteur=compte.courriel,
                    motif=motif,
                )
            except repartition.ErreurAttribution as exc:
                annoncer("conflit_retirer", REFUS, f"Conflit non levé : {exc}")
            else:
                annoncer("conflit_retirer", SUCCES, "Conflit levé (inscrit au journal).")
            st.rerun()
    afficher_message("conflit_retirer")
