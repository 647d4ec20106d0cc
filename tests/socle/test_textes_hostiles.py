"""Le texte venu des fichiers est du texte (classe « text ») : caractères invisibles et de
direction retirés à l'importation avec un avertissement qui nomme la cellule, forme Unicode
NFC, numéros et noms comparés après ce nettoyage (doublons, mise à jour d'une demande
stockée, conflits d'intérêts), affichage littéral (`texte.litteral`, `texte.litteral_html`).

L'affichage dans les pages est vérifié par tests/pages/test_textes_hostiles.py (AppTest) et
tests/navigateur/test_textes_hostiles.py (Chromium).
"""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from openpyxl import Workbook

from evaluation.appels.configuration import charger_appel
from evaluation.depot.importation import importer
from evaluation.depot.validation import cle_numero
from evaluation.depot.verification import verifier_lot
from evaluation.notes.repartition import conflits_evidents
from evaluation.socle import stockage
from evaluation.socle.texte import (
    cle_identifiant,
    cle_nom_propre,
    invisibles,
    litteral,
    litteral_html,
    nettoyer,
    normaliser,
    visible,
)
from evaluation.sorties.neutralisation import ecrire_ligne
from tests.hostiles import MARKDOWN, MARQUES_ACTIVES, VALIDE, marques_actives

RLO, PDF, ZWSP = "\u202e", "\u202c", "\u200b"
# Un échantillon de chaque famille : espaces et liants sans chasse, marques et forçages de
# direction, isolats, gluon et opérateurs invisibles, trait d'union conditionnel, BOM,
# séparateur de voyelles mongol, caractère d'étiquette, sélecteur de variante, remplisseur.
INVISIBLES = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u2060",
    "\u2061",
    "\u2064",
    "\u00ad",
    "\ufeff",
    "\u180e",
    "\u061c",
    "\U000e0041",
    "\ufe0f",
    "\u3164",
    "\u034f",
]


# --- Nettoyage ---------------------------------------------------------------------------


@pytest.mark.parametrize("c", INVISIBLES, ids=[f"U+{ord(c):04X}" for c in INVISIBLES])
def test_chaque_invisible_est_retire(c):
    assert nettoyer(f"T-001{c}") == "T-001"
    assert invisibles(f"a{c}b") == [f"U+{ord(c):04X}"]
    if c not in "\u202b\u202e\u2067":  # ceux-là retournent l'ordre : voir plus bas
        assert nettoyer(f"T-0{c}01") == "T-001"
        assert nettoyer(f"{c}Sherbrooke{c}") == "Sherbrooke"


def test_toute_la_categorie_format_est_retiree():
    """Chaque caractère Unicode de catégorie « Cf » (format) que connaît ce Python est
    retiré : la liste du module n'en oublie aucun."""
    oublies = [
        f"U+{n:04X}"
        for n in range(sys.maxunicode + 1)
        if unicodedata.category(chr(n)) == "Cf" and visible("a" + chr(n) + "é") != "aé"
    ]
    assert oublies == []


def test_les_lettres_accentuees_et_la_ponctuation_restent():
    texte = "Lévis — « Cœur » d’Amérique, 25 000 $ (½), m² ﬁn"
    assert nettoyer(texte) == texte
    assert invisibles(texte) == []


def test_forcage_de_direction_remis_dans_l_ordre_affiche():
    """« ekoorbrehS » dans un forçage droite à gauche s'affiche « Sherbrooke » : c'est ce
    texte-là qui est gardé."""
    assert nettoyer(f"{RLO}ekoorbrehS{PDF}") == "Sherbrooke"
    assert nettoyer(f"Ville de {RLO}ekoorbrehS{PDF}") == "Ville de Sherbrooke"
    assert nettoyer(f"{RLO}100-T") == "T-001"


def test_forme_normale_composee():
    compose, decompose = "Montréal", "Montre\u0301al"
    assert compose != decompose
    assert nettoyer(decompose) == compose
    assert normaliser(decompose) == normaliser(compose)


@pytest.mark.parametrize(
    "variante",
    ["T-001", "t-001", " T-001 ", f"T-001{ZWSP}", f"T{ZWSP}-001", "Ｔ-００１", "T‐001", "T–001"],
)
def test_un_numero_une_demande(variante):
    """Casse, blancs, invisibles, pleine chasse (NFKC) et tirets typographiques : la même
    demande ; un autre numéro reste une autre demande."""
    assert cle_numero(variante) == cle_numero("T-001") == cle_identifiant("T-001")
    assert cle_numero(variante) != cle_numero("T-002")


def test_nfkc_seulement_pour_les_cles():
    """Le texte gardé reste en NFC : « ﬁ » et « ² » d'un titre ne changent pas."""
    assert nettoyer("Défi ﬁnal, 10 m²") == "Défi ﬁnal, 10 m²"
    assert cle_identifiant("Ｔ-００１") == "t-001"


# --- Importation : avertissement situé, doublon, mise à jour -----------------------------


def _classeur(tmp_path, lignes: list[dict], nom="invisibles.xlsx"):
    from openpyxl import load_workbook

    source = load_workbook(VALIDE)
    entetes = [c.value for c in source["Demandes"][1]]
    modele = dict(zip(entetes, [c.value for c in source["Demandes"][2]], strict=True))
    livre = Workbook()
    feuille = livre.active
    feuille.title = "Demandes"
    ecrire_ligne(feuille, 1, entetes)
    for i, champs in enumerate(lignes, 2):
        ecrire_ligne(feuille, i, [{**modele, **champs}[e] for e in entetes])
    chemin = tmp_path / nom
    livre.save(chemin)
    return chemin


def test_avertissement_nomme_la_cellule(tmp_path):
    chemin = _classeur(
        tmp_path,
        [{"No de demande": "T-001", "Titre du projet": f"Jumelage{ZWSP} {RLO}tseB{PDF}"}],
    )
    verification = verifier_lot([(chemin.name, chemin)], charger_appel())
    (p,) = [p for p in verification.problemes if p.code == "caracteres_invisibles"]
    assert (p.fichier, p.feuille, p.ligne, p.colonne) == (
        "invisibles.xlsx",
        "Demandes",
        2,
        "Titre du projet",
    )
    assert p.severite == "avertissement" and not p.bloque
    assert "U+200B" in p.message and "U+202E" in p.message
    assert "« Jumelage Best »" in p.message
    (d,) = verification.demandes
    assert d.valeurs["titre"] == "Jumelage Best"


def test_numero_avec_espace_sans_chasse_en_double_dans_un_fichier(tmp_path):
    chemin = _classeur(tmp_path, [{"No de demande": "T-001"}, {"No de demande": f"T-001{ZWSP}"}])
    verification = verifier_lot([(chemin.name, chemin)], charger_appel())
    doublons = [p for p in verification.problemes if p.code == "doublon"]
    assert [(p.ligne, p.bloque) for p in doublons] == [(3, True)]
    invisibles_ = [p for p in verification.problemes if p.code == "caracteres_invisibles"]
    assert [(p.ligne, p.colonne) for p in invisibles_] == [(3, "No de demande")]


def test_numero_avec_invisible_met_a_jour_la_demande_stockee(tmp_path, moteur):
    appel = charger_appel()
    premier = _classeur(tmp_path, [{"No de demande": "T-001"}], "premier.xlsx")
    importer(verifier_lot([(premier.name, premier)], appel), appel, moteur=moteur)
    second = _classeur(
        tmp_path,
        [{"No de demande": f"\ufeffＴ-001{ZWSP}", "Titre du projet": "Titre corrigé"}],
        "second.xlsx",
    )
    with moteur.connect() as c:
        stockes = stockage.numeros_demandes(appel.id, connexion=c)
    verification = verifier_lot([(second.name, second)], appel, numeros_stockes=stockes)
    rapport = importer(verification, appel, moteur=moteur)
    assert rapport.creees == [] and [c.no_demande for c in rapport.mises_a_jour] == ["T-001"]
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
    assert list(table["no_demande"]) == ["T-001"]
    assert list(table["titre"]) == ["Titre corrigé"]


# --- Conflits d'intérêts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "municipalite",
    [
        f"{RLO}ekoorbrehS{PDF}",
        f"Sher{ZWSP}brooke",
        "SHERBROOKE",
        "Ｓｈｅｒｂｒｏｏｋｅ",
        f"Sherbrooke{PDF}\u2066",
    ],
)
def test_conflit_malgre_les_caracteres_invisibles(municipalite):
    """Le nom affiché « Sherbrooke » déclenche le conflit, quelle que soit sa forme."""
    demande = {"id": 1, "municipalite": municipalite, "region": "05"}
    compte = {"courriel": "e@x.ca", "municipalite": "Sherbrooke", "region": None}
    (conflit,) = conflits_evidents([demande], [compte])
    assert conflit.demande_id == 1
    # Et dans l'autre sens : le compte porte la forme hostile.
    demande = {"id": 2, "municipalite": "Sherbrooke", "region": "05"}
    compte = {"courriel": "e@x.ca", "municipalite": municipalite, "region": None}
    assert len(conflits_evidents([demande], [compte])) == 1


def test_conflit_par_partenaire_et_par_region_malgre_les_invisibles():
    demande = {
        "id": 1,
        "municipalite": "Magog",
        "municipalites_partenaires": f"Orford; {RLO}ekoorbrehS{PDF}",
        "region": "05",
    }
    compte = {"courriel": "e@x.ca", "municipalite": "sherbrooke", "region": None}
    assert len(conflits_evidents([demande], [compte])) == 1
    par_region = {"courriel": "f@x.ca", "municipalite": None, "region": f"05{ZWSP}"}
    assert len(conflits_evidents([demande], [par_region])) == 1
    ailleurs = {"courriel": "g@x.ca", "municipalite": "Sherbrooke-Est", "region": "06"}
    assert conflits_evidents([demande], [ailleurs]) == []


def test_conflit_sur_une_demande_importee_au_nom_retourne(tmp_path):
    """Le nom importé avec un forçage de direction est reconnu au répertoire (il est gardé
    tel qu'il s'affichait) : la règle voit le conflit sur la demande stockée."""
    chemin = _classeur(
        tmp_path,
        [{"Municipalité requérante": f"{RLO}ekoorbrehS{PDF}", "Région administrative": "05"}],
    )
    (d,) = verifier_lot([(chemin.name, chemin)], charger_appel()).demandes
    assert d.valeurs["municipalite"] == "Sherbrooke"
    compte = {"courriel": "e@x.ca", "municipalite": "Sherbrooke", "region": None}
    assert len(conflits_evidents([{"id": 1, **d.valeurs}], [compte])) == 1


def test_cle_de_nom_propre_insensible_aux_invisibles():
    assert cle_nom_propre(f"St{ZWSP}-Georges") == cle_nom_propre("Saint-Georges")


# --- Affichage littéral ----------------------------------------------------------------------


def _lu(source: str) -> str:
    """Ce qu'une personne lit d'une source Markdown échappée."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source).replace("\u2060", "")


HOSTILES_AFFICHAGE = [
    MARKDOWN,
    "![x](http://127.0.0.1:9/x.png)",
    "[lien](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "**gras** __gras__ *it* _it_ ~~barre~~ `code`",
    "$x$ $$y$$",
    ":red[x] :blue-background[y] :material/home: :smile: :streamlit:",
    "# titre",
    "1. liste",
    "- puce",
    "+ puce",
    "> cite",
    "a | b",
    "&amp; &#60;b&#62;",
    "<http://127.0.0.1:9/auto>",
    "www.exemple.com http://127.0.0.1:9/nu HTTPS://x.y",
    "[x]: http://127.0.0.1:9/ref",
    "\\*déjà échappé\\*",
]


@pytest.mark.parametrize("texte", HOSTILES_AFFICHAGE)
def test_litteral_se_lit_tel_quel(texte):
    """Une fois les échappements lus, c'est le texte d'origine ; aucune marque ne reste."""
    source = litteral(texte)
    assert _lu(source) == texte
    sans_echappes = re.sub(r"\\.", "", source)
    assert not re.search(r"[*_~`\[\]<>&$|]", sans_echappes)
    assert not re.search(r"(?<!\\):(?=\S)", source)
    assert not re.search(r"(?i)https?://|www\.", source.replace("\\", ""))
    assert not re.match(r"\s*(?:[#+>=-]|\d+[.)])", source)


def test_marques_actives_neutralisees():
    assert len(marques_actives(MARKDOWN)) == len(MARQUES_ACTIVES)  # le témoin
    assert marques_actives(litteral(MARKDOWN)) == []


def test_texte_ordinaire_sans_echappement():
    """Un nom, un titre, un montant ordinaires se lisent sans barre oblique dans la source."""
    for texte in ["Saint-Jean-sur-Richelieu", "Jumelage Rimouski-Brest (2024)", "Note : bien"]:
        assert litteral(texte) == texte


def test_lignes_gardees_sans_bloc_de_code():
    source = litteral("un\n    deux\n# trois")
    assert source.split("  \n") == ["un", "\u00a0" * 4 + "deux", "\\# trois"]


def test_litteral_retire_invisibles_et_direction():
    assert litteral(f"{RLO}ekoorbrehS{PDF}{ZWSP}") == "Sherbrooke"
    assert litteral(None) == ""


def test_litteral_html_pour_plotly():
    assert (
        litteral_html("<b>gras</b> & <a href='x'>")
        == "&lt;b&gt;gras&lt;/b&gt; &amp; &lt;a href='x'&gt;"
    )


# --- Lettres sosies d'autres alphabets, listes de noms -----------------------------------

S_CYRILLIQUE, T_CYRILLIQUE, TAU_GREC = "\u0405", "\u0422", "\u03a4"


@pytest.mark.parametrize(
    "variante", [f"{T_CYRILLIQUE}-001", f"{TAU_GREC}-001", f"{T_CYRILLIQUE}-００１"]
)
def test_numero_sosie_est_la_meme_demande(variante):
    assert cle_numero(variante) == cle_numero("T-001")


def test_numero_sosie_en_double_dans_un_fichier(tmp_path):
    chemin = _classeur(
        tmp_path, [{"No de demande": "T-001"}, {"No de demande": f"{T_CYRILLIQUE}-001"}]
    )
    verification = verifier_lot([(chemin.name, chemin)], charger_appel())
    assert [(p.ligne, p.bloque) for p in verification.problemes if p.code == "doublon"] == [
        (3, True)
    ]
    (sosie,) = [p for p in verification.problemes if p.code == "lettres_sosies"]
    assert (sosie.ligne, sosie.colonne) == (3, "No de demande")
    assert "U+0422" in sosie.message and not sosie.bloque


def test_municipalite_sosie_reconnue_et_conflit_vu(tmp_path):
    """« Ѕherbrooke » (S cyrillique) s'affiche Sherbrooke : le répertoire la reconnaît, la
    demande est gardée sous le nom officiel, et l'évaluateur de Sherbrooke est en conflit."""
    chemin = _classeur(
        tmp_path,
        [{"Municipalité requérante": f"{S_CYRILLIQUE}herbrooke", "Région administrative": "05"}],
    )
    verification = verifier_lot([(chemin.name, chemin)], charger_appel())
    (d,) = verification.demandes
    assert d.valeurs["municipalite"] == "Sherbrooke"
    assert [p.colonne for p in verification.problemes if p.code == "lettres_sosies"] == [
        "Municipalité requérante"
    ]
    compte = {"courriel": "e@x.ca", "municipalite": "Sherbrooke", "region": None}
    assert len(conflits_evidents([{"id": 1, **d.valeurs}], [compte])) == 1
    # Même une valeur stockée telle quelle (base d'une version précédente) est vue.
    brute = {"id": 2, "municipalite": f"{S_CYRILLIQUE}herbrooke", "region": "05"}
    assert len(conflits_evidents([brute], [compte])) == 1


@pytest.mark.parametrize(
    "partenaires",
    ["Orford / Sherbrooke", "Orford et Sherbrooke", "Orford, Sherbrooke", "Orford；Sherbrooke"],
)
def test_partenaires_separes_autrement_que_par_un_point_virgule(partenaires):
    demande = {
        "id": 1,
        "municipalite": "Magog",
        "municipalites_partenaires": partenaires,
        "region": "05",
    }
    compte = {"courriel": "e@x.ca", "municipalite": "Sherbrooke", "region": None}
    assert len(conflits_evidents([demande], [compte])) == 1
    autre = {"courriel": "g@x.ca", "municipalite": "Sherbrooke-Est", "region": None}
    assert conflits_evidents([demande], [autre]) == []
