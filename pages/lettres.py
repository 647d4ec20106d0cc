"""Lettres aux demandeurs (issue 17, point 2) : une lettre par demande qui a une issue
(acceptation, liste d'attente, refus inadmissible ou sous la ligne), tirée des modèles DOCX
que le ministère modifie ; un aperçu, l'archive ZIP des DOCX et, où LibreOffice est
installé, celle des PDF. Chaque génération est inscrite au journal. L'administration
remplace les modèles."""

import datetime as dt

import streamlit as st

from evaluation.decision import courrier
from evaluation.depot.classeurs import FichierRefuse
from evaluation.socle import droits
from evaluation.socle.formats import FORMAT_DATE_SAISIE, nombre, pluriel
from evaluation.socle.formats import date as date_lisible
from evaluation.socle.texte import litteral
from evaluation.sorties import lettres
from pages.composants.commun import appel_actif, classement_calcule, moteur
from pages.composants.connexion import exiger_acces
from pages.composants.francais import televerseur
from pages.composants.messages import REFUS, SUCCES, afficher, annoncer

MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CLE_PAQUET = "lettres_paquet_{format}"


@st.cache_data(max_entries=20, show_spinner="Mise en page par LibreOffice…")
def _premiere_page(docx: bytes) -> bytes | None:
    """La première page de la lettre en image, convertie une fois par lettre rendue."""
    try:
        pdf = lettres.en_pdf({"apercu.docx": docx})["apercu.pdf"]
    except lettres.ConversionImpossible:
        return None
    return lettres.premiere_page_png(pdf)


def origine_modele(modele: courrier.Modele) -> str:
    """« modèle livré » ou « modèle de l'administration du 1er décembre 2026 » : ce qu'une
    personne reconnaît d'un modèle (l'empreinte, elle, va en aide et au journal)."""
    if modele.par_defaut or modele.date is None:
        return "modèle livré"
    return f"modèle de l'administration du {date_lisible(modele.date.date())}"


compte = exiger_acces("lettres")
appel = appel_actif()
m = moteur()

st.title("Lettres aux demandeurs")
st.caption(
    "Une lettre par demande, tirée des modèles du ministère. L'issue vient de la décision du "
    "ministère, jamais de la seule recommandation du comité (retenu : acceptation ; liste "
    "d'attente ; refusé : refus après évaluation, avec la note de chaque critère et les "
    "commentaires des évaluateurs, sans leur nom) ; une demande jugée inadmissible à "
    "l'examen reçoit le refus « inadmissible », avec les raisons de l'examen. Quand le "
    "ministère modifie la recommandation du comité, la lettre donne sa raison ; une demande "
    "que le comité recommandait et que le ministère refuse n'est pas dite « sous la ligne ». "
    "Chaque lettre est signée du nom de l'autorité qui a décidé. L'appel : le ministère "
    "« conserve cependant la responsabilité de la sélection définitive des projets et de la "
    "détermination des sommes »."
)


@st.cache_resource(max_entries=2, show_spinner=False)
def _preparation(cle: tuple, _calcul) -> courrier.Preparation:
    """Les lettres de l'appel, préparées une fois par version des données (`Calcul.cle`),
    pas à chaque exécution de la page : la préparation relit toutes les notes de l'appel
    pour les commentaires (366 000 à 5 000 demandes) ; choisir l'aperçu ou la date ne la
    refait pas. Une écriture (décision, examen, évaluation) change la clé."""
    return courrier.preparer(appel, moteur=m, donnees=_calcul.donnees, table=_calcul.table)


calcul = classement_calcule(appel)
preparation = _preparation(calcul.cle, calcul)
par_genre = preparation.par_genre()

colonnes = st.columns(len(lettres.GENRES))
for colonne, genre in zip(colonnes, lettres.GENRES, strict=True):
    colonne.metric(lettres.LIBELLES_GENRES[genre], par_genre[genre])
if preparation.sans_lettre:
    sans = preparation.sans_lettre
    st.warning(
        f"{pluriel(len(sans), 'demande')} sans décision du ministère "
        + ("n'a" if len(sans) < 2 else "n'ont")
        + " pas de lettre : "
        + ", ".join(litteral(s.no_demande) for s in sans[:20])
        + (f" et {pluriel(len(sans) - 20, 'autre')}" if len(sans) > 20 else "")
        + ". L'autorité les décide à la page Décision du ministère.",
        icon=":material/mail_off:",
    )
    with st.expander(f"Demandes sans lettre ({len(sans)})"):
        st.dataframe(
            [{"No": s.no_demande, "Titre": s.titre, "Statut": s.statut} for s in sans],
            hide_index=True,
            width="stretch",
        )

modeles = courrier.modeles_en_vigueur(appel, moteur=m)
jour = st.date_input(
    "Date des lettres", value=dt.date.today(), format=FORMAT_DATE_SAISIE, key="lettres_date"
)

# --- Aperçu ---------------------------------------------------------------------------------
st.subheader("Aperçu d'une lettre")
if not preparation.lettres:
    st.info("Aucune lettre à produire : aucune demande n'a de décision ni n'est inadmissible.")
else:
    par_id = {lettre.demande_id: lettre for lettre in preparation.lettres}
    choisie = st.selectbox(
        "Demande",
        list(par_id),
        format_func=lambda d: (
            f"{par_id[d].no_demande} — {par_id[d].titre} "
            f"({lettres.LIBELLES_GENRES[par_id[d].genre]})"
        ),
        key="lettres_apercu",
    )
    lettre = par_id[choisie]
    modele = modeles[lettre.genre]
    try:
        docx = lettres.rendre(
            modele.contenu,
            lettres.contexte(lettre, appel, jour),
            modele.nom_fichier,
        )
    except lettres.ErreurLettre as exc:
        st.error(litteral(str(exc)), icon=":material/block:")
    else:
        st.caption(
            f"Modèle « {litteral(modele.nom_fichier)} » : {origine_modele(modele)}.",
            help=f"Empreinte du modèle (inscrite au journal à chaque génération) : "
            f"{modele.empreinte}.",
        )
        mise_en_page = lettres.libreoffice() is not None and st.toggle(
            "Voir la mise en page (première page du PDF, par LibreOffice)",
            key="lettres_apercu_pdf",
        )
        image = _premiere_page(docx) if mise_en_page else None
        if mise_en_page and image is None:
            st.caption("La mise en page n'a pas pu être rendue ici : voici le texte de la lettre.")
        if image is not None:
            with st.container(border=True, key="lettres_apercu_image"):
                st.image(image, width=700)
        else:
            with st.container(border=True, key="lettres_apercu_texte"):
                for paragraphe in lettres.paragraphes(docx):
                    if paragraphe.strip():
                        st.markdown(litteral(paragraphe))
        st.caption(
            "L'aperçu n'est pas une lettre envoyée : les lettres se téléchargent après leur "
            "génération (ci-dessous), qui est inscrite au journal."
        )

# --- Générer --------------------------------------------------------------------------------
st.subheader("Générer toutes les lettres")
st.caption(
    f"{pluriel(len(preparation.lettres), 'lettre')} : "
    + lettres.resume_par_genre(par_genre)
    + ". Chaque génération est inscrite au journal (nombre par genre, version des modèles)."
)
peut_generer = droits.peut_generer_lettres(compte.role)
libreoffice = lettres.libreoffice() is not None


def _generer(format_: str) -> None:
    cle = f"lettres_generer_{format_}"
    try:
        with st.spinner("Génération des lettres…"):
            paquet = courrier.generer(
                appel,
                moteur=m,
                auteur=compte.courriel,
                role=compte.role,
                format=format_,
                jour=jour,
                preparation=preparation,
            )
    except (
        courrier.ErreurCourrier,
        lettres.ErreurLettre,
        lettres.ConversionImpossible,
    ) as exc:
        st.session_state.pop(CLE_PAQUET.format(format=format_), None)
        annoncer(cle, REFUS, str(exc))
        return
    st.session_state[CLE_PAQUET.format(format=format_)] = paquet
    annoncer(
        cle,
        SUCCES,
        f"{pluriel(sum(paquet.par_genre.values()), 'lettre générée', 'lettres générées')} en "
        f"{format_.upper()} ({lettres.resume_par_genre(paquet.par_genre)}), inscrites au "
        "journal.",
    )


g1, g2 = st.columns(2)
for colonne, format_, libelle in (
    (g1, courrier.DOCX, "Générer les lettres (DOCX)"),
    (g2, courrier.PDF, "Générer les lettres (PDF)"),
):
    with colonne:
        desactive = not peut_generer or not preparation.lettres
        if format_ == courrier.PDF and not libreoffice:
            desactive = True
        if st.button(
            libelle,
            key=f"lettres_generer_{format_}",
            disabled=desactive,
            icon=":material/mail:",
        ):
            _generer(format_)
        afficher(f"lettres_generer_{format_}")
        if format_ == courrier.PDF and not libreoffice:
            st.caption(litteral(lettres.MESSAGE_SANS_LIBREOFFICE))
        paquet = st.session_state.get(CLE_PAQUET.format(format=format_))
        if paquet is not None:
            st.download_button(
                f"Télécharger le ZIP des {format_.upper()}",
                data=paquet.contenu,
                file_name=paquet.nom_fichier,
                mime="application/zip",
                key=f"lettres_zip_{format_}",
                icon=":material/download:",
                on_click="ignore",
            )

# --- Modèles --------------------------------------------------------------------------------
st.subheader("Modèles des lettres")
modifiable = droits.peut_modifier_modeles_lettres(compte.role)
st.caption(
    "Des documents Word (.docx) que le ministère modifie : les balises « {{ titre }} » sont "
    "remplacées à la génération. Balises permises : "
    + ", ".join(lettres.VARIABLES)
    + "."
    + (
        " Un modèle téléversé est vérifié avant d'être gardé : document Word sans macros ni "
        "lien vers un fichier extérieur, balises simples (ni « {% set %} » ni opération sur "
        "un texte, boucles sur les listes de la lettre seulement), aucune mention à remplir "
        "entre crochets, et il doit se rendre avec une lettre d'exemple."
        if modifiable
        else " Seule l'administration remplace un modèle."
    )
)
grille = st.columns(2)
for rang, genre in enumerate(lettres.GENRES):
    modele = modeles[genre]
    with grille[rang % 2], st.container(border=True, key=f"lettres_modele_{genre}"):
        st.markdown(f"**{lettres.LIBELLES_GENRES[genre]}**")
        st.caption(
            (
                "Modèle livré avec l'application."
                if modele.par_defaut
                else f"« {litteral(modele.nom_fichier)} », téléversé par "
                f"{litteral(modele.auteur)} le {date_lisible(modele.date.date())}."
            ),
            help=f"Empreinte du modèle (inscrite au journal) : {modele.empreinte}.",
        )
        st.download_button(
            "Télécharger le modèle en vigueur",
            data=modele.contenu,
            file_name=modele.nom_fichier,
            mime=MIME_DOCX,
            key=f"lettres_telecharger_{genre}",
            icon=":material/download:",
            on_click="ignore",
        )
        if not modifiable:
            continue
        compteur = st.session_state.get(f"lettres_televersement_{genre}", 0)
        fichier = televerseur(
            # Le genre dans le libellé : quatre téléverseurs sur la page, chacun se nomme.
            f"Remplacer le modèle « {lettres.LIBELLES_GENRES[genre]} » par un document Word "
            "(.docx)",
            # Aucun filtre de type (le navigateur refuserait en anglais) : la vérification du
            # modèle refuse en français ce qui n'est pas un .docx.
            help=f"{nombre(lettres.LIMITES.taille_max / 2**20)} Mo au plus, sans macros.",
            key=f"lettres_fichier_{genre}_{compteur}",
            taille_max=lettres.LIMITES.taille_max,
        )
        if st.button(
            "Remplacer le modèle",
            key=f"lettres_remplacer_{genre}",
            disabled=fichier is None,
            icon=":material/upload_file:",
        ):
            try:
                nouveau = courrier.remplacer_modele(
                    appel,
                    genre,
                    fichier.name,
                    fichier.getvalue(),
                    moteur=m,
                    auteur=compte.courriel,
                    role=compte.role,
                )
            except (FichierRefuse, lettres.ErreurLettre, courrier.ErreurCourrier) as exc:
                annoncer(f"lettres_remplacer_{genre}", REFUS, getattr(exc, "message", str(exc)))
            else:
                st.session_state[f"lettres_televersement_{genre}"] = compteur + 1
                annoncer(
                    f"lettres_remplacer_{genre}",
                    SUCCES,
                    f"Modèle « {nouveau.nom_fichier} » gardé.",
                )
                st.rerun()
        afficher(f"lettres_remplacer_{genre}")
        if not modele.par_defaut and st.button(
            "Revenir au modèle livré", key=f"lettres_retablir_{genre}", icon=":material/undo:"
        ):
            courrier.retablir_modele(
                appel, genre, moteur=m, auteur=compte.courriel, role=compte.role
            )
            annoncer(f"lettres_remplacer_{genre}", SUCCES, "Modèle livré rétabli.")
            st.rerun()
