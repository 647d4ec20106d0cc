"""La page Paramètres de l'appel (administration) et la page Comparaison des appels, dans
AppTest : créer un appel d'après un modèle, y importer des demandes, les noter, les classer
et exporter le classeur, pendant qu'un autre appel (mêmes numéros de demande) reste intact ;
modifier, archiver ; comparer les deux appels."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from evaluation.appels.configuration import appel_depuis_toml, charger_appel
from evaluation.appels.edition import modeles_fournis
from evaluation.appels.parametres import enregistrer
from evaluation.decision import chargement, classement
from evaluation.decision.portefeuille import LIGNE, NOTIONS
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import stockage
from evaluation.socle.roles import EVALUATEUR, OBSERVATEUR, PRESIDENT
from pages.composants.commun import CLE_APPEL
from tests.conftest import DONNEES, demandes_pour_appel
from tests.filtrage import admettre
from tests.pages.conftest import compte_de_test, sous_le_controle, textes

PAGE = "pages/parametres.py"
ADMIN_COURRIEL = "admin@exemple.qc.ca"
E1, E2 = "e1@exemple.qc.ca", "e2@exemple.qc.ca"


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def noter(moteur, appel, notes: dict[str, float]) -> None:
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))
    admettre(moteur, appel, [ids[no] for no in notes])  # jugées admissibles : elles se notent
    for no, note in notes.items():
        for evaluateur in (E1, E2):
            saisie = Saisie(notes={c.id: note for c in appel.criteres}, admissible=True)
            evaluations.enregistrer(appel, ids[no], evaluateur, saisie, SOUMISE, moteur=moteur)


@pytest.fixture
def paivmq_note(moteur):
    """L'appel PAIVMQ stocké, T-001 à T-003 importées et notées : l'« autre appel »."""
    appel = charger_appel()
    valide = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(valide.name, valide)], appel), appel, moteur=moteur)
    noter(moteur, appel, {"T-001": 6.0, "T-002": 9.0, "T-003": 7.5})
    return appel


def creer_depuis_modele(at, modele: str, identifiant: str, nom: str):
    at.radio(key="creer_origine").set_value("Un modèle livré")
    executer(at)
    at.selectbox(key="creer_source").set_value(modele)
    executer(at)
    at.text_input(key="creer_id").input(identifiant)
    at.text_input(key="creer_nom").input(nom)
    at.text_input(key="creer_nom_court").input(nom)
    (bouton,) = [b for b in at.button if b.label == "Créer l'appel"]
    bouton.click()
    return executer(at)


# Issue 18 : le modèle QSF, reconstruit d'après son texte, n'a pas d'axes et reçoit les
# demandes d'organismes (nom, NEQ, siège) portant plusieurs priorités transversales.
def test_creer_importer_noter_classer_exporter_sans_toucher_l_autre_appel(
    application, base, moteur, paivmq_note, tmp_path, fichiers_servis
):
    avant = classement.classement(paivmq_note, chargement.charger(paivmq_note, moteur=moteur))
    at = application(PAGE)
    assert at.title[0].value == "Paramètres de l'appel"
    creer_depuis_modele(at, "qsf-modele", "qsf-2026-2027", "QSF 2026-2027")
    assert "Appel « QSF 2026-2027 » créé d'après « QSF »" in textes(at)
    assert at.session_state[CLE_APPEL] == "qsf-2026-2027"
    assert "QSF 2026-2027" in textes(at)  # barre latérale : l'appel actif

    (appel,) = [a for a in (charger_appel(), *modeles_fournis().values()) if a.id == "qsf-modele"]
    with moteur.connect() as c:
        stocke = stockage.lire_appel("qsf-2026-2027", connexion=c)
    from evaluation.appels.configuration import appel_depuis_toml

    nouveau = appel_depuis_toml(stocke["configuration_toml"])
    assert nouveau.criteres == appel.criteres and nouveau.axes == appel.axes

    fichier = demandes_pour_appel(nouveau, tmp_path)
    importer(verifier_lot([(fichier.name, fichier)], nouveau), nouveau, moteur=moteur)
    noter(moteur, nouveau, {"T-001": 9.0, "T-002": 6.5, "T-003": 8.0})

    at.switch_page("pages/classement.py")
    executer(at)
    assert "QSF 2026-2027" in textes(at)
    at.button(key="preparer_export").click()
    executer(at)
    nom, contenu = fichiers_servis.lire(at, "telecharger_export")
    assert nom.startswith("qsf-2026-2027_classement_")
    livre = load_workbook(io.BytesIO(contenu))
    rangees = list(livre["Classement"].iter_rows(min_row=5, max_row=7, values_only=True))
    assert [(r[0], r[1]) for r in rangees] == [(1, "T-001"), (2, "T-003"), (3, "T-002")]
    assert livre["Paramètres"]["B3"].value == "qsf-2026-2027"

    apres = classement.classement(paivmq_note, chargement.charger(paivmq_note, moteur=moteur))
    assert apres.equals(avant)


def test_identifiant_deja_pris_ou_invalide(application, moteur, paivmq_note):
    at = application(PAGE)
    creer_depuis_modele(at, "ffqcd-2021-2022", "paivmq-2023-2024", "Doublon")
    assert any("existe déjà" in e.value for e in at.error)
    creer_depuis_modele(at, "ffqcd-2021-2022", "FFQCD 2025", "Mauvais")
    assert any("identifiant « FFQCD 2025 » invalide" in e.value for e in at.error)
    with moteur.connect() as c:
        assert [i for i, _, _ in stockage.lire_appels(connexion=c)] == ["paivmq-2023-2024"]


def test_copier_l_appel_existant(application, moteur, paivmq_note):
    at = application(PAGE)
    at.radio(key="creer_origine").set_value("Une copie d'un appel existant")
    executer(at)
    at.selectbox(key="creer_source").set_value("paivmq-2023-2024")
    executer(at)
    at.text_input(key="creer_id").input("paivmq-2024-2025")
    at.text_input(key="creer_nom").input("PAIVMQ — appel 2024-2025")
    at.text_input(key="creer_nom_court").input("PAIVMQ 2024-2025")
    (bouton,) = [b for b in at.button if b.label == "Créer l'appel"]
    bouton.click()
    executer(at)
    with moteur.connect() as c:
        assert stockage.compter_demandes("paivmq-2024-2025", connexion=c) == 0
        assert stockage.compter_demandes("paivmq-2023-2024", connexion=c) == 3


def test_modifier_l_enveloppe_et_le_seuil(application, moteur):
    at = application(PAGE)
    cle = "param_paivmq-2023-2024_"
    at.text_input(key=cle + "enveloppe").input("800 000 ; 450000")
    at.number_input(key=cle + "seuil").set_value(65.0)
    at.text_input(key=cle + "nom_court").input("PAIVMQ révisé")
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    bouton.click()
    executer(at)
    assert "Paramètres de « PAIVMQ révisé » enregistrés." in textes(at)
    with moteur.connect() as c:
        appel = appel_depuis_toml(
            stockage.lire_appel("paivmq-2023-2024", connexion=c)["configuration_toml"]
        )
    assert appel.financement.enveloppe == (80_000_000, 45_000_000)
    assert appel.seuil_global == 65 and appel.nom_court == "PAIVMQ révisé"
    assert appel.criteres == charger_appel().criteres  # rien d'autre n'a bougé


def test_modifier_un_appel_sans_axes_garde_ses_dimensions(application, moteur):
    """Un appel créé d'après le modèle QSF (ni axes ni secteurs, trois dimensions, demandeur
    organisme) s'ouvre dans la page, qui montre ses dimensions ; l'enregistrer n'y ajoute ni
    axes ni secteurs vides et garde dimensions et type de demandeur."""
    at = application(PAGE)
    creer_depuis_modele(at, "qsf-modele", "qsf-2026-2027", "QSF 2026-2027")
    assert at.session_state[CLE_APPEL] == "qsf-2026-2027"
    visible = textes(at)
    for attendu in (
        "Dimensions de classement déclarées",
        "Priorités transversales (plusieurs valeurs)",
        "Type de financement (une valeur, obligatoire) : Soutien à la mission globale, Soutien "
        "aux projets ponctuels",
    ):
        assert attendu in visible
    cle = "param_qsf-2026-2027_"
    at.number_input(key=cle + "seuil").set_value(65.0)
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    bouton.click()
    executer(at)
    assert "Paramètres de « QSF 2026-2027 » enregistrés." in textes(at)
    with moteur.connect() as c:
        toml = stockage.lire_appel("qsf-2026-2027", connexion=c)["configuration_toml"]
    appel, modele = appel_depuis_toml(toml), modeles_fournis()["qsf-modele"]
    assert "[[axes]]" not in toml and "[[secteurs]]" not in toml
    assert (appel.axes, appel.secteurs) == ((), ())
    assert appel.dimensions == modele.dimensions and appel.type_demandeur == "organisme"
    assert appel.seuil_global == 65


def test_choisir_l_objectif_de_la_meilleure_selection(application, moteur):
    """La liste montre les deux objectifs, l'appel livré sur « respecter le classement » ;
    l'enregistrement garde « note_montant » dans le TOML de l'appel."""
    at = application(PAGE)
    choix = at.selectbox(key="param_paivmq-2023-2024_objectif_selection")
    assert choix.value == "classement"
    assert choix.options == [
        "Respecter le classement, puis les cibles d'équilibre",
        "La plus grande somme note × montant recommandé",
    ]
    choix.set_value("note_montant")
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    bouton.click()
    executer(at)
    with moteur.connect() as c:
        appel = appel_depuis_toml(
            stockage.lire_appel("paivmq-2023-2024", connexion=c)["configuration_toml"]
        )
    assert appel.objectif_selection == "note_montant"
    assert appel.mode_ligne == "stricte"


def test_choisir_la_note_qui_classe(application, moteur):
    """Issue 16 : « moyenne » dans l'appel livré ; « consensus » s'enregistre dans le TOML ;
    la source (réglage du comité) est dans le tableau des sources."""
    at = application(PAGE)
    choix = at.selectbox(key="param_paivmq-2023-2024_note_retenue")
    assert choix.value == "moyenne"
    assert choix.options == [
        "La note des évaluateurs (le consensus est montré à côté)",
        "La note de consensus de la séance, sinon celle des évaluateurs",
    ]
    assert "Note qui classe : des évaluateurs ou de consensus" in str(
        [t.value for t in at.dataframe] + [m.value for m in at.markdown]
    )
    choix.set_value("consensus")
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    bouton.click()
    executer(at)
    with moteur.connect() as c:
        appel = appel_depuis_toml(
            stockage.lire_appel("paivmq-2023-2024", connexion=c)["configuration_toml"]
        )
    assert appel.note_retenue == "consensus"
    assert appel.objectif_selection == "classement"


def test_enveloppe_illisible_refusee(application, moteur):
    at = application(PAGE)
    cle = "param_paivmq-2023-2024_"
    at.text_input(key=cle + "enveloppe").input("beaucoup ; 5")
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    bouton.click()
    executer(at)
    assert any("enveloppe" in e.value for e in at.error)
    with moteur.connect() as c:
        assert stockage.lire_appel("paivmq-2023-2024", connexion=c) is None


def test_montants_a_la_quebecoise(application, moteur):
    """Issue 19 : les montants se lisent « 25 000 » (pas « 25000.00 ») et se tapent de même ;
    une saisie illisible est dite sous son champ, et rien n'est enregistré."""
    at = application(PAGE)
    cle = "param_paivmq-2023-2024_"
    assert at.text_input(key=cle + "plafond").value == "25\u00a0000"
    assert at.text_input(key=cle + "enveloppe").value == "750\u00a0000 ; 500\u00a0000"
    at.text_input(key=cle + "plafond").input("25 000,5x")
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    bouton.click()
    executer(at)
    assert sous_le_controle(at, cle + "plafond") == [
        "Montant illisible « 25 000,5x » : écrivez un nombre, par exemple 25000 ou « 25 000,50 $ »."
    ]
    with moteur.connect() as c:
        assert stockage.lire_appel("paivmq-2023-2024", connexion=c) is None


def test_echelle_figee_une_fois_des_notes(application, paivmq_note):
    at = application(PAGE)
    assert "Évaluations stockées : 3." not in textes(at)
    cle = "param_paivmq-2023-2024_"
    assert at.number_input(key=cle + "echelle_max").disabled
    assert at.number_input(key=cle + "pas").disabled
    assert not at.number_input(key=cle + "seuil").disabled
    assert "Évaluations stockées : 6." in textes(at)


def test_archiver_puis_rouvrir(application, moteur, paivmq_note):
    at = application(PAGE)
    at.button(key="archiver").click()
    executer(at)
    assert "archivé" in textes(at)
    assert "**PAIVMQ 2023-2024** · archivé" in textes(at)  # barre latérale
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    assert bouton.disabled
    at.button(key="desarchiver").click()
    executer(at)
    with moteur.connect() as c:
        assert stockage.appels_archives(connexion=c) == set()


@pytest.mark.parametrize("role", [PRESIDENT, EVALUATEUR, OBSERVATEUR])
def test_reservee_a_l_administration(application, role):
    at = application(PAGE, role=role)
    assert any("réservée à l'administration" in e.value for e in at.error)
    assert not at.get("tab")


# --- Comparaison ---------------------------------------------------------------------------


def test_comparaison_de_deux_appels(
    application, base, moteur, paivmq_note, tmp_path, fichiers_servis
):
    precedent = enregistrer(
        charger_appel()
        .source_toml.replace('id = "paivmq-2023-2024"', 'id = "paivmq-2022-2023"')
        .replace("premiere_annee_debut = 2024-04-01", "premiere_annee_debut = 2023-04-01")
        .replace('nom_court = "PAIVMQ 2023-2024"', 'nom_court = "PAIVMQ 2022-2023"'),
        moteur=moteur,
        auteur=ADMIN_COURRIEL,
    )
    valide = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(valide.name, valide)], precedent), precedent, moteur=moteur)
    noter(moteur, precedent, {"T-001": 8.0, "T-002": 4.0, "T-003": 7.0})
    compte_de_test(base, OBSERVATEUR)
    at = application("pages/comparaison.py", role=OBSERVATEUR)
    assert at.title[0].value == "Comparaison des appels"
    resume = at.dataframe[0].value
    assert list(resume["Appel"]) == ["PAIVMQ 2022-2023", "PAIVMQ 2023-2024"]
    assert list(resume["Demandes"]) == [3, 3]
    # Issue 19 : « financées » se lit dans le tableau du financement, nommé comme ailleurs.
    (finance,) = [d.value for d in at.dataframe if "Financement" in d.value.columns]
    sous_la_ligne = finance[finance["Financement"] == NOTIONS[LIGNE]]
    assert list(sous_la_ligne["Demandes"]) == ["2", "3"]  # T-002 sous le seuil en 2022-2023
    recurrentes = at.dataframe[-1].value
    assert set(recurrentes["Municipalité"]) == {"Rimouski", "Gatineau"}
    assert list(recurrentes["Années consécutives"]) == [2, 2]
    # La répartition en CSV, dans ses deux formes (issue 19) : dollars et parts en nombres
    # que le tableur lit, virgule décimale pour Excel, point pour les données.
    assert [b.proto.label for b in at.get("download_button")] == [
        "Télécharger la répartition (CSV, Excel (français))",
        "Télécharger la répartition (CSV, données)",
    ]
    _, excel = fichiers_servis.lire(at, "comparaison_csv")
    lignes = list(csv.reader(io.StringIO(excel.decode("utf-8-sig")), delimiter=";"))
    _, donnees = fichiers_servis.lire(at, "comparaison_csv_donnees")
    assert not donnees.startswith(b"\xef\xbb\xbf")
    lignes_donnees = list(csv.reader(io.StringIO(donnees.decode("utf-8"))))
    assert lignes[0] == lignes_donnees[0]
    assert lignes[0][0] == "Appel" and lignes[0][-2:] == ["Financé ($)", "Part de l'enveloppe (%)"]
    montants = [ligne[-2] for ligne in lignes[1:]]
    assert all(re.fullmatch(r"\d+,\d\d", m) for m in montants), montants
    assert [ligne[-2] for ligne in lignes_donnees[1:]] == [m.replace(",", ".") for m in montants]


def test_lecture_des_annees_financieres_affichee(application):
    """L'appel : « porte sur une ou deux années financières débutant le 1er avril 2024 et se
    terminant le 31 mars 2025 ». La page dit la lecture retenue, comme une interprétation."""
    at = application(PAGE)
    texte = textes(at)
    assert (
        "Interprétation retenue : les années financières se suivent, d'un an chacune ; la "
        "première est celle que l'appel nomme, les suivantes s'y ajoutent ; année 1 : du "
        "1er avril 2024 au 31 mars 2025 ; année 2 : du 1er avril 2025 au 31 mars 2026."
    ) in texte
    (legende,) = [c for c in at.caption if c.value.startswith("Interprétation retenue")]
    assert "une ou deux années financières" in legende.help


# --- Sources des réglages et confirmations ------------------------------------------------------


def sources(at):
    """Le tableau des sources des réglages, indexé par réglage."""
    (tableau,) = [d.value for d in at.dataframe if "Réglage" in d.value.columns]
    return tableau.set_index("Réglage")


def test_sources_des_reglages_et_confirmation(application, moteur):
    """L'onglet Sources des réglages montre la source de chaque réglage ; l'administration
    confirme les choix du comité et les interprétations (journalisé, daté)."""
    at = application(PAGE)
    par_reglage = sources(at)
    assert par_reglage.loc["Plafond annuel", "Source"] == "texte de l'appel"
    assert par_reglage.loc["Plafond annuel", "Confirmation"] == "fixé par l'appel"
    assert par_reglage.loc["Début de la première année financière", "Source"] == "interprétation"
    assert par_reglage.loc["Seuil global (sur 100)", "Confirmation"] == "à confirmer"
    appel = charger_appel()
    a_confirmer = [r.chemin for r in appel.reglages if r.a_confirmer]
    (choix,) = [m for m in at.multiselect if m.label == "Réglages à confirmer"]
    assert choix.value == a_confirmer
    choix.set_value(["evaluation.seuil_global"])
    at.button(key="sources_confirmer").click()
    executer(at)
    assert "Réglages confirmés et inscrits au journal : 1." in textes(at)
    par_reglage = sources(at)
    assert par_reglage.loc["Seuil global (sur 100)", "Confirmation"].startswith("confirmé le ")
    assert par_reglage.loc["Seuil global (sur 100)", "Confirmation"].endswith(ADMIN_COURRIEL)
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, appel_id=appel.id)
    confirmees = journal[journal["objet"].str.startswith("confirmation:")]
    assert confirmees["objet"].tolist() == ["confirmation:evaluation.seuil_global"]
    assert confirmees["auteur"].tolist() == [ADMIN_COURRIEL]
    # Le reste, d'un coup : plus rien à confirmer.
    at.button(key="sources_confirmer").click()
    executer(at)
    assert "Chaque réglage du comité et chaque interprétation est confirmé." in textes(at)


def test_fichier_sans_sources_signale(application, moteur):
    """Un appel d'un utilisateur sans [sources] s'enregistre ; la page nomme chaque réglage
    sans source (un fichier livré, lui, ne peut pas en manquer : tests/appels)."""
    texte = charger_appel().source_toml
    texte = texte[: texte.index("# La source de chaque réglage")].replace(
        'id = "paivmq-2023-2024"', 'id = "sans-sources"'
    )
    enregistrer(texte, moteur=moteur, auteur=ADMIN_COURRIEL)
    at = application(None)
    at.session_state[CLE_APPEL] = "sans-sources"
    at.switch_page(PAGE).run()
    assert not at.exception
    assert re.search(
        r"Réglages sans source déclarée \(\d+\) : Poids : Pertinence et retombées", textes(at)
    )


def test_changer_un_poids_apres_la_notation_demande_une_raison(application, paivmq_note):
    """Dès qu'une évaluation est soumise, le formulaire demande une raison et la
    confirmation avant de changer un poids (la règle : tests/appels/test_parametres.py)."""
    at = application(PAGE)
    cle = "param_paivmq-2023-2024_"
    assert at.text_input(key=cle + "raison_reglage").label.startswith(
        "Raison du changement de réglage (évaluations déjà soumises : 6)"
    )
    assert at.checkbox(key=cle + "confirmer_reglage").value is False


def test_changer_le_plafond_apres_la_notation(application, moteur, paivmq_note):
    """« La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par
    année dans le cas d'une initiative portée par une seule ville. » Après la première
    évaluation soumise, porter le plafond à 40 000 $ est refusé (le réglage nommé, avant →
    après) sans raison ni confirmation ; accepté avec les deux, journalisé avec la raison, et
    le plafond, qui n'est plus la valeur citée, devient « modifié : à confirmer »."""
    at = application(PAGE)
    cle = "param_paivmq-2023-2024_"
    at.text_input(key=cle + "plafond").input("40 000")
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    bouton.click()
    executer(at)
    assert any(
        "raison écrite" in e.value and "Plafond annuel : 25000 → 40000" in e.value for e in at.error
    )
    at.text_input(key=cle + "raison_reglage").input("Bonification décidée par le ministère")
    at.checkbox(key=cle + "confirmer_reglage").check()
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    bouton.click()
    executer(at)
    assert not at.error
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c, appel_id="paivmq-2023-2024")
    (ligne,) = journal[journal["objet"] == "reglage:financement.plafond_annuel"].itertuples()
    assert (ligne.ancien, ligne.nouveau) == (
        "25000",
        "40000 (raison : Bonification décidée par le ministère)",
    )
    assert sources(at).loc["Plafond annuel", "Confirmation"] == "modifié : à confirmer"


# Issue 18 : deux programmes qui déclarent leurs dimensions autrement. Le chargement du
# classement porte une colonne `dimension:<id>` par dimension déclarée (contrat partagé) ; ici
# le classement de la page est enveloppé pour la porter, sans dépendre de son stockage.
PRIORITES_PRECEDENT = """
[[dimensions]]
id = "prio"
libelle = "PRIORITÉS  transversales"
multiple = true
valeurs = [{ id = "j", libelle = "jeunesse" }, { id = "c", libelle = "Climat" }]

[[dimensions]]
id = "type-financement"
libelle = "Type de financement"
valeurs = [{ id = "mission", libelle = "Mission globale" }]
"""
PRIORITES_COURANT = """
[[dimensions]]
id = "priorites"
libelle = "Priorités transversales"
multiple = true
valeurs = [{ id = "jeunesse", libelle = "Jeunesse" }, { id = "egalite", libelle = "Égalité" }]
"""
VALEURS_PAR_APPEL = {
    "paivmq-2022-2023": {"prio": {"T-001": ("j",), "T-002": ("j", "c")}},
    "paivmq-2023-2024": {"priorites": {"T-001": ("jeunesse",), "T-003": ("egalite",)}},
}


def test_comparaison_apparie_les_dimensions_par_libelle(
    application, base, moteur, paivmq_note, monkeypatch
):
    """« PRIORITÉS  transversales » (2022-2023) et « Priorités transversales » (2023-2024) sont
    une dimension ; « jeunesse » et « Jeunesse », une valeur. Le type de financement, que seul
    2022-2023 déclare, est offert comme tel, et la page nomme l'appel qui ne l'a pas."""
    precedent = enregistrer(
        charger_appel()
        .source_toml.replace('id = "paivmq-2023-2024"', 'id = "paivmq-2022-2023"')
        .replace("premiere_annee_debut = 2024-04-01", "premiere_annee_debut = 2023-04-01")
        .replace('nom_court = "PAIVMQ 2023-2024"', 'nom_court = "PAIVMQ 2022-2023"')
        + PRIORITES_PRECEDENT,
        moteur=moteur,
        auteur=ADMIN_COURRIEL,
    )
    valide = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(valide.name, valide)], precedent), precedent, moteur=moteur)
    noter(moteur, precedent, {"T-001": 8.0, "T-002": 4.0, "T-003": 7.0})
    courant = appel_depuis_toml(paivmq_note.source_toml + PRIORITES_COURANT, "test")
    with stockage.ecriture(moteur) as connexion:
        stockage.enregistrer_appel(courant, connexion=connexion)
    vraie = classement.classement

    def avec_dimensions(appel, donnees, *args, **kwargs):
        table = vraie(appel, donnees, *args, **kwargs)
        for id_, par_no in VALEURS_PAR_APPEL.get(appel.id, {}).items():
            table[f"dimension:{id_}"] = [par_no.get(no, ()) for no in table["no_demande"]]
        return table

    monkeypatch.setattr(classement, "classement", avec_dimensions)
    compte_de_test(base, OBSERVATEUR)
    at = application("pages/comparaison.py", role=OBSERVATEUR)
    choix = at.selectbox(key="comparaison_dimension")
    assert choix.options == [
        "Axe",
        "Secteur",
        "Région",
        "PRIORITÉS  transversales",
        "Type de financement (PAIVMQ 2022-2023 seulement)",
    ]
    choix.set_value("type de financement")
    executer(at)
    assert any("n'existe pas dans : PAIVMQ 2023-2024" in i.value.replace("\\", "") for i in at.info)
    at.selectbox(key="comparaison_dimension").set_value("priorites transversales")
    executer(at)
    (cote,) = [d.value for d in at.table if "PAIVMQ 2022-2023 : financées" in d.value.columns]
    assert list(cote.index) == ["jeunesse", "Climat", "(aucune)", "Égalité"]
    assert cote["PAIVMQ 2022-2023 : financées"].tolist() == [1, 0, 1, 0]
    assert cote["PAIVMQ 2023-2024 : financées"].tolist() == [1, 0, 1, 1]


def test_cible_sur_une_dimension_declaree_offerte_et_gardee(application, moteur):
    """Issue 18 : l'éditeur des cibles offre chaque dimension déclarée ; enregistrer les
    paramètres sans y toucher garde la cible « priorites » (rien de déjà enregistré ne se
    perd)."""
    courant = charger_appel()
    cible = '\n[[cibles]]\ndimension = "priorites"\nvaleur = "egalite"\nnombre_min = 1\n'
    avec = appel_depuis_toml(courant.source_toml + PRIORITES_COURANT + cible, "test")
    with stockage.ecriture(moteur) as connexion:
        stockage.enregistrer_appel(avec, connexion=connexion)
    at = application(PAGE)
    (editeur,) = [e for e in at.dataframe if e.proto.id.endswith("param_paivmq-2023-2024_cibles")]
    colonnes = json.loads(editeur.proto.columns)
    # Les libellés, pas les identifiants (issue 19) : une fonctionnaire lit « Région ».
    assert colonnes["dimension"]["type_config"]["options"] == [
        {"value": "axe", "label": "Axe"},
        {"value": "secteur", "label": "Secteur"},
        {"value": "region", "label": "Région"},
        {"value": "priorites", "label": "Priorités transversales"},
    ]
    (bouton,) = [b for b in at.button if b.label == "Enregistrer les paramètres"]
    bouton.click()
    executer(at)
    assert "Paramètres de « PAIVMQ 2023-2024 » enregistrés." in textes(at)
    with moteur.connect() as c:
        relu = appel_depuis_toml(
            stockage.lire_appel("paivmq-2023-2024", connexion=c)["configuration_toml"]
        )
    assert [(x.dimension, x.valeur, x.nombre_min) for x in relu.cibles][-1] == (
        "priorites",
        "egalite",
        1,
    )


def test_parametres_en_mots_de_fonctionnaire(application):
    """Issue 19 : le départage se choisit par libellés (« Projet conjoint », « Note en
    « Pertinence et retombées » »), une cible sans nombre a des cases vides (pas « None »)
    et « * » se lit « Chacune », l'onglet du TOML se nomme en clair."""
    at = application(PAGE)
    (regles,) = [x for x in at.multiselect if x.key.endswith("departage_regles")]
    assert regles.label == "Départage des ex æquo, dans l'ordre"
    choisies = [regles.format_func(r) for r in regles.value]
    assert choisies[0] == "Note en « Pertinence et retombées »"
    assert "Projet conjoint" in choisies and "Financement externe" in choisies
    assert not [r for r in choisies if ":" in r or "_" in r], choisies
    assert "Fichier de configuration (TOML)" in [t.label for t in at.tabs]
    assert not [t for t in at.tabs if t.label == "Exporter ou importer (TOML)"]
    (editeur,) = [e for e in at.dataframe if e.proto.id.endswith("param_paivmq-2023-2024_cibles")]
    lignes = editeur.value.to_dict("records")
    assert [(x["dimension"], x["valeur"]) for x in lignes] == [
        ("axe", "Chacune"),
        ("region", "Chacune"),
    ]
    assert lignes[0]["part_min"] == "20" and lignes[0]["part_max"] == ""
    assert lignes[1]["part_max"] == "35" and lignes[1]["nombre_min"] == ""
