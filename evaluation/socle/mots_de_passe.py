"""Les mots de passe, en règles pures : ce qu'est un mot de passe acceptable (longueur,
zxcvbn, ni le nom ni le courriel), le hachage argon2 et sa vérification, le verrouillage
après des échecs répétés, l'empreinte qui termine les sessions ouvertes avant un
changement. `socle.comptes` s'en sert pour créer, modifier et authentifier."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import threading
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from evaluation.socle.texte import normaliser, sans_accents

ECHECS_MAX = 5


DUREE_VERROUILLAGE = dt.timedelta(minutes=15)


LONGUEUR_MIN = 12


LONGUEUR_MAX = 128


# Score zxcvbn minimal (0 à 4) : 4 = plus de 10¹⁰ essais pour le deviner, calculé sur la
# lecture la plus faible du mot de passe (sans accents, mots collés) ; 3 laissait passer
# « Québec2024!Québec », « Summer2024!!! » et « mot de passe de test ».
SCORE_MIN = 4


# Les séparateurs d'une phrase de passe : zxcvbn compte chaque espace comme un caractère
# aléatoire, et une phrase de mots courants (« mot de passe de test ») lui paraît forte.
_SEPARATEURS = re.compile(r"[\s\-_.]+")


_hacheur = PasswordHasher()


# Mots que zxcvbn (dictionnaires anglais) ne connaît pas mais qu'un attaquant essaierait
# d'abord ici ; ajoutés aux parties du nom et du courriel de la personne.
_MOTS_COURANTS = (
    "motdepasse", "bonjour", "bienvenue", "soleil", "amour", "secret", "quebec", "montreal",
    "laval", "gatineau", "sherbrooke", "canadiens", "nordiques", "hiver", "printemps",
    "automne", "chocolat", "liberte", "famille", "maison", "evaluation", "evaluateur",
    "ministere", "municipalite", "gouvernement", "programme", "comite", "azerty", "qwerty",
    "de", "du", "des", "la", "le", "les", "un", "une", "et", "mon", "ma", "mes",
    "mot", "passe", "motdepasse", "test", "essai", "admin", "administrateur", "paivmq",
    "internationalisation", "demande", "ville", "canada", "ete", "summer", "hockey",
)  # fmt: skip


# Substitutions l33t : « Tr3mbl@y » cache « tremblay ».
_LEET = str.maketrans({"@": "a", "4": "a", "3": "e", "0": "o", "$": "s", "5": "s", "7": "t"})


# zxcvbn range les mots de la personne dans un dictionnaire global du module : deux
# vérifications en même temps (deux sessions) se mélangeraient sans ce verrou.
_verrou_zxcvbn = threading.Lock()


@functools.cache
def _hache_factice() -> str:
    """Haché de référence, calculé au premier besoin (pas à l'importation : chaque commande
    le paierait) : vérifier un courriel inconnu prend le même temps qu'un vrai compte, si
    bien que la durée de la réponse ne révèle pas quels comptes existent."""
    return _hacheur.hash("mot de passe factice pour égaliser les durées")


def _invisible(caractere: str) -> bool:
    """Caractère de contrôle (NUL, tabulation…), de format (espace sans chasse, marque de
    direction), de substitution ou non attribué : jamais voulu dans un courriel ni un nom."""
    return unicodedata.category(caractere)[0] == "C" or caractere in "\u2028\u2029"


EXIGENCES_MOT_DE_PASSE = (
    f"Au moins {LONGUEUR_MIN} caractères, sans votre nom ni votre courriel, difficile à "
    "deviner : une phrase de quatre mots ou plus sans lien entre eux convient "
    "(« girafe radio tempête cerise »)."
)


_CONSEIL = "choisissez plutôt quatre mots ou plus sans lien entre eux"


# Ce que zxcvbn a reconnu dans un mot de passe faible, dit en français (ses propres
# messages sont en anglais et ne sont jamais montrés).
_MOTIFS = {
    "passwords": "un mot de passe courant",
    "user_inputs": "un mot trop courant ici (ville, « motdepasse », nom du programme)",
    "dictionnaire": "un mot du dictionnaire ou un prénom",
    "l33t": "des lettres remplacées par des chiffres ou des symboles (p@ssw0rd)",
    "spatial": "une suite de touches du clavier (azerty, qwerty)",
    "repeat": "des caractères répétés (aaaa, abcabc)",
    "sequence": "une suite (abcd, 1234)",
    "date": "une date ou une année",
}


_DOMAINES_GENERIQUES = {"com", "org", "net", "gouv", "info"}


def _parties_personnelles(courriel: str | None, nom: str | None) -> list[str]:
    """Les morceaux du courriel et du nom (3 caractères ou plus, sans accents)."""
    morceaux = normaliser(f"{courriel or ''} {nom or ''}").split()
    return sorted({m for m in morceaux if len(m) >= 3 and m not in _DOMAINES_GENERIQUES})


def _tire_du_nom_ou_du_courriel(mot_de_passe: str, courriel: str | None, nom: str | None) -> bool:
    """Vrai si le mot de passe contient le nom entier ou la partie locale du courriel, ou
    s'il ne reste presque rien (moins de 6 lettres) une fois ôtés les morceaux du nom et du
    courriel, les chiffres et la ponctuation (« marie.cote2024 », « Tremblay-Marie-1 »)."""
    return any(_tire_de(compact, courriel, nom) for compact in _lectures(mot_de_passe))


def _lectures(mot_de_passe: str) -> set[str]:
    """Le mot de passe tel qu'un attaquant le décline : compacté sans accents, puis ses
    substitutions l33t (« 1 » pour « i » ou pour « l »), et chacune à l'envers."""
    brut = mot_de_passe.casefold()
    formes = {brut, brut.translate(_LEET)}
    formes |= {f.replace("1", "i") for f in formes} | {f.replace("1", "l") for f in formes}
    compacts = {normaliser(f).replace(" ", "") for f in formes}
    return compacts | {c[::-1] for c in compacts}


def _tire_de(compact: str, courriel: str | None, nom: str | None) -> bool:
    entiers = [normaliser((courriel or "").split("@")[0]), normaliser(nom)]
    if any(len(e.replace(" ", "")) >= 4 and e.replace(" ", "") in compact for e in entiers):
        return True
    parties = _parties_personnelles(courriel, nom)
    if not parties:
        return False
    reste = compact
    for partie in sorted(parties, key=len, reverse=True):
        reste = reste.replace(partie, "")
    return len(re.sub(r"[^a-z]", "", reste)) < 6 and reste != compact


def _motifs_faibles(mot_de_passe: str, mots: list[str]) -> tuple[int, list[str]]:
    """Score zxcvbn (0 à 4) et ce qui le rend faible, en français."""
    from zxcvbn import zxcvbn  # importé au besoin : la ligne de commande démarre sans lui

    # Aussi sans accents : « Montréal1234! » est « montreal1234! » pour qui le devine, et
    # les dictionnaires de zxcvbn n'ont pas d'accents.
    with _verrou_zxcvbn:
        resultats = [
            zxcvbn(forme[:72], user_inputs=mots)
            for forme in dict.fromkeys(
                (
                    mot_de_passe,
                    sans_accents(mot_de_passe),
                    _SEPARATEURS.sub("", sans_accents(mot_de_passe)),
                )
            )
        ]
    resultat = min(resultats, key=lambda r: r["score"])
    motifs = []
    for morceau in resultat["sequence"]:
        genre = morceau["pattern"]
        if genre == "dictionary":
            if morceau.get("l33t"):
                genre = "l33t"
            else:
                source = morceau.get("dictionary_name")
                genre = source if source in _MOTIFS else "dictionnaire"
        elif genre == "regex":
            genre = "date"
        if genre in _MOTIFS and _MOTIFS[genre] not in motifs:
            motifs.append(_MOTIFS[genre])
    return resultat["score"], motifs


def problemes_mot_de_passe(
    mot_de_passe: str, *, courriel: str | None = None, nom: str | None = None
) -> list[str]:
    """Ce qui ne va pas dans un mot de passe proposé pour le compte `courriel` de nom `nom`
    (liste vide s'il convient), chaque point disant quoi faire."""
    problemes = []
    if len(mot_de_passe) < LONGUEUR_MIN:
        problemes.append(
            f"au moins {LONGUEUR_MIN} caractères (une phrase de quatre mots ou plus se "
            "retient facilement)"
        )
    if len(mot_de_passe) > LONGUEUR_MAX:
        problemes.append(f"au plus {LONGUEUR_MAX} caractères")
    if mot_de_passe.strip() != mot_de_passe:
        problemes.append("pas d'espace au début ni à la fin")
    if any(map(_invisible, mot_de_passe)):
        problemes.append("aucun caractère invisible ou de contrôle (saisissez-le au clavier)")
    if _tire_du_nom_ou_du_courriel(mot_de_passe, courriel, nom):
        problemes.append("sans votre nom ni votre adresse courriel")
    if problemes:
        return problemes
    parties = _parties_personnelles(courriel, nom)
    entiers = [normaliser(x).replace(" ", "") for x in ((courriel or "").split("@")[0], nom)]
    score, motifs = _motifs_faibles(mot_de_passe, [*parties, *entiers, *_MOTS_COURANTS])
    if score < SCORE_MIN:
        trouve = f" : il contient {' et '.join(motifs)}" if motifs else ""
        problemes.append(f"plus difficile à deviner{trouve} ; {_CONSEIL}")
    return problemes


def hacher(mot_de_passe: str) -> str:
    return _hacheur.hash(mot_de_passe)


def mot_de_passe_correct(hache: str | None, mot_de_passe: str) -> bool:
    try:
        return _hacheur.verify(hache or _hache_factice(), mot_de_passe) and hache is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeError):
        return False


def verrouille_jusqu_a(echecs: list[dt.datetime], maintenant: dt.datetime) -> dt.datetime | None:
    """Fin du verrouillage si `ECHECS_MAX` échecs sont tombés dans la dernière fenêtre de
    `DUREE_VERROUILLAGE` (depuis la dernière connexion réussie), sinon None."""
    recents = sorted(e for e in echecs if maintenant - e < DUREE_VERROUILLAGE)
    if len(recents) >= ECHECS_MAX:
        return recents[-1] + DUREE_VERROUILLAGE
    return None


def empreinte_mot_de_passe(hache: str | None) -> str:
    """Une empreinte courte du haché (jamais le haché lui-même) : change avec le mot de
    passe, si bien qu'une session ouverte avant le changement se reconnaît."""
    return hashlib.sha256(hache.encode()).hexdigest()[:16] if hache else ""
