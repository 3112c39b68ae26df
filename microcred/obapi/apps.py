from typing import Any

from django.apps import AppConfig


def _on_token_issued(sender: Any, **kwargs: Any) -> None:
    # Imported when a token is issued, not at start-up: token_cleanup's services import careers
    # and the path planner (numpy, HiGHS), which every other process (a cohort's writer and each
    # of its forked signing workers, ADR 0048) would otherwise carry.
    from .token_cleanup import on_token_issued

    on_token_issued(sender, **kwargs)


class ObapiConfig(AppConfig):
    name = "microcred.obapi"
    label = "obapi"
    verbose_name = "Open Badges API"

    def ready(self) -> None:
        from oauth2_provider.signals import app_authorized

        # Each token issued makes sure a clearing of expired ones is queued (ADR 0049).
        app_authorized.connect(_on_token_issued, dispatch_uid="obapi.expired_tokens_clear")
