from django.urls import path

from mcf.web.titulaire import (
    account_views,
    delegation_views,
    dossier_pages,
    dossier_views,
    hours_views,
    personal_views,
    registration_views,
    training_views,
    views,
)
from mcf.web.titulaire.navigation import COMING_SOON

COMING_SOON_PATHS: dict[str, str] = {}
DOSSIERS = "dossiers-de-formation/"
DELEGATIONS = "delegations/"

app_name = "titulaire"

urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("", hours_views.summary, name="home"),
    path("compte-d-heures/", hours_views.hours, name="hours"),
    path("compte-d-heures/attestation.pdf", hours_views.attestation, name="attestation"),
    path("rechercher-une-formation/", training_views.training_search, name="training_search"),
    path(
        "rechercher-une-formation/<int:pk>/",
        training_views.training_offer,
        name="training_offer",
    ),
    path(
        "rechercher-une-formation/<int:pk>/dossier/",
        dossier_views.training_dossier,
        name="training_dossier",
    ),
    path(DOSSIERS, dossier_views.dossiers, name="dossiers"),
    path(f"{DOSSIERS}nouveau/", dossier_views.dossier_new, name="dossier_new"),
    path(
        f"{DOSSIERS}<uuid:public_id>/etape/<slug:step>/",
        dossier_views.dossier_step,
        name="dossier_step",
    ),
    path(f"{DOSSIERS}<uuid:public_id>/plan/", dossier_views.dossier_plan, name="dossier_plan"),
    path(
        f"{DOSSIERS}<uuid:public_id>/employeur/",
        dossier_views.dossier_employer,
        name="dossier_employer",
    ),
    path(
        f"{DOSSIERS}<uuid:public_id>/transmettre/",
        dossier_views.dossier_send,
        name="dossier_send",
    ),
    path(f"{DOSSIERS}<uuid:public_id>/", dossier_pages.dossier, name="dossier"),
    path(
        f"{DOSSIERS}<uuid:public_id>/reprendre/",
        dossier_pages.dossier_withdraw,
        name="dossier_withdraw",
    ),
    path(
        f"{DOSSIERS}<uuid:public_id>/annuler/",
        dossier_pages.dossier_cancel,
        name="dossier_cancel",
    ),
    path(
        f"{DOSSIERS}<uuid:public_id>/recapitulatif.pdf",
        dossier_pages.dossier_recap,
        name="dossier_recap",
    ),
    path(DELEGATIONS, delegation_views.delegations, name="delegations"),
    path(f"{DELEGATIONS}nouvelle/", delegation_views.delegation_new, name="delegation_new"),
    path(f"{DELEGATIONS}quitter/", delegation_views.delegation_leave, name="delegation_leave"),
    path(
        f"{DELEGATIONS}invitation/reprendre/",
        delegation_views.delegation_invitation_resume,
        name="delegation_invitation_resume",
    ),
    path(
        f"{DELEGATIONS}invitation/<str:token>/",
        delegation_views.delegation_invitation,
        name="delegation_invitation",
    ),
    path(f"{DELEGATIONS}<uuid:public_id>/", delegation_views.delegation, name="delegation"),
    path(
        f"{DELEGATIONS}<uuid:public_id>/revoquer/",
        delegation_views.delegation_revoke,
        name="delegation_revoke",
    ),
    path(
        f"{DELEGATIONS}<uuid:public_id>/ouvrir/",
        delegation_views.delegation_open,
        name="delegation_open",
    ),
    path(
        f"{DELEGATIONS}<uuid:public_id>/rendre/",
        delegation_views.delegation_give_back,
        name="delegation_give_back",
    ),
    path("mot-de-passe/", account_views.password_change, name="password_change"),
    path("historique/", account_views.history, name="history"),
    path("sessions/", account_views.sessions, name="sessions"),
    path("sessions/fermer/", account_views.end_session, name="end_session"),
    path(
        "informations-personnelles/",
        personal_views.personal_information,
        name="personal_information",
    ),
    path("informations-personnelles/telephones/", personal_views.phones, name="personal_phones"),
    path(
        "informations-personnelles/situation/", personal_views.situation, name="personal_situation"
    ),
    path("informations-personnelles/courriel/", personal_views.email_change, name="email_change"),
    path(
        "informations-personnelles/courriel/confirmation/<str:token>/",
        personal_views.email_change_confirm,
        name="email_change_confirm",
    ),
    path("informations-personnelles/mes-donnees/", personal_views.data_export, name="data_export"),
    path("informations-personnelles/fermeture/", personal_views.close, name="close_account"),
    path("confirmer-mot-de-passe/", personal_views.confirm_password_view, name="confirm_password"),
    path("mot-de-passe-oublie/", views.password_reset_request, name="password_reset"),
    path(
        "mot-de-passe-oublie/<uuid:public_id>/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("inscription/", registration_views.step_cgu, name="registration_cgu"),
    path("inscription/identite/", registration_views.step_identity, name="registration_identity"),
    path(
        "inscription/mot-de-passe/",
        registration_views.step_password,
        name="registration_password",
    ),
    path("inscription/enregistree/", registration_views.step_done, name="registration_done"),
    path(
        "inscription/confirmation/<str:token>/",
        registration_views.confirm,
        name="registration_confirm",
    ),
    *[
        path(COMING_SOON_PATHS[name], views.coming_soon, {"title": title}, name=name)
        for name, title in COMING_SOON.items()
    ],
]
