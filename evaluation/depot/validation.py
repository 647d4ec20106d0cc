"""Validation d'un lot de fichiers lus : chaque cellule convertie, chaque problème situé.

Ne lève jamais d'exception sur des données fautives : elle renvoie les demandes et les
lignes de budget converties, chacune avec ses problèmes, et décide ce qui peut être
importé (un fichier qui porte un problème bloquant n'importe rien, sauf si la personne
choisit d'en importer les lignes valides).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from evaluation.appels.configuration import Appel, Dimension
from evaluation.depot import echeance
from evaluation.depot.admissibilite import constats_budget, constats_demande
from evaluation.depot.gabarit import (
    COLONNES_BUDGET,
    COLONNES_BUDGET_PAR_CLE,
    COLONNES_PAR_CLE,
    FEUILLE_LISTES,
    PREFIXE_DIMENSION,
    RANG_ALIAS,
    Colonne,
    champs_demandes,
    cle_dimension,
    colonnes_demandes,
    colonnes_dimensions,
    colonnes_sans_objet,
    correspondance_entete,
)
from evaluation.depot.lecture import CelluleEnErreur, FichierLu, Tableau
from evaluation.depot.municipalites import Repertoire
from evaluation.depot.valeurs import (
    ValeurIllisible,
    Vocabulaire,
    est_vide,
    lire_date,
    lire_entier,
    lire_montant,
    lire_neq,
    lire_oui_non,
)
from evaluation.socle import formats
from evaluation.socle.probleme import AVERTISSEMENT, BLOQUANT, INFORMATION, Probleme
from evaluation.socle.texte import (
    citer,
    cle_identifiant,
    cle_souple,
    compacter,
    invisibles,
    liste,
    nettoyer,
    nettoyer_ordinaire,
    noms_multiples,
    normaliser,
    normaliser_entete,
    ordinaire,
    sosies,
    suggerer,
    suspect,
    visible,
)

_COURRIEL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(slots=True)
class Enregistrement:
    """Une demande ou une ligne de budget convertie, avec sa provenance et ses problèmes.

    Sans dictionnaire d'attributs (`slots`) : 250 000 enregistrements pour 50 000 demandes,
    130 Mo de moins."""

    valeurs: dict[str, object]
    fichier: str
    feuille: str
    ligne: int
    problemes: list[Probleme] = field(default_factory=list)
    supplementaires: dict[str, object] = field(default_factory=dict)
    tableau: Tableau | None = field(default=None, repr=False, compare=False)
    index: int = 0
    _cle: str | None = field(default=None, repr=False, compare=False)
    # Pour une ligne de budget : la demande du lot à laquelle elle se rattache, ou le fait
    # qu'elle complète une demande déjà stockée.
    demande: Enregistrement | None = field(default=None, repr=False, compare=False)
    demande_stockee: bool = False
    # Une demande sans numéro dans son fichier : le numéro lui est attribué (`attribuer_numeros`),
    # ou c'est celui de la demande stockée qu'elle est (même demandeur, même titre).
    attribue: bool = False
    reconnue: bool = False
    # Plusieurs demandes stockées ont son demandeur et son titre : laquelle ? (bloquant)
    ambigue: tuple[str, ...] = ()

    def emplacement(self, cle: str) -> tuple[int, str]:
        """(ligne Excel, en-tête du fichier) de la cellule `cle` de cet enregistrement."""
        if self.tableau is None:
            return self.ligne, cle
        return self.tableau.emplacement(self.index, cle)

    def signaler(self, cle, code, message, severite, suggestion=None) -> None:
        ligne, colonne = self.emplacement(cle)
        self.problemes.append(
            Probleme(
                self.fichier,
                code,
                message,
                severite,
                self.feuille,
                ligne,
                colonne,
                self.no_demande or None,
                suggestion,
            )
        )

    @property
    def no_demande(self) -> str:
        return str(self.valeurs.get("no_demande") or "")

    @property
    def cle(self) -> str:
        """Le numéro sans égard à la casse ni aux espaces : deux écritures, une demande."""
        if self._cle is None:
            self._cle = cle_numero(self.no_demande)
        return self._cle

    @property
    def bloque(self) -> bool:
        return any(p.bloque for p in self.problemes)


@dataclass
class Verification:
    """Vérification d'un lot : ce qui sera importé, et pourquoi le reste ne l'est pas."""

    demandes: list[Enregistrement]
    lignes_budget: list[Enregistrement]
    problemes_fichiers: list[Probleme]
    fichiers: list[str]
    lus: list[FichierLu] = field(default_factory=list, repr=False)
    # selection() par choix « lignes valides » : une vérification ne change plus une fois
    # construite, et page, rapport et importation demandent la même sélection plusieurs fois.
    _selections: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def feuilles_incompletes(self) -> set[tuple[str, str | None]]:
        """(fichier, feuille) à qui manque une colonne obligatoire : aucune de leurs lignes
        n'est importable, même quand on importe « seulement les lignes valides »."""
        return {
            (p.fichier, p.feuille) for p in self.problemes_fichiers if p.code == "colonne_manquante"
        }

    @property
    def problemes(self) -> list[Probleme]:
        tous = list(self.problemes_fichiers)
        for e in (*self.demandes, *self.lignes_budget):
            tous.extend(e.problemes)
        return tous

    def fichiers_bloques(self) -> set[str]:
        return {p.fichier for p in self.problemes if p.bloque}

    @property
    def sans_blocage(self) -> bool:
        return not self.fichiers_bloques()

    def selection(self, lignes_valides_seulement: bool = False):
        """(demandes, lignes de budget) à importer.

        Par défaut, un fichier qui porte un problème bloquant n'importe rien, et une demande
        dont une ligne de budget est dans un tel fichier non plus. Avec
        `lignes_valides_seulement`, seules les demandes fautives (ou dont une ligne de
        budget l'est) sont écartées. D'un numéro en double, seule la première demande peut
        être gardée.
        """
        if lignes_valides_seulement not in self._selections:
            self._selections[lignes_valides_seulement] = self._selectionner(
                lignes_valides_seulement
            )
        return self._selections[lignes_valides_seulement]

    def _selectionner(self, lignes_valides_seulement: bool):
        bloques = set() if lignes_valides_seulement else self.fichiers_bloques()
        incompletes = self.feuilles_incompletes

        def rejetee(e: Enregistrement) -> bool:
            # Dans l'ordre du moins cher : la plupart des lignes n'ont aucun problème.
            return bool(
                (e.problemes and e.bloque)
                or (bloques and e.fichier in bloques)
                or (incompletes and (e.fichier, e.feuille) in incompletes)
            )

        budget_rejete = [rejetee(b) for b in self.lignes_budget]
        exclues = {id(d) for d in self.demandes if rejetee(d)}
        exclues.update(
            id(b.demande)
            for b, rejet in zip(self.lignes_budget, budget_rejete, strict=True)
            if rejet and b.demande is not None
        )
        demandes = _premiers([d for d in self.demandes if id(d) not in exclues])
        gardees = {id(d) for d in demandes}
        lignes = [
            b
            for b, rejet in zip(self.lignes_budget, budget_rejete, strict=True)
            if not rejet
            and (id(b.demande) in gardees if b.demande is not None else b.demande_stockee)
        ]
        return demandes, lignes

    def ecartees(self, lignes_valides_seulement: bool = False) -> list[Enregistrement]:
        gardees, _ = self.selection(lignes_valides_seulement)
        ids = {id(d) for d in gardees}
        return [d for d in self.demandes if id(d) not in ids]


def _premiers(demandes: list[Enregistrement]) -> list[Enregistrement]:
    vus, gardees = set(), []
    for d in demandes:
        cle = d.cle
        if cle not in vus:
            vus.add(cle)
            gardees.append(d)
    return gardees


def cle_numero(numero: object) -> str:
    """Clé de comparaison d'un numéro de demande : sans casse, espaces superflus ni
    caractère invisible, pleine chasse ramenée (voir `texte.cle_identifiant`)."""
    return cle_identifiant(numero)


def _ligne_ordinaire(brut: dict) -> bool:
    """Vrai si les textes de la ligne n'ont que des caractères ordinaires
    (`texte.ordinaire`) : une seule recherche en C pour toute la ligne, le cas de presque
    toutes sur des dizaines de milliers. Ses textes se nettoient alors sans autre recherche
    (`texte.nettoyer_ordinaire`)."""
    return ordinaire("".join([v for v in brut.values() if type(v) is str]))


def _sans_invisibles(brut: dict, signaler) -> dict:
    """Les cellules de la ligne sans caractère invisible ni de direction (voir
    `texte.visible`) ; chaque cellule qui en portait est signalée (avertissement), comme
    chaque cellule qui porte des lettres sosies d'un autre alphabet (voir `texte.sosies`).

    Pour une ligne que `_ligne_ordinaire` n'a pas déjà écartée."""
    propres = None
    for cle, valeur in brut.items():
        if type(valeur) is not str or valeur.isascii() or not suspect(valeur):
            continue
        if trouves := invisibles(valeur):
            propres = propres or dict(brut)
            propres[cle] = valeur = visible(valeur)
            signaler(
                cle,
                "caracteres_invisibles",
                f"caractères invisibles ou de direction retirés ({', '.join(trouves)}) : le "
                f"texte gardé est « {citer(valeur)} », tel qu'il s'affiche. Vérifiez la "
                "cellule dans le fichier.",
                AVERTISSEMENT,
            )
        if trouves := sosies(valeur):
            signaler(
                cle,
                "lettres_sosies",
                f"lettres d'un autre alphabet qui imitent des lettres latines "
                f"({', '.join(trouves)}) dans « {citer(valeur)} » : elles sont lues comme les "
                "lettres latines qu'elles imitent pour reconnaître les noms et les numéros. "
                "Retapez la cellule au clavier.",
                AVERTISSEMENT,
            )
    return brut if propres is None else propres


def _signaler_erreur_excel(signaler, col: Colonne, valeur: CelluleEnErreur) -> None:
    """Une cellule #N/A, #REF!... : bloquante si la valeur est obligatoire, ou si c'est le
    numéro (facultatif, mais une cellule en erreur n'est pas une cellule vide : lui en
    attribuer un pourrait copier une demande déjà stockée sous le sien)."""
    grave = (col.obligatoire or col.cle == "no_demande") and col.cle != "region"
    signaler(
        col.cle,
        "cellule_en_erreur",
        f"cellule en erreur « {citer(valeur.code)} » : corrigez la formule dans le fichier ou "
        "saisissez la valeur" + ("." if grave else " (valeur ignorée)."),
        BLOQUANT if grave else AVERTISSEMENT,
    )


_SANS_PARTENAIRE = {
    "non",
    "aucun",
    "aucune",
    "n a",
    "na",
    "s o",
    "so",
    "sans objet",
    "ne s applique pas",
    "nil",
    "neant",
    "pas de partenaire",
    "aucun partenaire",
    "sans",
    "0",
    "-",
}


def _noms_partenaires(noms: list[str]) -> list[str]:
    """Les noms de municipalités partenaires, sans les « Non » ni « S.O. » qui disent qu'il
    n'y en a pas ; une liste séparée par des virgules, des barres obliques ou « et » est
    découpée (voir `texte.noms_multiples`)."""
    resultat = []
    for nom in noms:
        for morceau in noms_multiples(nom):
            if normaliser(morceau) not in _SANS_PARTENAIRE:
                resultat.append(morceau)
    return resultat


def _enregistrement(tableau: Tableau, i: int, numero: str) -> Enregistrement:
    return Enregistrement(
        {"no_demande": numero or None},
        tableau.fichier,
        tableau.feuille,
        tableau.lignes[i],
        supplementaires=tableau.supplementaires[i],
        tableau=tableau,
        index=i,
    )


# Genres dont chaque valeur est propre à une demande : rien à gagner à s'en souvenir.
_UNIQUES = frozenset({"texte", "courriel"})


# Une cellule Excel porte au plus 32 767 caractères : Excel, et le lecteur des .xlsx, coupent
# au-delà, sans rien dire. Une cellule lue de cette longueur a sans doute perdu sa fin.
LONGUEUR_CELLULE_EXCEL = 32_767
MESSAGE_TEXTE_COUPE = (
    "texte coupé à 32 767 caractères (limite d'une cellule Excel) : la suite est perdue. "
    "Raccourcissez le texte, ou joignez-le à la demande en pièce jointe."
)


def _convertir(genre: str, valeur: object, toujours: bool, convertir) -> tuple:
    """(valeur convertie, None) ou (None, (code, sévérité, message, suggestion)) si la
    cellule est illisible ; (None, None) pour une cellule vide qu'on ne convertit pas."""
    if toujours or not (valeur is None or (type(valeur) is str and est_vide(valeur))):
        try:
            return convertir(valeur), None
        except ValeurIllisible as exc:
            code, severite = _CODES_ILLISIBLE[genre]
            return None, (code, severite, str(exc), exc.suggestion)
    return None, None


class _Validateur:
    def __init__(self, appel: Appel, repertoire: Repertoire):
        self.appel = appel
        self.vocabulaire = Vocabulaire(appel)
        self.repertoire = repertoire
        # Les dimensions déclarées ont leur propre lecture (`_colonnes_dimensions`).
        self.colonnes = tuple(
            c for c in colonnes_demandes(appel) if not c.cle.startswith(PREFIXE_DIMENSION)
        )
        self.convertisseurs = self._convertisseurs()
        self.champs_formulaire = champs_demandes(appel)
        self._colonnes_dimensions = colonnes_dimensions(appel)
        self._plans: dict[int, list] = {}
        self._memoire: dict[str, dict] = {}

    # -- Demandes --------------------------------------------------------------------------

    def demande(self, tableau: Tableau, i: int) -> Enregistrement:
        brut = tableau.enregistrements[i]
        numero = nettoyer(brut.get("no_demande"))
        e = _enregistrement(tableau, i, numero)
        v = e.valeurs
        pb = e.problemes

        def signaler(cle, code, message, severite=BLOQUANT, suggestion=None):
            e.signaler(cle, code, message, severite, suggestion)

        ligne_ordinaire = _ligne_ordinaire(brut)
        if not ligne_ordinaire:
            brut = _sans_invisibles(brut, signaler)
        erreurs_possibles = tableau.cellules_en_erreur
        for col, cle, toujours, obligatoire, montant, convertir, memo in self.plan(tableau):
            valeur = brut.get(cle)
            if type(valeur) is str and len(valeur) >= LONGUEUR_CELLULE_EXCEL:
                signaler(cle, "texte_coupe", MESSAGE_TEXTE_COUPE, AVERTISSEMENT)
            if erreurs_possibles and isinstance(valeur, CelluleEnErreur):
                v[cle] = None
                _signaler_erreur_excel(signaler, col, valeur)
                continue
            if memo is None:
                if ligne_ordinaire and convertir is nettoyer and type(valeur) is str:
                    # Un texte d'une ligne déjà vérifiée : rien à chercher de plus (`est_vide`
                    # ne nettoie que les textes courts).
                    vide = est_vide(valeur)
                    converti, illisible = None if vide else nettoyer_ordinaire(valeur), None
                else:
                    converti, illisible = _convertir(col.genre, valeur, toujours, convertir)
            else:
                # Le type fait partie de la clé : 1, 1.0 et True se valent pour un dict.
                k = valeur if type(valeur) is str else (type(valeur), valeur)
                resultat = memo.get(k)
                if resultat is None:
                    resultat = memo[k] = _convertir(col.genre, valeur, toujours, convertir)
                converti, illisible = resultat
                if type(converti) is list:
                    converti = list(converti)  # chaque demande a la sienne
            if illisible is not None:
                v[cle] = None
                code, severite, message, suggestion = illisible
                signaler(cle, code, message, severite, suggestion)
                continue
            if converti is None or converti == "" or converti == []:
                # Cellule vide, quelle qu'en soit la forme (« - », NaN, espaces...).
                converti = None if converti == "" else converti
                if obligatoire:
                    signaler(
                        cle,
                        "valeur_manquante",
                        f"valeur obligatoire manquante : remplissez « {col.entete} ».",
                    )
            elif montant and converti < 0:
                signaler(
                    cle,
                    "montant_negatif",
                    f"montant négatif ({citer(valeur)}) : un montant est positif ou nul.",
                )
                converti = None
            v[cle] = converti

        v["no_demande"] = numero or None
        self.municipalites(tableau, i, v, signaler)
        self.listes(v, signaler)
        self.dimensions(tableau, brut, v, signaler)
        debut, fin = v.get("date_debut"), v.get("date_fin")
        if debut and fin and fin < debut:
            signaler(
                "date_fin",
                "dates_inversees",
                f"la date de fin ({formats.date(fin)}) précède la date de début "
                f"({formats.date(debut)}) : corrigez l'une des deux.",
            )
        if not any(p.bloque for p in pb):
            for c in constats_demande(v, self.appel, set(tableau.colonnes)):
                signaler(c.cle, c.code, c.message, AVERTISSEMENT)
            self.depot(tableau, brut, v, signaler)
            self.formulaire(tableau, v, signaler)
        return e

    def formulaire(self, tableau: Tableau, v: dict, signaler) -> None:
        """Un champ que le formulaire de l'appel demande (`gabarit.champs_demandes`), laissé
        vide : avertissement, la demande s'importe (l'évaluateur notera sans ce
        renseignement). Sans la colonne, `verifier` le dit une fois pour la feuille."""
        for col, critere in self.champs_formulaire:
            if col.cle in tableau.colonnes and v.get(col.cle) is None:
                signaler(
                    col.cle,
                    "formulaire_incomplet",
                    f"« {col.entete} » vide : le formulaire de l'appel le demande, le critère "
                    f"« {critere.libelle} » le lit. La demande est importée ; remplissez la "
                    "cellule et réimportez pour que les évaluateurs l'aient.",
                    AVERTISSEMENT,
                )

    def depot(self, tableau: Tableau, brut: dict, v: dict, signaler) -> None:
        """Dépôt en retard (avertissement, avec les jours), ou date de dépôt vide (la date
        de l'importation sera retenue). Sans colonne « Date de dépôt », `verifier` le dit
        une fois pour le tableau."""
        if "date_depot" not in tableau.colonnes:
            return
        if v.get("date_depot") is None:
            if est_vide(brut.get("date_depot")):
                signaler(
                    "date_depot",
                    "date_depot_vide",
                    "date de dépôt vide : la date de l'importation sera retenue, marquée "
                    "présumée (une demande déjà importée garde la sienne). Inscrivez la date "
                    "de dépôt réelle (AAAA-MM-JJ) pour la vérifier face à la date limite.",
                    INFORMATION,
                )
            return
        constat = echeance.depot(v, self.appel)
        doute = echeance.invraisemblance(
            constat.date_depot, constat.date_limite, echeance.aujourdhui()
        )
        if doute:
            # Interprétation (`echeance.OUVERTURE_MAX`) : plus d'un an avant la date limite,
            # ou à venir, la date est une faute de saisie probable ; l'examen la vérifie.
            signaler(
                "date_depot",
                "date_depot_invraisemblable",
                f"{doute} : vérifiez la date de dépôt sur la demande reçue et corrigez la "
                "cellule (AAAA-MM-JJ) ; sinon l'analyste la vérifie à l'examen "
                "d'admissibilité.",
                AVERTISSEMENT,
            )
        elif constat.en_retard:
            signaler("date_depot", "depot_en_retard", constat.texte(), AVERTISSEMENT)

    def _convertisseurs(self) -> dict:
        """Une fonction de conversion par genre de colonne (voir `gabarit.Colonne.genre`)."""
        vocabulaire = self.vocabulaire

        def courriel(valeur):
            texte = nettoyer(valeur)
            if not _COURRIEL.fullmatch(texte):
                raise ValeurIllisible(
                    f"adresse courriel invalide « {citer(texte)} » : écrivez une adresse "
                    "complète, comme nom@domaine.ca (valeur ignorée)."
                )
            return texte

        return {
            "montant": lire_montant,
            "date": lire_date,
            "oui_non": lire_oui_non,
            "axe": lambda v: vocabulaire.axe(v).numero,
            "secteur": lambda v: vocabulaire.secteur(v).libelle,
            "region": lambda v: vocabulaire.region(v).code,
            "qualite": vocabulaire.qualite_signataire,
            "categorie": vocabulaire.categorie,
            "entier": lire_entier,
            "courriel": courriel,
            "liste": liste,
            "secteurs": liste,
            "texte": nettoyer,
            "municipalite": nettoyer,
            "organisme": nettoyer,
            "neq": lire_neq,
        }

    def plan(self, tableau: Tableau) -> list[tuple]:
        """Les colonnes présentes dans le tableau, avec ce qu'il faut savoir de chacune pour la
        convertir (calculé une fois par tableau : la boucle par demande reste courte).

        (colonne, clé, toujours convertir, obligatoire, est un montant, conversion, mémoire) ;
        une réponse oui/non se convertit même vide, la région manquante se déduit ailleurs.
        La mémoire (valeur brute → conversion) sert aux colonnes dont les valeurs se répètent
        d'une demande à l'autre (municipalités, régions, dates, montants, oui/non...) ; pas
        aux textes propres à chaque demande (numéro, titre, résumé, courriel)."""
        cle = id(tableau)
        if cle not in self._plans:
            self._plans[cle] = [
                (
                    col,
                    col.cle,
                    col.genre == "oui_non",
                    col.obligatoire and col.cle != "region",
                    col.genre == "montant",
                    self.convertisseurs[col.genre],
                    None if col.genre in _UNIQUES else self._memoire.setdefault(col.cle, {}),
                )
                for col in self.colonnes
                if col.cle in tableau.colonnes
            ]
        return self._plans[cle]

    def municipalites(self, tableau: Tableau, i: int, v: dict, signaler) -> None:
        """La requérante (ou, pour un organisme, la municipalité de son siège) reconnue au
        répertoire, la région qui en découle, et les partenaires municipaux.

        Appel : « Le projet proposé peut être porté par une ou plusieurs entités
        municipales. » Interprétation (comme `Repertoire.entite_municipale`) : une
        municipalité locale, une MRC ou un territoire équivalent du répertoire peut être
        requérante ; une MRC se nomme expressément (« MRC de Coaticook »), sinon le nom est
        celui d'une municipalité (Coaticook, la ville). Le siège d'un organisme est une
        municipalité locale."""
        organisme = self.appel.demandeur_organisme
        quoi = "municipalité du siège" if organisme else "municipalité"
        nom = v.get("municipalite")
        declaree = v.get("region")
        trouvee = None
        mrc_requerante = None
        region_mrc = None
        if nom:
            r = self.repertoire.reconnaitre(nom, declaree)
            trouvee = r.municipalite
            if not trouvee and not r.ambigues and not organisme:
                mrc_requerante = self.repertoire.mrc(nom)
            if trouvee:
                v["municipalite"] = trouvee.nom_affiche
                v["code_geographique"] = trouvee.code_geographique
            elif mrc_requerante:
                v["municipalite"] = (
                    mrc_requerante if mrc_requerante.endswith("(TÉ)") else f"MRC {mrc_requerante}"
                )
                region_mrc = self.repertoire.region_mrc(mrc_requerante)
            elif r.ambigues:
                choix = "; ".join(
                    f"{m.designation} de {m.nom_affiche} ({m.region_code} {m.region_nom})"
                    for m in r.ambigues
                )
                signaler(
                    "municipalite",
                    "municipalite_ambigue",
                    f"plusieurs municipalités portent le nom « {citer(nom)} » ({choix}) : "
                    "indiquez la région, ou écrivez « Canton de … », « Ville de … ».",
                    AVERTISSEMENT,
                )
            else:
                aide = (
                    f" Vouliez-vous dire « {r.suggestion} » ?"
                    if r.suggestion
                    else " Vérifiez l'orthographe (répertoire des municipalités du MAMH)."
                )
                mrc = "" if organisme else " ; une MRC s'écrit « MRC de … »"
                signaler(
                    "municipalite",
                    "municipalite_inconnue",
                    f"{quoi} « {citer(nom)} » absente du répertoire des municipalités du "
                    f"Québec{mrc}.{aide}",
                    AVERTISSEMENT,
                    r.suggestion,
                )
        v.setdefault("code_geographique", None)
        region_colonne = "region" in tableau.colonnes
        if region_mrc and not trouvee:
            code, nom_region = region_mrc
            if declaree and declaree != code:
                signaler(
                    "region",
                    "region_contradictoire",
                    f"la région déclarée ({declaree}) n'est pas celle de la requérante "
                    f"« {v['municipalite']} » au répertoire ({code} {nom_region}) : la région du "
                    "répertoire est retenue ; corrigez le fichier si la requérante est une "
                    "autre.",
                    AVERTISSEMENT,
                )
            v["region"] = declaree = code
        if trouvee:
            if declaree and declaree != trouvee.region_code:
                nom_declaree = self.appel.region(declaree)
                signaler(
                    "region",
                    "region_contradictoire",
                    f"la région déclarée ({declaree} {nom_declaree.nom if nom_declaree else ''}"
                    f") n'est pas celle de {trouvee.nom_affiche} au répertoire "
                    f"({trouvee.region_code} {trouvee.region_nom}) : la région du "
                    "répertoire est retenue ; corrigez le fichier si la municipalité est "
                    "une autre.",
                    AVERTISSEMENT,
                )
            elif (
                not declaree
                and region_colonne
                and est_vide(tableau.enregistrements[i].get("region"))
            ):
                signaler(
                    "region",
                    "region_deduite",
                    f"région vide : {trouvee.region_code} ({trouvee.region_nom}) tirée "
                    "du répertoire des municipalités.",
                    INFORMATION,
                )
            v["region"] = trouvee.region_code
        elif not declaree and (
            (region_colonne and est_vide(tableau.enregistrements[i].get("region")))
            or not region_colonne
        ):
            colonne = COLONNES_PAR_CLE["region"].entete
            signaler(
                "region",
                "valeur_manquante",
                f"région administrative manquante et municipalité non reconnue : "
                f"remplissez « {colonne} » (code 01 à 17).",
            )
        # Projet conjoint. Appel : « La présentation d'un projet conjoint entre plusieurs
        # acteurs municipaux peut permettre la bonification de la subvention. » Interprétation
        # (configuration) : au moins `entites_conjoint_min` entités municipales distinctes, la
        # requérante comprise : municipalités locales du répertoire, MRC et territoires
        # équivalents (colonne « mrc » du répertoire), régies intermunicipales et
        # communautés métropolitaines nommées dans `regroupements_municipaux`.
        partenaires, entites = [], set()
        f = self.appel.financement
        regroupements = {cle_souple(n): n for n in f.regroupements_municipaux}
        for nom_partenaire in _noms_partenaires(v.get("municipalites_partenaires") or []):
            r = self.repertoire.reconnaitre(nom_partenaire)
            mrc = None if r.municipalite else self.repertoire.reconnaitre_mrc(nom_partenaire)
            meme_territoire = (
                trouvee is not None
                and mrc is not None
                and mrc.endswith("(TÉ)")
                and cle_souple(mrc.removesuffix("(TÉ)")) == cle_souple(trouvee.nom)
            )
            if (trouvee and (r.municipalite == trouvee or meme_territoire)) or (
                mrc_requerante is not None and mrc == mrc_requerante
            ):
                signaler(
                    "municipalites_partenaires",
                    "partenaire_requerante",
                    f"la requérante ({v['municipalite']}) figure parmi ses propres "
                    "partenaires : elle n'est pas comptée comme partenaire.",
                    AVERTISSEMENT,
                )
                continue
            if r.municipalite:
                partenaires.append(r.municipalite.nom_affiche)
                entites.add(("municipalite", r.municipalite.code_geographique))
                continue
            if mrc:
                nom_mrc = mrc if mrc.endswith("(TÉ)") else f"MRC {mrc}"
                partenaires.append(nom_mrc)
                entites.add(("mrc", mrc))
                continue
            if regroupement := regroupements.get(cle_souple(nom_partenaire)):
                partenaires.append(regroupement)
                entites.add(("regroupement", regroupement))
                continue
            partenaires.append(nom_partenaire)
            aide = f" Vouliez-vous dire « {r.suggestion} » ?" if r.suggestion else ""
            if r.ambigues:
                aide = " Plusieurs municipalités portent ce nom : précisez « Ville de … »."
            signaler(
                "municipalites_partenaires",
                "municipalite_inconnue",
                f"partenaire « {citer(nom_partenaire)} » non reconnu : ni municipalité du "
                "répertoire des municipalités du Québec, ni MRC ou territoire équivalent, ni "
                "régie ou communauté métropolitaine nommée par l'appel ; il ne compte pas "
                f"parmi les entités municipales d'un projet conjoint.{aide}",
                AVERTISSEMENT,
                r.suggestion,
            )
        v["projet_conjoint"] = 1 + len(entites) >= f.entites_conjoint_min
        v["municipalites_partenaires"] = "; ".join(partenaires) or None

    def dimensions(self, tableau: Tableau, brut: dict, v: dict, signaler) -> None:
        """Les valeurs de chaque dimension que l'appel déclare, en identifiants canoniques :
        `v["dimensions"]` = {id_dimension: [id_valeur, ...]} (liste vide si la cellule est
        vide ou la colonne absente ; None si l'appel n'en déclare aucune)."""
        if not self.appel.dimensions:
            v["dimensions"] = None
            return
        lues: dict[str, list[str]] = {}
        for d, col in zip(self.appel.dimensions, self._colonnes_dimensions, strict=True):
            cle = col.cle
            lues[d.id] = []
            if cle not in tableau.colonnes:
                continue  # colonne absente : `_problemes_structure` le dit si elle est exigée
            valeur = brut.get(cle)
            if isinstance(valeur, CelluleEnErreur):
                _signaler_erreur_excel(signaler, col, valeur)
                continue
            if type(valeur) is str and len(valeur) >= LONGUEUR_CELLULE_EXCEL:
                # Coupée au milieu d'une valeur : « Volonta » n'est pas une valeur inconnue.
                signaler(
                    cle,
                    "texte_coupe",
                    f"{MESSAGE_TEXTE_COUPE} La dernière valeur de la cellule est sans doute "
                    "tronquée : gardez moins de valeurs.",
                    BLOQUANT,
                )
                continue
            ids, constats = self._memoriser(cle, valeur, functools.partial(_valeurs_dimension, d))
            lues[d.id] = list(ids)
            for code, message, severite in constats:
                signaler(cle, code, message, severite)
        v["dimensions"] = lues

    def listes(self, v: dict, signaler) -> None:
        secondaires = []
        for s in v.get("secteurs_secondaires") or []:
            try:
                secondaires.append(self.vocabulaire.secteur(s).libelle)
            except ValeurIllisible as exc:
                signaler(
                    "secteurs_secondaires",
                    "secteur_secondaire_inconnu",
                    str(exc),
                    AVERTISSEMENT,
                    exc.suggestion,
                )
        v["secteurs_secondaires"] = "; ".join(dict.fromkeys(secondaires)) or None
        v["pays"] = "; ".join(v.get("pays") or []) or None

    # -- Budget ----------------------------------------------------------------------------

    def ligne_budget(self, tableau: Tableau, i: int, numeros_connus: set[str]) -> Enregistrement:
        brut = tableau.enregistrements[i]
        numero = nettoyer(brut.get("no_demande"))
        e = _enregistrement(tableau, i, numero)
        v = e.valeurs

        def signaler(cle, code, message, severite=BLOQUANT, suggestion=None):
            e.signaler(cle, code, message, severite, suggestion)

        ligne_ordinaire = _ligne_ordinaire(brut)
        if not ligne_ordinaire:
            brut = _sans_invisibles(brut, signaler)
        erreurs = (
            {cle for cle, val in brut.items() if isinstance(val, CelluleEnErreur)}
            if tableau.cellules_en_erreur
            else set()
        )
        for cle in erreurs:
            _signaler_erreur_excel(signaler, COLONNES_BUDGET_PAR_CLE[cle], brut[cle])
        if erreurs:
            brut = {cle: (None if cle in erreurs else val) for cle, val in brut.items()}
            numero = nettoyer(brut.get("no_demande"))
        v["no_demande"] = numero or None
        e._cle = cle = cle_numero(numero)
        if "titre" in tableau.colonnes:
            v["titre"] = nettoyer(brut.get("titre")) or None
        # Sans numéro : `verifier` la rattache par le titre ou à la seule demande du fichier.
        if numero and cle not in numeros_connus:
            signaler(
                "no_demande",
                "demande_inconnue",
                f"la demande « {citer(numero)} » n'existe ni dans ce lot ni dans les demandes déjà "
                "importées : corrigez le numéro.",
            )
        max_annees = self.appel.financement.nombre_annees_max
        annee = self._memoriser("annee", brut.get("annee"), _annee)
        if annee is None:
            annee = 1
            if "annee" in tableau.colonnes and "annee" not in erreurs:
                signaler(
                    "annee",
                    "annee_manquante",
                    "année vide : la dépense est comptée en année 1.",
                    AVERTISSEMENT,
                )
        elif not 1 <= annee <= max_annees:
            permises = (
                "l'appel finance une seule année ; écrivez 1"
                if max_annees == 1
                else f"écrivez un nombre de 1 à {max_annees}"
            )
            signaler(
                "annee",
                "annee_invalide",
                f"année « {citer(brut.get('annee'))} » invalide : {permises} (année "
                "financière du projet).",
            )
        v["annee"] = annee
        categorie = brut.get("categorie")
        propre, vide, trouvee, inconnue = self._memoriser("categorie", categorie, self._categorie)
        v["categorie"] = propre
        v["categorie_id"] = trouvee.id if trouvee else None
        v["admissible"] = trouvee.admissible if trouvee else None
        if vide:
            if "categorie" not in erreurs:
                signaler(
                    "categorie",
                    "valeur_manquante",
                    "catégorie de dépense manquante : choisissez-la dans la liste du gabarit.",
                )
        elif inconnue is not None:
            signaler("categorie", "categorie_inconnue", inconnue[0], AVERTISSEMENT, inconnue[1])
        description = brut.get("description")
        if ligne_ordinaire and type(description) is str:
            v["description"] = nettoyer_ordinaire(description) or None
        else:
            v["description"] = nettoyer(description) or None
        montant, illisible = self._memoriser("montant", brut.get("montant"), _montant)
        v["montant"] = montant
        if illisible is not None:
            signaler("montant", "montant_illisible", illisible)
        elif montant is None:
            if "montant" not in erreurs:
                signaler("montant", "valeur_manquante", "montant de la dépense manquant.")
        elif montant < 0:
            signaler(
                "montant",
                "montant_negatif",
                f"montant négatif ({citer(brut.get('montant'))}) : une dépense est positive.",
            )
            v["montant"] = None
        return e

    def _memoriser(self, colonne: str, valeur: object, calcul):
        """`calcul(valeur)`, calculé une fois par valeur brute de la colonne (une colonne du
        budget ou une dimension déclarée ; type compris : 1, 1.0 et True se valent pour un
        dict)."""
        memo = self._memoire.setdefault("budget " + colonne, {})
        k = valeur if type(valeur) is str else (type(valeur), valeur)
        try:
            return memo[k]
        except KeyError:
            resultat = memo[k] = calcul(valeur)
            return resultat
        except TypeError:  # valeur non hachable : calculée chaque fois
            return calcul(valeur)

    def _categorie(self, categorie: object) -> tuple:
        """(texte nettoyé ou None, vide, catégorie reconnue ou None, (message, suggestion) si
        inconnue)."""
        if est_vide(categorie):
            return nettoyer(categorie) or None, True, None, None
        try:
            return nettoyer(categorie) or None, False, self.vocabulaire.categorie(categorie), None
        except ValeurIllisible as exc:
            return nettoyer(categorie) or None, False, None, (str(exc), exc.suggestion)


def _annee(valeur: object) -> int | None:
    """L'année d'une ligne de budget ; -1 si elle est illisible."""
    try:
        return lire_entier(valeur)
    except ValeurIllisible:
        return -1


def _montant(valeur: object) -> tuple[int | None, str | None]:
    try:
        return lire_montant(valeur), None
    except ValeurIllisible as exc:
        return None, str(exc)


_CODES_ILLISIBLE = {
    "montant": ("montant_illisible", BLOQUANT),
    "date": ("date_illisible", BLOQUANT),
    "axe": ("axe_inconnu", BLOQUANT),
    "secteur": ("secteur_inconnu", BLOQUANT),
    "region": ("region_inconnue", BLOQUANT),
    "oui_non": ("oui_non_illisible", AVERTISSEMENT),
    "qualite": ("qualite_inconnue", AVERTISSEMENT),
    "courriel": ("courriel_invalide", AVERTISSEMENT),
    "entier": ("nombre_illisible", BLOQUANT),
    "categorie": ("categorie_inconnue", AVERTISSEMENT),
    "liste": ("valeur_illisible", AVERTISSEMENT),
    "secteurs": ("valeur_illisible", AVERTISSEMENT),
    "texte": ("valeur_illisible", BLOQUANT),
    "municipalite": ("valeur_illisible", BLOQUANT),
    "organisme": ("valeur_illisible", BLOQUANT),
    "neq": ("neq_invalide", BLOQUANT),
}


def _neq_en_double(
    demandes: list[Enregistrement], neq_stockes: Mapping[str, Iterable[str]] | None = None
) -> None:
    """Un même NEQ sur plusieurs demandes du lot, ou sur une demande du lot et une autre
    déjà importée dans l'appel (`neq_stockes` : NEQ → numéros stockés) : avertissement sur
    chacune après la première, qui dit où est l'autre. Une demande réimportée (même numéro)
    n'est pas un doublon d'elle-même.

    Interprétation : rien dans le texte du programme Québec sans frontières ne limite le
    nombre de demandes d'un organisme, et ses « deux types de financement » (soutien à la
    mission globale, soutien aux projets ponctuels) permettent à un même OCI d'en déposer
    plusieurs. Le doublon n'est donc pas bloquant ; il signale une demande peut-être
    saisie deux fois, ou un NEQ recopié d'une autre ligne."""
    premieres: dict[str, Enregistrement] = {}
    stockes = {
        neq: [n for n in numeros if cle_numero(n)] for neq, numeros in (neq_stockes or {}).items()
    }
    for d in demandes:
        neq = d.valeurs.get("neq")
        if not neq:
            continue
        if (p := premieres.get(neq)) is None:
            premieres[neq] = d
            autres = [n for n in stockes.get(neq, ()) if cle_numero(n) != d.cle]
            if autres:
                d.signaler(
                    "neq",
                    "neq_en_double",
                    f"NEQ {neq} déjà donné pour la demande "
                    + ", ".join(f"« {citer(n)} »" for n in autres[:3])
                    + (" (et d'autres)" if len(autres) > 3 else "")
                    + ", déjà importée dans cet appel : un même organisme dépose plusieurs "
                    "demandes, ce que le programme permet. Vérifiez qu'il ne s'agit pas de la "
                    "même demande sous un autre numéro, ou d'un NEQ recopié d'une autre ligne.",
                    AVERTISSEMENT,
                )
            continue
        autre = f"« {citer(p.no_demande)} », " if p.no_demande else ""
        d.signaler(
            "neq",
            "neq_en_double",
            f"NEQ {neq} déjà donné pour la demande {autre}{p.fichier}, ligne {p.ligne} "
            f"({citer(p.valeurs.get('organisme') or '')}) : un même organisme dépose "
            "plusieurs demandes dans cet appel, ce que le programme permet. Vérifiez qu'il ne "
            "s'agit pas de la même demande saisie deux fois, ou d'un NEQ recopié d'une autre "
            "ligne.",
            AVERTISSEMENT,
        )


def colonnes_manquantes(tableau: Tableau, appel: Appel | None = None) -> list[Colonne]:
    """Colonnes obligatoires que le tableau n'a pas (la région, déductible de la
    municipalité, n'en fait pas partie) : à relier à la main, sinon bloquantes. Celles d'une
    demande suivent le type de demandeur de `appel` (`gabarit.colonnes_demandes`)."""
    colonnes = COLONNES_BUDGET if tableau.genre == "budget" else colonnes_demandes(appel)
    return [
        c for c in colonnes if c.obligatoire and c.cle != "region" and c.cle not in tableau.colonnes
    ]


# --- Les dimensions déclarées par l'appel ------------------------------------------------


@functools.lru_cache(maxsize=256)
def _index_dimension(d: Dimension) -> tuple[dict[str, str], dict[str, str]]:
    """(clé compacte → id, clé souple → id) de chaque nom d'une valeur : son identifiant,
    son libellé et ses alias, sans égard aux accents, à la casse ni aux espaces (comme les
    secteurs)."""
    exact: dict[str, str] = {}
    souple: dict[str, str] = {}
    for v in d.valeurs:
        for nom in (v.libelle, *v.alias, v.id):
            exact.setdefault(compacter(nom), v.id)
            souple.setdefault(cle_souple(nom), v.id)
    return exact, souple


# Un message cite au plus ce nombre de valeurs permises : une dimension de 200 valeurs ne
# fait pas d'un constat un inventaire (la liste entière est dans le gabarit).
VALEURS_CITEES = 10


@functools.lru_cache(maxsize=256)
def _valeurs_permises(d: Dimension) -> str:
    """« A ; B ; C », ou les `VALEURS_CITEES` premières et « … et 190 autres : voir la feuille
    Listes du gabarit »."""
    citees = " ; ".join(v.libelle for v in d.valeurs[:VALEURS_CITEES])
    if (reste := len(d.valeurs) - VALEURS_CITEES) > 0:
        return f"{citees} … et {reste} autres : voir la feuille {FEUILLE_LISTES} du gabarit"
    return citees


def _valeurs_dimension(d: Dimension, valeur: object) -> tuple[tuple[str, ...], list[tuple]]:
    """(ids reconnus, constats) d'une cellule de la dimension `d`.

    Les valeurs sont séparées par « ; » ou un saut de ligne (comme les secteurs
    secondaires) ; un morceau inconnu qui contient des virgules est reconnu si chacune de
    ses parties l'est (« Environnement, Femmes », « Jeunesse, »). Constats : (code,
    message, sévérité). Une valeur inconnue, plusieurs valeurs dans une dimension à une
    valeur et une dimension obligatoire vide sont bloquantes ; une valeur répétée est
    retirée (information)."""
    exact, souple = _index_dimension(d)
    permises = _valeurs_permises(d)
    consigne = "une ou plusieurs valeurs séparées par « ; »" if d.multiple else "une seule valeur"

    def reconnaitre(morceau: str) -> str | None:
        return exact.get(compacter(morceau)) or souple.get(cle_souple(morceau))

    if est_vide(valeur):
        if d.obligatoire:
            return (), [
                (
                    "valeur_manquante",
                    f"valeur obligatoire manquante : remplissez « {d.libelle} » ({consigne} "
                    f"parmi : {permises}).",
                    BLOQUANT,
                )
            ]
        return (), []
    ids: list[str] = []
    constats: list[tuple] = []
    inconnues: list[str] = []
    for morceau in liste(valeur):
        trouve = reconnaitre(morceau)
        if trouve is not None:
            ids.append(trouve)
            continue
        parties = [p for p in (x.strip() for x in morceau.split(",")) if p]
        # « A, B » comme « Jeunesse, » (virgule de trop) : chaque partie reconnue.
        reconnues = [reconnaitre(p) for p in parties]
        if reconnues and all(reconnues):
            ids.extend(reconnues)
            continue
        inconnues.append(morceau)
    if len(inconnues) == 1:
        noms = [n for v in d.valeurs for n in (v.libelle, *v.alias)]
        proche = suggerer(inconnues[0], noms)
        aide = f"vouliez-vous dire « {proche} » ? Sinon, écrivez" if proche else "écrivez"
        constats.append(
            (
                "dimension_inconnue",
                f"« {d.libelle} » : valeur « {citer(inconnues[0])} » inconnue ; {aide} "
                f"{consigne} parmi : {permises}.",
                BLOQUANT,
            )
        )
    elif inconnues:
        # Un seul constat pour la cellule, quelle que soit sa longueur : cinq valeurs citées.
        citees = ", ".join(f"« {citer(x)} »" for x in inconnues[:5])
        reste = f" et {formats.pluriel(len(inconnues) - 5, 'autre')}" if len(inconnues) > 5 else ""
        constats.append(
            (
                "dimension_inconnue",
                f"« {d.libelle} » : valeurs {citees}{reste} inconnues ; écrivez {consigne} "
                f"parmi : {permises}.",
                BLOQUANT,
            )
        )
    uniques = list(dict.fromkeys(ids))
    if len(uniques) < len(ids):
        repetees = [d.libelle_valeur(i) for i in uniques if ids.count(i) > 1]
        constats.append(
            (
                "dimension_en_double",
                f"« {d.libelle} » : valeur répétée retirée ("
                + ", ".join(f"« {r} »" for r in repetees)
                + ") ; elle compte une fois.",
                INFORMATION,
            )
        )
    if not d.multiple and len(uniques) > 1:
        lues = ", ".join(f"« {d.libelle_valeur(i)} »" for i in uniques)
        constats.append(
            (
                "dimension_valeurs_multiples",
                f"« {d.libelle} » n'accepte qu'une valeur ; la cellule en porte {len(uniques)} "
                f"({lues}) : gardez-en une parmi : {permises}.",
                BLOQUANT,
            )
        )
    if any(c[2] == BLOQUANT for c in constats):
        return (), constats
    if not uniques and d.obligatoire:
        constats.append(
            (
                "valeur_manquante",
                f"valeur obligatoire manquante : remplissez « {d.libelle} » ({consigne} "
                f"parmi : {permises}).",
                BLOQUANT,
            )
        )
    return tuple(uniques), constats


def adapter_a_l_appel(tableau: Tableau, appel: Appel) -> None:
    """Les colonnes d'un tableau de demandes selon l'appel (sur place, une fois par
    tableau ; une seconde fois ne change rien).

    - Une colonne dont l'en-tête nomme une dimension déclarée (son libellé ou son
      identifiant, sans égard aux accents, à la casse ni aux espaces) est lue comme cette
      dimension : la lecture, qui ne connaît pas l'appel, l'avait laissée hors gabarit ou
      rattachée par un synonyme à une autre colonne.
    - L'axe quand l'appel n'a pas d'axes, les secteurs quand il n'a pas de secteurs, sont
      conservés à part comme colonnes hors gabarit (le rapport le dit) : rien n'en est lu."""
    if tableau.genre != "demandes":
        return
    noms = {}
    for d in appel.dimensions:
        for nom in (d.libelle, d.id, d.id.replace("-", " ").replace("_", " ")):
            noms.setdefault(normaliser_entete(nom), cle_dimension(d.id))
    sans_objet = colonnes_sans_objet(appel)
    # Colonnes déjà rattachées : à une dimension si leur en-tête la nomme et qu'elles ne
    # l'étaient que par synonyme ou à une colonne sans objet ; sinon hors gabarit si sans objet.
    for cle, (_, entete) in list(tableau.colonnes.items()):
        if cle.startswith(PREFIXE_DIMENSION):
            continue
        dimension = noms.get(normaliser_entete(entete))
        trouve = correspondance_entete(entete)
        par_synonyme = trouve is None or trouve[1] == RANG_ALIAS or trouve[0] != cle
        if dimension and dimension not in tableau.colonnes and (par_synonyme or cle in sans_objet):
            _renommer(tableau, cle, dimension)
        elif cle in sans_objet:
            _mettre_a_part(tableau, cle)
    # Colonnes hors gabarit qui nomment une dimension.
    for entete in list(tableau.entetes_supplementaires):
        dimension = noms.get(normaliser_entete(entete))
        if dimension is None or dimension in tableau.colonnes:
            continue
        tableau.colonnes[dimension] = (-1, entete)
        for enregistrement, extras in zip(
            tableau.enregistrements, tableau.supplementaires, strict=True
        ):
            enregistrement[dimension] = extras.pop(entete, None)
        tableau.entetes_supplementaires.remove(entete)


def _renommer(tableau: Tableau, cle: str, nouvelle: str) -> None:
    tableau.colonnes[nouvelle] = tableau.colonnes.pop(cle)
    for enregistrement in tableau.enregistrements:
        enregistrement[nouvelle] = enregistrement.pop(cle, None)
    if tableau.lignes_champs is not None and cle in tableau.lignes_champs:
        tableau.lignes_champs[nouvelle] = tableau.lignes_champs.pop(cle)


def _mettre_a_part(tableau: Tableau, cle: str) -> None:
    _, entete = tableau.colonnes.pop(cle)
    for enregistrement, extras in zip(
        tableau.enregistrements, tableau.supplementaires, strict=True
    ):
        valeur = enregistrement.pop(cle, None)
        if not (valeur is None or (isinstance(valeur, str) and not valeur.strip())):
            extras[entete] = valeur
    if entete not in tableau.entetes_supplementaires:
        tableau.entetes_supplementaires.append(entete)


def _problemes_structure(tableau: Tableau, appel: Appel | None = None) -> list[Probleme]:
    """Colonnes obligatoires absentes, colonnes supplémentaires, lignes ignorées."""
    problemes = []
    for col in colonnes_manquantes(tableau, appel):
        problemes.append(
            Probleme(
                tableau.fichier,
                "colonne_manquante",
                f"colonne obligatoire « {col.entete} » introuvable : ajoutez-la, renommez "
                "l'en-tête comme dans le gabarit ou reliez-la à une colonne du fichier.",
                BLOQUANT,
                tableau.feuille,
                tableau.ligne_entete,
                col.entete,
            )
        )
    if tableau.entetes_supplementaires:
        noms = ", ".join(f"« {citer(e)} »" for e in tableau.entetes_supplementaires)
        problemes.append(
            Probleme(
                tableau.fichier,
                "colonnes_supplementaires",
                f"colonnes hors gabarit conservées à part (non évaluées) : {noms}.",
                INFORMATION,
                tableau.feuille,
                tableau.ligne_entete,
            )
        )
    for code, message, colonne in tableau.avertissements:
        problemes.append(
            Probleme(
                tableau.fichier,
                code,
                message,
                AVERTISSEMENT,
                tableau.feuille,
                tableau.ligne_entete,
                colonne,
            )
        )
    for ligne, raison in tableau.lignes_ignorees:
        problemes.append(
            Probleme(
                tableau.fichier,
                "ligne_ignoree",
                f"ligne ignorée : {raison}.",
                INFORMATION,
                tableau.feuille,
                ligne,
            )
        )
    return problemes


# --- Numéros attribués par le ministère ---------------------------------------------------
#
# Le numéro d'une demande est celui que le ministère lui donne : le demandeur ne l'écrit pas.
# Une demande sans numéro reçoit le suivant de la série des numéros de l'appel (ceux du lot
# et ceux déjà stockés), ou, si elle est déjà stockée, son numéro : une demande se reconnaît
# à son demandeur et à son titre (titre sans égard à la casse, aux accents ni aux espaces),
# si bien que réimporter le même fichier sans numéros met à jour les demandes au lieu de les
# copier. Le demandeur se reconnaît à ce qui l'identifie, jamais à son seul nom : un
# organisme à son NEQ, une entité municipale au code géographique de sa municipalité (une
# MRC, qui n'en a pas dans le répertoire, à son nom). Deux organismes homonymes sont deux
# demandeurs ; une ligne ne change jamais le demandeur d'une demande stockée (bloquant).

_SERIE = re.compile(r"^(.*?)(\d+)$")

# (numéro, organisme, municipalité, titre, NEQ, code géographique) d'une demande stockée :
# voir `stockage.identites_demandes`.
Identite = tuple[str, str | None, str | None, str | None, str | None, str | None]


def _texte(valeur: object) -> str:
    return valeur.strip() if isinstance(valeur, str) else ""


def demandeur(valeurs) -> tuple[str, str] | None:
    """Ce qui identifie le demandeur d'une demande : ("neq", NEQ) pour un organisme (une
    demande qui porte un organisme ou un NEQ), ("code", code géographique) pour une entité
    municipale reconnue au répertoire, ("nom", nom comparable) pour une MRC ; None si rien
    ne l'identifie (un organisme sans NEQ n'est reconnu à rien)."""
    if neq := _texte(valeurs.get("neq")):
        return "neq", neq
    if _texte(valeurs.get("organisme")):
        return None
    if code := _texte(valeurs.get("code_geographique")):
        return "code", code
    if nom := cle_souple(_texte(valeurs.get("municipalite"))):
        return "nom", nom
    return None


def identite(valeurs) -> tuple[tuple[str, str], str] | None:
    """(demandeur, titre) comparables d'une demande (`demandeur`), ou None si l'un des deux
    manque."""
    qui = demandeur(valeurs)
    titre = cle_souple(_texte(valeurs.get("titre")))
    return (qui, titre) if qui and titre else None


def valeurs_identite(ligne: Identite) -> dict:
    """Les valeurs d'une identité stockée, comme celles d'une demande lue."""
    numero, organisme, municipalite, titre, neq, code = ligne
    return {
        "no_demande": numero,
        "organisme": organisme,
        "municipalite": municipalite,
        "titre": titre,
        "neq": neq,
        "code_geographique": code,
    }


def identites_par_cle(identites: Iterable[Identite]) -> dict[tuple, list[str]]:
    """(demandeur, titre) comparables → numéros des demandes stockées qui les portent, triés
    (`identites` : voir `Identite`)."""
    par_cle: dict[tuple, list[str]] = {}
    for ligne in identites:
        if ident := identite(valeurs_identite(ligne)):
            par_cle.setdefault(ident, []).append(ligne[0])
    return {k: sorted(v) for k, v in par_cle.items()}


def nommer_demandeur(valeurs) -> str:
    """« Carrefour (NEQ 1145678901, Sherbrooke) », « Coaticook (code 44037) »."""
    nom = _texte(valeurs.get("organisme")) or _texte(valeurs.get("municipalite"))
    precisions = []
    if neq := _texte(valeurs.get("neq")):
        precisions.append(f"NEQ {neq}")
        if _texte(valeurs.get("organisme")) and (ville := _texte(valeurs.get("municipalite"))):
            precisions.append(ville)
    elif code := _texte(valeurs.get("code_geographique")):
        precisions.append(f"code géographique {code}")
    texte = f"« {citer(nom)} »" if nom else "demandeur sans nom"
    return f"{texte} ({', '.join(precisions)})" if precisions else texte


def demandeur_change(ancienne, nouvelle) -> bool:
    """Vrai si la ligne `nouvelle` vient d'un autre demandeur que la demande stockée
    `ancienne` : autre NEQ, autre code géographique (ou, faute de code des deux côtés, autre
    nom de municipalité). Ce qui manque d'un côté ne se compare pas."""
    a, n = demandeur(ancienne), demandeur(nouvelle)
    if a is None or n is None:
        return False
    if a[0] == n[0]:
        return a[1] != n[1]
    # Un organisme d'un côté, une entité municipale de l'autre : deux demandeurs.
    return "neq" in (a[0], n[0])


def message_demandeur_change(numero: str, ancienne, nouvelle) -> str:
    return (
        f"le numéro « {citer(numero)} » est celui de la demande de "
        f"{nommer_demandeur(ancienne)}, déjà importée ; cette ligne vient d'un autre "
        f"demandeur, {nommer_demandeur(nouvelle)} : elle ne peut pas remplacer la demande "
        "d'un autre. Vérifiez le numéro (une nouvelle demande se dépose sans numéro), ou, si "
        "l'ancienne demande doit vraiment céder la place, retirez-la d'abord (désistement) "
        "puis importez cette ligne sans numéro."
    )


def _serie(numeros: Iterable[str], appel: Appel) -> tuple[str, int, int]:
    """(préfixe, premier numéro libre, chiffres) : la série la plus fréquente des numéros
    existants (« PAIVMQ-2024-017 » → « PAIVMQ-2024- », 18, 3), sinon l'identifiant de l'appel
    en majuscules (« PAIVMQ-2023-2024- », 1, 3)."""
    series: dict[str, list[tuple[int, int]]] = {}
    for numero in numeros:
        if m := _SERIE.match(numero.strip()):
            series.setdefault(m[1], []).append((int(m[2]), len(m[2])))
    if not series:
        return f"{appel.id.upper()}-", 1, 3
    prefixe = max(series, key=lambda p: (len(series[p]), max(series[p])))
    return prefixe, max(n for n, _ in series[prefixe]) + 1, max(c for _, c in series[prefixe])


def attribuer_numeros(
    demandes: list[Enregistrement],
    lignes_budget: Iterable[Enregistrement],
    appel: Appel,
    stockees: dict[tuple, list[str]],
    numeros_pris: Iterable[str],
) -> None:
    """Donne un numéro à chaque demande marquée `attribue` (dans l'ordre du lot) : celui de
    la demande stockée de même identité (`reconnue`), sinon le suivant de la série, jamais un
    numéro déjà pris (lot ou stockage, sans égard à la casse). Les lignes de budget
    rattachées à ces demandes prennent leur numéro. Quand plusieurs demandes stockées ont
    la même identité, aucune n'est choisie : la demande le dit (`ambigue`, que `verifier`
    signale, bloquant) et reçoit un numéro neuf.

    Appelée à la vérification puis, dans la transaction de l'importation, avec les demandes
    stockées à cet instant : une importation faite entre les deux ne fait ni doublon ni
    écrasement."""
    pris = {n for n in map(str, numeros_pris)}
    prefixe, suivant, chiffres = _serie(pris, appel)
    cles_prises = {cle_numero(n) for n in pris}
    nouveaux: dict[int, Enregistrement] = {}
    for d in demandes:
        if not d.attribue:
            continue
        ident = identite(d.valeurs)
        candidats = stockees.get(ident, []) if ident else []
        d.ambigue = tuple(candidats) if len(candidats) > 1 else ()
        numero = candidats[0] if len(candidats) == 1 else None
        d.reconnue = numero is not None
        if numero is None:
            while cle_numero(numero := f"{prefixe}{suivant:0{chiffres}d}") in cles_prises:
                suivant += 1
            cles_prises.add(cle_numero(numero))
        d.valeurs["no_demande"] = numero
        d._cle = cle_numero(numero)
        nouveaux[id(d)] = d
    for b in lignes_budget:
        if b.demande is not None and id(b.demande) in nouveaux:
            b.valeurs["no_demande"] = b.demande.no_demande
            b._cle = b.demande.cle


def _annonce_numeros(tableau: Tableau, demandes: list[Enregistrement]) -> Probleme | None:
    """Une information par feuille : les numéros attribués, les demandes reconnues."""
    attribuees = [d for d in demandes if d.attribue and not d.bloque]
    if not attribuees:
        return None
    nouvelles = [f"ligne {d.ligne} → {d.no_demande}" for d in attribuees if not d.reconnue]
    reconnues = [f"ligne {d.ligne} → {d.no_demande}" for d in attribuees if d.reconnue]
    parties = []
    if nouvelles:
        parties.append(
            f"{formats.pluriel(len(nouvelles), 'demande sans numéro', 'demandes sans numéro')}"
            " : numéro attribué à l'importation ("
            + ", ".join(nouvelles[:20])
            + (" …" if len(nouvelles) > 20 else "")
            + ")"
        )
    if reconnues:
        parties.append(
            f"Demandes sans numéro reconnues comme déjà importées, même demandeur et même "
            f"titre ({len(reconnues)}) : elles seront mises à jour, pas copiées ("
            + ", ".join(reconnues[:20])
            + (" …" if len(reconnues) > 20 else "")
            + ")"
        )
    return Probleme(
        tableau.fichier,
        "numero_attribue",
        " ; ".join(parties) + ". Le numéro est annoncé dans le rapport d'importation.",
        INFORMATION,
        tableau.feuille,
        tableau.ligne_entete,
        COLONNES_PAR_CLE["no_demande"].entete,
    )


def _formulaire_absent(tableau: Tableau, appel: Appel) -> Probleme | None:
    """Les colonnes que le formulaire de l'appel demande et que la feuille n'a pas (un export
    d'avant le formulaire) : une information pour la feuille, ni bloquante ni avertissement.
    Un tel export est légitime (les demandes reçues avant le formulaire n'ont pas ces
    réponses) : un avertissement sur chacun apprendrait à ignorer les avertissements. Une
    réponse vide dans une colonne présente, elle, est un avertissement situé
    (`_Validateur.formulaire`)."""
    absentes = [(c, k) for c, k in champs_demandes(appel) if c.cle not in tableau.colonnes]
    if not absentes or not tableau.enregistrements:
        return None
    noms = "; ".join(f"« {c.entete} » (critère « {k.libelle} »)" for c, k in absentes)
    return Probleme(
        tableau.fichier,
        "formulaire_absent",
        f"le formulaire de l'appel demande {noms} : "
        + ("colonne absente" if len(absentes) == 1 else "colonnes absentes")
        + " de cette feuille. "
        "Les demandes sont importées sans ces renseignements ; ajoutez les colonnes du "
        "gabarit et réimportez pour que les évaluateurs les aient.",
        INFORMATION,
        tableau.feuille,
        tableau.ligne_entete,
    )


def _par_titre(du_fichier: list[Enregistrement]) -> dict[str, list[Enregistrement]]:
    """Les demandes d'un fichier par titre (clé souple), dans leur ordre."""
    index: dict[str, list[Enregistrement]] = {}
    for d in du_fichier:
        index.setdefault(cle_souple(d.valeurs.get("titre") or ""), []).append(d)
    return index


def _rattacher(
    b: Enregistrement,
    du_fichier: list[Enregistrement],
    par_titre: dict[str, list[Enregistrement]],
) -> None:
    """Une ligne de budget sans numéro : rattachée par son titre à la demande de même titre
    de son fichier (`par_titre`, l'index de `_par_titre`), sinon à la seule demande de son
    fichier ; sinon bloquante, avec ce qu'il faut écrire."""
    if any(p.code == "cellule_en_erreur" for p in b.problemes if p.bloque):
        return  # la cellule en erreur est déjà signalée
    titre = b.valeurs.get("titre")
    entete_titre = COLONNES_BUDGET_PAR_CLE["titre"].entete
    if titre:
        memes = par_titre.get(cle_souple(titre), [])
        if len(memes) == 1:
            b.demande = memes[0]
        elif memes:
            b.signaler(
                "titre",
                "rattachement_ambigu",
                f"{len(memes)} demandes de ce fichier portent le titre « {citer(titre)} » : "
                "inscrivez le numéro de la demande dans « No de demande ».",
                BLOQUANT,
            )
        else:
            b.signaler(
                "titre",
                "demande_inconnue",
                f"aucune demande de ce fichier ne porte le titre « {citer(titre)} » : écrivez "
                "le titre tel qu'il figure dans la feuille Demandes.",
                BLOQUANT,
            )
    elif len(du_fichier) == 1:
        b.demande = du_fichier[0]
    elif not du_fichier:
        b.signaler(
            "no_demande",
            "valeur_manquante",
            "numéro de demande manquant : chaque ligne de budget se rattache à une demande ; "
            "inscrivez son numéro dans « No de demande ».",
            BLOQUANT,
        )
    else:
        b.signaler(
            "no_demande",
            "valeur_manquante",
            f"ligne de budget sans numéro de demande ni titre, dans un fichier qui contient "
            f"{len(du_fichier)} demandes : inscrivez dans « {entete_titre} » le titre de la "
            "demande que cette dépense concerne.",
            BLOQUANT,
        )
    if b.demande is not None:
        b.valeurs["no_demande"] = b.demande.no_demande or None
        b._cle = b.demande.cle


def verifier(
    fichiers: Iterable[FichierLu],
    appel: Appel,
    repertoire: Repertoire,
    problemes_fichiers: Iterable[Probleme] = (),
    numeros_stockes: Iterable[str] = (),
    identites_stockees: Iterable[Identite] = (),
    neq_stockes: Mapping[str, Iterable[str]] | None = None,
) -> Verification:
    """Convertit et vérifie un lot de fichiers lus (une importation).

    `identites_stockees` : (numéro, organisme, municipalité, titre, NEQ, code géographique)
    des demandes déjà stockées, pour reconnaître une demande sans numéro déjà importée
    (`attribuer_numeros`) et bloquer une ligne qui changerait le demandeur d'une demande
    stockée (`demandeur_change`). `neq_stockes` :
    NEQ → numéros des demandes déjà importées (appel d'organismes : NEQ en double)."""
    fichiers = list(fichiers)
    numeros_stockes = list(numeros_stockes)
    validateur = _Validateur(appel, repertoire)
    problemes = list(problemes_fichiers)
    demandes: list[Enregistrement] = []
    budgets: list[tuple[Tableau, int]] = []
    premieres: dict[str, Enregistrement] = {}
    par_identite: dict[tuple, Enregistrement] = {}
    sans_numero: list[tuple[Tableau, list[Enregistrement]]] = []
    for fichier in fichiers:
        for remarque in fichier.remarques:
            problemes.append(Probleme(fichier.nom, "feuille_ignoree", remarque, INFORMATION))
        for tableau in fichier.tableaux:
            adapter_a_l_appel(tableau, appel)
            problemes.extend(_problemes_structure(tableau, appel))
            if tableau.genre != "budget" and (absent := _formulaire_absent(tableau, appel)):
                problemes.append(absent)
            if tableau.genre == "budget":
                budgets.extend((tableau, i) for i in range(len(tableau.enregistrements)))
                continue
            if "region" not in tableau.colonnes and tableau.enregistrements:
                problemes.append(
                    Probleme(
                        fichier.nom,
                        "region_deduite",
                        "aucune colonne « Région administrative » : la région de chaque "
                        "demande est tirée du répertoire des municipalités.",
                        INFORMATION,
                        tableau.feuille,
                        tableau.ligne_entete,
                    )
                )
            if "date_depot" not in tableau.colonnes and tableau.enregistrements:
                problemes.append(
                    Probleme(
                        fichier.nom,
                        "date_depot_absente",
                        "aucune colonne « Date de dépôt » : chaque nouvelle demande reçoit la "
                        "date de l'importation comme date de dépôt, marquée présumée (une "
                        "demande déjà importée garde la sienne). Ajoutez la colonne du gabarit "
                        "pour vérifier les dépôts face à la date limite.",
                        INFORMATION,
                        tableau.feuille,
                        tableau.ligne_entete,
                    )
                )
            attribuees = []
            for i in range(len(tableau.enregistrements)):
                d = validateur.demande(tableau, i)
                cle = d.cle
                ident = identite(d.valeurs)
                if not cle:
                    d.attribue = True
                    attribuees.append(d)
                    if ident in par_identite:
                        p = par_identite[ident]
                        d.signaler(
                            "titre",
                            "doublon",
                            "même demandeur et même titre que la demande de "
                            f"{p.fichier}, feuille {p.feuille}, ligne {p.ligne} : la même "
                            "demande en double ? Retirez l'une des deux lignes, ou donnez-leur "
                            "des titres distincts.",
                            BLOQUANT,
                        )
                    elif ident:
                        par_identite[ident] = d
                elif cle in premieres:
                    p = premieres[cle]
                    d.signaler(
                        "no_demande",
                        "doublon",
                        f"numéro « {citer(d.no_demande)} » en double : il figure déjà dans "
                        f"{p.fichier}, feuille {p.feuille}, ligne {p.ligne}. Donnez un "
                        "numéro unique à chaque demande.",
                        BLOQUANT,
                    )
                else:
                    premieres[cle] = d
                    if ident:
                        par_identite.setdefault(ident, d)
                demandes.append(d)
            if attribuees:
                sans_numero.append((tableau, attribuees))

    identites_stockees = list(identites_stockees)
    stockees = identites_par_cle(identites_stockees)
    par_numero = {cle_numero(ligne[0]): ligne for ligne in identites_stockees}
    for d in demandes:
        if d.cle and not d.attribue and (ligne := par_numero.get(d.cle)):
            ancienne = valeurs_identite(ligne)
            if demandeur_change(ancienne, d.valeurs):
                d.signaler(
                    "no_demande",
                    "autre_demandeur",
                    message_demandeur_change(ligne[0], ancienne, d.valeurs),
                    BLOQUANT,
                )
    if sans_numero:
        attribuer_numeros(
            [d for d in demandes if d.attribue],
            (),
            appel,
            stockees,
            [*numeros_stockes, *(d.no_demande for d in demandes if not d.attribue and d.cle)],
        )
        for d in demandes:
            if d.ambigue:
                d.signaler(
                    "titre",
                    "demande_ambigue",
                    "sans numéro, et plusieurs demandes déjà importées ont ce demandeur et ce "
                    f"titre ({', '.join(d.ambigue[:5])}) : inscrivez dans « No de demande » le "
                    "numéro de celle que cette ligne met à jour.",
                    BLOQUANT,
                )
        for tableau, attribuees in sans_numero:
            if annonce := _annonce_numeros(tableau, attribuees):
                problemes.append(annonce)

    if appel.demandeur_organisme:
        _neq_en_double(demandes, neq_stockes)
    stockes = {cle_numero(n) for n in numeros_stockes}
    connus = set(premieres) | stockes
    # Une ligne de budget se rattache à la demande de même numéro de son propre fichier,
    # sinon à la première du lot, sinon à une demande déjà stockée : avec des numéros en
    # double entre deux fichiers, les budgets ne se mélangent pas.
    par_fichier = {(d.fichier, d.cle): d for d in reversed(demandes) if d.cle and not d.attribue}
    lignes: list[Enregistrement] = []
    par_demande: dict[int, list[Enregistrement]] = {}
    du_fichier: dict[str, list[Enregistrement]] = {}
    for d in demandes:
        du_fichier.setdefault(d.fichier, []).append(d)
    # L'index des titres d'un fichier, fait une fois, à sa première ligne sans numéro.
    titres: dict[str, dict[str, list[Enregistrement]]] = {}
    for tableau, i in budgets:
        b = validateur.ligne_budget(tableau, i, connus)
        if b.cle:
            b.demande = par_fichier.get((b.fichier, b.cle)) or premieres.get(b.cle)
        else:
            demandes_du_fichier = du_fichier.get(b.fichier, [])
            if b.fichier not in titres:
                titres[b.fichier] = _par_titre(demandes_du_fichier)
            _rattacher(b, demandes_du_fichier, titres[b.fichier])
        b.demande_stockee = b.demande is None and b.cle in stockes
        lignes.append(b)
        if b.demande is not None:
            par_demande.setdefault(id(b.demande), []).append(b)

    if budgets:
        for d in demandes:
            if d.bloque or not d.cle:
                continue
            toutes = par_demande.get(id(d), [])
            if not toutes:
                d.signaler(
                    "no_demande",
                    "sans_budget",
                    "aucune ligne de budget pour cette demande dans la feuille Budget.",
                    AVERTISSEMENT,
                )
                continue
            lignes_d = [b for b in toutes if not b.bloque]
            presentes = set(d.tableau.colonnes) if d.tableau is not None else None
            for c in constats_budget(d.valeurs, [b.valeurs for b in lignes_d], appel, presentes):
                cible = d if c.index_ligne is None else lignes_d[c.index_ligne]
                cible.signaler(c.cle, c.code, c.message, AVERTISSEMENT)
    elif any(d for d in demandes):
        problemes.append(
            Probleme(
                fichiers[0].nom if fichiers else "",
                "sans_feuille_budget",
                "aucune feuille Budget dans ce lot : les lignes de budget ne sont pas vérifiées "
                "(les demandes sont importées sans leurs dépenses).",
                INFORMATION,
            )
        )
    noms = [f.nom for f in fichiers] + [p.fichier for p in problemes if p.severite == "refus"]
    return Verification(demandes, lignes, problemes, list(dict.fromkeys(noms)), fichiers)
