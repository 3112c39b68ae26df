"""An accreditor's accreditations: grant one to a provider, suspend, withdraw or reactivate it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from microcred.accounts.http import AuthenticatedRequest
from microcred.accounts.selectors import provider_list
from microcred.accounts.workspace import accreditor_for_owner, workspace_context
from microcred.core.clock import now
from microcred.core.errors import Conflict, ValidationFailed
from microcred.web.views.common import app_errors, form_errors_to_messages, service_error_to_form

from .forms import AccreditationGrantForm, AccreditationStatusForm
from .models import AccreditationStatus
from .selectors import access_granted_accreditation, accreditations_granted
from .services import accreditation_grant, accreditation_set_status

STATUS_DONE = {
    AccreditationStatus.ACTIVE: "is active again",
    AccreditationStatus.SUSPENDED: "is suspended",
    AccreditationStatus.WITHDRAWN: "is withdrawn",
}


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def accreditations(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    accreditor = accreditor_for_owner(request.user, slug)
    form = AccreditationGrantForm(request.POST or None, providers=provider_list())
    if request.method == "POST" and form.is_valid():
        try:
            accreditation = accreditation_grant(actor=request.user, accreditor=accreditor, **form.cleaned_data)
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"{accreditation.provider.name} is accredited for “{accreditation.scope}”.")
            return redirect("accreditation:workspace_accreditations", accreditor.slug)
    context = workspace_context(request, accreditor, "accreditations")
    context.update(form=form, accreditations=list(accreditations_granted(accreditor=accreditor)), today=now().date())
    return render(request, "accreditation/workspace/accreditations.html", context)


@require_POST
@login_required
@app_errors
def accreditation_status(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    accreditor = accreditor_for_owner(request.user, slug)
    accreditation = access_granted_accreditation(accreditor=accreditor, pk=pk)
    form = AccreditationStatusForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("accreditation:workspace_accreditations", accreditor.slug)
    try:
        accreditation_set_status(
            actor=request.user,
            accreditation=accreditation,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"].strip(),
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        done = STATUS_DONE[AccreditationStatus(accreditation.status)]
        messages.success(request, f"The accreditation of {accreditation.provider.name} {done}.")
    return redirect("accreditation:workspace_accreditations", accreditor.slug)
