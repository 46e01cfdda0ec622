"""Background task of the webhooks (run by `manage.py db_worker`, as the mails')."""

from django.tasks import task

from mcf.domain.integrations.webhooks import deliver


@task()
def deliver_webhook(delivery_id: str) -> str | None:
    status = deliver(delivery_id)
    return str(status) if status else None
