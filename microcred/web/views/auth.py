"""Sign up, log in and log out. Accounts are made by the accounts service; sessions by Django auth."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from microcred.accounts.services import user_signup
from microcred.core.errors import ValidationFailed

from ..forms import EmailAuthenticationForm, SignupForm, apply_app_error
from .common import app_errors, next_param, safe_next


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@app_errors
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(safe_next(request, "web:dashboard"))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationFailed as exc:
            apply_app_error(form, exc)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to Microcred, {user.display_name}! Your account is ready.")
            return HttpResponseRedirect(safe_next(request, "web:dashboard"))
    return render(request, "web/auth/signup.html", {"form": form, "next": next_param(request)})


login = LoginView.as_view(
    template_name="web/auth/login.html",
    authentication_form=EmailAuthenticationForm,
    redirect_authenticated_user=True,
)

# Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
logout = LogoutView.as_view()
