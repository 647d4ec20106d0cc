"""Édition d'un appel, en règles pures : modèles livrés, TOML, copie, écarts, formulaire."""

import datetime as dt

import pytest

from evaluation.appels.configuration import appel_depuis_toml, charger_appel
from evaluation.appels.edition import (
    DOSSIER_MODELES,
    ParametresRefuses,
    cibles_depuis_lignes,
    cibles_en_lignes,
    copie,
    ecarts,
    libelle_departage,
    libelle_dimension,
    modeles_fournis,
    regles_departage_offertes,
    sections,
    tables_depuis_lignes,
    texte_en_liste,
    vers_toml,
)
from tests.appels.test_parametres import MODELES

# --- Modèles livrés, TOML ------------------------------------------------------------------


def test_modeles_livres():
    """Les modèles reconstruits d'après leur texte (détail et citations : test_modeles.py) :
    le FFQCD déclare ses cinq thèmes en dimension et clôt le 29 janvier 2021 ; QSF, sans axes
    ni secteurs, déclare trois dimensions et reçoit les demandes d'organismes."""
    modeles = modeles_fournis()
    assert list(modeles) == MODELES
    ffqcd, qsf = modeles["ffqcd-2021-2022"], modeles["qsf-modele"]
    (theme,) = ffqcd.dimensions
    assert [v.libelle for v in theme.valeurs][4] == "Rayonnement culturel et langue française"
    assert len(theme.valeurs) == 5 and theme.multiple
    assert ffqcd.date_limite == dt.date(2021, 1, 29)
    assert ffqcd.type_demandeur == "entite_municipale"
    assert qsf.axes == () and qsf.secteurs == ()
    assert [(d.id, len(d.valeurs), d.multiple) for d in qsf.dimensions] == [
        ("objectif", 4, True),  # quatre objectifs
        ("priorite-transversale", 3, True),  # trois priorités transversales
        ("type-financement", 2, False),  # mission globale ou projets ponctuels
    ]
    assert qsf.type_demandeur == "organisme"
    for modele in (ffqcd, qsf):
        assert "point de départ à adapter" in modele.description
        assert sum(modele.poids.values()) == pytest.approx(100)


@pytest.mark.parametrize("identifiant", MODELES)
def test_toml_aller_retour(identifiant):
    modele = modeles_fournis()[identifiant]
    texte = vers_toml(sections(modele))
    relu = appel_depuis_toml(texte)
    assert relu == modele
    assert sections(relu) == sections(modele)
    assert vers_toml(sections(relu)) == texte  # stable : réécrire ne change plus rien
    assert texte.index("[appel]") < texte.index("[[criteres]]") < texte.index("[[regions]]")


def test_copie_change_identite_et_garde_le_reste():
    source = charger_appel()
    nouveau = appel_depuis_toml(copie(source, "paivmq-2024-2025", "PAIVMQ 2024-2025", ""))
    assert (nouveau.id, nouveau.nom, nouveau.nom_court) == (
        "paivmq-2024-2025",
        "PAIVMQ 2024-2025",
        "paivmq-2024-2025",
    )
    assert nouveau.criteres == source.criteres and nouveau.financement == source.financement


@pytest.mark.parametrize(
    "identifiant", ["", "A", "PAIVMQ-2024", "paivmq 2024", "paivmq_2024", "é-2024", "-abc"]
)
def test_identifiant_invalide_refuse(identifiant):
    with pytest.raises(ParametresRefuses, match="identifiant"):
        copie(charger_appel(), identifiant, "Nom")


def test_nom_obligatoire():
    with pytest.raises(ParametresRefuses, match="nom"):
        copie(charger_appel(), "abc-2024", "  ")


def test_ecarts():
    ancien = charger_appel()
    d = sections(ancien)
    d["criteres"][0]["poids"] = 30
    d["criteres"][-1]["poids"] = 5
    d["financement"]["enveloppe"] = [800000, 500000]
    e = ecarts(ancien, appel_depuis_toml(vers_toml(d)))
    assert e.structure == ()
    assert e.poids == {"pertinence": (25, 30), "visibilite": (10, 5)}
    assert e.sections == ("criteres", "financement")
    d["evaluation"]["pas"] = 1.0
    d["criteres"][1]["libelle"] = "Autre"
    e = ecarts(ancien, appel_depuis_toml(vers_toml(d)))
    assert len(e.structure) == 2 and "échelle" in e.structure[1]


# --- Le formulaire --------------------------------------------------------------------------


def test_tables_depuis_lignes():
    lignes = [
        {"id": " a ", "poids": "25", "alias": "x ; y;", "plafonnee": True, "minimum": None},
        {"id": "b", "poids": 12.5, "alias": "", "plafonnee": False, "minimum": float("nan")},
        {"id": None, "poids": None, "alias": None, "plafonnee": False, "minimum": None},
        {"id": "c", "poids": "douze", "alias": None, "plafonnee": None, "minimum": "3,5"},
    ]
    assert tables_depuis_lignes(
        lignes, reels=("poids", "minimum"), listes=("alias",), booleens=("plafonnee",)
    ) == [
        {"id": "a", "poids": 25, "alias": ["x", "y"], "plafonnee": True},
        {"id": "b", "poids": 12.5},
        {"id": "c", "poids": "douze", "minimum": 3.5},  # « douze » : la validation le nommera
    ]
    assert texte_en_liste(None) == [] and texte_en_liste("a;;b") == ["a", "b"]


def test_cibles_en_lignes_puis_relues_a_l_identique():
    """Issue 19 : l'éditeur montre des cases vides (pas « None ») et « Chacune » pour « * » ;
    relues sans changement, les cibles sont les mêmes."""
    cibles = [
        {"dimension": "axe", "valeur": "*", "part_min": 20},
        {"dimension": "region", "valeur": "*", "part_max": 33.5, "nombre_max": 3},
        {"dimension": "axe", "valeur": 2, "nombre_min": 1},
    ]
    lignes = cibles_en_lignes(cibles)
    assert lignes[0] == {
        "dimension": "axe",
        "valeur": "Chacune",
        "part_min": "20",
        "part_max": "",
        "nombre_min": "",
        "nombre_max": "",
    }
    assert lignes[1]["part_max"] == "33,5"
    assert cibles_depuis_lignes(lignes) == cibles


def test_departage_et_dimensions_en_libelles():
    criteres = [{"id": "pertinence", "libelle": "Pertinence et retombées"}]
    assert libelle_departage("critere:pertinence", criteres) == (
        "Note en « Pertinence et retombées »"
    )
    assert libelle_departage("financement_externe", criteres) == "Financement externe"
    assert libelle_departage("inconnue", criteres) == "inconnue"
    assert regles_departage_offertes(["projet_conjoint"], criteres) == [
        "projet_conjoint",
        "critere:pertinence",
        "part_financement_propre",
        "financement_externe",
        "no_demande",
    ]
    declarees = [{"id": "priorites", "libelle": "Priorités transversales"}]
    assert libelle_dimension("region", declarees) == "Région"
    assert libelle_dimension("priorites", declarees) == "Priorités transversales"


def test_cibles_depuis_lignes_gardent_les_codes_de_region():
    assert cibles_depuis_lignes(
        [
            {"dimension": "axe", "valeur": "2", "part_min": 20.0, "nombre_max": None},
            {"dimension": "region", "valeur": "01", "part_max": 35, "nombre_max": 3.0},
            {"dimension": "secteur", "valeur": "*", "part_min": None, "nombre_min": 1},
        ]
    ) == [
        {"dimension": "axe", "valeur": 2, "part_min": 20},
        {"dimension": "region", "valeur": "01", "part_max": 35, "nombre_max": 3},
        {"dimension": "secteur", "valeur": "*", "nombre_min": 1},
    ]


def test_toml_aller_retour_avec_demandeur_et_dimensions():
    """Issue 18 : [demandeur] et [[dimensions]] (et leurs [[dimensions.valeurs]]) survivent à
    la réécriture de la page Paramètres."""
    from tests.appels.test_configuration import DIMENSIONS, TOML

    appel = appel_depuis_toml(TOML + DIMENSIONS)
    texte = vers_toml(sections(appel))
    assert "[[dimensions.valeurs]]" in texte and "[demandeur]" in texte
    relu = appel_depuis_toml(texte)
    assert relu == appel
    assert vers_toml(sections(relu)) == texte


@pytest.mark.parametrize("modele", ["qsf-modele", "ffqcd-2021-2022"])
def test_toml_aller_retour_garde_les_champs_des_criteres(modele):
    """Issue 18 : `[[criteres]] champs` (ce que le formulaire demande) survit à la réécriture
    de la page Paramètres, avec sa source."""
    appel = charger_appel(DOSSIER_MODELES / f"{modele}.toml")
    assert any(c.champs for c in appel.criteres)
    texte = vers_toml(sections(appel))
    assert "champs = [" in texte
    relu = appel_depuis_toml(texte)
    assert relu == appel
    assert [c.champs for c in relu.criteres] == [c.champs for c in appel.criteres]
    assert any(s.chemin.endswith(".champs") for s in relu.sources)
