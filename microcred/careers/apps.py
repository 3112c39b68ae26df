from django.apps import AppConfig


class CareersConfig(AppConfig):
    name = "microcred.careers"
    label = "careers"
    verbose_name = "Careers"
