"""La conservation des renseignements personnels d'un appel (issue 20, point 5 ; Loi 25 :
coordonnées et descriptions des personnes dans les demandes) : quand elle échoit, et la purge
qui les retire (`python -m evaluation appels purger ID`).

L'échéance : [conservation] de la configuration de l'appel (réglages du ministère, l'appel
PAIVMQ n'en fixe aucune). `cloture` dit ce qui marque la fermeture de l'appel :
« fin_financement » (par défaut : le dernier jour de la dernière année financière de l'appel,
quand versements et rapport final sont attendus au plus tard) ou « date_limite » (la date
limite de dépôt). La conservation échoit le lendemain de la fermeture, plus
`mois_apres_cloture` mois. Sans durée fixée, il n'y a pas d'échéance : la purge ne se fait
qu'avant l'échéance, avec une raison écrite.

Ce qui est retiré (`CHAMPS_PERSONNELS` et le reste, voir le README, « Conservation et
purge ») : le courriel de la personne responsable, la description de l'équipe (ressources
humaines : noms, fonctions, expérience), la résolution du conseil (elle désigne la personne
qui signe), les colonnes hors gabarit (personne-ressource, téléphone…, inconnues du
programme), les pièces jointes (CV, lettres signées), et toute copie de ces valeurs dans les
rapports d'importation, les avertissements des demandes et le journal. Ce qui reste : le
numéro, le demandeur (une personne morale), le projet, les montants, le budget, les examens,
les évaluations, les décisions, les conventions et versements, et les faits du journal (qui,
quand, quoi), sans les valeurs retirées.

Un champ retiré garde à sa place « retiré (conservation échue le 1er avril 2027) » : la demande
reste lisible dans le classement et les exportations. Tout ou rien : une transaction, avec sa
ligne de journal (qui, quand, combien ; jamais les données).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from evaluation.appels.configuration import Appel
from evaluation.depot.gabarit import COLONNES_ORGANISME_PAR_CLE, COLONNES_PAR_CLE, libelles_champs
from evaluation.socle import stockage
from evaluation.socle.formats import date, pluriel
from evaluation.socle.stockage import Moteur
from evaluation.socle.texte import citer, cle_nom_propre

# Les champs d'une demande qui sont des renseignements personnels (ou en contiennent par
# destination) ; les autres textes décrivent le projet et restent (voir le docstring).
CHAMPS_PERSONNELS = ("courriel", "ressources_humaines", "resolution")
# Ce qui remplace une valeur retirée dans un rapport, un avertissement ou le journal.
RETIRE = "[retiré : conservation]"
OBJET_PURGE = stockage.OBJET_PURGE
# Les problèmes de validation qui citent la valeur d'un champ retiré, quel que soit l'en-tête
# sous lequel le fichier l'a donné (une colonne reliée à la main).
CODES_PERSONNELS = ("courriel",)
# Une valeur plus courte n'est pas cherchée dans les textes (elle remplacerait des mots
# ordinaires : « oui », « non », « s.o. ») ; elle reste retirée de la demande elle-même.
LONGUEUR_MIN_RECHERCHE = 5
# Au-delà, une forme n'entre dans l'expression de recherche que par ses premiers caractères.
ANCRE = 64


class PurgeRefusee(RuntimeError):
    """La purge n'est pas permise (avant l'échéance sans raison, ou sans échéance) : rien
    n'est écrit."""


def fermeture(appel: Appel) -> dt.date:
    """Le dernier jour de l'appel, selon [conservation] cloture."""
    if appel.cloture == "date_limite" and appel.date_limite is not None:
        return appel.date_limite
    return appel.financement.annees_financieres()[-1][1]


def _plus_mois(jour: dt.date, mois: int) -> dt.date:
    annee, m = divmod(jour.month - 1 + mois, 12)
    annee += jour.year
    dernier = calendar.monthrange(annee, m + 1)[1]
    return jour.replace(year=annee, month=m + 1, day=min(jour.day, dernier))


def echeance(appel: Appel) -> dt.date | None:
    """Le premier jour où la purge est permise sans raison : le lendemain de la fermeture,
    plus `mois_apres_cloture` mois (None : l'appel ne fixe aucune durée)."""
    if appel.mois_apres_cloture is None:
        return None
    return _plus_mois(fermeture(appel) + dt.timedelta(days=1), appel.mois_apres_cloture)


def mention_retrait(echeance_: dt.date | None, jour: dt.date) -> str:
    """Ce qu'affiche un champ retiré : « retiré (conservation échue le 1er avril 2027) », ou,
    retiré avant l'échéance, « retiré le 1er décembre 2026 (avant l'échéance de
    conservation) »."""
    if echeance_ is not None and jour >= echeance_:
        return f"retiré (conservation échue le {date(echeance_)})"
    return f"retiré le {date(jour)} (avant l'échéance de conservation)"


@dataclass
class Bilan:
    """Ce qu'une purge retire (ou retirerait, en simulation)."""

    appel_id: str
    echeance: dt.date | None
    jour: dt.date
    simulation: bool
    demandes: int = 0
    deja_purgees: int = 0
    champs: dict[str, int] = field(default_factory=dict)
    colonnes_supplementaires: int = 0
    lignes_budget: int = 0
    pieces: int = 0
    octets: int = 0
    rapports: int = 0
    lignes_journal: int = 0
    refus: str = ""
    # Ce qui a été fait sur le disque après la purge (`stockage.effacer_versions_mortes`).
    disque: str = ""

    def texte(self) -> str:
        """Le compte rendu, en phrases, sans aucune valeur retirée."""
        libelles = libelles_champs()
        champs = (
            " ; ".join(f"{libelles.get(c, c)} : {n}" for c, n in self.champs.items() if n)
            or "aucun"
        )
        lignes = [
            ("Simulation : rien n'est écrit. " if self.simulation else "Purge faite. ")
            + f"Appel {self.appel_id} : "
            + (
                f"conservation échue le {date(self.echeance)}."
                if self.echeance and self.jour >= self.echeance
                else f"échéance de la conservation le {date(self.echeance)}, non atteinte."
                if self.echeance
                else "aucune durée de conservation fixée ([conservation] mois_apres_cloture)."
            ),
            f"Demandes touchées : {self.demandes}"
            + (
                f" (déjà purgées, laissées telles quelles : {self.deja_purgees})."
                if self.deja_purgees
                else "."
            ),
            f"Champs retirés, par champ : {champs}.",
            "Colonnes hors gabarit retirées : "
            f"{pluriel(self.colonnes_supplementaires, 'demande')}, "
            f"{pluriel(self.lignes_budget, 'ligne de budget', 'lignes de budget')}.",
            f"Pièces jointes supprimées : {self.pieces} ({pluriel(self.octets, 'octet')}).",
            "Copies effacées : "
            + pluriel(self.rapports, "rapport d'importation", "rapports d'importation")
            + ", "
            + pluriel(self.lignes_journal, "ligne du journal", "lignes du journal")
            + ".",
        ]
        if self.disque:
            lignes.append(self.disque)
        if self.refus:
            lignes.append(f"La purge serait refusée : {self.refus}")
        return "\n".join(lignes)


def _refus(appel: Appel, echeance_: dt.date | None, jour: dt.date, avant: bool, raison: str) -> str:
    """Pourquoi la purge est refusée ("" si elle est permise)."""
    if avant and not raison.strip():
        return "--avant-echeance demande une raison écrite (--raison « … »). Rien n'est retiré."
    if avant:
        return ""
    if echeance_ is None:
        return (
            f"l'appel {appel.id} ne fixe aucune durée de conservation ([conservation] "
            "mois_apres_cloture dans sa configuration) : il n'a pas d'échéance. Fixez-la, ou "
            "purgez avant l'échéance avec --avant-echeance --raison « … ». Rien n'est retiré."
        )
    if jour < echeance_:
        return (
            f"la conservation des renseignements personnels de l'appel {appel.id} échoit le "
            f"{date(echeance_)} (fermeture le {date(fermeture(appel))}, plus "
            f"{pluriel(appel.mois_apres_cloture or 0, 'mois', 'mois')}). Avant, la purge "
            "demande --avant-echeance et une raison écrite (--raison « … »). Rien n'est retiré."
        )
    return ""


def _noms_colonnes(champ: str) -> set[str]:
    """Les noms sous lesquels un champ paraît dans un problème (clé, en-tête, autres noms)."""
    noms = {champ}
    for par_cle in (COLONNES_PAR_CLE, COLONNES_ORGANISME_PAR_CLE):
        if colonne := par_cle.get(champ):
            noms |= {colonne.entete, *colonne.alias}
    return {cle_nom_propre(n) for n in noms}


class _Effaceur:
    """Remplace, dans un texte ou un JSON, chaque copie connue d'une valeur retirée (telle
    quelle, ou coupée comme les messages la citent), et chaque détail de changement d'un champ
    retiré (« Courriel : a → b » : l'ancienne valeur n'est plus dans la demande)."""

    def __init__(self, valeurs: set[str], appel: Appel):
        formes: set[str] = set()
        for v in valeurs:
            v = v.strip()
            if len(v) < LONGUEUR_MIN_RECHERCHE:
                continue
            formes |= {v, citer(v)}
            if len(v) > 60:
                formes.add(v[:57] + "…")
        # Toutes les formes en une expression (un arbre de préfixes) : un texte se parcourt
        # une fois, dans le moteur d'expressions, quel que soit le nombre de valeurs (des
        # dizaines de milliers pour un grand appel, des centaines de milliers de lignes de
        # journal) ; la forme la plus longue l'emporte.
        # Une forme longue (une équipe décrite en 500 caractères) n'entre dans l'expression
        # que par ses ANCRE premiers caractères ; la suite se vérifie à la rencontre.
        self.longues: dict[str, list[str]] = {}
        for forme in sorted((f for f in formes if len(f) > ANCRE), key=len, reverse=True):
            self.longues.setdefault(forme[:ANCRE], []).append(forme)
        self.courtes = {f for f in formes if len(f) <= ANCRE}
        self.motif = _motif(self.courtes | set(self.longues))
        libelles = libelles_champs(appel)
        self.prefixes = tuple(f"{libelles.get(c, c)} : " for c in CHAMPS_PERSONNELS)
        self.colonnes = set().union(*(_noms_colonnes(c) for c in CHAMPS_PERSONNELS))

    def texte(self, valeur: str) -> str:
        if valeur.startswith(self.prefixes):
            return valeur.split(" : ", 1)[0] + " : " + RETIRE
        return self._remplacer(valeur)

    def _remplacer(self, valeur: str) -> str:
        """Chaque forme trouvée (la plus à gauche, la plus longue) devient RETIRE."""
        if self.motif is None or len(valeur) < LONGUEUR_MIN_RECHERCHE:
            return valeur
        morceaux, debut, position = [], 0, 0
        while trouve := self.motif.search(valeur, position):
            i, texte = trouve.start(), trouve.group()
            longue = next((f for f in self.longues.get(texte, ()) if valeur.startswith(f, i)), None)
            forme = longue or (texte if texte in self.courtes else None)
            if forme is None:  # l'ancre d'une forme longue qui ne suit pas
                position = i + 1
                continue
            morceaux += [valeur[debut:i], RETIRE]
            position = debut = i + len(forme)
        return "".join([*morceaux, valeur[debut:]]) if morceaux else valeur

    def json(self, valeur):
        if isinstance(valeur, str):
            return self.texte(valeur)
        if isinstance(valeur, list):
            return [self.json(v) for v in valeur]
        if isinstance(valeur, dict):
            colonne = valeur.get("colonne")
            if (colonne and cle_nom_propre(colonne) in self.colonnes) or str(
                valeur.get("code") or ""
            ).startswith(CODES_PERSONNELS):
                # Un problème sur un champ retiré cite sa valeur : le message part.
                valeur = {**valeur, "message": RETIRE, "suggestion": None}
            return {k: self.json(v) for k, v in valeur.items()}
        return valeur


def _motif(formes: set[str]) -> re.Pattern | None:
    """L'expression qui reconnaît chacune des `formes`, construite sur leur arbre de
    préfixes (les suites sans embranchement restent des littéraux) : le moteur d'expressions
    n'essaie, à chaque position, que les formes qui partagent ce qui précède."""
    if not formes:
        return None
    arbre: dict = {}
    for forme in formes:
        noeud = arbre
        for caractere in forme:
            noeud = noeud.setdefault(caractere, {})
        noeud[""] = {}

    def expression(noeud: dict) -> str:
        morceaux = []
        # Une suite sans embranchement : un littéral, sans récursion.
        while len(noeud) == 1 and "" not in noeud:
            ((caractere, noeud),) = noeud.items()
            morceaux.append(re.escape(caractere))
        suites = [re.escape(c) + expression(n) for c, n in sorted(noeud.items()) if c]
        if suites:
            groupe = "(?:" + "|".join(suites) + ")"
            morceaux.append(groupe + "?" if "" in noeud else groupe)
        return "".join(morceaux)

    return re.compile(expression(arbre))


def _textes(valeur) -> list[str]:
    """Les textes d'une valeur JSON (colonnes hors gabarit)."""
    if isinstance(valeur, str):
        return [valeur]
    if isinstance(valeur, dict):
        return [t for v in valeur.values() for t in _textes(v)]
    if isinstance(valeur, list):
        return [t for v in valeur for t in _textes(v)]
    if valeur is None or isinstance(valeur, bool):
        return []
    return [str(valeur)]


def purger(
    appel: Appel,
    *,
    moteur: Moteur,
    auteur: str,
    avant_echeance: bool = False,
    raison: str = "",
    simulation: bool = False,
    aujourd_hui: dt.date | None = None,
) -> Bilan:
    """Retire les renseignements personnels des demandes de l'appel (voir le docstring du
    module), en une transaction journalisée. `simulation` : compte ce qui serait retiré, sans
    rien écrire (et dit si la purge serait refusée). `PurgeRefusee` : avant l'échéance sans
    `avant_echeance` et une raison, ou sans échéance."""
    instant = stockage.maintenant()
    jour = aujourd_hui or instant.date()
    echeance_ = echeance(appel)
    refus = _refus(appel, echeance_, jour, avant_echeance, raison)
    if refus and not simulation:
        raise PurgeRefusee(refus)
    bilan = Bilan(appel.id, echeance_, jour, simulation, refus=refus)
    if simulation:
        with moteur.connect() as connexion:
            _preparer(appel, bilan, instant, connexion)
        return bilan
    tables = (stockage.demandes, stockage.pieces_jointes, stockage.journal, stockage.importations)
    with stockage.ecriture(moteur, *tables) as connexion:
        ecritures = _preparer(appel, bilan, instant, connexion)
        stockage.appliquer_purge(**ecritures, connexion=connexion)
        stockage.inscrire_journal(
            [
                stockage.ligne_journal(
                    instant,
                    auteur,
                    OBJET_PURGE,
                    None,
                    _resume(bilan, avant_echeance, raison),
                    appel_id=appel.id,
                )
            ],
            connexion=connexion,
        )
    # Hors de la transaction, une fois la purge validée : les anciennes versions des lignes.
    bilan.disque = stockage.effacer_versions_mortes(moteur)
    return bilan


def _preparer(appel: Appel, bilan: Bilan, instant: dt.datetime, connexion) -> dict:
    """Lit ce que la purge touche, en fait le compte dans `bilan`, et rend les écritures
    (arguments de `stockage.appliquer_purge`)."""
    mention = mention_retrait(bilan.echeance, bilan.jour)
    lu = stockage.lire_pour_purge(appel.id, CHAMPS_PERSONNELS, connexion=connexion)
    valeurs: set[str] = set()
    modifiees = []
    for d in lu["demandes"]:
        if d["renseignements_retires_le"] is not None:
            bilan.deja_purgees += 1
            continue
        changement = {"id": d["id"], "renseignements_retires_le": instant}
        for champ in CHAMPS_PERSONNELS:
            if d[champ] not in (None, ""):
                valeurs.add(str(d[champ]))
                changement[champ] = mention
                bilan.champs[champ] = bilan.champs.get(champ, 0) + 1
        if d["colonnes_supplementaires"]:
            valeurs.update(_textes(d["colonnes_supplementaires"]))
            changement["colonnes_supplementaires"] = None
            bilan.colonnes_supplementaires += 1
        modifiees.append(changement)
    for ligne in lu["lignes_budget"]:
        valeurs.update(_textes(ligne["colonnes_supplementaires"]))
    bilan.lignes_budget = len(lu["lignes_budget"])
    bilan.pieces = len(lu["pieces"])
    bilan.octets = sum(int(p["taille"]) for p in lu["pieces"])
    valeurs.update(p["nom_fichier"] for p in lu["pieces"])
    effaceur = _Effaceur(valeurs, appel)
    avertissements = {d["id"]: d["avertissements"] for d in lu["demandes"]}
    for changement in modifiees:
        anciens = avertissements[changement["id"]]
        if anciens:
            nouveaux = effaceur.json(anciens)
            if nouveaux != anciens:
                changement["avertissements"] = nouveaux
    bilan.demandes = len(modifiees)
    rapports = []
    for r in lu["importations"]:
        nouveau = effaceur.json(r["rapport"])
        if nouveau != r["rapport"]:
            rapports.append({"id": r["id"], "rapport": nouveau})
    bilan.rapports = len(rapports)
    lignes_journal = []
    for ligne in lu["journal"]:
        ancien, nouveau = (
            effaceur.texte(ligne[k]) if ligne[k] else ligne[k] for k in ("ancien", "nouveau")
        )
        if (ancien, nouveau) != (ligne["ancien"], ligne["nouveau"]):
            lignes_journal.append({"id": ligne["id"], "ancien": ancien, "nouveau": nouveau})
    bilan.lignes_journal = len(lignes_journal)
    return {
        "demandes_modifiees": modifiees,
        "lignes_budget_ids": [x["id"] for x in lu["lignes_budget"]],
        "pieces_ids": [p["id"] for p in lu["pieces"]],
        "rapports": rapports,
        "lignes_journal": lignes_journal,
    }


def _resume(bilan: Bilan, avant_echeance: bool, raison: str) -> str:
    """La ligne du journal : combien, quels champs, l'échéance, la raison d'une purge faite
    avant elle ; aucune valeur retirée."""
    champs = ", ".join(f"{c} ({n})" for c, n in bilan.champs.items() if n) or "aucun champ"
    texte = (
        f"renseignements personnels retirés : {pluriel(bilan.demandes, 'demande')} ; champs : "
        f"{champs} ; colonnes hors gabarit : {bilan.colonnes_supplementaires} demandes, "
        f"{bilan.lignes_budget} lignes de budget ; pièces jointes supprimées : {bilan.pieces} "
        f"({bilan.octets} octets) ; copies effacées : {bilan.rapports} rapports d'importation, "
        f"{bilan.lignes_journal} lignes du journal ; échéance : "
        + (date(bilan.echeance) if bilan.echeance else "aucune")
    )
    if avant_echeance:
        texte += f" ; avant l'échéance, raison : {raison.strip()}"
    return texte
