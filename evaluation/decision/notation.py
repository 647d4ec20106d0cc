"""Des notes au résultat d'une demande : agrégation par critère (moyenne, médiane ou
moyenne tronquée), total pondéré sur 100, dispersion et drapeau « à discuter », calibration
des évaluateurs, accord du panel (CIC et alpha de Krippendorff).

Tout est calculé en numpy sur un cube demandes × évaluateurs × critères (NaN là où il n'y
a pas de note), sans boucle Python par demande.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.socle.formats import nombre

MOYENNE, MEDIANE, TRONQUEE = "moyenne", "mediane", "moyenne_tronquee"
AGREGATIONS = (MOYENNE, MEDIANE, TRONQUEE)


@dataclass(frozen=True)
class Cube:
    """Les notes soumises : `notes[d, e, c]` pour la demande `demandes[d]`, l'évaluateur
    `evaluateurs[e]` et le critère `criteres[c]` ; NaN quand il n'y a pas de note."""

    demandes: np.ndarray
    evaluateurs: np.ndarray
    criteres: tuple[str, ...]
    notes: np.ndarray

    @property
    def completes(self) -> np.ndarray:
        """(D, E) : vrai où l'évaluation porte une note pour chaque critère."""
        return ~np.isnan(self.notes).any(axis=2)


def cube(notes: pd.DataFrame, demandes: Sequence[int], criteres: Sequence[str]) -> Cube:
    """Le cube d'après des notes en long (demande_id, evaluateur, critere, note).

    Chaque demande de `demandes` a sa ligne, même sans note ; une note d'un critère que
    l'appel ne connaît pas est ignorée. Une évaluation incomplète (un critère sans note)
    n'entre dans aucun calcul : ses notes sont remises à NaN."""
    demandes = np.asarray(list(demandes), dtype=np.int64)
    criteres = tuple(criteres)
    # Codes calculés sur les colonnes telles quelles (texte Arrow) : convertir 400 000
    # chaînes en objets Python coûterait plus que tout le reste du calcul.
    i_d = pd.Index(demandes).get_indexer(notes["demande_id"].to_numpy(dtype=np.int64))
    i_c = pd.Index(criteres, dtype=notes["critere"].dtype).get_indexer(notes["critere"])
    garde = (i_d >= 0) & (i_c >= 0)
    i_e, evaluateurs = pd.factorize(notes["evaluateur"][garde], sort=True)
    evaluateurs = np.asarray(evaluateurs, dtype=object)
    valeurs = np.full((len(demandes), len(evaluateurs), len(criteres)), np.nan)
    valeurs[i_d[garde], i_e, i_c[garde]] = notes["note"].to_numpy(dtype=float)[garde]
    incompletes = np.isnan(valeurs).any(axis=2)
    valeurs[incompletes] = np.nan
    return Cube(demandes, evaluateurs, criteres, valeurs)


def _moyenne_tronquee(x: np.ndarray, part: float, axe: int = 1) -> np.ndarray:
    """Moyenne après avoir retiré `part` des valeurs à chaque bout (arrondi vers le bas),
    en ignorant les NaN ; NaN sans valeur."""
    trie = np.sort(x, axis=axe)  # les NaN vont à la fin
    n = np.sum(~np.isnan(x), axis=axe, keepdims=True)
    k = np.floor(part * n)
    rang = np.arange(x.shape[axe]).reshape([x.shape[axe] if i == axe else 1 for i in range(x.ndim)])
    garde = (rang >= k) & (rang < n - k)
    somme = np.where(garde, np.nan_to_num(trie), 0.0).sum(axis=axe)
    compte = garde.sum(axis=axe)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(compte > 0, somme / np.maximum(compte, 1), np.nan)


def agreger(notes: np.ndarray, methode: str = MOYENNE, part: float = 0.2) -> np.ndarray:
    """Agrège sur l'axe des évaluateurs (axe 1) : (D, E, C) → (D, C)."""
    if methode not in AGREGATIONS:
        raise ValueError(f"agrégation « {methode} » inconnue ({', '.join(AGREGATIONS)}).")
    vide = np.all(np.isnan(notes), axis=1)
    with np.errstate(invalid="ignore"), _sans_alerte_nan():
        if methode == MOYENNE:
            resultat = np.nanmean(notes, axis=1)
        elif methode == MEDIANE:
            resultat = np.nanmedian(notes, axis=1)
        else:
            resultat = _moyenne_tronquee(notes, part)
    return np.where(vide, np.nan, resultat)


@contextlib.contextmanager
def _sans_alerte_nan():
    """nanmean d'une tranche vide avertit ; le NaN qu'elle rend est la réponse voulue."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def totaux(notes: np.ndarray, poids: np.ndarray, echelle_max: float) -> np.ndarray:
    """Σ poids_c × note_c / échelle_max sur le dernier axe (NaN si une note manque)."""
    return notes @ (np.asarray(poids, dtype=float) / echelle_max)


@dataclass(frozen=True)
class Reglages:
    """Réglages du calcul, tirés de la configuration de l'appel."""

    poids: tuple[float, ...]
    echelle_min: float
    echelle_max: float
    agregation: str = MOYENNE
    part_tronquee: float = 0.2
    ecart_critere: float = 4.0  # étendue, en points de l'échelle, qui fait discuter
    ecart_total: float = 20.0  # étendue du total sur 100 qui fait discuter
    regularisation: float = 2.0  # poids du retour à zéro de la sévérité d'un évaluateur


def _ecart_type(x: np.ndarray, axe: int) -> np.ndarray:
    n = np.sum(~np.isnan(x), axis=axe)
    with np.errstate(invalid="ignore"), _sans_alerte_nan():
        e = np.nanstd(x, axis=axe, ddof=1)
    return np.where(n >= 2, e, np.nan)


def _etendue(x: np.ndarray, axe: int) -> np.ndarray:
    n = np.sum(~np.isnan(x), axis=axe)
    if x.shape[axe] == 0:
        return np.full(n.shape, np.nan)
    with _sans_alerte_nan():
        e = np.nanmax(x, axis=axe) - np.nanmin(x, axis=axe)
    return np.where(n >= 1, e, np.nan)


def resultats(c: Cube, r: Reglages) -> pd.DataFrame:
    """Une ligne par demande (index : demande_id) : note agrégée par critère (`note:<id>`),
    total sur 100, nombre d'évaluations, écart-type et étendue par critère et du total,
    drapeau `a_discuter`, et le total calibré (effet évaluateur retiré)."""
    agregees = agreger(c.notes, r.agregation, r.part_tronquee)
    total = totaux(agregees, np.array(r.poids), r.echelle_max)
    par_eval = totaux(c.notes, np.array(r.poids), r.echelle_max)  # (D, E)
    n = c.completes.sum(axis=1)
    ecarts = _ecart_type(c.notes, 1)
    etendues = _etendue(c.notes, 1)
    etendue_total = _etendue(par_eval, 1)
    a_discuter = (np.nan_to_num(etendues, nan=0.0) >= r.ecart_critere).any(axis=1) | (
        np.nan_to_num(etendue_total, nan=0.0) >= r.ecart_total
    )
    calibres, _ = calibrer(par_eval, r.regularisation)
    table = {"n_evaluations": n, "total": total}
    for j, critere in enumerate(c.criteres):
        table[f"note:{critere}"] = agregees[:, j]
    for j, critere in enumerate(c.criteres):
        table[f"ecart_type:{critere}"] = ecarts[:, j]
        table[f"etendue:{critere}"] = etendues[:, j]
    table["ecart_type_total"] = _ecart_type(par_eval, 1)
    table["etendue_total"] = etendue_total
    table["a_discuter"] = a_discuter
    table["total_calibre"] = calibres
    return pd.DataFrame(table, index=pd.Index(c.demandes, name="demande_id"))


def calibrer(
    totaux_par_eval: np.ndarray, regularisation: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """Ajuste `note[d, e] = qualité[d] + sévérité[e] + bruit` par moindres carrés, la
    sévérité pénalisée vers 0 (λ Σ sévérité²) pour qu'un évaluateur qui a peu noté ne soit
    pas « corrigé » sur deux notes. Renvoie (qualité par demande, sévérité par évaluateur) ;
    qualité NaN pour une demande sans note.

    La qualité s'élimine : reste un système linéaire évaluateurs × évaluateurs, résolu
    exactement (quelques millisecondes, quel que soit le nombre de demandes)."""
    x = np.asarray(totaux_par_eval, dtype=float)
    vu = ~np.isnan(x)
    x0 = np.where(vu, x, 0.0)
    n_d = vu.sum(axis=1)
    n_e = vu.sum(axis=0)
    w = vu.astype(float)
    # 1/n_d ; une demande sans note (n_d = 0) n'y pèse rien : ses lignes de w et de x0 sont
    # nulles, et sa qualité est remise à NaN à la fin.
    inverse = 1.0 / np.maximum(n_d, 1)
    # En remplaçant qualité[d] = Σ_e w (x − s_e) / n_d dans les équations des sévérités :
    # (diag(n_e + λ) − Wᵀ diag(1/n_d) W) s = Σ_d w x − Wᵀ (r / n_d), r_d = Σ_e w x.
    matrice = np.diag(n_e + regularisation) - (w * inverse[:, None]).T @ w
    second = x0.sum(axis=0) - w.T @ (x0.sum(axis=1) * inverse)
    if x.shape[1] == 0:
        severite = np.zeros(0)
    elif regularisation > 0:
        severite = np.linalg.solve(matrice, second)
    else:  # sans pénalité, la sévérité n'est définie qu'à une constante près
        severite = np.linalg.lstsq(matrice, second, rcond=None)[0]
    qualite = ((x0 - severite) * w).sum(axis=1) * inverse
    return np.where(n_d > 0, qualite, np.nan), severite


def indulgence(c: Cube, r: Reglages) -> pd.DataFrame:
    """Par évaluateur : nombre d'évaluations, moyenne et écart-type de l'écart de ses totaux
    à la moyenne du panel sur les mêmes demandes, et sa sévérité estimée (calibration).
    Positif : plus généreux que le panel."""
    par_eval = totaux(c.notes, np.array(r.poids), r.echelle_max)
    with _sans_alerte_nan():
        panel = np.nanmean(par_eval, axis=1, keepdims=True)
    ecart = par_eval - panel
    _, severite = calibrer(par_eval, r.regularisation)
    n = (~np.isnan(par_eval)).sum(axis=0)
    with _sans_alerte_nan():
        moyenne = np.nanmean(ecart, axis=0)
    return pd.DataFrame(
        {
            "n_evaluations": n,
            "ecart_moyen": moyenne,  # NaN sans évaluation (nanmean d'une colonne vide)
            "ecart_type": _ecart_type(ecart, 0),
            "severite": severite,
        },
        index=pd.Index(c.evaluateurs, name="evaluateur"),
    )


# --- Accord du panel ---------------------------------------------------------------------


def cic_2k(x: np.ndarray) -> float:
    """CIC(2,k) (Shrout et Fleiss 1979 ; ICC(A,k) de McGraw et Wong 1996) : effets
    aléatoires à deux facteurs, accord absolu, fidélité de la moyenne des k évaluateurs.
    `x` (n cibles × k évaluateurs) sans valeur manquante. (BMS − EMS)/(BMS + (JMS − EMS)/n).
    Dénominateur nul ou négatif (demandes semblables, évaluateurs en désaccord) : non défini
    (NaN). La formule publiée, comme pingouin, y donnerait une « fidélité » au-dessus de 1
    (13,65 sur un panel en désaccord), qu'un comité lirait comme un accord parfait ;
    interprétation : une fidélité n'est définie que sous un dénominateur positif."""
    x = np.asarray(x, dtype=float)
    n, k = x.shape
    if n < 2 or k < 2 or np.isnan(x).any():
        return float("nan")
    moyenne = x.mean()
    ss_lignes = k * ((x.mean(axis=1) - moyenne) ** 2).sum()
    ss_colonnes = n * ((x.mean(axis=0) - moyenne) ** 2).sum()
    ss_erreur = ((x - moyenne) ** 2).sum() - ss_lignes - ss_colonnes
    ms_lignes = ss_lignes / (n - 1)
    ms_colonnes = ss_colonnes / (k - 1)
    ms_erreur = ss_erreur / ((n - 1) * (k - 1))
    denominateur = ms_lignes + (ms_colonnes - ms_erreur) / n
    # Un dénominateur nul en valeur exacte (panel [[70, 70, 70,5], [70, 70, 70], [70,5, 70, 70],
    # [70, 70,5, 70]]) reste en flottants un résidu d'arrondi d'environ 1e-13, qui ferait un
    # CIC de −5 × 10¹³ : sous 1e-9 de l'ordre de grandeur de ses termes, il est nul
    # (interprétation : seuil d'arrondi ; issue 21, recoupement avec pingouin).
    echelle = ms_lignes + (ms_colonnes + abs(ms_erreur)) / n
    if denominateur <= 1e-9 * echelle:
        return float("nan")
    return float((ms_lignes - ms_erreur) / denominateur)


def cic_1(x: np.ndarray) -> float:
    """CIC(1) : effets aléatoires à un facteur, fidélité d'un évaluateur, quand chaque
    demande a ses propres évaluateurs (NaN = pas de note). Plan déséquilibré : k₀ de
    l'ANOVA (N − Σ nᵢ²/N)/(n − 1). Les demandes à une seule note n'entrent pas."""
    x = np.asarray(x, dtype=float)
    vu = ~np.isnan(x)
    n_i = vu.sum(axis=1)
    garde = n_i >= 2
    x, vu, n_i = x[garde], vu[garde], n_i[garde]
    # Chaque cible gardée a au moins deux notes : total − cibles ≥ cibles, jamais nul ici.
    cibles, total = len(n_i), n_i.sum()
    if cibles < 2:
        return float("nan")
    x0 = np.where(vu, x, 0.0)
    moyennes = x0.sum(axis=1) / n_i
    generale = x0.sum() / total
    ms_entre = (n_i * (moyennes - generale) ** 2).sum() / (cibles - 1)
    ms_dedans = ((np.where(vu, x - moyennes[:, None], 0.0)) ** 2).sum() / (total - cibles)
    k0 = (total - (n_i**2).sum() / total) / (cibles - 1)
    denominateur = ms_entre + (k0 - 1) * ms_dedans
    return float((ms_entre - ms_dedans) / denominateur) if denominateur else float("nan")


def alpha_krippendorff_ordinal(x: np.ndarray) -> float:
    """Alpha de Krippendorff pour des données ordinales : `x` (unités × évaluateurs), NaN
    pour une valeur manquante. Seules les unités à deux valeurs ou plus comptent.

    α = 1 − (n − 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck, avec la matrice de coïncidences o,
    n_c ses marges et la distance ordinale δ_ck = Σ_{g=c..k} n_g − (n_c + n_k)/2."""
    x = np.asarray(x, dtype=float)
    valeurs = np.unique(x[~np.isnan(x)])
    if len(valeurs) < 2:
        return float("nan")
    indices = np.searchsorted(valeurs, np.where(np.isnan(x), valeurs[0], x))
    comptes = np.zeros((x.shape[0], len(valeurs)))
    lignes = np.repeat(np.arange(x.shape[0]), x.shape[1])
    np.add.at(comptes, (lignes, indices.ravel()), (~np.isnan(x)).ravel().astype(float))
    m = comptes.sum(axis=1)
    garde = m >= 2
    comptes, m = comptes[garde], m[garde]
    if not len(m):
        return float("nan")
    ponderes = comptes / (m - 1)[:, None]
    coincidences = ponderes.T @ comptes - np.diag(ponderes.sum(axis=0))
    n_c = coincidences.sum(axis=1)
    n = n_c.sum()
    cumul = np.cumsum(n_c)
    # δ_ck pour c ≤ k : Σ_{g=c..k} n_g − (n_c + n_k)/2 ; symétrique.
    i, j = np.meshgrid(np.arange(len(valeurs)), np.arange(len(valeurs)), indexing="ij")
    bas, haut = np.minimum(i, j), np.maximum(i, j)
    somme = cumul[haut] - np.where(bas > 0, cumul[bas - 1], 0.0)
    delta2 = (somme - (n_c[i] + n_c[j]) / 2) ** 2
    attendu = (np.outer(n_c, n_c) * delta2).sum()
    if attendu == 0:
        return float("nan")
    return float(1 - (n - 1) * (coincidences * delta2).sum() / attendu)


@dataclass(frozen=True)
class Accord:
    """L'accord du panel : quel CIC (et pourquoi), sa valeur, l'alpha par critère."""

    mesure: str
    cic: float
    alpha_par_critere: Mapping[str, float]
    # Assez de notes pour un CIC, qui reste pourtant non défini (dénominateur nul ou négatif).
    indefini: bool = False


def accord_lisible(a: Accord) -> str:
    """L'accord sur les totaux en une phrase (issue 19) : la valeur et ce qu'elle mesure, ou
    pourquoi il n'y en a pas (un seul évaluateur par demande, ou une seule demande)."""
    if np.isnan(a.cic) and a.indefini:
        return (
            "— : non mesurable, les écarts entre évaluateurs sont aussi grands que les écarts "
            "entre demandes (voir où ils divergent)."
        )
    if np.isnan(a.cic):
        return (
            "— : il faut au moins deux demandes notées chacune par au moins deux évaluateurs "
            "pour le calculer."
        )
    quoi = (
        "les mêmes évaluateurs ont noté chaque demande"
        if a.mesure == "CIC(2,k)"
        else "chaque demande a ses propres évaluateurs"
    )
    return f"{nombre(a.cic, 2)} ({quoi})"


def accord(c: Cube, r: Reglages) -> Accord:
    """CIC(2,k) quand un même panel a noté chaque demande notée ; CIC(1) sinon ; alpha
    ordinal de Krippendorff par critère (il tolère les notes manquantes)."""
    par_eval = totaux(c.notes, np.array(r.poids), r.echelle_max)
    notees = ~np.all(np.isnan(par_eval), axis=1)
    x = par_eval[notees]
    complet = x.size > 0 and not np.isnan(x).any()
    if complet:
        mesure, valeur = "CIC(2,k)", cic_2k(x)
    else:
        mesure, valeur = "CIC(1)", cic_1(x)
    alphas = {
        critere: alpha_krippendorff_ordinal(c.notes[notees][:, :, j])
        for j, critere in enumerate(c.criteres)
    }
    notes_par_demande = (~np.isnan(x)).sum(axis=1)
    assez = int((notes_par_demande >= 2).sum()) >= 2
    return Accord(mesure, valeur, alphas, indefini=bool(assez and np.isnan(valeur)))


# --- Boîtes à moustaches ---------------------------------------------------------------------


def boites(valeurs: pd.DataFrame, groupes: Sequence[str], colonne: str) -> pd.DataFrame:
    """Les boîtes à moustaches de `colonne` par `groupes`, telles que plotly les calcule sur
    les valeurs elles-mêmes (boîte `box`, réglages par défaut) : quartiles par interpolation
    linéaire (méthode 5 de Hyndman et Fan : rang n × p − ½, bornée aux extrêmes), moustaches
    jusqu'à la valeur la plus éloignée à moins de 1,5 écart interquartile de la boîte, et les
    valeurs au-delà (distinctes, triées). La page envoie ces quelques nombres au navigateur au
    lieu de 400 000 notes.

    Une ligne par groupe, dans l'ordre où il paraît d'abord : les colonnes de `groupes`, puis
    q1, mediane, q3, bas, haut, hors. Les valeurs manquantes sont ignorées, comme plotly le
    fait."""
    colonnes = [*groupes, "q1", "mediane", "q3", "bas", "haut", "hors"]
    propres = valeurs.dropna(subset=[*groupes, colonne])
    if propres.empty:
        return pd.DataFrame(columns=colonnes)
    # Un code par groupe, dans l'ordre où il paraît (colonne par colonne : factoriser les
    # n-uplets eux-mêmes coûterait autant que tout le reste).
    codes = np.zeros(len(propres), dtype=np.int64)
    valeurs_des_groupes = []
    for g in groupes:
        c, uniques = pd.factorize(propres[g])
        codes = codes * len(uniques) + c
        valeurs_des_groupes.append(np.asarray(uniques, dtype=object)[c])
    codes, _ = pd.factorize(codes)
    x = propres[colonne].to_numpy(dtype=float)
    ordre = np.lexsort((x, codes))
    x, codes = x[ordre], codes[ordre]
    debuts = np.r_[0, np.flatnonzero(np.diff(codes)) + 1]
    lignes = []
    for v, debut in zip(np.split(x, debuts[1:]), debuts, strict=True):
        q1, mediane, q3 = np.percentile(v, [25, 50, 75], method="hazen")
        ecart = q3 - q1
        bas = min(q1, v[np.searchsorted(v, q1 - 1.5 * ecart, side="left")])
        haut = max(q3, v[np.searchsorted(v, q3 + 1.5 * ecart, side="right") - 1])
        hors = np.unique(v[(v < bas) | (v > haut)]).tolist()
        groupe = [valeurs[ordre[debut]] for valeurs in valeurs_des_groupes]
        lignes.append((*groupe, q1, mediane, q3, bas, haut, hors))
    return pd.DataFrame(lignes, columns=colonnes)
