"""Le demandeur d'une demande dans les mots de l'appel : municipalité requérante, ou
organisme requérant avec son NEQ et son siège."""

import pandas as pd
import pytest

from evaluation.appels import demandeur

ORGANISME = {
    "organisme": "Solidarité Nord-Sud",
    "neq": "1145678901",
    "municipalite": "Rimouski",
    "region": "01",
}


def test_entite_municipale(appel):
    qui = demandeur.demandeur(appel, {"municipalite": "Rimouski", "region": "01"})
    assert (qui.libelle, qui.nom) == ("Municipalité requérante", "Rimouski")
    assert qui.description == "Municipalité requérante : Rimouski"
    assert demandeur.libelle_court(appel) == "Municipalité"


def test_organisme(appel_organisme):
    qui = demandeur.demandeur(appel_organisme, ORGANISME)
    assert (qui.libelle, qui.nom, qui.neq) == (
        "Organisme requérant",
        "Solidarité Nord-Sud",
        "1145678901",
    )
    assert qui.description == (
        "Organisme requérant : Solidarité Nord-Sud (NEQ 1145678901), siège : Rimouski, "
        "Bas-Saint-Laurent"
    )
    assert demandeur.libelle_court(appel_organisme) == "Organisme"


@pytest.mark.parametrize("vide", [None, float("nan"), "", "  "])
def test_champs_vides(appel_organisme, vide):
    """Une cellule vide lue par pandas (NaN) ne s'affiche pas « nan »."""
    qui = demandeur.demandeur(
        appel_organisme, {"organisme": vide, "neq": vide, "municipalite": vide, "region": vide}
    )
    assert (qui.nom, qui.description) == ("—", "Organisme requérant : —")


def test_colonne_noms(appel, appel_organisme):
    table = pd.DataFrame([ORGANISME, {**ORGANISME, "organisme": None}])
    assert demandeur.colonne_noms(appel_organisme, table) == ["Solidarité Nord-Sud", ""]
    assert demandeur.colonne_noms(appel, table) == ["Rimouski", "Rimouski"]
    assert demandeur.noms(appel_organisme, table.to_dict("records")) == [
        "Solidarité Nord-Sud",
        "",
    ]
