"""Processus d'écriture pour les tests de concurrence : `python -m tests.ecrivain URL
EVALUATEUR TOURS [--pause-dans-la-transaction]`. Imprime le nombre de changements
inscrits ; avec la pause, il s'arrête au milieu d'un enregistrement (pour être tué)."""

import sys
import time

from evaluation.appels.configuration import charger_appel
from evaluation.notes import evaluations
from evaluation.notes.saisie import BROUILLON, Saisie
from evaluation.socle import stockage


def main() -> None:
    url, evaluateur, tours = sys.argv[1], sys.argv[2], int(sys.argv[3])
    appel = charger_appel()
    moteur = stockage.creer_moteur(url)
    if "--pause-dans-la-transaction" in sys.argv:
        ecrire = stockage.ecrire_evaluation

        def ecrire_puis_attendre(*args, **kwargs):
            resultat = ecrire(*args, **kwargs)
            print("DANS-LA-TRANSACTION", flush=True)
            time.sleep(60)
            return resultat

        stockage.ecrire_evaluation = ecrire_puis_attendre
    with moteur.connect() as connexion:
        ids = sorted(stockage.lire_demandes(appel.id, connexion=connexion)["id"].astype(int))
    total = 0
    for tour in range(tours):
        for demande_id in ids:
            note = float((tour + demande_id) % 11)
            saisie = Saisie(notes={c.id: note for c in appel.criteres})
            total += evaluations.enregistrer(
                appel, demande_id, evaluateur, saisie, BROUILLON, moteur=moteur
            )
    print(total, flush=True)


if __name__ == "__main__":
    main()
