"""Comparaison de libellés saisis à la main."""

import pytest

from evaluation.socle.texte import (
    cle_nom_propre,
    liste,
    nettoyer,
    normaliser,
    normaliser_entete,
    suggerer,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Saint-Jean--sur-Richelieu", "saint jean sur richelieu"),
        ("Montérégie", "MONTEREGIE"),
        ("Cœur", "coeur"),
        ("  Titre\u00a0du   projet ", "titre du projet"),
    ],
)
def test_normaliser_confond(a, b):
    assert normaliser(a) == normaliser(b)


def test_normaliser_entete_ignore_unites():
    assert normaliser_entete("Coût total du projet ($)") == "cout total du projet"
    assert normaliser_entete("Montant [CAD]") == "montant"


def test_cle_nom_propre_developpe_les_abreviations():
    assert cle_nom_propre("St-Georges") == cle_nom_propre("Saint-Georges")
    assert cle_nom_propre("Ste-Julie") == cle_nom_propre("Sainte-Julie")


def test_nettoyer():
    assert nettoyer(12.0) == "12"
    assert nettoyer(None) == ""
    assert nettoyer(" a \u202f b ") == "a b"


def test_liste():
    assert liste("Magog; Orford ;\nEastman") == ["Magog", "Orford", "Eastman"]
    assert liste("") == []


def test_suggerer():
    assert suggerer("Sherbroke", ["Sherbrooke", "Magog"]) == "Sherbrooke"
    assert suggerer("zzz", ["Sherbrooke"]) is None
