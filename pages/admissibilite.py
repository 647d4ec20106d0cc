"""Admissibilité : l'examen de chaque demande selon la liste de l'appel, avant la notation.

L'analyste répond à chaque condition (oui, non avec une raison, à vérifier) ; les doutes
signalés par les évaluateurs s'y règlent (analyste ou présidence) ; la présidence peut
renverser un examen, avec une raison. Les règles sont dans `evaluation.notes.filtrage`,
les écritures (journalisées) dans `evaluation.notes.examens`.
"""

import pandas as pd
import streamlit as st

from evaluation.appels import demandeur
from evaluation.depot import echeance
from evaluation.notes import examens, filtrage
from evaluation.notes.filtrage import (
    A_ETABLIR,
    ADMISSIBLE,
    INADMISSIBLE,
    LIBELLES_VERDICTS,
    PEUVENT_EXAMINER,
    PEUVENT_REGLER,
    PEUVENT_RENVERSER,
    REPONSES,
    SUITES,
    ErreurFiltrage,
    Reponse,
)
from evaluation.socle import stockage
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.formats import date, date_heure, pluriel
from evaluation.socle.texte import litteral
from pages.composants.commun import appel_actif, moteur
from pages.composants.connexion import exiger_acces
from pages.composants.messages import SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message

compte = exiger_acces("admissibilite")
appel = appel_actif()
m = moteur()

st.title("Admissibilité")
st.caption(
    "Chaque demande est examinée selon la liste de l'appel avant d'être attribuée et notée : "
    "seule une demande jugée admissible se note. Une demande pas encore examinée, ou dont "
    "une condition reste à vérifier, a le statut « admissibilité à établir » : elle n'est ni "
    "notée, ni classée, ni financée."
)

with m.connect() as connexion:
    demandes = stockage.lire_demandes_en_bref(
        appel.id, ["id", "no_demande", "titre", "municipalite", "organisme"], connexion=connexion
    )
etat = examens.charger(appel.id, moteur=m)
noms = {c.courriel: c.nom for c in lister_comptes(moteur=m)}

if demandes.empty:
    st.info("Aucune demande dans cet appel : importez-les d'abord (page Importation).")
    st.stop()

ids = demandes["id"].astype(int).tolist()
etats = [etat.etat(d) for d in ids]
ouverts = {d: etat.ouverts(d) for d in ids}
c1, c2, c3, c4 = st.columns(4)
c1.metric("Admissibles", sum(e.verdict == ADMISSIBLE for e in etats))
c2.metric("Inadmissibles", sum(e.verdict == INADMISSIBLE for e in etats))
c3.metric("Admissibilité à établir", sum(e.verdict == A_ETABLIR for e in etats))
c4.metric("Signalements à régler", sum(len(s) for s in ouverts.values()))

liste = pd.DataFrame(
    {
        "Demande": demandes["no_demande"].tolist(),
        "Titre": demandes["titre"].fillna("").tolist(),
        "Demandeur": demandeur.colonne_noms(appel, demandes),
        "Admissibilité": [e.libelle for e in etats],
        "Raison": [filtrage.raison_affichee(e, appel) for e in etats],
        "Signalements à régler": [len(ouverts[d]) for d in ids],
        "Examinée par": [noms.get(e.auteur, e.auteur) for e in etats],
        "Le": [date(e.date.date()) if e.date else "" for e in etats],
    }
)
filtre = st.segmented_control(
    "Afficher",
    ["Toutes", "À établir", "Signalées", "Inadmissibles", "Admissibles"],
    default="Toutes",
    key="adm_filtre",
)
garde = {
    "À établir": liste["Admissibilité"] == LIBELLES_VERDICTS[A_ETABLIR],
    "Signalées": liste["Signalements à régler"] > 0,
    "Inadmissibles": liste["Admissibilité"] == LIBELLES_VERDICTS[INADMISSIBLE],
    "Admissibles": liste["Admissibilité"] == LIBELLES_VERDICTS[ADMISSIBLE],
}.get(filtre or "Toutes", pd.Series(True, index=liste.index))
st.dataframe(liste[garde], hide_index=True, width="stretch")

numeros = dict(zip(ids, demandes["no_demande"], strict=True))
d = st.selectbox(
    "Demande à examiner",
    ids,
    format_func=lambda i: f"{numeros[i]} — {etat.etat(i).libelle}",
    key="adm_demande",
)
with m.connect() as connexion:
    demande = stockage.lire_demande(d, connexion=connexion) or {}
    dernier = stockage.lire_examen(d, connexion=connexion)
courant = etat.etat(d)

st.subheader(litteral(f"{demande.get('no_demande', d)} — {demande.get('titre') or ''}"))
qui = demandeur.demandeur(appel, demande)
st.markdown(
    f"**Demandeur :** {litteral(qui.description if appel.demandeur_organisme else qui.nom)} · "
    f"**Admissibilité :** {courant.libelle}"
    + (f" ({litteral(filtrage.raison_affichee(courant, appel))})" if courant.raison else "")
)
# Dépôt : date de dépôt et retard sur la date limite (autre volet de l'issue 15), à
# afficher ici pour que l'analyste en tienne compte.
with st.container(key="adm_depot"):
    depot = echeance.depot(demande, appel)
    if depot.etat in (echeance.EN_RETARD, echeance.A_VERIFIER):
        st.warning(f"**Dépôt :** {depot.texte()}", icon=":material/schedule:")
    else:
        st.caption(f"Dépôt : {depot.texte()}")

historique = examens.historique(d, moteur=m)
if historique:
    with st.expander(f"Historique de l'examen ({pluriel(len(historique), 'ligne')})"):
        for e in reversed(historique):
            st.markdown(
                f"- {date_heure(e.date)} · {litteral(noms.get(e.auteur, e.auteur))} · "
                f"{e.nature} · **{e.libelle}**" + (f" — {litteral(e.raison)}" if e.raison else "")
            )


def _enregistrer(action, succes: str, controle: str) -> None:
    """L'action d'un formulaire : son refus ici, dans le formulaire ; son succès sous le
    formulaire (`controle`), après la réexécution."""
    try:
        action()
    except ErreurFiltrage as exc:
        st.error(str(exc), icon=":material/error:")
        return
    annoncer(controle, SUCCES, succes)
    st.rerun()


# --- Signalements des évaluateurs --------------------------------------------------------
for s in ouverts[d]:
    with st.container(border=True):
        st.markdown(
            f"**Doute signalé par {litteral(noms.get(s['evaluateur'], s['evaluateur']))}** "
            f"({date_heure(s['date'])}) : {litteral(s['raison'])}"
        )
        if compte.role in PEUVENT_REGLER:
            with st.form(f"adm_regler_{s['id']}"):
                suite = st.radio("Suite", SUITES, horizontal=True, key=f"adm_suite_{s['id']}")
                raison = st.text_input("Raison", key=f"adm_raison_suite_{s['id']}")
                if st.form_submit_button("Régler le signalement", key=f"adm_regler_btn_{s['id']}"):
                    _enregistrer(
                        lambda s=s, suite=suite, raison=raison: examens.regler(
                            appel, s["id"], suite, raison, moteur=m, auteur=compte.courriel
                        ),
                        "Signalement réglé.",
                        "adm_regler",
                    )
        else:
            st.caption("Réglé par l'analyste ou la présidence.")
afficher_message("adm_regler")

# --- Liste de l'appel, condition par condition ---------------------------------------------
if compte.role in PEUVENT_EXAMINER:
    precedentes = courant.reponses or {}
    suggerees = filtrage.reponses_suggerees(demande, appel)
    version = dernier["id"] if dernier else 0
    with st.form(f"adm_examen_{d}_{version}"):
        st.markdown("**Liste de l'appel**")
        if not precedentes:
            st.caption("Pré-remplie d'après le fichier importé : vérifiez chaque réponse.")
        reponses = {}
        for c in appel.conditions:
            depart = precedentes.get(c.id) or suggerees.get(c.id) or Reponse()
            st.markdown(litteral(c.libelle))
            if c.interpretation:
                appui = f" Phrase en appui : « {litteral(c.citation)} »" if c.citation else ""
                st.caption(f"Lecture retenue : {litteral(c.lecture.rstrip(' .'))}.{appui}")
            elif c.citation:
                st.caption(f"L'appel : « {litteral(c.citation)} »")
            col1, col2 = st.columns([2, 3])
            choix = col1.radio(
                c.libelle,
                REPONSES,
                index=REPONSES.index(depart.reponse) if depart.reponse in REPONSES else 2,
                horizontal=True,
                label_visibility="collapsed",
                key=f"adm_rep_{d}_{version}_{c.id}",
            )
            raison = col2.text_input(
                "Raison (obligatoire pour « non »)",
                value=depart.raison,
                key=f"adm_raison_{d}_{version}_{c.id}",
            )
            reponses[c.id] = Reponse(choix, raison.strip())
        if st.form_submit_button("Enregistrer l'examen", type="primary", key="adm_enregistrer"):
            _enregistrer(
                lambda: examens.examiner(
                    appel,
                    d,
                    reponses,
                    moteur=m,
                    auteur=compte.courriel,
                    dernier_examen_lu=version,
                ),
                f"Examen de {numeros[d]} enregistré : "
                f"{LIBELLES_VERDICTS[filtrage.verdict(reponses, appel)]}.",
                "adm_enregistrer",
            )
    afficher_message("adm_enregistrer")

# --- Renversement par la présidence --------------------------------------------------------
if compte.role in PEUVENT_RENVERSER:
    with st.form(f"adm_renverser_{d}"):
        st.markdown("**Renverser l'examen** (présidence du comité)")
        nouveau = st.radio(
            "La demande devient",
            [ADMISSIBLE, INADMISSIBLE],
            format_func=LIBELLES_VERDICTS.get,
            horizontal=True,
            key=f"adm_nouveau_{d}",
        )
        raison = st.text_area("Raison du renversement", key=f"adm_raison_renversement_{d}")
        if st.form_submit_button("Renverser l'examen", key="adm_renverser"):
            _enregistrer(
                lambda: examens.renverser(
                    appel, d, nouveau, raison, moteur=m, auteur=compte.courriel
                ),
                f"Examen de {numeros[d]} renversé : {LIBELLES_VERDICTS[nouveau]}.",
                "adm_renverser",
            )
    afficher_message("adm_renverser")
