"""AUTH-08: test mode (answer PASSED) cannot reach production unnoticed."""

import logging
import runpy
from pathlib import Path

from django.apps import apps
from django.core.checks import run_checks

from mcf.domain.antibot.checks import TEST_MODE_WARNING


def antibot_errors():
    return [m for m in run_checks(include_deployment_checks=True) if m.id == "antibot.E001"]


def test_deploy_check_fails_when_test_mode_is_on(settings):
    settings.CAPTCHA_TEST_MODE = True
    errors = antibot_errors()
    assert len(errors) == 1
    assert errors[0].is_serious()
    assert "PASSED" in errors[0].msg


def test_deploy_check_passes_when_test_mode_is_off(settings):
    settings.CAPTCHA_TEST_MODE = False
    assert antibot_errors() == []


def test_check_only_runs_with_deploy_checks(settings):
    settings.CAPTCHA_TEST_MODE = True
    assert [m for m in run_checks() if m.id == "antibot.E001"] == []


def _gunicorn_ready() -> None:
    """gunicorn.conf.py's ``when_ready`` hook, as the master calls it once serving."""
    config = runpy.run_path(str(Path(__file__).resolve().parents[3] / "gunicorn.conf.py"))
    config["when_ready"](None)


def test_the_web_server_warns_once_when_test_mode_is_on(settings, caplog):
    settings.CAPTCHA_TEST_MODE = True
    with caplog.at_level(logging.WARNING, logger="mcf.domain.antibot"):
        apps.get_app_config("antibot").ready()  # every process: silent
        _gunicorn_ready()
    records = [r for r in caplog.records if r.name == "mcf.domain.antibot"]
    assert [(r.levelno, r.getMessage()) for r in records] == [(logging.WARNING, TEST_MODE_WARNING)]


def test_the_web_server_is_silent_when_test_mode_is_off(settings, caplog):
    settings.CAPTCHA_TEST_MODE = False
    with caplog.at_level(logging.DEBUG, logger="mcf.domain.antibot"):
        _gunicorn_ready()
    assert [r for r in caplog.records if r.name == "mcf.domain.antibot"] == []
