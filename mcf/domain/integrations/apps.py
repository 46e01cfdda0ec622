from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "mcf.domain.integrations"
    label = "integrations"
    verbose_name = "API et webhooks"
