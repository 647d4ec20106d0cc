"""La fiche d'une demande telle que l'évaluateur la lit : son résumé en libellés et valeurs
lisibles, son budget ligne par ligne, ses avertissements d'importation."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import pandas as pd

from evaluation.appels import demandeur
from evaluation.appels.configuration import Appel
from evaluation.decision import financement
from evaluation.depot import echeance
from evaluation.depot.gabarit import libelles_champs
from evaluation.socle import formats
from evaluation.socle.champs import CHAMPS_FORMULAIRE
from evaluation.socle.texte import cle_souple
from evaluation.sorties.tableaux import libelles_dimension, valeur_lisible


def _vide(valeur: object) -> bool:
    return valeur is None or (isinstance(valeur, float) and pd.isna(valeur)) or valeur == ""


def libelle_axe(appel: Appel, numero: object) -> str:
    if _vide(numero):
        return "—"
    axe = next((a for a in appel.axes if a.numero == int(numero)), None)
    return f"Axe {int(numero)} – {axe.libelle}" if axe else f"Axe {numero}"


@functools.lru_cache(maxsize=16)
def _secteurs_par_cle(appel: Appel) -> dict[str, str]:
    return {cle_souple(nom): s.id for s in appel.secteurs for nom in (s.id, s.libelle, *s.alias)}


def id_secteur(appel: Appel, secteur: object) -> str:
    """L'identifiant du secteur de l'appel que nomme `secteur` (identifiant, libellé ou
    alias, sans égard à la casse ni aux accents) ; la valeur telle quelle sinon."""
    if _vide(secteur):
        return ""
    return _secteurs_par_cle(appel).get(cle_souple(str(secteur)), str(secteur))


def libelle_secteur(appel: Appel, secteur: object) -> str:
    if _vide(secteur):
        return "—"
    cherche = id_secteur(appel, secteur)
    trouve = next((s for s in appel.secteurs if s.id == cherche), None)
    return trouve.libelle if trouve else str(secteur)


def ids_dimension(d: Mapping, id_dimension: str) -> tuple[str, ...]:
    """Les identifiants des valeurs d'une dimension déclarée pour la demande `d` : une ligne
    chargée pour classer (colonne « dimension:<id> », un tuple) ou une demande stockée
    (colonne JSON `dimensions`)."""
    chargee = d.get("dimension:" + id_dimension)
    if isinstance(chargee, tuple | list):
        return tuple(str(x) for x in chargee)
    stockees = d.get("dimensions")
    if isinstance(stockees, Mapping):
        return tuple(str(x) for x in stockees.get(id_dimension) or ())
    return ()


def dimension_parmi(table: pd.DataFrame, id_dimension: str, voulues) -> pd.Series:
    """Vrai pour chaque demande (ligne chargée pour classer) dont l'une des valeurs de la
    dimension est parmi `voulues` : une demande à plusieurs valeurs passe si l'une
    correspond ; une demande sans valeur ne passe pas."""
    voulues = set(voulues)
    cle = "dimension:" + id_dimension
    if cle not in table:
        return pd.Series(False, index=table.index)
    return pd.Series(
        [isinstance(ids, tuple | list) and not voulues.isdisjoint(ids) for ids in table[cle]],
        index=table.index,
        dtype=bool,
    )


def classification(d: Mapping, appel: Appel) -> list[tuple[str, str]]:
    """(libellé, valeur) de l'axe, du secteur principal et de chaque dimension déclarée,
    pour ceux que l'appel a : un appel sans axes ni secteurs ne montre que ses dimensions."""
    lignes = []
    if appel.axes:
        lignes.append(("Axe", libelle_axe(appel, d.get("axe"))))
    if appel.secteurs:
        lignes.append(("Secteur", libelle_secteur(appel, d.get("secteur"))))
    lignes += [
        (dim.libelle, libelles_dimension(appel, dim.id, ids_dimension(d, dim.id)))
        for dim in appel.dimensions
    ]
    return lignes


def resume(d: Mapping, appel: Appel) -> list[tuple[str, str]]:
    """(libellé, valeur) des champs que l'évaluateur lit avant de noter, dans l'ordre d'un
    dossier : qui, où, quoi, quand, combien. Un champ vide s'affiche « — ». Le demandeur
    suit le type de l'appel (`appels.demandeur`) : « Organisme requérant », son NEQ et son
    siège pour un organisme."""
    regions = {r.code: r.nom for r in appel.regions}

    def v(cle: str) -> str:
        return valeur_lisible(cle, d.get(cle), regions) or "—"

    secondaires = [
        libelle_secteur(appel, s.strip())
        for s in (
            "" if _vide(d.get("secteurs_secondaires")) else str(d["secteurs_secondaires"])
        ).split(";")
        if s.strip()
    ]
    an1, an2 = d.get("montant_demande_an1"), d.get("montant_demande_an2")
    montants = [int(x) for x in (an1, an2) if not _vide(x)]
    total = sum(montants) if montants else None
    qui = demandeur.demandeur(appel, d)
    if appel.demandeur_organisme:
        # Un organisme : son nom, son NEQ et son siège ; pas de partenaires municipaux.
        identite = [
            (qui.libelle, f"{qui.nom} (NEQ {qui.neq})" if qui.neq else qui.nom),
            ("Siège", qui.siege or "—"),
        ]
    else:
        identite = [
            (qui.libelle, v("municipalite")),
            ("Région", v("region")),
            ("Projet conjoint", v("projet_conjoint")),
            ("Municipalités partenaires", v("municipalites_partenaires")),
        ]
    lignes = [
        *identite,
        ("Partenaires étrangers", v("partenaires_etrangers")),
        ("Pays", v("pays")),
    ]
    # Un appel sans axes (ou sans secteurs) n'en montre pas ; chaque dimension déclarée a
    # sa ligne (issue 18).
    if appel.axes:
        lignes.append(("Axe", libelle_axe(appel, d.get("axe"))))
    if appel.secteurs:
        lignes += [
            ("Secteur principal", libelle_secteur(appel, d.get("secteur"))),
            ("Secteurs secondaires", ", ".join(secondaires) or "—"),
        ]
    lignes += [
        (dim.libelle, libelles_dimension(appel, dim.id, ids_dimension(d, dim.id)))
        for dim in appel.dimensions
    ]
    lignes += [
        ("Début", v("date_debut")),
        ("Fin", v("date_fin")),
        ("Dépôt", depot(d, appel)),
        ("Montant demandé, année 1", v("montant_demande_an1")),
        ("Montant demandé, année 2", v("montant_demande_an2")),
        ("Total demandé", formats.montant(total)),
        ("Coût total du projet", v("cout_total")),
        ("Contribution du demandeur", v("contribution_demandeur")),
        ("Cofinancement externe", v("cofinancement_externe")),
        ("Signataire", v("qualite_signataire")),
    ]
    return lignes


def formulaire(d: Mapping, appel: Appel) -> list[tuple[str, str]]:
    """(titre, texte) des réponses au formulaire de l'appel (objectifs, échéancier,
    retombées, visibilité, ressources humaines, capacité financière, résolution du conseil),
    sous les titres du gabarit ; « — (non fourni) » pour un champ vide, pour que l'évaluateur
    sache que la demande ne le dit pas plutôt que de le croire oublié par l'écran."""
    titres = libelles_champs(appel)
    resultat = []
    for cle in CHAMPS_FORMULAIRE:
        titre = titres.get(cle, cle)
        valeur = d.get(cle)
        texte = "" if _vide(valeur) else str(valeur).strip()
        resultat.append((titre, texte or "— (non fourni)"))
    return resultat


def depot(d: Mapping, appel: Appel) -> str:
    """Le dépôt de la demande face à la date limite de l'appel, en une phrase : « Déposée le
    4 mars 2024, 3 jours après la date limite du 1er mars 2024 : … » (voir
    `depot.echeance`, qui dit pourquoi le jour même de la date limite est à temps) ; « — »
    sans date de dépôt."""
    constat = echeance.depot(d, appel)
    if constat.date_depot is None:
        return "—"
    texte = constat.texte()
    return texte[:1].upper() + texte[1:]


def budget(lignes: pd.DataFrame) -> pd.DataFrame:
    """Les lignes de budget d'une demande, lisibles, non admissibles marquées."""
    colonnes = ["Année", "Catégorie", "Montant", "Admissible", "Description"]
    if lignes.empty:
        return pd.DataFrame(columns=colonnes)
    admissible = {True: "oui", False: "NON ADMISSIBLE"}
    return pd.DataFrame(
        {
            "Année": lignes["annee"].astype(int),
            "Catégorie": lignes["categorie"].fillna(""),
            "Montant": [formats.montant(int(m)) for m in lignes["montant"]],
            "Admissible": [admissible.get(a, "à vérifier") for a in lignes["admissible"]],
            "Description": lignes["description"].fillna(""),
        }
    ).reset_index(drop=True)


def avertissements(d: Mapping) -> list[str]:
    """Les avertissements laissés par l'importation (texte de chaque problème), chacun une
    phrase qui commence par une majuscule : montré seul, sans l'emplacement (« ligne 3 : »)
    qui le précède à l'importation."""
    brut = d.get("avertissements")
    if not isinstance(brut, list):
        return []
    textes = [a.get("message", str(a)) if isinstance(a, dict) else str(a) for a in brut]
    return [t[:1].upper() + t[1:] for t in textes]


COLONNES_BUDGET_EXPLIQUE = [
    "Année",
    "Catégorie déclarée",
    "Catégorie de l'appel",
    "Statut",
    "Montant",
    "Compté",
    "Retiré",
    "Description",
]


def budget_explique(lignes: pd.DataFrame, appel: Appel) -> pd.DataFrame:
    """Les lignes de budget d'une demande, chacune avec la catégorie dans les mots de
    l'appel, son statut (admissible, non admissible, admissible jusqu'au plafond, catégorie
    à confirmer), ce qui compte dans le budget admissible et ce qui en est retiré
    (`financement.lignes_expliquees`)."""
    if lignes.empty:
        return pd.DataFrame(columns=COLONNES_BUDGET_EXPLIQUE)
    e = financement.lignes_expliquees(lignes, appel)
    return pd.DataFrame(
        {
            "Année": e["annee"].astype(int),
            "Catégorie déclarée": e["categorie"].fillna(""),
            "Catégorie de l'appel": e["categorie_appel"],
            "Statut": e["genre"],
            "Montant": [formats.montant(int(m)) for m in e["montant"]],
            "Compté": [formats.montant(int(m)) for m in e["montant_admissible"]],
            "Retiré": [formats.montant(int(m)) if m else "" for m in e["montant_retire"]],
            "Description": e["description"].fillna("") if "description" in e else "",
        }
    ).reset_index(drop=True)


def montants_cote_a_cote(valeurs: Mapping, appel: Appel) -> pd.DataFrame:
    """Une ligne par année financée : demandé, retiré (non admissible, catégorie à
    confirmer, excédent du plafond des visas), budget admissible, recommandé. `valeurs` :
    une ligne du classement (`classement.classement`) ou un dictionnaire aux mêmes clés
    (montant_demande_anN, non_admissible_anN, a_confirmer_anN, exces_plafond_anN,
    admissible_anN, recommande_anN)."""
    periodes = appel.financement.annees_financieres()

    def cents(cle: str) -> int | None:
        v = valeurs.get(cle)
        return None if _vide(v) or pd.isna(v) else int(v)

    lignes = []
    for a in range(financement.nombre_annees(appel)):
        n = a + 1
        retires = [cents(f"{c}_an{n}") for c in ("non_admissible", "a_confirmer", "exces_plafond")]
        lignes.append(
            {
                "Année": f"{periodes[a][0].year}-{periodes[a][1].year}",
                "Demandé": formats.montant(cents(f"montant_demande_an{n}") or 0),
                "Non admissible": formats.montant((retires[0] or 0) + (retires[2] or 0)),
                "Catégorie à confirmer": formats.montant(retires[1] or 0),
                "Budget admissible": formats.montant(cents(f"admissible_an{n}")),
                "Recommandé": formats.montant(cents(f"recommande_an{n}")),
            }
        )
    return pd.DataFrame(lignes)


COLONNES_BUDGET_DE_LA_FICHE = ["Année", "Dépense", "Montant", "Compté"]


def budget_de_la_fiche(lignes: pd.DataFrame, appel: Appel) -> pd.DataFrame:
    """Le budget expliqué (`budget_explique`) en quatre colonnes, pour la colonne étroite de
    la fiche de l'évaluateur, où huit colonnes se coupaient (« 11 50 ») : la dépense dit la
    catégorie déclarée, sa description, son statut s'il n'est pas simplement « admissible »
    et la catégorie de l'appel quand elle diffère ; le retiré est l'écart entre Montant et
    Compté."""
    if lignes.empty:
        return pd.DataFrame(columns=COLONNES_BUDGET_DE_LA_FICHE)
    e = budget_explique(lignes, appel)

    def depense(declaree: str, de_l_appel: str, description: str, statut: str) -> str:
        texte = declaree or de_l_appel or "Sans catégorie"
        if description:
            texte += f" : {description}"
        if statut != "admissible":
            texte += f" — {statut}"
        if de_l_appel and de_l_appel != declaree:
            texte += f" (catégorie de l'appel : {de_l_appel})"
        return texte

    return pd.DataFrame(
        {
            "Année": e["Année"],
            "Dépense": [
                depense(str(d).strip(), str(a).strip(), str(x).strip(), s)
                for d, a, x, s in zip(
                    e["Catégorie déclarée"],
                    e["Catégorie de l'appel"],
                    e["Description"],
                    e["Statut"],
                    strict=True,
                )
            ],
            "Montant": e["Montant"],
            "Compté": e["Compté"],
        }
    )
