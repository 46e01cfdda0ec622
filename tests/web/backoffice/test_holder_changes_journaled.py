"""An operator who changes a holder's account in the back office is journaled for the
holder, with himself as the actor (issue 13, DESIGN-13 §A): « Par La Caisse des Dépôts »."""

from __future__ import annotations

import pytest

from mcf.domain.journal.models import Action, ActorKind, JournalEntry
from tests.domain.organisations.builders import operator_client
from tests.factories import registered_holder

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return operator_client("superviseuse", superuser=True)


def change_form_data(client, url: str) -> dict:
    """What the change form posts when nothing is touched."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value is None or value is False:
            continue
        if hasattr(field.widget, "widgets"):  # a date and a time
            parts = zip(field.widget.widgets, field.widget.decompress(value), strict=True)
            for i, (widget, part) in enumerate(parts):
                data[f"{name}_{i}"] = widget.format_value(part)
                if field.show_hidden_initial:  # the page's hidden copy
                    data[f"initial-{name}_{i}"] = data[f"{name}_{i}"]
        elif isinstance(value, list):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = "on" if value is True else str(value)
    return data


def test_an_operator_changing_a_holder_is_journaled_with_old_and_new_values(superuser):
    operator, client = superuser
    holder = registered_holder()
    url = f"/gestion/accounts/user/{holder.pk}/change/"
    data = change_form_data(client, url)
    old_email = holder.email
    data["email"] = "nouvelle@example.org"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = JournalEntry.objects.get(holder=holder, action=Action.ACCOUNT_UPDATED_BY_OPERATOR)
    assert entry.actor == "La Caisse des Dépôts"
    assert (entry.actor_kind, entry.actor_user) == (ActorKind.OPERATEUR, operator)
    assert entry.details == "Modifié : adresse électronique."
    assert entry.changes == {"email": [old_email, "nouvelle@example.org"]}


def test_saving_without_change_writes_nothing(superuser):
    _, client = superuser
    holder = registered_holder()
    url = f"/gestion/accounts/user/{holder.pk}/change/"
    assert client.post(url, change_form_data(client, url)).status_code == 302
    assert not JournalEntry.objects.filter(action=Action.ACCOUNT_UPDATED_BY_OPERATOR).exists()


def test_a_password_set_by_an_operator_is_journaled_without_any_value(superuser):
    operator, client = superuser
    holder = registered_holder()
    url = f"/gestion/accounts/user/{holder.pk}/password/"
    new = "Provisoire-2026-zz"
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    entry = JournalEntry.objects.get(holder=holder, action=Action.ACCOUNT_UPDATED_BY_OPERATOR)
    assert (entry.actor_user, entry.details, entry.changes) == (
        operator,
        "Modifié : mot de passe.",
        {},
    )


def test_changing_an_operator_account_journals_nothing(superuser):
    _, client = superuser
    other, _ = operator_client("collegue")
    url = f"/gestion/accounts/user/{other.pk}/change/"
    data = change_form_data(client, url)
    data["email"] = "collegue@example.org"
    assert client.post(url, data).status_code == 302
    assert not JournalEntry.objects.exists()
