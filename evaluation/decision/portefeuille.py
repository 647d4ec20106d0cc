"""Le portefeuille : budget face à l'enveloppe, répartitions par axe, secteur, région, pays,
type de projet et chaque dimension que l'appel déclare ([[dimensions]], issue 18), cibles
d'équilibre, meilleure sélection sous l'enveloppe (programme en nombres entiers,
scipy.optimize.milp) et solidité de la ligne de financement (bootstrap).

Tout part du tableau du classement (`classement.classement`) ; les montants sont en cents.
Une dimension déclarée se lit dans la colonne `dimension:<id>` du tableau (un tuple d'ids
de valeurs par demande, `chargement`), à défaut dans la colonne JSON `dimensions`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from evaluation.appels.configuration import OBJECTIFS_SELECTION, Appel, Cible
from evaluation.decision import financement
from evaluation.decision.classement import CLASSE
from evaluation.notes.fiche import id_secteur
from evaluation.socle.formats import (
    dollars,
    montant,
    nombre,
    nombre_fichier,
    note_fichier,
    pluriel,
    pourcentage,
)
from evaluation.socle.texte import cle_nom_propre

LIGNE, DECISIONS = "ligne", "decisions"
# Les recommandations du comité seules (issue 17), sans la décision du ministère : pour le
# procès-verbal du comité.
RECOMMANDATIONS = "recommandations"
# Les décisions du ministère seules (issue 19) : une demande qu'il n'a pas décidée n'y est pas.
MINISTERE = "ministere"
# Issue 19 : chaque façon de compter « financé » a un seul nom, le même dans toutes les pages
# (Classement, Séance, Portefeuille, Comparaison, Décision du ministère). Un même libellé
# veut toujours dire le même montant ; une somme sans année le dit (TOUTES_ANNEES).
NOTIONS = {
    LIGNE: "Sous la ligne de financement (d'après le classement)",
    RECOMMANDATIONS: "Accordé par décision du comité",
    MINISTERE: "Accordé par décision du ministère",
    DECISIONS: "Accordé par la décision qui vaut (du ministère, sinon du comité)",
}
RESTANTS = {
    LIGNE: "Restant après la ligne de financement (d'après le classement)",
    RECOMMANDATIONS: "Restant après les décisions du comité",
    MINISTERE: "Restant après les décisions du ministère",
    DECISIONS: "Restant après la décision qui vaut (du ministère, sinon du comité)",
}
TOUTES_ANNEES = "Toutes années"
# « financé », « liste d'attente » : la position d'une demande au classement (la ligne de
# financement) ; « retenu », « liste d'attente », « refusé » : la décision. Issue 19.
POSITION = "Position au classement"
DEMANDES = "Demandes"
ENVELOPPE = "Enveloppe"
BILAN = "Financement"
DIMENSIONS = ("axe", "secteur", "secteur_secondaire", "region", "pays", "type")
CONJOINT, SEULE = "projet conjoint", "une seule municipalité"
# La ligne des demandes sans valeur dans une dimension de classement (axe, secteur, région,
# dimension déclarée) : son code est vide, ce qu'aucune valeur ne peut être.
AUCUNE_VALEUR, AUCUNE = "", "(aucune)"


def _annees(appel: Appel) -> int:
    return financement.nombre_annees(appel)


def _colonnes_decisions(table: pd.DataFrame, selon: str) -> tuple[str, str]:
    """La colonne de décision et le préfixe des montants accordés : ceux de la décision qui
    vaut (`decision_finale`, `finale_anN` : celle du ministère, sinon la recommandation du
    comité, issue 17) quand le classement les porte, sinon ceux du comité."""
    if selon == DECISIONS and "decision_finale" in table:
        return "decision_finale", "finale_an"
    return "decision", "accorde_an"


def selection(table: pd.DataFrame, selon: str = LIGNE) -> np.ndarray:
    """(n,) : les demandes financées à la ligne, retenues par les décisions (celle du
    ministère quand il y en a une, sinon la recommandation du comité), ou retenues par les
    recommandations du comité seules (`RECOMMANDATIONS`)."""
    if selon == LIGNE:
        return (
            (table["statut"] == CLASSE) & (table["financement"] == financement.FINANCE)
        ).to_numpy()
    if selon in (DECISIONS, RECOMMANDATIONS):
        colonne, _ = _colonnes_decisions(table, selon)
        return (table[colonne] == financement.RETENU).to_numpy()
    if selon == MINISTERE:
        if "decision_ministere" not in table:
            return np.zeros(len(table), dtype=bool)
        return (table["decision_ministere"] == financement.RETENU).to_numpy()
    raise ValueError(
        f"sélection « {selon} » inconnue ({LIGNE}, {DECISIONS}, {RECOMMANDATIONS}, {MINISTERE})."
    )


def montants(table: pd.DataFrame, appel: Appel, selon: str = LIGNE) -> np.ndarray:
    """(n, années) : ce que chaque demande reçoit selon la ligne de financement (montant
    recommandé des financées), selon les décisions (montant accordé des retenues : par le
    ministère quand il a décidé, sinon par la recommandation du comité) ou selon les seules
    recommandations du comité."""
    choisies = selection(table, selon)
    if selon == MINISTERE and not choisies.any():
        return np.zeros((len(table), _annees(appel)), dtype=np.int64)
    prefixe = {LIGNE: "recommande_an", MINISTERE: "ministere_an"}.get(selon) or (
        _colonnes_decisions(table, selon)[1]
    )
    colonnes = [
        pd.to_numeric(table[f"{prefixe}{a + 1}"], errors="coerce").fillna(0).to_numpy(np.int64)
        for a in range(_annees(appel))
    ]
    return np.where(choisies[:, None], np.column_stack(colonnes), 0)


def budget(table: pd.DataFrame, appel: Appel) -> pd.DataFrame:
    """Par année financière et au total : enveloppe, demandé (toutes les demandes),
    recommandé à la ligne, accordé par les décisions, et ce qui reste dans chaque cas."""
    n = _annees(appel)
    periodes = appel.financement.annees_financieres()
    enveloppes = np.asarray(appel.financement.enveloppe[:n], dtype=np.int64)
    demande = np.array(
        [
            pd.to_numeric(table[f"montant_demande_an{a + 1}"], errors="coerce").fillna(0).sum()
            for a in range(n)
        ],
        dtype=np.int64,
    )
    ligne = montants(table, appel, LIGNE).sum(axis=0)
    accorde = montants(table, appel, DECISIONS).sum(axis=0)
    lignes = {
        "enveloppe": enveloppes,
        "demande": demande,
        "recommande": ligne,
        "accorde": accorde,
        "restant_ligne": enveloppes - ligne,
        "restant_decisions": enveloppes - accorde,
    }
    index = [f"{debut.year}-{fin.year}" for debut, fin in periodes[:n]]
    t = pd.DataFrame(lignes, index=index)
    t.loc["Total"] = t.sum()
    return t


def inscrites(table: pd.DataFrame, selon: str) -> bool:
    """Vrai si cette façon de compter a quelque chose à dire : la ligne toujours ; les
    décisions du comité ou du ministère dès qu'une est inscrite."""
    colonne = {RECOMMANDATIONS: "decision", MINISTERE: "decision_ministere"}.get(selon)
    if selon == DECISIONS:
        return inscrites(table, RECOMMANDATIONS) or inscrites(table, MINISTERE)
    if colonne is None:
        return True
    return colonne in table and bool((table[colonne].fillna("") != "").any())


def bilan(table: pd.DataFrame, appel: Appel) -> pd.DataFrame:
    """Le tableau « Financement » commun aux pages (issue 19), mis en forme : l'enveloppe,
    puis côte à côte ce que la ligne de financement (d'après le classement), les décisions
    du comité et celles du ministère accordent, et ce qui reste après chacune ; une colonne
    par année financière, « Toutes années » et le nombre de demandes. Une façon de compter
    qui n'a encore rien d'inscrit (aucune décision) montre « — (aucune décision) »."""
    n = _annees(appel)
    periodes = [f"{d.year}-{f.year}" for d, f in appel.financement.annees_financieres()[:n]]
    enveloppes = np.asarray(appel.financement.enveloppe[:n], dtype=np.int64)
    colonnes = [*periodes, TOUTES_ANNEES, DEMANDES]
    lignes: dict[str, list[str]] = {
        ENVELOPPE: [*(montant(int(v)) for v in enveloppes), montant(int(enveloppes.sum())), ""]
    }
    restants: dict[str, list[str]] = {}
    for quoi in (LIGNE, RECOMMANDATIONS, MINISTERE):
        if not inscrites(table, quoi):
            vide = ["—"] * n + ["—", "aucune décision"]
            lignes[NOTIONS[quoi]] = vide
            restants[RESTANTS[quoi]] = ["—"] * (n + 1) + [""]
            continue
        par_annee = montants(table, appel, quoi).sum(axis=0)
        lignes[NOTIONS[quoi]] = [
            *(montant(int(v)) for v in par_annee),
            montant(int(par_annee.sum())),
            nombre(int(selection(table, quoi).sum())),
        ]
        reste = enveloppes - par_annee
        restants[RESTANTS[quoi]] = [
            *(montant(int(v)) for v in reste),
            montant(int(reste.sum())),
            "",
        ]
    t = pd.DataFrame.from_dict({**lignes, **restants}, orient="index", columns=colonnes)
    t.index.name = BILAN
    return t


def conjoints(table: pd.DataFrame, appel: Appel) -> pd.DataFrame:
    """Projets conjoints et d'une seule municipalité : demandes, financées (ligne), montant
    financé, et la bonification conjointe utilisée (la part au-dessus du plafond simple)."""
    m = montants(table, appel, LIGNE)
    plafond_simple = appel.financement.plafond_annuel
    conjoint = table["projet_conjoint"].fillna(False).astype(bool).to_numpy()
    choisies = selection(table, LIGNE)
    bonus = np.clip(m - plafond_simple, 0, None).sum(axis=1)
    lignes = []
    for libelle, garde in ((CONJOINT, conjoint), (SEULE, ~conjoint)):
        lignes.append(
            {
                "type": libelle,
                "demandes": int(garde.sum()),
                "financees": int((garde & choisies).sum()),
                "finance": int(m[garde].sum()),
                "bonification": int(bonus[garde].sum()),
            }
        )
    return pd.DataFrame(lignes).set_index("type")


def valeurs_declarees(table: pd.DataFrame, id_dimension: str) -> list[list[str]]:
    """Les ids de valeurs de chaque demande pour la dimension déclarée `id_dimension` : la
    colonne `dimension:<id>` du classement (un tuple par demande, contrat de `chargement`) ;
    à défaut la colonne JSON `dimensions` ({id: [ids]}, en dict ou en texte) ; à défaut, aucune
    valeur. Une cellule vide, illisible ou d'un autre type compte comme « sans valeur »."""

    def liste(v) -> list[str]:
        if isinstance(v, str):
            return [v.strip()] if v.strip() else []
        if isinstance(v, (list, tuple, set, frozenset, np.ndarray)):
            return list(
                dict.fromkeys(str(x).strip() for x in v if isinstance(x, str) and x.strip())
            )
        return []

    colonne = f"dimension:{id_dimension}"
    if colonne in table:
        return [liste(v) for v in table[colonne]]
    if "dimensions" in table:
        lues = []
        for v in table["dimensions"]:
            if isinstance(v, str):
                try:
                    v = json.loads(v)
                except ValueError:
                    v = None
            lues.append(liste(v.get(id_dimension)) if isinstance(v, dict) else [])
        return lues
    return [[] for _ in range(len(table))]


def dimensions_de(appel: Appel) -> dict[str, str]:
    """Les dimensions de classement de l'appel (id → libellé), dans l'ordre : l'axe et le
    secteur s'il en déclare ([[axes]], [[secteurs]] sont facultatifs), la région, puis chaque
    dimension de [[dimensions]]. Ce sont celles sur lesquelles une cible peut porter."""
    dimensions = {}
    if appel.axes:
        dimensions["axe"] = "Axe"
    if appel.secteurs:
        dimensions["secteur"] = "Secteur principal"
    dimensions["region"] = "Région administrative"
    dimensions.update({d.id: d.libelle for d in appel.dimensions})
    return dimensions


def _valeurs_de(table: pd.DataFrame, dimension: str, appel: Appel) -> list[list[str]]:
    """Les valeurs de chaque demande pour une dimension (une liste : une demande peut
    avoir plusieurs secteurs secondaires, plusieurs pays, ou plusieurs valeurs d'une
    dimension déclarée `multiple`). Une dimension déclarée par l'appel passe avant les
    répartitions d'appoint de même nom (secteur_secondaire, pays, type)."""

    def decouper(v):
        return [x.strip() for x in str(v).split(";") if x.strip()] if isinstance(v, str) else []

    def colonne(nom: str) -> pd.Series:
        return table[nom] if nom in table else pd.Series([None] * len(table), dtype=object)

    if dimension == "axe":
        return [
            [] if pd.isna(a) or (isinstance(a, str) and not a.strip()) else [str(int(a))]
            for a in colonne("axe")
        ]
    if dimension == "secteur":
        secteurs = colonne("secteur")
        ids = {s: id_secteur(appel, s) for s in set(secteurs) if isinstance(s, str) and s}
        return [[ids[s]] if s in ids else [] for s in secteurs]
    if dimension == "region":
        return [[r] if isinstance(r, str) and r else [] for r in colonne("region")]
    if appel.dimension(dimension) is not None:
        return valeurs_declarees(table, dimension)
    if dimension == "secteur_secondaire":
        listes = [decouper(v) for v in colonne("secteurs_secondaires")]
        ids = {x: id_secteur(appel, x) for xs in listes for x in xs}
        return [[ids[x] for x in xs] for xs in listes]
    if dimension == "pays":
        return [decouper(v) for v in colonne("pays")]
    if dimension == "type":
        return [
            [CONJOINT if bool(c) else SEULE]
            for c in colonne("projet_conjoint").fillna(False).astype(bool)
        ]
    connues = list(dict.fromkeys([*DIMENSIONS, *(d.id for d in appel.dimensions)]))
    raise ValueError(f"dimension « {dimension} » inconnue ({', '.join(connues)}).")


def categories(
    appel: Appel,
    dimension: str,
    table: pd.DataFrame,
    valeurs: list[list[str]] | None = None,
) -> list[tuple[str, str]]:
    """(valeur, libellé) de chaque catégorie, dans l'ordre de l'appel ; toutes, même sans
    demande (les 17 régions, par exemple). Les pays : ceux des demandes. Une valeur que les
    demandes portent sans que l'appel la déclare (un secteur inconnu, un id de valeur
    retiré de la dimension) a sa ligne après celles de l'appel : rien n'est omis.
    `valeurs` : celles de `_valeurs_de`, quand l'appelant les a déjà lues."""
    declaree = appel.dimension(dimension)
    if dimension == "type" and declaree is None:
        return [(CONJOINT, CONJOINT), (SEULE, SEULE)]
    if dimension == "axe":
        connus = [(str(a.numero), f"Axe {a.numero}") for a in appel.axes]
    elif dimension == "region":
        connus = [(r.code, r.nom) for r in appel.regions]
    elif declaree is not None:
        connus = [(v.id, v.libelle) for v in declaree.valeurs]
    elif dimension in ("secteur", "secteur_secondaire"):
        connus = [(s.id, s.libelle) for s in appel.secteurs]
    else:  # les pays : ceux des demandes
        connus = []
    if valeurs is None:
        valeurs = _valeurs_de(table, dimension, appel)
    autres = sorted({v for vs in valeurs for v in vs} - {c for c, _ in connus})
    return connus + [(v, f"Axe {v}" if dimension == "axe" else v) for v in autres]


def est_multiple(appel: Appel, dimension: str) -> bool:
    """Une demande peut-elle compter dans plusieurs valeurs de cette dimension ? Oui pour une
    dimension déclarée `multiple`, les secteurs secondaires et les pays."""
    declaree = appel.dimension(dimension)
    if declaree is not None:
        return declaree.multiple
    return dimension in ("secteur_secondaire", "pays")


def ayant_valeurs(
    table: pd.DataFrame, appel: Appel, dimension: str, valeurs: Iterable[str]
) -> np.ndarray:
    """(n,) : les demandes qui portent au moins une des `valeurs` de la dimension (un filtre
    de la page Portefeuille) ; `AUCUNE_VALEUR` retient celles qui n'en ont aucune. Sans
    valeur choisie : toutes."""
    voulues = set(valeurs)
    if not voulues:
        return np.ones(len(table), dtype=bool)
    return np.array(
        [
            bool(voulues & set(vs)) or (AUCUNE_VALEUR in voulues and not vs)
            for vs in _valeurs_de(table, dimension, appel)
        ],
        dtype=bool,
    )


def repartition(
    table: pd.DataFrame,
    appel: Appel,
    dimension: str,
    selon: str = LIGNE,
    populations: Mapping[str, int] | None = None,
    annee: int | None = None,
) -> pd.DataFrame:
    """Une ligne par catégorie : demandes, financées, montant demandé et financé (l'année
    `annee`, 1 ou 2, ou toutes additionnées), part de l'enveloppe (de cette année ou du
    total), note moyenne des demandes évaluées, taux de succès. `dimension` : axe, secteur,
    secteur_secondaire, région, pays, type, ou l'id d'une dimension que l'appel déclare.

    Une demande à plusieurs valeurs (secteurs secondaires, pays, dimension déclarée
    `multiple`) compte dans CHACUNE, avec tout son montant : les parts de l'enveloppe
    peuvent alors dépasser 100 % au total. C'est une interprétation (les textes des appels
    ne disent pas comment répartir un projet qui sert plusieurs priorités) : partager le
    montant entre les valeurs supposerait un poids que personne n'a fixé.

    Dans une dimension de classement (axe, secteur, région, dimension déclarée), les
    demandes sans valeur ont leur ligne, « (aucune) », code vide (`AUCUNE_VALEUR`), à la
    fin, s'il y en a : aucune demande ne disparaît de la répartition. Les secteurs
    secondaires et les pays, souvent vides sans que rien ne manque, n'en ont pas.
    `populations` (région → habitants) ajoute le montant financé par 100 000 habitants."""
    valeurs = _valeurs_de(table, dimension, appel)
    n = _annees(appel)
    annees = range(n) if annee is None else [annee - 1]
    finance = montants(table, appel, selon)[:, list(annees)].sum(axis=1)
    choisies = selection(table, selon)
    demande = sum(
        pd.to_numeric(table[f"montant_demande_an{a + 1}"], errors="coerce").fillna(0).to_numpy()
        for a in annees
    ).astype(np.int64)
    total = pd.to_numeric(table["total"], errors="coerce").to_numpy(dtype=float)
    enveloppe = int(sum(appel.financement.enveloppe[a] for a in annees))
    lignes = []
    groupes = [
        (code, libelle, np.array([code in vs for vs in valeurs], dtype=bool))
        for code, libelle in categories(appel, dimension, table, valeurs)
    ]
    sans_valeur = np.array([not vs for vs in valeurs], dtype=bool)
    if dimension in dimensions_de(appel) and sans_valeur.any():
        groupes.append((AUCUNE_VALEUR, AUCUNE, sans_valeur))
    for code, libelle, garde in groupes:
        evaluees = garde & ~np.isnan(total)
        ligne = {
            "code": code,
            "libelle": libelle,
            "demandes": int(garde.sum()),
            "financees": int((garde & choisies).sum()),
            "demande": int(demande[garde].sum()),
            "finance": int(finance[garde].sum()),
            "part_enveloppe": finance[garde].sum() / enveloppe if enveloppe else np.nan,
            "note_moyenne": float(total[evaluees].mean()) if evaluees.any() else np.nan,
            "taux_succes": (garde & choisies).sum() / garde.sum() if garde.any() else np.nan,
        }
        if populations is not None:
            habitants = populations.get(code, 0)
            ligne["population"] = habitants
            ligne["par_100k"] = finance[garde].sum() / habitants * 100_000 if habitants else np.nan
        lignes.append(ligne)
    colonnes = ["code", "libelle", "demandes", "financees", "demande", "finance"]
    colonnes += ["part_enveloppe", "note_moyenne", "taux_succes"]
    if populations is not None:
        colonnes += ["population", "par_100k"]
    return pd.DataFrame(lignes, columns=colonnes).set_index("code")


def repartition_pour_fichier(repart: pd.DataFrame, titre: str, decimale: str = ".") -> pd.DataFrame:
    """Une `repartition` pour un CSV : la colonne `titre` (la dimension), les nombres de
    demandes, les montants en dollars (« 18000.50 », `formats.dollars`), les parts et le
    taux de succès en pour cent à une décimale, comme la page (« 12.5 »), la note moyenne à
    `DECIMALES_NOTES` décimales (`formats.note_fichier`), tous au séparateur décimal
    `decimale` (« , » pour le CSV « Excel (français) ») ; vide pour une valeur absente."""

    def dollars_ou_vide(v) -> str:
        return "" if pd.isna(v) else dollars(int(v), decimale)

    def pour_cent(v) -> str:
        return "" if pd.isna(v) else nombre_fichier(100 * float(v), 1, decimale)

    sortie = pd.DataFrame(
        {
            titre: repart["libelle"].astype(str).to_numpy(),
            "Demandes": repart["demandes"].astype(int).astype(str).to_numpy(),
            "Financées": repart["financees"].astype(int).astype(str).to_numpy(),
            "Demandé ($)": [dollars_ou_vide(v) for v in repart["demande"]],
            "Financé ($)": [dollars_ou_vide(v) for v in repart["finance"]],
            "Part de l'enveloppe (%)": [pour_cent(v) for v in repart["part_enveloppe"]],
            "Note moyenne": [note_fichier(v, decimale) for v in repart["note_moyenne"]],
            "Taux de succès (%)": [pour_cent(v) for v in repart["taux_succes"]],
        }
    )
    if "par_100k" in repart:
        sortie["Financé par 100 000 hab. ($)"] = [
            "" if pd.isna(v) else nombre_fichier(float(v) / 100, 2, decimale)
            for v in repart["par_100k"]
        ]
    return sortie


def municipalites_sans_demande(table: pd.DataFrame, municipalites: Iterable) -> pd.DataFrame:
    """Les municipalités du répertoire qui n'ont déposé aucune demande, ni comme requérante
    (code géographique) ni comme partenaire (nom ; un homonyme d'une autre région compte
    aussi comme ayant participé : mieux vaut en oublier une que d'en citer une à tort)."""
    codes = set(table["code_geographique"].dropna().astype(str))
    partenaires = {
        cle_nom_propre(nom)
        for v in table.get("municipalites_partenaires", pd.Series(dtype=object))
        if isinstance(v, str)
        for nom in v.split(";")
        if nom.strip()
    }
    lignes = [
        {"region": m.region_code, "municipalite": m.nom_affiche, "population": m.population}
        for m in municipalites
        if m.code_geographique not in codes and cle_nom_propre(m.nom_affiche) not in partenaires
    ]
    return pd.DataFrame(lignes, columns=["region", "municipalite", "population"])


# --- Cibles d'équilibre ---------------------------------------------------------------------

# Une part de l'enveloppe est comparée à sa borne à un milliardième de point près : calculée
# en flottants à partir de montants en cents (100 × atteint / enveloppe), elle porte un bruit
# d'arrondi (quelques 1e-15 point) qui ne doit pas faire manquer une borne atteinte tout juste.
TOLERANCE_PART = 1e-9


def _points(x: float) -> str:
    """Un écart en points de pourcentage : « 8,5 », ou « 0,03 » quand il est minuscule (un
    manque réel ne s'affiche jamais « 0,0 »)."""
    return nombre(x, 1) if x >= 0.1 else nombre(x, 2)


def libelle_cible(appel: Appel, cible: Cible) -> str:
    """La cible en clair. Sur l'axe, le secteur ou la région : `Cible.libelle` (« chaque axe :
    au moins 20 % de l'enveloppe »). Sur une dimension déclarée, son libellé et celui de la
    valeur plutôt que leurs ids (« Priorités transversales « Jeunesse » : au moins 2
    demandes financées », « Priorités transversales, chaque valeur : … »)."""
    dimension = appel.dimension(cible.dimension)
    if dimension is None:
        return cible.libelle
    bornes = cible.libelle.removeprefix(cible.qui + " : ")
    qui = (
        f"{dimension.libelle}, chaque valeur"
        if cible.valeur == "*"
        else f"{dimension.libelle} « {dimension.libelle_valeur(cible.valeur)} »"
    )
    return f"{qui} : {bornes}"


@dataclass(frozen=True)
class Contrainte:
    """Une cible appliquée à une valeur : la borne, ce qui est atteint, l'écart.
    `nom` : la cible en clair (`libelle_cible`)."""

    cible: Cible
    valeur: str
    libelle: str
    membres: np.ndarray  # (n,) booléen : les demandes de cette valeur
    nom: str = ""


def contraintes(table: pd.DataFrame, appel: Appel, cibles: Iterable[Cible] | None = None):
    """Chaque cible de l'appel déclinée par valeur (« * » : une contrainte par catégorie de
    `categories` ; les demandes sans valeur n'en forment pas une). Sur une
    dimension à plusieurs valeurs, une demande est membre de la contrainte de CHACUNE de ses
    valeurs : financée, elle compte, avec tout son montant, pour chacune (interprétation,
    voir `repartition`). Les cibles sont un réglage du ministère ([[cibles]] de l'appel)."""
    resultat = []
    par_dimension: dict[str, list[list[str]]] = {}
    for cible in appel.cibles if cibles is None else cibles:
        if cible.dimension not in par_dimension:
            par_dimension[cible.dimension] = _valeurs_de(table, cible.dimension, appel)
        valeurs = par_dimension[cible.dimension]
        choix = [
            (code, libelle)
            for code, libelle in categories(appel, cible.dimension, table, valeurs)
            if cible.valeur in ("*", code)
        ]
        for code, libelle in choix:
            membres = np.array([code in vs for vs in valeurs], dtype=bool)
            resultat.append(Contrainte(cible, code, libelle, membres, libelle_cible(appel, cible)))
    return resultat


def evaluer_cibles(
    table: pd.DataFrame, appel: Appel, choisies: np.ndarray, montants_choisis: np.ndarray
) -> pd.DataFrame:
    """Pour chaque contrainte : part de l'enveloppe et nombre atteints par la sélection,
    bornes, respect, et l'écart (en points de % ou en demandes) quand elle est manquée."""
    enveloppe = int(sum(appel.financement.enveloppe[: _annees(appel)]))
    par_annee = np.asarray(montants_choisis).reshape(len(table), -1)  # (n, années)
    total = par_annee.sum(axis=1)
    lignes = []
    for c in contraintes(table, appel):
        part = 100 * total[c.membres & choisies].sum() / enveloppe if enveloppe else 0.0
        nombre = int((c.membres & choisies).sum())
        ecarts = []
        if c.cible.part_min is not None and part < c.cible.part_min - TOLERANCE_PART:
            ecarts.append(f"{_points(c.cible.part_min - part)} points de % sous le minimum")
        if c.cible.part_max is not None and part > c.cible.part_max + TOLERANCE_PART:
            ecarts.append(f"{_points(part - c.cible.part_max)} points de % au-dessus du maximum")
        if c.cible.nombre_min is not None and nombre < c.cible.nombre_min:
            manque = c.cible.nombre_min - nombre
            ecarts.append(f"{pluriel(manque, 'demande')} de moins que le minimum")
        if c.cible.nombre_max is not None and nombre > c.cible.nombre_max:
            exces = nombre - c.cible.nombre_max
            ecarts.append(f"{pluriel(exces, 'demande')} de plus que le maximum")
        lignes.append(
            {
                "cible": c.nom,
                "dimension": c.cible.dimension,
                "valeur": c.valeur,
                "libelle": c.libelle,
                "part": part,
                "nombre": nombre,
                "respectee": not ecarts,
                "ecart": " ; ".join(ecarts),
            }
        )
    return pd.DataFrame(
        lignes,
        columns=["cible", "dimension", "valeur", "libelle", "part", "nombre", "respectee", "ecart"],
    )


# --- Meilleure sélection sous l'enveloppe --------------------------------------------------

# Les deux objectifs de « Calculer la meilleure sélection » (réglage de l'appel,
# `[classement] objectif_selection`, voir configuration.OBJECTIFS_SELECTION).
CLASSEMENT, NOTE_MONTANT = OBJECTIFS_SELECTION
GENRES_DE_BORNES = ("part_min", "part_max", "nombre_min", "nombre_max")


@dataclass(frozen=True)
class Selection:
    """Le résultat de l'optimisation : demandes choisies (dans l'ordre du tableau), valeur
    de l'objectif, cibles manquées (contrainte → manque) et ce qu'a coûté chaque cible.
    `objectif` vaut Σ note × montant recommandé (en dollars) de la sélection, quel que soit
    l'objectif suivi : les deux se comparent."""

    choisies: np.ndarray
    objectif: float
    manques: dict[str, float] = field(default_factory=dict)
    message: str = ""
    # Le délai s'est écoulé avant que l'optimum soit prouvé (`message` dit à combien près).
    interrompue: bool = False
    # « classement » : une cible minimale reste manquée, et le programme du moindre manque
    # n'a pas été demandé (`optimiser(..., chercher_moindre_manque=True)`).
    peut_manquer_moins: bool = False


# Ce qu'un comité attend, au plus, le résultat de « Calculer la meilleure sélection » : au
# bout de ce délai, le solveur rend la meilleure sélection trouvée et dit à combien elle est
# au plus de la meilleure possible (5 000 demandes classées et des montants tous
# différents : plus de deux minutes pour l'optimum à 0,1 % près).
DELAI_OPTIMISATION = 20.0

ECHEC_FORCEES = "Aucune sélection possible : les demandes forcées dépassent l'enveloppe."
# Ce que rend `_programme` quand il n'a pas de meilleure sélection que celle qu'on lui donne.
AUCUN_MOINDRE, HORS_DELAI, MOINDRE_HORS_DELAI = "aucun-moindre", "delai", "moindre-hors-delai"
# Un manque total (écarts rapportés à leur échelle) égale le moindre manque à un
# milliardième près, relatif et absolu : le solveur rend ses optimums à sa tolérance près, et
# le second programme doit pouvoir reprendre la sélection du premier.
TOLERANCE_MANQUE = 1e-9


def _plafond_du_manque(manque_min: float) -> float:
    """Le manque total (écarts rapportés à leur échelle) permis au second programme : le
    moindre manque, à la tolérance du solveur près (`TOLERANCE_MANQUE`)."""
    return manque_min * (1 + TOLERANCE_MANQUE) + TOLERANCE_MANQUE


def _bornes_des_cibles(
    table: pd.DataFrame, appel: Appel, cibles: Iterable[Cible] | None
) -> list[tuple[Contrainte, str, float]]:
    """Chaque borne écrite de chaque contrainte : (contrainte, genre, valeur), dans l'ordre
    des cibles puis de GENRES_DE_BORNES."""
    return [
        (c, genre, getattr(c.cible, genre))
        for c in contraintes(table, appel, cibles)
        for genre in GENRES_DE_BORNES
        if getattr(c.cible, genre) is not None
    ]


def _manques(
    bornes: list[tuple[Contrainte, str, float]],
    choisies: np.ndarray,
    centimes: np.ndarray,
    enveloppe: float,
) -> dict[str, str]:
    """Les cibles que `choisies` manque, et de combien (« 20,0 points de % », « 2
    demande(s) ») ; `centimes` : le total recommandé de chaque demande, `enveloppe` : celle
    des années de l'appel, en dollars. Une part manquée d'un demi-cent au plus ne compte
    pas (la tolérance du solveur) ; un nombre, entier, est manqué d'au moins une demande."""
    manques = {}
    for c, genre, valeur in bornes:
        en_part = genre.startswith("part")
        if en_part:
            atteint = float(centimes[c.membres & choisies].sum())
            borne = valeur / 100 * enveloppe * 100
        else:
            atteint, borne = float((c.membres & choisies).sum()), float(valeur)
        depassement = (borne - atteint) if genre.endswith("min") else (atteint - borne)
        if depassement > (0.5 if en_part else 0):
            manques[f"{c.nom} — {c.libelle}"] = (
                f"{_points(depassement / enveloppe)} points de %"
                if en_part
                else pluriel(round(depassement), "demande")
            )
    return manques


def optimiser(
    table: pd.DataFrame,
    appel: Appel,
    *,
    objectif: str | None = None,
    forcees: Iterable[int] = (),
    exclues: Iterable[int] = (),
    cibles: Iterable[Cible] | None = None,
    ecart_relatif: float | None = None,
    delai: float | None = None,
    chercher_moindre_manque: bool = False,
) -> Selection:
    """La meilleure sélection de demandes classées sous l'enveloppe de chaque année et les
    cibles d'équilibre, selon l'objectif de l'appel (`appel.objectif_selection`, réglage du
    comité ; `objectif` le remplace) :

    - « classement » (par défaut) : respecter le classement, puis les cibles d'équilibre
      (`_respecter_le_classement`) ;
    - « note_montant » : la plus grande somme note × montant recommandé, par un programme
      en nombres entiers (`_plus_grande_note_fois_montant`).

    `forcees` / `exclues` : demande_id imposées dedans ou dehors (par la présidence) ; une
    demande forcée reste soumise à l'enveloppe. `ecart_relatif` : écart toléré à l'optimum
    prouvé d'un programme en nombres entiers. Un seul délai (`DELAI_OPTIMISATION` par défaut)
    pour tout le calcul. `chercher_moindre_manque` (« classement » seulement) : quand la
    descente et les échanges laissent une cible manquée, chercher par un programme en
    nombres entiers une sélection qui la manque moins (étape 5 ; jusqu'au délai) ; sinon la
    sélection rendue le dit (`peut_manquer_moins`) et la présidence le demande d'un clic."""
    objectif = appel.objectif_selection if objectif is None else objectif
    options = {
        "forcees": forcees,
        "exclues": exclues,
        "cibles": cibles,
        "ecart_relatif": ecart_relatif,
        "delai": DELAI_OPTIMISATION if delai is None else delai,
    }
    if objectif == CLASSEMENT:
        return _respecter_le_classement(
            table, appel, chercher_moindre_manque=chercher_moindre_manque, **options
        )
    if objectif == NOTE_MONTANT:
        return _plus_grande_note_fois_montant(table, appel, **options)
    raise ValueError(
        f"objectif de sélection « {objectif} » inconnu ({', '.join(OBJECTIFS_SELECTION)})."
    )


def _note_fois_montant(table: pd.DataFrame, appel: Appel) -> np.ndarray:
    """(n,) : note × montant recommandé des années de l'appel, en dollars."""
    total = sum(
        table[f"recommande_an{a + 1}"].to_numpy(dtype=float) / 100 for a in range(_annees(appel))
    )
    note = pd.to_numeric(table["total"], errors="coerce").fillna(0).to_numpy(dtype=float)
    return note * total


def _plus_grande_note_fois_montant(table: pd.DataFrame, appel: Appel, **options) -> Selection:
    """Choisit les demandes classées qui maximisent Σ note × montant recommandé, sous
    l'enveloppe de chaque année et les cibles d'équilibre. Les cibles sont souples : une
    cible impossible est manquée du moins possible (écart pénalisé), et le résultat dit de
    combien.

    `ecart_relatif` : par défaut, l'optimum exact jusqu'à 1 000 demandes, et à 0,1 % près
    au-delà (5 000 demandes et 30 cibles : 0,6 s au lieu de 4,6 s pour une valeur meilleure
    de 0,03 %)."""
    fin = time.monotonic() + options["delai"]
    resultat = _programme(table, appel, _note_fois_montant(table, appel), fin=fin, **options)
    assert isinstance(resultat, Selection)  # sans manque à battre, toujours une sélection
    return resultat


def _programme(
    table: pd.DataFrame,
    appel: Appel,
    valeurs: np.ndarray,
    *,
    forcees: Iterable[int],
    exclues: Iterable[int],
    cibles: Iterable[Cible] | None,
    ecart_relatif: float | None,
    delai: float,
    fin: float,
    manque_a_battre: float | None = None,
) -> Selection | str:
    """Le programme en nombres entiers (scipy.optimize.milp, HiGHS) : maximise Σ valeurs des
    demandes choisies sous l'enveloppe de chaque année et les cibles, souples : d'abord le
    moindre manque total (écarts rapportés à leur échelle : l'enveloppe pour une part, 1 pour
    un nombre), puis, à ce manque près, la plus grande valeur. `fin` : l'instant
    (time.monotonic) où tout le calcul doit s'arrêter.

    `manque_a_battre` (le manque d'une sélection déjà trouvée) : le moindre manque est
    cherché d'emblée (les cibles n'ont pas été tenues), et le programme rend AUCUN_MOINDRE
    si aucune sélection ne manque moins, HORS_DELAI si le délai s'écoule avant de le savoir,
    MOINDRE_HORS_DELAI s'il s'écoule avant la sélection de ce moindre manque ; sinon la
    sélection."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_annees = _annees(appel)
    candidates = (table["statut"] == CLASSE).to_numpy()
    ids = table["demande_id"].astype(int).to_numpy()
    m = np.column_stack(
        [table[f"recommande_an{a + 1}"].to_numpy(dtype=float) / 100 for a in range(n_annees)]
    )  # dollars
    total = m.sum(axis=1)
    n = len(table)
    enveloppe = float(sum(appel.financement.enveloppe[:n_annees])) / 100
    # Variables : x (n demandes), puis un écart ≥ 0 par borne de cible.
    bornes_cibles = _bornes_des_cibles(table, appel, cibles)
    k = len(bornes_cibles)
    centimes = np.column_stack(
        [table[f"recommande_an{a + 1}"].to_numpy(dtype=np.int64) for a in range(n_annees)]
    ).sum(axis=1)
    lignes, bas, haut = [], [], []
    for a in range(n_annees):
        lignes.append(np.concatenate([m[:, a], np.zeros(k)]))
        bas.append(-np.inf)
        haut.append(appel.financement.enveloppe[a] / 100)
    echelles = np.ones(k)
    exactes = []  # (membres, poids en cents ou 1, borne exacte, minimum ?) pour vérifier
    for j, (c, genre, valeur) in enumerate(bornes_cibles):
        en_part = genre.startswith("part")
        poids = total if en_part else np.ones(n)
        borne = valeur / 100 * enveloppe if en_part else float(valeur)
        echelles[j] = enveloppe if en_part else 1.0
        ecart = np.zeros(k)
        ecart[j] = 1.0 if genre.endswith("min") else -1.0  # Σ ± écart ≥ ou ≤ borne
        lignes.append(np.concatenate([np.where(c.membres, poids, 0.0), ecart]))
        bas.append(borne if genre.endswith("min") else -np.inf)
        haut.append(np.inf if genre.endswith("min") else borne)
        exactes.append(
            (
                c.membres,
                centimes if en_part else np.ones(n, dtype=np.int64),
                valeur / 100 * enveloppe * 100 if en_part else float(valeur),
                genre.endswith("min"),
            )
        )
    forcees, exclues = set(forcees), set(exclues)
    bas_x = np.where(np.isin(ids, list(forcees)) & candidates, 1.0, 0.0)
    haut_x = np.where(candidates & ~np.isin(ids, list(exclues)), 1.0, 0.0)
    bornes = Bounds(
        np.concatenate([bas_x, np.zeros(k)]), np.concatenate([haut_x, np.full(k, np.inf)])
    )
    entiers = np.concatenate([np.ones(n), np.zeros(k)])
    options = {
        "mip_rel_gap": (0.0 if n <= 1000 else 1e-3) if ecart_relatif is None else ecart_relatif,
        "time_limit": delai,
    }
    a_battre = manque_a_battre is not None
    echec = Selection(np.zeros(n, dtype=bool), 0.0, message=ECHEC_FORCEES)

    def resoudre(objectif, lignes, bas, haut):
        return milp(
            objectif,
            constraints=LinearConstraint(np.array(lignes), np.array(bas), np.array(haut)),
            integrality=entiers,
            bounds=bornes,
            options={**options, "time_limit": max(0.5, fin - time.monotonic())},
        )

    hors_delai = Selection(
        np.zeros(n, dtype=bool),
        0.0,
        message=(
            f"Calcul arrêté après {nombre(delai)} s sans sélection trouvée qui tienne dans "
            "l'enveloppe et les cibles : retirez une cible ou une demande forcée, puis "
            "relancez."
        ),
        interrompue=True,
    )

    # Ordre lexicographique : d'abord manquer les cibles le moins possible (écarts rapportés
    # à leur échelle), puis, à ce manque près, la plus grande valeur. Une pénalité unique ne
    # suffirait pas : un petit manque peut « acheter » une valeur arbitrairement grande.
    # Quand toutes les cibles peuvent être tenues (le cas courant), le moindre manque est nul :
    # le second problème, posé avec un manque nul, est alors celui qu'on aurait résolu, et un
    # seul programme suffit. Sinon (il n'a pas de solution), le moindre manque est cherché.
    lignes_finales, bas_finaux, haut_finaux = list(lignes), list(bas), list(haut)
    objectif = np.concatenate([-np.asarray(valeurs, dtype=float), np.zeros(k)])
    deja = None
    if k:
        lignes_finales.append(np.concatenate([np.zeros(n), 1 / echelles]))
        bas_finaux.append(-np.inf)
        haut_finaux.append(_plafond_du_manque(0.0))
        # Un manque à battre : les cibles ont déjà été manquées ; le moindre manque d'abord.
        if not a_battre:
            deja = resoudre(objectif, lignes_finales, bas_finaux, haut_finaux)
        if deja is None or deja.x is None:
            deja = None
            premier = resoudre(np.concatenate([np.zeros(n), 1 / echelles]), lignes, bas, haut)
            if premier.x is None:
                if a_battre:
                    return HORS_DELAI if premier.status == 1 else AUCUN_MOINDRE
                return hors_delai if premier.status == 1 else echec
            if (
                a_battre
                and float(premier.fun)
                >= manque_a_battre * (1 - TOLERANCE_MANQUE) - TOLERANCE_MANQUE
            ):
                return AUCUN_MOINDRE
            haut_finaux[-1] = _plafond_du_manque(float(premier.fun))
    for essai in range(5):
        resultat = deja if essai == 0 and deja is not None else None
        resultat = resultat or resoudre(objectif, lignes_finales, bas_finaux, haut_finaux)
        if resultat.x is None:
            if a_battre:  # le moindre manque est plus petit, sa sélection reste à trouver
                return MOINDRE_HORS_DELAI
            return hors_delai if resultat.status == 1 else echec
        x = resultat.x[:n] > 0.5
        # Vérification exacte, en cents : le solveur tolère de minuscules dépassements.
        resserrer = False
        for j, (membres, poids, borne, minimum) in enumerate(exactes):
            atteint = float(poids[membres & x].sum())
            facteur = 100 if poids is centimes else 1  # l'écart du solveur est en dollars
            ecart_declare = resultat.x[n + j] * facteur
            depassement = (borne - atteint) if minimum else (atteint - borne)
            if depassement > ecart_declare + 0.5:
                ligne = len(lignes) - k + j
                correction = (depassement - ecart_declare) / facteur
                if minimum:
                    bas_finaux[ligne] += correction + 0.01
                else:
                    haut_finaux[ligne] -= correction + 0.01
                resserrer = True
        if not resserrer:
            break
    manques = _manques(bornes_cibles, x, centimes, enveloppe)
    message = resultat.message
    if resultat.status == 1:  # temps écoulé, avec une sélection qui respecte tout
        ecart = getattr(resultat, "mip_gap", None)
        message = (
            f"Calcul arrêté après {nombre(delai)} s : voici la meilleure sélection trouvée"
            + (
                f", à {pourcentage(ecart)} au plus de la meilleure possible"
                if ecart is not None and np.isfinite(ecart)
                else ""
            )
            + " (elle respecte l'enveloppe et les demandes forcées ou exclues)."
        )
    return Selection(
        x,
        float(_note_fois_montant(table, appel)[x].sum()),
        manques,
        message,
        interrompue=resultat.status == 1,
    )


def _ordre_du_classement(table: pd.DataFrame, masque: np.ndarray) -> np.ndarray:
    """Les positions des demandes de `masque`, du meilleur rang au moins bon (colonne
    `rang` ; à défaut, l'ordre du tableau, qui est celui du classement)."""
    positions = np.flatnonzero(masque)
    if "rang" not in table.columns:
        return positions
    rang = pd.to_numeric(table["rang"], errors="coerce").astype(float).to_numpy()[positions]
    return positions[np.argsort(np.nan_to_num(rang, nan=np.inf), kind="stable")]


def _respecter_le_classement(
    table: pd.DataFrame,
    appel: Appel,
    *,
    forcees: Iterable[int],
    exclues: Iterable[int],
    cibles: Iterable[Cible] | None,
    ecart_relatif: float | None,
    delai: float,
    chercher_moindre_manque: bool,
) -> Selection:
    """« Respecter le classement, puis les cibles » : l'objectif par défaut de la meilleure
    sélection, réglage du comité (issue 16 : « Its default keeps the ranking's order unless
    a balance target requires otherwise ») ; l'appel ne fixe aucune méthode de sélection
    (le ministère « conserve cependant la responsabilité de la sélection définitive des
    projets »). Montants en cents ; parts en % de l'enveloppe des années de l'appel, comme
    `evaluer_cibles`.

    1. Candidates : les demandes classées, hors exclues (une demande forcée et exclue est
       exclue) ; les forcées sont dedans d'office (si elles dépassent seules l'enveloppe
       d'une année : aucune sélection).
    2. On descend le classement (colonne `rang`) : une demande entre si elle tient dans le
       restant de l'enveloppe de chaque année et n'ajoute aucun excès à une cible maximale
       (part_max, nombre_max). Comme la ligne de financement (`appel.mode_ligne`) : en
       « stricte », la première qui ne tient pas dans l'enveloppe arrête la descente ; en
       « remplissage », elle est sautée. Sans cible ni demande forcée ou exclue, c'est la
       ligne de financement du classement.
    3. Si chaque cible minimale (part_min, nombre_min) est tenue, c'est fini. Les sélections
       qui tiennent dans l'enveloppe et sous les cibles maximales forment une famille close
       par retrait (retirer une demande n'en fait sortir aucune) ; sur une telle famille, la
       descente en « remplissage » donne l'optimum lexicographique selon le rang : la
       meilleure classée possible, puis, avec elle, la suivante possible, et ainsi de suite
       (si une sélection de la famille prend la demande de rang r avec les mêmes demandes
       mieux classées que la descente, ces demandes plus r tiennent aussi, et la descente
       l'a prise).
    4. Sinon, pour chaque cible minimale manquée, dans l'ordre des cibles : la mieux classée
       des candidates non choisies de sa catégorie (sans excès sur une cible maximale)
       entre, et l'on lui fait de la place en retirant les moins bien classées des choisies
       qui ne sont ni forcées, ni entrées pour une cible, ni de cette catégorie, et dont le
       retrait ne fait passer aucune autre cible minimale sous son minimum ; on recommence
       jusqu'à ce que la cible soit tenue ou que plus rien ne soit possible (chaque candidate
       est essayée une fois : le nombre de tours est borné). Puis la descente reprend, pour
       remplir la place restée libre.
    5. Si une cible minimale reste manquée et que `chercher_moindre_manque` le demande (un clic de
       la présidence : ce programme peut prendre tout le délai, là où la descente et les échanges
       prennent moins d'une seconde à 5 000 demandes), le programme en nombres entiers du moindre
       manque (celui de « note_montant ») dit si l'on peut manquer moins ; si oui, la sélection est
       celle qui manque le moins et qui, à ce manque, garde le plus possible des demandes de la
       descente (2), puis préfère les mieux classées (poids n − rang + 1, plus, pour chaque demande
       de la descente, plus que toutes les autres ensemble : une approximation linéaire de l'ordre
       du classement, qui peut préférer deux demandes à une mieux classée), et le message le dit. Un
       seul délai pour tout le calcul (`delai`) ; s'il s'écoule avant la réponse, la sélection qui
       suit le classement reste, et le message le dit.

    `manques` est rempli comme par « note_montant » ; `message` dit quelles demandes sont
    entrées pour quelle cible et lesquelles en sont sorties (vide : la sélection est la
    descente du classement)."""
    debut = time.monotonic()
    fin = debut + delai
    n = len(table)
    n_annees = _annees(appel)
    montants_cents = np.column_stack(
        [table[f"recommande_an{a + 1}"].to_numpy(dtype=np.int64) for a in range(n_annees)]
    ).reshape(n, n_annees)
    centimes = montants_cents.sum(axis=1)
    enveloppes = np.asarray(appel.financement.enveloppe[:n_annees], dtype=np.int64)
    enveloppe = int(enveloppes.sum())  # cents, comme evaluer_cibles
    ids = table["demande_id"].astype(int).to_numpy()
    classees = (table["statut"] == CLASSE).to_numpy()
    candidates = classees & ~np.isin(ids, list(set(exclues)))
    forcees_ = candidates & np.isin(ids, list(set(forcees)))
    ordre = _ordre_du_classement(table, candidates).tolist()
    if (montants_cents[forcees_].sum(axis=0) > enveloppes).any():
        return Selection(np.zeros(n, dtype=bool), 0.0, message=ECHEC_FORCEES)

    # Les bornes des cibles : ce qu'une demande y pèse (cents pour une part, 1 pour un
    # nombre) et le critère d'evaluer_cibles (parts comparées à TOLERANCE_PART près).
    bornes = _bornes_des_cibles(table, appel, cibles)
    est_min = [genre.endswith("min") for _, genre, _ in bornes]
    en_part = [genre.startswith("part") for _, genre, _ in bornes]
    poids = [
        (centimes if p else np.ones(n, dtype=np.int64)).tolist() for p in en_part
    ]  # listes : la descente est une boucle Python
    membres = [c.membres for c, _, _ in bornes]
    bornes_de: list[list[int]] = [[] for _ in range(n)]
    for b, mb in enumerate(membres):
        for i in np.flatnonzero(mb & candidates).tolist():
            bornes_de[i].append(b)

    def respecte(b: int, atteint: float) -> bool:
        valeur = bornes[b][2]
        if en_part[b]:
            part = 100 * atteint / enveloppe if enveloppe else 0.0
            return (
                part >= valeur - TOLERANCE_PART if est_min[b] else part <= valeur + TOLERANCE_PART
            )
        return atteint >= valeur if est_min[b] else atteint <= valeur

    choisies = np.zeros(n, dtype=bool)
    proteges = forcees_.copy()  # jamais retirées : forcées, puis entrées pour une cible
    montants_l = montants_cents.tolist()
    restant = enveloppes.tolist()
    atteints = [0.0] * len(bornes)
    annees = range(n_annees)

    def ajouter(i: int) -> None:
        choisies[i] = True
        for a in annees:
            restant[a] -= montants_l[i][a]
        for b in bornes_de[i]:
            atteints[b] += poids[b][i]

    def retirer(i: int) -> None:
        choisies[i] = False
        for a in annees:
            restant[a] += montants_l[i][a]
        for b in bornes_de[i]:
            atteints[b] -= poids[b][i]

    def tient(i: int) -> bool:
        return all(montants_l[i][a] <= restant[a] for a in annees)

    def exces(i: int) -> bool:
        """Ajouter i ajouterait un excès à une cible maximale."""
        return any(
            not est_min[b] and poids[b][i] > 0 and not respecte(b, atteints[b] + poids[b][i])
            for b in bornes_de[i]
        )

    stricte = appel.mode_ligne == "stricte"

    def descendre() -> None:
        for i in ordre:
            if choisies[i]:
                continue
            if not tient(i):
                if stricte:
                    break
                continue
            if not exces(i):
                ajouter(i)

    for i in np.flatnonzero(forcees_).tolist():
        ajouter(i)
    descendre()
    descente = choisies.copy()

    # 4. Les cibles minimales manquées, chacune à son tour.
    position = np.zeros(n, dtype=np.int64)
    position[ordre] = np.arange(len(ordre))
    entrees: list[tuple[int, list[int]]] = []  # (borne, demandes entrées pour elle)
    for b in range(len(bornes)):
        if not est_min[b] or respecte(b, atteints[b]):
            continue
        venues = []
        for i in [i for i in ordre if membres[b][i]]:
            if respecte(b, atteints[b]) or time.monotonic() > fin:
                break
            if choisies[i] or exces(i):
                continue
            besoin = [montants_l[i][a] - restant[a] for a in annees]
            retirees = []
            if any(x > 0 for x in besoin):  # i ne tient pas : lui faire de la place
                # Les retirables, de la moins bien classée à la mieux classée ; sans espoir
                # si même toutes ne libèrent pas assez.
                retirables = np.flatnonzero(choisies & ~proteges & ~membres[b])
                liberable = montants_cents[retirables].sum(axis=0).tolist()
                if any(besoin[a] > liberable[a] for a in annees):
                    continue
                for j in retirables[np.argsort(-position[retirables])].tolist():
                    if not any(montants_l[j][a] > 0 and besoin[a] > 0 for a in annees):
                        continue
                    if any(
                        est_min[b2] and b2 != b and not respecte(b2, atteints[b2] - poids[b2][j])
                        for b2 in bornes_de[j]
                    ):
                        continue
                    retirer(j)
                    retirees.append(j)
                    besoin = [montants_l[i][a] - restant[a] for a in annees]
                    if all(x <= 0 for x in besoin):
                        break
            if any(x > 0 for x in besoin):
                for j in retirees:  # pas assez de place : rien ne change
                    ajouter(j)
                continue
            ajouter(i)
            proteges[i] = True
            venues.append(i)
        if venues:
            entrees.append((b, venues))
    if entrees:
        descendre()

    # 5. Une cible minimale encore manquée : le moindre manque possible est-il plus petit ?
    message, interrompue = "", False
    manquees = [b for b in range(len(bornes)) if est_min[b] and not respecte(b, atteints[b])]
    if manquees and chercher_moindre_manque:
        notre_manque = 0.0
        for b in range(len(bornes)):
            if respecte(b, atteints[b]):
                continue
            ecart = abs(
                atteints[b] - (bornes[b][2] / 100 * enveloppe if en_part[b] else bornes[b][2])
            )
            notre_manque += ecart / enveloppe if en_part[b] else ecart
        # Garder d'abord le plus possible de la descente (chacune pèse plus que toutes les
        # autres ensemble), puis les mieux classées (n − rang + 1).
        valeurs = np.zeros(n)
        toutes = _ordre_du_classement(table, classees)
        valeurs[toutes] = np.arange(len(toutes), 0, -1)
        valeurs[descente] += valeurs.sum() + 1
        resultat = _programme(
            table,
            appel,
            valeurs,
            forcees=ids[forcees_].tolist(),
            exclues=exclues,
            cibles=cibles,
            ecart_relatif=ecart_relatif,
            delai=delai,
            fin=fin,
            manque_a_battre=notre_manque,
        )
        if isinstance(resultat, Selection):
            texte = (
                "En suivant le classement, des cibles restaient manquées ; le programme en "
                "nombres entiers a trouvé une sélection qui les manque moins, et qui, à ce "
                "manque, garde le plus possible des demandes du classement, puis les mieux "
                "classées."
            )
            if resultat.interrompue:
                texte += " " + resultat.message
            return replace(resultat, message=texte)
        interrompue = resultat in (HORS_DELAI, MOINDRE_HORS_DELAI)
        if resultat == HORS_DELAI:
            message = (
                f"Calcul arrêté après {nombre(delai)} s avant de savoir si les cibles pouvaient "
                "être moins manquées : voici la sélection qui suit le classement."
            )
        elif resultat == MOINDRE_HORS_DELAI:
            message = (
                "Les cibles pourraient être moins manquées, mais le calcul s'est arrêté après "
                f"{nombre(delai)} s avant de trouver, à ce moindre manque, la sélection la plus "
                "proche du classement : voici celle qui suit le classement."
            )
    morceaux = []
    numeros = table["no_demande"].astype(str).to_numpy()
    for b, venues in entrees:
        c = bornes[b][0]
        morceaux.append(f"pour « {c.nom} — {c.libelle} » : {_liste_de_demandes(numeros, venues)}")
    if morceaux:
        sorties = np.flatnonzero(descente & ~choisies).tolist()
        message = (
            "Entrées hors de l'ordre du classement "
            + " ; ".join(morceaux)
            + (
                f". Sorties pour leur faire place : {_liste_de_demandes(numeros, sorties)}."
                if sorties
                else "."
            )
            + (f" {message}" if message else "")
        )
    return Selection(
        choisies,
        float(_note_fois_montant(table, appel)[choisies].sum()),
        _manques(bornes, choisies, centimes, enveloppe / 100),
        message,
        interrompue=interrompue,
        peut_manquer_moins=bool(manquees) and not chercher_moindre_manque,
    )


def _liste_de_demandes(numeros: np.ndarray, positions: list[int], au_plus: int = 10) -> str:
    """« D-07, D-12 et 3 autres » : les numéros de demande, les premiers seulement."""
    noms = [numeros[i] for i in positions[:au_plus]]
    reste = len(positions) - len(noms)
    return ", ".join(noms) + (f" et {pluriel(reste, 'autre')}" if reste else "")


def comparer_selections(table: pd.DataFrame, avant: np.ndarray, apres: np.ndarray) -> pd.DataFrame:
    """Les demandes ajoutées et retirées d'une sélection à l'autre."""
    ajoutees = apres & ~avant
    retirees = avant & ~apres
    garde = ajoutees | retirees
    return pd.DataFrame(
        {
            "no_demande": table["no_demande"].to_numpy()[garde],
            "rang": table["rang"].to_numpy()[garde],
            "total": table["total"].to_numpy()[garde],
            "changement": np.where(ajoutees[garde], "ajoutée", "retirée"),
        }
    )


RETENUE_SOUS_LA_LIGNE = "retenue sous la ligne"
ECARTEE_AU_DESSUS = "écartée au-dessus de la ligne"


def contre_le_classement(table: pd.DataFrame, choisies: np.ndarray) -> pd.DataFrame:
    """Issue 16 : les demandes classées qu'un scénario (`choisies`, (n,)) fait passer la
    ligne de financement contre le classement — retenues bien que sous la ligne (liste
    d'attente), ou laissées de côté bien qu'au-dessus (financées). Chacune demande une
    raison à l'adoption (`decisions.adopter_scenario`). Colonnes : position (dans `table`),
    demande_id, no_demande, rang, sens ; dans l'ordre de `table`."""
    classees = (table["statut"] == CLASSE).to_numpy()
    au_dessus = classees & (table["financement"] == financement.FINANCE).to_numpy()
    choisies = np.asarray(choisies, dtype=bool)
    franchit = classees & (choisies != au_dessus)
    positions = np.flatnonzero(franchit)
    return pd.DataFrame(
        {
            "position": positions,
            "demande_id": table["demande_id"].to_numpy()[positions].astype(int),
            "no_demande": table["no_demande"].to_numpy()[positions],
            "rang": table["rang"].to_numpy()[positions] if "rang" in table else pd.NA,
            "sens": np.where(choisies[positions], RETENUE_SOUS_LA_LIGNE, ECARTEE_AU_DESSUS),
        }
    )


# --- Solidité de la ligne de financement -----------------------------------------------------


def bootstrap(
    par_evaluateur: np.ndarray,
    montants_recommandes: np.ndarray,
    enveloppes: Iterable[int],
    *,
    tirages: int = 1000,
    graine: int | None = 2024,
    seuil: float | None = None,
    valeurs_par_bloc: int = 1_000_000,
    fils: int = min(2, os.cpu_count() or 1),
) -> pd.DataFrame:
    """Rééchantillonne les évaluateurs de chaque demande (avec remise) `tirages` fois et
    refait la ligne de financement (stricte) : pour chaque demande, la probabilité d'être
    au-dessus de la ligne et l'intervalle de rang à 95 %. `par_evaluateur` : (n, E) totaux
    sur 100 (NaN sans évaluation) ; `montants_recommandes` : (n, années) en cents.

    Vectorisé : les tirages sont un axe numpy ; aucune boucle par demande. Les tirages
    se font par blocs (un million de valeurs : la mémoire reste bornée et les tableaux
    tiennent en cache), répartis sur `fils` fils d'exécution (numpy relâche le verrou de
    l'interpréteur dans ses calculs). Chaque bloc reprend la suite des nombres tirés là où
    le précédent l'a laissée (`PCG64.advance`) : le résultat ne dépend ni de la taille des
    blocs ni du nombre de fils."""
    x = np.asarray(par_evaluateur, dtype=float)
    n, e = x.shape
    if n == 0:
        return pd.DataFrame(columns=["probabilite", "rang_bas", "rang_haut"], dtype=float)
    if graine is None:
        graine = np.random.SeedSequence().entropy
    vus = ~np.isnan(x)
    compte = vus.sum(axis=1)
    # Les totaux de chaque demande tassés à gauche (tassees[d, :compte[d]]), à plat : un
    # tirage de la k-ième évaluation de la demande d se lit en tassees[d * e + k].
    ordre = np.argsort(~vus, axis=1, kind="stable")
    tassees = np.take_along_axis(np.nan_to_num(x), ordre, axis=1).ravel()
    m = np.asarray(montants_recommandes, dtype=np.int64).reshape(n, -1)
    plafonds = np.asarray(list(enveloppes))[: m.shape[1]]
    par_tirage = n * max(e, 1)  # nombres tirés par tirage
    taille = max(1, min(tirages, valeurs_par_bloc // par_tirage))
    echelle = np.maximum(compte, 1).astype(float)[None, :, None]
    debuts = (np.arange(n, dtype=np.int64) * e)[None, :, None]
    utiles = (np.arange(e)[None, :] < compte[:, None]).astype(float)[None]
    diviseur = np.maximum(compte, 1)
    # Les rangs de chaque tirage : 16 bits suffisent jusqu'à 65 535 demandes (100 Mo pour
    # 1 000 tirages de 50 000 demandes, au lieu de 200).
    type_rang = np.uint16 if n < 2**16 else np.int32
    numeros = np.arange(1, n + 1, dtype=type_rang)
    rangs = np.empty((tirages, n), dtype=type_rang)

    def bloc(debut: int) -> np.ndarray:
        """Les tirages [debut, debut + taille) : leurs rangs dans `rangs`, et combien de
        fois chaque demande y est au-dessus de la ligne."""
        t = min(taille, tirages - debut)
        suite = np.random.PCG64(graine)
        suite.advance(debut * par_tirage)  # un nombre de 64 bits par réel tiré
        tires = np.random.Generator(suite).random((t, n, max(e, 1)))[..., :e]
        np.multiply(tires, echelle, out=tires)
        positions = tires.astype(np.int64)  # plancher : les tirages sont positifs
        positions += debuts
        valeurs = tassees.take(positions)
        np.multiply(valeurs, utiles, out=valeurs)
        moyennes = valeurs.sum(axis=2)
        moyennes /= diviseur
        moyennes[:, compte == 0] = -np.inf
        if seuil is not None:
            moyennes[moyennes < seuil - 1e-9] = -np.inf
        # Rang dans chaque tirage (départage stable par la position d'origine).
        tri = np.argsort(-moyennes, axis=1, kind="stable")
        rangs_du_bloc = rangs[debut : debut + t]
        np.put_along_axis(rangs_du_bloc, tri, numeros[None, :], axis=1)
        cumuls = np.cumsum(m[tri], axis=1)  # (t, n, années) dans l'ordre du tirage
        tient = (cumuls <= plafonds[None, None, :]).all(axis=2)
        tient &= np.isfinite(np.take_along_axis(moyennes, tri, 1))
        # Ligne stricte : financées, les demandes classées avant la première qui ne tient
        # pas (ou n'est pas éligible) ; en rang, celles dont le rang ne la dépasse pas.
        premier_refus = np.where(tient.all(axis=1), n, np.argmin(tient, axis=1))
        return (rangs_du_bloc <= premier_refus[:, None]).sum(axis=0)

    departs = range(0, tirages, taille)
    if fils > 1 and len(departs) > 1:
        with ThreadPoolExecutor(max_workers=fils) as executeur:
            dessus = list(executeur.map(bloc, departs))
    else:
        dessus = [bloc(d) for d in departs]
    # Les centiles demande par demande, par tranches : np.percentile copie ce qu'il trie en
    # réels (8 octets la valeur), la tranche et non le tableau entier.
    bas, haut = np.empty(n), np.empty(n)
    largeur = max(1, valeurs_par_bloc // max(tirages, 1))
    for j in range(0, n, largeur):
        bas[j : j + largeur], haut[j : j + largeur] = np.percentile(
            rangs[:, j : j + largeur], [2.5, 97.5], axis=0
        )
    return pd.DataFrame(
        {"probabilite": np.sum(dessus, axis=0) / tirages, "rang_bas": bas, "rang_haut": haut}
    )


def cout_des_cibles(
    table: pd.DataFrame, appel: Appel, *, objectif: str | None = None, **options
) -> pd.DataFrame:
    """Ce que coûte chaque cible : la meilleure sélection sans elle (les autres cibles
    gardées) comparée à celle avec toutes les cibles, selon l'objectif (`optimiser`).

    - « note_montant » : `cout` est la valeur perdue, Σ note × montant sans la cible moins
      avec elle ; `cout_relatif`, sa part de la valeur sans elle.
    - « classement » : `cout` est le nombre de demandes que la cible déplace, choisies sans
      elle et plus avec elle ; `cout_relatif`, leur part des demandes choisies sans elle.

    Zéro : la cible ne contraint rien. Les `options` passent à chaque optimisation."""
    objectif = appel.objectif_selection if objectif is None else objectif
    avec = optimiser(table, appel, objectif=objectif, **options)
    lignes = []
    for cible in appel.cibles:
        autres = [c for c in appel.cibles if c is not cible]
        sans = optimiser(table, appel, objectif=objectif, cibles=autres, **options)
        if objectif == NOTE_MONTANT:
            cout = max(sans.objectif - avec.objectif, 0.0)
            reference = sans.objectif
        else:
            cout = float((sans.choisies & ~avec.choisies).sum())
            reference = float(sans.choisies.sum())
        lignes.append(
            {
                "cible": libelle_cible(appel, cible),
                "cout": cout,
                "cout_relatif": cout / reference if reference else 0.0,
            }
        )
    return pd.DataFrame(lignes, columns=["cible", "cout", "cout_relatif"])


def solidite(
    table: pd.DataFrame,
    notes: pd.DataFrame,
    appel: Appel,
    poids: Mapping[str, float],
    cube=None,
    **options,
) -> pd.DataFrame:
    """Le bootstrap de la ligne de financement sur un classement : probabilité d'être
    au-dessus de la ligne, intervalle de rang, et la « zone grise » (intervalle qui
    franchit le rang de la dernière demande financée). Les demandes hors classement
    n'entrent pas dans les tirages. Une ligne par demande, dans l'ordre du tableau.
    `cube` : les mêmes notes déjà en cube (`Donnees.cube`), dans n'importe quel ordre de
    demandes qui les contient toutes ; sinon il est fait d'après `notes`."""
    from evaluation.decision import notation

    ids = table["demande_id"].astype(int).to_numpy()
    positions = pd.Index(cube.demandes).get_indexer(ids) if cube is not None else None
    if positions is not None and (positions >= 0).all() and cube.criteres == tuple(appel.poids):
        valeurs = cube.notes[positions]
    else:
        valeurs = notation.cube(notes, ids, appel.poids).notes
    p = np.array([poids[cr.id] for cr in appel.criteres], dtype=float)
    par_eval = notation.totaux(valeurs, p, appel.echelle_max)
    classees = (table["statut"] == CLASSE).to_numpy()
    montants_rec = np.column_stack(
        [table[f"recommande_an{a + 1}"].to_numpy(dtype=np.int64) for a in range(_annees(appel))]
    )
    # Seules les demandes classées sont tirées : les autres viendraient, dans chaque tirage,
    # après toutes les classées, sans effet sur la ligne ni sur les rangs (la moitié des
    # demandes d'un gros appel, la moitié du calcul).
    dedans = np.flatnonzero(classees)
    tirees = bootstrap(
        par_eval[dedans],
        montants_rec[dedans],
        appel.financement.enveloppe,
        seuil=appel.seuil_global,
        **options,
    )
    resultat = pd.DataFrame(
        np.nan, index=range(len(table)), columns=["probabilite", "rang_bas", "rang_haut"]
    )
    resultat.iloc[dedans] = tirees.to_numpy()
    financees = classees & (table["financement"] == financement.FINANCE).to_numpy()
    derniere = (
        int(np.nanmax(np.where(financees, table["rang"].astype(float), np.nan)))
        if financees.any()
        else 0
    )
    resultat["zone_grise"] = (
        classees & (resultat["rang_bas"] <= derniere) & (resultat["rang_haut"] > derniere)
    )
    resultat.loc[~classees, ["probabilite", "rang_bas", "rang_haut"]] = np.nan
    resultat.index = table.index
    return resultat


def populations_par_region(municipalites: Iterable) -> dict[str, int]:
    """Habitants de chaque région d'après le répertoire des municipalités."""
    total: dict[str, int] = {}
    for m in municipalites:
        total[m.region_code] = total.get(m.region_code, 0) + int(m.population or 0)
    return total
