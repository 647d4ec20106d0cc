"""Le stockage, sur SQLite et sur PostgreSQL."""

import datetime as dt

import sqlalchemy as sa

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


def test_tables_creees_au_premier_usage(moteur):
    noms = set(sa.inspect(moteur).get_table_names())
    assert {"appels", "demandes", "lignes_budget", "importations"} <= noms


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


def test_montants_au_dela_de_2_milliards_de_cents(moteur, appel):
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        stockage.inserer_demandes(
            appel.id, [_demande("A-1", cout_total=50_000_000_000)], connexion=c
        )
    with moteur.connect() as c:
        assert int(stockage.lire_demandes(appel.id, connexion=c)["cout_total"].iloc[0]) == (
            50_000_000_000
        )


def test_numero_unique_par_appel(moteur, appel):
    import pytest

    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        stockage.inserer_demandes(appel.id, [_demande("A-1")], connexion=c)
    with pytest.raises(sa.exc.IntegrityError), moteur.begin() as c:
        stockage.inserer_demandes(appel.id, [_demande("A-1")], connexion=c)


def test_sqlite_en_mode_wal(moteur_sqlite):
    with moteur_sqlite.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_url_par_defaut(monkeypatch, tmp_path):
    monkeypatch.delenv(stockage.VARIABLE_BASE, raising=False)
    assert stockage.url_par_defaut().endswith("donnees/evaluation.sqlite")
    monkeypatch.setenv(stockage.VARIABLE_BASE, f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert stockage.url_par_defaut() == f"sqlite:///{tmp_path / 'x.sqlite'}"


CONTROLES = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
CONTROLES += "".join(chr(c) for c in range(0x80, 0xA0))


def test_aucun_caractere_de_controle_n_atteint_la_base(moteur, appel):
    """Tout texte saisi (commentaire, raison, justification, nom) perd ses caractères de
    contrôle en chemin vers la base, sur l'une et l'autre : aucune écriture n'échoue, et
    tabulation et fins de ligne restent."""
    from evaluation.decision import decisions, financement
    from evaluation.depot import retraits
    from evaluation.notes import attributions, evaluations
    from evaluation.notes.saisie import BROUILLON, Saisie

    sale = f"Début{CONTROLES}\tfin\r\nligne 2"
    propre = "Début\tfin\r\nligne 2"
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        ids = stockage.inserer_demandes(appel.id, [_demande("A-1", titre=sale)], connexion=c)
        stockage.creer_compte(
            {"courriel": "e@exemple.ca", "nom": sale, "role": "evaluateur", "actif": True},
            connexion=c,
        )
    d = ids["A-1"]
    saisie = Saisie(notes={appel.criteres[0].id: 5}, commentaires={appel.criteres[0].id: sale})
    saisie.commentaire_global = sale
    evaluations.enregistrer(appel, d, "e@exemple.ca", saisie, BROUILLON, moteur=moteur)
    decisions.enregistrer_decision(
        appel, d, financement.REFUSE, (0, 0), sale, moteur=moteur, auteur=sale
    )
    with moteur.begin() as c:
        assert stockage.lire_compte("e@exemple.ca\x00", connexion=c)["nom"] == propre
    attributions.declarer_conflit(appel.id, d, "autre@exemple.ca", sale, moteur=moteur, auteur="a")
    retraits.desister(appel, d, sale, moteur=moteur, auteur="a")
    with moteur.connect() as c:
        demande = stockage.lire_demande(d, connexion=c)
        evaluation = stockage.lire_evaluation(d, "e@exemple.ca", connexion=c)
        decision = c.execute(sa.select(stockage.decisions)).mappings().one()
        conflit = stockage.lire_conflits(appel.id, connexion=c)[0]
        journal = stockage.lire_journal(connexion=c)
    assert demande["titre"] == propre and demande["raison_retrait"] == propre
    assert evaluation["commentaire_global"] == propre
    assert evaluation["notes"][appel.criteres[0].id][1] == propre
    assert decision["justification"] == propre and decision["auteur"] == propre
    assert conflit["raison"] == propre
    textes = [str(v) for v in journal[["ancien", "nouveau", "auteur"]].to_numpy().ravel()]
    assert not any(ch in t for t in textes for ch in CONTROLES)
