"""Un appel et une base dont les textes sont hostiles, passés par le vrai chemin des données :
classeur importé (titres, résumés, municipalités, partenaires, lignes de budget, un numéro),
comptes, évaluations soumises (commentaires), décisions (justifications), appel configuré
(nom, nom court, libellé de secteur). Pour tests/sorties/test_exports_hostiles.py (formules) et
tests/pages/test_textes_hostiles.py (Markdown).
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook, load_workbook

from evaluation.appels.configuration import appel_depuis_toml, charger_appel
from evaluation.decision import decisions, financement
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte, trouver_compte
from evaluation.socle.roles import EVALUATEUR
from evaluation.sorties.neutralisation import ecrire_ligne
from tests.conftest import DONNEES
from tests.filtrage import admettre

VALIDE = DONNEES / "formats" / "valide.xlsx"
MOT_DE_PASSE = "cheval agrafe batterie correcte"

# Ce qu'un tableur prendrait pour une formule : les signes de l'OWASP, la pleine chasse et
# la petite forme, des blancs de tête, une charge DDE, une fonction qui appelle une adresse,
# un « nombre » qui est un calcul.
FORMULES = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    " =1+1",
    "\uff1d1+1",
    "\uff0b1+1",
    "\uff0d1+1",
    "\uff201+1",
    "\ufe661+1",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://127.0.0.1:9/","clic")',
    "@SUM(cmd|' /C calc'!A0)",
]
# Ce que Streamlit interpréterait : image (une requête vers une adresse), liens, HTML, gras,
# LaTeX, couleur, icône, émoji, adresse nue.
MARKDOWN = (
    "![x](http://127.0.0.1:9/x.png) [lien](javascript:alert(1)) "
    "<img src=x onerror=alert(1)> **gras** $x$ :red[x] :material/home: :smile: "
    "http://127.0.0.1:9/nu"
)
# Des morceaux de MARKDOWN qui ne doivent jamais paraître tels quels dans une source
# Markdown affichée (échappés, ils perdent leur sens).
MARQUES_ACTIVES = [
    "![x](",
    "[lien](",
    "<img",
    "**gras**",
    "$x$",
    ":red[x]",
    ":material/home:",
    ":smile:",
    "http://127.0.0.1:9/nu",
]


def marques_actives(source: str) -> list[str]:
    """Les marques de MARQUES_ACTIVES présentes sans barre oblique d'échappement devant,
    dans une source Markdown."""
    return [m for m in MARQUES_ACTIVES if re.search(r"(?<!\\)" + re.escape(m), source)]


NOMBRE_HOSTILE = "-1+1"
EVALUATEURS = {
    "eva@exemple.qc.ca": "=cmd|' /C calc'!A0",
    "luc@exemple.qc.ca": "Luc " + MARKDOWN,
}


def appel_hostile(texte: str):
    """L'appel livré dont le nom porte `texte`, le nom court `texte` + « court » et le
    libellé du premier secteur `texte` + « secteur »."""
    livre = charger_appel()
    source = livre.source_toml.replace(f'nom = "{livre.nom}"', f"nom = {_toml(texte)}", 1)
    source = source.replace(
        f'nom_court = "{livre.nom_court}"', f"nom_court = {_toml(texte + ' court')}", 1
    )
    premier = livre.secteurs[0].libelle
    source = source.replace(f'libelle = "{premier}"', f"libelle = {_toml(texte + ' secteur')}", 1)
    appel = appel_depuis_toml(source, "hostile")
    assert appel.nom == texte and appel.secteurs[0].libelle == texte + " secteur"
    return appel


def _toml(texte: str) -> str:
    import json

    return json.dumps(texte, ensure_ascii=False)


def classeur_de_demandes(dossier: Path, textes: list[str], numero_hostile: str | None) -> Path:
    """Un classeur au format du gabarit : une demande par texte (T-101…, la dernière numérotée
    `numero_hostile` s'il est donné) dont le titre, le résumé, la municipalité et les
    partenaires étrangers sont ce texte, écrit comme texte ; une ligne de budget chacune."""
    source = load_workbook(VALIDE)
    entetes = [c.value for c in source["Demandes"][1]]
    modele = [c.value for c in source["Demandes"][2]]
    entetes_budget = [c.value for c in source["Budget"][1]]
    modele_budget = [c.value for c in source["Budget"][2]]
    livre = Workbook()
    demandes = livre.active
    demandes.title = "Demandes"
    budget = livre.create_sheet("Budget")
    ecrire_ligne(demandes, 1, entetes)
    ecrire_ligne(budget, 1, entetes_budget)
    for i, texte in enumerate(textes):
        numero = f"T-{101 + i}"
        if numero_hostile and i == len(textes) - 1:
            numero = numero_hostile
        valeurs = dict(zip(entetes, modele, strict=True))
        valeurs |= {
            "No de demande": numero,
            "Titre du projet": texte,
            "Résumé": texte,
            "Municipalité requérante": texte,
            "Partenaires étrangers": texte,
        }
        ligne = [valeurs[e] for e in entetes]
        ecrire_ligne(demandes, i + 2, ligne)
        budget_i = dict(zip(entetes_budget, modele_budget, strict=True))
        budget_i |= {"No de demande": numero, "Description": texte}
        ecrire_ligne(budget, i + 2, [budget_i[e] for e in entetes_budget])
    chemin = dossier / "hostile.xlsx"
    livre.save(chemin)
    return chemin


def remplir_base(url: str, dossier: Path, textes: list[str], numero_hostile: str | None = None):
    """La base de `url` avec l'appel hostile (nom : textes[0]), les demandes du classeur,
    deux évaluateurs aux noms hostiles qui soumettent chaque demande (commentaires : le texte
    de la demande) et une décision justifiée par le texte sur chaque demande (une sur deux
    retenue).

    Renvoie (appel, {numéro: id})."""
    appel = appel_hostile(textes[0])
    moteur = stockage.creer_moteur(url)
    try:
        fichier = classeur_de_demandes(dossier, textes, numero_hostile)
        verification = verifier_lot([(fichier.name, fichier)], appel)
        assert verification.sans_blocage, [p.texte() for p in verification.problemes if p.bloque]
        importer(verification, appel, moteur=moteur, auteur=textes[-1])
        admettre(moteur, appel)  # jugées admissibles : elles se notent
        for courriel, nom in EVALUATEURS.items():
            if trouver_compte(courriel, moteur=moteur) is None:
                creer_compte(courriel, EVALUATEUR, MOT_DE_PASSE, moteur=moteur, nom=nom)
        with moteur.connect() as c:
            table = stockage.lire_demandes(appel.id, connexion=c)
        ids = dict(zip(table["no_demande"], table["id"].astype(int), strict=True))
        par_titre = dict(zip(table["id"].astype(int), table["titre"], strict=True))
        annees = financement.nombre_annees(appel)
        for i, (d, titre) in enumerate(par_titre.items()):
            for n, courriel in enumerate(EVALUATEURS):
                saisie = Saisie(
                    notes={c.id: 6.0 + n for c in appel.criteres},
                    commentaires={c.id: titre for c in appel.criteres},
                    commentaire_global=titre,
                    admissible=True,
                )
                evaluations.enregistrer(appel, d, courriel, saisie, SOUMISE, moteur=moteur)
            # Une sur deux retenue (20 000 $ la première année, comme le classeur modèle).
            retenue = i % 2 == 0
            decisions.enregistrer_decision(
                appel,
                d,
                financement.RETENU if retenue else financement.REFUSE,
                (2_000_000 if retenue else 0, *(0,) * (annees - 1)),
                titre,
                moteur=moteur,
                auteur=textes[-1],
            )
    finally:
        moteur.dispose()
    return appel, ids
