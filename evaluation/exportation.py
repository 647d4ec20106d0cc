"""Le classeur Excel du comité : classement, budget, répartitions avec graphiques,
évaluations (administration et présidence seulement) et paramètres, bâti en mémoire.

Aucun texte venu des données ne peut devenir une formule : une cellule qui commence par
= + - @ tabulation ou retour chariot est écrite comme texte, avec le préfixe d'apostrophe
(quotePrefix) que les tableurs affichent sans l'évaluer.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from evaluation import classement as regles
from evaluation import financement, portefeuille
from evaluation.appel import Appel
from evaluation.fiche import libelle_secteur
from evaluation.formats import date as date_lisible

DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")
FORMAT_MONTANT = '#,##0 "$"'  # l'espace des milliers vient de la langue du tableur
FORMAT_NOTE = "0.0"
FORMAT_PART = "0.0 %"
VERT, ORANGE, GRIS = "E2EFDA", "FCE4D6", "EDEDED"


def nom_fichier(appel: Appel, jour: dt.date) -> str:
    """« paivmq-2023-2024_classement_2026-11-24.xlsx »."""
    return f"{appel.id}_classement_{jour.isoformat()}.xlsx"


def ecrire(feuille, ligne: int, colonne: int, valeur, format_nombre: str | None = None):
    """Écrit une valeur ; un texte qui commence comme une formule reste du texte."""
    if valeur is None or (isinstance(valeur, float) and np.isnan(valeur)) or valeur is pd.NA:
        valeur = None
    elif isinstance(valeur, np.integer):
        valeur = int(valeur)
    elif isinstance(valeur, np.floating):
        valeur = float(valeur)
    elif isinstance(valeur, np.bool_):
        valeur = bool(valeur)
    cellule = feuille.cell(row=ligne, column=colonne)
    cellule.value = valeur
    if isinstance(valeur, str):
        cellule.data_type = "s"  # openpyxl ferait d'« =… » une formule
        if valeur.startswith(DEBUTS_FORMULE):
            cellule.quotePrefix = True
    if format_nombre and valeur is not None:
        cellule.number_format = format_nombre
    return cellule


def _dollars(cents) -> float | None:
    if cents is None or cents is pd.NA or (isinstance(cents, float) and np.isnan(cents)):
        return None
    return int(cents) / 100


def _largeurs(feuille, en_tetes: list[str], lignes: list[list], depart: int = 1) -> None:
    from openpyxl.utils import get_column_letter

    for j, titre in enumerate(en_tetes):
        longueur = max(
            [len(str(titre))]
            + [
                len(f"{v:,.0f}") + 2 if isinstance(v, int | float) else len(str(v or ""))
                for v in (r[j] for r in lignes[:500])
            ]
        )
        feuille.column_dimensions[get_column_letter(depart + j)].width = min(
            max(longueur + 2, 8), 60
        )


def _tableau(feuille, nom: str, en_tetes: list[str], lignes: list[list], formats: dict, haut: int):
    """En-têtes en `haut`, lignes dessous, un tableau Excel avec filtres ; renvoie la
    dernière ligne écrite."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    for j, titre in enumerate(en_tetes, 1):
        ecrire(feuille, haut, j, titre).font = Font(bold=True)
    for i, ligne in enumerate(lignes, haut + 1):
        for j, valeur in enumerate(ligne, 1):
            ecrire(feuille, i, j, valeur, formats.get(en_tetes[j - 1]))
    fin = haut + max(len(lignes), 1)
    tableau = Table(
        displayName=nom,
        ref=f"A{haut}:{get_column_letter(len(en_tetes))}{fin}",
        tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True),
    )
    feuille.add_table(tableau)
    _largeurs(feuille, en_tetes, lignes)
    return fin


def _titre(feuille, texte: str, sous_titre: str = "") -> None:
    from openpyxl.styles import Font

    ecrire(feuille, 1, 1, texte).font = Font(bold=True, size=14)
    if sous_titre:
        ecrire(feuille, 2, 1, sous_titre).font = Font(italic=True, color="555555")


def lignes_classement(appel: Appel, table: pd.DataFrame) -> tuple[list[str], list[list], dict]:
    """(en-têtes, lignes, formats par en-tête) de la feuille Classement, quel que soit
    l'outil qui l'écrit (openpyxl ici ; xlsxwriter dans la mesure comparée)."""
    annees = financement.nombre_annees(appel)
    # En-têtes courts (« Pertinence ») : les libellés complets sont dans Paramètres.
    criteres = [(c.id, c.libelle.split(" ")[0]) for c in appel.criteres]
    en_tetes = ["Rang", "No de demande", "Titre", "Municipalité", "Région", "Axe", "Secteur"]
    en_tetes += [libelle for _, libelle in criteres]
    en_tetes += ["Total", "Évaluations", "Écart-type", "À discuter", "Statut"]
    for a in range(1, annees + 1):
        en_tetes += [f"Demandé an {a}", f"Recommandé an {a}", f"Accordé an {a}", f"Cumul an {a}"]
    en_tetes += ["Décision", "Justification"]
    regions = {r.code: r.nom for r in appel.regions}
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
            libelle_secteur(appel, r.get("secteur")),
        ]
        ligne += [r[f"note:{cid}"] for cid, _ in criteres]
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
    formats = {t: FORMAT_NOTE for _, t in criteres}
    formats.update({"Total": "0.00", "Écart-type": FORMAT_NOTE})
    formats.update(
        {
            t: FORMAT_MONTANT
            for t in en_tetes
            if t.split(" an ")[0] in ("Demandé", "Recommandé", "Accordé", "Cumul")
        }
    )
    return en_tetes, lignes, formats


def _feuille_classement(classeur, appel: Appel, table: pd.DataFrame, jour, poids) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Border, PatternFill, Side
    from openpyxl.utils import get_column_letter

    feuille = classeur.active
    feuille.title = "Classement"
    en_tetes, lignes, formats = lignes_classement(appel, table)
    criteres = [(c.id, c.libelle.split(" ")[0]) for c in appel.criteres]
    _titre(
        feuille,
        f"Classement — {appel.nom_court} — {date_lisible(jour)}",
        "Poids : "
        + ", ".join(f"{libelle} {poids[cid]:g}" for cid, libelle in criteres)
        + f" ; seuil {appel.seuil_global:g} / 100",
    )
    haut = 4
    fin = _tableau(feuille, "Classement", en_tetes, lignes, formats, haut)
    feuille.freeze_panes = feuille.cell(row=haut + 1, column=3)
    derniere_colonne = get_column_letter(len(en_tetes))
    colonne_statut = get_column_letter(en_tetes.index("Statut") + 1)
    zone = f"A{haut + 1}:{derniere_colonne}{fin}"
    for texte, couleur in ((financement.FINANCE, VERT), (financement.ATTENTE, ORANGE)):
        feuille.conditional_formatting.add(
            zone,
            FormulaRule(
                formula=[f'${colonne_statut}{haut + 1}="{texte}"'],
                fill=PatternFill(start_color=couleur, end_color=couleur, fill_type="solid"),
            ),
        )
    for texte in (regles.SOUS_SEUIL, regles.NON_EVALUE, regles.INADMISSIBLE):
        feuille.conditional_formatting.add(
            zone,
            FormulaRule(
                formula=[f'${colonne_statut}{haut + 1}="{texte}"'],
                fill=PatternFill(start_color=GRIS, end_color=GRIS, fill_type="solid"),
            ),
        )
    financees = [
        i for i, r in enumerate(table.to_dict("records")) if r["financement"] == financement.FINANCE
    ]
    if financees:
        ligne_excel = haut + 1 + financees[-1]
        trait = Side(style="thick", color="C00000")
        for j in range(1, len(en_tetes) + 1):
            feuille.cell(row=ligne_excel, column=j).border = Border(bottom=trait)
        rang = int(table.iloc[financees[-1]]["rang"])
        ecrire(feuille, 3, 1, f"Ligne de financement sous la ligne {ligne_excel} (rang {rang}).")


def _feuille_budget(classeur, appel: Appel, table: pd.DataFrame) -> None:
    feuille = classeur.create_sheet("Budget")
    b = portefeuille.budget(table, appel)
    en_tetes = ["Année", "Enveloppe", "Demandé", "Recommandé (ligne)", "Accordé (décisions)"]
    en_tetes += ["Restant (ligne)", "Restant (décisions)"]
    lignes = [
        [
            annee,
            *(
                _dollars(v)
                for v in b.loc[
                    annee,
                    [
                        "enveloppe",
                        "demande",
                        "recommande",
                        "accorde",
                        "restant_ligne",
                        "restant_decisions",
                    ],
                ]
            ),
        ]
        for annee in b.index
    ]
    _titre(feuille, f"Budget — {appel.nom_court}")
    _tableau(feuille, "Budget", en_tetes, lignes, {t: FORMAT_MONTANT for t in en_tetes[1:]}, 3)


def _feuille_repartition(classeur, appel, table, dimension: str, nom: str, populations=None):
    from openpyxl.chart import BarChart, Reference

    feuille = classeur.create_sheet(nom)
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
    formats = {
        "Demandé": FORMAT_MONTANT,
        "Financé": FORMAT_MONTANT,
        "Part de l'enveloppe": FORMAT_PART,
        "Note moyenne": FORMAT_NOTE,
        "Taux de succès": FORMAT_PART,
    }
    _titre(feuille, f"{nom} — {appel.nom_court}", "Montants selon la ligne de financement.")
    haut = 3
    fin = _tableau(
        feuille, nom.replace(" ", "_").replace("é", "e"), en_tetes, lignes, formats, haut
    )
    graphique = BarChart()
    graphique.type = "bar"
    graphique.title = f"Financé — {nom.lower()}"
    graphique.y_axis.title = "$"
    graphique.legend = None
    donnees = Reference(feuille, min_col=5, min_row=haut, max_row=fin)
    categories = Reference(feuille, min_col=1, min_row=haut + 1, max_row=fin)
    graphique.add_data(donnees, titles_from_data=True)
    graphique.set_categories(categories)
    graphique.height = max(7.5, 0.6 * len(lignes) + 3)
    graphique.width = 18
    feuille.add_chart(graphique, "J3")


def _feuille_evaluations(classeur, appel: Appel, evaluations: pd.DataFrame) -> None:
    feuille = classeur.create_sheet("Évaluations")
    criteres = list(appel.criteres)
    en_tetes = ["No de demande", "Évaluateur", "Statut"]
    en_tetes += [c.libelle for c in criteres] + ["Total", "Commentaire global"]
    en_tetes += [f"Commentaire : {c.libelle}" for c in criteres]
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
    formats = {c.libelle: FORMAT_NOTE for c in criteres} | {"Total": "0.00"}
    _titre(feuille, f"Évaluations — {appel.nom_court}", "Une ligne par évaluateur et par demande.")
    _tableau(feuille, "Evaluations", en_tetes, lignes, formats, 3)


def _feuille_parametres(
    classeur, appel: Appel, poids, auteur: str, instant: dt.datetime, n_evaluations: int, filtres
) -> None:
    feuille = classeur.create_sheet("Paramètres")
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
    _titre(feuille, f"Paramètres — {appel.nom_court}", "Comment ce classeur a été produit.")
    from openpyxl.styles import Font

    for i, (cle, valeur) in enumerate(lignes, 3):
        ecrire(feuille, i, 1, cle).font = Font(bold=True)
        ecrire(
            feuille,
            i,
            2,
            valeur,
            FORMAT_MONTANT if cle.startswith(("Enveloppe", "Plafond", "Bonification")) else None,
        )
    feuille.column_dimensions["A"].width = 34
    feuille.column_dimensions["B"].width = 90


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
    from openpyxl import Workbook

    livre = Workbook()
    _feuille_classement(livre, appel, table, instant.date(), poids)
    _feuille_budget(livre, appel, table)
    _feuille_repartition(livre, appel, table, "axe", "Par axe")
    _feuille_repartition(livre, appel, table, "secteur", "Par secteur")
    _feuille_repartition(livre, appel, table, "region", "Par région", populations)
    if evaluations is not None:
        _feuille_evaluations(livre, appel, evaluations)
    _feuille_parametres(livre, appel, poids, auteur, instant, n_evaluations, filtres)
    for feuille in livre.worksheets:  # à l'impression : paysage, toute la largeur sur la page
        feuille.page_setup.orientation = "landscape"
        feuille.page_setup.fitToWidth = 1
        feuille.page_setup.fitToHeight = 0
        feuille.sheet_properties.pageSetUpPr.fitToPage = True
    livre["Classement"].print_title_rows = "4:4"
    sortie = io.BytesIO()
    livre.save(sortie)
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
    return [v for v in valeurs if isinstance(v, str) and v.startswith(DEBUTS_FORMULE)]
