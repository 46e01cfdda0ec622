"""The cookies the portal sets. All are strictly necessary (CNIL 2020-091, PRIV-05).

The « gérer vos cookies » page and the crawl test both read this list: a cookie that is not
here must not be set. An optional cookie (audience measurement…) would need an explicit
choice first, with « Tout refuser » as easy as « Tout accepter »; there is none today.
"""

from dataclasses import dataclass

from django.conf import settings

NOTICE_COOKIE = "mcf_bandeau_cookies"
NOTICE_COOKIE_MAX_AGE = 182 * 24 * 3600  # 6 months


@dataclass(frozen=True)
class CookieDescription:
    name: str
    purpose: str
    lifetime: str


def strictly_necessary_cookies() -> tuple[CookieDescription, ...]:
    return (
        CookieDescription(
            settings.SESSION_COOKIE_NAME,
            "Garder votre session ouverte quand vous êtes connecté à votre espace sécurisé.",
            "30 minutes sans activité (12 heures au plus)",
        ),
        CookieDescription(
            settings.CSRF_COOKIE_NAME,
            "Protéger les formulaires contre l'envoi de données par un autre site (sécurité).",
            "1 an",
        ),
        CookieDescription(
            NOTICE_COOKIE,
            "Se souvenir que vous avez lu le bandeau d'information sur les cookies, "
            "pour ne plus l'afficher.",
            "6 mois",
        ),
    )


def allowed_cookie_names() -> frozenset[str]:
    return frozenset(c.name for c in strictly_necessary_cookies())
