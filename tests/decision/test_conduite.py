"""La conduite de la séance (evaluation/decision/conduite.py), sur SQLite et PostgreSQL : qui
peut quoi (vérifié côté serveur), une seule séance ouverte, la demande en cours et sa
version, les présents avec ou sans compte, le tri d'un bloc et le retour d'une demande,
chaque changement au journal, et la version des données qui ne bouge pas."""

import datetime as dt

import pytest

from evaluation.decision import conduite
from evaluation.decision.conduite import SeancePerimee
from evaluation.decision.seance import NON_DISCUTEE, RAMENEE, ErreurSeance
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, EVALUATEUR, MEMBRE, OBSERVATEUR, PRESIDENT

PRES, MEMB = "pres@x.ca", "membre@x.ca"
LUNDI = dt.datetime(2026, 11, 30, 9, 0)
MINUTE = dt.timedelta(minutes=1)


def _ouvrir(appel, moteur, **autres):
    valeurs = {"auteur": PRES, "role": PRESIDENT, "ordre": "rang", "maintenant": LUNDI}
    valeurs.update(autres)
    return conduite.ouvrir(appel, moteur=moteur, **valeurs)


def _journal(moteur, appel):
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id)
    j = j[j["objet"].str.startswith("seance:")]
    return [tuple(x) for x in j[["auteur", "objet", "ancien", "nouveau"]].to_numpy()]


def test_ouvrir_avec_presents_et_personnes_sans_compte(moteur, appel, demandes):
    sid = _ouvrir(
        appel,
        moteur,
        presents=["m1@x.ca", "m2@x.ca", "m1@x.ca"],
        sans_compte=[("Marie Roy", " secrétaire du comité "), ("", ""), ("Jean Roy", "")],
    )
    s = conduite.seance_ouverte(appel.id, moteur=moteur)
    assert (s.id, s.ordre, s.ouverte_par, s.demande_courante, s.version) == (
        sid,
        "rang",
        PRES,
        None,
        1,
    )
    assert [(p["courriel"], p["nom"], p["fonction"]) for p in s.presences] == [
        ("m1@x.ca", None, None),
        ("m2@x.ca", None, None),
        (None, "Marie Roy", "secrétaire du comité"),
        (None, "Jean Roy", None),
    ]
    assert _journal(moteur, appel) == [
        (PRES, "seance:ouverture", None, "Rang"),
        (PRES, "seance:presence", None, "m1@x.ca"),
        (PRES, "seance:presence", None, "m2@x.ca"),
        (PRES, "seance:presence", None, "Marie Roy (secrétaire du comité, sans compte)"),
        (PRES, "seance:presence", None, "Jean Roy (sans compte)"),
    ]


@pytest.mark.parametrize("role", [MEMBRE, OBSERVATEUR, EVALUATEUR, None])
def test_seule_la_presidence_conduit(moteur, appel, demandes, role):
    with pytest.raises(ErreurSeance, match="revient à la présidence du comité"):
        _ouvrir(appel, moteur, role=role)
    sid = _ouvrir(appel, moteur, role=ADMIN)
    t1 = demandes["T-001"]
    for action in (
        lambda: conduite.aller_a(appel, sid, t1, moteur=moteur, auteur=MEMB, role=role),
        lambda: conduite.trier(appel, sid, [t1], moteur=moteur, auteur=MEMB, role=role),
        lambda: conduite.choisir_ordre(appel, sid, "axe", moteur=moteur, auteur=MEMB, role=role),
        lambda: conduite.fermer(appel, sid, moteur=moteur, auteur=MEMB, role=role),
    ):
        with pytest.raises(ErreurSeance, match="revient à la présidence"):
            action()
    assert conduite.seance_ouverte(appel.id, moteur=moteur).demande_courante is None


@pytest.mark.parametrize(
    ("sans_compte", "message"),
    [
        ([("", "secrétaire")], "n'a pas de nom"),
        ([("x" * 10_001, "")], "Le nom"),
    ],
)
def test_personne_sans_compte_refusee(moteur, appel, demandes, sans_compte, message):
    with pytest.raises(ErreurSeance, match=message):
        _ouvrir(appel, moteur, sans_compte=sans_compte)
    assert conduite.seance_ouverte(appel.id, moteur=moteur) is None


def test_une_seule_seance_ouverte(moteur, appel, demandes):
    sid = _ouvrir(appel, moteur)
    with pytest.raises(ErreurSeance, match="une séance est déjà ouverte depuis 09 h 00"):
        _ouvrir(appel, moteur)
    conduite.fermer(appel, sid, moteur=moteur, auteur=PRES, role=PRESIDENT)
    assert conduite.seance_ouverte(appel.id, moteur=moteur) is None
    assert conduite.derniere_seance(appel.id, moteur=moteur).id == sid
    with pytest.raises(ErreurSeance, match="la séance est fermée"):
        conduite.aller_a(appel, sid, demandes["T-001"], moteur=moteur, auteur=PRES, role=PRESIDENT)
    assert _ouvrir(appel, moteur) != sid


def test_aller_a_suit_la_version_et_ne_change_pas_la_version_des_donnees(moteur, appel, demandes):
    sid = _ouvrir(appel, moteur)
    t1, t2 = demandes["T-001"], demandes["T-002"]
    with moteur.connect() as c:
        avant = stockage.versions_donnees(connexion=c)
    v = conduite.aller_a(
        appel, sid, t2, moteur=moteur, auteur=PRES, role=PRESIDENT, version_attendue=1
    )
    assert v == 2
    assert conduite.etat_courant(appel.id, moteur=moteur) == (sid, t2, 2)
    # Un second écran de la présidence, resté sur la version 1 : refusé, rien n'est écrasé.
    with pytest.raises(SeancePerimee, match="La séance a été modifiée depuis"):
        conduite.aller_a(
            appel, sid, t1, moteur=moteur, auteur=ADMIN, role=ADMIN, version_attendue=1
        )
    assert conduite.etat_courant(appel.id, moteur=moteur) == (sid, t2, 2)
    # Revenir sur la même demande ne change rien.
    assert conduite.aller_a(appel, sid, t2, moteur=moteur, auteur=PRES, role=PRESIDENT) == 2
    conduite.aller_a(appel, sid, t1, moteur=moteur, auteur=PRES, role=PRESIDENT)
    with moteur.connect() as c:
        assert stockage.versions_donnees(connexion=c) == avant  # aucun classement à refaire
    s = conduite.seance_ouverte(appel.id, moteur=moteur)
    assert [d for d, _ in s.amenees] == [t2, t1]
    assert _journal(moteur, appel)[1:] == [
        (PRES, "seance:demande_courante", None, "T-002"),
        (PRES, "seance:demande_courante", "T-002", "T-001"),
    ]


def test_demande_d_un_autre_appel_refusee(moteur, appel, demandes):
    sid = _ouvrir(appel, moteur)
    with pytest.raises(ErreurSeance, match="cette demande n'existe pas dans l'appel"):
        conduite.aller_a(appel, sid, 99_999, moteur=moteur, auteur=PRES, role=PRESIDENT)


def test_choisir_l_ordre(moteur, appel, demandes):
    sid = _ouvrir(appel, moteur)
    assert (
        conduite.choisir_ordre(
            appel, sid, "a_discuter", moteur=moteur, auteur=PRES, role=PRESIDENT, version_attendue=1
        )
        == 2
    )
    assert conduite.seance_ouverte(appel.id, moteur=moteur).ordre == "a_discuter"
    with pytest.raises(ErreurSeance, match="ordre « hasard » inconnu"):
        conduite.choisir_ordre(appel, sid, "hasard", moteur=moteur, auteur=PRES, role=PRESIDENT)
    assert (PRES, "seance:ordre", "Rang", "À discuter d'abord") in _journal(moteur, appel)


def test_trier_un_bloc_puis_un_membre_ramene(moteur, appel, demandes):
    sid = _ouvrir(appel, moteur)
    t1, t2, t3 = demandes["T-001"], demandes["T-002"], demandes["T-003"]
    conduite.aller_a(
        appel, sid, t1, moteur=moteur, auteur=PRES, role=PRESIDENT, maintenant=LUNDI + MINUTE
    )
    assert conduite.trier(appel, sid, [t1, t2, t1], moteur=moteur, auteur=PRES, role=PRESIDENT) == 2
    # Déjà triées : rien de plus.
    assert conduite.trier(appel, sid, [t2], moteur=moteur, auteur=PRES, role=PRESIDENT) == 0
    s = conduite.seance_ouverte(appel.id, moteur=moteur)
    assert s.triage == {t1: NON_DISCUTEE, t2: NON_DISCUTEE}
    assert s.discutees == []  # T-001 amenée puis triée : pas discutée

    for role in (OBSERVATEUR, EVALUATEUR):
        with pytest.raises(ErreurSeance, match="revient aux membres du comité"):
            conduite.ramener(appel, sid, t1, moteur=moteur, auteur="o@x.ca", role=role)
    conduite.ramener(appel, sid, t1, moteur=moteur, auteur=MEMB, role=MEMBRE)
    with pytest.raises(ErreurSeance, match="T-003 n'est pas triée"):
        conduite.ramener(appel, sid, t3, moteur=moteur, auteur=MEMB, role=MEMBRE)
    s = conduite.seance_ouverte(appel.id, moteur=moteur)
    assert s.triage == {t1: RAMENEE, t2: NON_DISCUTEE}
    assert s.discutees == [t1]
    journal = _journal(moteur, appel)
    assert (PRES, "seance:triage", None, "T-002 : non discutée, suit le classement") in journal
    assert journal[-1] == (MEMB, "seance:ramenee", NON_DISCUTEE, "T-001 : ramenée à la discussion")


def test_presences_en_cours_de_seance(moteur, appel, demandes):
    sid = _ouvrir(appel, moteur, presents=["m1@x.ca"])
    conduite.ajouter_presents(
        appel,
        sid,
        moteur=moteur,
        auteur=PRES,
        role=PRESIDENT,
        presents=["m1@x.ca", "m2@x.ca"],
        sans_compte=[("Ana", "juriste")],
    )
    s = conduite.seance_ouverte(appel.id, moteur=moteur)
    assert [p["courriel"] or p["nom"] for p in s.presences] == ["m1@x.ca", "m2@x.ca", "Ana"]
    conduite.retirer_present(
        appel, sid, s.presences[0]["id"], moteur=moteur, auteur=PRES, role=PRESIDENT
    )
    with pytest.raises(ErreurSeance, match="cette présence n'existe plus"):
        conduite.retirer_present(
            appel, sid, s.presences[0]["id"], moteur=moteur, auteur=PRES, role=PRESIDENT
        )
    assert [
        p["courriel"] or p["nom"]
        for p in conduite.seance_ouverte(appel.id, moteur=moteur).presences
    ] == ["m2@x.ca", "Ana"]
    assert _journal(moteur, appel)[-1] == (PRES, "seance:presence", "m1@x.ca", None)


def test_fermer_dit_combien_de_demandes_discutees(moteur, appel, demandes):
    """T-002 reste 5 minutes à l'écran, T-003 10 secondes (un passage), T-001 jusqu'à la
    fermeture : deux discutées."""
    sid = _ouvrir(appel, moteur)
    for minutes, numero in ((1, "T-002"), (6, "T-003")):
        conduite.aller_a(
            appel,
            sid,
            demandes[numero],
            moteur=moteur,
            auteur=PRES,
            role=PRESIDENT,
            maintenant=LUNDI + minutes * MINUTE,
        )
    conduite.aller_a(
        appel,
        sid,
        demandes["T-001"],
        moteur=moteur,
        auteur=PRES,
        role=PRESIDENT,
        maintenant=LUNDI + 6 * MINUTE + dt.timedelta(seconds=10),
    )
    conduite.fermer(
        appel, sid, moteur=moteur, auteur=PRES, role=PRESIDENT, maintenant=LUNDI + 9 * MINUTE
    )
    assert _journal(moteur, appel)[-1] == (
        PRES,
        "seance:fermeture",
        None,
        "Demandes discutées : 2",
    )
    s = conduite.derniere_seance(appel.id, moteur=moteur)
    assert not s.ouverte and s.discutees == [demandes["T-002"], demandes["T-001"]]


def test_une_decision_pendant_la_seance_fait_compter_la_demande(moteur, appel, demandes):
    """T-003 passe 10 secondes à l'écran, mais la présidence y inscrit une décision :
    discutée. Une décision inscrite avant l'ouverture ne compte pas."""
    t1, t3 = demandes["T-001"], demandes["T-003"]
    with stockage.ecriture(moteur, stockage.decisions, lourde=False) as c:
        for d, quand in ((t1, LUNDI - MINUTE), (t3, LUNDI + MINUTE + dt.timedelta(seconds=5))):
            stockage.ajouter_decision(
                {
                    "appel_id": appel.id,
                    "demande_id": d,
                    "decision": "liste d'attente",
                    "montant_an1": 0,
                    "montant_an2": 0,
                    "date": quand,
                    "auteur": PRES,
                },
                connexion=c,
            )
    sid = _ouvrir(appel, moteur)
    for quand, d in ((LUNDI, t1), (LUNDI + MINUTE, t3)):
        conduite.aller_a(
            appel, sid, d, moteur=moteur, auteur=PRES, role=PRESIDENT, maintenant=quand
        )
    conduite.aller_a(
        appel,
        sid,
        t1,
        moteur=moteur,
        auteur=PRES,
        role=PRESIDENT,
        maintenant=LUNDI + MINUTE + dt.timedelta(seconds=10),
    )
    conduite.fermer(
        appel,
        sid,
        moteur=moteur,
        auteur=PRES,
        role=PRESIDENT,
        maintenant=LUNDI + MINUTE + dt.timedelta(seconds=15),
    )
    s = conduite.derniere_seance(appel.id, moteur=moteur)
    assert s.decidees == frozenset({t3})
    # T-001 : 60 s puis 5 s ; T-003 : 10 s, décidée pendant la séance.
    assert s.discutees == [t1, t3]


def test_amener_une_demande_triee_la_ramene(moteur, appel, demandes):
    """La présidence amène par la recherche une demande triée « non discutée » : elle est
    ramenée (journalisé), et compte comme discutée si elle reste à l'écran."""
    sid = _ouvrir(appel, moteur)
    t1, t2 = demandes["T-001"], demandes["T-002"]
    conduite.trier(appel, sid, [t1, t2], moteur=moteur, auteur=PRES, role=PRESIDENT)
    conduite.aller_a(appel, sid, t2, moteur=moteur, auteur=PRES, role=PRESIDENT, maintenant=LUNDI)
    conduite.fermer(
        appel, sid, moteur=moteur, auteur=PRES, role=PRESIDENT, maintenant=LUNDI + MINUTE
    )
    s = conduite.derniere_seance(appel.id, moteur=moteur)
    assert s.triage == {t1: NON_DISCUTEE, t2: RAMENEE}
    assert s.discutees == [t2]
    assert (
        PRES,
        "seance:ramenee",
        NON_DISCUTEE,
        "T-002 : ramenée en l'amenant en séance",
    ) in _journal(moteur, appel)


def _conflit(moteur, appel, demande_id, qui):
    with stockage.ecriture(moteur, stockage.conflits, lourde=False) as c:
        stockage.ajouter_conflit(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "evaluateur": qui,
                "raison": "conjoint employé",
                "date": LUNDI,
                "auteur": qui,
            },
            connexion=c,
        )


def test_en_conflit_on_ne_trie_ni_ne_ramene_la_demande(moteur, appel, demandes):
    """Une personne en conflit sort de la salle pendant la délibération : elle ne décide
    pas non plus que la demande sera discutée ou non."""
    sid = _ouvrir(appel, moteur)
    t1, t2, t3 = demandes["T-001"], demandes["T-002"], demandes["T-003"]
    _conflit(moteur, appel, t2, " PRES@x.ca ")
    _conflit(moteur, appel, t1, MEMB)
    with pytest.raises(
        ErreurSeance, match="conflit d'intérêts sur T-002 : vous ne pouvez pas la trier"
    ):
        conduite.trier(appel, sid, [t1, t2, t3], moteur=moteur, auteur=PRES, role=PRESIDENT)
    assert conduite.seance_ouverte(appel.id, moteur=moteur).triage == {}
    assert conduite.trier(appel, sid, [t1, t3], moteur=moteur, auteur=PRES, role=PRESIDENT) == 2
    with pytest.raises(
        ErreurSeance, match="conflit d'intérêts sur T-001 : vous ne pouvez pas la ramener"
    ):
        conduite.ramener(appel, sid, t1, moteur=moteur, auteur=MEMB, role=MEMBRE)
    conduite.ramener(appel, sid, t3, moteur=moteur, auteur=MEMB, role=MEMBRE)
    assert conduite.seance_ouverte(appel.id, moteur=moteur).triage == {
        t1: NON_DISCUTEE,
        t3: RAMENEE,
    }


def test_toutes_les_seances_de_l_appel(moteur, appel, demandes):
    premiere = _ouvrir(appel, moteur)
    conduite.fermer(appel, premiere, moteur=moteur, auteur=PRES, role=PRESIDENT)
    seconde = _ouvrir(appel, moteur, maintenant=LUNDI + dt.timedelta(days=7))
    assert [s.id for s in conduite.seances(appel.id, moteur=moteur)] == [premiere, seconde]
