"""La page Admissibilité, pilotée comme l'analyste et la présidence le feraient : la liste
des demandes et leur statut, la liste de l'appel pré-remplie, un « non » sans raison
refusé, l'examen enregistré et journalisé, un signalement réglé, un renversement."""

import pytest

from evaluation.appels.configuration import appel_depuis_toml, charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import examens
from evaluation.notes.filtrage import ADMISSIBLE, ECARTEE, INADMISSIBLE, NON, OUI
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, ANALYSTE, EVALUATEUR, PRESIDENT
from tests.conftest import DONNEES
from tests.filtrage import reponses_toutes
from tests.pages.conftest import compte_de_test, rendu, textes

PAGE = "pages/admissibilite.py"


@pytest.fixture
def demandes(base):
    """Les trois demandes de valide.xlsx, pas encore examinées : [(id, numéro), ...]."""
    appel = charger_appel()
    moteur = stockage.creer_moteur(base)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    moteur.dispose()
    return [(int(i), n) for i, n in zip(table["id"], table["no_demande"], strict=True)]


def _metriques(at):
    return {m.label: m.value for m in at.metric}


def _etat(moteur, d):
    return examens.charger(charger_appel().id, moteur=moteur).etat(d)


def test_liste_et_statuts_avant_tout_examen(application, demandes):
    at = application(PAGE, role=ANALYSTE)
    assert at.title[0].value == "Admissibilité"
    assert _metriques(at) == {
        "Admissibles": "0",
        "Inadmissibles": "0",
        "Admissibilité à établir": "3",
        "Signalements à régler": "0",
    }
    liste = at.dataframe[0].value
    assert liste["Demande"].tolist() == [n for _, n in demandes]
    assert set(liste["Admissibilité"]) == {"admissibilité à établir"}
    assert set(liste["Raison"]) == {"pas encore examinée"}


def test_liste_de_l_appel_pre_remplie_et_citee(application, demandes):
    """Pré-remplie d'après le fichier (`champ`, `attendu`) ; les conditions que le fichier
    ne dit pas sont « à vérifier » ; chaque condition cite sa phrase de l'appel."""
    appel = charger_appel()
    d = demandes[0][0]
    at = application(PAGE, role=ANALYSTE)
    valeurs = {c.id: at.radio(key=f"adm_rep_{d}_0_{c.id}").value for c in appel.conditions}
    assert valeurs["dossier-complet"] == OUI
    assert valeurs["entite-municipale"] == OUI
    assert valeurs["citoyens-residents"] == "à vérifier"
    assert valeurs["partenaire-quebecois"] == "à vérifier"
    assert "présentés par des citoyens canadiens ou des résidents permanents" in textes(at)
    assert "L’appui financier sera accordé au partenaire québécois" in textes(at)


def test_condition_interpretee_montre_sa_lecture_pas_l_appel(application, demandes, moteur):
    """Une condition `source = "interpretation"` montre « Lecture retenue : … » et sa phrase
    en appui, jamais « L'appel : « … » » ; les autres gardent leur citation de l'appel."""
    phrase = "L’appui financier sera accordé au partenaire québécois du projet exclusivement."
    toml = charger_appel().source_toml.replace(
        f'citation = "{phrase}"',
        f'citation = "{phrase}"\nsource = "interpretation"\n'
        'lecture = "le partenaire québécois est *la* municipalité requérante"',
    )
    assert toml != charger_appel().source_toml
    with stockage.ecriture(moteur) as connexion:
        stockage.enregistrer_appel(appel_depuis_toml(toml, "essai.toml"), connexion=connexion)
    at = application(PAGE, role=ANALYSTE)
    legendes = [rendu(c.value) for c in at.caption]
    assert (
        "Lecture retenue : le partenaire québécois est *la* municipalité requérante. "
        f"Phrase en appui : « {phrase} »"
    ) in legendes
    assert f"L'appel : « {phrase} »" not in legendes
    assert (
        "L'appel : « Pour obtenir un soutien financier, les projets doivent être présentés"
    ) in "\n".join(legendes)


def test_examen_non_sans_raison_refuse_puis_enregistre(application, demandes, moteur):
    appel = charger_appel()
    d = demandes[0][0]
    at = application(PAGE, role=ANALYSTE)
    for c in appel.conditions:
        at.radio(key=f"adm_rep_{d}_0_{c.id}").set_value(OUI)
    at.radio(key=f"adm_rep_{d}_0_partenaire-quebecois").set_value(NON)
    at.button(key="adm_enregistrer").click().run()
    assert any("dites pourquoi la réponse est « non »" in e.value for e in at.error)
    assert _etat(moteur, d).verdict == "à établir"

    at.text_input(key=f"adm_raison_{d}_0_partenaire-quebecois").set_value(
        "Versement demandé au partenaire belge."
    )
    at.button(key="adm_enregistrer").click().run()
    assert not at.exception, at.exception
    assert any("inadmissible" in s.value for s in at.success)
    etat = _etat(moteur, d)
    assert etat.verdict == INADMISSIBLE
    assert "partenaire belge" in etat.raison
    assert _metriques(at)["Inadmissibles"] == "1"
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, demande_id=d)
    assert journal["objet"].tolist() == [examens.OBJET_EXAMEN]
    assert journal["auteur"].tolist() == ["analyste@exemple.qc.ca"]


def test_presidence_regle_un_signalement_et_renverse(application, demandes, moteur):
    appel = charger_appel()
    d = demandes[1][0]
    analyste = compte_de_test(moteur.url.render_as_string(hide_password=False), ANALYSTE)
    evaluateur = compte_de_test(moteur.url.render_as_string(hide_password=False), EVALUATEUR)
    examens.examiner(appel, d, reponses_toutes(appel), moteur=moteur, auteur=analyste)
    s = examens.signaler(
        appel, d, evaluateur, "Autre programme mentionné au budget.", moteur=moteur
    )

    at = application(PAGE, role=PRESIDENT)
    assert _metriques(at)["Signalements à régler"] == "1"
    at.selectbox(key="adm_demande").set_value(d).run()
    assert "Autre programme mentionné au budget." in textes(at)
    # La présidence ne remplit pas la liste : ni formulaire d'examen, ni bouton.
    assert not [r for r in at.radio if r.key.startswith("adm_rep_")]
    at.radio(key=f"adm_suite_{s}").set_value(ECARTEE)
    at.text_input(key=f"adm_raison_suite_{s}").set_value("Confirmé : PAFIRS 2024.")
    at.button(key=f"adm_regler_btn_{s}").click().run()
    assert not at.exception, at.exception
    assert _etat(moteur, d).verdict == INADMISSIBLE
    assert _metriques(at)["Signalements à régler"] == "0"

    at.radio(key=f"adm_nouveau_{d}").set_value(ADMISSIBLE)
    at.text_area(key=f"adm_raison_renversement_{d}").set_value("Le PAFIRS a refusé le projet.")
    at.button(key="adm_renverser").click().run()
    assert not at.exception, at.exception
    etat = _etat(moteur, d)
    assert (etat.verdict, etat.nature) == (ADMISSIBLE, "renversement")
    with moteur.connect() as c:
        objets = stockage.lire_journal(connexion=c, demande_id=d)["objet"].tolist()
    assert objets[-1] == examens.OBJET_RENVERSEMENT


def test_l_administration_voit_mais_ne_renverse_pas(application, demandes):
    at = application(PAGE, role=ADMIN)
    assert at.title[0].value == "Admissibilité"
    assert not [r for r in at.radio if r.key.startswith("adm_nouveau_")]


@pytest.mark.parametrize(
    ("date_depot", "presumee", "attendu", "alerte"),
    [
        # « L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. »
        ("2024-03-04", False, "3 jours après la date limite du 1er mars 2024", True),
        ("2024-03-01", False, "à temps (date limite : 1er mars 2024)", False),
        ("2024-03-20", True, "vérifiez la date de dépôt réelle", True),
    ],
)
def test_depot_montre_a_l_analyste(
    application, demandes, moteur, date_depot, presumee, attendu, alerte
):
    """L'analyste voit la date de dépôt de la demande examinée et, en retard (ou présumée
    après la date limite), un avertissement avec le nombre de jours."""
    import datetime as dt

    import sqlalchemy as sa

    d = demandes[0][0]
    with moteur.begin() as c:
        c.execute(
            sa.text("UPDATE demandes SET date_depot = :j, date_depot_presumee = :p WHERE id = :d"),
            {"j": dt.date.fromisoformat(date_depot), "p": presumee, "d": d},
        )
    at = application(PAGE, role=ANALYSTE)
    assert not at.exception
    if alerte:
        assert any(attendu in w.value for w in at.warning)
    else:
        assert not any("Dépôt" in w.value for w in at.warning)
        assert any(attendu in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("date_depot", "presumee", "reponse", "raison"),
    [
        # « L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. »
        pytest.param("2024-03-01", False, OUI, "", id="le-jour-meme"),
        pytest.param(
            "2024-03-04",
            False,
            NON,
            "déposée 3 jours après la date limite du 1er mars 2024",
            id="en-retard",
        ),
        pytest.param(
            "2024-03-20", True, "à vérifier", "date de dépôt présumée (celle de", id="presumee"
        ),
        # Importée avant la date limite : la demande était déjà reçue, donc à temps.
        pytest.param("2024-02-20", True, "oui", "", id="presumee-avant"),
        pytest.param(
            "2022-12-01", False, "à vérifier", "plus d'un an avant la date limite", id="trop-tot"
        ),
    ],
)
def test_condition_du_depot_pre_remplie(
    application, demandes, moteur, date_depot, presumee, reponse, raison
):
    """La condition « déposée au plus tard à la date limite » (« L'appel à projets
    2023-2024 s'est terminé le 1er mars 2024. », lu comme la date limite de dépôt) arrive
    pré-remplie d'après la date de dépôt, avec sa raison ; un retard pré-rempli s'enregistre
    tel quel et rend la demande inadmissible."""
    import datetime as dt

    import sqlalchemy as sa

    appel = charger_appel()
    d = demandes[0][0]
    with moteur.begin() as c:
        c.execute(
            sa.text("UPDATE demandes SET date_depot = :j, date_depot_presumee = :p WHERE id = :d"),
            {"j": dt.date.fromisoformat(date_depot), "p": presumee, "d": d},
        )
    at = application(PAGE, role=ANALYSTE)
    assert not at.exception, at.exception
    assert at.radio(key=f"adm_rep_{d}_0_depot-a-temps").value == reponse
    saisie = at.text_input(key=f"adm_raison_{d}_0_depot-a-temps").value
    assert raison in saisie and bool(saisie) == bool(raison)
    assert "L’appel à projets 2023-2024 s’est terminé le 1er mars 2024." in textes(at)
    if reponse != NON:
        return
    for c in appel.conditions:
        if c.id != "depot-a-temps":
            at.radio(key=f"adm_rep_{d}_0_{c.id}").set_value(OUI)
    at.button(key="adm_enregistrer").click().run()
    assert not at.exception, at.exception
    etat = _etat(moteur, d)
    assert etat.verdict == INADMISSIBLE and "3 jours après la date limite" in etat.raison


def test_renverser_une_demande_jamais_examinee_refuse(application, demandes, moteur):
    """La présidence renverse un examen : sans examen, refusé en français, rien d'écrit."""
    d = demandes[2][0]
    at = application(PAGE, role=PRESIDENT)
    at.selectbox(key="adm_demande").set_value(d).run()
    at.radio(key=f"adm_nouveau_{d}").set_value(ADMISSIBLE)
    at.text_area(key=f"adm_raison_renversement_{d}").set_value("Le comité l'admet.")
    at.button(key="adm_renverser").click().run()
    assert any("pas encore examinée : l'analyste l'examine d'abord" in e.value for e in at.error)
    assert examens.historique(d, moteur=moteur) == []
