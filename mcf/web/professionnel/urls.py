from django.urls import path

from mcf.web.professionnel import views

app_name = "professionnel"

urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("connexion/code/", views.verify_code, name="verify_code"),
    path("connexion/double-authentification/", views.enrol, name="enrol"),
    path("deconnexion/", views.logout, name="logout"),
    path("mot-de-passe-provisoire/", views.change_password, name="change_password"),
    path("gestionnaires/", views.gestionnaires, name="gestionnaires"),
    path("", views.home, name="home"),
]
