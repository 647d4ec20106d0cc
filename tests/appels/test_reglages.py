"""La source de chaque réglage : les fichiers livrés sont marqués de bout en bout, chaque
citation est une phrase du texte de l'appel, une source mal écrite est une erreur nommée, une
confirmation ne vaut que pour la valeur confirmée."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest

from evaluation.appels import reglages
from evaluation.appels.configuration import (
    APPEL_PAR_DEFAUT,
    ErreurAppel,
    appel_depuis_toml,
    appels_fournis,
    charger_appel,
)
from evaluation.appels.edition import DOSSIER_MODELES, sections, vers_toml
from tests.conftest import DONNEES

TOML = APPEL_PAR_DEFAUT.read_text(encoding="utf-8")
# Le texte de l'appel 2023-2024 tel que publié (la source de chaque règle).
TEXTE_APPEL = (DONNEES / "appel-paivmq-2023-2024.txt").read_text(encoding="utf-8")
LIVRES = [*appels_fournis(), *sorted(DOSSIER_MODELES.glob("*.toml"))]


def _sans_blancs(texte: str) -> str:
    return re.sub(r"\s+", " ", texte).strip()


@pytest.mark.parametrize("chemin", LIVRES, ids=lambda c: Path(c).name)
def test_fichiers_livres_marques_de_bout_en_bout(chemin):
    """Un fichier livré qui laisse un réglage sans source est une erreur (un fichier d'un
    utilisateur : un avertissement sur la page Paramètres)."""
    appel = charger_appel(chemin)
    assert reglages.sans_source(appel) == []
    assert {r.chemin for r in appel.reglages} == {s.chemin for s in appel.sources}


# (chemin, source attendue) : ce que le texte de l'appel fixe, ce qu'il laisse au comité,
# ce qu'il laisse ambigu.
ATTENDUES = [
    # « La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par année
    # dans le cas d'une initiative portée par une seule ville. »
    ("financement.plafond_annuel", "appel"),
    # « porte sur une ou deux années financières »
    ("financement.nombre_annees_max", "appel"),
    # « (jusqu'à concurrence de 500 $) »
    ("depenses.plafond_visas", "appel"),
    # « Les dépenses admissibles sont les suivantes : » et « Les dépenses non admissibles
    # sont les suivantes : », chaque liste citée en entier.
    ("depenses.admissibles", "appel"),
    ("depenses.non_admissibles", "appel"),
    # « une ou deux années financières débutant le 1er avril 2024 et se terminant le 31 mars
    # 2025 » : deux années ne tiennent pas entre ces dates.
    ("financement.premiere_annee_debut", "interpretation"),
    # « L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : fin de l'appel lue
    # comme date limite de dépôt.
    ("appel.date_limite", "interpretation"),
    # Issue 18 : « La pertinence du projet et de ses objectifs ainsi que les retombées
    # escomptées » : l'appel nomme ce que le critère juge, pas un formulaire ; les champs
    # qu'il lit sont une lecture.
    ("criteres.pertinence.champs", "interpretation"),
    ("criteres.visibilite.champs", "interpretation"),
    # Rien dans l'appel : poids, échelle, seuil, départage, ligne, objectif de la meilleure
    # sélection, enveloppe, cibles.
    ("criteres.pertinence.poids", "comite"),
    ("criteres.visibilite.poids", "comite"),
    ("evaluation.seuil_global", "comite"),
    ("evaluation.echelle_min", "comite"),
    ("evaluation.echelle_max", "comite"),
    ("evaluation.pas", "comite"),
    ("evaluation.agregation", "comite"),
    ("evaluation.ecart_critere_a_discuter", "comite"),
    ("evaluation.ecart_total_a_discuter", "comite"),
    ("classement.departage", "comite"),
    ("classement.mode_ligne", "comite"),
    # « conserve cependant la responsabilité de la sélection définitive des projets » : aucune
    # méthode de sélection dans l'appel.
    ("classement.objectif_selection", "comite"),
    # Issue 16 : l'appel ne fixe aucun quorum du comité.
    ("comite.quorum", "comite"),
    # Issue 16 : l'appel ne prévoit aucun tirage au sort (modèle : le FNS, pas une source).
    ("comite.tirage_zone_grise", "comite"),
    ("financement.enveloppe", "comite"),
    ("cibles", "comite"),
]


@pytest.mark.parametrize(("chemin", "source"), ATTENDUES)
def test_source_de_chaque_reglage_de_l_appel_livre(appel, chemin, source):
    """Chaque réglage que l'appel 2023-2024 fixe cite sa phrase ; les autres sont du comité ou
    une interprétation qui dit sa lecture."""
    r = next(r for r in appel.reglages if r.chemin == chemin)
    assert r.source is not None and r.source.source == source
    assert r.a_confirmer is (source != "appel")
    if source == "interpretation":
        assert r.source.lecture


@pytest.mark.parametrize(
    "source", [s for s in charger_appel().sources if s.citation], ids=lambda s: s.chemin
)
def test_chaque_citation_est_une_phrase_de_l_appel(source):
    """Une citation est copiée du texte de l'appel, mot pour mot."""
    assert _sans_blancs(source.citation) in _sans_blancs(TEXTE_APPEL)


def test_objectif_de_la_selection_choix_du_comite(appel):
    """L'appel ne fixe aucune méthode de sélection : le ministère « conserve cependant la
    responsabilité de la sélection définitive des projets ». La note le cite, mot pour mot."""
    r = next(r for r in appel.reglages if r.chemin == "classement.objectif_selection")
    assert (r.valeur, r.libelle, r.source.source) == (
        "classement",
        "Objectif de la meilleure sélection",
        "comite",
    )
    phrase = "conserve cependant la responsabilité de la sélection définitive des projets"
    assert f"« {phrase} »" in r.source.note
    assert phrase in _sans_blancs(TEXTE_APPEL)


def test_lecture_des_annees_financieres(appel):
    """« une ou deux années financières débutant le 1er avril 2024 et se terminant le 31 mars
    2025 » : la lecture retenue (première année du 1er avril 2024 au 31 mars 2025, une
    seconde du 1er avril 2025 au 31 mars 2026) est dite, et c'est celle que le calcul
    applique."""
    r = next(r for r in appel.reglages if r.chemin == "financement.premiere_annee_debut")
    assert "31 mars 2026" in r.source.lecture
    (d1, f1), (d2, f2) = appel.financement.annees_financieres()
    assert (d1.isoformat(), f1.isoformat()) == ("2024-04-01", "2025-03-31")
    assert (d2.isoformat(), f2.isoformat()) == ("2025-04-01", "2026-03-31")


def _avec_sources(lignes: str) -> str:
    """Le TOML livré dont la table [sources] est remplacée par `lignes`."""
    return TOML[: TOML.index("[sources]")] + "[sources]\n" + lignes + "\n"


@pytest.mark.parametrize(
    ("lignes", "message"),
    [
        pytest.param(
            '"evaluation.seuil" = { source = "comite" }',
            "« evaluation.seuil » : ce n'est pas un réglage",
            id="chemin-inconnu",
        ),
        pytest.param(
            '"evaluation.seuil_globl" = { source = "comite" }',
            "vouliez-vous dire « evaluation.seuil_global »",
            id="faute-de-frappe",
        ),
        pytest.param(
            '"criteres.budget.poids" = { source = "comite" }',
            "aucun critère « budget »",
            id="critere-inconnu",
        ),
        pytest.param(
            '"evaluation.seuil_global" = { source = "ministere" }',
            "source « ministere » inconnue",
            id="source-inconnue",
        ),
        pytest.param(
            '"evaluation.seuil_global" = { source = "appel" }',
            "cite sa phrase",
            id="appel-sans-citation",
        ),
        pytest.param(
            '"evaluation.seuil_global" = { source = "interpretation", citation = "x" }',
            "lecture retenue",
            id="interpretation-sans-lecture",
        ),
        pytest.param(
            '"evaluation.seuil_global" = { source = "comite", raison = "x" }',
            "clé inconnue « raison »",
            id="cle-inconnue",
        ),
        pytest.param(
            '"evaluation.seuil_global" = "comite"',
            "une table",
            id="pas-une-table",
        ),
        pytest.param(
            '"evaluation.seuil_global" = { source = 3 }',
            "sont des textes",
            id="source-nombre",
        ),
        pytest.param(
            '"evaluation.seuil_global" = { source = "comite" }\n'
            'evaluation.seuil_global = { source = "comite" }',
            "deux fois",
            id="en-double",
        ),
    ],
)
def test_source_mal_ecrite_nommee(lignes, message):
    with pytest.raises(ErreurAppel) as refus:
        appel_depuis_toml(_avec_sources(lignes), "appel.toml")
    assert message in str(refus.value)


def test_cles_pointees_ou_entre_guillemets():
    """« evaluation.seuil_global = {…} » (clés pointées) et « "evaluation.seuil_global" =
    {…} » nomment le même réglage."""
    for ligne in (
        'evaluation.seuil_global = { source = "comite" }',
        '"evaluation.seuil_global" = { source = "comite" }',
    ):
        appel = appel_depuis_toml(_avec_sources(ligne))
        assert [s.chemin for s in appel.sources] == ["evaluation.seuil_global"]


def test_fichier_sans_sources_valide_mais_signale():
    """Un fichier d'utilisateur sans [sources] se charge ; chaque réglage est signalé."""
    appel = appel_depuis_toml(TOML[: TOML.index("# La source de chaque réglage")])
    manquants = {r.chemin for r in reglages.sans_source(appel)}
    assert "evaluation.seuil_global" in manquants
    assert "criteres.pertinence.poids" in manquants
    assert len(manquants) == len(appel.reglages)


def test_reglage_absent_non_liste(appel):
    """Un minimum que le critère n'a pas, une date limite absente : rien à sourcer."""
    assert not any(r.chemin.endswith(".minimum") for r in appel.reglages)
    # Issue 18 : un critère qui ne lit aucun champ du formulaire n'a pas de « champs ».
    assert "criteres.coherence.champs" not in {r.chemin for r in appel.reglages}
    sans_date = TOML.replace("date_limite = 2024-03-01\n", "").replace(
        TOML[TOML.index('"appel.date_limite"') :].split("\n")[0] + "\n", ""
    )
    assert "appel.date_limite" not in {r.chemin for r in appel_depuis_toml(sans_date).reglages}


@pytest.mark.parametrize(
    ("avant", "apres", "reconfirmer"),
    [
        pytest.param("seuil_global = 60.0", "seuil_global = 65.0", True, id="valeur-changee"),
        pytest.param("seuil_global = 60.0", "seuil_global = 60", False, id="meme-valeur"),
        pytest.param(
            '"evaluation.seuil_global" = { source = "comite", note = "L\'appel ne fixe aucun '
            'seuil." }',
            '"evaluation.seuil_global" = { source = "comite", note = "Autre note." }',
            False,
            id="note-changee",
        ),
        pytest.param(
            '"evaluation.seuil_global" = { source = "comite", note = "L\'appel ne fixe aucun '
            'seuil." }',
            '"evaluation.seuil_global" = { source = "interpretation", lecture = "x" }',
            True,
            id="source-changee",
        ),
    ],
)
def test_une_confirmation_vaut_pour_une_valeur(appel, avant, apres, reconfirmer):
    """Confirmé, un réglage redevient « non confirmé » quand sa valeur, sa source ou sa
    lecture change ; une note reformulée ou 60 écrit 60.0 ne le touchent pas."""
    seuil = next(r for r in appel.reglages if r.chemin == "evaluation.seuil_global")
    confirmations = {seuil.chemin: {"empreinte": seuil.empreinte}}
    assert seuil not in reglages.non_confirmes(appel, confirmations)
    assert avant in TOML
    change = appel_depuis_toml(TOML.replace(avant, apres, 1))
    restants = {r.chemin for r in reglages.non_confirmes(change, confirmations)}
    assert ("evaluation.seuil_global" in restants) is reconfirmer


def test_reglages_de_l_appel_jamais_a_confirmer(appel):
    non_confirmes = {r.chemin for r in reglages.non_confirmes(appel, {})}
    assert "financement.plafond_annuel" not in non_confirmes
    assert {"financement.premiere_annee_debut", "evaluation.seuil_global"} <= non_confirmes


def test_ajouter_un_reglage_est_une_ligne(monkeypatch, appel):
    """Un réglage ajouté à REGLAGES_SOURCES est aussitôt exigé, et permis dans [sources]."""
    monkeypatch.setattr(
        reglages,
        "REGLAGES_SOURCES",
        (*reglages.REGLAGES_SOURCES, ("appel.nom_court", "Nom court")),
    )
    relu = appel_depuis_toml(TOML)
    assert [r.chemin for r in reglages.sans_source(relu)] == ["appel.nom_court"]
    marque = appel_depuis_toml(TOML + '"appel.nom_court" = { source = "comite" }\n')
    assert reglages.sans_source(marque) == []


def test_page_retire_la_source_d_un_critere_retire(appel):
    """Un critère retiré dans la page emporte la source de son poids (vers_toml)."""
    d = sections(appel)
    d["criteres"] = [c for c in d["criteres"] if c["id"] != "visibilite"]
    d["criteres"][0]["poids"] += 10
    relu = appel_depuis_toml(vers_toml(d))
    assert "criteres.visibilite.poids" not in {s.chemin for s in relu.sources}
    assert reglages.sans_source(relu) == []


def test_aller_retour_toml_garde_les_sources(appel):
    relu = appel_depuis_toml(vers_toml(sections(appel)))
    assert relu == appel
    assert [r.empreinte for r in relu.reglages] == [r.empreinte for r in appel.reglages]


@pytest.mark.parametrize(
    ("soumises", "raison", "confirme", "refus"),
    [
        (0, "", False, ""),
        (1, "", True, "raison écrite"),
        (3, "  ", True, "raison écrite"),
        (1, "Erreur de saisie", False, "confirmation"),
        (1, "Erreur de saisie", True, ""),
    ],
)
def test_refus_changement_poids(soumises, raison, confirme, refus):
    """Les poids sont fixés avant la notation (règle de procédure, non de l'appel)."""
    texte = reglages.refus_changement_poids(soumises, raison, confirme)
    assert (refus in texte) if refus else texte == ""


def test_valeur_par_defaut_sourcee():
    """Un réglage absent du TOML prend la valeur que le programme applique (départage par
    défaut) : c'est elle qu'on source et confirme."""
    sans = re.sub(r"\ndepartage = \[[^\]]*\]\n", "\n", TOML)
    assert sans != TOML
    appel = appel_depuis_toml(sans)
    r = next(r for r in appel.reglages if r.chemin == "classement.departage")
    assert r.valeur == list(appel.departage)
    assert replace(r, valeur=["x"]).empreinte != r.empreinte


# --- Catégories de dépenses, changements, réglages « appel » modifiés ------------------------


@pytest.mark.parametrize(
    ("chemin", "present", "absent"),
    [
        # « Les dépenses admissibles sont les suivantes : […] Frais de délivrance de visas […]
        # (jusqu'à concurrence de 500 $) »
        ("depenses.admissibles", "visas (plafonnée)", "equipements"),
        # « Les dépenses non admissibles sont les suivantes : […] Coûts d'acquisition
        # d'équipements pérennes »
        ("depenses.non_admissibles", "equipements", "visas (plafonnée)"),
    ],
)
def test_categories_de_depenses_sourcees_par_l_appel(appel, chemin, present, absent):
    """Les deux listes de catégories sont des réglages tirés du texte de l'appel : leur valeur
    est la liste triée des identifiants, la catégorie plafonnée dite telle."""
    r = next(r for r in appel.reglages if r.chemin == chemin)
    assert r.source.source == "appel" and not r.a_confirmer
    ids = [v.split(" : ")[0] for v in r.valeur]
    assert present in ids and absent not in ids
    assert r.valeur == sorted(r.valeur)


def test_deplacer_un_autre_nom_change_la_liste(appel):
    """« Coûts d'acquisition d'équipements pérennes » ne sont pas admissibles : faire
    reconnaître « Équipements » comme de la logistique changerait les montants des demandes
    importées ensuite ; la liste change donc, comme si la catégorie elle-même bougeait."""
    d = sections(appel)
    for t in d["depenses"]["non_admissibles"]:
        if t["id"] == "equipements":
            t["alias"] = [a for a in t.get("alias", []) if a != "Équipements"]
    for t in d["depenses"]["admissibles"]:
        if t["id"] == "logistique":
            t["alias"] = [*t.get("alias", []), "Équipements"]
    change = appel_depuis_toml(vers_toml(d))
    chemins = {c.chemin for c in reglages.changements(appel, change)}
    assert chemins == {"depenses.admissibles", "depenses.non_admissibles"}


def _change(modifier):
    appel = charger_appel()
    d = sections(appel)
    modifier(d)
    return appel, appel_depuis_toml(vers_toml(d))


def _non_admissible(d):
    d["depenses"]["non_admissibles"] = [
        t for t in d["depenses"]["non_admissibles"] if t["id"] != "equipements"
    ]


def _libelle_seul(d):
    d["depenses"]["admissibles"][0]["libelle"] = "Autre libellé"


def _source(d):
    d["sources"]["evaluation.seuil_global"] = {"source": "interpretation", "lecture": "x"}


@pytest.mark.parametrize(
    ("modifier", "textes"),
    [
        pytest.param(
            lambda d: d["financement"].update(plafond_annuel=40000),
            ["Plafond annuel : 25000 → 40000"],
            id="plafond",
        ),
        pytest.param(
            _non_admissible,
            [
                "Catégories de dépenses non admissibles : retiré : equipements : Achat "
                "d'équipement ; Acquisition d'équipements ; Équipement pérenne ; Équipements"
            ],
            id="categorie-retiree",
        ),
        pytest.param(_libelle_seul, [], id="libelle-ne-change-aucun-montant"),
        pytest.param(
            _source,
            ["Seuil global (sur 100) : 60 (réglage du comité) → 60 (interprétation)"],
            id="source-changee",
        ),
        pytest.param(
            lambda d: d["criteres"][0].update(poids=20) or d["criteres"][1].update(poids=25),
            [
                "Poids : Pertinence et retombées : 25 → 20",
                "Poids : Cohérence avec les priorités du ministère : 20 → 25",
            ],
            id="poids",
        ),
    ],
)
def test_changements_nommes(modifier, textes):
    """Ce qui change d'une configuration à l'autre, réglage par réglage (libellé : avant →
    après) ; le libellé ou les autres noms d'une catégorie ne changent aucun montant."""
    ancien, nouveau = _change(modifier)
    assert [c.texte for c in reglages.changements(ancien, nouveau)] == textes


@pytest.mark.parametrize(
    ("soumises", "raison", "confirme", "refus"),
    [
        (0, "", False, ""),
        (1, "", True, "raison écrite"),
        (2, "  ", True, "raison écrite"),
        (1, "Erreur de saisie", False, "confirmation explicite"),
        (1, "Erreur de saisie", True, ""),
    ],
)
def test_refus_changement_reglages(soumises, raison, confirme, refus):
    """Les réglages sourcés sont fixés avant la notation (règle de procédure) : le refus nomme
    chaque réglage changé."""
    ancien, nouveau = _change(lambda d: d["financement"].update(plafond_annuel=40000))
    changes = reglages.changements(ancien, nouveau)
    texte = reglages.refus_changement_reglages(soumises, changes, raison, confirme)
    assert (refus in texte and "Plafond annuel : 25000 → 40000" in texte) if refus else not texte
    assert reglages.refus_changement_reglages(soumises, [], raison, confirme) == ""


CITE = {"auteur": reglages.VALEUR_CITEE, "date": dt.datetime(2024, 5, 1)}
ADMIN_CONF = {"auteur": "admin@x.ca", "date": dt.datetime(2024, 5, 2)}


@pytest.mark.parametrize(
    ("plafond", "confirmation", "a_confirmer", "etat"),
    [
        # « ne pourra pas excéder 25 000 $ par année » : la valeur citée, rien à confirmer.
        (25000, None, False, "fixé par l'appel"),
        (25000, ("cite", 25000), False, "fixé par l'appel"),
        # Changée après la déclaration de sa source : à confirmer.
        (40000, ("cite", 25000), True, "modifié : à confirmer"),
        # Confirmée par l'administration dans sa nouvelle valeur.
        (40000, ("admin", 40000), False, "modifié, confirmé le 2024-05-02 par admin@x.ca"),
        # Changée encore après la confirmation : de nouveau à confirmer.
        (30000, ("admin", 40000), True, "modifié : à confirmer"),
    ],
)
def test_reglage_de_l_appel_modifie_a_confirmer(plafond, confirmation, a_confirmer, etat):
    """Un réglage « appel » dont une sauvegarde change la valeur n'a plus sa citation pour
    lui : il est à confirmer (bandeau) jusqu'à ce que l'administration confirme la valeur."""
    _, appel = _change(lambda d: d["financement"].update(plafond_annuel=plafond))
    confirmations = {}
    if confirmation:
        qui, valeur = confirmation
        _, vise = _change(lambda d: d["financement"].update(plafond_annuel=valeur))
        r = next(r for r in vise.reglages if r.chemin == "financement.plafond_annuel")
        confirmations["financement.plafond_annuel"] = {
            **(CITE if qui == "cite" else ADMIN_CONF),
            "empreinte": r.empreinte,
        }
    r = next(r for r in appel.reglages if r.chemin == "financement.plafond_annuel")
    restants = {x.chemin for x in reglages.non_confirmes(appel, confirmations)}
    assert ("financement.plafond_annuel" in restants) is a_confirmer
    assert reglages.etat_confirmation(r, confirmations, lambda d: f"{d:%Y-%m-%d}") == etat
    if a_confirmer:
        assert reglages.description_bandeau(r) == (
            f"Plafond annuel = {plafond} (texte de l'appel, modifié : à confirmer)"
        )
