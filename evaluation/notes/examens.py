"""L'examen d'admissibilité dans la base (issue 15) : l'analyste examine, l'évaluateur
signale un doute, l'analyste ou la présidence règle, la présidence renverse. Les règles
sont dans `notes.filtrage` (pures) ; chaque écriture passe par `stockage.ecriture` avec
son journal, dans la même transaction, et fait monter la version des données (les pages
qui gardent classement, attributions ou listes les relisent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from evaluation.appels.configuration import Appel
from evaluation.notes.filtrage import (
    A_VERIFIER,
    ADMISSIBLE,
    ECARTEE,
    EXAMEN,
    INADMISSIBLE,
    LIBELLES_VERDICTS,
    NON_EXAMINEE,
    OUI,
    PEUVENT_EXAMINER,
    PEUVENT_REGLER,
    PEUVENT_RENVERSER,
    REGLEMENT,
    RENVERSEMENT,
    REOUVERTURE,
    SUITES,
    ErreurFiltrage,
    Etat,
    Reponse,
    etat_depuis_ligne,
    etats,
    problemes_examen,
    raisons,
    reponses_en_json,
    reponses_suggerees,
    resume_reponses,
    verdict,
    verifier_raison,
)
from evaluation.socle import stockage
from evaluation.socle.formats import date_heure
from evaluation.socle.roles import EVALUATEUR, LIBELLES_ROLES
from evaluation.socle.stockage import Moteur

OBJET_EXAMEN = "admissibilite:examen"
OBJET_RENVERSEMENT = "admissibilite:renversement"
OBJET_SIGNALEMENT = "admissibilite:signalement"
OBJET_REGLEMENT = "admissibilite:reglement"


@dataclass(frozen=True)
class EtatFiltrage:
    """Ce que la page Admissibilité lit d'un appel : l'état de chaque demande examinée et
    les signalements (ouverts ou réglés)."""

    etats: dict[int, Etat]
    signalements: list[dict]

    def etat(self, demande_id: int) -> Etat:
        return self.etats.get(int(demande_id), NON_EXAMINEE)

    def ouverts(self, demande_id: int | None = None) -> list[dict]:
        return [
            s
            for s in self.signalements
            if s["regle_le"] is None and (demande_id is None or s["demande_id"] == demande_id)
        ]


def charger(appel_id: str, *, moteur: Moteur) -> EtatFiltrage:
    with moteur.connect() as connexion:
        return EtatFiltrage(
            etats(stockage.lire_examens(appel_id, connexion=connexion)),
            stockage.lire_signalements(appel_id, connexion=connexion),
        )


def lire_etats(appel_id: str, *, connexion) -> dict[int, Etat]:
    """demande_id → état, lu dans la transaction de l'appelant."""
    return etats(stockage.lire_examens(appel_id, connexion=connexion))


def historique(demande_id: int, *, moteur: Moteur) -> list[Etat]:
    """Chaque examen de la demande (examen, renversement, règlement), du plus ancien."""
    with moteur.connect() as connexion:
        lignes = stockage.lire_historique_examens(demande_id, connexion=connexion)
    return [etat_depuis_ligne(ligne) for ligne in lignes]


def _exiger_role(auteur: str, roles: tuple[str, ...], quoi: str, connexion) -> None:
    """Un compte connu doit être actif et avoir l'un des `roles` (la ligne de commande et
    les scripts, sans compte, passent : comme pour les évaluations)."""
    compte = stockage.lire_compte(auteur, connexion=connexion)
    if compte is None:
        return
    if not compte["actif"] or compte["role"] not in roles:
        qui = " ou ".join(LIBELLES_ROLES[r].split(" (")[0].lower() for r in roles)
        raise ErreurFiltrage(f"{quoi} : réservé à un compte actif ({qui}).")


def _exiger_decisions_ouvertes(appel: Appel, quoi: str, connexion) -> None:
    """Les décisions verrouillées figent aussi ce qui les fonde : l'admissibilité ne change
    plus (examen, renversement, règlement) tant que l'administration ne les rouvre pas."""
    reglages = stockage.lire_reglages_evaluation(appel.id, connexion=connexion) or {}
    if reglages.get("decisions_verrouillees"):
        raise ErreurFiltrage(
            f"{quoi} : les décisions de cet appel sont verrouillées, l'admissibilité ne "
            "change plus. L'administration peut rouvrir les décisions (page Classement)."
        )


def _exiger_demande(appel: Appel, demande_id: int, connexion) -> dict:
    if appel.id in stockage.appels_archives(connexion=connexion):
        raise ErreurFiltrage("Cet appel est archivé : l'admissibilité ne change plus.")
    demande = stockage.lire_demande(demande_id, connexion=connexion)
    if demande is None or demande["appel_id"] != appel.id:
        raise ErreurFiltrage("Cette demande n'existe pas dans l'appel.")
    if demande.get("retiree_le") is not None:
        raise ErreurFiltrage("Cette demande a été retirée (désistement).")
    return demande


def _ligne_journal(appel, demande_id, instant, auteur, objet, ancien, nouveau, evaluateur=None):
    return stockage.ligne_journal(
        instant,
        auteur,
        objet,
        ancien,
        nouveau,
        appel_id=appel.id,
        demande_id=demande_id,
        evaluateur=evaluateur,
    )


def _resume(etat: Etat | None) -> str | None:
    if etat is None:
        return None
    return LIBELLES_VERDICTS[etat.verdict] + (f" ({etat.raison})" if etat.raison else "")


def examiner(
    appel: Appel,
    demande_id: int,
    reponses: Mapping[str, Reponse],
    *,
    moteur: Moteur,
    auteur: str,
    dernier_examen_lu: int | None = None,
    maintenant: dt.datetime | None = None,
) -> Etat:
    """Enregistre l'examen de l'analyste (une nouvelle ligne ; la dernière compte) et son
    journal ; renvoie le nouvel état. Refusé, sans rien écrire, si une réponse manque de
    raison ou si un autre examen a été enregistré depuis `dernier_examen_lu` (l'identifiant
    du dernier examen que la page a lu, 0 s'il n'y en avait aucun)."""
    if problemes := problemes_examen(reponses, appel):
        raise ErreurFiltrage("Examen non enregistré : " + " ".join(problemes))
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.examens_admissibilite) as connexion:
        _exiger_role(auteur, PEUVENT_EXAMINER, "Examen d'admissibilité", connexion)
        _exiger_decisions_ouvertes(appel, "Examen non enregistré", connexion)
        _exiger_demande(appel, demande_id, connexion)
        avant = stockage.lire_examen(demande_id, connexion=connexion)
        _verifier_a_jour(avant, dernier_examen_lu, connexion)
        nouveau = verdict(reponses, appel)
        raison = raisons(reponses, appel)
        stockage.ajouter_examen(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "nature": EXAMEN,
                "verdict": nouveau,
                "reponses": reponses_en_json(reponses),
                "raison": raison or None,
                "date": instant,
                "auteur": auteur,
            },
            connexion=connexion,
        )
        etat = Etat(nouveau, raison, dict(reponses), EXAMEN, auteur, instant)
        stockage.inscrire_journal(
            [
                _ligne_journal(
                    appel,
                    demande_id,
                    instant,
                    auteur,
                    OBJET_EXAMEN,
                    _resume(etat_depuis_ligne(avant)) if avant else None,
                    f"{_resume(etat)} — {resume_reponses(reponses, appel)}",
                )
            ],
            connexion=connexion,
        )
    return etat


def _verifier_a_jour(avant: dict | None, dernier_lu: int | None, connexion) -> None:
    if dernier_lu is None:
        return
    if (avant["id"] if avant else 0) != dernier_lu:
        noms = stockage.noms_des_comptes(connexion=connexion)
        qui = noms.get(avant["auteur"], avant["auteur"]) if avant else "quelqu'un"
        raise ErreurFiltrage(
            f"Non enregistré : l'admissibilité de cette demande a changé depuis que la page "
            f"l'a lue ({qui}, {date_heure(avant['date'])}). Relisez-la, puis recommencez."
            if avant
            else "Non enregistré : l'examen de cette demande a changé depuis que la page l'a "
            "lu. Relisez-la, puis recommencez."
        )


def examiner_en_masse(
    appel: Appel,
    reponses_par_demande: Mapping[int, Mapping[str, Reponse]],
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> int:
    """Enregistre d'un coup l'examen de plusieurs demandes (la démonstration, une base de
    mesure), journal compris ; tout ou rien. Renvoie le nombre d'examens écrits."""
    for demande_id, reponses in reponses_par_demande.items():
        if problemes := problemes_examen(reponses, appel):
            raise ErreurFiltrage(
                f"Examen de la demande {demande_id} non enregistré : " + " ".join(problemes)
            )
    instant = maintenant or stockage.maintenant()
    lignes, journal = [], []
    for demande_id, reponses in reponses_par_demande.items():
        v, r = verdict(reponses, appel), raisons(reponses, appel)
        lignes.append(
            {
                "appel_id": appel.id,
                "demande_id": int(demande_id),
                "nature": EXAMEN,
                "verdict": v,
                "reponses": reponses_en_json(reponses),
                "raison": r or None,
                "date": instant,
                "auteur": auteur,
            }
        )
        journal.append(
            _ligne_journal(
                appel,
                int(demande_id),
                instant,
                auteur,
                OBJET_EXAMEN,
                None,
                f"{_resume(Etat(v, r))} — {resume_reponses(reponses, appel)}",
            )
        )
    with stockage.ecriture(moteur, stockage.examens_admissibilite) as connexion:
        _exiger_role(auteur, PEUVENT_EXAMINER, "Examen d'admissibilité", connexion)
        _exiger_decisions_ouvertes(appel, "Examens non enregistrés", connexion)
        stockage.ajouter_examens_en_masse(lignes, connexion=connexion)
        stockage.inscrire_journal(journal, connexion=connexion)
    return len(lignes)


def renverser(
    appel: Appel,
    demande_id: int,
    nouveau: str,
    raison: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> Etat:
    """La présidence renverse l'examen d'une demande (admissible ↔ inadmissible), avec une
    raison ; les réponses de l'examen restent celles de l'analyste, pour mémoire. Refusé
    quand la demande n'a pas encore d'examen (ou qu'une réimportation l'a rouvert) : la
    présidence renverse un examen, elle ne le remplace pas ; l'analyste examine d'abord."""
    if nouveau not in (ADMISSIBLE, INADMISSIBLE):
        raise ErreurFiltrage("Renversement : la demande devient admissible ou inadmissible.")
    raison = verifier_raison(raison, "Renversement de l'examen")
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.examens_admissibilite) as connexion:
        _exiger_role(auteur, PEUVENT_RENVERSER, "Renversement de l'examen", connexion)
        _exiger_decisions_ouvertes(appel, "Renversement de l'examen", connexion)
        _exiger_demande(appel, demande_id, connexion)
        avant = stockage.lire_examen(demande_id, connexion=connexion)
        if avant is None or avant["nature"] == REOUVERTURE:
            raise ErreurFiltrage(
                "Renversement : cette demande n'est pas encore examinée"
                + (" (son examen a été rouvert par une réimportation)" if avant else "")
                + " : l'analyste l'examine d'abord."
            )
        ancien = etat_depuis_ligne(avant)
        if ancien.verdict == nouveau:
            raise ErreurFiltrage(
                f"Renversement : la demande est déjà {LIBELLES_VERDICTS[nouveau]}."
            )
        stockage.ajouter_examen(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "nature": RENVERSEMENT,
                "verdict": nouveau,
                "reponses": avant["reponses"] if avant else None,
                "raison": raison,
                "date": instant,
                "auteur": auteur,
            },
            connexion=connexion,
        )
        etat = Etat(nouveau, raison, ancien.reponses, RENVERSEMENT, auteur, instant)
        stockage.inscrire_journal(
            [
                _ligne_journal(
                    appel,
                    demande_id,
                    instant,
                    auteur,
                    OBJET_RENVERSEMENT,
                    _resume(ancien),
                    _resume(etat),
                )
            ],
            connexion=connexion,
        )
    return etat


def signaler(
    appel: Appel,
    demande_id: int,
    evaluateur: str,
    raison: str,
    *,
    moteur: Moteur,
    maintenant: dt.datetime | None = None,
) -> int:
    """Un évaluateur doute de l'admissibilité d'une demande qu'il note : il le signale, avec
    une raison ; l'analyste ou la présidence le règle. Renvoie l'identifiant du signalement."""
    raison = verifier_raison(raison, "Signalement")
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.signalements_admissibilite) as connexion:
        _exiger_role(evaluateur, (EVALUATEUR,), "Signalement", connexion)
        _exiger_demande(appel, demande_id, connexion)
        for s in stockage.lire_signalements(
            appel.id, connexion=connexion, ouverts=True, demande_id=demande_id
        ):
            if s["evaluateur"] == evaluateur:
                raise ErreurFiltrage(
                    "Signalement : vous avez déjà signalé cette demande ; il attend d'être "
                    "réglé par l'analyste ou la présidence."
                )
        identifiant = stockage.ajouter_signalement(
            {
                "appel_id": appel.id,
                "demande_id": demande_id,
                "evaluateur": evaluateur,
                "raison": raison,
                "date": instant,
            },
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                _ligne_journal(
                    appel,
                    demande_id,
                    instant,
                    evaluateur,
                    OBJET_SIGNALEMENT,
                    None,
                    raison,
                    evaluateur=evaluateur,
                )
            ],
            connexion=connexion,
        )
    return identifiant


def regler(
    appel: Appel,
    signalement_id: int,
    suite: str,
    raison: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> None:
    """L'analyste ou la présidence règle un signalement : l'admissibilité est maintenue, ou
    la demande est jugée inadmissible (un nouvel examen, de nature « règlement »)."""
    if suite not in SUITES:
        raise ErreurFiltrage(f"Règlement : suite « {suite} » inconnue ({', '.join(SUITES)}).")
    raison = verifier_raison(raison, "Règlement du signalement")
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(
        moteur, stockage.signalements_admissibilite, stockage.examens_admissibilite
    ) as connexion:
        _exiger_role(auteur, PEUVENT_REGLER, "Règlement du signalement", connexion)
        _exiger_decisions_ouvertes(appel, "Règlement du signalement", connexion)
        s = stockage.lire_signalement(signalement_id, connexion=connexion)
        if s is None or s["appel_id"] != appel.id:
            raise ErreurFiltrage("Règlement : ce signalement n'existe pas dans l'appel.")
        if s["regle_le"] is not None:
            raise ErreurFiltrage(
                f"Règlement : ce signalement a déjà été réglé ({s['suite']}, "
                f"{date_heure(s['regle_le'])})."
            )
        demande_id = int(s["demande_id"])
        _exiger_demande(appel, demande_id, connexion)
        stockage.regler_signalement(
            signalement_id,
            {"suite": suite, "raison_suite": raison, "regle_le": instant, "regle_par": auteur},
            connexion=connexion,
        )
        journal = [
            _ligne_journal(
                appel,
                demande_id,
                instant,
                auteur,
                OBJET_REGLEMENT,
                s["raison"],
                f"{suite} : {raison}",
                evaluateur=s["evaluateur"],
            )
        ]
        if suite == ECARTEE:
            avant = stockage.lire_examen(demande_id, connexion=connexion)
            ancien = etat_depuis_ligne(avant) if avant else NON_EXAMINEE
            stockage.ajouter_examen(
                {
                    "appel_id": appel.id,
                    "demande_id": demande_id,
                    "nature": REGLEMENT,
                    "verdict": INADMISSIBLE,
                    "reponses": avant["reponses"] if avant else None,
                    "raison": raison,
                    "date": instant,
                    "auteur": auteur,
                },
                connexion=connexion,
            )
            journal.append(
                _ligne_journal(
                    appel,
                    demande_id,
                    instant,
                    auteur,
                    OBJET_EXAMEN,
                    _resume(ancien),
                    _resume(Etat(INADMISSIBLE, raison)),
                )
            )
        stockage.inscrire_journal(journal, connexion=connexion)


def examiner_d_apres_les_fichiers(
    appel: Appel, *, moteur: Moteur, auteur: str, ids: list[int] | None = None
) -> int:
    """Pour la démonstration et les bases de mesure seulement : examine les demandes pas
    encore examinées (ou `ids`) d'après les champs importés, et répond « oui » aux
    conditions que le fichier ne dit pas (un vrai examen les fait vérifier par l'analyste).
    Une demande dont le fichier dit « non » (autre programme, dossier incomplet) est jugée
    inadmissible, avec la raison du fichier. Renvoie le nombre d'examens écrits."""
    with moteur.connect() as connexion:
        demandes = stockage.lire_demandes(appel.id, connexion=connexion)
        deja = set(lire_etats(appel.id, connexion=connexion))
    a_examiner = {}
    for d in demandes.to_dict("records"):
        i = int(d["id"])
        if (ids is not None and i not in ids) or (ids is None and i in deja):
            continue
        suggerees = reponses_suggerees(d, appel)
        a_examiner[i] = {
            cid: r if r.reponse != A_VERIFIER else Reponse(OUI) for cid, r in suggerees.items()
        }
    if not a_examiner:
        return 0
    return examiner_en_masse(appel, a_examiner, moteur=moteur, auteur=auteur)
