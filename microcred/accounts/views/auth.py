"""Sign up, log in and log out. Accounts are made by the accounts service; sessions by Django auth.

Sign-in is throttled by django-axes (settings ``AXES_*``); two of the callables it is configured
with live here because they read the request: who is signing in, and the page a refused attempt
gets (the client's address is ``web.views.common.client_ip``, which verification counts by too).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import (
    LoginView,
    LogoutView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from microcred.core.errors import ValidationFailed
from microcred.web.forms import apply_app_error
from microcred.web.views.common import app_errors, next_param, safe_next

from ..forms import EmailAuthenticationForm, QueuedPasswordResetForm, SignupForm
from ..lockout import cool_off_minutes
from ..services import signup_user_from_link, user_confirm_signup, user_signup

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@app_errors
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(safe_next(request, "learning:dashboard"))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                next_path=next_param(request),
            )
        except ValidationFailed as exc:
            apply_app_error(form, exc)
        else:
            # The same page whether or not the address already has an account.
            return render(
                request, "accounts/auth/signup_sent.html", {"email": form.cleaned_data["email"].strip().lower()}
            )
    return render(request, "accounts/auth/signup.html", {"form": form, "next": next_param(request)})


@require_http_methods(["GET", "POST"])
@app_errors
def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the confirmation e-mail. Opening it only shows a button: mail scanners
    fetch links, and a GET must not activate an account or sign anyone in."""
    if request.method == "POST":
        try:
            user = user_confirm_signup(uidb64=uidb64, token=token)
        except ValidationFailed as exc:
            return render(request, "accounts/auth/signup_confirm.html", {"invalid": exc.message}, status=400)
        auth_login(request, user, backend=MODEL_BACKEND)
        messages.success(request, f"Welcome to Microcred, {user.display_name}! Your account is ready.")
        return HttpResponseRedirect(safe_next(request, "learning:dashboard"))
    pending = signup_user_from_link(uidb64=uidb64, token=token)
    context: dict[str, Any] = {"pending": pending, "next": next_param(request)}
    if pending is None:
        context["invalid"] = (
            "This confirmation link has expired or has already been used. Log in, or sign up again to get a new link."
        )
    return render(request, "accounts/auth/signup_confirm.html", context, status=200 if pending else 400)


login = LoginView.as_view(
    template_name="accounts/auth/login.html",
    authentication_form=EmailAuthenticationForm,
    redirect_authenticated_user=True,
)

# Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
logout = LogoutView.as_view()

# Password reset: Django's views, which answer the same whether or not the address has an account.
password_reset = PasswordResetView.as_view(
    template_name="accounts/auth/password_reset.html",
    form_class=QueuedPasswordResetForm,
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    extra_email_context={"site_url": settings.SITE_URL},
    success_url=reverse_lazy("accounts:password_reset_sent"),
)
password_reset_sent = PasswordResetDoneView.as_view(template_name="accounts/auth/password_reset_sent.html")
password_reset_confirm = PasswordResetConfirmView.as_view(
    template_name="accounts/auth/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = PasswordResetCompleteView.as_view(template_name="accounts/auth/password_reset_complete.html")


# --- Login throttling (django-axes callables, named in settings) ---------------------------------


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt is counted against. Addresses are stored lower-case, so
    ``Alice@`` and ``alice@`` are one account and cannot be used to dodge its count."""
    raw = (credentials or {}).get("username") or request.POST.get("username")
    return str(raw).strip().lower() if raw else None


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The answer to any sign-in while the account or the client is locked out, right password or
    not. It says the same for every address, so it tells nobody whether an account exists."""
    return render(
        request,
        "accounts/auth/locked_out.html",
        {"minutes": cool_off_minutes()},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
