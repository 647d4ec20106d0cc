"""Les demandes et leurs lignes de budget écrites puis relues, sur SQLite et PostgreSQL."""

from evaluation.socle import stockage
from tests.socle.stockage.conftest import _demande


def test_ecrire_puis_relire(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        ids = stockage.inserer_demandes(appel.id, [_demande("A-1"), _demande("A-2")], connexion=c)
        stockage.remplacer_lignes_budget(
            {
                ids["A-1"]: [
                    {
                        "annee": 1,
                        "categorie": "Logistique",
                        "categorie_id": "logistique",
                        "admissible": True,
                        "description": None,
                        "montant": 2_000_050,
                    }
                ]
            },
            connexion=c,
        )
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel.id, connexion=c)
        lignes = stockage.lire_lignes_budget(appel.id, connexion=c)
        de_a1 = stockage.lire_lignes_budget(appel.id, connexion=c, demande_id=ids["A-1"])
        de_a2 = stockage.lire_lignes_budget(appel.id, connexion=c, demande_id=ids["A-2"])
        assert stockage.compter_demandes(appel.id, connexion=c) == 2
        assert stockage.numeros_demandes(appel.id, connexion=c) == {"A-1", "A-2"}
        assert [i for i, _, _ in stockage.lire_appels(connexion=c)] == [appel.id]
    assert list(table["no_demande"]) == ["A-1", "A-2"]
    assert int(table["montant_demande_an1"].iloc[0]) == 2_000_050
    assert table["avertissements"].iloc[0] == [{"code": "x", "message": "é"}]
    assert list(lignes["montant"]) == [2_000_050]
    assert de_a1.equals(lignes) and de_a2.empty and list(de_a2.columns) == list(lignes.columns)


def test_identites_demandes_portent_neq_et_code_geographique(moteur, appel):
    """Issue 18 : de quoi reconnaître le demandeur d'une demande stockée — le NEQ d'un
    organisme, le code géographique d'une municipalité —, pas seulement son nom."""
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        stockage.inserer_demandes(
            appel.id,
            [
                _demande("A-1", code_geographique="10043"),
                _demande("A-2", organisme="Carrefour", neq="1145678901", municipalite="Sherbrooke"),
            ],
            connexion=c,
        )
    with moteur.connect() as c:
        identites = sorted(stockage.identites_demandes(appel.id, connexion=c))
    assert identites == [
        ("A-1", None, "Rimouski", "T", None, "10043"),
        ("A-2", "Carrefour", "Sherbrooke", "T", "1145678901", None),
    ]
