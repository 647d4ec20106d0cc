"""L'importation des pièces jointes (issue 18, point 3), sur SQLite et PostgreSQL : tout ou
rien, journalisée (succès et refus), idempotente ; les pièces ne se lisent que par qui a
accès à la demande (attributions, conflits, admissibilité, rôle)."""

from __future__ import annotations

import io
import zipfile

import pytest

from evaluation.appels.parametres import archiver
from evaluation.depot.importation import importer
from evaluation.depot.importation_pieces import (
    OBJET_PIECE,
    OBJET_REFUS,
    AccesRefuse,
    PiecesRefusees,
    contenu_piece,
    importer_pieces,
    pieces_de_la_demande,
)
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.roles import ADMIN, ANALYSTE, EVALUATEUR, OBSERVATEUR
from tests.conftest import DONNEES
from tests.filtrage import admettre

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
AUTRE_PDF = b"%PDF-1.4\n% une autre version\n%%EOF\n"
ANA, EVA = "analyste@x.ca", "eva@x.ca"


def _zip(*entrees) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        for nom, contenu in entrees:
            z.writestr(nom, contenu)
    return tampon.getvalue()


@pytest.fixture
def ids(moteur, appel) -> dict[str, int]:
    """T-001 à T-003 importées ; T-001 et T-002 jugées admissibles."""
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        ids = stockage.ids_par_numero(appel.id, connexion=c)
    admettre(moteur, appel, [ids["T-001"], ids["T-002"]])
    return ids


def _importer(moteur, appel, contenu, nom="pieces.zip", role=ANALYSTE):
    return importer_pieces(appel, nom, contenu, moteur=moteur, auteur=ANA, role=role)


def _stockees(moteur, appel) -> list[tuple[str, str]]:
    with moteur.connect() as c:
        return [
            (p["no_demande"], p["nom_fichier"]) for p in stockage.lire_pieces(appel.id, connexion=c)
        ]


def _journal(moteur, appel, objet):
    with moteur.connect() as c:
        return stockage.lire_journal(connexion=c, appel_id=appel.id, objets=[objet])


def test_archive_importee_et_journalisee(moteur, appel, ids):
    compte_rendu = _importer(
        moteur,
        appel,
        _zip(
            ("T-001 - Résolution.pdf", PDF),
            ("T-002/Lettre d'appui.pdf", PDF),
            ("__MACOSX/._T-001 - Résolution.pdf", b"\x00"),
        ),
    )
    assert compte_rendu.ajoutees == [
        ("T-001", "T-001 - Résolution.pdf"),
        ("T-002", "Lettre d'appui.pdf"),
    ]
    assert compte_rendu.ecartes == [
        ("__MACOSX/._T-001 - Résolution.pdf", "métadonnées de macOS (__MACOSX)")
    ]
    assert "__MACOSX" in compte_rendu.texte()
    assert _stockees(moteur, appel) == [
        ("T-001", "T-001 - Résolution.pdf"),
        ("T-002", "Lettre d'appui.pdf"),
    ]
    journal = _journal(moteur, appel, OBJET_PIECE)
    assert sorted(journal["demande_id"].astype(int)) == sorted([ids["T-001"], ids["T-002"]])
    assert all(a == ANA for a in journal["auteur"])
    assert any("Résolution.pdf" in n and "pieces.zip" in n for n in journal["nouveau"])


def test_un_fichier_refuse_rien_n_est_ecrit_et_le_refus_est_journalise(moteur, appel, ids):
    with pytest.raises(PiecesRefusees) as refus:
        _importer(
            moteur,
            appel,
            _zip(("T-001.pdf", PDF), ("T-002.pdf", PDF), ("T-003.pdf", b"pas un PDF")),
        )
    assert [r.membre for r in refus.value.lecture.refus] == ["T-003.pdf"]
    assert _stockees(moteur, appel) == []
    assert _journal(moteur, appel, OBJET_PIECE).empty
    (ligne,) = _journal(moteur, appel, OBJET_REFUS).to_dict("records")
    assert "pieces.zip" in ligne["nouveau"] and "T-003.pdf" in ligne["nouveau"]
    assert ligne["auteur"] == ANA


def test_reimporter_n_ajoute_rien_une_nouvelle_version_s_ajoute(moteur, appel, ids):
    _importer(moteur, appel, _zip(("T-001.pdf", PDF), ("T-002.pdf", PDF)))
    meme = _importer(moteur, appel, _zip(("T-001.pdf", PDF), ("T-002.pdf", PDF)))
    assert meme.ajoutees == [] and meme.remplacees == []
    assert meme.inchangees == [("T-001", "T-001.pdf"), ("T-002", "T-002.pdf")]
    nouvelle = _importer(moteur, appel, _zip(("t-001.PDF", AUTRE_PDF)))
    assert nouvelle.remplacees == [("T-001", "t-001.PDF")]
    # L'ancienne version reste ; la nouvelle est celle qu'on lit.
    assert len(_stockees(moteur, appel)) == 3
    (piece,) = pieces_de_la_demande(appel, ids["T-001"], moteur=moteur, courriel=ANA, role=ANALYSTE)
    assert contenu_piece(appel, piece["id"], moteur=moteur, courriel=ANA, role=ANALYSTE) == (
        "t-001.PDF",
        AUTRE_PDF,
    )
    (remplacement,) = [
        x for x in _journal(moteur, appel, OBJET_PIECE).to_dict("records") if x["ancien"]
    ]
    assert "T-001.pdf" in remplacement["ancien"] and "t-001.PDF" in remplacement["nouveau"]


def test_nom_en_pleine_chasse_est_une_version_du_meme_nom(moteur, appel, ids):
    """Revue 18b : « ａ.pdf » (pleine chasse) et « a.pdf » sont le même nom (NFKC) d'une
    importation à l'autre : une nouvelle version, pas une seconde pièce."""
    _importer(moteur, appel, _zip(("T-001/a.pdf", PDF)))
    nouvelle = _importer(moteur, appel, _zip(("T-001/ａ.pdf", AUTRE_PDF)))
    assert nouvelle.ajoutees == [] and nouvelle.remplacees == [("T-001", "ａ.pdf")]
    assert (
        len(pieces_de_la_demande(appel, ids["T-001"], moteur=moteur, courriel=ANA, role=ANALYSTE))
        == 1
    )


def test_quota_par_demande_versions_comprises(moteur, appel, ids):
    """Revue 18b : chaque réimportation aux octets changés ajoute une version ; le nombre de
    pièces et le volume d'une demande sont bornés, versions comprises ; au-delà, rien n'est
    écrit et le refus nomme la demande et les limites."""
    from evaluation.depot.pieces_jointes import (
        PIECES_MAX_PAR_DEMANDE,
        VOLUME_MAX_PAR_DEMANDE,
        LimitesPieces,
    )

    assert (PIECES_MAX_PAR_DEMANDE, VOLUME_MAX_PAR_DEMANDE) == (20, 100 * 1024 * 1024)
    limites = LimitesPieces(pieces_par_demande=2)

    def importer_(*entrees):
        return importer_pieces(
            appel,
            "p.zip",
            _zip(*entrees),
            moteur=moteur,
            auteur=ANA,
            role=ANALYSTE,
            limites=limites,
        )

    importer_(("T-001.pdf", PDF), ("T-002.pdf", PDF))
    importer_(("T-001.pdf", AUTRE_PDF))  # 2 versions pour T-001 : permis
    with pytest.raises(PiecesRefusees) as refus:
        importer_(("T-001.pdf", PDF + b"%"), ("T-002/b.pdf", PDF))
    (message,) = [r.message for r in refus.value.lecture.refus]
    assert message.startswith("p.zip : la demande T-001 aurait 3 pièces"), message
    assert "limite de 2 pièces et 100 Mo par demande" in message
    assert len(_stockees(moteur, appel)) == 3  # rien de la dernière archive
    volume = LimitesPieces(volume_par_demande=len(PDF) + len(AUTRE_PDF))
    with pytest.raises(PiecesRefusees, match="la demande T-002 aurait 2 pièces"):
        importer_pieces(
            appel,
            "v.zip",
            _zip(("T-002/c.pdf", AUTRE_PDF + b" ")),
            moteur=moteur,
            auteur=ANA,
            role=ANALYSTE,
            limites=volume,
        )


@pytest.mark.parametrize("role", [EVALUATEUR, OBSERVATEUR, None])
def test_seuls_l_analyste_et_l_administration_importent(moteur, appel, ids, role):
    with pytest.raises(AccesRefuse):
        _importer(moteur, appel, _zip(("T-001.pdf", PDF)), role=role)
    assert _stockees(moteur, appel) == []


def test_appel_archive_refuse(moteur, appel, ids):
    archiver(appel.id, True, moteur=moteur, auteur="admin@x.ca")
    with pytest.raises(PiecesRefusees, match="archivé"):
        _importer(moteur, appel, _zip(("T-001.pdf", PDF)), role=ADMIN)
    assert _stockees(moteur, appel) == []


def test_l_evaluateur_lit_seulement_les_pieces_des_demandes_qu_il_evalue(moteur, appel, ids):
    creer_compte(EVA, EVALUATEUR, "cheval agrafe batterie correcte", moteur=moteur, nom="Éva")
    _importer(moteur, appel, _zip(("T-001.pdf", PDF), ("T-002.pdf", PDF), ("T-003.pdf", PDF)))
    lire = {"moteur": moteur, "courriel": EVA, "role": EVALUATEUR}
    (piece,) = pieces_de_la_demande(appel, ids["T-001"], **lire)
    assert contenu_piece(appel, piece["id"], **lire) == ("T-001.pdf", PDF)
    # T-003 n'est pas jugée admissible : elle ne s'évalue pas, ses pièces ne se lisent pas.
    with pytest.raises(AccesRefuse, match="admissibilité"):
        pieces_de_la_demande(appel, ids["T-003"], **lire)
    # Un conflit d'intérêts déclaré ferme la demande et ses pièces.
    (piece2,) = pieces_de_la_demande(appel, ids["T-002"], **lire)
    attributions.declarer_conflit(
        appel.id, ids["T-002"], EVA, "Ma sœur y travaille", moteur=moteur, auteur=EVA
    )
    with pytest.raises(AccesRefuse, match="conflit"):
        pieces_de_la_demande(appel, ids["T-002"], **lire)
    with pytest.raises(AccesRefuse, match="conflit"):
        contenu_piece(appel, piece2["id"], **lire)
    # Un observateur ne lit pas les pièces ; une pièce d'un autre appel n'existe pas ici.
    with pytest.raises(AccesRefuse):
        pieces_de_la_demande(
            appel, ids["T-001"], moteur=moteur, courriel="o@x.ca", role=OBSERVATEUR
        )
    with pytest.raises(AccesRefuse, match="n'existe pas"):
        contenu_piece(appel, piece["id"] + 1000, **lire)
