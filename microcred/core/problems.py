"""RFC 9457 problem details: the one shape of every error a program is given, by the API and by
the site-wide handlers for requests Django refuses before any view runs (bad Host, body or
address too long). The API's own mapping of exceptions lives in ``microcred.api.errors``.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PROBLEM_BASE = "https://microcred.org/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

# Codes and titles for failures that do not come from the domain's AppError tree.
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Bad request"),
    401: ("authentication_required", "Authentication required"),
    403: ("permission_denied", "Permission denied"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Payload too large"),
    414: ("uri_too_long", "URI too long"),
    422: ("validation_failed", "Invalid input"),
    429: ("throttled", "Too many requests"),
    500: ("internal_error", "Internal server error"),
}


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    detail: str,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title or HTTP_CODES.get(status, ("", "Error"))[1],
        "status": status,
        "detail": detail,
        "instance": request.path if instance is None else instance,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    if status == 401:
        # Tells clients which scheme to retry with (RFC 9110 §11.6.1).
        response["WWW-Authenticate"] = 'Bearer realm="microcred"'
    return response


def wants_problem(request: HttpRequest) -> bool:
    """The API always answers problems; elsewhere a client that prefers JSON to HTML gets one too."""
    if request.path.startswith("/api/"):
        return True
    preferred = request.get_preferred_type(["text/html", PROBLEM_CONTENT_TYPE, "application/json"])
    return preferred in (PROBLEM_CONTENT_TYPE, "application/json")


def payload_too_large_detail() -> str:
    return f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes; send less."
