from django.apps import AppConfig


class AntibotConfig(AppConfig):
    name = "mcf.domain.antibot"
    label = "antibot"
    verbose_name = "Contrôle de sécurité (captcha)"
