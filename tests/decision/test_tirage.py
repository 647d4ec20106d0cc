"""Le tirage au sort dans la zone grise (issue 16, point 7) : réglage du comité, l'appel
n'en prévoit aucun ; modèle, le tirage au sort partiel du FNS (depuis 2021)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.decision import tirage
from evaluation.decision.tirage import ErreurTirage, ordre_tire, preparer, rejouer, tirer

NUMEROS = st.lists(
    st.from_regex(r"T-[0-9]{3}", fullmatch=True), min_size=0, max_size=12, unique=True
)


@st.composite
def tirages(draw):
    annees = draw(st.integers(1, 2))
    numeros = draw(NUMEROS)
    candidates = {
        no: tuple(draw(st.integers(0, 30_000_00)) for _ in range(annees)) for no in numeros
    }
    restant = tuple(draw(st.integers(0, 100_000_00)) for _ in range(annees))
    graine = draw(st.integers(0, tirage.GRAINE_MAX))
    mode = draw(st.sampled_from(["stricte", "remplissage"]))
    return candidates, restant, graine, mode


@settings(max_examples=200, deadline=None)
@given(tirages())
def test_meme_graine_meme_resultat_quel_que_soit_l_ordre_des_candidates(donnees):
    candidates, restant, graine, mode = donnees
    a = tirer(candidates, restant, graine, mode)
    a_l_envers = tirer(dict(reversed(list(candidates.items()))), restant, graine, mode)
    assert a == a_l_envers
    assert sorted(a.ordre) == sorted(candidates) == list(a.candidates)


@settings(max_examples=200, deadline=None)
@given(tirages())
def test_gagnantes_parmi_les_candidates_et_dans_le_reste(donnees):
    candidates, restant, graine, mode = donnees
    t = tirer(candidates, restant, graine, mode)
    assert set(t.gagnantes) <= set(t.candidates)
    total = np.zeros(len(restant), dtype=np.int64)
    for no in t.gagnantes:
        total += np.array(candidates[no], dtype=np.int64)
    assert (total <= np.array(restant)).all()
    assert list(t.restant_apres) == list(np.array(restant) - total)
    # Les gagnantes viennent dans l'ordre tiré.
    assert list(t.gagnantes) == [no for no in t.ordre if no in set(t.gagnantes)]


@settings(max_examples=200, deadline=None)
@given(tirages())
def test_aucune_candidate_laissee_qui_tiendrait_encore(donnees):
    """Remplissage : aucune perdante ne tient dans ce qui reste à la fin. Stricte : les
    gagnantes sont les premières tirées, jusqu'à la première qui ne tient pas."""
    candidates, restant, graine, mode = donnees
    t = tirer(candidates, restant, graine, mode)
    reste = np.array(t.restant_apres)
    perdantes = [no for no in t.ordre if no not in t.gagnantes]
    if mode == "remplissage":
        assert not any((np.array(candidates[no]) <= reste).all() for no in perdantes)
    else:
        k = len(t.gagnantes)
        assert list(t.gagnantes) == list(t.ordre[:k])
        if perdantes:
            deja = np.array(restant) - reste
            premiere = np.array(candidates[t.ordre[k]])
            assert not ((deja + premiere) <= np.array(restant)).all()


@settings(max_examples=100, deadline=None)
@given(tirages())
def test_un_tirage_inscrit_se_rejoue_conforme(donnees):
    t = tirer(*donnees)
    inscrit = json.loads(json.dumps(t.enregistrement()))
    assert rejouer(inscrit) == []


def test_l_ordre_est_la_permutation_numpy_des_numeros_tries():
    """Graine 42, cinq candidates : la permutation PCG64 des numéros triés, refaite à la
    main ; une autre graine donne un autre ordre."""
    numeros = ["T-005", "T-001", "T-003", "T-002", "T-004"]
    attendu = np.random.Generator(np.random.PCG64(42)).permutation(5)
    canon = sorted(numeros)
    assert ordre_tire(numeros, 42) == [canon[i] for i in attendu]
    assert ordre_tire(numeros, 42) != ordre_tire(numeros, 43)


CAS = {"A": (10, 0), "B": (30, 0), "C": (15, 0)}


@pytest.mark.parametrize(
    ("mode", "restant", "gagnantes"),
    [
        # Graine 11 : l'ordre tiré est B, A, C (voir l'assertion).
        ("remplissage", (40, 0), ("B", "A")),
        ("remplissage", (25, 0), ("A", "C")),  # B ne tient pas : sautée
        ("stricte", (25, 0), ()),  # B ne tient pas : tout s'arrête
        ("stricte", (55, 0), ("B", "A", "C")),
        ("remplissage", (54, 0), ("B", "A")),  # C dépasse d'un cent
        ("remplissage", (0, 0), ()),
    ],
)
def test_parcours_selon_le_mode_de_la_ligne(mode, restant, gagnantes):
    t = tirer(CAS, restant, 11, mode)
    assert t.ordre == ("B", "A", "C")
    assert t.gagnantes == gagnantes


def test_un_montant_de_deuxieme_annee_qui_ne_tient_pas_exclut():
    """Chaque année compte : A tient en année 1, pas en année 2."""
    t = tirer({"A": (10, 20)}, (100, 19), 7, "remplissage")
    assert t.gagnantes == ()
    assert tirer({"A": (10, 19)}, (100, 19), 7, "remplissage").gagnantes == ("A",)


@pytest.mark.parametrize(
    ("graine", "message"),
    [
        ("abc", "un nombre entier positif est attendu"),
        ("-3", "un nombre entier positif est attendu"),
        (-1, "entier de 0 à"),
        (2**63, "entier de 0 à"),
        (True, "nombre entier positif"),
        (1.5, "nombre entier positif"),
    ],
)
def test_graine_fautive_refusee(graine, message):
    with pytest.raises(ErreurTirage, match=message):
        tirage.verifier_graine(graine)


@pytest.mark.parametrize(("saisie", "attendu"), [("42", 42), (" 1 234 ", 1234), (0, 0)])
def test_graine_saisie_lue(saisie, attendu):
    assert tirage.verifier_graine(saisie) == attendu


def test_mode_et_montants_fautifs_refuses():
    with pytest.raises(ErreurTirage, match="mode de ligne « au_hasard » inconnu"):
        tirer(CAS, (1, 1), 1, "au_hasard")
    with pytest.raises(ErreurTirage, match="A : 2 montant"):
        tirer({"A": (1,)}, (1, 1), 1)


def test_rejouer_signale_chaque_ecart():
    t = tirer(CAS, (40, 0), 11, "remplissage")
    inscrit = t.enregistrement()
    assert rejouer(inscrit) == []
    triche = {**inscrit, "gagnantes": ["C", "A"]}
    (ecart,) = rejouer(triche)
    assert ecart.startswith("gagnantes inscrit(es) : C, A ; rejoué(es) : B, A")
    autre_graine = {**inscrit, "graine": 12}
    assert any("ordre tiré" in e for e in rejouer(autre_graine))
    assert rejouer({**inscrit, "version": 99})[0].startswith("version de la règle 99")
    assert rejouer({**inscrit, "graine": "x"})[0].startswith("impossible de rejouer")
    montant_change = {**inscrit, "candidates": [["A", [10, 0]], ["B", [41, 0]], ["C", [15, 0]]]}
    assert any("gagnantes" in e for e in rejouer(montant_change))


def test_lire_enregistrement_refuse_l_illisible():
    with pytest.raises(ErreurTirage, match="illisible"):
        tirage.lire_enregistrement("pas du json")
    with pytest.raises(ErreurTirage, match="incomplet : gagnantes"):
        enregistrement = tirer(CAS, (40, 0), 1).enregistrement()
        del enregistrement["gagnantes"]
        tirage.lire_enregistrement(json.dumps(enregistrement))


def _table():
    """Six demandes : quatre classées financées (rangs 1 à 4), une en attente, une hors
    classement ; montants en cents sur deux années."""
    return pd.DataFrame(
        {
            "no_demande": ["D1", "D2", "D3", "D4", "D5", "D6"],
            "statut": ["classé"] * 5 + ["sous le seuil"],
            "financement": ["financé", "financé", "financé", "financé", "liste d'attente", ""],
            "recommande_an1": [100, 200, 300, 50, 400, 999],
            "recommande_an2": [10, 20, 30, 5, 40, 99],
        }
    )


def test_preparer_garde_le_dessus_et_calcule_le_reste(appel):
    """Gardées : financées hors zone grise (D1, D2) ; candidates : la zone grise classée
    (D3, D4, D5 ; D6 hors classement n'entre pas même marquée) ; reste : enveloppe moins
    D1 et D2."""
    a = replace(appel, financement=replace(appel.financement, enveloppe=(1000, 100)))
    zone = [False, False, True, True, True, True]
    candidates, restant = preparer(_table(), zone, a)
    assert candidates == {"D3": (300, 30), "D4": (50, 5), "D5": (400, 40)}
    assert restant == (1000 - 300, 100 - 30)
    with pytest.raises(ErreurTirage, match="ne correspond pas"):
        preparer(_table(), zone[:-1], a)
