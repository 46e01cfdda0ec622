"""The ledger's reference to its counter (migration hours 0004, docs/decisions/0008).

The foreign key is replaced by a check per statement: these tests show that what a foreign
key refuses is still refused — one bad row among many, the ORM and raw SQL, the feed's own
COPY — and that nothing can break the reference afterwards (entries are append-only,
counters are never deleted and keep their id).
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from mcf.domain.hours.models import Counter, Entry

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers are PostgreSQL's (make test-postgres)"
)


def _entry(counter_id: int, year: int = 2016) -> Entry:
    return Entry(counter_id=counter_id, kind=Entry.Kind.FEED, hours=24, year=year)


def _missing_counter_id() -> int:
    return (Counter.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1000


def test_an_entry_of_a_missing_counter_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        _entry(_missing_counter_id()).save()
    assert not Entry.objects.exists()


def test_one_bad_entry_among_many_refuses_the_whole_statement():
    counters = [Counter.objects.create(nir_hash=f"{i:064x}") for i in range(3)]
    good = [_entry(counter.pk, year) for counter in counters for year in (2015, 2016)]
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.bulk_create([*good, _entry(_missing_counter_id())])
    assert not Entry.objects.exists()
    Entry.objects.bulk_create(good)
    assert Entry.objects.count() == 6


def test_an_entry_of_a_counter_created_in_the_same_transaction_is_accepted():
    with transaction.atomic():
        counter = Counter.objects.create(nir_hash="a" * 64)
        _entry(counter.pk).save()
    assert counter.entries.count() == 1


def test_the_orm_protects_a_counter_with_entries():
    counter = Counter.objects.create(nir_hash="b" * 64)
    _entry(counter.pk).save()
    with pytest.raises(ProtectedError):
        counter.delete()


@postgresql_only
def test_the_feeds_copy_is_checked_too():
    columns = "counter_id, kind, account, hours, year, label, source, created_at, created_by"
    counter = Counter.objects.create(nir_hash="c" * 64)
    now = timezone.now().isoformat()
    lines = [
        f"{counter_id}\talimentation\tcpf\t24\t2016\t\t\t{now}\t\n"
        for counter_id in (counter.pk, _missing_counter_id())
    ]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        try:
            with cursor.cursor.copy(f"COPY hours_entry ({columns}) FROM STDIN") as copy:
                copy.write("".join(lines))
        except Exception as error:  # psycopg's own error: COPY is not wrapped by Django
            raise IntegrityError(str(error)) from error
    assert not Entry.objects.exists()


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE hours_entry SET hours = 150 WHERE counter_id = %(counter)s",
        "UPDATE hours_entry SET counter_id = %(missing)s WHERE counter_id = %(counter)s",
        "DELETE FROM hours_entry WHERE counter_id = %(counter)s",
        "DELETE FROM hours_counter WHERE id = %(counter)s",
        "DELETE FROM hours_counter WHERE id = %(empty)s",
        "UPDATE hours_counter SET id = %(missing)s WHERE id = %(counter)s",
    ],
)
def test_nothing_breaks_the_reference_afterwards(statement):
    counter = Counter.objects.create(nir_hash="d" * 64)
    empty = Counter.objects.create(nir_hash="e" * 64)
    _entry(counter.pk).save()
    values = {"counter": counter.pk, "empty": empty.pk, "missing": _missing_counter_id()}
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, values)
    assert list(Entry.objects.values_list("counter_id", "hours")) == [(counter.pk, 24)]
    assert Counter.objects.count() == 2


@postgresql_only
def test_other_changes_of_a_counter_are_allowed():
    counter = Counter.objects.create(nir_hash="f" * 64)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE hours_counter SET cpf_balance = 24, id = id WHERE id = %s", [counter.pk]
        )
    counter.refresh_from_db()
    assert counter.cpf_balance == 24
