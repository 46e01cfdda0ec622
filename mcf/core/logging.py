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
