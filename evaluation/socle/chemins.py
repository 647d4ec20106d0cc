"""Où sont le projet et ses données livrées, d'où que le module soit importé."""

from pathlib import Path

RACINE_PROJET = Path(__file__).resolve().parents[2]
DONNEES = RACINE_PROJET / "donnees"
