from django.apps import AppConfig


class CatalogueWebConfig(AppConfig):
    name = "mcf.web.catalogue"
    label = "web_catalogue"
