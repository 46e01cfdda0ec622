"""Environment of the test run, set before Django reads its settings.

Production-like settings (DEBUG off) with a fixed test secret. DATABASE_URL, when given,
selects PostgreSQL (see scripts/with-postgres); otherwise an SQLite test database is used.
"""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "k" * 50)
os.environ.setdefault("EMAIL_URL", "console:")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SITE_URL", "http://localhost:8000")
# Fixed test keys (Fernet format) for the NIR protection.
os.environ.setdefault("NIR_ENCRYPTION_KEYS", "dGVzdC1rZXktZm9yLW5pci1lbmNyeXB0aW9uLTMyYj0=")
os.environ.setdefault("NIR_HASH_KEY", "test-hmac-key-for-nir-lookups")

from mcf.settings import *  # noqa: F403

# Serve static files from the apps' folders (no collectstatic needed for the suite).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
