"""Fabrique les modèles de lettres livrés (acceptation, liste d'attente, deux refus) avec
python-docx : `python donnees/modeles-lettres/fabriquer.py` les réécrit à côté de ce fichier.

Ce sont des modèles de départ : le ministère les ouvre dans Word, change l'en-tête (son
logo), les formules et la signature, et téléverse sa version dans la page « Lettres aux
demandeurs ». Les balises entre « {{ » et « }} » sont remplacées à la génération ; les
paragraphes « {%p … %} » et les rangées « {%tr … %} » répètent un paragraphe ou une rangée
de tableau (docxtpl). Balises permises : evaluation.sorties.lettres.VARIABLES.

Les phrases citées viennent de l'appel (../shared/reference, texte de l'appel PAIVMQ
2023-2024) :
- « L'engagement financier du gouvernement du Québec, sous réserve des prérogatives de
  l'Assemblée nationale au regard de l'adoption des crédits annuels, […] »
- « L'appui financier sera accordé au partenaire québécois du projet exclusivement. »
- « Les organisations dont les projets auront été sélectionnés s'engagent à produire un
  rapport financier et narratif sur le projet financé faisant notamment état des
  retombées escomptées. »
- « Le ministère […] conserve cependant la responsabilité de la sélection définitive des
  projets et de la détermination des sommes qui leur seront accordées. »
L'échéance du rapport n'est pas dans l'appel : la lettre renvoie à la convention d'aide
financière (formule du modèle, que le ministère ajuste).

Les fichiers sont écrits à l'identique d'une fois à l'autre (dates de l'archive et des
propriétés fixes) : leur empreinte, inscrite au journal à chaque génération, ne change que
si leur contenu change.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

DOSSIER = Path(__file__).resolve().parent
FIXE = dt.datetime(2024, 4, 1, 9, 0, 0)

RAPPORT = (
    "Comme le prévoit l'appel à projets, «\u00a0les organisations dont les projets auront été "
    "sélectionnés s'engagent à produire un rapport financier et narratif sur le projet "
    "financé faisant notamment état des retombées escomptées\u00a0». Ce rapport sera à remettre "
    "au ministère à la date fixée dans la convention d'aide financière."
)
CONDITIONS = (
    "L'engagement financier du gouvernement du Québec est pris sous réserve des prérogatives "
    "de l'Assemblée nationale au regard de l'adoption des crédits annuels.",
    "L'appui financier est accordé au partenaire québécois du projet exclusivement.",
    "Seules les dépenses admissibles énumérées dans l'appel à projets sont couvertes.",
    "Une convention d'aide financière, qui vous sera transmise, précisera les modalités de "
    "versement et de reddition de comptes.",
)
SALUTATION = (
    "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos sentiments distingués."
)
QUESTIONS = (
    "Pour toute question, vous pouvez communiquer avec l'équipe du programme en rappelant le "
    "numéro de votre demande, {{ no_demande }}."
)


def _document() -> Document:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(27.94), Cm(21.59)  # Lettre
    for cote in ("left_margin", "right_margin"):
        setattr(section, cote, Cm(2.5))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1

    # En-tête : le ministère remplace ces deux lignes par son papier à en-tête (logo).
    entete = section.header.paragraphs[0]
    nom = entete.add_run("{{ organisme }}")
    nom.bold = True
    nom.font.size = Pt(12)
    programme = section.header.add_paragraph()
    ligne = programme.add_run("{{ programme }}")
    ligne.font.size = Pt(9)
    ligne.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    pied = section.footer.paragraphs[0]
    pied.alignment = WD_ALIGN_PARAGRAPH.CENTER
    texte = pied.add_run("{{ appel }} · demande {{ no_demande }}")
    texte.font.size = Pt(8)
    texte.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    date = document.add_paragraph("Québec, le {{ date }}")
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date.paragraph_format.space_after = Pt(18)
    document.add_paragraph("{{ demandeur }}").paragraph_format.space_after = Pt(0)
    document.add_paragraph("{%p if contact %}")
    document.add_paragraph("Personne-ressource : {{ contact }}")
    document.add_paragraph("{%p endif %}")
    objet = document.add_paragraph()
    objet.paragraph_format.space_before = Pt(18)
    objet.paragraph_format.space_after = Pt(0)
    objet.add_run("Objet\u00a0: ").bold = True
    objet.add_run("Demande {{ no_demande }} — {{ titre }}").bold = True
    sous = document.add_paragraph("{{ programme }}")
    sous.paragraph_format.left_indent = Cm(1.6)
    sous.paragraph_format.space_after = Pt(18)
    document.add_paragraph("Madame, Monsieur,")
    return document


def _puces(document: Document, boucle: str, element: str, fin: str = "{%p endfor %}") -> None:
    document.add_paragraph(boucle)
    document.add_paragraph(element, style="List Bullet")
    document.add_paragraph(fin)


def _intertitre(document: Document, texte: str) -> None:
    p = document.add_paragraph()
    p.paragraph_format.space_before = Pt(12)
    p.paragraph_format.keep_with_next = True
    p.add_run(texte).bold = True


def _raison_du_ministere(document: Document) -> None:
    """La raison que le ministère a donnée en modifiant la recommandation du comité (vide,
    et le paragraphe absent, quand il l'a approuvée telle quelle)."""
    document.add_paragraph("{%p if raison_du_ministere %}")
    document.add_paragraph("Le ministère motive ainsi sa décision\u00a0: {{ raison_du_ministere }}")
    document.add_paragraph("{%p endif %}")


def _fin(document: Document) -> None:
    document.add_paragraph(QUESTIONS)
    document.add_paragraph(SALUTATION)
    # Le nom de l'autorité qui a décidé (la décision du ministère) ; le ministère ajoute sa
    # fonction, ou la remplace par un nom fixe, dans Word.
    signature = document.add_paragraph()
    signature.paragraph_format.space_before = Pt(36)
    signature.paragraph_format.keep_together = True
    signature.paragraph_format.space_after = Pt(0)
    signature.add_run("{{ signataire }}")
    document.add_paragraph("{{ organisme }}")


def acceptation() -> Document:
    document = _document()
    document.add_paragraph(
        "Nous avons le plaisir de vous informer que votre projet "
        "«\u00a0{{ titre }}\u00a0», présenté "
        "dans le cadre de l'appel à projets {{ appel }}, a été retenu. Le ministère vous "
        "accorde une aide financière d'un montant maximal de {{ montant_total }}, répartie "
        "comme suit :"
    )
    _puces(
        document,
        "{%p for m in montants %}",
        "année financière {{ m.annee }} : {{ m.montant }}",
    )
    _raison_du_ministere(document)
    _intertitre(document, "Conditions")
    document.add_paragraph("Cette aide financière est accordée aux conditions suivantes :")
    for condition in CONDITIONS:
        document.add_paragraph(condition, style="List Bullet")
    _intertitre(document, "Rapport financier et narratif")
    document.add_paragraph(RAPPORT)
    document.add_paragraph(
        "Nous vous félicitons pour la qualité de votre projet et vous souhaitons plein succès "
        "dans sa réalisation."
    )
    _fin(document)
    return document


def liste_attente() -> Document:
    document = _document()
    document.add_paragraph(
        "Nous vous informons que votre projet «\u00a0{{ titre }}\u00a0», présenté dans le cadre de "
        "l'appel à projets {{ appel }}, a été inscrit sur la liste d'attente au terme de "
        "l'évaluation."
    )
    _raison_du_ministere(document)
    document.add_paragraph(
        "Les projets de la liste d'attente pourront être financés si des sommes se libèrent "
        "dans l'enveloppe de l'appel à projets. Nous communiquerons avec vous si votre projet "
        "peut l'être. La présente lettre ne constitue pas un engagement financier du "
        "ministère."
    )
    _fin(document)
    return document


def refus_inadmissible() -> Document:
    document = _document()
    document.add_paragraph(
        "Nous avons le regret de vous informer que votre projet "
        "«\u00a0{{ titre }}\u00a0», présenté "
        "dans le cadre de l'appel à projets {{ appel }}, ne peut pas être retenu : la demande "
        "ne satisfait pas aux critères d'admissibilité de l'appel à projets."
    )
    document.add_paragraph("L'examen d'admissibilité de votre demande a relevé ce qui suit :")
    _puces(document, "{%p for r in raisons %}", "{{ r }}")
    document.add_paragraph(
        "Une demande non admissible n'est pas soumise à l'évaluation du comité de sélection. "
        "Nous vous invitons à prendre connaissance des critères d'admissibilité du programme "
        "en vue d'un prochain appel à projets."
    )
    _fin(document)
    return document


def refus_sous_la_ligne() -> Document:
    document = _document()
    document.add_paragraph(
        "Nous avons le regret de vous informer que votre projet "
        "«\u00a0{{ titre }}\u00a0», présenté "
        "dans le cadre de l'appel à projets {{ appel }}, n'a pas été retenu pour un "
        "financement."
    )
    # Le comité avait recommandé le projet, le ministère l'a refusé : ni « sous la ligne »
    # ni « enveloppe », la raison du ministère suit.
    document.add_paragraph("{%p if refus_du_ministere %}")
    document.add_paragraph(
        "Votre projet a été évalué selon les critères de l'appel à projets et a obtenu une "
        "note globale de {{ total }} sur {{ total_sur }}. Le comité d'évaluation en avait "
        "recommandé le financement ; le ministère, qui conserve la responsabilité de la "
        "sélection définitive des projets, ne l'a pas retenu."
    )
    document.add_paragraph("{%p else %}")
    document.add_paragraph(
        "Votre projet a été évalué selon les critères de l'appel à projets et a obtenu une "
        "note globale de {{ total }} sur {{ total_sur }}. Au terme de l'évaluation, et compte "
        "tenu de l'enveloppe disponible, il n'a pas été retenu."
    )
    document.add_paragraph("{%p endif %}")
    _raison_du_ministere(document)
    _intertitre(document, "Note obtenue pour chaque critère")
    tableau = document.add_table(rows=4, cols=2)
    tableau.style = "Table Grid"
    tableau.rows[0].cells[0].text = "Critère"
    tableau.rows[0].cells[1].text = "Note"
    for cellule in tableau.rows[0].cells:
        cellule.paragraphs[0].runs[0].bold = True
    tableau.rows[1].cells[0].text = "{%tr for c in criteres %}"
    tableau.rows[2].cells[0].text = "{{ c.libelle }}"
    tableau.rows[2].cells[1].text = "{{ c.note }} / {{ c.sur }}"
    tableau.rows[3].cells[0].text = "{%tr endfor %}"
    tableau.autofit = False
    tableau.columns[0].width, tableau.columns[1].width = Cm(13.0), Cm(3.5)
    for rangee in tableau.rows:
        rangee.cells[0].width, rangee.cells[1].width = Cm(13.0), Cm(3.5)
        rangee.cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph("{%p if commentaires %}")
    _intertitre(document, "Commentaires du comité d'évaluation")
    document.add_paragraph(
        "Les commentaires des évaluateurs sur votre demande, regroupés par critère :"
    )
    _puces(document, "{%p for c in commentaires %}", "{{ c.critere }} : {{ c.texte }}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph(
        "Nous espérons que ces commentaires vous seront utiles et vous invitons à présenter "
        "un projet lors d'un prochain appel à projets."
    )
    _fin(document)
    return document


MODELES = {
    "acceptation": acceptation,
    "liste-attente": liste_attente,
    "refus-inadmissible": refus_inadmissible,
    "refus-sous-la-ligne": refus_sous_la_ligne,
}


def en_octets(document: Document) -> bytes:
    """Le DOCX, écrit à l'identique d'une fois à l'autre (dates fixes)."""
    proprietes = document.core_properties
    proprietes.author = "Ministère"
    proprietes.last_modified_by = "Ministère"
    proprietes.created = proprietes.modified = FIXE
    proprietes.revision = 1
    brut = io.BytesIO()
    document.save(brut)
    sortie = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(brut.getvalue())) as source,
        zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible,
    ):
        for info in source.infolist():
            copie = zipfile.ZipInfo(info.filename, date_time=FIXE.timetuple()[:6])
            copie.compress_type = zipfile.ZIP_DEFLATED
            copie.external_attr = 0o644 << 16
            cible.writestr(copie, source.read(info))
    return sortie.getvalue()


def fabriquer(dossier: Path = DOSSIER) -> list[Path]:
    ecrits = []
    for genre, fabrique in MODELES.items():
        chemin = dossier / f"{genre}.docx"
        chemin.write_bytes(en_octets(fabrique()))
        ecrits.append(chemin)
    return ecrits


if __name__ == "__main__":
    for chemin in fabriquer(Path(sys.argv[1]) if len(sys.argv) > 1 else DOSSIER):
        print(chemin)
