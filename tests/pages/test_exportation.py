"""L'exportation dans les pages : le classeur Excel de la page Classement (feuille Évaluations
pour l'administration et la présidence seulement, filtres, nom du fichier) et le procès-verbal
de la page Séance.

Le jeu est celui de tests/pages/test_classement (voir son en-tête) : T-002 rang 1, financé ;
T-001 rang 2, en liste d'attente ; T-003 sous le seuil ; enveloppe de 40 000 $ puis 35 000 $.
"""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import formats, stockage
from evaluation.socle.roles import ADMIN, OBSERVATEUR, PRESIDENT
from tests.pages import test_classement as tc

PAGE_SEANCE = "pages/seance.py"
APPEL_ID = "paivmq-2023-2024"
HYPERLIEN = '=HYPERLINK("http://x","Cliquez")'
FEUILLES = [
    "Classement",
    "Budget",
    "Dépenses retirées",
    "Par axe",
    "Par secteur",
    "Par région",
    "Paramètres",
]
AVEC_EVALUATIONS = [*FEUILLES[:6], "Évaluations", "Paramètres"]

# Les fixtures de tests/pages/test_classement : la base du jeu, la page ouverte, et les
# fichiers que les boutons de téléchargement déposent.
jeu = tc.jeu
ouvrir = tc.ouvrir


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def telechargement(at, fichiers_servis, cle: str):
    """(nom du fichier, octets) du bouton de téléchargement `cle`."""
    return fichiers_servis.lire(at, cle)


def exporter(at, fichiers_servis):
    """Clique « Préparer le classeur Excel » puis lit le fichier offert : (nom, classeur)."""
    assert "telecharger_export" not in {b.key for b in at.get("download_button")}
    at.button(key="preparer_export").click()
    executer(at)
    nom, contenu = telechargement(at, fichiers_servis, "telecharger_export")
    return nom, load_workbook(io.BytesIO(contenu))


def lignes(feuille, haut: int) -> list[dict]:
    en_tetes = [c.value for c in feuille[haut]]
    return [
        dict(zip(en_tetes, r, strict=True))
        for r in feuille.iter_rows(min_row=haut + 1, max_row=feuille.max_row, values_only=True)
    ]


def parametres(feuille) -> dict:
    """Les paires réglage → valeur du haut de la feuille Paramètres (jusqu'à la première ligne
    vide : suivent les sources des réglages et l'historique des pondérations)."""
    paires = {}
    for a, b, *_ in feuille.iter_rows(min_row=3, values_only=True):
        if not a:
            break
        paires[a] = b
    return paires


# --- Page Classement ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [ADMIN, PRESIDENT])
def test_presidence_et_administration_ont_les_evaluations(
    ouvrir, fichiers_servis, role, heure_fixe
):
    at = ouvrir(role)
    nom, livre = exporter(at, fichiers_servis)
    aujourd_hui = "2026-11-30"
    assert nom == f"{APPEL_ID}_classement_{aujourd_hui}.xlsx"
    (bouton,) = [b for b in at.get("download_button") if b.key == "telecharger_export"]
    assert bouton.proto.label == f"Télécharger {nom}"
    assert livre.sheetnames == AVEC_EVALUATIONS
    classement = lignes(livre["Classement"], 4)
    assert [(r["Rang"], r["No de demande"], r["Statut"]) for r in classement] == [
        (1, "T-002", "financé"),
        (2, "T-001", "liste d'attente"),
        (None, "T-003", "sous le seuil"),
    ]
    assert [r["Total"] for r in classement] == pytest.approx([82.5, 77.5, 50.0])
    assert [r["Cumul an 1"] for r in classement] == [30000, 50000, None]
    evaluations = lignes(livre["Évaluations"], 3)
    assert len(evaluations) == 8  # 3 + 3 + 2 évaluations soumises
    (eva_t002,) = [
        r for r in evaluations if r["No de demande"] == "T-002" and r["Évaluateur"] == tc.EVA
    ]
    assert eva_t002["Commentaire global"] == tc.COMMENTAIRE_GLOBAL
    assert eva_t002["Commentaire : Pertinence et retombées"] == tc.COMMENTAIRE_CRITERE
    p = parametres(livre["Paramètres"])
    assert p["Exporté par"] == f"{role}@exemple.qc.ca"
    assert p["Exporté le"] == formats.date_heure(heure_fixe)  # 30 novembre 2026 à 23 h 59
    assert p["Évaluations stockées"] == 8
    assert p["Filtres appliqués"] == "aucun (tout l'appel)"
    assert (p["Enveloppe 2024-2025"], p["Enveloppe 2025-2026"]) == (40000, 35000)


def test_observateur_sans_feuille_evaluations(ouvrir, fichiers_servis, heure_fixe):
    at = ouvrir(OBSERVATEUR)
    nom, livre = exporter(at, fichiers_servis)
    assert nom == f"{APPEL_ID}_classement_2026-11-30.xlsx"
    assert livre.sheetnames == FEUILLES
    assert [r["No de demande"] for r in lignes(livre["Classement"], 4)] == [
        "T-002",
        "T-001",
        "T-003",
    ]
    # Aucune note d'évaluateur ni commentaire ailleurs dans le classeur.
    textes = {c for f in livre.worksheets for r in f.iter_rows(values_only=True) for c in r}
    assert tc.COMMENTAIRE_GLOBAL not in textes and tc.EVA not in textes
    assert parametres(livre["Paramètres"])["Exporté par"] == "observateur@exemple.qc.ca"


def test_export_des_seules_demandes_filtrees(ouvrir, fichiers_servis):
    at = ouvrir(PRESIDENT)
    at.multiselect(key="cl_statuts").set_value(["sous le seuil"])
    at.toggle(key="export_tout").set_value(False)
    executer(at)
    _, livre = exporter(at, fichiers_servis)
    classement = lignes(livre["Classement"], 4)
    assert [r["No de demande"] for r in classement] == ["T-003"]
    assert livre["Classement"].tables["Classement"].ref == "A4:AW5"
    assert livre["Classement"]["A3"].value is None  # aucune financée parmi elles
    assert parametres(livre["Paramètres"])["Filtres appliqués"] == "statut : sous le seuil"

    # Tout l'appel, malgré les filtres de la page.
    at.toggle(key="export_tout").set_value(True)
    executer(at)
    at.button(key="preparer_export").click()
    executer(at)
    _, contenu = telechargement(at, fichiers_servis, "telecharger_export")
    livre = load_workbook(io.BytesIO(contenu))
    assert [r["No de demande"] for r in lignes(livre["Classement"], 4)] == [
        "T-002",
        "T-001",
        "T-003",
    ]
    assert parametres(livre["Paramètres"])["Filtres appliqués"] == "aucun (tout l'appel)"


def test_plusieurs_filtres_nommes(ouvrir, fichiers_servis):
    at = ouvrir(ADMIN)
    at.multiselect(key="cl_axes").set_value([1, 2])
    at.multiselect(key="cl_statuts").set_value(["classé"])
    at.toggle(key="export_tout").set_value(False)
    executer(at)
    _, livre = exporter(at, fichiers_servis)
    assert [r["No de demande"] for r in lignes(livre["Classement"], 4)] == ["T-002", "T-001"]
    assert livre["Classement"]["A3"].value == "Ligne de financement sous la ligne 5 (rang 1)."
    assert parametres(livre["Paramètres"])["Filtres appliqués"] == "axe : 1, 2 ; statut : classé"


def test_titres_hostiles_importes_restent_du_texte(base, application, fichiers_servis, tmp_path):
    """Des titres qui ressemblent à des formules, importés d'un vrai fichier, ressortent du
    classeur de la page comme texte (cellule de texte, préfixe d'apostrophe)."""
    tc.preparer(base)
    livre = load_workbook(tc.VALIDE)
    titres = {2: HYPERLIEN, 3: "+1+1", 4: "-2"}  # T-001, T-002, T-003
    for ligne, titre in titres.items():
        cellule = livre["Demandes"].cell(row=ligne, column=7)
        cellule.value, cellule.data_type = titre, "s"  # sinon openpyxl écrit une formule
    fichier = tmp_path / "hostile.xlsx"
    livre.save(fichier)
    moteur = stockage.creer_moteur(base)
    try:
        verification = verifier_lot([(fichier.name, fichier)], charger_appel())
        assert verification.sans_blocage
        importer(verification, charger_appel(), moteur=moteur)
    finally:
        moteur.dispose()

    at = application(tc.PAGE, role=PRESIDENT)
    _, exporte = exporter(at, fichiers_servis)
    f = exporte["Classement"]
    cellules = {f.cell(row=r, column=2).value: f.cell(row=r, column=3) for r in (5, 6, 7)}
    assert {no: c.value for no, c in cellules.items()} == {
        "T-001": HYPERLIEN,
        "T-002": "+1+1",
        "T-003": "-2",
    }
    assert all(c.data_type == "s" and c.quotePrefix for c in cellules.values())
    formules = [
        c for w in exporte.worksheets for r in w.iter_rows() for c in r if c.data_type == "f"
    ]
    assert formules == []


# --- Page Séance : procès-verbal ---------------------------------------------------------------


class Texte(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.morceaux: list[str] = []
        self._style = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self._style = tag == "style"
        self.morceaux.append("\n")

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if not self._style:
            self.morceaux.append(data)

    @property
    def texte(self) -> str:
        return "".join(self.morceaux)


def test_proces_verbal_de_la_seance(application, jeu, fichiers_servis):
    """Les présents sont ceux que la présidence a notés à l'ouverture de la séance, y compris
    une personne sans compte avec sa fonction ; « discutées » : les demandes amenées en
    séance (T-002, la première, dès l'ouverture)."""
    at = application(PAGE_SEANCE, role=PRESIDENT)
    options = at.multiselect(key="seance_presents").options
    assert set(options) >= {"Compte president", *tc.NOMS.values()}
    at.multiselect(key="seance_presents").set_value(["president@exemple.qc.ca", tc.EVA, tc.ZOE])
    at.text_area(key="seance_libres").set_value("Marie Roy, secrétaire du comité")
    at.button(key="seance_ouvrir").click()
    executer(at)
    at.button(key="seance_retenir").click()  # T-002, rang 1 : retenu au montant recommandé
    executer(at)
    at.date_input(key="pv_date").set_value(dt.date(2026, 11, 24))
    executer(at)
    nom, contenu = telechargement(at, fichiers_servis, "pv_telecharger")
    assert nom == f"{APPEL_ID}_proces-verbal_2026-11-24.html"
    page = contenu.decode("utf-8")
    texte = Texte(page).texte
    assert "Procès-verbal du comité de sélection" in texte
    assert charger_appel().nom in texte
    assert "Séance du 24 novembre 2026 · rédigé par Compte president" in texte
    assert (
        "Membres présents\n\nCompte president\nÉva Lachance\nZoé Tremblay\n"
        "Marie Roy (secrétaire du comité)\n" in texte
    )
    assert "Demandes discutées en séance (1)" in texte
    assert "Luc Gagnon" not in texte
    # Les décisions de cette séance, telles qu'inscrites pendant elle (revue de l'issue 16).
    assert (
        "Recommandations du comité inscrites pendant la séance, dans l'ordre du classement (1)"
        in texte
    )
    assert "\nT-002\n" in texte and "\nretenu\n" in texte
    trente_mille = tc.dollars("30 000 $")
    assert (
        f"Retenues pendant la séance : 1 · accordé : 2024-2025 {trente_mille} ; "
        f"2025-2026 {trente_mille}"
    ) in texte
    assert "Totaux par région (décisions inscrites pendant la séance)" in texte
