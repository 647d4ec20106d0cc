"""Le succès ou le refus d'une action, affiché sous le contrôle qui l'a causé (issue 16,
point 6), jamais seulement en haut d'une longue page.

Pas une page. Une action qui relance la page (`st.rerun`, ou un rappel `on_click`) annonce
son message sous la clé de son contrôle ; la page l'affiche juste sous ce contrôle à
l'exécution suivante, une seule fois.
"""

from __future__ import annotations

import streamlit as st

from evaluation.socle.texte import litteral

SUCCES, REFUS = "succes", "refus"


def _cle(controle: str) -> str:
    return f"_message::{controle}"


def annoncer(controle: str, genre: str, texte: str) -> None:
    """Garde le message de l'action du contrôle `controle` (`SUCCES` ou `REFUS`) pour
    l'exécution suivante ; `texte` est écrit tel quel (pas de Markdown)."""
    if genre not in (SUCCES, REFUS):
        raise ValueError(f"genre de message « {genre} » inconnu.")
    st.session_state[_cle(controle)] = (genre, texte)


def afficher(controle: str) -> None:
    """Ici, sous le contrôle `controle` : le message qu'il a annoncé, une fois."""
    if message := st.session_state.pop(_cle(controle), None):
        genre, texte = message
        if genre == SUCCES:
            st.success(litteral(texte), icon=":material/check_circle:")
        else:
            st.error(litteral(texte), icon=":material/block:")
