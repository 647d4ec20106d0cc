"""Un problème relevé dans un fichier importé : où (fichier, feuille, ligne Excel, colonne),
quoi (code stable), comment corriger (message en français) et sa gravité."""

from __future__ import annotations

from dataclasses import dataclass, fields

BLOQUANT = "bloquant"
AVERTISSEMENT = "avertissement"
INFORMATION = "information"
REFUS = "refus"
GRAVITES = (REFUS, BLOQUANT, AVERTISSEMENT, INFORMATION)
LIBELLES_GRAVITE = {
    REFUS: "Fichier refusé",
    BLOQUANT: "Bloquant",
    AVERTISSEMENT: "Avertissement",
    INFORMATION: "Information",
}


@dataclass(frozen=True)
class Probleme:
    fichier: str
    code: str
    message: str
    severite: str
    feuille: str | None = None
    ligne: int | None = None
    colonne: str | None = None
    no_demande: str | None = None
    suggestion: str | None = None

    @property
    def bloque(self) -> bool:
        return self.severite in (BLOQUANT, REFUS)

    @property
    def emplacement(self) -> str:
        """« feuille Demandes, ligne 12, colonne « Titre du projet » »."""
        parties = []
        if self.feuille:
            parties.append(f"feuille {self.feuille}")
        if self.ligne:
            parties.append(
                f"ligne {self.ligne}" + (f" (demande {self.no_demande})" if self.no_demande else "")
            )
        if self.colonne:
            parties.append(f"colonne « {self.colonne} »")
        return ", ".join(parties)

    def texte(self) -> str:
        lieu = self.emplacement
        return f"{self.fichier}" + (f", {lieu}" if lieu else "") + f" : {self.message}"

    def en_dict(self) -> dict:
        # Champ par champ : `dataclasses.asdict` copie en profondeur, dix fois plus lent sur
        # les milliers d'avertissements d'un gros fichier.
        return {f.name: getattr(self, f.name) for f in fields(self)}
