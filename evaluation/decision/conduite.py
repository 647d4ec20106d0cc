"""La conduite de la séance du comité (issue 16) : ce que la présidence enregistre (ouverture,
présents, ordre, demande en cours, tri d'un bloc, fermeture) et ce qu'un membre peut faire
(ramener une demande triée). Chaque fonction vérifie le rôle côté serveur, lit l'état,
applique les règles de `decision.seance` et écrit avec le journal en une transaction.

Ces écritures ne changent pas la version des données (`ecriture(versionnee=False)`) : passer
d'une demande à l'autre ne fait recalculer le classement à aucun écran.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from evaluation.appels.configuration import Appel
from evaluation.decision.comite import cle_personne
from evaluation.decision.seance import (
    NON_DISCUTEE,
    ORDRES,
    RAMENEE,
    ErreurSeance,
    discutees,
    etat_du_triage,
)
from evaluation.socle import droits, stockage
from evaluation.socle.concurrence import Changement, ModificationConcurrente, verifier_version
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import trop_long


class SeancePerimee(ModificationConcurrente, ErreurSeance):
    """La séance a changé (autre demande en cours, autre ordre) depuis l'affichage."""


@dataclass(frozen=True)
class Seance:
    """Une séance lue d'un coup, pour la page et le procès-verbal."""

    id: int
    appel_id: str
    ouverte_le: dt.datetime
    ouverte_par: str
    fermee_le: dt.datetime | None
    ordre: str
    demande_courante: int | None
    version: int
    presences: tuple[dict, ...] = ()
    # demande_id → dernier état de tri (« non discutée » ou « ramenée »)
    triage: Mapping[int, str] = field(default_factory=dict)
    # Chaque passage d'une demande en cours, dans l'ordre : (demande_id, moment).
    amenees: tuple[tuple[int, dt.datetime], ...] = ()
    # Les demandes sur lesquelles une décision a été inscrite pendant la séance.
    decidees: frozenset[int] = frozenset()

    @property
    def ouverte(self) -> bool:
        return self.fermee_le is None

    @property
    def discutees(self) -> list[int]:
        """`seance.discutees` : amenées, restées à l'écran ou décidées, pas triées ; le
        temps de la dernière court jusqu'à la fermeture (maintenant si la séance est
        ouverte)."""
        fin = self.fermee_le or stockage.maintenant()
        return discutees(self.amenees, self.triage, fin=fin, decidees=self.decidees)


def _seance(ligne: dict, connexion) -> Seance:
    sid = int(ligne["id"])
    return Seance(
        id=sid,
        appel_id=ligne["appel_id"],
        ouverte_le=ligne["ouverte_le"],
        ouverte_par=ligne["ouverte_par"],
        fermee_le=ligne["fermee_le"],
        ordre=ligne["ordre"],
        demande_courante=None
        if ligne["demande_courante"] is None
        else int(ligne["demande_courante"]),
        version=int(ligne["version"]),
        presences=tuple(stockage.lire_presences(sid, connexion=connexion)),
        triage=etat_du_triage(stockage.lire_triage(sid, connexion=connexion)),
        amenees=tuple(
            (int(x["demande_id"]), x["moment"])
            for x in stockage.lire_discutees(sid, connexion=connexion)
        ),
        decidees=_decidees_pendant(ligne, connexion),
    )


def _decidees_pendant(ligne: Mapping, connexion) -> frozenset[int]:
    return frozenset(
        int(x["demande_id"])
        for x in stockage.lire_historique_decisions(
            ligne["appel_id"],
            connexion=connexion,
            depuis=ligne["ouverte_le"],
            jusqu_a=ligne["fermee_le"],
        )
    )


def seance_ouverte(appel_id: str, *, moteur: Moteur) -> Seance | None:
    with moteur.connect() as connexion:
        ligne = stockage.lire_seance_ouverte(appel_id, connexion=connexion)
        return _seance(ligne, connexion) if ligne else None


def seances(appel_id: str, *, moteur: Moteur) -> list[Seance]:
    """Toutes les séances de l'appel, de la première à la dernière : un procès-verbal par
    séance."""
    with moteur.connect() as connexion:
        return [_seance(x, connexion) for x in stockage.lire_seances(appel_id, connexion=connexion)]


def derniere_seance(appel_id: str, *, moteur: Moteur) -> Seance | None:
    """La séance ouverte, sinon la dernière fermée (pour le procès-verbal)."""
    with moteur.connect() as connexion:
        ligne = stockage.lire_seance_ouverte(appel_id, connexion=connexion)
        if ligne is None:
            toutes = stockage.lire_seances(appel_id, connexion=connexion)
            ligne = toutes[-1] if toutes else None
        return _seance(ligne, connexion) if ligne else None


def etat_courant(appel_id: str, *, moteur: Moteur) -> tuple[int, int | None, int] | None:
    """(séance, demande en cours, version) de la séance ouverte : la lecture bon marché que
    chaque écran refait toutes les deux secondes."""
    with moteur.connect() as connexion:
        return stockage.etat_courant(appel_id, connexion=connexion)


def _exiger(role: str | None, permis: bool, quoi: str) -> None:
    if not permis:
        raise ErreurSeance(
            f"{quoi} revient à la présidence du comité (ou à l'administration) : demandez-le "
            "à la personne qui préside."
        )


def _ecrire(moteur: Moteur):
    return stockage.ecriture(
        moteur,
        stockage.seances,
        stockage.seance_presences,
        stockage.seance_discutees,
        stockage.seance_triage,
        lourde=False,
        versionnee=False,
    )


def _ouverte(appel_id: str, seance_id: int, connexion) -> dict:
    ligne = stockage.lire_seance(seance_id, connexion=connexion)
    if ligne is None or ligne["appel_id"] != appel_id:
        raise ErreurSeance("cette séance n'existe pas pour l'appel : rechargez la page.")
    if ligne["fermee_le"] is not None:
        raise ErreurSeance("la séance est fermée : ouvrez-en une nouvelle pour continuer.")
    return ligne


def _verifier(ligne: dict, version_attendue: int | None, connexion) -> None:
    def changements() -> list[Changement]:
        journal = stockage.lire_journal(
            connexion=connexion,
            appel_id=ligne["appel_id"],
            objets=["seance:demande_courante", "seance:ordre"],
        )
        noms = stockage.noms_des_comptes(connexion=connexion)
        return [
            Changement(x["date"], noms.get(x["auteur"], x["auteur"]), x["nouveau"] or "")
            for x in journal.tail(5).to_dict("records")
        ]

    verifier_version(
        "La séance",
        int(ligne["version"]),
        version_attendue,
        changements,
        feminin=True,
        erreur=SeancePerimee,
    )


def _numero(demande_id: int, appel_id: str, connexion) -> str:
    d = stockage.lire_demande(int(demande_id), connexion=connexion)
    if d is None or d["appel_id"] != appel_id:
        raise ErreurSeance("cette demande n'existe pas dans l'appel : rechargez la page.")
    return str(d["no_demande"])


def _refuser_en_conflit(
    appel_id: str, demandes: Iterable[int], auteur: str, action: str, connexion
) -> None:
    """Refuse à `auteur` de trier ou ramener une demande où il a déclaré un conflit
    d'intérêts : il sort de la salle pendant sa délibération, l'ordre du jour compris."""
    cle = cle_personne(auteur)
    voulues = {int(d) for d in demandes}
    siens = [
        c
        for c in stockage.lire_conflits(appel_id, connexion=connexion)
        if int(c["demande_id"]) in voulues and cle_personne(c["evaluateur"]) == cle
    ]
    if siens:
        numeros = ", ".join(_numero(int(c["demande_id"]), appel_id, connexion) for c in siens)
        raise ErreurSeance(
            f"vous avez déclaré un conflit d'intérêts sur {numeros} : vous ne pouvez pas "
            f"{action}. Laissez ce choix à un membre sans conflit"
            + (" (retirez-la du bloc pour trier les autres)." if action == "la trier" else ".")
        )


def ouvrir(
    appel: Appel,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    ordre: str,
    presents: Sequence[str] = (),
    sans_compte: Sequence[tuple[str, str]] = (),
    maintenant: dt.datetime | None = None,
) -> int:
    """Ouvre la séance de l'appel : l'ordre choisi, les présents (courriels de comptes, et
    personnes sans compte : (nom, fonction)). Refusé si une séance est déjà ouverte.
    Journalisé ; rend l'identifiant de la séance."""
    _exiger(role, droits.peut_conduire_seance(role), "Ouvrir la séance")
    if ordre not in ORDRES:
        raise ErreurSeance(f"ordre « {ordre} » inconnu.")
    libres = _libres(sans_compte)
    instant = maintenant or stockage.maintenant()
    with _ecrire(moteur) as connexion:
        deja = stockage.lire_seance_ouverte(appel.id, connexion=connexion)
        if deja is not None:
            raise ErreurSeance(
                f"une séance est déjà ouverte depuis {deja['ouverte_le']:%H} h "
                f"{deja['ouverte_le']:%M} : poursuivez-la, ou fermez-la d'abord."
            )
        sid = stockage.creer_seance(
            {"appel_id": appel.id, "ouverte_le": instant, "ouverte_par": auteur, "ordre": ordre},
            connexion=connexion,
        )
        journal = [
            stockage.ligne_journal(
                instant,
                auteur,
                "seance:ouverture",
                None,
                ORDRES[ordre],
                appel_id=appel.id,
                version=1,
            )
        ]
        journal += _ajouter_presents(sid, appel.id, presents, libres, instant, auteur, connexion)
        stockage.inscrire_journal(journal, connexion=connexion)
    return sid


def _libres(sans_compte: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    libres = []
    for nom, fonction in sans_compte:
        nom, fonction = (nom or "").strip(), (fonction or "").strip()
        if not nom and not fonction:
            continue
        if not nom:
            raise ErreurSeance(
                f"la personne de fonction « {fonction} » n'a pas de nom : écrivez-le."
            )
        for texte, quoi in ((nom, "Le nom"), (fonction, "La fonction")):
            if refus := trop_long(texte, quoi):
                raise ErreurSeance(refus)
        libres.append((nom, fonction))
    return libres


def _ajouter_presents(sid, appel_id, presents, libres, instant, auteur, connexion) -> list[dict]:
    deja = stockage.lire_presences(sid, connexion=connexion)
    courriels = {p["courriel"] for p in deja if p["courriel"]}
    noms = {(p["nom"] or "").casefold() for p in deja if not p["courriel"]}
    journal = []
    for courriel in dict.fromkeys(presents):
        if courriel in courriels:
            continue
        stockage.ajouter_presence(
            {"seance_id": sid, "courriel": courriel, "date": instant, "auteur": auteur},
            connexion=connexion,
        )
        journal.append(
            stockage.ligne_journal(
                instant, auteur, "seance:presence", None, courriel, appel_id=appel_id
            )
        )
    for nom, fonction in libres:
        if nom.casefold() in noms:
            continue
        stockage.ajouter_presence(
            {
                "seance_id": sid,
                "nom": nom,
                "fonction": fonction or None,
                "date": instant,
                "auteur": auteur,
            },
            connexion=connexion,
        )
        journal.append(
            stockage.ligne_journal(
                instant,
                auteur,
                "seance:presence",
                None,
                f"{nom} ({fonction}, sans compte)" if fonction else f"{nom} (sans compte)",
                appel_id=appel_id,
            )
        )
    return journal


def ajouter_presents(
    appel: Appel,
    seance_id: int,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    presents: Sequence[str] = (),
    sans_compte: Sequence[tuple[str, str]] = (),
    maintenant: dt.datetime | None = None,
) -> None:
    """Ajoute des présents en cours de séance (une arrivée) ; journalisé."""
    _exiger(role, droits.peut_conduire_seance(role), "Noter les présences")
    libres = _libres(sans_compte)
    instant = maintenant or stockage.maintenant()
    with _ecrire(moteur) as connexion:
        _ouverte(appel.id, seance_id, connexion)
        journal = _ajouter_presents(
            seance_id, appel.id, presents, libres, instant, auteur, connexion
        )
        stockage.inscrire_journal(journal, connexion=connexion)


def retirer_present(
    appel: Appel,
    seance_id: int,
    presence_id: int,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
) -> None:
    """Retire un présent (un départ, une erreur de saisie) ; journalisé."""
    _exiger(role, droits.peut_conduire_seance(role), "Noter les présences")
    instant = maintenant or stockage.maintenant()
    with _ecrire(moteur) as connexion:
        _ouverte(appel.id, seance_id, connexion)
        retiree = stockage.retirer_presence(presence_id, connexion=connexion)
        if retiree is None or int(retiree["seance_id"]) != seance_id:
            raise ErreurSeance("cette présence n'existe plus : rechargez la page.")
        qui = retiree["courriel"] or retiree["nom"]
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant, auteur, "seance:presence", qui, None, appel_id=appel.id
                )
            ],
            connexion=connexion,
        )


def choisir_ordre(
    appel: Appel,
    seance_id: int,
    ordre: str,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    version_attendue: int | None = None,
    maintenant: dt.datetime | None = None,
) -> int:
    """Change l'ordre de passage ; rend la nouvelle version. Journalisé."""
    _exiger(role, droits.peut_conduire_seance(role), "Choisir l'ordre")
    if ordre not in ORDRES:
        raise ErreurSeance(f"ordre « {ordre} » inconnu.")
    instant = maintenant or stockage.maintenant()
    with _ecrire(moteur) as connexion:
        ligne = _ouverte(appel.id, seance_id, connexion)
        _verifier(ligne, version_attendue, connexion)
        if ligne["ordre"] == ordre:
            return int(ligne["version"])
        version = stockage.modifier_seance(seance_id, {"ordre": ordre}, connexion=connexion)
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "seance:ordre",
                    ORDRES.get(ligne["ordre"], ligne["ordre"]),
                    ORDRES[ordre],
                    appel_id=appel.id,
                    version=version,
                )
            ],
            connexion=connexion,
        )
    return version


def aller_a(
    appel: Appel,
    seance_id: int,
    demande_id: int,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    version_attendue: int | None = None,
    maintenant: dt.datetime | None = None,
) -> int:
    """Fait de `demande_id` la demande en cours, que chaque écran suit ; l'inscrit parmi les
    demandes amenées en séance. Rend la nouvelle version. Journalisé."""
    _exiger(role, droits.peut_conduire_seance(role), "Changer de demande")
    instant = maintenant or stockage.maintenant()
    with _ecrire(moteur) as connexion:
        ligne = _ouverte(appel.id, seance_id, connexion)
        _verifier(ligne, version_attendue, connexion)
        numero = _numero(demande_id, appel.id, connexion)
        if ligne["demande_courante"] == demande_id:
            return int(ligne["version"])
        avant = ligne["demande_courante"]
        ancien = _numero(avant, appel.id, connexion) if avant is not None else None
        version = stockage.modifier_seance(
            seance_id, {"demande_courante": demande_id}, connexion=connexion
        )
        stockage.ajouter_discutee(
            {"seance_id": seance_id, "demande_id": demande_id, "moment": instant},
            connexion=connexion,
        )
        journal = [
            stockage.ligne_journal(
                instant,
                auteur,
                "seance:demande_courante",
                ancien,
                numero,
                appel_id=appel.id,
                demande_id=demande_id,
                version=version,
            )
        ]
        etats = etat_du_triage(stockage.lire_triage(seance_id, connexion=connexion))
        if etats.get(demande_id) == NON_DISCUTEE:
            journal.append(
                _ramener(
                    appel.id,
                    seance_id,
                    demande_id,
                    numero,
                    instant,
                    auteur,
                    connexion,
                    "ramenée en l'amenant en séance",
                )
            )
        stockage.inscrire_journal(journal, connexion=connexion)
    return version


def _ramener(appel_id, seance_id, demande_id, numero, instant, auteur, connexion, comment):
    """Inscrit le retour à la discussion d'une demande triée ; rend la ligne du journal."""
    stockage.ajouter_triage(
        [
            {
                "seance_id": seance_id,
                "demande_id": demande_id,
                "etat": RAMENEE,
                "date": instant,
                "auteur": auteur,
            }
        ],
        connexion=connexion,
    )
    return stockage.ligne_journal(
        instant,
        auteur,
        "seance:ramenee",
        NON_DISCUTEE,
        f"{numero} : {comment}",
        appel_id=appel_id,
        demande_id=demande_id,
    )


def trier(
    appel: Appel,
    seance_id: int,
    demandes: Sequence[int],
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
) -> int:
    """Marque un bloc de demandes « non discutées, suivent le classement » ; rend le nombre
    de demandes marquées (celles qui l'étaient déjà ne comptent pas). Journalisé, une ligne
    par demande."""
    _exiger(role, droits.peut_conduire_seance(role), "Trier un bloc")
    instant = maintenant or stockage.maintenant()
    with _ecrire(moteur) as connexion:
        _ouverte(appel.id, seance_id, connexion)
        etats = etat_du_triage(stockage.lire_triage(seance_id, connexion=connexion))
        nouvelles = [int(d) for d in dict.fromkeys(demandes) if etats.get(int(d)) != NON_DISCUTEE]
        _refuser_en_conflit(appel.id, nouvelles, auteur, "la trier", connexion)
        numeros = {d: _numero(d, appel.id, connexion) for d in nouvelles}
        stockage.ajouter_triage(
            [
                {
                    "seance_id": seance_id,
                    "demande_id": d,
                    "etat": NON_DISCUTEE,
                    "date": instant,
                    "auteur": auteur,
                }
                for d in nouvelles
            ],
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "seance:triage",
                    etats.get(d),
                    f"{numeros[d]} : non discutée, suit le classement",
                    appel_id=appel.id,
                    demande_id=d,
                )
                for d in nouvelles
            ],
            connexion=connexion,
        )
    return len(nouvelles)


def ramener(
    appel: Appel,
    seance_id: int,
    demande_id: int,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
) -> None:
    """Ramène à la discussion une demande triée « non discutée » : tout membre du comité le
    peut (pas l'observateur). Journalisé."""
    if not droits.peut_ramener_en_seance(role):
        raise ErreurSeance(
            "ramener une demande revient aux membres du comité et à la présidence : "
            "demandez-le à un membre."
        )
    instant = maintenant or stockage.maintenant()
    with _ecrire(moteur) as connexion:
        _ouverte(appel.id, seance_id, connexion)
        numero = _numero(demande_id, appel.id, connexion)
        etats = etat_du_triage(stockage.lire_triage(seance_id, connexion=connexion))
        if etats.get(demande_id) != NON_DISCUTEE:
            raise ErreurSeance(f"{numero} n'est pas triée : elle est déjà à l'ordre du jour.")
        _refuser_en_conflit(appel.id, [demande_id], auteur, "la ramener", connexion)
        stockage.inscrire_journal(
            [
                _ramener(
                    appel.id,
                    seance_id,
                    demande_id,
                    numero,
                    instant,
                    auteur,
                    connexion,
                    "ramenée à la discussion",
                )
            ],
            connexion=connexion,
        )


def fermer(
    appel: Appel,
    seance_id: int,
    *,
    moteur: Moteur,
    auteur: str,
    role: str | None,
    maintenant: dt.datetime | None = None,
) -> None:
    """Ferme la séance ; journalisé. Ce qui a été discuté reste lu pour le procès-verbal."""
    _exiger(role, droits.peut_conduire_seance(role), "Fermer la séance")
    instant = maintenant or stockage.maintenant()
    with _ecrire(moteur) as connexion:
        _ouverte(appel.id, seance_id, connexion)
        version = stockage.modifier_seance(
            seance_id, {"fermee_le": instant, "fermee_par": auteur}, connexion=connexion
        )
        ligne = stockage.lire_seance(seance_id, connexion=connexion)
        nombre = len(_seance(ligne, connexion).discutees)
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    "seance:fermeture",
                    None,
                    f"Demandes discutées : {nombre}",
                    appel_id=appel.id,
                    version=version,
                )
            ],
            connexion=connexion,
        )
