"""« Chrome sur Windows »: the name a holder recognises for the browser of a session.

The parsing is ua-parser's (the uap-core rules, kept up to date by that project and shipped
as ua-parser-builtins); this module only chooses the words shown in « Mes sessions ».
The raw string stays stored (and in the data export): it is what the browser sent.
"""

from __future__ import annotations

from functools import lru_cache

from ua_parser import parse

UNKNOWN = "Navigateur inconnu"
_OTHER = "Other"

# uap-core's family names, spelt as people know them (Safari on an iPhone is « Safari »).
_BROWSERS = {
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome",
    "HeadlessChrome": "Chrome",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
    "Samsung Internet": "Samsung Internet",
}
_SYSTEMS = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}
_APPLE_DEVICES = ("iPhone", "iPad", "iPod")


@lru_cache(maxsize=512)
def describe(user_agent: str) -> str:
    """« Firefox sur Linux », « Safari sur iPhone », « Chrome », or « Navigateur inconnu »."""
    result = parse(user_agent or "")
    browser = _name(result.user_agent)
    if browser is None:
        return UNKNOWN
    browser = _BROWSERS.get(browser, browser)
    system = _name(result.os)
    if system == "iOS" and result.device and result.device.family in _APPLE_DEVICES:
        system = result.device.family  # « sur iPad » says more than « sur iOS »
    system = _SYSTEMS.get(system, system)
    return f"{browser} sur {system}" if system else browser


def _name(part) -> str | None:
    family = part.family if part else None
    return family if family and family != _OTHER else None
