"""Le procès-verbal de la séance : une page HTML à lire à l'écran, et le même en PDF/A-3b
(WeasyPrint, `en_pdf`) avec le classeur du comité joint. L'appel, la date, les membres
présents, l'enveloppe, les décisions dans l'ordre du classement avec montants et
justifications, les demandes discutées en séance (et celles que la présidence a triées),
les récusations, les demandes inadmissibles et leurs raisons, les totaux par axe, secteur
et région, les paramètres appliqués et leur source, l'historique des pondérations et le
bloc de signature. Ce qu'il contient est lu de la base d'un coup
(`sorties.proces_verbaux`, une `ContenuProcesVerbal`) ; ici, rien ne lit la base.
Tout texte venu des données est
échappé, et neutralisé comme dans un CSV (evaluation/sorties/neutralisation.py) : un
tableur qui ouvre la page (Calc importe ses tableaux et évalue « =1+1 », même précédé d'une
espace) le lit comme du texte.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from evaluation.appels import demandeur, reglages
from evaluation.appels.configuration import Appel, lecture_annees_financieres
from evaluation.decision import classement as regles
from evaluation.decision import consensus, financement, portefeuille, seance
from evaluation.decision.tirage import TirageInscrit
from evaluation.notes.filtrage import RENVERSEMENT, Etat
from evaluation.socle.formats import date as date_lisible
from evaluation.socle.formats import (
    date_heure,
    heure,
    montant,
    note,
    pluriel,
    pourcentage,
    reglage,
)
from evaluation.sorties.neutralisation import neutraliser_texte

# À l'écran comme à l'impression : tableaux à largeur fixe (les colonnes courtes à la largeur
# de leur classe, `LARGEURS` ; les colonnes de texte se partagent le reste) dont le texte
# passe à la ligne plutôt que de sortir de la page.
STYLE = """
body { font-family: "Source Sans Pro", Arial, sans-serif; margin: 2cm; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin-top: 0.4em;
        table-layout: fixed; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; hyphens: auto; }
td.montant, th.montant, td.nombre, th.nombre { text-align: right; }
td.montant { white-space: nowrap; }
th.court { width: 2.8em; } th.moyen { width: 5.4em; } th.date { width: 6.6em; }
th.nombre { width: 5.8em; } th.montant { width: 6.8em; } th.etendu { width: 9em; }
table.signatures td { border: none; padding: 0 2em 0 0; }
.ligne { display: inline-block; min-width: 14em; border-bottom: 1px solid #222; }
.petit { color: #555; font-size: 0.9em; }
"""

# À l'impression (navigateur ou WeasyPrint, `en_pdf`) : format Lettre, comme les documents
# du gouvernement du Québec et le classeur (evaluation/sorties/classeur.py) ; marges de
# 2 cm ; « Page X de Y » ; en-têtes de tableau répétés à chaque page ; césure française ;
# les tableaux larges (décisions, consensus, tirages) sur des pages à l'italienne.
IMPRESSION = """
@page {
  size: letter; margin: 2cm 2cm 2.2cm 2cm;
  @bottom-left { content: string(titre-pv); font: 7.5pt "Liberation Sans", sans-serif;
                 color: #555; }
  @bottom-right { content: "Page " counter(page) " de " counter(pages);
                  font: 7.5pt "Liberation Sans", sans-serif; color: #555; }
}
@page large { size: letter landscape; }
@page haute { size: letter; }
body { margin: 0; font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
       font-size: 9.5pt; line-height: 1.25; overflow-wrap: anywhere; }
h1 { font-size: 15pt; string-set: titre-pv content(); }
h2 { font-size: 11.5pt; margin: 1.2em 0 0.3em; break-after: avoid; }
p, li { orphans: 2; widows: 2; }
table { font-size: 8pt; }
th, td { padding: 2px 4px; }
th { background: #eee; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
body > * { page: haute; }
body > .large { page: large; }
.signature { break-inside: avoid; }
table.signatures { font-size: 9.5pt; margin-top: 1em; }
"""

# Les classes de largeur d'une colonne (en-tête) : rang ou numéro d'ordre, code court,
# date, note, montant, texte court. Les autres colonnes (texte) se partagent le reste.
LARGEURS = ("court", "moyen", "date", "nombre", "montant", "etendu")
ALIGNEES_A_DROITE = ("nombre", "montant")
BLANC = "<span class='ligne'>&nbsp;</span>"


@dataclass(frozen=True)
class Signature:
    """Le bloc de signature : qui préside, qui tient le secrétariat de la séance, où et
    quand le procès-verbal est signé. Un champ vide laisse une ligne à remplir à la main."""

    presidence: str = ""
    secretariat: str = ""
    lieu: str = ""
    date: dt.date | None = None


@dataclass(frozen=True)
class Inadmissible:
    """Une demande que l'examen d'admissibilité a jugée inadmissible (issue 15) : ses raisons
    (les conditions à « non » et leur raison), qui l'a jugée et quand ; `renversement` :
    jugée par la présidence qui a renversé l'examen."""

    demande_id: int
    no_demande: str
    municipalite: str
    titre: str
    raisons: str
    par: str = ""
    le: dt.datetime | None = None
    renversement: bool = False


@dataclass(frozen=True, eq=False)
class ContenuProcesVerbal:
    """Tout ce que dit le procès-verbal d'une séance, lu d'un coup
    (`sorties.proces_verbaux.contenu_de_la_seance` le lit de la base) ; `proces_verbal` en
    fait la page HTML, `en_pdf` le PDF/A.

    `table` : le classement (`classement.classement`) ; `poids` : les pondérations en
    vigueur ; `presents` : les personnes présentes telles qu'on les nomme (comptes, et
    personnes sans compte avec leur fonction) ; `confirmations` (chemin → dernière
    confirmation) dit quels réglages l'administration a confirmés ; `ponderations`,
    l'historique des poids (qui, quand, pourquoi : `stockage.lire_ponderations`) ; `noms` :
    courriel → nom ; `recusations`, les conflits d'intérêts déclarés par le comité
    (`decision.declarations.recusations_du_comite`, et `present` : `comite.
    recusations_de_la_seance`) ; `discutees` : les demandes discutées en séance
    (`decision.seance.discutees`), seules listées sous « discutées » ; `non_discutees` :
    celles que la présidence a triées « non discutées, suivent le classement » ;
    `tirages`, les tirages au sort dans la zone grise faits pendant la séance
    (`decision.tirage.tenus_entre`) ; `notes_de_consensus` : les dernières notes de
    consensus inscrites (`consensus.en_table`), listées avec leurs motifs.

    `decisions_de_la_seance` : les décisions inscrites pendant la séance
    (`decisions_pendant`), chacune telle qu'inscrite alors ; None : l'état actuel des
    décisions. `decisions_hors_seance` compte celles inscrites hors de la séance.
    `fin_de_seance` : un conflit déclaré après n'est pas une récusation de cette séance.
    `conflits_leves` : les conflits du comité levés pendant la séance
    (`declarations.levees_du_comite`). `inadmissibles` : les demandes jugées inadmissibles
    (`inadmissibles`) ; None : celles que le classement dit inadmissibles, avec leur
    raison. `signature` : le bloc de signature."""

    appel: Appel
    table: pd.DataFrame
    jour: dt.date
    presents: Sequence[str]
    poids: Mapping[str, float]
    auteur: str
    confirmations: Mapping[str, dict] | None = None
    ponderations: Sequence[dict] = ()
    noms: Mapping[str, str] = field(default_factory=dict)
    recusations: Sequence[Mapping] = ()
    discutees: Sequence[int] = ()
    non_discutees: Sequence[int] = ()
    tirages: Sequence[TirageInscrit] = ()
    notes_de_consensus: pd.DataFrame | None = None
    decisions_de_la_seance: Sequence[Mapping] | None = None
    decisions_hors_seance: int = 0
    fin_de_seance: dt.datetime | None = None
    conflits_leves: Sequence[Mapping] = ()
    inadmissibles: Sequence[Inadmissible] | None = None
    signature: Signature = Signature()


def _e(valeur: object) -> str:
    if valeur is None or (isinstance(valeur, float) and pd.isna(valeur)) or valeur is pd.NA:
        return ""
    return html.escape(str(neutraliser_texte(valeur)))


def _table(
    en_tetes: list[str],
    lignes: Iterable[list],
    montants: Iterable[int] = (),
    largeurs: Mapping[int, str] | None = None,
) -> str:
    """Un tableau : `montants`, les colonnes de montants (à droite) ; `largeurs`, colonne →
    classe de largeur (`LARGEURS`), que la feuille d'impression donne à l'en-tête (la mise
    en page fixe des tableaux imprimés prend les largeurs de la première ligne)."""
    classes = dict(largeurs or {}) | dict.fromkeys(montants, "montant")

    def cellule(balise: str, j: int, valeur: object) -> str:
        classe = classes.get(j, "")
        if balise == "td" and classe not in ALIGNEES_A_DROITE:
            classe = ""
        ouvrante = f'<{balise} class="{classe}">' if classe else f"<{balise}>"
        return f"{ouvrante}{_e(valeur)}</{balise}>"

    tete = "".join(cellule("th", j, t) for j, t in enumerate(en_tetes))
    corps = "".join(
        "<tr>" + "".join(cellule("td", j, v) for j, v in enumerate(ligne)) + "</tr>"
        for ligne in lignes
    )
    return f"<table><thead><tr>{tete}</tr></thead><tbody>{corps}</tbody></table>"


def inadmissibles(
    table: pd.DataFrame, admissibilite: Mapping[int, Etat], noms: Mapping[str, str]
) -> list[Inadmissible]:
    """Les demandes que le classement dit inadmissibles, dans son ordre (par numéro), avec
    les raisons de l'examen et qui l'a fait, quand (`admissibilite` : demande_id → dernier
    examen, `notes.filtrage.etats`)."""
    lignes = []
    for r in table[table["statut"] == regles.INADMISSIBLE].to_dict("records"):
        etat = admissibilite.get(int(r["demande_id"]))
        lignes.append(
            Inadmissible(
                int(r["demande_id"]),
                str(r["no_demande"]),
                r.get("municipalite") or "",
                r.get("titre") or "",
                (etat.raison if etat else "") or r.get("raison") or "",
                noms.get(etat.auteur, etat.auteur) if etat else "",
                etat.date if etat else None,
                bool(etat and etat.nature == RENVERSEMENT),
            )
        )
    return lignes


def proces_verbal(contenu: ContenuProcesVerbal) -> str:
    """Le procès-verbal en HTML autonome (styles compris, aucune ressource externe), à lire
    à l'écran ; sa feuille d'impression (`IMPRESSION`) sert au PDF (`en_pdf`) comme au
    navigateur qui l'imprime. Ce qu'il contient : voir `ContenuProcesVerbal`.

    « Total » est la note qui classe ([classement] note_retenue) ; la note des évaluateurs
    et celle du consensus sont à côté dans le tableau des décisions (issue 16).

    Le procès-verbal d'une séance (issue 16) : les décisions inscrites pendant la séance
    remplacent l'état actuel des décisions dans « Recommandations du comité », leurs totaux
    et les totaux par axe, secteur et région."""
    c = contenu
    appel, table, jour, auteur, poids = c.appel, c.table, c.jour, c.auteur, c.poids
    noms = c.noms or {}
    decisions_de_la_seance = c.decisions_de_la_seance
    decisions_hors_seance = c.decisions_hors_seance
    annees = financement.nombre_annees(appel)
    periodes = [f"{d.year}-{f.year}" for d, f in appel.financement.annees_financieres()[:annees]]
    morceaux = [
        "<!DOCTYPE html><html lang='fr-CA'><head><meta charset='utf-8'>",
        f"<title>Procès-verbal — {_e(appel.nom_court)}</title>",
        f"<meta name='author' content='{_e(auteur)}'>",
        f"<meta name='description' content='Séance du {_e(date_lisible(jour))} — {_e(appel.nom)}'>",
        f"<style>{STYLE}@media print {{{IMPRESSION}}}</style></head><body>",
        f"<h1>Procès-verbal du comité de sélection</h1><p><strong>{_e(appel.nom)}</strong><br>",
        f"Séance du {_e(date_lisible(jour))} · rédigé par {_e(auteur)}</p>",
        "<h2>Membres présents</h2><ul>"
        + "".join(f"<li>{_e(p)}</li>" for p in c.presents)
        + "</ul>",
        "<h2>Enveloppe</h2>"
        + _table(
            ["Année", "Enveloppe"],
            [[p, montant(e)] for p, e in zip(periodes, appel.financement.enveloppe, strict=False)],
            [1],
        )
        + f"<p>{_e(lecture_annees_financieres(appel.financement))}</p>",
    ]
    de_la_seance = decisions_de_la_seance is not None
    if de_la_seance:
        table_decisions = _table_de_la_seance(table, decisions_de_la_seance, annees, noms)
    else:
        table_decisions = table
    decidees = table_decisions[table_decisions["decision"].astype(str) != ""]
    # Issue 16 : une décision « retenu » dont le montant n'est plus la recommandation.
    ecarts = financement.mentions_d_ecart(decidees, annees)
    lignes = []
    for r, ecart in zip(decidees.to_dict("records"), ecarts, strict=True):
        evaluateurs = r.get("total_evaluateurs", r["total"])
        lignes.append(
            [
                "" if pd.isna(r["rang"]) else int(r["rang"]),
                r["no_demande"],
                demandeur.nom(appel, r),
                r.get("titre") or "",
                note(r["total"], ""),
                note(evaluateurs, ""),
                _texte_consensus(r.get("total_consensus"), r.get("note_classee", "")),
                r["decision"],
                *(montant(int(r.get(f"accorde_an{a + 1}") or 0)) for a in range(annees)),
                r.get("justification") or "",
                *([r.get("inscrite_par") or ""] if de_la_seance else []),
                ecart,
            ]
        )
    titre_decisions = (
        "Recommandations du comité inscrites pendant la séance, dans l'ordre du classement"
        if de_la_seance
        else "Recommandations du comité, dans l'ordre du classement"
    )
    retenues = decidees[decidees["decision"] == financement.RETENU]
    totaux = [
        montant(int(pd.to_numeric(retenues[f"accorde_an{a + 1}"], errors="coerce").fillna(0).sum()))
        for a in range(annees)
    ]
    bilan = (
        ("<p>Retenues pendant la séance" if de_la_seance else "<p>Retenues")
        + f" : {len(retenues)} · accordé : "
        + " ; ".join(f"{p} {t}" for p, t in zip(periodes, totaux, strict=True))
        + "</p>"
    )
    if n_ecarts := sum(bool(e) for e in ecarts):
        bilan += (
            f"<p>{_e(pluriel(n_ecarts, 'décision', 'décisions'))} "
            f"{'accorde' if n_ecarts == 1 else 'accordent'} un autre montant que la "
            "recommandation en vigueur (colonne « Écart à la recommandation »).</p>"
        )
    morceaux.append(
        "<div class='large'>"
        f"<h2>{titre_decisions} ({len(lignes)})</h2>"
        + (
            "<p class='petit'>Chaque décision telle qu'elle a été inscrite pendant la séance "
            "(la dernière inscrite pour la demande entre l'ouverture et la fermeture), non "
            "l'état actuel. "
            + (
                _e(
                    f"{pluriel(decisions_hors_seance, 'décision inscrite', 'décisions inscrites')} "
                    "hors de cette séance n'y "
                    + ("figure pas" if decisions_hors_seance < 2 else "figurent pas")
                    + " : "
                )
                if decisions_hors_seance
                else ""
            )
            + "le classeur donne l'état actuel des décisions.</p>"
            if de_la_seance
            else ""
        )
        + (
            _table(
                ["Rang", "No", demandeur.libelle_court(appel), "Titre", "Total"]
                + [consensus.libelle_note_evaluateurs(appel), consensus.NOTE_DE_CONSENSUS]
                + ["Décision"]
                + [f"Accordé {p}" for p in periodes]
                + ["Justification"]
                + (["Inscrite par"] if de_la_seance else [])
                + ["Écart à la recommandation"],
                lignes,
                range(8, 8 + annees),
                {0: "court", 1: "moyen", 4: "nombre", 5: "nombre", 6: "nombre", 7: "date"},
            )
            if lignes
            else "<p>Aucune décision consignée"
            + (" pendant cette séance" if de_la_seance else "")
            + ".</p>"
        )
        + bilan
        + "</div>"
    )
    par_id = table.set_index(table["demande_id"].astype(int), drop=False)
    vues = [int(d) for d in c.discutees if int(d) in par_id.index]
    lignes_discutees = []
    for d in vues:
        r = par_id.loc[d]
        raisons = [
            f"{x.libelle} : étendue {note(x.etendue)} (seuil {reglage(x.seuil)})"
            for x in seance.divergences(r, appel)
        ]
        lignes_discutees.append(
            [
                "" if pd.isna(r["rang"]) else int(r["rang"]),
                r["no_demande"],
                demandeur.nom(appel, r),
                note(r["total"], ""),
                " ; ".join(raisons),
            ]
        )
    morceaux.append(
        f"<h2>Demandes discutées en séance ({len(lignes_discutees)})</h2>"
        + (
            _table(
                [
                    "Rang",
                    "No",
                    demandeur.libelle_court(appel),
                    "Total",
                    "Divergence des évaluateurs",
                ],
                lignes_discutees,
                largeurs={0: "court", 1: "moyen", 3: "nombre"},
            )
            if lignes_discutees
            else "<p>Aucune.</p>"
        )
    )
    morceaux.append(_consensus(appel, table, c.notes_de_consensus))
    morceaux.append(_recusations(table, c.recusations, c.fin_de_seance))
    if de_la_seance or c.conflits_leves:
        morceaux.append(_levees(table, c.conflits_leves, noms))
    if appel.tirage_zone_grise or c.tirages:
        morceaux.append(_tirages(c.tirages, periodes, noms, appel))
    triees = [int(d) for d in c.non_discutees if int(d) in par_id.index]
    if triees:
        morceaux.append(
            f"<h2>Non discutées, suivent le classement ({len(triees)})</h2>"
            + _table(
                ["Rang", "No", demandeur.libelle_court(appel), "Total"],
                [
                    [
                        "" if pd.isna(par_id.loc[d, "rang"]) else int(par_id.loc[d, "rang"]),
                        par_id.loc[d, "no_demande"],
                        demandeur.nom(appel, par_id.loc[d]),
                        "" if pd.isna(par_id.loc[d, "total"]) else note(par_id.loc[d, "total"]),
                    ]
                    for d in triees
                ],
                largeurs={0: "court", 1: "moyen", 3: "nombre"},
            )
        )
    morceaux.append(
        _inadmissibles(
            inadmissibles(table, {}, noms) if c.inadmissibles is None else c.inadmissibles, table
        )
    )
    # Les dimensions de classement de l'appel : l'axe et le secteur s'il en déclare, la
    # région, chaque dimension de [[dimensions]] (issue 18).
    titres = {"axe": "axe", "secteur": "secteur", "region": "région"}
    for dimension, libelle in portefeuille.dimensions_de(appel).items():
        titre = titres.get(dimension, libelle[:1].lower() + libelle[1:])
        # Le procès-verbal dit ce que le comité a recommandé, sans la décision du ministère.
        r = portefeuille.repartition(
            table_decisions, appel, dimension, portefeuille.RECOMMANDATIONS
        )
        morceaux.append(
            f"<h2>Totaux par {_e(titre)} "
            + ("(décisions inscrites pendant la séance)" if de_la_seance else "(décisions)")
            + "</h2>"
            + _table(
                [titre.capitalize(), "Demandes", "Retenues", "Accordé", "Part de l'enveloppe"],
                [
                    [
                        x["libelle"],
                        x["demandes"],
                        x["financees"],
                        montant(int(x["finance"])),
                        "" if pd.isna(x["part_enveloppe"]) else pourcentage(x["part_enveloppe"]),
                    ]
                    for x in r.to_dict("records")
                ],
                [3, 4],
                {1: "nombre", 2: "nombre"},
            )
        )
    morceaux.append(
        "<h2>Paramètres appliqués</h2><ul>"
        + "".join(
            f"<li>{_e(t)}</li>"
            for t in [
                "Poids : "
                + ", ".join(f"{x.libelle} {reglage(poids[x.id])}" for x in appel.criteres),
                f"Seuil : {reglage(appel.seuil_global)} / 100 ; agrégation : {appel.agregation}",
                "Départage : "
                + " ; puis ".join(
                    regles.libelle_regle(x, appel) for x in regles.regles_departage(appel)
                ),
                "Montant recommandé : " + financement.regle_en_une_phrase(appel),
                f"Ligne de financement : {appel.mode_ligne}",
                consensus.regle_lisible(appel),
                "Quorum : "
                + (
                    f"{appel.quorum} membres présents sans conflit d'intérêts"
                    if appel.quorum
                    else "non vérifié"
                ),
                "Tirage au sort dans la zone grise : "
                + ("permis (réglage du comité)" if appel.tirage_zone_grise else "non"),
            ]
        )
        + "</ul>"
    )
    morceaux.append(_sources(appel, c.confirmations))
    morceaux.append(_historique(appel, c.ponderations, noms))
    morceaux.append(_signatures(c.signature))
    morceaux.append(
        "<p class='petit'>Document produit par le tableau de bord d'évaluation.</p>"
        + "</body></html>"
    )
    return "".join(morceaux)


def _inadmissibles(lignes: Sequence[Inadmissible], table: pd.DataFrame) -> str:
    """Les demandes jugées inadmissibles, avec les raisons de l'examen, qui l'a fait et
    quand ; et combien restent « admissibilité à établir » (ni classées ni écartées)."""
    a_etablir = int((table["statut"] == regles.A_ETABLIR).sum()) if "statut" in table else 0
    return (
        f"<h2>Demandes inadmissibles ({len(lignes)})</h2>"
        + (
            "<p class='petit'>Jugées inadmissibles à l'examen d'admissibilité : elles ne sont "
            "ni notées ni classées.</p>"
            + _table(
                ["No", "Municipalité", "Titre", "Raisons", "Jugée par", "Le"],
                [
                    [
                        x.no_demande,
                        x.municipalite,
                        x.titre,
                        x.raisons,
                        (x.par + " (renversement)") if x.renversement else x.par,
                        "" if x.le is None else date_lisible(x.le.date()),
                    ]
                    for x in lignes
                ],
                largeurs={0: "moyen", 4: "etendu", 5: "date"},
            )
            if lignes
            else "<p>Aucune demande jugée inadmissible.</p>"
        )
        + (
            f"<p class='petit'>{_e(pluriel(a_etablir, 'demande', 'demandes'))} dont "
            "l'admissibilité reste à établir (ni classées ni écartées).</p>"
            if a_etablir
            else ""
        )
    )


def _signatures(s: Signature) -> str:
    """Le bloc de signature : présidence et secrétariat, lieu et date ; une ligne à remplir
    à la main pour ce qui n'est pas donné, et pour chaque signature."""

    def ou_blanc(texte: str) -> str:
        return _e(texte) if texte.strip() else BLANC

    quand = date_lisible(s.date) if s.date else ""
    return (
        "<div class='signature'><h2>Signatures</h2>"
        f"<p>Fait à {ou_blanc(s.lieu)}, le {ou_blanc(quand)}.</p>"
        "<table class='signatures'><tbody><tr>"
        + "".join(
            f"<td><strong>{role}</strong><br>{ou_blanc(nom)}<br><br><br>Signature : {BLANC}</td>"
            for role, nom in (
                ("Présidence du comité", s.presidence),
                ("Secrétariat de la séance", s.secretariat),
            )
        )
        + "</tr></tbody></table></div>"
    )


def en_pdf(
    contenu: ContenuProcesVerbal,
    *,
    classeur: bytes | None = None,
    nom_classeur: str = "classeur.xlsx",
) -> bytes:
    """Le procès-verbal en PDF/A-3b (WeasyPrint, feuille `IMPRESSION`), polices incorporées ;
    `classeur` (le classeur du comité, `sorties.classeur.classeur`) y est joint sous
    `nom_classeur`, comme données du document (AFRelationship /Data : les tableaux du
    procès-verbal en sont tirés). Aucune ressource n'est chargée : la page n'en demande
    aucune, et un texte venu des données qui en nommerait une est refusé."""
    import weasyprint  # ~0,5 s à l'import : seulement quand un PDF est demandé

    def aucune_ressource(url: str, *args, **kwargs):
        raise ValueError(f"ressource externe refusée : {url}")

    pieces = []
    if classeur is not None:
        pieces.append(
            weasyprint.Attachment(
                string=classeur,
                name=nom_classeur,
                description="Classeur du comité (classement, décisions, paramètres)",
                relationship="Data",
            )
        )

    def une_fois_chaque_piece(document, pdf) -> None:
        # WeasyPrint 70.0 met deux fois la même pièce jointe dans /AF du catalogue (par la
        # liste des fichiers joints, puis par chaque Filespec) : une seule suffit.
        if "AF" in pdf.catalog:
            pdf.catalog["AF"] = type(pdf.catalog["AF"])(dict.fromkeys(pdf.catalog["AF"]))

    return weasyprint.HTML(string=proces_verbal(contenu), url_fetcher=aucune_ressource).write_pdf(
        pdf_variant="pdf/a-3b", attachments=pieces, finisher=une_fois_chaque_piece
    )


def decisions_pendant(
    historique: Iterable[Mapping], debut: dt.datetime, fin: dt.datetime | None
) -> tuple[list[dict], int]:
    """Les décisions inscrites pendant une séance (de `debut` à `fin` inclus ; séance
    ouverte, `fin` None : jusqu'à maintenant) : pour chaque demande, la dernière inscrite
    dans la fenêtre, telle qu'inscrite (`stockage.lire_historique_decisions`, dans l'ordre
    d'inscription) ; et le nombre de décisions inscrites hors de la séance."""
    dernieres: dict[int, dict] = {}
    hors = 0
    for x in historique:
        if x["date"] >= debut and (fin is None or x["date"] <= fin):
            dernieres[int(x["demande_id"])] = dict(x)
        else:
            hors += 1
    return list(dernieres.values()), hors


def _table_de_la_seance(
    table: pd.DataFrame, decisions: Sequence[Mapping], annees: int, noms: Mapping[str, str]
) -> pd.DataFrame:
    """Le classement dont les décisions sont celles de la séance, telles qu'inscrites alors
    (décision, montants, justification, auteur) ; les autres demandes sans décision."""
    par_demande = {int(x["demande_id"]): x for x in decisions}
    copie = table.copy()
    ids = copie["demande_id"].astype(int)

    def colonne(f):
        return [f(par_demande[d]) if d in par_demande else None for d in ids]

    copie["decision"] = [v or "" for v in colonne(lambda x: x["decision"])]
    for a in range(1, annees + 1):
        copie[f"accorde_an{a}"] = pd.array(
            colonne(lambda x, a=a: x.get(f"montant_an{a}")), dtype="Int64"
        )
    copie["justification"] = [v or "" for v in colonne(lambda x: x.get("justification"))]
    copie["inscrite_par"] = [
        "" if v is None else noms.get(v, v) for v in colonne(lambda x: x.get("auteur"))
    ]
    return copie


def _levees(table: pd.DataFrame, levees: Sequence[Mapping], noms: Mapping[str, str]) -> str:
    """Issue 16 : les conflits d'intérêts du comité levés pendant la séance, par qui et
    pourquoi (le journal)."""
    numeros = dict(zip(table["demande_id"].astype(int), table["no_demande"], strict=True))
    lignes = [
        [
            numeros.get(int(x["demande_id"]), ""),
            x["nom"],
            x["raison"],
            "" if x.get("date") is None else heure(x["date"]),
            noms.get(x["auteur"], x["auteur"]),
            x["motif"],
        ]
        for x in levees
    ]
    return f"<h2>Conflits d'intérêts levés pendant la séance ({len(lignes)})</h2>" + (
        _table(
            ["No", "Nom", "Conflit déclaré", "Heure", "Levé par", "Raison de la levée"],
            lignes,
            largeurs={0: "moyen", 3: "court"},
        )
        if lignes
        else "<p>Aucun.</p>"
    )


def _texte_consensus(total: object, note_classee: object) -> str:
    """Le total de consensus à la française (« 82,50 »), « sans consensus » ou vide."""
    if total is not None and not pd.isna(total):
        return note(float(total))
    return consensus.texte_consensus(None, str(note_classee or ""))


def _consensus(appel: Appel, table: pd.DataFrame, notes: pd.DataFrame | None) -> str:
    """Les notes de consensus inscrites en séance, par demande dans l'ordre du classement :
    la note de chaque critère et les motifs (les derniers inscrits)."""
    if notes is None or not len(notes):
        return ""
    ordre = {int(d): i for i, d in enumerate(table["demande_id"].astype(int))}
    numeros = dict(zip(table["demande_id"].astype(int), table["no_demande"], strict=True))
    lignes = []
    for d, groupe in sorted(
        notes.groupby("demande_id"), key=lambda x: ordre.get(int(x[0]), len(ordre))
    ):
        if int(d) not in numeros:
            continue
        par_critere = dict(zip(groupe["critere"], groupe["note"], strict=True))
        dernier = groupe.sort_values("id").iloc[-1]
        lignes.append(
            [
                numeros[int(d)],
                *(
                    "" if c.id not in par_critere else note(float(par_critere[c.id]))
                    for c in appel.criteres
                ),
                dernier["justification"],
            ]
        )
    return (
        f"<div class='large'><h2>Notes de consensus ({len(lignes)})</h2>"
        + _table(
            ["No", *(c.libelle for c in appel.criteres), "Motifs"],
            lignes,
            largeurs={0: "moyen"} | {1 + j: "nombre" for j in range(len(appel.criteres))},
        )
        + "</div>"
    )


def _recusations(
    table: pd.DataFrame, recusations: Sequence[Mapping], fin: dt.datetime | None = None
) -> str:
    """Issue 16 : pour chaque demande, dans l'ordre du classement, qui du comité a déclaré
    un conflit d'intérêts (nom, rôle, raison, date) et s'est donc retiré de sa délibération
    et de sa décision ; s'il était présent à la séance (`present`, quand il est connu :
    `comite.recusations_de_la_seance`) ; et toute décision qu'il a inscrite sur la demande
    avant sa déclaration (`decide_avant`), que le comité doit revoir.

    `fin` : la fin de la séance. Un conflit déclaré après n'est pas une récusation de
    cette séance ; si la personne y était présente, il est listé à part : elle a pris part à
    la délibération, qui est à revoir."""
    ordre = {int(d): i for i, d in enumerate(table["demande_id"])}
    colonnes = ["demande_id", "no_demande", "municipalite"]
    infos = {int(r["demande_id"]): r for r in table[colonnes].to_dict("records")}

    def remarque(x: Mapping) -> str:
        morceaux = []
        if x.get("present") is True:
            morceaux.append("présent à la séance, sorti de la salle")
        elif x.get("present") is False:
            morceaux.append("absent de la séance")
        if avant := x.get("decide_avant"):
            jours = ", ".join(dict.fromkeys(date_lisible(d.date()) for d in avant))
            morceaux.append(
                f"avait inscrit une décision sur la demande ({jours}) avant sa déclaration : "
                "décision à revoir par le comité"
            )
        if x.get("levee") is not None:
            morceaux.append(f"conflit levé depuis, le {date_lisible(x['levee'].date())}")
        return " ; ".join(morceaux)

    def ligne(x: Mapping, note: str) -> list:
        return [
            infos[int(x["demande_id"])]["no_demande"],
            infos[int(x["demande_id"])].get("municipalite") or "",
            x["nom"],
            x["role"],
            x["raison"],
            "" if x.get("date") is None else date_lisible(x["date"].date()),
            note,
        ]

    def apres(x: Mapping) -> bool:
        return fin is not None and x.get("date") is not None and x["date"] > fin

    triees = sorted(
        (x for x in recusations if int(x["demande_id"]) in ordre),
        key=lambda x: (ordre[int(x["demande_id"])], str(x["nom"]).casefold()),
    )
    lignes = [ligne(x, remarque(x)) for x in triees if not apres(x)]
    tardifs = [
        ligne(
            x,
            " ; ".join(
                [
                    "conflit déclaré après cette séance, où la personne était présente : "
                    "la délibération de la demande est à revoir"
                ]
                + ([m] if (m := remarque({**x, "present": None})) else [])
            ),
        )
        for x in triees
        if apres(x) and x.get("present") is True
    ]
    en_tetes = ["No", "Municipalité", "Nom", "Rôle", "Raison", "Déclaré le", "Remarque"]
    largeurs = {0: "moyen", 5: "date"}
    return (
        f"<h2>Récusations ({len(lignes)})</h2>"
        + (
            "<p class='petit'>Membres du comité en conflit d'intérêts déclaré : ils sont "
            "sortis de la salle pendant la délibération de la demande et n'ont pas pris part "
            "à sa décision.</p>" + _table(en_tetes, lignes, largeurs=largeurs)
            if lignes
            else "<p>Aucun conflit d'intérêts déclaré par le comité.</p>"
        )
        + (
            f"<h2>Conflits déclarés après la séance ({len(tardifs)})</h2>"
            "<p class='petit'>Personnes présentes à cette séance qui ont déclaré ensuite un "
            "conflit d'intérêts sur une demande : elles n'étaient pas récusées pendant la "
            "séance.</p>" + _table(en_tetes, tardifs, largeurs=largeurs)
            if tardifs
            else ""
        )
    )


def _tirages(
    tirages: Sequence[TirageInscrit], periodes: list[str], noms, appel: Appel | None = None
) -> str:
    """Issue 16, point 7 : chaque tirage au sort de la séance, avec sa graine, ses
    candidates, l'ordre tiré, les gagnantes et le reste de l'enveloppe, et s'il se rejoue
    conforme (`python -m evaluation tirage verifier` refait la même vérification)."""
    lignes = []
    for t in tirages:
        e = t.enregistrement or {}
        ecarts = t.ecarts(appel)

        def reste(cle, e=e):
            return " ; ".join(
                f"{p} {montant(int(v))}" for p, v in zip(periodes, e.get(cle, []), strict=False)
            )

        lignes.append(
            [
                t.numero,
                heure(t.date),
                noms.get(t.auteur, t.auteur),
                f"{e.get('graine', '?')} ({t.origine_graine})",
                ", ".join(str(c[0]) for c in e.get("candidates", [])),
                reste("restant_avant"),
                ", ".join(map(str, e.get("ordre", []))),
                ", ".join(map(str, e.get("gagnantes", []))) or "aucune",
                reste("restant_apres"),
                t.raison,
                "conforme" if not ecarts else "NON CONFORME : " + " ; ".join(ecarts),
            ]
        )
    return (
        f"<div class='large'><h2>Tirages au sort dans la zone grise ({len(lignes)})</h2>"
        + (
            "<p class='petit'>Réglage du comité : l'appel ne prévoit aucun tirage au sort ; "
            "modèle, le tirage au sort partiel du Fonds national suisse. Les candidates sont "
            "celles de la zone grise au moment du tirage ; l'ordre est la permutation que donne "
            "la graine, et le reste de l'enveloppe va, dans cet ordre, à celles qui y tiennent.</p>"
            + _table(
                [
                    "N°",
                    "Heure",
                    "Par",
                    "Graine",
                    "Candidates",
                    "Reste avant",
                    "Ordre tiré",
                    "Gagnantes",
                    "Reste après",
                    "Raison d'un nouveau tirage",
                    "Rejeu",
                ],
                lignes,
                largeurs={0: "court", 1: "moyen"},
            )
            if lignes
            else "<p>Aucun tirage au sort pendant la séance.</p>"
        )
        + "</div>"
    )


def _sources(appel: Appel, confirmations: Mapping[str, dict] | None) -> str:
    """Chaque réglage avec sa source : la phrase de l'appel qui le fixe, le choix du comité,
    ou l'interprétation retenue ; et s'il est confirmé par l'administration."""

    def etat(r) -> str:
        return reglages.etat_confirmation(r, confirmations, lambda d: date_lisible(d.date()))

    return "<h2>Sources des réglages</h2>" + _table(
        ["Réglage", "Valeur", "Source", "Citation, lecture ou note", "Confirmation"],
        [
            [
                r.libelle,
                r.valeur_lisible,
                r.source.libelle if r.source else "",
                r.source.precision if r.source else "",
                etat(r),
            ]
            for r in appel.reglages
        ],
        largeurs={0: "etendu", 2: "date", 4: "etendu"},
    )


def _historique(appel: Appel, ponderations, noms: Mapping[str, str]) -> str:
    """Les pondérations de l'appel puis chaque changement : qui, quand, pourquoi."""
    return "<h2>Historique des pondérations</h2>" + _table(
        ["Date", "Par", "Poids", "Raison", "Après la notation"],
        [
            [
                "—" if h["date"] is None else date_heure(h["date"]),
                h["auteur"],
                h["poids"],
                h["raison"],
                "oui" if h["apres_notation"] else "",
            ]
            for h in regles.historique_poids(appel, ponderations, noms)
        ],
        largeurs={0: "etendu", 1: "etendu", 4: "moyen"},
    )
