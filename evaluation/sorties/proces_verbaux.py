"""Le procès-verbal d'une séance, lu de la base (opération) : présents et récusations,
décisions inscrites pendant la séance, demandes discutées et triées, tirages, consensus,
conflits levés, confirmations des réglages, historique des pondérations, examens
d'admissibilité, en une `ContenuProcesVerbal` que `sorties.proces_verbal` met en page
(HTML) ou imprime (PDF/A-3b, avec le classeur du comité joint, que `classeur_du_comite`
écrit comme la page Classement l'exporte).

Rien n'est écrit : le procès-verbal est le compte rendu de ce que le comité a inscrit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from evaluation.appels import confirmations
from evaluation.appels.configuration import Appel
from evaluation.decision import conduite, consensus, portefeuille, tirages
from evaluation.decision import seance as regles_seance
from evaluation.decision.classement import Donnees
from evaluation.decision.comite import recusations_de_la_seance
from evaluation.decision.declarations import levees_du_comite, recusations_du_comite
from evaluation.decision.tirage import tenus_entre
from evaluation.depot.municipalites import repertoire
from evaluation.socle import stockage
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.stockage import Moteur
from evaluation.sorties import classeur as exportation
from evaluation.sorties.proces_verbal import (
    ContenuProcesVerbal,
    Signature,
    decisions_pendant,
    en_pdf,
    inadmissibles,
)


def _secretariat(presences) -> str:
    """La personne présente dont la fonction dit « secrétaire » (la première), sinon rien :
    le bloc de signature laisse alors une ligne à remplir."""
    for p in presences:
        if "secr" in (p.get("fonction") or "").casefold() and p.get("nom"):
            return str(p["nom"])
    return ""


def contenu_de_la_seance(
    appel: Appel,
    donnees: Donnees,
    table: pd.DataFrame,
    *,
    moteur: Moteur,
    seance_id: int | None,
    jour: dt.date,
    auteur: str,
    lieu: str = "",
    secretariat: str = "",
    noms: Mapping[str, str] | None = None,
) -> ContenuProcesVerbal:
    """Ce que dit le procès-verbal de la séance `seance_id` (None : aucune séance tenue ;
    alors les décisions actuelles et toutes les récusations du comité). `donnees`, `table` :
    le classement tel que la page l'a calculé (`chargement.charger`,
    `classement.classement`). Présents, demandes discutées et triées, récusations
    (présentes ou non), décisions inscrites pendant la séance (telles qu'inscrites alors),
    tirages et conflits levés : ceux de la séance. Bloc de signature : la présidence est la
    personne qui a ouvert la séance ; le secrétariat, `secretariat` ou la personne présente
    dont la fonction dit « secrétaire » ; `lieu` vide : une ligne à remplir."""
    if noms is None:
        noms = {c.courriel: c.nom for c in lister_comptes(moteur=moteur)}
    s = next((x for x in conduite.seances(appel.id, moteur=moteur) if x.id == seance_id), None)
    presences = s.presences if s else ()
    with moteur.connect() as connexion:
        historique = stockage.lire_historique_decisions(appel.id, connexion=connexion)
        notes_consensus = stockage.lire_consensus(appel.id, connexion=connexion)
    pendant, hors = decisions_pendant(historique, s.ouverte_le, s.fermee_le) if s else (None, 0)
    if s:
        recusations = recusations_de_la_seance(
            recusations_du_comite(appel.id, moteur=moteur, en_vigueur_depuis=s.ouverte_le),
            [p["courriel"] or p["nom"] for p in presences],
        )
        tenus = tenus_entre(
            tirages.lire_tirages(moteur=moteur, appel_id=appel.id), s.ouverte_le, s.fermee_le
        )
        levees = levees_du_comite(appel.id, moteur=moteur, depuis=s.ouverte_le, jusqu_a=s.fermee_le)
    else:
        recusations, tenus, levees = recusations_du_comite(appel.id, moteur=moteur), (), ()
    return ContenuProcesVerbal(
        appel,
        table,
        jour=jour,
        presents=[regles_seance.libelle_present(p, noms) for p in presences],
        poids=donnees.poids,
        auteur=auteur,
        confirmations=confirmations.confirmations(appel.id, moteur=moteur),
        ponderations=donnees.ponderations,
        noms=noms,
        recusations=recusations,
        discutees=s.discutees if s else (),
        non_discutees=regles_seance.triees(s.triage) if s else (),
        tirages=tenus,
        notes_de_consensus=consensus.en_table(notes_consensus),
        decisions_de_la_seance=pendant,
        decisions_hors_seance=hors,
        fin_de_seance=s.fermee_le if s else None,
        conflits_leves=levees,
        inadmissibles=inadmissibles(table, donnees.admissibilite, noms),
        signature=Signature(
            presidence=noms.get(s.ouverte_par, s.ouverte_par) if s else "",
            secretariat=secretariat.strip() or _secretariat(presences),
            lieu=lieu.strip(),
        ),
    )


def classeur_du_comite(
    appel: Appel,
    donnees: Donnees,
    table: pd.DataFrame,
    *,
    moteur: Moteur,
    auteur: str,
    instant: dt.datetime,
    avec_evaluations: bool,
    filtres: str = "",
    suivi: pd.DataFrame | None = None,
) -> bytes:
    """Le classeur du comité (`sorties.classeur.classeur`) de `table` : dépenses retirées,
    répartitions (population des régions comprise), sources des réglages et historique des
    pondérations ; la feuille Évaluations (notes et commentaires de chaque évaluateur)
    seulement `avec_evaluations` (administration et présidence) ; la feuille Suivi des
    conventions d'après `suivi` (`decision.conventions.suivi`), que lit l'appelant."""
    with moteur.connect() as connexion:
        lignes_budget = stockage.lire_lignes_budget(appel.id, connexion=connexion)
        notes_completes = (
            stockage.lire_notes_completes(appel.id, connexion=connexion)
            if avec_evaluations
            else None
        )
    evaluations = None
    if notes_completes is not None:
        numeros = dict(
            zip(donnees.demandes["id"].astype(int), donnees.demandes["no_demande"], strict=True)
        )
        evaluations = exportation.evaluations_pour_export(
            notes_completes, donnees.evaluations, numeros
        )
    return exportation.classeur(
        appel,
        table,
        poids=donnees.poids,
        auteur=auteur,
        instant=instant,
        evaluations=evaluations,
        n_evaluations=len(donnees.evaluations),
        filtres=filtres,
        populations=portefeuille.populations_par_region(repertoire().municipalites),
        confirmations=confirmations.confirmations(appel.id, moteur=moteur),
        ponderations=donnees.ponderations,
        lignes_budget=lignes_budget,
        suivi=suivi,
    )


def pdf_de_la_seance(
    contenu: ContenuProcesVerbal,
    donnees: Donnees,
    *,
    moteur: Moteur,
    auteur: str,
    instant: dt.datetime | None = None,
) -> bytes:
    """Le procès-verbal en PDF/A-3b, le classeur du comité (tout l'appel, feuille
    Évaluations comprise : seule la présidence produit le procès-verbal) joint sous le nom
    que lui donne la page Classement."""
    instant = instant or stockage.maintenant()
    classeur = classeur_du_comite(
        contenu.appel,
        donnees,
        contenu.table,
        moteur=moteur,
        auteur=auteur,
        instant=instant,
        avec_evaluations=True,
    )
    return en_pdf(
        contenu,
        classeur=classeur,
        nom_classeur=exportation.nom_fichier(contenu.appel, instant.date()),
    )
