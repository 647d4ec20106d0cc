"""Vérifier un lot de fichiers de demandes sans rien écrire : lire chaque fichier (en
sécurité, `depot.lecture`), convertir et valider chaque demande (`depot.validation`), dire
ce qui changerait pour une demande déjà stockée. `depot.importation` enregistre ensuite ce
qui est importable."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from evaluation.appels.configuration import Appel
from evaluation.depot.correspondances import TOUS_LES_FICHIERS as TOUS_LES_FICHIERS
from evaluation.depot.gabarit import libelles_champs
from evaluation.depot.lecture import FichierLu, FichierRefuse, Limites, lire_fichier
from evaluation.depot.lecture_isolee import Lancee
from evaluation.depot.lecture_isolee import noms_uniques as noms_uniques
from evaluation.depot.municipalites import Repertoire, repertoire
from evaluation.depot.validation import Identite, Verification, verifier
from evaluation.socle.champs import CHAMPS_DEMANDE
from evaluation.socle.formats import montant
from evaluation.socle.probleme import REFUS, Probleme
from evaluation.sorties.tableaux import valeur_lisible

journal = logging.getLogger(__name__)
Source = str | Path | bytes | BinaryIO | Lancee


LIMITES_PAR_DEFAUT = Limites()


@contextlib.contextmanager
def ramasse_miettes_suspendu() -> Iterator[None]:
    """Suspend le ramasse-miettes cyclique pendant un traitement en masse.

    Lire et vérifier 25 000 enregistrements crée des centaines de milliers d'objets sans
    cycle : le comptage de références les libère, et les passages répétés du ramasse-miettes
    sur les objets vivants coûtaient un cinquième du temps d'importation (mesuré par
    benchmarks/importation.py). L'état d'avant est rétabli, même en cas d'erreur."""
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()


def message_erreur(exc: BaseException) -> str:
    """L'erreur d'une importation en une phrase : pour une erreur de base de données, le
    message du serveur, sans la requête ni ses milliers de paramètres."""
    origine = getattr(exc, "orig", None) or exc
    texte = " ".join(str(origine).split())
    return f"{type(origine).__name__} : {texte[:300]}{'…' if len(texte) > 300 else ''}"


@dataclass
class Changement:
    no_demande: str
    details: list[str]


@dataclass
class RapportImportation:
    """Ce que l'importation a fait, pour la page, la ligne de commande et le journal."""

    importation_id: int | None
    avant: int
    apres: int
    creees: list[str] = field(default_factory=list)
    mises_a_jour: list[Changement] = field(default_factory=list)
    inchangees: list[str] = field(default_factory=list)
    ecartees: list[str] = field(default_factory=list)
    # Demandes purgées (conservation, issue 20) que le fichier portait : laissées telles
    # quelles ; la raison de la purge (une phrase) → leurs numéros.
    purgees: dict[str, list[str]] = field(default_factory=dict)
    nb_lignes_budget: int = 0
    lignes_valides_seulement: bool = False
    # Demandes créées sans date de dépôt dans le fichier : la date de l'importation retenue.
    depot_presume: list[str] = field(default_factory=list)
    jour: dt.date | None = None
    # Demandes déjà examinées dont un champ lu par la liste d'admissibilité a changé : leur
    # examen est rouvert (« à établir »), avec ce qui a changé.
    reouvertes: list[Changement] = field(default_factory=list)
    # Demandes venues sans numéro : créées avec le numéro que l'importation leur attribue,
    # ou reconnues (même demandeur, même titre) comme une demande déjà stockée.
    numeros_attribues: list[str] = field(default_factory=list)
    reconnues: list[str] = field(default_factory=list)
    # Correspondances de colonnes retenues pour les fichiers suivants de même forme :
    # (fichier, feuille) → en-tête → clé (vide : la correspondance précédente est effacée).
    correspondances_retenues: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)


def lire_lot(
    sources: Iterable[tuple[str, Source]],
    limites: Limites = LIMITES_PAR_DEFAUT,
    correspondances: Mapping[str, Mapping[str, str]] | None = None,
    progression: Callable[[float, str], None] | None = None,
    *,
    appel: Appel | None = None,
    memoire: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[FichierLu], list[Probleme]]:
    """Lit chaque fichier ; un fichier refusé devient un problème, les autres sont lus.

    La lecture du fichier suivant est lancée avant de traiter celui-ci : son processus de
    lecture tourne pendant ce temps (deux à la fois au plus). Une source peut être une
    lecture déjà lancée (`Lancee`, nommée comme `noms_uniques` la nommerait). `memoire` :
    les correspondances retenues par forme de fichier (`lecture.lire_fichier`)."""
    lus, refus = [], []
    sources = list(sources)
    correspondances = correspondances or {}
    noms = noms_uniques([n for n, _ in sources])
    lancees: dict[int, Lancee] = {}

    def lancer(i: int) -> None:
        if i < len(sources) and i not in lancees:
            source = sources[i][1]
            lancees[i] = source if isinstance(source, Lancee) else Lancee(noms[i], source, limites)

    try:
        for i, nom in enumerate(noms):
            lancer(i)
            lancer(i + 1)
            if progression:
                progression(i / max(len(sources), 1), f"Lecture de {nom}")
            relie = correspondances.get(nom) or correspondances.get(TOUS_LES_FICHIERS)
            lancee = lancees.pop(i)
            try:
                lus.append(lire_fichier(nom, lancee, limites, relie, appel=appel, memoire=memoire))
            except FichierRefuse as exc:
                refus.append(Probleme(exc.fichier, exc.code, exc.message, REFUS))
            except Exception:  # filet : un fichier hostile imprévu est refusé, pas fatal
                journal.info("%s : lecture impossible", nom, exc_info=True)
                refus.append(
                    Probleme(
                        nom,
                        "fichier_illisible",
                        f"{nom} : lecture impossible. Ouvrez-le dans Excel et réenregistrez-le "
                        "au format .xlsx ; si l'erreur persiste, transmettez le fichier à "
                        "l'équipe du tableau de bord.",
                        REFUS,
                    )
                )
            finally:
                lancee.abandonner()  # sans effet si la lecture est allée jusqu'au bout
    finally:
        for lancee in lancees.values():  # une exception en route : rien ne reste en marche
            lancee.abandonner()
    return lus, refus


def verifier_lot(
    sources: Iterable[tuple[str, Source]],
    appel: Appel,
    *,
    numeros_stockes: Iterable[str] = (),
    identites_stockees: Iterable[Identite] = (),
    neq_stockes: Mapping[str, Iterable[str]] | None = None,
    limites: Limites = LIMITES_PAR_DEFAUT,
    correspondances: Mapping[str, Mapping[str, str]] | None = None,
    repertoire_municipalites: Repertoire | None = None,
    progression: Callable[[float, str], None] | None = None,
    memoire: Mapping[str, Mapping[str, str]] | None = None,
) -> Verification:
    """Lit et vérifie un lot de fichiers sans rien écrire.

    Une fois le lot vérifié, les tableaux lus ne gardent plus les valeurs brutes de leurs
    lignes (chaque enregistrement a ses valeurs converties) : 50 000 demandes et leurs
    200 000 lignes de budget ne sont pas gardées deux fois en mémoire pendant l'importation.

    `identites_stockees` : (numéro, organisme, municipalité, titre, NEQ, code géographique)
    des demandes déjà stockées (`stockage.identites_demandes`), pour reconnaître une demande
    venue sans numéro et refuser qu'une ligne change le demandeur d'une demande stockée."""
    with ramasse_miettes_suspendu():
        lus, refus = lire_lot(
            sources, limites, correspondances, progression, appel=appel, memoire=memoire
        )
        if progression:
            progression(0.9, "Vérification des demandes")
        verification = verifier(
            lus,
            appel,
            repertoire_municipalites or repertoire(),
            refus,
            numeros_stockes,
            identites_stockees,
            neq_stockes,
        )
        for fichier in lus:
            for tableau in fichier.tableaux:
                tableau.enregistrements = []
        return verification


def _afficher(cle: str, valeur: object) -> str:
    texte = valeur_lisible(cle, valeur) or "(vide)"
    return texte if len(texte) <= 60 else texte[:57] + "…"


def _cle_budget(ligne: dict) -> tuple:
    return (ligne["annee"], ligne["categorie"], ligne["description"], ligne["montant"])


def differences(
    ancienne: dict,
    nouvelle: dict,
    lignes: list[dict] | None,
    champs: Iterable[str] | None = None,
    appel: Appel | None = None,
) -> list[str]:
    """Les champs qui changent, en clair (« Titre du projet : « A » → « B » ») ; `champs` :
    seulement ceux-là (tous les champs d'une demande par défaut). `appel` : les libellés dans
    les mots de son type de demandeur (« Municipalité du siège » pour un organisme)."""
    return list(champs_changes(ancienne, nouvelle, lignes, champs, appel).values())


def _dimensions_changees(avant: object, apres: object) -> dict[str, str]:
    """« dimension:<id> » → « <id> : a ; b → c » pour chaque dimension qui change ; une
    dimension vide et une dimension absente se valent."""
    avant = avant if isinstance(avant, dict) else {}
    apres = apres if isinstance(apres, dict) else {}
    details = {}
    for cle in dict.fromkeys([*avant, *apres]):
        a, b = list(avant.get(cle) or []), list(apres.get(cle) or [])
        if a != b:
            details[f"dimension:{cle}"] = (
                f"{cle} : {' ; '.join(a) or '(vide)'} → {' ; '.join(b) or '(vide)'}"
            )
    return details


def champs_changes(
    ancienne: dict,
    nouvelle: dict,
    lignes: list[dict] | None,
    champs: Iterable[str] | None = None,
    appel: Appel | None = None,
) -> dict[str, str]:
    """Comme `differences`, par champ (« lignes_budget » pour les lignes de budget)."""
    libelles = libelles_champs(appel)
    details = {}
    for cle in CHAMPS_DEMANDE if champs is None else champs:
        avant, apres = ancienne.get(cle), nouvelle.get(cle)
        if (avant in (None, "")) and (apres in (None, "")):
            continue
        if cle == "dimensions":
            details.update(_dimensions_changees(avant, apres))
        elif avant != apres:
            nom = libelles.get(cle, cle)
            details[cle] = f"{nom} : {_afficher(cle, avant)} → {_afficher(cle, apres)}"
    if lignes is not None:
        anciennes = sorted(map(_cle_budget, ancienne.get("lignes_budget", [])), key=repr)
        nouvelles = sorted(map(_cle_budget, lignes), key=repr)
        if anciennes != nouvelles:
            totaux = []
            for annee in sorted({a for a, *_ in anciennes} | {a for a, *_ in nouvelles}):
                avant = sum(m or 0 for a, _, _, m in anciennes if a == annee)
                apres = sum(m or 0 for a, _, _, m in nouvelles if a == annee)
                totaux.append(f"année {annee} : {montant(avant)} → {montant(apres)}")
            details["lignes_budget"] = (
                f"lignes de budget remplacées ({len(anciennes)} → {len(nouvelles)} lignes ; "
                + " ; ".join(totaux)
                + ")"
            )
    return details
