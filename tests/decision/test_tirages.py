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
    assert t == replace(tirer(candidates, restant, 12345, permis.mode_ligne), graine_saisie=True)
    assert numero == 1 and t.candidates == ("T-001", "T-002")
    (ligne,) = _journal(moteur, permis).to_dict("records")
    inscrit = json.loads(ligne["nouveau"])
    assert inscrit["graine"] == 12345 and inscrit["version"] == 2
    assert inscrit["graine_saisie"] is True and inscrit["raison"] == ""
    assert [no for no, _ in inscrit["candidates"]] == ["T-001", "T-002"]
    assert inscrit["gagnantes"] == list(t.gagnantes)
    assert ligne["auteur"] == PRESIDENCE
    (v,) = tirages.verifier(moteur=moteur, appel_id=permis.id)
    assert v.conforme and v.tirage.numero == 1
    assert _tirer(permis, moteur, classe, graine=7, raison="erreur de saisie")[0] == 2


def test_graine_generee_quand_absente(moteur, permis, classe, monkeypatch):
    monkeypatch.setattr(tirages.secrets, "randbits", lambda n: 2**n - 1)
    _, t = _tirer(permis, moteur, classe)
    assert t.graine == 2**63 - 1 and t.graine_saisie is False
    inscrit = json.loads(_journal(moteur, permis)["nouveau"].iloc[0])
    assert inscrit["graine"] == 2**63 - 1 and inscrit["graine_saisie"] is False
    (fait,) = tirages.lire_tirages(moteur=moteur, appel_id=permis.id)
    assert fait.origine_graine == "générée"


def test_un_journal_altere_n_est_pas_conforme(moteur, permis, classe):
    _, t = _tirer(permis, moteur, classe, graine=12345)
    _tirer(permis, moteur, classe, graine=99, raison="vérifier le rejeu")
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
    assert not premier.conforme and premier.ecarts[0].startswith("gagnantes : inscrit ")
    assert not second.conforme and "illisible" in second.ecarts[0]
    with pytest.raises(ErreurTirage, match="ne se rejoue pas conforme"):
        decisions.inscrire_tirage(permis, 2, moteur=moteur, auteur=PRESIDENCE)


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


def test_une_gagnante_jugee_inadmissible_apres_le_tirage_n_est_pas_retenue(
    moteur, permis, classe, campagne
):
    """« Pour être admissibles, les projets doivent… » : une gagnante écartée à l'examen
    d'admissibilité après le tirage n'est pas retenue ; rien n'est inscrit (revue)."""
    from tests.filtrage import ecarter

    _, t = _tirer(permis, moteur, classe, graine=5)
    (gagnante, *_) = t.gagnantes
    ecarter(moteur, permis, campagne[gagnante], "hors programme", "objectifs-concrets")
    with pytest.raises(ErreurTirage, match=f"{gagnante} .*a été jugée inadmissible"):
        decisions.inscrire_tirage(permis, 1, moteur=moteur, auteur=PRESIDENCE)
    with moteur.connect() as c:
        assert stockage.lire_decisions(permis.id, connexion=c) == []


def _decisions(moteur, appel):
    with moteur.connect() as c:
        return {int(d["demande_id"]): d for d in stockage.lire_decisions(appel.id, connexion=c)}


def test_un_second_tirage_demande_une_raison_et_remplace_le_premier(moteur, permis, classe):
    """Un seul tirage fait foi : le second demande une raison écrite, inscrite avec lui ;
    le premier ne peut plus devenir décisions."""
    _tirer(permis, moteur, classe, graine=5)
    for raison in (None, "", "   "):
        with pytest.raises(ErreurTirage, match="écrivez la raison du nouveau tirage"):
            _tirer(permis, moteur, classe, graine=6, raison=raison)
    assert len(_journal(moteur, permis)) == 1
    numero, t = _tirer(permis, moteur, classe, raison="  candidate oubliée  ")
    assert numero == 2 and t.raison == "candidate oubliée" and not t.graine_saisie
    premier, second = tirages.lire_tirages(moteur=moteur, appel_id=permis.id)
    assert (premier.raison, premier.origine_graine) == ("", "saisie")
    assert (second.raison, second.origine_graine) == ("candidate oubliée", "générée")
    with pytest.raises(ErreurTirage, match="le tirage n° 1 a été remplacé par le n° 2"):
        decisions.inscrire_tirage(permis, 1, moteur=moteur, auteur=PRESIDENCE)
    assert _decisions(moteur, permis) == {}
    assert decisions.inscrire_tirage(permis, 2, moteur=moteur, auteur=PRESIDENCE) == 2


def test_le_tirage_ne_depasse_pas_l_enveloppe_avec_les_decisions_deja_prises(
    moteur, appel, demandes
):
    """Le cas du relecteur : le comité a retenu T-003 (sous la zone grise) avant le tirage ;
    T-001 et T-002 sont tirées. L'enveloppe de 50 000 $ par année n'est jamais dépassée,
    et une demande décidée n'est pas candidate."""
    from tests.decision.conftest import _soumettre

    for no, note in (("T-001", 8.0), ("T-002", 7.5), ("T-003", 6.0)):
        _soumettre(appel, moteur, demandes[no], "e1@x.ca", note)
    a = replace(
        appel,
        tirage_zone_grise=True,
        mode_ligne="stricte",
        financement=replace(appel.financement, enveloppe=(5_000_000, 5_000_000)),
    )
    table = classement.classement(a, chargement.charger(a, moteur=moteur))
    t3 = int(table.set_index("no_demande").loc["T-003", "recommande_an1"])
    decisions.enregistrer_decision(
        a, demandes["T-003"], "retenu", (t3, 0), "projet régional prioritaire",
        moteur=moteur, auteur=PRESIDENCE,
    )  # fmt: skip
    table = classement.classement(a, chargement.charger(a, moteur=moteur))
    zone = table["no_demande"].isin(["T-001", "T-002", "T-003"]).to_numpy()
    n, t = tirages.tirer_au_sort(
        a, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT, graine=1, table=table,
        zone_grise=zone,
    )  # fmt: skip
    assert t.candidates == ("T-001", "T-002")
    assert t.restant_avant == (5_000_000 - t3, 5_000_000)
    decisions.inscrire_tirage(a, n, moteur=moteur, auteur=PRESIDENCE)
    faites = _decisions(moteur, a)
    assert faites[demandes["T-003"]]["justification"] == "projet régional prioritaire"
    for annee in (1, 2):
        accorde = sum(
            int(d[f"montant_an{annee}"]) for d in faites.values() if d["decision"] == "retenu"
        )
        assert accorde <= a.financement.enveloppe[annee - 1]


def _falsifier(moteur, appel, numero, **changements):
    """Réécrit l'enregistrement du tirage n° `numero` en gardant un rejeu conforme."""
    lignes = _journal(moteur, appel)
    ligne = lignes.iloc[numero - 1]
    e = json.loads(ligne["nouveau"])
    e.update(changements)
    refait = tirer({no: m for no, m in e["candidates"]}, e["restant_avant"], e["graine"], e["mode"])
    e.update(
        {
            k: v
            for k, v in refait.enregistrement().items()
            if k in ("ordre", "gagnantes", "restant_apres")
        }
    )
    with moteur.begin() as c:
        c.execute(
            sa.update(stockage.journal)
            .where(stockage.journal.c.id == int(ligne["id"]))
            .values(nouveau=json.dumps(e))
        )
    return e


def test_inscription_refuse_un_montant_au_dessus_du_plafond_de_la_demande(moteur, permis, classe):
    """T-001 n'est pas conjointe : 25 000 $ par année au plus (« ne pourra pas excéder
    25 000 $ par année »), même si l'enregistrement reste sous le plafond bonifié de
    l'appel ; rien n'est inscrit."""
    _tirer(permis, moteur, classe, graine=5)
    plafond = permis.financement.plafond_annuel
    e = _falsifier(moteur, permis, 1, candidates=[["T-001", [plafond + 100, 0]], ["T-002", [0, 0]]])
    assert "T-001" in e["gagnantes"]
    (v,) = tirages.verifier(moteur=moteur, appel_id=permis.id, appel=permis)
    assert v.conforme  # sous le plafond bonifié : seule l'inscription le voit
    with pytest.raises(
        ErreurTirage, match=r"T-001 : .* dépasse son plafond de 25\u00a0000\u00a0\$"
    ):
        decisions.inscrire_tirage(permis, 1, moteur=moteur, auteur=PRESIDENCE)
    assert _decisions(moteur, permis) == {}


def test_verifier_signale_un_reste_ou_un_montant_hors_de_l_appel(moteur, permis, classe):
    _tirer(permis, moteur, classe, graine=5)
    enveloppe = permis.financement.enveloppe
    _falsifier(moteur, permis, 1, restant_avant=[enveloppe[0] + 1, enveloppe[1]])
    (v,) = tirages.verifier(moteur=moteur, appel_id=permis.id, appel=permis)
    assert not v.conforme
    assert v.ecarts[0].startswith("reste de l'enveloppe avant le tirage, année 1")
    with pytest.raises(ErreurTirage, match="ne se rejoue pas conforme"):
        decisions.inscrire_tirage(permis, 1, moteur=moteur, auteur=PRESIDENCE)
    plafond = permis.financement.plafond_bonifie_max
    _falsifier(
        moteur, permis, 1, restant_avant=list(enveloppe),
        candidates=[["T-001", [plafond + 1, 0]], ["T-002", [0, 0]]],
    )  # fmt: skip
    (v,) = tirages.verifier(moteur=moteur, appel_id=permis.id, appel=permis)
    assert [e.split(" : ")[0] for e in v.ecarts] == ["T-001"]


def test_inscription_refusee_si_une_candidate_a_ete_decidee_depuis(
    moteur, permis, classe, campagne
):
    _tirer(permis, moteur, classe, graine=5)
    decisions.enregistrer_decision(
        permis, campagne["T-002"], "refusé", (0, 0), "budget incomplet", moteur=moteur,
        auteur=PRESIDENCE,
    )  # fmt: skip
    with pytest.raises(ErreurTirage, match="T-002 : décision inscrite depuis le tirage n° 1"):
        decisions.inscrire_tirage(permis, 1, moteur=moteur, auteur=PRESIDENCE)
    assert set(_decisions(moteur, permis)) == {campagne["T-002"]}


def test_inscription_refusee_si_l_enveloppe_serait_depassee(moteur, permis, classe, campagne):
    """Une retenue décidée depuis le tirage, hors des candidates, prend l'enveloppe : les
    gagnantes ne s'y ajoutent pas (tout ou rien)."""
    table, zone = classe
    candidates, _ = preparer(table, zone, permis)
    a = replace(
        permis,
        financement=replace(
            permis.financement,
            enveloppe=tuple(int(v) + 1_000_00 for v in np.sum(list(candidates.values()), axis=0)),
        ),
    )
    _, t = _tirer(a, moteur, classe, graine=5)
    assert set(t.gagnantes) == {"T-001", "T-002"}
    with moteur.begin() as c:  # T-003 (écartée) retenue par une décision écrite à la main
        stockage.ajouter_decision(
            {
                "appel_id": a.id, "demande_id": campagne["T-003"], "decision": "retenu",
                "montant_an1": 2_000_00, "montant_an2": 0, "justification": "x",
                "date": T, "auteur": PRESIDENCE,
            },
            connexion=c,
        )  # fmt: skip
    with pytest.raises(ErreurTirage, match="dépasseraient l'enveloppe"):
        decisions.inscrire_tirage(a, 1, moteur=moteur, auteur=PRESIDENCE)
    assert set(_decisions(moteur, a)) == {campagne["T-003"]}


def test_inscription_refuse_un_montant_qui_n_est_pas_le_recommande(moteur, permis, classe):
    """Revue : un enregistrement réécrit sous les plafonds, mais avec un autre montant que
    le recommandé en vigueur, se rejoue conforme et ne devient pas décision."""
    _, t = _tirer(permis, moteur, classe, graine=5)
    vrais = dict(zip(t.candidates, t.montants, strict=True))
    faux = [[no, [int(vrais[no][0]) - 100, *vrais[no][1:]]] for no in t.candidates]
    e = _falsifier(moteur, permis, 1, candidates=faux)
    assert e["gagnantes"]
    (v,) = tirages.verifier(moteur=moteur, appel_id=permis.id, appel=permis)
    assert v.conforme
    with pytest.raises(ErreurTirage, match="n'est pas son montant recommandé en vigueur"):
        decisions.inscrire_tirage(permis, 1, moteur=moteur, auteur=PRESIDENCE)
    assert _decisions(moteur, permis) == {}


def test_tirer_depuis_une_page_perimee_refuse(moteur, permis, classe, campagne):
    """Revue : T-002 refusée après l'affichage de la page (la table montrée la tient pour
    candidate) : le tirage est refusé, rien n'est inscrit au journal."""
    decisions.enregistrer_decision(
        permis, campagne["T-002"], "refusé", (0, 0), "budget incomplet", moteur=moteur,
        auteur=PRESIDENCE,
    )  # fmt: skip
    with pytest.raises(ErreurTirage, match="T-002 : décision inscrite depuis l'affichage"):
        _tirer(permis, moteur, classe, graine=5)
    assert _journal(moteur, permis).empty
