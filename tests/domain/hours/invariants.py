"""The ledger invariants of domain.md §3.4, checked from the entries themselves.

Every test that moves hours ends with ``assert_ledger_matches``: the cached figures of each
counter equal the sums of its entries — the balance of an account is the sum of its
entries that move the balance (feed, DIF, correction, debit), its reserved hours the sum of
its RESERVATION and RELEASE entries — and 0 ≤ reserved ≤ balance, CPF ≤ 150 h.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Sum

from mcf.domain.hours.models import CPF_CEILING, DIF_MAXIMUM, Counter, Entry


def ledger_sums(counter_ids=None) -> dict[int, dict[str, int]]:
    """Per counter: Σ entries of each account, split into balance and reserved hours; and
    the number of DIF entries (the DIF is entered when there is one, even of 0 h)."""
    entries = Entry.objects.all()
    if counter_ids is not None:
        entries = entries.filter(counter_id__in=counter_ids)
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for counter_id, account, kind, hours, count in (
        entries.values("counter_id", "account", "kind")
        .annotate(hours=Sum("hours"), count=Count("id"))
        .values_list("counter_id", "account", "kind", "hours", "count")
    ):
        figure = "reserved" if kind in Entry.RESERVED_KINDS else "balance"
        sums[counter_id][f"{account}_{figure}"] += hours
        if kind == Entry.Kind.DIF:
            sums[counter_id]["dif_entered"] += count
    return sums


def assert_ledger_matches(counters=None) -> None:
    """Cached balances = Σ entries and the bounds, for the given counters (default: all)."""
    counters = list(Counter.objects.all() if counters is None else counters)
    sums = ledger_sums([counter.pk for counter in counters])
    for counter in counters:
        counter.refresh_from_db()
        total = sums[counter.pk]
        assert counter.cpf_balance == total["cpf_balance"], counter.pk
        assert counter.cpf_reserved == total["cpf_reserved"], counter.pk
        assert 0 <= counter.cpf_reserved <= counter.cpf_balance <= CPF_CEILING, counter.pk
        assert counter.dif_reserved == total["dif_reserved"], counter.pk
        if counter.dif_balance is None:
            assert not total["dif_entered"] and not total["dif_balance"], counter.pk
            assert counter.dif_reserved == 0, counter.pk
        else:
            assert counter.dif_balance == total["dif_balance"], counter.pk
            assert 0 <= counter.dif_reserved <= counter.dif_balance <= DIF_MAXIMUM, counter.pk
