"""Grilles de notation hors ligne : le classeur personnel à remplir, et la lecture d'une
grille remplie (une ou plusieurs personnes), vérifiée comme le reste.

Règles pures : écrire une grille, la lire et la vérifier. L'enregistrer est
`notes.evaluations.importer_grille` ; une grille qui porte un problème bloquant n'enregistre
rien, et réimporter la même grille ne change rien.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from evaluation.appels.configuration import Appel, Critere
from evaluation.depot.classeurs import lettres_colonne
from evaluation.depot.gabarit import cle_entete
from evaluation.depot.lecture import FichierRefuse, lire_feuilles
from evaluation.depot.valeurs import ValeurIllisible, lire_montant
from evaluation.depot.validation import cle_numero
from evaluation.notes.repartition import Attributions
from evaluation.notes.saisie import BROUILLON, SOUMISE, Saisie, problemes_saisie
from evaluation.socle.formats import saisi
from evaluation.socle.probleme import AVERTISSEMENT, BLOQUANT, REFUS, Probleme
from evaluation.socle.roles import Compte
from evaluation.socle.texte import citer, nettoyer, normaliser, normaliser_entete
from evaluation.sorties.neutralisation import ecrire_ligne

FEUILLE_NOTES = "Notes"
FEUILLE_CRITERES = "Critères"
ENTETE_EVALUATEUR = "Évaluateur"
ENTETE_COMMENTAIRE = "Commentaire"
ENTETE_STATUT = "Statut"
ENTETE_VERSION = "Version (ne pas modifier)"
DEPUIS_GRILLE = "le téléchargement de votre grille"
CONSEIL_GRILLE = (
    "téléchargez de nouveau votre grille (elle reprend ce qui est enregistré), reportez-y vos "
    "changements, puis importez-la."
)
_EVALUATEUR = {"evaluateur", "evaluatrice", "evaluateur trice", "courriel de l evaluateur"}
_COMMENTAIRE = {"commentaire", "commentaires", "commentaire global"}


def construire_grille(
    appel: Appel,
    demandes: list[Mapping],
    evaluateur: str,
    deja: Mapping[int, Saisie] | None = None,
    versions: Mapping[int, int] | None = None,
) -> bytes:
    """Grille personnelle : une ligne par demande attribuée, une colonne par critère (liste
    de validation sur l'échelle), un commentaire, un statut ; les critères expliqués sur
    une seconde feuille. `deja` pré-remplit les notes déjà saisies.

    Une dernière colonne, masquée, porte la version de chaque évaluation au téléchargement
    (`versions`, 0 sans évaluation) : importer la grille ne pourra pas écraser ce qui a été
    enregistré depuis, en ligne ou par une autre grille."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    classeur = Workbook()
    notes = classeur.active
    notes.title = FEUILLE_NOTES
    entetes = [
        "No de demande",
        "Titre du projet",
        "Municipalité requérante",
        ENTETE_EVALUATEUR,
        *(c.libelle for c in appel.criteres),
        ENTETE_COMMENTAIRE,
        ENTETE_STATUT,
        ENTETE_VERSION,
    ]
    # Titres, noms et commentaires viennent des données : jamais une formule (neutralisation).
    ecrire_ligne(notes, 1, entetes)
    for i, d in enumerate(demandes, 2):
        saisie = (deja or {}).get(d["id"], Saisie())
        ecrire_ligne(
            notes,
            i,
            [
                d["no_demande"],
                d.get("titre"),
                d.get("municipalite"),
                evaluateur,
                *(saisie.notes.get(c.id) for c in appel.criteres),
                saisie.commentaire_global or None,
                None,
                (versions or {}).get(d["id"], 0),
            ],
        )
    gras = Font(bold=True, color="FFFFFF")
    for cellule in notes[1]:
        cellule.font = gras
        cellule.fill = PatternFill("solid", fgColor="1F4E79")
        cellule.alignment = Alignment(wrap_text=True, vertical="center")
    derniere = max(len(demandes) + 1, 2)
    premiere_note = 5
    echelle = DataValidation(
        type="decimal",
        operator="between",
        formula1=str(appel.echelle_min),
        formula2=str(appel.echelle_max),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Note hors échelle",
        error=f"Une note va de {saisi(appel.echelle_min)} à {saisi(appel.echelle_max)} "
        f"(par pas de {saisi(appel.pas)}).",
    )
    notes.add_data_validation(echelle)
    for j in range(len(appel.criteres)):
        lettre = notes.cell(1, premiere_note + j).column_letter
        echelle.add(f"{lettre}2:{lettre}{derniere}")
        notes.column_dimensions[lettre].width = 16
    statut = DataValidation(type="list", formula1=f'"{SOUMISE},{BROUILLON}"', allow_blank=True)
    notes.add_data_validation(statut)
    lettre_statut = notes.cell(1, len(entetes) - 1).column_letter
    statut.add(f"{lettre_statut}2:{lettre_statut}{derniere}")
    notes.column_dimensions[notes.cell(1, len(entetes)).column_letter].hidden = True
    for lettre, largeur in (("A", 18), ("B", 40), ("C", 24), ("D", 26)):
        notes.column_dimensions[lettre].width = largeur
    notes.freeze_panes = "E2"
    notes.row_dimensions[1].height = 45

    criteres = classeur.create_sheet(FEUILLE_CRITERES)
    ecrire_ligne(
        criteres,
        1,
        [
            "Identifiant",
            "Critère",
            "Poids (/100)",
            "Description",
            "Note basse",
            "Note moyenne",
            "Note haute",
        ],
    )
    for i, c in enumerate(appel.criteres, 2):
        ecrire_ligne(
            criteres,
            i,
            [c.id, c.libelle, c.poids, c.description, c.note_basse, c.note_moyenne, c.note_haute],
        )
    ecrire_ligne(
        criteres,
        len(appel.criteres) + 3,
        [
            "Échelle",
            f"{saisi(appel.echelle_min)} à {saisi(appel.echelle_max)}, par pas de "
            f"{saisi(appel.pas)}. Statut vide : évaluation soumise ; « brouillon » : à "
            "reprendre.",
        ],
    )
    for cellule in criteres[1]:
        cellule.font = Font(bold=True)
    for lettre, largeur in zip("ABCDEFG", (16, 34, 12, 60, 40, 40, 40), strict=True):
        criteres.column_dimensions[lettre].width = largeur
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def critere_de_l_entete(entete: str, appel: Appel) -> Critere | None:
    """Le critère qu'un en-tête désigne : par identifiant, par libellé, ou par les premiers
    mots du libellé s'ils n'en désignent qu'un (« Pertinence », « Qualité du dossier »)."""
    cle = normaliser_entete(entete)
    if not cle:
        return None
    for c in appel.criteres:
        if cle in (normaliser(c.id), normaliser(c.libelle)):
            return c
    if len(cle) < 5:
        return None
    debuts = [
        c
        for c in appel.criteres
        if normaliser(c.libelle).startswith(cle + " ") or normaliser(c.libelle) == cle
    ]
    return debuts[0] if len(debuts) == 1 else None


@dataclass
class LigneGrille:
    demande_id: int
    no_demande: str
    evaluateur: str
    notes: dict[str, float | None]
    commentaire: str
    statut: str
    ligne: int
    # La version de l'évaluation au téléchargement (colonne masquée) ; None : une grille sans
    # cette colonne (faite à la main, ou d'une version précédente), qui écrit sur la dernière.
    version: int | None = None


@dataclass
class LectureGrille:
    lignes: list[LigneGrille] = field(default_factory=list)
    problemes: list[Probleme] = field(default_factory=list)

    @property
    def sans_blocage(self) -> bool:
        return not any(p.bloque for p in self.problemes)

    @property
    def lignes_refusees(self) -> set[int]:
        """Les lignes (numéros de ligne Excel) qu'un problème bloquant refuse."""
        return {p.ligne for p in self.problemes if p.bloque and p.ligne is not None}

    @property
    def lignes_valides(self) -> list[LigneGrille]:
        """Les lignes sans problème bloquant : celles qu'on peut importer seules, quand
        d'autres lignes de la grille sont refusées (chacune située par son problème)."""
        refusees = self.lignes_refusees
        return [ligne for ligne in self.lignes if ligne.ligne not in refusees]


def _trouver_compte(valeur: str, comptes: Iterable[Compte]) -> Compte | None:
    cle = normaliser(valeur)
    for c in comptes:
        if c.actif and (c.courriel == valeur.strip().casefold() or normaliser(c.nom) == cle):
            return c
    return None


def lire_grille(
    nom: str,
    source: str | Path | bytes | BinaryIO,
    appel: Appel,
    *,
    demandes_par_numero: Mapping[str, int],
    comptes: Iterable[Compte],
    evaluateur_par_defaut: str | None = None,
    attributions: Attributions | None = None,
) -> LectureGrille:
    """Lit et vérifie une grille remplie ; chaque problème situé par ligne et colonne.

    `attributions` : l'état de l'appel ; une ligne pour une demande en conflit d'intérêts ou
    non attribuée à l'évaluateur est refusée, avec la raison."""
    resultat = LectureGrille()
    comptes = list(comptes)

    def probleme(code, message, ligne=None, colonne=None, feuille=None, no=None):
        resultat.problemes.append(
            Probleme(nom, code, message, BLOQUANT, feuille, ligne, colonne, no)
        )

    try:
        feuilles = lire_feuilles(nom, source)
    except FichierRefuse as exc:
        resultat.problemes.append(Probleme(nom, exc.code, exc.message, REFUS))
        return resultat
    trouve = None
    for feuille, grille in feuilles:
        for i, ligne in enumerate(grille[:30]):
            entetes = [nettoyer(v) if isinstance(v, str) else "" for v in ligne]
            if any(cle_entete(e) == "no_demande" for e in entetes) and any(
                critere_de_l_entete(e, appel) for e in entetes
            ):
                trouve = (feuille, grille, i, entetes)
                break
        if trouve:
            break
    if trouve is None:
        probleme(
            "grille_introuvable",
            "aucune grille de notes reconnue : il faut une colonne "
            "« No de demande » et une colonne par critère (téléchargez la grille).",
        )
        return resultat
    feuille, grille, i_entete, entetes = trouve
    colonnes: dict[str, int] = {}
    criteres: dict[str, int] = {}
    for j, e in enumerate(entetes):
        if not e:
            continue
        if cle_entete(e) == "no_demande":
            cible, cle, libelle = colonnes, "no_demande", "No de demande"
        elif normaliser_entete(e) in _EVALUATEUR:
            cible, cle, libelle = colonnes, "evaluateur", ENTETE_EVALUATEUR
        elif normaliser_entete(e) in _COMMENTAIRE:
            cible, cle, libelle = colonnes, "commentaire", ENTETE_COMMENTAIRE
        elif normaliser_entete(e) == "statut":
            cible, cle, libelle = colonnes, "statut", ENTETE_STATUT
        elif normaliser_entete(e) == normaliser_entete(ENTETE_VERSION):
            cible, cle, libelle = colonnes, "version", ENTETE_VERSION
        elif (c := critere_de_l_entete(e, appel)) is not None:
            cible, cle, libelle = criteres, c.id, c.libelle
        else:
            continue
        if cle in cible:  # la première colonne est lue ; la personne doit le savoir
            k = cible[cle]
            resultat.problemes.append(
                Probleme(
                    nom,
                    "entete_en_double",
                    f"deux colonnes correspondent à « {libelle} » : {lettres_colonne(k)} "
                    f"« {citer(entetes[k])} » et {lettres_colonne(j)} « {citer(e)} ». La "
                    f"colonne {lettres_colonne(k)} est lue, l'autre ignorée : renommez ou "
                    "supprimez la colonne en trop si ce n'est pas la bonne.",
                    AVERTISSEMENT,
                    feuille,
                    i_entete + 1,
                    entetes[k],
                )
            )
            continue
        cible[cle] = j
    for c in appel.criteres:
        if c.id not in criteres:
            probleme(
                "colonne_manquante",
                f"colonne du critère « {c.libelle} » introuvable.",
                i_entete + 1,
                c.libelle,
                feuille,
            )
    if "evaluateur" not in colonnes and not evaluateur_par_defaut:
        probleme(
            "colonne_manquante",
            "colonne « Évaluateur » introuvable : ajoutez-la (courriel "
            "ou nom du compte) ou précisez l'évaluateur à l'importation.",
            i_entete + 1,
            ENTETE_EVALUATEUR,
            feuille,
        )
    if attributions is not None and attributions.reglages.verrouille:
        probleme(
            "evaluations_verrouillees",
            "les évaluations de cet appel sont verrouillées par la présidence du comité : "
            "aucune note ne peut plus être importée.",
        )
    if not resultat.sans_blocage:
        return resultat

    def cellule(ligne, j):
        return ligne[j] if j is not None and j < len(ligne) else None

    for i in range(i_entete + 1, len(grille)):
        ligne = grille[i]
        numero = nettoyer(cellule(ligne, colonnes["no_demande"]))
        valeurs_notes = {cid: cellule(ligne, j) for cid, j in criteres.items()}
        sans_note = all(nettoyer(v) == "" for v in valeurs_notes.values())
        if not numero and sans_note:
            continue
        # Une ligne laissée vide (ni note, ni commentaire, ni statut) : la demande n'a pas
        # été évaluée dans cette grille ; la ligne est ignorée, pas refusée.
        if (
            sans_note
            and not nettoyer(cellule(ligne, colonnes.get("commentaire")))
            and not nettoyer(cellule(ligne, colonnes.get("statut")))
        ):
            continue
        n = i + 1

        def signaler(code, message, colonne=None, numero=numero, n=n):
            probleme(code, message, n, colonne, feuille, numero or None)

        demande_id = demandes_par_numero.get(cle_numero(numero))
        if not numero:
            signaler("valeur_manquante", "numéro de demande manquant.", "No de demande")
            continue
        if demande_id is None:
            signaler(
                "demande_inconnue",
                f"la demande « {citer(numero)} » n'existe pas dans l'appel.",
                "No de demande",
            )
            continue
        qui = nettoyer(cellule(ligne, colonnes.get("evaluateur"))) or evaluateur_par_defaut or ""
        compte = _trouver_compte(qui, comptes) if qui else None
        if compte is None:
            signaler(
                "evaluateur_inconnu",
                f"évaluateur « {citer(qui)} » : aucun compte actif de ce courriel ou de ce nom.",
                ENTETE_EVALUATEUR,
            )
            continue
        if attributions is not None and not attributions.attribuee(demande_id, compte.courriel):
            conflit = attributions.conflits.get((demande_id, compte.courriel))
            if conflit is not None:
                raison = f"conflit d'intérêts de {compte.nom} sur cette demande ({conflit.raison})"
            else:
                raison = f"cette demande n'est pas attribuée à {compte.nom}"
            signaler("demande_refusee", f"{raison} : ligne refusée.", "No de demande")
            continue
        statut = normaliser(cellule(ligne, colonnes.get("statut"))) or SOUMISE
        if statut not in (SOUMISE, BROUILLON):
            signaler(
                "statut_inconnu",
                f"statut « {citer(statut)} » inconnu : « soumise » ou « brouillon ».",
                ENTETE_STATUT,
            )
            continue
        notes: dict[str, float | None] = {}
        for c in appel.criteres:
            brute = valeurs_notes.get(c.id)
            try:
                cents = lire_montant(brute)
            except ValeurIllisible:
                signaler("note_illisible", f"note illisible « {citer(brute)} ».", c.libelle)
                continue
            note = None if cents is None else cents / 100
            notes[c.id] = note
            if note is None:
                if statut == SOUMISE:
                    signaler(
                        "note_manquante",
                        "note manquante pour une évaluation soumise "
                        "(écrivez « brouillon » dans Statut pour la reprendre plus tard).",
                        c.libelle,
                    )
            elif problemes_saisie(Saisie(notes={c.id: note}), appel, BROUILLON):
                signaler(
                    "note_hors_echelle",
                    f"note {saisi(note)} hors de l'échelle "
                    f"({saisi(appel.echelle_min)} à {saisi(appel.echelle_max)}, par pas de "
                    f"{saisi(appel.pas)}).",
                    c.libelle,
                )
        version = None
        if "version" in colonnes:
            brute = cellule(ligne, colonnes["version"])
            try:
                version = int(nettoyer(brute) or 0)
            except ValueError:
                signaler(
                    "version_illisible",
                    f"version « {nettoyer(brute)[:40]} » illisible : cette colonne masquée ne se "
                    "modifie pas. Téléchargez de nouveau votre grille.",
                    ENTETE_VERSION,
                )
                continue
        resultat.lignes.append(
            LigneGrille(
                demande_id,
                numero,
                compte.courriel,
                notes,
                nettoyer(cellule(ligne, colonnes.get("commentaire"))),
                statut,
                n,
                version,
            )
        )
    return resultat
