from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "mcf.domain.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue des formations"
