"""Journal : qui a changé quelle note, quel commentaire, quelle attribution, quand, avec
l'ancienne et la nouvelle valeur. Lecture seule (le journal ne s'écrit qu'en ajout)."""

import datetime as dt

import streamlit as st

from evaluation.socle import journal, stockage
from evaluation.socle.formats import FORMAT_DATE_SAISIE, date_heure, date_heure_fichier, pluriel
from pages.composants.commun import appel_actif, moteur
from pages.composants.connexion import exiger_acces
from pages.composants.telechargements import telecharger_csv

compte = exiger_acces("journal")
appel = appel_actif()

with moteur().connect() as connexion:
    brut = stockage.lire_journal(connexion=connexion, appel_id=appel.id)
    demandes = stockage.lire_demandes(appel.id, connexion=connexion, avec_retirees=True)
numeros = dict(zip(demandes["id"].astype(int), demandes["no_demande"], strict=True))

st.title("Journal")
st.caption(
    "Chaque changement de note, de commentaire, d'admissibilité, d'attribution, de conflit "
    "d'intérêts, de réglage ou de compte, avec son auteur et sa date. Rien ne s'y efface."
)
if brut.empty:
    st.info("Aucun changement inscrit pour cet appel.")
    st.stop()

f1, f2, f3 = st.columns(3)
categories = f1.multiselect(
    "Objet",
    sorted({journal.categorie(o) for o in brut["objet"]}),
    key="journal_categories",
    placeholder="Tous",
    select_all=False,
)
auteurs = f2.multiselect(
    "Auteur",
    sorted(set(brut["auteur"])),
    key="journal_auteurs",
    placeholder="Tous",
    select_all=False,
)
evaluateurs = f3.multiselect(
    "Évaluateur",
    sorted({e for e in brut["evaluateur"] if isinstance(e, str)}),
    key="journal_evaluateurs",
    placeholder="Tous",
    select_all=False,
)
f4, f5 = st.columns([2, 1])
choix_demandes = f4.multiselect(
    "Demande",
    sorted({int(d) for d in brut["demande_id"].dropna()}, key=lambda d: numeros.get(d, "")),
    format_func=lambda d: numeros.get(d, str(d)),
    key="journal_demandes",
    placeholder="Toutes",
    select_all=False,
)
premiere = min(brut["date"]).date()
periode = f5.date_input(
    "Période",
    value=(premiere, dt.date.today()),
    format=FORMAT_DATE_SAISIE,
    key="journal_periode",
)
debut, fin = (periode[0], periode[-1]) if periode else (None, None)
filtre = journal.filtrer(
    brut,
    auteurs=auteurs,
    evaluateurs=evaluateurs,
    categories=categories,
    demandes=choix_demandes,
    debut=debut,
    fin=fin,
)
st.caption(f"{pluriel(len(filtre), 'changement')} sur {len(brut)}.")
table = journal.lisible(filtre, appel, numeros, date=date_heure)
# La date se lit à la québécoise (« 29 novembre 2026 à 17 h 22 ») : une colonne de texte,
# le plus récent en premier. La colonne de dates de Streamlit (DatetimeColumn, formats
# momentJS) n'écrit les mois qu'en anglais ; voir le README, « Interface en français ».
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=560,
    column_config={
        "Date": st.column_config.TextColumn(width="medium"),
        "Demande": st.column_config.TextColumn(width="small"),
        "Auteur": st.column_config.TextColumn(width="small"),
        "Évaluateur": st.column_config.TextColumn(width="small"),
    },
)
telecharger_csv(
    st,
    "le journal",
    lambda decimale: journal.lisible(
        filtre, appel, numeros, date=date_heure_fichier, decimale=decimale
    ),
    nom=f"journal-{appel.id}",
    cle="journal_csv",
)
