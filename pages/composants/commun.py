"""Ce que les pages partagent : le moteur de base de données, l'appel actif, les libellés.

Pas une page : app.py ne l'inscrit pas dans la navigation.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from evaluation.appels import catalogue, confirmations, reglages
from evaluation.appels.catalogue import appels_stockes
from evaluation.appels.configuration import Appel, appel_depuis_toml, appels_fournis, charger_appel
from evaluation.decision import chargement, classement, notation, portefeuille
from evaluation.depot.gabarit import construire_gabarit
from evaluation.depot.lecture import Limites
from evaluation.socle import stockage
from evaluation.socle.chemins import DONNEES
from evaluation.socle.formats import DECIMALES_NOTES, arrondi, nombre, note
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
        # L'adresse de la base (rôle, hôte, port, nom) va au journal du serveur, pas à l'écran :
        # cette page se montre avant toute connexion (revue de l'issue 20).
        logging.getLogger(__name__).error(
            "Base inutilisable (%s) : %s", stockage.url_masquee(url), exc
        )
        st.error(
            litteral(
                f"La base de données ne peut pas être utilisée : {exc} "
                "L'adresse de la base est dans le journal du serveur."
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


# L'appel du jeu de démonstration (donnees/demo : demandes fictives du PAIVMQ 2023-2024).
APPEL_DEMO = "paivmq-2023-2024"


def fichiers_demo(appel=None) -> list[Path]:
    """Les fichiers du jeu de démonstration ; aucun si `appel` (l'appel actif) n'est pas
    celui de la démonstration : ses demandes n'ont de sens que dans le PAIVMQ."""
    if appel is not None and appel.id != APPEL_DEMO:
        return []
    return sorted(DOSSIER_DEMO.glob("*.xlsx"))


def version_donnees() -> int:
    """La version des données de la base (`stockage.version_donnees`) : elle change à chaque
    écriture validée, par ce serveur ou par un autre. À lire avant les données."""
    with moteur().connect() as connexion:
        return stockage.version_donnees(connexion=connexion)


@dataclass(frozen=True)
class Calcul:
    """Les données d'un appel et son classement officiel, pour une version des données.
    `cle` identifie ce calcul : d'autres caches d'une page s'y rattachent (jamais à une
    version relue plus tard, qui pourrait être plus récente que les données)."""

    donnees: chargement.Donnees
    table: pd.DataFrame
    # (configuration de l'appel, URL de la base, version, version des données lourdes)
    cle: tuple[str, str, int, int]


# Gardés en un exemplaire par processus (st.cache_resource : ni copie ni sérialisation à
# chaque exécution), deux versions au plus : ce qui est en mémoire reste borné. Une écriture
# change la version, donc la clé : la réexécution suivante recalcule. Une décision, un
# montant ou une pondération ne change pas la version des données lourdes : demandes et
# notes ne sont pas relues, seul le classement est refait (une séance de comité).
@st.cache_resource(max_entries=2, show_spinner=False)
def _lues(configuration_toml: str, url: str, version_lourde: int) -> chargement.Lues:
    appel = appel_depuis_toml(configuration_toml)
    return chargement.lire_lourdes(appel, moteur=_moteur(url))


@st.cache_resource(max_entries=2, show_spinner=False)
def _classement(configuration_toml: str, url: str, version: int, version_lourde: int):
    appel = appel_depuis_toml(configuration_toml)
    lues = _lues(configuration_toml, url, version_lourde)
    donnees = chargement.charger(appel, moteur=_moteur(url), lues=lues)
    return donnees, classement.classement(appel, donnees)


def classement_calcule(appel: Appel) -> Calcul:
    """Les données et le classement officiel de l'appel, lus et calculés une fois par version
    des données (`stockage.versions_donnees`, lues avant elles), pas à chaque exécution de
    la page : bouger un curseur ou un filtre ne relit pas 400 000 notes ; une décision
    inscrite refait le classement sans relire demandes ni notes.

    Les tables rendues sont des copies paresseuses (pandas ne copie qu'à la première
    modification) : une page qui ajoute une colonne ne touche pas l'exemplaire partagé."""
    with moteur().connect() as connexion:
        version, version_lourde = stockage.versions_donnees(connexion=connexion)
    cle = (appel.source_toml, stockage.url_par_defaut(), version, version_lourde)
    donnees, table = _classement(*cle)
    copies = replace(
        donnees,
        demandes=donnees.demandes.copy(deep=False),
        notes=donnees.notes.copy(deep=False),
        evaluations=donnees.evaluations.copy(deep=False),
    )
    return Calcul(copies, table.copy(deep=False), cle)


def donnees_classement(appel: Appel):
    """Ce que le classement lit dans la base (`chargement.charger`), gardé par version des
    données (voir `classement_calcule`)."""
    return classement_calcule(appel).donnees


# Ce que lit le bootstrap de la ligne dans le classement (`portefeuille.solidite`) : une
# décision inscrite ou une justification ne le change pas, et ne le refait pas.
COLONNES_SOLIDITE = ("demande_id", "statut", "financement", "rang")


def _empreinte(table: pd.DataFrame, colonnes: list[str], poids) -> tuple[int, tuple]:
    """Une empreinte des colonnes d'un classement et des pondérations : la clé d'un calcul
    qui ne dépend que d'elles (quelques millisecondes pour 50 000 demandes)."""
    valeurs = pd.util.hash_pandas_object(table[colonnes], index=False).to_numpy()
    return hash(valeurs.tobytes()), tuple(sorted(poids.items()))


@st.cache_resource(max_entries=2, show_spinner="Rééchantillonnage des évaluateurs…")
def _solidite(
    configuration_toml: str, url: str, version_lourde: int, empreinte, _calcul: Calcul
) -> pd.DataFrame:
    appel = appel_depuis_toml(configuration_toml)
    donnees, table = _calcul.donnees, _calcul.table
    resultat = portefeuille.solidite(table, donnees.notes, appel, donnees.poids, cube=donnees.cube)
    resultat["demande_id"] = table["demande_id"].to_numpy()
    return resultat.set_index("demande_id")


def solidite(calcul: Calcul) -> pd.DataFrame:
    """Le bootstrap de la ligne (probabilité, intervalle de rang, zone grise) par
    demande_id, pour ce calcul : 1 000 tirages coûtent quelques secondes sur un gros appel.
    Gardé tant que les notes (version des données lourdes), les pondérations, les statuts,
    les rangs et les montants recommandés ne changent pas : une décision inscrite en séance
    ne le refait pas."""
    configuration, url, _, version_lourde = calcul.cle
    colonnes = [*COLONNES_SOLIDITE]
    colonnes += [c for c in calcul.table.columns if str(c).startswith("recommande_an")]
    empreinte = _empreinte(calcul.table, colonnes, calcul.donnees.poids)
    return _solidite(configuration, url, version_lourde, empreinte, calcul).copy(deep=False)


def bandeau_reglages(appel: Appel, *, prefixe: str = "") -> None:
    """Le bandeau des pages qui montrent un rang ou un montant : les réglages que
    l'administration n'a pas confirmés (choix du comité, interprétation d'un texte ambigu)
    et ceux qui ne disent pas leur source. Rien quand tout est confirmé."""
    restants = confirmations.reglages_non_confirmes(appel, moteur=moteur())
    sans = reglages.sans_source(appel)
    if not restants and not sans:
        return
    morceaux = []
    if restants:
        modifies = any(r.source.source == reglages.APPEL for r in restants)
        morceaux.append(
            f"Réglages non confirmés par l'administration : {len(restants)} (choix du comité"
            + (
                ", interprétation d'un texte ambigu ou valeur de l'appel modifiée)."
                if modifies
                else " ou interprétation d'un texte ambigu)."
            )
        )
    if sans:
        morceaux.append(f"Réglages sans source déclarée : {len(sans)}.")
    # Court, pour un projecteur : le détail se déplie.
    st.warning(
        litteral(
            prefixe
            + " ".join(morceaux)
            + " Les rangs et les montants en dépendent ; l'administration les confirme dans "
            "Paramètres de l'appel (onglet Sources des réglages)."
        ),
        icon=":material/gavel:",
    )
    with st.expander(litteral(f"{prefixe}Réglages à confirmer ({len(restants) + len(sans)})")):
        lignes = [reglages.description_bandeau(r) for r in restants]
        lignes += [f"{r.libelle} : sans source déclarée" for r in sans]
        st.markdown("\n".join(f"- {litteral(ligne)}" for ligne in lignes))


def par_valeur(serie: pd.Series, fonction) -> pd.Series:
    """`serie.map(fonction)` (mêmes valeurs, même type), mais `fonction` n'est appelée
    qu'une fois par valeur distincte : un libellé de secteur ou un montant mis en forme pour
    5 000 demandes, c'est une dizaine ou quelques centaines d'appels, pas 5 000."""
    valeurs = serie.dropna().unique()
    connues = dict(zip(valeurs, map(fonction, valeurs), strict=True))
    absentes = serie.isna().to_numpy()
    if not absentes.any():
        return serie.map(connues)
    # Les valeurs absentes (NaN, None, pd.NA) prennent toutes ce que `fonction` rend pour
    # la première d'entre elles.
    resultat = serie.astype(object).map(connues).astype(object)
    resultat[absentes] = fonction(serie[absentes].iloc[0])
    return resultat


@st.cache_resource(max_entries=2, show_spinner=False)
def _accord(configuration_toml: str, url: str, version_lourde: int, poids: tuple, _calcul: Calcul):
    """(accord du panel, indulgence) d'un calcul ; None sans évaluation soumise. Ne dépend
    que des notes (version des données lourdes) et des pondérations : une décision ou un
    montant inscrit en séance ne le refait pas."""
    appel = appel_depuis_toml(configuration_toml)
    donnees = _calcul.donnees
    r = classement.reglages_notation(appel, donnees.poids)
    c = classement.cube_des_notes(appel, donnees)
    if len(c.evaluateurs) == 0:
        return None
    return notation.accord(c, r), notation.indulgence(c, r)


def afficher_accord_du_panel(appel: Appel, calcul: Calcul, noms: dict[str, str]) -> None:
    """Accord du panel (CIC sur les totaux, alpha de Krippendorff par critère) et indulgence
    de chaque évaluateur, pour la présidence : pages Classement et Portefeuille, calculés
    une fois par `calcul` (`classement_calcule`). `noms` : courriel → nom affiché."""
    configuration, url, _, version_lourde = calcul.cle
    poids = tuple(sorted(calcul.donnees.poids.items()))
    resultat = _accord(configuration, url, version_lourde, poids, calcul)
    if resultat is None:
        st.caption("Aucune évaluation soumise.")
        return
    accord, indulgence = resultat

    def signe(v) -> str:
        if pd.isna(v):
            return ""
        return ("+" if arrondi(v, DECIMALES_NOTES) > 0 else "") + note(v)

    st.markdown(
        "**Accord entre évaluateurs, sur les totaux** : " + notation.accord_lisible(accord),
        help=(
            f"Accord entre évaluateurs : 1 = parfait, 0 = hasard. Mesure : {accord.mesure}, "
            "coefficient de corrélation intraclasse (Shrout et Fleiss) ; CIC(2,k) quand les "
            "mêmes évaluateurs ont noté chaque demande, CIC(1) sinon."
        ),
    )
    st.markdown(
        "**Accord entre évaluateurs, critère par critère** : "
        + " ; ".join(
            f"{litteral(cr.libelle.split(' ')[0])} "
            + (
                "—"
                if np.isnan(accord.alpha_par_critere[cr.id])
                else nombre(accord.alpha_par_critere[cr.id], 2)
            )
            for cr in appel.criteres
        ),
        help=(
            "Accord entre évaluateurs sur chaque critère : 1 = parfait, 0 = hasard. Mesure : "
            "alpha de Krippendorff pour des notes ordinales, qui tolère les notes manquantes."
        ),
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Évaluateur": [noms.get(e, e) for e in indulgence.index],
                "Évaluations": indulgence["n_evaluations"],
                "Écart moyen au comité": indulgence["ecart_moyen"].map(signe),
                "Dispersion de l'écart": indulgence["ecart_type"].map(lambda v: note(v, "")),
                "Générosité estimée": indulgence["severite"].map(signe),
            }
        ),
        column_config={
            "Écart moyen au comité": st.column_config.TextColumn(
                help="Points de plus (+) ou de moins (−) que la moyenne du comité sur les "
                "mêmes demandes, en moyenne."
            ),
            "Dispersion de l'écart": st.column_config.TextColumn(
                help="Écart-type de cet écart : grand, l'évaluateur n'est pas régulier."
            ),
            "Générosité estimée": st.column_config.TextColumn(
                help="Effet propre de l'évaluateur sur ses totaux, en points : positif, plus "
                "généreux que le comité ; négatif, plus sévère. Estimé par moindres carrés "
                "régularisés (calibration)."
            ),
        },
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Positif : plus généreux que le comité. Le rang calibré retire l'effet de chaque "
        "évaluateur (sa sévérité estimée) ; il s'affiche à côté du rang brut, jamais à sa "
        "place."
    )
