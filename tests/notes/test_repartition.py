"""Répartition des évaluateurs et conflits d'intérêts évidents : les règles pures, sans base."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.notes.repartition import (
    Attributions,
    Conflit,
    Reglages,
    conflits_evidents,
    repartir,
)


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


def test_conflit_par_neq():
    """Appel d'organismes : l'évaluateur rattaché à l'organisme (même NEQ, quelle qu'en soit
    l'écriture) est en conflit sur ses demandes ; la région reste ; la municipalité du
    siège, qui n'est pas le demandeur, ne met pas en conflit (interprétation)."""
    demandes = [
        {"id": 1, "neq": "1145678901", "municipalite": "Rimouski", "region": "01"},
        {"id": 2, "neq": "2245678901", "municipalite": "Laval", "region": "13"},
        {"id": 3, "neq": None, "municipalite": "Rimouski", "region": "01"},
    ]
    comptes = [
        {"courriel": "oci@x.ca", "municipalite": None, "region": None, "neq": "1145 678 901"},
        {"courriel": "rim@x.ca", "municipalite": "Rimouski", "region": None, "neq": None},
        {"courriel": "lav@x.ca", "municipalite": None, "region": "13", "neq": None},
        {"courriel": "aucun@x.ca", "municipalite": None, "region": None, "neq": "9999999999"},
    ]
    conflits = conflits_evidents(demandes, comptes)
    assert {(c.demande_id, c.evaluateur) for c in conflits} == {
        (1, "oci@x.ca"),
        (2, "lav@x.ca"),
        (3, "rim@x.ca"),  # une demande sans NEQ : la règle des municipalités, inchangée
    }
    par_paire = {(c.demande_id, c.evaluateur): c.raison for c in conflits}
    assert par_paire[(1, "oci@x.ca")] == "organisme de l'évaluateur (NEQ 1145678901) : le demandeur"
    assert "région" in par_paire[(2, "lav@x.ca")]


@pytest.mark.parametrize("neq", [1145678901, 1145678901.0, "114-567-8901", "\u00a01145678901"])
def test_conflit_par_neq_ecritures(neq):
    """Le NEQ se compare chiffres seuls, qu'il vienne d'un nombre lu ou d'un texte."""
    (conflit,) = conflits_evidents(
        [{"id": 7, "neq": "1145678901", "region": "01"}],
        [{"courriel": "oci@x.ca", "neq": neq}],
    )
    assert (conflit.demande_id, conflit.evaluateur) == (7, "oci@x.ca")


# --- Coût linéaire : mêmes réponses que la définition, demande par demande ------------------


def _conflits_evidents_par_paire(demandes, comptes):
    """La définition, telle qu'écrite avant l'issue 14 : chaque demande face à chaque compte
    (la municipalité d'abord, la région sinon)."""
    from evaluation.socle.texte import cle_nom_propre, noms_multiples, normaliser

    def texte(v):
        return v if isinstance(v, str) else ""

    resultat = []
    for d in demandes:
        noms = [
            texte(d.get("municipalite")),
            *noms_multiples(texte(d.get("municipalites_partenaires"))),
        ]
        cles = {cle_nom_propre(m) for m in noms if m.strip()}
        for c in comptes:
            if c.get("municipalite") and cle_nom_propre(c["municipalite"]) in cles:
                resultat.append((d["id"], c["courriel"], "municipalité"))
            elif c.get("region") and normaliser(c["region"]) == normaliser(texte(d.get("region"))):
                resultat.append((d["id"], c["courriel"], "région"))
    return resultat


NOMS_LIEUX = ["Magog", "magog", "Saint-Jean", "St-Jean", "Sainte-Anne", "Ste Anne", "Orford", ""]
REGIONS = ["01", "05", " 05", "Estrie", "estrie", "", None]


@settings(deadline=None)
@given(
    demandes=st.lists(
        st.fixed_dictionaries(
            {
                "municipalite": st.sampled_from([*NOMS_LIEUX, None]),
                "municipalites_partenaires": st.one_of(
                    st.none(),
                    st.lists(st.sampled_from(NOMS_LIEUX), max_size=3).map("; ".join),
                ),
                "region": st.sampled_from(REGIONS),
            }
        ),
        max_size=12,
    ),
    comptes=st.lists(
        st.fixed_dictionaries(
            {
                "municipalite": st.sampled_from([*NOMS_LIEUX, None]),
                "region": st.sampled_from(REGIONS),
            }
        ),
        max_size=12,
    ),
)
def test_conflits_evidents_comme_la_definition_paire_par_paire(demandes, comptes):
    """Les comptes rangés par lieu donnent les mêmes conflits, dans le même ordre et pour la
    même raison, que la comparaison de chaque demande à chaque compte."""
    demandes = [{"id": i, **d} for i, d in enumerate(demandes)]
    comptes = [{"courriel": f"c{i}@x.ca", **c} for i, c in enumerate(comptes)]
    obtenus = [
        (c.demande_id, c.evaluateur, c.raison.split(" ")[0])
        for c in conflits_evidents(demandes, comptes)
    ]
    assert obtenus == _conflits_evidents_par_paire(demandes, comptes)


@settings(deadline=None)
@given(
    n_demandes=st.integers(0, 8),
    evaluateurs=st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True, max_size=4),
    par_demande=st.one_of(st.none(), st.integers(1, 3)),
    paires=st.sets(st.tuples(st.integers(0, 9), st.sampled_from(["a", "b", "c", "d", "z"]))),
    conflits=st.sets(st.tuples(st.integers(0, 9), st.sampled_from(["a", "b", "c", "d", "z"]))),
)
def test_nombres_attendus_comme_evaluateurs_de(
    n_demandes, evaluateurs, par_demande, paires, conflits
):
    """Compté sur les conflits et les attributions stockées, le nombre d'évaluations
    attendues est celui qu'on obtient demande par demande, y compris quand un conflit ou
    une attribution vise un compte qui n'évalue plus ou une demande retirée."""
    etat = Attributions(
        Reglages(evaluateurs_par_demande=par_demande),
        tuple(range(n_demandes)),
        tuple(sorted(evaluateurs)),
        frozenset(paires),
        {p: Conflit(p[0], p[1], "x") for p in conflits},
    )
    assert etat.nombres_attendus() == {d: len(etat.evaluateurs_de(d)) for d in range(n_demandes)}
