"""What every page of an organisation's workspace shares: who may open which part, and the tabs
they see. The pages themselves belong to their apps (catalog, accreditation, exchange, accounts);
the tabs link to them by URL name, which imports nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .models import MembershipRole, Organisation, OrganisationKind
from .permissions import STAFF_ROLES
from .selectors import access_organisation, role_in

OWNER = (MembershipRole.OWNER.value,)
STAFF = tuple(str(r) for r in STAFF_ROLES)


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
        links.append(WorkspaceLink("catalog", "Catalog", reverse("catalog:workspace_catalog", args=[slug]), "layers"))
    if organisation.kind == OrganisationKind.ACCREDITOR and role == MembershipRole.OWNER:
        links.append(
            WorkspaceLink(
                "accreditations",
                "Accreditations",
                reverse("accreditation:workspace_accreditations", args=[slug]),
                "shield",
            )
        )
    if role == MembershipRole.OWNER:
        links.append(WorkspaceLink("profile", "Profile", reverse("accounts:workspace_profile", args=[slug]), "user"))
        links.append(WorkspaceLink("members", "Members", reverse("accounts:workspace_members", args=[slug]), "users"))
    if organisation.kind == OrganisationKind.PROVIDER and is_staff:
        links.append(WorkspaceLink("credentials", "Credentials", reverse("credentials:manage", args=[slug]), "award"))
    if organisation.kind == OrganisationKind.PROVIDER and is_staff:
        links.append(WorkspaceLink("banks", "Question banks", reverse("assessment:banks", args=[slug]), "quiz"))
    if organisation.kind == OrganisationKind.PROVIDER and role in (*STAFF, MembershipRole.GRADER.value):
        # Learners' submitted work, for every role: graders grade, instructors also decide regrades.
        links.append(WorkspaceLink("grading", "Grading", reverse("projects:grading", args=[slug]), "assignment"))
        # Quiz answers a person grades (essays, ADR 0027), for the same roles.
        links.append(WorkspaceLink("essays", "Quiz essays", reverse("assessment:essays", args=[slug]), "quiz"))
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
