"""Le classeur Excel du comité : classement, budget, répartitions avec graphiques, suivi des
conventions (issue 17), évaluations (administration et présidence seulement) et paramètres,
bâti en mémoire ; chaque feuille s'imprime en paysage sur papier Lettre (`_page`).

Écrit par xlsxwriter : deux fois plus rapide qu'openpyxl pour la même mise en forme
(benchmarks/exportation.py). Chaque tableau est écrit colonne par colonne, un format par
colonne (`ecrire_colonne`), à partir des colonnes des tables plutôt que de leurs lignes :
5 000 demandes × 15 évaluateurs (1,4 million de cellules) s'écrivent en 1,2 à 1,35 fois le
temps d'une écriture xlsxwriter des mêmes cellules sans aucun format. Le mode
`constant_memory` d'xlsxwriter ne sert pas ici : il refuse les tableaux (add_table).

Aucun texte venu des données ne peut devenir une formule : tout texte est écrit comme
chaîne (write_string), et celui que la neutralisation juge dangereux
(evaluation/sorties/neutralisation.py : = + - @ en tête, pleine chasse comprise, tabulation,
retour chariot) porte en plus le préfixe d'apostrophe (quotePrefix) que les tableurs
affichent sans l'évaluer.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_range

from evaluation.appels import demandeur, reglages
from evaluation.appels.configuration import Appel, lecture_annees_financieres
from evaluation.decision import classement as regles
from evaluation.decision import consensus, financement, portefeuille, suivi_financier
from evaluation.depot.gabarit import libelles_champs
from evaluation.notes.fiche import libelle_secteur
from evaluation.socle.champs import CHAMPS_FORMULAIRE
from evaluation.socle.formats import DECIMALES_NOTES, date_heure, pluriel, reglage
from evaluation.socle.formats import date as date_lisible
from evaluation.sorties.neutralisation import (
    dangereux,
    texte_pour_classeur,
    textes_pour_classeur,
)
from evaluation.sorties.tableaux import libelles_dimension

FORMAT_MONTANT = '#,##0 "$"'  # l'espace des milliers vient de la langue du tableur
# Les notes avec les décimales de tout le projet (formats.DECIMALES_NOTES) : Excel arrondit
# l'affichage la moitié vers le haut, comme formats.note, pourvu que la valeur écrite n'ait
# pas de bruit de flottant (95,12499999999999 pour 95,125) : voir `_note_sans_bruit`.
FORMAT_NOTE = "0." + "0" * DECIMALES_NOTES
FORMAT_PART = "0.0 %"
VERT, ORANGE, GRIS = "E2EFDA", "FCE4D6", "EDEDED"
ROUGE_LIGNE = "C00000"
OPTIONS_CLASSEUR = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


def nom_fichier(appel: Appel, jour: dt.date) -> str:
    """« paivmq-2023-2024_classement_2026-11-24.xlsx »."""
    return f"{appel.id}_classement_{jour.isoformat()}.xlsx"


class Formats:
    """Les formats xlsxwriter d'un classeur, créés une fois par combinaison."""

    def __init__(self, livre):
        self._livre = livre
        self._deja: dict[tuple, object] = {}

    def __call__(
        self,
        nombre: str | None = None,
        *,
        prefixe: bool = False,
        gras: bool = False,
        trait: bool = False,
        **autres,
    ):
        cle = (nombre, prefixe, gras, trait, tuple(sorted(autres.items())))
        if cle == (None, False, False, False, ()):
            return None
        if cle not in self._deja:
            proprietes = dict(autres)
            if nombre:
                proprietes["num_format"] = nombre
            if prefixe:
                proprietes["quote_prefix"] = True
            if gras:
                proprietes["bold"] = True
            if trait:
                proprietes |= {"bottom": 5, "bottom_color": f"#{ROUGE_LIGNE}"}
            self._deja[cle] = self._livre.add_format(proprietes)
        return self._deja[cle]


def valeur_de_cellule(valeur):
    """Ce qu'une cellule reçoit : None pour les vides (NaN, NA), types Python pour numpy,
    textes ramenés à ce qu'un classeur accepte (`neutralisation.texte_pour_classeur`)."""
    if valeur is None or valeur is pd.NA or (isinstance(valeur, float) and np.isnan(valeur)):
        return None
    if isinstance(valeur, np.bool_ | bool):
        return bool(valeur)
    if isinstance(valeur, np.integer):
        return int(valeur)
    if isinstance(valeur, np.floating):
        return None if np.isnan(valeur) else float(valeur)
    if isinstance(valeur, str):
        return texte_pour_classeur(valeur)
    return valeur


def ecrire(
    feuille,
    formats: Formats,
    ligne: int,
    colonne: int,
    valeur,
    nombre: str | None = None,
    *,
    gras: bool = False,
    trait: bool = False,
) -> None:
    """Écrit une valeur en (ligne, colonne), comptées à partir de 0 comme xlsxwriter ; un
    texte reste du texte, préfixé s'il commence comme une formule."""
    valeur = valeur_de_cellule(valeur)
    if valeur is None or valeur == "":
        if trait:
            feuille.write_blank(ligne, colonne, None, formats(trait=True))
    elif isinstance(valeur, str):
        feuille.write_string(
            ligne, colonne, valeur, formats(prefixe=dangereux(valeur), gras=gras, trait=trait)
        )
    elif isinstance(valeur, bool):
        feuille.write_boolean(ligne, colonne, valeur, formats(gras=gras, trait=trait))
    else:
        feuille.write_number(ligne, colonne, valeur, formats(nombre, gras=gras, trait=trait))


def colonne_de_cellules(brutes: Iterable) -> list:
    """`valeur_de_cellule` sur toute une colonne, le texte vide compté comme vide (None) :
    ce que `ecrire` écrirait, cellule par cellule, sans en payer l'aiguillage. Les textes
    sont ramenés en bloc à ce qu'un classeur accepte (`textes_pour_classeur`)."""
    sortie: list = []
    textes: list[int] = []
    for v in brutes:
        genre = v.__class__
        if genre is float:
            sortie.append(None if v != v else v)
        elif genre is str:
            if v:
                textes.append(len(sortie))
            sortie.append(v or None)
        elif genre is int or v is None:
            sortie.append(v)
        else:
            v = valeur_de_cellule(v)
            sortie.append(None if v == "" else v)
    originaux = [sortie[i] for i in textes]
    nettoyes = textes_pour_classeur(originaux)
    if nettoyes is not originaux:
        for i, texte in zip(textes, nettoyes, strict=True):
            sortie[i] = texte or None
    return sortie


def ecrire_colonne(
    feuille, formats: Formats, ligne: int, colonne: int, valeurs: list, nombre: str | None
) -> None:
    """Écrit `valeurs` (de `colonne_de_cellules`) vers le bas à partir de (ligne, colonne),
    avec un format par colonne : le même résultat que `ecrire` sur chaque cellule. Un texte
    reste du texte (write_string), préfixé s'il commence comme une formule ; les vides ne
    sont pas écrits."""
    texte, nombre_, booleen = feuille.write_string, feuille.write_number, feuille.write_boolean
    # Créés au premier usage, comme `ecrire` le ferait : pas de format inutilisé.
    format_nombre = formats(nombre) if any(map(_est_nombre, valeurs)) else None
    if nombre == FORMAT_NOTE:
        valeurs = [_note_sans_bruit(v) for v in valeurs]
    for i, v in enumerate(valeurs, ligne):
        if v is None:
            continue
        genre = v.__class__
        if genre is str:
            if dangereux(v):
                texte(i, colonne, v, formats(prefixe=True))
            else:
                texte(i, colonne, v)
        elif genre is bool:
            booleen(i, colonne, v)
        else:
            nombre_(i, colonne, v, format_nombre)


def _note_sans_bruit(v):
    """Une note ramenée à 9 décimales (comme le classement la compare) : l'affichage
    d'Excel à deux décimales donne alors celui de formats.note."""
    return round(v, 9) if v.__class__ is float else v


def _est_nombre(v) -> bool:
    return v is not None and v.__class__ is not str and v.__class__ is not bool


def _dollars(cents) -> float | None:
    if cents is None or cents is pd.NA or (isinstance(cents, float) and np.isnan(cents)):
        return None
    return int(cents) / 100


def en_tetes_uniques(titres: Iterable[str]) -> list[str]:
    """Un tableau Excel exige des en-têtes distincts (sans égard à la casse) : le deuxième
    « Qualité » devient « Qualité (2) »."""
    vus: set[str] = set()
    sortie = []
    for titre in titres:
        candidat, n = titre, 1
        while candidat.casefold() in vus:
            n += 1
            candidat = f"{titre} ({n})"
        vus.add(candidat.casefold())
        sortie.append(candidat)
    return sortie


def largeurs(en_tetes: list[str], colonnes: list[list]) -> list[int]:
    """La largeur de chaque colonne (en caractères) : son plus long contenu parmi les 500
    premières valeurs, de 8 à 60."""
    sortie = []
    for j, titre in enumerate(en_tetes):
        longueur = max(
            [len(str(titre))]
            + [
                len(f"{v:,.0f}") + 2 if isinstance(v, int | float) else len(str(v or ""))
                for v in colonnes[j][:500]
            ]
        )
        sortie.append(min(max(longueur + 2, 8), 60))
    return sortie


def _largeurs(feuille, en_tetes: list[str], colonnes: list[list]) -> None:
    for j, largeur in enumerate(largeurs(en_tetes, colonnes)):
        feuille.set_column(j, j, largeur)


def en_colonnes(lignes: list[list], largeur: int) -> list[list]:
    """Les colonnes d'une liste de lignes (autant de colonnes vides que `largeur` si aucune)."""
    return [list(c) for c in zip(*lignes, strict=True)] if lignes else [[] for _ in range(largeur)]


def ajouter_tableau(feuille, haut: int, fin: int, derniere_colonne: int, options: dict) -> None:
    """`feuille.add_table(haut, 0, fin, derniere_colonne, options)`, sans le contrôle de
    chevauchement cellule par cellule d'xlsxwriter : il inscrit chaque cellule du tableau
    dans un dictionnaire (1,1 million pour la feuille Évaluations à 5 000 × 15 : une
    seconde et 150 Mo). Le tableau est déclaré sur ses deux premières lignes, puis sa plage
    (et celle de son filtre) étendue jusqu'à `fin` ; le chevauchement est vérifié tableau
    par tableau. Même XML qu'add_table (test) tant que le tableau n'a ni ligne de total, ni
    données, ni formules, ce que `_tableau` n'utilise pas."""
    if options.keys() - {"name", "style", "columns"}:
        raise ValueError(f"options de tableau non prévues : {sorted(options)}")
    for existant in feuille.tables:
        debut, bout = existant["range"].split(":")
        (r0, _), (r1, _) = xl_cell_to_rowcol(debut), xl_cell_to_rowcol(bout)
        if r0 <= fin and haut <= r1:  # tous commencent en colonne A
            raise ValueError(f"le tableau {options.get('name')} chevauche {existant['name']}")
    if feuille.add_table(haut, 0, min(fin, haut + 1), derniere_colonne, options) != 0:
        raise ValueError(f"tableau {options.get('name')} refusé par xlsxwriter")
    tableau = feuille.tables[-1]
    plage = xl_range(haut, 0, fin, derniere_colonne)
    tableau["range"] = tableau["a_range"] = plage
    if "autofilter" in tableau:
        tableau["autofilter"] = plage


def _tableau(
    feuille,
    formats: Formats,
    nom: str,
    en_tetes: list[str],
    colonnes: list[list],
    nombres: dict,
    haut: int,
    trait: int | None = None,
    entetes_a_la_ligne: bool = False,
) -> int:
    """En-têtes en ligne `haut` (comptée de 0), `colonnes` dessous (une liste de valeurs par
    en-tête), un tableau Excel avec filtres ; `trait` : l'indice de la ligne soulignée en
    rouge. Écrit colonne par colonne, un format par colonne. Renvoie la dernière ligne.
    `entetes_a_la_ligne` : les en-têtes vont à la ligne (sur deux lignes) et les colonnes
    prennent la largeur de leurs valeurs, plus étroites à l'impression."""
    for j, brutes in enumerate(colonnes):
        valeurs = colonne_de_cellules(brutes)
        ecrire_colonne(feuille, formats, haut + 1, j, valeurs, nombres.get(en_tetes[j]))
    if trait is not None:
        for j, brutes in enumerate(colonnes):
            ecrire(
                feuille,
                formats,
                haut + 1 + trait,
                j,
                brutes[trait],
                nombres.get(en_tetes[j]),
                trait=True,
            )
    n = len(colonnes[0]) if colonnes else 0
    fin = haut + max(n, 1)
    ajouter_tableau(
        feuille,
        haut,
        fin,
        len(en_tetes) - 1,
        {
            "name": nom,
            "style": "Table Style Light 9",
            # Un en-tête vient aussi des données (libellé d'un critère) : marqué comme texte
            # s'il commence comme une formule, comme toute autre cellule.
            "columns": [
                {
                    "header": t,
                    "header_format": formats(
                        gras=True,
                        prefixe=dangereux(t),
                        **({"text_wrap": True, "valign": "bottom"} if entetes_a_la_ligne else {}),
                    ),
                }
                for t in en_tetes
            ],
        },
    )
    if entetes_a_la_ligne:
        # Le plus long mot de l'en-tête, pas l'en-tête entier : il va à la ligne.
        mots = [max(t.split(), key=len) for t in en_tetes]
        for j, largeur in enumerate(largeurs(mots, colonnes)):
            feuille.set_column(j, j, largeur)
        feuille.set_row(haut, 2 * HAUTEUR_LIGNE)
    else:
        _largeurs(feuille, en_tetes, colonnes)
    return fin


def _titre(feuille, formats: Formats, texte: str, sous_titre: str = "") -> None:
    for ligne, contenu, style in (
        (0, texte, {"gras": True, "font_size": 14}),
        (1, sous_titre, {"italic": True, "font_color": "#555555"}),
    ):
        if contenu:
            contenu = texte_pour_classeur(contenu)
            feuille.write_string(ligne, 0, contenu, formats(prefixe=dangereux(contenu), **style))


# Le dépôt face à la date limite (depot.echeance) : la date, l'état, les jours de retard.
COLONNES_DEPOT = ("Date de dépôt", "Dépôt", "Retard (jours)")
# Chaque source du montage financier pour elle-même, en part du coût total : « une
# contribution du demandeur ou la présence de cofinancement est attendue », et « Si les
# projets ont reçu un financement externe, cela représente un atout. »
COLONNES_PARTS = {
    "Part contribution du demandeur": "part_financement_propre",
    "Part financement externe": "part_financement_externe",
}


def colonnes_depot(table: pd.DataFrame) -> list[list]:
    """Les colonnes COLONNES_DEPOT d'un classement : date (« 1er avril 2024 », comme les
    pages ; « (présumée) » quand c'est celle de l'importation), « à temps », « 3 jours de
    retard »…, jours de retard."""
    n = len(table)
    dates = table["date_depot"].tolist() if "date_depot" in table else [None] * n
    presumees = (
        table["date_depot_presumee"].tolist() if "date_depot_presumee" in table else [None] * n
    )
    textes = [
        None
        if v is None or pd.isna(v)
        else date_lisible(pd.Timestamp(v).date()) + (" (présumée)" if p is True or p == 1 else "")
        for v, p in zip(dates, presumees, strict=True)
    ]
    etats = table["depot"].tolist() if "depot" in table else [""] * n
    retards = table["retard_depot"].tolist() if "retard_depot" in table else [None] * n
    return [textes, etats, [None if pd.isna(r) else int(r) for r in retards]]


def _part(valeur) -> float | None:
    return None if valeur is None or pd.isna(valeur) else float(valeur)


RANG_APPEL = "Rang (pondérations de l'appel)"
ECART = "Écart à la recommandation"


def colonnes_classement(appel: Appel, table: pd.DataFrame) -> tuple[list[str], list[list], dict]:
    """(en-têtes, colonnes, formats par en-tête) de la feuille Classement : une liste de
    valeurs par en-tête, tirée de la colonne de `table` plutôt que ligne par ligne."""
    annees = financement.nombre_annees(appel)
    # En-têtes courts (« Pertinence ») : les libellés complets sont dans Paramètres.
    courts = [c.libelle.split(" ")[0] for c in appel.criteres]
    # Les poids ont changé après la notation : le rang sous les pondérations de l'appel
    # reste à côté du rang officiel.
    rang_appel = "rang_appel" in table and not table["rang_appel"].equals(
        table["rang"].astype("Int64")
    )
    en_tetes = ["Rang", *([RANG_APPEL] if rang_appel else [])]
    # Le demandeur dans les mots de l'appel (`appels.demandeur`) : « Organisme » et son NEQ,
    # ou « Municipalité ».
    organisme = appel.demandeur_organisme
    en_tetes += ["No de demande", "Titre", demandeur.libelle_court(appel)]
    en_tetes += [*(["NEQ"] if organisme else []), "Région"]
    # L'axe et le secteur si l'appel en a, puis une colonne par dimension déclarée (ses
    # libellés joints par « ; ») : un appel sans axes ni secteurs n'a que ses dimensions.
    classification = (["Axe"] if appel.axes else []) + (["Secteur"] if appel.secteurs else [])
    classification += [d.libelle for d in appel.dimensions]
    en_tetes += classification
    debut_criteres = len(en_tetes)
    en_tetes += courts
    # « Total » : la note qui classe ([classement] note_retenue) ; celle des évaluateurs et
    # celle du consensus à côté (issue 16).
    note_evaluateurs = consensus.libelle_note_evaluateurs(appel)
    en_tetes += ["Total", note_evaluateurs, consensus.NOTE_DE_CONSENSUS]
    en_tetes += ["Évaluations", "Écart-type", "À discuter", "Statut"]
    en_tetes += [*COLONNES_DEPOT, *COLONNES_PARTS]
    for a in range(1, annees + 1):
        en_tetes += [
            f"Demandé an {a}",
            f"Non admissible an {a}",
            f"À confirmer an {a}",
            f"Admissible an {a}",
            f"Recommandé an {a}",
            f"Accordé an {a}",
            f"Cumul an {a}",
        ]
    # Issue 17 : ce que le comité inscrit est sa recommandation ; la décision du ministère
    # est à côté (`classement.colonnes_ministere`).
    en_tetes += ["Bonification", "Recommandation du comité", "Justification du comité", ECART]
    en_tetes += ["Décision du ministère"]
    en_tetes += [f"Ministère an {a}" for a in range(1, annees + 1)]
    en_tetes += ["Raison du ministère", "Autorité", "Date de la décision du ministère"]
    en_tetes = en_tetes_uniques(en_tetes)
    titres_criteres = en_tetes[debut_criteres : debut_criteres + len(courts)]
    regions = {r.code: r.nom for r in appel.regions}

    def colonne(nom: str) -> list:
        return table[nom].tolist() if nom in table else [None] * len(table)

    def entier(valeurs: list) -> list:
        return [None if pd.isna(v) else int(v) for v in valeurs]

    colonnes = [
        entier(table["rang"].tolist()),
        *([entier(table["rang_appel"].tolist())] if rang_appel else []),
        table["no_demande"].tolist(),
        [v or "" for v in colonne("titre")],
        demandeur.colonne_noms(appel, table),
        *([[v or "" for v in colonne("neq")]] if organisme else []),
        [regions.get(v, v or "") for v in colonne("region")],
    ]
    if appel.axes:
        colonnes.append(entier(colonne("axe")))
    if appel.secteurs:
        valeurs = colonne("secteur")
        secteurs = {s: libelle_secteur(appel, s) for s in dict.fromkeys(valeurs)}
        colonnes.append([secteurs[v] for v in valeurs])
    colonnes += [
        [libelles_dimension(appel, d.id, ids, vide="") for ids in colonne(f"dimension:{d.id}")]
        for d in appel.dimensions
    ]
    colonnes += [table[f"note:{c.id}"].tolist() for c in appel.criteres]
    totaux_consensus = colonne("total_consensus")
    colonnes += [
        table["total"].tolist(),
        table["total_evaluateurs"].tolist() if "total_evaluateurs" in table else colonne("total"),
        [
            float(v) if v is not None and not pd.isna(v) else consensus.texte_consensus(None, c)
            for v, c in zip(
                totaux_consensus,
                table["note_classee"].tolist() if "note_classee" in table else [""] * len(table),
                strict=True,
            )
        ],
        [int(v) for v in table["n_evaluations"].tolist()],
        table["ecart_type_total"].tolist(),
        ["à discuter" if v else "" for v in table["a_discuter"].tolist()],
        [
            f if s == regles.CLASSE else s
            for s, f in zip(table["statut"].tolist(), table["financement"].tolist(), strict=True)
        ],
    ]
    colonnes += colonnes_depot(table)
    colonnes += [[_part(v) for v in colonne(cle)] for cle in COLONNES_PARTS.values()]
    for a in range(1, annees + 1):
        colonnes.append([_dollars(v) for v in colonne(f"montant_demande_an{a}")])
        # Non admissible : dépenses non admissibles et excédent du plafond des visas.
        colonnes.append(
            [
                None if pd.isna(n) else _dollars(int(n) + int(0 if pd.isna(x) else x))
                for n, x in zip(
                    colonne(f"non_admissible_an{a}"), colonne(f"exces_plafond_an{a}"), strict=True
                )
            ]
        )
        for nom in ("a_confirmer", "admissible", "recommande", "accorde", "cumul"):
            colonnes.append([_dollars(v) for v in colonne(f"{nom}_an{a}")])
    colonnes += [
        [_dollars(v) for v in colonne("bonification")],
        [v or "" for v in colonne("decision")],
        [v or "" for v in colonne("justification")],
        # Issue 16 : une décision « retenu » dont le montant n'est plus la recommandation.
        financement.mentions_d_ecart(table, annees),
        [v or "" for v in colonne("decision_ministere")],
    ]
    colonnes += [[_dollars(v) for v in colonne(f"ministere_an{a}")] for a in range(1, annees + 1)]
    colonnes += [
        [v or "" for v in colonne("raison_ministere")],
        [v or "" for v in colonne("autorite_ministere")],
        [
            "" if v is None or pd.isna(v) else date_lisible(pd.Timestamp(v).date())
            for v in colonne("date_ministere")
        ],
    ]
    formats = {t: FORMAT_NOTE for t in titres_criteres}
    formats.update({"Total": FORMAT_NOTE, "Écart-type": FORMAT_NOTE, "Retard (jours)": "0"})
    formats.update({note_evaluateurs: FORMAT_NOTE, consensus.NOTE_DE_CONSENSUS: FORMAT_NOTE})
    formats.update(dict.fromkeys(COLONNES_PARTS, FORMAT_PART))
    formats.update(
        {
            t: FORMAT_MONTANT
            for t in en_tetes
            if t.split(" an ")[0]
            in (
                "Demandé",
                "Non admissible",
                "À confirmer",
                "Admissible",
                "Recommandé",
                "Accordé",
                "Cumul",
                "Bonification",
                "Ministère",
            )
        }
    )
    return en_tetes, colonnes, formats


def lignes_classement(appel: Appel, table: pd.DataFrame) -> tuple[list[str], list[list], dict]:
    """(en-têtes, lignes, formats par en-tête) de la feuille Classement, pour un écrivain
    qui va ligne par ligne (openpyxl dans benchmarks/exportation.py)."""
    en_tetes, colonnes, formats = colonnes_classement(appel, table)
    return en_tetes, [list(ligne) for ligne in zip(*colonnes, strict=True)], formats


def _feuille_classement(livre, formats, appel: Appel, table: pd.DataFrame, jour, poids) -> None:
    feuille = livre.add_worksheet(CLASSEMENT)
    en_tetes, colonnes, nombres = colonnes_classement(appel, table)
    _titre(
        feuille,
        formats,
        f"Classement — {appel.nom_court} — {date_lisible(jour)}",
        "Poids : "
        + ", ".join(f"{c.libelle.split(' ')[0]} {reglage(poids[c.id])}" for c in appel.criteres)
        + f" ; seuil {reglage(appel.seuil_global)} / 100",
    )
    haut = 3  # ligne 4 d'Excel
    financees = np.flatnonzero((table["financement"] == financement.FINANCE).to_numpy())
    derniere = int(financees[-1]) if len(financees) else None
    fin = _tableau(feuille, formats, "Classement", en_tetes, colonnes, nombres, haut, derniere)
    feuille.freeze_panes(haut + 1, 2)
    _replier_les_details(feuille, formats, en_tetes, colonnes, haut)
    mise_en_page(feuille, appel, CLASSEMENT, haut, fin, len(en_tetes) - 1, jour)
    colonne_statut = xl_col_to_name(en_tetes.index("Statut"))
    couleurs = [(financement.FINANCE, VERT), (financement.ATTENTE, ORANGE)]
    couleurs += [(t, GRIS) for t in (regles.SOUS_SEUIL, regles.NON_EVALUE, regles.INADMISSIBLE)]
    for texte, couleur in couleurs:
        feuille.conditional_format(
            haut + 1,
            0,
            fin,
            len(en_tetes) - 1,
            {
                "type": "formula",
                "criteria": f'=${colonne_statut}{haut + 2}="{texte}"',
                "format": formats(bg_color=f"#{couleur}"),
            },
        )
    if derniere is not None:
        rang = int(table.iloc[derniere]["rang"])
        ligne_excel = haut + 2 + derniere
        feuille.write_string(
            2, 0, f"Ligne de financement sous la ligne {ligne_excel} (rang {rang})."
        )


# --- Impression (issue 17, point 5) ------------------------------------------------------
# Papier Lettre (8½ × 11 po, code 1 d'Excel), pas A4 : c'est le format du papier de bureau au
# Québec et au Canada (l'administration québécoise imprime en format lettre ; l'A4 y est
# rare) ; paysage, toute la largeur de la zone d'impression sur une page, autant de pages en
# hauteur qu'il faut ; les en-têtes du tableau répétés en haut de chaque page ; le nom de
# l'appel en en-tête et « Page n de N » en pied de page.
PAPIER_LETTRE = 1
CLASSEMENT, SUIVI = "Classement", "Suivi des conventions"
MARGES = {"left": 0.4, "right": 0.4, "top": 0.75, "bottom": 0.6}  # pouces
# Ce que la feuille Classement imprime (et montre dépliée) : qui, où, la note qui classe, le
# statut, les montants recommandés et accordés, la décision. Le reste (notes par critère,
# dispersion, dépôt, montage financier, détail des montants admissibles, justification) est
# replié en groupes de colonnes (« + » au-dessus des en-têtes) : replié, il ne s'imprime pas.
# 43 colonnes sur une largeur de page se liraient à 25 % ; les 15 gardées, vers 65 %.
COLONNES_IMPRIMEES = (
    "Rang",
    RANG_APPEL,
    "No de demande",
    "Titre",
    "Municipalité",
    "Organisme",
    "NEQ",
    "Région",
    "Axe",
    "Secteur",
    "Total",
    "Statut",
    "Recommandé an ",
    "Accordé an ",
    "Recommandation du comité",
    "Décision du ministère",
    "Ministère an ",
)
# Largeur maximale (caractères) à l'impression des colonnes de texte long, renvoyé à la ligne.
LARGEURS_IMPRIMEES = {
    "Titre": 38,
    "Municipalité": 20,
    "Organisme": 24,
    "Région": 20,
    "Secteur": 22,
}
NOTE_REPLIEES = (
    "Colonnes de détail repliées : « + » au-dessus des en-têtes pour les afficher ; "
    "repliées, elles ne s'impriment pas."
)


def imprimee(titre: str) -> bool:
    """Vrai pour une colonne du Classement gardée dépliée et imprimée."""
    return any(titre == c or (c.endswith(" ") and titre.startswith(c)) for c in COLONNES_IMPRIMEES)


def _replier_les_details(feuille, formats: Formats, en_tetes, colonnes, haut: int) -> None:
    """Les colonnes qui ne sont pas dans COLONNES_IMPRIMEES, en groupes repliés (niveau 1,
    cachés) : une ligne de sommaire à droite porte le « + » de chaque groupe. Les colonnes
    de texte long gardées sont plafonnées en largeur et renvoyées à la ligne."""
    tailles = largeurs(en_tetes, colonnes)
    renvoi = formats(text_wrap=True)
    renvoyees = {}
    for j, titre in enumerate(en_tetes):
        if not imprimee(titre):
            feuille.set_column(j, j, tailles[j], None, {"level": 1, "hidden": True})
            continue
        plafond = LARGEURS_IMPRIMEES.get(titre)
        long = plafond is not None and tailles[j] > plafond
        # La colonne qui suit un groupe replié porte son « + » (collapsed).
        apres_groupe = {"collapsed": True} if j > 0 and not imprimee(en_tetes[j - 1]) else {}
        feuille.set_column(
            j, j, plafond if long else tailles[j], renvoi if long else None, apres_groupe
        )
        if long:
            renvoyees[j] = plafond
    hauteurs_de_lignes(feuille, colonnes, renvoyees, haut + 1)
    if qui := next((t for t in ("Municipalité", "Organisme") if t in en_tetes), None):
        texte = formats(italic=True, font_color="#555555")
        feuille.write_string(haut - 1, en_tetes.index(qui), NOTE_REPLIEES, texte)


HAUTEUR_LIGNE = 15  # points, celle d'une ligne de Calibri 11


def hauteurs_de_lignes(feuille, colonnes, renvoyees: Mapping[int, int], debut: int) -> None:
    """La hauteur des lignes dont un texte renvoyé à la ligne (colonnes `renvoyees` : indice
    → largeur) tient sur plusieurs lignes. Ni xlsxwriter ni LibreOffice ne la calculent à
    l'ouverture : sans elle, les lignes d'un titre long se chevauchent à l'impression.
    Estimée à un caractère par unité de largeur, un peu plus (texte proportionnel)."""
    if not renvoyees:
        return
    n = len(colonnes[0]) if colonnes else 0
    for i in range(n):
        lignes = max(
            -(-len(str(colonnes[j][i] or "")) // int(largeur * 1.1))
            for j, largeur in renvoyees.items()
        )
        if lignes > 1:
            feuille.set_row(debut + i, HAUTEUR_LIGNE * lignes)


def _entete_pied(texte: str) -> str:
    """Un texte pour l'en-tête ou le pied de page : « & » y commence un code (doublé)."""
    return texte.replace("&", "&&")


def _page(feuille, appel: Appel, titre: str, jour) -> None:
    """Paysage, Lettre, une page de large (autant qu'il faut en hauteur), marges, nom de
    l'appel en en-tête et « Page n de N » en pied de page."""
    feuille.set_landscape()
    feuille.set_paper(PAPIER_LETTRE)
    feuille.fit_to_pages(1, 0)
    feuille.set_margins(**MARGES)
    feuille.set_header(
        f"&L&8{_entete_pied(appel.nom_court)}&C&8{_entete_pied(titre)}&R&8{date_lisible(jour)}",
        {"margin": 0.3},
    )
    feuille.set_footer(f"&L&8{_entete_pied(appel.nom)[:120]}&R&8Page &P de &N", {"margin": 0.3})


def mise_en_page(
    feuille, appel: Appel, titre: str, haut: int, fin: int, derniere_colonne: int, jour
) -> None:
    """`_page`, plus les en-têtes du tableau (ligne `haut`) répétés en haut de chaque page
    et la zone d'impression, du titre au bas du tableau."""
    _page(feuille, appel, titre, jour)
    feuille.repeat_rows(haut)
    feuille.print_area(0, 0, fin, derniere_colonne)


# --- Suivi des conventions (issue 17, point 4) ----------------------------------------------
FORMAT_DATE = "yyyy-mm-dd"
_ORIGINE_EXCEL = dt.date(1899, 12, 30)


def _date_excel(jour) -> int | None:
    """Une date en numéro de série d'Excel (triable, filtrable), None si absente."""
    if jour is None or (not isinstance(jour, dt.date) and pd.isna(jour)):
        return None
    if isinstance(jour, dt.datetime):
        jour = jour.date()
    return (jour - _ORIGINE_EXCEL).days


def colonnes_suivi(appel: Appel, suivi: pd.DataFrame) -> tuple[list[str], list[list], dict]:
    """(en-têtes, colonnes, formats par en-tête) de la feuille « Suivi des conventions » :
    une ligne par dossier suivi (`suivi_financier.tableau`), prévu et versé par année
    financière, échéance et réception du rapport, retard, statut."""
    annees = suivi_financier.colonnes_annees(appel)
    en_tetes = ["No de demande", "Titre", "Municipalité", "Convention signée le"]
    for e, _, _ in annees:
        en_tetes += [f"Prévu {e.libelle}", f"Versé {e.libelle}"]
    en_tetes += ["Total prévu", "Total versé", "Reste à verser", "Rapport dû le"]
    en_tetes += ["Échéance fixée par", "Rapport reçu le", "Rapport", "Retard (jours)", "Statut"]

    def colonne(nom: str) -> list:
        return suivi[nom].tolist()

    colonnes = [
        colonne("no_demande"),
        colonne("titre"),
        colonne("municipalite"),
        [_date_excel(v) for v in colonne("date_signature")],
    ]
    for _, prevu, verse in annees:
        colonnes += [[_dollars(v) for v in colonne(prevu)], [_dollars(v) for v in colonne(verse)]]
    colonnes += [[_dollars(v) for v in colonne(n)] for n in ("total_prevu", "total_verse", "reste")]
    colonnes += [
        [_date_excel(v) for v in colonne("echeance_rapport")],
        colonne("echeance_source"),
        [_date_excel(v) for v in colonne("rapport_recu")],
        colonne("etat_rapport"),
        [int(v) if v else None for v in colonne("retard_jours")],
        colonne("statut"),
    ]
    formats = {t: FORMAT_MONTANT for t in en_tetes if t.startswith(("Prévu", "Versé", "Total"))}
    formats |= {"Reste à verser": FORMAT_MONTANT, "Retard (jours)": "0"}
    formats |= dict.fromkeys(
        ("Convention signée le", "Rapport dû le", "Rapport reçu le"), FORMAT_DATE
    )
    return en_tetes, colonnes, formats


def _feuille_suivi(livre, formats, appel: Appel, suivi: pd.DataFrame, jour) -> None:
    feuille = livre.add_worksheet(SUIVI)
    en_tetes, colonnes, nombres = colonnes_suivi(appel, suivi)
    _titre(
        feuille,
        formats,
        f"{SUIVI} — {appel.nom_court} — au {date_lisible(jour)}",
        suivi_financier.lecture_echeance(appel),
    )
    retards = suivi_financier.en_retard(suivi)
    # Une ligne qui tient dans la largeur imprimée : le nombre, et les cinq plus anciens (le
    # tableau les surligne tous ; filtrer la colonne « Rapport » sur « en retard » les liste).
    resume = (
        "Aucun rapport en retard."
        if retards.empty
        else f"Rapports en retard : {len(retards)} (surlignés ; colonne « Rapport »)"
        + " ; les plus anciens : "
        + ", ".join(
            f"{no} ({pluriel(int(j), 'jour')})"
            for no, j in zip(retards["no_demande"][:5], retards["retard_jours"][:5], strict=True)
        )
        + ("…" if len(retards) > 5 else ".")
    )
    feuille.write_string(2, 0, texte_pour_classeur(resume), formats(gras=not retards.empty))
    haut = 3
    fin = _tableau(
        feuille,
        formats,
        "Suivi_des_conventions",
        en_tetes,
        colonnes,
        nombres,
        haut,
        entetes_a_la_ligne=True,
    )
    titre = en_tetes.index("Titre")
    if largeurs(en_tetes, colonnes)[titre] > LARGEURS_IMPRIMEES["Titre"]:
        renvoi = formats(text_wrap=True)
        feuille.set_column(titre, titre, LARGEURS_IMPRIMEES["Titre"], renvoi)
        hauteurs_de_lignes(feuille, colonnes, {titre: LARGEURS_IMPRIMEES["Titre"]}, haut + 1)
    colonne_rapport = xl_col_to_name(en_tetes.index("Rapport"))
    feuille.conditional_format(
        haut + 1,
        0,
        fin,
        len(en_tetes) - 1,
        {
            "type": "formula",
            "criteria": f'=${colonne_rapport}{haut + 2}="{suivi_financier.EN_RETARD}"',
            "format": formats(bg_color=f"#{ORANGE}"),
        },
    )
    feuille.freeze_panes(haut + 1, 1)
    mise_en_page(feuille, appel, SUIVI, haut, fin, len(en_tetes) - 1, jour)


def _feuille_budget(livre, formats, appel: Appel, table: pd.DataFrame) -> None:
    feuille = livre.add_worksheet("Budget")
    b = portefeuille.budget(table, appel)
    colonnes = ["enveloppe", "demande", "recommande", "accorde"]
    colonnes += ["restant_ligne", "restant_decisions"]
    en_tetes = ["Année", "Enveloppe", "Demandé", "Recommandé (ligne)", "Accordé (décisions)"]
    en_tetes += ["Restant (ligne)", "Restant (décisions)"]
    lignes = [[annee, *(_dollars(v) for v in b.loc[annee, colonnes])] for annee in b.index]
    _titre(feuille, formats, f"Budget — {appel.nom_court}")
    montants = {t: FORMAT_MONTANT for t in en_tetes[1:]}
    _tableau(feuille, formats, "Budget", en_tetes, en_colonnes(lignes, len(en_tetes)), montants, 2)


FORMULAIRE = "Formulaire"


def colonnes_formulaire(
    table: pd.DataFrame, appel: Appel | None = None
) -> tuple[list[str], list[list]] | None:
    """(en-têtes, colonnes) de la feuille « Formulaire » : les réponses de chaque demande au
    formulaire de l'appel (issue 18), sous les titres du gabarit ; None quand aucune demande
    n'en a (un appel importé d'exports d'avant le formulaire : pas de feuille vide). Le
    demandeur et les titres suivent le type de demandeur de `appel` (un organisme : son nom,
    la résolution de son conseil d'administration)."""
    presentes = [c for c in CHAMPS_FORMULAIRE if c in table]
    if table.empty or not any(
        table[c].map(lambda v: isinstance(v, str) and bool(v.strip())).any() for c in presentes
    ):
        return None

    def texte(v) -> str:
        return v.strip() if isinstance(v, str) else ""

    libelles = libelles_champs(appel)
    demandeur = "organisme" if appel is not None and appel.demandeur_organisme else "municipalite"
    if demandeur not in table:
        demandeur = "municipalite"
    en_tetes = ["No de demande", "Titre", libelles[demandeur]]
    en_tetes += [libelles[c] for c in presentes]
    colonnes = [
        table["no_demande"].tolist(),
        [texte(v) for v in table["titre"]],
        [texte(v) for v in table[demandeur]],
    ]
    colonnes += [[texte(v) for v in table[c]] for c in presentes]
    return en_tetes, colonnes


def _feuille_formulaire(livre, formats, appel: Appel, table: pd.DataFrame) -> None:
    contenu = colonnes_formulaire(table, appel)
    if contenu is None:
        return
    en_tetes, colonnes = contenu
    feuille = livre.add_worksheet(FORMULAIRE)
    _titre(feuille, formats, f"Formulaire des demandes — {appel.nom_court}")
    _tableau(feuille, formats, "Formulaire", en_tetes, colonnes, {}, 2)


# Ce qu'Excel refuse dans un nom de feuille, et sa longueur au plus.
_INTERDITS_FEUILLE = str.maketrans({c: " " for c in "[]:*?/\\"})
LONGUEUR_FEUILLE = 31


def nom_de_feuille(titre: str, pris: Iterable[str]) -> str:
    """Un nom de feuille qu'Excel accepte, tiré de `titre` (un libellé de dimension que
    l'appel déclare : n'importe quel texte) : sans [ ] : * ? / \\ ni caractère de contrôle,
    sans apostrophe aux bouts, 31 caractères au plus, et différent (sans égard à la casse)
    des noms `pris` — « (2) », « (3) »… s'il le faut."""
    propre = "".join(c if c.isprintable() else " " for c in titre.translate(_INTERDITS_FEUILLE))
    propre = " ".join(propre.split()).strip("'").strip() or "Dimension"
    deja = {n.casefold() for n in pris} | {"history"}
    nom, i = propre[:LONGUEUR_FEUILLE].rstrip(), 1
    while nom.casefold() in deja or nom.endswith("'"):
        i += 1
        suffixe = f" ({i})"
        nom = propre[: LONGUEUR_FEUILLE - len(suffixe)].rstrip().rstrip("'") + suffixe
    return nom


def _feuille_repartition(
    livre,
    formats,
    appel,
    table,
    dimension: str,
    nom: str,
    populations=None,
    *,
    titre_colonne: str | None = None,
    nom_tableau: str | None = None,
):
    """Une feuille de répartition (`portefeuille.repartition` selon la ligne de financement)
    et son graphique. `titre_colonne` : l'en-tête de la colonne des catégories (par défaut,
    tiré du nom de la feuille) ; `nom_tableau` : celui du tableau Excel (idem)."""
    feuille = livre.add_worksheet(nom)
    r = portefeuille.repartition(table, appel, dimension, populations=populations)
    titre_colonne = titre_colonne or nom.removeprefix("Par ").capitalize()
    en_tetes = [titre_colonne, "Demandes", "Financées", "Demandé"]
    en_tetes += ["Financé", "Part de l'enveloppe", "Note moyenne", "Taux de succès"]
    en_tetes = en_tetes_uniques(en_tetes)
    lignes = [
        [
            x["libelle"],
            int(x["demandes"]),
            int(x["financees"]),
            _dollars(x["demande"]),
            _dollars(x["finance"]),
            x["part_enveloppe"],
            x["note_moyenne"],
            x["taux_succes"],
        ]
        for x in r.to_dict("records")
    ]
    nombres = {
        "Demandé": FORMAT_MONTANT,
        "Financé": FORMAT_MONTANT,
        "Part de l'enveloppe": FORMAT_PART,
        "Note moyenne": FORMAT_NOTE,
        "Taux de succès": FORMAT_PART,
    }
    sous_titre = "Montants selon la ligne de financement."
    if portefeuille.est_multiple(appel, dimension):
        sous_titre += (
            " Une demande à plusieurs valeurs compte dans chacune, avec tout son montant : "
            "les parts additionnées peuvent dépasser 100 % (interprétation)."
        )
    _titre(feuille, formats, f"{nom} — {appel.nom_court}", sous_titre)
    haut = 2
    nom_tableau = nom_tableau or nom.replace(" ", "_").replace("é", "e")
    colonnes = en_colonnes(lignes, len(en_tetes))
    fin = _tableau(feuille, formats, nom_tableau, en_tetes, colonnes, nombres, haut)
    finance = en_tetes.index("Financé")
    graphique = livre.add_chart({"type": "bar"})
    graphique.add_series(
        {
            "name": [nom, haut, finance],
            "categories": [nom, haut + 1, 0, fin, 0],
            "values": [nom, haut + 1, finance, fin, finance],
            "fill": {"color": "#4472C4"},
            "gap": 60,
        }
    )
    graphique.set_title({"name": f"Financé — {nom.lower()}", "name_font": {"size": 12}})
    # Barres horizontales : l'axe des valeurs est x, celui des catégories y, lu de haut en bas
    # dans l'ordre du tableau.
    graphique.set_x_axis({"name": "$", "num_format": FORMAT_MONTANT})
    graphique.set_y_axis({"reverse": True, "crossing": "max"})
    graphique.set_legend({"none": True})
    centimetre = 37.8  # pixels
    graphique.set_size(
        {"width": int(18 * centimetre), "height": int(max(7.5, 0.6 * len(lignes) + 3) * centimetre)}
    )
    feuille.insert_chart(2, 9, graphique)  # J3


def colonnes_evaluations(
    appel: Appel, evaluations: pd.DataFrame
) -> tuple[list[str], list[list], dict]:
    """(en-têtes, colonnes, formats par en-tête) de la feuille Évaluations, tirés par colonnes
    de `evaluations` (`evaluations_pour_export`) : le total d'une évaluation est Σ poids ×
    note / échelle maximale, vide s'il manque une note."""
    criteres = list(appel.criteres)
    en_tetes = ["No de demande", "Évaluateur", "Statut"]
    en_tetes += [c.libelle for c in criteres] + ["Total", "Commentaire global"]
    en_tetes += [f"Commentaire : {c.libelle}" for c in criteres]
    en_tetes = en_tetes_uniques(en_tetes)
    n = len(evaluations)

    def colonne(nom: str) -> pd.Series:
        return evaluations[nom] if nom in evaluations else pd.Series([None] * n, dtype=object)

    notes = [colonne(f"note:{c.id}").to_numpy(dtype=float, na_value=np.nan) for c in criteres]
    # Dans l'ordre des critères, comme la somme Python qu'elle remplace : mêmes arrondis.
    total = np.zeros(n)
    for c, v in zip(criteres, notes, strict=True):
        total = total + c.poids * v / appel.echelle_max
    colonnes = [
        evaluations["no_demande"].tolist(),
        evaluations["evaluateur"].tolist(),
        evaluations["statut"].tolist(),
        *(v.tolist() for v in notes),
        total.tolist(),
        [v or "" for v in colonne("commentaire_global").tolist()],
        *([v or "" for v in colonne(f"commentaire:{c.id}").tolist()] for c in criteres),
    ]
    nombres = {t: FORMAT_NOTE for t in en_tetes[3 : 3 + len(criteres)]} | {"Total": FORMAT_NOTE}
    return en_tetes, colonnes, nombres


def _feuille_evaluations(livre, formats, appel: Appel, evaluations: pd.DataFrame) -> None:
    feuille = livre.add_worksheet("Évaluations")
    en_tetes, colonnes, nombres = colonnes_evaluations(appel, evaluations)
    _titre(
        feuille,
        formats,
        f"Évaluations — {appel.nom_court}",
        "Une ligne par évaluateur et par demande.",
    )
    _tableau(feuille, formats, "Evaluations", en_tetes, colonnes, nombres, 2)


def colonnes_depenses_retirees(
    appel: Appel, lignes: pd.DataFrame
) -> tuple[list[str], list[list], dict]:
    """(en-têtes, colonnes, formats) de la feuille « Dépenses retirées » : chaque ligne de
    budget qui ne compte pas (ou pas en entier) dans le budget admissible, avec la catégorie
    dans les mots de l'appel et le motif."""
    expliquees = financement.lignes_expliquees(lignes, appel)
    retirees = expliquees[expliquees["montant_retire"] > 0] if len(expliquees) else expliquees
    en_tetes = [
        "No de demande",
        "Année",
        "Catégorie déclarée",
        "Catégorie de l'appel",
        "Motif",
        "Montant",
        "Retiré",
    ]
    colonnes = [
        retirees["no_demande"].tolist() if len(retirees) else [],
        [int(a) for a in retirees["annee"]] if len(retirees) else [],
        [v or "" for v in retirees["categorie"]] if len(retirees) else [],
        retirees["categorie_appel"].tolist() if len(retirees) else [],
        retirees["genre"].tolist() if len(retirees) else [],
        [_dollars(v) for v in retirees["montant"]] if len(retirees) else [],
        [_dollars(v) for v in retirees["montant_retire"]] if len(retirees) else [],
    ]
    return en_tetes, colonnes, {"Montant": FORMAT_MONTANT, "Retiré": FORMAT_MONTANT}


def _feuille_depenses_retirees(livre, formats, appel: Appel, lignes: pd.DataFrame) -> None:
    feuille = livre.add_worksheet("Dépenses retirées")
    en_tetes, colonnes, nombres = colonnes_depenses_retirees(appel, lignes)
    _titre(
        feuille,
        formats,
        f"Dépenses retirées du budget admissible — {appel.nom_court}",
        "Dépenses non admissibles, catégories à confirmer et excédent du plafond des visas.",
    )
    _tableau(feuille, formats, "Depenses_retirees", en_tetes, colonnes, nombres, 2)


def _feuille_parametres(
    livre,
    formats,
    appel: Appel,
    poids,
    auteur: str,
    instant: dt.datetime,
    n_evaluations: int,
    filtres,
    confirmations: Mapping[str, dict] | None = None,
    ponderations: Sequence[dict] = (),
) -> None:
    feuille = livre.add_worksheet("Paramètres")
    f = appel.financement
    periodes = f.annees_financieres()
    lignes = [
        ["Appel", appel.id],
        ["Nom", appel.nom],
        ["Exporté le", date_heure(instant)],
        ["Exporté par", auteur],
        ["Évaluations stockées", n_evaluations],
        ["Filtres appliqués", filtres or "aucun (tout l'appel)"],
        [
            "Échelle",
            f"{reglage(appel.echelle_min)} à {reglage(appel.echelle_max)}, "
            f"pas de {reglage(appel.pas)}",
        ],
        ["Agrégation des notes", appel.agregation],
        ["Note qui classe (réglage du comité)", consensus.regle_lisible(appel)],
        ["Seuil global", f"{reglage(appel.seuil_global)} / 100"],
    ]
    lignes += [[f"Poids : {c.libelle}", poids[c.id]] for c in appel.criteres]
    lignes += [
        [f"Minimum : {c.libelle}", c.minimum] for c in appel.criteres if c.minimum is not None
    ]
    lignes += [
        [
            "Départage",
            " ; puis ".join(regles.libelle_regle(r, appel) for r in regles.regles_departage(appel)),
        ],
        ["Ligne de financement", appel.mode_ligne],
        [
            "Date limite de dépôt",
            (
                f"{date_lisible(appel.date_limite)} : une demande déposée ce jour-là est à "
                "temps (« s'est terminé le » : la date limite en fait partie)"
            )
            if appel.date_limite
            else "aucune (l'appel n'en fixe pas)",
        ],
        ["Années financières", lecture_annees_financieres(f)],
        ["Montant recommandé", financement.regle_en_une_phrase(appel)],
        ["Plafond annuel", f.plafond_annuel / 100],
        [
            "Bonification maximale d'un projet conjoint (par année, fixée demande par demande "
            "par la présidence, 0 $ par défaut ; réglage du comité)",
            f.bonification_conjoint_max / 100,
        ],
        ["Plafond des frais de visas et d'assurance", appel.plafond_visas / 100],
        [
            "Portée du plafond des visas (interprétation)",
            "la demande entière (consommé d'abord en année 1)"
            if appel.portee_plafond_visas == "demande"
            else "chaque année",
        ],
        [
            "Projet conjoint (interprétation)",
            f"au moins {f.entites_conjoint_min} entités municipales, la requérante comprise",
        ],
    ]
    lignes += [
        [f"Enveloppe {d.year}-{fin.year}", e / 100]
        for (d, fin), e in zip(periodes, f.enveloppe, strict=True)
    ]
    lignes += [
        ["Rang calibré : lissage de l'effet évaluateur", appel.regularisation_calibration],
        [
            "À discuter",
            f"étendue ≥ {reglage(appel.ecart_critere_a_discuter)} sur un critère ou "
            f"≥ {reglage(appel.ecart_total_a_discuter)} sur le total",
        ],
    ]
    _titre(
        feuille, formats, f"Paramètres — {appel.nom_court}", "Comment ce classeur a été produit."
    )
    for i, (cle, valeur) in enumerate(lignes, 2):
        ecrire(feuille, formats, i, 0, cle, gras=True)
        montant = isinstance(valeur, int | float) and cle.startswith(
            ("Enveloppe", "Plafond", "Bonification")
        )
        ecrire(feuille, formats, i, 1, valeur, FORMAT_MONTANT if montant else None)
    ligne = len(lignes) + 3
    ligne = _sources_des_reglages(feuille, formats, appel, confirmations, ligne)
    _historique_des_poids(feuille, formats, appel, ponderations, ligne + 1)
    feuille.set_column(0, 0, 34)
    feuille.set_column(1, 1, 90)
    feuille.set_column(2, 4, 40)


def _sources_des_reglages(feuille, formats, appel: Appel, confirmations, ligne: int) -> int:
    """La source de chaque réglage (texte de l'appel cité, réglage du comité,
    interprétation et sa lecture) et sa confirmation ; rend la ligne suivante."""
    ecrire(feuille, formats, ligne, 0, "Sources des réglages", gras=True)
    ligne += 1
    for j, titre in enumerate(["Réglage", "Valeur", "Source", "Citation, lecture ou note"]):
        ecrire(feuille, formats, ligne, j, titre, gras=True)
    ecrire(feuille, formats, ligne, 4, "Confirmation", gras=True)
    for r in appel.reglages:
        ligne += 1
        etat = reglages.etat_confirmation(r, confirmations, lambda d: date_lisible(d.date()))
        valeurs = [
            r.libelle,
            r.valeur_lisible,
            r.source.libelle if r.source else "",
            r.source.precision if r.source else "",
            etat,
        ]
        for j, v in enumerate(valeurs):
            ecrire(feuille, formats, ligne, j, v)
    return ligne + 1


def _historique_des_poids(feuille, formats, appel: Appel, ponderations, ligne: int) -> None:
    """Les pondérations de l'appel puis chaque changement : qui, quand, pourquoi."""
    ecrire(feuille, formats, ligne, 0, "Historique des pondérations", gras=True)
    ligne += 1
    for j, titre in enumerate(["Date", "Par", "Poids", "Raison", "Après la notation"]):
        ecrire(feuille, formats, ligne, j, titre, gras=True)
    for h in regles.historique_poids(appel, ponderations):
        ligne += 1
        valeurs = [
            date_heure(h["date"]),
            h["auteur"],
            h["poids"],
            h["raison"],
            "oui" if h["apres_notation"] else "",
        ]
        for j, v in enumerate(valeurs):
            ecrire(feuille, formats, ligne, j, v)


def classeur(
    appel: Appel,
    table: pd.DataFrame,
    *,
    poids: Mapping[str, float],
    auteur: str,
    instant: dt.datetime,
    evaluations: pd.DataFrame | None = None,
    n_evaluations: int = 0,
    filtres: str = "",
    populations: Mapping[str, int] | None = None,
    confirmations: Mapping[str, dict] | None = None,
    ponderations: Sequence[dict] = (),
    lignes_budget: pd.DataFrame | None = None,
    suivi: pd.DataFrame | None = None,
) -> bytes:
    """Le classeur complet, en octets. `evaluations` (une ligne par évaluation, avec ses
    notes) n'est donné que pour l'administration et la présidence : sans lui, pas de
    feuille Évaluations. `lignes_budget` (stockage.lire_lignes_budget, des demandes de
    `table`) : la feuille « Dépenses retirées ». `suivi` (`suivi_financier.tableau` au jour
    de `instant`, issue 17) : la feuille « Suivi des conventions », s'il y a au moins un dossier
    à suivre."""
    sortie = io.BytesIO()
    livre = xlsxwriter.Workbook(sortie, OPTIONS_CLASSEUR)
    livre.set_properties(
        {
            "title": f"Classement — {appel.nom}",
            "author": auteur,
            "comments": "Tableau de bord d'évaluation des demandes",
            "created": instant,
        }
    )
    formats = Formats(livre)
    _feuille_classement(livre, formats, appel, table, instant.date(), poids)
    _feuille_budget(livre, formats, appel, table)
    _feuille_formulaire(livre, formats, appel, table)
    if lignes_budget is not None:
        gardees = lignes_budget[lignes_budget["demande_id"].isin(table["demande_id"])]
        _feuille_depenses_retirees(livre, formats, appel, gardees)
    # Une feuille par dimension de classement : l'axe et le secteur si l'appel en déclare
    # (issue 18 : [[axes]] et [[secteurs]] sont facultatifs), la région, puis chaque
    # dimension de [[dimensions]], nommée par son libellé.
    if appel.axes:
        _feuille_repartition(livre, formats, appel, table, "axe", "Par axe")
    if appel.secteurs:
        _feuille_repartition(livre, formats, appel, table, "secteur", "Par secteur")
    _feuille_repartition(livre, formats, appel, table, "region", "Par région", populations)
    for dimension in appel.dimensions:
        _feuille_repartition(
            livre,
            formats,
            appel,
            table,
            dimension.id,
            nom_de_feuille(
                f"Par {dimension.libelle[:1].lower()}{dimension.libelle[1:]}",
                (f.name for f in livre.worksheets()),
            ),
            titre_colonne=dimension.libelle,
            nom_tableau="Par_" + dimension.id.replace("-", "_"),
        )
    if suivi is not None and not suivi.empty:  # avant toute décision « retenu » : rien à suivre
        _feuille_suivi(livre, formats, appel, suivi, instant.date())
    if evaluations is not None:
        _feuille_evaluations(livre, formats, appel, evaluations)
    _feuille_parametres(
        livre,
        formats,
        appel,
        poids,
        auteur,
        instant,
        n_evaluations,
        filtres,
        confirmations,
        ponderations,
    )
    for feuille in livre.worksheets():  # à l'impression : voir `_page` (issue 17, point 5)
        if feuille.name not in (CLASSEMENT, SUIVI):  # celles-là ont déjà leur mise en page
            _page(feuille, appel, feuille.name, instant.date())
    livre.close()
    return sortie.getvalue()


def evaluations_pour_export(
    notes: pd.DataFrame, evaluations: pd.DataFrame, numeros: Mapping[int, str]
) -> pd.DataFrame:
    """Une ligne par évaluation, triée par demande puis évaluateur : no_demande, evaluateur,
    statut, commentaire_global, puis note:<critère> et commentaire:<critère> pour chaque
    critère noté ; `notes` : stockage.lire_notes_completes. Les notes sont rangées par
    colonnes (pandas), pas regroupées ligne à ligne en Python."""
    paires = pd.MultiIndex.from_arrays(
        [evaluations["demande_id"].astype(int), evaluations["evaluateur"].astype(object)]
    )
    cles = paires.drop_duplicates()
    ligne_de_note = cles.get_indexer(
        pd.MultiIndex.from_arrays(
            [notes["demande_id"].astype(int), notes["evaluateur"].astype(object)]
        )
    )
    ligne_d_evaluation = cles.get_indexer(paires)
    valeurs = pd.to_numeric(notes["note"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    commentaires = notes["commentaire"].to_numpy(dtype=object)
    criteres = notes["critere"].to_numpy(dtype=object)
    sortie = {
        "no_demande": [numeros.get(d, str(d)) for d in paires.get_level_values(0).tolist()],
        "evaluateur": evaluations["evaluateur"].tolist(),
        "statut": evaluations["statut"].tolist(),
        "commentaire_global": (
            evaluations["commentaire_global"].tolist()
            if "commentaire_global" in evaluations
            else [None] * len(evaluations)
        ),
    }
    for critere in pd.unique(criteres):
        choisies = (criteres == critere) & (ligne_de_note >= 0)
        lignes = ligne_de_note[choisies]
        note = np.full(len(cles), np.nan)
        note[lignes] = valeurs[choisies]
        commentaire = np.full(len(cles), None, dtype=object)
        commentaire[lignes] = commentaires[choisies]
        sortie[f"note:{critere}"] = note[ligne_d_evaluation]
        sortie[f"commentaire:{critere}"] = commentaire[ligne_d_evaluation]
    return pd.DataFrame(sortie).sort_values(["no_demande", "evaluateur"], kind="stable")


def textes_dangereux(valeurs: Iterable[object]) -> list[str]:
    """Les textes qui commenceraient une formule (pour les tests et les rapports)."""
    return [v for v in valeurs if dangereux(v)]
