"""« Rechercher sur le site »: full-text search over the editorial pages.

Written by hand rather than with a search engine: the corpus is a few dozen pages that ship
with the code, so an in-memory index built once per process (rendering each page's template
to text) is exact, needs no database table and no indexing job. The training catalogue has
its own engine (PostgreSQL full text), not this one.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.http import HttpRequest
from django.template.loader import render_to_string

from mcf.web.public.pages import PAGES, ContentPage

MAX_QUERY_LENGTH = 200
WORD = re.compile(r"[a-z0-9]+")
TAG = re.compile(r"<[^>]+>")
# Words too common to rank anything.
STOP_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "est",
        "il",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "mon",
        "ma",
        "mes",
        "ne",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "d",
        "l",
        "s",
    ]
)


def normalise(text: str) -> str:
    """Lower case, no accents: « Épargne » and « epargne » match."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> list[str]:
    return [w for w in WORD.findall(normalise(text)) if w not in STOP_WORDS]


@dataclass(frozen=True)
class IndexedPage:
    page: ContentPage
    text: str  # visible text, original case and accents (for snippets)
    title_terms: frozenset[str]
    body_norm: str  # normalised text (for matching)


@dataclass(frozen=True)
class SearchResult:
    page: ContentPage
    score: int
    snippet: str


@cache
def index() -> tuple[IndexedPage, ...]:
    entries = []
    for page in PAGES:
        # Rendered as an anonymous GET of the page would be (menus and notice included,
        # no CSP nonce since no response is sent), then cut down to the article.
        request = HttpRequest()
        request.method, request.path = "GET", page.url
        rendered = render_to_string(page.template, {"page": page}, request=request)
        # Index only the article body, not the menus repeated on every page.
        body = rendered.split("<!-- contenu -->", 1)[-1].split("<!-- /contenu -->", 1)[0]
        text = " ".join(html.unescape(TAG.sub(" ", body)).split())
        entries.append(
            IndexedPage(
                page=page,
                text=text,
                title_terms=frozenset(terms(page.title)),
                body_norm=" ".join(WORD.findall(normalise(text))),
            )
        )
    return tuple(entries)


def _snippet(entry: IndexedPage, query_terms: list[str], width: int = 220) -> str:
    norm = normalise(entry.text)
    positions = [norm.find(term) for term in query_terms if norm.find(term) >= 0]
    if not positions:
        return entry.page.summary
    start = max(min(positions) - 60, 0)
    excerpt = entry.text[start : start + width].strip()
    return ("… " if start else "") + excerpt + " …"


def search(query: str, limit: int = 20) -> list[SearchResult]:
    """Pages containing every term of the query (prefixes count), best first.

    Score: a term in the title weighs 10, each occurrence in the body 1 (capped at 5 per
    term), so a page about the subject comes before a page that only mentions it.
    """
    query_terms = terms(query[:MAX_QUERY_LENGTH])
    if not query_terms:
        return []
    results = []
    for entry in index():
        score = 0
        for term in query_terms:
            in_title = any(word.startswith(term) for word in entry.title_terms)
            occurrences = len(re.findall(r"\b" + re.escape(term), entry.body_norm))
            if not in_title and not occurrences:
                break
            score += (10 if in_title else 0) + min(occurrences, 5)
        else:
            results.append(SearchResult(entry.page, score, _snippet(entry, query_terms)))
    results.sort(key=lambda r: (-r.score, r.page.title))
    return results[:limit]
