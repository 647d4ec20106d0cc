"""Importation : téléverser des fichiers, lire le rapport, relier les colonnes, importer."""

import hashlib
import json

import pandas as pd
import streamlit as st

from evaluation.appels import demandeur
from evaluation.depot import categories, retraits
from evaluation.depot import correspondances as correspondances_colonnes
from evaluation.depot.gabarit import colonnes_dimensions, libelles_champs
from evaluation.depot.importation import DecisionsVerrouillees, importer
from evaluation.depot.rapport import (
    compter,
    problemes_par_fichier,
    purgees_du_lot,
    resume_fichier,
    resume_importation,
    texte_depot_presume,
    texte_numeros,
    texte_purgees,
    texte_reouvertes,
)
from evaluation.depot.validation import colonnes_manquantes
from evaluation.depot.verification import message_erreur, verifier_lot
from evaluation.socle import droits, stockage
from evaluation.socle.formats import date as date_longue
from evaluation.socle.formats import date_heure, montant, pluriel
from evaluation.socle.probleme import AVERTISSEMENT, BLOQUANT, GRAVITES, LIBELLES_GRAVITE, REFUS
from evaluation.socle.texte import SAISIE_MAX, citer, litteral
from evaluation.sorties.tableaux import cles_apercu, demandes_pour_personne
from pages.composants.commun import (
    COULEURS_GRAVITE,
    ICONES_GRAVITE,
    appel_actif,
    fichiers_demo,
    gabarit,
    limites,
    moteur,
)
from pages.composants.connexion import exiger_acces
from pages.composants.francais import televerseur
from pages.composants.messages import REFUS as REFUSE
from pages.composants.messages import SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message
from pages.composants.pieces_jointes import section_importation

compte = exiger_acces("importation")

CLE_REFUS_RELIER = "_refus_relier"
CLE_RETRAIT = "_retrait_msg"
LISTE_MAX = 30


def afficher_categories_a_confirmer(appel) -> None:
    """Les libellés de dépense que l'importation n'a pas reconnus : jamais comptés dans le
    budget admissible tant que l'analyste ne les a pas rattachés à une catégorie de l'appel
    (toutes les lignes de l'appel du même libellé, journalisé)."""
    if not droits.peut_rattacher_categories(compte.role):
        return
    inconnus = categories.a_confirmer(appel, moteur=moteur())
    if inconnus.empty:
        # Le dernier libellé rattaché : la section disparaît, son message reste ici.
        afficher_message("cat_rattacher")
        return
    st.subheader(f"Catégories de dépense à confirmer ({len(inconnus)})")
    st.caption(
        "Ces lignes de budget ne comptent pas dans le budget admissible tant qu'elles ne sont "
        "pas rattachées à une catégorie de l'appel (« dépenses admissibles » ou « non "
        "admissibles »)."
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Libellé": inconnus["categorie"].fillna("(sans libellé)"),
                "Lignes": inconnus["lignes"],
                "Demandes": inconnus["demandes"],
                "Montant": [montant(int(v)) for v in inconnus["montant"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    libelles = list(inconnus["categorie"])
    choix_libelle = st.selectbox(
        "Libellé à rattacher",
        range(len(libelles)),
        format_func=lambda i: libelles[i] or "(sans libellé)",
        key="cat_libelle",
    )
    ids = [c.id for c in appel.categories]
    genres = {c.id: "admissible" if c.admissible else "non admissible" for c in appel.categories}
    noms = {c.id: c.libelle for c in appel.categories}
    choix_categorie = st.selectbox(
        "Catégorie de l'appel",
        ids,
        format_func=lambda i: f"{noms[i]} ({genres[i]})",
        index=None,
        placeholder="Choisir la catégorie",
        key="cat_categorie",
    )
    if st.button("Rattacher toutes ces lignes", key="cat_rattacher", disabled=not choix_categorie):
        libelle = libelles[choix_libelle]
        try:
            n = categories.rattacher(
                appel, libelle, choix_categorie, moteur=moteur(), auteur=compte.courriel
            )
        except categories.ErreurCategorie as exc:
            annoncer("cat_rattacher", REFUSE, f"Rattachement refusé : {exc}")
        else:
            annoncer(
                "cat_rattacher",
                SUCCES,
                f"{pluriel(n, 'ligne rattachée', 'lignes rattachées')} à « "
                f"{noms[choix_categorie]} » (inscrit au journal).",
            )
        st.rerun()
    afficher_message("cat_rattacher")


def afficher_journal(appel) -> None:
    """Les importations passées de l'appel : qui, quand, quels fichiers, quel choix ; puis
    les désistements et les retraits d'importation ; avant eux, les pièces jointes."""
    section_importation(appel, compte, moteur())
    afficher_categories_a_confirmer(appel)
    with moteur().connect() as connexion:
        journal = stockage.lire_importations(appel.id, connexion=connexion)
    afficher_retraits(appel, journal)
    if journal.empty:
        return
    with st.expander(f"Journal des importations ({len(journal)})"):
        st.dataframe(
            pd.DataFrame(
                {
                    "N°": journal["id"],
                    "Date": journal["date"].map(date_heure),
                    "Auteur": journal["auteur"].fillna("—"),
                    "Fichiers": journal["fichiers"].map(", ".join),
                    "Créées": journal["nb_creees"],
                    "Mises à jour": journal["nb_mises_a_jour"],
                    "Inchangées": journal["nb_inchangees"],
                    "Écartées": journal["nb_ecartees"],
                    "Lignes de budget écrites": journal["nb_lignes_budget"],
                    "Lignes valides seulement": journal["lignes_valides_seulement"].map(
                        {True: "oui", False: "non"}
                    ),
                    "Retirée": [
                        "" if pd.isna(q) else f"{date_heure(q)} : {r}"
                        for q, r in zip(
                            journal["retiree_le"], journal["raison_retrait"], strict=True
                        )
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )


def _retrait(action, *args, succes) -> None:
    """Exécute un retrait ; le message (succès ou refus) s'affiche au rechargement.
    `succes` : le message, ou une fonction du résultat qui le donne."""
    try:
        resultat = action(*args, moteur=moteur(), auteur=compte.courriel)
    except retraits.RetraitRefuse as exc:
        st.session_state[CLE_RETRAIT] = ("error", f"Refusé : {exc}")
    else:
        texte = succes(resultat) if callable(succes) else succes
        st.session_state[CLE_RETRAIT] = ("success", texte)
    st.rerun()


def afficher_retraits(appel, journal: pd.DataFrame) -> None:
    """Désistement d'une demande (elle sort du classement, rien ne s'efface), rétablissement,
    et retrait d'une importation entière qui n'a encore rien d'évalué."""
    st.subheader("Désistements et retraits")
    if message := st.session_state.pop(CLE_RETRAIT, None):
        (st.success if message[0] == "success" else st.error)(litteral(message[1]))
    with moteur().connect() as connexion:
        toutes = stockage.lire_demandes(appel.id, connexion=connexion, avec_retirees=True)
    actives = toutes[toutes["retiree_le"].isna()]
    retirees = toutes[toutes["retiree_le"].notna()]
    # Le demandeur dans les mots de l'appel (nom de l'organisme, ou municipalité).
    noms = demandeur.colonne_noms(appel, toutes)
    libelles = {
        int(r["id"]): f"{r['no_demande']} · {nom} · {(r['titre'] or '')[:60]}"
        for r, nom in zip(toutes.to_dict("records"), noms, strict=True)
    }
    desistement, retablissement, importation = st.tabs(
        [
            "Inscrire un désistement",
            f"Demandes retirées ({len(retirees)})",
            "Retirer une importation",
        ]
    )
    with desistement:
        st.caption(
            "La demande sort du classement, des listes des évaluateurs, du portefeuille et des "
            "exportations ; ses évaluations, décisions et son historique restent, et elle peut "
            "être rétablie."
        )
        if actives.empty:
            st.caption("Aucune demande active.")
        else:
            with st.form("form_desistement", border=False):
                choisie = st.selectbox(
                    "Demande", [int(i) for i in actives["id"]], format_func=libelles.get
                )
                raison = st.text_input(
                    "Raison (inscrite au journal)", key="raison_desistement", max_chars=SAISIE_MAX
                )
                if st.form_submit_button("Inscrire le désistement"):
                    _retrait(
                        retraits.desister,
                        appel,
                        choisie,
                        raison,
                        succes=f"Désistement inscrit : {libelles[choisie].split(' · ')[0]} "
                        "sort du classement.",
                    )
    with retablissement:
        if retirees.empty:
            st.caption("Aucune demande retirée.")
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        "No": retirees["no_demande"],
                        demandeur.libelle_court(appel): demandeur.colonne_noms(appel, retirees),
                        "Titre": retirees["titre"],
                        "Retirée le": retirees["retiree_le"].map(date_heure),
                        "Par": retirees["retiree_par"],
                        "Raison": retirees["raison_retrait"],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
            with st.form("form_retablir", border=False):
                choisie = st.selectbox(
                    "Demande à rétablir", [int(i) for i in retirees["id"]], format_func=libelles.get
                )
                raison = st.text_input(
                    "Raison (inscrite au journal)", key="raison_retablir", max_chars=SAISIE_MAX
                )
                if st.form_submit_button("Rétablir la demande"):
                    _retrait(
                        retraits.retablir,
                        appel,
                        choisie,
                        raison,
                        succes=f"{libelles[choisie].split(' · ')[0]} est rétablie.",
                    )
    with importation:
        st.caption(
            "Supprime les demandes qu'une importation a créées (données de démonstration, "
            "mauvais fichier), avec leurs pièces jointes, tant qu'aucune n'a d'évaluation, de "
            "décision ni de montant modifié. L'entrée reste au journal des importations, "
            "marquée retirée."
        )
        possibles = journal[journal["retiree_le"].isna()] if not journal.empty else journal
        if possibles.empty:
            st.caption("Aucune importation à retirer.")
        else:
            options = {
                int(r["id"]): f"n° {r['id']} · {date_heure(r['date'])} · "
                f"{', '.join(r['fichiers'])} · "
                + pluriel(int(r["nb_creees"]), "demande créée", "demandes créées")
                for r in possibles.to_dict("records")
            }
            with st.form("form_retrait_importation", border=False):
                choisie = st.selectbox("Importation", list(options), format_func=options.get)
                raison = st.text_input(
                    "Raison (inscrite au journal)",
                    key="raison_retrait_importation",
                    max_chars=SAISIE_MAX,
                )
                confirme = st.checkbox(
                    "Je confirme : les demandes créées par cette importation seront supprimées.",
                    key="confirmer_retrait_importation",
                )
                if st.form_submit_button("Retirer l'importation"):
                    if not confirme:
                        st.session_state[CLE_RETRAIT] = (
                            "error",
                            "Cochez la confirmation : le retrait supprime des demandes.",
                        )
                        st.rerun()
                    _retrait(
                        retraits.retirer_importation,
                        appel,
                        choisie,
                        raison,
                        succes=lambda supprimees, n=choisie: (
                            f"Importation n° {n} retirée : "
                            + pluriel(len(supprimees), "demande supprimée", "demandes supprimées")
                            + (f" ({', '.join(supprimees)})." if supprimees else ".")
                        ),
                    )


def libelles_des_champs() -> dict[str, str]:
    return libelles_champs(appel) | {c.cle: c.entete for c in colonnes_dimensions(appel)}


def _tableau_lu(fichier: str, feuille: str):
    verification = st.session_state["verification"]
    return next(
        t
        for f in verification.lus
        for t in f.tableaux
        if (t.fichier, t.feuille) == (fichier, feuille)
    )


def _relier(fichier: str, feuille: str, entete: str, cle_widget: str) -> None:
    """Le choix de l'analyste pour une colonne : appliqué (le fichier est relu), ou refusé
    avec sa raison quand une autre colonne désigne déjà ce champ (le choix revient)."""
    choisi = st.session_state[cle_widget]
    tableau = _tableau_lu(fichier, feuille)
    correspondances = st.session_state.setdefault("correspondances", {})
    relie = dict(correspondances_colonnes.relie_du_fichier(correspondances, fichier))
    refus = correspondances_colonnes.conflit(tableau, relie, entete, choisi, libelles_des_champs())
    if refus:
        st.session_state[cle_widget] = correspondances_colonnes.choix_actuel(tableau, relie, entete)
        st.session_state[CLE_REFUS_RELIER] = (cle_widget, refus)
        return
    relie[entete] = choisi
    correspondances[fichier] = relie


def _texte_manquantes(nom: str, manquantes, a_relier: bool) -> str:
    """Les champs obligatoires qu'aucune colonne ne donne, et comment y remédier."""
    noms = ", ".join(f"« {c.entete} »" for c in manquantes)
    quoi = (
        f"le champ obligatoire {noms}"
        if len(manquantes) == 1
        else (f"les champs obligatoires {noms}")
    )
    if not a_relier:
        return (
            f"{nom} : aucune colonne n'est lue pour {quoi}, et aucune colonne du fichier n'est "
            "à relier. Ajoutez la colonne au fichier avec l'en-tête du gabarit, puis "
            "téléversez-le de nouveau."
        )
    return (
        f"{nom} : aucune colonne n'est lue pour {quoi}. Choisissez ci-dessous le champ de la "
        "colonne du fichier qui le contient, ou renommez l'en-tête dans le fichier comme dans "
        "le gabarit."
    )


def afficher_colonnes_a_relier(tableaux) -> None:
    """Chaque colonne non reconnue ou reliée, et le champ du gabarit qu'elle contient, au
    choix de l'analyste ; les colonnes mises de côté nommées en clair ; une correspondance
    retenue pour les fichiers de même forme, dite avant d'être changée."""
    st.subheader("Colonnes à relier")
    st.caption(
        "Une colonne dont l'en-tête n'est pas celui du gabarit est mise de côté : conservée "
        "à part, elle n'est ni vérifiée ni montrée aux évaluateurs. Choisissez le champ du "
        "gabarit qu'elle contient, obligatoire ou non ; le fichier est alors relu. À "
        "l'importation, la correspondance est retenue pour les prochains fichiers de même "
        "forme (mêmes en-têtes)."
    )
    libelles = libelles_des_champs()
    refus = st.session_state.pop(CLE_REFUS_RELIER, None)
    correspondances = st.session_state.setdefault("correspondances", {})
    for tableau in tableaux:
        relie = correspondances_colonnes.relie_du_fichier(correspondances, tableau.fichier)
        nom = correspondances_colonnes.ou(tableau.fichier, tableau.feuille)
        st.markdown(f"**{litteral(nom)}**")
        if tableau.memorisee:
            retenue = retenues.get(tableau.empreinte, {})
            quand = f" le {date_longue(retenue['date'].date())}" if retenue.get("date") else ""
            par = f" par {retenue['auteur']}" if retenue.get("auteur") else ""
            st.info(
                litteral(
                    f"Correspondance retenue{quand}{par} pour les fichiers de même forme, "
                    "appliquée d'avance : "
                    + correspondances_colonnes.decrire(tableau.memorisee, libelles)
                    + ". Changez-la ci-dessous au besoin."
                ),
                icon=":material/history:",
            )
        a_relier = correspondances_colonnes.colonnes_a_relier(tableau, relie)
        if manquantes := colonnes_manquantes(tableau, appel):
            st.error(litteral(_texte_manquantes(nom, manquantes, bool(a_relier))))
        if mises := correspondances_colonnes.mises_de_cote(tableau):
            exemples = {
                e: next((str(x[e])[:40] for x in tableau.supplementaires if e in x), "")
                for e in mises
            }
            st.warning(
                litteral(
                    "1 colonne mise de côté (conservée à part, non évaluée) :"
                    if len(mises) == 1
                    else f"{len(mises)} colonnes mises de côté (conservées à part, non évaluées) :"
                )
                + "\n"
                + "\n".join(
                    f"- « {litteral(e)} »"
                    + (f" (ex. : {litteral(exemples[e])})" if exemples[e] else "")
                    for e in mises
                ),
                icon=":material/visibility_off:",
            )
        champs = correspondances_colonnes.champs_possibles(appel, tableau.genre)
        options = [correspondances_colonnes.IGNOREE, *(c.cle for c in champs)]
        manquants = {c.cle for c in manquantes}
        noms_options = {correspondances_colonnes.IGNOREE: "Mise de côté (non lue)"} | {
            c.cle: c.libelle
            + (" (obligatoire, sans colonne)" if c.cle in manquants else "")
            + (" (obligatoire)" if c.obligatoire and c.cle not in manquants else "")
            for c in champs
        }
        for entete in a_relier:
            cle_widget = f"relier::{tableau.fichier}::{tableau.feuille}::{entete}"
            actuel = correspondances_colonnes.choix_actuel(tableau, relie, entete)
            st.session_state[cle_widget] = actuel
            st.selectbox(
                litteral(f"Champ du gabarit de la colonne « {citer(entete)} »"),
                options if actuel in options else [*options, actuel],
                format_func=lambda cle, noms=noms_options: noms.get(cle) or libelles.get(cle, cle),
                key=cle_widget,
                on_change=_relier,
                args=(tableau.fichier, tableau.feuille, entete, cle_widget),
            )
            if refus and refus[0] == cle_widget:
                st.error(litteral(refus[1]), icon=":material/block:")


def afficher_resultat(rapport) -> None:
    """Ce que la dernière importation a fait : comptes, changements, demandes écartées."""
    st.success(f"Importation n° {rapport.importation_id} terminée : {resume_importation(rapport)}.")
    avant, apres = st.columns(2)
    avant.metric("Demandes stockées avant", rapport.avant)
    apres.metric("Demandes stockées après", rapport.apres, delta=rapport.apres - rapport.avant)
    if rapport.lignes_valides_seulement:
        st.info("Choix enregistré au journal : seules les lignes valides ont été importées.")
    if rapport.ecartees:
        st.warning("Écartées (non importées) : " + litteral(", ".join(rapport.ecartees)))
    if purgees := texte_purgees(rapport):
        st.info(litteral(purgees), icon=":material/delete_sweep:")
    if numeros := texte_numeros(rapport):
        st.info(litteral(numeros), icon=":material/tag:")
    if presume := texte_depot_presume(rapport):
        st.info(litteral(presume), icon=":material/event:")
    if reouvertes := texte_reouvertes(rapport):
        st.warning(litteral(reouvertes), icon=":material/fact_check:")
    for (fichier, feuille), relie in rapport.correspondances_retenues.items():
        nom = correspondances_colonnes.ou(fichier, feuille)
        st.info(
            litteral(
                f"{nom} : correspondance retenue pour les prochains fichiers de même forme : "
                + correspondances_colonnes.decrire(relie, libelles_des_champs())
                + "."
                if relie
                else f"{nom} : la correspondance retenue pour les fichiers de cette forme est "
                "effacée (toutes ses colonnes sont remises de côté)."
            ),
            icon=":material/history:",
        )
    if rapport.mises_a_jour:
        titre = f"Ce qui a changé ({pluriel(len(rapport.mises_a_jour), 'demande')})"
        with st.expander(titre, expanded=len(rapport.mises_a_jour) <= 5):
            for c in rapport.mises_a_jour:
                st.markdown(
                    f"**{litteral(c.no_demande)}**\n"
                    + "\n".join(f"- {litteral(d)}" for d in c.details)
                )


def afficher_problemes(gravite: str, problemes: list) -> None:
    st.markdown(
        f":{COULEURS_GRAVITE[gravite]}[**{ICONES_GRAVITE[gravite]} "
        f"{LIBELLES_GRAVITE[gravite]} ({len(problemes)})**]"
    )
    if len(problemes) <= LISTE_MAX:
        st.markdown(
            "\n".join(
                f"- {litteral(p.emplacement + ' : ' if p.emplacement else '')}{litteral(p.message)}"
                for p in problemes
            )
        )
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Feuille": [p.feuille for p in problemes],
                "Ligne": [p.ligne for p in problemes],
                "Colonne": [p.colonne for p in problemes],
                "No de demande": [p.no_demande for p in problemes],
                "Problème": [p.message for p in problemes],
            }
        ),
        hide_index=True,
        width="stretch",
    )


appel = appel_actif()
st.title("Importation des demandes")

with moteur().connect() as connexion:
    numeros_stockes = stockage.numeros_demandes(appel.id, connexion=connexion)
    # Purgées (conservation échue) : l'importation les laisse telles quelles.
    purgees_stockees = set(stockage.demandes_purgees(appel.id, connexion=connexion))
    identites_stockees = stockage.identites_demandes(appel.id, connexion=connexion)
    # Appel d'organismes : un NEQ déjà importé sous un autre numéro est signalé.
    neq_stockes = (
        stockage.neq_des_demandes(appel.id, connexion=connexion)
        if appel.demandeur_organisme
        else {}
    )
    nombre_stocke = stockage.compter_demandes(appel.id, connexion=connexion)
    # Les correspondances de colonnes retenues pour les fichiers déjà importés, par forme.
    retenues = stockage.lire_correspondances(appel.id, connexion=connexion)
memoire = correspondances_colonnes.valides(
    {empreinte: r["correspondance"] for empreinte, r in retenues.items()}, appel
)

if "dernier_rapport" in st.session_state:
    afficher_resultat(st.session_state.pop("dernier_rapport"))

gauche, droite = st.columns([2, 1])
with gauche:
    st.markdown(
        f"Appel : **{litteral(appel.nom_court)}** · "
        f"{pluriel(nombre_stocke, 'demande déjà stockée', 'demandes déjà stockées')}. "
        "Formats acceptés : .xlsx, .xlsm (les macros ne sont jamais exécutées), .xls, .ods, .csv "
        "(virgule, point-virgule, tabulation ou barre verticale), et formulaires d'une demande "
        "(libellés en colonne A)."
    )
with droite:
    st.download_button(
        "Télécharger le gabarit Excel",
        data=gabarit(appel),
        file_name=f"gabarit-demandes-{appel.id}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="gabarit",
    )

st.session_state.setdefault("cle_televersement", 0)
televerses = televerseur(
    "Fichiers de demandes",
    accept_multiple_files=True,
    key=f"televersement_{st.session_state.cle_televersement}",
    taille_max=limites().taille_max,
    help="Plusieurs fichiers à la fois : un classeur de demandes, un fichier Budget, des "
    f"formulaires d'une demande… Limite : {limites().taille_max // 2**20} Mo par fichier.",
)
if fichiers_demo(appel) and st.button("Utiliser le jeu de démonstration", key="demo"):
    st.session_state["source_demo"] = True
if televerses:
    st.session_state.pop("source_demo", None)

if televerses:
    sources = [(f.name, f.getvalue()) for f in televerses]
elif st.session_state.get("source_demo"):
    sources = [(f.name, f.read_bytes()) for f in fichiers_demo(appel)]
    st.caption("Jeu de démonstration : " + litteral(", ".join(n for n, _ in sources)))
else:
    sources = []

if not sources:
    st.info("Téléversez un ou plusieurs fichiers pour voir le rapport de vérification.")
    afficher_journal(appel)
    st.stop()

correspondances = st.session_state.setdefault("correspondances", {})
empreinte = hashlib.sha256()
for nom, contenu in sources:
    empreinte.update(nom.encode() + hashlib.sha256(contenu).digest())
empreinte.update(json.dumps(correspondances, sort_keys=True).encode())
empreinte.update(json.dumps(memoire, sort_keys=True).encode())
empreinte.update(str(sorted(numeros_stockes)).encode())
empreinte.update(str(sorted(identites_stockees, key=str)).encode())
# Les colonnes attendues suivent le type de demandeur de l'appel (gabarit.colonnes_demandes).
empreinte.update(f"{appel.id}\0{appel.type_demandeur}".encode())
empreinte.update(str(sorted(neq_stockes.items())).encode())
cle_cache = empreinte.hexdigest()

if st.session_state.get("verification_cle") != cle_cache:
    barre = st.progress(0.0, text="Lecture des fichiers")
    verification = verifier_lot(
        sources,
        appel,
        numeros_stockes=numeros_stockes,
        identites_stockees=identites_stockees,
        neq_stockes=neq_stockes,
        limites=limites(),
        correspondances=correspondances,
        memoire=memoire,
        progression=lambda f, texte: barre.progress(min(f, 1.0), text=litteral(texte)),
    )
    barre.empty()
    st.session_state["verification_cle"] = cle_cache
    st.session_state["verification"] = verification
verification = st.session_state["verification"]

# -- Colonnes du fichier : correspondance aux champs du gabarit ---------------------------
tableaux_lus = [t for f in verification.lus for t in f.tableaux if not t.est_formulaire]
a_traiter = [
    t
    for t in tableaux_lus
    if correspondances_colonnes.colonnes_a_relier(
        t, correspondances_colonnes.relie_du_fichier(correspondances, t.fichier)
    )
    or colonnes_manquantes(t, appel)
]
if a_traiter:
    afficher_colonnes_a_relier(a_traiter)

if correspondances:
    reliees = " ; ".join(
        f"{litteral(fichier)} : "
        + litteral(correspondances_colonnes.decrire(relie, libelles_des_champs()))
        for fichier, relie in correspondances.items()
        if relie
    )
    st.caption(f"Colonnes reliées à la main : {reliees}")
    if st.button("Annuler les correspondances faites à la main", key="annuler_correspondances"):
        st.session_state["correspondances"] = {}
        for cle in [c for c in st.session_state if str(c).startswith("relier::")]:
            del st.session_state[cle]
        st.rerun()

# -- Rapport ------------------------------------------------------------------------------
st.subheader("Rapport de vérification")
nombres = compter(verification)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Demandes lues", len(verification.demandes))
c2.metric(
    "Bloquants et refus",
    nombres[BLOQUANT] + nombres[REFUS],
    help="Problèmes bloquants et fichiers refusés : ils empêchent l'importation du fichier.",
)
c3.metric("Avertissements", nombres[AVERTISSEMENT])
c4.metric(
    "Importables",
    len(verification.selection(False)[0])
    - len(purgees_du_lot(verification, False, purgees_stockees)),
    help="Sans les demandes purgées dans la base, que l'importation laisse telles quelles.",
)

for fichier, par_gravite in problemes_par_fichier(verification).items():
    grave = bool(par_gravite.get(REFUS) or par_gravite.get(BLOQUANT))
    if grave:
        icone = ICONES_GRAVITE[REFUS if par_gravite.get(REFUS) else BLOQUANT]
    elif par_gravite.get(AVERTISSEMENT):
        icone = ICONES_GRAVITE[AVERTISSEMENT]
    else:
        icone = ":material/check_circle:"
    a_lire = grave or bool(par_gravite.get(AVERTISSEMENT))
    titre = litteral(f"{fichier} — {resume_fichier(verification, fichier, par_gravite)}")
    with st.expander(titre, expanded=a_lire, icon=icone):
        if not any(par_gravite.values()):
            st.markdown("Aucun problème relevé.")
        for gravite in GRAVITES:
            if par_gravite.get(gravite):
                afficher_problemes(gravite, par_gravite[gravite])

# -- Aperçu et importation ------------------------------------------------------------------
valides_seulement = False
if nombres[BLOQUANT]:
    st.warning(
        "Les fichiers qui portent un problème bloquant ne sont pas importés. Corrigez-les et "
        "téléversez-les de nouveau, ou choisissez d'en importer seulement les lignes valides "
        "(ce choix est inscrit au journal)."
    )
    valides_seulement = st.checkbox(
        "Importer seulement les lignes valides des fichiers qui ont des problèmes bloquants",
        key="lignes_valides",
    )
gardees, lignes = verification.selection(valides_seulement)
ecartees = verification.ecartees(valides_seulement)

if not gardees and not lignes:
    st.info("Rien à importer pour l'instant : corrigez les problèmes signalés ci-dessus.")
    afficher_journal(appel)
    st.stop()

st.subheader("Aperçu de ce qui sera enregistré")
nouvelles = [d for d in gardees if d.no_demande not in numeros_stockes]
a_part = purgees_du_lot(verification, valides_seulement, purgees_stockees)
st.caption(
    f"{pluriel(len(gardees), 'demande')} : {pluriel(len(nouvelles), 'nouvelle')}, "
    f"{pluriel(len(gardees) - len(nouvelles) - len(a_part), 'déjà stockée')} (mises à jour "
    "en place, évaluations conservées)"
    + (
        ", "
        + pluriel(len(a_part), "purgée laissée telle quelle", "purgées laissées telles quelles")
        if a_part
        else ""
    )
    + " ; "
    f"{pluriel(len(lignes), 'ligne de budget lue', 'lignes de budget lues')} ; "
    f"{pluriel(len(ecartees), 'demande écartée', 'demandes écartées')}."
)
if gardees:
    regions = {r.code: r.nom for r in appel.regions}
    st.dataframe(
        demandes_pour_personne(
            [d.valeurs for d in gardees],
            cles_apercu(appel),  # sans l'axe ni le secteur d'un appel qui n'en a pas
            regions=regions,
            appel=appel,
        ),
        hide_index=True,
        width="stretch",
    )

if st.button(f"Importer {pluriel(len(gardees), 'demande')}", type="primary", key="importer"):
    barre = st.progress(0.0, text="Importation")
    try:
        rapport = importer(
            verification,
            appel,
            moteur=moteur(),
            lignes_valides_seulement=valides_seulement,
            auteur=compte.courriel,
            progression=lambda f, texte: barre.progress(min(f, 1.0), text=litteral(texte)),
            correspondances=correspondances,
        )
    except DecisionsVerrouillees as exc:  # un refus voulu, pas une panne
        barre.empty()
        st.error(litteral(f"Importation refusée ; rien n'a été enregistré : {exc}"))
    except Exception as exc:  # la transaction est annulée : rien n'a été écrit
        barre.empty()
        st.error(
            "L'importation a échoué et a été annulée ; rien n'a été enregistré. Détail : "
            + litteral(message_erreur(exc))
        )
    else:
        st.session_state["dernier_rapport"] = rapport
        st.session_state.cle_televersement += 1
        for cle in ("verification", "verification_cle", "source_demo", "correspondances"):
            st.session_state.pop(cle, None)
        st.rerun()

afficher_journal(appel)
