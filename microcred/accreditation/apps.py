from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "microcred.accreditation"
    label = "accreditation"
    verbose_name = "Accreditation"
