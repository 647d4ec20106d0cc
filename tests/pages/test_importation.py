"""La page Importation, pilotée comme le ferait une analyste."""

import io

from openpyxl import load_workbook

from evaluation.socle import stockage
from tests.conftest import DONNEES
from tests.donnees.cas import CAS_PROBLEMES, chemin_probleme
from tests.pages.conftest import MIME_XLSX, rendu, sous_le_controle, textes

PAGE = "pages/importation.py"
VALIDE = DONNEES / "formats" / "valide.xlsx"


def _televerser(at, *chemins):
    fichiers = [(c.name, c.read_bytes(), MIME_XLSX) for c in chemins]
    at.file_uploader[0].set_value(fichiers).run()
    assert not at.exception, at.exception
    return at


def _titre_renomme() -> bytes:
    """Le classeur valide dont la colonne « Titre du projet » porte un nom non reconnu."""
    wb = load_workbook(VALIDE)
    wb["Demandes"]["G1"] = "Intitulé choisi"
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def _metriques(at):
    return {m.label: m.value for m in at.metric}


def test_page_vide_propose_gabarit_et_demo(application):
    at = application(PAGE)
    assert at.title[0].value == "Importation des demandes"
    assert "Téléversez un ou plusieurs fichiers" in textes(at)
    assert at.get("download_button")[0].proto.label == "Télécharger le gabarit Excel"
    assert at.button(key="demo").label == "Utiliser le jeu de démonstration"


def test_fichier_valide_importe(application, base):
    at = _televerser(application(PAGE), VALIDE)
    m = _metriques(at)
    assert (m["Demandes lues"], m["Bloquants et refus"], m["Importables"]) == ("3", "0", "3")
    assert "3 demandes : 3 nouvelles" in textes(at)
    at.button(key="importer").click().run()
    assert not at.exception
    texte = textes(at)
    assert "3 demandes créées" in texte
    assert _metriques(at)["Demandes stockées après"] == "3"
    with stockage.creer_moteur(base).connect() as c:
        assert stockage.numeros_demandes("paivmq-2023-2024", connexion=c) == {
            "T-001",
            "T-002",
            "T-003",
        }


def test_probleme_bloquant_affiche_et_choix_des_lignes_valides(application, base):
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "axe-inconnu")
    at = _televerser(application(PAGE), chemin_probleme(cas))
    texte = textes(at)
    assert "feuille Demandes, ligne 3 (demande T-002), colonne « Axe » : axe « 7 » inconnu" in texte
    assert "axe-inconnu.xlsx — 3 demandes · 8 lignes de budget · 1 problème bloquant" in texte
    assert _metriques(at)["Bloquants et refus"] == "1"
    assert "Rien à importer" in textes(at)
    assert not [b for b in at.button if b.key == "importer"]
    at.checkbox(key="lignes_valides").check().run()
    assert at.button(key="importer").label == "Importer 2 demandes"
    at.button(key="importer").click().run()
    texte = textes(at)
    assert "2 demandes créées" in texte
    assert "seules les lignes valides ont été importées" in texte
    with stockage.creer_moteur(base).connect() as c:
        journal = stockage.lire_importations("paivmq-2023-2024", connexion=c)
    assert bool(journal.iloc[0]["lignes_valides_seulement"]) is True


def test_fichier_refuse(application):
    at = _televerser(application(PAGE), DONNEES / "refus" / "pdf-deguise.xlsx")
    texte = textes(at)
    assert "pdf-deguise.xlsx — fichier refusé" in texte
    assert "c'est un document PDF" in texte
    assert not [b for b in at.button if b.key == "importer"]


def test_colonne_reliee_a_la_main(application, tmp_path):
    renomme = _titre_renomme()
    at = application(PAGE)
    at.file_uploader[0].set_value(("renomme.xlsx", renomme, MIME_XLSX)).run()
    texte = textes(at)
    assert "colonne obligatoire « Titre du projet » introuvable" in texte
    assert (
        "aucune colonne n'est lue pour le champ obligatoire « Titre du projet ». Choisissez"
        in texte
    )
    choix = at.selectbox(key="relier::renomme.xlsx::Demandes::Intitulé choisi")
    assert choix.value == ""
    assert "Titre du projet (obligatoire, sans colonne)" in choix.options
    assert "Partenaires étrangers" in choix.options  # tout champ, obligatoire ou non
    choix.select("titre").run()
    assert not at.exception
    assert "introuvable" not in textes(at)
    assert _metriques(at)["Importables"] == "3"
    assert at.selectbox(key="relier::renomme.xlsx::Demandes::Intitulé choisi").value == "titre"


def test_reimport_liste_les_changements(application):
    at = _televerser(application(PAGE), VALIDE)
    at.button(key="importer").click().run()
    wb = load_workbook(VALIDE)
    wb["Demandes"]["G3"] = "Réseau estrien renouvelé"
    sortie = io.BytesIO()
    wb.save(sortie)
    at.file_uploader[0].set_value(("v2.xlsx", sortie.getvalue(), MIME_XLSX)).run()
    assert "0 nouvelle, 3 déjà stockées" in textes(at)
    at.button(key="importer").click().run()
    texte = textes(at)
    assert "1 mise à jour" in texte
    assert "Titre du projet : Réseau estrien des villes apprenantes → Réseau estrien renouvelé" in (
        texte
    )


def test_jeu_de_demonstration(application):
    at = application(PAGE)
    at.button(key="demo").click().run()
    assert not at.exception
    m = _metriques(at)
    assert (m["Demandes lues"], m["Bloquants et refus"], m["Importables"]) == ("80", "0", "80")
    assert int(m["Avertissements"]) >= 15
    at.button(key="importer").click().run()
    assert "80 demandes créées" in textes(at)


def test_journal_visible_sans_televersement(application):
    at = _televerser(application(PAGE), VALIDE)
    at.button(key="importer").click().run()
    at = application(PAGE)
    assert "Journal des importations (1)" in textes(at)


def test_deux_fichiers_de_meme_nom(application):
    """Deux fichiers « demande.xlsx » de deux dossiers : deux entrées, pas de collision."""
    renomme = _titre_renomme()
    at = application(PAGE)
    at.file_uploader[0].set_value(
        [
            ("demande.xlsx", renomme, MIME_XLSX),
            ("demande.xlsx", renomme, MIME_XLSX),
        ]
    ).run()
    assert not at.exception
    texte = textes(at)
    assert "demande.xlsx — " in texte and "demande.xlsx (2) — " in texte
    cles = {s.key for s in at.selectbox}
    assert cles == {
        "relier::demande.xlsx::Demandes::Intitulé choisi",
        "relier::demande.xlsx (2)::Demandes::Intitulé choisi",
    }


def test_annuler_une_correspondance(application):
    renomme = _titre_renomme()
    at = application(PAGE)
    at.file_uploader[0].set_value(("r.xlsx", renomme, MIME_XLSX)).run()
    at.selectbox(key="relier::r.xlsx::Demandes::Intitulé choisi").select("titre").run()
    assert "« Intitulé choisi » → « Titre du projet »" in textes(at)
    at.button(key="annuler_correspondances").click().run()
    assert not at.exception
    assert "introuvable" in textes(at)
    assert _metriques(at)["Importables"] == "0"


def test_limite_de_taille_reglable(application, monkeypatch):
    monkeypatch.setenv("EVALUATION_TAILLE_MAX_MO", "0.001")
    at = _televerser(application(PAGE), VALIDE)
    assert "fichier trop volumineux" in textes(at)


def test_fichiers_hostiles_refuses_en_francais(application):
    """Tous les fichiers de refus/ téléversés ensemble : chacun est refusé avec son message
    en français, et la page continue de répondre (puis une autre page s'ouvre)."""
    import re

    chemins = sorted((DONNEES / "refus").iterdir())
    at = application(PAGE)
    at.file_uploader[0].set_value([(c.name, c.read_bytes(), MIME_XLSX) for c in chemins]).run()
    assert not at.exception, at.exception
    texte = textes(at)
    for chemin in chemins:
        assert f"{chemin.name} — fichier refusé" in texte, chemin.name
    assert (
        "creuse-xfd1048576.xlsx : la feuille « Demandes » s'étend sur 1\u00a0048\u00a0576 lignes "
        "(jusqu'à la cellule XFD1048576)"
    ) in texte
    assert not re.search(r"\b(?:Error|Traceback|calamine|XmlError|field larger)\b", texte)
    assert _metriques(at)["Bloquants et refus"] == str(len(chemins))
    assert not [b for b in at.button if b.key == "importer"]
    at.switch_page("pages/accueil.py").run()
    assert not at.exception, at.exception


def _avec_depot(dates: list[str]) -> bytes:
    """Le classeur valide avec la colonne « Date de dépôt » (Y), une date par demande."""
    wb = load_workbook(VALIDE)
    wb["Demandes"]["Y1"] = "Date de dépôt"
    for i, d in enumerate(dates, 2):
        wb["Demandes"][f"Y{i}"] = d
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def test_date_de_depot_absente_dite_au_rapport(application):
    """Sans colonne « Date de dépôt », la vérification le dit, et le rapport d'importation
    nomme les demandes qui reçoivent la date de l'importation (présumée)."""
    at = _televerser(application(PAGE), VALIDE)
    assert "aucune colonne « Date de dépôt »" in textes(at)
    at.button(key="importer").click().run()
    assert not at.exception
    texte = textes(at)
    assert "Date de dépôt absente du fichier pour 3 demandes créées" in texte
    assert "T-001, T-002, T-003." in texte


def test_depot_en_retard_signale_a_la_verification(application):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : le 1er mars est à
    temps, le 4 mars a 3 jours de retard (avertissement situé, l'import reste possible)."""
    at = application(PAGE)
    at.file_uploader[0].set_value(
        [("depots.xlsx", _avec_depot(["2024-03-01", "2024-03-04", "2024-02-01"]), MIME_XLSX)]
    ).run()
    assert not at.exception, at.exception
    texte = textes(at)
    assert "3 jours après la date limite du 1er mars 2024" in texte
    assert texte.count("après la date limite") == 1
    assert "aucune colonne « Date de dépôt »" not in texte
    assert _metriques(at)["Importables"] == "3"
    at.button(key="importer").click().run()
    assert not at.exception
    assert "Date de dépôt absente" not in textes(at)


def _budget_traiteur(tmp_path):
    """Le classeur valide dont deux lignes de budget portent un libellé non reconnu."""
    wb = load_workbook(VALIDE)
    wb["Budget"]["C2"] = "Traiteur"
    wb["Budget"]["C3"] = "Traiteur"
    chemin = tmp_path / "traiteur.xlsx"
    wb.save(chemin)
    return chemin


def test_categorie_a_confirmer_rattachee(application, base, tmp_path):
    """Une dépense de catégorie non reconnue n'est jamais comptée admissible : l'analyste
    (l'administration pour l'instant) la rattache à une catégorie de l'appel, d'un coup pour
    toutes les lignes du libellé ; journalisé."""
    at = _televerser(application(PAGE), _budget_traiteur(tmp_path))
    at.button(key="importer").click().run()
    at = application(PAGE)
    assert "Catégories de dépense à confirmer (1)" in [h.value for h in at.subheader]
    assert "ne comptent pas dans le budget admissible" in textes(at)
    assert at.button(key="cat_rattacher").disabled
    at.selectbox(key="cat_categorie").set_value("logistique").run()
    at.button(key="cat_rattacher").click().run()
    assert not at.exception, at.exception
    assert "2 lignes rattachées" in textes(at)
    assert not any("à confirmer" in h.value for h in at.subheader)
    with stockage.creer_moteur(base).connect() as c:
        lignes = stockage.lire_lignes_budget("paivmq-2023-2024", connexion=c)
        journal = stockage.lire_journal(connexion=c, appel_id="paivmq-2023-2024")
    traiteur = lignes[lignes["categorie"] == "Traiteur"]
    assert traiteur["categorie_id"].tolist() == ["logistique", "logistique"]
    assert (journal["objet"] == "categorie_depense").sum() == 1  # une demande touchée


def test_categories_a_confirmer_invisibles_sans_le_droit(application, base, tmp_path):
    from evaluation.socle import droits

    at = _televerser(application(PAGE), _budget_traiteur(tmp_path))
    at.button(key="importer").click().run()
    assert droits.peut_rattacher_categories("admin")
    assert droits.peut_rattacher_categories("analyste")
    for role in ("president", "evaluateur", "observateur", None):
        assert not droits.peut_rattacher_categories(role)
    # L'analyste, qui charge les fichiers, voit la section et peut rattacher.
    at = application(PAGE, role="analyste")
    assert not at.exception, at.exception
    assert "Catégories de dépense à confirmer (1)" in [h.value for h in at.subheader]


def _modifie_valide(cellules) -> bytes:
    wb = load_workbook(VALIDE)
    for feuille, cellule, valeur in cellules:
        wb[feuille][cellule] = valeur
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def _admettre_tout(base):
    from evaluation.appels.configuration import charger_appel
    from tests.filtrage import admettre

    moteur = stockage.creer_moteur(base)
    admettre(moteur, charger_appel())
    return moteur


def test_reimport_rouvre_l_examen_et_le_dit(application, base):
    """« Pour être admissibles, les projets doivent : faire l'objet d'un dossier complet lors
    du dépôt; […] ne pas recevoir de financement d'un autre programme gouvernemental » : T-003
    réimportée avec un autre financement et un dossier incomplet voit son examen rouvert, et
    le rapport d'importation le dit."""
    at = _televerser(application(PAGE), VALIDE)
    at.button(key="importer").click().run()
    moteur = _admettre_tout(base)
    modifie = _modifie_valide([("Demandes", "S4", "oui"), ("Demandes", "T4", "non")])
    at.file_uploader[0].set_value(("v2.xlsx", modifie, MIME_XLSX)).run()
    at.button(key="importer").click().run()
    assert not at.exception, at.exception
    avis = [w.value for w in at.warning if "Examen d'admissibilité rouvert" in w.value]
    assert len(avis) == 1
    assert "pour 1 demande" in avis[0] and "T-003 : " in avis[0]
    assert "Autre financement gouvernemental : non → oui" in avis[0]
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c)
    assert (journal["objet"] == "admissibilite:reouverture").sum() == 1
    moteur.dispose()


def test_decisions_verrouillees_refusent_la_modification(application, base):
    """Décisions verrouillées : l'importation qui modifierait T-001 est refusée, en
    français, en nommant la demande ; rien n'est écrit."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.notes import attributions

    at = _televerser(application(PAGE), VALIDE)
    at.button(key="importer").click().run()
    moteur = stockage.creer_moteur(base)
    attributions.verrouiller(
        charger_appel().id, True, moteur=moteur, auteur="p@x.ca", quoi="decisions_verrouillees"
    )
    at.file_uploader[0].set_value(
        ("v2.xlsx", _modifie_valide([("Demandes", "O2", 15000)]), MIME_XLSX)
    ).run()
    at.button(key="importer").click().run()
    assert not at.exception, at.exception
    (erreur,) = [e.value for e in at.error if "décisions de cet appel sont verrouillées" in e.value]
    assert "rien n'a été enregistré" in erreur and "T-001" in erreur
    # Un refus voulu, dit comme tel : ni « échoué » ni nom de classe.
    assert erreur.startswith("Importation refusée") and "DecisionsVerrouillees" not in erreur
    with moteur.connect() as c:
        assert len(stockage.lire_importations(charger_appel().id, connexion=c)) == 1
    moteur.dispose()


def test_gabarit_rempli_sans_numero_le_numero_attribue_est_annonce(application):
    """Le gabarit rempli par une municipalité (sans numéro : le ministère numérote) : la
    vérification annonce le numéro qu'il recevra, le rapport d'importation le confirme ;
    le même fichier réimporté est reconnu, pas copié."""
    from evaluation.appels.configuration import charger_appel
    from tests.conftest import (
        DEMANDE_MUNICIPALE,
        DEPENSES_MUNICIPALES,
        depenses,
        gabarit_rempli,
    )

    contenu = gabarit_rempli(charger_appel(), [DEMANDE_MUNICIPALE], depenses(DEPENSES_MUNICIPALES))
    at = application(PAGE)
    at.file_uploader[0].set_value([("rimouski.xlsx", contenu, MIME_XLSX)]).run()
    assert not at.exception, at.exception
    assert "ligne 3 → PAIVMQ-2023-2024-001" in textes(at)
    assert _metriques(at)["Bloquants et refus"] == "0"
    at.button(key="importer").click().run()
    texte = textes(at)
    assert "1 demande créée" in texte
    assert (
        "Numéro attribué à l'importation (le fichier n'en donnait pas) : PAIVMQ-2023-2024-001 : "
        "« Jumelage maritime Rimouski-Brest » (rimouski.xlsx, ligne 3)."
    ) in texte

    at = application(PAGE)
    at.file_uploader[0].set_value([("rimouski.xlsx", contenu, MIME_XLSX)]).run()
    assert "reconnues comme déjà importées" in textes(at)
    at.button(key="importer").click().run()
    texte = textes(at)
    assert "0 demande créée" in texte and "1 inchangée" in texte
    assert "reconnue comme déjà importée" in texte


# --- Pièces jointes (issue 18, point 3) -----------------------------------------------------

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _archive(*entrees) -> bytes:
    import zipfile

    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        for nom, contenu in entrees:
            z.writestr(nom, contenu)
    return tampon.getvalue()


def _televerser_pieces(at, contenu: bytes, nom: str = "pieces.zip"):
    (champ,) = [u for u in at.file_uploader if u.key.startswith("pieces_televersement_")]
    champ.set_value((nom, contenu, "application/zip")).run()
    assert not at.exception, at.exception
    at.button(key="importer_pieces").click().run()
    assert not at.exception, at.exception
    return at


def _pieces_stockees(base) -> list[tuple[str, str]]:
    moteur = stockage.creer_moteur(base)
    with moteur.connect() as c:
        lignes = stockage.lire_pieces("paivmq-2023-2024", connexion=c)
    moteur.dispose()
    return [(p["no_demande"], p["nom_fichier"]) for p in lignes]


def test_pieces_jointes_televersees_avec_le_compte_rendu(application, base):
    from evaluation.socle.roles import ANALYSTE

    at = _televerser(application(PAGE, role=ANALYSTE), VALIDE)
    at.button(key="importer").click().run()
    assert "Limites : archive de 50 Mo au plus, 20 Mo par PDF" in textes(at)
    assert at.button(key="importer_pieces").disabled
    at = _televerser_pieces(
        at,
        _archive(
            ("T-001 - Résolution.pdf", PDF),
            ("T-002/Lettre d'appui.pdf", PDF),
            ("__MACOSX/._T-002", b"\x00"),
        ),
    )
    (succes,) = sous_le_controle(at, "importer_pieces")
    assert "pieces.zip : 2 pièces ajoutées" in succes
    assert "__MACOSX/._T-002 (métadonnées de macOS (__MACOSX))" in succes
    assert _pieces_stockees(base) == [
        ("T-001", "T-001 - Résolution.pdf"),
        ("T-002", "Lettre d'appui.pdf"),
    ]
    assert "Déjà stockées : 2 pièces pour 2 demandes" in textes(at)


def test_archive_refusee_nomme_chaque_fichier_et_n_importe_rien(application, base):
    at = _televerser(application(PAGE), VALIDE)
    at.button(key="importer").click().run()
    at = _televerser_pieces(
        at,
        _archive(("T-001.pdf", PDF), ("../T-002.pdf", PDF), ("T-999.pdf", PDF)),
        nom="envoi.zip",
    )
    (erreur,) = sous_le_controle(at, "importer_pieces")
    assert erreur.startswith("Archive refusée ; aucune pièce n'a été importée")
    assert "2 problèmes" in erreur
    assert "envoi.zip, fichier « ../T-002.pdf » : son chemin remonte hors de l'archive" in erreur
    assert "envoi.zip, fichier « T-999.pdf » : aucune demande de l'appel" in erreur
    assert _pieces_stockees(base) == []


def test_au_dela_de_30_refus_les_autres_dans_un_volet(application, base):
    """Chaque fichier refusé reste nommé : les 30 premiers sous le bouton, les autres dans un
    volet qui suit."""
    at = _televerser(application(PAGE), VALIDE)
    at.button(key="importer").click().run()
    at = _televerser_pieces(at, _archive(*((f"X-{i:02d}.pdf", PDF) for i in range(35))))
    (erreur,) = sous_le_controle(at, "importer_pieces")
    assert "35 problèmes" in erreur and "X-29.pdf" in erreur and "X-30.pdf" not in erreur
    (volet,) = [e for e in at.expander if e.label == "Les 5 autres problèmes"]
    assert "X-34.pdf" in rendu(volet.markdown[0].value)


def test_appel_d_organismes_demandeur_pieces_et_sans_demo(application, base, tmp_path):
    """Issue 18, appel QSF (organismes) : pas de jeu de démonstration (celui du PAIVMQ) ;
    l'exemple de nommage des pièces jointes prend un numéro de l'appel ; la demande à
    désister et les demandes retirées nomment l'organisme, pas la municipalité."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.commandes import main
    from evaluation.socle.roles import ADMIN
    from pages.composants.commun import CLE_APPEL
    from tests.conftest import RACINE_PROJET, demandes_pour_appel

    modele = RACINE_PROJET / "donnees" / "modeles" / "qsf-modele.toml"
    fichier = demandes_pour_appel(charger_appel(modele), tmp_path)
    assert main(["--base", base, "appels", "importer", str(modele)]) == 0
    assert main(["--base", base, "importer", "--appel", "qsf-modele", str(fichier)]) == 0
    at = application(role=ADMIN)
    at.session_state[CLE_APPEL] = "qsf-modele"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "demo"]
    texte = textes(at)
    assert "« T-001.pdf »" in texte and "PAIVMQ-2024-001" not in texte
    (choix,) = [s for s in at.selectbox if s.label == "Demande"]
    assert choix.options[0].startswith("T-001 · Organisme de test 1 · ")
    moteur = stockage.creer_moteur(base)
    with moteur.connect() as c:
        table = stockage.lire_demandes("qsf-modele", connexion=c)
    moteur.dispose()
    ids = dict(zip(table["no_demande"], table["id"].astype(int), strict=True))
    choix.set_value(ids["T-002"])
    at.text_input(key="raison_desistement").set_value("L'organisme renonce")
    (bouton,) = [b for b in at.button if b.key.startswith("FormSubmitter:form_desistement")]
    bouton.click().run()
    assert not at.exception
    retirees = [d.value for d in at.dataframe if "Retirée le" in d.value.columns]
    assert retirees and "Organisme" in retirees[0].columns
    assert "Municipalité" not in retirees[0].columns
    assert retirees[0]["Organisme"].tolist() == ["Organisme de test 2"]


PARTENAIRES = "Partenaire(s) étranger(s)"
CLE_PARTENAIRES = f"relier::{{}}::Demandes::{PARTENAIRES}"


def _partenaires_stockes(base) -> dict[str, str | None]:
    with stockage.creer_moteur(base).connect() as c:
        demandes = stockage.lire_demandes("paivmq-2023-2024", connexion=c)
    return dict(zip(demandes["no_demande"], demandes["partenaires_etrangers"], strict=True))


def test_colonne_facultative_reliee_retenue_et_reprise(application, base):
    """Issue 19, point 7 : « Partenaire(s) étranger(s) », mise de côté et nommée en clair,
    reliée par l'analyste à « Partenaires étrangers » ; l'importation garde la valeur et
    retient la correspondance ; le fichier suivant de même forme la reprend d'avance, dite."""
    from tests.depot.test_correspondances import export_partenaires

    at = application(PAGE)
    at.file_uploader[0].set_value(("mai.xlsx", export_partenaires(), MIME_XLSX)).run()
    assert not at.exception
    mises = [w.value for w in at.warning if "mise de côté" in w.value]
    assert mises == [
        "1 colonne mise de côté (conservée à part, non évaluée) :\n"
        "- « Partenaire(s) étranger(s) » (ex. : Ville de Brest)"
    ]
    choix = at.selectbox(key=CLE_PARTENAIRES.format("mai.xlsx"))
    assert choix.value == ""
    choix.select("partenaires_etrangers").run()
    assert not at.exception
    assert not [w for w in at.warning if "mise de côté" in w.value]
    assert "« Partenaire(s) étranger(s) » → « Partenaires étrangers »" in textes(at)
    at.button(key="importer").click().run()
    assert not at.exception
    texte = textes(at)
    assert "3 demandes créées" in texte
    assert (
        "mai.xlsx (feuille Demandes) : correspondance retenue pour les prochains fichiers de "
        "même forme : « Partenaire(s) étranger(s) » → « Partenaires étrangers »." in texte
    )
    assert _partenaires_stockes(base)["T-001"] == "Ville de Brest"

    # Le mois suivant : même forme, autres valeurs.
    with stockage.creer_moteur(base).begin() as c:
        c.execute(stockage.demandes.update().values(partenaires_etrangers=None))
    at.file_uploader[0].set_value(("juin.xlsx", export_partenaires(), MIME_XLSX)).run()
    assert not at.exception
    texte = textes(at)
    assert (
        "pour les fichiers de même forme, appliquée d'avance : « Partenaire(s) étranger(s) » "
        in (texte)
    )
    assert " par admin@exemple.qc.ca pour les fichiers de même forme" in texte
    assert at.selectbox(key=CLE_PARTENAIRES.format("juin.xlsx")).value == "partenaires_etrangers"
    assert not [w for w in at.warning if "mise de côté" in w.value]
    at.button(key="importer").click().run()
    assert not at.exception
    assert _partenaires_stockes(base)["T-001"] == "Ville de Brest"


def test_correspondance_retenue_se_change(application, base):
    """Appliquée d'avance, la correspondance retenue reste au choix de l'analyste : remise de
    côté, la colonne redevient nommée parmi les colonnes mises de côté."""
    from tests.depot.test_correspondances import export_partenaires

    at = application(PAGE)
    at.file_uploader[0].set_value(("mai.xlsx", export_partenaires(), MIME_XLSX)).run()
    at.selectbox(key=CLE_PARTENAIRES.format("mai.xlsx")).select("partenaires_etrangers").run()
    at.button(key="importer").click().run()
    at.file_uploader[0].set_value(("juin.xlsx", export_partenaires(), MIME_XLSX)).run()
    at.selectbox(key=CLE_PARTENAIRES.format("juin.xlsx")).select("").run()
    assert not at.exception
    assert at.selectbox(key=CLE_PARTENAIRES.format("juin.xlsx")).value == ""
    assert [w for w in at.warning if "« Partenaire(s) étranger(s) »" in w.value]


def test_deux_colonnes_vers_le_meme_champ_refusees(application):
    from tests.depot.test_correspondances import export_partenaires

    at = application(PAGE)
    at.file_uploader[0].set_value(("mai.xlsx", export_partenaires(), MIME_XLSX)).run()
    cle = CLE_PARTENAIRES.format("mai.xlsx")
    at.selectbox(key=cle).select("titre").run()
    assert not at.exception
    assert at.selectbox(key=cle).value == ""
    assert sous_le_controle(at, cle) == [
        "mai.xlsx (feuille Demandes) : la colonne « Partenaire(s) étranger(s) » ne peut pas "
        "désigner le champ « Titre du projet », que la colonne « Titre du projet » désigne "
        "déjà ; un champ ne se lit que dans une seule colonne. Choisissez un autre champ pour "
        "« Partenaire(s) étranger(s) »."
    ]
    assert _metriques(at)["Importables"] == "3"
