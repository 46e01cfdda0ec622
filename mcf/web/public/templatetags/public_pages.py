from django import template

from mcf.web.public.pages import PAGES_BY_SLUG

register = template.Library()


@register.inclusion_tag("public/includes/page_tiles.html")
def page_tiles(*slugs: str) -> dict:
    """DSFR tiles linking to editorial pages, with the title and summary of the registry.

    `{% page_tiles "mes-droits" "heures-dif" %}`: an unknown slug fails loudly (KeyError)
    instead of rendering a dead link.
    """
    return {"tile_pages": [PAGES_BY_SLUG[slug] for slug in slugs]}
