"""Development mailbox (DEBUG without EMAIL_URL): read the mails the portal 'sent'.

The URLs are only mounted when ``settings.DEV_MAILBOX_ENABLED``; the views check it again
so that a misconfigured URLconf can never expose mails in production.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from mcf.domain.mailing.models import DevMailboxMessage


def _ensure_enabled():
    if not settings.DEV_MAILBOX_ENABLED:
        raise Http404


@require_GET
def mailbox(request):
    _ensure_enabled()
    messages = DevMailboxMessage.objects.only("id", "to", "subject", "received_at")[:200]
    return render(request, "devmail/mailbox.html", {"mails": messages})


@require_GET
def message(request, pk: int):
    _ensure_enabled()
    mail = get_object_or_404(DevMailboxMessage, pk=pk)
    return render(request, "devmail/message.html", {"mail": mail})
