"""What every workspace page shares: who may open which part, and the tabs they see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse

from microcred.accounts.models import MembershipRole, Organisation, OrganisationKind
from microcred.accounts.permissions import STAFF_ROLES
from microcred.accounts.selectors import access_organisation, role_in
from microcred.core.errors import AppError, Conflict, ValidationFailed

OWNER = (MembershipRole.OWNER.value,)
STAFF = tuple(str(r) for r in STAFF_ROLES)

T = TypeVar("T")


def provider_for_staff(actor: Any, slug: str) -> Organisation:
    return access_organisation(actor=actor, slug=slug, roles=STAFF, kind=OrganisationKind.PROVIDER)


def accreditor_for_owner(actor: Any, slug: str) -> Organisation:
    return access_organisation(actor=actor, slug=slug, roles=OWNER, kind=OrganisationKind.ACCREDITOR)


def organisation_for_owner(actor: Any, slug: str) -> Organisation:
    return access_organisation(actor=actor, slug=slug, roles=OWNER)


@dataclass(frozen=True)
class WorkspaceLink:
    key: str
    label: str
    url: str
    icon: str


def workspace_links(organisation: Organisation, role: str | None) -> list[WorkspaceLink]:
    """The workspace pages a role opens in an organisation; the same rules as the views' guards."""
    slug = organisation.slug
    links = []
    is_staff = role in STAFF
    if organisation.kind == OrganisationKind.PROVIDER and is_staff:
        links.append(WorkspaceLink("catalog", "Catalog", reverse("web:workspace_catalog", args=[slug]), "layers"))
    if organisation.kind == OrganisationKind.ACCREDITOR and role == MembershipRole.OWNER:
        links.append(
            WorkspaceLink(
                "accreditations", "Accreditations", reverse("web:workspace_accreditations", args=[slug]), "shield"
            )
        )
    if role == MembershipRole.OWNER:
        links.append(WorkspaceLink("members", "Members", reverse("web:workspace_members", args=[slug]), "users"))
    if organisation.kind == OrganisationKind.PROVIDER and is_staff:
        links.append(WorkspaceLink("credentials", "Credentials", reverse("credentials:manage", args=[slug]), "award"))
    return links


def workspace_context(request: HttpRequest, organisation: Organisation, tab: str) -> dict[str, Any]:
    role = role_in(request.user, organisation)
    if role is None and getattr(request.user, "is_superuser", False):
        role = MembershipRole.OWNER  # a superuser passed the guard without a membership
    return {
        "organisation": organisation,
        "role": role,
        "role_label": MembershipRole(role).label if role else "",
        "tabs": workspace_links(organisation, role),
        "tab": tab,
    }


def service_error_to_form(form: Any, exc: AppError) -> None:
    """A service's field errors go on the matching fields; anything else (a quiz question, a rule
    across fields, a conflict) as the service's full message, which names what is wrong."""
    if not isinstance(exc, ValidationFailed):
        form.add_error(None, exc.message)
        return
    unplaced = False
    for field, errors in exc.errors.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
        else:
            unplaced = True
    if unplaced or not exc.errors:
        form.add_error(None, exc.message)


def form_errors_to_messages(request: HttpRequest, form: Any) -> None:
    """For small forms posted from a list page: the page is redirected to, so errors travel as messages."""
    for field, errors in form.errors.items():
        for error in errors:
            prefix = f"{form[field].label}: " if field in form.fields else ""
            messages.error(request, f"{prefix}{error}")


def run_reporting(request: HttpRequest, action: Callable[[], T], success: Callable[[T], str]) -> T | None:
    """Run one service call for a list-page button: its refusal, or ``success(result)``, becomes
    the message shown after the redirect."""
    try:
        result = action()
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success(result))
    return result
