from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "microcred.projects"
    label = "projects"
    verbose_name = "Projects"
