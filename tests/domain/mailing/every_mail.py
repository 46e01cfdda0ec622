"""Every mail the portal sends, queued through the product's own actions.

tests/domain/mailing/test_secret_mails.py reads every ``queue_email`` call of mcf/ and fails
if one of their kinds is not queued here: a new mail is added here, and so checked.
"""

from __future__ import annotations

from django.utils import timezone

from mcf.domain.accounts.closing import close_account
from mcf.domain.accounts.email_change import confirm_email_change, request_email_change
from mcf.domain.accounts.password_change import change_password
from mcf.domain.accounts.password_reset import (
    REPEAT_WINDOW,
    request_password_reset,
    reset_password,
)
from mcf.domain.accounts.registration import register_holder
from mcf.domain.contact.actions import submit_contact_message
from mcf.domain.contact.models import ContactMessage
from mcf.domain.dossiers.notifications import send_digest
from mcf.domain.organisations.actions import change_provisional_password
from tests.domain.dossiers.builders import World, give_hours, salarie_of, sent_dossier
from tests.domain.organisations.builders import (
    PRO_PASSWORD,
    add_gestionnaires,
    new_organisation,
)
from tests.factories import (
    NIR_A,
    NIR_B,
    registered_holder,
    registration_data,
    run_password_reset_requests,
)
from tests.web.catalogue.conftest import build_catalogue


def queue_every_mail(nir: str = NIR_B) -> None:
    """One mail of each kind; the holder's secret links (confirmation, e-mail change,
    password reset) are left live, the reset one last."""
    holder = registered_holder(nir, email="secret.links@example.org")  # confirmation link
    register_holder(registration_data(nir))  # an account exists: a notice
    request_password_reset(nir)
    run_password_reset_requests()  # the worker's part (AUTH-12)
    reset_password(holder, "Tournesol-2027y")
    change_password(holder, "Papillon-2028z")
    confirm_email_change(request_email_change(holder, "ancienne@example.org"))
    request_email_change(holder, "nouvelle@example.org")  # live link
    # live link: a request made later than the first one's repeat window (REL-04)
    request_password_reset(nir, now=timezone.now() + REPEAT_WINDOW * 2)
    run_password_reset_requests()
    submit_contact_message(
        full_name="Camille Martin",
        email="camille@example.net",
        topic=ContactMessage.Topic.ACCOUNT,
        message="Bonjour",
    )
    admin = new_organisation()
    change_provisional_password(admin.user, PRO_PASSWORD)
    add_gestionnaires(admin.user, 1)
    # A dossier sent to that organisation: the holder's mail, then the gestionnaires' digest.
    catalogue = build_catalogue()
    opca = admin.organisation
    opca.branches.add(catalogue.branch_id)
    salarie_of(holder, opca.branches.get())
    give_hours(holder, cpf=48, dif=120)
    holder.refresh_from_db()
    sent_dossier(World(holder, catalogue, opca, admin.user, admin.user))
    send_digest(opca.pk)
    # A délégation: the invitation (a secret link, left live), and one revoked (both told).
    from datetime import timedelta

    from mcf.domain.delegations import actions as delegations

    ends_on = timezone.localdate() + timedelta(days=30)
    delegations.invite_person(
        holder, email="invite@example.org", consult=True, modify=False, ends_on=ends_on
    )
    revoked, _ = delegations.invite_person(
        holder, email="autre.invite@example.org", consult=True, modify=False, ends_on=ends_on
    )
    delegations.revoke(revoked.pk, holder=holder)
    closing = registered_holder(NIR_A, email="partant@example.org")
    close_account(closing)
