"""Le classeur Excel du comité : classement, budget, répartitions avec graphiques,
évaluations (administration et présidence seulement) et paramètres, bâti en mémoire.

Écrit par xlsxwriter : deux fois plus rapide qu'openpyxl pour la même mise en forme
(benchmarks/exportation.py). Aucun texte venu des données ne peut devenir une formule :
tout texte est écrit comme chaîne (write_string), et celui que la neutralisation juge
dangereux (evaluation/sorties/neutralisation.py : = + - @ en tête, pleine chasse comprise,
tabulation, retour chariot) porte en plus le préfixe d'apostrophe (quotePrefix) que les
tableurs affichent sans l'évaluer.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from evaluation.appels.configuration import Appel
from evaluation.decision import classement as regles
from evaluation.decision import financement, portefeuille
from evaluation.notes.fiche import libelle_secteur
from evaluation.socle.formats import date as date_lisible
from evaluation.sorties.neutralisation import dangereux, texte_pour_classeur

FORMAT_MONTANT = '#,##0 "$"'  # l'espace des milliers vient de la langue du tableur
FORMAT_NOTE = "0.0"
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


def _largeurs(feuille, en_tetes: list[str], lignes: list[list]) -> None:
    for j, titre in enumerate(en_tetes):
        longueur = max(
            [len(str(titre))]
            + [
                len(f"{v:,.0f}") + 2 if isinstance(v, int | float) else len(str(v or ""))
                for v in (r[j] for r in lignes[:500])
            ]
        )
        feuille.set_column(j, j, min(max(longueur + 2, 8), 60))


def _tableau(
    feuille,
    formats: Formats,
    nom: str,
    en_tetes: list[str],
    lignes: list[list],
    nombres: dict,
    haut: int,
    trait: int | None = None,
) -> int:
    """En-têtes en ligne `haut` (comptée de 0), lignes dessous, un tableau Excel avec
    filtres ; `trait` : l'indice de la ligne soulignée en rouge. Renvoie la dernière ligne."""
    for i, ligne in enumerate(lignes):
        souligne = i == trait
        for j, valeur in enumerate(ligne):
            ecrire(
                feuille,
                formats,
                haut + 1 + i,
                j,
                valeur,
                nombres.get(en_tetes[j]),
                trait=souligne,
            )
    fin = haut + max(len(lignes), 1)
    feuille.add_table(
        haut,
        0,
        fin,
        len(en_tetes) - 1,
        {
            "name": nom,
            "style": "Table Style Light 9",
            # Un en-tête vient aussi des données (libellé d'un critère) : marqué comme texte
            # s'il commence comme une formule, comme toute autre cellule.
            "columns": [
                {"header": t, "header_format": formats(gras=True, prefixe=dangereux(t))}
                for t in en_tetes
            ],
        },
    )
    _largeurs(feuille, en_tetes, lignes)
    return fin


def _titre(feuille, formats: Formats, texte: str, sous_titre: str = "") -> None:
    for ligne, contenu, style in (
        (0, texte, {"gras": True, "font_size": 14}),
        (1, sous_titre, {"italic": True, "font_color": "#555555"}),
    ):
        if contenu:
            contenu = texte_pour_classeur(contenu)
            feuille.write_string(ligne, 0, contenu, formats(prefixe=dangereux(contenu), **style))


def lignes_classement(appel: Appel, table: pd.DataFrame) -> tuple[list[str], list[list], dict]:
    """(en-têtes, lignes, formats par en-tête) de la feuille Classement, quel que soit
    l'outil qui l'écrit (xlsxwriter ici ; openpyxl dans la mesure comparée)."""
    annees = financement.nombre_annees(appel)
    # En-têtes courts (« Pertinence ») : les libellés complets sont dans Paramètres.
    courts = [c.libelle.split(" ")[0] for c in appel.criteres]
    en_tetes = ["Rang", "No de demande", "Titre", "Municipalité", "Région", "Axe", "Secteur"]
    en_tetes += courts
    en_tetes += ["Total", "Évaluations", "Écart-type", "À discuter", "Statut"]
    for a in range(1, annees + 1):
        en_tetes += [f"Demandé an {a}", f"Recommandé an {a}", f"Accordé an {a}", f"Cumul an {a}"]
    en_tetes += ["Décision", "Justification"]
    en_tetes = en_tetes_uniques(en_tetes)
    titres_criteres = en_tetes[7 : 7 + len(courts)]
    regions = {r.code: r.nom for r in appel.regions}
    secteurs = {s: libelle_secteur(appel, s) for s in table["secteur"].drop_duplicates()}
    lignes = []
    for r in table.to_dict("records"):
        statut = r["financement"] if r["statut"] == regles.CLASSE else r["statut"]
        ligne = [
            None if pd.isna(r["rang"]) else int(r["rang"]),
            r["no_demande"],
            r.get("titre") or "",
            r.get("municipalite") or "",
            regions.get(r.get("region"), r.get("region") or ""),
            None if pd.isna(r.get("axe")) else int(r["axe"]),
            secteurs.get(r["secteur"]) or libelle_secteur(appel, r["secteur"]),
        ]
        ligne += [r[f"note:{c.id}"] for c in appel.criteres]
        ligne += [
            r["total"],
            int(r["n_evaluations"]),
            r["ecart_type_total"],
            "à discuter" if r["a_discuter"] else "",
            statut,
        ]
        for a in range(1, annees + 1):
            ligne += [
                _dollars(r.get(f"montant_demande_an{a}")),
                _dollars(r.get(f"recommande_an{a}")),
                _dollars(r.get(f"accorde_an{a}")),
                _dollars(r.get(f"cumul_an{a}")),
            ]
        ligne += [r.get("decision") or "", r.get("justification") or ""]
        lignes.append(ligne)
    formats = {t: FORMAT_NOTE for t in titres_criteres}
    formats.update({"Total": "0.00", "Écart-type": FORMAT_NOTE})
    formats.update(
        {
            t: FORMAT_MONTANT
            for t in en_tetes
            if t.split(" an ")[0] in ("Demandé", "Recommandé", "Accordé", "Cumul")
        }
    )
    return en_tetes, lignes, formats


def _feuille_classement(livre, formats, appel: Appel, table: pd.DataFrame, jour, poids) -> None:
    feuille = livre.add_worksheet("Classement")
    en_tetes, lignes, nombres = lignes_classement(appel, table)
    _titre(
        feuille,
        formats,
        f"Classement — {appel.nom_court} — {date_lisible(jour)}",
        "Poids : "
        + ", ".join(f"{c.libelle.split(' ')[0]} {poids[c.id]:g}" for c in appel.criteres)
        + f" ; seuil {appel.seuil_global:g} / 100",
    )
    haut = 3  # ligne 4 d'Excel
    financees = np.flatnonzero((table["financement"] == financement.FINANCE).to_numpy())
    derniere = int(financees[-1]) if len(financees) else None
    fin = _tableau(feuille, formats, "Classement", en_tetes, lignes, nombres, haut, derniere)
    feuille.freeze_panes(haut + 1, 2)
    feuille.repeat_rows(haut)
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
    _tableau(feuille, formats, "Budget", en_tetes, lignes, montants, 2)


def _feuille_repartition(livre, formats, appel, table, dimension: str, nom: str, populations=None):
    feuille = livre.add_worksheet(nom)
    r = portefeuille.repartition(table, appel, dimension, populations=populations)
    en_tetes = [nom.removeprefix("Par ").capitalize(), "Demandes", "Financées", "Demandé"]
    en_tetes += ["Financé", "Part de l'enveloppe", "Note moyenne", "Taux de succès"]
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
    _titre(
        feuille, formats, f"{nom} — {appel.nom_court}", "Montants selon la ligne de financement."
    )
    haut = 2
    nom_tableau = nom.replace(" ", "_").replace("é", "e")
    fin = _tableau(feuille, formats, nom_tableau, en_tetes, lignes, nombres, haut)
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


def _feuille_evaluations(livre, formats, appel: Appel, evaluations: pd.DataFrame) -> None:
    feuille = livre.add_worksheet("Évaluations")
    criteres = list(appel.criteres)
    en_tetes = ["No de demande", "Évaluateur", "Statut"]
    en_tetes += [c.libelle for c in criteres] + ["Total", "Commentaire global"]
    en_tetes += [f"Commentaire : {c.libelle}" for c in criteres]
    en_tetes = en_tetes_uniques(en_tetes)
    lignes = []
    for e in evaluations.to_dict("records"):
        notes = e.get("notes") or {}
        valeurs = [notes.get(c.id, (None, None))[0] for c in criteres]
        total = (
            sum(c.poids * v / appel.echelle_max for c, v in zip(criteres, valeurs, strict=True))
            if all(v is not None for v in valeurs)
            else None
        )
        lignes.append(
            [
                e["no_demande"],
                e["evaluateur"],
                e["statut"],
                *valeurs,
                total,
                e.get("commentaire_global") or "",
            ]
            + [notes.get(c.id, (None, None))[1] or "" for c in criteres]
        )
    nombres = {t: FORMAT_NOTE for t in en_tetes[3 : 3 + len(criteres)]} | {"Total": "0.00"}
    _titre(
        feuille,
        formats,
        f"Évaluations — {appel.nom_court}",
        "Une ligne par évaluateur et par demande.",
    )
    _tableau(feuille, formats, "Evaluations", en_tetes, lignes, nombres, 2)


def _feuille_parametres(
    livre,
    formats,
    appel: Appel,
    poids,
    auteur: str,
    instant: dt.datetime,
    n_evaluations: int,
    filtres,
) -> None:
    feuille = livre.add_worksheet("Paramètres")
    f = appel.financement
    periodes = f.annees_financieres()
    lignes = [
        ["Appel", appel.id],
        ["Nom", appel.nom],
        ["Exporté le", instant.strftime("%Y-%m-%d %H:%M")],
        ["Exporté par", auteur],
        ["Évaluations stockées", n_evaluations],
        ["Filtres appliqués", filtres or "aucun (tout l'appel)"],
        ["Échelle", f"{appel.echelle_min:g} à {appel.echelle_max:g}, pas de {appel.pas:g}"],
        ["Agrégation des notes", appel.agregation],
        ["Seuil global", f"{appel.seuil_global:g} / 100"],
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
        ["Plafond annuel", f.plafond(False) / 100],
        ["Bonification projet conjoint", f.bonification_projet_conjoint / 100],
    ]
    lignes += [
        [f"Enveloppe {d.year}-{fin.year}", e / 100]
        for (d, fin), e in zip(periodes, f.enveloppe, strict=True)
    ]
    lignes += [
        ["Calibration (régularisation)", appel.regularisation_calibration],
        [
            "À discuter",
            f"étendue ≥ {appel.ecart_critere_a_discuter:g} sur un critère ou "
            f"≥ {appel.ecart_total_a_discuter:g} sur le total",
        ],
    ]
    _titre(
        feuille, formats, f"Paramètres — {appel.nom_court}", "Comment ce classeur a été produit."
    )
    for i, (cle, valeur) in enumerate(lignes, 2):
        ecrire(feuille, formats, i, 0, cle, gras=True)
        montant = cle.startswith(("Enveloppe", "Plafond", "Bonification"))
        ecrire(feuille, formats, i, 1, valeur, FORMAT_MONTANT if montant else None)
    feuille.set_column(0, 0, 34)
    feuille.set_column(1, 1, 90)


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
) -> bytes:
    """Le classeur complet, en octets. `evaluations` (une ligne par évaluation, avec ses
    notes) n'est donné que pour l'administration et la présidence : sans lui, pas de
    feuille Évaluations."""
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
    _feuille_repartition(livre, formats, appel, table, "axe", "Par axe")
    _feuille_repartition(livre, formats, appel, table, "secteur", "Par secteur")
    _feuille_repartition(livre, formats, appel, table, "region", "Par région", populations)
    if evaluations is not None:
        _feuille_evaluations(livre, formats, appel, evaluations)
    _feuille_parametres(livre, formats, appel, poids, auteur, instant, n_evaluations, filtres)
    for feuille in livre.worksheets():  # à l'impression : paysage, toute la largeur sur la page
        feuille.set_landscape()
        feuille.set_paper(1)  # Lettre, le format du Québec
        feuille.fit_to_pages(1, 0)
    livre.close()
    return sortie.getvalue()


def evaluations_pour_export(
    notes: pd.DataFrame, evaluations: pd.DataFrame, numeros: Mapping[int, str]
) -> pd.DataFrame:
    """Une ligne par évaluation : no_demande, evaluateur, statut, commentaire global et
    notes {critère: (note, commentaire)} ; `notes` : stockage.lire_notes_completes."""
    par_eval: dict[tuple[int, str], dict] = {}
    for d, e, c, n, m in zip(
        notes["demande_id"],
        notes["evaluateur"],
        notes["critere"],
        notes["note"],
        notes["commentaire"],
        strict=True,
    ):
        par_eval.setdefault((int(d), e), {})[c] = (None if pd.isna(n) else float(n), m)
    lignes = []
    for ev in evaluations.to_dict("records"):
        cle = (int(ev["demande_id"]), ev["evaluateur"])
        lignes.append(
            {
                "no_demande": numeros.get(cle[0], str(cle[0])),
                "evaluateur": ev["evaluateur"],
                "statut": ev["statut"],
                "commentaire_global": ev.get("commentaire_global"),
                "notes": par_eval.get(cle, {}),
            }
        )
    return pd.DataFrame(
        lignes, columns=["no_demande", "evaluateur", "statut", "commentaire_global", "notes"]
    ).sort_values(["no_demande", "evaluateur"], kind="stable")


def textes_dangereux(valeurs: Iterable[object]) -> list[str]:
    """Les textes qui commenceraient une formule (pour les tests et les rapports)."""
    return [v for v in valeurs if dangereux(v)]
