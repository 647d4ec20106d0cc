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
) -> Compte:
    """Crée un compte local ; lève `ErreurCompte` (courriel, rôle, mot de passe, doublon)."""
    courriel = normaliser_courriel(courriel)
    verifier_role(role)
    if problemes := problemes_mot_de_passe(mot_de_passe):
        raise ErreurCompte("mot de passe refusé : " + ", ".join(problemes) + ".")
    with moteur.begin() as connexion:
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
    return Compte(courriel, (nom or "").strip() or courriel, role, True, municipalite, region)


def lister_comptes(*, moteur: Moteur) -> list[Compte]:
    with moteur.connect() as connexion:
        return [_compte(c) for c in stockage.lire_comptes(connexion=connexion)]


def desactiver_compte(courriel: str, *, moteur: Moteur) -> Compte:
    """Désactive un compte (il ne peut plus se connecter ; son historique reste)."""
    courriel = normaliser_courriel(courriel)
    with moteur.begin() as connexion:
        ligne = stockage.lire_compte(courriel, connexion=connexion)
        if ligne is None:
            raise ErreurCompte(f"aucun compte pour {courriel}.")
        stockage.modifier_compte(courriel, {"actif": False}, connexion=connexion)
    return _compte({**ligne, "actif": False})


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
    with moteur.begin() as connexion:
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
