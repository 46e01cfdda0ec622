"""Sur temps de travail: the employer's agreement and its legal deadlines (domain.md §5).

The holder asks his employer at least 60 days before the start (120 days when the training
lasts 6 months or more); the employer answers within 30 days; his silence is an acceptance
(accord tacite). **(choice)** A request made later than the notice period still counts:
the portal shows it was late, and the 30-day silence rule still applies (the law binds the
employer to answer; the lateness is his ground for a refusal, which he then records).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mcf.core.dates import add_months

NOTICE_DAYS = 60
LONG_NOTICE_DAYS = 120
ANSWER_DAYS = 30
LONG_TRAINING_MONTHS = 6


def is_long_training(start: date, end: date) -> bool:
    """Six months or more, from the first to the last day."""
    return end >= add_months(start, LONG_TRAINING_MONTHS) - timedelta(days=1)


def notice_days(start: date, end: date) -> int:
    return LONG_NOTICE_DAYS if is_long_training(start, end) else NOTICE_DAYS


def request_deadline(start: date, end: date) -> date:
    """The last day to ask the employer."""
    return start - timedelta(days=notice_days(start, end))


def answer_due(requested_on: date) -> date:
    """The last day of the employer's 30 days."""
    return requested_on + timedelta(days=ANSWER_DAYS)


def tacit_on(requested_on: date) -> date:
    """The first day the employer's silence is an acceptance."""
    return answer_due(requested_on) + timedelta(days=1)


@dataclass(frozen=True)
class EmployerAgreement:
    """Where a sur-temps-de-travail dossier stands with the employer, as the pages say it."""

    deadline: date | None  # last day to ask (None until the dates are known)
    requested_on: date | None
    late: bool  # asked after the deadline
    answer_due: date | None
    agreed: bool  # express or tacit accord
    refused: bool

    @property
    def waiting(self) -> bool:
        return self.requested_on is not None and not (self.agreed or self.refused)


def employer_agreement(dossier) -> EmployerAgreement:
    deadline = (
        request_deadline(dossier.start_date, dossier.end_date)
        if dossier.start_date and dossier.end_date
        else None
    )
    requested = dossier.employer_requested_on
    return EmployerAgreement(
        deadline=deadline,
        requested_on=requested,
        late=bool(requested and deadline and requested > deadline),
        answer_due=answer_due(requested) if requested else None,
        agreed=dossier.employer_answer in ("accord", "tacite"),
        refused=dossier.employer_answer == "refus",
    )
