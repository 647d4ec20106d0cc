"""Le tirage au sort dans la zone grise (issue 16, point 7), pour la page Portefeuille, là
où la présidence voit la zone grise : les candidates et le reste de l'enveloppe, la graine
(saisie ou générée), le bouton « Tirer au sort », le résultat à côté, l'inscription comme
décisions et l'historique des tirages, rejoués.

Pas une page. La règle est dans `evaluation.decision.tirage`, les écritures dans
`evaluation.decision.tirages`. Rien n'est montré quand l'appel ne permet pas le tirage
(`[comite] tirage_zone_grise`, réglage du comité).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from evaluation.appels.configuration import Appel
from evaluation.decision import decisions, financement, tirages
from evaluation.decision.tirage import ErreurTirage, Tirage, preparer
from evaluation.socle import droits
from evaluation.socle.formats import date_heure, montant
from evaluation.socle.roles import Compte
from evaluation.socle.texte import litteral
from pages.composants.declarations import declarations_acceptees
from pages.composants.erreurs import rattraper

CLE = "pf_tirage"


def _montants(valeurs, periodes: list[str]) -> str:
    return " ; ".join(f"{p} : {montant(int(v))}" for p, v in zip(periodes, valeurs, strict=False))


def section_tirage(
    appel: Appel,
    compte: Compte,
    moteur,
    table: pd.DataFrame,
    zone_grise: np.ndarray,
    *,
    sous_titre: bool = True,
) -> None:
    """La section « Tirage au sort dans la zone grise » ; rien si l'appel ne le permet pas.
    `sous_titre` : faux dans un volet qui porte déjà le titre (page Séance)."""
    if not appel.tirage_zone_grise:
        return
    annees = financement.nombre_annees(appel)
    periodes = [f"{d.year}-{f.year}" for d, f in appel.financement.annees_financieres()[:annees]]
    if sous_titre:
        st.subheader("Tirage au sort dans la zone grise")
    st.caption(
        "Réglage du comité ([comite] tirage_zone_grise) : l'appel ne prévoit aucun tirage au "
        "sort ; modèle, le tirage au sort partiel du Fonds national suisse (depuis 2021). "
        "Interprétation : les candidates sont les demandes de la zone grise sans décision ; "
        "l'enveloppe garde les montants accordés des demandes retenues et les montants "
        "recommandés des demandes sans décision que la ligne finance au-dessus de la zone "
        "grise ; le reste va, dans l'ordre que le sort donne aux candidates, à "
        "chacune qui y tient encore chaque année"
        + (
            " (ligne « remplissage » : celle qui ne tient pas est sautée)."
            if appel.mode_ligne == "remplissage"
            else " (ligne « stricte » : la première qui ne tient pas arrête le tirage)."
        )
        + " Un seul tirage fait foi : un nouveau tirage demande une raison et remplace le "
        "précédent. La graine et les candidates sont inscrites au journal ; "
        "`python -m evaluation tirage verifier` rejoue chaque tirage."
    )
    candidates, restant = preparer(table, zone_grise, appel)
    if not candidates:
        st.info("Aucune demande en zone grise sans décision : il n'y a rien à tirer au sort.")
        if droits.peut_conduire_seance(compte.role):
            # Le tirage qui vient de devenir décisions : son résultat et le message restent.
            _dernier_resultat(appel, compte, moteur, periodes)
    else:
        rangs = dict(zip(table["no_demande"].astype(str), table["rang"], strict=True))
        st.dataframe(
            pd.DataFrame(
                {
                    "No": list(candidates),
                    "Rang": [int(rangs[no]) for no in candidates],
                    **{
                        f"Recommandé {p}": [montant(m[a]) for m in candidates.values()]
                        for a, p in enumerate(periodes)
                    },
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.markdown(f"**Reste de l'enveloppe à tirer** : {litteral(_montants(restant, periodes))}")
        if droits.peut_conduire_seance(compte.role) and declarations_acceptees(
            appel, compte, moteur, cle=f"{CLE}_decl"
        ):
            _controles(appel, compte, moteur, table, zone_grise, periodes)
    _historique(appel, moteur)


def _controles(appel, compte, moteur, table, zone_grise, periodes) -> None:
    if faits := tirages.lire_tirages(moteur=moteur, appel_id=appel.id):
        st.text_area(
            f"Raison du nouveau tirage (obligatoire : le tirage n° {faits[-1].numero} fait "
            "foi tant qu'un autre ne le remplace pas)",
            key=f"{CLE}_raison",
            max_chars=500,
        )
    st.text_input(
        "Graine (facultative : vide, elle est générée)",
        key=f"{CLE}_graine",
        max_chars=25,
        help="Un entier de 0 à 9 223 372 036 854 775 807. La même graine et les mêmes "
        "candidates donnent toujours le même ordre.",
    )
    st.button(
        "Tirer au sort",
        key=f"{CLE}_tirer",
        type="primary",
        on_click=_tirer,
        args=(appel, compte, moteur, table, zone_grise),
    )
    if message := st.session_state.pop(f"{CLE}_refus", None):
        st.error(litteral(message), icon=":material/block:")
    _dernier_resultat(appel, compte, moteur, periodes)


def _dernier_resultat(appel, compte, moteur, periodes) -> None:
    """Le résultat du tirage que la présidence vient de faire, le message de son inscription
    et, s'il n'est pas encore inscrit, le bouton qui l'inscrit comme décisions."""
    fait = st.session_state.get(f"{CLE}_resultat")
    if fait is None or fait[0] != appel.id:
        return
    _, numero, t = fait
    _resultat(numero, t, periodes)
    if message := st.session_state.pop(f"{CLE}_inscription", None):
        (st.success if message[0] == "success" else st.error)(litteral(message[1]))
    if st.session_state.get(f"{CLE}_inscrit") == (appel.id, numero):
        return  # déjà inscrit : un second clic réécrirait les mêmes décisions
    st.button(
        "Inscrire le résultat comme décisions",
        key=f"{CLE}_inscrire",
        on_click=_inscrire,
        args=(appel, compte, moteur, numero),
        help="Les gagnantes retenues au montant recommandé, les autres candidates en liste "
        f"d'attente ; justification « Tirage au sort n° {numero}, graine {t.graine} ». "
        "Conflits d'intérêts et quorum vérifiés pour chaque décision.",
    )


def _resultat(numero: int, t: Tirage, periodes: list[str]) -> None:
    with st.container(border=True, key=f"{CLE}_resultat_affiche"):
        st.markdown(
            f"**Tirage n° {numero}**, graine `{t.graine}` "
            + ("(saisie par la présidence)" if t.graine_saisie else "(générée)")
        )
        if t.raison:
            st.markdown("Raison du nouveau tirage : " + litteral(t.raison))
        st.markdown(
            "Ordre tiré : "
            + litteral(
                " ; ".join(
                    f"{i}. {no}" + (" (gagnante)" if no in t.gagnantes else "")
                    for i, no in enumerate(t.ordre, 1)
                )
            )
        )
        st.markdown(
            "Gagnantes : " + (litteral(", ".join(t.gagnantes)) if t.gagnantes else "aucune")
        )
        st.caption(
            "Reste de l'enveloppe après le tirage : "
            + litteral(_montants(t.restant_apres, periodes))
        )


@rattraper
def _tirer(appel, compte, moteur, table, zone_grise) -> None:
    st.session_state.pop(f"{CLE}_resultat", None)
    try:
        numero, t = tirages.tirer_au_sort(
            appel,
            moteur=moteur,
            auteur=compte.courriel,
            role=compte.role,
            graine=st.session_state.get(f"{CLE}_graine", "").strip() or None,
            raison=st.session_state.get(f"{CLE}_raison", ""),
            table=table,
            zone_grise=zone_grise,
        )
    except ErreurTirage as exc:
        st.session_state[f"{CLE}_refus"] = f"Tirage refusé : {exc}"
        return
    st.session_state[f"{CLE}_resultat"] = (appel.id, numero, t)
    st.session_state.pop(f"{CLE}_raison", None)
    st.toast(f"Tirage n° {numero} inscrit au journal (graine {t.graine}).")


@rattraper
def _inscrire(appel, compte, moteur, numero: int) -> None:
    try:
        n = decisions.inscrire_tirage(appel, numero, moteur=moteur, auteur=compte.courriel)
    except ErreurTirage as exc:
        st.session_state[f"{CLE}_inscription"] = ("error", f"Décisions refusées : {exc}")
        return
    st.session_state[f"{CLE}_inscrit"] = (appel.id, numero)
    st.session_state[f"{CLE}_inscription"] = (
        "success",
        f"Tirage n° {numero} : décisions inscrites au journal : {n}.",
    )


def _historique(appel: Appel, moteur) -> None:
    faits = tirages.lire_tirages(moteur=moteur, appel_id=appel.id)
    if not faits:
        st.caption("Aucun tirage au sort inscrit pour cet appel.")
        return
    lignes = []
    for t in reversed(faits):
        e = t.enregistrement or {}
        ecarts = t.ecarts(appel)
        lignes.append(
            {
                "N°": t.numero,
                "Date": date_heure(t.date),
                "Par": t.auteur,
                # En texte : une graine de 63 bits perdrait ses derniers chiffres en nombre.
                "Graine": str(e.get("graine", "?")),
                "Graine saisie ou générée": t.origine_graine,
                "Raison": t.raison,
                "Candidates": ", ".join(str(c[0]) for c in e.get("candidates", [])),
                "Gagnantes": ", ".join(map(str, e.get("gagnantes", []))) or "aucune",
                "Rejeu": "conforme" if not ecarts else "NON CONFORME : " + " ; ".join(ecarts),
            }
        )
    st.markdown("**Tirages inscrits**")
    st.dataframe(pd.DataFrame(lignes), hide_index=True, width="stretch")
