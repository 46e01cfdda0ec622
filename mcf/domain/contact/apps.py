from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "mcf.domain.contact"
    label = "contact"
    verbose_name = "Messages « Nous contacter »"
