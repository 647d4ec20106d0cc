"""Les notes résumées (stockage/evaluations.py) : écrites avec les notes par chaque chemin
d'écriture, relues à l'identique de la table des notes (la référence), et, à défaut de
résumé, relues par la table des notes. Sur SQLite et PostgreSQL."""

import datetime as dt

import pandas as pd
import pytest

from evaluation.socle import stockage
from evaluation.socle.stockage.evaluations import _notes_depuis_resumes
from tests.socle.stockage.conftest import _demande

T = dt.datetime(2026, 11, 24, 9, 0)
CLES = ["demande_id", "evaluateur", "critere"]

# Des critères dont le nom porte les séparateurs du résumé et des caractères à échapper.
HOSTILES = ["a|b", "c;d", 'guillemet "x"', "accentué é", "nan"]


def _evaluation(appel_id, demande_id, evaluateur, statut="soumise"):
    return {
        "appel_id": appel_id,
        "demande_id": demande_id,
        "evaluateur": evaluateur,
        "statut": statut,
        "version": 1,
        "cree_le": T,
        "modifie_le": T,
    }


def _triees(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(CLES).reset_index(drop=True)


def _memes_notes(moteur, appel_id) -> pd.DataFrame:
    """Les notes soumises par les résumés, vérifiées égales à celles de la table des notes."""
    with moteur.connect() as c:
        par_resume = stockage.lire_notes_soumises(appel_id, connexion=c)
        reference = stockage.lire_notes_soumises_par_jointure(appel_id, connexion=c)
    pd.testing.assert_frame_equal(_triees(par_resume), _triees(reference))
    return _triees(par_resume)


@pytest.fixture
def ids(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        return stockage.inserer_demandes(
            appel.id, [_demande("A-1"), _demande("A-2"), _demande("A-3")], connexion=c
        )


def test_resume_relu_a_l_identique():
    notes = {"x": 7.25, "y": None, "z": 0.1 + 0.2, **dict.fromkeys(HOSTILES, 3.0)}
    resume = stockage.resume_des_notes(notes)
    relues = _notes_depuis_resumes([7], ["eva"], [resume])
    assert list(relues["critere"]) == list(notes)
    assert relues["note"].iloc[0] == 7.25
    assert pd.isna(relues["note"].iloc[1])
    assert relues["note"].iloc[2] == 0.1 + 0.2  # repr : aucun arrondi
    assert set(relues["demande_id"]) == {7} and set(relues["evaluateur"]) == {"eva"}


def test_resume_sans_note_ne_donne_aucune_ligne():
    relues = _notes_depuis_resumes(
        [1, 2], ["eva", "luc"], [stockage.resume_des_notes({}), stockage.resume_des_notes({})]
    )
    assert relues.empty
    assert list(relues.columns) == ["demande_id", "evaluateur", "critere", "note"]


def test_ecrire_evaluation_ecrit_le_resume_et_le_remplace(moteur, appel, ids):
    criteres = [c.id for c in appel.criteres]
    with moteur.begin() as c:
        premiere = stockage.ecrire_evaluation(
            _evaluation(appel.id, ids["A-1"], "eva"),
            {k: (float(i) + 0.5, "commentaire") for i, k in enumerate(criteres)},
            None,
            connexion=c,
        )
        stockage.ecrire_evaluation(
            _evaluation(appel.id, ids["A-2"], "eva"),
            {k: (4.0, None) for k in HOSTILES} | {criteres[0]: (None, None)},
            None,
            connexion=c,
        )
    notes = _memes_notes(moteur, appel.id)
    assert len(notes) == len(criteres) + len(HOSTILES) + 1
    # Réécrite avec un critère de moins et une autre note : le résumé suit.
    with moteur.begin() as c:
        stockage.ecrire_evaluation(
            _evaluation(appel.id, ids["A-1"], "eva"),
            {k: (9.0, None) for k in criteres[1:]},
            premiere,
            connexion=c,
        )
    notes = _memes_notes(moteur, appel.id)
    de_a1 = notes[notes["demande_id"] == ids["A-1"]]
    assert sorted(de_a1["critere"]) == sorted(criteres[1:])
    assert set(de_a1["note"]) == {9.0}


def test_brouillon_et_retiree_hors_des_notes_soumises(moteur, appel, ids):
    criteres = [c.id for c in appel.criteres]
    with moteur.begin() as c:
        for numero, statut in [("A-1", "soumise"), ("A-2", "brouillon"), ("A-3", "soumise")]:
            stockage.ecrire_evaluation(
                _evaluation(appel.id, ids[numero], "eva", statut),
                {k: (6.0, None) for k in criteres},
                None,
                connexion=c,
            )
        stockage.marquer_retrait(ids["A-3"], {"retiree_le": T, "retiree_par": "x"}, connexion=c)
    notes = _memes_notes(moteur, appel.id)
    assert set(notes["demande_id"]) == {ids["A-1"]}


def test_ecriture_en_masse_ecrit_les_resumes(moteur, appel, ids):
    criteres = [c.id for c in appel.criteres]
    with moteur.begin() as c:
        stockage.inserer_evaluations_en_masse(
            [_evaluation(appel.id, ids["A-1"], "eva"), _evaluation(appel.id, ids["A-2"], "luc")],
            [(ids["A-1"], "eva", k, float(i)) for i, k in enumerate(criteres)]
            + [(ids["A-2"], "luc", criteres[0], None)],
            connexion=c,
        )
        resumes = c.exec_driver_sql("SELECT notes_resumees FROM evaluations").scalars().all()
    assert None not in resumes
    notes = _memes_notes(moteur, appel.id)
    assert len(notes) == len(criteres) + 1


def test_sans_resume_les_notes_sont_lues_dans_leur_table(moteur, appel, ids):
    """Une évaluation écrite sans résumé (par un autre programme, ou avant la migration) :
    les notes sont relues dans leur table, jamais perdues."""
    criteres = [c.id for c in appel.criteres]
    with moteur.begin() as c:
        for numero in ("A-1", "A-2"):
            stockage.ecrire_evaluation(
                _evaluation(appel.id, ids[numero], "eva"),
                {k: (5.0, None) for k in criteres},
                None,
                connexion=c,
            )
        c.exec_driver_sql("UPDATE evaluations SET notes_resumees = NULL WHERE demande_id = 2")
        lues = stockage.lire_evaluations(
            appel.id, connexion=c, colonnes=("demande_id", "evaluateur", "statut", "notes_resumees")
        )
        depuis_evaluations = stockage.notes_soumises_des_evaluations(lues, appel.id, connexion=c)
    notes = _memes_notes(moteur, appel.id)
    assert len(notes) == 2 * len(criteres)
    pd.testing.assert_frame_equal(_triees(depuis_evaluations), notes)


def test_mettre_a_jour_resumes_de_toute_la_base(moteur, appel, ids):
    criteres = [c.id for c in appel.criteres]
    with moteur.begin() as c:
        stockage.ecrire_evaluation(
            _evaluation(appel.id, ids["A-1"], "eva"),
            {k: (5.0, None) for k in criteres},
            None,
            connexion=c,
        )
        c.exec_driver_sql("UPDATE notes SET note = 2.5")
        c.exec_driver_sql("UPDATE evaluations SET notes_resumees = 'périmé|[]'")
        stockage.mettre_a_jour_resumes(None, connexion=c)
    notes = _memes_notes(moteur, appel.id)
    assert set(notes["note"]) == {2.5} and len(notes) == len(criteres)


def test_critere_a_caractere_de_controle_lu_comme_la_table_des_notes(moteur, appel, ids):
    """La table des notes écrit un critère sans ses caractères de contrôle (« a\\x01b » →
    « ab ») ; le résumé l'écrit de même : classement et exportations parlent du même
    critère (revue de l'issue 14)."""
    with moteur.begin() as c:
        stockage.ecrire_evaluation(
            _evaluation(appel.id, ids["A-1"], "eva"),
            {"a\x01b": (4.0, None), "c\x1fd": (5.0, None)},
            None,
            connexion=c,
        )
    notes = _memes_notes(moteur, appel.id)
    assert sorted(notes["critere"]) == ["ab", "cd"]


def test_revenir_en_arriere_garde_evaluations_et_notes(moteur_sqlite, appel):
    """Revenir à la version livrée de référence (0001) ne recopie aucune table : sous
    SQLite, recopier demandes ou evaluations puis supprimer l'ancienne emportait, par ON
    DELETE CASCADE, les évaluations, les notes et les consultations (revue de l'issue 14).
    Puis la mise à jour rend les résumés."""
    from alembic import command

    from evaluation.socle.stockage import migration

    moteur = moteur_sqlite
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        ids = stockage.inserer_demandes(appel.id, [_demande("A-1")], connexion=c)
        stockage.ecrire_evaluation(
            _evaluation(appel.id, ids["A-1"], "eva"),
            {c.id: (4.0, "bien") for c in appel.criteres},
            None,
            connexion=c,
        )
    with moteur.begin() as c:
        command.downgrade(migration._configuration(c), migration.REVISION_REFERENCE)
    with moteur.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM demandes").scalar() == 1
        assert c.exec_driver_sql("SELECT count(*) FROM evaluations").scalar() == 1
        assert c.exec_driver_sql("SELECT count(*) FROM notes").scalar() == len(appel.criteres)
    migration.mettre_a_jour(moteur)
    assert len(_memes_notes(moteur, appel.id)) == len(appel.criteres)
