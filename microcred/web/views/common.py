"""What every app's pages share: the one mapping of domain errors to HTTP every view goes through,
and small helpers for requests, redirects and forms. It knows no domain app."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from microcred.core.errors import (
    AppError,
    AuthenticationRequired,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)

View = Callable[..., HttpResponse]
T = TypeVar("T")


def is_htmx(request: HttpRequest) -> bool:
    # A history restore wants the whole page back, not the fragment it once swapped in.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def next_param(request: HttpRequest) -> str:
    """The ``next`` the user came with, when it points back into this site; else empty."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def safe_next(request: HttpRequest, fallback: str) -> str:
    return next_param(request) or resolve_url(fallback)


def login_url_with_next(next_url: str) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}"


def app_errors(view: View) -> View:
    """Not-found becomes a 404 page, a missing login a redirect to it, a refusal a 403; any other
    domain error becomes a message on the page the user came from, never a 500."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc
        except AuthenticationRequired:
            return redirect_to_login(request.get_full_path())
        except AppError as exc:
            if request.method == "GET":
                # Redirecting a GET to itself would loop; show the reason instead.
                return render(request, "web/error.html", {"message": exc.message}, status=exc.status)
            messages.error(request, exc.message)
            return HttpResponseRedirect(safe_next(request, request.get_full_path()))

    return wrapper


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Directly exposed, the socket's. Behind ``MICROCRED_TRUSTED_PROXIES``
    proxies, the address the outermost of them saw: counted from the right of X-Forwarded-For,
    since everything left of what our proxies added is whatever the client chose to send."""
    trusted = settings.MICROCRED_TRUSTED_PROXIES
    if trusted > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR")


def service_error_to_form(form: Any, exc: AppError) -> None:
    """A service's field errors go on the matching fields; anything else (a quiz question, a rule
    across fields, a conflict) as the service's full message, which names what is wrong."""
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, exc.message)
        return
    unplaced = False
    for field, errors in exc.errors.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
        else:
            unplaced = True
    if unplaced or not exc.errors:
        form.add_error(None, exc.message)


def form_errors_to_messages(request: HttpRequest, form: Any) -> None:
    """For small forms posted from a list page: the page is redirected to, so errors travel as messages."""
    for field, errors in form.errors.items():
        for error in errors:
            prefix = f"{form[field].label}: " if field in form.fields else ""
            messages.error(request, f"{prefix}{error}")


def run_reporting(request: HttpRequest, action: Callable[[], T], success: Callable[[T], str]) -> T | None:
    """Run one service call for a list-page button: its refusal, or ``success(result)``, becomes
    the message shown after the redirect."""
    try:
        result = action()
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success(result))
    return result
