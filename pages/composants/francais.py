"""Du français là où Streamlit écrit de l'anglais sans réglage : téléverseurs, graphiques,
consignes des champs.

Streamlit 1.67 n'a pas de langue d'interface. Ce qu'une API permet passe par elle (locale
de plotly, `max_upload_size`, `placeholder`) ; le texte du téléverseur, qu'aucune API ne
touche, est remplacé par une règle CSS limitée au widget (sa classe `st-key-<clé>`). Ce qui
reste en anglais est listé dans le README (« Interface en français »).
"""

from __future__ import annotations

import math

import streamlit as st

from evaluation.socle.formats import MOIS, nombre

_MO = 1024 * 1024

# Textes de la barre d'outils et des infobulles de plotly.js (clés : chaînes anglaises du
# plotly.js livré avec Streamlit 1.67), et formats de dates et de nombres. Passés dans la
# configuration de chaque graphique : aucune locale à télécharger ni à enregistrer.
LOCALE_PLOTLY = {
    "dictionary": {
        "Autoscale": "Mise à l'échelle automatique",
        "Box Select": "Sélection rectangulaire",
        "Lasso Select": "Sélection au lasso",
        "Compare data on hover": "Comparer les données au survol",
        "Show closest data on hover": "Donnée la plus proche au survol",
        "Toggle show closest data on hover": "Afficher ou masquer les infobulles",
        "Toggle Spike Lines": "Afficher ou masquer les lignes de repère",
        "Double-click on legend to isolate one trace": (
            "Double-cliquez sur la légende pour isoler une série"
        ),
        "Double-click to zoom back out": "Double-cliquez pour revenir à la vue entière",
        "Download plot as a PNG": "Télécharger le graphique (PNG)",
        "Download plot": "Télécharger le graphique",
        "Download plot as JSON": "Télécharger le graphique (JSON)",
        "Image download succeeded": "Image téléchargée.",
        "JSON download succeeded": "Fichier JSON téléchargé.",
        "Preparing image - this may take a few seconds": (
            "Préparation de l'image : quelques secondes."
        ),
        "Sorry, there was a problem downloading your image!": (
            "L'image n'a pas pu être téléchargée."
        ),
        "Sorry, there was a problem downloading your JSON file!": (
            "Le fichier JSON n'a pas pu être téléchargé."
        ),
        "Pan": "Déplacer",
        "Zoom": "Zoom",
        "Zoom in": "Zoom avant",
        "Zoom out": "Zoom arrière",
        "Reset": "Réinitialiser",
        "Reset axes": "Réinitialiser les axes",
        "Reset view": "Revenir à la vue initiale",
        "Reset views": "Revenir aux vues initiales",
        "Produced with Plotly.js": "Produit avec Plotly.js",
        "Cancel": "Annuler",
        "trace": "série",
    },
    "format": {
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": list(MOIS),
        "shortMonths": [
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juill.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ],
        "date": "%Y-%m-%d",
        "decimal": ",",
        "thousands": "\u00a0",
        "year": "%Y",
        "month": "%B %Y",
        "dayMonth": "%-d %B",
        "dayMonthYear": "%-d %B %Y",
    },
}

# À passer à chaque st.plotly_chart (config=…) : barre d'outils de plotly en français, sans
# le logo ni le lien vers plotly.com.
CONFIG_PLOTLY = {"locale": "fr", "locales": {"fr": LOCALE_PLOTLY}, "displaylogo": False}

# Streamlit accepte un peu plus que la limite de l'application : au-delà de la sienne, il
# refuse en anglais ; entre les deux, l'application refuse en français.
MARGE_STREAMLIT_MO = 10


def taille_en_clair(octets: int) -> str:
    """« 50 Mo », « 5 Mo », « 512 Ko » : la limite telle que la page l'annonce."""
    if octets < _MO:
        return f"{nombre(octets / 1024, 0)} Ko"
    mo = octets / _MO
    return f"{nombre(mo, 0 if mo.is_integer() else 1)} Mo"


def regle_televerseur(cle: str, taille_max: int, unite: str, *, plusieurs: bool = False) -> str:
    """La règle CSS qui met en français le bouton et la limite du téléverseur `cle`.

    Les consignes anglaises sont retirées (`display: none`, donc aussi de l'arbre
    d'accessibilité) et remplacées par du contenu généré en français ; le libellé anglais du
    bouton est gardé à taille nulle pour qu'il ait un nom accessible que tous les outils
    lisent, suivi de « Téléverser » affiché."""
    portee = f".st-key-{cle} [data-testid='stFileUploaderDropzone']"
    bouton = f"{portee} button [data-testid='stMarkdownContainer']"
    consigne = f"{portee} [data-testid='stFileUploaderDropzoneInstructions'] > div"
    # Pendant qu'on glisse un fichier : seul enfant sans data-testid de la zone.
    glisser = f"{portee} > div:not([data-testid])"
    limite = f"{taille_en_clair(taille_max)} au plus par {unite}".replace("\u00a0", "\\a0 ")
    deposer = "Déposez les fichiers ici" if plusieurs else "Déposez le fichier ici"
    return (
        f"{consigne} > span, {glisser} > span {{display: none}}"
        # Le texte du bouton reste dans l'arbre, invisible (taille nulle) : sans lui, le bouton
        # n'a pas de nom pour axe-core, qui ne lit pas le contenu généré (« button-name »,
        # critique) ; un lecteur d'écran lit « Upload Téléverser ».
        f"{bouton} > p {{font-size: 0; line-height: 0}}"
        f"{bouton}::after {{content: 'Téléverser'}}"
        f"{consigne}::after {{content: '{limite}'; font-size: 0.875rem}}"
        f"{glisser}::after {{content: '{deposer}'; font-weight: 600}}"
    )


def televerseur(libelle: str, *, key: str, taille_max: int, unite: str = "fichier", **options):
    """st.file_uploader dont le bouton dit « Téléverser » et la limite est celle de
    l'application (`taille_max`, en octets), en français, à la place de « 60MB per file »."""
    plusieurs = bool(options.get("accept_multiple_files"))
    st.html(f"<style>{regle_televerseur(key, taille_max, unite, plusieurs=plusieurs)}</style>")
    return st.file_uploader(
        libelle,
        key=key,
        max_upload_size=math.ceil(taille_max / _MO) + MARGE_STREAMLIT_MO,
        **options,
    )


# Consignes sous un champ (`[data-testid="InputInstructions"]` de Streamlit 1.67) : un
# <span> par consigne, la touche d'abord (« Press Enter to submit form », « Press Ctrl+Enter
# to apply »), puis le compteur (« 31/10000 », précédé d'un point médian dessiné par CSS).
# Aucune page ne passe `enter_to_submit=False` ni n'a de st.chat_input : la consigne de la
# touche est donc toujours le premier <span>. Il est retiré (`display: none`, donc aussi
# de l'arbre d'accessibilité) et la consigne française est du contenu généré, que lisent
# aussi les lecteurs d'écran. Dans un formulaire, la touche envoie ; ailleurs, elle applique.
# Le compteur, écrit par Streamlit, reste tel quel (README).
_CONSIGNES = "[data-testid='InputInstructions']"
_ZONE = "[data-testid='stTextArea']"
_FORMULAIRE = "[data-testid='stForm']"
CONSIGNES_CLAVIER = {
    "champ": "Entrée pour appliquer",
    "champ_formulaire": "Entrée pour envoyer",
    "zone": "Ctrl+Entrée pour appliquer",
    "zone_formulaire": "Ctrl+Entrée pour envoyer",
}
REGLE_CONSIGNES = (
    f"{_CONSIGNES} > span:first-child {{display: none}}"
    # Même spécificité : l'ordre décide (la zone de texte après le formulaire) ; la zone de
    # texte d'un formulaire, plus précise, l'emporte.
    f"{_CONSIGNES}::before {{content: '{CONSIGNES_CLAVIER['champ']}'}}"
    f"{_FORMULAIRE} {_CONSIGNES}::before {{content: '{CONSIGNES_CLAVIER['champ_formulaire']}'}}"
    f"{_ZONE} {_CONSIGNES}::before {{content: '{CONSIGNES_CLAVIER['zone']}'}}"
    f"{_FORMULAIRE} {_ZONE} {_CONSIGNES}::before "
    f"{{content: '{CONSIGNES_CLAVIER['zone_formulaire']}'}}"
)

# Texte d'un champ désactivé (un commentaire d'une évaluation soumise, par exemple) :
# Streamlit le grise à 40 % du texte, environ 2,5:1 sur son fond gris, illisible ; celui-ci
# donne plus de 7:1 sur ce fond et sur le blanc (WCAG 2.1 AA : 4,5:1 ; axe-core ne mesure
# pas les champs désactivés : tests/navigateur/test_francais.py mesure). Le libellé et la
# valeur d'un curseur désactivé aussi.
TEXTE_DESACTIVE = "#51545c"
_DESACTIVE = "[data-testid='stElementContainer']:has(:disabled, [aria-disabled='true'])"
REGLE_DESACTIVES = (
    # Plus précis que les classes de Base Web (qui écrivent la couleur grisée) : l'emporte.
    f"[data-testid='stApp'] textarea:disabled, [data-testid='stApp'] input:disabled "
    f"{{color: {TEXTE_DESACTIVE}; -webkit-text-fill-color: {TEXTE_DESACTIVE}}}"
    f"{_DESACTIVE} [data-testid='stWidgetLabel'], "
    f"{_DESACTIVE} [data-testid='stWidgetLabel'] p, "
    f"{_DESACTIVE} [data-testid='stSliderThumbValue'] {{color: {TEXTE_DESACTIVE}}}"
)


def franciser_interface() -> None:
    """Les règles CSS globales (consignes des champs, texte désactivé lisible), une fois par
    exécution : app.py l'appelle avant toute page, formulaire de connexion compris."""
    st.html(f"<style>{REGLE_CONSIGNES}{REGLE_DESACTIVES}</style>")
