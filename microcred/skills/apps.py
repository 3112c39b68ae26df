from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "microcred.skills"
    label = "skills"
    verbose_name = "Skills"
