from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "microcred.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"
