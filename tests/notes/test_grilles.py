"""Grilles de notes hors ligne : aller-retour, problèmes situés, plusieurs évaluateurs,
réimportation sans effet."""

import io

import pytest
from openpyxl import load_workbook

from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.attributions import (
    appliquer_repartition,
    charger,
    declarer_conflit,
    verrouiller,
)
from evaluation.notes.evaluations import importer_grille, numeros_de_l_appel
from evaluation.notes.grilles import construire_grille, critere_de_l_entete, lire_grille
from evaluation.notes.saisie import BROUILLON, SOUMISE, EvaluationPerimee, EvaluationRefusee, Saisie
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte, lister_comptes
from evaluation.socle.probleme import BLOQUANT
from tests.conftest import DONNEES
from tests.filtrage import admettre

VALIDE = DONNEES / "formats" / "valide.xlsx"
MDP = "un mot de passe solide"


@pytest.fixture
def contexte(moteur, appel):
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur, nom="Éva Roy")
    creer_compte("luc@x.ca", "evaluateur", MDP, moteur=moteur, nom="Luc Cyr")
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c).to_dict("records")
    return moteur, demandes


def _remplir(contenu: bytes, valeurs: dict[tuple[int, int], object]) -> bytes:
    wb = load_workbook(io.BytesIO(contenu))
    for (ligne, colonne), valeur in valeurs.items():
        wb["Notes"].cell(ligne, colonne).value = valeur
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def _lire(contenu, appel, moteur, **options):
    return lire_grille(
        "grille.xlsx",
        contenu,
        appel,
        demandes_par_numero=numeros_de_l_appel(appel, moteur=moteur),
        comptes=lister_comptes(moteur=moteur),
        **options,
    )


def _toutes_les_notes(appel, lignes=(2, 3, 4), note=7.5):
    return {(ligne, 5 + j): note for ligne in lignes for j in range(len(appel.criteres))}


@pytest.mark.parametrize(
    ("entete", "identifiant"),
    [
        ("pertinence", "pertinence"),
        ("Pertinence", "pertinence"),
        ("Qualité du dossier", "qualite-dossier"),
        ("QUALITE-DOSSIER", "qualite-dossier"),
        ("Cohérence avec les priorités du ministère", "coherence"),
        ("Caract", None),
        ("Autre", None),
    ],
)
def test_critere_reconnu_par_id_libelle_ou_debut(appel, entete, identifiant):
    trouve = critere_de_l_entete(entete, appel)
    assert (trouve.id if trouve else None) == identifiant


def test_aller_retour_puis_reimport_sans_effet(contexte, appel):
    moteur, demandes = contexte
    grille = construire_grille(appel, demandes, "eva@x.ca")
    wb = load_workbook(io.BytesIO(grille))
    assert wb.sheetnames == ["Notes", "Critères"]
    assert [c.value for c in wb["Notes"][1]][4:10] == [c.libelle for c in appel.criteres]
    assert wb["Notes"].data_validations.dataValidation[0].formula2 == "10.0"
    remplie = _remplir(grille, _toutes_les_notes(appel) | {(3, 11): "Très bon projet"})
    lecture = _lire(remplie, appel, moteur)
    assert lecture.sans_blocage, [p.texte() for p in lecture.problemes]
    assert importer_grille(lecture, appel, moteur=moteur) > 0
    d2 = next(d["id"] for d in demandes if d["no_demande"] == "T-002")
    statut, saisie = evaluations.lire(d2, "eva@x.ca", moteur=moteur)
    assert statut == SOUMISE
    assert saisie.notes == {c.id: 7.5 for c in appel.criteres}
    assert saisie.commentaire_global == "Très bon projet"
    assert importer_grille(_lire(remplie, appel, moteur), appel, moteur=moteur) == 0


def test_plusieurs_evaluateurs_et_brouillon(contexte, appel):
    moteur, demandes = contexte
    grille = construire_grille(appel, demandes, "eva@x.ca")
    remplie = _remplir(
        grille, _toutes_les_notes(appel) | {(3, 4): "Luc Cyr", (4, 12): "brouillon", (4, 5): None}
    )
    lecture = _lire(remplie, appel, moteur)
    assert lecture.sans_blocage
    importer_grille(lecture, appel, moteur=moteur)
    ids = {d["no_demande"]: d["id"] for d in demandes}
    assert evaluations.lire(ids["T-002"], "luc@x.ca", moteur=moteur)[0] == SOUMISE
    assert evaluations.lire(ids["T-002"], "eva@x.ca", moteur=moteur) is None
    statut, saisie = evaluations.lire(ids["T-003"], "eva@x.ca", moteur=moteur)
    assert statut == BROUILLON and saisie.notes["pertinence"] is None


@pytest.mark.parametrize(
    ("modification", "code", "colonne"),
    [
        ({(2, 1): "T-999"}, "demande_inconnue", "No de demande"),
        ({(2, 5): 11}, "note_hors_echelle", "Pertinence et retombées"),
        ({(2, 5): 7.3}, "note_hors_echelle", "Pertinence et retombées"),
        ({(2, 5): "beaucoup"}, "note_illisible", "Pertinence et retombées"),
        ({(2, 5): None}, "note_manquante", "Pertinence et retombées"),
        ({(2, 4): "inconnu@x.ca"}, "evaluateur_inconnu", "Évaluateur"),
        ({(2, 12): "finie"}, "statut_inconnu", "Statut"),
        ({(1, 6): "Autre chose"}, "colonne_manquante", "Cohérence avec les priorités du ministère"),
    ],
)
def test_probleme_situe_et_rien_d_enregistre(contexte, appel, modification, code, colonne):
    moteur, demandes = contexte
    remplie = _remplir(
        construire_grille(appel, demandes, "eva@x.ca"), _toutes_les_notes(appel) | modification
    )
    lecture = _lire(remplie, appel, moteur)
    (probleme,) = lecture.problemes
    assert (probleme.code, probleme.colonne) == (code, colonne)
    assert probleme.ligne == (1 if code == "colonne_manquante" else 2)
    assert importer_grille(lecture, appel, moteur=moteur) == 0
    with moteur.connect() as c:
        assert stockage.lire_notes(appel.id, connexion=c).empty


def test_notes_en_ligne_de_commande(contexte, appel, tmp_path, capsys):
    from evaluation.commandes import main

    moteur, demandes = contexte
    base = ["--base", moteur.url.render_as_string(hide_password=False)]
    chemin = tmp_path / "grille.xlsx"
    grille = construire_grille(appel, demandes, "eva@x.ca")
    chemin.write_bytes(_remplir(grille, _toutes_les_notes(appel)))
    assert main([*base, "notes", "importer", str(chemin)]) == 0
    assert "3 lignes lues" in capsys.readouterr().out
    assert main([*base, "notes", "exporter"]) == 0
    lignes = capsys.readouterr().out.strip().splitlines()
    assert lignes[0] == "no_demande,evaluateur,critere,note,statut,date"
    assert len(lignes) == 1 + 3 * len(appel.criteres)
    assert lignes[1].startswith("T-001,eva@x.ca,")


# --- Attributions : conflits, demandes non attribuées, verrouillage -----------------------


def _ligne_de(demandes, numero) -> int:
    """Ligne Excel d'une demande dans la grille construite (en-tête en ligne 1)."""
    return 2 + [d["no_demande"] for d in demandes].index(numero)


@pytest.mark.parametrize("origine", ["déclaré", "règle"])
def test_grille_refuse_la_ligne_d_une_demande_en_conflit(contexte, appel, origine):
    moteur, demandes = contexte
    ids = {d["no_demande"]: d["id"] for d in demandes}
    if origine == "déclaré":
        qui, nom, raison = "eva@x.ca", "Éva Roy", "ma sœur y travaille"
        declarer_conflit(appel.id, ids["T-002"], qui, raison, moteur=moteur, auteur=qui)
    else:
        qui, nom = "mag@x.ca", "Marc Gagné"
        creer_compte(qui, "evaluateur", MDP, moteur=moteur, nom=nom, municipalite="Magog")
        raison = "municipalité de l'évaluateur (Magog)"
    remplie = _remplir(construire_grille(appel, demandes, qui), _toutes_les_notes(appel))
    lecture = _lire(remplie, appel, moteur, attributions=charger(appel.id, moteur=moteur))
    (probleme,) = lecture.problemes
    assert probleme.severite == BLOQUANT and probleme.bloque
    assert (probleme.code, probleme.ligne, probleme.colonne, probleme.no_demande) == (
        "demande_refusee",
        _ligne_de(demandes, "T-002"),
        "No de demande",
        "T-002",
    )
    assert f"conflit d'intérêts de {nom}" in probleme.message and raison in probleme.message
    assert {ligne.no_demande for ligne in lecture.lignes} == {"T-001", "T-003"}
    assert importer_grille(lecture, appel, moteur=moteur) == 0
    with moteur.connect() as c:
        assert stockage.lire_notes(appel.id, connexion=c).empty


def test_grille_sans_attributions_ne_verifie_pas_les_conflits(contexte, appel):
    """Sans l'état des attributions, lire_grille ne sait rien des conflits (l'enregistrement,
    lui, refuse quand même)."""
    moteur, demandes = contexte
    ids = {d["no_demande"]: d["id"] for d in demandes}
    declarer_conflit(appel.id, ids["T-002"], "eva@x.ca", "x", moteur=moteur, auteur="eva@x.ca")
    remplie = _remplir(construire_grille(appel, demandes, "eva@x.ca"), _toutes_les_notes(appel))
    lecture = _lire(remplie, appel, moteur)
    assert lecture.sans_blocage
    with pytest.raises(EvaluationRefusee, match="conflit"):
        importer_grille(lecture, appel, moteur=moteur)
    with moteur.connect() as c:
        assert stockage.lire_notes(appel.id, connexion=c).empty


def test_grille_mode_n_refuse_les_demandes_non_attribuees(contexte, appel):
    moteur, demandes = contexte
    appliquer_repartition(appel, 1, moteur=moteur, auteur="admin@x.ca")
    etat = charger(appel.id, moteur=moteur)
    a_eva = set(etat.demandes_de("eva@x.ca"))
    pas_a_eva = {d["no_demande"] for d in demandes if d["id"] not in a_eva}
    assert a_eva and pas_a_eva
    remplie = _remplir(construire_grille(appel, demandes, "eva@x.ca"), _toutes_les_notes(appel))
    lecture = _lire(remplie, appel, moteur, attributions=etat)
    assert {(p.code, p.no_demande, p.ligne, p.colonne) for p in lecture.problemes} == {
        ("demande_refusee", n, _ligne_de(demandes, n), "No de demande") for n in pas_a_eva
    }
    assert all("n'est pas attribuée à Éva Roy" in p.message for p in lecture.problemes)
    assert {ligne.demande_id for ligne in lecture.lignes} == a_eva


def test_grille_verrouillee_un_seul_probleme(contexte, appel):
    moteur, demandes = contexte
    verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca")
    remplie = _remplir(
        construire_grille(appel, demandes, "eva@x.ca"),
        _toutes_les_notes(appel) | {(2, 5): 11, (3, 4): "inconnu@x.ca"},
    )
    lecture = _lire(remplie, appel, moteur, attributions=charger(appel.id, moteur=moteur))
    (probleme,) = lecture.problemes
    assert (probleme.code, probleme.severite) == ("evaluations_verrouillees", BLOQUANT)
    assert probleme.ligne is None and "verrouillées" in probleme.message
    assert lecture.lignes == []
    assert importer_grille(lecture, appel, moteur=moteur) == 0


def test_verrouillage_entre_lecture_et_importation(contexte, appel):
    """Lue avant le verrouillage, importée après : refusée en bloc, rien d'enregistré."""
    moteur, demandes = contexte
    remplie = _remplir(construire_grille(appel, demandes, "eva@x.ca"), _toutes_les_notes(appel))
    lecture = _lire(remplie, appel, moteur, attributions=charger(appel.id, moteur=moteur))
    assert lecture.sans_blocage and len(lecture.lignes) == 3
    verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca")
    with pytest.raises(EvaluationRefusee, match="verrouillées"):
        importer_grille(lecture, appel, moteur=moteur)
    with moteur.connect() as c:
        assert stockage.lire_notes(appel.id, connexion=c).empty
    verrouiller(appel.id, False, moteur=moteur, auteur="pres@x.ca")
    assert importer_grille(lecture, appel, moteur=moteur) > 0


# --- Une grille est une vue : elle n'écrase pas ce qui a été enregistré depuis ------------


def _versions(moteur, demandes, qui="eva@x.ca"):
    versions = {}
    for d in demandes:
        lu = evaluations.lire_avec_version(d["id"], qui, moteur=moteur)
        versions[d["id"]] = lu[2] if lu else 0
    return versions


def test_grille_porte_la_version_de_chaque_evaluation_colonne_masquee(contexte, appel):
    moteur, demandes = contexte
    saisie = Saisie(notes={c.id: 4.0 for c in appel.criteres})
    evaluations.enregistrer(appel, demandes[0]["id"], "eva@x.ca", saisie, BROUILLON, moteur=moteur)
    contenu = construire_grille(appel, demandes, "eva@x.ca", versions=_versions(moteur, demandes))
    feuille = load_workbook(io.BytesIO(contenu))["Notes"]
    derniere = feuille.cell(1, feuille.max_column)
    assert derniere.value == "Version (ne pas modifier)"
    assert feuille.column_dimensions[derniere.column_letter].hidden
    assert [feuille.cell(i, feuille.max_column).value for i in (2, 3, 4)] == [1, 0, 0]
    lecture = _lire(_remplir(contenu, _toutes_les_notes(appel)), appel, moteur)
    assert lecture.sans_blocage
    assert [ligne.version for ligne in lecture.lignes] == [1, 0, 0]


def test_grille_perimee_refusee_sans_rien_ecrire(contexte, appel):
    """Grille téléchargée lundi, note changée en ligne mardi, grille importée mercredi : rien
    n'est écrit (pas même les autres lignes), et le refus dit quoi faire."""
    moteur, demandes = contexte
    contenu = construire_grille(appel, demandes, "eva@x.ca", versions=_versions(moteur, demandes))
    en_ligne = Saisie(
        notes={c.id: 9.0 for c in appel.criteres}, commentaire_global="Saisi en ligne"
    )
    evaluations.enregistrer(
        appel, demandes[1]["id"], "eva@x.ca", en_ligne, BROUILLON, moteur=moteur
    )
    lecture = _lire(_remplir(contenu, _toutes_les_notes(appel)), appel, moteur)
    assert lecture.sans_blocage
    with pytest.raises(EvaluationPerimee) as refus:
        importer_grille(lecture, appel, moteur=moteur, auteur="eva@x.ca")
    message = str(refus.value)
    assert f"L'évaluation de {demandes[1]['no_demande']} a été modifiée depuis le " in message
    assert "téléchargement de votre grille" in message
    assert "téléchargez de nouveau votre grille" in message
    assert evaluations.lire(demandes[0]["id"], "eva@x.ca", moteur=moteur) is None
    _statut, saisie = evaluations.lire(demandes[1]["id"], "eva@x.ca", moteur=moteur)
    assert saisie.commentaire_global == "Saisi en ligne"
    assert saisie.notes[appel.criteres[0].id] == 9.0


def test_grille_sans_colonne_version_importee_sur_la_derniere(contexte, appel):
    moteur, demandes = contexte
    contenu = construire_grille(appel, demandes, "eva@x.ca")
    classeur = load_workbook(io.BytesIO(contenu))
    classeur["Notes"].delete_cols(classeur["Notes"].max_column)
    sortie = io.BytesIO()
    classeur.save(sortie)
    lecture = _lire(_remplir(sortie.getvalue(), _toutes_les_notes(appel)), appel, moteur)
    assert [ligne.version for ligne in lecture.lignes] == [None, None, None]
    assert importer_grille(lecture, appel, moteur=moteur, auteur="eva@x.ca") > 0


def test_version_modifiee_a_la_main_bloque_la_ligne(contexte, appel):
    moteur, demandes = contexte
    contenu = construire_grille(appel, demandes, "eva@x.ca")
    colonne = load_workbook(io.BytesIO(contenu))["Notes"].max_column
    remplie = _remplir(contenu, {**_toutes_les_notes(appel), (3, colonne): "trois"})
    lecture = _lire(remplie, appel, moteur)
    (probleme,) = [p for p in lecture.problemes if p.code == "version_illisible"]
    assert probleme.severite == BLOQUANT and probleme.ligne == 3
    assert probleme.colonne == "Version (ne pas modifier)"
    assert "Téléchargez de nouveau votre grille" in probleme.message


def test_colonne_de_critere_en_double_signalee_sans_bloquer(contexte, appel):
    """Deux colonnes pour un même critère : un avertissement les nomme, la première est lue."""
    moteur, demandes = contexte
    premier = appel.criteres[0].libelle
    remplie = _remplir(
        construire_grille(appel, demandes, "eva@x.ca"),
        _toutes_les_notes(appel) | {(1, 13): premier, (2, 13): 2},
    )
    lecture = _lire(remplie, appel, moteur)
    (probleme,) = lecture.problemes
    assert (probleme.code, probleme.severite, probleme.colonne) == (
        "entete_en_double",
        "avertissement",
        premier,
    )
    assert f"E « {premier} » et M « {premier} »" in probleme.message
    assert "La colonne E est lue" in probleme.message
    assert lecture.sans_blocage
    assert {ligne.notes[appel.criteres[0].id] for ligne in lecture.lignes} == {7.5}


def test_valeur_illisible_citee_coupee(contexte, appel):
    moteur, demandes = contexte
    remplie = _remplir(
        construire_grille(appel, demandes, "eva@x.ca"),
        _toutes_les_notes(appel) | {(2, 5): "beaucoup " * 1000},
    )
    (probleme,) = _lire(remplie, appel, moteur).problemes
    assert probleme.code == "note_illisible"
    assert len(probleme.message) < 80 and "…" in probleme.message


@pytest.mark.parametrize(
    ("remplissage", "lignes_lues"),
    [
        pytest.param({}, [], id="grille-telechargee-intacte"),
        pytest.param({(2, 11): "Commentaire seul"}, [2], id="commentaire-seul-lu"),
        pytest.param({(2, 12): "brouillon"}, [2], id="statut-seul-lu"),
    ],
)
def test_ligne_laissee_vide_ignoree(contexte, appel, remplissage, lignes_lues):
    """Issue 15 : « The grid ignores blank rows » : une ligne sans note, sans commentaire
    et sans statut n'est pas une évaluation soumise sans notes ; elle est ignorée."""
    moteur, demandes = contexte
    grille = _remplir(construire_grille(appel, demandes, "eva@x.ca"), remplissage)
    lecture = _lire(grille, appel, moteur)
    assert [ligne.ligne for ligne in lecture.lignes] == lignes_lues


def test_lignes_valides_importees_les_refusees_situees(contexte, appel):
    """Issue 15 : la grille « offers to import its valid rows, with each refused row
    located » (fichier, feuille, ligne Excel, colonne, et quoi corriger)."""
    moteur, demandes = contexte
    grille = construire_grille(appel, demandes, "eva@x.ca")
    remplie = _remplir(grille, _toutes_les_notes(appel) | {(3, 6): 42})
    lecture = _lire(remplie, appel, moteur)
    assert not lecture.sans_blocage
    (refus,) = [p for p in lecture.problemes if p.bloque]
    assert (refus.fichier, refus.feuille, refus.ligne, refus.colonne, refus.code) == (
        "grille.xlsx",
        "Notes",
        3,
        appel.criteres[1].libelle,
        "note_hors_echelle",
    )
    assert "0 à 10" in refus.message  # ce qu'il faut écrire à la place
    assert lecture.lignes_refusees == {3}
    assert [ligne.ligne for ligne in lecture.lignes_valides] == [2, 4]
    assert importer_grille(lecture, appel, moteur=moteur) == 0  # sans le demander : rien
    assert importer_grille(lecture, appel, moteur=moteur, lignes_valides=True) > 0
    ids = {d["no_demande"]: d["id"] for d in demandes}
    assert evaluations.lire(ids["T-001"], "eva@x.ca", moteur=moteur)[0] == SOUMISE
    assert evaluations.lire(ids["T-002"], "eva@x.ca", moteur=moteur) is None
    assert evaluations.lire(ids["T-003"], "eva@x.ca", moteur=moteur)[0] == SOUMISE
