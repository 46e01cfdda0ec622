"""Which parameters of a route are secrets (AUTH-11): one list for every place that masks.

A route parameter with one of these names (``<str:token>``) holds a live secret: the
confirmation, « Mot de passe oublié » and e-mail-change links. gunicorn's access log
(mcf/core/access_log.py) and the outbox and back office (mcf/domain/mailing/secret_links.py)
both mask it, each in its own text (a log line's path, a mail's full link), from this list.
"""

from __future__ import annotations

SECRET_URL_PARAMETERS = frozenset({"token"})
