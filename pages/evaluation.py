"""Évaluation : la liste des demandes de l'évaluateur, puis une demande à la fois, lue à
gauche et notée à droite (curseurs, commentaires, brouillon ou soumission, doute
d'admissibilité, conflit d'intérêts).

Les valeurs des curseurs vivent dans la session sous des clés propres à chaque demande ;
elles sont chargées depuis la base à l'ouverture d'une demande, et comparées à ce qui est
stocké pour savoir s'il reste des modifications à enregistrer.
"""

import pandas as pd
import streamlit as st

from evaluation.appels import confirmations, demandeur, reglages
from evaluation.appels.configuration import appel_depuis_toml
from evaluation.decision import financement
from evaluation.depot.lecture import LIMITES as LIMITES_GRILLE
from evaluation.depot.validation import cle_numero
from evaluation.notes import attributions, evaluations, examens, repartition, suivi
from evaluation.notes.evaluations import importer_grille
from evaluation.notes.fiche import (
    avertissements,
    budget_de_la_fiche,
    classification,
    formulaire,
    libelle_secteur,
    montants_cote_a_cote,
    resume,
)
from evaluation.notes.filtrage import ErreurFiltrage
from evaluation.notes.grilles import construire_grille, lire_grille
from evaluation.notes.saisie import (
    BROUILLON,
    SOUMISE,
    ErreurEvaluation,
    EvaluationPerimee,
    Saisie,
    problemes_saisie,
    total_pondere,
)
from evaluation.socle import stockage
from evaluation.socle.droits import voit_notes_des_autres
from evaluation.socle.formats import date_heure, heure, pluriel, reglage
from evaluation.socle.formats import note as note_affichee
from evaluation.socle.texte import SAISIE_MAX, litteral
from pages.composants.commun import appel_actif, moteur, version_donnees
from pages.composants.connexion import exiger_acces
from pages.composants.erreurs import rattraper
from pages.composants.francais import televerseur
from pages.composants.pieces_jointes import liste_pour_evaluation

compte = exiger_acces("evaluation")
appel = appel_actif()
m = moteur()

COPIES = "_eval_copies"  # saisies non enregistrées, gardées hors des widgets
COURANTE, EN_ATTENTE, CHARGEE, MESSAGE, PERIMEE = (
    "_eval_courante",
    "_eval_attente",
    "_eval_chargee",
    "_eval_msg",
    "_eval_perimee",
)
ECHELLE = [None, *appel.valeurs_echelle()]
# Où s'affiche le message d'une action : sous le contrôle qui l'a causée (issue 16).
NOTATION, DOUTE, CONFLIT, GRILLE = "notation", "doute", "conflit", "grille"


def afficher_message(ou: str | None) -> None:
    """Le message gardé (genre, texte, endroit) s'il doit s'afficher `ou` ; None : où que
    ce soit (un message dont l'endroit n'est pas montré cette fois, en bas de page)."""
    message = st.session_state.get(MESSAGE)
    if message and (ou is None or message[2] == ou):
        del st.session_state[MESSAGE]
        genre, texte, _ = message
        {"success": st.success, "error": st.error, "info": st.info}[genre](litteral(texte))


def boutons():
    """Une rangée de boutons à la largeur de leur libellé, qui passe à la ligne plutôt que
    de couper un libellé (« Enregistrer le bro… » dans trois colonnes égales, à 1366 px)."""
    return st.container(horizontal=True, gap="small")


def en_texte(table: pd.DataFrame) -> pd.DataFrame:
    """Les cellules de `table` telles quelles dans st.table, qui lit le Markdown (« $ »)."""
    return table.map(lambda v: litteral(v) if isinstance(v, str) else v)


def cle(genre: str, demande_id: int, sous: str = "") -> str:
    return f"{genre}::{demande_id}::{sous}"


def note_lisible(note: float | None) -> str:
    """Une graduation du curseur, comme Paramètres écrit l'échelle : « 7 », « 7,5 », « 7,25 »."""
    return "—" if note is None else reglage(note)


# Dans le libellé de chaque curseur : sa position seule ne dit pas l'échelle.
ECHELLE_EN_CLAIR = f"note de {note_lisible(appel.echelle_min)} à {note_lisible(appel.echelle_max)}"


def stockee(demande_id: int) -> tuple[str | None, Saisie, int]:
    """(statut, saisie, version) enregistrés ; (None, saisie vide, 0) sans évaluation."""
    lu = evaluations.lire_avec_version(demande_id, compte.courriel, moteur=m)
    return lu if lu else (None, Saisie(), 0)


def charger_widgets(demande_id: int, demande: dict) -> None:
    """Place la saisie stockée dans les curseurs et les champs de la demande ; retient la
    version lue, que l'enregistrement rendra pour ne rien écraser de plus récent (un autre
    onglet, une grille). L'admissibilité n'est plus jugée ici : l'analyste l'examine avant
    la notation (page Admissibilité) ; l'évaluateur qui en doute la signale."""
    statut, saisie, version = stockee(demande_id)
    for c in appel.criteres:
        note = saisie.notes.get(c.id)
        st.session_state[cle("note", demande_id, c.id)] = (
            min(ECHELLE[1:], key=lambda v: abs(v - note)) if note is not None else None
        )
        st.session_state[cle("comm", demande_id, c.id)] = saisie.commentaires.get(c.id, "")
    st.session_state[cle("global", demande_id)] = saisie.commentaire_global
    st.session_state[CHARGEE] = (demande_id, statut, saisie.nettoyee(), version)


def cles_widgets(demande_id: int) -> list[str]:
    return [
        *(cle("note", demande_id, c.id) for c in appel.criteres),
        *(cle("comm", demande_id, c.id) for c in appel.criteres),
        cle("global", demande_id),
    ]


def oublier_copie(demande_id: int) -> None:
    st.session_state.setdefault(COPIES, {}).pop(demande_id, None)


def saisie_des_widgets(demande_id: int) -> Saisie:
    etat = st.session_state
    chargee = etat.get(CHARGEE)
    # Ce qu'une évaluation d'avant l'examen d'admissibilité portait reste tel quel.
    avant = chargee[2] if chargee and chargee[0] == demande_id else Saisie()
    return Saisie(
        notes={c.id: etat.get(cle("note", demande_id, c.id)) for c in appel.criteres},
        commentaires={c.id: etat.get(cle("comm", demande_id, c.id), "") for c in appel.criteres},
        commentaire_global=etat.get(cle("global", demande_id), ""),
        admissibilite=dict(avant.admissibilite),
        admissible=avant.admissible,
        raison_inadmissibilite=avant.raison_inadmissibilite,
    )


def modifiee(demande_id: int) -> bool:
    """Vrai si les champs de la demande diffèrent de ce qui est enregistré. Seuls les
    curseurs et les commentaires comptent : l'admissibilité, jugée par l'analyste, n'a plus
    de champ ici (une suggestion du fichier y faisait croire, après l'import d'une grille,
    à des « modifications non enregistrées » que personne n'avait faites)."""
    chargee = st.session_state.get(CHARGEE)
    if not chargee or chargee[0] != demande_id:
        return False
    return saisie_des_widgets(demande_id).nettoyee() != chargee[2]


def aller_a(demande_id: int | None) -> None:
    """Ouvre une autre demande ; si la courante a des modifications, demande d'abord."""
    courante = st.session_state.get(COURANTE)
    if demande_id is None or demande_id == courante:
        return
    if courante is not None and modifiee(courante):
        st.session_state[EN_ATTENTE] = demande_id
        return
    st.session_state[COURANTE] = demande_id
    st.session_state.pop(EN_ATTENTE, None)


def au_choix() -> None:
    aller_a(st.session_state.get("choix_demande"))


def version_lue(demande_id: int) -> int | None:
    chargee = st.session_state.get(CHARGEE)
    return chargee[3] if chargee and chargee[0] == demande_id else None


@rattraper
def enregistrer(
    demande_id: int, statut: str, puis: int | None = None, version: int | None = None
) -> None:
    """Enregistre la saisie courante ; le message dit ce qui s'est passé. `version` : celle
    contre laquelle écrire (par défaut, celle que la page a lue)."""
    saisie = saisie_des_widgets(demande_id)
    problemes = problemes_saisie(saisie, appel, statut)
    if problemes:
        st.session_state[MESSAGE] = (
            "error",
            "Évaluation non soumise : " + " ".join(problemes),
            NOTATION,
        )
        return
    try:
        evaluations.enregistrer(
            appel,
            demande_id,
            compte.courriel,
            saisie,
            statut,
            moteur=m,
            auteur=compte.courriel,
            version_attendue=version_lue(demande_id) if version is None else version,
        )
    except EvaluationPerimee as exc:
        st.session_state[MESSAGE] = ("error", str(exc), NOTATION)
        st.session_state[PERIMEE] = (demande_id, statut)
        return
    except ErreurEvaluation as exc:
        st.session_state[MESSAGE] = ("error", str(exc), NOTATION)
        return
    st.session_state.pop(PERIMEE, None)
    quand = heure(stockage.maintenant())
    texte = "Évaluation soumise" if statut == SOUMISE else "Brouillon enregistré"
    st.session_state[MESSAGE] = ("success", f"{texte} à {quand}.", NOTATION)
    st.session_state.pop(CHARGEE, None)
    oublier_copie(demande_id)
    if puis is not None:
        st.session_state[COURANTE] = puis
        st.session_state.pop(EN_ATTENTE, None)


@rattraper
def rouvrir(demande_id: int) -> None:
    _, saisie, version = stockee(demande_id)
    try:
        evaluations.enregistrer(
            appel,
            demande_id,
            compte.courriel,
            saisie,
            BROUILLON,
            moteur=m,
            auteur=compte.courriel,
            version_attendue=version,
        )
    except ErreurEvaluation as exc:
        st.session_state[MESSAGE] = ("error", str(exc), NOTATION)
        return
    st.session_state[MESSAGE] = (
        "info",
        "Évaluation rouverte : elle redevient un brouillon ; soumettez-la de nouveau une fois "
        "corrigée (l'historique garde chaque changement).",
        NOTATION,
    )
    st.session_state.pop(CHARGEE, None)
    oublier_copie(demande_id)


def recharger(demande_id: int) -> None:
    """Après un refus pour version périmée : la version enregistrée remplace la saisie."""
    oublier_copie(demande_id)
    st.session_state.pop(CHARGEE, None)
    st.session_state.pop(PERIMEE, None)


@rattraper
def remplacer(demande_id: int, statut: str) -> None:
    """Après un refus pour version périmée, et en connaissance de cause : la saisie de la
    page remplace la version enregistrée (le journal garde les deux)."""
    _, _, version = stockee(demande_id)
    enregistrer(demande_id, statut, version=version)


def abandonner(puis: int) -> None:
    oublier_copie(st.session_state.get(COURANTE))
    st.session_state.pop(CHARGEE, None)
    st.session_state[COURANTE] = puis
    st.session_state.pop(EN_ATTENTE, None)


def rester() -> None:
    st.session_state.pop(EN_ATTENTE, None)


@rattraper
def signaler_doute(demande_id: int) -> None:
    """Un doute sur l'admissibilité, avec sa raison : l'analyste ou la présidence le règle
    (page Admissibilité) ; la notation continue en attendant."""
    raison = st.session_state.get(cle("doute", demande_id), "")
    try:
        examens.signaler(appel, demande_id, compte.courriel, raison, moteur=m)
    except ErreurFiltrage as exc:
        st.session_state[MESSAGE] = ("error", f"Doute non signalé : {exc}", DOUTE)
        return
    st.session_state[MESSAGE] = (
        "info",
        "Doute d'admissibilité signalé : l'analyste ou la présidence le réglera.",
        DOUTE,
    )
    st.session_state[cle("doute", demande_id)] = ""


@rattraper
def declarer(demande_id: int, suivante: int | None) -> None:
    raison = st.session_state.get(cle("conflit", demande_id), "")
    try:
        attributions.declarer_conflit(
            appel.id, demande_id, compte.courriel, raison, moteur=m, auteur=compte.courriel
        )
    except repartition.ErreurAttribution as exc:
        st.session_state[MESSAGE] = ("error", f"Conflit non déclaré : {exc}", CONFLIT)
        return
    st.session_state[MESSAGE] = (
        "info",
        "Conflit d'intérêts déclaré : la demande est retirée de votre liste.",
        CONFLIT,
    )
    st.session_state.pop(CHARGEE, None)
    oublier_copie(demande_id)
    st.session_state[COURANTE] = suivante


# --- Données ----------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def _mes_demandes(configuration_toml: str, courriel: str, url: str, version: int):
    """Les demandes de l'évaluateur, sa liste telle que la page la montre et le libellé de
    chacune, gardés tant que rien ne change dans la base (`version` : la version des
    données, qu'augmente chaque écriture validée, dont chaque enregistrement d'une
    évaluation) : un curseur bougé ou un filtre ne relit rien."""
    appel = appel_depuis_toml(configuration_toml)
    mes = evaluations.charger_mes_demandes(appel.id, courriel, moteur=moteur())
    liste = suivi.liste_evaluateur(mes.demandes, mes.evaluations, mes.attributions, courriel)
    regions = {r.code: r.nom for r in appel.regions}
    # Le demandeur dans les mots de l'appel : l'organisme, ou la municipalité requérante.
    par_id = dict(
        zip(
            mes.demandes["id"].astype(int).tolist(),
            demandeur.colonne_noms(appel, mes.demandes),
            strict=True,
        )
    )
    noms = [par_id.get(int(i), "") for i in liste["demande_id"].tolist()]
    tableau = pd.DataFrame(
        {
            "No": liste["no_demande"],
            demandeur.libelle_court(appel): noms,
            "Titre": liste["titre"],
            "Région": liste["region"].map(regions).fillna(liste["region"]),
            "Axe": ["" if pd.isna(a) else int(a) for a in liste["axe"].tolist()],
            "État": liste["etat"],
        }
    )
    if not appel.axes:
        tableau = tableau.drop(columns="Axe")
    libelles = {
        int(i): f"{no} · {nom} · {titre[:70]} — {etat}"
        for i, no, nom, titre, etat in zip(
            liste["demande_id"].tolist(),
            liste["no_demande"].tolist(),
            noms,
            liste["titre"].tolist(),
            liste["etat"].tolist(),
            strict=True,
        )
    }
    numeros = dict(
        zip(mes.demandes["id"].tolist(), mes.demandes["no_demande"].tolist(), strict=True)
    )
    return mes.attributions, liste, tableau, libelles, numeros


version = version_donnees()
etat, liste, tableau, libelles, numeros = _mes_demandes(
    appel.source_toml, compte.courriel, stockage.url_par_defaut(), version
)
verrouille = etat.reglages.verrouille

st.title("Évaluation")
soumises, total = suivi.progression(liste)
st.progress(
    soumises / total if total else 0.0,
    text=f"{soumises} / {total} soumises",
)
if verrouille:
    st.info(
        "Les évaluations de cet appel sont verrouillées par la présidence du comité : vous "
        "pouvez relire vos notes, plus les modifier.",
        icon=":material/lock:",
    )
mes_conflits = etat.conflits_de(compte.courriel)
if mes_conflits:
    st.caption(
        "Hors de votre liste pour conflit d'intérêts : "
        + " ; ".join(
            f"{litteral(numeros.get(c.demande_id, c.demande_id))} ({litteral(c.raison)})"
            for c in mes_conflits
        )
    )
if total == 0:
    st.info(
        "Aucune demande à évaluer pour l'instant : les demandes vous sont attribuées une fois "
        "importées par l'administration.",
        icon=":material/inbox:",
    )
    afficher_message(None)
    st.stop()

# --- Filtres et choix de la demande ------------------------------------------------------

regions = {r.code: r.nom for r in appel.regions}
f1, f2, f3, f4 = st.columns(4)
# Un appel sans axes (ou sans secteurs) n'offre pas ce filtre (issue 18).
axes = (
    f1.multiselect(
        "Axe",
        sorted(int(a) for a in liste["axe"].dropna().unique()),
        format_func=lambda n: f"Axe {n}",
        key="filtre_axes",
        placeholder="Tous",
        select_all=False,
    )
    if appel.axes
    else []
)
secteurs = (
    f2.multiselect(
        "Secteur",
        sorted(s for s in liste["secteur"].unique() if s),
        format_func=lambda s: libelle_secteur(appel, s),
        key="filtre_secteurs",
        placeholder="Tous",
        select_all=False,
    )
    if appel.secteurs
    else []
)
choix_regions = f3.multiselect(
    "Région",
    sorted(r for r in liste["region"].unique() if r),
    format_func=lambda r: f"{r} – {regions.get(r, r)}",
    key="filtre_regions",
    placeholder="Toutes",
    select_all=False,
)
choix_etats = f4.multiselect(
    "État",
    list(suivi.ETATS),
    key="filtre_etats",
    placeholder="Tous",
    select_all=False,
)
filtree = suivi.filtrer(
    liste, axes=axes, secteurs=secteurs, regions=choix_regions, etats=choix_etats
)
ids = filtree["demande_id"].tolist()

courante = st.session_state.get(COURANTE)
if courante not in libelles:
    a_faire = filtree.loc[filtree["etat"] != suivi.SOUMISE, "demande_id"].tolist()
    courante = (a_faire or ids or [None])[0]
    st.session_state[COURANTE] = courante
if courante not in ids and ids and not modifiee(courante):
    courante = ids[0]  # les filtres l'écartent : on ouvre la première qui passe
    st.session_state[COURANTE] = courante
if courante is None:
    st.info("Aucune demande ne passe ces filtres.")
    st.stop()
options = ids if courante in ids else [courante, *ids]

affichees = f"{len(filtree)} sur {total}" if len(filtree) != total else str(total)
with st.expander(f"Liste de mes demandes ({affichees})"):
    st.dataframe(
        tableau if len(filtree) == total else tableau[liste["demande_id"].isin(ids)],
        hide_index=True,
        width="stretch",
    )

precedente, suivante = suivi.voisines(ids, courante)
n1, n2, n3 = st.columns([1.4, 6, 1.4], vertical_alignment="bottom")
n1.button(
    "Précédente",
    icon=":material/chevron_left:",
    key="precedente",
    disabled=precedente is None,
    on_click=aller_a,
    args=(precedente,),
    width="stretch",
)
st.session_state["choix_demande"] = courante
n2.selectbox(
    "Demande",
    options,
    format_func=libelles.__getitem__,
    key="choix_demande",
    on_change=au_choix,
)
n3.button(
    "Suivante",
    icon=":material/chevron_right:",
    key="suivante",
    disabled=suivante is None,
    on_click=aller_a,
    args=(suivante,),
    width="stretch",
)

with m.connect() as connexion:
    demande = stockage.lire_demande(int(courante), connexion=connexion)
chargee = st.session_state.get(CHARGEE)
if (
    not chargee
    or chargee[0] != courante
    or cle("note", courante, appel.criteres[0].id) not in st.session_state
):
    charger_widgets(courante, demande)
    # Revenue d'une autre page : Streamlit a effacé les widgets, pas la copie. La copie
    # reprend aussi la version sur laquelle elle a été faite : l'enregistrer ne peut pas
    # écraser ce qu'un autre onglet a enregistré entre-temps.
    if copie := st.session_state.get(COPIES, {}).get(courante):
        for k, v in copie["valeurs"].items():
            st.session_state[k] = v
        st.session_state[CHARGEE] = copie["chargee"]
statut = st.session_state[CHARGEE][1]

if (attente := st.session_state.get(EN_ATTENTE)) is not None and attente in libelles:
    with st.container(border=True):
        st.warning(
            f"La demande {litteral(demande['no_demande'])} a des modifications non "
            "enregistrées. Que faire avant d'ouvrir la demande "
            f"{litteral(numeros[attente])} ?",
            icon=":material/edit_note:",
        )
        rangee = boutons()
        rangee.button(
            "Enregistrer le brouillon et continuer",
            key="attente_enregistrer",
            type="primary",
            on_click=enregistrer,
            args=(courante, BROUILLON, attente),
            disabled=statut == SOUMISE or verrouille,
            wrap=True,
        )
        rangee.button(
            "Abandonner les modifications",
            key="attente_abandonner",
            on_click=abandonner,
            args=(attente,),
            wrap=True,
        )
        rangee.button("Rester sur cette demande", key="attente_rester", on_click=rester, wrap=True)

# --- La demande, à gauche ; la notation, à droite ----------------------------------------

# La fiche a la place d'un budget de quatre colonnes sans rien couper à 1366 px.
lecture, notation = st.columns([6, 7], gap="large")
with lecture:
    st.markdown(
        f"#### {litteral(demande['no_demande'])} · "
        + (litteral(demande.get("titre")) or "Sans titre")
    )
    if classee := classification(demande, appel):
        st.caption(" · ".join(litteral(valeur) for _, valeur in classee))
    if isinstance(demande.get("resume"), str) and demande["resume"].strip():
        st.markdown(litteral(demande["resume"]))
    st.markdown(
        "\n".join(
            f"- **{libelle}** : {litteral(valeur)}" for libelle, valeur in resume(demande, appel)
        )
    )
    with st.expander("Formulaire de la demande", expanded=True):
        for titre_champ, texte in formulaire(demande, appel):
            st.markdown(f"**{litteral(titre_champ)}**  \n{litteral(texte)}")
    with m.connect() as connexion:
        lignes = stockage.lire_lignes_budget(
            appel.id, connexion=connexion, demande_id=int(courante)
        )
        bonifications = stockage.lire_bonifications(appel.id, connexion=connexion)
    bonus = int(
        financement.bonifications_par_demande(pd.DataFrame([demande]), bonifications, appel)[0]
    )
    st.markdown("**Budget**")
    if lignes.empty:
        st.caption("Aucune ligne de budget importée : le budget admissible est nul.")
    else:
        # Un tableau HTML, pas une grille : ses cellules passent à la ligne au lieu de couper
        # un montant dans la colonne étroite, et un lecteur d'écran le lit.
        st.table(en_texte(budget_de_la_fiche(lignes, appel)), hide_index=True)
    st.markdown("**Montants** (recommandé selon la règle de l'appel, avant toute décision)")
    # L'évaluateur n'y peut rien : une ligne discrète, pas le bandeau des pages de décision
    # (Classement, Séance, Portefeuille, Comparaison) qui renvoie à l'administration.
    if confirmations.reglages_non_confirmes(appel, moteur=m) or reglages.sans_source(appel):
        st.caption(
            "Montants calculés selon des réglages que l'administration n'a pas encore tous "
            "confirmés ; ils ne changent rien à votre notation."
        )
    # Une colonne par année : la colonne de la fiche est étroite.
    montants = montants_cote_a_cote(
        financement.montants_de_la_demande(demande, lignes, appel, bonus), appel
    )
    st.table(
        en_texte(montants.set_index("Année").T.rename_axis("Montant").reset_index()),
        hide_index=True,
    )
    for texte in avertissements(demande):
        st.warning(litteral(texte), icon=":material/warning:")
    liste_pour_evaluation(appel, int(courante), compte, m)

fige = statut == SOUMISE or verrouille


@st.fragment
def panneau_de_notation(courante: int, statut: str | None, fige: bool) -> None:
    """Les curseurs et les commentaires de la demande, avec le total en direct.

    Un fragment : bouger un curseur ou écrire un commentaire ne relance que ce panneau, pas
    la page (la liste, la fiche, le budget) : environ 0,25 s par geste dans Chromium contre
    0,5 s pour la page entière (tests/navigateur/test_notation_rapide.py). Les boutons qui
    enregistrent sont hors du fragment : enregistrer relance toute la page (progression,
    état dans la liste, message)."""
    saisie = saisie_des_widgets(courante)
    total = total_pondere(saisie.notes, appel)
    notees = sum(1 for n in saisie.notes.values() if n is not None)
    t1, t2 = st.columns(2)
    t1.metric(
        "Total pondéré",
        f"{note_affichee(total)} / 100" if total is not None else "—",
        help=f"Somme des poids × note / {note_lisible(appel.echelle_max)} ; "
        f"seuil de l'appel : {reglage(appel.seuil_global)} / 100.",
    )
    t2.metric(
        "Critères notés",
        f"{notees} / {len(appel.criteres)}",
        help="Statut : " + {None: "à faire", BROUILLON: "brouillon", SOUMISE: "soumise"}[statut],
    )
    for c in appel.criteres:
        with st.container(border=True):
            st.select_slider(
                # Sans Markdown : le libellé est aussi le nom lu par un lecteur d'écran.
                f"{litteral(c.libelle)} · {reglage(c.poids)} points · {ECHELLE_EN_CLAIR}",
                options=ECHELLE,
                format_func=note_lisible,
                key=cle("note", courante, c.id),
                help=litteral(c.description),
                disabled=fige,
            )
            st.caption(
                "Tout à gauche, « — » : pas encore notée.  \n"
                f"**Basse** : {litteral(c.note_basse)}  \n"
                f"**Moyenne** : {litteral(c.note_moyenne)}  \n"
                f"**Haute** : {litteral(c.note_haute)}"
            )
            st.text_area(
                f"Commentaire : {litteral(c.libelle)}",
                key=cle("comm", courante, c.id),
                height=68,
                disabled=fige,
                placeholder="Commentaire sur ce critère (facultatif)",
                label_visibility="collapsed",
                max_chars=SAISIE_MAX,
            )
    st.text_area(
        "Commentaire global",
        key=cle("global", courante),
        disabled=fige,
        max_chars=SAISIE_MAX,
    )

    modifications = modifiee(courante)
    if modifications:
        st.session_state.setdefault(COPIES, {})[courante] = {
            "valeurs": {k: st.session_state.get(k) for k in cles_widgets(courante)},
            "chargee": st.session_state[CHARGEE],
        }
    else:
        oublier_copie(courante)
    if modifications and not fige:
        st.caption(":orange[Modifications non enregistrées.]")


with notation:
    panneau_de_notation(courante, statut, fige)
    if verrouille:
        pass
    elif statut == SOUMISE:
        # Une seule annonce : juste après la soumission, elle en dit l'heure.
        message = st.session_state.get(MESSAGE)
        soumise = "Évaluation soumise."
        if message and message[0] == "success" and message[2] == NOTATION:
            soumise = st.session_state.pop(MESSAGE)[1]
        st.success(
            f"{soumise} Vous pouvez la rouvrir pour la modifier tant que la présidence n'a "
            "pas verrouillé les évaluations.",
            icon=":material/task_alt:",
        )
        st.button(
            "Rouvrir pour modifier",
            key="rouvrir",
            icon=":material/lock_open:",
            on_click=rouvrir,
            args=(courante,),
        )
    else:
        rangee = boutons()
        rangee.button(
            "Enregistrer le brouillon",
            key="brouillon",
            icon=":material/save:",
            on_click=enregistrer,
            args=(courante, BROUILLON),
            wrap=True,
        )
        rangee.button(
            "Soumettre l'évaluation",
            key="soumettre",
            type="primary",
            icon=":material/send:",
            on_click=enregistrer,
            args=(courante, SOUMISE),
            wrap=True,
        )
        rangee.button(
            "Soumettre et passer à la suivante",
            key="soumettre_suivante",
            icon=":material/fast_forward:",
            on_click=enregistrer,
            args=(courante, SOUMISE, suivante),
            disabled=suivante is None,
            wrap=True,
        )
    afficher_message(NOTATION)
    perimee = st.session_state.get(PERIMEE)
    if perimee is not None and perimee[0] == st.session_state.get(COURANTE):
        rangee = boutons()
        rangee.button(
            "Recharger la version enregistrée",
            key="perimee_recharger",
            type="primary",
            on_click=recharger,
            args=(perimee[0],),
            help="Vos saisies non enregistrées de cette demande sont abandonnées.",
            wrap=True,
        )
        rangee.button(
            "Remplacer par mes valeurs",
            key="perimee_remplacer",
            on_click=remplacer,
            args=perimee,
            help="Vos valeurs à l'écran remplacent la version enregistrée ; le journal garde "
            "l'une et l'autre.",
            wrap=True,
        )

    if voit_notes_des_autres(compte.role, appel, statut):
        with m.connect() as connexion:
            toutes = stockage.lire_notes_de_la_demande(int(courante), connexion=connexion)
        autres = toutes[(toutes["evaluateur"] != compte.courriel) & (toutes["statut"] == SOUMISE)]
        with st.expander(f"Notes des autres évaluateurs ({autres['evaluateur'].nunique()})"):
            if autres.empty:
                st.caption("Aucune autre évaluation soumise pour l'instant.")
            else:
                # Le navigateur reçoit ces notes dès maintenant (expander fermé ou non).
                evaluations.noter_consultation(appel, int(courante), compte.courriel, moteur=m)
                st.caption(
                    "Vous voyez les notes des autres : si vous changez ensuite une note ou "
                    "votre jugement d'admissibilité, "
                    + (
                        "ce sera refusé (réglage du comité)."
                        if appel.apres_consultation == "refuser"
                        else "la présidence le verra (« modifiée après consultation des "
                        "autres notes »)."
                    )
                )
                libelles = {c.id: c.libelle for c in appel.criteres}
                st.dataframe(
                    autres.pivot_table(
                        index="evaluateur", columns="critere", values="note", aggfunc="first"
                    ).rename(columns=libelles),
                    width="stretch",
                )

    if not verrouille:
        with st.expander("Signaler un doute d'admissibilité"):
            st.caption(
                "L'analyste a jugé cette demande admissible avant la notation. Si le dossier "
                "vous fait douter d'une condition de l'appel, dites laquelle et pourquoi : "
                "l'analyste ou la présidence tranchera. Vous pouvez continuer à noter."
            )
            st.text_input("Raison du doute", key=cle("doute", courante), max_chars=SAISIE_MAX)
            st.button(
                "Signaler le doute",
                key="signaler_doute",
                on_click=signaler_doute,
                args=(courante,),
            )
        afficher_message(DOUTE)
        with st.expander("Déclarer un conflit d'intérêts"):
            st.caption(
                "Vous connaissez personnellement le projet, y travaillez, ou en tirez un "
                "intérêt : déclarez-le. La demande quitte votre liste et vos notes n'y "
                "compteront pas."
            )
            st.text_input("Raison", key=cle("conflit", courante), max_chars=SAISIE_MAX)
            st.button(
                "Déclarer le conflit",
                key="declarer_conflit",
                on_click=declarer,
                args=(courante, suivante or precedente),
            )
        afficher_message(CONFLIT)

# --- Hors ligne ---------------------------------------------------------------------------

st.divider()
with st.expander("Évaluer hors ligne (grille Excel)"):
    st.caption(
        "Téléchargez votre grille (une ligne par demande qui vous est attribuée, une colonne "
        "par critère), remplissez-la, puis importez-la ici. Une ligne sans « brouillon » dans "
        "la colonne Statut est une évaluation soumise."
    )

    def grille() -> bytes:
        with m.connect() as connexion:
            toutes = stockage.lire_demandes(appel.id, connexion=connexion)
        mes_demandes = toutes[toutes["id"].astype(int).isin(libelles)]
        siennes = evaluations.lire_les_siennes(appel.id, compte.courriel, moteur=m)
        deja = {d: lu[1] for d, lu in siennes.items() if d in libelles}
        versions = {d: lu[2] for d, lu in siennes.items() if d in libelles}
        return construire_grille(
            appel, mes_demandes.to_dict("records"), compte.courriel, deja=deja, versions=versions
        )

    st.download_button(
        "Télécharger ma grille (.xlsx)",
        data=grille,
        file_name=f"grille-{appel.id}-{compte.courriel.split('@')[0]}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="telecharger_grille",
        icon=":material/download:",
        on_click="ignore",
    )
    fichier = televerseur(
        "Grille remplie",
        key="grille_remplie",
        taille_max=LIMITES_GRILLE.taille_max,
        disabled=verrouille,
    )
    if fichier is not None:
        par_numero = {cle_numero(n): i for i, n in numeros.items()}
        lecture_grille = lire_grille(
            fichier.name,
            fichier.getvalue(),
            appel,
            demandes_par_numero=par_numero,
            comptes=[compte],
            evaluateur_par_defaut=compte.courriel,
            attributions=etat,
        )
        for p in lecture_grille.problemes:
            (st.error if p.bloque else st.warning)(
                litteral(f"{p.fichier}, {p.emplacement} : {p.message}")
                if p.emplacement
                else litteral(p.message)
            )
        valides = lecture_grille.lignes_valides
        if lecture_grille.sans_blocage:
            st.caption(
                f"{pluriel(len(lecture_grille.lignes), 'ligne lue', 'lignes lues')}, sans problème."
            )
        elif valides:
            refusees = len(lecture_grille.lignes_refusees)
            st.caption(
                f"{pluriel(refusees, 'ligne refusée', 'lignes refusées')} (voir ci-dessus : "
                "feuille, ligne et colonne de chacune, et quoi corriger). Vous pouvez importer "
                f"les {pluriel(len(valides), 'ligne valide', 'lignes valides')} maintenant, "
                "puis corriger les autres et réimporter la grille."
            )
        else:
            st.caption("Rien n'est enregistré tant que ces problèmes restent.")
        if valides and st.button(
            "Importer la grille"
            if lecture_grille.sans_blocage
            else f"Importer les {pluriel(len(valides), 'ligne valide', 'lignes valides')}",
            key="importer_grille",
            type="primary",
        ):
            try:
                n = importer_grille(
                    lecture_grille,
                    appel,
                    moteur=m,
                    auteur=compte.courriel,
                    lignes_valides=not lecture_grille.sans_blocage,
                )
            except ErreurEvaluation as exc:
                st.error(f"Rien n'est enregistré : {litteral(exc)}")
            else:
                st.session_state.pop(CHARGEE, None)
                st.session_state.pop(COPIES, None)
                st.session_state[MESSAGE] = (
                    "success",
                    f"Grille importée : "
                    f"{pluriel(n, 'changement inscrit', 'changements inscrits')} au journal.",
                    GRILLE,
                )
                st.rerun()
        afficher_message(GRILLE)

if statut is not None:
    modifie_le = liste.loc[liste["demande_id"] == courante, "modifie_le"].iloc[0]
    if modifie_le is not None and not pd.isna(modifie_le):
        st.caption(f"Dernier enregistrement : {date_heure(modifie_le)}.")

# Un message dont l'endroit n'a pas été montré (demande changée, appel verrouillé).
afficher_message(None)
