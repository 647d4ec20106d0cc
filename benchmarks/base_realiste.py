"""La base de mesure : un appel tel qu'un comité le vit, construit par les fonctions du projet.

- Demandes importées par le vrai chemin d'importation (lire, vérifier, enregistrer) depuis
  des classeurs écrits comme Excel les écrit, avec quatre lignes de budget par demande et
  des milliers d'avertissements (partenaire inconnu, autre financement, dépense non
  admissible, contribution absente, région contradictoire) : par lots de 2 500 demandes,
  puis un dernier lot de demandes arrivées tard (10 %).
- Comptes créés par `socle.comptes` : administration, présidence et 15 évaluateurs (5 à
  50 000 demandes et plus), dont un rattaché à une municipalité et un à une région (conflits
  d'intérêts vus par la règle) ; des conflits déclarés par `notes.attributions`.
- Évaluations : chacun a évalué les demandes du premier lot (92 % commencées, 95 % de
  celles-ci soumises), avec notes, quelques commentaires, admissibilité et les lignes du
  journal que le chemin des personnes écrirait (`saisie.changements_de_saisie`), écrites en
  masse par le stockage. Puis trois évaluateurs par demande (`appliquer_repartition`) pour
  les demandes tardives, qui gardent ceux qui avaient commencé : l'attribution partielle
  d'une partie de l'appel. Avec `--repartition toutes`, le réglage par défaut de l'appel
  reste (chacun évalue chaque demande, tardives comprises) : c'est le chemin où les
  attributions ne sont pas stockées. Enfin quelques décisions du comité et montants modifiés.

Une base construite est gardée dans benchmarks/bases/ (hors du dépôt), sous une clé faite de
sa taille et d'une empreinte de ce fichier : une mesure relancée la reprend telle quelle.

Usage : python benchmarks/base_realiste.py [--demandes 5000] [--postgresql] [--dossier D]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import inspect
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import quote

RACINE = Path(__file__).resolve().parent.parent
if str(RACINE) not in sys.path:
    sys.path.insert(0, str(RACINE))

DOSSIER = RACINE / "benchmarks" / "bases"
URL_POSTGRES = os.environ.get(
    "EVALUATION_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MOT_DE_PASSE = "tambour lichen aviron perle"
ADMIN = "administration@exemple.qc.ca"
PRESIDENCE = "presidence@exemple.qc.ca"
LOT = 2_500
PART_TARDIVE = 0.10
PAR_DEMANDE_TARDIVE = 3

NOMS = [
    "Marie Tremblay",
    "Jean Gagnon",
    "Sophie Roy",
    "Luc Côté",
    "Isabelle Bouchard",
    "Pierre Gauthier",
    "Nathalie Morin",
    "François Lavoie",
    "Julie Fortin",
    "Martin Gagné",
    "Catherine Ouellet",
    "Stéphane Pelletier",
    "Annie Bélanger",
    "Éric Lévesque",
    "Chantal Bergeron",
]

MOTS = [
    "coopération",
    "échanges",
    "jeunesse",
    "culture",
    "patrimoine",
    "innovation",
    "économie",
    "circulaire",
    "mobilité",
    "durable",
    "tourisme",
    "francophonie",
    "numérique",
    "agriculture",
    "urbaine",
    "résilience",
    "climatique",
    "formation",
    "entrepreneuriat",
    "jumelage",
    "mission",
    "partenaires",
    "expertise",
]

COMMENTAIRES = [
    "Objectifs clairs, mais le calendrier paraît serré.",
    "Le partenaire étranger est engagé par écrit : c'est un atout.",
    "Retombées locales peu détaillées.",
    "Budget cohérent avec les activités prévues.",
    "La mission à l'étranger mériterait d'être justifiée.",
    "Projet solide, bien ancré dans la stratégie régionale.",
    "Plan de diffusion à préciser.",
    "Dépenses de déplacement élevées pour la durée du projet.",
]

RAISONS_CONFLIT = [
    "Lien familial avec un membre du conseil municipal.",
    "A participé à la préparation de la demande.",
    "Ancien employé de la municipalité requérante.",
]


def evaluateurs_par_defaut(demandes: int) -> int:
    """15 évaluateurs ; 5 à 50 000 demandes et plus (issue 14 : 50 000 × 5)."""
    return 5 if demandes >= 50_000 else 15


PARTIELLE, TOUTES = "partielle", "toutes"


def cle(demandes: int, evaluateurs: int, repartition: str = PARTIELLE) -> str:
    variante = "" if repartition == PARTIELLE else f"-{repartition}"
    return f"{demandes}x{evaluateurs}{variante}-{EMPREINTE}"


def manifeste(cle_base: str, postgresql: bool, dossier: Path) -> Path:
    """Le fichier qui décrit une base construite (écrit en dernier : sa présence dit que la
    base est complète)."""
    return dossier / f"base-{cle_base}{'-pg' if postgresql else ''}.json"


def fichier_import(demandes: int, dossier: Path) -> Path:
    """Le classeur des `demandes` demandes en un seul fichier (ligne « importer »)."""
    return dossier / f"demandes-{demandes}-{EMPREINTE}.xlsx"


def url_postgresql(schema: str) -> str:
    """L'URL de la base PostgreSQL, restreinte à ce schéma (sans importer sqlalchemy : le
    processus de mesure reste petit)."""
    separateur = "&" if "?" in URL_POSTGRES else "?"
    return f"{URL_POSTGRES}{separateur}options={quote(f'-csearch_path={schema}', safe='')}"


def schema_postgresql(action: str, schema: str) -> None:
    """Crée (« creer », vide) ou supprime (« supprimer ») un schéma de la base PostgreSQL."""
    import sqlalchemy as sa

    moteur = sa.create_engine(URL_POSTGRES)
    with moteur.begin() as c:
        c.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        if action == "creer":
            c.execute(sa.text(f"CREATE SCHEMA {schema}"))
    moteur.dispose()


def _schema_existe(schema: str) -> bool:
    import sqlalchemy as sa

    moteur = sa.create_engine(URL_POSTGRES, connect_args={"connect_timeout": 5})
    try:
        with moteur.connect() as c:
            return bool(
                c.scalar(
                    sa.text(
                        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = :s"
                    ),
                    {"s": schema},
                )
            )
    finally:
        moteur.dispose()


# --- Classeurs -----------------------------------------------------------------------------


def _texte(hasard: random.Random, mots: int) -> str:
    return " ".join(hasard.choice(MOTS) for _ in range(mots)).capitalize() + "."


def _municipalites():
    """Les municipalités au nom unique du répertoire (un nom ambigu serait un problème
    bloquant, pas un avertissement)."""
    from evaluation.depot.municipalites import repertoire

    noms: dict[str, list] = {}
    for m in repertoire().municipalites:
        noms.setdefault(m.nom, []).append(m)
    return [ms[0] for ms in noms.values() if len(ms) == 1]


def generer(chemin: Path, numeros: range, lignes_par_demande: int = 4) -> None:
    """Classeur au format du gabarit : une demande par numéro et 4 lignes de budget chacune,
    écrit avec des textes partagés comme par Excel. Chaque demande est tirée d'après son
    numéro : le classeur d'un lot et celui de toutes les demandes disent la même chose.
    Environ une demande sur deux porte un avertissement, une ligne sur dix une dépense non
    admissible."""
    import xlsxwriter

    from evaluation.appels.configuration import charger_appel
    from evaluation.depot.gabarit import COLONNES_BUDGET, COLONNES_DEMANDES

    appel = charger_appel()
    municipalites = _municipalites()
    admissibles = [c.libelle for c in appel.categories if c.admissible and not c.plafonnee]
    temporaire = chemin.with_suffix(".partiel.xlsx")
    classeur = xlsxwriter.Workbook(str(temporaire))
    date = classeur.add_format({"num_format": "yyyy-mm-dd"})
    demandes = classeur.add_worksheet("Demandes")
    budget = classeur.add_worksheet("Budget")
    # Les colonnes d'avant le formulaire de l'appel (issue 18) : un export du ministère de
    # cette forme, que la mesure garde identique d'une version à l'autre.
    fin = [c.cle for c in COLONNES_DEMANDES].index("date_depot") + 1
    demandes.write_row(0, 0, [c.entete for c in COLONNES_DEMANDES[:fin]])
    budget.write_row(0, 0, [c.entete for c in COLONNES_BUDGET])
    ligne_budget = 1
    for rang, i in enumerate(numeros, 1):
        hasard = random.Random(i)
        m = hasard.choice(municipalites)
        an1 = hasard.randrange(8_000, 25_000, 250)
        debut = dt.date(2024, 4, 1) + dt.timedelta(days=hasard.randrange(0, 200))
        numero = f"B-{i:05d}"
        tirage = hasard.random()
        partenaire = "Villeinconnue" if tirage < 0.15 else hasard.choice(municipalites).nom
        region = "16" if 0.15 <= tirage < 0.2 and m.region_code != "16" else m.region_code
        contribution = None if 0.2 <= tirage < 0.3 else an1
        autre = "oui" if 0.3 <= tirage < 0.5 else "non"
        valeurs = [
            numero,
            m.nom,
            region,
            partenaire,
            "Ville partenaire",
            "France",
            _texte(hasard, hasard.randint(4, 12)),
            _texte(hasard, hasard.randint(40, 220)),
            hasard.randint(1, 3),
            hasard.choice(appel.secteurs).libelle,
            None,
            None,
            None,
            an1 * 2,
            an1,
            None,
            contribution,
            None,
            autre,
            "oui",
            "oui",
            "oui",
            "fonctionnaire",
            f"contact{i}@exemple.example",
        ]
        demandes.write_row(rang, 0, valeurs)
        demandes.write_datetime(rang, 11, dt.datetime.combine(debut, dt.time()), date)
        demandes.write_datetime(
            rang, 12, dt.datetime.combine(debut, dt.time()) + dt.timedelta(300), date
        )
        # Date de dépôt (issue 15) : avant la date limite, tirée du numéro seul (le tirage
        # des autres valeurs ne change pas).
        depot = dt.datetime(2024, 1, 15) + dt.timedelta(days=i % 45)
        demandes.write_datetime(rang, len(valeurs), depot, date)
        parts = [an1 // lignes_par_demande] * (lignes_par_demande - 1)
        parts.append(an1 - sum(parts))
        for montant in parts:
            categorie = "Salaires" if hasard.random() < 0.1 else hasard.choice(admissibles)
            budget.write_row(ligne_budget, 0, [numero, 1, categorie, _texte(hasard, 5), montant])
            ligne_budget += 1
    classeur.close()
    temporaire.replace(chemin)


def assurer_fichier_import(demandes: int, dossier: Path) -> Path:
    chemin = fichier_import(demandes, dossier)
    if not chemin.exists():
        dossier.mkdir(parents=True, exist_ok=True)
        generer(chemin, range(1, demandes + 1))
    return chemin


# --- Construction ----------------------------------------------------------------------------


def _importer(chemin: Path, appel, moteur) -> int:
    """Importe un classeur par le chemin de l'application ; renvoie ses avertissements."""
    from evaluation.depot.importation import importer
    from evaluation.depot.verification import verifier_lot
    from evaluation.socle import stockage
    from evaluation.socle.probleme import AVERTISSEMENT

    with moteur.connect() as connexion:
        numeros = stockage.numeros_demandes(appel.id, connexion=connexion)
    verification = verifier_lot([(chemin.name, chemin)], appel, numeros_stockes=numeros)
    if not verification.sans_blocage:
        bloquants = [p.message for p in verification.problemes if p.severite != AVERTISSEMENT]
        raise RuntimeError(f"{chemin.name} refusé : " + " ; ".join(bloquants[:3]))
    importer(verification, appel, moteur=moteur, auteur=ADMIN)
    return sum(p.severite == AVERTISSEMENT for p in verification.problemes)


def _comptes(moteur, evaluateurs: int, municipalites) -> list[str]:
    from evaluation.socle.comptes import creer_compte

    creer_compte(ADMIN, "admin", MOT_DE_PASSE, moteur=moteur, nom="Administration du programme")
    creer_compte(PRESIDENCE, "president", MOT_DE_PASSE, moteur=moteur, nom="Présidence du comité")
    courriels = []
    for j in range(evaluateurs):
        courriel = f"evaluateur{j + 1:02d}@exemple.qc.ca"
        lieu = {}
        if j == 1:  # conflits vus par la règle : sa municipalité, requérante ou partenaire
            lieu["municipalite"] = municipalites[10].nom
        elif j == 2:  # ... toute sa région
            lieu["region"] = "01"
        creer_compte(courriel, "evaluateur", MOT_DE_PASSE, moteur=moteur, nom=NOMS[j], **lieu)
        courriels.append(courriel)
    return courriels


def _evaluations(appel, moteur, paires: list[tuple[int, str]], graine: int) -> dict[str, int]:
    """Écrit en masse les évaluations de ces paires (demande, évaluateur), leurs notes et
    les lignes du journal qu'un enregistrement par la page écrirait. Chaque demande a sa
    qualité, chaque évaluateur sa sévérité."""
    from evaluation.notes.saisie import BROUILLON, SOUMISE, changements_de_saisie
    from evaluation.socle import stockage

    hasard = random.Random(graine)
    criteres = [c.id for c in appel.criteres]
    pas = appel.pas or 1
    debut = dt.datetime(2026, 10, 1, 9, 0)
    comptes = {"evaluations": 0, "notes": 0, "journal": 0}
    for paquet in range(0, len(paires), 20_000):
        lignes, notes_par_paire, journal = [], {}, []
        for d, e in paires[paquet : paquet + 20_000]:
            qualite = random.Random(d).gauss(6.5, 1.5)
            severite = random.Random(e).gauss(0, 0.8)
            statut = SOUMISE if hasard.random() < 0.95 else BROUILLON
            instant = debut + dt.timedelta(minutes=hasard.randrange(0, 60 * 24 * 40))
            notes = {}
            for k, c in enumerate(criteres):
                if statut == BROUILLON and k >= 3:
                    break
                brut = qualite + severite + hasard.gauss(0, 1)
                note = min(max(round(brut / pas) * pas, appel.echelle_min), appel.echelle_max)
                commentaire = hasard.choice(COMMENTAIRES) if hasard.random() < 0.06 else None
                notes[c] = (float(note), commentaire)
            admissible = None
            if statut == SOUMISE:
                admissible = hasard.random() >= 0.03
            valeurs = {
                "appel_id": appel.id,
                "demande_id": d,
                "evaluateur": e,
                "statut": statut,
                "commentaire_global": hasard.choice(COMMENTAIRES)
                if hasard.random() < 0.15
                else None,
                "admissible": admissible,
                "raison_inadmissibilite": None
                if admissible is not False
                else "Le projet ne relève pas de l'action internationale de la municipalité.",
                "admissibilite": None
                if admissible is None
                else {c.id: bool(admissible) or i > 0 for i, c in enumerate(appel.conditions)},
                "version": 1,
                "cree_le": instant,
                "modifie_le": instant,
                "soumise_le": instant if statut == SOUMISE else None,
            }
            lignes.append(valeurs)
            notes_par_paire[(d, e)] = notes
            journal += [
                stockage.ligne_journal(
                    instant,
                    e,
                    objet,
                    ancien,
                    nouveau,
                    appel_id=appel.id,
                    demande_id=d,
                    evaluateur=e,
                    version=1,
                )
                for objet, ancien, nouveau in changements_de_saisie(None, valeurs, notes)
            ]
        with stockage.ecriture(moteur) as connexion:
            stockage.inserer_evaluations_en_masse(lignes, [], connexion=connexion)
            stockees = stockage.lire_evaluations(appel.id, connexion=connexion)
            ids = {
                (int(d), e): int(i)
                for i, d, e in zip(
                    stockees["id"], stockees["demande_id"], stockees["evaluateur"], strict=True
                )
            }
            notes = [
                {"evaluation_id": ids[p], "critere": c, "note": n, "commentaire": m}
                for p, par_critere in notes_par_paire.items()
                for c, (n, m) in par_critere.items()
            ]
            stockage._inserer_en_masse(stockage.notes, notes, connexion=connexion)
            stockage.mettre_a_jour_resumes([ids[p] for p in notes_par_paire], connexion=connexion)
            stockage._inserer_en_masse(stockage.journal, journal, connexion=connexion)
        comptes["evaluations"] += len(lignes)
        comptes["notes"] += len(notes)
        comptes["journal"] += len(journal)
    return comptes


def construire(
    url: str, demandes: int, evaluateurs: int, dossier: Path, repartition: str = PARTIELLE
) -> dict:
    """Construit la base à `url` (vide) ; renvoie ce qu'elle contient."""
    from evaluation.appels.configuration import charger_appel
    from evaluation.decision import decisions
    from evaluation.decision.financement import LISTE_ATTENTE, REFUSE, RETENU
    from evaluation.notes import attributions, examens, filtrage
    from evaluation.socle import stockage

    appel = charger_appel()
    moteur = stockage.creer_moteur(url)
    hasard = random.Random(demandes)
    municipalites = _municipalites()
    courriels = _comptes(moteur, evaluateurs, municipalites)

    tardives = max(int(demandes * PART_TARDIVE), 1)
    premieres = demandes - tardives
    avertissements = 0
    for debut in range(1, premieres + 1, LOT):
        chemin = dossier / f"lot-{debut}-{min(debut + LOT, premieres + 1) - 1}.partiel.xlsx"
        generer(chemin, range(debut, min(debut + LOT, premieres + 1)))
        avertissements += _importer(chemin, appel, moteur)
        chemin.unlink()

    # L'examen d'admissibilité avant la notation (issue 15) : seules les demandes jugées
    # admissibles s'attribuent et se classent.
    examens.examiner_d_apres_les_fichiers(appel, moteur=moteur, auteur=ADMIN)
    with moteur.connect() as connexion:
        table = stockage.lire_demandes(appel.id, connexion=connexion)
    ids = sorted(int(i) for i in table["id"])
    deja = set(attributions.charger(appel.id, moteur=moteur).conflits)
    for _ in range(max(2, min(demandes // 100, 200))):
        d, e = hasard.choice(ids), hasard.choice(courriels)
        if (d, e) not in deja:
            attributions.declarer_conflit(
                appel.id, d, e, hasard.choice(RAISONS_CONFLIT), moteur=moteur, auteur=ADMIN
            )
            deja.add((d, e))

    etat = attributions.charger(appel.id, moteur=moteur)
    paires = [
        (d, e)
        for d in ids
        for e in courriels
        if (d, e) not in etat.conflits and hasard.random() < 0.92
    ]
    compte = _evaluations(appel, moteur, paires, graine=1)

    chemin = dossier / "lot-tardif.partiel.xlsx"
    generer(chemin, range(premieres + 1, demandes + 1))
    avertissements += _importer(chemin, appel, moteur)
    chemin.unlink()
    examens.examiner_d_apres_les_fichiers(appel, moteur=moteur, auteur=ADMIN)
    if repartition == PARTIELLE:
        attributions.appliquer_repartition(appel, PAR_DEMANDE_TARDIVE, moteur=moteur, auteur=ADMIN)
    etat = attributions.charger(appel.id, moteur=moteur)
    anciennes = set(ids)
    voulues = (
        etat.stockees
        if repartition == PARTIELLE
        else {
            (d, e)
            for d in etat.demandes
            if d not in anciennes
            for e in etat.evaluateurs
            if (d, e) not in etat.conflits
        }
    )
    paires = [p for p in sorted(voulues) if p[0] not in anciennes and hasard.random() < 0.7]
    for cle_, n in _evaluations(appel, moteur, paires, graine=2).items():
        compte[cle_] += n

    with moteur.connect() as connexion:
        table = stockage.lire_demandes(appel.id, connexion=connexion)
        examens_ = filtrage.etats(stockage.lire_examens(appel.id, connexion=connexion))
    # Seule une demande jugée admissible peut être retenue (issues 16 et 17) : les décisions
    # du jeu portent sur celles-là.
    possibles = [
        i
        for i, d in enumerate(table["id"].astype(int))
        if filtrage.etat_de(examens_, d).verdict == filtrage.ADMISSIBLE
    ]
    choisies = hasard.sample(possibles, min(len(possibles), max(3, min(500, demandes // 10))))
    for k, position in enumerate(choisies):
        d = table.iloc[position]
        decision = (RETENU, LISTE_ATTENTE, REFUSE)[k % 3]
        montants = (
            (int(d["montant_demande_an1"] or 0), int(d["montant_demande_an2"] or 0))
            if decision == RETENU
            else (0, 0)
        )
        decisions.enregistrer_decision(
            appel,
            int(d["id"]),
            decision,
            montants,
            "Décision du comité en séance, après discussion.",
            moteur=moteur,
            auteur=PRESIDENCE,
        )
    for position in choisies[:3]:
        d = table.iloc[position]
        decisions.modifier_montant(
            appel,
            int(d["id"]),
            1,
            int(d["montant_demande_an1"] or 0) * 9 // 10,
            "Dépenses de déplacement réduites par le comité.",
            moteur=moteur,
            auteur=PRESIDENCE,
        )
    etat = attributions.charger(appel.id, moteur=moteur)
    with moteur.connect() as connexion:
        lignes_budget = len(stockage.lire_lignes_budget(appel.id, connexion=connexion))
    if url.startswith("sqlite"):
        with moteur.connect() as connexion:
            connexion.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    moteur.dispose()
    return {
        "demandes": demandes,
        "evaluateurs": evaluateurs,
        "lignes_budget": lignes_budget,
        "avertissements": avertissements,
        "conflits": len(etat.conflits),
        "attributions": len(etat.stockees),
        "decisions": len(choisies),
        **compte,
    }


def base(
    demandes: int,
    *,
    evaluateurs: int | None = None,
    repartition: str = PARTIELLE,
    postgresql: bool = False,
    dossier: Path = DOSSIER,
    bavard: bool = True,
) -> dict:
    """La base de cette taille, construite au besoin ; renvoie son manifeste : URL, comptes
    à utiliser, contenu, classeur d'import de toutes les demandes, durée de construction."""
    evaluateurs = evaluateurs or evaluateurs_par_defaut(demandes)
    dossier.mkdir(parents=True, exist_ok=True)
    cle_base = cle(demandes, evaluateurs, repartition)
    chemin = manifeste(cle_base, postgresql, dossier)
    schema = f"mesure_{cle_base.replace('-', '_')}"
    if chemin.exists():
        contenu = json.loads(chemin.read_text(encoding="utf-8"))
        present = (
            _schema_existe(schema)
            if postgresql
            else Path(contenu["url"].removeprefix("sqlite:///")).exists()
        )
        if present and Path(contenu["fichier_import"]).exists():
            contenu["reprise"] = True
            return contenu
    debut = time.perf_counter()
    if postgresql:
        schema_postgresql("creer", schema)
        url = url_postgresql(schema)
    else:
        fichier = dossier / f"base-{cle_base}.sqlite"
        for f in (fichier, Path(f"{fichier}-wal"), Path(f"{fichier}-shm")):
            f.unlink(missing_ok=True)
        url = f"sqlite:///{fichier}"
    if bavard:
        print(f"Construction de la base de {demandes} demandes × {evaluateurs} évaluateurs…")
    contenu = construire(url, demandes, evaluateurs, dossier, repartition)
    duree = time.perf_counter() - debut
    fichier_complet = assurer_fichier_import(demandes, dossier)
    contenu.update(
        url=url,
        repartition=repartition,
        schema=schema if postgresql else None,
        duree_construction=round(duree, 1),
        fichier_import=str(fichier_complet),
        mot_de_passe=MOT_DE_PASSE,
        administration=ADMIN,
        presidence=PRESIDENCE,
        evaluateur="evaluateur01@exemple.qc.ca",
        empreinte=EMPREINTE,
    )
    chemin.write_text(json.dumps(contenu, indent=1, ensure_ascii=False), encoding="utf-8")
    contenu["reprise"] = False
    return contenu


# Ce qui fait le contenu de la base : une base gardée est reconstruite dès que l'un change
# (les textes d'usage et l'affichage, non).
EMPREINTE = hashlib.sha256(
    "\n".join(
        [
            repr((LOT, PART_TARDIVE, PAR_DEMANDE_TARDIVE, MOT_DE_PASSE, ADMIN, PRESIDENCE)),
            repr((NOMS, MOTS, COMMENTAIRES, RAISONS_CONFLIT)),
            *(
                inspect.getsource(f)
                for f in (generer, _municipalites, _importer, _comptes, _evaluations, construire)
            ),
        ]
    ).encode()
).hexdigest()[:10]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--demandes", type=int, default=5000)
    p.add_argument("--evaluateurs", type=int, help="15 par défaut ; 5 à 50 000 demandes")
    p.add_argument(
        "--repartition",
        choices=(PARTIELLE, TOUTES),
        default=PARTIELLE,
        help="trois évaluateurs par demande tardive (partielle) ou chacun évalue tout",
    )
    p.add_argument("--postgresql", action="store_true", help="base PostgreSQL (un schéma)")
    p.add_argument("--dossier", type=Path, default=DOSSIER, help="où garder les bases")
    p.add_argument("--json", action="store_true", help="imprime le manifeste en JSON")
    options = p.parse_args()
    contenu = base(
        options.demandes,
        evaluateurs=options.evaluateurs,
        repartition=options.repartition,
        postgresql=options.postgresql,
        dossier=options.dossier,
        bavard=not options.json,
    )
    if options.json:
        print(json.dumps(contenu, ensure_ascii=False))
        return
    etat = "reprise (déjà construite" if contenu["reprise"] else "construite"
    print(
        f"Base {etat} en {contenu['duree_construction']:.0f} s"
        + (")" if contenu["reprise"] else "")
        + f" : {contenu['url']}\n"
        f"{contenu['demandes']} demandes, {contenu['lignes_budget']} lignes de budget, "
        f"{contenu['avertissements']} avertissements à l'importation, "
        f"{contenu['evaluateurs']} évaluateurs, {contenu['conflits']} conflits d'intérêts, "
        f"{contenu['attributions']} attributions, {contenu['evaluations']} évaluations, "
        f"{contenu['notes']} notes, {contenu['decisions']} décisions, "
        f"{contenu['journal']} lignes de journal pour les évaluations"
    )


if __name__ == "__main__":
    main()
