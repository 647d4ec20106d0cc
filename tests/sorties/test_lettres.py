"""Les lettres aux demandeurs (evaluation/sorties/lettres.py, evaluation/decision/courrier.py),
relues avec python-docx et, en PDF, avec pdftotext.

Le jeu « décisions » (valide.xlsx, l'appel livré, toutes admissibles) :
- T-002 (conjoint, bonification de 5 000 $) : 9 partout → retenu, 30 000 $ en 2024-2025
  et 25 000 $ en 2025-2026 ;
- T-001 : pertinence 10 (e1) et 5 (e2), 8 ailleurs → 78,75 ; refusé ; e1 et e2 ont
  commenté (un « & », un « < », une balise Jinja dans un commentaire) ;
- T-003 : 7 partout → retenu, 18 000 $ en 2024-2025 seulement.

Le jeu « issues » (SQLite et PostgreSQL) : T-001 jugée inadmissible à l'examen (dossier
incomplet), T-002 en liste d'attente, T-003 sans décision (pas de lettre).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from evaluation.appels.configuration import charger_appel
from evaluation.decision import courrier, decisions, financement
from evaluation.depot.classeurs import FichierRefuse
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import journal, stockage
from evaluation.socle.roles import ADMIN, PRESIDENT
from evaluation.sorties import lettres
from tests.conftest import DONNEES, manque
from tests.filtrage import admettre, ecarter
from tests.ministere import AUTORITE, approuver_les_recommandations

VALIDE = DONNEES / "formats" / "valide.xlsx"
JOUR = dt.date(2024, 4, 1)
AUTEUR = "presidence@exemple.qc.ca"
E1, E2 = "e1@exemple.qc.ca", "e2@exemple.qc.ca"
NBSP = "\u00a0"
COMMENTAIRE_E1 = "Objectifs clairs & mesurables <b>gras</b>"
COMMENTAIRE_E2 = "Retombées peu démontrées {{ piege }}"
GLOBAL_E1 = "Projet solide, budget serré."
RAISON_INADMISSIBLE = "budget détaillé absent du dossier"


def texte(docx: bytes) -> str:
    """Le texte d'un DOCX relu par python-docx (corps, tableaux, en-têtes, pieds), espaces
    insécables remplacées par des espaces."""
    document = Document(io.BytesIO(docx))
    morceaux = [p.text for p in document.paragraphs]
    for tableau in document.tables:
        for rangee in tableau.rows:
            morceaux.append(" | ".join(c.text for c in rangee.cells))
    for section in document.sections:
        morceaux += [p.text for p in section.header.paragraphs]
        morceaux += [p.text for p in section.footer.paragraphs]
    return "\n".join(morceaux).replace(NBSP, " ")


def sans_balise(t: str) -> None:
    for balise in ("{{", "{%", "}}", "%}", "{#"):
        assert balise not in t, t


def construire_decisions(moteur, appel) -> dict[str, int]:
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    admettre(moteur, appel)
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))

    def soumettre(no, evaluateur, note, pertinence=None, **champs):
        notes = {c.id: note for c in appel.criteres}
        if pertinence is not None:
            notes["pertinence"] = pertinence
        saisie = Saisie(notes=notes, admissible=True, **champs)
        evaluations.enregistrer(appel, ids[no], evaluateur, saisie, SOUMISE, moteur=moteur)

    soumettre("T-002", E1, 9.0)
    soumettre("T-002", E2, 9.0)
    soumettre(
        "T-001",
        E1,
        8.0,
        pertinence=10.0,
        commentaires={"pertinence": COMMENTAIRE_E1},
        commentaire_global=GLOBAL_E1,
    )
    soumettre("T-001", E2, 8.0, pertinence=5.0, commentaires={"pertinence": COMMENTAIRE_E2})
    soumettre("T-003", E1, 7.0)
    soumettre("T-003", E2, 7.0)
    decisions.fixer_bonification(
        appel, ids["T-002"], 500_000, "trois municipalités", moteur=moteur, auteur=AUTEUR
    )
    for no, decision, montants, justification in (
        ("T-002", financement.RETENU, (3_000_000, 2_500_000), "Année 2 réduite."),
        ("T-001", financement.REFUSE, (), "Sous la ligne."),
        ("T-003", financement.RETENU, (1_800_000, 0), "Arrondi au dollar."),
    ):
        decisions.enregistrer_decision(
            appel, ids[no], decision, montants, justification, moteur=moteur, auteur=AUTEUR
        )
    approuver_les_recommandations(moteur, appel)
    return ids


@pytest.fixture(scope="module")
def appel():
    return charger_appel()


@pytest.fixture(scope="module")
def base_decisions(tmp_path_factory, appel):
    moteur = stockage.creer_moteur(f"sqlite:///{tmp_path_factory.mktemp('l') / 'base.sqlite'}")
    ids = construire_decisions(moteur, appel)
    yield moteur, ids
    moteur.dispose()


@pytest.fixture(scope="module")
def preparation(base_decisions, appel):
    moteur, _ = base_decisions
    return courrier.preparer(appel, moteur=moteur)


@pytest.fixture(scope="module")
def rendues(preparation, appel) -> dict[str, str]:
    """{numéro de demande: texte de sa lettre} rendue avec les modèles livrés."""
    modeles = {g: lettres.modele_par_defaut(g) for g in lettres.GENRES}
    g = lettres.generer(preparation.lettres, modeles, appel, JOUR)
    return {
        lettre.no_demande: texte(contenu)
        for lettre, contenu in zip(preparation.lettres, g.fichiers.values(), strict=True)
    }


# --- L'issue de chaque demande ----------------------------------------------------------------


def test_issues_viennent_des_decisions_du_comite_et_de_l_examen():
    """Retenu → acceptation (montants), liste d'attente, refusé → refus sous la ligne ;
    inadmissible à l'examen → refus inadmissible, même avec une décision ; sans décision :
    aucune issue. L'appel : le ministère « conserve cependant la responsabilité de la
    sélection définitive des projets » — `decisions` ne porte que les siennes
    (`courrier.preparer`)."""
    demandes = [{"id": i} for i in (1, 2, 3, 4, 5)]
    decisions_ = [
        {"demande_id": 1, "decision": "retenu", "montant_an1": 1_800_000, "montant_an2": 0},
        {"demande_id": 2, "decision": "liste d'attente", "montant_an1": 0, "montant_an2": 0},
        {"demande_id": 3, "decision": "refusé", "montant_an1": 0, "montant_an2": 0},
        {"demande_id": 4, "decision": "refusé", "montant_an1": 0, "montant_an2": 0},
        {"demande_id": 99, "decision": "retenu", "montant_an1": 1, "montant_an2": 0},
    ]
    issues = lettres.issues_des_demandes(demandes, decisions_, [4, 77])
    assert issues == {
        1: lettres.Issue(lettres.ACCEPTATION, (1_800_000, 0)),
        2: lettres.Issue(lettres.LISTE_ATTENTE),
        3: lettres.Issue(lettres.REFUS_SOUS_LA_LIGNE),
        4: lettres.Issue(lettres.REFUS_INADMISSIBLE),
    }


def test_preparation_dans_l_ordre_du_classement(preparation):
    assert [(x.no_demande, x.genre) for x in preparation.lettres] == [
        ("T-002", lettres.ACCEPTATION),
        ("T-001", lettres.REFUS_SOUS_LA_LIGNE),
        ("T-003", lettres.ACCEPTATION),
    ]
    assert preparation.sans_lettre == ()
    assert preparation.par_genre() == {
        lettres.ACCEPTATION: 2,
        lettres.LISTE_ATTENTE: 0,
        lettres.REFUS_INADMISSIBLE: 0,
        lettres.REFUS_SOUS_LA_LIGNE: 1,
    }


# --- Le contenu des lettres --------------------------------------------------------------------


def test_acceptation_montant_par_annee_financiere(rendues):
    """T-003 : 18 000 $ en 2024-2025 seulement (l'année 2, à 0 $, n'est pas écrite)."""
    t = rendues["T-003"]
    assert "année financière 2024-2025 : 18 000 $" in t
    assert "2025-2026" not in t
    assert "montant maximal de 18 000 $" in t
    assert "Québec, le 1er avril 2024" in t
    assert "Objet : Demande T-003 — Mission mobilité durable à Puebla" in t
    assert "Gatineau" in t and "Personne-ressource : intl@gatineau.example" in t
    sans_balise(t)


def test_acceptation_sur_deux_annees_conditions_et_rapport(rendues):
    t = rendues["T-002"]
    assert "année financière 2024-2025 : 30 000 $" in t
    assert "année financière 2025-2026 : 25 000 $" in t
    assert "montant maximal de 55 000 $" in t
    # La phrase de l'appel sur le rapport, citée : « Les organisations dont les projets
    # auront été sélectionnés s'engagent à produire un rapport financier et narratif sur le
    # projet financé faisant notamment état des retombées escomptées. »
    assert (
        "s'engagent à produire un rapport financier et narratif sur le projet financé "
        "faisant notamment état des retombées escomptées" in t
    )
    # « L'appui financier sera accordé au partenaire québécois du projet exclusivement. »
    assert "partenaire québécois du projet exclusivement" in t
    assert "adoption des crédits annuels" in t
    sans_balise(t)


def test_refus_sous_la_ligne_notes_par_critere_et_commentaires_sans_nom(rendues, appel):
    t = rendues["T-001"]
    # Note retenue de chaque critère (moyenne des évaluateurs) sur 10, et le total.
    assert "Pertinence et retombées | 7,50 / 10" in t
    for c in appel.criteres[1:]:
        assert f"{c.libelle} | 8,00 / 10" in t
    assert "note globale de 78,75 sur 100" in t
    # Les commentaires regroupés par critère, texte intact (&, <), balise neutralisée.
    assert f"Pertinence et retombées : {COMMENTAIRE_E1}" in t
    assert "Pertinence et retombées : Retombées peu démontrées { { piege } }" in t
    assert f"Appréciation générale : {GLOBAL_E1}" in t
    # Aucun évaluateur nommé.
    assert "e1@" not in t and "e2@" not in t
    assert "montant" not in t.lower().split("objet")[1].split("note obtenue")[0]
    sans_balise(t)


def test_issues_inadmissible_attente_et_sans_decision(moteur, appel):
    """Sur SQLite et PostgreSQL : l'examen d'admissibilité donne les raisons du refus ; la
    liste d'attente a sa lettre ; une demande sans décision n'en a pas et est nommée."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))
    admettre(moteur, appel, [ids["T-002"], ids["T-003"]])
    ecarter(moteur, appel, ids["T-001"], RAISON_INADMISSIBLE, "budget-detaille")
    decisions.enregistrer_decision(
        appel,
        ids["T-002"],
        financement.LISTE_ATTENTE,
        (),
        "En attente de sommes.",
        moteur=moteur,
        auteur=AUTEUR,
    )
    approuver_les_recommandations(moteur, appel)
    preparation = courrier.preparer(appel, moteur=moteur)
    genres = {x.no_demande: x.genre for x in preparation.lettres}
    assert genres == {"T-002": lettres.LISTE_ATTENTE, "T-001": lettres.REFUS_INADMISSIBLE}
    assert [s.no_demande for s in preparation.sans_lettre] == ["T-003"]
    paquet = courrier.generer(appel, moteur=moteur, auteur=AUTEUR, role=ADMIN, jour=JOUR)
    with zipfile.ZipFile(io.BytesIO(paquet.contenu)) as z:
        noms = z.namelist()
        inadmissible = texte(z.read("lettre-T-001-refus-inadmissible.docx"))
        attente = texte(z.read("lettre-T-002-liste-attente.docx"))
    assert sorted(noms) == [
        "lettre-T-001-refus-inadmissible.docx",
        "lettre-T-002-liste-attente.docx",
    ]
    condition = next(c for c in appel.conditions if c.id == "budget-detaille")
    assert f"« {condition.libelle} » : condition non remplie, {RAISON_INADMISSIBLE}" in (
        inadmissible
    )
    assert "ne satisfait pas aux critères d'admissibilité" in inadmissible
    assert "inscrit sur la liste d'attente" in attente
    assert "ne constitue pas un engagement financier" in attente
    for t in (inadmissible, attente):
        sans_balise(t)
        assert "$" not in t


def test_la_decision_du_ministere_fait_la_lettre(moteur, appel):
    """« Le ministère [...] conserve cependant la responsabilité de la sélection définitive
    des projets et de la détermination des sommes qui leur seront accordées » : T-002, en
    liste d'attente au comité, retenue par le ministère à 12 000 $, reçoit l'acceptation à
    12 000 $ ; T-003, que seul le comité a recommandée (liste d'attente), n'a pas encore de
    lettre."""
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))
    admettre(moteur, appel, list(ids.values()))
    for no in ("T-002", "T-003"):
        decisions.enregistrer_decision(
            appel,
            ids[no],
            financement.LISTE_ATTENTE,
            (),
            "En attente.",
            moteur=moteur,
            auteur=AUTEUR,
        )
    with stockage.ecriture(moteur) as connexion:
        stockage.ajouter_decisions_ministre(
            [
                {
                    "appel_id": appel.id,
                    "demande_id": ids["T-002"],
                    "decision": financement.RETENU,
                    "montant_an1": 1_200_000,
                    "montant_an2": 0,
                    "raison": "Priorité régionale",
                    "autorite": "Marie Ministre",
                    "decision_comite_id": None,
                    "date": dt.datetime(2024, 6, 1),
                    "auteur": AUTEUR,
                }
            ],
            connexion=connexion,
        )
    preparation = courrier.preparer(appel, moteur=moteur)
    genres = {x.no_demande: x.genre for x in preparation.lettres}
    assert genres == {"T-002": lettres.ACCEPTATION}
    assert "T-003" in [x.no_demande for x in preparation.sans_lettre]
    paquet = courrier.generer(appel, moteur=moteur, auteur=AUTEUR, role=ADMIN, jour=JOUR)
    with zipfile.ZipFile(io.BytesIO(paquet.contenu)) as z:
        acceptation = texte(z.read("lettre-T-002-acceptation.docx"))
    assert "12 000 $" in acceptation
    sans_balise(acceptation)


ORGANISME = "Ministère des Relations internationales et de la Francophonie"


def test_lettres_signees_du_nom_de_l_autorite_sans_mention_a_remplir(rendues):
    """Chaque lettre est signée du nom de l'autorité qui a décidé (la décision du
    ministère) ; aucune ne garde de mention entre crochets (« [Nom et fonction de la
    personne signataire] »)."""
    for no, t in rendues.items():
        lignes = t.splitlines()
        assert AUTORITE in lignes, no
        assert lignes[lignes.index(AUTORITE) + 1] == ORGANISME, no
        assert not re.search(r"\[[^\]]*\]", t), no


def test_mention_entre_crochets_restee_dans_la_lettre_refusee(appel):
    """Une mention à remplir laissée dans un modèle est refusée ; une élision de citation
    (« […] ») et un crochet venu des données (le titre) ne le sont pas."""
    modele = modifie(LIVRE.read_bytes(), "Madame, Monsieur,", "[Nom du signataire]")
    with pytest.raises(
        lettres.ErreurLettre, match=r"« m\.docx » garde une mention à remplir : « \[Nom du"
    ):
        lettres.verifier_modele("m.docx", modele, appel, lettres.ACCEPTATION)
    elision = modifie(LIVRE.read_bytes(), "Madame, Monsieur,", "« Le ministère […] conserve »")
    lettres.verifier_modele("m.docx", elision, appel, lettres.ACCEPTATION)
    lettre = lettres.Lettre(1, "X-1", "Projet [phase 2]", "Ville", lettres.LISTE_ATTENTE)
    docx = lettres.rendre(
        lettres.modele_par_defaut(lettres.LISTE_ATTENTE),
        lettres.contexte(lettre, appel, JOUR),
        "liste-attente.docx",
    )
    assert "Projet [phase 2]" in texte(docx)


def test_refus_du_ministere_contre_la_recommandation_du_comite():
    """Le comité avait recommandé la demande (retenu), le ministère l'a refusée : ce n'est
    pas un refus « sous la ligne » (`refus_du_ministere`) ; la raison du ministère suit."""
    issues = lettres.issues_des_demandes(
        [{"id": 1}, {"id": 2}],
        [
            {
                "demande_id": 1,
                "decision": "refusé",
                "autorite": "Marie Ministre",
                "raison_du_ministere": "Priorité aux régions",
                "recommandation_du_comite": "retenu",
            },
            {"demande_id": 2, "decision": "refusé", "recommandation_du_comite": "refusé"},
        ],
        [],
    )
    assert issues == {
        1: lettres.Issue(
            lettres.REFUS_SOUS_LA_LIGNE, (), "Marie Ministre", "Priorité aux régions", True
        ),
        2: lettres.Issue(lettres.REFUS_SOUS_LA_LIGNE),
    }


def _decider(moteur, appel, ids, no, decision, montants, raison) -> None:
    with stockage.ecriture(moteur) as connexion:
        stockage.ajouter_decisions_ministre(
            [
                {
                    "appel_id": appel.id,
                    "demande_id": ids[no],
                    "decision": decision,
                    "montant_an1": montants[0],
                    "montant_an2": montants[1],
                    "raison": raison,
                    "autorite": "Luc Sous-ministre",
                    "decision_comite_id": None,
                    "date": dt.datetime(2024, 6, 2),
                    "auteur": AUTEUR,
                }
            ],
            connexion=connexion,
        )


def test_la_lettre_donne_la_raison_du_ministere_qui_modifie_la_recommandation(moteur, appel):
    """Le ministère « conserve cependant la responsabilité de la sélection définitive des
    projets et de la détermination des sommes qui leur seront accordées » : T-003, retenue
    par le comité, refusée par le ministère, reçoit un refus qui le dit (ni « enveloppe »)
    avec sa raison ; T-002, retenue à des montants réduits, reçoit l'acceptation avec la
    raison ; T-001, refus du comité approuvé tel quel, garde le refus sous la ligne, sans
    raison du ministère. Chaque lettre est signée de l'autorité qui a décidé."""
    ids = construire_decisions(moteur, appel)
    _decider(moteur, appel, ids, "T-003", financement.REFUSE, (0, 0), "Projet déjà financé.")
    _decider(
        moteur, appel, ids, "T-002", financement.RETENU, (2_000_000, 0), "Une année seulement."
    )
    preparation = courrier.preparer(appel, moteur=moteur)
    genres = {x.no_demande: x.genre for x in preparation.lettres}
    assert genres == {
        "T-001": lettres.REFUS_SOUS_LA_LIGNE,
        "T-002": lettres.ACCEPTATION,
        "T-003": lettres.REFUS_SOUS_LA_LIGNE,
    }
    modeles = {g: lettres.modele_par_defaut(g) for g in lettres.GENRES}
    g = lettres.generer(preparation.lettres, modeles, appel, JOUR)
    t = {
        x.no_demande: texte(c)
        for x, c in zip(preparation.lettres, g.fichiers.values(), strict=True)
    }
    refus = t["T-003"]
    assert "Le comité d'évaluation en avait recommandé le financement" in refus
    assert "motive ainsi sa décision : Projet déjà financé." in refus
    assert "enveloppe" not in refus and "sous la ligne" not in refus
    assert "Luc Sous-ministre" in refus.splitlines()
    acceptation = t["T-002"]
    assert "montant maximal de 20 000 $" in acceptation
    assert "motive ainsi sa décision : Une année seulement." in acceptation
    assert "Luc Sous-ministre" in acceptation.splitlines()
    sous_la_ligne = t["T-001"]
    assert "compte tenu de l'enveloppe disponible" in sous_la_ligne
    assert "motive ainsi" not in sous_la_ligne
    assert AUTORITE in sous_la_ligne.splitlines()
    for x in t.values():
        sans_balise(x)


# --- Journal ------------------------------------------------------------------------------------


def test_chaque_generation_au_journal_avec_les_versions_des_modeles(base_decisions, appel):
    moteur, _ = base_decisions
    avant = _lignes_lettres(moteur, appel)
    paquet = courrier.generer(appel, moteur=moteur, auteur=AUTEUR, role=PRESIDENT, jour=JOUR)
    lignes = _lignes_lettres(moteur, appel)
    assert len(lignes) == len(avant) + 1
    derniere = lignes.iloc[-1]
    assert derniere["auteur"] == AUTEUR
    inscrit = json.loads(derniere["nouveau"])
    livre = lettres.empreinte(lettres.modele_par_defaut(lettres.ACCEPTATION))
    assert inscrit == {
        "format": "docx",
        "nombre": 3,
        "par_genre": {"acceptation": 2, "refus-sous-la-ligne": 1},
        "modeles": {
            "acceptation": f"{livre} (livré)",
            "refus-sous-la-ligne": lettres.empreinte(
                lettres.modele_par_defaut(lettres.REFUS_SOUS_LA_LIGNE)
            )
            + " (livré)",
        },
        "lettres": {
            "T-002": {"genre": "acceptation", "montants": [3_000_000, 2_500_000]},
            "T-003": {"genre": "acceptation", "montants": [1_800_000, 0]},
            "T-001": {"genre": "refus-sous-la-ligne", "montants": []},
        },
    }
    assert paquet.par_genre == inscrit["par_genre"]
    lisible = journal.valeur_lisible("lettres", derniere["nouveau"])
    assert lisible.startswith("DOCX · acceptation : 2 ; refus (sous la ligne) : 1")
    assert livre in lisible
    assert journal.libelle_objet("lettres", appel) == "Lettres aux demandeurs générées"
    assert journal.categorie("lettres") == "Lettres aux demandeurs"


def test_generation_refusee_a_qui_n_en_a_pas_le_droit_rien_au_journal(base_decisions, appel):
    moteur, _ = base_decisions
    avant = len(_lignes_lettres(moteur, appel))
    with pytest.raises(courrier.ErreurCourrier, match="Votre rôle ne permet pas"):
        courrier.generer(appel, moteur=moteur, auteur="obs@x.qc.ca", role="observateur")
    assert len(_lignes_lettres(moteur, appel)) == avant


def _lignes_lettres(moteur, appel) -> pd.DataFrame:
    with moteur.connect() as c:
        return stockage.lire_journal(connexion=c, appel_id=appel.id, objets=["lettres"])


# --- Fichiers et PDF ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("no", "attendu"),
    [
        ("T-001", "lettre-T-001-acceptation.docx"),
        ("../../etc/passwd", "lettre-etc_passwd-acceptation.docx"),
        ("A/B\\C:D", "lettre-A_B_C_D-acceptation.docx"),
        ("é è", "lettre-demande-acceptation.docx"),
        ("", "lettre-demande-acceptation.docx"),
    ],
)
def test_nom_de_fichier_sans_caractere_dangereux(no, attendu):
    assert lettres.nom_de_fichier(no, lettres.ACCEPTATION) == attendu


def test_noms_uniques_quand_deux_numeros_se_reduisent_au_meme():
    deux = [
        lettres.Lettre(1, "A/1", "", "", lettres.ACCEPTATION),
        lettres.Lettre(2, "A:1", "", "", lettres.ACCEPTATION),
    ]
    assert lettres.noms_uniques(deux) == [
        "lettre-A_1-acceptation.docx",
        "lettre-A_1-acceptation-2.docx",
    ]


def _exiger_libreoffice() -> None:
    if lettres.libreoffice() is None:
        manque("LibreOffice absent : conversion en PDF non vérifiée ici")


def _pdftotext(pdf: bytes, tmp_path) -> str:
    chemin = tmp_path / "lettre.pdf"
    chemin.write_bytes(pdf)
    sortie = subprocess.run(
        ["pdftotext", "-layout", str(chemin), "-"], capture_output=True, check=True, timeout=60
    )
    return sortie.stdout.decode("utf-8").replace(NBSP, " ")


def test_pdf_par_libreoffice_relu_par_pdftotext(base_decisions, appel, tmp_path):
    _exiger_libreoffice()
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) manque"
    moteur, _ = base_decisions
    paquet = courrier.generer(
        appel, moteur=moteur, auteur=AUTEUR, role=ADMIN, format=courrier.PDF, jour=JOUR
    )
    with zipfile.ZipFile(io.BytesIO(paquet.contenu)) as z:
        assert sorted(z.namelist()) == [
            "lettre-T-001-refus-sous-la-ligne.pdf",
            "lettre-T-002-acceptation.pdf",
            "lettre-T-003-acceptation.pdf",
        ]
        t003 = _pdftotext(z.read("lettre-T-003-acceptation.pdf"), tmp_path)
        t002 = _pdftotext(z.read("lettre-T-002-acceptation.pdf"), tmp_path)
        t001 = _pdftotext(z.read("lettre-T-001-refus-sous-la-ligne.pdf"), tmp_path)
    plat = {k: re.sub(r"\s+", " ", v) for k, v in (("3", t003), ("2", t002), ("1", t001))}
    assert "année financière 2024-2025 : 18 000 $" in plat["3"]
    assert "2025-2026 : 25 000 $" in plat["2"] and "2024-2025 : 30 000 $" in plat["2"]
    assert "7,50 / 10" in plat["1"] and "78,75 sur 100" in plat["1"]
    for t in plat.values():
        sans_balise(t)
        assert "1er avril 2024" in t
    with moteur.connect() as c:
        ligne = stockage.lire_journal(connexion=c, appel_id=appel.id, objets=["lettres"]).iloc[-1]
    assert json.loads(ligne["nouveau"])["format"] == "pdf"


def _docx_a_image_liee(adresse: str) -> bytes:
    """Un DOCX dont l'image est liée (r:link) à `adresse` plutôt qu'incluse."""
    import struct
    import zlib

    def morceau(type_: bytes, donnees: bytes) -> bytes:
        corps = type_ + donnees
        return struct.pack(">I", len(donnees)) + corps + struct.pack(">I", zlib.crc32(corps))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + morceau(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + morceau(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + morceau(b"IEND", b"")
    )
    document = Document()
    document.add_paragraph("Bonjour")
    document.add_picture(io.BytesIO(png))
    brut = io.BytesIO()
    document.save(brut)
    docx = modifie(brut.getvalue(), 'r:embed="', 'r:link="rIdLien" r:x="')
    return modifie(
        docx,
        "</Relationships>",
        '<Relationship Id="rIdLien" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/image" Target="{adresse}" TargetMode="External"/>'
        "</Relationships>",
        "word/_rels/document.xml.rels",
    )


def test_image_liee_par_une_relation_de_type_hyperlien_refusee(appel):
    """Un lien externe déclaré « hyperlien » mais employé par une image (a:blip r:link) : il
    serait chargé à l'ouverture de la lettre ; refusé comme toute image liée."""
    docx = modifie(
        _docx_a_image_liee("http://127.0.0.1:9/x.png"),
        '2006/relationships/image" Target="http://127.0.0.1:9',
        '2006/relationships/hyperlink" Target="http://127.0.0.1:9',
        "word/_rels/document.xml.rels",
    )
    assert b"relationships/hyperlink" in zipfile.ZipFile(io.BytesIO(docx)).read(
        "word/_rels/document.xml.rels"
    )
    with pytest.raises(FichierRefuse, match="lien vers l'extérieur comme image") as refus:
        lettres.verifier_modele("lien.docx", docx, appel, lettres.ACCEPTATION)
    assert refus.value.code == "lien_externe"


def test_conversion_en_pdf_ne_va_rien_chercher_sur_le_reseau():
    """Une image liée à un serveur (ici, un serveur local qui note chaque requête) : la
    conversion ne la télécharge pas (profil LibreOffice qui bloque les liens)."""
    import http.server
    import threading

    _exiger_libreoffice()
    requetes: list[str] = []

    class Espion(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requetes.append(self.path)
            self.send_error(404)

        do_OPTIONS = do_HEAD = do_GET

        def log_message(self, *args):
            pass

    serveur = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Espion)
    fil = threading.Thread(target=serveur.serve_forever, daemon=True)
    fil.start()
    try:
        adresse = f"http://127.0.0.1:{serveur.server_address[1]}/espion.png"
        pdf = lettres.en_pdf({"lien.docx": _docx_a_image_liee(adresse)})
    finally:
        serveur.shutdown()
        serveur.server_close()
    assert pdf["lien.pdf"].startswith(b"%PDF")
    assert requetes == []


def test_sans_libreoffice_un_message_clair(monkeypatch):
    monkeypatch.setattr(lettres.shutil, "which", lambda _nom: None)
    with pytest.raises(lettres.ConversionImpossible, match="LibreOffice n'est pas installé"):
        lettres.en_pdf({"a.docx": b"x"})


def test_conversion_trop_lente_arretee(monkeypatch, tmp_path):
    """Un LibreOffice qui ne rend pas la main est arrêté au délai, avec ses enfants : le
    petit-fils (`sleep 30`) ne survit pas au refus (sans chronomètre : le processus lui-même
    est cherché)."""
    enfant = tmp_path / "enfant.pid"
    faux = tmp_path / "soffice"
    faux.write_text(f"#!/bin/sh\nsleep 30 &\necho $! > {enfant}\nwait\n")
    faux.chmod(0o755)
    monkeypatch.setattr(lettres.shutil, "which", lambda nom: str(faux))
    limites = lettres.Limites(pdf_delai=0.5, pdf_delai_par_lettre=0.0)
    with pytest.raises(lettres.ConversionImpossible, match="arrêtée"):
        lettres.en_pdf({"a.docx": b"x"}, limites=limites)
    pid = int(enfant.read_text())
    etat = Path(f"/proc/{pid}/stat")
    # Tué, il disparaît (ou reste un instant zombie, état « Z », avant d'être recueilli).
    assert not etat.exists() or etat.read_text().split(") ")[1].startswith("Z"), pid


# --- Modèles : balises, bac à sable, fichiers hostiles --------------------------------------


def modifie(contenu: bytes, ancien: str, nouveau: str, partie: str = "word/document.xml") -> bytes:
    """Le DOCX `contenu` dont la partie `partie` a `ancien` remplacé par `nouveau`."""
    sortie = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(contenu)) as source,
        zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible,
    ):
        for info in source.infolist():
            donnees = source.read(info)
            if info.filename == partie:
                assert ancien.encode() in donnees, ancien
                donnees = donnees.replace(ancien.encode(), nouveau.encode())
            cible.writestr(info.filename, donnees)
    return sortie.getvalue()


def avec_partie(contenu: bytes, nom: str, donnees: bytes) -> bytes:
    sortie = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(contenu)) as source,
        zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible,
    ):
        for info in source.infolist():
            cible.writestr(info.filename, source.read(info))
        cible.writestr(nom, donnees)
    return sortie.getvalue()


def avec_partie_remplacee(contenu: bytes, nom: str, donnees: bytes) -> bytes:
    sortie = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(contenu)) as source,
        zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible,
    ):
        for info in source.infolist():
            cible.writestr(info.filename, donnees if info.filename == nom else source.read(info))
    return sortie.getvalue()


LIVRE = lettres.DOSSIER_MODELES / "acceptation.docx"


def test_modeles_livres_se_rendent_et_fabriquer_les_reecrit_a_l_identique(appel, tmp_path):
    """Les quatre modèles livrés passent la vérification d'un modèle téléversé ; le script
    qui les fabrique les réécrit octet pour octet (leur empreinte est leur version)."""
    import runpy

    fabrique = runpy.run_path(str(lettres.DOSSIER_MODELES / "fabriquer.py"))
    fabrique["fabriquer"](tmp_path)
    for genre in lettres.GENRES:
        livre = lettres.modele_par_defaut(genre)
        assert (tmp_path / f"{genre}.docx").read_bytes() == livre, genre
        exemple = lettres.verifier_modele(f"{genre}.docx", livre, appel, genre, jour=JOUR)
        sans_balise(texte(exemple))


def test_balise_inconnue_nommee_avec_son_modele(appel):
    modele = modifie(LIVRE.read_bytes(), "Madame, Monsieur,", "{{ montant_demande }}")
    with pytest.raises(
        lettres.ErreurLettre,
        match=r"« acceptation-maison.docx » emploie la balise « montant_demande »",
    ):
        lettres.verifier_modele("acceptation-maison.docx", modele, appel, lettres.ACCEPTATION)


def test_balise_mal_formee(appel):
    modele = modifie(LIVRE.read_bytes(), "Madame, Monsieur,", "{{ titre }")
    with pytest.raises(lettres.ErreurLettre, match="balise mal formée"):
        lettres.verifier_modele("m.docx", modele, appel, lettres.ACCEPTATION)


def test_balise_restee_dans_la_lettre_refusee(appel):
    """« {_{ » est l'échappement de docxtpl : la lettre garderait « {{ titre }} »."""
    modele = modifie(LIVRE.read_bytes(), "Madame, Monsieur,", "{_{ titre }_}")
    with pytest.raises(lettres.ErreurLettre, match="garde une balise non remplacée"):
        lettres.verifier_modele("m.docx", modele, appel, lettres.ACCEPTATION)


@pytest.mark.parametrize(
    "balise",
    [
        "{{ titre * 100000000 }}",
        "{{ 9 ** 999999 }}",
        "{% for i in range(100000000) %}x{% endfor %}",
        "{% for a in montants %}{% for b in montants %}{% for c in montants %}x"
        "{% endfor %}{% endfor %}{% endfor %}",
        "{{ titre.__class__.__mro__ }}",
        "{{ titre|center(1000000000) }}",
        "{% macro m() %}x{% endmacro %}",
        "{{ lipsum() }}",
    ],
)
def test_bac_a_sable_refuse_ce_qui_ferait_tourner_ou_lirait_le_serveur(appel, balise):
    modele = modifie(LIVRE.read_bytes(), "Madame, Monsieur,", balise)
    with pytest.raises(lettres.ErreurLettre, match=r"m\.docx"):
        lettres.verifier_modele("m.docx", modele, appel, lettres.ACCEPTATION)


@pytest.mark.parametrize(
    ("balise", "construction"),
    [
        # Un texte doublé à chaque « set » : 2^40 caractères.
        ("{% set a = titre %}" + "{% set a = a ~ a %}" * 40 + "{{ a|length }}", r"\{% set %\}"),
        # Une liste de la lettre doublée à chaque « set », puis parcourue.
        (
            "{% set montants = montants + montants %}" * 30
            + "{% for m in montants %}x{% endfor %}",
            r"\{% set %\}",
        ),
        ("{% with a = titre %}{{ a }}{% endwith %}", r"\{% with %\}"),
        # Une variable de boucle qui masque une liste, puis des boucles sur elle.
        (
            "{% for montants in criteres %}{% for m in montants %}x{% endfor %}{% endfor %}",
            "variable de boucle « montants »",
        ),
        # Des « join » imbriqués : le texte multiplié par sa longueur à chaque niveau.
        (
            "{{ titre|join(titre|join(titre|join(titre|join(titre|join(titre))))) }}",
            "filtre rend un texte de plus de",
        ),
        ("{{ titre + titre + titre }}", "opération « \\+ »"),
        ("{{ montants + montants }}", "opération « \\+ »"),
        ("{{ '%0999999999d' % 1 }}", "opération « % »"),
        ("{{ -titre }}", "ne se rend pas"),
        ("{{ 1 / 0 }}", "ne se rend pas"),
        # Un entier élevé au carré de proche en proche (sans « ** »).
        ("{{ " + " * ".join(["99999999999999999999"] * 30) + " }}", "nombre démesuré"),
    ],
)
def test_bac_a_sable_refuse_ce_qui_grossirait_sans_fin(appel, balise, construction):
    """Chacune de ces balises passait la vérification et gelait le serveur (ou sa mémoire) :
    refusée, vite, d'un message qui nomme le modèle et la construction."""
    modele = modifie(LIVRE.read_bytes(), "Madame, Monsieur,", balise)
    with pytest.raises(lettres.ErreurLettre, match=r"« m\.docx »") as refus:
        lettres.verifier_modele("m.docx", modele, appel, lettres.ACCEPTATION)
    assert re.search(construction, str(refus.value)), str(refus.value)


def _lettre_bavarde(n: int) -> lettres.Lettre:
    """Un refus avec `n` commentaires."""
    return lettres.Lettre(
        1,
        "X-1",
        "Titre",
        "Ville",
        lettres.REFUS_SOUS_LA_LIGNE,
        commentaires=tuple(lettres.Commentaire("C", f"avis {i}") for i in range(n)),
    )


def test_rendu_borne_en_passages_de_boucle_en_temps_et_en_taille(appel):
    """Deux boucles imbriquées sur 300 commentaires : 90 000 passages, refusés au-delà de la
    borne (ou du délai) ; une lettre qui pèserait plus que permis est refusée."""
    modele = modifie(
        LIVRE.read_bytes(),
        "Madame, Monsieur,",
        "{% for a in commentaires %}{% for b in commentaires %}{{ b.texte }}"
        "{% endfor %}{% endfor %}",
    )
    donnees = lettres.contexte(_lettre_bavarde(300), appel, JOUR)
    with pytest.raises(lettres.ErreurLettre, match=r"« m\.docx ».*20\u00a0000 passages"):
        lettres.rendre(modele, donnees, "m.docx")
    lente = lettres.Limites(rendu_passages_max=10**9, rendu_delai=0.0)
    with pytest.raises(lettres.ErreurLettre, match=r"« m\.docx ».*0 secondes"):
        lettres.rendre(modele, donnees, "m.docx", limites=lente)
    petite = lettres.Limites(rendu_taille_max=20_000)
    with pytest.raises(lettres.ErreurLettre, match=r"« m\.docx ».*Mo permis"):
        lettres.rendre(
            LIVRE.read_bytes(),
            lettres.contexte(_lettre_bavarde(3), appel, JOUR),
            "m.docx",
            limites=petite,
        )
    # Une vraie lettre, avec ses 300 commentaires, passe.
    refus = lettres.rendre(
        lettres.modele_par_defaut(lettres.REFUS_SOUS_LA_LIGNE), donnees, "refus.docx"
    )
    assert "avis 299" in texte(refus)


def test_donnees_hostiles_restent_du_texte(appel):
    """Un titre avec « < & » et des caractères de contrôle : la lettre reste un DOCX
    valide, le texte tel quel (sans les contrôles)."""
    lettre = lettres.Lettre(
        1, "X-1", "Titre <w:p> & \x0b {% raw %}", "Ville", lettres.LISTE_ATTENTE
    )
    docx = lettres.rendre(
        lettres.modele_par_defaut(lettres.LISTE_ATTENTE),
        lettres.contexte(lettre, appel, JOUR),
        "liste-attente.docx",
    )
    t = texte(docx)
    assert "« Titre <w:p> & { % raw % } »" in t
    sans_balise(t)


def _bombe() -> bytes:
    """Un DOCX valide plus une partie de 60 Mo de zéros (quelques dizaines de Ko compressés)."""
    return avec_partie(LIVRE.read_bytes(), "word/media/zeros.bin", b"\0" * (60 * 2**20))


@pytest.mark.parametrize(
    ("nom", "contenu", "code", "message"),
    [
        ("vide.docx", b"", "fichier_vide", "vide"),
        ("lettre.docx", b"%PDF-1.7\n...", "format_non_reconnu", "pas un document Word"),
        ("vieux.docx", lettres.SIGNATURE_OLE + b"\0" * 600, "format_non_reconnu", "97-2003"),
        (
            "classeur.docx",
            (DONNEES / "formats" / "valide.xlsx").read_bytes(),
            "format_non_reconnu",
            "archive qui n'est pas un document Word",
        ),
        ("abime.docx", lettres.SIGNATURE_ZIP + b"\0" * 200, "fichier_illisible", "endommagé"),
        ("enorme.docx", lettres.SIGNATURE_ZIP + b"\0" * (6 * 2**20), "fichier_trop_gros", "Mo"),
        ("bombe.docx", None, "archive_suspecte", "volume anormal"),
        ("macros.docx", "docm", "macros", "macros"),
        ("lien.docx", "externe", "lien_externe", "à l'extérieur"),
        ("modele.docx", "dotx", "format_non_reconnu", r"\.dotx"),
        ("rire.docx", "entites", "archive_suspecte", "entités XML"),
        ("apostrophes.docx", "externe'", "lien_externe", "à l'extérieur"),
        ("espaces.docx", "externe =", "lien_externe", "à l'extérieur"),
        ("faux-hyperlien.docx", "externe /hyperlink", "lien_externe", "à l'extérieur"),
        ("seize.docx", "entites utf-16", "archive_suspecte", "entités XML"),
    ],
)
def test_modele_hostile_refuse_avec_un_message_clair(appel, nom, contenu, code, message):
    livre = LIVRE.read_bytes()
    if contenu is None:
        contenu = _bombe()
    elif contenu == "docm":  # un .docm renommé : macros et type « macroEnabled »
        contenu = avec_partie(
            modifie(
                livre,
                "wordprocessingml.document.main+xml",
                "ms-word.document.macroEnabled.main+xml",
                "[Content_Types].xml",
            ),
            "word/vbaProject.bin",
            b"\xd0\xcf\x11\xe0 macro",
        )
    elif contenu == "externe":  # une image liée sur un serveur : LibreOffice irait la chercher
        contenu = modifie(
            livre,
            "</Relationships>",
            '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/image" Target="http://192.0.2.1/espion.png" '
            'TargetMode="External"/></Relationships>',
            "word/_rels/document.xml.rels",
        )
    elif isinstance(contenu, str) and contenu.startswith("externe"):
        # La même image liée, écrite autrement : apostrophes, espaces autour de « = », ou
        # « /hyperlink » dans l'adresse plutôt que dans le type.
        relation = {
            "externe'": (
                "<Relationship Id='rIdX' Type='http://schemas.openxmlformats.org/officeDocument/"
                "2006/relationships/image' Target='http://192.0.2.1/espion.png' "
                "TargetMode='External'/>"
            ),
            "externe =": (
                '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/image" Target="http://192.0.2.1/espion.png" '
                'TargetMode = "External" />'
            ),
            "externe /hyperlink": (
                '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/attachedTemplate" Target="http://192.0.2.1/hyperlink.dotx" '
                'TargetMode="External"/>'
            ),
        }[contenu]
        contenu = modifie(
            livre,
            "</Relationships>",
            relation + "</Relationships>",
            "word/_rels/document.xml.rels",
        )
    elif contenu == "entites utf-16":  # la déclaration d'entités, en UTF-16 (deux octets)
        with zipfile.ZipFile(io.BytesIO(livre)) as z:
            document = z.read("word/document.xml").decode("utf-8")
        document = document.replace("encoding='UTF-8'", "encoding='UTF-16'").replace(
            "standalone='yes'?>",
            "standalone='yes'?><!DOCTYPE w:document [<!ENTITY a \"aaaaaaaaaa\">]>",
        )
        assert "UTF-16" in document and "<!ENTITY" in document
        contenu = avec_partie_remplacee(livre, "word/document.xml", document.encode("utf-16"))
    elif contenu == "entites":  # « billion laughs » : des entités qui s'emboîtent
        entites = '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">' + "".join(
            f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8)
        )
        contenu = modifie(livre, "standalone='yes'?>", "standalone='yes'?>" + entites + "]>")
    elif contenu == "dotx":
        contenu = modifie(
            livre,
            "wordprocessingml.document.main+xml",
            "wordprocessingml.template.main+xml",
            "[Content_Types].xml",
        )
    with pytest.raises(FichierRefuse, match=message) as refus:
        lettres.verifier_modele(nom, contenu, appel, lettres.ACCEPTATION)
    assert refus.value.code == code
    assert refus.value.message.startswith(f"{nom} : ")


# --- Modèles téléversés, en base ----------------------------------------------------------------


def test_modele_remplace_employe_journalise_puis_retabli(moteur, appel):
    """L'administration remplace le modèle d'acceptation : il est gardé dans la base,
    employé par la génération suivante, journalisé ; la présidence ne peut pas le
    remplacer ; un modèle refusé n'écrit rien ; « revenir au modèle livré » le rétablit."""
    construire_decisions(moteur, appel)
    livre = LIVRE.read_bytes()
    maison = modifie(livre, "Madame, Monsieur,", "Bonjour {{ municipalite }},")
    with pytest.raises(courrier.ErreurCourrier, match="rôle"):
        courrier.remplacer_modele(
            appel,
            lettres.ACCEPTATION,
            "m.docx",
            maison,
            moteur=moteur,
            auteur=AUTEUR,
            role=PRESIDENT,
        )
    with pytest.raises(FichierRefuse):
        courrier.remplacer_modele(
            appel, lettres.ACCEPTATION, "m.docx", b"%PDF", moteur=moteur, auteur="a", role=ADMIN
        )
    assert courrier.modeles_en_vigueur(appel, moteur=moteur)[lettres.ACCEPTATION].par_defaut
    modele = courrier.remplacer_modele(
        appel, lettres.ACCEPTATION, "maison.docx", maison, moteur=moteur, auteur="a", role=ADMIN
    )
    assert not modele.par_defaut and modele.empreinte == lettres.empreinte(maison)
    paquet = courrier.generer(appel, moteur=moteur, auteur=AUTEUR, role=ADMIN, jour=JOUR)
    with zipfile.ZipFile(io.BytesIO(paquet.contenu)) as z:
        assert "Bonjour Gatineau," in texte(z.read("lettre-T-003-acceptation.docx"))
    assert paquet.versions[lettres.ACCEPTATION] == lettres.empreinte(maison)
    with moteur.connect() as c:
        lignes = stockage.lire_journal(connexion=c, appel_id=appel.id, objets=["lettres:modele"])
    assert len(lignes) == 1
    assert lignes.iloc[0]["ancien"] == (f"Acceptation : modèle livré ({lettres.empreinte(livre)})")
    assert lignes.iloc[0]["nouveau"] == f"Acceptation : maison.docx ({lettres.empreinte(maison)})"
    retabli = courrier.retablir_modele(
        appel, lettres.ACCEPTATION, moteur=moteur, auteur="a", role=ADMIN
    )
    assert retabli.par_defaut and retabli.contenu == livre


def test_balise_coupee_en_plusieurs_passages_reperee():
    """Word coupe souvent « {{ » en deux passages de mise en forme différente : le texte du
    paragraphe, passages recollés, est ce qui est lu (en-tête compris)."""
    document = Document()
    p = document.add_paragraph()
    p.add_run("Bonjour {")
    p.add_run("{ titre }}").bold = True
    document.sections[0].header.paragraphs[0].add_run("{% if x %}")
    document.add_paragraph("Rien à signaler { ici }.")
    sortie = io.BytesIO()
    document.save(sortie)
    restes = lettres.balises_restantes(sortie.getvalue())
    assert sorted(restes) == ["Bonjour {{ titre }}", "{% if x %}"]


def test_pas_de_lettre_quand_l_admissibilite_n_est_plus_etablie(moteur, appel):
    """Retenue par le ministère, puis remise « à vérifier » à l'examen : pas de lettre
    d'acceptation tant que l'admissibilité n'est pas établie (comme le suivi des
    conventions, qui ne la finance plus)."""
    from evaluation.notes import examens
    from evaluation.notes.filtrage import A_VERIFIER, Reponse
    from tests.filtrage import reponses_toutes

    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))
    admettre(moteur, appel, list(ids.values()))
    decisions.enregistrer_decision(
        appel, ids["T-002"], financement.RETENU, (1_000_000, 0), "x", moteur=moteur, auteur=AUTEUR
    )
    approuver_les_recommandations(moteur, appel)
    assert [x.no_demande for x in courrier.preparer(appel, moteur=moteur).lettres] == ["T-002"]
    reponses = reponses_toutes(appel)
    reponses[appel.conditions[0].id] = Reponse(A_VERIFIER, "Pièce à confirmer.")
    examens.examiner(appel, ids["T-002"], reponses, moteur=moteur, auteur=AUTEUR)
    preparation = courrier.preparer(appel, moteur=moteur)
    assert preparation.lettres == ()
    assert "T-002" in [x.no_demande for x in preparation.sans_lettre]


def test_raisons_d_inadmissibilite_sans_jargon_du_fichier(appel):
    """Un « non » prérempli d'après une colonne du fichier importé ne montre pas le nom de la
    colonne au demandeur ; une raison écrite par l'analyste passe telle quelle."""
    from evaluation.notes import filtrage

    premiere, seconde = appel.conditions[0], appel.conditions[1]
    reponses = {c.id: filtrage.Reponse(filtrage.OUI) for c in appel.conditions}
    reponses[premiere.id] = filtrage.Reponse(
        filtrage.NON, f"{filtrage.RAISON_DU_FICHIER} ({premiere.champ})"
    )
    reponses[seconde.id] = filtrage.Reponse(filtrage.NON, "Budget non signé.")
    raisons = lettres.raisons_inadmissibilite(
        filtrage.Etat(filtrage.INADMISSIBLE, reponses=reponses), appel
    )
    assert raisons == (
        f"« {premiere.libelle} » : condition non remplie, d'après les renseignements fournis "
        "avec la demande",
        f"« {seconde.libelle} » : condition non remplie, Budget non signé.",
    )


def test_lettre_d_un_organisme_adressee_a_l_organisme(preparation, appel):
    """Appel d'organismes (issue 18) : les modèles livrés adressent la lettre au demandeur
    (`{{ demandeur }}`), l'organisme, pas à la municipalité de son siège."""
    from dataclasses import replace

    from tests.conftest import appel_d_organismes

    organismes = appel_d_organismes(appel)
    lettre = replace(
        preparation.lettres[0], demandeur="Solidarité Nord-Sud", municipalite="Ville-Siège"
    )
    assert lettres.contexte(lettre, organismes, JOUR)["demandeur"] == "Solidarité Nord-Sud"
    modeles = {g: lettres.modele_par_defaut(g) for g in lettres.GENRES}
    (contenu,) = lettres.generer([lettre], modeles, organismes, JOUR).fichiers.values()
    t = texte(contenu)
    assert "Solidarité Nord-Sud" in t and "Ville-Siège" not in t
    # Sans nom de demandeur (appel d'entités municipales), la municipalité.
    sans = replace(lettre, demandeur="")
    assert lettres.contexte(sans, appel, JOUR)["demandeur"] == "Ville-Siège"
