"""Créer, modifier, archiver, exporter et importer un appel (evaluation/appels/parametres.py),
sur SQLite et PostgreSQL ; chaque modèle livré supporte le parcours complet (import, notes,
classement, classeur) pendant qu'un autre appel, aux mêmes numéros de demande, reste intact.
Les règles d'édition (modèles, TOML, copie, écarts, formulaire) sont dans test_edition.py."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from evaluation.appels.configuration import ErreurAppel, appel_depuis_toml, charger_appel
from evaluation.appels.edition import (
    ParametresRefuses,
    copie,
    modeles_fournis,
    sections,
    vers_toml,
)
from evaluation.appels.parametres import archiver, enregistrer, importer_toml
from evaluation.decision import chargement, classement
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations, examens
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import stockage
from evaluation.sorties import classeur as exportation
from tests.conftest import DONNEES, demandes_pour_appel
from tests.filtrage import admettre

ADMIN = "admin@exemple.qc.ca"
E1, E2 = "e1@exemple.qc.ca", "e2@exemple.qc.ca"
MODELES = ["paivmq-2023-2024", "ffqcd-2021-2022", "qsf-modele"]


def journal(moteur, appel_id: str) -> list[tuple[str, str | None, str | None]]:
    with moteur.connect() as c:
        lignes = c.execute(
            stockage.journal.select()
            .where(stockage.journal.c.appel_id == appel_id)
            .order_by(stockage.journal.c.id)
        ).all()
    return [(ligne.objet, ligne.ancien, ligne.nouveau) for ligne in lignes]


def stocke(moteur, appel_id: str):
    with moteur.connect() as c:
        ligne = stockage.lire_appel(appel_id, connexion=c)
    return ligne and appel_depuis_toml(ligne["configuration_toml"])


def noter(moteur, appel, no: str, evaluateur: str, note: float) -> None:
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    (demande_id,) = demandes.loc[demandes["no_demande"] == no, "id"].astype(int)
    if demande_id not in examens.charger(appel.id, moteur=moteur).etats:
        admettre(moteur, appel, [demande_id])  # jugée admissible : elle se note
    saisie = Saisie(notes={c.id: note for c in appel.criteres}, admissible=True)
    evaluations.enregistrer(appel, demande_id, evaluateur, saisie, SOUMISE, moteur=moteur)


# --- Enregistrer, archiver (SQLite et PostgreSQL) -------------------------------------------


def test_creer_puis_refuser_le_meme_identifiant(moteur):
    texte = copie(charger_appel(), "paivmq-2024-2025", "PAIVMQ 2024-2025")
    appel = enregistrer(texte, moteur=moteur, auteur=ADMIN, creation=True)
    assert stocke(moteur, appel.id) == appel
    assert journal(moteur, appel.id) == [("appel", None, "créé")]
    with pytest.raises(ParametresRefuses, match="existe déjà"):
        enregistrer(texte, moteur=moteur, auteur=ADMIN, creation=True)


def test_configuration_invalide_refusee_sans_rien_ecrire(moteur):
    appel = enregistrer(charger_appel().source_toml, moteur=moteur, auteur=ADMIN)
    d = sections(appel)
    d["criteres"][0]["poids"] = 40  # total 115
    d["financement"]["enveloppe"] = [-5, 500000]
    with pytest.raises(ErreurAppel) as refus:
        enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN)
    message = str(refus.value)
    assert "100" in message and "enveloppe" in message
    assert stocke(moteur, appel.id) == appel
    d = sections(appel)
    d["criteres"] = []
    with pytest.raises(ErreurAppel, match=r"\[\[criteres\]\] : au moins un élément"):
        enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN)


def test_modifier_journalise_et_les_poids_comptent_au_classement(moteur):
    appel = enregistrer(charger_appel().source_toml, moteur=moteur, auteur=ADMIN)
    d = sections(appel)
    d["criteres"][0]["poids"] = 35
    d["criteres"][-1]["poids"] = 0.5
    d["criteres"][1]["poids"] = 19.5
    d["appel"]["nom_court"] = "PAIVMQ modifié"
    modifie = enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN)
    assert stocke(moteur, appel.id).nom_court == "PAIVMQ modifié"
    assert journal(moteur, appel.id)[-4:] == [
        ("poids:pertinence", "25", "35"),
        ("poids:coherence", "20", "19.5"),
        ("poids:visibilite", "10", "0.5"),
        (
            "parametres",
            "appel, criteres",
            "appel.nom_court : PAIVMQ 2023-2024 → PAIVMQ modifié ; criteres[1].poids : 25 → 35 ; "
            "criteres[2].poids : 20 → 19.5 ; criteres[6].poids : 10 → 0.5",
        ),
    ]
    assert chargement.charger(modifie, moteur=moteur).poids == modifie.poids
    # Rien de changé : rien d'écrit.
    avant = journal(moteur, appel.id)
    enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN)
    assert journal(moteur, appel.id) == avant


def test_criteres_et_echelle_figes_des_la_premiere_evaluation(moteur, tmp_path):
    appel = enregistrer(charger_appel().source_toml, moteur=moteur, auteur=ADMIN)
    fichier = demandes_pour_appel(appel, tmp_path)
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    d = sections(appel)
    d["evaluation"]["echelle_max"] = 5.0
    libre = vers_toml(d)
    enregistrer(libre, moteur=moteur, auteur=ADMIN)  # aucune évaluation : permis
    appel = enregistrer(charger_appel().source_toml, moteur=moteur, auteur=ADMIN)
    noter(moteur, appel, "T-001", E1, 8.0)
    with pytest.raises(ParametresRefuses, match="échelle"):
        enregistrer(libre, moteur=moteur, auteur=ADMIN)
    d = sections(appel)
    d["criteres"].pop()
    d["criteres"][0]["poids"] += 10
    with pytest.raises(ParametresRefuses, match="critères"):
        enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN)
    assert stocke(moteur, appel.id) == appel
    d = sections(appel)
    d["criteres"][0]["poids"], d["criteres"][1]["poids"] = 20, 25  # les poids : permis,
    with pytest.raises(ParametresRefuses, match="raison écrite"):  # avec une raison
        enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN)
    with pytest.raises(ParametresRefuses, match="confirmation"):  # et une confirmation
        enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN, raison="Erreur")
    assert stocke(moteur, appel.id) == appel
    change = enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN, raison="Erreur", confirmer=True)
    assert change.poids["pertinence"] == 20
    with moteur.connect() as c:
        (ligne,) = stockage.lire_ponderations(appel.id, connexion=c)
    assert (ligne["raison"], ligne["apres_notation"]) == ("Erreur", True)
    assert ligne["poids_avant"]["pertinence"] == 25
    donnees = chargement.charger(change, moteur=moteur)
    assert donnees.poids_appel["pertinence"] == 25 and donnees.poids["pertinence"] == 20


def test_archiver_fige_puis_rouvrir(moteur):
    appel = enregistrer(charger_appel().source_toml, moteur=moteur, auteur=ADMIN)
    archiver(appel.id, True, moteur=moteur, auteur=ADMIN)
    with moteur.connect() as c:
        assert stockage.appels_archives(connexion=c) == {appel.id}
    d = sections(appel)
    d["appel"]["nom_court"] = "Autre"
    with pytest.raises(ParametresRefuses, match="archivé"):
        enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN)
    archiver(appel.id, False, moteur=moteur, auteur=ADMIN)
    enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN)
    assert ("archive", "ouvert", "archivé") in journal(moteur, appel.id)
    assert ("archive", "archivé", "ouvert") in journal(moteur, appel.id)
    with pytest.raises(ParametresRefuses, match="pas enregistré"):
        archiver("inconnu-2024", True, moteur=moteur, auteur=ADMIN)


def test_exporter_puis_importer_redonne_l_appel(moteur):
    source = modeles_fournis()["qsf-modele"]
    appel, cree = importer_toml(
        source.source_toml.encode(), "qsf-modele.toml", moteur=moteur, auteur=ADMIN
    )
    assert cree and appel == source
    with moteur.connect() as c:
        exporte = stockage.lire_appel(appel.id, connexion=c)["configuration_toml"]
    assert exporte == source.source_toml
    relu, cree = importer_toml(exporte.encode(), "x.toml", moteur=moteur, auteur=ADMIN)
    assert not cree and relu == source and sections(relu) == sections(source)


def test_importer_un_fichier_illisible(moteur):
    with pytest.raises(ErreurAppel, match=r"(?s)appel\.toml.*UTF-8"):
        importer_toml("é = 1".encode("latin-1"), "appel.toml", moteur=moteur, auteur=ADMIN)
    with pytest.raises(ErreurAppel, match=r"(?s)appel\.toml.*syntaxe TOML"):
        importer_toml(b"[appel\nid = ", "appel.toml", moteur=moteur, auteur=ADMIN)
    with moteur.connect() as c:
        assert stockage.lire_appels(connexion=c) == []


# --- Le parcours de chaque modèle, à côté d'un autre appel ----------------------------------


# Issue 18 : les modèles reconstruits d'après leur texte n'ont pas d'axes (FFQCD : thèmes,
# QSF : objectifs, priorités transversales, type de financement) et QSF reçoit les demandes
# d'organismes ; leur parcours passe par le gabarit et la validation qui suivent l'appel.
PARCOURS = MODELES


@pytest.mark.parametrize("identifiant", PARCOURS)
def test_parcours_de_chaque_modele_a_cote_d_un_autre_appel(moteur, tmp_path, identifiant):
    """Un appel PAIVMQ noté (T-001 à T-003) ; un nouvel appel créé d'après le modèle reçoit
    les mêmes numéros de demande, ses notes, son classement, son classeur ; le premier appel
    n'a pas bougé."""
    autre = enregistrer(
        copie(charger_appel(), "autre-2022-2023", "Autre appel"), moteur=moteur, auteur=ADMIN
    )
    valide = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(valide.name, valide)], autre), autre, moteur=moteur)
    for no, note in (("T-001", 6.0), ("T-002", 9.0), ("T-003", 7.5)):
        noter(moteur, autre, no, E1, note)
    autre_avant = classement.classement(autre, chargement.charger(autre, moteur=moteur))

    modele = modeles_fournis()[identifiant]
    appel = enregistrer(
        copie(modele, "nouveau-2026-2027", "Nouvel appel"),
        moteur=moteur,
        auteur=ADMIN,
        creation=True,
    )
    fichier = demandes_pour_appel(appel, tmp_path)
    verification = verifier_lot([(fichier.name, fichier)], appel)
    assert verification.sans_blocage
    importer(verification, appel, moteur=moteur)
    for no, note in (("T-001", 9.0), ("T-002", 6.5), ("T-003", 8.0)):
        for evaluateur in (E1, E2):
            noter(moteur, appel, no, evaluateur, note)
    table = classement.classement(appel, chargement.charger(appel, moteur=moteur))
    assert list(table["no_demande"]) == ["T-001", "T-003", "T-002"]
    assert list(table["rang"]) == [1, 2, 3]
    assert list(table["total"]) == pytest.approx([90, 80, 65])

    contenu = exportation.classeur(
        appel, table, poids=appel.poids, auteur=ADMIN, instant=dt.datetime(2026, 11, 24)
    )
    livre = load_workbook(io.BytesIO(contenu))
    assert livre["Paramètres"]["B3"].value == "nouveau-2026-2027"
    rangees = list(livre["Classement"].iter_rows(min_row=5, max_row=7, values_only=True))
    assert [r[1] for r in rangees] == ["T-001", "T-003", "T-002"]
    if modele.axes:  # un programme sans axes (FFQCD, QSF) se répartit par ses dimensions
        axes = [r[0] for r in livre["Par axe"].iter_rows(min_row=4, values_only=True) if r[0]]
        assert len(axes) == len(modele.axes)

    autre_apres = classement.classement(autre, chargement.charger(autre, moteur=moteur))
    assert autre_apres.equals(autre_avant)
    with moteur.connect() as c:
        assert stockage.compter_demandes(autre.id, connexion=c) == 3
        assert stockage.compter_evaluations(autre.id, connexion=c) == 3
        assert stockage.compter_evaluations(appel.id, connexion=c) == 6


def test_appel_archive_n_accepte_ni_import_ni_note(moteur, tmp_path):
    from evaluation.depot.importation import AppelArchive
    from evaluation.notes.saisie import EvaluationRefusee

    appel = enregistrer(charger_appel().source_toml, moteur=moteur, auteur=ADMIN)
    fichier = demandes_pour_appel(appel, tmp_path)
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    archiver(appel.id, True, moteur=moteur, auteur=ADMIN)
    with pytest.raises(AppelArchive, match="archivé"):
        importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    with pytest.raises(EvaluationRefusee, match="archivé"):
        noter(moteur, appel, "T-001", E1, 8.0)
    with moteur.connect() as c:
        assert stockage.compter_evaluations(appel.id, connexion=c) == 0
    archiver(appel.id, False, moteur=moteur, auteur=ADMIN)
    noter(moteur, appel, "T-001", E1, 8.0)


# --- Les réglages sourcés, figés avant la notation ------------------------------------------


def _plafond(d):
    d["financement"]["plafond_annuel"] = 40000


def _visas(d):
    d["depenses"]["plafond_visas"] = 1000


def _equipements_admissibles(d):
    (equipements,) = [t for t in d["depenses"]["non_admissibles"] if t["id"] == "equipements"]
    d["depenses"]["non_admissibles"].remove(equipements)
    d["depenses"]["admissibles"].append(equipements)


def _visas_non_plafonnes(d):
    (visas,) = [t for t in d["depenses"]["admissibles"] if t["id"] == "visas"]
    del visas["plafonnee"]


def _seuil(d):
    d["evaluation"]["seuil_global"] = 70.0


def _departage(d):
    d["classement"]["departage"] = ["no_demande"]


@pytest.mark.parametrize(
    ("modifier", "nommes", "appel_modifie"),
    [
        # « La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par
        # année dans le cas d'une initiative portée par une seule ville. »
        pytest.param(
            _plafond,
            {"financement.plafond_annuel": ("Plafond annuel", "25000", "40000")},
            True,
            id="plafond-annuel",
        ),
        # « frais d'assurance voyage et de dédouanement (jusqu'à concurrence de 500 $) »
        pytest.param(
            _visas,
            {"depenses.plafond_visas": ("Plafond des frais de visas", "500", "1000")},
            True,
            id="plafond-visas",
        ),
        # « Les dépenses non admissibles sont les suivantes : […] Coûts d'acquisition
        # d'équipements pérennes » : passer « equipements » aux admissibles change les deux
        # listes.
        pytest.param(
            _equipements_admissibles,
            {
                "depenses.admissibles": ("Catégories de dépenses admissibles", "", "equipements"),
                "depenses.non_admissibles": (
                    "Catégories de dépenses non admissibles",
                    "equipements",
                    "",
                ),
            },
            True,
            id="equipements-admissibles",
        ),
        # « (jusqu'à concurrence de 500 $) » : la catégorie des visas est plafonnée.
        pytest.param(
            _visas_non_plafonnes,
            {
                "depenses.admissibles": (
                    "Catégories de dépenses admissibles",
                    "visas (plafonnée)",
                    "",
                )
            },
            True,
            id="visas-plus-plafonnes",
        ),
        # Réglages du comité (l'appel ne fixe ni seuil ni départage).
        pytest.param(
            _seuil,
            {"evaluation.seuil_global": ("Seuil global (sur 100)", "60", "70")},
            False,
            id="seuil-global",
        ),
        pytest.param(
            _departage,
            {"classement.departage": ("Départage des ex æquo", "critere:pertinence", "no_demande")},
            False,
            id="departage",
        ),
    ],
)
def test_reglage_source_fige_avant_la_notation(moteur, tmp_path, modifier, nommes, appel_modifie):
    """Règle de procédure (non de l'appel) appliquée à chaque réglage qui dit sa source et aux
    deux listes de catégories de dépenses : après la première évaluation soumise, le changer
    demande une raison écrite puis la confirmation de l'administration ; le refus nomme
    chaque réglage (libellé : avant → après) ; le changement accepté est journalisé, réglage
    par réglage, avec la raison. Un réglage tiré du texte de l'appel, une fois modifié,
    redevient « à confirmer »."""
    from evaluation.appels import confirmations

    appel = enregistrer(charger_appel().source_toml, moteur=moteur, auteur=ADMIN)
    d = sections(appel)
    modifier(d)
    texte = vers_toml(d)
    fichier = demandes_pour_appel(appel, tmp_path)
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    noter(moteur, appel, "T-001", E1, 8.0)
    avant = journal(moteur, appel.id)
    with pytest.raises(ParametresRefuses, match="raison écrite") as refus:
        enregistrer(texte, moteur=moteur, auteur=ADMIN)
    for chemin, (libelle, ancien, nouveau) in nommes.items():
        assert libelle in str(refus.value)
        partie = str(refus.value).split(libelle)[1]
        if chemin in ("depenses.admissibles", "depenses.non_admissibles"):  # listes
            assert not ancien or f"retiré : {ancien}" in partie
            assert not nouveau or f"ajouté : {nouveau}" in partie
            continue
        assert ancien in partie.split("→")[0]
        assert nouveau in partie.split("→")[1]
    with pytest.raises(ParametresRefuses, match="confirmation explicite"):
        enregistrer(texte, moteur=moteur, auteur=ADMIN, raison="Erreur de saisie")
    assert stocke(moteur, appel.id) == appel and journal(moteur, appel.id) == avant
    change = enregistrer(texte, moteur=moteur, auteur=ADMIN, raison="Erreur", confirmer=True)
    lignes = {o: (a, n) for o, a, n in journal(moteur, appel.id)[len(avant) :]}
    for chemin, (_, ancien, nouveau) in nommes.items():
        a, n = lignes[f"reglage:{chemin}"]
        assert ancien in a and nouveau in n and n.endswith("(raison : Erreur)")
    restants = {r.chemin for r in confirmations.reglages_non_confirmes(change, moteur=moteur)}
    assert (set(nommes) <= restants) is True
    if appel_modifie:  # fixé par l'appel avant, à confirmer maintenant, puis confirmé
        assert not set(nommes) & {
            r.chemin for r in confirmations.reglages_non_confirmes(appel, moteur=moteur)
        }
        confirmations.confirmer(change, list(nommes), moteur=moteur, auteur=ADMIN)
        restants = {r.chemin for r in confirmations.reglages_non_confirmes(change, moteur=moteur)}
        assert not set(nommes) & restants


def test_reglages_libres_avant_la_notation_et_hors_reglages_sources(moteur, tmp_path):
    """Avant la première évaluation soumise, un réglage change sans raison (journalisé) ;
    après, ce qui ne dit pas de source (le nom court) change encore librement."""
    appel = enregistrer(charger_appel().source_toml, moteur=moteur, auteur=ADMIN)
    d = sections(appel)
    _plafond(d)
    appel = enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN)
    assert ("reglage:financement.plafond_annuel", "25000", "40000") in journal(moteur, appel.id)
    fichier = demandes_pour_appel(appel, tmp_path)
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    noter(moteur, appel, "T-001", E1, 8.0)
    d["appel"]["nom_court"] = "Autre nom"
    assert enregistrer(vers_toml(d), moteur=moteur, auteur=ADMIN).nom_court == "Autre nom"


def test_appel_livre_importe_puis_modifie_en_ligne_de_commande(moteur):
    """L'appel livré, jamais ouvert dans Paramètres, reçoit ses demandes (l'importation
    l'enregistre tel que livré ; sinon son premier enregistrement se comparerait au fichier
    livré) et une note : l'importer modifié est refusé (« ne pourra pas excéder 25 000 $ par
    année »)."""
    appel = charger_appel()
    valide = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(valide.name, valide)], appel), appel, moteur=moteur)
    noter(moteur, appel, "T-001", E1, 8.0)
    d = sections(appel)
    _plafond(d)
    with pytest.raises(ParametresRefuses, match="Plafond annuel : 25000 → 40000"):
        importer_toml(vers_toml(d).encode(), "a.toml", moteur=moteur, auteur=ADMIN)
    relu = stocke(moteur, appel.id)  # l'importation l'a peut-être enregistré tel que livré
    assert relu is None or relu.financement.plafond_annuel == 2_500_000
