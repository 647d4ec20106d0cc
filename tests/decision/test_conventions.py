"""Les inscriptions après la décision (issue 17, point 4), sur SQLite et PostgreSQL :
convention, versements, rapport ; refus, journal, vues périmées, droits.

Jeu : les demandes de valide.xlsx. T-002 retenue par le comité à 30 000 $ en 2024-2025 et
20 000 $ en 2025-2026 (fin du projet déclarée : 1er mars 2026) ; T-001 retenue à 20 000 $
la première année (fin : 15 mars 2025) ; T-003 refusée.
"""

import datetime as dt

import pytest

from evaluation.decision import conventions as c
from evaluation.decision import suivi_financier as regles
from evaluation.decision.financement import REFUSE, RETENU
from evaluation.notes import examens
from evaluation.notes.filtrage import A_VERIFIER, Reponse
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, OBSERVATEUR, PRESIDENT
from tests.filtrage import ecarter, reponses_toutes
from tests.ministere import approuver_les_recommandations, recommander

D = dt.date
ADMINISTRATION = "admin@exemple.qc.ca"
MAINTENANT = dt.datetime(2025, 9, 1, 10, 0)
SUIVI = ["convention", "versement", "rapport:recu"]  # les objets du journal du suivi


@pytest.fixture
def decidees(moteur, appel, demandes):
    recommander(moteur, appel, demandes["T-002"], RETENU, 3_000_000, 2_000_000)
    recommander(moteur, appel, demandes["T-001"], RETENU, 2_000_000)
    recommander(moteur, appel, demandes["T-003"], REFUSE)
    approuver_les_recommandations(moteur, appel)
    return demandes


def _ecrire(fonction, *args, moteur, **autres):
    valeurs = {"moteur": moteur, "auteur": ADMINISTRATION, "role": ADMIN}
    valeurs["maintenant"] = MAINTENANT
    return fonction(*args, **(valeurs | autres))


def test_une_seule_fonction_dit_qui_est_finance(moteur, appel, decidees):
    """La décision « retenu » du ministère (ici, la recommandation approuvée), avec ses
    montants par année."""
    with moteur.connect() as connexion:
        financees = c.demandes_financees(appel, connexion=connexion)
    assert financees == {
        decidees["T-001"]: (2_000_000, 0),
        decidees["T-002"]: (3_000_000, 2_000_000),
    }


def test_la_seule_recommandation_du_comite_ne_finance_rien(moteur, appel, demandes):
    """Retenue par le comité, pas encore décidée par le ministère : ni convention ni
    versement (le ministère « conserve cependant la responsabilité de la sélection
    définitive des projets et de la détermination des sommes »)."""
    recommander(moteur, appel, demandes["T-002"], RETENU, 3_000_000, 2_000_000)
    with moteur.connect() as connexion:
        assert c.demandes_financees(appel, connexion=connexion) == {}
    with pytest.raises(c.ErreurSuivi):
        _ecrire(c.enregistrer_convention, appel, demandes["T-002"], D(2024, 7, 1), moteur=moteur)


def test_une_demande_dont_l_admissibilite_n_est_plus_etablie_n_est_plus_financee(
    moteur, appel, decidees
):
    """Interprétation : une demande « ni classée, ni financée » tant que son admissibilité
    n'est pas établie (notes/filtrage.py) ; jugée inadmissible ou remise « à vérifier »
    après la décision, elle sort du suivi des demandes financées."""
    ecarter(moteur, appel, decidees["T-001"], "Budget incomplet.", "budget-detaille")
    reponses = reponses_toutes(appel)
    reponses[appel.conditions[0].id] = Reponse(A_VERIFIER, "Pièce à confirmer.")
    examens.examiner(appel, decidees["T-002"], reponses, moteur=moteur, auteur="analyste@x.qc.ca")
    with moteur.connect() as connexion:
        assert c.demandes_financees(appel, connexion=connexion) == {}


def test_la_decision_du_ministere_l_emporte(moteur, appel, decidees):
    """« Le ministère [...] conserve cependant la responsabilité de la sélection définitive
    des projets et de la détermination des sommes qui leur seront accordées » : T-001,
    retenue par le comité, refusée par le ministère, n'est plus suivie ; T-003, refusée par
    le comité, retenue par le ministère à 15 000 $, l'est ; T-002 garde la recommandation."""
    lignes = [
        (decidees["T-001"], REFUSE, 0),
        (decidees["T-003"], RETENU, 1_500_000),
    ]
    with stockage.ecriture(moteur) as connexion:
        stockage.ajouter_decisions_ministre(
            [
                {
                    "appel_id": appel.id,
                    "demande_id": d,
                    "decision": decision,
                    "montant_an1": an1,
                    "montant_an2": 0,
                    "raison": "Décision du ministère",
                    "autorite": "Marie Ministre",
                    "decision_comite_id": None,
                    "date": dt.datetime(2024, 6, 1),
                    "auteur": ADMINISTRATION,
                }
                for d, decision, an1 in lignes
            ],
            connexion=connexion,
        )
    with moteur.connect() as connexion:
        financees = c.demandes_financees(appel, connexion=connexion)
    assert financees == {
        decidees["T-002"]: (3_000_000, 2_000_000),
        decidees["T-003"]: (1_500_000, 0),
    }


def test_suivi_avant_toute_inscription(moteur, appel, decidees):
    suivi = c.suivi(appel, moteur=moteur, au=D(2025, 9, 1))
    t = suivi.tableau.set_index("no_demande")
    assert t.index.tolist() == ["T-001", "T-002"]
    assert t.loc["T-002", "prevu_an1"] == 3_000_000 and t.loc["T-002", "prevu_an2"] == 2_000_000
    assert t.loc["T-001", "statut"] == regles.CONVENTION_A_SIGNER
    # T-001 : projet fini le 15 mars 2025, rapport dû 90 jours plus tard (réglage du
    # ministère) : le 13 juin 2025, en retard de 80 jours au 1er septembre 2025.
    assert t.loc["T-001", "echeance_rapport"] == D(2025, 6, 13)
    assert suivi.en_retard["no_demande"].tolist() == ["T-001"]
    assert suivi.en_retard["retard_jours"].tolist() == [80]
    assert suivi.versions[decidees["T-002"]] == {"convention": 0, "versements": 0, "rapport": 0}


def test_convention_versements_rapport_journalises(moteur, appel, decidees):
    t2 = decidees["T-002"]
    _ecrire(c.enregistrer_convention, appel, t2, D(2024, 6, 10), moteur=moteur, note="signée")
    _ecrire(c.enregistrer_versement, appel, t2, 1, 2_000_000, D(2024, 7, 2), moteur=moteur)
    _ecrire(c.enregistrer_versement, appel, t2, 1, 1_000_000, D(2025, 2, 3), moteur=moteur)
    _ecrire(c.enregistrer_versement, appel, t2, 2, 500_000, D(2025, 8, 1), moteur=moteur)
    ligne = c.suivi(appel, moteur=moteur, au=D(2025, 9, 1)).tableau.set_index("no_demande")
    ligne = ligne.loc["T-002"]
    assert ligne["date_signature"] == D(2024, 6, 10)
    assert (ligne["verse_an1"], ligne["verse_an2"], ligne["reste"]) == (
        3_000_000,
        500_000,
        1_500_000,
    )
    assert ligne["statut"] == regles.VERSEMENTS_EN_COURS
    _ecrire(c.enregistrer_rapport, appel, t2, D(2025, 8, 20), moteur=moteur)
    ligne = c.suivi(appel, moteur=moteur, au=D(2025, 9, 1)).tableau.set_index("no_demande")
    assert ligne.loc["T-002", "etat_rapport"] == regles.RECU
    with moteur.connect() as connexion:
        versements = stockage.lire_versements(appel.id, connexion=connexion, demande_id=t2)
        journal = stockage.lire_journal(connexion=connexion, demande_id=t2, objets=SUIVI)
    # Le montant prévu de l'année est gardé avec chaque versement, pour mémoire.
    assert [(v["annee"], v["montant_prevu"], v["montant_verse"]) for v in versements] == [
        (1, 3_000_000, 2_000_000),
        (1, 3_000_000, 1_000_000),
        (2, 2_000_000, 500_000),
    ]
    objets = journal["objet"].tolist()
    assert objets == ["convention", "versement", "versement", "versement", "rapport:recu"]
    nouveaux = journal["nouveau"].tolist()
    assert nouveaux[0] == "signée le 10 juin 2024 (signée)"
    assert nouveaux[2] == (
        "10\u00a0000\u00a0$ pour 2024-2025, versé le 3 février 2025 ; total versé "
        "30\u00a0000\u00a0$ sur 30\u00a0000\u00a0$ accordés"
    )
    assert nouveaux[4] == "reçu le 20 août 2025 ; échéance 30 mai 2026 : reçu"
    assert set(journal["auteur"]) == {ADMINISTRATION}


def test_trop_paye_refuse_et_rien_n_est_ecrit(moteur, appel, decidees):
    """« la détermination des sommes qui leur seront accordées » revient au ministère :
    au-delà des 20 000 $ accordés pour 2025-2026, refusé."""
    t2 = decidees["T-002"]
    _ecrire(c.enregistrer_convention, appel, t2, D(2024, 6, 10), moteur=moteur)
    _ecrire(c.enregistrer_versement, appel, t2, 2, 1_500_000, D(2025, 8, 1), moteur=moteur)
    with pytest.raises(c.ErreurSuivi, match=r"T-002 : .* au-delà des 20"):
        _ecrire(c.enregistrer_versement, appel, t2, 2, 500_001, D(2025, 8, 2), moteur=moteur)
    with moteur.connect() as connexion:
        assert len(stockage.lire_versements(appel.id, connexion=connexion)) == 1
        assert stockage.lire_journal(connexion=connexion)["objet"].tolist().count("versement") == 1


@pytest.mark.parametrize(
    ("quoi", "motif"),
    [
        ("versement_sans_convention", "aucune convention n'est signée"),
        ("convention_refusee", "n'est pas financée"),
        ("convention_future", "après aujourd'hui"),
        ("echeance_avant_signature", "doit suivre la signature"),
        ("rapport_non_suivi", "n'est pas suivie"),
        ("rapport_futur", "après aujourd'hui"),
    ],
)
def test_inscriptions_refusees(moteur, appel, decidees, quoi, motif):
    t1, t3 = decidees["T-001"], decidees["T-003"]
    appels = {
        "versement_sans_convention": lambda: _ecrire(
            c.enregistrer_versement, appel, t1, 1, 100, D(2024, 8, 1), moteur=moteur
        ),
        "convention_refusee": lambda: _ecrire(
            c.enregistrer_convention, appel, t3, D(2024, 6, 1), moteur=moteur
        ),
        "convention_future": lambda: _ecrire(
            c.enregistrer_convention, appel, t1, D(2025, 9, 2), moteur=moteur
        ),
        "echeance_avant_signature": lambda: _ecrire(
            c.enregistrer_convention,
            appel,
            t1,
            D(2024, 6, 1),
            echeance_rapport=D(2024, 6, 1),
            moteur=moteur,
        ),
        "rapport_non_suivi": lambda: _ecrire(
            c.enregistrer_rapport, appel, t3, D(2025, 1, 1), moteur=moteur
        ),
        "rapport_futur": lambda: _ecrire(
            c.enregistrer_rapport, appel, t1, D(2025, 9, 2), moteur=moteur
        ),
    }
    with pytest.raises(c.ErreurSuivi, match=motif):
        appels[quoi]()
    with moteur.connect() as connexion:
        journal = stockage.lire_journal(connexion=connexion)
    assert not set(journal["objet"]) & {"convention", "versement", "rapport:recu"}


@pytest.mark.parametrize("role", [PRESIDENT, OBSERVATEUR, None])
def test_seule_l_administration_inscrit(moteur, appel, decidees, role):
    with pytest.raises(c.ErreurSuivi, match="seule l'administration"):
        _ecrire(
            c.enregistrer_convention,
            appel,
            decidees["T-001"],
            D(2024, 6, 1),
            moteur=moteur,
            role=role,
        )


def test_versement_d_apres_une_vue_perimee_refuse(moteur, appel, decidees):
    """Deux onglets ouverts sur le même dossier : le second versement, d'après une vue qui
    ne voyait pas le premier, est refusé et dit lequel a été inscrit entre-temps."""
    t1 = decidees["T-001"]
    _ecrire(c.enregistrer_convention, appel, t1, D(2024, 6, 1), moteur=moteur)
    vue = c.suivi(appel, moteur=moteur, au=D(2025, 9, 1)).versions[t1]["versements"]
    _ecrire(
        c.enregistrer_versement,
        appel,
        t1,
        1,
        1_000_000,
        D(2024, 7, 1),
        moteur=moteur,
        version_attendue=vue,
    )
    with pytest.raises(
        c.SuiviPerime, match="Le suivi des versements de T-001 a été modifié depuis"
    ) as refus:
        _ecrire(
            c.enregistrer_versement,
            appel,
            t1,
            1,
            1_000_000,
            D(2024, 7, 1),
            moteur=moteur,
            version_attendue=vue,
        )
    assert "10\u00a0000\u00a0$ pour 2024-2025, versé le 1er juillet 2024" in str(refus.value)
    with moteur.connect() as connexion:
        assert len(stockage.lire_versements(appel.id, connexion=connexion)) == 1


def test_convention_remplacee_et_echeance_de_la_convention(moteur, appel, decidees):
    t1 = decidees["T-001"]
    _ecrire(c.enregistrer_convention, appel, t1, D(2024, 6, 1), moteur=moteur)
    version = c.suivi(appel, moteur=moteur).versions[t1]["convention"]
    _ecrire(
        c.enregistrer_convention,
        appel,
        t1,
        D(2024, 6, 3),
        echeance_rapport=D(2025, 10, 1),
        moteur=moteur,
        version_attendue=version,
    )
    suivi = c.suivi(appel, moteur=moteur, au=D(2025, 9, 1))
    ligne = suivi.tableau.set_index("no_demande").loc["T-001"]
    assert (ligne["date_signature"], ligne["echeance_rapport"]) == (D(2024, 6, 3), D(2025, 10, 1))
    assert ligne["echeance_source"] == regles.PAR_CONVENTION
    assert suivi.en_retard.empty
    with moteur.connect() as connexion:
        journal = stockage.lire_journal(connexion=connexion, demande_id=t1, objets=SUIVI)
    assert journal["ancien"].tolist() == [None, "signée le 1er juin 2024"]


def test_demande_plus_retenue_reste_suivie(moteur, appel, decidees):
    """Une demande payée puis refusée par le ministère reste au tableau : ses versements
    sont à régulariser, et plus aucun versement ne s'y inscrit."""
    t1 = decidees["T-001"]
    _ecrire(c.enregistrer_convention, appel, t1, D(2024, 6, 1), moteur=moteur)
    _ecrire(c.enregistrer_versement, appel, t1, 1, 500_000, D(2024, 7, 1), moteur=moteur)
    recommander(moteur, appel, t1, REFUSE)
    approuver_les_recommandations(moteur, appel)
    ligne = c.suivi(appel, moteur=moteur).tableau.set_index("no_demande").loc["T-001"]
    assert (ligne["statut"], ligne["total_prevu"], ligne["total_verse"]) == (
        regles.A_REGULARISER,
        0,
        500_000,
    )
    with pytest.raises(c.ErreurSuivi, match="n'est pas financée"):
        _ecrire(c.enregistrer_versement, appel, t1, 1, 100, D(2024, 7, 2), moteur=moteur)


def test_convention_d_apres_une_vue_perimee_refusee(moteur, appel, decidees):
    t1 = decidees["T-001"]
    vue = c.suivi(appel, moteur=moteur).versions[t1]["convention"]
    _ecrire(c.enregistrer_convention, appel, t1, D(2024, 6, 1), moteur=moteur, version_attendue=vue)
    with pytest.raises(c.SuiviPerime, match="La convention de T-001 a été modifiée depuis"):
        _ecrire(
            c.enregistrer_convention, appel, t1, D(2024, 6, 2), moteur=moteur, version_attendue=vue
        )
    with moteur.connect() as connexion:
        (convention,) = stockage.lire_conventions(appel.id, connexion=connexion)
    assert convention["date_signature"] == D(2024, 6, 1)


def test_decision_reduite_sous_le_verse_avertit_et_le_suivi_le_signale(moteur, appel, decidees):
    """20 000 $ versés à T-001 en 2024-2025, puis le ministère réduit la décision à 5 000 $.
    Il « conserve cependant la responsabilité […] de la détermination des sommes qui leur
    seront accordées » : la décision s'inscrit (pas de refus), mais avec un avertissement,
    et le suivi dit « trop-payé à régulariser (15 000 $) » au lieu d'un reste négatif
    caché sous « rapport en retard ». Interprétation (pratique du ministère)."""
    from evaluation.decision import decisions_ministre
    from evaluation.notes.attributions import verrouiller
    from evaluation.socle.roles import AUTORITE

    t1 = decidees["T-001"]
    _ecrire(c.enregistrer_convention, appel, t1, D(2024, 6, 1), moteur=moteur)
    _ecrire(c.enregistrer_versement, appel, t1, 1, 2_000_000, D(2024, 9, 1), moteur=moteur)
    verrouiller(appel.id, True, moteur=moteur, auteur="p", quoi="decisions_verrouillees")
    avertissements = decisions_ministre.decider(
        appel,
        t1,
        RETENU,
        (500_000, 0),
        "Réduction du projet",
        autorite="Marie Ministre",
        moteur=moteur,
        auteur="ministre@x.ca",
        role=AUTORITE,
        maintenant=MAINTENANT,
    )
    assert [a.replace("\u00a0", " ") for a in avertissements] == [
        "Attention : T-001 a déjà reçu plus que ce que cette décision accorde (20 000 $ déjà "
        "versés pour 2024-2025, plus que les 5 000 $ accordés) : le trop-payé est à "
        "régulariser (page Conventions et versements)."
    ]
    ligne = c.suivi(appel, moteur=moteur, au=D(2026, 7, 1)).tableau.set_index("demande_id").loc[t1]
    assert (ligne["reste"], ligne["trop_paye"]) == (-1_500_000, 1_500_000)
    assert ligne["statut"].replace("\u00a0", " ") == "trop-payé à régulariser (15 000 $)"
    # Une décision qui ne descend pas sous le versé n'avertit de rien.
    assert (
        decisions_ministre.decider(
            appel,
            t1,
            RETENU,
            (2_000_000, 0),
            "Rétablie",
            autorite="Marie Ministre",
            moteur=moteur,
            auteur="ministre@x.ca",
            role=AUTORITE,
            maintenant=MAINTENANT,
        )
        == []
    )
