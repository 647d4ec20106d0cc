"""Décision du ministère (issue 17, point 1) : les recommandations du comité dans l'ordre du
classement, la décision du ministère à côté ; l'autorité ministérielle (ou l'administration en
son nom) les approuve en lot ou les modifie une à une, avec une raison. Les règles sont dans
evaluation/decision/ministere.py, les écritures dans evaluation/decision/decisions_ministre.py.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from evaluation.decision import decisions_ministre, financement, ministere, portefeuille
from evaluation.socle.formats import FORMAT_DATE_SAISIE, date, montant, pluriel
from evaluation.socle.roles import ADMIN
from evaluation.socle.texte import SAISIE_MAX, litteral
from pages.composants.commun import appel_actif, classement_calcule, moteur
from pages.composants.connexion import exiger_acces
from pages.composants.erreurs import oublier_version, version_a_l_ouverture
from pages.composants.messages import REFUS, SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message
from pages.composants.montants import champ_montant

compte = exiger_acces("decision_ministere")
appel = appel_actif()
m = moteur()
calcul = classement_calcule(appel)
donnees, table = calcul.donnees, calcul.table
annees = financement.nombre_annees(appel)
periodes = [f"{d.year}-{f.year}" for d, f in appel.financement.annees_financieres()[:annees]]
verrouillees = donnees.reglages.decisions_verrouillees
au_nom = compte.role == ADMIN

st.title("Décision du ministère")
st.caption(
    "L'appel : le ministère « "
    + ministere.CITATION
    + " ». Le comité recommande ; le ministère approuve ou modifie "
    "chaque recommandation. Une fois décidée, c'est la décision du ministère qui vaut ; le "
    "tableau « Financement » montre côte à côte la ligne de financement (d'après le "
    "classement), les décisions du comité et celles du ministère, comme les pages "
    "Classement, Séance et Portefeuille."
)
if au_nom:
    st.info(
        litteral(
            "Vous agissez au nom de l'autorité ministérielle : le nom de l'autorité saisi "
            f"ci-dessous et votre compte ({compte.courriel}) sont inscrits tous les deux."
        ),
        icon=":material/badge:",
    )
if not verrouillees:
    st.warning(
        "Les recommandations du comité ne sont pas encore verrouillées : le ministère décide "
        "sur les recommandations finales. La présidence les verrouille dans la page "
        "Classement ; d'ici là, rien ne peut être inscrit ici.",
        icon=":material/lock_open:",
    )

# --- Budget face à l'enveloppe, selon la décision qui vaut ----------------------------------
b = portefeuille.budget(table, appel)
# Issue 19 : le même tableau « Financement » que Classement, Séance et Portefeuille.
st.table(portefeuille.bilan(table, appel))
if depassees := [
    f"{periodes[a]} ({montant(-int(b['restant_decisions'].iloc[a]))} de plus)"
    for a in range(annees)
    if int(b["restant_decisions"].iloc[a]) < 0
]:
    # Interprétation : l'appel laisse au ministère « la détermination des sommes » ;
    # l'enveloppe n'est pas un refus ici, elle est signalée.
    st.warning(
        "Les montants accordés par la décision qui vaut (du ministère, sinon du comité) "
        "dépassent l'enveloppe de l'appel en " + ", ".join(depassees) + ".",
        icon=":material/account_balance_wallet:",
    )
avec_recommandation = table[table["decision"].fillna("") != ""]
decidees = int((table["decision_ministere"].fillna("") != "").sum())
st.metric(
    "Décidées par le ministère",
    f"{decidees} / {len(avec_recommandation)}",
    help="Demandes dont le ministère a inscrit la décision, sur les recommandations du comité.",
)

# --- Les recommandations, dans l'ordre du classement ----------------------------------------
vue = table[(table["decision"].fillna("") != "") | (table["decision_ministere"].fillna("") != "")]
if vue.empty:
    st.info("Le comité n'a inscrit aucune recommandation pour cet appel.")
    st.stop()


def _montants(ligne: pd.Series, prefixe: str) -> str:
    valeurs = [ligne.get(f"{prefixe}{a + 1}") for a in range(annees)]
    if all(v is None or pd.isna(v) for v in valeurs):
        return ""
    return " + ".join(montant(int(0 if pd.isna(v) else v)) for v in valeurs)


lignes = [r for _, r in vue.iterrows()]
affichee = pd.DataFrame(
    {
        "Rang": ["" if pd.isna(r["rang"]) else int(r["rang"]) for r in lignes],
        "No": [r["no_demande"] for r in lignes],
        "Municipalité": [r.get("municipalite") or "" for r in lignes],
        "Recommandation du comité": [r["decision"] for r in lignes],
        "Montants recommandés": [
            _montants(r, "accorde_an") if r["decision"] == financement.RETENU else ""
            for r in lignes
        ],
        "Décision du ministère": [r["decision_ministere"] for r in lignes],
        "Montants accordés": [
            _montants(r, "ministere_an") if r["decision_ministere"] == financement.RETENU else ""
            for r in lignes
        ],
        "État": [r["etat_ministere"] for r in lignes],
        "Autorité": [r["autorite_ministere"] for r in lignes],
        "Date": [
            ""
            if r["date_ministere"] is None or pd.isna(r["date_ministere"])
            # dt.date : la date seule (« 1er décembre 2026 »).
            else date(pd.Timestamp(r["date_ministere"]).date())
            for r in lignes
        ],
        "Raison du ministère": [r["raison_ministere"] for r in lignes],
        "Justification du comité": [r.get("justification") or "" for r in lignes],
    }
)
tour = st.session_state.setdefault("_dm_tour", 0)
evenement = st.dataframe(
    affichee,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="multi-row",
    key=f"dm_tableau::{tour}",
)
choisies_lignes = sorted(evenement.selection.rows)
choisies = [int(vue["demande_id"].iloc[i]) for i in choisies_lignes]
a_decider = [
    int(d)
    for d, e in zip(vue["demande_id"], vue["etat_ministere"], strict=True)
    if e == ministere.A_DECIDER
]
st.caption(
    "Montants en dollars par année financière ("
    + ", ".join(periodes)
    + "). État : « approuvée » (la recommandation telle quelle), « modifiée », « à décider », "
    "ou « recommandation changée depuis » (le comité a rouvert et changé sa recommandation "
    "après la décision du ministère)."
)


def _autorite_et_date(cle: str) -> tuple[str, dt.date]:
    gauche, droite = st.columns([2, 1])
    nom = gauche.text_input(
        "Autorité qui décide (nom)",
        value=compte.nom,
        key=f"{cle}_autorite",
        max_chars=SAISIE_MAX,
        help="La personne autorisée qui signe la décision du ministère.",
    )
    jour = droite.date_input(
        "Date de la décision",
        value=dt.date.today(),
        max_value=dt.date.today(),
        format=FORMAT_DATE_SAISIE,
        key=f"{cle}_date",
    )
    return nom, jour


# --- Approuver en lot -----------------------------------------------------------------------
with st.container(border=True):
    st.markdown("**Approuver les recommandations du comité**")
    st.caption(
        "Cochez des lignes du tableau, ou approuvez toutes celles qui attendent la décision du "
        "ministère : chacune est approuvée telle quelle (même décision, mêmes montants). Tout "
        "ou rien : une demande refusée (inadmissible, plafond…) arrête le lot."
    )
    st.caption(
        "Choisies : "
        + (", ".join(affichee["No"].iloc[choisies_lignes]) if choisies else "aucune")
        + f" · à décider : {len(a_decider)}."
    )
    nom_lot, jour_lot = _autorite_et_date("dm_lot")
    raison_lot = st.text_input("Note (facultative)", key="dm_lot_raison", max_chars=SAISIE_MAX)
    version_lot = version_a_l_ouverture(
        "dm_lot", decisions_ministre.version(donnees.decisions_ministre)
    )
    version_recommandations = version_a_l_ouverture(
        "dm_lot_comite", financement.version_decision(donnees.decisions)
    )
    b1, b2 = st.columns(2)
    selection = b1.button(
        "Approuver les recommandations sélectionnées",
        key="dm_approuver_selection",
        type="primary",
        disabled=not verrouillees or not choisies,
    )
    toutes = b2.button(
        f"Approuver toutes les recommandations à décider ({len(a_decider)})",
        key="dm_approuver_toutes",
        disabled=not verrouillees or not a_decider,
    )
    if selection or toutes:
        oublier_version("dm_lot")
        oublier_version("dm_lot_comite")
        try:
            n = decisions_ministre.approuver_en_lot(
                appel,
                choisies if selection else None,
                autorite=nom_lot,
                raison=raison_lot,
                jour=jour_lot,
                moteur=m,
                auteur=compte.courriel,
                role=compte.role,
                version_attendue=version_lot,
                version_recommandations_attendue=version_recommandations,
            )
        except financement.ErreurFinancement as exc:
            annoncer("dm_lot", REFUS, f"Approbation refusée : {exc}")
        else:
            annoncer(
                "dm_lot",
                SUCCES,
                f"{pluriel(n, 'recommandation approuvée', 'recommandations approuvées')} par "
                f"{nom_lot.strip()}, décision du {date(jour_lot)}"
                + (" (inscrite au nom de l'autorité)" if au_nom else "")
                + ".",
            )
            st.session_state["_dm_tour"] = tour + 1  # la sélection repart vide
        st.rerun()
    afficher_message("dm_lot")

# --- Modifier une recommandation ------------------------------------------------------------
with st.container(border=True):
    st.markdown("**Modifier une recommandation**")
    st.caption(
        "Une autre décision ou d'autres montants que ceux du comité : la raison est exigée. "
        "Montants bornés par le plafond annuel de la demande, comme pour le comité."
    )
    options = [int(d) for d in vue["demande_id"]]
    par_id = {int(d): r for d, r in zip(vue["demande_id"], lignes, strict=True)}
    choix = st.selectbox(
        "Demande",
        options,
        format_func=lambda d: (
            f"{par_id[d]['no_demande']} — recommandation : {par_id[d]['decision'] or 'aucune'}"
        ),
        key="dm_demande",
    )
    r = par_id[choix]
    decision = st.radio(
        "Décision du ministère",
        list(financement.DECISIONS),
        index=list(financement.DECISIONS).index(r["decision"])
        if r["decision"] in financement.DECISIONS
        else 0,
        horizontal=True,
        key=f"dm_decision::{choix}",
    )
    proposes = [
        0 if pd.isna(r.get(f"accorde_an{a + 1}")) else int(r.get(f"accorde_an{a + 1}"))
        for a in range(annees)
    ]
    montants_saisis = []
    colonnes_montants = st.columns(annees)
    for a in range(annees):
        montants_saisis.append(
            champ_montant(
                f"Montant accordé {periodes[a]} ($)",
                proposes[a] if decision == financement.RETENU else 0,
                key=f"dm_montant::{choix}::{a}::{decision}",
                disabled=decision != financement.RETENU,
                conteneur=colonnes_montants[a],
            )
        )
    st.caption(f"Plafond par année de cette demande : {montant(int(r['plafond']))}.")
    nom_un, jour_un = _autorite_et_date("dm_un")
    raison = st.text_area(
        "Raison de la modification (obligatoire)",
        key=f"dm_raison::{choix}",
        max_chars=SAISIE_MAX,
    )
    formulaire = f"dm::{choix}"
    version_un = version_a_l_ouverture(
        formulaire, decisions_ministre.version(donnees.decisions_ministre, choix)
    )
    recommandation_un = version_a_l_ouverture(
        f"{formulaire}::comite", financement.version_decision(donnees.decisions, choix)
    )
    if st.button(
        "Inscrire la décision du ministère",
        key="dm_modifier",
        type="primary",
        disabled=not verrouillees or None in montants_saisis,
    ):
        oublier_version(formulaire)
        oublier_version(f"{formulaire}::comite")
        try:
            avertissements = decisions_ministre.decider(
                appel,
                choix,
                decision,
                tuple(montants_saisis),
                raison,
                autorite=nom_un,
                jour=jour_un,
                moteur=m,
                auteur=compte.courriel,
                role=compte.role,
                version_attendue=version_un,
                recommandation_attendue=recommandation_un,
            )
        except financement.ErreurFinancement as exc:
            annoncer("dm_modifier", REFUS, f"Décision refusée : {exc}")
        else:
            annoncer(
                "dm_modifier",
                SUCCES,
                f"Décision du ministère inscrite pour {r['no_demande']} : "
                + ministere.resume(decision, tuple(montants_saisis), annees)
                + f", par {nom_un.strip()}"
                + (" (au nom de l'autorité)" if au_nom else "")
                + "."
                + "".join(f" {a}" for a in avertissements),
            )
        st.rerun()
    afficher_message("dm_modifier")
