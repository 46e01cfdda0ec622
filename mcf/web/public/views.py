"""Views of the public site. No login, no database read except the contact form's write."""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.legal import cgu
from mcf.web.public.cookies import (
    NOTICE_COOKIE,
    NOTICE_COOKIE_MAX_AGE,
    strictly_necessary_cookies,
)
from mcf.web.public.forms import ContactForm, SiteSearchForm
from mcf.web.public.navigation import HOME_BLOCKS
from mcf.web.public.pages import PAGES_BY_SLUG
from mcf.web.public.search import search


@require_GET
def home(request):
    return render(request, "public/home.html", {"blocks": HOME_BLOCKS})


@require_GET
def content_page(request, slug: str):
    page = PAGES_BY_SLUG.get(slug)
    if page is None:
        raise Http404
    return render(request, page.template, {"page": page})


@require_GET
def cgu_page(request, version: str | None = None):
    shown = cgu.CURRENT if version is None else cgu.get_version(version)
    if shown is None:
        raise Http404
    return render(
        request,
        "public/legal/cgu_page.html",
        {"cgu": shown, "current": cgu.CURRENT, "versions": reversed(cgu.VERSIONS)},
    )


@require_GET
def site_search(request):
    form = SiteSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = search(query) if query else []
    return render(
        request,
        "public/search.html",
        {"form": form, "query": query, "results": results, "searched": bool(query)},
    )


# Per client address (trusted proxies only, see mcf.core.client_ip) and per sender address:
# the acknowledgement goes to the typed address, so the form must not become a mail cannon.
@ratelimit(key="ip", rate="5/10m", method="POST", block=True)
@ratelimit(key="post:email", rate="3/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def contact(request):
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            submit_contact_message(**form.cleaned_data)
            return redirect("public:contact_sent")
    else:
        form = ContactForm()
    return render(request, "public/contact.html", {"form": form})


@require_GET
def contact_sent(request):
    return render(request, "public/contact_sent.html")


@require_GET
def cookies(request):
    return render(request, "public/cookies.html", {"cookies": strictly_necessary_cookies()})


@require_POST
def dismiss_cookie_notice(request):
    """« OK » on the cookie notice: remember that it was read (a strictly necessary cookie)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("public:home")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        NOTICE_COOKIE,
        "1",
        max_age=NOTICE_COOKIE_MAX_AGE,
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )
    return response
