"""The API kit: a NinjaAPI with the house policy (one auth policy, one error mapping, offline docs).

The API itself, with every app's router, is put together in ``microcred.config.api``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, path, re_path
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from .errors import document_problems, install_error_handlers, method_not_allowed, route_not_found


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
    """One auth policy for every operation unless it says otherwise (``auth``: the schemes tried
    in turn, given by ``config/api.py``), RFC 9457 problems for every error (a wrong method and an
    unknown path under the API included) and Swagger UI."""

    def __init__(self, *, auth: Sequence[Any], **kwargs: Any) -> None:
        kwargs["auth"] = list(auth)
        # Served from ninja's bundled static files ("ninja" is in INSTALLED_APPS), so the docs work offline.
        # validatorUrl None: Swagger UI would otherwise ask validator.swagger.io to check the schema.
        kwargs.setdefault("docs", Swagger(settings={"persistAuthorization": True, "validatorUrl": None}))
        super().__init__(**kwargs)
        install_error_handlers(self)

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
