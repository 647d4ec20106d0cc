"""La page Comptes : créer un compte, le modifier, et les garde-fous (doublon, dernier
compte d'administration, municipalité et région choisies au répertoire, mot de passe
provisoire)."""

import pytest

from evaluation.socle import stockage
from evaluation.socle.comptes import authentifier, trouver_compte
from evaluation.socle.roles import ADMIN, AUTORITE, EVALUATEUR, MEMBRE, PRESIDENT
from tests.pages.conftest import compte_de_test, textes

pytestmark = pytest.mark.usefixtures("cadre_a_chaque_execution")

PAGE = "pages/comptes.py"
ADMIN_COURRIEL = "admin@exemple.qc.ca"
NOUVEAU = "marie.cote@ville.qc.ca"
MDP_PROVISOIRE = "provisoire-2024-abc"
GRANBY, MAGOG = "47017", "45072"  # codes géographiques du répertoire


def _bouton(at, libelle: str):
    return next(b for b in at.button if b.label == libelle)


def _table(at):
    (table,) = [d.value for d in at.dataframe]
    return table


def _compte(base, courriel):
    moteur = stockage.creer_moteur(base)
    try:
        return trouver_compte(courriel, moteur=moteur)
    finally:
        moteur.dispose()


def _journal_comptes(base, courriel) -> list[tuple]:
    moteur = stockage.creer_moteur(base)
    try:
        with moteur.connect() as c:
            journal = stockage.lire_journal(connexion=c)
    finally:
        moteur.dispose()
    lignes = journal[journal["evaluateur"] == courriel]
    return [(j["auteur"], j["objet"], j["ancien"], j["nouveau"]) for j in lignes.to_dict("records")]


def _creer(at, courriel, nom="Marie Côté", mot_de_passe=MDP_PROVISOIRE, **autres):
    at.text_input(key="nouveau_courriel").set_value(courriel)
    at.text_input(key="nouveau_nom").set_value(nom)
    at.text_input(key="nouveau_mot_de_passe").set_value(mot_de_passe)
    for cle, valeur in autres.items():
        element = at.text_input if cle == "nouveau_courriel" else at.selectbox
        element(key=cle).set_value(valeur)
    _bouton(at, "Créer le compte").click().run()
    assert not at.exception, at.exception
    return at


def _formulaire_modifier(at, courriel):
    """Les champs du formulaire « Modifier un compte » de `courriel`, par libellé."""
    at.selectbox(key="modifier_choix").set_value(courriel).run()
    assert not at.exception, at.exception
    form = f"modifier_{courriel}"
    champs = {
        e.label: e
        for e in (*at.selectbox, *at.checkbox, *at.text_input, *at.button)
        if e.proto.form_id == form
    }
    assert {"Rôle", "Compte actif", "Municipalité", "Région", "Enregistrer"} <= set(champs)
    return champs


def _mdp_provisoire(champs):
    return champs["Nouveau mot de passe provisoire (laisser vide pour le garder)"]


def test_creer_un_compte_membre_du_comite(application, base):
    """Le rôle « membre du comité » (issue 16) se choisit à la création, comme les autres."""
    at = application(PAGE)
    assert at.selectbox(key="nouveau_role").options[-2] == (
        "Membre du comité (suit la séance, voit les notes et commentaires ; ne consigne pas "
        "les décisions)"
    )
    _creer(at, NOUVEAU, nouveau_role=MEMBRE)
    assert not at.error
    table = _table(at)
    assert table[table["Courriel"] == NOUVEAU].iloc[0]["Rôle"] == "Membre du comité"
    assert _compte(base, NOUVEAU).role == MEMBRE
    assert _journal_comptes(base, NOUVEAU) == [(ADMIN_COURRIEL, "compte", None, MEMBRE)]


def test_creer_un_compte_autorite_ministerielle(application, base):
    """Le rôle « autorité ministérielle » (issue 17), ajouté en dernier."""
    at = application(PAGE)
    assert at.selectbox(key="nouveau_role").options[-1] == (
        "Autorité ministérielle (approuve ou modifie les recommandations du comité)"
    )
    _creer(at, NOUVEAU, nouveau_role=AUTORITE)
    assert not at.error
    table = _table(at)
    assert table[table["Courriel"] == NOUVEAU].iloc[0]["Rôle"] == "Autorité ministérielle"
    assert _compte(base, NOUVEAU).role == AUTORITE


def test_page_liste_les_comptes(application, base):
    compte_de_test(base, EVALUATEUR, nom="Éva Lachance")
    at = application(PAGE)
    assert at.title[0].value == "Comptes"
    table = _table(at)
    assert sorted(table["Courriel"]) == [ADMIN_COURRIEL, "evaluateur@exemple.qc.ca"]
    ligne = table[table["Courriel"] == "evaluateur@exemple.qc.ca"].iloc[0]
    assert (ligne["Nom"], ligne["Rôle"], bool(ligne["Actif"])) == (
        "Éva Lachance",
        "Évaluation",
        True,
    )


def test_creer_un_compte_evaluateur(application, base):
    at = _creer(application(PAGE), NOUVEAU, nouveau_region="01")
    assert [s.value for s in at.success] == [
        f"Compte créé pour {NOUVEAU} : transmettez-lui son mot de passe provisoire par un "
        "autre canal ; il le remplacera à sa première connexion."
    ]
    assert not at.error
    table = _table(at)
    ligne = table[table["Courriel"] == NOUVEAU].iloc[0]
    assert (ligne["Nom"], ligne["Rôle"], ligne["Région"]) == (
        "Marie Côté",
        "Évaluation",
        "01 – Bas-Saint-Laurent",
    )
    # (clear_on_submit vide le formulaire dans le navigateur ; AppTest ne l'imite pas pour
    # les text_input : rien à vérifier ici.)

    assert bool(ligne["Mot de passe provisoire"])
    compte = _compte(base, NOUVEAU)
    assert (compte.role, compte.region, compte.actif) == (EVALUATEUR, "01", True)
    assert compte.mot_de_passe_provisoire
    assert _journal_comptes(base, NOUVEAU) == [(ADMIN_COURRIEL, "compte", None, EVALUATEUR)]
    moteur = stockage.creer_moteur(base)
    try:
        assert authentifier(NOUVEAU, MDP_PROVISOIRE, moteur=moteur).reussie
        assert not authentifier(NOUVEAU, "un autre mot de passe", moteur=moteur).reussie
    finally:
        moteur.dispose()


def test_courriel_en_double_refuse(application, base):
    compte_de_test(base, EVALUATEUR, NOUVEAU, nom="Marie Côté")
    at = _creer(application(PAGE), "Marie.Cote@Ville.qc.ca", nom="Autre Marie")
    assert [e.value for e in at.error] == [
        f"Compte non créé : un compte existe déjà pour {NOUVEAU}."
    ]
    assert not at.success
    assert list(_table(at)["Courriel"]).count(NOUVEAU) == 1
    assert _compte(base, NOUVEAU).nom == "Marie Côté"


def test_mot_de_passe_trop_court_refuse(application, base):
    at = _creer(application(PAGE), NOUVEAU, mot_de_passe="court")
    erreurs = [e.value for e in at.error]
    assert len(erreurs) == 1 and erreurs[0].startswith("Compte non créé : mot de passe refusé")
    assert _compte(base, NOUVEAU) is None
    assert NOUVEAU not in list(_table(at)["Courriel"])


def test_modifier_role_et_region(application, base):
    courriel = compte_de_test(base, EVALUATEUR, nom="Éva Lachance")
    at = application(PAGE)
    champs = _formulaire_modifier(at, courriel)
    assert champs["Rôle"].value == EVALUATEUR
    champs["Rôle"].set_value(PRESIDENT)
    champs["Région"].set_value("05")
    champs["Municipalité"].set_value(GRANBY)
    champs["Enregistrer"].click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"Compte {courriel} enregistré."]

    compte = _compte(base, courriel)
    assert (compte.role, compte.region, compte.municipalite) == (PRESIDENT, "05", "Granby")
    journal = _journal_comptes(base, courriel)
    assert (ADMIN_COURRIEL, "compte:role", EVALUATEUR, PRESIDENT) in journal
    assert (ADMIN_COURRIEL, "compte:region", None, "05") in journal
    assert (ADMIN_COURRIEL, "compte:municipalite", None, "Granby") in journal
    ligne = _table(at)[_table(at)["Courriel"] == courriel].iloc[0]
    assert (ligne["Rôle"], ligne["Région"], ligne["Municipalité"]) == (
        "Présidence du comité",
        "05 – Estrie",
        "Granby",
    )


def test_enregistrer_sans_changement_ne_journalise_rien(application, base):
    courriel = compte_de_test(base, EVALUATEUR)
    at = application(PAGE)
    _formulaire_modifier(at, courriel)["Enregistrer"].click().run()
    assert [s.value for s in at.success] == [f"Compte {courriel} enregistré."]
    assert _journal_comptes(base, courriel) == [(courriel, "compte", None, EVALUATEUR)]


@pytest.mark.parametrize("changement", ["role", "actif"])
def test_le_seul_administrateur_ne_perd_pas_son_role(application, base, changement):
    at = application(PAGE)
    champs = _formulaire_modifier(at, ADMIN_COURRIEL)
    if changement == "role":
        champs["Rôle"].set_value(EVALUATEUR)
    else:
        champs["Compte actif"].uncheck()
    champs["Enregistrer"].click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "Compte non modifié : c'est le dernier compte d'administration actif : créez-en un "
        "autre avant."
    ]
    compte = _compte(base, ADMIN_COURRIEL)
    assert (compte.role, compte.actif) == (ADMIN, True)
    assert [j for j in _journal_comptes(base, ADMIN_COURRIEL) if j[1] != "compte"] == []
    # Toujours connecté, toujours sur la page.
    assert any(b.key == "deconnexion" for b in at.button)
    assert at.title[0].value == "Comptes"


def test_un_second_administrateur_permet_de_changer_le_premier(application, base):
    compte_de_test(base, ADMIN, "autre-admin@exemple.qc.ca")
    at = application(PAGE)
    champs = _formulaire_modifier(at, ADMIN_COURRIEL)
    champs["Rôle"].set_value(PRESIDENT)
    champs["Enregistrer"].click().run()
    assert not at.exception, at.exception
    assert _compte(base, ADMIN_COURRIEL).role == PRESIDENT
    # Le compte connecté a perdu le rôle : la page le refuse dès cette exécution.
    assert any("Cette page est réservée à l'administration" in e.value for e in at.error)
    assert "Comptes" not in [t.value for t in at.title]


def test_mot_de_passe_change_par_le_formulaire(application, base):
    courriel = compte_de_test(base, EVALUATEUR)
    at = application(PAGE)
    champs = _formulaire_modifier(at, courriel)
    _mdp_provisoire(champs).set_value("nouveau-mdp-2024")
    champs["Enregistrer"].click().run()
    assert [s.value for s in at.success] == [f"Compte {courriel} enregistré."]
    assert "(provisoire)" in [j[3] for j in _journal_comptes(base, courriel)]
    assert "nouveau-mdp-2024" not in textes(at)
    assert _compte(base, courriel).mot_de_passe_provisoire
    moteur = stockage.creer_moteur(base)
    try:
        assert authentifier(courriel, "nouveau-mdp-2024", moteur=moteur).reussie
    finally:
        moteur.dispose()


def test_mot_de_passe_faible_refuse_rien_ne_change(application, base):
    courriel = compte_de_test(base, EVALUATEUR)
    at = application(PAGE)
    champs = _formulaire_modifier(at, courriel)
    champs["Rôle"].set_value(PRESIDENT)
    _mdp_provisoire(champs).set_value("azertyuiop123")
    champs["Enregistrer"].click().run()
    (erreur,) = [e.value for e in at.error]
    assert erreur.startswith("Compte non modifié : mot de passe refusé : plus difficile à deviner")
    assert _compte(base, courriel).role == EVALUATEUR
    assert not _compte(base, courriel).mot_de_passe_provisoire


# Municipalité et région : la liste du répertoire


def test_municipalite_choisie_dans_le_repertoire(application, base):
    at = application(PAGE)
    liste = at.selectbox(key="nouveau_municipalite")
    assert len(liste.options) == 1 + 1123  # « — » et chaque municipalité du répertoire
    assert "Granby (Ville, La Haute-Yamaska, Estrie)" in liste.options
    homonymes = [o for o in liste.options if o.startswith("Saint-Damase (")]
    assert len(homonymes) == 2  # distinguées par leur MRC et leur région
    assert len(at.selectbox(key="nouveau_region").options) == 1 + 17
    at = _creer(at, NOUVEAU, nouveau_municipalite=GRANBY, nouveau_region="05")
    assert not at.error
    compte = _compte(base, NOUVEAU)
    assert (compte.municipalite, compte.region) == ("Granby", "05")


def test_municipalite_hors_de_sa_region_refusee(application, base):
    at = _creer(application(PAGE), NOUVEAU, nouveau_municipalite=GRANBY, nouveau_region="16")
    assert [e.value for e in at.error] == [
        "Compte non créé : Granby (Ville, 05 Estrie) n'est pas dans la région 16 Montérégie : "
        "corrigez la région ou laissez-la vide."
    ]
    assert _compte(base, NOUVEAU) is None


def test_municipalite_libre_d_une_version_precedente(application, base):
    """Une municipalité inscrite en texte libre s'affiche, est signalée, ne bloque pas les
    autres changements et se remplace par un choix de la liste."""
    courriel = compte_de_test(base, EVALUATEUR, nom="Éva Lachance")
    moteur = stockage.creer_moteur(base)
    try:
        with stockage.ecriture(moteur) as c:
            stockage.modifier_compte(courriel, {"municipalite": "Villeinconnue"}, connexion=c)
    finally:
        moteur.dispose()
    at = application(PAGE)
    assert not at.exception
    ligne = _table(at)[_table(at)["Courriel"] == courriel].iloc[0]
    assert ligne["Municipalité"] == "Villeinconnue (hors répertoire : à choisir dans la liste)"
    assert any("Éva Lachance (« Villeinconnue »)" in w.value for w in at.warning)
    champs = _formulaire_modifier(at, courriel)
    assert any("« Villeinconnue » n'est pas au répertoire" in w.value for w in at.warning)
    assert champs["Municipalité"].value == "Villeinconnue"
    champs["Rôle"].set_value(PRESIDENT)
    champs["Enregistrer"].click().run()
    assert [s.value for s in at.success] == [f"Compte {courriel} enregistré."]
    assert (_compte(base, courriel).role, _compte(base, courriel).municipalite) == (
        PRESIDENT,
        "Villeinconnue",
    )
    champs = _formulaire_modifier(at, courriel)
    champs["Municipalité"].set_value(MAGOG)
    champs["Enregistrer"].click().run()
    assert _compte(base, courriel).municipalite == "Magog"
    assert not [w for w in at.warning if "Villeinconnue" in w.value]


# --- L'organisme d'un compte (NEQ, issue 18) ------------------------------------------------


def test_creer_avec_neq(application, base):
    at = application(PAGE)
    at.text_input(key="nouveau_neq").set_value("1145 678 901")
    at = _creer(at, NOUVEAU)
    assert [s.value for s in at.success] and not at.error
    assert _compte(base, NOUVEAU).neq == "1145678901"
    ligne = _table(at)[_table(at)["Courriel"] == NOUVEAU].iloc[0]
    assert ligne["Organisme (NEQ)"] == "1145678901"


def test_neq_invalide_refuse_a_cote_du_formulaire(application, base):
    at = application(PAGE)
    at.text_input(key="nouveau_neq").set_value("1,14568E+09")
    at = _creer(at, NOUVEAU)
    (erreur,) = [e.value for e in at.error]
    assert erreur.startswith("Compte non créé : NEQ « 1,14568E+09 » invalide")
    assert _compte(base, NOUVEAU) is None


def test_modifier_le_neq(application, base):
    courriel = compte_de_test(base, EVALUATEUR, nom="Éva Lachance")
    at = application(PAGE)
    champs = _formulaire_modifier(at, courriel)
    champs["Organisme (NEQ)"].set_value("224-567-8901")
    champs["Enregistrer"].click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"Compte {courriel} enregistré."]
    assert _compte(base, courriel).neq == "2245678901"
    assert (ADMIN_COURRIEL, "compte:neq", None, "2245678901") in _journal_comptes(base, courriel)
