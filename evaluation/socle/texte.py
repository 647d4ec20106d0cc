"""Le texte venu des fichiers et des personnes : le nettoyer (caractères invisibles et de
direction, forme Unicode), le comparer (casse, accents, tirets et espaces ignorés) et
l'afficher tel quel, jamais comme du Markdown."""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from bidi import get_display

# U+2800 (motif braille vide) s'affiche comme une espace : il en est une ici.
_ESPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007\u2800]+")
# Caractères de contrôle (NUL, etc.) : invisibles, et refusés par PostgreSQL.
_CONTROLES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Les caractères qui ne s'affichent pas mais changent une comparaison ou l'ordre d'affichage :
# toute la catégorie Unicode « Cf » (format : trait d'union conditionnel U+00AD, espaces et
# liants sans chasse U+200B–U+200D, marques et forçages de direction U+200E–U+200F,
# U+202A–U+202E, U+2066–U+2069, U+061C, gluon U+2060–U+2064, U+180E, BOM U+FEFF, caractères
# d'étiquette U+E0000–U+E007F…, tests/socle/test_textes_hostiles.py vérifie qu'aucun n'y manque),
# et les invisibles d'autres catégories : joint de graphèmes U+034F, remplisseurs hangul,
# voyelles inhérentes khmères, sélecteurs de variante. Le liant sans chasse (U+200D) et
# l'antiliant (U+200C) servent à certaines écritures (arabe, indiennes) ; les données d'un
# appel québécois sont en français : ils partent aussi.
_INVISIBLES = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
    "\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)
# Ceux qui changent l'ordre d'affichage : le texte gardé est celui qu'on voyait.
_DIRECTION = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def sans_accents(texte: str) -> str:
    """Retire les diacritiques (« Montérégie » → « Monteregie »)."""
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


def normaliser(texte: object) -> str:
    """Forme de comparaison : minuscules sans accents, mots séparés par une espace.

    Tirets (y compris « -- » du répertoire), apostrophes et ponctuation deviennent
    des séparateurs, si bien que « Saint-Jean--sur-Richelieu » et « saint jean sur
    richelieu » se confondent.
    """
    if texte is None:
        return ""
    return _normaliser(str(texte))


# Lettres d'autres alphabets qui s'affichent comme des lettres latines (sous-ensemble des
# « confusables » d'Unicode, UTS #39 : cyrillique, grec, latin « petites capitales ») :
# « Ѕherbrooke » (S cyrillique) est Sherbrooke pour qui le lit, et doit l'être pour les
# comparaisons (répertoire, doublons, conflits d'intérêts).
_SOSIES_LATINS = {
    "a": "аɑα", "b": "Ьḃ", "c": "сϲ", "d": "ԁ", "e": "еҽ", "g": "ɡ", "h": "һ", "i": "іιӏ",
    "j": "јϳ", "k": "κк", "l": "ӏ", "m": "м", "n": "пη", "o": "оοσ", "p": "рρ", "q": "ԛ",
    "s": "ѕ", "t": "т", "u": "υ", "v": "νѵ", "w": "ԝ", "x": "хχ", "y": "уүγ", "z": "ᴢ",
    "A": "АΑ", "B": "ВΒ", "C": "СϹ", "E": "ЕΕ", "H": "НΗ", "I": "ІΙӀ", "J": "Ј", "K": "КΚ",
    "M": "МΜ", "N": "Ν", "O": "ОΟ", "P": "РΡ", "S": "Ѕ", "T": "ТΤ", "X": "ХΧ", "Y": "УΥҮ",
    "Z": "Ζ",
}  # fmt: skip
_SOSIES = str.maketrans({c: latin for latin, cs in _SOSIES_LATINS.items() for c in cs})
_SOSIE = re.compile("[" + "".join(c for cs in _SOSIES_LATINS.values() for c in cs) + "]")
_SUSPECT = re.compile(f"{_INVISIBLES.pattern}|{_SOSIE.pattern}")
# Un caractère hors de l'ordinaire d'un texte français : ni ASCII imprimable (ni tabulation
# ni fin de ligne), ni lettre latine (Latin-1 sans le trait d'union conditionnel, Latin
# étendu A), ni espace, tiret, guillemet ou ponctuation usuelle (U+2000–U+2029 sans les
# invisibles U+200B–U+200F, U+202F–U+205E, €). Un texte sans aucun de ces caractères n'a ni
# invisible, ni forçage de direction, ni sosie, ni contrôle, et il est en NFC à ses espaces
# près : `nettoyer` et `suspect` le traitent sans les recherches ci-dessus. Classe bornée au
# plan multilingue de base : une recherche par table, en C, trois fois plus rapide que
# `_SUSPECT` (mesuré sur 5 000 résumés).
_HORS_DU_COMMUN = re.compile(
    "[^\t\n\r -~\u00a0-\u00ac\u00ae-\u017f\u2000-\u200a\u2010-\u2029\u202f-\u205e\u20ac]"
)


def ordinaire(texte: str) -> bool:
    """Vrai si le texte n'a que des caractères ordinaires (voir `_HORS_DU_COMMUN`)."""
    return _HORS_DU_COMMUN.search(texte) is None


def suspect(texte: str) -> bool:
    """Vrai si le texte porte un caractère invisible, de direction ou une lettre sosie : une
    seule recherche, pour écarter vite le cas courant."""
    return not ordinaire(texte) and _SUSPECT.search(texte) is not None


def sosies(texte: str) -> list[str]:
    """Les lettres d'autres alphabets qui imitent des lettres latines (« U+0405 »)."""
    if not _SOSIE.search(texte):
        return []
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in _SOSIE.findall(texte)))


def squelette(texte: str) -> str:
    """Le texte où chaque lettre sosie est remplacée par la lettre latine qu'elle imite."""
    return texte.translate(_SOSIES)


@lru_cache(maxsize=65536)
def _normaliser(texte: str) -> str:
    brut = texte.casefold()
    if not brut.isascii():
        brut = sans_accents(squelette(visible(brut))).replace("œ", "oe").replace("æ", "ae")
    return _NON_ALNUM.sub(" ", brut).strip()


# Précisions entre parenthèses qui ne changent pas le sens d'un en-tête : « Coût ($) »,
# « Date (AAAA-MM-JJ) », « Région (code) ». « Montant demandé (total) », lui, n'est pas
# « Montant demandé » : la parenthèse reste.
_PRECISIONS = {
    "cad",
    "en",
    "dollars",
    "en dollars",
    "aaaa mm jj",
    "jj mm aaaa",
    "aaaa mm",
    "oui non",
    "o n",
    "code",
    "nom",
    "code ou nom",
    "obligatoire",
    "facultatif",
    "optionnel",
    "si applicable",
    "le cas echeant",
    "s il y a lieu",
    "texte",
    "nombre",
    "montant",
}


def _precision(match: re.Match) -> str:
    contenu = normaliser(match.group(0)[1:-1])
    sans_chiffres = re.sub(r"\d+", " ", contenu).split()
    if not sans_chiffres or " ".join(sans_chiffres) in _PRECISIONS:
        return " "
    return " " + contenu + " "


def normaliser_entete(texte: object) -> str:
    """Comme `normaliser`, sans les unités ou formats précisés entre parenthèses."""
    return normaliser(_PARENTHESES.sub(_precision, str(texte or "")))


def compacter(texte: object) -> str:
    """Clé sans aucun séparateur, pour les noms propres (« Saint-Lambert » = « St Lambert »)."""
    return normaliser(texte).replace(" ", "")


def citer(valeur: object, longueur: int = 40) -> str:
    """Une valeur de cellule telle qu'un message la cite : nettoyée et coupée (« … ») au-delà
    d'une quarantaine de caractères, pour qu'une cellule démesurée n'envahisse pas le rapport."""
    if isinstance(valeur, str) and len(valeur) > longueur * 8:
        valeur = valeur[: longueur * 8]  # nettoyer un texte de 100 Mo pour en citer 40 : non
    texte = nettoyer(valeur)
    return texte if len(texte) <= longueur else texte[: longueur - 1].rstrip() + "…"


_ABREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def cle_nom_propre(texte: object) -> str:
    """Clé compacte d'un nom de lieu, abréviations développées (« St-Georges »)."""
    return "".join(_ABREVIATIONS.get(m, m) for m in normaliser(texte).split(" "))


def cle_souple(texte: object) -> str:
    """Clé compacte qui confond singulier et pluriel (« frais de visa » = « Frais de visas »)."""
    return "".join(
        m[:-1] if len(m) > 3 and m[-1] in "sx" else m for m in normaliser(texte).split(" ")
    )


def invisibles(texte: str) -> list[str]:
    """Les caractères invisibles ou de direction de `texte` (« U+200B »), une fois chacun,
    dans l'ordre où ils paraissent."""
    if not _INVISIBLES.search(texte):
        return []
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in _INVISIBLES.findall(texte)))


def visible(texte: str) -> str:
    """Le texte tel qu'il s'affiche, sans caractère invisible : un passage retourné par un
    forçage de direction (U+202E « ekoorbrehS » qui s'affiche « Sherbrooke ») est remis
    dans l'ordre où on le lisait, puis les invisibles sont retirés et le texte mis en forme
    normale composée (NFC : « é » d'un caractère ou de deux, c'est le même)."""
    if texte.isascii():
        return texte
    if _DIRECTION.search(texte):
        # Ordre d'affichage selon l'algorithme bidirectionnel d'Unicode (UAX 9), paragraphe
        # de gauche à droite comme un texte français.
        texte = get_display(texte, base_dir="L")
    texte = _INVISIBLES.sub("", texte)
    if not unicodedata.is_normalized("NFC", texte):
        texte = unicodedata.normalize("NFC", texte)
    return texte


def nettoyer(valeur: object) -> str:
    """Texte d'une cellule sans espaces superflus ni caractère invisible (voir `visible`) ;
    chaîne vide pour une cellule vide."""
    if valeur is None:
        return ""
    if isinstance(valeur, str):
        if len(valeur) > 80:  # un long texte (résumé) est unique : le garder en cache, non
            return _nettoyer_texte.__wrapped__(valeur)
        return _nettoyer_texte(valeur)
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return _ESPACES.sub(" ", str(valeur)).strip()


@lru_cache(maxsize=65536)
def _nettoyer_texte(texte: str) -> str:
    if ordinaire(texte):
        return nettoyer_ordinaire(texte)
    return _ESPACES.sub(" ", visible(_CONTROLES.sub("", texte))).strip()


def nettoyer_ordinaire(texte: str) -> str:
    """`nettoyer` d'un texte dont on sait déjà qu'il est `ordinaire` (une ligne entière
    vérifiée d'un coup, par exemple) : ses seules espaces sont celles que `str.split`
    reconnaît, comme `_ESPACES`, et il n'a rien à retirer. Déjà propre (ses seules espaces
    sont des espaces simples, entre des mots), il est rendu tel quel, sans copie : 50 000
    résumés ne sont pas gardés deux fois."""
    if texte.isprintable() and "  " not in texte and texte[:1] != " " and texte[-1:] != " ":
        propre = texte
    else:
        propre = " ".join(texte.split())
    if propre.isascii() or unicodedata.is_normalized("NFC", propre):
        return propre
    return unicodedata.normalize("NFC", propre)


_TIRETS = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")


def cle_identifiant(valeur: object) -> str:
    """Clé de comparaison d'un identifiant (numéro de demande) : nettoyé, en forme de
    compatibilité (NFKC : « Ｔ-００１ » pleine chasse = « T-001 »), tirets typographiques
    ramenés au trait d'union, sans casse. Le texte gardé, lui, reste en NFC : NFKC
    changerait « m² » ou « ﬁ » dans un titre."""
    texte = nettoyer(valeur)
    if not texte.isascii():
        texte = squelette(_TIRETS.sub("-", unicodedata.normalize("NFKC", texte)))
    return texte.casefold()


def suggerer(saisie: str, candidats: Iterable[str], seuil: float = 0.8) -> str | None:
    """Le candidat le plus proche de la saisie (comparaison normalisée), s'il l'est assez."""
    par_cle: dict[str, str] = {}
    for candidat in candidats:
        par_cle.setdefault(normaliser(candidat), candidat)
    proches = difflib.get_close_matches(normaliser(saisie), list(par_cle), n=1, cutoff=seuil)
    return par_cle[proches[0]] if proches else None


_SEPARATEURS_LISTE = re.compile(r"[;\n]")
# Entre des noms de municipalités : aucun nom du répertoire ne contient de virgule, de barre
# oblique ni « et » entre deux espaces.
_SEPARATEURS_NOMS = re.compile(r"[;\n,/|；，／]| et ")


def noms_multiples(valeur: object) -> list[str]:
    """Découpe une cellule de noms de municipalités (« Magog / Orford », « Magog et Orford »,
    « Magog, Orford ») en noms non vides."""
    texte = valeur if isinstance(valeur, str) else nettoyer(valeur)
    return [e for e in map(nettoyer, _SEPARATEURS_NOMS.split(texte)) if e]


def liste(valeur: object) -> list[str]:
    """Découpe une cellule à valeurs multiples (« Magog; Orford ») en éléments non vides."""
    texte = valeur if isinstance(valeur, str) else nettoyer(valeur)
    return [e for e in map(nettoyer, _SEPARATEURS_LISTE.split(texte)) if e]


# Ce que Markdown (CommonMark et GFM) et Streamlit lisent au fil du texte : échappement,
# code, emphase, barré, lien et image, HTML et adresse entre chevrons, entité, LaTeX
# (« $…$ »), tableau, et le deux-points qui ouvre une marque de Streamlit (« :red[…] »),
# pas celui de « Note : ». CommonMark permet d'échapper toute ponctuation ASCII d'une
# barre oblique inverse.
_MARQUES = re.compile(r"([\\`*_~\[\]<>&$|]|:(?=\S))")
# Streamlit remplace « :streamlit: », « :material/home: », « :smile: » dans le texte déjà
# lu, échappement ou non (vérifié dans Chromium) : un gluon (U+2060, invisible) après un
# deux-points suivi d'une lettre, d'un chiffre, de + ou de - l'en empêche.
_CODE_COURT = re.compile(r"(?<=\\:)(?=[\w+-])")
# En début de ligne : titre, liste, citation, soulignement de titre (« === »).
_DEBUT_DE_BLOC = re.compile(r"^([#+=-])")
_LISTE_NUMEROTEE = re.compile(r"^(\d+)([.)])")
# Une adresse nue devient un lien (GFM) quel que soit l'échappement : un gluon (U+2060,
# invisible) entre « http » et « :// », ou entre « www » et « . », l'en empêche.
_ADRESSE = re.compile(r"(?i)(?:https?|ftp)(?=\\:)|www(?=\.)")


def _ligne_litterale(ligne: str) -> str:
    # Des blancs de tête feraient un bloc de code : des espaces insécables les gardent.
    corps = ligne.lstrip(" \t")
    retrait = ligne[: len(ligne) - len(corps)].replace("\t", "    ").replace(" ", "\u00a0")
    ligne = retrait + _MARQUES.sub(r"\\\1", corps)
    ligne = _LISTE_NUMEROTEE.sub(r"\1\\\2", _DEBUT_DE_BLOC.sub(r"\\\1", ligne))
    ligne = _CODE_COURT.sub("\u2060", ligne)
    return _ADRESSE.sub(lambda m: m.group(0) + "\u2060", ligne)


def litteral(valeur: object) -> str:
    """`valeur` à afficher telle quelle par Streamlit (st.markdown, st.caption, st.info,
    st.table, libellés d'expander, de métrique, de bouton, options de st.radio…, qui
    interprètent tous le Markdown) : image, lien, gras, LaTeX, couleurs, icônes et HTML
    restent du texte.

    Les marques de Markdown et de Streamlit sont échappées d'une barre oblique inverse (un
    texte ordinaire n'en reçoit aucune : « Saint-Jean, 25 mai »), les adresses ne deviennent
    pas des liens, les caractères invisibles ou de direction sont retirés (voir `visible`),
    et chaque ligne garde son saut sans devenir un titre, une liste ou un bloc de code. À ne
    pas employer là où Streamlit affiche du texte brut (st.selectbox, st.multiselect,
    st.dataframe, st.text) : les barres obliques s'y verraient."""
    if valeur is None:
        return ""
    texte = visible(_CONTROLES.sub("", str(valeur)))
    return "  \n".join(_ligne_litterale(ligne) for ligne in texte.splitlines())


def litteral_html(valeur: object) -> str:
    """`valeur` à afficher telle quelle dans du HTML ou dans un graphique plotly (libellés,
    infobulles), qui interprète « <b> », « <a href> » et « <br> »."""
    if valeur is None:
        return ""
    return html.escape(visible(_CONTROLES.sub("", str(valeur))), quote=False)


# Un commentaire, une raison ou une justification saisis : quelques pages au plus. Au-delà,
# c'est un collage accidentel (ou hostile) qui alourdirait le journal et chaque page.
SAISIE_MAX = 10_000


def trop_long(texte: str | None, quoi: str) -> str | None:
    """Le refus d'un texte saisi trop long (None s'il tient), qui dit quoi faire."""
    if texte is not None and len(texte) > SAISIE_MAX:
        return (
            f"{quoi} : {len(texte)} caractères, {SAISIE_MAX} au plus. Résumez-le, ou joignez "
            "le détail au dossier de la demande."
        )
    return None
