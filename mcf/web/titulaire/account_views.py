"""The holder's account pages: password change, history of actions, open sessions."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from mcf.core.digits import object_id
from mcf.domain.accounts.models import UserSession
from mcf.domain.accounts.password_change import change_password
from mcf.domain.accounts.sessions import end_sessions
from mcf.domain.idempotency.actions import Result
from mcf.domain.journal.queries import for_holder
from mcf.web.idempotency import EXPIRED, Once
from mcf.web.titulaire.decorators import holder_required
from mcf.web.titulaire.forms import ChangePasswordForm

HISTORY_PAGE_SIZE = 20


def _change_password(request, password: str) -> Result:
    change_password(request.user, password)
    # This session stays open; the others end (their stored hash no longer matches).
    update_session_auth_hash(request, request.user)
    end_sessions(request.user, keep=request.session.session_key)
    return Result(reverse("titulaire:home"), "Votre mot de passe a été modifié.")


@never_cache
@holder_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    if request.method == "POST":
        once = Once(request)
        if (first := once.replay()) is not None:
            return first
        form = ChangePasswordForm(request.POST, user=request.user)
        if form.is_valid() and once.check(form):
            return once.run(lambda: _change_password(request, form.cleaned_data["password"]))
        # A copy of this submission changed the password meanwhile: its answer, not
        # « Le mot de passe actuel est incorrect ».
        if (first := once.replay()) is not None:
            return first
    else:
        form = ChangePasswordForm(user=request.user)
    return render(request, "titulaire/password_change.html", {"form": form})


@never_cache
@holder_required
def history(request):
    """« Historique de vos actions »: newest first, paginated; 3 queries whatever its length
    (session, user, the page of entries; the count is one more)."""
    entries = for_holder(request.user)
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "titulaire/history.html", {"page": page})


@never_cache
@holder_required
def sessions(request):
    open_sessions = UserSession.objects.filter(user=request.user).order_by("-last_seen_at")
    return render(
        request,
        "titulaire/sessions.html",
        {"open_sessions": open_sessions, "current_key": request.session.session_key},
    )


@holder_required
@require_POST
def end_session(request):
    """« Fermer » one other session (by its record's id, never its key), or all of them."""
    once = Once(request)
    if (first := once.replay()) is not None:
        return first
    raw = request.POST.get("session", "")
    only = object_id(raw)
    if raw and only is None:
        # Not an id this page wrote (« ² », « １２ »…): no session named, none ended (not
        # « all of them », which is what no value at all asks).
        messages.error(request, "Cette session n'existe pas ou est déjà fermée.")
        return redirect("titulaire:sessions")
    if once.key is None:
        messages.error(request, EXPIRED)
        return redirect("titulaire:sessions")
    return once.run(lambda: _end_sessions(request, only))


def _end_sessions(request, only: int | None) -> Result:
    count = end_sessions(request.user, keep=request.session.session_key, only=only)
    s = "s" if count > 1 else ""
    return Result(reverse("titulaire:sessions"), f"{count} session{s} fermée{s}.")
