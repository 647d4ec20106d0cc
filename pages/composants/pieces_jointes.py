"""Les pièces jointes des demandes (issue 18, point 3) : la section de la page Importation
qui téléverse l'archive ZIP, et la liste que l'évaluateur lit à côté de la demande.

Pas une page. La règle est dans `evaluation.depot.pieces_jointes`, l'écriture et le contrôle
d'accès dans `evaluation.depot.importation_pieces`.

L'affichage passe par `st.pdf` (le composant streamlit-pdf, pdf.js livré avec le paquet : le
navigateur ne demande rien hors du serveur de l'application, et pdf.js n'exécute pas le
JavaScript d'un PDF) ; le PDF est servi par Streamlit à une adresse /media/… de la session,
jamais en URL « data: » (que Chromium refuse d'ouvrir dans un cadre). Le bouton de
téléchargement est toujours là.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from evaluation.depot.importation_pieces import (
    AccesRefuse,
    PiecesRefusees,
    contenu_piece,
    importer_pieces,
    pieces_de_la_demande,
)
from evaluation.depot.pieces_jointes import LimitesPieces, nom_de_telechargement, numero_exemple
from evaluation.socle import stockage
from evaluation.socle.formats import nombre, pluriel
from evaluation.socle.texte import litteral
from pages.composants.francais import televerseur

CLE_MESSAGE = "_pieces_msg"
CLE_COMPTEUR = "_pieces_televersement"
CLE_AFFICHEE = "_piece_affichee"
REFUS_AFFICHES = 30


def taille_lisible(octets: int) -> str:
    """« 12 Ko », « 1,5 Mo »."""
    if octets < 1024 * 1024:
        return f"{nombre(max(octets, 1) / 1024)} Ko"
    return f"{nombre(octets / 2**20, 1)} Mo"


def _limites_en_clair(limites: LimitesPieces) -> str:
    return (
        f"archive de {limites.en_mo(limites.archive_max)} Mo au plus, "
        f"{limites.en_mo(limites.piece_max)} Mo par PDF, "
        f"{limites.en_mo(limites.total_max)} Mo une fois décompressée, "
        f"{nombre(limites.fichiers_max)} fichiers ; par demande, "
        f"{limites.pieces_par_demande} pièces et "
        f"{limites.en_mo(limites.volume_par_demande)} Mo au plus, versions remplacées comprises"
    )


def section_importation(appel, compte, moteur) -> None:
    """Téléverser l'archive des pièces jointes, puis le compte rendu (ou chaque refus) sous
    le bouton."""
    limites = LimitesPieces()
    st.subheader("Pièces jointes")
    with moteur.connect() as connexion:
        stockees = stockage.lire_pieces(appel.id, connexion=connexion)
        exemple = numero_exemple(stockage.numeros_demandes(appel.id, connexion=connexion), appel.id)
    demandes = {p["demande_id"] for p in stockees}
    # Le conseil du demandeur : celui d'une municipalité, ou d'un organisme (issue 18).
    conseil = "conseil d'administration" if appel.demandeur_organisme else "conseil"
    st.caption(
        f"Une archive .zip de PDF (résolution du {conseil}, lettres d'appui…), chacun nommé par "
        f"le numéro de sa demande (« {exemple}.pdf », « {exemple} - "
        "Résolution.pdf ») ou rangé dans un dossier qui porte ce numéro. Tout ou rien : si un "
        "fichier est refusé, aucune pièce n'est importée. Limites : "
        f"{_limites_en_clair(limites)}. Déjà stockées : "
        f"{pluriel(len(stockees), 'pièce')} pour {pluriel(len(demandes), 'demande')} "
        "(toutes versions)."
    )
    st.session_state.setdefault(CLE_COMPTEUR, 0)
    archive = televerseur(
        "Archive des pièces jointes (.zip)",
        taille_max=limites.archive_max,
        unite="archive",
        # Aucun filtre de type : le navigateur refuserait en anglais ; la lecture de
        # l'archive refuse en français ce qui n'est pas un ZIP.
        key=f"pieces_televersement_{st.session_state[CLE_COMPTEUR]}",
    )
    if st.button("Importer les pièces jointes", key="importer_pieces", disabled=archive is None):
        try:
            compte_rendu = importer_pieces(
                appel,
                archive.name,
                archive.getvalue(),
                moteur=moteur,
                auteur=compte.courriel,
                role=compte.role,
            )
        except PiecesRefusees as exc:
            st.session_state[CLE_MESSAGE] = (
                "refus",
                [r.message for r in exc.lecture.refus],
            )
        except AccesRefuse as exc:
            st.session_state[CLE_MESSAGE] = ("refus", [str(exc)])
        except MemoryError:
            st.session_state[CLE_MESSAGE] = (
                "refus",
                [
                    f"{archive.name} : le serveur a manqué de mémoire en lisant l'archive ; "
                    "rien n'a été importé. Répartissez les PDF dans plusieurs archives plus "
                    "petites et téléversez-les l'une après l'autre."
                ],
            )
        else:
            st.session_state[CLE_MESSAGE] = ("succes", [compte_rendu.texte()])
            st.session_state[CLE_COMPTEUR] += 1
        st.rerun()
    _afficher_message()


def _afficher_message() -> None:
    """Le résultat du dernier clic, sous le bouton, une fois."""
    message = st.session_state.pop(CLE_MESSAGE, None)
    if not message:
        return
    genre, textes = message
    if genre == "succes":
        st.success(litteral(textes[0]), icon=":material/check_circle:")
        return
    entete = (
        "Archive refusée ; aucune pièce n'a été importée (le refus est inscrit au journal). "
        + pluriel(len(textes), "problème")
        + " :"
    )
    lignes = "\n".join(f"- {litteral(t)}" for t in textes[:REFUS_AFFICHES])
    st.error(f"{entete}\n\n{lignes}", icon=":material/block:")
    if len(textes) > REFUS_AFFICHES:
        with st.expander(f"Les {len(textes) - REFUS_AFFICHES} autres problèmes"):
            st.markdown("\n".join(f"- {litteral(t)}" for t in textes[REFUS_AFFICHES:]))


def liste_pour_evaluation(appel, demande_id: int, compte, moteur) -> None:
    """Les pièces de la demande : nom, taille, « Afficher » (visionneuse) et
    « Télécharger » ; seulement si `compte` a accès à la demande."""
    st.markdown("**Pièces jointes**")
    try:
        pieces = pieces_de_la_demande(
            appel, demande_id, moteur=moteur, courriel=compte.courriel, role=compte.role
        )
    except AccesRefuse as exc:
        st.caption(litteral(str(exc)))
        return
    if not pieces:
        st.caption("Aucune pièce jointe importée pour cette demande.")
        return
    lire = partial(_octets, appel, moteur=moteur, courriel=compte.courriel, role=compte.role)
    affichee = st.session_state.get(CLE_AFFICHEE)
    for piece in pieces:
        nom, vue, telecharger = st.columns([6, 2, 2], vertical_alignment="center")
        nom.markdown(f"{litteral(piece['nom_fichier'])} · {taille_lisible(int(piece['taille']))}")
        vue.button(
            "Masquer" if affichee == piece["id"] else "Afficher",
            key=f"piece_voir_{piece['id']}",
            icon=":material/visibility:",
            on_click=_basculer,
            args=(piece["id"],),
            width="stretch",
        )
        telecharger.download_button(
            "Télécharger",
            data=partial(lire, piece["id"]),
            file_name=nom_de_telechargement(piece["nom_fichier"]),
            mime="application/pdf",
            key=f"piece_telecharger_{piece['id']}",
            icon=":material/download:",
            on_click="ignore",
            width="stretch",
        )
    if affichee in {p["id"] for p in pieces}:
        piece = next(p for p in pieces if p["id"] == affichee)
        st.pdf(lire(affichee), height=700, key=f"piece_pdf_{affichee}", alt=piece["nom_fichier"])


def _octets(appel, piece_id: int, *, moteur, courriel: str, role: str | None) -> bytes:
    return contenu_piece(appel, piece_id, moteur=moteur, courriel=courriel, role=role)[1]


def _basculer(piece_id: int) -> None:
    if st.session_state.get(CLE_AFFICHEE) == piece_id:
        st.session_state.pop(CLE_AFFICHEE, None)
    else:
        st.session_state[CLE_AFFICHEE] = piece_id
