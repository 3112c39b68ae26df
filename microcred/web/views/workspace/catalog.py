"""A provider's catalog: every version of every micro-credential, its details, its life cycle
(draft → published → archived), and the catalog file import and export."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcred.accounts.models import Organisation
from microcred.catalog.exchange import catalog_export, catalog_import
from microcred.catalog.models import MicroCredential, Status
from microcred.catalog.selectors import (
    access_provider_microcredential,
    industry_names,
    microcredential_outline,
    microcredential_versions,
    provider_catalog,
)
from microcred.catalog.services import (
    microcredential_archive,
    microcredential_create,
    microcredential_new_version,
    microcredential_publish,
    microcredential_update,
)
from microcred.core.errors import Conflict, ValidationFailed

from ...forms_workspace import CatalogImportForm, LessonForm, MicroCredentialForm, ModuleForm
from ..common import AuthenticatedRequest, app_errors
from .common import form_errors_to_messages, provider_for_staff, service_error_to_form, workspace_context


def editor_url(mc: MicroCredential) -> str:
    return reverse("web:workspace_mc", args=[mc.provider.slug, mc.pk])


@require_GET
@login_required
@app_errors
def catalog(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    context = workspace_context(request, provider, "catalog")
    context.update(families=provider_catalog(provider=provider), import_form=CatalogImportForm(organisation=provider))
    return render(request, "web/workspace/catalog.html", context)


def _form_page(
    request: AuthenticatedRequest, provider: Organisation, form: MicroCredentialForm, mc: MicroCredential | None
) -> HttpResponse:
    context = workspace_context(request, provider, "catalog")
    context.update(form=form, mc=mc, industries=industry_names())
    return render(request, "web/workspace/mc_form.html", context)


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
        return redirect("web:workspace_mc_edit", provider.slug, draft.pk)
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
        lesson_kinds=list(LessonForm.KIND_FIELDS),
    )
    return render(request, "web/workspace/mc_detail.html", context)


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


@require_POST
@login_required
@app_errors
def catalog_import_view(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    form = CatalogImportForm(request.POST, request.FILES, organisation=provider)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("web:workspace_catalog", provider.slug)
    try:
        report = catalog_import(actor=request.user, data=form.cleaned_data["file"])
    except ValidationFailed as exc:
        messages.error(request, f"Nothing was imported. {exc.message}")
        return redirect("web:workspace_catalog", provider.slug)
    labels = {
        "created": "created",
        "updated": "draft updated",
        "new_version": "new version",
        "unchanged": "unchanged",
    }
    parts = [f"{len(slugs)} {labels[key]}" for key, slugs in report.items() if slugs]
    details = "; ".join(f"{labels[key]}: {', '.join(slugs)}" for key, slugs in report.items() if slugs)
    if parts:
        messages.success(request, f"Catalog imported — {', '.join(parts)}. ({details})")
    else:
        messages.info(request, "The file lists no micro-credentials; nothing changed.")
    return redirect("web:workspace_catalog", provider.slug)


@require_GET
@login_required
@app_errors
def catalog_export_view(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    body = json.dumps(catalog_export(provider=provider), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{provider.slug}-catalog.json"'
    return response
