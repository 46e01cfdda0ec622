"""Background tasks of the dossiers (run by `manage.py db_worker`)."""

from django.tasks import task

from mcf.domain.dossiers import actions, notifications


@task()
def apply_tacit_agreement(dossier_pk: int) -> bool:
    """Enqueued for the day the employer's silence becomes an acceptance; idempotent."""
    return actions.tacit_agreement(dossier_pk)


@task()
def send_financeur_digest(organisation_id: int) -> int:
    return notifications.send_digest(organisation_id)
