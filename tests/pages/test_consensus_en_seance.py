"""La note de consensus en Séance (issue 16, point 4) : la présidence l'inscrit pour la
demande affichée, critère par critère avec ses motifs, à côté des notes de chaque évaluateur
et de leur moyenne ; un membre la lit sans pouvoir la changer ; le classement la suit avec
`[classement] note_retenue = "consensus"` et pas avec « moyenne » (réglage du comité).

Jeu de tests/pages/test_classement.py : T-002 rang 1 (82,5 / 100, financé), T-001 rang 2
(liste d'attente), T-003 sous le seuil ; seuil 60."""

from __future__ import annotations

import pytest

from evaluation.appels.configuration import appel_depuis_toml
from evaluation.decision import chargement, classement, conduite, seance
from evaluation.socle import stockage
from evaluation.socle.roles import MEMBRE, OBSERVATEUR, PRESIDENT
from tests.pages.test_classement import preparer

PAGE = "pages/seance.py"
PRESIDENCE = "president@exemple.qc.ca"
CRITERES = ("pertinence", "coherence", "qualite-dossier", "structurant", "capacite", "visibilite")
MOTIFS = "Le comité juge le montage financier fragile."


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def jeu(base):
    return preparer(base)


def _avec_note_retenue(base, appel, note_retenue):
    """L'appel stocké avec un autre réglage (comme le ferait la page Paramètres)."""
    assert 'note_retenue = "moyenne"' in appel.source_toml
    a = appel_depuis_toml(
        appel.source_toml.replace('note_retenue = "moyenne"', f'note_retenue = "{note_retenue}"'),
        "test",
    )
    assert a.note_retenue == note_retenue
    m = stockage.creer_moteur(base)
    try:
        with stockage.ecriture(m) as c:
            stockage.enregistrer_appel(a, connexion=c)
    finally:
        m.dispose()
    return a


def _formulaire(at):
    (formulaire,) = [e for e in at.expander if e.label == "Note de consensus (présidence)"]
    return formulaire


def _inscrire(at, d: int, note: float, motifs: str = MOTIFS):
    for c in CRITERES:
        at.number_input(key=f"seance_consensus::{d}::{c}").set_value(note)
    at.text_area(key=f"seance_consensus_motifs::{d}").set_value(motifs)
    at.button(key="seance_consensus").click()
    return executer(at)


def _notes(at):
    return at.table[0].value


def _consensus_stocke(moteur, appel) -> dict[tuple[int, str], float]:
    with moteur.connect() as c:
        return {
            (int(x["demande_id"]), x["critere"]): x["note"]
            for x in stockage.lire_consensus(appel.id, connexion=c)
        }


def test_la_presidence_inscrit_le_consensus_sans_changer_le_rang_avec_moyenne(
    application, jeu, moteur
):
    """« moyenne » (l'appel livré) : le formulaire propose la moyenne des évaluateurs ; le
    consensus inscrit s'affiche sous elle, le message est sous le bouton, et la demande garde
    son rang et son total."""
    appel, ids = jeu
    at = application(PAGE, role=PRESIDENT)
    assert at.header[0].value.startswith("1. T-002")
    t2 = ids["T-002"]
    # Moyennes de T-002 : pertinence 6 (5, 6, 7), visibilité 9.
    assert at.number_input(key=f"seance_consensus::{t2}::pertinence").value == 6.0
    assert at.number_input(key=f"seance_consensus::{t2}::visibilite").value == 9.0
    assert list(_notes(at).loc["Note de consensus"]) == ["—"] * len(CRITERES)

    _inscrire(at, t2, 2.0)
    assert _formulaire(at).success[0].value == "Consensus enregistré pour T-002."
    assert _consensus_stocke(moteur, appel) == {(t2, c): 2.0 for c in CRITERES}
    table = _notes(at)
    assert list(table.loc["Note de consensus"]) == ["2,00"] * len(CRITERES)
    assert table.loc["Note (moyenne des évaluateurs)", "Pertinence"] == "6,00"
    # Le rang ne bouge pas : la moyenne classe.
    assert at.header[0].value.startswith("1. T-002")
    assert at.metric[0].value == "82,50 / 100"
    legende = " ".join(c.value for c in at.caption)
    assert "total de consensus : 20,00 / 100" in legende
    assert "sans changer le rang" in legende
    assert any(m.value.startswith("**Motifs du consensus**") for m in at.markdown)


def test_le_classement_suit_le_consensus_avec_consensus(application, base, jeu, moteur):
    """« consensus » : T-002 inscrit à 2 sur chaque critère tombe à 20 / 100, sous le seuil ;
    T-001 passe en tête. Le Classement montre les deux notes, et « sans consensus » pour
    T-001 qui garde la moyenne de ses évaluateurs."""
    appel, ids = jeu
    a = _avec_note_retenue(base, appel, "consensus")
    at = application(PAGE, role=PRESIDENT)
    assert at.header[0].value.startswith("1. T-002")
    _inscrire(at, ids["T-002"], 2.0)
    assert at.header[0].value.startswith("1. T-001")

    table = classement.classement(a, chargement.charger(a, moteur=moteur)).set_index("no_demande")
    assert table.loc["T-002", "statut"] == classement.SOUS_SEUIL
    assert table.loc["T-002", "total"] == pytest.approx(20.0)
    assert table.loc["T-002", "total_evaluateurs"] == pytest.approx(82.5)

    page = application("pages/classement.py", role=PRESIDENT)
    classees = [d.value.set_index("No") for d in page.dataframe if "Note de consensus" in d.value]
    hors = next(t for t in classees if "T-002" in t.index)
    financees = next(t for t in classees if "T-001" in t.index)
    assert hors.loc[
        "T-002", ["Total", "Note (moyenne des évaluateurs)", "Note de consensus"]
    ].tolist() == [
        "20,00",
        "82,50",
        "20,00",
    ]
    assert financees.loc["T-001", "Note de consensus"] == "sans consensus"
    (regles,) = [e for e in page.expander if e.label == "Règles appliquées"]
    assert "**Note qui classe** : la note de consensus de la séance" in regles.markdown[0].value


def test_refus_sous_le_bouton(application, jeu, moteur):
    """Sans motifs : le refus est sous le bouton, rien n'est inscrit."""
    appel, ids = jeu
    at = application(PAGE, role=PRESIDENT)
    _inscrire(at, ids["T-002"], 7.0, motifs="")
    (refus,) = _formulaire(at).error
    assert refus.value.startswith("Consensus non enregistré : écrivez les motifs du consensus")
    assert _consensus_stocke(moteur, appel) == {}


@pytest.mark.parametrize("role", [MEMBRE, OBSERVATEUR])
def test_le_membre_lit_le_consensus_sans_le_changer(application, jeu, moteur, role):
    """Le membre (et l'observateur) suit la séance : il lit la note de consensus et ses
    motifs, sans formulaire ni bouton pour la changer."""
    appel, ids = jeu
    presidence = application(PAGE, role=PRESIDENT)
    _inscrire(presidence, ids["T-002"], 8.5)
    sid = conduite.ouvrir(
        appel, moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT, ordre=seance.RANG
    )
    conduite.aller_a(appel, sid, ids["T-002"], moteur=moteur, auteur=PRESIDENCE, role=PRESIDENT)
    at = application(PAGE, role=role)
    assert at.header[0].value.startswith("1. T-002")
    assert list(_notes(at).loc["Note de consensus"]) == ["8,50"] * len(CRITERES)
    (motifs,) = [m.value for m in at.markdown if m.value.startswith("**Motifs du consensus**")]
    assert motifs.endswith(MOTIFS)
    assert not [e for e in at.expander if e.label == "Note de consensus (présidence)"]
    assert not at.number_input
    assert all(b.key != "seance_consensus" for b in at.main.button)


def test_le_proces_verbal_liste_le_consensus_et_ses_motifs(application, jeu, fichiers_servis):
    """Le procès-verbal téléchargé de la Séance : la note de consensus à côté de celle des
    évaluateurs, et la section des consensus avec leurs motifs (lus au clic)."""
    _, ids = jeu
    at = application(PAGE, role=PRESIDENT)
    _inscrire(at, ids["T-002"], 8.5)
    _, contenu = fichiers_servis.lire(at, "pv_telecharger")
    page = contenu.decode("utf-8")
    assert "<h2>Notes de consensus (1)</h2>" in page
    section = page[page.index("<h2>Notes de consensus") : page.index("<h2>Récusations")]
    assert "<td>T-002</td>" + '<td class="nombre">8,50</td>' * len(CRITERES) in section
    assert f"<td>{MOTIFS}</td>" in section
