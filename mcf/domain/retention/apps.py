from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "mcf.domain.retention"
    label = "retention"
    verbose_name = "Durées de conservation"
