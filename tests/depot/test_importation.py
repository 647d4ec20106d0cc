"""Importation de bout en bout : une transaction, réimport en place, journal."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from evaluation.depot.gabarit import LIGNE_ENTETES
from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.socle import stockage
from evaluation.socle.probleme import INFORMATION
from tests.conftest import (
    DEMANDE_MUNICIPALE,
    DEPENSES_MUNICIPALES,
    DONNEES,
    classeur,
    depenses,
    gabarit_rempli,
)
from tests.donnees.cas import CAS_PROBLEMES, chemin_probleme

VALIDE = DONNEES / "formats" / "valide.xlsx"


def _lot(appel, moteur, *sources):
    with moteur.connect() as c:
        numeros = stockage.numeros_demandes(appel.id, connexion=c)
        identites = stockage.identites_demandes(appel.id, connexion=c)
    return verifier_lot(list(sources), appel, numeros_stockes=numeros, identites_stockees=identites)


def _etat(moteur, appel):
    with moteur.connect() as c:
        demandes = stockage.lire_demandes(appel.id, connexion=c)
        lignes = stockage.lire_lignes_budget(appel.id, connexion=c)
        journal = stockage.lire_importations(appel.id, connexion=c)
    return demandes, lignes, journal


def test_importer_un_classeur(moteur, appel):
    rapport = importer(
        _lot(appel, moteur, ("valide.xlsx", VALIDE)), appel, moteur=moteur, auteur="analyste"
    )
    assert (rapport.avant, rapport.apres) == (0, 3)
    assert rapport.creees == ["T-001", "T-002", "T-003"]
    assert rapport.nb_lignes_budget == 8
    demandes, lignes, journal = _etat(moteur, appel)
    assert list(demandes["no_demande"]) == ["T-001", "T-002", "T-003"]
    assert int(demandes.set_index("no_demande").loc["T-003", "montant_demande_an1"]) == 1_800_050
    assert lignes.groupby("no_demande")["montant"].sum().to_dict() == {
        "T-001": 2_000_000,
        "T-002": 6_000_000,
        "T-003": 1_800_050,
    }
    assert journal.iloc[0]["auteur"] == "analyste"
    assert journal.iloc[0]["fichiers"] == ["valide.xlsx"]


def _modifie(chemin, modifications) -> bytes:
    wb = load_workbook(chemin)
    for feuille, cellule, valeur in modifications:
        wb[feuille][cellule] = valeur
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def test_reimport_met_a_jour_en_place_et_dit_ce_qui_change(moteur, appel):
    importer(_lot(appel, moteur, ("valide.xlsx", VALIDE)), appel, moteur=moteur)
    avant, _, _ = _etat(moteur, appel)
    modifie = _modifie(
        VALIDE,
        [("Demandes", "G2", "Nouveau titre"), ("Budget", "E2", 11000), ("Budget", "E3", 9000)],
    )
    rapport = importer(_lot(appel, moteur, ("v2.xlsx", modifie)), appel, moteur=moteur)
    apres, lignes, _ = _etat(moteur, appel)
    assert rapport.creees == []
    assert rapport.inchangees == ["T-002", "T-003"]
    (changement,) = rapport.mises_a_jour
    assert changement.no_demande == "T-001"
    assert changement.details[0] == (
        "Titre du projet : Jumelage maritime Rimouski-Brest → Nouveau titre"
    )
    assert (
        "lignes de budget remplacées (2 → 2 lignes ; année 1 : 20\u00a0000\u00a0$ → "
        "20\u00a0000\u00a0$)" in changement.details
    )
    assert list(apres["id"]) == list(avant["id"])
    assert apres.set_index("no_demande").loc["T-001", "titre"] == "Nouveau titre"
    assert sorted(lignes[lignes.no_demande == "T-001"]["montant"]) == [900_000, 1_100_000]


def test_reimport_identique_ne_change_rien(moteur, appel):
    importer(_lot(appel, moteur, ("valide.xlsx", VALIDE)), appel, moteur=moteur)
    rapport = importer(
        _lot(appel, moteur, ("valide.ods", DONNEES / "formats" / "valide.ods")),
        appel,
        moteur=moteur,
    )
    assert rapport.inchangees == ["T-001", "T-002", "T-003"]
    assert rapport.mises_a_jour == [] and rapport.apres == 3


def test_echec_en_cours_de_route_ne_laisse_rien(moteur, appel, monkeypatch):
    importer(_lot(appel, moteur, ("valide.xlsx", VALIDE)), appel, moteur=moteur)
    avant = _etat(moteur, appel)
    modifie = _modifie(VALIDE, [("Demandes", "G2", "Titre changé"), ("Demandes", "A3", "T-NEW")])

    def panne(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(stockage, "remplacer_lignes_budget", panne)
    with pytest.raises(RuntimeError, match="disque plein"):
        importer(_lot(appel, moteur, ("v2.xlsx", modifie)), appel, moteur=moteur)
    apres = _etat(moteur, appel)
    for a, b in zip(avant, apres, strict=True):
        assert a.drop(columns=[c for c in ("date",) if c in a]).equals(
            b.drop(columns=[c for c in ("date",) if c in b])
        )


def test_fichier_bloque_rien_n_est_ecrit_sauf_choix_enregistre(moteur, appel):
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "axe-inconnu")
    source = (chemin_probleme(cas).name, chemin_probleme(cas))
    rapport = importer(_lot(appel, moteur, source), appel, moteur=moteur)
    assert rapport.apres == 0 and sorted(rapport.ecartees) == ["T-001", "T-002", "T-003"]
    rapport = importer(
        _lot(appel, moteur, source), appel, moteur=moteur, lignes_valides_seulement=True
    )
    assert rapport.creees == ["T-001", "T-003"] and rapport.ecartees == ["T-002"]
    _, _, journal = _etat(moteur, appel)
    assert list(journal["lignes_valides_seulement"]) == [True, False]


def test_budget_seul_complete_des_demandes_stockees(moteur, appel):
    csv = DONNEES / "formats"
    importer(_lot(appel, moteur, ("d.csv", csv / "virgule-utf8.csv")), appel, moteur=moteur)
    assert _etat(moteur, appel)[1].empty
    rapport = importer(
        _lot(appel, moteur, ("b.csv", csv / "budget-pointvirgule.csv")), appel, moteur=moteur
    )
    assert rapport.nb_lignes_budget == 8
    assert [c.no_demande for c in rapport.mises_a_jour] == ["T-001", "T-002", "T-003"]


def test_avertissements_gardes_avec_la_demande(moteur, appel):
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "plafond-depasse")
    importer(_lot(appel, moteur, ("p.xlsx", chemin_probleme(cas))), appel, moteur=moteur)
    demandes, _, _ = _etat(moteur, appel)
    avertissements = demandes.set_index("no_demande").loc["T-001", "avertissements"]
    assert [a["code"] for a in avertissements] == ["plafond_depasse"]


def test_colonnes_supplementaires_gardees(moteur, appel):
    source = ("desordonne.xlsx", DONNEES / "formats" / "desordonne.xlsx")
    importer(_lot(appel, moteur, source), appel, moteur=moteur)
    demandes, _, _ = _etat(moteur, appel)
    assert demandes.iloc[0]["colonnes_supplementaires"] == {"Note interne": "à suivre"}


def test_textes_tres_longs_acceptes(moteur, appel):
    """Un numéro, une municipalité ou un courriel démesurés s'importent aussi sur PostgreSQL."""
    modifie = _modifie(
        VALIDE,
        [
            ("Demandes", "A4", "N" * 300),
            ("Demandes", "X4", "a" * 500 + "@x.example"),
            ("Budget", "A9", "N" * 300),
        ],
    )
    rapport = importer(_lot(appel, moteur, ("long.xlsx", modifie)), appel, moteur=moteur)
    assert "N" * 300 in rapport.creees
    demandes, lignes, _ = _etat(moteur, appel)
    assert ("N" * 300) in set(demandes["no_demande"]) and ("N" * 300) in set(lignes["no_demande"])


def test_numero_de_casse_differente_met_a_jour_la_meme_demande(moteur, appel):
    importer(_lot(appel, moteur, ("valide.xlsx", VALIDE)), appel, moteur=moteur)
    modifie = _modifie(
        VALIDE,
        [
            ("Demandes", "A2", "t-001"),
            ("Demandes", "G2", "Autre titre"),
            ("Budget", "A2", "t-001"),
            ("Budget", "A3", "T-001"),
        ],
    )
    rapport = importer(_lot(appel, moteur, ("v2.xlsx", modifie)), appel, moteur=moteur)
    assert rapport.creees == [] and rapport.apres == 3
    assert [c.no_demande for c in rapport.mises_a_jour] == ["T-001"]
    demandes, lignes, _ = _etat(moteur, appel)
    assert demandes.set_index("no_demande").loc["T-001", "titre"] == "Autre titre"
    assert (lignes["no_demande"] == "T-001").sum() == 2


def test_reimport_partiel_garde_les_colonnes_absentes(moteur, appel):
    importer(_lot(appel, moteur, ("valide.xlsx", VALIDE)), appel, moteur=moteur)
    wb = load_workbook(VALIDE)
    feuille = wb["Demandes"]
    for entete in ("Courriel", "Résumé", "Contribution du demandeur", "Cofinancement externe"):
        j = next(c.column for c in feuille[1] if c.value == entete)
        feuille.delete_cols(j)
    feuille["G2"] = "Titre revu"
    sortie = io.BytesIO()
    wb.save(sortie)
    verification = _lot(appel, moteur, ("partiel.xlsx", sortie.getvalue()))
    assert "sans_contribution" not in [p.code for p in verification.problemes]
    rapport = importer(verification, appel, moteur=moteur)
    (changement,) = rapport.mises_a_jour
    assert changement.details == ["Titre du projet : Jumelage maritime Rimouski-Brest → Titre revu"]
    t1 = _etat(moteur, appel)[0].set_index("no_demande").loc["T-001"]
    assert t1["courriel"] == "international@rimouski.example"
    assert int(t1["contribution_demandeur"]) == 1_500_000


def test_colonnes_supplementaires_du_budget_gardees(moteur, appel):
    wb = load_workbook(VALIDE)
    wb["Budget"]["F1"] = "Fournisseur"
    wb["Budget"]["F2"] = "Firme Tremblay"
    sortie = io.BytesIO()
    wb.save(sortie)
    importer(_lot(appel, moteur, ("f.xlsx", sortie.getvalue())), appel, moteur=moteur)
    lignes = _etat(moteur, appel)[1]
    assert {"Fournisseur": "Firme Tremblay"} in list(lignes["colonnes_supplementaires"])


def test_caracteres_de_controle_retires(moteur, appel):
    """Un NUL dans un CSV (refusé par PostgreSQL) disparaît à la lecture."""
    texte = (DONNEES / "formats" / "virgule-utf8.csv").read_text(encoding="utf-8")
    texte = texte.replace("Jumelage maritime", "Jumelage\x00 maritime\x07")
    rapport = importer(_lot(appel, moteur, ("nul.csv", texte.encode())), appel, moteur=moteur)
    assert rapport.apres == 3
    titre = _etat(moteur, appel)[0].set_index("no_demande").loc["T-001", "titre"]
    assert titre == "Jumelage maritime Rimouski-Brest"


def test_deux_fichiers_de_meme_nom_restent_distincts(moteur, appel):
    cas = next(c for c in CAS_PROBLEMES if c["nom"] == "axe-inconnu")
    autre = _modifie(
        VALIDE,
        [
            ("Demandes", "A2", "X-1"),
            ("Demandes", "A3", "X-2"),
            ("Demandes", "A4", "X-3"),
            ("Budget", "A2", "X-1"),
            ("Budget", "A3", "X-1"),
            *[("Budget", f"A{i}", "X-2") for i in range(4, 9)],
            ("Budget", "A9", "X-3"),
        ],
    )
    verification = _lot(
        appel, moteur, ("demande.xlsx", chemin_probleme(cas)), ("demande.xlsx", autre)
    )
    assert verification.fichiers == ["demande.xlsx", "demande.xlsx (2)"]
    assert {p.fichier for p in verification.problemes if p.bloque} == {"demande.xlsx"}
    rapport = importer(verification, appel, moteur=moteur)
    assert rapport.creees == ["X-1", "X-2", "X-3"]


# --- Date de dépôt (issue 15) -------------------------------------------------------------

IMPORTEE_LE = dt.datetime(2024, 3, 15, 10, 30)
LIMITE = dt.date(2024, 3, 1)


def _avec_depot(dates: list[object]) -> bytes:
    """valide.xlsx avec la colonne « Date de dépôt » (colonne Y) : une valeur par demande,
    T-001 à T-003 (None : cellule vide)."""
    cellules = [("Demandes", "Y1", "Date de dépôt")]
    cellules += [("Demandes", f"Y{i}", d) for i, d in enumerate(dates, 2) if d is not None]
    return _modifie(VALIDE, cellules)


def _depots(moteur, appel) -> dict[str, tuple]:
    demandes, _, _ = _etat(moteur, appel)
    return {
        r["no_demande"]: (r["date_depot"], bool(r["date_depot_presumee"]))
        for r in demandes.to_dict("records")
    }


@pytest.fixture
def importee_le(monkeypatch):
    monkeypatch.setattr(stockage, "maintenant", lambda: IMPORTEE_LE)
    return IMPORTEE_LE.date()


@pytest.mark.parametrize(
    ("dates", "attendu", "presumees"),
    [
        pytest.param(
            None,
            {n: (dt.date(2024, 3, 15), True) for n in ("T-001", "T-002", "T-003")},
            ["T-001", "T-002", "T-003"],
            id="sans-colonne",
        ),
        pytest.param(
            [dt.date(2024, 2, 20), "2024-03-01", "4 mars 2024"],
            {
                "T-001": (dt.date(2024, 2, 20), False),
                "T-002": (dt.date(2024, 3, 1), False),
                "T-003": (dt.date(2024, 3, 4), False),
            },
            [],
            id="dates-du-fichier",
        ),
        pytest.param(
            [dt.date(2024, 2, 20), None, "01/03/2024"],
            {
                "T-001": (dt.date(2024, 2, 20), False),
                "T-002": (dt.date(2024, 3, 15), True),
                "T-003": (dt.date(2024, 3, 1), False),
            },
            ["T-002"],
            id="cellule-vide",
        ),
    ],
)
def test_date_de_depot_a_l_import(moteur, appel, importee_le, dates, attendu, presumees):
    """Chaque demande a une date de dépôt : celle du fichier (lue comme la date de début),
    sinon celle de l'importation, marquée présumée ; le rapport nomme ces demandes."""
    source = VALIDE if dates is None else _avec_depot(dates)
    rapport = importer(_lot(appel, moteur, ("d.xlsx", source)), appel, moteur=moteur)
    assert _depots(moteur, appel) == attendu
    assert rapport.depot_presume == presumees
    from evaluation.depot.rapport import texte_importation

    texte = texte_importation(rapport)
    assert ("date de l'importation (15 mars 2024) a été retenue" in texte) == bool(presumees)


def test_retard_signale_a_la_verification(appel):
    """« L'appel à projets 2023-2024 s'est terminé le 1er mars 2024. » : déposée le 1er mars,
    à temps ; le 4 mars, un avertissement situé (fichier, ligne, colonne) dit 3 jours."""
    verification = verifier_lot(
        [("d.xlsx", _avec_depot(["2024-02-29", "2024-03-01", "2024-03-04"]))], appel
    )
    assert verification.sans_blocage
    retards = [p for p in verification.problemes if p.code == "depot_en_retard"]
    assert [(p.ligne, p.colonne, p.no_demande) for p in retards] == [(4, "Date de dépôt", "T-003")]
    assert "3 jours après la date limite du 1er mars 2024" in retards[0].message
    assert retards[0].severite == "avertissement"
    assert not any(p.code == "date_depot_absente" for p in verification.problemes)


def test_colonne_absente_dite_une_fois(appel):
    verification = verifier_lot([("v.xlsx", VALIDE)], appel)
    absentes = [p for p in verification.problemes if p.code == "date_depot_absente"]
    assert len(absentes) == 1 and absentes[0].severite == "information"
    assert "date de l'importation" in absentes[0].message


@pytest.mark.parametrize("mauvaise", ["32/13/2024", "bientôt", "2024-02-30"])
def test_date_de_depot_illisible_bloque_et_dit_ou(moteur, appel, mauvaise):
    """Une date de dépôt illisible : problème bloquant nommant le fichier, la ligne Excel et
    la colonne, avec la façon de l'écrire ; rien n'est écrit."""
    verification = _lot(appel, moteur, ("d.xlsx", _avec_depot([None, mauvaise, None])))
    (probleme,) = [p for p in verification.problemes if p.code == "date_illisible"]
    assert probleme.bloque
    assert (probleme.fichier, probleme.ligne, probleme.colonne) == ("d.xlsx", 3, "Date de dépôt")
    assert "AAAA-MM-JJ" in probleme.message
    assert probleme.texte().startswith("d.xlsx, feuille Demandes, ligne 3 (demande T-002)")
    assert not verification.sans_blocage


def test_reimport_garde_la_date_de_depot(moteur, appel, importee_le, monkeypatch):
    """Une date de dépôt connue ne s'efface pas : ni par un fichier sans la colonne, ni par
    une cellule vide ; une date du fichier remplace une date présumée."""
    importer(_lot(appel, moteur, ("a.xlsx", _avec_depot(["2024-02-20"]))), appel, moteur=moteur)
    monkeypatch.setattr(stockage, "maintenant", lambda: dt.datetime(2024, 4, 2, 9, 0))
    importer(_lot(appel, moteur, ("b.xlsx", VALIDE)), appel, moteur=moteur)
    importer(_lot(appel, moteur, ("c.xlsx", _avec_depot([None]))), appel, moteur=moteur)
    assert _depots(moteur, appel) == {
        "T-001": (dt.date(2024, 2, 20), False),
        "T-002": (dt.date(2024, 3, 15), True),
        "T-003": (dt.date(2024, 3, 15), True),
    }
    rapport = importer(
        _lot(appel, moteur, ("d.xlsx", _avec_depot([None, "2024-02-28"]))), appel, moteur=moteur
    )
    assert _depots(moteur, appel)["T-002"] == (dt.date(2024, 2, 28), False)
    assert rapport.depot_presume == []
    (changement,) = rapport.mises_a_jour
    assert changement.no_demande == "T-002"
    assert any(
        d.startswith("Date de dépôt : 15 mars 2024 → 28 février 2024") for d in changement.details
    )


# --- Réimportation et examen d'admissibilité (issue 15) -------------------------------------
# Colonnes de valide.xlsx : S « Autre financement gouvernemental », T « Dossier complet »,
# G « Titre du projet », O « Montant demandé – année 1 » ; ligne 4 : T-003.


def _examens(moteur, appel):
    from evaluation.notes import examens

    return examens.charger(appel.id, moteur=moteur)


@pytest.mark.parametrize(
    ("cellules", "rouvertes", "fragments"),
    [
        pytest.param(
            [("Demandes", "S4", "oui"), ("Demandes", "T4", "non")],
            ["T-003"],
            [
                "réimportée le 15 mars 2024 : ",
                "Autre financement gouvernemental : non → oui",
                "Dossier complet : oui → non",
            ],
            id="auditeur-T-003",
        ),
        pytest.param(
            [("Demandes", "Y1", "Date de dépôt"), ("Demandes", "Y2", "2024-03-04")],
            ["T-001"],
            ["Date de dépôt : 15 mars 2024 → 4 mars 2024"],
            id="date-de-depot",
        ),
        pytest.param([("Demandes", "G4", "Nouveau titre")], [], [], id="titre-seul"),
        pytest.param([("Demandes", "O4", 15000)], [], [], id="montant-seul"),
    ],
)
def test_reimport_rouvre_l_examen(moteur, appel, importee_le, cellules, rouvertes, fragments):
    """L'appel : « Pour être admissibles, les projets doivent : faire l'objet d'un dossier
    complet lors du dépôt; […] ne pas recevoir de financement d'un autre programme
    gouvernemental ». Une réimportation qui change un champ que la liste lit (ou la date de
    dépôt) rouvre l'examen dans la même transaction : « à établir », par l'importateur,
    journalisé, nommé dans le rapport ; la demande ne se note ni ne se finance plus."""
    from evaluation.notes.filtrage import A_ETABLIR, ADMISSIBLE, REOUVERTURE
    from tests.filtrage import admettre

    importer(_lot(appel, moteur, ("a.xlsx", VALIDE)), appel, moteur=moteur, auteur="imp@x.ca")
    admettre(moteur, appel)
    rapport = importer(
        _lot(appel, moteur, ("b.xlsx", _modifie(VALIDE, cellules))),
        appel,
        moteur=moteur,
        auteur="imp@x.ca",
    )
    assert [c.no_demande for c in rapport.reouvertes] == rouvertes
    etat = _examens(moteur, appel)
    demandes, _, importations = _etat(moteur, appel)
    ids = dict(zip(demandes["no_demande"], demandes["id"].astype(int), strict=True))
    for numero, d in ids.items():
        e = etat.etat(d)
        if numero not in rouvertes:
            assert e.verdict == ADMISSIBLE, numero
            continue
        assert (e.verdict, e.nature, e.auteur) == (A_ETABLIR, REOUVERTURE, "imp@x.ca")
        for fragment in fragments:
            assert fragment in e.raison
    with moteur.connect() as c:
        journal = stockage.lire_journal(connexion=c)
    reouv = journal[journal["objet"] == "admissibilite:reouverture"]
    assert sorted(reouv["demande_id"].astype(int)) == sorted(ids[n] for n in rouvertes)
    assert all(reouv["auteur"] == "imp@x.ca")
    from evaluation.depot.rapport import texte_importation

    texte = texte_importation(rapport)
    assert ("Examen d'admissibilité rouvert" in texte) == bool(rouvertes)
    assert list(importations.iloc[0]["rapport"]["reouvertes"]) == rouvertes  # la plus récente


def test_reimport_sans_examen_ne_rouvre_rien(moteur, appel, importee_le):
    """Une demande jamais examinée reste « à établir » sans ligne d'examen ajoutée."""
    importer(_lot(appel, moteur, ("a.xlsx", VALIDE)), appel, moteur=moteur)
    modifie = _modifie(VALIDE, [("Demandes", "T4", "non")])
    rapport = importer(_lot(appel, moteur, ("b.xlsx", modifie)), appel, moteur=moteur)
    assert rapport.reouvertes == []
    assert _examens(moteur, appel).etats == {}


@pytest.mark.parametrize(
    ("cellules", "refusee"),
    [
        pytest.param([("Demandes", "O2", 15000)], ["T-001"], id="montant-modifie"),
        pytest.param([("Demandes", "T4", "non")], ["T-003"], id="champ-examine-modifie"),
        pytest.param([("Budget", "E2", 11000), ("Budget", "E3", 9000)], ["T-001"], id="budget"),
        pytest.param([("Demandes", "A4", "T-004")], None, id="ajout-accepte"),
        pytest.param([], None, id="identique-accepte"),
    ],
)
def test_decisions_verrouillees_figent_les_demandes_stockees(moteur, appel, cellules, refusee):
    """Décisions verrouillées : une importation qui modifierait une demande déjà stockée
    (montants, budget, champs de la liste) est refusée en entier, message nommant les
    demandes, rien n'est écrit ; une nouvelle demande s'ajoute (elle passera l'examen)."""
    from evaluation.depot.importation import DecisionsVerrouillees
    from evaluation.notes import attributions

    importer(_lot(appel, moteur, ("a.xlsx", VALIDE)), appel, moteur=moteur)
    attributions.verrouiller(
        appel.id, True, moteur=moteur, auteur="pres@x.ca", quoi="decisions_verrouillees"
    )
    avant = _etat(moteur, appel)
    lot = _lot(appel, moteur, ("b.xlsx", _modifie(VALIDE, cellules)))
    if refusee:
        with pytest.raises(
            DecisionsVerrouillees, match="décisions de cet appel sont verrouill"
        ) as e:
            importer(lot, appel, moteur=moteur)
        for numero in refusee:
            assert numero in str(e.value)
        apres = _etat(moteur, appel)
        assert apres[0].equals(avant[0]) and apres[1].equals(avant[1])
        assert len(apres[2]) == len(avant[2])
        return
    rapport = importer(lot, appel, moteur=moteur)
    assert rapport.mises_a_jour == []
    assert rapport.creees == (["T-004"] if cellules else [])


@pytest.mark.parametrize(
    ("date_depot", "code", "fragment"),
    [
        pytest.param("2024-02-20", None, None, id="vraisemblable"),
        pytest.param(
            "2024-06-02", "date_depot_invraisemblable", "postérieure à aujourd'hui", id="a-venir"
        ),
        pytest.param(
            "2023-02-01",
            "date_depot_invraisemblable",
            "plus d'un an avant la date limite du 1er mars 2024",
            id="trop-tot",
        ),
        pytest.param("2024-03-04", "depot_en_retard", "3 jours après", id="en-retard"),
    ],
)
def test_date_de_depot_invraisemblable_avertie_et_situee(
    appel, monkeypatch, date_depot, code, fragment
):
    """Interprétation (`echeance.OUVERTURE_MAX`) : une date de dépôt à venir, ou plus d'un
    an avant la date limite (« L'appel à projets 2023-2024 s'est terminé le 1er mars
    2024. »), est un avertissement situé (fichier, feuille, ligne, colonne) qui dit comment
    corriger."""
    from evaluation.depot import echeance

    monkeypatch.setattr(echeance, "aujourdhui", lambda: dt.date(2024, 6, 1))
    verification = verifier_lot([("d.xlsx", _avec_depot([date_depot]))], appel)
    assert verification.sans_blocage
    vus = [
        p
        for p in verification.problemes
        if p.code in ("date_depot_invraisemblable", "depot_en_retard")
    ]
    if code is None:
        assert vus == []
        return
    (p,) = vus
    assert p.code == code and p.severite == "avertissement"
    assert (p.fichier, p.feuille, p.ligne, p.colonne) == ("d.xlsx", "Demandes", 2, "Date de dépôt")
    assert fragment in p.message
    if code == "date_depot_invraisemblable":
        assert "corrigez la cellule (AAAA-MM-JJ)" in p.message
        assert "l'analyste la vérifie à l'examen d'admissibilité" in p.message


# --- Numéros attribués (issue 18) : le ministère numérote, pas le demandeur -------------------

LORIENT = {
    **DEMANDE_MUNICIPALE,
    "Titre du projet": "Mission économique à Lorient",
    "Coût total du projet": 20000,
    "Montant demandé – année 1": 10000,
    "Contribution du demandeur": 10000,
    "Cofinancement externe": None,
}
MAILLAGE = "Organisation d'activités de maillage et de partage d'expertise"


def _deux_sans_numero(appel) -> bytes:
    """Deux demandes de Rimouski sans numéro ; chaque dépense nomme le titre de sa demande
    (casse et accents près : « MISSION ECONOMIQUE A LORIENT »)."""
    budget = depenses(DEPENSES_MUNICIPALES, titre=DEMANDE_MUNICIPALE["Titre du projet"])
    budget += depenses([(1, MAILLAGE, "Rencontres", 10000)], titre="MISSION ECONOMIQUE A LORIENT")
    return gabarit_rempli(appel, [DEMANDE_MUNICIPALE, LORIENT], budget)


def test_deux_demandes_sans_numero_et_reimportation_sans_copie(moteur, appel):
    """Deux lignes sans numéro : chacune reçoit le sien, unique dans l'appel, annoncé au
    rapport ; chaque dépense va à la demande de son titre. Réimporter le même fichier
    (toujours sans numéros) reconnaît les deux demandes (même municipalité, même titre) :
    rien n'est copié, les numéros ne changent pas."""
    verification = _lot(appel, moteur, ("rimouski.xlsx", _deux_sans_numero(appel)))
    assert [p.message for p in verification.problemes if p.severite != INFORMATION] == []
    (annonce,) = [p for p in verification.problemes if p.code == "numero_attribue"]
    assert "ligne 3 → PAIVMQ-2023-2024-001, ligne 4 → PAIVMQ-2023-2024-002" in annonce.message
    rapport = importer(verification, appel, moteur=moteur)
    assert rapport.creees == ["PAIVMQ-2023-2024-001", "PAIVMQ-2023-2024-002"]
    assert len(rapport.numeros_attribues) == 2 and rapport.reconnues == []
    demandes, lignes, _ = _etat(moteur, appel)
    assert demandes.set_index("no_demande")["titre"].to_dict() == {
        "PAIVMQ-2023-2024-001": "Jumelage maritime Rimouski-Brest",
        "PAIVMQ-2023-2024-002": "Mission économique à Lorient",
    }
    assert lignes.groupby("no_demande")["montant"].sum().to_dict() == {
        "PAIVMQ-2023-2024-001": 2_000_000,
        "PAIVMQ-2023-2024-002": 1_000_000,
    }

    encore = _lot(appel, moteur, ("rimouski.xlsx", _deux_sans_numero(appel)))
    (annonce,) = [p for p in encore.problemes if p.code == "numero_attribue"]
    assert "reconnues comme déjà importées" in annonce.message
    rapport = importer(encore, appel, moteur=moteur)
    assert rapport.creees == [] and rapport.numeros_attribues == []
    assert sorted(rapport.inchangees) == ["PAIVMQ-2023-2024-001", "PAIVMQ-2023-2024-002"]
    assert len(rapport.reconnues) == 2
    assert (rapport.avant, rapport.apres) == (2, 2)


def test_fichier_ou_certaines_lignes_ont_un_numero(moteur, appel):
    """Un export du ministère dont une ligne a son numéro et l'autre non : le numéro
    attribué suit la série des numéros de l'appel, sans reprendre un numéro pris."""
    entetes = ["No de demande", *DEMANDE_MUNICIPALE]
    lignes = [
        ["PAIVMQ-2024-041", *DEMANDE_MUNICIPALE.values()],
        [None, *LORIENT.values()],
    ]
    contenu = classeur({"Demandes": [entetes, *lignes]})
    verification = _lot(appel, moteur, ("export.xlsx", contenu))
    rapport = importer(verification, appel, moteur=moteur)
    assert rapport.creees == ["PAIVMQ-2024-041", "PAIVMQ-2024-042"]
    assert rapport.numeros_attribues == [
        "PAIVMQ-2024-042 : « Mission économique à Lorient » (export.xlsx, ligne 3)"
    ]


def test_numero_pris_entre_la_verification_et_l_importation(moteur, appel):
    """Une importation faite entre la vérification d'un lot et son importation prend le
    numéro que la vérification annonçait : l'importation en attribue un autre, dans sa
    transaction, plutôt que d'écraser la demande stockée."""
    premier = _lot(appel, moteur, ("a.xlsx", _deux_sans_numero(appel)))
    assert [d.no_demande for d in premier.demandes] == [
        "PAIVMQ-2023-2024-001",
        "PAIVMQ-2023-2024-002",
    ]
    autre = {**DEMANDE_MUNICIPALE, "Titre du projet": "Forum des villes portuaires"}
    entre_temps = gabarit_rempli(appel, [autre], depenses(DEPENSES_MUNICIPALES))
    importer(_lot(appel, moteur, ("b.xlsx", entre_temps)), appel, moteur=moteur)

    rapport = importer(premier, appel, moteur=moteur)
    assert rapport.creees == ["PAIVMQ-2023-2024-002", "PAIVMQ-2023-2024-003"]
    demandes, lignes, _ = _etat(moteur, appel)
    assert demandes.set_index("no_demande")["titre"].to_dict() == {
        "PAIVMQ-2023-2024-001": "Forum des villes portuaires",
        "PAIVMQ-2023-2024-002": "Jumelage maritime Rimouski-Brest",
        "PAIVMQ-2023-2024-003": "Mission économique à Lorient",
    }
    assert lignes.groupby("no_demande")["montant"].sum().to_dict() == {
        "PAIVMQ-2023-2024-001": 2_000_000,
        "PAIVMQ-2023-2024-002": 2_000_000,
        "PAIVMQ-2023-2024-003": 1_000_000,
    }


def test_sans_numero_et_deux_demandes_stockees_de_meme_identite_bloque(moteur, appel):
    """Deux demandes déjà stockées (numéros distincts) ont le demandeur et le titre d'une
    ligne sans numéro : aucune n'est choisie au hasard ; la ligne bloque et nomme les deux
    numéros, pour que l'analyste inscrive le bon."""
    entetes = ["No de demande", *DEMANDE_MUNICIPALE]
    lignes = [
        ["M-001", *DEMANDE_MUNICIPALE.values()],
        ["M-002", *DEMANDE_MUNICIPALE.values()],
    ]
    export = classeur({"Demandes": [entetes, *lignes]})
    importer(_lot(appel, moteur, ("export.xlsx", export)), appel, moteur=moteur)

    contenu = gabarit_rempli(appel, [DEMANDE_MUNICIPALE], depenses(DEPENSES_MUNICIPALES))
    verification = _lot(appel, moteur, ("rimouski.xlsx", contenu))
    (p,) = [p for p in verification.problemes if p.code == "demande_ambigue"]
    assert (p.severite, p.ligne, p.colonne) == ("bloquant", 3, "Titre du projet")
    assert "(M-001, M-002)" in p.message
    assert verification.selection()[0] == []


def test_dimensions_stockees_puis_mises_a_jour_a_la_reimportation(moteur):
    """Issue 18 : les dimensions d'une demande sont stockées en identifiants ; réimportée,
    une dimension changée est dite dans le rapport, et une dimension dont le fichier n'a pas
    la colonne garde sa valeur stockée."""
    from tests.dimensions import appel_avec_dimensions, demande, gabarit_rempli

    appel = appel_avec_dimensions()
    cellules = {
        "dimension:priorites": "Droits des femmes",
        "dimension:type-financement": "Projets ponctuels",
    }
    premier = gabarit_rempli(appel, [demande(appel, "Q-1", **cellules)])
    importer(_lot(appel, moteur, ("q.xlsx", premier)), appel, moteur=moteur)
    demandes, _, _ = _etat(moteur, appel)
    assert demandes.iloc[0]["dimensions"] == {
        "priorites": ["femmes"],
        "type-financement": ["ponctuel"],
    }

    cellules["dimension:priorites"] = "Jeunesse; Droits des femmes"
    second = gabarit_rempli(appel, [demande(appel, "Q-1", **cellules)])
    rapport = importer(_lot(appel, moteur, ("q2.xlsx", second)), appel, moteur=moteur)
    (changement,) = rapport.mises_a_jour
    assert changement.details == ["priorites : femmes → jeunesse ; femmes"]

    # Sans la colonne des priorités : elles restent telles que stockées.
    wb = load_workbook(io.BytesIO(second))
    feuille = wb["Demandes"]
    (j,) = [c.column for c in feuille[LIGNE_ENTETES] if c.value == "Priorités transversales"]
    feuille.delete_cols(j)
    sortie = io.BytesIO()
    wb.save(sortie)
    rapport = importer(_lot(appel, moteur, ("q3.xlsx", sortie.getvalue())), appel, moteur=moteur)
    assert rapport.mises_a_jour == [] and rapport.inchangees == ["Q-1"]
    demandes, _, _ = _etat(moteur, appel)
    assert demandes.iloc[0]["dimensions"]["priorites"] == ["jeunesse", "femmes"]


def test_importer_des_organismes(moteur, appel_organisme):
    """Un classeur d'organismes (issue 18) : nom et NEQ stockés, la municipalité et la
    région du siège dans `municipalite` et `region` ; une réimportation du même fichier ne
    change rien."""
    from tests.depot.test_validation import classeur_organismes

    contenu = classeur_organismes()
    rapport = importer(
        verifier_lot([("oci.xlsx", contenu)], appel_organisme), appel_organisme, moteur=moteur
    )
    assert sorted(rapport.creees) == ["Q-1", "Q-2"]
    with moteur.connect() as c:
        table = stockage.lire_demandes(appel_organisme.id, connexion=c)
    lignes = table.set_index("no_demande")[["organisme", "neq", "municipalite", "region"]]
    assert lignes.to_dict("index") == {
        "Q-1": {
            "organisme": "Solidarité Nord-Sud de Rimouski",
            "neq": "1145678901",
            "municipalite": "Rimouski",
            "region": "01",
        },
        "Q-2": {
            "organisme": "Carrefour Sherbrooke-Monde",
            "neq": "2245678901",
            "municipalite": "Sherbrooke",
            "region": "05",
        },
    }
    encore = importer(
        verifier_lot([("oci.xlsx", contenu)], appel_organisme, numeros_stockes=["Q-1", "Q-2"]),
        appel_organisme,
        moteur=moteur,
    )
    assert sorted(encore.inchangees) == ["Q-1", "Q-2"]
    with moteur.connect() as c:
        assert stockage.neq_des_demandes(appel_organisme.id, connexion=c) == {
            "1145678901": ["Q-1"],
            "2245678901": ["Q-2"],
        }


def _importer_organismes(moteur, appel, *lignes):
    from tests.depot.test_validation import classeur_organismes

    verification = _lot(appel, moteur, ("oci.xlsx", classeur_organismes(*lignes)))
    return verification, importer(verification, appel, moteur=moteur)


def test_homonyme_sans_numero_ne_reprend_pas_la_demande_d_un_autre_organisme(
    moteur, appel_organisme
):
    """Attaque de l'issue 18 : un organisme homonyme (autre NEQ, autre siège), même titre aux
    accents près, sans numéro, ne met pas à jour la demande stockée de l'autre : le NEQ est
    l'identité d'un organisme ; sa ligne devient une nouvelle demande, l'ancienne est
    intacte."""
    from tests.depot.test_validation import _ligne_organisme

    _importer_organismes(
        moteur,
        appel_organisme,
        _ligne_organisme(
            None,
            "Carrefour de solidarité internationale",
            "1145678901",
            "Sherbrooke",
            "Stages de volontariat au Sénégal",
        ),
    )
    _, rapport = _importer_organismes(
        moteur,
        appel_organisme,
        _ligne_organisme(
            None,
            "CARREFOUR DE SOLIDARITÉ INTERNATIONALE",
            "2245678902",
            "Rimouski",
            "Stages de volontariat au Senegal",
        ),
    )
    assert rapport.reconnues == [] and rapport.mises_a_jour == []
    assert len(rapport.creees) == 1
    demandes, _, _ = _etat(moteur, appel_organisme)
    assert sorted(zip(demandes["neq"], demandes["municipalite"], strict=True)) == [
        ("1145678901", "Sherbrooke"),
        ("2245678902", "Rimouski"),
    ]
    # Le même organisme (même NEQ), même titre aux accents près : reconnu, mis à jour.
    _, encore = _importer_organismes(
        moteur,
        appel_organisme,
        _ligne_organisme(
            None,
            "Carrefour de solidarite internationale",
            "1145 678 901",
            "Sherbrooke",
            "STAGES DE VOLONTARIAT AU SENEGAL",
        ),
    )
    assert encore.creees == [] and len(encore.reconnues) == 1


def test_numero_d_un_autre_organisme_bloque_et_nomme_les_deux(moteur, appel_organisme):
    """Avec le numéro d'une demande stockée, une ligne d'un autre organisme (autre NEQ)
    bloque : le message nomme les deux demandeurs et dit quoi faire ; rien n'est écrasé."""
    from tests.depot.test_validation import _ligne_organisme

    _importer_organismes(
        moteur, appel_organisme, _ligne_organisme("Q-1", "Carrefour", "1145678901", "Sherbrooke")
    )
    verification, rapport = _importer_organismes(
        moteur, appel_organisme, _ligne_organisme("Q-1", "CARREFOUR", "2245678902", "Rimouski")
    )
    (p,) = [p for p in verification.problemes if p.code == "autre_demandeur"]
    assert (p.severite, p.ligne, p.colonne) == ("bloquant", 2, "No de demande")
    assert "« Carrefour » (NEQ 1145678901, Sherbrooke)" in p.message
    assert "« CARREFOUR » (NEQ 2245678902, Rimouski)" in p.message
    assert "Vérifiez le numéro" in p.message and "retirez-la d'abord" in p.message
    assert rapport.mises_a_jour == [] and rapport.creees == []
    demandes, _, _ = _etat(moteur, appel_organisme)
    assert list(demandes["neq"]) == ["1145678901"]


def test_changement_du_siege_dit_municipalite_du_siege(moteur, appel_organisme):
    """Le même organisme (même NEQ) qui déménage : mise à jour, et le rapport dit
    « Municipalité du siège » (libellé du gabarit d'un appel d'organismes)."""
    from tests.depot.test_validation import _ligne_organisme

    _importer_organismes(
        moteur, appel_organisme, _ligne_organisme("Q-1", "Carrefour", "1145678901", "Sherbrooke")
    )
    _, rapport = _importer_organismes(
        moteur, appel_organisme, _ligne_organisme("Q-1", "Carrefour", "1145678901", "Rimouski")
    )
    (changement,) = rapport.mises_a_jour
    assert any(
        d.startswith("Municipalité du siège : Sherbrooke → Rimouski") for d in changement.details
    )


def test_numero_d_une_autre_municipalite_bloque(moteur, appel):
    """Appel municipal : une ligne qui porte le numéro d'une demande stockée d'une autre
    municipalité (autre code géographique) bloque, sans rien écraser ; sans numéro, une
    autre municipalité au même titre est une autre demande."""
    importer(
        _lot(
            appel,
            moteur,
            (
                "a.xlsx",
                classeur(
                    {
                        "Demandes": [
                            ["No de demande", *DEMANDE_MUNICIPALE],
                            ["M-001", *DEMANDE_MUNICIPALE.values()],
                        ]
                    }
                ),
            ),
        ),
        appel,
        moteur=moteur,
    )
    autre = {
        **DEMANDE_MUNICIPALE,
        "Municipalité requérante": "Sherbrooke",
        "Région administrative": "05 – Estrie",
    }
    verification = _lot(
        appel,
        moteur,
        ("b.xlsx", classeur({"Demandes": [["No de demande", *autre], ["M-001", *autre.values()]]})),
    )
    (p,) = [p for p in verification.problemes if p.code == "autre_demandeur"]
    assert p.severite == "bloquant"
    assert "Rimouski" in p.message and "Sherbrooke" in p.message
    assert verification.selection()[0] == []

    sans_numero = _lot(
        appel, moteur, ("c.xlsx", classeur({"Demandes": [list(autre), list(autre.values())]}))
    )
    assert [d.reconnue for d in sans_numero.demandes] == [False]


def test_autre_demandeur_stocke_entre_verification_et_importation_ecarte(moteur, appel_organisme):
    """Une importation faite entre la vérification d'un lot et son importation stocke Q-1
    pour un autre organisme : la ligne de Q-1 est écartée dans la transaction (les deux
    demandeurs nommés), la demande stockée reste intacte."""
    from tests.depot.test_validation import _ligne_organisme, classeur_organismes

    ligne = _ligne_organisme("Q-1", "Carrefour", "2245678902", "Rimouski")
    premier = _lot(appel_organisme, moteur, ("a.xlsx", classeur_organismes(ligne)))
    _importer_organismes(
        moteur, appel_organisme, _ligne_organisme("Q-1", "Autre", "1145678901", "Sherbrooke")
    )
    rapport = importer(premier, appel_organisme, moteur=moteur)
    assert rapport.mises_a_jour == [] and rapport.creees == []
    (ecartee,) = rapport.ecartees
    assert "NEQ 1145678901" in ecartee and "NEQ 2245678902" in ecartee
    demandes, _, _ = _etat(moteur, appel_organisme)
    assert list(demandes["neq"]) == ["1145678901"]


def test_correspondance_retenue_avec_l_importation_et_reprise(moteur, appel):
    """Issue 19, point 7 : la colonne « Partenaire(s) étranger(s) » reliée par l'analyste est
    importée dans « Partenaires étrangers », la correspondance est retenue dans la même
    transaction, et le fichier suivant de même forme la reprend d'avance."""
    from evaluation.depot.correspondances import TOUS_LES_FICHIERS
    from tests.depot.test_correspondances import PARTENAIRES, export_partenaires

    relie = {"mai.xlsx": {PARTENAIRES: "partenaires_etrangers"}}
    with moteur.connect() as c:
        numeros = stockage.numeros_demandes(appel.id, connexion=c)
    lot = verifier_lot(
        [("mai.xlsx", export_partenaires())], appel, numeros_stockes=numeros, correspondances=relie
    )
    rapport = importer(lot, appel, moteur=moteur, auteur="analyste", correspondances=relie)
    assert list(rapport.correspondances_retenues.values()) == [relie["mai.xlsx"]]
    demandes, _, _ = _etat(moteur, appel)
    assert demandes.set_index("no_demande").loc["T-001", "partenaires_etrangers"] == (
        "Ville de Brest"
    )
    with moteur.connect() as c:
        memoire = {
            e: x["correspondance"]
            for e, x in stockage.lire_correspondances(appel.id, connexion=c).items()
        }
    assert list(memoire.values()) == [relie["mai.xlsx"]]
    journal = _etat(moteur, appel)[2]
    assert journal.iloc[0]["rapport"]["correspondances_retenues"] == {
        "mai.xlsx (feuille Demandes)": relie["mai.xlsx"]
    }
    juin = verifier_lot([("juin.xlsx", export_partenaires())], appel, memoire=memoire)
    tableau = juin.lus[0].tableaux[0]
    assert tableau.memorisee == {PARTENAIRES: "partenaires_etrangers"}
    assert juin.demandes[0].valeurs["partenaires_etrangers"] == "Ville de Brest"
    # Réimportée telle quelle, la correspondance n'est pas réécrite ; remise de côté, effacée.
    assert importer(juin, appel, moteur=moteur).correspondances_retenues == {}
    ignore = {TOUS_LES_FICHIERS: {PARTENAIRES: ""}}
    juillet = verifier_lot(
        [("juillet.xlsx", export_partenaires())], appel, correspondances=ignore, memoire=memoire
    )
    rapport = importer(juillet, appel, moteur=moteur, correspondances=ignore)
    assert list(rapport.correspondances_retenues.values()) == [{}]
    with moteur.connect() as c:
        assert stockage.lire_correspondances(appel.id, connexion=c) == {}


def test_correspondance_non_retenue_si_l_importation_echoue(moteur, appel, monkeypatch):
    from tests.depot.test_correspondances import PARTENAIRES, export_partenaires

    relie = {"mai.xlsx": {PARTENAIRES: "partenaires_etrangers"}}
    lot = verifier_lot([("mai.xlsx", export_partenaires())], appel, correspondances=relie)

    def panne(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(stockage, "finaliser_importation", panne)
    with pytest.raises(RuntimeError, match="disque plein"):
        importer(lot, appel, moteur=moteur, correspondances=relie)
    with moteur.connect() as c:
        assert stockage.lire_correspondances(appel.id, connexion=c) == {}
        assert stockage.compter_demandes(appel.id, connexion=c) == 0
