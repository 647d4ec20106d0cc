"""Les règles du suivi après la décision (issue 17, point 4) : versements prévus par année
financière, refus d'un versement, échéance du rapport financier et narratif, retards.

Phrases de l'appel sur lesquelles elles reposent :

- « L'engagement financier du gouvernement du Québec, sous réserve des prérogatives de
  l'Assemblée nationale au regard de l'adoption des crédits annuels, porte sur une ou deux
  années financières débutant le 1er avril 2024 et se terminant le 31 mars 2025. »
- le ministère « conserve cependant la responsabilité de la sélection définitive des projets
  et de la détermination des sommes qui leur seront accordées ».
- « Les organisations dont les projets auront été sélectionnés s'engagent à produire un
  rapport financier et narratif sur le projet financé faisant notamment état des retombées
  escomptées. » (aucune échéance : réglage du ministère, [suivi] du TOML).
"""

import datetime as dt
import re

import pytest

from evaluation.appels.configuration import ErreurAppel, appel_depuis_toml
from evaluation.decision import suivi_financier as s

D = dt.date
AUJOURD_HUI = D(2025, 1, 15)
ACCORDES = (2_500_000, 1_000_000)  # 25 000 $ en 2024-2025, 10 000 $ en 2025-2026


def _avec_suivi(appel, delai: int, depuis: str):
    texte = appel.source_toml.replace(
        "rapport_delai_jours = 90", f"rapport_delai_jours = {delai}"
    ).replace('rapport_depuis = "fin_projet"', f'rapport_depuis = "{depuis}"')
    return appel_depuis_toml(texte, "test")


def test_exercices_de_l_appel(appel):
    """Les années financières viennent de la configuration : 2024-2025 puis 2025-2026."""
    assert [(e.annee, e.debut, e.fin, e.libelle) for e in s.exercices(appel)] == [
        (1, D(2024, 4, 1), D(2025, 3, 31), "2024-2025"),
        (2, D(2025, 4, 1), D(2026, 3, 31), "2025-2026"),
    ]


@pytest.mark.parametrize(
    ("montants", "attendus"),
    [
        ((2_500_000, 1_000_000), {1: 2_500_000, 2: 1_000_000}),
        ((2_000_000,), {1: 2_000_000, 2: 0}),
        ((2_000_000, 0), {1: 2_000_000, 2: 0}),
        ((), {1: 0, 2: 0}),
        ((100, 200, 300), {1: 100, 2: 200}),  # une troisième année que l'appel ne finance pas
    ],
)
def test_versements_prevus_par_annee_financiere(appel, montants, attendus):
    """« porte sur une ou deux années financières […] sous réserve […] de l'adoption des
    crédits annuels » : le montant accordé d'une année est son versement prévu."""
    assert s.versements_prevus(appel, montants) == attendus


def _refus(appel, **autres):
    valeurs = {
        "prevus": {1: ACCORDES[0], 2: ACCORDES[1]},
        "deja_verses": {1: 1_500_000},
        "annee": 1,
        "montant_verse": 1_000_000,
        "date_versement": D(2024, 9, 1),
        "date_signature": D(2024, 6, 1),
        "aujourd_hui": AUJOURD_HUI,
    }
    return s.refus_versement(appel, **(valeurs | autres))


def test_versement_jusqu_au_montant_accorde(appel):
    """15 000 $ déjà versés sur 25 000 $ : les 10 000 $ qui restent s'inscrivent."""
    assert _refus(appel) is None
    assert (
        _refus(
            appel,
            annee=2,
            montant_verse=1_000_000,
            deja_verses={},
            date_versement=D(2025, 4, 15),
            aujourd_hui=D(2025, 6, 1),
        )
        is None
    )


def test_versement_de_l_an_2_des_le_debut_de_son_annee_financiere(appel):
    """« porte sur une ou deux années financières débutant le 1er avril 2024 » ; le montant
    d'une année se verse sur les crédits de cette année (interprétation, voir le module) :
    le versement de 2025-2026 s'inscrit dès le 1er avril 2025, pas la veille."""
    an2 = {"annee": 2, "montant_verse": 100_000, "deja_verses": {}, "aujourd_hui": D(2025, 6, 1)}
    assert _refus(appel, **an2, date_versement=D(2025, 4, 1)) is None
    assert "avant le début de l'année financière" in _refus(
        appel, **an2, date_versement=D(2025, 3, 31)
    )


@pytest.mark.parametrize(
    ("autres", "motif"),
    [
        # « la détermination des sommes qui leur seront accordées » revient au ministère.
        (
            {"montant_verse": 1_000_001},
            r"porterait le total versé pour 2024-2025 à 25 000,01 \$, au-delà des 25 000 \$ "
            r"accordés \(déjà versé : 15 000 \$ ; reste à verser : 10 000 \$\)",
        ),
        ({"annee": 3}, "l'année 3 n'en est pas une"),
        ({"annee": 2, "prevus": {1: ACCORDES[0], 2: 0}}, "aucun montant n'est accordé pour 2025"),
        ({"montant_verse": 0}, "plus grand que 0"),
        ({"montant_verse": -5}, "plus grand que 0"),
        ({"date_signature": None}, "aucune convention n'est signée"),
        ({"date_versement": D(2024, 5, 31)}, "avant la signature de la convention"),
        ({"date_versement": D(2025, 1, 16)}, "après aujourd'hui"),
        # Un versement de 2025-2026 se fait sur ses crédits, pas avant le 1er avril 2025.
        (
            {"annee": 2, "montant_verse": 100_000, "date_versement": D(2024, 9, 1)},
            r"avant le début de l'année financière 2025-2026 \(1er avril 2025\)",
        ),
    ],
)
def test_versement_refuse(appel, autres, motif):
    """Chaque refus dit pourquoi et quoi faire ; un trop-payé est refusé, pas seulement
    signalé (voir le docstring du module)."""
    refus = _refus(appel, **autres)
    assert refus is not None
    assert re.search(motif, refus.replace("\u00a0", " ")), refus


def test_echeance_par_defaut_90_jours_apres_la_fin_du_projet(appel):
    """Réglage livré (réglage du ministère) : 90 jours après la fin du projet déclarée."""
    assert (appel.rapport_delai_jours, appel.rapport_depuis) == (90, "fin_projet")
    assert s.echeance_rapport(appel, ACCORDES, fin_projet=D(2025, 12, 31)) == (
        D(2026, 3, 31),
        s.PAR_REGLAGE,
    )


def test_echeance_sans_fin_de_projet_fin_de_la_derniere_annee_accordee(appel):
    """Sans date de fin déclarée : la fin de la dernière année financière accordée."""
    assert s.echeance_rapport(appel, ACCORDES, fin_projet=None)[0] == D(2026, 6, 29)
    assert s.echeance_rapport(appel, (2_000_000, 0), fin_projet=None)[0] == D(2025, 6, 29)


def test_echeance_selon_le_reglage_de_l_appel(appel):
    """Un autre appel, un autre réglage : 60 jours après la fin du financement, même si la
    demande déclare une fin de projet."""
    autre = _avec_suivi(appel, 60, "fin_financement")
    assert s.echeance_rapport(autre, (2_000_000,), fin_projet=D(2024, 12, 31))[0] == D(2025, 5, 30)


def test_la_convention_fixe_l_echeance(appel):
    assert s.echeance_rapport(
        appel, ACCORDES, fin_projet=D(2025, 12, 31), echeance_convention=D(2026, 1, 15)
    ) == (D(2026, 1, 15), s.PAR_CONVENTION)


@pytest.mark.parametrize(
    ("texte", "motif"),
    [
        ("rapport_delai_jours = -1", "rapport_delai_jours vaut -1"),
        ("rapport_delai_jours = 99999", "de 0 à 3660"),
        ('rapport_depuis = "fin_annee"', "rapport_depuis = « fin_annee » inconnu"),
    ],
)
def test_reglage_du_suivi_invalide(appel, texte, motif):
    cle = texte.split(" = ")[0]
    ligne = next(x for x in appel.source_toml.splitlines() if x.startswith(cle + " ="))
    with pytest.raises(ErreurAppel, match=motif):
        appel_depuis_toml(appel.source_toml.replace(ligne, texte), "test")


@pytest.mark.parametrize(
    ("echeance", "recu", "au", "attendu"),
    [
        (D(2026, 3, 31), None, D(2026, 3, 31), (s.A_VENIR, 0)),
        (D(2026, 3, 31), None, D(2026, 4, 1), (s.EN_RETARD, 1)),
        (D(2026, 3, 31), None, D(2026, 5, 1), (s.EN_RETARD, 31)),
        (D(2026, 3, 31), D(2026, 3, 31), D(2026, 5, 1), (s.RECU, 0)),
        (D(2026, 3, 31), D(2026, 4, 10), D(2026, 5, 1), (s.RECU_EN_RETARD, 10)),
    ],
)
def test_etat_du_rapport(echeance, recu, au, attendu):
    """Le lendemain de l'échéance, le rapport a un jour de retard."""
    assert s.etat_rapport(echeance, recu, au) == attendu


def _dossier(no, demande_id, montants=ACCORDES, financee=True, fin=None):
    return {
        "demande_id": demande_id,
        "no_demande": no,
        "titre": f"Projet {no}",
        "municipalite": "Lévis",
        "date_fin": fin,
        "montants": montants,
        "financee": financee,
    }


def test_tableau_et_retards(appel):
    """Quatre dossiers au 1er juillet 2026 : A signé, tout versé, rapport en retard de
    2 jours ; B sans convention ; C n'est plus retenue mais a reçu 5 000 $ ; D, projet fini
    le 31 décembre 2024, rapport en retard de 457 jours."""
    au = D(2026, 7, 1)
    dossiers = [
        _dossier("A", 1),
        _dossier("B", 2),
        _dossier("C", 3, montants=(), financee=False),
        _dossier("D", 4, montants=(2_000_000,), fin=D(2024, 12, 31)),
    ]
    conventions = {
        1: {"date_signature": D(2024, 6, 1), "echeance_rapport": None},
        3: {"date_signature": D(2024, 6, 1), "echeance_rapport": None},
        4: {"date_signature": D(2024, 6, 1), "echeance_rapport": None},
    }
    versements = [
        {"demande_id": 1, "annee": 1, "montant_verse": 2_500_000},
        {"demande_id": 1, "annee": 2, "montant_verse": 600_000},
        {"demande_id": 1, "annee": 2, "montant_verse": 400_000},
        {"demande_id": 3, "annee": 1, "montant_verse": 500_000},
    ]
    table = s.tableau(
        appel, dossiers, conventions=conventions, versements=versements, rapports={}, au=au
    )
    a, b, c, d = (table.iloc[i] for i in range(4))
    assert (a["prevu_an1"], a["verse_an1"], a["prevu_an2"], a["verse_an2"]) == (
        2_500_000,
        2_500_000,
        1_000_000,
        1_000_000,
    )
    assert (a["total_prevu"], a["total_verse"], a["reste"]) == (3_500_000, 3_500_000, 0)
    assert a["echeance_rapport"] == D(2026, 6, 29)
    assert a["statut"] == "rapport en retard (2 jours)"
    assert b["statut"] == s.CONVENTION_A_SIGNER and b["date_signature"] is None
    assert (c["prevu_an1"], c["verse_an1"], c["statut"]) == (0, 500_000, s.A_REGULARISER)
    assert d["echeance_rapport"] == D(2025, 3, 31)  # 90 jours après le 31 décembre 2024
    assert d["retard_jours"] == 457
    # C n'est plus retenue mais a été payée : son rapport reste dû (échéance de la fin de
    # 2024-2025, 367 jours) ; B, sans convention, aussi (« s'engagent à produire un rapport »
    # dès la sélection). À retard égal (A et B, 2 jours), le numéro départage.
    retards = s.en_retard(table)
    assert retards["no_demande"].tolist() == ["D", "C", "A", "B"]
    assert retards["retard_jours"].tolist() == [457, 367, 2, 2]


def test_statuts_apres_versement_et_rapport(appel):
    au = D(2025, 6, 1)
    conventions = {1: {"date_signature": D(2024, 6, 1), "echeance_rapport": D(2026, 1, 1)}}
    versements = [{"demande_id": 1, "annee": 1, "montant_verse": 2_000_000}]

    def statut(versements, rapports):
        table = s.tableau(
            appel,
            [_dossier("A", 1, montants=(2_000_000,))],
            conventions=conventions,
            versements=versements,
            rapports=rapports,
            au=au,
        )
        return table.iloc[0]["statut"], table.iloc[0]["echeance_source"]

    assert statut([], {}) == (s.VERSEMENTS_EN_COURS, s.PAR_CONVENTION)
    assert statut(versements, {})[0] == s.RAPPORT_ATTENDU
    assert statut(versements, {1: {"date_recu": D(2025, 5, 1)}})[0] == s.TERMINE


def test_retards_tries_du_plus_ancien_puis_par_numero(appel):
    """Tri stable : à retard égal, le numéro de demande départage."""
    au = D(2026, 8, 1)
    dossiers = [_dossier(n, i) for i, n in enumerate(["Z", "B", "M"], 1)]
    dossiers[2]["date_fin"] = D(2025, 1, 1)  # M : bien plus en retard
    table = s.tableau(appel, dossiers, conventions={}, versements=[], rapports={}, au=au)
    assert s.en_retard(table)["no_demande"].tolist() == ["M", "B", "Z"]


def test_lecture_de_l_echeance(appel):
    texte = s.lecture_echeance(appel)
    assert texte.startswith("Rapport financier et narratif dû 90 jours après la fin du projet")
    assert "réglage du ministère" in texte


def test_appel_sans_section_suivi_garde_les_valeurs_par_defaut(appel):
    """Un appel enregistré avant l'issue 17 n'a pas de [suivi] : 90 jours après la fin du
    projet, valeurs par défaut que la page Paramètres signale comme sans source."""
    from evaluation.appels import reglages

    debut = appel.source_toml.index("[suivi]")
    fin = appel.source_toml.index("[depenses]")
    texte = appel.source_toml[:debut] + appel.source_toml[fin:]
    texte = "\n".join(x for x in texte.splitlines() if not x.startswith('"suivi.'))
    ancien = appel_depuis_toml(texte, "test")
    assert (ancien.rapport_delai_jours, ancien.rapport_depuis) == (90, "fin_projet")
    sans = {r.chemin: r.valeur for r in reglages.sans_source(ancien)}
    assert sans == {"suivi.rapport_delai_jours": 90, "suivi.rapport_depuis": "fin_projet"}


def test_trop_paye_apres_une_decision_reduite(appel):
    """20 000 $ versés en 2024-2025, puis le ministère réduit la décision à 5 000 $ (il
    « conserve […] la responsabilité […] de la détermination des sommes ») : le dossier est
    « trop-payé à régulariser (15 000 $) », avant tout autre statut (même un rapport en
    retard), et vient en tête des dossiers à régulariser. Interprétation (pratique du
    ministère) : signalé, pas refusé."""
    au = D(2026, 7, 1)
    dossiers = [
        _dossier("A", 1, montants=(500_000,), fin=D(2024, 12, 31)),
        _dossier("B", 2, montants=(2_000_000,)),
        _dossier("C", 3, montants=(), financee=False),
    ]
    conventions = {
        i: {"date_signature": D(2024, 6, 1), "echeance_rapport": None} for i in (1, 2, 3)
    }
    versements = [
        {"demande_id": 1, "annee": 1, "montant_verse": 2_000_000},
        {"demande_id": 2, "annee": 1, "montant_verse": 2_000_000},
        {"demande_id": 3, "annee": 1, "montant_verse": 100_000},
    ]
    table = s.tableau(
        appel, dossiers, conventions=conventions, versements=versements, rapports={}, au=au
    )
    a, b = table.iloc[0], table.iloc[1]
    assert (a["reste"], a["trop_paye"]) == (-1_500_000, 1_500_000)
    assert a["statut"].replace("\u00a0", " ") == "trop-payé à régulariser (15 000 $)"
    assert a["etat_rapport"] == s.EN_RETARD  # le retard reste lu dans la liste des retards
    assert b["trop_paye"] == 0 and not b["statut"].startswith(s.TROP_PAYE)
    assert s.a_regulariser(table)["no_demande"].tolist() == ["A", "C"]
    assert s.trop_payes(appel, (500_000, 0), {1: 2_000_000, 2: 0}) == {1: (2_000_000, 500_000)}
    assert s.trop_payes(appel, (500_000, 0), {1: 500_000}) == {}
    assert s.lecture_trop_payes(appel, {1: (2_000_000, 500_000)}).replace("\u00a0", " ") == (
        "20 000 $ déjà versés pour 2024-2025, plus que les 5 000 $ accordés"
    )
