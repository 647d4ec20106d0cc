"""Parcours réel dans Chromium (issue 18, point 3) : l'évaluateur affiche la pièce jointe de
la demande dans la visionneuse (st.pdf, pdf.js livré avec streamlit-pdf), servie par le
serveur de l'application sans aucune requête ailleurs ni URL « data: », et la télécharge
octet pour octet."""

import io
import zipfile

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.importation_pieces import importer_pieces
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from evaluation.socle.roles import ANALYSTE
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.navigateur.conftest import attendre_fin, se_connecter

pytestmark = pytest.mark.navigateur
EVA = "eva@exemple.qc.ca"


def _pdf(texte: str) -> bytes:
    """Un PDF d'une page qui affiche `texte` (tables de renvois exactes)."""
    flux = f"BT /F1 18 Tf 30 100 Td ({texte}) Tj ET".encode("latin-1")
    objets = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(flux) + flux + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    sortie = bytearray(b"%PDF-1.4\n")
    positions = []
    for i, objet in enumerate(objets, 1):
        positions.append(len(sortie))
        sortie += b"%d 0 obj\n" % i + objet + b"\nendobj\n"
    renvois = len(sortie)
    sortie += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1)
    sortie += b"".join(b"%010d 00000 n \n" % p for p in positions)
    sortie += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objets) + 1,
        renvois,
    )
    return bytes(sortie)


PDF = _pdf("Resolution du conseil T-001")


@pytest.fixture
def moteur_serveur(base_serveur):
    """Les trois demandes du classeur valide, admissibles, et la résolution de T-001."""
    appel = charger_appel()
    moteur = stockage.creer_moteur(base_serveur)
    fichier = DONNEES / "formats" / "valide.xlsx"
    importer(verifier_lot([(fichier.name, fichier)], appel), appel, moteur=moteur)
    admettre(moteur, appel)
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("T-001 - Résolution.pdf", PDF)
    importer_pieces(
        appel, "pieces.zip", tampon.getvalue(), moteur=moteur, auteur="ana", role=ANALYSTE
    )
    yield moteur
    moteur.dispose()


def test_afficher_et_telecharger_la_piece_jointe(moteur_serveur, serveur, page):
    requetes: list[str] = []
    page.on("request", lambda r: requetes.append(r.url))
    page.goto(f"{serveur}/evaluation")
    attendre_fin(page)
    se_connecter(page, EVA)
    page.get_by_text("T-001 - Résolution.pdf").wait_for()
    # Dès l'ouverture de la visionneuse : la page elle-même demande l'icône de l'onglet à
    # fonts.gstatic.com (`page_icon=":material/…"` d'app.py), hors de cette vérification.
    requetes.clear()
    with page.expect_response(lambda r: "/media/" in r.url and r.url.endswith(".pdf")) as pdf:
        page.locator("[class*='st-key-piece_voir_'] button").click()
    assert pdf.value.ok
    attendre_fin(page)
    # pdf.js dessine la page dans une toile du composant (pas d'iframe « data: »).
    page.locator("canvas.react-pdf__Page__canvas").first.wait_for(timeout=30_000)
    ailleurs = [u for u in requetes if not u.startswith((serveur, "blob:"))]
    assert ailleurs == [], ailleurs
    with page.expect_download() as attente:
        page.locator("[class*='st-key-piece_telecharger_'] button").click()
    telechargement = attente.value
    assert telechargement.suggested_filename == "T-001 - Résolution.pdf"
    with open(telechargement.path(), "rb") as f:
        assert f.read() == PDF
