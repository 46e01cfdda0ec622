"""No DIF hours reserved above the DIF balance, nor before the DIF is entered (issue 13).

With ``cpf_reserved_within_balance`` (migration 0002), the database refuses an
over-reservation on either account even if a bug skipped the checks of
``mcf.domain.hours.reservations``. On PostgreSQL, ``ADD CONSTRAINT … CHECK`` reads the
counters once under the table's lock (no counter has reserved hours yet).

On SQLite, adding a constraint rebuilds ``hours_counter`` (new table, copy, drop, rename):
the rename fails while a trigger of ``hours_entry`` (migration 0004) names the dropped
table, so the trigger is dropped first and created again afterwards. A future migration that
rebuilds ``hours_counter`` or ``hours_entry`` on SQLite must do the same.
"""

import importlib

from django.db import migrations, models

reference_check = importlib.import_module(
    "mcf.domain.hours.migrations.0004_entry_counter_checked_per_statement"
)
ONLY_SQLITE_DROP = {"sqlite": reference_check.SQLITE_REVERSE}
ONLY_SQLITE_CREATE = {"sqlite": reference_check.SQLITE}


class Migration(migrations.Migration):
    dependencies = [
        ("hours", "0004_entry_counter_checked_per_statement"),
    ]

    operations = [
        migrations.RunPython(
            reference_check.for_vendor(ONLY_SQLITE_DROP),
            reference_check.for_vendor(ONLY_SQLITE_CREATE),
            elidable=False,
        ),
        migrations.AddConstraint(
            model_name="counter",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("dif_reserved", 0),
                    models.Q(
                        ("dif_balance__isnull", False),
                        ("dif_reserved__lte", models.F("dif_balance")),
                    ),
                    _connector="OR",
                ),
                name="dif_reserved_within_balance",
            ),
        ),
        migrations.RunPython(
            reference_check.for_vendor(ONLY_SQLITE_CREATE),
            reference_check.for_vendor(ONLY_SQLITE_DROP),
            elidable=False,
        ),
    ]
