"""AUTH-05 and AUTH-06 against the real server of `make run`, its clock moved by libfaketime.

`make run` (its set-up, then gunicorn and the worker of scripts/run-dev) is started in
subprocesses, the servers under libfaketime (Debian package `faketime`): ``LD_PRELOAD``
the library, the fake time read from ``FAKETIME_TIMESTAMP_FILE`` at every call
(``FAKETIME_NO_CACHE=1``), so the test moves the server's clock by rewriting that file.
The clock is *stopped* at an absolute date (no drift between the steps, and the per-IP
rate limit's fixed windows never straddle a boundary). Monotonic clocks are faked too:
with ``FAKETIME_DONT_FAKE_MONOTONIC=1``, libfaketime 0.9.10 makes Python's ``time.sleep``
fail with EINVAL (the task worker dies). The set-up half of `make run` runs once for the
slow tests, on the real clock (``prepared_site``, tests/slow/conftest.py); each server
starts from a copy of its database.
Then, over real HTTP:

- AUTH-05: five wrong passwords for the demo holder's NIR; the right one 30 s later is
  refused, 61 s later accepted;
- AUTH-06: 31 login POSTs, each with a random forged ``X-Forwarded-For``, are limited (429)
  for the real client address, while another client address is still served. Twice: with
  the default ``TRUSTED_PROXY_COUNT=0`` (the header is ignored; the other client connects
  from 127.0.0.2), and with ``TRUSTED_PROXY_COUNT=1``, the test playing the reverse proxy
  that appends the real address after whatever the client forged.

libfaketime missing fails the test (``apt-get install faketime``; .ci/run installs it).
"""

from __future__ import annotations

import http.client
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from mcf.demo.accounts import DEMO_HOLDER_NIR, DEMO_HOLDER_PASSWORD
from tests.domain.mailing.conftest import free_port
from tests.servers import RUN_DEV, copy_site, log_tail, start, stop, wait_until_healthy

pytestmark = pytest.mark.slow

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
LOGIN = "/titulaire/connexion/"
FAILED = "Numéro de Sécurité sociale ou mot de passe incorrect"
# The date the server's clock is stopped at (a Monday morning, far from any DST change).
START = datetime(2027, 3, 15, 9, 0, 0)


@dataclass
class Server:
    port: int
    clock_file: Path
    log: Path
    proxies: int

    def set_clock(self, moment: datetime) -> None:
        """Stop the server's clock at ``moment`` (libfaketime's absolute, frozen format)."""
        tmp = self.clock_file.with_suffix(".tmp")
        tmp.write_text(moment.strftime("%Y-%m-%d %H:%M:%S") + "\n")
        tmp.replace(self.clock_file)  # atomic: a reader never sees an empty file

    def log_tail(self) -> str:
        return log_tail(self.log)


@dataclass
class Browser:
    """A minimal HTTP client with its cookies (CSRF, session), from a chosen address."""

    server: Server
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def request(self, method: str, path: str, body: str = "", headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.server.port, timeout=30, source_address=(self.source, 0)
        )
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.headers, text

    def open_login_page(self) -> None:
        status, _, page = self.request("GET", LOGIN)
        assert status == 200, page[:500]
        self.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def log_in(self, nir: str, password: str, headers=None):
        if not self.csrf:
            self.open_login_page()
        body = urlencode({"csrfmiddlewaretoken": self.csrf, "nir": nir, "password": password})
        return self.request("POST", LOGIN, body, headers)


@pytest.fixture(scope="module", params=[0, 1], ids=["no proxy", "behind one proxy"])
def server(request, prepared_site: Path, tmp_path_factory) -> Iterator[Server]:
    """The second half of `make run` (scripts/run-dev: gunicorn and the worker) under
    libfaketime, with TRUSTED_PROXY_COUNT = the parameter, on a copy of the database set up
    on the real clock (under libfaketime, reading the clock file at every call, the set-up
    is much slower)."""
    if not LIBFAKETIME.exists():
        pytest.fail(f"libfaketime is missing at {LIBFAKETIME} (apt-get install faketime)")
    folder = tmp_path_factory.mktemp("faketime-run")
    port = free_port()
    running = Server(
        port=port, clock_file=folder / "clock", log=folder / "run-dev.log", proxies=request.param
    )
    running.set_clock(START)
    env = copy_site(
        prepared_site,
        folder,
        PORT=str(port),
        SITE_URL=f"http://127.0.0.1:{port}",
        TRUSTED_PROXY_COUNT=str(running.proxies),
        LD_PRELOAD=str(LIBFAKETIME),
        FAKETIME_TIMESTAMP_FILE=str(running.clock_file),
        FAKETIME_NO_CACHE="1",
    )
    process = start([str(RUN_DEV)], env, running.log)
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}", running.log)
        yield running
    finally:
        stop(process)


def test_the_server_runs_on_the_fake_clock(server: Server):
    status, headers, _ = Browser(server).request("GET", "/healthz")
    assert status == 200
    served_at = datetime.strptime(headers["Date"], "%a, %d %b %Y %H:%M:%S GMT")
    assert abs(served_at - START) < timedelta(hours=2), headers["Date"]  # local vs UTC


def test_auth05_right_password_refused_30_s_after_5_failures_accepted_at_61_s(server: Server):
    server.set_clock(START + timedelta(minutes=1))
    attacker = Browser(server)
    for attempt in range(5):
        status, _, page = attacker.log_in(DEMO_HOLDER_NIR, f"Mauvais-mot-{attempt}0000")
        assert status == 200 and FAILED in page, attempt
    server.set_clock(START + timedelta(minutes=1, seconds=30))
    holder = Browser(server)
    status, _, page = holder.log_in(DEMO_HOLDER_NIR, DEMO_HOLDER_PASSWORD)
    assert status == 200 and FAILED in page  # the same neutral answer (AUTH-04)
    server.set_clock(START + timedelta(minutes=2, seconds=1))
    status, headers, _ = holder.log_in(DEMO_HOLDER_NIR, DEMO_HOLDER_PASSWORD)
    assert status == 302, server.log_tail()
    assert headers["Location"] == "/titulaire/"


def random_ip() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


def forwarded_for(server: Server, real_client: str) -> dict[str, str]:
    """A random forged X-Forwarded-For, plus the real address when a proxy is declared (the
    proxy appends the address it received the request from)."""
    forged = random_ip()
    return {"X-Forwarded-For": f"{forged}, {real_client}" if server.proxies else forged}


def test_auth06_forged_x_forwarded_for_does_not_escape_the_per_ip_limit(server: Server):
    server.set_clock(START + timedelta(minutes=10))
    # Without a proxy the real address is the socket's; behind one, the proxy's last entry.
    client = Browser(server)
    other = Browser(server, source="127.0.0.1" if server.proxies else "127.0.0.2")

    def attempt(browser: Browser, real_client: str) -> int:
        headers = forwarded_for(server, real_client)
        return browser.log_in("1 85 05 78 006 084 91", "Mauvais-mot-2027", headers)[0]

    statuses = [attempt(client, "203.0.113.9") for _ in range(31)]
    assert statuses[:30] == [200] * 30, statuses
    assert statuses[30] == 429, statuses
    # The limit is the real client's: another address is still served.
    assert attempt(other, "203.0.113.10") == 200
    # And the limited client gets through again in the next window.
    server.set_clock(START + timedelta(minutes=11, seconds=1))
    assert attempt(client, "203.0.113.9") == 200
