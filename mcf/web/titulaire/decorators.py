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
from mcf.domain.delegations.access import OnBehalf, live_delegation
from mcf.domain.delegations.actions import record_read

# The délégation whose account this session is in (« Comptes qui me sont délégués »).
ACTING_SESSION_KEY = "acting_delegation"
# What a page of the holder's space asks of a delegate (None: the holder's own page).
CONSULT = "consultation"
MODIFY = "modification"


def holder_required(view=None, *, delegates: str | None = None):
    """The holder's space (AC-02, AC-04). Sets ``request.holder`` (whose account the page
    shows), ``request.delegation`` and ``request.on_behalf`` (the ``by`` of an action when a
    delegate acts; None for the holder himself): views read ``request.holder``, never
    ``request.user``, and act ``by=acting_user(request)``.

    - The holder himself: a logged-in account of kind TITULAIRE. A back-office operator is
      logged in too, but has no NIR and no counter: the 403 page.
    - A delegate in a holder's account (the session's ``ACTING_SESSION_KEY``): a person
      (TITULAIRE) or an employer's staff (PROFESSIONNEL, past his TOTP). The délégation is
      read again on every request (one query): revoked or lapsed, the very next request gets
      nothing. Only the pages declared ``delegates=CONSULT`` (read only) or ``MODIFY`` open,
      within the délégation's rights; every other page of the space is refused (deny by
      default). Each
      page read is recorded for the holder (« Qui a consulté mon compte »).
    """

    def decorator(view_func):
        @wraps(view_func)
        @login_required(login_url="titulaire:login")
        def wrapped(request, *args, **kwargs):
            acting = request.session.get(ACTING_SESSION_KEY)
            if acting is not None:
                return _as_delegate(request, acting, view_func, delegates, args, kwargs)
            if request.user.kind != User.Kind.TITULAIRE:
                raise PermissionDenied
            request.holder, request.delegation, request.on_behalf = request.user, None, None
            return view_func(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def _as_delegate(request, acting, view_func, delegates, args, kwargs):
    from mcf.web.professionnel.decorators import is_verified_professional
    from mcf.web.titulaire.delegation_views import refused_to_delegate

    user = request.user
    if user.kind == User.Kind.PROFESSIONNEL and not is_verified_professional(user):
        return refused_to_delegate(request, None, ended=True)
    delegation = live_delegation(user, acting)
    if delegation is None:
        request.session.pop(ACTING_SESSION_KEY, None)
        return refused_to_delegate(request, None, ended=True)
    # A page open to consultation is read, not written, by a delegate (the DIF entry of
    # « Mon compte d'heures » stays the holder's); a page open to modification takes both.
    reading = request.method in ("GET", "HEAD")
    allowed = (delegates == CONSULT and delegation.can_consult and reading) or (
        delegates == MODIFY and delegation.can_modify
    )
    if not allowed:
        return refused_to_delegate(request, delegation)
    request.holder, request.delegation = delegation.holder, delegation
    request.on_behalf = OnBehalf(user, delegation)
    record_read(delegation, user)
    return view_func(request, *args, **kwargs)


def acting_user(request):
    """The ``by`` of an action: the holder, or the delegate under his délégation."""
    return request.on_behalf or request.user


# When the password was last typed in this session for a confirmation (the login counts).
PASSWORD_CONFIRMED_AT = "password_confirmed_at"  # noqa: S105 - a session key  # nosec B105


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
