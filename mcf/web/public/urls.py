from django.urls import path

from mcf.web.public import training_views, views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("informations/<slug:slug>/", views.content_page, name="page"),
    path("conditions-generales-utilisation/", views.cgu_page, name="cgu"),
    path(
        "conditions-generales-utilisation/version/<str:version>/",
        views.cgu_page,
        name="cgu_version",
    ),
    path("recherche/", views.site_search, name="search"),
    path("formations/", training_views.training_search, name="training_search"),
    path("formations/<int:pk>/", training_views.training_offer, name="training_offer"),
    path("formations/communes/", training_views.training_communes, name="commune_suggestions"),
    path("formations/<int:pk>/dossier/", training_views.training_dossier, name="training_dossier"),
    path("nous-contacter/", views.contact, name="contact"),
    path("nous-contacter/merci/", views.contact_sent, name="contact_sent"),
    path("cookies/", views.cookies, name="cookies"),
    path("cookies/bandeau/", views.dismiss_cookie_notice, name="dismiss_cookie_notice"),
]
