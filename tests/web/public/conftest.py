import pytest
from django.urls import reverse

from mcf.domain.legal import cgu
from mcf.web.public.pages import PAGES


def public_urls() -> list[str]:
    """Every page of the public site reachable by GET (the crawl tests iterate on it)."""
    return [
        reverse("public:home"),
        *[page.url for page in PAGES],
        reverse("public:cgu"),
        *[reverse("public:cgu_version", args=[v.version]) for v in cgu.VERSIONS],
        reverse("public:contact"),
        reverse("public:contact_sent"),
        reverse("public:cookies"),
        reverse("public:search"),
        reverse("public:search") + "?q=heures+DIF",
        reverse("titulaire:login"),
        reverse("professionnel:login"),
    ]


@pytest.fixture
def urls():
    return public_urls()
