from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "microcred.exchange"
    label = "exchange"
    verbose_name = "Catalog import and export"
