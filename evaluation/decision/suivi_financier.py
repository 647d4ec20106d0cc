"""Après la décision (issue 17, point 4) : les versements prévus et faits par année
financière, l'échéance du rapport financier et narratif, les rapports en retard. Règles
pures : elles calculent sur les décisions, conventions, versements et rapports qu'on leur
donne et ne lisent pas la base (`decision.conventions` lit, appelle, écrit).

Ce que dit l'appel, et ce qu'il ne dit pas :

- « L'engagement financier du gouvernement du Québec, sous réserve des prérogatives de
  l'Assemblée nationale au regard de l'adoption des crédits annuels, porte sur une ou deux
  années financières débutant le 1er avril 2024 et se terminant le 31 mars 2025. » Lecture
  retenue (interprétation) : le montant accordé pour une année financière est le versement
  prévu de cette année-là, sur les crédits de cette année (`versements_prevus`) ; les années
  sont celles de la configuration (`Financement.annees_financieres`).
- Le ministère « conserve cependant la responsabilité de la sélection définitive des
  projets et de la détermination des sommes qui leur seront accordées ». Un versement qui
  porterait le total versé d'une année au-delà du montant accordé pour cette année est donc
  refusé, pas seulement signalé (`refus_versement`) : il verserait une somme qu'aucune
  décision n'a déterminée, sur des crédits annuels que la décision n'a pas engagés. Si le
  montant doit changer, c'est la décision qui change d'abord.
- « Les organisations dont les projets auront été sélectionnés s'engagent à produire un
  rapport financier et narratif sur le projet financé faisant notamment état des retombées
  escomptées. » Un rapport par projet. L'appel n'en fixe pas l'échéance : elle vient des
  réglages du ministère ([suivi] `rapport_delai_jours`, `rapport_depuis`), sauf si la
  convention signée en fixe une autre (`echeance_rapport`).
- L'appel ne parle pas de convention. Pratique d'un ministère québécois (issue 17 : une
  recommandation du comité, la décision, les lettres, puis une convention et les
  rapports) : un versement se fait en vertu d'une convention signée, jamais avant sa
  signature ; règle de procédure, non du texte de l'appel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from evaluation.appels.configuration import LIBELLES_RAPPORT_DEPUIS, Appel
from evaluation.socle.formats import date as date_lisible
from evaluation.socle.formats import montant, pluriel

# L'état du rapport financier et narratif d'un projet.
RECU = "reçu"
RECU_EN_RETARD = "reçu en retard"
EN_RETARD = "en retard"
A_VENIR = "à venir"
SANS_ECHEANCE = "sans échéance"

# L'état d'ensemble d'un dossier, dans l'ordre où il se lit sur la page.
A_REGULARISER = "n'est plus retenue : versements à régulariser"
TROP_PAYE = "trop-payé à régulariser"
CONVENTION_A_SIGNER = "convention à signer"
RAPPORT_EN_RETARD = "rapport en retard"
VERSEMENTS_EN_COURS = "versements en cours"
RAPPORT_ATTENDU = "rapport attendu"
TERMINE = "terminé"

# D'où vient l'échéance du rapport.
PAR_CONVENTION = "convention"
PAR_REGLAGE = "réglage du ministère"


@dataclass(frozen=True)
class Exercice:
    """Une année financière de l'appel : son rang (1, 2…), ses bornes, « 2024-2025 »."""

    annee: int
    debut: dt.date
    fin: dt.date

    @property
    def libelle(self) -> str:
        return f"{self.debut.year}-{self.fin.year}"


def exercices(appel: Appel) -> list[Exercice]:
    """Les années financières de l'appel (1er avril au 31 mars), de la configuration."""
    return [
        Exercice(i, debut, fin)
        for i, (debut, fin) in enumerate(appel.financement.annees_financieres(), 1)
    ]


def versements_prevus(appel: Appel, montants: Sequence[int]) -> dict[int, int]:
    """{année: cents} : le montant accordé de chaque année financière que l'appel finance,
    versé sur les crédits de cette année (« sous réserve […] de l'adoption des crédits
    annuels, porte sur une ou deux années financières » : interprétation, voir le module).
    Une année sans montant accordé n'a aucun versement prévu (0)."""
    n = len(appel.financement.annees_financieres())
    montants = [int(m or 0) for m in montants][:n]
    return {a: (montants[a - 1] if a <= len(montants) else 0) for a in range(1, n + 1)}


def verses_par_annee(versements: Sequence[Mapping]) -> dict[int, int]:
    """{année: cents versés} d'une demande, chaque versement compté."""
    sommes: dict[int, int] = {}
    for v in versements:
        sommes[int(v["annee"])] = sommes.get(int(v["annee"]), 0) + int(v["montant_verse"])
    return sommes


def trop_payes(
    appel: Appel, montants: Sequence[int], verses: Mapping[int, int]
) -> dict[int, tuple[int, int]]:
    """{année: (versé, accordé)} des années financières où le total versé dépasse le montant
    accordé (cents) : la décision a été réduite après des versements.

    Interprétation (pratique du ministère) : le ministère « conserve […] la responsabilité
    […] de la détermination des sommes » et peut donc réduire une somme déjà en partie
    versée ; ce n'est pas refusé, mais l'excédent est un trop-payé à régulariser
    (récupération ou nouvelle décision), signalé en premier dans le suivi."""
    prevus = versements_prevus(appel, montants)
    return {
        a: (int(v), int(prevus.get(a, 0)))
        for a, v in sorted(verses.items())
        if int(v) > int(prevus.get(a, 0))
    }


def lecture_trop_payes(appel: Appel, trop: Mapping[int, tuple[int, int]]) -> str:
    """« 20 000 $ déjà versés pour 2024-2025, plus que les 5 000 $ accordés » (années
    jointes par « ; »), pour les messages."""
    libelles = {e.annee: e.libelle for e in exercices(appel)}
    return " ; ".join(
        f"{montant(v)} déjà versés pour {libelles.get(a, f'l’année {a}')}, plus que les "
        f"{montant(p)} accordés"
        for a, (v, p) in trop.items()
    )


def refus_versement(
    appel: Appel,
    *,
    prevus: Mapping[int, int],
    deja_verses: Mapping[int, int],
    annee: int,
    montant_verse: int,
    date_versement: dt.date,
    date_signature: dt.date | None,
    aujourd_hui: dt.date,
) -> str | None:
    """Le refus d'un versement à inscrire (None : il s'inscrit), en français, qui dit quoi
    faire. Refusés : une année que l'appel ne finance pas ou sans montant accordé ; un
    montant nul ou négatif ; un total versé de l'année au-delà du montant accordé (« la
    détermination des sommes qui leur seront accordées » revient au ministère : on change
    la décision d'abord) ; un versement sans convention signée ou daté d'avant sa signature
    (pratique du ministère) ; un versement daté d'avant le début de son année financière
    (interprétation : « porte sur une ou deux années financières débutant le 1er avril
    2024 » et le montant d'une année se verse « sur les crédits de cette année », voir le
    module) ; un versement daté d'après aujourd'hui (on inscrit un versement fait)."""
    par_annee = {e.annee: e for e in exercices(appel)}
    if annee not in par_annee:
        return (
            f"l'appel finance {pluriel(len(par_annee), 'année financière', 'années financières')}"
            f" : l'année {annee} n'en est pas une."
        )
    exercice = par_annee[annee].libelle
    prevu = int(prevus.get(annee, 0))
    if prevu <= 0:
        return (
            f"aucun montant n'est accordé pour {exercice} : aucun versement n'y est prévu. "
            "Si la décision change, inscrivez-la d'abord."
        )
    if montant_verse <= 0:
        return "le montant versé doit être plus grand que 0 $."
    deja = int(deja_verses.get(annee, 0))
    if deja + montant_verse > prevu:
        return (
            f"{montant(montant_verse)} porterait le total versé pour {exercice} à "
            f"{montant(deja + montant_verse)}, au-delà des {montant(prevu)} accordés "
            f"(déjà versé : {montant(deja)} ; reste à verser : {montant(prevu - deja)}). "
            "Le ministère détermine les sommes accordées : faites d'abord modifier la "
            "décision si le montant doit changer."
        )
    if date_signature is None:
        return (
            "aucune convention n'est signée pour cette demande : inscrivez d'abord la date "
            "de signature de la convention, puis le versement."
        )
    if date_versement < date_signature:
        return (
            f"versement daté du {date_lisible(date_versement)}, avant la signature de la "
            f"convention ({date_lisible(date_signature)}) : vérifiez la date."
        )
    debut = par_annee[annee].debut
    if date_versement < debut:
        return (
            f"versement daté du {date_lisible(date_versement)}, avant le début de l'année "
            f"financière {exercice} ({date_lisible(debut)}) : un versement de cette année se "
            "fait sur ses crédits. Vérifiez la date, ou choisissez l'année financière du "
            "versement."
        )
    if date_versement > aujourd_hui:
        return (
            f"versement daté du {date_lisible(date_versement)}, après aujourd'hui : "
            "n'inscrivez un versement qu'une fois fait."
        )
    return None


def refus_convention(
    date_signature: dt.date, echeance_rapport: dt.date | None, aujourd_hui: dt.date
) -> str | None:
    """Le refus d'une convention à inscrire (None : elle s'inscrit) : signée après
    aujourd'hui, ou une échéance du rapport qui ne suit pas la signature."""
    if date_signature > aujourd_hui:
        return (
            f"convention datée du {date_lisible(date_signature)}, après aujourd'hui : "
            "n'inscrivez une convention qu'une fois signée."
        )
    if echeance_rapport is not None and echeance_rapport <= date_signature:
        return (
            f"l'échéance du rapport ({date_lisible(echeance_rapport)}) doit suivre la "
            f"signature de la convention ({date_lisible(date_signature)})."
        )
    return None


def refus_rapport(
    date_recu: dt.date, date_signature: dt.date | None, aujourd_hui: dt.date
) -> str | None:
    """Le refus d'un rapport reçu à inscrire (None : il s'inscrit) : reçu après aujourd'hui,
    ou avant la signature de la convention (le rapport porte sur le projet financé)."""
    if date_recu > aujourd_hui:
        return (
            f"rapport reçu le {date_lisible(date_recu)}, après aujourd'hui : n'inscrivez un "
            "rapport qu'une fois reçu."
        )
    if date_signature is not None and date_recu < date_signature:
        return (
            f"rapport reçu le {date_lisible(date_recu)}, avant la signature de la convention "
            f"({date_lisible(date_signature)}) : vérifiez la date."
        )
    return None


def echeance_rapport(
    appel: Appel,
    montants: Sequence[int],
    *,
    fin_projet: dt.date | None,
    echeance_convention: dt.date | None = None,
) -> tuple[dt.date, str]:
    """(échéance du rapport financier et narratif, d'où elle vient).

    La convention signée qui fixe une échéance l'emporte (`PAR_CONVENTION`). Sinon
    (`PAR_REGLAGE`), l'appel dit seulement que les organisations « s'engagent à produire un
    rapport financier et narratif sur le projet financé » : l'échéance est
    `appel.rapport_delai_jours` jours après `appel.rapport_depuis`, réglages du ministère :
    « fin_projet », la date de fin du projet que la demande déclare (à défaut, la fin de la
    dernière année financière accordée) ; « fin_financement », la fin de la dernière année
    financière accordée (la première, si aucune n'a de montant)."""
    if echeance_convention is not None:
        return echeance_convention, PAR_CONVENTION
    prevus = versements_prevus(appel, montants)
    annees = exercices(appel)
    accordees = [e for e in annees if prevus.get(e.annee, 0) > 0]
    fin_financement = (accordees or annees[:1])[-1].fin
    depart = fin_projet if appel.rapport_depuis == "fin_projet" and fin_projet else fin_financement
    return depart + dt.timedelta(days=appel.rapport_delai_jours), PAR_REGLAGE


def etat_rapport(
    echeance: dt.date | None, date_recu: dt.date | None, au: dt.date
) -> tuple[str, int]:
    """(état, jours de retard) du rapport au jour `au` : reçu (à temps ou en retard), en
    retard (l'échéance est passée : le lendemain de l'échéance compte un jour), à venir."""
    if date_recu is not None:
        if echeance is not None and date_recu > echeance:
            return RECU_EN_RETARD, (date_recu - echeance).days
        return RECU, 0
    if echeance is None:
        return SANS_ECHEANCE, 0
    if au > echeance:
        return EN_RETARD, (au - echeance).days
    return A_VENIR, 0


def _date(valeur) -> dt.date | None:
    if valeur is None or (not isinstance(valeur, dt.date) and pd.isna(valeur)):
        return None
    if isinstance(valeur, dt.datetime):
        return valeur.date()
    if isinstance(valeur, dt.date):
        return valeur
    return pd.Timestamp(valeur).date()


def colonnes_annees(appel: Appel) -> list[tuple[Exercice, str, str]]:
    """(exercice, colonne du prévu, colonne du versé) de chaque année de l'appel."""
    return [(e, f"prevu_an{e.annee}", f"verse_an{e.annee}") for e in exercices(appel)]


def tableau(
    appel: Appel,
    dossiers: Sequence[Mapping],
    *,
    conventions: Mapping[int, Mapping],
    versements: Sequence[Mapping],
    rapports: Mapping[int, Mapping],
    au: dt.date,
) -> pd.DataFrame:
    """Une ligne par dossier suivi, dans l'ordre de `dossiers` : demande_id, no_demande,
    titre, municipalite, financee, date_signature, prevu_an<a> et verse_an<a> (cents) par
    année, total_prevu, total_verse, reste, echeance_rapport, echeance_source,
    rapport_recu, etat_rapport, retard_jours, statut.

    `dossiers` : {demande_id, no_demande, titre, municipalite, date_fin, montants,
    financee} ; une demande qui n'est plus financée mais a déjà une convention ou des
    versements y reste (`financee` faux, prévu 0 $) : ses versements sont à régulariser."""
    par_demande: dict[int, list[Mapping]] = {}
    for v in versements:
        par_demande.setdefault(int(v["demande_id"]), []).append(v)
    lignes = []
    for d in dossiers:
        demande_id = int(d["demande_id"])
        financee = bool(d["financee"])
        prevus = versements_prevus(appel, d["montants"] if financee else ())
        verses = verses_par_annee(par_demande.get(demande_id, []))
        convention = conventions.get(demande_id) or {}
        signature = _date(convention.get("date_signature"))
        echeance, source = echeance_rapport(
            appel,
            d["montants"],
            fin_projet=_date(d.get("date_fin")),
            echeance_convention=_date(convention.get("echeance_rapport")),
        )
        recu = _date((rapports.get(demande_id) or {}).get("date_recu"))
        etat, retard = etat_rapport(echeance, recu, au)
        ligne = {
            "demande_id": demande_id,
            "no_demande": d["no_demande"],
            "titre": d.get("titre") or "",
            "municipalite": d.get("municipalite") or "",
            "financee": financee,
            "date_signature": signature,
        }
        for e, prevu, verse in colonnes_annees(appel):
            ligne[prevu] = prevus.get(e.annee, 0)
            ligne[verse] = verses.get(e.annee, 0)
        ligne["total_prevu"] = sum(prevus.values())
        ligne["total_verse"] = sum(verses.values())
        ligne["reste"] = ligne["total_prevu"] - ligne["total_verse"]
        ligne["trop_paye"] = sum(
            v - p for v, p in trop_payes(appel, d["montants"] if financee else (), verses).values()
        )
        ligne |= {
            "echeance_rapport": echeance,
            "echeance_source": source,
            "rapport_recu": recu,
            "etat_rapport": etat,
            "retard_jours": retard,
        }
        ligne["statut"] = statut(ligne)
        lignes.append(ligne)
    colonnes = ["demande_id", "no_demande", "titre", "municipalite", "financee"]
    colonnes += ["date_signature"]
    colonnes += [c for _, p, v in colonnes_annees(appel) for c in (p, v)]
    colonnes += ["total_prevu", "total_verse", "reste", "trop_paye"]
    colonnes += ["echeance_rapport", "echeance_source"]
    colonnes += ["rapport_recu", "etat_rapport", "retard_jours", "statut"]
    return pd.DataFrame(lignes, columns=colonnes)


def statut(ligne: Mapping) -> str:
    """L'état d'ensemble d'un dossier, le plus pressant d'abord : versements d'une demande
    qui n'est plus retenue, trop-payé à régulariser (plus versé qu'accordé pour une année,
    `trop_payes`), convention à signer, rapport en retard, versements en cours, rapport
    attendu, terminé."""
    if not ligne["financee"]:
        return A_REGULARISER
    if int(ligne.get("trop_paye") or 0) > 0:
        return f"{TROP_PAYE} ({montant(int(ligne['trop_paye']))})"
    if ligne["date_signature"] is None:
        return CONVENTION_A_SIGNER
    if ligne["etat_rapport"] == EN_RETARD:
        return f"{RAPPORT_EN_RETARD} ({pluriel(int(ligne['retard_jours']), 'jour')})"
    if ligne["reste"] > 0:
        return VERSEMENTS_EN_COURS
    if ligne["etat_rapport"] in (A_VENIR, SANS_ECHEANCE):
        return RAPPORT_ATTENDU
    return TERMINE


def a_regulariser(suivi: pd.DataFrame) -> pd.DataFrame:
    """Les dossiers dont des versements sont à régulariser : demande qui n'est plus
    retenue, ou trop-payé (plus versé qu'accordé pour une année) ; le plus gros excédent
    d'abord (départage : numéro de demande, tri stable)."""
    exces = suivi["total_verse"].where(~suivi["financee"], suivi["trop_paye"])
    vue = suivi.assign(excedent=exces)
    vue = vue[vue["excedent"] > 0]
    return vue.sort_values(
        ["excedent", "no_demande"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def en_retard(suivi: pd.DataFrame) -> pd.DataFrame:
    """Les dossiers dont le rapport est en retard au jour du tableau, le plus en retard
    d'abord (départage : numéro de demande, tri stable)."""
    retard = suivi[suivi["etat_rapport"] == EN_RETARD]
    return retard.sort_values(
        ["retard_jours", "no_demande"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def lecture_echeance(appel: Appel) -> str:
    """Le réglage de l'échéance du rapport, en une phrase, avec sa source (page et
    classeur)."""
    return (
        f"Rapport financier et narratif dû {pluriel(appel.rapport_delai_jours, 'jour')} après "
        f"{LIBELLES_RAPPORT_DEPUIS[appel.rapport_depuis]} (réglage du ministère : l'appel "
        "n'en fixe pas l'échéance), sauf échéance fixée par la convention."
    )
