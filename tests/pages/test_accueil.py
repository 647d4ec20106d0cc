"""La page d'accueil : état de l'appel, premiers pas, démonstration en un clic."""

from evaluation.socle import stockage
from tests.pages.conftest import textes


def test_accueil_dit_par_ou_commencer(application):
    at = application()
    assert at.title[0].value == "Évaluation des demandes"
    assert "Par où commencer" in [s.value for s in at.subheader]
    assert at.metric[0].label == "Demandes importées" and at.metric[0].value == "0"
    barre = "\n".join(m.value for m in at.sidebar.markdown)
    assert "PAIVMQ 2023-2024" in barre


def test_demo_en_un_clic(application, base):
    at = application()
    at.button(key="demo_accueil").click().run()
    assert not at.exception
    assert "80 demandes de démonstration importées" in textes(at)
    assert at.metric[0].value == "80"
    moteur = stockage.creer_moteur(base)
    with moteur.connect() as c:
        assert stockage.compter_demandes("paivmq-2023-2024", connexion=c) == 80
    assert not [b for b in at.button if b.key == "demo_accueil"]


def test_un_evaluateur_voit_ses_evaluations_pas_l_importation(application):
    at = application(role="evaluateur")
    assert not [b for b in at.button if b.key == "demo_accueil"]
    texte = textes(at)
    assert "0 / 0" in texte and "de vos évaluations sont soumises" in texte
    assert "Téléchargez le gabarit" not in texte


def test_la_presidence_est_dirigee_vers_le_suivi(application):
    at = application(role="president")
    assert "verrouillez les évaluations" in textes(at)
    assert not [b for b in at.button if b.key == "demo_accueil"]


def test_l_autorite_est_dirigee_vers_sa_decision(application):
    """Issue 17 : l'autorité ministérielle décide après le comité."""
    at = application(role="autorite")
    assert "Le comité recommande ; le ministère décide." in textes(at)
    liens = [lien.proto.page for lien in at.main.get("page_link")]
    assert liens == ["decision_ministere", "classement", "portefeuille"]
    assert not [b for b in at.button if b.key == "demo_accueil"]


def _sur_appel_qsf(application, base):
    """L'application ouverte sur l'appel créé d'après le modèle QSF (organismes)."""
    from evaluation.commandes import main
    from pages.composants.commun import CLE_APPEL
    from tests.conftest import RACINE_PROJET

    modele = RACINE_PROJET / "donnees" / "modeles" / "qsf-modele.toml"
    assert main(["--base", base, "appels", "importer", str(modele)]) == 0
    at = application()
    at.session_state[CLE_APPEL] = "qsf-modele"
    at.run()
    assert not at.exception
    return at


def test_appel_d_organismes_sans_vocabulaire_municipal_ni_demo_du_paivmq(application, base):
    """Issue 18 : sur un appel QSF, le gabarit se transmet aux organismes, et le jeu de
    démonstration (demandes du PAIVMQ) n'est pas proposé."""
    at = _sur_appel_qsf(application, base)
    texte = textes(at)
    assert "transmettez-le aux organismes" in texte
    assert "aux municipalités" not in texte
    assert not [b for b in at.button if b.key == "demo_accueil"]


def test_enveloppe_de_chaque_annee_et_barre_laterale_une_annee_par_ligne(application):
    """Issue 19 : l'accueil montre l'enveloppe de 2024-2025 et celle de 2025-2026 ; la barre
    latérale met une année par ligne (« 2024- / 2025 » n'est plus coupé)."""
    at = application()
    enveloppes = {m.label: m.value for m in at.metric if m.label.startswith("Enveloppe")}
    assert enveloppes == {
        "Enveloppe 2024-2025": "750\u00a0000\u00a0$",
        "Enveloppe 2025-2026": "500\u00a0000\u00a0$",
    }
    (legende,) = [c.value for c in at.sidebar.caption if c.value.startswith("Enveloppe par")]
    assert legende == (
        "Enveloppe par année financière :  \n2024-2025 : 750\u00a0000\u00a0$  \n"
        "2025-2026 : 500\u00a0000\u00a0$"
    )


def test_importation_de_la_demo_journalisee_au_nom_du_compte(application, base):
    """Relecture d'exploitation (point 5) : l'importation de la démonstration lancée depuis
    l'Accueil paraît au journal du serveur avec l'identifiant du compte qui l'a lancée (elle
    est écrite au nom de « courriel (démonstration) »), jamais son courriel."""
    import io
    import json
    import logging

    from evaluation.socle.stockage import evenements

    racine = logging.getLogger("evaluation")
    avant, niveau = list(racine.handlers), evenements.ACTIONS.level
    flux = io.StringIO()
    racine.handlers = [h for h in racine.handlers if not getattr(h, evenements._MARQUE, False)]
    evenements.configurer_journaux(logging.StreamHandler(flux))
    try:
        at = application()
        at.button(key="demo_accueil").click().run()
        assert not at.exception
    finally:
        racine.handlers = avant
        evenements.ACTIONS.setLevel(niveau)
    lignes = [json.loads(x) for x in flux.getvalue().splitlines()]
    (importation,) = [x for x in lignes if x.get("action") == "importation"]
    moteur = stockage.creer_moteur(base)
    with moteur.connect() as c:
        (compte,) = stockage.lire_comptes(connexion=c)
    moteur.dispose()
    assert importation["compte"] == int(compte["id"])
    assert importation["demonstration"] is True and importation["creees"] == 80
    assert compte["courriel"] not in flux.getvalue()
