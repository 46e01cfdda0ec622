"""What a browser and an authenticator app do, for the scripts that drive the site without
one: read a page's forms, compute a TOTP code. Used by the load mix (locustfile.py) and the
fault drills (bench/faults/run.py)."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time
from html.parser import HTMLParser


class Forms(HTMLParser):
    """The forms of a page: action → the fields a browser would send (text, hidden,
    number, checked boxes), without clicking any button."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = self.forms.setdefault(attrs.get("action") or "", {})
        elif tag == "input" and self.current is not None and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms_of(html: str) -> dict[str, dict[str, str]]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def totp(key_hex: str, at: float | None = None) -> str:
    """RFC 6238, as the gestionnaire's app computes it (30 s, 6 digits, SHA-1)."""
    counter = int((at or time.time()) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"
