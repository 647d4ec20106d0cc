"""Comptes : qui se connecte, avec quel rôle ; la municipalité et la région d'un compte,
choisies au répertoire des municipalités du Québec, et l'organisme (NEQ) auquel il est
rattaché servent à repérer les conflits d'intérêts évidents. Chaque changement est
journalisé ; un mot de passe fixé ici est provisoire (la personne le remplace à sa première
connexion)."""

import pandas as pd
import streamlit as st

from evaluation.depot.municipalites import repertoire
from evaluation.socle.comptes import (
    changer_mot_de_passe,
    creer_compte,
    lister_comptes,
    modifier_compte,
    municipalite_hors_repertoire,
    regions_du_quebec,
)
from evaluation.socle.mots_de_passe import (
    EXIGENCES_MOT_DE_PASSE,
    LONGUEUR_MIN,
    problemes_mot_de_passe,
)
from evaluation.socle.roles import LIBELLES_ROLES, ROLES, Compte, ErreurCompte
from pages.composants.commun import moteur
from pages.composants.connexion import exiger_acces
from pages.composants.messages import REFUS, SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message

compte = exiger_acces("comptes")
m = moteur()
regions = {code: f"{code} – {nom}" for code, nom in regions_du_quebec().items()}
municipalites = {
    mu.code_geographique: f"{mu.nom_affiche} ({mu.designation}, {mu.mrc}, {mu.region_nom})"
    for mu in sorted(repertoire().municipalites, key=lambda mu: (mu.nom_affiche, mu.region_code))
}
AUCUNE = ""
AIDE_NEQ = (
    "Numéro d'entreprise du Québec (dix chiffres) de l'organisme auquel la personne est "
    "rattachée. Dans un appel dont le demandeur est un organisme, les demandes de cet "
    "organisme lui sont retirées (conflit d'intérêts évident)."
)
HORS_REPERTOIRE = " (hors répertoire : à choisir dans la liste)"


def _libelle_municipalite(valeur: str) -> str:
    if valeur == AUCUNE:
        return "—"
    return municipalites.get(valeur, valeur + HORS_REPERTOIRE)


def _libelle_region(valeur: str) -> str:
    if valeur == AUCUNE:
        return "—"
    return regions.get(valeur, f"{valeur} (hors liste : à choisir de nouveau)")


def _code_inscrit(cible: Compte) -> str:
    """Le code géographique de la municipalité inscrite ; le texte inscrit s'il n'est pas
    au répertoire (compte d'une version précédente)."""
    if not cible.municipalite:
        return AUCUNE
    region = cible.region if cible.region in regions else None
    reconnue = repertoire().reconnaitre(cible.municipalite, region)
    trouvee = reconnue.municipalite or next(iter(reconnue.ambigues), None)
    return trouvee.code_geographique if trouvee else cible.municipalite


st.title("Comptes")

comptes = lister_comptes(moteur=m)
st.dataframe(
    pd.DataFrame(
        {
            "Courriel": [c.courriel for c in comptes],
            "Nom": [c.nom for c in comptes],
            "Rôle": [LIBELLES_ROLES[c.role].split(" (")[0] for c in comptes],
            "Actif": [c.actif for c in comptes],
            "Municipalité": [
                (c.municipalite or "")
                + (HORS_REPERTOIRE if municipalite_hors_repertoire(c) else "")
                for c in comptes
            ],
            "Région": [_libelle_region(c.region) if c.region else "" for c in comptes],
            "Organisme (NEQ)": [c.neq or "" for c in comptes],
            "Mot de passe provisoire": [c.mot_de_passe_provisoire for c in comptes],
        }
    ),
    hide_index=True,
    width="stretch",
)
a_corriger = [c for c in comptes if municipalite_hors_repertoire(c)]
if a_corriger:
    st.warning(
        "Municipalité absente du répertoire pour "
        + ", ".join(f"{c.nom} (« {c.municipalite} »)" for c in a_corriger)
        + " : la règle des conflits d'intérêts ne la reconnaît pas. Choisissez-la dans la "
        "liste de « Modifier un compte », puis enregistrez.",
        icon=":material/location_off:",
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
        municipalite = st.selectbox(
            "Municipalité (facultatif, pour les conflits d'intérêts)",
            [AUCUNE, *municipalites],
            format_func=_libelle_municipalite,
            key="nouveau_municipalite",
        )
        region = st.selectbox(
            "Région (facultatif : toutes les demandes de la région seront en conflit)",
            [AUCUNE, *regions],
            format_func=_libelle_region,
            key="nouveau_region",
        )
        neq = st.text_input(
            "Organisme (NEQ, facultatif : les demandes de cet organisme seront en conflit)",
            key="nouveau_neq",
            help=AIDE_NEQ,
        )
        mot_de_passe = st.text_input(
            f"Mot de passe provisoire (au moins {LONGUEUR_MIN} caractères)",
            type="password",
            key="nouveau_mot_de_passe",
            help=EXIGENCES_MOT_DE_PASSE,
        )
        if st.form_submit_button("Créer le compte", type="primary"):
            try:
                cree = creer_compte(
                    courriel,
                    role,
                    mot_de_passe,
                    moteur=m,
                    nom=nom,
                    municipalite=municipalite or None,
                    region=region or None,
                    auteur=compte.courriel,
                    neq=neq or None,
                )
            except ErreurCompte as exc:
                annoncer("nouveau_compte", REFUS, f"Compte non créé : {exc}")
            else:
                annoncer(
                    "nouveau_compte",
                    SUCCES,
                    f"Compte créé pour {cree.courriel} : transmettez-lui son mot de passe "
                    "provisoire par un autre canal ; il le remplacera à sa première connexion.",
                )
            st.rerun()
    afficher_message("nouveau_compte")

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
    inscrite = _code_inscrit(cible)
    if municipalite_hors_repertoire(cible):
        st.warning(
            f"« {cible.municipalite} » n'est pas au répertoire des municipalités du Québec : "
            "choisissez la municipalité dans la liste, puis enregistrez.",
            icon=":material/location_off:",
        )
    options_municipalites = [AUCUNE, *municipalites]
    if inscrite not in options_municipalites:
        options_municipalites.insert(1, inscrite)
    options_regions = [AUCUNE, *regions]
    if cible.region and cible.region not in regions:
        options_regions.insert(1, cible.region)
    with st.form(f"modifier_{choisi}", border=False):
        nouveau_role = st.selectbox(
            "Rôle", ROLES, index=ROLES.index(cible.role), format_func=LIBELLES_ROLES.get
        )
        actif = st.checkbox("Compte actif", value=cible.actif)
        nouvelle_municipalite = st.selectbox(
            "Municipalité",
            options_municipalites,
            index=options_municipalites.index(inscrite),
            format_func=_libelle_municipalite,
        )
        nouvelle_region = st.selectbox(
            "Région",
            options_regions,
            index=options_regions.index(cible.region or AUCUNE),
            format_func=_libelle_region,
        )
        nouveau_neq = st.text_input("Organisme (NEQ)", value=cible.neq or "", help=AIDE_NEQ)
        nouveau_mdp = st.text_input(
            "Nouveau mot de passe provisoire (laisser vide pour le garder)",
            type="password",
            help=EXIGENCES_MOT_DE_PASSE,
        )
        if st.form_submit_button("Enregistrer"):
            try:
                if nouveau_mdp and (
                    problemes := problemes_mot_de_passe(nouveau_mdp, courriel=choisi, nom=cible.nom)
                ):
                    raise ErreurCompte("mot de passe refusé : " + ", ".join(problemes) + ".")
                modifier_compte(
                    choisi,
                    moteur=m,
                    auteur=compte.courriel,
                    role=nouveau_role,
                    actif=actif,
                    # Inchangée : le nom inscrit, qui n'est pas revérifié.
                    municipalite=(
                        cible.municipalite
                        if nouvelle_municipalite == inscrite
                        else nouvelle_municipalite or None
                    ),
                    region=nouvelle_region or None,
                    neq=nouveau_neq or None,
                )
                if nouveau_mdp:
                    changer_mot_de_passe(choisi, nouveau_mdp, moteur=m, auteur=compte.courriel)
            except ErreurCompte as exc:
                annoncer("modifier_compte", REFUS, f"Compte non modifié : {exc}")
            else:
                annoncer("modifier_compte", SUCCES, f"Compte {choisi} enregistré.")
            st.rerun()
    afficher_message("modifier_compte")
