"""AC-02: function-level authorisation, deny by default, checked against a table.

Every route of the resolver (tests/web/routes.py) is requested by GET by each kind of user;
who gets the page (200) must be exactly what ``ACCESS`` says, everyone else being sent to a
login page or answered 403, 404 or 405. A route missing from the table fails the test: a
new screen states who may open it. POST-only routes, the steps that need an earlier step
and links with a token are NOBODY here (no page by a bare GET); their POSTs are covered
by the CSRF and hostile-input sweeps of test_every_route.py and by their own tests.

The roles: « operator » is a back-office operator with the two permissions of the compte
d'heures (feed, corrections); « superuser » has them all. Objects in the routes are real
(a training offer, one object of each back-office model: conftest.route_objects).
"""

import pytest

from tests.web.routes import ROUTES, route_values, status

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "holder", "professional", "operator", "superuser")
EVERYONE = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
HOLDER = frozenset({"holder"})
PROFESSIONAL = frozenset({"professional"})
STAFF = frozenset({"operator", "superuser"})
SUPERUSER = frozenset({"superuser"})
NOT_STAFF = frozenset({"anonymous", "holder", "professional"})  # the back office's login

ACCESS: dict[str, frozenset[str]] = {
    "public:home": EVERYONE,
    "public:page": NOBODY,
    "public:cgu": EVERYONE,
    "public:cgu_version": NOBODY,
    "public:search": EVERYONE,
    "public:training_search": EVERYONE,
    "public:training_offer": EVERYONE,
    "public:commune_suggestions": EVERYONE,
    "public:training_dossier": EVERYONE,
    "public:contact": EVERYONE,
    "public:contact_sent": EVERYONE,
    "public:cookies": EVERYONE,
    "public:dismiss_cookie_notice": NOBODY,
    "titulaire:login": EVERYONE,
    "titulaire:logout": NOBODY,
    "titulaire:home": HOLDER,
    "titulaire:hours": HOLDER,
    "titulaire:attestation": HOLDER,
    "titulaire:training_search": HOLDER,
    "titulaire:training_offer": HOLDER,
    "titulaire:training_dossier": HOLDER,
    "titulaire:password_change": HOLDER,
    "titulaire:history": HOLDER,
    "titulaire:sessions": HOLDER,
    "titulaire:end_session": NOBODY,
    "titulaire:personal_information": HOLDER,
    "titulaire:personal_phones": NOBODY,
    "titulaire:personal_situation": NOBODY,
    "titulaire:email_change": HOLDER,
    "titulaire:email_change_confirm": NOBODY,
    "titulaire:data_export": HOLDER,
    "titulaire:close_account": HOLDER,
    "titulaire:confirm_password": HOLDER,
    "titulaire:password_reset": EVERYONE,
    "titulaire:password_reset_confirm": NOBODY,
    "titulaire:registration_cgu": EVERYONE,
    "titulaire:registration_identity": NOBODY,
    "titulaire:registration_password": NOBODY,
    "titulaire:registration_done": NOBODY,
    "titulaire:registration_confirm": NOBODY,
    "titulaire:dossiers": HOLDER,
    "titulaire:dossier_new": HOLDER,
    "titulaire:dossier_step": HOLDER,
    "titulaire:dossier_plan": HOLDER,
    "titulaire:dossier_employer": HOLDER,
    "titulaire:dossier_send": HOLDER,
    "titulaire:dossier": HOLDER,
    "titulaire:dossier_withdraw": NOBODY,
    "titulaire:dossier_cancel": NOBODY,
    "titulaire:dossier_recap": HOLDER,
    "titulaire:delegations": HOLDER,
    "titulaire:delegation_new": HOLDER,
    # The others are POST only, or need an invitation's token.
    "titulaire:delegation": HOLDER,
    "titulaire:delegation_revoke": NOBODY,
    "titulaire:delegation_open": NOBODY,
    "titulaire:delegation_give_back": NOBODY,
    "titulaire:delegation_leave": NOBODY,
    "titulaire:delegation_invitation": NOBODY,
    "titulaire:delegation_invitation_resume": NOBODY,
    "professionnel:login": EVERYONE,
    "professionnel:verify_code": NOBODY,
    "professionnel:enrol": NOBODY,
    "professionnel:logout": NOBODY,
    "professionnel:change_password": NOBODY,
    "professionnel:gestionnaires": PROFESSIONAL,
    "professionnel:home": PROFESSIONAL,
    "professionnel:dossiers": PROFESSIONAL,
    "professionnel:dossier": PROFESSIONAL,
    "professionnel:dossier_validate": NOBODY,
    "professionnel:dossier_complement": NOBODY,
    "professionnel:dossier_refuse": NOBODY,
    "professionnel:dossier_close": NOBODY,
    "professionnel:dossier_cancel": NOBODY,
    # The employer's space: the table's professional is a financeur's (403); an employer's
    # staff is in tests/web/test_delegation_access_matrix.py.
    "professionnel:employees": NOBODY,
    "professionnel:employer_requests": NOBODY,
    "professionnel:employer_request": NOBODY,
    "antibot:image": NOBODY,
    "antibot:audio": NOBODY,
    "admin:index": STAFF,
    "admin:login": NOT_STAFF,
    "admin:logout": NOBODY,
    "admin:password_change": STAFF,
    "admin:password_change_done": STAFF,
    "admin:autocomplete": NOBODY,
    "admin:jsi18n": STAFF,
    "admin:view_on_site": NOBODY,
    "admin:dsfr_dsfrconfig_changelist": SUPERUSER,
    "admin:dsfr_dsfrconfig_add": SUPERUSER,
    "admin:dsfr_dsfrconfig_history": SUPERUSER,
    "admin:dsfr_dsfrconfig_delete": SUPERUSER,
    "admin:dsfr_dsfrconfig_change": SUPERUSER,
    "gestion/dsfr/dsfrconfig/<path:object_id>/": NOBODY,
    "admin:django_tasks_database_dbtaskresult_changelist": SUPERUSER,
    "admin:django_tasks_database_dbtaskresult_add": NOBODY,
    "admin:django_tasks_database_dbtaskresult_history": SUPERUSER,
    "admin:django_tasks_database_dbtaskresult_delete": NOBODY,
    "admin:django_tasks_database_dbtaskresult_change": SUPERUSER,
    "gestion/django_tasks_database/dbtaskresult/<path:object_id>/": NOBODY,
    "admin:auth_user_password_change": SUPERUSER,
    "admin:accounts_user_changelist": SUPERUSER,
    "admin:accounts_user_add": SUPERUSER,
    "admin:accounts_user_history": SUPERUSER,
    "admin:accounts_user_delete": SUPERUSER,
    "admin:accounts_user_change": SUPERUSER,
    "gestion/accounts/user/<path:object_id>/": NOBODY,
    "admin:auth_group_changelist": SUPERUSER,
    "admin:auth_group_add": SUPERUSER,
    "admin:auth_group_history": SUPERUSER,
    "admin:auth_group_delete": SUPERUSER,
    "admin:auth_group_change": SUPERUSER,
    "gestion/auth/group/<path:object_id>/": NOBODY,
    "admin:mailing_outboxemail_changelist": SUPERUSER,
    "admin:mailing_outboxemail_add": NOBODY,
    "admin:mailing_outboxemail_history": SUPERUSER,
    "admin:mailing_outboxemail_delete": SUPERUSER,
    "admin:mailing_outboxemail_change": SUPERUSER,
    "gestion/mailing/outboxemail/<path:object_id>/": NOBODY,
    "admin:contact_contactmessage_changelist": SUPERUSER,
    "admin:contact_contactmessage_add": NOBODY,
    "admin:contact_contactmessage_history": SUPERUSER,
    "admin:contact_contactmessage_delete": SUPERUSER,
    "admin:contact_contactmessage_change": SUPERUSER,
    "gestion/contact/contactmessage/<path:object_id>/": NOBODY,
    "admin:organisations_organisation_changelist": SUPERUSER,
    "admin:organisations_organisation_add": SUPERUSER,
    "admin:organisations_organisation_history": SUPERUSER,
    "admin:organisations_organisation_delete": NOBODY,
    "admin:organisations_organisation_change": SUPERUSER,
    "gestion/organisations/organisation/<path:object_id>/": NOBODY,
    "admin:organisations_professionalprofile_changelist": SUPERUSER,
    "admin:organisations_professionalprofile_add": NOBODY,
    "admin:organisations_professionalprofile_history": SUPERUSER,
    "admin:organisations_professionalprofile_delete": SUPERUSER,
    "admin:organisations_professionalprofile_change": SUPERUSER,
    "gestion/organisations/professionalprofile/<path:object_id>/": NOBODY,
    "admin:otp_totp_totpdevice_config": SUPERUSER,
    "admin:otp_totp_totpdevice_qrcode": SUPERUSER,
    "admin:otp_totp_totpdevice_changelist": SUPERUSER,
    "admin:otp_totp_totpdevice_add": SUPERUSER,
    "admin:otp_totp_totpdevice_history": SUPERUSER,
    "admin:otp_totp_totpdevice_delete": SUPERUSER,
    "admin:otp_totp_totpdevice_change": SUPERUSER,
    "gestion/otp_totp/totpdevice/<path:object_id>/": NOBODY,
    "admin:hours_feedimport_report": STAFF,
    "admin:hours_feedimport_changelist": STAFF,
    "admin:hours_feedimport_add": STAFF,
    "admin:hours_feedimport_history": STAFF,
    "admin:hours_feedimport_delete": NOBODY,
    "admin:hours_feedimport_change": STAFF,
    "gestion/hours/feedimport/<path:object_id>/": NOBODY,
    "admin:hours_counter_changelist": STAFF,
    "admin:hours_counter_add": NOBODY,
    "admin:hours_counter_history": STAFF,
    "admin:hours_counter_delete": NOBODY,
    "admin:hours_counter_change": STAFF,
    "gestion/hours/counter/<path:object_id>/": NOBODY,
    "admin:dossiers_dossier_changelist": SUPERUSER,
    "admin:dossiers_dossier_add": NOBODY,
    "admin:dossiers_dossier_history": SUPERUSER,
    "admin:dossiers_dossier_delete": NOBODY,
    "admin:dossiers_dossier_change": SUPERUSER,
    "gestion/dossiers/dossier/<path:object_id>/": NOBODY,
    "admin:delegations_delegation_changelist": SUPERUSER,
    "admin:delegations_delegation_add": NOBODY,
    "admin:delegations_delegation_history": SUPERUSER,
    "admin:delegations_delegation_delete": NOBODY,
    "admin:delegations_delegation_change": SUPERUSER,
    "gestion/delegations/delegation/<path:object_id>/": NOBODY,
    "admin:app_list": STAFF,
    "gestion/(?P<url>.*)": NOBODY,
    "healthz": EVERYONE,
    # « Accès API »: the administrateur principal of a financeur (the sweeps' professional).
    "professionnel:api_access": PROFESSIONAL,
    "professionnel:api_client_create": NOBODY,
    "professionnel:api_client_revoke": NOBODY,
    "professionnel:webhook_create": NOBODY,
    "professionnel:webhook_remove": NOBODY,
    "professionnel:webhook_log": PROFESSIONAL,
    "professionnel:webhook_redeliver": NOBODY,
    # The open API: the catalogue and the documentation are public; the financeurs'
    # endpoints answer a token, never a session (401 for every role here).
    "api-v1:api-root": NOBODY,
    "api-v1:openapi-json": EVERYONE,
    "api-v1:openapi-view": EVERYONE,
    "api-v1:search_offers": EVERYONE,
    "api-v1:offer": EVERYONE,
    "api-v1:certification": EVERYONE,
    "api/(?P<rest>.*)": NOBODY,
    # The financeurs' API: a token, never a session (tests/web/api/: the AC matrix).
    "api-v1:list_dossiers": NOBODY,
    "api-v1:dossier": NOBODY,
    "api-v1:history": NOBODY,
    "api-v1:dossier_valider": NOBODY,
    "api-v1:dossier_demander_complement": NOBODY,
    "api-v1:dossier_refuser": NOBODY,
    "api-v1:dossier_clore": NOBODY,
    "api-v1:dossier_annuler_financeur": NOBODY,
    "api_token": NOBODY,
}


def test_every_route_is_in_the_table():
    assert sorted({route.key for route in ROUTES} - set(ACCESS)) == []
    assert sorted(set(ACCESS) - {route.key for route in ROUTES}) == []  # no stale line


@pytest.mark.parametrize("route", ROUTES, ids=[route.key for route in ROUTES])
def test_ac_02_who_gets_each_page(route, clients, route_objects):
    url = route.url(route_values(route, *route_objects)[0])
    statuses = {role: status(clients[role].get(url)) for role in ROLES}
    allowed = frozenset(role for role, code in statuses.items() if code == 200)
    assert allowed == ACCESS.get(route.key), f"{url}: {statuses}"
    refused = {code for role, code in statuses.items() if role not in allowed}
    # 401: the API's financeur endpoints, which ask for a token, not a login.
    assert refused <= {302, 401, 403, 404, 405, 410}, f"{url}: {statuses}"
