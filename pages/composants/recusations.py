"""Récusations en séance (issue 16, point 3) : sous le titre de la demande courante, qui doit
sortir de la salle (les présents en conflit d'intérêts déclaré sur elle), le quorum qui reste
quand l'appel en fixe un, le refus de décider pour qui est en conflit, et la déclaration
d'un conflit par la personne connectée.

Pas une page : `pages/seance.py` l'appelle en une ligne. Les règles sont dans
`evaluation.decision.comite`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from evaluation.appels.configuration import Appel
from evaluation.decision import declarations
from evaluation.decision.comite import (
    LIBELLES_ROLES_COMITE,
    SANS_COMPTE,
    cle_personne,
    presents_qui_votent,
    qui_doit_sortir,
    quorum_atteint,
    votants,
)
from evaluation.socle import droits, stockage
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.formats import pluriel
from evaluation.socle.roles import Compte
from evaluation.socle.texte import SAISIE_MAX, litteral
from pages.composants.declarations import decisions_a_revoir, formulaire_conflit
from pages.composants.erreurs import rattraper


def afficher_recusations(
    appel: Appel,
    demande_id: int,
    presents: Sequence[str],
    *,
    compte: Compte,
    moteur,
    libelle: str = "",
    presences: Sequence[Mapping] | None = None,
) -> bool:
    """Rend vrai si la personne connectée est en conflit d'intérêts sur la demande (elle
    sort de la salle : la page ne lui montre pas le dossier). `presents` : courriels des
    comptes et noms des personnes sans compte inscrits présents à la séance (vide : présences
    non inscrites, chaque conflit déclaré est nommé). `libelle` : le numéro de la demande
    (lu dans la base s'il n'est pas donné) ;
    `presences` : les lignes de présence de la séance, qui disent qui est inscrit par son
    compte (seuls ceux-là votent)."""
    conflits = declarations.conflits_de_la_demande(demande_id, moteur=moteur)
    comptes = {c.courriel: c for c in lister_comptes(moteur=moteur)}

    def qui(personne: str) -> str:
        c = comptes.get(personne)
        if c is None:
            return f"{personne} ({SANS_COMPTE})"
        role = LIBELLES_ROLES_COMITE.get(c.role, c.libelle_role.split(" (")[0].lower())
        return f"{c.nom or personne} ({role})"

    presents = list(presents)
    if presents:
        sortent = qui_doit_sortir(demande_id, presents, conflits)
        if sortent:
            st.warning(
                "**Doivent sortir de la salle pendant cette demande** : "
                + " ; ".join(f"{litteral(qui(s.qui))}, {litteral(s.raison)}" for s in sortent),
                icon=":material/door_open:",
            )
        else:
            st.caption("Aucun présent en conflit d'intérêts déclaré sur cette demande.")
        if appel.quorum:
            # Le décompte du serveur (decisions._refuser_sans_quorum) : présidence et membres.
            # Le décompte du serveur : les comptes actifs inscrits par leur compte.
            qui_vote = (
                presents_qui_votent(
                    presences,
                    [{"courriel": c, "role": x.role, "actif": x.actif} for c, x in comptes.items()],
                )
                if presences is not None
                else votants(presents, {c: x.role for c, x in comptes.items() if x.actif})
            )
            sortent_votants = qui_doit_sortir(demande_id, qui_vote, conflits)
            restent = len(qui_vote) - len(sortent_votants)
            texte = (
                f"Quorum : {pluriel(restent, 'membre présent', 'membres présents')} sans "
                f"conflit (présidence et membres du comité), {appel.quorum} requis "
                "(réglage du comité)"
            )
            if quorum_atteint(qui_vote, [s.qui for s in sortent_votants], appel.quorum):
                st.caption(texte + ".")
            else:
                st.error(
                    texte + " : aucune décision ne peut s'inscrire sur cette demande.",
                    icon=":material/groups:",
                )
    elif conflits:
        st.warning(
            "**Conflits d'intérêts déclarés sur cette demande** (présences non inscrites) : "
            + " ; ".join(
                f"{litteral(qui(c['evaluateur']))}, {litteral(c['raison'])}" for c in conflits
            )
            + ". Ces personnes sortent de la salle pendant sa délibération.",
            icon=":material/door_open:",
        )
    if presents and droits.peut_conduire_seance(compte.role):
        _conflit_d_un_present(appel, compte, moteur, demande_id, presents, conflits, qui)
    moi = next(
        (c for c in conflits if cle_personne(c["evaluateur"]) == cle_personne(compte.courriel)),
        None,
    )
    if moi is not None:
        if message := st.session_state.pop("conflit_seance_message", None):
            (st.success if message[0] == "success" else st.error)(litteral(message[1]))
        st.error(
            litteral(
                f"Vous avez déclaré un conflit d'intérêts sur cette demande ({moi['raison']}) : "
                "vos décisions sur elle sont refusées. Sortez de la salle pendant sa "
                "délibération."
            ),
            icon=":material/block:",
        )
    else:
        formulaire_conflit(
            appel,
            compte,
            moteur,
            {demande_id: libelle or _numero(demande_id, moteur)},
            cle="conflit_seance",
            demande_id=demande_id,
        )
    return moi is not None


def _conflit_d_un_present(appel, compte, moteur, demande_id, presents, conflits, qui) -> None:
    """La présidence inscrit le conflit d'intérêts qu'une personne présente déclare de vive
    voix, qu'elle ait un compte ou non (secrétaire, invité)."""
    deja = {cle_personne(c["evaluateur"]) for c in conflits}
    libres = [p for p in dict.fromkeys(presents) if cle_personne(p) not in deja]
    if not libres:
        return
    cle = f"conflit_present::{demande_id}"
    with st.expander("Inscrire le conflit d'une personne présente", icon=":material/front_hand:"):
        st.caption(
            "Une personne présente déclare un conflit d'intérêts sur cette demande, de vive "
            "voix : la présidence l'inscrit, avec sa raison. Elle sortira de la salle."
        )
        st.selectbox("Personne", libres, format_func=qui, key=f"{cle}_qui")
        st.text_input("Raison", key=f"{cle}_raison", max_chars=SAISIE_MAX)
        st.button(
            "Inscrire le conflit",
            key=f"{cle}_inscrire",
            on_click=_inscrire_conflit,
            args=(appel, compte, moteur, cle, demande_id),
        )
        if message := st.session_state.pop(f"{cle}_message", None):
            (st.success if message[0] == "success" else st.error)(litteral(message[1]))


@rattraper
def _inscrire_conflit(appel: Appel, compte: Compte, moteur, cle: str, demande_id: int) -> None:
    qui = st.session_state.get(f"{cle}_qui") or ""
    try:
        avant = declarations.declarer_conflit(
            appel,
            demande_id,
            qui,
            st.session_state.get(f"{cle}_raison", ""),
            moteur=moteur,
            auteur=compte.courriel,
        )
    except declarations.ErreurDeclaration as exc:
        st.session_state[f"{cle}_message"] = ("error", f"Conflit non inscrit : {exc}")
        return
    st.session_state[f"{cle}_message"] = (
        "success",
        f"Conflit d'intérêts de {qui} inscrit : cette personne sort de la salle pendant la "
        "délibération de cette demande." + decisions_a_revoir(avant),
    )


def _numero(demande_id: int, moteur) -> str:
    with moteur.connect() as connexion:
        demande = stockage.lire_demande(demande_id, connexion=connexion) or {}
    return str(demande.get("no_demande") or demande_id)
