"""Les récusations en séance (issue 16, pages/composants/recusations.py) : sous le titre de
la demande courante, qui doit sortir de la salle ; la personne connectée en conflit lit que
ses décisions sont refusées, et le refus du serveur quand elle clique ; un conflit se
déclare depuis la séance ; le procès-verbal nomme les récusations.

Le jeu est celui de test_classement (voir son en-tête) : T-002 rang 1 (la première demande
de la séance), T-001 rang 2.
"""

from __future__ import annotations

import datetime as dt
import html

import pytest

from evaluation.decision import conduite, seance
from evaluation.decision.declarations import declarer_conflit
from evaluation.socle import stockage
from evaluation.socle.roles import OBSERVATEUR, PRESIDENT
from tests.pages.conftest import compte_de_test, rendu, textes
from tests.pages.test_classement import preparer

PAGE = "pages/seance.py"
PRESIDENCE = "president@exemple.qc.ca"
OBS = "observateur@exemple.qc.ca"
T = dt.datetime(2026, 11, 20, 14, 5)


@pytest.fixture
def jeu(base, moteur):
    """Le jeu, et des conflits sur T-002 : l'observateur (« son employeur ») et Jean
    Tremblay, sans compte (« voisin ») ; sur T-001 : la présidence (« sa sœur »)."""
    appel, ids = preparer(base)
    compte_de_test(base, PRESIDENT, nom="Paule Présidente")
    compte_de_test(base, OBSERVATEUR, nom="Olivier Observateur")
    for demande, qui, raison in [
        ("T-002", OBS, "son employeur"),
        ("T-002", "Jean Tremblay", "voisin"),
        ("T-001", PRESIDENCE, "sa sœur"),
    ]:
        declarer_conflit(appel, ids[demande], qui, raison, moteur=moteur, auteur=qui, maintenant=T)
    return appel, ids


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def ouvrir(application, presents=None, jeu=None, moteur=None):
    """La Séance de la présidence ; avec `presents`, une séance ouverte (en ordre de rang)
    où ils sont inscrits présents."""
    at = application(None, role=PRESIDENT)
    if presents is not None:
        appel, _ = jeu
        conduite.ouvrir(
            appel,
            moteur=moteur,
            auteur=PRESIDENCE,
            role=PRESIDENT,
            ordre=seance.RANG,
            presents=presents,
        )
    at.switch_page(PAGE)
    return executer(at)


def avertissements(at) -> list[str]:
    return [rendu(w.value) for w in at.warning]


def test_qui_sort_parmi_les_presents(application, jeu, moteur):
    at = ouvrir(application, [PRESIDENCE, OBS], jeu, moteur)
    assert at.header[0].value.startswith("1. T-002")
    assert (
        "**Doivent sortir de la salle pendant cette demande** : Olivier Observateur "
        "(observation), son employeur"
    ) in avertissements(at)
    # Jean Tremblay n'est pas inscrit présent : il n'a pas à sortir.
    assert "Jean Tremblay" not in textes(at)
    # La présidence n'est pas en conflit sur T-002 : elle décide.
    assert not at.button(key="seance_retenir").disabled
    assert not any("Vous avez déclaré" in e.value for e in at.error)


def test_sans_presences_inscrites_chaque_conflit_est_nomme(application, jeu):
    at = ouvrir(application)
    (avertissement,) = [a for a in avertissements(at) if "Conflits d'intérêts" in a]
    assert avertissement == (
        "**Conflits d'intérêts déclarés sur cette demande** (présences non inscrites) : "
        "Olivier Observateur (observation), son employeur ; Jean Tremblay (sans compte), "
        "voisin. Ces personnes sortent de la salle pendant sa délibération."
    )


def test_la_presidence_en_conflit_sort_et_ne_voit_pas_le_dossier(application, jeu, moteur):
    """Sur T-001, la présidence est en conflit : elle le lit sous le titre ; son écran ne
    montre ni notes, ni commentaires, ni montants, ni boutons de décision (le serveur les
    refuserait : tests/decision/test_decisions_comite.py) ; elle passe à la suivante."""
    _, ids = jeu
    at = ouvrir(application, [PRESIDENCE, OBS], jeu, moteur)
    assert at.table, "T-002 : le dossier est montré"
    at.button(key="seance_suiv").click()
    executer(at)
    assert at.header[0].value.startswith("2. T-001")
    assert (
        "**Doivent sortir de la salle pendant cette demande** : Paule Présidente "
        "(présidence), sa sœur"
    ) in avertissements(at)
    assert any(
        rendu(e.value).startswith(
            "Vous avez déclaré un conflit d'intérêts sur cette demande (sa sœur) : vos "
            "décisions sur elle sont refusées."
        )
        for e in at.error
    )
    assert any("son dossier (notes, commentaires" in i.value for i in at.info)
    assert not at.table  # ni notes, ni montants, ni totaux
    cles = {b.key for b in at.button}
    assert not cles & {"seance_retenir", "seance_attente", "seance_refuser"}
    assert f"seance_justif::{ids['T-001']}" not in {t.key for t in at.text_input}
    assert not any("Commentaires des évaluateurs" in e.label for e in at.expander)
    # La navigation reste : elle revient à T-002, où tout reparaît.
    at.button(key="seance_prec").click()
    executer(at)
    assert at.header[0].value.startswith("1. T-002") and at.table


def test_declarer_un_conflit_en_seance(application, jeu, moteur):
    _, ids = jeu
    at = ouvrir(application, [PRESIDENCE], jeu, moteur)
    t002 = ids["T-002"]
    at.text_input(key=f"conflit_seance_raison::{t002}").set_value("  ")
    at.button(key="conflit_seance_declarer").click()
    executer(at)
    assert any("Conflit non déclaré" in e.value for e in at.error)
    at.text_input(key=f"conflit_seance_raison::{t002}").set_value("mon conjoint y siège")
    at.button(key="conflit_seance_declarer").click()
    executer(at)
    assert (
        "**Doivent sortir de la salle pendant cette demande** : Paule Présidente "
        "(présidence), mon conjoint y siège"
    ) in avertissements(at)
    assert "conflit_seance_declarer" not in {b.key for b in at.button}
    with moteur.connect() as c:
        conflits = stockage.lire_conflits_de_la_demande(t002, connexion=c)
    assert (PRESIDENCE, "mon conjoint y siège") in [
        (x["evaluateur"], x["raison"]) for x in conflits
    ]


def test_proces_verbal_nomme_les_recusations(application, jeu, fichiers_servis, moteur):
    at = ouvrir(application, [PRESIDENCE, OBS], jeu, moteur)
    _, contenu = fichiers_servis.lire(at, "pv_telecharger")
    page = contenu.decode("utf-8")
    assert "<h2>Récusations (3)</h2>" in page
    section = page[page.index("<h2>Récusations") : page.index("<h2>Totaux par axe")]
    # Dans l'ordre du classement : T-002 (ses deux conflits, par nom), puis T-001.
    assert [section.index(n) for n in ("Jean Tremblay", "Olivier Observateur", "Paule")] == sorted(
        section.index(n) for n in ("Jean Tremblay", "Olivier Observateur", "Paule")
    )
    assert (
        "<td>observation</td><td>son employeur</td><td>20 novembre 2026</td>"
        "<td>présent à la séance, sorti de la salle</td>"
    ) in section
    assert (
        "<td>sans compte</td><td>voisin</td><td>20 novembre 2026</td><td>absent de la séance</td>"
    ) in section
    assert "<td>présidence</td><td>sa sœur</td>" in section


def test_proces_verbal_en_pdf_a_cote_du_html(application, jeu, fichiers_servis, moteur, tmp_path):
    """Issue 17 : à côté du HTML, le PDF/A écrit au clic (données différées), avec les
    récusations de la séance, le lieu saisi au bloc de signature, et le classeur du comité
    joint."""
    import pikepdf

    from tests.sorties.test_proces_verbal import en_clair

    at = ouvrir(application, [PRESIDENCE, OBS], jeu, moteur)
    html_, pdf = (b for b in at.get("download_button") if b.key.startswith("pv_telecharger"))
    assert (html_.key, pdf.key) == ("pv_telecharger", "pv_telecharger_pdf")
    assert pdf.proto.deferred_file_id  # écrit au clic, pas à chaque exécution de la page
    assert "PDF/A" in pdf.label
    at.text_input(key="pv_lieu").set_value("Québec")
    executer(at)
    nom, contenu = fichiers_servis.lire(at, "pv_telecharger_pdf")
    assert nom.endswith(".pdf") and contenu.startswith(b"%PDF-1.7")
    chemin = tmp_path / nom
    chemin.write_bytes(contenu)
    texte = en_clair(chemin)
    assert "Récusations (3)" in texte and "Olivier Observateur" in texte
    assert "Fait à Québec, le" in texte
    assert "Présidence du comité Paule Présidente" in texte
    lecteur = pikepdf.open(chemin)
    assert lecteur.open_metadata()["pdfaid:conformance"] == "B"
    (joint,) = lecteur.attachments
    assert joint.endswith(".xlsx")


def test_la_presidence_inscrit_le_conflit_d_une_personne_sans_compte(application, jeu, moteur):
    """Marie Roy, secrétaire sans compte, déclare de vive voix un conflit sur T-002 : la
    présidence l'inscrit ; elle doit alors sortir. Les personnes déjà en conflit ne sont pas
    proposées."""
    appel, ids = jeu
    conduite.ouvrir(
        appel,
        moteur=moteur,
        auteur=PRESIDENCE,
        role=PRESIDENT,
        ordre=seance.RANG,
        presents=[PRESIDENCE, OBS],
        sans_compte=[("Marie Roy", "secrétaire du comité")],
    )
    at = application(None, role=PRESIDENT)
    at.switch_page(PAGE)
    executer(at)
    cle = f"conflit_present::{ids['T-002']}"
    assert at.selectbox(key=f"{cle}_qui").options == [
        "Paule Présidente (présidence)",
        "Marie Roy (sans compte)",
    ]
    at.selectbox(key=f"{cle}_qui").set_value("Marie Roy")
    at.text_input(key=f"{cle}_raison").set_value("son frère est maire")
    at.button(key=f"{cle}_inscrire").click()
    executer(at)
    assert any("Conflit d'intérêts de Marie Roy inscrit" in rendu(s.value) for s in at.success)
    assert any("Marie Roy (sans compte), son frère est maire" in a for a in avertissements(at))
    with moteur.connect() as c:
        conflits = stockage.lire_conflits_de_la_demande(ids["T-002"], connexion=c)
    assert ("Marie Roy", "son frère est maire", PRESIDENCE) in [
        (x["evaluateur"], x["raison"], x["auteur"]) for x in conflits
    ]


def test_un_observateur_n_inscrit_pas_le_conflit_d_un_autre(application, jeu, moteur):
    appel, _ = jeu
    conduite.ouvrir(
        appel, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT, ordre=seance.RANG,
        presents=[PRESIDENCE],
    )  # fmt: skip
    at = application(None, role=OBSERVATEUR)
    at.switch_page(PAGE)
    executer(at)
    assert not [b for b in at.button if str(b.key).startswith("conflit_present")]


def test_le_proces_verbal_d_une_seance_choisie(application, jeu, moteur, fichiers_servis):
    """Deux séances : la première avec l'observateur, la seconde (ouverte) avec la
    présidence seule. Le procès-verbal de la première nomme ses présents."""
    appel, _ = jeu
    premiere = conduite.ouvrir(
        appel, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT, ordre=seance.RANG,
        presents=[OBS], maintenant=dt.datetime(2026, 11, 23, 9, 0),
    )  # fmt: skip
    conduite.fermer(appel, premiere, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT)
    conduite.ouvrir(
        appel, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT, ordre=seance.RANG,
        presents=[PRESIDENCE],
    )  # fmt: skip
    at = application(None, role=PRESIDENT)
    at.switch_page(PAGE)
    executer(at)
    choix = at.selectbox(key="pv_seance")
    assert choix.value.ouverte and len(choix.options) == 2
    assert choix.options[1] == "Séance du 23 novembre 2026 à 9 h 00"
    _, contenu = fichiers_servis.lire(at, "pv_telecharger")
    assert "<li>Paule Présidente</li>" in contenu.decode("utf-8")
    assert "Olivier Observateur</li>" not in contenu.decode("utf-8")
    choix.set_value(next(s for s in conduite.seances(appel.id, moteur=moteur) if s.id == premiere))
    executer(at)
    page = fichiers_servis.lire(at, "pv_telecharger")[1].decode("utf-8")
    assert "<li>Olivier Observateur</li>" in page and "<li>Paule Présidente</li>" not in page


def test_declarer_apres_avoir_decide_signale_la_decision(application, jeu, moteur):
    """La présidence a décidé de T-002, puis déclare un conflit sur elle : le message dit
    que le comité doit revoir la décision."""
    appel, ids = jeu
    with stockage.ecriture(moteur, stockage.decisions, lourde=False) as c:
        stockage.ajouter_decision(
            {
                "appel_id": appel.id, "demande_id": ids["T-002"], "decision": "liste d'attente",
                "montant_an1": 0, "montant_an2": 0, "date": dt.datetime(2026, 11, 21, 10, 0),
                "auteur": PRESIDENCE,
            },
            connexion=c,
        )  # fmt: skip
    at = ouvrir(application, [PRESIDENCE], jeu, moteur)
    at.text_input(key=f"conflit_seance_raison::{ids['T-002']}").set_value("ma sœur y siège")
    at.button(key="conflit_seance_declarer").click()
    executer(at)
    assert any(
        "avait été inscrite par cette personne (21 novembre 2026) : le comité doit la revoir"
        in rendu(s.value)
        for s in at.success
    )


def test_le_membre_en_conflit_ne_voit_pas_le_dossier(application, base, jeu, moteur):
    """Un membre du comité déclare un conflit sur T-002, la demande en cours : son écran le
    fait sortir et ne montre ni les notes ni les commentaires des évaluateurs, ni les
    montants ; sur T-001 (sans conflit), il voit tout."""
    from evaluation.socle.roles import MEMBRE

    appel, ids = jeu
    membre = compte_de_test(base, MEMBRE, nom="Marc Membre")
    declarer_conflit(appel, ids["T-002"], membre, "son employeur", moteur=moteur, auteur=membre)
    sid = conduite.ouvrir(
        appel, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT, ordre=seance.RANG,
        presents=[PRESIDENCE, membre],
    )  # fmt: skip
    conduite.aller_a(appel, sid, ids["T-002"], moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT)
    at = application(None, role=MEMBRE)
    at.switch_page(PAGE)
    executer(at)
    assert at.header[0].value.startswith("1. T-002")
    assert any("son dossier (notes, commentaires" in i.value for i in at.info)
    assert not at.table and not at.metric
    assert not any("**Position au classement**" in x.value for x in at.markdown)
    assert not any("Total des évaluateurs" in x.value for x in at.caption)
    assert not any("Commentaires des évaluateurs" in e.label for e in at.expander)
    conduite.aller_a(appel, sid, ids["T-001"], moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT)
    executer(at)
    assert at.header[0].value.startswith("2. T-001")
    assert at.table and at.metric
    assert not any("son dossier (notes" in i.value for i in at.info)


def test_le_proces_verbal_d_une_seance_a_ses_decisions_et_pas_les_conflits_d_apres(
    application, jeu, moteur, fichiers_servis
):
    """Revue, issue 16 : séance du 23 novembre (l'observateur présent, T-002 refusée),
    puis, le lendemain, T-002 passe à « retenu » et l'observateur déclare un conflit sur
    T-001. Le procès-verbal du 23 novembre montre le refus du 23, compte la décision hors
    séance, et ne range pas ce conflit parmi les récusations (l'observateur n'est pas
    sorti de la salle pour T-001) : conflit déclaré après, délibération à revoir."""
    appel, ids = jeu
    debut = dt.datetime(2026, 11, 23, 9, 0)
    premiere = conduite.ouvrir(
        appel, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT, ordre=seance.RANG,
        presents=[PRESIDENCE, OBS], maintenant=debut,
    )  # fmt: skip
    for quand, decision, an1, pourquoi in (
        (debut + dt.timedelta(minutes=30), "refusé", 0, "refus du 23"),
        (debut + dt.timedelta(days=1), "retenu", 1_000_000, "revu le 24"),
    ):
        with stockage.ecriture(moteur, stockage.decisions, lourde=False) as c:
            stockage.ajouter_decision(
                {
                    "appel_id": appel.id, "demande_id": ids["T-002"], "decision": decision,
                    "montant_an1": an1, "montant_an2": 0, "justification": pourquoi,
                    "date": quand, "auteur": PRESIDENCE,
                },
                connexion=c,
            )  # fmt: skip
        if decision == "refusé":
            conduite.fermer(
                appel, premiere, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT,
                maintenant=debut + dt.timedelta(hours=2),
            )  # fmt: skip
    declarer_conflit(
        appel, ids["T-001"], OBS, "son frère y travaille", moteur=moteur, auteur=PRESIDENCE,
        maintenant=debut + dt.timedelta(days=1, hours=1),
    )  # fmt: skip
    at = application(None, role=PRESIDENT)
    at.switch_page(PAGE)
    executer(at)
    choix = at.selectbox(key="pv_seance")
    choix.set_value(next(s for s in conduite.seances(appel.id, moteur=moteur) if s.id == premiere))
    executer(at)
    page = html.unescape(fichiers_servis.lire(at, "pv_telecharger")[1].decode("utf-8"))
    assert (
        "Recommandations du comité inscrites pendant la séance, dans l'ordre du classement (1)"
        in page
    )
    assert "refus du 23" in page and "revu le 24" not in page
    assert "1 décision inscrite hors de cette séance" in page
    recusations, _, apres = page.partition("Conflits déclarés après la séance (1)")
    assert "Récusations (3)" in recusations and "son frère y travaille" not in recusations
    apres = apres.split("<h2>")[0]
    assert "Olivier Observateur" in apres and "son frère y travaille" in apres
    assert "la délibération de la demande est à revoir" in apres
    assert "sorti de la salle" not in apres
