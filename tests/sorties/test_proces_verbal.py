"""Le procès-verbal de la séance (evaluation/sorties/proces_verbal.py) : une page HTML
autonome, relue par html.parser puis par LibreOffice. Le jeu est celui de test_classeur (voir
son en-tête) :
T-002 retenu à 30 000 $ + 30 000 $, T-001 refusé (à discuter), T-003 retenu à 18 000,50 $.
En séance, T-001 puis T-002 ont été discutées ; T-003, triée, suit le classement.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser

import pikepdf
import pytest
from openpyxl import load_workbook

from evaluation.appels.configuration import Dimension, ValeurDimension, charger_appel
from evaluation.decision import consensus, financement
from evaluation.socle import stockage
from evaluation.socle.formats import montant
from evaluation.sorties import classeur as exportation
from evaluation.sorties.proces_verbal import (
    ContenuProcesVerbal,
    Inadmissible,
    Signature,
    decisions_pendant,
    en_pdf,
    inadmissibles,
    proces_verbal,
)
from tests.conftest import manque
from tests.sorties import test_classeur as te

NBSP = "\u00a0"
JOUR = dt.date(2026, 11, 24)
PRESENTS = ["Paule Présidente", "Éva Lachance", "Luc Gagnon", "Marie Roy (secrétaire)"]
AUTEUR = "Paule Présidente"
# Du HTML venu des données : il doit rester du texte.
SCRIPT = "<script>alert('pv')</script>"
IMAGE = '<img src="http://x/espion.png" onerror="alert(1)">'
FERMETURE = "</td></tr></table><h1>Faux titre</h1>"
BALISES_PERMISES = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "p",
    "strong",
    "br",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "div",  # une section imprimée sur une page à l'italienne ; le bloc de signature
    "span",  # une ligne à remplir à la main
}


def dollars(texte: str) -> str:
    """Les montants et pourcentages de `texte` (« 25 000 $ », « 63,2 % ») écrits comme
    evaluation.socle.formats : espaces insécables (U+00A0) entre les milliers et devant l'unité."""
    return re.sub(
        r"(?<![\d-])\d{1,3}(?: \d{3})*(?:,\d+)? [$%]", lambda m: m.group().replace(" ", NBSP), texte
    )


class Lecture(HTMLParser):
    """Le texte de la page (hors <style>), ses balises, et par section (<h2>) : ses lignes
    de tableau, ses éléments de liste et ses paragraphes."""

    BLOCS = frozenset({"p", "h1", "h2", "li", "tr", "br", "title", "table"})

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.balises: list[str] = []
        self.attributs: list[tuple[str, str | None]] = []
        self.morceaux: list[str] = []
        self.sections: dict[str, dict[str, list]] = {}
        self.h1: list[str] = []
        self._section = "début"
        self._pile: list[str] = []
        self._ligne: list[str] | None = None
        self._tampon: list[str] | None = None
        self.feed(page)
        self.close()

    @property
    def texte(self) -> str:
        return "".join(self.morceaux)

    def _partie(self) -> dict[str, list]:
        return self.sections.setdefault(
            self._section, {"lignes": [], "elements": [], "paragraphes": []}
        )

    def handle_starttag(self, tag, attrs):
        self.balises.append(tag)
        self.attributs += attrs
        if tag in self.BLOCS:
            self.morceaux.append("\n")
        if tag in ("td", "th"):
            self.morceaux.append(" | ")
        if tag == "tr":
            self._ligne = []
        if tag in ("td", "th", "h1", "h2", "li", "p"):
            self._tampon = []
        if tag != "br":
            self._pile.append(tag)

    def handle_endtag(self, tag):
        if self._pile and self._pile[-1] == tag:
            self._pile.pop()
        texte = "".join(self._tampon or [])
        if tag in ("td", "th") and self._ligne is not None:
            self._ligne.append(texte)
        elif tag == "tr" and self._ligne is not None:
            self._partie()["lignes"].append(self._ligne)
            self._ligne = None
        elif tag == "h2":
            self._section = texte
        elif tag == "h1":
            self.h1.append(texte)
        elif tag == "li":
            self._partie()["elements"].append(texte)
        elif tag == "p":
            self._partie()["paragraphes"].append(texte)
        if tag in ("td", "th", "h1", "h2", "li", "p"):
            self._tampon = None

    def handle_data(self, data):
        if "style" in self._pile:
            return
        self.morceaux.append(data)
        if self._tampon is not None:
            self._tampon.append(data)


@pytest.fixture(scope="module")
def jeu(tmp_path_factory):
    moteur = stockage.creer_moteur(f"sqlite:///{tmp_path_factory.mktemp('pv') / 'base.sqlite'}")
    try:
        return te.construire(moteur, te.appel_du_jeu())
    finally:
        moteur.dispose()


def ids(jeu) -> dict[str, int]:
    return dict(zip(jeu.table["no_demande"], jeu.table["demande_id"].astype(int), strict=True))


def rediger(jeu, table=None, **options) -> str:
    return proces_verbal(contenu(jeu, table, **options))


def contenu(jeu, table=None, **options) -> ContenuProcesVerbal:
    valeurs = {
        "jour": JOUR,
        "presents": PRESENTS,
        "poids": jeu.donnees.poids,
        "auteur": AUTEUR,
        "discutees": [ids(jeu)["T-001"], ids(jeu)["T-002"]],
        "non_discutees": [ids(jeu)["T-003"]],
    }
    return ContenuProcesVerbal(
        jeu.appel, jeu.table if table is None else table, **(valeurs | options)
    )


@pytest.fixture(scope="module")
def page(jeu) -> str:
    return rediger(jeu)


@pytest.fixture(scope="module")
def lu(page) -> Lecture:
    return Lecture(page)


def lignes(lu: Lecture, prefixe: str) -> list[list[str]]:
    (titre,) = [t for t in lu.sections if t.startswith(prefixe)]
    return lu.sections[titre]["lignes"]


# --- Contenu -------------------------------------------------------------------------------------


def test_appel_date_et_auteur(jeu, lu):
    assert lu.h1 == ["Procès-verbal du comité de sélection"]
    assert f"\nProcès-verbal — {jeu.appel.nom_court}" in lu.texte  # <title>
    (intro,) = lu.sections["début"]["paragraphes"]
    assert intro == f"{jeu.appel.nom}Séance du 24 novembre 2026 · rédigé par {AUTEUR}"


def test_date_du_premier_du_mois(jeu):
    assert "Séance du 1er avril 2027 · " in rediger(jeu, jour=dt.date(2027, 4, 1))


def test_membres_presents(lu):
    assert lu.sections["Membres présents"]["elements"] == PRESENTS


def test_enveloppe(lu):
    assert lu.sections["Enveloppe"]["lignes"] == [
        ["Année", "Enveloppe"],
        ["2024-2025", dollars("60 000 $")],
        ["2025-2026", dollars("35 000 $")],
    ]
    # « une ou deux années financières débutant le 1er avril 2024 et se terminant le
    # 31 mars 2025 » : la lecture retenue, dite comme une interprétation.
    (lecture,) = lu.sections["Enveloppe"]["paragraphes"]
    assert lecture.startswith("Interprétation retenue : ")
    assert lecture.endswith(
        "année 1 : du 1er avril 2024 au 31 mars 2025 ; année 2 : du 1er avril 2025 au 31 mars 2026."
    )


def test_decisions_dans_l_ordre_du_classement(lu):
    assert lignes(lu, "Recommandations du comité, dans l'ordre du classement (3)") == [
        [
            "Rang",
            "No",
            "Municipalité",
            "Titre",
            "Total",
            "Note (moyenne des évaluateurs)",
            "Note de consensus",
            "Décision",
            "Accordé 2024-2025",
            "Accordé 2025-2026",
            "Justification",
            "Écart à la recommandation",
        ],
        [
            "1",
            "T-002",
            # Ce qu'un tableur prendrait pour une formule porte l'apostrophe (neutralisation).
            "'@SUM(A1)",
            "'" + te.HYPERLIEN,
            "90,00",
            "90,00",
            "",
            "retenu",
            dollars("30 000 $"),
            dollars("30 000 $"),
            "",
            "",
        ],
        [
            "2",
            "T-001",
            "'\t=1",
            "'+1+1",
            "78,75",
            "78,75",
            "",
            "refusé",
            dollars("0 $"),
            dollars("0 $"),
            "'" + te.JUSTIFICATION_T001,
            "",
        ],
        [
            "3",
            "T-003",
            "'\r=1",
            "'-2",
            "70,00",
            "70,00",
            "",
            "retenu",
            dollars("18 000,50 $"),
            dollars("0 $"),
            te.JUSTIFICATION_T003,
            "",
        ],
    ]
    (bilan,) = lu.sections["Recommandations du comité, dans l'ordre du classement (3)"][
        "paragraphes"
    ]
    assert bilan == dollars("Retenues : 2 · accordé : 2024-2025 48 000,50 $ ; 2025-2026 30 000 $")


def test_demandes_discutees(lu):
    """Seules les demandes discutées en séance, dans l'ordre où elles ont été amenées, avec
    le critère qui les rendait « à discuter » (étendue 5 en pertinence, seuil 4)."""
    assert lignes(lu, "Demandes discutées en séance (2)") == [
        ["Rang", "No", "Municipalité", "Total", "Divergence des évaluateurs"],
        ["2", "T-001", "'\t=1", "78,75", "Pertinence et retombées : étendue 5,00 (seuil 4)"],
        ["1", "T-002", "'@SUM(A1)", "90,00", ""],
    ]


def test_demandes_triees_non_discutees(lu):
    assert lignes(lu, "Non discutées, suivent le classement (1)") == [
        ["Rang", "No", "Municipalité", "Total"],
        ["3", "T-003", "'\r=1", "70,00"],
    ]


def test_une_demande_a_discuter_jamais_amenee_n_est_pas_discutee(jeu):
    """Le drapeau « à discuter » ne suffit pas : T-001 n'a pas été amenée en séance."""
    lu = Lecture(rediger(jeu, discutees=[ids(jeu)["T-002"]], non_discutees=[]))
    assert [r[1] for r in lignes(lu, "Demandes discutées en séance (1)")[1:]] == ["T-002"]
    assert not [t for t in lu.sections if t.startswith("Non discutées")]


def test_totaux_par_axe_secteur_et_region(jeu, lu):
    en_tete = ["Demandes", "Retenues", "Accordé", "Part de l'enveloppe"]
    axes = lignes(lu, "Totaux par axe (décisions)")
    assert axes[:4] == [
        ["Axe", *en_tete],
        ["Axe 1", "1", "1", dollars("60 000 $"), dollars("63,2 %")],  # 60 000 / 95 000
        ["Axe 2", "1", "0", dollars("0 $"), dollars("0,0 %")],
        ["Axe 3", "1", "1", dollars("18 000,50 $"), dollars("18,9 %")],
    ]
    secteurs = {r[0]: r[1:] for r in lignes(lu, "Totaux par secteur (décisions)")}
    assert secteurs["Secteur"] == en_tete
    assert secteurs["Francophonie"] == ["1", "1", dollars("60 000 $"), dollars("63,2 %")]
    assert secteurs["Innovation"] == ["1", "0", dollars("0 $"), dollars("0,0 %")]
    assert secteurs["Mobilité durable"][2] == dollars("18 000,50 $")
    regions = lignes(lu, "Totaux par région (décisions)")
    assert regions[0] == ["Région", *en_tete]
    assert [r[0] for r in regions[1:]] == [r.nom for r in jeu.appel.regions]  # les 17
    par_nom = {r[0]: r[1:] for r in regions[1:]}
    assert par_nom["Estrie"] == ["1", "1", dollars("60 000 $"), dollars("63,2 %")]
    assert par_nom["Outaouais"] == ["1", "1", dollars("18 000,50 $"), dollars("18,9 %")]
    assert par_nom["Bas-Saint-Laurent"] == ["1", "0", dollars("0 $"), dollars("0,0 %")]


def test_parametres_appliques(lu):
    assert lu.sections["Paramètres appliqués"]["elements"] == [
        "Poids : Pertinence et retombées 25, Cohérence avec les priorités du ministère 20, "
        "Qualité du dossier 15, Caractère structurant et novateur 15, Capacité de "
        "réalisation 15, Visibilité et rayonnement 10",
        "Seuil : 60 / 100 ; agrégation : moyenne",
        "Départage : note plus haute en « Pertinence et retombées » ; puis projet conjoint "
        "avant projet d'une seule municipalité ; puis plus grande part du coût couverte par le "
        "financement externe ; puis plus grande part du coût couverte par la contribution du "
        "demandeur ; puis numéro de demande",
        "Montant recommandé : " + financement.regle_en_une_phrase(charger_appel()),
        "Ligne de financement : stricte",
        "Note qui classe : la note des évaluateurs ; une note de consensus inscrite en séance "
        "est montrée à côté, sans changer le rang (réglage du comité).",
        "Quorum : non vérifié",
        "Tirage au sort dans la zone grise : non",
    ]


def test_sources_des_reglages(jeu):
    """Le procès-verbal dit d'où vient chaque réglage : la phrase de l'appel qui le fixe, le
    choix du comité, ou l'interprétation et sa lecture ; et s'il est confirmé."""
    seuil = next(r for r in jeu.appel.reglages if r.chemin == "evaluation.seuil_global")
    instant = dt.datetime(2026, 11, 20, 10, 0)
    confirmees = {seuil.chemin: {"empreinte": seuil.empreinte, "date": instant, "auteur": "Ad"}}
    par_libelle = {
        ligne[0]: ligne
        for ligne in lignes(Lecture(rediger(jeu, confirmations=confirmees)), "Sources")[1:]
    }
    assert len(par_libelle) == len(jeu.appel.reglages)
    assert par_libelle["Plafond annuel"][2] == "texte de l'appel"
    assert "ne pourra pas excéder 25 000 $ par année" in par_libelle["Plafond annuel"][3]
    annee = par_libelle["Début de la première année financière"]
    assert (annee[2], annee[4]) == ("interprétation", "non confirmé")
    assert "lecture retenue : la première année financière va du 1er avril 2024" in annee[3]
    assert par_libelle["Seuil global (sur 100)"][4] == "confirmé le 20 novembre 2026 par Ad"
    # Sans confirmations lues, rien n'est dit confirmé.
    sans = {ligne[0]: ligne for ligne in lignes(Lecture(rediger(jeu)), "Sources")[1:]}
    assert sans["Seuil global (sur 100)"][4] == "non confirmé"


def test_historique_des_ponderations(jeu):
    """Qui a changé les poids, quand et pourquoi : dans le procès-verbal."""
    historique = [
        {
            "date": dt.datetime(2026, 11, 20, 10, 5),
            "auteur": "admin@x.ca",
            "poids": {c.id: 100 / 6 for c in jeu.appel.criteres},
            "poids_avant": jeu.appel.poids,
            "raison": "Critères d'égale importance",
            "apres_notation": True,
        }
    ]
    page = rediger(jeu, ponderations=historique, noms={"admin@x.ca": "Ada Min"})
    (entete, appel_, change) = lignes(Lecture(page), "Historique des pondérations")
    assert entete == ["Date", "Par", "Poids", "Raison", "Après la notation"]
    assert appel_[0] == "—" and appel_[3] == "pondérations de l'appel"
    assert appel_[2].startswith("Pertinence 25, Cohérence 20")
    assert change[:2] == ["20 novembre 2026 à 10 h 05", "Ada Min"]
    assert change[3:] == ["Critères d'égale importance", "oui"]


def test_sans_decision_ni_desaccord(jeu):
    table = jeu.table.copy()
    table["decision"] = ""
    table["a_discuter"] = False
    lu = Lecture(rediger(jeu, table, presents=[], discutees=[], non_discutees=[]))
    assert "Membres présents" not in lu.sections  # ni élément ni paragraphe
    assert "<h2>Membres présents</h2><ul></ul>" in rediger(jeu, table, presents=[])
    decisions = lu.sections["Recommandations du comité, dans l'ordre du classement (0)"]
    assert decisions["lignes"] == []
    assert decisions["paragraphes"] == [
        "Aucune décision consignée.",
        dollars("Retenues : 0 · accordé : 2024-2025 0 $ ; 2025-2026 0 $"),
    ]
    discutees = lu.sections["Demandes discutées en séance (0)"]
    assert discutees["paragraphes"] == ["Aucune."]


def test_page_autonome(page, lu):
    """Styles compris, aucune ressource externe, rien d'exécutable."""
    assert page.startswith("<!DOCTYPE html><html lang='fr-CA'><head><meta charset='utf-8'>")
    assert set(lu.balises) <= BALISES_PERMISES
    # name et content : les métadonnées (<meta>) que le PDF reprend (auteur, sujet, date).
    assert {nom for nom, _ in lu.attributs} <= {"lang", "charset", "class", "name", "content"}
    assert "@media print" in page


# --- Textes hostiles -----------------------------------------------------------------------------


def test_html_venu_des_donnees_echappe(jeu):
    table = jeu.table.copy()
    table["titre"] = [SCRIPT, IMAGE, FERMETURE]
    table["municipalite"] = ["Magog & Orford", '"Sherbrooke"', "<b>Gatineau</b>"]
    table.loc[table["no_demande"] == "T-001", "justification"] = SCRIPT
    appel = replace(jeu.appel, nom=f"Appel {SCRIPT}", nom_court="<i>court</i>")
    page = proces_verbal(
        ContenuProcesVerbal(
            appel,
            table,
            jour=JOUR,
            presents=[SCRIPT, "<b>Luc</b>"],
            poids=jeu.donnees.poids,
            auteur=IMAGE,
        )
    )
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "Faux titre</h1>" not in page
    assert html.escape(SCRIPT) in page
    lu = Lecture(page)
    assert set(lu.balises) <= BALISES_PERMISES
    assert lu.h1 == ["Procès-verbal du comité de sélection"]  # pas de « Faux titre »
    assert "\nProcès-verbal — <i>court</i>" in lu.texte
    assert lu.sections["Membres présents"]["elements"] == [SCRIPT, "<b>Luc</b>"]
    (intro,) = lu.sections["début"]["paragraphes"]
    assert intro == f"Appel {SCRIPT}Séance du 24 novembre 2026 · rédigé par {IMAGE}"
    decisions = lignes(lu, "Recommandations du comité, dans l'ordre du classement (3)")
    assert [r[3] for r in decisions[1:]] == [SCRIPT, IMAGE, FERMETURE]
    assert [r[2] for r in decisions[1:]] == ["Magog & Orford", '"Sherbrooke"', "<b>Gatineau</b>"]
    assert decisions[2][10] == SCRIPT
    assert all(len(r) == 12 for r in decisions)  # la fermeture n'a pas coupé le tableau


def test_consensus_a_cote_de_la_note_des_evaluateurs_et_ses_motifs(jeu):
    """Issue 16, point 4 : la note de consensus à côté de la note des évaluateurs dans le
    tableau des décisions (« sans consensus » quand le réglage « consensus » classe sur la
    note des évaluateurs faute de consensus), et une section qui liste chaque consensus
    avec ses notes par critère et ses motifs (échappés, neutralisés)."""
    i = ids(jeu)
    table = jeu.table.copy()
    table["total_consensus"] = table["demande_id"].map({i["T-002"]: 82.5})
    table["note_classee"] = [
        consensus.PAR_CONSENSUS if d == i["T-002"] else consensus.SANS_CONSENSUS
        for d in table["demande_id"]
    ]
    notes = consensus.en_table(
        [
            {
                "id": k,
                "demande_id": i["T-002"],
                "critere": c.id,
                "note": 9.5 if c.id == "pertinence" else 8.0,
                "justification": "<b>accord</b> =1+1",
                "date": None,
                "auteur": "p@x.ca",
            }
            for k, c in enumerate(jeu.appel.criteres, 1)
        ]
    )
    lu = Lecture(rediger(jeu, table, notes_de_consensus=notes))
    par_no = {
        r[1]: r for r in lignes(lu, "Recommandations du comité, dans l'ordre du classement (3)")[1:]
    }
    assert par_no["T-002"][5:7] == ["90,00", "82,50"]
    assert par_no["T-001"][6] == "sans consensus"
    (entete, ligne) = lignes(lu, "Notes de consensus (1)")
    assert entete == ["No", *(c.libelle for c in jeu.appel.criteres), "Motifs"]
    assert ligne == [
        "T-002",
        "9,50",
        *["8,00"] * (len(jeu.appel.criteres) - 1),
        "<b>accord</b> =1+1",
    ]
    # Sans consensus inscrit : pas de section.
    assert not any(t.startswith("Notes de consensus") for t in Lecture(rediger(jeu)).sections)


# --- Un second lecteur : LibreOffice -------------------------------------------------------------

libreoffice = te.libreoffice


def _en_texte(libreoffice, chemin) -> str:
    """Le texte de la page selon LibreOffice : Writer (txt:Text) s'il est installé, sinon
    Calc (import HTML, sortie CSV) ; ni l'un ni l'autre : le test est sauté."""
    dossier = libreoffice(chemin, "txt:Text")
    sortie = dossier / f"{chemin.stem}.txt"
    if sortie.exists():
        return sortie.read_text(encoding="utf-8-sig", errors="replace")
    dossier = libreoffice(chemin, te.CSV_UTF8, filtre_entree="HTML (StarCalc)")
    sortie = dossier / f"{chemin.stem}.csv"
    if sortie.exists():
        return sortie.read_text(encoding="utf-8")
    manque("LibreOffice n'a pu ouvrir la page ni avec Writer ni avec Calc")


def test_libreoffice_lit_le_proces_verbal(libreoffice, jeu, tmp_path):
    # Des titres sans « = » de tête : Calc, quand il importe une page HTML, évalue les
    # cellules qui ressemblent à des formules (comportement de l'import, pas de la page).
    table = jeu.table.copy()
    table["titre"] = [SCRIPT, "Réseau estrien", "Mobilité & climat"]
    table["municipalite"] = ["Sherbrooke", "Rimouski", "Gatineau"]
    chemin = tmp_path / "paivmq-2023-2024_proces-verbal_2026-11-24.html"
    chemin.write_text(rediger(jeu, table, presents=[*PRESENTS, "<b>Zoé</b>"]), encoding="utf-8")
    texte = _en_texte(libreoffice, chemin)
    assert "Procès-verbal du comité de sélection" in texte
    assert jeu.appel.nom in texte
    assert "Séance du 24 novembre 2026" in texte
    for nom in [*PRESENTS, "<b>Zoé</b>"]:
        assert nom in texte
    assert SCRIPT in texte and "Mobilité & climat" in texte
    positions = [texte.index(no) for no in ("T-002", "T-001", "T-003")]
    assert positions == sorted(positions)
    assert dollars("18 000,50 $") in texte
    assert te.JUSTIFICATION_T003 in texte
    assert "Totaux par région (décisions)" in texte and "Centre-du-Québec" in texte
    assert "Ligne de financement : stricte" in texte


# --- Récusations (issue 16) --------------------------------------------------------------------


def test_recusations_par_demande_dans_l_ordre_du_classement(jeu):
    """Pour chaque demande, qui du comité a déclaré un conflit d'intérêts : nom, rôle,
    raison, date ; dans l'ordre du classement (T-002, puis T-001), par nom ensuite."""
    ids = jeu.ids
    quand = dt.datetime(2026, 11, 20, 14, 5)
    recusations = [
        {"demande_id": ids["T-001"], "nom": "Zoé Membre", "role": "membre du comité",
         "raison": "sa sœur y travaille", "date": quand, "present": False,
         "decide_avant": [dt.datetime(2026, 11, 18, 9, 0), dt.datetime(2026, 11, 18, 9, 5)]},
        {"demande_id": ids["T-002"], "nom": "Jean Tremblay", "role": "sans compte",
         "raison": "voisin", "date": quand, "present": True,
         "levee": dt.datetime(2026, 12, 1, 10, 0)},
        {"demande_id": ids["T-001"], "nom": "Paule Présidente", "role": "présidence",
         "raison": SCRIPT, "date": quand},
        {"demande_id": 99_999, "nom": "Hors de la table", "role": "présidence",
         "raison": "x", "date": quand},
    ]  # fmt: skip
    page = rediger(jeu, recusations=recusations)
    lu = Lecture(page)
    assert lignes(lu, "Récusations") == [
        ["No", "Municipalité", "Nom", "Rôle", "Raison", "Déclaré le", "Remarque"],
        ["T-002", _municipalite(jeu, "T-002"), "Jean Tremblay", "sans compte", "voisin",
         "20 novembre 2026",
         "présent à la séance, sorti de la salle ; conflit levé depuis, le 1er décembre 2026"],
        ["T-001", _municipalite(jeu, "T-001"), "Paule Présidente", "présidence", SCRIPT,
         "20 novembre 2026", ""],
        ["T-001", _municipalite(jeu, "T-001"), "Zoé Membre", "membre du comité",
         "sa sœur y travaille", "20 novembre 2026",
         "absent de la séance ; avait inscrit une décision sur la demande (18 novembre 2026) "
         "avant sa déclaration : décision à revoir par le comité"],
    ]  # fmt: skip
    assert "Récusations (3)" in lu.sections
    assert "<script>" not in page
    # La section suit les demandes discutées, avant les totaux.
    titres = list(lu.sections)
    assert (
        titres.index("Récusations (3)")
        == titres.index(next(t for t in titres if t.startswith("Demandes discutées"))) + 1
    )


def test_sans_recusation(lu):
    assert lu.sections["Récusations (0)"]["paragraphes"] == [
        "Aucun conflit d'intérêts déclaré par le comité."
    ]


def _tirage_inscrit(numero, quand, enregistrement):
    import json

    import pandas as pd

    from evaluation.decision.tirage import inscrits

    faits = inscrits(
        pd.DataFrame(
            [{"appel_id": "A", "date": quand, "auteur": "p@x.ca", "nouveau": json.dumps(e)}
             for e in enregistrement]
        )
    )  # fmt: skip
    return faits[numero - 1] if numero else faits


def test_tirages_au_sort_de_la_seance(jeu):
    """Issue 16, point 7 : chaque tirage de la séance, graine, candidates, ordre tiré,
    gagnantes, reste avant et après, et le rejeu ; un tirage altéré est dit non conforme.
    Seuls ceux de la séance (`tenus_entre`) ; la section suit les récusations."""
    from evaluation.decision.tirage import tenus_entre, tirer

    t = tirer({"T-001": (20_000_00, 0), "T-002": (30_000_00, 30_000_00)}, (40_000_00, 35_000_00),
              2024, "stricte")  # fmt: skip
    t = replace(t, graine_saisie=True)
    altere = {**t.enregistrement(), "gagnantes": ["T-001", "T-002"], "graine_saisie": False,
              "raison": "salle bruyante"}  # fmt: skip
    quand = dt.datetime(2026, 11, 24, 10, 30)
    faits = _tirage_inscrit(0, quand, [t.enregistrement(), altere])
    veille = replace(faits[0], date=dt.datetime(2026, 11, 23, 10, 0))
    de_la_seance = tenus_entre(
        [veille, *faits], dt.datetime(2026, 11, 24, 9, 0), dt.datetime(2026, 11, 24, 12, 0)
    )
    assert de_la_seance == faits
    assert tenus_entre([veille, *faits], dt.datetime(2026, 11, 24, 9, 0), None) == faits
    permis = replace(jeu.appel, tirage_zone_grise=True)
    lu = Lecture(
        proces_verbal(ContenuProcesVerbal(
            permis, jeu.table, jour=JOUR, presents=PRESENTS, poids=jeu.donnees.poids,
            auteur=AUTEUR, tirages=de_la_seance, noms={"p@x.ca": "Paule Présidente"},
        ))
    )  # fmt: skip
    (gagnante,) = t.gagnantes
    ordre = ", ".join(t.ordre)
    assert lignes(lu, "Tirages au sort dans la zone grise") == [
        ["N°", "Heure", "Par", "Graine", "Candidates", "Reste avant", "Ordre tiré", "Gagnantes",
         "Reste après", "Raison d'un nouveau tirage", "Rejeu"],
        ["1", "10 h 30", "Paule Présidente", "2024 (saisie)", "T-001, T-002",
         dollars("2024-2025 40 000 $ ; 2025-2026 35 000 $"), ordre, gagnante,
         "2024-2025 " + montant(t.restant_apres[0]) + " ; 2025-2026 " + montant(t.restant_apres[1]),
         "", "conforme"],
        ["2", "10 h 30", "Paule Présidente", "2024 (générée)", "T-001, T-002",
         dollars("2024-2025 40 000 $ ; 2025-2026 35 000 $"), ordre, "T-001, T-002",
         "2024-2025 " + montant(t.restant_apres[0]) + " ; 2025-2026 " + montant(t.restant_apres[1]),
         "salle bruyante",
         f"NON CONFORME : gagnantes : inscrit T-001, T-002 ; rejoué {gagnante}."],
    ]  # fmt: skip
    titres = list(lu.sections)
    assert (
        titres.index("Tirages au sort dans la zone grise (2)")
        == titres.index(next(t for t in titres if t.startswith("Récusations"))) + 1
    )
    assert (
        "Tirage au sort dans la zone grise : permis (réglage du comité)"
        in lu.sections["Paramètres appliqués"]["elements"]
    )


def test_tirages_sans_tirage(jeu, lu):
    """Permis sans tirage pendant la séance : la section le dit ; non permis et aucun
    tirage : pas de section."""
    assert not [t for t in lu.sections if t.startswith("Tirages au sort")]
    permis = replace(jeu.appel, tirage_zone_grise=True)
    lu_permis = Lecture(
        proces_verbal(ContenuProcesVerbal(permis, jeu.table, jour=JOUR, presents=PRESENTS,
                                          poids=jeu.donnees.poids, auteur=AUTEUR))
    )  # fmt: skip
    assert lu_permis.sections["Tirages au sort dans la zone grise (0)"]["paragraphes"] == [
        "Aucun tirage au sort pendant la séance."
    ]


def _municipalite(jeu, numero: str) -> str:
    """Telle que la page l'écrit : neutralisée comme dans un CSV (le jeu en met une hostile)."""
    from evaluation.sorties.neutralisation import neutraliser_texte

    return neutraliser_texte(jeu.table.set_index("no_demande").loc[numero, "municipalite"])


def test_decision_qui_differe_de_la_recommandation_signalee(jeu):
    """Issue 16 : T-003 retenue à 18 000,50 $, sa recommandation baissée à 15 000 $ depuis ;
    le procès-verbal le dit dans sa ligne et sous le tableau. Les autres lignes, non."""
    table = jeu.table.copy()
    table.loc[table["no_demande"] == "T-003", "recommande_an1"] = 1_500_000
    lu = Lecture(rediger(jeu, table))
    decisions = lignes(lu, "Recommandations du comité, dans l'ordre du classement (3)")
    assert decisions[0][-1] == "Écart à la recommandation"
    assert [r[-1] for r in decisions[1:]] == [
        "",
        "",
        "montant accordé ≠ recommandation (accordé 18\u00a0000,50\u00a0$ + 0\u00a0$, "
        "recommandé 15\u00a0000\u00a0$ + 0\u00a0$)",
    ]
    paragraphes = lu.sections["Recommandations du comité, dans l'ordre du classement (3)"][
        "paragraphes"
    ]
    assert paragraphes[1] == (
        "1 décision accorde un autre montant que la recommandation en vigueur (colonne "
        "« Écart à la recommandation »)."
    )


def test_sans_ecart_pas_de_mention(lu):
    paragraphes = lu.sections["Recommandations du comité, dans l'ordre du classement (3)"][
        "paragraphes"
    ]
    assert len(paragraphes) == 1
    assert "recommandation en vigueur" not in lu.texte


# --- Le procès-verbal d'une séance (issue 16, revue) ----------------------------------------

OUVERTE = dt.datetime(2026, 11, 24, 9, 0)
FERMEE = dt.datetime(2026, 11, 24, 12, 0)


def _inscrite(demande_id, decision, an1, quand, justification="", auteur="p@x.ca"):
    return {
        "demande_id": demande_id,
        "decision": decision,
        "montant_an1": an1,
        "montant_an2": 0,
        "justification": justification,
        "date": quand,
        "auteur": auteur,
    }


def test_decisions_pendant_la_seance_bornes_comprises():
    """La dernière décision de chaque demande entre l'ouverture et la fermeture (bornes
    comprises) ; les autres comptées hors séance ; séance ouverte : jusqu'à maintenant."""
    historique = [
        _inscrite(1, "refusé", 0, OUVERTE - dt.timedelta(seconds=1)),
        _inscrite(1, "retenu", 5, OUVERTE),
        _inscrite(2, "retenu", 7, OUVERTE + dt.timedelta(hours=1)),
        _inscrite(2, "liste d'attente", 0, FERMEE),
        _inscrite(3, "retenu", 9, FERMEE + dt.timedelta(seconds=1)),
    ]
    pendant, hors = decisions_pendant(historique, OUVERTE, FERMEE)
    assert [(x["demande_id"], x["decision"]) for x in pendant] == [
        (1, "retenu"),
        (2, "liste d'attente"),
    ]
    assert hors == 2
    pendant, hors = decisions_pendant(historique, OUVERTE, None)
    assert [(x["demande_id"], x["decision"]) for x in pendant] == [
        (1, "retenu"),
        (2, "liste d'attente"),
        (3, "retenu"),
    ]
    assert hors == 1


def test_decisions_de_la_seance_telles_qu_inscrites_alors(jeu):
    """Revue, issue 16 : le procès-verbal d'une séance liste les décisions inscrites pendant
    la séance, telles qu'inscrites (décision, montants, justification, auteur), non l'état
    actuel (T-002 retenue à 30 000 $ + 30 000 $ aujourd'hui n'y est pas, décidée ailleurs) ;
    totaux et écart à la recommandation sur ces décisions ; le nombre hors séance est dit."""
    ids = jeu.ids
    pendant = [
        _inscrite(ids["T-003"], "retenu", 1_000_000, OUVERTE, "en séance", "p@x.ca"),
        _inscrite(ids["T-001"], "liste d'attente", 0, OUVERTE, "à revoir", "autre@x.ca"),
    ]
    page = rediger(
        jeu,
        decisions_de_la_seance=pendant,
        decisions_hors_seance=3,
        noms={"p@x.ca": "Paule Présidente"},
    )
    lu = Lecture(page)
    titre = "Recommandations du comité inscrites pendant la séance, dans l'ordre du classement (2)"
    tableau = lignes(lu, titre)
    assert tableau[0][-2:] == ["Inscrite par", "Écart à la recommandation"]
    par_no = {r[1]: r for r in tableau[1:]}
    assert set(par_no) == {"T-001", "T-003"}
    assert par_no["T-003"][7:11] == [
        "retenu", dollars("10 000 $"), dollars("0 $"), "en séance"
    ]  # fmt: skip
    assert par_no["T-003"][11] == "Paule Présidente"
    assert par_no["T-003"][12].startswith("montant accordé ≠ recommandation (accordé 10")
    assert par_no["T-001"][7] == "liste d'attente" and par_no["T-001"][11] == "autre@x.ca"
    assert par_no["T-001"][12] == ""
    paragraphes = lu.sections[titre]["paragraphes"]
    assert "3 décisions inscrites hors de cette séance n'y figurent pas" in paragraphes[0]
    assert "Retenues pendant la séance : 1 · accordé : 2024-2025 " + dollars(
        "10 000 $"
    ) in " ".join(lu.morceaux)
    axe = lu.sections[
        next(t for t in lu.sections if t.startswith("Totaux par axe"))
    ]  # fmt: skip
    assert next(t for t in lu.sections if t.startswith("Totaux par axe")) == (
        "Totaux par axe (décisions inscrites pendant la séance)"
    )
    assert sum(int(r[2]) for r in axe["lignes"][1:]) == 1
    # Sans décision pendant la séance.
    vide = Lecture(rediger(jeu, decisions_de_la_seance=[], decisions_hors_seance=1))
    titre = "Recommandations du comité inscrites pendant la séance, dans l'ordre du classement (0)"
    assert "Aucune décision consignée pendant cette séance." in vide.sections[titre]["paragraphes"]
    assert (
        "1 décision inscrite hors de cette séance n'y figure pas"
        in (vide.sections[titre]["paragraphes"][0])
    )


def test_conflit_declare_apres_la_seance(jeu):
    """Revue, issue 16 : un conflit déclaré après la fin de la séance n'est pas une
    récusation de cette séance ; la personne y était présente : listé à part, délibération
    à revoir, sans « sorti de la salle » ; absente : pas listé. Déclaré avant ou à la
    fermeture : récusation comme avant."""
    ids = jeu.ids
    recusations = [
        {"demande_id": ids["T-001"], "nom": "Tardif Présent", "role": "membre du comité",
         "raison": "cousin", "date": FERMEE + dt.timedelta(days=1), "present": True},
        {"demande_id": ids["T-001"], "nom": "Tardif Absent", "role": "membre du comité",
         "raison": "voisin", "date": FERMEE + dt.timedelta(minutes=1), "present": False},
        {"demande_id": ids["T-002"], "nom": "Avant Présent", "role": "présidence",
         "raison": "ami", "date": FERMEE, "present": True},
    ]  # fmt: skip
    lu = Lecture(rediger(jeu, recusations=recusations, fin_de_seance=FERMEE))
    assert [r[2:] for r in lignes(lu, "Récusations (1)")[1:]] == [
        ["Avant Présent", "présidence", "ami", "24 novembre 2026",
         "présent à la séance, sorti de la salle"],
    ]  # fmt: skip
    assert [r[2:] for r in lignes(lu, "Conflits déclarés après la séance (1)")[1:]] == [
        ["Tardif Présent", "membre du comité", "cousin", "25 novembre 2026",
         "conflit déclaré après cette séance, où la personne était présente : la "
         "délibération de la demande est à revoir"],
    ]  # fmt: skip
    assert "Tardif Absent" not in lu.texte
    # Séance ouverte (fin inconnue) : toutes sont des récusations.
    ouverte = Lecture(rediger(jeu, recusations=recusations))
    assert len(lignes(ouverte, "Récusations (3)")) == 4
    assert not [t for t in ouverte.sections if t.startswith("Conflits déclarés après")]


def test_conflits_leves_pendant_la_seance(jeu):
    levees = [
        {"demande_id": jeu.ids["T-001"], "qui": "a@x.ca", "nom": "Ada Admin",
         "raison": "sœur mairesse", "motif": "a quitté le conseil",
         "date": OUVERTE + dt.timedelta(minutes=7), "auteur": "p@x.ca"},
    ]  # fmt: skip
    lu = Lecture(rediger(jeu, conflits_leves=levees, noms={"p@x.ca": "Paule Présidente"}))
    assert lignes(lu, "Conflits d'intérêts levés pendant la séance (1)") == [
        ["No", "Nom", "Conflit déclaré", "Heure", "Levé par", "Raison de la levée"],
        ["T-001", "Ada Admin", "sœur mairesse", "9 h 07", "Paule Présidente",
         "a quitté le conseil"],
    ]  # fmt: skip


# --- Issue 17 : inadmissibles, bloc de signature -------------------------------------------------

QUAND = dt.datetime(2026, 11, 20, 14, 5)
RECUSATION = {
    "demande_id": None,  # T-001, posé par `_recusation`
    "nom": "Zoé Membre",
    "role": "membre du comité",
    "raison": "sa sœur y travaille",
    "date": QUAND,
    "present": False,
}
RAISONS_T009 = (
    "Demandeur admissible : l'organisme n'est pas une municipalité ; Dépôt : reçu après la "
    "date limite"
)
PONDERATION = {
    "date": dt.datetime(2026, 11, 20, 10, 5),
    "auteur": "admin@x.ca",
    "raison": "Critères d'égale importance",
    "apres_notation": True,
}


def _recusation(jeu) -> dict:
    return RECUSATION | {"demande_id": jeu.ids["T-001"]}


def _inadmissible(numero: int = 9, **champs) -> Inadmissible:
    valeurs = {
        "demande_id": 90_000 + numero,
        "no_demande": f"T-{numero:03d}",
        "municipalite": "Saint-Jean-sur-Richelieu",
        "titre": "Jumelage culturel",
        "raisons": RAISONS_T009,
        "par": "Ana Lyste",
        "le": QUAND,
    }
    return Inadmissible(**(valeurs | champs))


def _ponderation(jeu) -> dict:
    return PONDERATION | {
        "poids": {c.id: 100 / 6 for c in jeu.appel.criteres},
        "poids_avant": jeu.appel.poids,
    }


def complet(jeu, **options) -> ContenuProcesVerbal:
    """Le procès-verbal avec une récusation, une demande inadmissible, un changement de
    pondération et un bloc de signature rempli."""
    valeurs = {
        "recusations": [_recusation(jeu)],
        "inadmissibles": [_inadmissible()],
        "ponderations": [_ponderation(jeu)],
        "noms": {"admin@x.ca": "Ada Min"},
        "signature": Signature("Paule Présidente", "Marie Roy", "Québec"),
    }
    return contenu(jeu, **(valeurs | options))


def test_demandes_inadmissibles_et_leurs_raisons(jeu):
    """Issue 17 : chaque demande jugée inadmissible, ses raisons (les conditions à « non »),
    qui l'a jugée et quand ; un renversement de la présidence est dit tel."""
    lu = Lecture(
        proces_verbal(
            complet(jeu, inadmissibles=[_inadmissible(), _inadmissible(12, renversement=True)])
        )
    )
    assert lignes(lu, "Demandes inadmissibles (2)") == [
        ["No", "Municipalité", "Titre", "Raisons", "Jugée par", "Le"],
        ["T-009", "Saint-Jean-sur-Richelieu", "Jumelage culturel", RAISONS_T009, "Ana Lyste",
         "20 novembre 2026"],
        ["T-012", "Saint-Jean-sur-Richelieu", "Jumelage culturel", RAISONS_T009,
         "Ana Lyste (renversement)", "20 novembre 2026"],
    ]  # fmt: skip


def test_sans_inadmissible_la_section_le_dit(lu):
    """Le jeu n'a que des demandes admissibles : la section dit qu'il n'y en a aucune."""
    assert lu.sections["Demandes inadmissibles (0)"]["paragraphes"] == [
        "Aucune demande jugée inadmissible."
    ]


def test_inadmissibles_lues_du_classement(jeu):
    """`inadmissibles` prend les demandes que le classement dit inadmissibles, dans son
    ordre, et les raisons, l'auteur et la date de leur dernier examen ; sans examen connu,
    la raison du classement."""
    from evaluation.decision import classement
    from evaluation.notes.filtrage import INADMISSIBLE, RENVERSEMENT, Etat

    table = jeu.table.copy()
    table.loc[table["no_demande"] == "T-003", ["statut", "raison"]] = [
        classement.INADMISSIBLE,
        "raison du classement",
    ]
    table.loc[table["no_demande"] == "T-001", ["statut", "raison"]] = [classement.INADMISSIBLE, "x"]
    etat = Etat(INADMISSIBLE, "Dépôt : hors délai", None, RENVERSEMENT, "p@x.ca", QUAND)
    (t001, t003) = inadmissibles(table, {jeu.ids["T-001"]: etat}, {"p@x.ca": "Paule"})
    assert (t001.no_demande, t001.raisons, t001.par, t001.le, t001.renversement) == (
        "T-001",
        "Dépôt : hors délai",
        "Paule",
        QUAND,
        True,
    )
    assert (t003.no_demande, t003.raisons, t003.par, t003.le) == (
        "T-003",
        "raison du classement",
        "",
        None,
    )
    # Sans liste donnée, le procès-verbal les tire du classement.
    lu = Lecture(rediger(jeu, table))
    assert [r[0] for r in lignes(lu, "Demandes inadmissibles (2)")[1:]] == ["T-001", "T-003"]


def test_bloc_de_signature(jeu):
    """Présidence et secrétariat nommés, lieu ; la date et les signatures à la main."""
    lu = Lecture(proces_verbal(complet(jeu)))
    section = lu.sections["Signatures"]
    assert section["paragraphes"][0] == "Fait à Québec, le \u00a0."
    assert section["lignes"] == [
        ["Présidence du comitéPaule PrésidenteSignature : \u00a0",
         "Secrétariat de la séanceMarie RoySignature : \u00a0"]
    ]  # fmt: skip
    # Rien de donné : des lignes à remplir, pas de nom inventé.
    vide = Lecture(rediger(jeu)).sections["Signatures"]
    assert vide["paragraphes"][0] == "Fait à \u00a0, le \u00a0."
    assert vide["lignes"] == [
        ["Présidence du comité\u00a0Signature : \u00a0",
         "Secrétariat de la séance\u00a0Signature : \u00a0"]
    ]  # fmt: skip
    assert list(lu.sections)[-1] == "Signatures"


# --- Issue 17 : le PDF/A-3b ----------------------------------------------------------------------

LETTRE = (612, 792)  # points
MARGE = 2 / 2.54 * 72  # 2 cm, la marge de la feuille d'impression
NOM_CLASSEUR = "paivmq-2023-2024_classement_2026-11-24.xlsx"


def _outil(nom: str) -> str:
    chemin = shutil.which(nom)
    if chemin is None:
        te._manque(nom, "poppler-utils")  # sauté ici, échoue en intégration continue
    return chemin


def _executer(*commande: str) -> str:
    return subprocess.run(
        commande, check=True, capture_output=True, text=True, encoding="utf-8"
    ).stdout


def en_clair(chemin) -> str:
    """Le texte du PDF selon pdftotext : les mots coupés en fin de ligne (trait d'union
    U+2010 de la césure) recollés, les blancs (espaces insécables compris) réduits à un."""
    texte = _executer(_outil("pdftotext"), str(chemin), "-")
    return " ".join(texte.replace("\u2010\n", "").split())


@pytest.fixture(scope="module")
def classeur_du_jeu(jeu) -> bytes:
    return exportation.classeur(
        jeu.appel, jeu.table, poids=jeu.donnees.poids, auteur=AUTEUR, instant=te.INSTANT
    )


@pytest.fixture(scope="module")
def pdf(jeu, classeur_du_jeu, tmp_path_factory):
    chemin = tmp_path_factory.mktemp("pdf") / "proces-verbal.pdf"
    chemin.write_bytes(en_pdf(complet(jeu), classeur=classeur_du_jeu, nom_classeur=NOM_CLASSEUR))
    return chemin


def test_le_pdf_contient_ce_que_dit_l_issue(pdf):
    """Récusations, inadmissibles et leurs raisons, historique des pondérations, totaux par
    axe, secteur et région, sources des réglages et bloc de signature, lus par pdftotext."""
    texte = en_clair(pdf)
    for attendu in [
        "Procès-verbal du comité de sélection",
        "Membres présents • Paule Présidente • Éva Lachance",
        "Recommandations du comité, dans l'ordre du classement (3)",
        "Récusations (1)",
        "Zoé Membre",
        "sa sœur y travaille",
        "absent de la séance",
        "Demandes inadmissibles (1)",
        "T-009",
        "Demandeur admissible : l'organisme n'est pas une municipalité",
        "Historique des pondérations",
        "Critères d'égale importance",
        "Ada Min",
        "Totaux par axe (décisions)",
        "Totaux par secteur (décisions)",
        "Totaux par région (décisions)",
        "Sources des réglages",
        "Signatures Fait à Québec, le",
        "Présidence du comité Paule Présidente",
        "Secrétariat de la séance Marie Roy",
        "Page 1 de ",
    ]:
        assert attendu in texte, attendu
    assert " ".join(dollars("18 000,50 $").split()) in texte
    assert " ".join(dollars("63,2 %").split()) in texte


def test_format_lettre_et_pages_numerotees(pdf):
    """Lettre à la française ; les décisions sur une page à l'italienne ; chaque page dit
    « Page X de Y », Y étant le nombre de pages."""
    lecteur = pikepdf.open(pdf)
    n = len(lecteur.pages)
    tailles = [tuple(round(float(x)) for x in p.mediabox[2:]) for p in lecteur.pages]
    assert tailles[0] == LETTRE
    assert set(tailles) == {LETTRE, LETTRE[::-1]}
    pdftotext = _outil("pdftotext")
    for i in range(1, n + 1):
        page = _executer(pdftotext, "-f", str(i), "-l", str(i), str(pdf), "-")
        assert f"Page {i} de {n}" in page
        if "Recommandations du comité, dans l'ordre du classement" in page:
            assert tailles[i - 1] == LETTRE[::-1]


def test_marqueurs_pdf_a_3b(pdf):
    """Ce que veraPDF vérifierait d'abord (il ne s'installe pas ici) : une syntaxe que qpdf
    accepte, la version 1.7, les métadonnées XMP pdfaid:part 3 et pdfaid:conformance B, un
    OutputIntent GTS_PDFA1 dont le profil ICC est incorporé, la langue, le titre, et toutes
    les polices incorporées (pdffonts)."""
    lecteur = pikepdf.open(pdf)
    assert lecteur.check_pdf_syntax() == []  # ce que fait qpdf --check
    assert lecteur.pdf_version == "1.7"
    assert not lecteur.is_encrypted
    meta = lecteur.open_metadata()
    assert meta["pdfaid:part"] == "3"
    assert meta["pdfaid:conformance"] == "B"
    assert meta["dc:title"] == "Procès-verbal — PAIVMQ 2023-2024"
    assert str(lecteur.Root.Lang) == "fr-CA"
    (intention,) = lecteur.Root.OutputIntents
    assert intention.S == "/GTS_PDFA1"
    profil = intention.DestOutputProfile.read_bytes()
    assert profil[36:40] == b"acsp"  # la signature d'un profil ICC
    assert int(intention.DestOutputProfile.N) == 3  # RVB
    polices = _executer(_outil("pdffonts"), str(pdf)).splitlines()[2:]
    assert polices
    for ligne in polices:
        # name type encoding emb sub uni object ID : « emb » est la 4e colonne en partant
        # de la fin (le nom et le type peuvent contenir des espaces).
        assert ligne.split()[-5] == "yes", ligne


def test_le_classeur_du_comite_est_joint(pdf, classeur_du_jeu, tmp_path):
    """Le classeur est joint tel quel (mêmes octets, relus par pikepdf et par pdfdetach),
    avec son type MIME et sa relation au document (AFRelationship /Data), référencé par
    le catalogue (/AF) comme PDF/A-3 l'exige."""
    lecteur = pikepdf.open(pdf)
    assert list(lecteur.attachments) == [NOM_CLASSEUR]
    piece = lecteur.attachments[NOM_CLASSEUR]
    assert piece.get_file().read_bytes() == classeur_du_jeu
    assert piece.get_file().mime_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert piece.obj.AFRelationship == "/Data"
    assert [f.objgen for f in lecteur.Root.AF] == [piece.obj.objgen]  # une fois
    pdfdetach = _outil("pdfdetach")
    assert NOM_CLASSEUR in _executer(pdfdetach, "-list", str(pdf))
    _executer(pdfdetach, "-save", "1", "-o", str(tmp_path / "joint.xlsx"), str(pdf))
    assert (tmp_path / "joint.xlsx").read_bytes() == classeur_du_jeu
    load_workbook(tmp_path / "joint.xlsx", read_only=True).close()


def test_sans_classeur_pas_de_piece_jointe(jeu, tmp_path):
    chemin = tmp_path / "pv.pdf"
    chemin.write_bytes(en_pdf(contenu(jeu)))
    with pikepdf.open(chemin) as lecteur:
        assert not lecteur.attachments


MOT_SANS_FIN = "https://exemple.qc.ca/" + "x" * 300
TITRE_LONG = "Développement " * 30


def test_aucun_tableau_ne_depasse_la_marge_de_droite(jeu, tmp_path):
    """Les textes les plus longs (une adresse de 320 caractères sans espace, un titre de
    400 caractères, une justification longue) dans les tableaux les plus larges (décisions
    d'une séance : 13 colonnes ; récusations ; inadmissibles ; consensus ; tirages) : chaque
    mot que pdftotext place sur une page finit avant la marge de droite, et commence après
    celle de gauche."""
    from evaluation.decision.tirage import tirer

    table = jeu.table.copy()
    table["titre"] = [MOT_SANS_FIN, TITRE_LONG, "Mobilité"]
    table["municipalite"] = ["Saint-" + "Xy" * 40, "Sherbrooke", "Gatineau"]
    i = jeu.ids
    inscrites = [
        _inscrite(i["T-002"], "retenu", 3_000_000, OUVERTE, MOT_SANS_FIN),
        _inscrite(i["T-001"], "liste d'attente", 0, OUVERTE, TITRE_LONG, "tres.long." * 8),
    ]
    t = tirer({"T-001": (20_000_00, 0), "T-002": (30_000_00, 30_000_00)}, (40_000_00, 35_000_00),
              2024, "stricte")  # fmt: skip
    tirages = _tirage_inscrit(0, OUVERTE, [{**t.enregistrement(), "raison": MOT_SANS_FIN}])
    notes = consensus.en_table(
        [
            {"id": k, "demande_id": i["T-002"], "critere": c.id, "note": 8.0,
             "justification": MOT_SANS_FIN, "date": None, "auteur": "p@x.ca"}
            for k, c in enumerate(jeu.appel.criteres, 1)
        ]
    )  # fmt: skip
    large = complet(
        jeu,
        table=table,
        decisions_de_la_seance=inscrites,
        decisions_hors_seance=2,
        fin_de_seance=FERMEE,
        tirages=tirages,
        notes_de_consensus=notes,
        recusations=[_recusation(jeu) | {"raison": MOT_SANS_FIN, "nom": TITRE_LONG}],
        inadmissibles=[_inadmissible(k, raisons=MOT_SANS_FIN) for k in range(9, 70)],
        signature=Signature(TITRE_LONG, MOT_SANS_FIN, MOT_SANS_FIN),
    )
    large = replace(large, appel=replace(jeu.appel, tirage_zone_grise=True))
    chemin = tmp_path / "large.pdf"
    chemin.write_bytes(en_pdf(large))
    boites = tmp_path / "boites.html"
    _executer(_outil("pdftotext"), "-bbox", str(chemin), str(boites))
    pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>',
                       boites.read_text(encoding="utf-8"), re.S)  # fmt: skip
    assert len(pages) > 3
    mots = 0
    for largeur, contenu_page in pages:
        droite = float(largeur) - MARGE
        for x_min, x_max, mot in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            contenu_page,
        ):
            mots += 1
            assert float(x_max) <= droite + 0.5, (mot, x_max, droite)
            assert float(x_min) >= MARGE - 0.5, (mot, x_min)
    assert mots > 1000
    texte = en_clair(chemin)
    assert "Demandes inadmissibles (61)" in texte
    assert "x" * 300 in texte.replace(" ", "")  # coupée pour tenir, mais entière


def test_les_en_tetes_des_longs_tableaux_se_repetent(jeu, tmp_path):
    """80 demandes inadmissibles : le tableau court sur plusieurs pages, et chacune de ces
    pages reprend ses en-têtes."""
    chemin = tmp_path / "long.pdf"
    chemin.write_bytes(
        en_pdf(complet(jeu, inadmissibles=[_inadmissible(k) for k in range(100, 180)]))
    )
    pdftotext = _outil("pdftotext")
    with pikepdf.open(chemin) as lecteur:
        n = len(lecteur.pages)
    avec_lignes = []
    for i in range(1, n + 1):
        page = " ".join(_executer(pdftotext, "-f", str(i), "-l", str(i), str(chemin), "-").split())
        if re.search(r"T-1[0-7]\d", page):
            avec_lignes.append(i)
            assert "Jugée par" in page and "Raisons" in page, i
    assert len(avec_lignes) >= 2


def test_totaux_par_dimension_declaree_et_appel_sans_axes(jeu):
    """Issue 18 : un appel sans axes ni secteurs n'a pas de « Totaux par axe » ni « par
    secteur » ; chaque dimension déclarée a les siens, titrés par son libellé (échappé),
    avec la ligne « (aucune) » des demandes sans valeur."""
    dimension = Dimension(
        "priorites",
        f"Priorités {SCRIPT}",
        True,
        False,
        (ValeurDimension("jeunesse", "Jeunesse"), ValeurDimension("egalite", "Égalité")),
    )
    appel = replace(jeu.appel, axes=(), secteurs=(), dimensions=(dimension,))
    table = jeu.table.copy()
    par_no = {"T-001": ("jeunesse", "egalite"), "T-002": ("jeunesse",)}
    table["dimension:priorites"] = [par_no.get(no, ()) for no in table["no_demande"]]
    page = rediger(replace(jeu, appel=appel), table)
    assert "<script" not in page
    lu = Lecture(page)
    totaux = [t for t in lu.sections if t.startswith("Totaux par")]
    assert totaux == [
        "Totaux par région (décisions)",
        f"Totaux par priorités {SCRIPT} (décisions)",
    ]
    priorites = lignes(lu, "Totaux par priorités")
    assert [r[:2] for r in priorites[1:]] == [
        ["Jeunesse", "2"],
        ["Égalité", "1"],
        ["(aucune)", "1"],
    ]
