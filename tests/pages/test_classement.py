"""La page Classement, lue comme la lit le comité : enveloppe restante, ligne de financement,
règles, fichier CSV, filtres, pondérations simulées, puis les montants et les décisions de la
présidence.

Le jeu, calculé à la main (poids 25, 20, 15, 15, 15, 10 ; total = Σ poids × note / 10) :

- T-002 (projet conjoint, 30 000 $ + 30 000 $, bonification de 5 000 $ fixée : plafond de
  30 000 $) : pertinence 5, 6 et 7 (moyenne 6), 9 ailleurs
  → 25 × 6 + 75 × 9 = 825 → 82,5 : rang 1 ;
- T-001 (20 000 $ la première année) : pertinence 10, 7 ailleurs → 250 + 525 = 775 → 77,5 :
  rang 2 ;
- T-003 : 5 partout, deux évaluations sur trois → 50 : sous le seuil de 60.

Enveloppe ramenée à 40 000 $ et 35 000 $ : T-002 tient (30 000 $ et 30 000 $), T-001 non
(50 000 $ > 40 000 $) : il passe en liste d'attente. Restent 10 000 $ et 5 000 $.
"""

import csv
import io
import re

import pytest
from streamlit.testing.v1.element_tree import Dataframe, Subheader

from evaluation.appels.configuration import appel_depuis_toml, charger_appel
from evaluation.decision import decisions, financement
from evaluation.decision.portefeuille import ENVELOPPE, LIGNE, NOTIONS, RECOMMANDATIONS, RESTANTS
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions, evaluations
from evaluation.notes.saisie import SOUMISE, Saisie
from evaluation.socle import stockage
from evaluation.socle.roles import ADMIN, EVALUATEUR, OBSERVATEUR, PRESIDENT
from evaluation.socle.texte import litteral
from tests.conftest import DONNEES
from tests.filtrage import admettre
from tests.pages.conftest import bilan, compte_de_test, fenetres, rendu, sous_le_controle, textes

SOUS_LA_LIGNE, RESTANT_LIGNE = NOTIONS[LIGNE], RESTANTS[LIGNE]
COMITE = NOTIONS[RECOMMANDATIONS]

PAGE = "pages/classement.py"
VALIDE = DONNEES / "formats" / "valide.xlsx"
EVA, LUC, ZOE = "eva@exemple.qc.ca", "luc@exemple.qc.ca", "zoe@exemple.qc.ca"
NOMS = {EVA: "Éva Lachance", LUC: "Luc Gagnon", ZOE: "Zoé Tremblay"}
ENVELOPPE_LIVREE = "enveloppe = [750000, 500000]"
NBSP = "\u00a0"
COMMENTAIRE_CRITERE = "Retombées régionales encore floues."
COMMENTAIRE_GLOBAL = "Réseau solide, budget réaliste."


def dollars(texte: str) -> str:
    """Les montants de `texte` (« 10 000 $ ») tels que la page les écrit : espaces insécables
    (U+00A0) entre les milliers et devant le dollar, comme evaluation.socle.formats.montant."""
    return re.sub(r"\d[\d ]*(?:,\d+)? \$", lambda m: m.group().replace(" ", NBSP), texte)


def saisi(dollars_: float) -> str:
    """Un montant tapé comme au Québec : « 20 000 », « 20 000,50 »."""
    return f"{dollars_:,.2f}".replace(",", " ").replace(".", ",").removesuffix(",00")


def appel_reduit():
    """L'appel livré, avec une enveloppe de 40 000 $ puis 35 000 $."""
    livre = charger_appel()
    assert ENVELOPPE_LIVREE in livre.source_toml
    return appel_depuis_toml(
        livre.source_toml.replace(ENVELOPPE_LIVREE, "enveloppe = [40000, 35000]"), "test"
    )


def _notes(appel, pertinence: float, ailleurs: float) -> dict[str, float]:
    return {c.id: (pertinence if c.id == "pertinence" else ailleurs) for c in appel.criteres}


def preparer(url: str) -> tuple[object, dict[str, int]]:
    """Base du jeu décrit en tête du module, avant toute ouverture de page (l'appel stocké
    ne passe pas par le journal : la page ne le verrait pas changer ensuite).

    Renvoie l'appel (enveloppe réduite) et {numéro: identifiant}."""
    appel = appel_reduit()
    moteur = stockage.creer_moteur(url)
    try:
        importer(
            verifier_lot([(VALIDE.name, VALIDE)], charger_appel()), charger_appel(), moteur=moteur
        )
        admettre(moteur, charger_appel())  # jugées admissibles : elles se notent
        with stockage.ecriture(moteur) as connexion:
            stockage.enregistrer_appel(appel, connexion=connexion)
        for courriel, nom in NOMS.items():
            compte_de_test(url, EVALUATEUR, courriel, nom=nom)
        with moteur.connect() as c:
            table = stockage.lire_demandes(appel.id, connexion=c)
        ids = dict(zip(table["no_demande"], table["id"].astype(int), strict=True))

        def soumettre(no, evaluateur, notes, **champs):
            saisie = Saisie(notes=notes, admissible=True, **champs)
            evaluations.enregistrer(appel, ids[no], evaluateur, saisie, SOUMISE, moteur=moteur)

        soumettre(
            "T-002",
            EVA,
            _notes(appel, 5, 9),
            commentaires={"pertinence": COMMENTAIRE_CRITERE},
            commentaire_global=COMMENTAIRE_GLOBAL,
        )
        soumettre("T-002", LUC, _notes(appel, 6, 9))
        soumettre("T-002", ZOE, _notes(appel, 7, 9))
        for e in (EVA, LUC, ZOE):
            soumettre("T-001", e, _notes(appel, 10, 7))
        for e in (EVA, LUC):
            soumettre("T-003", e, _notes(appel, 5, 5))
        # « peut permettre la bonification » : 5 000 $ par année fixés par la présidence
        # pour T-002 (projet conjoint), ce qui porte son plafond à 30 000 $.
        decisions.fixer_bonification(
            appel, ids["T-002"], 500_000, "trois municipalités", moteur=moteur, auteur="p@x.ca"
        )
    finally:
        moteur.dispose()
    return appel, ids


@pytest.fixture
def jeu(base):
    return preparer(base)


@pytest.fixture
def appel(jeu):
    return jeu[0]


@pytest.fixture
def ids(jeu):
    return jeu[1]


@pytest.fixture
def ouvrir(application, jeu):
    def ouvrir_page(role=PRESIDENT):
        at = application(PAGE, role=role)
        assert at.title[0].value == "Classement"
        return at

    return ouvrir_page


def executer(at):
    at.run()
    assert not at.exception, at.exception
    return at


def metriques(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def sous_titres(at) -> list[str]:
    return [s.value for s in at.subheader]


def partie(at, cle: str):
    """Le tableau d'une partie du classement (cle : « Financées », « Liste d'attente »,
    « Hors classement ») : celui qui suit son sous-titre ; None quand la page écrit
    « Aucune demande. » à sa place."""
    titre = None
    for element in at.main.children.values():
        if isinstance(element, Subheader):
            titre = element.value
        elif isinstance(element, Dataframe) and titre and titre.startswith(cle + " ("):
            return element.value
    return None


def numeros(at, cle: str) -> list[str]:
    table = partie(at, cle)
    return [] if table is None else list(table["No"])


def ligne(at, cle: str, no: str) -> dict:
    table = partie(at, cle)
    return table[table["No"] == no].iloc[0].to_dict()


def expander(at, libelle: str):
    (trouve,) = [e for e in at.expander if e.label == libelle]
    return trouve


def erreurs(at) -> list[str]:
    return [rendu(e.value) for e in at.error]


def succes(at) -> list[str]:
    return [s.value for s in at.success]


def cles(at) -> set[str]:
    """Les clés de tous les widgets de la page."""
    widgets = [
        *at.button,
        *at.slider,
        *at.number_input,
        *at.selectbox,
        *at.radio,
        *at.text_input,
        *at.text_area,
        *at.multiselect,
    ]
    return {w.key for w in widgets if w.key}


def journal(moteur, appel, objet: str) -> list[list]:
    with moteur.connect() as c:
        j = stockage.lire_journal(connexion=c, appel_id=appel.id)
    return j.loc[j["objet"] == objet, ["auteur", "ancien", "nouveau"]].values.tolist()


# --- Ce que tout le monde voit -----------------------------------------------------------------


@pytest.mark.parametrize("role", [ADMIN, PRESIDENT, OBSERVATEUR])
def test_enveloppe_restante_et_ligne_de_financement(ouvrir, role):
    at = ouvrir(role)
    b = bilan(at)
    # 40 000 − 30 000 (T-002) ; 35 000 − 30 000 (T-002) ; T-001 reste sous la ligne.
    assert b.loc[RESTANT_LIGNE, ["2024-2025", "2025-2026"]].tolist() == [
        dollars("10 000 $"),
        dollars("5 000 $"),
    ]
    assert b.loc[SOUS_LA_LIGNE].tolist() == [
        dollars("30 000 $"),
        dollars("30 000 $"),
        dollars("60 000 $"),
        "1",
    ]
    assert b.loc[ENVELOPPE, "2024-2025"] == dollars("40 000 $")
    # Aucune décision encore : on le dit, plutôt qu'un 0 $ trompeur.
    assert b.loc[COMITE, "Demandes"] == "aucune décision"
    assert metriques(at)["Demandes classées"] == "2"
    assert sous_titres(at)[:3] == ["Financées (1)", "Liste d'attente (1)", "Hors classement (1)"]
    # La ligne de financement est une information : encadré neutre, pas une erreur.
    assert not [e for e in erreurs(at) if "Ligne de financement" in e]
    (ligne_financement,) = [e.value for e in at.info if "Ligne de financement" in e.value]
    assert dollars(
        "Restant après la ligne de financement (d'après le classement) : "
        "2024-2025 : 10 000 $ · 2025-2026 : 5 000 $."
    ) in (ligne_financement)

    assert numeros(at, "Financées") == ["T-002"]
    t002 = ligne(at, "Financées", "T-002")
    assert (t002["Rang"], t002["Total"], t002["Statut"], t002["Évaluations"]) == (
        1,
        "82,50",
        "financé",
        "3 / 3",
    )
    assert t002["Pertinence"] == "6,00" and t002["Cohérence"] == "9,00"
    assert (t002["Recommandé an 1"], t002["Cumul an 1"]) == (dollars("30 000 $"),) * 2
    assert (t002["Recommandé an 2"], t002["Cumul an 2"]) == (dollars("30 000 $"),) * 2

    assert numeros(at, "Liste d'attente") == ["T-001"]
    t001 = ligne(at, "Liste d'attente", "T-001")
    assert (t001["Rang"], t001["Total"], t001["Statut"]) == (2, "77,50", "liste d'attente")
    assert (t001["Recommandé an 1"], t001["Cumul an 1"]) == (
        dollars("20 000 $"),
        dollars("50 000 $"),
    )

    assert numeros(at, "Hors classement") == ["T-003"]
    t003 = ligne(at, "Hors classement", "T-003")
    assert (t003["Rang"], t003["Total"], t003["Statut"], t003["Évaluations"]) == (
        "",
        "50,00",
        "sous le seuil",
        "2 / 3 !",
    )
    assert t003["Raison"] == "total sous le seuil de 60"


def test_regles_appliquees(ouvrir):
    at = ouvrir()
    regles = expander(at, "Règles appliquées").markdown[0].value
    assert (
        "**Départage des ex æquo** : note plus haute en « Pertinence et retombées » ; "
        "puis projet conjoint avant projet d'une seule municipalité ; "
        "puis plus grande part du coût couverte par le financement externe ; "
        "puis plus grande part du coût couverte par la contribution du demandeur ; "
        "puis numéro de demande."
    ) in regles
    # Le statut « inadmissible » vient de l'examen d'admissibilité (issue 15).
    assert "inadmissible (l'examen d'admissibilité le dit, jamais un vote" in rendu(regles)
    assert "majorité" not in rendu(regles)
    # « L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. »
    assert "**Dépôt** : date limite 1er mars 2024, jour compris" in rendu(regles)
    # « une ou deux années financières débutant le 1er avril 2024 et se terminant le
    # 31 mars 2025 » : la lecture retenue, dite comme une interprétation.
    assert (
        "**Années financières** : Interprétation retenue : les années financières se suivent"
    ) in rendu(regles)
    assert "année 2 : du 1er avril 2025 au 31 mars 2026." in rendu(regles)
    assert "**Seuil** : 60 / 100." in regles
    assert "poids (ceux de l'appel) : Pertinence et retombées 25, " in regles
    # « ne pourra pas excéder 25 000 $ par année » ; la bonification, 0 $ par défaut.
    assert litteral(dollars("le plus petit de : le plafond de 25 000 $ plus la bonification")) in (
        regles
    )
    assert "le budget admissible de l'année" in regles
    assert "la première qui ne tient pas et les suivantes vont en liste d'attente" in regles


@pytest.mark.parametrize(
    ("depots", "attendu"),
    [
        pytest.param(
            {"T-001": "2024-03-01", "T-002": "2024-03-05", "T-003": "2024-02-10"},
            {"T-001": "à temps", "T-002": "4 jours de retard", "T-003": "à temps"},
            id="fichier",
        ),
        pytest.param(
            {"T-001": ("2024-03-20", True), "T-002": "2024-03-02", "T-003": None},
            {"T-001": "à vérifier (date présumée)", "T-002": "1 jour de retard", "T-003": "—"},
            id="presumee-et-inconnue",
        ),
    ],
)
def test_colonne_du_depot_et_parts_du_financement(ouvrir, moteur, ids, depots, attendu):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : la colonne Dépôt
    dit « à temps » le jour même, les jours de retard après ; une date présumée (celle de
    l'importation) est à vérifier. Le montage financier, source par source : « Si les
    projets ont reçu un financement externe, cela représente un atout. »"""
    import datetime as dt

    lignes = []
    for no, valeur in depots.items():
        date_depot, presumee = valeur if isinstance(valeur, tuple) else (valeur, False)
        lignes.append(
            {
                "id": ids[no],
                "date_depot": dt.date.fromisoformat(date_depot) if date_depot else None,
                "date_depot_presumee": presumee if date_depot else None,
            }
        )
    with stockage.ecriture(moteur) as connexion:
        stockage.mettre_a_jour_demandes(lignes, connexion=connexion)
    at = ouvrir()
    vues = {
        no: ligne(at, cle, no)
        for cle, no in (
            ("Financées", "T-002"),
            ("Liste d'attente", "T-001"),
            ("Hors classement", "T-003"),
        )
    }
    assert {no: v["Dépôt"] for no, v in vues.items()} == attendu
    # valide.xlsx : T-002 coûte 90 000 $, 20 000 $ du demandeur, 10 000 $ de cofinancement.
    assert vues["T-002"]["Part contribution du demandeur"] == "22,2 %"
    assert vues["T-002"]["Part financement externe"] == "11,1 %"
    assert vues["T-003"]["Part financement externe"] == "0,0 %"


ATTENDU_CSV = [
    ("1", "T-002", "82.50", "3", "financé", "30000.00", "30000.00", "30000.00", "30000.00"),
    ("2", "T-001", "77.50", "3", "liste d'attente", "20000.00", "0.00", "50000.00", "30000.00"),
    ("", "T-003", "50.00", "2", "sous le seuil", "18000.50", "0.00", "", ""),
]


def _vues_csv(texte: str, separateur: str) -> list[tuple]:
    return [
        (
            r["rang"],
            r["no_demande"],
            r["note"],
            r["n_evaluations"],
            r["statut"],
            r["montant_recommande_an1"],
            r["montant_recommande_an2"],
            r["cumul_an1"],
            r["cumul_an2"],
        )
        for r in csv.DictReader(io.StringIO(texte), delimiter=separateur)
    ]


def test_telechargement_csv_en_deux_formes(ouvrir, fichiers_servis):
    """Issue 19 : « Excel (français) » (« ; », virgule décimale, UTF-8 avec BOM) et
    « données » (« , », point décimal, UTF-8 sans BOM), les mêmes valeurs."""
    at = ouvrir()
    assert [b.proto.label for b in at.get("download_button")] == [
        "Télécharger le classement (CSV, Excel (français))",
        "Télécharger le classement (CSV, données)",
    ]
    nom, contenu = fichiers_servis.lire(at, "cl_csv")
    assert nom == "paivmq-2023-2024_classement.csv"
    assert contenu.startswith(b"\xef\xbb\xbf")  # UTF-8 avec BOM, pour Excel
    assert _vues_csv(contenu.decode("utf-8-sig"), ";") == [
        tuple(v.replace(".", ",") for v in ligne) for ligne in ATTENDU_CSV
    ]
    nom, contenu = fichiers_servis.lire(at, "cl_csv_donnees")
    assert nom == "paivmq-2023-2024_classement_donnees.csv"
    assert not contenu.startswith(b"\xef\xbb\xbf")
    assert _vues_csv(contenu.decode("utf-8"), ",") == ATTENDU_CSV


def test_filtre_par_statut(ouvrir):
    at = ouvrir()
    at.multiselect(key="cl_statuts").set_value(["sous le seuil"])
    executer(at)
    assert sous_titres(at)[:3] == ["Financées (0)", "Liste d'attente (0)", "Hors classement (1)"]
    assert numeros(at, "Financées") == numeros(at, "Liste d'attente") == []
    assert [c.value for c in at.caption].count("Aucune demande.") == 2
    assert numeros(at, "Hors classement") == ["T-003"]
    # Le filtre ne touche pas à la ligne de financement.
    assert bilan(at).loc[RESTANT_LIGNE, "2024-2025"] == dollars("10 000 $")

    at.multiselect(key="cl_statuts").set_value(["classé"])
    executer(at)
    assert sous_titres(at)[:3] == ["Financées (1)", "Liste d'attente (1)", "Hors classement (0)"]
    assert numeros(at, "Financées") == ["T-002"]
    assert numeros(at, "Liste d'attente") == ["T-001"]
    assert partie(at, "Hors classement") is None


# --- Pondérations simulées ----------------------------------------------------------------------


def _comparaison(at):
    """Le tableau des demandes qui bougent sous les poids simulés."""
    tables = [d.value for d in at.dataframe if "Rang simulé" in d.value.columns]
    assert len(tables) <= 1
    return tables[0] if tables else None


def test_simulation_change_le_classement(ouvrir):
    at = ouvrir(OBSERVATEUR)
    assert "Total des curseurs : 100. 0 demande bouge." in textes(at)
    assert _comparaison(at) is None

    # Pertinence 60 (les autres inchangés, total 135) : T-002 (7,67 en moyenne) passe sous
    # T-001 (8,33), qui entre dans le financement.
    at.slider(key="poids::pertinence").set_value(60)
    executer(at)
    assert "Total des curseurs : 135 (ramené à 100). 2 demandes bougent." in textes(at)
    table = _comparaison(at).set_index("No")
    assert table.loc["T-001"].tolist() == [2, 1, "+1", "entre dans le financement"]
    assert table.loc["T-002"].tolist() == [1, 2, "-1", "sort du financement"]
    # Le classement officiel ne bouge pas.
    assert numeros(at, "Financées") == ["T-002"]
    assert numeros(at, "Liste d'attente") == ["T-001"]


def test_curseurs_partent_des_poids_arrondis_la_moitie_vers_le_haut(
    application, jeu, appel, moteur
):
    """Issue 19 : un poids adopté de 12,5 met son curseur à 13, comme formats l'arrondit
    (la moitié vers le haut), pas à 12 (l'arrondi au pair de `round`)."""
    poids = {
        "pertinence": 32.5,
        "coherence": 12.5,
        "qualite-dossier": 15.0,
        "structurant": 15.0,
        "capacite": 15.0,
        "visibilite": 10.0,
    }
    decisions.adopter_poids(
        appel, poids, moteur=moteur, auteur="admin@x.ca", raison="Essai", confirme=True
    )
    at = application(PAGE, role=PRESIDENT)
    assert not at.exception, at.exception
    assert at.slider(key="poids::pertinence").value == 33
    assert at.slider(key="poids::coherence").value == 13
    assert at.slider(key="poids::visibilite").value == 10


def test_administration_adopte_les_ponderations(ouvrir, appel, moteur):
    at = ouvrir(ADMIN)
    assert not at.button(key="adopter_poids").disabled
    at.slider(key="poids::pertinence").set_value(40)
    executer(at)
    assert at.button(key="adopter_poids").disabled  # total 115 : pas adoptable

    # 40, 5, 15, 15, 15, 10 : T-001 = (400 + 35 + 385) / 10 = 82 ; T-002 = (240 + 45 + 495)
    # / 10 = 78.
    at.slider(key="poids::coherence").set_value(5)
    executer(at)
    assert "Total des curseurs : 100. 2 demandes bougent." in textes(at)
    assert not at.button(key="adopter_poids").disabled
    # Des évaluations sont soumises : les poids ont été fixés avant la notation. Sans raison,
    # puis sans confirmation, rien n'est adopté.
    at.button(key="adopter_poids").click()
    executer(at)
    assert any("demande une raison écrite" in e for e in erreurs(at))
    at.text_input(key="poids_raison").input("La pertinence était sous-pondérée")
    at.button(key="adopter_poids").click()
    executer(at)
    assert any("confirmation explicite" in e for e in erreurs(at))
    with moteur.connect() as c:
        assert stockage.lire_ponderation(appel.id, connexion=c) is None
    at.checkbox(key="poids_confirme").check()
    at.button(key="adopter_poids").click()
    executer(at)

    assert sous_le_controle(at, "adopter_poids") == [
        "Nouvelles pondérations adoptées (inscrites au journal)."
    ]
    with moteur.connect() as c:
        ponderation = stockage.lire_ponderation(appel.id, connexion=c)
    assert ponderation["poids"] == {
        "pertinence": 40.0,
        "coherence": 5.0,
        "qualite-dossier": 15.0,
        "structurant": 15.0,
        "capacite": 15.0,
        "visibilite": 10.0,
    }
    assert ponderation["auteur"] == "admin@exemple.qc.ca"
    assert journal(moteur, appel, "ponderation") == [
        [
            "admin@exemple.qc.ca",
            "pertinence 25, coherence 20, qualite-dossier 15, structurant 15, capacite 15, "
            "visibilite 10",
            "pertinence 40, coherence 5, qualite-dossier 15, structurant 15, capacite 15, "
            "visibilite 10",
        ]
    ]
    # Le classement officiel suit les nouveaux poids : T-001 d'abord, financé ; T-002 ne
    # tient plus (20 000 + 30 000 > 40 000).
    assert numeros(at, "Financées") == ["T-001"]
    assert ligne(at, "Financées", "T-001")["Total"] == "82,00"
    assert numeros(at, "Liste d'attente") == ["T-002"]
    assert bilan(at).loc[RESTANT_LIGNE, ["2024-2025", "2025-2026"]].tolist() == [
        dollars("20 000 $"),
        dollars("35 000 $"),
    ]
    regles = expander(at, "Règles appliquées").markdown[0].value
    assert (
        "par admin@exemple.qc.ca (raison : La pertinence était sous-pondérée)) : "
        "Pertinence et retombées 40, " in regles
    )
    assert journal(moteur, appel, "ponderation:raison") == [
        ["admin@exemple.qc.ca", None, "La pertinence était sous-pondérée"]
    ]
    # Le rang sous les pondérations de l'appel reste à côté : T-002 y était premier.
    assert ligne(at, "Financées", "T-001")["Rang (pondérations de l'appel)"] == 2
    assert ligne(at, "Liste d'attente", "T-002")["Rang (pondérations de l'appel)"] == 1
    # L'historique dit qui, quand et pourquoi.
    historique = expander(at, "Historique des pondérations").dataframe[0].value
    assert historique["Raison"].tolist() == [
        "pondérations de l'appel",
        "La pertinence était sous-pondérée",
    ]
    assert historique["Après la notation"].tolist() == ["", "oui"]
    assert historique["Poids"].tolist()[0].startswith("Pertinence 25, Cohérence 20")
    assert "Total des curseurs : 100. 0 demande bouge." in textes(at)


def test_ponderation_avec_un_poids_nul_refusee(ouvrir, appel, moteur):
    at = ouvrir(ADMIN)
    at.slider(key="poids::pertinence").set_value(35)
    at.slider(key="poids::visibilite").set_value(0)
    executer(at)
    assert "Total des curseurs : 100." in textes(at)
    at.button(key="adopter_poids").click()
    executer(at)
    assert "Refusé : chaque poids doit être positif." in erreurs(at)
    with moteur.connect() as c:
        assert stockage.lire_ponderation(appel.id, connexion=c) is None
    assert journal(moteur, appel, "ponderation") == []


def test_presidence_n_adopte_pas_et_observateur_ne_decide_pas(ouvrir):
    at = ouvrir(PRESIDENT)
    assert "adopter_poids" not in cles(at)
    assert "Montants et décisions" in sous_titres(at)
    assert any(e.label == "Accord entre évaluateurs et générosité de chacun" for e in at.expander)

    at = ouvrir(OBSERVATEUR)
    assert sous_titres(at) == ["Financées (1)", "Liste d'attente (1)", "Hors classement (1)"]
    assert numeros(at, "Financées") == ["T-002"]
    assert "Montants et décisions" not in sous_titres(at)
    assert not any("Accord entre évaluateurs" in e.label for e in at.expander)
    assert "Écart moyen au comité" not in {c for d in at.dataframe for c in d.value.columns}
    assert (
        cles(at)
        & {
            "adopter_poids",
            "mt_demande",
            "mt_enregistrer",
            "dc_demande",
            "dc_enregistrer",
            "verrouiller_decisions",
            "rouvrir_decisions",
        }
        == set()
    )
    assert "poids::pertinence" in cles(at)  # il simule, comme tout le monde


# --- Présidence : montants recommandés ----------------------------------------------------------


def _montant(at, demande_id: int, annee: int, dollars_: float, raison: str = ""):
    at.selectbox(key="mt_demande").set_value(demande_id)
    at.radio(key="mt_annee").set_value(annee)
    executer(at)
    # Tapé comme au Québec (« 20 000 »), lu par le lecteur de montants (issue 19).
    at.text_input(key=f"mt_montant::{demande_id}::{annee}").set_value(saisi(dollars_))
    at.text_input(key="mt_raison").set_value(raison)
    at.button(key="mt_enregistrer").click()
    return executer(at)


def _montants_stockes(moteur, appel) -> list[tuple]:
    with moteur.connect() as c:
        lignes = stockage.lire_montants_recommandes(appel.id, connexion=c)
    return [(int(m["demande_id"]), m["annee"], m["montant"], m["raison"]) for m in lignes]


def test_reduction_de_montant_exige_une_raison(ouvrir, appel, ids, moteur):
    at = ouvrir(PRESIDENT)
    t002 = ids["T-002"]
    assert at.text_input(key=f"mt_montant::{t002}::1").value == f"30{NBSP}000"

    _montant(at, t002, 1, 20000.0)
    # Sous le bouton, pas en haut de la page (issue 16).
    assert sous_le_controle(at, "mt_enregistrer") == [
        dollars(
            "Montant refusé : un montant recommandé autre que celui de la règle demande une raison."
        )
    ]
    assert _montants_stockes(moteur, appel) == []
    assert ligne(at, "Financées", "T-002")["Recommandé an 1"] == dollars("30 000 $")

    _montant(at, t002, 1, 20000.0, "Volet promotion retiré")
    assert sous_le_controle(at, "mt_enregistrer") == ["Montant recommandé de T-002 enregistré."]
    assert _montants_stockes(moteur, appel) == [(t002, 1, 2_000_000, "Volet promotion retiré")]
    assert journal(moteur, appel, "montant_recommande:an1") == [
        [
            "president@exemple.qc.ca",
            dollars("30 000 $"),
            dollars("20 000 $ (Volet promotion retiré)"),
        ]
    ]
    # 20 000 + 20 000 tiennent dans 40 000 : T-001 passe au-dessus de la ligne.
    assert ligne(at, "Financées", "T-002")["Recommandé an 1"] == dollars("20 000 $")
    assert numeros(at, "Financées") == ["T-002", "T-001"]
    assert sous_titres(at)[:2] == ["Financées (2)", "Liste d'attente (0)"]
    assert bilan(at).loc[RESTANT_LIGNE, ["2024-2025", "2025-2026"]].tolist() == [
        "0\u00a0$",
        dollars("5 000 $"),
    ]


def test_montant_au_dessus_du_plafond_refuse(ouvrir, appel, ids, moteur):
    at = ouvrir(ADMIN)
    _montant(at, ids["T-002"], 2, 40000.0)  # bonification de 5 000 $ : plafond 30 000 $
    assert sous_le_controle(at, "mt_enregistrer") == [
        dollars("Montant refusé : 40 000 $ dépasse le plafond de 30 000 $ par année.")
    ]
    _montant(at, ids["T-001"], 1, 26000.0)  # une seule municipalité : 25 000 $
    assert sous_le_controle(at, "mt_enregistrer") == [
        dollars("Montant refusé : 26 000 $ dépasse le plafond de 25 000 $ par année.")
    ]
    assert _montants_stockes(moteur, appel) == []
    assert ligne(at, "Financées", "T-002")["Recommandé an 2"] == dollars("30 000 $")


# --- Présidence : décisions ----------------------------------------------------------------------


def _decision(at, demande_id: int, decision: str, justification: str = ""):
    at.selectbox(key="dc_demande").set_value(demande_id)
    executer(at)
    at.radio(key=f"dc_decision::{demande_id}").set_value(decision)
    executer(at)
    at.text_area(key=f"dc_justification::{demande_id}").set_value(justification)
    at.button(key="dc_enregistrer").click()
    return executer(at)


def _decisions_stockees(moteur, appel) -> dict[int, tuple]:
    with moteur.connect() as c:
        lignes = stockage.lire_decisions(appel.id, connexion=c)
    return {
        int(d["demande_id"]): (
            d["decision"],
            d["montant_an1"],
            d["montant_an2"],
            d["justification"],
        )
        for d in lignes
    }


def test_decisions_conforme_et_ecart(ouvrir, appel, ids, moteur):
    at = ouvrir(PRESIDENT)
    t001, t002 = ids["T-001"], ids["T-002"]
    assert dollars(
        "Montant recommandé : 30 000 $ + 30 000 $ · position au classement : financé"
    ) in textes(at)

    # Retenir T-002 au montant recommandé : conforme, sans justification.
    _decision(at, t002, financement.RETENU)
    assert "Décision « retenu » inscrite pour T-002." in succes(at)
    assert _decisions_stockees(moteur, appel) == {t002: ("retenu", 3_000_000, 3_000_000, None)}
    assert ligne(at, "Financées", "T-002")["Recommandation du comité"] == "retenu"

    # Retenir T-001, en liste d'attente : un écart, refusé sans justification.
    _decision(at, t001, financement.RETENU)
    # Sous le bouton (issue 16), non plus en haut de la page.
    assert sous_le_controle(at, "dc_enregistrer") == [
        "Décision refusée : une décision qui s'écarte de la recommandation demande une "
        "justification."
    ]
    assert set(_decisions_stockees(moteur, appel)) == {t002}
    assert ligne(at, "Liste d'attente", "T-001")["Recommandation du comité"] == ""

    _decision(at, t001, financement.RETENU, "Seul projet de la région")
    assert sous_le_controle(at, "dc_enregistrer") == ["Décision « retenu » inscrite pour T-001."]
    assert _decisions_stockees(moteur, appel)[t001] == (
        "retenu",
        2_000_000,
        0,
        "Seul projet de la région",
    )
    assert ligne(at, "Liste d'attente", "T-001")["Recommandation du comité"] == "retenu"
    assert [n for _, _, n in journal(moteur, appel, "decision")] == [
        dollars("retenu (30 000 $, 30 000 $)"),
        dollars("retenu (20 000 $, 0 $) : Seul projet de la région"),
    ]


def test_decision_suit_le_montant_recommande_modifie(ouvrir, ids):
    at = ouvrir(PRESIDENT)
    t002 = ids["T-002"]
    # La clé porte le montant recommandé (en cents) : le champ suit la recommandation.
    assert at.text_input(key=f"dc_montant::{t002}::0::retenu::3000000").value == f"30{NBSP}000"
    _montant(at, t002, 1, 20000.0, "Volet promotion retiré")
    assert dollars(
        "Montant recommandé : 20 000 $ + 30 000 $ · position au classement : financé"
    ) in textes(at)
    # Le montant accordé proposé suit la recommandation affichée...
    assert at.text_input(key=f"dc_montant::{t002}::0::retenu::2000000").value == f"20{NBSP}000"
    # ... et retenir la demande à ce montant suit la recommandation.
    at.button(key="dc_enregistrer").click()
    executer(at)
    assert "Décision « retenu » inscrite pour T-002." in succes(at)


def test_verrouiller_puis_rouvrir_les_decisions(ouvrir, appel, ids, moteur):
    at = ouvrir(PRESIDENT)
    assert "rouvrir_decisions" not in cles(at)
    at.button(key="verrouiller_decisions").click()
    executer(at)
    at.button(key="verrouiller_decisions_confirmer").click()
    executer(at)

    assert attributions.charger(appel.id, moteur=moteur).reglages.decisions_verrouillees
    assert succes(at)[-1] == (
        "Décisions verrouillées (inscrit au journal) ; les notes le sont aussi."
    )
    assert any("Les décisions de cet appel sont verrouillées" in i.value for i in at.info)
    assert at.button(key="mt_enregistrer").disabled
    assert at.button(key="dc_enregistrer").disabled
    assert {"verrouiller_decisions", "rouvrir_decisions"} & cles(at) == set()
    with pytest.raises(financement.ErreurFinancement, match="verrouillées"):
        decisions.enregistrer_decision(
            appel, ids["T-002"], financement.REFUSE, (0, 0), "x", moteur=moteur, auteur="x"
        )

    at = ouvrir(ADMIN)  # seule l'administration rouvre
    assert at.button(key="dc_enregistrer").disabled
    at.button(key="rouvrir_decisions").click()
    executer(at)
    assert not attributions.charger(appel.id, moteur=moteur).reglages.decisions_verrouillees
    assert not any("verrouillées" in i.value for i in at.info)
    assert not at.button(key="mt_enregistrer").disabled
    assert not at.button(key="dc_enregistrer").disabled
    assert "rouvrir_decisions" not in cles(at)
    assert journal(moteur, appel, "reglage:decisions_verrouillees") == [
        ["president@exemple.qc.ca", "False", "True"],
        ["admin@exemple.qc.ca", "True", "False"],
    ]
    _decision(at, ids["T-002"], financement.RETENU)
    assert "Décision « retenu » inscrite pour T-002." in succes(at)


def _fenetre(at):
    """La fenêtre (`st.dialog`) ouverte, ou None."""
    ouvertes = fenetres(at)
    return ouvertes[0] if ouvertes else None


def _listes(fenetre) -> dict[str, list]:
    titres = [rendu(m.value).strip("*") for m in fenetre.markdown]
    return dict(zip(titres, [d.value.values.tolist() for d in fenetre.dataframe], strict=True))


def test_verrouiller_les_decisions_demande_confirmation(ouvrir, appel, ids, moteur):
    """Le bouton ouvre une fenêtre qui liste les demandes classées sans décision et les
    montants retenus qui diffèrent du recommandé ; « Annuler » ne verrouille rien ;
    « Verrouiller quand même » verrouille et l'inscrit au journal."""
    at = ouvrir(PRESIDENT)
    assert _fenetre(at) is None
    at.button(key="verrouiller_decisions").click()
    executer(at)
    assert not attributions.charger(appel.id, moteur=moteur).reglages.decisions_verrouillees
    listes = _listes(_fenetre(at))
    assert list(listes) == [dollars("2 demandes classées sans décision (sur 2)")]
    assert [r[:2] for r in next(iter(listes.values()))] == [[1, "T-002"], [2, "T-001"]]
    at.button(key="verrouiller_decisions_annuler").click()
    executer(at)
    assert _fenetre(at) is None
    assert not attributions.charger(appel.id, moteur=moteur).reglages.decisions_verrouillees
    assert journal(moteur, appel, "reglage:decisions_verrouillees") == []

    decisions.enregistrer_decision(
        appel,
        ids["T-002"],
        financement.RETENU,
        (1_000_000, 3_000_000),
        "réduit en séance",
        moteur=moteur,
        auteur="president@exemple.qc.ca",
    )
    at = ouvrir(PRESIDENT)
    at.button(key="verrouiller_decisions").click()
    executer(at)
    listes = _listes(_fenetre(at))
    assert list(listes) == [
        "1 demande classée sans décision (sur 2)",
        "1 demande retenue dont le montant accordé diffère du recommandé",
    ]
    sans, ecarts = listes.values()
    assert [r[:2] for r in sans] == [[2, "T-001"]]
    assert [r[1:] for r in ecarts] == [["T-002", dollars("60 000 $"), dollars("40 000 $")]]
    assert [b.label for b in _fenetre(at).button] == ["Verrouiller quand même", "Annuler"]
    at.button(key="verrouiller_decisions_confirmer").click()
    executer(at)
    assert _fenetre(at) is None
    assert attributions.charger(appel.id, moteur=moteur).reglages.decisions_verrouillees
    assert journal(moteur, appel, "reglage:decisions_verrouillees") == [
        ["president@exemple.qc.ca", "False", "True"]
    ]


# --- Calculé une fois par version des données, jamais périmé ---------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def url_de_base(request, tmp_path, monkeypatch):
    """L'URL d'une base neuve, SQLite ou PostgreSQL (schéma jetable), celle de la page."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    else:
        import uuid

        import sqlalchemy as sa

        from tests.conftest import URL_POSTGRES, _postgres_ou_raison, manque

        if raison := _postgres_ou_raison():
            manque(raison)
        schema = f"t_{uuid.uuid4().hex[:12]}"
        administrateur = sa.create_engine(URL_POSTGRES)
        with administrateur.begin() as c:
            c.execute(sa.text(f"CREATE SCHEMA {schema}"))
        adresse = sa.engine.make_url(URL_POSTGRES).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        url = adresse.render_as_string(hide_password=False)
        request.addfinalizer(lambda: _supprimer_schema(administrateur, schema))
    monkeypatch.setenv("EVALUATION_BASE", url)
    return url


def _supprimer_schema(administrateur, schema: str) -> None:
    import sqlalchemy as sa

    with administrateur.begin() as c:
        c.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    administrateur.dispose()


def _avec_t004(dossier) -> object:
    """valide.xlsx et une quatrième demande, T-004 (une copie de T-003)."""
    import pandas as pd

    feuilles = pd.read_excel(VALIDE, sheet_name=None, engine="calamine")
    demandes, budget = feuilles["Demandes"], feuilles["Budget"]
    copie = demandes[demandes.iloc[:, 0] == "T-003"].copy()
    copie.iloc[:, 0] = "T-004"
    budget_copie = budget[budget.iloc[:, 0] == "T-003"].copy()
    budget_copie.iloc[:, 0] = "T-004"
    chemin = dossier / "avec-t004.xlsx"
    with pd.ExcelWriter(chemin, engine="openpyxl") as sortie:
        pd.concat([demandes, copie]).to_excel(sortie, sheet_name="Demandes", index=False)
        pd.concat([budget, budget_copie]).to_excel(sortie, sheet_name="Budget", index=False)
    return chemin


def test_une_ecriture_d_un_autre_serveur_se_voit_a_la_reexecution(url_de_base, tmp_path):
    """Le classement est gardé d'une exécution à l'autre (rien ne bouge : même calcul), et
    chaque écriture faite ailleurs (un autre serveur : un autre moteur sur la même base)
    se voit dès la réexécution suivante : une note, une décision, une pondération, une
    importation. Sur SQLite et PostgreSQL."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import RACINE_PROJET
    from tests.pages.conftest import ouvrir_session

    appel, ids = preparer(url_de_base)
    at = AppTest.from_file(str(RACINE_PROJET / "app.py"), default_timeout=60)
    ouvrir_session(at, url_de_base, compte_de_test(url_de_base, PRESIDENT))
    executer(at)
    at.switch_page(PAGE)
    executer(at)
    assert ligne(at, "Hors classement", "T-003")["Évaluations"] == "2 / 3 !"
    executer(at)  # rien n'a changé : même tableau
    assert ligne(at, "Hors classement", "T-003")["Total"] == "50,00"

    ailleurs = stockage.creer_moteur(url_de_base)
    try:
        saisie = Saisie(notes=_notes(appel, 2, 2), admissible=True)
        evaluations.enregistrer(appel, ids["T-003"], ZOE, saisie, SOUMISE, moteur=ailleurs)
        executer(at)
        t003 = ligne(at, "Hors classement", "T-003")  # (5 + 5 + 2) / 3 partout : 40
        assert (t003["Évaluations"], t003["Total"]) == ("3 / 3", "40,00")

        decisions.enregistrer_decision(
            appel,
            ids["T-001"],
            financement.REFUSE,
            (0, 0),
            "Hors priorités.",
            moteur=ailleurs,
            auteur="president@exemple.qc.ca",
        )
        executer(at)
        assert (
            ligne(at, "Liste d'attente", "T-001")["Recommandation du comité"] == financement.REFUSE
        )

        poids = {c.id: (50 if c.id == "pertinence" else 10) for c in appel.criteres}
        decisions.adopter_poids(
            appel, poids, moteur=ailleurs, auteur="admin@exemple.qc.ca", raison="r", confirme=True
        )
        executer(at)
        # T-001 : 50 × 10 + 50 × 7 = 850 → 85 ; T-002 : 50 × 6 + 50 × 9 = 750 → 75.
        assert numeros(at, "Financées") == ["T-001"]
        assert ligne(at, "Financées", "T-001")["Total"] == "85,00"

        fichier = _avec_t004(tmp_path)
        importer(verifier_lot([(fichier.name, fichier)], charger_appel()), appel, moteur=ailleurs)
        executer(at)
        assert "T-004" in numeros(at, "Hors classement")
    finally:
        ailleurs.dispose()


# --- Montants côte à côte et bonification (issue 15) -----------------------------------------


def test_montants_cote_a_cote_dans_le_classement(ouvrir):
    """« La subvention demandée pour un projet retenu ne pourra pas excéder 25 000 $ par
    année » et les listes de dépenses admissibles : demandé, non admissible, admissible et
    recommandé côte à côte (valide.xlsx n'a que des dépenses admissibles)."""
    at = ouvrir(PRESIDENT)
    t001 = ligne(at, "Liste d'attente", "T-001")
    assert (
        t001["Demandé an 1"],
        t001["Non admissible an 1"],
        t001["Admissible an 1"],
        t001["Recommandé an 1"],
    ) == (dollars("20 000 $"), "0\u00a0$", dollars("20 000 $"), dollars("20 000 $"))
    colonnes = list(partie(at, "Financées").columns)
    i = colonnes.index("Demandé an 1")
    assert colonnes[i : i + 4] == [
        "Demandé an 1",
        "Non admissible an 1",
        "Admissible an 1",
        "Recommandé an 1",
    ]


def test_rang_calibre_a_cote_du_rang(ouvrir):
    """Le rang calibré se lit à côté du rang, pas en 21e colonne (issue 19)."""
    at = ouvrir(PRESIDENT)
    for nom in ("Financées", "Liste d'attente"):
        assert list(partie(at, nom).columns)[:3] == ["Rang", "Rang calibré", "No"]
    assert ligne(at, "Financées", "T-002")["Rang calibré"] == 1


@pytest.mark.parametrize(
    ("dollars_", "raison", "message", "stockee"),
    [
        pytest.param(8000.0, "quatre villes", "Bonification de T-002 enregistrée.", 800_000),
        pytest.param(
            8000.0, "", "Bonification refusée : une bonification demande une raison.", 500_000
        ),
    ],
)
def test_bonification_fixee_par_la_presidence(
    ouvrir, appel, ids, moteur, dollars_, raison, message, stockee
):
    """« La présentation d'un projet conjoint entre plusieurs acteurs municipaux peut
    permettre la bonification de la subvention » : la présidence la fixe, avec une raison."""
    at = ouvrir(PRESIDENT)
    assert at.selectbox(key="bn_demande").options == ["1. T-002 · Sherbrooke"]
    t002 = ids["T-002"]
    assert at.text_input(key=f"bn_montant::{t002}").value == f"5{NBSP}000"
    at.text_input(key=f"bn_montant::{t002}").set_value(saisi(dollars_))
    at.text_input(key="bn_raison").set_value(raison)
    at.button(key="bn_enregistrer").click()
    executer(at)
    assert sous_le_controle(at, "bn_enregistrer") == [message]
    with moteur.connect() as c:
        (b,) = stockage.lire_bonifications(appel.id, connexion=c)
    assert b["montant"] == stockee


# --- Issue 18 : un appel sans axes ni secteurs, classé et filtré par ses dimensions ---------


def test_appel_sans_axes_ni_secteurs_filtre_par_dimension(application, moteur, fichiers_servis):
    """Un appel qui déclare ses dimensions au lieu d'axes et de secteurs : ni filtre ni
    colonne Axe ou Secteur ; un filtre par dimension (une demande à plusieurs valeurs passe
    si l'une est choisie) ; une colonne par dimension dans le tableau, le CSV et le classeur
    Excel."""
    from openpyxl import load_workbook

    from tests.dimensions import appel_avec_dimensions, importer_et_noter

    appel = appel_avec_dimensions(sans_axes_ni_secteurs=True)
    importer_et_noter(moteur, appel)
    at = application(PAGE, role=PRESIDENT)
    filtres = {m.key: m for m in at.multiselect}
    assert {"cl_axes", "cl_secteurs"}.isdisjoint(filtres)
    assert filtres["cl_dimension_priorites"].label == "Priorités transversales"
    assert filtres["cl_dimension_priorites"].options == [
        "Protection de l'environnement",
        "Droits des femmes",
        "Jeunesse",
    ]
    assert numeros(at, "Financées") == ["Q-1", "Q-2", "Q-3"]
    vue = partie(at, "Financées").set_index("No")
    assert "Axe" not in vue.columns and "Secteur" not in vue.columns
    assert vue.loc["Q-1", "Priorités transversales"] == (
        "Protection de l'environnement ; Droits des femmes"
    )
    assert vue.loc["Q-3", "Priorités transversales"] == "—"

    at.multiselect(key="cl_dimension_priorites").set_value(["femmes", "jeunesse"])
    executer(at)
    assert numeros(at, "Financées") == ["Q-1", "Q-2"]
    at.multiselect(key="cl_dimension_type-financement").set_value(["ponctuel"])
    executer(at)
    assert numeros(at, "Financées") == ["Q-1"]

    _, contenu = fichiers_servis.lire(at, "cl_csv")
    lignes = list(csv.DictReader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))
    assert [(r["no_demande"], r["dimension:priorites"]) for r in lignes] == [
        ("Q-1", "Protection de l'environnement ; Droits des femmes"),
        ("Q-2", "Jeunesse"),
        ("Q-3", ""),
    ]

    at.toggle(key="export_tout").set_value(False)
    at.button(key="preparer_export").click()
    executer(at)
    _, contenu = fichiers_servis.lire(at, "telecharger_export")
    livre = load_workbook(io.BytesIO(contenu))
    assert "Par axe" not in livre.sheetnames and "Par secteur" not in livre.sheetnames
    rangees = list(livre["Classement"].iter_rows(values_only=True))
    (haut,) = [i for i, r in enumerate(rangees) if r and r[0] == "Rang"]
    entetes = list(rangees[haut])
    assert "Axe" not in entetes and "Secteur" not in entetes
    exportees = [r for r in rangees[haut + 1 :] if r[entetes.index("No de demande")]]
    assert [
        (r[entetes.index("No de demande")], r[entetes.index("Type de financement")])
        for r in exportees
    ] == [("Q-1", "Projets ponctuels")]
