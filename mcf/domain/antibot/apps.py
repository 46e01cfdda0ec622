import logging

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

logger = logging.getLogger("mcf.domain.antibot")


class AntibotConfig(AppConfig):
    name = "mcf.domain.antibot"
    label = "antibot"
    verbose_name = "Contrôle de sécurité (captcha)"

    def ready(self):
        from mcf.domain.antibot.checks import TEST_MODE_WARNING, check_captcha_test_mode

        # `manage.py check --deploy` fails while test mode is on (antibot.E001).
        checks.register(check_captcha_test_mode, checks.Tags.security, deploy=True)
        if settings.CAPTCHA_TEST_MODE:
            logger.warning(TEST_MODE_WARNING)
