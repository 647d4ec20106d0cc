"""Le rapport en texte de la ligne de commande (evaluation/depot/rapport.py), sur des
vérifications et des importations construites à la main : chaque regroupement, tri, compte
et accord se lit dans le texte."""

import pytest

from evaluation.depot.rapport import (
    compter,
    problemes_par_fichier,
    resume_fichier,
    resume_importation,
    texte_importation,
    texte_verification,
)
from evaluation.depot.validation import Enregistrement, Verification
from evaluation.depot.verification import Changement, RapportImportation
from evaluation.socle.probleme import AVERTISSEMENT, BLOQUANT, INFORMATION, REFUS, Probleme


def _demande(fichier: str, no: str, ligne: int, feuille: str = "Demandes") -> Enregistrement:
    return Enregistrement({"no_demande": no}, fichier, feuille, ligne)


def _budget(demande: Enregistrement, ligne: int, feuille: str = "Budget") -> Enregistrement:
    return Enregistrement(dict(demande.valeurs), demande.fichier, feuille, ligne, demande=demande)


@pytest.fixture
def lot() -> Verification:
    """a.xlsx : deux demandes dont une bloquée, deux lignes de budget, deux avertissements ;
    b.xlsx : une demande propre ; c.pdf refusé ; d.xlsx sans rien ; une information du lot."""
    a1, a2 = _demande("a.xlsx", "A-1", 2), _demande("a.xlsx", "A-2", 3)
    b1 = _demande("b.xlsx", "B-1", 2)
    budget_a1, budget_a2 = _budget(a1, 2), _budget(a2, 3)
    # Signalés dans le désordre : le rapport remet Demandes avant Budget.
    budget_a1.signaler("montant", "m", "montant élevé", AVERTISSEMENT)
    a2.signaler("axe", "axe_inconnu", "axe « 7 » inconnu", BLOQUANT)
    a1.signaler("titre", "t", "titre long", AVERTISSEMENT)
    return Verification(
        [a1, a2, b1],
        [budget_a1, budget_a2],
        [
            Probleme("c.pdf", "pdf", "c'est un document PDF", REFUS),
            Probleme("", "lot", "lot sans fichier de budget", INFORMATION),
        ],
        ["a.xlsx", "b.xlsx", "c.pdf", "d.xlsx"],
    )


# --- problemes_par_fichier : regroupement et ordre --------------------------------------


def test_problemes_groupes_par_fichier_puis_par_gravite(lot):
    groupes = problemes_par_fichier(lot)
    assert list(groupes) == ["a.xlsx", "b.xlsx", "c.pdf", "d.xlsx", "(lot)"]
    assert {g: len(p) for g, p in groupes["a.xlsx"].items()} == {BLOQUANT: 1, AVERTISSEMENT: 2}
    assert not groupes["b.xlsx"] and not groupes["d.xlsx"], "fichier sans problème : listé, vide"
    assert [p.code for p in groupes["c.pdf"][REFUS]] == ["pdf"]
    assert [p.code for p in groupes["(lot)"][INFORMATION]] == ["lot"]


def test_demandes_avant_budget_puis_ordre_des_lignes():
    """Budget vient après Demandes quoique premier dans l'alphabet, « BUDGET détaillé » aussi
    (sans égard à la casse) ; chaque feuille reste groupée, ses lignes dans l'ordre des nombres
    (9 avant 10), puis des colonnes ; un problème sans feuille vient en tête."""
    problemes = [
        Probleme("f.xlsx", "x", "b10", AVERTISSEMENT, "Budget", 10, "A"),
        Probleme("f.xlsx", "x", "bd", AVERTISSEMENT, "BUDGET détaillé", 20, "A"),
        Probleme("f.xlsx", "x", "d10", AVERTISSEMENT, "Demandes", 10, "A"),
        Probleme("f.xlsx", "x", "b9", AVERTISSEMENT, "Budget", 9, "A"),
        Probleme("f.xlsx", "x", "d9B", AVERTISSEMENT, "Demandes", 9, "B"),
        Probleme("f.xlsx", "x", "d9A", AVERTISSEMENT, "Demandes", 9, "A"),
        Probleme("f.xlsx", "x", "fichier", AVERTISSEMENT),
    ]
    verification = Verification([], [], problemes, ["f.xlsx"])
    ordre = problemes_par_fichier(verification)["f.xlsx"][AVERTISSEMENT]
    assert [p.message for p in ordre] == ["fichier", "d9A", "d9B", "d10", "bd", "b9", "b10"]


# --- resume_fichier et compter ---------------------------------------------------------


def test_resume_compte_les_demandes_et_lignes_du_seul_fichier(lot):
    groupes = problemes_par_fichier(lot)
    assert (
        resume_fichier(lot, "a.xlsx", groupes["a.xlsx"])
        == "2 demandes · 2 lignes de budget · 1 problème bloquant · 2 avertissements"
    )
    assert resume_fichier(lot, "b.xlsx", groupes["b.xlsx"]) == "1 demande · 0 ligne de budget"
    assert resume_fichier(lot, "c.pdf", groupes["c.pdf"]) == "fichier refusé"
    assert (
        resume_fichier(lot, "(lot)", groupes["(lot)"])
        == "0 demande · 0 ligne de budget · 1 information"
    )


def test_resume_gravites_dans_l_ordre_et_au_pluriel():
    problemes = [
        Probleme("f.xlsx", "i", "i", INFORMATION),
        Probleme("f.xlsx", "i", "i", INFORMATION),
        Probleme("f.xlsx", "a", "a", AVERTISSEMENT),
        Probleme("f.xlsx", "b", "b", BLOQUANT),
        Probleme("f.xlsx", "b", "b", BLOQUANT),
    ]
    verification = Verification([], [], problemes, ["f.xlsx"])
    groupes = problemes_par_fichier(verification)
    assert resume_fichier(verification, "f.xlsx", groupes["f.xlsx"]) == (
        "0 demande · 0 ligne de budget · 2 problèmes bloquants · 1 avertissement · 2 informations"
    )


def test_refus_l_emporte_sur_le_reste_du_resume():
    d = _demande("f.xlsx", "F-1", 2)
    d.signaler("axe", "b", "b", BLOQUANT)
    verification = Verification([d], [], [Probleme("f.xlsx", "r", "illisible", REFUS)], ["f.xlsx"])
    groupes = problemes_par_fichier(verification)
    assert resume_fichier(verification, "f.xlsx", groupes["f.xlsx"]) == "fichier refusé"


def test_compter_chaque_gravite_meme_absente(lot):
    assert compter(lot) == {REFUS: 1, BLOQUANT: 1, AVERTISSEMENT: 2, INFORMATION: 1}
    assert compter(Verification([], [], [], [])) == {
        REFUS: 0,
        BLOQUANT: 0,
        AVERTISSEMENT: 0,
        INFORMATION: 0,
    }


# --- texte_verification ----------------------------------------------------------------

ENTETE_LOT = """\
a.xlsx : 2 demandes · 2 lignes de budget · 1 problème bloquant · 2 avertissements
  Bloquant (1)
    - feuille Demandes, ligne 3 (demande A-2), colonne « axe » : axe « 7 » inconnu
  Avertissement (2)
    - feuille Demandes, ligne 2 (demande A-1), colonne « titre » : titre long
    - feuille Budget, ligne 2 (demande A-1), colonne « montant » : montant élevé
b.xlsx : 1 demande · 0 ligne de budget
c.pdf : fichier refusé
  Fichier refusé (1)
    - c'est un document PDF
d.xlsx : 0 demande · 0 ligne de budget
(lot) : 0 demande · 0 ligne de budget · 1 information
  Information (1)
    - lot sans fichier de budget
"""


def test_texte_verification_complet(lot):
    """Un fichier bloqué n'importe rien : seule B-1 est importable, A-1 et A-2 écartées."""
    assert texte_verification(lot) == ENTETE_LOT + (
        "Bilan : 1 demande importable, 2 écartées ; 1 fichier refusé, 1 problème bloquant, "
        "2 avertissements.\n"
        "Les fichiers refusés n'ont pas été lus et ne sont pas importés.\n"
        "Les fichiers qui portent un problème bloquant ne sont pas importés : corrigez-les, "
        "ou importez seulement leurs lignes valides (option --lignes-valides)."
    )


def test_texte_verification_lignes_valides_seulement(lot):
    """A-1 (avertissement seulement) est gardée, et le conseil --lignes-valides disparaît."""
    assert texte_verification(lot, lignes_valides_seulement=True) == ENTETE_LOT + (
        "Bilan : 2 demandes importables, 1 écartée ; 1 fichier refusé, 1 problème bloquant, "
        "2 avertissements.\n"
        "Les fichiers refusés n'ont pas été lus et ne sont pas importés."
    )


def test_texte_verification_sans_probleme():
    d1, d2 = _demande("v.xlsx", "V-1", 2), _demande("v.xlsx", "V-2", 3)
    verification = Verification([d1, d2], [_budget(d1, 2)], [], ["v.xlsx"])
    assert texte_verification(verification) == (
        "v.xlsx : 2 demandes · 1 ligne de budget\n"
        "Bilan : 2 demandes importables, 0 écartée ; 0 fichier refusé, 0 problème bloquant, "
        "0 avertissement."
    )


def test_chaque_phrase_finale_a_sa_cause():
    """Un refus seul n'appelle pas le conseil --lignes-valides ; un bloquant seul ne parle pas
    de fichier refusé."""
    refus = Verification([], [], [Probleme("r.pdf", "pdf", "PDF", REFUS)], ["r.pdf"])
    assert texte_verification(refus).splitlines()[-2:] == [
        "Bilan : 0 demande importable, 0 écartée ; 1 fichier refusé, 0 problème bloquant, "
        "0 avertissement.",
        "Les fichiers refusés n'ont pas été lus et ne sont pas importés.",
    ]
    d = _demande("b.xlsx", "B-1", 2)
    d.signaler("axe", "axe_inconnu", "axe inconnu", BLOQUANT)
    bloque = Verification([d], [], [], ["b.xlsx"])
    assert texte_verification(bloque).splitlines()[-2:] == [
        "Bilan : 0 demande importable, 1 écartée ; 0 fichier refusé, 1 problème bloquant, "
        "0 avertissement.",
        "Les fichiers qui portent un problème bloquant ne sont pas importés : corrigez-les, "
        "ou importez seulement leurs lignes valides (option --lignes-valides).",
    ]


def test_probleme_sans_emplacement_sans_deux_points_initiaux():
    verification = Verification(
        [], [], [Probleme("v.xlsx", "x", "feuille Budget absente", AVERTISSEMENT)], ["v.xlsx"]
    )
    assert "\n    - feuille Budget absente\n" in texte_verification(verification)


# --- resume_importation et texte_importation -------------------------------------------


def test_resume_importation_au_pluriel():
    rapport = RapportImportation(
        7,
        1,
        4,
        creees=["A-1", "A-2", "A-3"],
        mises_a_jour=[Changement("B-1", []), Changement("B-2", [])],
        inchangees=["C-1", "C-2"],
        ecartees=["D-1", "D-2"],
        nb_lignes_budget=8,
    )
    assert resume_importation(rapport) == (
        "3 demandes créées, 2 mises à jour, 2 inchangées, 2 écartées ; 8 lignes de budget écrites"
    )


def test_resume_importation_au_singulier():
    rapport = RapportImportation(
        1, 0, 1, creees=["A-1"], mises_a_jour=[Changement("B-1", [])], inchangees=["C-1"]
    )
    rapport.ecartees, rapport.nb_lignes_budget = ["D-1"], 1
    assert resume_importation(rapport) == (
        "1 demande créée, 1 mise à jour, 1 inchangée, 1 écartée ; 1 ligne de budget écrite"
    )


def test_texte_importation_detaille_changements_et_ecartees():
    rapport = RapportImportation(
        12,
        3,
        4,
        creees=["A-9"],
        mises_a_jour=[
            Changement("B-1", ["Titre : ancien → nouveau", "Axe : 1 → 2"]),
            Changement("B-2", ["Budget : 2 lignes → 3 lignes"]),
        ],
        ecartees=["T-002 (bloquant)", "T-003 (retirée : désistement)"],
        nb_lignes_budget=5,
        lignes_valides_seulement=True,
    )
    assert texte_importation(rapport) == (
        "Importation n° 12 : 1 demande créée, 2 mises à jour, 0 inchangée, 2 écartées ; "
        "5 lignes de budget écrites.\n"
        "Demandes stockées pour l'appel : 3 avant, 4 après.\n"
        "Choix enregistré : seules les lignes valides ont été importées.\n"
        "  B-1 :\n"
        "    - Titre : ancien → nouveau\n"
        "    - Axe : 1 → 2\n"
        "  B-2 :\n"
        "    - Budget : 2 lignes → 3 lignes\n"
        "Écartées : T-002 (bloquant), T-003 (retirée : désistement)"
    )


def test_texte_importation_simple_sans_sections_vides():
    rapport = RapportImportation(2, 0, 3, creees=["A-1", "A-2", "A-3"], nb_lignes_budget=6)
    assert texte_importation(rapport) == (
        "Importation n° 2 : 3 demandes créées, 0 mise à jour, 0 inchangée, 0 écartée ; "
        "6 lignes de budget écrites.\n"
        "Demandes stockées pour l'appel : 0 avant, 3 après."
    )


def test_texte_importation_annonce_les_numeros_attribues():
    """Le numéro que l'importation attribue (le ministère numérote) est annoncé, avec le
    titre, le fichier et la ligne ; une demande reconnue (même demandeur, même titre) l'est
    aussi, mise à jour et non copiée."""
    rapport = RapportImportation(
        7,
        1,
        2,
        creees=["P-002"],
        inchangees=["P-001"],
        numeros_attribues=["P-002 : « Mission » (a.xlsx, ligne 4)"],
        reconnues=["P-001 : « Jumelage » (a.xlsx, ligne 3)"],
    )
    texte = texte_importation(rapport)
    assert (
        "Numéro attribué à l'importation (le fichier n'en donnait pas) : "
        "P-002 : « Mission » (a.xlsx, ligne 4)."
    ) in texte
    assert "reconnue comme déjà importée (même demandeur, même titre)" in texte
    assert "P-001 : « Jumelage » (a.xlsx, ligne 3)." in texte
    assert "Numéro attribué" not in texte_importation(RapportImportation(8, 0, 1, creees=["X"]))
