"""`par_valeur` (pages/composants/commun.py) : la mise en forme d'une colonne, appelée une
fois par valeur distincte, qui rend ce que `serie.map(fonction)` rendrait."""

import numpy as np
import pandas as pd
import pytest

from pages.composants.commun import par_valeur


def _compteur():
    appels = []

    def fonction(v):
        appels.append(v)
        return "vide" if pd.isna(v) else f"<{v}>"

    return fonction, appels


@pytest.mark.parametrize(
    ("valeurs", "dtype", "attendu", "appels_attendus"),
    [
        ([1.5, np.nan, 1.5, 2.0, None], "float64", ["<1.5>", "vide", "<1.5>", "<2.0>", "vide"], 3),
        (["a", "b", "a"], "string[pyarrow]", ["<a>", "<b>", "<a>"], 2),
        ([1, None, 3, 3], "Int64", ["<1>", "vide", "<3>", "<3>"], 3),
        (["x", None, "x"], object, ["<x>", "vide", "<x>"], 2),
        ([np.nan, np.nan], "float64", ["vide", "vide"], 1),
        ([None, None], object, ["vide", "vide"], 1),
    ],
)
def test_comme_map_une_fois_par_valeur(valeurs, dtype, attendu, appels_attendus):
    fonction, appels = _compteur()
    serie = pd.Series(valeurs, dtype=dtype, index=range(10, 10 + len(valeurs)))
    resultat = par_valeur(serie, fonction)
    assert resultat.tolist() == attendu
    assert resultat.index.tolist() == serie.index.tolist()
    assert len(appels) == appels_attendus
    fonction_seule, _ = _compteur()
    assert resultat.tolist() == serie.map(fonction_seule).tolist()
