"""Le rapport de vérification et d'importation, en texte, pour la ligne de commande."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from evaluation.depot.validation import Verification
from evaluation.depot.verification import RapportImportation
from evaluation.socle.formats import date, pluriel
from evaluation.socle.probleme import (
    AVERTISSEMENT,
    BLOQUANT,
    GRAVITES,
    INFORMATION,
    LIBELLES_GRAVITE,
    REFUS,
    Probleme,
)
from evaluation.socle.texte import normaliser


def problemes_par_fichier(verification: Verification) -> dict[str, dict[str, list[Probleme]]]:
    """Problèmes groupés par fichier puis par gravité (refus, bloquants, avertissements...)."""
    groupes: dict[str, dict[str, list[Probleme]]] = defaultdict(lambda: defaultdict(list))
    for nom in verification.fichiers:
        groupes[nom]
    for p in verification.problemes:
        groupes[p.fichier or "(lot)"][p.severite].append(p)
    for par_gravite in groupes.values():
        for liste_p in par_gravite.values():
            liste_p.sort(key=_ordre)
    return groupes


def _ordre(p: Probleme) -> tuple:
    """Demandes avant Budget, puis dans l'ordre des lignes du fichier."""
    budget = normaliser(p.feuille or "").startswith("budget")
    return (budget, p.feuille or "", p.ligne or 0, p.colonne or "")


def resume_fichier(verification: Verification, fichier: str, par_gravite) -> str:
    """« 3 demandes · 8 lignes de budget · 1 problème bloquant · 2 avertissements »."""
    if par_gravite.get(REFUS):
        return "fichier refusé"
    n_demandes = sum(1 for d in verification.demandes if d.fichier == fichier)
    n_lignes = sum(1 for b in verification.lignes_budget if b.fichier == fichier)
    parties = [pluriel(n_demandes, "demande"), pluriel(n_lignes, "ligne", "lignes") + " de budget"]
    for gravite, (un, plusieurs) in _NOMS_GRAVITE.items():
        if par_gravite.get(gravite):
            parties.append(pluriel(len(par_gravite[gravite]), un, plusieurs))
    return " · ".join(parties)


_NOMS_GRAVITE = {
    BLOQUANT: ("problème bloquant", "problèmes bloquants"),
    AVERTISSEMENT: ("avertissement", "avertissements"),
    INFORMATION: ("information", "informations"),
}


def compter(verification: Verification) -> dict[str, int]:
    """Nombre de problèmes de chaque gravité."""
    compte = dict.fromkeys(GRAVITES, 0)
    for p in verification.problemes:
        compte[p.severite] += 1
    return compte


def purgees_du_lot(
    verification: Verification, lignes_valides_seulement: bool, purgees: Collection[str]
) -> list[str]:
    """Les numéros des demandes gardées par la vérification que la base porte déjà, purgées
    (`stockage.demandes_purgees`) : l'importation les laisse telles quelles (un fichier ne
    fait pas revenir des renseignements retirés), elles ne sont donc pas importables."""
    gardees, _ = verification.selection(lignes_valides_seulement)
    return [d.no_demande for d in gardees if d.no_demande in purgees]


def texte_verification(
    verification: Verification,
    lignes_valides_seulement: bool = False,
    purgees: Collection[str] = (),
) -> str:
    """Le rapport d'une vérification ; `purgees` : les numéros des demandes purgées de
    l'appel, comptées à part au bilan (« purgée laissée telle quelle »), pas importables."""
    lignes = []
    groupes = problemes_par_fichier(verification)
    for fichier, par_gravite in groupes.items():
        lignes.append(f"{fichier} : {resume_fichier(verification, fichier, par_gravite)}")
        for gravite in GRAVITES:
            liste_p = par_gravite.get(gravite, [])
            if not liste_p:
                continue
            lignes.append(f"  {LIBELLES_GRAVITE[gravite]} ({len(liste_p)})")
            for p in liste_p:
                lieu = p.emplacement
                lignes.append(f"    - {lieu + ' : ' if lieu else ''}{p.message}")
    gardees, _ = verification.selection(lignes_valides_seulement)
    ecartees = verification.ecartees(lignes_valides_seulement)
    a_part = purgees_du_lot(verification, lignes_valides_seulement, purgees)
    compte = compter(verification)
    importables = len(gardees) - len(a_part)
    lignes.append(
        f"Bilan : {pluriel(importables, 'demande importable', 'demandes importables')}, "
        + (
            pluriel(len(a_part), "purgée laissée telle quelle", "purgées laissées telles quelles")
            + ", "
            if a_part
            else ""
        )
        + f"{pluriel(len(ecartees), 'écartée')} ; "
        f"{pluriel(compte[REFUS], 'fichier refusé', 'fichiers refusés')}, "
        f"{pluriel(compte[BLOQUANT], *_NOMS_GRAVITE[BLOQUANT])}, "
        f"{pluriel(compte[AVERTISSEMENT], *_NOMS_GRAVITE[AVERTISSEMENT])}."
    )
    if a_part:
        lignes.append(
            f"Purgées dans la base ({', '.join(a_part)}) : leurs renseignements personnels ont "
            "été retirés à la fin de la conservation ; l'importation les laissera telles "
            "quelles."
        )
    if compte[REFUS]:
        lignes.append("Les fichiers refusés n'ont pas été lus et ne sont pas importés.")
    if compte[BLOQUANT] and not lignes_valides_seulement:
        lignes.append(
            "Les fichiers qui portent un problème bloquant ne sont pas importés : corrigez-les, "
            "ou importez seulement leurs lignes valides (option --lignes-valides)."
        )
    return "\n".join(lignes)


def resume_importation(rapport: RapportImportation) -> str:
    """« 3 demandes créées, 1 mise à jour, 0 inchangée, 0 écartée ; 8 lignes de budget
    écrites » (les lignes inchangées ne sont pas réécrites). Les demandes purgées que le
    fichier portait ne sont pas des écartées (le fichier les disait importables) : elles se
    comptent à part, « 80 purgées laissées telles quelles »."""
    return (
        f"{pluriel(len(rapport.creees), 'demande créée', 'demandes créées')}, "
        f"{pluriel(len(rapport.mises_a_jour), 'mise à jour', 'mises à jour')}, "
        f"{pluriel(len(rapport.inchangees), 'inchangée')}, "
        f"{pluriel(len(rapport.ecartees), 'écartée')}"
        + (
            ", "
            + pluriel(
                _nb_purgees(rapport),
                "purgée laissée telle quelle",
                "purgées laissées telles quelles",
            )
            if rapport.purgees
            else ""
        )
        + " ; "
        f"{pluriel(rapport.nb_lignes_budget, 'ligne de budget écrite', 'lignes de budget écrites')}"
    )


def _nb_purgees(rapport: RapportImportation) -> int:
    return sum(len(n) for n in rapport.purgees.values())


def texte_purgees(rapport: RapportImportation) -> str | None:
    """Les demandes purgées que le fichier portait, une phrase par raison, avec leurs
    numéros (None : aucune)."""
    if not rapport.purgees:
        return None
    phrases = []
    for motif, numeros in rapport.purgees.items():
        seule = len(numeros) == 1
        phrases.append(
            f"{pluriel(len(numeros), 'demande purgée', 'demandes purgées')} laissée"
            + ("" if seule else "s")
            + f" telle{'' if seule else 's'} quelle{'' if seule else 's'} ({motif}) : "
            + ("elle ne se réimporte pas" if seule else "elles ne se réimportent pas")
            + " et les coordonnées ne reviennent pas. Numéros : "
            + ", ".join(numeros)
            + "."
        )
    return "\n".join(p[0].upper() + p[1:] for p in phrases)


def texte_depot_presume(rapport: RapportImportation) -> str | None:
    """Ce que l'importation a retenu comme date de dépôt quand le fichier n'en donnait pas :
    la sienne, marquée présumée (None : chaque demande créée avait la sienne)."""
    if not rapport.depot_presume:
        return None
    n = len(rapport.depot_presume)
    jour = f" ({date(rapport.jour)})" if rapport.jour else ""
    return (
        f"Date de dépôt absente du fichier pour {pluriel(n, 'demande créée', 'demandes créées')}"
        f" : la date de l'importation{jour} a été retenue, marquée présumée ; elle n'est "
        "jamais comptée comme un retard, mais le dépôt est « à vérifier » s'il est postérieur "
        "à la date limite. Réimportez avec la colonne « Date de dépôt » pour les dates réelles : "
        + ", ".join(rapport.depot_presume[:20])
        + (f" et {pluriel(n - 20, 'autre')}." if n > 20 else ".")
    )


def texte_numeros(rapport: RapportImportation) -> str | None:
    """Les numéros que l'importation a attribués aux demandes venues sans numéro, et les
    demandes reconnues comme déjà stockées (None : toutes avaient leur numéro)."""
    parties = []
    for quoi, liste in (
        (
            "Numéro attribué à l'importation (le fichier n'en donnait pas)",
            rapport.numeros_attribues,
        ),
        (
            "Demande sans numéro reconnue comme déjà importée (même demandeur, même titre), "
            "mise à jour sous son numéro",
            rapport.reconnues,
        ),
    ):
        if liste:
            parties.append(
                f"{quoi} : "
                + " ; ".join(liste[:20])
                + (f" et {pluriel(len(liste) - 20, 'autre')}." if len(liste) > 20 else ".")
            )
    return "\n".join(parties) or None


def texte_reouvertes(rapport: RapportImportation) -> str | None:
    """Les demandes dont l'examen d'admissibilité a été rouvert (None : aucune)."""
    if not rapport.reouvertes:
        return None
    n = len(rapport.reouvertes)
    return (
        f"Examen d'admissibilité rouvert pour {pluriel(n, 'demande')} (un champ que la liste "
        "lit a changé) : elles sont « à établir » jusqu'à ce que l'analyste les réexamine "
        "(page Admissibilité). "
        + " ; ".join(f"{c.no_demande} : {', '.join(c.details)}" for c in rapport.reouvertes[:20])
        + (f" et {pluriel(n - 20, 'autre')}." if n > 20 else ".")
    )


def texte_importation(rapport: RapportImportation) -> str:
    lignes = [
        f"Importation n° {rapport.importation_id} : {resume_importation(rapport)}.",
        f"Demandes stockées pour l'appel : {rapport.avant} avant, {rapport.apres} après.",
    ]
    if rapport.lignes_valides_seulement:
        lignes.append("Choix enregistré : seules les lignes valides ont été importées.")
    for c in rapport.mises_a_jour:
        lignes.append(f"  {c.no_demande} :")
        lignes.extend(f"    - {d}" for d in c.details)
    if rapport.ecartees:
        lignes.append("Écartées : " + ", ".join(rapport.ecartees))
    if purgees := texte_purgees(rapport):
        lignes.append(purgees)
    if numeros := texte_numeros(rapport):
        lignes.append(numeros)
    if presume := texte_depot_presume(rapport):
        lignes.append(presume)
    if reouvertes := texte_reouvertes(rapport):
        lignes.append(reouvertes)
    return "\n".join(lignes)
