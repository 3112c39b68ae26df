"""A provider's stackable programmes in its workspace: list, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.models import Organisation
from microcred.accounts.workspace import provider_for_staff, workspace_context
from microcred.core.errors import ValidationFailed
from microcred.web.views.common import app_errors, service_error_to_form

from ..forms import ProgrammeForm
from ..models import Programme
from ..selectors import access_provider_programme, provider_programmes
from ..services import programme_create, programme_delete, programme_update


def _list_url(provider: Organisation) -> str:
    return reverse("catalog:workspace_programmes", args=[provider.slug])


def _page(
    request: AuthenticatedRequest, provider: Organisation, form: ProgrammeForm, programme: Programme | None
) -> HttpResponse:
    context = workspace_context(request, provider, "catalog")
    context.update(form=form, programme=programme, programmes=provider_programmes(provider=provider))
    return render(request, "catalog/workspace/programmes.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def programmes(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    form = ProgrammeForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            created = programme_create(actor=request.user, provider=provider, **form.service_fields())
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"The programme “{created.title}” is listed in the catalog.")
            return redirect(_list_url(provider))
    return _page(request, provider, form, None)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def programme_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    programme = access_provider_programme(provider=provider, pk=pk)
    form = ProgrammeForm(request.POST or None, provider=provider, editing=programme)
    if request.method == "POST" and form.is_valid():
        try:
            updated = programme_update(actor=request.user, programme=programme, **form.service_fields())
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"The programme “{updated.title}” is saved.")
            return redirect(_list_url(provider))
    return _page(request, provider, form, programme)


@require_POST
@login_required
@app_errors
def programme_remove(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    programme = access_provider_programme(provider=provider, pk=pk)
    programme_delete(actor=request.user, programme=programme)
    messages.success(request, f"The programme “{programme.title}” is removed; its micro-credentials stay.")
    return redirect(_list_url(provider))
