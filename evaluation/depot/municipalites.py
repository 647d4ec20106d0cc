"""Le répertoire des municipalités du Québec et la reconnaissance des noms saisis.

Un nom est reconnu quelle qu'en soit la casse, l'accentuation ou la ponctuation
(« --  » du répertoire, tirets, apostrophes), avec les abréviations courantes
(« St-Jean-sur-Richelieu ») et les préfixes administratifs (« Ville de Lévis »).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from evaluation.socle.chemins import DONNEES
from evaluation.socle.texte import cle_nom_propre, normaliser, suggerer

FICHIER_REPERTOIRE = DONNEES / "municipalites_quebec.csv"

_PREFIXES = re.compile(
    r"^(?:la |le |les )?(ville|municipalite|canton|cantons unis|paroisse|village|cite)"
    r"(?: de la| de l| des| du| de| d)? "
)
_PREFIXES_MRC = re.compile(
    r"^(?:la |le )?(?:mrc|m r c|municipalite regionale de comte|territoire equivalent)"
    r"(?: de la| de l| des| du| de| d)? "
)
_SUFFIXE_TE = re.compile(r"\s*\(TÉ\)\s*$")
_ARTICLE = re.compile(r"^(?:la|le|les|l) ")


def _cle_mrc(nom: str) -> str:
    """Clé d'un nom de MRC, sans l'article qui l'ouvre (« MRC de La Vallée-de-l'Or » et
    « La Vallée-de-l'Or » se confondent)."""
    return cle_nom_propre(_ARTICLE.sub("", normaliser(nom)))


# « Coaticook (MRC) », « Gatineau (TÉ) » (après `normaliser`).
_SUFFIXE_MRC = re.compile(r" (?:mrc|te)$")
_DESIGNATIONS = {
    "ville": "Ville",
    "municipalite": "Municipalité",
    "canton": "Canton",
    "cantons unis": "Cantons unis",
    "paroisse": "Paroisse",
    "village": "Village",
}


@dataclass(frozen=True)
class Municipalite:
    code_geographique: str
    nom: str
    designation: str
    mrc: str
    region_code: str
    region_nom: str
    population: int

    @property
    def nom_affiche(self) -> str:
        """Le nom avec le tiret demi-cadratin que le répertoire écrit « -- »."""
        return self.nom.replace("--", "–")


@dataclass(frozen=True)
class Reconnaissance:
    """Résultat de la recherche d'un nom : la municipalité, ou pourquoi on ne l'a pas trouvée."""

    municipalite: Municipalite | None
    ambigues: tuple[Municipalite, ...] = ()
    suggestion: str | None = None


_CODES_MAMH = {
    "v": "Ville",
    "m": "Municipalité",
    "p": "Paroisse",
    "ct": "Canton",
    "cu": "Cantons unis",
    "vl": "Village",
    "vc": "Village cri",
    "vk": "Village nordique",
    "vn": "Village naskapi",
}
_CODE_FINAL = re.compile(r"^(.*\S)\s*\((v|m|p|ct|cu|vl|vc|vk|vn)\)\s*$", re.IGNORECASE)
_DESIGNATION_FINALE = re.compile(
    r"^(.*\S)\s*,\s*((?:la |le )?(?:ville|municipalité|municipalite|canton|paroisse|village)"
    r"(?: de la| de l'| des| du| de| d')?)\s*$",
    re.IGNORECASE,
)


def _cles(nom: str) -> list[tuple[str, str | None]]:
    """Clés compactes d'un nom, la plus littérale d'abord, puis sans préfixe administratif
    avec la désignation qu'il annonce (« Canton de Hatley » → Hatley, Canton). Les écritures
    du MAMH sont comprises : « Sherbrooke (V) », « Sherbrooke, Ville de »."""
    if m := _CODE_FINAL.match(nom):
        return [(cle_nom_propre(m[1]), _CODES_MAMH[m[2].casefold()])]
    if m := _DESIGNATION_FINALE.match(nom):
        nom = f"{m[2]} {m[1]}"
    texte = normaliser(nom)
    cles = [(cle_nom_propre(texte), None)]
    prefixe = _PREFIXES.match(texte)
    if prefixe:
        cles.append((cle_nom_propre(texte[prefixe.end() :]), _DESIGNATIONS.get(prefixe.group(1))))
    return cles


class Repertoire:
    """Les municipalités, indexées par clé compacte ; plusieurs peuvent partager un nom."""

    def __init__(self, municipalites: list[Municipalite]):
        self.municipalites = municipalites
        self._par_cle: dict[str, list[Municipalite]] = {}
        for m in municipalites:
            self._par_cle.setdefault(_cles(m.nom)[0][0], []).append(m)
        self._cache: dict[tuple[str, str | None], Reconnaissance] = {}

    @classmethod
    def charger(cls, chemin: str | Path = FICHIER_REPERTOIRE) -> Repertoire:
        with open(chemin, encoding="utf-8", newline="") as f:
            lignes = list(csv.DictReader(f))
        return cls(
            [
                Municipalite(
                    ligne["code_geographique"],
                    ligne["nom"],
                    ligne["designation"],
                    ligne["mrc"],
                    ligne["region_code"],
                    ligne["region_nom"],
                    int(ligne["population"]),
                )
                for ligne in lignes
            ]
        )

    @cached_property
    def noms(self) -> list[str]:
        return [m.nom_affiche for m in self.municipalites]

    def reconnaitre(self, nom: str, region_code: str | None = None) -> Reconnaissance:
        """Trouve la municipalité nommée ; `region_code` départage les homonymes."""
        cle_cache = (nom, region_code)
        if cle_cache not in self._cache:
            self._cache[cle_cache] = self._reconnaitre(nom, region_code)
        return self._cache[cle_cache]

    def _reconnaitre(self, nom: str, region_code: str | None) -> Reconnaissance:
        candidates: list[Municipalite] = []
        designation = None
        for cle, designation in _cles(nom):  # noqa: B007 - la désignation du préfixe retenu sert après la boucle
            candidates = self._par_cle.get(cle, [])
            if candidates:
                break
        if not candidates:
            return Reconnaissance(None, suggestion=suggerer(nom, self.noms, seuil=0.85))
        if len(candidates) == 1:
            return Reconnaissance(candidates[0])
        filtrees = candidates
        if designation:
            filtrees = [m for m in filtrees if m.designation == designation] or filtrees
        if region_code and len(filtrees) > 1:
            filtrees = [m for m in filtrees if m.region_code == region_code] or filtrees
        if len(filtrees) == 1:
            return Reconnaissance(filtrees[0])
        return Reconnaissance(None, ambigues=tuple(filtrees))

    @cached_property
    def _mrc_par_cle(self) -> dict[str, str]:
        """Clé compacte → nom de chaque MRC ou territoire équivalent (colonne « mrc »)."""
        noms = {m.mrc for m in self.municipalites if m.mrc}
        return {_cle_mrc(_SUFFIXE_TE.sub("", n)): n for n in noms} | {_cle_mrc(n): n for n in noms}

    def reconnaitre_mrc(self, nom: str) -> str | None:
        """La MRC ou le territoire équivalent que nomme `nom` (« MRC de Papineau »,
        « MRC des Collines-de-l'Outaouais », « Papineau », « Gatineau (TÉ) »), tel que le
        répertoire l'écrit ; None sinon."""
        texte = normaliser(nom)
        if prefixe := _PREFIXES_MRC.match(texte):
            texte = texte[prefixe.end() :]
        return self._mrc_par_cle.get(_cle_mrc(texte))

    def mrc(self, nom: str) -> str | None:
        """La MRC (ou le territoire équivalent) que `nom` désigne expressément, ou None :
        « MRC de Coaticook », « MRC du Granit », « Coaticook (MRC) », « Municipalité
        régionale de comté de Bellechasse ». Sans « MRC », c'est un nom de municipalité
        (Coaticook, la ville) : None."""
        texte = normaliser(nom)
        sans_suffixe = _SUFFIXE_MRC.sub("", texte)
        if sans_suffixe == texte and not _PREFIXES_MRC.match(texte):
            return None
        return self.reconnaitre_mrc(sans_suffixe)

    def entite_municipale(self, nom: str) -> str | None:
        """L'entité municipale que `nom` désigne : « Ville de Lévis », « MRC de Coaticook »,
        ou None (non reconnue : l'analyste vérifie ; une régie intermunicipale, par exemple).

        « Le projet proposé peut être porté par une ou plusieurs entités municipales. »
        Interprétation : une MRC ou un territoire équivalent du répertoire est une entité
        municipale."""
        if not nom or not str(nom).strip():
            return None
        if (trouvee := self.reconnaitre(str(nom)).municipalite) is not None:
            return f"{trouvee.designation} de {trouvee.nom_affiche}"
        if (mrc := self.mrc(str(nom))) is not None:
            return f"MRC ou territoire équivalent « {mrc} »"
        return None

    @cached_property
    def _regions_par_mrc(self) -> dict[str, set[tuple[str, str]]]:
        """Nom de chaque MRC → les (code, nom) des régions de ses municipalités."""
        regions: dict[str, set[tuple[str, str]]] = {}
        for m in self.municipalites:
            if m.mrc:
                regions.setdefault(m.mrc, set()).add((m.region_code, m.region_nom))
        return regions

    def region_mrc(self, mrc: str) -> tuple[str, str] | None:
        """(code, nom) de la région de la MRC ou du territoire équivalent `mrc` (tel que
        `reconnaitre_mrc` le rend) : celle de ses municipalités, si elles sont toutes dans la
        même ; None sinon."""
        regions = self._regions_par_mrc.get(mrc, set())
        return next(iter(regions)) if len(regions) == 1 else None

    def par_code(self, code_geographique: str) -> Municipalite | None:
        return next(
            (m for m in self.municipalites if m.code_geographique == code_geographique), None
        )


_repertoire: Repertoire | None = None


def repertoire() -> Repertoire:
    """Le répertoire livré dans donnees/, chargé une fois par processus."""
    global _repertoire
    if _repertoire is None:
        _repertoire = Repertoire.charger()
    return _repertoire
