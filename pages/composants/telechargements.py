"""Un tableau offert en CSV sous ses deux formes (issue 19) : « Excel (français) » (« ; »,
virgule décimale, UTF-8 avec BOM) et « données » (« , », point décimal, UTF-8), deux
boutons côte à côte, le même composant sur chaque page qui offre un CSV (Classement,
Portefeuille, Comparaison, Journal).

Chaque fichier est écrit au clic (données différées de `st.download_button`), pas à chaque
exécution de la page. `fabriquer(decimale)` rend la table du fichier, ses nombres déjà
écrits au séparateur décimal `decimale` quand la table les tient en texte
(`formats.note_fichier`, `formats.dollars`…) ; une colonne de nombres prend celui de la
forme à l'écriture.

Pas une page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd

from evaluation.sorties import neutralisation

AIDES = {
    neutralisation.EXCEL: "Séparateur « ; » et virgule décimale : s'ouvre tel quel dans Excel "
    "en français.",
    neutralisation.DONNEES: "Séparateur « , » et point décimal (UTF-8) : pour un programme ou "
    "un tableur réglé en anglais.",
}


def octets_csv(fabriquer: Callable[[str], pd.DataFrame], forme: str) -> bytes:
    """Les octets du CSV de la forme `forme` (`neutralisation.FORMES_CSV`)."""
    table = fabriquer(neutralisation.decimale_csv(forme))
    return neutralisation.csv_sans_formules(table, forme)


def telecharger_csv(
    conteneur,
    quoi: str,
    fabriquer: Callable[[str], pd.DataFrame],
    *,
    nom: str,
    cle: str,
    cote_a_cote: bool = True,
) -> None:
    """Deux boutons dans `conteneur` (la page, une colonne…) : « Télécharger `quoi` (CSV,
    Excel (français)) », clé `cle`, fichier `nom`.csv ; « … (CSV, données) », clé
    `cle`_donnees, fichier `nom`_donnees.csv. `cote_a_cote` : dans deux colonnes (sinon
    l'un sous l'autre, pour une colonne étroite)."""
    boutons = conteneur.columns(2) if cote_a_cote else (conteneur, conteneur)
    for place, forme, suffixe in zip(
        boutons, (neutralisation.EXCEL, neutralisation.DONNEES), ("", "_donnees"), strict=True
    ):
        place.download_button(
            f"Télécharger {quoi} (CSV, {neutralisation.FORMES_CSV[forme]})",
            data=partial(octets_csv, fabriquer, forme),
            file_name=f"{nom}{suffixe}.csv",
            mime="text/csv",
            key=f"{cle}{suffixe}",
            icon=":material/download:",
            on_click="ignore",
            help=AIDES[forme],
        )
