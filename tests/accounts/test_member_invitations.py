"""Owners invite members by e-mail. The members page answers the same whether or not the address
has an account; the person joins by accepting the e-mailed invitation."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from microcred.accounts.models import Membership, MembershipInvitation
from microcred.core.models import AuditLog
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.pages import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    organisation = OrganisationFactory(name="Northbridge University", slug="northbridge")
    owner = UserFactory(email="owner@example.org", full_name="Olive Owner")
    MembershipFactory(user=owner, organisation=organisation, role="owner")
    return organisation, owner


def members_url() -> str:
    return reverse("accounts:workspace_members", args=["northbridge"])


def invite(client: Client, email: str, role: str = "grader"):
    return client.post(members_url(), {"email": email, "role": role}, follow=True)


def link_in(message, fragment: str) -> str:
    match = re.search(rf"https?://\S+{fragment}\S+", message.body)
    assert match, message.body
    parts = urlsplit(match.group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_inviting_answers_the_same_whether_or_not_the_address_has_an_account(client, org):
    organisation, owner = org
    UserFactory(email="has-account@example.org")
    client.force_login(owner)
    with_account = invite(client, "Has-Account@example.org")
    without_account = invite(client, "no-account@example.org")
    assert shown_messages(with_account) == [
        "We've invited has-account@example.org to join as grader. They become a member when they accept."
    ]
    assert shown_messages(without_account) == [
        "We've invited no-account@example.org to join as grader. They become a member when they accept."
    ]
    assert "No account uses" not in without_account.content.decode()
    # Both are listed as waiting invitations; neither is a member yet.
    page = client.get(members_url()).content.decode()
    assert "Invitations waiting" in page and "has-account@example.org" in page and "no-account@example.org" in page
    assert Membership.objects.filter(organisation=organisation).count() == 1
    # Both get the same e-mail.
    assert sorted(m.to[0] for m in mail.outbox) == ["has-account@example.org", "no-account@example.org"]
    bodies = {m.to[0]: re.sub(r"/invitations/\S+", "LINK", m.body) for m in mail.outbox}
    assert bodies["has-account@example.org"] == bodies["no-account@example.org"]
    assert all(m.subject == "You're invited to join Northbridge University on Microcred" for m in mail.outbox)
    assert AuditLog.objects.filter(action="membership.invite", actor_id=owner.pk).count() == 2


def test_an_existing_account_joins_by_accepting_the_invitation(client, org):
    organisation, owner = org
    invitee = UserFactory(email="invitee@example.org")
    client.force_login(owner)
    invite(client, "invitee@example.org", role="instructor")
    link = link_in(mail.outbox[0], "/invitations/")

    visitor = Client()
    page = visitor.get(link).content.decode()
    assert "Log in with invitee@example.org to accept" in page
    visitor.force_login(invitee)
    assert "Accept and join" in visitor.get(link).content.decode()
    response = visitor.post(link, follow=True)
    assert "You joined Northbridge University as instructor." in shown_messages(response)
    assert Membership.objects.get(organisation=organisation, user=invitee).role == "instructor"
    assert AuditLog.objects.filter(action="membership.accept", actor_id=invitee.pk).count() == 1
    # Used once: the link is gone, and the invitation leaves the owner's list.
    assert visitor.get(link).status_code == 404
    assert "Invitations waiting" not in client.get(members_url()).content.decode()


def test_a_new_address_signs_up_from_the_invitation_and_joins(client, org):
    organisation, owner = org
    client.force_login(owner)
    invite(client, "fresh@example.org")
    invitation_link = link_in(mail.outbox[0], "/invitations/")

    newcomer = Client()
    page = newcomer.get(invitation_link).content.decode()
    signup_url = re.search(r'href="(/signup/\?next=[^"]+)"', page).group(1).replace("&amp;", "&")
    newcomer.post(signup_url, {"full_name": "Fresh Face", "email": "fresh@example.org", "password": PASSWORD})
    confirm = link_in(mail.outbox[-1], "/signup/confirm/")
    response = newcomer.post(confirm)
    assert response["Location"] == invitation_link
    newcomer.post(invitation_link)
    assert Membership.objects.get(organisation=organisation, user__email="fresh@example.org").role == "grader"


def test_someone_else_cannot_accept_an_invitation(client, org):
    organisation, owner = org
    client.force_login(owner)
    invite(client, "invitee@example.org")
    link = link_in(mail.outbox[0], "/invitations/")
    intruder = Client()
    intruder.force_login(UserFactory(email="intruder@example.org"))
    assert "This invitation is for invitee@example.org" in intruder.get(link).content.decode()
    assert intruder.post(link).status_code == 403
    assert not Membership.objects.filter(organisation=organisation, user__email="intruder@example.org").exists()


def test_a_withdrawn_or_renewed_invitation_link_stops_working(client, org):
    organisation, owner = org
    invitee = UserFactory(email="invitee@example.org")
    client.force_login(owner)
    invite(client, "invitee@example.org")
    invite(client, "invitee@example.org", role="instructor")  # renewed: new link, new role
    first, second = (link_in(m, "/invitations/") for m in mail.outbox)
    assert MembershipInvitation.objects.filter(organisation=organisation).count() == 1
    member = Client()
    member.force_login(invitee)
    assert member.get(first).status_code == 404

    invitation = MembershipInvitation.objects.get(organisation=organisation)
    client.post(reverse("accounts:workspace_invitation_withdraw", args=["northbridge", invitation.pk]))
    assert member.post(second).status_code == 404
    assert not Membership.objects.filter(organisation=organisation, user=invitee).exists()


def test_an_invitation_dies_with_its_senders_ownership(client, org):
    organisation, owner = org
    invitee = UserFactory(email="invitee@example.org")
    client.force_login(owner)
    invite(client, "invitee@example.org", role="owner")
    link = link_in(mail.outbox[0], "/invitations/")
    Membership.objects.filter(user=owner).update(role="grader")
    member = Client()
    member.force_login(invitee)
    response = member.post(link, follow=True)
    assert any("can no longer add members" in m for m in shown_messages(response))
    assert not Membership.objects.filter(organisation=organisation, user=invitee).exists()


def test_role_changes_and_removals_leave_audit_rows(client, org):
    organisation, owner = org
    colleague = UserFactory(email="colleague@example.org")
    MembershipFactory(user=colleague, organisation=organisation, role="grader")
    client.force_login(owner)
    client.post(reverse("accounts:workspace_member_role", args=["northbridge", colleague.pk]), {"role": "instructor"})
    client.post(reverse("accounts:workspace_member_remove", args=["northbridge", colleague.pk]))
    rows = list(AuditLog.objects.filter(actor_id=owner.pk).order_by("pk").values_list("action", "data"))
    assert rows == [
        ("membership.role", {"role": "instructor", "previous": "grader"}),
        ("membership.remove", {"user": colleague.pk, "role": "instructor"}),
    ]
