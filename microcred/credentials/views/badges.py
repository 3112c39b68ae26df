"""A credential's baked badge image (PNG or SVG), for whoever may open the credential's page."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

from microcred.core.clock import now
from microcred.web.views.common import app_errors

from ..badges.content import BadgeFormat, baked_badge
from ..engagement.views import count_download
from ..models import EngagementKind
from ..selectors import credential_for_viewer


def _badge(request: HttpRequest, uuid: str, badge_format: BadgeFormat) -> HttpResponse:
    """A private credential's badge is its holder's only (others get the not-found of an unknown
    id); a credential that does not hold gets its status as the answer (409), never a badge."""
    record = credential_for_viewer(uuid=uuid, viewer=request.user)
    badge = baked_badge(credential=record, badge_format=badge_format, now=now())
    etag = '"' + hashlib.sha256(badge.body).hexdigest()[:32] + '"'
    candidates = [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in candidates:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(badge.body, content_type=badge.content_type)
        response["Content-Disposition"] = f'attachment; filename="{badge.filename}"'
    response["ETag"] = etag
    # Revalidated every time: the status can change at any moment (then the answer is a 409),
    # and a private credential's badge is for its holder's browser only.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    response["X-Content-Type-Options"] = "nosniff"
    if badge_format == "svg":
        # An SVG opened directly runs as a document: no scripts, no loads from elsewhere.
        response["Content-Security-Policy"] = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
    # A download (never a 304 revalidation) counts on the credential's engagement (ADR 0047).
    count_download(request, response, credential_id=record.pk, kind=EngagementKind.BADGE_DOWNLOAD)
    return response


@require_GET
@app_errors
def badge_png(request: HttpRequest, uuid: str) -> HttpResponse:
    return _badge(request, uuid, "png")


@require_GET
@app_errors
def badge_svg(request: HttpRequest, uuid: str) -> HttpResponse:
    return _badge(request, uuid, "svg")
