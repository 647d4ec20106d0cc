"""Qui demande : le libellé et le nom du demandeur d'une demande, selon le type de demandeur
de l'appel (`[demandeur] type`, issue 18).

Une entité municipale se nomme par sa municipalité (ou sa MRC) ; un organisme par son nom,
son NEQ et son siège. Les colonnes stockées restent `municipalite` et `region` (pour un
organisme : la municipalité et la région de son siège), `organisme` et `neq`. Les pages,
la fiche, le classeur, les lettres et le procès-verbal passent par ici plutôt que d'écrire
« Municipalité » en dur.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from evaluation.appels.configuration import Appel


def _texte(valeur: object) -> str:
    """Le texte d'un champ, tel quel (un classeur le recopie à l'identique) ; vide pour
    None, NaN (cellule vide lue par pandas) ou des espaces seules."""
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return ""
    texte = str(valeur)
    return texte if texte.strip() else ""


@dataclass(frozen=True)
class Demandeur:
    """Le demandeur d'une demande, prêt à afficher.

    `libelle` : « Organisme requérant » ou « Municipalité requérante » ; `nom` : ce qui
    identifie le demandeur dans une liste (nom de l'organisme, ou de la municipalité) ;
    `description` : la phrase complète (« Organisme requérant : X (NEQ …), siège : Rimouski,
    Bas-Saint-Laurent »)."""

    libelle: str
    nom: str
    description: str
    neq: str = ""
    siege: str = ""


def libelle(appel: Appel) -> str:
    """« Organisme requérant » ou « Municipalité requérante »."""
    return "Organisme requérant" if appel.demandeur_organisme else "Municipalité requérante"


def libelle_court(appel: Appel) -> str:
    """L'en-tête d'une colonne de liste : « Organisme » ou « Municipalité »."""
    return "Organisme" if appel.demandeur_organisme else "Municipalité"


def demandeur(appel: Appel, demande: Mapping) -> Demandeur:
    """Le demandeur de `demande` (une ligne de `demandes`, ou un dictionnaire aux mêmes
    clés : organisme, neq, municipalite, region) dans les mots de l'appel."""
    regions = {r.code: r.nom for r in appel.regions}
    municipalite = _texte(demande.get("municipalite"))
    code_region = _texte(demande.get("region"))
    region = regions.get(code_region, code_region)
    if not appel.demandeur_organisme:
        nom = municipalite or "—"
        return Demandeur(libelle(appel), nom, f"{libelle(appel)} : {nom}")
    nom = _texte(demande.get("organisme")) or "—"
    neq = _texte(demande.get("neq"))
    siege = ", ".join(x for x in (municipalite, region) if x)
    texte = f"{libelle(appel)} : {nom}"
    if neq:
        texte += f" (NEQ {neq})"
    if siege:
        texte += f", siège : {siege}"
    return Demandeur(libelle(appel), nom, texte, neq, siege)


def nom(appel: Appel, demande: Mapping) -> str:
    """Le nom du demandeur de `demande` (`Demandeur.nom`) ; vide pour un demandeur inconnu."""
    n = demandeur(appel, demande).nom
    return "" if n == "—" else n


def noms(appel: Appel, demandes: Iterable[Mapping]) -> list[str]:
    """`nom` de chaque demande, dans l'ordre."""
    return [nom(appel, d) for d in demandes]


def colonne_noms(appel: Appel, table) -> list[str]:
    """`noms` pour un DataFrame de demandes : la colonne `organisme` pour un appel
    d'organismes (la municipalité si elle manque à la table), `municipalite` sinon."""
    cle = "organisme" if appel.demandeur_organisme and "organisme" in table else "municipalite"
    if cle not in table:
        return [""] * len(table)
    return [_texte(v) for v in table[cle].tolist()]
