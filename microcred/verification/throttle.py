"""How often one client may verify: ``MICROCRED_VERIFY_RATE`` for anonymous visitors (by IP
address, as the sign-in throttle sees it behind ``MICROCRED_TRUSTED_PROXIES``),
``MICROCRED_VERIFY_RATE_AUTHENTICATED`` for signed-in users and API tokens (by user).

Counted with django-ratelimit in the default cache; every verification counts, whatever it finds.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from microcred.web.views.common import client_ip

GROUP = "microcred.verification"


def retry_after(request: HttpRequest, *, user: Any = None) -> int | None:
    """Count one verification by this client; the seconds to wait when it is over its rate, else None.

    ``user`` is whoever the caller authenticated (an API token's owner); the session user otherwise.
    """
    user = user if user is not None else getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    rate = settings.MICROCRED_VERIFY_RATE_AUTHENTICATED if signed_in else settings.MICROCRED_VERIFY_RATE
    if not rate:
        return None
    client = f"user:{user.pk}" if signed_in else f"ip:{client_ip(request)}"
    usage = get_usage(request, group=GROUP, key=lambda _group, _request: client, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))
