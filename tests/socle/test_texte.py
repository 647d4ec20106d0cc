"""Comparaison de libellés saisis à la main."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.socle import texte
from evaluation.socle.texte import (
    cle_nom_propre,
    liste,
    nettoyer,
    normaliser,
    normaliser_entete,
    ordinaire,
    suggerer,
    suspect,
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


# Des caractères ordinaires et, mêlés, ceux que la voie rapide doit laisser à la voie lente :
# invisibles, forçages de direction, sosies, contrôles, espaces rares, marques combinantes
# (NFC), caractères hors du plan de base, singletons NFC (U+2000), U+2800.
_ALPHABET = (
    "aé ÉœÇ\t\n\r-–’«»…€\u00a0\u202f\u2000\u2028"
    "\u00ad\u200b\u200e\u202e\u2066\ufeff\u034f\u3164\ufe0f\U000e0041\U000e0101"
    "аΟѕ\x00\x1f\x7f\x85\u0301\u2800\u205f\u3000\U0001f600"
)


def _nettoyer_lent(valeur: str) -> str:
    """La définition de `nettoyer` pour un texte, sans voie rapide."""
    return texte._ESPACES.sub(" ", texte.visible(texte._CONTROLES.sub("", valeur))).strip()


# Des caractères ordinaires seulement, espaces de toutes sortes comprises : la voie rapide.
_ORDINAIRES = "aé É-’«€  \t\n\r\u00a0\u202f\u2009\u2028"


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=_ALPHABET, max_size=30)
    | st.text(alphabet=_ORDINAIRES, max_size=12)
    | st.text(max_size=30)
)
def test_voie_rapide_de_nettoyer_et_suspect_egale_la_voie_lente(valeur):
    assert nettoyer(valeur) == _nettoyer_lent(valeur)
    assert nettoyer(valeur * 5) == _nettoyer_lent(valeur * 5)  # long : hors du cache
    assert suspect(valeur) == (texte._SUSPECT.search(valeur) is not None)


@pytest.mark.parametrize(
    "valeur",
    ["a  b", " é", "é ", "a b", "é\u00a0b", "a\tb", "a\nb ", "  ", "é\u2028", "Cœur « x »"],
)
def test_espaces_d_un_texte_ordinaire(valeur):
    """Espaces doublées, en tête, en fin, insécables, tabulations : la voie rapide les traite
    comme la voie lente ; un texte déjà propre est rendu sans copie."""
    assert nettoyer(valeur) == _nettoyer_lent(valeur)
    assert nettoyer(valeur * 30) == _nettoyer_lent(valeur * 30)  # long : hors du cache
    propre = "Résumé « du » projet – l’été"
    assert texte.nettoyer_ordinaire(propre) is propre


@pytest.mark.parametrize(
    "hors", ["\u00ad", "\u200b", "\u200e", "\u202e", "\u2066", "\ufeff", "\u034f", "а", "\x00"]
)
def test_un_invisible_ou_un_sosie_n_est_jamais_ordinaire(hors):
    assert ordinaire("Résumé « du » projet – 25 000 $")
    assert not ordinaire(f"Résumé{hors} du projet")
