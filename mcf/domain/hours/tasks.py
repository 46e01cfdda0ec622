"""Background tasks of the compte d'heures (run by `manage.py db_worker`)."""

from django.tasks import task

from mcf.domain.hours.feed.uploads import run_upload


@task()
def import_uploaded_declarations(import_id: int) -> str:
    """Load a declarations file uploaded in the back office (``FeedImport`` ``import_id``)."""
    return run_upload(import_id)
