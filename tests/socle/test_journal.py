"""Le journal présenté à une personne : objets en clair, catégories, filtres (auteur,
évaluateur, catégorie, demande, période dont le dernier jour est inclus) et table lisible,
lu d'une vraie base (SQLite et PostgreSQL)."""

import datetime as dt
import io

import pandas as pd
import pytest

from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes.evaluations import enregistrer
from evaluation.notes.saisie import BROUILLON, Saisie
from evaluation.socle import formats, journal, stockage
from evaluation.sorties.neutralisation import csv_sans_formules
from tests.conftest import DONNEES
from tests.filtrage import admettre

ADMIN, EVA, LUC, PRES = "admin@x.ca", "eva@x.ca", "luc@x.ca", "pres@x.ca"
APPEL = "paivmq-2023-2024"

# (date, auteur, demande_id, evaluateur, objet, ancien, nouveau), dans l'ordre d'écriture.
ENTREES = [
    (dt.datetime(2026, 11, 1, 8, 0), ADMIN, None, EVA, "compte", None, "evaluateur"),
    (dt.datetime(2026, 11, 2, 9, 0), ADMIN, 11, EVA, "attribution", None, "attribuée"),
    (dt.datetime(2026, 11, 3, 0, 0), EVA, 11, EVA, "note:pertinence", None, "7.5"),
    (dt.datetime(2026, 11, 3, 23, 59, 59), EVA, 11, EVA, "commentaire:coherence", "a", "b"),
    (dt.datetime(2026, 11, 4, 0, 0), LUC, 12, LUC, "statut", "brouillon", "soumise"),
    (dt.datetime(2026, 11, 5, 12, 0), LUC, 12, LUC, "conflit", None, "ancien emploi"),
    (dt.datetime(2026, 11, 5, 13, 0), LUC, 12, LUC, "admissible", None, "True"),
    (dt.datetime(2026, 11, 5, 14, 0), EVA, 99, EVA, "commentaire_global", "x", None),
    (dt.datetime(2026, 11, 6, 8, 30), PRES, None, None, "reglage:verrouille", "False", "True"),
    (dt.datetime(2026, 11, 6, 9, 0), ADMIN, None, LUC, "compte:role", "observateur", "admin"),
]
NUMEROS = {11: "T-001", 12: "T-002"}


@pytest.fixture
def brut(moteur):
    with moteur.begin() as c:
        stockage.inscrire_journal(
            [
                {
                    "date": date,
                    "auteur": auteur,
                    "appel_id": APPEL
                    if demande is not None or objet.startswith("reglage")
                    else None,
                    "demande_id": demande,
                    "evaluateur": evaluateur,
                    "objet": objet,
                    "ancien": ancien,
                    "nouveau": nouveau,
                }
                for date, auteur, demande, evaluateur, objet, ancien, nouveau in ENTREES
            ],
            connexion=c,
        )
    with moteur.connect() as c:
        return stockage.lire_journal(connexion=c, appel_id=APPEL)


def _objets(table: pd.DataFrame) -> list[str]:
    return list(table["objet"])


# --- libelle_objet, categorie --------------------------------------------------------------


@pytest.mark.parametrize(
    ("objet", "attendu"),
    [
        ("note:pertinence", "Note · Pertinence et retombées"),
        ("note:qualite-dossier", "Note · Qualité du dossier"),
        ("commentaire:coherence", "Commentaire · Cohérence avec les priorités du ministère"),
        ("commentaire:visibilite", "Commentaire · Visibilité et rayonnement"),
        ("note:inconnu", "Note · inconnu"),
        ("commentaire:", "Commentaire · "),
        ("commentaire_global", "Commentaire global"),
        ("statut", "Statut de l'évaluation"),
        ("attribution", "Attribution"),
        ("conflit", "Conflit d'intérêts"),
        ("reglage:verrouille", "Verrouillage des évaluations"),
        ("reglage:evaluateurs_par_demande", "Évaluateurs par demande"),
        ("compte", "Création de compte"),
        ("compte:role", "Rôle du compte"),
        ("compte:mot_de_passe", "Mot de passe du compte"),
        ("reglage:nouveau", "reglage:nouveau"),  # inconnu : tel quel
        (
            "confirmation:evaluation.seuil_global",
            "Confirmation du réglage · Seuil global (sur 100)",
        ),
        (
            "confirmation:criteres.pertinence.poids",
            "Confirmation du réglage · Poids : Pertinence et retombées",
        ),
        ("confirmation:inconnu", "Confirmation du réglage · inconnu"),
        ("ponderation:raison", "Raison du changement de pondérations"),
        ("reglage:financement.plafond_annuel", "Réglage · Plafond annuel"),
        ("reglage:depenses.admissibles", "Réglage · Catégories de dépenses admissibles"),
        ("importation", "importation"),
        ("autre:chose", "autre:chose"),
    ],
)
def test_libelle_objet(appel, objet, attendu):
    assert journal.libelle_objet(objet, appel) == attendu


def test_chaque_objet_connu_a_son_libelle(appel):
    for objet, libelle in journal.OBJETS.items():
        assert journal.libelle_objet(objet, appel) == libelle
    for c in appel.criteres:
        assert journal.libelle_objet(f"note:{c.id}", appel) == f"Note · {c.libelle}"


@pytest.mark.parametrize(
    ("objet", "attendu"),
    [
        ("note:pertinence", "Notes"),
        ("note:inconnu", "Notes"),
        ("commentaire:coherence", "Commentaires"),
        ("commentaire_global", "Commentaires"),
        ("admissible", "Admissibilité"),
        ("raison_inadmissibilite", "Admissibilité"),
        ("admissibilite", "Admissibilité"),
        ("statut", "Statut"),
        ("attribution", "Attributions"),
        ("conflit", "Conflits d'intérêts"),
        ("reglage:verrouille", "Réglages"),
        ("reglage:evaluateurs_par_demande", "Réglages"),
        ("ponderation", "Réglages"),
        ("ponderation:raison", "Réglages"),
        ("confirmation:evaluation.seuil_global", "Réglages"),
        ("compte", "Comptes"),
        ("compte:actif", "Comptes"),
        ("compte:mot_de_passe", "Comptes"),
        ("importation", "Autres"),
        ("notes", "Autres"),  # pas « note: »
        ("tirage", "Financement et décisions"),
        ("decision", "Financement et décisions"),
        ("decision_ministre", "Financement et décisions"),
        # Après la décision (issue 17, point 4).
        ("convention", "Conventions et versements"),
        ("versement", "Conventions et versements"),
        ("rapport:recu", "Conventions et versements"),
        # Pièces jointes (issue 18, point 3).
        ("piece_jointe", "Pièces jointes"),
        ("piece_jointe:refus", "Pièces jointes"),
    ],
)
def test_categorie(objet, attendu):
    assert journal.categorie(objet) == attendu


def test_un_tirage_au_sort_se_lit_en_clair():
    """Issue 16 : le tirage inscrit (JSON) se lit graine, candidates, ordre, gagnantes ; un
    texte illisible reste tel quel."""
    import json

    from evaluation.decision.tirage import tirer

    t = tirer({"T-001": (10, 0), "T-002": (30, 0), "T-003": (15, 0)}, (40, 0), 11, "remplissage")

    assert journal.valeur_lisible("tirage", json.dumps(t.enregistrement())) == (
        "graine 11 ; candidates T-001, T-002, T-003 ; ordre tiré T-002, T-001, T-003 ; "
        "gagnantes T-002, T-001"
    )
    assert journal.valeur_lisible("tirage", "{tronqué") == "{tronqué"
    assert journal.valeur_lisible("tirage", '{"graine": 1}') == '{"graine": 1}'


# --- filtrer -------------------------------------------------------------------------------


def test_filtre_vide_laisse_tout(brut):
    assert len(brut) == len(ENTREES)
    pd.testing.assert_frame_equal(journal.filtrer(brut), brut)
    pd.testing.assert_frame_equal(
        journal.filtrer(brut, auteurs=[], evaluateurs=[], categories=[], demandes=[]), brut
    )


@pytest.mark.parametrize(
    ("filtres", "attendus"),
    [
        ({"auteurs": [EVA]}, ["note:pertinence", "commentaire:coherence", "commentaire_global"]),
        ({"auteurs": [PRES, LUC]}, ["statut", "conflit", "admissible", "reglage:verrouille"]),
        ({"auteurs": ["personne@x.ca"]}, []),
        ({"evaluateurs": [LUC]}, ["statut", "conflit", "admissible", "compte:role"]),
        ({"categories": ["Notes"]}, ["note:pertinence"]),
        ({"categories": ["Commentaires"]}, ["commentaire:coherence", "commentaire_global"]),
        ({"categories": ["Comptes", "Réglages"]}, ["compte", "reglage:verrouille", "compte:role"]),
        ({"categories": ["Admissibilité", "Conflits d'intérêts"]}, ["conflit", "admissible"]),
        ({"demandes": [12]}, ["statut", "conflit", "admissible"]),
        (
            {"demandes": [11, 99]},
            ["attribution", "note:pertinence", "commentaire:coherence", "commentaire_global"],
        ),
        ({"auteurs": [ADMIN], "categories": ["Comptes"]}, ["compte", "compte:role"]),
        ({"auteurs": [ADMIN], "evaluateurs": [EVA]}, ["compte", "attribution"]),
        ({"evaluateurs": [EVA], "demandes": [11], "categories": ["Notes"]}, ["note:pertinence"]),
        ({"auteurs": [EVA], "categories": ["Statut"]}, []),
    ],
)
def test_filtrer(brut, filtres, attendus):
    assert _objets(journal.filtrer(brut, **filtres)) == attendus


@pytest.mark.parametrize(
    ("debut", "fin", "attendus"),
    [
        # Le 3 novembre entier : de minuit à 23 h 59 min 59 s, pas le 4 à minuit.
        (dt.date(2026, 11, 3), dt.date(2026, 11, 3), ["note:pertinence", "commentaire:coherence"]),
        (None, dt.date(2026, 11, 2), ["compte", "attribution"]),
        (dt.date(2026, 11, 6), None, ["reglage:verrouille", "compte:role"]),
        (
            dt.date(2026, 11, 4),
            dt.date(2026, 11, 5),
            ["statut", "conflit", "admissible", "commentaire_global"],
        ),
        (dt.date(2026, 11, 7), None, []),
        (dt.date(2026, 11, 4), dt.date(2026, 11, 3), []),
    ],
)
def test_filtrer_par_periode(brut, debut, fin, attendus):
    assert _objets(journal.filtrer(brut, debut=debut, fin=fin)) == attendus


def test_filtrer_periode_et_auteur(brut):
    filtre = journal.filtrer(
        brut, auteurs=[LUC], debut=dt.date(2026, 11, 5), fin=dt.date(2026, 11, 5)
    )
    assert _objets(filtre) == ["conflit", "admissible"]


def test_filtrer_journal_vide(moteur):
    with moteur.connect() as c:
        vide = stockage.lire_journal(connexion=c)
    assert journal.filtrer(vide, auteurs=[EVA], debut=dt.date(2026, 1, 1)).empty


# --- lisible -------------------------------------------------------------------------------


def test_lisible(brut, appel):
    table = journal.lisible(brut, appel, NUMEROS, date=formats.date_heure)
    assert list(table.columns) == journal.COLONNES
    assert list(table.index) == list(range(len(ENTREES)))
    # Le plus récent en premier ; la date à la québécoise (issue 19).
    assert list(table["Date"]) == [formats.date_heure(e[0]) for e in ENTREES[::-1]]
    assert table.loc[0].to_dict() == {
        "Date": "6 novembre 2026 à 9 h 00",
        "Auteur": ADMIN,
        "Demande": "",
        "Évaluateur": LUC,
        "Objet": "Rôle du compte",
        "Ancienne valeur": "observateur",
        "Nouvelle valeur": "admin",
    }
    assert table.loc[1].to_dict() == {
        "Date": "6 novembre 2026 à 8 h 30",
        "Auteur": PRES,
        "Demande": "",
        "Évaluateur": "",
        "Objet": "Verrouillage des évaluations",
        "Ancienne valeur": "non",  # « False »/« True » stockés, montrés en clair
        "Nouvelle valeur": "oui",
    }
    # Numéros de demande plutôt qu'identifiants ; un identifiant sans numéro reste lisible.
    assert list(table["Demande"]) == [
        "",
        "",
        "99",
        "T-002",
        "T-002",
        "T-002",
        "T-001",
        "T-001",
        "T-001",
        "",
    ]
    derniere = table.iloc[-1].to_dict()
    assert derniere["Objet"] == "Création de compte"
    assert derniere["Ancienne valeur"] == "" and derniere["Nouvelle valeur"] == "evaluateur"
    par_objet = dict(zip(brut["objet"], table["Objet"][::-1], strict=True))
    assert par_objet["note:pertinence"] == "Note · Pertinence et retombées"
    assert par_objet["commentaire:coherence"] == (
        "Commentaire · Cohérence avec les priorités du ministère"
    )
    assert par_objet["commentaire_global"] == "Commentaire global"
    par_objet_valeur = dict(zip(brut["objet"], table["Nouvelle valeur"][::-1], strict=True))
    assert par_objet_valeur["note:pertinence"] == "7,5"  # virgule décimale
    assert par_objet_valeur["admissible"] == "oui"
    assert par_objet_valeur["commentaire:coherence"] == "b"
    assert par_objet_valeur["commentaire_global"] == ""


def test_lisible_pour_un_fichier(brut, appel):
    """Le CSV du journal : l'horodatage ISO à la seconde (formats.date_heure_fichier) et,
    pour la forme « données », le point décimal des notes ; sans `date`, les instants."""
    donnees = journal.lisible(brut, appel, NUMEROS, date=formats.date_heure_fichier, decimale=".")
    assert list(donnees["Date"]) == [formats.date_heure_fichier(e[0]) for e in ENTREES[::-1]]
    assert donnees.loc[0, "Date"] == "2026-11-06 09:00:00"
    notes = dict(zip(brut["objet"], donnees["Nouvelle valeur"][::-1], strict=True))
    assert notes["note:pertinence"] == "7.5"
    instants = journal.lisible(brut, appel, NUMEROS)["Date"]
    assert [pd.Timestamp(d) for d in instants] == [pd.Timestamp(e[0]) for e in ENTREES[::-1]]


def test_lisible_apres_filtre(brut, appel):
    table = journal.lisible(journal.filtrer(brut, demandes=[11]), appel, NUMEROS)
    assert list(table["Objet"]) == [
        "Commentaire · Cohérence avec les priorités du ministère",
        "Note · Pertinence et retombées",
        "Attribution",
    ]
    assert set(table["Demande"]) == {"T-001"}
    assert list(table.index) == [0, 1, 2]


def test_lisible_vide(moteur, appel):
    with moteur.connect() as c:
        vide = stockage.lire_journal(connexion=c)
    table = journal.lisible(vide, appel, {})
    assert table.empty and list(table.columns) == journal.COLONNES
    assert journal.lisible(journal.filtrer(vide), appel, {}).empty


def test_lisible_d_une_vraie_evaluation(moteur, appel):
    """Le chemin de la page Journal : une évaluation enregistrée, lue, rendue lisible."""
    valide = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(valide.name, valide)], appel), appel, moteur=moteur)
    admettre(moteur, appel)  # jugées admissibles : elles se notent
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    numeros = dict(zip(demandes["id"].astype(int), demandes["no_demande"], strict=True))
    d2 = next(i for i, n in numeros.items() if n == "T-002")
    saisie = Saisie(notes={"pertinence": 6.5}, commentaires={"pertinence": "=1+1"})
    enregistrer(appel, d2, EVA, saisie, BROUILLON, moteur=moteur)
    with moteur.connect() as c:
        brut = stockage.lire_journal(connexion=c, appel_id=appel.id)
    table = journal.lisible(journal.filtrer(brut, categories=["Notes"]), appel, numeros)
    assert table[["Demande", "Évaluateur", "Objet", "Ancienne valeur", "Nouvelle valeur"]].to_dict(
        "records"
    ) == [
        {
            "Demande": "T-002",
            "Évaluateur": EVA,
            "Objet": "Note · Pertinence et retombées",
            "Ancienne valeur": "",
            "Nouvelle valeur": "6,5",
        }
    ]
    commentaires = journal.filtrer(brut, categories=["Commentaires"], evaluateurs=[EVA])
    assert _objets(commentaires) == ["commentaire:pertinence"]
    # Le téléchargement de la page : le commentaire « =1+1 » ne devient pas une formule.
    lisible = journal.lisible(commentaires, appel, numeros)
    assert list(lisible["Nouvelle valeur"]) == ["=1+1"]
    relu = pd.read_csv(
        io.BytesIO(csv_sans_formules(lisible)),
        sep=";",
        encoding="utf-8-sig",
        dtype=str,
        keep_default_na=False,
    )
    assert list(relu.columns) == journal.COLONNES
    assert list(relu["Nouvelle valeur"]) == ["'=1+1"]
    assert list(relu["Demande"]) == ["T-002"]
