"""The holder's links live in the DSFR header on every page of his space.

On a phone (375 px) the bar above the side menu squeezed his name and four links into a
column where they wrapped word by word. They are now the header's tools links, which the
DSFR script moves into the « Menu » of small screens; the balances table has one column per
counter, three columns that fit a phone.
"""

import re

import pytest

from tests.web.routes import ROUTES, body, route_values

pytestmark = pytest.mark.django_db

HOLDER_LINKS = [
    "Touria ORANGE",
    "Modifier mon mot de passe",
    "Historique de vos actions",
    "Mes sessions",
    "Se déconnecter",
]
SPACE = [route for route in ROUTES if route.namespace == "titulaire"]


def _tools(page: str) -> str:
    tools = page.partition('<div class="fr-header__tools-links">')[2].partition("</ul>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", tools).split())


def test_every_page_of_the_space_has_the_holders_links_in_the_header(clients, route_objects):
    pages = 0
    for route in SPACE:
        for values in route_values(route, *route_objects)[:1]:
            response = clients["holder"].get(route.url(values))
            page = body(response)
            if response.status_code != 200 or 'class="fr-sidemenu' not in page:
                continue  # not a page of the space (login, a file, a redirection…)
            pages += 1
            tools = _tools(page)
            for label in HOLDER_LINKS:
                assert label in tools, (route.pattern, label)
            assert "mcf-holder-bar" not in page, route.pattern
    assert pages >= 10


def test_visitors_keep_the_public_header_link(clients):
    page = body(clients["anonymous"].get("/"))
    assert _tools(page) == "Mon compte formation"


def test_balances_table_has_a_column_per_counter(clients):
    page = body(clients["holder"].get("/titulaire/compte-d-heures/"))
    table = page.partition('<table class="mcf-balances">')[2].partition("</table>")[0]
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        assert len(re.findall(r"<t[hd][\s>]", row)) <= 3, row
