from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from mcf.core.health import healthz
from mcf.web.api.api import not_found, token, versioned_urls

urlpatterns = [
    path("", include("mcf.web.public.urls")),
    path("titulaire/", include("mcf.web.titulaire.urls")),
    path("professionnel/", include("mcf.web.professionnel.urls")),
    path("securite/captcha/", include("mcf.web.antibot.urls")),
    # Back office: not under /admin/ (AUTH-16).
    path("gestion/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The open API (docs/api.md): version 1, then a problem for any other /api/ path.
    path("api/v1/", versioned_urls()),
    path("api/oauth/jeton/", token, name="api_token"),
    re_path(r"^api/(?P<rest>.*)$", not_found),
]

if settings.DEV_MAILBOX_ENABLED:
    urlpatterns.append(path("dev/courriels/", include("mcf.web.devmail.urls")))

handler400 = "mcf.core.errors.bad_request"
handler403 = "mcf.core.errors.permission_denied"
handler404 = "mcf.core.errors.page_not_found"
handler500 = "mcf.core.errors.server_error"
