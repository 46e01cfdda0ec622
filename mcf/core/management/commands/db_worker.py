"""`manage.py db_worker`: django-tasks-db's command, run by ``ResilientWorker``.

The same name and options as the library's (its README, systemd units and scripts keep
working): the app ``mcf.core`` comes before ``django_tasks_db`` in INSTALLED_APPS, so
Django finds this command first. See mcf/core/tasks_worker.py for what it adds.
"""

from django_tasks_db.management.commands import db_worker as library

from mcf.core.tasks_worker import ResilientWorker


class Command(library.Command):
    help = (
        "Travailleur des tâches (courriels, alimentations) : survit à un redémarrage de la "
        "base et relance les tâches d'un travailleur arrêté."
    )

    def handle(self, *args, **options):
        # The library's handle() builds its Worker by name: let it build ours.
        original = library.Worker
        library.Worker = ResilientWorker
        try:
            return super().handle(*args, **options)
        finally:
            library.Worker = original
