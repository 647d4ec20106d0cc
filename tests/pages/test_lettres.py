"""La page Lettres aux demandeurs (issue 17, point 2) : le compte par genre, les demandes sans
lettre nommées, l'aperçu d'une lettre, la génération (journalisée, archive ZIP), les modèles
(l'administration les remplace, un modèle hostile est refusé sous son contrôle)."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from evaluation.appels.configuration import charger_appel
from evaluation.decision import decisions, financement
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, PRESIDENT
from evaluation.sorties import lettres
from tests.ministere import approuver_les_recommandations
from tests.pages.conftest import textes
from tests.sorties import test_lettres as tl

pytestmark = pytest.mark.usefixtures("cadre_a_chaque_execution")

PAGE = "pages/lettres.py"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def appel():
    return charger_appel()


@pytest.fixture
def jeu(moteur, appel) -> dict[str, int]:
    return tl.construire_decisions(moteur, appel)


def _metriques(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_compte_par_genre_et_apercu(application, jeu):
    at = application(PAGE, role=ADMIN)
    assert at.title[0].value == "Lettres aux demandeurs"
    assert _metriques(at) == {
        "Acceptation": "2",
        "Liste d'attente": "0",
        "Refus : demande inadmissible": "0",
        "Refus : sous la ligne de financement": "1",
    }
    assert "sans décision" not in textes(at)
    # La première lettre, dans l'ordre du classement : l'acceptation de T-002.
    apercu = textes(at).replace(tl.NBSP, " ")
    assert "année financière 2024-2025 : 30 000 $" in apercu
    assert "année financière 2025-2026 : 25 000 $" in apercu
    at.selectbox(key="lettres_apercu").set_value(jeu["T-001"]).run()
    apercu = textes(at).replace(tl.NBSP, " ")
    assert "Pertinence et retombées" in apercu and "7,50 / 10" in apercu
    assert "e1@exemple.qc.ca" not in apercu
    paragraphes = tl_rendu("\n".join(m.value for m in at.markdown)).replace(tl.NBSP, " ")
    assert "Objet : Demande T-001" in paragraphes
    assert "{{" not in paragraphes and "{%" not in paragraphes


def test_la_preparation_n_est_pas_refaite_a_chaque_execution(
    application, jeu, moteur, appel, monkeypatch
):
    """Choisir l'aperçu ne relit pas toutes les notes de l'appel ; une écriture (ici une
    décision du ministère) refait la préparation."""
    from evaluation.decision import courrier
    from tests.pages.conftest import compter_appels

    preparations = compter_appels(monkeypatch, courrier, "preparer")
    at = application(PAGE, role=ADMIN)
    assert len(preparations) == 1
    at.selectbox(key="lettres_apercu").set_value(jeu["T-001"]).run()
    at.run()
    assert len(preparations) == 1
    approuver_les_recommandations(moteur, appel)
    at.run()
    assert len(preparations) == 2


def test_la_page_dit_la_raison_du_ministere_et_la_signature(application, jeu):
    at = application(PAGE, role=ADMIN)
    (entete,) = [c.value for c in at.caption if "sélection définitive" in c.value]
    assert "la lettre donne sa raison" in entete
    assert "n'est pas dite « sous la ligne »" in entete
    assert "signée du nom de l'autorité qui a décidé" in entete
    assert any("aucune mention à remplir entre crochets" in c.value for c in at.caption)


def test_modele_qui_grossirait_sans_fin_refuse_sous_son_controle(application, jeu, moteur, appel):
    """« {% set a = a ~ a %} » répété : un texte de 2^40 caractères ; refusé d'un message qui
    nomme le modèle et la balise, sous le bouton, sans rien garder."""
    at = application(PAGE, role=ADMIN)
    bombe = tl.modifie(
        lettres.modele_par_defaut(lettres.ACCEPTATION),
        "Madame, Monsieur,",
        "{% set a = titre %}" + "{% set a = a ~ a %}" * 40 + "{{ a|length }}",
    )
    at.get("file_uploader")[0].set_value(("doubles.docx", bombe, MIME_DOCX)).run()
    at.button(key=f"lettres_remplacer_{lettres.ACCEPTATION}").click().run()
    assert not at.exception, at.exception
    (refus,) = [e.value for e in at.error]
    assert "« doubles.docx »" in tl_rendu(refus) and "{% set %}" in tl_rendu(refus)
    assert courrier_par_defaut(moteur, appel)


def test_demandes_sans_decision_nommees(application, moteur, appel):
    tl.importer(tl.verifier_lot([(tl.VALIDE.name, tl.VALIDE)], appel), appel, moteur=moteur)
    tl.admettre(moteur, appel)
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
    ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))
    decisions.enregistrer_decision(
        appel, ids["T-002"], financement.LISTE_ATTENTE, (), "attente", moteur=moteur, auteur="a"
    )
    at = application(PAGE, role=PRESIDENT)
    # Recommandée par le comité seulement : pas encore de lettre (issue 17, point 1).
    assert _metriques(at)["Liste d'attente"] == "0"
    (alerte,) = [w.value for w in at.warning if "sans décision" in w.value]
    assert alerte.startswith("3 demandes sans décision du ministère n'ont pas de lettre : ")
    approuver_les_recommandations(moteur, appel)
    at.run()
    assert _metriques(at)["Liste d'attente"] == "1"
    (alerte,) = [w.value for w in at.warning if "sans décision" in w.value]
    assert alerte.startswith("2 demandes sans décision du ministère n'ont pas de lettre : ")
    assert "T-001" in alerte and "T-003" in alerte
    assert alerte.endswith(". L'autorité les décide à la page Décision du ministère.")
    # La présidence génère, mais ne remplace pas les modèles.
    assert not at.get("file_uploader")
    assert "Seule l'administration remplace un modèle." in textes(at)


def test_generer_docx_journalise_et_zip(application, jeu, moteur, appel):
    at = application(PAGE, role=PRESIDENT)
    assert "lettres_zip_docx" not in {b.key for b in at.get("download_button")}
    at.button(key="lettres_generer_docx").click().run()
    assert not at.exception, at.exception
    assert any(
        "3 lettres générées en DOCX (2 acceptations, 1 refus (sous la ligne))" in s.value
        for s in at.success
    )
    assert "lettres_zip_docx" in {b.key for b in at.get("download_button")}
    paquet = at.session_state["lettres_paquet_docx"]
    with zipfile.ZipFile(io.BytesIO(paquet.contenu)) as z:
        assert sorted(z.namelist()) == [
            "lettre-T-001-refus-sous-la-ligne.docx",
            "lettre-T-002-acceptation.docx",
            "lettre-T-003-acceptation.docx",
        ]
        assert "18 000 $" in tl.texte(z.read("lettre-T-003-acceptation.docx"))
    with moteur.connect() as c:
        lignes = stockage.lire_journal(connexion=c, appel_id=appel.id, objets=["lettres"])
    assert len(lignes) == 1
    assert lignes.iloc[0]["auteur"] == "president@exemple.qc.ca"
    assert json.loads(lignes.iloc[0]["nouveau"])["par_genre"] == {
        "acceptation": 2,
        "refus-sous-la-ligne": 1,
    }


def test_modele_hostile_refuse_sous_son_controle_puis_modele_valide_garde(
    application, jeu, moteur, appel
):
    at = application(PAGE, role=ADMIN)
    cle = f"lettres_fichier_{lettres.ACCEPTATION}_0"
    at.get("file_uploader")[0].set_value(("pdf.docx", b"%PDF-1.7 faux", MIME_DOCX)).run()
    assert at.get("file_uploader")[0].key == cle
    at.button(key=f"lettres_remplacer_{lettres.ACCEPTATION}").click().run()
    assert not at.exception, at.exception
    (refus,) = [e.value for e in at.error]
    assert "pdf.docx : ce n'est pas un document Word (.docx)" in tl_rendu(refus)
    assert courrier_par_defaut(moteur, appel)
    maison = tl.modifie(
        lettres.modele_par_defaut(lettres.ACCEPTATION),
        "Madame, Monsieur,",
        "Bonjour {{ municipalite }},",
    )
    at.get("file_uploader")[0].set_value(("maison.docx", maison, MIME_DOCX)).run()
    at.button(key=f"lettres_remplacer_{lettres.ACCEPTATION}").click().run()
    assert not at.exception, at.exception
    assert any("Modèle « maison.docx » gardé" in tl_rendu(s.value) for s in at.success)
    # La fonctionnaire lit la date du modèle, pas son empreinte (issue 19) : l'empreinte
    # est dans l'aide.
    vus = [tl_rendu(c.value) for c in at.caption]
    assert any("modèle de l'administration du " in c for c in vus), vus
    assert any(c.startswith("Modèle livré avec l'application") for c in vus), vus
    empreinte = re.compile(r"version [0-9a-f]{8}")
    assert not [c for c in vus if empreinte.search(c)], vus
    assert not [s.value for s in at.success if empreinte.search(s.value)]
    assert not courrier_par_defaut(moteur, appel)
    # L'aperçu (T-002, une acceptation, Sherbrooke) emploie le nouveau modèle.
    assert "Bonjour Sherbrooke," in tl_rendu("\n".join(m.value for m in at.markdown))
    at.button(key=f"lettres_retablir_{lettres.ACCEPTATION}").click().run()
    assert any("Modèle livré rétabli." in tl_rendu(s.value) for s in at.success)
    assert courrier_par_defaut(moteur, appel)


def tl_rendu(texte: str) -> str:
    from tests.pages.conftest import rendu

    return rendu(texte)


def courrier_par_defaut(moteur, appel) -> bool:
    from evaluation.decision import courrier

    return courrier.modeles_en_vigueur(appel, moteur=moteur)[lettres.ACCEPTATION].par_defaut
