"""Retirer des données : le désistement d'une demande, le retrait d'une importation entière.

Un désistement (la municipalité renonce, ou la demande est déposée en double) fait sortir la
demande du classement, des listes des évaluateurs, du portefeuille et des exportations ; la
demande et tout son historique restent dans la base et au journal, et elle peut être
rétablie. Retirer une importation supprime les demandes qu'elle a créées (des données de
démonstration importées par erreur dans une vraie base, un mauvais fichier), tant qu'aucune
n'a été évaluée ni n'a reçu de décision ; l'entrée de l'importation reste, marquée retirée.

Ni l'un ni l'autre n'est une règle de l'appel : ce sont des gestes de l'administration,
toujours avec une raison, toujours journalisés.
"""

from __future__ import annotations

import datetime as dt

from evaluation.appels.configuration import Appel
from evaluation.depot.validation import cle_numero
from evaluation.socle import stockage
from evaluation.socle.concurrence import quand
from evaluation.socle.formats import pluriel
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import trop_long

OBJET_DESISTEMENT = "desistement"
OBJET_RETRAIT_IMPORTATION = "importation:retrait"


class RetraitRefuse(ValueError):
    """Un retrait impossible ; le message dit pourquoi et quoi faire."""


def _raison(raison: str) -> str:
    texte = (raison or "").strip()
    if not texte:
        raise RetraitRefuse("donnez la raison du retrait : elle est inscrite au journal.")
    if refus := trop_long(texte, "raison"):
        raise RetraitRefuse(refus)
    return texte


def _demande(appel: Appel, demande_id: int, connexion) -> dict:
    d = stockage.lire_demande(demande_id, connexion=connexion)
    if d is None or d["appel_id"] != appel.id:
        raise RetraitRefuse("cette demande n'existe pas dans l'appel.")
    if appel.id in stockage.appels_archives(connexion=connexion):
        raise RetraitRefuse(f"l'appel « {appel.id} » est archivé : rouvrez-le d'abord.")
    return d


def desister(
    appel: Appel,
    demande_id: int,
    raison: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> None:
    """Inscrit le désistement d'une demande (raison obligatoire, journalisé) : elle sort du
    classement et des listes ; ses évaluations, décisions et son journal restent."""
    raison = _raison(raison)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.demandes) as connexion:
        d = _demande(appel, demande_id, connexion)
        if d["retiree_le"] is not None:
            raise RetraitRefuse(
                f"{d['no_demande']} est déjà retirée ({quand(d['retiree_le'])} : "
                f"{d['raison_retrait']})."
            )
        stockage.marquer_retrait(
            demande_id,
            {"retiree_le": instant, "retiree_par": auteur, "raison_retrait": raison},
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    OBJET_DESISTEMENT,
                    "active",
                    f"retirée : {raison}",
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            ],
            connexion=connexion,
        )


def retablir(
    appel: Appel,
    demande_id: int,
    raison: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> None:
    """Annule un désistement (raison obligatoire, journalisé) : la demande revient au
    classement avec ses évaluations."""
    raison = _raison(raison)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.demandes) as connexion:
        d = _demande(appel, demande_id, connexion)
        if d["retiree_le"] is None:
            raise RetraitRefuse(f"{d['no_demande']} n'est pas retirée.")
        stockage.marquer_retrait(
            demande_id,
            {"retiree_le": None, "retiree_par": None, "raison_retrait": None},
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    OBJET_DESISTEMENT,
                    f"retirée : {d['raison_retrait']}",
                    f"rétablie : {raison}",
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            ],
            connexion=connexion,
        )


def demandes_retirees(appel: Appel, *, moteur: Moteur) -> list[dict]:
    """Les demandes retirées de l'appel (numéro, municipalité, titre, date, auteur,
    raison), les plus récentes en premier."""
    with moteur.connect() as connexion:
        table = stockage.lire_demandes(appel.id, connexion=connexion, avec_retirees=True)
    retirees = table[table["retiree_le"].notna()].sort_values("retiree_le", ascending=False)
    return retirees.to_dict("records")


def retirer_importation(
    appel: Appel,
    importation_id: int,
    raison: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> list[str]:
    """Supprime les demandes qu'une importation a créées, en une transaction, et la marque
    retirée (journalisé, avec la raison et les numéros). Renvoie les numéros supprimés.

    Refusé si l'importation a mis à jour des demandes créées avant elle (leurs anciennes
    valeurs ne sont pas gardées), si une importation suivante a modifié l'une des siennes,
    ou si l'une d'elles a déjà une évaluation (même en brouillon), une décision ou un
    montant recommandé modifié."""
    raison = _raison(raison)
    instant = maintenant or stockage.maintenant()
    # Les tables où naît une donnée rattachée sont verrouillées aussi : une évaluation,
    # une décision ou un montant écrits entre la vérification et la suppression seraient
    # effacés avec la demande (PostgreSQL ; SQLite n'a qu'un écrivain à la fois).
    with stockage.ecriture(
        moteur,
        stockage.demandes,
        stockage.evaluations,
        stockage.decisions,
        stockage.montants_recommandes,
    ) as connexion:
        if appel.id in stockage.appels_archives(connexion=connexion):
            raise RetraitRefuse(f"l'appel « {appel.id} » est archivé : rouvrez-le d'abord.")
        importation = stockage.lire_importation(importation_id, connexion=connexion)
        if importation is None or importation["appel_id"] != appel.id:
            raise RetraitRefuse(f"aucune importation n° {importation_id} dans cet appel.")
        if importation["retiree_le"] is not None:
            raise RetraitRefuse(
                f"l'importation n° {importation_id} est déjà retirée "
                f"({quand(importation['retiree_le'])})."
            )
        mises_a_jour = sorted((importation["rapport"] or {}).get("mises_a_jour", {}))
        if mises_a_jour:
            raise RetraitRefuse(
                f"l'importation n° {importation_id} a aussi mis à jour "
                f"{pluriel(len(mises_a_jour), 'demande créée', 'demandes créées')} avant elle "
                f"({', '.join(mises_a_jour[:10])}) : la retirer ne rendrait pas leurs anciennes "
                "valeurs. Réimportez plutôt les fichiers d'origine, ou inscrivez un désistement "
                "pour chaque demande à écarter."
            )
        creees = {cle_numero(n) for n in (importation["rapport"] or {}).get("creees", [])}
        table = stockage.lire_demandes(appel.id, connexion=connexion, avec_retirees=True)
        siennes = table[table["no_demande"].map(cle_numero).isin(creees)]
        modifiees = siennes[siennes["importation_id"].astype("Int64") != importation_id]
        if not modifiees.empty:
            autres = sorted({int(i) for i in modifiees["importation_id"].dropna()})
            e = "" if len(modifiees) == 1 else "s"
            raise RetraitRefuse(
                f"{', '.join(modifiees['no_demande'].head(10))} : "
                f"créée{e} par l'importation n° {importation_id}, puis modifiée{e} par "
                + ", ".join(f"l'importation n° {i}" for i in autres)
                + ". Retirez d'abord "
                + ("celle-ci" if len(autres) == 1 else "celles-ci")
                + ", ou inscrivez un désistement."
            )
        ids = [int(i) for i in siennes["id"]]
        numeros = dict(zip(siennes["id"].astype(int), siennes["no_demande"], strict=True))
        rattachees = stockage.donnees_rattachees(ids, connexion=connexion)
        if any(rattachees.values()):
            details = "; ".join(
                f"{quoi} pour {', '.join(sorted(numeros[i] for i in qui)[:10])}"
                for quoi, qui in rattachees.items()
                if qui
            )
            raise RetraitRefuse(
                f"l'importation n° {importation_id} ne peut plus être retirée : {details}. "
                "Ce qui a été évalué ou décidé se garde ; inscrivez plutôt un désistement pour "
                "chaque demande à écarter."
            )
        stockage.supprimer_demandes(ids, connexion=connexion)
        stockage.marquer_importation_retiree(
            importation_id,
            {"retiree_le": instant, "retiree_par": auteur, "raison_retrait": raison},
            connexion=connexion,
        )
        supprimees = sorted(numeros.values())
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    OBJET_RETRAIT_IMPORTATION,
                    f"importation n° {importation_id} ({', '.join(importation['fichiers'])})",
                    f"retirée : {raison} ; "
                    f"{pluriel(len(supprimees), 'demande supprimée', 'demandes supprimées')}"
                    + (f" ({', '.join(supprimees)})" if supprimees else ""),
                    appel_id=appel.id,
                )
            ],
            connexion=connexion,
        )
    return supprimees
