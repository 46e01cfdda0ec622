"""Calendar arithmetic the rules share: months and years that land on a real day."""

from __future__ import annotations

from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the last day of a shorter month (31 August + 6 months
    → 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_years(day: date, years: int) -> date:
    """29 February + 1 year → 28 February."""
    return add_months(day, 12 * years)


# « 12 months » of a retention period (PRIV-04), as a duration whatever the year: a day more
# than a leap year's, so that nothing goes before its twelve months are over.
TWELVE_MONTHS = timedelta(days=366)
