"""Lectures et écritures des demandes, de leurs lignes de budget et des importations ;
les demandes retirées (désistement) sortent de toute lecture par appel."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.socle.stockage.evenements import apres_importation
from evaluation.socle.stockage.moteur import _en_table, _par_paquets, sans_donnees
from evaluation.socle.stockage.schema import (
    _SansControles,
    _texte_sans_controles,
    attributions,
    bonifications,
    conflits,
    consensus,
    consultations,
    decisions,
    demandes,
    evaluations,
    importations,
    lignes_budget,
    montants_recommandes,
)


def _retirees(appel_id: str):
    """Les identifiants des demandes retirées (désistement) de l'appel, en sous-requête."""
    return sa.select(demandes.c.id).where(
        demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_not(None)
    )


def numeros_demandes(appel_id: str, *, connexion: Connection) -> set[str]:
    requete = sa.select(demandes.c.no_demande).where(demandes.c.appel_id == appel_id)
    return set(connexion.scalars(requete))


def identites_demandes(
    appel_id: str, *, connexion: Connection
) -> list[tuple[str, str | None, str | None, str | None, str | None, str | None]]:
    """(numéro, organisme, municipalité, titre, NEQ, code géographique) des demandes de
    l'appel : de quoi reconnaître une demande réimportée sans numéro, et son demandeur (un
    organisme à son NEQ, une entité municipale au code géographique de sa municipalité)."""
    c = demandes.c
    requete = sa.select(
        c.no_demande, c.organisme, c.municipalite, c.titre, c.neq, c.code_geographique
    ).where(c.appel_id == appel_id)
    return [tuple(ligne) for ligne in connexion.execute(requete)]


def neq_des_demandes(appel_id: str, *, connexion: Connection) -> dict[str, list[str]]:
    """NEQ → numéros des demandes actives de l'appel qui le portent (appel d'organismes)."""
    requete = (
        sa.select(demandes.c.neq, demandes.c.no_demande)
        .where(
            demandes.c.appel_id == appel_id,
            demandes.c.retiree_le.is_(None),
            demandes.c.neq.is_not(None),
        )
        .order_by(demandes.c.no_demande)
    )
    resultat: dict[str, list[str]] = {}
    for neq, numero in connexion.execute(requete):
        resultat.setdefault(neq, []).append(numero)
    return resultat


def compter_demandes(appel_id: str, *, connexion: Connection) -> int:
    """Les demandes actives de l'appel (sans les retirées par désistement)."""
    requete = (
        sa.select(sa.func.count())
        .select_from(demandes)
        .where(demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_(None))
    )
    return connexion.scalar(requete) or 0


def demandes_existantes(appel_id: str, *, connexion: Connection) -> dict[str, dict]:
    """Les demandes stockées de l'appel, par numéro, avec leurs lignes de budget."""
    resultat: dict[str, dict] = {}
    requete = sa.select(demandes).where(demandes.c.appel_id == appel_id)
    par_id = {}
    for ligne in connexion.execute(requete).mappings():
        d = dict(ligne)
        d["lignes_budget"] = []
        resultat[d["no_demande"]] = d
        par_id[d["id"]] = d
    if par_id:
        requete = (
            sa.select(lignes_budget)
            .join(demandes, demandes.c.id == lignes_budget.c.demande_id)
            .where(demandes.c.appel_id == appel_id)
            .order_by(lignes_budget.c.id)
        )
        for ligne in connexion.execute(requete).mappings():
            par_id[ligne["demande_id"]]["lignes_budget"].append(dict(ligne))
    return resultat


def _ecrire_en_masse(
    table: sa.Table,
    lignes: list[dict],
    *,
    connexion: Connection,
    en_plus: dict[str, list] | None = None,
) -> None:
    """Insère des lignes qui portent toutes les mêmes clés : COPY sur PostgreSQL, sinon
    l'`executemany` du pilote. `en_plus` : des colonnes données à part, une valeur par
    ligne (l'identifiant de la demande d'une ligne de budget), pour ne pas recopier chaque
    ligne dans un nouveau dictionnaire.

    Les valeurs sont converties colonne par colonne, avec les conversions du dialecte
    (JSON, dates, booléens) et le nettoyage des textes (`schema._SansControles`), décidé une
    fois par colonne : une fonction par colonne plutôt qu'un test par valeur. COPY transmet
    les lignes en un flux, sans une requête préparée par paquet : sur 5 000 demandes et
    20 000 lignes de budget, il coûte au serveur PostgreSQL une fraction de l'INSERT."""
    if not lignes:
        return
    dialecte = connexion.dialect
    en_plus = en_plus or {}
    colonnes = [*en_plus, *lignes[0]]
    valeurs = []
    for c in colonnes:
        colonne = en_plus[c] if c in en_plus else [ligne[c] for ligne in lignes]
        genre = table.c[c].type
        if isinstance(genre, _SansControles):
            # Comme `schema._nettoyage_colonne` : vérifié d'un coup, nettoyé au besoin.
            textes = "".join([v for v in colonne if type(v) is str])
            conversion = None if textes.isprintable() else _texte_sans_controles
        else:
            conversion = genre._cached_bind_processor(dialecte)
        valeurs.append(list(map(conversion, colonne)) if conversion else colonne)
    pilote = connexion.connection.driver_connection
    if dialecte.name == "postgresql" and hasattr(pilote, "cursor"):
        noms = ", ".join(dialecte.identifier_preparer.quote(c) for c in colonnes)
        curseur = pilote.cursor()
        if hasattr(curseur, "copy"):  # psycopg 3
            commande = f"COPY {table.name} ({noms}) FROM STDIN"
            try:
                with curseur, curseur.copy(commande) as copie:
                    for rangee in zip(*valeurs, strict=True):
                        copie.write_row(rangee)
            except dialecte.loaded_dbapi.Error as exc:
                # L'erreur du pilote, comme SQLAlchemy la présente pour un INSERT
                # (IntegrityError d'un numéro en double...), sans les milliers de lignes, ni
                # la ligne fautive que cite son CONTEXT (données personnelles).
                sans_donnees(exc)
                raise sa.exc.DBAPIError.instance(
                    commande, None, exc, dialecte.loaded_dbapi.Error
                ) from exc
            return
        curseur.close()
    requete = table.insert().compile(dialect=dialecte, column_keys=colonnes)
    if requete.positiontup is not None:  # « ? » (sqlite) : paramètres dans l'ordre du SQL
        position = {c: i for i, c in enumerate(colonnes)}
        ordre = [valeurs[position[c]] for c in requete.positiontup]
        parametres: list = list(zip(*ordre, strict=True))
    else:
        parametres = [dict(zip(colonnes, r, strict=True)) for r in zip(*valeurs, strict=True)]
    for paquet in _par_paquets(parametres, 5000):
        connexion.exec_driver_sql(requete.string, list(paquet))


def creer_importation(journal: dict, *, connexion: Connection) -> int:
    """Inscrit une importation au journal ; renvoie son identifiant."""
    return connexion.execute(importations.insert().values(**journal)).inserted_primary_key[0]


def inserer_demandes(appel_id: str, lignes: list[dict], *, connexion: Connection) -> dict[str, int]:
    """Insère des demandes ; renvoie l'identifiant attribué à chaque numéro."""
    if not lignes:
        return {}
    _ecrire_en_masse(
        demandes, lignes, connexion=connexion, en_plus={"appel_id": [appel_id] * len(lignes)}
    )
    numeros = [ligne["no_demande"] for ligne in lignes]
    importation = {ligne.get("importation_id") for ligne in lignes}
    ids: dict[str, int] = {}
    if len(importation) == 1 and None not in importation:
        # Une seule importation : ses demandes se relisent en une requête.
        requete = sa.select(demandes.c.no_demande, demandes.c.id).where(
            demandes.c.appel_id == appel_id, demandes.c.importation_id == importation.pop()
        )
        voulus = set(numeros)
        ids = {no: i for no, i in connexion.execute(requete) if no in voulus}
        if len(ids) == len(voulus):
            return ids
    for paquet in _par_paquets(numeros):
        requete = sa.select(demandes.c.no_demande, demandes.c.id).where(
            demandes.c.appel_id == appel_id, demandes.c.no_demande.in_(paquet)
        )
        ids.update({no: i for no, i in connexion.execute(requete)})
    return ids


def mettre_a_jour_demandes(lignes: list[dict], *, connexion: Connection) -> None:
    """Met à jour des demandes en place (même identifiant : ce qui s'y rattache reste).

    Chaque ligne ne porte que les champs à changer ; les lignes sont groupées par jeu de
    champs, une requête par groupe."""
    groupes: dict[tuple[str, ...], list[dict]] = {}
    for ligne in lignes:
        groupes.setdefault(tuple(sorted(c for c in ligne if c != "id")), []).append(ligne)
    for colonnes, groupe in groupes.items():
        requete = (
            demandes.update()
            .where(demandes.c.id == sa.bindparam("_id"))
            .values({c: sa.bindparam(c) for c in colonnes})
        )
        connexion.execute(
            requete, [{"_id": ligne["id"], **{c: ligne[c] for c in colonnes}} for ligne in groupe]
        )


def remplacer_lignes_budget(
    lignes_par_demande: dict[int, list[dict]], *, connexion: Connection
) -> int:
    """Remplace les lignes de budget des demandes données ; renvoie le nombre inséré."""
    ids = list(lignes_par_demande)
    for paquet in _par_paquets(ids):
        connexion.execute(lignes_budget.delete().where(lignes_budget.c.demande_id.in_(paquet)))
    nouvelles = [ligne for lignes in lignes_par_demande.values() for ligne in lignes]
    if nouvelles:
        demande_ids = [i for i, lignes in lignes_par_demande.items() for _ in lignes]
        _ecrire_en_masse(
            lignes_budget, nouvelles, connexion=connexion, en_plus={"demande_id": demande_ids}
        )
    return len(nouvelles)


def lire_demandes(
    appel_id: str, *, connexion: Connection, avec_retirees: bool = False
) -> pd.DataFrame:
    """Les demandes de l'appel, une ligne chacune, colonnes nommées par leurs clés ; sans
    les demandes retirées (désistement), sauf `avec_retirees`."""
    requete = (
        sa.select(demandes).where(demandes.c.appel_id == appel_id).order_by(demandes.c.no_demande)
    )
    if not avec_retirees:
        requete = requete.where(demandes.c.retiree_le.is_(None))
    return _en_table(requete, [c.name for c in demandes.columns], connexion)


def lire_demande(demande_id: int, *, connexion: Connection) -> dict | None:
    ligne = connexion.execute(sa.select(demandes).where(demandes.c.id == demande_id)).mappings()
    premiere = ligne.first()
    return dict(premiere) if premiere else None


def lire_lignes_budget(
    appel_id: str, *, connexion: Connection, demande_id: int | None = None
) -> pd.DataFrame:
    """Les lignes de budget de l'appel, ou de la seule demande `demande_id`."""
    requete = (
        sa.select(demandes.c.no_demande, lignes_budget)
        .join(demandes, demandes.c.id == lignes_budget.c.demande_id)
        .where(demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_(None))
        .order_by(demandes.c.no_demande, lignes_budget.c.annee, lignes_budget.c.id)
    )
    if demande_id is not None:
        requete = requete.where(lignes_budget.c.demande_id == demande_id)
    lignes = connexion.execute(requete).mappings().all()
    colonnes = ["no_demande", *(c.name for c in lignes_budget.columns)]
    return pd.DataFrame([dict(ligne) for ligne in lignes], columns=colonnes)


def sommes_budget(appel_id: str, genres: dict[str, str], *, connexion: Connection) -> pd.DataFrame:
    """Les lignes de budget de l'appel additionnées par (demande_id, annee), en SQL (une
    ligne par demande et année, pas une par dépense) : `total`, et une colonne par genre de
    catégorie : `genres` dit le genre de chaque identifiant de catégorie (« admissible »,
    « plafonnee », « non_admissible ») ; une ligne dont la catégorie n'y est pas (non
    reconnue à l'importation, ou disparue de l'appel) va dans `a_confirmer`."""
    montant = sa.func.coalesce(lignes_budget.c.montant, 0)

    def somme(genre: str):
        ids = [i for i, g in genres.items() if g == genre]
        if not ids:
            return sa.literal(0, sa.BigInteger)
        return sa.func.sum(sa.case((lignes_budget.c.categorie_id.in_(ids), montant), else_=0))

    connus = list(genres)
    a_confirmer = sa.func.sum(
        sa.case(
            (lignes_budget.c.categorie_id.in_(connus), 0) if connus else (sa.false(), 0),
            else_=montant,
        )
    )
    requete = (
        sa.select(
            lignes_budget.c.demande_id,
            lignes_budget.c.annee,
            sa.func.sum(montant).label("total"),
            somme("admissible").label("admissible"),
            somme("plafonnee").label("plafonnee"),
            somme("non_admissible").label("non_admissible"),
            a_confirmer.label("a_confirmer"),
        )
        .join(demandes, demandes.c.id == lignes_budget.c.demande_id)
        .where(demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_(None))
        .group_by(lignes_budget.c.demande_id, lignes_budget.c.annee)
    )
    colonnes = ["demande_id", "annee", "total", "admissible", "plafonnee"]
    colonnes += ["non_admissible", "a_confirmer"]
    lignes = connexion.execute(requete).all()
    table = pd.DataFrame(lignes, columns=colonnes)
    return table.fillna(0).astype("int64") if len(table) else table.astype("int64")


def libelles_a_confirmer(
    appel_id: str, connues: Sequence[str], *, connexion: Connection
) -> pd.DataFrame:
    """Les libellés de catégorie des lignes de budget de l'appel dont la catégorie n'est
    pas une de `connues` : libellé, nombre de lignes, de demandes, montant total."""
    requete = (
        sa.select(
            lignes_budget.c.categorie,
            sa.func.count().label("lignes"),
            sa.func.count(sa.distinct(lignes_budget.c.demande_id)).label("demandes"),
            sa.func.sum(sa.func.coalesce(lignes_budget.c.montant, 0)).label("montant"),
        )
        .join(demandes, demandes.c.id == lignes_budget.c.demande_id)
        .where(demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_(None))
        .where(
            sa.or_(
                lignes_budget.c.categorie_id.is_(None),
                lignes_budget.c.categorie_id.not_in(list(connues)),
            )
        )
        .group_by(lignes_budget.c.categorie)
        .order_by(lignes_budget.c.categorie)
    )
    lignes = connexion.execute(requete).all()
    return pd.DataFrame(lignes, columns=["categorie", "lignes", "demandes", "montant"])


def rattacher_categorie(
    appel_id: str,
    categorie: str | None,
    connues: Sequence[str],
    categorie_id: str,
    admissible: bool,
    *,
    connexion: Connection,
) -> list[tuple[int, int]]:
    """Rattache à `categorie_id` toutes les lignes de l'appel de libellé `categorie` (None :
    sans libellé) dont la catégorie n'est pas une de `connues` ; renvoie (demande_id, nombre
    de lignes) de chaque demande touchée."""
    libelle = (
        lignes_budget.c.categorie.is_(None)
        if categorie is None
        else lignes_budget.c.categorie == categorie
    )
    visees = (
        sa.select(lignes_budget.c.id, lignes_budget.c.demande_id)
        .join(demandes, demandes.c.id == lignes_budget.c.demande_id)
        .where(demandes.c.appel_id == appel_id, demandes.c.retiree_le.is_(None), libelle)
        .where(
            sa.or_(
                lignes_budget.c.categorie_id.is_(None),
                lignes_budget.c.categorie_id.not_in(list(connues)),
            )
        )
    )
    lignes = connexion.execute(visees).all()
    par_demande: dict[int, int] = {}
    for _, demande_id in lignes:
        par_demande[int(demande_id)] = par_demande.get(int(demande_id), 0) + 1
    for paquet in _par_paquets([int(i) for i, _ in lignes]):
        connexion.execute(
            lignes_budget.update()
            .where(lignes_budget.c.id.in_(paquet))
            .values(categorie_id=categorie_id, admissible=admissible)
        )
    return sorted(par_demande.items())


def marquer_retrait(demande_id: int, valeurs: dict[str, object], *, connexion: Connection) -> None:
    """Inscrit (ou efface, valeurs None) le désistement d'une demande."""
    connexion.execute(demandes.update().where(demandes.c.id == demande_id).values(**valeurs))


def lire_importation(importation_id: int, *, connexion: Connection) -> dict | None:
    ligne = connexion.execute(
        sa.select(importations).where(importations.c.id == importation_id)
    ).mappings()
    premiere = ligne.first()
    return dict(premiere) if premiere else None


def donnees_rattachees(ids: Sequence[int], *, connexion: Connection) -> dict[str, set[int]]:
    """Pour des demandes : celles qui ont une évaluation, une décision, un montant
    recommandé modifié ou une note de consensus (ce qu'un retrait d'importation ferait
    disparaître)."""
    resultat: dict[str, set[int]] = {
        "évaluation": set(),
        "décision": set(),
        "montant": set(),
        "note de consensus": set(),
    }
    for paquet in _par_paquets(list(ids)):
        for cle, table in (
            ("évaluation", evaluations),
            ("décision", decisions),
            ("montant", montants_recommandes),
            ("montant", bonifications),
            ("note de consensus", consensus),
        ):
            requete = sa.select(table.c.demande_id).where(table.c.demande_id.in_(paquet))
            resultat[cle].update(int(i) for i in connexion.scalars(requete))
    return resultat


def supprimer_demandes(ids: Sequence[int], *, connexion: Connection) -> None:
    """Supprime des demandes et ce qui s'y rattache (lignes de budget, attributions,
    conflits, consultations) ; le journal, lui, reste."""
    for paquet in _par_paquets(list(ids)):
        for table in (lignes_budget, attributions, conflits, consultations):
            connexion.execute(table.delete().where(table.c.demande_id.in_(paquet)))
        connexion.execute(demandes.delete().where(demandes.c.id.in_(paquet)))


def marquer_importation_retiree(
    importation_id: int, valeurs: dict[str, object], *, connexion: Connection
) -> None:
    connexion.execute(
        importations.update().where(importations.c.id == importation_id).values(**valeurs)
    )


def lire_importations(appel_id: str, *, connexion: Connection) -> pd.DataFrame:
    requete = (
        sa.select(importations)
        .where(importations.c.appel_id == appel_id)
        .order_by(importations.c.id.desc())
    )
    lignes = connexion.execute(requete).mappings().all()
    return pd.DataFrame(
        [dict(ligne) for ligne in lignes], columns=[c.name for c in importations.columns]
    )


def finaliser_importation(importation_id: int, valeurs: dict, *, connexion: Connection) -> None:
    """Complète l'entrée du journal une fois les écritures faites (même transaction)."""
    connexion.execute(
        importations.update().where(importations.c.id == importation_id).values(**valeurs)
    )
    apres_importation(importation_id, connexion=connexion)


def id_demande(appel_id: str, no_demande: str, *, connexion: Connection) -> int | None:
    requete = sa.select(demandes.c.id).where(
        demandes.c.appel_id == appel_id, demandes.c.no_demande == no_demande
    )
    return connexion.scalar(requete)
