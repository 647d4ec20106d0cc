"""Créer, modifier, archiver un appel : sa configuration est une donnée (le même TOML que
les fichiers de donnees/appels/), gardée dans la base, jamais du code.

Une fois des évaluations stockées, les critères (identifiants, libellés, minimums) et
l'échelle ne changent plus : des notes déjà données perdraient leur sens. Les poids, eux,
changent encore : le changement est adopté comme pondération (la dernière compte pour le
classement) et journalisé.

Chaque réglage qui dit sa source (`reglages.REGLAGES_SOURCES` : poids, seuil, départage,
plafonds, enveloppes, catégories de dépenses admissibles et non admissibles…) est fixé
avant la notation : après la première évaluation soumise, enregistrer une configuration où
l'un d'eux change demande une raison écrite et la confirmation explicite de
l'administration (`reglages.refus_changement_reglages`, chaque réglage nommé). Chaque
réglage changé est journalisé (« reglage:<chemin> », avant → après, la raison), les poids
sous « poids:<critère> » avec la raison de la pondération. Un réglage « appel » changé
devient « à confirmer » (voir `appels.reglages`).
"""

from __future__ import annotations

import datetime as dt

from evaluation.appels.configuration import (
    Appel,
    ErreurAppel,
    appel_depuis_toml,
    appels_fournis,
    charger_appel,
)
from evaluation.appels.edition import (
    ParametresPerimes,
    ParametresRefuses,
    ecarts,
    verifier_identifiant,
)
from evaluation.appels.reglages import (
    APPEL,
    VALEUR_CITEE,
    changements,
    refus_changement_reglages,
)
from evaluation.depot.gabarit import conflits_dimensions
from evaluation.socle import stockage
from evaluation.socle.concurrence import Changement, verifier_version
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import trop_long


def version_stockee(appel_id: str, *, moteur: Moteur) -> int:
    """La version de la configuration stockée (0 : appel pas encore enregistré), à rendre à
    `enregistrer` pour ne pas écraser une modification faite entre-temps."""
    with moteur.connect() as connexion:
        existant = stockage.lire_appel(appel_id, connexion=connexion)
    return int(existant["version"]) if existant else 0


def _changements(appel_id: str, version: int, connexion) -> list[Changement]:
    noms = stockage.noms_des_comptes(connexion=connexion)
    par_version: dict[int, list[dict]] = {}
    for ligne in stockage.journal_depuis_version(version, connexion=connexion, appel_id=appel_id):
        par_version.setdefault(ligne["version"], []).append(ligne)
    return [
        Changement(
            groupe[0]["date"],
            noms.get(groupe[0]["auteur"], groupe[0]["auteur"]),
            " ; ".join(
                g["nouveau"]
                if g["objet"] == "parametres"
                else f"{g['objet'].replace(':', ' ')} {g['ancien'] or ''} → {g['nouveau']}"
                for g in groupe
            ),
        )
        for _, groupe in sorted(par_version.items())
    ]


def enregistrer(
    texte: str,
    *,
    moteur: Moteur,
    auteur: str,
    creation: bool = False,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
    raison: str = "",
    confirmer: bool = False,
) -> Appel:
    """Valide `texte` (TOML d'un appel) et l'enregistre dans la base, en une transaction.

    `creation` : l'identifiant ne doit pas déjà exister. Lève `ErreurAppel` (configuration
    invalide, chaque erreur nommée) ou `ParametresRefuses` (état de l'appel).
    `version_attendue` (voir `version_stockee`) : `ParametresPerimes` si la configuration a
    changé depuis que la page l'a lue.

    Un réglage sourcé (poids, seuil, plafonds, catégories de dépenses…) qui change après
    la première évaluation soumise demande `raison` et `confirmer`
    (`reglages.refus_changement_reglages`) ; sinon `ParametresRefuses`, chaque réglage
    changé nommé."""
    if long := trop_long(raison, "La raison du changement de réglage"):
        raise ParametresRefuses(long)
    raison = raison.strip()
    appel = appel_depuis_toml(texte, "configuration de l'appel")
    if conflits := conflits_dimensions(appel):
        raise ErreurAppel("configuration de l'appel", conflits)
    verifier_identifiant(appel.id)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.appels, stockage.confirmations_reglages) as connexion:
        existant = stockage.lire_appel(appel.id, connexion=connexion)
        verifier_version(
            f"La configuration de l'appel « {appel.id} »",
            existant["version"] if existant else 0,
            version_attendue,
            lambda: _changements(appel.id, version_attendue, connexion),
            feminin=True,
            erreur=ParametresPerimes,
        )
        version = existant["version"] + 1 if existant else 1
        lignes = []
        ancien = None
        if existant is None:
            lignes.append(
                stockage.ligne_journal(
                    instant, auteur, "appel", None, "créé", appel_id=appel.id, version=version
                )
            )
            # Un appel livré s'utilise (importé, noté) avant d'être enregistré : son premier
            # enregistrement se compare au fichier livré.
            ancien = None if creation else _appel_livre(appel.id)
        elif creation:
            raise ParametresRefuses(
                f"un appel « {appel.id} » existe déjà : choisissez un autre identifiant."
            )
        elif existant["archive"]:
            raise ParametresRefuses(
                f"l'appel « {appel.id} » est archivé : désarchivez-le avant de le modifier."
            )
        else:
            ancien = appel_depuis_toml(existant["configuration_toml"], f"appel « {appel.id} »")
        if ancien is not None:
            e = ecarts(ancien, appel)
            if e.aucun and existant is not None:
                return appel
            if e.structure and stockage.compter_evaluations(appel.id, connexion=connexion):
                raise ParametresRefuses(
                    "des évaluations sont déjà stockées pour cet appel : "
                    + " ; ".join(e.structure)
                    + " ne peuvent plus changer (les poids, oui, avec une raison). "
                    "Rien n'est enregistré."
                )
            changes = changements(ancien, appel)
            soumises = (
                stockage.compter_evaluations_soumises(appel.id, connexion=connexion)
                if changes or e.poids
                else 0
            )
            if refus := refus_changement_reglages(soumises, changes, raison, confirmer):
                raise ParametresRefuses(refus)
            _valeurs_citees(appel.id, changes, instant, connexion)
            lignes += [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    f"reglage:{c.chemin}",
                    c.avant,
                    c.apres + (f" (raison : {raison})" if raison else ""),
                    appel_id=appel.id,
                    version=version,
                )
                for c in changes
                if not c.poids
            ]
            if e.poids:
                en_vigueur = dict(ancien.poids)
                if adoptee := stockage.lire_ponderation(appel.id, connexion=connexion):
                    en_vigueur.update(
                        {k: float(v) for k, v in adoptee["poids"].items() if k in en_vigueur}
                    )
                stockage.ajouter_ponderation(
                    {
                        "appel_id": appel.id,
                        "poids": appel.poids,
                        "date": instant,
                        "auteur": auteur,
                        "raison": raison or None,
                        "poids_avant": en_vigueur,
                        "apres_notation": soumises > 0,
                    },
                    connexion=connexion,
                )
                if raison:
                    lignes.append(
                        stockage.ligne_journal(
                            instant,
                            auteur,
                            "ponderation:raison",
                            None,
                            raison,
                            appel_id=appel.id,
                            version=version,
                        )
                    )
                lignes += [
                    stockage.ligne_journal(
                        instant,
                        auteur,
                        f"poids:{cid}",
                        f"{a:g}",
                        f"{n:g}",
                        appel_id=appel.id,
                        version=version,
                    )
                    for cid, (a, n) in e.poids.items()
                ]
            if e.sections:
                lignes.append(
                    stockage.ligne_journal(
                        instant,
                        auteur,
                        "parametres",
                        ", ".join(e.sections),
                        " ; ".join(e.valeurs)[:4000],
                        appel_id=appel.id,
                        version=version,
                    )
                )
        stockage.enregistrer_appel(appel, connexion=connexion)
        stockage.inscrire_journal(lignes, connexion=connexion)
    return appel


def _appel_livre(appel_id: str) -> Appel | None:
    """L'appel livré (donnees/appels/) de cet identifiant, s'il y en a un."""
    return next((a for a in map(charger_appel, appels_fournis()) if a.id == appel_id), None)


def _valeurs_citees(appel_id: str, changes, instant: dt.datetime, connexion) -> None:
    """Garde la valeur citée de chaque réglage « appel » changé (voir `appels.reglages`) :
    la valeur d'avant, à sa première modification ; la nouvelle, quand la source vient
    d'être déclarée « appel »."""
    deja = stockage.lire_confirmations(appel_id, connexion=connexion)
    lignes = []
    for c in changes:
        if c.nouveau is None or c.nouveau.source is None or c.nouveau.source.source != APPEL:
            continue
        etait_appel = c.ancien is not None and c.ancien.source and c.ancien.source.source == APPEL
        if etait_appel and c.chemin in deja:
            continue  # déjà modifié une fois : la valeur citée (ou confirmée) est gardée
        cite = c.ancien if etait_appel else c.nouveau
        lignes.append(
            {
                "appel_id": appel_id,
                "chemin": c.chemin,
                "empreinte": cite.empreinte,
                "date": instant,
                "auteur": VALEUR_CITEE,
            }
        )
    stockage.ajouter_confirmations(lignes, connexion=connexion)


def archiver(appel_id: str, archive: bool, *, moteur: Moteur, auteur: str) -> None:
    """Archive (ou rouvre) un appel stocké ; journalisé."""
    with stockage.ecriture(moteur, stockage.appels) as connexion:
        existant = stockage.lire_appel(appel_id, connexion=connexion)
        if existant is None:
            raise ParametresRefuses(f"l'appel « {appel_id} » n'est pas enregistré.")
        if bool(existant["archive"]) == archive:
            return
        stockage.marquer_archive(appel_id, archive, connexion=connexion)
        etat = ("ouvert", "archivé")
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    stockage.maintenant(),
                    auteur,
                    "archive",
                    etat[not archive],
                    etat[archive],
                    appel_id=appel_id,
                )
            ],
            connexion=connexion,
        )


def importer_toml(
    contenu: bytes,
    nom_fichier: str,
    *,
    moteur: Moteur,
    auteur: str,
    raison: str = "",
    confirmer: bool = False,
) -> tuple[Appel, bool]:
    """Un fichier TOML téléversé ou passé en ligne de commande : (appel, créé ?). Crée
    l'appel ou modifie celui de même identifiant, aux mêmes conditions que la page."""
    try:
        texte = contenu.decode("utf-8")
    except UnicodeDecodeError:
        raise ErreurAppel(
            nom_fichier, ["le fichier n'est pas en UTF-8 : enregistrez-le en UTF-8."]
        ) from None
    identifiant = appel_depuis_toml(texte, nom_fichier).id
    with moteur.connect() as connexion:
        nouveau = stockage.lire_appel(identifiant, connexion=connexion) is None
    appel = enregistrer(
        texte,
        moteur=moteur,
        auteur=auteur,
        raison=raison,
        confirmer=confirmer,
    )
    return appel, nouveau


# --- Le formulaire de la page : tableaux édités ↔ sections du TOML ------------------------
