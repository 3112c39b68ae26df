from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .parts import HeaderPart, parts_of


def site(request: HttpRequest) -> dict[str, Any]:
    # What the apps add to every page's header (the comparison tray) is listed in config/pages.py.
    return {"SITE_NAME": "Microcred", "SITE_URL": settings.SITE_URL, "header_parts": parts_of(HeaderPart)}
