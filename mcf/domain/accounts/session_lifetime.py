"""Session lifetime and the record of open sessions (SESS-03, SESS-05): the accounts' rule
applied to every request (middleware) and to every login and logout (signal receivers,
connected by AccountsConfig.ready)."""

from datetime import datetime

from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils import timezone

from mcf.core.client_ip import client_ip
from mcf.domain.accounts.sessions import (
    ABSOLUTE_LIFETIME,
    TOUCH_EVERY,
    forget_session,
    record_session,
    touch_session,
)

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    request.session[LOGIN_AT] = request.session[SEEN_AT] = timezone.now().isoformat()
    request.session.save()  # the key is needed now, not at the end of the response
    record_session(
        user,
        request.session.session_key,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if request is not None:
        forget_session(request.session.session_key)


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login whatever the activity (the 30-minute idle limit
    is the cookie's age, renewed at each request), and keeps the session record fresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            if started is None or (
                timezone.now() - datetime.fromisoformat(started) > ABSOLUTE_LIFETIME
            ):
                logout(request)
                return redirect(request.path)
            # The record's "last activity" is refreshed at most once a minute.
            now = timezone.now()
            seen = request.session.get(SEEN_AT)
            if seen is None or now - datetime.fromisoformat(seen) >= TOUCH_EVERY:
                touch_session(request.session.session_key)
                request.session[SEEN_AT] = now.isoformat()
        return self.get_response(request)
