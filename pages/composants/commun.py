"""Ce que les pages partagent : le moteur de base de données, l'appel actif, les libellés.

Pas une page : app.py ne l'inscrit pas dans la navigation.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from evaluation.appels import catalogue
from evaluation.appels.catalogue import appels_stockes
from evaluation.appels.configuration import Appel, appel_depuis_toml, appels_fournis, charger_appel
from evaluation.decision import chargement, classement, notation, portefeuille
from evaluation.depot.gabarit import construire_gabarit
from evaluation.depot.lecture import Limites
from evaluation.socle import stockage
from evaluation.socle.chemins import DONNEES
from evaluation.socle.formats import nombre
from evaluation.socle.probleme import AVERTISSEMENT, BLOQUANT, INFORMATION, REFUS
from evaluation.socle.texte import litteral

DOSSIER_DEMO = DONNEES / "demo"
CLE_CADRE = "_cadre_app"
CLE_PAGE_VOULUE = "_page_voulue"
CLE_APPEL = "appel_actif"
CLE_APPEL_COURANT = "_appel_courant"
# Icônes Material (police fournie par Streamlit) : les émojis dépendent des polices du poste.
ICONES_GRAVITE = {
    REFUS: ":material/block:",
    BLOQUANT: ":material/error:",
    AVERTISSEMENT: ":material/warning:",
    INFORMATION: ":material/info:",
}
COULEURS_GRAVITE = {REFUS: "red", BLOQUANT: "red", AVERTISSEMENT: "orange", INFORMATION: "blue"}


def exiger_cadre(page: str) -> None:
    """Chaque page passe par app.py (configuration, appel actif, et plus tard les droits).

    Tant qu'aucune session n'a appelé st.navigation, Streamlit traite une application qui a
    un dossier pages/ à l'ancienne : la première requête d'un serveur neuf vers /importation
    exécuterait la page seule. Elle repasse alors par le cadre, qui y revient ensuite.
    `page` : le chemin de la page (« pages/importation.py »)."""
    if not st.session_state.get(CLE_CADRE):
        st.session_state[CLE_PAGE_VOULUE] = page
        st.switch_page("app.py")


@st.cache_resource
def _moteur(url: str):
    return stockage.creer_moteur(url)


def moteur():
    """Un moteur par URL et par processus (les connexions, elles, ne sont jamais partagées).
    Une base inutilisable (version plus récente, fichier qui n'est pas une base, lecture
    seule…) arrête la page sur la raison et ce qu'il faut faire."""
    url = stockage.url_par_defaut()
    try:
        return _moteur(url)
    except stockage.BaseInutilisable as exc:
        st.error(
            litteral(
                f"La base de données ({stockage.url_masquee(url)}) ne peut pas être "
                f"utilisée : {exc}"
            ),
            icon=":material/database:",
        )
        st.stop()


def appels_disponibles() -> dict[str, Appel]:
    """Appels stockés, complétés par les fichiers livrés qui ne le sont pas encore."""
    appels = {a.id: a for a in appels_stockes(moteur())}
    for chemin in appels_fournis():
        appel = charger_appel(chemin)
        appels.setdefault(appel.id, appel)
    return appels


def appels_archives() -> set[str]:
    return catalogue.appels_archives(moteur())


def choisir_appel(appels: dict[str, Appel]) -> Appel:
    """L'appel choisi dans la barre latérale parmi `appels` (le premier par défaut)."""
    return appels.get(st.session_state.get(CLE_APPEL)) or next(iter(appels.values()))


def appel_actif() -> Appel:
    """L'appel actif, tel que le cadre l'a déterminé pour cette exécution."""
    appel = st.session_state.get(CLE_APPEL_COURANT)
    return appel if appel is not None else choisir_appel(appels_disponibles())


@st.cache_data(max_entries=8)
def _gabarit(configuration_toml: str) -> bytes:
    return construire_gabarit(appel_depuis_toml(configuration_toml))


def gabarit(appel: Appel) -> bytes:
    """Le gabarit Excel de l'appel, construit une fois par configuration (pas à chaque
    rafraîchissement de la page : il prend près d'un dixième de seconde)."""
    return _gabarit(appel.source_toml)


def limites() -> Limites:
    """Limites de taille des fichiers téléversés : EVALUATION_TAILLE_MAX_MO (50 par défaut)."""
    try:
        mo = float(os.environ.get("EVALUATION_TAILLE_MAX_MO", "50"))
    except ValueError:
        mo = 50.0
    return Limites(taille_max=int(mo * 1024 * 1024))


def fichiers_demo() -> list[Path]:
    return sorted(DOSSIER_DEMO.glob("*.xlsx"))


@st.cache_data(max_entries=4, show_spinner=False)
def _donnees_classement(configuration_toml: str, url: str, empreinte: tuple):
    return chargement.charger(appel_depuis_toml(configuration_toml), moteur=_moteur(url))


def donnees_classement(appel: Appel):
    """Ce que le classement lit dans la base, gardé tant que rien n'y change (l'empreinte :
    dernier changement journalisé, dernière importation) : bouger un curseur de simulation
    ou un filtre ne relit pas 400 000 notes."""
    with moteur().connect() as connexion:
        cle = stockage.empreinte(appel.id, connexion=connexion)
    return _donnees_classement(appel.source_toml, stockage.url_par_defaut(), cle)


@st.cache_data(max_entries=4, show_spinner="Rééchantillonnage des évaluateurs…")
def _solidite(configuration_toml: str, url: str, empreinte: tuple):
    appel = appel_depuis_toml(configuration_toml)
    donnees = _donnees_classement(configuration_toml, url, empreinte)
    table = classement.classement(appel, donnees)
    resultat = portefeuille.solidite(table, donnees.notes, appel, donnees.poids)
    resultat["demande_id"] = table["demande_id"].to_numpy()
    return resultat.set_index("demande_id")


def solidite(appel: Appel):
    """Le bootstrap de la ligne (probabilité, intervalle de rang, zone grise) par
    demande_id, gardé tant que rien ne change dans la base : 1 000 tirages coûtent quelques
    secondes sur un gros appel."""
    with moteur().connect() as connexion:
        cle = stockage.empreinte(appel.id, connexion=connexion)
    return _solidite(appel.source_toml, stockage.url_par_defaut(), cle)


def afficher_accord_du_panel(appel: Appel, donnees, noms: dict[str, str]) -> None:
    """Accord du panel (CIC sur les totaux, alpha de Krippendorff par critère) et indulgence
    de chaque évaluateur, pour la présidence : pages Classement et Portefeuille.
    `donnees` : chargement.charger ; `noms` : courriel → nom affiché."""
    r = classement.reglages_notation(appel, donnees.poids)
    c = notation.cube(donnees.notes, donnees.demandes["id"].astype(int), appel.poids)
    if len(c.evaluateurs) == 0:
        st.caption("Aucune évaluation soumise.")
        return
    accord = notation.accord(c, r)

    def signe(v) -> str:
        return "" if pd.isna(v) else f"{'+' if v > 0 else ''}{nombre(v, 1)}"

    st.markdown(
        f"**{accord.mesure}** sur les totaux : "
        + ("—" if np.isnan(accord.cic) else nombre(accord.cic, 2))
        + (
            " (un même panel a noté chaque demande)"
            if accord.mesure == "CIC(2,k)"
            else " (chaque demande a ses propres évaluateurs)"
        )
        + " · **alpha de Krippendorff** (ordinal) par critère : "
        + " ; ".join(
            f"{litteral(cr.libelle.split(' ')[0])} "
            + (
                "—"
                if np.isnan(accord.alpha_par_critere[cr.id])
                else nombre(accord.alpha_par_critere[cr.id], 2)
            )
            for cr in appel.criteres
        )
    )
    indulgence = notation.indulgence(c, r)
    st.dataframe(
        pd.DataFrame(
            {
                "Évaluateur": [noms.get(e, e) for e in indulgence.index],
                "Évaluations": indulgence["n_evaluations"],
                "Écart moyen au panel": indulgence["ecart_moyen"].map(signe),
                "Dispersion de l'écart": indulgence["ecart_type"].map(
                    lambda v: "" if pd.isna(v) else nombre(v, 1)
                ),
                "Sévérité estimée": indulgence["severite"].map(signe),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Positif : plus généreux que le panel. Le rang calibré retire l'effet de chaque "
        "évaluateur (moindres carrés régularisés) ; il s'affiche à côté du rang brut, "
        "jamais à sa place."
    )
