"""La configuration d'un appel : le fichier livré se charge, les fautes sont nommées."""

import datetime as dt
import re

import pytest

from evaluation.appels.configuration import (
    APPEL_PAR_DEFAUT,
    ErreurAppel,
    appel_depuis_toml,
    appels_fournis,
    charger_appel,
)
from evaluation.socle.chemins import DONNEES

TOML = APPEL_PAR_DEFAUT.read_text(encoding="utf-8")


def test_appel_livre_conforme_a_l_appel_2023_2024(appel):
    assert appel.id == "paivmq-2023-2024"
    assert [a.numero for a in appel.axes] == [1, 2, 3]
    assert len(appel.secteurs) == 7
    assert "Mobilité durable" in [s.libelle for s in appel.secteurs]
    assert appel.poids == {
        "pertinence": 25,
        "coherence": 20,
        "qualite-dossier": 15,
        "structurant": 15,
        "capacite": 15,
        "visibilite": 10,
    }
    assert (appel.echelle_min, appel.echelle_max, appel.pas, appel.seuil_global) == (
        0,
        10,
        0.5,
        60,
    )
    f = appel.financement
    assert f.plafond_annuel == 2_500_000
    assert f.bonification_conjoint_max == 1_000_000
    assert f.annees_financieres()[0] == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert len(f.enveloppe) == f.nombre_annees_max == 2
    assert appel.plafond_visas == 50_000
    assert [r.code for r in appel.regions] == [f"{i:02d}" for i in range(1, 18)]
    assert {c.admissible for c in appel.categories} == {True, False}
    for critere in appel.criteres:
        assert critere.note_basse and critere.note_moyenne and critere.note_haute


def test_chaque_appel_livre_se_valide():
    for chemin in appels_fournis():
        appel_depuis_toml(chemin.read_text(encoding="utf-8"), chemin.name)


def _remplacer(ancien: str, nouveau: str) -> str:
    assert ancien in TOML
    return TOML.replace(ancien, nouveau, 1)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (_remplacer("poids = 25\n", ""), "clé obligatoire « poids » manquante"),
        (_remplacer("poids = 25", "poids = 30"), "totaliser 100 points"),
        (_remplacer("poids = 25", "poid = 25"), "clé inconnue « poid »"),
        (_remplacer("poids = 25", 'poids = "vingt-cinq"'), "« poids » doit être un nombre"),
        (_remplacer("[appel]", "[apel]"), "section inconnue [apel]"),
        (_remplacer("enveloppe = [750000, 500000]", "enveloppe = [750000]"), "un montant par"),
        (_remplacer("enveloppe = [750000, 500000]", "enveloppe = [750000, -1]"), "positive"),
        (_remplacer("seuil_global = 60.0", "seuil_global = 160.0"), "sur 100"),
        (_remplacer("pas = 0.5", "pas = 0"), "le pas doit être positif"),
        (_remplacer('id = "innovation"', 'id = "culture"'), "« culture » en double"),
        (_remplacer("numero = 2", "numero = 1"), "Numéro d'axe « 1 » en double"),
        (TOML + "\n[[criteres]]\nid = 'x'\n", "clé obligatoire « libelle » manquante"),
        ("ceci n'est pas du TOML = = =", "syntaxe TOML invalide"),
        (_remplacer('id = "paivmq-2023-2024"', 'id = " "'), "ne peut pas être vide"),
        (_remplacer('libelle = "Culture"', 'libelle = "Innovation"'), "désigne deux secteurs"),
        (
            _remplacer('alias = ["Salaires",', 'alias = ["Colloque", "Salaires",'),
            "« Colloque » désigne deux dépenses",
        ),
    ],
    ids=[
        "poids-manquant",
        "poids-total",
        "cle-inconnue",
        "poids-texte",
        "section-inconnue",
        "enveloppe-longueur",
        "enveloppe-negative",
        "seuil-hors-echelle",
        "pas-nul",
        "secteur-double",
        "axe-double",
        "critere-incomplet",
        "syntaxe",
        "id-vide",
        "libelle-secteur-double",
        "alias-ambigu",
    ],
)
def test_configuration_fautive_refusee_avec_message(toml, message):
    with pytest.raises(ErreurAppel, match=re.escape(message)):
        appel_depuis_toml(toml, "essai.toml")


def test_toutes_les_erreurs_sont_rapportees_ensemble():
    toml = _remplacer("poids = 25", "poid = 25").replace(
        "[[axes]]\nnumero = 3", "[[axes]]\nnumro = 3"
    )
    with pytest.raises(ErreurAppel) as info:
        appel_depuis_toml(toml, "essai.toml")
    assert len(info.value.problemes) >= 3
    assert "essai.toml" in str(info.value)


def test_autre_appel_sans_code(appel):
    """Un appel à quatre critères et un seul an se configure sans toucher au code."""
    toml = TOML
    for cid in ("structurant", "capacite"):
        debut = toml.index(f'id = "{cid}"')
        debut = toml.rindex("[[criteres]]", 0, debut)
        fin = toml.index("[[criteres]]", debut + 5)
        toml = toml[:debut] + toml[fin:]
        # La source de son poids part avec le critère (la page Paramètres le fait seule).
        toml = re.sub(rf'(?m)^"criteres\.{cid}\..*\n', "", toml)
    toml = toml.replace("poids = 25", "poids = 40").replace("poids = 20", "poids = 35")
    toml = toml.replace("nombre_annees_max = 2", "nombre_annees_max = 1")
    toml = toml.replace("enveloppe = [750000, 500000]", "enveloppe = [300000]")
    toml = toml.replace('id = "paivmq-2023-2024"', 'id = "autre-2025"')
    autre = appel_depuis_toml(toml)
    assert autre.id == "autre-2025"
    assert len(autre.criteres) == 4 and sum(autre.poids.values()) == 100
    assert autre.financement.enveloppe == (30_000_000,)


@pytest.mark.parametrize(
    ("avant", "apres", "bonus", "erreur"),
    [
        pytest.param("", "", 1_000_000, None, id="livre"),
        pytest.param(
            "bonification_conjoint_max = 10000",
            "bonification_projet_conjoint = 7500",
            750_000,
            None,
            id="ancienne-cle-lue-comme-plafond",
        ),
        pytest.param(
            "bonification_conjoint_max = 10000",
            "bonification_conjoint_max = 10000\nbonification_projet_conjoint = 1",
            None,
            "gardez-en une seule",
            id="les-deux-cles",
        ),
        pytest.param("bonification_conjoint_max = 10000", "", 0, None, id="sans-bonification-0"),
        pytest.param(
            "bonification_conjoint_max = 10000",
            "bonification_conjoint_max = -1",
            None,
            "négatif",
            id="negative",
        ),
        pytest.param(
            "entites_conjoint_min = 2", "entites_conjoint_min = 1", None, "au moins 2", id="min-1"
        ),
        pytest.param(
            'portee_plafond_visas = "demande"',
            'portee_plafond_visas = "mois"',
            None,
            "portee_plafond_visas",
            id="portee-inconnue",
        ),
    ],
)
def test_bonification_et_portee_des_visas(avant, apres, bonus, erreur):
    """« La présentation d'un projet conjoint entre plusieurs acteurs municipaux peut
    permettre la bonification de la subvention. » : un plafond de bonification que le comité
    se donne (`bonification_conjoint_max`, réglage du comité ; l'ancien nom
    `bonification_projet_conjoint` est relu comme ce plafond) ; « (jusqu'à concurrence de
    500 $) » : la portée est une interprétation (« demande » ou « annee »)."""
    toml = TOML.replace(avant, apres) if avant else TOML
    if erreur:
        with pytest.raises(ErreurAppel, match=erreur):
            appel_depuis_toml(toml)
        return
    assert appel_depuis_toml(toml).financement.bonification_conjoint_max == bonus


def test_toml_avec_bom_accepte():
    assert appel_depuis_toml("\ufeff" + TOML).id == "paivmq-2023-2024"


def test_conditions_d_admissibilite_livrees(appel):
    assert [(c.id, c.champ, c.attendu) for c in appel.conditions] == [
        ("dossier-complet", "dossier_complet", True),
        ("depot-a-temps", "date_depot", "à temps"),
        ("objectifs-concrets", None, None),
        ("aucun-autre-financement", "autre_financement_gouvernemental", False),
        ("budget-detaille", "budget_detaille", True),
        ("entite-municipale", "municipalite", "entité municipale"),
        ("citoyens-residents", None, None),
        ("qualite-signataire", "qualite_signataire", "permise"),
        ("engagement-rapport", "engagement_rapport", True),
        ("partenaire-quebecois", None, None),
    ]
    assert all(c.libelle for c in appel.conditions)
    # Chaque condition cite la phrase de l'appel d'où elle vient.
    assert all(c.citation for c in appel.conditions)
    # Chacune est ce que sa citation dit (aucune interprétation dans le PAIVMQ).
    assert {c.source for c in appel.conditions} == {"appel"}
    assert appel.notes_des_autres == "jamais"


def test_notes_des_autres_apres_soumission():
    toml = _remplacer('notes_des_autres = "jamais"', 'notes_des_autres = "apres_soumission"')
    assert appel_depuis_toml(toml).notes_des_autres == "apres_soumission"


def test_conditions_et_notes_des_autres_facultatives():
    debut = TOML.index("[[admissibilite.conditions]]")
    fin = TOML.index("[[regions]]")
    toml = (TOML[:debut] + TOML[fin:]).replace('notes_des_autres = "jamais"\n', "")
    autre = appel_depuis_toml(toml)
    assert autre.conditions == ()
    assert autre.notes_des_autres == "jamais"


_CITATION_PARTENAIRE = (
    'citation = "L’appui financier sera accordé au partenaire québécois du projet exclusivement."'
)


def test_condition_interpretee_dit_sa_lecture():
    """Une condition peut se dire interprétation : sa lecture retenue (obligatoire) et sa
    phrase en appui ; sans `source`, elle est de l'appel, sans lecture."""
    toml = _remplacer(
        _CITATION_PARTENAIRE,
        _CITATION_PARTENAIRE + '\nsource = "interpretation"\nlecture = "la ville"',
    )
    conditions = {c.id: c for c in appel_depuis_toml(toml).conditions}
    partenaire = conditions["partenaire-quebecois"]
    assert (partenaire.source, partenaire.interpretation) == ("interpretation", True)
    assert partenaire.lecture == "la ville"
    assert "partenaire québécois du projet exclusivement" in partenaire.citation
    complet = conditions["dossier-complet"]
    assert (complet.source, complet.interpretation, complet.lecture) == ("appel", False, None)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            _remplacer(_CITATION_PARTENAIRE, _CITATION_PARTENAIRE + '\nsource = "comite"'),
            "« partenaire-quebecois » : source = « comite » inconnue (appel, interpretation)",
        ),
        (
            _remplacer(_CITATION_PARTENAIRE, _CITATION_PARTENAIRE + '\nsource = "interpretation"'),
            "« partenaire-quebecois » : une interprétation dit sa lecture retenue",
        ),
        (
            _remplacer(
                _CITATION_PARTENAIRE,
                _CITATION_PARTENAIRE + '\nsource = "interpretation"\nlecture = "  "',
            ),
            "« partenaire-quebecois » : une interprétation dit sa lecture retenue",
        ),
        (
            _remplacer(_CITATION_PARTENAIRE, _CITATION_PARTENAIRE + '\nlecture = "ma lecture"'),
            "« partenaire-quebecois » : « lecture » va avec source = « interpretation »",
        ),
        (
            _remplacer('attendu = "entité municipale"', 'attendu = "présent"'),
            "« entite-municipale » : attendu = « présent » inconnu",
        ),
        (
            _remplacer('attendu = "permise"\n', ""),
            "« qualite-signataire » : « champ » et « attendu » vont ensemble",
        ),
        (
            _remplacer('champ = "engagement_rapport"\n', ""),
            "« engagement-rapport » : « champ » et « attendu » vont ensemble",
        ),
        (
            _remplacer('id = "budget-detaille"', 'id = "dossier-complet"'),
            "Identifiant de condition d'admissibilité « dossier-complet » en double",
        ),
        (
            _remplacer("attendu = true", "attendu = 1"),
            "« attendu » doit être vrai ou faux ou un texte",
        ),
        (
            _remplacer('champ = "dossier_complet"', 'champs = "dossier_complet"'),
            "clé inconnue « champs »",
        ),
        (
            _remplacer('notes_des_autres = "jamais"', 'notes_des_autres = "toujours"'),
            "notes_des_autres = « toujours » inconnu",
        ),
    ],
    ids=[
        "source-inconnue",
        "interpretation-sans-lecture",
        "interpretation-lecture-vide",
        "lecture-sans-interpretation",
        "attendu-inconnu",
        "champ-sans-attendu",
        "attendu-sans-champ",
        "condition-double",
        "attendu-nombre",
        "cle-inconnue",
        "notes-des-autres-inconnu",
    ],
)
def test_conditions_fautives_refusees_avec_message(toml, message):
    with pytest.raises(ErreurAppel, match=re.escape(message)):
        appel_depuis_toml(toml, "essai.toml")


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("a = \x00", "(ligne 1, colonne 5) : valeur illisible"),
        ("[a]\n[a]", "(ligne 2, colonne 3) : table déclarée deux fois"),
        ("a = 1\na = 2", "(à la fin du fichier) : clé déclarée deux fois"),
        ('a = "x', "texte sans guillemet fermant"),
        ("x = 1 2", "fin de ligne attendue après une valeur"),
        ("a = " + "[" * 100_000, "imbriqués trop profondément"),
        ("# " + "x" * 600_000, "limite 512 Ko"),
    ],
)
def test_toml_hostile_refuse_en_francais(texte, attendu):
    """Aucun message de tomllib (en anglais) n'atteint la personne ; la ligne est nommée."""
    with pytest.raises(ErreurAppel) as refus:
        appel_depuis_toml(texte, "appel.toml")
    message = str(refus.value)
    assert attendu in message
    for anglais in ("Invalid", "Cannot", "Expected", "Unterminated", "at line", "document"):
        assert anglais not in message


@pytest.mark.parametrize(
    ("avant", "apres", "attendu"),
    [
        ("enveloppe = [750000, 500000]", "enveloppe = [inf, 500000]", "un nombre fini"),
        ("enveloppe = [750000, 500000]", "enveloppe = [nan, 500000]", "un nombre fini"),
        ("plafond_annuel = 25000", "plafond_annuel = 1e30", "au plus 1 000 000 000"),
        ("plafond_annuel = 25000", "plafond_annuel = nan", "un nombre fini"),
        ("poids = 25", "poids = inf", "un nombre fini"),
        ("echelle_max = 10.0", "echelle_max = inf", "un nombre fini"),
        ("pas = 0.5", "pas = 1e-7", "plus de 1000 crans"),
        ("nombre_annees_max = 2", "nombre_annees_max = 1000", "de 1 à 10"),
        ("premiere_annee_debut = 2024-04-01", "premiere_annee_debut = 9999-12-31", "entre 1900"),
        (
            "premiere_annee_debut = 2024-04-01",
            "premiere_annee_debut = 2024-04-01T00:00:00+05:00",
            "sans heure ni fuseau",
        ),
        ("plafond_visas = 500", "plafond_visas = -1", "plafond_visas ne peut pas être négatif"),
        ('libelle = "Pertinence et retombées"', 'libelle = "  "', "ne peut pas être vide"),
        ('nom_court = "PAIVMQ 2023-2024"', 'nom_court = "' + "x" * 20_000 + '"', "10000 au plus"),
    ],
)
def test_nombres_dates_et_textes_aberrants_refuses(avant, apres, attendu):
    """Un nombre infini, « nan », démesuré, une date hors de tout appel ou un texte géant
    ferait planter les calculs et chaque page ensuite : la configuration est refusée, en
    nommant la clé."""
    source = charger_appel().source_toml
    assert avant in source
    with pytest.raises(ErreurAppel, match=re.escape(attendu)):
        appel_depuis_toml(source.replace(avant, apres, 1), "appel.toml")


# --- Départage : le financement externe pour lui-même (issue 15) --------------------------

_DEPARTAGE_LIVRE = TOML[TOML.index("departage = [") : TOML.index("]", TOML.index("departage = ["))]


@pytest.mark.parametrize(
    ("departage", "attendu"),
    [
        pytest.param(
            None,
            ("critere:pertinence", "projet_conjoint", "part_financement_propre", "no_demande"),
            id="sans-departage-comme-avant",
        ),
        pytest.param(
            '["critere:pertinence", "projet_conjoint", "part_financement_propre", "no_demande"',
            ("critere:pertinence", "projet_conjoint", "part_financement_propre", "no_demande"),
            id="ancien-fichier-relu",
        ),
        pytest.param(
            '["financement_externe", "no_demande"',
            ("financement_externe", "no_demande"),
            id="financement-externe-seul",
        ),
    ],
)
def test_departage_lu(departage, attendu):
    """Le départage est un réglage du comité : l'appel n'en fixe aucun. Un fichier ancien
    (part_financement_propre, sans financement_externe) se relit tel quel ; un appel sans
    départage garde celui d'avant l'issue 15. « Si les projets ont reçu un financement
    externe, cela représente un atout. » : financement_externe est permis."""
    if departage is None:
        toml = TOML.replace(_DEPARTAGE_LIVRE + "]", "")
    else:
        toml = TOML.replace(_DEPARTAGE_LIVRE, "departage = " + departage)
    assert appel_depuis_toml(toml, "essai.toml").departage == attendu


def test_departage_livre_compte_le_financement_externe(appel):
    """Le fichier livré (choix du comité, dit dans son commentaire) compte le financement
    externe, « un atout » selon l'appel, avant la contribution du demandeur."""
    regles = list(appel.departage)
    assert regles.index("financement_externe") < regles.index("part_financement_propre")
    assert "Réglage du comité" in TOML[: TOML.index("departage = [")].rsplit("[classement]")[1]


def test_departage_inconnu_refuse():
    toml = TOML.replace(_DEPARTAGE_LIVRE, 'departage = ["financement_propre_et_externe"')
    with pytest.raises(ErreurAppel, match="financement_externe"):
        appel_depuis_toml(toml, "essai.toml")


# --- Objectif de la meilleure sélection (réglage du comité) --------------------------------


def test_objectif_de_la_meilleure_selection(appel):
    """Le fichier livré respecte le classement, puis les cibles (issue 16) ; sans le
    réglage, c'est aussi la valeur par défaut ; « note_montant » est permis."""
    assert appel.objectif_selection == "classement"
    sans = TOML.replace('objectif_selection = "classement"\n', "")
    assert sans != TOML
    assert appel_depuis_toml(sans).objectif_selection == "classement"
    autre = TOML.replace('objectif_selection = "classement"', 'objectif_selection = "note_montant"')
    assert appel_depuis_toml(autre).objectif_selection == "note_montant"


@pytest.mark.parametrize(
    ("valeur", "message"),
    [
        (
            '"rang"',
            "[classement] : objectif_selection = « rang » inconnu (classement, note_montant).",
        ),
        ("1", "objectif_selection"),
    ],
    ids=["inconnu", "pas-un-texte"],
)
def test_objectif_de_la_meilleure_selection_inconnu(valeur, message):
    toml = TOML.replace('objectif_selection = "classement"', f"objectif_selection = {valeur}")
    with pytest.raises(ErreurAppel, match=re.escape(message)):
        appel_depuis_toml(toml, "essai.toml")


# --- Note qui classe (réglage du comité, issue 16) -------------------------------------------


def test_note_retenue_moyenne_par_defaut(appel):
    """Réglage du comité (l'appel ne parle ni de séance ni de consensus) : « moyenne » dans
    l'appel livré et sans le réglage ; « consensus » permis, gardé quand la configuration
    est réécrite ; sa source est déclarée « réglage du comité »."""
    from evaluation.appels.edition import sections, vers_toml

    assert appel.note_retenue == "moyenne"
    sans = TOML.replace('note_retenue = "moyenne"\n', "")
    assert sans != TOML
    assert appel_depuis_toml(sans).note_retenue == "moyenne"
    autre = appel_depuis_toml(_remplacer('note_retenue = "moyenne"', 'note_retenue = "consensus"'))
    assert autre.note_retenue == "consensus"
    assert appel_depuis_toml(vers_toml(sections(autre))).note_retenue == "consensus"
    (reglage,) = [r for r in appel.reglages if r.chemin == "classement.note_retenue"]
    assert reglage.valeur == "moyenne"
    assert reglage.source is not None and reglage.source.source == "comite"
    assert "ni de séance ni de consensus" in reglage.source.note


@pytest.mark.parametrize(
    ("valeur", "message"),
    [
        (
            '"mediane"',
            "[classement] : note_retenue = « mediane » inconnue : écrivez « moyenne » (la note "
            "des évaluateurs classe) ou « consensus » (la note de consensus de la séance classe).",
        ),
        ('"Consensus"', "note_retenue = « Consensus » inconnue"),
        ("1", "« note_retenue » doit être"),
    ],
    ids=["inconnue", "casse", "pas-un-texte"],
)
def test_note_retenue_inconnue_refusee(valeur, message):
    with pytest.raises(ErreurAppel, match=re.escape(message)):
        appel_depuis_toml(_remplacer('note_retenue = "moyenne"', f"note_retenue = {valeur}"))


# --- Années financières : la lecture retenue (interprétation) ------------------------------


@pytest.mark.parametrize(
    ("debut", "annees", "attendu"),
    [
        pytest.param(
            "2024-04-01",
            2,
            "année 1 : du 1er avril 2024 au 31 mars 2025 ; "
            "année 2 : du 1er avril 2025 au 31 mars 2026.",
            id="paivmq-deux-annees",
        ),
        pytest.param(
            "2024-04-01",
            1,
            "une seule année financière (année 1 : du 1er avril 2024 au 31 mars 2025).",
            id="une-annee",
        ),
        pytest.param(
            "2025-07-01",
            2,
            "année 1 : du 1er juillet 2025 au 30 juin 2026 ; "
            "année 2 : du 1er juillet 2026 au 30 juin 2027.",
            id="autre-debut",
        ),
    ],
)
def test_lecture_des_annees_financieres(debut, annees, attendu):
    """L'appel : « porte sur une ou deux années financières débutant le 1er avril 2024 et se
    terminant le 31 mars 2025 ». Ambigu (une seule année nommée, deux permises) ; lecture
    retenue : l'année 1 est celle que l'appel nomme, l'année 2 la suivante. La phrase le dit
    comme une interprétation, avec les dates de la configuration."""
    from evaluation.appels.configuration import lecture_annees_financieres

    toml = TOML.replace("premiere_annee_debut = 2024-04-01", f"premiere_annee_debut = {debut}")
    toml = toml.replace("nombre_annees_max = 2", f"nombre_annees_max = {annees}")
    if annees == 1:
        toml = toml.replace("enveloppe = [750000, 500000]", "enveloppe = [750000]")
    phrase = lecture_annees_financieres(appel_depuis_toml(toml, "essai.toml").financement)
    assert phrase.startswith("Interprétation retenue : ")
    assert phrase.endswith(attendu)


# --- [comite] (issue 16) ---------------------------------------------------------------------


def test_quorum_du_comite_lu_et_0_par_defaut(appel):
    """Réglage du comité (l'appel ne fixe aucun quorum) : 0 dans l'appel livré, non
    vérifié ; lu de [comite], gardé quand la configuration est réécrite."""
    from evaluation.appels.edition import sections, vers_toml

    assert appel.quorum == 0
    assert "[comite]\n" in TOML
    sans = re.sub(
        r"\[comite\]\n(#[^\n]*\n)*quorum = 0\n(#[^\n]*\n)*tirage_zone_grise = false\n", "", TOML
    )
    assert "[comite]" not in sans
    assert appel_depuis_toml(sans).quorum == 0
    cinq = appel_depuis_toml(_remplacer("quorum = 0", "quorum = 5"))
    assert cinq.quorum == 5
    assert appel_depuis_toml(vers_toml(sections(cinq))).quorum == 5


@pytest.mark.parametrize(
    ("valeur", "message"),
    [
        ("-1", "quorum est un nombre entier de membres, 0 ou plus"),
        ('"trois"', "« quorum » doit être"),
        ("true", "pas un booléen"),
        ("2.5", "« quorum » doit être"),
    ],
)
def test_quorum_fautif_refuse(valeur, message):
    with pytest.raises(ErreurAppel, match=re.escape(message)):
        appel_depuis_toml(_remplacer("quorum = 0", f"quorum = {valeur}"))


def test_tirage_zone_grise_lu_et_faux_par_defaut(appel):
    """Réglage du comité (l'appel ne prévoit aucun tirage au sort ; modèle : le FNS) :
    faux dans l'appel livré et quand [comite] ne l'écrit pas ; lu, et gardé quand la
    configuration est réécrite."""
    from evaluation.appels.edition import sections, vers_toml

    assert appel.tirage_zone_grise is False
    sans = TOML.replace("tirage_zone_grise = false\n", "")
    assert appel_depuis_toml(sans).tirage_zone_grise is False
    permis = appel_depuis_toml(_remplacer("tirage_zone_grise = false", "tirage_zone_grise = true"))
    assert permis.tirage_zone_grise is True
    assert appel_depuis_toml(vers_toml(sections(permis))).tirage_zone_grise is True
    r = next(r for r in appel.reglages if r.chemin == "comite.tirage_zone_grise")
    assert r.source.source == "comite" and "FNS" in r.source.note


@pytest.mark.parametrize("valeur", ['"oui"', "1", "[true]"])
def test_tirage_zone_grise_fautif_refuse(valeur):
    with pytest.raises(ErreurAppel, match="« tirage_zone_grise » doit être vrai ou faux"):
        appel_depuis_toml(_remplacer("tirage_zone_grise = false", f"tirage_zone_grise = {valeur}"))


def test_cle_inconnue_de_comite_refusee():
    with pytest.raises(ErreurAppel, match="clé inconnue « quorom »"):
        appel_depuis_toml(_remplacer("quorum = 0", "quorom = 3"))


# Issue 18 : le type de demandeur et les dimensions de classement sont des données de l'appel.
DIMENSIONS = """
[demandeur]
type = "organisme"

[[dimensions]]
id = "priorites"
libelle = "Priorités transversales"
multiple = true
valeurs = [
  { id = "environnement", libelle = "Protection de l'environnement" },
  { id = "femmes", libelle = "Droits des femmes", alias = ["Égalité entre les genres"] },
]

[[dimensions]]
id = "type-financement"
libelle = "Type de financement"
obligatoire = true
valeurs = [{ id = "mission", libelle = "Soutien à la mission globale" }]

[[cibles]]
dimension = "priorites"
valeur = "femmes"
part_min = 10
"""


def test_demandeur_et_dimensions_lus():
    appel = appel_depuis_toml(TOML + DIMENSIONS)
    assert appel.type_demandeur == "organisme" and appel.demandeur_organisme
    priorites, financement = appel.dimensions
    assert (priorites.id, priorites.multiple, priorites.obligatoire) == ("priorites", True, False)
    assert (financement.multiple, financement.obligatoire) == (False, True)
    assert priorites.valeur("femmes").alias == ("Égalité entre les genres",)
    assert priorites.libelle_valeur("environnement") == "Protection de l'environnement"
    assert appel.dimension("type-financement") is financement
    assert appel.cibles[-1].dimension == "priorites"


def test_sans_demandeur_ni_dimensions_l_appel_reste_municipal():
    appel = appel_depuis_toml(TOML)
    assert appel.type_demandeur == "entite_municipale" and not appel.demandeur_organisme
    assert appel.dimensions == ()


@pytest.mark.parametrize(
    "ajout, attendu",
    [
        ('[demandeur]\ntype = "ville"\n', "type = « ville » inconnu"),
        (
            '[[dimensions]]\nid = "axe"\nlibelle = "A"\nvaleurs = [{ id = "a", libelle = "b" }]\n',
            "« axe » est réservé",
        ),
        (
            '[[dimensions]]\nid = "pays"\nlibelle = "A"\nvaleurs = [{ id = "a", libelle = "b" }]\n',
            "« pays » est réservé",
        ),
        (
            '[[dimensions]]\nid = "Thème"\nlibelle = "A"\n'
            'valeurs = [{ id = "a", libelle = "b" }]\n',
            "identifiant « Thème »",
        ),
        ('[[dimensions]]\nid = "t"\nlibelle = "A"\nvaleurs = []\n', "au moins une valeur"),
        (
            '[[dimensions]]\nid = "t"\nlibelle = "A"\nvaleurs = [{ id = "a", libelle = "b" }, '
            '{ id = "a", libelle = "c" }]\n',
            "identifiant de valeur « a » en double",
        ),
        (
            '[[dimensions]]\nid = "t"\nlibelle = "A"\nvaleurs = [{ id = "a", libelle = "b" }, '
            '{ id = "c", libelle = "B" }]\n',
            "« B »",
        ),
        (
            '[[dimensions]]\nid = "t"\nlibelle = "A"\nvaleurs = [{ id = "a", libelle = "b" }]\n'
            '[[dimensions]]\nid = "t"\nlibelle = "B"\nvaleurs = [{ id = "a", libelle = "b" }]\n',
            "Identifiant de dimension « t » en double",
        ),
        (
            '[[cibles]]\ndimension = "priorites"\nvaleur = "*"\npart_min = 1\n',
            "dimension « priorites » inconnue",
        ),
        (
            '[[dimensions]]\nid = "t"\nlibelle = "A"\nvaleurs = [{ id = "a", libelle = "b" }]\n'
            '[[cibles]]\ndimension = "t"\nvaleur = "z"\npart_min = 1\n',
            "t « z » inconnu",
        ),
    ],
)
def test_demandeur_et_dimensions_fautifs_nommes(ajout, attendu):
    with pytest.raises(ErreurAppel) as erreur:
        appel_depuis_toml(TOML + "\n" + ajout)
    assert any(attendu in p for p in erreur.value.problemes), erreur.value.problemes


def test_un_appel_sans_axes_ni_secteurs_se_charge():
    """Issue 18 : axes et secteurs sont des dimensions parmi d'autres ; un programme qui n'en
    a pas (QSF) déclare les siennes dans [[dimensions]]."""
    texte = re.sub(r"\[\[(axes|secteurs)\]\]\n(?:[^\[\n][^\n]*\n|\n)*", "", TOML)
    texte = re.sub(r"\[\[cibles\]\]\n(?:[^\[\n][^\n]*\n|\n)*", "", texte)
    assert "[[axes]]" not in texte and "[[secteurs]]" not in texte
    appel = appel_depuis_toml(texte + DIMENSIONS)
    assert appel.axes == () and appel.secteurs == ()
    with pytest.raises(ErreurAppel, match="axe « 1 » inconnu"):
        appel_depuis_toml(texte + '[[cibles]]\ndimension = "axe"\nvaleur = "1"\npart_min = 1\n')


# --- Les champs du formulaire que lit chaque critère (issue 18) ---------------------------


def test_champs_lus_par_les_criteres_livres():
    """Les champs viennent du TOML : l'appel PAIVMQ « La pertinence du projet et de ses
    objectifs ainsi que les retombées escomptées » → objectifs, retombées ; un critère sans
    `champs` n'en lit aucun."""
    appel = appel_depuis_toml(TOML)
    champs = {c.id: c.champs for c in appel.criteres}
    assert champs["pertinence"] == ("objectifs", "retombees")
    assert champs["qualite-dossier"] == ("resume", "echeancier")
    assert champs["capacite"] == ("ressources_humaines", "capacite_financiere")
    assert champs["visibilite"] == ("visibilite",)
    assert champs["coherence"] == ()


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        (
            '["objectif"]',
            "champ du formulaire « objectif » inconnu (vouliez-vous dire « objectifs »",
        ),
        ('["titre"]', "champ du formulaire « titre » inconnu"),
        ("[3]", "champ du formulaire « 3 » inconnu"),
        ('["objectifs", "objectifs"]', "le champ « objectifs » est nommé deux fois"),
        ('"objectifs"', "« champs » doit être"),
    ],
    ids=["faute", "pas-du-formulaire", "nombre", "double", "pas-une-liste"],
)
def test_champs_fautifs_nommes(champs, message):
    toml = TOML.replace('champs = ["objectifs", "retombees"]', f"champs = {champs}", 1)
    with pytest.raises(ErreurAppel, match=re.escape(message)) as erreur:
        appel_depuis_toml(toml, "essai.toml")
    assert "pertinence" in str(erreur.value)


def _dim(ident, libelle, *valeurs):
    """Une [[dimensions]] en TOML ; chaque valeur : (id, libellé[, alias…])."""
    texte = f'[[dimensions]]\nid = "{ident}"\nlibelle = "{libelle}"\n'
    for v in valeurs:
        alias = ", ".join(f'"{a}"' for a in v[2:])
        texte += f'[[dimensions.valeurs]]\nid = "{v[0]}"\nlibelle = "{v[1]}"\nalias = [{alias}]\n'
    return texte


@pytest.mark.parametrize(
    "ajout, attendu",
    [
        # Deux dimensions de même libellé, à la casse, aux accents ou à une espace près.
        (
            _dim("a", "Thème", ("x", "X")) + _dim("b", "THEME ", ("y", "Y")),
            "désigne deux dimensions",
        ),
        (_dim("a", "Thème", ("x", "X")) + _dim("b", "a", ("y", "Y")), "désigne deux dimensions"),
        # « ; » ou saut de ligne dans un identifiant, un libellé ou un alias de valeur.
        (_dim("t", "Thème", ("a;b", "Eau")), "contient « ; »"),
        (_dim("t", "Thème", ("a", "Eau; assainissement")), "contient « ; »"),
        (_dim("t", "Thème", ("a", "Eau", "A\\nB")), "contient « ; »"),
        # Un alias qui nomme une autre valeur de la même dimension (son identifiant compris).
        (_dim("t", "Thème", ("a", "Eau", "b"), ("b", "Assainissement")), "désigne deux"),
        # Un alias qui nomme une valeur d'une autre dimension.
        (
            _dim("t", "Thème", ("a", "Eau", "Volontariat"))
            + _dim("u", "Autre", ("v", "Volontariat")),
            "il nomme aussi la valeur « v » de la dimension « u »",
        ),
        # Plafonds.
        (
            "".join(_dim(f"d{i}", f"Dimension {i}", ("v", "V")) for i in range(21)),
            "21 dimensions déclarées ; un appel en a au plus 20",
        ),
        (
            _dim("t", "Thème", *((f"v{i}", f"Valeur {i}") for i in range(201))),
            "201 valeurs ; une dimension en a au plus 200",
        ),
    ],
)
def test_dimensions_ambigues_ou_demesurees_refusees(ajout, attendu):
    """Issue 18 (attaque) : une configuration de dimensions qui rendrait la lecture d'une
    cellule ambiguë, ou dont le coût n'est pas borné, est refusée à la lecture, nommée."""
    with pytest.raises(ErreurAppel) as erreur:
        appel_depuis_toml(TOML + "\n" + ajout)
    assert any(attendu in p for p in erreur.value.problemes), erreur.value.problemes


def test_dimensions_au_plafond_acceptees():
    """20 dimensions de 200 valeurs, la même valeur « Autre » dans deux dimensions : permis."""
    ajout = "".join(
        _dim(
            f"d{i}",
            f"Dimension {i}",
            *((f"v{j}", f"Valeur {j}") for j in range(199)),
            ("autre", "Autre"),
        )
        for i in range(20)
    )
    appel = appel_depuis_toml(TOML + "\n" + ajout)
    assert len(appel.dimensions) == 20 and len(appel.dimensions[0].valeurs) == 200


@pytest.mark.parametrize(
    "libelle",
    ["Pays", "pays ", "Titre du projet", "TITRE DU PROJET", "No de demande", "Numéro de demande"],
)
def test_dimension_au_libelle_d_un_en_tete_du_gabarit_refusee(moteur_sqlite, libelle):
    """Issue 18 (attaque) : une dimension dont le libellé est un en-tête ou un synonyme du
    gabarit (« Pays », « Titre du projet », « No de demande ») ferait lire la colonne deux
    fois : l'enregistrement de l'appel est refusé, la colonne nommée. (La vérification est
    dans `gabarit.conflits_dimensions`, appelée par `parametres.enregistrer` : la
    configuration ne peut pas dépendre du gabarit, qui dépend d'elle.)"""
    from evaluation.appels.parametres import enregistrer
    from evaluation.depot.gabarit import conflits_dimensions

    texte = TOML + "\n" + _dim("d", libelle, ("a", "A"))
    appel = appel_depuis_toml(texte)
    (erreur,) = conflits_dimensions(appel)
    assert "nomme déjà la colonne" in erreur and "[[dimensions]] « d »" in erreur
    with pytest.raises(ErreurAppel) as refus:
        enregistrer(texte, moteur=moteur_sqlite, auteur="t", creation=True)
    assert refus.value.problemes == [erreur]


def test_les_appels_livres_n_ont_pas_de_dimension_au_libelle_du_gabarit():
    from evaluation.depot.gabarit import conflits_dimensions

    for chemin in [*appels_fournis(), *sorted((DONNEES / "modeles").glob("*.toml"))]:
        assert conflits_dimensions(charger_appel(chemin)) == [], chemin
