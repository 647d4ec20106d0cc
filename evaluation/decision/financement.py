"""Le financement : budget admissible et montant recommandé par année (par défaut la
demande, plafonnée, jamais au-dessus du budget admissible ; la présidence peut le changer,
avec une raison, jusqu'au plafond de l'appel : `decisions.modifier_montant` ne le borne pas
au budget admissible, le ministère gardant « la détermination des sommes »), la ligne
de financement face à l'enveloppe de chaque année, et les décisions du comité. Les montants
sont en cents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.socle.concurrence import ModificationConcurrente
from evaluation.socle.formats import montant

CLES_DEMANDE = ("montant_demande_an1", "montant_demande_an2")
FINANCE, ATTENTE = "financé", "liste d'attente"
RETENU, LISTE_ATTENTE, REFUSE = "retenu", "liste d'attente", "refusé"
DECISIONS = (RETENU, LISTE_ATTENTE, REFUSE)


class ErreurFinancement(ValueError):
    """Un montant ou une décision refusé ; le message dit pourquoi."""


class FinancementPerime(ModificationConcurrente, ErreurFinancement):
    """Le montant ou la décision a changé depuis que la page l'a lu : rien n'est écrit."""


def version_montant(modifications: list[dict], demande_id: int, annee: int) -> int:
    """La version du montant recommandé d'une année (identifiant de sa dernière
    modification, 0 s'il n'a jamais été modifié), d'après ce que la page a lu."""
    return max(
        (
            int(m["id"])
            for m in modifications
            if int(m["demande_id"]) == demande_id and int(m["annee"]) == annee
        ),
        default=0,
    )


def version_montants(modifications: list[dict]) -> int:
    """La version de l'ensemble des montants recommandés modifiés de l'appel."""
    return max((int(m["id"]) for m in modifications), default=0)


def version_decision(decisions: list[dict], demande_id: int | None = None) -> int:
    """La version de la décision d'une demande (identifiant de la dernière, 0 sans
    décision) ; sans `demande_id`, celle de l'ensemble des décisions de l'appel."""
    return max(
        (
            int(d["id"])
            for d in decisions
            if demande_id is None or int(d["demande_id"]) == demande_id
        ),
        default=0,
    )


def version_bonification(bonifications: list[dict], demande_id: int) -> int:
    """La version de la bonification d'une demande (identifiant de la dernière, 0 sans)."""
    return version_decision(bonifications, demande_id)


def nombre_annees(appel: Appel) -> int:
    return min(appel.financement.nombre_annees_max, len(CLES_DEMANDE))


def _cents(serie: pd.Series) -> np.ndarray:
    return pd.to_numeric(serie, errors="coerce").fillna(0).astype(np.int64).to_numpy()


# --- Le budget admissible ----------------------------------------------------------------
# « Les dépenses admissibles sont les suivantes : […] » et « Les dépenses non admissibles sont
# les suivantes : […] » : le genre de chaque catégorie vient de la configuration
# ([[depenses.admissibles]], [[depenses.non_admissibles]]).
ADMISSIBLE, PLAFONNEE, NON_ADMISSIBLE = "admissible", "plafonnee", "non_admissible"
A_CONFIRMER = "catégorie à confirmer"
GENRES_BUDGET = (ADMISSIBLE, PLAFONNEE, NON_ADMISSIBLE, "a_confirmer")


def genres_categories(appel: Appel) -> dict[str, str]:
    """Identifiant de catégorie → « admissible », « plafonnee » (admissible jusqu'au plafond
    des visas) ou « non_admissible ». Une catégorie absente de ce dictionnaire (non reconnue
    à l'importation) n'est jamais comptée admissible : elle est « à confirmer »."""
    return {
        c.id: (PLAFONNEE if c.plafonnee else ADMISSIBLE) if c.admissible else NON_ADMISSIBLE
        for c in appel.categories
    }


@dataclass(frozen=True)
class Budgets:
    """Les lignes de budget additionnées par demande et par année : chaque tableau est
    (D, années), dans l'ordre des demandes ; en cents."""

    total: np.ndarray
    admissible: np.ndarray  # catégories admissibles sans plafond
    plafonnee: np.ndarray  # catégories admissibles plafonnées (visas, assurance), déclaré
    non_admissible: np.ndarray
    a_confirmer: np.ndarray  # catégorie non reconnue : jamais comptée admissible


def budgets(sommes: pd.DataFrame | None, demande_ids, annees: int) -> Budgets:
    """Les `Budgets` de `demande_ids` d'après `stockage.sommes_budget` (une ligne par
    demande et année) ; une demande sans ligne de budget a un budget nul."""
    ids = np.asarray(demande_ids, dtype=np.int64)
    tableaux = {g: np.zeros((len(ids), annees), dtype=np.int64) for g in ("total", *GENRES_BUDGET)}
    if sommes is not None and len(sommes) and annees:
        position = pd.Index(ids).get_indexer(sommes["demande_id"].to_numpy(dtype=np.int64))
        annee = sommes["annee"].to_numpy(dtype=np.int64) - 1
        garde = (position >= 0) & (annee >= 0) & (annee < annees)
        for g in tableaux:
            np.add.at(
                tableaux[g],
                (position[garde], annee[garde]),
                sommes[g].to_numpy(dtype=np.int64)[garde],
            )
    return Budgets(
        tableaux["total"],
        tableaux[ADMISSIBLE],
        tableaux[PLAFONNEE],
        tableaux[NON_ADMISSIBLE],
        tableaux["a_confirmer"],
    )


def plafonnees_retenues(plafonnee: np.ndarray, plafond: int, portee: str) -> np.ndarray:
    """(D, années) : la part des frais plafonnés comptée admissible.

    Appel : « Frais de délivrance de visas (le cas échéant) ou d'autres documents d'entrée et
    de séjour qui pourraient être exigés, frais d'assurance voyage et de dédouanement
    (jusqu'à concurrence de 500 $) ». L'excédent est retranché. Portée (interprétation,
    `portee_plafond_visas`) : « demande », le plafond vaut pour la demande entière et
    s'épuise d'abord en année 1 ; « annee », il vaut pour chaque année."""
    plafonnee = np.asarray(plafonnee, dtype=np.int64)
    if portee == "annee":
        return np.minimum(plafonnee, plafond)
    retenue = np.zeros_like(plafonnee)
    reste = np.full(plafonnee.shape[0], plafond, dtype=np.int64)
    for a in range(plafonnee.shape[1]):
        retenue[:, a] = np.minimum(plafonnee[:, a], reste)
        reste -= retenue[:, a]
    return retenue


def budget_admissible(b: Budgets, appel: Appel) -> np.ndarray:
    """(D, années) : le budget admissible de chaque année = lignes des catégories
    admissibles + frais plafonnés jusqu'au plafond ; jamais une ligne non admissible ni une
    ligne de catégorie à confirmer."""
    return b.admissible + plafonnees_retenues(
        b.plafonnee, appel.plafond_visas, appel.portee_plafond_visas
    )


def bonifications_par_demande(
    demandes: pd.DataFrame, bonifications: list[dict], appel: Appel
) -> np.ndarray:
    """(D,) : la bonification par année fixée par la présidence (la dernière ; 0 $ sinon),
    telle qu'elle vaut aujourd'hui : « La présentation d'un projet conjoint entre plusieurs
    acteurs municipaux peut permettre la bonification de la subvention. » Une demande qui
    n'est plus un projet conjoint (réimportée sans ses partenaires) n'en garde aucune, et
    aucune ne dépasse le plafond de bonification en vigueur (`bonification_conjoint_max`
    abaissé après coup)."""
    par_id = {int(x["demande_id"]): int(x["montant"]) for x in bonifications or ()}
    fixees = np.array([par_id.get(int(i), 0) for i in demandes["id"]], dtype=np.int64)
    conjoint = demandes["projet_conjoint"].fillna(False).astype(bool).to_numpy()
    plafond = appel.financement.bonification_conjoint_max
    return (
        np.where(conjoint, np.minimum(fixees, plafond), 0).astype(np.int64).reshape(len(demandes))
    )


def regle_en_une_phrase(appel: Appel) -> str:
    """La règle du montant recommandé, en une phrase qu'un membre du comité vérifie à la
    main (pages, procès-verbal, classeur)."""
    f = appel.financement
    portee = "par demande" if appel.portee_plafond_visas == "demande" else "par année"
    bonus = (
        f" plus la bonification fixée par la présidence pour un projet conjoint (0 $ par "
        f"défaut, au plus {montant(f.bonification_conjoint_max)})"
        if f.bonification_conjoint_max
        else ""
    )
    return (
        f"pour chaque année, le plus petit de : le plafond de {montant(f.plafond_annuel)}"
        f"{bonus} ; le montant demandé pour l'année ; le budget admissible de l'année (les "
        "lignes des dépenses admissibles, plus les frais de visas et d'assurance jusqu'à "
        f"{montant(appel.plafond_visas)} {portee}, sans les dépenses non admissibles ni les "
        "catégories à confirmer)."
    )


def plafonds(demandes: pd.DataFrame, appel: Appel, bonus: np.ndarray | None = None) -> np.ndarray:
    """(D,) : le plafond annuel de chaque demande : « La subvention demandée pour un projet
    retenu ne pourra pas excéder 25 000 $ par année dans le cas d'une initiative portée par
    une seule ville », plus la bonification que la présidence a fixée pour un projet
    conjoint (`bonus`, 0 $ par défaut : l'appel n'en donne pas le montant)."""
    base = np.full(len(demandes), appel.financement.plafond_annuel, dtype=np.int64)
    return base if bonus is None else base + np.asarray(bonus, dtype=np.int64)


def montants_par_defaut(
    demandes: pd.DataFrame,
    appel: Appel,
    admissibles: np.ndarray | None = None,
    bonus: np.ndarray | None = None,
) -> np.ndarray:
    """(D, années) : le montant recommandé par défaut de chaque année =
    min(plafond annuel + bonification de la demande, demande de l'année, budget admissible
    de l'année) ; rien au-delà des années que l'appel finance.

    `admissibles` : `budget_admissible` (D, années). Sans lui (calculs sur des demandes
    seules, sans leurs lignes de budget), le budget admissible n'est pas appliqué : la
    page, la ligne de commande et le classeur passent toujours par `chargement.charger`,
    qui le fournit."""
    plafond = plafonds(demandes, appel, bonus)
    annees = nombre_annees(appel)
    # Au moins une colonne : la configuration refuse un appel de moins d'une année financée.
    montants = np.column_stack(
        [np.minimum(_cents(demandes[c]), plafond) for c in CLES_DEMANDE[:annees]]
    )
    if admissibles is not None:
        montants = np.minimum(montants, np.asarray(admissibles, dtype=np.int64)[:, :annees])
    return np.maximum(montants, 0)


def montants_recommandes(
    demandes: pd.DataFrame,
    appel: Appel,
    modifications: list[dict],
    admissibles: np.ndarray | None = None,
    bonus: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[tuple[int, int], dict]]:
    """(D, années) : les montants par défaut, remplacés par les modifications stockées
    (les dernières), et ces modifications par (demande_id, année)."""
    montants = montants_par_defaut(demandes, appel, admissibles, bonus).copy()
    position = {int(i): k for k, i in enumerate(demandes["id"])}
    retenues = {}
    for m in modifications:
        k = position.get(int(m["demande_id"]))
        if k is not None and 1 <= m["annee"] <= montants.shape[1]:
            montants[k, m["annee"] - 1] = m["montant"]
            retenues[(int(m["demande_id"]), int(m["annee"]))] = m
    return montants, retenues


def lignes_expliquees(lignes: pd.DataFrame, appel: Appel) -> pd.DataFrame:
    """Les lignes de budget d'une demande (`stockage.lire_lignes_budget`), chacune avec ce
    qu'elle devient : `categorie_appel` (le libellé de la catégorie dans les mots de
    l'appel), `genre` (admissible, non admissible, plafonnée, catégorie à confirmer),
    `montant_admissible` et `montant_retire` (la part non comptée : dépense non admissible,
    catégorie à confirmer ou excédent du plafond des visas)."""
    lignes = lignes.reset_index(drop=True)
    if lignes.empty:
        return lignes.assign(categorie_appel=[], genre=[], montant_admissible=[], montant_retire=[])
    genres = genres_categories(appel)
    libelles = {c.id: c.libelle for c in appel.categories}
    ids = lignes["categorie_id"].where(lignes["categorie_id"].notna(), None)
    genre = [genres.get(i, A_CONFIRMER) if i is not None else A_CONFIRMER for i in ids]
    montant_ = pd.to_numeric(lignes["montant"], errors="coerce").fillna(0).astype(np.int64)
    admissible = np.where(np.array(genre) == ADMISSIBLE, montant_, 0).astype(np.int64)
    # Le plafond des visas vaut pour chaque demande (lignes de plusieurs demandes : le
    # classeur) ; il se consomme dans l'ordre des années, puis des lignes.
    demandes = lignes["demande_id"].tolist() if "demande_id" in lignes else [None] * len(lignes)
    plafonnees = np.flatnonzero(np.array(genre) == PLAFONNEE)
    ordre = sorted(plafonnees, key=lambda k: (int(lignes.at[k, "annee"]), k))
    par_annee = appel.portee_plafond_visas != "demande"
    restes: dict[tuple, int] = {}
    for k in ordre:
        cle = (demandes[k], int(lignes.at[k, "annee"]) if par_annee else None)
        reste = restes.setdefault(cle, appel.plafond_visas)
        pris = min(int(montant_[k]), reste)
        admissible[k] = pris
        restes[cle] = reste - pris
    lisibles = {
        ADMISSIBLE: "admissible",
        PLAFONNEE: "admissible jusqu'au plafond",
        NON_ADMISSIBLE: "non admissible",
        A_CONFIRMER: A_CONFIRMER,
    }
    return lignes.assign(
        categorie_appel=[libelles.get(i, "") if i is not None else "" for i in ids],
        genre=[lisibles[g] for g in genre],
        montant_admissible=admissible,
        montant_retire=montant_.to_numpy() - admissible,
    )


def montants_de_la_demande(d: Mapping, lignes: pd.DataFrame, appel: Appel, bonus: int = 0) -> dict:
    """Demandé, retiré, budget admissible et recommandé de chaque année d'une demande seule,
    d'après ses lignes de budget (page Évaluation, plafond d'une modification de la
    présidence) : aux clés du classement (`montant_demande_anN`, `non_admissible_anN`,
    `a_confirmer_anN`, `exces_plafond_anN`, `admissible_anN`, `recommande_anN`) ; le
    montant recommandé par la règle, sans modification de la présidence. `bonus` : la
    bonification telle qu'elle vaut (`bonifications_par_demande`)."""
    annees = nombre_annees(appel)
    e = lignes_expliquees(lignes, appel)
    valeurs: dict[str, object] = {}
    admissibles: list[int] = []  # le budget admissible de chaque année
    for a in range(annees):
        n = a + 1
        g = e[e["annee"].astype(int) == n] if len(e) else e
        statut = g["genre"] if len(g) else pd.Series(dtype=object)
        retire = g["montant_retire"] if len(g) else pd.Series(dtype="int64")
        valeurs[f"montant_demande_an{n}"] = d.get(f"montant_demande_an{n}")
        valeurs[f"non_admissible_an{n}"] = int(retire[statut == "non admissible"].sum())
        valeurs[f"a_confirmer_an{n}"] = int(retire[statut == A_CONFIRMER].sum())
        valeurs[f"exces_plafond_an{n}"] = int(retire[statut == "admissible jusqu'au plafond"].sum())
        admissibles.append(int(g["montant_admissible"].sum()) if len(g) else 0)
        valeurs[f"admissible_an{n}"] = admissibles[a]
    defaut = montants_par_defaut(
        pd.DataFrame([dict(d)]), appel, np.array([admissibles], dtype=np.int64), np.array([bonus])
    )[0]
    for a in range(annees):
        valeurs[f"recommande_an{a + 1}"] = int(defaut[a])
    return valeurs


@dataclass(frozen=True)
class Ligne:
    """La ligne de financement : statut de chaque demande classée, cumuls, reste par année."""

    statuts: np.ndarray  # FINANCE ou ATTENTE, dans l'ordre reçu
    cumuls: np.ndarray  # (n, années) : cumul des montants recommandés dans l'ordre
    finances: np.ndarray  # (années,) : total financé
    restant: np.ndarray  # (années,) : enveloppe − financé

    @property
    def derniere_financee(self) -> int | None:
        """Position (dans l'ordre reçu) de la dernière demande financée avant la ligne."""
        positions = np.flatnonzero(self.statuts == FINANCE)
        return int(positions[-1]) if len(positions) else None


def ligne_de_financement(
    montants: np.ndarray, enveloppes: tuple[int, ...] | np.ndarray, mode: str = "stricte"
) -> Ligne:
    """En descendant le classement (`montants` : (n, années) dans l'ordre du rang), une
    demande est financée tant que les montants cumulés tiennent dans l'enveloppe de
    **chaque** année. « stricte » : la première qui ne tient pas et toutes les suivantes
    vont en liste d'attente. « remplissage » : celle qui ne tient pas est sautée, et l'on
    continue avec les suivantes, plus petites peut-être."""
    enveloppes = np.asarray(enveloppes, dtype=np.int64)
    montants = np.asarray(montants, dtype=np.int64)
    if montants.ndim == 1:  # un vecteur : un montant par demande, une seule année
        montants = (
            montants[:, np.newaxis]
            if montants.size
            else np.zeros((0, len(enveloppes)), dtype=np.int64)
        )
    enveloppes = enveloppes[: montants.shape[1]]
    cumuls = np.cumsum(montants, axis=0)
    if mode == "stricte":
        tient = (cumuls <= enveloppes).all(axis=1)
        premiere = int(np.argmin(tient)) if not tient.all() else len(tient)
        finance = np.arange(len(montants)) < premiere
    elif mode == "remplissage":
        finance = np.zeros(len(montants), dtype=bool)
        restant = enveloppes.copy()
        for i, m in enumerate(montants):  # glouton : une décision dépend des précédentes
            if (m <= restant).all():
                finance[i] = True
                restant -= m
    else:
        raise ValueError(f"mode de ligne « {mode} » inconnu (stricte, remplissage).")
    finances = montants[finance].sum(axis=0)
    return Ligne(np.where(finance, FINANCE, ATTENTE), cumuls, finances, enveloppes - finances)


# --- Modifications de la présidence et décisions ------------------------------------------


# --- Décision et recommandation : les montants qui divergent (issue 16) ----------------------

ECART_MONTANT = "montant accordé ≠ recommandation"


@dataclass(frozen=True)
class Ecart:
    """Une demande retenue dont le montant accordé n'est plus le montant recommandé en
    vigueur (par année, en cents)."""

    demande_id: int
    no_demande: str
    accorde: tuple[int, ...]
    recommande: tuple[int, ...]

    @property
    def mention(self) -> str:
        """« montant accordé ≠ recommandation (accordé 18 000 $, recommandé 15 000 $) »."""
        return (
            f"{ECART_MONTANT} (accordé {' + '.join(montant(v) for v in self.accorde)}, "
            f"recommandé {' + '.join(montant(v) for v in self.recommande)})"
        )


def ecarts_de_montant(table: pd.DataFrame, annees: int) -> dict[int, Ecart]:
    """Issue 16, « Decisions stay coherent » : les demandes retenues (`decision` « retenu »)
    dont un montant accordé (`accorde_anN`) diffère du montant recommandé en vigueur
    (`recommande_anN`), pour l'une des `annees` années (celles que `table` porte) ;
    demande_id → écart. Un refus ou une
    liste d'attente n'accorde rien et n'est jamais signalé ; une demande sans montant
    recommandé connu non plus. Interprétation : la décision garde son montant tant que la
    présidence ne la met pas à jour ; on le signale partout (pages, classeur, CSV,
    procès-verbal)."""
    if table.empty or "decision" not in table:
        return {}
    retenues = (table["decision"].astype(str) == RETENU).to_numpy()
    if not retenues.any():
        return {}
    sous = table[retenues]
    # Les années dont le classement donne le montant recommandé (un appel d'une année n'a
    # pas de `recommande_an2`).
    presentes = [a for a in range(annees) if f"recommande_an{a + 1}" in sous]
    if not presentes:
        return {}

    def entiers(prefixe: str) -> np.ndarray:
        return np.column_stack(
            [
                pd.to_numeric(sous[f"{prefixe}{a + 1}"], errors="coerce").to_numpy(dtype=float)
                if f"{prefixe}{a + 1}" in sous
                else np.full(len(sous), np.nan)
                for a in presentes
            ]
        )

    accordes = np.nan_to_num(entiers("accorde_an"), nan=0.0).astype(np.int64)
    recommandes = entiers("recommande_an")
    connus = ~np.isnan(recommandes).any(axis=1)
    recommandes = np.nan_to_num(recommandes, nan=0.0).astype(np.int64)
    differe = connus & (accordes != recommandes).any(axis=1)
    numeros = (
        sous["no_demande"].astype(str).to_numpy()
        if "no_demande" in sous
        else np.full(len(sous), "")
    )
    return {
        int(d): Ecart(int(d), str(no), tuple(map(int, a)), tuple(map(int, r)))
        for d, no, a, r in zip(
            sous["demande_id"].to_numpy()[differe],
            numeros[differe],
            accordes[differe],
            recommandes[differe],
            strict=True,
        )
    }


def mentions_d_ecart(table: pd.DataFrame, annees: int) -> list[str]:
    """Pour chaque ligne de `table`, dans son ordre : la mention de l'écart entre montant
    accordé et recommandation (`ecarts_de_montant`), ou "" ."""
    ecarts = ecarts_de_montant(table, annees)
    if not ecarts:
        return [""] * len(table)
    return [
        ecarts[int(d)].mention if int(d) in ecarts else "" for d in table["demande_id"].to_numpy()
    ]
