"""Les tirages au sort dans la zone grise (issue 16, point 7) : la présidence tire au sort,
le tirage s'inscrit au journal (graine, candidates et leurs montants, reste de
l'enveloppe, gagnantes, version de la règle), se rejoue (`verifier`, commande
`python -m evaluation tirage verifier`) et, si la présidence le veut, devient des décisions
du comité (`decisions.inscrire_tirage`). Un seul tirage fait foi : un nouveau tirage demande
une raison écrite, inscrite avec lui, et seul le dernier tirage de l'appel devient décisions.

Réglage du comité (`[comite] tirage_zone_grise`) : l'appel ne prévoit aucun tirage au sort.
La règle est dans `decision.tirage` ; ici, on lit, on refuse ce qui doit l'être et l'on
écrit avec le journal en une transaction. Le journal est le seul registre des tirages (pas
de table à part) : il est en ajout seul, et la liste des candidates qui y est inscrite fait
foi (le bootstrap qui les a désignées est aléatoire).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from evaluation.appels.configuration import Appel, appel_depuis_toml
from evaluation.decision import chargement, classement, portefeuille
from evaluation.decision.comite import cle_personne
from evaluation.decision.tirage import (
    OBJET,
    ErreurTirage,
    Tirage,
    TirageInscrit,
    inscrits,
    preparer,
    tirer,
    verifier_graine,
)
from evaluation.socle import droits, stockage
from evaluation.socle.stockage import Moteur


@dataclass(frozen=True)
class Verification:
    """Un tirage rejoué : `ecarts` vide, il est conforme."""

    tirage: TirageInscrit
    ecarts: tuple[str, ...]

    @property
    def conforme(self) -> bool:
        return not self.ecarts


def zone_grise_de(appel: Appel, *, moteur: Moteur) -> tuple[pd.DataFrame, np.ndarray]:
    """Le classement de l'appel et sa zone grise, calculés comme les pages les calculent
    (`classement.classement`, puis `portefeuille.solidite` et sa graine par défaut)."""
    donnees = chargement.charger(appel, moteur=moteur)
    table = classement.classement(appel, donnees)
    solidite = portefeuille.solidite(table, donnees.notes, appel, donnees.poids, cube=donnees.cube)
    return table, solidite["zone_grise"].to_numpy(dtype=bool)


def tirer_au_sort(
    appel: Appel,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    graine: int | str | None = None,
    raison: str | None = None,
    table: pd.DataFrame | None = None,
    zone_grise: Sequence[bool] | np.ndarray | None = None,
    maintenant: dt.datetime | None = None,
) -> tuple[int, Tirage]:
    """Tire au sort, dans la zone grise, les demandes que finance le reste de l'enveloppe
    (`tirage.tirer`, selon `appel.mode_ligne`) et l'inscrit au journal ; rend le numéro du
    tirage dans l'appel et le tirage.

    Refusé : si l'appel ne permet pas le tirage (`[comite] tirage_zone_grise`) ; à qui ne
    conduit pas la séance (`droits.peut_conduire_seance`) ; si `auteur` a déclaré un conflit
    d'intérêts sur une candidate (elles sont nommées) ; quand les décisions sont
    verrouillées ; sans candidate ; sans `raison` écrite quand un tirage est déjà inscrit
    pour l'appel (un seul tirage fait foi : un nouveau tirage remplace le précédent, et
    sa raison est inscrite avec lui). `graine` : saisie (entier de 0 à 2**63 − 1), sinon
    générée (`secrets.randbits(63)`) ; l'enregistrement dit laquelle (`graine_saisie`).
    `table` et `zone_grise` : le classement et la zone grise que la page montre ; sinon
    calculés ici (`zone_grise_de`)."""
    if not appel.tirage_zone_grise:
        raise ErreurTirage(
            "cet appel ne permet pas de tirage au sort : [comite] tirage_zone_grise vaut "
            "false (réglage du comité, dans le fichier de l'appel)."
        )
    if not droits.peut_conduire_seance(role):
        raise ErreurTirage(
            "tirer au sort revient à la présidence du comité (ou à l'administration) : "
            "demandez-le à la personne qui préside."
        )
    saisie = not (graine is None or (isinstance(graine, str) and not graine.strip()))
    graine = verifier_graine(graine) if saisie else secrets.randbits(63)
    raison = (raison or "").strip()
    if table is None or zone_grise is None:
        table, zone_grise = zone_grise_de(appel, moteur=moteur)
    candidates, restant = preparer(table, zone_grise, appel)
    if not candidates:
        raise ErreurTirage(
            "aucune demande en zone grise sans décision du comité : il n'y a rien à tirer au sort."
        )
    ids = dict(zip(table["no_demande"].astype(str), table["demande_id"].astype(int), strict=True))
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.decisions, lourde=False) as connexion:
        reglages = stockage.lire_reglages_evaluation(appel.id, connexion=connexion) or {}
        if reglages.get("decisions_verrouillees"):
            raise ErreurTirage(
                "les décisions de cet appel sont verrouillées : pas de tirage au sort tant "
                "que l'administration ne les rouvre pas."
            )
        decidees = {
            int(x["demande_id"]) for x in stockage.lire_decisions(appel.id, connexion=connexion)
        }
        if deja := [no for no in sorted(candidates) if ids[no] in decidees]:
            raise ErreurTirage(
                f"{', '.join(deja)} : décision inscrite depuis l'affichage de la page ; "
                "rechargez-la, le tirage se fait sans elle."
            )
        cle = cle_personne(auteur)
        par_demande = {
            int(c["demande_id"]): c
            for c in stockage.lire_conflits(appel.id, connexion=connexion)
            if cle_personne(c["evaluateur"]) == cle
        }
        en_conflit = [
            f"{no} ({par_demande[ids[no]]['raison']})"
            for no in sorted(candidates)
            if ids[no] in par_demande
        ]
        if en_conflit:
            raise ErreurTirage(
                "vous avez déclaré un conflit d'intérêts sur "
                + ("les candidates " if len(en_conflit) > 1 else "la candidate ")
                + ", ".join(en_conflit)
                + " : le tirage revient à une personne sans conflit qui conduit la séance."
            )
        numero = 1 + len(
            stockage.lire_journal(connexion=connexion, appel_id=appel.id, objets=[OBJET])
        )
        if numero > 1 and not raison:
            raise ErreurTirage(
                f"un tirage est déjà inscrit pour cet appel (n° {numero - 1}) et c'est lui qui "
                "fait foi : pour tirer de nouveau, écrivez la raison du nouveau tirage (elle "
                "est inscrite au journal avec lui)."
            )
        resultat = replace(
            tirer(candidates, restant, graine, appel.mode_ligne),
            graine_saisie=saisie,
            raison=raison,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    OBJET,
                    None,
                    json.dumps(resultat.enregistrement(), ensure_ascii=False),
                    appel_id=appel.id,
                )
            ],
            connexion=connexion,
        )
    return numero, resultat


def lire_tirages(*, moteur: Moteur, appel_id: str | None = None) -> list[TirageInscrit]:
    """Les tirages inscrits au journal (d'un appel, ou de tous), dans l'ordre d'écriture."""
    with moteur.connect() as connexion:
        journal = stockage.lire_journal(connexion=connexion, appel_id=appel_id, objets=[OBJET])
    return inscrits(journal)


def _appels(moteur: Moteur, ids: set[str]) -> dict[str, Appel | None]:
    """La configuration stockée de chaque appel (None : absente ou illisible)."""
    resultat: dict[str, Appel | None] = {}
    with moteur.connect() as connexion:
        for appel_id in ids:
            ligne = stockage.lire_appel(appel_id, connexion=connexion)
            try:
                resultat[appel_id] = (
                    appel_depuis_toml(ligne["configuration_toml"], f"appel « {appel_id} »")
                    if ligne
                    else None
                )
            except ValueError:
                resultat[appel_id] = None
    return resultat


def verifier(
    *, moteur: Moteur, appel_id: str | None = None, appel: Appel | None = None
) -> list[Verification]:
    """Rejoue chaque tirage inscrit (candidates, montants, graine, reste de l'enveloppe,
    mode de la ligne → ordre et gagnantes) et dit en quoi il diffère de ce qui est
    inscrit ; dit aussi non conforme un tirage dont le reste dépasse l'enveloppe de
    l'appel ou dont un montant dépasse son plafond (`tirage.rejouer`). `appel` : la
    configuration à employer ; sinon celle que la base garde pour chaque appel."""
    faits = lire_tirages(moteur=moteur, appel_id=appel_id)
    appels = (
        {t.appel_id: appel for t in faits}
        if appel is not None
        else _appels(moteur, {t.appel_id for t in faits})
    )
    return [Verification(t, tuple(t.ecarts(appels.get(t.appel_id)))) for t in faits]
