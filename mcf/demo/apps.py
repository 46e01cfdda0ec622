from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "mcf.demo"
    label = "demo"
