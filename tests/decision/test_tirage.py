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
from evaluation.socle.formats import montant

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
    with pytest.raises(
        ErreurTirage, match="A : un montant positif attendu par année financière, soit 2 "
    ):
        tirer({"A": (1,)}, (1, 1), 1)


def test_rejouer_signale_chaque_ecart():
    t = tirer(CAS, (40, 0), 11, "remplissage")
    inscrit = t.enregistrement()
    assert rejouer(inscrit) == []
    triche = {**inscrit, "gagnantes": ["C", "A"]}
    (ecart,) = rejouer(triche)
    assert ecart == "gagnantes : inscrit C, A ; rejoué B, A."
    autre_graine = {**inscrit, "graine": 12}
    assert any(e.startswith("ordre tiré : inscrit ") for e in rejouer(autre_graine))
    assert rejouer({**inscrit, "version": 99})[0].startswith("version de la règle 99")
    assert rejouer({**inscrit, "graine": "x"})[0].startswith("impossible de rejouer")
    montant_change = {**inscrit, "candidates": [["A", [10, 0]], ["B", [41, 0]], ["C", [15, 0]]]}
    assert any("gagnantes" in e for e in rejouer(montant_change))


def test_rejouer_dit_les_ecarts_en_francais_et_les_montants_en_dollars():
    """« ordre tiré : inscrit A, B ; rejoué B, A » ; les restes en dollars (`montant`)."""
    t = tirer({"A": (1_000_000, 0), "B": (2_000_000, 0)}, (5_000_000, 1_000_000), 3)
    inscrit = t.enregistrement()
    ordre = list(reversed(t.ordre))
    ecarts = rejouer({**inscrit, "ordre": ordre, "restant_apres": [0, 0]})
    assert ecarts == [
        f"ordre tiré : inscrit {', '.join(ordre)} ; rejoué {', '.join(t.ordre)}.",
        f"reste de l'enveloppe après le tirage : inscrit {montant(0)}, {montant(0)} ; "
        f"rejoué {montant(2_000_000)}, {montant(1_000_000)}.",
    ]
    assert montant(2_000_000).replace("\u00a0", " ").replace("\u202f", " ") == "20 000 $"
    assert not any("(es)" in e for e in ecarts)
    assert rejouer({**inscrit, "gagnantes": []}) == [
        f"gagnantes : inscrit aucune ; rejoué {', '.join(t.gagnantes)}."
    ]


def test_rejouer_avec_l_appel_refuse_reste_ou_montants_hors_de_l_appel(appel):
    """Un enregistrement qui se rejoue mais qu'aucun tirage de l'appel n'aurait pu donner :
    reste au-dessus de l'enveloppe, montant au-dessus du plafond annuel (« ne pourra pas
    excéder 25 000 $ par année », plus la bonification maximale)."""
    enveloppe = appel.financement.enveloppe
    plafond = appel.financement.plafond_bonifie_max
    bon = tirer({"A": (plafond, 0)}, (enveloppe[0], enveloppe[1]), 1).enregistrement()
    assert rejouer(bon, appel) == []
    trop = tirer({"A": (plafond + 1, 0)}, (enveloppe[0], enveloppe[1]), 1).enregistrement()
    assert rejouer(trop) == []  # sans l'appel, seul le rejeu compte
    (ecart,) = rejouer(trop, appel)
    assert ecart.startswith("A : montants ") and f"plafond de {montant(plafond)}" in ecart
    gonfle = tirer({"A": (1, 0)}, (enveloppe[0], enveloppe[1] + 1), 1).enregistrement()
    (ecart,) = rejouer(gonfle, appel)
    assert ecart.startswith("reste de l'enveloppe avant le tirage, année 2")
    assert montant(enveloppe[1]) in ecart


def test_lire_enregistrement_refuse_l_illisible():
    with pytest.raises(ErreurTirage, match="illisible"):
        tirage.lire_enregistrement("pas du json")
    with pytest.raises(ErreurTirage, match="incomplet : gagnantes"):
        enregistrement = tirer(CAS, (40, 0), 1).enregistrement()
        del enregistrement["gagnantes"]
        tirage.lire_enregistrement(json.dumps(enregistrement))


def _table():
    """Six demandes : quatre classées financées (rangs 1 à 4), une en attente, une hors
    classement ; montants en cents sur deux années ; aucune décision."""
    return pd.DataFrame(
        {
            "no_demande": ["D1", "D2", "D3", "D4", "D5", "D6"],
            "rang": pd.array([1, 2, 3, 4, 5, None], dtype="Int64"),
            "statut": ["classé"] * 5 + ["sous le seuil"],
            "financement": ["financé", "financé", "financé", "financé", "liste d'attente", ""],
            "recommande_an1": [100, 200, 300, 50, 400, 999],
            "recommande_an2": [10, 20, 30, 5, 40, 99],
            "decision": [""] * 6,
            "accorde_an1": [0] * 6,
            "accorde_an2": [0] * 6,
        }
    )


def _sept(appel, mode="remplissage", enveloppe=(222_000_00, 100_000_00)):
    """Le cas du relecteur : R1 financée au-dessus de la zone grise (R2 à R4), R5 financée
    sous elle (ligne « remplissage »), R6 et R7 en attente ; montants en milliers de $."""
    a = replace(
        appel,
        mode_ligne=mode,
        tirage_zone_grise=True,
        financement=replace(appel.financement, enveloppe=enveloppe),
    )
    milliers = [30, 80, 50, 90, 30, 40, 80]
    table = pd.DataFrame(
        {
            "no_demande": [f"R{i + 1}" for i in range(7)],
            "rang": pd.array(range(1, 8), dtype="Int64"),
            "statut": "classé",
            "financement": ["financé"] * 3
            + ["liste d'attente", "financé"]
            + ["liste d'attente"] * 2,
            "recommande_an1": [x * 1000_00 for x in milliers],
            "recommande_an2": 0,
            "decision": "",
            "accorde_an1": 0,
            "accorde_an2": 0,
        }
    )
    zone = np.array([False, True, True, True, False, False, False])
    return a, table, zone


def test_preparer_ne_garde_rien_pour_les_financees_sous_la_zone_grise(appel):
    """Ligne « remplissage » : R5, financée sous la zone grise, ne garde rien devant les
    candidates ; seule R1 (au-dessus) est réservée. Interprétation."""
    a, table, zone = _sept(appel)
    candidates, restant = preparer(table, zone, a)
    assert candidates == {"R2": (80_000_00, 0), "R3": (50_000_00, 0), "R4": (90_000_00, 0)}
    assert restant == (222_000_00 - 30_000_00, 100_000_00)


def test_preparer_tient_compte_des_decisions(appel):
    """Candidates : la zone grise sans décision (R2 refusée et R3 retenue n'y sont plus).
    Réservé : l'accordé de toutes les retenues (R3 dans la zone, R6 sous elle, à leur
    montant accordé et non recommandé), plus le recommandé des financées sans décision
    au-dessus de la zone (R1 est en liste d'attente par décision : rien de réservé)."""
    a, table, zone = _sept(appel)
    table["decision"] = ["liste d'attente", "refusé", "retenu", "", "", "retenu", ""]
    table["accorde_an1"] = [0, 0, 45_000_00, 0, 0, 40_000_00, 0]
    table["accorde_an2"] = [0, 0, 1_000_00, 0, 0, 0, 0]
    candidates, restant = preparer(table, zone, a)
    assert candidates == {"R4": (90_000_00, 0)}
    assert restant == (222_000_00 - 45_000_00 - 40_000_00, 100_000_00 - 1_000_00)
    # Sans la décision sur R1, elle garde son recommandé.
    table.loc[0, "decision"] = ""
    assert preparer(table, zone, a)[1][0] == 222_000_00 - 45_000_00 - 40_000_00 - 30_000_00


def test_preparer_reste_jamais_sous_zero(appel):
    a, table, zone = _sept(appel, enveloppe=(10_000_00, 0))
    table["decision"] = ["", "", "", "", "", "retenu", ""]
    table["accorde_an1"] = [0, 0, 0, 0, 0, 40_000_00, 0]
    table["accorde_an2"] = [0, 0, 0, 0, 0, 5_00, 0]
    assert preparer(table, zone, a)[1] == (0, 0)


@st.composite
def tables_et_decisions(draw):
    n = draw(st.integers(1, 9))
    classees = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    rangs = np.cumsum(classees)
    decision = draw(
        st.lists(
            st.sampled_from(["", "", "retenu", "liste d'attente", "refusé"]), min_size=n, max_size=n
        )
    )
    montants = [
        [draw(st.integers(0, 40_000_00)) for _ in range(n)] for _ in range(4)
    ]  # recommandé an1, an2, accordé an1, an2
    table = pd.DataFrame(
        {
            "no_demande": [f"T-{i:03d}" for i in range(n)],
            "rang": pd.array(
                [int(r) if c else None for r, c in zip(rangs, classees, strict=True)], dtype="Int64"
            ),
            "statut": ["classé" if c else "sous le seuil" for c in classees],
            "financement": draw(
                st.lists(st.sampled_from(["financé", "liste d'attente"]), min_size=n, max_size=n)
            ),
            "recommande_an1": montants[0],
            "recommande_an2": montants[1],
            "decision": decision,
            "accorde_an1": [
                m if d == "retenu" else 0 for m, d in zip(montants[2], decision, strict=True)
            ],
            "accorde_an2": [
                m if d == "retenu" else 0 for m, d in zip(montants[3], decision, strict=True)
            ],
        }
    )
    zone = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    enveloppe = tuple(draw(st.integers(0, 150_000_00)) for _ in range(2))
    graine = draw(st.integers(0, tirage.GRAINE_MAX))
    mode = draw(st.sampled_from(["stricte", "remplissage"]))
    return table, zone, enveloppe, graine, mode


@settings(max_examples=300, deadline=None)
@given(tables_et_decisions())
def test_gagnantes_et_retenues_ne_depassent_jamais_l_enveloppe(appel, donnees):
    """Propriété : pour toute table et toutes décisions, les gagnantes inscrites plus les
    retenues déjà décidées tiennent dans l'enveloppe de chaque année (si les retenues
    seules la dépassent déjà, les gagnantes n'y ajoutent rien) ; aucune demande décidée
    n'est candidate."""
    table, zone, enveloppe, graine, mode = donnees
    a = replace(appel, financement=replace(appel.financement, enveloppe=enveloppe))
    candidates, restant = preparer(table, zone, a)
    decidees = set(table.loc[table["decision"] != "", "no_demande"])
    assert not decidees & set(candidates)
    assert all(r >= 0 for r in restant)
    t = tirer(candidates, restant, graine, mode)
    retenu = (
        table.loc[table["decision"] == "retenu", ["accorde_an1", "accorde_an2"]].sum().to_numpy()
    )
    gagne = (
        np.array([candidates[no] for no in t.gagnantes], dtype=np.int64).reshape(-1, 2).sum(axis=0)
    )
    for annee in range(2):
        assert gagne[annee] + retenu[annee] <= max(enveloppe[annee], retenu[annee])


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
