from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def login(request):
    """Espace professionnel login page (accounts and 2FA come with the sign-in issue)."""
    return render(request, "professionnel/login.html")
