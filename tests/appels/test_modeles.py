"""Les modèles livrés (donnees/modeles/) disent ce que leur texte dit, et marquent le reste.

Chaque citation (source d'un réglage, condition d'admissibilité) se retrouve mot pour mot,
aux espaces près, dans le texte de référence du programme ; une citation donnée pour ce que
l'appel dit (réglage « appel », condition qui ne se dit pas interprétation) vient de la
section du texte propre au programme (la section QSF du dépliant, les deux avis du FFQCD sur
la page du Sénat), le reste est une interprétation qui dit sa lecture ; les libellés des
dimensions sont ceux que le texte énumère ; date limite, type de demandeur et financement
paritaire suivent le texte ; ce que le texte ne dit pas est « à fixer par le programme »
(réglage du comité ou interprétation), jamais repris en silence du PAIVMQ (ses listes de
dépenses, son « Plan stratégique 2023-2027 »).

Textes de référence (copiés dans tests/donnees/) : la page du Sénat sur l'action extérieure
des collectivités territoriales, où se trouvent les avis du FFQCD 2021-2022, et le dépliant
« Le Québec et la solidarité internationale », où se trouve Québec sans frontières.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import replace

import pytest

from evaluation.appels.configuration import Condition, charger_appel
from evaluation.appels.edition import DOSSIER_MODELES
from evaluation.depot.valeurs import ValeurIllisible, Vocabulaire
from evaluation.socle.texte import normaliser
from tests.conftest import DONNEES

FFQCD = charger_appel(DOSSIER_MODELES / "ffqcd-2021-2022.toml")
QSF = charger_appel(DOSSIER_MODELES / "qsf-modele.toml")
PAIVMQ = charger_appel()
TEXTE_SENAT = (DONNEES / "reference-senat-cooperation-decentralisee.txt").read_text(
    encoding="utf-8"
)
TEXTE_QSF = (DONNEES / "reference-quebec-solidarite-internationale.txt").read_text(encoding="utf-8")
MODELES = [(FFQCD, TEXTE_SENAT), (QSF, TEXTE_QSF)]
A_FIXER = "à fixer par le programme"


def _sans_blancs(texte: str) -> str:
    return re.sub(r"\s+", " ", texte).strip()


def _passage(texte: str, debut: str, fin: str) -> str:
    """Le passage du texte (espaces réduits) qui commence à `debut` et s'arrête avant `fin`."""
    texte = _sans_blancs(texte)
    i = texte.index(debut) + len(debut)
    return texte[i : texte.index(fin, i)]


# La section « Québec sans frontières (QSF) » du dépliant, de son titre à l'adresse du site qui
# la clôt. Avant elle : « Notre approche » (la solidarité internationale du Québec en général),
# « Action humanitaire », « Projets multiacteurs » ; après : « Retombées » et « Nos
# partenaires », communs à tous les programmes.
SECTION_QSF = _passage(TEXTE_QSF, "Québec sans frontières (QSF)", "Québec.ca/gouvernement")
# Les deux avis du FFQCD 2021-2022 sur la page du Sénat (les autres parlent d'autres appels,
# ou de tous les appels bilatéraux de la DAECT).
AVIS_FFQCD = (
    _passage(
        TEXTE_SENAT,
        "Lancement de l'appel à projets du Fonds franco-québécois",
        "Consulter l'appel à projets",
    ),
    _passage(TEXTE_SENAT, "Clôture de la Semaine du Québec", "En savoir plus"),
)
SECTIONS = [(QSF, (SECTION_QSF,)), (FFQCD, AVIS_FFQCD)]


def _citations_appel(appel):
    """Les phrases que le modèle donne pour ce que l'appel dit : la citation d'un réglage
    « appel », celle d'une condition qui ne se dit pas interprétation."""
    for s in appel.sources:
        if s.source == "appel" and s.citation:
            yield f"[sources] {s.chemin}", s.citation
    for c in appel.conditions:
        if not c.interpretation and c.citation:
            yield f"condition {c.id}", c.citation


def _hors_section(appel, sections) -> list[str]:
    """Les citations « appel » qui ne viennent pas des sections du programme."""
    return [
        ou
        for ou, citation in _citations_appel(appel)
        if not any(_sans_blancs(citation) in section for section in sections)
    ]


def _citations():
    for appel, texte in MODELES:
        for s in appel.sources:
            if s.citation:
                yield pytest.param(s.citation, texte, id=f"{appel.id}:{s.chemin}")
        for c in appel.conditions:
            if c.citation:
                yield pytest.param(c.citation, texte, id=f"{appel.id}:condition:{c.id}")


@pytest.mark.parametrize(("citation", "texte"), list(_citations()))
def test_chaque_citation_est_du_texte_mot_pour_mot(citation, texte):
    """Une citation, qu'elle fonde un réglage « appel », une interprétation, un critère du
    comité ou une condition d'admissibilité, est copiée du texte du programme."""
    assert _sans_blancs(citation) in _sans_blancs(texte)


def test_les_deux_modeles_citent_leur_texte():
    """Chaque modèle cite son texte (pas seulement des réglages du comité), chaque condition
    d'admissibilité porte sa phrase, et une condition interprétée dit sa lecture."""
    for appel, _ in MODELES:
        assert sum(bool(s.citation) for s in appel.sources) >= 5
        assert all(c.citation for c in appel.conditions)
        assert all(c.lecture for c in appel.conditions if c.interpretation)


@pytest.mark.parametrize(("appel", "sections"), SECTIONS, ids=["qsf", "ffqcd"])
def test_une_citation_appel_vient_de_la_section_du_programme(appel, sections):
    """Ce que le modèle donne pour une phrase de l'appel vient de la section propre au
    programme, pas d'un passage général du même texte (« Notre approche », « Retombées »,
    les appels bilatéraux de la DAECT en général)."""
    assert _hors_section(appel, sections) == []


def test_la_verification_de_section_attrape_une_phrase_generale():
    """La vérification n'est pas vide : les conditions du QSF redonnées pour citations de
    l'appel (comme avant la revue) sont hors de la section QSF, sauf si leur phrase en vient ;
    une phrase de la section QSF, donnée pour l'appel, passe."""
    anciennes = replace(
        QSF, conditions=tuple(replace(c, source="appel", lecture=None) for c in QSF.conditions)
    )
    assert _hors_section(anciennes, (SECTION_QSF,)) == [
        "condition oci-mission",
        "condition oci-quebecois",
        "condition partenaire-pays-vulnerable",
    ]
    phrase = (
        "Soutien aux projets ponctuels : vise à répondre à des besoins spécifiques ou à "
        "développer une collaboration avec un partenaire."
    )
    assert phrase in SECTION_QSF and phrase in _sans_blancs(TEXTE_QSF)
    dans_la_section = replace(
        QSF, conditions=(Condition("ponctuel", "Projet ponctuel", citation=phrase),)
    )
    assert list(_citations_appel(dans_la_section)) == [("condition ponctuel", phrase)]
    assert _hors_section(dans_la_section, (SECTION_QSF,)) == []


@pytest.mark.parametrize("appel", [appel for appel, _ in MODELES], ids=["ffqcd", "qsf"])
def test_ce_que_le_texte_ne_dit_pas_est_a_fixer(appel):
    """Le texte ne fixe ni poids, ni seuil, ni plafond, ni enveloppe : chacun de ces réglages
    est du comité (ou une interprétation) et le dit « à fixer par le programme »."""
    for r in appel.reglages:
        if r.chemin.endswith(".poids") or r.chemin in (
            "evaluation.seuil_global",
            "financement.plafond_annuel",
            "financement.enveloppe",
        ):
            assert r.source.source in ("comite", "interpretation"), r.chemin
            assert A_FIXER in r.source.note, r.chemin
    assert A_FIXER in appel.description.lower()
    assert "point de départ à adapter" in appel.description


@pytest.mark.parametrize(("appel", "texte"), MODELES, ids=["ffqcd", "qsf"])
def test_rien_du_paivmq_sans_le_dire(appel, texte):
    """Ni les listes de dépenses du PAIVMQ, ni son « Plan stratégique 2023-2027 », ni ses
    critères ne passent dans un modèle ; l'appel 2023-2024 n'est pas nommé comme source. (Les
    autres noms d'une catégorie peuvent se recouper : « Salaires », exclu du PAIVMQ, est
    admissible pour QSF.)"""
    noms_paivmq = {normaliser(n) for c in PAIVMQ.categories for n in (c.id, c.libelle)}
    noms = {normaliser(n) for c in appel.categories for n in (c.id, c.libelle)}
    assert noms.isdisjoint(noms_paivmq)
    configuration = str(tomllib.loads(appel.source_toml))  # sans les commentaires
    assert "Plan stratégique" not in configuration
    assert {c.id for c in appel.criteres}.isdisjoint({c.id for c in PAIVMQ.criteres})
    assert "PAIVMQ" not in configuration
    assert "Plan stratégique" not in texte  # le texte du programme n'en parle pas non plus


# --- FFQCD 2021-2022 ------------------------------------------------------------------------


def test_ffqcd_date_limite_la_plus_recente_du_texte():
    """Le lancement annonce « La date limite pour le dépôt d'un projet est le 15 janvier
    2021. » ; l'avis du 15 décembre 2020 dit que l'appel « se clôturera le 29 janvier 2021 ».
    La plus récente est retenue, en interprétation qui cite l'une et nomme l'autre."""
    texte = _sans_blancs(TEXTE_SENAT)
    assert "La date limite pour le dépôt d’un projet est le 15 janvier 2021." in texte
    assert "qui se clôturera le 29 janvier 2021." in texte
    assert FFQCD.date_limite == dt.date(2021, 1, 29)
    r = next(r for r in FFQCD.reglages if r.chemin == "appel.date_limite")
    assert r.source.source == "interpretation"
    assert "29 janvier 2021" in r.source.citation and "15 janvier 2021" in r.source.lecture
    (depot,) = [c for c in FFQCD.conditions if c.id == "depot-a-temps"]
    assert (depot.champ, depot.attendu) == ("date_depot", "à temps")
    assert "29 janvier 2021" in depot.libelle and "29 janvier 2021" in depot.citation
    # La condition ne montre pas le 29 janvier comme la date de l'appel : elle est une
    # interprétation qui nomme l'autre date, dans son libellé et sa lecture.
    assert depot.interpretation
    assert "15 janvier 2021" in depot.libelle and "15 janvier 2021" in depot.lecture


def test_ffqcd_themes_du_texte_sans_axes_ni_secteurs():
    """Les cinq thèmes, dans l'ordre et les mots du texte, forment la dimension « theme » :
    au moins un par demande, plusieurs permis (le texte n'en limite pas le nombre)."""
    liste = _passage(
        TEXTE_SENAT,
        "Les thèmes pour l’appel à projets de la biennie 2021-2022 du FFQCD sont :",
        "La date limite",
    )
    themes = [t.strip(" ,") for t in liste.split("•") if t.strip()]
    assert len(themes) == 5
    (theme,) = FFQCD.dimensions
    assert (theme.id, theme.multiple, theme.obligatoire) == ("theme", True, True)
    assert [normaliser(v.libelle) for v in theme.valeurs] == [normaliser(t) for t in themes]
    assert FFQCD.axes == () and FFQCD.secteurs == ()
    assert [c.dimension for c in FFQCD.cibles] == ["theme"]


def test_ffqcd_demandeur_collectivite_quebecoise_et_partenaire_francais():
    """Le demandeur est la collectivité québécoise (entité municipale, pré-remplie d'après le
    répertoire) ; la collectivité territoriale française partenaire est une condition jugée
    sans données (aucun champ ne la porte) que l'analyste coche. Le texte ne pose ni l'une ni
    l'autre en ces mots : deux interprétations, appuyées sur la phrase qui dit ce qu'est le
    FFQCD, et non sur la phrase générale des appels bilatéraux de la DAECT ni sur la
    « Semaine du Québec » (promotion, aucune condition). Le texte ne parle pas de
    co-demandeur : le libellé non plus."""
    assert FFQCD.type_demandeur == "entite_municipale" and not FFQCD.demandeur_organisme
    creation = "Le FFQCD a été créé en 2005"
    conditions = {c.id: c for c in FFQCD.conditions}
    francais = conditions["partenaire-francais"]
    assert (francais.champ, francais.attendu) == (None, None)
    assert francais.interpretation
    assert "collectivité territoriale française" in francais.libelle
    assert "co-demandeur" not in _sans_blancs(TEXTE_SENAT)
    assert "co-demandeur" not in francais.libelle
    assert francais.citation.startswith(creation)
    quebecoise = conditions["collectivite-quebecoise"]
    assert (quebecoise.champ, quebecoise.attendu) == ("municipalite", "entité municipale")
    assert quebecoise.interpretation and quebecoise.citation.startswith(creation)
    r = next(r for r in FFQCD.reglages if r.chemin == "demandeur.type")
    assert r.source.source == "interpretation" and r.source.citation.startswith(creation)
    citations = [s.citation for s in FFQCD.sources] + [c.citation for c in FFQCD.conditions]
    for generale in ("Les appels à projets bilatéraux", "« Semaine du Québec » visait"):
        assert generale in _sans_blancs(TEXTE_SENAT)
        assert not any(generale in (c or "") for c in citations), generale


def test_ffqcd_retombees_de_la_biennie_precedente():
    """La phrase des domaines décrit les projets de la biennie 2019-2020 : le critère des
    retombées en est une interprétation, qui le dit (source du poids et description)."""
    r = next(r for r in FFQCD.reglages if r.chemin == "criteres.retombees.poids")
    assert r.source.source == "interpretation"
    assert "dernière biennie (2019-2020)" in r.source.citation
    assert "biennie précédente" in r.source.lecture
    assert A_FIXER in r.source.note
    (retombees,) = [c for c in FFQCD.criteres if c.id == "retombees"]
    assert "Interprétation" in retombees.description
    assert "biennie précédente" in retombees.description


def test_ffqcd_parite_la_part_quebecoise_seule():
    """« Géré à parité par le MEAE et le MRIF » : le tableau de bord compte la part
    québécoise seule ; l'interprétation le dit, sur l'enveloppe et dans la description."""
    r = next(r for r in FFQCD.reglages if r.chemin == "financement.enveloppe")
    assert r.source.source == "interpretation"
    assert "Géré à parité par le MEAE et le MRIF" in r.source.citation
    assert "part québécoise" in r.source.lecture and "part française" in r.source.lecture
    assert "parité" in FFQCD.description and "part québécoise" in FFQCD.description
    assert FFQCD.financement.bonification_conjoint_max == 0


def test_ffqcd_biennie_deux_annees_financieres():
    """« pour la biennie 2021-2022 » : deux années financières du Québec, la première du
    1er avril 2021 au 31 mars 2022 (interprétation : le texte ne date pas les années)."""
    assert [(d.isoformat(), f.isoformat()) for d, f in FFQCD.financement.annees_financieres()] == [
        ("2021-04-01", "2022-03-31"),
        ("2022-04-01", "2023-03-31"),
    ]
    sources = {s.chemin: s for s in FFQCD.sources}
    for chemin in ("financement.nombre_annees_max", "financement.premiere_annee_debut"):
        assert sources[chemin].source == "interpretation"
        assert "biennie 2021-2022" in sources[chemin].citation


def test_ffqcd_depenses_a_fixer():
    """Le texte ne dresse aucune liste de dépenses : une catégorie unique, dite « à fixer par
    le programme », et aucune dépense non admissible ni plafonnée."""
    (categorie,) = FFQCD.categories
    assert categorie.admissible and not categorie.plafonnee
    assert A_FIXER in categorie.libelle
    r = next(r for r in FFQCD.reglages if r.chemin == "depenses.admissibles")
    assert r.source.source == "comite" and A_FIXER in r.source.note


# --- Québec sans frontières -----------------------------------------------------------------


def _liste_numerotee(passage: str) -> list[str]:
    return [t.strip() for t in re.split(r"\d\. ", passage) if t.strip()]


def test_qsf_dimensions_du_texte():
    """Objectifs (quatre), priorités transversales (trois) et types de financement (deux),
    dans l'ordre et les mots du texte ; plusieurs objectifs et priorités par demande, un seul
    type de financement, obligatoire."""
    objectifs = _liste_numerotee(_passage(TEXTE_QSF, "Objectifs :", "Priorités transversales"))
    priorites = _liste_numerotee(
        _passage(TEXTE_QSF, "Priorités transversales :", "Deux types de financement")
    )
    types = re.findall(r"• (Soutien [^:]+?) :", _sans_blancs(TEXTE_QSF))
    assert (len(objectifs), len(priorites), types) == (
        4,
        3,
        ["Soutien à la mission globale", "Soutien aux projets ponctuels"],
    )
    attendues = {
        "objectif": (True, True, objectifs),
        "priorite-transversale": (True, False, priorites),
        "type-financement": (False, True, types),
    }
    assert [d.id for d in QSF.dimensions] == list(attendues)
    for d in QSF.dimensions:
        multiple, obligatoire, libelles = attendues[d.id]
        assert (d.multiple, d.obligatoire) == (multiple, obligatoire), d.id
        assert [normaliser(v.libelle) for v in d.valeurs] == [normaliser(t) for t in libelles]
    assert [c.dimension for c in QSF.cibles] == ["priorite-transversale"]


def test_qsf_demandeur_organisme_sans_axes_ni_secteurs():
    """Le demandeur est un OCI, non une municipalité ; ni axes ni secteurs. La section QSF ne
    nomme pas son demandeur : interprétation, appuyée sur une phrase de la section (« mieux
    adapté aux réalités des OCI »), dont la lecture nomme « Notre approche » pour ce qu'elle
    est, la présentation générale."""
    assert QSF.type_demandeur == "organisme" and QSF.demandeur_organisme
    r = next(r for r in QSF.reglages if r.chemin == "demandeur.type")
    assert r.source.source == "interpretation"
    assert _sans_blancs(r.source.citation) in SECTION_QSF
    assert "réalités des OCI" in r.source.citation
    assert "Notre approche" in r.source.lecture and "présentation générale" in r.source.lecture
    assert QSF.axes == () and QSF.secteurs == ()
    conditions = {c.id: c for c in QSF.conditions}
    assert (conditions["oci-quebecois"].champ, conditions["oci-quebecois"].attendu) == (
        "neq",
        "renseigné",
    )
    for sans_donnees in ("oci-mission", "partenaire-pays-vulnerable"):
        assert conditions[sans_donnees].champ is None
    assert "Municipalité requérante" not in QSF.source_toml


@pytest.mark.parametrize(
    "libelle",
    [
        "Déplacements des volontaires",
        "Billets d'avion des volontaires",
        "Volontariat",
        "Rémunération du personnel",
        "Frais de fonctionnement",
        "Sensibilisation",
    ],
)
def test_qsf_volontariat_et_mission_globale_admissibles(libelle):
    """Le volontariat (et les déplacements des volontaires à l'étranger) est le cœur du
    programme ; la mission globale soutient le fonctionnement de l'OCI : ces lignes de budget
    sont reconnues et admissibles, là où le PAIVMQ les exclut ou les ignore."""
    assert Vocabulaire(QSF).categorie(libelle).admissible


@pytest.mark.parametrize("libelle", ["Déplacement d'élus", "Frais de déplacement des élus"])
def test_qsf_pas_de_deplacement_d_elus(libelle):
    """« Déplacement d'élus » ne veut rien dire pour un OCI : aucune catégorie ne le nomme
    (la ligne serait « à confirmer » par l'analyste, non exclue d'office)."""
    with pytest.raises(ValeurIllisible):
        Vocabulaire(QSF).categorie(libelle)


def test_qsf_aucune_depense_exclue_et_volontaires_a_l_etranger():
    """Le texte n'exclut aucune dépense ; la catégorie du volontariat dit les déplacements des
    volontaires à l'étranger ; la lecture retenue est une interprétation des objectifs."""
    assert [c for c in QSF.categories if not c.admissible] == []
    (volontariat,) = [c for c in QSF.categories if c.id == "volontariat"]
    assert "volontaires" in volontariat.libelle and "à l'étranger" in volontariat.libelle
    r = next(r for r in QSF.reglages if r.chemin == "depenses.admissibles")
    assert r.source.source == "interpretation" and "mission globale" in r.source.lecture


def test_qsf_criteres_de_ce_que_le_texte_valorise():
    """Partenariat d'égal à égal, priorités des populations locales, objectifs de
    développement durable, effet de levier : chacun a un critère dont le poids cite la
    phrase ; sans date limite (le texte n'en donne pas)."""
    citations = {s.chemin: s.citation for s in QSF.sources}
    for critere, phrase in (
        ("partenariat", "partenariat d’égal à égal"),
        ("priorites-locales", "priorités identifiées par et pour les populations locales"),
        ("odd", "objectifs de développement durable"),
        ("levier", "effet de levier pour les OCI"),
    ):
        assert phrase in citations[f"criteres.{critere}.poids"], critere
    assert QSF.date_limite is None
    assert "date limite" in QSF.description.split("À fixer par le programme")[1]


def test_qsf_passages_generaux_en_interpretation():
    """« Notre approche » (toute la solidarité internationale du Québec) et « Retombées »
    (tous les programmes du dépliant) ne sont pas la section QSF : une citation qui en vient
    fonde une interprétation qui nomme le passage, ou un poids du comité dont la note le
    nomme ; jamais un réglage « appel » ni une condition donnée pour une phrase de l'appel."""
    hors_section = 0
    for s in QSF.sources:
        if s.citation and _sans_blancs(s.citation) not in SECTION_QSF:
            hors_section += 1
            assert s.source in ("interpretation", "comite"), s.chemin
            explication = s.lecture if s.source == "interpretation" else s.note
            assert "« Notre approche »" in explication or "« Retombées »" in explication, s.chemin
    for c in QSF.conditions:
        assert _sans_blancs(c.citation) not in SECTION_QSF
        assert c.interpretation and "« Notre approche »" in c.lecture, c.id
    assert hors_section == 5  # partenariat, priorités locales, ODD, retombées, levier


def test_qsf_retombees_et_levier_de_la_section_commune():
    """Retombées et effet de levier viennent de « Retombées », commune à tous les
    programmes : leur poids est une interprétation qui le dit, leur description aussi."""
    sources = {s.chemin: s for s in QSF.sources}
    criteres = {c.id: c for c in QSF.criteres}
    for critere in ("retombees", "levier"):
        source = sources[f"criteres.{critere}.poids"]
        assert source.source == "interpretation", critere
        assert "commune à tous ses programmes" in source.lecture, critere
        assert _sans_blancs(source.citation) not in SECTION_QSF, critere
        assert A_FIXER in source.note, critere
        assert "Interprétation" in criteres[critere].description, critere
        assert "« Retombées »" in criteres[critere].description, critere


def test_qsf_le_neq_est_une_lecture():
    """La citation « Un appui aux actions menées par des OCI québécois » ne parle pas de
    NEQ : la condition pré-remplie d'après le NEQ est une interprétation qui le dit."""
    (oci,) = [c for c in QSF.conditions if c.id == "oci-quebecois"]
    assert (oci.champ, oci.attendu) == ("neq", "renseigné")
    assert oci.interpretation
    assert "NEQ" not in oci.citation and "NEQ" not in _sans_blancs(TEXTE_QSF)
    assert "ne parle pas de NEQ" in oci.lecture


def test_qsf_ce_que_la_section_dit_est_cite_de_la_section():
    """Les dimensions, les critères des objectifs et des priorités transversales, les
    dépenses et le type de demandeur s'appuient sur des phrases de la section QSF."""
    sources = {s.chemin: s for s in QSF.sources}
    for chemin in (
        "dimensions",
        "criteres.objectifs.poids",
        "criteres.transversal.poids",
        "depenses.admissibles",
        "demandeur.type",
    ):
        assert _sans_blancs(sources[chemin].citation) in SECTION_QSF, chemin


@pytest.mark.parametrize(
    ("appel", "echue"),
    [(FFQCD, dt.date(2024, 4, 1)), (QSF, dt.date(2029, 4, 1))],
    ids=["ffqcd", "qsf"],
)
def test_conservation_reglee_par_le_ministere(appel, echue):
    """Relecture d'exploitation (point 9) : chaque modèle fixe la conservation des
    renseignements personnels ([conservation]) comme réglage du ministère, le texte de l'appel
    n'en disant rien ; la purge devient permise le lendemain de la fin du financement plus
    douze mois."""
    from evaluation.depot.conservation import echeance

    assert (appel.mois_apres_cloture, appel.cloture) == (12, "fin_financement")
    assert echeance(appel) == echue
    for chemin in ("conservation.mois_apres_cloture", "conservation.cloture"):
        (reglage,) = [r for r in appel.reglages if r.chemin == chemin]
        assert reglage.source.source == "comite"
        assert "Réglage du ministère : l'appel ne dit" in reglage.source.note
