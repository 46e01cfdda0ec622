from django.urls import path

from mcf.web.titulaire import views

app_name = "titulaire"

urlpatterns = [
    path("connexion/", views.login, name="login"),
]
