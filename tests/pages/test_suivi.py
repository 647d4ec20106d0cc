"""La page Suivi des évaluations : avancement par évaluateur, verrouillage des notes, totaux."""

import json

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions, evaluations
from evaluation.notes.saisie import BROUILLON, SOUMISE, EvaluationRefusee, Saisie, total_pondere
from evaluation.socle import stockage
from evaluation.socle.formats import note
from evaluation.socle.roles import ADMIN, EVALUATEUR, PRESIDENT
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.pages.conftest import compte_de_test, compter_appels, fenetres, rendu, textes

pytestmark = pytest.mark.usefixtures("cadre_a_chaque_execution")

PAGE = "pages/suivi.py"
VALIDE = DONNEES / "formats" / "valide.xlsx"
EVA, LUC = "eva@exemple.qc.ca", "luc@exemple.qc.ca"
NOMS = {EVA: "Éva Lachance", LUC: "Luc Gagnon"}


@pytest.fixture
def appel():
    return charger_appel()


@pytest.fixture
def demandes(base, appel, moteur) -> dict[str, int]:
    """Les trois demandes de valide.xlsx et deux évaluateurs ; {numéro: identifiant}."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    for courriel, nom in NOMS.items():
        compte_de_test(base, EVALUATEUR, courriel, nom=nom)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


def _complete(appel, note: float) -> Saisie:
    return Saisie(notes={c.id: note for c in appel.criteres}, admissible=True)


def _metriques(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _par_evaluateur(at):
    (table,) = [d.value for d in at.dataframe if "Soumises" in d.value.columns]
    return table.set_index("Courriel")


def _totaux(at):
    tables = [
        d.value
        for d in at.dataframe
        if "Soumises" not in d.value.columns and "Demande" not in d.value.columns
    ]
    assert len(tables) <= 1
    return tables[0] if tables else None


@pytest.mark.parametrize("role", [ADMIN, PRESIDENT])
def test_avancement_par_evaluateur(application, appel, moteur, demandes, role):
    evaluations.enregistrer(
        appel, demandes["T-001"], EVA, _complete(appel, 7.5), SOUMISE, moteur=moteur
    )
    evaluations.enregistrer(
        appel,
        demandes["T-002"],
        EVA,
        Saisie(notes={appel.criteres[0].id: 5.0}),
        BROUILLON,
        moteur=moteur,
    )
    attributions.declarer_conflit(
        appel.id, demandes["T-003"], LUC, "Employé de la ville", moteur=moteur, auteur="admin"
    )
    at = application(PAGE, role=role)
    assert at.title[0].value == "Suivi des évaluations"
    m = _metriques(at)
    # 3 demandes × 2 évaluateurs, moins le conflit de Luc : 5 évaluations attendues.
    assert (m["Demandes"], m["Évaluateurs actifs"], m["Évaluations soumises"]) == (
        "3",
        "2",
        "1 / 5",
    )
    assert "Chaque évaluateur évalue chaque demande" in textes(at)
    table = _par_evaluateur(at)
    assert table.loc[EVA, "Évaluateur"] == "Éva Lachance"
    assert table.loc[
        EVA, ["Attribuées", "Soumises", "Brouillons", "À faire", "Conflits"]
    ].tolist() == [
        3,
        1,
        1,
        1,
        0,
    ]
    assert table.loc[
        LUC, ["Attribuées", "Soumises", "Brouillons", "À faire", "Conflits"]
    ].tolist() == [
        2,
        0,
        0,
        2,
        1,
    ]


def test_sans_evaluateur(application):
    at = application(PAGE)
    assert "Aucun compte d'évaluateur actif" in textes(at)
    assert _metriques(at)["Évaluations soumises"] == "0 / 0"


def _listes(at) -> dict[str, object]:
    """Les tables de la fenêtre ouverte, par titre (le markdown en gras qui les précède)."""
    (fenetre,) = fenetres(at)
    titres = [m.value.strip("*") for m in fenetre.markdown]
    tables = [d.value for d in fenetre.dataframe]
    return dict(zip(titres, tables, strict=True))


def test_verrouiller_ouvre_une_fenetre_qui_liste_l_inacheve(
    application, appel, moteur, base, demandes
):
    """Le bouton n'écrit rien : il ouvre une fenêtre qui compte et liste les évaluations
    attribuées non soumises (brouillon ou pas commencée) et l'examen d'admissibilité à finir.
    « Annuler » la ferme sans verrouiller ; « Verrouiller quand même » verrouille."""
    evaluations.enregistrer(
        appel, demandes["T-001"], EVA, _complete(appel, 7.5), SOUMISE, moteur=moteur
    )
    evaluations.enregistrer(
        appel,
        demandes["T-002"],
        EVA,
        Saisie(notes={appel.criteres[0].id: 5.0}),
        BROUILLON,
        moteur=moteur,
    )
    attributions.declarer_conflit(
        appel.id, demandes["T-003"], LUC, "Employé de la ville", moteur=moteur, auteur="admin"
    )
    at = application(PAGE, role=PRESIDENT)
    assert not fenetres(at)
    at.button(key="verrouiller").click().run()
    assert not at.exception, at.exception
    listes = _listes(at)
    # Éva : T-002 en brouillon, T-003 pas commencée ; Luc : T-001 et T-002 (T-003 : conflit).
    titre = "4 évaluations attribuées non soumises (1 brouillon, 3 pas commencées)"
    assert list(listes) == [titre]  # l'examen est fini : pas de deuxième liste
    assert listes[titre].values.tolist() == [
        ["Luc Gagnon", "T-001", listes[titre].iloc[0]["Titre"], "pas commencée"],
        ["Luc Gagnon", "T-002", listes[titre].iloc[1]["Titre"], "pas commencée"],
        ["Éva Lachance", "T-002", listes[titre].iloc[2]["Titre"], "brouillon"],
        ["Éva Lachance", "T-003", listes[titre].iloc[3]["Titre"], "pas commencée"],
    ]
    assert all(listes[titre]["Titre"])
    assert [b.label for b in fenetres(at)[0].button] == ["Verrouiller quand même", "Annuler"]

    at.button(key="verrouiller_annuler").click().run()
    assert not at.exception, at.exception
    assert not fenetres(at)
    assert attributions.charger(appel.id, moteur=moteur).reglages.verrouille is False
    assert "Évaluations ouvertes." in textes(at)
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id)
    assert "reglage:verrouille" not in set(journal["objet"])

    at.button(key="verrouiller").click().run()
    at.button(key="verrouiller_confirmer").click().run()
    assert not at.exception, at.exception
    assert attributions.charger(appel.id, moteur=moteur).reglages.verrouille is True
    assert not fenetres(at)


def test_fenetre_de_verrouillage_examen_a_finir_puis_rien(application, appel, moteur):
    """Une demande pas encore examinée est listée (elle n'est ni attribuée ni notée) ; quand
    rien ne reste, la fenêtre le dit et demande une simple confirmation."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        ids = stockage.lire_demandes(appel.id, connexion=c)["id"].astype(int).tolist()
    admettre(moteur, appel, ids[:2])
    at = application(PAGE, role=PRESIDENT)
    at.button(key="verrouiller").click().run()
    assert not at.exception, at.exception
    listes = _listes(at)
    titre = "1 demande dont l'examen d'admissibilité n'est pas fini"
    assert list(listes) == [titre]
    assert listes[titre][["Demande", "Ce qui reste"]].values.tolist() == [
        ["T-003", "pas encore examinée"]
    ]
    at.button(key="verrouiller_annuler").click().run()

    admettre(moteur, appel, ids[2:])
    at.button(key="verrouiller").click().run()
    assert not at.exception, at.exception
    (fenetre,) = fenetres(at)
    assert not fenetre.dataframe
    # Aucun évaluateur dans ce jeu : rien n'est attribué, et la fenêtre le dit.
    assert [rendu(m.value) for m in fenetre.markdown] == [
        "Aucune évaluation n'est attribuée pour l'instant (aucun évaluateur actif ou aucune "
        "attribution) : verrouillées, aucune évaluation ne pourra être soumise."
    ]
    assert [b.label for b in fenetre.button] == ["Verrouiller", "Annuler"]
    at.button(key="verrouiller_confirmer").click().run()
    assert attributions.charger(appel.id, moteur=moteur).reglages.verrouille is True


@pytest.mark.parametrize("role", [ADMIN, PRESIDENT])
def test_verrouiller_puis_deverrouiller(application, appel, moteur, demandes, role):
    at = application(PAGE, role=role)
    assert "Évaluations ouvertes." in textes(at)
    assert not [b for b in at.button if b.key == "deverrouiller"]
    at.button(key="verrouiller").click().run()
    assert not at.exception, at.exception
    assert attributions.charger(appel.id, moteur=moteur).reglages.verrouille is False
    at.button(key="verrouiller_confirmer").click().run()
    assert not at.exception, at.exception

    reglages = attributions.charger(appel.id, moteur=moteur).reglages
    assert reglages.verrouille is True
    assert [s.value for s in at.success] == ["Évaluations verrouillées (inscrit au journal)."]
    assert not fenetres(at)
    assert reglages.modifie_par == f"{role}@exemple.qc.ca"
    verrou = next(m.value for m in at.markdown if "Évaluations verrouillées" in m.value)
    assert f"par {role}@exemple.qc.ca" in verrou
    assert not [b for b in at.button if b.key == "verrouiller"]
    with pytest.raises(EvaluationRefusee, match="verrouillées"):
        evaluations.enregistrer(
            appel, demandes["T-001"], EVA, _complete(appel, 6.0), SOUMISE, moteur=moteur
        )

    if role == PRESIDENT:  # la présidence verrouille ; seule l'administration rouvre
        assert not [b for b in at.button if b.key == "deverrouiller"]
        assert "Seule l'administration peut les rouvrir." in textes(at)
        at = application(PAGE, role=ADMIN)
    at.button(key="deverrouiller").click().run()
    assert not at.exception, at.exception
    assert attributions.charger(appel.id, moteur=moteur).reglages.verrouille is False
    assert "Évaluations ouvertes." in textes(at)
    assert not any("Évaluations verrouillées" in m.value for m in at.markdown)
    evaluations.enregistrer(
        appel, demandes["T-001"], EVA, _complete(appel, 6.0), SOUMISE, moteur=moteur
    )
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id)
    verrous = journal[journal["objet"] == "reglage:verrouille"]
    assert verrous[["ancien", "nouveau"]].values.tolist() == [["False", "True"], ["True", "False"]]


@pytest.mark.parametrize("role", [ADMIN, PRESIDENT])
def test_totaux_des_evaluations_soumises(application, appel, moteur, demandes, role):
    at = application(PAGE, role=role)
    assert "Aucune évaluation soumise pour l'instant." in textes(at)
    assert _totaux(at) is None

    saisie = _complete(appel, 7.5)
    evaluations.enregistrer(appel, demandes["T-002"], LUC, saisie, SOUMISE, moteur=moteur)
    # Un brouillon n'entre pas dans les totaux.
    evaluations.enregistrer(appel, demandes["T-001"], EVA, saisie, BROUILLON, moteur=moteur)
    at.run()
    assert not at.exception, at.exception
    assert "Aucune évaluation soumise pour l'instant." not in textes(at)
    totaux = _totaux(at)
    assert list(totaux.columns) == ["Luc Gagnon"]
    assert list(totaux.index) == ["T-002"]
    total = total_pondere(saisie.notes, appel)
    assert 0 < total < 100
    # Format québécois : virgule décimale, les deux décimales des notes de tout le projet
    # (7,5 sur 10 partout → « 75,00 »).
    assert totaux.loc["T-002", "Luc Gagnon"] == note(total) == "75,00"
    assert _metriques(at)["Évaluations soumises"] == "1 / 6"


def test_deux_evaluateurs_du_meme_nom(application, appel, moteur, base, demandes):
    """Un troisième évaluateur nommé comme Luc : la page s'affiche (elle plantait sur
    « Duplicate column names ») et chaque colonne des totaux dit de qui elle est."""
    autre = "luc.g@exemple.qc.ca"
    compte_de_test(base, EVALUATEUR, autre, nom=NOMS[LUC])
    saisie = _complete(appel, 7.5)
    evaluations.enregistrer(appel, demandes["T-002"], LUC, saisie, SOUMISE, moteur=moteur)
    evaluations.enregistrer(appel, demandes["T-002"], autre, saisie, SOUMISE, moteur=moteur)
    at = application(PAGE, role=ADMIN)
    assert not at.exception, at.exception
    assert sorted(_totaux(at).columns) == sorted([f"Luc Gagnon ({LUC})", f"Luc Gagnon ({autre})"])


def test_avancement_complet_affiche_cent_pour_cent(application, appel, moteur, demandes):
    for demande_id in demandes.values():
        evaluations.enregistrer(
            appel, demande_id, EVA, _complete(appel, 7.5), SOUMISE, moteur=moteur
        )
    at = application(PAGE)
    (element,) = [d for d in at.dataframe if "Soumises" in d.value.columns]
    table = element.value.set_index("Courriel")
    assert (table.loc[EVA, "Soumises"], table.loc[EVA, "Attribuées"]) == (3, 3)
    barre = json.loads(element.proto.columns)["Avancement"]["type_config"]
    valeur = table.loc[EVA, "Avancement"]
    # Ce que la barre montre : sa part remplie, et son texte.
    remplie = (valeur - barre["min_value"]) / (barre["max_value"] - barre["min_value"])
    assert remplie == pytest.approx(1.0)
    assert barre["format"] % valeur == "100 %"
    assert table.loc[LUC, "Avancement"] == 0


def test_relu_une_fois_par_version_des_donnees(application, appel, moteur, demandes, monkeypatch):
    """Les 400 000 notes d'un gros appel ne se relisent pas à chaque action : une
    réexécution sans changement dans la base n'en relit aucune ; une note enregistrée
    ailleurs (un évaluateur, une grille) paraît à la réexécution suivante."""
    lectures = compter_appels(monkeypatch, stockage, "lire_notes_en_colonnes")
    at = application(PAGE)
    assert len(lectures) == 1 and _totaux(at) is None
    at.run()
    at.run()
    assert len(lectures) == 1
    evaluations.enregistrer(
        appel, demandes["T-003"], EVA, _complete(appel, 4.0), SOUMISE, moteur=moteur
    )
    at.run()
    assert len(lectures) == 2
    assert _totaux(at).loc["T-003", "Éva Lachance"] == "40,00"
    assert _par_evaluateur(at).loc[EVA, "Soumises"] == 1
    assert _metriques(at)["Évaluations soumises"] == "1 / 6"
