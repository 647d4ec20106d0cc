"""Validation : chaque problème de la liste est situé (fichier, feuille, ligne, colonne),
et chaque fichier à problème ne porte que le sien."""

import collections
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from evaluation.appels.configuration import appel_depuis_toml, charger_appel
from evaluation.depot.gabarit import COLONNES_BUDGET, COLONNES_DEMANDES, LIGNE_ENTETES
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
from tests.dimensions import appel_avec_dimensions, demande
from tests.dimensions import gabarit_rempli as gabarit_dimensions
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
    ("valeur", "code", "lu"),
    [
        ("peut-être", "oui_non_illisible", None),
        ("Autre", "oui_non_illisible", None),
        ("Oui", None, True),
        ("non", None, False),
    ],
)
def test_oui_non_illisible_est_un_avertissement(appel, valeur, code, lu):
    """Une réponse oui/non illisible avertit sans bloquer et reste vide ; une réponse lisible
    est lue sans rien dire."""
    import io

    wb = load_workbook(FORMATS / "valide.xlsx")
    feuille = wb["Demandes"]
    feuille.cell(2, 20).value = valeur  # Dossier complet
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("x.xlsx", sortie.getvalue())], appel)
    trouves = [p for p in verification.problemes if p.colonne == "Dossier complet"]
    assert [p.code for p in trouves] == ([code] if code else [])
    assert all(p.severite == AVERTISSEMENT for p in trouves)
    assert verification.demandes[0].valeurs["dossier_complet"] is lu


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


_PAR_ENTETE = {c.entete: c.cle for c in COLONNES_DEMANDES}
_CLES_BUDGET = [c.cle for c in COLONNES_BUDGET]


def _demande_valide(numero: str) -> dict:
    """La demande municipale de tests/conftest.py, sous le numéro donné : seule, elle est
    gardée sans autre problème qu'une information (date de dépôt vide)."""
    valeurs = {_PAR_ENTETE[k]: v for k, v in DEMANDE_MUNICIPALE.items()}
    return {
        c.cle: (numero if c.cle == "no_demande" else valeurs.get(c.cle)) for c in COLONNES_DEMANDES
    }


def _depenses_valides(numero: str) -> list[dict]:
    return [
        dict(zip(_CLES_BUDGET, (numero, annee, cat, desc, montant, None), strict=True))
        for annee, cat, desc, montant in DEPENSES_MUNICIPALES
    ]


# Jusqu'à trois cellules d'une demande valide remplacées par n'importe quoi ; aucune, souvent
# (hypothesis essaie d'abord les listes vides) : des lignes valides parmi des fautives.
_ALTERATIONS = st.lists(
    st.tuples(st.integers(0, len(COLONNES_DEMANDES) - 1), _CELLULES), max_size=3
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    alterations=st.lists(_ALTERATIONS, min_size=1, max_size=4),
    budget=st.lists(
        st.lists(_CELLULES, min_size=len(COLONNES_BUDGET), max_size=len(COLONNES_BUDGET)),
        max_size=3,
    ),
)
@example(alterations=[[], []], budget=[])
def test_aucune_valeur_ne_fait_planter_la_validation(appel, repertoire, alterations, budget):
    """Des demandes valides, certaines altérées (jusqu'à trois cellules quelconques), plus
    des lignes de budget quelconques : la validation rend des problèmes situés, jamais une
    exception ; une demande intacte dont ni la ligne ni aucune ligne de budget à son numéro
    ne porte de problème est gardée (« lignes valides seulement »), et aussi par défaut si
    le fichier n'a aucun problème bloquant ; chaque demande gardée a ses valeurs."""
    colonnes_d = {c.cle: (j, c.entete) for j, c in enumerate(COLONNES_DEMANDES)}
    colonnes_b = {c.cle: (j, c.entete) for j, c in enumerate(COLONNES_BUDGET)}
    t_d = Tableau("f.xlsx", "Demandes", "demandes", 1, colonnes_d)
    t_b = Tableau("f.xlsx", "Budget", "budget", 1, colonnes_b)
    intactes = {}
    for i, changements in enumerate(alterations):
        numero = f"T-10{i}"
        ligne = _demande_valide(numero)
        for j, valeur in changements:
            ligne[COLONNES_DEMANDES[j].cle] = valeur
        t_d.enregistrements.append(ligne)
        t_d.supplementaires.append({})
        t_d.lignes.append(i + 2)
        if not changements:
            intactes[numero] = i + 2
        for depense in _depenses_valides(numero):
            t_b.enregistrements.append(depense)
    for ligne in budget:
        t_b.enregistrements.append(dict(zip(_CLES_BUDGET, ligne, strict=True)))
    for i in range(len(t_b.enregistrements)):
        t_b.supplementaires.append({})
        t_b.lignes.append(i + 2)
    verification = verifier([FichierLu("f.xlsx", "xlsx", [t_d, t_b])], appel, repertoire)
    for p in verification.problemes:
        assert p.fichier == "f.xlsx" and p.message
        if p.code not in ("sans_feuille_budget", "feuille_ignoree"):
            assert p.ligne and p.feuille
    lignes_du_budget = dict(zip(t_b.lignes, t_b.enregistrements, strict=True))
    touchees = set()
    for p in verification.problemes:
        if p.severite == INFORMATION:
            continue
        if p.feuille == "Demandes":
            touchees.add(p.ligne)
        elif p.feuille == "Budget" and p.ligne in lignes_du_budget:
            # Sans numéro lisible, une ligne de budget peut revenir à la seule demande du
            # fichier (un formulaire) : elle compte alors pour toutes.
            numero = str(lignes_du_budget[p.ligne].get("no_demande") or "").strip().upper()
            touchees |= {numero} if numero else set(intactes)
    attendues = {n for n, ligne in intactes.items() if ligne not in touchees and n not in touchees}
    bloque = any(p.severite == BLOQUANT for p in verification.problemes)
    for seulement in (True, False):
        gardees = {d.valeurs["no_demande"] for d in verification.selection(seulement)[0]}
        if seulement or not bloque:
            assert attendues <= gardees, (
                attendues,
                gardees,
                [(p.code, p.severite, p.feuille, p.ligne) for p in verification.problemes],
            )
        for d in verification.selection(seulement)[0]:
            assert d.valeurs["no_demande"] and d.valeurs["titre"]
            for cle in ("cout_total", "montant_demande_an1"):
                assert isinstance(d.valeurs[cle], int) and d.valeurs[cle] >= 0
    if not alterations[0] and len(alterations) == 2 and not alterations[1] and not budget:
        assert attendues == {"T-100", "T-101"}


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

    appel = replace(appel, financement=replace(appel.financement, entites_conjoint_min=minimum))
    wb = load_workbook(FORMATS / "valide.xlsx")
    wb["Demandes"]["D3"] = partenaires
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("p.xlsx", sortie.getvalue())], appel)
    t2 = next(d for d in verification.demandes if d.no_demande == "T-002")
    assert t2.valeurs["projet_conjoint"] is conjoint


def test_cellule_en_erreur_situee(appel):
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
    wb = load_workbook(FORMATS / "formulaire.xlsx")
    wb["Budget"].delete_cols(1)
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("f.xlsx", sortie.getvalue())], appel)
    assert verification.sans_blocage, [p.texte() for p in verification.problemes]
    _, lignes = verification.selection()
    assert {b.no_demande for b in lignes} == {"T-001"} and len(lignes) == 2


def test_numeros_sans_egard_a_la_casse(appel):
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


# --- Issue 18 : les dimensions que l'appel déclare ------------------------------------------

PRIORITES = "Protection de l'environnement ; Droits des femmes ; Jeunesse"
TYPES = "Soutien à la mission globale ; Projets ponctuels"


def _verifier_dimensions(appel, **cellules):
    contenu = gabarit_dimensions(appel, [demande(appel, "Q-1", **cellules)])
    return verifier_lot([("q.xlsx", contenu)], appel)


@pytest.mark.parametrize(
    ("priorites", "attendu"),
    [
        ("Droits des femmes; JEUNESSE", ["femmes", "jeunesse"]),
        ("egalite   entre les GENRES", ["femmes"]),  # alias, sans accents ni casse
        ("environnement", ["environnement"]),  # identifiant
        ("Protection de l'environnement\nJeunesse", ["environnement", "jeunesse"]),
        ("Protection de l'environnement, Jeunesse", ["environnement", "jeunesse"]),
        ("Jeunesse,", ["jeunesse"]),  # une virgule de trop, comme « A, B, »
        ("Protection de l'environnement, Jeunesse,", ["environnement", "jeunesse"]),
        ("droit des femme", ["femmes"]),  # singulier pour pluriel (clé souple)
        (None, []),
    ],
)
def test_dimension_reconnue_par_identifiant_libelle_ou_alias(priorites, attendu):
    appel = appel_avec_dimensions()
    verification = _verifier_dimensions(appel, **{"dimension:priorites": priorites})
    assert [p.message for p in verification.problemes if p.severite != INFORMATION] == []
    (d,) = verification.demandes
    assert d.valeurs["dimensions"] == {"priorites": attendu, "type-financement": ["ponctuel"]}


def test_dimension_valeur_repetee_retiree_et_dite():
    appel = appel_avec_dimensions()
    verification = _verifier_dimensions(
        appel, **{"dimension:priorites": "Jeunesse ; jeunesse ; Droits des femmes"}
    )
    (d,) = verification.demandes
    assert d.valeurs["dimensions"]["priorites"] == ["jeunesse", "femmes"]
    (p,) = [p for p in verification.problemes if p.code == "dimension_en_double"]
    assert (p.severite, p.ligne, p.colonne) == (
        INFORMATION,
        LIGNE_ENTETES + 1,
        "Priorités transversales",
    )
    assert p.message == (
        "« Priorités transversales » : valeur répétée retirée (« Jeunesse ») ; elle compte une "
        "fois."
    )


@pytest.mark.parametrize(
    ("cellules", "code", "colonne", "message"),
    [
        (
            {"dimension:priorites": "Droits des femmes; Culture"},
            "dimension_inconnue",
            "Priorités transversales",
            "« Priorités transversales » : valeur « Culture » inconnue ; écrivez une ou "
            f"plusieurs valeurs séparées par « ; » parmi : {PRIORITES}.",
        ),
        (
            {"dimension:priorites": "Jeunes"},
            "dimension_inconnue",
            "Priorités transversales",
            "« Priorités transversales » : valeur « Jeunes » inconnue ; vouliez-vous dire "
            "« Jeunesse » ? Sinon, écrivez une ou plusieurs valeurs séparées par « ; » parmi : "
            f"{PRIORITES}.",
        ),
        (
            {"dimension:type-financement": "Soutien à la mission globale; Projets ponctuels"},
            "dimension_valeurs_multiples",
            "Type de financement",
            "« Type de financement » n'accepte qu'une valeur ; la cellule en porte 2 "
            "(« Soutien à la mission globale », « Projets ponctuels ») : gardez-en une parmi : "
            f"{TYPES}.",
        ),
        (
            {"dimension:type-financement": None},
            "valeur_manquante",
            "Type de financement",
            "valeur obligatoire manquante : remplissez « Type de financement » (une seule "
            f"valeur parmi : {TYPES}).",
        ),
        (
            {"dimension:priorites": "; ".join(f"Inconnue {i}" for i in range(2_000))},
            "dimension_inconnue",
            "Priorités transversales",
            "« Priorités transversales » : valeurs « Inconnue 0 », « Inconnue 1 », « Inconnue 2 », "
            "« Inconnue 3 », « Inconnue 4 » et 1995 autres inconnues ; écrivez une ou plusieurs "
            f"valeurs séparées par « ; » parmi : {PRIORITES}.",
        ),
        (
            {"dimension:priorites": "; ".join(f"Inconnue {i}" for i in range(6))},
            "dimension_inconnue",
            "Priorités transversales",
            "« Priorités transversales » : valeurs « Inconnue 0 », « Inconnue 1 », « Inconnue 2 », "
            "« Inconnue 3 », « Inconnue 4 » et 1 autre inconnues ; écrivez une ou plusieurs "
            f"valeurs séparées par « ; » parmi : {PRIORITES}.",
        ),
        (
            {"dimension:priorites": "; ".join(f"Inconnue {i}" for i in range(5))},
            "dimension_inconnue",
            "Priorités transversales",
            "« Priorités transversales » : valeurs « Inconnue 0 », « Inconnue 1 », « Inconnue 2 », "
            "« Inconnue 3 », « Inconnue 4 » inconnues ; écrivez une ou plusieurs "
            f"valeurs séparées par « ; » parmi : {PRIORITES}.",
        ),
        (
            {"dimension:type-financement": "Bourse"},
            "dimension_inconnue",
            "Type de financement",
            "« Type de financement » : valeur « Bourse » inconnue ; écrivez une seule valeur "
            f"parmi : {TYPES}.",
        ),
    ],
)
def test_dimension_fautive_bloque_et_dit_les_valeurs_permises(cellules, code, colonne, message):
    """Une valeur inconnue, plusieurs valeurs où une seule est permise, une dimension
    obligatoire vide : bloquant, situé (fichier, ligne Excel, colonne), avec les valeurs
    permises ; la demande n'est pas importée."""
    appel = appel_avec_dimensions()
    verification = _verifier_dimensions(appel, **cellules)
    graves = [p for p in verification.problemes if p.severite != INFORMATION]
    assert [(p.code, p.severite, p.fichier, p.feuille, p.ligne, p.colonne) for p in graves] == [
        (code, BLOQUANT, "q.xlsx", "Demandes", LIGNE_ENTETES + 1, colonne)
    ]
    assert graves[0].message == message
    assert (
        graves[0].texte().startswith("q.xlsx, ")
        and f"ligne {LIGNE_ENTETES + 1}" in graves[0].texte()
    )
    assert verification.selection() == ([], [])


def test_dimension_obligatoire_sans_colonne_bloque_le_fichier():
    appel = appel_avec_dimensions()
    verification = verifier_lot([("v.xlsx", FORMATS / "valide.xlsx")], appel)
    (p,) = [p for p in verification.problemes if p.code == "colonne_manquante"]
    assert (p.severite, p.colonne) == (BLOQUANT, "Type de financement")
    assert p.message.startswith("colonne obligatoire « Type de financement » introuvable")
    assert verification.selection() == ([], [])


@pytest.mark.parametrize(
    "entete", ["TYPE DE FINANCEMENT", "type-financement", "Type  de financement"]
)
def test_colonne_de_dimension_reconnue_par_libelle_ou_identifiant(entete):
    appel = appel_avec_dimensions(sans_axes_ni_secteurs=True)
    contenu = gabarit_dimensions(appel, [demande(appel, "Q-1")])
    wb = load_workbook(io.BytesIO(contenu))
    (cellule,) = [c for c in wb["Demandes"][LIGNE_ENTETES] if c.value == "Type de financement"]
    cellule.value = entete
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("q.xlsx", sortie.getvalue())], appel)
    assert [p.message for p in verification.problemes if p.severite != INFORMATION] == []
    assert verification.demandes[0].valeurs["dimensions"]["type-financement"] == ["ponctuel"]


def test_appel_sans_axes_ni_secteurs_n_exige_ni_ne_lit_axe_et_secteurs():
    """Un fichier qui a les colonnes Axe et Secteurs, importé dans un appel qui n'en a pas :
    rien n'est exigé ni lu ; les colonnes sont conservées à part et le rapport le dit."""
    appel = appel_avec_dimensions(sans_axes_ni_secteurs=True)
    verification = verifier_lot([("v.xlsx", FORMATS / "valide.xlsx")], appel)
    manquantes = [p.colonne for p in verification.problemes if p.code == "colonne_manquante"]
    assert manquantes == ["Type de financement"]
    (a_part,) = [p for p in verification.problemes if p.code == "colonnes_supplementaires"]
    for entete in ("Axe", "Secteur principal", "Secteurs secondaires"):
        assert f"« {entete} »" in a_part.message
    t002 = next(d for d in verification.demandes if d.no_demande == "T-002")
    assert "axe" not in t002.valeurs and "secteur" not in t002.valeurs
    assert t002.supplementaires["Secteur principal"] == "Francophonie"
    assert t002.valeurs["secteurs_secondaires"] is None
    # Une cellule vide d'une colonne mise à part n'est pas gardée (ni None ni espaces).
    gardees = [v for d in verification.demandes for v in d.supplementaires.values()]
    assert gardees and all(v is not None and str(v).strip() for v in gardees)


def test_dimension_nommee_comme_un_synonyme_d_une_colonne_du_gabarit():
    """« Secteur d'activité » est un synonyme de « Secteur principal » ; dans un appel sans
    secteurs qui déclare une dimension de ce nom, la colonne est lue comme la dimension."""
    appel = appel_avec_dimensions(sans_axes_ni_secteurs=True)
    appel = appel_depuis_toml(
        appel.source_toml.replace(
            'libelle = "Type de financement"', 'libelle = "Secteur d\'activité"'
        ),
        "essai",
    )
    contenu = gabarit_dimensions(appel, [demande(appel, "Q-1")])
    assert "Secteur d'activité" in [
        c.value for c in load_workbook(io.BytesIO(contenu))["Demandes"][LIGNE_ENTETES]
    ]
    verification = verifier_lot([("q.xlsx", contenu)], appel)
    assert [p.message for p in verification.problemes if p.severite != INFORMATION] == []
    assert verification.demandes[0].valeurs["dimensions"]["type-financement"] == ["ponctuel"]


# --- Demandeur organisme, requérante MRC (issue 18) ---------------------------------------

ENTETES_ORGANISMES = [
    "No de demande",
    "Nom de l'organisme",
    "Numéro d'entreprise du Québec",
    "Ville du siège social",
    "Titre du projet",
    "Axe",
    "Secteur principal",
    "Date de début",
    "Date de fin",
    "Coût total du projet",
    "Montant demandé – année 1",
    "Contribution du demandeur",
]


def _ligne_organisme(numero, organisme, neq, siege="Rimouski", titre="Eau potable") -> list:
    return [
        numero,
        organisme,
        neq,
        siege,
        titre,
        1,
        "Culture",
        "2024-05-01",
        "2024-12-01",
        30000,
        10000,
        20000,
    ]


def classeur_organismes(*lignes: list) -> bytes:
    """Un petit classeur d'organismes, en-têtes écrits comme un OCI les écrirait (alias) ;
    sans lignes : deux demandes valides (Q-1, Q-2) de deux organismes."""
    lignes = lignes or (
        _ligne_organisme("Q-1", "Solidarité Nord-Sud de Rimouski", 1145678901.0),
        _ligne_organisme("Q-2", "Carrefour Sherbrooke-Monde", "2245 678 901", "Sherbrooke"),
    )
    return classeur({"Demandes": [ENTETES_ORGANISMES, *lignes]})


def test_organismes_importables(appel_organisme):
    """Les en-têtes d'un OCI (« Nom de l'organisme », « Numéro d'entreprise du Québec »,
    « Ville du siège social ») sont reconnus ; la région est tirée du siège."""
    verification = verifier_lot([("oci.xlsx", classeur_organismes())], appel_organisme)
    assert [p for p in verification.problemes if p.severite != INFORMATION] == []
    q1, q2 = verification.demandes
    assert {k: q1.valeurs[k] for k in ("organisme", "neq", "municipalite", "region")} == {
        "organisme": "Solidarité Nord-Sud de Rimouski",
        "neq": "1145678901",
        "municipalite": "Rimouski",
        "region": "01",
    }
    assert (q2.valeurs["neq"], q2.valeurs["region"]) == ("2245678901", "05")
    assert q1.valeurs["projet_conjoint"] is False


def test_en_tetes_d_organisme_dans_un_appel_municipal(appel):
    """Dans un appel d'entités municipales, « NEQ » n'est pas une colonne du gabarit : elle
    est gardée à part ; « Ville du siège social » n'y nomme pas la requérante."""
    verification = verifier_lot([("oci.xlsx", classeur_organismes())], appel)
    assert "neq" not in verification.demandes[0].valeurs
    codes = {p.code for p in verification.problemes}
    assert "colonnes_supplementaires" in codes


@pytest.mark.parametrize(
    ("neq", "pourquoi"),
    [
        ("114567890", "9 chiffres"),
        (114567890, "9 chiffres"),
        ("1,14568E+09", "notation scientifique"),
        ("1145678901 inc.", "hors des chiffres"),
        ("ABC-DEF-GHIJ", "hors des chiffres"),
        (1145678901.5, "entier"),
        (True, "case à cocher"),
    ],
)
def test_neq_illisible_bloque_et_situe(appel_organisme, neq, pourquoi):
    """Un NEQ qui n'a pas dix chiffres bloque la demande ; le problème nomme le fichier, la
    ligne comme Excel la numérote et la colonne telle qu'écrite, et dit quoi corriger."""
    contenu = classeur_organismes(
        _ligne_organisme("Q-1", "Solidarité Nord-Sud", "1145678901"),
        _ligne_organisme("Q-2", "Carrefour", neq),
    )
    verification = verifier_lot([("oci.xlsx", contenu)], appel_organisme)
    (probleme,) = [p for p in verification.problemes if p.severite == BLOQUANT]
    assert (probleme.code, probleme.fichier, probleme.ligne, probleme.colonne) == (
        "neq_invalide",
        "oci.xlsx",
        3,
        "Numéro d'entreprise du Québec",
    )
    assert pourquoi in probleme.message and "dix chiffres" in probleme.message
    assert "oci.xlsx" in probleme.texte() and "ligne 3" in probleme.texte()
    gardees, _ = verification.selection(lignes_valides_seulement=True)
    assert [d.no_demande for d in gardees] == ["Q-1"]


def test_neq_tolere_espaces_insecables_et_tirets(appel_organisme):
    contenu = classeur_organismes(
        _ligne_organisme("Q-1", "A", "\u00a01145\u202f678\u00a0901"),
        _ligne_organisme("Q-2", "B", "224-567-8901"),
        _ligne_organisme("Q-3", "C", "\u200b3345678901"),
    )
    verification = verifier_lot([("oci.xlsx", contenu)], appel_organisme)
    assert [d.valeurs["neq"] for d in verification.demandes] == [
        "1145678901",
        "2245678901",
        "3345678901",
    ]
    assert verification.sans_blocage


def test_neq_en_double_avertit(appel_organisme):
    """Interprétation : rien dans le texte de Québec sans frontières ne limite le nombre de
    demandes d'un organisme, et ses « deux types de financement » (mission globale, projets
    ponctuels) permettent à un OCI d'en déposer plusieurs : le doublon avertit sans bloquer,
    et dit où est l'autre demande."""
    contenu = classeur_organismes(
        _ligne_organisme("Q-1", "Solidarité Nord-Sud", "1145678901"),
        _ligne_organisme("Q-2", "Solidarité Nord-Sud", "1145 678 901", titre="Mission"),
        _ligne_organisme("Q-3", "Autre", "2245678901"),
    )
    verification = verifier_lot([("oci.xlsx", contenu)], appel_organisme)
    (probleme,) = [p for p in verification.problemes if p.code == "neq_en_double"]
    assert (probleme.severite, probleme.ligne, probleme.no_demande) == (AVERTISSEMENT, 3, "Q-2")
    assert "« Q-1 », oci.xlsx, ligne 2" in probleme.message
    assert verification.sans_blocage
    assert len(verification.selection()[0]) == 3


def test_organisme_vide_bloque(appel_organisme):
    contenu = classeur_organismes(_ligne_organisme("Q-1", "  ", "1145678901"))
    verification = verifier_lot([("oci.xlsx", contenu)], appel_organisme)
    (probleme,) = [p for p in verification.problemes if p.severite == BLOQUANT]
    assert (probleme.code, probleme.ligne, probleme.colonne) == (
        "valeur_manquante",
        2,
        "Nom de l'organisme",
    )
    assert "« Organisme requérant »" in probleme.message


@pytest.mark.parametrize("absente", ["Nom de l'organisme", "Numéro d'entreprise du Québec"])
def test_colonne_d_organisme_absente_bloque(appel_organisme, absente):
    j = ENTETES_ORGANISMES.index(absente)
    entetes = [e for i, e in enumerate(ENTETES_ORGANISMES) if i != j]
    ligne = [v for i, v in enumerate(_ligne_organisme("Q-1", "A", "1145678901")) if i != j]
    verification = verifier_lot(
        [("oci.xlsx", classeur({"Demandes": [entetes, ligne]}))], appel_organisme
    )
    manquantes = [p for p in verification.problemes if p.code == "colonne_manquante"]
    assert len(manquantes) == 1 and manquantes[0].severite == BLOQUANT


def test_siege_inconnu_comme_une_municipalite_inconnue(appel_organisme):
    """Municipalité du siège absente du répertoire : avertissement ; sans région déclarée,
    la région manque (bloquant), comme pour une municipalité requérante inconnue."""
    contenu = classeur_organismes(_ligne_organisme("Q-1", "A", "1145678901", siege="Gotham"))
    verification = verifier_lot([("oci.xlsx", contenu)], appel_organisme)
    codes = {(p.code, p.severite, p.colonne) for p in verification.problemes}
    assert ("municipalite_inconnue", AVERTISSEMENT, "Ville du siège social") in codes
    assert ("valeur_manquante", BLOQUANT, "Région administrative") in codes


@pytest.mark.parametrize(
    ("requerante", "nom", "region"),
    [
        ("MRC de Coaticook", "MRC Coaticook", "05"),
        ("MRC des Collines-de-l'Outaouais", "MRC Les Collines-de-l'Outaouais", "07"),
        ("Municipalité régionale de comté de Bellechasse", "MRC Bellechasse", "12"),
        ("Coaticook", "Coaticook", "05"),  # sans « MRC » : la ville
    ],
)
def test_requerante_mrc(appel, requerante, nom, region):
    """« Le projet proposé peut être porté par une ou plusieurs entités municipales. »
    Interprétation : une MRC ou un territoire équivalent du répertoire (colonne « mrc »)
    peut être requérante, comme une municipalité locale ; la région est la sienne."""
    verification = verifier_lot([("mrc.xlsx", _classeur_minimal("A-1", requerante))], appel)
    (d,) = verification.demandes
    assert (d.valeurs["municipalite"], d.valeurs["region"]) == (nom, region)
    assert not [p for p in verification.problemes if p.code == "municipalite_inconnue"]
    assert verification.sans_blocage


def test_neq_deja_importe_avertit(appel_organisme):
    """Un NEQ déjà porté par une demande importée sous un autre numéro avertit ; la même
    demande réimportée (même numéro) n'est pas un doublon d'elle-même."""
    stockes = {"1145678901": ["Q-1"]}
    autre = verifier_lot(
        [("oci.xlsx", classeur_organismes(_ligne_organisme("Q-9", "Solidarité", "1145678901")))],
        appel_organisme,
        numeros_stockes=["Q-1"],
        neq_stockes=stockes,
    )
    (probleme,) = [p for p in autre.problemes if p.code == "neq_en_double"]
    assert probleme.severite == AVERTISSEMENT and probleme.no_demande == "Q-9"
    assert "« Q-1 », déjà importée dans cet appel" in probleme.message
    meme = verifier_lot(
        [("oci.xlsx", classeur_organismes(_ligne_organisme("q-1", "Solidarité", "1145678901")))],
        appel_organisme,
        numeros_stockes=["Q-1"],
        neq_stockes=stockes,
    )
    assert not [p for p in meme.problemes if p.code == "neq_en_double"]


def test_valeur_inconnue_d_une_grande_dimension_cite_dix_valeurs_permises():
    """Issue 18 (attaque) : une valeur inconnue d'une dimension de 200 valeurs ne cite pas
    les 200 (un rapport de 237 Mo pour un CSV de 100 Ko) : dix, puis « … et 190 autres :
    voir la feuille Listes du gabarit »."""
    from evaluation.appels.configuration import Dimension, ValeurDimension
    from evaluation.depot.validation import _valeurs_dimension

    valeurs = tuple(ValeurDimension(f"v{i}", f"Valeur numéro {i}", ()) for i in range(200))
    d = Dimension("theme", "Thème", True, True, valeurs)
    for cellule in ("Volonta", "x; y", None):
        ((_code, message, severite),) = [c for c in _valeurs_dimension(d, cellule)[1]]
        assert severite == "bloquant"
        assert "Valeur numéro 9 … et 190 autres : voir la feuille Listes du gabarit" in message
        assert "Valeur numéro 10 " not in message and len(message) < 600, message


def test_cellule_xlsx_coupee_a_32767_caracteres_signalee():
    """Issue 18 (attaque) : un texte de 1 Mo dans une cellule .xlsx est lu coupé à
    32 767 caractères (limite d'une cellule Excel) ; la coupure est dite, située (fichier,
    ligne Excel, colonne) — avertissement pour un texte, bloquant pour une dimension, dont
    la dernière valeur coupée n'est pas « inconnue »."""
    from tests.dimensions import appel_avec_dimensions, demande, gabarit_rempli

    appel = appel_avec_dimensions()
    priorites = "; ".join(["Jeunesse", "Droits des femmes"] * 3000)  # > 32 767 caractères
    cellules = {"resume": "a\n" * 2**19, "dimension:priorites": priorites}
    contenu = gabarit_rempli(appel, [demande(appel, "Q-1", **cellules)])
    verification = verifier_lot([("long.xlsx", contenu)], appel)
    coupes = {p.colonne: p for p in verification.problemes if p.code == "texte_coupe"}
    resume, dimension = coupes["Résumé"], coupes["Priorités transversales"]
    assert (resume.fichier, resume.ligne, resume.severite) == ("long.xlsx", 3, "avertissement")
    assert "texte coupé à 32 767 caractères (limite d'une cellule Excel)" in resume.message
    assert dimension.severite == "bloquant"
    assert not [p for p in verification.problemes if p.code == "dimension_inconnue"]


def _csv_de_valide(**cellules) -> bytes:
    """valide.xlsx enregistré en CSV « ; » comme le fait Excel, des cellules de la première
    demande remplacées par ce qu'Excel y écrirait (en-tête → texte)."""
    import csv

    feuille = load_workbook(FORMATS / "valide.xlsx")["Demandes"]
    lignes = [[c.value for c in r] for r in feuille.iter_rows()]
    for entete, texte in cellules.items():
        lignes[1][lignes[0].index(entete)] = texte
    sortie = io.StringIO()
    csv.writer(sortie, delimiter=";").writerows(lignes)
    return sortie.getvalue().encode("utf-8")


@pytest.mark.parametrize("code", ["#N/A", " #n/a ", "#REF!", "#VALEUR!", "#NOM?"])
def test_cellule_en_erreur_d_un_csv_comme_celle_d_un_classeur(appel, code):
    """Un CSV enregistré depuis Excel écrit « #N/A » à la place d'une cellule en erreur : la
    région (facultative, tirée du répertoire) est ignorée avec un avertissement, comme dans
    un classeur, et non bloquée comme une région inconnue (constat 5 de l'issue 21) ; un
    montant en erreur, lui, bloque, comme dans un classeur."""
    region = "Région administrative"
    v = verifier_lot([("x.csv", _csv_de_valide(**{region: code}))], appel)
    assert [(p.severite, p.code) for p in v.problemes if p.colonne == region] == [
        (AVERTISSEMENT, "cellule_en_erreur")
    ]
    (t1, *_) = v.selection()[0]
    assert t1.valeurs["region"] == "01"
    montant = "Montant demandé – année 1"
    v = verifier_lot([("x.csv", _csv_de_valide(**{montant: code}))], appel)
    assert [(p.severite, p.code) for p in v.problemes if p.colonne == montant] == [
        (BLOQUANT, "cellule_en_erreur")
    ]


def test_texte_qui_commence_par_un_diese_reste_une_valeur(appel):
    """Seuls les codes d'erreur d'Excel sont des cellules en erreur : « #1 Ville » est lu."""
    v = verifier_lot([("x.csv", _csv_de_valide(**{"Titre du projet": "#1 Jumelage"}))], appel)
    assert v.demandes[0].valeurs["titre"] == "#1 Jumelage"


def _verifier_lignes(
    appel, repertoire, demandes: list[dict], budget: list[dict], erreurs=False, **options
):
    """Les lignes telles que la lecture les rend (clé → cellule), dans un fichier f.xlsx
    (`erreurs` : la lecture y a vu des cellules #N/A, #REF!...)."""
    colonnes_d = {c.cle: (j, c.entete) for j, c in enumerate(COLONNES_DEMANDES)}
    colonnes_b = {c.cle: (j, c.entete) for j, c in enumerate(COLONNES_BUDGET)}
    t_d = Tableau("f.xlsx", "Demandes", "demandes", 1, colonnes_d, cellules_en_erreur=erreurs)
    t_b = Tableau("f.xlsx", "Budget", "budget", 1, colonnes_b, cellules_en_erreur=erreurs)
    for tableau, lignes in ((t_d, demandes), (t_b, budget)):
        for i, ligne in enumerate(lignes):
            tableau.enregistrements.append(ligne)
            tableau.supplementaires.append({})
            tableau.lignes.append(i + 2)
    return verifier([FichierLu("f.xlsx", "xlsx", [t_d, t_b])], appel, repertoire, **options)


def _graves_codes(verification):
    return [
        (p.code, p.feuille, p.ligne) for p in verification.problemes if p.severite != INFORMATION
    ]


def test_un_seul_numero_en_double_bloque_tout_son_fichier(appel, repertoire):
    """« Un fichier qui porte un problème bloquant n'importe rien, sauf choix explicite » : un
    seul numéro répété (T-001 en ligne 4) bloque aussi T-002, intacte ; « lignes valides
    seulement » garde la première T-001 et T-002 (constat 4 de l'issue 21)."""
    demandes = [_demande_valide(n) for n in ("T-001", "T-002", "T-001")]
    v = _verifier_lignes(
        appel, repertoire, demandes, _depenses_valides("T-001") + _depenses_valides("T-002")
    )
    assert _graves_codes(v) == [("doublon", "Demandes", 4)]
    assert v.selection()[0] == []
    assert [d.valeurs["no_demande"] for d in v.selection(True)[0]] == ["T-001", "T-002"]


def test_bornes_des_controles_du_budget_et_des_dates(appel, repertoire):
    """Les bornes (constat 5 de l'issue 21) : une dépense de 0 $ ne bloque pas ; l'année 0
    bloque ; une année vide est comptée en année 1, comme le dit le message (le total de
    l'année 1 égale alors le demandé : aucun écart) ; un projet d'un seul jour n'a pas ses
    dates inversées."""
    depenses = _depenses_valides("T-001")
    zero = dict(depenses[0], description="Rien", montant=0)
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], [*depenses, zero])
    assert _graves_codes(v) == [] and len(v.selection()[0]) == 1

    annee_zero = [dict(depenses[0], annee=0), depenses[1]]
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], annee_zero)
    assert ("annee_invalide", "Budget", 2) in _graves_codes(v)
    assert v.selection(True)[0] == []

    annee_vide = [dict(depenses[0], annee=None), depenses[1]]
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], annee_vide)
    assert _graves_codes(v) == [("annee_manquante", "Budget", 2)]
    (probleme,) = [p for p in v.problemes if p.code == "annee_manquante"]
    assert "année 1" in probleme.message and probleme.severite == AVERTISSEMENT

    un_jour = _demande_valide("T-001")
    un_jour["date_fin"] = un_jour["date_debut"]
    v = _verifier_lignes(appel, repertoire, [un_jour], depenses)
    assert _graves_codes(v) == [] and len(v.selection()[0]) == 1


# --- Constats 6 de l'issue 21 : appel d'un an, courriel, secteurs secondaires -------------


def _appel_d_un_an(appel):
    """L'appel livré, relu de son TOML avec une seule année financière (`nombre_annees_max`
    = 1, une enveloppe) : la configuration le permet (« de 1 à 10 »)."""
    texte = appel.source_toml.replace("nombre_annees_max = 2", "nombre_annees_max = 1")
    texte = texte.replace("enveloppe = [750000, 500000]", "enveloppe = [750000]")
    assert texte.count("nombre_annees_max = 1") == 1 and "[750000]" in texte
    un_an = appel_depuis_toml(texte)
    assert un_an.financement.nombre_annees_max == 1
    return un_an


def test_appel_d_un_an_valide_sans_erreur(appel):
    """La limite d'années n'est pas codée en dur à 2 : dans un appel d'une seule année, une
    demande d'un an et ses dépenses de l'année 1 s'importent sans rien signaler ; une
    dépense inscrite en année 2 bloque, située, et dit quoi écrire ; un montant demandé pour
    l'année 2 avertit que l'appel finance une seule année."""
    un_an = _appel_d_un_an(appel)
    contenu = gabarit_rempli(un_an, [DEMANDE_MUNICIPALE], depenses(DEPENSES_MUNICIPALES))
    verification = verifier_lot([("un-an.xlsx", contenu)], un_an)
    assert _graves(verification) == []
    assert len(verification.selection()[0]) == 1

    deux_ans = {**DEMANDE_MUNICIPALE, "Montant demandé – année 2": 5000}
    budget = depenses([*DEPENSES_MUNICIPALES, (2, *DEPENSES_MUNICIPALES[1][1:3], 5000)])
    verification = verifier_lot([("un-an.xlsx", gabarit_rempli(un_an, [deux_ans], budget))], un_an)
    ligne_demande = LIGNE_ENTETES + 1
    ligne_depense = LIGNE_ENTETES + 3  # la troisième dépense
    assert _graves(verification) == [
        ("annee_hors_appel", AVERTISSEMENT, "Demandes", ligne_demande, "Montant demandé – année 2"),
        ("annee_invalide", BLOQUANT, "Budget", ligne_depense, "Année"),
    ]
    hors, invalide = (p for p in verification.problemes if p.severite != INFORMATION)
    assert hors.message == (
        "montant demandé pour l'année 2, alors que l'appel finance au plus 1 année."
    )
    assert invalide.message == (
        "année « 2 » invalide : l'appel finance une seule année ; écrivez 1 (année "
        "financière du projet)."
    )
    assert invalide.texte().startswith(f"un-an.xlsx, feuille Budget, ligne {ligne_depense}")
    assert verification.selection() == ([], [])


def test_annee_au_dela_de_l_appel_dit_les_annees_permises(appel, repertoire):
    """Dans l'appel livré (deux années : « porte sur une ou deux années financières »),
    l'année 3 bloque et le message dit d'écrire un nombre de 1 à 2."""
    depenses_ = _depenses_valides("T-001")
    v = _verifier_lignes(
        appel, repertoire, [_demande_valide("T-001")], [dict(depenses_[0], annee=3), depenses_[1]]
    )
    (p,) = [p for p in v.problemes if p.code == "annee_invalide"]
    assert (p.fichier, p.feuille, p.ligne, p.colonne, p.severite) == (
        "f.xlsx",
        "Budget",
        2,
        "Année",
        BLOQUANT,
    )
    assert p.message == (
        "année « 3 » invalide : écrivez un nombre de 1 à 2 (année financière du projet)."
    )


@pytest.mark.parametrize(
    "courriel",
    [
        "international@rimouski",  # sans point dans le domaine
        "international.rimouski.ca",  # sans @
        "international@@rimouski.ca",
        "international@rimouski.",
        "inter national@rimouski.ca",
    ],
)
def test_courriel_invalide_avertit_situe(appel, courriel):
    """Un courriel sans point dans le domaine (« nom@domaine » : aucune adresse joignable)
    n'est pas gardé : avertissement situé (fichier, ligne Excel, colonne) qui dit la forme
    attendue ; la demande s'importe sans courriel."""
    v = verifier_lot([("x.csv", _csv_de_valide(Courriel=courriel))], appel)
    (p,) = [p for p in v.problemes if p.severite != INFORMATION]
    assert (p.code, p.severite, p.fichier, p.feuille, p.ligne, p.colonne) == (
        "courriel_invalide",
        AVERTISSEMENT,
        "x.csv",
        "",
        2,
        "Courriel",
    )
    assert p.message == (
        f"adresse courriel invalide « {courriel} » : écrivez une adresse complète, comme "
        "nom@domaine.ca (valeur ignorée)."
    )
    assert p.texte().startswith("x.csv, ligne 2 (demande T-001), colonne « Courriel » : ")
    (t1, *_) = v.selection()[0]
    assert t1.valeurs["courriel"] is None


@pytest.mark.parametrize(
    "courriel", ["international@rimouski.ca", "a.b-c@ville.rimouski.qc.ca", " x@y.ca "]
)
def test_courriel_valide_garde(appel, courriel):
    v = verifier_lot([("x.csv", _csv_de_valide(Courriel=courriel))], appel)
    assert [p for p in v.problemes if p.severite != INFORMATION] == []
    assert v.demandes[0].valeurs["courriel"] == courriel.strip()


@pytest.mark.parametrize(
    ("cellule", "attendu"),
    [
        ("Culture; culture; Cohésion sociale", "Culture; Cohésion sociale"),
        ("CULTURE\nCohesion sociale; Culture ; Cohésion sociale", "Culture; Cohésion sociale"),
        ("Cohésion sociale; Culture", "Cohésion sociale; Culture"),  # l'ordre du fichier
    ],
)
def test_secteurs_secondaires_dedoublonnes(appel, cellule, attendu):
    """Un secteur secondaire écrit deux fois (casse, accents ou espaces près) ne compte
    qu'une fois, sous son libellé ; l'ordre du fichier est gardé."""
    v = verifier_lot([("x.csv", _csv_de_valide(**{"Secteurs secondaires": cellule}))], appel)
    assert [p for p in v.problemes if p.severite != INFORMATION] == []
    assert v.demandes[0].valeurs["secteurs_secondaires"] == attendu


# --- Demandes déjà stockées : numéros, demandeur, identité (mutation, issue 21) ------------

from evaluation.depot.classeurs import CelluleEnErreur  # noqa: E402
from evaluation.depot.validation import (  # noqa: E402
    demandeur,
    demandeur_change,
    identites_par_cle,
    nommer_demandeur,
)

TITRE = "Jumelage maritime Rimouski-Brest"


def _stockee(numero, code="10043", titre=TITRE, municipalite="Rimouski", neq=None, org=None):
    """Une identité stockée : (numéro, organisme, municipalité, titre, NEQ, code)."""
    return (numero, org, municipalite, titre, neq, code)


@pytest.mark.parametrize(
    ("valeurs", "attendu"),
    [
        ({"neq": " 1145678901 ", "organisme": "A"}, ("neq", "1145678901")),
        ({"organisme": "Carrefour", "code_geographique": "43027"}, None),  # sans NEQ
        ({"code_geographique": "43027", "municipalite": "Sherbrooke"}, ("code", "43027")),
        ({"municipalite": "MRC de Coaticook"}, ("nom", "mrcdecoaticook")),
        ({"municipalite": "  ", "code_geographique": None}, None),
    ],
)
def test_demandeur_reconnu_a_ce_qui_l_identifie(valeurs, attendu):
    """Un organisme à son NEQ, une municipalité à son code géographique, une MRC (sans code
    au répertoire) à son nom ; un organisme sans NEQ n'est reconnu à rien."""
    assert demandeur(valeurs) == attendu


@pytest.mark.parametrize(
    ("ancienne", "nouvelle", "change"),
    [
        ({"code_geographique": "10043"}, {"code_geographique": "10043"}, False),
        ({"code_geographique": "10043"}, {"code_geographique": "43027"}, True),
        ({"neq": "1145678901"}, {"neq": "2245678901"}, True),
        ({"neq": "1145678901"}, {"code_geographique": "10043"}, True),  # organisme ≠ ville
        ({"code_geographique": "10043"}, {"neq": "1145678901"}, True),
        ({"code_geographique": "44037"}, {"municipalite": "MRC de Coaticook"}, False),
        ({"code_geographique": "10043"}, {}, False),  # rien d'un côté : ne se compare pas
        ({}, {"code_geographique": "10043"}, False),
    ],
)
def test_demandeur_change(ancienne, nouvelle, change):
    assert demandeur_change(ancienne, nouvelle) is change


def test_nommer_le_demandeur():
    assert nommer_demandeur(
        {"organisme": "Carrefour", "neq": "1145678901", "municipalite": "Sherbrooke"}
    ) == ("« Carrefour » (NEQ 1145678901, Sherbrooke)")
    assert nommer_demandeur({"neq": "1145678901"}) == "demandeur sans nom (NEQ 1145678901)"
    assert nommer_demandeur({"municipalite": "Coaticook", "code_geographique": "44037"}) == (
        "« Coaticook » (code géographique 44037)"
    )
    assert nommer_demandeur({"municipalite": "MRC Coaticook"}) == "« MRC Coaticook »"
    assert nommer_demandeur({}) == "demandeur sans nom"


def test_identites_stockees_par_demandeur_et_titre():
    """Titre sans égard à la casse ni aux accents ; numéros triés ; une demande sans titre
    ou sans demandeur n'a pas d'identité."""
    par_cle = identites_par_cle(
        [
            _stockee("P-2"),
            _stockee("P-1", titre=TITRE.upper()),
            _stockee("P-3", titre=None),
            _stockee("P-4", code=None, municipalite=None),
        ]
    )
    assert par_cle == {(("code", "10043"), "jumelagemaritimerimouskibrest"): ["P-1", "P-2"]}


def test_ligne_sans_numero_reconnue_comme_la_demande_stockee(appel, repertoire):
    """Sans numéro, même demandeur (code géographique) et même titre qu'une demande déjà
    importée : c'est elle, mise à jour sous son numéro, et l'information le dit ; une
    autre prend le numéro suivant de la série des numéros de l'appel."""
    reconnue = _demande_valide(None)
    nouvelle = {**_demande_valide(None), "titre": "Mission à Lorient"}
    v = _verifier_lignes(
        appel,
        repertoire,
        [reconnue, nouvelle],
        [],
        numeros_stockes=["PAIVMQ-2024-007", "PAIVMQ-2024-012", "AUTRE-99"],
        identites_stockees=[_stockee("PAIVMQ-2024-007")],
    )
    assert [(d.no_demande, d.reconnue) for d in v.demandes] == [
        ("PAIVMQ-2024-007", True),
        ("PAIVMQ-2024-013", False),
    ]
    (annonce,) = [p for p in v.problemes if p.code == "numero_attribue"]
    assert annonce.message == (
        "1 demande sans numéro : numéro attribué à l'importation (ligne 3 → PAIVMQ-2024-013) ; "
        "Demandes sans numéro reconnues comme déjà importées, même demandeur et même titre "
        "(1) : elles seront mises à jour, pas copiées (ligne 2 → PAIVMQ-2024-007). Le numéro "
        "est annoncé dans le rapport d'importation."
    )
    assert (annonce.severite, annonce.ligne, annonce.colonne) == (INFORMATION, 1, "No de demande")
    assert v.sans_blocage


def test_sans_numero_et_deux_demandes_stockees_de_meme_identite_bloque(appel, repertoire):
    v = _verifier_lignes(
        appel,
        repertoire,
        [_demande_valide(None)],
        [],
        numeros_stockes=["P-1", "P-2"],
        identites_stockees=[_stockee("P-2"), _stockee("P-1")],
    )
    (p,) = [p for p in v.problemes if p.severite != INFORMATION]
    assert (p.code, p.severite, p.ligne, p.colonne) == (
        "demande_ambigue",
        BLOQUANT,
        2,
        "Titre du projet",
    )
    assert p.message == (
        "sans numéro, et plusieurs demandes déjà importées ont ce demandeur et ce titre "
        "(P-1, P-2) : inscrivez dans « No de demande » le numéro de celle que cette ligne met "
        "à jour."
    )
    assert not [p for p in v.problemes if p.code == "numero_attribue"]


def test_numero_d_une_autre_municipalite_bloque(appel, repertoire):
    """Une ligne ne change jamais le demandeur d'une demande stockée : le numéro T-001 est
    celui de Sherbrooke ; la ligne de Rimouski qui le porte bloque, et le message nomme les
    deux et dit quoi faire. La même municipalité, elle, met à jour sa demande."""
    autre = _verifier_lignes(
        appel,
        repertoire,
        [_demande_valide("t-001")],
        [],
        numeros_stockes=["T-001"],
        identites_stockees=[_stockee("T-001", "43027", municipalite="Sherbrooke")],
    )
    (p,) = [p for p in autre.problemes if p.severite != INFORMATION]
    assert (p.code, p.severite, p.ligne, p.colonne) == (
        "autre_demandeur",
        BLOQUANT,
        2,
        "No de demande",
    )
    assert p.message == (
        "le numéro « T-001 » est celui de la demande de « Sherbrooke » (code géographique "
        "43027), déjà importée ; cette ligne vient d'un autre demandeur, « Rimouski » (code "
        "géographique 10043) : elle ne peut pas remplacer la demande d'un autre. Vérifiez le "
        "numéro (une nouvelle demande se dépose sans numéro), ou, si l'ancienne demande doit "
        "vraiment céder la place, retirez-la d'abord (désistement) puis importez cette ligne "
        "sans numéro."
    )
    meme = _verifier_lignes(
        appel,
        repertoire,
        [_demande_valide("T-001")],
        [],
        numeros_stockes=["T-001"],
        identites_stockees=[_stockee("T-001")],
    )
    assert [p for p in meme.problemes if p.severite != INFORMATION] == [
        p for p in meme.problemes if p.code == "sans_budget"
    ]


# --- Date de dépôt, municipalités homonymes, cellules en erreur du budget -----------------


@pytest.mark.parametrize(
    ("depot", "code", "fragment"),
    [
        ("2024-03-01", None, None),  # le jour de la date limite : à temps
        ("2024-03-04", "depot_en_retard", "3 jours après"),
        ("2023-02-01", "date_depot_invraisemblable", "plus d'un an avant la date limite"),
        ("2099-01-01", "date_depot_invraisemblable", "postérieure à aujourd'hui"),
    ],
)
def test_date_de_depot_face_a_la_date_limite(appel, repertoire, depot, code, fragment):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024 » (lu comme la date
    limite) : un dépôt en retard avertit avec les jours ; une date invraisemblable avertit
    et dit de vérifier la cellule."""
    d = {**_demande_valide("T-001"), "date_depot": depot}
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    graves = [p for p in v.problemes if p.severite != INFORMATION]
    if code is None:
        assert graves == []
        return
    (p,) = graves
    assert (p.code, p.severite, p.ligne, p.colonne) == (code, AVERTISSEMENT, 2, "Date de dépôt")
    assert fragment in p.message
    if code == "date_depot_invraisemblable":
        assert p.message.endswith(
            " : vérifiez la date de dépôt sur la demande reçue et corrigez la cellule "
            "(AAAA-MM-JJ) ; sinon l'analyste la vérifie à l'examen d'admissibilité."
        )
    assert v.sans_blocage


def test_date_de_depot_vide_dite_en_information(appel, repertoire):
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], _depenses_valides("T-001"))
    (p,) = [p for p in v.problemes if p.code == "date_depot_vide"]
    assert (p.severite, p.ligne, p.colonne) == (INFORMATION, 2, "Date de dépôt")


def test_municipalite_homonyme_sans_region(appel, repertoire):
    """Deux Notre-Dame-de-Lourdes au répertoire : sans région, la municipalité est ambiguë
    (avertissement qui nomme les deux) et la région manque (bloquant) ; avec la région 14,
    c'est la municipalité de Lanaudière."""
    sans = {**_demande_valide("T-001"), "municipalite": "Notre-Dame-de-Lourdes", "region": None}
    v = _verifier_lignes(appel, repertoire, [sans], [])
    par_code = {p.code: p for p in v.problemes if p.severite != INFORMATION}
    ambigue = par_code["municipalite_ambigue"]
    assert (ambigue.severite, ambigue.colonne) == (AVERTISSEMENT, "Municipalité requérante")
    assert ambigue.message == (
        "plusieurs municipalités portent le nom « Notre-Dame-de-Lourdes » (Paroisse de "
        "Notre-Dame-de-Lourdes (17 Centre-du-Québec); Municipalité de Notre-Dame-de-Lourdes "
        "(14 Lanaudière)) : indiquez la région, ou écrivez « Canton de … », « Ville de … »."
    )
    assert par_code["valeur_manquante"].severite == BLOQUANT
    avec = {**sans, "region": "14"}
    (d,) = _verifier_lignes(appel, repertoire, [avec], []).demandes
    assert (d.valeurs["code_geographique"], d.valeurs["region"]) == ("61045", "14")


def test_partenaire_homonyme_a_preciser(appel, repertoire):
    d = {**_demande_valide("T-001"), "municipalites_partenaires": "Notre-Dame-de-Lourdes"}
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    (p,) = [p for p in v.problemes if p.colonne == "Municipalités partenaires"]
    assert p.code == "municipalite_inconnue" and p.message.endswith(
        "Plusieurs municipalités portent ce nom : précisez « Ville de … »."
    )
    assert v.demandes[0].valeurs["projet_conjoint"] is False


def test_requerante_mrc_region_declaree_contradictoire(appel, repertoire):
    """Une MRC requérante : sa région est celle du répertoire, même si le fichier en
    déclare une autre (avertissement situé)."""
    d = {**_demande_valide("T-001"), "municipalite": "MRC de Coaticook", "region": "01"}
    v = _verifier_lignes(appel, repertoire, [d], [])
    (p,) = [p for p in v.problemes if p.code == "region_contradictoire"]
    assert (p.severite, p.colonne) == (AVERTISSEMENT, "Région administrative")
    assert p.message.startswith(
        "la région déclarée (01) n'est pas celle de la requérante « MRC Coaticook » au "
        "répertoire (05 Estrie) : la région du répertoire est retenue"
    )
    assert v.demandes[0].valeurs["region"] == "05"


def test_cellule_en_erreur_d_une_ligne_de_budget(appel, repertoire):
    """Un montant #N/A bloque la ligne (valeur obligatoire) ; un numéro #REF! bloque aussi,
    sans autre alerte en cascade (ni numéro manquant, ni rattachement)."""
    depenses_ = _depenses_valides("T-001")
    budget = [
        dict(depenses_[0], montant=CelluleEnErreur("#N/A")),
        dict(depenses_[1], no_demande=CelluleEnErreur("#REF!")),
    ]
    v = _verifier_lignes(
        appel, repertoire, [_demande_valide("T-001"), _demande_valide("T-002")], budget, True
    )
    budget_pb = [
        (p.code, p.severite, p.ligne, p.colonne) for p in v.problemes if p.feuille == "Budget"
    ]
    assert budget_pb == [
        ("cellule_en_erreur", BLOQUANT, 2, "Montant"),
        ("cellule_en_erreur", BLOQUANT, 3, "No de demande"),
    ]
    assert v.lignes_budget[0].valeurs["montant"] is None
    assert v.lignes_budget[1].valeurs["no_demande"] is None


def test_depense_sans_numero_rattachee_par_titre(appel, repertoire):
    """Sans numéro, une dépense se rattache à la demande de même titre de son fichier ;
    deux demandes de ce titre : bloquant ; aucune demande dans le fichier : bloquant."""
    deux = [_demande_valide("T-001"), {**_demande_valide("T-002"), "titre": "Autre"}]
    ligne = dict(_depenses_valides(None)[0], titre=TITRE.upper())
    v = _verifier_lignes(appel, repertoire, deux, [ligne])
    assert v.lignes_budget[0].demande is v.demandes[0]
    assert v.lignes_budget[0].valeurs["no_demande"] == "T-001"

    memes = [_demande_valide("T-001"), _demande_valide("T-002")]
    v = _verifier_lignes(appel, repertoire, memes, [ligne])
    (p,) = [p for p in v.problemes if p.feuille == "Budget" and p.severite == BLOQUANT]
    assert (p.code, p.colonne) == ("rattachement_ambigu", "Titre du projet")
    assert p.message == (
        f"2 demandes de ce fichier portent le titre « {TITRE.upper()} » : inscrivez le numéro "
        "de la demande dans « No de demande »."
    )

    v = _verifier_lignes(appel, repertoire, [], [dict(ligne, titre=None)])
    (p,) = [p for p in v.problemes if p.severite == BLOQUANT]
    assert (p.code, p.feuille, p.ligne, p.colonne) == (
        "valeur_manquante",
        "Budget",
        2,
        "No de demande",
    )
    assert "inscrivez son numéro dans « No de demande »" in p.message


def test_lettres_sosies_signalees(appel, repertoire):
    """Un « Р » cyrillique dans un titre s'affiche comme un P latin : avertissement situé,
    qui dit de retaper la cellule."""
    d = {**_demande_valide("T-001"), "titre": "\u0420rojet Brest"}
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    (p,) = [p for p in v.problemes if p.code == "lettres_sosies"]
    assert (p.severite, p.ligne, p.colonne) == (AVERTISSEMENT, 2, "Titre du projet")
    assert p.message.endswith("Retapez la cellule au clavier.")


def test_dimension_en_erreur_ou_vide_de_valeurs():
    """Une cellule #N/A d'une dimension : bloquante si la dimension est obligatoire, ignorée
    avec un avertissement sinon ; « ; » seul dans une dimension obligatoire ne porte aucune
    valeur : valeur manquante (bloquant)."""
    appel = appel_avec_dimensions()
    wb = load_workbook(io.BytesIO(gabarit_dimensions(appel, [demande(appel, "Q-1")])))
    feuille = wb["Demandes"]
    entetes = [c.value for c in feuille[LIGNE_ENTETES]]
    for entete, code in (("Type de financement", "#N/A"), ("Priorités transversales", "#REF!")):
        cellule = feuille.cell(LIGNE_ENTETES + 1, entetes.index(entete) + 1)
        cellule.value = code
        cellule.data_type = "e"
    sortie = io.BytesIO()
    wb.save(sortie)
    v = verifier_lot([("q.xlsx", sortie.getvalue())], appel)
    assert [(p.code, p.severite, p.colonne) for p in v.problemes if p.severite != INFORMATION] == [
        ("cellule_en_erreur", AVERTISSEMENT, "Priorités transversales"),
        ("cellule_en_erreur", BLOQUANT, "Type de financement"),
    ]
    v = _verifier_dimensions(appel, **{"dimension:type-financement": " ; "})
    (p,) = [p for p in v.problemes if p.severite != INFORMATION]
    assert (p.code, p.severite, p.colonne) == ("valeur_manquante", BLOQUANT, "Type de financement")


def test_numeros_attribues_suivent_la_serie_la_plus_frequente(appel):
    """Le numéro attribué est le suivant de la série la plus fréquente des numéros pris (à
    égalité, celle qui va le plus loin), avec autant de chiffres que son plus long numéro ;
    les lignes de budget rattachées à la demande prennent son numéro."""
    from evaluation.depot.validation import Enregistrement, attribuer_numeros, cle_numero

    def essai(pris):
        d = Enregistrement({"no_demande": None}, "f.xlsx", "Demandes", 2, attribue=True)
        gardee = Enregistrement({"no_demande": "Z-1"}, "f.xlsx", "Demandes", 3)
        lignes = [
            Enregistrement({"no_demande": None}, "f.xlsx", "Budget", 2, demande=d),
            Enregistrement({"no_demande": "Z-1"}, "f.xlsx", "Budget", 3, demande=gardee),
            Enregistrement({"no_demande": None}, "f.xlsx", "Budget", 4),
        ]
        attribuer_numeros([gardee, d], lignes, appel, {}, pris)
        assert gardee.no_demande == "Z-1" and not gardee.attribue
        assert [b.valeurs["no_demande"] for b in lignes] == [d.no_demande, "Z-1", None]
        assert lignes[0].cle == cle_numero(d.no_demande)
        return d.no_demande

    assert essai(["A-005", "A-001", "B-1"]) == "A-006"
    assert essai(["A-003", "B-009"]) == "B-010"
    assert essai(["A-7", "A-012"]) == "A-013"
    assert essai(["A-9", "A-10"]) == "A-11"
    assert essai([]) == "PAIVMQ-2023-2024-001"


@pytest.mark.parametrize(("longueur", "coupe"), [(32_766, False), (32_767, True)])
def test_texte_de_la_longueur_maximale_d_une_cellule_dit_coupe(appel, repertoire, longueur, coupe):
    """Une cellule Excel porte au plus 32 767 caractères : un texte lu de cette longueur a
    sans doute perdu sa fin (avertissement situé) ; un caractère de moins, non."""
    d = {**_demande_valide("T-001"), "resume": "a" * longueur}
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    coupes = [(p.severite, p.ligne, p.colonne) for p in v.problemes if p.code == "texte_coupe"]
    assert coupes == ([(AVERTISSEMENT, 2, "Résumé")] if coupe else [])


def test_montant_nul_accepte(appel, repertoire):
    """Un montant est positif ou nul : une contribution de 0 $ n'est pas « négative »."""
    d = {**_demande_valide("T-001"), "cofinancement_externe": 0, "contribution_demandeur": 20000}
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    assert _graves_codes(v) == []
    assert v.demandes[0].valeurs["cofinancement_externe"] == 0
    negatif = {**d, "cofinancement_externe": -1}
    v = _verifier_lignes(appel, repertoire, [negatif], _depenses_valides("T-001"))
    assert _graves_codes(v) == [("montant_negatif", "Demandes", 2)]


@pytest.mark.parametrize(
    ("stockes", "cites"),
    [
        (["Q-1", "Q-2", "Q-3"], "« Q-1 », « Q-2 », « Q-3 », déjà importée"),
        (["Q-1", "Q-2", "Q-3", "Q-4"], "« Q-1 », « Q-2 », « Q-3 » (et d'autres), déjà importée"),
    ],
)
def test_neq_deja_importe_cite_trois_demandes(appel_organisme, stockes, cites):
    v = verifier_lot(
        [("oci.xlsx", classeur_organismes(_ligne_organisme("Q-9", "Solidarité", "1145678901")))],
        appel_organisme,
        numeros_stockes=stockes,
        neq_stockes={"1145678901": stockes},
    )
    (p,) = [p for p in v.problemes if p.code == "neq_en_double"]
    assert f"NEQ 1145678901 déjà donné pour la demande {cites} dans cet appel" in p.message


@pytest.mark.parametrize(("nombre", "fin"), [(20, "Q-020)"), (21, "Q-020 …)")])
def test_annonce_des_numeros_attribues_cite_vingt_lignes(appel, repertoire, nombre, fin):
    demandes = [{**_demande_valide(None), "titre": f"Projet {i}"} for i in range(nombre)]
    v = _verifier_lignes(appel, repertoire, demandes, [], numeros_stockes=["Q-000"])
    (annonce,) = [p for p in v.problemes if p.code == "numero_attribue"]
    assert annonce.message.startswith(
        f"{nombre} demandes sans numéro : numéro attribué à l'importation (ligne 2 → Q-001, "
    )
    assert annonce.message.endswith(
        f"ligne 21 → {fin}. Le numéro est annoncé dans le rapport d'importation."
    )


def test_dimension_de_dix_valeurs_les_cite_toutes():
    from evaluation.appels.configuration import Dimension, ValeurDimension
    from evaluation.depot.validation import _valeurs_dimension

    valeurs = tuple(ValeurDimension(f"v{i}", f"Valeur {i}", ()) for i in range(10))
    d = Dimension("theme", "Thème", True, True, valeurs)
    ((_, message, _),) = _valeurs_dimension(d, "Inconnue")[1]
    assert message.endswith("parmi : " + " ; ".join(f"Valeur {i}" for i in range(10)) + ".")
    cinq = "; ".join(f"X{i}" for i in range(5))
    ((_, message, _),) = _valeurs_dimension(d, cinq)[1]
    assert "« X4 » inconnues ;" in message and "autres" not in message


def test_enregistrement_ne_deverse_ni_ne_compare_son_tableau(appel, repertoire):
    """Un enregistrement se lit (repr : journaux, rapports d'échec) et se compare par ses
    valeurs et sa provenance, sans son tableau (50 000 lignes), sa demande ni son cache de
    numéro ; une vérification, sans les fichiers lus ni ses sélections mémorisées."""
    from evaluation.depot.validation import Enregistrement

    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], _depenses_valides("T-001"))
    (d,) = v.demandes
    b = v.lignes_budget[0]
    assert d.tableau is not None and b.demande is d and d.cle == "t-001"
    for e in (d, b):
        texte = repr(e)
        assert ", tableau=" not in texte and ", demande=" not in texte and ", _cle=" not in texte
    copie = Enregistrement(
        dict(b.valeurs), b.fichier, b.feuille, b.ligne, list(b.problemes), dict(b.supplementaires)
    )
    copie.index = b.index
    copie.demande_stockee = b.demande_stockee
    assert copie == b  # ni tableau, ni demande, ni cache de numéro
    texte = repr(v)
    assert ", lus=" not in texte and ", _selections=" not in texte
    autre = _verifier_lignes(
        appel, repertoire, [_demande_valide("T-001")], _depenses_valides("T-001")
    )
    v.selection()
    assert v == autre


def test_fichier_refuse_compte_parmi_les_fichiers_du_lot(appel, repertoire):
    """Un fichier refusé à la lecture (problème « refus ») figure dans la liste des fichiers
    du lot, une fois, après les fichiers lus ; un avertissement de fichier, non."""
    from evaluation.socle.probleme import REFUS, Probleme

    refus = [
        Probleme("zip.xlsx", "archive", "archive démesurée.", REFUS),
        Probleme("zip.xlsx", "archive", "encore.", REFUS),
        Probleme("autre.xlsx", "x", "avertissement.", AVERTISSEMENT),
    ]
    v = _verifier_lignes(
        appel, repertoire, [_demande_valide("T-001")], [], problemes_fichiers=refus
    )
    assert v.fichiers == ["f.xlsx", "zip.xlsx"]


def test_demande_ambigue_cite_cinq_numeros(appel, repertoire):
    stockees = [_stockee(f"P-{i}") for i in range(1, 7)]
    v = _verifier_lignes(
        appel,
        repertoire,
        [_demande_valide(None)],
        [],
        numeros_stockes=[s[0] for s in stockees],
        identites_stockees=stockees,
    )
    (p,) = [p for p in v.problemes if p.code == "demande_ambigue"]
    assert "titre (P-1, P-2, P-3, P-4, P-5) : inscrivez" in p.message


def test_feuille_vide_sans_information_de_colonnes_absentes(appel, repertoire):
    """Une feuille de demandes sans aucune ligne n'a rien à dire de ses colonnes absentes
    (région, date de dépôt, formulaire)."""
    colonnes = {"no_demande": (0, "No de demande"), "titre": (1, "Titre du projet")}
    vide = Tableau("f.xlsx", "Demandes", "demandes", 1, colonnes)
    v = verifier([FichierLu("f.xlsx", "xlsx", [vide])], appel, repertoire)
    codes = {p.code for p in v.problemes}
    assert not codes & {"region_deduite", "date_depot_absente", "formulaire_absent"}
    assert "colonne_manquante" in codes


# --- Valeurs gardées, cas limites (mutation, suite) -----------------------------------------


def test_valeurs_gardees_d_une_demande_et_de_ses_depenses(appel, repertoire):
    """Les textes gardés tels quels (nettoyés) : pays, description et catégorie telle
    qu'écrite ; un résumé fait seulement d'espaces, même long, est vide."""
    d = {**_demande_valide("T-001"), "resume": " " * 20}
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    graves = [(p.code, p.colonne) for p in v.problemes if p.severite != INFORMATION]
    assert graves == [("formulaire_incomplet", "Résumé")]  # vide : le formulaire le demande
    valeurs = v.demandes[0].valeurs
    assert (valeurs["pays"], valeurs["resume"]) == ("France", None)
    premiere = v.lignes_budget[0].valeurs
    assert (premiere["description"], premiere["categorie"], premiere["categorie_id"]) == (
        "Firme d'animation",
        DEPENSES_MUNICIPALES[0][1],
        "ressources-professionnelles",
    )


def test_siege_d_un_organisme_n_est_pas_une_mrc(appel_organisme):
    """Le siège d'un organisme est une municipalité locale : « MRC de Coaticook » n'en est
    pas une (avertissement), alors qu'une MRC peut être requérante d'un appel municipal."""
    contenu = classeur_organismes(
        _ligne_organisme("Q-1", "A", "1145678901", siege="MRC de Coaticook")
    )
    v = verifier_lot([("oci.xlsx", contenu)], appel_organisme)
    assert ("municipalite_inconnue", "Ville du siège social") in {
        (p.code, p.colonne) for p in v.problemes
    }


def test_dimension_de_32_767_caracteres_dite_coupee():
    appel = appel_avec_dimensions()
    cellule = ("Jeunesse; " * 4000)[:32_767]
    assert cellule.endswith("Jeuness")
    v = _verifier_dimensions(appel, **{"dimension:priorites": cellule})
    assert [(p.code, p.severite) for p in v.problemes if p.severite != INFORMATION] == [
        ("texte_coupe", BLOQUANT)
    ]


def test_dimension_virgule_avec_une_partie_inconnue():
    """« Jeunesse, Culture » : une partie inconnue, le morceau entier l'est (bloquant)."""
    v = _verifier_dimensions(
        appel_avec_dimensions(), **{"dimension:priorites": "Jeunesse, Culture"}
    )
    (p,) = [p for p in v.problemes if p.severite != INFORMATION]
    assert p.code == "dimension_inconnue" and "valeur « Jeunesse, Culture » inconnue" in p.message


def test_nommer_un_demandeur_sans_organisme_nomme():
    assert nommer_demandeur({"neq": "1145678901", "municipalite": "Rimouski"}) == (
        "« Rimouski » (NEQ 1145678901)"
    )


def test_numero_attribue_saute_un_numero_pris_sous_une_autre_ecriture(appel):
    """« Ａ-003 » (pleine chasse) est le numéro A-003 : le suivant de la série est A-004."""
    from evaluation.depot.validation import Enregistrement, attribuer_numeros

    d = Enregistrement({"no_demande": None}, "f.xlsx", "Demandes", 2, attribue=True)
    attribuer_numeros([d], [], appel, {}, ["A-001", "A-002", "\uff21-003"])
    assert d.no_demande == "A-004"


def test_annonce_sans_les_demandes_qui_ont_leur_numero(appel, repertoire):
    demandes = [_demande_valide("T-001"), {**_demande_valide(None), "titre": "Autre"}]
    v = _verifier_lignes(appel, repertoire, demandes, [])
    (annonce,) = [p for p in v.problemes if p.code == "numero_attribue"]
    assert "(ligne 3 → T-002)" in annonce.message and "ligne 2" not in annonce.message


@pytest.mark.parametrize(("nombre", "fin"), [(20, "→ R-20)"), (21, "→ R-20 …)")])
def test_annonce_des_demandes_reconnues_cite_vingt_lignes(appel, repertoire, nombre, fin):
    demandes = [{**_demande_valide(None), "titre": f"Projet {i:02d}"} for i in range(1, nombre + 1)]
    stockees = [_stockee(f"R-{i:02d}", titre=f"Projet {i:02d}") for i in range(1, nombre + 1)]
    v = _verifier_lignes(
        appel,
        repertoire,
        demandes,
        [],
        numeros_stockes=[s[0] for s in stockees],
        identites_stockees=stockees,
    )
    (annonce,) = [p for p in v.problemes if p.code == "numero_attribue"]
    assert f"même titre ({nombre}) : elles seront mises à jour" in annonce.message
    assert f"ligne 21 {fin}. Le numéro est annoncé" in annonce.message


def test_une_seule_colonne_du_formulaire_absente(appel, repertoire):
    colonnes = {c.cle: (j, c.entete) for j, c in enumerate(COLONNES_DEMANDES)}
    del colonnes["visibilite"]
    t = Tableau("f.xlsx", "Demandes", "demandes", 1, colonnes)
    t.enregistrements.append(_demande_valide("T-001"))
    t.supplementaires.append({})
    t.lignes.append(2)
    v = verifier([FichierLu("f.xlsx", "xlsx", [t])], appel, repertoire)
    (p,) = [p for p in v.problemes if p.code == "formulaire_absent"]
    assert p.message.startswith(
        "le formulaire de l'appel demande « Visibilité » (critère « Visibilité et "
        "rayonnement ») : colonne absente de cette feuille."
    )


def test_depense_fautive_sans_numero_ecarte_la_seule_demande(appel, repertoire):
    """Sans numéro, la dépense revient à la seule demande du fichier, même fautive : la
    demande est écartée avec elle (« lignes valides seulement »)."""
    ligne = dict(_depenses_valides(None)[0], montant=-5)
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], [ligne])
    assert v.lignes_budget[0].demande is v.demandes[0]
    assert v.selection(True) == ([], [])
    assert [d.no_demande for d in v.ecartees()] == ["T-001"]


def test_neq_en_double_nomme_l_organisme_de_la_premiere(appel_organisme):
    contenu = classeur_organismes(
        _ligne_organisme("Q-1", "Solidarité Nord-Sud", "1145678901"),
        _ligne_organisme("Q-2", "Autre nom", "1145678901", titre="Mission"),
    )
    v = verifier_lot([("oci.xlsx", contenu)], appel_organisme)
    (p,) = [p for p in v.problemes if p.code == "neq_en_double"]
    assert "« Q-1 », oci.xlsx, ligne 2 (Solidarité Nord-Sud) : un même organisme" in p.message


def test_budget_sans_colonne_annee_ni_alerte_par_ligne(appel, repertoire):
    """Sans colonne « Année » (obligatoire), la feuille est bloquée une fois ; aucune ligne
    n'est dite « année vide ». Une année ou une catégorie #N/A n'est dite qu'une fois."""
    colonnes_b = {c.cle: (j, c.entete) for j, c in enumerate(COLONNES_BUDGET) if c.cle != "annee"}
    t_b = Tableau("f.xlsx", "Budget", "budget", 1, colonnes_b)
    for i, depense in enumerate(_depenses_valides("T-001")):
        t_b.enregistrements.append({k: val for k, val in depense.items() if k != "annee"})
        t_b.supplementaires.append({})
        t_b.lignes.append(i + 2)
    colonnes_d = {c.cle: (j, c.entete) for j, c in enumerate(COLONNES_DEMANDES)}
    t_d = Tableau("f.xlsx", "Demandes", "demandes", 1, colonnes_d)
    t_d.enregistrements.append(_demande_valide("T-001"))
    t_d.supplementaires.append({})
    t_d.lignes.append(2)
    v = verifier([FichierLu("f.xlsx", "xlsx", [t_d, t_b])], appel, repertoire)
    assert [p.code for p in v.problemes if p.feuille == "Budget"] == ["colonne_manquante"]

    depenses_ = _depenses_valides("T-001")
    budget = [
        dict(depenses_[0], annee=CelluleEnErreur("#N/A")),
        dict(depenses_[1], categorie=CelluleEnErreur("#REF!")),
    ]
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], budget, True)
    assert [(p.code, p.ligne, p.colonne) for p in v.problemes if p.feuille == "Budget"] == [
        ("cellule_en_erreur", 2, "Année"),
        ("cellule_en_erreur", 3, "Catégorie de dépense"),
    ]


# --- Survivants de la campagne de mutation (issue 21, décembre) ----------------------------


def test_ecartees_par_defaut_suit_la_selection_par_defaut(appel):
    """Sans choix, `ecartees` dit ce que la sélection par défaut écarte : tout le fichier
    bloqué, ses lignes saines comprises ; « lignes valides seulement », la seule fautive."""
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "axe-inconnu")
    verification = _verifier(appel, chemin_probleme(cas))
    assert [d.no_demande for d in verification.ecartees()] == ["T-001", "T-002", "T-003"]
    assert [d.no_demande for d in verification.ecartees(True)] == ["T-002"]


def test_feuille_incomplete_n_ecarte_que_ses_lignes(appel):
    """Une feuille à qui manque une colonne obligatoire n'importe rien, même en lignes
    valides seulement ; un autre fichier, complet, s'importe à côté."""
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "colonne-manquante")
    verification = verifier_lot(
        [("c.xlsx", chemin_probleme(cas)), ("autre.xlsx", _classeur_minimal("Z-9", "Laval"))],
        appel,
    )
    gardees, _ = verification.selection(True)
    assert [d.no_demande for d in gardees] == ["Z-9"]
    assert {d.fichier for d in verification.ecartees(True)} == {"c.xlsx"}


@pytest.mark.parametrize("vide", ["", "   ", "-", None])
def test_courriel_vide_sous_toutes_ses_formes_ne_dit_rien(appel, repertoire, vide):
    """Une cellule vide (rien, des espaces, un tiret) n'est pas une adresse invalide : la
    demande s'importe sans courriel et sans avertissement."""
    v = _verifier_lignes(appel, repertoire, [dict(_demande_valide("T-001"), courriel=vide)], [])
    assert [p.code for p in v.problemes if p.severite != INFORMATION] == []
    assert v.demandes[0].valeurs["courriel"] is None


def test_probleme_signale_avant_la_lecture_des_colonnes_porte_le_numero(appel, repertoire):
    """Un caractère invisible est signalé avant que les colonnes ne soient lues : le
    problème nomme déjà la demande (« ligne 2 (demande T-001) »), en demande comme en
    dépense."""
    demande = dict(_demande_valide("T-001"), titre="Jumelage\u200b maritime")
    (depense, *autres) = _depenses_valides("T-001")
    depense = dict(depense, description="Traiteur\u200b")
    v = _verifier_lignes(appel, repertoire, [demande], [depense, *autres])
    invisibles = [p for p in v.problemes if p.code == "caracteres_invisibles"]
    assert [(p.feuille, p.no_demande) for p in invisibles] == [
        ("Demandes", "T-001"),
        ("Budget", "T-001"),
    ]


def test_region_vide_deduite_dite_si_la_colonne_est_la(appel, repertoire):
    """Une région laissée vide dans sa colonne est tirée du répertoire et le rapport le dit
    (information, à sa ligne) ; un fichier sans colonne de région le dit une fois, à la
    ligne d'en-tête, pas à chaque demande."""
    d = {**_demande_valide("T-001"), "municipalite": "Rimouski", "region": None}
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    (p,) = [p for p in v.problemes if p.code == "region_deduite"]
    assert (p.severite, p.colonne) == (INFORMATION, "Région administrative")
    assert v.demandes[0].valeurs["region"] == "01"
    sans_colonne = verifier_lot([("s.xlsx", _classeur_minimal("A-1", "Rimouski"))], appel)
    deduites = [p for p in sans_colonne.problemes if p.code.startswith("region")]
    assert [(p.code, p.ligne, p.no_demande) for p in deduites] == [("region_deduite", 1, None)]
    assert sans_colonne.demandes[0].valeurs["region"] == "01"


def test_requerante_mrc_sans_region_declaree(appel, repertoire):
    """Une MRC requérante sans région écrite prend celle du répertoire, sans contradiction."""
    d = {**_demande_valide("T-001"), "municipalite": "MRC de Coaticook", "region": None}
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    assert [p.code for p in v.problemes if p.code.startswith("region")] == []
    assert v.demandes[0].valeurs["region"] == "05"


def test_region_illisible_d_une_municipalite_inconnue_dite_une_fois(appel, repertoire):
    """Région illisible et municipalité inconnue : la cellule de région porte son problème
    (illisible, bloquant), pas en plus « région manquante »."""
    d = {**_demande_valide("T-001"), "municipalite": "Atlantide", "region": "99"}
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    region = [(p.code, p.severite) for p in v.problemes if p.colonne == "Région administrative"]
    assert len(region) == 1 and region[0][1] == BLOQUANT
    assert region[0][0] != "valeur_manquante"


def test_mrc_requerante_et_partenaires_distincts(appel, repertoire):
    """Une MRC requérante dont les partenaires sont une ville et une autre MRC : aucun
    n'est la requérante elle-même ; la MRC requérante nommée en partenaire, si."""
    d = {
        **_demande_valide("T-001"),
        "municipalite": "MRC de Coaticook",
        "region": None,
        "municipalites_partenaires": "Magog; MRC de Memphrémagog",
    }
    v = _verifier_lignes(appel, repertoire, [d], _depenses_valides("T-001"))
    assert [p for p in v.problemes if p.code == "partenaire_requerante"] == []
    assert v.demandes[0].valeurs["projet_conjoint"] is True
    elle_meme = {**d, "municipalites_partenaires": "MRC de Coaticook"}
    v = _verifier_lignes(appel, repertoire, [elle_meme], _depenses_valides("T-001"))
    assert [p.code for p in v.problemes if p.code == "partenaire_requerante"] == [
        "partenaire_requerante"
    ]


@pytest.mark.parametrize(
    ("categorie", "code", "severite", "gardee"),
    [
        ("", "valeur_manquante", BLOQUANT, None),
        ("   ", "valeur_manquante", BLOQUANT, None),
        (None, "valeur_manquante", BLOQUANT, None),
        ("Cadeaux protocolaires", "categorie_inconnue", AVERTISSEMENT, "Cadeaux protocolaires"),
    ],
)
def test_categorie_de_depense_vide_ou_inconnue(
    appel, repertoire, categorie, code, severite, gardee
):
    """Une catégorie vide manque (bloquant, « choisissez-la dans la liste du gabarit ») ;
    une catégorie hors de la liste de l'appel avertit et garde le texte écrit, pour que
    l'analyste la reclasse ; aucune des deux n'est admissible d'office."""
    (premiere, *autres) = _depenses_valides("T-001")
    budget = [dict(premiere, categorie=categorie), *autres]
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], budget)
    sur_la_categorie = [
        (p.code, p.severite, p.ligne) for p in v.problemes if p.colonne == "Catégorie de dépense"
    ]
    assert sur_la_categorie == [(code, severite, 2)]
    ligne = v.lignes_budget[0].valeurs
    assert (ligne["categorie"], ligne["categorie_id"], ligne["admissible"]) == (
        gardee,
        None,
        None,
    )


def test_montant_de_depense_memorise_distingue_les_types(appel, repertoire):
    """Comme au formulaire : 1 et une case cochée (True) se valent pour un dict, pas pour
    un montant ; la dépense cochée est refusée, la dépense de 1 $ lue, dans un même fichier."""
    (premiere, seconde, *autres) = _depenses_valides("T-001")
    budget = [dict(premiere, montant=1), dict(seconde, montant=True), *autres]
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], budget)
    assert v.lignes_budget[0].valeurs["montant"] == 100
    (p,) = [p for p in v.problemes if p.feuille == "Budget" and p.colonne == "Montant"]
    assert (p.code, p.ligne) == ("montant_illisible", 3)


def test_description_d_une_ligne_a_caractere_invisible_gardee_nettoyee(appel, repertoire):
    (premiere, *autres) = _depenses_valides("T-001")
    budget = [dict(premiere, description="Traiteur\u200b du colloque"), *autres]
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], budget)
    assert v.lignes_budget[0].valeurs["description"] == "Traiteur du colloque"


def test_colonne_du_gabarit_garde_son_sens_quand_une_dimension_porte_son_identifiant(
    repertoire,
):
    """Une dimension dont l'identifiant est aussi l'en-tête d'une colonne du gabarit
    (« courriel ») sous un autre libellé : la colonne « Courriel » du gabarit, écrite telle
    quelle, reste le courriel du demandeur ; seule une colonne qui ne l'était que par
    synonyme serait rattachée à la dimension."""
    toml = """
[[dimensions]]
id = "courriel"
libelle = "Canal de contact préféré"
valeurs = [{ id = "ecrit", libelle = "Par écrit" }, { id = "oral", libelle = "De vive voix" }]
"""
    appel = appel_depuis_toml(charger_appel().source_toml + toml, "essai")
    v = _verifier_lignes(appel, repertoire, [_demande_valide("T-001")], _depenses_valides("T-001"))
    assert [p.message for p in v.problemes if p.severite != INFORMATION] == []
    (d,) = v.demandes
    assert d.valeurs["courriel"] == _demande_valide("T-001")["courriel"]
    assert d.valeurs["dimensions"] == {"courriel": []}


def test_depense_d_une_demande_stockee_a_cote_de_demandes_sans_numero(appel, repertoire):
    """Un fichier de demandes sans numéro (numéros attribués) porte aussi une dépense d'une
    demande déjà importée, sous son numéro : la dépense garde ce numéro, rien ne bloque."""
    v = _verifier_lignes(
        appel,
        repertoire,
        [{**_demande_valide(None), "titre": "Mission à Lorient"}],
        _depenses_valides("AUTRE-99")[:1],
        numeros_stockes=["PAIVMQ-2024-012", "AUTRE-99"],
    )
    (d,) = v.demandes
    assert d.no_demande and d.no_demande not in ("AUTRE-99", "PAIVMQ-2024-012")
    (ligne,) = v.lignes_budget
    assert (ligne.demande, ligne.demande_stockee, ligne.no_demande) == (None, True, "AUTRE-99")
    assert v.sans_blocage
