import contextlib

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "microcred.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from django.conf import settings
        from django.core import checks

        from .checks import check_site_url
        from .vc.loader import register_installation_context

        checks.register(check_site_url)
        # Our extension context on this installation's own URL loads from the bundle (ADR 0041),
        # in this process and every worker forked from it. A SITE_URL that cannot carry it is
        # reported by ``check_site_url``; ``microcred verify`` still runs without it.
        with contextlib.suppress(ValueError):
            register_installation_context(str(settings.SITE_URL))
