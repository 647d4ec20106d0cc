"""La page Séance du comité, telle que la projette la présidence : une demande à la fois dans
l'ordre du classement, ses notes par évaluateur et leurs commentaires, la recommandation et les
boutons de décision.

Le jeu est celui de test_classement (voir son en-tête) : T-002 rang 1, financé ; T-001 rang 2,
en liste d'attente ; T-003 sous le seuil ; enveloppe de 40 000 $ puis 35 000 $.
"""

import re

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.decision.declarations import acceptation as VRAIE_ACCEPTATION
from evaluation.decision.portefeuille import LIGNE, NOTIONS, RECOMMANDATIONS, RESTANTS
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, MEMBRE, OBSERVATEUR, PRESIDENT
from tests.pages.conftest import bilan, compter_appels, textes
from tests.pages.test_classement import (
    COMMENTAIRE_CRITERE,
    COMMENTAIRE_GLOBAL,
    EVA,
    LUC,
    NOMS,
    VALIDE,
    ZOE,
    dollars,
    preparer,
)

PAGE = "pages/seance.py"
# Sous les notes de chaque évaluateur : leur moyenne, puis la note de consensus (issue 16).
APRES_LES_NOTES = ["Note (moyenne des évaluateurs)", "Note de consensus"]
BOUTONS_DECISION = ("seance_retenir", "seance_attente", "seance_refuser")
ECART = (
    "Décision refusée : une décision qui s'écarte de la recommandation demande une justification."
)


@pytest.fixture
def jeu(base):
    return preparer(base)


@pytest.fixture
def appel(jeu):
    return jeu[0]


@pytest.fixture
def ids(jeu):
    return jeu[1]


@pytest.fixture
def ouvrir(application, jeu):
    def ouvrir_page(role=PRESIDENT):
        return application(PAGE, role=role)

    return ouvrir_page


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def cliquer(at, cle: str):
    at.button(key=cle).click()
    return executer(at)


def position(at) -> str:
    """« 1 / 2 » : le compteur entre Précédente et Suivante (du HTML centré)."""
    (texte,) = [
        re.sub(r"<[^>]+>", "", m.value) for m in at.markdown if "text-align:center" in m.value
    ]
    return texte


def titre(at) -> str:
    """L'intitulé de la demande affichée (st.header sous le titre « Séance du comité »), à
    défaut le titre de la page."""
    return (at.header or at.title)[0].value


def metriques(at) -> dict[str, str]:
    """Les métriques, et la position au classement : en texte qui passe à la ligne,
    une métrique étroite le coupait (« liste d'atte… »)."""
    valeurs = {m.label: m.value for m in at.metric}
    (statut,) = [
        m.value for m in at.markdown if m.value.startswith("**Position au classement** : ")
    ]
    valeurs["Statut"] = statut.removeprefix("**Position au classement** : ").replace("\\", "")
    return valeurs


def notes(at):
    """Le tableau des notes (st.table) : une ligne par évaluateur, puis leur note agrégée et
    la note de consensus (issue 16)."""
    return at.table[0].value


def montants(at):
    """Le tableau des montants côte à côte (st.table), une ligne par année."""
    return at.table[1].value


def decisions(moteur, appel) -> dict[int, tuple]:
    with moteur.connect() as c:
        lignes = stockage.lire_decisions(appel.id, connexion=c)
    return {
        int(d["demande_id"]): (
            d["decision"],
            d["montant_an1"],
            d["montant_an2"],
            d["justification"],
        )
        for d in lignes
    }


@pytest.mark.parametrize("role", [ADMIN, PRESIDENT])
def test_premiere_demande_notes_et_commentaires(ouvrir, role):
    at = ouvrir(role)
    assert position(at) == "1 / 2"
    assert titre(at) == "1. T-002 · Réseau estrien des villes apprenantes"
    assert "**Sherbrooke** · Estrie · projet conjoint" in [m.value for m in at.markdown]
    m = metriques(at)
    # Totaux des évaluateurs : 80 (Éva), 82,5 (Luc), 85 (Zoé) ; étendue 5.
    assert (m["Total"], m["Évaluations"], m["Étendue du total"], m["Statut"]) == (
        "82,50 / 100",
        "3 / 3",
        "5,00",
        "financé",
    )

    table = notes(at)
    assert list(table.index) == [NOMS[EVA], NOMS[LUC], NOMS[ZOE], *APRES_LES_NOTES]
    assert list(table["Pertinence"]) == ["5,00", "6,00", "7,00", "6,00", "—"]
    assert list(table["Visibilité"]) == ["9,00"] * 4 + ["—"]
    assert list(table.columns) == [
        "Pertinence",
        "Cohérence",
        "Qualité",
        "Caractère",
        "Capacité",
        "Visibilité",
    ]

    (commentaires,) = [e for e in at.expander if e.label.startswith("Commentaires")]
    assert commentaires.label == "Commentaires des évaluateurs (2)"
    assert commentaires.markdown[0].value == (
        f"**{NOMS[EVA]}**, Pertinence et retombées : {COMMENTAIRE_CRITERE}\n\n"
        f"**{NOMS[EVA]}** : {COMMENTAIRE_GLOBAL}"
    )
    assert dollars(
        "**Montant recommandé** : 30 000 $ (2024-2025) + 30 000 $ (2025-2026) · "
        "position au classement : financé"
    ) in [m.value for m in at.markdown]
    restant = bilan(at).loc[RESTANTS[LIGNE]]
    assert restant[["2024-2025", "2025-2026"]].tolist() == [dollars("10 000 $"), dollars("5 000 $")]
    assert not any(at.button(key=k).disabled for k in BOUTONS_DECISION)
    # Demandé, non admissible, budget admissible et recommandé côte à côte (« ne pourra pas
    # excéder 25 000 $ par année », plus les 5 000 $ de bonification fixés).
    t = montants(at)
    assert list(t.index) == ["2024-2025", "2025-2026"]
    assert t.loc["2024-2025", "Demandé"] == dollars("30 000 $")
    assert t.loc["2024-2025", "Non admissible"] == "0\u00a0$"
    assert t.loc["2024-2025", "Budget admissible"] == dollars("30 000 $")
    assert t.loc["2025-2026", "Recommandé"] == dollars("30 000 $")


def test_suivante_et_precedente(ouvrir):
    at = ouvrir()
    assert at.button(key="seance_prec").disabled
    assert not at.button(key="seance_suiv").disabled

    cliquer(at, "seance_suiv")
    assert position(at) == "2 / 2"
    assert titre(at) == "2. T-001 · Jumelage maritime Rimouski-Brest"
    assert metriques(at)["Statut"] == "liste d'attente"
    assert metriques(at)["Total"] == "77,50 / 100"
    assert list(notes(at)["Pertinence"]) == ["10,00"] * 4 + ["—"]
    assert not [e for e in at.expander if e.label.startswith("Commentaires")]
    assert at.button(key="seance_suiv").disabled
    assert not at.button(key="seance_prec").disabled

    cliquer(at, "seance_prec")
    assert position(at) == "1 / 2"
    assert titre(at).startswith("1. T-002")
    assert at.button(key="seance_prec").disabled


def test_retenir_au_montant_recommande(ouvrir, appel, ids, moteur):
    at = ouvrir()
    cliquer(at, "seance_retenir")
    assert "T-002 : retenu." in [s.value for s in at.success]
    # Conforme à la recommandation (financé, montants recommandés) : aucune justification.
    assert decisions(moteur, appel) == {ids["T-002"]: ("retenu", 3_000_000, 3_000_000, None)}
    assert any("**décision du comité : retenu**" in m.value for m in at.markdown)
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, demande_id=ids["T-002"])
    assert j.loc[j["objet"] == "decision", ["auteur", "nouveau"]].values.tolist() == [
        ["president@exemple.qc.ca", dollars("retenu (30 000 $, 30 000 $)")]
    ]


def test_decision_au_montant_d_avant_la_recommandation_modifiee(ouvrir, appel, ids, moteur):
    """Issue 16 : « retenu at 18 000 $, recommendation lowered to 15 000 $ : … Séance shows
    no amount ». La décision s'affiche avec son montant, et l'écart à la recommandation en
    vigueur est signalé ; « Retenir (montant recommandé) » la met au nouveau montant."""
    from evaluation.decision import decisions as operations
    from evaluation.decision import financement
    from tests.pages.conftest import rendu

    t002 = ids["T-002"]
    operations.enregistrer_decision(
        appel, t002, financement.RETENU, (3_000_000, 3_000_000), "",
        recommandation=(financement.FINANCE, (3_000_000, 3_000_000)),
        moteur=moteur, auteur="president@exemple.qc.ca",
    )  # fmt: skip
    operations.modifier_montant(
        appel, t002, 1, 2_000_000, "Volet retiré", moteur=moteur, auteur="p@x.ca"
    )
    at = executer(ouvrir())
    assert dollars("**décision du comité : retenu** (30 000 $ + 30 000 $)") in textes(at)
    (avertissement,) = [rendu(w.value) for w in at.warning if "≠" in w.value]
    assert avertissement.startswith(
        dollars(
            "montant accordé ≠ recommandation (accordé 30 000 $ + 30 000 $, recommandé "
            "20 000 $ + 30 000 $)"
        )
    )
    cliquer(at, "seance_retenir")
    assert decisions(moteur, appel)[t002][:3] == ("retenu", 2_000_000, 3_000_000)
    assert not any("≠" in w.value for w in at.warning)


def test_refuser_une_demande_financee_exige_une_justification(ouvrir, appel, ids, moteur):
    at = ouvrir()
    t002 = ids["T-002"]
    cliquer(at, "seance_refuser")
    assert ECART in [e.value for e in at.error]
    assert decisions(moteur, appel) == {}

    at.text_input(key=f"seance_justif::{t002}").set_value("Partenaire non confirmé")
    cliquer(at, "seance_refuser")
    assert "T-002 : refusé." in [s.value for s in at.success]
    assert decisions(moteur, appel) == {t002: ("refusé", 0, 0, "Partenaire non confirmé")}
    assert any("**décision du comité : refusé**" in m.value for m in at.markdown)


def test_liste_d_attente_conforme_pour_la_suivante(ouvrir, appel, ids, moteur):
    at = ouvrir()
    cliquer(at, "seance_suiv")
    # T-001 est sous la ligne : le retenir s'écarte de la recommandation...
    cliquer(at, "seance_retenir")
    assert ECART in [e.value for e in at.error]
    # ... le laisser en liste d'attente la suit.
    cliquer(at, "seance_attente")
    assert "T-001 : liste d'attente." in [s.value for s in at.success]
    assert decisions(moteur, appel) == {ids["T-001"]: ("liste d'attente", 0, 0, None)}
    assert position(at) == "2 / 2"


def test_inclure_les_demandes_hors_classement(ouvrir):
    at = ouvrir()
    at.toggle(key="seance_tout").set_value(True)
    executer(at)
    assert position(at) == "1 / 3"
    cliquer(at, "seance_suiv")
    cliquer(at, "seance_suiv")
    assert position(at) == "3 / 3"
    assert titre(at) == "T-003 · Mission mobilité durable à Puebla"  # pas de rang
    m = metriques(at)
    assert (m["Total"], m["Évaluations"], m["Statut"]) == ("50,00 / 100", "2 / 3", "sous le seuil")
    assert "total sous le seuil de 60" in [c.value for c in at.caption]
    assert list(notes(at).index) == [NOMS[EVA], NOMS[LUC], *APRES_LES_NOTES]
    assert dollars(
        "**Montant recommandé** : 18 000,50 $ (2024-2025) + 0 $ (2025-2026) · "
        "position au classement : sous le seuil"
    ) in ("\n".join(m.value for m in at.markdown))

    at.toggle(key="seance_tout").set_value(False)
    executer(at)
    assert position(at) == "2 / 2"
    assert titre(at).startswith("2. T-001")


def test_decisions_verrouillees(ouvrir, appel, moteur):
    at = ouvrir()
    assert not any(at.button(key=k).disabled for k in BOUTONS_DECISION)
    assert "Les décisions sont verrouillées." not in textes(at)

    attributions.verrouiller(
        appel.id, True, moteur=moteur, auteur="president", quoi="decisions_verrouillees"
    )
    executer(at)
    assert all(at.button(key=k).disabled for k in BOUTONS_DECISION)
    assert at.text_input(key="seance_justif::2").disabled
    assert "Les décisions sont verrouillées." in textes(at)
    # On parcourt toujours le classement.
    cliquer(at, "seance_suiv")
    assert position(at) == "2 / 2"
    assert all(at.button(key=k).disabled for k in BOUTONS_DECISION)


def test_aucune_demande_classee(application, base):
    appel = charger_appel()
    moteur = stockage.creer_moteur(base)
    importer(verifier_lot([(VALIDE.name, VALIDE)], appel), appel, moteur=moteur)
    moteur.dispose()
    at = application(PAGE)
    assert titre(at) == "Séance du comité"
    assert "Aucune demande classée pour l'instant : les évaluations soumises la classent." in [
        i.value for i in at.info
    ]
    assert not at.main.button and not at.table


def test_une_decision_prise_ailleurs_se_voit_a_la_reexecution(ouvrir, base, appel, ids):
    """Une décision inscrite par un autre serveur (un autre moteur sur la même base) paraît
    dès la réexécution suivante : la page ne garde pas un classement périmé."""
    from evaluation.decision import decisions, financement

    at = ouvrir()
    assert not any("décision actuelle" in m.value for m in at.markdown)
    ailleurs = stockage.creer_moteur(base)
    try:
        decisions.enregistrer_decision(
            appel,
            ids["T-002"],
            financement.RETENU,
            (3_000_000, 3_000_000),
            "",
            recommandation=("financé", (3_000_000, 3_000_000)),
            moteur=ailleurs,
            auteur="president@exemple.qc.ca",
        )
    finally:
        ailleurs.dispose()
    executer(at)
    assert any("**décision du comité : retenu**" in m.value for m in at.markdown)


def test_une_decision_ne_relit_ni_demandes_ni_notes(ouvrir, appel, ids, moteur, monkeypatch):
    """Pendant la séance, une décision refait le classement sans relire demandes, notes et
    évaluations (400 000 notes à 5 000 demandes) ; une écriture qui touche les évaluations
    (ici le verrouillage) les fait relire."""
    from evaluation.decision import chargement

    lectures = compter_appels(monkeypatch, chargement, "lire_lourdes")
    at = ouvrir()
    assert len(lectures) == 1
    cliquer(at, "seance_retenir")
    assert any("**décision du comité : retenu**" in m.value for m in at.markdown)
    executer(at)
    assert len(lectures) == 1
    attributions.verrouiller(appel.id, True, moteur=moteur, auteur="president@exemple.qc.ca")
    executer(at)
    assert len(lectures) == 2


# --- La séance : un ordre du jour que tout le monde suit (issue 16) -----------------------------


def ouvrir_la_seance(at, presents=(), libres="", ordre="rang"):
    """La présidence ouvre la séance depuis la page."""
    if presents:
        at.multiselect(key="seance_presents").set_value(list(presents))
    if libres:
        at.text_area(key="seance_libres").set_value(libres)
    at.selectbox(key="seance_ordre_ouverture").set_value(ordre)
    return cliquer(at, "seance_ouvrir")


def seance_stockee(moteur, appel):
    from evaluation.decision import conduite

    return conduite.seance_ouverte(appel.id, moteur=moteur)


def test_sans_seance_un_membre_attend_la_presidence(ouvrir):
    at = ouvrir(MEMBRE)
    assert titre(at) == "Séance du comité"
    assert "Aucune séance ouverte : cette page suivra la présidence dès l'ouverture." in [
        i.value for i in at.info
    ]
    assert not at.table and not at.main.button


def test_la_presidence_ouvre_avec_les_presents(ouvrir, appel, ids, moteur):
    at = ouvrir()
    ouvrir_la_seance(
        at, presents=[EVA, "president@exemple.qc.ca"], libres="Marie Roy, secrétaire\nJean Roy"
    )
    assert "Séance ouverte : les écrans des membres suivent." in [s.value for s in at.success]
    s = seance_stockee(moteur, appel)
    assert s.demande_courante == ids["T-002"] and s.ordre == "rang"
    assert [(p["courriel"], p["nom"], p["fonction"]) for p in s.presences] == [
        (EVA, None, None),
        ("president@exemple.qc.ca", None, None),
        (None, "Marie Roy", "secrétaire"),
        (None, "Jean Roy", None),
    ]
    assert position(at) == "1 / 2"
    assert titre(at).startswith("1. T-002")
    # La première demande est amenée en séance dès l'ouverture.
    assert [d for d, _ in s.amenees] == [ids["T-002"]]


def test_le_membre_suit_la_presidence(ouvrir, appel, ids, moteur):
    """Deux sessions sur la même base : la présidence avance, l'écran du membre montre la
    nouvelle demande à sa prochaine exécution (sur un serveur, le fragment la déclenche en
    deux secondes au plus : voir tests/navigateur/test_seance.py)."""
    presidence = ouvrir()
    ouvrir_la_seance(presidence)
    membre = ouvrir(MEMBRE)
    assert titre(membre).startswith("1. T-002")
    assert position(membre) == "1 / 2"
    # Le membre voit les notes de chaque évaluateur et leurs commentaires...
    assert list(notes(membre).index) == [NOMS[EVA], NOMS[LUC], NOMS[ZOE], *APRES_LES_NOTES]
    assert [e for e in membre.expander if e.label.startswith("Commentaires")]
    # ... mais ne consigne pas de décision, ni ne conduit la séance.
    assert not any(b.key in (*BOUTONS_DECISION, "seance_suiv") for b in membre.main.button)
    assert "La présidence consigne les décisions." in textes(membre)

    cliquer(presidence, "seance_suiv")
    assert seance_stockee(moteur, appel).demande_courante == ids["T-001"]
    assert titre(presidence).startswith("2. T-001")
    executer(membre)
    assert titre(membre).startswith("2. T-001")
    assert position(membre) == "2 / 2"


def test_le_membre_regarde_ailleurs_puis_revient(ouvrir, appel, ids, moteur):
    presidence = ouvrir()
    ouvrir_la_seance(presidence)
    membre = ouvrir(MEMBRE)
    membre.toggle(key="seance_ailleurs").set_value(True)
    executer(membre)
    cliquer(membre, "seance_suiv")  # sa propre navigation : rien n'est écrit
    assert titre(membre).startswith("2. T-001")
    assert seance_stockee(moteur, appel).demande_courante == ids["T-002"]
    # Recherche sans accents ni casse : « reseau » trouve « Réseau estrien ».
    membre.text_input(key="seance_cherche").set_value("reseau")
    executer(membre)
    cliquer(membre, f"seance_aller::{ids['T-002']}")
    assert titre(membre).startswith("1. T-002")
    # La présidence avance : le membre qui regarde ailleurs n'est pas déplacé, il lit où en
    # est la séance et revient d'un clic.
    cliquer(presidence, "seance_suiv")
    executer(membre)
    assert titre(membre).startswith("1. T-002")
    assert any("En séance : T-001" in i.value for i in membre.info)
    cliquer(membre, "seance_revenir")
    assert titre(membre).startswith("2. T-001")
    assert membre.toggle(key="seance_ailleurs").value is False


def test_la_presidence_saute_a_une_demande_par_la_recherche(ouvrir, appel, ids, moteur):
    at = ouvrir()
    ouvrir_la_seance(at)
    at.text_input(key="seance_cherche").set_value("RIMOUSKI")
    executer(at)
    assert [b.key for b in at.main.button if b.key.startswith("seance_aller::")] == [
        f"seance_aller::{ids['T-001']}"
    ]
    cliquer(at, f"seance_aller::{ids['T-001']}")
    assert titre(at).startswith("2. T-001")
    assert seance_stockee(moteur, appel).demande_courante == ids["T-001"]
    at.text_input(key="seance_cherche").set_value("introuvable")
    executer(at)
    assert "Aucune demande ne correspond." in textes(at)


def test_la_presidence_change_l_ordre(ouvrir, appel, moteur):
    at = ouvrir()
    ouvrir_la_seance(at)
    at.selectbox(key="seance_ordre").set_value("axe")
    executer(at)
    assert seance_stockee(moteur, appel).ordre == "axe"
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id, objets=["seance:ordre"])
    assert j[["ancien", "nouveau"]].values.tolist() == [["Rang", "Par axe"]]


def test_trier_un_bloc_puis_un_membre_le_ramene(ouvrir, appel, ids, moteur):
    presidence = ouvrir()
    ouvrir_la_seance(presidence)
    presidence.number_input(key="seance_bloc_de").set_value(2)
    presidence.number_input(key="seance_bloc_a").set_value(2)
    cliquer(presidence, "seance_trier")
    assert "Demandes marquées « non discutées, suivent le classement » : 1." in [
        s.value for s in presidence.success
    ]
    assert seance_stockee(moteur, appel).triage == {ids["T-001"]: "non discutée"}
    # L'ordre du jour ne compte plus T-001 : Suivante reste sur T-002.
    assert position(presidence) == "1 / 1"
    assert presidence.button(key="seance_suiv").disabled
    (triees,) = [e for e in presidence.expander if e.label.startswith("Non discutées")]
    assert triees.label == "Non discutées, suivent le classement (1)"

    membre = ouvrir(MEMBRE)
    cliquer(membre, f"seance_ramener::{ids['T-001']}")
    assert "T-001 ramenée à l'ordre du jour." in [s.value for s in membre.success]
    assert seance_stockee(moteur, appel).triage == {ids["T-001"]: "ramenée"}
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id, objets=["seance:ramenee"])
    assert j[["auteur", "nouveau"]].values.tolist() == [
        ["membre@exemple.qc.ca", "T-001 : ramenée à la discussion"]
    ]
    executer(presidence)
    assert position(presidence) == "1 / 2"


def test_l_observateur_suit_sans_notes_individuelles(ouvrir, appel):
    ouvrir_la_seance(ouvrir())
    at = ouvrir(OBSERVATEUR)
    assert titre(at).startswith("1. T-002")
    assert list(notes(at).index) == [*APRES_LES_NOTES]
    assert not [e for e in at.expander if e.label.startswith("Commentaires")]
    assert NOMS[EVA] not in textes(at)
    assert "Les notes de chaque évaluateur ne sont pas montrées à l'observation." in textes(at)
    assert not any(b.key.startswith("seance_ramener") for b in at.main.button)


def test_ce_que_montre_la_demande_en_cours(ouvrir, appel):
    at = ouvrir()
    t = textes(at)
    assert "**Axe** : Axe " in "\n".join(m.value for m in at.markdown)
    assert "**Secteur** : " in "\n".join(m.value for m in at.markdown)
    # Totaux en cours face à l'enveloppe (40 000 $ puis 35 000 $), puis la décision et son
    # montant.
    enveloppe = bilan(at)
    assert enveloppe["2024-2025"].tolist()[:3] == [
        dollars("40 000 $"),
        dollars("30 000 $"),  # sous la ligne de financement : T-002
        "—",  # aucune décision du comité encore
    ]
    assert dollars("(d'après le classement) : 30 000 $ en 2024-2025, 30 000 $ en 2025-2026.") in t
    cliquer(at, "seance_retenir")
    enveloppe = bilan(at)
    assert enveloppe.loc[NOTIONS[RECOMMANDATIONS], "2025-2026"] == dollars("30 000 $")
    assert enveloppe.loc[RESTANTS[RECOMMANDATIONS], "2025-2026"] == dollars("5 000 $")
    assert dollars("**décision du comité : retenu** (30 000 $ + 30 000 $)") in "\n".join(
        m.value for m in at.markdown
    )
    assert "Position au classement" in t
    # Un titre de page, comme les autres pages ; la demande en sous-titre.
    assert at.title[0].value == "Séance du comité"


def test_tout_trier_laisse_la_demande_en_cours_a_ramener(ouvrir, appel, ids, moteur):
    """Un bloc qui couvre tout l'ordre du jour : la demande en cours reste affichée, marquée
    « non discutée », et se ramène d'un clic ; Précédente et Suivante n'ont nulle part où
    aller."""
    at = ouvrir()
    ouvrir_la_seance(at)
    at.number_input(key="seance_bloc_de").set_value(1)
    at.number_input(key="seance_bloc_a").set_value(2)
    cliquer(at, "seance_trier")
    assert position(at) == "— / 0"
    assert titre(at).startswith("1. T-002")
    assert "Non discutée : la présidence l'a triée, elle suit le classement." in textes(at)
    assert at.button(key="seance_prec").disabled and at.button(key="seance_suiv").disabled
    cliquer(at, f"seance_ramener_courante::{ids['T-002']}")
    assert position(at) == "1 / 1"


def test_fermer_la_seance_dit_fermee_hors_de_l_expander_replie(ouvrir, appel, moteur):
    """« Séance fermée. » paraît là où était la conduite, au niveau de la page : pas dans
    l'expander « Ouvrir la séance », replié, où personne ne le verrait (issue 16)."""
    at = ouvrir()
    ouvrir_la_seance(at)
    cliquer(at, "seance_fermer")
    assert seance_stockee(moteur, appel) is None
    (ouverture,) = [e for e in at.expander if e.label == "Ouvrir la séance"]
    assert "Séance fermée." not in [s.value for s in ouverture.success]
    assert "Séance fermée." in [s.value for s in at.main.success]


def test_seance_d_un_appel_sans_axes_ni_secteurs(application, moteur):
    """Issue 18 : la séance d'un appel qui n'a que des dimensions montre chacune (libellés
    joints par « ; »), sans axe ni secteur, et n'offre pas l'ordre « par axe »."""
    from evaluation.decision import seance
    from tests.dimensions import appel_avec_dimensions, importer_et_noter

    appel = appel_avec_dimensions(sans_axes_ni_secteurs=True)
    importer_et_noter(moteur, appel)
    at = application(PAGE, role=PRESIDENT)
    assert seance.ORDRES[seance.PAR_AXE] not in at.selectbox(key="seance_ordre_ouverture").options
    at = ouvrir_la_seance(at)
    lu = textes(at)
    assert (
        "**Priorités transversales** : Protection de l'environnement ; Droits des femmes · "
        "**Type de financement** : Projets ponctuels"
    ) in lu
    assert "**Axe**" not in lu and "**Secteur**" not in lu


def test_le_titre_de_la_page_meme_avant_la_declaration(ouvrir, monkeypatch):
    """Issue 19 : la page Séance a son titre, comme les autres, dès la déclaration d'intérêts
    à signer (avant, l'écran d'un membre commençait par l'encadré jaune)."""
    from evaluation.decision import declarations

    monkeypatch.setattr(declarations, "acceptation", VRAIE_ACCEPTATION)
    at = ouvrir(MEMBRE)
    assert [t.value for t in at.title] == ["Séance du comité"]
    assert "Déclaration générale d'intérêts" in textes(at)
