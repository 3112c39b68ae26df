"""Site-wide error answers: requests refused before any view can answer them (an unknown Host, a
body or an address over the limits), addresses nothing serves, and unexpected failures. Programs
(anything under /api/, or a client preferring JSON to HTML) get RFC 9457 problem details; people
get a page. Wired in as ``handler400``/``handler404``/``handler500`` in the URLconf and called by
the request-refusing middleware.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from .problems import payload_too_large_detail, problem_response, wants_problem


def request_refused(
    request: HttpRequest, *, status: int, code: str, title: str, detail: str, instance: str | None = None
) -> HttpResponse:
    if wants_problem(request):
        return problem_response(request, status=status, code=code, title=title, detail=detail, instance=instance)
    # No request context: its Host header may be the very thing refused.
    html = render_to_string("core/request_error.html", {"status": status, "title": title, "detail": detail})
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: Django sends every SuspiciousOperation here, an oversized body included."""
    if isinstance(exception, RequestDataTooBig):
        return request_refused(
            request, status=413, code="payload_too_large", title="Too much data", detail=payload_too_large_detail()
        )
    if isinstance(exception, DisallowedHost):
        return request_refused(
            request,
            status=400,
            code="unknown_host",
            title="Unknown site",
            detail="This server does not serve the site named in the request's Host header.",
        )
    return request_refused(
        request, status=400, code="bad_request", title="Bad request", detail="The request is malformed."
    )


def uri_too_long(request: HttpRequest) -> HttpResponse:
    return request_refused(
        request,
        status=414,
        code="uri_too_long",
        title="Address too long",
        detail=f"The address and its query are longer than {settings.MICROCRED_MAX_URI_LENGTH:,} characters.",
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_problem(request):
        return problem_response(request, status=404, code="not_found", detail="Nothing was found here.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if wants_problem(request):
        return problem_response(
            request,
            status=500,
            code="internal_error",
            detail="Something went wrong on our side; the error has been logged.",
        )
    return defaults.server_error(request)
