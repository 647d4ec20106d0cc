"""La configuration d'un appel telle qu'on la modifie, en règles pures : ses sections (le
TOML en dictionnaire) et leur écriture en TOML lisible, la copie d'un appel, ce qui change
d'une configuration à l'autre (et ce qui ne peut plus changer une fois des notes données),
les tableaux édités de la page Paramètres ramenés en sections. `appels.parametres`
enregistre, archive et importe."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

import tomli_w

from evaluation.appels.configuration import (
    DOSSIER_APPELS,
    REGLES_DEPARTAGE,
    Appel,
    charger_appel,
)
from evaluation.appels.reglages import sources_elaguees, sources_en_toml
from evaluation.socle.concurrence import ModificationConcurrente
from evaluation.socle.texte import citer

DOSSIER_MODELES = DOSSIER_APPELS.parent / "modeles"


FORMAT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")


class ParametresRefuses(ValueError):
    """Un changement de configuration que l'état de l'appel interdit (message pour l'écran)."""


class ParametresPerimes(ModificationConcurrente, ParametresRefuses):
    """La configuration a changé depuis que la page l'a lue : rien n'est écrit."""


def modeles_fournis() -> dict[str, Appel]:
    """Les modèles livrés, par identifiant : les appels de donnees/appels/ et les modèles
    de donnees/modeles/ (d'autres programmes, points de départ à adapter)."""
    chemins = sorted(DOSSIER_APPELS.glob("*.toml")) + sorted(DOSSIER_MODELES.glob("*.toml"))
    return {a.id: a for a in (charger_appel(c) for c in chemins)}


def sections(appel: Appel) -> dict:
    """La configuration de l'appel, en dictionnaire (les sections du TOML)."""
    return tomllib.loads(appel.source_toml.removeprefix("\ufeff"))


ORDRE_SECTIONS = (
    "appel",
    "demandeur",
    "axes",
    "secteurs",
    "dimensions",
    "evaluation",
    "criteres",
    "classement",
    "comite",
    "cibles",
    "financement",
    "suivi",
    "conservation",
    "depenses",
    "admissibilite",
    "regions",
    "sources",
)


def vers_toml(donnees: dict) -> str:
    """Le TOML d'une configuration, lisible comme les fichiers livrés : sections dans l'ordre
    d'un appel, une table « [[axes]] » par élément ; tomli_w écrit (et échappe) les valeurs.
    `appel_depuis_toml(vers_toml(sections(a)))` redonne `a`."""
    donnees = sources_elaguees(donnees)  # un critère retiré emporte la source de son poids
    morceaux = []
    ordre = [s for s in ORDRE_SECTIONS if s in donnees]
    ordre += [s for s in donnees if s not in ORDRE_SECTIONS]
    for nom in ordre:
        valeur = donnees[nom]
        if nom == "sources" and isinstance(valeur, dict):
            morceaux.append(sources_en_toml(valeur))
            continue
        if isinstance(valeur, list):
            for t in valeur:
                simples = {k: v for k, v in t.items() if not _liste_de_tables(v)}
                morceaux.append(f"[[{nom}]]\n{tomli_w.dumps(simples)}")
                for cle, tables in t.items():
                    if _liste_de_tables(tables):
                        morceaux += [f"[[{nom}.{cle}]]\n{tomli_w.dumps(u)}" for u in tables]
            continue
        simples = {k: v for k, v in valeur.items() if not _liste_de_tables(v)}
        morceaux.append(f"[{nom}]\n{tomli_w.dumps(simples)}")
        for cle, tables in valeur.items():
            if _liste_de_tables(tables):
                morceaux += [f"[[{nom}.{cle}]]\n{tomli_w.dumps(t)}" for t in tables]
    return "\n".join(morceaux)


def _liste_de_tables(valeur) -> bool:
    return isinstance(valeur, list) and bool(valeur) and all(isinstance(v, dict) for v in valeur)


def verifier_identifiant(identifiant: str) -> None:
    if not FORMAT_ID.match(identifiant or ""):
        raise ParametresRefuses(
            f"identifiant « {citer(identifiant)} » invalide : de 3 à 100 caractères, minuscules "
            "sans accents, chiffres et tirets (ex. « paivmq-2024-2025 »)."
        )


def copie(source: Appel, identifiant: str, nom: str, nom_court: str = "") -> str:
    """Le TOML d'un nouvel appel qui reprend toute la configuration de `source` (un modèle
    livré ou l'appel de l'an dernier) sous un autre identifiant et un autre nom."""
    verifier_identifiant(identifiant)
    if not nom.strip():
        raise ParametresRefuses("le nom du nouvel appel est obligatoire.")
    donnees = sections(source)
    donnees["appel"] |= {"id": identifiant, "nom": nom.strip()}
    donnees["appel"]["nom_court"] = nom_court.strip() or identifiant
    return vers_toml(donnees)


@dataclass(frozen=True)
class Ecarts:
    """Ce qui change d'une configuration à l'autre."""

    structure: tuple[str, ...] = ()  # critères ou échelle : interdits une fois des notes
    poids: dict[str, tuple[float, float]] = field(default_factory=dict)
    sections: tuple[str, ...] = ()  # sections du TOML qui changent (pour le journal)
    valeurs: tuple[str, ...] = ()  # « section.clé : avant → après » (pour le journal)

    @property
    def aucun(self) -> bool:
        return not (self.structure or self.poids or self.sections)


def ecarts(ancien: Appel, nouveau: Appel) -> Ecarts:
    structure = []
    if [c.id for c in ancien.criteres] != [c.id for c in nouveau.criteres]:
        structure.append(
            "les critères ("
            + ", ".join(c.id for c in ancien.criteres)
            + " → "
            + ", ".join(c.id for c in nouveau.criteres)
            + ")"
        )
    else:
        for a, n in zip(ancien.criteres, nouveau.criteres, strict=True):
            if (a.libelle, a.minimum) != (n.libelle, n.minimum):
                structure.append(f"le critère « {a.libelle} » (libellé ou minimum)")
    echelle = ("echelle_min", "echelle_max", "pas")
    if any(getattr(ancien, e) != getattr(nouveau, e) for e in echelle):
        structure.append(
            f"l'échelle ({ancien.echelle_min:g}–{ancien.echelle_max:g} par {ancien.pas:g} → "
            f"{nouveau.echelle_min:g}–{nouveau.echelle_max:g} par {nouveau.pas:g})"
        )
    poids = {
        cid: (ancien.poids[cid], p)
        for cid, p in nouveau.poids.items()
        if cid in ancien.poids and ancien.poids[cid] != p
    }
    avant, apres = sections(ancien), sections(nouveau)
    changees = tuple(s for s in sorted(avant.keys() | apres.keys()) if avant.get(s) != apres.get(s))
    return Ecarts(tuple(structure), poids, changees, tuple(valeurs_changees(avant, apres)))


def _lisible(valeur) -> str:
    if isinstance(valeur, list) and not _liste_de_tables(valeur):
        return "[" + ", ".join(_lisible(v) for v in valeur) + "]"
    if isinstance(valeur, float):
        return f"{valeur:g}"
    texte = str(valeur)
    return texte if len(texte) <= 60 else texte[:59] + "…"


def valeurs_changees(avant: dict, apres: dict, chemin: str = "") -> list[str]:
    """Chaque valeur qui change d'une configuration à l'autre, « section.clé : avant →
    après » ; une liste de tables (critères, axes…) qui change de longueur est dite en
    nombre d'éléments, ses éléments sont comparés un à un sinon. Pour le journal : qui
    lit un refus pour modification concurrente sait quoi a changé."""
    changees = []
    for cle in sorted(avant.keys() | apres.keys(), key=str):
        nom = f"{chemin}.{cle}" if chemin else str(cle)
        a, n = avant.get(cle), apres.get(cle)
        if a == n:
            continue
        if isinstance(a, dict) and isinstance(n, dict):
            changees += valeurs_changees(a, n, nom)
        elif _liste_de_tables(a) and _liste_de_tables(n) and len(a) == len(n):
            for i, (x, y) in enumerate(zip(a, n, strict=True), 1):
                changees += valeurs_changees(x, y, f"{nom}[{i}]")
        elif _liste_de_tables(a) or _liste_de_tables(n):
            changees.append(f"{nom} : {len(a or [])} → {len(n or [])} éléments")
        else:
            changees.append(
                f"{nom} : {'(absent)' if a is None else _lisible(a)} → "
                f"{'(absent)' if n is None else _lisible(n)}"
            )
    return changees


def _vide(valeur) -> bool:
    if valeur is None:
        return True
    if isinstance(valeur, float) and valeur != valeur:
        return True
    return isinstance(valeur, str) and not valeur.strip()


def liste_en_texte(valeurs) -> str:
    """["a", "b"] → « a ; b » (une cellule de tableau éditable)."""
    return " ; ".join(valeurs or [])


def texte_en_liste(texte) -> list[str]:
    """« a ; b » → ["a", "b"] (les points-virgules séparent, les blancs autour tombent)."""
    if _vide(texte):
        return []
    return [m.strip() for m in str(texte).split(";") if m.strip()]


def tables_depuis_lignes(
    lignes: list[dict],
    *,
    entiers: tuple[str, ...] = (),
    reels: tuple[str, ...] = (),
    listes: tuple[str, ...] = (),
    booleens: tuple[str, ...] = (),
) -> list[dict]:
    """Les lignes d'un tableau édité (st.data_editor) en tables TOML : cellules vides
    omises, nombres et listes remis dans leur type ; une ligne toute vide est ignorée.
    Une valeur qui ne se convertit pas est laissée telle quelle : la validation de l'appel
    la nommera."""
    tables = []
    for ligne in lignes:
        table = {}
        for cle, valeur in ligne.items():
            if cle in listes:
                if texte_en_liste(valeur):
                    table[cle] = texte_en_liste(valeur)
                continue
            if cle in booleens:
                if valeur is True:
                    table[cle] = True
                continue
            if _vide(valeur):
                continue
            if isinstance(valeur, str):
                valeur = valeur.strip()
            table[cle] = _nombre(valeur, int) if cle in entiers else valeur
            if cle in reels:
                table[cle] = _nombre(valeur, float)
        if table:
            tables.append(table)
    return tables


def _nombre(valeur, genre):
    try:
        nombre = float(str(valeur).replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        return valeur
    if genre is int and nombre.is_integer():
        return int(nombre)
    if genre is float:
        return int(nombre) if nombre.is_integer() else nombre
    return valeur


def nombre_net(valeur: float) -> int | float:
    """25000.0 → 25000 : le TOML écrit reste celui qu'on taperait."""
    return int(valeur) if float(valeur).is_integer() else float(valeur)


# Ce que l'éditeur des cibles montre pour « * » (chaque valeur de la dimension).
CHACUNE = "Chacune"
_NOMBRES_CIBLE = ("part_min", "part_max", "nombre_min", "nombre_max")


def _nombre_en_texte(valeur) -> str:
    """20 → « 20 », 12.5 → « 12,5 », rien → « » : la cellule d'un éditeur, sans perte."""
    if _vide(valeur):
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return str(valeur).replace(".", ",")


def cibles_en_lignes(cibles: list[dict]) -> list[dict]:
    """Les cibles de l'appel en lignes de l'éditeur : nombres en texte, case vide pour un
    nombre absent (un nombre absent s'afficherait « None »), « Chacune » pour « * »."""
    lignes = []
    for t in cibles:
        valeur = str(t.get("valeur", ""))
        lignes.append(
            {
                **t,
                "valeur": CHACUNE if valeur == "*" else valeur,
                **{cle: _nombre_en_texte(t.get(cle)) for cle in _NOMBRES_CIBLE},
            }
        )
    return lignes


def cibles_depuis_lignes(lignes: list[dict]) -> list[dict]:
    """Les cibles éditées : la valeur d'une cible d'axe est un numéro, celle d'une région
    un code (« 01 » reste « 01 »), « * » ou « Chacune » désigne chaque valeur."""
    tables = tables_depuis_lignes(
        lignes, reels=("part_min", "part_max"), entiers=("nombre_min", "nombre_max")
    )
    for t in tables:
        valeur = str(t.get("valeur", "")).strip()
        if valeur.casefold() == CHACUNE.casefold():
            valeur = "*"
        if t.get("dimension") == "axe" and valeur.isdigit():
            t["valeur"] = int(valeur)
        elif "valeur" in t:
            t["valeur"] = valeur
    return tables


# Règles de départage telles qu'une personne les lit (la page Paramètres les offre ainsi).
LIBELLES_DEPARTAGE_COURTS = {
    "projet_conjoint": "Projet conjoint",
    "part_financement_propre": "Contribution du demandeur",
    "financement_externe": "Financement externe",
    "no_demande": "Numéro de demande",
}


def libelle_departage(regle: str, criteres: list[dict]) -> str:
    """« Note en « Pertinence et retombées » », « Projet conjoint »… ; une règle inconnue
    reste telle quelle (la validation de l'appel la nommera)."""
    if regle.startswith("critere:"):
        critere = next((c for c in criteres if c.get("id") == regle[8:]), None)
        return f"Note en « {critere.get('libelle') if critere else regle[8:]} »"
    return LIBELLES_DEPARTAGE_COURTS.get(regle, regle)


def regles_departage_offertes(departage: list[str], criteres: list[dict]) -> list[str]:
    """Les règles à choisir : celles de l'appel d'abord, dans leur ordre, puis chaque
    critère et chaque autre règle permise."""
    offertes = list(dict.fromkeys(departage))
    for regle in [
        *(f"critere:{c['id']}" for c in criteres if isinstance(c.get("id"), str)),
        *REGLES_DEPARTAGE,
    ]:
        if regle not in offertes:
            offertes.append(regle)
    return offertes


def libelle_dimension(dimension: str, dimensions: list) -> str:
    """« Axe », « Secteur », « Région », ou le libellé d'une dimension que l'appel déclare."""
    connues = {"axe": "Axe", "secteur": "Secteur", "region": "Région"}
    if dimension in connues:
        return connues[dimension]
    declaree = next(
        (d for d in dimensions if isinstance(d, dict) and d.get("id") == dimension), None
    )
    libelle = declaree.get("libelle") if declaree else None
    return libelle if isinstance(libelle, str) and libelle else dimension
