"""Presentation of what a verification report carries as it was found in the credential."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def credential_time(value: str | None) -> SafeString | str:
    """An XML Schema dateTime from a credential, readable ("28 Nov 2026, 13:20 UTC") inside a
    ``<time>`` that keeps the exact value. Anything unparseable is shown as given: it is the
    credential's own text, and the checklist already says whether it is valid."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        readable = date_format(moment, "j M Y, H:i")
    else:
        readable = date_format(moment.astimezone(UTC), "j M Y, H:i") + " UTC"
    return format_html('<time datetime="{}" title="{}">{}</time>', value, value, readable)
