"""Séance du comité : pour le projecteur, une demande à la fois dans l'ordre du classement,
en grands caractères : ses notes, celles de chaque évaluateur et leurs commentaires, la
dispersion, la recommandation, et les boutons de décision."""

from functools import partial

import pandas as pd
import streamlit as st

from evaluation.appels import confirmations
from evaluation.decision import classement, decisions, financement
from evaluation.decision.declarations import recusations_du_comite
from evaluation.notes import evaluations
from evaluation.notes.fiche import budget_explique, montants_cote_a_cote
from evaluation.notes.saisie import MODIFIEE_APRES_CONSULTATION, SOUMISE
from evaluation.socle import stockage
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.formats import montant, nombre
from evaluation.socle.texte import SAISIE_MAX, litteral
from evaluation.sorties.proces_verbal import proces_verbal
from pages.composants.commun import appel_actif, bandeau_reglages, classement_calcule, moteur
from pages.composants.connexion import exiger_acces
from pages.composants.declarations import exiger_declarations
from pages.composants.erreurs import rattraper
from pages.composants.recusations import afficher_recusations

compte = exiger_acces("seance")
appel = appel_actif()
m = moteur()
exiger_declarations(appel, compte, m)  # Issue 16 : déclaration d'intérêts et confidentialité

st.html(
    """<style>
    [data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li,
    [data-testid="stMainBlockContainer"] td { font-size: 1.25rem; }
    [data-testid="stMainBlockContainer"] [data-testid="stMetricValue"],
    [data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] * { font-size: 2.6rem; }
    [data-testid="stMainBlockContainer"] th { font-size: 1.1rem; }
    </style>"""
)

calcul = classement_calcule(appel)
donnees, table = calcul.donnees, calcul.table
annees = financement.nombre_annees(appel)
periodes = appel.financement.annees_financieres()
noms = {c.courriel: c.nom for c in lister_comptes(moteur=m)}
fermees = donnees.reglages.decisions_verrouillees

ligne = classement.ligne_du_classement(table, appel)
bandeau_reglages(appel)
st.caption(
    "Restant à la ligne de financement : "
    + " · ".join(
        f"{periodes[a][0].year}-{periodes[a][1].year} : {montant(int(ligne.restant[a]))}"
        for a in range(annees)
    )
)
if message := st.session_state.pop("_seance_msg", None):
    (st.success if message[0] == "success" else st.error)(litteral(message[1]))
tout = st.toggle("Inclure les demandes hors classement", key="seance_tout")
ordre = table if tout else table[table["statut"] == classement.CLASSE]
ids = [int(i) for i in ordre["demande_id"]]
if not ids:
    st.title("Séance du comité")
    st.info("Aucune demande classée pour l'instant : les évaluations soumises la classent.")
    st.stop()
position = min(st.session_state.get("seance_position", 0), len(ids) - 1)


def aller(pas: int) -> None:
    st.session_state["seance_position"] = max(0, min(len(ids) - 1, position + pas))


r = ordre.iloc[position].to_dict()
d = int(r["demande_id"])
n1, n2, n3 = st.columns([1.6, 5, 1.6], vertical_alignment="center")
n1.button("Précédente", key="seance_prec", on_click=aller, args=(-1,), disabled=position == 0)
n2.markdown(
    f"<div style='text-align:center'>{position + 1} / {len(ids)}</div>", unsafe_allow_html=True
)
n3.button(
    "Suivante", key="seance_suiv", on_click=aller, args=(1,), disabled=position == len(ids) - 1
)

rang = "" if pd.isna(r["rang"]) else f"{int(r['rang'])}. "
st.title(f"{rang}{litteral(r['no_demande'])} · {litteral(r.get('titre') or '')}")
afficher_recusations(appel, d, st.session_state.get("pv_presents", []), compte=compte, moteur=m)
nom_region = next((x.nom for x in appel.regions if x.code == r["region"]), "")
st.markdown(
    f"**{litteral(r['municipalite'])}** · {litteral(nom_region)}"
    + (" · projet conjoint" if r["projet_conjoint"] else "")
)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Total", "—" if pd.isna(r["total"]) else f"{nombre(r['total'], 1)} / 100")
c2.metric(
    "Évaluations",
    f"{r['n_evaluations']} / {r['attendues']}",
    help="Évaluations soumises sur celles attendues.",
)
c3.metric(
    "Étendue du total",
    "—" if pd.isna(r["etendue_total"]) else nombre(r["etendue_total"], 1),
    help="Écart entre le total le plus haut et le plus bas des évaluateurs.",
)
c4.metric("Statut", r["financement"] or r["statut"])
if r["a_discuter"]:
    st.warning("À discuter : les évaluateurs divergent.", icon=":material/forum:")
if r["raison"]:
    st.caption(litteral(r["raison"]))

# Notes de chaque évaluateur, et leurs commentaires.
evaluations_demande = donnees.evaluations[donnees.evaluations["demande_id"].astype(int) == d]
apres = evaluations_demande[evaluations_demande["modifiee_apres_consultation"].astype(bool)]
if not apres.empty:
    st.warning(
        f"{MODIFIEE_APRES_CONSULTATION.capitalize()} : "
        + ", ".join(litteral(noms.get(e, e)) for e in apres["evaluateur"])
        + " (le détail est au journal et dans le suivi des évaluations).",
        icon=":material/visibility:",
    )
lignes, commentaires = [], []
for e in sorted(set(donnees.notes.loc[donnees.notes["demande_id"] == d, "evaluateur"])):
    lu = evaluations.lire(d, e, moteur=m)
    if not lu or lu[0] != SOUMISE:
        continue
    saisie = lu[1]
    # st.table interprète le Markdown de ses cellules : noms et libellés y sont littéraux.
    qui = litteral(noms.get(e, e))
    ligne = {"Évaluateur": qui}
    for c in appel.criteres:
        ligne[litteral(c.libelle.split(" ")[0])] = nombre(saisie.notes.get(c.id) or 0, 1)
        if saisie.commentaires.get(c.id):
            commentaires.append(
                f"**{qui}**, {litteral(c.libelle)} : {litteral(saisie.commentaires[c.id])}"
            )
    if saisie.commentaire_global:
        commentaires.append(f"**{qui}** : {litteral(saisie.commentaire_global)}")
    lignes.append(ligne)
moyennes = {"Évaluateur": "Note retenue"}
for c in appel.criteres:
    v = r[f"note:{c.id}"]
    moyennes[litteral(c.libelle.split(" ")[0])] = "—" if pd.isna(v) else nombre(v, 1)
st.table(pd.DataFrame([*lignes, moyennes]).set_index("Évaluateur"))
if commentaires:
    with st.expander(f"Commentaires des évaluateurs ({len(commentaires)})", expanded=True):
        st.markdown("\n\n".join(commentaires))

# Montants côte à côte, et les dépenses retirées ligne par ligne.
st.table(montants_cote_a_cote(r, appel).set_index("Année"))
with m.connect() as connexion:
    lignes_budget = stockage.lire_lignes_budget(appel.id, connexion=connexion, demande_id=d)
retirees = budget_explique(lignes_budget, appel)
retirees = retirees[retirees["Retiré"] != ""]
if not retirees.empty:
    st.markdown("**Dépenses retirées du budget admissible**")
    st.table(
        retirees[["Année", "Catégorie de l'appel", "Catégorie déclarée", "Statut", "Retiré"]]
        .map(lambda v: litteral(v) if isinstance(v, str) else v)
        .set_index("Année")
    )
if r.get("bonification"):
    st.caption(
        f"Bonification fixée par la présidence : {montant(int(r['bonification']))} par année."
    )

# Recommandation et décision.
recommandes = tuple(int(r[f"recommande_an{a + 1}"]) for a in range(annees))
st.markdown(
    "**Recommandation** : "
    + (r["financement"] or r["statut"])
    + " · "
    + " + ".join(
        f"{montant(v)} ({periodes[a][0].year}-{periodes[a][1].year})"
        for a, v in enumerate(recommandes)
    )
    + (f" · **décision actuelle : {r['decision']}**" if r["decision"] else "")
)
justification = st.text_input(
    "Justification (obligatoire si la décision s'écarte de la recommandation)",
    key=f"seance_justif::{d}",
    disabled=fermees,
    max_chars=SAISIE_MAX,
)


@rattraper
def decider(decision: str, version: int) -> None:
    """Rappel d'un bouton de décision : `version` est celle de la décision affichée quand
    le bouton l'a été (refus si un autre membre a décidé entre-temps)."""
    montants = recommandes if decision == financement.RETENU else (0,) * annees
    try:
        decisions.enregistrer_decision(
            appel,
            d,
            decision,
            montants,
            st.session_state.get(f"seance_justif::{d}", ""),
            recommandation=(r["financement"] or r["statut"], recommandes),
            moteur=m,
            auteur=compte.courriel,
            version_attendue=version,
        )
    except financement.ErreurFinancement as exc:
        st.session_state["_seance_msg"] = ("error", f"Décision refusée : {exc}")
        return
    st.session_state["_seance_msg"] = ("success", f"{r['no_demande']} : {decision}.")


BOUTONS = (
    ("Retenir (montant recommandé)", "seance_retenir", financement.RETENU, "primary"),
    ("Liste d'attente", "seance_attente", financement.LISTE_ATTENTE, "secondary"),
    ("Refuser", "seance_refuser", financement.REFUSE, "secondary"),
)
for colonne, (texte, cle, decision, genre) in zip(st.columns(3), BOUTONS, strict=True):
    colonne.button(
        texte,
        key=cle,
        type=genre,
        on_click=decider,
        args=(decision, financement.version_decision(donnees.decisions, d)),
        disabled=fermees,
        width="stretch",
    )
if fermees:
    st.caption("Les décisions sont verrouillées.")
st.caption("Un autre montant se décide dans la page Classement (Montants et décisions).")

# --- Procès-verbal ------------------------------------------------------------------------


def _proces_verbal(
    table_du_calcul: pd.DataFrame, jour, presents: tuple, auteur, confirmees: list
) -> bytes:
    """Le procès-verbal, écrit au clic sur le bouton (`st.download_button` différé) : ni à
    l'ouverture de la page ni à chaque exécution (le classement entier y passe). Ce qu'il
    dit est lu à l'exécution de la page (classement, confirmations des réglages) : un seul
    instant."""
    return proces_verbal(
        appel,
        table_du_calcul,
        jour=jour,
        presents=list(presents),
        poids=donnees.poids,
        auteur=auteur,
        confirmations=confirmees,
        ponderations=donnees.ponderations,
        noms=noms,
        recusations=recusations_du_comite(appel.id, moteur=m),
    ).encode("utf-8")


st.divider()
with st.expander("Procès-verbal de la séance"):
    comptes_presents = lister_comptes(moteur=m)
    presents = st.multiselect(
        "Membres présents",
        [c.courriel for c in comptes_presents if c.actif],
        format_func=lambda c: noms.get(c, c),
        key="pv_presents",
        placeholder="Choisir dans les comptes",
    )
    jour = st.date_input("Date de la séance", key="pv_date", format="YYYY-MM-DD")
    page_pv = partial(
        _proces_verbal,
        table.copy(deep=False),
        jour,
        tuple(noms.get(c, c) for c in presents),
        compte.nom,
        confirmations.confirmations(appel.id, moteur=m),
    )
    st.download_button(
        "Télécharger le procès-verbal (page à imprimer)",
        data=page_pv,
        file_name=f"{appel.id}_proces-verbal_{jour.isoformat()}.html",
        mime="text/html",
        key="pv_telecharger",
        icon=":material/print:",
        on_click="ignore",
    )
    st.caption(
        "Ouvrez le fichier dans le navigateur et imprimez-le (ou « Enregistrer en PDF ») : "
        "la mise en page d'impression est prévue."
    )
