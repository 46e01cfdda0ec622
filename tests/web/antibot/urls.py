"""The project's URLs with the captcha mounted where mcf/urls.py mounts it."""

from django.urls import include, path

from mcf import urls as project_urls

urlpatterns = [
    path("securite/captcha/", include("mcf.web.antibot.urls")),
    *[p for p in project_urls.urlpatterns if getattr(p, "namespace", None) != "antibot"],
]

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
