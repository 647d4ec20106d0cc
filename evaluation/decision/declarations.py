"""Ce que le comité déclare (issue 16, point 3) : la déclaration générale d'intérêts et
l'engagement de confidentialité, acceptés une fois par appel et datés, et les conflits
d'intérêts sur une demande précise (la table des conflits des évaluateurs, qui nomme
n'importe quel compte par son courriel, ou une personne sans compte par son nom).

Chaque écriture est journalisée dans la même transaction. Les règles (qui déclare, qui
sort, le quorum) sont dans `decision.comite`."""

from __future__ import annotations

import datetime as dt

from evaluation.appels.configuration import Appel
from evaluation.decision.comite import (
    LIBELLES_ROLES_COMITE,
    ROLES_COMITE,
    SANS_COMPTE,
    Textes,
    acceptation_valide,
    cle_personne,
    doit_declarer,
    textes_declarations,
)
from evaluation.notes import attributions
from evaluation.notes.repartition import ErreurAttribution
from evaluation.socle import stockage
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import trop_long


class ErreurDeclaration(ValueError):
    """Une déclaration qui ne peut pas être enregistrée ; le message dit quoi faire."""


def textes(appel: Appel) -> Textes:
    return textes_declarations(appel.nom)


def acceptation(appel: Appel, courriel: str, *, moteur: Moteur) -> dict | None:
    """L'acceptation en vigueur de `courriel` pour cet appel (None : à faire)."""
    with moteur.connect() as connexion:
        lues = stockage.lire_declarations(appel.id, connexion=connexion, courriel=courriel)
    valide = acceptation_valide(lues, textes(appel))
    return dict(valide) if valide else None


def accepter(
    appel: Appel,
    courriel: str,
    role: str,
    interets: str,
    *,
    interets_acceptes: bool,
    confidentialite_acceptee: bool,
    moteur: Moteur,
    maintenant: dt.datetime | None = None,
) -> None:
    """Inscrit, datée, l'acceptation par `courriel` de la déclaration générale d'intérêts
    (avec les intérêts qu'il déclare, « aucun » compris) et de l'engagement de
    confidentialité. Les deux cases sont exigées ; une seconde acceptation des mêmes
    textes n'écrit rien."""
    if not doit_declarer(role):
        raise ErreurDeclaration(
            "seuls la présidence, les membres du comité, les observateurs et l'administration "
            "signent la déclaration du comité."
        )
    t = textes(appel)
    cases = ((t.interets, interets_acceptes), (t.confidentialite, confidentialite_acceptee))
    manquent = [x.titre.lower() for x, ok in cases if not ok]
    if manquent:
        raise ErreurDeclaration(
            "cochez " + " et ".join(f"« {m} »" for m in manquent) + " pour les accepter."
        )
    interets = (interets or "").strip()
    if not interets:
        raise ErreurDeclaration(
            "écrivez vos intérêts (organismes, municipalités, entreprises, liens), ou « aucun »."
        )
    if refus := trop_long(interets, "déclaration d'intérêts"):
        raise ErreurDeclaration(refus)
    instant = maintenant or stockage.maintenant()
    with stockage.ecriture(moteur, stockage.declarations_comite, lourde=False) as connexion:
        lues = stockage.lire_declarations(appel.id, connexion=connexion, courriel=courriel)
        if acceptation_valide(lues, t):
            return
        stockage.ajouter_declaration(
            {
                "appel_id": appel.id,
                "courriel": courriel,
                "role": role,
                "interets": interets,
                "empreinte": t.empreinte,
                "date": instant,
            },
            connexion=connexion,
        )
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    courriel,
                    "declaration_comite",
                    None,
                    f"{t.interets.titre} et {t.confidentialite.titre.lower()} acceptés ; "
                    f"intérêts déclarés : {interets}",
                    appel_id=appel.id,
                )
            ],
            connexion=connexion,
        )


def declarer_conflit(
    appel: Appel,
    demande_id: int,
    qui: str,
    raison: str,
    *,
    moteur: Moteur,
    auteur: str,
    maintenant: dt.datetime | None = None,
) -> list[dt.datetime]:
    """Inscrit le conflit d'intérêts de `qui` (courriel d'un compte, ou nom d'une personne
    présente sans compte) sur une demande, avec sa raison : la même table et la même
    écriture journalisée que pour un évaluateur (`notes.attributions.declarer_conflit`).
    Rend les dates des décisions que `qui` avait déjà inscrites sur la demande : le comité
    doit les revoir (le procès-verbal les signale)."""
    qui = " ".join((qui or "").split())
    if not qui:
        raise ErreurDeclaration("nommez la personne en conflit d'intérêts.")
    try:
        attributions.declarer_conflit(
            appel.id, demande_id, qui, raison, moteur=moteur, auteur=auteur, maintenant=maintenant
        )
    except ErreurAttribution as exc:
        raise ErreurDeclaration(str(exc)) from None
    cle = cle_personne(qui)
    with moteur.connect() as connexion:
        return [
            x["date"]
            for x in stockage.lire_historique_decisions(
                appel.id, connexion=connexion, demande_id=demande_id
            )
            if cle_personne(x["auteur"]) == cle
        ]


def conflits_de_la_demande(demande_id: int, *, moteur: Moteur) -> list[dict]:
    """Les conflits déclarés sur la demande (toutes personnes)."""
    with moteur.connect() as connexion:
        return stockage.lire_conflits_de_la_demande(demande_id, connexion=connexion)


def recusations_du_comite(
    appel_id: str, *, moteur: Moteur, en_vigueur_depuis: dt.datetime | None = None
) -> list[dict]:
    """Les conflits d'intérêts déclarés par le comité (présidence, membres, observateurs,
    administration, personnes sans compte), pour le procès-verbal et la séance : demande_id,
    qui (courriel ou nom), nom, role (libellé), raison, date, et `decide_avant` : les dates
    des décisions que cette personne a inscrites sur la demande avant de déclarer son
    conflit (à revoir par le comité). Ceux des évaluateurs (et des analystes) n'y sont pas :
    ils relèvent des attributions.

    `en_vigueur_depuis` (l'ouverture d'une séance passée) : aussi les conflits levés depuis
    cet instant (lus au journal), qui étaient en vigueur pendant la séance ; chacun porte
    `levee` (date de la levée). Sans lui : les conflits en vigueur maintenant."""
    with moteur.connect() as connexion:
        conflits = [dict(c) for c in stockage.lire_conflits(appel_id, connexion=connexion)]
        comptes = {c["courriel"]: c for c in stockage.lire_comptes(connexion=connexion)}
        par_demande: dict[int, list[dict]] = {}
        for x in stockage.lire_historique_decisions(appel_id, connexion=connexion):
            par_demande.setdefault(int(x["demande_id"]), []).append(x)
        if en_vigueur_depuis is not None:
            conflits += _leves_depuis(appel_id, en_vigueur_depuis, connexion)
    lignes = []
    for c in conflits:
        compte = comptes.get(c["evaluateur"])
        if compte is not None and compte["role"] not in ROLES_COMITE:
            continue
        cle = cle_personne(c["evaluateur"])
        lignes.append(
            {
                "demande_id": int(c["demande_id"]),
                "qui": c["evaluateur"],
                "nom": (compte or {}).get("nom") or c["evaluateur"],
                "role": LIBELLES_ROLES_COMITE[compte["role"]] if compte else SANS_COMPTE,
                "raison": c["raison"],
                "date": c["date"],
                "decide_avant": [
                    x["date"]
                    for x in par_demande.get(int(c["demande_id"]), ())
                    if cle_personne(x["auteur"]) == cle and x["date"] <= c["date"]
                ],
                **({"levee": c["levee"]} if c.get("levee") is not None else {}),
            }
        )
    return lignes


def _leves_depuis(appel_id: str, depuis: dt.datetime, connexion) -> list[dict]:
    """Les conflits levés depuis `depuis`, d'après le journal (déclaration : objet
    « conflit » sans ancienne valeur ; levée : « conflit:levee », ou « conflit » sans
    nouvelle valeur) : demande_id, evaluateur, raison, date de la déclaration, levee."""
    journal = stockage.lire_journal(
        connexion=connexion, appel_id=appel_id, objets=["conflit", attributions.LEVEE]
    )
    declares: dict[tuple[int, str], dict] = {}
    leves = []
    for x in journal.to_dict("records"):
        if x["demande_id"] is None or x["evaluateur"] is None:
            continue
        cle = (int(x["demande_id"]), x["evaluateur"])
        if x["objet"] == "conflit" and x["ancien"] is None and x["nouveau"] is not None:
            declares[cle] = {"raison": x["nouveau"], "date": x["date"]}
        elif x["objet"] == attributions.LEVEE or (x["ancien"] is not None and x["nouveau"] is None):
            declaration = declares.pop(cle, None)
            if x["date"] >= depuis and declaration is not None:
                leves.append(
                    {
                        "demande_id": cle[0],
                        "evaluateur": cle[1],
                        "raison": x["ancien"] or declaration["raison"],
                        "date": declaration["date"],
                        "levee": x["date"],
                    }
                )
    return leves


def levees_du_comite(
    appel_id: str,
    *,
    moteur: Moteur,
    depuis: dt.datetime | None = None,
    jusqu_a: dt.datetime | None = None,
) -> list[dict]:
    """Issue 16 : les conflits d'intérêts du comité levés (le journal, objet
    « conflit:levee »), de `depuis` à `jusqu_a` inclus, dans l'ordre : demande_id, qui,
    nom, raison (du conflit), motif (de la levée), date, auteur (qui l'a levé)."""
    with moteur.connect() as connexion:
        journal = stockage.lire_journal(
            connexion=connexion, appel_id=appel_id, objets=[attributions.LEVEE]
        )
        comptes = {c["courriel"]: c for c in stockage.lire_comptes(connexion=connexion)}
    lignes = []
    for x in journal.to_dict("records"):
        compte = comptes.get(x["evaluateur"])
        if compte is not None and compte["role"] not in ROLES_COMITE:
            continue
        if (depuis is not None and x["date"] < depuis) or (
            jusqu_a is not None and x["date"] > jusqu_a
        ):
            continue
        lignes.append(
            {
                "demande_id": int(x["demande_id"]),
                "qui": x["evaluateur"],
                "nom": (compte or {}).get("nom") or x["evaluateur"],
                "raison": x["ancien"] or "",
                "motif": x["nouveau"] or "",
                "date": x["date"],
                "auteur": x["auteur"],
            }
        )
    return lignes
