"""Répartition des évaluateurs et conflits d'intérêts évidents : les règles pures, sans base."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.notes.repartition import (
    DECLARE,
    Attributions,
    Conflit,
    Reglages,
    _reglages,
    changements_du_tableau,
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


def test_demandes_servies_par_numero_quel_que_soit_l_ordre_d_entree():
    """La moins chargée d'abord, puis l'ordre alphabétique, les demandes prises dans l'ordre
    de leur numéro : 1 reçoit a, 8 reçoit b (a en a déjà une), 16 revient à a (égalité,
    ordre alphabétique), que les demandes arrivent triées, à l'envers ou en double."""
    attendu = {1: ("a",), 8: ("b",), 16: ("a",)}
    for entree in ([1, 8, 16], [16, 8, 1], [8, 16, 1, 8]):
        r = repartir(entree, ["b", "a"], 1)
        assert r.par_demande == attendu
        assert r.charge() == {"a": 2, "b": 1}


def test_evaluateurs_d_une_demande_en_ordre_alphabetique():
    """Trois évaluateurs, deux par demande : 1 → a, b (égalité : ordre alphabétique) ; 2 → c
    (le moins chargé) puis a ; 3 → b et c (une chacun, a en a deux). Chaque demande affiche
    ses évaluateurs dans l'ordre alphabétique, pas dans l'ordre où ils ont été choisis."""
    r = repartir([1, 2, 3], ["c", "b", "a"], 2)
    assert r.par_demande == {1: ("a", "b"), 2: ("a", "c"), 3: ("b", "c")}
    assert r.charge() == {"a": 2, "b": 2, "c": 2}
    assert r.manques == {}


def test_evaluateurs_imposes_comptes_une_fois_dans_la_charge():
    """a a déjà commencé les demandes 5 et 6 : il les garde, et elles comptent dans sa
    charge (2 au départ). Une par demande : 1 et 2 vont à b (0 puis 1 contre 2), 3 à a
    (égalité 2-2, ordre alphabétique), 4 à b (3 contre 2) ; chacun en a trois."""
    r = repartir(range(1, 7), ["a", "b"], 1, imposees={5: ["a"], 6: ["a"]})
    assert r.par_demande == {1: ("b",), 2: ("b",), 3: ("a",), 4: ("b",), 5: ("a",), 6: ("a",)}
    assert r.charge() == {"a": 3, "b": 3}


def test_evaluateur_impose_en_conflit_ou_inactif_ignore():
    """Un évaluateur « imposé » (il a commencé) qui est en conflit sur la demande, ou qui
    n'évalue plus (absent de la liste), n'est pas gardé : la demande est attribuée comme
    les autres, à un évaluateur sans conflit."""
    r = repartir(
        [1, 2],
        ["a", "b"],
        1,
        conflits=[Conflit(1, "a", "voisin")],
        imposees={1: ["a"], 2: ["z"]},
    )
    assert r.par_demande == {1: ("b",), 2: ("a",)}
    assert r.manques == {}


@settings(deadline=None)  # pas d'horloge : la machine est partagée
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


def test_conflits_de_un_evaluateur_par_demande():
    """Les conflits d'un évaluateur (la page Évaluation les lui montre) : les siens seuls,
    dans l'ordre des demandes, quel que soit l'ordre où ils ont été lus."""
    conflits = {
        (9, "a"): Conflit(9, "a", "voisin", DECLARE),
        (3, "b"): Conflit(3, "b", "région"),
        (2, "a"): Conflit(2, "a", "municipalité"),
    }
    etat = Attributions(Reglages(), (2, 3, 9), ("a", "b"), frozenset(), conflits)
    assert etat.conflits_de("a") == [conflits[(2, "a")], conflits[(9, "a")]]
    assert etat.conflits_de("b") == [conflits[(3, "b")]]
    assert etat.conflits_de("c") == []


def test_reglages_d_un_appel_sans_reglage_enregistre():
    """Un appel dont personne n'a encore réglé la campagne : chaque évaluateur évalue
    chaque demande, ni les évaluations ni les décisions ne sont verrouillées."""
    assert _reglages(None) == Reglages(None, False, None, None, False)
    assert not Reglages().verrouille and not Reglages().decisions_verrouillees
    ligne = {
        "evaluateurs_par_demande": 2,
        "verrouille": 1,
        "modifie_le": None,
        "modifie_par": "pres@x.ca",
    }  # une base d'avant le verrou des décisions : la colonne manque
    assert _reglages(ligne) == Reglages(2, True, None, "pres@x.ca", False)


def test_changements_du_tableau_d_attributions():
    """Le tableau de la page Attributions : une case cochée qui n'était pas attribuée
    s'ajoute, une case décochée qui l'était se retire ; recocher une attribution déjà
    là ou décocher une case vide ne change rien ; les colonnes qui ne sont pas des
    évaluateurs (« No », « Municipalité ») sont ignorées."""
    stockees = {(10, "a"), (20, "b")}
    modifiees = {
        0: {"a": True, "b": True, "No": "X-1"},  # (10, a) déjà là ; (10, b) s'ajoute
        "1": {"a": False, "b": False, "Municipalité": ""},  # (20, b) se retire ; (20, a) vide
    }
    ajouts, retraits = changements_du_tableau([10, 20], ["a", "b"], modifiees, stockees)
    assert ajouts == {(10, "b")}
    assert retraits == {(20, "b")}
