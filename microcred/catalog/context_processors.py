from typing import Any

from django.http import HttpRequest

from .views.public import COMPARE_SESSION_KEY


def compare(request: HttpRequest) -> dict[str, Any]:
    session = getattr(request, "session", None)
    # The comparison tray in the header shows on every page, so its ids come from here.
    compare_ids = (
        [int(i) for i in session.get(COMPARE_SESSION_KEY, []) if str(i).isdigit()] if session is not None else []
    )
    return {"compare_ids": compare_ids}
