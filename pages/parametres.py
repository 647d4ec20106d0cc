"""Paramètres de l'appel (administration) : créer un appel d'après un modèle livré ou une
copie (l'appel de l'an dernier), modifier l'appel actif, l'exporter ou l'importer en TOML,
l'archiver. Les règles (validation, ce qui ne change plus une fois des notes données) sont
dans evaluation/appels/parametres.py."""

import zlib

import pandas as pd
import streamlit as st

from evaluation.appels import reglages
from evaluation.appels.configuration import (
    AGREGATIONS,
    APRES_CONSULTATION,
    CHAMPS_FORMULAIRE,
    LIBELLES_NOTE_RETENUE,
    LIBELLES_OBJECTIF_SELECTION,
    MODES_LIGNE,
    NOTES_DES_AUTRES,
    NOTES_RETENUES,
    OBJECTIFS_SELECTION,
    TAILLE_MAX_TOML,
    ErreurAppel,
    lecture_annees_financieres,
)
from evaluation.appels.confirmations import ConfirmationRefusee, confirmer
from evaluation.appels.edition import (
    ParametresPerimes,
    ParametresRefuses,
    cibles_depuis_lignes,
    cibles_en_lignes,
    copie,
    libelle_departage,
    libelle_dimension,
    liste_en_texte,
    modeles_fournis,
    nombre_net,
    regles_departage_offertes,
    sections,
    tables_depuis_lignes,
    vers_toml,
)
from evaluation.appels.parametres import archiver, enregistrer, importer_toml
from evaluation.socle import stockage
from evaluation.socle.formats import (
    FORMAT_DATE_SAISIE,
    FORMAT_NOTE_SAISIE,
    date,
    date_heure,
    montant_saisi,
)
from evaluation.socle.texte import SAISIE_MAX, litteral
from pages.composants.commun import CLE_APPEL, appel_actif, appels_disponibles, moteur
from pages.composants.connexion import exiger_acces
from pages.composants.erreurs import oublier_version, version_a_l_ouverture
from pages.composants.francais import televerseur
from pages.composants.messages import REFUS, SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message
from pages.composants.montants import champ_montant, lire

CLE_PERIMES = "_parametres_perimes"
LIBELLES_NOTES_DES_AUTRES = {
    "jamais": "Jamais (évaluation à l'aveugle)",
    "apres_soumission": "Après avoir soumis sa propre évaluation",
}
LIBELLES_APRES_CONSULTATION = {
    "signaler": "Permis, signalé à la présidence",
    "refuser": "Refusé",
}
LIBELLES_AGREGATION = {
    "moyenne": "Moyenne",
    "mediane": "Médiane",
    "moyenne_tronquee": "Moyenne tronquée",
}
LIBELLES_MODE_LIGNE = {
    "stricte": "Stricte (la première qui ne tient pas arrête la ligne)",
    "remplissage": "Remplissage (on saute celle qui ne tient pas)",
}


# L'aide des colonnes « Identifiant » : un nom technique, que la fonctionnaire n'a pas à lire.
AIDE_IDENTIFIANT = (
    "Nom technique (minuscules, sans espace) qu'utilise le fichier de configuration ; "
    "c'est le libellé qui s'affiche ailleurs."
)


def _cents(dollars: float | int) -> int:
    """Un montant du TOML (en dollars) en cents, pour un champ de montant."""
    return round(float(dollars) * 100)


def _montants_separes(texte: str) -> tuple[list[int], str]:
    """« 750 000 ; 500 000 » → ([75_000_000, 50_000_000], "") ; ([], raison) si une valeur
    est illisible."""
    cents = []
    for morceau in (m.strip() for m in texte.split(";")):
        if not morceau:
            continue
        lu, raison = lire(morceau)
        if lu is None:
            return [], f"Dans l'enveloppe, {raison[:1].lower()}{raison[1:]}"
        cents.append(lu)
    return cents, ""


compte = exiger_acces("parametres")
m = moteur()
appel = appel_actif()
auteur = compte.courriel


st.title("Paramètres de l'appel")

with m.connect() as connexion:
    stocke = stockage.lire_appel(appel.id, connexion=connexion)
    n_evaluations = stockage.compter_evaluations(appel.id, connexion=connexion)
    n_soumises = stockage.compter_evaluations_soumises(appel.id, connexion=connexion)
    confirmees = stockage.lire_confirmations(appel.id, connexion=connexion)
archive = bool(stocke and stocke["archive"])
fige = n_evaluations > 0

onglet_modifier, onglet_sources, onglet_creer, onglet_fichier, onglet_archive = st.tabs(
    [
        "Modifier l'appel actif",
        "Sources des réglages",
        "Créer un appel",
        "Fichier de configuration (TOML)",
        "Archiver",
    ]
)

# --- Sources des réglages et confirmations ----------------------------------------------------
with onglet_sources:
    st.caption(
        "Chaque réglage dit d'où il vient : du texte de l'appel (la phrase citée), d'un choix "
        "du comité ou du ministère, ou d'une interprétation d'un texte ambigu (la lecture "
        "retenue). Tant que l'administration n'a pas confirmé les choix et les "
        "interprétations, les pages qui montrent un rang ou un montant le signalent. Une "
        "confirmation vaut pour la valeur confirmée : le réglage changé, elle tombe. Les "
        "sources s'écrivent dans la table [sources] du fichier de configuration (onglet "
        "Fichier de configuration)."
    )
    manquantes = reglages.sans_source(appel)
    if manquantes:
        st.warning(
            litteral(
                f"Réglages sans source déclarée ({len(manquantes)}) : "
                + " ; ".join(f"{r.libelle} ({r.chemin})" for r in manquantes)
                + ". Ajoutez-les à la table [sources] du TOML (appel, comite ou "
                "interpretation)."
            ),
            icon=":material/warning:",
        )
    a_confirmer = {r.chemin for r in reglages.non_confirmes(appel, confirmees)}

    def _confirmation(r) -> str:
        return reglages.etat_confirmation(
            r, confirmees, lambda d: date(d.date()), non_confirme="à confirmer"
        )

    st.dataframe(
        pd.DataFrame(
            {
                "Réglage": [r.libelle for r in appel.reglages],
                "Valeur": [r.valeur_lisible for r in appel.reglages],
                "Source": [r.source.libelle if r.source else "" for r in appel.reglages],
                "Citation, lecture ou note": [
                    r.source.precision if r.source else "" for r in appel.reglages
                ],
                "Confirmation": [_confirmation(r) for r in appel.reglages],
            }
        ),
        hide_index=True,
        width="stretch",
        key="sources_tableau",
    )
    libelles_reglages = {r.chemin: r.libelle for r in appel.reglages}
    if a_confirmer:
        choisis = st.multiselect(
            "Réglages à confirmer",
            [r.chemin for r in appel.reglages if r.chemin in a_confirmer],
            default=[r.chemin for r in appel.reglages if r.chemin in a_confirmer],
            format_func=libelles_reglages.__getitem__,
            # Une clé par liste à confirmer : après une confirmation, la liste suivante est
            # proposée en entier.
            key=f"sources_choisis::{zlib.crc32(' '.join(sorted(a_confirmer)).encode())}",
            placeholder="Aucun réglage choisi",
            select_all=False,
        )
        if st.button(
            "Confirmer ces réglages",
            key="sources_confirmer",
            type="primary",
            disabled=not choisis,
            help="Inscrit au journal, daté, à votre nom.",
        ):
            try:
                n = confirmer(appel, choisis, moteur=m, auteur=auteur)
            except ConfirmationRefusee as exc:
                st.error(litteral(exc), icon=":material/error:")
            else:
                annoncer(
                    "sources_confirmer",
                    SUCCES,
                    f"Réglages confirmés et inscrits au journal : {n}.",
                )
                st.rerun()
    elif not manquantes:
        st.success("Chaque réglage du comité et chaque interprétation est confirmé.")
    # Sous le bouton, ou à sa place quand la dernière confirmation l'a fait disparaître.
    afficher_message("sources_confirmer")

# --- Créer ---------------------------------------------------------------------------------
with onglet_creer:
    modeles = modeles_fournis()
    existants = appels_disponibles()
    origine = st.radio(
        "À partir de",
        ["Un modèle livré", "Une copie d'un appel existant"],
        horizontal=True,
        key="creer_origine",
    )
    sources = modeles if origine == "Un modèle livré" else existants
    source_id = st.selectbox(
        "Modèle" if origine == "Un modèle livré" else "Appel à copier",
        options=list(sources),
        format_func=lambda i: f"{sources[i].nom_court} — {sources[i].nom}",
        key="creer_source",
    )
    source = sources[source_id]
    if source.description:
        st.caption(litteral(source.description))
    with st.form("creer_appel"):
        identifiant = st.text_input(
            "Identifiant du nouvel appel",
            placeholder="paivmq-2024-2025",
            help="Minuscules sans accents, chiffres et tirets ; il ne change plus ensuite.",
            key="creer_id",
        )
        nom = st.text_input("Nom", placeholder=source.nom, key="creer_nom")
        nom_court = st.text_input(
            "Nom court",
            placeholder=source.nom_court,
            help="Ce que la barre latérale et les exports affichent (l'identifiant s'il est vide).",
            key="creer_nom_court",
        )
        creer = st.form_submit_button("Créer l'appel", type="primary")
    if creer:
        try:
            texte = copie(source, identifiant.strip(), nom, nom_court)
            nouveau = enregistrer(texte, moteur=m, auteur=auteur, creation=True)
        except (ErreurAppel, ParametresRefuses) as exc:
            st.error(litteral(exc), icon=":material/error:")
        else:
            st.session_state[CLE_APPEL] = nouveau.id
            annoncer(
                "creer_appel",
                SUCCES,
                f"Appel « {nouveau.nom_court} » créé d'après « {source.nom_court} » ; "
                "c'est maintenant l'appel actif.",
            )
            st.rerun()
    afficher_message("creer_appel")

# --- Exporter, importer ---------------------------------------------------------------------
with onglet_fichier:
    st.download_button(
        f"Télécharger la configuration de {litteral(appel.nom_court)} (TOML)",
        data=appel.source_toml.encode("utf-8"),
        file_name=f"{appel.id}.toml",
        mime="application/toml",
        icon=":material/download:",
        key="exporter_toml",
    )
    st.caption(
        "Le même format que les fichiers de donnees/appels/ ; réimporté, il redonne l'appel "
        "à l'identique. Importer un fichier dont l'identifiant existe modifie cet appel, aux "
        "mêmes conditions que le formulaire."
    )
    televerse = televerseur(
        "Importer un fichier TOML",
        key="importer_toml",
        taille_max=TAILLE_MAX_TOML,
        help="Un fichier .toml exporté par cette page ou livré dans donnees/appels/.",
    )
    if televerse is not None and st.button("Importer cette configuration", key="importer_go"):
        try:
            importe, cree = importer_toml(
                televerse.getvalue(), televerse.name, moteur=m, auteur=auteur
            )
        except (ErreurAppel, ParametresRefuses) as exc:
            st.error(litteral(exc), icon=":material/error:")
        else:
            st.session_state[CLE_APPEL] = importe.id
            annoncer(
                "importer_go",
                SUCCES,
                f"Appel « {importe.nom_court} » {'créé' if cree else 'mis à jour'}.",
            )
            st.rerun()
    afficher_message("importer_go")

# --- Archiver -------------------------------------------------------------------------------
with onglet_archive:
    if stocke is None:
        st.info("Cet appel livré n'est pas encore enregistré dans la base : rien à archiver.")
    elif archive:
        st.warning("Cet appel est archivé : il se consulte, il ne se modifie plus.")
        if st.button("Rouvrir l'appel", key="desarchiver"):
            archiver(appel.id, False, moteur=m, auteur=auteur)
            annoncer("archiver", SUCCES, f"Appel « {appel.nom_court} » rouvert.")
            st.rerun()
    else:
        st.caption(
            "Un appel archivé reste consultable (classement, portefeuille, comparaison) mais "
            "ne se modifie plus ; la ligne de commande ne le prend plus par défaut."
        )
        if st.button("Archiver l'appel", key="archiver"):
            archiver(appel.id, True, moteur=m, auteur=auteur)
            annoncer("archiver", SUCCES, f"Appel « {appel.nom_court} » archivé.")
            st.rerun()
    afficher_message("archiver")

# --- Modifier -------------------------------------------------------------------------------
with onglet_modifier:
    # Dans un bloc de code, rien n'est interprété que l'accent grave, retiré.
    st.markdown(
        f"**{litteral(appel.nom)}**",
        help=f"Identifiant de l'appel (fichier de configuration, ligne de commande) : "
        f"{litteral(appel.id)}.",
    )
    if archive:
        st.warning("Cet appel est archivé : rouvrez-le (onglet Archiver) pour le modifier.")
    if fige:
        st.info(
            f"Évaluations stockées : {n_evaluations}. Les critères et l'échelle ne changent "
            "plus ; les poids, oui (avec une raison écrite et votre confirmation dès qu'une "
            "évaluation est soumise ; journalisé, appliqué au classement).",
            icon=":material/lock:",
        )
    donnees = sections(appel)
    cle = f"param_{appel.id}_"
    version_param = version_a_l_ouverture(cle, int(stocke["version"]) if stocke else 0)
    with st.form(f"{cle}formulaire"):
        st.subheader("Appel")
        a = donnees["appel"]
        g, d = st.columns(2)
        nom = g.text_input("Nom", a.get("nom", ""), key=cle + "nom")
        nom_court = d.text_input("Nom court", a.get("nom_court", ""), key=cle + "nom_court")
        organisme = g.text_input("Organisme", a.get("organisme", ""), key=cle + "organisme")
        date_limite = d.date_input(
            "Date limite de dépôt",
            value=a.get("date_limite"),
            format=FORMAT_DATE_SAISIE,
            key=cle + "date_limite",
        )
        description = st.text_area(
            "Description", a.get("description", ""), height=80, key=cle + "description"
        )

        st.subheader("Financement")
        f = donnees["financement"]
        g, d, e = st.columns(3)
        debut = g.date_input(
            "Début de la première année financière",
            value=f["premiere_annee_debut"],
            format=FORMAT_DATE_SAISIE,
            key=cle + "debut",
        )
        annees = d.number_input(
            "Nombre d'années financières",
            min_value=1,
            max_value=10,
            value=int(f["nombre_annees_max"]),
            key=cle + "annees",
        )
        # Montants à la québécoise (« 25 000 »), lus par le lecteur de montants (issue 19).
        plafond = champ_montant(
            "Plafond annuel par demande ($)",
            _cents(f["plafond_annuel"]),
            key=cle + "plafond",
            conteneur=e,
        )
        bonus = champ_montant(
            "Bonification maximale d'un projet conjoint ($ par année)",
            _cents(f.get("bonification_conjoint_max", f.get("bonification_projet_conjoint", 0))),
            help="L'appel n'en fixe pas le montant : 0 $ par défaut pour chaque demande, "
            "fixée par la présidence avec une raison, jamais au-dessus de ce plafond.",
            key=cle + "bonus",
            conteneur=g,
        )
        enveloppe = d.text_input(
            "Enveloppe par année financière ($, séparées par des points-virgules)",
            " ; ".join(montant_saisi(_cents(v)) for v in f["enveloppe"]),
            help="Une valeur par année financière, dans l'ordre : « 750 000 ; 500 000 ».",
            key=cle + "enveloppe",
        )
        enveloppes, illisible = _montants_separes(enveloppe)
        if illisible:
            d.error(litteral(illisible), icon=":material/error:")
        st.caption(
            litteral(lecture_annees_financieres(appel.financement)),
            help="L'appel PAIVMQ 2023-2024 dit « une ou deux années financières débutant le "
            "1er avril 2024 et se terminant le 31 mars 2025 » : il ne nomme qu'une année tout "
            "en en permettant deux. Cette lecture est une interprétation, tirée du début de "
            "la première année et du nombre d'années ci-dessus.",
        )

        st.subheader("Évaluation")
        v = donnees["evaluation"]
        g, d, e, h = st.columns(4)
        echelle_min = g.number_input(
            "Note minimale",
            value=float(v["echelle_min"]),
            format=FORMAT_NOTE_SAISIE,
            disabled=fige,
            key=cle + "echelle_min",
        )
        echelle_max = d.number_input(
            "Note maximale",
            value=float(v["echelle_max"]),
            format=FORMAT_NOTE_SAISIE,
            disabled=fige,
            key=cle + "echelle_max",
        )
        pas = e.number_input(
            "Pas",
            min_value=0.01,
            value=float(v["pas"]),
            format=FORMAT_NOTE_SAISIE,
            disabled=fige,
            key=cle + "pas",
        )
        seuil = h.number_input(
            "Seuil global (sur 100)",
            min_value=0.0,
            max_value=100.0,
            value=float(v["seuil_global"]),
            format=FORMAT_NOTE_SAISIE,
            key=cle + "seuil",
        )
        g, c, d = st.columns(3)
        notes_des_autres = g.selectbox(
            "Un évaluateur voit les notes des autres",
            NOTES_DES_AUTRES,
            index=NOTES_DES_AUTRES.index(v.get("notes_des_autres", "jamais")),
            format_func=LIBELLES_NOTES_DES_AUTRES.get,
            key=cle + "notes_des_autres",
        )
        apres_consultation = c.selectbox(
            "Évaluation soumise changée après avoir vu les autres",
            APRES_CONSULTATION,
            index=APRES_CONSULTATION.index(v.get("apres_consultation", "signaler")),
            format_func=LIBELLES_APRES_CONSULTATION.get,
            key=cle + "apres_consultation",
            help="Réglage du comité (l'appel n'en dit rien). Ne joue que si les évaluateurs "
            "voient les notes des autres.",
        )
        agregation = d.selectbox(
            "Note d'un critère",
            AGREGATIONS,
            index=AGREGATIONS.index(v.get("agregation", "moyenne")),
            format_func=LIBELLES_AGREGATION.get,
            key=cle + "agregation",
        )

        st.markdown("**Critères et pondérations** (les poids totalisent 100)")
        # Le libellé d'abord, large (« Cohérence avec les priorités du ministère » entier) ;
        # l'identifiant, technique, après lui.
        colonnes_critere = ["poids", "libelle", "id", "description"]
        colonnes_critere += ["note_basse", "note_moyenne", "note_haute", "minimum", "champs"]
        criteres = st.data_editor(
            pd.DataFrame(
                [{**k, "champs": liste_en_texte(k.get("champs"))} for k in donnees["criteres"]],
                columns=colonnes_critere,
            ),
            num_rows="fixed" if fige else "dynamic",
            disabled=["id", "libelle", "minimum"] if fige else [],
            column_order=colonnes_critere,
            column_config={
                "id": st.column_config.TextColumn(
                    "Identifiant",
                    required=True,
                    width=130,
                    help=AIDE_IDENTIFIANT,
                ),
                "libelle": st.column_config.TextColumn("Critère", required=True, width=360),
                "poids": st.column_config.NumberColumn(
                    "Poids", min_value=0, max_value=100, width=80, format=FORMAT_NOTE_SAISIE
                ),
                "description": st.column_config.TextColumn("Description"),
                "note_basse": st.column_config.TextColumn("Note basse : ce qu'elle veut dire"),
                "note_moyenne": st.column_config.TextColumn("Note moyenne"),
                "note_haute": st.column_config.TextColumn("Note haute"),
                "minimum": st.column_config.NumberColumn(
                    "Minimum exigé", format=FORMAT_NOTE_SAISIE
                ),
                # Issue 18 : ce que le formulaire du gabarit demande pour ce critère.
                "champs": st.column_config.TextColumn(
                    "Champs du formulaire lus (séparés par ;)",
                    help="Clés : " + ", ".join(CHAMPS_FORMULAIRE),
                ),
            },
            hide_index=True,
            width="stretch",
            key=cle + "criteres",
        )

        st.subheader("Axes et secteurs")
        if appel.dimensions:
            # Issue 18 : un programme sans axes ni secteurs (QSF) classe ses demandes par les
            # dimensions qu'il déclare ; elles se modifient dans le fichier de configuration.
            st.caption(
                "Dimensions de classement déclarées (à modifier dans le fichier de "
                "configuration, onglet « Fichier de configuration ») : "
                + " ; ".join(
                    f"{litteral(dim.libelle)} "
                    f"({'plusieurs valeurs' if dim.multiple else 'une valeur'}"
                    f"{', obligatoire' if dim.obligatoire else ''}) : "
                    + ", ".join(litteral(v.libelle) for v in dim.valeurs)
                    for dim in appel.dimensions
                )
                + ". Axes et secteurs sont facultatifs."
            )
        g, d = st.columns(2)
        with g:
            axes = st.data_editor(
                pd.DataFrame(donnees.get("axes", []), columns=["numero", "libelle"]),
                num_rows="dynamic",
                column_config={
                    "numero": st.column_config.NumberColumn("N°", step=1, required=True),
                    "libelle": st.column_config.TextColumn("Axe ou thème", required=True),
                },
                hide_index=True,
                width="stretch",
                key=cle + "axes",
            )
        with d:
            secteurs = st.data_editor(
                pd.DataFrame(
                    [
                        {**s, "alias": liste_en_texte(s.get("alias"))}
                        for s in donnees.get("secteurs", [])
                    ],
                    columns=["id", "libelle", "alias"],
                ),
                num_rows="dynamic",
                column_order=["libelle", "id", "alias"],
                column_config={
                    "id": st.column_config.TextColumn(
                        "Identifiant", required=True, help=AIDE_IDENTIFIANT
                    ),
                    "libelle": st.column_config.TextColumn("Secteur", required=True),
                    "alias": st.column_config.TextColumn("Autres noms (séparés par ;)"),
                },
                hide_index=True,
                width="stretch",
                key=cle + "secteurs",
            )

        st.subheader("Classement")
        c = donnees.get("classement", {})
        g, d = st.columns(2)
        regles_appel = list(c.get("departage", []))
        departage = g.multiselect(
            "Départage des ex æquo, dans l'ordre",
            regles_departage_offertes(regles_appel, donnees["criteres"]),
            default=regles_appel,
            format_func=lambda r: libelle_departage(r, donnees["criteres"]),
            placeholder="Aucune règle : le numéro de demande départage",
            select_all=False,
            # Toutes les règles visibles, sur plusieurs lignes : l'ordre se lit.
            wrap=True,
            help="Les règles s'appliquent dans l'ordre où elles sont choisies ; pour en "
            "changer l'ordre, retirez une règle puis choisissez-la de nouveau (elle passe "
            "en dernier). Note en un critère : la plus haute d'abord ; projet conjoint : "
            "avant le projet d'une seule municipalité ; contribution du demandeur, "
            "financement externe : la plus grande part du coût d'abord. Identifiants dans "
            "le fichier de configuration : critere:<identifiant du critère>, "
            "projet_conjoint, part_financement_propre, financement_externe, no_demande.",
            key=cle + "departage_regles",
        )
        mode_ligne = d.selectbox(
            "Ligne de financement",
            MODES_LIGNE,
            index=MODES_LIGNE.index(c.get("mode_ligne", "stricte")),
            format_func=LIBELLES_MODE_LIGNE.get,
            key=cle + "mode_ligne",
        )
        objectif_selection = d.selectbox(
            "Objectif de la meilleure sélection (page Portefeuille)",
            OBJECTIFS_SELECTION,
            index=OBJECTIFS_SELECTION.index(c.get("objectif_selection", "classement")),
            format_func=lambda o: LIBELLES_OBJECTIF_SELECTION[o].capitalize(),
            key=cle + "objectif_selection",
        )
        note_retenue = d.selectbox(
            "Note qui classe (réglage du comité)",
            NOTES_RETENUES,
            index=NOTES_RETENUES.index(c.get("note_retenue", "moyenne")),
            format_func=lambda n: LIBELLES_NOTE_RETENUE[n].capitalize(),
            help="L'appel ne parle ni de séance ni de consensus. « Consensus » : la note que "
            "la présidence inscrit en séance, critère par critère avec ses motifs, classe la "
            "demande qui en a une sur chaque critère ; les autres gardent la note des "
            "évaluateurs. Les deux notes restent affichées.",
            key=cle + "note_retenue",
        )
        st.markdown("**Cibles d'équilibre du portefeuille**")
        colonnes_cible = ["dimension", "valeur", "part_min", "part_max"]
        colonnes_cible += ["nombre_min", "nombre_max"]
        cibles = st.data_editor(
            pd.DataFrame(
                cibles_en_lignes(donnees.get("cibles", [])),
                columns=colonnes_cible,
            ),
            num_rows="dynamic",
            column_config={
                # L'axe, le secteur, la région, et chaque dimension que l'appel déclare
                # ([[dimensions]], issue 18) : une cible peut porter sur chacune.
                "dimension": st.column_config.SelectboxColumn(
                    "Dimension",
                    options=[
                        "axe",
                        "secteur",
                        "region",
                        *(
                            d["id"]
                            for d in donnees.get("dimensions", [])
                            if isinstance(d, dict) and isinstance(d.get("id"), str)
                        ),
                    ],
                    format_func=lambda dim: libelle_dimension(dim, donnees.get("dimensions", [])),
                    required=True,
                ),
                "valeur": st.column_config.TextColumn(
                    "Valeur",
                    help="Numéro d'axe, identifiant de secteur, code de région, ou « Chacune » "
                    "(la cible vaut pour chaque valeur de la dimension).",
                ),
                # Des cases de texte : une case vide reste vide (une case numérique vide
                # afficherait « None ») ; la relecture les remet en nombres.
                "part_min": st.column_config.TextColumn("Part min. (%)"),
                "part_max": st.column_config.TextColumn("Part max. (%)"),
                "nombre_min": st.column_config.TextColumn("Nombre min."),
                "nombre_max": st.column_config.TextColumn("Nombre max."),
            },
            hide_index=True,
            width="stretch",
            key=cle + "cibles",
        )

        st.subheader("Dépenses")
        dep = donnees["depenses"]
        plafond_visas = champ_montant(
            "Plafond des frais de visas ($)",
            _cents(dep["plafond_visas"]),
            key=cle + "plafond_visas",
        )
        colonnes_depense = {
            "id": st.column_config.TextColumn("Identifiant", required=True, help=AIDE_IDENTIFIANT),
            "libelle": st.column_config.TextColumn("Dépense", required=True, width=320),
            "alias": st.column_config.TextColumn("Autres noms (séparés par ;)"),
            "plafonnee": st.column_config.CheckboxColumn("Plafonnée"),
        }
        editees = {}
        for genre, titre in (
            ("admissibles", "admissibles"),
            ("non_admissibles", "non admissibles"),
        ):
            st.markdown(f"**Dépenses {titre}**")
            editees[genre] = st.data_editor(
                pd.DataFrame(
                    [
                        {
                            **t,
                            "alias": liste_en_texte(t.get("alias")),
                            "plafonnee": bool(t.get("plafonnee")),
                        }
                        for t in dep[genre]
                    ],
                    columns=["id", "libelle", "alias", "plafonnee"],
                ),
                num_rows="dynamic",
                column_order=["libelle", "id", "alias", "plafonnee"],
                column_config=colonnes_depense,
                hide_index=True,
                width="stretch",
                key=cle + genre,
            )

        raison_changement, confirmer_changement = "", False
        if n_soumises:
            st.markdown("**Changer un réglage après le début de la notation**")
            raison_changement = st.text_input(
                f"Raison du changement de réglage (évaluations déjà soumises : {n_soumises})",
                key=cle + "raison_reglage",
                max_chars=SAISIE_MAX,
                help=(
                    "Obligatoire pour changer un poids, un seuil, un plafond, une catégorie de "
                    "dépenses ou tout autre réglage qui dit sa source : ils ont été fixés "
                    "avant la notation. Inscrite au journal avec chaque réglage changé."
                ),
            )
            confirmer_changement = st.checkbox(
                "Je confirme changer ces réglages après le début de la notation",
                key=cle + "confirmer_reglage",
            )
        enregistrer_clic = st.form_submit_button(
            "Enregistrer les paramètres", type="primary", disabled=archive
        )

    montants_illisibles = None in (plafond, bonus, plafond_visas) or bool(illisible)
    if enregistrer_clic and montants_illisibles:
        st.error(
            "Paramètres non enregistrés : corrigez les montants signalés sous leur champ.",
            icon=":material/error:",
        )
    elif enregistrer_clic:
        nouvelles = dict(donnees)
        nouvelles["appel"] = {
            **a,
            "nom": nom.strip(),
            "nom_court": nom_court.strip(),
            "organisme": organisme.strip(),
            "description": description.strip(),
        }
        if date_limite:
            nouvelles["appel"]["date_limite"] = date_limite
        else:
            nouvelles["appel"].pop("date_limite", None)
        nouvelles["financement"] = {
            **{k: v for k, v in f.items() if k != "bonification_projet_conjoint"},
            "premiere_annee_debut": debut,
            "nombre_annees_max": int(annees),
            "plafond_annuel": nombre_net(plafond / 100),
            "bonification_conjoint_max": nombre_net(bonus / 100),
            "enveloppe": [nombre_net(v / 100) for v in enveloppes],
        }
        nouvelles["evaluation"] = {
            **v,
            "echelle_min": float(echelle_min),
            "echelle_max": float(echelle_max),
            "pas": float(pas),
            "seuil_global": float(seuil),
            "notes_des_autres": notes_des_autres,
            "apres_consultation": apres_consultation,
            "agregation": agregation,
        }
        nouvelles["criteres"] = tables_depuis_lignes(
            criteres.to_dict("records"), reels=("poids", "minimum"), listes=("champs",)
        )
        nouvelles["axes"] = tables_depuis_lignes(axes.to_dict("records"), entiers=("numero",))
        nouvelles["secteurs"] = tables_depuis_lignes(secteurs.to_dict("records"), listes=("alias",))
        for facultative in ("axes", "secteurs"):  # un appel sans axes ni secteurs (issue 18)
            if not nouvelles[facultative]:
                nouvelles.pop(facultative)
        nouvelles["classement"] = {
            **c,
            "departage": list(departage),
            "mode_ligne": mode_ligne,
            "objectif_selection": objectif_selection,
            "note_retenue": note_retenue,
        }
        lues = cibles_depuis_lignes(cibles.to_dict("records"))
        nouvelles["cibles"] = lues
        if not lues:
            nouvelles.pop("cibles")
        nouvelles["depenses"] = {
            **dep,
            "plafond_visas": nombre_net(plafond_visas / 100),
            **{
                genre: tables_depuis_lignes(
                    tableau.to_dict("records"), listes=("alias",), booleens=("plafonnee",)
                )
                for genre, tableau in editees.items()
            },
        }
        try:
            enregistrer(
                vers_toml(nouvelles),
                moteur=m,
                auteur=auteur,
                version_attendue=version_param,
                raison=raison_changement,
                confirmer=confirmer_changement,
            )
        except ParametresPerimes as exc:
            st.session_state[CLE_PERIMES] = appel.id
            annoncer("param_enregistrer", REFUS, str(exc))
            st.rerun()
        except (ErreurAppel, ParametresRefuses) as exc:
            st.error(litteral(exc), icon=":material/error:")
        else:
            oublier_version(cle)
            annoncer(
                "param_enregistrer",
                SUCCES,
                f"Paramètres de « {nom_court or appel.nom_court} » enregistrés.",
            )
            st.rerun()
    # Sous « Enregistrer les paramètres », au bas d'un long formulaire (issue 16).
    afficher_message("param_enregistrer")
    if st.session_state.get(CLE_PERIMES) == appel.id and st.button(
        "Recharger les paramètres enregistrés", key="param_recharger", type="primary"
    ):
        for k in [k for k in st.session_state if str(k).startswith(cle)]:
            del st.session_state[k]
        oublier_version(cle)
        st.session_state.pop(CLE_PERIMES, None)
        st.rerun()
    if stocke:
        st.caption(f"Dernier enregistrement : {date_heure(stocke['enregistre_le'])}")
    else:
        st.caption("Appel livré, pas encore enregistré dans la base.")
