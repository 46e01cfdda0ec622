from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "mcf.domain.idempotency"
    label = "idempotency"
    verbose_name = "Envois de formulaires"
