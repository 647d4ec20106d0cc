"""Un champ de montant à la québécoise (issue 19) : il montre « 18 000 » ou « 18 000,50 »
(là où `st.number_input` montrait « 18000.00 ») et lit ce qu'on y tape avec le lecteur de
montants des fichiers importés (`evaluation.depot.valeurs.lire_montant` : « 18 000 »,
« 18000,50 », « 18 000 $ », « 18000.50 »). Une saisie illisible est dite en français sous
le champ.

Pas une page.
"""

from __future__ import annotations

import streamlit as st

from evaluation.depot.valeurs import ValeurIllisible, lire_montant
from evaluation.socle.formats import montant, montant_saisi
from evaluation.socle.texte import litteral


def lire(texte: str, *, minimum: int = 0, maximum: int | None = None) -> tuple[int | None, str]:
    """(cents, "") pour un montant lisible dans [minimum, maximum] ; (None, raison) sinon."""
    try:
        cents = lire_montant(texte)
    except ValeurIllisible as exc:
        return None, str(exc)
    if cents is None:
        return None, "Inscrivez un montant, par exemple 25 000."
    if cents < minimum:
        return None, f"Le montant doit être d'au moins {montant(minimum)}."
    if maximum is not None and cents > maximum:
        return None, f"Le montant ne peut dépasser {montant(maximum)}."
    return cents, ""


def champ_montant(
    libelle: str,
    cents: int,
    *,
    key: str,
    minimum: int = 0,
    maximum: int | None = None,
    conteneur=None,
    disabled: bool = False,
    help: str | None = None,
) -> int | None:
    """Le montant saisi en cents (`cents` au départ), ou None quand la saisie est illisible
    ou hors limites : le message est alors affiché sous le champ."""
    ici = conteneur if conteneur is not None else st
    texte = ici.text_input(
        libelle,
        value=montant_saisi(cents),
        key=key,
        disabled=disabled,
        help=help or "En dollars, par exemple 25 000 ou 25 000,50.",
    )
    lu, raison = lire(texte, minimum=minimum, maximum=maximum)
    if lu is None and not disabled:
        ici.error(litteral(raison[:1].upper() + raison[1:]), icon=":material/error:")
    return lu
