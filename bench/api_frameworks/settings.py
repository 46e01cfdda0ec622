"""The test settings plus Django REST framework, for bench/api_frameworks.py only."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework", "drf_spectacular"]  # noqa: F405
ROOT_URLCONF = "api_frameworks.urls"
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {"OAS_VERSION": "3.1.0", "TITLE": "Comparaison"}
RATELIMIT_ENABLE = False
