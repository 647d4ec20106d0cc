"""La règle des pièces jointes (issue 18, point 3) : une archive ZIP de PDF nommés par numéro
de demande se lit ; chaque membre de la famille des archives hostiles est refusé, en
français, en nommant l'archive, le fichier dans l'archive et quoi faire."""

from __future__ import annotations

import io
import re
import stat
import struct
import warnings
import zipfile

import pytest

from evaluation.depot.pieces_jointes import (
    LimitesPieces,
    lire_archive,
    numero_du_chemin,
    numero_exemple,
)
from evaluation.depot.validation import cle_numero

ARCHIVE = "pieces.zip"
NUMEROS = {"T-001", "T-002", "T-003", "PAIVMQ-2024-001", "PAIVMQ-2024-0011"}
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ANGLAIS = re.compile(
    r"\b(?:Error|Exception|Traceback|Bad|bad|zip file|invalid|encrypted|password|"
    r"unsupported|NotImplemented)\b"
)


def _zip(*entrees, methode=zipfile.ZIP_DEFLATED) -> bytes:
    """Une archive : chaque entrée est (nom ou ZipInfo, octets)."""
    tampon = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(tampon, "w", methode) as z:
        warnings.simplefilter("ignore")  # « Duplicate name » : voulu, pour un cas hostile
        for nom, contenu in entrees:
            z.writestr(nom, contenu)
    return tampon.getvalue()


def _info(nom: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(nom)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def _remplacer(contenu: bytes, avant: bytes, apres: bytes) -> bytes:
    """Remplace des octets du nom dans l'en-tête local et le répertoire central (même
    longueur : les tailles et les décalages restent justes)."""
    assert len(avant) == len(apres) and contenu.count(avant) == 2
    return contenu.replace(avant, apres)


def _central(contenu: bytes, rang: int) -> int:
    """Le décalage de la `rang`-ième entrée du répertoire central."""
    position = -1
    for _ in range(rang + 1):
        position = contenu.index(b"PK\x01\x02", position + 1)
    return position


def _chevauchement() -> bytes:
    """Deux entrées du répertoire central qui désignent les mêmes octets (Fifield)."""
    contenu = bytearray(_zip(("T-001.pdf", PDF), ("T-002.pdf", PDF)))
    second = _central(bytes(contenu), 1)
    contenu[second + 42 : second + 46] = struct.pack("<I", 0)
    return bytes(contenu)


def _methode_inconnue() -> bytes:
    contenu = bytearray(_zip(("T-001.pdf", PDF), methode=zipfile.ZIP_STORED))
    central = _central(bytes(contenu), 0)
    contenu[central + 10 : central + 12] = struct.pack("<H", 99)  # AES de WinZip
    return bytes(contenu)


def _chiffree() -> bytes:
    """Le drapeau « chiffré » de l'entrée (zipfile n'écrit pas d'archive chiffrée)."""
    contenu = bytearray(_zip(("T-001.pdf", PDF)))
    central = _central(bytes(contenu), 0)
    contenu[central + 8 : central + 10] = struct.pack("<H", 0x1)
    contenu[6:8] = struct.pack("<H", 0x1)
    return bytes(contenu)


def _bombe(taille: int) -> bytes:
    """Une entrée qui se décompresse en `taille` octets, écrite par morceaux."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z, z.open("T-001.pdf", "w") as f:
        f.write(b"%PDF-1.7\n")
        zeros = bytes(1024 * 1024)
        for _ in range(taille // len(zeros)):
            f.write(zeros)
    return tampon.getvalue()


def _taille_mensongere() -> bytes:
    """Un en-tête qui annonce moins d'octets que l'entrée n'en décompresse."""
    contenu = bytearray(_zip(("T-001.pdf", PDF + b" " * 5000)))
    central = _central(bytes(contenu), 0)
    contenu[central + 24 : central + 28] = struct.pack("<I", 100)
    return bytes(contenu)


def _crc_faux() -> bytes:
    contenu = bytearray(_zip(("T-001.pdf", PDF)))
    central = _central(bytes(contenu), 0)
    contenu[central + 16 : central + 20] = b"\0\0\0\0"
    return bytes(contenu)


def _zip_tronque() -> bytes:
    contenu = _zip(("T-001.pdf", PDF * 50))
    return contenu[: len(contenu) // 2]


# (cas, archive, limites, code attendu, fichier nommé dans le message ou None)
HOSTILES = [
    ("pas une archive", lambda: PDF, None, "pas_une_archive", None),
    ("archive vide", lambda: _zip(), None, "archive_sans_pdf", None),
    ("archive tronquée", _zip_tronque, None, "archive_illisible", None),
    (
        "archive trop grosse",
        lambda: _zip(("T-001.pdf", PDF)),
        LimitesPieces(archive_max=100),
        "archive_trop_grosse",
        None,
    ),
    (
        "bombe : taux de compression",
        lambda: _bombe(5 * 1024 * 1024),
        None,
        "archive_suspecte",
        "T-001.pdf",
    ),
    (
        "bombe : total annoncé",
        lambda: _zip(("T-001.pdf", PDF * 200), ("T-002.pdf", PDF * 200)),
        LimitesPieces(total_max=20_000),
        "archive_suspecte",
        None,
    ),
    ("bombe : entrées qui se chevauchent", _chevauchement, None, "archive_suspecte", None),
    ("somme de contrôle fausse", _crc_faux, None, "fichier_endommage", "T-001.pdf"),
    ("taille annoncée mensongère", _taille_mensongere, None, "archive_suspecte", "T-001.pdf"),
    (
        "trop de fichiers",
        lambda: _zip(*((f"T-00{i}.pdf", PDF) for i in range(1, 5))),
        LimitesPieces(fichiers_max=3),
        "trop_de_fichiers",
        None,
    ),
    ("traversée « ../ »", lambda: _zip(("../T-001.pdf", PDF)), None, "chemin_traversee", "../"),
    (
        "traversée dans un dossier",
        lambda: _zip(("T-001/../../T-001.pdf", PDF)),
        None,
        "chemin_traversee",
        "T-001/../../",
    ),
    ("chemin absolu", lambda: _zip(("/tmp/T-001.pdf", PDF)), None, "chemin_absolu", "/tmp/"),
    (
        "lecteur Windows",
        lambda: _zip(("C:/T-001.pdf", PDF)),
        None,
        "chemin_absolu",
        "C:/T-001.pdf",
    ),
    (
        "barre oblique inverse",
        lambda: _zip(("..\\T-001.pdf", PDF)),
        None,
        "chemin_antislash",
        "..\\T-001.pdf",
    ),
    (
        "caractère nul dans le nom",
        lambda: _remplacer(_zip(("T-001.pdfX.exe", PDF)), b"pdfX.exe", b"pdf\x00.exe"),
        None,
        "nom_illisible",
        "T-001.pdf",
    ),
    (
        "caractère de contrôle",
        lambda: _zip(("T-001\x07.pdf", PDF)),
        None,
        "nom_illisible",
        "T-001",
    ),
    (
        "forçage de direction dans le nom",
        lambda: _zip(("T-001 - \u202efdp.exe", PDF)),
        None,
        "nom_illisible",
        "T-001",
    ),
    (
        "nom trop long",
        lambda: _zip(("T-001 " + "x" * 300 + ".pdf", PDF)),
        None,
        "nom_trop_long",
        "T-001 x",
    ),
    (
        "lien symbolique",
        lambda: _zip((_info("T-001.pdf", stat.S_IFLNK | 0o777), b"/etc/passwd")),
        None,
        "lien_symbolique",
        "T-001.pdf",
    ),
    (
        "tube nommé",
        lambda: _zip((_info("T-001.pdf", stat.S_IFIFO | 0o644), PDF)),
        None,
        "fichier_special",
        "T-001.pdf",
    ),
    (
        "archive chiffrée",
        _chiffree,
        None,
        "chiffre",
        "T-001.pdf",
    ),
    ("méthode de compression inconnue", _methode_inconnue, None, "compression", "T-001.pdf"),
    (
        "archive dans l'archive (.zip)",
        lambda: _zip(("T-001.zip", _zip(("T-001.pdf", PDF)))),
        None,
        "archive_imbriquee",
        "T-001.zip",
    ),
    (
        "archive déguisée en PDF",
        lambda: _zip(("T-001.pdf", _zip(("T-001.pdf", PDF)))),
        None,
        "archive_imbriquee",
        "T-001.pdf",
    ),
    (
        "gzip déguisé en PDF",
        lambda: _zip(("T-001.pdf", b"\x1f\x8b\x08\x00" + bytes(40))),
        None,
        "archive_imbriquee",
        "T-001.pdf",
    ),
    (
        "image nommée .pdf",
        lambda: _zip(("T-001.pdf", b"\x89PNG\r\n\x1a\n" + bytes(40))),
        None,
        "pas_un_pdf",
        "T-001.pdf",
    ),
    (
        "document Word",
        lambda: _zip(("T-001.docx", _zip(("word/document.xml", b"<w/>")))),
        None,
        "pas_un_pdf",
        "T-001.docx",
    ),
    ("PDF vide", lambda: _zip(("T-001.pdf", b"")), None, "pdf_vide", "T-001.pdf"),
    (
        "PDF tronqué",
        lambda: _zip(("T-001.pdf", PDF[: PDF.index(b"%%EOF")])),
        None,
        "pdf_tronque",
        "T-001.pdf",
    ),
    (
        "en-tête PDF endommagé",
        lambda: _zip(("T-001.pdf", b"%PDF-x" + PDF[6:])),
        None,
        "pdf_endommage",
        "T-001.pdf",
    ),
    ("PDF nommé .txt", lambda: _zip(("T-001.txt", PDF)), None, "extension", "T-001.txt"),
    (
        "noms en double (dossiers)",
        lambda: _zip(("T-001.pdf", PDF), ("autre/T-001.pdf", PDF)),
        None,
        "nom_en_double",
        "autre/T-001.pdf",
    ),
    (
        "noms en double (casse)",
        lambda: _zip(("T-001 - Budget.pdf", PDF), ("t-001 - budget.PDF", PDF)),
        None,
        "nom_en_double",
        "t-001 - budget.PDF",
    ),
    (
        "même chemin deux fois",
        lambda: _zip(("T-002.pdf", PDF), ("T-002.pdf", PDF)),
        None,
        "nom_en_double",
        "T-002.pdf",
    ),
    ("numéro inconnu", lambda: _zip(("T-999.pdf", PDF)), None, "numero_inconnu", "T-999.pdf"),
    (
        "sans numéro",
        lambda: _zip(("Résolution.pdf", PDF)),
        None,
        "numero_inconnu",
        "Résolution.pdf",
    ),
    (
        "fichier trop gros",
        lambda: _zip(("T-001.pdf", PDF + b"%" * 2000 + b"\n%%EOF\n")),
        LimitesPieces(piece_max=1024),
        "piece_trop_grosse",
        "T-001.pdf",
    ),
    (
        "aucun PDF, seulement des fichiers écartés",
        lambda: _zip(("__MACOSX/._T-001.pdf", b"\x00\x05"), (".DS_Store", b"\x00")),
        None,
        "archive_sans_pdf",
        None,
    ),
]


@pytest.mark.parametrize(
    ("cas", "fabriquer", "limites", "code", "membre"), HOSTILES, ids=[h[0] for h in HOSTILES]
)
def test_chaque_archive_hostile_est_refusee_en_francais(cas, fabriquer, limites, code, membre):
    lecture = lire_archive(ARCHIVE, fabriquer(), NUMEROS, limites)
    assert not lecture.acceptable
    assert code in {r.code for r in lecture.refus}, [r.message for r in lecture.refus]
    for refus in lecture.refus:
        assert refus.message.startswith(ARCHIVE), refus.message
        assert not ANGLAIS.search(refus.message), refus.message
        assert len(refus.message) < 700
        # Chaque refus dit quoi faire : une seconde phrase après le constat.
        assert re.search(r"\. [A-ZÀ-Ý]", refus.message), refus.message
    refus = next(r for r in lecture.refus if r.code == code)
    if membre is not None:
        assert f"fichier « {membre}" in refus.message, refus.message


def test_un_seul_fichier_fautif_bloque_toute_l_archive():
    """Tout ou rien : des PDF valides et un fichier fautif ne donnent pas une archive
    acceptable ; le refus nomme le seul fichier fautif."""
    lecture = lire_archive(
        ARCHIVE,
        _zip(("T-001.pdf", PDF), ("T-002.pdf", PDF), ("lisez-moi.txt", b"Bonjour")),
        NUMEROS,
    )
    assert not lecture.acceptable
    assert [r.membre for r in lecture.refus] == ["lisez-moi.txt"]


def test_bombe_refusee_sans_tout_decompresser():
    """Une entrée qui se décompresserait en 300 Mo est refusée d'après son en-tête, avant
    d'être lue ; l'archive elle-même pèse quelques Mo."""
    contenu = _bombe(300 * 1024 * 1024)
    assert len(contenu) < 2 * 1024 * 1024
    lecture = lire_archive(ARCHIVE, contenu, NUMEROS)
    assert [r.code for r in lecture.refus] == ["archive_suspecte"]
    assert "200 Mo" in lecture.refus[0].message


def test_numero_inconnu_suggere_le_plus_proche():
    lecture = lire_archive(ARCHIVE, _zip(("T-0002.pdf", PDF)), NUMEROS)
    assert "vouliez-vous dire « T-002 »" in lecture.refus[0].message


def test_mille_numeros_inconnus_parmi_5000_demandes_vite_refuses(monkeypatch):
    """Chaque fichier est nommé dans un refus ; la suggestion, coûteuse (elle compare le nom
    aux 5 000 numéros), n'est cherchée que pour les premiers (`SUGGESTIONS_MAX`) : compté,
    pas chronométré."""
    from evaluation.depot import pieces_jointes

    cherchees = []
    vraie = pieces_jointes.suggerer

    def compter(*args, **kwargs):
        cherchees.append(args[0])
        return vraie(*args, **kwargs)

    monkeypatch.setattr(pieces_jointes, "suggerer", compter)
    numeros = {f"PAIVMQ-2024-{i:04d}" for i in range(5_000)}
    contenu = _zip(*((f"X-{i:04d}.pdf", PDF) for i in range(1_000)))
    lecture = lire_archive(ARCHIVE, contenu, numeros)
    assert len(cherchees) == pieces_jointes.SUGGESTIONS_MAX
    assert len(lecture.refus) == 1_000
    assert {r.code for r in lecture.refus} == {"numero_inconnu"}


# (chemin dans l'archive, numéro attendu, nom gardé)
VALIDES = [
    ("T-001.pdf", "T-001", "T-001.pdf"),
    ("T-002 - Résolution.pdf", "T-002", "T-002 - Résolution.pdf"),
    ("t-003_budget.PDF", "T-003", "t-003_budget.PDF"),
    ("T-001/Lettre d'appui.pdf", "T-001", "Lettre d'appui.pdf"),
    ("Pièces jointes/T-002/annexe.pdf", "T-002", "annexe.pdf"),
    ("Ｔ－００３ plan.pdf", "T-003", "Ｔ－００３ plan.pdf"),
    ("T\u2011001 \u2013 devis.pdf", "T-001", "T\u2011001 \u2013 devis.pdf"),
    ("PAIVMQ-2024-001.pdf", "PAIVMQ-2024-001", "PAIVMQ-2024-001.pdf"),
    ("PAIVMQ-2024-0011 - Résolution.pdf", "PAIVMQ-2024-0011", "PAIVMQ-2024-0011 - Résolution.pdf"),
    ("./PAIVMQ-2024-001/conseil.pdf", "PAIVMQ-2024-001", "conseil.pdf"),
]


@pytest.mark.parametrize(("chemin", "numero", "nom"), VALIDES, ids=[v[0] for v in VALIDES])
def test_pdf_rattache_a_sa_demande(chemin, numero, nom):
    lecture = lire_archive(ARCHIVE, _zip((chemin, PDF)), NUMEROS)
    assert lecture.acceptable, [r.message for r in lecture.refus]
    (piece,) = lecture.pieces
    assert (piece.no_demande, piece.nom_fichier, piece.contenu) == (numero, nom, PDF)
    assert len(piece.sha256) == 64 and piece.taille == len(PDF)


def test_numero_compare_comme_a_l_importation():
    """La même clé que `validation.cle_numero` : casse, pleine chasse, tirets."""
    numeros = {cle_numero(n): n for n in NUMEROS}
    for texte in ("t-001", "Ｔ－００１", "T\u2212001", " T-001 "):
        assert cle_numero(texte) == "t-001"
        assert numero_du_chemin([f"{texte}.pdf"], numeros) == "T-001"
    assert numero_du_chemin(["T-0010.pdf"], numeros) is None


def test_fichiers_caches_et_metadonnees_ecartes_et_nommes():
    lecture = lire_archive(
        ARCHIVE,
        _zip(
            ("T-001/", b""),
            ("T-001/T-001.pdf", PDF),
            ("__MACOSX/T-001/._T-001.pdf", b"\x00\x05\x16\x07"),
            (".DS_Store", b"\x00\x00"),
            ("T-001/Thumbs.db", b"\x00"),
            ("T-001/~$lettre.docx", b"\x00"),
        ),
        NUMEROS,
    )
    assert lecture.acceptable
    assert [p.nom_fichier for p in lecture.pieces] == ["T-001.pdf"]
    assert dict(lecture.ecartes) == {
        "__MACOSX/T-001/._T-001.pdf": "métadonnées de macOS (__MACOSX)",
        ".DS_Store": "fichier caché",
        "T-001/Thumbs.db": "fichier système de Windows",
        "T-001/~$lettre.docx": "fichier temporaire de Microsoft Office",
    }


@pytest.mark.parametrize(
    ("octets", "attendu"),
    [
        (b"R\x82solution", "Résolution"),  # CP437/CP850 de Windows, sans drapeau UTF-8
        ("Ré".encode() + b"solution", "Résolution"),  # UTF-8 de macOS, sans drapeau
        (b"\xb7 propos", "À propos"),  # CP850 (Windows en français) : « À »
    ],
)
def test_noms_sans_drapeau_utf8(octets, attendu):
    gabarit = b"X" * len(octets)
    contenu = _remplacer(_zip((f"T-001 - {gabarit.decode()}.pdf", PDF)), gabarit, octets)
    assert not zipfile.ZipFile(io.BytesIO(contenu)).infolist()[0].flag_bits & 0x800
    (piece,) = lire_archive(ARCHIVE, contenu, NUMEROS).pieces
    assert piece.nom_fichier == f"T-001 - {attendu}.pdf"


def test_nom_decompose_de_macos_recompose():
    (piece,) = lire_archive(ARCHIVE, _zip(("T-001 - Re\u0301solution.pdf", PDF)), NUMEROS).pieces
    assert piece.nom_fichier == "T-001 - Résolution.pdf"


def test_limites_annoncees_en_mo():
    limites = LimitesPieces()
    assert (limites.en_mo(limites.archive_max), limites.en_mo(limites.piece_max)) == ("50", "20")
    assert limites.en_mo(limites.total_max) == "200"


# --- Décompression sans borne de sortie (revue 18b) : seules Stored et Deflate passent ---


def _annonce(contenu: bytes, taille: int) -> bytes:
    """La taille décompressée annoncée réécrite (en-tête local et répertoire central)."""
    octets = bytearray(contenu)
    for signature, decalage in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        struct.pack_into("<I", octets, octets.find(signature) + decalage, taille)
    return bytes(octets)


def _grosse(methode: int, taille: int) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", methode) as z, z.open("T-001.pdf", "w") as f:
        f.write(b"%PDF-1.4\n")
        for _ in range(taille // (1 << 20)):
            f.write(bytes(1 << 20))
        f.write(b"\n%%EOF\n")
    return tampon.getvalue()


@pytest.mark.parametrize("methode", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "LZMA"])
@pytest.mark.parametrize("ment", [False, True], ids=["honnete", "annonce_1000_octets"])
def test_bzip2_et_lzma_refuses_sans_decompresser(methode, ment):
    """bzip2 et LZMA : zipfile (3.11) les décompresse sans borne de sortie (bombe de
    543 octets → 1 Go). Refusés par leur méthode, avant toute lecture, même un vrai PDF."""
    import tracemalloc

    contenu = _grosse(methode, 8 << 20) if ment else _zip(("T-001.pdf", PDF), methode=methode)
    if ment:
        contenu = _annonce(contenu, 1000)
    tracemalloc.start()
    lecture = lire_archive(ARCHIVE, contenu, NUMEROS)
    pic = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [r.code for r in lecture.refus] == ["compression"]
    message = lecture.refus[0].message
    assert "Deflate" in message and "Envoyer vers > Dossier compressé" in message, message
    assert not ANGLAIS.search(message), message
    assert pic < 4 << 20, pic


def test_deflate_qui_ment_sur_sa_taille_arrete_au_premier_morceau():
    """Deflate qui annonce 1 000 octets et en contient 19 Mo : la lecture s'arrête dès que la
    sortie dépasse l'annonce (un morceau de 1 Mo au plus), refusée comme bombe."""
    import tracemalloc

    contenu = _annonce(_grosse(zipfile.ZIP_DEFLATED, 19 << 20), 1000)
    tracemalloc.start()
    lecture = lire_archive(ARCHIVE, contenu, NUMEROS)
    pic = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [r.code for r in lecture.refus] == ["archive_suspecte"]
    assert "T-001.pdf" in lecture.refus[0].message
    assert pic < 4 << 20, pic


def test_taux_controle_meme_sous_un_mo():
    """Le taux est contrôlé pour toute entrée, pas seulement au-delà de 1 Mo."""
    contenu = _zip(("T-001.pdf", b"%PDF-1.4\n" + bytes(900_000) + b"\n%%EOF\n"))
    lecture = lire_archive(ARCHIVE, contenu, NUMEROS)
    assert [r.code for r in lecture.refus] == ["archive_suspecte"]


def test_stocke_et_deflate_acceptes_octets_verifies():
    for methode in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        lecture = lire_archive(ARCHIVE, _zip(("T-001.pdf", PDF), methode=methode), NUMEROS)
        assert lecture.acceptable and lecture.pieces[0].contenu == PDF


def test_manque_de_memoire_rendu_en_refus_francais(monkeypatch):
    from evaluation.depot import pieces_jointes

    def epuise(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(pieces_jointes, "_lire", epuise)
    lecture = lire_archive(ARCHIVE, _zip(("T-001.pdf", PDF)), NUMEROS)
    assert [r.code for r in lecture.refus] == ["memoire_insuffisante"]
    assert lecture.refus[0].message.startswith(ARCHIVE)
    assert "plusieurs archives" in lecture.refus[0].message


# --- Rattachement : jamais à la mauvaise demande sans refus (revue 18b) ---

NUMEROS_AB = {"T-001", "T-002", "T-001-A"}

# (chemin, code attendu)
RATTACHEMENTS_REFUSES = [
    ("T-001/T-999.pdf", "numero_inconnu"),  # numéro inconnu dans le nom : pas le dossier
    ("T-001/T-002 - Résolution.pdf", "numeros_contradictoires"),
    ("T-002/T-001.pdf", "numeros_contradictoires"),
    ("T-001-B.pdf", "numero_inconnu"),  # pas de repli sur le préfixe T-001
    ("T-001-B - Résolution.pdf", "numero_inconnu"),
    ("T-999/annexe.pdf", "numero_inconnu"),
]


@pytest.mark.parametrize(
    ("chemin", "code"), RATTACHEMENTS_REFUSES, ids=[r[0] for r in RATTACHEMENTS_REFUSES]
)
def test_rattachement_ambigu_refuse_et_nomme(chemin, code):
    lecture = lire_archive(ARCHIVE, _zip((chemin, PDF)), NUMEROS_AB)
    assert not lecture.pieces
    assert [(r.code, r.membre) for r in lecture.refus] == [(code, chemin)]
    assert not ANGLAIS.search(lecture.refus[0].message)
    if code == "numeros_contradictoires":
        assert "dossier de la demande" in lecture.refus[0].message


@pytest.mark.parametrize(
    ("chemin", "numero"),
    [
        ("T-001-A.pdf", "T-001-A"),
        ("T-001-A - Résolution.pdf", "T-001-A"),
        ("T-001/T-001 - Résolution.pdf", "T-001"),
        ("T-001-A/T-001-A_budget.pdf", "T-001-A"),
        ("T-001/Lettre 2024.pdf", "T-001"),
        ("PAIVMQ-2024/T-002/annexe.pdf", "T-002"),
        ("T-001_budget.pdf", "T-001"),
    ],
)
def test_rattachement_sans_ambiguite(chemin, numero):
    lecture = lire_archive(ARCHIVE, _zip((chemin, PDF)), NUMEROS_AB)
    assert lecture.acceptable, [r.message for r in lecture.refus]
    assert lecture.pieces[0].no_demande == numero


# --- Compte des entrées : le répertoire central seulement (revue 18b) ---


def _avec_commentaire(commentaire: bytes) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("T-001.pdf", PDF)
        z.comment = commentaire
    return tampon.getvalue()


def test_signatures_dans_le_commentaire_ne_comptent_pas_comme_fichiers():
    """Un commentaire plein de « PK\\x01\\x02 » (sous la limite) ne fait pas refuser une
    archive d'un seul fichier « trop_de_fichiers » ; ni des signatures dans les données."""
    contenu = _avec_commentaire(b"PK\x01\x02" * 1000)
    lecture = lire_archive(ARCHIVE, contenu, NUMEROS, LimitesPieces(fichiers_max=10))
    assert lecture.acceptable, [r.message for r in lecture.refus]
    donnees = PDF[:-7] + b"PK\x01\x02" * 50 + b"\n%%EOF\n"
    lecture = lire_archive(
        ARCHIVE,
        _zip(("T-001.pdf", donnees), methode=zipfile.ZIP_STORED),
        NUMEROS,
        LimitesPieces(fichiers_max=10),
    )
    assert lecture.acceptable, [r.message for r in lecture.refus]


def test_commentaire_demesure_refuse():
    lecture = lire_archive(ARCHIVE, _avec_commentaire(b"PK\x01\x02" * 16_000), NUMEROS)
    assert [r.code for r in lecture.refus] == ["commentaire_trop_long"]
    assert "64 000 octets" in lecture.refus[0].message.replace("\u00a0", " ")


def test_trop_de_fichiers_compte_encore_le_repertoire_central():
    contenu = _zip(*((f"T-001/p{i}.pdf", PDF) for i in range(12)))
    lecture = lire_archive(ARCHIVE, contenu, NUMEROS, LimitesPieces(fichiers_max=10))
    assert [r.code for r in lecture.refus] == ["trop_de_fichiers"]


# --- Noms : sosies de séparateurs et doublons en NFKC (revue 18b) ---


@pytest.mark.parametrize(
    "chemin",
    [
        "T-001／..／..／x.pdf",
        "T-001\u2215..\u2215x.pdf",
        "T-001 \u2044 x.pdf",
        "T-001 \u29f8 x.pdf",
        "T-001＼..＼x.pdf",
        "T-001\u2216x.pdf",
        "T-001\ufe68x.pdf",
    ],
)
def test_sosies_de_barre_oblique_refuses(chemin):
    lecture = lire_archive(ARCHIVE, _zip((chemin, PDF)), NUMEROS)
    assert [r.code for r in lecture.refus] == ["chemin_sosie"], [r.message for r in lecture.refus]
    assert "ressemble à une barre oblique" in lecture.refus[0].message


def test_noms_egaux_en_nfkc_sont_un_doublon():
    lecture = lire_archive(
        ARCHIVE, _zip(("T-001/ａ.pdf", PDF), ("T-001/a.pdf", PDF + b" ")), NUMEROS
    )
    assert [r.code for r in lecture.refus] == ["nom_en_double"]


def test_fraction_un_demi_reste_permise():
    lecture = lire_archive(ARCHIVE, _zip(("T-001 plan ½.pdf", PDF)), NUMEROS)
    assert lecture.acceptable, [r.message for r in lecture.refus]


@pytest.mark.parametrize(
    ("stocke", "servi"),
    [
        ("Résolution.pdf", "Résolution.pdf"),
        ("a／..／b.pdf", "a_.._b.pdf"),
        ("x\u2215y.pdf", "x_y.pdf"),
        ("dossier/page.pdf", "page.pdf"),
        ("\u202efdp.exe", "fdp.exe.pdf"),
        ("..", "piece.pdf"),
    ],
)
def test_nom_de_telechargement_nettoye(stocke, servi):
    from evaluation.depot.pieces_jointes import nom_de_telechargement

    assert nom_de_telechargement(stocke) == servi


def test_exemple_de_nommage_avec_les_numeros_de_l_appel():
    """Issue 18 : l'exemple de nommage donne un numéro de l'appel, jamais « PAIVMQ-2024-001 »
    pour un autre appel."""
    numeros = {"QSF-2026-007", "QSF-2026-002"}
    lecture = lire_archive(ARCHIVE, _zip(("Résolution.pdf", PDF)), numeros)
    (refus,) = lecture.refus
    texte = refus.message
    assert "« QSF-2026-002.pdf »" in texte and "PAIVMQ" not in texte
    vide = lire_archive(ARCHIVE, _zip(), iter(numeros))
    assert "QSF-2026-002 - Résolution.pdf" in vide.refus[0].message
    assert numero_exemple([], "qsf-modele") == "QSF-MODELE-001"
