"""Template helpers for pages that show a learner's credential outside this app's own views."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..models import Credential
from ..selectors import verify_page_url

register = template.Library()


@register.filter
def verify_url(credential: Credential) -> str:
    """The verify page, checking this credential by its public URL (as a verifier would)."""
    return verify_page_url(credential)


@register.filter
def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code for ``url`` (medium error correction survives print and scuffs)."""
    import segno  # loaded on first use: ~8 MB a process that never draws a QR code need not carry

    code = segno.make_qr(url, error="m")
    # The markup is segno's own; the URL is encoded as modules, never as text.
    return mark_safe(code.svg_inline(scale=4, border=2, dark="#111827", title="QR code linking to this page"))


@register.filter
def json_ld_script(document: Any) -> SafeString:
    """``document`` as a ``<script type="application/ld+json">`` block. Like Django's json_script,
    <, > and & become JSON escapes, so no string in the credential can close the element."""
    text = json.dumps(document, ensure_ascii=False, sort_keys=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
