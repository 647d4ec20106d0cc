"""Suivi des évaluations : la liste d'un évaluateur (mode par défaut, mode N, conflits), ses
filtres et sa progression, les voisines, l'avancement par évaluateur et les totaux pondérés,
sur une vraie base (SQLite et PostgreSQL)."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import suivi
from evaluation.notes.attributions import appliquer_repartition, charger, declarer_conflit
from evaluation.notes.evaluations import enregistrer
from evaluation.notes.repartition import Attributions, Conflit, Reglages
from evaluation.notes.saisie import BROUILLON, SOUMISE, Saisie
from evaluation.socle import mots_de_passe, stockage
from evaluation.socle.comptes import creer_compte, desactiver_compte
from tests.conftest import DONNEES
from tests.filtrage import admettre

VALIDE = DONNEES / "formats" / "valide.xlsx"
MDP = "un mot de passe solide"
EVA, LUC, ZOE = "eva@x.ca", "luc@x.ca", "zoe@x.ca"
T1 = dt.datetime(2026, 11, 2, 9, 0)
T2 = dt.datetime(2026, 11, 3, 14, 30)


@pytest.fixture(autouse=True)
def _hachage_rapide(monkeypatch):
    """argon2 au plus léger : ces tests créent des comptes sans jamais s'y connecter."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        mots_de_passe, "_hacheur", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def demandes(moteur, appel):
    """Les trois demandes de valide.xlsx importées ; {numéro: identifiant}.

    T-001 Rimouski (01, axe 2, Innovation) ; T-002 Sherbrooke (05, axe 1, Francophonie,
    partenaires Magog et Orford) ; T-003 Gatineau (07, axe 3, Mobilité durable)."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles s'attribuent et se notent
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


@pytest.fixture
def campagne(moteur, appel, demandes):
    """Trois évaluateurs ; LUC en conflit évident avec T-002 (Magog), ZOE en conflit déclaré
    avec T-003. EVA : T-001 soumise, T-002 brouillon, T-003 à faire. LUC : T-001 brouillon."""
    creer_compte(EVA, "evaluateur", MDP, moteur=moteur, nom="Eva Roy")
    creer_compte(LUC, "evaluateur", MDP, moteur=moteur, municipalite="Magog")
    creer_compte(ZOE, "evaluateur", MDP, moteur=moteur, nom="Zoé Fortin")
    declarer_conflit(
        appel.id, demandes["T-003"], ZOE, "ma sœur y travaille", moteur=moteur, auteur=ZOE
    )
    enregistrer(
        appel, demandes["T-001"], EVA, _complete(appel), SOUMISE, moteur=moteur, maintenant=T1
    )
    enregistrer(
        appel,
        demandes["T-002"],
        EVA,
        Saisie(notes={"pertinence": 6.0}),
        BROUILLON,
        moteur=moteur,
        maintenant=T2,
    )
    enregistrer(
        appel, demandes["T-001"], LUC, Saisie(notes={"coherence": 4.0}), BROUILLON, moteur=moteur
    )
    return demandes


def _complete(appel, note=7.5, **autres) -> Saisie:
    notes = {c.id: note for c in appel.criteres} | autres
    return Saisie(notes=notes, admissible=True)


def _lire(moteur, appel):
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
        evaluations = stockage.lire_evaluations(appel.id, connexion=c)
    return table, evaluations, charger(appel.id, moteur=moteur)


# --- liste_evaluateur ------------------------------------------------------------------


def test_liste_mode_par_defaut(moteur, appel, campagne):
    table, evaluations, etat = _lire(moteur, appel)
    liste = suivi.liste_evaluateur(table, evaluations, etat, EVA)
    assert list(liste.columns) == suivi.COLONNES_LISTE
    assert list(liste.index) == [0, 1, 2]
    assert list(liste["no_demande"]) == ["T-001", "T-002", "T-003"]
    assert list(liste["demande_id"]) == [campagne[n] for n in ("T-001", "T-002", "T-003")]
    assert list(liste["etat"]) == [SOUMISE, BROUILLON, suivi.A_FAIRE]
    assert list(liste["region"]) == ["01", "05", "07"]
    assert list(liste["axe"]) == [2, 1, 3]
    assert list(liste["secteur"]) == ["Innovation", "Francophonie", "Mobilité durable"]
    assert list(liste["municipalite"]) == ["Rimouski", "Sherbrooke", "Gatineau"]
    assert liste.loc[0, "titre"] == "Jumelage maritime Rimouski-Brest"
    assert pd.Timestamp(liste.loc[0, "modifie_le"]) == pd.Timestamp(T1)
    assert pd.Timestamp(liste.loc[1, "modifie_le"]) == pd.Timestamp(T2)
    assert pd.isna(liste.loc[2, "modifie_le"])


def test_liste_exclut_les_conflits_evidents_et_declares(moteur, appel, campagne):
    table, evaluations, etat = _lire(moteur, appel)
    luc = suivi.liste_evaluateur(table, evaluations, etat, LUC)
    assert list(luc["no_demande"]) == ["T-001", "T-003"]  # T-002 : Magog est partenaire
    # L'état vient de ses propres évaluations, pas de celles d'EVA (T-001 soumise par EVA).
    assert list(luc["etat"]) == [BROUILLON, suivi.A_FAIRE]
    zoe = suivi.liste_evaluateur(table, evaluations, etat, ZOE)
    assert list(zoe["no_demande"]) == ["T-001", "T-002"]  # T-003 : conflit déclaré
    assert list(zoe["etat"]) == [suivi.A_FAIRE, suivi.A_FAIRE]


def test_liste_dans_l_ordre_des_numeros(moteur, appel, campagne):
    table, evaluations, etat = _lire(moteur, appel)
    melangee = table.iloc[[2, 0, 1]].reset_index(drop=True)
    liste = suivi.liste_evaluateur(melangee, evaluations, etat, EVA)
    assert list(liste["no_demande"]) == ["T-001", "T-002", "T-003"]
    assert list(liste["etat"]) == [SOUMISE, BROUILLON, suivi.A_FAIRE]
    assert list(liste.index) == [0, 1, 2]


def test_liste_inconnu_ou_sans_evaluation(moteur, appel, demandes):
    creer_compte(EVA, "evaluateur", MDP, moteur=moteur)
    table, evaluations, etat = _lire(moteur, appel)
    assert evaluations.empty
    liste = suivi.liste_evaluateur(table, evaluations, etat, EVA)
    assert list(liste["etat"]) == [suivi.A_FAIRE] * 3
    assert suivi.progression(liste) == (0, 3)
    vide = suivi.liste_evaluateur(table.iloc[0:0], evaluations, etat, EVA)
    assert vide.empty and list(vide.columns) == suivi.COLONNES_LISTE


def test_liste_mode_n(moteur, appel, demandes):
    for e in (EVA, ZOE):
        creer_compte(e, "evaluateur", MDP, moteur=moteur)
    creer_compte(LUC, "evaluateur", MDP, moteur=moteur, municipalite="Magog")
    declarer_conflit(appel.id, demandes["T-003"], ZOE, "ancien emploi", moteur=moteur, auteur=ZOE)
    appliquer_repartition(appel, 1, moteur=moteur, auteur="admin@x.ca")
    table, evaluations, etat = _lire(moteur, appel)
    # Calculé à la main : moins chargé d'abord puis ordre alphabétique, conflits exclus.
    # T-001 → eva ; T-002 → zoe (luc en conflit, eva déjà chargée) ; T-003 → luc.
    attendu = {EVA: ["T-001"], ZOE: ["T-002"], LUC: ["T-003"]}
    with moteur.connect() as c:
        stockees = stockage.lire_attributions(appel.id, connexion=c)
    numeros = {v: k for k, v in demandes.items()}
    for e, nos in attendu.items():
        liste = suivi.liste_evaluateur(table, evaluations, etat, e)
        assert list(liste["no_demande"]) == nos
        assert sorted(numeros[d] for d, ev in stockees if ev == e) == nos
        assert list(liste["etat"]) == [suivi.A_FAIRE]
    assert suivi.liste_evaluateur(table, evaluations, etat, "absent@x.ca").empty


def test_liste_mode_n_ignore_une_evaluation_non_attribuee():
    """Une évaluation stockée d'une demande qui n'est plus attribuée ne la remet pas dans la
    liste ; une demande en conflit n'y est pas même attribuée."""
    table = pd.DataFrame(
        {
            "id": [3, 1, 2],
            "no_demande": ["D-3", "D-1", "D-2"],
            "titre": ["c", None, "b"],
            "municipalite": ["Laval", "Lévis", None],
            "region": ["13", "12", None],
            "axe": [1, 2, 3],
            "secteur": ["Culture", None, "Innovation"],
        }
    )
    etat = Attributions(
        Reglages(evaluateurs_par_demande=1),
        (1, 2, 3),
        ("a@x.ca", "b@x.ca"),
        frozenset({(1, "a@x.ca"), (2, "a@x.ca"), (3, "b@x.ca")}),
        {(2, "a@x.ca"): Conflit(2, "a@x.ca", "déclaré")},
    )
    evaluations = pd.DataFrame(
        {
            "demande_id": [3, 1],
            "evaluateur": ["a@x.ca", "a@x.ca"],
            "statut": [SOUMISE, BROUILLON],
            "modifie_le": [T1, T2],
        }
    )
    liste = suivi.liste_evaluateur(table, evaluations, etat, "a@x.ca")
    assert list(liste["demande_id"]) == [1]
    assert liste.loc[0, "etat"] == BROUILLON
    assert liste.loc[0, "titre"] == "" and liste.loc[0, "secteur"] == ""
    b = suivi.liste_evaluateur(table, evaluations, etat, "b@x.ca")
    assert list(b["no_demande"]) == ["D-3"] and list(b["etat"]) == [suivi.A_FAIRE]


@given(
    n_demandes=st.integers(0, 25),
    n_evaluateurs=st.integers(1, 5),
    mode=st.one_of(st.none(), st.integers(1, 4)),
    graine=st.randoms(use_true_random=False),
)
def test_demandes_attribuees_suit_la_regle_d_attributions(n_demandes, n_evaluateurs, mode, graine):
    """Calculées par ensembles, les demandes de chacun sont celles que `attribuee` accepte
    une à une, dans les deux modes, conflits compris (même pour une attribution stockée en
    conflit, ou d'un évaluateur qui n'est plus actif)."""
    demandes = tuple(range(1, n_demandes + 1))
    evaluateurs = tuple(f"e{i}" for i in range(n_evaluateurs))
    tous = [*evaluateurs, "parti"]
    stockees = frozenset((d, e) for d in demandes for e in tous if graine.random() < 0.4)
    conflits = {(d, e): Conflit(d, e, "x") for d in demandes for e in tous if graine.random() < 0.2}
    etat = Attributions(Reglages(mode), demandes, evaluateurs, stockees, conflits)
    par_evaluateur = suivi.demandes_attribuees(etat)
    assert set(par_evaluateur) == set(evaluateurs)
    for e in tous:
        attendues = {d for d in demandes if etat.attribuee(d, e)}
        assert suivi.demandes_de(etat, e) == attendues
        if e in evaluateurs:
            assert par_evaluateur[e] == attendues


# --- filtrer, progression, voisines --------------------------------------------------------


@pytest.fixture
def liste_eva(moteur, appel, campagne):
    table, evaluations, etat = _lire(moteur, appel)
    return suivi.liste_evaluateur(table, evaluations, etat, EVA)


def _nos(liste) -> list[str]:
    return list(liste["no_demande"])


@pytest.mark.parametrize(
    ("filtres", "attendus"),
    [
        ({}, ["T-001", "T-002", "T-003"]),
        ({"axes": [], "secteurs": [], "regions": [], "etats": []}, ["T-001", "T-002", "T-003"]),
        ({"axes": [2]}, ["T-001"]),
        ({"axes": [1, 3]}, ["T-002", "T-003"]),
        ({"secteurs": ["Francophonie"]}, ["T-002"]),
        ({"regions": ["07"]}, ["T-003"]),
        ({"regions": ["01", "05"]}, ["T-001", "T-002"]),
        ({"etats": [BROUILLON]}, ["T-002"]),
        ({"etats": [suivi.A_FAIRE, SOUMISE]}, ["T-001", "T-003"]),
        ({"axes": [1, 2], "etats": [SOUMISE]}, ["T-001"]),
        ({"axes": [1, 2, 3], "regions": ["05", "07"], "etats": [BROUILLON]}, ["T-002"]),
        ({"axes": [1], "regions": ["01"]}, []),
        ({"secteurs": ["Culture"]}, []),
    ],
)
def test_filtrer(liste_eva, filtres, attendus):
    filtree = suivi.filtrer(liste_eva, **filtres)
    assert _nos(filtree) == attendus
    assert list(filtree.index) == list(range(len(attendus)))
    assert list(filtree.columns) == suivi.COLONNES_LISTE


def test_filtrer_accepte_des_iterables(liste_eva):
    filtree = suivi.filtrer(
        liste_eva, axes=iter([3]), secteurs=(s for s in ["Mobilité durable"]), etats=()
    )
    assert _nos(filtree) == ["T-003"]


def test_filtrer_ne_modifie_pas_la_liste(liste_eva):
    avant = liste_eva.copy()
    suivi.filtrer(liste_eva, etats=[SOUMISE])
    pd.testing.assert_frame_equal(liste_eva, avant)


def test_progression(liste_eva):
    assert suivi.progression(liste_eva) == (1, 3)
    assert suivi.progression(suivi.filtrer(liste_eva, etats=[SOUMISE])) == (1, 1)
    assert suivi.progression(suivi.filtrer(liste_eva, axes=[1])) == (0, 1)
    assert suivi.progression(liste_eva.iloc[0:0]) == (0, 0)


@pytest.mark.parametrize(
    ("ids", "courante", "attendu"),
    [
        ([10, 20, 30], 10, (None, 20)),
        ([10, 20, 30], 20, (10, 30)),
        ([10, 20, 30], 30, (20, None)),
        ([10, 20, 30], 99, (None, 10)),  # absente (filtrée) : la suivante est la première
        ([10, 20, 30], None, (None, 10)),
        ([7], 7, (None, None)),
        ([], None, (None, None)),
        ([], 5, (None, None)),
    ],
)
def test_voisines(ids, courante, attendu):
    assert suivi.voisines(ids, courante) == attendu


# --- avancement ----------------------------------------------------------------------------


def test_avancement(moteur, appel, campagne):
    enregistrer(appel, campagne["T-001"], ZOE, _complete(appel), SOUMISE, moteur=moteur)
    creer_compte("admin@x.ca", "admin", MDP, moteur=moteur)
    creer_compte("parti@x.ca", "evaluateur", MDP, moteur=moteur)
    desactiver_compte("parti@x.ca", moteur=moteur)
    _, evaluations, etat = _lire(moteur, appel)
    table = suivi.avancement(etat, evaluations, {EVA: "Eva Roy", ZOE: "Zoé Fortin"})
    assert list(table.columns) == [
        "evaluateur",
        "nom",
        "attribuees",
        "soumises",
        "brouillons",
        "a_faire",
        "conflits",
    ]
    lignes = {r["evaluateur"]: r for r in table.to_dict("records")}
    assert list(table["evaluateur"]) == [EVA, LUC, ZOE]  # ni l'admin ni le compte désactivé
    assert lignes[EVA] == {
        "evaluateur": EVA,
        "nom": "Eva Roy",
        "attribuees": 3,
        "soumises": 1,
        "brouillons": 1,
        "a_faire": 1,
        "conflits": 0,
    }
    assert lignes[LUC]["nom"] == LUC  # pas de nom donné : le courriel
    assert (
        lignes[LUC]["attribuees"],
        lignes[LUC]["soumises"],
        lignes[LUC]["brouillons"],
        lignes[LUC]["a_faire"],
        lignes[LUC]["conflits"],
    ) == (2, 0, 1, 1, 1)
    assert (
        lignes[ZOE]["attribuees"],
        lignes[ZOE]["soumises"],
        lignes[ZOE]["brouillons"],
        lignes[ZOE]["a_faire"],
        lignes[ZOE]["conflits"],
    ) == (2, 1, 0, 1, 1)


def test_avancement_ne_compte_que_les_demandes_attribuees():
    """Une évaluation d'une demande passée en conflit ne compte plus : à faire ne devient
    jamais négatif."""
    etat = Attributions(
        Reglages(),
        (1, 2),
        ("a@x.ca",),
        frozenset(),
        {(2, "a@x.ca"): Conflit(2, "a@x.ca", "déclaré après coup")},
    )
    evaluations = pd.DataFrame(
        {
            "demande_id": [2, 1],
            "evaluateur": ["a@x.ca", "b@x.ca"],
            "statut": [SOUMISE, SOUMISE],
            "modifie_le": [T1, T1],
        }
    )
    table = suivi.avancement(etat, evaluations)
    assert table.to_dict("records") == [
        {
            "evaluateur": "a@x.ca",
            "nom": "a@x.ca",
            "attribuees": 1,
            "soumises": 0,
            "brouillons": 0,
            "a_faire": 1,
            "conflits": 1,
        }
    ]


def test_avancement_sans_evaluateur(moteur, appel, demandes):
    _, evaluations, etat = _lire(moteur, appel)
    table = suivi.avancement(etat, evaluations)
    assert table.empty and "a_faire" in table.columns


# --- totaux --------------------------------------------------------------------------------


def _totaux(moteur, appel, statut=SOUMISE) -> pd.DataFrame:
    criteres = [c.id for c in appel.criteres]
    with moteur.connect() as c:
        par_evaluation = stockage.lire_notes_en_colonnes(
            appel.id, criteres, connexion=c, statut=statut
        )
        table = stockage.lire_demandes(appel.id, connexion=c)
    numeros = dict(zip(table["id"].astype(int), table["no_demande"], strict=True))
    return suivi.totaux(par_evaluation, appel, numeros)


def test_poids_de_l_appel_livre(appel):
    assert appel.echelle_max == 10
    assert [(c.id, c.poids) for c in appel.criteres] == [
        ("pertinence", 25),
        ("coherence", 20),
        ("qualite-dossier", 15),
        ("structurant", 15),
        ("capacite", 15),
        ("visibilite", 10),
    ]


def test_totaux_ponderes(moteur, appel, demandes):
    for e in (EVA, LUC, ZOE):
        creer_compte(e, "evaluateur", MDP, moteur=moteur)
    d1, d2, d3 = demandes["T-001"], demandes["T-002"], demandes["T-003"]
    eva_t1 = Saisie(
        notes={
            "pertinence": 8.0,
            "coherence": 6.0,
            "qualite-dossier": 7.0,
            "structurant": 5.0,
            "capacite": 9.0,
            "visibilite": 10.0,
        },
        admissible=True,
    )
    # 8×2,5 + 6×2 + 7×1,5 + 5×1,5 + 9×1,5 + 10×1 = 20 + 12 + 10,5 + 7,5 + 13,5 + 10 = 73,5
    enregistrer(appel, d1, EVA, eva_t1, SOUMISE, moteur=moteur)
    luc_t1 = Saisie(
        notes={
            "pertinence": 7.5,
            "coherence": 8.5,
            "qualite-dossier": 6.0,
            "structurant": 9.5,
            "capacite": 4.0,
            "visibilite": 3.0,
        },
        admissible=True,
    )
    # 18,75 + 17 + 9 + 14,25 + 6 + 3 = 68
    enregistrer(appel, d1, LUC, luc_t1, SOUMISE, moteur=moteur)
    enregistrer(appel, d2, ZOE, _complete(appel, 10.0), SOUMISE, moteur=moteur)
    enregistrer(appel, d2, EVA, _complete(appel, 5.0), BROUILLON, moteur=moteur)  # complet
    enregistrer(appel, d3, LUC, Saisie(notes={"pertinence": 9.0}), BROUILLON, moteur=moteur)

    totaux = _totaux(moteur, appel)
    assert list(totaux.index) == ["T-001", "T-002"]  # T-003 n'a aucune soumise
    assert sorted(totaux.columns) == [EVA, LUC, ZOE]
    assert totaux.loc["T-001", EVA] == pytest.approx(73.5)
    assert totaux.loc["T-001", LUC] == pytest.approx(68.0)
    assert pd.isna(totaux.loc["T-001", ZOE])
    assert totaux.loc["T-002", ZOE] == pytest.approx(100.0)
    assert pd.isna(totaux.loc["T-002", EVA])  # brouillon : pas parmi les soumises

    brouillons = _totaux(moteur, appel, statut=BROUILLON)
    # Le brouillon incomplet de LUC (T-003) n'a pas de total ; celui d'EVA (tout à 5) : 50.
    assert list(brouillons.index) == ["T-002"]
    assert list(brouillons.columns) == [EVA]
    assert brouillons.loc["T-002", EVA] == pytest.approx(50.0)


def test_totaux_vides(moteur, appel, demandes):
    assert _totaux(moteur, appel).empty
    creer_compte(EVA, "evaluateur", MDP, moteur=moteur)
    enregistrer(
        appel,
        demandes["T-001"],
        EVA,
        Saisie(notes={"pertinence": 6.0}),
        BROUILLON,
        moteur=moteur,
    )
    assert _totaux(moteur, appel).empty  # aucune soumise
    # Un brouillon incomplet n'a pas de total.
    assert _totaux(moteur, appel, statut=BROUILLON).empty


def test_totaux_soumises_incompletes_exclues(appel):
    """Une évaluation à qui manque une note (critère ajouté après coup, note vide) n'a pas de
    total ; les lignes sortent dans l'ordre des numéros, les colonnes dans celui des
    évaluateurs, quel que soit l'ordre lu."""
    criteres = [c.id for c in appel.criteres]

    def ligne(demande_id, evaluateur, notes):
        return {"demande_id": demande_id, "evaluateur": evaluateur} | notes

    par_evaluation = pd.DataFrame(
        [
            ligne(2, "b", dict.fromkeys(criteres, 4.0) | {"visibilite": None}),
            ligne(1, "b", dict.fromkeys(criteres[:-1], 10.0)),
            ligne(2, "a", dict.fromkeys(criteres, 2.0)),
            ligne(1, "a", dict.fromkeys(criteres, 10.0)),
            ligne(1, "c", dict.fromkeys(criteres, 0.0)),
        ],
        columns=["demande_id", "evaluateur", *criteres],
    )
    totaux = suivi.totaux(par_evaluation, appel, {1: "D-1", 2: "D-2"})
    assert list(totaux.index) == ["D-1", "D-2"]
    assert list(totaux.columns) == ["a", "c"]
    assert list(totaux["a"]) == [100.0, 20.0]
    assert totaux.loc["D-1", "c"] == 0.0 and pd.isna(totaux.loc["D-2", "c"])


def test_totaux_sans_arrondi(appel):
    """Les totaux restent exacts : l'arrondi est celui de l'affichage (`formats.note`), le même
    partout ; un arrondi ici (round(1.25, 1) = 1.2) donnait « 71,2 » pour 71,25 (issue 19)."""
    notes = {c.id: 0.0 for c in appel.criteres} | {"visibilite": 0.5, "structurant": 0.5}
    par_evaluation = pd.DataFrame([{"demande_id": 7, "evaluateur": "a"} | notes])
    # 0,5 × 1 + 0,5 × 1,5 = 1,25.
    assert suivi.totaux(par_evaluation, appel, {7: "D-7"}).loc["D-7", "a"] == 1.25


# --- ce que le verrouillage des évaluations figerait ---------------------------------------

FICHES = pd.DataFrame(
    {"id": [1, 2, 3], "no_demande": ["T-001", "T-002", "T-003"], "titre": ["Un", "Deux", None]}
)


def _evaluations(*lignes) -> pd.DataFrame:
    return pd.DataFrame(lignes, columns=["demande_id", "evaluateur", "statut"])


@pytest.mark.parametrize(
    ("reglages", "stockees", "conflits", "evaluations", "attendues"),
    [
        pytest.param(
            Reglages(),
            frozenset(),
            {},
            _evaluations((1, "a@x.ca", SOUMISE), (2, "a@x.ca", BROUILLON)),
            [
                ("a@x.ca", 2, BROUILLON),
                ("a@x.ca", 3, suivi.A_FAIRE),
                ("b@x.ca", 1, suivi.A_FAIRE),
                ("b@x.ca", 2, suivi.A_FAIRE),
                ("b@x.ca", 3, suivi.A_FAIRE),
            ],
            id="chacun-toutes",
        ),
        pytest.param(
            Reglages(),
            frozenset(),
            {(3, "a@x.ca"): Conflit(3, "a@x.ca", "sœur"), (1, "b@x.ca"): Conflit(1, "b@x.ca", "x")},
            # Un brouillon laissé sur une demande passée en conflit n'est plus attendu.
            _evaluations((3, "a@x.ca", BROUILLON), (2, "b@x.ca", SOUMISE)),
            [
                ("a@x.ca", 1, suivi.A_FAIRE),
                ("a@x.ca", 2, suivi.A_FAIRE),
                ("b@x.ca", 3, suivi.A_FAIRE),
            ],
            id="conflits-exclus",
        ),
        pytest.param(
            Reglages(evaluateurs_par_demande=1),
            frozenset({(1, "a@x.ca"), (2, "b@x.ca"), (3, "b@x.ca")}),
            {},
            # Une évaluation non attribuée (b sur 1) n'est pas attendue.
            _evaluations((1, "b@x.ca", BROUILLON), (3, "b@x.ca", SOUMISE)),
            [("a@x.ca", 1, suivi.A_FAIRE), ("b@x.ca", 2, suivi.A_FAIRE)],
            id="mode-n",
        ),
        pytest.param(
            Reglages(evaluateurs_par_demande=1),
            frozenset({(1, "a@x.ca"), (2, "b@x.ca")}),
            {},
            _evaluations((1, "a@x.ca", SOUMISE), (2, "b@x.ca", SOUMISE)),
            [],
            id="tout-soumis",
        ),
    ],
)
def test_evaluations_inachevees(reglages, stockees, conflits, evaluations, attendues):
    etat = Attributions(reglages, (1, 2, 3), ("a@x.ca", "b@x.ca"), stockees, conflits)
    table = suivi.evaluations_inachevees(etat, evaluations, FICHES)
    assert list(table.columns) == ["evaluateur", "nom", "demande_id", "no_demande", "titre", "etat"]
    assert list(zip(table["evaluateur"], table["demande_id"], table["etat"], strict=True)) == (
        attendues
    )


def test_evaluations_inachevees_noms_numeros_titres_et_ordre():
    """Triées par nom d'évaluateur puis par numéro : Zoé (a@) après Albert (z@) ; le numéro
    et le titre viennent des demandes, un titre absent est vide."""
    etat = Attributions(Reglages(), (3, 1), ("a@x.ca", "z@x.ca"), frozenset(), {})
    table = suivi.evaluations_inachevees(
        etat,
        _evaluations((1, "a@x.ca", SOUMISE), (3, "a@x.ca", SOUMISE)),
        FICHES,
        {"a@x.ca": "Zoé", "z@x.ca": "Albert"},
    )
    assert table[["nom", "no_demande", "titre"]].values.tolist() == [
        ["Albert", "T-001", "Un"],
        ["Albert", "T-003", ""],
    ]
    sans_noms = suivi.evaluations_inachevees(etat, _evaluations(), FICHES)
    assert list(sans_noms["nom"]) == ["a@x.ca", "a@x.ca", "z@x.ca", "z@x.ca"]
    assert list(sans_noms["no_demande"]) == ["T-001", "T-003", "T-001", "T-003"]


def test_evaluations_inachevees_sans_evaluateur():
    etat = Attributions(Reglages(), (1, 2), (), frozenset(), {})
    table = suivi.evaluations_inachevees(etat, _evaluations(), FICHES)
    assert table.empty and "etat" in table.columns


def test_deux_evaluateurs_du_meme_nom_restent_distincts():
    """Deux comptes « Marie Roy » : chaque colonne de totaux garde un en-tête distinct (la
    page Suivi plantait, « Duplicate column names »)."""
    noms = {"a@x.ca": "Marie Roy", "b@x.ca": "Marie Roy", "c@x.ca": "Luc Roy"}
    assert suivi.noms_distincts(noms) == {
        "a@x.ca": "Marie Roy (a@x.ca)",
        "b@x.ca": "Marie Roy (b@x.ca)",
        "c@x.ca": "Luc Roy",
    }
