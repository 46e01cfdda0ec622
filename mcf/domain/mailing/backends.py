"""E-mail backend of the development mailbox: stores each message in the database."""

from django.core.mail.backends.base import BaseEmailBackend


class DevMailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from mcf.domain.mailing.models import DevMailboxMessage

        for message in email_messages:
            DevMailboxMessage.objects.create(
                message_id=message.extra_headers.get("Message-ID", ""),
                to=", ".join(message.to),
                from_email=message.from_email or "",
                subject=message.subject,
                body=message.body,
            )
        return len(email_messages)
