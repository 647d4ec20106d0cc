"""Règles d'admissibilité tirées des données : plafonds, montage financier, lignes de budget.

Chaque règle renvoie des constats (code, message, clé visée) ; c'est `validation` qui les
situe dans le fichier. Les montants sont en cents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from evaluation.appels.configuration import Appel, Condition
from evaluation.depot import echeance
from evaluation.depot.municipalites import Repertoire
from evaluation.depot.municipalites import repertoire as charger_repertoire
from evaluation.socle.formats import date, montant, pluriel
from evaluation.socle.texte import cle_souple

CLES_MONTANT_ANNEE = ("montant_demande_an1", "montant_demande_an2")


@dataclass(frozen=True)
class Constat:
    code: str
    message: str
    cle: str


def constats_demande(d: dict, appel: Appel, presentes: set[str] | None = None) -> list[Constat]:
    """Avertissements sur une demande valide : plafond, coût, contribution, autre aide, dates.

    `presentes` : les champs que le fichier fournit ; une règle qui dépend d'un champ absent
    du fichier n'est pas appliquée (une réimportation partielle ne crée pas de fausse alerte).
    """
    f = appel.financement
    constats = []
    presentes = presentes if presentes is not None else set(d)
    # PAIVMQ : « ne pourra pas excéder 25 000 $ par année dans le cas d'une initiative portée
    # par une seule ville » ; un projet conjoint « peut permettre la bonification » : jusqu'au
    # plafond bonifié maximal (réglage du comité), selon ce que la présidence fixera. Un appel
    # sans bonification de projet conjoint n'a qu'un plafond : le plafond bonifié maximal y
    # égale le plafond annuel (bonification de 0 $, jamais négative), et `libelle_plafond`
    # ne parle alors pas de projet conjoint.
    conjoint = bool(d.get("projet_conjoint"))
    plafond = f.plafond_bonifie_max if conjoint else f.plafond_annuel
    genre = libelle_plafond(appel, conjoint)
    for annee, cle in enumerate(CLES_MONTANT_ANNEE, 1):
        demande = d.get(cle) or 0
        if annee > f.nombre_annees_max and demande:
            constats.append(
                Constat(
                    "annee_hors_appel",
                    f"montant demandé pour l'année {annee}, alors que l'appel finance au plus "
                    f"{pluriel(f.nombre_annees_max, 'année')}.",
                    cle,
                )
            )
        elif demande > plafond:
            constats.append(
                Constat(
                    "plafond_depasse",
                    f"{montant(demande)} demandés pour l'année {annee} : au-dessus du plafond "
                    f"de {montant(plafond)} par année ({genre}). Le montant recommandé sera "
                    "plafonné.",
                    cle,
                )
            )
    total_demande = sum(d.get(c) or 0 for c in CLES_MONTANT_ANNEE)
    cout = d.get("cout_total")
    if cout is not None and cout < total_demande:
        constats.append(
            Constat(
                "cout_inferieur_demande",
                f"coût total ({montant(cout)}) inférieur à la somme demandée "
                f"({montant(total_demande)}) : vérifiez le montage financier.",
                "cout_total",
            )
        )
    # Seulement si l'appel le déclare ([financement] contribution_attendue, avec sa source) ;
    # PAIVMQ : « une contribution du demandeur ou la présence de cofinancement est attendue ».
    finance = {"contribution_demandeur", "cofinancement_externe"} & presentes
    if (
        f.contribution_attendue
        and finance
        and not (d.get("contribution_demandeur") or d.get("cofinancement_externe"))
    ):
        constats.append(
            Constat(
                "sans_contribution",
                "ni contribution du demandeur ni cofinancement : l'appel "
                f"« {appel.nom_court} » attend l'une ou l'autre dans le montage financier.",
                "contribution_demandeur",
            )
        )
    # Seulement si une condition d'admissibilité de l'appel lit ce champ et attend « non »
    # (PAIVMQ : « ne pas recevoir de financement d'un autre programme gouvernemental »).
    condition = condition_du_champ(appel, "autre_financement_gouvernemental")
    if (
        condition is not None
        and condition.attendu is False
        and d.get("autre_financement_gouvernemental") is True
    ):
        constats.append(
            Constat(
                "autre_financement",
                "financement d'un autre programme gouvernemental déclaré : l'appel "
                f"« {appel.nom_court} » demande que « {condition.libelle} » ; à vérifier par "
                "l'analyste, à l'examen d'admissibilité.",
                "autre_financement_gouvernemental",
            )
        )
    annees = f.annees_financieres()
    debut, fin = d.get("date_debut"), d.get("date_fin")
    if debut and fin and (debut < annees[0][0] or fin > annees[-1][1]):
        constats.append(
            Constat(
                "hors_periode",
                f"projet du {date(debut)} au {date(fin)} : hors de la période financée par "
                f"l'appel (du {date(annees[0][0])} au {date(annees[-1][1])}).",
                "date_debut" if debut < annees[0][0] else "date_fin",
            )
        )
    return constats


def condition_du_champ(appel: Appel, champ: str) -> Condition | None:
    """La condition d'admissibilité de l'appel qui lit `champ` (None : l'appel n'en a pas,
    et aucune règle ne porte sur ce champ)."""
    return next((c for c in appel.conditions if c.champ == champ), None)


def libelle_plafond(appel: Appel, conjoint: bool) -> str:
    """Ce que couvre le plafond annuel, dans les mots de l'appel : « une seule ville » n'a de
    sens que pour un appel qui bonifie les projets conjoints d'entités municipales."""
    if appel.financement.bonification_conjoint_max > 0:
        if conjoint:
            return "projet conjoint, bonification maximale comprise"
        if not appel.demandeur_organisme:
            return "initiative portée par une seule ville"
        return "projet d'un seul organisme"
    return f"fixé par l'appel « {appel.nom_court} »"


@dataclass(frozen=True)
class ConstatLigne:
    """Constat sur une ligne de budget (index dans la liste fournie) ou sur la demande (None)."""

    code: str
    message: str
    cle: str
    index_ligne: int | None


def constats_budget(
    d: dict, lignes: Iterable[dict], appel: Appel, presentes: set[str] | None = None
) -> list[ConstatLigne]:
    """Dépenses non admissibles, plafond des visas, écart entre lignes et montants demandés."""
    constats = []
    cumul_plafonne: dict[object, int] = {}
    par_annee: dict[int, int] = {}
    plafonnees = {c.id for c in appel.categories if c.plafonnee}
    par_demande = appel.portee_plafond_visas == "demande"
    portee = "pour la demande" if par_demande else "pour l'année"
    for i, ligne in enumerate(lignes):
        par_annee[ligne["annee"]] = par_annee.get(ligne["annee"], 0) + ligne["montant"]
        if ligne.get("admissible") is False:
            constats.append(
                ConstatLigne(
                    "depense_non_admissible",
                    f"dépense non admissible (« {ligne['categorie']} », "
                    f"{montant(ligne['montant'])}) : elle ne peut pas être financée par l'appel "
                    "et ne compte pas dans le budget admissible.",
                    "categorie",
                    i,
                )
            )
        if ligne.get("categorie_id") in plafonnees:
            cle = None if par_demande else ligne["annee"]
            avant = cumul_plafonne.get(cle, 0)
            cumul = cumul_plafonne[cle] = avant + ligne["montant"]
            if avant <= appel.plafond_visas < cumul:
                constats.append(
                    ConstatLigne(
                        "plafond_visas",
                        f"frais de visas et de documents d'entrée de {montant(cumul)} "
                        f"{portee} : au-dessus du plafond de "
                        f"{montant(appel.plafond_visas)} ; l'excédent est retranché du budget "
                        "admissible.",
                        "montant",
                        i,
                    )
                )
    for annee, cle in enumerate(CLES_MONTANT_ANNEE, 1):
        if presentes is not None and cle not in presentes:
            continue  # colonne absente du fichier : rien à comparer
        if annee > appel.financement.nombre_annees_max:
            # Une année que l'appel ne finance pas : `constats_demande` le dit déjà
            # (annee_hors_appel), et ses dépenses sont bloquées (annee_invalide).
            continue
        demande = d.get(cle) or 0
        lignes_annee = par_annee.get(annee, 0)
        if (demande or lignes_annee) and lignes_annee != demande:
            constats.append(
                ConstatLigne(
                    "budget_ecart",
                    f"les lignes de budget de l'année {annee} totalisent {montant(lignes_annee)} "
                    f"alors que {montant(demande)} sont demandés : corrigez le budget ou le "
                    "montant demandé.",
                    cle,
                    None,
                )
            )
    return constats


def _vide(valeur: object) -> bool:
    """None, NaN, pd.NA et le texte vide disent tous « le fichier ne le dit pas »."""
    if isinstance(valeur, str):
        return not valeur.strip()
    try:
        return bool(pd.isna(valeur))
    except (TypeError, ValueError):
        return False


def preremplir(
    d: Mapping, appel: Appel, repertoire: Repertoire | None = None
) -> dict[str, bool | None]:
    """La réponse que les données suggèrent pour chaque condition de la liste de l'appel :
    vrai, faux, ou None quand le fichier ne le dit pas (l'analyste tranche).

    « entité municipale » : vrai quand le nom du demandeur est celui d'une municipalité ou
    d'une MRC (territoire équivalent compris) du répertoire ; sinon None, jamais faux (une
    régie intermunicipale, par exemple, est à vérifier par l'analyste).

    « à temps » (la date de dépôt) : vrai déposée au plus tard à la date limite, faux après,
    None quand la date est présumée, inconnue ou invraisemblable (`echeance.reponse_examen`)."""
    permises = {cle_souple(q) for q in appel.qualites_signataire}
    reponses: dict[str, bool | None] = {}
    for c in appel.conditions:
        valeur = d.get(c.champ) if c.champ else None
        if c.champ is None or _vide(valeur):
            reponses[c.id] = None
        elif c.attendu == "renseigné":
            reponses[c.id] = True
        elif c.attendu == "entité municipale":
            if d.get("code_geographique") and not _vide(d.get("code_geographique")):
                reponses[c.id] = True
            else:
                repertoire = repertoire or charger_repertoire()
                reponses[c.id] = True if repertoire.entite_municipale(str(valeur)) else None
        elif c.attendu == "à temps":
            reponses[c.id] = echeance.reponse_examen(d, appel)[0]
        elif c.attendu == "permise":
            reponses[c.id] = cle_souple(str(valeur)) in permises
        else:
            reponses[c.id] = bool(valeur) == c.attendu
    return reponses
