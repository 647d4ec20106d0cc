"""Le tirage au sort dans la zone grise, page Portefeuille (issue 16, point 7 ; réglage du
comité [comite] tirage_zone_grise, l'appel n'en prévoit aucun ; modèle : le FNS).

Le jeu est celui de test_classement : T-002 (30 000 $ + 30 000 $) financée, T-001
(20 000 $) en liste d'attente, T-003 sous le seuil ; enveloppe de 40 000 $ puis 35 000 $.
Le bootstrap n'y voit aucune zone grise : ces tests la fixent (T-001 et T-002, les
classées). Aucune demande n'est gardée au-dessus de la zone : le reste est l'enveloppe
entière, où l'une des deux tient, pas les deux ; le sort choisit laquelle.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from evaluation.appels.configuration import appel_depuis_toml
from evaluation.commandes import main
from evaluation.decision import portefeuille, tirages
from evaluation.decision.classement import CLASSE
from evaluation.decision.tirage import tirer
from evaluation.socle import stockage
from evaluation.socle.formats import montant
from evaluation.socle.roles import OBSERVATEUR, PRESIDENT
from tests.pages.conftest import textes
from tests.pages.test_classement import preparer

PAGE = "pages/portefeuille.py"
SECTION = "Tirage au sort dans la zone grise"


def _stocker(url: str, appel, permis: bool):
    toml = appel.source_toml
    assert "tirage_zone_grise = false" in toml
    nouvel = appel_depuis_toml(
        toml.replace("tirage_zone_grise = false", f"tirage_zone_grise = {str(permis).lower()}"),
        "test",
    )
    moteur = stockage.creer_moteur(url)
    try:
        with stockage.ecriture(moteur) as connexion:
            stockage.enregistrer_appel(nouvel, connexion=connexion)
    finally:
        moteur.dispose()
    return nouvel


@pytest.fixture
def zone_des_classees(monkeypatch):
    """La zone grise du bootstrap remplacée par les demandes classées."""
    vraie = portefeuille.solidite

    def solidite(table, *args, **kwargs):
        resultat = vraie(table, *args, **kwargs)
        resultat["zone_grise"] = (table["statut"] == CLASSE).to_numpy()
        return resultat

    monkeypatch.setattr(portefeuille, "solidite", solidite)


@pytest.fixture
def permis(base, zone_des_classees):
    appel, ids = preparer(base)
    return _stocker(base, appel, True), ids


def _journal(moteur, appel):
    with moteur.connect() as c:
        return stockage.lire_journal(connexion=c, appel_id=appel.id, objets=["tirage"])


def _lu(at) -> str:
    """Le texte visible, sans gras ni code."""
    return textes(at).replace("**", "").replace("`", "")


def _executer(quoi):
    """Exécute la page (AppTest) ou le clic d'un bouton (`bouton.click()`)."""
    at = quoi.run()
    assert not at.exception, at.exception
    return at


def test_la_presidence_tire_au_sort_et_le_tirage_se_rejoue(
    application, permis, moteur, base, capsys
):
    appel, ids = permis
    at = application(PAGE, role=PRESIDENT)
    assert SECTION in [s.value for s in at.subheader]
    candidates = next(d.value for d in at.dataframe if "Recommandé 2024-2025" in d.value.columns)
    # Dans l'ordre du classement ; le tirage, lui, part des numéros triés.
    assert candidates[["No", "Rang"]].values.tolist() == [["T-002", 1], ["T-001", 2]]
    assert (
        f"Reste de l'enveloppe à tirer : 2024-2025 : {montant(4_000_000)} ; "
        f"2025-2026 : {montant(3_500_000)}"
    ) in _lu(at)
    assert "Aucun tirage au sort inscrit pour cet appel." in textes(at)

    at.text_input(key="pf_tirage_graine").set_value("2024")
    at = _executer(at.button(key="pf_tirage_tirer").click())

    (ligne,) = _journal(moteur, appel).to_dict("records")
    inscrit = json.loads(ligne["nouveau"])
    assert inscrit["graine"] == 2024
    assert [no for no, _ in inscrit["candidates"]] == ["T-001", "T-002"]
    assert inscrit["restant_avant"] == [4_000_000, 3_500_000]
    attendu = tirer(dict(inscrit["candidates"]), (4_000_000, 3_500_000), 2024, appel.mode_ligne)
    assert inscrit["gagnantes"] == list(attendu.gagnantes) and len(attendu.gagnantes) == 1
    (gagnante,) = attendu.gagnantes
    vus = _lu(at)
    assert "Tirage n° 1, graine 2024 (saisie par la présidence)" in vus
    assert inscrit["graine_saisie"] is True
    assert f"Gagnantes : {gagnante}" in vus
    assert f"{gagnante} (gagnante)" in vus
    historique = next(d.value for d in at.dataframe if "Rejeu" in d.value.columns)
    colonnes = ["N°", "Graine", "Graine saisie ou générée", "Candidates", "Gagnantes", "Rejeu"]
    assert historique[colonnes].to_dict("records") == [
        {
            "N°": 1,
            "Graine": "2024",
            "Graine saisie ou générée": "saisie",
            "Candidates": "T-001, T-002",
            "Gagnantes": gagnante,
            "Rejeu": "conforme",
        }
    ]

    # Le rejeu, par la fonction de la commande `tirage verifier`, puis par la commande.
    (v,) = tirages.verifier(moteur=moteur, appel_id=appel.id)
    assert v.conforme
    assert main(["--base", base, "tirage", "verifier"]) == 0
    assert ": conforme." in capsys.readouterr().out

    # Le résultat devient décisions : la gagnante retenue, l'autre en liste d'attente.
    at = _executer(at.button(key="pf_tirage_inscrire").click())
    assert "Tirage n° 1 : décisions inscrites au journal : 2." in textes(at)
    # Les deux candidates ont leur décision : plus rien à tirer.
    assert "Aucune demande en zone grise sans décision" in textes(at)
    assert not [b for b in at.button if b.key == "pf_tirage_tirer"]
    # Inscrit : le bouton s'efface (un second clic réécrirait les mêmes décisions).
    assert not [b for b in at.button if b.key == "pf_tirage_inscrire"]
    with moteur.connect() as c:
        faites = {int(d["demande_id"]): d for d in stockage.lire_decisions(appel.id, connexion=c)}
    perdante = next(no for no in ("T-001", "T-002") if no != gagnante)
    assert faites[ids[gagnante]]["decision"] == "retenu"
    assert faites[ids[perdante]]["decision"] == "liste d'attente"
    assert faites[ids[gagnante]]["justification"] == "Tirage au sort n° 1, graine 2024"

    # Une entrée du journal altérée (l'autre gagnante) n'est plus conforme.
    inscrit["gagnantes"] = [perdante]
    with moteur.begin() as c:
        c.execute(
            sa.update(stockage.journal)
            .where(stockage.journal.c.id == int(ligne["id"]))
            .values(nouveau=json.dumps(inscrit))
        )
    (v,) = tirages.verifier(moteur=moteur, appel_id=appel.id)
    assert not v.conforme
    assert v.ecarts[0] == f"gagnantes : inscrit {perdante} ; rejoué {gagnante}."
    assert main(["--base", base, "tirage", "verifier"]) == 1
    assert "NON CONFORME" in capsys.readouterr().out
    at = _executer(at)
    historique = next(d.value for d in at.dataframe if "Rejeu" in d.value.columns)
    assert historique["Rejeu"].iloc[0].startswith("NON CONFORME : gagnantes : inscrit ")


def test_graine_generee_et_graine_fautive(application, permis, moteur):
    appel, _ = permis
    at = application(PAGE, role=PRESIDENT)
    at.text_input(key="pf_tirage_graine").set_value("douze")
    at = _executer(at.button(key="pf_tirage_tirer").click())
    assert [e.value for e in at.error] == [
        "Tirage refusé : graine « douze » : un nombre entier positif est attendu (chiffres "
        "seulement), ou laissez le champ vide pour en générer une."
    ]
    assert _journal(moteur, appel).empty
    at.text_input(key="pf_tirage_graine").set_value("")
    at = _executer(at.button(key="pf_tirage_tirer").click())
    (ligne,) = _journal(moteur, appel).to_dict("records")
    graine = json.loads(ligne["nouveau"])["graine"]
    assert 0 <= graine < 2**63
    assert f"graine `{graine}` (générée)" in "\n".join(m.value for m in at.markdown)


def test_un_nouveau_tirage_demande_une_raison(application, permis, moteur):
    """Un tirage inscrit fait foi : la page demande la raison d'un nouveau tirage, refuse
    sans elle (à côté du bouton), l'inscrit avec lui et la montre dans l'historique."""
    appel, _ = permis
    at = application(PAGE, role=PRESIDENT)
    assert not [t for t in at.text_area if t.key == "pf_tirage_raison"]
    at.text_input(key="pf_tirage_graine").set_value("5")
    at = _executer(at.button(key="pf_tirage_tirer").click())
    assert [t.key for t in at.text_area] == ["pf_tirage_raison"]
    assert "le tirage n° 1 fait foi" in at.text_area(key="pf_tirage_raison").label
    at = _executer(at.button(key="pf_tirage_tirer").click())
    (refus,) = [e.value for e in at.error]
    assert refus.startswith("Tirage refusé : un tirage est déjà inscrit pour cet appel (n° 1)")
    assert len(_journal(moteur, appel)) == 1
    at.text_area(key="pf_tirage_raison").set_value("une candidate manquait")
    at.text_input(key="pf_tirage_graine").set_value("")
    at = _executer(at.button(key="pf_tirage_tirer").click())
    assert not at.error
    second = json.loads(_journal(moteur, appel)["nouveau"].iloc[1])
    assert second["raison"] == "une candidate manquait" and second["graine_saisie"] is False
    assert "Raison du nouveau tirage : une candidate manquait" in _lu(at)
    historique = next(d.value for d in at.dataframe if "Rejeu" in d.value.columns)
    assert historique[["N°", "Graine saisie ou générée", "Raison"]].values.tolist() == [
        [2, "générée", "une candidate manquait"],
        [1, "saisie", ""],
    ]


def test_observateur_voit_sans_tirer(application, permis):
    at = application(PAGE, role=OBSERVATEUR)
    assert SECTION in [s.value for s in at.subheader]
    assert not [b for b in at.button if b.key == "pf_tirage_tirer"]
    assert not [t for t in at.text_input if t.key == "pf_tirage_graine"]


def test_rien_quand_l_appel_ne_le_permet_pas(application, base, zone_des_classees):
    appel, _ = preparer(base)
    _stocker(base, appel, False)
    at = application(PAGE, role=PRESIDENT)
    assert SECTION not in [s.value for s in at.subheader]
    assert not [b for b in at.button if b.key == "pf_tirage_tirer"]
    # (Le bandeau des réglages à confirmer nomme le réglage : seule la section se tait.)
    assert "Reste de l'enveloppe à tirer" not in _lu(at)
    assert "Aucun tirage au sort inscrit" not in _lu(at)


def test_rien_a_tirer_sans_zone_grise(application, base):
    """Le bootstrap du jeu ne voit aucune zone grise : la section le dit, sans bouton."""
    appel, _ = preparer(base)
    _stocker(base, appel, True)
    at = application(PAGE, role=PRESIDENT)
    assert "Aucune demande en zone grise sans décision : il n'y a rien à tirer au sort." in textes(
        at
    )
    assert not [b for b in at.button if b.key == "pf_tirage_tirer"]


def test_en_seance_la_presidence_tire_et_le_proces_verbal_le_consigne(
    application, permis, moteur, fichiers_servis
):
    """Page Séance : le volet du tirage (même section), puis le procès-verbal de la séance
    liste le tirage avec sa graine, ses candidates et ses gagnantes."""
    from tests.pages.test_seance import ouvrir_la_seance

    appel, _ = permis
    at = application("pages/seance.py", role=PRESIDENT)
    assert SECTION in [e.label for e in at.expander]
    at = ouvrir_la_seance(at)
    at.text_input(key="pf_tirage_graine").set_value("77")
    at = _executer(at.button(key="pf_tirage_tirer").click())
    (ligne,) = _journal(moteur, appel).to_dict("records")
    inscrit = json.loads(ligne["nouveau"])
    assert inscrit["graine"] == 77
    _, contenu = fichiers_servis.lire(at, "pv_telecharger")
    page = contenu.decode("utf-8")
    assert "Tirages au sort dans la zone grise (1)" in page
    assert "<td>77 (saisie)</td>" in page and "<td>T-001, T-002</td>" in page
    assert f"<td>{', '.join(inscrit['gagnantes'])}</td>" in page


def test_en_seance_rien_pour_un_membre(application, permis):
    from evaluation.socle.roles import MEMBRE

    at = application("pages/seance.py", role=MEMBRE)
    assert SECTION not in [e.label for e in at.expander]
