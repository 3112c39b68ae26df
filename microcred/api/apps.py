from django.apps import AppConfig


class APIConfig(AppConfig):
    name = "microcred.api"
    label = "api"
    verbose_name = "API"
