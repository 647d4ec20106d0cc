"""La correspondance des colonnes décidée par l'analyste (issue 19, point 7) : la forme d'un
fichier, les champs qu'une colonne peut désigner, le refus de deux colonnes pour un même
champ, et ce qu'une correspondance retenue fait à la lecture suivante."""

import io

from openpyxl import load_workbook

from evaluation.depot import correspondances as c
from evaluation.depot.gabarit import libelles_champs
from evaluation.depot.lecture import lire_fichier
from tests.conftest import DONNEES

VALIDE = DONNEES / "formats" / "valide.xlsx"
PARTENAIRES = "Partenaire(s) étranger(s)"


def export_partenaires(titre: str = "Titre du projet") -> bytes:
    """Le classeur valide tel qu'un système de dépôt l'exporte : « Partenaires étrangers »
    y est nommée « Partenaire(s) étranger(s) »."""
    wb = load_workbook(VALIDE)
    wb["Demandes"]["E1"] = PARTENAIRES
    wb["Demandes"]["G1"] = titre
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def _demandes(fichier):
    return next(t for t in fichier.tableaux if t.genre == "demandes")


def test_empreinte_de_l_ensemble_des_entetes_normalises():
    a = c.empreinte_entetes(["No de demande", "Titre du projet", "Pays"])
    assert a == c.empreinte_entetes(["  PAYS", "titre du projet", "No de demande", ""])
    assert a != c.empreinte_entetes(["No de demande", "Titre du projet", "Pays", "Résumé"])
    assert len(a) == 64


def test_tout_champ_du_gabarit_est_possible_obligatoire_ou_non(appel):
    champs = {x.cle: x for x in c.champs_possibles(appel)}
    assert champs["partenaires_etrangers"].libelle == "Partenaires étrangers"
    assert not champs["partenaires_etrangers"].obligatoire
    assert champs["titre"].obligatoire
    budget = {x.cle for x in c.champs_possibles(appel, "budget")}
    assert {"categorie", "montant"} <= budget and "municipalite" not in budget


def test_colonne_non_reconnue_mise_de_cote_et_a_relier(appel):
    tableau = _demandes(lire_fichier("export.xlsx", export_partenaires(), appel=appel))
    assert "partenaires_etrangers" not in tableau.colonnes
    assert c.mises_de_cote(tableau) == [PARTENAIRES]
    assert c.colonnes_a_relier(tableau, {}) == [PARTENAIRES]
    assert c.choix_actuel(tableau, {}, PARTENAIRES) == c.IGNOREE


def test_colonne_reliee_lue_dans_le_champ(appel):
    relie = {PARTENAIRES: "partenaires_etrangers"}
    tableau = _demandes(
        lire_fichier("export.xlsx", export_partenaires(), correspondances=relie, appel=appel)
    )
    assert tableau.enregistrements[0]["partenaires_etrangers"] == "Ville de Brest"
    assert c.mises_de_cote(tableau) == []
    # La colonne reliée reste à la main de l'analyste.
    assert c.colonnes_a_relier(tableau, relie) == [PARTENAIRES]
    assert c.correspondance_du_tableau(tableau, relie) == relie


def test_deux_colonnes_vers_le_meme_champ_refusees(appel):
    tableau = _demandes(lire_fichier("export.xlsx", export_partenaires(), appel=appel))
    message = c.conflit(tableau, {}, PARTENAIRES, "titre", libelles_champs(appel))
    assert message == (
        "export.xlsx (feuille Demandes) : la colonne « Partenaire(s) étranger(s) » ne peut pas "
        "désigner le champ « Titre du projet », que la colonne « Titre du projet » désigne "
        "déjà ; un champ ne se lit que dans une seule colonne. Choisissez un autre champ pour "
        "« Partenaire(s) étranger(s) »."
    )
    assert c.conflit(tableau, {}, PARTENAIRES, "partenaires_etrangers", {}) is None
    assert c.conflit(tableau, {}, PARTENAIRES, c.IGNOREE, {}) is None


def test_refus_conseille_de_mettre_de_cote_seulement_une_colonne_a_relier(appel):
    """« Mettez d'abord X de côté » n'est dit que si la page offre un choix pour X : une
    colonne reliée à la main, oui ; une colonne reconnue d'après son en-tête (« Titre du
    projet », ci-dessus), non — le conseil serait impossible à suivre (revue de l'issue 19)."""
    relie = {"Libellé court": "titre"}
    fichier = export_partenaires(titre="Libellé court")
    tableau = _demandes(lire_fichier("e.xlsx", fichier, correspondances=relie, appel=appel))
    message = c.conflit(tableau, relie, PARTENAIRES, "titre", libelles_champs(appel))
    assert message.endswith(", ou mettez d'abord « Libellé court » de côté.")


def test_deux_colonnes_reliees_au_meme_champ_refusees(appel):
    contenu = export_partenaires(titre="Intitulé")
    relie = {"Intitulé": "titre"}
    tableau = _demandes(lire_fichier("x.xlsx", contenu, correspondances=relie, appel=appel))
    message = c.conflit(tableau, relie, PARTENAIRES, "titre", libelles_champs(appel))
    assert "que la colonne « Intitulé » désigne déjà" in message
    # Remise de côté, « Intitulé » libère le champ.
    assert c.conflit(tableau, {"Intitulé": c.IGNOREE}, PARTENAIRES, "titre", {}) is None


def test_correspondance_retenue_appliquee_d_avance_et_dite(appel):
    premier = _demandes(lire_fichier("mai.xlsx", export_partenaires(), appel=appel))
    memoire = {premier.empreinte: {PARTENAIRES: "partenaires_etrangers"}}
    second = _demandes(
        lire_fichier("juin.xlsx", export_partenaires(), appel=appel, memoire=memoire)
    )
    assert second.memorisee == {PARTENAIRES: "partenaires_etrangers"}
    assert second.enregistrements[0]["partenaires_etrangers"] == "Ville de Brest"
    assert c.choix_actuel(second, {}, PARTENAIRES) == "partenaires_etrangers"
    assert c.colonnes_a_relier(second, {}) == [PARTENAIRES]


def test_decision_de_l_analyste_l_emporte_sur_la_correspondance_retenue(appel):
    premier = _demandes(lire_fichier("mai.xlsx", export_partenaires(), appel=appel))
    memoire = {premier.empreinte: {PARTENAIRES: "partenaires_etrangers"}}
    relie = {PARTENAIRES: c.IGNOREE}
    fichier = lire_fichier(
        "juin.xlsx", export_partenaires(), correspondances=relie, appel=appel, memoire=memoire
    )
    second = _demandes(fichier)
    assert second.memorisee == {}
    assert "partenaires_etrangers" not in second.colonnes
    assert c.mises_de_cote(second) == [PARTENAIRES]
    assert not any("sans effet" in r for r in fichier.remarques)
    assert c.correspondance_du_tableau(second, relie) == {}


def test_autre_forme_ne_reprend_rien(appel):
    premier = _demandes(lire_fichier("mai.xlsx", export_partenaires(), appel=appel))
    memoire = {premier.empreinte: {PARTENAIRES: "partenaires_etrangers"}}
    autre = _demandes(
        lire_fichier("x.xlsx", export_partenaires(titre="Titre"), appel=appel, memoire=memoire)
    )
    assert autre.empreinte != premier.empreinte
    assert autre.memorisee == {}


def test_a_retenir_par_forme(appel):
    relie = {PARTENAIRES: "partenaires_etrangers"}
    fichier = lire_fichier("export.xlsx", export_partenaires(), correspondances=relie, appel=appel)
    retenu = c.a_retenir(fichier.tableaux, {"export.xlsx": relie})
    demandes = _demandes(fichier)
    entetes, correspondance = retenu[demandes.empreinte]
    assert PARTENAIRES in entetes and correspondance == relie
    budget = next(t for t in fichier.tableaux if t.genre == "budget")
    assert retenu[budget.empreinte][1] == {}


def test_valides_oublie_les_champs_disparus(appel):
    memoire = {"e": {"A": "partenaires_etrangers", "B": "dimension:disparue"}}
    assert c.valides(memoire, appel) == {"e": {"A": "partenaires_etrangers"}}


def test_colonne_reconnue_mise_de_cote_n_est_plus_lue(appel):
    """« Mise de côté (non lue) » vaut aussi pour une colonne dont l'en-tête est reconnu
    (revue de l'issue 19 : elle restait lue, et `--colonne « Pays= »` ne faisait rien)."""
    tableau = _demandes(
        lire_fichier("v.xlsx", VALIDE.read_bytes(), correspondances={"Pays": c.IGNOREE})
    )
    assert "pays" not in tableau.colonnes
    assert "Pays" in tableau.entetes_supplementaires
    assert "pays" in _demandes(lire_fichier("v.xlsx", VALIDE.read_bytes())).colonnes


def test_champ_de_depense_ne_se_lit_pas_dans_la_feuille_des_demandes(appel):
    """Une colonne « Poste » reliée à la catégorie de dépense, présente dans les deux
    feuilles du classeur : lue dans Budget, mise de côté dans Demandes (où elle aurait
    disparu dans un champ qu'une demande n'a pas)."""
    wb = load_workbook(VALIDE)
    wb["Budget"]["C1"] = "Poste"
    wb["Demandes"].cell(1, 25).value = "Poste"
    wb["Demandes"].cell(2, 25).value = "Mission"
    sortie = io.BytesIO()
    wb.save(sortie)
    lu = lire_fichier(
        "p.xlsx", sortie.getvalue(), correspondances={"Poste": "categorie"}, appel=appel
    )
    budget = next(t for t in lu.tableaux if t.genre == "budget")
    assert budget.colonnes["categorie"][1] == "Poste"
    demandes = _demandes(lu)
    assert "categorie" not in demandes.colonnes
    assert "Poste" in demandes.entetes_supplementaires
