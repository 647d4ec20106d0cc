"""Issue 16, « Decisions stay coherent » : des décisions groupées (plusieurs demandes, une
raison), tout ou rien, avec verrou, conflits, quorum et versions ; et un scénario adopté qui
demande une raison pour chaque demande qu'il fait passer la ligne de financement contre le
classement. Sur SQLite et PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from evaluation.decision import decisions, financement
from evaluation.decision.declarations import declarer_conflit
from evaluation.decision.financement import (
    LISTE_ATTENTE,
    REFUSE,
    RETENU,
    ErreurFinancement,
    FinancementPerime,
)
from evaluation.notes.attributions import verrouiller
from evaluation.socle import stockage
from tests.decision.test_decisions import (
    _decisions_par_demande,
    _journal_des_decisions,
    _scenario,
)

P = "presidence@x.ca"


def _lot(appel, moteur, ids, decision=RETENU, justification="même profil", **options):
    return decisions.enregistrer_decisions_en_lot(
        appel, ids, decision, justification, moteur=moteur, auteur=options.pop("auteur", P),
        **options,
    )  # fmt: skip


def _versions(moteur, appel) -> tuple[int, int]:
    with moteur.connect() as c:
        return (
            financement.version_decision(stockage.lire_decisions(appel.id, connexion=c)),
            financement.version_montants(stockage.lire_montants_recommandes(appel.id, connexion=c)),
        )


# --- Décisions groupées -------------------------------------------------------------------


def test_lot_retenu_au_montant_recommande_en_vigueur(moteur, appel, demandes):
    """Retenues ensemble : chacune à son montant recommandé, celui de la règle (T-002 :
    30 000 $ par an demandés, plafonnés à 25 000 $) ou celui que la présidence a fixé
    (T-001 : 15 000 $ au lieu de 20 000 $) ; une justification pour toutes, chaque décision
    au journal."""
    t1, t2 = demandes["T-001"], demandes["T-002"]
    decisions.modifier_montant(appel, t1, 1, 1_500_000, "budget révisé", moteur=moteur, auteur=P)
    n = _lot(appel, moteur, [t2, t1, t2], justification="  projets régionaux ")
    assert n == 2
    assert _decisions_par_demande(moteur, appel) == {
        t2: (RETENU, 2_500_000, 2_500_000, "projets régionaux", P),
        t1: (RETENU, 1_500_000, 0, "projets régionaux", P),
    }
    assert _journal_des_decisions(moteur, appel) == [
        [t2, P, None, "retenu (25\u00a0000\u00a0$, 25\u00a0000\u00a0$) : projets régionaux "
         "(décision groupée)"],
        [t1, P, None, "retenu (15\u00a0000\u00a0$, 0\u00a0$) : projets régionaux "
         "(décision groupée)"],
    ]  # fmt: skip


@pytest.mark.parametrize("decision", [LISTE_ATTENTE, REFUSE])
def test_lot_sans_montant_hors_retenu(moteur, appel, demandes, decision):
    t1, t3 = demandes["T-001"], demandes["T-003"]
    _lot(appel, moteur, [t1], RETENU, "d'abord")
    _lot(appel, moteur, [t1, t3], decision, "ensuite")
    d = _decisions_par_demande(moteur, appel)
    assert {k: v[:4] for k, v in d.items()} == {
        t1: (decision, 0, 0, "ensuite"),
        t3: (decision, 0, 0, "ensuite"),
    }
    # L'ancienne décision de T-001 est au journal.
    assert _journal_des_decisions(moteur, appel)[1][2] == "retenu (20\u00a0000\u00a0$, 0\u00a0$)"


@pytest.mark.parametrize(
    ("ids", "decision", "justification", "message"),
    [
        pytest.param([], RETENU, "x", "aucune demande choisie", id="aucune"),
        pytest.param(["T-001"], RETENU, "  ", "demande une justification", id="sans-raison"),
        pytest.param(["T-001"], "accepté", "x", "décision « accepté » inconnue", id="inconnue"),
        pytest.param(["T-001"], RETENU, "x" * 10_001, "10001 caractères", id="trop-longue"),
    ],
)
def test_lot_refuse(moteur, appel, demandes, ids, decision, justification, message):
    with pytest.raises(ErreurFinancement, match=message):
        _lot(appel, moteur, [demandes[n] for n in ids], decision, justification)
    assert _decisions_par_demande(moteur, appel) == {}


def test_lot_refuse_quand_les_decisions_sont_verrouillees(moteur, appel, demandes):
    verrouiller(appel.id, True, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    with pytest.raises(ErreurFinancement, match="verrouillées"):
        _lot(appel, moteur, [demandes["T-001"]])
    assert _decisions_par_demande(moteur, appel) == {}


def test_lot_tout_ou_rien_les_conflits_nommes(moteur, appel, demandes):
    """La présidence a déclaré un conflit sur T-001 et T-003 : le lot T-001, T-002, T-003
    est refusé en entier, et le message nomme les deux demandes et leurs raisons."""
    for no, raison in (("T-001", "sa sœur y travaille"), ("T-003", "ancien employeur")):
        declarer_conflit(appel, demandes[no], P, raison, moteur=moteur, auteur=P)
    with pytest.raises(ErreurFinancement) as refus:
        _lot(appel, moteur, [demandes["T-001"], demandes["T-002"], demandes["T-003"]])
    assert str(refus.value) == (
        "vous avez déclaré un conflit d'intérêts sur T-001 (sa sœur y travaille), T-003 "
        "(ancien employeur) : vous ne pouvez pas en décider. Retirez ces demandes de la "
        "sélection, ou laissez un membre sans conflit décider."
    )
    assert _decisions_par_demande(moteur, appel) == {}
    assert _journal_des_decisions(moteur, appel) == []
    # Un autre membre, sans conflit, décide le même lot.
    assert _lot(appel, moteur, list(demandes.values()), auteur="membre@x.ca") == 3


def test_lot_sans_quorum_refuse(moteur, appel, demandes):
    """L'appel fixe un quorum : sans séance ouverte (ni présents donnés), rien n'est écrit ;
    avec les présents qui le font, le lot passe."""
    a = replace(appel, quorum=1)
    with pytest.raises(ErreurFinancement, match="une décision s'inscrit en séance"):
        _lot(a, moteur, [demandes["T-001"]])
    assert _decisions_par_demande(moteur, appel) == {}
    from evaluation.socle.comptes import creer_compte

    creer_compte(P, "president", "cheval agrafe batterie correcte", moteur=moteur, nom="P")
    assert _lot(a, moteur, [demandes["T-001"]], presents=[P]) == 1


def test_lot_perime(moteur, appel, demandes):
    """Une décision ou un montant recommandé inscrit depuis que la page a lu : refusé."""
    t1, t2 = demandes["T-001"], demandes["T-002"]
    decisions_lues, montants_lus = _versions(moteur, appel)
    _lot(appel, moteur, [t2], REFUSE, "autre membre")
    with pytest.raises(FinancementPerime, match="T-002"):
        _lot(appel, moteur, [t1], version_attendue=decisions_lues)
    decisions_lues, _ = _versions(moteur, appel)
    decisions.modifier_montant(appel, t1, 1, 1_000_000, "révisé", moteur=moteur, auteur=P)
    with pytest.raises(FinancementPerime, match="10\u00a0000"):
        _lot(
            appel, moteur, [t1],
            version_attendue=decisions_lues, version_montants_attendue=montants_lus,
        )  # fmt: skip
    assert t1 not in _decisions_par_demande(moteur, appel)
    _lot(appel, moteur, [t1], version_attendue=decisions_lues, version_montants_attendue=None)
    assert _decisions_par_demande(moteur, appel)[t1][:2] == (RETENU, 1_000_000)


def test_lot_refuse_une_demande_retiree_ou_d_un_autre_appel(moteur, appel, demandes):
    with pytest.raises(ErreurFinancement, match="n'existe pas"):
        _lot(appel, moteur, [demandes["T-001"], 999_999])
    assert _decisions_par_demande(moteur, appel) == {}


# --- Scénario adopté : une raison pour chaque demande qui passe la ligne contre le rang ------


def test_scenario_sans_raison_pour_une_demande_qui_franchit_la_ligne(moteur, appel, demandes):
    """T-001 (rang 2, liste d'attente) retenue, T-002 (rang 1, financée) écartée : les deux
    passent la ligne contre le classement. Une raison manque : refusé, rien n'est écrit, le
    message nomme celle qui manque et dit dans quel sens elle passe."""
    t1, t2 = demandes["T-001"], demandes["T-002"]
    with pytest.raises(ErreurFinancement) as refus:
        decisions.adopter_scenario(
            appel, _scenario(demandes), np.array([False, True, False]), "cibles",
            moteur=moteur, auteur=P, raisons={t1: "cible régionale", t2: "   "},
        )  # fmt: skip
    assert str(refus.value) == (
        "ce scénario fait passer la ligne de financement contre le classement à T-002 "
        "(écartée au-dessus de la ligne) : donnez une raison pour elle avant de l'adopter."
    )
    assert _decisions_par_demande(moteur, appel) == {}
    with pytest.raises(ErreurFinancement, match=r"à T-002 \(écartée.*, T-001 \(retenue sous"):
        decisions.adopter_scenario(
            appel, _scenario(demandes), np.array([False, True, False]), "cibles",
            moteur=moteur, auteur=P,
        )  # fmt: skip


def test_scenario_la_raison_de_chaque_franchissement_en_justification(moteur, appel, demandes):
    """Chaque demande qui franchit la ligne porte « Scénario adopté : <nom> : <raison> » ;
    les autres (ici aucune classée ne suit le classement) gardent le nom seul ; une raison
    donnée pour une demande qui suit le classement est ignorée."""
    t1, t2 = demandes["T-001"], demandes["T-002"]
    decisions.adopter_scenario(
        appel, _scenario(demandes), np.array([True, True, False]), "élargi",
        moteur=moteur, auteur=P, raisons={t1: " cible régionale ", t2: "inutile"},
    )  # fmt: skip
    d = _decisions_par_demande(moteur, appel)
    assert d[t1][:4] == (RETENU, 2_000_000, 0, "Scénario adopté : élargi : cible régionale")
    assert d[t2][:4] == (RETENU, 3_000_000, 3_000_000, "Scénario adopté : élargi")
    journal = {d: nouveau for d, _, _, nouveau in _journal_des_decisions(moteur, appel)}
    assert journal[t1].endswith("scénario « élargi » : cible régionale")
    assert journal[t2].endswith("scénario « élargi »")


def test_scenario_qui_suit_le_classement_sans_raison(moteur, appel, demandes):
    n = decisions.adopter_scenario(
        appel, _scenario(demandes), np.array([True, False, False]), "ligne",
        moteur=moteur, auteur=P,
    )  # fmt: skip
    assert n == 2


def test_scenario_raison_trop_longue(moteur, appel, demandes):
    with pytest.raises(ErreurFinancement, match="La raison pour T-001 : 10001 caractères"):
        decisions.adopter_scenario(
            appel, _scenario(demandes), np.array([True, True, False]), "x",
            moteur=moteur, auteur=P, raisons={demandes["T-001"]: "x" * 10_001},
        )  # fmt: skip
    assert _decisions_par_demande(moteur, appel) == {}


def test_une_demande_jugee_inadmissible_n_est_pas_retenue(moteur, appel, campagne):
    """« Pour être admissibles, les projets doivent… » : T-003, écartée à l'examen
    d'admissibilité après l'affichage de la page, n'est pas retenue, ni seule ni en lot
    (tout ou rien) ; la liste d'attente et le refus restent possibles."""
    t1, t3 = campagne["T-001"], campagne["T-003"]
    with pytest.raises(
        ErreurFinancement, match=r"T-003 \(.*hors programme\) a été jugée inadmissible"
    ):
        _lot(appel, moteur, [t1, t3])
    with pytest.raises(
        ErreurFinancement, match=r"T-003 \(.*hors programme\) a été jugée inadmissible"
    ):
        decisions.enregistrer_decision(
            appel, t3, RETENU, (100_000,), "malgré tout", moteur=moteur, auteur=P
        )
    assert _decisions_par_demande(moteur, appel) == {}
    assert _lot(appel, moteur, [t1, t3], decision=REFUSE) == 2


def test_une_demande_dont_l_admissibilite_est_a_etablir_n_est_pas_retenue(moteur, appel, campagne):
    """Interprétation (pratique du ministère, `notes.filtrage`) : une demande dont
    l'admissibilité reste « à établir » n'est « ni attribuée, ni notée, ni financée » ; le
    comité ne la retient pas, ni seule ni en lot, tant que l'examen n'est pas achevé ; la
    liste d'attente reste possible."""
    from evaluation.notes import examens
    from evaluation.notes.filtrage import A_VERIFIER
    from tests.filtrage import ANALYSTE, reponses_toutes

    t1, t2 = campagne["T-001"], campagne["T-002"]
    examens.examiner(
        appel, t2, reponses_toutes(appel, A_VERIFIER, "pièce à obtenir"),
        moteur=moteur, auteur=ANALYSTE,
    )  # fmt: skip
    attendu = r"l'admissibilité de T-002 n'est pas encore établie.*Terminez d'abord l'examen"
    with pytest.raises(ErreurFinancement, match=attendu):
        _lot(appel, moteur, [t1, t2])
    with pytest.raises(ErreurFinancement, match=attendu):
        decisions.enregistrer_decision(
            appel, t2, RETENU, (100_000,), "malgré tout", moteur=moteur, auteur=P
        )
    assert _decisions_par_demande(moteur, appel) == {}
    assert _lot(appel, moteur, [t1, t2], decision=LISTE_ATTENTE) == 2
