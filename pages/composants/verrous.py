"""Verrouiller les évaluations ou les décisions après confirmation (issue 16, point 6) : le
bouton ouvre une fenêtre (`st.dialog`) qui dit ce qui reste inachevé, et ne verrouille
qu'au clic sur « Verrouiller quand même » (ou « Verrouiller » quand rien ne reste).

Pas une page. Ce qui reste inachevé vient des règles (`notes.suivi.evaluations_inachevees`,
`notes.filtrage.examens_inacheves`, `decision.classement.decisions_inachevees`) ; le
verrouillage et son journal, de `notes.attributions.verrouiller`.

La fenêtre reste ouverte tant que sa clé est dans la session : la page la rouvre à chaque
exécution, si bien qu'un clic dans la fenêtre (qui relance la page entière sous AppTest)
la retrouve ; « Annuler », la croix ou Échap l'effacent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from evaluation.socle.texte import litteral
from pages.composants import messages

HAUTEUR_MAX = 280  # px : au-delà, la liste défile dans la fenêtre


@dataclass(frozen=True)
class Inacheves:
    """Une liste de ce qui reste à faire : son titre (« 15 évaluations non soumises »), une
    phrase qui dit ce que le verrou en fera, et la table à montrer (colonnes en français)."""

    titre: str
    consequence: str
    table: pd.DataFrame


def _ouverte(cle: str) -> str:
    return f"_verrou_ouvert::{cle}"


def _fermer(cle: str) -> None:
    st.session_state.pop(_ouverte(cle), None)


def corps(
    cle: str,
    listes: Sequence[Inacheves],
    rien: str,
    verrouiller: Callable[[], None],
    succes: str,
) -> None:
    """Le contenu de la fenêtre : chaque liste non vide (compte, conséquence, table qui
    défile), ou `rien` quand tout est fini ; puis la confirmation explicite. Confirmer
    appelle `verrouiller` et annonce `succes` sous le bouton de la page."""
    restantes = [x for x in listes if len(x.table)]
    if restantes:
        for x in restantes:
            st.markdown(f"**{litteral(x.titre)}**")
            st.caption(litteral(x.consequence))
            st.dataframe(
                x.table,
                hide_index=True,
                width="stretch",
                height=min(HAUTEUR_MAX, 38 + 35 * len(x.table)),
                key=f"{cle}_liste::{x.titre}",
            )
    else:
        st.markdown(litteral(rien))
    gauche, droite = st.columns(2)
    if gauche.button(
        "Verrouiller quand même" if restantes else "Verrouiller",
        key=f"{cle}_confirmer",
        type="primary",
        width="stretch",
    ):
        verrouiller()
        _fermer(cle)
        messages.annoncer(cle, messages.SUCCES, succes)
        st.rerun()
    if droite.button("Annuler", key=f"{cle}_annuler", width="stretch"):
        _fermer(cle)
        st.rerun()


def bouton_verrou(
    cle: str,
    libelle: str,
    *,
    listes: Callable[[], Sequence[Inacheves]],
    rien: str,
    verrouiller: Callable[[], None],
    succes: str,
    type: str = "primary",
) -> None:
    """Le bouton `libelle` (clé `cle`) qui ouvre la fenêtre de confirmation, la fenêtre
    tant qu'elle est ouverte, et, sous le bouton, le message du verrouillage. `listes` n'est
    appelée que fenêtre ouverte (lire tout ce qui reste à faire a un coût)."""
    if st.button(libelle, key=cle, type=type, icon=":material/lock:"):
        st.session_state[_ouverte(cle)] = True
    messages.afficher(cle)
    if st.session_state.get(_ouverte(cle)):
        fenetre = st.dialog(libelle, width="large", on_dismiss=lambda: _fermer(cle))(corps)
        fenetre(cle, listes(), rien, verrouiller, succes)
