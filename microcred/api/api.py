"""The Microcred JSON API, mounted at /api/v1/: each app's router, one error mapping, one auth policy."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, path, re_path
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from microcred.accounts.api import router as accounts_router
from microcred.assessment.api import router as assessment_router
from microcred.catalog.api import router as catalog_router
from microcred.core.problems import PROBLEM_BASE
from microcred.credentials.api import router as credentials_router
from microcred.learning.api import router as learning_router

from .auth import DEFAULT_AUTH
from .errors import document_problems, install_error_handlers, method_not_allowed, route_not_found

DESCRIPTION = f"""
Browse the catalog of micro-credentials, enrol, learn, take quizzes and collect completions.

**Authentication.** Catalog and provider reads are public. Everything else needs either a
personal API token, sent as `Authorization: Bearer mcp_…` (create one with `POST /me/tokens`
from a signed-in browser session; the secret is shown once), or the browser session cookie, in
which case writes must carry the CSRF token in the `X-CSRFToken` header.

**Errors** are RFC 9457 problem details (`application/problem+json`) with `type`, `title`,
`status`, `detail`, `instance` and a stable machine-readable `code`; `type` is always
`{PROBLEM_BASE}<code>`. Validation errors (422) list each problem in `errors` with its location,
e.g. `["query", "limit"]` or `["body", "answers", "12"]`. Another person's enrolments, attempts
and completions answer 404, exactly like ids that do not exist. Any operation may also answer
400 (`invalid_characters`: a NUL character in the address, query or body; `invalid_value`: a value
the database cannot hold), 413 (`payload_too_large`: a body over the size limit) and 414
(`uri_too_long`: an address over the length limit).

**Credentials** come as JSON with the signed document and its VC-JWT, or, with `?format=jwt`, as
the bare VC-JWT in `text/plain`. Each credential's public URL (`id`) answers the signed JSON-LD
document (`application/vc+ld+json`), or the VC-JWT with `?format=jwt` (`text/plain`) or with
`Accept: application/vc+jwt` (`application/vc+jwt`), or the credential's page for browsers.

**Lists** take `limit` (1–100, default 20) and `offset`, answer `{{items, count, limit, offset}}`
and send `X-Total-Count` and an RFC 8288 `Link` header with `next`/`prev` pages.
"""


def _problem_for_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja answers a wrong method with a plain-text 405 of its own; turn it into a problem."""

    @wraps(view)  # keeps csrf_exempt: ninja's auth classes do the CSRF checks
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed(request, allowed=response["Allow"])
        return response

    return wrapper


class MicrocredAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(schema)
        return schema

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = [
            URLPattern(u.pattern, _problem_for_405(u.callback), u.default_args, u.name)
            if isinstance(u, URLPattern)
            else u
            for u in super()._get_urls()
        ]
        # ninja's root view raises a bare Http404 outside its error handling; ours answers a problem,
        # and so does any other path under the API that no operation claims.
        urls = [u for u in urls if getattr(u, "name", None) != "api-root"]
        urls.append(path("", route_not_found, name="api-root"))
        urls.append(re_path(r"^.*$", route_not_found, name="route-not-found"))
        return urls


api = MicrocredAPI(
    title="Microcred API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=DEFAULT_AUTH,
    # Served from ninja's bundled static files ("ninja" is in INSTALLED_APPS), so the docs work offline.
    # validatorUrl None: Swagger UI would otherwise ask validator.swagger.io to check the schema.
    docs=Swagger(settings={"persistAuthorization": True, "validatorUrl": None}),
)
install_error_handlers(api)

api.add_router("", catalog_router)
api.add_router("", learning_router)
api.add_router("", assessment_router)
api.add_router("", accounts_router)
api.add_router("", credentials_router)
api.add_router("", "microcred.verification.api.router")
