"""The one place the web layer reads the time; cores take ``now`` as an argument."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
