from django.urls import reverse

from mcf.domain.accounts.names import short_name
from mcf.web.titulaire.navigation import DELEGATE_MENU, SPACE_MENU


def space_menu(request):
    """The holder's side menu; the entry whose pages the visitor is on is marked active.

    A sub-page (the e-mail change under « Mes informations personnelles », an offer under
    « Rechercher une formation ») keeps its entry active: its URL is under the entry's URL.
    """
    path = getattr(request, "path", "")
    home = reverse("titulaire:home")
    entries = []
    # In an account delegated to him, a delegate's menu has the pages his délégation opens.
    delegation = getattr(request, "delegation", None)
    for name, label in SPACE_MENU:
        if delegation is not None and name not in DELEGATE_MENU:
            continue
        url = reverse(f"titulaire:{name}")
        exact = path == url
        within = exact or (url != home and path.startswith(url))
        current = "page" if exact else ("true" if within else "")
        entries.append({"name": name, "label": label, "url": url, "current": current})
    return {
        "space_menu": entries,
        "acting_delegation": delegation,
        "acting_holder_name": short_name(delegation.holder) if delegation is not None else "",
    }
