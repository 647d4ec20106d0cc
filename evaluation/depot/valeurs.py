"""Conversion des cellules telles qu'elles arrivent (texte, nombres, dates Excel) en valeurs.

Montants en cents ; « 25 000,50 $ », « 25000.50 » et 25000.5 donnent 2500050.
Chaque lecteur renvoie `None` pour une cellule vide et lève `ValeurIllisible`
(avec un message qui dit quoi écrire) pour une valeur qu'il ne sait pas lire.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from evaluation.appels.configuration import Appel, Axe, CategorieDepense, Region, Secteur
from evaluation.socle.formats import MOIS
from evaluation.socle.texte import (
    citer,
    cle_nom_propre,
    cle_souple,
    compacter,
    nettoyer,
    normaliser,
    sans_accents,
    suggerer,
)


class ValeurIllisible(ValueError):
    """La valeur d'une cellule ne peut pas être interprétée ; le message dit comment corriger."""

    def __init__(self, message: str, suggestion: str | None = None):
        super().__init__(message)
        self.suggestion = suggestion


_VIDES = {"", "-", "–", "—", "n/a", "na", "s/o", "so", "aucun", "aucune", "neant", "néant"}


def est_vide(valeur: object) -> bool:
    if valeur is None:
        return True
    genre = type(valeur)
    if genre is float:
        return math.isnan(valeur)
    if genre is not str:
        return False
    # Les marques de cellule vide sont courtes : inutile de nettoyer un long texte.
    return len(valeur) <= 12 and nettoyer(valeur).casefold() in _VIDES


# --- Montants ---------------------------------------------------------------------------

_SYMBOLES_MONETAIRES = re.compile(r"(\$|CAD|CA\$|dollars?)", re.IGNORECASE)
_ESPACES_MILLIERS = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")


MONTANT_MAX = 10**12  # dollars : au-delà, c'est une erreur de saisie, pas une demande


def _demesure(valeur: object) -> ValeurIllisible:
    return ValeurIllisible(
        f"montant démesuré ({citer(valeur)}) : vérifiez la cellule (plus de "
        f"{MONTANT_MAX:,} $).".replace(",", " ")
    )


def lire_montant(valeur: object) -> int | None:
    """Montant en cents (peut être négatif : c'est au validateur de le refuser)."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, bool):
        raise ValeurIllisible("un montant est attendu, pas une case à cocher.")
    if isinstance(valeur, int):
        if abs(valeur) > MONTANT_MAX:
            raise _demesure(valeur)
        return valeur * 100
    if isinstance(valeur, float):
        if not math.isfinite(valeur):
            raise ValeurIllisible("montant illisible.")
        if abs(valeur) > MONTANT_MAX:
            raise _demesure(valeur)
        cents = valeur * 100
        if abs(cents - round(cents)) < 1e-6:  # au plus deux décimales : le cas courant
            return round(cents)
        return int(Decimal(repr(valeur)).scaleb(2).quantize(Decimal(1), ROUND_HALF_UP))
    return _montant_texte(str(valeur))


@lru_cache(maxsize=65536)
def _montant_texte(texte: str) -> int:
    brut = texte.strip()
    negatif = False
    if brut.startswith("(") and brut.endswith(")"):
        negatif, brut = True, brut[1:-1]
    brut = _SYMBOLES_MONETAIRES.sub("", brut)
    brut = _ESPACES_MILLIERS.sub("", brut).replace("−", "-")
    if brut.startswith("-"):
        negatif, brut = not negatif, brut[1:]
    elif brut.startswith("+"):
        brut = brut[1:]
    if "," in brut and "." in brut:
        decimal_sep = "," if brut.rfind(",") > brut.rfind(".") else "."
        milliers = "." if decimal_sep == "," else ","
        brut = brut.replace(milliers, "").replace(decimal_sep, ".")
    elif brut.count(".") > 1 and re.fullmatch(r"\d{1,3}(\.\d{3})+", brut):
        brut = brut.replace(".", "")  # « 1.000.000 » : points des milliers
    elif "," in brut:
        parties = brut.split(",")
        if len(parties) > 2 or (len(parties[-1]) == 3 and len(parties) == 2 and parties[0]):
            # « 25,000 » : virgule des milliers à l'anglaise ; une virgule décimale
            # française n'a jamais trois chiffres après elle dans un montant.
            brut = brut.replace(",", "") if all(len(p) == 3 for p in parties[1:]) else "x"
        else:
            brut = brut.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", brut):
        raise ValeurIllisible(
            f"montant illisible « {citer(texte)} » : écrivez un nombre, par exemple 25000 "
            "ou « 25 000,50 $ »."
        )
    try:
        cents = (Decimal(brut) * 100).quantize(Decimal(1), ROUND_HALF_UP)
    except InvalidOperation:
        raise ValeurIllisible(f"montant illisible « {citer(texte)} ».") from None
    if abs(cents) > MONTANT_MAX * 100:
        raise _demesure(texte)
    return -int(cents) if negatif else int(cents)


# --- Dates ------------------------------------------------------------------------------

_MOIS_TEXTE = {sans_accents(m): i for i, m in enumerate(MOIS, 1)}
_MOIS_TEXTE.update(
    {
        "janv": 1,
        "fevr": 2,
        "fev": 2,
        "avr": 4,
        "juil": 7,
        "sept": 9,
        "oct": 10,
        "nov": 11,
        "dec": 12,
        "january": 1,
        "february": 2,
        "march": 3,
        "april": 4,
        "may": 5,
        "june": 6,
        "july": 7,
        "august": 8,
        "september": 9,
        "october": 10,
        "november": 11,
        "december": 12,
    }
)
_EPOQUE_EXCEL = dt.date(1899, 12, 30)
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_NUMERIQUE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_TEXTUELLE = re.compile(r"(\d{1,2})(?:er|re)?\s+([a-z]+)\.?\s+(\d{4})")


def lire_date(valeur: object) -> dt.date | None:
    """Date Excel, numéro de série Excel, ou texte : 2024-04-01, 01/04/2024, 1er avril 2024."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, dt.datetime):
        return valeur.date()
    if isinstance(valeur, dt.date):
        return valeur
    if isinstance(valeur, int | float) and not isinstance(valeur, bool):
        if 20000 <= valeur <= 80000:
            return _EPOQUE_EXCEL + dt.timedelta(days=int(valeur))
        raise ValeurIllisible(f"date illisible « {citer(valeur)} » : écrivez AAAA-MM-JJ.")
    return _date_texte(nettoyer(valeur))


@lru_cache(maxsize=16384)
def _date_texte(texte: str) -> dt.date:
    candidats: list[tuple[int, int, int]] = []
    if m := _ISO.fullmatch(texte):
        candidats.append((int(m[1]), int(m[2]), int(m[3])))
    elif m := _NUMERIQUE.fullmatch(texte):
        jour, mois, annee = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            annee += 2000
        # Usage québécois : jour/mois/année ; mois/jour seulement quand rien d'autre n'est possible.
        candidats += [(annee, mois, jour), (annee, jour, mois)]
    elif re.fullmatch(r"\d{5}(\.0)?", texte):
        return lire_date(float(texte))
    elif m := _TEXTUELLE.fullmatch(
        re.sub(r"^(le|du|au)\s+", "", sans_accents(texte).casefold().replace(",", "").strip())
    ):
        mois = _MOIS_TEXTE.get(m[2].rstrip("."))
        if mois:
            candidats.append((int(m[3]), mois, int(m[1])))
    for annee, mois, jour in candidats:
        try:
            return dt.date(annee, mois, jour)
        except ValueError:
            continue
    raise ValeurIllisible(
        f"date illisible « {citer(texte)} » : écrivez-la AAAA-MM-JJ (2024-04-01), "
        f"JJ/MM/AAAA (01/04/2024) ou en toutes lettres (1er avril 2024)."
    )


# --- Oui / non --------------------------------------------------------------------------

_OUI = {"oui", "o", "yes", "y", "x", "vrai", "true", "1", "v"}
_NON = {"non", "n", "no", "faux", "false", "0", "f"}
_COCHES = {"✓", "✔", "☑", "✅"}
_SANS_REPONSE = {"n a", "na", "s o", "so", "sans objet", "-", "?", "inconnu", "a confirmer"}


def lire_oui_non(valeur: object) -> bool | None:
    if valeur is None or (isinstance(valeur, str) and not valeur.strip()):
        return None
    if isinstance(valeur, bool):
        return valeur
    if isinstance(valeur, int | float) and valeur in (0, 1):
        return bool(valeur)
    if isinstance(valeur, str) and valeur.strip() in _COCHES:
        return True
    texte = normaliser(valeur)
    if texte in _OUI:
        return True
    if texte in _NON:
        return False
    if texte in _SANS_REPONSE or (isinstance(valeur, str) and valeur.strip() in ("-", "?")):
        return None
    raise ValeurIllisible(
        f"« {citer(valeur)} » n'est pas une réponse oui/non : écrivez oui ou non."
    )


def lire_entier(valeur: object) -> int | None:
    if est_vide(valeur):
        return None
    if isinstance(valeur, float) and valeur.is_integer():
        return int(valeur)
    if isinstance(valeur, int) and not isinstance(valeur, bool):
        return valeur
    texte = normaliser(valeur)
    if re.fullmatch(r"(annee |an )?\d+", texte):
        return int(texte.split(" ")[-1])
    raise ValeurIllisible(f"nombre entier attendu, lu « {citer(valeur)} ».")


# --- Numéro d'entreprise du Québec --------------------------------------------------------

# Le NEQ, attribué par le Registraire des entreprises, a dix chiffres. Tolérés : espaces
# (insécables comprises), tirets et points entre les groupes, une apostrophe de tête (texte
# forcé dans Excel), le libellé « NEQ » ; tout autre caractère est une erreur de saisie.
NEQ_CHIFFRES = 10
_NEQ_SEPARATEURS = re.compile(r"[\s\u00a0\u202f\u2009\u2007\u2800.\-\u2010-\u2015\u2212]+")
_NEQ_LIBELLE = re.compile(r"^\s*(?:n\.?\s*e\.?\s*q\.?|no\.?\s*neq)\s*[:#°]?\s*", re.IGNORECASE)
_NEQ_SCIENTIFIQUE = re.compile(r"^\s*([0-9]+)(?:[.,]([0-9]*))?\s*[eE]\s*\+?\s*([0-9]+)\s*$")
_NEQ_DECIMALES_NULLES = re.compile(r"(?<=[0-9])[.,]0+$")
# Invisibles (format Unicode Cf : espace de largeur nulle, trait d'union conditionnel, BOM,
# marques de direction) : retirés avant tout.
_NEQ_INVISIBLES = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _neq_invalide(valeur: object, pourquoi: str) -> ValeurIllisible:
    return ValeurIllisible(
        f"NEQ « {citer(valeur)} » invalide : {pourquoi}. Le numéro d'entreprise du Québec a "
        "dix chiffres (par exemple 1145678901) ; recopiez-le du Registraire des entreprises, "
        "dans une cellule au format Texte."
    )


def lire_neq(valeur: object) -> str | None:
    """Le NEQ en dix chiffres, sans espace ni tiret ; None pour une cellule vide.

    Un nombre lu d'Excel (1145678901 ou 1145678901.0) est accepté s'il est entier ; une
    notation scientifique écrite en texte (« 1,14568E+09 », celle d'un CSV exporté d'une
    colonne trop étroite) ne l'est que si elle garde les dix chiffres : sinon des chiffres
    sont perdus, et le numéro lu serait un autre."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, bool):
        raise _neq_invalide(valeur, "une case à cocher n'est pas un numéro")
    if isinstance(valeur, float):
        if not math.isfinite(valeur) or not valeur.is_integer():
            raise _neq_invalide(valeur, "un numéro entier est attendu")
        valeur = int(valeur)
    if isinstance(valeur, int):
        if valeur < 0:
            raise _neq_invalide(valeur, "un numéro n'est pas négatif")
        chiffres = str(valeur)
    elif isinstance(valeur, Decimal):
        if not valeur.is_finite() or valeur != valeur.to_integral_value() or valeur < 0:
            raise _neq_invalide(valeur, "un numéro entier est attendu")
        chiffres = str(int(valeur))
    elif isinstance(valeur, str):
        texte = unicodedata.normalize("NFKC", _NEQ_INVISIBLES.sub("", valeur)).strip()
        texte = _NEQ_LIBELLE.sub("", texte.lstrip("'")).strip()
        # « 1145678901.0 » : un nombre d'Excel recopié en texte (CSV), décimales nulles.
        texte = _NEQ_DECIMALES_NULLES.sub("", texte)
        if m := _NEQ_SCIENTIFIQUE.match(texte):
            entiers, decimales, exposant = m[1], m[2] or "", int(m[3])
            significatifs = (entiers + decimales).lstrip("0")
            if len(significatifs) < NEQ_CHIFFRES or exposant > 2 * NEQ_CHIFFRES:
                raise _neq_invalide(
                    valeur,
                    "la notation scientifique a perdu des chiffres (colonne au format "
                    "Nombre dans Excel)",
                )
            entier = Decimal(f"{entiers}.{decimales or '0'}").scaleb(exposant)
            if entier != entier.to_integral_value():
                raise _neq_invalide(valeur, "un numéro entier est attendu")
            chiffres = str(int(entier))
        else:
            chiffres = _NEQ_SEPARATEURS.sub("", texte)
            if not chiffres:
                return None
            if not (chiffres.isascii() and chiffres.isdigit()):
                autres = sorted({c for c in chiffres if not ("0" <= c <= "9")})
                raise _neq_invalide(
                    valeur,
                    ("caractère " if len(autres) == 1 else "caractères ")
                    + ", ".join(f"« {c} »" for c in autres[:5])
                    + " hors des "
                    "chiffres 0 à 9",
                )
    else:
        raise _neq_invalide(valeur, "un numéro de dix chiffres est attendu")
    if len(chiffres) != NEQ_CHIFFRES:
        raise _neq_invalide(valeur, f"{len(chiffres)} chiffres au lieu de {NEQ_CHIFFRES}")
    return chiffres


# --- Valeurs propres à l'appel ------------------------------------------------------------


_ROMAINS = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}


_CLES_SIMPLES = (str, int, float)


class Vocabulaire:
    """Les valeurs permises par un appel (axes, secteurs, régions, catégories, signataires),
    reconnues sans égard à la casse ni aux accents, avec une suggestion quand c'est proche."""

    def __init__(self, appel: Appel):
        self.appel = appel
        self._secteurs = _index(((s.libelle, *s.alias, s.id), s) for s in appel.secteurs)
        self._categories = _index(((c.libelle, *c.alias, c.id), c) for c in appel.categories)
        self._secteurs_souples = _index(
            (((s.libelle, *s.alias), s) for s in appel.secteurs), cle=cle_souple
        )
        self._categories_souples = _index(
            (((c.libelle, *c.alias), c) for c in appel.categories), cle=cle_souple
        )
        self._regions = {cle_nom_propre(r.nom): r for r in appel.regions}
        self._axes_par_libelle = _index(((a.libelle,), a) for a in appel.axes)
        self._axes = {a.numero: a for a in appel.axes}
        self._regions_code = {int(r.code): r for r in appel.regions if r.code.isdigit()}
        self._cache: dict[tuple[str, object], object] = {}

    def _memo(self, genre: str, valeur: object, calcul):
        cle = (genre, valeur if type(valeur) in _CLES_SIMPLES else repr(valeur))
        try:
            resultat = self._cache[cle]
        except KeyError:
            try:
                resultat = calcul(valeur)
            except ValeurIllisible as exc:
                resultat = exc
            self._cache[cle] = resultat
        if type(resultat) is ValeurIllisible:
            raise resultat
        return resultat

    def axe(self, valeur: object) -> Axe:
        return self._memo("axe", valeur, self._axe)

    def _axe(self, valeur: object) -> Axe:
        numeros = ", ".join(str(n) for n in self._axes)
        texte = normaliser(valeur)
        if isinstance(valeur, float) and valeur.is_integer():
            texte = str(int(valeur))
        romain = re.match(r"(?:axe )?(?:n |no )?(i{1,3}|iv|v|vi{1,3}|ix|x)(?: |$)", texte)
        if romain:
            texte = str(_ROMAINS[romain[1]]) + texte[romain.end(1) :]
        if m := re.match(r"(?:axe ?)?(?:n |no |numero )?(\d+)(?: |$)", texte):
            axe = self._axes.get(int(m[1]))
            if axe:
                return axe
            raise ValeurIllisible(f"axe « {citer(valeur)} » inconnu : les axes sont {numeros}.")
        if axe := self._axes_par_libelle.get(compacter(texte)):
            return axe
        raise ValeurIllisible(
            f"axe « {citer(valeur)} » inconnu : écrivez le numéro de l'axe ({numeros})."
        )

    def secteur(self, valeur: object) -> Secteur:
        return self._memo("secteur", valeur, self._secteur)

    def _secteur(self, valeur: object) -> Secteur:
        trouve = self._secteurs.get(compacter(valeur)) or self._secteurs_souples.get(
            cle_souple(valeur)
        )
        if trouve:
            return trouve
        return self._inconnu(
            "secteur « {} » inconnu", valeur, [s.libelle for s in self.appel.secteurs]
        )

    def region(self, valeur: object) -> Region:
        return self._memo("region", valeur, self._region)

    def _region(self, valeur: object) -> Region:
        if (
            isinstance(valeur, int | float)
            and not isinstance(valeur, bool)
            and float(valeur).is_integer()
            and int(valeur) in self._regions_code
        ):
            return self._regions_code[int(valeur)]
        texte = normaliser(valeur)
        if re.fullmatch(r"\d{1,2} 0", texte):  # « 16.0 » : un code lu comme un nombre
            texte = texte[:-2]
        if trouve := self._regions.get(cle_nom_propre(texte)):
            return trouve
        cle = cle_nom_propre(texte)
        debuts = [r for k, r in self._regions.items() if len(cle) >= 5 and k.startswith(cle)]
        if len(debuts) == 1:  # « Gaspésie », « Saguenay », « Abitibi »
            return debuts[0]
        # « Montérégie (16) », « 16 - Montérégie », « Région 16 » : le code fait foi s'il
        # est seul ou s'il s'accorde avec le nom.
        sans_code = re.sub(r"\b\d{1,2}\b", " ", texte)
        codes = [int(c) for c in re.findall(r"\b(\d{1,2})\b", texte)]
        par_nom = self._regions.get(cle_nom_propre(sans_code.replace("region", "")))
        if len(codes) == 1 and codes[0] in self._regions_code:
            par_code = self._regions_code[codes[0]]
            if par_nom is None or par_nom == par_code:
                return par_code
        elif not codes and par_nom:
            return par_nom
        return self._inconnu(
            "région « {} » inconnue",
            valeur,
            [r.nom for r in self.appel.regions],
            "le code (01 à 17) ou le nom",
        )

    def categorie(self, valeur: object) -> CategorieDepense:
        return self._memo("categorie", valeur, self._categorie)

    def _categorie(self, valeur: object) -> CategorieDepense:
        cle = compacter(valeur)
        if trouve := self._categories.get(cle) or self._categories_souples.get(cle_souple(valeur)):
            return trouve
        # Un libellé de la liste tronqué (« Frais d'organisation logistique directement… ») :
        # reconnu seulement s'il contient déjà un nom entier de la catégorie (« Frais
        # d'organisation logistique directement liés ») ou finit par des points de
        # suspension. Un début qui laisse tomber ce qui qualifie la dépense n'est pas
        # reconnu : « Déplacement et séjour » (d'élus : non admissibles) n'est pas
        # « Déplacement et séjour de partenaires étrangers » (admissibles) ; l'analyste le
        # rattache à la page Importation.
        if len(cle) >= 12:
            tronque = str(valeur).rstrip().endswith(("…", "..."))
            debuts = {
                c
                for k, c in self._categories.items()
                if k.startswith(cle)
                and (
                    tronque
                    or any(cle.startswith(k2) for k2, c2 in self._categories.items() if c2 == c)
                )
            }
            if len(debuts) == 1:
                return debuts.pop()
        noms = [n for c in self.appel.categories for n in (c.libelle, *c.alias)]
        return self._inconnu("catégorie de dépense « {} » inconnue", valeur, noms)

    def qualite_signataire(self, valeur: object) -> str:
        return self._memo("qualite", valeur, self._qualite)

    def _qualite(self, valeur: object) -> str:
        texte = normaliser(valeur)
        for qualite in self.appel.qualites_signataire:
            racine = normaliser(qualite)[:5]
            if texte == normaliser(qualite) or any(m.startswith(racine) for m in texte.split()):
                return qualite
        return self._inconnu(
            "qualité du signataire « {} » inconnue", valeur, list(self.appel.qualites_signataire)
        )

    @staticmethod
    def _inconnu(quoi: str, valeur: object, permis: list[str], consigne: str | None = None):
        suggestion = suggerer(nettoyer(valeur), permis)
        if suggestion:
            raise ValeurIllisible(
                f"{quoi.format(citer(valeur))} : vouliez-vous dire « {suggestion} » ?",
                suggestion,
            )
        liste_permise = ", ".join(permis) if len(permis) <= 8 else None
        aide = consigne or (
            f"l'une des valeurs : {liste_permise}"
            if liste_permise
            else "une valeur de la liste du gabarit"
        )
        raise ValeurIllisible(f"{quoi.format(citer(valeur))} : écrivez {aide}.")


def _index(paires, cle=compacter) -> dict:
    index: dict = {}
    for noms, objet in paires:
        for nom in noms:
            index.setdefault(cle(nom), objet)
    return index
