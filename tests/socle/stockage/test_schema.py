"""Le schéma : montants en grands entiers, numéro unique par appel, aucun caractère de contrôle."""

import sqlalchemy as sa

from evaluation.socle import stockage
from tests.socle.stockage.conftest import _demande


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
    from tests.filtrage import admettre

    admettre(moteur, appel, [d])
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
