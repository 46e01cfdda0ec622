from django.apps import AppConfig
from django.core import checks


class AntibotConfig(AppConfig):
    name = "mcf.domain.antibot"
    label = "antibot"
    verbose_name = "Contrôle de sécurité (captcha)"

    def ready(self):
        from mcf.domain.antibot.checks import check_captcha_test_mode

        # `manage.py check --deploy` fails while test mode is on (antibot.E001); the web
        # server warns when it starts (checks.warn_if_test_mode).
        checks.register(check_captcha_test_mode, checks.Tags.security, deploy=True)
