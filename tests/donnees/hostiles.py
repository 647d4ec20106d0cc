"""Fichiers hostiles fabriqués en code : chacun déclare ou implique une grille démesurée, ou
trompe un lecteur de classeurs, en quelques Ko.

``CAS_HOSTILES`` les décrit tous (nom, fabrique, codes de refus attendus) ; ``generer.py``
écrit les petits dans ``refus/`` et les tests fabriquent les autres à la volée. Les fabriques
n'utilisent que la bibliothèque standard, sauf les .xls, modifiés avec olefile à partir de
``formats/valide.xls``, et la cellule isolée, ajoutée avec openpyxl à ``formats/valide.xlsx``.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evaluation.depot.classeurs import lettres_colonne

DOSSIER = Path(__file__).resolve().parent

# --- xlsx minimal --------------------------------------------------------------------------

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
    '/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
    'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd'
    '.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl'
    '/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
PARTIES_MINIMALES = {
    "[Content_Types].xml": _TYPES,
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
        'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
        f'{NS_R}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{NS_R}"><sheets>'
        '<sheet name="Demandes" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxml'
        'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
        f'{NS_R}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="'
        f'{NS_R}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}
# Une ligne d'en-têtes du gabarit, pour que le reste du fichier soit bien lu comme un tableau.
EN_TETE = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>No de demande</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Municipalité requérante</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Titre du projet</t></is></c></row>'
)


def feuille_xml(lignes: str, avant: str = "", apres: str = "") -> str:
    """Le XML d'une feuille : `lignes` dans <sheetData>, `avant` et `apres` autour."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{avant}<sheetData>{lignes}'
        f"</sheetData>{apres}</worksheet>"
    )


def xlsx(feuille: str | bytes, autres: dict[str, str | bytes] | None = None) -> bytes:
    """Un classeur d'une feuille « Demandes » dont le XML est `feuille`."""
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as z:
        for nom, texte in PARTIES_MINIMALES.items():
            z.writestr(nom, texte)
        z.writestr("xl/worksheets/sheet1.xml", feuille)
        for nom, texte in (autres or {}).items():
            z.writestr(nom, texte)
    return sortie.getvalue()


def cellule(ref: str, valeur: int = 1) -> str:
    return f'<c r="{ref}"><v>{valeur}</v></c>'


def valide_plus_une_cellule(ref: str) -> bytes:
    """Le classeur valide du gabarit, plus une seule cellule remplie en `ref` : la forme la
    plus simple de la feuille démesurée (une frappe égarée au bout de la feuille)."""
    from openpyxl import load_workbook

    classeur = load_workbook(DOSSIER / "formats" / "valide.xlsx")
    classeur["Demandes"][ref] = "x"
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def textes_partages(texte: str, renvois: int) -> bytes:
    """Un texte partagé renvoyé par `renvois` cellules : calamine le copie dans chacune."""
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{renvois}" uniqueCount="1">'
        f"<si><t>{texte}</t></si></sst>"
    )
    lignes = "".join(
        f'<row r="{i + 2}"><c r="A{i + 2}" t="s"><v>0</v></c></row>' for i in range(renvois)
    )
    return xlsx(feuille_xml(EN_TETE + lignes), {"xl/sharedStrings.xml": sst})


def texte_partage_par_millions(lignes: int = 99_990, colonnes: int = 20) -> bytes:
    """Deux millions de cellules qui renvoient chacune au même texte partagé de 100
    caractères : chaque feuille reste sous ses limites (cellules, texte permis par cellule),
    mais le fichier lu pèserait 200 millions de caractères, le double du plus gros fichier
    attendu (revue de l'issue 14 : 1,2 Go pour le serveur avant la borne de la réponse)."""
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{lignes * colonnes}" '
        f'uniqueCount="1"><si><t>{"a" * 100}</t></si></sst>'
    )
    refs = [lettres_colonne(j) for j in range(colonnes)]
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        for chemin, texte in PARTIES_MINIMALES.items():
            archive.writestr(chemin, texte)
        archive.writestr("xl/sharedStrings.xml", sst)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as feuille:
            debut = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'
            feuille.write((debut + EN_TETE).encode())
            for i in range(2, lignes + 2):
                cellules = "".join(f'<c r="{r}{i}" t="s"><v>0</v></c>' for r in refs)
                feuille.write(f'<row r="{i}">{cellules}</row>'.encode())
            feuille.write(b"</sheetData></worksheet>")
    return tampon.getvalue()


def texte_partage_geant(caracteres: int = 45_000_000) -> bytes:
    """Un seul texte partagé de 45 millions de caractères, compressé environ 80 pour 1 (sous
    le taux qui trahit une bombe) : calamine le charge en entier à l'ouverture."""
    hasard = random.Random(12)
    bloc = "".join(hasard.choice("abcdefghij") for _ in range(20_000))
    morceaux, total = [], 0
    while total < caracteres:
        morceau = bloc + "".join(hasard.choice("klmnopqrst") for _ in range(200))
        morceaux.append(morceau)
        total += len(morceau)
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="1" uniqueCount="1"><si><t>'
        + "".join(morceaux)
        + "</t></si></sst>"
    )
    return xlsx(feuille_xml(EN_TETE), {"xl/sharedStrings.xml": sst})


def hybride_ods_xlsx() -> bytes:
    """Une archive à la fois ods (mimetype, content.xml anodin) et xlsx (une cellule en
    XFD1048576) : calamine essaie xlsx d'abord."""
    ods_anodin = zipfile.ZipFile(io.BytesIO(ods(table("Demandes", EN_TETE_ODS))))
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as z:
        for info in ods_anodin.infolist():
            z.writestr(info, ods_anodin.read(info))
        for nom, texte in PARTIES_MINIMALES.items():
            z.writestr(nom, texte)
        z.writestr(
            "xl/worksheets/sheet1.xml",
            feuille_xml(EN_TETE + '<row r="1048576">' + cellule("XFD1048576") + "</row>"),
        )
    return sortie.getvalue()


def parties_par_milliers(nombre: int = 2_500) -> bytes:
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_STORED) as z:
        for nom, texte in PARTIES_MINIMALES.items():
            z.writestr(nom, texte)
        z.writestr("xl/worksheets/sheet1.xml", feuille_xml(EN_TETE))
        for i in range(nombre):
            z.writestr(f"x/{i}", b"")
    return sortie.getvalue()


def xlsb_deguise() -> bytes:
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return sortie.getvalue()


# --- ods minimal ---------------------------------------------------------------------------

_MANIFESTE = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:'
    'tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
    'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
    'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type='
    '"text/xml"/></manifest:manifest>'
)
_NS_ODS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)
_MASQUEE = (
    '<style:style style:name="ta2" style:family="table"><style:table-properties '
    'table:display="false"/></style:style>'
)
VALEUR = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'  # noqa: E501
TEXTE = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
EN_TETE_ODS = (
    "<table:table-row>"
    + "".join(
        TEXTE.format(e) for e in ("No de demande", "Municipalité requérante", "Titre du projet")
    )
    + "</table:table-row>"
)


def ods(*feuilles: str) -> bytes:
    """Un classeur OpenDocument dont content.xml porte les `feuilles` (<table:table>)."""
    contenu = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS_ODS} '
        f'office:version="1.2"><office:automatic-styles>{_MASQUEE}</office:automatic-styles>'
        f"<office:body><office:spreadsheet>{''.join(feuilles)}</office:spreadsheet>"
        "</office:body></office:document-content>"
    )
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", _MANIFESTE, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", contenu, zipfile.ZIP_DEFLATED)
    return sortie.getvalue()


def table(nom: str, lignes: str, masquee: bool = False) -> str:
    style = ' table:style-name="ta2"' if masquee else ""
    return f'<table:table table:name="{nom}"{style}>{lignes}</table:table>'


def ligne(cellules: str, repetee: int | None = None) -> str:
    attribut = f' table:number-rows-repeated="{repetee}"' if repetee else ""
    return f"<table:table-row{attribut}>{cellules}</table:table-row>"


def vides(n: int) -> str:
    return f'<table:table-cell table:number-columns-repeated="{n}"/>'


def valeur_repetee(n: int, balise: str = "table:table-cell") -> str:
    return (
        f'<{balise} office:value-type="float" office:value="1" '
        f'table:number-columns-repeated="{n}"/>'
    )


def lignes_vides_finales() -> bytes:
    """Ce que LibreOffice écrit au bas de toute feuille : des lignes vides répétées jusqu'à la
    dernière ligne, des cellules vides répétées jusqu'à la dernière colonne. Rien à refuser."""
    donnees = ligne(
        TEXTE.format("T-001") + TEXTE.format("Rimouski") + TEXTE.format("Un titre") + vides(1021)
    )
    return ods(table("Demandes", EN_TETE_ODS + donnees + ligne(vides(1024), 1_048_574)))


# --- xls (modifiés à partir de formats/valide.xls) ----------------------------------------

_CELLULES_XLS = {0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006}


def xls_modifie(modifier: Callable[[bytearray, int], None]) -> bytes:
    """formats/valide.xls dont le flux Workbook est modifié en place par `modifier(flux,
    début de la première feuille)` (même taille : olefile réécrit le flux sans le déplacer)."""
    import olefile

    tampon = io.BytesIO((DOSSIER / "formats" / "valide.xls").read_bytes())
    ole = olefile.OleFileIO(tampon, write_mode=True)
    flux = bytearray(ole.openstream("Workbook").read())
    premiere = next(d for t, d, _ in _enregistrements(flux, 0) if t == 0x0085)
    modifier(flux, struct.unpack_from("<I", flux, premiere)[0])
    ole.write_stream("Workbook", bytes(flux))
    ole.close()
    return tampon.getvalue()


def _enregistrements(flux, debut: int):
    i = debut
    while i + 4 <= len(flux):
        typ, taille = struct.unpack_from("<HH", flux, i)
        yield typ, i + 4, taille
        i += 4 + taille


def _premiere_cellule(flux, debut: int) -> int:
    return next(d for t, d, _ in _enregistrements(flux, debut) if t in _CELLULES_XLS)


def xls_cellule_lointaine(ligne: int, colonne: int) -> bytes:
    """La première cellule de la feuille Demandes déplacée en (ligne, colonne)."""

    def modifier(flux, debut):
        struct.pack_into("<HH", flux, _premiere_cellule(flux, debut), ligne, colonne)

    return xls_modifie(modifier)


def xls_dimensions(lignes: int) -> bytes:
    """L'enregistrement DIMENSIONS de la feuille annonce `lignes` lignes (calamine réserve la
    place qu'il annonce)."""

    def modifier(flux, debut):
        d, taille = next((d, n) for t, d, n in _enregistrements(flux, debut) if t == 0x0200)
        if taille == 14:
            struct.pack_into("<I", flux, d + 4, lignes)
        else:
            struct.pack_into("<H", flux, d + 2, min(lignes, 0xFFFF))

    return xls_modifie(modifier)


def xls_textes_annonces(nombre: int = 0x7FFFFFFF) -> bytes:
    """La table des textes (SST) en annonce deux milliards : calamine réserverait leur place."""

    def modifier(flux, _debut):
        d = next(d for t, d, _ in _enregistrements(flux, 0) if t == 0x00FC)
        struct.pack_into("<i", flux, d + 4, nombre)

    return xls_modifie(modifier)


# --- csv -----------------------------------------------------------------------------------

EN_TETE_CSV = "No de demande;Municipalité requérante;Titre du projet\n"


def csv_champ_geant(caracteres: int = 40_000) -> bytes:
    return (EN_TETE_CSV + f"T-001;Rimouski;{'x' * caracteres}\n").encode()


def csv_guillemet_ouvert(caracteres: int = 40_000) -> bytes:
    return (EN_TETE_CSV + 'T-001;Rimouski;"Titre' + " suite" * (caracteres // 6)).encode()


def csv_colonnes(n: int = 5_000) -> bytes:
    return (EN_TETE_CSV + "T-001;Rimouski;Titre" + ";" * n + "\n").encode()


def csv_lignes(n: int = 250_001) -> bytes:
    return (EN_TETE_CSV + "T;R;T\n" * n).encode()


# --- Le catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class CasHostile:
    nom: str
    fabriquer: Callable[[], bytes]
    codes: frozenset[str]
    petit: bool = True  # écrit dans refus/ par generer.py
    explication: str = ""


def _cas(nom, fabriquer, *codes, petit=True, explication=""):
    return CasHostile(nom, fabriquer, frozenset(codes), petit, explication)


LIGNE_LOINTAINE = '<row r="1048576">{}</row>'
CAS_HOSTILES: list[CasHostile] = [
    _cas(
        "creuse-xfd1048576.xlsx",
        lambda: valide_plus_une_cellule("XFD1048576"),
        "trop_de_lignes",
        explication="le classeur valide et une cellule en XFD1048576 (512 Go pour calamine)",
    ),
    _cas(
        "creuse-x1048576.xlsx",
        lambda: valide_plus_une_cellule("X1048576"),
        "trop_de_lignes",
        explication="une cellule en X1048576 (1,2 Go)",
    ),
    _cas(
        "colonne-xfd.xlsx",
        lambda: xlsx(feuille_xml(EN_TETE + '<row r="2">' + cellule("XFD2") + "</row>")),
        "trop_de_colonnes",
        explication="une cellule en colonne XFD",
    ),
    _cas(
        "grille-5-millions.xlsx",
        lambda: xlsx(feuille_xml(EN_TETE + '<row r="5000">' + cellule("ALL5000") + "</row>")),
        "trop_de_cellules",
        explication="5 000 lignes × 1 000 colonnes, chacune sous sa limite",
    ),
    _cas(
        "cellule-sans-reference.xlsx",
        lambda: xlsx(feuille_xml(EN_TETE + LIGNE_LOINTAINE.format("<c><v>1</v></c>"))),
        "trop_de_lignes",
        explication="une ligne r=1048576 dont la cellule n'a pas de référence",
    ),
    _cas(
        "reference-en-double.xlsx",
        lambda: xlsx(
            feuille_xml(EN_TETE + '<row r="2"><c r="A2" r="XFD1048576"><v>1</v></c></row>')
        ),
        "fichier_illisible",
        explication="une cellule à deux attributs r",
    ),
    _cas(
        "prefixe.xlsx",
        lambda: xlsx(
            f'<?xml version="1.0"?><x:worksheet xmlns:x="{NS[7:-1]}"><x:sheetData>'
            '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
            "</x:sheetData></x:worksheet>"
        ),
        "trop_de_lignes",
        explication="des balises préfixées (x:c), que calamine lit aussi",
    ),
    _cas(
        "minuscules.xlsx",
        lambda: xlsx(feuille_xml(EN_TETE + LIGNE_LOINTAINE.format(cellule("xfd1048576")))),
        "trop_de_lignes",
        explication="une référence en minuscules",
    ),
    _cas(
        "zeros-de-tete.xlsx",
        lambda: xlsx(feuille_xml(EN_TETE + LIGNE_LOINTAINE.format(cellule("A0001048576")))),
        "trop_de_lignes",
        explication="une référence à zéros de tête",
    ),
    _cas(
        "desordre.xlsx",
        lambda: xlsx(
            feuille_xml(LIGNE_LOINTAINE.format(cellule("A1048576")) + EN_TETE.replace("1", "2"))
        ),
        "trop_de_lignes",
        explication="la cellule lointaine avant les autres (lignes dans le désordre)",
    ),
    _cas(
        "dimension-mensongere.xlsx",
        lambda: xlsx(
            feuille_xml(
                EN_TETE + LIGNE_LOINTAINE.format(cellule("B1048576")),
                avant='<dimension ref="A1:C3"/>',
            )
        ),
        "trop_de_lignes",
        explication="une étendue déclarée (<dimension>) petite, des cellules lointaines",
    ),
    _cas(
        "utf16.xlsx",
        lambda: xlsx(
            feuille_xml(LIGNE_LOINTAINE.format(cellule("XFD1048576")))
            .replace('encoding="UTF-8"', 'encoding="UTF-16"')
            .encode("utf-16")
        ),
        "trop_de_lignes",
        explication="une feuille XML en UTF-16, où une recherche d'octets ne voit rien",
    ),
    _cas(
        "hybride-ods-xlsx.xlsx",
        hybride_ods_xlsx,
        "trop_de_lignes",
        explication="une archive à la fois ods anodin et xlsx démesuré",
    ),
    _cas(
        "textes-partages.xlsx",
        lambda: textes_partages("x" * 30_000, 2_000),
        "texte_trop_long",
        explication="un texte de 30 000 caractères partagé par 2 000 cellules (60 millions)",
    ),
    _cas(
        "xml-mal-forme.xlsx",
        lambda: xlsx(
            f'<?xml version="1.0"?><worksheet {NS}><sheetData>{EN_TETE}<row r="2"><c r="A2">'
        ),
        "fichier_illisible",
        explication="une feuille XML tronquée",
    ),
    _cas(
        "entites.xlsx",
        lambda: xlsx(
            '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
            '&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            f'<worksheet {NS}><sheetData>{EN_TETE}<row r="2"><c r="A2" t="inlineStr"><is><t>'
            "&c;&c;&c;&c;</t></is></c></row></sheetData></worksheet>"
        ),
        "fichier_illisible",
        explication="des entités XML qui se déploient (milliard de rires)",
    ),
    _cas(
        "xlsb-deguise.xlsx",
        xlsb_deguise,
        "format_non_reconnu",
        explication="un classeur binaire .xlsb renommé",
    ),
    _cas(
        "parties-par-milliers.xlsx",
        parties_par_milliers,
        "archive_suspecte",
        petit=False,
        explication="2 500 parties dans l'archive",
    ),
    _cas(
        "texte-partage-par-millions.xlsx",
        texte_partage_par_millions,
        "texte_trop_long",
        petit=False,
        explication="un texte de 100 caractères partagé par deux millions de cellules",
    ),
    _cas(
        "texte-partage-geant.xlsx",
        texte_partage_geant,
        "texte_trop_long",
        petit=False,
        explication="un texte partagé de 45 millions de caractères",
    ),
    _cas(
        "ods-lignes-repetees.ods",
        lambda: ods(table("Demandes", EN_TETE_ODS + ligne(VALEUR, 1_000_000))),
        "trop_de_lignes",
        explication="une ligne remplie répétée un million de fois",
    ),
    _cas(
        "ods-colonnes-repetees.ods",
        lambda: ods(table("Demandes", EN_TETE_ODS + ligne(valeur_repetee(20_000)))),
        "trop_de_colonnes",
        explication="une cellule remplie répétée sur 20 000 colonnes",
    ),
    _cas(
        "ods-repetitions-imbriquees.ods",
        lambda: ods(table("Demandes", EN_TETE_ODS + ligne(valeur_repetee(1_000), 3_000))),
        "trop_de_cellules",
        explication="3 000 lignes répétées de 1 000 cellules répétées",
    ),
    _cas(
        "ods-vides-avant-valeur.ods",
        lambda: ods(table("Demandes", EN_TETE_ODS + ligne(vides(1_000_000) + VALEUR))),
        "trop_de_colonnes",
        explication="un million de cellules vides répétées, puis une valeur",
    ),
    _cas(
        "ods-cellules-couvertes.ods",
        lambda: ods(
            table(
                "Demandes",
                EN_TETE_ODS + ligne(valeur_repetee(20_000, "table:covered-table-cell")),
            )
        ),
        "trop_de_colonnes",
        explication="des cellules couvertes (fusion) répétées",
    ),
    _cas(
        "ods-feuille-masquee.ods",
        lambda: ods(
            table("Demandes", EN_TETE_ODS),
            table("Cachée", ligne(VALEUR, 1_000_000), masquee=True),
        ),
        "trop_de_lignes",
        explication="une feuille masquée, que calamine lit aussi",
    ),
    _cas(
        "ods-espaces.ods",
        lambda: ods(
            table(
                "Demandes",
                EN_TETE_ODS
                + ligne(
                    '<table:table-cell office:value-type="string"><text:p>a'
                    '<text:s text:c="100000000"/></text:p></table:table-cell>'
                ),
            )
        ),
        "texte_trop_long",
        explication="une cellule de cent millions d'espaces (<text:s text:c>)",
    ),
    _cas(
        "xls-iv65536.xls",
        lambda: xls_cellule_lointaine(65_535, 255),
        "trop_de_cellules",
        explication="une cellule en IV65536, la dernière d'une feuille .xls",
    ),
    _cas(
        "xls-colonne-65535.xls",
        lambda: xls_cellule_lointaine(3, 65_535),
        "trop_de_colonnes",
        explication="une cellule en colonne 65 536 (au-delà des 256 du format)",
    ),
    _cas(
        "xls-dimensions.xls",
        lambda: xls_dimensions(5_000_000),
        "trop_de_lignes",
        explication="un enregistrement DIMENSIONS qui annonce 5 millions de lignes",
    ),
    _cas(
        "xls-textes-annonces.xls",
        xls_textes_annonces,
        "fichier_illisible",
        explication="une table des textes qui en annonce deux milliards",
    ),
    _cas(
        "csv-champ-geant.csv",
        csv_champ_geant,
        "fichier_illisible",
        explication="une cellule de 40 000 caractères",
    ),
    _cas(
        "csv-guillemet-ouvert.csv",
        csv_guillemet_ouvert,
        "fichier_illisible",
        explication="un guillemet jamais fermé",
    ),
    _cas(
        "csv-colonnes.csv",
        csv_colonnes,
        "trop_de_colonnes",
        explication="une ligne de 5 000 colonnes",
    ),
    _cas(
        "csv-lignes.csv",
        csv_lignes,
        "trop_de_lignes",
        petit=False,
        explication="250 002 lignes",
    ),
    _cas(
        "csv-utf16-sans-bom.csv",
        lambda: (EN_TETE_CSV + "T-001;Rimouski;Titre\n").encode("utf-16-le"),
        "format_non_reconnu",
        explication="de l'UTF-16 sans marque d'ordre (un octet nul sur deux)",
    ),
]
