from mcf.web.titulaire.navigation import SPACE_MENU


def space_menu(request):
    """The holder space's side menu (static data, no database)."""
    return {"space_menu": SPACE_MENU}
