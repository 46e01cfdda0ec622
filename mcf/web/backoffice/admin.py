"""Back office (Django admin, served under /gestion/).

Operators of the CDC see here the outbox (with the dead letters to retry), the contact
messages, the accounts, the professional organisations (created with their administrateur
principal) and the TOTP devices. The admin is not served under /admin/ (AUTH-16) and needs
a second factor (AUTH-15): the default site becomes a django-otp ``OTPAdminSite`` (every
registration, ours and the libraries', is kept), so a staff user is let in only once the
session was verified by a TOTP code at the admin login. The login checks the password
under the same per-account throttle as the other spaces.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value, unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from oauth2_provider import models as oauth2_models

from mcf.core.client_ip import client_ip
from mcf.domain.accounts.models import User
from mcf.domain.accounts.operator_changes import journal_operator_change
from mcf.domain.contact.models import ContactMessage
from mcf.domain.identity.siret import normalise_siret
from mcf.domain.mailing.delivery import retry_dead_letter
from mcf.domain.mailing.models import OutboxEmail
from mcf.domain.mailing.secret_links import mask_secret_links
from mcf.domain.organisations.actions import create_organisation_with_principal_admin
from mcf.domain.organisations.authentication import authenticate_username
from mcf.domain.organisations.models import Organisation, ProfessionalProfile


class BackOfficeLoginForm(OTPAdminAuthenticationForm):
    """Identifier + password under the per-account throttle (AUTH-05), then the TOTP code.

    An operator with a single device does not have to pick it from the list first.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            outcome = authenticate_username(
                username,
                password,
                kinds=[User.Kind.OPERATEUR],
                ip=client_ip(self.request) if self.request else "",
            )
            if outcome.user is None:
                raise self.get_invalid_login_error()
            self.user_cache = outcome.user
            self.confirm_login_allowed(self.user_cache)  # is_active and is_staff
        self.clean_otp(self.user_cache)
        return self.cleaned_data

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            devices = list(
                TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update()[:2]
            )
            if len(devices) == 1:
                device = devices[0]
        return device


# The least invasive switch: the default site object keeps its name ("admin": URL names
# and every registration unchanged) and gains django-otp's has_permission (is_verified).
admin.site.__class__ = OTPAdminSite
admin.site.login_form = BackOfficeLoginForm
admin.site.login_template = "backoffice/login.html"  # django-otp's, with an <h1>
admin.site.site_header = "Mon compte formation — gestion"
admin.site.site_title = "Gestion Mon compte formation"
admin.site.index_title = "Back office"


class BoundedIdsMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field sends any integer id to the database; on SQLite one beyond 64 bits
    raises OverflowError there (a server error). Such an id is refused like any other
    unknown one. ``_check_values`` is Django's own (private) step: the route sweep of
    tests/web/test_every_route.py shows it if a new Django version changes it."""

    def _check_values(self, value):
        for pk in value:
            try:
                out_of_range = not -(2**63) <= int(pk) < 2**63
            except (TypeError, ValueError):
                continue  # not a number: Django's own check refuses it
            if out_of_range:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


BOUNDED_MANY_TO_MANY = {models.ManyToManyField: {"form_class": BoundedIdsMultipleChoiceField}}


# Django stores the default permissions' names in English (« Can add task result »), once,
# at migrate time; the pickers show them in French from their codename.
_ACTIONS = {"add": "Ajouter", "change": "Modifier", "delete": "Supprimer", "view": "Voir"}


def permission_label(permission: Permission) -> str:
    """« Comptes | utilisateur | Modifier », a custom permission by its own (French) name."""
    model = permission.content_type.model_class()
    action, _, model_name = permission.codename.partition("_")
    name = permission.name
    if model is not None and action in _ACTIONS and model_name == model._meta.model_name:
        name = _ACTIONS[action]
    where = permission.content_type  # « app | model », in the apps' and models' French names
    return f"{where} | {name}"


class FrenchPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Permission:
            field.label_from_instance = permission_label
        return field


class FrenchAdminPasswordChangeForm(AdminPasswordChangeForm):
    # Django 6.1 appends this warning untranslated (a plain string, not gettext).
    usable_password_help_text = SetUnusablePasswordMixin.usable_password_help_text + (
        '<ul id="id_unusable_warning" class="messagelist"><li class="warning">'
        "Désactivé, le mot de passe actuel de ce compte sera perdu.</li></ul>"
    )


class BackOfficeUserAdmin(FrenchPermissionsMixin, UserAdmin):
    """Accounts. A change to a holder's account is journaled for him, the operator as its
    actor (journal_operator_change)."""

    formfield_overrides = {**UserAdmin.formfield_overrides, **BOUNDED_MANY_TO_MANY}
    change_password_form = FrenchAdminPasswordChangeForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            fields = {
                name: (form.fields[name].label, form.initial.get(name), form.cleaned_data.get(name))
                for name in form.changed_data
                if name in form.fields
            }
            journal_operator_change(obj, operator=request.user, fields=fields)

    def user_change_password(self, request, id, form_url=""):
        """The password set by an operator: journaled in the same transaction."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                journal_operator_change(
                    User.objects.get(pk=unquote(id)),
                    operator=request.user,
                    fields={"password": ("Mot de passe", None, None)},
                )
        return response


class BackOfficeGroupAdmin(FrenchPermissionsMixin, GroupAdmin):
    formfield_overrides = {**GroupAdmin.formfield_overrides, **BOUNDED_MANY_TO_MANY}


admin.site.register(User, BackOfficeUserAdmin)
admin.site.unregister(Group)

# django-oauth-toolkit's own admin would show its applications and tokens to operators: the
# organisations' API clients are theirs to manage (« Accès API » of the professional
# space), and a token is a credential. Not registered in the back office.
for _model in (
    oauth2_models.get_application_model(),
    oauth2_models.get_access_token_model(),
    oauth2_models.get_refresh_token_model(),
    oauth2_models.get_id_token_model(),
    oauth2_models.get_grant_model(),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
admin.site.register(Group, BackOfficeGroupAdmin)


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """The outbox, read only. No page shows a secret link (AUTH-11): a sent or abandoned
    mail that held one has no text any more, and a queued one's token is masked here."""

    list_display = ("created_at", "kind", "to", "title", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "sensitive")
    search_fields = ("to", "subject", "message_id")
    fields = (
        *("id", "message_id", "created_at", "kind", "to", "reply_to", "title", "text"),
        *("sensitive", "redacted_at", "status", "attempts", "next_attempt_at", "sent_at"),
        "error",
    )
    readonly_fields = fields
    actions = ["retry"]

    @admin.display(description="objet", ordering="subject")
    def title(self, email):
        return mask_secret_links(email.subject)  # a name typed in « Nous contacter »

    @admin.display(description="texte")
    def text(self, email):
        return linebreaksbr(mask_secret_links(email.body))

    @admin.display(description="dernière erreur")
    def error(self, email):
        return mask_secret_links(email.last_error)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Relancer l'envoi des courriels abandonnés sélectionnés")
    def retry(self, request, queryset):
        outcomes = [
            retry_dead_letter(email) for email in queryset.filter(status=OutboxEmail.Status.DEAD)
        ]
        if sent_again := outcomes.count(True):
            self.message_user(
                request, f"{sent_again} courriel(s) remis dans la file d'envoi.", messages.SUCCESS
            )
        if erased := outcomes.count(False):
            self.message_user(
                request,
                f"{erased} courriel(s) non relancé(s) : ils contenaient un lien personnel "
                "(confirmation d'inscription, nouveau mot de passe ou changement d'adresse), "
                "effacé avec leur texte. Le destinataire doit refaire sa demande sur le site "
                "pour recevoir un nouveau lien.",
                messages.WARNING,
            )


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    """What was typed is shown with any secret link masked: a holder may paste his reset
    link into a message (AUTH-11)."""

    list_display = ("created_at", "topic", "name", "email")
    list_filter = ("topic",)
    search_fields = ("full_name", "email", "message")
    fields = ("id", "name", "email", "topic", "text", "created_at")
    readonly_fields = fields

    @admin.display(description="nom et prénom", ordering="full_name")
    def name(self, contact):
        return mask_secret_links(contact.full_name)

    @admin.display(description="message")
    def text(self, contact):
        return linebreaksbr(mask_secret_links(contact.message))

    def has_add_permission(self, request):
        return False


class OrganisationForm(forms.ModelForm):
    """The SIRET may be typed with spaces or dots; the model's validators check the key."""

    siret = forms.CharField(
        label="SIRET", max_length=20, help_text="14 chiffres, par exemple : 732 829 320 00074"
    )

    class Meta:
        model = Organisation
        # What a financeur covers (mcf.domain.dossiers.financeurs): an OPCA its branches,
        # a Région its région.
        fields = [
            "name", "kind", "siret", "branches", "region", "accord_starts_on", "accord_ends_on",
        ]  # fmt: skip

    def clean_siret(self):
        return normalise_siret(self.cleaned_data["siret"])


class OrganisationCreationForm(OrganisationForm):
    """An organisation and its administrateur principal, created together."""

    admin_first_name = forms.CharField(label="Prénom", max_length=150)
    admin_last_name = forms.CharField(label="Nom", max_length=150)
    admin_email = forms.EmailField(label="Courriel", max_length=254)


class ProfessionalProfileInline(admin.TabularInline):
    model = ProfessionalProfile
    fk_name = "organisation"
    fields = ("user", "role", "must_change_password", "created_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        # What each row shows (its accounts, and its organisation in its title): in the
        # same query, not one query per row.
        return super().get_queryset(request).select_related("user", "created_by", "organisation")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    formfield_overrides = BOUNDED_MANY_TO_MANY
    filter_horizontal = ("branches",)
    list_display = ("name", "kind", "siret", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "siret")
    add_fieldsets = (
        (None, {"fields": ("name", "kind", "siret")}),
        (
            "Administrateur principal",
            {
                "fields": ("admin_first_name", "admin_last_name", "admin_email"),
                "description": "Son compte est créé avec un mot de passe provisoire, affiché "
                "une seule fois après l'enregistrement : remettez-le lui par un autre moyen "
                "que le courriel. Le courriel qu'il reçoit ne contient que son identifiant.",
            },
        ),
    )

    # Once created (the action creates the organisation and its administrator): what it
    # funds, for the financeurs offered to a holder (mcf.domain.dossiers.financeurs).
    change_fieldsets = (
        (None, {"fields": ("name", "kind", "siret", "created_at")}),
        (
            "Ce que finance l'organisation",
            {
                "fields": ("branches", "region"),
                "description": "Un OPCA finance les salariés des branches qu'il couvre ; "
                "une Région, les demandeurs d'emploi qui habitent la région.",
            },
        ),
        (
            "Accord de gestion directe du 0,2 % (employeur)",
            {
                "fields": ("accord_starts_on", "accord_ends_on"),
                "description": "Pendant l'accord (3 ans au plus), l'entreprise finance les "
                "dossiers de ses salariés qui la choisissent, sauf les dossiers confidentiels. "
                "Laissez vide sans accord.",
            },
        ),
    )

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.change_fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = OrganisationCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ("created_at",) if obj is not None else ()

    def get_inlines(self, request, obj):
        return [ProfessionalProfileInline] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # Never possible: an organisation is created with its administrateur principal,
        # whose account protects it (PROTECT). The page would only list those accounts.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Created through the action (organisation, account, profile, mail, together).
        account = create_organisation_with_principal_admin(
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            siret=form.cleaned_data["siret"],
            admin_first_name=form.cleaned_data["admin_first_name"],
            admin_last_name=form.cleaned_data["admin_last_name"],
            admin_email=form.cleaned_data["admin_email"],
            created_by=request.user,
        )
        created = account.organisation
        obj.pk, obj.created_at = created.pk, created.created_at
        obj._state.adding, obj._state.db = False, created._state.db
        # Only for response_add of this request: never in the session nor in a message.
        request.provisional_account = account

    def response_add(self, request, obj, post_url_continue=None):
        account = getattr(request, "provisional_account", None)
        if account is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": "Organisation créée",
            "subtitle": None,
            "opts": self.opts,
            "organisation": obj,
            "account": account,
        }
        return TemplateResponse(request, "backoffice/organisation_created.html", context)


@admin.register(ProfessionalProfile)
class ProfessionalProfileAdmin(admin.ModelAdmin):
    """Read-only list: accounts are created by the actions (back office, administrators)."""

    list_display = ("user", "organisation", "role", "must_change_password", "created_at")
    list_filter = ("role", "must_change_password")
    search_fields = ("user__username", "user__last_name", "organisation__name")
    list_select_related = ("user", "organisation")
    readonly_fields = (
        "user",
        "organisation",
        "role",
        "must_change_password",
        "created_by",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BackOfficeTOTPDeviceAdmin(TOTPDeviceAdmin):
    """django-otp's device admin; a device's key (a second factor) only for superusers.

    In French: django-otp writes its fieldsets, help texts and dates' help in English
    (the field names are set in third_party_apps.TotpInFrench). The two dates are shown
    through methods, whose labels carry no English help text of the model's."""

    _SECRET_FIELDS = ("key", "qrcode_link")
    _FIELDSETS = {
        "Identity": "Identité",
        "Timestamps": "Dates",
        "Configuration": "Configuration",
        "State": "État",
        "Throttling": "Limitation des essais",
    }
    _DATES = {"created_at": "created_on", "last_used_at": "last_used_on"}
    _HELP_TEXTS = {
        "user": "Le compte qui se sert de cet appareil.",
        "name": "Le nom de l'appareil, tel que la personne le reconnaît.",
        "confirmed": "L'appareil peut servir (la personne a saisi un premier code).",
        "key": "Clé secrète en hexadécimal (40 octets au plus).",
        "step": "Durée de validité d'un code, en secondes.",
        "t0": "Instant Unix à partir duquel les périodes sont comptées.",
        "digits": "Nombre de chiffres d'un code.",
        "tolerance": "Nombre de périodes acceptées avant ou après l'heure du serveur.",
        "drift": "Décalage connu de l'horloge de l'appareil, en périodes.",
        "throttling_failure_timestamp": "Dernier échec ; vide si le dernier essai a réussi.",
        "throttling_failure_count": "Nombre d'échecs consécutifs.",
    }
    readonly_fields = ["created_on", "last_used_on", "qrcode_link"]
    search_help_text = "Rechercher par identifiant ou adresse électronique du compte."

    @admin.display(description="créé le", ordering="created_at")
    def created_on(self, device):
        # A method's value is printed as is: the date is formatted as the fields' are.
        return display_for_value(device.created_at, self.get_empty_value_display())

    @admin.display(description="dernière utilisation", ordering="last_used_at")
    def last_used_on(self, device):
        return display_for_value(device.last_used_at, self.get_empty_value_display())

    @admin.display(description="QR code")
    def qrcode_link(self, device):
        if device.pk is None:
            return ""
        url = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        return format_html('<a href="{}">QR code</a>', url)

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, obj, help_texts=self._HELP_TEXTS, **kwargs)

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if request.user.is_superuser:
            return columns
        return [column for column in columns if column not in self._SECRET_FIELDS]

    def get_fieldsets(self, request, obj=None):
        hidden = () if obj is None or request.user.is_superuser else self._SECRET_FIELDS
        return [
            (
                self._FIELDSETS.get(name, name),
                {
                    **options,
                    "fields": [self._DATES.get(f, f) for f in options["fields"] if f not in hidden],
                },
            )
            for name, options in super().get_fieldsets(request, obj)
        ]

    def _device_for_superuser(self, request, pk) -> TOTPDevice:
        if not request.user.is_superuser:
            raise PermissionDenied
        # django-otp's views take a missing device to the database unchecked (a 500).
        return get_object_or_404(TOTPDevice, pk=pk)

    def config_view(self, request, pk):
        device = self._device_for_superuser(request, pk)
        response = super().config_view(request, pk)
        # django-otp's page has no heading (RGAA 9.1): the admin shows the title as <h1>.
        response.context_data["title"] = f"Clé de l'appareil « {device.name} »"
        return response

    def qrcode_view(self, request, pk):
        self._device_for_superuser(request, pk)
        return super().qrcode_view(request, pk)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, BackOfficeTOTPDeviceAdmin)

# The compte d'heures pages (yearly feed uploads, corrections) and the dossiers de
# formation (read only) register themselves.
from mcf.web.backoffice import delegation_admin, dossier_admin, hours_admin  # noqa: E402, F401


class BackOfficeTaskAdmin(DBTaskResultAdmin):
    """django-tasks-db's task list, with its own columns' names in French (the fields' are
    set in third_party_apps.TasksInFrench)."""

    list_display = ("id", "task", *DBTaskResultAdmin.list_display[2:])

    @admin.display(description="tâche")
    def task(self, result):
        return result.task_name

    @admin.display(description="trace d'erreur")
    def formatted_traceback(self, result):
        return super().formatted_traceback(result)

    @admin.display(description="à lancer après")
    def display_run_after(self, result):
        return super().display_run_after(result)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, BackOfficeTaskAdmin)
