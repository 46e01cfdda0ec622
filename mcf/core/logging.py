"""Logging helpers: every record carries the request's correlation id."""

import logging

from mcf.core.request_id import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def neutralise(value: object, limit: int = 200) -> str:
    """Make user-supplied text safe to put in a log line (no forged lines, bounded size)."""
    text = str(value)[:limit]
    return text.encode("unicode_escape").decode("ascii")


_security_logger = logging.getLogger("mcf.security")


def security_event(event: str, *, outcome: str, level: int = logging.INFO, **fields) -> None:
    """One line per security event (LOG-01): ``event=… outcome=… user=… ip=…``.

    ``fields`` must be pseudonymous: the account's ``public_id``, a truncated keyed hash, an
    IP. Never a NIR, a password, a token or a captcha answer. Values are neutralised, so a
    forged value cannot add a line.
    """
    parts = [f"event={neutralise(event)}", f"outcome={neutralise(outcome)}"]
    parts += [f"{key}={neutralise(value)}" for key, value in fields.items() if value is not None]
    _security_logger.log(level, " ".join(parts))
