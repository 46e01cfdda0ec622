"""Deploy checks of the captcha (AUTH-08): test mode never reaches production."""

import logging

from django.conf import settings
from django.core import checks

TEST_MODE_WARNING = "CAPTCHA_TEST_MODE est activé : le captcha accepte la réponse PASSED"
logger = logging.getLogger("mcf.domain.antibot")


def warn_if_test_mode() -> None:
    """Say it once when the web server starts (gunicorn.conf.py, ``when_ready``): not in
    every process (each management command, each gunicorn worker, the task worker), where
    `make run` printed it seven times."""
    if settings.CAPTCHA_TEST_MODE:
        logger.warning(TEST_MODE_WARNING)


def check_captcha_test_mode(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not getattr(settings, "CAPTCHA_TEST_MODE", False):
        return []
    return [
        checks.Error(
            TEST_MODE_WARNING + ".",
            hint="Mettre CAPTCHA_TEST_MODE=0 (ou retirer la variable) en production.",
            id="antibot.E001",
        )
    ]
