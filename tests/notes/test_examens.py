"""L'examen d'admissibilité dans la base (evaluation/notes/examens.py), sur SQLite et
PostgreSQL : l'analyste examine (historique gardé, le dernier compte), l'évaluateur signale,
l'analyste ou la présidence règle, la présidence renverse ; tout est journalisé et seule une
demande jugée admissible s'attribue et se note."""

from __future__ import annotations

import pytest

from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions, evaluations, examens
from evaluation.notes.filtrage import (
    A_ETABLIR,
    ADMISSIBLE,
    ECARTEE,
    INADMISSIBLE,
    MAINTENUE,
    NON,
    ErreurFiltrage,
    Reponse,
)
from evaluation.notes.saisie import BROUILLON, EvaluationRefusee, Saisie
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from tests.conftest import DONNEES
from tests.filtrage import reponses_toutes

VALIDE = DONNEES / "formats" / "valide.xlsx"
ANA, PRES, EVA = "ana@x.ca", "pres@x.ca", "eva@x.ca"
MDP = "une phrase de passe assez longue 2026"


@pytest.fixture(autouse=True)
def _hachage_rapide(monkeypatch):
    from argon2 import PasswordHasher

    from evaluation.socle import mots_de_passe

    monkeypatch.setattr(
        mots_de_passe, "_hacheur", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def demandes(moteur, appel):
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    for courriel, role in ((ANA, "analyste"), (PRES, "president"), (EVA, "evaluateur")):
        creer_compte(courriel, role, MDP, moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


def _journal(moteur, objet_prefixe="admissibilite:"):
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c)
    j = j[j["objet"].str.startswith(objet_prefixe)]
    return list(zip(j["auteur"], j["objet"], j["ancien"], j["nouveau"], strict=True))


def _etat(moteur, appel, d):
    return examens.charger(appel.id, moteur=moteur).etat(d)


def test_examen_historique_journal_et_le_dernier_compte(moteur, appel, demandes):
    d = demandes["T-001"]
    assert _etat(moteur, appel, d).verdict == A_ETABLIR
    non = reponses_toutes(appel) | {"citoyens-residents": Reponse(NON, "porteur en France")}
    examens.examiner(appel, d, non, moteur=moteur, auteur=ANA, dernier_examen_lu=0)
    etat = _etat(moteur, appel, d)
    assert etat.verdict == INADMISSIBLE and "porteur en France" in etat.raison
    examens.examiner(appel, d, reponses_toutes(appel), moteur=moteur, auteur=ANA)
    assert _etat(moteur, appel, d).verdict == ADMISSIBLE
    historique = examens.historique(d, moteur=moteur)
    assert [e.verdict for e in historique] == [INADMISSIBLE, ADMISSIBLE]
    assert all(e.auteur == ANA and e.date is not None for e in historique)
    journal = _journal(moteur)
    assert [(a, o) for a, o, _, _ in journal] == [(ANA, examens.OBJET_EXAMEN)] * 2
    assert journal[0][2] is None and journal[1][2].startswith("inadmissible")
    assert journal[1][3].startswith("admissible")


def test_examen_refuse_sans_rien_ecrire(moteur, appel, demandes):
    d = demandes["T-001"]
    sans_raison = reponses_toutes(appel) | {"dossier-complet": Reponse(NON, "")}
    with pytest.raises(ErreurFiltrage, match="dites pourquoi"):
        examens.examiner(appel, d, sans_raison, moteur=moteur, auteur=ANA)
    with pytest.raises(ErreurFiltrage, match="réservé"):
        examens.examiner(appel, d, reponses_toutes(appel), moteur=moteur, auteur=EVA)
    examens.examiner(appel, d, reponses_toutes(appel), moteur=moteur, auteur=ANA)
    with pytest.raises(ErreurFiltrage, match="a changé depuis"):  # la page avait lu « aucun »
        examens.examiner(
            appel, d, reponses_toutes(appel), moteur=moteur, auteur=ANA, dernier_examen_lu=0
        )
    assert len(examens.historique(d, moteur=moteur)) == 1
    assert len(_journal(moteur)) == 1


def test_seule_une_demande_admissible_s_attribue_et_se_note(moteur, appel, demandes):
    """Issue 15 : « Only screened-eligible applications are assigned and scored. » Un
    enregistrement direct est refusé, en français, pour une demande non examinée ou
    inadmissible."""
    t1, t2, t3 = demandes["T-001"], demandes["T-002"], demandes["T-003"]
    examens.examiner(appel, t1, reponses_toutes(appel), moteur=moteur, auteur=ANA)
    non = reponses_toutes(appel) | {"budget-detaille": Reponse(NON, "aucun budget")}
    examens.examiner(appel, t2, non, moteur=moteur, auteur=ANA)
    etat = attributions.charger(appel.id, moteur=moteur)
    assert etat.demandes == (t1,)
    assert etat.demandes_de(EVA) == [t1]
    assert etat.nombres_attendus() == {t1: 1}
    saisie = Saisie(notes={"pertinence": 5.0})
    evaluations.enregistrer(appel, t1, EVA, saisie, BROUILLON, moteur=moteur)
    for d, motif in ((t2, "jugée inadmissible"), (t3, "pas encore établie")):
        with pytest.raises(EvaluationRefusee, match=motif):
            evaluations.enregistrer(appel, d, EVA, saisie, BROUILLON, moteur=moteur)
    mes = evaluations.charger_mes_demandes(appel.id, EVA, moteur=moteur)
    assert mes.demandes["id"].astype(int).tolist() == [t1]


def test_signaler_puis_regler_maintenue(moteur, appel, demandes):
    d = demandes["T-001"]
    examens.examiner(appel, d, reponses_toutes(appel), moteur=moteur, auteur=ANA)
    s = examens.signaler(appel, d, EVA, "Le budget mentionne un autre programme.", moteur=moteur)
    with pytest.raises(ErreurFiltrage, match="déjà signalé"):
        examens.signaler(appel, d, EVA, "encore", moteur=moteur)
    assert [x["id"] for x in examens.charger(appel.id, moteur=moteur).ouverts(d)] == [s]
    with pytest.raises(ErreurFiltrage, match="raison est obligatoire"):
        examens.regler(appel, s, MAINTENUE, " ", moteur=moteur, auteur=ANA)
    with pytest.raises(ErreurFiltrage, match="réservé"):
        examens.regler(appel, s, MAINTENUE, "vérifié", moteur=moteur, auteur=EVA)
    examens.regler(appel, s, MAINTENUE, "Programme terminé en 2023.", moteur=moteur, auteur=ANA)
    etat = examens.charger(appel.id, moteur=moteur)
    assert etat.ouverts() == [] and etat.etat(d).verdict == ADMISSIBLE
    with pytest.raises(ErreurFiltrage, match="déjà été réglé"):
        examens.regler(appel, s, ECARTEE, "x", moteur=moteur, auteur=PRES)
    objets = [(a, o) for a, o, _, _ in _journal(moteur)]
    assert objets[1:] == [(EVA, examens.OBJET_SIGNALEMENT), (ANA, examens.OBJET_REGLEMENT)]


def test_signalement_regle_inadmissible_par_la_presidence(moteur, appel, demandes):
    d = demandes["T-002"]
    examens.examiner(appel, d, reponses_toutes(appel), moteur=moteur, auteur=ANA)
    s = examens.signaler(appel, d, EVA, "Financé par le PAFIRS.", moteur=moteur)
    examens.regler(appel, s, ECARTEE, "Confirmé auprès du MAMH.", moteur=moteur, auteur=PRES)
    etat = _etat(moteur, appel, d)
    assert (etat.verdict, etat.raison, etat.nature, etat.auteur) == (
        INADMISSIBLE,
        "Confirmé auprès du MAMH.",
        "règlement",
        PRES,
    )
    assert attributions.charger(appel.id, moteur=moteur).demandes == ()


@pytest.mark.parametrize(
    ("depart", "nouveau", "auteur", "erreur"),
    [
        pytest.param(INADMISSIBLE, ADMISSIBLE, PRES, None, id="presidence-rend-admissible"),
        pytest.param(ADMISSIBLE, INADMISSIBLE, PRES, None, id="presidence-rend-inadmissible"),
        pytest.param(INADMISSIBLE, ADMISSIBLE, ANA, "réservé", id="analyste-ne-renverse-pas"),
        pytest.param(ADMISSIBLE, ADMISSIBLE, PRES, "déjà admissible", id="rien-a-renverser"),
        pytest.param(ADMISSIBLE, A_ETABLIR, PRES, "admissible ou inadmissible", id="a-etablir"),
        pytest.param(
            None, ADMISSIBLE, PRES, "pas encore examinée : l'analyste", id="jamais-examinee"
        ),
        pytest.param(
            None, INADMISSIBLE, PRES, "pas encore examinée : l'analyste", id="jamais-examinee-non"
        ),
    ],
)
def test_renverser(moteur, appel, demandes, depart, nouveau, auteur, erreur):
    """Issue 15 : « The chair can overturn a screening with a reason. » Un examen : une
    demande jamais examinée (« à établir ») ne se renverse pas, l'analyste l'examine d'abord."""
    d = demandes["T-003"]
    reponses = reponses_toutes(appel)
    if depart == INADMISSIBLE:
        reponses["objectifs-concrets"] = Reponse(NON, "objectifs flous")
    if depart is None:
        with pytest.raises(ErreurFiltrage, match=erreur):
            examens.renverser(appel, d, nouveau, "raison", moteur=moteur, auteur=auteur)
        assert examens.historique(d, moteur=moteur) == []
        assert _journal(moteur) == []
        return
    examens.examiner(appel, d, reponses, moteur=moteur, auteur=ANA)
    if erreur:
        with pytest.raises(ErreurFiltrage, match=erreur):
            examens.renverser(appel, d, nouveau, "raison", moteur=moteur, auteur=auteur)
        assert _etat(moteur, appel, d).verdict == depart
        return
    with pytest.raises(ErreurFiltrage, match="raison est obligatoire"):
        examens.renverser(appel, d, nouveau, "", moteur=moteur, auteur=auteur)
    examens.renverser(appel, d, nouveau, "Décision du comité.", moteur=moteur, auteur=auteur)
    etat = _etat(moteur, appel, d)
    assert (etat.verdict, etat.raison, etat.nature) == (
        nouveau,
        "Décision du comité.",
        "renversement",
    )
    assert etat.reponses == reponses  # les réponses de l'analyste, pour mémoire
    dernier = _journal(moteur)[-1]
    assert dernier[:2] == (PRES, examens.OBJET_RENVERSEMENT)
    assert dernier[2].startswith(depart) and dernier[3].startswith(nouveau)


def test_examen_fait_monter_la_version_des_donnees(moteur, appel, demandes):
    """Les pages gardent classement et listes sous la version des données lourdes : un
    examen doit les faire relire."""
    with moteur.connect() as c:
        avant = stockage.versions_donnees(connexion=c)
    examens.examiner(appel, demandes["T-001"], reponses_toutes(appel), moteur=moteur, auteur=ANA)
    with moteur.connect() as c:
        apres = stockage.versions_donnees(connexion=c)
    assert apres[0] > avant[0] and apres[1] > avant[1]


def _ecrire_sous_verrou(quoi, appel, moteur, d, signalement):
    if quoi == "examiner":
        examens.examiner(appel, d, reponses_toutes(appel), moteur=moteur, auteur=ANA)
    elif quoi == "examiner_en_masse":
        examens.examiner_en_masse(appel, {d: reponses_toutes(appel)}, moteur=moteur, auteur=ANA)
    elif quoi == "renverser":
        examens.renverser(appel, d, INADMISSIBLE, "revu", moteur=moteur, auteur=PRES)
    else:
        examens.regler(appel, signalement, ECARTEE, "confirmé", moteur=moteur, auteur=PRES)


@pytest.mark.parametrize(
    ("quoi", "verrouillees", "refus"),
    [
        pytest.param("examiner", True, "Examen non enregistré", id="examen-refuse"),
        pytest.param("examiner_en_masse", True, "Examens non enregistrés", id="masse-refusee"),
        pytest.param("renverser", True, "Renversement de l.examen", id="renversement-refuse"),
        pytest.param("regler", True, "Règlement du signalement", id="reglement-refuse"),
        pytest.param("examiner", False, None, id="examen-decisions-ouvertes"),
        pytest.param("renverser", False, None, id="renversement-decisions-ouvertes"),
        pytest.param("regler", False, None, id="reglement-decisions-ouvertes"),
    ],
)
def test_decisions_verrouillees_figent_l_admissibilite(
    moteur, appel, demandes, quoi, verrouillees, refus
):
    """Issue 15 : « The ranking's status "inadmissible" comes from the screening » : une fois
    les décisions verrouillées, ce qui les fonde ne change plus (examen, renversement,
    règlement d'un signalement) ; refusé en français, rien n'est écrit."""
    d = demandes["T-001"]
    examens.examiner(appel, d, reponses_toutes(appel), moteur=moteur, auteur=ANA)
    signalement = examens.signaler(appel, d, EVA, "Autre programme ?", moteur=moteur)
    if verrouillees:
        attributions.verrouiller(
            appel.id, True, moteur=moteur, auteur=PRES, quoi="decisions_verrouillees"
        )
    avant_historique = examens.historique(d, moteur=moteur)
    avant_journal = _journal(moteur)
    if refus:
        with pytest.raises(ErreurFiltrage, match=f"{refus} : les décisions de cet appel sont"):
            _ecrire_sous_verrou(quoi, appel, moteur, d, signalement)
        assert examens.historique(d, moteur=moteur) == avant_historique
        assert _journal(moteur) == avant_journal
        assert examens.charger(appel.id, moteur=moteur).ouverts(d) != []
        return
    _ecrire_sous_verrou(quoi, appel, moteur, d, signalement)
    assert len(examens.historique(d, moteur=moteur)) == len(avant_historique) + 1


def test_messages_de_conflit_datent_a_la_quebecoise(moteur, appel, demandes):
    """Issue 19 : l'heure de l'examen qui a changé et celle du règlement déjà fait se lisent
    « 29 novembre 2026 à 9 h 05 » (formats.date_heure), pas « 2026-11-29 09:05 »."""
    import datetime as dt

    d = demandes["T-001"]
    examine = dt.datetime(2026, 11, 29, 9, 5)
    examens.examiner(
        appel, d, reponses_toutes(appel), moteur=moteur, auteur=ANA, maintenant=examine
    )
    with pytest.raises(ErreurFiltrage) as refus:
        examens.examiner(
            appel, d, reponses_toutes(appel), moteur=moteur, auteur=ANA, dernier_examen_lu=0
        )
    assert "29 novembre 2026 à 9 h 05" in str(refus.value)
    assert "2026-11-29" not in str(refus.value)
    s = examens.signaler(appel, d, EVA, "Le budget mentionne un autre programme.", moteur=moteur)
    regle = dt.datetime(2026, 11, 30, 17, 25)
    examens.regler(appel, s, MAINTENUE, "Vérifié.", moteur=moteur, auteur=ANA, maintenant=regle)
    with pytest.raises(ErreurFiltrage) as refus:
        examens.regler(appel, s, ECARTEE, "x", moteur=moteur, auteur=PRES)
    assert "30 novembre 2026 à 17 h 25" in str(refus.value)
    assert "2026-11-30" not in str(refus.value)
