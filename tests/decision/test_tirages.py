"""Le tirage au sort dans la zone grise, inscrit, rejoué et fait décisions (issue 16,
point 7 ; réglage du comité [comite] tirage_zone_grise, l'appel n'en prévoit aucun ;
modèle : le tirage au sort partiel du FNS). Sur SQLite et PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pytest
import sqlalchemy as sa

from evaluation.decision import chargement, classement, decisions, tirage, tirages
from evaluation.decision.declarations import declarer_conflit
from evaluation.decision.tirage import ErreurTirage, preparer, tirer
from evaluation.notes.attributions import verrouiller
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, MEMBRE, OBSERVATEUR, PRESIDENT

PRESIDENCE = "presidence@x.ca"
T = dt.datetime(2026, 11, 30, 10, 0)


@pytest.fixture
def permis(appel):
    return replace(appel, tirage_zone_grise=True)


@pytest.fixture
def classe(moteur, permis, campagne):
    """Le classement de la campagne (T-001 et T-002 classées) ; la zone grise : les deux."""
    table = classement.classement(permis, chargement.charger(permis, moteur=moteur))
    zone = (table["statut"] == classement.CLASSE).to_numpy()
    assert zone.sum() == 2
    return table, zone


def _tirer(appel, moteur, classe, **options):
    table, zone = classe
    return tirages.tirer_au_sort(
        appel,
        moteur=moteur,
        auteur=options.pop("auteur", PRESIDENCE),
        role=options.pop("role", PRESIDENT),
        table=table,
        zone_grise=zone,
        maintenant=T,
        **options,
    )


def _journal(moteur, appel):
    with moteur.connect() as c:
        return stockage.lire_journal(connexion=c, appel_id=appel.id, objets=[tirage.OBJET])


def test_tirage_inscrit_au_journal_et_rejoue_conforme(moteur, permis, classe):
    table, zone = classe
    numero, t = _tirer(permis, moteur, classe, graine="12345")
    candidates, restant = preparer(table, zone, permis)
    assert t == tirer(candidates, restant, 12345, permis.mode_ligne)
    assert numero == 1 and t.candidates == ("T-001", "T-002")
    (ligne,) = _journal(moteur, permis).to_dict("records")
    inscrit = json.loads(ligne["nouveau"])
    assert inscrit["graine"] == 12345 and inscrit["version"] == 1
    assert [no for no, _ in inscrit["candidates"]] == ["T-001", "T-002"]
    assert inscrit["gagnantes"] == list(t.gagnantes)
    assert ligne["auteur"] == PRESIDENCE
    (v,) = tirages.verifier(moteur=moteur, appel_id=permis.id)
    assert v.conforme and v.tirage.numero == 1
    assert _tirer(permis, moteur, classe, graine=7)[0] == 2


def test_graine_generee_quand_absente(moteur, permis, classe, monkeypatch):
    monkeypatch.setattr(tirages.secrets, "randbits", lambda n: 2**n - 1)
    _, t = _tirer(permis, moteur, classe)
    assert t.graine == 2**63 - 1
    assert json.loads(_journal(moteur, permis)["nouveau"].iloc[0])["graine"] == 2**63 - 1


def test_un_journal_altere_n_est_pas_conforme(moteur, permis, classe):
    _, t = _tirer(permis, moteur, classe, graine=12345)
    _tirer(permis, moteur, classe, graine=99)
    lignes = _journal(moteur, permis)
    inscrit = json.loads(lignes["nouveau"].iloc[0])
    inscrit["gagnantes"] = [no for no in t.candidates if no not in t.gagnantes]
    with moteur.begin() as c:
        c.execute(
            sa.update(stockage.journal)
            .where(stockage.journal.c.id == int(lignes["id"].iloc[0]))
            .values(nouveau=json.dumps(inscrit))
        )
        c.execute(
            sa.update(stockage.journal)
            .where(stockage.journal.c.id == int(lignes["id"].iloc[1]))
            .values(nouveau="{tronqué")
        )
    premier, second = tirages.verifier(moteur=moteur, appel_id=permis.id)
    assert not premier.conforme and "gagnantes inscrit(es)" in premier.ecarts[0]
    assert not second.conforme and "illisible" in second.ecarts[0]
    with pytest.raises(ErreurTirage, match="ne se rejoue pas conforme"):
        decisions.inscrire_tirage(permis, 1, moteur=moteur, auteur=PRESIDENCE)


@pytest.mark.parametrize(
    ("reglage", "role", "message"),
    [
        (False, PRESIDENT, "ne permet pas de tirage au sort"),
        (True, MEMBRE, "revient à la présidence"),
        (True, OBSERVATEUR, "revient à la présidence"),
        (True, None, "revient à la présidence"),
    ],
)
def test_tirage_refuse_sans_reglage_ou_sans_droit(moteur, appel, classe, reglage, role, message):
    a = replace(appel, tirage_zone_grise=reglage)
    with pytest.raises(ErreurTirage, match=message):
        _tirer(a, moteur, classe, role=role, graine=1)
    assert _journal(moteur, appel).empty


def test_l_administration_peut_tirer(moteur, permis, classe):
    assert _tirer(permis, moteur, classe, role=ADMIN, graine=1)[0] == 1


def test_tirage_refuse_a_qui_est_en_conflit_sur_une_candidate(moteur, permis, classe, campagne):
    declarer_conflit(
        permis, campagne["T-002"], PRESIDENCE, "ancien employeur", moteur=moteur,
        auteur=PRESIDENCE, maintenant=T,
    )  # fmt: skip
    with pytest.raises(ErreurTirage, match=r"la candidate T-002 \(ancien employeur\)"):
        _tirer(permis, moteur, classe, graine=1)
    assert _journal(moteur, permis).empty
    # Un conflit hors des candidates (T-003, écartée) n'empêche rien.
    autre = "autre@x.ca"
    declarer_conflit(
        permis, campagne["T-003"], autre, "x", moteur=moteur, auteur=autre, maintenant=T
    )
    assert _tirer(permis, moteur, classe, graine=1, auteur=autre)[0] == 1


def test_tirage_refuse_quand_les_decisions_sont_verrouillees(moteur, permis, classe):
    verrouiller(permis.id, True, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees")
    with pytest.raises(ErreurTirage, match="verrouillées"):
        _tirer(permis, moteur, classe, graine=1)


def test_tirage_refuse_sans_zone_grise_ou_graine_fautive(moteur, permis, classe):
    table, _ = classe
    with pytest.raises(ErreurTirage, match="aucune demande en zone grise"):
        tirages.tirer_au_sort(
            permis, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT, table=table,
            zone_grise=np.zeros(len(table), dtype=bool), graine=1,
        )  # fmt: skip
    with pytest.raises(ErreurTirage, match="nombre entier positif"):
        _tirer(permis, moteur, classe, graine="douze")


def test_zone_grise_calculee_comme_la_page(moteur, permis, campagne):
    """Sans table ni zone, l'opération les calcule (classement, puis bootstrap) : ici la
    ligne finance les deux classées sans doute possible, aucune zone grise."""
    table, zone = tirages.zone_grise_de(permis, moteur=moteur)
    assert len(zone) == len(table) and not zone.any()
    with pytest.raises(ErreurTirage, match="aucune demande en zone grise"):
        tirages.tirer_au_sort(permis, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT)


def test_le_tirage_devient_decisions(moteur, permis, classe, campagne):
    # Une enveloppe pour une seule des deux : le sort choisit.
    table, zone = classe
    candidates, _ = preparer(table, zone, permis)
    plus_grand = np.max(list(candidates.values()), axis=0)
    etroit = replace(
        permis,
        financement=replace(permis.financement, enveloppe=tuple(int(v) for v in plus_grand)),
    )
    _, t = _tirer(etroit, moteur, classe, graine=5)
    assert len(t.gagnantes) == 1
    n = decisions.inscrire_tirage(etroit, 1, moteur=moteur, auteur=PRESIDENCE)
    assert n == 2
    with moteur.connect() as c:
        faites = {int(d["demande_id"]): d for d in stockage.lire_decisions(etroit.id, connexion=c)}
    (gagnante,) = t.gagnantes
    perdante = next(no for no in t.candidates if no != gagnante)
    g, p = faites[campagne[gagnante]], faites[campagne[perdante]]
    assert g["decision"] == "retenu" and p["decision"] == "liste d'attente"
    montants = dict(zip(t.candidates, t.montants, strict=True))[gagnante]
    assert (g["montant_an1"], g["montant_an2"]) == tuple(montants) + (0,) * (2 - len(montants))
    assert p["montant_an1"] == 0
    assert g["justification"] == "Tirage au sort n° 1, graine 5"
    with pytest.raises(ErreurTirage, match="aucun tirage n° 2"):
        decisions.inscrire_tirage(etroit, 2, moteur=moteur, auteur=PRESIDENCE)


def test_inscrire_decisions_passe_par_le_quorum(moteur, permis, classe):
    """Un quorum fixé sans séance ouverte : refusé en entier, aucune décision inscrite."""
    a = replace(permis, quorum=2)
    _tirer(a, moteur, classe, graine=5)
    with pytest.raises(ErreurTirage, match="quorum"):
        decisions.inscrire_tirage(a, 1, moteur=moteur, auteur=PRESIDENCE)
    with moteur.connect() as c:
        assert stockage.lire_decisions(a.id, connexion=c) == []


def test_inscrire_decisions_tout_ou_rien_en_conflit(moteur, permis, classe, campagne):
    """La présidence a déclaré un conflit sur la dernière candidate : rien n'est inscrit, et
    la candidate est nommée."""
    _, t = _tirer(permis, moteur, classe, graine=5)
    derniere = t.candidates[-1]
    with stockage.ecriture(moteur, stockage.conflits, lourde=False) as c:
        stockage.ajouter_conflit(
            {
                "appel_id": permis.id,
                "demande_id": campagne[derniere],
                "evaluateur": PRESIDENCE,
                "raison": "son frère y travaille",
                "date": stockage.maintenant(),
                "auteur": PRESIDENCE,
            },
            connexion=c,
        )
    with pytest.raises(ErreurTirage, match=f"conflit d'intérêts sur {derniere} "):
        decisions.inscrire_tirage(permis, 1, moteur=moteur, auteur=PRESIDENCE)
    with moteur.connect() as c:
        assert stockage.lire_decisions(permis.id, connexion=c) == []
