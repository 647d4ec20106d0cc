"""Suivi des évaluations : l'avancement de chaque évaluateur, les totaux de chaque
évaluation soumise, et le verrouillage des notes par la présidence."""

import pandas as pd
import streamlit as st

from evaluation.appels.configuration import appel_depuis_toml
from evaluation.notes import attributions, examens, filtrage, suivi
from evaluation.notes.saisie import MODIFIEE_APRES_CONSULTATION, OBJET_APRES_CONSULTATION
from evaluation.socle import stockage
from evaluation.socle.comptes import lister_comptes
from evaluation.socle.formats import date_heure, note, pluriel
from evaluation.socle.roles import ADMIN
from evaluation.socle.texte import litteral
from pages.composants.commun import appel_actif, moteur, version_donnees
from pages.composants.connexion import exiger_acces
from pages.composants.messages import afficher as afficher_message
from pages.composants.verrous import Inacheves, bouton_verrou

compte = exiger_acces("suivi")
appel = appel_actif()
m = moteur()


def _totaux_lisibles(totaux: pd.DataFrame, noms: dict[str, str]) -> pd.DataFrame:
    """Les totaux écrits comme ailleurs (`formats.note`), chaque valeur distincte formatée
    une fois : 75 000 cases n'en portent que quelques centaines."""
    lisibles = {v: note(v) for v in pd.unique(totaux.to_numpy().ravel()) if not pd.isna(v)}
    return (
        totaux.rename(columns=noms)
        .rename_axis(index="Demande", columns=None)
        .apply(lambda colonne: colonne.map(lisibles).fillna(""))
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _donnees_suivi(configuration_toml: str, url: str, version: int) -> dict:
    """Ce que la page montre, gardé tant que rien ne change dans la base (`version` : la version des
    données, qu'augmente chaque écriture validée, dont chaque note enregistrée, attribution,
    conflit, compte ou verrouillage)."""
    appel = appel_depuis_toml(configuration_toml)
    criteres = [c.id for c in appel.criteres]
    colonnes = ["id", "no_demande", "municipalite", "municipalites_partenaires", "region"]
    with m.connect() as connexion:
        demandes = stockage.lire_demandes_en_bref(appel.id, colonnes, connexion=connexion)
        # Une ligne par évaluation, tous statuts : l'avancement et les totaux en une lecture.
        par_evaluation = stockage.lire_notes_en_colonnes(appel.id, criteres, connexion=connexion)
        apres_consultation = stockage.lire_journal(
            connexion=connexion, appel_id=appel.id, objets=[OBJET_APRES_CONSULTATION]
        )
    lieux = demandes[["id", "municipalite", "municipalites_partenaires", "region"]]
    etat = attributions.charger(appel.id, moteur=m, demandes=lieux)
    noms = suivi.noms_distincts({c.courriel: c.nom for c in lister_comptes(moteur=m)})
    numeros = dict(zip(demandes["id"].astype(int), demandes["no_demande"], strict=True))
    totaux = suivi.totaux(par_evaluation[par_evaluation["statut"] == suivi.SOUMISE], appel, numeros)
    return {
        "demandes": len(demandes),
        "evaluateurs": len(etat.evaluateurs),
        "reglages": etat.reglages,
        "avancement": suivi.avancement(etat, par_evaluation, noms),
        "totaux": None if totaux.empty else _totaux_lisibles(totaux, noms),
        "apres_consultation": suivi.modifiees_apres_consultation(apres_consultation, numeros, noms),
    }


NON_SOUMISES = "évaluations attribuées non soumises"


def _inacheves() -> list[Inacheves]:
    """Ce que le verrouillage figerait inachevé, lu à l'ouverture de la fenêtre : les
    évaluations attribuées non soumises et l'examen d'admissibilité à finir."""
    with m.connect() as connexion:
        demandes = stockage.lire_demandes_en_bref(
            appel.id,
            ["id", "no_demande", "titre", "municipalite", "municipalites_partenaires", "region"],
            connexion=connexion,
        )
        evaluations_ = stockage.lire_evaluations_en_bref(appel.id, connexion=connexion)
    examen = examens.charger(appel.id, moteur=m)
    etat = attributions.charger(appel.id, moteur=m, demandes=demandes, admissibilite=examen.etats)
    noms = suivi.noms_distincts({c.courriel: c.nom for c in lister_comptes(moteur=m)})
    restantes = suivi.evaluations_inachevees(etat, evaluations_, demandes, noms)
    brouillons = int((restantes["etat"] == suivi.BROUILLON).sum())
    a_examiner = filtrage.examens_inacheves(demandes, examen.etats, examen.signalements, appel)
    return [
        Inacheves(
            pluriel(len(restantes), "évaluation attribuée non soumise", NON_SOUMISES)
            + f" ({pluriel(brouillons, 'brouillon')}, "
            + f"{pluriel(len(restantes) - brouillons, 'pas commencée', 'pas commencées')})",
            "Verrouillées, elles ne pourront plus être soumises ni modifiées : le classement "
            "se fera sans elles.",
            pd.DataFrame(
                {
                    "Évaluateur": restantes["nom"],
                    "Demande": restantes["no_demande"],
                    "Titre": restantes["titre"],
                    "État": restantes["etat"].map(
                        {suivi.BROUILLON: "brouillon", suivi.A_FAIRE: "pas commencée"}
                    ),
                }
            ),
        ),
        Inacheves(
            pluriel(
                len(a_examiner),
                "demande dont l'examen d'admissibilité n'est pas fini",
                "demandes dont l'examen d'admissibilité n'est pas fini",
            ),
            "Tant que son admissibilité reste à établir, une demande n'est ni attribuée, ni "
            "notée, ni classée ; un doute signalé attend d'être réglé.",
            pd.DataFrame(
                {
                    "Demande": a_examiner["no_demande"],
                    "Titre": a_examiner["titre"],
                    "Ce qui reste": a_examiner["raison"],
                }
            ),
        ),
    ]


version = version_donnees()
donnees = _donnees_suivi(appel.source_toml, stockage.url_par_defaut(), version)
reglages = donnees["reglages"]

st.title("Suivi des évaluations")
avancement = donnees["avancement"]
attendues = int(avancement["attribuees"].sum())
faites = int(avancement["soumises"].sum())
c1, c2, c3 = st.columns(3)
c1.metric("Demandes", donnees["demandes"])
c2.metric("Évaluateurs actifs", donnees["evaluateurs"])
c3.metric("Évaluations soumises", f"{faites} / {attendues}")
st.progress(faites / attendues if attendues else 0.0, text=f"{faites} / {attendues} soumises")
mode = reglages.evaluateurs_par_demande
st.caption(
    "Chaque évaluateur évalue chaque demande (hors conflits d'intérêts)."
    if mode is None
    else f"{pluriel(mode, 'évaluateur')} par demande, répartis par l'administration."
)

with st.container(border=True):
    if reglages.verrouille:
        quand = reglages.modifie_le
        st.markdown(
            ":material/lock: **Évaluations verrouillées**"
            + (f" le {date_heure(quand)} par {litteral(reglages.modifie_par)}" if quand else "")
            + " : plus aucune note ne peut changer."
        )
        if compte.role == ADMIN:
            if st.button("Déverrouiller les évaluations", key="deverrouiller"):
                attributions.verrouiller(appel.id, False, moteur=m, auteur=compte.courriel)
                st.rerun()
        else:
            st.caption("Seule l'administration peut les rouvrir.")
        afficher_message("verrouiller")
    else:
        st.markdown(
            "**Évaluations ouvertes.** Verrouillez-les avant la séance du comité : les "
            "évaluateurs ne pourront plus modifier ni rouvrir leurs évaluations."
        )
        bouton_verrou(
            "verrouiller",
            "Verrouiller les évaluations",
            listes=_inacheves,
            rien="Toutes les évaluations attribuées sont soumises et l'examen "
            "d'admissibilité est fini."
            if attendues
            else "Aucune évaluation n'est attribuée pour l'instant (aucun évaluateur actif ou "
            "aucune attribution) : verrouillées, aucune évaluation ne pourra être soumise.",
            verrouiller=lambda: attributions.verrouiller(
                appel.id, True, moteur=m, auteur=compte.courriel
            ),
            succes="Évaluations verrouillées (inscrit au journal).",
        )

st.subheader("Par évaluateur")
if avancement.empty:
    st.info("Aucun compte d'évaluateur actif : créez-en dans la page Comptes.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Évaluateur": avancement["nom"],
                "Courriel": avancement["evaluateur"],
                "Attribuées": avancement["attribuees"],
                "Soumises": avancement["soumises"],
                "Brouillons": avancement["brouillons"],
                "À faire": avancement["a_faire"],
                "Conflits": avancement["conflits"],
                "Avancement": 100
                * avancement["soumises"]
                / avancement["attribuees"].where(avancement["attribuees"] > 0),
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Avancement": st.column_config.ProgressColumn(
                "Avancement", format="%.0f %%", min_value=0, max_value=100
            )
        },
    )

st.subheader("Totaux des évaluations soumises (sur 100)")
if donnees["totaux"] is None:
    st.caption("Aucune évaluation soumise pour l'instant.")
else:
    st.dataframe(donnees["totaux"], width="stretch")

if not donnees["apres_consultation"].empty:
    st.subheader(MODIFIEE_APRES_CONSULTATION.capitalize())
    st.caption(
        "Ces évaluateurs ont changé une note ou leur jugement d'admissibilité après avoir vu "
        "les notes des autres : l'évaluation n'était plus à l'aveugle."
    )
    st.dataframe(donnees["apres_consultation"], hide_index=True, width="stretch")
