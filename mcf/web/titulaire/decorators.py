from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from mcf.domain.accounts.models import User


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
