"""Le moteur : tables créées au premier usage, SQLite en mode WAL, URL de la base ; la
version des données que change chaque écriture ; les lectures en tables."""

import threading

import pytest
import sqlalchemy as sa

from evaluation.socle import stockage


def test_tables_creees_au_premier_usage(moteur):
    noms = set(sa.inspect(moteur).get_table_names())
    assert {"appels", "demandes", "lignes_budget", "importations"} <= noms


def test_sqlite_en_mode_wal(moteur_sqlite):
    with moteur_sqlite.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_url_par_defaut(monkeypatch, tmp_path):
    monkeypatch.delenv(stockage.VARIABLE_BASE, raising=False)
    assert stockage.url_par_defaut().endswith("donnees/evaluation.sqlite")
    monkeypatch.setenv(stockage.VARIABLE_BASE, f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert stockage.url_par_defaut() == f"sqlite:///{tmp_path / 'x.sqlite'}"


# --- La version des données : clé des caches des pages ------------------------------------


def _version(moteur) -> int:
    with moteur.connect() as c:
        return stockage.version_donnees(connexion=c)


def _ecrire(connexion, objet: str = "essai") -> None:
    stockage.inscrire_journal(
        [stockage.ligne_journal(stockage.maintenant(), "x@x.ca", objet, None, "1")],
        connexion=connexion,
    )


def test_chaque_ecriture_validee_change_la_version(moteur):
    """Une écriture validée augmente la version, et n'est visible d'un autre qu'une fois
    validée, avec sa version ; une écriture annulée ne la change pas."""
    depart = _version(moteur)
    with stockage.ecriture(moteur) as c:
        _ecrire(c)
        assert _version(moteur) == depart  # pas encore validée : rien ne se voit
    assert _version(moteur) == depart + 1
    with pytest.raises(RuntimeError), stockage.ecriture(moteur) as c:
        _ecrire(c)
        raise RuntimeError("annulée")
    assert _version(moteur) == depart + 1


def _versions(moteur) -> tuple[int, int]:
    with moteur.connect() as c:
        return stockage.versions_donnees(connexion=c)


def test_une_ecriture_legere_ne_change_pas_la_version_lourde(moteur):
    """Décisions, montants et pondérations (`lourde=False`) changent la version, pas celle
    des données lourdes : une page garde demandes et notes lues. Toute autre écriture
    (par défaut) change les deux."""
    globale, lourde = _versions(moteur)
    with stockage.ecriture(moteur, lourde=False) as c:
        _ecrire(c)
    assert _versions(moteur) == (globale + 1, lourde)
    with stockage.ecriture(moteur) as c:
        _ecrire(c)
    assert _versions(moteur) == (globale + 2, lourde + 1)
    assert _version(moteur) == globale + 2


def test_une_ecriture_non_versionnee_ne_change_aucune_version(moteur):
    avant = _versions(moteur)
    with stockage.ecriture(moteur, versionnee=False) as c:
        _ecrire(c)
    assert _versions(moteur) == avant
    with moteur.connect() as c:
        assert "essai" in set(stockage.lire_journal(connexion=c)["objet"])


def test_base_sans_version_lourde_rend_la_version_deux_fois(moteur):
    """Une base dont le compteur n'a que sa première ligne : la version des données lourdes
    est la version elle-même, donc change à chaque écriture (jamais un calcul périmé)."""
    with moteur.begin() as c:
        c.execute(sa.text("DELETE FROM compteur_ecritures WHERE id = 2"))
    globale, lourde = _versions(moteur)
    assert lourde == globale
    with stockage.ecriture(moteur, lourde=False) as c:
        _ecrire(c)
    assert _versions(moteur) == (globale + 1, globale + 1)


def test_version_d_une_base_neuve_tiree_au_hasard(tmp_path):
    """Deux bases créées sous la même URL (l'une remplacée par l'autre) ne partent pas de la
    même version : un serveur en marche ne reprend pas le calcul gardé de la première."""
    versions = set()
    for _ in range(3):
        (tmp_path / "b.sqlite").unlink(missing_ok=True)
        moteur = stockage.creer_moteur(f"sqlite:///{tmp_path / 'b.sqlite'}")
        versions.add(_version(moteur))
        moteur.dispose()
    assert len(versions) == 3


def test_une_transaction_plus_ancienne_validee_apres_une_plus_recente(moteur):
    """Le cas qui trompe le plus grand identifiant d'une table (PostgreSQL) : A prend
    l'identifiant 1, B l'identifiant 2 et valide d'abord ; un lecteur voit 2 et garde son
    calcul sous cette clé ; A valide ensuite, le plus grand identifiant reste 2. La version,
    elle, change aux deux validations."""
    if moteur.dialect.name != "postgresql":
        pytest.skip("SQLite n'a qu'un écrivain à la fois : B attendrait A.")
    depart = _version(moteur)
    with stockage.ecriture(moteur) as a:
        _ecrire(a, "A")
        fil = threading.Thread(target=lambda: _ecrire_seul(moteur, "B"))
        fil.start()
        fil.join(30)
        assert not fil.is_alive()
        vue_entre_deux = _version(moteur)
        with moteur.connect() as c:
            max_entre_deux = c.scalar(sa.select(sa.func.max(stockage.journal.c.id)))
    with moteur.connect() as c:
        assert c.scalar(sa.select(sa.func.max(stockage.journal.c.id))) == max_entre_deux
    assert depart < vue_entre_deux < _version(moteur)


def _ecrire_seul(moteur, objet: str) -> None:
    with stockage.ecriture(moteur) as c:
        _ecrire(c, objet)


# --- Lectures en tables --------------------------------------------------------------------


def test_en_table_garde_les_conversions_des_types(moteur):
    """Les colonnes sans conversion (entiers, textes, réels) viennent du pilote telles
    quelles ; une date ou un booléen reste une date et un booléen (SQLite les stocke en
    texte et en entier)."""
    with stockage.ecriture(moteur) as c:
        _ecrire(c)
    journal = stockage.journal
    with moteur.connect() as c:
        simples = stockage._en_table(
            sa.select(journal.c.id, journal.c.objet), ["id", "objet"], connexion=c
        )
        convertis = stockage._en_table(
            sa.select(journal.c.date, journal.c.objet), ["date", "objet"], connexion=c
        )
    assert simples["objet"].tolist() == ["essai"] and simples["id"].dtype == "int64"
    assert convertis["date"].dtype.kind == "M"


# --- Démarrage : une base d'une révision précédente -----------------------


def test_base_d_une_revision_precedente_mise_a_jour_a_l_ouverture(moteur):
    """Une base restée à la révision 0002 (sans la version des données) est mise à jour
    quand on l'ouvre, comme avant."""
    with moteur.begin() as c:
        c.execute(sa.text("DROP TABLE compteur_ecritures"))
        c.execute(sa.text("UPDATE alembic_version SET version_num = '0002'"))
    url = moteur.url.render_as_string(hide_password=False)
    rouverte = stockage.creer_moteur(url)
    try:
        assert "compteur_ecritures" in sa.inspect(rouverte).get_table_names()
        depart = _version(rouverte)
        with stockage.ecriture(rouverte) as c:
            _ecrire(c)
        assert _version(rouverte) == depart + 1
    finally:
        rouverte.dispose()


# --- Le pool de connexions vers PostgreSQL (issue 20, point 3) ------------------------------


def test_le_pool_postgresql_suit_la_configuration(monkeypatch):
    """EVALUATION_POOL_TAILLE et EVALUATION_POOL_DEBORDEMENT arrivent au moteur (aucune
    connexion n'est ouverte : le pool est réglé à la création) ; absentes : 5 et 10."""
    from tests.conftest import URL_POSTGRES

    monkeypatch.delenv(stockage.VARIABLE_POOL_TAILLE, raising=False)
    monkeypatch.delenv(stockage.VARIABLE_POOL_DEBORDEMENT, raising=False)
    moteur = stockage.creer_moteur(URL_POSTGRES, mettre_a_jour_le_schema=False)
    assert (moteur.pool.size(), moteur.pool._max_overflow) == (5, 10)
    moteur.dispose()
    monkeypatch.setenv(stockage.VARIABLE_POOL_TAILLE, "8")
    monkeypatch.setenv(stockage.VARIABLE_POOL_DEBORDEMENT, " 0 ")
    moteur = stockage.creer_moteur(URL_POSTGRES, mettre_a_jour_le_schema=False)
    assert (moteur.pool.size(), moteur.pool._max_overflow) == (8, 0)
    moteur.dispose()


@pytest.mark.parametrize(
    ("variable", "valeur"),
    [
        ("EVALUATION_POOL_TAILLE", "abc"),
        ("EVALUATION_POOL_TAILLE", "2.5"),
        ("EVALUATION_POOL_TAILLE", "-3"),
        # 0 voudrait dire « sans limite » pour SQLAlchemy : refusé aussi.
        ("EVALUATION_POOL_TAILLE", "0"),
        ("EVALUATION_POOL_TAILLE", "1001"),
        ("EVALUATION_POOL_DEBORDEMENT", "-1"),
        ("EVALUATION_POOL_DEBORDEMENT", "dix"),
    ],
)
def test_une_valeur_de_pool_invalide_est_refusee_nommement(monkeypatch, variable, valeur):
    from tests.conftest import URL_POSTGRES

    monkeypatch.setenv(variable, valeur)
    with pytest.raises(stockage.BaseInutilisable, match=f"{variable} vaut « {valeur} »"):
        stockage.creer_moteur(URL_POSTGRES, mettre_a_jour_le_schema=False)


def test_une_valeur_de_pool_invalide_en_ligne_de_commande(monkeypatch, capsys):
    """La commande s'arrête (code 2) sur une phrase qui nomme la variable, sans trace."""
    from evaluation.commandes import main
    from tests.conftest import URL_POSTGRES

    monkeypatch.setenv(stockage.VARIABLE_POOL_DEBORDEMENT, "beaucoup")
    assert main(["--base", URL_POSTGRES, "base", "mettre-a-jour"]) == 2
    erreur = capsys.readouterr().err
    assert "la variable EVALUATION_POOL_DEBORDEMENT vaut « beaucoup » : un nombre entier" in erreur
    assert "Traceback" not in erreur


def test_sqlite_ignore_les_reglages_du_pool(monkeypatch, tmp_path):
    monkeypatch.setenv(stockage.VARIABLE_POOL_TAILLE, "abc")
    moteur = stockage.creer_moteur(f"sqlite:///{tmp_path / 'b.sqlite'}")
    moteur.dispose()


def test_le_readme_dit_les_defauts_et_bornes_du_pool():
    from evaluation.socle.stockage import moteur
    from tests.conftest import RACINE_PROJET

    readme = " ".join((RACINE_PROJET / "README.md").read_text(encoding="utf-8").split())
    assert f"({moteur.POOL_TAILLE} par défaut, de 1 à {moteur.POOL_MAX})" in readme
    assert f"({moteur.POOL_DEBORDEMENT} par défaut, de 0 à {moteur.POOL_MAX})" in readme


def test_une_erreur_sql_ne_porte_pas_les_parametres(moteur):
    """Issue 20 (B3) : la trace d'une erreur SQL, journalisée par `erreurs.consigner`, ne
    contient pas les valeurs insérées (nom, empreinte du mot de passe d'un compte)."""
    import datetime as dt

    from evaluation.socle.stockage.schema import comptes

    ligne = {
        "courriel": "secret@exemple.qc.ca",
        "nom": "Nom Confidentiel",
        "role": "analyste",
        "hache_mot_de_passe": "empreinte-tres-secrete",
        "actif": True,
        "cree_le": dt.datetime(2026, 1, 1),
        "modifie_le": dt.datetime(2026, 1, 1),
    }
    with moteur.begin() as c:
        c.execute(comptes.insert(), ligne)
    with pytest.raises(sa.exc.IntegrityError) as erreur, moteur.begin() as c:
        c.execute(comptes.insert(), ligne)
    message = str(erreur.value)
    assert "Nom Confidentiel" not in message
    assert "empreinte-tres-secrete" not in message
    assert "hidden due to hide_parameters" in message
    # PostgreSQL met la clé en double (le courriel) dans son DETAIL : retiré du message ; le
    # programme le lit encore, et reconnaît toujours le conflit.
    assert "secret@exemple.qc.ca" not in message
    assert "secret@exemple.qc.ca" not in str(erreur.value.orig)
    assert stockage.base_occupee(erreur.value)
    if moteur.dialect.name == "postgresql":
        assert "secret@exemple.qc.ca" in erreur.value.orig.diag.message_detail


def test_une_ecriture_en_masse_refusee_ne_cite_pas_la_ligne(moteur):
    """Issue 20 (B3) : sur PostgreSQL, l'écriture en masse (COPY) refusée citait la ligne
    fautive dans son CONTEXT, et la clé en double dans son DETAIL."""
    import datetime as dt

    from evaluation.socle.stockage.demandes import _ecrire_en_masse
    from evaluation.socle.stockage.schema import comptes

    ligne = {
        "courriel": "secret@exemple.qc.ca",
        "nom": "Nom Confidentiel",
        "role": "analyste",
        "hache_mot_de_passe": "empreinte-tres-secrete",
        "actif": True,
        "cree_le": dt.datetime(2026, 1, 1),
        "modifie_le": dt.datetime(2026, 1, 1),
    }
    with pytest.raises(sa.exc.IntegrityError) as erreur, moteur.begin() as c:
        _ecrire_en_masse(comptes, [ligne, dict(ligne)], connexion=c)
    trace = f"{erreur.value}\n{erreur.value.__cause__ or ''}"
    for valeur in ("secret@exemple.qc.ca", "Nom Confidentiel", "empreinte-tres-secrete"):
        assert valeur not in trace
    assert stockage.base_occupee(erreur.value)
