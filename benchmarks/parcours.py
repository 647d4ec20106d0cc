"""Ce qu'une personne attend, mesuré en entier : de la base à l'écran ou au fichier (issue 14).

Sur la base réaliste de benchmarks/base_realiste.py, chaque ligne est mesurée dans un
processus à part, de son lancement à sa fin, avec le pic de mémoire de ce processus et de
ses enfants (wait4) :

- les commandes, telles qu'on les tape : `python -m evaluation importer` (dans une base
  SQLite neuve, puis PostgreSQL), `classement --format csv`, `exporter` (toutes les
  feuilles), `notes exporter`, `--help` ;
- les pages dans AppTest, ouvertes comme les tests des pages les ouvrent (app.py, session
  connectée, puis la page) : première ouverture et réexécution de Classement, Séance,
  Portefeuille, Évaluation et Suivi, et le bouton « Calculer la meilleure sélection ».

Chaque ligne a son plancher, mesuré dans la même exécution et de la même façon : une
lecture nue du classeur (`pandas.read_excel(engine="calamine")`) pour l'importation ; les
tables que lit la commande ou la page, lues dans pandas (`pandas.read_sql`) ; les mêmes
cellules écrites simplement par xlsxwriter pour l'exportation ; l'interpréteur seul pour
`--help`. Les chiffres sont des médianes : la machine est partagée et bruyante.

Usage : python benchmarks/parcours.py [--tailles 500,5000,50000] [--repetitions 5]
        [--postgresql] [--repartition partielle|toutes] [--delai 1800] [--dossier DOSSIER]
        [--seulement CLE,...]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:
    sys.path.insert(0, str(RACINE))

# Le processus de mesure reste petit (ni pandas ni le projet) : chaque enfant hérite à son
# lancement du pic de mémoire de son parent.
from benchmarks import base_realiste  # noqa: E402

MO = 2**20
GO = 2**30
# Espace d'adressage permis à chaque processus mesuré (--memoire-max) : une mesure qui
# s'emballe échoue avec sa raison au lieu d'affamer la machine, partagée.
MEMOIRE_MAX = [16 * GO]

# Ce que lit le classement (decision.chargement, attributions.charger, l'appel) : les notes
# y viennent résumées, une ligne par évaluation (`evaluations.notes_resumees`), et le budget
# en sommes par demande ; la table des notes n'est pas relue.
SOMMES_BUDGET = (
    "SELECT demande_id, annee, admissible, SUM(montant) AS total FROM lignes_budget "
    "GROUP BY demande_id, annee, admissible"
)
TABLES_CLASSEMENT = (
    "appels",
    "demandes",
    "comptes",
    "conflits",
    "reglages_evaluation",
    "attributions",
    "evaluations",
    "examens_admissibilite",
    "montants_recommandes",
    "bonifications",
    "decisions",
    "ponderations",
    "consensus",
    SOMMES_BUDGET,
)
TABLES_NOTES = ("demandes", "evaluations", "notes")
TABLES_EVALUATION = (
    "demandes",
    "evaluations",
    "comptes",
    "conflits",
    "reglages_evaluation",
    "attributions",
)
TABLES_SUIVI = (*TABLES_EVALUATION, "notes", "examens_admissibilite")


def requete(table_ou_requete: str) -> str:
    """Une table se lit en entier ; une requête (« SELECT … ») telle quelle."""
    if table_ou_requete.lstrip().upper().startswith("SELECT"):
        return table_ou_requete
    return f"SELECT * FROM {table_ou_requete}"


# Page → (titre, rôle qui l'ouvre, texte qui prouve qu'elle s'est affichée, tables lues,
# gestes mesurés après l'ouverture et les réexécutions : chacun, le clic ou l'écriture et la
# réexécution qui suit).
PAGES = {
    "classement": (
        "Classement",
        "presidence",
        "Classement",
        TABLES_CLASSEMENT,
        ("decision", "classeur"),
    ),
    "seance": (
        "Séance",
        "presidence",
        "Position au classement",
        TABLES_CLASSEMENT,
        ("decision",),
    ),
    "portefeuille": (
        "Portefeuille",
        "presidence",
        "Portefeuille",
        TABLES_CLASSEMENT,
        ("optimiser",),
    ),
    "evaluation": ("Évaluation", "evaluateur", "Évaluation", TABLES_EVALUATION, ("brouillon",)),
    "suivi": ("Suivi", "presidence", "Suivi des évaluations", TABLES_SUIVI, ()),
}
# Geste d'une page → clé de sa ligne.
GESTES = {
    ("classement", "decision"): "classement_decision",
    ("classement", "classeur"): "classement_classeur",
    ("seance", "decision"): "seance_decision",
    ("portefeuille", "optimiser"): "meilleure_selection",
    ("evaluation", "brouillon"): "evaluation_brouillon",
}


# --- Cibles (issue 14, à 5 000 demandes × 15 évaluateurs sur 2 cœurs) ---------------------


@dataclass(frozen=True)
class Cible:
    """Durée maximale (s), ratio maximal au plancher, pic de mémoire maximal (octets)."""

    duree: float | None = None
    ratio: float | None = None
    pic: int | None = None

    def texte(self) -> str:
        morceaux = []
        if self.duree is not None:
            morceaux.append(f"< {_nombre(self.duree, 1 if self.duree < 1 else 0)} s")
        if self.ratio is not None:
            morceaux.append(f"≤ {_nombre(self.ratio, 0)} × plancher")
        if self.pic is not None:
            morceaux.append(f"pic < {_nombre(self.pic / GO, 0)} Go")
        return " ; ".join(morceaux) or "—"

    def atteinte(self, m: Mesure) -> bool | None:
        if self.duree is None and self.ratio is None and self.pic is None:
            return None
        ok = True
        if self.duree is not None:
            ok &= m.mediane < self.duree
        if self.ratio is not None:
            ok &= m.ratio is not None and m.ratio <= self.ratio
        if self.pic is not None:
            ok &= m.pic is not None and m.pic < self.pic
        return ok


PAGE_OUVERTURE = Cible(duree=3, pic=GO)
PAGE_REEXECUTION = Cible(duree=1, pic=GO)
PAGE_SEULEMENT_MEMOIRE = Cible(pic=GO)


@dataclass(frozen=True)
class Ligne:
    cle: str
    libelle: str
    plancher: str
    cible: Cible


LIGNES = [
    Ligne("importer_sqlite", "importer (SQLite)", "lecture nue calamine", Cible(ratio=3)),
    Ligne("importer_postgresql", "importer (PostgreSQL)", "lecture nue calamine", Cible(ratio=3)),
    Ligne("classement_csv", "classement --format csv", "tables lues", Cible(duree=3, ratio=3)),
    Ligne("exporter", "exporter (toutes les feuilles)", "xlsxwriter nu", Cible(ratio=2)),
    Ligne("notes_exporter", "notes exporter --format csv", "tables lues", Cible()),
    Ligne("aide", "--help", "python -c pass", Cible(duree=0.5)),
    Ligne("classement_ouverture", "page Classement : ouverture", "tables lues", PAGE_OUVERTURE),
    Ligne(
        "classement_reexecution", "page Classement : réexécution", "tables lues", PAGE_REEXECUTION
    ),
    Ligne(
        "classement_decision",
        "page Classement : une décision inscrite, puis réexécution",
        "tables lues",
        PAGE_REEXECUTION,
    ),
    Ligne(
        "classement_classeur",
        "page Classement : « Préparer le classeur Excel »",
        "tables lues",
        Cible(pic=GO),
    ),
    Ligne("seance_ouverture", "page Séance : ouverture", "tables lues", PAGE_OUVERTURE),
    Ligne("seance_reexecution", "page Séance : réexécution", "tables lues", PAGE_REEXECUTION),
    Ligne(
        "seance_decision",
        "page Séance : une décision inscrite, puis réexécution",
        "tables lues",
        PAGE_REEXECUTION,
    ),
    Ligne("portefeuille_ouverture", "page Portefeuille : ouverture", "tables lues", PAGE_OUVERTURE),
    Ligne(
        "portefeuille_reexecution",
        "page Portefeuille : réexécution",
        "tables lues",
        PAGE_REEXECUTION,
    ),
    Ligne(
        "meilleure_selection",
        "« Calculer la meilleure sélection »",
        "tables lues",
        Cible(duree=2, pic=GO),
    ),
    Ligne(
        "evaluation_ouverture", "page Évaluation : ouverture", "tables lues", PAGE_SEULEMENT_MEMOIRE
    ),
    Ligne(
        "evaluation_reexecution",
        "page Évaluation : réexécution",
        "tables lues",
        Cible(duree=0.5, pic=GO),
    ),
    Ligne(
        "evaluation_brouillon",
        "page Évaluation : « Enregistrer le brouillon », puis réexécution",
        "tables lues",
        Cible(duree=1, pic=GO),
    ),
    Ligne("suivi_ouverture", "page Suivi : ouverture", "tables lues", PAGE_SEULEMENT_MEMOIRE),
    Ligne("suivi_reexecution", "page Suivi : réexécution", "tables lues", PAGE_SEULEMENT_MEMOIRE),
]
CLES = [ligne.cle for ligne in LIGNES]


@dataclass
class Mesure:
    durees: list[float] = field(default_factory=list)
    planchers: list[float] = field(default_factory=list)
    pics: list[int] = field(default_factory=list)
    echec: str | None = None

    @property
    def mediane(self) -> float:
        return statistics.median(self.durees)

    @property
    def plancher(self) -> float | None:
        return statistics.median(self.planchers) if self.planchers else None

    @property
    def ratio(self) -> float | None:
        p = self.plancher
        return self.mediane / p if p else None

    @property
    def pic(self) -> int | None:
        return max(self.pics) if self.pics else None


class Echec(Exception):
    """Une mesure qui n'a pas abouti ; le message dit pourquoi, en français."""


# --- Lancer un processus et le mesurer ----------------------------------------------------


@dataclass
class Passage:
    duree: float
    pic: int
    code: int
    sortie: str
    erreurs: str


def lancer(
    commande: list[str],
    *,
    delai: float,
    sortie: Path | None = None,
    env: dict | None = None,
) -> Passage:
    """Lance `commande` depuis la racine du projet et attend sa fin : durée de bout en bout,
    pic de mémoire (ru_maxrss de wait4 : le processus et ses enfants), code de sortie.
    Au-delà de `delai`, le groupe du processus est tué et `Echec` levée."""
    with tempfile.TemporaryDirectory() as dossier:
        chemin_sortie = sortie or Path(dossier) / "sortie"
        chemin_erreurs = Path(dossier) / "erreurs"
        with open(chemin_sortie, "wb") as out, open(chemin_erreurs, "wb") as err:
            debut = time.perf_counter()
            processus = subprocess.Popen(
                commande,
                cwd=RACINE,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env={**os.environ, **(env or {})},
                start_new_session=True,
                preexec_fn=_borner_la_memoire,
            )
            tue = threading.Event()

            def tuer():
                tue.set()
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(processus.pid, signal.SIGKILL)

            minuterie = threading.Timer(delai, tuer)
            minuterie.start()
            try:
                _, statut, usage = os.wait4(processus.pid, 0)
            finally:
                minuterie.cancel()
            duree = time.perf_counter() - debut
            processus.returncode = os.waitstatus_to_exitcode(statut)
        texte = "" if sortie else chemin_sortie.read_text(encoding="utf-8", errors="replace")
        erreurs = chemin_erreurs.read_text(encoding="utf-8", errors="replace")
    if tue.is_set():
        raise Echec(f"délai dépassé ({_nombre(delai, 0 if delai >= 10 else 1)} s)")
    return Passage(duree, usage.ru_maxrss * 1024, processus.returncode, texte, erreurs)


def _borner_la_memoire() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMOIRE_MAX[0], MEMOIRE_MAX[0]))


def _raison(passage: Passage) -> str:
    """La raison d'un échec, lue dans ce que le processus a écrit : la dernière ligne
    d'erreur, sinon le premier problème de son rapport (« - fichier : ... »)."""
    erreurs = [ligne.strip() for ligne in passage.erreurs.splitlines() if ligne.strip()]
    sortie = [ligne.strip() for ligne in passage.sortie.splitlines() if ligne.strip()]
    problemes = [ligne.removeprefix("- ") for ligne in sortie if ligne.startswith("- ")]
    message = (erreurs[-1:] or problemes[:1] or sortie[-1:] or ["aucun message"])[0]
    return f"code de sortie {passage.code} : {message[:300]}"


def reussi(passage: Passage) -> Passage:
    if passage.code != 0:
        raise Echec(_raison(passage))
    return passage


def projet(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "evaluation", *arguments]


def enfant(genre: str, **parametres) -> list[str]:
    return [sys.executable, __file__, "--enfant", genre, json.dumps(parametres)]


def resultat_enfant(passage: Passage) -> dict:
    reussi(passage)
    return json.loads(passage.sortie.strip().splitlines()[-1])


# --- Les mesures ----------------------------------------------------------------------------


@dataclass
class Contexte:
    manifeste: dict
    url: str
    travail: Path
    repetitions: int
    delai: float
    postgresql_absent: str | None


def _importer(ctx: Contexte, postgresql: bool) -> Mesure:
    if postgresql and ctx.postgresql_absent:
        raise Echec(ctx.postgresql_absent)
    fichier = ctx.manifeste["fichier_import"]
    mesure = Mesure()
    for r in range(ctx.repetitions):
        if postgresql:
            schema = f"parcours_import_{os.getpid()}_{r}"
            reussi(lancer(enfant("schema", action="creer", schema=schema), delai=ctx.delai))
            url = base_realiste.url_postgresql(schema)
        else:
            chemin = ctx.travail / f"import-{r}.sqlite"
            url = f"sqlite:///{chemin}"
        try:
            reussi(lancer(projet("--base", url, "base", "mettre-a-jour"), delai=ctx.delai))
            p = reussi(lancer(projet("--base", url, "importer", fichier), delai=ctx.delai))
            mesure.durees.append(p.duree)
            mesure.pics.append(p.pic)
            plancher = reussi(lancer(enfant("calamine", fichier=fichier), delai=ctx.delai))
            mesure.planchers.append(plancher.duree)
        finally:
            if postgresql:
                lancer(enfant("schema", action="supprimer", schema=schema), delai=ctx.delai)
            else:
                for f in ctx.travail.glob(f"import-{r}.sqlite*"):
                    f.unlink()
    return mesure


def _commande(ctx: Contexte, arguments: list[str], plancher: list[str]) -> Mesure:
    mesure = Mesure()
    sortie = ctx.travail / "sortie.txt"
    for _ in range(ctx.repetitions):
        p = reussi(lancer(arguments, delai=ctx.delai, sortie=sortie))
        mesure.durees.append(p.duree)
        mesure.pics.append(p.pic)
        mesure.planchers.append(reussi(lancer(plancher, delai=ctx.delai)).duree)
    return mesure


def _exporter(ctx: Contexte) -> Mesure:
    mesure = Mesure()
    classeur = ctx.travail / "export.xlsx"
    cellules = ctx.travail / "cellules.pickle"
    ecrit = ctx.travail / "plancher.xlsx"
    for r in range(ctx.repetitions):
        p = reussi(
            lancer(
                projet("--base", ctx.url, "exporter", "--sortie", str(classeur)), delai=ctx.delai
            )
        )
        mesure.durees.append(p.duree)
        mesure.pics.append(p.pic)
        if r == 0:
            reussi(
                lancer(
                    enfant("cellules", classeur=str(classeur), sortie=str(cellules)),
                    delai=ctx.delai,
                )
            )
        passage = lancer(
            enfant("xlsxwriter", cellules=str(cellules), sortie=str(ecrit)), delai=ctx.delai
        )
        mesure.planchers.append(passage.duree - resultat_enfant(passage)["hors_mesure"])
    return mesure


def _pages(ctx: Contexte, page: str, mesures: dict[str, Mesure]) -> None:
    """Première ouverture et réexécutions d'une page, puis ses gestes (`PAGES`), un
    processus par passage ; le plancher est lu dans ce processus, après la page, et le pic
    de mémoire est celui de la page, relevé avant le plancher."""
    _, role, _, _, gestes = PAGES[page]
    ouverture, reexecution = Mesure(), Mesure()
    apres = {geste: Mesure() for geste in gestes}
    for _ in range(ctx.repetitions):
        passage = lancer(
            enfant(
                "page",
                url=ctx.url,
                page=page,
                courriel=ctx.manifeste[role],
                delai=ctx.delai,
                gestes=list(gestes),
            ),
            delai=ctx.delai,
        )
        r = resultat_enfant(passage)
        if r.get("echec"):
            raise Echec(r["echec"])
        for m in (ouverture, reexecution, *apres.values()):
            m.pics.append(r.get("pic") or passage.pic)
            m.planchers.append(r["plancher"])
        ouverture.durees.append(r["ouverture"])
        reexecution.durees.extend(r["reexecutions"])
        for geste, m in apres.items():
            m.durees.append(r["gestes"][geste])
    mesures[f"{page}_ouverture"] = ouverture
    mesures[f"{page}_reexecution"] = reexecution
    for geste, m in apres.items():
        mesures[GESTES[page, geste]] = m


def mesurer(ctx: Contexte, cles: list[str], bavard: bool) -> dict[str, Mesure]:
    """Chaque ligne demandée ; une ligne qui échoue est notée, les autres continuent."""
    mesures: dict[str, Mesure] = {}

    def tenter(quelles: list[str], fonction) -> None:
        quelles = [c for c in quelles if c in cles]
        if not quelles:
            return
        debut = time.perf_counter()
        try:
            fonction()
        except Echec as exc:
            for c in quelles:
                mesures[c] = Mesure(echec=str(exc))
        except Exception as exc:  # la mesure elle-même : dit quoi, continue
            for c in quelles:
                mesures[c] = Mesure(echec=f"erreur de la mesure : {type(exc).__name__} : {exc}")
        if bavard:
            etat = "échec" if any(mesures[c].echec for c in quelles) else "mesurée"
            print(
                f"  {', '.join(quelles)} : {etat} ({time.perf_counter() - debut:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    def une(cle: str, fonction) -> None:
        tenter([cle], lambda: mesures.__setitem__(cle, fonction()))

    base = ["--base", ctx.url]
    une("importer_sqlite", lambda: _importer(ctx, postgresql=False))
    une("importer_postgresql", lambda: _importer(ctx, postgresql=True))
    une(
        "classement_csv",
        lambda: _commande(
            ctx,
            projet(*base, "classement", "--format", "csv"),
            enfant("tables", url=ctx.url, tables=TABLES_CLASSEMENT),
        ),
    )
    une("exporter", lambda: _exporter(ctx))
    une(
        "notes_exporter",
        lambda: _commande(
            ctx,
            projet(*base, "notes", "exporter", "--format", "csv"),
            enfant("tables", url=ctx.url, tables=TABLES_NOTES),
        ),
    )
    une("aide", lambda: _commande(ctx, projet("--help"), [sys.executable, "-c", "pass"]))
    for page, (*_, gestes) in PAGES.items():
        quelles = [f"{page}_ouverture", f"{page}_reexecution"]
        quelles += [GESTES[page, geste] for geste in gestes]
        tenter(quelles, lambda page=page: _pages(ctx, page, mesures))
    return mesures


# --- Les processus enfants ------------------------------------------------------------------


def _enfant_tables(p: dict) -> None:
    """Le plancher d'une lecture : les tables lues dans pandas, rien de plus."""
    import pandas as pd
    import sqlalchemy as sa

    moteur = sa.create_engine(p["url"])
    with moteur.connect() as connexion:
        for table in p["tables"]:
            pd.read_sql(sa.text(requete(table)), connexion)
    moteur.dispose()


def _enfant_calamine(p: dict) -> None:
    import pandas as pd

    pd.read_excel(p["fichier"], sheet_name=["Demandes", "Budget"], engine="calamine")


def _enfant_cellules(p: dict) -> None:
    """Les valeurs de chaque feuille du classeur exporté, pour les réécrire simplement."""
    import pickle

    from python_calamine import CalamineWorkbook

    livre = CalamineWorkbook.from_path(p["classeur"])
    feuilles = [(nom, livre.get_sheet_by_name(nom).to_python()) for nom in livre.sheet_names]
    Path(p["sortie"]).write_bytes(pickle.dumps(feuilles, protocol=pickle.HIGHEST_PROTOCOL))


def _enfant_xlsxwriter(p: dict) -> None:
    """Le plancher de l'exportation : les mêmes cellules, écrites par xlsxwriter sans mise
    en forme ; la relecture des cellules est décomptée (`hors_mesure`)."""
    import pickle

    debut = time.perf_counter()
    feuilles = pickle.loads(Path(p["cellules"]).read_bytes())
    hors_mesure = time.perf_counter() - debut
    import xlsxwriter

    livre = xlsxwriter.Workbook(p["sortie"])
    for nom, lignes in feuilles:
        feuille = livre.add_worksheet(nom)
        # Seules les cellules remplies, chacune par l'écriture de son type : le plancher le
        # plus bas qu'xlsxwriter permette (une ligne entière par write_row écrirait aussi
        # les cases vides, un tiers des cellules).
        ecrire_nombre, ecrire_texte, ecrire = (
            feuille.write_number,
            feuille.write_string,
            feuille.write,
        )
        for i, ligne in enumerate(lignes):
            for j, valeur in enumerate(ligne):
                if valeur == "" or valeur is None:
                    continue
                if isinstance(valeur, bool):
                    ecrire(i, j, valeur)
                elif isinstance(valeur, int | float):
                    ecrire_nombre(i, j, valeur)
                elif isinstance(valeur, str):
                    ecrire_texte(i, j, valeur)
                else:
                    ecrire(i, j, valeur)
    livre.close()
    print(json.dumps({"hors_mesure": hors_mesure}))


def _enfant_schema(p: dict) -> None:
    base_realiste.schema_postgresql(p["action"], p["schema"])


def _geste_decision(at, p: dict):
    """La présidence inscrit une décision (une demande déjà décidée mise en liste
    d'attente, avec sa justification), puis la page se réexécute : ce qu'elle attend après
    son clic. L'appel et le moteur, que la page a déjà, sont préparés hors mesure."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.decision import decisions
    from evaluation.decision.financement import LISTE_ATTENTE
    from evaluation.socle import stockage

    appel = charger_appel()
    moteur = stockage.creer_moteur(p["url"])
    with moteur.connect() as connexion:
        deja = stockage.lire_decisions(appel.id, connexion=connexion)
    if not len(deja):
        raise Echec("aucune décision dans la base : rien à modifier")
    demande_id = int(deja[0]["demande_id"])

    def faire():
        decisions.enregistrer_decision(
            appel,
            demande_id,
            LISTE_ATTENTE,
            (0, 0),
            "Mise en liste d'attente en séance (mesure).",
            moteur=moteur,
            auteur=p["courriel"],
        )
        at.run()

    return faire


def _geste_classeur(at, p: dict):
    """« Préparer le classeur Excel » sur la page Classement, jusqu'au bouton de
    téléchargement."""

    def faire():
        at.button(key="preparer_export").click().run()
        if not at.get("download_button"):
            raise Echec("classeur : aucun bouton de téléchargement après la préparation")

    return faire


def _geste_optimiser(at, p: dict):
    def faire():
        at.button(key="pf_optimiser").click().run()
        if not any(m.label == "Demandes financées" for m in at.metric):
            raise Echec("meilleure sélection : aucun résultat affiché")

    return faire


def _geste_brouillon(at, p: dict):
    """L'évaluateur enregistre sa saisie : « Enregistrer le brouillon » sur une demande non
    soumise, sinon « Rouvrir pour modifier » (l'une et l'autre écrivent l'évaluation)."""
    cles = {b.key for b in at.button}
    cle = "brouillon" if "brouillon" in cles else "rouvrir"
    if cle not in cles:
        raise Echec("évaluation : ni « Enregistrer le brouillon » ni « Rouvrir » affiché")

    def faire():
        at.button(key=cle).click().run()

    return faire


GESTES_ENFANT = {
    "decision": _geste_decision,
    "classeur": _geste_classeur,
    "optimiser": _geste_optimiser,
    "brouillon": _geste_brouillon,
}


def _enfant_page(p: dict) -> None:
    """Une page dans AppTest, ouverte comme tests/pages/conftest.py l'ouvre : app.py, une
    session connectée (`ouvrir_session`), puis la page ; PagesManager gardé hors du mode
    « dossier pages/ » comme le fait le fixture `cadre_a_chaque_execution`."""
    import logging

    os.environ["EVALUATION_BASE"] = p["url"]
    from streamlit.runtime.pages_manager import PagesManager

    initialiser = PagesManager.__init__

    def __init__(self, *args, **kwargs):
        initialiser(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = __init__

    from streamlit.testing.v1 import AppTest

    from evaluation.decision import declarations
    from tests.pages.conftest import ouvrir_session

    # Comme les tests des pages (tests/pages/conftest.py) : la déclaration du comité tenue
    # pour acceptée, sans écrire dans la base mesurée.
    declarations.acceptation = lambda *_, **__: {"tenue_pour_acceptee": 1}

    erreurs: list[str] = []

    class Capteur(logging.Handler):
        def emit(self, record):
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                erreurs.append(f"{type(exc).__name__} : {exc}"[:300])

    logging.getLogger("evaluation.pages").addHandler(Capteur())
    titre, _, marque, tables, _ = PAGES[p["page"]]
    resultat: dict = {}

    def verifier(at, quoi: str) -> None:
        if at.exception:
            raise Echec(f"{quoi} : exception {at.exception[0].value[:300]}")
        if erreurs:
            raise Echec(f"{quoi} : erreur inattendue dans la page : {erreurs[-1]}")
        for e in at.error:  # le message de la frontière (app.py) ; les autres sont voulus
            if e.value.startswith("Une erreur inattendue"):
                raise Echec(f"{quoi} : {e.value[:300]}")

    try:
        at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=p["delai"])
        ouvrir_session(at, p["url"], p["courriel"])
        at.run()
        verifier(at, "accueil")
        debut = time.perf_counter()
        at.switch_page(f"pages/{p['page']}.py").run()
        resultat["ouverture"] = time.perf_counter() - debut
        verifier(at, f"page {titre}, ouverture")
        visibles = [t.value for t in (*at.title, *at.caption, *at.markdown)]
        if not any(marque in v for v in visibles):
            raise Echec(f"page {titre} : « {marque} » n'est pas affiché (page refusée ?)")
        resultat["reexecutions"] = []
        for _ in range(2):
            debut = time.perf_counter()
            at.run()
            resultat["reexecutions"].append(time.perf_counter() - debut)
            verifier(at, f"page {titre}, réexécution")
        resultat["gestes"] = {}
        for geste in p["gestes"]:
            faire = GESTES_ENFANT[geste](at, p)  # préparé hors mesure : ce que la page a déjà
            debut = time.perf_counter()
            faire()
            resultat["gestes"][geste] = time.perf_counter() - debut
            verifier(at, f"page {titre}, {geste}")
        resultat["pic"] = _pic_propre()
        import pandas as pd
        import sqlalchemy as sa

        debut = time.perf_counter()
        moteur = sa.create_engine(p["url"])
        with moteur.connect() as connexion:
            for table in tables:
                pd.read_sql(sa.text(requete(table)), connexion)
        moteur.dispose()
        resultat["plancher"] = time.perf_counter() - debut
    except Echec as exc:
        resultat = {"echec": str(exc)}
    print(json.dumps(resultat))


ENFANTS = {
    "tables": _enfant_tables,
    "calamine": _enfant_calamine,
    "cellules": _enfant_cellules,
    "xlsxwriter": _enfant_xlsxwriter,
    "schema": _enfant_schema,
    "page": _enfant_page,
}


# --- Affichage ------------------------------------------------------------------------------


def _nombre(valeur: float, decimales: int) -> str:
    """À la québécoise : virgule décimale, espace insécable fine entre les milliers."""
    return f"{valeur:,.{decimales}f}".replace(",", "\u202f").replace(".", ",")


def _duree(s: float) -> str:
    return f"{_nombre(s, 2 if s < 10 else 1)} s"


def _pic(octets: int | None) -> str:
    return "—" if octets is None else f"{_nombre(octets / MO, 0)} Mo"


def tableau_taille(mesures: dict[str, Mesure], lignes: list[Ligne]) -> str:
    rangees = [
        "| mesure | médiane | plancher | ratio | pic mémoire | cible | atteinte |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for ligne in lignes:
        m = mesures[ligne.cle]
        if m.echec:
            rangees.append(
                f"| {ligne.libelle} | échec : {m.echec} | | | | {ligne.cible.texte()} | non |"
            )
            continue
        atteinte = ligne.cible.atteinte(m)
        plancher = "—" if m.plancher is None else f"{_duree(m.plancher)} ({ligne.plancher})"
        ratio = "—" if m.ratio is None else f"{_nombre(m.ratio, 1)} ×"
        rangees.append(
            f"| {ligne.libelle} | {_duree(m.mediane)} | {plancher} | {ratio} | {_pic(m.pic)} | "
            f"{ligne.cible.texte()} | {'—' if atteinte is None else 'oui' if atteinte else 'non'} |"
        )
    return "\n".join(rangees)


def tableau_tailles(par_taille: dict[int, dict[str, Mesure]], lignes: list[Ligne]) -> str:
    """Durée et pic de chaque ligne à chaque taille, et le rapport entre tailles voisines
    (cible : 1,2 fois le rapport des tailles, soit 12 × pour dix fois plus de demandes)."""
    tailles = sorted(par_taille)
    paires = list(itertools.pairwise(tailles))
    entete = ["mesure", *(f"{_nombre(t, 0)} demandes" for t in tailles)]
    entete += [f"{_nombre(b, 0)} / {_nombre(a, 0)}" for a, b in paires]
    rangees = ["| " + " | ".join(entete) + " |", "|---" + "|---:" * (len(entete) - 1) + "|"]
    for ligne in lignes:
        cellules = [ligne.libelle]
        for t in tailles:
            m = par_taille[t][ligne.cle]
            cellules.append("échec" if m.echec else f"{_duree(m.mediane)} · {_pic(m.pic)}")
        for a, b in paires:
            ma, mb = par_taille[a][ligne.cle], par_taille[b][ligne.cle]
            if ma.echec or mb.echec:
                cellules.append("—")
                continue
            rapport = mb.mediane / ma.mediane
            limite = 1.2 * b / a
            cellules.append(
                f"{_nombre(rapport, 1)} × ({'oui' if rapport <= limite else 'non'}, "
                f"≤ {_nombre(limite, 0)} ×)"
            )
        rangees.append("| " + " | ".join(cellules) + " |")
    return "\n".join(rangees)


# --- Programme ------------------------------------------------------------------------------


def _postgresql_absent() -> str | None:
    raison = f"PostgreSQL injoignable ({base_realiste.URL_POSTGRES})"
    try:
        passage = lancer(
            [
                sys.executable,
                "-c",
                "import sqlalchemy as sa, sys; "
                "sa.create_engine(sys.argv[1], connect_args={'connect_timeout': 3}).connect()",
                base_realiste.URL_POSTGRES,
            ],
            delai=60,
        )
    except Echec:
        return raison
    return None if passage.code == 0 else raison


def _preparer(taille: int, options) -> dict:
    commande = [
        sys.executable,
        str(RACINE / "benchmarks" / "base_realiste.py"),
        "--demandes",
        str(taille),
        "--dossier",
        str(options.dossier),
        "--json",
    ]
    if options.evaluateurs:
        commande += ["--evaluateurs", str(options.evaluateurs)]
    commande += ["--repartition", options.repartition]
    if options.postgresql:
        commande.append("--postgresql")
    passage = lancer(commande, delai=24 * 3600)
    return resultat_enfant(passage)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tailles", default="5000", help="nombres de demandes : 500,5000,50000")
    p.add_argument("--repetitions", type=int, default=5, help="passages par mesure (médiane)")
    p.add_argument("--evaluateurs", type=int, help="15 par défaut ; 5 à 50 000 demandes")
    p.add_argument(
        "--repartition",
        choices=(base_realiste.PARTIELLE, base_realiste.TOUTES),
        default=base_realiste.PARTIELLE,
        help="attribution partielle d'une partie de l'appel, ou chacun évalue tout",
    )
    p.add_argument("--postgresql", action="store_true", help="la base mesurée sur PostgreSQL")
    p.add_argument(
        "--sans-postgresql", action="store_true", help="ne mesure pas l'import dans PostgreSQL"
    )
    p.add_argument("--delai", type=float, default=1800, help="secondes avant d'abandonner")
    p.add_argument(
        "--memoire-max", type=float, default=16, help="Go d'espace d'adressage par processus"
    )
    p.add_argument("--dossier", type=Path, default=base_realiste.DOSSIER, help="bases gardées")
    p.add_argument("--seulement", help="clés des lignes à mesurer, séparées par des virgules")
    p.add_argument("--enfant", nargs=2, help=argparse.SUPPRESS)
    options = p.parse_args()
    if options.enfant:
        ENFANTS[options.enfant[0]](json.loads(options.enfant[1]))
        return

    MEMOIRE_MAX[0] = int(options.memoire_max * GO)
    cles = CLES if not options.seulement else options.seulement.split(",")
    if inconnues := set(cles) - set(CLES):
        p.error(f"lignes inconnues : {', '.join(sorted(inconnues))} (connues : {', '.join(CLES)})")
    if options.sans_postgresql:
        cles = [c for c in cles if c != "importer_postgresql"]
    lignes = [ligne for ligne in LIGNES if ligne.cle in cles]
    tailles = [int(t.replace("_", "").replace(" ", "")) for t in options.tailles.split(",")]
    absent = None if options.sans_postgresql else _postgresql_absent()
    par_taille: dict[int, dict[str, Mesure]] = {}
    for taille in tailles:
        print(f"Base de {taille} demandes…", file=sys.stderr, flush=True)
        manifeste = _preparer(taille, options)
        construction = _nombre(manifeste["duree_construction"], 0)
        origine = (
            f"reprise de {options.dossier} (construite en {construction} s)"
            if manifeste["reprise"]
            else f"construite en {construction} s"
        )
        print(
            f"\n## {_nombre(taille, 0)} demandes × {manifeste['evaluateurs']} évaluateurs "
            f"({'PostgreSQL' if options.postgresql else 'SQLite'}, attribution "
            f"{options.repartition}), "
            f"{'médianes de ' if options.repetitions > 1 else ''}"
            f"{options.repetitions} {'passages' if options.repetitions > 1 else 'passage'}\n\n"
            f"Base {origine} : {_nombre(manifeste['lignes_budget'], 0)} lignes de budget, "
            f"{_nombre(manifeste['avertissements'], 0)} avertissements à l'importation, "
            f"{_nombre(manifeste['conflits'], 0)} conflits d'intérêts, "
            f"{_nombre(manifeste['attributions'], 0)} attributions, "
            f"{_nombre(manifeste['evaluations'], 0)} évaluations, "
            f"{_nombre(manifeste['notes'], 0)} notes, "
            f"{_nombre(manifeste['decisions'], 0)} décisions.\n",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="parcours-") as dossier:
            travail = Path(dossier)
            url = manifeste["url"]
            if url.startswith("sqlite:///"):
                copie = travail / "base.sqlite"
                shutil.copyfile(url.removeprefix("sqlite:///"), copie)
                url = f"sqlite:///{copie}"
            ctx = Contexte(manifeste, url, travail, options.repetitions, options.delai, absent)
            mesures = mesurer(ctx, cles, bavard=True)
        par_taille[taille] = mesures
        print(tableau_taille(mesures, lignes), flush=True)
    if len(tailles) > 1:
        print("\n## Selon la taille (médiane · pic mémoire)\n")
        print(tableau_tailles(par_taille, lignes))
    print(
        f"\nPic de mémoire du processus de mesure, dont chaque enfant hérite à son lancement : "
        f"{_pic(_pic_propre())}."
    )


def _pic_propre() -> int:
    for ligne in Path("/proc/self/status").read_text().splitlines():
        if ligne.startswith("VmHWM:"):
            return int(ligne.split()[1]) * 1024
    return 0


if __name__ == "__main__":
    main()
