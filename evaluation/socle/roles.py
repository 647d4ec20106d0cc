"""Les rôles et ce qu'est un compte pour les règles (qui peut quoi) : des valeurs, sans
base ni mot de passe. `socle.comptes` les crée, les lit et les modifie."""

from __future__ import annotations

from dataclasses import dataclass, field

ADMIN, PRESIDENT, EVALUATEUR, OBSERVATEUR = "admin", "president", "evaluateur", "observateur"
# Examine l'admissibilité de chaque demande avant toute notation (issue 15).
ANALYSTE = "analyste"
# Siège au comité de sélection (issue 16) : suit la séance, voit les notes et commentaires,
# ne consigne pas les décisions (la présidence les consigne).
MEMBRE = "membre"
# Décide après le comité (issue 17) : approuve ou modifie ses recommandations ; l'appel dit
# que le ministère « conserve cependant la responsabilité de la sélection définitive des projets et
# de la détermination des sommes ». Voit classements et portefeuille, pas les notes
# individuelles.
AUTORITE = "autorite"


# Ajouté en dernier : l'ordre des rôles déjà proposés (comptes, ligne de commande) ne bouge pas.
ROLES = (ADMIN, PRESIDENT, EVALUATEUR, OBSERVATEUR, ANALYSTE, MEMBRE, AUTORITE)


LIBELLES_ROLES = {
    ADMIN: "Administration (appels, importations, comptes, attributions)",
    PRESIDENT: "Présidence du comité (voit toutes les notes, consigne les décisions)",
    EVALUATEUR: "Évaluation (note les demandes qui lui sont attribuées)",
    OBSERVATEUR: "Observation (classements, portefeuille, exportations ; "
    "pas de notes individuelles)",
    ANALYSTE: "Analyse (examine l'admissibilité des demandes avant la notation ; "
    "pas de notes individuelles)",
    MEMBRE: "Membre du comité (suit la séance, voit les notes et commentaires ; "
    "ne consigne pas les décisions)",
    AUTORITE: "Autorité ministérielle (approuve ou modifie les recommandations du comité)",
}


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
    # Fixé par quelqu'un d'autre (administration, ligne de commande) : à changer à la
    # prochaine connexion, avant toute page.
    mot_de_passe_provisoire: bool = False
    # Empreinte du haché du mot de passe : une session ouverte avec un autre mot de passe
    # (avant une réinitialisation par l'administration) se termine.
    empreinte: str = field(default="", compare=False, repr=False)
    # L'organisme (NEQ, dix chiffres) auquel l'évaluateur est rattaché : conflit d'intérêts
    # évident avec ses demandes, dans un appel dont le demandeur est un organisme.
    neq: str | None = None

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
