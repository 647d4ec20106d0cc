"""Répartition des évaluateurs et conflits d'intérêts évidents : les règles pures, sans base."""

from hypothesis import given
from hypothesis import strategies as st

from evaluation.notes.repartition import Conflit, conflits_evidents, repartir


def test_par_defaut_chacun_evalue_tout():
    r = repartir([1, 2, 3], ["b@x.ca", "a@x.ca"])
    assert r.par_demande == {d: ("a@x.ca", "b@x.ca") for d in (1, 2, 3)}
    assert r.manques == {}


def test_conflit_exclu_et_manque_rapporte():
    r = repartir([1, 2], ["a", "b"], 2, [Conflit(1, "a", "municipalité")])
    assert r.par_demande == {1: ("b",), 2: ("a", "b")}
    assert r.manques == {1: 1}


def test_repartition_stable():
    assert repartir(range(10), list("abcde"), 2) == repartir(range(10), list("edcba"), 2)


@given(
    n_demandes=st.integers(1, 60),
    n_evaluateurs=st.integers(1, 12),
    n_par_demande=st.integers(1, 5),
    graine=st.randoms(use_true_random=False),
    part_conflits=st.floats(0, 0.3),
)
def test_repartition_equilibree_sans_conflit(
    n_demandes, n_evaluateurs, n_par_demande, graine, part_conflits
):
    demandes = list(range(n_demandes))
    evaluateurs = [f"e{i}" for i in range(n_evaluateurs)]
    conflits = [
        Conflit(d, e, "x") for d in demandes for e in evaluateurs if graine.random() < part_conflits
    ]
    r = repartir(demandes, evaluateurs, n_par_demande, conflits)
    interdits = {(c.demande_id, c.evaluateur) for c in conflits}
    for d, choisis in r.par_demande.items():
        assert not any((d, e) in interdits for e in choisis)
        possibles = sum((d, e) not in interdits for e in evaluateurs)
        assert len(choisis) == min(n_par_demande, possibles)
        assert r.manques.get(d, 0) == n_par_demande - len(choisis)
    if not conflits:
        charges = [r.charge().get(e, 0) for e in evaluateurs]
        assert max(charges) - min(charges) <= 1


def test_conflits_evidents():
    demandes = [
        {
            "id": 1,
            "municipalite": "Sherbrooke",
            "municipalites_partenaires": "Magog; Orford",
            "region": "05",
        },
        {"id": 2, "municipalite": "Rimouski", "municipalites_partenaires": None, "region": "01"},
    ]
    comptes = [
        {"courriel": "m@x.ca", "municipalite": "magog", "region": None},
        {"courriel": "r@x.ca", "municipalite": None, "region": "01"},
        {"courriel": "n@x.ca", "municipalite": "Laval", "region": "13"},
    ]
    conflits = conflits_evidents(demandes, comptes)
    assert {(c.demande_id, c.evaluateur) for c in conflits} == {(1, "m@x.ca"), (2, "r@x.ca")}
    assert "municipalité de l'évaluateur (magog)" in conflits[0].raison
