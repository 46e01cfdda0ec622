from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def login(request):
    """« Espace Titulaire » login page.

    The page and its links are in place; identification by NIR and password is delivered
    by the sign-in issue, and registration (« S'inscrire ») by the registration issue. Until
    then the page says so plainly instead of showing a form that cannot work.
    """
    return render(request, "titulaire/login.html")
