"""Comptes : qui se connecte, avec quel rôle ; la municipalité et la région d'un compte
servent à repérer les conflits d'intérêts évidents. Chaque changement est journalisé."""

import pandas as pd
import streamlit as st

from evaluation.comptes import (
    LIBELLES_ROLES,
    LONGUEUR_MIN,
    ROLES,
    ErreurCompte,
    changer_mot_de_passe,
    creer_compte,
    lister_comptes,
    modifier_compte,
    problemes_mot_de_passe,
)
from evaluation.texte import litteral
from pages.commun import appel_actif, moteur
from pages.connexion import exiger_acces

compte = exiger_acces("comptes")
appel = appel_actif()
m = moteur()
regions = {r.code: f"{r.code} – {r.nom}" for r in appel.regions}
AUCUNE = ""

st.title("Comptes")
if message := st.session_state.pop("_comptes_msg", None):
    (st.success if message[0] == "success" else st.error)(litteral(message[1]))

comptes = lister_comptes(moteur=m)
st.dataframe(
    pd.DataFrame(
        {
            "Courriel": [c.courriel for c in comptes],
            "Nom": [c.nom for c in comptes],
            "Rôle": [LIBELLES_ROLES[c.role].split(" (")[0] for c in comptes],
            "Actif": [c.actif for c in comptes],
            "Municipalité": [c.municipalite or "" for c in comptes],
            "Région": [regions.get(c.region, c.region or "") for c in comptes],
        }
    ),
    hide_index=True,
    width="stretch",
)

gauche, droite = st.columns(2)
with gauche.container(border=True):
    st.markdown("**Nouveau compte**")
    with st.form("nouveau_compte", clear_on_submit=True, border=False):
        courriel = st.text_input("Courriel", key="nouveau_courriel")
        nom = st.text_input("Nom", key="nouveau_nom")
        role = st.selectbox(
            "Rôle", ROLES, format_func=LIBELLES_ROLES.get, index=2, key="nouveau_role"
        )
        municipalite = st.text_input(
            "Municipalité (facultatif, pour les conflits d'intérêts)", key="nouveau_municipalite"
        )
        region = st.selectbox(
            "Région (facultatif)",
            [AUCUNE, *regions],
            format_func=lambda r: regions.get(r, "—"),
            key="nouveau_region",
        )
        mot_de_passe = st.text_input(
            f"Mot de passe provisoire (au moins {LONGUEUR_MIN} caractères)",
            type="password",
            key="nouveau_mot_de_passe",
        )
        if st.form_submit_button("Créer le compte", type="primary"):
            try:
                cree = creer_compte(
                    courriel,
                    role,
                    mot_de_passe,
                    moteur=m,
                    nom=nom,
                    municipalite=municipalite.strip() or None,
                    region=region or None,
                    auteur=compte.courriel,
                )
            except ErreurCompte as exc:
                st.session_state["_comptes_msg"] = ("error", f"Compte non créé : {exc}")
            else:
                st.session_state["_comptes_msg"] = (
                    "success",
                    f"Compte créé pour {cree.courriel} : transmettez-lui son mot de passe "
                    "provisoire par un autre canal.",
                )
            st.rerun()

with droite.container(border=True):
    st.markdown("**Modifier un compte**")
    par_courriel = {c.courriel: c for c in comptes}
    choisi = st.selectbox(
        "Compte",
        list(par_courriel),
        format_func=lambda c: f"{par_courriel[c].nom} ({c})",
        key="modifier_choix",
    )
    cible = par_courriel[choisi]
    with st.form(f"modifier_{choisi}", border=False):
        nouveau_role = st.selectbox(
            "Rôle", ROLES, index=ROLES.index(cible.role), format_func=LIBELLES_ROLES.get
        )
        actif = st.checkbox("Compte actif", value=cible.actif)
        nouvelle_municipalite = st.text_input("Municipalité", value=cible.municipalite or "")
        nouvelle_region = st.selectbox(
            "Région",
            [AUCUNE, *regions],
            index=([AUCUNE, *regions].index(cible.region) if cible.region in regions else 0),
            format_func=lambda r: regions.get(r, "—"),
        )
        nouveau_mdp = st.text_input(
            "Nouveau mot de passe (laisser vide pour le garder)", type="password"
        )
        if st.form_submit_button("Enregistrer"):
            try:
                if nouveau_mdp and (problemes := problemes_mot_de_passe(nouveau_mdp)):
                    raise ErreurCompte("mot de passe refusé : " + ", ".join(problemes) + ".")
                modifier_compte(
                    choisi,
                    moteur=m,
                    auteur=compte.courriel,
                    role=nouveau_role,
                    actif=actif,
                    municipalite=nouvelle_municipalite,
                    region=nouvelle_region or None,
                )
                if nouveau_mdp:
                    changer_mot_de_passe(choisi, nouveau_mdp, moteur=m, auteur=compte.courriel)
            except ErreurCompte as exc:
                st.session_state["_comptes_msg"] = ("error", f"Compte non modifié : {exc}")
            else:
                st.session_state["_comptes_msg"] = ("success", f"Compte {choisi} enregistré.")
            st.rerun()
