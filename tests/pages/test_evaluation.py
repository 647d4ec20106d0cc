"""La page Évaluation, pilotée comme le ferait un évaluateur : curseurs, brouillon,
soumission, rechargement, avertissement avant de quitter, conflits, verrouillage, grille."""

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions, evaluations, examens
from evaluation.notes.grilles import construire_grille
from evaluation.notes.saisie import EvaluationRefusee, Saisie
from evaluation.socle import stockage
from evaluation.socle.roles import EVALUATEUR
from tests.conftest import DONNEES
from tests.filtrage import admettre, ecarter
from tests.pages.conftest import (
    MIME_XLSX,
    compte_de_test,
    compter_appels,
    rendu,
    sous_le_controle,
    textes,
)

PAGE = "pages/evaluation.py"
EVA = "evaluateur@exemple.qc.ca"


@pytest.fixture
def demandes(base):
    """Trois demandes importées (classeur valide), jugées admissibles par l'analyste :
    [(id, numéro), ...] dans l'ordre."""
    appel = charger_appel()
    moteur = stockage.creer_moteur(base)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    admettre(moteur, appel)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    moteur.dispose()
    return [(int(i), n) for i, n in zip(table["id"], table["no_demande"], strict=True)]


@pytest.fixture
def ouvrir(application, demandes):
    def ouvrir_page():
        return application(PAGE, role=EVALUATEUR)

    return ouvrir_page


def _noter(at, demande_id, notes):
    appel = charger_appel()
    for critere, note in zip(appel.criteres, notes, strict=True):
        at.select_slider(key=f"note::{demande_id}::{critere.id}").set_value(note)
    at.run()
    assert not at.exception, at.exception
    return at


def _metriques(at):
    return {m.label: m.value for m in at.metric}


def test_liste_progression_et_curseurs(ouvrir, demandes):
    at = ouvrir()
    assert at.title[0].value == "Évaluation"
    assert "0 / 3 soumises" in [p.proto.text for p in at.get("progress")]
    choix = at.selectbox(key="choix_demande")
    assert len(choix.options) == 3 and choix.value == demandes[0][0]
    assert len(at.select_slider) == 6
    assert all(s.value is None for s in at.select_slider)
    # L'échelle se lit dans le libellé (issue 19) ; « — » à gauche : non notée.
    assert all(s.label.endswith(" · note de 0 à 10") for s in at.select_slider)
    assert "Tout à gauche, « — » : pas encore notée." in textes(at)
    assert _metriques(at)["Total pondéré"] == "—"
    assert "Basse" in textes(at) and "Objectifs vagues" in textes(at)


def test_total_pondere_suit_les_curseurs(ouvrir, demandes):
    at = ouvrir()
    d = demandes[0][0]
    _noter(at, d, [8, 8, 8, 8, 8, 8])
    assert _metriques(at)["Total pondéré"] == "80,00 / 100"
    # 25×10 + 20×5 + 15×0 + 15×10 + 15×7.5 + 10×2 = 250+100+0+150+112.5+20 = 632.5 / 10
    _noter(at, d, [10, 5, 0, 10, 7.5, 2])
    assert _metriques(at)["Total pondéré"] == "63,25 / 100"
    assert _metriques(at)["Critères notés"] == "6 / 6"


def test_brouillon_enregistre_et_relu_dans_une_nouvelle_session(
    ouvrir, demandes, moteur, monkeypatch
):
    # L'heure du message se lit « 9 h 05 » (formats.heure), pas « 09 h 05 » (issue 19).
    monkeypatch.setattr(stockage, "maintenant", lambda: dt.datetime(2026, 11, 29, 9, 5))
    at = ouvrir()
    d = demandes[0][0]
    _noter(at, d, [7, 6.5, None, None, None, None])
    at.text_area(key=f"comm::{d}::pertinence").set_value("Retombées bien décrites.")
    at.text_area(key=f"global::{d}::").set_value("À revoir après la rencontre.")
    at.run()
    assert "Modifications non enregistrées" in textes(at)
    at.button(key="brouillon").click().run()
    assert not at.exception, at.exception
    assert any("Brouillon enregistré" in s.value for s in at.success)
    # Sous les boutons d'enregistrement, pas en haut de la page (issue 16).
    (sous,) = sous_le_controle(at, "soumettre_suivante")
    assert sous == "Brouillon enregistré à 9 h 05."
    statut, saisie = evaluations.lire(d, EVA, moteur=moteur)
    assert statut == "brouillon"
    assert saisie.notes["pertinence"] == 7 and saisie.notes["coherence"] == 6.5
    assert saisie.commentaires["pertinence"] == "Retombées bien décrites."

    relu = ouvrir()  # une autre session : un rechargement, un autre navigateur
    assert relu.select_slider(key=f"note::{d}::pertinence").value == 7
    assert relu.select_slider(key=f"note::{d}::coherence").value == 6.5
    assert relu.select_slider(key=f"note::{d}::capacite").value is None
    assert relu.text_area(key=f"comm::{d}::pertinence").value == "Retombées bien décrites."
    assert relu.text_area(key=f"global::{d}::").value == "À revoir après la rencontre."
    assert "Modifications non enregistrées" not in textes(relu)


def test_soumission_complete_puis_reouverture(ouvrir, demandes, moteur, monkeypatch):
    # L'heure comme partout (formats.heure) : « 4 h 18 », pas « 04 h 18 » (issue 19).
    monkeypatch.setattr(stockage, "maintenant", lambda: dt.datetime(2026, 12, 1, 4, 18, 30))
    at = ouvrir()
    d = demandes[0][0]
    _noter(at, d, [8, 7, 6, 9, 5, 4])
    # La liste de l'appel n'est plus sur cette page : l'analyste l'a examinée avant.
    assert not [r for r in at.radio if r.key and r.key.startswith(("cond::", "adm::"))]
    at.button(key="soumettre").click().run()
    assert not at.exception, at.exception
    # Une seule annonce, qui dit l'heure et ce qu'on peut encore faire (issue 19).
    (annonce,) = [s.value for s in at.success if "Évaluation soumise" in s.value]
    assert annonce.startswith("Évaluation soumise à 4 h 18. Vous pouvez la rouvrir ")
    at.run()  # une autre exécution : l'annonce reste, sans l'heure
    (annonce,) = [s.value for s in at.success if "Évaluation soumise" in s.value]
    assert annonce.startswith("Évaluation soumise. Vous pouvez la rouvrir ")
    assert evaluations.lire(d, EVA, moteur=moteur)[0] == "soumise"
    assert "1 / 3 soumises" in [p.proto.text for p in at.get("progress")]
    assert all(s.disabled for s in at.select_slider)

    at.button(key="rouvrir").click().run()
    assert evaluations.lire(d, EVA, moteur=moteur)[0] == "brouillon"
    assert not any(s.disabled for s in at.select_slider)
    with moteur.connect() as c:
        objets = list(stockage.lire_journal(connexion=c, demande_id=d)["objet"])
    assert objets.count("statut") == 2  # soumise, puis rouverte : l'historique garde tout


def test_soumission_incomplete_refusee(ouvrir, demandes, moteur):
    at = ouvrir()
    d = demandes[0][0]
    _noter(at, d, [8, 7, None, 9, 5, 4])
    at.button(key="soumettre").click().run()
    assert any("note manquante pour : Qualité du dossier" in e.value for e in at.error)
    assert evaluations.lire(d, EVA, moteur=moteur) is None


def test_doute_d_admissibilite_signale(ouvrir, demandes, moteur):
    """Issue 15 : « An evaluator who doubts eligibility flags it with a reason » ; la
    notation continue, l'analyste ou la présidence règle (page Admissibilité)."""
    at = ouvrir()
    d = demandes[0][0]
    at.button(key="signaler_doute").click().run()
    assert any("raison est obligatoire" in e.value for e in at.error)
    at.text_input(key=f"doute::{d}::").set_value("Le budget cite le programme PAFIRS.")
    at.button(key="signaler_doute").click().run()
    assert not at.exception, at.exception
    assert any("Doute d'admissibilité signalé" in i.value for i in at.info)
    (signalement,) = examens.charger(charger_appel().id, moteur=moteur).ouverts(d)
    assert signalement["evaluateur"] == EVA
    assert signalement["raison"] == "Le budget cite le programme PAFIRS."
    with moteur.connect() as c:
        objets = stockage.lire_journal(connexion=c, demande_id=d)["objet"].tolist()
    assert objets[-1] == examens.OBJET_SIGNALEMENT


def test_seules_les_demandes_admissibles_sont_listees(ouvrir, demandes, moteur):
    """Une demande jugée inadmissible (ou dont l'admissibilité est à établir) quitte la
    liste de l'évaluateur : elle ne se note pas."""
    ecarter(moteur, charger_appel(), demandes[1][0], "dossier incomplet")
    at = ouvrir()
    options = at.selectbox(key="choix_demande").options
    assert len(options) == 2
    assert not [o for o in options if demandes[1][1] in o]
    assert [o for o in options if demandes[0][1] in o]


def test_quitter_une_demande_modifiee_avertit(ouvrir, demandes, moteur):
    at = ouvrir()
    d1, d2 = demandes[0][0], demandes[1][0]
    _noter(at, d1, [9, None, None, None, None, None])

    at.button(key="suivante").click().run()
    assert any("modifications non enregistrées" in w.value for w in at.warning)
    assert at.selectbox(key="choix_demande").value == d1
    at.button(key="attente_rester").click().run()
    assert not any("modifications non enregistrées" in w.value for w in at.warning)
    assert at.select_slider(key=f"note::{d1}::pertinence").value == 9

    at.selectbox(key="choix_demande").set_value(d2).run()  # la liste aussi avertit
    assert any("modifications non enregistrées" in w.value for w in at.warning)
    at.button(key="attente_abandonner").click().run()
    assert at.selectbox(key="choix_demande").value == d2
    assert evaluations.lire(d1, EVA, moteur=moteur) is None

    _noter(at, d2, [4, None, None, None, None, None])
    at.button(key="precedente").click().run()
    at.button(key="attente_enregistrer").click().run()
    assert at.selectbox(key="choix_demande").value == d1
    assert evaluations.lire(d2, EVA, moteur=moteur)[1].notes["pertinence"] == 4
    assert at.select_slider(key=f"note::{d1}::pertinence").value is None


def test_sans_modification_on_passe_sans_question(ouvrir, demandes):
    at = ouvrir()
    at.button(key="suivante").click().run()
    assert at.selectbox(key="choix_demande").value == demandes[1][0]
    # T-002 (30 000 $ par année) garde l'avertissement d'importation du plafond : aucune
    # question sur des modifications non enregistrées, elle.
    assert not any("modifications non enregistrées" in w.value for w in at.warning)


def test_filtre_par_etat(ouvrir, demandes, moteur):
    appel = charger_appel()
    d = demandes[1][0]
    compte_de_test(moteur.url.render_as_string(hide_password=False), EVALUATEUR)
    saisie = Saisie(notes={c.id: 5.0 for c in appel.criteres})
    evaluations.enregistrer(appel, d, EVA, saisie, "soumise", moteur=moteur)
    at = ouvrir()
    at.multiselect(key="filtre_etats").set_value(["soumise"]).run()
    assert at.selectbox(key="choix_demande").options and all(
        "soumise" in o for o in at.selectbox(key="choix_demande").options
    )
    assert "1 sur 3" in " ".join(e.label for e in at.expander)


def test_conflit_declare_retire_la_demande(ouvrir, demandes, moteur):
    at = ouvrir()
    d = demandes[0][0]
    at.text_input(key=f"conflit::{d}::").set_value("Mon conjoint dirige le projet.")
    at.button(key="declarer_conflit").click().run()
    assert not at.exception, at.exception
    assert len(at.selectbox(key="choix_demande").options) == 2
    assert d not in at.selectbox(key="choix_demande").options
    assert "Mon conjoint dirige le projet." in textes(at)
    appel = charger_appel()
    with pytest.raises(EvaluationRefusee):
        evaluations.enregistrer(appel, d, EVA, Saisie(), "brouillon", moteur=moteur)


def test_conflit_de_regle_d_apres_la_region_du_compte(application, demandes, base, moteur):
    appel = charger_appel()
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    region = table["region"].iloc[0]
    meme_region = int((table["region"] == region).sum())
    compte_de_test(base, EVALUATEUR, "regional@exemple.qc.ca", region=region)
    at = application(PAGE, role=EVALUATEUR, courriel="regional@exemple.qc.ca")
    assert len(at.selectbox(key="choix_demande").options) == 3 - meme_region
    assert "conflit d'intérêts" in textes(at)


def test_verrouillage_fige_la_page(ouvrir, demandes, moteur):
    appel = charger_appel()
    attributions.verrouiller(appel.id, True, moteur=moteur, auteur="president@exemple.qc.ca")
    at = ouvrir()
    assert any("verrouillées" in i.value for i in at.info)
    assert all(s.disabled for s in at.select_slider)
    assert not [b for b in at.button if b.key in ("brouillon", "soumettre")]


def test_grille_remplie_importee_depuis_la_page(ouvrir, demandes, moteur):
    appel = charger_appel()
    at = ouvrir()
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    grille = load_workbook(io.BytesIO(construire_grille(appel, table.to_dict("records"), EVA)))
    feuille = grille.worksheets[0]
    entetes = [c.value for c in feuille[1]]
    for ligne in range(2, 2 + len(demandes)):
        for c in appel.criteres:
            feuille.cell(ligne, entetes.index(c.libelle) + 1, 7.5)
    sortie = io.BytesIO()
    grille.save(sortie)
    at.file_uploader(key="grille_remplie").set_value(
        ("grille.xlsx", sortie.getvalue(), MIME_XLSX)
    ).run()
    assert not at.error, [e.value for e in at.error]
    at.button(key="importer_grille").click().run()
    assert not at.exception, at.exception
    assert any("Grille importée" in s.value for s in at.success)
    for d, _ in demandes:
        statut, saisie = evaluations.lire(d, EVA, moteur=moteur)
        assert statut == "soumise" and set(saisie.notes.values()) == {7.5}
    assert "3 / 3 soumises" in [p.proto.text for p in at.get("progress")]


def test_grille_importee_ne_laisse_pas_de_modifications_fantomes(ouvrir, demandes, moteur):
    """Après l'import d'une grille en brouillon, la page montre les notes importées sans
    « Modifications non enregistrées », et on change de demande sans question (issue 19)."""
    appel = charger_appel()
    at = ouvrir()
    d1 = demandes[0][0]
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    grille = load_workbook(io.BytesIO(construire_grille(appel, table.to_dict("records"), EVA)))
    feuille = grille.worksheets[0]
    entetes = [c.value for c in feuille[1]]
    for ligne in range(2, 2 + len(demandes)):
        for c in appel.criteres:
            feuille.cell(ligne, entetes.index(c.libelle) + 1, 7.5)
        feuille.cell(ligne, entetes.index("Commentaire") + 1, "  Solide, à suivre.  ")
        feuille.cell(ligne, entetes.index("Statut") + 1, "brouillon")
    sortie = io.BytesIO()
    grille.save(sortie)
    at.file_uploader(key="grille_remplie").set_value(
        ("grille.xlsx", sortie.getvalue(), MIME_XLSX)
    ).run()
    at.button(key="importer_grille").click().run()
    assert not at.exception, at.exception
    assert evaluations.lire(d1, EVA, moteur=moteur)[0] == "brouillon"
    assert at.select_slider(key=f"note::{d1}::pertinence").value == 7.5
    assert "Modifications non enregistrées" not in textes(at)
    at.button(key="suivante").click().run()
    assert not any("modifications non enregistrées" in w.value for w in at.warning)
    assert at.selectbox(key="choix_demande").value == demandes[1][0]


def test_oidc_configure_remplace_le_formulaire_local(base):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import RACINE_PROJET

    compte_de_test(base, EVALUATEUR)
    at = AppTest.from_file(str(RACINE_PROJET / "app.py"), default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "secret de test",
        "client_id": "x",
        "client_secret": "y",
        "server_metadata_url": "https://fournisseur.exemple/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception, at.exception
    assert at.button(key="connexion_oidc").label == "Se connecter"
    assert not at.text_input  # ni courriel ni mot de passe locaux


def test_une_note_non_enregistree_survit_a_un_detour_par_une_autre_page(ouvrir, demandes):
    at = ouvrir()
    d = demandes[0][0]
    _noter(at, d, [6, None, None, None, None, None])
    at.switch_page("pages/accueil.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.select_slider(key=f"note::{d}::pertinence").value == 6
    assert "Modifications non enregistrées" in textes(at)


def test_notes_des_autres_visibles_apres_sa_propre_soumission(ouvrir, demandes, moteur, base):
    from evaluation.appels.configuration import appel_depuis_toml

    livre = charger_appel()
    ouvert = appel_depuis_toml(
        livre.source_toml.replace(
            'notes_des_autres = "jamais"', 'notes_des_autres = "apres_soumission"'
        )
    )
    assert ouvert.notes_des_autres == "apres_soumission"
    with moteur.begin() as c:
        stockage.enregistrer_appel(ouvert, connexion=c)
    autre = compte_de_test(base, EVALUATEUR, "autre@exemple.qc.ca")
    d = demandes[0][0]
    notes = Saisie(notes={c.id: 3.0 for c in ouvert.criteres})
    evaluations.enregistrer(ouvert, d, autre, notes, "soumise", moteur=moteur)

    at = ouvrir()
    assert not [e for e in at.expander if e.label.startswith("Notes des autres")]
    _noter(at, d, [8, 8, 8, 8, 8, 8])
    at.button(key="soumettre").click().run()
    assert [e.label for e in at.expander if e.label.startswith("Notes des autres")] == [
        "Notes des autres évaluateurs (1)"
    ]


def test_a_l_aveugle_par_defaut_meme_apres_soumission(ouvrir, demandes, moteur, base):
    appel = charger_appel()
    autre = compte_de_test(base, EVALUATEUR, "autre@exemple.qc.ca")
    d = demandes[0][0]
    notes = Saisie(notes={c.id: 3.0 for c in appel.criteres})
    evaluations.enregistrer(appel, d, autre, notes, "soumise", moteur=moteur)
    at = ouvrir()
    _noter(at, d, [8, 8, 8, 8, 8, 8])
    at.button(key="soumettre").click().run()
    assert evaluations.lire(d, EVA, moteur=moteur)[0] == "soumise"
    assert not [e for e in at.expander if e.label.startswith("Notes des autres")]


def test_soumettre_et_passer_a_la_suivante(ouvrir, demandes, moteur):
    at = ouvrir()
    d1, d2 = demandes[0][0], demandes[1][0]
    _noter(at, d1, [6, 6, 6, 6, 6, 6])
    at.button(key="soumettre_suivante").click().run()
    assert evaluations.lire(d1, EVA, moteur=moteur)[0] == "soumise"
    assert at.selectbox(key="choix_demande").value == d2
    # T-002 (30 000 $ par année) garde l'avertissement d'importation du plafond : aucune
    # question sur des modifications non enregistrées, elle.
    assert not any("modifications non enregistrées" in w.value for w in at.warning)


def test_soumission_refusee_reste_sur_la_demande(ouvrir, demandes, moteur):
    at = ouvrir()
    d1 = demandes[0][0]
    _noter(at, d1, [6, None, 6, 6, 6, 6])
    at.button(key="soumettre_suivante").click().run()
    assert at.selectbox(key="choix_demande").value == d1
    assert at.error and evaluations.lire(d1, EVA, moteur=moteur) is None


@pytest.mark.parametrize(
    ("nom", "extrait"),
    [
        (
            "creuse-xfd1048576.xlsx",
            "s'étend sur 1\u00a0048\u00a0576 lignes (jusqu'à la cellule XFD1048576)",
        ),
        ("ods-lignes-repetees.ods", "s'étend sur 1\u00a0000\u00a0001 lignes"),
        ("xls-iv65536.xls", "65\u00a0536 lignes × 256 colonnes"),
        ("csv-champ-geant.csv", "une cellule dépasse 32\u00a0767 caractères"),
    ],
)
def test_grille_hostile_refusee_en_francais(ouvrir, demandes, nom, extrait):
    """Une grille démesurée téléversée par un évaluateur est refusée avant d'être lue ; la
    page reste utilisable (une autre page s'ouvre ensuite)."""
    at = ouvrir()
    contenu = (DONNEES / "refus" / nom).read_bytes()
    at.file_uploader(key="grille_remplie").set_value((nom, contenu, MIME_XLSX)).run()
    assert not at.exception, at.exception
    erreurs = [e.value for e in at.error]
    assert any(e.startswith(f"{nom} : ") and extrait in e for e in erreurs), erreurs
    assert not [b for b in at.button if b.key == "importer_grille"]
    assert "Rien n'est enregistré tant que ces problèmes restent." in textes(at)
    at.switch_page("pages/accueil.py").run()
    assert not at.exception, at.exception


def test_la_liste_suit_chaque_enregistrement_sans_relire_a_chaque_action(
    ouvrir, demandes, moteur, monkeypatch
):
    """Bouger un curseur ne relit pas la liste ; l'enregistrement de la page, comme celui
    d'un autre onglet, paraît aussitôt (état dans la liste, progression)."""
    lectures = compter_appels(monkeypatch, evaluations, "charger_mes_demandes")
    at = ouvrir()
    d1, d2 = demandes[0][0], demandes[1][0]
    assert len(lectures) == 1
    _noter(at, d1, [7, None, None, None, None, None])
    _noter(at, d1, [8, None, None, None, None, None])
    assert len(lectures) == 1
    at.button(key="brouillon").click().run()
    assert len(lectures) == 2
    choix = at.selectbox(key="choix_demande")
    assert choix.value == d1 and choix.options[0].endswith("— brouillon")

    appel = charger_appel()
    saisie = Saisie(notes={c.id: 5.0 for c in appel.criteres}, admissible=True)
    evaluations.enregistrer(appel, d2, EVA, saisie, "soumise", moteur=moteur)  # autre onglet
    at.run()
    assert at.selectbox(key="choix_demande").options[1].endswith("— soumise")
    assert "1 / 3 soumises" in [p.proto.text for p in at.get("progress")]


def _montants(at) -> pd.DataFrame:
    """Le tableau des montants de la fiche (un tableau HTML, qui ne coupe rien), tel qu'il
    se lit : une ligne par montant, une colonne par année."""
    (montants,) = [
        t.value for t in at.table if "Recommandé" in t.value.get("Montant", pd.Series()).tolist()
    ]
    return montants.set_index("Montant").map(lambda v: rendu(v).replace("\xa0", " "))


def test_budget_de_la_fiche_en_tableau(ouvrir):
    """Le budget de la fiche est un tableau HTML de quatre colonnes, pas une grille de huit
    qui coupait les montants dans la colonne étroite (issue 19)."""
    at = ouvrir()
    (budget,) = [t.value for t in at.table if "Dépense" in t.value.columns]
    assert list(budget.columns) == ["Année", "Dépense", "Montant", "Compté"]
    assert [rendu(m).replace("\xa0", " ") for m in budget["Montant"]] == ["12 000 $", "8 000 $"]
    assert not [d for d in at.dataframe if "Montant" in d.value.columns]


def test_montants_de_la_demande_cote_a_cote(ouvrir):
    """La fiche montre, par année, demandé, retiré, budget admissible et recommandé (« La
    subvention demandée […] ne pourra pas excéder 25 000 $ par année ») : T-001 demande
    20 000 $ en 2024-2025, ses lignes (ressources professionnelles 12 000 $, logistique
    8 000 $) sont admissibles."""
    at = ouvrir()
    par_ligne = _montants(at)
    assert list(par_ligne.columns) == ["2024-2025", "2025-2026"]
    assert par_ligne.loc["Demandé"].tolist() == ["20 000 $", "0 $"]
    assert par_ligne.loc["Non admissible"].tolist() == ["0 $", "0 $"]
    assert par_ligne.loc["Budget admissible"].tolist() == ["20 000 $", "0 $"]
    assert par_ligne.loc["Recommandé"].tolist() == ["20 000 $", "0 $"]


def test_montants_avec_la_bonification_et_le_bandeau(ouvrir, demandes, base):
    """T-002 (Sherbrooke avec Magog et Orford : projet conjoint) demande 30 000 $ par année,
    budget admissible 30 000 $. Sans bonification, 25 000 $ ; la présidence fixe 5 000 $ :
    la fiche de l'évaluateur montre 30 000 $, comme le classement. Les réglages non confirmés
    sont dits d'une ligne discrète au-dessus des montants."""
    from evaluation.decision import decisions

    appel = charger_appel()
    t2 = dict((n, i) for i, n in demandes)["T-002"]
    moteur = stockage.creer_moteur(base)
    decisions.fixer_bonification(
        appel, t2, 500_000, "Trois municipalités", moteur=moteur, auteur="pres@exemple.qc.ca"
    )
    moteur.dispose()
    at = ouvrir()
    at.selectbox(key="choix_demande").set_value(t2).run()
    assert not at.exception, at.exception
    par_ligne = _montants(at)
    assert par_ligne.loc["Recommandé"].tolist() == ["30 000 $", "30 000 $"]
    # L'évaluateur n'y peut rien : une ligne discrète, pas le bandeau qui renvoie à
    # l'administration (issue 19).
    assert not [w.value for w in at.warning if "Réglages non confirmés" in w.value]
    assert any(
        "réglages que l'administration n'a pas encore tous confirmés" in c.value for c in at.caption
    )


def test_formulaire_de_la_demande_dans_la_fiche(ouvrir, demandes, base):
    """La fiche montre les réponses au formulaire de l'appel sous leurs titres ; un export
    d'avant le formulaire les dit « non fournies » plutôt que de les taire."""
    moteur = stockage.creer_moteur(base)
    with moteur.begin() as c:
        c.execute(
            stockage.demandes.update()
            .where(stockage.demandes.c.id == demandes[0][0])
            .values(objectifs="Doter Rimouski d'un plan d'action portuaire")
        )
    moteur.dispose()
    at = ouvrir()
    (expander,) = [e for e in at.expander if e.label == "Formulaire de la demande"]
    rendu = "\n".join(m.value for m in expander.markdown)
    assert "**Objectifs**  \nDoter Rimouski d'un plan d'action portuaire" in rendu
    assert "**Capacité financière**  \n— (non fourni)" in rendu


def test_fiche_d_un_appel_sans_axes_montre_ses_dimensions(application, moteur):
    """Issue 18 : la fiche montre chaque dimension déclarée (libellés joints par « ; ») ; un
    appel sans axes ni secteurs n'a ni filtre ni colonne pour eux."""
    from tests.dimensions import appel_avec_dimensions, importer_et_noter

    appel = appel_avec_dimensions(sans_axes_ni_secteurs=True)
    importer_et_noter(moteur, appel, evaluateurs=())
    at = application(PAGE, role=EVALUATEUR)
    assert {"filtre_axes", "filtre_secteurs"}.isdisjoint(m.key for m in at.multiselect)
    lu = textes(at)
    assert "- **Priorités transversales** : Protection de l'environnement ; Droits des femmes" in lu
    assert "- **Type de financement** : Projets ponctuels" in lu
    assert "**Axe**" not in lu and "Secteur principal" not in lu
    assert "Protection de l'environnement ; Droits des femmes · Projets ponctuels" in [
        rendu(c.value) for c in at.caption
    ]


# --- Pièces jointes (issue 18, point 3) -----------------------------------------------------

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _pieces(moteur, *entrees) -> None:
    import zipfile

    from evaluation.depot.importation_pieces import importer_pieces
    from evaluation.socle.roles import ANALYSTE

    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        for nom, contenu in entrees:
            z.writestr(nom, contenu)
    importer_pieces(
        charger_appel(),
        "pieces.zip",
        tampon.getvalue(),
        moteur=moteur,
        auteur="analyste@x.ca",
        role=ANALYSTE,
    )


def test_pieces_jointes_listees_affichees_et_telechargees(
    ouvrir, demandes, moteur, fichiers_servis
):
    """L'évaluateur voit les pièces de la demande ouverte (et seulement elles), les affiche
    dans la visionneuse et les télécharge octet pour octet."""
    _pieces(moteur, ("T-001 - Résolution.pdf", PDF), ("T-002.pdf", PDF + b"% T-002\n%%EOF\n"))
    at = ouvrir()
    assert at.selectbox(key="choix_demande").value == demandes[0][0]
    texte = textes(at)
    assert "Pièces jointes" in texte and "T-001 - Résolution.pdf" in texte
    assert "T-002.pdf" not in texte
    (telecharger,) = [b for b in at.get("download_button") if b.key.startswith("piece_")]
    assert fichiers_servis.lire(at, telecharger.key) == ("T-001 - Résolution.pdf", PDF)
    (voir,) = [b for b in at.button if b.key.startswith("piece_voir_")]
    assert voir.label == "Afficher"
    voir.click().run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button if b.key.startswith("piece_voir_")] == ["Masquer"]
    # La visionneuse (st.pdf, composant streamlit-pdf) est servie par la session.
    assert any("streamlit-pdf" in str(e.proto) for e in at.get("bidi_component")), [
        e.type for e in at._tree
    ]


def test_piece_telechargee_en_application_pdf_sous_un_nom_pdf(
    ouvrir, demandes, moteur, fichiers_servis
):
    """Revue 18b (PDF polyglottes PDF+HTML, PDF+ZIP) : la pièce est servie en
    `application/pdf`, en pièce jointe, sous un nom en .pdf — jamais d'après son contenu."""
    polyglotte = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    _pieces(moteur, ("T-001.pdf", polyglotte))
    at = ouvrir()
    (telecharger,) = [b for b in at.get("download_button") if b.key.startswith("piece_")]
    assert fichiers_servis.lire(at, telecharger.key) == ("T-001.pdf", polyglotte)
    (fichier,) = [
        f
        for stockage_ in fichiers_servis.stockages
        for f in stockage_._files_by_id.values()
        if f.content == polyglotte
    ]
    assert fichier.mimetype == "application/pdf" and fichier.filename.endswith(".pdf")


def test_pieces_d_une_demande_en_conflit_inaccessibles(ouvrir, demandes, moteur):
    """Un conflit déclaré retire la demande de la liste ; ses pièces ne se lisent plus, même
    demandées directement."""
    from evaluation.depot.importation_pieces import AccesRefuse, pieces_de_la_demande

    _pieces(moteur, ("T-001.pdf", PDF))
    at = ouvrir()
    d = demandes[0][0]
    at.text_input(key=f"conflit::{d}::").set_value("Mon conjoint dirige le projet.")
    at.button(key="declarer_conflit").click().run()
    assert not at.exception, at.exception
    assert "T-001.pdf" not in textes(at)
    assert "Aucune pièce jointe importée pour cette demande." in textes(at)
    with pytest.raises(AccesRefuse, match="conflit"):
        pieces_de_la_demande(charger_appel(), d, moteur=moteur, courriel=EVA, role=EVALUATEUR)


# --- Un appel d'organismes (issue 18) -------------------------------------------------------


@pytest.fixture
def organismes(base):
    """Deux demandes d'organismes (Q-1, Q-2) importées dans l'appel livré devenu un appel
    d'organismes, jugées admissibles : {numéro: id}."""
    from tests.conftest import appel_d_organismes
    from tests.depot.test_validation import classeur_organismes

    appel = appel_d_organismes(charger_appel())
    moteur = stockage.creer_moteur(base)
    importer(verifier_lot([("oci.xlsx", classeur_organismes())], appel), appel, moteur=moteur)
    admettre(moteur, appel)
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    moteur.dispose()
    return dict(zip(table["no_demande"], table["id"].astype(int), strict=True))


def test_appel_d_organismes_montre_l_organisme_requerant(application, organismes):
    at = application(PAGE, role=EVALUATEUR)
    texte = textes(at)
    assert "Organisme requérant" in texte
    assert "Solidarité Nord-Sud de Rimouski (NEQ 1145678901)" in texte
    assert "Rimouski, Bas-Saint-Laurent" in texte
    assert "Municipalité requérante" not in texte
    liste = at.dataframe[0].value
    assert "Organisme" in liste.columns and "Municipalité" not in liste.columns
    assert set(liste["Organisme"]) == {
        "Solidarité Nord-Sud de Rimouski",
        "Carrefour Sherbrooke-Monde",
    }


def test_conflit_de_regle_d_apres_le_neq_du_compte(application, organismes, base):
    """Un évaluateur rattaché à l'organisme (NEQ) ne voit pas ses demandes."""
    compte_de_test(base, EVALUATEUR, "oci@exemple.qc.ca", neq="114-567-8901")
    at = application(PAGE, role=EVALUATEUR, courriel="oci@exemple.qc.ca")
    choix = at.selectbox(key="choix_demande")
    assert len(choix.options) == 1 and choix.value == organismes["Q-2"]
    assert "conflit d'intérêts" in textes(at)
