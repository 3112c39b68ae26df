"""Telling an account's owner when sign-in to it is locked (django-axes does the counting)."""

from __future__ import annotations

import math
from typing import Any

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.dispatch import receiver

from .services import account_lockout_notify


def cool_off_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def account_failures(username: str) -> int:
    """Failed sign-ins against the account within the cool-off window, from any client."""
    total = AccessAttempt.objects.filter(username=username).aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


@receiver(user_locked_out, dispatch_uid="microcred.accounts.notify_locked_account")
def notify_locked_account(sender: Any, *, username: str | None = None, **kwargs: Any) -> None:
    # Axes signals every attempt refused while locked, and a client locked for trying many
    # accounts names whichever it tried last. Only the failure that takes the account itself to
    # the limit tells its owner, so each lock sends one e-mail.
    if username and account_failures(username) == settings.AXES_FAILURE_LIMIT:
        account_lockout_notify(email=username, cool_off_minutes=cool_off_minutes())
