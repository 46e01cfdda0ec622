"""gunicorn's configuration, for `make run` and production alike (`--config gunicorn.conf.py`;
gunicorn also reads this file by itself when started from this folder).

Command-line options (bind, workers, access log) stay with the command that starts gunicorn:
this file holds what must hold wherever it runs.
"""

import os

import gunicorn.http.wsgi

# Threads, not one request per process (docs/decisions/0018-serving-under-load.md, measured
# with bench/load/run.py): a process keeps its database connection and answers the busy page
# from its spare threads while the others serve (mcf/core/overload.py, which reads the same
# WEB_THREADS). Workers: one per core, on the command line (--workers / WEB_CONCURRENCY).
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
# Idle connections from the proxy's pool are kept longer than the proxy keeps them (nginx's
# upstream keepalive_timeout, 60 s): the proxy closes first. The other way round, gunicorn
# closed a connection at the moment nginx sent a request on it: a reset, and a 502 for a
# POST (nginx retries only idempotent requests), found by the DIF-deadline burst.
keepalive = 75

# The access log (when one is asked for: `--access-logfile`) never writes the token of a
# confirmation, reset or e-mail-change link (AUTH-11): mcf/core/access_log.py.
logger_class = "mcf.core.access_log.TokenMaskingLogger"


class _ResponseWithoutServerHeader(gunicorn.http.wsgi.Response):
    """No `Server: gunicorn` header (HDR-01: no header naming the software).

    gunicorn has no setting for it (27.0.1: `Response.default_headers()` always writes
    `Server: <gunicorn.SERVER>`), and the application cannot remove it: the header is added
    by gunicorn after the WSGI application's headers (SecurityHeadersMiddleware only removes
    an application's own). `gunicorn.http.wsgi.create()` builds every HTTP/1 response of the
    sync and gthread workers from this module's `Response`; replacing it here, in the
    master before it forks the workers, covers them all. gunicorn's own error pages (400 on
    a malformed request) are written without a Server header already. Checked by
    tests/test_production_serving.py.
    """

    def default_headers(self):
        return [line for line in super().default_headers() if not line.startswith("Server:")]


gunicorn.http.wsgi.Response = _ResponseWithoutServerHeader

# No runtime control socket (gunicorn ≥ 24 opens one in $HOME by default): nothing uses it,
# and two gunicorns of one user (`make run` beside the tests) would take each other's.
control_socket_disable = True


def when_ready(server):
    """Once, in the master, when gunicorn serves: the warnings of a start."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mcf.settings")
    from mcf.domain.antibot.checks import warn_if_test_mode

    warn_if_test_mode()
