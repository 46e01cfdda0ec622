"""Access rule of the Espace professionnel (AUTH-15).

A request is « logged in to the professional space » only when the session was opened by
the full login — identifier + password, THEN a TOTP code (``request.user.is_verified()``,
set by django-otp's middleware from the device recorded with ``django_otp.login``) — for a
PROFESSIONNEL account attached to an organisation. A password alone never opens a Django
session: the professional login keeps the half-done login in its own session key.

While the password is provisional, every page of the space except the change page
redirects to the change page.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from mcf.domain.accounts.models import User
from mcf.domain.organisations.models import ProfessionalProfile


def is_verified_professional(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(
        user.is_authenticated
        and callable(is_verified)
        and is_verified()
        and user.kind == User.Kind.PROFESSIONNEL
    )


def professional_required(view=None, *, allow_provisional: bool = False):
    """Only for a fully logged-in professional; sets ``request.professional`` (the profile
    with its organisation)."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if not is_verified_professional(request.user):
                return redirect_to_login(
                    request.get_full_path(), login_url=reverse("professionnel:login")
                )
            profile = (
                ProfessionalProfile.objects.select_related("organisation")
                .filter(user=request.user)
                .first()
            )
            if profile is None:
                return redirect_to_login(
                    request.get_full_path(), login_url=reverse("professionnel:login")
                )
            request.professional = profile
            if profile.must_change_password and not allow_provisional:
                return redirect("professionnel:change_password")
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def member_required(is_member, message: str):
    """A decorator factory: ``professional_required``, and ``is_member(organisation)``;
    else ``refuse`` (403 on a list; 404 on an object's pages, whose existence is not
    confirmed)::

        financeur_required = member_required(lambda o: o.is_financeur, "Réservé aux …")

        @financeur_required(refuse=Http404)
        def instruct(request, public_id): ...
    """

    def required(view=None, *, refuse=PermissionDenied):
        def decorator(view_func):
            @professional_required
            @wraps(view_func)
            def wrapped(request, *args, **kwargs):
                if not is_member(request.professional.organisation):
                    raise refuse(message)
                # The profile just read, for the workflow's role_of(user): no second query.
                request.user.professional_profile = request.professional
                return view_func(request, *args, **kwargs)

            return wrapped

        return decorator(view) if view is not None else decorator

    return required
