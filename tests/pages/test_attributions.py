"""La page Attributions et conflits, pilotée par l'administration sur le jeu de démonstration."""

import pandas as pd
import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions, repartition
from evaluation.socle import stockage
from evaluation.socle.roles import EVALUATEUR
from pages.composants.commun import fichiers_demo
from tests.filtrage import admettre
from tests.pages.conftest import compte_de_test, sous_le_controle, textes

pytestmark = pytest.mark.usefixtures("cadre_a_chaque_execution")

PAGE = "pages/attributions.py"
PARTIEL = "Un nombre d'évaluateurs par demande"
ADMIN_COURRIEL = "admin@exemple.qc.ca"
# courriel → nom ; les noms sont ceux que la page montre.
EVALUATEURS = {
    "eva@exemple.qc.ca": "Éva Lachance",
    "luc@exemple.qc.ca": "Luc Gagnon",
    "zoe@exemple.qc.ca": "Zoé Roy",
}
REGION_DE_LUC = "16"  # Montérégie : dix demandes du jeu de démonstration


@pytest.fixture
def demo(base) -> dict[str, dict]:
    """Le jeu de démonstration importé ; {numéro: {id, region, ...}}."""
    appel = charger_appel()
    moteur = stockage.creer_moteur(base)
    try:
        verification = verifier_lot([(f.name, f) for f in fichiers_demo()], appel)
        importer(verification, appel, moteur=moteur)
        admettre(moteur, appel)  # jugées admissibles : elles s'attribuent
        with moteur.connect() as c:
            table = stockage.lire_demandes(appel.id, connexion=c)
    finally:
        moteur.dispose()
    assert len(table) == 80
    return {d["no_demande"]: {**d, "id": int(d["id"])} for d in table.to_dict("records")}


def _evaluateurs(base, **champs_par_courriel):
    for courriel, nom in EVALUATEURS.items():
        compte_de_test(base, EVALUATEUR, courriel, nom=nom, **champs_par_courriel.get(courriel, {}))


def _etat(base) -> repartition.Attributions:
    moteur = stockage.creer_moteur(base)
    try:
        return attributions.charger(charger_appel().id, moteur=moteur)
    finally:
        moteur.dispose()


def _conflits_stockes(base) -> list[dict]:
    moteur = stockage.creer_moteur(base)
    try:
        with moteur.connect() as c:
            return stockage.lire_conflits(charger_appel().id, connexion=c)
    finally:
        moteur.dispose()


def _table_conflits(at) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if "Origine" in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _succes(at) -> list[str]:
    return [s.value for s in at.success]


def test_sans_evaluateur_la_page_le_dit(application, demo):
    at = application(PAGE)
    assert at.title[0].value == "Attributions et conflits d'intérêts"
    assert "au moins un compte d'évaluateur actif" in textes(at)
    assert not [b for b in at.button if b.key == "attrib_appliquer"]


def test_repartition_deux_evaluateurs_par_demande(application, base, demo):
    _evaluateurs(base)
    at = application(PAGE)
    assert at.radio(key="attrib_mode").value == "Chaque évaluateur évalue chaque demande"
    at.radio(key="attrib_mode").set_value(PARTIEL).run()
    at.number_input(key="attrib_n").set_value(2).run()
    at.button(key="attrib_appliquer").click().run()
    assert not at.exception, at.exception
    assert _succes(at) == ["Répartition appliquée."]
    assert not at.error

    etat = _etat(base)
    assert etat.reglages.evaluateurs_par_demande == 2
    assert len(etat.demandes) == 80
    assert all(len(etat.evaluateurs_de(d)) == 2 for d in etat.demandes)
    charges = {e: len(etat.demandes_de(e)) for e in etat.evaluateurs}
    assert set(charges) == set(EVALUATEURS)
    assert sum(charges.values()) == 160
    assert max(charges.values()) - min(charges.values()) <= 1

    # La page montre la même charge, et le tableau demande par demande.
    charge = next(m.value for m in at.markdown if m.value.startswith("**Charge**"))
    for courriel, nom in EVALUATEURS.items():
        assert f"{nom} : {charges[courriel]} demandes" in charge
    assert "Attributions, demande par demande" in [s.value for s in at.subheader]
    assert at.radio(key="attrib_mode").value == PARTIEL
    assert at.number_input(key="attrib_n").value == 2


def test_repartition_evite_les_conflits_de_regle(application, base, demo):
    _evaluateurs(base, **{"luc@exemple.qc.ca": {"region": REGION_DE_LUC}})
    at = application(PAGE)
    at.radio(key="attrib_mode").set_value(PARTIEL).run()
    at.number_input(key="attrib_n").set_value(2).run()
    at.button(key="attrib_appliquer").click().run()
    assert _succes(at) == ["Répartition appliquée."]
    etat = _etat(base)
    de_la_region = [d["id"] for d in demo.values() if d["region"] == REGION_DE_LUC]
    assert len(de_la_region) == 10
    for d in de_la_region:
        assert etat.evaluateurs_de(d) == ["eva@exemple.qc.ca", "zoe@exemple.qc.ca"]
    assert all(len(etat.evaluateurs_de(d)) == 2 for d in etat.demandes)


def _inscrire(at, demande_id: int, evaluateur: str, raison: str):
    at.selectbox(key="conflit_demande").set_value(demande_id)
    at.selectbox(key="conflit_evaluateur").set_value(evaluateur)
    at.text_input(key="conflit_raison").set_value(raison)
    at.button(key="conflit_inscrire").click().run()
    assert not at.exception, at.exception
    return at


def test_declarer_puis_lever_un_conflit(application, base, demo):
    _evaluateurs(base)
    numero = sorted(demo)[3]
    demande_id = demo[numero]["id"]
    at = application(PAGE)
    assert "Aucun conflit d'intérêts." in textes(at)
    assert not [s for s in at.selectbox if s.key == "conflit_lever"]

    _inscrire(at, demande_id, "zoe@exemple.qc.ca", "Sœur de la mairesse")
    assert _succes(at) == ["Conflit d'intérêts inscrit."]
    assert sous_le_controle(at, "conflit_inscrire") == ["Conflit d'intérêts inscrit."]
    stockes = _conflits_stockes(base)
    assert [(int(c["demande_id"]), c["evaluateur"], c["raison"], c["auteur"]) for c in stockes] == [
        (demande_id, "zoe@exemple.qc.ca", "Sœur de la mairesse", ADMIN_COURRIEL)
    ]
    conflit = _etat(base).conflits[(demande_id, "zoe@exemple.qc.ca")]
    assert conflit.origine == repartition.DECLARE
    table = _table_conflits(at)
    assert table[["Demande", "Évaluateur", "Raison"]].values.tolist() == [
        [numero, "Zoé Roy", "Sœur de la mairesse"]
    ]
    assert table["Origine"][0].startswith(f"déclaré par {ADMIN_COURRIEL} le ")
    assert "Aucun conflit d'intérêts." not in textes(at)

    # Le lever : il disparaît de la base et du tableau.
    lever = at.selectbox(key="conflit_lever")
    assert lever.options == [f"{numero} · Zoé Roy"]
    at.button(key="conflit_retirer").click().run()
    assert not at.exception, at.exception
    assert _succes(at) == ["Conflit levé (inscrit au journal)."]
    assert _conflits_stockes(base) == []
    assert (demande_id, "zoe@exemple.qc.ca") not in _etat(base).conflits
    assert "Aucun conflit d'intérêts." in textes(at)
    assert not [d for d in at.dataframe if "Origine" in d.value.columns]


@pytest.mark.parametrize("raison", ["", "   "])
def test_conflit_sans_raison_refuse(application, base, demo, raison):
    _evaluateurs(base)
    at = _inscrire(application(PAGE), demo[sorted(demo)[0]]["id"], "eva@exemple.qc.ca", raison)
    assert [e.value for e in at.error] == [
        "Conflit non inscrit : un conflit d'intérêts se déclare avec sa raison."
    ]
    assert not at.success
    assert _conflits_stockes(base) == []
    assert "Aucun conflit d'intérêts." in textes(at)


def test_conflit_deja_inscrit_refuse(application, base, demo):
    _evaluateurs(base)
    demande_id = demo[sorted(demo)[0]]["id"]
    at = _inscrire(application(PAGE), demande_id, "eva@exemple.qc.ca", "Ancienne employée")
    _inscrire(at, demande_id, "eva@exemple.qc.ca", "Une autre raison")
    assert [e.value for e in at.error] == [
        "Conflit non inscrit : ce conflit d'intérêts est déjà inscrit."
    ]
    assert [c["raison"] for c in _conflits_stockes(base)] == ["Ancienne employée"]


def test_conflit_de_regle_par_la_region_du_compte(application, base, demo):
    _evaluateurs(base, **{"luc@exemple.qc.ca": {"region": REGION_DE_LUC}})
    at = application(PAGE)
    table = _table_conflits(at)
    numeros = sorted(n for n, d in demo.items() if d["region"] == REGION_DE_LUC)
    assert sorted(table["Demande"]) == numeros
    assert set(table["Évaluateur"]) == {"Luc Gagnon"}
    assert set(table["Origine"]) == {"règle (municipalité ou région du compte)"}
    assert set(table["Raison"]) == {
        f"région de l'évaluateur ({REGION_DE_LUC}) : celle de la demande"
    }
    # Rien de stocké : la règle se lit sur le compte ; et rien à lever à la main.
    assert _conflits_stockes(base) == []
    assert all(
        c.origine == repartition.REGLE
        for (d, e), c in _etat(base).conflits.items()
        if e == "luc@exemple.qc.ca"
    )
    assert "Aucun conflit déclaré." in textes(at)
    assert not [s for s in at.selectbox if s.key == "conflit_lever"]


def _refus(at) -> list[str]:
    return [e.value for e in at.error] + [w.value for w in at.warning]


def test_lever_un_conflit_du_comite_raison_et_pas_le_sien(application, base, demo):
    """Revue, issue 16 : l'administration ne lève pas son propre conflit ; le conflit d'un
    membre du comité ne se lève qu'avec une raison écrite, inscrite au journal."""
    _evaluateurs(base)
    compte_de_test(base, "membre", "mem@exemple.qc.ca", nom="Mélanie Membre")
    numero = sorted(demo)[2]
    demande_id = demo[numero]["id"]
    moteur = stockage.creer_moteur(base)
    try:
        for qui in (ADMIN_COURRIEL, "mem@exemple.qc.ca"):
            attributions.declarer_conflit(
                charger_appel().id, demande_id, qui, "parenté", moteur=moteur, auteur=qui
            )
    finally:
        moteur.dispose()
    at = application(PAGE)
    lever = at.selectbox(key="conflit_lever")
    le_mien = next(i for i in lever.options if "Mélanie" not in i)
    lever.set_value(lever.options.index(le_mien) if isinstance(lever.value, int) else le_mien)
    at.text_input(key="conflit_motif").set_value("je n'ai plus de lien")
    at.button(key="conflit_retirer").click().run()
    assert not at.exception, at.exception
    assert any("propre conflit d'intérêts" in t for t in _refus(at)), _refus(at)
    assert len(_conflits_stockes(base)) == 2

    lever = at.selectbox(key="conflit_lever")
    du_membre = next(i for i in lever.options if "Mélanie" in i)
    lever.set_value(lever.options.index(du_membre) if isinstance(lever.value, int) else du_membre)
    at.text_input(key="conflit_motif").set_value("  ")
    at.button(key="conflit_retirer").click().run()
    assert any("raison" in t for t in _refus(at)), _refus(at)
    assert len(_conflits_stockes(base)) == 2

    at.text_input(key="conflit_motif").set_value("lien rompu depuis 2020")
    at.button(key="conflit_retirer").click().run()
    assert _succes(at) == ["Conflit levé (inscrit au journal)."]
    assert [c["evaluateur"] for c in _conflits_stockes(base)] == [ADMIN_COURRIEL]
    moteur = stockage.creer_moteur(base)
    try:
        with moteur.connect() as c:
            j = stockage.lire_journal(connexion=c, objets=[attributions.LEVEE])
    finally:
        moteur.dispose()
    assert j[["evaluateur", "ancien", "nouveau", "auteur"]].values.tolist() == [
        ["mem@exemple.qc.ca", "parenté", "lien rompu depuis 2020", ADMIN_COURRIEL]
    ]
