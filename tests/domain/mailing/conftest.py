"""Fixtures of the outbox tests: running the task worker, and a real SMTP server (REL-05)."""

from __future__ import annotations

import email
import io
import signal
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

WORKER_SIGNALS = [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", signal.SIGTERM)]


def run_worker() -> str:
    """Run `manage.py db_worker` once in batch mode: every task due now, then exit.

    Tasks whose run_after is in the future are left for a later run. The worker installs
    its own signal handlers; they are put back afterwards so Ctrl+C still stops pytest.
    """
    saved = {signum: signal.getsignal(signum) for signum in WORKER_SIGNALS}
    out = io.StringIO()
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=out, stderr=out)
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
    return out.getvalue()


@pytest.fixture
def worker():
    return run_worker


def queue_test_mail(to: str = "alice@example.org", reply_to: str = ""):
    """Queue one mail through the real entry point (a committed-or-not caller transaction)."""
    from mcf.domain.contact.models import ContactMessage
    from mcf.domain.mailing.actions import queue_email

    contact = ContactMessage(
        full_name="Alice Martin", email=to, topic=ContactMessage.Topic.HOURS, message="Bonjour"
    )
    return queue_email(
        to=to,
        reply_to=reply_to,
        template="mailing/contact_acknowledgement.txt",
        context={"contact": contact},
        kind="test",
    )


@pytest.fixture
def queue_mail():
    return queue_test_mail


@dataclass
class ProgrammableHandler:
    """aiosmtpd handler: answers ``421`` to the next ``refuse`` messages, then ``250 OK``."""

    refuse: int = 0
    received: list[email.message.Message] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                self.refused += 1
                return "421 Service not available"
            self.received.append(email.message_from_bytes(envelope.original_content))
            return "250 OK"

    def received_message_ids(self) -> list[str]:
        with self.lock:
            return [message["Message-ID"] for message in self.received]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """A real SMTP server on 127.0.0.1 in a thread; can be stopped and started again on the
    same port (connection refused while stopped)."""

    host = "127.0.0.1"

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = ProgrammableHandler()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        assert self._controller is None, "SMTP server already running"
        controller = Controller(self.handler, hostname=self.host, port=self.port, ready_timeout=5)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server, and the default mailer pointing at it (EMAIL_URL smtp://)."""
    from mcf.config import mailers_from_email_url

    server = SMTPServer()
    server.start()
    settings.MAILERS = mailers_from_email_url(server.url)
    # Keep a hung test short: the production timeout (20 s) is for slow relays.
    settings.MAILERS["default"]["OPTIONS"]["timeout"] = 5
    try:
        yield server
    finally:
        server.stop()
