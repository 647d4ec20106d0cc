"""Les demandes en tableau (evaluation/sorties/tableaux.py) : texte neutre pour un fichier,
valeurs lisibles pour une personne, tableau aligné pour un terminal. La neutralisation des
formules du CSV est dans test_neutralisation.py."""

import datetime as dt
import math

import pandas as pd
import pytest

from evaluation.depot.gabarit import COLONNES_DEMANDES, LIBELLES_CHAMPS
from evaluation.socle.champs import CHAMPS_MONTANT
from evaluation.sorties.tableaux import (
    CLES_APERCU,
    CLES_SORTIE,
    demandes_pour_fichier,
    demandes_pour_personne,
    en_texte,
    valeur_lisible,
)

NBSP = "\u00a0"
REGIONS = {"16": "Montérégie", "01": "Bas-Saint-Laurent"}


def test_cles_de_sortie_suivent_le_gabarit():
    """Un fichier exporté se relit par le gabarit : ses colonnes, dans son ordre, puis les
    deux champs calculés ; l'aperçu n'en montre qu'une partie."""
    gabarit = [c.cle for c in COLONNES_DEMANDES]
    assert [*gabarit, "code_geographique", "projet_conjoint"] == CLES_SORTIE
    assert set(CLES_APERCU) <= set(CLES_SORTIE)
    assert all(c in LIBELLES_CHAMPS for c in CLES_APERCU)


# --- pour un fichier -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cle, valeur, attendu",
    [
        ("cout_total", 2_500_050, "25000.50"),
        ("montant_demande_an1", 2_000_000.0, "20000.00"),
        ("contribution_demandeur", -150, "-1.50"),
        ("montant_demande_an2", 0, "0.00"),
        ("cout_total", None, ""),
        ("cout_total", math.nan, ""),
        ("titre", None, ""),
        ("projet_conjoint", True, "oui"),
        ("dossier_complet", False, "non"),
        ("date_debut", dt.date(2024, 4, 1), "2024-04-01"),
        ("date_fin", pd.Timestamp("2025-03-31 17:45"), "2025-03-31"),
        ("date_fin", dt.datetime(2025, 3, 31, 8, 0), "2025-03-31"),
        ("axe", 2.0, "2"),
        ("axe", 2.5, "2.5"),
        ("axe", 3, "3"),
        ("region", "07", "07"),
        ("titre", "Jumelage Rimouski–Brest", "Jumelage Rimouski–Brest"),
    ],
)
def test_cellule_pour_fichier(cle, valeur, attendu):
    table = pd.DataFrame({cle: pd.Series([valeur], dtype=object)})
    assert demandes_pour_fichier(table, [cle]).loc[0, cle] == attendu


def test_demandes_pour_fichier_colonnes_choisies_en_texte():
    """Colonnes dans l'ordre demandé (les autres omises) ; une colonne entière lue par pandas
    (entiers, dates, booléens, montants avec un vide) donne du texte, jamais NaN ni 1.0."""
    table = pd.DataFrame(
        {
            "no_demande": ["A-1", "A-2"],
            "axe": [1, 2],
            "montant_demande_an2": [1_000_000, None],
            "date_debut": pd.to_datetime(["2024-04-01", "2024-09-15"]),
            "projet_conjoint": [True, False],
            "titre": ["ignoré", "ignoré"],
        }
    )
    cles = ["projet_conjoint", "no_demande", "montant_demande_an2", "date_debut", "axe"]
    sortie = demandes_pour_fichier(table, cles)
    assert list(sortie.columns) == cles
    assert sortie.to_dict("records") == [
        {
            "projet_conjoint": "oui",
            "no_demande": "A-1",
            "montant_demande_an2": "10000.00",
            "date_debut": "2024-04-01",
            "axe": "1",
        },
        {
            "projet_conjoint": "non",
            "no_demande": "A-2",
            "montant_demande_an2": "",
            "date_debut": "2024-09-15",
            "axe": "2",
        },
    ]
    assert all(sortie[c].dtype == object for c in cles)


def test_demandes_pour_fichier_colonnes_nullables_de_pandas():
    """Une colonne « boolean » ou « Int64 » livre des scalaires numpy (np.True_ n'est pas un
    bool) : la table passe par des objets Python et donne « oui », pas « True »."""
    table = pd.DataFrame(
        {
            "projet_conjoint": pd.array([True, False], dtype="boolean"),
            "cout_total": pd.array([2_500_050, 100], dtype="Int64"),
        }
    )
    sortie = demandes_pour_fichier(table, ["projet_conjoint", "cout_total"])
    assert sortie["projet_conjoint"].tolist() == ["oui", "non"]
    assert sortie["cout_total"].tolist() == ["25000.50", "1.00"]


def test_demandes_pour_fichier_par_defaut_toutes_les_cles_de_sortie():
    table = pd.DataFrame({cle: [None] for cle in CLES_SORTIE})
    table.loc[0, "no_demande"] = "A-1"
    sortie = demandes_pour_fichier(table)
    assert list(sortie.columns) == CLES_SORTIE
    assert sortie.loc[0, "no_demande"] == "A-1" and sortie.loc[0, "cout_total"] == ""


# --- pour une personne -----------------------------------------------------------------


@pytest.mark.parametrize(
    "cle, valeur, attendu",
    [
        ("cout_total", 2_500_000, f"25{NBSP}000{NBSP}$"),
        ("montant_demande_an1", 2_500_050, f"25{NBSP}000,50{NBSP}$"),
        ("montant_demande_an2", 1_800_000.0, f"18{NBSP}000{NBSP}$"),
        ("cout_total", None, ""),
        ("cout_total", math.nan, ""),
        ("projet_conjoint", True, "oui"),
        ("engagement_rapport", False, "non"),
        ("date_debut", dt.date(2024, 4, 1), "1er avril 2024"),
        ("date_fin", dt.date(2025, 3, 31), "31 mars 2025"),
        ("date_fin", pd.Timestamp("2025-03-02 09:30"), "2 mars 2025"),
        ("axe", 2.0, "2"),
        ("titre", "Jumelage", "Jumelage"),
    ],
)
def test_valeur_lisible(cle, valeur, attendu):
    assert valeur_lisible(cle, valeur) == attendu


def test_region_nommee_seulement_quand_le_code_est_connu():
    assert valeur_lisible("region", "16", REGIONS) == "16 – Montérégie"
    assert valeur_lisible("region", "99", REGIONS) == "99"
    assert valeur_lisible("region", "16") == "16"
    assert valeur_lisible("region", "16", {}) == "16"
    assert valeur_lisible("municipalite", "16", REGIONS) == "16", "seule la région est nommée"


def test_demandes_pour_personne_entetes_du_gabarit():
    valeurs = [
        {"no_demande": "A-1", "region": "16", "cout_total": 2_500_000, "projet_conjoint": True},
        {"no_demande": "A-2", "region": "01"},
    ]
    cles = ["no_demande", "region", "cout_total", "projet_conjoint", "note_maison"]
    sortie = demandes_pour_personne(valeurs, cles, REGIONS)
    assert list(sortie.columns) == [
        "No de demande",
        "Région administrative",
        "Coût total du projet",
        "Projet conjoint",
        "note_maison",
    ]
    assert sortie.to_dict("records") == [
        {
            "No de demande": "A-1",
            "Région administrative": "16 – Montérégie",
            "Coût total du projet": f"25{NBSP}000{NBSP}$",
            "Projet conjoint": "oui",
            "note_maison": "",
        },
        {
            "No de demande": "A-2",
            "Région administrative": "01 – Bas-Saint-Laurent",
            "Coût total du projet": "",
            "Projet conjoint": "",
            "note_maison": "",
        },
    ]


def test_demandes_pour_personne_par_defaut_l_apercu():
    sortie = demandes_pour_personne([{"montant_demande_an1": 100}])
    assert list(sortie.columns) == [LIBELLES_CHAMPS[c] for c in CLES_APERCU]
    assert sortie.loc[0, LIBELLES_CHAMPS["montant_demande_an1"]] == f"1{NBSP}$"
    assert set(CHAMPS_MONTANT) & set(CLES_APERCU), "l'aperçu montre des montants"


# --- pour un terminal ------------------------------------------------------------------


def test_en_texte_aligne_a_gauche_et_montants_a_droite():
    table = pd.DataFrame(
        {"No": ["A-1", "B-22"], "Montant": ["5 $", "1 250 $"], "Titre": ["Long titre", "x"]}
    )
    assert en_texte(table, a_droite=("Montant",)).splitlines() == [
        "No    Montant  Titre",
        "A-1       5 $  Long titre",
        "B-22  1 250 $  x",
    ]


def test_en_texte_largeur_d_apres_l_entete_ou_la_plus_longue_valeur():
    table = pd.DataFrame({"Rang": [1, 10], "Note": [7.5, 10.0], "Nom": ["a", "b"]})
    assert en_texte(table, a_droite=("Rang", "Note")) == (
        "Rang  Note  Nom\n   1   7.5  a\n  10  10.0  b"
    )


def test_en_texte_sans_espaces_en_fin_de_ligne():
    table = pd.DataFrame({"Titre": ["court", "beaucoup plus long"], "Fin": ["", ""]})
    lignes = en_texte(table).splitlines()
    assert lignes == ["Titre               Fin", "court", "beaucoup plus long"]


def test_en_texte_tableau_vide_garde_les_entetes():
    assert en_texte(pd.DataFrame({"No": [], "Titre": []})) == "No  Titre"


def test_cles_sortie_selon_le_demandeur(appel, appel_organisme):
    """Le fichier des demandes d'un appel d'organismes porte leur nom et leur NEQ, et pas de
    municipalités partenaires ; celui d'un appel municipal ne change pas."""
    from evaluation.sorties.tableaux import CLES_SORTIE, cles_sortie

    assert cles_sortie(appel) == cles_sortie() == CLES_SORTIE
    organismes = cles_sortie(appel_organisme)
    assert organismes[:5] == ["no_demande", "organisme", "neq", "municipalite", "region"]
    assert "municipalites_partenaires" not in organismes


def test_apercu_d_organismes(appel_organisme):
    from evaluation.sorties.tableaux import cles_apercu, demandes_pour_personne

    apercu = demandes_pour_personne(
        [{"no_demande": "Q-1", "organisme": "Carrefour", "municipalite": "Rimouski"}],
        cles_apercu(appel_organisme),
        appel=appel_organisme,
    )
    assert list(apercu.columns[:3]) == [
        "No de demande",
        "Organisme requérant",
        "Municipalité du siège",
    ]
    assert apercu.iloc[0, 1] == "Carrefour"
