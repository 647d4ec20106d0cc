"""La correspondance des colonnes d'un fichier aux champs du gabarit, décidée par l'analyste
(issue 19, point 7) : quels champs une colonne non reconnue peut désigner, le refus de deux
colonnes pour un même champ, et la forme d'un fichier (l'empreinte de ses en-têtes) sous
laquelle une correspondance est retenue pour le fichier suivant de même forme.

Règles pures : ni lecture de fichier ni base. Une correspondance est un dictionnaire
en-tête du fichier → clé du gabarit ; la clé vide (`IGNOREE`) dit que l'analyste a mis la
colonne de côté (elle l'emporte alors sur une correspondance retenue)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evaluation.appels.configuration import Appel
from evaluation.depot.gabarit import COLONNES_BUDGET, colonnes_demandes
from evaluation.socle.texte import citer, normaliser_entete

if TYPE_CHECKING:
    from evaluation.depot.lecture import Tableau

# La correspondance qui vaut pour tous les fichiers d'un lot (option --colonne de la ligne
# de commande).
TOUS_LES_FICHIERS = "*"
IGNOREE = ""


def empreinte_entetes(entetes: Iterable[object]) -> str:
    """La forme d'un tableau : l'empreinte SHA-256 de l'ensemble de ses en-têtes normalisés
    (sans égard à l'ordre des colonnes, à la casse, aux accents ni aux espaces). Deux exports
    du même système, mois après mois, ont la même ; un en-tête ajouté ou renommé la change."""
    noms = sorted({n for n in (normaliser_entete(e) for e in entetes) if n})
    return hashlib.sha256("\n".join(noms).encode()).hexdigest()


@dataclass(frozen=True)
class Champ:
    """Un champ du gabarit qu'une colonne peut désigner."""

    cle: str
    libelle: str
    obligatoire: bool


def champs_possibles(appel: Appel | None, genre: str = "demandes") -> list[Champ]:
    """Les champs du gabarit de l'appel, obligatoires ou non, dans l'ordre du gabarit : ceux
    d'une feuille de demandes (dimensions de l'appel comprises, sans les colonnes qui ne
    servent pas à l'appel) ou ceux d'une feuille de budget."""
    colonnes = COLONNES_BUDGET if genre == "budget" else colonnes_demandes(appel)
    return [Champ(c.cle, c.entete, c.obligatoire) for c in colonnes]


def relie_du_fichier(
    correspondances: Mapping[str, Mapping[str, str]] | None, fichier: str
) -> Mapping[str, str]:
    """La correspondance faite à la main pour un fichier (celle de tous les fichiers sinon)."""
    correspondances = correspondances or {}
    return correspondances.get(fichier) or correspondances.get(TOUS_LES_FICHIERS) or {}


def _selon_entete(relie: Mapping[str, str]) -> dict[str, str]:
    return {normaliser_entete(e): c for e, c in relie.items()}


def choix_actuel(tableau: Tableau, relie: Mapping[str, str], entete: str) -> str:
    """Le champ que la colonne `entete` désigne maintenant : celui de l'analyste, sinon celui
    de la correspondance retenue appliquée d'avance, sinon aucun (`IGNOREE`)."""
    cle = normaliser_entete(entete)
    manuelles = _selon_entete(relie)
    if cle in manuelles:
        return manuelles[cle]
    return _selon_entete(tableau.memorisee).get(cle, IGNOREE)


def colonnes_a_relier(tableau: Tableau, relie: Mapping[str, str]) -> list[str]:
    """Les colonnes dont l'analyste décide, dans l'ordre du fichier : celles qu'aucun en-tête
    du gabarit ne nomme (mises de côté) et celles qui désignent un champ par sa décision ou
    par une correspondance retenue. Une colonne sans en-tête ne se relie pas (rien ne la
    nommerait au fichier suivant)."""
    decidees = set(_selon_entete(relie)) | set(_selon_entete(tableau.memorisee))
    a_part = {normaliser_entete(e) for e in tableau.entetes_supplementaires}
    vues: set[str] = set()
    resultat = []
    for entete in tableau.entetes:
        cle = normaliser_entete(entete)
        if cle and cle not in vues and (cle in a_part or cle in decidees):
            vues.add(cle)
            resultat.append(entete)
    return resultat


def mises_de_cote(tableau: Tableau) -> list[str]:
    """Les colonnes du tableau qui ne sont lues dans aucun champ (conservées à part, non
    évaluées), telles que le fichier les nomme."""
    return list(tableau.entetes_supplementaires)


def conflit(
    tableau: Tableau,
    relie: Mapping[str, str],
    entete: str,
    cle: str,
    libelles: Mapping[str, str],
) -> str | None:
    """Le refus, en phrase, de relier la colonne `entete` au champ `cle` quand une autre
    colonne du même fichier le désigne déjà (reconnue d'après son en-tête ou reliée) ; None
    si rien ne s'y oppose."""
    if cle == IGNOREE:
        return None
    moi = normaliser_entete(entete)
    autre = None
    for e, c in (*tableau.memorisee.items(), *relie.items()):
        if c == cle and normaliser_entete(e) != moi and choix_actuel(tableau, relie, e) == cle:
            autre = e
    if autre is None and cle in tableau.colonnes:
        # La colonne qui tient le champ à la lecture, sauf si l'analyste l'en a retirée.
        tenant = tableau.colonnes[cle][1]
        decidees = set(_selon_entete(relie)) | set(_selon_entete(tableau.memorisee))
        libere = normaliser_entete(tenant) in decidees and (
            choix_actuel(tableau, relie, tenant) != cle
        )
        if normaliser_entete(tenant) != moi and not libere:
            autre = tenant
    if autre is None:
        return None
    ou = f" (feuille {tableau.feuille})" if tableau.feuille else ""
    libelle = libelles.get(cle, cle)
    # Mettre l'autre colonne de côté n'est un conseil que si la page en offre le choix.
    a_relier = {normaliser_entete(e) for e in colonnes_a_relier(tableau, relie)}
    sinon = (
        f", ou mettez d'abord « {citer(autre)} » de côté"
        if normaliser_entete(autre) in a_relier
        else ""
    )
    return (
        f"{tableau.fichier}{ou} : la colonne « {citer(entete)} » ne peut pas désigner le champ "
        f"« {libelle} », que la colonne « {citer(autre)} » désigne déjà ; un champ ne se lit "
        f"que dans une seule colonne. Choisissez un autre champ pour « {citer(entete)} »"
        f"{sinon}."
    )


def correspondance_du_tableau(tableau: Tableau, relie: Mapping[str, str]) -> dict[str, str]:
    """La correspondance qui a servi à lire le tableau (décisions de l'analyste, puis
    correspondance retenue), réduite à ses colonnes, sans les colonnes mises de côté : ce
    qui est retenu pour le fichier suivant de même forme."""
    resultat = {}
    for entete in tableau.entetes:
        cle = choix_actuel(tableau, relie, entete)
        if cle != IGNOREE:
            resultat[entete] = cle
    return resultat


def a_retenir(
    tableaux: Iterable[Tableau], correspondances: Mapping[str, Mapping[str, str]] | None
) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Empreinte → (en-têtes, correspondance) de chaque tableau lu d'après sa ligne
    d'en-têtes (un formulaire d'une demande n'en a pas) : ce qu'une importation retient.
    Une correspondance vide dit que l'analyste a tout remis de côté (l'ancienne s'efface)."""
    resultat: dict[str, tuple[list[str], dict[str, str]]] = {}
    for tableau in tableaux:
        if tableau.est_formulaire or not tableau.entetes:
            continue
        relie = relie_du_fichier(correspondances, tableau.fichier)
        resultat[tableau.empreinte] = (
            list(tableau.entetes),
            correspondance_du_tableau(tableau, relie),
        )
    return resultat


def valides(
    memoire: Mapping[str, Mapping[str, str]], appel: Appel | None
) -> dict[str, dict[str, str]]:
    """Les correspondances retenues réduites aux champs que le gabarit de l'appel a encore
    (une dimension retirée de l'appel depuis ne désigne plus rien)."""
    cles = {c.cle for g in ("demandes", "budget") for c in champs_possibles(appel, g)}
    return {
        empreinte: {e: c for e, c in relie.items() if c in cles}
        for empreinte, relie in memoire.items()
    }


def decrire(relie: Mapping[str, str], libelles: Mapping[str, str]) -> str:
    """Une correspondance en une ligne : « « A » → « B » ; « C » mise de côté »."""
    return " ; ".join(
        f"« {citer(e)} » mise de côté"
        if c == IGNOREE
        else f"« {citer(e)} » → « {libelles.get(c, c)} »"
        for e, c in relie.items()
    )


def ou(fichier: str, feuille: str) -> str:
    """« export.xlsx (feuille Demandes) », ou le seul nom d'un fichier sans feuille (CSV)."""
    return f"{fichier} (feuille {feuille})" if feuille else fichier
