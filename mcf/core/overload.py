"""Shedding load instead of collapsing (issue 15, the DIF-deadline day; REL-07).

When more people come than the machine can serve, requests would queue in front of the
workers until the proxy times them out: everyone waits, then fails. Instead, a process that
is already busy answers at once « Le service est très sollicité » (503, ``Retry-After``), a
French page that says nothing was recorded; the requests it accepts are served at normal
speed. Two gates, both per process (gunicorn's gthread workers; docs/decisions/0018):

- ``LoadSheddingMiddleware``: at most ``MAX_REQUESTS_IN_FLIGHT`` requests in the
  application at once; the worker's remaining threads only ever answer the busy page, so
  the connections waiting for a thread do not pile up.
- ``password_hashing_slot()``: the password checks (Argon2id, ~110 ms of a core each) wait
  at most ``PASSWORD_SLOT_WAIT`` for one of ``PASSWORD_SLOTS`` slots; a burst of logins then
  cannot take every core from the pages of people already signed in.

The health probe is never shed: a load balancer would take a busy but healthy instance out.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.conf import settings

from mcf.core.errors import render_error_page

NEVER_SHED = ("/healthz",)


class ServiceBusy(Exception):
    """The request could not get a share of the machine in time."""


def busy_response(request):
    seconds = settings.BUSY_RETRY_AFTER_SECONDS
    response = render_error_page(
        request,
        "errors/503_busy.html",
        503,
        retry_after_text="une minute" if seconds >= 60 else "quelques secondes",
    )
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


class _InFlight:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0

    def enter(self, limit: int) -> bool:
        with self.lock:
            if self.count >= limit:
                return False
            self.count += 1
            return True

    def leave(self) -> None:
        with self.lock:
            self.count -= 1


class LoadSheddingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.in_flight = _InFlight()

    def __call__(self, request):
        limit = settings.MAX_REQUESTS_IN_FLIGHT
        if not limit or request.path in NEVER_SHED:
            return self.get_response(request)
        if not self.in_flight.enter(limit):
            return busy_response(request)
        try:
            return self.get_response(request)
        finally:
            self.in_flight.leave()


_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def _password_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.PASSWORD_SLOTS)
        return _slots


@contextmanager
def password_hashing_slot():
    """Hold one of the process's password-checking slots, or raise ServiceBusy after
    ``PASSWORD_SLOT_WAIT`` seconds."""
    slots = _password_slots()
    if not slots.acquire(timeout=settings.PASSWORD_SLOT_WAIT):
        raise ServiceBusy
    try:
        yield
    finally:
        slots.release()
