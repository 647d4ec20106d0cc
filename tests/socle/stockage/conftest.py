"""Aides partagées des tests du stockage : une demande prête à insérer."""

import datetime as dt

from evaluation.socle import stockage


def _demande(numero: str, **autres) -> dict:
    maintenant = dt.datetime(2026, 11, 24, 9, 0)
    valeurs = {cle: None for cle in stockage.CHAMPS_DEMANDE}
    valeurs.update(
        no_demande=numero,
        municipalite="Rimouski",
        region="01",
        titre="T",
        axe=1,
        montant_demande_an1=2_000_050,
        cree_le=maintenant,
        modifie_le=maintenant,
        avertissements=[{"code": "x", "message": "é"}],
    )
    valeurs.update(autres)
    return valeurs
