from django.conf import settings


def site(request):
    """Values every page needs; no database access (keeps query counts flat)."""
    return {
        "SERVICE_NAME": "Mon compte formation",
        "DEV_MAILBOX_ENABLED": settings.DEV_MAILBOX_ENABLED,
        "request_id": getattr(request, "request_id", ""),
    }
