"""The demo catalogue: real referentials, a fixed generated slice, the holder's situation."""

import io
import re
from html import unescape

import pytest
from django.core.management import call_command

from mcf.demo.accounts import DEMO_HOLDER_NIR
from mcf.demo.catalogue import DEMO_OFFERS
from mcf.domain.accounts.models import EmploymentStatus, User
from mcf.domain.catalogue.eligibility import Situation, allowed_lists_filter
from mcf.domain.catalogue.models import Commune, EligibilityList, ListedCertification, Offer
from mcf.domain.identity.nir import Nir
from mcf.domain.identity.protection import nir_lookup_hash

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_catalogue_and_a_holder_who_can_search_it(settings, client):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=io.StringIO())
    offers = list(Offer.objects.order_by("pk").values_list("pk", "number", "updated_at"))
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "rien n'a changé" in out.getvalue()
    assert list(Offer.objects.order_by("pk").values_list("pk", "number", "updated_at")) == offers
    assert len(offers) == DEMO_OFFERS
    assert Commune.objects.count() > 34_000

    holder = User.objects.get(nir_hash=nir_lookup_hash(Nir.parse(DEMO_HOLDER_NIR)))
    assert holder.employment_status == EmploymentStatus.SALARIE
    assert (holder.branch.idcc, holder.work_region.name) == ("3248", "Île-de-France")
    # Her lists: the LNI, the COPAREF list of Île-de-France and the CPNE of the métallurgie.
    lists = EligibilityList.objects.filter(allowed_lists_filter(Situation.of_holder(holder)))
    assert sorted(lists.values_list("kind", flat=True)) == ["COPAREF", "CPNE", "LNI"]
    assert ListedCertification.objects.filter(eligibility_list__in=lists).exists()

    # The search page's hint gives a code CPF as an example: searching it finds offers of
    # that code (read from the page, so that whatever the hint says is tried).
    hint = unescape(client.get("/formations/").content.decode())
    example = re.search(r"un code CPF comme (\d+)", hint).group(1)
    found = unescape(client.get("/formations/", {"q": example}).content.decode())
    assert re.search(r"\d+ formations? trouvées?", found), f"the example {example} finds nothing"
    assert f"<dt>Code CPF</dt><dd>{example}</dd>" in found
