"""An organisation's members, for its owners: add an existing account, change a role, remove."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from microcred.accounts.models import MembershipRole
from microcred.accounts.selectors import member_get, organisation_members, role_in, user_get_by_email
from microcred.accounts.services import membership_add, membership_remove
from microcred.core.errors import Conflict, NotFound, ValidationFailed

from ...forms_workspace import MemberAddForm, MemberRoleForm
from ..common import AuthenticatedRequest, app_errors
from .common import form_errors_to_messages, organisation_for_owner, service_error_to_form, workspace_context


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def members(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_owner(request.user, slug)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_get_by_email(email=form.cleaned_data["email"])
        except NotFound:
            form.add_error("email", "No account uses this email address. Ask them to sign up first, then add them.")
        else:
            current = role_in(user, organisation)
            if current is not None:
                form.add_error(
                    "email",
                    f"{user.email} is already a member ({MembershipRole(current).label.lower()}); "
                    "change their role in the list instead.",
                )
            else:
                try:
                    membership = membership_add(
                        actor=request.user, organisation=organisation, user=user, role=form.cleaned_data["role"]
                    )
                except (ValidationFailed, Conflict) as exc:
                    service_error_to_form(form, exc)
                else:
                    messages.success(
                        request, f"{user.email} joined {organisation.name} as {membership.get_role_display().lower()}."
                    )
                    return redirect("web:workspace_members", organisation.slug)
    context = workspace_context(request, organisation, "members")
    context.update(
        form=form,
        members=list(organisation_members(organisation=organisation)),
        role_choices=MembershipRole.choices,
    )
    return render(request, "web/workspace/members.html", context)


@require_POST
@login_required
@app_errors
def member_role(request: AuthenticatedRequest, slug: str, user_id: int) -> HttpResponse:
    organisation = organisation_for_owner(request.user, slug)
    membership = member_get(organisation=organisation, user_id=user_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("web:workspace_members", organisation.slug)
    try:
        updated = membership_add(
            actor=request.user, organisation=organisation, user=membership.user, role=form.cleaned_data["role"]
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return redirect("web:workspace_members", organisation.slug)
    messages.success(request, f"{membership.user.email} is now {updated.get_role_display().lower()}.")
    if updated.user_id == request.user.pk and updated.role != MembershipRole.OWNER:
        # Giving up one's own ownership closes this page to oneself.
        return redirect("web:workspace")
    return redirect("web:workspace_members", organisation.slug)


@require_POST
@login_required
@app_errors
def member_remove(request: AuthenticatedRequest, slug: str, user_id: int) -> HttpResponse:
    organisation = organisation_for_owner(request.user, slug)
    membership = member_get(organisation=organisation, user_id=user_id)
    try:
        membership_remove(actor=request.user, organisation=organisation, user=membership.user)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return redirect("web:workspace_members", organisation.slug)
    messages.success(request, f"{membership.user.email} is no longer a member of {organisation.name}.")
    if membership.user_id == request.user.pk:
        return redirect("web:workspace")
    return redirect("web:workspace_members", organisation.slug)
