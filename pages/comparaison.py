"""Comparaison des appels (gestion) : demandes, financement (ligne, comité, ministère), répartitions
côte à côte sur toute dimension (appariée par libellé d'un programme à l'autre),
municipalités financées plusieurs années de suite. Les calculs sont dans
evaluation/appels/comparaison.py."""

from functools import partial

import pandas as pd
import plotly.express as px
import streamlit as st

from evaluation.appels import comparaison
from evaluation.decision import classement
from evaluation.socle.formats import en_lignes, montant, nombre, pourcentage
from evaluation.socle.texte import litteral, litteral_html
from pages.composants.commun import (
    appels_archives,
    appels_disponibles,
    bandeau_reglages,
    donnees_classement,
)
from pages.composants.connexion import exiger_acces
from pages.composants.francais import CONFIG_PLOTLY
from pages.composants.telechargements import telecharger_csv

exiger_acces("comparaison")
st.title("Comparaison des appels")

appels = appels_disponibles()
archives = appels_archives()
choisis = st.multiselect(
    "Appels comparés",
    options=list(appels),
    default=list(appels),
    format_func=lambda i: appels[i].nom_court + (" (archivé)" if i in archives else ""),
    key="comparaison_appels",
    placeholder="Aucun appel choisi",
    select_all=False,
)
if not choisis:
    st.info("Choisissez au moins un appel.")
    st.stop()

paires = []
for i in choisis:
    appel = appels[i]
    bandeau_reglages(appel, prefixe=f"{appel.nom_court} : ")
    paires.append((appel, classement.classement(appel, donnees_classement(appel))))

resume = comparaison.synthese(paires)
st.dataframe(
    pd.DataFrame(
        {
            "Appel": resume["appel"],
            "Année": resume["annee"].astype(str),
            "Demandes": resume["demandes"],
            "Évaluées": resume["evaluees"],
            "Enveloppe, toutes années": [montant(int(v)) for v in resume["enveloppe"]],
        }
    ),
    hide_index=True,
    width="stretch",
)
# Issue 19 : les trois façons de compter « financé », côte à côte et nommées comme dans les
# pages Classement, Séance, Portefeuille et Décision du ministère.
finance = comparaison.financement_par_appel(paires)
st.dataframe(
    pd.DataFrame(
        {
            "Appel": finance["appel"],
            "Financement": finance["quoi"],
            "Demandes": [
                "aucune décision" if pd.isna(n) else nombre(int(n)) for n in finance["demandes"]
            ],
            "Montant, toutes années": [
                "—" if pd.isna(v) else montant(int(v)) for v in finance["finance"]
            ],
            "Part de l'enveloppe": [
                "—" if pd.isna(p) else pourcentage(p) for p in finance["part_utilisee"]
            ],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={"Financement": st.column_config.TextColumn(width="large")},
    key="comparaison_financement",
)

st.subheader("Répartitions côte à côte")
dimensions = {d.cle: d for d in comparaison.dimensions_comparees(paires)}


def _nom_dimension(cle: str) -> str:
    d = dimensions[cle]
    if d.commune or len(paires) == 1:
        return d.libelle
    presents = [a.nom_court for a, _ in paires if a.id in d.ids]
    return f"{d.libelle} ({', '.join(presents)} seulement)"


cle_dimension = st.selectbox(
    "Répartition par",
    list(dimensions),
    format_func=_nom_dimension,
    key="comparaison_dimension",
    help="Les dimensions et leurs valeurs sont appariées d'un appel à l'autre par leur "
    "libellé (sans égard aux accents, à la casse ni aux espaces).",
)
dimension = dimensions[cle_dimension]
if dimension.absente and len(paires) > 1:
    st.info(
        f"« {litteral(dimension.libelle)} » n'existe pas dans : "
        + ", ".join(litteral(a) for a in dimension.absente)
        + ". Ces appels n'ont pas de colonne ci-dessous."
    )
longue = comparaison.repartitions(paires, dimension)
if longue.empty or not longue["finance"].any():
    st.info("Aucun montant financé dans les appels comparés : rien à répartir encore.")
else:
    # Libellés entiers, coupés en lignes (plus de « … ») : lisibles à 1366 px (issue 19).
    courts = longue["categorie"].map(lambda t: "<br>".join(litteral_html(x) for x in en_lignes(t)))
    graphique = px.bar(
        longue.assign(
            finance_dollars=longue["finance"] / 100,
            court=courts,
            appel=longue["appel"].map(litteral_html),
        ),
        x="finance_dollars",
        y="court",
        color="appel",
        barmode="group",
        orientation="h",
        labels={"finance_dollars": "Financé ($)", "court": "", "appel": "Appel"},
        height=max(320, 40 * longue["cle"].nunique() * max(1, len(paires)) // 2 + 140),
    )
    graphique.update_layout(
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(dict.fromkeys(courts))[::-1],
        },
        separators=", ",
        xaxis={"tickformat": ",.0f", "ticksuffix": " $"},
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    st.plotly_chart(graphique, width="stretch", key="comparaison_graphique", config=CONFIG_PLOTLY)
    tableau = comparaison.cote_a_cote(longue, "finance")
    nombres = comparaison.cote_a_cote(longue, "financees")
    affiche = pd.DataFrame(index=tableau.index)
    for colonne in tableau.columns:
        affiche[f"{colonne} : financées"] = nombres[colonne].astype(int)
        affiche[f"{colonne} : montant"] = [montant(int(v)) for v in tableau[colonne]]
    # Un tableau statique : les libellés longs des axes passent à la ligne, rien n'est coupé
    # à 1366 px (issue 19).
    st.table(affiche.rename_axis(dimension.libelle))
    st.caption(
        "« financées », « montant » : toutes années ; "
        + " ; ".join(
            f"{litteral(a.nom_court)} : selon {comparaison.libelle_selon(t)}" for a, t in paires
        )
        + " (la décision du ministère quand il a décidé, sinon la recommandation du comité, "
        "sinon la ligne de financement d'après le classement)."
    )
    telecharger_csv(
        st,
        "la répartition",
        partial(comparaison.repartitions_pour_fichier, longue, dimension.libelle),
        nom=f"comparaison_{next(iter(dimension.ids.values()))}",
        cle="comparaison_csv",
    )

st.subheader("Municipalités financées plusieurs fois")
recurrentes = comparaison.municipalites_recurrentes(paires)
if recurrentes.empty:
    st.info("Aucune municipalité n'est financée dans plus d'un des appels comparés.")
else:
    st.dataframe(
        recurrentes.rename(
            columns={
                "municipalite": "Municipalité",
                "appels_finances": "Appels financés",
                "appels": "Appels",
                "annees_consecutives": "Années consécutives",
            }
        ),
        hide_index=True,
        width="stretch",
    )
