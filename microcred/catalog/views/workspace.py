"""A provider's catalog: every version of every micro-credential, its details and its life cycle
(draft → published → archived). The catalog file import and export are exchange's pages, shown
here as a ``CatalogPanel``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.models import Organisation
from microcred.accounts.workspace import provider_for_staff, workspace_context
from microcred.core.errors import Conflict, ValidationFailed
from microcred.web.views.common import app_errors, service_error_to_form

from ..forms import MicroCredentialForm, ModuleForm, lesson_kinds
from ..models import MicroCredential, Status
from ..parts import catalog_panels
from ..selectors import (
    access_provider_microcredential,
    industry_names,
    microcredential_outline,
    microcredential_versions,
    provider_catalog,
)
from ..services import (
    microcredential_archive,
    microcredential_create,
    microcredential_new_version,
    microcredential_publish,
    microcredential_update,
)
from .skills import skills_panel_context


def editor_url(mc: MicroCredential) -> str:
    return reverse("catalog:workspace_mc", args=[mc.provider.slug, mc.pk])


@require_GET
@login_required
@app_errors
def catalog(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    context = workspace_context(request, provider, "catalog")
    panels = catalog_panels()
    context.update(families=provider_catalog(provider=provider), panels=panels)
    for panel in panels:
        context.update(panel.context(provider))
    return render(request, "catalog/workspace/catalog.html", context)


def _form_page(
    request: AuthenticatedRequest, provider: Organisation, form: MicroCredentialForm, mc: MicroCredential | None
) -> HttpResponse:
    context = workspace_context(request, provider, "catalog")
    context.update(form=form, mc=mc, industries=industry_names())
    return render(request, "catalog/workspace/mc_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def mc_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    form = MicroCredentialForm(
        request.POST or None,
        initial={"awarding_body": provider.name, "country": provider.country, "language": "en", "currency": "EUR"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            mc = microcredential_create(actor=request.user, provider=provider, **form.service_fields())
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"Draft “{mc.title}” created. Add modules and lessons, then publish it.")
            return redirect(editor_url(mc))
    return _form_page(request, provider, form, None)


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def mc_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    mc = access_provider_microcredential(provider=provider, pk=pk)
    if mc.status == Status.ARCHIVED:
        messages.info(request, f"v{mc.version} is archived and stays as it was; edit the latest version instead.")
        return redirect(editor_url(mc))
    draft = microcredential_versions(microcredential=mc).filter(status=Status.DRAFT).first()
    if mc.status == Status.PUBLISHED and draft is not None:
        # Edits of a published version go to its family's draft; open that one so nothing is lost.
        messages.info(request, f"v{draft.version} is already being drafted; your edits go there.")
        return redirect("catalog:workspace_mc_edit", provider.slug, draft.pk)
    form = MicroCredentialForm(request.POST or None, editing=mc)
    if request.method == "POST" and form.is_valid():
        try:
            updated = microcredential_update(actor=request.user, microcredential=mc, **form.service_fields())
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        else:
            if updated.pk != mc.pk:
                messages.success(
                    request,
                    f"A new draft version v{updated.version} was created; learners of v{mc.version} keep their "
                    f"version, and v{mc.version} stays in the catalog until v{updated.version} is published.",
                )
            else:
                messages.success(request, f"Draft v{updated.version} saved.")
            return redirect(editor_url(updated))
    return _form_page(request, provider, form, mc)


@require_GET
@login_required
@app_errors
def mc_detail(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    mc = access_provider_microcredential(provider=provider, pk=pk)
    versions = list(microcredential_versions(microcredential=mc))
    context = workspace_context(request, provider, "catalog")
    context.update(
        mc=mc,
        modules=microcredential_outline(mc),
        versions=versions,
        draft=next((v for v in versions if v.status == Status.DRAFT), None),
        editable=mc.status == Status.DRAFT,
        module_form=ModuleForm(),
        lesson_kinds=lesson_kinds(),
    )
    context.update(skills_panel_context(mc))
    return render(request, "catalog/workspace/mc_detail.html", context)


@require_POST
@login_required
@app_errors
def mc_publish(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    mc = access_provider_microcredential(provider=provider, pk=pk)
    try:
        mc = microcredential_publish(actor=request.user, microcredential=mc)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, f"v{mc.version} is not published: {exc.message}")
    else:
        messages.success(request, f"“{mc.title}” v{mc.version} is published and listed in the catalog.")
    return redirect(editor_url(mc))


@require_POST
@login_required
@app_errors
def mc_archive(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    mc = access_provider_microcredential(provider=provider, pk=pk)
    mc = microcredential_archive(actor=request.user, microcredential=mc)
    messages.success(
        request, f"“{mc.title}” v{mc.version} is archived: no new enrolments; enrolled learners keep their access."
    )
    return redirect(editor_url(mc))


@require_POST
@login_required
@app_errors
def mc_new_version(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    mc = access_provider_microcredential(provider=provider, pk=pk)
    try:
        draft = microcredential_new_version(actor=request.user, microcredential=mc)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return redirect(editor_url(mc))
    messages.success(
        request, f"Draft v{draft.version} is open for editing; learners of v{mc.version} keep their version."
    )
    return redirect(editor_url(draft))
