from mcf.web.public.cookies import NOTICE_COOKIE
from mcf.web.public.navigation import FOOTER_LINKS, MAIN_MENU


def navigation(request):
    """Menus and footer of every page (static data, no database)."""
    return {
        "main_menu": MAIN_MENU,
        "footer_links": FOOTER_LINKS,
        "show_cookie_notice": NOTICE_COOKIE not in request.COOKIES,
    }
