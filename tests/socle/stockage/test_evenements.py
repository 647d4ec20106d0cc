"""Journaux structurés (issue 20, point 6) : une ligne JSON par action, qui (identifiant du
compte), quoi, niveau ; ni courriel, ni nom, ni valeur saisie ; rien pour une écriture
annulée."""

from __future__ import annotations

import io
import json
import logging

import pytest

from evaluation.notes import evaluations
from evaluation.notes.saisie import Saisie
from evaluation.socle import comptes, stockage
from evaluation.socle.stockage import evenements
from tests.filtrage import admettre

MOT_DE_PASSE = "cheval agrafe batterie correcte"
NOM = "Éloïse Tremblay-Gagnon"
COURRIEL = "eloise.tremblay@exemple.qc.ca"
COMMENTAIRE = "Projet solide, porté par Mme Tremblay-Gagnon"


@pytest.fixture
def sortie():
    """Les lignes émises, par le gestionnaire que pose `configurer_journaux` (format JSON)."""
    racine = logging.getLogger("evaluation")
    niveau_avant, gestionnaires_avant = evenements.ACTIONS.level, list(racine.handlers)
    flux = io.StringIO()
    gestionnaire = logging.StreamHandler(flux)
    racine.handlers = [h for h in racine.handlers if not getattr(h, evenements._MARQUE, False)]
    assert evenements.configurer_journaux(gestionnaire) is gestionnaire
    # Une seconde fois (le script Streamlit se réexécute) : le même gestionnaire, pas deux.
    assert evenements.configurer_journaux() is gestionnaire

    def nouvelles() -> list[dict]:
        """Les lignes émises depuis l'appel précédent."""
        texte = flux.getvalue()
        flux.seek(0)
        flux.truncate()
        return [json.loads(ligne) for ligne in texte.splitlines()]

    yield nouvelles
    racine.handlers = gestionnaires_avant
    evenements.ACTIONS.setLevel(niveau_avant)


def test_une_ligne_par_action_sans_donnee_personnelle(moteur, appel, base_valide, sortie):
    from evaluation.depot.importation import importer
    from evaluation.depot.verification import verifier_lot

    admin = comptes.creer_compte("admin@exemple.qc.ca", "admin", MOT_DE_PASSE, moteur=moteur)
    comptes.creer_compte(COURRIEL, "evaluateur", MOT_DE_PASSE, moteur=moteur, nom=NOM)
    with moteur.connect() as c:
        id_admin = int(stockage.lire_compte(admin.courriel, connexion=c)["id"])
        id_eva = int(stockage.lire_compte(COURRIEL, connexion=c)["id"])
    lot = verifier_lot([(base_valide.name, base_valide)], appel)
    importer(lot, appel, moteur=moteur, auteur=admin.courriel)
    admettre(moteur, appel)
    with moteur.connect() as c:
        demande = int(stockage.lire_demandes(appel.id, connexion=c)["id"].iloc[0])
    (importation,) = [x for x in sortie() if x["action"] == "importation"]
    assert importation == {
        **{k: importation[k] for k in ("date", "importation")},
        **{"niveau": "INFO", "source": "evaluation.actions", "action": "importation"},
        **{"compte": id_admin, "appel": appel.id, "creees": 3, "mises_a_jour": 0},
        "ecartees": 0,
    }

    assert comptes.authentifier(COURRIEL, MOT_DE_PASSE, moteur=moteur).compte is not None
    assert comptes.authentifier(COURRIEL, "mauvais mot de passe", moteur=moteur).compte is None
    assert comptes.authentifier("inconnu@exemple.qc.ca", "x" * 20, moteur=moteur).compte is None
    saisie = Saisie(notes={c.id: 8.0 for c in appel.criteres}, commentaire_global=COMMENTAIRE)
    evaluations.enregistrer(appel, demande, COURRIEL, saisie, "soumise", moteur=moteur)
    comptes.modifier_compte(COURRIEL, moteur=moteur, auteur=admin.courriel, nom="Éloïse Gagnon")
    comptes.modifier_compte(COURRIEL, moteur=moteur, auteur=admin.courriel, role="observateur")

    lignes = sortie()
    texte = json.dumps(lignes, ensure_ascii=False)
    for personnel in ("@", "Éloïse", "Tremblay", "Gagnon", "inconnu", "mauvais", "solide"):
        assert personnel not in texte, personnel
    for ligne in lignes:
        assert {"date", "niveau", "source", "action", "compte"} <= set(ligne), ligne
        assert ligne["source"] == "evaluation.actions"

    connexions = [
        (x["compte"], x["reussie"], x["niveau"]) for x in lignes if x["action"] == "connexion"
    ]
    assert connexions == [
        (id_eva, True, "INFO"),
        (id_eva, False, "WARNING"),
        (None, False, "WARNING"),
    ]

    ecritures = [x for x in lignes if x["action"] == "journal"]
    assert [x["compte"] for x in ecritures] == [id_eva, id_admin, id_admin]
    soumission, nom, role = ecritures
    assert soumission["niveau"] == "INFO"
    assert soumission["appel"] == appel.id and soumission["demande"] == demande
    assert soumission["evaluateur_compte"] == id_eva
    assert {f"note:{c.id}" for c in appel.criteres} | {"statut"} <= set(soumission["objets"])
    assert (nom["objets"], nom["niveau"]) == (["compte:nom"], "INFO")
    assert (role["objets"], role["niveau"]) == (["compte:role"], "WARNING")


def test_rien_pour_une_ecriture_annulee(moteur_sqlite, sortie):
    comptes.creer_compte("admin@exemple.qc.ca", "admin", MOT_DE_PASSE, moteur=moteur_sqlite)
    sortie()
    ligne = stockage.ligne_journal(
        stockage.maintenant(), "admin@exemple.qc.ca", "compte", None, "x"
    )
    with pytest.raises(RuntimeError), moteur_sqlite.begin() as c:
        stockage.inscrire_journal([ligne], connexion=c)
        raise RuntimeError("annulée")
    assert sortie() == []
    with moteur_sqlite.begin() as c:
        stockage.inscrire_journal(
            [ligne, {**ligne, "auteur": "ligne de commande (root)"}], connexion=c
        )
    validees = sortie()
    assert [(x["compte"], x.get("auteur")) for x in validees] == [(1, None), (None, "hors compte")]
    assert "root" not in json.dumps(validees)


def test_format_des_autres_messages_du_paquet(sortie):
    """Les messages des autres modules (lecture d'un fichier, erreur d'une page) passent par
    le même format : une ligne JSON, trace comprise — son type et ses cadres, pas son
    message (« détail » pourrait être un nom de fichier ou un courriel)."""
    try:
        raise ValueError("détail")
    except ValueError:
        logging.getLogger("evaluation.pages").exception("Erreur inattendue, référence %s", "R-1")
    (ligne,) = sortie()
    assert ligne["niveau"] == "ERROR" and ligne["source"] == "evaluation.pages"
    assert ligne["message"] == "Erreur inattendue, référence R-1"
    assert ligne["trace"][0]["type"] == "builtins.ValueError"
    assert "détail" not in json.dumps(ligne, ensure_ascii=False)


def _chercher_compte(courriel: str, nom: str):
    raise KeyError(f"compte {courriel} ({nom}) introuvable")


def test_une_erreur_de_page_se_journalise_sans_son_message(sortie):
    """`erreurs.consigner` (toute exception d'une page ou d'un rappel de bouton) : le type de
    l'exception et de sa cause, le fichier, la ligne et la fonction de chaque cadre ; ni le
    message, qui porte ici un courriel et un nom, ni les valeurs des variables."""
    from pages.composants.erreurs import consigner

    try:
        try:
            _chercher_compte(COURRIEL, NOM)
        except KeyError as exc:
            raise RuntimeError(f"lecture impossible pour {COURRIEL}") from exc
    except RuntimeError as exc:
        reference = consigner(exc)
    (ligne,) = sortie()
    texte = json.dumps(ligne, ensure_ascii=False)
    for donnee in (COURRIEL, "eloise", NOM, "Tremblay", "introuvable", "lecture impossible"):
        assert donnee not in texte
    assert ligne["message"] == f"Erreur inattendue, référence {reference}"
    assert [e["type"] for e in ligne["trace"]] == ["builtins.RuntimeError", "builtins.KeyError"]
    fichier = "tests/socle/stockage/test_evenements.py"
    (cadre,) = [c for c in ligne["trace"][1]["cadres"] if c.endswith(" _chercher_compte")]
    assert cadre.startswith(f"{fichier}:") and cadre.split(":")[1].split()[0].isdigit()
    assert ligne["trace"][0]["cadres"][0].startswith(f"{fichier}:")


def test_les_messages_info_des_autres_modules_restent_hors_du_journal(sortie):
    """Un message INFO d'un autre module (« CV-Jean-Tremblay.xlsx : lecture impossible »)
    nommerait un fichier téléversé : seuls WARNING et plus en sortent, comme avant."""
    logging.getLogger("evaluation.depot.verification").info("%s : lecture impossible", "CV.xlsx")
    logging.getLogger("evaluation.depot.lecture_isolee").warning("%s : interrompue", "x.xlsx")
    assert [ligne["message"] for ligne in sortie()] == ["x.xlsx : interrompue"]
