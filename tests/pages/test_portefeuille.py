"""La page Portefeuille : budget face à l'enveloppe, projets conjoints, répartitions (les 17
régions, le fichier CSV, une dimension déclarée à plusieurs valeurs), cibles d'équilibre,
meilleure sélection et son adoption par la présidence, solidité de la ligne et panel
d'évaluateurs.

Le jeu est celui de test_classement (voir son en-tête) : T-002 (axe 1, Estrie, projet
conjoint, 30 000 $ + 30 000 $, 82,5) financé ; T-001 (axe 2, Bas-Saint-Laurent, 20 000 $,
77,5) en liste d'attente ; T-003 (axe 3, Outaouais, 18 000,50 $, 50) sous le seuil ;
enveloppe de 40 000 $ puis 35 000 $ (75 000 $ en tout).

Les cibles de l'appel stocké : chaque axe au moins 20 % (15 000 $), l'Estrie au plus 50 %
(37 500 $). La ligne (T-002 : 60 000 $, 80 %) manque les axes 2 et 3 et dépasse en Estrie.
Meilleure sélection : T-001 seule (écarts : 15 000 $ pour l'axe 1 et autant pour l'axe 3)
plutôt que T-002 seule (15 000 $ pour les axes 2 et 3, 22 500 $ en Estrie).
"""

import base64
import csv
import io
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1.element_tree import Button, Caption, Dataframe, Subheader

from evaluation.appels.configuration import appel_depuis_toml
from evaluation.decision import decisions, financement
from evaluation.decision.portefeuille import (
    LIGNE,
    MINISTERE,
    NOTIONS,
    RECOMMANDATIONS,
    RESTANTS,
)
from evaluation.notes import attributions
from evaluation.socle import stockage
from evaluation.socle.formats import montant
from evaluation.socle.roles import ADMIN, OBSERVATEUR, PRESIDENT
from evaluation.socle.texte import cle_nom_propre
from tests.pages.conftest import bilan, rendu, textes
from tests.pages.test_classement import dollars, preparer

PAGE = "pages/portefeuille.py"
CIBLES = """
[[cibles]]
dimension = "axe"
valeur = "*"
part_min = 20

[[cibles]]
dimension = "region"
valeur = "05"
part_max = 50
"""
CODES_DU_JEU = {"10043", "43027", "81017"}  # T-001, T-002, T-003
PANEL = "Les évaluateurs du comité"
SCENARIO = "Scénario adopté : meilleure sélection dans l'enveloppe"
OBJECTIF_CLASSEMENT = (
    "Objectif (réglage de l'appel) : respecter le classement, puis les cibles d'équilibre."
)
OBJECTIF_NOTE_MONTANT = (
    "Objectif (réglage de l'appel) : la plus grande somme note × montant recommandé."
)


def stocker_cibles(url: str, appel, cibles: str, objectif: str | None = None) -> object:
    """Remplace les cibles de l'appel stocké (avant d'ouvrir la page), et l'objectif de la
    meilleure sélection si `objectif` est donné."""
    sans = re.sub(r"\[\[cibles\]\]\n(?:\w+ = .*\n)+", "", appel.source_toml)
    assert "[[cibles]]" not in sans
    if objectif is not None:
        assert 'objectif_selection = "classement"' in sans
        sans = sans.replace(
            'objectif_selection = "classement"', f'objectif_selection = "{objectif}"'
        )
    nouvel = appel_depuis_toml(sans + cibles, "test")
    moteur = stockage.creer_moteur(url)
    try:
        with stockage.ecriture(moteur) as connexion:
            stockage.enregistrer_appel(nouvel, connexion=connexion)
    finally:
        moteur.dispose()
    return nouvel


@pytest.fixture
def jeu(base):
    appel, ids = preparer(base)
    return stocker_cibles(base, appel, CIBLES), ids


@pytest.fixture
def appel(jeu):
    return jeu[0]


@pytest.fixture
def ids(jeu):
    return jeu[1]


@pytest.fixture
def ouvrir(application, jeu):
    def ouvrir_page(role=PRESIDENT):
        at = application(PAGE, role=role)
        assert at.title[0].value == "Portefeuille"
        return at

    return ouvrir_page


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def sous_titres(at) -> list[str]:
    return [s.value for s in at.subheader]


def metriques(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def tableau(at, colonne: str):
    """Le premier tableau qui a cette colonne."""
    trouves = [d.value for d in at.dataframe if colonne in d.value.columns]
    assert trouves, f"aucun tableau avec la colonne « {colonne} »"
    return trouves[0]


def tableau_sous(at, titre: str):
    """Le premier tableau qui suit le sous-titre `titre`."""
    courant = None
    for element in at.main.children.values():
        if isinstance(element, Subheader):
            courant = element.value
        elif isinstance(element, Dataframe) and courant == titre:
            return element.value
    return None


def lignes(table) -> list[list]:
    return table.values.tolist()


def cles_boutons(at) -> set[str]:
    return {b.key for b in at.button if b.key}


def decisions_stockees(moteur, appel) -> dict[int, tuple]:
    with moteur.connect() as c:
        decisions = stockage.lire_decisions(appel.id, connexion=c)
    return {
        int(d["demande_id"]): (
            d["decision"],
            d["montant_an1"],
            d["montant_an2"],
            d["justification"],
        )
        for d in decisions
    }


def contenu_csv(fichiers_servis, at, forme: str = "excel") -> list[list[str]]:
    """Le CSV de la répartition, « Excel (français) » ou « données » (issue 19)."""
    boutons = [b for b in at.get("download_button") if b.key and b.key.startswith("pf_csv")]
    assert [b.proto.label for b in boutons] == [
        "Télécharger ce tableau (CSV, Excel (français))",
        "Télécharger ce tableau (CSV, données)",
    ]
    _, contenu = fichiers_servis.lire(at, "pf_csv" if forme == "excel" else "pf_csv_donnees")
    if forme == "excel":
        assert contenu.startswith(b"\xef\xbb\xbf")  # UTF-8 avec BOM, pour Excel
        return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert not contenu.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(contenu.decode("utf-8")), delimiter=","))


# --- Ce que chacun voit --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [ADMIN, PRESIDENT, OBSERVATEUR])
def test_la_page_s_ouvre_pour_chaque_role(ouvrir, role):
    at = ouvrir(role)
    titres = sous_titres(at)
    assert titres[:5] == [
        "Budget",
        "Répartitions",
        "Cibles d'équilibre",
        "Meilleure sélection dans l'enveloppe",
        "Solidité de la ligne de financement",
    ]
    assert (PANEL in titres) == (role != OBSERVATEUR)
    assert "Demandes en zone grise" in metriques(at)
    assert "pf_optimiser" in cles_boutons(at)
    assert "pf_adopter" not in cles_boutons(at)  # rien d'optimisé encore


def test_budget_face_a_l_enveloppe(ouvrir):
    at = ouvrir()
    budget = bilan(at)
    assert list(budget.columns) == ["2024-2025", "2025-2026", "Toutes années", "Demandes"]
    attendu = {
        "Enveloppe": ["40 000 $", "35 000 $", "75 000 $", ""],
        NOTIONS[LIGNE]: ["30 000 $", "30 000 $", "60 000 $", "1"],
        NOTIONS[RECOMMANDATIONS]: ["—", "—", "—", "aucune décision"],
        NOTIONS[MINISTERE]: ["—", "—", "—", "aucune décision"],
        RESTANTS[LIGNE]: ["10 000 $", "5 000 $", "15 000 $", ""],
    }
    for quoi, valeurs in attendu.items():
        assert budget.loc[quoi].tolist() == [dollars(v) for v in valeurs], quoi
    assert dollars(
        "Demandé, toutes les demandes : 2024-2025 : 68 000,50 $ · 2025-2026 : 30 000 $ · "
        "toutes années : 98 000,50 $."
    ) in textes(at)
    # La bonification : T-002 reçoit 5 000 $ de plus que le plafond simple chaque année.
    (types,) = [
        t.value.reset_index() for t in at.table if "Bonification conjointe utilisée" in t.value
    ]
    assert lignes(types) == [
        ["projet conjoint", 1, 1, dollars("60 000 $"), dollars("10 000 $")],
        ["une seule municipalité", 2, 0, "0\u00a0$", "0\u00a0$"],
    ]


def test_repartition_par_axe_et_son_fichier(ouvrir, fichiers_servis):
    at = ouvrir()
    assert at.selectbox(key="pf_dim").value == "axe"
    axes = tableau(at, "Axe")
    attendu = [
        ["Axe 1", 1, 1, "60 000 $", "60 000 $", "80,0 %", "82,50", "100,0 %"],
        ["Axe 2", 1, 0, "20 000 $", "0 $", "0,0 %", "77,50", "0,0 %"],
        ["Axe 3", 1, 0, "18 000,50 $", "0 $", "0,0 %", "50,00", "0,0 %"],
    ]
    assert lignes(axes) == [
        [dollars(v).replace(" %", "\u00a0%") if isinstance(v, str) else v for v in ligne]
        for ligne in attendu
    ]
    fichier = contenu_csv(fichiers_servis, at)
    assert fichier[0] == [
        "Axe",
        "Demandes",
        "Financées",
        "Demandé ($)",
        "Financé ($)",
        "Part de l'enveloppe (%)",
        "Note moyenne",
        "Taux de succès (%)",
    ]
    # Des nombres que le tableur lit (issue 19) : virgule décimale, sans « $ » ni « % » ni
    # espace de milliers ; les mêmes chiffres que la page.
    assert fichier[1:] == [
        ["Axe 1", "1", "1", "60000,00", "60000,00", "80,0", "82,50", "100,0"],
        ["Axe 2", "1", "0", "20000,00", "0,00", "0,0", "77,50", "0,0"],
        ["Axe 3", "1", "0", "18000,50", "0,00", "0,0", "50,00", "0,0"],
    ]
    donnees = contenu_csv(fichiers_servis, at, "donnees")
    assert donnees[0] == fichier[0]
    assert donnees[1:] == [[v.replace(",", ".") for v in ligne] for ligne in fichier[1:]]


def test_repartition_par_region_les_17_et_les_municipalites_sans_demande(
    ouvrir, repertoire, fichiers_servis, moteur, appel
):
    at = ouvrir(OBSERVATEUR)
    assert not any(e.label.startswith("Municipalités sans demande") for e in at.expander)
    at.selectbox(key="pf_dim").set_value("region")
    executer(at)
    regions = tableau(at, "Région administrative")
    assert len(regions) == 17
    par_nom = regions.set_index("Région administrative")
    assert par_nom.loc[
        "Estrie", ["Demandes", "Financées", "Financé", "Part de l'enveloppe"]
    ].tolist() == [
        1,
        1,
        dollars("60 000 $"),
        "80,0\u00a0%",
    ]
    assert par_nom.loc["Bas-Saint-Laurent", ["Demandes", "Financées", "Demandé"]].tolist() == [
        1,
        0,
        dollars("20 000 $"),
    ]
    assert par_nom.loc["Outaouais", "Note moyenne"] == "50,00"
    vides = par_nom.drop(["Estrie", "Bas-Saint-Laurent", "Outaouais"])
    assert len(vides) == 14
    assert (vides["Demandes"] == 0).all() and (vides["Note moyenne"] == "").all()
    assert (vides["Taux de succès"] == "").all()
    # Le financé par 100 000 habitants, d'après le répertoire.
    estrie = sum(m.population for m in repertoire.municipalites if m.region_code == "05")
    assert par_nom.loc["Estrie", "Financé par 100 000 hab."] == montant(
        int(6_000_000 / estrie * 100_000)
    )
    assert par_nom.loc["Laval", "Financé par 100 000 hab."] == "0\u00a0$"

    codes = {m.code_geographique for m in repertoire.municipalites}
    assert codes >= CODES_DU_JEU
    # Les partenaires nommés dans les projets conjoints ont participé, eux aussi (par nom).
    with moteur.connect() as c:
        partenaires = stockage.lire_demandes(appel.id, connexion=c)["municipalites_partenaires"]
    noms = {
        cle_nom_propre(n)
        for v in partenaires
        if isinstance(v, str)
        for n in v.split(";")
        if n.strip()
    }
    assert noms, "le jeu de test doit avoir un projet conjoint"
    attendues = [
        m
        for m in repertoire.municipalites
        if m.code_geographique not in CODES_DU_JEU and cle_nom_propre(m.nom_affiche) not in noms
    ]
    assert len(attendues) < len(codes - CODES_DU_JEU)
    (absentes,) = [e for e in at.expander if e.label.startswith("Municipalités sans demande")]
    assert absentes.label == f"Municipalités sans demande ({len(attendues)})"
    assert len(contenu_csv(fichiers_servis, at)) == 1 + 17


def test_repartition_selon_les_decisions_et_par_annee(ouvrir, appel, ids, moteur):
    """T-001, en liste d'attente, retenue à 15 000 $ : les décisions la financent."""
    decisions.enregistrer_decision(
        appel,
        ids["T-001"],
        financement.RETENU,
        (1_500_000, 0),
        "Seul projet de la région",
        moteur=moteur,
        auteur="president@exemple.qc.ca",
    )
    at = ouvrir()
    at.radio(key="pf_selon").set_value("decisions")
    at.selectbox(key="pf_annee").set_value(1)
    executer(at)
    axes = tableau(at, "Axe").set_index("Axe")
    assert axes.loc["Axe 2", ["Financées", "Financé", "Part de l'enveloppe"]].tolist() == [
        1,
        dollars("15 000 $"),
        "37,5\u00a0%",  # 15 000 $ sur l'enveloppe de 2024-2025 (40 000 $)
    ]
    assert axes.loc["Axe 1", ["Financées", "Financé"]].tolist() == [0, "0\u00a0$"]
    budget = bilan(at)
    assert budget.loc[NOTIONS[RECOMMANDATIONS]].tolist() == [
        dollars("15 000 $"),
        "0\u00a0$",
        dollars("15 000 $"),
        "1",
    ]


def test_filtre_par_statut(ouvrir):
    at = ouvrir()
    at.multiselect(key="pf_statuts").set_value(["sous le seuil"])
    executer(at)
    assert tableau(at, "Axe")["Demandes"].tolist() == [0, 0, 1]


# --- Cibles d'équilibre -------------------------------------------------------------------------


def test_cibles_manquees_par_la_ligne(ouvrir):
    at = ouvrir()
    assert "Ligne de financement : 3 cibles manquées sur 4." in [w.value for w in at.warning]
    cibles = tableau(at, "Respectée (ligne)")
    vues = cibles[
        ["Valeur", "Part (ligne)", "Financées (ligne)", "Respectée (ligne)", "Écart (ligne)"]
    ]
    assert lignes(vues) == [
        ["Axe 1", "80,0\u00a0%", 1, "oui", ""],
        ["Axe 2", "0,0\u00a0%", 0, "NON", "20,0 points de % sous le minimum"],
        ["Axe 3", "0,0\u00a0%", 0, "NON", "20,0 points de % sous le minimum"],
        ["Estrie", "80,0\u00a0%", 1, "NON", "30,0 points de % au-dessus du maximum"],
    ]
    assert cibles["Cible"].tolist() == ["chaque axe : au moins 20 % de l'enveloppe"] * 3 + [
        "région 05 : au plus 50 % de l'enveloppe"
    ]


def test_sans_cible(base, application):
    appel, _ = preparer(base)
    stocker_cibles(base, appel, "")
    at = application(PAGE, role=PRESIDENT)
    assert "L'appel ne fixe aucune cible d'équilibre." in textes(at)
    assert not any(d.value.columns.isin(["Respectée (ligne)"]).any() for d in at.dataframe)
    # Sans cible, la meilleure sélection est la ligne.
    at.button(key="pf_optimiser").click()
    executer(at)
    assert "La meilleure sélection est celle de la ligne de financement." in textes(at)
    m = metriques(at)
    assert (m["Demandes financées"], m["Montant"], m["Note moyenne des financées"]) == (
        "1",
        dollars("60 000 $"),
        "82,50",
    )


# --- Meilleure sélection et adoption ------------------------------------------------------------


def _optimiser(at):
    at.button(key="pf_optimiser").click()
    return executer(at)


def legende_du_bouton(at) -> str:
    """La légende qui suit le bouton « Calculer la meilleure sélection »."""
    elements = list(at.main.children.values())
    (i,) = [i for i, e in enumerate(elements) if isinstance(e, Button) and e.key == "pf_optimiser"]
    assert isinstance(elements[i + 1], Caption)
    return elements[i + 1].value


def test_l_objectif_est_dit_a_cote_du_bouton(ouvrir):
    """L'appel livré respecte le classement, puis les cibles (réglage du comité)."""
    at = ouvrir()
    assert legende_du_bouton(at) == OBJECTIF_CLASSEMENT
    assert legende_du_bouton(_optimiser(at)) == OBJECTIF_CLASSEMENT


@pytest.mark.parametrize("role", [ADMIN, PRESIDENT, OBSERVATEUR])
def test_meilleure_selection(ouvrir, role):
    """Objectif de l'appel livré : on descend le classement ; T-002 dépasserait le maximum
    de l'Estrie, T-001 entre ; aucune cible ne fait entrer une autre demande (l'axe 1 n'a
    que T-002, l'axe 3 aucune classée). Le programme du moindre manque ne tourne que sur
    demande (« Chercher une sélection qui manque moins les cibles ») : il confirme qu'on ne
    peut pas manquer moins. C'est aussi ce que choisit Σ note × montant."""
    at = _optimiser(ouvrir(role))
    assert any(w.value.startswith("En suivant le classement, des cibles") for w in at.warning)
    at.button(key="pf_chercher").click()
    executer(at)
    assert "pf_chercher" not in cles_boutons(at)
    assert not any(w.value.startswith("En suivant le classement, des cibles") for w in at.warning)
    m = metriques(at)
    assert (m["Demandes financées"], m["Montant"], m["Note moyenne des financées"]) == (
        "1",
        dollars("20 000 $"),
        "77,50",
    )
    (manques,) = [w.value for w in at.warning if w.value.startswith("Cibles impossibles")]
    assert manques == (
        "Cibles impossibles à tenir toutes : "
        "chaque axe : au moins 20 % de l'enveloppe — Axe 1 (manque 20,0 points de %) ; "
        "chaque axe : au moins 20 % de l'enveloppe — Axe 3 (manque 20,0 points de %)"
    )
    changements = tableau(at, "Changement")
    assert lignes(changements) == [
        ["T-002", 1, "82,50", "retirée"],
        ["T-001", 2, "77,50", "ajoutée"],
    ]
    assert ("pf_adopter" in cles_boutons(at)) == (role == PRESIDENT)


def test_ce_que_coute_chaque_cible(ouvrir):
    """Objectif de l'appel livré : sans la cible d'Estrie, la descente garde T-002 (les
    écarts d'axes sont les mêmes, 30 000 $) ; la cible la déplace. Sans celle des axes,
    T-001 reste : rien de déplacé."""
    at = _optimiser(ouvrir())
    at.toggle(key="pf_couts").set_value(True)
    executer(at)
    couts = tableau(at, "Demandes déplacées (choisies sans la cible, pas avec)")
    assert lignes(couts) == [
        ["chaque axe : au moins 20 % de l'enveloppe", 0],
        ["région 05 : au plus 50 % de l'enveloppe", 1],
    ]


def test_objectif_note_fois_montant(base, application, appel):
    """L'appel règle l'objectif sur Σ note × montant : la page le dit, la sélection est la
    même ici, et le coût des cibles est la valeur perdue. Sans la cible d'Estrie : 82,5 ×
    60 000 contre 77,5 × 20 000, 68,7 % de perdu ; sans celle des axes, rien."""
    stocker_cibles(base, appel, CIBLES, objectif="note_montant")
    at = _optimiser(application(PAGE, role=PRESIDENT))
    assert legende_du_bouton(at) == OBJECTIF_NOTE_MONTANT
    assert metriques(at)["Montant"] == dollars("20 000 $")
    at.toggle(key="pf_couts").set_value(True)
    executer(at)
    couts = tableau(at, "Valeur perdue (note × montant)")
    assert lignes(couts) == [
        ["chaque axe : au moins 20 % de l'enveloppe", "0,0\u00a0%"],
        ["région 05 : au plus 50 % de l'enveloppe", "68,7\u00a0%"],
    ]


def test_une_cible_fait_entrer_une_demande_et_la_page_le_dit(base, application, appel):
    """Axe 2 au moins une fois : T-001 (axe 2) entre, T-002 sort pour lui faire place ; la
    page dit laquelle est entrée pour quelle cible."""
    stocker_cibles(base, appel, '[[cibles]]\ndimension = "axe"\nvaleur = "2"\nnombre_min = 1\n')
    at = _optimiser(application(PAGE, role=PRESIDENT))
    assert (
        "Entrées hors de l'ordre du classement pour « axe 2 : au moins 1 demande "
        "financée — Axe 2 » : T-001. Sorties pour leur faire place : T-002."
    ) in [i.value for i in at.info]
    assert lignes(tableau(at, "Changement")) == [
        ["T-002", 1, "82,50", "retirée"],
        ["T-001", 2, "77,50", "ajoutée"],
    ]


def test_forcer_et_exclure(ouvrir, ids):
    at = ouvrir()
    at.multiselect(key="pf_forcees").set_value([ids["T-002"]])
    at.multiselect(key="pf_exclues").set_value([ids["T-001"]])
    _optimiser(at)
    assert "La meilleure sélection est celle de la ligne de financement." in textes(at)
    assert metriques(at)["Montant"] == dollars("60 000 $")


def test_forcer_au_dela_de_l_enveloppe(ouvrir, ids):
    at = ouvrir()
    at.multiselect(key="pf_forcees").set_value([ids["T-002"], ids["T-001"]])
    _optimiser(at)
    assert "Aucune sélection possible : les demandes forcées dépassent l'enveloppe." in [
        e.value for e in at.error
    ]
    assert "Demandes financées" not in metriques(at)
    assert "pf_adopter" not in cles_boutons(at)


def test_la_presidence_adopte_le_scenario(ouvrir, appel, ids, moteur):
    """Le scénario retient T-001 (rang 2, sous la ligne) et écarte T-002 (rang 1) : une
    raison pour chacune est demandée (issue 16) ; sans elles, le refus s'affiche sous le
    bouton, et rien n'est écrit."""
    at = _optimiser(ouvrir(PRESIDENT))
    assert decisions_stockees(moteur, appel) == {}
    assert [t.label for t in at.text_input if t.key.startswith("pf_raison::")] == [
        "Raison pour T-002 (rang 1, écartée au-dessus de la ligne)",
        "Raison pour T-001 (rang 2, retenue sous la ligne)",
    ]
    at.text_input(key=f"pf_raison::{ids['T-001']}").set_value("cible régionale")
    at.button(key="pf_adopter").click()
    executer(at)
    (erreur,) = [e.value for e in at.error]
    assert erreur == (
        "Refusé : ce scénario fait passer la ligne de financement contre le classement à "
        "T-002 (écartée au-dessus de la ligne) : donnez une raison pour elle avant de "
        "l'adopter."
    )
    assert decisions_stockees(moteur, appel) == {}
    assert _juste_apres_le_bouton(at, "pf_adopter").value == erreur
    at.text_input(key=f"pf_raison::{ids['T-002']}").set_value("cible atteinte sans elle")
    at.button(key="pf_adopter").click()
    executer(at)
    assert "Scénario adopté : 2 décisions inscrites au journal." in [s.value for s in at.success]
    assert decisions_stockees(moteur, appel) == {
        ids["T-001"]: ("retenu", 2_000_000, 0, f"{SCENARIO} : cible régionale"),
        ids["T-002"]: ("liste d'attente", 0, 0, f"{SCENARIO} : cible atteinte sans elle"),
    }
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id)
    journal = journal[journal["objet"] == "decision"]
    assert journal["auteur"].tolist() == ["president@exemple.qc.ca"] * 2
    # La page relit la base : le budget montre l'accordé, le calcul est oublié.
    budget = bilan(at)
    assert budget.loc[NOTIONS[RECOMMANDATIONS]].tolist()[:3] == [
        dollars("20 000 $"),
        "0\u00a0$",
        dollars("20 000 $"),
    ]
    assert "Demandes financées" not in metriques(at)
    assert "pf_adopter" not in cles_boutons(at)


def _juste_apres_le_bouton(at, cle: str):
    """L'élément qui suit le bouton `cle` dans son conteneur (un message sous le bouton)."""
    for bloc in [at.main, *at.main.children.values()]:
        enfants = list(getattr(bloc, "children", {}).values())
        for i, e in enumerate(enfants):
            if isinstance(e, Button) and e.key == cle:
                return enfants[i + 1]
    raise AssertionError(f"bouton {cle} introuvable")


def test_adoption_refusee_quand_les_decisions_sont_verrouillees(ouvrir, appel, moteur):
    at = _optimiser(ouvrir(PRESIDENT))
    attributions.verrouiller(
        appel.id, True, moteur=moteur, auteur="admin@exemple.qc.ca", quoi="decisions_verrouillees"
    )
    at.button(key="pf_adopter").click()
    executer(at)
    (erreur,) = [e.value for e in at.error]
    assert erreur.startswith("Refusé : les décisions de cet appel sont verrouillées")
    assert decisions_stockees(moteur, appel) == {}


# --- Solidité et panel --------------------------------------------------------------------------


def test_solidite_de_la_ligne(ouvrir):
    """T-002 (80, 82,5 et 85 selon l'évaluateur) reste toujours devant T-001 (77,5
    partout) : rien en zone grise."""
    at = ouvrir()
    assert metriques(at)["Demandes en zone grise"] == "0"
    solidite = tableau(at, "Zone grise")
    assert lignes(solidite) == [
        [1, "T-002", "100,0\u00a0%", "1 à 1", ""],
        [2, "T-001", "0,0\u00a0%", "2 à 2", ""],
    ]


def test_panel_d_evaluateurs(ouvrir):
    at = ouvrir(ADMIN)
    panel = tableau(at, "Écart moyen au comité")
    assert panel["Évaluateur"].tolist() == ["Éva Lachance", "Luc Gagnon", "Zoé Tremblay"]
    assert panel["Évaluations"].tolist() == [3, 3, 2]
    assert accords(at)

    at = ouvrir(OBSERVATEUR)
    assert not any("Écart moyen au comité" in d.value.columns for d in at.dataframe)
    assert accords(at) == {}


def accords(at) -> dict[str, str]:
    """Libellé de chaque statistique d'accord entre évaluateurs → son aide."""
    return {
        m.value.split(" : ")[0]: m.proto.help
        for m in at.markdown
        if m.value.startswith("**Accord entre évaluateurs")
    }


def test_l_accord_entre_evaluateurs_s_explique_dans_son_aide(ouvrir):
    """Issue 19 : une ligne en français dans l'aide de chaque statistique (1 = parfait,
    0 = hasard) ; le nom technique (CIC, Krippendorff) dans l'aide, pas dans le libellé."""
    aides = accords(ouvrir(PRESIDENT))
    assert list(aides) == [
        "**Accord entre évaluateurs, sur les totaux**",
        "**Accord entre évaluateurs, critère par critère**",
    ]
    for aide in aides.values():
        assert "1 = parfait, 0 = hasard" in aide
    # T-001 et T-002 ont chacune leurs propres évaluateurs.
    assert (
        "Mesure : CIC(1), coefficient de corrélation intraclasse"
        in aides["**Accord entre évaluateurs, sur les totaux**"]
    )
    assert "alpha de Krippendorff" in aides["**Accord entre évaluateurs, critère par critère**"]
    textes_affiches = " ".join(m.value for m in ouvrir(PRESIDENT).markdown)
    assert not re.search(r"CIC|Krippendorff|panel", textes_affiches)


def test_une_decision_prise_ailleurs_se_voit_a_la_reexecution(ouvrir, base, appel, ids):
    """Le budget accordé suit une décision inscrite par un autre serveur dès la
    réexécution suivante (le classement gardé est celui d'une version des données)."""
    at = ouvrir()
    assert bilan(at).loc[NOTIONS[RECOMMANDATIONS], "2024-2025"] == "—"  # aucune décision
    ailleurs = stockage.creer_moteur(base)
    try:
        decisions.enregistrer_decision(
            appel,
            ids["T-002"],
            financement.RETENU,
            (3_000_000, 3_000_000),
            "",
            recommandation=("financé", (3_000_000, 3_000_000)),
            moteur=ailleurs,
            auteur="president@exemple.qc.ca",
        )
    finally:
        ailleurs.dispose()
    executer(at)
    assert bilan(at).loc[NOTIONS[RECOMMANDATIONS], "2024-2025"] == dollars("30 000 $")


def test_boites_du_panel_par_evaluateur_et_critere(ouvrir, appel):
    """Les boîtes à moustaches du panel : une trace par évaluateur, nommée de son nom, une
    boîte par critère ; en pertinence, les médianes de leurs notes
    (Éva 5, 10, 5 → 5 ; Luc 6, 10, 5 → 6 ; Zoé 7, 10 → 8,5), ailleurs 7, 7 et 8."""
    at = ouvrir(ADMIN)
    (graphique,) = [g for g in at.get("plotly_chart") if "pf_boites" in g.proto.id]
    traces = json.loads(graphique.proto.spec)["data"]
    courts = [c.libelle.split(" ")[0] for c in appel.criteres]
    par_nom = {t["name"]: t for t in traces}
    assert set(par_nom) == {"Éva Lachance", "Luc Gagnon", "Zoé Tremblay"}
    for nom, (pertinence, ailleurs) in {
        "Éva Lachance": (5, 7),
        "Luc Gagnon": (6, 7),
        "Zoé Tremblay": (8.5, 8),
    }.items():
        t = par_nom[nom]
        assert sorted(t["x"]) == sorted(courts)
        attendu = {
            court: pertinence if c.id == "pertinence" else ailleurs
            for court, c in zip(courts, appel.criteres, strict=True)
        }
        assert dict(zip(t["x"], t["median"], strict=True)) == attendu
        assert all(b <= m <= h for b, m, h in zip(t["q1"], t["median"], t["q3"], strict=True))


def _tableau_plotly(valeurs) -> list:
    """Une liste de la spécification JSON de plotly : telle quelle, ou encodée en binaire
    ({"dtype": "f8", "bdata": base64})."""
    if isinstance(valeurs, dict):
        return np.frombuffer(base64.b64decode(valeurs["bdata"]), dtype=valeurs["dtype"]).tolist()
    return list(valeurs)


def test_carte_des_financements_par_axe_et_secteur(ouvrir, appel):
    """La carte (treemap) des demandes financées à la ligne : T-002 seule, axe 1, 30 000 $
    par année, soit 60 000 $ sous « Axe 1 » et sous son secteur."""
    at = ouvrir(ADMIN)
    (graphique,) = [g for g in at.get("plotly_chart") if "pf_arbre" in g.proto.id]
    (trace,) = json.loads(graphique.proto.spec)["data"]
    valeurs = dict(zip(trace["ids"], _tableau_plotly(trace["values"]), strict=True))
    assert valeurs["Axe 1"] == 60_000
    feuilles = {i: v for i, v in valeurs.items() if "/" in i}
    assert list(feuilles.values()) == [60_000]
    assert next(iter(feuilles)).startswith("Axe 1/")


# --- Dimensions déclarées (issue 18) -------------------------------------------------------------
# Un appel qui déclare des priorités transversales, plusieurs par demande. Le chargement du
# classement porte, pour chaque dimension déclarée, une colonne `dimension:<id>` (un tuple
# d'ids de valeurs par demande : contrat partagé de l'issue 18) ; ici, la page reçoit ce
# classement-là (`classement_calcule` enveloppé), sans dépendre de son stockage.
#
#     T-001 (attente)      Jeunesse, Égalité
#     T-002 (financée)     Jeunesse, Environnement
#     T-003 (sous le seuil) —
#
# La cible « Égalité : au moins une demande financée » est un réglage du ministère ; que T-002
# compte avec ses 60 000 $ pour Jeunesse ET pour Environnement est une interprétation.
DIMENSION_PRIORITES = """
[[dimensions]]
id = "priorites"
libelle = "Priorités transversales"
multiple = true
valeurs = [
  { id = "jeunesse", libelle = "Jeunesse" },
  { id = "egalite", libelle = "Égalité" },
  { id = "environnement", libelle = "Environnement" },
]
"""
CIBLE_EGALITE = """
[[cibles]]
dimension = "priorites"
valeur = "egalite"
nombre_min = 1
"""
PRIORITES_DU_JEU = {"T-001": ("jeunesse", "egalite"), "T-002": ("jeunesse", "environnement")}


def avec_colonnes_de_dimensions(monkeypatch, valeurs: dict[str, dict[str, tuple]]) -> None:
    """La page reçoit le classement avec les colonnes `dimension:<id>` (id → no → valeurs)."""
    from dataclasses import replace

    from pages.composants import commun

    vraie = commun.classement_calcule

    def calcul(appel):
        c = vraie(appel)
        table = c.table.copy()
        for id_, par_no in valeurs.items():
            table[f"dimension:{id_}"] = [par_no.get(no, ()) for no in table["no_demande"]]
        return replace(c, table=table)

    monkeypatch.setattr(commun, "classement_calcule", calcul)


@pytest.fixture
def priorites(base, monkeypatch):
    appel, ids = preparer(base)
    appel = stocker_cibles(base, appel, DIMENSION_PRIORITES + CIBLE_EGALITE)
    avec_colonnes_de_dimensions(monkeypatch, {"priorites": PRIORITES_DU_JEU})
    return appel, ids


def test_repartition_par_une_dimension_a_plusieurs_valeurs(priorites, application):
    """« Priorités transversales » est offerte, dite « plusieurs par demande » ; T-002 compte
    dans Jeunesse et dans Environnement : les parts additionnées font 160 %, et la page le
    dit ; T-003, sans priorité, est dans « (aucune) »."""
    at = application(PAGE, role=PRESIDENT)
    choix = at.selectbox(key="pf_dim")
    assert "Priorités transversales (plusieurs par demande)" in choix.options
    assert any("pf_arbre" in e.proto.id for e in at.get("plotly_chart"))  # l'appel a des axes
    choix.set_value("priorites")
    executer(at)
    vue = tableau(at, "Priorités transversales")
    assert lignes(vue[["Priorités transversales", "Demandes", "Financées"]]) == [
        ["Jeunesse", 2, 1],
        ["Égalité", 1, 0],
        ["Environnement", 1, 1],
        ["(aucune)", 1, 0],
    ]
    assert vue["Part de l'enveloppe"].tolist() == [
        "80,0\u00a0%",
        "0,0\u00a0%",
        "80,0\u00a0%",
        "0,0\u00a0%",
    ]
    legendes = [c.value for c in at.caption]
    (multiple,) = [c for c in legendes if "peuvent dépasser 100 %" in c]
    assert "160,0\u00a0%" in multiple
    assert "Interprétation" in multiple
    assert any(
        c.startswith("« (aucune) » : les demandes qui n'ont aucune valeur") for c in legendes
    )


def test_cible_sur_une_valeur_d_une_dimension_multiple(priorites, application):
    """La cible se lit avec les libellés de la dimension et de la valeur ; la ligne (T-002
    seule) la manque ; la meilleure sélection (respecter le classement, puis les cibles) fait
    entrer T-001, qui sert Égalité, à la place de T-002, et le dit."""
    at = application(PAGE, role=PRESIDENT)
    assert "Ligne de financement : 1 cible manquée sur 1." in [w.value for w in at.warning]
    cibles = tableau(at, "Respectée (ligne)")
    nom = "Priorités transversales « Égalité » : au moins 1 demande financée"
    assert lignes(cibles[["Cible", "Dimension", "Valeur", "Financées (ligne)"]]) == [
        [nom, "Priorités transversales", "Égalité", 0]
    ]
    assert any(
        "Cibles d'équilibre fixées pour l'appel (page Paramètres)" in c.value for c in at.caption
    )
    at.button(key="pf_optimiser").click()
    executer(at)
    (info,) = [rendu(i.value) for i in at.info if "Entrées hors de l" in i.value]
    assert info.startswith(
        f"Entrées hors de l'ordre du classement pour « {nom} — Égalité » : T-001"
    )
    assert "Sorties pour leur faire place : T-002" in info
    apres = tableau(at, "Part (meilleure sélection)")
    assert apres["Respectée"].tolist() == ["oui"]


def test_appel_sans_axes_ni_secteurs(base, application, monkeypatch):
    """[[axes]] et [[secteurs]] sont facultatifs : la page s'ouvre, n'offre ni l'axe ni le
    secteur, montre la région et la dimension déclarée, et n'a pas de carte par axe."""
    appel, _ = preparer(base)
    sans = re.sub(r"\[\[(?:axes|secteurs)\]\]\n(?:\w+ = .*\n)+\n?", "", appel.source_toml)
    assert "[[axes]]" not in sans and "[[secteurs]]" not in sans
    moteur = stockage.creer_moteur(base)
    try:
        nouvel = appel_depuis_toml(
            re.sub(r"\[\[cibles\]\]\n(?:\w+ = .*\n)+", "", sans) + DIMENSION_PRIORITES, "test"
        )
        assert nouvel.axes == () and nouvel.secteurs == ()
        with stockage.ecriture(moteur) as connexion:
            stockage.enregistrer_appel(nouvel, connexion=connexion)
    finally:
        moteur.dispose()
    avec_colonnes_de_dimensions(monkeypatch, {"priorites": PRIORITES_DU_JEU})
    at = application(PAGE, role=PRESIDENT)
    options = at.selectbox(key="pf_dim").options
    assert not any(o.startswith(("Axe", "Secteur")) for o in options)
    assert at.selectbox(key="pf_dim").value == "region"
    assert not any("pf_arbre" in e.proto.id for e in at.get("plotly_chart"))
    at.selectbox(key="pf_dim").set_value("priorites")
    executer(at)
    assert tableau(at, "Priorités transversales")["Demandes"].tolist() == [2, 1, 1, 1]


def test_filtre_sur_une_valeur_d_une_dimension(priorites, application):
    """Les demandes qui servent Égalité (T-001 seule), réparties par axe."""
    at = application(PAGE, role=PRESIDENT)
    at.selectbox(key="pf_filtre_dim").set_value("priorites")
    executer(at)
    at.multiselect(key="pf_filtre_valeurs").set_value(["egalite"])
    executer(at)
    axes = tableau(at, "Axe")
    assert lignes(axes[["Axe", "Demandes"]]) == [["Axe 1", 0], ["Axe 2", 1], ["Axe 3", 0]]


def _remplacer_appel(base, appel, toml: str):
    moteur = stockage.creer_moteur(base)
    try:
        with stockage.ecriture(moteur) as connexion:
            stockage.enregistrer_appel(appel_depuis_toml(toml, "test"), connexion=connexion)
    finally:
        moteur.dispose()


def _colonnes(at) -> set[str]:
    colonnes = {c for d in at.dataframe for c in d.value.columns}
    return colonnes | {c for t in at.table for c in (t.value.index.name, *t.value.columns)}


def test_appel_d_organismes_sans_projet_conjoint_ni_municipalites_sans_demande(base, application):
    """Issue 18 : « projet conjoint entre plusieurs acteurs municipaux » et les municipalités
    sans demande ne concernent pas un appel d'organismes : ni tableau par type de projet, ni
    répartition « Projet conjoint ou non », ni liste des municipalités sans demande."""
    appel, _ = preparer(base)
    _remplacer_appel(base, appel, appel.source_toml + '\n[demandeur]\ntype = "organisme"\n')
    at = application(PAGE, role=PRESIDENT)
    assert "type" not in at.selectbox(key="pf_dim").options
    at.selectbox(key="pf_dim").set_value("region")
    executer(at)
    assert not {"Type de projet", "Bonification conjointe utilisée"} & _colonnes(at)
    assert not any(e.label.startswith("Municipalités sans demande") for e in at.expander)


def test_appel_municipal_sans_bonification(base, application):
    """Un appel d'entités municipales qui ne bonifie pas les projets conjoints (FFQCD) garde
    le type de projet, sans colonne de bonification."""
    appel, _ = preparer(base)
    toml = re.sub(
        r"bonification_conjoint_max = \d+", "bonification_conjoint_max = 0", appel.source_toml
    )
    assert toml != appel.source_toml
    _remplacer_appel(base, appel, toml)
    at = application(PAGE, role=PRESIDENT)
    colonnes = _colonnes(at)
    assert "Type de projet" in colonnes
    assert "Bonification conjointe utilisée" not in colonnes


def test_le_calcul_d_optimisation_se_nomme_dans_l_aide(ouvrir):
    """Issue 19 : « scipy, HiGHS » vont dans l'aide ; la phrase dit ce que fait le calcul."""
    (legende,) = [c for c in ouvrir(PRESIDENT).caption if "calcul d'optimisation" in c.value]
    assert not re.search(r"scipy|HiGHS|Σ", legende.value)
    assert "programme linéaire en nombres entiers (scipy, solveur HiGHS)" in legende.proto.help


def test_la_zone_grise_s_explique_dans_son_aide(ouvrir):
    """Issue 19 : la statistique dit en une ligne ce qu'elle compte ; « bootstrap » est dans
    l'aide, pas dans le libellé."""
    (zone,) = [m for m in ouvrir().metric if m.label == "Demandes en zone grise"]
    assert "intervalle de rang à 95 % (bootstrap, 1 000 tirages)" in zone.proto.help


def test_graphique_vide_et_cibles_sans_jargon(ouvrir):
    """Issue 19 : sans montant financé, un message au lieu d'un axe gradué « 0 0 0 1 1 1 » ;
    les cibles se disent sans la syntaxe du fichier de configuration."""
    at = ouvrir()
    assert "[[cibles]]" not in textes(at)
    assert "Cibles d'équilibre fixées pour l'appel (page Paramètres)" in textes(at)
    at.multiselect(key="pf_statuts").set_value(["sous le seuil"])
    executer(at)
    assert (
        "Aucun montant financé (sous la ligne de financement (d'après le classement), "
        "toutes années) : rien à montrer dans le graphique." in [i.value for i in at.info]
    )
