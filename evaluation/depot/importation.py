"""Enregistrer une importation : écrire dans le stockage, en une seule transaction, ce que
`depot.verification` a trouvé importable, et dire ce qui a changé.

Réimporter une demande déjà stockée la met à jour en place : son identifiant ne change
pas, si bien que tout ce qui s'y rattache (évaluations, décisions) est conservé. Quand la
réimportation change un champ que la liste d'admissibilité lit (ou la date de dépôt) d'une
demande déjà examinée, son examen est rouvert dans la même transaction (« à établir »,
journalisé) : l'analyste la réexamine avant qu'elle se note ou se finance.

Décisions verrouillées : une importation qui modifierait une demande déjà stockée est
refusée en entier (rien n'est écrit) ; les nouvelles demandes s'ajoutent (elles passeront
l'examen d'admissibilité avant toute décision).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping

from evaluation.appels.configuration import Appel
from evaluation.depot.conservation import echeance
from evaluation.depot.correspondances import a_retenir, ou
from evaluation.depot.gabarit import PREFIXE_DIMENSION
from evaluation.depot.validation import (
    Enregistrement,
    Verification,
    attribuer_numeros,
    cle_numero,
    demandeur_change,
    identites_par_cle,
    message_demandeur_change,
)
from evaluation.depot.verification import (
    Changement,
    RapportImportation,
    champs_changes,
    differences,
    ramasse_miettes_suspendu,
)
from evaluation.notes import filtrage
from evaluation.socle import stockage
from evaluation.socle.formats import date, pluriel
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import nettoyer

journal = logging.getLogger(__name__)


def _ligne_demande(e: Enregistrement, maintenant, importation_id: int) -> dict:
    v = e.valeurs
    avertissements = [
        {
            "code": p.code,
            "message": p.message,
            "severite": p.severite,
            "colonne": p.colonne,
            "feuille": p.feuille,
            "ligne": p.ligne,
            "fichier": p.fichier,
        }
        for p in e.problemes
    ]
    return {
        **{cle: v.get(cle) for cle in stockage.CHAMPS_DEMANDE},
        "colonnes_supplementaires": {k: _json(x) for k, x in e.supplementaires.items()} or None,
        "avertissements": avertissements,
        "source_fichier": e.fichier,
        "source_feuille": e.feuille,
        "source_ligne": e.ligne,
        "importation_id": importation_id,
        "modifie_le": maintenant,
    }


def _json(valeur: object) -> object:
    """Une valeur de colonne hors gabarit, telle qu'un JSON stocké peut la garder."""
    if isinstance(valeur, bool | int) or valeur is None:
        return valeur
    if isinstance(valeur, float):
        return valeur if math.isfinite(valeur) else None
    return nettoyer(valeur)


def _ligne_budget(e: Enregistrement) -> dict:
    valeurs = e.valeurs
    ligne = {cle: valeurs.get(cle) for cle in stockage.CHAMPS_LIGNE}
    ligne["colonnes_supplementaires"] = (
        {k: _json(x) for k, x in e.supplementaires.items()} if e.supplementaires else None
    )
    ligne["source_fichier"] = e.fichier
    ligne["source_ligne"] = e.ligne
    return ligne


def importer(
    verification: Verification,
    appel: Appel,
    *,
    moteur: Moteur,
    lignes_valides_seulement: bool = False,
    auteur: str | None = None,
    progression: Callable[[float, str], None] | None = None,
    correspondances: Mapping[str, Mapping[str, str]] | None = None,
) -> RapportImportation:
    """Écrit les demandes importables du lot, en une transaction.

    Une erreur en cours de route annule tout : le stockage reste tel qu'il était.
    `correspondances` (colonnes reliées à la main) est inscrit au journal.
    """
    with ramasse_miettes_suspendu():
        return _importer(
            verification,
            appel,
            moteur,
            lignes_valides_seulement,
            auteur,
            progression,
            correspondances or {},
        )


def _cles_presentes(d: Enregistrement) -> set[str]:
    """Les champs que le fichier de la demande fournit : à la réimportation, un champ absent du
    fichier garde sa valeur stockée (seule une cellule présente et vide l'efface)."""
    colonnes = set(d.tableau.colonnes) if d.tableau is not None else set(stockage.CHAMPS_DEMANDE)
    derivees = set()
    if "municipalite" in colonnes:
        derivees |= {"code_geographique", "region"}
    if "municipalites_partenaires" in colonnes:
        derivees.add("projet_conjoint")
    if "date_depot" in colonnes:
        derivees.add("date_depot_presumee")
    if any(c.startswith(PREFIXE_DIMENSION) for c in colonnes):
        derivees.add("dimensions")
    return (colonnes | derivees) & set(stockage.CHAMPS_DEMANDE)


def _dimensions_fusionnees(d: Enregistrement, ancienne: dict, nouvelles: dict | None) -> dict:
    """À la réimportation, les dimensions dont le fichier a la colonne prennent leur valeur
    lue ; les autres gardent leur valeur stockée (comme tout champ absent du fichier)."""
    presentes = {
        c.removeprefix(PREFIXE_DIMENSION)
        for c in (d.tableau.colonnes if d.tableau is not None else ())
        if c.startswith(PREFIXE_DIMENSION)
    }
    stockees = ancienne.get("dimensions")
    fusion = dict(stockees) if isinstance(stockees, dict) else {}
    fusion.update({k: v for k, v in (nouvelles or {}).items() if k in presentes})
    return fusion


def _date_depot(nouvelle: dict, maintenant) -> bool:
    """Fixe la date de dépôt d'une nouvelle demande : celle du fichier, sinon celle de
    l'importation, marquée présumée. Vrai dans ce second cas (le rapport le dit)."""
    presumee = nouvelle.get("date_depot") is None
    if presumee:
        nouvelle["date_depot"] = maintenant.date()
    nouvelle["date_depot_presumee"] = presumee
    return presumee


class AppelArchive(RuntimeError):
    """Importer dans un appel archivé : refusé, rien n'est écrit."""


class DecisionsVerrouillees(RuntimeError):
    """Modifier une demande stockée quand les décisions sont verrouillées : refusé, rien
    n'est écrit."""


OBJET_REOUVERTURE = "admissibilite:reouverture"


def _importer(
    verification, appel, moteur, lignes_valides_seulement, auteur, progression, correspondances
):
    avancer = progression or (lambda *_: None)
    gardees, lignes = verification.selection(lignes_valides_seulement)
    ecartees = verification.ecartees(lignes_valides_seulement)

    with stockage.ecriture(moteur, stockage.demandes, stockage.examens_admissibilite) as connexion:
        if appel.id in stockage.appels_archives(connexion=connexion):
            raise AppelArchive(
                f"l'appel « {appel.id} » est archivé : rouvrez-le (page Paramètres de "
                "l'appel) avant d'y importer des demandes."
            )
        stockage.enregistrer_appel(appel, connexion=connexion)
        avancer(0.1, "Lecture des demandes déjà stockées")
        existantes = {
            cle_numero(no): ligne
            for no, ligne in stockage.demandes_existantes(appel.id, connexion=connexion).items()
        }
        _numeroter(verification, appel, existantes)
        # Les numéros se comparent sans égard à la casse : « t-001 » désigne « T-001 ».
        lignes_par_cle: dict[str, list[dict]] = {}
        for b in lignes:
            lignes_par_cle.setdefault(b.cle, []).append(_ligne_budget(b))
        avant = sum(1 for e in existantes.values() if e.get("retiree_le") is None)
        maintenant = stockage.maintenant()
        rapport = RapportImportation(
            None,
            avant,
            avant,
            # Une demande écartée venue sans numéro n'en reçoit aucun : elle se dit par sa ligne.
            ecartees=[
                f"{d.fichier}, ligne {d.ligne}" if d.attribue or not d.no_demande else d.no_demande
                for d in ecartees
            ],
            lignes_valides_seulement=lignes_valides_seulement,
        )
        importation_id = stockage.creer_importation(
            {
                "appel_id": appel.id,
                "date": maintenant,
                "auteur": auteur,
                "fichiers": verification.fichiers,
                "lignes_valides_seulement": lignes_valides_seulement,
                "nb_creees": 0,
                "nb_mises_a_jour": 0,
                "nb_inchangees": 0,
                "nb_ecartees": len(ecartees),
                "nb_lignes_budget": 0,
                "rapport": {},
            },
            connexion=connexion,
        )
        rapport.importation_id = importation_id
        rapport.jour = maintenant.date()
        a_creer: list[tuple[Enregistrement, dict]] = []
        a_mettre_a_jour: list[dict] = []
        ids_lignes: dict[int, list[dict]] = {}
        reouvrir: dict[int, tuple[str, dict[str, str]]] = {}
        # Les demandes purgées écartées : les problèmes de leurs lignes citent les valeurs
        # retirées (un courriel invalide), le rapport de l'importation ne les garde pas.
        purgees: set[str] = set()
        for d in gardees:
            nouvelle = _ligne_demande(d, maintenant, importation_id)
            ancienne = existantes.get(d.cle)
            lignes_d = lignes_par_cle.get(d.cle)
            if ancienne is None:
                if _date_depot(nouvelle, maintenant):
                    rapport.depot_presume.append(d.no_demande)
                a_creer.append((d, {**nouvelle, "cree_le": maintenant}))
                rapport.creees.append(d.no_demande)
                if d.attribue:
                    rapport.numeros_attribues.append(_provenance(d))
                continue
            if d.attribue:
                rapport.reconnues.append(_provenance(d))
            if ancienne.get("retiree_le") is not None:
                # Un désistement ne s'annule pas par un fichier : page Importation, Rétablir.
                rapport.ecartees.append(f"{ancienne['no_demande']} (retirée : désistement)")
                continue
            if ancienne.get("renseignements_retires_le") is not None:
                # Conservation échue (issue 20) : ses renseignements personnels ont été
                # retirés ; un fichier ne les fait pas revenir.
                motif = _purgee(ancienne["renseignements_retires_le"], echeance(appel))
                rapport.purgees.setdefault(motif, []).append(ancienne["no_demande"])
                purgees.add(d.no_demande)
                continue
            if demandeur_change(ancienne, d.valeurs):
                # Stockée par une importation faite depuis la vérification : jamais écrasée.
                message = message_demandeur_change(ancienne["no_demande"], ancienne, d.valeurs)
                rapport.ecartees.append(f"{ancienne['no_demande']} ({message})")
                continue
            presentes = _cles_presentes(d)
            nouvelle = {
                c: v
                for c, v in nouvelle.items()
                if c in presentes or c not in stockage.CHAMPS_DEMANDE
            }
            if "dimensions" in nouvelle:
                nouvelle["dimensions"] = _dimensions_fusionnees(d, ancienne, nouvelle["dimensions"])
            if nouvelle.get("date_depot") is None:
                # Une cellule vide n'efface pas une date de dépôt déjà connue.
                nouvelle.pop("date_depot", None)
                nouvelle.pop("date_depot_presumee", None)
            else:
                nouvelle["date_depot_presumee"] = False
            nouvelle["no_demande"] = ancienne["no_demande"]
            if not nouvelle.get("colonnes_supplementaires"):
                nouvelle.pop("colonnes_supplementaires", None)
            details = differences(ancienne, {**ancienne, **nouvelle}, lignes_d, appel=appel)
            examines = champs_changes(
                ancienne, {**ancienne, **nouvelle}, None, filtrage.champs_examines(appel)
            )
            if examines:
                reouvrir[ancienne["id"]] = (ancienne["no_demande"], examines)
            if details or nouvelle["avertissements"] != ancienne.get("avertissements"):
                a_mettre_a_jour.append({**nouvelle, "id": ancienne["id"]})
            numero = ancienne["no_demande"]
            if details:
                rapport.mises_a_jour.append(Changement(numero, details))
            else:
                rapport.inchangees.append(numero)
            if lignes_d is not None and any(x.startswith("lignes de budget") for x in details):
                ids_lignes[ancienne["id"]] = lignes_d
        # Lignes de budget qui complètent une demande déjà stockée (fichier Budget seul).
        cles_gardees = {d.cle for d in gardees}
        for cle, lignes_d in lignes_par_cle.items():
            if (
                cle not in cles_gardees
                and cle in existantes
                and existantes[cle].get("retiree_le") is None
                and existantes[cle].get("renseignements_retires_le") is None
            ):
                ancienne = existantes[cle]
                details = differences(ancienne, ancienne, lignes_d, appel=appel)
                if details:
                    ids_lignes[ancienne["id"]] = lignes_d
                    rapport.mises_a_jour.append(Changement(ancienne["no_demande"], details))

        if rapport.mises_a_jour:
            reglages = stockage.lire_reglages_evaluation(appel.id, connexion=connexion) or {}
            if reglages.get("decisions_verrouillees"):
                numeros = [c.no_demande for c in rapport.mises_a_jour]
                raise DecisionsVerrouillees(
                    "les décisions de cet appel sont verrouillées : cette importation "
                    "modifierait "
                    + pluriel(len(numeros), "demande déjà stockée", "demandes déjà stockées")
                    + " "
                    f"({', '.join(numeros[:20])}{' …' if len(numeros) > 20 else ''}) ; rien "
                    "n'a été importé. Retirez ces demandes du fichier (les nouvelles "
                    "demandes s'ajoutent), ou faites rouvrir les décisions par "
                    "l'administration."
                )
        avancer(0.3, f"Nouvelles demandes à enregistrer : {len(a_creer)}")
        ids = stockage.inserer_demandes(appel.id, [n for _, n in a_creer], connexion=connexion)
        for d, nouvelle in a_creer:
            if d.cle in lignes_par_cle:
                ids_lignes[ids[nouvelle["no_demande"]]] = lignes_par_cle[d.cle]
        avancer(0.6, f"Demandes à mettre à jour : {len(a_mettre_a_jour)}")
        stockage.mettre_a_jour_demandes(a_mettre_a_jour, connexion=connexion)
        _reouvrir(appel, reouvrir, rapport, auteur, maintenant, connexion)
        avancer(0.8, "Enregistrement des lignes de budget")
        rapport.nb_lignes_budget = stockage.remplacer_lignes_budget(ids_lignes, connexion=connexion)
        rapport.apres = stockage.compter_demandes(appel.id, connexion=connexion)
        _retenir_correspondances(
            verification,
            appel,
            gardees,
            lignes,
            correspondances,
            rapport,
            connexion,
            importation_id=importation_id,
            date=maintenant,
            auteur=auteur,
        )
        stockage.finaliser_importation(
            importation_id,
            {
                "nb_creees": len(rapport.creees),
                "nb_ecartees": len(rapport.ecartees),
                "nb_mises_a_jour": len(rapport.mises_a_jour),
                "nb_inchangees": len(rapport.inchangees),
                "nb_lignes_budget": rapport.nb_lignes_budget,
                "rapport": {
                    "problemes": [
                        p.en_dict() for p in verification.problemes if p.no_demande not in purgees
                    ],
                    "creees": rapport.creees,
                    "mises_a_jour": {c.no_demande: c.details for c in rapport.mises_a_jour},
                    "ecartees": rapport.ecartees,
                    "purgees": rapport.purgees,
                    "reouvertes": {c.no_demande: c.details for c in rapport.reouvertes},
                    "numeros_attribues": rapport.numeros_attribues,
                    "reconnues": rapport.reconnues,
                    "correspondances": {f: dict(c) for f, c in correspondances.items()},
                    "correspondances_retenues": {
                        ou(f, feuille): relie
                        for (f, feuille), relie in rapport.correspondances_retenues.items()
                    },
                },
            },
            connexion=connexion,
        )
    avancer(1.0, "Importation terminée")
    return rapport


def _retenir_correspondances(
    verification, appel, gardees, lignes, correspondances, rapport, connexion, **quand
) -> None:
    """Retient, dans la transaction de l'importation, la correspondance de colonnes de chaque
    tableau qui a fourni des demandes ou des lignes importées, pour le fichier suivant de
    même forme (issue 19, point 7). Un tableau lu sans rien de relié ne retient rien et
    n'efface rien, sauf la correspondance que l'analyste a remise de côté."""
    importes = {id(x.tableau) for x in (*gardees, *lignes) if x.tableau is not None}
    tableaux = [t for f in verification.lus for t in f.tableaux if id(t) in importes]
    stockees = stockage.lire_correspondances(appel.id, connexion=connexion)
    for empreinte, (entetes, relie) in a_retenir(tableaux, correspondances).items():
        if not relie and empreinte not in stockees:
            continue
        ancienne = stockees.get(empreinte, {}).get("correspondance")
        if ancienne == relie:
            continue
        stockage.retenir_correspondance(
            appel.id, empreinte, entetes, relie, connexion=connexion, **quand
        )
        tableau = next(t for t in tableaux if t.empreinte == empreinte)
        rapport.correspondances_retenues[(tableau.fichier, tableau.feuille)] = relie


def _purgee(quand: dt.datetime, echeance_: dt.date | None) -> str:
    """Pourquoi des demandes purgées ne sont pas réimportées : la date de la purge, et si
    elle a été faite à l'échéance de la conservation ou avant (une phrase pour toutes les
    demandes purgées le même jour)."""
    jour = quand.date()
    if echeance_ is None:
        quand_ = "avant toute échéance (aucune durée de conservation n'est fixée pour l'appel)"
    elif jour >= echeance_:
        quand_ = f"à l'échéance de leur conservation (le {date(echeance_)})"
    else:
        quand_ = f"avant l'échéance de leur conservation (le {date(echeance_)})"
    return f"renseignements personnels retirés le {date(jour)}, {quand_}"


def _numeroter(verification: Verification, appel: Appel, existantes: dict[str, dict]) -> None:
    """Les numéros des demandes venues sans numéro, fixés dans la transaction : ceux de la
    vérification, sauf si une importation faite depuis a pris l'un d'eux (un autre numéro)
    ou a stocké la même demande (même demandeur — NEQ, code géographique —, même titre :
    son numéro, mise à jour)."""
    attribuees = [d for d in verification.demandes if d.attribue]
    if not attribuees:
        return
    stockees = identites_par_cle(
        (
            ligne["no_demande"],
            ligne.get("organisme"),
            ligne.get("municipalite"),
            ligne["titre"],
            ligne.get("neq"),
            ligne.get("code_geographique"),
        )
        for ligne in existantes.values()
    )
    pris = [ligne["no_demande"] for ligne in existantes.values()]
    pris += [d.no_demande for d in verification.demandes if not d.attribue and d.cle]
    attribuer_numeros(attribuees, verification.lignes_budget, appel, stockees, pris)


def _provenance(d: Enregistrement) -> str:
    """« PAIVMQ-2023-2024-004 : « Titre » (demandes.xlsx, ligne 3) »."""
    titre = d.valeurs.get("titre") or "sans titre"
    return f"{d.no_demande} : « {titre} » ({d.fichier}, ligne {d.ligne})"


def _reouvrir(appel, reouvrir, rapport, auteur, maintenant, connexion) -> None:
    """Rouvre l'examen des demandes déjà examinées dont un champ lu par la liste a changé :
    un nouvel examen « à établir » (nature « réouverture »), journalisé, dans la transaction
    de l'importation."""
    if not reouvrir:
        return
    etats = filtrage.etats(stockage.lire_examens(appel.id, connexion=connexion))
    qui = auteur or "importation"
    lignes, journal_ = [], []
    for demande_id, (numero, champs) in reouvrir.items():
        avant = filtrage.etat_de(etats, demande_id)
        rouvert = filtrage.reouvrir(avant, champs, appel, maintenant.date())
        if rouvert is None:
            continue
        reponses, raison = rouvert
        lignes.append(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "nature": filtrage.REOUVERTURE,
                "verdict": filtrage.A_ETABLIR,
                "reponses": filtrage.reponses_en_json(reponses),
                "raison": raison,
                "date": maintenant,
                "auteur": qui,
            }
        )
        ancien = avant.libelle + (f" ({avant.raison})" if avant.raison else "")
        journal_.append(
            stockage.ligne_journal(
                maintenant,
                qui,
                OBJET_REOUVERTURE,
                ancien,
                f"{filtrage.LIBELLES_VERDICTS[filtrage.A_ETABLIR]} ({raison})",
                appel_id=appel.id,
                demande_id=demande_id,
            )
        )
        rapport.reouvertes.append(Changement(numero, list(champs.values())))
    stockage.ajouter_examens_en_masse(lignes, connexion=connexion)
    stockage.inscrire_journal(journal_, connexion=connexion)
