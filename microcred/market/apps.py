from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "microcred.market"
    label = "market"
    verbose_name = "Market demand"
