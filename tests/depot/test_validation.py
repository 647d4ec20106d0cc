"""Validation : chaque problème de la liste est situé (fichier, feuille, ligne, colonne),
et chaque fichier à problème ne porte que le sien."""

import collections
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.depot.gabarit import COLONNES_BUDGET, COLONNES_DEMANDES
from evaluation.depot.lecture import FichierLu, Tableau
from evaluation.depot.validation import verifier
from evaluation.depot.verification import verifier_lot
from evaluation.socle.probleme import AVERTISSEMENT, BLOQUANT, INFORMATION
from tests.conftest import (
    DEMANDE_MUNICIPALE,
    DEPENSES_MUNICIPALES,
    DONNEES,
    classeur,
    depenses,
    gabarit_rempli,
)
from tests.donnees.cas import CAS_PROBLEMES, CAS_SUGGESTIONS, FORMATS_VALIDES, chemin_probleme

FORMATS = DONNEES / "formats"


def _verifier(appel, *chemins, **options):
    return verifier_lot([(c.name, c) for c in chemins], appel, **options)


@pytest.mark.parametrize("cas", CAS_PROBLEMES, ids=[c["nom"] for c in CAS_PROBLEMES])
def test_probleme_situe(appel, cas):
    verification = _verifier(appel, chemin_probleme(cas))
    graves = [p for p in verification.problemes if p.severite in (BLOQUANT, AVERTISSEMENT)]
    assert [(p.code, p.severite, p.feuille, p.ligne, p.colonne) for p in graves] == [
        (cas["code"], cas["severite"], cas["feuille"], cas["ligne"], cas["colonne"])
    ]
    probleme = graves[0]
    assert probleme.fichier == chemin_probleme(cas).name
    assert probleme.message and not probleme.message[0].isupper()
    assert f"ligne {cas['ligne']}" in probleme.texte()


@pytest.mark.parametrize("cas", CAS_SUGGESTIONS, ids=[c["nom"] for c in CAS_SUGGESTIONS])
def test_suggestion(appel, cas):
    verification = _verifier(appel, chemin_probleme(cas))
    (probleme,) = [p for p in verification.problemes if p.code == cas["code"]]
    assert probleme.suggestion == cas["suggestion"]
    assert f"« {cas['suggestion']} »" in probleme.message
    assert (probleme.ligne, probleme.colonne) == (cas["ligne"], cas["colonne"])


@pytest.mark.parametrize("nom", FORMATS_VALIDES)
def test_formats_valides_sans_probleme(appel, nom):
    verification = _verifier(appel, FORMATS / nom)
    assert [p for p in verification.problemes if p.severite != INFORMATION] == []
    gardees, _ = verification.selection()
    assert [d.no_demande for d in gardees] == ["T-001", "T-002", "T-003"]


@pytest.mark.parametrize("nom", FORMATS_VALIDES)
def test_tous_les_formats_donnent_les_memes_valeurs(appel, nom):
    reference = {
        d.no_demande: d.valeurs for d in _verifier(appel, FORMATS / "valide.xlsx").demandes
    }
    for d in _verifier(appel, FORMATS / nom).demandes:
        assert d.valeurs == reference[d.no_demande], d.no_demande


def test_valeurs_converties(appel):
    (t1, t2, t3) = _verifier(appel, FORMATS / "valide.xlsx").demandes
    assert t1.valeurs["region"] == "01" and t1.valeurs["code_geographique"]
    assert t2.valeurs["projet_conjoint"] is True
    assert t2.valeurs["municipalites_partenaires"] == "Magog; Orford"
    assert t2.valeurs["secteurs_secondaires"] == "Culture; Cohésion sociale"
    assert t3.valeurs["montant_demande_an1"] == 1_800_050
    assert t3.valeurs["montant_demande_an2"] is None
    assert t1.valeurs["autre_financement_gouvernemental"] is False


def test_formulaire_et_csv_budget_ensemble(appel):
    verification = _verifier(
        appel, FORMATS / "virgule-utf8.csv", FORMATS / "budget-pointvirgule.csv"
    )
    assert [p.code for p in verification.problemes if p.severite != INFORMATION] == []
    _, lignes = verification.selection()
    assert len(lignes) == 8


def test_budget_pour_demandes_deja_stockees(appel):
    verification = _verifier(
        appel, FORMATS / "budget-pointvirgule.csv", numeros_stockes={"T-001", "T-002", "T-003"}
    )
    assert verification.sans_blocage
    assert len(verification.selection()[1]) == 8


ENTETES_MINIMALES = [
    "No de demande",
    "Municipalité requérante",
    "Titre du projet",
    "Axe",
    "Secteur principal",
    "Date de début",
    "Date de fin",
    "Coût total du projet",
    "Montant demandé – année 1",
    "Contribution du demandeur",
]


def _classeur_minimal(numero: str, municipalite: str, axe: int = 1) -> bytes:
    """Une demande sans colonne de région, avec seulement les colonnes obligatoires."""
    ligne = [
        numero,
        municipalite,
        "Titre",
        axe,
        "Culture",
        "2024-05-01",
        "2024-12-01",
        30000,
        10000,
        20000,
    ]
    return classeur({"Demandes": [ENTETES_MINIMALES, ligne]})


def test_region_absente_tiree_du_repertoire(appel):
    verification = verifier_lot(
        [("sans-region.xlsx", _classeur_minimal("A-1", "Saint-Georges"))], appel
    )
    (d,) = verification.demandes
    assert d.valeurs["region"] == "12"
    assert "region_deduite" in [p.code for p in verification.problemes]
    assert verification.sans_blocage


def test_region_absente_et_municipalite_inconnue_bloque(appel):
    verification = verifier_lot([("x.xlsx", _classeur_minimal("A-1", "Gotham"))], appel)
    codes = {(p.code, p.severite) for p in verification.problemes}
    assert ("valeur_manquante", BLOQUANT) in codes
    assert ("municipalite_inconnue", AVERTISSEMENT) in codes


def test_doublon_entre_deux_fichiers(appel):
    verification = _verifier(appel, FORMATS / "valide.xlsx", FORMATS / "valide.ods")
    doublons = [p for p in verification.problemes if p.code == "doublon"]
    assert [(p.fichier, p.ligne) for p in doublons] == [
        ("valide.ods", 2),
        ("valide.ods", 3),
        ("valide.ods", 4),
    ]
    assert "valide.xlsx" in doublons[0].message


def test_fichier_bloque_n_importe_rien_sauf_lignes_valides(appel):
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "axe-inconnu")
    verification = _verifier(appel, chemin_probleme(cas))
    assert verification.selection(False) == ([], [])
    gardees, lignes = verification.selection(True)
    assert [d.no_demande for d in gardees] == ["T-001", "T-003"]
    assert {b.no_demande for b in lignes} == {"T-001", "T-003"}


def test_fichier_bloque_n_empeche_pas_les_autres(appel):
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "axe-inconnu")
    autre = ("autre.xlsx", _classeur_minimal("Z-9", "Laval", axe=2))
    verification = verifier_lot([(chemin_probleme(cas).name, chemin_probleme(cas)), autre], appel)
    assert [d.no_demande for d in verification.selection()[0]] == ["Z-9"]


def test_ligne_de_budget_fautive_ecarte_sa_demande(appel):
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "annee-invalide")
    verification = _verifier(appel, chemin_probleme(cas))
    gardees, _ = verification.selection(True)
    assert [d.no_demande for d in gardees] == ["T-002", "T-003"]


@pytest.mark.parametrize(
    ("valeur", "code"),
    [("peut-être", "oui_non_illisible"), ("Autre", None)],
)
def test_oui_non_illisible_est_un_avertissement(appel, valeur, code):
    import io

    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / "valide.xlsx")
    feuille = wb["Demandes"]
    feuille.cell(2, 20).value = valeur  # Dossier complet
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("x.xlsx", sortie.getvalue())], appel)
    trouves = [p for p in verification.problemes if p.colonne == "Dossier complet"]
    assert [p.code for p in trouves] == ["oui_non_illisible"]
    assert trouves[0].severite == AVERTISSEMENT
    assert verification.demandes[0].valeurs["dossier_complet"] is None


# Les types que calamine peut rendre pour une cellule, et des textes pièges.
_CELLULES = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(
        [
            "#N/A",
            "#REF!",
            "=1+1",
            "-",
            "25 000,50 $",
            "1er avril 2024",
            "oui",
            "x",
            "Montérégie (16)",
            "Axe 2",
            "Mobilite durable",
            "T-001",
            "\u00a0",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=9999)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    demandes=st.lists(
        st.lists(_CELLULES, min_size=len(COLONNES_DEMANDES), max_size=len(COLONNES_DEMANDES)),
        min_size=1,
        max_size=4,
    ),
    budget=st.lists(
        st.lists(_CELLULES, min_size=len(COLONNES_BUDGET), max_size=len(COLONNES_BUDGET)),
        max_size=4,
    ),
)
def test_aucune_valeur_ne_fait_planter_la_validation(appel, repertoire, demandes, budget):
    """Quelles que soient les cellules, la validation rend des problèmes situés, jamais une
    exception."""
    colonnes_d = {c.cle: (j, c.entete) for j, c in enumerate(COLONNES_DEMANDES)}
    colonnes_b = {c.cle: (j, c.entete) for j, c in enumerate(COLONNES_BUDGET)}
    t_d = Tableau("f.xlsx", "Demandes", "demandes", 1, colonnes_d)
    for i, ligne in enumerate(demandes):
        t_d.enregistrements.append(
            {c.cle: v for c, v in zip(COLONNES_DEMANDES, ligne, strict=True)}
        )
        t_d.supplementaires.append({})
        t_d.lignes.append(i + 2)
    t_b = Tableau("f.xlsx", "Budget", "budget", 1, colonnes_b)
    for i, ligne in enumerate(budget):
        t_b.enregistrements.append(dict(zip([c.cle for c in COLONNES_BUDGET], ligne, strict=True)))
        t_b.supplementaires.append({})
        t_b.lignes.append(i + 2)
    verification = verifier([FichierLu("f.xlsx", "xlsx", [t_d, t_b])], appel, repertoire)
    for p in verification.problemes:
        assert p.fichier == "f.xlsx" and p.message
        if p.code not in ("sans_feuille_budget", "feuille_ignoree"):
            assert p.ligne and p.feuille
    for d in verification.selection(True)[0]:
        assert d.valeurs["no_demande"] and d.valeurs["titre"]
        for cle in ("cout_total", "montant_demande_an1"):
            assert isinstance(d.valeurs[cle], int) and d.valeurs[cle] >= 0


@pytest.mark.parametrize(
    ("partenaires", "conjoint", "codes"),
    [
        ("Magog; Orford", True, []),
        ("Magog, Orford", True, []),
        ("Non", False, []),
        ("S.O.", False, []),
        ("Ne s'applique pas", False, []),
        ("Sherbrooke", False, ["partenaire_requerante"]),
        ("Gotham", False, ["municipalite_inconnue"]),
        ("Gotham; Magog", True, ["municipalite_inconnue"]),
        # « plusieurs acteurs municipaux » : une MRC ou un territoire équivalent (colonne
        # « mrc » du répertoire), une communauté métropolitaine nommée par l'appel.
        ("MRC de Memphrémagog", True, []),
        ("MRC des Collines-de-l'Outaouais", True, []),
        ("Communauté métropolitaine de Montréal", True, []),
        ("Sherbrooke (TÉ)", False, ["partenaire_requerante"]),
        ("Régie imaginaire", False, ["municipalite_inconnue"]),
    ],
)
def test_projet_conjoint_compte_les_partenaires_reconnus(appel, partenaires, conjoint, codes):
    """« La présentation d'un projet conjoint entre plusieurs acteurs municipaux peut
    permettre la bonification de la subvention » ; « Le projet proposé peut être porté par
    une ou plusieurs entités municipales. » Interprétation (configuration) : au moins 2
    entités municipales, la requérante comprise."""
    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / "valide.xlsx")
    wb["Demandes"]["D3"] = partenaires  # T-002, Sherbrooke, 30 000 $ par année
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("p.xlsx", sortie.getvalue())], appel)
    t2 = next(d for d in verification.demandes if d.no_demande == "T-002")
    assert t2.valeurs["projet_conjoint"] is conjoint
    trouves = [p.code for p in t2.problemes if p.colonne == "Municipalités partenaires"]
    assert trouves == codes
    plafond = [p for p in t2.problemes if p.code == "plafond_depasse"]
    assert bool(plafond) is (not conjoint), "30 000 $ dépasse le plafond d'une seule ville"


@pytest.mark.parametrize(
    ("minimum", "partenaires", "conjoint"),
    [
        (2, "Magog", True),
        (3, "Magog", False),
        (3, "Magog; MRC de Memphrémagog", True),
        (3, "Magog; Magog", False),  # la même entité ne compte qu'une fois
    ],
)
def test_projet_conjoint_selon_le_minimum_d_entites(appel, minimum, partenaires, conjoint):
    """`entites_conjoint_min` (interprétation de « plusieurs acteurs municipaux ») compte la
    requérante et chaque entité distincte."""
    from dataclasses import replace

    from openpyxl import load_workbook

    appel = replace(appel, financement=replace(appel.financement, entites_conjoint_min=minimum))
    wb = load_workbook(FORMATS / "valide.xlsx")
    wb["Demandes"]["D3"] = partenaires
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("p.xlsx", sortie.getvalue())], appel)
    t2 = next(d for d in verification.demandes if d.no_demande == "T-002")
    assert t2.valeurs["projet_conjoint"] is conjoint


def test_cellule_en_erreur_situee(appel):
    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / "valide.xlsx")
    for cellule, valeur in (("O2", "#N/A"), ("T3", "#REF!")):
        wb["Demandes"][cellule] = valeur
        wb["Demandes"][cellule].data_type = "e"
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("e.xlsx", sortie.getvalue())], appel)
    erreurs = [
        (p.ligne, p.colonne, p.severite)
        for p in verification.problemes
        if p.code == "cellule_en_erreur"
    ]
    assert erreurs == [
        (2, "Montant demandé – année 1", BLOQUANT),
        (3, "Dossier complet", AVERTISSEMENT),
    ]
    assert "« #N/A »" in next(
        p.message for p in verification.problemes if p.code == "cellule_en_erreur"
    )


def test_budget_d_un_formulaire_sans_numero(appel):
    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / "formulaire.xlsx")
    wb["Budget"].delete_cols(1)
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("f.xlsx", sortie.getvalue())], appel)
    assert verification.sans_blocage, [p.texte() for p in verification.problemes]
    _, lignes = verification.selection()
    assert {b.no_demande for b in lignes} == {"T-001"} and len(lignes) == 2


def test_numeros_sans_egard_a_la_casse(appel):
    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / "valide.xlsx")
    wb["Budget"]["A2"] = "t-001"
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("c.xlsx", sortie.getvalue())], appel)
    assert [p for p in verification.problemes if p.severite != INFORMATION] == []


def test_numeros_en_double_entre_fichiers_budgets_separes(appel):
    """Chaque fichier garde ses lignes de budget ; le premier fichier reste importable."""
    cas = {c["nom"]: c for c in CAS_PROBLEMES}
    premier, second = chemin_probleme(cas["plafond-visas"]), chemin_probleme(cas["budget-ecart"])
    verification = verifier_lot([("a.xlsx", premier), ("b.xlsx", second)], appel)
    par_fichier = collections.defaultdict(set)
    for p in verification.problemes:
        par_fichier[p.fichier].add(p.code)
    # Les fichiers de test n'ont ni colonne « Date de dépôt » ni le formulaire de l'appel :
    # une information chacun.
    informations = {"date_depot_absente", "formulaire_absent"}
    assert par_fichier["a.xlsx"] == {"plafond_visas", *informations}
    # Une demande bloquée (ici en double) n'a pas de contrôle budgétaire.
    assert par_fichier["b.xlsx"] == {"doublon", *informations}
    gardees, lignes = verification.selection()
    assert [d.fichier for d in gardees] == ["a.xlsx"] * 3
    assert {b.fichier for b in lignes} == {"a.xlsx"} and len(lignes) == 8


def test_colonne_de_montant_absente_sans_alerte_en_cascade(appel):
    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / "valide.xlsx")
    wb["Demandes"]["O1"] = "Subvention souhaitée"
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("m.xlsx", sortie.getvalue())], appel)
    codes = [p.code for p in verification.problemes if p.severite != INFORMATION]
    assert codes == ["colonne_manquante"]


def test_feuille_sans_colonne_obligatoire_jamais_importee(appel):
    """Même en n'important que les lignes valides, une feuille à qui manque le titre
    n'importe rien : ses lignes n'ont pas d'erreur à elles, mais pas de titre non plus."""
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "colonne-manquante")
    verification = verifier_lot([("c.xlsx", chemin_probleme(cas))], appel)
    assert verification.selection(True) == ([], [])
    assert len(verification.ecartees(True)) == 3


def test_conversion_memorisee_distingue_les_types(appel):
    """Une même valeur se convertit une fois par colonne, mais True, 1 et 1.0 restent
    distincts : une case cochée dans « Coût total » est refusée, le nombre 1 ne l'est pas."""
    lignes = [ENTETES_MINIMALES]
    for numero, cout in (("A-1", True), ("A-2", 1), ("A-3", True), ("A-4", 1.0)):
        lignes.append(
            [numero, "Rimouski", "T", 1, "Culture", "2024-05-01", "2024-12-01", cout, 0, 0]
        )
    verification = verifier_lot([("t.xlsx", classeur({"Demandes": lignes}))], appel)
    illisibles = {p.no_demande for p in verification.problemes if p.code == "montant_illisible"}
    assert illisibles == {"A-1", "A-3"}
    couts = {d.no_demande: d.valeurs["cout_total"] for d in verification.demandes}
    assert (couts["A-2"], couts["A-4"]) == (100, 100)


# --- Le formulaire de l'appel et les demandes sans numéro (issue 18) -----------------------

BREST = DEMANDE_MUNICIPALE["Titre du projet"]
LORIENT = {**DEMANDE_MUNICIPALE, "Titre du projet": "Mission à Lorient"}


def _graves(verification):
    return [
        (p.code, p.severite, p.feuille, p.ligne, p.colonne)
        for p in verification.problemes
        if p.severite != INFORMATION
    ]


@pytest.mark.parametrize(
    ("titre", "code", "colonne"),
    [
        (None, "valeur_manquante", "No de demande"),
        ("Projet inconnu", "demande_inconnue", "Titre du projet"),
    ],
)
def test_depense_sans_numero_dans_un_fichier_de_deux_demandes(appel, titre, code, colonne):
    """Sans numéro, une dépense se rattache par son titre ; dans un fichier de deux
    demandes, sans titre ou d'un titre qu'aucune ne porte, elle bloque, située."""
    budget = depenses(DEPENSES_MUNICIPALES[:1], titre=BREST)
    budget += depenses(DEPENSES_MUNICIPALES[1:], titre=titre)
    contenu = gabarit_rempli(appel, [DEMANDE_MUNICIPALE, LORIENT], budget)
    verification = verifier_lot([("deux.xlsx", contenu)], appel)
    assert (code, BLOQUANT, "Budget", 4, colonne) in _graves(verification)
    (probleme,) = [p for p in verification.problemes if p.code == code]
    assert "Titre du projet" in probleme.message or "titre" in probleme.message


def test_meme_demande_deux_fois_sans_numero_bloque(appel):
    """Deux lignes sans numéro, même municipalité et même titre (casse près) : un doublon,
    pas deux demandes."""
    copie = {**DEMANDE_MUNICIPALE, "Titre du projet": BREST.upper()}
    contenu = gabarit_rempli(appel, [DEMANDE_MUNICIPALE, copie], [])
    verification = verifier_lot([("double.xlsx", contenu)], appel)
    assert ("doublon", BLOQUANT, "Demandes", 4, "Titre du projet") in _graves(verification)


def test_reponse_vide_au_formulaire_avertit_sans_bloquer(appel):
    """« Le formulaire de l'appel demande » : une réponse vide est un avertissement situé
    (la demande s'importe), qui nomme le critère qui la lit."""
    demande = {**DEMANDE_MUNICIPALE, "Échéancier": None}
    contenu = gabarit_rempli(appel, [demande], depenses(DEPENSES_MUNICIPALES))
    verification = verifier_lot([("sans-echeancier.xlsx", contenu)], appel)
    assert _graves(verification) == [
        ("formulaire_incomplet", AVERTISSEMENT, "Demandes", 3, "Échéancier")
    ]
    (p,) = [p for p in verification.problemes if p.code == "formulaire_incomplet"]
    assert "critère « Qualité du dossier »" in p.message
    assert verification.sans_blocage


def test_ancien_export_sans_le_formulaire_s_importe(appel):
    """Un export d'avant le formulaire (tests/donnees/formats/valide.xlsx) : une
    information pour la feuille, qui nomme chaque champ demandé et son critère ; aucune
    demande n'est bloquée ni avertie pour autant."""
    verification = _verifier(appel, FORMATS / "valide.xlsx")
    (p,) = [p for p in verification.problemes if p.code == "formulaire_absent"]
    assert (p.severite, p.feuille, p.ligne) == (INFORMATION, "Demandes", 1)
    for entete in ("Objectifs", "Échéancier", "Ressources humaines", "Visibilité"):
        assert f"« {entete} »" in p.message
    assert "« Résolution du conseil »" not in p.message  # interprétation : facultative
    assert "critère « Capacité de réalisation »" in p.message
    assert verification.sans_blocage and len(verification.selection()[0]) == 3
