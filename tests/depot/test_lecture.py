"""Lecture des fichiers : tous les formats, les fichiers désordonnés, et les refus."""

import io
import tracemalloc
import zipfile

import pytest

from evaluation.depot.lecture import FichierRefuse, Limites, lire_fichier
from tests.conftest import DONNEES, classeur
from tests.donnees.cas import BUDGET_CSV, ENTETES_DEMANDES, FORMATS_VALIDES, FORMULAIRE

FORMATS = DONNEES / "formats"
REFUS = DONNEES / "refus"


def _demandes(fichier):
    return next(t for t in fichier.tableaux if t.genre == "demandes")


@pytest.mark.parametrize("nom", FORMATS_VALIDES)
def test_chaque_format_donne_les_trois_demandes(nom):
    fichier = lire_fichier(nom, FORMATS / nom)
    tableau = _demandes(fichier)
    assert [e["no_demande"] for e in tableau.enregistrements] == ["T-001", "T-002", "T-003"]
    assert len(tableau.colonnes) == 24, sorted(tableau.colonnes)
    assert all(e["titre"] for e in tableau.enregistrements)


@pytest.mark.parametrize(
    ("nom", "format_attendu"),
    [
        ("valide.xlsx", "xlsx"),
        ("valide.xlsm", "xlsx"),
        ("valide.xls", "xls"),
        ("valide.ods", "ods"),
        ("virgule-utf8.csv", "csv"),
    ],
)
def test_format_reconnu_au_contenu(nom, format_attendu):
    assert lire_fichier(nom, FORMATS / nom).format == format_attendu


def test_format_reconnu_meme_mal_nomme():
    """Un xlsx renommé .xls est lu d'après son contenu, pas son extension."""
    contenu = (FORMATS / "valide.xlsx").read_bytes()
    assert len(_demandes(lire_fichier("demandes.xls", contenu)).enregistrements) == 3


def test_sources_acceptees_chemin_octets_flux():
    chemin = FORMATS / "valide.xlsx"
    for source in (chemin, str(chemin), chemin.read_bytes(), io.BytesIO(chemin.read_bytes())):
        assert len(_demandes(lire_fichier("valide.xlsx", source)).enregistrements) == 3


def test_classeurs_lisent_aussi_le_budget():
    for nom in ("valide.xlsx", "valide.xls", "valide.ods", "desordonne.xlsx"):
        budget = next(t for t in lire_fichier(nom, FORMATS / nom).tableaux if t.genre == "budget")
        assert len(budget.enregistrements) == 8
        assert budget.lignes[0] == 2


def test_fichier_desordonne():
    fichier = lire_fichier("desordonne.xlsx", FORMATS / "desordonne.xlsx")
    tableau = _demandes(fichier)
    assert tableau.ligne_entete == 4
    assert tableau.lignes == [5, 7, 8]
    assert tableau.entetes_supplementaires == ["Note interne"]
    assert tableau.supplementaires[0] == {"Note interne": "à suivre"}
    assert tableau.lignes_ignorees == [(9, "ligne de total")]
    assert tableau.colonnes["cout_total"][1] == "Coût total du projet ($)"


def test_csv_budget_seul():
    fichier = lire_fichier(BUDGET_CSV, FORMATS / BUDGET_CSV)
    assert [t.genre for t in fichier.tableaux] == ["budget"]


def test_formulaire_d_une_demande():
    fichier = lire_fichier(FORMULAIRE, FORMATS / FORMULAIRE)
    tableau = _demandes(fichier)
    assert tableau.est_formulaire
    assert tableau.enregistrements[0]["no_demande"] == "T-001"
    ligne, colonne = tableau.emplacement(0, "titre")
    assert colonne == "Titre du projet" and ligne == 3 + ENTETES_DEMANDES.index("Titre du projet")
    assert any(t.genre == "budget" for t in fichier.tableaux)


def test_feuille_masquee_ignoree():
    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / "valide.xlsx")
    copie = wb.copy_worksheet(wb["Demandes"])
    copie.title = "Ancienne"
    copie.sheet_state = "hidden"
    copie["A2"] = "NE-PAS-LIRE"
    sortie = io.BytesIO()
    wb.save(sortie)
    tableau = _demandes(lire_fichier("masquee.xlsx", sortie.getvalue()))
    assert tableau.feuille == "Demandes"


def test_correspondance_manuelle_d_un_en_tete():
    lignes = [
        ["No de demande", "Municipalité requérante", "Intitulé choisi", "Axe"],
        ["A-1", "Rimouski", "Un titre", 1],
    ]
    contenu = classeur({"Demandes": lignes})
    sans = _demandes(lire_fichier("a.xlsx", contenu))
    assert "titre" not in sans.colonnes
    assert sans.entetes_supplementaires == ["Intitulé choisi"]
    avec = _demandes(lire_fichier("a.xlsx", contenu, correspondances={"Intitulé choisi": "titre"}))
    assert avec.enregistrements[0]["titre"] == "Un titre"


def test_lignes_de_notes_signalees_pas_avalees():
    lignes = [
        ["No de demande", "Municipalité requérante", "Titre du projet"],
        ["A-1", "Rimouski", "Titre"],
        ["Source : extraction du ministère", None, None],
    ]
    tableau = _demandes(lire_fichier("a.xlsx", classeur({"Demandes": lignes})))
    assert len(tableau.enregistrements) == 1
    assert tableau.lignes_ignorees[0][0] == 3


@pytest.mark.parametrize(
    ("nom", "code"),
    [
        ("bombe.xlsx", "archive_suspecte"),
        ("mot-de-passe.xlsx", "protege_mot_de_passe"),
        ("pdf-deguise.xlsx", "format_non_reconnu"),
        ("texte-deguise.xlsx", "format_non_reconnu"),
        ("vide.xlsx", "fichier_vide"),
        ("corrompu.xlsx", "fichier_illisible"),
    ],
)
def test_fichier_refuse_avec_message(nom, code):
    with pytest.raises(FichierRefuse) as info:
        lire_fichier(nom, REFUS / nom)
    assert info.value.code == code
    assert nom in info.value.message


def test_bombe_refusee_vite_et_sans_memoire():
    """Un xlsx de 2 Mo qui se décompresserait en plus d'1 Go est refusé sans être lu : le
    pic de mémoire (50 Mo au plus) le prouve, sans chronomètre."""
    chemin = REFUS / "bombe.xlsx"
    assert chemin.stat().st_size < 5_000_000
    assert sum(i.file_size for i in zipfile.ZipFile(chemin).infolist()) > 1_000_000_000
    tracemalloc.start()
    with pytest.raises(FichierRefuse):
        lire_fichier("bombe.xlsx", chemin)
    _, pic = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert pic < 50_000_000


def test_bombe_aux_tailles_mensongeres_refusee():
    """Une archive qui ment sur sa taille décompressée est arrêtée à la limite."""
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    contenu = bytearray(sortie.getvalue())
    # Réécrit la taille déclarée (en-tête local et répertoire central) à 1 000 octets.
    vraie = (5_000_000).to_bytes(4, "little")
    contenu = bytes(contenu).replace(vraie, (1000).to_bytes(4, "little"))
    with pytest.raises(FichierRefuse) as info:
        lire_fichier("menteur.xlsx", contenu, Limites(decompresse_max=1_000_000))
    assert info.value.code in {"archive_suspecte", "fichier_illisible"}


def test_fichier_trop_gros():
    contenu = (FORMATS / "valide.xlsx").read_bytes()
    with pytest.raises(FichierRefuse, match="trop volumineux") as info:
        lire_fichier("valide.xlsx", contenu, Limites(taille_max=1000))
    assert info.value.code == "fichier_trop_gros"


def test_fichier_sans_tableau_reconnu():
    contenu = classeur({"Feuil1": [["Nom", "Prénom"], ["Tremblay", "Marie"]]})
    with pytest.raises(FichierRefuse, match="aucun tableau de demandes reconnu"):
        lire_fichier("autre.xlsx", contenu)


def test_csv_vide():
    with pytest.raises(FichierRefuse, match="vide"):
        lire_fichier("vide.csv", b"   \n")


def _xlsx(feuilles: dict[str, list[list[object]]], origine: str = "A1") -> bytes:
    """Classeur en mémoire, chaque feuille écrite à partir de la cellule `origine`."""
    from openpyxl import Workbook
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    lettre, rang = coordinate_from_string(origine)
    j0 = column_index_from_string(lettre)
    wb = Workbook()
    wb.remove(wb.active)
    for nom, lignes in feuilles.items():
        f = wb.create_sheet(nom)
        for i, ligne in enumerate(lignes):
            for j, v in enumerate(ligne):
                f.cell(rang + i, j0 + j, v)
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


ENTETE_COURTE = ["No de demande", "Municipalité requérante", "Titre du projet", "Axe"]


def test_feuille_qui_ne_commence_pas_en_a1():
    contenu = _xlsx(
        {"Demandes": [ENTETE_COURTE, ["A-1", "Rimouski", "T", 1], [], ["A-2", "Laval", "T", 7]]},
        origine="C4",
    )
    tableau = _demandes(lire_fichier("decale.xlsx", contenu))
    assert tableau.ligne_entete == 4
    assert tableau.lignes == [5, 7]
    assert tableau.emplacement(1, "axe") == (7, "Axe")


def test_toutes_les_feuilles_de_demandes_sont_lues():
    contenu = _xlsx(
        {
            "Bas-Saint-Laurent": [ENTETE_COURTE, ["A-1", "Rimouski", "T", 1]],
            "Estrie": [ENTETE_COURTE, ["A-2", "Sherbrooke", "T", 2]],
            "Synthèse": [["Région", "Axe", "Secteur principal"], ["01", 1, "Culture"]],
        }
    )
    fichier = lire_fichier("regions.xlsx", contenu)
    assert [(t.feuille, len(t.enregistrements)) for t in fichier.tableaux] == [
        ("Bas-Saint-Laurent", 1),
        ("Estrie", 1),
    ]
    assert any("« Synthèse » ignorée" in r for r in fichier.remarques)


@pytest.mark.parametrize(
    ("entetes", "cle", "colonne_attendue"),
    [
        (["ID", "No de demande", "Municipalité requérante", "Titre du projet"], "no_demande", 1),
        (
            [
                "No de demande",
                "Montant demandé (total)",
                "Montant demandé – année 1",
                "Titre du projet",
                "Municipalité requérante",
            ],
            "montant_demande_an1",
            2,
        ),
        (
            ["No de demande", "Montant demandé", "Titre du projet", "Municipalité requérante"],
            "montant_demande_an1",
            1,
        ),
    ],
)
def test_en_tete_du_gabarit_prime_sur_un_synonyme(entetes, cle, colonne_attendue):
    contenu = _xlsx({"Demandes": [entetes, ["x"] * len(entetes)]})
    assert _demandes(lire_fichier("a.xlsx", contenu)).colonnes[cle][0] == colonne_attendue


def test_correspondance_manuelle_prime_et_ignore_casse():
    contenu = _xlsx(
        {
            "Demandes": [
                ["ID", "No de demande", "Municipalité requérante", "Titre"],
                ["1", "A-1", "Rimouski", "T"],
            ]
        }
    )
    tableau = _demandes(lire_fichier("a.xlsx", contenu, correspondances={"id": "no_demande"}))
    assert tableau.colonnes["no_demande"][0] == 0
    inutile = lire_fichier("a.xlsx", contenu, correspondances={"Inexistant": "titre"})
    assert any("« Inexistant » → titre sans effet" in r for r in inutile.remarques)


def test_lignes_sans_identite_ignorees_avec_raison():
    lignes = [
        [*ENTETE_COURTE, "Coût total du projet"],
        ["A-1", "Rimouski", "T", 1, 1000],
        ["A-2", None, None, None, 0],
        [None, None, None, None, 0],
        [None, None, None, None, 1000],
    ]
    tableau = _demandes(lire_fichier("a.xlsx", _xlsx({"Demandes": lignes})))
    assert [e["no_demande"] for e in tableau.enregistrements] == ["A-1"]
    assert [ligne for ligne, _ in tableau.lignes_ignorees] == [3, 4, 5]
    assert "prénumérotée" in tableau.lignes_ignorees[0][1]


def test_formulaire_lit_la_colonne_b_seulement():
    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / FORMULAIRE)
    feuille = wb["Demande"]
    for ligne in range(3, 27):
        feuille.cell(ligne, 3, "Aide : voir le guide")
    an2 = next(r for r in range(3, 27) if feuille.cell(r, 1).value == "Montant demandé – année 2")
    feuille.cell(an2, 2).value = None
    sortie = io.BytesIO()
    wb.save(sortie)
    tableau = _demandes(lire_fichier("f.xlsx", sortie.getvalue()))
    assert tableau.enregistrements[0]["montant_demande_an2"] in (None, "")
    assert tableau.enregistrements[0]["municipalites_partenaires"] in (None, "")


def test_colonnes_supplementaires_nommees_et_distinctes():
    lignes = [
        [
            "No de demande",
            "Municipalité requérante",
            "Titre du projet",
            "Commentaire",
            "Commentaire",
            None,
        ],
        ["A-1", "Rimouski", "T", "c1", "c2", "sous un en-tête vide"],
    ]
    tableau = _demandes(lire_fichier("a.xlsx", _xlsx({"Demandes": lignes})))
    assert tableau.supplementaires[0] == {
        "Commentaire": "c1",
        "Commentaire (2)": "c2",
        "(colonne F)": "sous un en-tête vide",
    }


def test_cellules_en_erreur_reconnues():
    from openpyxl import load_workbook

    from evaluation.depot.lecture import CelluleEnErreur

    wb = load_workbook(FORMATS / "valide.xlsx")
    wb["Demandes"]["O2"] = "#N/A"
    wb["Demandes"]["O2"].data_type = "e"
    sortie = io.BytesIO()
    wb.save(sortie)
    tableau = _demandes(lire_fichier("e.xlsx", sortie.getvalue()))
    assert tableau.enregistrements[0]["montant_demande_an1"] == CelluleEnErreur("#N/A")


def test_trop_de_lignes_refuse_avant_chargement():
    lignes = [ENTETE_COURTE] + [[f"A-{i}", "Rimouski", "T", 1] for i in range(30)]
    contenu = _xlsx({"Demandes": lignes})
    with pytest.raises(FichierRefuse, match="« Demandes » s'étend sur 31 lignes") as info:
        lire_fichier("long.xlsx", contenu, Limites(lignes_max=20))
    assert info.value.code == "trop_de_lignes"
    assert "plus que les 20 permises" in info.value.message
    assert lire_fichier("long.xlsx", contenu, Limites(lignes_max=31)).tableaux
    csv = "\n".join(";".join(map(str, ligne)) for ligne in lignes).encode()
    with pytest.raises(FichierRefuse, match="plus de 20 lignes"):
        lire_fichier("long.csv", csv, Limites(lignes_max=20))


def test_feuille_aux_en_tetes_d_identite_renommes_reste_un_tableau():
    """Numéro et titre renommés : la feuille reste lue, les colonnes manquent (à relier)."""
    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / "valide.xlsx")
    wb["Demandes"]["A1"] = "Dossier"
    wb["Demandes"]["G1"] = "Nom du projet (court)"
    sortie = io.BytesIO()
    wb.save(sortie)
    fichier = lire_fichier("renomme.xlsx", sortie.getvalue())
    tableau = _demandes(fichier)
    assert {"no_demande", "titre"}.isdisjoint(tableau.colonnes)
    assert set(tableau.entetes_supplementaires) == {"Dossier", "Nom du projet (court)"}


@pytest.mark.parametrize(
    ("entetes", "lue", "pourquoi"),
    [
        (["Nom du projet", "Titre du projet"], "D", "son en-tête est celui du gabarit"),
        (["Titre du projet", "Titre du projet"], "C", "la plus à gauche"),
        (["Intitulé", "Nom du projet"], "C", "la plus à gauche"),
    ],
)
def test_en_tetes_en_double_signales(entetes, lue, pourquoi):
    """Deux colonnes pour une même clé : un avertissement les nomme (lettre et en-tête) et
    dit laquelle est lue ; l'autre reste une colonne hors gabarit."""
    lignes = [
        ["No de demande", "Municipalité requérante", *entetes],
        ["A-1", "Rimouski", "premier", "second"],
    ]
    tableau = _demandes(lire_fichier("d.xlsx", _xlsx({"Demandes": lignes})))
    ((code, message, colonne),) = tableau.avertissements
    assert code == "entete_en_double"
    assert f"« Titre du projet » : C « {entetes[0]} » et D « {entetes[1]} »" in message
    assert f"La colonne {lue} est lue ({pourquoi})" in message
    assert tableau.enregistrements[0]["titre"] == ("premier" if lue == "C" else "second")
    assert colonne == entetes[ord(lue) - ord("C")]


def test_formulaire_aux_libelles_en_double_signale():
    from openpyxl import load_workbook

    wb = load_workbook(FORMATS / FORMULAIRE)
    feuille = wb["Demande"]
    titre = next(r for r in range(3, 27) if feuille.cell(r, 1).value == "Titre du projet")
    feuille.cell(30, 1, "Titre")
    feuille.cell(30, 2, "Autre titre")
    sortie = io.BytesIO()
    wb.save(sortie)
    tableau = _demandes(lire_fichier("f.xlsx", sortie.getvalue()))
    ((code, message, _),) = tableau.avertissements
    assert code == "entete_en_double"
    assert f"la ligne {titre} est lue" in message and "30 « Titre »" in message
    assert tableau.enregistrements[0]["titre"] != "Autre titre"


def test_valeur_citee_coupee_a_quarante_caracteres(appel):
    """Une cellule démesurée n'envahit pas le rapport : le message n'en cite que le début."""
    from evaluation.depot.verification import verifier_lot

    demesuree = "Municipalité " + "x" * 100_000
    contenu = (FORMATS / "valide.xlsx").read_bytes()
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(contenu))
    wb["Demandes"]["B2"] = demesuree
    wb["Demandes"]["I2"] = "axe " + "y" * 5_000
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = verifier_lot([("long.xlsx", sortie.getvalue())], appel)
    messages = [p.message for p in verification.problemes if p.ligne == 2]
    assert len(messages) >= 2
    for message in messages:
        assert len(message) < 400, message
    assert any("« Municipalité xxxxxxxxxxxxxxxxxxxxxxxxxx…" in m for m in messages), messages
