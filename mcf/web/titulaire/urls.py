from django.urls import path

from mcf.web.titulaire import registration_views, views

app_name = "titulaire"

urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("", views.home, name="home"),
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
]
