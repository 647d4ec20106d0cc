"""Le courrier aux demandeurs (issue 17, point 2) : lit dans la base l'issue de chaque
demande (décision, examen d'admissibilité), ses notes et les commentaires des évaluateurs,
rend les lettres avec les modèles en vigueur de l'appel, et inscrit chaque génération au
journal ; garde les modèles que l'administration téléverse.

Les règles (contexte, rendu, vérification d'un modèle, PDF) sont dans
`evaluation.sorties.lettres` ; ici, on lit, on refuse ce qui doit l'être et l'on écrit
avec le journal en une transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.decision import chargement, classement, ministere
from evaluation.socle import droits, stockage
from evaluation.socle.stockage import Moteur
from evaluation.sorties import lettres
from evaluation.sorties.lettres import Lettre, SansLettre

DOCX, PDF = "docx", "pdf"


class ErreurCourrier(ValueError):
    """Une génération ou un modèle refusé ; le message dit pourquoi."""


@dataclass(frozen=True)
class Modele:
    """Le modèle en vigueur d'un genre de lettre : téléversé, ou livré (`par_defaut`)."""

    genre: str
    contenu: bytes
    nom_fichier: str
    empreinte: str
    par_defaut: bool
    date: dt.datetime | None = None
    auteur: str = ""


@dataclass(frozen=True)
class Preparation:
    """Les lettres à produire, dans l'ordre du classement, et les demandes sans lettre."""

    lettres: tuple[Lettre, ...]
    sans_lettre: tuple[SansLettre, ...]

    def par_genre(self) -> dict[str, int]:
        compte = dict.fromkeys(lettres.GENRES, 0)
        for lettre in self.lettres:
            compte[lettre.genre] += 1
        return compte


@dataclass(frozen=True)
class Paquet:
    """Une génération : l'archive ZIP, son nom, et ce qui a été inscrit au journal."""

    contenu: bytes
    nom_fichier: str
    format: str
    par_genre: dict[str, int]
    versions: dict[str, str]


def modeles_en_vigueur(appel: Appel, *, moteur: Moteur) -> dict[str, Modele]:
    """Le modèle de chaque genre : le dernier téléversé pour l'appel, sinon le livré."""
    with moteur.connect() as connexion:
        lus = stockage.lire_modeles_lettres(appel.id, connexion=connexion)
    modeles = {}
    for genre in lettres.GENRES:
        ligne = lus.get(genre)
        if ligne and ligne["contenu"]:
            contenu = bytes(ligne["contenu"])
            modeles[genre] = Modele(
                genre,
                contenu,
                ligne["nom_fichier"] or f"{genre}.docx",
                lettres.empreinte(contenu),
                False,
                ligne["date"],
                ligne["auteur"],
            )
        else:
            contenu = lettres.modele_par_defaut(genre)
            modeles[genre] = Modele(
                genre,
                contenu,
                f"{genre}.docx",
                lettres.empreinte(contenu),
                True,
                ligne["date"] if ligne else None,
                ligne["auteur"] if ligne else "",
            )
    return modeles


def preparer(
    appel: Appel,
    *,
    moteur: Moteur,
    donnees: classement.Donnees | None = None,
    table: pd.DataFrame | None = None,
) -> Preparation:
    """Les lettres de l'appel d'après la base : le classement (notes retenues, décision de
    chaque demande), l'examen d'admissibilité, et les commentaires des évaluations soumises
    hors conflits d'intérêts. L'issue de chaque demande : `lettres.issues_des_demandes`, d'après
    la décision du ministère ; une demande que seul le comité a recommandée n'a pas encore
    de lettre (sauf l'inadmissible, que l'examen d'admissibilité écarte).

    `donnees` et `table` : ce qu'une page a déjà lu et classé (`chargement.charger`,
    `classement.classement`), repris tel quel."""
    if donnees is None or table is None:
        donnees = chargement.charger(appel, moteur=moteur)
        table = classement.classement(appel, donnees)
    with moteur.connect() as connexion:
        notes = stockage.lire_notes_completes(appel.id, connexion=connexion)
    commentaires = lettres.commentaires_consolides(notes, donnees.evaluations, appel)
    # Le ministère « conserve cependant la responsabilité de la sélection définitive des
    # projets et de la détermination des sommes » : une lettre suit sa décision, jamais la
    # seule recommandation du comité.
    # La lettre est signée du nom de l'autorité qui a décidé, et donne la raison du ministère
    # quand il a modifié la recommandation du comité (vide quand il l'a approuvée).
    finales = ministere.decision_finale(donnees.decisions, donnees.decisions_ministre)
    recommandations = {int(r["demande_id"]): r for r in donnees.decisions}
    decisions = [
        {
            "demande_id": d,
            "decision": f.decision,
            "montant_an1": f.montants[0],
            "montant_an2": f.montants[1],
            "autorite": f.autorite,
            "raison_du_ministere": ""
            if ministere.est_approbation(f.decision, f.montants, recommandations.get(d))
            else f.raison,
            "recommandation_du_comite": (recommandations.get(d) or {}).get("decision"),
        }
        for d, f in finales.items()
        if f.du_ministere
    ]
    a_ecrire, sans = lettres.assembler(appel, table, decisions, donnees.admissibilite, commentaires)
    return Preparation(tuple(a_ecrire), tuple(sans))


def _exiger(permis: bool, quoi: str) -> None:
    if not permis:
        raise ErreurCourrier(f"Votre rôle ne permet pas de {quoi}.")


def generer(
    appel: Appel,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    format: str = DOCX,
    jour: dt.date | None = None,
    preparation: Preparation | None = None,
    maintenant: dt.datetime | None = None,
) -> Paquet:
    """Toutes les lettres de l'appel en une archive ZIP (un DOCX, ou un PDF, par demande),
    et une ligne au journal (objet « lettres ») : le nombre par genre, l'empreinte de
    chaque modèle employé, et le genre et les montants de chaque lettre. Rien n'est inscrit
    si une lettre ne se rend pas ou si la conversion en PDF échoue (ErreurLettre,
    ConversionImpossible)."""
    _exiger(droits.peut_generer_lettres(role), "générer les lettres aux demandeurs")
    if format not in (DOCX, PDF):
        raise ErreurCourrier(f"Format « {format} » inconnu (docx ou pdf).")
    preparation = preparation or preparer(appel, moteur=moteur)
    if not preparation.lettres:
        raise ErreurCourrier(
            "Aucune demande n'a de décision ni n'a été jugée inadmissible : aucune lettre à "
            "générer."
        )
    modeles = modeles_en_vigueur(appel, moteur=moteur)
    jour = jour or dt.date.today()
    rendu = lettres.generer(
        preparation.lettres,
        {g: m.contenu for g, m in modeles.items()},
        appel,
        jour,
        {g: m.nom_fichier for g, m in modeles.items()},
    )
    fichiers = rendu.fichiers if format == DOCX else lettres.en_pdf(rendu.fichiers)
    contenu = lettres.archive(fichiers)
    versions = {
        g: v + (" (livré)" if modeles[g].par_defaut else "") for g, v in rendu.versions.items()
    }
    inscription = {
        "format": format,
        "nombre": len(fichiers),
        "par_genre": rendu.par_genre,
        "modeles": versions,
        # Ce que chaque lettre a dit : une décision changée après l'envoi se retrouve.
        "lettres": {
            x.no_demande: {"genre": x.genre, "montants": list(x.montants)}
            for x in preparation.lettres
        },
    }
    with stockage.ecriture(moteur, lourde=False) as connexion:
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    maintenant or stockage.maintenant(),
                    auteur,
                    "lettres",
                    None,
                    json.dumps(inscription, ensure_ascii=False),
                    appel_id=appel.id,
                )
            ],
            connexion=connexion,
        )
    return Paquet(
        contenu,
        f"lettres-{appel.id}-{jour.isoformat()}-{format}.zip",
        format,
        rendu.par_genre,
        versions,
    )


def remplacer_modele(
    appel: Appel,
    genre: str,
    nom_fichier: str,
    contenu: bytes,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
) -> Modele:
    """Garde `contenu` comme modèle du genre `genre` pour l'appel, une fois vérifié
    (`lettres.verifier_modele` : un DOCX sain, qui se rend avec une lettre d'exemple) ;
    journalisé (objet « lettres:modele », anciennes et nouvelles empreintes).

    FichierRefuse ou ErreurLettre : le modèle est refusé, rien n'est écrit."""
    _exiger(droits.peut_modifier_modeles_lettres(role), "remplacer un modèle de lettre")
    if genre not in lettres.GENRES:
        raise ErreurCourrier(f"Genre de lettre « {genre} » inconnu.")
    lettres.verifier_modele(nom_fichier, contenu, appel, genre)
    return _inscrire(appel, genre, nom_fichier, contenu, moteur, auteur, maintenant)


def retablir_modele(
    appel: Appel,
    genre: str,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
) -> Modele:
    """Revient au modèle livré pour ce genre de lettre (journalisé)."""
    _exiger(droits.peut_modifier_modeles_lettres(role), "remplacer un modèle de lettre")
    if genre not in lettres.GENRES:
        raise ErreurCourrier(f"Genre de lettre « {genre} » inconnu.")
    return _inscrire(appel, genre, None, None, moteur, auteur, maintenant)


def _inscrire(appel, genre, nom_fichier, contenu, moteur, auteur, maintenant) -> Modele:
    instant = maintenant or stockage.maintenant()
    avant = modeles_en_vigueur(appel, moteur=moteur)[genre]
    apres_empreinte = lettres.empreinte(contenu or lettres.modele_par_defaut(genre))
    with stockage.ecriture(moteur, stockage.modeles_lettres, lourde=False) as connexion:
        stockage.ajouter_modele_lettre(
            {
                "appel_id": appel.id,
                "genre": genre,
                "nom_fichier": nom_fichier,
                "contenu": contenu,
                "empreinte": lettres.empreinte(contenu) if contenu else None,
                "date": instant,
                "auteur": auteur,
            },
            connexion=connexion,
        )

        def decrire(nom: str, empreinte: str, livre: bool) -> str:
            return f"{lettres.LIBELLES_GENRES[genre]} : " + (
                f"modèle livré ({empreinte})" if livre else f"{nom} ({empreinte})"
            )

        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "lettres:modele",
                    decrire(avant.nom_fichier, avant.empreinte, avant.par_defaut),
                    decrire(nom_fichier or "", apres_empreinte, contenu is None),
                    appel_id=appel.id,
                )
            ],
            connexion=connexion,
        )
    return modeles_en_vigueur(appel, moteur=moteur)[genre]
