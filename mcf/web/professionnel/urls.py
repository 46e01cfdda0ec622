from django.urls import path

from mcf.web.professionnel import views

app_name = "professionnel"

urlpatterns = [
    path("connexion/", views.login, name="login"),
]
