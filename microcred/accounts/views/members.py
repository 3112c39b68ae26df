"""An organisation's members, for its owners: invite by e-mail, change a role, remove; and the
invitation page the invited person opens from their e-mail."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from microcred.core.errors import Conflict, ValidationFailed
from microcred.web.views.common import (
    app_errors,
    form_errors_to_messages,
    login_url_with_next,
    run_reporting,
    service_error_to_form,
)

from ..forms import MemberAddForm, MemberRoleForm
from ..http import AuthenticatedRequest
from ..models import MembershipRole
from ..selectors import member_get, organisation_members, pending_invitations
from ..services import (
    membership_add,
    membership_invitation_accept,
    membership_invitation_by_secret,
    membership_invitation_withdraw,
    membership_invite,
    membership_remove,
)
from ..workspace import organisation_for_owner, workspace_context


@require_http_methods(["GET", "POST"])
@login_required
@app_errors
def members(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_owner(request.user, slug)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = membership_invite(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except (ValidationFailed, Conflict) as exc:
            service_error_to_form(form, exc)
        else:
            # The same answer whether or not the address has an account.
            messages.success(
                request,
                f"We've invited {invitation.email} to join as {invitation.get_role_display().lower()}. "
                "They become a member when they accept.",
            )
            return redirect("accounts:workspace_members", organisation.slug)
    context = workspace_context(request, organisation, "members")
    context.update(
        form=form,
        members=list(organisation_members(organisation=organisation)),
        invitations=list(pending_invitations(organisation=organisation)),
        role_choices=MembershipRole.choices,
    )
    return render(request, "accounts/workspace/members.html", context)


@require_POST
@login_required
@app_errors
def invitation_withdraw(request: AuthenticatedRequest, slug: str, invitation_id: int) -> HttpResponse:
    organisation = organisation_for_owner(request.user, slug)
    run_reporting(
        request,
        lambda: membership_invitation_withdraw(
            actor=request.user, organisation=organisation, invitation_id=invitation_id
        ),
        lambda _: "Invitation withdrawn.",
    )
    return redirect("accounts:workspace_members", organisation.slug)


@require_http_methods(["GET", "POST"])
@app_errors
def invitation(request: HttpRequest, secret: str) -> HttpResponse:
    """The link from an invitation e-mail: sign in (or up) with the invited address, then accept."""
    invitation = membership_invitation_by_secret(secret=secret)
    if request.method == "POST" and request.user.is_authenticated:
        membership = membership_invitation_accept(actor=request.user, secret=secret)
        messages.success(
            request, f"You joined {membership.organisation.name} as {membership.get_role_display().lower()}."
        )
        return redirect("accounts:workspace")
    signed_in_as = request.user.email if request.user.is_authenticated else ""
    context = {
        "invitation": invitation,
        "wrong_account": bool(signed_in_as) and signed_in_as.lower() != invitation.email.lower(),
        "login_url": login_url_with_next(request.path),
        "signup_url": f"{reverse('accounts:signup')}?{urlencode({'next': request.path})}",
    }
    return render(request, "accounts/workspace/invitation.html", context)


@require_POST
@login_required
@app_errors
def member_role(request: AuthenticatedRequest, slug: str, user_id: int) -> HttpResponse:
    organisation = organisation_for_owner(request.user, slug)
    membership = member_get(organisation=organisation, user_id=user_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("accounts:workspace_members", organisation.slug)
    try:
        updated = membership_add(
            actor=request.user, organisation=organisation, user=membership.user, role=form.cleaned_data["role"]
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return redirect("accounts:workspace_members", organisation.slug)
    messages.success(request, f"{membership.user.email} is now {updated.get_role_display().lower()}.")
    if updated.user_id == request.user.pk and updated.role != MembershipRole.OWNER:
        # Giving up one's own ownership closes this page to oneself.
        return redirect("accounts:workspace")
    return redirect("accounts:workspace_members", organisation.slug)


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
        return redirect("accounts:workspace_members", organisation.slug)
    messages.success(request, f"{membership.user.email} is no longer a member of {organisation.name}.")
    if membership.user_id == request.user.pk:
        return redirect("accounts:workspace")
    return redirect("accounts:workspace_members", organisation.slug)
