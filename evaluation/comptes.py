"""Comptes, rôles et connexion : mots de passe hachés avec argon2, verrouillage après des
échecs répétés, chaque tentative inscrite.

Les règles (qui peut quoi, quand un compte est verrouillé) sont ici ; les lectures et
écritures passent par `stockage`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from evaluation import stockage
from evaluation.formats import date as date_lisible
from evaluation.stockage import Moteur

ADMIN, PRESIDENT, EVALUATEUR, OBSERVATEUR = "admin", "president", "evaluateur", "observateur"
ROLES = (ADMIN, PRESIDENT, EVALUATEUR, OBSERVATEUR)
LIBELLES_ROLES = {
    ADMIN: "Administration (appels, importations, comptes, attributions)",
    PRESIDENT: "Présidence du comité (voit toutes les notes, consigne les décisions)",
    EVALUATEUR: "Évaluation (note les demandes qui lui sont attribuées)",
    OBSERVATEUR: "Observation (classements, portefeuille, exportations ; "
    "pas de notes individuelles)",
}
ECHECS_MAX = 5
DUREE_VERROUILLAGE = dt.timedelta(minutes=15)
LONGUEUR_MIN = 10
_COURRIEL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_hacheur = PasswordHasher()
# Haché de référence : vérifier un courriel inconnu prend le même temps qu'un vrai compte,
# si bien que la durée de la réponse ne révèle pas quels comptes existent.
_HACHE_FACTICE = _hacheur.hash("mot de passe factice pour égaliser les durées")


class ErreurCompte(ValueError):
    """Une demande sur les comptes qui ne peut pas aboutir ; le message dit pourquoi."""


@dataclass(frozen=True)
class Compte:
    courriel: str
    nom: str
    role: str
    actif: bool
    municipalite: str | None = None
    region: str | None = None

    @property
    def libelle_role(self) -> str:
        return LIBELLES_ROLES[self.role]


@dataclass(frozen=True)
class Connexion:
    """Résultat d'une tentative : le compte ouvert, ou le message à montrer."""

    compte: Compte | None
    message: str

    @property
    def reussie(self) -> bool:
        return self.compte is not None


def normaliser_courriel(courriel: str) -> str:
    texte = (courriel or "").strip().casefold()
    if not _COURRIEL.fullmatch(texte):
        raise ErreurCompte(f"adresse courriel invalide « {courriel} ».")
    return texte


def verifier_role(role: str) -> str:
    if role not in ROLES:
        raise ErreurCompte(f"rôle « {role} » inconnu : les rôles sont {', '.join(ROLES)}.")
    return role


def problemes_mot_de_passe(mot_de_passe: str) -> list[str]:
    """Ce qui ne va pas dans un mot de passe proposé (liste vide s'il convient)."""
    problemes = []
    if len(mot_de_passe) < LONGUEUR_MIN:
        problemes.append(f"au moins {LONGUEUR_MIN} caractères")
    if mot_de_passe.strip() != mot_de_passe:
        problemes.append("pas d'espace au début ni à la fin")
    return problemes


def hacher(mot_de_passe: str) -> str:
    return _hacheur.hash(mot_de_passe)


def mot_de_passe_correct(hache: str | None, mot_de_passe: str) -> bool:
    try:
        return _hacheur.verify(hache or _HACHE_FACTICE, mot_de_passe) and hache is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeError):
        return False


def verrouille_jusqu_a(echecs: list[dt.datetime], maintenant: dt.datetime) -> dt.datetime | None:
    """Fin du verrouillage si `ECHECS_MAX` échecs sont tombés dans la dernière fenêtre de
    `DUREE_VERROUILLAGE` (depuis la dernière connexion réussie), sinon None."""
    recents = sorted(e for e in echecs if maintenant - e < DUREE_VERROUILLAGE)
    if len(recents) >= ECHECS_MAX:
        return recents[-1] + DUREE_VERROUILLAGE
    return None


def _compte(ligne: dict) -> Compte:
    return Compte(
        ligne["courriel"],
        ligne["nom"] or ligne["courriel"],
        ligne["role"],
        bool(ligne["actif"]),
        ligne.get("municipalite"),
        ligne.get("region"),
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
) -> Compte:
    """Crée un compte local ; lève `ErreurCompte` (courriel, rôle, mot de passe, doublon).
    La création est journalisée au nom de `auteur` (le compte lui-même par défaut).
    `seulement_si_aucun` : refusé si un compte existe déjà (vérifié dans la transaction)."""
    courriel = normaliser_courriel(courriel)
    verifier_role(role)
    if problemes := problemes_mot_de_passe(mot_de_passe):
        raise ErreurCompte("mot de passe refusé : " + ", ".join(problemes) + ".")
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
                "nom": (nom or "").strip() or None,
                "role": role,
                "hache_mot_de_passe": hacher(mot_de_passe),
                "actif": True,
                "municipalite": municipalite,
                "region": region,
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
    return Compte(courriel, (nom or "").strip() or courriel, role, True, municipalite, region)


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


CHAMPS_MODIFIABLES = ("nom", "role", "actif", "municipalite", "region")


def modifier_compte(courriel: str, *, moteur: Moteur, auteur: str, **valeurs) -> Compte:
    """Change le nom, le rôle, l'état, la municipalité ou la région d'un compte (ces deux
    dernières servent aux conflits d'intérêts évidents) ; chaque changement est journalisé.
    Le dernier compte d'administration actif ne peut pas perdre ce rôle."""
    inconnus = set(valeurs) - set(CHAMPS_MODIFIABLES)
    if inconnus:
        raise ErreurCompte(f"champ(s) non modifiable(s) : {', '.join(sorted(inconnus))}.")
    if "role" in valeurs:
        verifier_role(valeurs["role"])
    for cle in ("nom", "municipalite", "region"):
        if cle in valeurs:
            valeurs[cle] = (valeurs[cle] or "").strip() or None
    courriel = normaliser_courriel(courriel)
    instant = stockage.maintenant()
    with stockage.ecriture(moteur, stockage.comptes) as connexion:
        ligne = stockage.lire_compte(courriel, connexion=connexion)
        if ligne is None:
            raise ErreurCompte(f"aucun compte pour {courriel}.")
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
    """Remplace le mot de passe (oubli, première connexion) ; journalisé sans la valeur."""
    if problemes := problemes_mot_de_passe(mot_de_passe):
        raise ErreurCompte("mot de passe refusé : " + ", ".join(problemes) + ".")
    courriel = normaliser_courriel(courriel)
    with stockage.ecriture(moteur, stockage.comptes) as connexion:
        if stockage.lire_compte(courriel, connexion=connexion) is None:
            raise ErreurCompte(f"aucun compte pour {courriel}.")
        stockage.modifier_compte(
            courriel, {"hache_mot_de_passe": hacher(mot_de_passe)}, connexion=connexion
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    stockage.maintenant(),
                    auteur,
                    "compte:mot_de_passe",
                    None,
                    "(changé)",
                    evaluateur=courriel,
                )
            ],
            connexion=connexion,
        )


def lister_comptes(*, moteur: Moteur) -> list[Compte]:
    with moteur.connect() as connexion:
        return [_compte(c) for c in stockage.lire_comptes(connexion=connexion)]


def desactiver_compte(
    courriel: str, *, moteur: Moteur, auteur: str = "ligne de commande"
) -> Compte:
    """Désactive un compte (il ne peut plus se connecter ; son historique reste) ;
    journalisé. Le dernier compte d'administration actif ne se désactive pas."""
    return modifier_compte(courriel, moteur=moteur, auteur=auteur, actif=False)


def authentifier(
    courriel: str,
    mot_de_passe: str,
    *,
    moteur: Moteur,
    maintenant: dt.datetime | None = None,
) -> Connexion:
    """Vérifie une connexion et l'inscrit (réussie ou non) dans la même transaction.

    Le message d'échec ne dit pas si le courriel existe ; un compte verrouillé le reste
    même avec le bon mot de passe."""
    maintenant = maintenant or stockage.maintenant()
    refus = "Courriel ou mot de passe incorrect."
    try:
        courriel = normaliser_courriel(courriel)
    except ErreurCompte:
        mot_de_passe_correct(None, mot_de_passe)
        return Connexion(None, refus)
    with stockage.ecriture(moteur, stockage.comptes) as connexion:
        ligne = stockage.lire_compte(courriel, connexion=connexion)
        echecs = stockage.echecs_depuis_derniere_reussite(courriel, connexion=connexion)
        fin = verrouille_jusqu_a(echecs, maintenant)
        if fin is not None:
            stockage.inscrire_tentative(courriel, maintenant, False, connexion=connexion)
            return Connexion(
                None,
                f"Compte verrouillé après {ECHECS_MAX} tentatives manquées : réessayez après "
                f"{fin.strftime('%H h %M')} ({date_lisible(fin.date())}) ou demandez à "
                "l'administration de vérifier votre accès.",
            )
        correct = mot_de_passe_correct(ligne["hache_mot_de_passe"] if ligne else None, mot_de_passe)
        if not correct or ligne is None:
            stockage.inscrire_tentative(courriel, maintenant, False, connexion=connexion)
            return Connexion(None, refus)
        if not ligne["actif"]:
            stockage.inscrire_tentative(courriel, maintenant, False, connexion=connexion)
            return Connexion(None, "Ce compte est désactivé : adressez-vous à l'administration.")
        stockage.inscrire_tentative(courriel, maintenant, True, connexion=connexion)
        return Connexion(_compte(ligne), "Connexion réussie.")
