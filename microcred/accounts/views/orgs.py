"""“Your organisations”: every membership of the signed-in person, with the pages their role opens;
and an organisation's own profile, which its owners edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from microcred.core.errors import ValidationFailed
from microcred.web.views.common import app_errors, service_error_to_form

from ..forms import OrganisationProfileForm
from ..http import AuthenticatedRequest
from ..selectors import memberships_of
from ..services import organisation_update
from ..workspace import organisation_for_owner, workspace_context, workspace_links

_PROFILE_FIELDS = tuple(OrganisationProfileForm.base_fields)


@require_GET
@login_required
@app_errors
def organisations(request: AuthenticatedRequest) -> HttpResponse:
    rows = [
        {"membership": m, "links": workspace_links(m.organisation, m.role)} for m in memberships_of(user=request.user)
    ]
    return render(request, "accounts/workspace/index.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def organisation_profile(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_owner(request.user, slug)
    initial = {name: getattr(organisation, name) for name in _PROFILE_FIELDS}
    form = OrganisationProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationFailed as exc:
            service_error_to_form(form, exc)
        else:
            messages.success(request, f"{organisation.name}'s profile is saved.")
            return redirect("accounts:workspace_profile", organisation.slug)
    context = workspace_context(request, organisation, "profile")
    context.update(form=form)
    return render(request, "accounts/workspace/profile.html", context)
