"""A provider's catalog file, from its workspace: the import (an upload) and the export (a
download). The panel offering both sits on catalog's workspace catalog page (``pages.py``)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.workspace import provider_for_staff
from microcred.core.errors import ValidationFailed
from microcred.web.views.common import app_errors, form_errors_to_messages

from .forms import CatalogImportForm
from .services import catalog_export, catalog_import

IMPORT_LABELS = {
    "created": "created",
    "updated": "draft updated",
    "new_version": "new version",
    "unchanged": "unchanged",
}


@require_POST
@login_required
@app_errors
def catalog_import_view(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    form = CatalogImportForm(request.POST, request.FILES, organisation=provider)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("catalog:workspace_catalog", provider.slug)
    try:
        report = catalog_import(actor=request.user, data=form.cleaned_data["file"])
    except ValidationFailed as exc:
        messages.error(request, f"Nothing was imported. {exc.message}")
        return redirect("catalog:workspace_catalog", provider.slug)
    parts = [f"{len(slugs)} {IMPORT_LABELS[key]}" for key, slugs in report.items() if slugs]
    details = "; ".join(f"{IMPORT_LABELS[key]}: {', '.join(slugs)}" for key, slugs in report.items() if slugs)
    if parts:
        messages.success(request, f"Catalog imported — {', '.join(parts)}. ({details})")
    else:
        messages.info(request, "The file lists no micro-credentials; nothing changed.")
    return redirect("catalog:workspace_catalog", provider.slug)


@require_GET
@login_required
@app_errors
def catalog_export_view(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    provider = provider_for_staff(request.user, slug)
    body = json.dumps(catalog_export(provider=provider), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{provider.slug}-catalog.json"'
    return response
