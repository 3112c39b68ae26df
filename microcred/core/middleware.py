"""Refuse requests at the door: a NUL character in the path, query string or JSON body, or an
address over the length limit.

No legitimate client sends a NUL character, PostgreSQL text cannot store one (psycopg raises a DataError,
which would surface as a 500), and SQLite would store it silently. Refusing at the door keeps
every page, filter and API parameter safe without each one checking.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .error_views import request_refused, uri_too_long

VERIFY_PATH = "/api/v1/verify"


def _nul_refused(request: HttpRequest, detail: str) -> HttpResponse:
    return request_refused(
        request,
        status=400,
        code="invalid_characters",
        title="Invalid request",
        detail=detail,
        instance=request.path.replace("\x00", ""),
    )


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return _nul_refused(request, "The request's path or query string contains a NUL character.")
        if self._json_body_has_nul(request):
            return _nul_refused(request, "A string in the request body contains a NUL character.")
        return self.get_response(request)

    @staticmethod
    def _json_body_has_nul(request: HttpRequest) -> bool:
        # Verification reads presented credentials without storing them; any bytes may be tested there.
        if not request.path.startswith("/api/") or request.path.startswith(VERIFY_PATH):
            return False
        if request.method not in {"POST", "PUT", "PATCH"} or "json" not in (request.content_type or ""):
            return False
        try:
            body = request.body
        except Exception:  # too large and the like: the view reports it properly
            return False
        # JSON cannot carry a raw NUL inside a string; escaped, it is always \u0000.
        return b"\\u0000" in body or b"\x00" in body


class RejectLongUrisMiddleware:
    """Answer an address over MICROCRED_MAX_URI_LENGTH with a 414 we shape (problem details for
    programs, a page for people). The WSGI server and the proxy must allow longer request lines
    than this (see the README), or they answer first with their own bare HTML."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw_length = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
        if raw_length > settings.MICROCRED_MAX_URI_LENGTH:
            return uri_too_long(request)
        return self.get_response(request)
