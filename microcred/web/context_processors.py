from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    session = getattr(request, "session", None)
    # The comparison tray in the header shows on every page, so its ids come from here.
    compare_ids = [int(i) for i in session.get("compare_ids", []) if str(i).isdigit()] if session is not None else []
    return {"SITE_NAME": "Microcred", "SITE_URL": settings.SITE_URL, "compare_ids": compare_ids}
