"""Free text typed by a person (a motif, a message): what counts as written."""

from __future__ import annotations

import unicodedata


def visible_text(text: str, *, max_length: int) -> str:
    """Spaces collapsed in each line, at most ``max_length`` characters; empty when nothing
    visible was written: only spaces (any Unicode space) or invisible format characters (an
    RTL mark, a zero-width space) is no text."""
    cleaned = "\n".join(" ".join(line.split()) for line in (text or "").strip().splitlines())
    cleaned = cleaned[:max_length]
    visible = any(unicodedata.category(c) != "Cf" for c in cleaned if not c.isspace())
    return cleaned if visible else ""
