"""Back office (Django admin, served under /gestion/).

Operators of the CDC see here the outbox (with the dead letters to retry), the contact
messages and the accounts. Second factor for operators comes with the sign-in issue
(AUTH-15); the admin is not served under /admin/ (AUTH-16).
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from mcf.domain.accounts.models import User
from mcf.domain.contact.models import ContactMessage
from mcf.domain.mailing.delivery import retry_dead_letter
from mcf.domain.mailing.models import OutboxEmail

admin.site.site_header = "Mon compte formation — gestion"
admin.site.site_title = "Gestion Mon compte formation"
admin.site.index_title = "Back office"

admin.site.register(User, UserAdmin)


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "to", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to", "subject", "message_id")
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Relancer l'envoi des courriels abandonnés sélectionnés")
    def retry(self, request, queryset):
        dead = queryset.filter(status=OutboxEmail.Status.DEAD)
        count = 0
        for email in dead:
            retry_dead_letter(email)
            count += 1
        self.message_user(
            request, f"{count} courriel(s) remis dans la file d'envoi.", messages.SUCCESS
        )


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "topic", "full_name", "email")
    list_filter = ("topic",)
    search_fields = ("full_name", "email", "message")
    readonly_fields = ("id", "full_name", "email", "topic", "message", "created_at")

    def has_add_permission(self, request):
        return False
