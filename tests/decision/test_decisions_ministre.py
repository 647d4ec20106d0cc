"""La décision du ministère inscrite (evaluation/decision/decisions_ministre.py, issue 17) :
approuver, modifier avec une raison, approuver en lot tout ou rien ; refusée au mauvais
rôle, avant le verrouillage des recommandations du comité, d'après une vue périmée, pour
une demande inadmissible qu'on retiendrait ; journalisée. Sur SQLite et PostgreSQL.

L'appel : le ministère « conserve cependant la responsabilité de la sélection définitive des projets
et de la détermination des sommes » ; le reste (rôles, verrou, raison, plafonds) est
l'interprétation dite dans le module."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from evaluation.decision import chargement, classement, decisions, decisions_ministre, ministere
from evaluation.decision.decisions_ministre import ErreurDecisionMinistere
from evaluation.decision.financement import (
    LISTE_ATTENTE,
    REFUSE,
    RETENU,
    ErreurFinancement,
    FinancementPerime,
)
from evaluation.notes.attributions import verrouiller
from evaluation.socle import stockage
from evaluation.socle.formats import montant
from evaluation.socle.roles import ADMIN, AUTORITE, MEMBRE, OBSERVATEUR, PRESIDENT

PRESIDENCE = "presidence@x.ca"
MINISTRE = "ministre@x.ca"
T = dt.datetime(2026, 12, 1, 10, 0)
JOUR = dt.date(2026, 12, 1)
RECOMMANDE = dt.datetime(2026, 11, 20, 9, 0)  # la date des recommandations du comité


def _lignes(moteur) -> list[dict]:
    with moteur.connect() as c:
        return stockage.lire_historique_decisions_ministre("paivmq-2023-2024", connexion=c)


def _journal(moteur, appel) -> pd.DataFrame:
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id)
    return j[j["objet"] == "decision_ministre"].reset_index(drop=True)


def _finales(moteur, appel) -> dict:
    with moteur.connect() as c:
        return ministere.decision_finale(
            stockage.lire_decisions(appel.id, connexion=c),
            stockage.lire_decisions_ministre(appel.id, connexion=c),
        )


@pytest.fixture
def recommandees(moteur, appel, campagne):
    """Le comité recommande T-001 retenu (20 000 $), T-002 en liste d'attente, T-003
    (inadmissible) refusé ; la présidence verrouille ses décisions."""
    d = campagne
    decisions.enregistrer_decision(
        appel,
        d["T-001"],
        RETENU,
        (2_000_000, 0),
        "x",
        moteur=moteur,
        auteur=PRESIDENCE,
        maintenant=RECOMMANDE,
    )
    decisions.enregistrer_decision(
        appel,
        d["T-002"],
        LISTE_ATTENTE,
        (),
        "x",
        moteur=moteur,
        auteur=PRESIDENCE,
        maintenant=RECOMMANDE,
    )
    decisions.enregistrer_decision(
        appel,
        d["T-003"],
        REFUSE,
        (),
        "inadmissible",
        moteur=moteur,
        auteur=PRESIDENCE,
        maintenant=RECOMMANDE,
    )
    verrouiller(appel.id, True, moteur=moteur, auteur=PRESIDENCE, quoi="decisions_verrouillees")
    return d


def _approuver(appel, moteur, demande_id, **kw):
    options = {"autorite": "Marie Ministre", "auteur": MINISTRE, "role": AUTORITE}
    options.update(kw)
    decisions_ministre.approuver(appel, demande_id, moteur=moteur, maintenant=T, **options)


def test_approuver_reprend_la_recommandation(moteur, appel, recommandees):
    _approuver(appel, moteur, recommandees["T-001"], jour=JOUR)
    (ligne,) = _lignes(moteur)
    assert (ligne["decision"], ligne["montant_an1"], ligne["montant_an2"]) == (RETENU, 2_000_000, 0)
    assert ligne["autorite"] == "Marie Ministre" and ligne["auteur"] == MINISTRE
    assert ligne["raison"] is None and ligne["date"] == T
    finale = _finales(moteur, appel)[recommandees["T-001"]]
    assert finale.source == ministere.MINISTERE and finale.montants == (2_000_000, 0)
    # T-002 n'est pas décidée : la recommandation du comité vaut.
    assert _finales(moteur, appel)[recommandees["T-002"]].source == ministere.COMITE
    (j,) = _journal(moteur, appel).to_dict("records")
    assert j["ancien"] is None
    assert j["nouveau"] == (
        f"approuvée : retenu ({montant(2_000_000)}, {montant(0)}) ; autorité : Marie Ministre, "
        "décision du 1er décembre 2026"
    )
    assert j["auteur"] == MINISTRE


def test_modifier_avec_raison(moteur, appel, recommandees):
    """Le ministère retient T-002 (liste d'attente au comité) à 15 000 $ puis 10 000 $."""
    decisions_ministre.decider(
        appel,
        recommandees["T-002"],
        RETENU,
        (1_500_000, 1_000_000),
        "Priorité régionale",
        autorite="Marie Ministre",
        moteur=moteur,
        auteur=MINISTRE,
        role=AUTORITE,
        maintenant=T,
    )
    finale = _finales(moteur, appel)[recommandees["T-002"]]
    assert (finale.decision, finale.montants, finale.raison) == (
        RETENU,
        (1_500_000, 1_000_000),
        "Priorité régionale",
    )
    (j,) = _journal(moteur, appel).to_dict("records")
    assert j["nouveau"].startswith(
        f"modifiée : retenu ({montant(1_500_000)}, {montant(1_000_000)}) ; autorité : "
    )
    assert j["nouveau"].endswith(" ; raison : Priorité régionale")


@pytest.mark.parametrize("raison", ["", "   "])
def test_modifier_sans_raison_refuse(moteur, appel, recommandees, raison):
    with pytest.raises(ErreurDecisionMinistere, match=r"une modification .* demande une raison"):
        decisions_ministre.decider(
            appel,
            recommandees["T-001"],
            REFUSE,
            (),
            raison,
            autorite="Marie Ministre",
            moteur=moteur,
            auteur=MINISTRE,
            role=AUTORITE,
        )
    assert _lignes(moteur) == [] and _journal(moteur, appel).empty


def test_plafond_du_comite(moteur, appel, recommandees):
    """Même plafond que le comité : 25 000 $ par année pour une demande d'une seule ville."""
    with pytest.raises(
        ErreurDecisionMinistere,
        match=re.escape(f"{montant(2_600_000)}") + " pour l'année 1 dépasse",
    ):
        decisions_ministre.decider(
            appel,
            recommandees["T-001"],
            RETENU,
            (2_600_000, 0),
            "Plus",
            autorite="Marie Ministre",
            moteur=moteur,
            auteur=MINISTRE,
            role=AUTORITE,
        )
    assert _lignes(moteur) == []


def test_inadmissible_ne_peut_pas_etre_retenue(moteur, appel, recommandees):
    with pytest.raises(
        ErreurFinancement, match=r"T-003 \(.*hors programme\) a été jugée inadmissible à l.examen"
    ):
        decisions_ministre.decider(
            appel,
            recommandees["T-003"],
            RETENU,
            (1_000_000, 0),
            "Exception",
            autorite="Marie Ministre",
            moteur=moteur,
            auteur=MINISTRE,
            role=AUTORITE,
        )
    assert _lignes(moteur) == []


def test_admissibilite_a_etablir_ne_peut_pas_etre_retenue(moteur, appel, recommandees):
    """Interprétation (pratique du ministère, `notes.filtrage`) : une demande dont
    l'admissibilité reste « à établir » n'est « ni classée, ni financée » : le ministère ne la
    retient pas non plus avant la fin de l'examen d'admissibilité."""
    from evaluation.notes import examens
    from evaluation.notes.filtrage import A_VERIFIER
    from tests.filtrage import ANALYSTE, reponses_toutes

    verrouiller(appel.id, False, moteur=moteur, auteur=PRESIDENCE, quoi="decisions_verrouillees")
    examens.examiner(
        appel,
        recommandees["T-002"],
        reponses_toutes(appel, A_VERIFIER, "pièce à obtenir"),
        moteur=moteur,
        auteur=ANALYSTE,
    )
    verrouiller(appel.id, True, moteur=moteur, auteur=PRESIDENCE, quoi="decisions_verrouillees")
    with pytest.raises(
        ErreurFinancement,
        match=r"l'admissibilité de T-002 n'est pas encore établie.*Terminez d'abord l'examen",
    ):
        decisions_ministre.decider(
            appel,
            recommandees["T-002"],
            RETENU,
            (1_000_000, 0),
            "Exception",
            autorite="Marie Ministre",
            moteur=moteur,
            auteur=MINISTRE,
            role=AUTORITE,
            maintenant=T,
        )
    assert _lignes(moteur) == []


def test_date_d_avant_la_recommandation_refusee(moteur, appel, recommandees):
    """Interprétation (ordre de la procédure) : le comité recommande (20 novembre 2026),
    puis le ministère décide ; une décision datée d'avant (ou du 1er janvier 1999) est
    refusée, seule ou en lot, sans rien écrire ; le jour même s'inscrit."""
    for jour in (dt.date(2026, 11, 19), dt.date(1999, 1, 1)):
        with pytest.raises(
            ErreurDecisionMinistere,
            match=r"T-001 : la date de la décision .* précède la recommandation du comité",
        ):
            _approuver(appel, moteur, recommandees["T-001"], jour=jour)
        with pytest.raises(ErreurDecisionMinistere, match="précède la recommandation"):
            decisions_ministre.approuver_en_lot(
                appel,
                None,
                autorite="Marie Ministre",
                moteur=moteur,
                auteur=MINISTRE,
                role=AUTORITE,
                jour=jour,
                maintenant=T,
            )
    assert _lignes(moteur) == []
    _approuver(appel, moteur, recommandees["T-001"], jour=dt.date(2026, 11, 20))
    assert len(_lignes(moteur)) == 1


def test_retenue_a_zero_dollar_refusee(moteur, appel, recommandees):
    """Interprétation : le ministère détermine « les sommes qui leur seront accordées » ;
    « retenu » à 0 $ n'en détermine aucune."""
    with pytest.raises(ErreurDecisionMinistere, match="T-002 : une demande retenue reçoit"):
        decisions_ministre.decider(
            appel,
            recommandees["T-002"],
            RETENU,
            (0, 0),
            "Symbolique",
            autorite="Marie Ministre",
            moteur=moteur,
            auteur=MINISTRE,
            role=AUTORITE,
            maintenant=T,
        )
    assert _lignes(moteur) == []


@pytest.mark.parametrize("role", [PRESIDENT, MEMBRE, OBSERVATEUR, None])
def test_mauvais_role_refuse(moteur, appel, recommandees, role):
    with pytest.raises(ErreurDecisionMinistere, match="revient à l'autorité ministérielle"):
        _approuver(appel, moteur, recommandees["T-001"], role=role)
    with pytest.raises(ErreurDecisionMinistere, match="revient à l'autorité ministérielle"):
        decisions_ministre.approuver_en_lot(
            appel, None, autorite="X", moteur=moteur, auteur="x@x.ca", role=role
        )
    assert _lignes(moteur) == []


def test_administration_au_nom_de_l_autorite(moteur, appel, recommandees):
    """Les deux noms gardés : l'autorité saisie, le compte de l'administration."""
    _approuver(appel, moteur, recommandees["T-001"], role=ADMIN, auteur="admin@x.ca")
    (ligne,) = _lignes(moteur)
    assert (ligne["autorite"], ligne["auteur"]) == ("Marie Ministre", "admin@x.ca")
    (j,) = _journal(moteur, appel).to_dict("records")
    assert j["nouveau"].endswith("(inscrite par l'administration au nom de l'autorité)")


def test_refuse_avant_le_verrou_du_comite(moteur, appel, recommandees):
    verrouiller(appel.id, False, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    with pytest.raises(ErreurDecisionMinistere, match="pas encore verrouillées"):
        _approuver(appel, moteur, recommandees["T-001"])
    with pytest.raises(ErreurDecisionMinistere, match="pas encore verrouillées"):
        decisions_ministre.approuver_en_lot(
            appel, None, autorite="X", moteur=moteur, auteur=MINISTRE, role=AUTORITE
        )
    assert _lignes(moteur) == []


def test_autorite_et_date_exigees(moteur, appel, recommandees):
    with pytest.raises(ErreurDecisionMinistere, match="le nom de l'autorité qui décide"):
        _approuver(appel, moteur, recommandees["T-001"], autorite="  ")
    with pytest.raises(ErreurDecisionMinistere, match="dans l'avenir"):
        _approuver(appel, moteur, recommandees["T-001"], jour=dt.date(2026, 12, 2))
    # Une décision prise avant son inscription garde son jour.
    _approuver(appel, moteur, recommandees["T-001"], jour=dt.date(2026, 11, 28))
    assert _lignes(moteur)[0]["date"] == dt.datetime(2026, 11, 28)


def test_vue_perimee_refusee(moteur, appel, recommandees):
    t1 = recommandees["T-001"]
    _approuver(appel, moteur, t1, version_attendue=0)
    with pytest.raises(FinancementPerime, match="La décision du ministère sur T-001 a été"):
        decisions_ministre.decider(
            appel,
            t1,
            REFUSE,
            (),
            "Non",
            autorite="Marie Ministre",
            moteur=moteur,
            auteur=MINISTRE,
            role=AUTORITE,
            version_attendue=0,
        )
    # La recommandation du comité affichée n'est plus la dernière.
    with moteur.connect() as c:
        actuelle = int(
            next(
                x["id"]
                for x in stockage.lire_decisions(appel.id, connexion=c)
                if int(x["demande_id"]) == t1
            )
        )
    with pytest.raises(FinancementPerime, match="La recommandation du comité sur T-001"):
        _approuver(appel, moteur, t1, recommandation_attendue=actuelle - 1)
    with pytest.raises(FinancementPerime, match="L'ensemble des décisions du ministère"):
        decisions_ministre.approuver_en_lot(
            appel,
            None,
            autorite="X",
            moteur=moteur,
            auteur=MINISTRE,
            role=AUTORITE,
            version_attendue=0,
        )
    assert len(_lignes(moteur)) == 1


def test_lot_approuve_tout_ce_qui_attend(moteur, appel, recommandees):
    _approuver(appel, moteur, recommandees["T-001"])
    n = decisions_ministre.approuver_en_lot(
        appel,
        None,
        autorite="Marie Ministre",
        jour=JOUR,
        moteur=moteur,
        auteur=MINISTRE,
        role=AUTORITE,
        maintenant=T,
        version_attendue=decisions_ministre.version(_lignes(moteur)),
    )
    assert n == 2  # T-002 et T-003 ; T-001 était déjà décidée
    finales = _finales(moteur, appel)
    assert {no: finales[d].source for no, d in recommandees.items()} == dict.fromkeys(
        recommandees, ministere.MINISTERE
    )
    assert finales[recommandees["T-002"]].decision == LISTE_ATTENTE
    journal = _journal(moteur, appel)
    assert len(journal) == 3
    assert journal["nouveau"].iloc[-1].endswith("(approbation groupée)")
    with pytest.raises(ErreurDecisionMinistere, match="aucune recommandation du comité n'attend"):
        decisions_ministre.approuver_en_lot(
            appel, None, autorite="X", moteur=moteur, auteur=MINISTRE, role=AUTORITE
        )


def test_lot_tout_ou_rien(moteur, appel, recommandees):
    """Une demande choisie sans recommandation arrête le lot : rien n'est écrit."""
    with moteur.begin() as c:
        c.execute(
            stockage.decisions.delete().where(
                stockage.decisions.c.demande_id == recommandees["T-002"]
            )
        )
    with pytest.raises(ErreurDecisionMinistere, match="T-002 : pas de recommandation du comité"):
        decisions_ministre.approuver_en_lot(
            appel,
            [recommandees["T-001"], recommandees["T-002"]],
            autorite="Marie Ministre",
            moteur=moteur,
            auteur=MINISTRE,
            role=AUTORITE,
        )
    assert _lignes(moteur) == [] and _journal(moteur, appel).empty
    # La sélection réduite à T-001 passe.
    assert (
        decisions_ministre.approuver_en_lot(
            appel,
            [recommandees["T-001"]],
            autorite="Marie Ministre",
            moteur=moteur,
            auteur=MINISTRE,
            role=AUTORITE,
        )
        == 1
    )


def test_lot_tout_ou_rien_sur_un_plafond(moteur, appel, recommandees):
    """Une recommandation au-dessus du plafond en vigueur (écrite à la main dans la base)
    arrête tout le lot, demande nommée."""
    with moteur.begin() as c:
        c.execute(
            stockage.decisions.update()
            .where(stockage.decisions.c.demande_id == recommandees["T-001"])
            .values(montant_an1=9_900_000)
        )
    with pytest.raises(
        ErreurDecisionMinistere, match=re.escape(f"T-001 : {montant(9_900_000)} pour l'année 1")
    ):
        decisions_ministre.approuver_en_lot(
            appel, None, autorite="Marie Ministre", moteur=moteur, auteur=MINISTRE, role=AUTORITE
        )
    assert _lignes(moteur) == []


def test_le_classement_porte_la_decision_du_ministere(moteur, appel, recommandees):
    """Le classement met la décision du ministère à côté de la recommandation ; le financé
    (portefeuille) suit la décision qui vaut."""
    from evaluation.decision import portefeuille

    decisions_ministre.decider(
        appel,
        recommandees["T-002"],
        RETENU,
        (1_500_000, 1_000_000),
        "Priorité régionale",
        autorite="Marie Ministre",
        moteur=moteur,
        auteur=MINISTRE,
        role=AUTORITE,
    )
    table = classement.classement(appel, chargement.charger(appel, moteur=moteur))
    t2 = table.set_index("no_demande").loc["T-002"]
    assert (t2["decision"], t2["decision_ministere"], t2["decision_finale"]) == (
        LISTE_ATTENTE,
        RETENU,
        RETENU,
    )
    assert t2["etat_ministere"] == ministere.MODIFIEE
    assert table.set_index("no_demande").loc["T-001", "etat_ministere"] == ministere.A_DECIDER
    # Financé : T-001 (recommandation, 20 000 $) et T-002 (ministère, 15 000 $ + 10 000 $).
    accorde = portefeuille.budget(table, appel)["accorde"].tolist()
    assert accorde[:2] == [3_500_000, 1_000_000]
    # Le procès-verbal du comité ne compte que ses recommandations.
    assert portefeuille.montants(table, appel, portefeuille.RECOMMANDATIONS).sum() == 2_000_000
