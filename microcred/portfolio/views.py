"""The portfolio's pages: the owner's editor (and imports), the public page and the printable record.
Thin: forms read input, services write, selectors read and decide what is shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.careers.forms import ExternalCredentialForm
from microcred.careers.services import external_credentials_recheck_stale
from microcred.careers.uploads import recheck_with_messages, upload_from_form
from microcred.core.actors import SYSTEM
from microcred.core.clock import now
from microcred.core.errors import AppError, ValidationFailed
from microcred.credentials import links
from microcred.web.views.common import app_errors, form_errors_to_messages, service_error_to_form

from .forms import ChoicesForm, PortfolioSettingsForm
from .models import Portfolio
from .selectors import portfolio_at, portfolio_choices, portfolio_of, portfolio_page, suggested_handle
from .services import portfolio_choices_set, portfolio_external_show, portfolio_save


def _edit_page(
    request: AuthenticatedRequest,
    *,
    settings_form: PortfolioSettingsForm | None = None,
    import_form: ExternalCredentialForm | None = None,
    status: int = 200,
) -> HttpResponse:
    moment = now()
    external_credentials_recheck_stale(actor=request.user, learner=request.user, now=moment)
    portfolio = portfolio_of(request.user)
    if settings_form is None:
        initial: dict[str, Any] = {"handle": suggested_handle(request.user)}
        if portfolio is not None:
            initial = {
                "handle": portfolio.handle,
                "display_name": portfolio.display_name,
                "headline": portfolio.headline,
                "published": portfolio.published,
            }
        settings_form = PortfolioSettingsForm(initial=initial)
    context = {
        "portfolio": portfolio,
        "public_url": links.absolute(reverse("portfolio:public", args=[portfolio.handle])) if portfolio else "",
        "page": portfolio_page(portfolio, now=moment) if portfolio else None,
        "choices": portfolio_choices(request.user, portfolio, now=moment),
        "settings_form": settings_form,
        "import_form": import_form or ExternalCredentialForm(),
    }
    return render(request, "portfolio/edit.html", context, status=status)


@require_GET
@login_required
@app_errors
def edit(request: AuthenticatedRequest) -> HttpResponse:
    return _edit_page(request)


@require_POST
@login_required
@app_errors
def settings_save(request: AuthenticatedRequest) -> HttpResponse:
    form = PortfolioSettingsForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, settings_form=form, status=400)
    before = portfolio_of(request.user)
    try:
        portfolio = portfolio_save(actor=request.user, owner=request.user, **form.cleaned_data)
    except AppError as exc:
        service_error_to_form(form, exc)
        return _edit_page(request, settings_form=form, status=exc.status)
    address = links.absolute(reverse("portfolio:public", args=[portfolio.handle]))
    if before is not None and before.handle != portfolio.handle:
        messages.success(request, f"Your portfolio moved to {address}; its old address leads there.")
    elif portfolio.published:
        messages.success(request, f"Saved. Anyone with the address can see your portfolio: {address}")
    else:
        messages.success(request, "Saved. Your portfolio is off: only you can see it.")
    return redirect("portfolio:edit")


@require_POST
@login_required
@app_errors
def choices_save(request: AuthenticatedRequest) -> HttpResponse:
    form = ChoicesForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("portfolio:edit")
    try:
        portfolio_choices_set(actor=request.user, owner=request.user, **form.cleaned_data)
    except ValidationFailed as exc:
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
        if not exc.errors:
            messages.error(request, exc.message)
    else:
        messages.success(request, "Saved what your portfolio shows.")
    return redirect(reverse("portfolio:edit") + "#choices-title")


@require_POST
@login_required
@app_errors
def import_credential(request: AuthenticatedRequest) -> HttpResponse:
    external = upload_from_form(request, lambda form, status: _edit_page(request, import_form=form, status=status))
    if isinstance(external, HttpResponse):
        return external
    shown = request.POST.get("show") == "on" and portfolio_external_show(
        actor=request.user, owner=request.user, external=external
    )
    named = external.skill_links.count()
    skills = f"{named} skill{'s' if named != 1 else ''} now verified" if named else "it names no skill we know"
    messages.success(
        request, f"Verified and imported “{external}”: {skills}" + ("; shown on your portfolio." if shown else ".")
    )
    return redirect(reverse("portfolio:edit") + "#imports-title")


@require_POST
@login_required
@app_errors
def recheck(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    recheck_with_messages(request, pk, no_longer_counts="It is no longer shown and its skills no longer count.")
    return redirect(reverse("portfolio:edit") + "#imports-title")


def _recheck_stale_imports(portfolio: Portfolio, *, now: datetime) -> None:
    # The platform queues it for whoever looks; the page shows what is stored until it has run.
    external_credentials_recheck_stale(actor=SYSTEM, learner=portfolio.user, now=now)


def _found(request: HttpRequest, handle: str, view_name: str) -> Any:
    found = portfolio_at(handle, viewer=request.user)
    if found.moved:
        return found, HttpResponsePermanentRedirect(reverse(view_name, args=[found.portfolio.handle]))
    return found, None


@require_GET
@app_errors
def public(request: HttpRequest, handle: str) -> HttpResponse:
    found, moved = _found(request, handle, "portfolio:public")
    if moved is not None:
        return moved
    moment = now()
    _recheck_stale_imports(found.portfolio, now=moment)
    page = portfolio_page(found.portfolio, now=moment)
    is_owner = request.user.is_authenticated and request.user.pk == found.portfolio.user_id
    context = {
        "page": page,
        "is_owner": is_owner,
        "preview": found.is_preview,
        "public_url": links.absolute(reverse("portfolio:public", args=[found.portfolio.handle])),
    }
    response = render(request, "portfolio/public.html", context)
    if found.is_preview or is_owner:
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@app_errors
def record(request: HttpRequest, handle: str) -> HttpResponse:
    found, moved = _found(request, handle, "portfolio:record")
    if moved is not None:
        return moved
    moment = now()
    _recheck_stale_imports(found.portfolio, now=moment)
    context = {
        "page": portfolio_page(found.portfolio, now=moment),
        "preview": found.is_preview,
        "generated_at": moment,
        "public_url": links.absolute(reverse("portfolio:public", args=[found.portfolio.handle])),
    }
    response = render(request, "portfolio/record.html", context)
    if found.is_preview:
        response["Cache-Control"] = "private, no-store"
    return response
