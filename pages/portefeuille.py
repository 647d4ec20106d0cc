"""Portefeuille : le budget face à l'enveloppe, les répartitions par axe, secteur, région,
pays, type de projet et chaque dimension que l'appel déclare, les cibles d'équilibre, la
meilleure sélection sous l'enveloppe, la solidité de la ligne de financement et, pour la
présidence, le panel d'évaluateurs."""

from functools import partial

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from evaluation.appels.configuration import LIBELLES_OBJECTIF_SELECTION
from evaluation.decision import classement, decisions, financement, notation, portefeuille
from evaluation.depot.municipalites import repertoire
from evaluation.socle import formats
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.formats import montant, pluriel, pourcentage
from evaluation.socle.roles import ADMIN, PRESIDENT
from evaluation.socle.texte import SAISIE_MAX, litteral, litteral_html
from pages.composants.commun import (
    afficher_accord_du_panel,
    appel_actif,
    bandeau_reglages,
    classement_calcule,
    moteur,
    par_valeur,
)
from pages.composants.commun import solidite as solidite_par_demande
from pages.composants.connexion import exiger_acces
from pages.composants.declarations import declarations_acceptees
from pages.composants.erreurs import oublier_version, version_a_l_ouverture
from pages.composants.francais import CONFIG_PLOTLY
from pages.composants.messages import REFUS, SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message
from pages.composants.telechargements import telecharger_csv
from pages.composants.tirage import section_tirage

compte = exiger_acces("portefeuille")
appel = appel_actif()
m = moteur()
presidence = compte.role in (ADMIN, PRESIDENT)
calcul = classement_calcule(appel)
donnees, table = calcul.donnees, calcul.table
annees = financement.nombre_annees(appel)
periodes = [f"{d.year}-{f.year}" for d, f in appel.financement.annees_financieres()[:annees]]

st.title("Portefeuille")
bandeau_reglages(appel)
if table.empty:
    st.info("Aucune demande importée pour cet appel.")
    st.stop()


def argent(v) -> str:
    return "" if pd.isna(v) else montant(int(v))


def part(v) -> str:
    return "" if pd.isna(v) else pourcentage(float(v))


# --- 1. Budget ----------------------------------------------------------------------------
st.subheader("Budget")
b = portefeuille.budget(table, appel)
jauges = st.columns(annees)
for a, colonne in enumerate(jauges):
    ligne = b.iloc[a]
    figure = go.Figure(
        go.Indicator(
            mode="number+gauge",
            value=ligne["recommande"] / 100,
            number={"valueformat": ",.0f", "suffix": " $"},
            title={"text": periodes[a]},
            gauge={
                "shape": "bullet",
                "axis": {
                    "range": [0, max(ligne["enveloppe"], ligne["demande"]) / 100],
                    "tickformat": ",.0f",
                },
                "threshold": {"value": ligne["enveloppe"] / 100, "line": {"color": "red"}},
                "steps": [{"range": [0, ligne["accorde"] / 100], "color": "#cfe3d4"}],
                "bar": {"color": "#1f4e79"},
            },
        )
    )
    figure.update_layout(height=140, margin={"l": 120, "r": 30, "t": 20, "b": 20}, separators=", ")
    colonne.plotly_chart(figure, width="stretch", key=f"jauge_{a}", config=CONFIG_PLOTLY)
st.caption(
    f"Barre : {portefeuille.NOTIONS[portefeuille.LIGNE].lower()} ; trait rouge : l'enveloppe ; "
    f"fond vert : {portefeuille.NOTIONS[portefeuille.DECISIONS].lower()}."
    + (
        f" Le ministère a décidé de {pluriel(decidees_ministere, 'demande', 'demandes')}."
        if (decidees_ministere := int((table["decision_ministere"].fillna("") != "").sum()))
        else " Le ministère n'a encore rien décidé."
    )
)
# Issue 19 : le même tableau « Financement » que Classement, Séance et Décision du ministère.
st.table(portefeuille.bilan(table, appel))
st.caption(
    "Demandé, toutes les demandes : "
    + " · ".join(f"{i} : {argent(v)}" for i, v in b["demande"].items() if i != "Total")
    + f" · {portefeuille.TOUTES_ANNEES.lower()} : {argent(b['demande'].loc['Total'])}."
)
# Projet conjoint : une notion d'entités municipales (« plusieurs acteurs municipaux ») ;
# rien à montrer pour un appel d'organismes, et pas de bonification pour un appel qui n'en
# prévoit pas (issue 18).
municipal = not appel.demandeur_organisme
if municipal:
    types = portefeuille.conjoints(table, appel)
    colonnes_types = {
        "Type de projet": types.index,
        "Demandes": types["demandes"],
        f"{portefeuille.NOTIONS[portefeuille.LIGNE]} : demandes": types["financees"],
        f"{portefeuille.NOTIONS[portefeuille.LIGNE]} : montant, toutes années": types[
            "finance"
        ].map(argent),
    }
    if appel.financement.bonification_conjoint_max > 0:
        colonnes_types["Bonification conjointe utilisée"] = types["bonification"].map(argent)
    # Un tableau statique : ses en-têtes longs passent à la ligne au lieu d'être coupés.
    st.table(pd.DataFrame(colonnes_types).set_index("Type de projet"))

# --- 2. Répartitions ------------------------------------------------------------------------
st.subheader("Répartitions")
# Les dimensions de l'appel (l'axe et le secteur s'il en a, la région, chaque dimension
# déclarée), puis les répartitions d'appoint qu'aucune dimension déclarée ne remplace.
DIMENSIONS = portefeuille.dimensions_de(appel)
if appel.secteurs:
    DIMENSIONS.setdefault("secteur_secondaire", "Secteurs secondaires")
DIMENSIONS.setdefault("pays", "Pays des partenaires")
if municipal:
    DIMENSIONS.setdefault("type", "Projet conjoint ou non")
f1, f2, f3, f4 = st.columns(4)
dimension = f1.selectbox(
    "Répartir par",
    list(DIMENSIONS),
    format_func=lambda d: (
        DIMENSIONS[d] + (" (plusieurs par demande)" if portefeuille.est_multiple(appel, d) else "")
    ),
    key="pf_dim",
)
selon = f2.radio(
    "Montants",
    [portefeuille.LIGNE, portefeuille.DECISIONS],
    format_func=portefeuille.NOTIONS.get,
    key="pf_selon",
    horizontal=True,
)
statuts = f3.multiselect(
    "Statut",
    list(classement.ORDRE_STATUTS),
    key="pf_statuts",
    placeholder="Tous",
    select_all=False,
)
annee = f4.selectbox(
    "Année financière",
    [None, *range(1, annees + 1)],
    format_func=lambda a: "Toutes" if a is None else periodes[a - 1],
    key="pf_annee",
)
vue = table[table["statut"].isin(statuts)] if statuts else table
# Un filtre sur les valeurs d'une dimension de l'appel (« les projets qui servent la
# jeunesse », répartis par région) ; une demande à plusieurs valeurs passe si l'une y est.
g1, g2 = st.columns([1, 3])
filtre = g1.selectbox(
    "Seulement les demandes de",
    [None, *portefeuille.dimensions_de(appel)],
    format_func=lambda d: "toutes les demandes" if d is None else DIMENSIONS[d],
    key="pf_filtre_dim",
)
if filtre is not None:
    choix_valeurs = dict(portefeuille.categories(appel, filtre, table))
    choix_valeurs[portefeuille.AUCUNE_VALEUR] = portefeuille.AUCUNE
    retenues = g2.multiselect(
        "Valeurs",
        list(choix_valeurs),
        format_func=choix_valeurs.get,
        key="pf_filtre_valeurs",
        placeholder="Toutes",
        select_all=False,
    )
    vue = vue[portefeuille.ayant_valeurs(vue, appel, filtre, retenues)]
municipalites = repertoire().municipalites
repart = portefeuille.repartition(
    vue,
    appel,
    dimension,
    selon,
    populations=portefeuille.populations_par_region(municipalites)
    if dimension == "region"
    else None,
    annee=annee,
)
lisible = pd.DataFrame(
    {
        DIMENSIONS[dimension]: repart["libelle"],
        "Demandes": repart["demandes"],
        "Financées": repart["financees"],
        "Demandé": repart["demande"].map(argent),
        "Financé": repart["finance"].map(argent),
        "Part de l'enveloppe": repart["part_enveloppe"].map(part),
        "Note moyenne": repart["note_moyenne"].map(lambda v: formats.note(v, "")),
        "Taux de succès": repart["taux_succes"].map(part),
    }
)
if "par_100k" in repart:
    lisible["Financé par 100 000 hab."] = repart["par_100k"].map(argent)
graphique, tableau = st.columns([3, 2])
trie = repart.sort_values("finance")
quoi_repart = f"{portefeuille.NOTIONS[selon].lower()}, " + (
    portefeuille.TOUTES_ANNEES.lower() if annee is None else periodes[annee - 1]
)
if not int(trie["finance"].sum()):
    # Issue 19 : pas d'axe gradué « 0 0 0 1 1 1 » autour de rien.
    graphique.info(f"Aucun montant financé ({quoi_repart}) : rien à montrer dans le graphique.")
else:
    plus_grand = float(trie["finance"].max()) / 100
    figure = px.bar(
        x=trie["finance"] / 100,
        # plotly interprète « <b> », « <a href> » dans ses libellés : texte échappé.
        y=trie["libelle"].map(litteral_html),
        orientation="h",
        labels={"x": "Financé ($)", "y": ""},
        text=[montant(int(v)) if v else "" for v in trie["finance"]],
    )
    figure.update_layout(
        height=max(260, 28 * len(trie) + 80),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        separators=", ",
        # Graduations en dollars entiers : jamais de pas plus fin qu'un dollar.
        xaxis={
            "tickformat": ",.0f",
            "range": [0, plus_grand * 1.3],
            **({"dtick": 1} if plus_grand < 5 else {}),
        },
    )
    figure.update_traces(marker_color="#1f4e79", textposition="outside", cliponaxis=False)
    graphique.plotly_chart(figure, width="stretch", key="pf_barres", config=CONFIG_PLOTLY)
tableau.dataframe(lisible, hide_index=True, width="stretch")
tableau.caption(f"« Financées », « Financé » : {quoi_repart}.")
if portefeuille.est_multiple(appel, dimension):
    somme = float(repart["part_enveloppe"].sum(min_count=1))
    tableau.caption(
        "Une demande à plusieurs valeurs compte dans chacune, avec tout son montant : les "
        "parts de l'enveloppe additionnées peuvent dépasser 100 %"
        + ("" if np.isnan(somme) else f" (ici {pourcentage(somme)})")
        + ". Interprétation : l'appel ne dit pas comment partager un projet entre les valeurs "
        "qu'il sert."
    )
if (repart.index == portefeuille.AUCUNE_VALEUR).any():
    tableau.caption(
        f"« {portefeuille.AUCUNE} » : les demandes qui n'ont aucune valeur dans cette dimension."
    )
telecharger_csv(
    tableau,
    "ce tableau",
    partial(portefeuille.repartition_pour_fichier, repart, DIMENSIONS[dimension]),
    nom=f"{appel.id}_repartition_{dimension}",
    cle="pf_csv",
    cote_a_cote=False,
)
if dimension == "region" and municipal:
    absentes = portefeuille.municipalites_sans_demande(table, municipalites)
    with st.expander(f"Municipalités sans demande ({len(absentes)})"):
        noms = {r.code: r.nom for r in appel.regions}
        par_region = absentes.groupby("region")["municipalite"].agg(["count", list])
        st.dataframe(
            pd.DataFrame(
                {
                    "Région": [noms.get(r, r) for r in par_region.index],
                    "Sans demande": par_region["count"],
                    "Municipalités": [", ".join(sorted(v)) for v in par_region["list"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )
# La carte des montants par axe puis secteur, pour un appel qui en déclare (les deux, ou
# l'un des deux) ; un appel sans axes ni secteurs n'en a pas.
niveaux = {"Axe": "axe", "Secteur": "secteur"}
niveaux = {k: v for k, v in niveaux.items() if v in DIMENSIONS}
arbre = table[portefeuille.selection(table, selon)]
if niveaux and not arbre.empty:
    colonnes_arbre = {}
    if "Axe" in niveaux:
        colonnes_arbre["Axe"] = par_valeur(
            arbre["axe"], lambda a: f"Axe {int(a)}" if not pd.isna(a) else "—"
        )
    if "Secteur" in niveaux:
        colonnes_arbre["Secteur"] = par_valeur(
            arbre["secteur"],
            lambda s: litteral_html(
                next((x.libelle for x in appel.secteurs if x.id == s), s or "—")
            ),
        )
    arbre = pd.DataFrame(
        {**colonnes_arbre, "Financé": portefeuille.montants(arbre, appel, selon).sum(axis=1) / 100}
    )
    # Une feuille par (axe, secteur) : plotly construit la hiérarchie sur une trentaine de
    # lignes au lieu d'une par demande financée (mêmes sommes).
    arbre = arbre.groupby(list(niveaux), as_index=False, sort=False, dropna=False)["Financé"].sum()
    carte = px.treemap(arbre, path=list(niveaux), values="Financé")
    carte.update_layout(height=360, margin={"l": 0, "r": 0, "t": 30, "b": 0}, separators=", ")
    carte.update_traces(texttemplate="%{label}<br>%{value:,.0f} $")
    st.plotly_chart(carte, width="stretch", key="pf_arbre", config=CONFIG_PLOTLY)

# --- 3. Cibles d'équilibre ------------------------------------------------------------------
st.subheader("Cibles d'équilibre")
if not appel.cibles:
    st.caption("L'appel ne fixe aucune cible d'équilibre.")
else:
    ligne = portefeuille.evaluer_cibles(
        table, appel, portefeuille.selection(table), portefeuille.montants(table, appel)
    )
    cibles_decisions = portefeuille.evaluer_cibles(
        table,
        appel,
        portefeuille.selection(table, portefeuille.DECISIONS),
        portefeuille.montants(table, appel, portefeuille.DECISIONS),
    )
    manquees = int((~ligne["respectee"]).sum())
    (st.warning if manquees else st.success)(
        f"Ligne de financement : {pluriel(manquees, 'cible manquée', 'cibles manquées')} sur "
        f"{len(ligne)}."
    )
    noms_dimensions = portefeuille.dimensions_de(appel)
    st.dataframe(
        pd.DataFrame(
            {
                "Cible": ligne["cible"],
                "Dimension": ligne["dimension"].map(lambda d: noms_dimensions.get(d, d)),
                "Valeur": ligne["libelle"],
                "Part (ligne)": ligne["part"].map(lambda v: pourcentage(v / 100)),
                "Financées (ligne)": ligne["nombre"],
                "Respectée (ligne)": ligne["respectee"].map({True: "oui", False: "NON"}),
                "Écart (ligne)": ligne["ecart"],
                "Part (décisions)": cibles_decisions["part"].map(lambda v: pourcentage(v / 100)),
                "Respectée (décisions)": cibles_decisions["respectee"].map(
                    {True: "oui", False: "NON"}
                ),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Cibles d'équilibre fixées pour l'appel (page Paramètres). Sur une dimension à "
        "plusieurs valeurs, une demande financée compte, avec tout son montant, pour chacune "
        "de ses valeurs (interprétation)."
    )

# --- 4. Meilleure sélection -----------------------------------------------------------------
st.subheader("Meilleure sélection dans l'enveloppe")
par_classement = appel.objectif_selection == portefeuille.CLASSEMENT
st.caption(
    (
        "On descend le classement comme la ligne de financement, sous l'enveloppe de chaque "
        "année et les cibles maximales ; une cible minimale manquée fait entrer les mieux "
        "classées de sa catégorie à la place des moins bien classées des autres. Si une "
        "cible reste manquée, un calcul d'optimisation cherche à la manquer moins (et c'est "
        "dit). "
        if par_classement
        else "Un calcul d'optimisation choisit les demandes qui donnent la plus grande somme "
        "des notes pondérées par le montant recommandé, sous l'enveloppe de chaque année et "
        "les cibles d'équilibre (une cible impossible est manquée du moins possible, et "
        "c'est dit). "
    )
    + "Rien ne change dans les décisions tant que la présidence n'adopte pas le scénario.",
    help="Calcul d'optimisation : programme linéaire en nombres entiers (scipy, solveur "
    "HiGHS) qui maximise Σ note × montant recommandé sous ces contraintes.",
)
classees = table[table["statut"] == classement.CLASSE]
par_id = {
    int(d): f"{int(rang)}. {no}"
    for d, rang, no in zip(
        classees["demande_id"], classees["rang"], classees["no_demande"], strict=True
    )
}
o1, o2 = st.columns(2)
forcees = o1.multiselect(
    "Forcer dans la sélection",
    list(par_id),
    format_func=par_id.get,
    key="pf_forcees",
    placeholder="Aucune",
    select_all=False,
)
exclues = o2.multiselect(
    "Exclure de la sélection",
    list(par_id),
    format_func=par_id.get,
    key="pf_exclues",
    placeholder="Aucune",
    select_all=False,
)


# Gardés par calcul et par choix de la présidence : une fois calculée, la sélection ne se
# recalcule pas à chaque exécution de la page (un programme en nombres entiers par clic).
@st.cache_resource(max_entries=4, show_spinner="Calcul de la meilleure sélection…")
def _optimum(
    _table: pd.DataFrame, cle: tuple, forcees: tuple, exclues: tuple, chercher: bool = False
):
    return portefeuille.optimiser(
        _table, appel, forcees=forcees, exclues=exclues, chercher_moindre_manque=chercher
    )


@st.cache_resource(max_entries=4, show_spinner="Coût de chaque cible…")
def _couts(_table: pd.DataFrame, cle: tuple, forcees: tuple, exclues: tuple) -> pd.DataFrame:
    return portefeuille.cout_des_cibles(_table, appel, forcees=forcees, exclues=exclues)


if st.button("Calculer la meilleure sélection", key="pf_optimiser", type="primary"):
    st.session_state["_pf_optimum"] = (forcees, exclues)
    st.session_state.pop("_pf_chercher", None)
    oublier_version("scenario")
    oublier_version("scenario_montants")
st.caption(
    "Objectif (réglage de l'appel) : " + LIBELLES_OBJECTIF_SELECTION[appel.objectif_selection] + "."
)
# L'adoption du scénario (ou son refus) referme le scénario : son message paraît ici, à sa
# place, sous « Calculer la meilleure sélection ».
afficher_message("pf_adopter")
if "_pf_optimum" in st.session_state:
    forcees_calcul, exclues_calcul = st.session_state["_pf_optimum"]
    # Les décisions telles qu'elles étaient quand le scénario a été montré : l'adopter ne
    # doit pas écraser une décision inscrite depuis par un autre membre.
    version_calcul = version_a_l_ouverture(
        "scenario", financement.version_decision(donnees.decisions)
    )
    version_montants_calcul = version_a_l_ouverture(
        "scenario_montants", financement.version_montants(donnees.modifications)
    )
    optimum = _optimum(
        table,
        calcul.cle,
        tuple(sorted(forcees_calcul)),
        tuple(sorted(exclues_calcul)),
        st.session_state.get("_pf_chercher", False),
    )
    if optimum.message and not optimum.choisies.any():
        st.error(litteral(optimum.message))
    else:
        if optimum.interrompue:
            st.info(litteral(optimum.message), icon=":material/timer:")
        elif par_classement and optimum.message:
            # Les demandes entrées hors de l'ordre du classement, et pour quelle cible.
            st.info(litteral(optimum.message))
        if optimum.peut_manquer_moins:
            st.warning(
                "En suivant le classement, des cibles restent manquées (détail ci-dessous). "
                "Un programme en nombres entiers peut chercher une sélection qui les manque "
                f"moins, au prix d'écarts au classement (jusqu'à "
                f"{formats.nombre(portefeuille.DELAI_OPTIMISATION)} s de calcul)."
            )
            if st.button("Chercher une sélection qui manque moins les cibles", key="pf_chercher"):
                st.session_state["_pf_chercher"] = True
                st.rerun()
        actuelle = portefeuille.selection(table)
        totaux_montants = portefeuille.montants(table, appel).sum(axis=1)
        recommandes = np.column_stack(
            [table[f"recommande_an{a + 1}"].to_numpy(dtype=np.int64) for a in range(annees)]
        )
        note = pd.to_numeric(table["total"], errors="coerce").fillna(0).to_numpy()
        c1, c2, c3 = st.columns(3)
        c1.metric(
            "Demandes financées",
            int(optimum.choisies.sum()),
            delta=int(optimum.choisies.sum() - actuelle.sum()),
        )
        c2.metric(
            "Montant",
            montant(int(recommandes[optimum.choisies].sum())),
            help=f"Ligne de financement : {montant(int(totaux_montants.sum()))}.",
        )
        c3.metric(
            "Note moyenne des financées",
            formats.note(note[optimum.choisies].mean()) if optimum.choisies.any() else "—",
            help="Ligne de financement : "
            + (formats.note(note[actuelle].mean()) if actuelle.any() else "—"),
        )
        if optimum.manques:
            st.warning(
                "Cibles impossibles à tenir toutes : "
                + " ; ".join(f"{litteral(k)} (manque {v})" for k, v in optimum.manques.items())
            )
        changements = portefeuille.comparer_selections(table, actuelle, optimum.choisies)
        if changements.empty:
            st.success("La meilleure sélection est celle de la ligne de financement.")
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        "No": changements["no_demande"],
                        "Rang": changements["rang"].map(lambda r: "" if pd.isna(r) else int(r)),
                        "Total": changements["total"].map(formats.note),
                        "Changement": changements["changement"],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        if appel.cibles:
            cibles_optimum = portefeuille.evaluer_cibles(
                table, appel, optimum.choisies, recommandes * optimum.choisies[:, None]
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        "Cible": cibles_optimum["cible"],
                        "Valeur": cibles_optimum["libelle"],
                        "Part (meilleure sélection)": cibles_optimum["part"].map(
                            lambda v: pourcentage(v / 100)
                        ),
                        "Respectée": cibles_optimum["respectee"].map({True: "oui", False: "NON"}),
                        "Écart": cibles_optimum["ecart"],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        if st.toggle("Ce que coûte chaque cible", key="pf_couts") and appel.cibles:
            couts = _couts(
                table, calcul.cle, tuple(sorted(forcees_calcul)), tuple(sorted(exclues_calcul))
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        "Cible": couts["cible"],
                        "Demandes déplacées (choisies sans la cible, pas avec)": couts[
                            "cout"
                        ].astype(int),
                    }
                    if par_classement
                    else {
                        "Cible": couts["cible"],
                        "Valeur perdue (note × montant)": couts["cout_relatif"].map(
                            lambda v: pourcentage(v)
                        ),
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        # Issue 16 : la déclaration d'intérêts et de confidentialité avant toute décision.
        if compte.role == PRESIDENT and declarations_acceptees(appel, compte, m, cle="pf_decl"):
            raisons = {}
            franchissent = portefeuille.contre_le_classement(table, optimum.choisies)
            if not franchissent.empty:
                st.markdown(
                    "**Une raison pour chaque demande qui passe la ligne de financement contre "
                    f"le classement** ({len(franchissent)}, obligatoire) : elle s'inscrit dans "
                    "la justification de sa décision."
                )
                for d, no, rang, sens in zip(
                    franchissent["demande_id"],
                    franchissent["no_demande"],
                    franchissent["rang"],
                    franchissent["sens"],
                    strict=True,
                ):
                    raisons[int(d)] = st.text_input(
                        f"Raison pour {no}"
                        + ("" if pd.isna(rang) else f" (rang {int(rang)}, {sens})"),
                        key=f"pf_raison::{int(d)}",
                        max_chars=SAISIE_MAX,
                    )
            if st.button("Adopter ce scénario comme décisions", key="pf_adopter"):
                try:
                    n = decisions.adopter_scenario(
                        appel,
                        table,
                        optimum.choisies,
                        "meilleure sélection dans l'enveloppe",
                        moteur=m,
                        auteur=compte.courriel,
                        version_attendue=version_calcul,
                        version_montants_attendue=version_montants_calcul,
                        raisons=raisons,
                    )
                except financement.FinancementPerime as exc:
                    # La vue est périmée : le scénario est recalculé sur la base relue.
                    annoncer("pf_adopter", REFUS, f"Refusé : {exc}")
                    st.session_state.pop("_pf_optimum", None)
                    oublier_version("scenario")
                    oublier_version("scenario_montants")
                    st.rerun()
                except financement.ErreurFinancement as exc:
                    # Sous le bouton ; les raisons saisies restent (issue 16).
                    st.error(litteral(f"Refusé : {exc}"), icon=":material/block:")
                else:
                    annoncer(
                        "pf_adopter",
                        SUCCES,
                        f"Scénario adopté : {n} décisions inscrites au journal.",
                    )
                    st.session_state.pop("_pf_optimum", None)
                    oublier_version("scenario")
                    oublier_version("scenario_montants")
                    st.rerun()

# --- 5. Solidité de la ligne ----------------------------------------------------------------
st.subheader("Solidité de la ligne de financement")
solidite = solidite_par_demande(calcul).reindex(table["demande_id"]).reset_index(drop=True)
zone = table[solidite["zone_grise"].to_numpy()]
st.caption(
    "1 000 tirages : les évaluateurs de chaque demande sont rééchantillonnés et la ligne "
    "refaite. Zone grise : les demandes dont l'intervalle de rang à 95 % franchit la ligne."
)
classe = (table["statut"] == classement.CLASSE).to_numpy()
if classe.any():
    vue_solidite = pd.DataFrame(
        {
            "Rang": table["rang"][classe].map(int),
            "No": table["no_demande"][classe],
            "Probabilité d'être financée": solidite["probabilite"][classe].map(part),
            "Intervalle de rang": [
                f"{int(b)} à {int(np.ceil(h))}"
                for b, h in zip(
                    solidite["rang_bas"][classe], solidite["rang_haut"][classe], strict=True
                )
            ],
            "Zone grise": solidite["zone_grise"][classe].map({True: "zone grise", False: ""}),
        }
    )
    st.metric(
        "Demandes en zone grise",
        len(zone),
        help="Demandes dont la place par rapport à la ligne de financement dépend des "
        "évaluateurs tirés : leur intervalle de rang à 95 % (bootstrap, 1 000 tirages) "
        "franchit la ligne.",
    )
    st.dataframe(vue_solidite, hide_index=True, width="stretch", height=300)
# Issue 16 : le tirage au sort dans la zone grise, si l'appel le permet (rien sinon).
section_tirage(appel, compte, m, table, solidite["zone_grise"].to_numpy(dtype=bool))

# --- 6. Le panel d'évaluateurs (présidence) -------------------------------------------------


@st.cache_resource(max_entries=2, show_spinner=False)
def _boites(_notes: pd.DataFrame, cle: tuple, noms: tuple) -> go.Figure:
    """Les notes de chaque évaluateur par critère, en boîtes à moustaches, une fois par
    calcul (`cle`) et par noms affichés : les boîtes de plotly (mêmes traces, couleurs,
    quartiles, moustaches et valeurs isolées que `px.box` sur toutes les notes), mais
    calculées ici (`notation.boites`) ; le navigateur reçoit quelques centaines de nombres
    au lieu de 400 000 notes."""
    noms_affiches = dict(noms)
    # Les boîtes sur les identifiants tels quels (400 000 notes), les libellés ensuite sur
    # une ligne par boîte : renommer chaque note coûtait plus que les boîtes elles-mêmes.
    stats = notation.boites(
        _notes[["evaluateur", "critere", "note"]], ["evaluateur", "critere"], "note"
    )
    courts = {cr.id: litteral_html(cr.libelle.split(" ")[0]) for cr in appel.criteres}
    stats["critere"] = stats["critere"].map(courts)
    stats = stats.dropna(subset=["critere"])
    # Deux comptes du même nom restent deux évaluateurs : le courriel les distingue.
    affiches = {e: noms_affiches.get(e, e) for e in stats["evaluateur"].unique()}
    doubles = {n for n in affiches.values() if list(affiches.values()).count(n) > 1}
    stats["evaluateur"] = [
        litteral_html(f"{affiches[e]} ({e})" if affiches[e] in doubles else affiches[e])
        for e in stats["evaluateur"]
    ]
    # Les traces, couleurs, légende et ordre des critères de px.box, sur une note par boîte.
    figure = px.box(
        stats.assign(note=stats["mediane"]),
        x="critere",
        y="note",
        color="evaluateur",
        labels={"critere": "", "note": "Note", "evaluateur": "Évaluateur"},
        category_orders={"critere": list(courts.values())},
    )
    for trace in figure.data:
        t = stats[stats["evaluateur"] == trace.name]
        trace.update(
            x=t["critere"].tolist(),
            q1=t["q1"].tolist(),
            median=t["mediane"].tolist(),
            q3=t["q3"].tolist(),
            lowerfence=t["bas"].tolist(),
            upperfence=t["haut"].tolist(),
            # Les valeurs isolées, seules, en échantillon de chaque boîte (une boîte sans
            # valeur isolée : [None], qu'un tableau vide en tête ne fasse pas tout ignorer).
            y=[hors or [None] for hors in t["hors"]],
            boxpoints="outliers",
        )
    figure.update_layout(height=380, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return figure


if presidence:
    st.subheader("Les évaluateurs du comité")
    noms = {x.courriel: x.nom for x in lister_comptes(moteur=m)}
    afficher_accord_du_panel(appel, calcul, noms)
    if not donnees.notes.empty:
        st.plotly_chart(
            _boites(donnees.notes, calcul.cle, tuple(sorted(noms.items()))),
            width="stretch",
            key="pf_boites",
            config=CONFIG_PLOTLY,
        )
