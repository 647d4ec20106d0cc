"""Enregistrer les pièces jointes d'une archive ZIP (issue 18, point 3), et les rendre à qui
peut les lire.

L'archive est vérifiée par la règle (`depot.pieces_jointes`) contre les numéros des
demandes de l'appel ; si un seul fichier est refusé, rien n'est écrit (tout ou rien) et le
refus est inscrit au journal (objet « piece_jointe:refus »). Sinon chaque pièce est écrite
dans `pieces_jointes`, avec une ligne de journal (objet « piece_jointe »), en une seule
transaction. Réimporter la même archive n'ajoute rien (même empreinte) ; un PDF de même nom
au contenu changé s'ajoute et devient la version en vigueur, l'ancienne reste.

Qui lit une pièce : l'analyste, l'administration et la présidence ; un évaluateur, seulement
les pièces d'une demande qu'il peut évaluer (même règle que l'enregistrement d'une
évaluation : attribution, conflits déclarés ou évidents, admissibilité, désistement).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from evaluation.appels.configuration import Appel
from evaluation.depot.pieces_jointes import (
    LectureArchive,
    LimitesPieces,
    Piece,
    Refus,
    cle_nom,
    lire_archive,
)
from evaluation.notes import attributions
from evaluation.socle import stockage
from evaluation.socle.formats import pluriel
from evaluation.socle.roles import ADMIN, ANALYSTE, EVALUATEUR, PRESIDENT
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import citer

OBJET_PIECE = "piece_jointe"
OBJET_REFUS = "piece_jointe:refus"
# Qui téléverse une archive : la page Importation et ses rôles.
IMPORTER = (ANALYSTE, ADMIN)
# Qui lit toute pièce ; l'évaluateur, seulement celles des demandes qu'il évalue.
LIRE_TOUT = (ANALYSTE, ADMIN, PRESIDENT)
REFUS_JOURNAL_MAX = 20  # refus détaillés dans la ligne du journal ; le compte dit le reste


class PiecesRefusees(ValueError):
    """L'archive est refusée ; `lecture.refus` dit chaque fichier fautif. Rien n'est écrit
    (hors la ligne de journal du refus)."""

    def __init__(self, lecture: LectureArchive):
        self.lecture = lecture
        super().__init__(" ".join(r.message for r in lecture.refus))


class AccesRefuse(PermissionError):
    """Une pièce demandée par qui ne peut pas la lire ; le message dit pourquoi."""


@dataclass
class CompteRendu:
    """Ce que l'importation a fait : (numéro, nom) des pièces ajoutées, remplacées (nouvelle
    version d'un même nom) et inchangées (déjà là, même empreinte), et les fichiers écartés."""

    archive: str
    ajoutees: list[tuple[str, str]] = field(default_factory=list)
    remplacees: list[tuple[str, str]] = field(default_factory=list)
    inchangees: list[tuple[str, str]] = field(default_factory=list)
    ecartes: list[tuple[str, str]] = field(default_factory=list)

    def texte(self) -> str:
        parties = [
            pluriel(len(self.ajoutees), "pièce ajoutée", "pièces ajoutées"),
            pluriel(len(self.remplacees), "remplacée", "remplacées") + " par une nouvelle version",
            pluriel(len(self.inchangees), "déjà présente, inchangée", "déjà présentes, inchangées"),
        ]
        texte = f"{self.archive} : " + ", ".join(parties) + "."
        if self.ecartes:
            texte += " Écartés (non importés) : " + "; ".join(
                f"{citer(chemin, 80)} ({raison})" for chemin, raison in self.ecartes
            )
            texte += "."
        return texte


def verifier_archive(
    appel: Appel,
    nom_archive: str,
    contenu: bytes,
    *,
    moteur: Moteur,
    limites: LimitesPieces | None = None,
) -> LectureArchive:
    """L'archive lue contre les numéros des demandes stockées de l'appel ; rien n'est écrit."""
    with moteur.connect() as connexion:
        numeros = stockage.numeros_demandes(appel.id, connexion=connexion)
    return lire_archive(nom_archive, contenu, numeros, limites)


def _description(nom: str, taille: int, sha256: str) -> str:
    return f"{nom} ({taille} octets, SHA-256 {sha256[:16]})"


def importer_pieces(
    appel: Appel,
    nom_archive: str,
    contenu: bytes,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    limites: LimitesPieces | None = None,
    maintenant: dt.datetime | None = None,
) -> CompteRendu:
    """Vérifie l'archive et en écrit les pièces, tout ou rien, avec le journal.

    `PiecesRefusees` : un fichier au moins est refusé, ou l'appel est archivé ; rien n'est
    écrit, le refus est journalisé. `AccesRefuse` : le rôle n'importe pas."""
    if role not in IMPORTER:
        raise AccesRefuse(
            "Votre rôle ne permet pas d'importer des pièces jointes (réservé aux analystes et à "
            "l'administration)."
        )
    instant = maintenant or stockage.maintenant()
    lecture = verifier_archive(appel, nom_archive, contenu, moteur=moteur, limites=limites)
    if not lecture.refus:
        with moteur.connect() as connexion:
            if appel.id in stockage.appels_archives(connexion=connexion):
                lecture.refus.append(
                    _refus_archive(
                        nom_archive,
                        f"l'appel « {appel.id} » est archivé. Rouvrez-le (page Paramètres de "
                        "l'appel) avant d'y importer des pièces jointes.",
                    )
                )
    if lecture.refus:
        _journaliser_refus(appel, lecture, moteur, auteur, instant)
        raise PiecesRefusees(lecture)
    compte_rendu = CompteRendu(nom_archive, ecartes=list(lecture.ecartes))
    with stockage.ecriture(moteur, stockage.pieces_jointes, lourde=False) as connexion:
        ids = stockage.ids_par_numero(appel.id, connexion=connexion)
        # Une demande retirée de l'appel entre la vérification et l'écriture (retrait d'une
        # importation) : refusé comme un numéro inconnu, rien n'est écrit.
        if disparues := sorted({p.no_demande for p in lecture.pieces} - set(ids)):
            lecture.refus.append(
                _refus_archive(
                    nom_archive,
                    f"les demandes {', '.join(disparues)} ont été supprimées pendant "
                    "l'importation. Rechargez la page et téléversez l'archive de nouveau.",
                )
            )
        elif purgees := sorted(
            {p.no_demande for p in lecture.pieces}
            & set(stockage.demandes_purgees(appel.id, connexion=connexion))
        ):
            # Conservation échue (issue 20) : les pièces d'une demande purgée ne reviennent pas.
            lecture.refus.append(
                _refus_archive(
                    nom_archive,
                    f"les renseignements personnels des demandes {', '.join(purgees)} ont été "
                    "retirés à l'échéance de leur conservation : leurs pièces jointes ne se "
                    "réimportent pas. Retirez-les de l'archive.",
                )
            )
        else:
            lecture.refus.extend(
                _ecrire(
                    appel,
                    lecture.pieces,
                    ids,
                    compte_rendu,
                    auteur,
                    instant,
                    connexion,
                    limites or LimitesPieces(),
                )
            )
    if lecture.refus:
        _journaliser_refus(appel, lecture, moteur, auteur, instant)
        raise PiecesRefusees(lecture)
    return compte_rendu


def _refus_archive(nom_archive: str, texte: str) -> Refus:
    return Refus(nom_archive, None, "refus", f"{nom_archive} : {texte}")


def _ecrire(
    appel, pieces: list[Piece], ids, compte_rendu, auteur, instant, connexion, limites
) -> list[Refus]:
    """Écrit les pièces nouvelles ou changées ; rend les refus de quota par demande (rien
    n'est alors écrit)."""
    stockees = stockage.lire_pieces(appel.id, connexion=connexion)
    actuelles = en_vigueur(stockees)
    lignes, journal = [], []
    for piece in pieces:
        demande_id = ids[piece.no_demande]
        avant = actuelles.get((demande_id, cle_nom(piece.nom_fichier)))
        quoi = (piece.no_demande, piece.nom_fichier)
        if avant is not None and avant["sha256"] == piece.sha256:
            compte_rendu.inchangees.append(quoi)
            continue
        (compte_rendu.ajoutees if avant is None else compte_rendu.remplacees).append(quoi)
        lignes.append(
            {
                "demande_id": demande_id,
                "nom_fichier": piece.nom_fichier,
                "taille": piece.taille,
                "sha256": piece.sha256,
                "contenu": piece.contenu,
                "importee_le": instant,
                "importee_par": auteur,
            }
        )
        journal.append(
            stockage.ligne_journal(
                instant,
                auteur,
                OBJET_PIECE,
                None
                if avant is None
                else _description(avant["nom_fichier"], avant["taille"], avant["sha256"]),
                _description(piece.nom_fichier, piece.taille, piece.sha256)
                + f", archive {compte_rendu.archive}",
                appel_id=appel.id,
                demande_id=demande_id,
            )
        )
    if refus := _quota(compte_rendu.archive, stockees, lignes, ids, limites):
        return refus
    stockage.ajouter_pieces(lignes, connexion=connexion)
    stockage.inscrire_journal(journal, connexion=connexion)
    return []


def _quota(nom_archive: str, stockees, lignes, ids, limites: LimitesPieces) -> list[Refus]:
    """Un refus par demande qui dépasserait, versions comprises, le nombre de pièces ou le
    volume permis (`PIECES_MAX_PAR_DEMANDE`, `VOLUME_MAX_PAR_DEMANDE`)."""
    nombre_par: dict[int, int] = {}
    volume_par: dict[int, int] = {}
    for x in [*stockees, *lignes]:
        demande_id = int(x["demande_id"])
        nombre_par[demande_id] = nombre_par.get(demande_id, 0) + 1
        volume_par[demande_id] = volume_par.get(demande_id, 0) + int(x["taille"])
    numeros = {demande_id: numero for numero, demande_id in ids.items()}
    nouvelles = {int(x["demande_id"]) for x in lignes}
    refus = []
    for demande_id in sorted(nouvelles, key=lambda d: numeros.get(d, "")):
        compte, volume = nombre_par[demande_id], volume_par[demande_id]
        if compte <= limites.pieces_par_demande and volume <= limites.volume_par_demande:
            continue
        refus.append(
            Refus(
                nom_archive,
                None,
                "quota_demande",
                f"{nom_archive} : la demande {numeros.get(demande_id, demande_id)} aurait "
                f"{compte} pièces pour {limites.en_mo(volume)} Mo (versions remplacées "
                f"comprises), plus que la limite de {limites.pieces_par_demande} pièces et "
                f"{limites.en_mo(limites.volume_par_demande)} Mo par demande ; rien n'a été "
                "importé. Regroupez les pièces de cette demande en moins de PDF, ou retirez "
                "de l'archive celles qui sont déjà importées telles quelles.",
            )
        )
    return refus


def _journaliser_refus(appel, lecture: LectureArchive, moteur, auteur, instant) -> None:
    """Le refus au journal, dans sa propre transaction (aucune pièce n'est écrite)."""
    messages = [r.message for r in lecture.refus]
    texte = f"{lecture.archive} refusée ({len(messages)} refus) : " + " | ".join(
        messages[:REFUS_JOURNAL_MAX]
    )
    if len(messages) > REFUS_JOURNAL_MAX:
        texte += f" | … et {pluriel(len(messages) - REFUS_JOURNAL_MAX, 'autre')}"
    with stockage.ecriture(moteur, lourde=False) as connexion:
        stockage.inscrire_journal(
            [stockage.ligne_journal(instant, auteur, OBJET_REFUS, None, texte, appel_id=appel.id)],
            connexion=connexion,
        )


def en_vigueur(lignes: list[dict]) -> dict[tuple[int, str], dict]:
    """La dernière version de chaque (demande, nom sans casse)."""
    return {(int(x["demande_id"]), cle_nom(x["nom_fichier"])): x for x in lignes}


def _motif_refus_lecture(
    appel: Appel, demande_id: int, courriel: str, role: str | None, connexion
) -> str | None:
    if role in LIRE_TOUT:
        return None
    if role == EVALUATEUR:
        motif = attributions.motif_refus(
            appel.id, demande_id, courriel, connexion=connexion, modification=False
        )
        return None if motif is None else f"Pièces jointes inaccessibles : {motif}"
    return "Votre rôle ne permet pas de lire les pièces jointes des demandes."


def pieces_de_la_demande(
    appel: Appel, demande_id: int, *, moteur: Moteur, courriel: str, role: str | None
) -> list[dict]:
    """Les pièces en vigueur de la demande (la dernière version de chaque nom), sans leur
    contenu, dans l'ordre des noms : id, nom_fichier, taille, sha256, importee_le,
    importee_par. `AccesRefuse` si `courriel` ne peut pas les lire."""
    with moteur.connect() as connexion:
        if motif := _motif_refus_lecture(appel, demande_id, courriel, role, connexion):
            raise AccesRefuse(motif)
        lignes = stockage.lire_pieces(appel.id, connexion=connexion, demande_id=demande_id)
    return sorted(en_vigueur(lignes).values(), key=lambda x: x["nom_fichier"].casefold())


def contenu_piece(
    appel: Appel, piece_id: int, *, moteur: Moteur, courriel: str, role: str | None
) -> tuple[str, bytes]:
    """(nom du fichier, octets) de la pièce, après la même vérification d'accès ; son
    contenu n'est lu qu'une fois l'accès permis."""
    with moteur.connect() as connexion:
        piece = stockage.lire_piece(piece_id, appel.id, connexion=connexion)
        if piece is None:
            raise AccesRefuse("Cette pièce jointe n'existe pas dans l'appel.")
        if motif := _motif_refus_lecture(
            appel, int(piece["demande_id"]), courriel, role, connexion
        ):
            raise AccesRefuse(motif)
        contenu = stockage.lire_contenu_piece(piece_id, connexion=connexion)
    return piece["nom_fichier"], bytes(contenu["contenu"])
