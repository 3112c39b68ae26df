from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "microcred.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import lockout  # noqa: F401  (connects the lockout e-mail to django-axes)
