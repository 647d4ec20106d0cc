"""Comptes et connexion : créer, modifier, désactiver un compte, changer un mot de passe,
authentifier (chaque tentative inscrite), et valider ce qu'une personne saisit (courriel,
nom, municipalité et région prises au répertoire).

Les rôles sont dans `socle.roles`, les règles des mots de passe (acceptable, haché,
verrouillage) dans `socle.mots_de_passe` ; les lectures et écritures passent par
`stockage`. Aucune vérification argon2 (0,1 à 0,4 s) ne se fait
dans une transaction d'écriture : elle y tiendrait le verrou de SQLite, et chaque
évaluateur qui enregistre attendrait.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

from evaluation.depot.municipalites import Municipalite, repertoire
from evaluation.depot.valeurs import ValeurIllisible, lire_neq
from evaluation.socle import stockage
from evaluation.socle.formats import date as date_lisible
from evaluation.socle.formats import heure
from evaluation.socle.mots_de_passe import (
    ECHECS_MAX,
    _invisible,
    empreinte_mot_de_passe,
    hacher,
    mot_de_passe_correct,
    problemes_mot_de_passe,
    verrouille_jusqu_a,
)
from evaluation.socle.roles import (
    ADMIN,
    EVALUATEUR,
    ROLES,
    Compte,
    Connexion,
    ErreurCompte,
)
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import normaliser, suggerer

COURRIEL_MAX = 254
_COURRIEL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _refuser_invisibles(texte: str, champ: str) -> None:
    if any(map(_invisible, texte)):
        raise ErreurCompte(
            f"{champ} : la saisie porte un caractère invisible ou de contrôle (copiée d'un "
            "autre document ?) ; tapez-la de nouveau au clavier."
        )


def _citer(texte: str) -> str:
    """Une saisie citée dans un message, coupée à 40 caractères."""
    return texte if len(texte) <= 40 else texte[:39] + "…"


def normaliser_courriel(courriel: str) -> str:
    """Le courriel en minuscules, sans espaces autour, sous une seule forme Unicode (NFKC :
    « é » composé ou non, lettres pleine chasse) ; `ErreurCompte` s'il n'en est pas un ou
    s'il porte un caractère invisible ou de contrôle (NUL compris)."""
    texte = unicodedata.normalize("NFKC", (courriel or "").strip()).casefold()
    _refuser_invisibles(texte, "adresse courriel invalide")
    if len(texte) > COURRIEL_MAX or not _COURRIEL.fullmatch(texte):
        raise ErreurCompte(
            f"adresse courriel invalide « {_citer(texte)} » : attendu nom@domaine.ca."
        )
    return texte


def nettoyer_nom(nom: str | None) -> str | None:
    """Le nom affiché, espaces ramenées à une seule ; None s'il est vide."""
    texte = " ".join((nom or "").split())
    _refuser_invisibles(texte, "nom refusé")
    if len(texte) > 200:
        raise ErreurCompte("nom trop long : 200 caractères au plus.")
    return texte or None


def verifier_role(role: str) -> str:
    if role not in ROLES:
        raise ErreurCompte(f"rôle « {role} » inconnu : les rôles sont {', '.join(ROLES)}.")
    return role


# --- Municipalité et région : toujours celles du répertoire --------------------------------


@functools.cache
def regions_du_quebec() -> dict[str, str]:
    """Les 17 régions administratives du répertoire : {code: nom}, par code."""
    return dict(sorted({(m.region_code, m.region_nom) for m in repertoire().municipalites}))


def verifier_region(region: str | None) -> str | None:
    """Le code (« 05 ») de la région donnée par son code ou son nom ; None si vide."""
    texte = (region or "").strip()
    if not texte:
        return None
    _refuser_invisibles(texte, "région refusée")
    regions = regions_du_quebec()
    if texte.isascii() and texte.isdigit() and texte.zfill(2) in regions:
        return texte.zfill(2)
    par_nom = {normaliser(nom): code for code, nom in regions.items()}
    if code := par_nom.get(normaliser(texte)):
        return code
    proche = suggerer(texte, regions.values(), seuil=0.6)
    aide = f" (vouliez-vous dire « {proche} » ?)" if proche else ""
    raise ErreurCompte(
        f"région « {_citer(texte)} » inconnue{aide} : donnez le code (01 à 17) ou le nom "
        "d'une des 17 régions administratives."
    )


def _decrire(m: Municipalite) -> str:
    return f"{m.nom_affiche} ({m.designation}, {m.region_code} {m.region_nom})"


def trouver_municipalite(saisie: str | None, region: str | None = None) -> Municipalite | None:
    """La municipalité du répertoire donnée par son nom ou son code géographique ; None si la
    saisie est vide. `region` (code valide) départage les homonymes et doit être la sienne.
    `ErreurCompte` sinon, avec le nom le plus proche ou les homonymes à départager."""
    texte = (saisie or "").strip()
    if not texte:
        return None
    _refuser_invisibles(texte, "municipalité refusée")
    rep = repertoire()
    trouvee = rep.par_code(texte) if texte.isascii() and texte.isdigit() else None
    if trouvee is None:
        reconnue = rep.reconnaitre(texte, region)
        if reconnue.ambigues:
            raise ErreurCompte(
                f"plusieurs municipalités se nomment « {_citer(texte)} » : "
                + " ; ".join(
                    f"{_decrire(m)}, code {m.code_geographique}" for m in reconnue.ambigues
                )
                + ". Précisez la région ou donnez le code géographique."
            )
        if reconnue.municipalite is None:
            proche = suggerer(texte, rep.noms, seuil=0.6)
            aide = (
                f"vouliez-vous dire « {proche} » ?"
                if proche
                else "choisissez-la dans la liste (nom officiel ou code géographique)."
            )
            raise ErreurCompte(
                f"municipalité « {_citer(texte)} » absente du répertoire des municipalités du "
                f"Québec : {aide}"
            )
        trouvee = reconnue.municipalite
    if region and trouvee.region_code != region:
        raise ErreurCompte(
            f"{_decrire(trouvee)} n'est pas dans la région {region} "
            f"{regions_du_quebec().get(region, '')} : corrigez la région ou laissez-la vide."
        )
    return trouvee


def verifier_neq(neq: object) -> str | None:
    """Le NEQ d'un compte en dix chiffres (espaces et tirets retirés) ; None si vide ;
    `ErreurCompte` sinon, avec ce qu'il faut corriger (voir `depot.valeurs.lire_neq`)."""
    if isinstance(neq, str):
        _refuser_invisibles(neq.strip(), "NEQ refusé")
    try:
        return lire_neq(neq)
    except ValeurIllisible as exc:
        raise ErreurCompte(str(exc)) from None


def municipalite_hors_repertoire(compte: Compte) -> bool:
    """Vrai pour une municipalité inscrite en texte libre par une version précédente et que
    le répertoire ne connaît pas : elle est à choisir de nouveau dans la liste."""
    if not compte.municipalite:
        return False
    region = compte.region if compte.region in regions_du_quebec() else None
    reconnue = repertoire().reconnaitre(compte.municipalite, region)
    return reconnue.municipalite is None and not reconnue.ambigues


def _lieu(valeurs: dict, ancien: dict | None = None) -> dict[str, str | None]:
    """Municipalité et région de `valeurs` vérifiées au répertoire (la municipalité sous
    son nom officiel) ; {} si `valeurs` n'en dit rien. Une municipalité égale à celle déjà
    inscrite (`ancien`) n'est pas revérifiée, sauf contre une nouvelle région : un compte
    d'une version précédente s'ouvre et se modifie sans qu'on corrige d'abord sa
    municipalité (la page la signale)."""
    ancien = ancien or {}
    if "municipalite" not in valeurs and "region" not in valeurs:
        return {}
    region = ancien.get("region")
    if "region" in valeurs:
        saisie = (valeurs["region"] or "").strip() or None
        region = saisie if saisie == ancien.get("region") else verifier_region(saisie)
    region_valide = region if region in regions_du_quebec() else None
    saisie = (valeurs.get("municipalite", ancien.get("municipalite")) or "").strip() or None
    garder = saisie is None or (
        saisie == ancien.get("municipalite")
        and (
            region == ancien.get("region")
            or municipalite_hors_repertoire(Compte("", "", EVALUATEUR, True, saisie, region))
        )
    )
    if not garder:
        saisie = trouver_municipalite(saisie, region_valide).nom_affiche
    return {"municipalite": saisie, "region": region}


# --- Mots de passe -------------------------------------------------------------------------


def _exiger_mot_de_passe_acceptable(mot_de_passe: str, *, courriel: str, nom: str | None) -> None:
    if problemes := problemes_mot_de_passe(mot_de_passe, courriel=courriel, nom=nom):
        raise ErreurCompte("mot de passe refusé : " + ", ".join(problemes) + ".")


def _fixe_par_le_titulaire(auteur: str | None, courriel: str) -> bool:
    return auteur is None or auteur.strip().casefold() == courriel


def _compte(ligne: dict) -> Compte:
    return Compte(
        ligne["courriel"],
        ligne["nom"] or ligne["courriel"],
        ligne["role"],
        bool(ligne["actif"]),
        ligne.get("municipalite"),
        ligne.get("region"),
        bool(ligne.get("mot_de_passe_provisoire")),
        empreinte_mot_de_passe(ligne.get("hache_mot_de_passe")),
        ligne.get("neq"),
    )


def creer_compte(
    courriel: str,
    role: str,
    mot_de_passe: str,
    *,
    moteur: Moteur,
    nom: str | None = None,
    municipalite: str | None = None,
    region: str | None = None,
    auteur: str | None = None,
    seulement_si_aucun: bool = False,
    neq: str | None = None,
) -> Compte:
    """Crée un compte local ; lève `ErreurCompte` (courriel, rôle, nom, municipalité ou
    région hors du répertoire, mot de passe, doublon). La création est journalisée au nom
    de `auteur` (le compte lui-même par défaut) ; un mot de passe fixé par un autre que le
    titulaire est provisoire : à changer à la première connexion. `municipalite` : nom ou
    code géographique du répertoire, inscrit sous son nom officiel.
    `seulement_si_aucun` : refusé si un compte existe déjà (vérifié dans la transaction).
    `neq` : l'organisme auquel la personne est rattachée (conflits d'intérêts évidents)."""
    courriel = normaliser_courriel(courriel)
    verifier_role(role)
    nom = nettoyer_nom(nom)
    lieu = _lieu({"region": region, "municipalite": municipalite})
    neq = verifier_neq(neq)
    _exiger_mot_de_passe_acceptable(mot_de_passe, courriel=courriel, nom=nom)
    provisoire = not _fixe_par_le_titulaire(auteur, courriel)
    hache = hacher(mot_de_passe)  # avant la transaction : argon2 n'y tient pas le verrou
    with stockage.ecriture(moteur, stockage.comptes) as connexion:
        if seulement_si_aucun and stockage.lire_comptes(connexion=connexion):
            raise ErreurCompte(
                "un compte existe déjà : connectez-vous, ou demandez un compte à l'administration."
            )
        if stockage.lire_compte(courriel, connexion=connexion):
            raise ErreurCompte(f"un compte existe déjà pour {courriel}.")
        stockage.creer_compte(
            {
                "courriel": courriel,
                "nom": nom,
                "role": role,
                "hache_mot_de_passe": hache,
                "actif": True,
                **lieu,
                "neq": neq,
                "mot_de_passe_provisoire": provisoire,
            },
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    stockage.maintenant(),
                    auteur or courriel,
                    "compte",
                    None,
                    role,
                    evaluateur=courriel,
                )
            ],
            connexion=connexion,
        )
    return Compte(
        courriel,
        nom or courriel,
        role,
        True,
        lieu["municipalite"],
        lieu["region"],
        provisoire,
        empreinte_mot_de_passe(hache),
        neq,
    )


def creer_premier_administrateur(
    courriel: str, mot_de_passe: str, *, moteur: Moteur, nom: str | None = None
) -> Compte:
    """Le compte d'administration d'une base neuve ; refusé dès qu'un compte existe (deux
    personnes qui ouvrent l'application neuve en même temps n'en créent pas deux)."""
    return creer_compte(
        courriel, ADMIN, mot_de_passe, moteur=moteur, nom=nom, seulement_si_aucun=True
    )


def trouver_compte(courriel: str, *, moteur: Moteur) -> Compte | None:
    """Le compte de ce courriel (actif ou non), ou None."""
    try:
        courriel = normaliser_courriel(courriel)
    except ErreurCompte:
        return None
    with moteur.connect() as connexion:
        ligne = stockage.lire_compte(courriel, connexion=connexion)
    return _compte(ligne) if ligne else None


def aucun_compte(*, moteur: Moteur) -> bool:
    with moteur.connect() as connexion:
        return not stockage.lire_comptes(connexion=connexion)


CHAMPS_MODIFIABLES = ("nom", "role", "actif", "municipalite", "region", "neq")


def modifier_compte(courriel: str, *, moteur: Moteur, auteur: str, **valeurs) -> Compte:
    """Change le nom, le rôle, l'état, la municipalité, la région ou l'organisme (NEQ) d'un
    compte (les trois derniers, municipalité et région prises au répertoire, servent aux
    conflits d'intérêts évidents) ; chaque
    changement est journalisé. Le dernier compte d'administration actif ne peut pas perdre
    ce rôle."""
    inconnus = set(valeurs) - set(CHAMPS_MODIFIABLES)
    if inconnus:
        raise ErreurCompte(
            ("Champ non modifiable : " if len(inconnus) == 1 else "Champs non modifiables : ")
            + ", ".join(sorted(inconnus))
            + "."
        )
    if "role" in valeurs:
        verifier_role(valeurs["role"])
    if "nom" in valeurs:
        valeurs["nom"] = nettoyer_nom(valeurs["nom"])
    if "neq" in valeurs:
        valeurs["neq"] = verifier_neq(valeurs["neq"])
    courriel = normaliser_courriel(courriel)
    instant = stockage.maintenant()
    with stockage.ecriture(moteur, stockage.comptes) as connexion:
        ligne = stockage.lire_compte(courriel, connexion=connexion)
        if ligne is None:
            raise ErreurCompte(f"aucun compte pour {courriel}.")
        valeurs.update(_lieu(valeurs, ligne))
        changes = {k: v for k, v in valeurs.items() if ligne.get(k) != v}
        perd_admin = (
            ligne["role"] == ADMIN
            and ligne["actif"]
            and (changes.get("role", ADMIN) != ADMIN or changes.get("actif", True) is False)
        )
        if perd_admin:
            autres = [
                c
                for c in stockage.lire_comptes(connexion=connexion)
                if c["role"] == ADMIN and c["actif"] and c["courriel"] != courriel
            ]
            if not autres:
                raise ErreurCompte(
                    "c'est le dernier compte d'administration actif : créez-en un autre avant."
                )
        if changes:
            stockage.modifier_compte(courriel, changes, connexion=connexion)
            stockage.inscrire_journal(
                [
                    stockage.ligne_journal(
                        instant,
                        auteur,
                        f"compte:{cle}",
                        None if ligne.get(cle) is None else str(ligne.get(cle)),
                        None if v is None else str(v),
                        evaluateur=courriel,
                    )
                    for cle, v in changes.items()
                ],
                connexion=connexion,
            )
    return _compte({**ligne, **changes})


def changer_mot_de_passe(courriel: str, mot_de_passe: str, *, moteur: Moteur, auteur: str) -> None:
    """Remplace le mot de passe ; journalisé sans la valeur. Fixé par un autre que le
    titulaire (administration, ligne de commande), il est provisoire : à changer à la
    prochaine connexion. Fixé par le titulaire, il doit différer de l'actuel."""
    courriel = normaliser_courriel(courriel)
    with moteur.connect() as connexion:
        ligne = stockage.lire_compte(courriel, connexion=connexion)
    if ligne is None:
        raise ErreurCompte(f"aucun compte pour {courriel}.")
    _exiger_mot_de_passe_acceptable(mot_de_passe, courriel=courriel, nom=ligne["nom"])
    titulaire = _fixe_par_le_titulaire(auteur, courriel)
    if titulaire and mot_de_passe_correct(ligne["hache_mot_de_passe"], mot_de_passe):
        raise ErreurCompte(
            "mot de passe refusé : c'est celui que vous avez déjà ; choisissez-en un nouveau."
        )
    hache = hacher(mot_de_passe)  # hors de la transaction d'écriture
    with stockage.ecriture(moteur, stockage.comptes) as connexion:
        if stockage.lire_compte(courriel, connexion=connexion) is None:
            raise ErreurCompte(f"aucun compte pour {courriel}.")
        stockage.modifier_compte(
            courriel,
            {"hache_mot_de_passe": hache, "mot_de_passe_provisoire": not titulaire},
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    stockage.maintenant(),
                    auteur,
                    "compte:mot_de_passe",
                    None,
                    "(changé)" if titulaire else "(provisoire)",
                    evaluateur=courriel,
                )
            ],
            connexion=connexion,
        )


def changer_son_mot_de_passe(courriel: str, actuel: str, nouveau: str, *, moteur: Moteur) -> None:
    """Le titulaire change son mot de passe : l'actuel est vérifié comme à la connexion
    (un échec compte pour le verrouillage), le nouveau suit les mêmes règles."""
    courriel = normaliser_courriel(courriel)
    compte = trouver_compte(courriel, moteur=moteur)
    if compte is None:
        raise ErreurCompte(f"aucun compte pour {courriel}.")
    _exiger_mot_de_passe_acceptable(nouveau, courriel=courriel, nom=compte.nom)
    verification = authentifier(courriel, actuel, moteur=moteur)
    if not verification.reussie:
        raise ErreurCompte(
            "mot de passe actuel incorrect : saisissez celui avec lequel vous vous connectez."
            if verification.message == _REFUS
            else verification.message
        )
    changer_mot_de_passe(courriel, nouveau, moteur=moteur, auteur=courriel)


def lister_comptes(*, moteur: Moteur) -> list[Compte]:
    with moteur.connect() as connexion:
        return [_compte(c) for c in stockage.lire_comptes(connexion=connexion)]


def desactiver_compte(
    courriel: str, *, moteur: Moteur, auteur: str = "ligne de commande"
) -> Compte:
    """Désactive un compte (il ne peut plus se connecter ; son historique reste) ;
    journalisé. Le dernier compte d'administration actif ne se désactive pas."""
    return modifier_compte(courriel, moteur=moteur, auteur=auteur, actif=False)


# --- Connexion -----------------------------------------------------------------------------

_REFUS = "Courriel ou mot de passe incorrect."


def _message_verrouille(fin: dt.datetime) -> str:
    return (
        f"Compte verrouillé après {ECHECS_MAX} tentatives manquées : réessayez après "
        f"{heure(fin)} ({date_lisible(fin.date())}) ou demandez à "
        "l'administration de vérifier votre accès."
    )


def authentifier(
    courriel: str,
    mot_de_passe: str,
    *,
    moteur: Moteur,
    maintenant: dt.datetime | None = None,
) -> Connexion:
    """Vérifie une connexion et l'inscrit, réussie ou non.

    Trois temps, pour qu'aucun évaluateur n'attende une connexion : une lecture (le compte,
    les échecs récents), la vérification argon2 hors de toute transaction, puis une courte
    transaction d'écriture qui relit les échecs et inscrit la tentative. Cette relecture,
    sérialisée avec les autres tentatives, garantit qu'une connexion ne réussit jamais
    quand `ECHECS_MAX` échecs sont inscrits dans la fenêtre : des tentatives simultanées
    peuvent faire vérifier quelques mots de passe de plus (au plus une par tentative déjà
    en cours quand tombe le dernier échec), aucune n'ouvre un compte verrouillé, et toutes
    sont inscrites.

    Le message d'échec ne dit pas si le courriel existe ; un compte verrouillé le reste
    même avec le bon mot de passe."""
    maintenant = maintenant or stockage.maintenant()
    try:
        courriel = normaliser_courriel(courriel)
    except ErreurCompte:
        mot_de_passe_correct(None, mot_de_passe)
        return Connexion(None, _REFUS)
    with moteur.connect() as connexion:
        ligne = stockage.lire_compte(courriel, connexion=connexion)
        echecs = stockage.echecs_depuis_derniere_reussite(courriel, connexion=connexion)
    verifie = False
    if verrouille_jusqu_a(echecs, maintenant) is None:
        hache = ligne["hache_mot_de_passe"] if ligne else None
        verifie = mot_de_passe_correct(hache, mot_de_passe)
    with stockage.ecriture(moteur, stockage.tentatives_connexion, versionnee=False) as connexion:
        echecs = stockage.echecs_depuis_derniere_reussite(courriel, connexion=connexion)
        fin = verrouille_jusqu_a(echecs, maintenant)
        actuelle = stockage.lire_compte(courriel, connexion=connexion) if verifie else None
        # Un mot de passe changé pendant la vérification n'ouvre plus rien.
        reussie = (
            fin is None
            and actuelle is not None
            and actuelle["hache_mot_de_passe"] == ligne["hache_mot_de_passe"]
            and bool(actuelle["actif"])
        )
        stockage.inscrire_tentative(courriel, maintenant, reussie, connexion=connexion)
    if fin is not None:
        return Connexion(None, _message_verrouille(fin))
    if reussie:
        return Connexion(_compte(actuelle), "Connexion réussie.")
    if actuelle is not None and not actuelle["actif"]:
        return Connexion(None, "Ce compte est désactivé : adressez-vous à l'administration.")
    return Connexion(None, _REFUS)
