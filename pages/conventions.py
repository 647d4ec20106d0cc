"""Conventions et versements (issue 17, point 4) : pour chaque demande financée, la date de
la convention, les versements prévus et faits par année financière, l'échéance du rapport
financier et narratif ; les rapports en retard en haut. L'administration inscrit, la
présidence et les observateurs consultent (`droits.GERER_CONVENTIONS`)."""

import pandas as pd
import streamlit as st

from evaluation.decision import conventions
from evaluation.decision import suivi_financier as regles
from evaluation.socle import droits, stockage
from evaluation.socle.formats import FORMAT_DATE_SAISIE, date, montant, pluriel
from evaluation.socle.texte import SAISIE_MAX, litteral
from pages.composants.commun import appel_actif, moteur
from pages.composants.connexion import exiger_acces
from pages.composants.erreurs import oublier_version, version_a_l_ouverture
from pages.composants.messages import REFUS, SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message
from pages.composants.montants import champ_montant

compte = exiger_acces("conventions")
appel = appel_actif()
m = moteur()
aujourd_hui = stockage.maintenant().date()
suivi = conventions.suivi(appel, moteur=m, au=aujourd_hui)
table = suivi.tableau
annees = regles.colonnes_annees(appel)

st.title("Conventions et versements")
st.caption(
    "Pour chaque demande financée (retenue par la décision du ministère) : la convention "
    "signée, les versements prévus (le montant accordé de chaque année financière) et faits, "
    "et le "
    "rapport financier et narratif que l'appel exige (« Les organisations dont les projets "
    "auront été sélectionnés s'engagent à produire un rapport financier et narratif sur le "
    "projet financé »). " + regles.lecture_echeance(appel)
)

if table.empty:
    st.info(
        "Aucune demande financée pour l'instant : le suivi commence avec la décision du "
        "ministère (page Décision du ministère).",
        icon=":material/info:",
    )
    st.stop()

# --- Versements à régulariser, en tout premier ------------------------------------------
# Interprétation (pratique du ministère) : le ministère peut réduire ou retirer une somme
# déjà versée (il « conserve […] la responsabilité […] de la détermination des sommes ») ;
# l'excédent versé est à régulariser avant tout le reste.
regulariser = regles.a_regulariser(table)
if not regulariser.empty:
    st.subheader("Versements à régulariser")
    st.error(
        pluriel(
            len(regulariser),
            "dossier a reçu plus que ce que la décision du ministère accorde",
            "dossiers ont reçu plus que ce que la décision du ministère accorde",
        )
        + " : trop-payé à récupérer, ou décision à revoir (page Décision du ministère).",
        icon=":material/currency_exchange:",
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Demande": regulariser["no_demande"],
                "Statut": regulariser["statut"],
                "Versé": regulariser["total_verse"].map(montant),
                "Accordé": regulariser["total_prevu"].map(montant),
                "Trop-payé": regulariser["excedent"].map(montant),
                "Titre": regulariser["titre"],
            }
        ),
        hide_index=True,
        key="tableau_regulariser",
        column_config={"Titre": st.column_config.TextColumn(width="medium")},
    )

# --- Rapports en retard, en haut --------------------------------------------------------
retards = suivi.en_retard
st.subheader(f"Rapports en retard au {date(aujourd_hui)}")
if retards.empty:
    st.success("Aucun rapport en retard.", icon=":material/check_circle:")
else:
    st.error(
        pluriel(
            len(retards),
            "rapport financier et narratif en retard",
            "rapports financiers et narratifs en retard",
        )
        + f" ; le plus ancien : {litteral(retards['no_demande'].iloc[0])}, "
        + pluriel(int(retards["retard_jours"].iloc[0]), "jour")
        + " de retard.",
        icon=":material/schedule:",
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Demande": retards["no_demande"],
                "Titre": retards["titre"],
                "Municipalité": retards["municipalite"],
                "Rapport dû le": retards["echeance_rapport"].map(date),
                "Retard": retards["retard_jours"].map(lambda j: pluriel(int(j), "jour")),
                "Échéance fixée par": retards["echeance_source"],
            }
        ),
        hide_index=True,
        key="tableau_retards",
        column_config={"Titre": st.column_config.TextColumn(width="medium")},
    )

# --- Tous les dossiers ------------------------------------------------------------------
st.subheader("Dossiers suivis")
signees = int(table["date_signature"].notna().sum())
c1, c2, c3, c4 = st.columns(4)
c1.metric("Demandes suivies", len(table))
c2.metric("Conventions signées", f"{signees} sur {len(table)}")
c3.metric("Versé", montant(int(table["total_verse"].sum())))
c4.metric("Reste à verser", montant(int(table["reste"].clip(lower=0).sum())))
st.caption(
    "Prévu : le montant accordé de chaque année financière ("
    + " ; ".join(f"{e.libelle} : du {date(e.debut)} au {date(e.fin)}" for e, _, _ in annees)
    + "). Un versement ne dépasse jamais le montant accordé de son année : le ministère "
    "« conserve […] la responsabilité […] de la détermination des sommes ». Si la décision "
    "est réduite après des versements, l'excédent est un trop-payé à régulariser."
)
# L'état d'abord, les montants ensuite, le titre (long) en dernier : tout se lit sans défiler.
lisible = {
    "Demande": table["no_demande"],
    "Municipalité": table["municipalite"],
    "Statut": table["statut"],
    "Convention signée le": table["date_signature"].map(date),
}
for e, prevu, verse in annees:
    lisible[f"Prévu {e.libelle}"] = table[prevu].map(montant)
    lisible[f"Versé {e.libelle}"] = table[verse].map(montant)
lisible["Reste à verser"] = table["reste"].clip(lower=0).map(montant)
lisible["Trop-payé"] = table["trop_paye"].map(montant)
lisible["Rapport dû le"] = table["echeance_rapport"].map(date)
lisible["Rapport reçu le"] = table["rapport_recu"].map(date)
lisible["Titre"] = table["titre"]
st.dataframe(
    pd.DataFrame(lisible),
    hide_index=True,
    key="tableau_suivi",
    column_config={"Titre": st.column_config.TextColumn(width="large")},
)

# --- Inscrire ---------------------------------------------------------------------------
if not droits.peut_gerer_conventions(compte.role):
    st.caption(
        "L'administration inscrit conventions, versements et rapports ; vous consultez le suivi."
    )
    st.stop()

st.subheader("Inscrire")
par_id = table.set_index("demande_id")
choix = st.selectbox(
    "Demande",
    par_id.index.tolist(),
    format_func=lambda i: f"{par_id.loc[i, 'no_demande']} — {par_id.loc[i, 'titre']}",
    key="cv_demande",
)
ligne = par_id.loc[choix]
versions = suivi.versions[int(choix)]
st.caption(
    f"{litteral(ligne['no_demande'])} · {litteral(ligne['municipalite'])} · statut : "
    f"{ligne['statut']} · rapport dû le {date(ligne['echeance_rapport'])} "
    f"({ligne['echeance_source']})"
)
gauche, milieu, droite = st.columns(3)


def _enregistrer(controle: str, formulaire: str, action, succes: str) -> None:
    """Appelle `action`, annonce son succès ou son refus sous le bouton `controle`."""
    oublier_version(formulaire)
    try:
        action()
    except conventions.ErreurSuivi as exc:
        annoncer(controle, REFUS, f"Refusé : {exc}")
    else:
        annoncer(controle, SUCCES, succes)
    st.rerun()


with gauche.container(border=True):
    st.markdown("**Convention**")
    formulaire = f"cv::{choix}"
    version = version_a_l_ouverture(formulaire, versions["convention"])
    signature = st.date_input(
        "Signée le",
        value=ligne["date_signature"] or aujourd_hui,
        max_value=aujourd_hui,
        format=FORMAT_DATE_SAISIE,
        key=f"cv_signature::{choix}",
    )
    fixe = st.checkbox(
        "La convention fixe l'échéance du rapport",
        value=ligne["echeance_source"] == regles.PAR_CONVENTION,
        key=f"cv_fixe::{choix}",
    )
    echeance = (
        st.date_input(
            "Rapport dû le",
            value=ligne["echeance_rapport"],
            format=FORMAT_DATE_SAISIE,
            key=f"cv_echeance::{choix}",
        )
        if fixe
        else None
    )
    note = st.text_input("Note (facultative)", key=f"cv_note::{choix}", max_chars=SAISIE_MAX)
    if st.button("Enregistrer la convention", key="cv_enregistrer"):
        _enregistrer(
            "cv_enregistrer",
            formulaire,
            lambda: conventions.enregistrer_convention(
                appel,
                int(choix),
                signature,
                echeance_rapport=echeance,
                note=note,
                moteur=m,
                auteur=compte.courriel,
                role=compte.role,
                version_attendue=version,
            ),
            f"Convention de {ligne['no_demande']} signée le {date(signature)} : inscrite.",
        )
    afficher_message("cv_enregistrer")

with milieu.container(border=True):
    st.markdown("**Versement fait**")
    formulaire = f"vs::{choix}"
    version = version_a_l_ouverture(formulaire, versions["versements"])
    exercices = {e.annee: e for e, _, _ in annees}
    annee = st.selectbox(
        "Année financière",
        list(exercices),
        format_func=lambda a: (
            f"{exercices[a].libelle} (reste "
            f"{montant(int(ligne[f'prevu_an{a}'] - ligne[f'verse_an{a}']))} sur "
            f"{montant(int(ligne[f'prevu_an{a}']))})"
        ),
        key=f"vs_annee::{choix}",
    )
    reste = int(ligne[f"prevu_an{annee}"] - ligne[f"verse_an{annee}"])
    cents = champ_montant("Montant versé ($)", max(reste, 0), key=f"vs_montant::{choix}::{annee}")
    le = st.date_input(
        "Versé le",
        value=aujourd_hui,
        max_value=aujourd_hui,
        format=FORMAT_DATE_SAISIE,
        key=f"vs_date::{choix}",
    )
    note_v = st.text_input("Note (facultative)", key=f"vs_note::{choix}", max_chars=SAISIE_MAX)
    if st.button("Enregistrer le versement", key="vs_enregistrer", disabled=cents is None):
        _enregistrer(
            "vs_enregistrer",
            formulaire,
            lambda: conventions.enregistrer_versement(
                appel,
                int(choix),
                int(annee),
                cents,
                le,
                note=note_v,
                moteur=m,
                auteur=compte.courriel,
                role=compte.role,
                version_attendue=version,
            ),
            f"Versement de {montant(cents)} à {ligne['no_demande']} pour "
            f"{exercices[annee].libelle} : inscrit.",
        )
    afficher_message("vs_enregistrer")

with droite.container(border=True):
    st.markdown("**Rapport financier et narratif reçu**")
    formulaire = f"rp::{choix}"
    version = version_a_l_ouverture(formulaire, versions["rapport"])
    recu = st.date_input(
        "Reçu le",
        value=ligne["rapport_recu"] or aujourd_hui,
        max_value=aujourd_hui,
        format=FORMAT_DATE_SAISIE,
        key=f"rp_date::{choix}",
    )
    note_r = st.text_input("Note (facultative)", key=f"rp_note::{choix}", max_chars=SAISIE_MAX)
    if st.button("Enregistrer la réception", key="rp_enregistrer"):
        _enregistrer(
            "rp_enregistrer",
            formulaire,
            lambda: conventions.enregistrer_rapport(
                appel,
                int(choix),
                recu,
                note=note_r,
                moteur=m,
                auteur=compte.courriel,
                role=compte.role,
                version_attendue=version,
            ),
            f"Rapport de {ligne['no_demande']} reçu le {date(recu)} : inscrit.",
        )
    afficher_message("rp_enregistrer")

st.caption(
    "Chaque inscription est journalisée (page Journal, « Conventions et versements ») ; une "
    "inscription faite d'après une page périmée (un autre onglet a inscrit entre-temps) est "
    "refusée."
)
