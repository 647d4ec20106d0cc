"""Accueil : où en est l'appel et par quoi commencer."""

import streamlit as st

from evaluation.depot.importation import importer
from evaluation.depot.verification import verifier_lot
from evaluation.notes import attributions, examens
from evaluation.socle import stockage
from evaluation.socle.formats import date, montant
from evaluation.socle.roles import ADMIN, AUTORITE, EVALUATEUR, PRESIDENT
from evaluation.socle.texte import litteral
from pages.composants.commun import appel_actif, fichiers_demo, moteur
from pages.composants.connexion import exiger_acces
from pages.composants.messages import SUCCES, annoncer
from pages.composants.messages import afficher as afficher_message

compte = exiger_acces("accueil")

appel = appel_actif()
st.title("Évaluation des demandes")
st.markdown(
    f"Tableau de bord du comité de sélection de l'appel **{litteral(appel.nom)}**"
    + (f" (date limite : {date(appel.date_limite)})" if appel.date_limite else "")
    + "."
)

with moteur().connect() as connexion:
    nombre = stockage.compter_demandes(appel.id, connexion=connexion)
    journal = stockage.lire_importations(appel.id, connexion=connexion)

# Issue 19 : l'enveloppe de chaque année financière de l'appel, pas seulement la première.
annees_appel = list(
    zip(appel.financement.annees_financieres(), appel.financement.enveloppe, strict=True)
)
colonnes = st.columns(2 + len(annees_appel))
colonnes[0].metric("Demandes importées", nombre)
colonnes[1].metric("Importations", len(journal))
for colonne, ((debut, fin), enveloppe) in zip(colonnes[2:], annees_appel, strict=True):
    colonne.metric(
        f"Enveloppe {debut.year}-{fin.year}",
        montant(enveloppe),
        help="Enveloppe budgétaire de cette année financière (configuration de l'appel).",
    )

st.subheader("Par où commencer")
if compte.role == ADMIN:
    # Les demandeurs dans les mots de l'appel (issue 18).
    demandeurs = "organismes" if appel.demandeur_organisme else "municipalités"
    st.markdown(
        f"""
1. **Téléchargez le gabarit** (page Importation) et transmettez-le aux {demandeurs}, ou
   recevez leurs fichiers tels quels : xlsx, xls, ods, csv ou formulaire d'une demande.
2. **Importez les demandes** (page Importation) : chaque fichier est vérifié, chaque problème
   est situé par fichier, ligne et colonne, et rien n'est enregistré avant votre confirmation.
3. **Créez les comptes** des évaluateurs et du comité (page Comptes), puis choisissez qui
   évalue quoi (page Attributions et conflits).
4. **Suivez l'évaluation** (page Suivi) ; la présidence verrouille les notes avant la séance.
"""
    )
    st.page_link(
        "pages/importation.py", label="Aller à l'importation", icon=":material/upload_file:"
    )
elif compte.role == EVALUATEUR:
    etat = attributions.charger(appel.id, moteur=moteur())
    with moteur().connect() as connexion:
        table = stockage.lire_evaluations(appel.id, connexion=connexion)
    siennes = set(etat.demandes_de(compte.courriel))
    soumises = sum(
        1
        for d, e, statut in zip(
            table["demande_id"], table["evaluateur"], table["statut"], strict=True
        )
        if e == compte.courriel and statut == "soumise" and int(d) in siennes
    )
    st.markdown(
        f"**{soumises} / {len(siennes)}** de vos évaluations sont soumises. Notez chaque "
        "demande critère par critère ; enregistrez un brouillon à tout moment, soumettez "
        "quand l'évaluation est complète."
    )
    st.page_link("pages/evaluation.py", label="Évaluer", icon=":material/rate_review:")
elif compte.role == PRESIDENT:
    st.markdown(
        "Suivez l'avancement des évaluateurs et verrouillez les évaluations avant la séance "
        "du comité ; le journal montre chaque changement."
    )
    st.page_link("pages/suivi.py", label="Suivi des évaluations", icon=":material/monitoring:")
    st.page_link("pages/classement.py", label="Classement", icon=":material/leaderboard:")
    st.page_link("pages/seance.py", label="Séance du comité", icon=":material/co_present:")
elif compte.role == AUTORITE:
    st.markdown(
        "Le comité recommande ; le ministère décide. Une fois les recommandations du comité "
        "verrouillées, approuvez-les en lot ou modifiez-en une, avec une raison (page Décision "
        "du ministère) ; le classement et le portefeuille montrent ensuite votre décision."
    )
    st.page_link(
        "pages/decision_ministere.py", label="Décision du ministère", icon=":material/gavel:"
    )
    st.page_link("pages/classement.py", label="Classement", icon=":material/leaderboard:")
    st.page_link("pages/portefeuille.py", label="Portefeuille", icon=":material/pie_chart:")
else:
    st.markdown(
        "Le classement montre la ligne de financement face à l'enveloppe ; le portefeuille, "
        "la répartition des montants par axe, secteur et région et l'équilibre visé."
    )
    st.page_link("pages/classement.py", label="Classement", icon=":material/leaderboard:")
    st.page_link("pages/portefeuille.py", label="Portefeuille", icon=":material/pie_chart:")

if nombre == 0 and fichiers_demo(appel) and compte.role == ADMIN:
    st.divider()
    st.markdown(
        "**Pas encore de demandes ?** Le jeu de démonstration (demandes fictives de vraies "
        "municipalités) permet d'essayer le tableau de bord en un clic."
    )
    if st.button("Importer les données de démonstration", type="primary", key="demo_accueil"):
        with st.spinner("Importation des données de démonstration…"):
            verification = verifier_lot([(f.name, f) for f in fichiers_demo(appel)], appel)
            rapport = importer(
                verification, appel, moteur=moteur(), auteur=f"{compte.courriel} (démonstration)"
            )
            # Démonstration : l'examen d'admissibilité fait d'après les fichiers, pour que
            # le classement ait des demandes admissibles (page Admissibilité pour le revoir).
            examens.examiner_d_apres_les_fichiers(appel, moteur=moteur(), auteur=compte.courriel)
        annoncer(
            "demo_accueil",
            SUCCES,
            f"{len(rapport.creees)} demandes de démonstration importées "
            f"({rapport.avant} → {rapport.apres} demandes stockées).",
        )
        st.rerun()
# Sous le bouton, qui disparaît une fois les demandes importées : là où la personne a cliqué.
afficher_message("demo_accueil")
