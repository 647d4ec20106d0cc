"""Créer, modifier, archiver un appel : sa configuration est une donnée (le même TOML que
les fichiers de donnees/appels/), gardée dans la base, jamais du code.

Une fois des évaluations stockées, les critères (identifiants, libellés, minimums) et
l'échelle ne changent plus : des notes déjà données perdraient leur sens. Les poids, eux,
changent encore : le changement est adopté comme pondération (la dernière compte pour le
classement) et journalisé.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field

import tomli_w

from evaluation.appels.configuration import (
    DOSSIER_APPELS,
    Appel,
    ErreurAppel,
    appel_depuis_toml,
    charger_appel,
)
from evaluation.socle import stockage
from evaluation.socle.concurrence import Changement, ModificationConcurrente, verifier_version
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import citer

DOSSIER_MODELES = DOSSIER_APPELS.parent / "modeles"
FORMAT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")


class ParametresRefuses(ValueError):
    """Un changement de configuration que l'état de l'appel interdit (message pour l'écran)."""


class ParametresPerimes(ModificationConcurrente, ParametresRefuses):
    """La configuration a changé depuis que la page l'a lue : rien n'est écrit."""


def version_stockee(appel_id: str, *, moteur: Moteur) -> int:
    """La version de la configuration stockée (0 : appel pas encore enregistré), à rendre à
    `enregistrer` pour ne pas écraser une modification faite entre-temps."""
    with moteur.connect() as connexion:
        existant = stockage.lire_appel(appel_id, connexion=connexion)
    return int(existant["version"]) if existant else 0


def _changements(appel_id: str, version: int, connexion) -> list[Changement]:
    noms = stockage.noms_des_comptes(connexion=connexion)
    par_version: dict[int, list[dict]] = {}
    for ligne in stockage.journal_depuis_version(version, connexion=connexion, appel_id=appel_id):
        par_version.setdefault(ligne["version"], []).append(ligne)
    return [
        Changement(
            groupe[0]["date"],
            noms.get(groupe[0]["auteur"], groupe[0]["auteur"]),
            " ; ".join(
                g["nouveau"]
                if g["objet"] == "parametres"
                else f"{g['objet'].replace(':', ' ')} {g['ancien'] or ''} → {g['nouveau']}"
                for g in groupe
            ),
        )
        for _, groupe in sorted(par_version.items())
    ]


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
    "axes",
    "secteurs",
    "evaluation",
    "criteres",
    "classement",
    "cibles",
    "financement",
    "depenses",
    "admissibilite",
    "regions",
)


def vers_toml(donnees: dict) -> str:
    """Le TOML d'une configuration, lisible comme les fichiers livrés : sections dans l'ordre
    d'un appel, une table « [[axes]] » par élément ; tomli_w écrit (et échappe) les valeurs.
    `appel_depuis_toml(vers_toml(sections(a)))` redonne `a`."""
    morceaux = []
    ordre = [s for s in ORDRE_SECTIONS if s in donnees]
    ordre += [s for s in donnees if s not in ORDRE_SECTIONS]
    for nom in ordre:
        valeur = donnees[nom]
        if isinstance(valeur, list):
            morceaux += [f"[[{nom}]]\n{tomli_w.dumps(t)}" for t in valeur]
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


def enregistrer(
    texte: str,
    *,
    moteur: Moteur,
    auteur: str,
    creation: bool = False,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
) -> Appel:
    """Valide `texte` (TOML d'un appel) et l'enregistre dans la base, en une transaction.

    `creation` : l'identifiant ne doit pas déjà exister. Lève `ErreurAppel` (configuration
    invalide, chaque erreur nommée) ou `ParametresRefuses` (état de l'appel).
    `version_attendue` (voir `version_stockee`) : `ParametresPerimes` si la configuration a
    changé depuis que la page l'a lue."""
    appel = appel_depuis_toml(texte, "configuration de l'appel")
    verifier_identifiant(appel.id)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.appels) as connexion:
        existant = stockage.lire_appel(appel.id, connexion=connexion)
        verifier_version(
            f"La configuration de l'appel « {appel.id} »",
            existant["version"] if existant else 0,
            version_attendue,
            lambda: _changements(appel.id, version_attendue, connexion),
            feminin=True,
            erreur=ParametresPerimes,
        )
        version = existant["version"] + 1 if existant else 1
        lignes = []
        if existant is None:
            lignes.append(
                stockage.ligne_journal(
                    instant, auteur, "appel", None, "créé", appel_id=appel.id, version=version
                )
            )
        elif creation:
            raise ParametresRefuses(
                f"un appel « {appel.id} » existe déjà : choisissez un autre identifiant."
            )
        elif existant["archive"]:
            raise ParametresRefuses(
                f"l'appel « {appel.id} » est archivé : désarchivez-le avant de le modifier."
            )
        else:
            ancien = appel_depuis_toml(existant["configuration_toml"], f"appel « {appel.id} »")
            e = ecarts(ancien, appel)
            if e.aucun:
                return appel
            if e.structure and stockage.compter_evaluations(appel.id, connexion=connexion):
                raise ParametresRefuses(
                    "des évaluations sont déjà stockées pour cet appel : "
                    + " ; ".join(e.structure)
                    + " ne peuvent plus changer (les poids, oui). Rien n'est enregistré."
                )
            if e.poids:
                stockage.ajouter_ponderation(
                    {"appel_id": appel.id, "poids": appel.poids, "date": instant, "auteur": auteur},
                    connexion=connexion,
                )
                lignes += [
                    stockage.ligne_journal(
                        instant,
                        auteur,
                        f"poids:{cid}",
                        f"{a:g}",
                        f"{n:g}",
                        appel_id=appel.id,
                        version=version,
                    )
                    for cid, (a, n) in e.poids.items()
                ]
            if e.sections:
                lignes.append(
                    stockage.ligne_journal(
                        instant,
                        auteur,
                        "parametres",
                        ", ".join(e.sections),
                        " ; ".join(e.valeurs)[:4000],
                        appel_id=appel.id,
                        version=version,
                    )
                )
        stockage.enregistrer_appel(appel, connexion=connexion)
        stockage.inscrire_journal(lignes, connexion=connexion)
    return appel


def archiver(appel_id: str, archive: bool, *, moteur: Moteur, auteur: str) -> None:
    """Archive (ou rouvre) un appel stocké ; journalisé."""
    with stockage.ecriture(moteur, stockage.appels) as connexion:
        existant = stockage.lire_appel(appel_id, connexion=connexion)
        if existant is None:
            raise ParametresRefuses(f"l'appel « {appel_id} » n'est pas enregistré.")
        if bool(existant["archive"]) == archive:
            return
        stockage.marquer_archive(appel_id, archive, connexion=connexion)
        etat = ("ouvert", "archivé")
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    stockage.maintenant(),
                    auteur,
                    "archive",
                    etat[not archive],
                    etat[archive],
                    appel_id=appel_id,
                )
            ],
            connexion=connexion,
        )


def importer_toml(
    contenu: bytes, nom_fichier: str, *, moteur: Moteur, auteur: str
) -> tuple[Appel, bool]:
    """Un fichier TOML téléversé ou passé en ligne de commande : (appel, créé ?). Crée
    l'appel ou modifie celui de même identifiant, aux mêmes conditions que la page."""
    try:
        texte = contenu.decode("utf-8")
    except UnicodeDecodeError:
        raise ErreurAppel(
            nom_fichier, ["le fichier n'est pas en UTF-8 : enregistrez-le en UTF-8."]
        ) from None
    identifiant = appel_depuis_toml(texte, nom_fichier).id
    with moteur.connect() as connexion:
        nouveau = stockage.lire_appel(identifiant, connexion=connexion) is None
    return enregistrer(texte, moteur=moteur, auteur=auteur), nouveau


# --- Le formulaire de la page : tableaux édités ↔ sections du TOML ------------------------


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


def cibles_depuis_lignes(lignes: list[dict]) -> list[dict]:
    """Les cibles éditées : la valeur d'une cible d'axe est un numéro, celle d'une région
    un code (« 01 » reste « 01 »), « * » désigne chaque valeur."""
    tables = tables_depuis_lignes(
        lignes, reels=("part_min", "part_max"), entiers=("nombre_min", "nombre_max")
    )
    for t in tables:
        valeur = str(t.get("valeur", "")).strip()
        if t.get("dimension") == "axe" and valeur.isdigit():
            t["valeur"] = int(valeur)
        elif "valeur" in t:
            t["valeur"] = valeur
    return tables
