"""Répartition des évaluateurs et conflits d'intérêts enregistrés : le magasin (attributions,
conflits, réglages, journal) sur SQLite et PostgreSQL ; les règles pures sont dans
test_repartition.py."""

import datetime as dt

import pytest

from evaluation.appels.configuration import appel_depuis_toml
from evaluation.notes.attributions import (
    appliquer_repartition,
    charger,
    declarer_conflit,
    modifier_attributions,
    motif_refus,
    retirer_conflit,
    verrouiller,
)
from evaluation.notes.evaluations import enregistrer, noter_consultation
from evaluation.notes.repartition import (
    DECLARE,
    REGLE,
    ErreurAttribution,
    Reglages,
)
from evaluation.notes.saisie import BROUILLON, SOUMISE, Saisie
from evaluation.socle import mots_de_passe, stockage
from evaluation.socle.comptes import creer_compte, desactiver_compte
from tests.filtrage import admettre

MDP = "un mot de passe solide"
INSTANT = dt.datetime(2026, 1, 15, 10, 0)
ADMIN = "admin@x.ca"
EVALUATEURS = ("a@x.ca", "b@x.ca", "c@x.ca")
# (numéro, municipalité requérante, région, municipalités partenaires)
SIX_DEMANDES = [
    ("A-1", "Rimouski", "01", None),
    ("A-2", "Sherbrooke", "05", "Magog; Orford"),
    ("A-3", "Gatineau", "07", None),
    ("A-4", "Laval", "13", None),
    ("A-5", "Lévis", "12", None),
    ("A-6", "Saguenay", "02", None),
]


@pytest.fixture(autouse=True)
def _hachage_rapide(monkeypatch):
    """argon2 au plus léger : ces tests créent beaucoup de comptes, sans jamais s'y connecter."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        mots_de_passe, "_hacheur", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


def _ligne_demande(numero, municipalite, region, partenaires) -> dict:
    valeurs = dict.fromkeys(stockage.CHAMPS_DEMANDE)
    valeurs.update(
        no_demande=numero,
        municipalite=municipalite,
        region=region,
        municipalites_partenaires=partenaires,
        titre=f"Projet {numero}",
        cree_le=INSTANT,
        modifie_le=INSTANT,
    )
    return valeurs


@pytest.fixture
def six(moteur, appel) -> dict[str, int]:
    """Six demandes de l'appel, sans lien avec les évaluateurs ; {numéro: identifiant}."""
    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)
        ids = stockage.inserer_demandes(
            appel.id, [_ligne_demande(*d) for d in SIX_DEMANDES], connexion=c
        )
    admettre(moteur, appel)  # jugées admissibles : elles s'attribuent
    return ids


def _evaluateurs(moteur, courriels=EVALUATEURS) -> tuple[str, ...]:
    for courriel in courriels:
        creer_compte(courriel, "evaluateur", MDP, moteur=moteur)
    return tuple(courriels)


@pytest.fixture
def trois(moteur) -> tuple[str, ...]:
    return _evaluateurs(moteur)


def _journal(moteur) -> list[dict]:
    """Le journal de l'appel (sans les lignes qui ne portent sur aucun appel : comptes ; sans
    l'examen d'admissibilité que le fixture `six` a fait)."""
    with moteur.connect() as c:
        lignes = stockage.lire_journal(connexion=c).to_dict("records")
    return [j for j in lignes if j["appel_id"] is not None and j["objet"] != "admissibilite:examen"]


def _stockees(moteur, appel) -> set[tuple[int, str]]:
    with moteur.connect() as c:
        return set(stockage.lire_attributions(appel.id, connexion=c))


def _charges(etat) -> dict[str, int]:
    return {e: len(etat.demandes_de(e)) for e in etat.evaluateurs}


def test_par_defaut_chaque_evaluateur_actif_evalue_chaque_demande(moteur, appel, six, trois):
    etat = charger(appel.id, moteur=moteur)
    assert etat.reglages == Reglages()
    assert etat.evaluateurs == trois
    assert set(etat.demandes) == set(six.values())
    assert etat.stockees == frozenset() and etat.conflits == {}
    for e in trois:
        assert etat.demandes_de(e) == list(etat.demandes)
    for d in six.values():
        assert etat.evaluateurs_de(d) == list(trois)


def test_par_defaut_moins_les_conflits(moteur, appel, six, trois):
    declarer_conflit(
        appel.id, six["A-3"], "b@x.ca", "ancien employeur", moteur=moteur, auteur=ADMIN
    )
    etat = charger(appel.id, moteur=moteur)
    assert six["A-3"] not in etat.demandes_de("b@x.ca")
    assert len(etat.demandes_de("b@x.ca")) == 5
    assert etat.evaluateurs_de(six["A-3"]) == ["a@x.ca", "c@x.ca"]
    assert etat.evaluateurs_de(six["A-1"]) == list(trois)
    assert not etat.attribuee(six["A-3"], "b@x.ca")


def test_comptes_inactifs_ou_non_evaluateurs_ne_sont_pas_evaluateurs(moteur, appel, six, trois):
    creer_compte("parti@x.ca", "evaluateur", MDP, moteur=moteur)
    desactiver_compte("parti@x.ca", moteur=moteur)
    # Même dans la municipalité d'une demande, un compte qui n'évalue pas n'a pas de conflit.
    creer_compte(ADMIN, "admin", MDP, moteur=moteur, municipalite="Rimouski")
    creer_compte("pres@x.ca", "president", MDP, moteur=moteur, region="05")
    creer_compte("obs@x.ca", "observateur", MDP, moteur=moteur)
    etat = charger(appel.id, moteur=moteur)
    assert etat.evaluateurs == trois
    assert etat.conflits == {}
    for d in six.values():
        assert etat.evaluateurs_de(d) == list(trois)
    repartition = appliquer_repartition(appel, 2, moteur=moteur, auteur=ADMIN)
    assert set(repartition.charge()) == set(trois)
    assert {e for _, e in _stockees(moteur, appel)} == set(trois)


def test_evaluateurs_en_ordre_alphabetique_quelle_que_soit_la_base(moteur, appel, six, monkeypatch):
    """Les colonnes du tableau d'attributions et la répartition suivent l'ordre des
    courriels, pas celui où la base rend les comptes (un PostgreSQL en collation fr_CA
    range « ab@ » avant « a.c@ », qui passe devant en ordre de caractères)."""
    _evaluateurs(moteur, ("a.c@x.ca", "ab@x.ca", "b@x.ca"))
    lire = stockage.lire_comptes
    monkeypatch.setattr(stockage, "lire_comptes", lambda **k: lire(**k)[::-1])
    assert charger(appel.id, moteur=moteur).evaluateurs == ("a.c@x.ca", "ab@x.ca", "b@x.ca")


@pytest.mark.parametrize("n_evaluateurs", [3, 5])
def test_repartition_n_par_demande_equilibree_et_journalisee(moteur, appel, six, n_evaluateurs):
    evaluateurs = _evaluateurs(moteur, [f"e{i}@x.ca" for i in range(n_evaluateurs)])
    repartition = appliquer_repartition(appel, 2, moteur=moteur, auteur=ADMIN, maintenant=INSTANT)
    assert repartition.manques == {}
    etat = charger(appel.id, moteur=moteur)
    assert etat.reglages.evaluateurs_par_demande == 2
    assert etat.reglages.modifie_par == ADMIN and etat.reglages.modifie_le == INSTANT
    assert not etat.reglages.verrouille
    for d in six.values():
        assert len(etat.evaluateurs_de(d)) == 2
        assert etat.evaluateurs_de(d) == list(repartition.par_demande[d])
    charges = _charges(etat)
    assert set(charges) == set(evaluateurs)
    assert sum(charges.values()) == 12
    assert max(charges.values()) - min(charges.values()) <= 1
    assert etat.stockees == {(d, e) for d in six.values() for e in etat.evaluateurs_de(d)}

    journal = _journal(moteur)
    attributions = [j for j in journal if j["objet"] == "attribution"]
    # Au journal dans l'ordre des demandes, puis des évaluateurs.
    assert [(j["demande_id"], j["evaluateur"]) for j in attributions] == sorted(etat.stockees)
    assert len(attributions) == 12
    assert all(j["ancien"] is None and j["nouveau"] == "attribuée" for j in attributions)
    assert all(j["auteur"] == ADMIN and j["date"] == INSTANT for j in attributions)
    (reglage,) = [j for j in journal if j["objet"] == "reglage:evaluateurs_par_demande"]
    assert (reglage["ancien"], reglage["nouveau"], reglage["auteur"]) == (None, "2", ADMIN)
    assert len(journal) == 13

    # Réappliquer le même réglage ne change rien et n'écrit rien.
    appliquer_repartition(appel, 2, moteur=moteur, auteur=ADMIN)
    assert charger(appel.id, moteur=moteur).stockees == etat.stockees
    assert len(_journal(moteur)) == 13


def test_mode_n_une_demande_non_attribuee_n_est_pas_a_evaluer(moteur, appel, six, trois):
    appliquer_repartition(appel, 1, moteur=moteur, auteur=ADMIN)
    etat = charger(appel.id, moteur=moteur)
    for d in six.values():
        (seul,) = etat.evaluateurs_de(d)
        for e in trois:
            assert etat.attribuee(d, e) == (e == seul)
    assert _charges(etat) == dict.fromkeys(trois, 2)


def test_reequilibrage_garde_les_evaluations_commencees(moteur, appel, six, trois):
    premiere = min(six.values())
    # Sans évaluation commencée, la première demande irait à a@x.ca (ordre alphabétique).
    assert appliquer_repartition(appel, 1, moteur=moteur, auteur=ADMIN).par_demande[premiere] == (
        "a@x.ca",
    )
    appliquer_repartition(appel, None, moteur=moteur, auteur=ADMIN)
    enregistrer(
        appel, premiere, "c@x.ca", Saisie(notes={"pertinence": 5.0}), BROUILLON, moteur=moteur
    )
    appliquer_repartition(appel, 1, moteur=moteur, auteur=ADMIN)
    etat = charger(appel.id, moteur=moteur)
    assert etat.evaluateurs_de(premiere) == ["c@x.ca"]
    assert _charges(etat) == dict.fromkeys(trois, 2)
    appliquer_repartition(appel, 2, moteur=moteur, auteur=ADMIN)
    etat = charger(appel.id, moteur=moteur)
    assert "c@x.ca" in etat.evaluateurs_de(premiere)
    assert all(len(etat.evaluateurs_de(d)) == 2 for d in six.values())
    # Et on revient à un seul : c@x.ca reste, parce qu'il a commencé.
    appliquer_repartition(appel, 1, moteur=moteur, auteur=ADMIN)
    assert charger(appel.id, moteur=moteur).evaluateurs_de(premiere) == ["c@x.ca"]


def test_retour_au_mode_par_defaut_retire_les_attributions(moteur, appel, six, trois):
    appliquer_repartition(appel, 2, moteur=moteur, auteur=ADMIN)
    stockees = _stockees(moteur, appel)
    assert len(stockees) == 12
    avant = len(_journal(moteur))
    appliquer_repartition(appel, None, moteur=moteur, auteur="autre@x.ca", maintenant=INSTANT)
    assert _stockees(moteur, appel) == set()
    etat = charger(appel.id, moteur=moteur)
    assert etat.reglages.evaluateurs_par_demande is None
    assert etat.reglages.modifie_par == "autre@x.ca"
    for e in trois:
        assert etat.demandes_de(e) == list(etat.demandes)
    nouvelles = _journal(moteur)[avant:]
    retraits = [j for j in nouvelles if j["objet"] == "attribution"]
    assert [(j["demande_id"], j["evaluateur"]) for j in retraits] == sorted(stockees)
    assert all(j["ancien"] == "attribuée" and j["nouveau"] is None for j in retraits)
    (reglage,) = [j for j in nouvelles if j["objet"] == "reglage:evaluateurs_par_demande"]
    assert (reglage["ancien"], reglage["nouveau"]) == ("2", None)
    assert len(nouvelles) == 13


def test_nombre_par_demande_invalide_refuse(moteur, appel, six, trois):
    with pytest.raises(ErreurAttribution, match="au moins un évaluateur"):
        appliquer_repartition(appel, 0, moteur=moteur, auteur=ADMIN)
    assert _stockees(moteur, appel) == set()
    assert _journal(moteur) == []
    assert charger(appel.id, moteur=moteur).reglages == Reglages()


def test_manque_d_evaluateurs_rapporte(moteur, appel, six, trois):
    declarer_conflit(appel.id, six["A-4"], "a@x.ca", "voisin", moteur=moteur, auteur=ADMIN)
    repartition = appliquer_repartition(appel, 3, moteur=moteur, auteur=ADMIN)
    assert repartition.manques == {six["A-4"]: 1}
    etat = charger(appel.id, moteur=moteur)
    assert etat.evaluateurs_de(six["A-4"]) == ["b@x.ca", "c@x.ca"]
    assert (six["A-4"], "a@x.ca") not in etat.stockees


def test_modifier_attributions_tout_ou_rien(moteur, appel, six, trois):
    appliquer_repartition(appel, 1, moteur=moteur, auteur=ADMIN)
    etat = charger(appel.id, moteur=moteur)
    seul = {d: etat.evaluateurs_de(d)[0] for d in six.values()}
    # Une demande que c@x.ca a commencée, une autre où b@x.ca est en conflit déclaré.
    commencee = next(d for d, e in seul.items() if e == "c@x.ca")
    enregistrer(
        appel, commencee, "c@x.ca", Saisie(notes={"pertinence": 6.0}), BROUILLON, moteur=moteur
    )
    en_conflit = next(d for d, e in seul.items() if e != "b@x.ca")
    declarer_conflit(appel.id, en_conflit, "b@x.ca", "associé", moteur=moteur, auteur=ADMIN)
    libre = next(d for d, e in seul.items() if e == "a@x.ca")
    valide = (libre, "c@x.ca")
    stockees, journal = _stockees(moteur, appel), _journal(moteur)

    with pytest.raises(ErreurAttribution, match=r"b@x\.ca ne peut pas évaluer .*associé"):
        modifier_attributions(
            appel, [valide, (en_conflit, "b@x.ca")], [], moteur=moteur, auteur=ADMIN
        )
    with pytest.raises(ErreurAttribution, match="a déjà commencé"):
        modifier_attributions(appel, [valide], [(commencee, "c@x.ca")], moteur=moteur, auteur=ADMIN)
    with pytest.raises(ErreurAttribution, match="n'est pas un évaluateur actif"):
        modifier_attributions(appel, [valide, (libre, ADMIN)], [], moteur=moteur, auteur=ADMIN)
    assert _stockees(moteur, appel) == stockees
    assert _journal(moteur) == journal

    retrait = (libre, "a@x.ca")
    modifier_attributions(
        appel, [valide], [retrait], moteur=moteur, auteur=ADMIN, maintenant=INSTANT
    )
    assert _stockees(moteur, appel) == (stockees | {valide}) - {retrait}
    etat = charger(appel.id, moteur=moteur)
    assert etat.evaluateurs_de(libre) == ["c@x.ca"]
    nouvelles = _journal(moteur)[len(journal) :]
    assert {
        (j["objet"], j["demande_id"], j["evaluateur"], j["ancien"], j["nouveau"], j["auteur"])
        for j in nouvelles
    } == {
        ("attribution", libre, "c@x.ca", None, "attribuée", ADMIN),
        ("attribution", libre, "a@x.ca", "attribuée", None, ADMIN),
    }
    assert {j["date"] for j in nouvelles} == {INSTANT}  # l'heure de la correction
    assert len(nouvelles) == 2


def test_modifier_attributions_dit_chaque_probleme_dans_l_ordre_des_demandes(
    moteur, appel, six, trois
):
    """Un lot refusé dit tous ses problèmes, ajouts d'abord puis retraits, chacun dans
    l'ordre des demandes : la personne qui corrige le tableau les retrouve ligne par ligne.
    Rien n'est enregistré."""
    appliquer_repartition(appel, 3, moteur=moteur, auteur=ADMIN)
    ids = [six[n] for n in ("A-1", "A-2", "A-3", "A-4", "A-5", "A-6")]
    # Des inconnus nommés à rebours des demandes : l'ordre du message est celui des demandes.
    ajouts = [(d, f"inconnu{9 - k}@x.ca") for k, d in enumerate(ids)] + [(99_999, "a@x.ca")]
    commencees = [(d, "b@x.ca") for d in ids[:5]]
    for d, e in commencees:
        enregistrer(appel, d, e, Saisie(notes={"pertinence": 5.0}), BROUILLON, moteur=moteur)
    stockees, journal = _stockees(moteur, appel), _journal(moteur)
    with pytest.raises(ErreurAttribution) as refus:
        modifier_attributions(appel, ajouts[::-1], commencees[::-1], moteur=moteur, auteur=ADMIN)
    assert str(refus.value) == " ".join(
        [f"inconnu{9 - k}@x.ca n'est pas un évaluateur actif de l'appel." for k in range(6)]
        + ["la demande 99999 n'existe pas dans l'appel."]
        + [
            f"b@x.ca a déjà commencé l'évaluation de la demande {d} : son attribution reste "
            "(ses notes ne sont jamais retirées)."
            for d, _ in commencees
        ]
    )
    assert _stockees(moteur, appel) == stockees
    assert _journal(moteur) == journal


def test_modifier_attributions_refuse_un_conflit_de_regle(moteur, appel, six, trois):
    creer_compte("orford@x.ca", "evaluateur", MDP, moteur=moteur, municipalite="Orford")
    appliquer_repartition(appel, 1, moteur=moteur, auteur=ADMIN)
    with pytest.raises(ErreurAttribution, match=r"municipalité de l'évaluateur \(Orford\)"):
        modifier_attributions(appel, [(six["A-2"], "orford@x.ca")], [], moteur=moteur, auteur=ADMIN)
    assert (six["A-2"], "orford@x.ca") not in _stockees(moteur, appel)


def test_modifier_attributions_en_mode_par_defaut_refuse(moteur, appel, six, trois):
    with pytest.raises(ErreurAttribution, match="nombre d'évaluateurs par demande"):
        modifier_attributions(appel, [(six["A-1"], "a@x.ca")], [], moteur=moteur, auteur=ADMIN)
    assert _stockees(moteur, appel) == set()
    assert _journal(moteur) == []


@pytest.mark.parametrize("raison", ["", "   ", None])
def test_declarer_conflit_exige_une_raison(moteur, appel, six, trois, raison):
    with pytest.raises(ErreurAttribution, match="avec sa raison"):
        declarer_conflit(appel.id, six["A-1"], "a@x.ca", raison, moteur=moteur, auteur="a@x.ca")
    assert charger(appel.id, moteur=moteur).conflits == {}
    assert _journal(moteur) == []


def test_declarer_conflit(moteur, appel, six, trois):
    appliquer_repartition(appel, 2, moteur=moteur, auteur=ADMIN)
    etat = charger(appel.id, moteur=moteur)
    d = etat.demandes_de("b@x.ca")[0]
    avant = len(_journal(moteur))
    declarer_conflit(
        appel.id,
        d,
        "b@x.ca",
        "  ma sœur dirige le projet ",
        moteur=moteur,
        auteur="b@x.ca",
        maintenant=INSTANT,
    )
    etat = charger(appel.id, moteur=moteur)
    conflit = etat.conflits[(d, "b@x.ca")]
    assert (conflit.raison, conflit.origine, conflit.auteur, conflit.date) == (
        "ma sœur dirige le projet",
        DECLARE,
        "b@x.ca",
        INSTANT,
    )
    assert etat.conflits_de("b@x.ca") == [conflit]
    assert d not in etat.demandes_de("b@x.ca")
    assert "b@x.ca" not in etat.evaluateurs_de(d)
    (ligne,) = _journal(moteur)[avant:]
    assert (
        ligne["objet"],
        ligne["demande_id"],
        ligne["evaluateur"],
        ligne["ancien"],
        ligne["nouveau"],
        ligne["auteur"],
    ) == ("conflit", d, "b@x.ca", None, "ma sœur dirige le projet", "b@x.ca")
    assert ligne["date"] == INSTANT

    with pytest.raises(ErreurAttribution, match="déjà inscrit"):
        declarer_conflit(appel.id, d, "b@x.ca", "encore", moteur=moteur, auteur=ADMIN)
    assert len(_journal(moteur)) == avant + 1
    assert charger(appel.id, moteur=moteur).conflits[(d, "b@x.ca")].raison == (
        "ma sœur dirige le projet"
    )
    # Le rééquilibrage remplace l'évaluateur en conflit.
    appliquer_repartition(appel, 2, moteur=moteur, auteur=ADMIN)
    etat = charger(appel.id, moteur=moteur)
    assert len(etat.evaluateurs_de(d)) == 2 and "b@x.ca" not in etat.evaluateurs_de(d)
    assert (d, "b@x.ca") not in etat.stockees


def test_declarer_conflit_sur_une_demande_inconnue_refuse(moteur, appel, six, trois):
    with pytest.raises(ErreurAttribution, match="n'existe pas"):
        declarer_conflit(appel.id, 99_999, "a@x.ca", "x", moteur=moteur, auteur=ADMIN)
    with pytest.raises(ErreurAttribution, match="n'existe pas"):
        declarer_conflit("autre-appel", six["A-1"], "a@x.ca", "x", moteur=moteur, auteur=ADMIN)
    assert _journal(moteur) == []


def test_plusieurs_conflits_sur_une_demande_ou_un_evaluateur(moteur, appel, six, trois):
    """Deux évaluateurs en conflit sur la même demande, un évaluateur en conflit sur deux
    demandes : chaque conflit s'inscrit, et lever l'un ne touche pas aux autres (le
    journal garde la raison de celui qui est levé)."""
    d1, d2 = six["A-1"], six["A-2"]
    declarer_conflit(appel.id, d1, "a@x.ca", "voisin", moteur=moteur, auteur=ADMIN)
    declarer_conflit(appel.id, d1, "b@x.ca", "cousin", moteur=moteur, auteur=ADMIN)
    declarer_conflit(appel.id, d2, "a@x.ca", "associé", moteur=moteur, auteur=ADMIN)
    raisons = {k: c.raison for k, c in charger(appel.id, moteur=moteur).conflits.items()}
    assert raisons == {
        (d1, "a@x.ca"): "voisin",
        (d1, "b@x.ca"): "cousin",
        (d2, "a@x.ca"): "associé",
    }
    retirer_conflit(appel.id, d1, "b@x.ca", moteur=moteur, auteur=ADMIN)
    assert _journal(moteur)[-1]["ancien"] == "cousin"
    raisons = {k: c.raison for k, c in charger(appel.id, moteur=moteur).conflits.items()}
    assert raisons == {(d1, "a@x.ca"): "voisin", (d2, "a@x.ca"): "associé"}


def test_conflit_declare_par_l_evaluateur_apres_avoir_vu_les_notes(moteur, appel, six, trois):
    """Réglage du comité (`apres_consultation`, l'appel n'en dit rien) : se déclarer soi-même
    en conflit retire sa note du calcul ; après avoir soumis puis vu les notes des autres,
    c'est changer son évaluation après consultation. « refuser » : refusé à l'évaluateur
    (l'administration peut toujours l'inscrire) ; « signaler » : permis, l'évaluation est
    marquée et le journal le dit. Sans consultation, rien de tel."""
    strict = appel_depuis_toml(
        appel.source_toml.replace(
            'apres_consultation = "signaler"', 'apres_consultation = "refuser"'
        )
    )
    assert strict.id == appel.id and strict.apres_consultation == "refuser"
    with moteur.begin() as c:
        stockage.enregistrer_appel(strict, connexion=c)
    vue, pas_vue = six["A-1"], six["A-2"]
    saisie = Saisie(notes={c.id: 7.0 for c in appel.criteres}, admissible=True)
    for d in (vue, pas_vue):
        enregistrer(strict, d, "a@x.ca", saisie, SOUMISE, moteur=moteur)
    assert noter_consultation(strict, vue, "a@x.ca", moteur=moteur, maintenant=INSTANT)
    with pytest.raises(ErreurAttribution, match="retirerait votre note du calcul"):
        declarer_conflit(strict.id, vue, "a@x.ca", "voisin", moteur=moteur, auteur="a@x.ca")
    assert charger(appel.id, moteur=moteur).conflits == {}
    declarer_conflit(strict.id, pas_vue, "a@x.ca", "cousin", moteur=moteur, auteur="a@x.ca")
    declarer_conflit(strict.id, vue, "a@x.ca", "voisin", moteur=moteur, auteur=ADMIN)
    assert set(charger(appel.id, moteur=moteur).conflits) == {(vue, "a@x.ca"), (pas_vue, "a@x.ca")}

    with moteur.begin() as c:
        stockage.enregistrer_appel(appel, connexion=c)  # « signaler »
    signalee = six["A-3"]
    enregistrer(appel, signalee, "b@x.ca", saisie, SOUMISE, moteur=moteur)
    noter_consultation(appel, signalee, "b@x.ca", moteur=moteur, maintenant=INSTANT)
    declarer_conflit(appel.id, signalee, "b@x.ca", "parent", moteur=moteur, auteur="b@x.ca")
    with moteur.connect() as c:
        marquees = stockage.lire_evaluations(appel.id, connexion=c).set_index(
            ["demande_id", "evaluateur"]
        )["modifiee_apres_consultation"]
    assert {k for k, v in marquees.items() if v} == {(signalee, "b@x.ca")}
    changements = [j for j in _journal(moteur) if j["objet"] == "modifiee_apres_consultation"]
    assert [(j["demande_id"], j["evaluateur"], j["nouveau"]) for j in changements] == [
        (
            signalee,
            "b@x.ca",
            "conflit d'intérêts déclaré après consultation (parent) : note retirée",
        )
    ]


def test_retirer_conflit_journalise_l_ancienne_raison(moteur, appel, six, trois):
    d = six["A-5"]
    declarer_conflit(appel.id, d, "a@x.ca", "ancien associé", moteur=moteur, auteur="a@x.ca")
    retirer_conflit(appel.id, d, "a@x.ca", moteur=moteur, auteur=ADMIN, maintenant=INSTANT)
    etat = charger(appel.id, moteur=moteur)
    assert etat.conflits == {}
    assert d in etat.demandes_de("a@x.ca")
    derniere = _journal(moteur)[-1]
    assert (
        derniere["objet"],
        derniere["demande_id"],
        derniere["evaluateur"],
        derniere["ancien"],
        derniere["nouveau"],
        derniere["auteur"],
        derniere["date"],
    ) == ("conflit", d, "a@x.ca", "ancien associé", None, ADMIN, INSTANT)
    with pytest.raises(ErreurAttribution, match="aucun conflit déclaré"):
        retirer_conflit(appel.id, d, "a@x.ca", moteur=moteur, auteur=ADMIN)
    assert len(_journal(moteur)) == 2


def test_conflits_de_regle_dans_charger(moteur, appel, six, trois):
    creer_compte("muni@x.ca", "evaluateur", MDP, moteur=moteur, municipalite="rimouski")
    creer_compte("part@x.ca", "evaluateur", MDP, moteur=moteur, municipalite="Orford")
    creer_compte("reg@x.ca", "evaluateur", MDP, moteur=moteur, region="07")
    creer_compte("libre@x.ca", "evaluateur", MDP, moteur=moteur, municipalite="Québec", region="03")
    etat = charger(appel.id, moteur=moteur)
    assert set(etat.conflits) == {
        (six["A-1"], "muni@x.ca"),
        (six["A-2"], "part@x.ca"),
        (six["A-3"], "reg@x.ca"),
    }
    assert {c.origine for c in etat.conflits.values()} == {REGLE}
    assert "(Rimouski)" in etat.conflits[(six["A-1"], "muni@x.ca")].raison  # nom du répertoire
    assert "(Orford)" in etat.conflits[(six["A-2"], "part@x.ca")].raison
    assert "région de l'évaluateur (07)" in etat.conflits[(six["A-3"], "reg@x.ca")].raison
    assert six["A-1"] not in etat.demandes_de("muni@x.ca")
    assert len(etat.demandes_de("muni@x.ca")) == 5
    assert etat.demandes_de("libre@x.ca") == list(etat.demandes)
    # La répartition n'attribue jamais une paire en conflit.
    appliquer_repartition(appel, 3, moteur=moteur, auteur=ADMIN)
    assert not set(etat.conflits) & _stockees(moteur, appel)
    # Un conflit déclaré sur la même paire l'emporte sur la règle (avec sa raison).
    raison = "je siège au conseil"
    declarer_conflit(appel.id, six["A-1"], "muni@x.ca", raison, moteur=moteur, auteur=ADMIN)
    conflit = charger(appel.id, moteur=moteur).conflits[(six["A-1"], "muni@x.ca")]
    assert (conflit.origine, conflit.raison) == (DECLARE, raison)


def _motif(moteur, appel, demande_id, evaluateur, **options):
    with moteur.connect() as c:
        return motif_refus(appel.id, demande_id, evaluateur, connexion=c, **options)


def test_motif_refus(moteur, appel, six, trois):
    creer_compte("reg@x.ca", "evaluateur", MDP, moteur=moteur, region="01")
    assert _motif(moteur, appel, six["A-1"], "a@x.ca") is None
    assert "conflit d'intérêts" in _motif(moteur, appel, six["A-1"], "reg@x.ca")
    assert "n'existe pas" in _motif(moteur, appel, 99_999, "a@x.ca")
    with moteur.connect() as c:
        autre = motif_refus("autre-appel", six["A-1"], "a@x.ca", connexion=c)
    assert autre == "cette demande n'existe pas dans l'appel."
    declarer_conflit(appel.id, six["A-2"], "a@x.ca", "cousin", moteur=moteur, auteur=ADMIN)
    assert "(cousin)" in _motif(moteur, appel, six["A-2"], "a@x.ca")
    appliquer_repartition(appel, 1, moteur=moteur, auteur=ADMIN)
    etat = charger(appel.id, moteur=moteur)
    d = six["A-6"]
    for e in trois:
        motif = _motif(moteur, appel, d, e)
        if e in etat.evaluateurs_de(d):
            assert motif is None
        else:
            assert motif == "cette demande ne vous est pas attribuée."
    verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca")
    (attribue,) = etat.evaluateurs_de(d)
    assert "verrouillées" in _motif(moteur, appel, d, attribue)
    # Lire (modification=False) reste permis sous verrouillage.
    assert _motif(moteur, appel, d, attribue, modification=False) is None
    # Un compte qui n'évalue pas (ou plus) ne lit ni n'enregistre rien, même attribué.
    creer_compte("pres@x.ca", "president", MDP, moteur=moteur)
    desactiver_compte(attribue, moteur=moteur)
    for qui in (attribue, "pres@x.ca"):
        assert _motif(moteur, appel, d, qui, modification=False) == (
            "seul un compte d'évaluateur actif enregistre des évaluations."
        )


def test_verrouiller_journalise_et_garde_le_reglage(moteur, appel, six, trois):
    appliquer_repartition(appel, 2, moteur=moteur, auteur=ADMIN)
    avant = len(_journal(moteur))
    verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca", maintenant=INSTANT)
    reglages = charger(appel.id, moteur=moteur).reglages
    assert reglages == Reglages(2, True, INSTANT, "pres@x.ca")
    verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca")  # déjà verrouillé : rien
    verrouiller(appel.id, False, moteur=moteur, auteur="pres@x.ca")
    assert charger(appel.id, moteur=moteur).reglages.verrouille is False
    nouvelles = _journal(moteur)[avant:]
    assert [(j["objet"], j["ancien"], j["nouveau"], j["auteur"]) for j in nouvelles] == [
        ("reglage:verrouille", "False", "True", "pres@x.ca"),
        ("reglage:verrouille", "True", "False", "pres@x.ca"),
    ]
    assert len(_stockees(moteur, appel)) == 12


def test_verrouiller_les_decisions_fige_aussi_les_notes(moteur, appel):
    from evaluation.notes import attributions

    attributions.verrouiller(
        appel.id, True, moteur=moteur, auteur="pres@x.ca", quoi="decisions_verrouillees"
    )
    reglages = attributions.charger(appel.id, moteur=moteur).reglages
    assert reglages.decisions_verrouillees and reglages.verrouille
    attributions.verrouiller(
        appel.id, False, moteur=moteur, auteur="admin@x.ca", quoi="decisions_verrouillees"
    )
    reglages = attributions.charger(appel.id, moteur=moteur).reglages
    assert not reglages.decisions_verrouillees and reglages.verrouille


def test_rouvrir_les_decisions_ne_verrouille_pas_les_notes(moteur, appel):
    """Les notes rouvertes, rouvrir aussi les décisions les laisse ouvertes : seul le
    verrouillage des décisions fige les notes. Un verrou inconnu est refusé."""
    verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca", quoi="decisions_verrouillees")
    verrouiller(appel.id, False, moteur=moteur, auteur="pres@x.ca")
    verrouiller(appel.id, False, moteur=moteur, auteur="pres@x.ca", quoi="decisions_verrouillees")
    reglages = charger(appel.id, moteur=moteur).reglages
    assert not reglages.verrouille and not reglages.decisions_verrouillees
    with pytest.raises(ValueError, match="« tout » inconnu"):
        verrouiller(appel.id, True, moteur=moteur, auteur="pres@x.ca", quoi="tout")
    assert not charger(appel.id, moteur=moteur).reglages.verrouille


def test_lever_un_conflit_revue_issue_16(moteur, appel, six, trois):
    """Revue, issue 16 : nul ne lève son propre conflit ; celui d'un évaluateur se lève
    sans raison comme avant, ou avec une raison (journalisée « conflit:levee ») ; celui
    d'une personne du comité (ou sans compte) exige une raison."""
    d = six["A-5"]
    declarer_conflit(appel.id, d, "a@x.ca", "ancien associé", moteur=moteur, auteur="a@x.ca")
    with pytest.raises(ErreurAttribution, match="propre conflit"):
        retirer_conflit(appel.id, d, "a@x.ca", moteur=moteur, auteur=" A@X.CA", motif="fini")
    assert charger(appel.id, moteur=moteur).conflits
    retirer_conflit(
        appel.id, d, "a@x.ca", moteur=moteur, auteur=ADMIN, motif=" fin du lien ",
        maintenant=INSTANT,
    )  # fmt: skip
    derniere = _journal(moteur)[-1]
    assert (derniere["objet"], derniere["ancien"], derniere["nouveau"]) == (
        "conflit:levee", "ancien associé", "fin du lien"
    )  # fmt: skip
    creer_compte("pres@x.ca", "president", MDP, moteur=moteur)
    for qui in ("pres@x.ca", "Jean Sans Compte"):
        declarer_conflit(appel.id, d, qui, "voisin", moteur=moteur, auteur=ADMIN)
        with pytest.raises(ErreurAttribution, match="avec une raison"):
            retirer_conflit(appel.id, d, qui, moteur=moteur, auteur=ADMIN)
        retirer_conflit(appel.id, d, qui, moteur=moteur, auteur=ADMIN, motif="réglé")
    assert charger(appel.id, moteur=moteur).conflits == {}
