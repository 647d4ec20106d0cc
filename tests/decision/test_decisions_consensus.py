"""Issue 16, point 4 : la présidence inscrit en séance une note de consensus par critère, avec
ses motifs (decisions.enregistrer_consensus), et le classement la lit selon
`[classement] note_retenue` (réglage du comité : l'appel ne parle ni de séance ni de
consensus). Refusée côté serveur à qui ne conduit pas la séance, à qui est en conflit
d'intérêts, décisions verrouillées, hors de l'échelle ; journalisée ; sur SQLite et
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from evaluation.decision import chargement, classement, decisions
from evaluation.decision.consensus import (
    PAR_CONSENSUS,
    PAR_EVALUATEURS,
    SANS_CONSENSUS,
    ErreurConsensus,
)
from evaluation.decision.declarations import declarer_conflit
from evaluation.notes.attributions import verrouiller
from evaluation.socle import journal, stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.concurrence import ModificationConcurrente
from evaluation.socle.roles import ADMIN, EVALUATEUR, MEMBRE, OBSERVATEUR, PRESIDENT
from tests.decision.conftest import CRITERES

PRESIDENCE = "presidence@x.ca"
T = dt.datetime(2026, 11, 24, 9, 0)
NEUF = dict.fromkeys(CRITERES, 9.0)  # total 90


def _inscrire(appel, moteur, demande_id, notes=None, motifs="accord du comité", **autres):
    autres.setdefault("auteur", PRESIDENCE)
    autres.setdefault("role", PRESIDENT)
    decisions.enregistrer_consensus(
        appel, demande_id, NEUF if notes is None else notes, motifs, moteur=moteur, **autres
    )


def _lignes(moteur) -> list[dict]:
    with moteur.connect() as c:
        return [dict(x) for x in c.exec_driver_sql("SELECT * FROM consensus").mappings()]


def _journal(moteur, appel):
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id)
    return j[j["objet"] == "consensus"]


def _classement(appel, moteur):
    t = classement.classement(appel, chargement.charger(appel, moteur=moteur))
    return t.set_index("no_demande")


def test_consensus_inscrit_par_critere_et_journalise(moteur, appel, campagne):
    t1 = campagne["T-001"]
    _inscrire(appel, moteur, t1, maintenant=T)
    with moteur.connect() as c:
        lignes = stockage.lire_historique_consensus(t1, connexion=c)
    assert sorted(x["critere"] for x in lignes) == sorted(CRITERES)
    assert {(x["note"], x["justification"], x["auteur"], x["date"]) for x in lignes} == {
        (9.0, "accord du comité", PRESIDENCE, T)
    }
    (entree,) = _journal(moteur, appel).to_dict("records")
    assert journal.libelle_objet(entree["objet"], appel) == "Note de consensus (séance)"
    assert entree["auteur"] == PRESIDENCE and int(entree["demande_id"]) == t1
    assert entree["ancien"] is None
    assert entree["nouveau"].startswith("pertinence 9, coherence 9")
    assert entree["nouveau"].endswith(" : accord du comité")
    # Une seconde inscription garde l'historique ; le journal dit l'ancienne note.
    _inscrire(appel, moteur, t1, {"pertinence": 6.5}, "revu", maintenant=T)
    assert len(_lignes(moteur)) == len(CRITERES) + 1
    with moteur.connect() as c:
        derniers = {x["critere"]: x["note"] for x in stockage.lire_consensus(appel.id, connexion=c)}
    assert derniers["pertinence"] == 6.5 and derniers["coherence"] == 9.0
    assert list(_journal(moteur, appel)["ancien"]) == [None, "pertinence 9"]


@pytest.mark.parametrize("role", [MEMBRE, OBSERVATEUR, EVALUATEUR, None])
def test_refuse_a_qui_ne_conduit_pas_la_seance(moteur, appel, campagne, role):
    with pytest.raises(ErreurConsensus, match="revient à la présidence du comité"):
        _inscrire(appel, moteur, campagne["T-001"], role=role, auteur="m@x.ca")
    assert _lignes(moteur) == []
    assert _journal(moteur, appel).empty


def test_l_administration_peut_inscrire(moteur, appel, campagne):
    _inscrire(appel, moteur, campagne["T-001"], role=ADMIN, auteur="admin@x.ca")
    assert len(_lignes(moteur)) == len(CRITERES)


def test_refuse_a_qui_est_en_conflit(moteur, appel, campagne):
    t1 = campagne["T-001"]
    declarer_conflit(appel, t1, PRESIDENCE, "sa sœur y travaille", moteur=moteur, auteur=PRESIDENCE)
    with pytest.raises(
        ErreurConsensus,
        match=r"conflit d'intérêts sur T-001 \(sa sœur y travaille\) : vous ne pouvez pas "
        "inscrire sa note de consensus",
    ):
        _inscrire(appel, moteur, t1, auteur="Presidence@X.ca")
    assert _lignes(moteur) == []
    # Sans conflit sur T-002, la même personne inscrit ; une autre l'inscrit sur T-001.
    _inscrire(appel, moteur, campagne["T-002"])
    _inscrire(appel, moteur, t1, auteur="admin@x.ca", role=ADMIN)
    assert len(_lignes(moteur)) == 2 * len(CRITERES)


def test_sans_quorum_refuse_comme_une_decision(moteur, appel, campagne):
    """Avec un quorum de 2 (réglage du comité), hors séance : refusé ; avec la présidence et
    un membre présents sans conflit : inscrit ; le membre en conflit ne compte plus."""
    avec_quorum = replace(appel, quorum=2)
    t1 = campagne["T-001"]
    with pytest.raises(ErreurConsensus, match="une note de consensus s'inscrit en séance"):
        _inscrire(avec_quorum, moteur, t1)
    assert _lignes(moteur) == []
    creer_compte(PRESIDENCE, PRESIDENT, "cheval agrafe batterie correcte", moteur=moteur)
    creer_compte("m@x.ca", MEMBRE, "cheval agrafe batterie correcte", moteur=moteur)
    _inscrire(avec_quorum, moteur, t1, presents=[PRESIDENCE, "m@x.ca"])
    assert len(_lignes(moteur)) == len(CRITERES)
    declarer_conflit(appel, t1, "m@x.ca", "voisin", moteur=moteur, auteur="m@x.ca")
    with pytest.raises(ErreurConsensus, match="quorum non atteint pour T-001"):
        _inscrire(avec_quorum, moteur, t1, presents=[PRESIDENCE, "m@x.ca"])


def test_refuse_quand_les_decisions_sont_verrouillees(moteur, appel, campagne):
    verrouiller(appel.id, True, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    with pytest.raises(ErreurConsensus, match="verrouillées"):
        _inscrire(appel, moteur, campagne["T-001"])
    assert _lignes(moteur) == []
    verrouiller(appel.id, False, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    _inscrire(appel, moteur, campagne["T-001"])
    assert len(_lignes(moteur)) == len(CRITERES)


@pytest.mark.parametrize(
    ("notes", "motifs", "message"),
    [
        ({"pertinence": 10.5}, "x", "hors de l'échelle"),
        ({"pertinence": 7.25}, "x", "n'est pas un multiple de 0,5"),
        ({"inconnu": 7.0}, "x", "critère « inconnu » inconnu"),
        ({}, "x", "au moins un critère"),
        (NEUF, "  ", "écrivez les motifs"),
        (NEUF, "x" * 10_001, "10000 au plus"),
    ],
)
def test_refuse_hors_de_l_echelle_ou_sans_motifs(moteur, appel, campagne, notes, motifs, message):
    with pytest.raises(ErreurConsensus, match=message):
        _inscrire(appel, moteur, campagne["T-001"], notes, motifs)
    assert _lignes(moteur) == []
    assert _journal(moteur, appel).empty


def test_demande_d_un_autre_appel_ou_retiree(moteur, appel, campagne):
    with pytest.raises(ErreurConsensus, match="n'existe pas dans l'appel"):
        _inscrire(appel, moteur, 999_999)


def test_refuse_d_apres_une_vue_perimee(moteur, appel, campagne):
    t1 = campagne["T-001"]
    _inscrire(appel, moteur, t1, version_attendue=0)
    donnees = chargement.charger(appel, moteur=moteur)
    from evaluation.decision import consensus

    lue = consensus.version(donnees.consensus, t1)
    assert lue > 0
    _inscrire(appel, moteur, t1, {"pertinence": 5.0}, "autre avis", version_attendue=lue)
    with pytest.raises(ModificationConcurrente, match="La note de consensus de T-001"):
        _inscrire(appel, moteur, t1, {"pertinence": 4.0}, "vue périmée", version_attendue=lue)
    assert len(_lignes(moteur)) == len(CRITERES) + 1


def test_le_classement_suit_le_reglage(moteur, appel, campagne):
    """T-001 et T-002 sont ex æquo à 75 ; T-002 (projet conjoint) passe devant. Un consensus
    à 4 sur T-002 ne change rien avec « moyenne » (il est montré à côté) ; avec
    « consensus », T-002 tombe à 40 et sous le seuil, T-001 sans consensus reste à 75."""
    _inscrire(appel, moteur, campagne["T-002"], dict.fromkeys(CRITERES, 4.0))
    moyenne = _classement(appel, moteur)
    assert moyenne.loc["T-002", "rang"] == 1 and moyenne.loc["T-001", "rang"] == 2
    assert moyenne.loc["T-002", "total"] == pytest.approx(75.0)
    assert moyenne.loc["T-002", "total_consensus"] == pytest.approx(40.0)
    assert moyenne.loc["T-002", "note_classee"] == PAR_EVALUATEURS

    par_consensus = _classement(replace(appel, note_retenue="consensus"), moteur)
    assert par_consensus.loc["T-001", "rang"] == 1
    assert par_consensus.loc["T-002", "statut"] == classement.SOUS_SEUIL
    assert par_consensus.loc["T-002", "total"] == pytest.approx(40.0)
    assert par_consensus.loc["T-002", "total_evaluateurs"] == pytest.approx(75.0)
    assert par_consensus.loc["T-002", "note_classee"] == PAR_CONSENSUS
    assert par_consensus.loc["T-001", "note_classee"] == SANS_CONSENSUS


def _deux_classements(appel, moteur, campagne):
    _inscrire(appel, moteur, campagne["T-002"], dict.fromkeys(CRITERES, 4.0))
    donnees = chargement.charger(appel, moteur=moteur)
    return (
        classement.classement(appel, donnees),
        classement.classement(replace(appel, note_retenue="consensus"), donnees),
    )


def test_fichier_du_classement_montre_les_deux_notes(moteur, appel, campagne):
    """`classement --format csv` (pour_fichier) : `note` est celle qui classe ;
    `note_evaluateurs` et `note_consensus` sont à côté, « sans consensus » quand le réglage
    « consensus » classe une demande sur la note des évaluateurs."""
    moyenne, par_consensus = _deux_classements(appel, moteur, campagne)
    m = classement.pour_fichier(moyenne).set_index("no_demande")
    c = classement.pour_fichier(par_consensus).set_index("no_demande")
    cols = list(classement.pour_fichier(moyenne).columns)
    assert cols[2:5] == ["note", "note_evaluateurs", "note_consensus"]
    assert m.loc["T-002", ["note", "note_evaluateurs", "note_consensus"]].tolist() == [
        "75.00",
        "75.00",
        "40.00",
    ]
    assert m.loc["T-001", "note_consensus"] == ""
    assert c.loc["T-002", ["note", "note_evaluateurs", "note_consensus"]].tolist() == [
        "40.00",
        "75.00",
        "40.00",
    ]
    assert c.loc["T-001", "note_consensus"] == "sans consensus"


def test_la_ligne_de_commande_montre_le_consensus(moteur, appel, campagne, capsys):
    import csv
    import io

    from evaluation.commandes import main

    _inscrire(appel, moteur, campagne["T-002"], dict.fromkeys(CRITERES, 4.0))
    url = moteur.url.render_as_string(hide_password=False)
    assert main(["--base", url, "classement", "--format", "csv"]) == 0
    lignes = {r["no_demande"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert lignes["T-002"]["note"] == "75.00"  # « moyenne » dans l'appel livré
    assert lignes["T-002"]["note_consensus"] == "40.00"
    assert lignes["T-001"]["note_consensus"] == ""


def test_classeur_montre_les_deux_notes(moteur, appel, campagne):
    from evaluation.sorties import classeur

    _, par_consensus = _deux_classements(appel, moteur, campagne)
    en_tetes, colonnes, formats = classeur.colonnes_classement(appel, par_consensus)
    i = en_tetes.index("Total")
    assert en_tetes[i : i + 3] == ["Total", "Note (moyenne des évaluateurs)", "Note de consensus"]
    par_no = dict(zip(colonnes[en_tetes.index("No de demande")], range(3), strict=True))
    total, evaluateurs, de_consensus = colonnes[i], colonnes[i + 1], colonnes[i + 2]
    assert total[par_no["T-002"]] == pytest.approx(40.0)
    assert evaluateurs[par_no["T-002"]] == pytest.approx(75.0)
    assert de_consensus[par_no["T-002"]] == pytest.approx(40.0)
    assert de_consensus[par_no["T-001"]] == "sans consensus"
    assert formats["Note de consensus"] == "0.00"
