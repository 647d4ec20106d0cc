"""Lecture des fichiers de demandes (xlsx, xlsm, xls, ods, csv, formulaires d'une demande)
en tableaux canoniques.

Les octets d'un fichier ne sont ouverts que par `classeurs`, dans le processus de lecture
isolé (`lecture_isolee`) : ce module reçoit des grilles de cellules et y repère les tableaux.
Les valeurs restent brutes (texte, nombre, date) : leur conversion et leur validation
appartiennent à `validation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

from evaluation.appels.configuration import Appel
from evaluation.depot import lecture_isolee
from evaluation.depot.classeurs import EXTENSIONS as EXTENSIONS
from evaluation.depot.classeurs import CelluleEnErreur as CelluleEnErreur
from evaluation.depot.classeurs import FichierRefuse as FichierRefuse
from evaluation.depot.classeurs import Limites as Limites
from evaluation.depot.classeurs import lettres_colonne
from evaluation.depot.correspondances import IGNOREE, empreinte_entetes
from evaluation.depot.gabarit import (
    COLONNES_BUDGET,
    COLONNES_DEMANDES,
    COLONNES_ORGANISME,
    RANG_ALIAS,
    cle_entete,
    correspondance_entete,
)
from evaluation.socle.texte import citer, nettoyer, normaliser, normaliser_entete

LIGNES_EXPLOREES = 30
LIGNES_FORMULAIRE = 200
LIMITES = Limites()
MINIMUM_ENTETES = 3


@dataclass
class Tableau:
    """Les enregistrements d'une feuille, sous leurs clés canoniques, avec leur position.

    `genre` vaut « demandes » ou « budget ». Pour un formulaire d'une demande, chaque champ
    est sur sa propre ligne : `lignes_champs` donne la ligne Excel de chaque clé.
    """

    fichier: str
    feuille: str
    genre: str
    ligne_entete: int
    colonnes: dict[str, tuple[int, str]]
    enregistrements: list[dict[str, object]] = field(default_factory=list)
    lignes: list[int] = field(default_factory=list)
    supplementaires: list[dict[str, object]] = field(default_factory=list)
    entetes_supplementaires: list[str] = field(default_factory=list)
    lignes_ignorees: list[tuple[int, str]] = field(default_factory=list)
    lignes_champs: dict[str, int] | None = None
    # Vrai si la feuille porte des cellules #N/A, #REF!... : la validation les cherche alors.
    cellules_en_erreur: bool = False
    # Avertissements sur la structure de la feuille (code, message, colonne) : en-têtes en
    # double, par exemple ; la validation les met au rapport.
    avertissements: list[tuple[str, str, str | None]] = field(default_factory=list)
    # La ligne d'en-têtes telle qu'écrite (cellules non vides) et sa forme
    # (`correspondances.empreinte_entetes`) ; vides pour un formulaire d'une demande.
    entetes: list[str] = field(default_factory=list)
    empreinte: str = ""
    # La correspondance retenue pour les fichiers de cette forme, appliquée d'avance à la
    # lecture (en-tête → clé) : la page la montre, l'analyste peut la changer.
    memorisee: dict[str, str] = field(default_factory=dict)

    @property
    def est_formulaire(self) -> bool:
        return self.lignes_champs is not None

    def emplacement(self, i: int, cle: str | None) -> tuple[int, str]:
        """(ligne Excel, en-tête tel qu'écrit dans le fichier) d'une cellule."""
        entete = self.colonnes[cle][1] if cle in self.colonnes else _entete_canonique(cle)
        if self.lignes_champs is not None:
            return self.lignes_champs.get(cle, self.ligne_entete), entete
        return self.lignes[i], entete


def _entete_canonique(cle: str | None) -> str:
    for colonnes in (COLONNES_DEMANDES, COLONNES_BUDGET, COLONNES_ORGANISME):
        for c in colonnes:
            if c.cle == cle:
                return c.entete
    return cle or ""


@dataclass
class FichierLu:
    nom: str
    format: str
    tableaux: list[Tableau]
    remarques: list[str] = field(default_factory=list)


# --- Octets ---------------------------------------------------------------------------------

_octets = lecture_isolee.octets
Lancee = lecture_isolee.Lancee


# --- Repérage des en-têtes ---------------------------------------------------------------


def _vide(valeur: object) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


RANG_MANUEL = 0

# Pour qu'une feuille soit lue comme un tableau, il faut plus que trois en-têtes reconnus :
# des colonnes qui identifient ce qu'elle contient (un tableau de synthèse « Région, Axe,
# Secteur » n'est pas une liste de demandes).
_IDENTITE = {
    "demandes": ({"no_demande", "municipalite", "titre"}, 2),
    "budget": ({"no_demande", "categorie", "montant"}, 2),
}


Candidates = dict[str, list[tuple[int, int, str]]]
# Les champs d'une feuille de budget, et ceux qu'une feuille de demandes n'a pas (le numéro
# et le titre sont des deux genres).
_CLES_BUDGET = frozenset(c.cle for c in COLONNES_BUDGET)
_CLES_BUDGET_SEULES = _CLES_BUDGET - {"no_demande", "titre"}


def _candidates(
    ligne: list[object], budget: bool, manuelles: Mapping[str, str], appel: Appel | None = None
) -> Candidates:
    """Clé → colonnes qui la désignent, (rang, colonne, en-tête) dans l'ordre de préférence :
    une correspondance faite à la main, puis l'en-tête exact du gabarit, puis un synonyme,
    puis la colonne la plus à gauche."""
    candidates: Candidates = {}
    for j, valeur in enumerate(ligne):
        if not isinstance(valeur, str) or not valeur.strip():
            continue
        entete = nettoyer(valeur)
        manuelle = manuelles.get(normaliser_entete(entete))
        if manuelle == IGNOREE:
            continue  # mise de côté par l'analyste, même si son en-tête est reconnu
        if manuelle is not None and (
            manuelle not in _CLES_BUDGET if budget else manuelle in _CLES_BUDGET_SEULES
        ):
            # Un champ de dépense ne se lit pas dans une feuille de demandes (ni l'inverse) :
            # la correspondance d'un classeur vaut pour sa feuille de ce genre seulement.
            manuelle = None
        trouve = (
            (manuelle, RANG_MANUEL) if manuelle else correspondance_entete(entete, budget, appel)
        )
        if not trouve:
            continue
        cle, rang = trouve
        candidates.setdefault(cle, []).append((rang, j, entete))
    for liste in candidates.values():
        liste.sort()
    return candidates


def _correspondances(
    ligne: list[object], budget: bool, manuelles: Mapping[str, str]
) -> dict[str, tuple[int, str]]:
    """Clé → (colonne, en-tête) de la colonne retenue pour chaque clé (voir `_candidates`)."""
    return {cle: liste[0][1:] for cle, liste in _candidates(ligne, budget, manuelles).items()}


def _meilleur_entete(
    grille: list[list[object]], manuelles: Mapping[str, str], appel: Appel | None = None
) -> tuple[str, int, Candidates] | None:
    meilleur = None
    for i, ligne in enumerate(grille[:LIGNES_EXPLOREES]):
        for genre in ("demandes", "budget"):
            trouvees = _candidates(ligne, genre == "budget", manuelles, appel)
            if len(trouvees) >= MINIMUM_ENTETES and (
                meilleur is None or len(trouvees) > len(meilleur[2])
            ):
                meilleur = (genre, i, trouvees)
    return meilleur


_POURQUOI = {
    RANG_MANUEL: "reliée à la main",
    RANG_ALIAS: "la plus à gauche",
}


def _en_double(cle: str, liste: list[tuple[int, int, str]]) -> tuple[str, str, str | None]:
    """L'avertissement pour plusieurs colonnes qui désignent la même clé : lesquelles, et
    celle qui est lue (les autres restent des colonnes hors gabarit)."""
    rang, j, entete = liste[0]
    colonnes = " et ".join(
        f"{lettres_colonne(k)} « {citer(e)} »" for _, k, e in sorted(liste, key=lambda c: c[1])
    )
    combien = "deux colonnes" if len(liste) == 2 else f"{len(liste)} colonnes"
    if rang == RANG_MANUEL or (len(liste) > 1 and liste[1][0] == rang):
        pourquoi = _POURQUOI.get(rang, "la plus à gauche")
    else:
        pourquoi = "son en-tête est celui du gabarit"
    message = (
        f"{combien} correspondent à « {_entete_canonique(cle)} » : {colonnes}. La colonne "
        f"{lettres_colonne(j)} est lue ({pourquoi}) ; l'autre est conservée à part, sans être "
        "évaluée. Renommez ou supprimez la colonne en trop si ce n'est pas la bonne."
    )
    return "entete_en_double", message, entete


def _est_tableau(genre: str, colonnes: Mapping[str, object]) -> bool:
    """Assez d'en-têtes d'identité, ou assez d'en-têtes tout court : une feuille qui en
    reconnaît six est bien un tableau de demandes, même si son numéro ou son titre porte un
    nom inconnu (la colonne manquante est alors signalée, et peut être reliée à la main)."""
    cles, minimum = _IDENTITE[genre]
    return len(cles & set(colonnes)) >= minimum or len(colonnes) >= 6


def _formulaire(
    grille: list[list[object]], appel: Appel | None = None
) -> dict[str, list[tuple[int, object]]] | None:
    """Un formulaire d'une demande : libellés en colonne A, valeurs en colonne B. Clé →
    (ligne, valeur) de chaque ligne qui la porte ; la première est lue."""
    champs: dict[str, list[tuple[int, object]]] = {}
    for i, ligne in enumerate(grille[:LIGNES_FORMULAIRE]):
        if not ligne or _vide(ligne[0]) or not isinstance(ligne[0], str):
            continue
        cle = cle_entete(nettoyer(ligne[0]), appel=appel)
        if cle:
            champs.setdefault(cle, []).append((i, ligne[1] if len(ligne) > 1 else None))
    return champs if len(champs) >= 5 else None


_MOTS_TOTAL = ("total", "sous total", "grand total", "somme")


def _est_ligne_total(ligne: list[object], identite: list[int]) -> bool:
    """Une ligne de total : un libellé « Total… » et aucune identité de demande ou de dépense.

    Les cellules d'identité (titre, municipalité, catégorie) sont regardées d'abord : une
    vraie demande en a, ce qui évite de normaliser toute la ligne."""
    for j in identite:
        if (
            j < len(ligne)
            and not _vide(ligne[j])
            and not normaliser(ligne[j]).startswith(_MOTS_TOTAL)
        ):
            return False
    return any(isinstance(v, str) and normaliser(v).startswith(_MOTS_TOTAL) for v in ligne)


def _remplies(ligne: list[object]) -> list[int]:
    """Indices des cellules remplies, en s'arrêtant à deux : c'est tout ce qu'on en fait."""
    trouvees = []
    for j, v in enumerate(ligne):
        if v is not None and v != "" and not (isinstance(v, str) and not v.strip()):
            trouvees.append(j)
            if len(trouvees) == 2:
                break
    return trouvees


def _est_note(valeur: object, dans_colonne_numero: bool) -> bool:
    """Une cellule seule sous le tableau : une note (« Source : … »), pas une demande, sauf
    si elle tient dans la colonne des numéros et ressemble à un numéro."""
    if not dans_colonne_numero:
        return True
    return isinstance(valeur, str) and len(valeur.split()) >= 3


def _raison_d_ignorer(
    ligne: list[object], identite: list[int], j_numero: int | None, apres_une_demande: bool
) -> str | None:
    """ "" pour une ligne vide, la raison d'ignorer une ligne, ou None pour un enregistrement."""
    remplies = _remplies(ligne)
    if not remplies:
        return ""
    if _est_ligne_total(ligne, identite):
        return "ligne de total"
    if (
        len(remplies) == 1
        and apres_une_demande
        and _est_note(ligne[remplies[0]], remplies[0] == j_numero)
    ):
        return f"une seule cellule remplie (« {citer(ligne[remplies[0]])} »)"
    return _sans_identite(ligne, identite, j_numero)


def _sans_identite(ligne: list[object], identite: list[int], j_numero: int | None) -> str | None:
    """Pourquoi une ligne n'est pas une demande (ou une dépense), ou None si elle en est une.

    Sans numéro ni titre ni municipalité (ni catégorie), une ligne ne porte que des nombres :
    un total sans libellé, des zéros ou des formules d'un gabarit. Un numéro seul, sans rien
    d'autre que des zéros, est une ligne de gabarit prénumérotée."""
    n = len(ligne)
    if any(j < n and not _vide(ligne[j]) for j in identite):
        return None
    numero = j_numero is not None and j_numero < n and not _vide(ligne[j_numero])
    autres = [
        v
        for j, v in enumerate(ligne)
        if j != j_numero and not _vide(v) and not (isinstance(v, int | float) and v == 0)
    ]
    if not numero:
        return "aucun numéro, titre ni municipalité (total ou formules ?)"
    if not autres:
        return "numéro seul, sans aucune autre donnée (ligne de gabarit prénumérotée ?)"
    return None


def _tableau(
    nom: str,
    feuille: str,
    grille: list[list[object]],
    genre: str,
    i_entete: int,
    colonnes: dict[str, tuple[int, str]],
) -> Tableau:
    entete = grille[i_entete]
    largeur = max((len(ligne) for ligne in grille[i_entete:]), default=0)
    indices_canoniques = {j for j, _ in colonnes.values()}
    vus: dict[str, int] = {}
    supplementaires = []
    for j in range(largeur):
        if j in indices_canoniques:
            continue
        texte = nettoyer(entete[j]) if j < len(entete) and not _vide(entete[j]) else ""
        texte = texte or f"(colonne {lettres_colonne(j)})"
        vus[texte] = vus.get(texte, 0) + 1
        supplementaires.append((j, texte if vus[texte] == 1 else f"{texte} ({vus[texte]})"))
    tableau = Tableau(nom, feuille, genre, i_entete + 1, colonnes)
    j_numero = colonnes.get("no_demande", (None,))[0]
    identite = [
        colonnes[c][0]
        for c in ("titre", "municipalite", "organisme", "categorie", "description")
        if c in colonnes
    ]
    paires = [(cle, j) for cle, (j, _) in colonnes.items()]
    cles = [cle for cle, _ in paires]
    j_max = max(j for _, j in paires)
    # itemgetter lit toutes les cellules retenues d'une ligne en un appel (en C).
    valeurs = itemgetter(*(j for _, j in paires)) if len(paires) > 1 else None
    avec_donnees: set[str] = set()
    j_titre = identite[0] if identite else None
    for i in range(i_entete + 1, len(grille)):
        ligne = grille[i]
        n = len(ligne)
        titre = ligne[j_titre] if j_titre is not None and j_titre < n else None
        ordinaire = (
            isinstance(titre, str)
            and titre.strip()
            and not titre[:16].casefold().lstrip().replace("-", " ").startswith(_MOTS_TOTAL)
            and j_numero is not None
            and j_numero < n
            and not _vide(ligne[j_numero])
        )
        if not ordinaire:  # ligne vide, total, note, ligne sans identité : les cas rares
            raison = _raison_d_ignorer(ligne, identite, j_numero, bool(tableau.enregistrements))
            if raison == "":
                continue
            if raison:
                tableau.lignes_ignorees.append((i + 1, raison))
                continue
        if n > j_max and valeurs is not None:
            tableau.enregistrements.append(dict(zip(cles, valeurs(ligne), strict=True)))
        elif n > j_max:
            tableau.enregistrements.append({cle: ligne[j] for cle, j in paires})
        else:
            tableau.enregistrements.append(
                {cle: (ligne[j] if j < n else None) for cle, j in paires}
            )
        extras = {}
        if supplementaires:
            extras = {e: ligne[j] for j, e in supplementaires if j < n and not _vide(ligne[j])}
            avec_donnees.update(extras)
        tableau.supplementaires.append(extras)
        tableau.lignes.append(i + 1)
    tableau.entetes_supplementaires = [
        e for _, e in supplementaires if e in avec_donnees or not e.startswith("(colonne ")
    ]
    return tableau


def _memorisee(
    entetes: list[str], retenue: Mapping[str, str] | None, manuelles: Mapping[str, str]
) -> dict[str, str]:
    """La part d'une correspondance retenue qui s'applique : ses colonnes présentes dans la
    ligne d'en-têtes dont l'analyste n'a pas décidé autrement (en-tête tel qu'écrit → clé)."""
    if not retenue:
        return {}
    selon = {normaliser_entete(e): c for e, c in retenue.items() if c}
    return {
        e: selon[n] for e in entetes if (n := normaliser_entete(e)) in selon and n not in manuelles
    }


def _tableau_formulaire(nom: str, feuille: str, grille, champs) -> Tableau:
    premiers = {cle: lignes[0] for cle, lignes in champs.items()}
    tableau = Tableau(
        nom,
        feuille,
        "demandes",
        1,
        colonnes={cle: (1, nettoyer(grille[i][0])) for cle, (i, _) in premiers.items()},
        lignes_champs={cle: i + 1 for cle, (i, _) in premiers.items()},
    )
    tableau.enregistrements.append({cle: v for cle, (_, v) in premiers.items()})
    tableau.supplementaires.append({})
    tableau.lignes.append(min(i for i, _ in premiers.values()) + 1)
    for cle, lignes in champs.items():
        if len(lignes) > 1:
            numeros = " et ".join(f"{i + 1} « {citer(grille[i][0])} »" for i, _ in lignes)
            tableau.avertissements.append(
                (
                    "entete_en_double",
                    f"plusieurs lignes du formulaire correspondent à "
                    f"« {_entete_canonique(cle)} » (lignes {numeros}) : la ligne "
                    f"{lignes[0][0] + 1} est lue, les autres ignorées. Supprimez ou "
                    "renommez les lignes en trop.",
                    nettoyer(grille[lignes[0][0]][0]),
                )
            )
    return tableau


def lire_fichier(
    nom: str,
    source: str | Path | bytes | BinaryIO | lecture_isolee.Lancee,
    limites: Limites = LIMITES,
    correspondances: Mapping[str, str] | None = None,
    *,
    appel: Appel | None = None,
    memoire: Mapping[str, Mapping[str, str]] | None = None,
) -> FichierLu:
    """Lit un fichier de demandes ; lève `FichierRefuse` (avec un message) s'il ne peut l'être.

    Chaque feuille visible dont la ligne d'en-têtes identifie des demandes (ou des lignes de
    budget) est lue. `correspondances` associe des en-têtes du fichier à des clés
    canoniques, quand la personne a relié à la main une colonne mal nommée. `appel` : ses
    en-têtes de demande suivent son type de demandeur (`gabarit.colonnes_demandes`).
    `memoire` : empreinte d'une ligne d'en-têtes → correspondance retenue pour les fichiers
    de cette forme, appliquée d'avance là où `correspondances` ne décide pas de la colonne
    (`Tableau.memorisee` dit ce qui l'a été).
    """
    manuelles = {normaliser_entete(e): cle for e, cle in (correspondances or {}).items()}
    # Un CSV n'a pas de feuille : son nom reste vide dans les messages.
    if isinstance(source, Lancee):  # lecture déjà lancée (voir `lecture_isolee.Lancee`)
        genre_fichier, grilles = source.feuilles()
    else:
        contenu = _octets(source, limites, nom)
        genre_fichier, grilles = lecture_isolee.grilles(nom, contenu, limites)
        del contenu

    tableaux: list[Tableau] = []
    remarques: list[str] = []
    employees: set[str] = set()
    premiere = None  # la première feuille, pour un formulaire d'une demande
    # Les feuilles arrivent une à une du processus de lecture : chacune est traitée pendant
    # qu'il lit la suivante.
    for feuille, grille, en_erreur_feuille in grilles:
        if premiere is None:
            # Un formulaire ne se cherche que dans ses 200 premières lignes (`_formulaire`) :
            # la feuille entière n'a pas à rester en mémoire pour lui.
            premiere = (feuille, grille[:LIGNES_FORMULAIRE], en_erreur_feuille)
        repere = _meilleur_entete(grille, manuelles, appel)
        if repere is None:
            continue
        genre, i_entete, candidates = repere
        noms = [nettoyer(v) for v in grille[i_entete] if isinstance(v, str) and v.strip()]
        empreinte = empreinte_entetes(noms)
        memorisee = _memorisee(noms, (memoire or {}).get(empreinte), manuelles)
        if memorisee:
            ajout = {normaliser_entete(e): c for e, c in memorisee.items()}
            avec = _meilleur_entete(grille, manuelles | ajout, appel)
            if avec is not None and avec[1] == i_entete:  # la même ligne d'en-têtes
                genre, _, candidates = avec
            else:
                memorisee = {}
        colonnes = {cle: liste[0][1:] for cle, liste in candidates.items()}
        if not _est_tableau(genre, colonnes):
            entetes = ", ".join(citer(e) for _, e in colonnes.values())
            quoi = "dépenses" if genre == "budget" else "demandes"
            remarques.append(
                f"Feuille « {feuille} » ignorée : ses en-têtes ({entetes}) ne suffisent pas à "
                f"identifier des {quoi}."
            )
            continue
        employees.update(normaliser_entete(e) for liste in candidates.values() for *_, e in liste)
        tableau = _tableau(nom, feuille, grille, genre, i_entete, colonnes)
        tableau.cellules_en_erreur = en_erreur_feuille
        tableau.entetes, tableau.empreinte, tableau.memorisee = noms, empreinte, memorisee
        tableau.avertissements.extend(
            _en_double(cle, liste) for cle, liste in candidates.items() if len(liste) > 1
        )
        tableaux.append(tableau)

    if not any(t.genre == "demandes" for t in tableaux) and premiere is not None:
        feuille, grille, en_erreur_feuille = premiere
        champs = _formulaire(grille, appel)
        if champs:
            formulaire = _tableau_formulaire(nom, feuille, grille, champs)
            formulaire.cellules_en_erreur = en_erreur_feuille
            tableaux = [t for t in tableaux if t.feuille != feuille]
            tableaux.insert(0, formulaire)
            numero = formulaire.enregistrements[0].get("no_demande")
            for t in tableaux:
                if t.genre == "budget" and "no_demande" not in t.colonnes and not _vide(numero):
                    # La feuille Budget d'un formulaire se rattache à son unique demande.
                    t.colonnes["no_demande"] = (-1, "(numéro du formulaire)")
                    for e in t.enregistrements:
                        e["no_demande"] = numero

    for entete, cle in (correspondances or {}).items():
        if cle != IGNOREE and normaliser_entete(entete) not in employees:
            remarques.append(
                f"Correspondance « {citer(entete)} » → {cle} sans effet : aucun en-tête de ce nom."
            )
    tableaux.sort(key=lambda t: t.genre != "demandes")
    if not tableaux:
        raise FichierRefuse(
            nom,
            "tableau_introuvable",
            f"{nom} : aucun tableau de demandes reconnu. La ligne d'en-têtes doit porter les "
            "noms de colonnes du gabarit (No de demande, Municipalité requérante, Titre du "
            "projet...) ; téléchargez le gabarit depuis la page Importation.",
        )
    if all(not t.enregistrements for t in tableaux):
        raise FichierRefuse(
            nom, "fichier_vide", f"{nom} : aucune demande (le tableau n'a que sa ligne d'en-têtes)."
        )
    return FichierLu(nom, genre_fichier, tableaux, remarques)


def lire_feuilles(
    nom: str, source: str | Path | bytes | BinaryIO, limites: Limites = LIMITES
) -> list[tuple[str, list[list[object]]]]:
    """(nom de feuille, lignes) de chaque feuille visible, avec les mêmes contrôles de sûreté
    que les fichiers de demandes ; pour les autres classeurs (grilles de notes)."""
    _, grilles = lecture_isolee.grilles(nom, _octets(source, limites, nom), limites)
    return [(f, g) for f, g, _ in grilles]
