"""L'ordre du jour de la séance (evaluation/decision/seance.py) : ordres de passage, recherche,
tri d'un bloc, ce qui compte comme discuté, ce qui rend une demande « à discuter » et de
combien, totaux en cours face à l'enveloppe.

L'ordre de passage et les seuils « à discuter » (étendue de 4 points sur un critère, de 20 sur
le total) sont des réglages du comité (`[evaluation]` du TOML de l'appel) ; l'enveloppe est
celle de l'appel : « L'enveloppe disponible » (750 000 $ puis 500 000 $)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from evaluation.decision import seance
from evaluation.decision.classement import CLASSE, SOUS_SEUIL
from evaluation.decision.seance import (
    A_DISCUTER_D_ABORD,
    NON_DISCUTEE,
    PAR_AXE,
    RAMENEE,
    RANG,
    ZONE_GRISE_D_ABORD,
    ErreurSeance,
)


def _table() -> pd.DataFrame:
    """Cinq classées (ids 11 à 15, rangs 1 à 5) et une sous le seuil (16), dans l'ordre du
    classement."""
    t = pd.DataFrame(
        {
            "demande_id": [11, 12, 13, 14, 15, 16],
            "no_demande": ["T-001", "T-002", "T-003", "T-054", "T-005", "T-006"],
            "titre": [
                "Jumelage maritime",
                "Réseau estrien",
                "Mission à Puebla",
                "Échanges culturels",
                "Forum",
                "Sous le seuil",
            ],
            "municipalite": ["Rimouski", "Sherbrooke", "Gatineau", "Québec", "Lévis", "Laval"],
            "statut": [CLASSE] * 5 + [SOUS_SEUIL],
            "rang": pd.array([1, 2, 3, 4, 5, pd.NA], dtype="Int64"),
            "a_discuter": [False, True, False, True, False, True],
            "axe": [2, 1, 3, 1, None, 1],
            "total": [90.0, 85.0, 80.0, 75.0, 70.0, 40.0],
            "decision": ["retenu", "retenu", "", "refusé", "", ""],
            "accorde_an1": [2_000_000, 3_000_000, pd.NA, 0, pd.NA, pd.NA],
            "accorde_an2": [0, 3_000_000, pd.NA, 0, pd.NA, pd.NA],
            "cumul_an1": pd.array(
                [2_000_000, 5_000_000, 7_500_000, 9_000_000, 9_900_000, pd.NA], dtype="Int64"
            ),
            "cumul_an2": pd.array(
                [0, 3_000_000, 3_000_000, 4_000_000, 4_000_000, pd.NA], dtype="Int64"
            ),
        }
    )
    return t


@pytest.mark.parametrize(
    ("ordre", "attendu"),
    [
        (RANG, [11, 12, 13, 14, 15]),
        # Les divergentes d'abord, chacune à son rang.
        (A_DISCUTER_D_ABORD, [12, 14, 11, 13, 15]),
        # Axe 1 (rangs 2 et 4), axe 2, axe 3, sans axe en dernier.
        (PAR_AXE, [12, 14, 11, 13, 15]),
    ],
)
def test_ordres_de_passage(ordre, attendu):
    assert seance.ordre_de_passage(_table(), ordre) == attendu


def test_par_axe_departage_par_le_rang():
    t = _table()
    t["axe"] = [2, 2, 1, 2, 1, 1]
    assert seance.ordre_de_passage(t, PAR_AXE) == [13, 15, 11, 12, 14]


def test_zone_grise_d_abord():
    zone = {13: True, 15: True, 11: False}
    assert seance.ordre_de_passage(_table(), ZONE_GRISE_D_ABORD, zone_grise=zone) == [
        13,
        15,
        11,
        12,
        14,
    ]


def test_hors_classement_seulement_sur_demande():
    assert 16 not in seance.ordre_de_passage(_table(), RANG)
    assert seance.ordre_de_passage(_table(), RANG, tout=True)[-1] == 16


@pytest.mark.parametrize(
    ("ordre", "options", "message"),
    [
        ("hasard", {}, "ordre « hasard » inconnu"),
        (ZONE_GRISE_D_ABORD, {}, "la zone grise n'est pas calculée"),
    ],
)
def test_ordre_refuse(ordre, options, message):
    with pytest.raises(ErreurSeance, match=message):
        seance.ordre_de_passage(_table(), ordre, **options)


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("T-054", [14]),
        ("t-054", [14]),
        ("054", [14]),
        ("reseau", [12]),  # « Réseau » sans accent
        ("ÉCHANGES", [14]),
        ("quebec", [14]),  # « Québec », municipalité
        ("rimouski", [11]),
        ("T-00", [11, 12, 13, 15, 16]),
        ("", []),
        ("introuvable", []),
    ],
)
def test_chercher_par_numero_titre_ou_municipalite(texte, attendu):
    assert seance.chercher(_table(), texte) == attendu


def test_chercher_numero_exact_d_abord():
    t = _table()
    t.loc[0, "titre"] = "Suite de T-005"
    assert seance.chercher(t, "T-005") == [15, 11]


def test_ordre_du_jour_sans_les_triees():
    triage = {12: NON_DISCUTEE, 14: RAMENEE}
    assert seance.ordre_du_jour([11, 12, 13, 14, 15], triage) == [11, 13, 14, 15]


def test_etat_du_triage_la_derniere_ligne_compte():
    lignes = [
        {"demande_id": 12, "etat": NON_DISCUTEE},
        {"demande_id": 13, "etat": NON_DISCUTEE},
        {"demande_id": 12, "etat": RAMENEE},
    ]
    etats = seance.etat_du_triage(lignes)
    assert etats == {12: RAMENEE, 13: NON_DISCUTEE}
    assert seance.triees(etats) == [13]


@pytest.mark.parametrize(
    ("debut", "fin", "attendu"),
    [(1, 1, [11]), (2, 4, [12, 13, 14]), (1, 5, [11, 12, 13, 14, 15])],
)
def test_bloc(debut, fin, attendu):
    assert seance.bloc([11, 12, 13, 14, 15], debut, fin) == attendu


@pytest.mark.parametrize(
    ("ordre", "debut", "fin", "message"),
    [
        ([11, 12], 0, 1, r"entre les positions 1 et 2.*reçu : 0 à 1"),
        ([11, 12], 2, 1, "la première avant la dernière"),
        ([11, 12], 1, 3, "entre les positions 1 et 2"),
        ([], 1, 1, "aucune demande à trier"),
    ],
)
def test_bloc_refuse(ordre, debut, fin, message):
    with pytest.raises(ErreurSeance, match=message):
        seance.bloc(ordre, debut, fin)


@pytest.mark.parametrize(
    ("courante", "pas", "attendu"),
    [
        (None, 1, 11),
        (None, -1, 15),
        (11, 1, 13),
        (13, -1, 11),
        (15, 1, 15),  # bornée à la fin
        (11, -1, 11),  # et au début
        # Une demande hors de l'ordre du jour (triée) se situe dans l'ordre complet.
        (12, 1, 13),
        (12, -1, 11),
        (14, 1, 15),
    ],
)
def test_voisine(courante, pas, attendu):
    complet = [11, 12, 13, 14, 15]
    assert seance.voisine([11, 13, 15], courante, pas, complet) == attendu


def test_voisine_ordre_vide_refuse():
    with pytest.raises(ErreurSeance, match="l'ordre du jour est vide"):
        seance.voisine([], 11, 1)


def _a(*secondes_par_demande):
    """Des passages (demande_id, moment) à partir de 9 h : (demande, secondes écoulées)."""
    debut = dt.datetime(2024, 5, 1, 9, 0, 0)
    return [(d, debut + dt.timedelta(seconds=t)) for d, t in secondes_par_demande]


FIN = dt.datetime(2024, 5, 1, 10, 0, 0)


def test_discutees_amenees_et_pas_triees():
    """Discutée : amenée comme demande en cours, restée à l'écran, et pas triée « non
    discutée » ensuite ; une fois chacune, dans l'ordre où elles ont été amenées."""
    triage = {13: NON_DISCUTEE, 14: RAMENEE}
    amenees = _a((12, 0), (13, 60), (14, 120), (12, 180), (11, 240))
    assert seance.discutees(amenees, triage, fin=FIN) == [12, 14, 11]
    assert seance.discutees([], triage, fin=FIN) == []


def test_une_demande_passee_en_un_clic_n_est_pas_discutee():
    """Interprétation : moins de 20 s à l'écran en tout, c'est un passage ; au seuil, c'est
    discuté ; plusieurs courts passages s'additionnent ; une décision inscrite pendant la
    séance compte ; la dernière court jusqu'à la fin."""
    assert dt.timedelta(seconds=20) == seance.DUREE_DE_DISCUSSION
    amenees = _a((11, 0), (12, 19), (13, 39), (14, 45), (13, 59), (15, 65))
    # 11 : 19 s ; 12 : 20 s ; 13 : 6 s + 6 s ; 14 : 14 s ; 15 : jusqu'à FIN.
    assert seance.discutees(amenees, {}, fin=FIN) == [12, 15]
    assert seance.discutees(amenees, {}, fin=FIN, decidees=[14]) == [12, 14, 15]
    # 15 amenée à 9 h 01 min 05 s, fin à 9 h 01 min 20 s : 15 s, pas discutée.
    assert seance.discutees(amenees, {}, fin=amenees[-1][1] + dt.timedelta(seconds=15)) == [12]
    # Triée « non discutée » ensuite : pas discutée même décidée.
    assert seance.discutees(amenees, {12: NON_DISCUTEE}, fin=FIN, decidees=[12]) == [15]
    assert seance.temps_en_cours(amenees, FIN)[13] == dt.timedelta(seconds=12)


def test_une_horloge_qui_recule_ne_compte_pas_de_temps_negatif():
    amenees = _a((11, 100), (12, 0))
    assert seance.temps_en_cours(amenees, amenees[-1][1])[11] == dt.timedelta(0)


def _ligne(appel, etendues: dict[str, float], total: float) -> dict:
    r = {f"etendue:{c.id}": etendues.get(c.id, 0.0) for c in appel.criteres}
    r["etendue_total"] = total
    return r


def test_divergences_nomment_le_critere_et_l_ecart(appel):
    """Étendue de 6 en pertinence (seuil 4 : dépassé de 2), de 4 en visibilité (au seuil),
    3 ailleurs ; total à 12,5 (sous 20)."""
    r = _ligne(appel, {"pertinence": 6.0, "visibilite": 4.0, "capacite": 3.0}, 12.5)
    trouvees = seance.divergences(r, appel)
    assert [(x.libelle.split(" ")[0], x.etendue, x.seuil, x.depassement) for x in trouvees] == [
        ("Pertinence", 6.0, 4.0, 2.0),
        ("Visibilité", 4.0, 4.0, 0.0),
    ]
    assert trouvees[0].sur == "points"


def test_divergence_du_total_seul(appel):
    trouvees = seance.divergences(_ligne(appel, {}, 25.0), appel)
    assert [(x.libelle, x.etendue, x.seuil, x.sur) for x in trouvees] == [
        ("Total", 25.0, 20.0, "/ 100")
    ]


def test_aucune_divergence_sans_notes(appel):
    r = _ligne(appel, {}, np.nan)
    r["etendue:pertinence"] = np.nan
    assert seance.divergences(r, appel) == []


def test_totaux_en_cours(appel):
    """Accordé : les décisions « retenu » (20 000 $ + 30 000 $ la première année) ; cumul
    recommandé du classement jusqu'à la demande ; enveloppe de l'appel."""
    totaux = seance.totaux_en_cours(_table(), appel, 13)
    assert [(t.periode, t.enveloppe, t.accorde, t.restant, t.cumul) for t in totaux] == [
        ("2024-2025", 75_000_000, 5_000_000, 70_000_000, 7_500_000),
        ("2025-2026", 50_000_000, 3_000_000, 47_000_000, 3_000_000),
    ]
    assert [t.cumul for t in seance.totaux_en_cours(_table(), appel, 16)] == [None, None]


@pytest.mark.parametrize(
    ("presence", "attendu"),
    [
        ({"courriel": "eva@x.ca", "nom": None, "fonction": None}, "Éva"),
        ({"courriel": "inconnu@x.ca", "nom": None, "fonction": None}, "inconnu@x.ca"),
        (
            {"courriel": None, "nom": "Marie Roy", "fonction": "secrétaire"},
            "Marie Roy (secrétaire)",
        ),
        ({"courriel": None, "nom": "Jean Roy", "fonction": ""}, "Jean Roy"),
    ],
)
def test_libelle_present(presence, attendu):
    assert seance.libelle_present(presence, {"eva@x.ca": "Éva"}) == attendu


def test_exemple_de_recherche_tire_des_demandes_de_l_appel():
    """Issue 19 : l'exemple du champ de recherche vient des demandes de l'appel (pas
    « T-054, jumelage, Rimouski » pour un appel numéroté PAIVMQ-2024-xxx)."""
    assert seance.exemple_de_recherche(_table()) == "Ex. : T-001, Rimouski"
    assert seance.exemple_de_recherche(_table().iloc[0:0]) == (
        "Numéro, mot du titre ou municipalité"
    )
