"""« Rechercher une formation » on the public site: a visitor may choose a situation
(salarié(e) or demandeur(se) d'emploi, région, branche) to see what he would be eligible to."""

from django.views.decorators.http import require_GET

from mcf.web.catalogue.forms import SearchForm
from mcf.web.catalogue.views import (
    PUBLIC,
    commune_suggestions,
    dossier_soon_page,
    offer_page,
    search_page,
)


@require_GET
def training_search(request):
    return search_page(request, PUBLIC)


@require_GET
def training_offer(request, pk: int):
    # Reached from the results, the URL carries the search, and so the situation chosen.
    situation = None
    if request.GET.get("statut"):
        form = SearchForm(request.GET, ask_situation=True)
        if form.is_valid():
            situation = form.situation()
    return offer_page(request, PUBLIC, pk, situation=situation)


@require_GET
def training_dossier(request, pk: int):
    return dossier_soon_page(request, PUBLIC, pk)


@require_GET
def training_communes(request):
    return commune_suggestions(request)
