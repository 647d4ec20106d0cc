"""Ce que le classement lit dans la base : rien d'un évaluateur en conflit d'intérêts ; les
évaluations attendues par demande ; les notes mises en cube une fois."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from evaluation.decision import chargement, classement, notation
from evaluation.decision.classement import SOUS_SEUIL
from evaluation.notes import attributions
from evaluation.socle.comptes import creer_compte, desactiver_compte
from tests.decision.test_classement import SOUS_SEUIL_RAISON, _ligne
from tests.filtrage import admettre
from tests.hostiles import MOT_DE_PASSE


def test_conflit_declare_apres_soumission_exclut_l_evaluation(moteur, appel, campagne):
    t3 = campagne["T-003"]
    admettre(moteur, appel, [t3])  # l'analyste la juge admissible à nouveau : elle se classe
    attributions.declarer_conflit(
        appel.id, t3, "e3@x.ca", "employé de la municipalité", moteur=moteur, auteur="admin@x.ca"
    )
    donnees = chargement.charger(appel, moteur=moteur)
    assert "e3@x.ca" not in set(donnees.notes["evaluateur"])
    table = classement.classement(appel, donnees)
    ligne = _ligne(table, t3)
    # Sans e3 : total (5 + 6)/2 × 10 = 55.
    assert ligne["statut"] == SOUS_SEUIL
    assert ligne["n_evaluations"] == 2
    assert ligne["total"] == pytest.approx(55.0)
    assert ligne["raison"] == SOUS_SEUIL_RAISON


def test_evaluations_attendues_par_demande(moteur, appel, campagne):
    """Chacun évalue tout : les évaluateurs actifs, moins ceux en conflit avec la demande
    (un compte désactivé n'est plus attendu) ; N par demande : les attributions, moins les
    conflits."""
    t1, t2, t3 = campagne["T-001"], campagne["T-002"], campagne["T-003"]
    admettre(moteur, appel, [t3])  # jugée admissible à nouveau : elle s'attribue
    for courriel in ("e1@x.ca", "e2@x.ca", "e3@x.ca", "parti@x.ca"):
        creer_compte(courriel, "evaluateur", MOT_DE_PASSE, moteur=moteur)
    desactiver_compte("parti@x.ca", moteur=moteur, auteur="admin@x.ca")
    attributions.declarer_conflit(appel.id, t2, "e2@x.ca", "voisin", moteur=moteur, auteur="a")
    attendues = chargement.charger(appel, moteur=moteur).attendues
    assert attendues == {t1: 3, t2: 2, t3: 3}
    attributions.appliquer_repartition(appel, 1, moteur=moteur, auteur="admin@x.ca")
    attributions.modifier_attributions(
        appel, [(t1, "e3@x.ca")], [], moteur=moteur, auteur="admin@x.ca"
    )
    etat = attributions.charger(appel.id, moteur=moteur)
    attendues = chargement.charger(appel, moteur=moteur).attendues
    assert attendues == {d: len(etat.evaluateurs_de(d)) for d in (t1, t2, t3)}
    # Évaluations commencées gardées (e1 et e2 sur T-001, e1, e2, e3 sur T-003) ; le
    # conflit de e2 sur T-002 ne compte pas.
    assert attendues[t1] == 3 and attendues[t3] == 3


def test_le_cube_du_chargement_donne_le_meme_classement(moteur, appel, campagne):
    """Les notes mises en cube une fois au chargement : le classement, avec les poids en
    vigueur ou simulés, est celui que donne le cube refait d'après les notes."""
    donnees = chargement.charger(appel, moteur=moteur)
    refait = notation.cube(donnees.notes, donnees.demandes["id"].astype(int), appel.poids)
    assert np.array_equal(donnees.cube.notes, refait.notes, equal_nan=True)
    sans_cube = replace(donnees, cube=None)
    poids = {c.id: (40 if c.id == "pertinence" else 12) for c in appel.criteres}
    for simule in (None, poids):
        pd.testing.assert_frame_equal(
            classement.classement(appel, donnees, simule),
            classement.classement(appel, sans_cube, simule),
        )
    # Un cube d'autres critères (un autre appel) n'est pas repris : il est refait.
    autre = replace(donnees, cube=notation.cube(donnees.notes, refait.demandes, ["pertinence"]))
    assert classement.cube_des_notes(appel, autre).criteres == tuple(appel.poids)


def test_notes_soumises_tirees_des_notes_completes(moteur, appel, campagne):
    """L'exportation lit toutes les notes une fois et en tire les soumises : mêmes lignes et
    mêmes types que la lecture des seules soumises (dans leurs résumés : l'ordre des lignes
    n'y est pas le même, et rien n'en dépend) ; le brouillon de e4 n'y est pas, et le
    classement qui en sort est le même."""
    from evaluation.socle import stockage

    with moteur.connect() as connexion:
        soumises = stockage.lire_notes_soumises(appel.id, connexion=connexion)
        completes = stockage.lire_notes_completes(appel.id, connexion=connexion)
    assert "e4@x.ca" in set(completes["evaluateur"])
    donnees = chargement.charger(appel, moteur=moteur, notes_completes=completes)
    cles = ["demande_id", "evaluateur", "critere"]
    pd.testing.assert_frame_equal(
        donnees.notes.sort_values(cles).reset_index(drop=True),
        soumises.sort_values(cles).reset_index(drop=True),
    )
    assert "e4@x.ca" not in set(donnees.notes["evaluateur"])
    pd.testing.assert_frame_equal(
        classement.classement(appel, donnees),
        classement.classement(appel, chargement.charger(appel, moteur=moteur)),
    )


@pytest.mark.parametrize("sans_axes_ni_secteurs", [False, True], ids=["avec-axes", "sans-axes"])
def test_dimensions_de_la_configuration_au_classement(moteur, sans_axes_ni_secteurs):
    """Issue 18 : configuration → gabarit → importation → stockage → chargement →
    classement, pour un appel à une dimension multiple et une simple obligatoire, avec ou
    sans axes ni secteurs. Le chargement porte une colonne « dimension:<id> » (tuple d'ids)
    par dimension ; le CSV et le classeur du classement, une colonne par dimension
    (libellés joints par « ; »)."""
    import datetime as dt
    import io

    from openpyxl import load_workbook

    from evaluation.socle import stockage
    from evaluation.sorties import classeur as exportation
    from tests.dimensions import appel_avec_dimensions, importer_et_noter

    appel = appel_avec_dimensions(sans_axes_ni_secteurs)
    ids = importer_et_noter(moteur, appel)
    with moteur.connect() as c:
        stockees = stockage.lire_demandes(appel.id, connexion=c).set_index("no_demande")
    assert stockees.loc["Q-1", "dimensions"] == {
        "priorites": ["environnement", "femmes"],
        "type-financement": ["ponctuel"],
    }
    assert stockees.loc["Q-3", "dimensions"] == {"priorites": [], "type-financement": ["ponctuel"]}
    if sans_axes_ni_secteurs:
        assert stockees[["axe", "secteur"]].isna().all().all()

    donnees = chargement.charger(appel, moteur=moteur)
    par_no = donnees.demandes.set_index("no_demande")
    assert par_no.loc["Q-1", "dimension:priorites"] == ("environnement", "femmes")
    assert par_no.loc["Q-3", "dimension:priorites"] == ()
    assert par_no.loc["Q-2", "dimension:type-financement"] == ("mission",)

    table = classement.classement(appel, donnees)
    assert list(table["no_demande"]) == ["Q-1", "Q-2", "Q-3"]
    assert list(table["rang"]) == [1, 2, 3]
    assert table.set_index("demande_id").loc[ids["Q-2"], "dimension:priorites"] == ("jeunesse",)

    fichier = classement.pour_fichier(table, appel).set_index("no_demande")
    assert fichier.loc["Q-1", "dimension:priorites"] == (
        "Protection de l'environnement ; Droits des femmes"
    )
    assert fichier.loc["Q-3", "dimension:priorites"] == ""
    assert fichier.loc["Q-2", "dimension:type-financement"] == "Soutien à la mission globale"

    contenu = exportation.classeur(
        appel, table, poids=donnees.poids, auteur="p@x.ca", instant=dt.datetime(2026, 11, 30, 9)
    )
    livre = load_workbook(io.BytesIO(contenu))
    lignes = list(livre[exportation.CLASSEMENT].iter_rows(values_only=True))
    (i_entetes,) = [i for i, r in enumerate(lignes) if r and r[0] == "Rang"]
    entetes = list(lignes[i_entetes])
    assert ("Axe" in entetes, "Secteur" in entetes) == (not sans_axes_ni_secteurs,) * 2
    assert ("Par axe" in livre.sheetnames) is not sans_axes_ni_secteurs
    q1 = next(r for r in lignes[i_entetes + 1 :] if r[entetes.index("No de demande")] == "Q-1")
    assert q1[entetes.index("Priorités transversales")] == (
        "Protection de l'environnement ; Droits des femmes"
    )
    assert q1[entetes.index("Type de financement")] == "Projets ponctuels"
    premier_critere = appel.criteres[0].libelle.split(" ")[0]
    assert q1[entetes.index(premier_critere)] == 9.0
    # Le procès-verbal : des totaux par axe et par secteur seulement si l'appel en a.
    from evaluation.sorties.proces_verbal import ContenuProcesVerbal, proces_verbal

    page = proces_verbal(
        ContenuProcesVerbal(appel, table, dt.date(2026, 11, 30), ["Paule"], donnees.poids, "Paule")
    )
    assert "<h2>Totaux par région" in page
    assert ("<h2>Totaux par axe" in page) is not sans_axes_ni_secteurs
    assert ("<h2>Totaux par secteur" in page) is not sans_axes_ni_secteurs
