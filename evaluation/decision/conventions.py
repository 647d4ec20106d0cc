"""Ce que l'administration inscrit après la décision (issue 17, point 4) : la date de
signature de la convention, chaque versement fait, la réception du rapport financier et
narratif. Chaque fonction lit l'état, applique les règles de `decision.suivi_financier` et
écrit avec le journal en une transaction ; une écriture d'après une vue périmée est refusée
(`socle.concurrence`) ; seule l'administration inscrit (`droits.peut_gerer_conventions`),
la présidence et les observateurs lisent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from evaluation.appels.configuration import Appel
from evaluation.decision import ministere
from evaluation.decision import suivi_financier as regles
from evaluation.decision.financement import RETENU
from evaluation.notes import filtrage
from evaluation.socle import droits, stockage
from evaluation.socle.concurrence import Changement, ModificationConcurrente, verifier_version
from evaluation.socle.formats import date as date_lisible
from evaluation.socle.formats import montant
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import trop_long


class ErreurSuivi(ValueError):
    """Une inscription refusée (convention, versement, rapport) ; le message dit quoi faire."""


class SuiviPerime(ModificationConcurrente, ErreurSuivi):
    """Le dossier a changé depuis que la page l'a lu : rien n'est écrit."""


def demandes_financees(appel: Appel, *, connexion) -> dict[int, tuple[int, ...]]:
    """{demande_id: montants accordés par année (cents)} des demandes financées de l'appel.

    LE seul endroit qui dit quelles demandes sont financées pour le suivi (conventions,
    versements, rapports, feuille « Suivi des conventions ») : celles que le ministère a
    retenues (`ministere.decision_finale`, source « ministere »), avec ses montants par
    année ; jamais la seule recommandation du comité. L'appel : le ministère « conserve
    cependant la responsabilité de la sélection définitive des projets et de la
    détermination des sommes qui leur seront accordées ». Une demande dont l'admissibilité
    n'est plus établie (jugée inadmissible, ou examen rouvert « à vérifier ») n'est plus
    financée : ses versements, s'il y en a, restent à régulariser dans le suivi."""
    n = len(appel.financement.annees_financieres())
    finales = ministere.decision_finale(
        stockage.lire_decisions(appel.id, connexion=connexion),
        stockage.lire_decisions_ministre(appel.id, connexion=connexion),
    )
    examens = filtrage.etats(stockage.lire_examens(appel.id, connexion=connexion))
    return {
        # Les décisions portent deux années ; une troisième n'a pas de montant.
        demande_id: tuple(int(f.montants[a]) if a < len(f.montants) else 0 for a in range(n))
        for demande_id, f in finales.items()
        if f.du_ministere
        and f.decision == RETENU
        and filtrage.etat_de(examens, demande_id).verdict == filtrage.ADMISSIBLE
    }


@dataclass(frozen=True)
class Suivi:
    """Le suivi des conventions d'un appel au jour `au` : le tableau
    (`suivi_financier.tableau`) et, par demande, la version de sa convention, de ses
    versements et de son rapport (à rendre à l'écriture)."""

    au: dt.date
    tableau: pd.DataFrame
    versions: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def en_retard(self) -> pd.DataFrame:
        return regles.en_retard(self.tableau)


_TABLES = {"convention": "conventions", "versements": "versements", "rapport": "rapports"}


def _version(nom: str, demande_id: int, appel_id: str, connexion) -> int:
    table = getattr(stockage, _TABLES[nom])
    return stockage.derniere_ligne(
        table, connexion=connexion, appel_id=appel_id, demande_id=demande_id
    )


def _lire(appel: Appel, au: dt.date, connexion) -> Suivi:
    financees = demandes_financees(appel, connexion=connexion)
    conventions = {
        int(c["demande_id"]): c for c in stockage.lire_conventions(appel.id, connexion=connexion)
    }
    rapports = {
        int(r["demande_id"]): r for r in stockage.lire_rapports(appel.id, connexion=connexion)
    }
    versements = stockage.lire_versements(appel.id, connexion=connexion)
    demandes = stockage.lire_demandes_en_bref(
        appel.id, ["id", "no_demande", "titre", "municipalite", "date_fin"], connexion=connexion
    )
    # Une demande qui n'est plus financée reste suivie si une convention ou un versement
    # la concerne : ses versements sont à régulariser.
    suivies = set(financees) | set(conventions) | {int(v["demande_id"]) for v in versements}
    dossiers = [
        {
            "demande_id": int(d["id"]),
            "no_demande": d["no_demande"],
            "titre": d["titre"],
            "municipalite": d["municipalite"],
            "date_fin": d["date_fin"],
            "montants": financees.get(int(d["id"]), ()),
            "financee": int(d["id"]) in financees,
        }
        for d in demandes.to_dict("records")
        if int(d["id"]) in suivies
    ]
    actives = {d["demande_id"] for d in dossiers}
    versions: dict[int, dict[str, int]] = {i: {n: 0 for n in _TABLES} for i in actives}
    for nom, lignes in (
        ("convention", conventions.values()),
        ("versements", versements),
        ("rapport", rapports.values()),
    ):
        for x in lignes:
            i = int(x["demande_id"])
            if i in versions:
                versions[i][nom] = max(versions[i][nom], int(x["id"]))
    table = regles.tableau(
        appel,
        dossiers,
        conventions=conventions,
        versements=[v for v in versements if int(v["demande_id"]) in actives],
        rapports=rapports,
        au=au,
    )
    return Suivi(au, table, versions)


def suivi(appel: Appel, *, moteur: Moteur, au: dt.date | None = None) -> Suivi:
    """Le suivi des conventions de l'appel au jour `au` (aujourd'hui par défaut)."""
    au = au or stockage.maintenant().date()
    with moteur.connect() as connexion:
        return _lire(appel, au, connexion)


def _verifier_droit(role: str | None) -> None:
    if not droits.peut_gerer_conventions(role):
        raise ErreurSuivi(
            "seule l'administration inscrit conventions, versements et rapports ; la "
            "présidence et les observateurs les consultent."
        )


def _dossier(appel: Appel, demande_id: int, connexion) -> tuple[dict, tuple[int, ...] | None]:
    """(la demande, ses montants accordés ou None si elle n'est pas financée)."""
    d = stockage.lire_demande(demande_id, connexion=connexion)
    if d is None or d["appel_id"] != appel.id:
        raise ErreurSuivi("cette demande n'existe pas dans l'appel.")
    if d.get("retiree_le") is not None:
        raise ErreurSuivi(f"{d['no_demande']} a été retirée (désistement) : rien ne s'y inscrit.")
    return d, demandes_financees(appel, connexion=connexion).get(demande_id)


def _refuser_si_non_financee(d: dict, montants) -> None:
    if montants is None:
        raise ErreurSuivi(
            f"{d['no_demande']} n'est pas financée (sa décision n'est pas « retenu ») : ni "
            "convention ni versement ne s'y inscrivent."
        )


def _controler(
    nom: str, quoi: str, d: dict, appel: Appel, attendue, decrire, connexion, feminin=False
):
    cles = {"appel_id": appel.id, "demande_id": int(d["id"])}
    table = getattr(stockage, _TABLES[nom])
    noms = stockage.noms_des_comptes(connexion=connexion)

    def changements() -> list[Changement]:
        return [
            Changement(x["date"], noms.get(x["auteur"], x["auteur"]), decrire(x))
            for x in stockage.lignes_depuis(table, attendue, connexion=connexion, **cles)
        ]

    verifier_version(
        f"{quoi} de {d['no_demande']}",
        _version(nom, int(d["id"]), appel.id, connexion),
        attendue,
        changements,
        feminin=feminin,
        erreur=SuiviPerime,
    )


def _texte(note: str | None, quoi: str) -> str | None:
    if refus := trop_long(note, quoi):
        raise ErreurSuivi(refus)
    return (note or "").strip() or None


def _convention_lisible(x) -> str:
    texte = f"signée le {date_lisible(x['date_signature'])}"
    if x.get("echeance_rapport"):
        texte += f", rapport dû le {date_lisible(x['echeance_rapport'])}"
    return texte + (f" ({x['note']})" if x.get("note") else "")


def enregistrer_convention(
    appel: Appel,
    demande_id: int,
    date_signature: dt.date,
    *,
    echeance_rapport: dt.date | None = None,
    note: str = "",
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
) -> None:
    """Inscrit la date de signature de la convention d'une demande financée (et l'échéance
    du rapport si la convention en fixe une) ; remplace la précédente, journalisé.
    `version_attendue` : `Suivi.versions[demande_id]["convention"]`."""
    _verifier_droit(role)
    instant = maintenant or stockage.maintenant()
    note = _texte(note, "note")
    if refus := regles.refus_convention(date_signature, echeance_rapport, instant.date()):
        raise ErreurSuivi(refus)
    with stockage.ecriture(moteur, stockage.conventions, lourde=False) as connexion:
        d, montants = _dossier(appel, demande_id, connexion)
        _refuser_si_non_financee(d, montants)
        _controler(
            "convention",
            "La convention",
            d,
            appel,
            version_attendue,
            _convention_lisible,
            connexion,
            feminin=True,
        )
        avant = next(
            (
                c
                for c in stockage.lire_conventions(appel.id, connexion=connexion)
                if int(c["demande_id"]) == demande_id
            ),
            None,
        )
        valeurs = {
            "appel_id": appel.id,
            "demande_id": demande_id,
            "date_signature": date_signature,
            "echeance_rapport": echeance_rapport,
            "note": note,
            "date": instant,
            "auteur": auteur,
        }
        stockage.ajouter_convention(valeurs, connexion=connexion)
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "convention",
                    _convention_lisible(avant) if avant else None,
                    _convention_lisible(valeurs),
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            ],
            connexion=connexion,
        )


def _versement_lisible(appel: Appel):
    libelles = {e.annee: e.libelle for e in regles.exercices(appel)}

    def decrire(x) -> str:
        texte = (
            f"{montant(x['montant_verse'])} pour {libelles.get(x['annee'], x['annee'])}, "
            f"versé le {date_lisible(x['date_versement'])}"
        )
        return texte + (f" ({x['note']})" if x.get("note") else "")

    return decrire


def enregistrer_versement(
    appel: Appel,
    demande_id: int,
    annee: int,
    montant_verse: int,
    date_versement: dt.date,
    *,
    note: str = "",
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
) -> None:
    """Inscrit un versement fait (cents) pour une année financière d'une demande financée,
    sous les règles de `suivi_financier.refus_versement` (jamais au-delà du montant accordé
    de l'année, jamais sans convention signée ni avant elle, jamais daté d'après
    aujourd'hui). Journalisé. `version_attendue` : `Suivi.versions[demande_id]["versements"]`
    (un second onglet ne fait pas inscrire deux fois le même versement)."""
    _verifier_droit(role)
    instant = maintenant or stockage.maintenant()
    note = _texte(note, "note")
    decrire = _versement_lisible(appel)
    with stockage.ecriture(moteur, stockage.versements, lourde=False) as connexion:
        d, montants = _dossier(appel, demande_id, connexion)
        _refuser_si_non_financee(d, montants)
        _controler(
            "versements", "Le suivi des versements", d, appel, version_attendue, decrire, connexion
        )
        prevus = regles.versements_prevus(appel, montants)
        deja = regles.verses_par_annee(
            stockage.lire_versements(appel.id, connexion=connexion, demande_id=demande_id)
        )
        convention = next(
            (
                c
                for c in stockage.lire_conventions(appel.id, connexion=connexion)
                if int(c["demande_id"]) == demande_id
            ),
            None,
        )
        if refus := regles.refus_versement(
            appel,
            prevus=prevus,
            deja_verses=deja,
            annee=annee,
            montant_verse=montant_verse,
            date_versement=date_versement,
            date_signature=convention["date_signature"] if convention else None,
            aujourd_hui=instant.date(),
        ):
            raise ErreurSuivi(f"{d['no_demande']} : {refus}")
        valeurs = {
            "appel_id": appel.id,
            "demande_id": demande_id,
            "annee": annee,
            "montant_prevu": prevus[annee],
            "montant_verse": montant_verse,
            "date_versement": date_versement,
            "note": note,
            "date": instant,
            "auteur": auteur,
        }
        stockage.ajouter_versement(valeurs, connexion=connexion)
        total = deja.get(annee, 0) + montant_verse
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "versement",
                    montant(deja.get(annee, 0)),
                    f"{decrire(valeurs)} ; total versé {montant(total)} sur "
                    f"{montant(prevus[annee])} accordés",
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            ],
            connexion=connexion,
        )


def enregistrer_rapport(
    appel: Appel,
    demande_id: int,
    date_recu: dt.date,
    *,
    note: str = "",
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
    version_attendue: int | None = None,
) -> None:
    """Inscrit la réception du rapport financier et narratif d'une demande suivie, avec
    l'échéance qui valait ce jour-là ; remplace la précédente, journalisé.
    `version_attendue` : `Suivi.versions[demande_id]["rapport"]`."""
    _verifier_droit(role)
    instant = maintenant or stockage.maintenant()
    note = _texte(note, "note")

    def decrire(x) -> str:
        return f"reçu le {date_lisible(x['date_recu'])}" + (
            f" ({x['note']})" if x.get("note") else ""
        )

    with stockage.ecriture(moteur, stockage.rapports, lourde=False) as connexion:
        d, _ = _dossier(appel, demande_id, connexion)
        _controler("rapport", "Le rapport", d, appel, version_attendue, decrire, connexion)
        etat = _lire(appel, instant.date(), connexion).tableau
        ligne = etat[etat["demande_id"] == demande_id]
        if ligne.empty:
            raise ErreurSuivi(
                f"{d['no_demande']} n'est pas suivie (ni financée, ni sous convention) : "
                "aucun rapport ne s'y attend."
            )
        ligne = ligne.iloc[0]
        if refus := regles.refus_rapport(date_recu, ligne["date_signature"], instant.date()):
            raise ErreurSuivi(f"{d['no_demande']} : {refus}")
        avant = ligne["rapport_recu"]
        valeurs = {
            "appel_id": appel.id,
            "demande_id": demande_id,
            "date_recu": date_recu,
            "echeance": ligne["echeance_rapport"],
            "note": note,
            "date": instant,
            "auteur": auteur,
        }
        stockage.ajouter_rapport(valeurs, connexion=connexion)
        etat_recu, retard = regles.etat_rapport(ligne["echeance_rapport"], date_recu, date_recu)
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "rapport:recu",
                    f"reçu le {date_lisible(avant)}" if avant else None,
                    decrire(valeurs)
                    + f" ; échéance {date_lisible(ligne['echeance_rapport'])} : {etat_recu}"
                    + (f" de {retard} j" if retard else ""),
                    appel_id=appel.id,
                    demande_id=demande_id,
                )
            ],
            connexion=connexion,
        )
