"""Vérification d'un lot sans rien écrire : refus en français, problèmes situés, rapport."""

import pytest

from tests.depot.test_lecture import _xlsx


def test_ramasse_miettes_retabli_meme_en_cas_d_erreur():
    import gc

    from evaluation.depot.verification import ramasse_miettes_suspendu

    assert gc.isenabled()
    with pytest.raises(RuntimeError), ramasse_miettes_suspendu():
        assert not gc.isenabled()
        raise RuntimeError("panne")
    assert gc.isenabled()
    gc.disable()
    try:
        with ramasse_miettes_suspendu():
            pass
        assert not gc.isenabled(), "un état désactivé par l'appelant reste désactivé"
    finally:
        gc.enable()


def test_erreur_imprevue_de_lecture_devient_un_refus(appel, monkeypatch, caplog):
    """Le refus est en français ; l'erreur de la bibliothèque va au journal, pas à l'écran."""
    import logging

    from evaluation.depot import verification

    caplog.set_level(logging.INFO, logger="evaluation.depot.verification")

    def lecture_qui_casse(*args, **kwargs):
        raise KeyError("structure inattendue")

    monkeypatch.setattr(verification, "lire_fichier", lecture_qui_casse)
    resultat = verification.verifier_lot([("etrange.xlsx", b"PK")], appel)
    (refus,) = resultat.problemes_fichiers
    assert refus.severite == "refus" and refus.code == "fichier_illisible"
    assert refus.message.startswith("etrange.xlsx : lecture impossible.")
    assert "KeyError" not in refus.message and "structure inattendue" not in refus.message
    assert "structure inattendue" in caplog.text


def test_message_d_erreur_de_base_court():
    import sqlalchemy as sa

    from evaluation.depot.verification import message_erreur

    erreur = sa.exc.DataError(
        "INSERT INTO demandes ... " + "x" * 10_000, {"p": 1}, ValueError("valeur trop longue")
    )
    assert message_erreur(erreur) == "ValueError : valeur trop longue"


def test_en_tetes_en_double_au_rapport_d_importation(appel):
    from evaluation.depot.rapport import texte_verification
    from evaluation.depot.verification import verifier_lot
    from evaluation.socle.probleme import AVERTISSEMENT

    lignes = [
        ["No de demande", "Municipalité requérante", "Titre du projet", "Titre"],
        ["A-1", "Rimouski", "premier", "second"],
    ]
    verification = verifier_lot([("d.xlsx", _xlsx({"Demandes": lignes}))], appel)
    (probleme,) = [p for p in verification.problemes if p.code == "entete_en_double"]
    assert (probleme.severite, probleme.feuille, probleme.ligne) == (AVERTISSEMENT, "Demandes", 1)
    assert probleme.colonne == "Titre du projet"
    assert "La colonne C est lue" in texte_verification(verification)


def test_le_lot_lance_la_lecture_du_fichier_suivant(appel, monkeypatch):
    """Pendant qu'un fichier est traité, la lecture du suivant tourne déjà (deux au plus) ;
    les noms en double restent distincts."""
    from evaluation.depot import verification
    from tests.conftest import DONNEES

    lancees, lus = [], []
    vraie_lecture = verification.lire_fichier

    class Espion(verification.Lancee):
        def __init__(self, nom, source, limites):
            lancees.append(nom)
            super().__init__(nom, source, limites)

    def lire(nom, source, *arguments, **options):
        lus.append((nom, list(lancees)))
        return vraie_lecture(nom, source, *arguments, **options)

    monkeypatch.setattr(verification, "Lancee", Espion)
    monkeypatch.setattr(verification, "lire_fichier", lire)
    valide = DONNEES / "formats" / "valide.xlsx"
    resultat = verification.verifier_lot(
        [("a.xlsx", valide), ("a.xlsx", valide), ("c.xlsx", b"%PDF-1.4")], appel
    )
    assert lus == [
        ("a.xlsx", ["a.xlsx", "a.xlsx (2)"]),
        ("a.xlsx (2)", ["a.xlsx", "a.xlsx (2)", "c.xlsx"]),
        ("c.xlsx", ["a.xlsx", "a.xlsx (2)", "c.xlsx"]),
    ]
    assert [p.fichier for p in resultat.problemes_fichiers if p.severite == "refus"] == ["c.xlsx"]
