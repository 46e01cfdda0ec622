"""Background tasks of the outbox (run by `manage.py db_worker`)."""

from django.tasks import task

from mcf.domain.mailing.delivery import deliver


@task()
def deliver_email(email_id: str) -> str | None:
    status = deliver(email_id)
    return str(status) if status else None
