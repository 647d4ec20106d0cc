"""Régénère tous les fichiers de test de tests/donnees/ : ``python tests/donnees/generer.py``.

Demande LibreOffice (conversions .xlsm, .xls, .ods) et le paquet msoffcrypto-tool
(classeur protégé par mot de passe : ``pip install msoffcrypto-tool``).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cas import (
    CAS_PROBLEMES,
    CAS_SUGGESTIONS,
    DOSSIER,
    ENTETES_BUDGET,
    ENTETES_DEMANDES,
    SUPPRIMER_COLONNE,
)
from hostiles import CAS_HOSTILES, NS, PARTIES_MINIMALES

FORMATS, REFUS, PROBLEMES = DOSSIER / "formats", DOSSIER / "refus", DOSSIER / "problemes"

# --- Données de base : trois demandes valides (lignes 2 à 4) et leur budget --------------

DEMANDES = [
    ("T-001", "Rimouski", "01", None, "Ville de Brest", "France",
     "Jumelage maritime Rimouski-Brest",
     "Échanges d'expertise portuaire et maritime entre Rimouski et Brest.",
     2, "Innovation", None, date(2024, 5, 1), date(2025, 3, 15),
     40000, 20000, None, 15000, 5000, "non", "oui", "oui", "oui",
     "fonctionnaire", "international@rimouski.example"),
    ("T-002", "Sherbrooke", "05", "Magog; Orford", "Université de Liège", "Belgique",
     "Réseau estrien des villes apprenantes",
     "Réseau de villes apprenantes avec l'Université de Liège.",
     1, "Francophonie", "Culture; Cohésion sociale", date(2024, 6, 1), date(2026, 3, 1),
     90000, 30000, 30000, 20000, 10000, "non", "oui", "oui", "oui",
     "élu", "relations@sherbrooke.example"),
    ("T-003", "Gatineau", "07", None, "Ville de Puebla", "Mexique",
     "Mission mobilité durable à Puebla",
     "Accueil d'une délégation de Puebla autour du transport collectif.",
     3, "Mobilité durable", "Innovation", date(2024, 9, 1), date(2025, 2, 28),
     30000, 18000.50, None, 11999.50, None, "non", "oui", "oui", "oui",
     "délégué", "intl@gatineau.example"),
]  # fmt: skip

BUDGET = [
    ("T-001", 1, "Ressources professionnelles externes", "Expertise portuaire", 12000),
    ("T-001", 1, "Frais d'organisation logistique", "Ateliers à Rimouski", 8000),
    ("T-002", 1, "Colloque", "Colloque des villes apprenantes", 20000),
    ("T-002", 1, "Frais de visas", "Visas des conférenciers", 300),
    ("T-002", 1, "Activités de maillage", "Rencontres Liège-Estrie", 9700),
    ("T-002", 2, "Collaborations virtuelles", "Plateforme d'échange", 10000),
    ("T-002", 2, "Publication et diffusion", "Guide des bonnes pratiques", 20000),
    ("T-003", 1, "Accueil de partenaires étrangers", "Délégation de Puebla", 18000.50),
]

MONTANTS = [h for h in ENTETES_DEMANDES if h.startswith(("Coût", "Montant", "Contri", "Cofi"))]
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre"]  # fmt: skip


def feuilles_de_base() -> dict[str, list[list]]:
    """Les deux feuilles de base, en-tête compris, en listes modifiables."""
    return {
        "Demandes": [list(ENTETES_DEMANDES)] + [list(d) for d in DEMANDES],
        "Budget": [list(ENTETES_BUDGET)] + [list(b) for b in BUDGET],
    }


def ecrire_xlsx(chemin: Path, feuilles: dict[str, list[list]]) -> None:
    """Écrit un classeur ; les cellules None ou vides ne sont pas écrites."""
    classeur = Workbook()
    classeur.remove(classeur.active)
    for nom, lignes in feuilles.items():
        feuille = classeur.create_sheet(nom)
        for r, ligne in enumerate(lignes, 1):
            for c, valeur in enumerate(ligne, 1):
                if valeur is not None and valeur != "":
                    cellule = feuille.cell(r, c, valeur)
                    if isinstance(valeur, date):
                        cellule.number_format = "yyyy-mm-dd"
    classeur.save(chemin)


def montant_fr(valeur, milliers: str = "\u00a0", decimales: bool = True) -> str | None:
    """« 20 000,00 $ » avec le séparateur de milliers donné."""
    if valeur is None:
        return None
    texte = f"{valeur:,.2f}" if decimales else f"{valeur:,.0f}"
    return texte.replace(",", milliers).replace(".", ",") + "\u00a0$"


def date_longue(d: date) -> str:
    """« 1er mai 2024 »."""
    return f"{'1er' if d.day == 1 else d.day} {MOIS[d.month - 1]} {d.year}"


def montant_simple(valeur, virgule: bool = False) -> str:
    if valeur is None:
        return ""
    texte = str(valeur) if isinstance(valeur, int) else f"{valeur:.2f}"
    return texte.replace(".", ",") if virgule else texte


def ecrire_csv(chemin: Path, lignes, separateur: str, encodage: str) -> None:
    with chemin.open("w", encoding=encodage, newline="") as f:
        csv.writer(f, delimiter=separateur).writerows(lignes)


def lignes_csv(date_texte, montant_texte) -> list[list[str]]:
    """Feuille Demandes en texte : dates et montants mis en forme par les fonctions données."""
    lignes = [list(ENTETES_DEMANDES)]
    for demande in DEMANDES:
        ligne = []
        for entete, valeur in zip(ENTETES_DEMANDES, demande, strict=True):
            if isinstance(valeur, date):
                valeur = date_texte(valeur)
            elif entete in MONTANTS:
                valeur = montant_texte(valeur)
            ligne.append("" if valeur is None else str(valeur))
        lignes.append(ligne)
    return lignes


def generer_csv() -> None:
    ecrire_csv(
        FORMATS / "virgule-utf8.csv",
        lignes_csv(date.isoformat, montant_simple),
        ",",
        "utf-8",
    )
    ecrire_csv(
        FORMATS / "pointvirgule-bom.csv",
        lignes_csv(lambda d: d.strftime("%d/%m/%Y"), lambda v: montant_simple(v, True)),
        ";",
        "utf-8-sig",
    )
    ecrire_csv(
        FORMATS / "pointvirgule-cp1252.csv",
        lignes_csv(date_longue, lambda v: montant_fr(v) or ""),
        ";",
        "cp1252",
    )
    budget = [ENTETES_BUDGET] + [[*b[:4], montant_simple(b[4], True)] for b in BUDGET]
    ecrire_csv(FORMATS / "budget-pointvirgule.csv", budget, ";", "utf-8")
    # « Texte Unicode » d'Excel : UTF-16 avec marque d'ordre, tabulations, extension .txt.
    ecrire_csv(
        FORMATS / "texte-unicode.txt",
        lignes_csv(date.isoformat, montant_simple),
        "\t",
        "utf-16",
    )


def generer_formulaire() -> None:
    """Une seule demande (T-001) : libellés en colonne A, valeurs en colonne B."""
    demande = [["Formulaire de demande — PAIVMQ 2023-2024"], []]
    demande += [[h, v] for h, v in zip(ENTETES_DEMANDES, DEMANDES[0], strict=True)]
    budget = [list(ENTETES_BUDGET)] + [list(b) for b in BUDGET if b[0] == "T-001"]
    ecrire_xlsx(FORMATS / "formulaire.xlsx", {"Demande": demande, "Budget": budget})


def generer_desordonne() -> None:
    """Export « ministère » : titres, en-têtes variantes, textes libres, ligne de total."""
    entetes = [
        "NUMÉRO DE LA DEMANDE", "municipalite requerante", "Region administrative",
        "Municipalités partenaires", "Partenaires étrangers", "Pays", "Titre", "Note interne",
        "Résumé", "Axe", "Secteur", "Secteurs secondaires", "Date de début", "Date de fin",
        "Coût total du projet ($)", "Montant demandé - année 1 ($)",
        "Montant demandé - année 2 ($)", "Contribution du demandeur ($)",
        "Cofinancement externe", "Autre financement gouvernemental?", "Dossier complet",
        "Budget détaillé", "Engagement à produire un rapport", "Qualité du signataire",
        "Courriel",
    ]  # fmt: skip
    variantes = [  # région, axe, secteur, secondaires, note, dates, oui/non, décimales
        ("Bas-Saint-Laurent", "Axe 2 – Favoriser le développement de partenariats "
         "stratégiques", "Innovation", None, "à suivre", date.isoformat,
         ["N", "x", "Vrai", "oui"], False),
        ("Estrie (05)", "Axe 1", "FRANCOPHONIE", "Culture; Cohesion sociale", None,
         lambda d: d.strftime("%d/%m/%Y"), ["faux", "oui", "x", "Vrai"], True),
        ("07", "3", "Mobilite durable", "innovation", "à suivre", date_longue,
         ["non", "Vrai", "oui", "x"], True),
    ]  # fmt: skip
    lignes = [
        ["Ministère des Relations internationales et de la Francophonie"],
        ["Extraction du 2024-03-04"],
        [],
        entetes,
    ]
    for n, (demande, var) in enumerate(zip(DEMANDES, variantes, strict=True)):
        region, axe, secteur, secondaires, note, date_texte, oui_non, decimales = var
        d = list(demande)
        d[2], d[8], d[9], d[10] = region, axe, secteur, secondaires
        d[11], d[12] = date_texte(d[11]), date_texte(d[12])
        d[13:18] = [montant_fr(v, "\u202f", decimales) for v in d[13:18]]
        d[18:22] = oui_non
        lignes.append([*d[:7], note, *d[7:]])
        if n == 0:
            lignes.append([])  # ligne entièrement vide (ligne 6)
    totaux = [sum(d[i] or 0 for d in DEMANDES) for i in range(13, 18)]
    lignes.append(["Total"] + [None] * 13 + [montant_fr(t, "\u202f") for t in totaux])
    budget = feuilles_de_base()["Budget"]
    ecrire_xlsx(FORMATS / "desordonne.xlsx", {"Demandes": lignes, "Budget": budget})


def convertir(source: Path, filtre: str, destination: Path) -> None:
    """Conversion LibreOffice sans interface, avec un profil temporaire."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["libreoffice", f"-env:UserInstallation=file://{tmp}/profil", "--headless",
             "--convert-to", filtre, "--outdir", tmp, str(source)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        extension = filtre.split(":")[0]
        shutil.move(Path(tmp) / f"{source.stem}.{extension}", destination)


def est_xlsm(chemin: Path) -> bool:
    with zipfile.ZipFile(chemin) as z:
        return b"macroEnabled" in z.read("[Content_Types].xml")


def xlsm_par_openpyxl(source: Path, destination: Path) -> None:
    """Repli : copie du .xlsx dont le type de contenu du classeur devient macroEnabled."""
    with zipfile.ZipFile(source) as zs, zipfile.ZipFile(destination, "w") as zd:
        for info in zs.infolist():
            donnees = zs.read(info)
            if info.filename == "[Content_Types].xml":
                donnees = donnees.replace(
                    b"vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            zd.writestr(info, donnees, zipfile.ZIP_DEFLATED)


def generer_formats() -> None:
    valide = FORMATS / "valide.xlsx"
    ecrire_xlsx(valide, feuilles_de_base())
    xlsm = FORMATS / "valide.xlsm"
    try:
        convertir(valide, "xlsm:Calc MS Excel 2007 VBA XML", xlsm)
    except (subprocess.SubprocessError, OSError) as erreur:
        print(f"LibreOffice (xlsm) a échoué : {erreur} ; repli openpyxl")
    if not xlsm.exists() or not est_xlsm(xlsm):
        xlsm_par_openpyxl(valide, xlsm)
    convertir(valide, "xls:MS Excel 97", FORMATS / "valide.xls")
    convertir(valide, "ods", FORMATS / "valide.ods")
    generer_csv()
    generer_formulaire()
    generer_desordonne()


# --- Fichiers hostiles -----------------------------------------------------------------

TAILLE_BOMBE = 1200 * 2**20  # 1,2 Gio une fois décompressé


def generer_bombe() -> None:
    """Feuille de plus de 1 Gio décompressée, écrite par blocs (rien de gros en mémoire)."""
    bloc = b"<row/>" * 2**17
    with zipfile.ZipFile(REFUS / "bombe.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        for nom, texte in PARTIES_MINIMALES.items():
            z.writestr(nom, texte)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'.encode())
            ecrit = 0
            while ecrit < TAILLE_BOMBE:
                ecrit += f.write(bloc)
            f.write(b"</sheetData></worksheet>")


def pdf_minimal() -> bytes:
    """Un PDF valide d'une page blanche, table xref comprise."""
    objets = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    sortie, positions = bytearray(b"%PDF-1.4\n"), []
    for i, objet in enumerate(objets, 1):
        positions.append(len(sortie))
        sortie += b"%d 0 obj\n%s\nendobj\n" % (i, objet)
    debut_xref = len(sortie)
    sortie += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1)
    sortie += b"".join(b"%010d 00000 n \n" % p for p in positions)
    sortie += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objets) + 1)
    sortie += b"startxref\n%d\n%%%%EOF\n" % debut_xref
    return bytes(sortie)


def generer_refus() -> None:
    generer_bombe()
    try:  # paquet msoffcrypto-tool, nécessaire au seul classeur protégé
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        sys.exit("Installez msoffcrypto-tool : pip install msoffcrypto-tool")
    with (FORMATS / "valide.xlsx").open("rb") as f, (REFUS / "mot-de-passe.xlsx").open("wb") as s:
        OOXMLFile(f).encrypt("secret", s)
    (REFUS / "pdf-deguise.xlsx").write_bytes(pdf_minimal())
    (REFUS / "texte-deguise.xlsx").write_text("ceci n'est pas un classeur\n", encoding="utf-8")
    vide = {"Demandes": [list(ENTETES_DEMANDES)], "Budget": [list(ENTETES_BUDGET)]}
    ecrire_xlsx(REFUS / "vide.xlsx", vide)
    (REFUS / "corrompu.xlsx").write_bytes((FORMATS / "valide.xlsx").read_bytes()[:2000])
    # Les fichiers hostiles de quelques Ko (voir hostiles.py) ; les gros sont fabriqués par
    # les tests eux-mêmes.
    for cas in CAS_HOSTILES:
        if cas.petit:
            (REFUS / cas.nom).write_bytes(cas.fabriquer())


# --- Fichiers à problème ---------------------------------------------------------------


def appliquer(modifications) -> dict[str, list[list]]:
    """Les feuilles de base modifiées cellule par cellule (voir cas.py)."""
    feuilles = feuilles_de_base()
    for nom, ligne, entete, valeur in modifications:
        lignes = feuilles[nom]
        j = lignes[0].index(entete)
        if valeur == SUPPRIMER_COLONNE:
            for rangee in lignes:
                del rangee[j]
            continue
        while len(lignes) < ligne:
            lignes.append([None] * len(lignes[0]))
        lignes[ligne - 1][j] = valeur
    return feuilles


def generer_problemes() -> None:
    for cas in CAS_PROBLEMES + CAS_SUGGESTIONS:
        ecrire_xlsx(PROBLEMES / f"{cas['nom']}.xlsx", appliquer(cas["modifications"]))


def main() -> None:
    for dossier in (FORMATS, REFUS, PROBLEMES):
        shutil.rmtree(dossier, ignore_errors=True)
        dossier.mkdir()
    generer_formats()
    generer_refus()
    generer_problemes()
    for chemin in sorted(DOSSIER.glob("*/*")):
        print(f"{chemin.relative_to(DOSSIER)}  {chemin.stat().st_size:,} o")


if __name__ == "__main__":
    main()
