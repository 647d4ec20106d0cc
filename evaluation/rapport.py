"""Le rapport de vérification et d'importation, en texte, pour la ligne de commande."""

from __future__ import annotations

from collections import defaultdict

from evaluation.importation import RapportImportation
from evaluation.probleme import GRAVITES, LIBELLES_GRAVITE, Probleme
from evaluation.validation import Verification


def problemes_par_fichier(verification: Verification) -> dict[str, dict[str, list[Probleme]]]:
    """Problèmes groupés par fichier puis par gravité (refus, bloquants, avertissements...)."""
    groupes: dict[str, dict[str, list[Probleme]]] = defaultdict(lambda: defaultdict(list))
    for nom in verification.fichiers:
        groupes[nom]
    for p in verification.problemes:
        groupes[p.fichier or "(lot)"][p.severite].append(p)
    for par_gravite in groupes.values():
        for liste_p in par_gravite.values():
            liste_p.sort(key=lambda p: (p.feuille or "", p.ligne or 0, p.colonne or ""))
    return groupes


def texte_verification(verification: Verification, lignes_valides_seulement: bool = False) -> str:
    lignes = []
    groupes = problemes_par_fichier(verification)
    for fichier, par_gravite in groupes.items():
        n_demandes = sum(1 for d in verification.demandes if d.fichier == fichier)
        n_lignes = sum(1 for b in verification.lignes_budget if b.fichier == fichier)
        if par_gravite.get("refus"):
            lignes.append(f"{fichier} : fichier refusé")
        else:
            lignes.append(
                f"{fichier} : {n_demandes} demande(s), {n_lignes} ligne(s) de budget lues"
            )
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
    compte = {g: sum(1 for p in verification.problemes if p.severite == g) for g in GRAVITES}
    lignes.append(
        f"Bilan : {len(gardees)} demande(s) importable(s), {len(ecartees)} écartée(s) ; "
        f"{compte['refus']} fichier(s) refusé(s), {compte['bloquant']} problème(s) bloquant(s), "
        f"{compte['avertissement']} avertissement(s)."
    )
    if compte["refus"]:
        lignes.append("Les fichiers refusés n'ont pas été lus et ne sont pas importés.")
    if compte["bloquant"] and not lignes_valides_seulement:
        lignes.append(
            "Les fichiers qui portent un problème bloquant ne sont pas importés : corrigez-les, "
            "ou importez seulement leurs lignes valides (option --lignes-valides)."
        )
    return "\n".join(lignes)


def texte_importation(rapport: RapportImportation) -> str:
    lignes = [
        f"Importation n° {rapport.importation_id} : {len(rapport.creees)} demande(s) créée(s), "
        f"{len(rapport.mises_a_jour)} mise(s) à jour, {len(rapport.inchangees)} inchangée(s), "
        f"{len(rapport.ecartees)} écartée(s) ; {rapport.nb_lignes_budget} ligne(s) de budget "
        "enregistrée(s).",
        f"Demandes stockées pour l'appel : {rapport.avant} avant, {rapport.apres} après.",
    ]
    if rapport.lignes_valides_seulement:
        lignes.append("Choix enregistré : seules les lignes valides ont été importées.")
    for c in rapport.mises_a_jour:
        lignes.append(f"  {c.no_demande} :")
        lignes.extend(f"    - {d}" for d in c.details)
    if rapport.ecartees:
        lignes.append("Écartées : " + ", ".join(rapport.ecartees))
    return "\n".join(lignes)
