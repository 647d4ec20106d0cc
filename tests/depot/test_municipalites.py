"""Le répertoire des municipalités et la reconnaissance des noms saisis."""

import pytest


def test_repertoire_complet(repertoire):
    assert len(repertoire.municipalites) == 1123
    assert {m.region_code for m in repertoire.municipalites} == {f"{i:02d}" for i in range(1, 18)}
    assert sum(m.population for m in repertoire.municipalites) == 8_995_686


@pytest.mark.parametrize(
    ("saisie", "nom", "region"),
    [
        ("Rimouski", "Rimouski", "01"),
        ("RIMOUSKI", "Rimouski", "01"),
        ("Montreal", "Montréal", "06"),
        ("Ville de Québec", "Québec", "03"),
        ("Ville-Marie", "Ville-Marie", "08"),
        ("St-Jean-sur-Richelieu", "Saint-Jean-sur-Richelieu", "16"),
        ("Saint Jean sur Richelieu", "Saint-Jean-sur-Richelieu", "16"),
        ("Métabetchouan–Lac-à-la-Croix", "Métabetchouan–Lac-à-la-Croix", "02"),
        ("metabetchouan--lac-a-la-croix", "Métabetchouan–Lac-à-la-Croix", "02"),
        ("Municipalité de Sainte-Anne-des-Plaines", "Sainte-Anne-des-Plaines", "15"),
        ("Canton de Hatley", "Hatley", "05"),
        ("Sherbrooke (V)", "Sherbrooke", "05"),
        ("Sherbrooke, Ville de", "Sherbrooke", "05"),
        ("Saint-Lambert (V)", "Saint-Lambert", "16"),
        ("Hatley (CT)", "Hatley", "05"),
    ],
)
def test_nom_reconnu(repertoire, saisie, nom, region):
    trouvee = repertoire.reconnaitre(saisie).municipalite
    assert trouvee is not None
    assert (trouvee.nom_affiche, trouvee.region_code) == (nom, region)


def test_homonymes_departages_par_la_region(repertoire):
    assert repertoire.reconnaitre("Saint-Lambert").municipalite is None
    assert len(repertoire.reconnaitre("Saint-Lambert").ambigues) == 2
    assert repertoire.reconnaitre("Saint-Lambert", "16").municipalite.designation == "Ville"
    assert repertoire.reconnaitre("Saint-Lambert", "08").municipalite.designation == "Paroisse"


def test_nom_proche_suggere(repertoire):
    r = repertoire.reconnaitre("Sherbroke")
    assert r.municipalite is None
    assert r.suggestion == "Sherbrooke"


def test_nom_inconnu_sans_suggestion_farfelue(repertoire):
    r = repertoire.reconnaitre("Gotham City")
    assert r.municipalite is None and r.suggestion is None
