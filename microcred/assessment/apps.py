from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "microcred.assessment"
    label = "assessment"
    verbose_name = "Assessment"
