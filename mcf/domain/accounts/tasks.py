"""Background tasks of the accounts (run by `manage.py db_worker`)."""

from datetime import datetime

from django.tasks import task

from mcf.domain.accounts.password_reset import send_reset_link


@task()
def send_password_reset_link(nir_hash: str, requested_at: str) -> str:
    """« Mot de passe oublié », out of the request: see ``request_password_reset``."""
    return send_reset_link(nir_hash, requested_at=datetime.fromisoformat(requested_at))
