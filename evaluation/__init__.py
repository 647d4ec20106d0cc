"""Domaine du tableau de bord d'évaluation : configuration des appels, lecture,
validation et stockage des demandes. Aucun module ici n'importe streamlit."""
