from datetime import datetime
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from mcf.domain.accounts.models import User
from mcf.domain.accounts.reauthentication import is_recent
from mcf.domain.accounts.session_lifetime import LOGIN_AT


def holder_required(view):
    """The holder's space: a logged-in account of kind TITULAIRE (AC-02).

    A back-office operator logged in to /gestion/ is logged in too, but has no NIR and no
    hours counter: he gets the 403 page, never a holder's page.
    """

    @wraps(view)
    @login_required(login_url="titulaire:login")
    def wrapped(request, *args, **kwargs):
        if request.user.kind != User.Kind.TITULAIRE:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# When the password was last typed in this session for a confirmation (the login counts).
PASSWORD_CONFIRMED_AT = "password_confirmed_at"  # noqa: S105 - a session key


def password_confirmed_at(request) -> datetime | None:
    stamps = [request.session.get(key) for key in (PASSWORD_CONFIRMED_AT, LOGIN_AT)]
    return max((datetime.fromisoformat(s) for s in stamps if s), default=None)


def recent_password_required(view):
    """A sensitive action of the holder's space (SESS-05): e-mail change, data export,
    closing the space, délégations. One line on the view::

        @recent_password_required
        def delegation_grant(request): ...

    Without a password typed in this session in the last REAUTHENTICATION_VALIDITY, the
    request (GET or POST) changes nothing and is sent to « Confirmez votre mot de passe »,
    which comes back to the page (as a GET: a form is shown again, never replayed).
    Includes ``holder_required``.
    """

    @wraps(view)
    @holder_required
    def wrapped(request, *args, **kwargs):
        if not is_recent(password_confirmed_at(request)):
            target = request.path if request.method == "POST" else request.get_full_path()
            query = urlencode({"suivant": target})
            return redirect(f"{reverse('titulaire:confirm_password')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped
