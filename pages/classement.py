"""Classement : le tableau classé, la ligne de financement face à l'enveloppe de chaque
année, les règles appliquées, les pondérations simulées, et (présidence) les montants
recommandés modifiés et les décisions du comité."""

from functools import partial

import pandas as pd
import streamlit as st

from evaluation.appels import demandeur
from evaluation.appels.configuration import lecture_annees_financieres
from evaluation.decision import (
    classement,
    consensus,
    conventions,
    decisions,
    financement,
    ministere,
    portefeuille,
)
from evaluation.notes import attributions
from evaluation.notes.fiche import (
    dimension_parmi,
    id_secteur,
    libelle_secteur,
    montants_cote_a_cote,
)
from evaluation.socle import stockage
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.formats import (
    arrondi,
    date,
    date_heure,
    montant,
    note,
    pluriel,
    pourcentage,
    reglage,
)
from evaluation.socle.roles import ADMIN, PRESIDENT
from evaluation.socle.texte import SAISIE_MAX, litteral
from evaluation.sorties import classeur as exportation
from evaluation.sorties import proces_verbaux
from evaluation.sorties.tableaux import libelles_dimension
from pages.composants.commun import (
    afficher_accord_du_panel,
    appel_actif,
    bandeau_reglages,
    classement_calcule,
    moteur,
    par_valeur,
    solidite,
)
from pages.composants.connexion import exiger_acces
from pages.composants.declarations import declarations_acceptees, formulaire_conflit
from pages.composants.erreurs import oublier_version, version_a_l_ouverture
from pages.composants.messages import REFUS, SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message
from pages.composants.montants import champ_montant
from pages.composants.telechargements import telecharger_csv
from pages.composants.verrous import Inacheves, bouton_verrou

compte = exiger_acces("classement")
appel = appel_actif()
m = moteur()
presidence = compte.role in (ADMIN, PRESIDENT)

calcul = classement_calcule(appel)
donnees, table = calcul.donnees, calcul.table
ligne = classement.ligne_du_classement(table, appel)
robustesse = solidite(calcul)
table["zone_grise"] = table["demande_id"].map(robustesse["zone_grise"]).fillna(False).astype(bool)
table["probabilite"] = table["demande_id"].map(robustesse["probabilite"])
annees = financement.nombre_annees(appel)
periodes = appel.financement.annees_financieres()
regions = {r.code: r.nom for r in appel.regions}
decisions_fermees = donnees.reglages.decisions_verrouillees
# Les poids ont changé après la première évaluation soumise : le rang sous les pondérations
# de l'appel reste affiché à côté du rang officiel.
poids_changes = donnees.poids_appel is not None
RANG_APPEL = "Rang (pondérations de l'appel)"
# « Total » : la note qui classe ([classement] note_retenue) ; la note des évaluateurs et celle
# du consensus de la séance à côté (issue 16).
NOTE_EVALUATEURS = consensus.libelle_note_evaluateurs(appel)
REGLE_NOTE = consensus.regle_lisible(appel).partition(" : ")

st.title("Classement")
bandeau_reglages(appel)
if table.empty:
    st.info("Aucune demande importée pour cet appel.")
    st.stop()

# --- L'enveloppe, année par année ----------------------------------------------------------
# Issue 19 : la ligne de financement (d'après le classement), les décisions du comité et
# celles du ministère, côte à côte et nommées pareil dans toutes les pages.
st.table(portefeuille.bilan(table, appel))
classees = table[table["statut"] == classement.CLASSE]
colonnes = st.columns(3)
colonnes[0].metric(
    "Demandes classées",
    len(classees),
    help="Demandes classées (évaluées, au-dessus du seuil) ; celles sous la ligne de "
    "financement sont comptées dans le tableau « Financement » ci-dessus.",
)
colonnes[1].metric(
    "À discuter",
    int(table["a_discuter"].sum()),
    help=f"Zone grise : {pluriel(int(table['zone_grise'].sum()), 'demande')} dont l'intervalle de "
    "rang (1 000 rééchantillonnages des évaluateurs) franchit la ligne de financement.",
)

with st.expander("Règles appliquées", expanded=False):
    poids = donnees.poids
    source = (
        f"adoptés le {date(donnees.ponderation['date'].date())} par "
        f"{litteral(donnees.ponderation['auteur'])}"
        + (
            f" (raison : {litteral(donnees.ponderation['raison'])})"
            if donnees.ponderation.get("raison")
            else ""
        )
        if donnees.ponderation
        else "ceux de l'appel"
    )
    st.markdown(
        f"- **Note d'un critère** : {appel.agregation.replace('_', ' ')} des évaluations "
        "soumises (hors conflits d'intérêts).\n"
        f"- **{REGLE_NOTE[0]}** : {litteral(REGLE_NOTE[2])}\n"
        f"- **Total sur 100** : Σ poids × note / {reglage(appel.echelle_max)} ; poids ({source}) : "
        + ", ".join(f"{litteral(c.libelle)} {reglage(poids[c.id])}" for c in appel.criteres)
        + ".\n"
        f"- **Seuil** : {reglage(appel.seuil_global)} / 100"
        + "".join(
            f" ; {litteral(c.libelle)} au moins {reglage(c.minimum)}"
            for c in appel.criteres
            if c.minimum is not None
        )
        + ".\n"
        "- **Statuts**, dans cet ordre : inadmissible (l'examen d'admissibilité le dit, "
        "jamais un vote des évaluateurs), admissibilité à établir (pas encore examinée, ou "
        "une condition à vérifier : ni classée, ni financée), non évalué, sous le seuil, "
        "classé.\n"
        "- **Dépôt** : date limite "
        + (
            f"{date(appel.date_limite)}, jour compris (l'appel « s'est terminé le » "
            f"{date(appel.date_limite)}) ; une demande déposée après est en retard, du nombre "
            "de jours indiqué. Une date de dépôt absente du fichier est celle de "
            "l'importation (présumée) : postérieure à la date limite, le dépôt est à vérifier."
            if appel.date_limite
            else "aucune (l'appel n'en fixe pas)."
        )
        + "\n"
        f"- **Années financières** : {litteral(lecture_annees_financieres(appel.financement))}\n"
        "- **Départage des ex æquo** : "
        + " ; puis ".join(
            litteral(classement.libelle_regle(r, appel)) for r in classement.regles_departage(appel)
        )
        + ".\n"
        f"- **À discuter** : étendue d'au moins {reglage(appel.ecart_critere_a_discuter)} "
        f"points sur un critère ou {reglage(appel.ecart_total_a_discuter)} points sur le total.\n"
        "- **Montant recommandé** : "
        + litteral(financement.regle_en_une_phrase(appel))
        + " Sauf autre montant fixé par la présidence, avec une raison.\n"
        "- **Ligne de financement** : "
        + (
            "en descendant le classement, une demande est financée tant que le cumul tient "
            "dans l'enveloppe de chaque année ; la première qui ne tient pas et les suivantes "
            "vont en liste d'attente."
            if appel.mode_ligne == "stricte"
            else "en descendant le classement, une demande qui ne tient pas dans l'enveloppe "
            "est sautée et l'on continue avec les suivantes."
        )
    )

# --- Filtres -------------------------------------------------------------------------------
# Un appel sans axes (ou sans secteurs) n'offre pas ce filtre, ni la colonne vide qui le
# tiendrait ; chaque dimension déclarée a le sien, sous les autres (issue 18).
colonnes_filtres = iter(st.columns(bool(appel.axes) + bool(appel.secteurs) + 3))
axes = (
    next(colonnes_filtres).multiselect(
        "Axe",
        [a.numero for a in appel.axes],
        key="cl_axes",
        placeholder="Tous",
        select_all=False,
    )
    if appel.axes
    else []
)
secteurs = (
    next(colonnes_filtres).multiselect(
        "Secteur",
        [s.id for s in appel.secteurs],
        format_func=lambda s: libelle_secteur(appel, s),
        key="cl_secteurs",
        placeholder="Tous",
        select_all=False,
    )
    if appel.secteurs
    else []
)
f3, f4, f5 = colonnes_filtres
choix_dimensions: dict[str, list[str]] = {}
if appel.dimensions:
    for colonne_filtre, dim in zip(
        st.columns(max(len(appel.dimensions), 3)), appel.dimensions, strict=False
    ):
        choix_dimensions[dim.id] = colonne_filtre.multiselect(
            litteral(dim.libelle),
            [v.id for v in dim.valeurs],
            format_func=lambda v, dim=dim: dim.libelle_valeur(v),
            key=f"cl_dimension_{dim.id}",
            placeholder="Toutes",
            select_all=False,
        )
choix_regions = f3.multiselect(
    "Région",
    list(regions),
    format_func=lambda r: f"{r} – {regions[r]}",
    key="cl_regions",
    placeholder="Toutes",
    select_all=False,
)
statuts = f4.multiselect(
    "Statut",
    list(classement.ORDRE_STATUTS),
    key="cl_statuts",
    placeholder="Tous",
    select_all=False,
)
discuter_d_abord = f5.toggle("À discuter d'abord", key="cl_discuter")
garde = pd.Series(True, index=table.index)
if axes:
    garde &= table["axe"].isin(axes)
if secteurs:
    garde &= par_valeur(table["secteur"], lambda s: id_secteur(appel, s)).isin(secteurs)
for id_dimension, voulues in choix_dimensions.items():
    if voulues:
        # Une demande à plusieurs valeurs passe si l'une d'elles est choisie.
        garde &= dimension_parmi(table, id_dimension, voulues)
if choix_regions:
    garde &= table["region"].isin(choix_regions)
if statuts:
    garde &= table["statut"].isin(statuts)
vue = table[garde]
if discuter_d_abord:
    vue = vue.sort_values("a_discuter", ascending=False, kind="stable")


@st.cache_resource(max_entries=2, show_spinner=False)
def _textes(_table: pd.DataFrame, cle: tuple) -> pd.DataFrame:
    """Les colonnes chères à mettre en forme (notes, montants, probabilités, secteurs,
    libellés des dimensions déclarées), pour tout le classement (même index que `_table`) :
    une fois par calcul (`cle`), pas à chaque exécution ; chaque partie affichée n'en prend
    que ses lignes."""

    def argent(v):
        return "" if pd.isna(v) else montant(int(v))

    colonnes = {
        "Total": par_valeur(_table["total"], lambda v: note(v, "")),
        NOTE_EVALUATEURS: par_valeur(_table["total_evaluateurs"], lambda v: note(v, "")),
        consensus.NOTE_DE_CONSENSUS: [
            note(v, "") if not pd.isna(v) else consensus.texte_consensus(None, c)
            for v, c in zip(_table["total_consensus"], _table["note_classee"], strict=True)
        ],
        "Zone grise": [
            "zone grise" if z else ("" if pd.isna(p) else pourcentage(p, 0))
            for z, p in zip(_table["zone_grise"], _table["probabilite"], strict=True)
        ],
        "Écart-type": par_valeur(_table["ecart_type_total"], lambda v: note(v, "")),
        "Étendue": par_valeur(_table["etendue_total"], lambda v: note(v, "")),
        "Secteur": par_valeur(_table["secteur"], lambda s: libelle_secteur(appel, s)),
    }
    for dim in appel.dimensions:
        ids = _table[f"dimension:{dim.id}"].tolist() if f"dimension:{dim.id}" in _table else []
        libelles = {v: libelles_dimension(appel, dim.id, v) for v in dict.fromkeys(ids)}
        colonnes[f"dimension:{dim.id}"] = [libelles[v] for v in ids] or ["—"] * len(_table)
    for nom, cle_ in exportation.COLONNES_PARTS.items():
        colonnes[nom] = par_valeur(_table[cle_], lambda v: "" if pd.isna(v) else pourcentage(v))
    for a in range(annees):
        n = a + 1
        for cle_, nom in (
            ("recommande", "Recommandé"),
            ("cumul", "Cumul"),
            ("admissible", "Admissible"),
        ):
            colonnes[f"{nom} an {n}"] = par_valeur(_table[f"{cle_}_an{n}"], argent)
        colonnes[f"Demandé an {n}"] = par_valeur(_table[f"montant_demande_an{n}"], argent)
        retire = (
            _table[f"non_admissible_an{n}"].astype("Int64")
            + _table[f"exces_plafond_an{n}"].astype("Int64")
            + _table[f"a_confirmer_an{n}"].astype("Int64")
        )
        colonnes[f"Non admissible an {n}"] = par_valeur(retire, argent)
    for c in appel.criteres:
        colonnes[c.libelle.split(" ")[0]] = par_valeur(
            _table[f"note:{c.id}"], lambda v: note(v, "")
        )
    return pd.DataFrame(colonnes, index=_table.index)


textes = _textes(table, calcul.cle)


def afficher(partie: pd.DataFrame, cle: str) -> None:
    """Le tableau d'une partie du classement, en français, une ligne par demande."""
    if partie.empty:
        st.caption("Aucune demande.")
        return
    deja = textes.loc[partie.index]
    donnees_affichees = {
        "Rang": partie["rang"].map(lambda r: "" if pd.isna(r) else int(r)),
        # À côté du rang, pour les comparer d'un coup d'œil (issue 19).
        "Rang calibré": partie["rang_calibre"].map(lambda r: "" if pd.isna(r) else int(r)),
    }
    if poids_changes:
        donnees_affichees[RANG_APPEL] = partie["rang_appel"].map(
            lambda r: "" if pd.isna(r) else int(r)
        )
    donnees_affichees |= {
        "No": partie["no_demande"],
        demandeur.libelle_court(appel): demandeur.colonne_noms(appel, partie),
        "Total": deja["Total"],
        NOTE_EVALUATEURS: deja[NOTE_EVALUATEURS],
        consensus.NOTE_DE_CONSENSUS: deja[consensus.NOTE_DE_CONSENSUS],
        "Évaluations": [
            f"{n} / {a}" + (" !" if n < a else "")
            for n, a in zip(partie["n_evaluations"], partie["attendues"], strict=True)
        ],
        "À discuter": partie["a_discuter"].map({True: "à discuter", False: ""}),
        "Zone grise": deja["Zone grise"],
        "Statut": [
            f if s == classement.CLASSE else s
            for s, f in zip(partie["statut"], partie["financement"], strict=True)
        ],
    }
    for a in range(annees):
        n = a + 1
        donnees_affichees[f"Demandé an {n}"] = deja[f"Demandé an {n}"]
        donnees_affichees[f"Non admissible an {n}"] = deja[f"Non admissible an {n}"]
        donnees_affichees[f"Admissible an {n}"] = deja[f"Admissible an {n}"]
        donnees_affichees[f"Recommandé an {n}"] = deja[f"Recommandé an {n}"]
        donnees_affichees[f"Cumul an {n}"] = deja[f"Cumul an {n}"]
    # Issue 17 : ce que le comité inscrit est sa recommandation ; la décision du ministère
    # est à côté (vide tant qu'il n'a pas décidé).
    donnees_affichees["Recommandation du comité"] = partie["decision"]
    donnees_affichees["Décision du ministère"] = [
        d + (f" ({e})" if d and e == ministere.MODIFIEE else "")
        for d, e in zip(partie["decision_ministere"], partie["etat_ministere"], strict=True)
    ]
    donnees_affichees["Dépôt"] = partie["depot"]
    for nom in exportation.COLONNES_PARTS:
        donnees_affichees[nom] = deja[nom]
    for c in appel.criteres:
        donnees_affichees[c.libelle.split(" ")[0]] = deja[c.libelle.split(" ")[0]]
    donnees_affichees["Écart-type"] = deja["Écart-type"]
    donnees_affichees["Étendue"] = deja["Étendue"]
    donnees_affichees["Région"] = partie["region"].map(lambda r: regions.get(r, r or ""))
    if appel.axes:
        donnees_affichees["Axe"] = partie["axe"].map(lambda a: "" if pd.isna(a) else int(a))
    if appel.secteurs:
        donnees_affichees["Secteur"] = deja["Secteur"]
    for dim in appel.dimensions:
        donnees_affichees[dim.libelle] = deja[f"dimension:{dim.id}"]
    donnees_affichees["Départage"] = partie["departage"]
    donnees_affichees["Raison"] = partie["raison"]
    st.dataframe(pd.DataFrame(donnees_affichees), hide_index=True, width="stretch", key=cle)


# --- Le classement, coupé par la ligne de financement ---------------------------------------
financees = vue[(vue["statut"] == classement.CLASSE) & (vue["financement"] == financement.FINANCE)]
attente = vue[(vue["statut"] == classement.CLASSE) & (vue["financement"] == financement.ATTENTE)]
hors = vue[vue["statut"] != classement.CLASSE]
st.subheader(f"Financées ({len(financees)})")
afficher(financees, "cl_financees")
restants = " · ".join(
    f"{periodes[a][0].year}-{periodes[a][1].year} : {montant(int(ligne.restant[a]))}"
    for a in range(annees)
)
# Une information, pas une erreur (issue 19) : encadré neutre.
st.info(
    f"**Ligne de financement** (d'après le classement) : au-dessus, les demandes financées "
    f"dans l'enveloppe ; au-dessous, la liste d'attente. "
    f"{portefeuille.RESTANTS[portefeuille.LIGNE]} : {restants}.",
    icon=":material/horizontal_rule:",
)
st.subheader(f"Liste d'attente ({len(attente)})")
afficher(attente, "cl_attente")
st.subheader(f"Hors classement ({len(hors)})")
afficher(hors, "cl_hors")
with st.container(border=True):
    st.markdown("**Exporter**")
    e1, e2 = st.columns([2, 3], vertical_alignment="bottom")
    tout_l_appel = e1.toggle(
        "Tout l'appel (sinon : les filtres ci-dessus)", value=True, key="export_tout"
    )
    if e1.button("Préparer le classeur Excel", key="preparer_export", icon=":material/table:"):
        a_exporter = table if tout_l_appel else vue.sort_index()
        filtres = (
            ""
            if tout_l_appel
            else " ; ".join(
                f"{nom} : {', '.join(map(str, valeurs))}"
                for nom, valeurs in (
                    ("axe", axes),
                    ("secteur", secteurs),
                    *(
                        (
                            dim.libelle,
                            [dim.libelle_valeur(v) for v in choix_dimensions.get(dim.id, [])],
                        )
                        for dim in appel.dimensions
                    ),
                    ("région", choix_regions),
                    ("statut", statuts),
                )
                if valeurs
            )
        )
        instant = stockage.maintenant()
        st.session_state["_export"] = (
            exportation.nom_fichier(appel, instant.date()),
            # Le même classeur que celui joint au procès-verbal (sorties.proces_verbaux).
            proces_verbaux.classeur_du_comite(
                appel,
                donnees,
                a_exporter,
                moteur=m,
                auteur=compte.courriel,
                instant=instant,
                avec_evaluations=presidence,
                filtres=filtres,
                suivi=conventions.suivi(appel, moteur=m, au=instant.date()).tableau,
            ),
        )
    if "_export" in st.session_state:
        nom, contenu = st.session_state["_export"]
        e2.download_button(
            f"Télécharger {nom}",
            data=contenu,
            file_name=nom,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="telecharger_export",
            icon=":material/download:",
            on_click="ignore",
            type="primary",
        )


# Deux formes du même fichier (issue 19) : Excel en français, données pour un programme.
# Écrits au clic, pas à chaque ouverture de la page (5 000 lignes : ~0,3 s) ; d'une copie de
# la table telle qu'elle est ici, que la suite de la page ne modifie pas.
telecharger_csv(
    st,
    "le classement",
    partial(classement.pour_fichier, table.copy(deep=False), appel),
    nom=f"{appel.id}_classement",
    cle="cl_csv",
)

# --- Pondérations simulées -------------------------------------------------------------------
if compte.role == ADMIN:
    with m.connect() as connexion:
        soumises = stockage.compter_evaluations_soumises(appel.id, connexion=connexion)
with st.expander("Simuler d'autres pondérations"):
    st.caption(
        "Les curseurs changent le classement ci-dessous sans toucher aux notes ni aux poids "
        "officiels. Les poids sont ramenés à un total de 100 pour la simulation."
    )
    cols = st.columns(len(appel.criteres))
    simules = {}
    for col, c in zip(cols, appel.criteres, strict=True):
        simules[c.id] = col.slider(
            litteral(c.libelle.split(" ")[0]),
            min_value=0,
            max_value=60,
            # Un poids de 12,5 part de 13 (la moitié vers le haut, comme formats), pas de
            # 12 (l'arrondi au pair de `round`).
            value=int(arrondi(donnees.poids[c.id])),
            step=1,
            key=f"poids::{c.id}",
            help=litteral(c.libelle),
        )
    somme = sum(simules.values())
    if somme == 0:
        st.warning("Au moins un poids doit être positif.")
    else:
        normalises = {k: v * 100 / somme for k, v in simules.items()}
        if all(abs(normalises[k] - donnees.poids[k]) < 1e-9 for k in normalises):
            changements = classement.comparer(table, table)  # rien ne bouge
        else:
            simule = classement.classement(appel, donnees, normalises)
            changements = classement.comparer(table, simule)
        st.caption(
            f"Total des curseurs : {somme}"
            + (" (ramené à 100)." if somme != 100 else ".")
            + f" {pluriel(len(changements), 'demande bouge', 'demandes bougent')}."
        )
        if not changements.empty:
            st.dataframe(
                pd.DataFrame(
                    {
                        "No": changements["no_demande"],
                        "Rang officiel": changements["rang"].map(
                            lambda r: "" if pd.isna(r) else int(r)
                        ),
                        "Rang simulé": changements["rang_simule"].map(
                            lambda r: "" if pd.isna(r) else int(r)
                        ),
                        "Déplacement": changements["deplacement"].map(
                            lambda d: "" if pd.isna(d) else f"{int(d):+d}"
                        ),
                        "Ligne de financement": changements["franchit"],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        version_poids = version_a_l_ouverture(
            "poids", int(donnees.ponderation["id"]) if donnees.ponderation else 0
        )
        raison_poids, confirme_poids = "", False
        if compte.role == ADMIN and soumises:
            st.caption(
                f"{pluriel(soumises, 'évaluation déjà soumise', 'évaluations déjà soumises')}"
                " : les poids ont été fixés avant la "
                "notation. Les changer demande une raison écrite et votre confirmation ; le "
                "rang sous les pondérations de l'appel restera affiché à côté."
            )
            raison_poids = st.text_input(
                "Raison du changement de poids", key="poids_raison", max_chars=SAISIE_MAX
            )
            confirme_poids = st.checkbox(
                "Je confirme changer les poids après le début de la notation",
                key="poids_confirme",
            )
        if compte.role == ADMIN and st.button(
            "Adopter ces pondérations",
            key="adopter_poids",
            disabled=somme != 100,
            help="Elles deviennent les poids officiels de l'appel (journalisé, daté).",
        ):
            oublier_version("poids")
            try:
                decisions.adopter_poids(
                    appel,
                    {k: float(v) for k, v in simules.items()},
                    moteur=m,
                    auteur=compte.courriel,
                    version_attendue=version_poids,
                    raison=raison_poids,
                    confirme=confirme_poids,
                )
            except classement.ErreurClassement as exc:
                annoncer("adopter_poids", REFUS, f"Refusé : {exc}")
            else:
                annoncer(
                    "adopter_poids",
                    SUCCES,
                    "Nouvelles pondérations adoptées (inscrites au journal).",
                )
            st.rerun()
        afficher_message("adopter_poids")

# --- Historique des pondérations -------------------------------------------------------------
with st.expander("Historique des pondérations", expanded=poids_changes):
    historique = classement.historique_poids(
        appel, donnees.ponderations, {x.courriel: x.nom for x in lister_comptes(moteur=m)}
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Date": ["—" if h["date"] is None else date_heure(h["date"]) for h in historique],
                "Par": [h["auteur"] for h in historique],
                "Poids": [h["poids"] for h in historique],
                "Raison": [h["raison"] for h in historique],
                "Après la notation": ["oui" if h["apres_notation"] else "" for h in historique],
            }
        ),
        hide_index=True,
        width="stretch",
        key="cl_historique_poids",
    )

# --- Accord du panel ---------------------------------------------------------------------------
if presidence:
    with st.expander("Accord entre évaluateurs et générosité de chacun"):
        afficher_accord_du_panel(
            appel, calcul, {x.courriel: x.nom for x in lister_comptes(moteur=m)}
        )

# --- Présidence : montants et décisions ------------------------------------------------------
presidence = presidence and declarations_acceptees(appel, compte, m)  # Issue 16
if presidence:
    st.divider()
    st.subheader("Montants et décisions")
    if decisions_fermees:
        st.info(
            "Les décisions de cet appel sont verrouillées : seule l'administration peut les "
            "rouvrir.",
            icon=":material/lock:",
        )
    options = [int(d) for d in table["demande_id"]]
    position = {d: i for i, d in enumerate(options)}
    libelles = {
        d: ("" if pd.isna(rang) else f"{int(rang)}. ") + f"{no} · {nom}"
        for d, rang, no, nom in zip(
            options,
            table["rang"],
            table["no_demande"],
            demandeur.colonne_noms(appel, table),
            strict=True,
        )
    }

    def ligne_de(d: int) -> dict:
        """La ligne du classement d'une demande (seules les demandes choisies sont lues)."""
        return table.iloc[position[d]].to_dict()

    libelle = libelles.__getitem__

    def accordes_et_recommandes(ecart: financement.Ecart) -> str:
        return (
            f"décision « retenu » à {' + '.join(montant(v) for v in ecart.accorde)} ; montant "
            f"recommandé en vigueur : {' + '.join(montant(v) for v in ecart.recommande)}"
        )

    def proposer_mise_a_jour(d: int) -> None:
        """Issue 16 : la demande `d` est retenue à un autre montant que sa recommandation en
        vigueur (après un montant modifié) : les deux montants, et le choix de mettre la
        décision à jour ou de la garder, sous le contrôle du montant."""
        if message := st.session_state.pop("_mt_decision_msg", None):
            (st.success if message[0] == "success" else st.error)(litteral(message[1]))
        ecart = financement.ecarts_de_montant(table.iloc[[position[d]]], annees).get(d)
        version = financement.version_decision(donnees.decisions, d)
        if ecart is None or st.session_state.get("_mt_garder") == (d, version, ecart.recommande):
            return
        st.warning(
            litteral(
                f"{ecart.no_demande} : {accordes_et_recommandes(ecart)}. Mettre la décision "
                "à jour au nouveau montant ?"
            ),
            icon=":material/sync_problem:",
        )
        mettre, garder = st.columns(2)
        if mettre.button(
            "Mettre la décision à jour au nouveau montant",
            key="mt_maj_decision",
            disabled=decisions_fermees,
        ):
            r = ligne_de(d)
            raisons = [
                x["raison"]
                for x in donnees.modifications
                if int(x["demande_id"]) == d and x.get("raison")
            ]
            try:
                decisions.enregistrer_decision(
                    appel,
                    d,
                    financement.RETENU,
                    ecart.recommande,
                    "Montant accordé mis au montant recommandé modifié"
                    + (f" ({raisons[-1]})" if raisons else ""),
                    recommandation=(r["financement"] or r["statut"], ecart.recommande),
                    moteur=m,
                    auteur=compte.courriel,
                    version_attendue=version,
                )
            except financement.ErreurFinancement as exc:
                st.error(litteral(f"Décision non mise à jour : {exc}"), icon=":material/block:")
            else:
                st.session_state["_mt_decision_msg"] = (
                    "success",
                    f"Décision de {ecart.no_demande} mise à jour : retenu à "
                    + " + ".join(montant(v) for v in ecart.recommande)
                    + ".",
                )
                st.rerun()
        if garder.button("Garder la décision", key="mt_garder_decision"):
            st.session_state["_mt_garder"] = (d, version, ecart.recommande)
            st.session_state["_mt_decision_msg"] = (
                "success",
                f"Décision de {ecart.no_demande} gardée à "
                + " + ".join(montant(v) for v in ecart.accorde)
                + " : les exportations signalent l'écart à la recommandation.",
            )
            st.rerun()

    def decider_en_lot() -> None:
        """Issue 16 : plusieurs demandes classées choisies dans le tableau (sélection de
        lignes de `st.dataframe`), une décision et une raison pour toutes."""
        classees_ = table[table["statut"] == classement.CLASSE]
        with st.container(border=True):
            st.markdown("**Décider plusieurs demandes ensemble**")
            st.caption(
                "Cochez les lignes du tableau, choisissez la décision et donnez une raison, la "
                "même pour toutes. « Retenu » accorde à chacune son montant recommandé en "
                "vigueur. Tout ou rien : une demande refusée (conflit d'intérêts, quorum…) "
                "arrête le lot."
            )
            if classees_.empty:
                st.caption("Aucune demande classée.")
                return
            tour = st.session_state.setdefault("_lot_tour", 0)
            vue = pd.DataFrame(
                {
                    "Rang": classees_["rang"].map(int).to_numpy(),
                    "No": classees_["no_demande"].to_numpy(),
                    demandeur.libelle_court(appel): demandeur.colonne_noms(appel, classees_),
                    # Issue 19 : « financé » est la position au classement, « retenu » la
                    # décision du comité ; deux noms pour deux choses.
                    portefeuille.POSITION: classees_["financement"].to_numpy(),
                    # Colonne par colonne (5 000 classées : pas de ligne en dictionnaire).
                    "Recommandé": [
                        " + ".join(montant(int(v)) for v in valeurs)
                        for valeurs in zip(
                            *(classees_[f"recommande_an{a + 1}"] for a in range(annees)),
                            strict=True,
                        )
                    ],
                    "Décision du comité": classees_["decision"].fillna("").to_numpy(),
                }
            )
            evenement = st.dataframe(
                vue,
                hide_index=True,
                width="stretch",
                on_select="rerun",
                selection_mode="multi-row",
                key=f"lot_tableau::{tour}",
            )
            lignes_choisies = sorted(evenement.selection.rows)
            choisies = [int(classees_["demande_id"].iloc[i]) for i in lignes_choisies]
            st.caption(
                "Choisies : "
                + (", ".join(vue["No"].iloc[lignes_choisies]) if choisies else "aucune")
                + "."
            )
            decision_lot = st.radio(
                "Décision",
                list(financement.DECISIONS),
                format_func=lambda x: (
                    "retenu (montant recommandé)" if x == financement.RETENU else x
                ),
                horizontal=True,
                key="lot_decision",
            )
            raison_lot = st.text_area(
                "Justification (obligatoire, la même pour toutes)",
                key="lot_justification",
                max_chars=SAISIE_MAX,
            )
            version_lot = version_a_l_ouverture(
                "lot", financement.version_decision(donnees.decisions)
            )
            version_lot_montants = version_a_l_ouverture(
                "lot_montants", financement.version_montants(donnees.modifications)
            )
            if st.button(
                f"Décider {pluriel(len(choisies), 'demande choisie', 'demandes choisies')}"
                if choisies
                else "Choisissez des demandes dans le tableau",
                key="lot_enregistrer",
                disabled=decisions_fermees or not choisies,
            ):
                oublier_version("lot")
                oublier_version("lot_montants")
                try:
                    n = decisions.enregistrer_decisions_en_lot(
                        appel,
                        choisies,
                        decision_lot,
                        raison_lot,
                        moteur=m,
                        auteur=compte.courriel,
                        version_attendue=version_lot,
                        version_montants_attendue=version_lot_montants,
                    )
                except financement.ErreurFinancement as exc:
                    # Sous le bouton ; la sélection et la raison restent (issue 16).
                    st.error(litteral(f"Décisions refusées : {exc}"), icon=":material/block:")
                else:
                    st.session_state["_lot_msg"] = (
                        f"Décision « {decision_lot} » inscrite pour "
                        f"{pluriel(n, 'demande', 'demandes')} : "
                        + ", ".join(vue["No"].iloc[lignes_choisies])
                        + "."
                    )
                    st.session_state["_lot_tour"] = tour + 1  # la sélection repart vide
                    st.rerun()
            if message := st.session_state.pop("_lot_msg", None):
                st.success(litteral(message))

    gauche, droite = st.columns(2)
    with gauche.container(border=True):
        st.markdown("**Modifier un montant recommandé**")
        choisie = st.selectbox("Demande", options, format_func=libelle, key="mt_demande")
        annee = st.radio(
            "Année",
            list(range(1, annees + 1)),
            format_func=lambda a: f"{periodes[a - 1][0].year}-{periodes[a - 1][1].year}",
            horizontal=True,
            key="mt_annee",
        )
        actuel = int(ligne_de(choisie)[f"recommande_an{annee}"])
        nouveau = champ_montant(
            "Montant recommandé ($)", actuel, key=f"mt_montant::{choisie}::{annee}"
        )
        st.caption(
            "Montant de la règle : "
            + " · ".join(
                f"{k} {v}"
                for k, v in montants_cote_a_cote(ligne_de(choisie), appel)
                .iloc[annee - 1][["Demandé", "Non admissible", "Budget admissible"]]
                .items()
            )
        )
        raison = st.text_input("Raison (obligatoire)", key="mt_raison", max_chars=SAISIE_MAX)
        formulaire_montant = f"mt::{choisie}::{annee}"
        version_montant = version_a_l_ouverture(
            formulaire_montant, financement.version_montant(donnees.modifications, choisie, annee)
        )
        if st.button(
            "Enregistrer le montant",
            key="mt_enregistrer",
            disabled=decisions_fermees or nouveau is None,
        ):
            oublier_version(formulaire_montant)
            try:
                decisions.modifier_montant(
                    appel,
                    choisie,
                    annee,
                    nouveau,
                    raison,
                    moteur=m,
                    auteur=compte.courriel,
                    version_attendue=version_montant,
                )
            except financement.ErreurFinancement as exc:
                annoncer("mt_enregistrer", REFUS, f"Montant refusé : {exc}")
            else:
                annoncer(
                    "mt_enregistrer",
                    SUCCES,
                    f"Montant recommandé de {ligne_de(choisie)['no_demande']} enregistré.",
                )
            st.rerun()
        afficher_message("mt_enregistrer")
        proposer_mise_a_jour(choisie)

    with droite.container(border=True):
        st.markdown("**Recommandation du comité**")
        choix = st.selectbox("Demande", options, format_func=libelle, key="dc_demande")
        r = ligne_de(choix)
        recommandes = tuple(int(r[f"recommande_an{a + 1}"]) for a in range(annees))
        accordes_actuels = (
            " ("
            + " + ".join(montant(int(r.get(f"accorde_an{a + 1}") or 0)) for a in range(annees))
            + ")"
            if r["decision"]
            else ""
        )
        st.caption(
            "Montant recommandé : "
            + " + ".join(montant(v) for v in recommandes)
            + f" · {portefeuille.POSITION.lower()} : "
            + (r["financement"] or r["statut"])
            + (
                f" · décision du comité : {r['decision']}{accordes_actuels}"
                if r["decision"]
                else ""
            )
        )
        if ecart_choisi := financement.ecarts_de_montant(table.iloc[[position[choix]]], annees):
            st.warning(litteral(ecart_choisi[choix].mention), icon=":material/sync_problem:")
        decision = st.radio(
            "Décision", list(financement.DECISIONS), horizontal=True, key=f"dc_decision::{choix}"
        )
        accordes = []
        for a in range(annees):
            accordes.append(
                champ_montant(
                    f"Montant accordé {periodes[a][0].year}-{periodes[a][1].year} ($)",
                    recommandes[a] if decision == financement.RETENU else 0,
                    key=f"dc_montant::{choix}::{a}::{decision}::{recommandes[a]}",
                    disabled=decision != financement.RETENU,
                )
            )
        justification = st.text_area(
            "Justification (obligatoire si la décision s'écarte de la recommandation)",
            key=f"dc_justification::{choix}",
            max_chars=SAISIE_MAX,
        )
        formulaire_decision = f"dc::{choix}"
        version_decision = version_a_l_ouverture(
            formulaire_decision, financement.version_decision(donnees.decisions, choix)
        )
        if st.button(
            "Enregistrer la décision",
            key="dc_enregistrer",
            type="primary",
            disabled=decisions_fermees or None in accordes,
        ):
            oublier_version(formulaire_decision)
            try:
                decisions.enregistrer_decision(
                    appel,
                    choix,
                    decision,
                    tuple(accordes),
                    justification,
                    recommandation=(r["financement"] or r["statut"], recommandes),
                    moteur=m,
                    auteur=compte.courriel,
                    version_attendue=version_decision,
                )
            except financement.ErreurFinancement as exc:
                # Sous le bouton, là où la personne a cliqué (issue 16).
                st.error(litteral(f"Décision refusée : {exc}"), icon=":material/block:")
            else:
                annoncer(
                    "dc_enregistrer",
                    SUCCES,
                    f"Décision « {decision} » inscrite pour {r['no_demande']}.",
                )
                st.rerun()
        afficher_message("dc_enregistrer")

    decider_en_lot()

    maximum = appel.financement.bonification_conjoint_max
    conjoints = [
        d for d, conjoint in zip(options, table["projet_conjoint"], strict=True) if bool(conjoint)
    ]
    with st.container(border=True):
        st.markdown("**Bonification d'un projet conjoint**")
        st.caption(
            "« La présentation d'un projet conjoint entre plusieurs acteurs municipaux peut "
            "permettre la bonification de la subvention. » L'appel n'en fixe pas le montant : "
            f"0 $ par défaut, au plus {montant(maximum)} par année (réglage du comité), "
            "décidée demande par demande avec une raison."
        )
        if not conjoints or not maximum:
            st.caption("Aucun projet conjoint à bonifier." if maximum else "Bonification : 0 $.")
        else:
            conjointe = st.selectbox(
                "Projet conjoint", conjoints, format_func=libelle, key="bn_demande"
            )
            actuelle = int(ligne_de(conjointe)["bonification"])
            bonification = champ_montant(
                "Bonification par année ($)",
                actuelle,
                maximum=maximum,
                key=f"bn_montant::{conjointe}",
            )
            raison_bonus = st.text_input(
                "Raison (obligatoire)", key="bn_raison", max_chars=SAISIE_MAX
            )
            formulaire_bonus = f"bn::{conjointe}"
            version_bonus = version_a_l_ouverture(
                formulaire_bonus,
                financement.version_bonification(donnees.bonifications, conjointe),
            )
            if st.button(
                "Enregistrer la bonification",
                key="bn_enregistrer",
                disabled=decisions_fermees or bonification is None,
            ):
                oublier_version(formulaire_bonus)
                try:
                    decisions.fixer_bonification(
                        appel,
                        conjointe,
                        bonification,
                        raison_bonus,
                        moteur=m,
                        auteur=compte.courriel,
                        version_attendue=version_bonus,
                    )
                except financement.ErreurFinancement as exc:
                    annoncer("bn_enregistrer", REFUS, f"Bonification refusée : {exc}")
                else:
                    annoncer(
                        "bn_enregistrer",
                        SUCCES,
                        f"Bonification de {ligne_de(conjointe)['no_demande']} enregistrée.",
                    )
                st.rerun()
            afficher_message("bn_enregistrer")

    def decisions_a_finir() -> list[Inacheves]:
        """Ce que le verrouillage des décisions figerait : les demandes classées sans
        décision, et les retenues dont le montant accordé diffère du recommandé."""
        restantes = classement.decisions_inachevees(table, annees)
        sans = restantes[restantes["quoi"] == classement.SANS_DECISION]
        ecarts = restantes[restantes["quoi"] == classement.MONTANT_DIFFERENT]
        classees_ = int((table["statut"] == classement.CLASSE).sum())

        def tableau(lignes: pd.DataFrame, accorde: bool) -> pd.DataFrame:
            colonnes = {
                "Rang": lignes["rang"].map(lambda r: "" if pd.isna(r) else int(r)),
                "Demande": lignes["no_demande"],
                "Recommandé": lignes["recommande"].map(lambda v: montant(int(v))),
            }
            if accorde:
                colonnes["Accordé"] = lignes["accorde"].map(lambda v: montant(int(v)))
            return pd.DataFrame(colonnes)

        return [
            Inacheves(
                f"{pluriel(len(sans), 'demande classée', 'demandes classées')} sans décision "
                f"(sur {classees_})",
                "Verrouillées, les décisions ne pourront plus être inscrites : ces demandes "
                "resteront sans décision du comité.",
                tableau(sans, False),
            ),
            Inacheves(
                pluriel(
                    len(ecarts),
                    "demande retenue dont le montant accordé diffère du recommandé",
                    "demandes retenues dont le montant accordé diffère du recommandé",
                ),
                "À revoir avant de verrouiller : le montant accordé (total des années) n'est "
                "pas le montant recommandé.",
                tableau(ecarts, True),
            ),
        ]

    if compte.role == PRESIDENT and not decisions_fermees:
        bouton_verrou(
            "verrouiller_decisions",
            "Verrouiller les décisions",
            listes=decisions_a_finir,
            rien="Chaque demande classée a sa décision, et chaque montant accordé est le "
            "montant recommandé.",
            verrouiller=lambda: attributions.verrouiller(
                appel.id, True, moteur=m, auteur=compte.courriel, quoi="decisions_verrouillees"
            ),
            succes="Décisions verrouillées (inscrit au journal) ; les notes le sont aussi.",
            type="secondary",
        )
    if (
        compte.role == ADMIN
        and decisions_fermees
        and st.button("Rouvrir les décisions", key="rouvrir_decisions")
    ):
        attributions.verrouiller(
            appel.id, False, moteur=m, auteur=compte.courriel, quoi="decisions_verrouillees"
        )
        st.rerun()
    afficher_message("verrouiller_decisions")

# --- Comité : conflits d'intérêts sur une demande (issue 16) ----------------------------------
formulaire_conflit(
    appel, compte, m, dict(zip(table["demande_id"].astype(int), table["no_demande"], strict=True))
)
