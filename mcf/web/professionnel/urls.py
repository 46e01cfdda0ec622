from django.urls import path

from mcf.web.professionnel import dossier_views, employer_views, integration_views, views

app_name = "professionnel"

urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("connexion/code/", views.verify_code, name="verify_code"),
    path("connexion/double-authentification/", views.enrol, name="enrol"),
    path("deconnexion/", views.logout, name="logout"),
    path("mot-de-passe-provisoire/", views.change_password, name="change_password"),
    path("gestionnaires/", views.gestionnaires, name="gestionnaires"),
    path("", views.home, name="home"),
    path("acces-api/", integration_views.api_access, name="api_access"),
    path("acces-api/clients/", integration_views.api_client_create, name="api_client_create"),
    path(
        "acces-api/clients/<uuid:public_id>/revoquer/",
        integration_views.api_client_revoke,
        name="api_client_revoke",
    ),
    path("acces-api/webhooks/", integration_views.webhook_create, name="webhook_create"),
    path(
        "acces-api/webhooks/<uuid:public_id>/supprimer/",
        integration_views.webhook_remove,
        name="webhook_remove",
    ),
    path("acces-api/envois/", integration_views.webhook_log, name="webhook_log"),
    path(
        "acces-api/envois/<uuid:delivery_id>/renvoyer/",
        integration_views.webhook_redeliver,
        name="webhook_redeliver",
    ),
    path("dossiers/", dossier_views.work_list, name="dossiers"),
    path("salaries/", employer_views.employees, name="employees"),
    path("demandes-d-accord/", employer_views.requests, name="employer_requests"),
    path(
        "demandes-d-accord/<uuid:public_id>/",
        employer_views.employer_request,
        name="employer_request",
    ),
    path("dossiers/<uuid:public_id>/", dossier_views.instruct, name="dossier"),
    path("dossiers/<uuid:public_id>/valider/", dossier_views.validate, name="dossier_validate"),
    path(
        "dossiers/<uuid:public_id>/complement/",
        dossier_views.request_complement,
        name="dossier_complement",
    ),
    path("dossiers/<uuid:public_id>/refuser/", dossier_views.refuse, name="dossier_refuse"),
    path("dossiers/<uuid:public_id>/clore/", dossier_views.close, name="dossier_close"),
    path("dossiers/<uuid:public_id>/annuler/", dossier_views.cancel, name="dossier_cancel"),
]
