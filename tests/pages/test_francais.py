"""pages/composants/francais.py : limites annoncées en français, règles du téléverseur,
locale de plotly."""

from unittest import mock

from pages.composants import francais

MO = 1024 * 1024


def test_la_limite_se_dit_en_mo_ou_en_ko():
    assert francais.taille_en_clair(50 * MO) == "50 Mo"
    assert francais.taille_en_clair(int(2.5 * MO)) == "2,5 Mo"
    assert francais.taille_en_clair(512 * 1024) == "512 Ko"


def test_la_regle_du_televerseur_ne_touche_que_son_widget():
    regle = francais.regle_televerseur("televersement_3", 5 * MO, "archive", plusieurs=True)
    blocs = [b for b in regle.split("}") if b]
    assert all(b.lstrip().startswith(".st-key-televersement_3 ") for b in blocs)
    assert "content: 'Téléverser'" in regle
    assert "content: '5 Mo au plus par archive'" in regle
    assert "content: 'Déposez les fichiers ici'" in regle


def test_streamlit_accepte_plus_que_la_limite_de_l_application():
    with mock.patch.object(francais, "st") as st:
        francais.televerseur("Grille", key="g", taille_max=int(2.5 * MO))
    assert st.file_uploader.call_args.kwargs["max_upload_size"] == 3 + 10
    assert "2,5 Mo au plus par fichier" in st.html.call_args.args[0]


def test_la_locale_de_plotly_est_passee_avec_le_graphique():
    assert francais.CONFIG_PLOTLY["locale"] == "fr"
    locale = francais.CONFIG_PLOTLY["locales"]["fr"]
    assert locale["format"]["decimal"] == ","
    assert locale["dictionary"]["Download plot as a PNG"].startswith("Télécharger")
