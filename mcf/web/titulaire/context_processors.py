from django.urls import reverse

from mcf.web.titulaire.navigation import SPACE_MENU


def space_menu(request):
    """The holder's side menu; the entry whose pages the visitor is on is marked active.

    A sub-page (the e-mail change under « Mes informations personnelles », an offer under
    « Rechercher une formation ») keeps its entry active: its URL is under the entry's URL.
    """
    path = getattr(request, "path", "")
    home = reverse("titulaire:home")
    entries = []
    for name, label in SPACE_MENU:
        url = reverse(f"titulaire:{name}")
        exact = path == url
        within = exact or (url != home and path.startswith(url))
        current = "page" if exact else ("true" if within else "")
        entries.append({"name": name, "label": label, "url": url, "current": current})
    return {"space_menu": entries}
