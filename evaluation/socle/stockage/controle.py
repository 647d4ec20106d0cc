"""La configuration d'un serveur vérifiée avant son démarrage : `python -m evaluation base
verifier` (issue 20, relecture d'exploitation).

`/_stcore/health` ne dit que « le processus Streamlit répond » : un serveur dont la base est
injoignable, ou dont une variable est invalide, y répond quand même « ok » (l'erreur ne
paraît qu'à la première page). L'unité systemd (`ExecStartPre`) et l'image Docker (avant
`streamlit run`) lancent donc cette vérification d'abord ; une configuration invalide
arrête le démarrage sur une phrase en français qui dit quoi corriger.

Ce qui est vérifié : les variables du pool (`EVALUATION_POOL_TAILLE`,
`EVALUATION_POOL_DEBORDEMENT`), qu'aucune valeur d'exemple (« …_A_REMPLACER ») n'est restée
dans l'environnement, l'URL de la base lisible, la base joignable (une connexion ouverte et
une lecture), et son schéma à la révision du code. Rien n'est écrit, rien n'est créé (une
base SQLite absente est refusée)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import sqlalchemy as sa

from evaluation.socle.stockage import migration
from evaluation.socle.stockage.migration import BaseInutilisable
from evaluation.socle.stockage.moteur import (
    FICHIER_BASE,
    VARIABLE_BASE,
    creer_moteur,
    reglages_pool,
    sqlite_absente,
    url_masquee,
)

# Les valeurs d'exemple de deploiement/systemd/evaluation.env.exemple (« …_A_REMPLACER ») et
# de deploiement/docker/.env.exemple (« a-remplacer »), à remplacer avant le premier
# démarrage ; reconnues sans égard à la casse ni au trait d'union.
MARQUE_EXEMPLE = "A_REMPLACER"
VARIABLES_VERIFIEES = (VARIABLE_BASE, "STREAMLIT_SERVER_COOKIE_SECRET")


def verifier_configuration(
    url: str | None = None, environnement: Mapping[str, str] | None = None
) -> str:
    """Le bilan (une phrase) d'une configuration qui permet de démarrer un serveur ;
    `BaseInutilisable`, avec la raison et quoi faire, sinon. `url` : celle de `--base`, sinon
    EVALUATION_BASE, sinon la base SQLite locale."""
    from evaluation.socle.stockage.diagnostic import expliquer

    environnement = os.environ if environnement is None else environnement
    for variable in VARIABLES_VERIFIEES:
        if MARQUE_EXEMPLE in environnement.get(variable, "").upper().replace("-", "_"):
            raise BaseInutilisable(
                f"la variable {variable} porte encore une valeur d'exemple (« …"
                f"{MARQUE_EXEMPLE} » ou « a-remplacer ») : remplacez-la dans le fichier "
                "d'environnement (/etc/evaluation/evaluation.env, ou .env de Docker)."
            )
    pool = reglages_pool(environnement)
    url = url or environnement.get(VARIABLE_BASE) or f"sqlite:///{FICHIER_BASE}"
    visee = url_masquee(url)
    if absente := sqlite_absente(url):
        raise BaseInutilisable(
            f"la base SQLite {absente} n'existe pas : rien n'a été créé. Vérifiez "
            f"{VARIABLE_BASE} (ou --base), ou créez la base : « python -m evaluation base "
            "mettre-a-jour »."
        )
    try:
        moteur = creer_moteur(url, mettre_a_jour_le_schema=False)
    except BaseInutilisable as exc:
        raise BaseInutilisable(f"{visee} : {exc}") from None
    try:
        with moteur.connect() as connexion:
            connexion.execute(sa.text("SELECT 1"))
            revision = migration.revision_actuelle(connexion)
    except Exception as exc:  # serveur injoignable, mot de passe refusé, fichier illisible
        raise BaseInutilisable(f"{visee} : {expliquer(exc)}") from None
    finally:
        moteur.dispose()
    cible = migration.revision_cible()
    if revision is None:
        raise BaseInutilisable(
            f"{visee} : la base n'a pas de schéma de l'application (vide, ou créée avant "
            "Alembic) : lancez d'abord « python -m evaluation base mettre-a-jour »."
        )
    if revision not in migration.revisions_livrees():
        raise BaseInutilisable(
            f"{visee} : la base porte la révision de schéma « {revision} », que cette version "
            "de l'application ne connaît pas (une version plus récente l'a mise à jour) : "
            "installez cette version-là."
        )
    if revision != cible:
        raise BaseInutilisable(
            f"{visee} : le schéma de la base est à la révision « {revision} », le code attend "
            f"« {cible} » : lancez d'abord « python -m evaluation base mettre-a-jour » "
            "(l'unité evaluation-schema.service, ou le service « schema » de Docker)."
        )
    connexions = (
        "SQLite, un fichier"
        if url.startswith("sqlite")
        else f"pool de {pool['pool_size']} + {pool['max_overflow']} connexions au plus"
    )
    return f"Configuration valide : base {visee} joignable, schéma à jour ({cible}), {connexions}."
