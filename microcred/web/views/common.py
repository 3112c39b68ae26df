"""How pages turn domain errors into HTTP: the one mapping every view goes through."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from microcred.accounts.models import User
from microcred.core.errors import AppError, AuthenticationRequired, NotFound, PermissionDenied

View = Callable[..., HttpResponse]


class AuthenticatedRequest(HttpRequest):
    """The request type of views behind ``login_required``: ``user`` is a real account."""

    user: User


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
    return f"{resolve_url('web:login')}?{urlencode({'next': next_url})}"


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
