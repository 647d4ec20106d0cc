"""La confirmation, par l'administration, des réglages de l'appel qui ne viennent pas de son
texte (« comite », « interpretation » : voir `appels.reglages`). Une confirmation est
journalisée, datée, et ne vaut que pour la valeur confirmée : le réglage changé (ou sa
source, ou sa lecture), il redevient « non confirmé » et les pages qui montrent un rang ou un
montant le signalent de nouveau. Un réglage « appel » modifié après la déclaration de sa
source (`reglages.modifie`) se confirme de même."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from evaluation.appels.configuration import Appel
from evaluation.appels.reglages import Reglage, modifie, non_confirmes
from evaluation.socle import stockage
from evaluation.socle.stockage import Moteur


class ConfirmationRefusee(ValueError):
    """Une confirmation que la source du réglage ne permet pas (message pour l'écran)."""


def confirmations(appel_id: str, *, moteur: Moteur) -> dict[str, dict]:
    """La dernière confirmation de chaque réglage de l'appel, par chemin."""
    with moteur.connect() as connexion:
        return stockage.lire_confirmations(appel_id, connexion=connexion)


def reglages_non_confirmes(appel: Appel, *, moteur: Moteur) -> list[Reglage]:
    """Les réglages « comite » et « interpretation » non confirmés dans leur valeur
    actuelle."""
    return non_confirmes(appel, confirmations(appel.id, moteur=moteur))


def confirmer(
    appel: Appel,
    chemins: Iterable[str],
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> int:
    """Confirme les réglages `chemins` de l'appel dans leur valeur actuelle ; rend le nombre
    de confirmations inscrites (un réglage déjà confirmé tel quel ne l'est pas deux fois).
    `ConfirmationRefusee` pour un réglage inconnu, sans source ou tiré du texte de l'appel
    et non modifié (il n'a rien à confirmer) : rien n'est alors écrit."""
    par_chemin = {r.chemin: r for r in appel.reglages}
    choisis = list(dict.fromkeys(chemins))
    actuelles = confirmations(appel.id, moteur=moteur)
    for chemin in choisis:
        r = par_chemin.get(chemin)
        if r is None:
            raise ConfirmationRefusee(f"« {chemin} » n'est pas un réglage de l'appel.")
        if r.source is None:
            raise ConfirmationRefusee(
                f"« {r.libelle} » ne dit pas sa source : ajoutez-la d'abord dans [sources]."
            )
        if not r.a_confirmer and not modifie(r, actuelles):
            raise ConfirmationRefusee(
                f"« {r.libelle} » est fixé par le texte de l'appel : il n'y a rien à confirmer."
            )
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.confirmations_reglages, lourde=False) as connexion:
        deja = stockage.lire_confirmations(appel.id, connexion=connexion)
        lignes, journal = [], []
        for chemin in choisis:
            r = par_chemin[chemin]
            if (deja.get(chemin) or {}).get("empreinte") == r.empreinte:
                continue
            lignes.append(
                {
                    "appel_id": appel.id,
                    "chemin": chemin,
                    "empreinte": r.empreinte,
                    "date": instant,
                    "auteur": auteur,
                }
            )
            journal.append(
                stockage.ligne_journal(
                    instant,
                    auteur,
                    f"confirmation:{chemin}",
                    "non confirmé",
                    f"{r.valeur_lisible} ({r.source.libelle}"
                    + (f" ; lecture : {r.source.lecture}" if r.source.lecture else "")
                    + ")",
                    appel_id=appel.id,
                )
            )
        stockage.ajouter_confirmations(lignes, connexion=connexion)
        stockage.inscrire_journal(journal, connexion=connexion)
    return len(lignes)
