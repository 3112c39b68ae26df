"""The signed-in person's own settings: profile and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from microcred.core.errors import ValidationFailed
from microcred.web.forms import apply_app_error
from microcred.web.views.common import app_errors

from ..forms import ProfileForm, TokenForm
from ..http import AuthenticatedRequest
from ..models import LearnerProfile
from ..services import api_token_create, api_token_revoke, profile_update

NEW_TOKEN_SESSION_KEY = "new_api_token"


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def profile(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    try:
        current = user.profile
    except LearnerProfile.DoesNotExist:
        current = None
    initial = {
        "full_name": user.full_name,
        "headline": getattr(current, "headline", ""),
        "location": getattr(current, "location", ""),
        "languages": ", ".join(getattr(current, "languages", []) or []),
        "bio": getattr(current, "bio", ""),
        "visibility": getattr(current, "visibility", "private"),
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(actor=user, user=user, **form.cleaned_data)
        except ValidationFailed as exc:
            apply_app_error(form, exc)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/account/profile.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(actor=request.user, name=form.cleaned_data["name"])
        except ValidationFailed as exc:
            apply_app_error(form, exc)
        else:
            # Shown once after the redirect, then gone: only its hash is stored.
            request.session[NEW_TOKEN_SESSION_KEY] = {"id": token.pk, "secret": secret}
            return redirect("accounts:tokens")
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    return render(
        request,
        "accounts/account/tokens.html",
        {
            "form": form,
            "tokens": list(request.user.api_tokens.order_by("revoked_at", "-created_at")),
            "new_token": new_token,
        },
    )


@require_POST
@login_required
@app_errors
def token_revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    token = request.user.api_tokens.filter(pk=token_id).first()
    if token is None:
        raise Http404("Token not found.")
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"Token “{token.name}” is revoked; requests using it are now refused.")
    return redirect("accounts:tokens")
