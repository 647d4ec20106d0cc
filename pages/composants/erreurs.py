"""La frontière des pages : aucune erreur inattendue (base indisponible, contrainte violée,
bogue) ne montre de requête SQL, de paramètres ni de trace à la personne connectée.

Pas une page. `app.py` entoure l'exécution de chaque page ; les rappels de boutons (qui
s'exécutent avant la page, hors de cette protection) sont décorés par `rattraper`.
"""

from __future__ import annotations

import functools
import logging
import secrets

import streamlit as st

from evaluation.socle.stockage.evenements import ATTRIBUT_TRACE, trace_sans_donnees

journal = logging.getLogger("evaluation.pages")
CLE_ERREUR = "_erreur_inattendue"


def _reference() -> str:
    return secrets.token_hex(3).upper()


def message_erreur(reference: str) -> str:
    return (
        f"Une erreur inattendue a interrompu cette action (référence {reference}). "
        "Une écriture est enregistrée en entier ou pas du tout : rouvrez la page pour voir "
        "ce qui est enregistré, puis réessayez. Si l'erreur revient, transmettez la référence "
        "à l'administration, qui en trouvera le détail dans le journal du serveur."
    )


def consigner(exc: BaseException) -> str:
    """Inscrit l'erreur dans le journal du serveur ; renvoie sa référence. La trace est
    épurée : le type de l'exception (et de ses causes), le fichier, la ligne et la fonction
    de chaque cadre, jamais son message ni des valeurs (le texte d'une exception peut citer
    un courriel, un nom, la requête et ses paramètres)."""
    reference = _reference()
    journal.error(
        "Erreur inattendue, référence %s",
        reference,
        extra={ATTRIBUT_TRACE: trace_sans_donnees(exc)},
    )
    return reference


def afficher_erreur(exc: BaseException) -> None:
    """Le message en français à la place de la page, la trace au journal du serveur."""
    st.error(message_erreur(consigner(exc)), icon=":material/error:")


def afficher_erreur_differee() -> None:
    """Montre le message d'une erreur survenue dans un rappel de bouton, une seule fois."""
    if reference := st.session_state.pop(CLE_ERREUR, None):
        st.error(message_erreur(reference), icon=":material/error:")
        # Le message complet est en haut de la page ; le toast se voit où que l'on ait
        # cliqué (issue 16).
        st.toast(
            f"Une erreur inattendue a interrompu cette action (référence {reference}) : "
            "détails en haut de la page.",
            icon=":material/error:",
        )


def rattraper(rappel):
    """Un rappel de bouton (`on_click`) qui ne laisse passer aucune erreur inattendue : la
    trace va au journal du serveur, la personne lit un message en français en haut de page
    et un toast qui le signale là où elle a cliqué."""

    @functools.wraps(rappel)
    def protege(*args, **kwargs):
        try:
            return rappel(*args, **kwargs)
        except Exception as exc:
            st.session_state[CLE_ERREUR] = consigner(exc)

    return protege


def version_a_l_ouverture(cle: str, actuelle: int) -> int:
    """La version stockée quand le formulaire `cle` a été ouvert.

    Les champs d'un formulaire gardent leurs valeurs d'une exécution à l'autre : c'est sur
    cette version-là qu'ils ont été remplis, et c'est elle que l'écriture doit rendre pour
    ne rien écraser de plus récent (voir evaluation.socle.concurrence)."""
    return st.session_state.setdefault(f"_version::{cle}", actuelle)


def oublier_version(cle: str) -> None:
    """Après un enregistrement, ou une fois le refus montré : la prochaine ouverture relit."""
    st.session_state.pop(f"_version::{cle}", None)
