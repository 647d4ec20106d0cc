"""Séance du comité : un ordre du jour que tout le monde suit. La présidence ouvre la séance,
note les présents, choisit l'ordre, avance (ou saute à une demande par la recherche), trie
un bloc « non discutées » et consigne les décisions ; l'écran de chaque membre suit la
demande en cours en deux secondes au plus, et un membre peut regarder ailleurs puis revenir.

Pour la demande en cours : résumé, montants par année, axe et secteur, notes et commentaires
de chaque évaluateur (pas pour l'observateur), leur moyenne et la note de consensus (la
présidence l'inscrit, critère par critère avec ses motifs ; les autres la lisent), ce qui la
rend « à discuter », les totaux en cours face à l'enveloppe, la décision et son montant."""

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from evaluation.appels import demandeur
from evaluation.decision import (
    classement,
    conduite,
    consensus,
    decisions,
    financement,
    portefeuille,
    seance,
)
from evaluation.decision.portefeuille import POSITION
from evaluation.notes import evaluations
from evaluation.notes.fiche import (
    budget_explique,
    classification,
    montants_cote_a_cote,
)
from evaluation.notes.saisie import MODIFIEE_APRES_CONSULTATION, SOUMISE
from evaluation.socle import droits, stockage
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.formats import (
    FORMAT_DATE_SAISIE,
    FORMAT_NOTE_SAISIE,
    date,
    date_heure,
    montant,
    note,
    reglage,
)
from evaluation.socle.texte import SAISIE_MAX, litteral
from evaluation.sorties import proces_verbaux
from evaluation.sorties.proces_verbal import proces_verbal
from pages.composants.commun import (
    appel_actif,
    bandeau_reglages,
    classement_calcule,
    moteur,
    solidite,
)
from pages.composants.connexion import exiger_acces
from pages.composants.declarations import exiger_declarations
from pages.composants.erreurs import rattraper
from pages.composants.recusations import afficher_recusations
from pages.composants.tirage import section_tirage

compte = exiger_acces("seance")
appel = appel_actif()
# « Par axe » n'a de sens que pour un appel qui a des axes (issue 18).
ordres_offerts = [o for o in seance.ORDRES if o != seance.PAR_AXE or appel.axes]
m = moteur()
# Issue 19 : le titre d'abord, comme les autres pages, même sur la déclaration à signer.
st.title("Séance du comité")
exiger_declarations(appel, compte, m)  # Issue 16 : déclaration d'intérêts et confidentialité
preside = droits.peut_conduire_seance(compte.role)
voit_notes = droits.voit_notes_en_seance(compte.role)
peut_ramener = droits.peut_ramener_en_seance(compte.role)

# Lisible à 1024 × 768 comme au projecteur (1920 × 1080) : les valeurs passent à la ligne
# plutôt que d'être coupées (« liste d'atte… »), et les caractères grandissent avec l'écran.
st.html(
    """<style>
    [data-testid="stMainBlockContainer"] { padding-top: 4rem; }
    [data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li,
    [data-testid="stMainBlockContainer"] td { font-size: 1.1rem; }
    [data-testid="stMainBlockContainer"] th { font-size: 1rem; }
    [data-testid="stMainBlockContainer"] [data-testid="stMetricValue"],
    [data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] * {
        font-size: 1.9rem; white-space: normal; overflow: visible; text-overflow: clip;
    }
    [data-testid="stMainBlockContainer"] h2 { font-size: 2rem; overflow-wrap: anywhere; }
    @media (min-width: 1600px) {
        [data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li,
        [data-testid="stMainBlockContainer"] td { font-size: 1.35rem; }
        [data-testid="stMainBlockContainer"] [data-testid="stMetricValue"],
        [data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] * {
            font-size: 2.6rem;
        }
        [data-testid="stMainBlockContainer"] h2 { font-size: 2.6rem; }
    }
    </style>"""
)

calcul = classement_calcule(appel)
donnees, table = calcul.donnees, calcul.table
annees = financement.nombre_annees(appel)
periodes = appel.financement.annees_financieres()
comptes = lister_comptes(moteur=m)
noms = {c.courriel: c.nom for c in comptes}
fermees = donnees.reglages.decisions_verrouillees
seance_en_cours = conduite.seance_ouverte(appel.id, moteur=m)
# Les présents de la séance ouverte tels que les nomment les conflits d'intérêts (courriel
# d'un compte, nom d'une personne sans compte) ; le serveur compte le quorum sur ceux qui
# votent (comite.votants : présidence et membres du comité).
presents_de_la_seance = [
    p.get("courriel") or p["nom"] for p in (seance_en_cours.presences if seance_en_cours else ())
]
VU, AILLEURS, REGARD = "_seance_vue", "seance_ailleurs", "_seance_regard"


def _etat_vu() -> tuple | None:
    s = seance_en_cours
    return None if s is None else (s.id, s.demande_courante, s.version)


st.session_state[VU] = _etat_vu()


@st.fragment(run_every=2)
def suivre_la_presidence() -> None:
    """Toutes les deux secondes : la seule ligne de la séance ouverte (demande en cours,
    version), pas le classement. Quand elle a changé, la page se refait, sauf pour qui
    regarde une autre demande : il lit où en est la séance et revient d'un clic."""
    etat = conduite.etat_courant(appel.id, moteur=m)
    vu = st.session_state.get(VU)
    ailleurs = st.session_state.get(AILLEURS, False) and not preside
    if etat != vu and not (ailleurs and etat is not None and vu is not None and etat[0] == vu[0]):
        st.rerun()
    if ailleurs and etat is not None and etat[1] is not None:
        r = table[table["demande_id"].astype(int) == etat[1]]
        quoi = f"{r.iloc[0]['no_demande']} · {r.iloc[0].get('titre') or ''}" if len(r) else "—"
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.info(litteral(f"En séance : {quoi}"), icon=":material/groups:")
        if c2.button("Revenir à la demande en cours", key="seance_revenir", width="stretch"):
            st.session_state[AILLEURS] = False
            st.session_state.pop(REGARD, None)
            st.rerun()


suivre_la_presidence()

ligne = classement.ligne_du_classement(table, appel)

tout = preside and st.session_state.get("seance_tout", False)
ordre_choisi = seance_en_cours.ordre if seance_en_cours else seance.RANG
zone_grise = None
if ordre_choisi == seance.ZONE_GRISE_D_ABORD:
    zone_grise = solidite(calcul)["zone_grise"].to_dict()
complet = seance.ordre_de_passage(table, ordre_choisi, zone_grise=zone_grise, tout=tout)
triage = seance_en_cours.triage if seance_en_cours else {}
ids = seance.ordre_du_jour(complet, triage)
par_id = table.set_index(table["demande_id"].astype(int), drop=False)


def message(cle: str, genre: str, texte: str) -> None:
    st.session_state[cle] = (genre, texte)


def afficher_message(cle: str) -> None:
    """Le succès ou le refus d'une action, sous le contrôle qui l'a causé."""
    if m_ := st.session_state.pop(cle, None):
        (st.success if m_[0] == "success" else st.error)(litteral(m_[1]))


def tenter(
    action: Callable[[], object],
    cle: str,
    refus: str,
    succes: str | Callable[[object], str] | None = None,
    cle_succes: str | None = None,
) -> bool:
    """Exécute `action` (une écriture de `conduite`) pour un rappel de bouton : un refus
    (`seance.ErreurSeance`) s'annonce sous le contrôle (`cle`), précédé de `refus` ; le
    succès aussi (ou sous `cle_succes`), s'il y a un message. Vrai si l'action est faite."""
    try:
        resultat = action()
    except seance.ErreurSeance as exc:
        message(cle, "error", f"{refus} : {exc}")
        return False
    if succes is not None:
        texte = succes(resultat) if callable(succes) else succes
        message(cle_succes or cle, "success", texte)
    return True


def intitule(d: int) -> str:
    r = par_id.loc[d]
    rang = "" if pd.isna(r["rang"]) else f"{int(r['rang'])}. "
    return f"{rang}{r['no_demande']} · {r.get('titre') or ''}"


# --- Ouverture, conduite et fermeture (présidence) ------------------------------------------


@rattraper
def ouvrir_seance() -> None:
    ordre = st.session_state.get("seance_ordre_ouverture", seance.RANG)
    texte = st.session_state.get("seance_libres", "") or ""
    libres = []
    for brut in texte.splitlines():
        nom, _, fonction = brut.partition(",")
        libres.append((nom, fonction))

    def ouvrir_et_aller_a_la_premiere() -> None:
        sid = conduite.ouvrir(
            appel,
            moteur=m,
            auteur=compte.courriel,
            role=compte.role,
            ordre=ordre,
            presents=st.session_state.get("seance_presents", []),
            sans_compte=libres,
        )
        premier = seance.ordre_du_jour(
            seance.ordre_de_passage(table, ordre, zone_grise=zone_grise_pour(ordre)), {}
        )
        if premier:
            conduite.aller_a(
                appel, sid, premier[0], moteur=m, auteur=compte.courriel, role=compte.role
            )

    tenter(
        ouvrir_et_aller_a_la_premiere,
        "_seance_msg_ouverture",
        "Séance non ouverte",
        "Séance ouverte : les écrans des membres suivent.",
        cle_succes="_seance_msg_nav",
    )


def zone_grise_pour(ordre: str | None):
    return solidite(calcul)["zone_grise"].to_dict() if ordre == seance.ZONE_GRISE_D_ABORD else None


def _conduite(ecriture, *args, **kwargs):
    """L'écriture de `conduite` sur la séance ouverte, au nom de la personne connectée."""
    return partial(
        ecriture,
        appel,
        seance_en_cours.id,
        *args,
        moteur=m,
        auteur=compte.courriel,
        role=compte.role,
        **kwargs,
    )


@rattraper
def aller(demande_id: int, cle_message: str = "_seance_msg_nav") -> None:
    fait = tenter(
        _conduite(conduite.aller_a, demande_id, version_attendue=seance_en_cours.version),
        cle_message,
        "Demande non changée",
    )
    if fait:
        st.session_state.pop("seance_cherche", None)


@rattraper
def changer_ordre() -> None:
    tenter(
        _conduite(
            conduite.choisir_ordre,
            st.session_state["seance_ordre"],
            version_attendue=seance_en_cours.version,
        ),
        "_seance_msg_ordre",
        "Ordre non changé",
    )


@rattraper
def trier_bloc() -> None:
    def trier() -> int:
        choisies = seance.bloc(
            ids, int(st.session_state["seance_bloc_de"]), int(st.session_state["seance_bloc_a"])
        )
        return _conduite(conduite.trier, choisies)()

    tenter(
        trier,
        "_seance_msg_triage",
        "Bloc non trié",
        lambda n: f"Demandes marquées « non discutées, suivent le classement » : {n}.",
    )


@rattraper
def ramener(demande_id: int) -> None:
    tenter(
        _conduite(conduite.ramener, demande_id),
        "_seance_msg_ramener",
        "Demande non ramenée",
        f"{par_id.loc[demande_id, 'no_demande']} ramenée à l'ordre du jour.",
    )


@rattraper
def noter_presents() -> None:
    texte = st.session_state.get("seance_libres_plus", "") or ""
    libres = [tuple(x.partition(",")[::2]) for x in texte.splitlines()]
    fait = tenter(
        _conduite(
            conduite.ajouter_presents,
            presents=st.session_state.get("seance_presents_plus", []),
            sans_compte=libres,
        ),
        "_seance_msg_presences",
        "Présences non notées",
        "Présences notées.",
    )
    if fait:
        st.session_state.pop("seance_libres_plus", None)
        st.session_state.pop("seance_presents_plus", None)


@rattraper
def retirer(presence_id: int) -> None:
    tenter(
        _conduite(conduite.retirer_present, presence_id),
        "_seance_msg_presences",
        "Présence non retirée",
    )


@rattraper
def fermer_seance() -> None:
    # Le succès s'affiche là où était « Ouvrir la séance » : la conduite disparaît.
    tenter(
        _conduite(conduite.fermer),
        "_seance_msg_conduite",
        "Séance non fermée",
        "Séance fermée.",
        cle_succes="_seance_msg_ouverture",
    )


if not len(table[table["statut"] == classement.CLASSE]) and not tout:
    st.info("Aucune demande classée pour l'instant : les évaluations soumises la classent.")
    st.stop()

if seance_en_cours is None:
    if preside:
        with st.expander("Ouvrir la séance", expanded=False, icon=":material/play_circle:"):
            st.multiselect(
                "Membres présents (comptes)",
                [c.courriel for c in comptes if c.actif],
                format_func=lambda c: noms.get(c, c),
                key="seance_presents",
                placeholder="Choisir dans les comptes",
                select_all=False,
            )
            st.text_area(
                "Personnes présentes sans compte : une par ligne, « Nom, fonction »",
                key="seance_libres",
                max_chars=SAISIE_MAX,
                placeholder="Marie Roy, secrétaire du comité",
            )
            st.selectbox(
                "Ordre de passage",
                ordres_offerts,
                format_func=seance.ORDRES.get,
                key="seance_ordre_ouverture",
            )
            st.button(
                "Ouvrir la séance",
                key="seance_ouvrir",
                type="primary",
                on_click=ouvrir_seance,
                icon=":material/play_arrow:",
            )
            st.caption(
                "Une fois la séance ouverte, l'écran de chaque membre suit la demande en cours. "
                "Sans séance ouverte, vous parcourez seul le classement."
            )
        # Hors de l'expander, qui est replié quand la séance vient d'être fermée.
        afficher_message("_seance_msg_ouverture")
    else:
        st.info(
            "Aucune séance ouverte : cette page suivra la présidence dès l'ouverture.",
            icon=":material/hourglass_empty:",
        )
        st.stop()

# --- La demande affichée ------------------------------------------------------------------

regarde_ailleurs = (
    seance_en_cours is not None and not preside and st.session_state.get(AILLEURS, False)
)
if seance_en_cours is None:
    # Sans séance : la présidence parcourt seule le classement (rien n'est suivi ni noté).
    position = min(st.session_state.get("seance_position", 0), len(ids) - 1)
    d = ids[max(position, 0)]
elif regarde_ailleurs:
    d = st.session_state.get(REGARD) or seance_en_cours.demande_courante or ids[0]
else:
    d = seance_en_cours.demande_courante or (ids[0] if ids else None)
if d is None or d not in par_id.index:
    st.info("L'ordre du jour est vide : ramenez une demande ou changez d'ordre.")
    st.stop()
d = int(d)
r = par_id.loc[d].to_dict()


def aller_local(pas: int) -> None:
    st.session_state["seance_position"] = max(0, min(len(ids) - 1, position + pas))


def regarder(pas: int) -> None:
    st.session_state[REGARD] = seance.voisine(ids, d, pas, complet)


k = ids.index(d) + 1 if d in ids else None
n1, n2, n3 = st.columns([2.2, 4, 2.2], vertical_alignment="center")
compteur = f"{k if k else '—'} / {len(ids)}"


def boutons_de_navigation(action, precedente, suivante, premiere: bool, derniere: bool) -> None:
    """« Précédente » et « Suivante », pleine largeur, qui appellent `action` avec
    `precedente` ou `suivante`."""
    n1.button(
        "Précédente",
        key="seance_prec",
        width="stretch",
        on_click=action,
        args=(precedente,),
        disabled=premiere,
    )
    n3.button(
        "Suivante",
        key="seance_suiv",
        width="stretch",
        on_click=action,
        args=(suivante,),
        disabled=derniere,
    )


if seance_en_cours is None:
    boutons_de_navigation(aller_local, -1, 1, k == 1, k == len(ids))
elif preside:
    boutons_de_navigation(
        aller,
        seance.voisine(ids, d, -1, complet) if ids else d,
        seance.voisine(ids, d, 1, complet) if ids else d,
        k == 1 or not ids,
        k == len(ids) or not ids,
    )
elif regarde_ailleurs:
    boutons_de_navigation(regarder, -1, 1, k == 1, k == len(ids))
n2.markdown(
    f"<div style='text-align:center;font-size:1.5em'>{compteur}</div>", unsafe_allow_html=True
)
if seance_en_cours is not None:
    qui = "vous regardez une autre demande" if regarde_ailleurs else "demande en cours"
    n2.caption(
        f"<div style='text-align:center'>Séance ouverte · {qui} · ordre : "
        f"{seance.ORDRES[seance_en_cours.ordre].lower()}</div>",
        unsafe_allow_html=True,
    )
afficher_message("_seance_msg_nav")

if seance_en_cours is not None and not preside:
    st.toggle(
        "Regarder une autre demande",
        key=AILLEURS,
        help="Votre écran cesse de suivre la présidence ; « Revenir » le fait suivre de nouveau.",
    )

# Aller à une demande : numéro, titre ou municipalité, sans égard aux accents ni à la casse.
if preside or regarde_ailleurs:
    cherche = st.text_input(
        "Aller à une demande (numéro, titre ou municipalité)",
        key="seance_cherche",
        max_chars=200,
        placeholder=seance.exemple_de_recherche(table),
    )
    if cherche:
        trouvees = seance.chercher(table, cherche, limite=8)
        if not trouvees:
            st.caption("Aucune demande ne correspond.")
        for t in trouvees:
            if preside and seance_en_cours is not None:
                rappel, args = aller, (t, "_seance_msg_nav")
            elif preside:
                rappel, args = (
                    lambda p: st.session_state.update(seance_position=p),
                    (ids.index(t) if t in ids else 0,),
                )
            else:
                rappel, args = (lambda x: st.session_state.update({REGARD: x}), (t,))
            st.button(
                litteral(intitule(t) + f" · {demandeur.noms(appel, [par_id.loc[t]])[0]}"),
                key=f"seance_aller::{t}",
                on_click=rappel,
                args=args,
                icon=":material/arrow_forward:",
            )

rang = "" if pd.isna(r["rang"]) else f"{int(r['rang'])}. "
st.header(f"{rang}{litteral(r['no_demande'])} · {litteral(r.get('titre') or '')}")
# Récusations (conflits des membres du comité)
# Revue de l'issue 16 : qui est en conflit d'intérêts sur la demande sort de la salle ; son
# écran ne montre pas le dossier (notes, commentaires, montants, décision), comme un
# évaluateur en conflit ne voit plus la demande. Les conflits sont lus une fois, par le
# composant des récusations.
hors_de_la_salle = afficher_recusations(
    appel,
    d,
    presents_de_la_seance,
    compte=compte,
    moteur=m,
    presences=seance_en_cours.presences if seance_en_cours else None,
)
if hors_de_la_salle:
    st.info(
        "Vous êtes en conflit d'intérêts sur cette demande : son dossier (notes, commentaires, "
        "montants, décision) ne vous est pas montré pendant sa délibération.",
        icon=":material/visibility_off:",
    )
nom_region = next((x.nom for x in appel.regions if x.code == r["region"]), "")
if appel.demandeur_organisme:
    # « Organisme requérant : X (NEQ …), siège : Municipalité, région » (appels.demandeur).
    st.markdown(litteral(demandeur.demandeur(appel, r).description))
else:
    st.markdown(
        f"**{litteral(r['municipalite'])}** · {litteral(nom_region)}"
        + (" · projet conjoint" if r["projet_conjoint"] else "")
    )
if classee := classification(r, appel):
    st.markdown(" · ".join(f"**{litteral(nom)}** : {litteral(valeur)}" for nom, valeur in classee))
if triage.get(d) == seance.NON_DISCUTEE:
    st.warning(
        "Non discutée : la présidence l'a triée, elle suit le classement.",
        icon=":material/low_priority:",
    )
    if peut_ramener:
        st.button(
            "Ramener à la discussion",
            key=f"seance_ramener_courante::{d}",
            on_click=ramener,
            args=(d,),
        )
        afficher_message("_seance_msg_ramener")

if not hors_de_la_salle:
    c1, c2, c3 = st.columns(3)
    c1.metric(
        "Total",
        "—" if pd.isna(r["total"]) else f"{note(r['total'])} / 100",
        help=consensus.regle_lisible(appel),
    )
    c2.metric(
        "Évaluations",
        f"{r['n_evaluations']} / {r['attendues']}",
        help="Évaluations soumises sur celles attendues.",
    )
    c3.metric(
        "Étendue du total",
        note(r["etendue_total"]),
        help="Écart entre le total le plus haut et le plus bas des évaluateurs.",
    )
    # Le statut en texte qui passe à la ligne (une métrique étroite le coupait).
    # Issue 19 : « financé » est la position au classement, « retenu » la décision.
    st.markdown(f"**{POSITION}** : {litteral(r['financement'] or r['statut'])}")
    if r["a_discuter"]:
        raisons = seance.divergences(r, appel)
        st.warning(
            "À discuter : les évaluateurs divergent. "
            + " ; ".join(
                f"{litteral(x.libelle)} : étendue de {note(x.etendue)} {x.sur} "
                f"(seuil {reglage(x.seuil)}, dépassé de {note(x.depassement)})"
                for x in raisons
            ),
            icon=":material/forum:",
        )
if r["raison"]:
    st.caption(litteral(r["raison"]))

if (r.get("resume") or "") and not pd.isna(r.get("resume")) and not hors_de_la_salle:
    with st.expander("Résumé du projet", expanded=True):
        st.markdown(litteral(str(r["resume"])))

# Notes de chaque évaluateur, et leurs commentaires (pas pour l'observateur).
lignes, commentaires = [], []
if voit_notes and not hors_de_la_salle:
    evaluations_demande = donnees.evaluations[donnees.evaluations["demande_id"].astype(int) == d]
    apres = evaluations_demande[evaluations_demande["modifiee_apres_consultation"].astype(bool)]
    if not apres.empty:
        st.warning(
            f"{MODIFIEE_APRES_CONSULTATION.capitalize()} : "
            + ", ".join(litteral(noms.get(e, e)) for e in apres["evaluateur"])
            + " (le détail est au journal et dans le suivi des évaluations).",
            icon=":material/visibility:",
        )
    for e in sorted(set(donnees.notes.loc[donnees.notes["demande_id"] == d, "evaluateur"])):
        lu = evaluations.lire(d, e, moteur=m)
        if not lu or lu[0] != SOUMISE:
            continue
        saisie = lu[1]
        # st.table interprète le Markdown de ses cellules : noms et libellés y sont littéraux.
        qui = litteral(noms.get(e, e))
        une = {"Évaluateur": qui}
        for c in appel.criteres:
            une[litteral(c.libelle.split(" ")[0])] = note(saisie.notes.get(c.id) or 0)
            if saisie.commentaires.get(c.id):
                commentaires.append(
                    f"**{qui}**, {litteral(c.libelle)} : {litteral(saisie.commentaires[c.id])}"
                )
        if saisie.commentaire_global:
            commentaires.append(f"**{qui}** : {litteral(saisie.commentaire_global)}")
        lignes.append(une)
# Sous les notes de chaque évaluateur : leur note agrégée (la moyenne, selon l'appel) et la
# note de consensus de la séance (issue 16), côte à côte, quelle que soit celle qui classe.
NOTE_EVALUATEURS = consensus.libelle_note_evaluateurs(appel)
moyennes = {"Évaluateur": NOTE_EVALUATEURS}
de_consensus = {"Évaluateur": consensus.NOTE_DE_CONSENSUS}
for c in appel.criteres:
    court = litteral(c.libelle.split(" ")[0])
    v = r.get(f"evaluateurs:{c.id}", r[f"note:{c.id}"])
    moyennes[court] = note(v)
    v = r.get(f"consensus:{c.id}")
    de_consensus[court] = note(v)
if not hors_de_la_salle:
    st.table(pd.DataFrame([*lignes, moyennes, de_consensus]).set_index("Évaluateur"))
if not voit_notes:
    st.caption("Les notes de chaque évaluateur ne sont pas montrées à l'observation.")
# Les motifs, la date et l'auteur du consensus : lus pour la seule demande affichée (le
# classement ne lit que les notes).
with m.connect() as connexion:
    consensus_inscrit = consensus.derniers(
        stockage.lire_historique_consensus(d, connexion=connexion)
    )
total_evaluateurs = r.get("total_evaluateurs", r["total"])
total_consensus = r.get("total_consensus")
if not hors_de_la_salle:
    st.caption(
        litteral(
            "Total des évaluateurs : "
            + ("—" if pd.isna(total_evaluateurs) else f"{note(total_evaluateurs)} / 100")
            + " · total de consensus : "
            + (
                f"{note(total_consensus)} / 100"
                if total_consensus is not None and not pd.isna(total_consensus)
                else (consensus.SANS_CONSENSUS if len(consensus_inscrit) == 0 else "incomplet")
            )
            + ". "
            + consensus.regle_lisible(appel)
        )
    )
if len(consensus_inscrit) and not hors_de_la_salle:
    dernier = consensus_inscrit.sort_values("id").iloc[-1]
    st.markdown(
        f"**Motifs du consensus** (inscrits le {date(dernier['date'].date())} par "
        f"{litteral(noms.get(dernier['auteur'], dernier['auteur']))}) : "
        f"{litteral(dernier['justification'])}"
    )


@rattraper
def inscrire_consensus(version: int) -> None:
    """Rappel de « Enregistrer le consensus » : `version` est celle du consensus affiché
    (refus si un autre a été inscrit entre-temps)."""
    notes_saisies = {
        c.id: st.session_state.get(f"seance_consensus::{d}::{c.id}") for c in appel.criteres
    }
    try:
        decisions.enregistrer_consensus(
            appel,
            d,
            notes_saisies,
            st.session_state.get(f"seance_consensus_motifs::{d}", "") or "",
            moteur=m,
            auteur=compte.courriel,
            role=compte.role,
            version_attendue=version,
        )
    except consensus.ErreurConsensus as exc:
        message("_seance_msg_consensus", "error", f"Consensus non enregistré : {exc}")
        return
    message("_seance_msg_consensus", "success", f"Consensus enregistré pour {r['no_demande']}.")


if preside and not hors_de_la_salle:
    inscrits = dict(zip(consensus_inscrit["critere"], consensus_inscrit["note"], strict=True))
    with st.expander("Note de consensus (présidence)", expanded=True, icon=":material/handshake:"):
        st.caption(
            "Une note par critère, sur l'échelle de l'appel "
            f"({reglage(appel.echelle_min)} à {reglage(appel.echelle_max)}, pas de "
            f"{reglage(appel.pas)}), proposée d'après la note des évaluateurs ; les motifs "
            "vont au procès-verbal. Réglage du comité : l'appel ne parle pas de consensus."
        )
        for colonne, c in zip(st.columns(len(appel.criteres)), appel.criteres, strict=True):
            depart = inscrits.get(c.id, r.get(f"evaluateurs:{c.id}", r[f"note:{c.id}"]))
            colonne.number_input(
                c.libelle.split(" ")[0],
                min_value=float(appel.echelle_min),
                max_value=float(appel.echelle_max),
                value=consensus.valeur_proposee(depart, appel),
                step=float(appel.pas),
                format=FORMAT_NOTE_SAISIE,
                key=f"seance_consensus::{d}::{c.id}",
                help=c.libelle,
                disabled=fermees,
            )
        st.text_area(
            "Motifs du consensus (obligatoires)",
            value=str(dernier["justification"]) if len(consensus_inscrit) else "",
            key=f"seance_consensus_motifs::{d}",
            max_chars=SAISIE_MAX,
            disabled=fermees,
        )
        st.button(
            "Enregistrer le consensus",
            key="seance_consensus",
            on_click=inscrire_consensus,
            args=(consensus.version(donnees.consensus, d),),
            disabled=fermees,
            icon=":material/handshake:",
        )
        afficher_message("_seance_msg_consensus")
        if fermees:
            st.caption("Les décisions sont verrouillées : le consensus ne change plus.")
if commentaires:
    with st.expander(f"Commentaires des évaluateurs ({len(commentaires)})", expanded=True):
        st.markdown("\n\n".join(commentaires))

recommandes = tuple(int(r[f"recommande_an{a + 1}"]) for a in range(annees))
if not hors_de_la_salle:
    # Montants côte à côte, et les dépenses retirées ligne par ligne.
    st.table(montants_cote_a_cote(r, appel).set_index("Année"))
    with m.connect() as connexion:
        lignes_budget = stockage.lire_lignes_budget(appel.id, connexion=connexion, demande_id=d)
    retirees = budget_explique(lignes_budget, appel)
    retirees = retirees[retirees["Retiré"] != ""]
    if not retirees.empty:
        with st.expander("Dépenses retirées du budget admissible"):
            st.table(
                retirees[
                    ["Année", "Catégorie de l'appel", "Catégorie déclarée", "Statut", "Retiré"]
                ]
                .map(lambda v: litteral(v) if isinstance(v, str) else v)
                .set_index("Année")
            )
    if r.get("bonification"):
        st.caption(
            f"Bonification fixée par la présidence : {montant(int(r['bonification']))} par année."
        )

    # Issue 19 : le même tableau « Financement » que les autres pages (ligne de financement
    # d'après le classement, décisions du comité, du ministère), puis le cumul jusqu'ici.
    st.table(portefeuille.bilan(table, appel))
    cumuls = [
        f"{montant(t.cumul)} en {t.periode}"
        for t in seance.totaux_en_cours(table, appel, d)
        if t.cumul is not None
    ]
    if cumuls:
        st.caption(
            "Cumul des montants recommandés, du premier rang jusqu'à cette demande "
            "(d'après le classement) : " + ", ".join(cumuls) + "."
        )

    # Les réglages non confirmés, sous les montants qu'ils touchent (pas au-dessus de la demande
    # projetée).
    bandeau_reglages(appel)

    # Recommandation et décision.
    accordes = ""
    if r["decision"]:
        accordes = (
            " ("
            + " + ".join(montant(int(r.get(f"accorde_an{a + 1}") or 0)) for a in range(annees))
            + ")"
        )
    st.markdown(
        "**Montant recommandé** : "
        + " + ".join(
            f"{montant(v)} ({periodes[a][0].year}-{periodes[a][1].year})"
            for a, v in enumerate(recommandes)
        )
        + f" · {POSITION.lower()} : "
        + (r["financement"] or r["statut"])
        + (f" · **décision du comité : {r['decision']}**{accordes}" if r["decision"] else "")
    )
    # Issue 16 : retenue à un autre montant que la recommandation en vigueur (montant modifié
    # après la décision) ; « Retenir (montant recommandé) » la met au montant recommandé.
    if ecart := financement.ecarts_de_montant(pd.DataFrame([r]), annees).get(d):
        st.warning(
            litteral(
                ecart.mention + " : « Retenir (montant recommandé) » met la décision au montant "
                "recommandé ; la page Classement permet de la garder."
            ),
            icon=":material/sync_problem:",
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
if preside and not hors_de_la_salle:
    st.text_input(
        "Justification (obligatoire si la décision s'écarte de la recommandation)",
        key=f"seance_justif::{d}",
        disabled=fermees,
        max_chars=SAISIE_MAX,
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
    afficher_message("_seance_msg")
    if fermees:
        st.caption("Les décisions sont verrouillées.")
    st.caption("Un autre montant se décide dans la page Classement (Montants et décisions).")
elif not hors_de_la_salle:
    st.caption("La présidence consigne les décisions.")

# --- L'ordre du jour : tri, demandes non discutées, conduite ----------------------------------

if seance_en_cours is not None:
    restantes = [t for t in complet if triage.get(t) == seance.NON_DISCUTEE]
    with st.expander(
        f"Non discutées, suivent le classement ({len(restantes)})", icon=":material/low_priority:"
    ):
        if not restantes:
            st.caption("Aucune demande triée.")
        for t in restantes:
            a, b = st.columns([4, 1], vertical_alignment="center")
            a.markdown(litteral(intitule(t)))
            if peut_ramener:
                b.button("Ramener", key=f"seance_ramener::{t}", on_click=ramener, args=(t,))
        afficher_message("_seance_msg_ramener")

if preside and seance_en_cours is not None:
    with st.expander("Conduite de la séance", icon=":material/tune:"):
        st.selectbox(
            "Ordre de passage",
            offerts := list(dict.fromkeys([*ordres_offerts, seance_en_cours.ordre])),
            index=offerts.index(seance_en_cours.ordre),
            format_func=seance.ORDRES.get,
            key="seance_ordre",
            on_change=changer_ordre,
        )
        afficher_message("_seance_msg_ordre")
        st.markdown("**Trier un bloc** (positions dans l'ordre du jour affiché)")
        t1, t2, t3 = st.columns([1, 1, 2], vertical_alignment="bottom")
        t1.number_input("De la position", 1, max(len(ids), 1), 1, key="seance_bloc_de")
        t2.number_input("À la position", 1, max(len(ids), 1), max(len(ids), 1), key="seance_bloc_a")
        t3.button(
            "Marquer « non discutées, suivent le classement »",
            key="seance_trier",
            on_click=trier_bloc,
            disabled=not ids,
        )
        afficher_message("_seance_msg_triage")

        st.markdown("**Présents**")
        for p in seance_en_cours.presences:
            a, b = st.columns([4, 1], vertical_alignment="center")
            a.markdown(litteral(seance.libelle_present(p, noms)))
            b.button("Retirer", key=f"seance_retirer::{p['id']}", on_click=retirer, args=(p["id"],))
        deja = {p["courriel"] for p in seance_en_cours.presences if p["courriel"]}
        st.multiselect(
            "Ajouter des comptes",
            [c.courriel for c in comptes if c.actif and c.courriel not in deja],
            format_func=lambda c: noms.get(c, c),
            key="seance_presents_plus",
            placeholder="Aucun compte choisi",
            select_all=False,
        )
        st.text_area(
            "Ajouter des personnes sans compte : une par ligne, « Nom, fonction »",
            key="seance_libres_plus",
            max_chars=SAISIE_MAX,
        )
        st.button("Noter ces présences", key="seance_noter_presents", on_click=noter_presents)
        afficher_message("_seance_msg_presences")
        st.divider()
        st.button(
            "Fermer la séance",
            key="seance_fermer",
            on_click=fermer_seance,
            icon=":material/stop_circle:",
        )
    afficher_message("_seance_msg_conduite")
elif preside:
    st.toggle("Inclure les demandes hors classement", key="seance_tout")

# --- Tirage au sort dans la zone grise (issue 16, si l'appel le permet) ---------------------
if preside and appel.tirage_zone_grise:
    with st.expander("Tirage au sort dans la zone grise", icon=":material/casino:"):
        section_tirage(
            appel,
            compte,
            m,
            table,
            solidite(calcul).reindex(table["demande_id"])["zone_grise"].to_numpy(dtype=bool),
            sous_titre=False,
        )

# --- Procès-verbal ------------------------------------------------------------------------


def _contenu(table_du_calcul: pd.DataFrame, jour, auteur, seance_id, lieu, secretariat):
    """Ce que dit le procès-verbal, lu au clic sur un bouton (`st.download_button` différé) :
    ni à l'ouverture de la page ni à chaque exécution (le classement entier y passe).
    Classement : celui de l'exécution de la page ; le reste, celui de la séance choisie
    (`sorties.proces_verbaux.contenu_de_la_seance`)."""
    return proces_verbaux.contenu_de_la_seance(
        appel,
        donnees,
        table_du_calcul,
        moteur=m,
        seance_id=seance_id,
        jour=jour,
        auteur=auteur,
        lieu=lieu,
        secretariat=secretariat,
        noms=noms,
    )


def _proces_verbal_html(*args) -> bytes:
    return proces_verbal(_contenu(*args)).encode("utf-8")


def _proces_verbal_pdf(*args) -> bytes:
    """Le PDF/A-3b, classeur du comité joint : quelques secondes sur un gros appel."""
    return proces_verbaux.pdf_de_la_seance(
        _contenu(*args), donnees, moteur=m, auteur=compte.courriel
    )


def _libelle_seance(s: conduite.Seance) -> str:
    quand = date_heure(s.ouverte_le)
    return f"Séance du {quand}" + (" (ouverte)" if s.ouverte else "")


if preside:
    st.divider()
    with st.expander("Procès-verbal de la séance"):
        toutes = conduite.seances(appel.id, moteur=m)
        choisie = None
        if toutes:
            choisie = st.selectbox(
                "Séance",
                toutes[::-1],
                format_func=_libelle_seance,
                key="pv_seance",
                help="Un procès-verbal par séance : ses présents, ses demandes discutées et "
                "triées, et qui était présent parmi les personnes récusées.",
            )
        jour = st.date_input(
            "Date de la séance",
            value=choisie.ouverte_le.date() if choisie else "today",
            key="pv_date",
            format=FORMAT_DATE_SAISIE,
        )
        lieu = st.text_input(
            "Lieu de la séance",
            key="pv_lieu",
            max_chars=200,
            help="Pour « Fait à … » au bloc de signature ; vide : une ligne à remplir à la main.",
        )
        secretariat = st.text_input(
            "Secrétariat de la séance",
            key="pv_secretariat",
            max_chars=200,
            help="Vide : la personne présente dont la fonction dit « secrétaire », sinon une "
            "ligne à remplir à la main.",
        )
        arguments = (
            table.copy(deep=False),
            jour,
            compte.nom,
            choisie.id if choisie else None,
            lieu,
            secretariat,
        )
        colonne_html, colonne_pdf = st.columns(2)
        colonne_html.download_button(
            "Télécharger le procès-verbal (HTML, à lire à l'écran)",
            data=partial(_proces_verbal_html, *arguments),
            file_name=f"{appel.id}_proces-verbal_{jour.isoformat()}.html",
            mime="text/html",
            key="pv_telecharger",
            icon=":material/description:",
            on_click="ignore",
        )
        colonne_pdf.download_button(
            "Télécharger le procès-verbal (PDF/A à signer, classeur joint)",
            data=partial(_proces_verbal_pdf, *arguments),
            file_name=f"{appel.id}_proces-verbal_{jour.isoformat()}.pdf",
            mime="application/pdf",
            key="pv_telecharger_pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
        )
        st.caption(
            "Les présents, les demandes discutées et celles triées sont ceux de la séance "
            "choisie (la dernière par défaut). Le PDF (PDF/A-3b, format Lettre) est celui à "
            "imprimer et à signer ; il contient le classeur Excel du comité en pièce jointe."
        )
