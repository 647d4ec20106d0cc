"""Comptes : rôles, mots de passe refusés ou changés, mot de passe provisoire,
municipalité et région prises au répertoire, verrouillage après des échecs, tentatives
inscrites. Les règles des mots de passe sont dans test_mots_de_passe.py ; les attaques
(caractères de contrôle, connexions simultanées, droits du fichier de la base) dans
test_comptes_attaques.py."""

import contextlib
import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from evaluation.socle import stockage
from evaluation.socle.comptes import (
    aucun_compte,
    authentifier,
    changer_mot_de_passe,
    changer_son_mot_de_passe,
    creer_compte,
    creer_premier_administrateur,
    desactiver_compte,
    lister_comptes,
    modifier_compte,
    municipalite_hors_repertoire,
    trouver_compte,
)
from evaluation.socle.mots_de_passe import (
    DUREE_VERROUILLAGE,
    ECHECS_MAX,
    hacher,
)
from evaluation.socle.roles import Compte, ErreurCompte

MDP = "un mot de passe solide"
T0 = dt.datetime(2026, 11, 24, 9, 0)


@pytest.mark.parametrize(
    ("courriel", "role", "mdp", "message"),
    [
        ("pas-un-courriel", "evaluateur", MDP, "adresse courriel invalide"),
        ("a@b.ca", "chef", MDP, "rôle « chef » inconnu"),
        ("a@b.ca", "evaluateur", "court", "au moins 12 caractères"),
        ("a@b.ca", "evaluateur", " espace au bout ", "pas d'espace"),
    ],
)
def test_creation_refusee(moteur_sqlite, courriel, role, mdp, message):
    with pytest.raises(ErreurCompte, match=message):
        creer_compte(courriel, role, mdp, moteur=moteur_sqlite)


def test_comptes_et_connexion(moteur):
    compte = creer_compte(
        "Marie@Exemple.CA ",
        "evaluateur",
        MDP,
        moteur=moteur,
        nom="Marie Tremblay",
        municipalite="Rimouski",
        region="01",
    )
    assert compte.courriel == "marie@exemple.ca"
    with pytest.raises(ErreurCompte, match="existe déjà"):
        creer_compte("marie@exemple.ca", "admin", MDP, moteur=moteur)
    assert [c.courriel for c in lister_comptes(moteur=moteur)] == ["marie@exemple.ca"]

    ouverte = authentifier("MARIE@exemple.ca", MDP, moteur=moteur, maintenant=T0)
    assert ouverte.reussie and ouverte.compte.role == "evaluateur"
    assert ouverte.compte.region == "01"
    refus = authentifier("marie@exemple.ca", "mauvais", moteur=moteur, maintenant=T0)
    inconnu = authentifier("personne@exemple.ca", "mauvais", moteur=moteur, maintenant=T0)
    assert not refus.reussie and refus.message == inconnu.message  # ne révèle pas qui existe


def test_verrouillage_apres_echecs_repetes(moteur):
    creer_compte("a@b.ca", "admin", MDP, moteur=moteur)
    for i in range(ECHECS_MAX):
        authentifier("a@b.ca", "faux", moteur=moteur, maintenant=T0 + dt.timedelta(seconds=i))
    bloque = authentifier("a@b.ca", MDP, moteur=moteur, maintenant=T0 + dt.timedelta(minutes=1))
    assert not bloque.reussie and "verrouillé" in bloque.message
    apres = T0 + DUREE_VERROUILLAGE + dt.timedelta(minutes=2)
    assert authentifier("a@b.ca", MDP, moteur=moteur, maintenant=apres).reussie
    with moteur.connect() as c:
        tentatives = (
            c.execute(
                sa.select(stockage.tentatives_connexion.c.reussie)
                .where(stockage.tentatives_connexion.c.courriel == "a@b.ca")
                .order_by(stockage.tentatives_connexion.c.id)
            )
            .scalars()
            .all()
        )
    assert tentatives == [False] * ECHECS_MAX + [False, True]


def test_compte_desactive(moteur):
    creer_compte("a@b.ca", "observateur", MDP, moteur=moteur)
    assert not desactiver_compte("a@b.ca", moteur=moteur).actif
    connexion = authentifier("a@b.ca", MDP, moteur=moteur, maintenant=T0)
    assert not connexion.reussie and "désactivé" in connexion.message
    with pytest.raises(ErreurCompte, match="aucun compte"):
        desactiver_compte("x@y.ca", moteur=moteur)


# --- Journal des comptes, modification, mot de passe, premier administrateur ------------

ADMIN_A, ADMIN_B = "a@x.ca", "b@x.ca"


def _journal_comptes(moteur) -> list[tuple]:
    """(auteur, evaluateur, objet, ancien, nouveau) de chaque ligne du journal."""
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c)
    assert journal["appel_id"].isna().all()  # un compte n'appartient à aucun appel
    return list(
        zip(
            journal["auteur"],
            journal["evaluateur"],
            journal["objet"],
            journal["ancien"],
            journal["nouveau"],
            strict=True,
        )
    )


def _admins_actifs(moteur) -> list[str]:
    return [c.courriel for c in lister_comptes(moteur=moteur) if c.role == "admin" and c.actif]


def test_creer_compte_journalise_avec_l_auteur(moteur):
    creer_compte("Eva@X.ca", "evaluateur", MDP, moteur=moteur, auteur=ADMIN_A)
    creer_compte("luc@x.ca", "observateur", MDP, moteur=moteur)  # sans auteur : lui-même
    assert _journal_comptes(moteur) == [
        (ADMIN_A, "eva@x.ca", "compte", None, "evaluateur"),
        ("luc@x.ca", "luc@x.ca", "compte", None, "observateur"),
    ]
    # Un refus (doublon) n'inscrit rien.
    with pytest.raises(ErreurCompte, match="existe déjà"):
        creer_compte("EVA@x.ca", "admin", MDP, moteur=moteur, auteur=ADMIN_A)
    assert len(_journal_comptes(moteur)) == 2


def test_aucun_compte_et_trouver_compte(moteur):
    assert aucun_compte(moteur=moteur)
    assert trouver_compte("marie@exemple.ca", moteur=moteur) is None
    creer_compte(
        "marie@exemple.ca",
        "evaluateur",
        MDP,
        moteur=moteur,
        nom="Marie Tremblay",
        municipalite="Rimouski",
        region="01",
    )
    assert not aucun_compte(moteur=moteur)
    trouve = trouver_compte("  MARIE@Exemple.CA ", moteur=moteur)
    assert trouve == Compte(
        "marie@exemple.ca", "Marie Tremblay", "evaluateur", True, "Rimouski", "01"
    )
    for invalide in ("pas-un-courriel", "", "marie@exemple", "a b@c.ca"):
        assert trouver_compte(invalide, moteur=moteur) is None
    assert trouver_compte("autre@exemple.ca", moteur=moteur) is None
    creer_compte("admin@exemple.ca", "admin", MDP, moteur=moteur)
    desactiver_compte("marie@exemple.ca", moteur=moteur, auteur="admin@exemple.ca")
    desactive = trouver_compte("Marie@exemple.ca", moteur=moteur)
    assert desactive is not None and not desactive.actif  # trouvé même inactif


def test_premier_administrateur(moteur):
    compte = creer_premier_administrateur(
        "Chef@Ville.qc.ca", MDP, moteur=moteur, nom="  Ana Chef  "
    )
    assert compte == Compte("chef@ville.qc.ca", "Ana Chef", "admin", True)
    assert trouver_compte("chef@ville.qc.ca", moteur=moteur) == compte
    assert authentifier("chef@ville.qc.ca", MDP, moteur=moteur, maintenant=T0).reussie
    assert _journal_comptes(moteur) == [
        ("chef@ville.qc.ca", "chef@ville.qc.ca", "compte", None, "admin")
    ]
    with pytest.raises(ErreurCompte, match="un compte existe déjà"):
        creer_premier_administrateur("deux@ville.qc.ca", MDP, moteur=moteur)
    assert [c.courriel for c in lister_comptes(moteur=moteur)] == ["chef@ville.qc.ca"]


def test_premier_administrateur_refuse_des_qu_un_compte_existe(moteur):
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur)
    with pytest.raises(ErreurCompte, match="un compte existe déjà"):
        creer_premier_administrateur(ADMIN_A, MDP, moteur=moteur)
    assert trouver_compte(ADMIN_A, moteur=moteur) is None
    assert len(_journal_comptes(moteur)) == 1


def test_premier_administrateur_valide_comme_un_compte(moteur):
    with pytest.raises(ErreurCompte, match="au moins 12 caractères"):
        creer_premier_administrateur(ADMIN_A, "court", moteur=moteur)
    with pytest.raises(ErreurCompte, match="adresse courriel invalide"):
        creer_premier_administrateur("pas-un-courriel", MDP, moteur=moteur)
    assert aucun_compte(moteur=moteur)


def _deux_en_meme_temps(monkeypatch, actions) -> list[object]:
    """Lance chaque action dans un fil ; les deux lisent les comptes avant que l'une ou
    l'autre n'écrive (barrière après stockage.lire_comptes, abandonnée au bout de 3 s si une
    version corrigée sérialise les fils). Renvoie le résultat ou l'exception de chacune."""
    lire = stockage.lire_comptes
    barriere = threading.Barrier(len(actions), timeout=3)

    def lire_puis_attendre(**kw):
        lignes = lire(**kw)
        if threading.current_thread() is not threading.main_thread():
            with contextlib.suppress(threading.BrokenBarrierError):
                barriere.wait()
        return lignes

    monkeypatch.setattr(stockage, "lire_comptes", lire_puis_attendre)
    resultats: list[object] = [None] * len(actions)

    def lancer(i):
        try:
            resultats[i] = actions[i]()
        except Exception as exc:
            resultats[i] = exc

    fils = [threading.Thread(target=lancer, args=(i,)) for i in range(len(actions))]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=60)
    monkeypatch.setattr(stockage, "lire_comptes", lire)
    return resultats


def test_deux_premiers_administrateurs_en_meme_temps(moteur, monkeypatch):
    resultats = _deux_en_meme_temps(
        monkeypatch,
        [
            lambda: creer_premier_administrateur(ADMIN_A, MDP, moteur=moteur),
            lambda: creer_premier_administrateur(ADMIN_B, MDP, moteur=moteur),
        ],
    )
    assert len(lister_comptes(moteur=moteur)) == 1, resultats


def test_modifier_compte_journalise_chaque_champ(moteur):
    creer_compte(ADMIN_A, "admin", MDP, moteur=moteur)
    creer_compte(
        "eva@x.ca",
        "evaluateur",
        MDP,
        moteur=moteur,
        nom="Eva",
        municipalite="Rimouski",
        region="01",
    )
    avant = len(_journal_comptes(moteur))
    compte = modifier_compte(
        "EVA@x.ca",
        moteur=moteur,
        auteur=ADMIN_A,
        nom=" Eva Roy ",
        role="president",
        municipalite="   ",
        region="01",  # inchangée : pas journalisée
        actif=True,  # inchangé
    )
    assert compte == Compte("eva@x.ca", "Eva Roy", "president", True, None, "01")
    assert trouver_compte("eva@x.ca", moteur=moteur) == compte
    nouvelles = _journal_comptes(moteur)[avant:]
    assert sorted(nouvelles, key=lambda ligne: ligne[2]) == [
        (ADMIN_A, "eva@x.ca", "compte:municipalite", "Rimouski", None),
        (ADMIN_A, "eva@x.ca", "compte:nom", "Eva", "Eva Roy"),
        (ADMIN_A, "eva@x.ca", "compte:role", "evaluateur", "president"),
    ]
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c)
    assert len(set(journal["date"].iloc[avant:])) == 1  # un seul instant pour la modification

    # Rien ne change : rien n'est journalisé.
    assert (
        modifier_compte("eva@x.ca", moteur=moteur, auteur=ADMIN_A, nom="Eva Roy", municipalite="")
        == compte
    )
    assert len(_journal_comptes(moteur)) == avant + 3

    # Désactivation, région retirée, nom vidé (le courriel le remplace).
    compte = modifier_compte(
        "eva@x.ca", moteur=moteur, auteur=ADMIN_A, actif=False, region=None, nom=""
    )
    assert compte == Compte("eva@x.ca", "eva@x.ca", "president", False, None, None)
    assert sorted(_journal_comptes(moteur)[avant + 3 :], key=lambda ligne: ligne[2]) == [
        (ADMIN_A, "eva@x.ca", "compte:actif", "True", "False"),
        (ADMIN_A, "eva@x.ca", "compte:nom", "Eva Roy", None),
        (ADMIN_A, "eva@x.ca", "compte:region", "01", None),
    ]
    assert not authentifier("eva@x.ca", MDP, moteur=moteur, maintenant=T0).reussie


@pytest.mark.parametrize(
    ("valeurs", "message"),
    [
        ({"mot_de_passe": "nouveau mot de passe"}, "non modifiable"),
        ({"hache_mot_de_passe": "x", "nom": "Eva"}, "non modifiable"),
        ({"cree_le": dt.datetime(2020, 1, 1)}, "non modifiable"),
        ({"role": "chef"}, "rôle « chef » inconnu"),
        ({"role": "Admin"}, "rôle « Admin » inconnu"),
    ],
)
def test_modifier_compte_refuse(moteur, valeurs, message):
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur, nom="Ève")
    avant = _journal_comptes(moteur)
    with pytest.raises(ErreurCompte, match=message):
        modifier_compte("eva@x.ca", moteur=moteur, auteur=ADMIN_A, **valeurs)
    assert _journal_comptes(moteur) == avant
    assert trouver_compte("eva@x.ca", moteur=moteur) == Compte(
        "eva@x.ca", "Ève", "evaluateur", True
    )
    assert authentifier("eva@x.ca", MDP, moteur=moteur, maintenant=T0).reussie


def test_modifier_compte_inconnu_ou_invalide(moteur):
    with pytest.raises(ErreurCompte, match="aucun compte pour x@y"):
        modifier_compte("X@y.ca", moteur=moteur, auteur=ADMIN_A, nom="X")
    with pytest.raises(ErreurCompte, match="adresse courriel invalide"):
        modifier_compte("pas-un-courriel", moteur=moteur, auteur=ADMIN_A, nom="X")


def test_dernier_administrateur_actif_protege(moteur):
    creer_compte(ADMIN_A, "admin", MDP, moteur=moteur, nom="Ana")
    avant = _journal_comptes(moteur)
    for role in ("president", "evaluateur", "observateur"):
        with pytest.raises(ErreurCompte, match="dernier compte d'administration actif"):
            modifier_compte(ADMIN_A, moteur=moteur, auteur=ADMIN_A, role=role)
    with pytest.raises(ErreurCompte, match="dernier compte d'administration actif"):
        modifier_compte(ADMIN_A, moteur=moteur, auteur=ADMIN_A, actif=False)
    with pytest.raises(ErreurCompte, match="dernier compte d'administration actif"):
        modifier_compte(ADMIN_A, moteur=moteur, auteur=ADMIN_A, nom="Ana B.", actif=False)
    with pytest.raises(ErreurCompte, match="dernier compte d'administration actif"):
        desactiver_compte(ADMIN_A, moteur=moteur, auteur=ADMIN_A)
    assert _journal_comptes(moteur) == avant
    assert trouver_compte(ADMIN_A, moteur=moteur) == Compte(ADMIN_A, "Ana", "admin", True)
    # Ce qui ne lui retire pas l'administration reste permis.
    compte = modifier_compte(
        ADMIN_A, moteur=moteur, auteur=ADMIN_A, role="admin", actif=True, nom="Ana B."
    )
    assert compte.role == "admin" and compte.actif and compte.nom == "Ana B."

    # Un autre administrateur, mais inactif, ne suffit pas.
    creer_compte(ADMIN_B, "admin", MDP, moteur=moteur, auteur=ADMIN_A)
    modifier_compte(ADMIN_B, moteur=moteur, auteur=ADMIN_A, actif=False)
    assert _admins_actifs(moteur) == [ADMIN_A]
    with pytest.raises(ErreurCompte, match="dernier compte d'administration actif"):
        modifier_compte(ADMIN_A, moteur=moteur, auteur=ADMIN_A, role="president")
    # Un administrateur inactif peut changer de rôle (il n'administre déjà plus).
    assert modifier_compte(ADMIN_B, moteur=moteur, auteur=ADMIN_A, role="observateur").role == (
        "observateur"
    )

    # Un autre administrateur actif : la rétrogradation passe, puis le nouveau est protégé.
    creer_compte("c@x.ca", "admin", MDP, moteur=moteur, auteur=ADMIN_A)
    assert modifier_compte(ADMIN_A, moteur=moteur, auteur="c@x.ca", role="president").role == (
        "president"
    )
    assert _admins_actifs(moteur) == ["c@x.ca"]
    with pytest.raises(ErreurCompte, match="dernier compte d'administration actif"):
        modifier_compte("c@x.ca", moteur=moteur, auteur="c@x.ca", actif=False)
    # Un président redevient administrateur, après quoi l'autre peut être désactivé.
    modifier_compte(ADMIN_A, moteur=moteur, auteur="c@x.ca", role="admin")
    assert not modifier_compte("c@x.ca", moteur=moteur, auteur=ADMIN_A, actif=False).actif
    assert _admins_actifs(moteur) == [ADMIN_A]
    assert (ADMIN_A, "c@x.ca", "compte:actif", "True", "False") in _journal_comptes(moteur)


def test_deux_derniers_administrateurs_retires_en_meme_temps(moteur, monkeypatch):
    creer_compte(ADMIN_A, "admin", MDP, moteur=moteur)
    creer_compte(ADMIN_B, "admin", MDP, moteur=moteur)
    resultats = _deux_en_meme_temps(
        monkeypatch,
        [
            lambda: modifier_compte(ADMIN_A, moteur=moteur, auteur=ADMIN_A, role="president"),
            lambda: modifier_compte(ADMIN_B, moteur=moteur, auteur=ADMIN_B, actif=False),
        ],
    )
    assert _admins_actifs(moteur), resultats


def test_changer_mot_de_passe(moteur):
    nouveau = "une toute nouvelle phrase"
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur)
    assert not trouver_compte("eva@x.ca", moteur=moteur).mot_de_passe_provisoire
    avant = len(_journal_comptes(moteur))
    changer_mot_de_passe("EVA@x.ca", nouveau, moteur=moteur, auteur=ADMIN_A)
    assert not authentifier("eva@x.ca", MDP, moteur=moteur, maintenant=T0).reussie
    ouverte = authentifier("eva@x.ca", nouveau, moteur=moteur, maintenant=T0)
    assert ouverte.reussie and ouverte.compte.mot_de_passe_provisoire
    lignes = _journal_comptes(moteur)[avant:]
    assert lignes == [(ADMIN_A, "eva@x.ca", "compte:mot_de_passe", None, "(provisoire)")]
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c)
        hache = stockage.lire_compte("eva@x.ca", connexion=c)["hache_mot_de_passe"]
    texte = " ".join(str(v) for v in journal.to_numpy().ravel())
    assert nouveau not in texte and MDP not in texte and hache not in texte
    assert hache.startswith("$argon2id$") and nouveau not in hache

    # Le titulaire le remplace : il n'est plus provisoire ; le même est refusé.
    with pytest.raises(ErreurCompte, match="celui que vous avez déjà"):
        changer_mot_de_passe("eva@x.ca", nouveau, moteur=moteur, auteur="eva@x.ca")
    le_sien = "girafe radio tempête cerise"
    changer_mot_de_passe("eva@x.ca", le_sien, moteur=moteur, auteur="Eva@X.ca")
    assert not trouver_compte("eva@x.ca", moteur=moteur).mot_de_passe_provisoire
    assert _journal_comptes(moteur)[-1] == (
        "Eva@X.ca",
        "eva@x.ca",
        "compte:mot_de_passe",
        None,
        "(changé)",
    )
    assert authentifier("eva@x.ca", le_sien, moteur=moteur, maintenant=T0).reussie


@pytest.mark.parametrize(
    ("mot_de_passe", "message"),
    [
        ("court", "au moins 12 caractères"),
        (" espace au bout ", "pas d'espace"),
        ("eva-x-ca-2024!", "sans votre nom"),
        ("azertyuiop123", "plus difficile à deviner"),
    ],
)
def test_changer_mot_de_passe_refuse(moteur, mot_de_passe, message):
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur)
    avant = _journal_comptes(moteur)
    with pytest.raises(ErreurCompte, match=message):
        changer_mot_de_passe("eva@x.ca", mot_de_passe, moteur=moteur, auteur=ADMIN_A)
    assert _journal_comptes(moteur) == avant
    assert authentifier("eva@x.ca", MDP, moteur=moteur, maintenant=T0).reussie
    assert not authentifier("eva@x.ca", mot_de_passe, moteur=moteur, maintenant=T0).reussie


def test_changer_mot_de_passe_compte_inconnu(moteur):
    with pytest.raises(ErreurCompte, match="aucun compte pour x@y"):
        changer_mot_de_passe("x@y.ca", MDP, moteur=moteur, auteur=ADMIN_A)
    assert _journal_comptes(moteur) == []


# --- Mot de passe provisoire -------------------------------------------------------------


def test_mot_de_passe_fixe_par_un_autre_est_provisoire(moteur):
    assert not creer_premier_administrateur(ADMIN_A, MDP, moteur=moteur).mot_de_passe_provisoire
    assert creer_compte(
        "eva@x.ca", "evaluateur", MDP, moteur=moteur, auteur=ADMIN_A
    ).mot_de_passe_provisoire
    assert creer_compte(
        "cli@x.ca", "evaluateur", MDP, moteur=moteur, auteur="ligne de commande (root)"
    ).mot_de_passe_provisoire
    assert not creer_compte("luc@x.ca", "evaluateur", MDP, moteur=moteur).mot_de_passe_provisoire
    assert not creer_compte(
        "zoe@x.ca", "evaluateur", MDP, moteur=moteur, auteur="ZOE@x.ca"
    ).mot_de_passe_provisoire
    provisoires = {c.courriel for c in lister_comptes(moteur=moteur) if c.mot_de_passe_provisoire}
    assert provisoires == {"eva@x.ca", "cli@x.ca"}


def test_changer_son_mot_de_passe(moteur):
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur, nom="Eva Roy")
    nouveau = "girafe radio tempête cerise"
    with pytest.raises(ErreurCompte, match="mot de passe actuel incorrect"):
        changer_son_mot_de_passe("eva@x.ca", "pas le bon du tout", nouveau, moteur=moteur)
    with pytest.raises(ErreurCompte, match="sans votre nom"):
        changer_son_mot_de_passe("eva@x.ca", MDP, "eva roy 2024 !!", moteur=moteur)
    with pytest.raises(ErreurCompte, match="celui que vous avez déjà"):
        changer_son_mot_de_passe("eva@x.ca", MDP, MDP, moteur=moteur)
    assert authentifier("eva@x.ca", MDP, moteur=moteur).reussie
    changer_son_mot_de_passe("Eva@x.ca", MDP, nouveau, moteur=moteur)
    assert authentifier("eva@x.ca", nouveau, moteur=moteur).reussie
    assert not authentifier("eva@x.ca", MDP, moteur=moteur).reussie
    assert _journal_comptes(moteur)[-1] == (
        "eva@x.ca",
        "eva@x.ca",
        "compte:mot_de_passe",
        None,
        "(changé)",
    )


def test_changer_son_mot_de_passe_compte_pour_le_verrouillage(moteur):
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur)
    for _ in range(ECHECS_MAX):
        with pytest.raises(ErreurCompte, match="mot de passe actuel incorrect"):
            changer_son_mot_de_passe(
                "eva@x.ca", "pas le bon", "girafe radio tempête", moteur=moteur
            )
    with pytest.raises(ErreurCompte, match="Compte verrouillé"):
        changer_son_mot_de_passe("eva@x.ca", MDP, "girafe radio tempête", moteur=moteur)
    assert not authentifier("eva@x.ca", "girafe radio tempête", moteur=moteur).reussie


# --- Municipalité et région : le répertoire, jamais du texte libre -----------------------


@pytest.mark.parametrize(
    ("municipalite", "region", "attendu"),
    [
        ("Rimouski", None, ("Rimouski", None)),
        ("rimouski", "01", ("Rimouski", "01")),
        ("  RIMOUSKI ", "1", ("Rimouski", "01")),
        ("St-Jean-sur-Richelieu", None, ("Saint-Jean-sur-Richelieu", None)),
        ("Ville de Lévis", "Chaudière-Appalaches", ("Lévis", "12")),
        ("Port-Daniel--Gascons", None, ("Port-Daniel–Gascons", None)),
        ("54017", None, ("Saint-Damase", None)),  # code géographique
        ("Saint-Damase", "16", ("Saint-Damase", "16")),  # la région départage
        (None, "estrie", (None, "05")),
        ("", "", (None, None)),
    ],
)
def test_lieu_pris_au_repertoire(moteur_sqlite, municipalite, region, attendu):
    compte = creer_compte(
        "eva@x.ca",
        "evaluateur",
        MDP,
        moteur=moteur_sqlite,
        municipalite=municipalite,
        region=region,
    )
    assert (compte.municipalite, compte.region) == attendu
    relu = trouver_compte("eva@x.ca", moteur=moteur_sqlite)
    assert (relu.municipalite, relu.region) == attendu
    assert not municipalite_hors_repertoire(relu)


@pytest.mark.parametrize(
    ("municipalite", "region", "message"),
    [
        ("Villeinconnue", None, "municipalité « Villeinconnue » absente du répertoire"),
        ("Sherbroke", None, "vouliez-vous dire « Sherbrooke » \\?"),
        ("Rimouski", "05", "n'est pas dans la région 05 Estrie : corrigez la région"),
        ("Saint-Damase", None, "plusieurs municipalités .* code 07105 .* code 54017"),
        ("99999", None, "absente du répertoire"),
        ("Sher\u202ebrooke", None, "caractère invisible ou de contrôle"),
        ("Magog\x00", None, "caractère invisible ou de contrôle"),
        (None, "18", "région « 18 » inconnue : donnez le code \\(01 à 17\\)"),
        (None, "Estri", "vouliez-vous dire « Estrie »"),
        ("Magog", "Sherbrooke", "région « Sherbrooke » inconnue"),
    ],
)
def test_lieu_hors_repertoire_refuse(moteur_sqlite, municipalite, region, message):
    with pytest.raises(ErreurCompte, match=message):
        creer_compte(
            "eva@x.ca",
            "evaluateur",
            MDP,
            moteur=moteur_sqlite,
            municipalite=municipalite,
            region=region,
        )
    assert aucun_compte(moteur=moteur_sqlite)


def test_municipalite_d_une_version_precedente(moteur):
    """Une municipalité libre déjà inscrite ne bloque rien ; elle est signalée, et seule une
    municipalité du répertoire la remplace."""
    with stockage.ecriture(moteur) as c:
        stockage.creer_compte(
            {
                "courriel": "eva@x.ca",
                "nom": "Eva",
                "role": "evaluateur",
                "hache_mot_de_passe": hacher(MDP),
                "actif": True,
                "municipalite": "Villeinconnue",
                "region": "05",
            },
            connexion=c,
        )
    compte = trouver_compte("eva@x.ca", moteur=moteur)
    assert municipalite_hors_repertoire(compte) and not compte.mot_de_passe_provisoire
    assert authentifier("eva@x.ca", MDP, moteur=moteur).reussie
    compte = modifier_compte(
        "eva@x.ca",
        moteur=moteur,
        auteur=ADMIN_A,
        role="president",
        municipalite="Villeinconnue",
        region="05",
    )
    assert (compte.role, compte.municipalite) == ("president", "Villeinconnue")
    with pytest.raises(ErreurCompte, match="absente du répertoire"):
        modifier_compte("eva@x.ca", moteur=moteur, auteur=ADMIN_A, municipalite="Autreville")
    with pytest.raises(ErreurCompte, match="n'est pas dans la région 05"):
        modifier_compte("eva@x.ca", moteur=moteur, auteur=ADMIN_A, municipalite="Rimouski")
    compte = modifier_compte("eva@x.ca", moteur=moteur, auteur=ADMIN_A, municipalite="magog")
    assert (compte.municipalite, compte.region) == ("Magog", "05")
    assert not municipalite_hors_repertoire(compte)
    # Une nouvelle région est vérifiée contre la municipalité inscrite.
    with pytest.raises(ErreurCompte, match=r"Magog .* n'est pas dans la région 01"):
        modifier_compte("eva@x.ca", moteur=moteur, auteur=ADMIN_A, region="01")
    assert trouver_compte("eva@x.ca", moteur=moteur).region == "05"


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"nom": "Eva\x00Roy"}, "nom refusé"),
        ({"nom": "Eva\u202eyoR"}, "nom refusé"),
        ({"nom": "E" * 201}, "nom trop long"),
    ],
)
def test_nom_refuse(moteur, champs, message):
    with pytest.raises(ErreurCompte, match=message):
        creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur, **champs)
    creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur, nom="Eva")
    with pytest.raises(ErreurCompte, match=message):
        modifier_compte("eva@x.ca", moteur=moteur, auteur=ADMIN_A, **champs)
    assert trouver_compte("eva@x.ca", moteur=moteur).nom == "Eva"


def test_nom_espaces_ramenes():
    from evaluation.socle.comptes import nettoyer_nom

    assert nettoyer_nom("  Eva \t  Roy\n") == "Eva Roy"
    assert nettoyer_nom(" \t ") is None


# --- Ligne de commande : comptes ajouter et reinitialiser --------------------------------


def _cli(monkeypatch, capsys, base: str, *arguments: str, entree: str = "") -> tuple:
    """(code de sortie, sortie, erreurs) de `python -m evaluation --base BASE comptes ...`,
    le mot de passe lu sur l'entrée standard."""
    import io

    from evaluation.commandes import main

    monkeypatch.setattr("sys.stdin", io.StringIO(entree))
    code = main(["--base", base, "comptes", *arguments])
    sortie = capsys.readouterr()
    return code, sortie.out, sortie.err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--municipalite", "Villeinconnue"], "municipalité « Villeinconnue » absente du"),
        (["--municipalite", "Sherbroke"], "vouliez-vous dire « Sherbrooke » ?"),
        (["--municipalite", "Saint-Damase"], "plusieurs municipalités se nomment"),
        (["--municipalite", "Magog", "--region", "01"], "n'est pas dans la région 01"),
        (["--region", "Gaspésie"], "région « Gaspésie » inconnue"),
    ],
)
def test_cli_ajouter_hors_repertoire(tmp_path, monkeypatch, capsys, options, message):
    base = f"sqlite:///{tmp_path / 'base.sqlite'}"
    code, sortie, erreurs = _cli(
        monkeypatch, capsys, base, "ajouter", "eva@x.ca", "--role", "evaluateur", *options,
        entree=MDP + "\n",
    )  # fmt: skip
    assert (code, sortie) == (1, "")
    assert erreurs.startswith("Erreur : ") and message in erreurs, erreurs
    assert "Traceback" not in erreurs
    moteur = stockage.creer_moteur(base)
    try:
        assert aucun_compte(moteur=moteur)
    finally:
        moteur.dispose()


def test_cli_ajouter_un_membre_du_comite(tmp_path, monkeypatch, capsys):
    base = f"sqlite:///{tmp_path / 'base.sqlite'}"
    code, sortie, _ = _cli(
        monkeypatch, capsys, base, "ajouter", "mem@x.ca", "--role", "membre", entree=MDP + "\n"
    )
    assert code == 0 and "(membre)" in sortie
    moteur = stockage.creer_moteur(base)
    try:
        assert trouver_compte("mem@x.ca", moteur=moteur).role == "membre"
    finally:
        moteur.dispose()


def test_cli_ajouter_puis_reinitialiser(tmp_path, monkeypatch, capsys):
    base = f"sqlite:///{tmp_path / 'base.sqlite'}"
    code, sortie, _ = _cli(
        monkeypatch, capsys, base, "ajouter", "eva@x.ca", "--role", "evaluateur",
        "--municipalite", "st-jean-sur-richelieu", "--region", "16", entree=MDP + "\n",
    )  # fmt: skip
    assert code == 0 and "provisoire" in sortie
    code, _, erreurs = _cli(
        monkeypatch, capsys, base, "reinitialiser", "eva@x.ca", entree="azertyuiop123\n"
    )
    assert code == 1 and "plus difficile à deviner" in erreurs
    nouveau = "girafe radio tempête cerise"
    assert _cli(monkeypatch, capsys, base, "reinitialiser", "Eva@x.ca", entree=nouveau)[0] == 0
    assert _cli(monkeypatch, capsys, base, "reinitialiser", "x@x.ca", entree=nouveau)[0] == 1
    moteur = stockage.creer_moteur(base)
    try:
        compte = trouver_compte("eva@x.ca", moteur=moteur)
        assert (compte.municipalite, compte.region) == ("Saint-Jean-sur-Richelieu", "16")
        assert compte.mot_de_passe_provisoire
        assert authentifier("eva@x.ca", nouveau, moteur=moteur).reussie
        assert _journal_comptes(moteur)[-1][2:] == ("compte:mot_de_passe", None, "(provisoire)")
    finally:
        moteur.dispose()


def test_une_connexion_ne_change_aucune_version_des_donnees(moteur):
    """Une tentative de connexion (réussie, manquée, d'un inconnu) n'écrit rien que les
    pages gardent sous une version : elle ne leur fait rien recalculer (sinon quiconque
    atteint la page de connexion viderait le classement gardé de 50 000 demandes)."""
    creer_compte("marie@exemple.ca", "evaluateur", MDP, moteur=moteur)

    def versions():
        with moteur.connect() as c:
            return stockage.versions_donnees(connexion=c)

    avant = versions()
    assert authentifier("marie@exemple.ca", MDP, moteur=moteur, maintenant=T0).reussie
    assert not authentifier("marie@exemple.ca", "faux", moteur=moteur, maintenant=T0).reussie
    assert not authentifier("x@exemple.ca", "faux", moteur=moteur, maintenant=T0).reussie
    assert versions() == avant
    with moteur.connect() as c:
        assert len(stockage.echecs_depuis_derniere_reussite("marie@exemple.ca", connexion=c)) == 1


# --- L'organisme d'un compte (NEQ, issue 18) ----------------------------------------------


def test_neq_du_compte(moteur):
    """Le NEQ d'un compte est lu comme à l'importation (dix chiffres, espaces et tirets
    retirés), inscrit, modifié et journalisé."""
    creer_compte(ADMIN_A, "admin", MDP, moteur=moteur)
    cree = creer_compte(
        "eva@x.ca", "evaluateur", MDP, moteur=moteur, auteur=ADMIN_A, neq="1145 678 901"
    )
    assert cree.neq == "1145678901"
    assert trouver_compte("eva@x.ca", moteur=moteur).neq == "1145678901"
    avant = len(_journal_comptes(moteur))
    compte = modifier_compte("eva@x.ca", moteur=moteur, auteur=ADMIN_A, neq="224-567-8901")
    assert compte.neq == "2245678901"
    assert _journal_comptes(moteur)[avant:] == [
        (ADMIN_A, "eva@x.ca", "compte:neq", "1145678901", "2245678901")
    ]
    assert modifier_compte("eva@x.ca", moteur=moteur, auteur=ADMIN_A, neq="").neq is None
    assert [c.neq for c in lister_comptes(moteur=moteur) if c.courriel == "eva@x.ca"] == [None]


@pytest.mark.parametrize(
    ("neq", "message"),
    [
        ("123", "3 chiffres au lieu de 10"),
        ("1145678901 inc", "hors des chiffres"),
        ("1,14568E+09", "notation scientifique"),
        ("1145\u200b678901\u0000", "caractère invisible"),
    ],
)
def test_neq_du_compte_refuse(moteur_sqlite, neq, message):
    with pytest.raises(ErreurCompte, match=message):
        creer_compte("eva@x.ca", "evaluateur", MDP, moteur=moteur_sqlite, neq=neq)
    assert trouver_compte("eva@x.ca", moteur=moteur_sqlite) is None
