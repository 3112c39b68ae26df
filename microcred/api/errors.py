"""Every API error is an RFC 9457 problem details document, mapped here once.

Shape (``Content-Type: application/problem+json``)::

    {"type": "https://microcred.org/problems/not_found", "title": "Not found", "status": 404,
     "detail": "Enrolment not found.", "instance": "/api/v1/enrolments/7", "code": "not_found"}

``type`` is always ``PROBLEM_BASE + code``: one stable URL per machine-readable ``code``, so a
client can switch on either and the documentation has one page per code. We never use
``about:blank``, because even generic failures (``internal_error``, ``route_not_found``) have a
code clients rely on. Validation problems (422) add ``errors``: a list of
``{"loc": [...], "field": "a.b", "message": ..., "type": ...}`` whose ``loc`` starts with where
the value came from (``body``, ``query``, ``path``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from microcred.core.errors import AppError, ValidationFailed
from microcred.core.problems import (
    HTTP_CODES,
    PROBLEM_CONTENT_TYPE,
    payload_too_large_detail,
    problem_response,
)

logger = logging.getLogger("microcred.api")


class FieldErrorOut(Schema):
    loc: list[str | int]
    field: str
    message: str
    type: str


class ProblemOut(Schema):
    """RFC 9457 problem details, as every error response of this API is shaped."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[FieldErrorOut] | None = None


def _field_error(loc: Sequence[str | int], message: str, type_: str) -> dict[str, Any]:
    return {"loc": list(loc), "field": ".".join(str(part) for part in loc), "message": message, "type": type_}


def _errors_from_app(errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Domain field keys may be dotted paths (``body.answers.12``); ``__all__`` means the whole input."""
    result = []
    for key, messages in errors.items():
        loc: list[str | int] = [] if key == "__all__" else list(key.split("."))
        for message in messages:
            result.append(_field_error(loc, message, "invalid"))
    return result


# Every operation names its JSON body parameter ``payload``; clients never see that name, so
# ``["body", "payload", "answers"]`` is reported as ``["body", "answers"]``.
BODY_PARAM = "payload"


def _errors_from_ninja(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for error in errors:
        loc = [part for part in error.get("loc", ()) if part != "__root__"]
        if loc[:2] == ["body", BODY_PARAM]:
            del loc[1]
        result.append(_field_error(loc, str(error.get("msg", "Invalid value.")), str(error.get("type", "invalid"))))
    return result


@contextmanager
def fields_under(*prefix: str) -> Iterator[None]:
    """Re-root a domain ValidationFailed's field keys under a request location, so a service's
    ``{"12": [...]}`` for question 12 reaches the client as ``body.answers.12``."""
    try:
        yield
    except ValidationFailed as exc:
        exc.errors = {
            ".".join([*prefix, key]) if key != "__all__" else ".".join(prefix): msgs
            for key, msgs in (exc.errors or {"__all__": [exc.message]}).items()
        }
        raise


def handle_app_error(request: HttpRequest, exc: AppError) -> HttpResponse:
    errors = _errors_from_app(exc.errors) if isinstance(exc, ValidationFailed) else None
    return problem_response(
        request, status=exc.status, code=exc.code, title=exc.title, detail=exc.message, errors=errors
    )


def handle_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        request,
        status=422,
        code="validation_failed",
        detail="The request is not valid; see errors for each field.",
        errors=_errors_from_ninja(exc.errors),
    )


def handle_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        status=401,
        code="authentication_required",
        detail="Sign in, or send a personal API token as 'Authorization: Bearer mcp_…'.",
    )


def handle_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, title = HTTP_CODES.get(exc.status_code, ("http_error", "Error"))
    return problem_response(request, status=exc.status_code, code=code, title=title, detail=str(exc))


def handle_http404(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django's message may name a model or query; the client learns only that nothing is there.
    return problem_response(request, status=404, code="not_found", detail="Nothing was found here.")


def handle_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the database cannot store (out of range, bad encoding) is the client's input, not our bug.
    logger.warning("Database refused a value in %s %s: %s", request.method, request.path, exc)
    return problem_response(
        request,
        status=400,
        code="invalid_value",
        detail="A value in the request cannot be stored (out of range or containing invalid characters).",
    )


def handle_request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django raises this when an operation first reads request.body, whichever operation it is.
    return problem_response(request, status=413, code="payload_too_large", detail=payload_too_large_detail())


def handle_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    logger.warning("Refused a suspicious request %s %s: %s", request.method, request.path, exc)
    return problem_response(request, status=400, code="bad_request", detail="The request is malformed.")


def handle_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return problem_response(
        request,
        status=500,
        code="internal_error",
        detail="Something went wrong on our side; the error has been logged.",
    )


def route_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return problem_response(
        request,
        status=404,
        code="route_not_found",
        title="Not found",
        detail=f"There is no API endpoint at {request.path}; see the OpenAPI document for the list.",
    )


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = problem_response(
        request,
        status=405,
        code="method_not_allowed",
        detail=f"{request.method} is not allowed here; use {allowed}.",
    )
    response["Allow"] = allowed
    return response


def install_error_handlers(api: NinjaAPI) -> None:
    # Order does not matter: ninja picks the handler of the nearest class in the exception's MRO.
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (AppError, handle_app_error),
        (ValidationError, handle_validation_error),
        (AuthenticationError, handle_authentication_error),
        (HttpError, handle_http_error),
        (Http404, handle_http404),
        (DataError, handle_data_error),
        (RequestDataTooBig, handle_request_too_big),
        (SuspiciousOperation, handle_suspicious),
        (Exception, handle_unexpected),
    ]
    for exc_class, handler in handlers:
        # ninja types handlers as taking the exception or its class; ours only ever get instances.
        api.add_exception_handler(exc_class, cast(Any, handler))


# Response declarations for OpenAPI: operations list the problems they can answer with.
PROBLEMS_PUBLIC: dict[int, type[Schema]] = {404: ProblemOut, 422: ProblemOut}
PROBLEMS_AUTH: dict[int, type[Schema]] = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
PROBLEMS_WRITE: dict[int, type[Schema]] = {**PROBLEMS_AUTH, 409: ProblemOut}


# Documented on every operation, whatever its own declarations, because they come from the
# request itself: a NUL character or a value the database cannot hold (400), a body over
# DATA_UPLOAD_MAX_MEMORY_SIZE (413), an address over the length limit (414).
_REQUEST_PROBLEMS = {
    "400": "Bad Request: a NUL character in the address, query or body, or a value out of range.",
    "413": "Payload Too Large: the body is over the size limit.",
    "414": "URI Too Long: the address and query are over the length limit.",
}


def document_problems(schema: dict[str, Any]) -> None:
    """Declare every error response as ``application/problem+json`` (ninja writes ``application/json``)
    and add the problems any request can meet to the operations that can meet them."""
    problem = {"schema": {"$ref": "#/components/schemas/ProblemOut"}}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            # ninja keys responses by int status; the JSON document has them as strings anyway.
            responses = {str(status): response for status, response in operation.get("responses", {}).items()}
            has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
            has_body = "requestBody" in operation
            wanted = ["400"] if operation.get("parameters") or has_body else []
            wanted += ["413"] if has_body else []
            wanted += ["414"] if has_query else []
            for status in wanted:
                responses.setdefault(status, {"description": _REQUEST_PROBLEMS[status]})
            for status, response in responses.items():
                if int(status) >= 400:
                    content = response.get("content", {})
                    response["content"] = {PROBLEM_CONTENT_TYPE: content.get("application/json", problem)}
            operation["responses"] = dict(sorted(responses.items()))
