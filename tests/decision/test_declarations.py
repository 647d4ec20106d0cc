"""Ce que le comité déclare (decision/declarations.py, issue 16) : la déclaration d'intérêts
et l'engagement de confidentialité, une fois par appel et datés, et les conflits d'intérêts
sur une demande, dans la table des conflits des évaluateurs ; sur SQLite et PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from evaluation.decision import declarations
from evaluation.decision.comite import Texte
from evaluation.socle import stockage
from evaluation.socle.comptes import creer_compte
from evaluation.socle.roles import EVALUATEUR, OBSERVATEUR, PRESIDENT
from evaluation.socle.roles import MEMBRE as MEMBRE_ROLE

T = dt.datetime(2026, 11, 24, 9, 0)
MOT_DE_PASSE = "cheval agrafe batterie correcte"


def _journal(moteur, appel, objet):
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id)
    return j[j["objet"] == objet].reset_index(drop=True)


def _accepter(appel, moteur, courriel="p@x.ca", role=PRESIDENT, interets="aucun", **cases):
    declarations.accepter(
        appel,
        courriel,
        role,
        interets,
        interets_acceptes=cases.get("interets_acceptes", True),
        confidentialite_acceptee=cases.get("confidentialite_acceptee", True),
        moteur=moteur,
        maintenant=T,
    )


def test_accepter_une_fois_par_appel_date_et_journalise(moteur, appel):
    assert declarations.acceptation(appel, "p@x.ca", moteur=moteur) is None
    _accepter(appel, moteur, interets=" Conseil de Rimouski ")
    lue = declarations.acceptation(appel, "p@x.ca", moteur=moteur)
    assert (lue["date"], lue["role"], lue["interets"]) == (T, PRESIDENT, "Conseil de Rimouski")
    assert lue["empreinte"] == declarations.textes(appel).empreinte
    # Pour cet appel et cette personne seulement.
    assert declarations.acceptation(appel, "o@x.ca", moteur=moteur) is None
    assert declarations.acceptation(replace(appel, id="autre"), "p@x.ca", moteur=moteur) is None
    journal = _journal(moteur, appel, "declaration_comite")
    assert journal[["auteur", "nouveau"]].values.tolist() == [
        [
            "p@x.ca",
            "Déclaration générale d'intérêts et engagement de confidentialité acceptés ; "
            "intérêts déclarés : Conseil de Rimouski",
        ]
    ]
    # Une seconde acceptation des mêmes textes n'écrit rien.
    _accepter(appel, moteur, interets="autre chose")
    with moteur.connect() as c:
        assert len(stockage.lire_declarations(appel.id, connexion=c)) == 1
    assert len(_journal(moteur, appel, "declaration_comite")) == 1


def test_des_textes_changes_se_reacceptent(moteur, appel, monkeypatch):
    _accepter(appel, moteur)
    vrais = declarations.textes(appel)
    changes = replace(vrais, confidentialite=Texte(vrais.confidentialite.titre, "Nouveau texte."))
    monkeypatch.setattr(declarations, "textes", lambda _appel: changes)
    assert declarations.acceptation(appel, "p@x.ca", moteur=moteur) is None
    _accepter(appel, moteur)
    assert declarations.acceptation(appel, "p@x.ca", moteur=moteur)["empreinte"] == (
        changes.empreinte
    )


@pytest.mark.parametrize(
    ("role", "interets", "cases", "message"),
    [
        pytest.param(
            PRESIDENT,
            "aucun",
            {"interets_acceptes": False},
            "cochez « déclaration générale d'intérêts »",
            id="declaration-non-cochee",
        ),
        pytest.param(
            PRESIDENT,
            "aucun",
            {"confidentialite_acceptee": False},
            "cochez « engagement de confidentialité »",
            id="confidentialite-non-cochee",
        ),
        pytest.param(PRESIDENT, "  ", {}, "« aucun »", id="interets-vides"),
        pytest.param(PRESIDENT, "x" * 10_001, {}, "10000 au plus", id="interets-trop-longs"),
        pytest.param(EVALUATEUR, "aucun", {}, "seuls la présidence", id="evaluateur"),
    ],
)
def test_accepter_refuse(moteur, appel, role, interets, cases, message):
    with pytest.raises(declarations.ErreurDeclaration, match=message):
        _accepter(appel, moteur, role=role, interets=interets, **cases)
    assert declarations.acceptation(appel, "p@x.ca", moteur=moteur) is None
    assert _journal(moteur, appel, "declaration_comite").empty


def test_conflits_du_comite_dans_la_table_des_conflits(moteur, appel, demandes):
    """Un compte du comité et une personne sans compte déclarent un conflit ; celui d'un
    évaluateur reste aux attributions et n'est pas une récusation du comité."""
    creer_compte("p@x.ca", PRESIDENT, MOT_DE_PASSE, moteur=moteur, nom="Paule Présidente")
    creer_compte("o@x.ca", OBSERVATEUR, MOT_DE_PASSE, moteur=moteur, nom="Olivier Observateur")
    creer_compte("e@x.ca", EVALUATEUR, MOT_DE_PASSE, moteur=moteur, nom="Éva")
    t1, t2 = demandes["T-001"], demandes["T-002"]
    declarations.declarer_conflit(
        appel, t1, "o@x.ca", "son employeur", moteur=moteur, auteur="o@x.ca", maintenant=T
    )
    declarations.declarer_conflit(
        appel, t2, "  Jean   Tremblay ", "voisin", moteur=moteur, auteur="p@x.ca", maintenant=T
    )
    declarations.declarer_conflit(
        appel, t1, "e@x.ca", "ancien emploi", moteur=moteur, auteur="e@x.ca", maintenant=T
    )
    with pytest.raises(declarations.ErreurDeclaration, match="déjà inscrit"):
        declarations.declarer_conflit(appel, t1, "o@x.ca", "x", moteur=moteur, auteur="o@x.ca")
    with pytest.raises(declarations.ErreurDeclaration, match="raison"):
        declarations.declarer_conflit(appel, t2, "p@x.ca", " ", moteur=moteur, auteur="p@x.ca")
    with pytest.raises(declarations.ErreurDeclaration, match="nommez"):
        declarations.declarer_conflit(appel, t2, " ", "x", moteur=moteur, auteur="p@x.ca")

    assert sorted(
        (x["demande_id"], x["qui"], x["nom"], x["role"], x["raison"], x["date"])
        for x in declarations.recusations_du_comite(appel.id, moteur=moteur)
    ) == sorted(
        [
            (t1, "o@x.ca", "Olivier Observateur", "observation", "son employeur", T),
            (t2, "Jean Tremblay", "Jean Tremblay", "sans compte", "voisin", T),
        ]
    )
    assert [c["evaluateur"] for c in declarations.conflits_de_la_demande(t1, moteur=moteur)] == [
        "o@x.ca",
        "e@x.ca",
    ]
    journal = _journal(moteur, appel, "conflit")
    assert sorted(journal["evaluateur"]) == ["Jean Tremblay", "e@x.ca", "o@x.ca"]


def test_une_decision_inscrite_avant_la_declaration_est_signalee(moteur, appel, demandes):
    """La présidence décide de T-001 le 1er, puis déclare un conflit sur elle le 2 : la
    récusation porte la décision antérieure. Celle d'une autre personne, ou d'après la
    déclaration, ou sur une autre demande, n'y est pas."""
    creer_compte("p@x.ca", PRESIDENT, MOT_DE_PASSE, moteur=moteur, nom="Paule Présidente")
    t1, t2 = demandes["T-001"], demandes["T-002"]
    premier, deux, trois = (dt.datetime(2026, 11, j, 10, 0) for j in (1, 2, 3))
    with stockage.ecriture(moteur, stockage.decisions, lourde=False) as c:
        for d, quand, qui in (
            (t1, premier, "P@x.ca"),
            (t1, premier, "autre@x.ca"),
            (t1, trois, "p@x.ca"),
            (t2, premier, "p@x.ca"),
        ):
            stockage.ajouter_decision(
                {
                    "appel_id": appel.id,
                    "demande_id": d,
                    "decision": "liste d'attente",
                    "montant_an1": 0,
                    "montant_an2": 0,
                    "date": quand,
                    "auteur": qui,
                },
                connexion=c,
            )
    declarations.declarer_conflit(
        appel, t1, "p@x.ca", "sa fille y travaille", moteur=moteur, auteur="p@x.ca", maintenant=deux
    )
    (r,) = declarations.recusations_du_comite(appel.id, moteur=moteur)
    assert r["decide_avant"] == [premier]


# --- Le procès-verbal d'une séance (issue 16, revue) ------------------------------------------


def _pv_de_la_seance(appel, moteur, seance_id):
    """Le procès-verbal d'une séance, lu comme pages/seance.py le lit
    (`sorties.proces_verbaux.contenu_de_la_seance`)."""
    import html
    import re

    from evaluation.decision import chargement, classement, conduite
    from evaluation.sorties.proces_verbal import proces_verbal
    from evaluation.sorties.proces_verbaux import contenu_de_la_seance

    s = next(x for x in conduite.seances(appel.id, moteur=moteur) if x.id == seance_id)
    donnees = chargement.charger(appel, moteur=moteur)
    table = classement.classement(appel, donnees)
    page = proces_verbal(
        contenu_de_la_seance(
            appel,
            donnees,
            table,
            moteur=moteur,
            seance_id=seance_id,
            jour=s.ouverte_le.date(),
            auteur="P",
        )
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _section(texte: str, debut: str, fin: str) -> str:
    i = texte.index(debut)
    return texte[i : texte.index(fin, i)]


def test_proces_verbal_d_une_seance_ses_decisions_et_ses_recusations(moteur, appel, campagne):
    """Revue, issue 16 : séance 1 (30 nov., le membre présent, T-001 discutée et refusée) ;
    séance 2 (1er déc., le membre déclare un conflit sur T-001, qui passe à « retenu »).
    Le procès-verbal de la séance 1 montre la décision du 30 nov. telle qu'inscrite, dit
    qu'une décision a été inscrite hors de la séance, et ne prétend pas que le membre est
    sorti de la salle : son conflit, déclaré après, est signalé à part. Celui de la
    séance 2 montre la décision du 1er déc. et compte le membre (absent) comme récusé."""
    from evaluation.decision import conduite, decisions

    p, m = "pres@x.ca", "membre@x.ca"
    creer_compte(p, PRESIDENT, MOT_DE_PASSE, moteur=moteur, nom="Présidente")
    creer_compte(m, "membre", MOT_DE_PASSE, moteur=moteur, nom="Membre Un")
    t1 = campagne["T-001"]
    j1 = dt.datetime(2026, 11, 30, 9, 0)
    s1 = conduite.ouvrir(
        appel, moteur=moteur, auteur=p, role=PRESIDENT, ordre="rang", presents=[p, m],
        maintenant=j1,
    )  # fmt: skip
    conduite.aller_a(
        appel, s1, t1, moteur=moteur, auteur=p, role=PRESIDENT,
        maintenant=j1 + dt.timedelta(minutes=1),
    )  # fmt: skip
    decisions.enregistrer_decision(
        appel, t1, "refusé", (), "projet trop faible", moteur=moteur, auteur=p,
        maintenant=j1 + dt.timedelta(minutes=5),
    )  # fmt: skip
    conduite.fermer(
        appel, s1, moteur=moteur, auteur=p, role=PRESIDENT,
        maintenant=j1 + dt.timedelta(minutes=10),
    )  # fmt: skip
    j2 = j1 + dt.timedelta(days=1)
    s2 = conduite.ouvrir(
        appel, moteur=moteur, auteur=p, role=PRESIDENT, ordre="rang", presents=[p],
        maintenant=j2,
    )  # fmt: skip
    declarations.declarer_conflit(
        appel, t1, m, "beau-frère maire", moteur=moteur, auteur=p, maintenant=j2
    )
    decisions.enregistrer_decision(
        appel, t1, "retenu", (2_000_000, 0), "revu le lendemain", moteur=moteur, auteur=p,
        maintenant=j2 + dt.timedelta(minutes=3),
    )  # fmt: skip
    conduite.fermer(
        appel, s2, moteur=moteur, auteur=p, role=PRESIDENT,
        maintenant=j2 + dt.timedelta(minutes=10),
    )  # fmt: skip

    premier = _pv_de_la_seance(appel, moteur, s1)
    decisions_1 = _section(
        premier, "Recommandations du comité inscrites pendant la séance", "Demandes discutées"
    )
    assert "(1)" in decisions_1 and "refusé" in decisions_1
    assert "projet trop faible" in decisions_1 and "Présidente" in decisions_1
    assert "retenu" not in decisions_1 and "revu le lendemain" not in decisions_1
    assert "1 décision inscrite hors de cette séance n'y figure pas" in decisions_1
    assert "Retenues pendant la séance : 0" in decisions_1
    assert "Récusations (0)" in premier
    assert "sorti de la salle" not in premier
    tardifs = _section(
        premier, "Conflits déclarés après la séance (1)", "Conflits d'intérêts levés"
    )
    assert "Membre Un" in tardifs and "beau-frère maire" in tardifs
    assert (
        "conflit déclaré après cette séance, où la personne était présente : la délibération "
        "de la demande est à revoir" in tardifs
    )

    second = _pv_de_la_seance(appel, moteur, s2)
    decisions_2 = _section(
        second, "Recommandations du comité inscrites pendant la séance", "Demandes discutées"
    )
    assert "retenu" in decisions_2 and "revu le lendemain" in decisions_2
    assert "refusé" not in decisions_2
    assert "Retenues pendant la séance : 1" in decisions_2
    recusations_2 = _section(second, "Récusations (1)", "Conflits d'intérêts levés")
    assert "Membre Un" in recusations_2 and "absent de la séance" in recusations_2
    assert "Conflits déclarés après la séance" not in second


def test_conflit_leve_en_seance_au_proces_verbal(moteur, appel, campagne):
    """Revue, issue 16 : le conflit d'un membre levé pendant la séance, par une autre
    personne et avec sa raison, figure au procès-verbal de cette séance (qui, pourquoi) ;
    pas à celui d'une autre séance. Lever son propre conflit est refusé ; lever celui d'un
    membre sans raison aussi."""
    from evaluation.decision import conduite
    from evaluation.notes import attributions
    from evaluation.notes.repartition import ErreurAttribution

    p, adm = "pres@x.ca", "admin@x.ca"
    creer_compte(p, PRESIDENT, MOT_DE_PASSE, moteur=moteur, nom="Présidente")
    creer_compte(adm, "admin", MOT_DE_PASSE, moteur=moteur, nom="Ada Admin")
    t1 = campagne["T-001"]
    j1 = dt.datetime(2026, 11, 30, 9, 0)
    declarations.declarer_conflit(
        appel, t1, adm, "sœur mairesse", moteur=moteur, auteur=adm, maintenant=j1
    )
    s1 = conduite.ouvrir(
        appel, moteur=moteur, auteur=p, role=PRESIDENT, ordre="rang", presents=[p, adm],
        maintenant=j1 + dt.timedelta(minutes=1),
    )  # fmt: skip
    with pytest.raises(ErreurAttribution, match="propre conflit"):
        attributions.retirer_conflit(
            appel.id, t1, adm, moteur=moteur, auteur=" Admin@X.ca ", motif="je me lève"
        )
    with pytest.raises(ErreurAttribution, match="raison"):
        attributions.retirer_conflit(appel.id, t1, adm, moteur=moteur, auteur=p, motif="  ")
    assert len(declarations.recusations_du_comite(appel.id, moteur=moteur)) == 1
    attributions.retirer_conflit(
        appel.id, t1, adm, moteur=moteur, auteur=p, motif="la sœur a quitté le conseil",
        maintenant=j1 + dt.timedelta(minutes=4),
    )  # fmt: skip
    conduite.fermer(
        appel, s1, moteur=moteur, auteur=p, role=PRESIDENT,
        maintenant=j1 + dt.timedelta(minutes=10),
    )  # fmt: skip
    assert declarations.recusations_du_comite(appel.id, moteur=moteur) == []
    levees = declarations.levees_du_comite(appel.id, moteur=moteur)
    assert [(x["qui"], x["nom"], x["raison"], x["motif"], x["auteur"]) for x in levees] == [
        (adm, "Ada Admin", "sœur mairesse", "la sœur a quitté le conseil", p)
    ]
    assert (
        declarations.levees_du_comite(appel.id, moteur=moteur, depuis=j1 + dt.timedelta(minutes=5))
        == []
    )
    assert (
        declarations.levees_du_comite(appel.id, moteur=moteur, jusqu_a=j1 + dt.timedelta(minutes=3))
        == []
    )
    page = _pv_de_la_seance(appel, moteur, s1)
    levees_pv = _section(page, "Conflits d'intérêts levés pendant la séance (1)", "Totaux par")
    assert "Ada Admin" in levees_pv and "sœur mairesse" in levees_pv
    assert "Présidente" in levees_pv and "la sœur a quitté le conseil" in levees_pv
    s2 = conduite.ouvrir(
        appel, moteur=moteur, auteur=p, role=PRESIDENT, ordre="rang", presents=[p],
        maintenant=j1 + dt.timedelta(days=1),
    )  # fmt: skip
    assert "Conflits d'intérêts levés pendant la séance (0)" in _pv_de_la_seance(appel, moteur, s2)


def test_un_conflit_leve_ensuite_reste_une_recusation_de_la_seance(moteur, appel, demandes):
    """Revue de l'issue 16 : le conflit du membre sur T-002, déclaré avant la séance du 30 et
    levé le lendemain, reste une récusation de la séance du 30 (lue avec
    `en_vigueur_depuis`), avec la date de sa levée ; un conflit levé avant la séance n'en
    est pas une ; sans `en_vigueur_depuis`, seuls les conflits en vigueur."""
    from evaluation.notes import attributions

    creer_compte("m@x.ca", MEMBRE_ROLE, MOT_DE_PASSE, moteur=moteur, nom="Marc Membre")
    t1, t2 = demandes["T-001"], demandes["T-002"]
    seance_du_30 = dt.datetime(2026, 11, 30, 9, 0)
    lendemain = seance_du_30 + dt.timedelta(days=1)
    declarations.declarer_conflit(
        appel, t2, "m@x.ca", "cousin", moteur=moteur, auteur="m@x.ca",
        maintenant=seance_du_30 - dt.timedelta(hours=1),
    )  # fmt: skip
    declarations.declarer_conflit(
        appel, t1, "m@x.ca", "ancien", moteur=moteur, auteur="m@x.ca",
        maintenant=seance_du_30 - dt.timedelta(days=3),
    )  # fmt: skip
    attributions.retirer_conflit(
        appel.id, t1, "m@x.ca", moteur=moteur, auteur="admin@x.ca", motif="erreur",
        maintenant=seance_du_30 - dt.timedelta(days=2),
    )  # fmt: skip
    attributions.retirer_conflit(
        appel.id, t2, "m@x.ca", moteur=moteur, auteur="admin@x.ca", motif="lien éloigné",
        maintenant=lendemain,
    )  # fmt: skip
    assert declarations.recusations_du_comite(appel.id, moteur=moteur) == []
    (r,) = declarations.recusations_du_comite(
        appel.id, moteur=moteur, en_vigueur_depuis=seance_du_30
    )
    assert (r["demande_id"], r["qui"], r["raison"]) == (t2, "m@x.ca", "cousin")
    assert (r["date"], r["levee"]) == (seance_du_30 - dt.timedelta(hours=1), lendemain)
