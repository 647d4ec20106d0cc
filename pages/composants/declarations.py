"""Déclarations du comité (issue 16, point 3), pour les pages Séance et Classement : la
déclaration générale d'intérêts et l'engagement de confidentialité à accepter une fois par
appel avant la séance et toute décision, et la déclaration d'un conflit d'intérêts sur une
demande.

Pas une page. Les règles et les écritures sont dans `evaluation.decision.declarations`.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from evaluation.appels.configuration import Appel
from evaluation.decision import declarations
from evaluation.decision.comite import doit_declarer
from evaluation.socle.formats import date
from evaluation.socle.roles import Compte
from evaluation.socle.texte import SAISIE_MAX, litteral
from pages.composants.erreurs import rattraper


def declarations_acceptees(appel: Appel, compte: Compte, moteur, *, cle: str = "decl") -> bool:
    """Vrai si `compte` peut siéger (rôle sans déclaration, ou déclaration acceptée pour cet
    appel) ; sinon, montre pourquoi et le formulaire à accepter, et renvoie faux : la page
    n'affiche pas ses contrôles de décision."""
    if not doit_declarer(compte.role):
        return True
    if declarations.acceptation(appel, compte.courriel, moteur=moteur) is not None:
        return True
    textes = declarations.textes(appel)
    with st.container(border=True, key=f"{cle}_formulaire"):
        st.warning(
            litteral(
                f"Avant la séance et toute décision sur l'appel « {appel.nom_court} », "
                f"acceptez la {textes.interets.titre.lower()} et l'"
                f"{textes.confidentialite.titre.lower()} ci-dessous (une fois pour l'appel, "
                "datée). D'ici là, la séance et les décisions vous sont refusées."
            ),
            icon=":material/gavel:",
        )
        for t in (textes.interets, textes.confidentialite):
            st.markdown(f"**{litteral(t.titre)}**")
            st.markdown(litteral(t.texte))
        st.text_area(
            "Vos intérêts (organismes, municipalités, entreprises, liens ; « aucun » sinon)",
            key=f"{cle}_interets",
            max_chars=SAISIE_MAX,
        )
        st.checkbox(f"J'accepte la {textes.interets.titre.lower()}", key=f"{cle}_interets_ok")
        st.checkbox(
            f"Je prends l'{textes.confidentialite.titre.lower()}", key=f"{cle}_confidentialite_ok"
        )
        st.button(
            "Accepter et signer",
            key=f"{cle}_accepter",
            type="primary",
            on_click=_accepter,
            args=(appel, compte, moteur, cle),
        )
        if message := st.session_state.pop(f"{cle}_refus", None):
            st.error(litteral(message), icon=":material/block:")
    return False


@rattraper
def _accepter(appel: Appel, compte: Compte, moteur, cle: str) -> None:
    try:
        declarations.accepter(
            appel,
            compte.courriel,
            compte.role,
            st.session_state.get(f"{cle}_interets", ""),
            interets_acceptes=bool(st.session_state.get(f"{cle}_interets_ok")),
            confidentialite_acceptee=bool(st.session_state.get(f"{cle}_confidentialite_ok")),
            moteur=moteur,
        )
    except declarations.ErreurDeclaration as exc:
        st.session_state[f"{cle}_refus"] = f"Déclaration non enregistrée : {exc}"
        return
    st.toast("Déclaration d'intérêts et engagement de confidentialité acceptés.")


def exiger_declarations(appel: Appel, compte: Compte, moteur) -> None:
    """Arrête la page (Séance) tant que `compte` n'a pas accepté la déclaration du comité
    pour cet appel ; le formulaire à accepter est montré à la place."""
    if not declarations_acceptees(appel, compte, moteur, cle="decl_seance"):
        st.stop()


def formulaire_conflit(
    appel: Appel,
    compte: Compte,
    moteur,
    demandes: Mapping[int, str],
    *,
    cle: str = "conflit_comite",
    demande_id: int | None = None,
) -> None:
    """Un membre du comité déclare un conflit d'intérêts sur une demande (`demande_id`
    fixe, ou au choix parmi `demandes` : id → libellé). Le message s'affiche sous le
    bouton."""
    if not doit_declarer(compte.role):
        return
    with st.expander("Déclarer un conflit d'intérêts", icon=":material/front_hand:"):
        st.caption(
            "Vous connaissez personnellement une demande, y travaillez, ou en tirez un "
            "intérêt : déclarez-le. Vous sortirez de la salle pendant sa délibération, et "
            "vos décisions sur elle seront refusées."
        )
        if demande_id is None:
            choisie = st.selectbox(
                "Demande", list(demandes), format_func=demandes.get, key=f"{cle}_demande"
            )
        else:
            choisie = demande_id
            st.markdown(f"Demande : **{litteral(demandes.get(demande_id, demande_id))}**")
        st.text_input("Raison", key=f"{cle}_raison::{choisie}", max_chars=SAISIE_MAX)
        st.button(
            "Déclarer le conflit",
            key=f"{cle}_declarer",
            on_click=_declarer,
            args=(appel, compte, moteur, cle, choisie),
        )
        if message := st.session_state.pop(f"{cle}_message", None):
            (st.success if message[0] == "success" else st.error)(litteral(message[1]))
        miens = [
            c
            for c in declarations.recusations_du_comite(appel.id, moteur=moteur)
            if c["qui"] == compte.courriel
        ]
        if miens:
            st.caption(
                "Vos conflits déclarés : "
                + " ; ".join(
                    f"{litteral(demandes.get(c['demande_id'], c['demande_id']))} "
                    f"({litteral(c['raison'])}, le {date(c['date'].date())})"
                    for c in miens
                )
            )


@rattraper
def _declarer(appel: Appel, compte: Compte, moteur, cle: str, demande_id: int) -> None:
    try:
        avant = declarations.declarer_conflit(
            appel,
            demande_id,
            compte.courriel,
            st.session_state.get(f"{cle}_raison::{demande_id}", ""),
            moteur=moteur,
            auteur=compte.courriel,
        )
    except declarations.ErreurDeclaration as exc:
        st.session_state[f"{cle}_message"] = ("error", f"Conflit non déclaré : {exc}")
        return
    st.session_state[f"{cle}_message"] = (
        "success",
        "Conflit d'intérêts déclaré : vous sortirez de la salle pendant la délibération de "
        "cette demande, et vos décisions sur elle seront refusées." + decisions_a_revoir(avant),
    )


def decisions_a_revoir(avant) -> str:
    """La phrase qui signale les décisions inscrites par la personne avant sa déclaration."""
    if not avant:
        return ""
    jours = ", ".join(dict.fromkeys(date(d.date()) for d in avant))
    return (
        f" Une décision sur cette demande avait été inscrite par cette personne ({jours}) : "
        "le comité doit la revoir ; le procès-verbal la signale."
    )
