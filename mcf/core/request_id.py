"""The correlation id of the request being served, shared by logs and error pages."""

import contextvars
import secrets

_current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def new_request_id() -> str:
    # 12 hex characters: short enough to read over the phone to the help desk.
    return secrets.token_hex(6)


def current_request_id() -> str:
    return _current_request_id.get()


def set_request_id(value: str) -> None:
    _current_request_id.set(value)
