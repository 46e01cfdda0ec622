"""A local webhook receiver (an HTTP server in a thread) that checks each post's signature
as a financeur's system would; answers ``fail`` posts with 503 first. Used by the webhook
tests and bench/api_client_demo.py."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mcf.domain.integrations.webhooks import SIGNATURE_HEADER, verify_signature


class Receiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.fail = 0
        self.received: list[dict] = []  # {"event", "body", "signed"}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    if receiver.fail > 0:
                        receiver.fail -= 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    receiver.received.append(
                        {
                            "event": self.headers.get("MCF-Event"),
                            "body": json.loads(body),
                            "signed": verify_signature(
                                receiver.secret, self.headers.get(SIGNATURE_HEADER, ""), body
                            ),
                        }
                    )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/mcf"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
