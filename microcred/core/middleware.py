"""Refuse requests whose path or query string holds a NUL character.

No legitimate client sends one, PostgreSQL text cannot store one (psycopg raises a DataError,
which would surface as a 500), and SQLite would store it silently. Refusing at the door keeps
every page, filter and API parameter safe without each one checking.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

VERIFY_PATH = "/api/v1/verify"
PROBLEM = {
    "type": "https://microcred.org/problems/invalid_characters",
    "title": "Invalid request",
    "status": 400,
    "code": "invalid_characters",
    "detail": "The request's path or query string contains a NUL character.",
}


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {**PROBLEM, "instance": request.path.replace("\x00", "")},
                    status=400,
                    content_type="application/problem+json",
                )
            return HttpResponseBadRequest("Bad request: the address contains a NUL character.")
        if self._json_body_has_nul(request):
            return JsonResponse(
                {
                    **PROBLEM,
                    "detail": "A string in the request body contains a NUL character.",
                    "instance": request.path,
                },
                status=400,
                content_type="application/problem+json",
            )
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
