"""`python -m evaluation …` : la ligne de commande (voir evaluation/commandes.py)."""

from evaluation.commandes import lancer

lancer()
